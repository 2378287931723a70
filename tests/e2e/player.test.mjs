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
  // The version is configuration: frozen once a SCO ran, so the page reloads with it.
  await Promise.all([page.waitForNavigation(), page.selectOption("#version", "1.2")]);
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

async function frameWhere(page, predicate) {
  await page.waitForFunction(predicate);
  return page.frames().find((f) => f.url().includes("courses/sample/index.html"));
}

test("SCORM 1.2: a full attempt through window.API suspends, relaunches, resumes and finishes", async () => {
  const page = await openPlayer();
  await courseFrame(page);
  // Start from nothing stored, speaking SCORM 1.2 only.
  await page.evaluate(() => Object.keys(localStorage).forEach((k) => localStorage.removeItem(k)));
  await Promise.all([page.waitForNavigation(), page.selectOption("#version", "1.2")]);
  let frame = await frameWhere(page, () => {
    const d = document.getElementById("content").contentDocument;
    return d && d.documentElement && d.documentElement.dataset.lms === "1.2" && d.getElementById("status").textContent.startsWith("Page 1");
  });
  await frame.click("#next");
  assert.equal(await frame.textContent("#status"), "Page 2 of 3");
  await frame.click("#suspend");
  await frame.waitForFunction(() => document.documentElement.dataset.ended === "suspend");
  // <prefix>:<learner>:<course>:<registration>:<version>:state:<sco>, a record "#<revision>\n<snapshot>"
  const key = "scorm-shim:demo-learner:sample:demo-registration-12:1.2:state:sample-sco";
  const stored = async () => {
    const record = await page.evaluate((k) => localStorage.getItem(k), key);
    return JSON.parse(record.slice(record.indexOf("\n") + 1));
  };
  const suspended = await stored();
  assert.equal(suspended["cmi.core.exit"], "suspend");
  assert.equal(suspended["cmi.core.lesson_location"], "2");
  assert.equal(suspended["cmi.core.lesson_status"], "incomplete");

  await page.click("#relaunch");
  frame = await frameWhere(page, () => {
    const d = document.getElementById("content").contentDocument;
    return d && d.getElementById("status") && d.getElementById("status").textContent.startsWith("Page");
  });
  assert.equal(await frame.textContent("#status"), "Page 2 of 3", "resumed where the learner left off");
  await frame.click("#next");
  await frame.check("input[value=local]");
  await frame.click("#submit");
  await frame.click("#finish");
  await frame.waitForFunction(() => document.documentElement.dataset.ended === "normal");
  const done = await stored();
  assert.equal(done["cmi.core.lesson_status"], "passed");
  assert.equal(done["cmi.core.score.raw"], "100");
  assert.equal(done["cmi.interactions.0.id"], "q1");
  assert.equal(done["cmi.interactions.0.result"], "correct");
  assert.match(done["cmi.core.total_time"], /^\d{4}:\d{2}:\d{2}(\.\d{1,2})?$/);
  const calls = await loggedCalls(page);
  assert.deepEqual(calls.filter((c) => c.error !== "0"), [], "no API call failed");
  await page.close();
});
