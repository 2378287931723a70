// End-to-end (issue 15): the offline course player in a real Chromium on its
// own profile, against the reference backend. A course is added to the
// library on the device (by the URL of its manifest, of its zip, or from a
// file), then played with no network at all (the browser context offline
// AND the server and backend stopped) through sequencing, suspend and
// resume across a reload and a browser restart; once the network is back
// the queue drains to the backend, every batch applied once and in order.
// Also: a half-downloaded course is never offered, a stopped download is
// resumed (Range/If-Range) or removed, removing a course keeps its learner
// data until it is delivered, a newer version is offered while an attempt
// in progress keeps the version it started with.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeZip, sequencedEntries } from "./preview-harness.mjs";
import { createRequire } from "node:module";
import { ROOT, waitForAsync } from "./harness.mjs";
import { startSite, startChromium, learnerPage, libraryReady, entries, scoShowing } from "./offline-harness.mjs";

const COURSE = "com.example.scorm-shim.sequenced";
let site;
const profiles = mkdtempSync(path.join(tmpdir(), "scorm-offline-profiles-"));

before(async () => { site = await startSite(); });
after(async () => {
  await site?.stop();
  rmSync(profiles, { recursive: true, force: true });
});

/** A Chromium on a fresh (or the given) profile, its page opened at the library as `learner`. */
async function browserFor(learner, profile = mkdtempSync(path.join(profiles, "p-"))) {
  const b = await startChromium(profile);
  await learnerPage(b.context, site, learner);
  const page = b.context.pages()[0] || await b.context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("dialog", (d) => d.accept());
  b.profile = profile;
  b.page = page;
  return b;
}

/** Open the library and wait until the player's shell is stored for offline use. */
async function openLibrary(page, { shell = true } = {}) {
  await page.goto(site.url + "/course.html");
  await libraryReady(page);
  if (shell) await page.waitForFunction(() => document.documentElement.dataset.shell === "ready", null, { timeout: 60000 });
}

/** Waits until the library records attempt state `state` (written at `since` or later, an ISO time of the page's clock). */
async function recorded(page, key, state, since = "") {
  await waitForAsync(page, async ([k, want, after]) => {
    try {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("scorm-library");
      const r = JSON.parse(await (await (await dir.getFileHandle(k + ".json")).getFile()).text());
      return Object.values(r.attempts || {}).some((a) => a.state === want && a.at >= after);
    } catch {
      return false;
    }
  }, [key, state, since]);
}

/** Watch the progress bar: every value it showed, kept in the page. */
async function watchProgress(page) {
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const p = document.documentElement.dataset.progress;
      if (p) window.__progress.push({ ...JSON.parse(p), visible: document.getElementById("progress-visible").textContent });
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-progress"] });
  });
}

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** axe-core's WCAG 2.1 A/AA violations on the page (not inside a course's frame). */
async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    iframes: false,
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
}

/** On a failure: what the page showed (its states, messages and errors). */
async function explain(page) {
  const seen = await page.evaluate(() => ({
    url: location.href, state: { ...document.documentElement.dataset },
    messages: document.getElementById("messages").textContent.trim(), panel: document.getElementById("message").textContent.trim(),
  })).catch((e) => String(e));
  console.log("page at failure:", JSON.stringify(seen), page.errors);
}

async function addUrl(page, url) {
  await page.fill("#add-url-input", url);
  await page.click("#add-url button[type=submit]");
  await page.waitForFunction(() => ["done", "failed"].includes(document.documentElement.dataset.import), null, { timeout: 60000 });
  return page.evaluate(() => document.documentElement.dataset.import);
}

async function batches(registration, learner) {
  const b = (await site.api(`/api/batches?registration=${encodeURIComponent(registration)}`, learner, registration, COURSE)).batches || [];
  return b.filter((x) => x.status === "applied");
}

function assertOnceInOrder(applied) {
  const seqs = applied.map((b) => b.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "batches applied once each, in order, without gaps");
  assert.equal(new Set(applied.map((b) => b.key)).size, applied.length, "no idempotency key applied twice");
}

test("a course added by its manifest's URL plays offline: sequencing, suspend, reload, browser restart; the queue drains once online", async () => {
  const learner = "off-" + Date.now();
  let b = await browserFor(learner);
  try {
    let page = b.page;
    await openLibrary(page);
    await watchProgress(page);
    assert.equal(await addUrl(page, "/courses/sequenced/imsmanifest.xml"), "done");
    const progress = await page.evaluate(() => window.__progress);
    assert.ok(progress.length >= 2, "the progress bar moved: " + JSON.stringify(progress));
    const last = progress[progress.length - 1];
    assert.ok(last.files >= 1 && last.fileCount >= 2, "files counted: " + JSON.stringify(last));
    assert.match(last.visible, /Downloading “.*”: [\d.]+ [kK]?B/);
    let list = await entries(page);
    assert.equal(list.length, 1);
    assert.equal(list[0].play, true);
    assert.match(list[0].meta, /version 1 · [\d.]+ [kK]B · from \/courses\/sequenced\/imsmanifest\.xml/);
    assert.match(await page.textContent("#storage-state"), /^Stored on this device: .+\. Space left for courses: .+\.$/);

    // The network goes: the browser offline and nothing listening.
    await b.context.setOffline(true);
    await site.down();
    await page.reload();
    await libraryReady(page);
    list = await entries(page);
    assert.equal(list[0].play, true, "offered with no network");
    await page.click(`#courses li[data-key="${list[0].key}"] a.button`);
    let sco = await scoShowing(page, "lesson=1");
    const registration = await page.evaluate(() => document.documentElement.dataset.registration);
    await sco.click("#done");
    sco = await scoShowing(page, "lesson=2");
    await sco.click("#later");
    await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
    assert.equal(await page.textContent("#message-title"), "Your place is saved.");

    // A reload, offline: it resumes where the learner left.
    await page.reload();
    sco = await scoShowing(page, "lesson=2");
    assert.match(await sco.textContent("#text"), /welcome back/);
    // (the "suspended" of the first visit is there already: wait for this one)
    const since = await page.evaluate(() => new Date().toISOString());
    await sco.click("#later");
    await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
    await recorded(page, list[0].key, "suspended", since);

    // The browser restarts on the same profile, still offline.
    await b.close();
    b = await browserFor(learner, b.profile);
    page = b.page;
    await b.context.setOffline(true);
    await page.goto(site.url + "/course.html");
    await libraryReady(page);
    list = await entries(page);
    // The attempt's last state ("suspended", waited for above) survived the restart.
    assert.equal(list[0].attempt, "suspended");
    assert.deepEqual(list[0].actions.slice(0, 1), ["Resume"]);
    await page.click(`#courses li[data-key="${list[0].key}"] a.button`);
    sco = await scoShowing(page, "lesson=2");
    assert.match(await sco.textContent("#text"), /welcome back/);
    await sco.click("#done");
    sco = await scoShowing(page, "quiz");
    await sco.check("input[value=right]");
    await sco.click("#done");
    await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
    assert.match(await page.textContent("#course-result"), /Passed/);
    const pending = await page.evaluate(() => Object.values(ScormShim.queueStatus()).reduce((n, q) => n + q.pending, 0));
    assert.ok(pending > 0, "commits wait in the local queue while offline");

    // The network comes back: the queue drains, every batch once and in order.
    await site.up();
    await b.context.setOffline(false);
    await page.waitForFunction(() => Object.values(ScormShim.queueStatus()).every((q) => q.pending === 0), null, { timeout: 30000, polling: 200 });
    const applied = await batches(registration, learner);
    assert.ok(applied.length >= pending, `${applied.length} batches applied, ${pending} were waiting`);
    assertOnceInOrder(applied);
    const state = await site.api(`/api/state?registration=${encodeURIComponent(registration)}`, learner, registration, COURSE);
    const scos = Object.values(state.scos || {});
    assert.ok(scos.some((s) => s["cmi.score.scaled"] === "1"), "the quiz's score arrived: " + JSON.stringify(state.scos));
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
    await site.up();
  }
});

/** The sequenced sample as a zip, with `pad` bytes of incompressible media so a download takes several chunks. */
function sequencedZip({ pad = 0, title = "" } = {}) {
  const entries = sequencedEntries();
  if (title) {
    const m = entries.find((e) => e.name === "imsmanifest.xml");
    m.data = Buffer.from(m.data.toString("utf8").replace(/<title>[^<]*<\/title>/, `<title>${title}</title>`));
  }
  if (pad) entries.push({ name: "media/clip.bin", data: randomBytes(pad), method: 0 });
  return makeZip(entries);
}

/** The library key of a course added by URL (www/player/library-rules.js keyOfUrl). */
function keyOfUrl(url) {
  return "u" + createHash("sha256").update(new URL(url).href).digest("hex").slice(0, 24);
}

/** What the package store holds, read in the page: complete packages and unfinished downloads. */
async function storeContents(page) {
  return page.evaluate(async () => {
    const { openStore } = await import("/lib/package-store.js");
    const s = await openStore();
    return { packages: (await s.list()).map((p) => ({ id: p.id, stub: !!p.stub, bytes: p.bytes })), downloads: (await s.downloads()).map((d) => ({ id: d.id, bytes: d.bytes })) };
  });
}

test("a zip by URL: a download cut half-way is never offered, resumes with Range/If-Range, then plays; another is removed", async () => {
  const learner = "zip-" + Date.now();
  const b = await browserFor(learner);
  try {
    const page = b.page;
    const zip = sequencedZip({ pad: 3 * 1024 * 1024 });
    site.publish("/pub/cut.zip", zip, { cut: 1024 * 1024 });
    site.publish("/pub/dropped.zip", sequencedZip({ pad: 2 * 1024 * 1024 }), { cut: 512 * 1024 });
    await openLibrary(page);
    await watchProgress(page);
    assert.equal(await addUrl(page, "/pub/cut.zip"), "failed");
    assert.match(await page.textContent("#messages"), /was not downloaded completely.*What was downloaded is kept: resume it from the list below, or remove it\./s);
    let list = await entries(page);
    assert.equal(list.length, 1);
    assert.equal(list[0].download, "stopped");
    assert.equal(list[0].play, false, "a half-downloaded course is not offered");
    assert.match(list[0].text, /Downloading stopped at [\d.]+ [kKM]B of [\d.]+ MB.*Not playable until the download is complete\./s);
    assert.deepEqual(list[0].actions, ["Resume", "Remove"]);
    const progress = await page.evaluate(() => window.__progress);
    assert.ok(progress.some((p) => p.total === zip.length && p.bytes > 0 && p.bytes < zip.length), "the bar showed bytes of the total");

    // Asked for directly, the course is not there to play.
    const key = keyOfUrl(site.url + "/pub/cut.zip");
    await page.goto(site.url + "/course.html?course=" + key);
    await page.waitForFunction(() => document.documentElement.dataset.state === "error");
    assert.match(await page.textContent("#message"), /This course is not on this device\./);

    // Resumed: the server is asked for the rest only, if the file is still the same.
    await openLibrary(page, { shell: false });
    const before = site.log.length;
    await page.click("#courses li[data-download=stopped] button:has-text('Resume')");
    await page.waitForFunction(() => document.documentElement.dataset.import === "done", null, { timeout: 60000 });
    const resumed = site.log.slice(before).filter((r) => r.path === "/pub/cut.zip" && r.method === "GET");
    assert.equal(resumed.length, 1, JSON.stringify(resumed));
    assert.match(resumed[0].range, /^bytes=\d+-$/);
    assert.ok(Number(/\d+/.exec(resumed[0].range)[0]) >= 512 * 1024, "resumed past what was kept: " + resumed[0].range);
    assert.equal(resumed[0].ifRange, site.published.get("/pub/cut.zip").etag);
    assert.equal(resumed[0].status, 206);
    list = await entries(page);
    assert.equal(list.length, 1);
    assert.equal(list[0].play, true);
    assert.match(list[0].meta, /version 1 · 3(\.\d)? MB · from \/pub\/cut\.zip/);

    // A second download stops; it is removed with what it kept.
    assert.equal(await addUrl(page, "/pub/dropped.zip"), "failed");
    assert.equal((await storeContents(page)).downloads.length, 1);
    await page.click("#courses li[data-download=stopped] button:has-text('Remove')");
    await page.waitForFunction(() => !document.querySelector("#courses li[data-download=stopped]"));
    assert.deepEqual((await storeContents(page)).downloads, []);

    // The complete one plays.
    await page.click(`#courses li[data-key="${key}"] a.button`);
    const sco = await scoShowing(page, "lesson=1");
    assert.match(await sco.textContent("#text"), /first visit/);
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
  }
});

test("a zip from a file on the device: stored with progress, then played", async () => {
  const b = await browserFor("file-" + Date.now());
  try {
    const page = b.page;
    await openLibrary(page);
    await watchProgress(page);
    await page.setInputFiles("#add-file", { name: "sequenced-course.zip", mimeType: "application/zip", buffer: sequencedZip({ pad: 1024 * 1024 }) });
    await page.waitForFunction(() => ["done", "failed"].includes(document.documentElement.dataset.import), null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.import), "done");
    const progress = await page.evaluate(() => window.__progress);
    assert.ok(progress.some((p) => /^Storing “sequenced-course\.zip”/.test(p.visible)), JSON.stringify(progress));
    const list = await entries(page);
    assert.equal(list.length, 1);
    assert.match(list[0].meta, /version 1 · 1(\.\d)? MB · from the file “sequenced-course\.zip”/);
    assert.ok(!list[0].actions.includes("Check for updates"), "a file has no address to check");
    await page.click(`#courses li[data-key="${list[0].key}"] a.button`);
    await scoShowing(page, "lesson=1");
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
  }
});

test("removing a course played offline keeps its learner data until the queue has delivered it", async () => {
  const learner = "rm-" + Date.now();
  const b = await browserFor(learner);
  try {
    const page = b.page;
    site.publish("/pub/removed.zip", sequencedZip());
    await openLibrary(page);
    assert.equal(await addUrl(page, "/pub/removed.zip"), "done");
    await b.context.setOffline(true);
    await site.down();
    const key = keyOfUrl(site.url + "/pub/removed.zip");
    await page.click(`#courses li[data-key="${key}"] a.button`);
    let sco = await scoShowing(page, "lesson=1");
    const registration = await page.evaluate(() => document.documentElement.dataset.registration);
    await sco.click("#done");
    sco = await scoShowing(page, "lesson=2");
    await sco.click("#later");
    await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
    const waiting = await page.evaluate(() => Object.values(ScormShim.queueStatus()).reduce((n, q) => n + q.pending, 0));
    assert.ok(waiting > 0);

    // Back to the library (offline), remove the course.
    await page.click("#library-link");
    await libraryReady(page);
    let list = await entries(page);
    assert.match(list[0].text, /progress not sent yet/);
    await page.click(`#courses li[data-key="${key}"] button:has-text('Remove')`);
    await page.waitForFunction(() => document.getElementById("courses").childElementCount === 0);
    assert.match(await page.textContent("#messages"), /was removed from this device/);
    // The files are gone but for the manifest, kept to send the progress.
    let held = await storeContents(page);
    assert.equal(held.packages.length, 1);
    assert.equal(held.packages[0].stub, true);
    assert.ok(held.packages[0].bytes < 10000, "only the manifest is kept: " + held.packages[0].bytes);
    const localQueue = await page.evaluate((reg) => Object.keys(localStorage).filter((k) => k.includes(reg) && k.includes(":queue")).length, registration);
    assert.ok(localQueue > 0, "the learner's queue is still on the device");

    // Online again: the library sends it, then lets the manifest go.
    await site.up();
    await b.context.setOffline(false);
    await page.waitForFunction(() => document.documentElement.dataset.sent === "done", null, { timeout: 60000 });
    const applied = await batches(registration, learner);
    assert.ok(applied.length >= waiting, `${applied.length} applied, ${waiting} were waiting`);
    assertOnceInOrder(applied);
    const state = await site.api(`/api/state?registration=${encodeURIComponent(registration)}`, learner, registration, COURSE);
    assert.ok(Object.values(state.scos || {}).some((s) => s["cmi.success_status"] === "passed"), JSON.stringify(state.scos));
    held = await storeContents(page);
    assert.deepEqual(held.packages, [], "the kept manifest goes once delivered");
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
    await site.up();
  }
});

test("a newer version published at the course's URL is offered; the attempt in progress keeps its version until the learner starts over", async () => {
  const learner = "upd-" + Date.now();
  const b = await browserFor(learner);
  try {
    const page = b.page;
    site.publish("/pub/updated.zip", sequencedZip({ title: "Edition one" }));
    await openLibrary(page);
    assert.equal(await addUrl(page, "/pub/updated.zip"), "done");
    const key = keyOfUrl(site.url + "/pub/updated.zip");
    const item = `#courses li[data-key="${key}"]`;
    await page.click(`${item} a.button`);
    let sco = await scoShowing(page, "lesson=1");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.packageVersion), "1");
    await sco.click("#done");
    sco = await scoShowing(page, "lesson=2");
    const since = await page.evaluate(() => new Date().toISOString());
    await sco.click("#later");
    await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");
    // the library's record of the attempt is written just after
    await recorded(page, key, "suspended", since);

    site.publish("/pub/updated.zip", sequencedZip({ title: "Edition two" }));
    await page.click("#library-link");
    await libraryReady(page);
    await page.click(`${item} button:has-text('Check for updates')`);
    await page.waitForSelector(`${item}[data-newer=published]`);
    assert.match(await page.textContent(item), /A newer version of this course is published\. Your attempt in progress keeps the version it started with\./);
    await page.click(`${item} button:has-text('Download the new version')`);
    await page.waitForFunction(() => document.documentElement.dataset.import === "done", null, { timeout: 60000 });
    await page.waitForSelector(`${item}[data-newer=stored]`);
    let list = await entries(page);
    assert.match(list[0].text, /Version 2 of this course is on this device\. Your attempt continues on version 1 until you start over\./);
    assert.deepEqual(list[0].actions.slice(0, 2), ["Resume", "Start over with version 2"]);
    assert.equal(list[0].title, "Edition one", "the entry is titled as the version the learner plays");

    // Resume: version 1, where the learner left it.
    await page.click(`${item} a.button`);
    sco = await scoShowing(page, "lesson=2");
    assert.match(await sco.textContent("#text"), /welcome back/);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.packageVersion), "1");
    assert.equal(await page.textContent("#course-title"), "Edition one");
    assert.match(await page.textContent("#messages"), /Version 2 of this course is on this device\. Your attempt continues on version 1\./);
    await sco.click("#later");
    await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");

    // Start over: version 2, a new attempt.
    await page.click("#library-link");
    await libraryReady(page);
    await page.click(`${item} button:has-text('Start over with version 2')`);
    await page.waitForFunction((sel) => { const li = document.querySelector(sel); return li && !li.dataset.newer && li.dataset.attempt === "none"; }, item);
    list = await entries(page);
    assert.match(list[0].meta, /^version 2 · /);
    assert.equal(list[0].title, "Edition two");
    await page.click(`${item} a.button`);
    sco = await scoShowing(page, "lesson=1");
    assert.match(await sco.textContent("#text"), /first visit/);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.packageVersion), "2");
    assert.equal(await page.textContent("#course-title"), "Edition two");
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
  }
});

test("storage trouble: the quota passed during a manifest download is said in words and resumed once there is room", async () => {
  const b = await browserFor("quota-" + Date.now());
  try {
    const page = b.page;
    const sco = readFileSync(path.join(ROOT, "www/courses/sequenced/sco.html"));
    const manifest = readFileSync(path.join(ROOT, "www/courses/sequenced/imsmanifest.xml"), "utf8")
      .replace('href="sco.html">', 'href="sco.html">\n      <file href="media/clip.bin"/>');
    assert.match(manifest, /media\/clip\.bin/);
    site.publish("/big/imsmanifest.xml", Buffer.from(manifest), { type: "application/xml" });
    site.publish("/big/sco.html", sco, { type: "text/html" });
    site.publish("/big/media/clip.bin", randomBytes(6 * 1024 * 1024), { type: "application/octet-stream" });
    await openLibrary(page);
    // A real quota: this origin may store only 3 MB more than it does now.
    const cdp = await b.context.newCDPSession(page);
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: site.url, quotaSize: usage + 3 * 1024 * 1024 });
    assert.equal(await addUrl(page, "/big/imsmanifest.xml"), "failed");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.importError), "quota");
    assert.match(await page.textContent("#messages"), /was not downloaded completely\. the browser's storage for this site is full; remove packages you no longer need\. What was downloaded is kept/);
    let list = await entries(page);
    assert.equal(list.length, 1);
    assert.equal(list[0].download, "stopped");
    assert.equal(list[0].play, false);
    // Room again: the download goes on from the files it has.
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: site.url });
    const before = site.log.length;
    await page.click("#courses li[data-download=stopped] button:has-text('Resume')");
    await page.waitForFunction(() => document.documentElement.dataset.import === "done", null, { timeout: 60000 });
    const again = site.log.slice(before).filter((r) => r.method === "GET").map((r) => r.path);
    assert.ok(!again.includes("/big/sco.html") && !again.includes("/big/imsmanifest.xml"), "files stored before are not fetched again: " + again);
    list = await entries(page);
    assert.equal(list[0].play, true);
    await page.click(`#courses li[data-key="${list[0].key}"] a.button`);
    await scoShowing(page, "lesson=1");
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
  }
});

test("storage trouble: files evicted and a damaged entry are said in words; the learner's progress is kept and the course resumes when downloaded again", async () => {
  const learner = "evict-" + Date.now();
  const b = await browserFor(learner);
  try {
    const page = b.page;
    site.publish("/pub/evicted.zip", sequencedZip());
    await openLibrary(page);
    assert.equal(await addUrl(page, "/pub/evicted.zip"), "done");
    const key = keyOfUrl(site.url + "/pub/evicted.zip");
    const item = `#courses li[data-key="${key}"]`;
    await page.click(`${item} a.button`);
    let sco = await scoShowing(page, "lesson=1");
    await sco.click("#done");
    sco = await scoShowing(page, "lesson=2");
    await sco.click("#later");
    await page.waitForFunction(() => document.documentElement.dataset.delivery === "ended");

    // A damaged library record is rebuilt from the package.
    await page.evaluate(async (k) => {
      const lib = await (await navigator.storage.getDirectory()).getDirectoryHandle("scorm-library");
      const w = await (await lib.getFileHandle(k + ".json")).createWritable();
      await w.write("{ not json");
      await w.close();
    }, key);
    await page.click("#library-link");
    await libraryReady(page);
    let list = await entries(page);
    assert.equal(list.length, 1);
    assert.equal(list[0].play, true, "rebuilt: " + list[0].text);

    // The files go (as when the browser evicts them).
    const { packages } = await storeContents(page);
    await page.evaluate(async (id) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("scorm-packages");
      await dir.removeEntry(id, { recursive: true });
    }, packages[0].id);
    await page.reload();
    await libraryReady(page);
    list = await entries(page);
    assert.equal(list[0].problem, "evicted");
    assert.match(list[0].text, /This course cannot be played: its files are no longer on this device/);
    assert.deepEqual(list[0].actions, ["Download again", "Remove"]);
    await page.goto(site.url + "/course.html?course=" + key);
    await page.waitForFunction(() => document.documentElement.dataset.state === "error");
    assert.match(await page.textContent("#message"), /This course's files are no longer on this device\..*your progress is kept|This course is not on this device/s);

    // Downloaded again: the same registration, so the learner resumes where they left.
    await page.goto(site.url + "/course.html");
    await libraryReady(page);
    await page.click(`${item} button:has-text('Download again')`);
    await page.waitForFunction(() => document.documentElement.dataset.import === "done", null, { timeout: 60000 });
    await page.click(`${item} a.button`);
    sco = await scoShowing(page, "lesson=2");
    assert.match(await sco.textContent("#text"), /welcome back/);

    // A damaged package: its description cannot be read.
    const now = await storeContents(page);
    await page.evaluate(async (id) => {
      const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle("scorm-packages")).getDirectoryHandle(id);
      const w = await (await dir.getFileHandle("meta.json")).createWritable();
      await w.write("garbage");
      await w.close();
    }, now.packages[0].id);
    await page.goto(site.url + "/course.html");
    await libraryReady(page);
    list = await entries(page);
    assert.equal(list[0].problem, "corrupt");
    assert.match(list[0].text, /its stored files are damaged/);
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
  }
});

test("the library at 1024×768 and on a phone: nothing cut off, errors in the page, keyboard operable, no WCAG 2.1 AA violation", async () => {
  const b = await browserFor("layout-" + Date.now());
  try {
    const page = b.page;
    // axe-core goes in as a script the page's Content-Security-Policy would refuse.
    await (await b.context.newCDPSession(page)).send("Page.setBypassCSP", { enabled: true });
    site.publish("/pub/layout-cut.zip", sequencedZip({ pad: 2 * 1024 * 1024 }), { cut: 256 * 1024 });
    await openLibrary(page);
    assert.equal(await addUrl(page, "/courses/sequenced/imsmanifest.xml"), "done");
    assert.equal(await addUrl(page, "/pub/layout-cut.zip"), "failed");
    for (const viewport of [{ width: 1024, height: 768 }, { width: 390, height: 844 }, { width: 844, height: 390 }]) {
      await page.setViewportSize(viewport);
      const seen = await page.evaluate(() => {
        const over = [...document.querySelectorAll("#library button, #library a, #library input, #messages button, #messages p, #courses h3")]
          .filter((e) => e.offsetParent !== null)
          .map((e) => ({ e, r: e.getBoundingClientRect() }))
          .filter(({ r }) => r.right > window.innerWidth + 1 || r.left < -1)
          .map(({ e, r }) => `${e.tagName}.${e.className}: ${Math.round(r.left)}-${Math.round(r.right)}`);
        return { scroll: document.documentElement.scrollWidth, width: window.innerWidth, over, error: [...document.querySelectorAll("#messages .msg-error")].some((m) => m.offsetParent !== null && /was not downloaded completely/.test(m.textContent)) };
      });
      assert.ok(seen.scroll <= seen.width, `${viewport.width}×${viewport.height}: the page scrolls sideways (${seen.scroll} > ${seen.width})`);
      assert.deepEqual(seen.over, [], `${viewport.width}×${viewport.height}: controls cut off`);
      assert.equal(seen.error, true, "the failed download is said in the page");
      assert.deepEqual(await violations(page), [], `${viewport.width}×${viewport.height}`);
    }
    // Keyboard: Tab reaches the course's Play link, Enter opens it.
    await page.setViewportSize({ width: 1024, height: 768 });
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement && document.activeElement.matches("#courses a.button"));
    }
    assert.ok(reached, "the Play link is reachable by Tab");
    await page.keyboard.press("Enter");
    await scoShowing(page, "lesson=1");
    assert.deepEqual(page.errors, []);
  } catch (e) {
    await explain(b.page);
    throw e;
  } finally {
    await b.close();
  }
});
