// End-to-end (issue 13.1): every package opened in the player gets its own
// registration and storage (from the LMS's configuration and the package),
// so packages opened one after another in one browser never overwrite each
// other; a batch the backend refuses for good is shown in the page,
// reported through events and the API, and kept until someone decides.
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

const open = async (page, manifest) => {
  await page.goto(backend.url + "/course.html?manifest=" + encodeURIComponent(manifest));
  await page.waitForFunction(() => document.documentElement.dataset.state === "open");
  return page.evaluate(() => document.documentElement.dataset.registration);
};

/** The backend's batch log of `registration` (read with the launch token of its learner and course). */
async function batches(registration, course) {
  const res = await fetch(backend.url + "/api/batches?registration=" + encodeURIComponent(registration),
    { headers: backend.authHeaders("demo-learner", registration, course) });
  assert.equal(res.status, 200);
  return (await res.json()).batches;
}

/** The frame of the running SCO once its page (URL containing `part`) has loaded. */
async function frameOf(page, part) {
  await page.waitForFunction((p) => {
    const d = document.getElementById("content").contentDocument;
    return !!d && d.location.href.includes(p) && d.readyState === "complete";
  }, part);
  return page.frames().find((f) => f.url().includes(part));
}

async function settled(page) {
  // Every queued batch acknowledged or refused.
  await page.waitForFunction(() => {
    const q = ScormShim.queueStatus();
    return Object.values(q).every((v) => v.pending === 0);
  });
}

test("two packages, and a SCORM 1.2 one after a 2004 one, keep their own registrations in one browser", async () => {
  const context = await playerContext(browser, backend);
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  // 2004: suspend in lesson 2.
  const reg2004 = await open(page, "courses/sequenced/imsmanifest.xml");
  assert.match(reg2004, /^com\.example\.scorm-shim\.sequenced@[0-9a-f]{16}$/);
  await page.waitForFunction(() => document.documentElement.dataset.activity === "L1");
  await page.click("#toc .entry:has-text('2. Retries and backoff')");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "L2");
  await page.click("button[data-request=suspendAll]");
  await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
  await settled(page);

  // 1.2 in the same browser: its own registration, accepted by the backend.
  const reg12 = await open(page, "courses/multisco12/imsmanifest.xml");
  assert.match(reg12, /^com\.example\.scorm-shim\.multisco12@[0-9a-f]{16}$/);
  assert.notEqual(reg12, reg2004);
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M1");
  const frame = await frameOf(page, "multisco12/sco.html");
  await frame.waitForFunction(() => document.documentElement.dataset.module === "1");
  await frame.click("#complete");
  await settled(page);
  const b12 = await batches(reg12, "com.example.scorm-shim.multisco12");
  assert.ok(b12.length >= 1);
  assert.deepEqual([...new Set(b12.map((b) => b.status))], ["applied"], JSON.stringify(b12));
  assert.equal(await page.evaluate(() => ScormShim.failedBatches().length), 0);

  // Back to the 2004 package: it resumes where it was suspended (nothing overwritten).
  await open(page, "courses/sequenced/imsmanifest.xml");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "L2");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.registration), reg2004);
  assert.deepEqual(errors.filter((e) => /starting over|RESTORE/.test(e)), []);
  const b2004 = await batches(reg2004, "com.example.scorm-shim.sequenced");
  assert.deepEqual([...new Set(b2004.map((b) => b.status))], ["applied"]);
  await context.close();
});

test("a SCO's saved data is its package's: two packages with the same identifiers do not share it", async () => {
  const context = await playerContext(browser, backend);
  const page = await context.newPage();
  const lesson = async () => {
    await page.waitForFunction(() => {
      const d = document.getElementById("content").contentDocument;
      return d && d.documentElement && d.documentElement.dataset.ready === "1";
    });
    return page.frames().find((f) => f.url().includes("/lesson.html"));
  };
  const regA = await open(page, "/packages/twin-a/imsmanifest.xml");
  let f = await lesson();
  await f.click("#p3");
  await f.click("#leave");
  await settled(page);
  // twin-b: same manifest identifier (MANIFEST1), same item id (SCO1), another package.
  const regB = await open(page, "/packages/twin-b/imsmanifest.xml");
  assert.notEqual(regB, regA);
  f = await lesson();
  assert.deepEqual(await f.evaluate(() => ({ ...document.documentElement.dataset })), { entry: "ab-initio", location: "", ready: "1" });
  await f.click("#leave");
  await settled(page);
  await open(page, "/packages/twin-a/imsmanifest.xml");
  f = await lesson();
  const d = await f.evaluate(() => ({ ...document.documentElement.dataset }));
  assert.equal(d.entry, "resume");
  assert.equal(d.location, "3", "twin-a's SCO1 kept its own data");
  await context.close();
});

test("a batch the backend refuses for good is shown, reported and kept until someone decides", async () => {
  // The LMS page configures a registration that the backend holds for another
  // data model (a SCORM 2004 one, same learner and course, so the launch token
  // fits): every 1.2 batch is refused for good (422).
  const registration = "reg-collision-" + Date.now();
  const seed = await fetch(backend.url + "/api/batches", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...backend.authHeaders("demo-learner", registration, "com.example.scorm-shim.multisco12") },
    body: JSON.stringify({
      protocol: 1, version: "2004", learner: "demo-learner", course: "com.example.scorm-shim.multisco12", registration,
      batches: [{ seq: 1, key: registration + ":1:seed", sco: "x", reason: "commit", full: false, ts: 0, changes: [["cmi.location", "1"]] }],
    }),
  });
  assert.equal(seed.status, 200);

  const context = await playerContext(browser, backend);
  await context.route(backend.url + "/course.html*", async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace('data-endpoint="/api"', `data-endpoint="/api" data-registration-id="${registration}" data-commit-interval="0"`);
    await route.fulfill({ response: res, body: html });
  });
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.addInitScript(() => {
    window.seen = [];
    addEventListener("DOMContentLoaded", () => ScormShim.onEvent((e) => window.seen.push(e)));
  });
  assert.equal(await open(page, "courses/multisco12/imsmanifest.xml"), registration, "the configured registration wins");
  await page.waitForFunction(() => document.documentElement.dataset.activity === "M1");
  const frame = await frameOf(page, "multisco12/sco.html");
  await frame.waitForFunction(() => document.documentElement.dataset.module === "1");
  await frame.click("#complete");
  // LMSCommit answered "true" (the data is stored locally)...
  const commits = await page.$$eval("#calls li", (lis) => lis.map((l) => l.textContent).filter((t) => t.startsWith("LMSCommit")));
  assert.ok(commits.length >= 1 && commits.every((c) => c.endsWith('→ "true"')), commits.join("\n"));
  // ...and the refusal is impossible to miss: in the page, in the events, in the API.
  await page.waitForSelector('#messages .msg-error[data-key="refused"]');
  const shown = await page.textContent('#messages .msg-error[data-key="refused"]');
  assert.match(shown, /Progress not accepted by the server\./);
  assert.match(shown, /registration belongs to another/);
  const seen = await page.evaluate(() => window.seen.filter((e) => e.type === "failedPermanently"));
  assert.ok(seen.length >= 1 && seen.every((e) => e.status === 422), JSON.stringify(seen));
  let failed = await page.evaluate(() => ScormShim.failedBatches());
  assert.ok(failed.length >= 1);
  assert.equal(failed[0].status, 422);
  assert.equal(failed[0].version, "1.2");
  assert.ok(failed.some((b) => b.changes.some(([k, v]) => k === "cmi.core.lesson_status" && v === "completed")), JSON.stringify(failed));

  // Kept across a reload (it is in local storage), and shown again.
  await page.reload();
  await page.waitForSelector('#messages .msg-error[data-key="refused"]');
  failed = await page.evaluate(() => ScormShim.failedBatches());
  assert.ok(failed.length >= 1, "still there after a reload");

  // Send again: refused again (the cause is not fixed), still kept.
  await page.click('#messages .msg-error[data-key="refused"] button:has-text("Send again")');
  await page.waitForFunction(() => window.seen.filter((e) => e.type === "failedPermanently").length >= 1 && ScormShim.failedBatches().length >= 1);
  // Discard: gone, and the message with it.
  await page.click('#messages .msg-error[data-key="refused"] button:has-text("Discard")');
  await page.waitForFunction(() => ScormShim.failedBatches().length === 0);
  assert.equal(await page.$('#messages .msg-error[data-key="refused"]'), null);
  await context.close();
});
