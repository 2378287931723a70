// End-to-end (issue 13.5): trouble with the backend is said in the page, in
// words: a server that does not answer (retrying) and a browser offline;
// and both messages go once the progress is delivered.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";
import { playerContext } from "./player-harness.mjs";

let backend, browser;
before(async () => {
  backend = await startBackend(["--test-faults"]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

async function openCourse(learner) {
  const context = await playerContext(browser, backend, { learner });
  const page = await context.newPage();
  await page.goto(backend.url + "/course.html?manifest=courses/multisco12/imsmanifest.xml");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M1");
  await page.waitForFunction(() => {
    const d = document.getElementById("content").contentDocument;
    return d && d.documentElement && d.documentElement.dataset.module === "1";
  });
  return { context, page, frame: page.frames().find((f) => f.url().includes("multisco12/sco.html")) };
}

test("a server that does not answer is said in the page, and the message goes once it answers", async () => {
  const learner = "learner-backend-1-" + process.pid;
  const { context, page, frame } = await openCourse(learner);
  await page.waitForFunction(() => Object.values(ScormShim.queueStatus()).every((q) => q.pending === 0));
  const fault = await fetch(backend.url + "/api/_faults", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ fail_next: 3, status: 503 }),
  });
  assert.equal(fault.status, 200);
  await frame.click("#complete");
  await page.waitForSelector('#messages [data-key="retrying"]', { timeout: 20000 });
  assert.match(await page.textContent('#messages [data-key="retrying"]'), /Cannot reach the server\. Your progress is kept in this browser/);
  // The fourth attempt is answered: the message goes, the progress is there.
  await page.waitForFunction(() => !document.querySelector('#messages [data-key="retrying"]'), null, { timeout: 30000 });
  const registration = await page.evaluate(() => document.documentElement.dataset.registration);
  const state = await (await fetch(backend.url + "/api/state?registration=" + encodeURIComponent(registration),
    { headers: backend.authHeaders(learner, registration, "com.example.scorm-shim.multisco12") })).json();
  assert.equal(state.scos.M1["cmi.core.lesson_status"], "completed");
  await context.close();
});

test("offline is said in the page; back online the message goes and the progress is sent", async () => {
  const { context, page, frame } = await openCourse("learner-backend-2-" + process.pid);
  await context.setOffline(true);
  await page.waitForSelector('#messages [data-key="offline"]');
  assert.match(await page.textContent('#messages [data-key="offline"]'), /You are offline\. Your progress is kept in this browser/);
  await frame.click("#complete");
  await context.setOffline(false);
  await page.waitForFunction(() => !document.querySelector('#messages [data-key="offline"]'));
  await page.waitForFunction(() => Object.values(ScormShim.queueStatus()).every((q) => q.pending === 0));
  await context.close();
});
