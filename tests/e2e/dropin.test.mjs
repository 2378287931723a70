// End-to-end: the drop-in carries the run-time module only, and the course
// engine (manifest parser and sequencer, pkg/course/) loads on the first
// ScormShim.course.open(), by streaming compilation, from beside the script
// wherever it was copied to; the course engine's shim takes over the page's
// state (configuration, commit queue) behind the same API objects. The former
// run-time-only names (pkg/scorm-shim-rte.js, pkg/rte/) are aliases.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, startBackend, launchBrowser, servePage } from "./harness.mjs";

let backend, browser;
before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

const MANIFEST = "/courses/sequenced/imsmanifest.xml";

async function state(registration) {
  const res = await fetch(`${backend.url}/api/state?registration=${encodeURIComponent(registration)}`,
    { headers: backend.authHeaders("learner-dropin", registration, "course-dropin") });
  assert.equal(res.status, 200);
  return res.json();
}

/** Wait until the shim's commit queue is empty (`queueStatus` of `ScormShim` or of the ES handle). */
async function waitDrained(page, expr) {
  await page.waitForFunction((expr) => {
    const s = (0, eval)(expr).queueStatus();
    return s && Object.values(s).every((q) => q.pending === 0 && q.failed.length === 0);
  }, expr, { timeout: 30000, polling: 100 });
}

/** Record every response WebAssembly.instantiateStreaming compiles, and every request. */
async function watch(page) {
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.addInitScript(() => {
    window.streamed = [];
    const own = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = function (source, imports) {
      Promise.resolve(source).then((r) => window.streamed.push(r.url), () => {});
      return own.call(this, source, imports);
    };
  });
  return requests;
}

/** An LMS page with the classic drop-in (`script`) and an endpoint. */
async function openClassic(context, registration, script = "/pkg/scorm-shim.js") {
  const page = await context.newPage();
  const requests = await watch(page);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const url = `${backend.url}/dropin-${registration}.html`;
  await servePage(page, url, `<!doctype html>
    <script src="${script}" data-endpoint="/api" data-registration-id="${registration}"
            data-learner-id="learner-dropin" data-course-id="course-dropin" data-sco-id="sco-1" data-commit-interval="0"
            data-headers="Authorization: Bearer ${backend.token("learner-dropin", registration, "course-dropin")}"></script>
    <script>window.sync = { api: typeof window.API, api2004: typeof window.API_1484_11 };</script>`);
  await page.goto(url);
  await page.evaluate(() => ScormShim.ready);
  return { page, requests, errors };
}

test("the drop-in carries the run-time module; the course engine is pkg/course/; the run-time-only names are aliases", () => {
  const read = (f) => readFileSync(path.join(ROOT, "pkg", f));
  assert.doesNotMatch(read("scorm_shim.js").toString(), /openCourse|navState|courseTree/);
  assert.match(read("course/scorm_shim.js").toString(), /openCourse/);
  assert.match(read("course/scorm_shim.js").toString(), /takeOver/);
  assert.ok(read("scorm_shim_bg.wasm").length < read("course/scorm_shim_bg.wasm").length * 0.7);
  assert.ok(read("scorm-shim.js").equals(read("scorm-shim-rte.js")), "scorm-shim-rte.js is a copy of scorm-shim.js");
  assert.match(read("rte/index.js").toString(), /export \* from "\.\.\/index\.js"/);
});

test("classic (alias scorm-shim-rte.js): a SCORM 1.2 session persists to the backend and resumes; no course engine is loaded", async () => {
  const reg = "dropin-12";
  const context = await browser.newContext();
  const { page, requests, errors } = await openClassic(context, reg, "/pkg/scorm-shim-rte.js");
  assert.deepEqual(await page.evaluate(() => window.sync), { api: "object", api2004: "object" });
  const results = await page.evaluate(() => {
    const a = window.API;
    return [
      a.LMSInitialize(""),
      a.LMSSetValue("cmi.core.lesson_location", "slide-7"),
      a.LMSSetValue("cmi.core.lesson_status", "incomplete"),
      a.LMSSetValue("cmi.suspend_data", "state-12"),
      a.LMSSetValue("cmi.core.exit", "suspend"),
      a.LMSCommit(""),
      a.LMSFinish(""),
    ];
  });
  assert.deepEqual(results, Array(7).fill("true"));
  await waitDrained(page, "ScormShim");
  const sco = (await state(reg)).scos["sco-1"];
  assert.equal(sco["cmi.core.lesson_location"], "slide-7");
  assert.equal(sco["cmi.suspend_data"], "state-12");
  assert.deepEqual(requests.filter((u) => u.includes("/course/")), [], "a page that opens no package never loads the engine");
  assert.deepEqual(errors, []);
  await context.close();

  const other = await browser.newContext();
  const again = await openClassic(other, reg);
  const resumed = await again.page.evaluate(() => {
    const a = window.API;
    a.LMSInitialize("");
    return { entry: a.LMSGetValue("cmi.core.entry"), location: a.LMSGetValue("cmi.core.lesson_location"), data: a.LMSGetValue("cmi.suspend_data") };
  });
  assert.deepEqual(resumed, { entry: "resume", location: "slide-7", data: "state-12" });
  await other.close();
});

test("classic: before a package the course methods answer as without one; open() during a SCO session is refused; then the engine loads by streaming and takes over", async () => {
  const reg = "dropin-2004";
  const context = await browser.newContext();
  const { page, requests, errors } = await openClassic(context, reg);
  const before = await page.evaluate(async () => ({
    navState: ScormShim.course.navState(),
    tree: ScormShim.course.tree(),
    navigate: await ScormShim.course.navigate("start"),
  }));
  assert.deepEqual(before, { navState: null, tree: null, navigate: { type: "error", id: "NB.2.1-2", message: "No course is open" } });

  const during = await page.evaluate(async (manifest) => {
    const a = window.API_1484_11;
    const out = [a.Initialize(""), a.SetValue("cmi.location", "page-3"), a.SetValue("cmi.completion_status", "completed")];
    out.push(await ScormShim.course.open(manifest).then(() => "opened", (e) => e.message));
    out.push(a.GetValue("cmi.location"), a.SetValue("cmi.exit", "suspend"), a.Commit(""), a.Terminate(""));
    return out;
  }, MANIFEST);
  assert.deepEqual(during.slice(0, 3), ["true", "true", "true"], JSON.stringify(during));
  assert.match(during[3], /while a SCO session is running/);
  assert.deepEqual(during.slice(4), ["page-3", "true", "true", "true"]);
  await waitDrained(page, "ScormShim");
  assert.equal((await state(reg)).scos["sco-1"]["cmi.location"], "page-3");

  const opened = await page.evaluate(async (manifest) => {
    const api = window.API_1484_11;
    const info = await ScormShim.course.open(manifest);
    const view = await ScormShim.course.navigate("start");
    return {
      identifier: info.identifier,
      view: { type: view.type, activityId: view.activityId },
      sameObject: api === window.API_1484_11 && api === ScormShim.api2004,
      oneApi: typeof window.API,
      valid: [api.Initialize(""), api.GetValue("adl.nav.request_valid.continue"), api.GetValue("adl.nav.request_valid.previous"),
        api.GetValue("cmi.launch_data"), api.Terminate("")],
      streamed: window.streamed,
    };
  }, MANIFEST);
  assert.equal(opened.identifier, "com.example.scorm-shim.sequenced");
  assert.deepEqual(opened.view, { type: "launch", activityId: "L1" });
  assert.equal(opened.sameObject, true);
  assert.equal(opened.oneApi, "undefined", "a SCORM 2004 package exposes window.API_1484_11 only");
  assert.deepEqual(opened.valid, ["true", "true", "false", "lesson=1", "true"]);
  assert.deepEqual(opened.streamed, [backend.url + "/pkg/course/scorm_shim_bg.wasm"]);
  assert.equal(requests.filter((u) => u.endsWith("/pkg/course/scorm_shim.js")).length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the commit queue goes over to the course engine: a batch waiting for its retry arrives once, and events keep coming", async () => {
  const reg = "dropin-queue";
  const context = await browser.newContext();
  const { page, errors } = await openClassic(context, reg);
  // The backend is unreachable: the batch waits for a retry.
  await page.route("**/api/batches**", (route) => route.abort());
  await page.evaluate(() => {
    window.events = [];
    ScormShim.onEvent((e) => window.events.push(e.type));
    const a = window.API_1484_11;
    a.Initialize("");
    a.SetValue("cmi.location", "before-open");
    a.SetValue("cmi.exit", "suspend");
    a.Terminate("");
  });
  await page.waitForFunction(() => window.events.includes("retrying"));
  const pending = await page.evaluate(() => ScormShim.queueStatus()["2004"].pending);
  assert.equal(pending, 1);
  await page.evaluate((m) => ScormShim.course.open(m), MANIFEST);
  await page.unroute("**/api/batches**");
  await waitDrained(page, "ScormShim");
  assert.equal((await state(reg)).scos["sco-1"]["cmi.location"], "before-open");
  const events = await page.evaluate(() => window.events);
  assert.ok(events.includes("acknowledged"), JSON.stringify(events));
  // The course engine's shim goes on with the same queue: the backend got one batch.
  assert.equal((await state(reg)).last_seq, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("copied to a CDN path on another origin, the classic script and the ES module find the course engine beside themselves", async () => {
  const CDN = "http://cdn.example.test/lib/scorm-shim/0.1.0/";
  const context = await browser.newContext();
  const served = [];
  await context.route(CDN + "**", (route) => {
    const rel = route.request().url().slice(CDN.length).split("?")[0];
    served.push(rel);
    const file = path.join(ROOT, "pkg", rel);
    const type = rel.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    route.fulfill({ status: 200, path: file, headers: { "Content-Type": type, "Access-Control-Allow-Origin": "*" } });
  });
  for (const kind of ["classic", "module"]) {
    const page = await context.newPage();
    await watch(page);
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const url = `${backend.url}/cdn-${kind}.html`;
    await servePage(page, url, kind === "classic"
      ? `<!doctype html><script src="${CDN}scorm-shim.js" data-registration-id="cdn-classic"></script>
         <script>window.handle = ScormShim;</script>`
      : `<!doctype html><script type="module">
           import { load } from "${CDN}rte/index.js";
           window.handle = await load({ registrationId: "cdn-module" });
         </script>`);
    await page.goto(url);
    await page.waitForFunction(() => window.handle && window.handle.api2004);
    const result = await page.evaluate(async (m) => {
      const info = await window.handle.course.open(m);
      const view = await window.handle.course.navigate("start");
      return { title: info.title, view: view.type, url: view.url, streamed: window.streamed };
    }, MANIFEST);
    assert.equal(result.view, "launch", kind);
    assert.equal(result.url, backend.url + "/courses/sequenced/sco.html", kind);
    assert.deepEqual(result.streamed.filter((u) => u.includes("/course/")), [CDN + "course/scorm_shim_bg.wasm"], kind);
    assert.deepEqual(errors, [], kind);
    await page.close();
  }
  assert.ok(served.includes("course/scorm_shim.js") && served.includes("course/scorm_shim_bg.wasm"), served.join(" "));
  await context.close();
});

test("an engine that cannot be loaded fails open() clearly; the API objects keep working and the next open() tries again", async () => {
  const context = await browser.newContext();
  const { page } = await openClassic(context, "dropin-missing");
  await page.route("**/pkg/course/**", (route) => route.fulfill({ status: 404, body: "gone" }));
  const first = await page.evaluate((m) => ScormShim.course.open(m).then(() => "opened", (e) => e.message), MANIFEST);
  assert.match(first, /course engine could not be loaded from .*\/pkg\/course\/scorm_shim\.js/);
  const api = await page.evaluate(() => {
    const a = window.API_1484_11;
    return [a.Initialize(""), a.SetValue("cmi.location", "x"), a.GetValue("cmi.location"), a.Terminate("")];
  });
  assert.deepEqual(api, ["true", "true", "x", "true"]);
  await page.unroute("**/pkg/course/**");
  const second = await page.evaluate((m) => ScormShim.course.open(m).then((i) => i.identifier, (e) => e.message), MANIFEST);
  assert.equal(second, "com.example.scorm-shim.sequenced");
  await context.close();
});

test("ES module (alias pkg/rte/): a SCORM 2004 session persists and resumes; course.open loads the engine relative to the module", async () => {
  const reg = "dropin-esm";
  const page = await browser.newPage();
  await watch(page);
  const url = `${backend.url}/dropin-esm.html`;
  await servePage(page, url, `<!doctype html>
    <script type="module">
      import { load } from "/pkg/rte/index.js";
      window.shim = await load({ endpoint: "/api", registrationId: "${reg}", learnerId: "learner-dropin", courseId: "course-dropin", scoId: "sco-1", commitInterval: "0",
        headers: { Authorization: "Bearer ${backend.token("learner-dropin", reg, "course-dropin")}" } });
      window.loaded = true;
    </script>`);
  await page.goto(url);
  await page.waitForFunction(() => window.loaded);
  const results = await page.evaluate(() => {
    const a = window.API_1484_11;
    return [a.Initialize(""), a.SetValue("cmi.location", "esm-1"), a.SetValue("cmi.exit", "suspend"), a.Terminate("")];
  });
  assert.deepEqual(results, ["true", "true", "true", "true"]);
  await waitDrained(page, "window.shim");
  assert.equal((await state(reg)).scos["sco-1"]["cmi.location"], "esm-1");
  const opened = await page.evaluate((m) => window.shim.course.open(m).then((i) => ({ id: i.identifier, streamed: window.streamed })), MANIFEST);
  // The entry's own module streams too; the course engine comes from beside it.
  assert.deepEqual(opened, { id: "com.example.scorm-shim.sequenced",
    streamed: [backend.url + "/pkg/scorm_shim_bg.wasm", backend.url + "/pkg/course/scorm_shim_bg.wasm"] });

  await page.reload();
  await page.waitForFunction(() => window.loaded);
  const resumed = await page.evaluate(() => {
    const a = window.API_1484_11;
    a.Initialize("");
    return { entry: a.GetValue("cmi.entry"), location: a.GetValue("cmi.location") };
  });
  assert.deepEqual(resumed, { entry: "resume", location: "esm-1" });
  await page.close();
});
