// End-to-end: the author preview (www/preview.html) served by a plain static
// file server, as an author runs it. Packages are zipped by the test and
// dropped onto the page; each panel shows what the course did.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser } from "./harness.mjs";
import {
  startStatic, makeZip, sample12Entries, sequencedEntries, mediaEntries, recordWebm,
  openPreview, dropFile, importOutcome,
} from "./preview-harness.mjs";

let server, browser, webm;
before(async () => {
  server = await startStatic();
  browser = await launchBrowser();
  webm = await recordWebm(browser);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function fresh() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const logged = [];
  page.on("console", (m) => logged.push(m.type() + ": " + m.text()));
  await openPreview(page, server.url);
  return { context, page, errors, logged };
}

const contentFrame = (page) => page.frames().find((f) => f.url().includes("/package/"));

async function waitActivity(page, id) {
  await page.waitForFunction((want) => document.documentElement.dataset.activity === want, id, { timeout: 20000 });
  await page.waitForFunction(() => {
    const f = document.querySelector("#player iframe");
    return f && f.contentDocument && f.contentDocument.readyState === "complete" && f.contentWindow.location.href.includes("/package/");
  }, null, { timeout: 20000 });
  return contentFrame(page);
}

async function panelText(page, tab) {
  await page.click("#tab-" + tab);
  await page.waitForTimeout(300);
  return page.locator("#panel-" + tab).innerText();
}

test("a SCORM 1.2 package in a wrapping folder: report, play, call log, data model, content check", async () => {
  const { context, page, errors, logged } = await fresh();
  // The preview starts with its learner known: no warning that nothing is stored.
  assert.deepEqual(logged.filter((l) => /no learnerId/.test(l)), []);
  await dropFile(page, "tracking12.zip", makeZip(sample12Entries("Tracking course/")));
  assert.equal(await importOutcome(page), "done");
  const report = await page.locator("#panel-report").innerText();
  assert.match(report, /SCORM version\s+1\.2/);
  assert.match(report, /Tracking that is never lost/);
  assert.match(report, /ITEM-1\s+SCO\s+index\.html/);
  assert.match(report, /Every file the manifest references is in the package/);
  assert.match(report, /Mastery score 80/);

  await page.click("#play");
  const sco = await waitActivity(page, "ITEM-1");
  await sco.waitForFunction(() => document.documentElement.dataset.lms === "1.2");
  assert.match(await sco.locator("#who").innerText(), /Hello, Author, Preview \(SCORM 1\.2\)/);
  await sco.click("#next");
  await sco.click("#next");
  await sco.check("input[value=local]");
  await sco.click("#submit");
  // The data model while it runs: live values, committed or not.
  const model = await panelText(page, "model");
  assert.match(model, /Live: SCORM 1\.2 API running/);
  assert.match(model, /cmi\.core\.lesson_location\s+3/);
  assert.match(model, /cmi\.core\.student_id\s+author/);
  assert.match(model, /suspend_data \(8 characters\)/);
  assert.match(model, /Not JSON/);
  await sco.click("#finish");
  await sco.waitForFunction(() => document.documentElement.dataset.ended === "normal");

  const calls = await panelText(page, "calls");
  assert.match(calls, /LMSInitialize/);
  assert.match(calls, /LMSSetValue\s+"cmi\.core\.score\.raw", "100"\s+"true"\s+0/);
  assert.match(calls, /LMSFinish/);
  // Filter by element: only location writes.
  await page.fill("#panel-calls [name=element]", "cmi.core.lesson_location");
  await page.waitForTimeout(300);
  const rows = await page.locator("#panel-calls tbody tr").allInnerTexts();
  assert.ok(rows.length >= 3 && rows.every((r) => r.includes("cmi.core.lesson_location")), rows.join("\n"));

  // The session ends when the preview unloads the SCO (here: Exit course): the content check runs.
  assert.match(await panelText(page, "check"), /is running .* its check runs when it is unloaded/);
  await page.click("button[data-request=exitAll]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  const check = await panelText(page, "check");
  assert.match(check, /Tracking that is never lost \(ITEM-1\)/);
  assert.doesNotMatch(check, /No Terminate before unload/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the sequenced SCORM 2004 package: rules in words, play through, sequencing panel with reasons, content check", async () => {
  const { context, page, errors } = await fresh();
  await dropFile(page, "sequenced.zip", makeZip(sequencedEntries()));
  assert.equal(await importOutcome(page), "done");
  const report = await page.locator("#panel-report").innerText();
  assert.match(report, /2004 4th Edition/);
  assert.match(report, /Before it starts: if objective "lessons-done" is not satisfied or the status of objective "lessons-done" is unknown, it is disabled/);
  assert.match(report, /L2\s+SCO\s+sco\.html\?lesson=2/);

  await page.click("#play");
  let sco = await waitActivity(page, "L1");
  // The quiz is disabled until the lessons are satisfied, and the panel says why.
  let seq = await panelText(page, "seq");
  assert.match(seq, /3\. Quiz\s+0\s+unknown\s+unknown/);
  assert.match(seq, /Previous\s+no\s+\S+/);
  assert.match(seq, /Last navigation request\s+\S+ start: start → launch L1/);
  assert.match(seq, /g-lessons-done|No global objectives have been written yet/);
  await sco.click("#done");
  sco = await waitActivity(page, "L2");
  await sco.click("#done");
  sco = await waitActivity(page, "QUIZ");
  seq = await panelText(page, "seq");
  assert.match(seq, /Lessons\s+1\s+completed\s+satisfied/);
  assert.match(seq, /g-lessons-done\s+satisfied/);
  assert.match(seq, /content: continue → launch QUIZ/);
  // The quiz is current: choosing it again from the table of contents is offered; Previous is valid.
  await sco.check("input[value=right]");
  await sco.click("#done");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  seq = await panelText(page, "seq");
  assert.match(seq, /3\. Quiz\s+1\s+completed\s+satisfied\s+1/);

  const check = await panelText(page, "check");
  // Three SCO sessions, each checked; the sample SCO never calls Commit.
  assert.equal((check.match(/\(L1\)|\(L2\)|\(QUIZ\)/g) || []).length, 3, check);
  assert.match(check, /Commit never called/);
  assert.match(check, /never called Commit/);
  assert.doesNotMatch(check, /No Terminate before unload/);

  const calls = await panelText(page, "calls");
  assert.match(calls, /SetValue\s+"adl\.nav\.request", "continue"/);
  await page.selectOption("#panel-calls [name=sco]", "QUIZ");
  await page.waitForTimeout(300);
  const quizRows = await page.locator("#panel-calls tbody tr").allInnerTexts();
  assert.ok(quizRows.length > 3 && quizRows.every((r) => r.includes("QUIZ")), quizRows.join("\n"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a single-SCO SCORM 2004 package without sequencing plays its SCO on Play; the log shows the choice", async () => {
  const { context, page, errors } = await fresh();
  const { dirEntries } = await import("./preview-harness.mjs");
  const { ROOT } = await import("./harness.mjs");
  const entries = dirEntries(ROOT + "/www/courses/sample", { skip: ["imsmanifest12.xml"] });
  await dropFile(page, "noflow.zip", makeZip(entries));
  assert.equal(await importOutcome(page), "done");
  await page.click("#play");
  await waitActivity(page, "ITEM-1");
  assert.doesNotMatch(await page.locator(".player-status").innerText().catch(() => ""), /Not possible/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a refused call is explained in words, and errors-only shows just the failures", async () => {
  const { context, page } = await fresh();
  await dropFile(page, "sequenced.zip", makeZip(sequencedEntries()));
  await importOutcome(page);
  await page.click("#play");
  await waitActivity(page, "L1");
  const sco = contentFrame(page);
  await sco.evaluate(() => {
    const api = window.parent.API_1484_11;
    api.SetValue("cmi.score.scaled", "1.5");
    api.SetValue("cmi.core.lesson_status", "passed");
    api.GetLastError();
  });
  await page.click("#tab-calls");
  await page.check("#panel-calls [name=errorsOnly]");
  await page.waitForTimeout(300);
  const rows = await page.locator("#panel-calls tbody tr").allInnerTexts();
  assert.equal(rows.length, 2, rows.join("\n"));
  assert.match(rows[0], /cmi\.core\.lesson_status.*401.*Undefined data model element.*SCORM 1\.2 name/s);
  assert.match(rows[1], /cmi\.score\.scaled.*"1\.5".*40[67]/s);
  assert.match(rows[1], /Data model element (type mismatch|value out of range): .+/s);
  await context.close();
});

test("video, fetch of JSON, Range and 404 inside the package; the service worker restarts mid-session", async () => {
  const { context, page, errors } = await fresh();
  await dropFile(page, "media.zip", makeZip(mediaEntries(webm)));
  assert.equal(await importOutcome(page), "done");
  await page.click("#play");
  const sco = await waitActivity(page, "M");
  await sco.waitForFunction(() => document.getElementById("q").textContent !== "");
  assert.equal(await sco.locator("#q").innerText(), "2 questions: Which way is up?");
  await sco.waitForFunction(() => document.getElementById("range").textContent !== "");
  assert.equal(await sco.locator("#range").innerText(), "206 bytes 0-3/" + webm.length + " 1a,45,df,a3");
  await sco.waitForFunction(() => document.getElementById("missing").textContent !== "");
  assert.equal(await sco.locator("#missing").innerText(), "404");
  await sco.waitForFunction(() => document.documentElement.dataset.video, null, { timeout: 15000 });
  assert.equal(await sco.evaluate(() => document.documentElement.dataset.video), "loaded");
  const types = await sco.evaluate(async () => {
    const out = {};
    for (const p of ["../data/questions.json", "app.js", "index.html", "../media/clip.webm", "../imsmanifest.xml"]) {
      const r = await fetch(p, { method: "HEAD" });
      out[p] = r.status + " " + r.headers.get("Content-Type");
    }
    return out;
  });
  assert.deepEqual(types, {
    "../data/questions.json": "200 application/json",
    "app.js": "200 text/javascript; charset=utf-8",
    "index.html": "200 text/html; charset=utf-8",
    "../media/clip.webm": "200 video/webm",
    "../imsmanifest.xml": "200 application/xml",
  });

  // Stop every service worker through the DevTools protocol, as the browser does when it is idle.
  const cdp = await context.newCDPSession(page);
  const stopped = new Promise((resolve) => cdp.on("ServiceWorker.workerVersionUpdated", (e) => {
    if (e.versions.some((v) => v.runningStatus === "stopped")) resolve();
  }));
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.stopAllWorkers");
  await stopped;
  // The SCO goes on: its next requests start the worker again, which reopens the package from storage.
  const after = await sco.evaluate(async () => {
    const j = await (await fetch("../data/questions.json")).json();
    const r = await fetch("../media/clip.webm", { headers: { Range: "bytes=4-7" } });
    return [j.questions[1].text, r.status, r.headers.get("Content-Range")];
  });
  assert.deepEqual(after, ["Why?", 206, "bytes 4-7/" + webm.length]);
  // A reload of the content (a new document from the restarted worker) still finds the API.
  await sco.evaluate(() => window.parent.API_1484_11.Terminate(""));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a stored package survives a reload of the page and opens from the list", async () => {
  const { context, page } = await fresh();
  await dropFile(page, "sequenced.zip", makeZip(sequencedEntries()));
  await importOutcome(page);
  const id = await page.evaluate(() => document.documentElement.dataset.package);
  await page.reload();
  await page.waitForFunction((id) => document.documentElement.dataset.package === id, id, { timeout: 20000 });
  assert.match(await page.locator("#open .stored").innerText(), /sequenced\.zip/);
  await page.click("#play");
  await waitActivity(page, "L1");
  // Remove it: gone from the list, its URL answers 404.
  await page.click("button[aria-label='Remove sequenced.zip']");
  await page.waitForFunction(() => /No package is stored yet/.test(document.querySelector("#open .stored").textContent));
  const status = await page.evaluate(async (id) => (await fetch("package/" + id + "/sco.html")).status, id);
  assert.equal(status, 404);
  await context.close();
});
