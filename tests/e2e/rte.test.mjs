// End-to-end: the run-time-only build (pkg/scorm-shim-rte.js and the ES module
// entry pkg/rte/, cargo feature `course` off) in real Chromium against the
// reference backend: SCORM 1.2 and SCORM 2004 sessions reach the backend and
// resume from it; the package methods fail with an error naming the full build.
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

const NO_PACKAGES = /this build has no package support.*scorm-shim\.js/;

async function state(registration) {
  const res = await fetch(`${backend.url}/api/state?registration=${encodeURIComponent(registration)}`,
    { headers: backend.authHeaders("learner-rte", registration, "course-rte") });
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

/** An LMS page with the run-time-only classic script and an endpoint. */
async function openClassic(context, registration) {
  const page = await context.newPage();
  const url = `${backend.url}/rte-${registration}.html`;
  await servePage(page, url, `<!doctype html>
    <script src="/pkg/scorm-shim-rte.js" data-endpoint="/api" data-registration-id="${registration}"
            data-learner-id="learner-rte" data-course-id="course-rte" data-sco-id="sco-1" data-commit-interval="0"
            data-headers="Authorization: Bearer ${backend.token("learner-rte", registration, "course-rte")}"></script>
    <script>window.sync = { api: typeof window.API, api2004: typeof window.API_1484_11 };</script>`);
  await page.goto(url);
  await page.evaluate(() => ScormShim.ready);
  return page;
}

test("the run-time-only build is a separate, smaller module without the package exports", () => {
  const full = readFileSync(path.join(ROOT, "pkg/scorm-shim.js"));
  const rte = readFileSync(path.join(ROOT, "pkg/scorm-shim-rte.js"));
  assert.ok(rte.length < full.length * 0.8, `rte ${rte.length} bytes, full ${full.length}`);
  const fullGlue = readFileSync(path.join(ROOT, "pkg/scorm_shim.js"), "utf8");
  const rteGlue = readFileSync(path.join(ROOT, "pkg/rte/scorm_shim.js"), "utf8");
  assert.match(fullGlue, /openCourse/);
  assert.doesNotMatch(rteGlue, /openCourse|navState|courseTree/);
});

test("classic run-time-only script: a SCORM 1.2 session persists to the backend and resumes", async () => {
  const reg = "rte-12";
  const context = await browser.newContext();
  const page = await openClassic(context, reg);
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
  assert.equal(sco["cmi.core.lesson_status"], "incomplete");
  assert.equal(sco["cmi.suspend_data"], "state-12");
  await context.close();

  // Another device: the state comes from the backend.
  const other = await browser.newContext();
  const again = await openClassic(other, reg);
  const resumed = await again.evaluate(() => {
    const a = window.API;
    a.LMSInitialize("");
    return { entry: a.LMSGetValue("cmi.core.entry"), location: a.LMSGetValue("cmi.core.lesson_location"), data: a.LMSGetValue("cmi.suspend_data") };
  });
  assert.deepEqual(resumed, { entry: "resume", location: "slide-7", data: "state-12" });
  await other.close();
});

test("classic run-time-only script: a SCORM 2004 session persists to the backend; ScormShim.course fails clearly", async () => {
  const reg = "rte-2004";
  const context = await browser.newContext();
  const page = await openClassic(context, reg);
  const results = await page.evaluate(() => {
    const a = window.API_1484_11;
    return [
      a.Initialize(""),
      a.SetValue("cmi.location", "page-3"),
      a.SetValue("cmi.completion_status", "completed"),
      a.SetValue("cmi.score.scaled", "0.75"),
      a.SetValue("cmi.success_status", "passed"),
      a.SetValue("cmi.exit", "suspend"),
      a.Commit(""),
      a.Terminate(""),
    ];
  });
  assert.deepEqual(results, Array(8).fill("true"));
  await waitDrained(page, "ScormShim");
  const sco = (await state(reg)).scos["sco-1"];
  assert.equal(sco["cmi.location"], "page-3");
  assert.equal(sco["cmi.completion_status"], "completed");
  assert.equal(sco["cmi.success_status"], "passed");
  assert.equal(sco["cmi.score.scaled"], "0.75");

  const course = await page.evaluate(async () => {
    const open = await ScormShim.course.open("/course/imsmanifest.xml").then(() => "opened", (e) => e.message);
    let navState;
    try { ScormShim.course.navState(); navState = "answered"; } catch (e) { navState = e.message; }
    return { open, navState };
  });
  assert.match(course.open, NO_PACKAGES);
  assert.match(course.navState, NO_PACKAGES);
  await context.close();
});

test("ES module run-time-only entry (pkg/rte/): a SCORM 2004 session persists and resumes", async () => {
  const reg = "rte-esm";
  const page = await browser.newPage();
  const url = `${backend.url}/rte-esm.html`;
  await servePage(page, url, `<!doctype html>
    <script type="module">
      import { load } from "/pkg/rte/index.js";
      window.shim = await load({ endpoint: "/api", registrationId: "${reg}", learnerId: "learner-rte", courseId: "course-rte", scoId: "sco-1", commitInterval: "0",
        headers: { Authorization: "Bearer ${backend.token("learner-rte", reg, "course-rte")}" } });
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
  const open = await page.evaluate(() => window.shim.course.open("/x/imsmanifest.xml").then(() => "opened", (e) => e.message));
  assert.match(open, NO_PACKAGES);

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
