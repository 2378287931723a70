// End-to-end security checks of the client (issue 12.4, 12.5, 12.6, 12.8):
// same-origin content cannot read the credentials, reconfigure the shim,
// replace the API objects or redirect the data; a polluted Object.prototype
// changes nothing; 401/403 keep the data until new credentials come; a
// learner who hits the queue's cap loses nothing that fit; a fault in the
// WebAssembly module leaves the API working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser, servePage } from "./harness.mjs";

let backend, test_backend, browser;
before(async () => {
  backend = await startBackend();
  test_backend = await startBackend([], "target/pkg-test");
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
  await test_backend?.stop();
});

const SECRET = "Bearer tok-3f9a-secret";

/** An LMS page with the shim and a same-origin SCO frame; resolves when both are loaded. */
async function lmsWithSco(context, { attrs = "", sco = "", before = "" } = {}) {
  const page = await context.newPage();
  const base = backend.url;
  await servePage(page, base + "/lms.html", `<!doctype html>${before}
    <script src="/pkg/scorm-shim.js" data-endpoint="/api" data-learner-id="l-1" data-course-id="c-1"
            data-registration-id="reg-sec" data-sco-id="s-1" data-commit-interval="0"
            data-headers="Authorization: ${SECRET}" ${attrs}></script>
    <script>window.beforeLaunch = ScormShim.configure({ learnerName: "Doe, Jane" });</script>
    <iframe id="sco" src="/sco.html"></iframe>`);
  await servePage(page, base + "/sco.html", `<!doctype html><script>${sco}</script>`);
  await page.goto(base + "/lms.html");
  await page.evaluate(() => ScormShim.ready.then(() => true));
  await page.waitForFunction(() => document.getElementById("sco").contentDocument.readyState === "complete");
  return page;
}

test("a SCO cannot replace, delete or redefine the API objects or ScormShim", async () => {
  const context = await browser.newContext();
  const page = await lmsWithSco(context, {
    sco: `
      const fake = { Initialize: () => "true", SetValue: () => "true", Commit: () => "true", GetValue: () => "stolen" };
      const p = window.parent, tried = [];
      const attempt = (name, f) => { try { f(); tried.push(name + ": no error"); } catch (e) { tried.push(name + ": " + e.name); } };
      attempt("assign API_1484_11", () => { p.API_1484_11 = fake; });
      attempt("assign API", () => { p.API = fake; });
      attempt("delete API_1484_11", () => { delete p.API_1484_11; });
      attempt("defineProperty API_1484_11", () => Object.defineProperty(p, "API_1484_11", { value: fake }));
      attempt("assign ScormShim", () => { p.ScormShim = { setCredentials: () => [] }; });
      attempt("defineProperty ScormShim", () => Object.defineProperty(p, "ScormShim", { value: {} }));
      attempt("patch a method", () => { p.API_1484_11.Commit = () => "true"; });
      attempt("patch ScormShim.configure", () => { p.ScormShim.configure = () => []; });
      window.tried = tried;`,
  });
  const r = await page.evaluate(() => {
    const sco = document.getElementById("sco").contentWindow;
    const a = window.API_1484_11;
    return {
      tried: sco.tried,
      sameObject: a === ScormShim.api2004 && window.API === ScormShim.api12,
      init: a.Initialize(""),
      set: a.SetValue("cmi.location", "real"),
      get: a.GetValue("cmi.location"),
      commitIsReal: a.Commit("") === "true" && ScormShim.queueStatus()["2004"].pending + ScormShim.queueStatus()["2004"].last_acked >= 1,
      configureIsReal: typeof ScormShim.configure === "function" && (() => { try { ScormShim.configure({}); return "no throw"; } catch (e) { return "throws"; } })(),
    };
  });
  assert.equal(r.sameObject, true, "window.API_1484_11 is still the shim's: " + r.tried.join("; "));
  assert.deepEqual([r.init, r.set, r.get], ["true", "true", "real"]);
  assert.equal(r.commitIsReal, true);
  assert.equal(r.configureIsReal, "throws", "the real configure (frozen after Initialize)");
  await context.close();
});

test("credentials are never readable through the public object, and configure is frozen once content ran", async () => {
  const context = await browser.newContext();
  const page = await lmsWithSco(context);
  const r = await page.evaluate((secret) => {
    // Everything reachable from window.ScormShim without calling into the network.
    const seen = new Set();
    const found = [];
    const walk = (v, path, depth) => {
      if (v === null || depth > 6) return;
      if (typeof v === "string") { if (v.includes(secret.split(" ")[1])) found.push(path); return; }
      if (typeof v !== "object" && typeof v !== "function") return;
      if (seen.has(v)) return;
      seen.add(v);
      for (const k of Object.getOwnPropertyNames(v)) {
        let x;
        try { x = v[k]; } catch (e) { continue; }
        walk(x, path + "." + k, depth + 1);
      }
    };
    walk(ScormShim, "ScormShim", 0);
    walk(ScormShim.config(), "config()", 0);
    walk(ScormShim.queueStatus(), "queueStatus()", 0);
    const before = ScormShim.config();
    const beforeLaunch = window.beforeLaunch;
    const a = window.API_1484_11;
    a.Initialize("");
    a.Terminate("");
    const attempts = [{ learnerId: "attacker" }, { registrationId: "other-reg" }, { endpoint: "https://evil.example/api" }, { headers: "X: y" }];
    const results = attempts.map((c) => { try { ScormShim.configure(c); return "changed"; } catch (e) { return e.message; } });
    return { found, keys: Object.keys(before), beforeLaunch, results, after: ScormShim.config() };
  }, SECRET);
  assert.deepEqual(r.found, [], "the token is reachable at " + r.found.join(", "));
  assert.ok(!r.keys.includes("headers"), r.keys.join(","));
  assert.deepEqual(r.beforeLaunch, [], "configure works before content is launched");
  for (const m of r.results) assert.match(m, /configuration is frozen once/);
  assert.equal(r.after.learnerId, "l-1");
  assert.equal(r.after.registrationId, "reg-sec");
  assert.equal(r.after.endpoint, "/api");
  await context.close();
});

test("a polluted Object.prototype cannot redirect tracking data", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requested = [];
  page.on("request", (req) => requested.push(req.url()));
  await servePage(page, backend.url + "/polluted.html", `<!doctype html>
    <script>
      Object.prototype.endpoint = "https://evil.example/api";
      Object.prototype.headers = "X-Evil: 1";
      Object.prototype.registrationId = "stolen";
      window.scormShimConfig = { learnerId: "l-p", registrationId: "reg-p" };
    </script>
    <script src="/pkg/scorm-shim.js" data-course-id="c-p"></script>`);
  await page.goto(backend.url + "/polluted.html");
  const r = await page.evaluate(async () => {
    await ScormShim.ready;
    const a = window.API_1484_11;
    a.Initialize(""); a.SetValue("cmi.location", "x"); a.Commit("");
    const c = ScormShim.config();
    return { endpoint: c.endpoint, registration: c.registrationId, own: Object.prototype.hasOwnProperty.call(c, "endpoint") };
  });
  assert.deepEqual(r, { endpoint: "", registration: "reg-p", own: true });
  assert.deepEqual(requested.filter((u) => u.includes("evil")), []);
  await context.close();
});

/** A stand-in backend for POST /api/batches: acknowledges every batch (whatever auth the reference backend runs with). */
async function ackBatches(page, seen) {
  await page.route(backend.url + "/api/batches", (route) => {
    const req = route.request();
    const body = JSON.parse(req.postData());
    seen.push({ auth: req.headers()["authorization"] || "", body });
    const acks = body.batches.map((b) => ({ seq: b.seq, key: b.key, result: "applied" }));
    return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ acks, last_seq: acks[acks.length - 1].seq }) });
  });
}

test("content that patches window.fetch later sees neither the requests nor the Authorization header", async () => {
  const context = await browser.newContext();
  const seen = [];
  const page = await lmsWithSco(context, {
    sco: `window.parent.fetch = function (url, init) { window.parent.stolen = JSON.stringify(init && init.headers); return Promise.reject(new TypeError("blocked")); };`,
  });
  await ackBatches(page, seen);
  const r = await page.evaluate(async () => {
    const a = window.API_1484_11;
    a.Initialize(""); a.SetValue("cmi.location", "through"); a.Commit("");
    for (let i = 0; i < 100 && ScormShim.queueStatus()["2004"].pending; i++) await new Promise((res) => setTimeout(res, 50));
    return { stolen: window.stolen || null, pending: ScormShim.queueStatus()["2004"].pending };
  });
  assert.equal(r.stolen, null);
  assert.equal(r.pending, 0, "the batch went out through the shim's own fetch");
  const sent = seen.find((s) => s.body.batches.some((b) => b.changes.some(([k, v]) => k === "cmi.location" && v === "through")));
  assert.ok(sent, "the batch reached the backend");
  assert.equal(sent.auth, SECRET);
  await context.close();
});

test("401/403: the batch is kept, authRequired is emitted, sending resumes after setCredentials", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seenAuth = [], accepted = [];
  // A backend that wants "Bearer good": 403 for another token, 401 without one.
  await page.route(backend.url + "/api/batches", (route) => {
    const req = route.request();
    const auth = req.headers()["authorization"] || "";
    seenAuth.push(auth);
    if (auth !== "Bearer good") {
      return route.fulfill({ status: auth ? 403 : 401, contentType: "application/json", body: '{"error":"unauthorized"}' });
    }
    const body = JSON.parse(req.postData());
    accepted.push(...body.batches);
    const acks = body.batches.map((b) => ({ seq: b.seq, key: b.key, result: "applied" }));
    return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ acks, last_seq: acks[acks.length - 1].seq }) });
  });
  await servePage(page, backend.url + "/auth.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-endpoint="/api" data-learner-id="l-a" data-course-id="c-a"
            data-registration-id="reg-auth" data-sco-id="s-1" data-commit-interval="0" data-headers="Authorization: Bearer expired"></script>
    <script>window.events = []; ScormShim.onEvent((e) => window.events.push(e));</script>`);
  await page.goto(backend.url + "/auth.html");
  await page.evaluate(async () => {
    await ScormShim.ready;
    const a = window.API_1484_11;
    a.Initialize(""); a.SetValue("cmi.location", "kept"); a.Commit("");
  });
  await page.waitForFunction(() => window.events.some((e) => e.type === "authRequired" && e.version === "2004"));
  const paused = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const s = ScormShim.queueStatus()["2004"];
    const auth = window.events.filter((e) => e.type === "authRequired");
    return { s, event: auth.find((e) => e.version === "2004"), resume: auth.find((e) => e.version === null), failed: window.events.filter((e) => e.type === "failedPermanently").length };
  });
  assert.deepEqual(paused.event, { type: "authRequired", status: 403, version: "2004" });
  // (the resume request went to the reference backend, which refuses the expired token too)
  assert.deepEqual(paused.resume, { type: "authRequired", status: 401, version: null });
  assert.equal(paused.s.pending, 1, "the batch is kept");
  assert.equal(paused.s.auth_required, 403);
  assert.equal(paused.s.failed.length + paused.failed, 0, "never counted as failed");
  const triesWhilePaused = seenAuth.length;
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1000)));
  assert.equal(seenAuth.length, triesWhilePaused, "sending pauses");
  const errors = await page.evaluate(() => ScormShim.setCredentials({ headers: { Authorization: "Bearer good" } }));
  assert.deepEqual(errors, []);
  await page.waitForFunction(() => ScormShim.queueStatus()["2004"].pending === 0, null, { timeout: 15000 });
  assert.deepEqual(accepted.flatMap((b) => b.changes).find(([k]) => k === "cmi.location"), ["cmi.location", "kept"]);
  assert.equal(accepted.length, 1, "the kept batch, once");
  await context.close();
});

test("a learner who hits the queue's cap loses nothing that fit", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await servePage(page, backend.url + "/cap.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-endpoint="/api" data-learner-id="l-c" data-course-id="c-c"
            data-registration-id="reg-cap" data-sco-id="s-1" data-commit-interval="0" data-queue-limit="300000"
            data-max-body-bytes="131072" data-headers="Authorization: Bearer ${backend.token("l-c", "reg-cap", "c-c")}"></script>
    <script>window.events = []; ScormShim.onEvent((e) => window.events.push(e));</script>`);
  await page.goto(backend.url + "/cap.html");
  await page.evaluate(() => ScormShim.ready);
  await context.setOffline(true);
  const r = await page.evaluate(() => {
    const a = window.API_1484_11;
    a.Initialize("");
    const accepted = [], refused = [];
    // A new 4,000-character comment each time: data that compaction cannot fold away.
    for (let i = 0; i < 100; i++) {
      a.SetValue(`cmi.comments_from_learner.${i}.comment`, String(i).padStart(4, "0").repeat(1000));
      a.SetValue("cmi.location", "after-" + i);
      if (a.Commit("") === "true") accepted.push(i); else refused.push([i, a.GetLastError(), a.GetDiagnostic("")]);
    }
    const s = ScormShim.queueStatus()["2004"];
    return { accepted, refused, bytes: s.bytes, limit: s.limit, full: window.events.filter((e) => e.type === "queueFull").length };
  });
  assert.ok(r.accepted.length >= 5 && r.refused.length > 0, JSON.stringify(r).slice(0, 300));
  assert.equal(r.refused[0][1], "391");
  assert.match(r.refused[0][2], /queueLimit/);
  assert.ok(r.full > 0, "queueFull events");
  assert.ok(r.bytes <= r.limit, `${r.bytes} <= ${r.limit}`);
  await context.setOffline(false);
  await page.waitForFunction(() => ScormShim.queueStatus()["2004"].pending === 0, null, { timeout: 30000 });
  const sco = (await (await fetch(backend.url + "/api/state?registration=reg-cap", { headers: backend.authHeaders("l-c", "reg-cap", "c-c") })).json()).scos["s-1"];
  // Every comment of a Commit that answered "true" arrived; the refused ones
  // stayed pending in the session and went with the next accepted Commit, if any.
  for (const i of r.accepted) assert.equal(sco[`cmi.comments_from_learner.${i}.comment`], String(i).padStart(4, "0").repeat(1000), `comment ${i} arrived`);
  assert.equal(sco["cmi.location"], "after-" + r.accepted[r.accepted.length - 1]);
  await context.close();
});

test("a value too large for the module is refused with an error code, and the API goes on", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await servePage(page, backend.url + "/huge.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-learner-id="l-h" data-registration-id="reg-h"></script>`);
  await page.goto(backend.url + "/huge.html");
  const r = await page.evaluate(() => {
    const a = window.API_1484_11, b = window.API;
    a.Initialize(""); b.LMSInitialize("");
    const huge = "x".repeat(20 * 1024 * 1024);
    const out = {
      set: a.SetValue("cmi.suspend_data", huge), err: a.GetLastError(),
      set12: b.LMSSetValue("cmi.suspend_data", huge), err12: b.LMSGetLastError(),
      hugeElement: a.SetValue("cmi." + huge, "1"), errElement: a.GetLastError(),
    };
    out.after = [a.SetValue("cmi.location", "fine"), a.GetValue("cmi.location"), a.Commit(""), a.Terminate("")];
    return out;
  });
  assert.deepEqual([r.set, r.err, r.set12, r.err12, r.hugeElement, r.errElement], ["false", "351", "false", "405", "false", "401"]);
  assert.deepEqual(r.after, ["true", "fine", "true", "true"]);
  await context.close();
});

for (const fault of ["test.fault.unreachable", "test.fault.stack"]) {
  test(`a fault in the module (${fault}): the call answers false with 101, a new instance takes over, nothing accepted is lost`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await servePage(page, test_backend.url + "/fault.html", "<!doctype html><title>fault</title>");
    await page.goto(test_backend.url + "/fault.html");
    const token = test_backend.token("l-f", "reg-f-" + fault, "course");
    const r = await page.evaluate(async ([fault, token]) => {
      const { load } = await import("/pkg/index.js");
      const shim = await load({ learnerId: "l-f", registrationId: "reg-f-" + fault, scoId: "s-f", endpoint: "/api", commitInterval: 0,
        headers: { Authorization: "Bearer " + token } });
      const events = [];
      shim.onEvent((e) => events.push(e.type));
      const a = window.API_1484_11;
      const out = { start: [a.Initialize(""), a.SetValue("cmi.location", "committed"), a.Commit(""), a.SetValue("cmi.suspend_data", "set, not committed")] };
      out.fault = [a.SetValue(fault, "x"), a.GetLastError(), a.GetDiagnostic("")];
      out.after = [a.GetValue("cmi.location"), a.GetValue("cmi.suspend_data"), a.GetLastError(), a.SetValue("cmi.score.scaled", "0.5"),
        a.Commit(""), a.Terminate("")];
      // Again: a second fault is handled the same way.
      out.second = [a.Initialize("") === "false" && a.GetLastError() === "104", a.SetValue(fault, "x"), a.GetLastError()];
      out.events = events;
      out.same = a === window.API_1484_11;
      // Everything committed reaches the backend, across the new instance.
      for (let i = 0; i < 200 && Object.values(shim.queueStatus()).some((q) => q.pending); i++) await new Promise((res) => setTimeout(res, 50));
      out.pending = Object.values(shim.queueStatus()).reduce((n, q) => n + q.pending, 0);
      return out;
    }, [fault, token]);
    assert.deepEqual(r.start, ["true", "true", "true", "true"]);
    assert.equal(r.fault[0], "false");
    assert.equal(r.fault[1], "101");
    assert.match(r.fault[2], /WebAssembly module failed/);
    assert.deepEqual(r.after, ["committed", "set, not committed", "0", "true", "true", "true"]);
    assert.equal(r.second[1], "false");
    assert.equal(r.second[2], "101");
    assert.ok(r.events.includes("recovered"), r.events.join(","));
    assert.equal(r.same, true);
    assert.equal(r.pending, 0);
    const sco = (await (await fetch(`${test_backend.url}/api/state?registration=reg-f-${fault}`,
      { headers: test_backend.authHeaders("l-f", "reg-f-" + fault, "course") })).json()).scos["s-f"];
    assert.deepEqual([sco["cmi.location"], sco["cmi.suspend_data"], sco["cmi.score.scaled"]], ["committed", "set, not committed", "0.5"]);
    await context.close();
  });
}

test("the classic script recovers from a fault with a new instance of its module", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Stand in for a trap at the module boundary: the next ioSet2004 after
  // window.failNext is set throws as a trapping instance would.
  await page.addInitScript(() => {
    const Real = WebAssembly.Instance;
    window.instances = 0;
    WebAssembly.Instance = function (module, imports) {
      const inst = new Real(module, imports);
      // (the classic script's decoder of its inlined module is an instance too: not counted)
      if (Object.keys(inst.exports).some((n) => /ioSet2004$/.test(n))) window.instances++;
      const exports = Object.assign({}, inst.exports);
      for (const name of Object.keys(inst.exports)) {
        if (/ioSet2004$/.test(name)) {
          exports[name] = function () {
            if (window.failNext) { window.failNext = false; throw new WebAssembly.RuntimeError("unreachable"); }
            return inst.exports[name].apply(this, arguments);
          };
        }
      }
      return { exports };
    };
  });
  await servePage(page, backend.url + "/classic-fault.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-learner-id="l-cf" data-registration-id="reg-cf"></script>`);
  await page.goto(backend.url + "/classic-fault.html");
  const r = await page.evaluate(() => {
    const a = window.API_1484_11;
    const out = [a.Initialize(""), a.SetValue("cmi.location", "one"), a.Commit(""), a.SetValue("cmi.suspend_data", "two")];
    window.failNext = true;
    out.push(a.SetValue("cmi.progress_measure", "0.5"), a.GetLastError());
    out.push(a.GetValue("cmi.location"), a.GetValue("cmi.suspend_data"), a.SetValue("cmi.progress_measure", "0.5"), a.Commit(""));
    return { out, instances: window.instances };
  });
  assert.deepEqual(r.out, ["true", "true", "true", "true", "false", "101", "one", "two", "true", "true"]);
  assert.equal(r.instances, 2, "a second instance of the module");
  await context.close();
});

test("two packages under one registration keep their own sequencing state", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const other = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="other-package" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>Other</title>
    <item identifier="X" identifierref="R"><title>X</title></item>
  </organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="x.html"/></resources>
</manifest>`;
  await page.route(backend.url + "/other/imsmanifest.xml", (route) => route.fulfill({ status: 200, contentType: "application/xml", body: other }));
  await servePage(page, backend.url + "/two.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-learner-id="l-two" data-course-id="c-two" data-registration-id="reg-two"></script>`);
  await page.goto(backend.url + "/two.html");
  const first = await page.evaluate(async () => {
    await ScormShim.ready;
    await ScormShim.course.open("/courses/sequenced/imsmanifest.xml");
    await ScormShim.course.navigate("start");
    const a = window.API_1484_11;
    a.Initialize(""); a.SetValue("adl.nav.request", "suspendAll"); a.Terminate("");
    await new Promise((resolve) => ScormShim.course.onDeliver(resolve));
    return Object.keys(localStorage).filter((k) => k.includes(":course:"));
  });
  assert.deepEqual(first, ["scorm-shim:l-two:c-two:reg-two:course:com.example.scorm-shim.sequenced"]);
  // Another package opened and played under the same registration ...
  await page.reload();
  await page.evaluate(async () => {
    await ScormShim.ready;
    await ScormShim.course.open("/other/imsmanifest.xml");
    await ScormShim.course.navigate("start");
    const a = window.API_1484_11;
    a.Initialize(""); a.Terminate("");
    await new Promise((r) => setTimeout(r, 50));
  });
  // ... leaves the first one's suspended session alone.
  await page.reload();
  const again = await page.evaluate(async () => {
    await ScormShim.ready;
    const info = await ScormShim.course.open("/courses/sequenced/imsmanifest.xml");
    return { canResume: info.canResume, keys: Object.keys(localStorage).filter((k) => k.includes(":course:")).sort() };
  });
  assert.equal(again.canResume, true);
  assert.deepEqual(again.keys, [
    "scorm-shim:l-two:c-two:reg-two:course:com.example.scorm-shim.sequenced",
    "scorm-shim:l-two:c-two:reg-two:course:other-package",
  ]);
  await context.close();
});
