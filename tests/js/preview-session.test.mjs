// The debugger's session record (www/preview/session.js): bounded lists,
// long values cut in the call list but whole for the checks, what was
// committed, and the content check at the end of each SCO session.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSession, CLIP } from "../../www/preview/session.js";

const ev = (method, args, result = "true", error = "0", extra = {}) => ({ api: "2004", method, args, result, error, time: 1, ...extra });

test("calls are kept in a bounded ring; the oldest go first and are counted", () => {
  const s = createSession({ bounds: { calls: 10, errors: 3, nav: 2, scoSessions: 5 } });
  for (let i = 0; i < 25; i++) s.record(ev("SetValue", ["cmi.location", "p" + i], i % 5 ? "true" : "false", i % 5 ? "0" : "406"));
  assert.equal(s.total, 25);
  assert.equal(s.kept, 10);
  assert.equal(s.dropped, 15);
  assert.deepEqual(s.calls().map((c) => c.i), [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  const newest = [];
  s.eachNewest((c) => { newest.push(c.i); return newest.length < 3; });
  assert.deepEqual(newest, [24, 23, 22]);
  assert.deepEqual(s.errors().map((c) => c.i), [10, 15, 20]);
  assert.equal(s.errorsDropped, 2);
  for (let i = 0; i < 5; i++) s.navigation({ source: "button", request: "continue", outcome: { type: "launch" } });
  assert.equal(s.nav().length, 2);
});

test("GetLastError and friends are never errors themselves", () => {
  const s = createSession();
  s.record(ev("SetValue", ["cmi.x", "1"], "false", "401", { diagnostic: "cmi.x is not a data model element" }));
  s.record(ev("GetLastError", [], "401", "401"));
  s.record(ev("GetDiagnostic", [""], "cmi.x is not…", "401"));
  const calls = s.calls();
  assert.deepEqual(calls.map((c) => c.error), ["401", "0", "0"]);
  assert.equal(calls[0].diagnostic, "cmi.x is not a data model element");
  assert.match(s.explain(calls[0]).text, /^401 Undefined data model element: cmi\.x is not a data model element/);
});

test("long values are cut in the call list, whole for the checks and the commit tracking", () => {
  const s = createSession({ snapshot: () => ({ state: "terminated", elements: [] }) });
  s.beginSco("A", "Lesson A", { api: "1.2", isSco: true });
  const big = "s".repeat(5000);
  s.record({ ...ev("LMSInitialize", [""]), api: "1.2" });
  s.record({ ...ev("LMSSetValue", ["cmi.suspend_data", big]), api: "1.2" });
  const kept = s.calls()[1];
  assert.equal(kept.args[1].length < CLIP + 40, true);
  assert.match(kept.args[1], /… \(5,000 characters\)$/);
  assert.equal(s.sco("A").sinceCommit.get("cmi.suspend_data"), big);
  s.record({ ...ev("LMSCommit", [""]), api: "1.2" });
  assert.equal(s.sco("A").committed.get("cmi.suspend_data"), big);
  assert.equal(s.sco("A").sinceCommit.size, 0);
  const end = s.endSco({ unloaded: true });
  const limits = end.findings.find((f) => f.check === "limits");
  assert.match(limits.message, /reached 5,000 characters/);
  assert.ok(end.findings.find((f) => f.check === "noTerminate"), "unloaded without LMSFinish");
  assert.deepEqual(s.sco("A").last, { state: "terminated", elements: [] }, "the data model is taken when the SCO is unloaded");
});

test("a SCO session ends once; a new delivery ends the one before", () => {
  const s = createSession();
  s.beginSco("A", "A", { api: "2004", isSco: true });
  s.record(ev("Initialize", [""]));
  s.beginSco("B", "B", { api: "2004", isSco: true });
  assert.equal(s.scoSessions().length, 1);
  assert.equal(s.scoSessions()[0].sco, "A");
  assert.equal(s.current.sco, "B");
  s.endSco();
  assert.equal(s.endSco(), null);
  assert.equal(s.scoSessions().length, 2);
  assert.ok(s.scoSessions()[1].findings.find((f) => f.check === "noInitialize"));
});
