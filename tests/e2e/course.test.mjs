// End-to-end: the course player opens a SCORM 2004 package by URL, the
// sequencer delivers its activities, SCOs navigate with adl.nav.request,
// the table of contents follows the look-ahead, a suspended course resumes,
// and the player's states say what is going on (issue 13.4).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";
import { playerContext, tocState, buttons } from "./player-harness.mjs";

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

async function open(url = "/course.html?manifest=courses/sequenced/imsmanifest.xml") {
  const context = await playerContext(browser, backend);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  await page.goto(backend.url + url);
  return { context, page };
}

test("a sequenced SCORM 2004 package plays through: flow, disabled quiz until lessons are done, rollup, suspend and resume", async () => {
  const { context, page } = await open();
  await activity(page, "L1");
  let toc = await tocState(page);
  assert.deepEqual(toc.map((t) => t.title), ["Lessons", "1. Local first", "2. Retries and backoff", "3. Quiz"]);
  assert.equal(toc.find((t) => t.title === "3. Quiz").selectable, false, "quiz disabled until the lessons are satisfied");
  assert.equal((await buttons(page)).previous, false);

  // The SCO asks for "continue" itself.
  await sco(page).click("#done");
  await activity(page, "L2");
  assert.equal(await sco(page).evaluate(() => document.getElementById("text").textContent.includes("first visit")), true);
  assert.equal((await tocState(page)).find((t) => t.id === "L1").status, "passed", "the finished lesson shows its status");

  // Suspend the whole course from inside the SCO, then reload the player: it resumes L2.
  await sco(page).click("#later");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  assert.equal(await page.textContent("#message-title"), "Your place is saved.");
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
  const status = (await tocState(page)).map((t) => t.status);
  assert.ok(status.includes("passed"), status.join(","));
  // The course's result: the rolled-up root, in the header and in the end message.
  assert.match(await page.textContent("#course-result"), /^Course: Passed · score \d+%$/);
  assert.equal(await page.textContent("#message-title"), "Well done: you passed the course.");
  const failed = await page.$$eval("#calls li.err", (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(failed, []);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("the user's navigation: TOC choice and Previous unload the running SCO first", async () => {
  const { context, page } = await open();
  await activity(page, "L1");
  await page.click("#toc .entry:has-text('2. Retries and backoff')");
  await activity(page, "L2");
  await page.click("button[data-request=previous]");
  await activity(page, "L1");
  // The LMS's own Continue button follows the look-ahead (flow is on).
  assert.equal((await buttons(page)).continue, true);
  await page.click("button[data-request=continue]");
  await activity(page, "L2");
  const calls = await page.$$eval("#calls li", (lis) => lis.map((li) => li.textContent));
  assert.equal(calls.filter((c) => c.startsWith("Initialize")).length, 4);
  assert.equal(calls.filter((c) => c.startsWith("Terminate")).length, 3, "each SCO terminated as it was unloaded");
  await context.close();
});

test("a SCORM 1.2 package: the SCO finds window.API only, with the manifest's values", async () => {
  const { context, page } = await open("/course.html?manifest=courses/sample/imsmanifest12.xml");
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
  await page.waitForFunction(() => [...document.querySelectorAll("#toc .status")].some((s) => s.textContent === "failed"));
  const status = (await tocState(page)).map((t) => t.status);
  assert.deepEqual(status, ["failed"]);
  assert.match(await page.textContent("#course-result"), /^Course: Not passed · score 0%$/);
  await context.close();
});

test("a navigation request the sequencer refuses leaves the running SCO alone", async () => {
  const { context, page } = await open();
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

test("after the session ends every navigation button is off and Continue launches nothing", async () => {
  const { context, page } = await open();
  await activity(page, "L1");
  await page.click("button[data-request=exitAll]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  assert.deepEqual(await buttons(page), { previous: false, continue: false, exit: false, suspendAll: false, exitAll: false });
  // Pressing one anyway (keyboard users can reach it) says why and launches nothing.
  await page.focus("button[data-request=continue]");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#messages .msg-info");
  assert.match(await page.textContent("#messages"), /Continue: The course session has ended\./);
  assert.equal(await page.evaluate(() => document.getElementById("content").getAttribute("src")), "about:blank");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.delivery), "ended");
  // The end panel offers what is possible: start again.
  assert.deepEqual(await page.$$eval("#message-actions button", (bs) => bs.map((b) => b.textContent)), ["Start again"]);
  await page.click("#message-actions button:has-text('Start again')");
  await activity(page, "L1");
  await context.close();
});

test("exit with nothing to flow to says so instead of a blank pane", async () => {
  // Flow off at the root: after Exit the learner has to choose.
  const manifest = "/packages/choice-only/imsmanifest.xml";
  const { context, page } = await open("/course.html?manifest=" + encodeURIComponent(manifest));
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "choose");
  // Flow is off: the course does not start by itself, and that is no error.
  assert.equal(await page.textContent("#message-title"), "Where would you like to begin?");
  assert.equal(await page.$$eval("#messages .msg", (m) => m.length), 0);
  await page.click("#toc .entry:has-text('Part B')");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "B");
  // adlnav:hideLMSUI of part B: those LMS buttons are not shown while it runs.
  const shown = await page.$$eval("#lms-nav button[data-request]", (bs) => bs.filter((b) => !b.hidden).map((b) => b.dataset.request));
  assert.deepEqual(shown, ["continue", "exit", "exitAll"]);
  await page.click("button[data-request=exit]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "nothing");
  assert.equal(await page.isVisible("#message"), true);
  assert.equal(await page.textContent("#message-title"), "You left the activity.");
  assert.equal(await page.isHidden("#content"), true);
  await context.close();
});

test("a manifest that cannot be read: the precise error stays, the buttons stay off", async () => {
  const { context, page } = await open("/course.html?manifest=" + encodeURIComponent("/packages/broken-manifest/imsmanifest.xml"));
  await page.waitForFunction(() => document.documentElement.dataset.state === "error");
  assert.equal(await page.textContent("#course-title"), "This course cannot be played");
  const text = await page.textContent("#messages");
  assert.match(text, /line 9, column \d+/, text);
  assert.deepEqual(await buttons(page), { previous: false, continue: false, exit: false, suspendAll: false, exitAll: false });
  await page.focus("button[data-request=continue]");
  await page.keyboard.press("Enter");
  await page.waitForSelector('#messages [data-key="refused"]');
  assert.match(await page.textContent("#messages"), /line 9, column \d+/, "the parse error is not replaced");
  assert.doesNotMatch(await page.textContent("#messages"), /NB\.2\.1/);
  await context.close();
});
