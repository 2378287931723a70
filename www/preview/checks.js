// The content check: problems authors actually ship, found from the API
// calls of one SCO session. Pure logic over the call sequence, no DOM:
// `observe` folds each call into a small state (so a session of 100,000
// calls costs a few counters, not a copy), `finish` runs the CHECKS table
// over it at the end of the session. tests/js/preview-checks.test.mjs feeds
// it call sequences, one per finding.
//
// A call: {i, api: "1.2" | "2004", method, args, result, error, diagnostic}.
// The context at the end: {api, isSco, unloaded, profile}.

/** Element names per API version. */
export const NAMES = {
  "1.2": {
    status: ["cmi.core.lesson_status"],
    sessionTime: "cmi.core.session_time",
    exit: "cmi.core.exit",
    suspend: "cmi.suspend_data",
    initialize: "LMSInitialize", terminate: "LMSFinish", commit: "LMSCommit",
    set: "LMSSetValue", get: "LMSGetValue",
    errorReaders: ["LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"],
    // element names of the other version that content mixes up
    foreign: /^(cmi\.(completion_status|success_status|score\.scaled|location|session_time|exit|learner_id|learner_name|progress_measure|mode|entry|total_time|completion_threshold|scaled_passing_score)\b|adl\.)/,
    interactionRefusals: ["201"],
  },
  "2004": {
    status: ["cmi.completion_status", "cmi.success_status"],
    sessionTime: "cmi.session_time",
    exit: "cmi.exit",
    suspend: "cmi.suspend_data",
    initialize: "Initialize", terminate: "Terminate", commit: "Commit",
    set: "SetValue", get: "GetValue",
    errorReaders: ["GetLastError", "GetErrorString", "GetDiagnostic"],
    foreign: /^cmi\.(core\.|student_data\.|student_preference\.)/,
    interactionRefusals: ["351", "408"],
  },
};

/**
 * LMS profiles, sorted by id. `config` goes to ScormShim.configure (what
 * the run-time enforces); `limits` are what the content check compares
 * with (`enforced`: the run-time refuses beyond it in this profile).
 */
export const PROFILES = [
  {
    id: "lenient",
    label: "Lenient: scorm-shim's defaults, as the leading LMSs (SCORM 1.2 suspend_data up to 64 KiB)",
    config: { scorm12SuspendDataLimit: 65536 },
    limits: [
      { api: "1.2", element: "cmi.suspend_data", max: 4096, enforced: false, source: "SCORM 1.2 RTE: CMIString4096; strict LMSs cut or refuse longer values" },
    ],
  },
  {
    id: "strict",
    label: "Strict: the specification's limits enforced (SCORM 1.2 suspend_data 4,096), and those older LMSs apply",
    config: { scorm12SuspendDataLimit: 4096 },
    limits: [
      { api: "1.2", element: "cmi.suspend_data", max: 4096, enforced: true, source: "SCORM 1.2 RTE: CMIString4096" },
      { api: "1.2", element: "cmi.core.lesson_location", max: 255, enforced: true, source: "SCORM 1.2 RTE: CMIString255" },
      { api: "2004", element: "cmi.suspend_data", max: 4000, enforced: false, source: "SCORM 2004 2nd Edition (the 3rd raised it to 64,000); LMSs of that generation cut longer values" },
      { api: "2004", element: "cmi.location", max: 1000, enforced: true, source: "SCORM 2004 RTE: characterstring SPM 1,000" },
    ],
  },
];

export function profile(id) {
  return PROFILES.find((p) => p.id === id) || PROFILES[0];
}

/** Thresholds of the loop check. */
export const LOOP = { sameValue: 20, anyValue: 500 };

const FIRST = 5; // calls kept per finding as examples

/** A fresh state for one SCO session. */
export function newSession(api) {
  return {
    api,
    calls: 0,
    first: null,
    initialized: false,
    terminated: false,
    commits: 0,
    sets: 0,
    beforeInit: [],
    afterTerm: [],
    errors: 0,
    refused: new Map(), // "method element code" -> {count, first: call}
    pendingError: null,
    ignored: { count: 0, first: [] },
    elements: new Map(), // element -> {sets, ok, same, last, maxLen, maxCall, refused, firstRefused}
    foreign: { count: 0, first: [] },
    interactions: { count: 0, first: [] },
  };
}

function keep(list, call) {
  if (list.length < FIRST) list.push(call);
}

/** Fold one call into the session state. */
export function observe(s, call) {
  const n = NAMES[s.api] || NAMES["2004"];
  s.calls++;
  if (s.first === null) s.first = call.i;
  const m = call.method;
  const failed = call.error && call.error !== "0";
  // An error the content never asked about: the next call is not GetLastError & co.
  if (s.pendingError) {
    if (!n.errorReaders.includes(m)) {
      s.ignored.count++;
      keep(s.ignored.first, s.pendingError);
    }
    s.pendingError = null;
  }
  if (n.errorReaders.includes(m)) return s;
  if (m === n.initialize) {
    if (call.result === "true") s.initialized = true;
  } else if (!s.initialized && !s.terminated) {
    keep(s.beforeInit, call);
  } else if (s.terminated) {
    keep(s.afterTerm, call);
  }
  if (m === n.terminate && call.result === "true") s.terminated = true;
  if (m === n.commit && call.result === "true") s.commits++;
  if (failed) {
    s.errors++;
    s.pendingError = call;
    const key = m + " " + (call.args[0] || "") + " " + call.error;
    const r = s.refused.get(key);
    if (r) r.count++; else if (s.refused.size < 200) s.refused.set(key, { count: 1, first: call });
  }
  if ((m === n.set || m === n.get) && failed && call.error === "401" && n.foreign.test(call.args[0] || "")) {
    s.foreign.count++;
    keep(s.foreign.first, call);
  }
  if (m === n.set) {
    s.sets++;
    const el = call.args[0] || "";
    const value = call.args[1] === undefined ? "" : call.args[1];
    let e = s.elements.get(el);
    if (!e) {
      if (s.elements.size >= 5000) return s;
      e = { sets: 0, ok: false, same: 0, last: undefined, maxLen: 0, maxCall: null, refused: 0, firstRefused: null, lastValue: undefined };
      s.elements.set(el, e);
    }
    e.sets++;
    if (value.length > e.maxLen) { e.maxLen = value.length; e.maxCall = call; }
    if (failed) {
      e.refused++;
      if (!e.firstRefused) e.firstRefused = call;
      if (/^cmi\.interactions\.\d+\./.test(el) && n.interactionRefusals.includes(call.error)) {
        s.interactions.count++;
        keep(s.interactions.first, call);
      }
    } else {
      if (e.last === value) e.same++;
      e.ok = true;
      e.last = value;
    }
  }
  return s;
}

function el(s, name) {
  return s.elements.get(name);
}

function ok(s, name) {
  const e = el(s, name);
  return !!(e && e.ok);
}

function quote(v) {
  const t = String(v);
  return JSON.stringify(t.length > 60 ? t.slice(0, 60) + "…" : t);
}

/**
 * The checks, sorted by id. `find(state, ctx)` answers null (nothing to
 * report) or `{message, calls}`; `severity` is "error" (the LMS loses data
 * or the course misbehaves), "warning" (fragile, breaks on some LMSs) or
 * "info".
 */
export const CHECKS = [
  {
    id: "callsAfterTerminate", severity: "warning", title: "Calls after Terminate",
    find: (s) => s.afterTerm.length ? { message: "the SCO called the API after its session ended (" + s.afterTerm.map((c) => c.method + (c.args[0] ? " " + c.args[0] : "")).join(", ") + "); those calls fail and their values are lost", calls: s.afterTerm } : null,
  },
  {
    id: "callsBeforeInitialize", severity: "error", title: "Calls before Initialize",
    find: (s) => s.beforeInit.length ? { message: "the SCO called " + s.beforeInit.map((c) => c.method).join(", ") + " before Initialize; those calls fail", calls: s.beforeInit } : null,
  },
  {
    id: "errorsIgnored", severity: "warning", title: "Errors ignored by the content",
    find: (s) => s.ignored.count ? { message: s.ignored.count + " failed call" + (s.ignored.count === 1 ? " was" : "s were") + " not followed by GetLastError: the content does not notice when the LMS refuses a value", calls: s.ignored.first } : null,
  },
  {
    id: "interactionsOrder", severity: "error", title: "Interactions written out of order",
    find: (s) => s.interactions.count ? { message: s.interactions.count + " interaction value" + (s.interactions.count === 1 ? " was" : "s were") + " refused: an interaction is written at an index past _count, or its fields before its id (write cmi.interactions.N.id first, N = _count)", calls: s.interactions.first } : null,
  },
  {
    id: "limits", severity: "warning", title: "Values over the LMS profile's limits",
    find: (s, ctx) => {
      const over = [];
      for (const l of ctx.profile.limits) {
        if (l.api !== s.api) continue;
        const e = el(s, l.element);
        if (e && e.maxLen > l.max) over.push({ l, e });
      }
      if (!over.length) return null;
      return {
        severity: over.some((o) => o.l.enforced) ? "error" : "warning",
        message: over.map((o) => o.l.element + " reached " + o.e.maxLen.toLocaleString("en") + " characters; the limit is " + o.l.max.toLocaleString("en") + " (" + o.l.source + ")" + (o.l.enforced ? "; refused in this profile" : "")).join("; "),
        calls: over.map((o) => o.e.maxCall),
      };
    },
  },
  {
    id: "noCommit", severity: "warning", title: "Commit never called",
    find: (s) => s.sets > 0 && s.commits === 0 ? { message: "the SCO set " + s.sets + " value" + (s.sets === 1 ? "" : "s") + " and never called " + NAMES[s.api].commit + ": nothing is saved until " + NAMES[s.api].terminate + " (a crash or a closed tab loses the session)", calls: [] } : null,
  },
  {
    id: "noInitialize", severity: "error", title: "Initialize never called",
    find: (s, ctx) => ctx.isSco && !s.initialized ? { message: "the SCO never called " + NAMES[s.api].initialize + (s.calls === 0 ? " (nor anything else): it did not find the API. It must look for " + (s.api === "1.2" ? "window.API" : "window.API_1484_11") + " by walking window.parent (and then window.opener)" : ""), calls: [] } : null,
  },
  {
    id: "noTerminate", severity: "error", title: "No Terminate before unload",
    find: (s, ctx) => ctx.unloaded && s.initialized && !s.terminated ? { message: "the SCO was unloaded without calling " + NAMES[s.api].terminate + ": an LMS may discard the session's data and its navigation request. Call it from a pagehide/beforeunload handler too", calls: [] } : null,
  },
  {
    id: "refusedCalls", severity: "error", title: "Calls the LMS refused",
    find: (s) => {
      if (!s.refused.size) return null;
      const rows = Array.from(s.refused.values());
      return {
        message: s.errors + " call" + (s.errors === 1 ? "" : "s") + " failed: " + rows.slice(0, 8).map((r) => r.first.method + "(" + (r.first.args[0] || "") + ") → " + r.first.error + (r.count > 1 ? " ×" + r.count : "")).join(", ") + (rows.length > 8 ? ", …" : ""),
        calls: rows.slice(0, FIRST).map((r) => r.first),
      };
    },
  },
  {
    id: "repeatedWrites", severity: "warning", title: "A value written again and again",
    find: (s) => {
      const hot = [];
      for (const [name, e] of s.elements) {
        if (e.same >= LOOP.sameValue || e.sets >= LOOP.anyValue) hot.push([name, e]);
      }
      if (!hot.length) return null;
      return {
        message: hot.slice(0, 5).map(([name, e]) => name + " set " + e.sets + " times" + (e.same ? " (" + e.same + " times to the value it already had)" : "")).join("; ") + ": a loop or a timer writes it; every write costs a call and, with Commit, a request",
        calls: [],
      };
    },
  },
  {
    id: "scoreRange", severity: "warning", title: "score.raw without score.min and score.max",
    find: (s) => {
      const missing = [];
      for (const [name, e] of s.elements) {
        if (!e.ok || !name.endsWith("score.raw")) continue;
        const base = name.slice(0, -3);
        if (!ok(s, base + "min") || !ok(s, base + "max")) missing.push(name);
      }
      return missing.length ? { message: missing.join(", ") + " set without its score.min and score.max: an LMS cannot turn the raw score into a percentage", calls: [] } : null;
    },
  },
  {
    id: "scoreScaled", severity: "warning", title: "SCORM 2004 score without score.scaled",
    find: (s) => s.api === "2004" && ok(s, "cmi.score.raw") && !ok(s, "cmi.score.scaled")
      ? { message: "cmi.score.raw is set but cmi.score.scaled is not: SCORM 2004 sequencing (measures, satisfied by measure, rollup) and most LMS reports use score.scaled", calls: [] } : null,
  },
  {
    id: "sessionTime", severity: "warning", title: "session_time never set or badly formatted",
    find: (s) => {
      const name = NAMES[s.api].sessionTime;
      const e = el(s, name);
      if (e && e.ok) return null;
      if (e && e.firstRefused) {
        return { severity: "error", message: name + " was refused: " + quote(e.firstRefused.args[1]) + " is not " + (s.api === "1.2" ? "a CMITimespan (HHHH:MM:SS.SS, e.g. 0000:01:30.00)" : "an ISO 8601 duration (e.g. PT1M30S)"), calls: [e.firstRefused] };
      }
      return s.initialized ? { message: name + " was never set: the LMS cannot add this session to the learner's total time", calls: [] } : null;
    },
  },
  {
    id: "statusNeverSet", severity: "warning", title: "Status never set",
    find: (s) => {
      if (!s.initialized) return null;
      const names = NAMES[s.api].status;
      if (names.some((n) => ok(s, n))) return null;
      return { message: names.join(" or ") + " was never set: the LMS records the SCO as " + (s.api === "1.2" ? "whatever it assumes (often completed, sometimes incomplete)" : "unknown, and sequencing treats it as not completed and not satisfied"), calls: [] };
    },
  },
  {
    id: "suspendWithoutExit", severity: "warning", title: "suspend_data written, exit not suspend",
    find: (s) => {
      const n = NAMES[s.api];
      const sd = el(s, n.suspend);
      if (!sd || !sd.ok || sd.last === "") return null;
      const exit = el(s, n.exit);
      const nav = el(s, "adl.nav.request");
      if ((exit && exit.ok && exit.last === "suspend") || (nav && nav.ok && nav.last === "suspendAll")) return null;
      return { message: "the SCO saved suspend_data but left " + n.exit + " " + (exit && exit.ok ? "as " + quote(exit.last) : "unset") + ": the next launch starts a new attempt (cmi.entry \"ab-initio\") and the suspend data is not given back. Set " + n.exit + " to \"suspend\" when the learner leaves before the end", calls: [] };
    },
  },
  {
    id: "wrongVersionNames", severity: "error", title: "Element names of the other SCORM version",
    find: (s) => s.foreign.count ? { message: "the SCO used " + s.foreign.first.map((c) => c.args[0]).join(", ") + " with the SCORM " + s.api + " API; those are SCORM " + (s.api === "1.2" ? "2004" : "1.2") + " names (the package declares " + s.api + ")", calls: s.foreign.first } : null,
  },
];

/**
 * Run every check at the end of a session. Answers the findings:
 * `[{check, severity, title, message, calls: [call index]}]`, most severe first.
 */
export function finish(s, ctx) {
  const context = { api: s.api, isSco: true, unloaded: true, ...ctx, profile: ctx && ctx.profile ? ctx.profile : PROFILES[0] };
  const out = [];
  for (const c of CHECKS) {
    const f = c.find(s, context);
    if (f) out.push({ check: c.id, severity: f.severity || c.severity, title: c.title, message: f.message, calls: (f.calls || []).filter(Boolean).map((x) => x.i) });
  }
  const rank = { error: 0, warning: 1, info: 2 };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** `finish` over a whole call list (the tests and the exported report use it). */
export function checkCalls(api, calls, ctx) {
  const s = newSession(api);
  calls.forEach((c, i) => observe(s, { i, args: [], result: "true", error: "0", ...c }));
  return finish(s, ctx || {});
}
