// End-to-end: resuming in the course player keeps what the learner did and
// nothing of what an ended attempt left (tests/e2e/packages/slides-suspend,
// tests/e2e/packages/posttest; the sequencing side is in
// tests/sequencing_regressions.rs):
// - a page reload mid-course (the SCO suspends itself at unload, no
//   navigation request) resumes the same attempts, and the course result at
//   the end is the SCO's (it was lost: "unknown");
// - a question suspended in the post-test's second attempt resumes with that
//   attempt's data, not the cmi.success_status its first attempt stored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";
import { playerContext } from "./player-harness.mjs";

let backend, browser;
before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

let learners = 0;
async function play(manifest) {
  const context = await playerContext(browser, backend, { learner: `learner-resume-${process.pid}-${++learners}` });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  await page.goto(backend.url + "/course.html?manifest=" + encodeURIComponent(manifest));
  await page.waitForFunction(() => ["open", "error"].includes(document.documentElement.dataset.state));
  return { context, page };
}

/** The SCO shown once its page has run its start-up (it sets data-entry). */
async function part(page, want = {}) {
  await page.waitForFunction((w) => {
    const root = document.documentElement.dataset;
    if (root.delivery !== "launch") return false;
    const d = document.getElementById("content").contentDocument;
    const e = d && d.documentElement && d.documentElement.dataset;
    if (!e || !e.entry || d.readyState !== "complete") return false;
    if (w.not && root.activity === w.not) return false;
    if (w.entry && e.entry !== w.entry) return false;
    return !e.id || e.id === root.activity;
  }, want);
  const frame = page.frames().find((f) => f !== page.mainFrame() && f.url().includes("/packages/"));
  const data = await frame.evaluate(() => ({ ...document.documentElement.dataset }));
  return { frame, data, id: await page.evaluate(() => document.documentElement.dataset.activity) };
}

const shimCall = (page, what) => page.evaluate(async (w) => {
  const shim = await window.ScormShim.ready;
  return w === "result" ? shim.course.result() : shim.course.navState();
}, what);

test("a page reload mid-course resumes the same attempt and the course result is kept", async () => {
  const { context, page } = await play("/packages/slides-suspend/imsmanifest.xml");
  let { frame, data } = await part(page);
  assert.equal(data.entry, "ab-initio");
  await frame.click("#next");
  await frame.waitForFunction(() => document.documentElement.dataset.slide === "1");

  // The page goes away with the session open: the SCO suspends itself at unload.
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === "open");
  ({ frame, data } = await part(page));
  assert.equal(data.entry, "resume");
  assert.equal(data.slide, "1", "cmi.location came back");
  const nav = await shimCall(page, "navState");
  assert.equal(nav.activities[0].completion, "incomplete", "the organization is rolled up after the reload");

  for (let i = 2; i <= 4; i++) {
    await frame.click("#next");
    await frame.waitForFunction((n) => document.documentElement.dataset.slide === String(n), i);
  }
  await frame.click("#exit"); // Terminate with adl.nav.request exitAll
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  assert.deepEqual(await shimCall(page, "result"), { completion: "completed", success: "passed", score: 0.8 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.result), "completed/passed");
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("a question suspended in a second post-test attempt resumes with that attempt's data only", async () => {
  const { context, page } = await play("/packages/posttest/imsmanifest.xml");
  const click = async (frame, sel) => frame.click(sel);
  // Attempt 1: both lessons passed, both questions failed; the session ends.
  let p = await part(page);
  assert.equal(p.id, "L1");
  await click(p.frame, "#pass");
  await click(p.frame, "#cont");
  p = await part(page, { not: "L1" });
  assert.equal(p.id, "L2");
  await click(p.frame, "#pass");
  await click(p.frame, "#cont");
  for (let i = 0; i < 2; i++) {
    p = await part(page, { not: p.id });
    assert.match(p.id, /^Q\d$/);
    await p.frame.waitForFunction(() => document.documentElement.dataset.success === "unknown");
    await click(p.frame, "#fail");
    await p.frame.waitForFunction(() => document.documentElement.dataset.scored === "0.3");
    await click(p.frame, "#cont");
  }
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  await page.locator("#message-actions button", { hasText: "Start again" }).click();

  // Attempt 2 of the post-test: lesson 2 from the contents, then Continue.
  p = await part(page, { not: "" });
  assert.equal(p.id, "L1");
  await page.click("#toc .entry:has-text('Lesson 2')");
  p = await part(page, { not: "L1" });
  assert.equal(p.id, "L2");
  await page.click("#lms-nav button[data-request=continue]");
  p = await part(page, { not: "L2" });
  assert.match(p.id, /^Q\d$/);
  assert.equal(p.data.entry, "ab-initio");
  assert.equal(p.data.success, "unknown", "a new attempt starts from the initial values");
  const question = p.id;
  await click(p.frame, "#susp");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  await page.locator("#message-actions button", { hasText: "Resume" }).click();
  p = await part(page, { entry: "resume" });
  assert.equal(p.id, question);
  assert.equal(p.data.success, "unknown", "not the failed of the question's first attempt");
  assert.equal(p.data.score, "", "nor its score");
  assert.deepEqual(page.errors, []);
  await context.close();
});
