// End-to-end: the demo player (www/index.html) launches the sample SCO in a
// frame; the SCO finds the API by walking window.parent and runs its session.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";

let backend, browser;
before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

async function openPlayer() {
  const page = await browser.newPage();
  await page.goto(backend.url + "/");
  return page;
}

/** The calls as the player's own log shows them to a course author. */
async function loggedCalls(page) {
  const lines = await page.$$eval("#calls li", (lis) => lis.map((li) => li.textContent));
  return lines.map((line) => {
    const m = /^(\w+)\((.*)\) → ("(?:[^"\\]|\\.)*")(?:  \[error (\d+)\])?$/.exec(line);
    assert.ok(m, "unexpected log line: " + line);
    return { method: m[1], result: JSON.parse(m[3]), error: m[4] || "0" };
  });
}

async function courseFrame(page) {
  await page.waitForFunction(() => {
    const f = document.getElementById("content");
    return f && f.contentDocument && f.contentDocument.documentElement && f.contentDocument.documentElement.dataset.lms;
  });
  return page.frames().find((f) => f.url().includes("courses/sample/index.html"));
}

test("the sample SCO in the player's frame finds and uses window.API_1484_11", async () => {
  const page = await openPlayer();
  const frame = await courseFrame(page);
  assert.equal(await frame.evaluate(() => document.documentElement.dataset.lms), "2004");
  await frame.click("#finish");
  await frame.waitForFunction(() => document.documentElement.dataset.ended);
  const calls = await loggedCalls(page);
  const methods = calls.map((c) => c.method);
  assert.ok(methods.includes("Initialize"), methods.join(","));
  assert.ok(methods.includes("Commit"), methods.join(","));
  assert.equal(methods.at(-1), "Terminate");
  assert.ok(calls.filter((c) => ["Initialize", "Commit", "Terminate"].includes(c.method)).every((c) => c.result === "true" && c.error === "0"));
  await page.close();
});

test("with versions=1.2 the same SCO falls back to window.API", async () => {
  const page = await openPlayer();
  await courseFrame(page);
  await page.selectOption("#version", "1.2");
  await page.waitForFunction(() => {
    const f = document.getElementById("content");
    return f.contentDocument && f.contentDocument.documentElement && f.contentDocument.documentElement.dataset.lms === "1.2";
  });
  const frame = page.frames().find((f) => f.url().includes("courses/sample/index.html"));
  await frame.click("#suspend");
  await frame.waitForFunction(() => document.documentElement.dataset.ended === "suspend");
  const calls = await loggedCalls(page);
  const methods = calls.map((c) => c.method);
  assert.ok(methods.includes("LMSInitialize") && methods.includes("LMSCommit") && methods.includes("LMSFinish"), methods.join(","));
  assert.equal(await page.evaluate(() => typeof window.API_1484_11), "undefined");
  await page.close();
});
