// Hostile content (issue 12, "beyond the list"): a SCO on the LMS page's
// origin that calls the API with every kind of argument, replaces the
// browser functions the shim uses, re-enters the API from inside a call,
// floods it, and tries to reconfigure it before it initializes. Nothing may
// crash or hang, no value that was accepted may be lost, and the API must
// answer the next honest call as before.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser, servePage } from "./harness.mjs";

let backend, testBackend, browser;
before(async () => {
  backend = await startBackend();
  testBackend = await startBackend([], "target/pkg-test"); // with the test-only fault elements
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
  await testBackend?.stop();
});

/**
 * An LMS page with the drop-in and a same-origin SCO frame running `sco`
 * (it gets `API` = window.parent.API_1484_11 and `API12` = window.parent.API);
 * resolves when both are loaded.
 */
async function lms(context, { sco = "", reg = "reg-h", learner = "l-h" } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.errors = errors;
  const token = backend.token(learner, reg, "c-h");
  await servePage(page, backend.url + "/lms.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-endpoint="/api" data-learner-id="${learner}" data-course-id="c-h"
            data-registration-id="${reg}" data-sco-id="s-h" data-commit-interval="0"
            data-headers="Authorization: Bearer ${token}"></script>
    <script>ScormShim.ready.then(() => { document.getElementById("sco").src = "/sco.html"; });</script>
    <iframe id="sco"></iframe>`);
  await servePage(page, backend.url + "/sco.html", `<!doctype html><script>
    const API = window.parent.API_1484_11, API12 = window.parent.API;
    window.out = {};
    (async () => {
      try { ${sco} } catch (e) { window.out.threw = String(e); }
      window.done = true;
    })();
  </script>`);
  await page.goto(backend.url + "/lms.html");
  await page.waitForFunction(() => document.getElementById("sco").contentWindow.done === true);
  return page;
}

const sco = (page) => page.evaluate(() => document.getElementById("sco").contentWindow.out);

/** The backend's state of registration `reg` (SCO s-h). */
async function stored(reg, learner = "l-h") {
  const res = await fetch(`${backend.url}/api/state?registration=${reg}`, { headers: backend.authHeaders(learner, reg, "c-h") });
  return ((await res.json()).scos || {})["s-h"] || {};
}

/** Wait until the page's queue has nothing pending. */
async function drained(page) {
  await page.waitForFunction(() => Object.values(ScormShim.queueStatus()).every((q) => q.pending === 0), null, { timeout: 20000 });
}

test("a SCO that re-enters the API from a browser function the module calls cannot break it", async () => {
  const context = await browser.newContext();
  const page = await lms(context, {
    reg: "reg-reenter",
    sco: `
      const P = window.parent;
      API.Initialize("");
      // localStorage, console and Date.now are called from inside the module:
      // each replacement calls the API again while the outer call runs.
      const setItem = P.Storage.prototype.setItem, error = P.console.error, now = P.Date.now;
      const nested = [];
      P.Storage.prototype.setItem = function (k, v) { nested.push(API.SetValue("cmi.location", "nested"), API.GetLastError()); return setItem.call(this, k, v); };
      P.console.error = function () { nested.push(API.GetValue("cmi.location")); return error.apply(this, arguments); };
      P.Date.now = function () { nested.push(API.Commit("")); return now.call(this); };
      out.calls = [API.SetValue("cmi.suspend_data", "outer"), API.SetValue("cmi.location", "x".repeat(1001)), API.GetLastError(),
        API.Commit(""), API.GetLastError()];
      P.Storage.prototype.setItem = setItem; P.console.error = error; P.Date.now = now;
      out.nested = nested;
      out.after = [API.SetValue("cmi.location", "honest"), API.GetValue("cmi.location"), API.GetValue("cmi.suspend_data"),
        API.Commit(""), API.GetLastError(), API.Terminate("")];`,
  });
  const r = await sco(page);
  assert.equal(r.threw, undefined, r.threw);
  // The outer calls did what they would have done alone.
  assert.deepEqual(r.calls, ["true", "false", "351", "true", "0"]);
  // Every nested call answered without entering the module, and changed nothing.
  assert.ok(r.nested.length > 0, "the replaced functions were called");
  for (const v of r.nested) assert.ok(["false", "", "101"].includes(v), JSON.stringify(r.nested));
  assert.deepEqual(r.after, ["true", "honest", "outer", "true", "0", "true"]);
  const events = await page.evaluate(() => ScormShim.queueStatus());
  assert.ok(events["2004"], "the queue is still there");
  await drained(page);
  const s = await stored("reg-reenter");
  assert.deepEqual([s["cmi.location"], s["cmi.suspend_data"]], ["honest", "outer"]);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("a SCO cannot reconfigure the shim before its first Initialize either", async () => {
  const context = await browser.newContext();
  const page = await lms(context, {
    reg: "reg-preinit",
    sco: `
      const attempts = [{ learnerId: "attacker" }, { registrationId: "reg-other" }, { endpoint: "http://127.0.0.2:9/api" },
        { storagePrefix: "x" }, { credit: "no-credit" }];
      out.configure = attempts.map((c) => { try { window.parent.ScormShim.configure(c); return "changed"; } catch (e) { return e.message; } });
      out.config = window.parent.ScormShim.config();
      out.run = [API.Initialize(""), API.GetValue("cmi.learner_id"), API.GetValue("cmi.credit"), API.SetValue("cmi.location", "mine"),
        API.Commit(""), API.Terminate("")];`,
  });
  const r = await sco(page);
  for (const m of r.configure) assert.match(m, /configuration is frozen once ScormShim.ready has resolved/);
  assert.deepEqual([r.config.learnerId, r.config.registrationId, r.config.endpoint, r.config.storagePrefix, r.config.credit],
    ["l-h", "reg-preinit", "/api", "scorm-shim", "credit"]);
  assert.deepEqual(r.run, ["true", "l-h", "credit", "true", "true", "true"]);
  await drained(page);
  assert.equal((await stored("reg-preinit"))["cmi.location"], "mine");
  await context.close();
});

test("content cannot swap the package being played for another one", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await servePage(page, backend.url + "/player.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-learner-id="l-swap" data-course-id="c-swap" data-registration-id="reg-swap"></script>`);
  await page.goto(backend.url + "/player.html");
  const r = await page.evaluate(async () => {
    await ScormShim.ready;
    const first = await ScormShim.course.open("/courses/sequenced/imsmanifest.xml");
    const view = await ScormShim.course.navigate("start");
    // The delivered SCO, as content would: end its session, then open another package.
    const a = window.API_1484_11;
    const run = [a.Initialize(""), a.Terminate("")];
    const swap = await ScormShim.course.open("/courses/multisco12/imsmanifest.xml").then((i) => "opened " + i.identifier, (e) => String(e && e.message || e));
    const tree = ScormShim.course.tree();
    return { first: first.identifier, view: view.type, run, swap, tree: tree.id || tree.identifier };
  });
  assert.equal(r.view, "launch");
  assert.deepEqual(r.run, ["true", "true"]);
  assert.match(r.swap, /a package is being played on this page/);
  assert.equal(r.tree, "ORG", "the first package's tree is still the one in play");
  await context.close();
});

test("after a fault, the new instance stays frozen: no reconfiguration, no other package", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await servePage(page, testBackend.url + "/es.html", "<!doctype html><title>es</title>");
  await page.goto(testBackend.url + "/es.html");
  const r = await page.evaluate(async () => {
    const { load } = await import("/pkg/index.js");
    const shim = await load({ learnerId: "l-fz", courseId: "c-fz", registrationId: "reg-fz" });
    await shim.course.open("/courses/sequenced/imsmanifest.xml");
    await shim.course.navigate("start");
    const a = window.API_1484_11;
    const run = [a.Initialize(""), a.Terminate(""), a.SetValue("test.fault.unreachable", "x"), a.GetLastError()];
    const configure = (() => { try { shim.configure({ learnerId: "attacker" }); return "changed"; } catch (e) { return String(e.message || e); } })();
    const open = await shim.course.open("/courses/multisco12/imsmanifest.xml").then(() => "opened", (e) => String(e && e.message || e));
    return { run, configure, open, learner: shim.config().learnerId };
  });
  assert.deepEqual(r.run, ["true", "true", "false", "101"]);
  assert.match(r.configure, /frozen once content has been launched/);
  assert.match(r.open, /a package is being played/);
  assert.equal(r.learner, "l-fz");
  await context.close();
});

test("content that runs before ready cannot send the page's token to an endpoint of its choosing", async () => {
  // A page that launches content early (an inline frame, against README's
  // advice): the content calls configure({endpoint}) before the transport
  // starts. The credentials stay with the endpoint they were given with.
  const context = await browser.newContext();
  const page = await context.newPage();
  const token = backend.token("l-early", "reg-early", "c-h");
  const seen = [];
  page.on("request", (req) => seen.push({ url: req.url(), auth: req.headers().authorization || "" }));
  await servePage(page, backend.url + "/early.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-endpoint="/api" data-learner-id="l-early" data-course-id="c-h"
            data-registration-id="reg-early" data-headers="Authorization: Bearer ${token}"></script>
    <script>
      // What an early SCO does through window.parent.ScormShim:
      window.early = ScormShim.configure({ endpoint: "http://127.0.0.2:9/steal" });
    </script>`);
  await page.goto(backend.url + "/early.html");
  const r = await page.evaluate(async () => {
    await Promise.race([ScormShim.ready, new Promise((res) => setTimeout(res, 5000))]);
    const a = window.API_1484_11;
    const run = [a.Initialize(""), a.SetValue("cmi.location", "x"), a.Commit("")];
    await new Promise((res) => setTimeout(res, 500));
    return { early: window.early, run, endpoint: ScormShim.config().endpoint };
  });
  assert.equal(r.endpoint, "http://127.0.0.2:9/steal", "the early call was taken (the configuration was not frozen yet)");
  const leaked = seen.filter((s) => s.auth.includes(token) && !s.url.startsWith(backend.url + "/api/"));
  assert.deepEqual(leaked, [], "the token went to " + leaked.map((s) => s.url).join(", "));
  assert.ok(r.early.some((m) => /headers given for the old one were dropped/.test(m)), JSON.stringify(r.early));
  assert.ok(seen.some((s) => s.url.startsWith("http://127.0.0.2:9/steal")), "the content's endpoint was asked, without the token");
  await context.close();
});

test("arguments of every kind: huge, binary, non-string, lone surrogates, prototype names; nothing throws, nothing is lost", async () => {
  const context = await browser.newContext();
  const page = await lms(context, {
    reg: "reg-args",
    sco: `
      API.Initialize("");
      API.SetValue("cmi.location", "kept");
      API.Commit("");
      const calls = [];
      const tryCall = (label, f) => { try { const v = f(); calls.push([label, typeof v, v === "true" || v === "false" ? v : String(v).length]); } catch (e) { calls.push([label, "threw", String(e)]); } };
      const args = {
        huge: "x".repeat(8 << 20), nul: "a\\u0000b", ffff: "\\uFFFF\\uFFFE", lone: "\\uD800", loneLow: "x\\uDC00y",
        num: 12.5, neg0: -0, nan: NaN, bool: true, nil: null, undef: undefined, arr: ["a", "b"], obj: { a: 1 },
        sym: Symbol("s"), big: 10n, date: new Date(0), fn: function f() {},
        throwing: { toString() { throw new Error("boom"); } }, nonString: { toString() { return {}; }, valueOf() { return {}; } },
        reentrant: { toString() { return API.SetValue("cmi.location", "from toString") + "-x"; } },
      };
      const names = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf", "cmi.__proto__", "cmi.constructor",
        "cmi.interactions.__proto__.id", "cmi.interactions.constructor.id", "cmi.objectives.0.__proto__", "cmi.suspend_data.__proto__",
        "adl.data.__proto__", "cmi.interactions._count", "cmi.interactions.99999999999999999999.id", "cmi.interactions.-1.id",
        "cmi.interactions.1e3.id", "cmi..location", "cmi.location.", " cmi.location", "CMI.LOCATION", "cmi.location\\u0000"];
      // A value that is no string: refused with 201, nothing changed.
      out.bad = [API.SetValue("cmi.location", args.throwing), API.GetLastError(), API.GetDiagnostic(""),
        API.SetValue(args.nonString, "x"), API.GetLastError(), API.GetValue("cmi.location"), API.GetLastError(),
        API12.LMSGetValue(args.throwing), API12.LMSGetLastError()];
      for (const [k, v] of Object.entries(args)) {
        tryCall("SetValue location " + k, () => API.SetValue("cmi.location", v));
        tryCall("SetValue suspend " + k, () => API.SetValue("cmi.suspend_data", v));
        tryCall("GetValue " + k, () => API.GetValue(v));
        tryCall("Initialize " + k, () => API.Initialize(v));
        tryCall("Commit " + k, () => API.Commit(v));
        tryCall("GetErrorString " + k, () => API.GetErrorString(v));
        tryCall("GetDiagnostic " + k, () => API.GetDiagnostic(v));
        tryCall("1.2 LMSSetValue " + k, () => API12.LMSSetValue("cmi.core.lesson_location", v));
      }
      for (const n of names) {
        tryCall("SetValue " + n, () => API.SetValue(n, "p"));
        tryCall("GetValue " + n, () => API.GetValue(n));
      }
      tryCall("no arguments", () => API.SetValue());
      tryCall("too many", () => API.SetValue("cmi.location", "a", "b", "c"));
      tryCall("called as a function", () => { const s = API.SetValue; return s("cmi.location", "unbound"); });
      tryCall("called on another this", () => API.GetValue.call({}, "cmi.location"));
      out.calls = calls;
      out.protoIntact = Object.prototype.p === undefined && ({}).__proto__ === Object.prototype;
      out.after = [API.SetValue("cmi.location", "final"), API.GetValue("cmi.location"), API.Commit(""), API.GetLastError(), API.Terminate("")];`,
  });
  const r = await sco(page);
  assert.equal(r.threw, undefined, r.threw);
  assert.deepEqual([r.bad[0], r.bad[1], r.bad[3], r.bad[4], r.bad[5], r.bad[6], r.bad[7], r.bad[8]],
    ["false", "201", "false", "201", "kept", "0", "", "201"]);
  assert.match(r.bad[2], /could not be converted to a string/);
  const threw = r.calls.filter((c) => c[1] === "threw");
  assert.deepEqual(threw, [], "API calls threw: " + JSON.stringify(threw).slice(0, 2000));
  for (const c of r.calls) assert.ok(c[1] === "string", JSON.stringify(c));
  assert.equal(r.protoIntact, true);
  assert.deepEqual(r.after, ["true", "final", "true", "0", "true"]);
  await drained(page);
  assert.equal((await stored("reg-args"))["cmi.location"], "final");
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("a flood of calls, commits and maximal values stays bounded and delivers the last value", async () => {
  const context = await browser.newContext();
  const page = await lms(context, {
    reg: "reg-flood",
    sco: `
      API.Initialize("");
      const big = "s".repeat(64000);
      let falses = 0, thrown = 0;
      for (let i = 0; i < 30000; i++) {
        try { if (API.SetValue("cmi.location", "v" + i) !== "true") falses++; } catch (e) { thrown++; }
      }
      for (let i = 0; i < 60; i++) {
        try {
          API.SetValue("cmi.suspend_data", big.slice(i) + i);
          API.SetValue("cmi.interactions." + i + ".id", "q" + i);
          API.Commit("");
        } catch (e) { thrown++; }
      }
      out.falses = falses; out.thrown = thrown;
      out.count = API.GetValue("cmi.interactions._count");
      out.end = [API.SetValue("cmi.location", "last"), API.Commit(""), API.Terminate("")];
      out.localBytes = Object.keys(window.parent.localStorage).reduce((n, k) => n + k.length + (window.parent.localStorage.getItem(k) || "").length, 0);`,
  });
  const r = await sco(page);
  assert.equal(r.threw, undefined, r.threw);
  assert.deepEqual([r.falses, r.thrown], [0, 0]);
  assert.equal(r.count, "60");
  assert.deepEqual(r.end, ["true", "true", "true"]);
  // localStorage holds at most the queue's cap (README, "Limits"), far below the 5 MB quota.
  assert.ok(r.localBytes < 5_000_000, "local data: " + r.localBytes + " characters");
  await drained(page);
  const s = await stored("reg-flood");
  assert.equal(s["cmi.location"], "last");
  assert.equal(s["cmi.suspend_data"], "s".repeat(64000 - 59) + "59");
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("content that tampers with another learner's local data cannot break that learner's next launch", async () => {
  const context = await browser.newContext();
  // The victim's session on this device: committed, delivered, and a value left in the local queue.
  let page = await lms(context, {
    reg: "reg-victim", learner: "l-victim",
    sco: `API.Initialize(""); API.SetValue("cmi.location", "victim-1"); API.SetValue("cmi.suspend_data", "victim-data"); API.Commit("");`,
  });
  await drained(page);
  await page.close();
  // Another learner's SCO on the same origin rewrites every stored record of the device.
  page = await lms(context, {
    reg: "reg-attacker", learner: "l-attacker",
    sco: `
      const ls = window.parent.localStorage;
      const keys = Object.keys(ls);
      out.victimKeys = keys.filter((k) => k.includes("l-victim")).length;
      const junk = ["", "{", "null", "[]", '{"v":1}', "\\uD800", "x".repeat(100000), JSON.stringify({ batches: [{ seq: -1, changes: [["cmi.location", 5]] }] })];
      keys.forEach((k, i) => ls.setItem(k, junk[i % junk.length]));
      out.idb = await new Promise((resolve) => {
        const req = window.parent.indexedDB.open("scorm-shim");
        req.onerror = () => resolve("no db");
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("records")) { resolve("no store"); return; }
          const tx = db.transaction("records", "readwrite");
          const st = tx.objectStore("records");
          const all = st.getAllKeys();
          all.onsuccess = () => {
            all.result.forEach((k, i) => st.put(i % 2 ? { not: "a record" } : 12345, k));
            st.put("garbage", "scorm-shim:forged");
          };
          tx.oncomplete = () => resolve(all.result.length);
          tx.onerror = () => resolve("tx error");
        };
      });`,
  });
  const t = await sco(page);
  assert.ok(t.victimKeys > 0, "the victim had local records");
  assert.ok(typeof t.idb === "number" && t.idb > 0, "the durable copy had records: " + t.idb);
  await page.close();
  // The victim launches again: the API works, the backend's state is resumed, new data arrives.
  page = await lms(context, {
    reg: "reg-victim", learner: "l-victim",
    sco: `out.run = [API.Initialize(""), API.GetValue("cmi.location"), API.GetValue("cmi.suspend_data"),
      API.SetValue("cmi.location", "victim-2"), API.Commit(""), API.Terminate("")];`,
  });
  const r = await sco(page);
  assert.equal(r.threw, undefined, r.threw);
  assert.deepEqual(r.run, ["true", "victim-1", "victim-data", "true", "true", "true"]);
  await drained(page);
  const s = await stored("reg-victim", "l-victim");
  assert.deepEqual([s["cmi.location"], s["cmi.suspend_data"]], ["victim-2", "victim-data"]);
  assert.deepEqual(page.errors, []);
  await context.close();
});
