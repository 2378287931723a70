// End-to-end: packages shaped like the exports of real authoring tools and
// LMS-era conventions (tests/e2e/packages/), played in the course player:
// a Storyline-style index_lms.html that loads jQuery and a web font from
// CDNs, spaces and non-ASCII characters in file names and a deep folder
// tree, an eXe-style SCORM 1.2 package (a page on an item with children, a
// default organization that does not exist: issue 13.7), a SCORM 2004 2nd
// Edition manifest without <schemaversion> (issue 13.3), a course that
// opens its own window, and a package with a file missing (issue 13.5).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";
import { playerContext, tocState } from "./player-harness.mjs";

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
  const context = await playerContext(browser, backend, { learner: `learner-pkg-${process.pid}-${++learners}` });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  await page.goto(backend.url + "/course.html?manifest=" + encodeURIComponent(manifest));
  await page.waitForFunction(() => ["open", "error"].includes(document.documentElement.dataset.state));
  return { context, page };
}

/** The running SCO's frame once its page (URL containing `part`) has loaded. */
async function frameOf(page, part) {
  await page.waitForFunction((p) => {
    const d = document.getElementById("content").contentDocument;
    return !!d && d.location.href.includes(p) && d.readyState === "complete";
  }, part);
  return page.frames().find((f) => f.url().includes(part));
}

test("a Storyline-style SCORM 2004 3rd Edition export: CDN jQuery and font, index_lms.html, resume and score", async () => {
  const { context, page } = await play("/packages/storyline-like/imsmanifest.xml");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.version), "2004 3rd Edition");
  let f = await frameOf(page, "storyline-like/index_lms.html");
  await f.waitForFunction(() => document.documentElement.dataset.slide === "1");
  assert.equal(await f.evaluate(() => document.documentElement.dataset.lms), "2004");
  assert.equal(await f.evaluate(() => document.documentElement.dataset.jquery), "3.7.1-stand-in", "jQuery came from the CDN (answered locally)");
  assert.deepEqual(context.offsite, [], "nothing else was fetched from outside");
  await f.click("#next");
  await f.waitForFunction(() => document.documentElement.dataset.slide === "2");
  await f.click("#exit"); // not finished: suspends (Terminate with cmi.exit "suspend", no navigation request)
  await f.waitForFunction(() => document.documentElement.dataset.ended === "1");
  await page.waitForFunction(() => document.getElementById("calls").textContent.includes("Terminate"));
  // The learner comes back: the player resumes the SCO at slide 2.
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === "open");
  if (await page.evaluate(() => document.documentElement.dataset.delivery !== "launch")) {
    await page.click("#message-actions button");
  }
  f = await frameOf(page, "storyline-like/index_lms.html");
  await f.waitForFunction(() => document.documentElement.dataset.slide === "2");
  await f.click("#next");
  await f.waitForFunction(() => document.documentElement.dataset.slide === "3");
  await page.waitForFunction(() => document.querySelector("#toc .status")?.textContent === "passed");
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("file names with spaces and non-ASCII characters, percent-encoded hrefs, and a deep folder tree", async () => {
  const { context, page } = await play("/packages/Schulung Übung/imsmanifest.xml");
  assert.equal(await page.textContent("#course-title"), "Schulung: Übung macht den Meister");
  let f = await frameOf(page, "Lektion");
  await f.waitForFunction(() => document.documentElement.dataset.page === "K1");
  assert.match(decodeURIComponent(f.url()), /\/Schulung Übung\/Inhalt\/Kapitel 1\/Lektion – Ü1\.html$/);
  await page.click("#toc .entry:has-text('Kapitel 2')");
  f = await frameOf(page, "Seite%20zwei");
  await f.waitForFunction(() => document.documentElement.dataset.page === "K2");
  await page.click("#toc .entry:has-text('Ganz tief unten')");
  f = await frameOf(page, "tief.html");
  await f.waitForFunction(() => document.documentElement.dataset.page === "TIEF");
  assert.match(f.url(), /\/a\/b\/c\/d\/e\/f\/g\/h\/tief\.html\?von=oben$/);
  assert.equal(await f.textContent("#s"), "Gefunden: Doe, Jane · ?von=oben");
  // Each page reported itself completed.
  await page.waitForFunction(() => [...document.querySelectorAll("#toc .status")].filter((s) => s.textContent === "completed").length === 3);
  assert.equal(await page.$$eval("#messages .msg", (m) => m.length), 0, "no warnings, no errors");
  await context.close();
});

test("an eXe-style SCORM 1.2 package: a missing default organization falls back to the first, the home page on an item with children launches", async () => {
  const { context, page } = await play("/packages/exe-like/imsmanifest.xml");
  assert.equal(await page.textContent("#course-title"), "Pond life");
  // The manifest's problem is said in the page, with the detail a click away.
  const warning = await page.textContent('#messages [data-key="warnings"]');
  assert.match(warning, /has a problem in its manifest/);
  assert.match(warning, /the default organization `eXe-organization-OLD` does not exist; the first organization, `eXe-organization-2`, is played/);
  // The home page (an item with children) is the first thing launched, and can be chosen.
  let f = await frameOf(page, "exe-like/index.html");
  await f.waitForFunction(() => document.documentElement.dataset.page === "index");
  const toc = await tocState(page);
  assert.deepEqual(toc.map((t) => [t.title, t.selectable]), [["Home", true], ["Frogs", true], ["Newts", true]]);
  await page.click("button[data-request=continue]");
  f = await frameOf(page, "exe-like/frogs.html");
  await page.click("#toc .entry:has-text('Home')");
  f = await frameOf(page, "exe-like/index.html");
  await f.waitForFunction(() => document.documentElement.dataset.page === "index");
  await context.close();
});

test("a SCORM 2004 2nd Edition manifest without <schemaversion> is played as SCORM 2004: its SCO finds API_1484_11", async () => {
  const { context, page } = await play("/packages/scorm2004-2nd/imsmanifest.xml");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.version), "2004 2nd Edition");
  const f = await frameOf(page, "shared/launchpage.html");
  await f.waitForFunction(() => document.documentElement.dataset.lms);
  assert.equal(await f.evaluate(() => document.documentElement.dataset.lms), "2004");
  assert.equal(await f.textContent("#s"), "Hello Doe, Jane");
  const warning = await page.textContent('#messages [data-key="warnings"]');
  assert.match(warning, /no <schemaversion>; read as SCORM 2004 2nd Edition from the SCORM 2004 namespaces/);
  await context.close();
});

test("a course that opens its own window finds the API through window.opener", async () => {
  const { context, page } = await play("/packages/popup-launch/imsmanifest.xml");
  const launch = await frameOf(page, "popup-launch/launch.html");
  const [popup] = await Promise.all([context.waitForEvent("page"), launch.click("#open")]);
  await popup.waitForFunction(() => document.documentElement.dataset.lms);
  assert.equal(await popup.evaluate(() => document.documentElement.dataset.lms), "1.2");
  await popup.click("#done");
  await page.waitForFunction(() => document.querySelector("#toc .status")?.textContent === "passed");
  await context.close();
});

test("a Rise-style SCORM 1.2 export: a driver page with the course in a frame of its own, 20,000 characters of suspend_data kept", async () => {
  const { context, page } = await play("/packages/rise-like/imsmanifest.xml");
  const course = async () => {
    await page.waitForFunction(() => {
      const driver = document.getElementById("content").contentDocument;
      const inner = driver && driver.getElementById("course");
      const d = inner && inner.contentDocument;
      return !!d && d.readyState === "complete" && !!d.documentElement.dataset.lesson;
    });
    return page.frames().find((f) => f.url().includes("rise-like/scormcontent/index.html"));
  };
  let f = await course();
  for (let i = 0; i < 3; i++) await f.click("#next");
  const d = await f.evaluate(() => ({ ...document.documentElement.dataset }));
  assert.equal(d.saved, "true");
  assert.ok(Number(d.size) > 20000, d.size);
  await page.waitForFunction(() => document.querySelector("#toc .status")?.textContent === "completed");
  // Leave and come back: the course state is all there.
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === "open");
  if (await page.evaluate(() => document.documentElement.dataset.delivery !== "launch")) await page.click("#message-actions button");
  f = await course();
  const back = await f.evaluate(() => ({ ...document.documentElement.dataset }));
  assert.equal(back.lesson, "4");
  assert.equal(back.restored, d.size, "suspend_data came back whole");
  await context.close();
});

test("a SCO file missing from the package is said in words, and the rest of the course plays", async () => {
  const { context, page } = await play("/packages/missing-sco/imsmanifest.xml");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "missing");
  assert.equal(await page.textContent("#message-title"), "“Lesson one” cannot be shown.");
  assert.match(await page.textContent("#message-text"), /missing from the course package \(the server answered 404/);
  assert.equal(await page.isHidden("#content"), true, "no bare 'not found' page in the frame");
  const error = await page.textContent('#messages [data-key="missing"]');
  assert.match(error, /A file of this course is missing\./);
  assert.match(error, /lesson-one\/index\.html: the server answered 404/);
  await page.click("#toc .entry:has-text('Lesson two')");
  const f = await frameOf(page, "missing-sco/lesson-two.html");
  await f.waitForFunction(() => document.documentElement.dataset.page === "TWO");
  assert.equal(await page.$('#messages [data-key="missing"]'), null, "the message goes once a lesson plays");
  await context.close();
});
