// End-to-end: what the preview accepts and refuses (hostile zips, ZIP64,
// legacy names), the other ways in (folder, URL), the author controls and
// exports, no stray network request, accessibility, and the page served by
// the reference backend and by `python3 -m http.server`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, mkdtempSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { launchBrowser, startBackend, ROOT } from "./harness.mjs";
import {
  startStatic, makeZip, sample12Entries, sequencedEntries, openPreview, dropFile, importOutcome,
} from "./preview-harness.mjs";

let server, browser;
before(async () => {
  server = await startStatic();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function fresh(base = server.url, prefix = "/www") {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(base + prefix + "/preview.html", { timeout: 15000 });
  } catch (e) {
    // The reference backend (tiny_http, 4 request threads) now and then
    // leaves one of a first page load's parallel module requests unanswered;
    // a second load works. A backend issue, reported; not the preview's.
    if (!/Timeout/.test(String(e))) throw e;
    await page.goto(base + prefix + "/preview.html");
  }
  try {
    await page.waitForFunction(() => document.documentElement.dataset.ready === "true", null, { timeout: 30000 });
  } catch (e) {
    throw new Error("the preview did not get ready: " + (await page.locator("#messages").innerText()) + " " + errors.join("; "));
  }
  return { context, page, errors };
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

const MANIFEST = sequencedEntries().find((e) => e.name === "imsmanifest.xml");
const SCO = sequencedEntries().find((e) => e.name === "sco.html");

// [title, zip bytes, refusal id, message pattern]
const HOSTILE = [
  ["not a zip", Buffer.from("\x89PNG\r\n\x1a\n not a zip at all, just bytes ".repeat(20)), "notZip", /not a zip archive/],
  ["an empty file", Buffer.alloc(0), "notZip", /not a zip archive/],
  ["no manifest", makeZip([{ name: "index.html", data: "<p>hi</p>" }]), "noManifest", /no imsmanifest\.xml: it is not a content package/],
  ["a manifest deeper than the root", makeZip([{ name: "a/imsmanifest.xml", data: MANIFEST.data }, { name: "b/sco.html", data: SCO.data }]), "noManifest", /at "a\/imsmanifest\.xml", but other files lie outside its folder/],
  ["a ../ path", makeZip([MANIFEST, SCO, { name: "../../evil.js", data: "x" }]), "parent", /"\.\.\/\.\.\/evil\.js" has a \.\. segment/],
  ["an absolute path", makeZip([MANIFEST, SCO, { name: "/etc/evil.js", data: "x" }]), "absolute", /absolute path/],
  ["a drive letter", makeZip([MANIFEST, SCO, { name: "C:/Windows/evil.dll", data: "x" }]), "drive", /drive letter/],
  ["a backslash path", makeZip([MANIFEST, SCO, { name: "..\\evil.js", data: "x" }]), "backslash", /backslash/],
  ["a zip bomb (ratio)", makeZip([MANIFEST, SCO, { name: "zeros.bin", data: Buffer.alloc(20 * 1024 * 1024) }]), "ratio", /zeros\.bin" inflates .* into 21 MB .*zip bomb/],
  ["a zip bomb (total size)", makeZip([MANIFEST, SCO, ...Array.from({ length: 9 }, (_, i) => ({ name: "v" + i + ".mp4", data: "x", method: 0, size: 2 * 1024 ** 3, compressedSize: 2 * 1024 ** 3 }))]), "totalBytes", /inflates to 19 GB; at most 17 GB is accepted/],
  ["overlapping entries (bomb)", makeZip([MANIFEST, SCO, { name: "a.bin", data: "aaaa" }, { name: "b.bin", data: "bbbb", offset: 0 }]), "overlap", /share stored data/],
  ["duplicate names", makeZip([MANIFEST, SCO, { name: "x.js", data: "1" }, { name: "x.js", data: "2" }]), null, /named "x\.js"|can be read in two ways/],
  ["an encrypted entry", makeZip([MANIFEST, SCO, { name: "secret.js", data: "x", method: 0, flags: 1 }]), "encrypted", /password-protected/],
  ["Deflate64", makeZip([MANIFEST, SCO, { name: "big.bin", data: "x", method: 9 }]), "method", /Deflate64/],
  ["a truncated zip", makeZip([MANIFEST, SCO]).subarray(0, 200), "notZip", /not a zip archive/],
];

test("hostile zips are refused, each with its message, and nothing is stored", async () => {
  const { context, page, errors } = await fresh();
  for (const [title, bytes, id, pattern] of HOSTILE) {
    await dropFile(page, title + ".zip", bytes);
    assert.equal(await importOutcome(page), "failed", title);
    if (id) assert.equal(await page.evaluate(() => document.documentElement.dataset.importError), id, title);
    const message = await page.locator("#messages .message.error").first().innerText();
    assert.match(message, new RegExp("“" + title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\.zip” was not opened"), title);
    assert.match(message, pattern, title + ": " + message);
  }
  assert.match(await page.locator("#open .stored").innerText(), /No package is stored yet/);
  const leftovers = await page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("scorm-packages", { create: true });
    const out = [];
    for await (const [name] of dir.entries()) out.push(name);
    return out;
  });
  assert.deepEqual(leftovers, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("ZIP64 records, CP437 and UTF-8 names, stored entries and a wrapping folder are read; a lying size is cut off", async () => {
  const { context, page } = await fresh();
  const cp437 = Buffer.from([0x70, 0x6b, 0x67, 0x2f, 0x63, 0x61, 0x66, 0x82, 0x2e, 0x74, 0x78, 0x74]); // "pkg/caf\x82.txt": é in CP437
  const zip = makeZip([
    { name: "pkg/imsmanifest.xml", data: MANIFEST.data },
    { name: "pkg/sco.html", data: SCO.data, method: 0 },
    { nameBytes: cp437, data: "legacy name" },
    { name: "pkg/日本語/ファイル.txt", data: "utf-8 name" },
    { name: "pkg/liar.txt", data: "x".repeat(5000), size: 10 },
    { name: "__MACOSX/pkg/._sco.html", data: "resource fork" },
  ], { zip64: true });
  await dropFile(page, "zip64.zip", zip);
  assert.equal(await importOutcome(page), "done");
  const report = await page.locator("#panel-report").innerText();
  assert.match(report, /café\.txt/);
  assert.match(report, /日本語\/ファイル\.txt/);
  assert.match(report, /1 file\(s\) that operating systems add/);
  const id = await page.evaluate(() => document.documentElement.dataset.package);
  const got = await page.evaluate(async (id) => {
    const t = async (p) => { const r = await fetch("package/" + id + "/" + p); return r.status + " " + await r.text(); };
    let liar;
    try { liar = await t("liar.txt"); } catch (e) { liar = "error " + e.name; }
    return [await t("caf%C3%A9.txt"), await t(encodeURIComponent("日本語") + "/" + encodeURIComponent("ファイル.txt")), liar];
  }, id);
  assert.equal(got[0], "200 legacy name");
  assert.equal(got[1], "200 utf-8 name");
  assert.ok(got[2].startsWith("error") || got[2].length <= "200 ".length + 10, "a file that inflates past its declared size is not served whole: " + got[2].slice(0, 40));
  await page.click("#play");
  await waitActivity(page, "L1");
  await context.close();
});

test("a folder chosen with the folder picker, and packages by URL (a zip, and an imsmanifest.xml)", async () => {
  const { context, page } = await fresh();
  await page.setInputFiles("input[name=folder]", path.join(ROOT, "www/courses/sequenced"));
  assert.equal(await importOutcome(page), "done");
  assert.match(await page.locator("#panel-report").innerText(), /Safe data in three steps/);
  await page.click("#play");
  await waitActivity(page, "L1");

  server.routes.set("/test/course.zip", { body: makeZip(sample12Entries()) });
  await page.fill("#url", server.url + "/test/course.zip");
  await page.click("form.url button");
  assert.equal(await importOutcome(page), "done");
  assert.match(await page.locator("#panel-report").innerText(), /SCORM version\s+1\.2/);

  await page.fill("#url", server.url + "/www/courses/sequenced/imsmanifest.xml");
  await page.click("form.url button");
  assert.equal(await importOutcome(page), "done");
  assert.match(await page.locator("#panel-report").innerText(), /From\s+http:\/\/127\.0\.0\.1:\d+\/www\/courses\/sequenced\/imsmanifest\.xml/);
  await page.click("#play");
  const sco = await waitActivity(page, "L1");
  assert.match(await sco.locator("#text").innerText(), /first visit/);

  await page.fill("#url", server.url + "/test/missing.zip");
  await page.click("form.url button");
  assert.equal(await importOutcome(page), "failed");
  assert.match(await page.locator("#messages .message.error").first().innerText(), /answered 404/);
  await context.close();
});

// A SCORM 1.2 SCO that shows what the LMS gave it and writes 5,000 characters of suspend_data.
const PROBE = [
  { name: "imsmanifest.xml", data: `<?xml version="1.0"?>
<manifest identifier="probe" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
<organizations default="O"><organization identifier="O"><title>Probe</title><item identifier="P" identifierref="R"><title>Probe SCO</title></item></organization></organizations>
<resources><resource identifier="R" type="webcontent" adlcp:scormtype="sco" href="probe.html"><file href="probe.html"/></resource></resources></manifest>` },
  { name: "probe.html", data: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Probe</title></head><body><pre id="out"></pre><script>
var api = window.parent.API, out = [];
api.LMSInitialize("");
["cmi.core.student_id", "cmi.core.student_name", "cmi.core.credit", "cmi.core.lesson_mode", "cmi.core.entry", "cmi.core.lesson_location"].forEach(function (e) { out.push(e + "=" + api.LMSGetValue(e)); });
var ok = api.LMSSetValue("cmi.suspend_data", new Array(5001).join("s"));
out.push("suspend=" + ok + " " + api.LMSGetLastError());
api.LMSSetValue("cmi.core.lesson_location", "<img src=x onerror=alert(1)>");
api.LMSSetValue("cmi.core.exit", "suspend");
api.LMSCommit("");
document.getElementById("out").textContent = out.join("\\n");
document.documentElement.dataset.probe = "done";
window.addEventListener("pagehide", function () { api.LMSFinish(""); });
</script></body></html>` },
];

async function probe(page) {
  const f = await waitActivity(page, "P");
  await f.waitForFunction(() => document.documentElement.dataset.probe === "done");
  return f.locator("#out").innerText();
}

test("author controls: learner, credit, mode, strict profile; relaunch resumes; reset starts over; exports", async () => {
  const { context, page, errors } = await fresh();
  await dropFile(page, "probe.zip", makeZip(PROBE));
  assert.equal(await importOutcome(page), "done");
  await page.click("#play");
  let out = await probe(page);
  assert.match(out, /student_id=author\n.*student_name=Author, Preview\n.*credit=credit\n.*lesson_mode=normal\n.*entry=ab-initio/s);
  assert.match(out, /suspend=true 0/, "the lenient profile takes 5,000 characters");

  await page.click("details.settings summary");
  await page.fill("#controls [name=learnerId]", "u-42");
  await page.fill("#controls [name=learnerName]", "Doe, Jo");
  await page.selectOption("#controls [name=credit]", "no-credit");
  await page.selectOption("#controls [name=mode]", "review");
  await page.selectOption("#controls [name=profile]", "strict");
  await page.click("#controls button[type=submit]");
  out = await probe(page);
  assert.match(out, /student_id=u-42\n.*student_name=Doe, Jo\n.*credit=no-credit\n.*lesson_mode=review/s);
  assert.match(out, /suspend=false 405/, "the strict profile refuses more than 4,096 characters: " + out);
  // Another learner: their own data, not the first learner's suspended session.
  assert.match(out, /entry=ab-initio/, "another learner starts their own attempt");

  // The first session's content check found the long suspend_data (lenient: a warning).
  await page.click("#tab-check");
  await page.waitForTimeout(300);
  assert.match(await page.locator("#panel-check").innerText(), /cmi\.suspend_data reached 5,000 characters; the limit is 4,096/);

  await page.click("#controls button[data-action=relaunch]");
  out = await probe(page);
  assert.match(out, /entry=resume\n.*lesson_location=<img src=x onerror=alert\(1\)>/s);

  await page.click("#controls button[data-action=reset]");
  out = await probe(page);
  assert.match(out, /entry=ab-initio\n.*lesson_location=\n/s);

  const [jsonDl] = await Promise.all([page.waitForEvent("download"), page.click("#controls button[data-action=json]")]);
  const data = JSON.parse(readFileSync(await jsonDl.path(), "utf8"));
  assert.equal(data.format, "scorm-shim-preview-session/1");
  assert.equal(data.settings.learnerId, "u-42");
  assert.ok(data.calls.total >= 40 && data.calls.list.length === data.calls.total, String(data.calls.total));
  assert.ok(data.calls.list.some((c) => c.error === "405" && /Incorrect data type/.test(c.explanation)));
  assert.ok(data.scoSessions.length >= 3);
  assert.ok(data.scoSessions.some((s) => s.findings.some((f) => f.check === "limits")));
  assert.ok(data.sequencing.trace.length >= 3);
  assert.ok(data.scos[0].dataModel.elements.some(([k]) => k === "cmi.core.student_id"));
  assert.equal(data.importReport.version, "1.2");

  const [htmlDl] = await Promise.all([page.waitForEvent("download"), page.click("#controls button[data-action=html]")]);
  const html = readFileSync(await htmlDl.path(), "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /Content check/);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"), "values from the course are text, never markup");
  assert.ok(!html.includes("<img src=x"), "no markup from the course");
  // The report is readable on its own.
  const view = await context.newPage();
  await view.setContent(html);
  assert.match(await view.locator("h1").innerText(), /Preview session: probe\.zip/);
  assert.ok(await view.locator("table").count() >= 5);
  assert.deepEqual(errors, []);
  await context.close();
});

test("nothing leaves the machine: playing a package requests only the page's assets; its files come from the service worker", async () => {
  const context = await browser.newContext();
  const requests = [];
  context.on("request", (r) => requests.push(r.url()));
  const page = await context.newPage();
  const before = server.log.length;
  await openPreview(page, server.url);
  await dropFile(page, "sequenced.zip", makeZip(sequencedEntries()));
  await importOutcome(page);
  await page.click("#play");
  let sco = await waitActivity(page, "L1");
  await sco.click("#done");
  sco = await waitActivity(page, "L2");
  await page.click("#tab-seq");
  await page.waitForTimeout(300);
  const origin = server.url;
  // The page's assets, and the files the service worker keeps so the pages open offline
  // (the application shell: www/app-shell.js lists them; the course player's too).
  const ASSETS = /^\/(www\/preview\.html|www\/preview\/[\w-]+\.(js|css)|www\/lib\/[\w-]+\.js|www\/vendor\/zip\.js\/zip-core-external\.min\.js|www\/sw\.js|www\/app-shell\.js|www\/course\.(html|css|webmanifest)|www\/player\/[\w-]+\.js|www\/icons\/[\w-]+\.(png|svg)|pkg\/scorm-shim\.js|pkg\/(course\/)?(index\.js|scorm_shim\.js|scorm_shim_bg\.wasm))$/;
  const served = server.log.slice(before).map((l) => l.path);
  assert.ok(served.length > 10, "the page's assets were served");
  for (const p of served) assert.match(p, ASSETS, "a request for something not of the page reached the server: " + p);
  for (const u of requests) {
    if (u.startsWith("data:") || u === "about:blank") continue;
    const url = new URL(u);
    assert.equal(url.origin, origin, "a request left this origin: " + u);
    assert.ok(ASSETS.test(url.pathname) || /^\/www\/package\/p[a-z0-9]+\//.test(url.pathname), "unexpected request: " + u);
  }
  assert.ok(requests.some((u) => /\/www\/package\/p[a-z0-9]+\/sco\.html/.test(u)), "the content came through the service worker's scope");
  await context.close();
});

test("axe-core finds no WCAG 2.1 AA violation in any state of the page, and the tabs work by keyboard", async () => {
  const { context, page } = await fresh();
  const axeSource = readFileSync(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
  async function axe(state) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run({ exclude: [["#player iframe"]] }, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const v = result.violations.map((x) => x.id + ": " + x.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | "));
    assert.deepEqual(v, [], state);
  }
  await axe("empty page");
  await dropFile(page, "nothing.zip", Buffer.from("nope"));
  await importOutcome(page);
  await axe("with an error message");
  await dropFile(page, "sequenced.zip", makeZip(sequencedEntries()));
  await importOutcome(page);
  await page.click("details.settings summary");
  await axe("import report and settings");
  await page.click("#play");
  await waitActivity(page, "L1");
  for (const tab of ["calls", "model", "seq", "check"]) {
    await page.click("#tab-" + tab);
    await page.waitForTimeout(300);
    await axe("panel " + tab);
  }
  // Keyboard: arrows move between the debugger's tabs.
  await page.focus("#tab-check");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-report");
  assert.equal(await page.getAttribute("#tab-report", "aria-selected"), "true");
  await page.keyboard.press("End");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-check");
  // Buttons are reachable by Tab from the top of the page.
  await page.focus("body");
  const seen = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    seen.add(await page.evaluate(() => document.activeElement.id || document.activeElement.name || document.activeElement.textContent.trim().slice(0, 20)));
  }
  for (const want of ["zip", "folder", "url", "play"]) assert.ok(seen.has(want), want + " not reached by Tab: " + [...seen].join(", "));
  await context.close();
});

test("served by the reference backend (www/ at the root, pkg/ at /pkg/): the preview plays too", async () => {
  const backend = await startBackend();
  try {
    const { context, page, errors } = await fresh(backend.url, "");
    await dropFile(page, "sequenced.zip", makeZip(sequencedEntries()));
    assert.equal(await importOutcome(page), "done");
    await page.click("#play");
    const sco = await waitActivity(page, "L1");
    assert.match(sco.url(), new RegExp("^" + backend.url + "/package/p[a-z0-9]+/sco\\.html$"));
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await backend.stop();
  }
});

test("served by `python3 -m http.server` from the repository root, as README says", { skip: spawnSync("python3", ["--version"]).status !== 0 && "python3 is not installed" }, async () => {
  const py = spawn("python3", ["-m", "http.server", "0", "--bind", "127.0.0.1"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("python3 http.server did not start: " + out)), 15000);
      const on = (d) => {
        out += d;
        const m = /port (\d+)/.exec(out);
        if (m) { clearTimeout(timer); resolve("http://127.0.0.1:" + m[1]); }
      };
      py.stdout.on("data", on);
      py.stderr.on("data", on);
    });
    const { context, page, errors } = await fresh(url);
    await dropFile(page, "tracking12.zip", makeZip(sample12Entries()));
    assert.equal(await importOutcome(page), "done");
    await page.click("#play");
    const sco = await waitActivity(page, "ITEM-1");
    await sco.waitForFunction(() => document.documentElement.dataset.lms === "1.2");
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    py.kill("SIGTERM");
  }
});
