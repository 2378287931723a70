// End-to-end (issue 13.5, 13.6): the player's layout at common sizes (the
// content gets most of the screen at 1024×768 and on a phone in landscape,
// the call log folds away), unavailable entries that look unavailable, the
// table of contents following what SCOs commit, keyboard use, and no
// WCAG 2.1 AA violation (axe-core) in the states a learner meets.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startBackend, launchBrowser } from "./harness.mjs";
import { playerContext, tocState } from "./player-harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

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
async function open(manifest = "courses/sequenced/imsmanifest.xml", viewport = { width: 1024, height: 768 }) {
  const context = await playerContext(browser, backend, { learner: `learner-ui-${process.pid}-${++learners}`, context: { viewport } });
  const page = await context.newPage();
  await page.goto(backend.url + "/course.html" + (manifest ? "?manifest=" + encodeURIComponent(manifest) : ""));
  await page.waitForFunction(() => ["open", "error"].includes(document.documentElement.dataset.state));
  return { context, page };
}

const box = (page, sel) => page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });

/** axe-core's WCAG 2.1 A/AA violations on the player (not inside the course's own frame). */
async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    iframes: false,
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
}

test("at 1024×768 the content gets most of the screen; the call log is closed until asked for", async () => {
  const { context, page } = await open();
  await page.waitForFunction(() => document.documentElement.dataset.activity === "L1");
  let frame = await box(page, "#content");
  assert.ok(frame.w >= 0.7 * 1024, `frame ${frame.w} px wide`);
  assert.ok(frame.h >= 0.8 * 768, `frame ${frame.h} px high`);
  assert.equal(await page.isHidden("#log-panel"), true);
  assert.equal(await page.getAttribute("#log-toggle", "aria-expanded"), "false");
  await page.click("#log-toggle");
  assert.equal(await page.isVisible("#log-panel"), true);
  assert.ok((await page.$$eval("#calls li", (l) => l.length)) > 0, "the calls made so far are there");
  frame = await box(page, "#content");
  assert.ok(frame.w >= 0.45 * 1024, `with the log open the frame is still ${frame.w} px wide`);
  assert.deepEqual(await violations(page), []);
  await page.click("#log-toggle");
  assert.equal(await page.isHidden("#log-panel"), true);
  await context.close();
});

test("on a phone in landscape the content fills the screen; the contents open as a drawer", async () => {
  const { context, page } = await open("courses/multisco12/imsmanifest.xml", { width: 844, height: 390 });
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M1");
  const frame = await box(page, "#content");
  assert.ok(frame.w >= 0.95 * 844, `frame ${frame.w} px wide`);
  assert.ok(frame.h >= 0.7 * 390, `frame ${frame.h} px high`);
  assert.equal(await page.isHidden("#toc-panel"), true);
  await page.click("#toc-toggle");
  assert.equal(await page.isVisible("#toc-panel"), true);
  assert.equal(await page.getAttribute("#toc-toggle", "aria-expanded"), "true");
  assert.deepEqual(await violations(page), []);
  // Choosing an entry closes the drawer again.
  await page.click('#toc li[data-id="M1"] > .entry');
  await page.waitForFunction(() => document.getElementById("toc-panel").hidden);
  await context.close();
});

test("entries that cannot be chosen look unavailable, unlike entries and headings; statuses follow commits", async () => {
  const { context, page } = await open("courses/multisco12/imsmanifest.xml");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M1");
  const style = (id) => page.$eval(`#toc li[data-id="${id}"] > .entry, #toc li[data-id="${id}"] > .cluster`, (e) => {
    const s = getComputedStyle(e);
    return { color: s.color, cursor: s.cursor, weight: s.fontWeight, transform: s.textTransform, disabled: e.getAttribute("aria-disabled") };
  });
  const open1 = await style("M1"), closed = await style("M2");
  assert.equal(closed.disabled, "true");
  assert.equal(closed.cursor, "not-allowed");
  assert.notEqual(closed.color, open1.color, "an unavailable entry is not coloured as a choosable one");
  const seq = await open("courses/sequenced/imsmanifest.xml");
  await seq.page.waitForFunction(() => document.documentElement.dataset.activity === "L1");
  const look = (e) => ({ tag: e.tagName, weight: getComputedStyle(e).fontWeight, disabled: e.getAttribute("aria-disabled"), text: e.textContent });
  const heading = await seq.page.$eval('#toc li[data-id="LESSONS"] > .cluster', look);
  const quiz = await seq.page.$eval('#toc li[data-id="QUIZ"] > .entry', look);
  // the lessons' part may be chosen (the sequencer flows into it): a heading that is a button
  assert.equal(heading.tag, "BUTTON");
  assert.equal(heading.disabled, null);
  assert.equal(quiz.tag, "BUTTON");
  assert.equal(quiz.disabled, "true");
  assert.notEqual(quiz.weight, heading.weight, "a disabled activity is not shown as a heading");
  assert.match(quiz.text, /not available/);
  assert.deepEqual(await violations(seq.page), []);
  await seq.context.close();

  // The SCO commits its status: the entry shows it without any navigation.
  const f = page.frames().find((x) => x.url().includes("multisco12/sco.html"));
  await f.click("#complete");
  await page.waitForFunction(() => document.querySelector('#toc li[data-id="M1"] .status')?.textContent === "completed");
  assert.equal((await tocState(page)).find((t) => t.id === "M2").selectable, true);
  await context.close();
});

test("the player works from the keyboard", async () => {
  const { context, page } = await open("courses/multisco12/imsmanifest.xml");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M1");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip");
  const order = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    order.push(await page.evaluate(() => document.activeElement.dataset.request || document.activeElement.dataset.id || document.activeElement.id));
  }
  assert.deepEqual(order.slice(0, 9), ["toc-toggle", "previous", "continue", "exit", "suspendAll", "exitAll", "log-toggle", "M1", "M2"]);
  // Complete module 1 in the SCO, then choose module 2 from the table of contents with Enter.
  await page.frames().find((x) => x.url().includes("multisco12/sco.html")).click("#complete");
  await page.waitForFunction(() => document.querySelector('#toc li[data-id="M2"] > .entry').getAttribute("aria-disabled") === null);
  await page.focus('#toc li[data-id="M2"] > .entry');
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M2");
  await context.close();
});

test("messages, the end of the course and a package that cannot be opened have no accessibility violations", async () => {
  let { context, page } = await open("/packages/exe-like/imsmanifest.xml");
  await page.waitForSelector('#messages [data-key="warnings"]');
  await page.click('#messages [data-key="warnings"] summary');
  assert.deepEqual(await violations(page), []);
  await page.click("button[data-request=exitAll]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  assert.deepEqual(await violations(page), []);
  await context.close();
  ({ context, page } = await open("/packages/broken-manifest/imsmanifest.xml"));
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), "error");
  assert.deepEqual(await violations(page), []);
  await context.close();
});
