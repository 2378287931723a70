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
  // Another registration, another launch token: the player loads itself again.
  await Promise.all([page.waitForURL(/versions=1\.2/), page.selectOption("#version", "1.2")]);
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
  await Promise.all([page.waitForURL(/versions=1\.2/), page.selectOption("#version", "1.2")]);
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

/** The running SCO's view of the SCORM 2004 run-time. */
async function attempt(frame) {
  return frame.evaluate(() => {
    const api = window.parent.API_1484_11;
    const get = (k) => api.GetValue(k);
    return { entry: get("cmi.entry"), total: get("cmi.total_time"), suspendData: get("cmi.suspend_data"), mode: get("cmi.mode"), credit: get("cmi.credit") };
  });
}

/** Press "Relaunch course" and wait for the new launch's SCO to initialize. */
async function relaunched(page) {
  await page.click("#relaunch");
  await page.waitForFunction(() => !document.getElementById("calls").textContent.includes("Terminate"));
  return frameWhere(page, () => document.getElementById("calls").textContent.includes("Initialize"));
}

async function answerAndFinish(frame) {
  await frame.click("#next");
  await frame.click("#next");
  await frame.check("input[value=local]");
  await frame.click("#submit");
  await frame.click("#finish");
  await frame.waitForFunction(() => document.documentElement.dataset.ended === "normal");
}

test("SCORM 2004 on a single-SCO page: an attempt that ended starts anew on relaunch and reload, or is reviewed when the LMS asks", async () => {
  const page = await openPlayer();
  let frame = await courseFrame(page);
  await answerAndFinish(frame);
  // Relaunch: a new learner attempt (RTE 4.2.8/4.2.12), not the old one continued.
  frame = await relaunched(page);
  assert.deepEqual(await attempt(frame), { entry: "ab-initio", total: "PT0H0M0S", suspendData: "", mode: "normal", credit: "credit" });
  await answerAndFinish(frame);
  // A page reload is a relaunch too.
  await page.reload();
  frame = await courseFrame(page);
  assert.deepEqual(await attempt(frame), { entry: "ab-initio", total: "PT0H0M0S", suspendData: "", mode: "normal", credit: "credit" });
  await answerAndFinish(frame);
  // The LMS asks for a review of the ended attempt instead (configuration: set at launch).
  await page.goto(backend.url + "/?endedAttempt=review");
  frame = await courseFrame(page);
  const review = await attempt(frame);
  assert.equal(review.mode, "review");
  assert.equal(review.credit, "no-credit");
  assert.equal(review.entry, "");
  assert.equal(review.suspendData, "answered", "the ended attempt's data is there to review");
  assert.notEqual(review.total, "PT0H0M0S");
  // The backend holds the attempts' data too: the new attempt replaced the ended one there
  // (its first batch was a full one), so a reload that resumes from the backend has no
  // leftovers from before. Suspend half-way: the resumed attempt has only its own data.
  await page.goto(backend.url + "/");
  frame = await courseFrame(page);
  await frame.click("#suspend");
  await frame.waitForFunction(() => document.documentElement.dataset.ended === "suspend");
  await page.waitForFunction(() => Object.values(ScormShim.queueStatus()).every((q) => q.pending === 0));
  const res = await fetch(backend.url + "/api/state?registration=demo-registration", { headers: backend.authHeaders("demo-learner", "demo-registration", "sample") });
  const stored = (await res.json()).scos["sample-sco"];
  assert.equal(stored["cmi.exit"], "suspend");
  assert.equal(stored["cmi.suspend_data"], undefined, "the ended attempt's suspend_data was replaced, not kept");
  await page.close();
});

test("GetValue of a keyword an element does not have answers 301 (cmi.learner_id._version)", async () => {
  const page = await openPlayer();
  const frame = await courseFrame(page);
  const r = await frame.evaluate(() => {
    const api = window.parent.API_1484_11;
    const out = {};
    for (const el of ["cmi.learner_id._version", "cmi.score._version", "cmi._version", "cmi.bogus._version"]) {
      const v = api.GetValue(el);
      out[el] = [v, api.GetLastError()];
    }
    return out;
  });
  assert.deepEqual(r, {
    "cmi.learner_id._version": ["", "301"],
    "cmi.score._version": ["", "301"],
    "cmi._version": ["1.0", "0"],
    "cmi.bogus._version": ["", "401"],
  });
  await page.close();
});

test("the player sends with its launch token: the session reaches the backend, under the page's Content-Security-Policy", async () => {
  const page = await browser.newPage();
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  await page.goto(backend.url + "/");
  const frame = await courseFrame(page);
  await frame.click("#next");
  await frame.click("#suspend");
  await frame.waitForFunction(() => document.documentElement.dataset.ended === "suspend");
  const headers = backend.authHeaders("demo-learner", "demo-registration", "sample");
  let st;
  for (let i = 0; i < 100; i++) {
    st = await (await fetch(backend.url + "/api/state?registration=demo-registration", { headers })).json();
    if (st.scos && st.scos["sample-sco"] && st.scos["sample-sco"]["cmi.exit"] === "suspend") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(st.scos["sample-sco"]["cmi.exit"], "suspend");
  assert.equal(st.learner, "demo-learner");
  // Without the token the state is not readable.
  assert.equal((await fetch(backend.url + "/api/state?registration=demo-registration")).status, 401);
  const csp = (await fetch(backend.url + "/")).headers.get("content-security-policy");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.deepEqual(violations, []);
  assert.equal(await page.isVisible("#message"), false, "no error shown");
  await page.close();
});

test("without a token the player says so in the page", async () => {
  const page = await browser.newPage();
  await page.route("**/api/dev/token", (route) => route.fulfill({ status: 404, body: "{}" }));
  await page.goto(backend.url + "/");
  await page.waitForSelector("#message:not([hidden])");
  assert.match(await page.textContent("#message"), /could not start.*launch token.*404/);
  await page.close();
});

test("a SCO that floods the API cannot grow the demo page's call log without bound", async () => {
  const page = await openPlayer();
  const frame = await courseFrame(page);
  await frame.evaluate(() => {
    const api = window.parent.API_1484_11;
    for (let i = 0; i < 3000; i++) api.GetValue("cmi.location");
    api.SetValue("cmi.location", "the last call");
  });
  const lines = await page.$$eval("#calls li", (lis) => lis.map((li) => li.textContent));
  assert.equal(lines.length, 500, "the log keeps the last 500 calls");
  assert.match(lines.at(-1), /^SetValue\("cmi.location", "the last call"\)/);
  await page.close();
});
