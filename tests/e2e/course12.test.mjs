// End-to-end (issue 13.2): a SCORM 1.2 course of several SCOs in the player:
// each SCO's status shown as soon as it commits it and again after a reload,
// Suspend + reload resumes in the SCO the learner left, adlcp:prerequisites
// keep modules closed (and say why) until they are met, and the course's
// status and score are rolled up from the SCOs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";
import { playerContext, tocState, buttons } from "./player-harness.mjs";

let backend, browser;
before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

const URL12 = "/course.html?manifest=courses/multisco12/imsmanifest.xml";
let learners = 0;
/** A learner of their own per test: the backend is shared. */
const learner = () => `learner-12-${process.pid}-${++learners}`;

/** Wait until the SCO of `module` ("1", "3a", …) runs in the frame; its frame. */
async function module(page, m) {
  await page.waitForFunction((want) => {
    const d = document.getElementById("content").contentDocument;
    return !!d && !!d.documentElement && d.documentElement.dataset.module === want && d.readyState === "complete";
  }, m);
  return page.frames().find((f) => f.url().includes("courses/multisco12/sco.html"));
}

const status = async (page, id) => (await tocState(page)).find((t) => t.id === id);

test("statuses appear as SCOs commit them and stay after a reload; Suspend resumes where the learner left", async () => {
  const context = await playerContext(browser, backend, { learner: learner() });
  const page = await context.newPage();
  await page.goto(backend.url + URL12);
  let sco = await module(page, "1");
  assert.equal((await status(page, "M1")).status, "in progress", "incomplete, set by the SCO at launch");
  // Completing module 1: the table of contents shows it without any navigation.
  await sco.click("#complete");
  await page.waitForFunction(() => document.querySelector('#toc li[data-id="M1"] .status')?.textContent === "completed");
  assert.equal((await status(page, "M2")).selectable, true, "its prerequisite is met");
  await page.click("button[data-request=continue]");
  sco = await module(page, "2");
  // Suspend the course in module 2, then reload the player.
  await page.click("button[data-request=suspendAll]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  assert.equal(await page.textContent("#message-title"), "Your place is saved.");
  assert.deepEqual(await page.$$eval("#message-actions button", (bs) => bs.map((b) => b.textContent)), ["Resume", "Start over"]);
  await page.reload();
  sco = await module(page, "2");
  assert.match(await sco.textContent("#text"), /welcome back/, "module 2 resumed with its own suspended data");
  assert.equal((await status(page, "M1")).status, "completed", "kept across the reload");
  assert.equal((await status(page, "M2")).current, true);
  await context.close();
});

test("prerequisites keep later modules closed, say why, and open as modules are completed; the course rolls up", async () => {
  const context = await playerContext(browser, backend, { learner: learner() });
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.goto(backend.url + URL12);
  let sco = await module(page, "1");
  let m4 = await status(page, "M4");
  assert.equal(m4.selectable, false);
  assert.equal(m4.why, "Not available yet: complete “1. Introduction”, “2. Hazards” and one of “3a. A scenario” or “3b. Checklist (handout)” first.");
  // The closed entry is focusable and described, and choosing it says why (the running SCO stays).
  const described = await page.$eval('#toc li[data-id="M4"] > .entry', (e) => document.getElementById(e.getAttribute("aria-describedby")).textContent);
  assert.equal(described, m4.why);
  // (a mouse click: the entry is marked unavailable, not disabled)
  await page.click('#toc li[data-id="M4"] > .entry', { force: true });
  assert.match(await page.textContent("#messages"), /“4\. Final test”: Not available yet: complete “1\. Introduction”/);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.activity), "M1");
  // Continue is off while module 2 is closed, and its tooltip says why.
  assert.equal((await buttons(page)).continue, false);
  assert.equal(await page.getAttribute("button[data-request=continue]", "title"), "Not available yet: complete “1. Introduction” first.");
  // Even the API refuses it before the SCO is touched.
  const refused = await page.evaluate(() => ScormShim.course.navigate("{target=M4}choice", document.getElementById("content")));
  assert.equal(refused.type, "error");
  assert.equal(await sco.evaluate(() => window.parent.API.LMSGetLastError()), "0", "module 1 still runs");

  await sco.click("#complete");
  await page.click("button[data-request=continue]");
  sco = await module(page, "2");
  await sco.click("#complete");
  await page.waitForFunction(() => document.querySelector('#toc li[data-id="M3A"] > .entry')?.getAttribute("aria-disabled") === null);
  // The handout (an asset) is completed by opening it; that meets 1*{M3A,M3B}.
  await page.click('#toc li[data-id="M3B"] > .entry');
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M3B");
  await page.waitForFunction(() => document.querySelector('#toc li[data-id="M4"] > .entry')?.getAttribute("aria-disabled") === null);
  assert.equal((await status(page, "M3B")).status, "completed");
  await page.click('#toc li[data-id="M4"] > .entry');
  sco = await module(page, "4");
  await sco.check("input[value=isolate]");
  await sco.click("#submit");
  await sco.click("#finish");
  await page.waitForFunction(() => document.querySelector('#toc li[data-id="M4"] .status')?.textContent === "passed");
  // Not every SCO is done (3. Practice and 3a were never opened): in progress, with the mean score.
  assert.equal(await page.textContent("#course-result"), "Course: In progress · score 90%");
  for (const id of ["PRACTICE", "M3A"]) {
    await page.click(`#toc li[data-id="${id}"] > .entry`);
    await page.waitForFunction((want) => document.documentElement.dataset.activity === want, id);
    const f = await module(page, id === "PRACTICE" ? "3" : "3a");
    await f.click("#complete");
  }
  await page.waitForFunction(() => document.getElementById("course-result").textContent === "Course: Passed · score 90%");
  await page.click("button[data-request=exitAll]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  assert.equal(await page.textContent("#message-title"), "Well done: you passed the course.");
  assert.match(await page.textContent("#message-text"), /Your score: 90%/);
  await context.close();
});

test("a failed test fails the course, and the end message says so", async () => {
  const context = await playerContext(browser, backend, { learner: learner() });
  const page = await context.newPage();
  await page.goto(backend.url + URL12);
  await module(page, "1");
  for (const [id, m] of [["M1", "1"], ["M2", "2"], ["PRACTICE", "3"], ["M3A", "3a"]]) {
    if (id !== "M1") await page.click(`#toc li[data-id="${id}"] > .entry`);
    const f = await module(page, m);
    await f.click("#complete");
    await f.waitForFunction(() => document.documentElement.dataset.reported === "completed");
  }
  // A page with items under it shows their roll-up: in progress until the handout is opened.
  assert.equal((await status(page, "PRACTICE")).status, "in progress");
  await page.click('#toc li[data-id="M3B"] > .entry');
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M3B");
  await page.click('#toc li[data-id="M4"] > .entry');
  const f = await module(page, "4");
  await f.check("input[value=gloves]");
  await f.click("#submit");
  await page.click("button[data-request=exitAll]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  assert.equal(await page.textContent("#course-result"), "Course: Not passed · score 40%");
  assert.equal(await page.textContent("#message-title"), "You did not pass the course this time.");
  await context.close();
});
