// End-to-end: pkg/scorm-shim.js included by a classic script tag, in real Chromium,
// served by the reference backend.
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

const METHODS_12 = ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"];
const METHODS_2004 = ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString", "GetDiagnostic"];

test("a plain script tag defines both API objects before the next inline script runs", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await servePage(page, backend.url + "/someone-elses-lms.html", `<!doctype html><title>LMS</title>
    <script src="/pkg/scorm-shim.js"></script>
    <script>
      window.seen = {
        api: typeof window.API,
        api2004: typeof window.API_1484_11,
        methods12: Object.keys(window.API || {}),
        methods2004: Object.keys(window.API_1484_11 || {}),
        ready: window.ScormShim && window.ScormShim.isReady,
        mode: window.ScormShim && window.ScormShim.mode,
        init: window.API_1484_11 && window.API_1484_11.Initialize(""),
        init12: window.API && window.API.LMSInitialize(""),
      };
    </script>`);
  await page.goto(backend.url + "/someone-elses-lms.html");
  const seen = await page.evaluate(() => window.seen);
  assert.deepEqual(errors, []);
  assert.equal(seen.api, "object");
  assert.equal(seen.api2004, "object");
  assert.deepEqual(seen.methods12.sort(), [...METHODS_12].sort());
  assert.deepEqual(seen.methods2004.sort(), [...METHODS_2004].sort());
  assert.equal(seen.ready, true);
  assert.equal(seen.mode, "sync");
  assert.equal(seen.init, "true");
  assert.equal(seen.init12, "true");
  await page.close();
});

test("data- attributes configure the shim; a bad key gets a console error naming it", async () => {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  await servePage(page, backend.url + "/configured.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-versions="1.2" data-learner-id="u-42" data-commit-interval="soon"></script>
    <script>window.seen = { api: typeof window.API, api2004: typeof window.API_1484_11, config: ScormShim.config() };</script>`);
  await page.goto(backend.url + "/configured.html");
  const seen = await page.evaluate(() => window.seen);
  assert.equal(seen.api, "object");
  assert.equal(seen.api2004, "undefined", "versions=1.2 exposes only window.API");
  assert.equal(seen.config.learnerId, "u-42");
  assert.equal(seen.config.commitInterval, "5000", "a bad value keeps the default");
  assert.ok(consoleErrors.some((t) => t.includes('"commitInterval"')), "console error names the key: " + consoleErrors.join(" | "));
  await page.close();
});

test("the asynchronous path: ScormShim.ready resolves with the API objects when sync compilation is refused", async () => {
  const page = await browser.newPage();
  // Simulate a browser that refuses synchronous compilation on the main thread.
  await page.addInitScript(() => {
    const Sync = WebAssembly.Module;
    WebAssembly.Module = function () { throw new RangeError("WebAssembly.Module(): Buffer size is larger than 4KB"); };
    WebAssembly.Module.prototype = Sync.prototype;
  });
  await servePage(page, backend.url + "/async.html", `<!doctype html>
    <script src="/pkg/scorm-shim.js"></script>
    <script>
      window.result = ScormShim.ready.then((s) => ({ mode: s.mode, api: typeof window.API_1484_11, init: window.API_1484_11.Initialize("") }));
    </script>`);
  await page.goto(backend.url + "/async.html");
  const r = await page.evaluate(() => window.result);
  assert.deepEqual(r, { mode: "async", api: "object", init: "true" });
  await page.close();
});

test("the ES module entry installs both APIs with load()", async () => {
  const page = await browser.newPage();
  await servePage(page, backend.url + "/esm.html", `<!doctype html>
    <script type="module">
      import { load } from "/pkg/index.js";
      const shim = await load({ learnerId: "esm" });
      window.result = { api: typeof window.API, api2004: typeof window.API_1484_11, init: shim.api2004.Initialize(""), learner: shim.config().learnerId };
    </script>`);
  await page.goto(backend.url + "/esm.html");
  await page.waitForFunction(() => window.result);
  assert.deepEqual(await page.evaluate(() => window.result), { api: "object", api2004: "object", init: "true", learner: "esm" });
  await page.close();
});

test("long values cross into wasm intact: ASCII, non-ASCII from the first or the last unit, surrogate pairs and lone surrogates", async () => {
  const page = await browser.newPage();
  await servePage(page, backend.url + "/long-values.html", `<!doctype html>
    <script>window.scormShimConfig = { learnerId: "long-values", registrationId: "long-values" };</script>
    <script src="/pkg/scorm-shim.js"></script>
    <script>
      API.LMSInitialize(""); API_1484_11.Initialize("");
      const values = {
        ascii: "a".repeat(5000),
        firstUnit: "\\u00e9" + "b".repeat(3000),
        lastUnit: "c".repeat(3000) + "\\u20ac",
        pairs: "d".repeat(1500) + "\\ud83d\\ude00".repeat(700) + "e",
        lone: "f".repeat(2000) + "\\ud800" + "g" + "\\udc00",
        shortThenLong: "h",
      };
      const utf8 = (s) => new TextDecoder().decode(new TextEncoder().encode(s));
      window.result = [];
      for (const [name, v] of Object.entries(values)) {
        const set = [API_1484_11.SetValue("cmi.suspend_data", v), API.LMSSetValue("cmi.suspend_data", v.slice(0, 4096))];
        // Another SetValue empties the installer's GetValue cache: the reads come from wasm.
        API_1484_11.SetValue("cmi.location", name); API.LMSSetValue("cmi.core.lesson_location", name);
        window.result.push([name, set, API_1484_11.GetValue("cmi.suspend_data") === utf8(v),
          API.LMSGetValue("cmi.suspend_data") === utf8(v.slice(0, 4096))]);
      }
    </script>`);
  await page.goto(backend.url + "/long-values.html");
  await page.waitForFunction(() => window.result);
  for (const [name, set, same2004, same12] of await page.evaluate(() => window.result)) {
    assert.deepEqual([set, same2004, same12], [["true", "true"], true, true], name);
  }
  await page.close();
});
