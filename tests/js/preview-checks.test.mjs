// The content check (www/preview/checks.js): one call sequence per finding,
// and a clean session that finds nothing. Plus the error explanations
// (www/preview/explain.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CHECKS, PROFILES, LOOP, checkCalls, profile, newSession, observe, finish } from "../../www/preview/checks.js";
import { ERRORS_12, ERRORS_2004, explain } from "../../www/preview/explain.js";

// Compact call builders.
const ok = (method, ...args) => ({ method, args, result: method.includes("Get") && method !== "GetLastError" ? "x" : "true", error: "0" });
const bad = (method, code, ...args) => ({ method, args, result: method.includes("GetValue") ? "" : "false", error: code });
const lastErr = (m = "GetLastError") => ({ method: m, args: [], result: "0", error: "0" });

const CLEAN_2004 = [
  ok("Initialize", ""),
  ok("GetValue", "cmi.entry"),
  ok("SetValue", "cmi.score.scaled", "0.8"),
  ok("SetValue", "cmi.score.raw", "8"),
  ok("SetValue", "cmi.score.min", "0"),
  ok("SetValue", "cmi.score.max", "10"),
  ok("SetValue", "cmi.completion_status", "completed"),
  ok("SetValue", "cmi.success_status", "passed"),
  ok("Commit", ""),
  ok("SetValue", "cmi.session_time", "PT1M"),
  ok("SetValue", "cmi.exit", "normal"),
  ok("Terminate", ""),
];

const CLEAN_12 = [
  ok("LMSInitialize", ""),
  ok("LMSSetValue", "cmi.core.lesson_status", "passed"),
  ok("LMSSetValue", "cmi.core.score.raw", "80"),
  ok("LMSSetValue", "cmi.core.score.min", "0"),
  ok("LMSSetValue", "cmi.core.score.max", "100"),
  ok("LMSCommit", ""),
  ok("LMSSetValue", "cmi.core.session_time", "0000:01:00.00"),
  ok("LMSFinish", ""),
];

test("a clean SCORM 2004 session finds nothing", () => {
  assert.deepEqual(checkCalls("2004", CLEAN_2004), []);
});

test("a clean SCORM 1.2 session finds nothing", () => {
  assert.deepEqual(checkCalls("1.2", CLEAN_12), []);
});

const without = (calls, pred) => calls.filter((c) => !pred(c));
const bigSuspend = "x".repeat(5000);

// [title, api, calls, ctx, expected check id, severity, message pattern]
const CASES = [
  ["no Terminate before unload", "2004", without(CLEAN_2004, (c) => c.method === "Terminate"), {}, "noTerminate", "error", /without calling Terminate/],
  ["no LMSFinish before unload (1.2)", "1.2", without(CLEAN_12, (c) => c.method === "LMSFinish"), {}, "noTerminate", "error", /LMSFinish/],
  ["Commit never called", "2004", without(CLEAN_2004, (c) => c.method === "Commit"), {}, "noCommit", "warning", /never called Commit/],
  ["session_time never set", "2004", without(CLEAN_2004, (c) => c.args[0] === "cmi.session_time"), {}, "sessionTime", "warning", /never set/],
  ["session_time in the 1.2 format on 2004", "2004", [...without(CLEAN_2004, (c) => c.args[0] === "cmi.session_time"), bad("SetValue", "406", "cmi.session_time", "00:01:00")], {}, "sessionTime", "error", /ISO 8601/],
  ["1.2 session_time with too many decimals", "1.2", [...without(CLEAN_12, (c) => c.args[0] === "cmi.core.session_time"), bad("LMSSetValue", "405", "cmi.core.session_time", "0:00:05.123")], {}, "sessionTime", "error", /CMITimespan/],
  ["score.raw without min/max", "2004", without(CLEAN_2004, (c) => /score\.(min|max)/.test(c.args[0] || "")), {}, "scoreRange", "warning", /cmi\.score\.raw/],
  ["objective score.raw without min/max", "2004", [...CLEAN_2004.slice(0, -1), ok("SetValue", "cmi.objectives.0.score.raw", "3"), CLEAN_2004.at(-1)], {}, "scoreRange", "warning", /cmi\.objectives\.0\.score\.raw/],
  ["2004 raw score without scaled", "2004", without(CLEAN_2004, (c) => c.args[0] === "cmi.score.scaled"), {}, "scoreScaled", "warning", /score\.scaled/],
  ["status never set (2004)", "2004", without(CLEAN_2004, (c) => /status/.test(c.args[0] || "")), {}, "statusNeverSet", "warning", /completion_status or cmi\.success_status/],
  ["status never set (1.2)", "1.2", without(CLEAN_12, (c) => /lesson_status/.test(c.args[0] || "")), {}, "statusNeverSet", "warning", /lesson_status/],
  ["1.2 suspend_data over 4,096 (lenient)", "1.2", [...CLEAN_12.slice(0, -1), ok("LMSSetValue", "cmi.suspend_data", bigSuspend), ok("LMSSetValue", "cmi.core.exit", "suspend"), CLEAN_12.at(-1)], { profile: profile("lenient") }, "limits", "warning", /cmi\.suspend_data reached 5,000 characters; the limit is 4,096/],
  ["1.2 suspend_data over 4,096 (strict: refused)", "1.2", [...CLEAN_12.slice(0, -1), bad("LMSSetValue", "405", "cmi.suspend_data", bigSuspend), lastErr("LMSGetLastError"), CLEAN_12.at(-1)], { profile: profile("strict") }, "limits", "error", /refused in this profile/],
  ["2004 suspend_data over 4,000 (strict)", "2004", [...CLEAN_2004.slice(0, -2), ok("SetValue", "cmi.suspend_data", bigSuspend), ok("SetValue", "cmi.exit", "suspend"), CLEAN_2004.at(-1)], { profile: profile("strict") }, "limits", "warning", /4,000/],
  ["interactions out of order (2004)", "2004", [...CLEAN_2004.slice(0, -1), bad("SetValue", "351", "cmi.interactions.3.id", "q4"), lastErr(), bad("SetValue", "408", "cmi.interactions.0.result", "correct"), lastErr(), CLEAN_2004.at(-1)], {}, "interactionsOrder", "error", /2 interaction values were refused/],
  ["interactions out of order (1.2)", "1.2", [...CLEAN_12.slice(0, -1), bad("LMSSetValue", "201", "cmi.interactions.5.id", "q"), lastErr("LMSGetLastError"), CLEAN_12.at(-1)], {}, "interactionsOrder", "error", /past _count/],
  ["errors ignored by the content", "2004", [...CLEAN_2004.slice(0, -1), bad("SetValue", "406", "cmi.score.scaled", "80"), ok("SetValue", "cmi.location", "p2"), CLEAN_2004.at(-1)], {}, "errorsIgnored", "warning", /1 failed call was not followed by GetLastError/],
  ["a value written again and again", "2004", [...CLEAN_2004.slice(0, -1), ...Array.from({ length: LOOP.sameValue + 1 }, () => ok("SetValue", "cmi.location", "page 1")), CLEAN_2004.at(-1)], {}, "repeatedWrites", "warning", /cmi\.location set 21 times \(20 times to the value it already had\)/],
  ["a value written in a hot loop", "2004", [...CLEAN_2004.slice(0, -1), ...Array.from({ length: LOOP.anyValue }, (_, i) => ok("SetValue", "cmi.progress_measure", String(i / 1000))), CLEAN_2004.at(-1)], {}, "repeatedWrites", "warning", /cmi\.progress_measure set 500 times/],
  ["calls before Initialize", "2004", [ok("GetValue", "cmi.entry"), ...CLEAN_2004].map((c, i) => (i === 0 ? { ...c, error: "122", result: "" } : c)), {}, "callsBeforeInitialize", "error", /GetValue before Initialize/],
  ["calls after Terminate", "2004", [...CLEAN_2004, bad("SetValue", "133", "cmi.location", "x"), lastErr()], {}, "callsAfterTerminate", "warning", /SetValue cmi\.location/],
  ["never initialized (API not found)", "2004", [], { isSco: true }, "noInitialize", "error", /walking window\.parent/],
  ["SCORM 1.2 names on the 2004 API", "2004", [...CLEAN_2004.slice(0, -1), bad("SetValue", "401", "cmi.core.lesson_status", "passed"), lastErr(), CLEAN_2004.at(-1)], {}, "wrongVersionNames", "error", /cmi\.core\.lesson_status with the SCORM 2004 API/],
  ["SCORM 2004 names on the 1.2 API", "1.2", [...CLEAN_12.slice(0, -1), bad("LMSGetValue", "401", "cmi.completion_status"), lastErr("LMSGetLastError"), CLEAN_12.at(-1)], {}, "wrongVersionNames", "error", /SCORM 2004 names/],
  ["suspend_data without exit suspend", "2004", [...CLEAN_2004.slice(0, -1), ok("SetValue", "cmi.suspend_data", "{\"p\":3}"), CLEAN_2004.at(-1)], {}, "suspendWithoutExit", "warning", /left cmi\.exit as "normal"/],
  ["refused calls are listed", "2004", [...CLEAN_2004.slice(0, -1), bad("SetValue", "406", "cmi.score.scaled", "2"), lastErr(), bad("SetValue", "406", "cmi.score.scaled", "3"), lastErr(), CLEAN_2004.at(-1)], {}, "refusedCalls", "error", /SetValue\(cmi\.score\.scaled\) → 406 ×2/],
];

for (const [title, api, calls, ctx, id, severity, pattern] of CASES) {
  test(`content check: ${title} -> ${id}`, () => {
    const found = checkCalls(api, calls, ctx);
    const f = found.find((x) => x.check === id);
    assert.ok(f, `expected ${id}, found ${JSON.stringify(found.map((x) => x.check))}`);
    assert.equal(f.severity, severity);
    assert.match(f.message, pattern);
  });
}

test("suspend with exit suspend or suspendAll is not a finding", () => {
  const calls = [...CLEAN_2004.slice(0, -2), ok("SetValue", "cmi.suspend_data", "x"), ok("SetValue", "cmi.exit", "suspend"), CLEAN_2004.at(-1)];
  assert.equal(checkCalls("2004", calls).find((f) => f.check === "suspendWithoutExit"), undefined);
  const nav = [...CLEAN_2004.slice(0, -1), ok("SetValue", "cmi.suspend_data", "x"), ok("SetValue", "adl.nav.request", "suspendAll"), CLEAN_2004.at(-1)];
  assert.equal(checkCalls("2004", nav).find((f) => f.check === "suspendWithoutExit"), undefined);
});

test("every check of the table is exercised by a case, and the table is sorted by id", () => {
  const ids = CHECKS.map((c) => c.id);
  assert.deepEqual(ids, ids.slice().sort());
  const covered = new Set(CASES.map((c) => c[4]));
  for (const id of ids) assert.ok(covered.has(id), "no test case for " + id);
  for (const c of CHECKS) assert.ok(["error", "warning", "info"].includes(c.severity) && c.title, c.id);
});

test("profiles are sorted and each has a config and limits", () => {
  const ids = PROFILES.map((p) => p.id);
  assert.deepEqual(ids, ids.slice().sort());
  for (const p of PROFILES) {
    assert.equal(typeof p.config.scorm12SuspendDataLimit, "number");
    for (const l of p.limits) assert.ok(l.max > 0 && l.element && l.source);
  }
  assert.equal(profile("nope").id, "lenient");
});

test("findings point at calls by index, most severe first", () => {
  const calls = [...without(CLEAN_2004, (c) => c.args[0] === "cmi.session_time").slice(0, -1), bad("SetValue", "406", "cmi.session_time", "1:00"), ok("SetValue", "cmi.location", "x")];
  const found = checkCalls("2004", calls);
  assert.equal(found[0].severity, "error");
  assert.ok(found.findIndex((f) => f.severity === "warning") > found.findIndex((f) => f.severity === "error"));
  const st = found.find((f) => f.check === "sessionTime");
  assert.deepEqual(st.calls, [10]);
});

test("the state stays small however many calls a session makes", () => {
  const s = newSession("2004");
  observe(s, { i: 0, method: "Initialize", args: [""], result: "true", error: "0" });
  for (let i = 1; i < 100000; i++) observe(s, { i, method: "SetValue", args: ["cmi.interactions." + i + ".id", "q"], result: "false", error: "351" });
  assert.ok(s.elements.size <= 5000);
  assert.ok(s.refused.size <= 200);
  assert.ok(s.ignored.first.length <= 5);
  const found = finish(s, {});
  assert.ok(found.find((f) => f.check === "interactionsOrder"));
});

test("error tables are sorted by code and explain() combines meaning, diagnostic and advice", () => {
  for (const t of [ERRORS_12, ERRORS_2004]) {
    const codes = t.map((r) => Number(r[0]));
    assert.deepEqual(codes, codes.slice().sort((a, b) => a - b));
  }
  assert.equal(explain("2004", "0"), null);
  const e = explain("2004", "406", "cmi.score.scaled: \"2\" is not a real in -1..1");
  assert.equal(e.meaning, "Data model element type mismatch");
  assert.match(e.text, /^406 Data model element type mismatch: cmi\.score\.scaled: "2" is not a real in -1\.\.1\. The value/);
  assert.match(explain("1.2", "401").text, /SCORM 2004 name/);
  assert.equal(explain("2004", "999").meaning, "Unknown error code");
});
