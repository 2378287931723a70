// End-to-end: the course player opens a SCORM 2004 package by URL, the
// sequencer delivers its activities, SCOs navigate with adl.nav.request, the
// table of contents follows the look-ahead, and a suspended course resumes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";

let backend, browser;
before(async () => {
  // www/course.html does not send launch tokens yet: this backend runs
  // without authentication (--insecure-no-auth) until it does.
  backend = await startBackend([], "pkg", { auth: false });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

// The SCO page marks itself with its cmi.launch_data (adlcp:dataFromLMS of the item).
const LAUNCH_DATA = { L1: "lesson=1", L2: "lesson=2", QUIZ: "quiz" };
const activity = (page, id) =>
  page.waitForFunction(([want, data]) => {
    if (document.documentElement.dataset.activity !== want) return false;
    const d = document.getElementById("content").contentDocument;
    return !!d && !!d.documentElement && d.documentElement.dataset.activity === data && d.readyState === "complete";
  }, [id, LAUNCH_DATA[id]]);

function sco(page) {
  return page.frames().find((f) => f.url().includes("courses/sequenced/sco.html"));
}

async function tocState(page) {
  return page.$$eval("#toc li", (lis) => lis.map((li) => ({
    title: li.firstChild.textContent,
    selectable: li.firstChild.tagName === "BUTTON" && !li.firstChild.disabled,
    current: li.classList.contains("current"),
  })));
}

test("a sequenced SCORM 2004 package plays through: flow, disabled quiz until lessons are done, rollup, suspend and resume", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(backend.url + "/course.html");
  await activity(page, "L1");
  let toc = await tocState(page);
  assert.deepEqual(toc.map((t) => t.title), ["Lessons", "1. Local first", "2. Retries and backoff", "3. Quiz"]);
  assert.equal(toc.find((t) => t.title === "3. Quiz").selectable, false, "quiz disabled until the lessons are satisfied");
  assert.equal(await page.isDisabled("button[data-request=previous]"), true);

  // The SCO asks for "continue" itself.
  await sco(page).click("#done");
  await activity(page, "L2");
  assert.equal(await sco(page).evaluate(() => document.getElementById("text").textContent.includes("first visit")), true);

  // Suspend the whole course from inside the SCO, then reload the player: it resumes L2.
  await sco(page).click("#later");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  await page.reload();
  await activity(page, "L2");
  assert.equal(await sco(page).evaluate(() => document.getElementById("text").textContent.includes("welcome back")), true);

  await sco(page).click("#done");
  await activity(page, "QUIZ");
  toc = await tocState(page);
  assert.equal(toc.find((t) => t.title === "3. Quiz").current, true);
  await sco(page).check("input[value=right]");
  await sco(page).click("#done");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  const status = await page.$$eval("#toc .status", (s) => s.map((x) => x.textContent));
  assert.ok(status.includes("passed"), status.join(","));
  const failed = await page.$$eval("#calls li.err", (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(failed, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the user's navigation: TOC choice and Previous unload the running SCO first", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(backend.url + "/course.html");
  await activity(page, "L1");
  await page.click("#toc button:has-text('2. Retries and backoff')");
  await activity(page, "L2");
  await page.click("button[data-request=previous]");
  await activity(page, "L1");
  // The LMS's own Continue button follows the look-ahead (flow is on).
  assert.equal(await page.isEnabled("button[data-request=continue]"), true);
  await page.click("button[data-request=continue]");
  await activity(page, "L2");
  const calls = await page.$$eval("#calls li", (lis) => lis.map((li) => li.textContent));
  assert.equal(calls.filter((c) => c.startsWith("Initialize")).length, 4);
  assert.equal(calls.filter((c) => c.startsWith("Terminate")).length, 3, "each SCO terminated as it was unloaded");
  await context.close();
});

test("a SCORM 1.2 package: the SCO finds window.API only, with the manifest's values", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(backend.url + "/course.html?manifest=courses/sample/imsmanifest12.xml");
  await page.waitForFunction(() => {
    const d = document.getElementById("content").contentDocument;
    return d && d.documentElement && d.documentElement.dataset.lms === "1.2";
  });
  const frame = page.frames().find((f) => f.url().includes("courses/sample/index.html"));
  const values = await frame.evaluate(() => {
    const api = window.parent.API;
    return {
      has2004: typeof window.parent.API_1484_11,
      mastery: api.LMSGetValue("cmi.student_data.mastery_score"),
      launch: api.LMSGetValue("cmi.launch_data"),
      maxTime: api.LMSGetValue("cmi.student_data.max_time_allowed"),
      action: api.LMSGetValue("cmi.student_data.time_limit_action"),
      learner: api.LMSGetValue("cmi.core.student_id"),
    };
  });
  assert.deepEqual(values, { has2004: "undefined", mastery: "80", launch: "from-the-manifest", maxTime: "00:30:00", action: "continue,message", learner: "demo-learner" });
  // A raw score under the mastery score fails the SCO at LMSFinish (credit mode).
  await frame.click("#next");
  await frame.click("#next");
  await frame.check("input[value=server]");
  await frame.click("#submit");
  await frame.click("#finish");
  await frame.waitForFunction(() => document.documentElement.dataset.ended === "normal");
  const status = await page.$$eval("#toc .status", (s) => s.map((x) => x.textContent));
  assert.deepEqual(status, ["failed"]);
  await context.close();
});

test("a navigation request the sequencer refuses leaves the running SCO alone", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(backend.url + "/course.html");
  await activity(page, "L1");
  const src = await page.evaluate(() => document.getElementById("content").src);
  // start while a session runs: refused by the Navigation Request Process
  const view = await page.evaluate(() => ScormShim.course.navigate("start", document.getElementById("content")));
  assert.equal(view.type, "error");
  assert.equal(view.id, "NB.2.1-1", JSON.stringify(view));
  // the SCO was not unloaded and its API session is still open
  assert.equal(await page.evaluate(() => document.getElementById("content").src), src);
  assert.equal(await sco(page).evaluate(() => window.parent.API_1484_11.GetValue("cmi.mode")), "normal");
  assert.equal(await page.evaluate(() => API_1484_11.GetLastError()), "0");
  // an accepted request still ends it and moves on
  await sco(page).click("#done");
  await activity(page, "L2");
  await context.close();
});
