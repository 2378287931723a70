// End-to-end: a 4th Edition package built like real ones (tests/fixtures/
// packages/gated, served through page.route): lessons in a cluster hidden
// from the table of contents, a quiz disabled until global objectives read
// both lessons completed. Where the look-ahead offers Continue (NB.2.1) but
// the request would fail, the player refuses it before it unloads the
// running SCO, and says why; the look-ahead's reasons reach the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";
import { openFixture } from "./player-harness.mjs";

let backend, browser;
before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

const openGated = (context) => openFixture(context, backend, "gated");

/** Waits until the player shows activity `id` and its SCO has loaded; returns the SCO's frame. */
async function showing(page, id, query) {
  await page.waitForFunction(([want, q]) => {
    if (document.documentElement.dataset.activity !== want) return false;
    const d = document.getElementById("content").contentDocument;
    return !!d && d.readyState === "complete" && d.documentElement.dataset.activity === q;
  }, [id, query]);
  return page.frames().find((f) => f.url().includes("/fixture/gated/sco.html?" + query));
}

const tocTitles = (page) => page.$$eval("#toc .label", (ls) => ls.filter((l) => l.offsetParent !== null).map((l) => l.textContent));
const unavailable = (page, sel) => page.$eval(sel, (b) => b.getAttribute("aria-disabled") === "true");

test("Continue that the sequencer would refuse leaves the running SCO in place and says why", async () => {
  const context = await browser.newContext();
  const { page, errors } = await openGated(context);
  let sco = await showing(page, "LESSON-1", "lesson=1");
  // isvisible="false" on the lessons' cluster hides its entry, not the lessons
  assert.deepEqual(await tocTitles(page), ["Lesson 1", "Lesson 2", "Quiz"]);
  // the quiz is disabled: the entry is marked unavailable and carries the reason
  assert.equal(await unavailable(page, '#toc .entry[data-id="QUIZ"]'), true);
  const quizTitle = await page.$eval('#toc .entry[data-id="QUIZ"]', (e) => e.title);
  // in a learner's words, with the SN exception for an author in brackets
  assert.match(quizTitle, /^Not available now: the course's rules keep it closed .*\(DB\.1\.1-3: Activity is disabled/);
  const quizWhy = await page.$eval('#toc li:has(> .entry[data-id="QUIZ"]) > .why', (e) => e.textContent);
  assert.doesNotMatch(quizWhy, /DB\.1/);
  const nav = await page.evaluate(() => ScormShim.course.navState());
  assert.equal(nav.previous, false);
  assert.equal(nav.why.previous.id, "SB.2.1-3", JSON.stringify(nav.why));
  assert.equal(await page.$eval("button[data-request=previous]", (b) => b.title), `This is the first activity. (${nav.why.previous.id}: ${nav.why.previous.message})`);
  assert.equal(nav.activities.find((a) => a.id === "QUIZ").why.id, "DB.1.1-3");
  assert.equal(nav.activities.find((a) => a.id === "LESSON-2").why, undefined);

  // lesson 1 stays incomplete; the learner goes on to lesson 2
  await sco.click("#incomplete");
  await page.click("button[data-request=continue]");
  sco = await showing(page, "LESSON-2", "lesson=2");
  await sco.click("#incomplete");

  // Continue would flow into the disabled quiz: the look-ahead (the whole
  // request, with the running SCO's data) does not offer it and says why,
  // and the request itself is refused before the SCO is unloaded
  assert.equal(await unavailable(page, "button[data-request=continue]"), true);
  assert.equal((await page.evaluate(() => ScormShim.course.navState())).why.continue.id, "SB.2.2-2");
  const before = await page.$$eval("#calls li", (lis) => lis.length);
  const view = await page.evaluate(() => ScormShim.course.navigate("continue", document.getElementById("content")));
  assert.deepEqual(view, { type: "error", id: "SB.2.2-2", message: "Activity is disabled or its limit conditions are violated" });
  // the button (offered as unavailable) says why; the SCO runs on
  await page.click("button[data-request=continue]", { force: true });
  await page.waitForFunction(() => /SB\.2\.2-2/.test(document.getElementById("messages").textContent));
  assert.equal(await page.evaluate(() => document.documentElement.dataset.activity), "LESSON-2");
  assert.equal(await sco.evaluate(() => document.documentElement.dataset.activity), "lesson=2");
  const calls = await page.$$eval("#calls li", (lis) => lis.map((li) => li.textContent));
  assert.equal(calls.slice(before).filter((c) => c.startsWith("Terminate")).length, 0, "the SCO was not terminated");
  assert.equal(await sco.evaluate(() => window.parent.API_1484_11.GetValue("cmi.completion_status")), "incomplete");
  assert.equal(await page.evaluate(() => API_1484_11.GetLastError()), "0", "the SCO's session is still open");

  // the learner completes lesson 2 here, and lesson 1 from the table of contents
  await sco.click("#complete");
  await page.click("#toc button:has-text('Lesson 1')");
  sco = await showing(page, "LESSON-1", "lesson=1");
  await sco.click("#complete");
  // now the quiz reads both lessons completed from the global objectives
  await page.click("#toc button:has-text('Lesson 2')");
  await showing(page, "LESSON-2", "lesson=2");
  assert.equal(await page.isVisible("#toc button:has-text('Quiz')"), true);
  await page.click("button[data-request=continue]");
  await showing(page, "QUIZ", "quiz=1");
  assert.deepEqual(errors, []);
  await context.close();
});
