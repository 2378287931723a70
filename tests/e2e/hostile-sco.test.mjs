// Hostile content (issue 12, "beyond the list"): a SCO on the LMS page's
// origin that calls the API with every kind of argument, replaces the
// browser functions the shim uses, re-enters the API from inside a call,
// floods it, and tries to reconfigure it before it initializes. Nothing may
// crash or hang, no value that was accepted may be lost, and the API must
// answer the next honest call as before.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser, servePage } from "./harness.mjs";

let backend, browser;
before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
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
    try { ${sco} } catch (e) { window.out.threw = String(e); }
    window.done = true;
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
