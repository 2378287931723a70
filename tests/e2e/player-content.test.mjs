// End-to-end: content that ends itself in the course player
// (tests/fixtures/packages/content-ends, served through page.route). A SCO
// that terminates without a navigation request, or asks for an activity the
// course does not have, stays on screen with a message in the page and the
// player's buttons back (even those adlnav:hideLMSUI hid while it ran); a SCO
// that never calls Initialize is reported; a part of the course whose choice
// is valid is a button in the table of contents that flows into it.
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

const open = (context) => openFixture(context, backend, "content-ends");

/** Waits until the player shows activity `id` and its SCO page has loaded; returns the SCO's frame. */
async function showing(page, id, query) {
  await page.waitForFunction(([want, q]) => {
    if (document.documentElement.dataset.activity !== want) return false;
    const d = document.getElementById("content").contentDocument;
    return !!d && d.readyState === "complete" && d.location.search === q;
  }, [id, query]);
  return page.frames().find((f) => f.url().includes("/fixture/content-ends/") && f.url().endsWith(query));
}

const messagesText = (page) => page.textContent("#messages");
const isHidden = (page, request) => page.$eval(`button[data-request=${request}]`, (b) => b.hidden);

test("a SCO that ends itself stays on screen, the page says so, and the buttons it hid come back", async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context);
  const q1 = await showing(page, "Q-1", "?q1");
  // hideLMSUI: the SCO offers its own navigation while it runs
  assert.equal(await isHidden(page, "continue"), true);
  assert.equal(await isHidden(page, "previous"), true);

  await q1.click("#end");
  await page.waitForFunction(() => /“Question 1” has ended/.test(document.getElementById("messages").textContent));
  assert.match(await messagesText(page), /Use the buttons above or the contents to go on/);
  assert.equal(await isHidden(page, "continue"), false);
  // the SCO's last page is still there
  assert.equal(await page.evaluate(() => document.getElementById("content").contentDocument.location.search), "?q1");

  // the learner goes on; the message goes away with the next activity
  await page.click("button[data-request=continue]");
  const q2 = await showing(page, "Q-2", "?q2");
  assert.doesNotMatch(await messagesText(page), /has ended/);

  // a request the course cannot honour: said in the page, the controls take over
  await q2.click("#jump");
  await page.waitForFunction(() => /The activity asked to go on, but the course does not allow it/.test(document.getElementById("messages").textContent));
  assert.match(await messagesText(page), /Use the buttons above or the contents to go on/);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.activity), "Q-2");
  assert.equal(await page.$eval("button[data-request=previous]", (b) => b.getAttribute("aria-disabled")), null);
  await page.click("button[data-request=previous]");
  await showing(page, "Q-1", "?q1");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a SCO that never calls Initialize is reported in the page; a part whose choice is valid can be chosen", async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context);
  await showing(page, "Q-1", "?q1");
  // the questions of part one are not chosen from the menu; the part itself is
  const part = await page.$eval('#toc li[data-id="PART-1"] > .cluster', (e) => ({ tag: e.tagName, disabled: e.getAttribute("aria-disabled") }));
  assert.deepEqual(part, { tag: "BUTTON", disabled: null });
  const whys = await page.$$eval("#toc .why", (ws) => ws.filter((w) => w.offsetParent !== null && !w.classList.contains("sr-only")).map((w) => w.textContent));
  assert.equal(whys.filter((w) => /not chosen from the menu/.test(w)).length, 1, "the reason is said once: " + JSON.stringify(whys));

  // a page that never connects: a warning after the configured wait
  await page.evaluate(() => { document.documentElement.dataset.initWarnMs = "700"; });
  await page.click('#toc .entry[data-id="SILENT"]');
  await page.waitForFunction(() => document.documentElement.dataset.activity === "SILENT");
  await page.waitForFunction(() => /has not connected to the player/.test(document.getElementById("messages").textContent));
  assert.match(await messagesText(page), /“A page that never connects” has not connected to the player\. It has not called Initialize/);

  // choosing the part flows into its first question; the warning goes
  await page.click('#toc li[data-id="PART-1"] > .cluster');
  await showing(page, "Q-1", "?q1");
  assert.doesNotMatch(await messagesText(page), /has not connected/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a SCO that calls Initialize is not reported", async () => {
  const context = await browser.newContext();
  const { page } = await open(context);
  await page.evaluate(() => { document.documentElement.dataset.initWarnMs = "300"; });
  await showing(page, "Q-1", "?q1");
  // the first launch began before the short wait was set: go to Q-2 with it
  await page.click('#toc li[data-id="PART-1"] > .cluster');
  await showing(page, "Q-1", "?q1");
  await page.waitForTimeout(900);
  assert.doesNotMatch(await messagesText(page), /has not connected/);
  await context.close();
});

test("a single-SCO SCORM 2004 package without sequencing (no flow) launches its SCO, as LMSs do", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(backend.url + "/course.html?manifest=courses/sample/imsmanifest.xml");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "ITEM-1");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.delivery), "launch");
  assert.equal(await page.isHidden("#message"), true);
  await context.close();
});
