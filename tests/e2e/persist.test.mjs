// End-to-end: tracking data is never lost. Real Chromium, the real backend on
// 127.0.0.1 with its SQLite database; server errors, outages, offline, closed
// tabs and two tabs at once. After each scenario the backend must hold exactly
// the learner's final data, with every batch applied once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startBackend, launchBrowser, servePage, waitForAsync } from "./harness.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "scorm-e2e-"));
const DB = path.join(dir, "backend.sqlite");
let backend, browser, port;

before(async () => {
  backend = await startBackend(["--db", DB, "--test-faults"]);
  port = new URL(backend.url).port;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

/** A page of an LMS that includes the shim with an endpoint; the "SCO" is driven from the test. */
async function openLms(context, registration) {
  const page = await context.newPage();
  const url = `${backend.url}/lms-${registration}.html`;
  await servePage(page, url, `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-endpoint="/api" data-registration-id="${registration}"
            data-learner-id="learner-1" data-course-id="course-1" data-sco-id="sco-1" data-commit-interval="0"
            data-headers="Authorization: Bearer ${backend.token("learner-1", registration, "course-1")}"></script>
    <script>
      window.events = [];
      ScormShim.onEvent((e) => window.events.push(e));
    </script>`);
  await page.goto(url);
  await page.evaluate(() => ScormShim.ready);
  return page;
}

const api = (page, fn) => page.evaluate(fn);

async function state(registration) {
  const res = await fetch(`${backend.url}/api/state?registration=${encodeURIComponent(registration)}`,
    { headers: backend.authHeaders("learner-1", registration, "course-1") });
  assert.equal(res.status, 200);
  return res.json();
}

async function log(registration) {
  const res = await fetch(`${backend.url}/api/batches?registration=${encodeURIComponent(registration)}`,
    { headers: backend.authHeaders("learner-1", registration, "course-1") });
  assert.equal(res.status, 200);
  return (await res.json()).batches;
}

async function waitDrained(page, timeout = 30000) {
  await page.waitForFunction(() => {
    const s = ScormShim.queueStatus();
    return Object.values(s).every((q) => q.pending === 0 && q.failed.length === 0);
  }, null, { timeout, polling: 100 });
}

function assertAppliedOnce(batches) {
  const applied = batches.filter((b) => b.status === "applied");
  const seqs = applied.map((b) => b.seq);
  assert.deepEqual(seqs, [...new Set(seqs)], "a sequence number was applied twice");
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "batches applied in order, without gaps");
}

async function faults(spec) {
  const res = await fetch(`${backend.url}/api/_faults`, { method: "POST", body: JSON.stringify(spec) });
  assert.equal(res.status, 200);
}

test("commits reach the backend once each, in order, and a new page resumes from the backend", async () => {
  const context = await browser.newContext();
  const reg = "reg-basic";
  const page = await openLms(context, reg);
  await api(page, () => {
    const a = window.API_1484_11;
    a.Initialize("");
    a.SetValue("cmi.location", "page-1");
    a.Commit("");
    a.SetValue("cmi.location", "page-2");
    a.SetValue("cmi.suspend_data", "x".repeat(4096));
    a.Commit("");
    a.SetValue("cmi.exit", "suspend");
    a.Terminate("");
  });
  await waitDrained(page);
  const s = await state(reg);
  assert.equal(s.scos["sco-1"]["cmi.location"], "page-2");
  assert.equal(s.scos["sco-1"]["cmi.suspend_data"].length, 4096);
  assertAppliedOnce(await log(reg));
  const types = await page.evaluate(() => window.events.map((e) => e.type));
  assert.ok(types.includes("queued") && types.includes("sent") && types.includes("acknowledged"), types.join(","));
  await context.close();

  // A new browser profile (another device): everything comes from the backend.
  const other = await browser.newContext();
  const again = await openLms(other, reg);
  const resumed = await api(again, () => {
    const a = window.API_1484_11;
    a.Initialize("");
    return { entry: a.GetValue("cmi.entry"), location: a.GetValue("cmi.location") };
  });
  assert.deepEqual(resumed, { entry: "resume", location: "page-2" });
  await other.close();
});

test("500s and 429s are retried until acknowledged; nothing is applied twice", async () => {
  const context = await browser.newContext();
  const reg = "reg-faults";
  const page = await openLms(context, reg);
  await faults({ fail_next: 2, status: 500 });
  await api(page, () => {
    const a = window.API_1484_11;
    a.Initialize("");
    a.SetValue("cmi.location", "a");
    return a.Commit("");
  });
  await waitDrained(page);
  await faults({ fail_next: 1, status: 429, retry_after: 1 });
  await api(page, () => { window.API_1484_11.SetValue("cmi.location", "b"); return window.API_1484_11.Commit(""); });
  await waitDrained(page);
  // A lost answer: the backend applied the batch but the client saw a 503, and resends.
  await faults({ fail_next: 1, status: 503, after_apply: true });
  await api(page, () => { window.API_1484_11.SetValue("cmi.location", "c"); return window.API_1484_11.Terminate(""); });
  await waitDrained(page);
  assert.equal((await state(reg)).scos["sco-1"]["cmi.location"], "c");
  assertAppliedOnce(await log(reg));
  const types = await page.evaluate(() => window.events.map((e) => e.type));
  assert.ok(types.includes("retrying"), types.join(","));
  await context.close();
});

test("offline: the course keeps working, the queue drains when the browser is online again", async () => {
  const context = await browser.newContext();
  const reg = "reg-offline";
  const page = await openLms(context, reg);
  await context.setOffline(true);
  const results = await api(page, () => {
    const a = window.API_1484_11;
    const r = [a.Initialize("")];
    for (let i = 0; i < 20; i++) {
      a.SetValue("cmi.location", "p" + i);
      r.push(a.Commit(""));
    }
    return r;
  });
  assert.ok(results.every((r) => r === "true"), "Commit succeeds offline (stored locally)");
  const pending = await page.evaluate(() => ScormShim.queueStatus()["2004"].pending);
  assert.ok(pending >= 1);
  await context.setOffline(false);
  await waitDrained(page);
  assert.equal((await state(reg)).scos["sco-1"]["cmi.location"], "p19");
  assertAppliedOnce(await log(reg));
  const types = await page.evaluate(() => window.events.map((e) => e.type));
  assert.ok(types.includes("offline") && types.includes("online"), types.join(","));
  await context.close();
});

test("the backend stops mid-session and comes back: the data arrives", async () => {
  const context = await browser.newContext();
  const reg = "reg-restart";
  const page = await openLms(context, reg);
  await api(page, () => { const a = window.API_1484_11; a.Initialize(""); a.SetValue("cmi.location", "before"); a.Commit(""); });
  await waitDrained(page);
  await backend.stop();
  await api(page, () => { const a = window.API_1484_11; a.SetValue("cmi.location", "during"); a.SetValue("cmi.suspend_data", "kept"); a.Commit(""); });
  await new Promise((r) => setTimeout(r, 1500));
  backend = await startBackend(["--db", DB, "--test-faults", "--addr", "127.0.0.1:" + port]);
  await waitDrained(page, 90000);
  const s = (await state(reg)).scos["sco-1"];
  assert.equal(s["cmi.location"], "during");
  assert.equal(s["cmi.suspend_data"], "kept");
  assertAppliedOnce(await log(reg));
  await context.close();
});

test("a tab closed right after a commit: the next launch sends what was left", async () => {
  const context = await browser.newContext();
  const reg = "reg-closed";
  const page = await openLms(context, reg);
  await faults({ fail_next: 50, status: 503 }); // nothing gets through while the tab lives
  await api(page, () => { const a = window.API_1484_11; a.Initialize(""); a.SetValue("cmi.location", "last-words"); a.Commit(""); });
  await page.close({ runBeforeUnload: true });
  await faults({ fail_next: 0, status: 503 });
  const again = await openLms(context, reg);
  await waitDrained(again);
  assert.equal((await state(reg)).scos["sco-1"]["cmi.location"], "last-words");
  assertAppliedOnce(await log(reg));
  await context.close();
});

test("two tabs on one registration: both tabs' data arrives, once each, in order", async () => {
  const context = await browser.newContext();
  const reg = "reg-two-tabs";
  const a = await openLms(context, reg);
  const b = await openLms(context, reg);
  await api(a, () => { const x = window.API_1484_11; x.Initialize(""); x.SetValue("cmi.location", "from-a"); x.Commit(""); });
  await api(b, () => { const x = window.API_1484_11; x.Initialize(""); x.SetValue("cmi.suspend_data", "from-b"); x.Commit(""); });
  await waitDrained(a);
  // The sender tab folds the other tab's queue in; wait until the backend has both.
  const deadline = Date.now() + 30000;
  let s;
  while (Date.now() < deadline) {
    s = (await state(reg)).scos["sco-1"] || {};
    if (s["cmi.location"] === "from-a" && s["cmi.suspend_data"] === "from-b") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(s["cmi.location"], "from-a");
  assert.equal(s["cmi.suspend_data"], "from-b");
  assertAppliedOnce(await log(reg));
  await context.close();
});

test("a page with another learner's token: the backend refuses (403), nothing is stored, the batch is kept", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const reg = "reg-stolen";
  const url = `${backend.url}/lms-stolen.html`;
  // The token names another learner than the page's configuration.
  await servePage(page, url, `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-endpoint="/api" data-registration-id="${reg}"
            data-learner-id="learner-1" data-course-id="course-1" data-sco-id="sco-1" data-commit-interval="0"
            data-headers="Authorization: Bearer ${backend.token("intruder", reg, "course-1")}"></script>
    <script>window.events = []; ScormShim.onEvent((e) => window.events.push(e));</script>`);
  await page.goto(url);
  await page.evaluate(() => ScormShim.ready);
  const r = await api(page, () => { const a = window.API_1484_11; a.Initialize(""); a.SetValue("cmi.location", "kept"); return a.Commit(""); });
  assert.equal(r, "true", "the commit is stored locally");
  await page.waitForFunction(() => window.events.some((e) => e.status === 403 || e.type === "authRequired" || e.type === "failedPermanently"), null, { timeout: 30000 });
  const s = await state(reg);
  assert.deepEqual(s, { registration: reg, last_seq: 0, scos: {} }, "nothing reached the registration");
  const q = await page.evaluate(() => ScormShim.queueStatus()["2004"]);
  assert.equal(q.last_acked, 0);
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("reg-stolen")).map((k) => localStorage.getItem(k)).join(""));
  assert.match(stored, /kept/, "the batch stays in local storage");
  await context.close();
});

test("storage full: Commit answers false with 391, the page gets a storageError event, and the changes stay pending", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const url = `${backend.url}/lms-quota.html`;
  // No endpoint: local storage is the only place the data can go.
  await servePage(page, url, `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-learner-id="learner-q" data-registration-id="reg-quota" data-sco-id="sco-1"></script>
    <script>window.events = []; ScormShim.onEvent((e) => window.events.push(e));</script>`);
  await page.goto(url);
  const r = await page.evaluate(() => {
    const a = window.API_1484_11;
    a.Initialize("");
    a.SetValue("cmi.location", "p1");
    const first = a.Commit("");
    // Fill the origin's storage to the brim.
    const chunk = "x".repeat(256 * 1024);
    let i = 0;
    for (let size = chunk.length; size >= 16; ) {
      try { localStorage.setItem("fill-" + i++, chunk.slice(0, size)); } catch (e) { size = size >> 1; }
    }
    a.SetValue("cmi.suspend_data", "y".repeat(32000));
    const full = { result: a.Commit(""), error: a.GetLastError(), diagnostic: a.GetDiagnostic("") };
    // Free some space: the pending changes go through with the next commit.
    for (let k = 0; k < i; k++) localStorage.removeItem("fill-" + k);
    const after = a.Commit("");
    const record = localStorage.getItem("scorm-shim:learner-q:course:reg-quota:2004:state:sco-1");
    const stored = JSON.parse(record.slice(record.indexOf("\n") + 1)); // "#<revision>\n<snapshot>"
    return { first, full, after, suspend: (stored["cmi.suspend_data"] || "").length, events: window.events.map((e) => e.type) };
  });
  assert.equal(r.first, "true");
  assert.deepEqual([r.full.result, r.full.error], ["false", "391"]);
  assert.match(r.full.diagnostic, /could not be stored/i);
  assert.ok(r.events.includes("storageError"), r.events.join(","));
  assert.equal(r.after, "true");
  assert.equal(r.suspend, 32000, "the changes refused while full were kept and stored later");
  await context.close();
});

/** The keys of the durable copy (IndexedDB "scorm-shim"/"records") in the page's origin. */
function durableKeys(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const req = indexedDB.open("scorm-shim", 1);
    req.onsuccess = () => {
      const r = req.result.transaction("records").objectStore("records").getAllKeys();
      r.onsuccess = () => resolve(r.result);
    };
  }));
}

test("every commit reaches the durable copy; purge() waits for delivery, then removes the learner's data from both copies", async () => {
  const context = await browser.newContext();
  const page = await openLms(context, "reg-purge");
  await api(page, () => {
    const a = window.API_1484_11;
    a.Initialize(""); a.SetValue("cmi.location", "p"); a.Commit(""); a.Terminate("");
  });
  const prefix = "scorm-shim:learner-1:course-1:reg-purge:";
  const local = () => page.evaluate((p) => Object.keys(localStorage).filter((k) => k.startsWith(p)), prefix);
  // The state and the queue, in localStorage and in IndexedDB alike.
  const before = (await local()).sort();
  assert.ok(before.some((k) => k.endsWith(":2004:state:sco-1")), before.join(","));
  assert.ok(before.some((k) => k.includes(":2004:queue:")), before.join(","));
  await waitForAsync(page, async (keys) => {
    const have = await new Promise((resolve) => {
      const req = indexedDB.open("scorm-shim", 1);
      req.onsuccess = () => { const r = req.result.transaction("records").objectStore("records").getAllKeys(); r.onsuccess = () => resolve(r.result); };
    });
    return keys.every((k) => have.includes(k));
  }, before);
  const result = await page.evaluate(() => ScormShim.purge());
  assert.ok(result.removed >= 2 && result.kept === 0, JSON.stringify(result));
  assert.equal((await state("reg-purge")).scos["sco-1"]["cmi.location"], "p", "delivered before it was removed");
  assert.deepEqual(await local(), []);
  assert.deepEqual((await durableKeys(page)).filter((k) => k.startsWith(prefix)), []);
  await context.close();
});

test("purge({force: true}) removes undelivered data at once; without an endpoint purge() needs force", async () => {
  const context = await browser.newContext();
  const page = await openLms(context, "reg-purge-force");
  await context.setOffline(true);
  await api(page, () => { const a = window.API_1484_11; a.Initialize(""); a.SetValue("cmi.location", "gone"); a.Commit(""); });
  const r = await page.evaluate(async () => {
    const out = {};
    let waited = false;
    const plain = ScormShim.purge().then(() => { waited = true; });
    await new Promise((res) => setTimeout(res, 500));
    out.waitsWhileUndelivered = !waited;
    out.forced = await ScormShim.purge({ force: true });
    out.left = Object.keys(localStorage).filter((k) => k.startsWith("scorm-shim:learner-1:"));
    plain.catch(() => {});
    return out;
  });
  assert.equal(r.waitsWhileUndelivered, true);
  assert.ok(r.forced.removed >= 2, JSON.stringify(r.forced));
  assert.deepEqual(r.left, []);
  assert.deepEqual((await durableKeys(page)).filter((k) => k.startsWith("scorm-shim:learner-1:")), []);
  await context.close();

  const local = await browser.newContext();
  const p2 = await local.newPage();
  await servePage(p2, `${backend.url}/no-endpoint.html`, `<!doctype html>
    <script src="/pkg/scorm-shim.js" data-learner-id="l-x" data-registration-id="r-x"></script>`);
  await p2.goto(`${backend.url}/no-endpoint.html`);
  const r2 = await p2.evaluate(async () => {
    await ScormShim.ready;
    const a = window.API_1484_11; a.Initialize(""); a.Commit("");
    const refused = await ScormShim.purge().then(() => "purged", (e) => e.message);
    const forced = await ScormShim.purge({ force: true });
    return { refused, forced, left: Object.keys(localStorage).filter((k) => k.startsWith("scorm-shim:l-x:")) };
  });
  assert.match(r2.refused, /only copy/);
  assert.ok(r2.forced.removed >= 1);
  assert.deepEqual(r2.left, []);
  await local.close();
});
