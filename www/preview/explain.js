// Plain words for SCORM error codes: what the code means for the content
// that got it, and what to change. The engine's diagnostic (GetDiagnostic,
// carried on each call event) says which rule refused this particular call
// (the value range, the vocabulary, the record that does not exist yet);
// `explain` puts both together. Tables sorted by code; a test keeps them so
// (tests/js/preview-explain.test.mjs).

/** SCORM 2004 (RTE 3.1.7), code -> [meaning, what to do]. */
export const ERRORS_2004 = [
  ["101", "General exception", "The LMS could not carry out the call; the diagnostic says why."],
  ["102", "General initialization failure", "Initialize failed."],
  ["103", "Already initialized", "Initialize was called twice in one session: call it once, when the SCO starts."],
  ["104", "Content instance terminated", "Initialize after Terminate: a SCO session cannot be restarted; the LMS launches a new one."],
  ["111", "General termination failure", "Terminate could not store the data."],
  ["112", "Termination before initialization", "Terminate before Initialize: the SCO must call Initialize first."],
  ["113", "Termination after termination", "Terminate was called twice: call it once, when the SCO ends (guard your unload handlers)."],
  ["122", "Retrieve data before initialization", "GetValue before Initialize: call Initialize first."],
  ["123", "Retrieve data after termination", "GetValue after Terminate: the session is over; read what you need before Terminate."],
  ["132", "Store data before initialization", "SetValue before Initialize: call Initialize first."],
  ["133", "Store data after termination", "SetValue after Terminate: the value is lost; set everything before Terminate."],
  ["142", "Commit before initialization", "Commit before Initialize."],
  ["143", "Commit after termination", "Commit after Terminate: Terminate already stored the data."],
  ["201", "General argument error", "An argument is wrong: Initialize, Terminate and Commit take the empty string \"\"."],
  ["301", "General get failure", "GetValue failed: the record or keyword does not exist."],
  ["351", "General set failure", "SetValue failed: usually a record index past the end (write index _count, not beyond)."],
  ["391", "General commit failure", "The data could not be stored."],
  ["401", "Undefined data model element", "The element name is not part of the SCORM 2004 data model (a SCORM 1.2 name such as cmi.core.lesson_status, or a typo)."],
  ["402", "Unimplemented data model element", "The element exists but this LMS does not implement it."],
  ["403", "Data model element value not initialized", "The element has no value yet: nobody set it (read it after setting it, or check _count first)."],
  ["404", "Data model element is read only", "The element is read-only: the LMS sets it, the SCO may only read it."],
  ["405", "Data model element is write only", "The element is write-only (cmi.exit, cmi.session_time): the SCO may set it but not read it back."],
  ["406", "Data model element type mismatch", "The value does not have the element's type, range or vocabulary."],
  ["407", "Data model element value out of range", "The number is outside the element's range."],
  ["408", "Data model dependency not established", "A value this one depends on is missing: set the record's id first (interactions, objectives), or the type before a response."],
];

/** SCORM 1.2 (RTE 3.3.3), code -> [meaning, what to do]. */
export const ERRORS_12 = [
  ["101", "General exception", "The LMS could not carry out the call; the diagnostic says why."],
  ["201", "Invalid argument error", "An argument is wrong: LMSInitialize, LMSFinish and LMSCommit take the empty string \"\"; or an index is past the end of an array (write index _count, not beyond)."],
  ["202", "Element cannot have children", "_children was asked of an element that has none."],
  ["203", "Element not an array", "_count was asked of an element that is not an array."],
  ["301", "Not initialized", "The call came before LMSInitialize or after LMSFinish."],
  ["401", "Not implemented error", "The element name is not part of the SCORM 1.2 data model (a SCORM 2004 name such as cmi.completion_status, or a typo)."],
  ["402", "Invalid set value, element is a keyword", "_children, _count and _version cannot be set."],
  ["403", "Element is read only", "The element is read-only: the LMS sets it, the SCO may only read it."],
  ["404", "Element is write only", "The element is write-only (cmi.core.exit, cmi.core.session_time): the SCO may set it but not read it back."],
  ["405", "Incorrect data type", "The value does not have the element's type, range or vocabulary (a CMITimespan is HHHH:MM:SS.SS, lesson_status one of passed, completed, failed, incomplete, browsed, not attempted)."],
];

function find(table, code) {
  const row = table.find((r) => r[0] === code);
  return row ? { meaning: row[1], advice: row[2] } : null;
}

/**
 * The explanation of a call's error: `{code, meaning, advice, diagnostic,
 * text}` (`text` is one readable sentence), or null for "0".
 */
export function explain(api, code, diagnostic) {
  code = String(code);
  if (code === "0" || code === "") return null;
  const known = find(api === "1.2" ? ERRORS_12 : ERRORS_2004, code) || { meaning: "Unknown error code", advice: "" };
  const diag = diagnostic && diagnostic !== known.meaning ? String(diagnostic) : "";
  const text = code + " " + known.meaning + (diag ? ": " + diag : "") + (known.advice ? ". " + known.advice : "");
  return { code, meaning: known.meaning, advice: known.advice, diagnostic: diag, text };
}
