// Benchmark of the author preview (issue 14.8), in headless Chromium:
// * from choosing a generated package (10 MB, 100 MB; 1 GB with --big) to
//   the first SCO on screen, with the import (central directory, checks,
//   copy into the browser's storage) measured apart, and the browser's peak
//   memory while it happens (resident memory of all Chromium processes,
//   sampled every 50 ms from /proc, and the page's JS heap);
// * the debugger's cost per API call: 100,000 SetValue calls from a SCO in
//   the preview (call log, content check and data model tracking on) beside
//   the same calls on a bare page with no listener, and how long the call
//   log then takes to render.
//
//   node bench/preview.mjs            10 MB and 100 MB packages, per-call cost
//   node bench/preview.mjs --big      also 1 GB (writes a 1 GB zip to the temp dir)
//   node bench/preview.mjs --no-write print only, leave BENCHMARKS.md alone
//   node bench/preview.mjs --incognito   packages in an off-the-record context
//                                     (the origin private file system is then kept
//                                     in the browser process's memory)
//
// The packages are imported in a persistent profile on disk (a user's
// browser); a test's `browser.newContext()` is off the record, and there
// Chromium keeps the origin private file system in memory, so a 1 GB import
// grows the browser process by 1 GB whatever the page does.
//
// Writes its section of BENCHMARKS.md between the preview markers (at the
// end of the file). Nothing asserts a timing.
import { createWriteStream, mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";
import { launchBrowser, CHROMIUM_ARGS } from "../tests/e2e/harness.mjs";
import { startStatic, sequencedEntries, openPreview, importOutcome } from "../tests/e2e/preview-harness.mjs";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const BIG = args.includes("--big");
const WRITE = !args.includes("--no-write");
const INCOGNITO = args.includes("--incognito");
const log = (...a) => console.error("[preview bench]", ...a);

// ---- A streaming zip writer (stored and deflated entries; sizes < 4 GiB) ---

function zipWriter(file) {
  const out = createWriteStream(file);
  const central = [];
  let offset = 0;
  let failed = null;
  out.on("error", (e) => { failed = e; });
  const write = (buf) => new Promise((resolve, reject) => {
    if (failed) return reject(failed);
    offset += buf.length;
    if (out.write(buf)) resolve(); else out.once("drain", resolve);
  });
  function header(sig, fields) {
    const b = Buffer.alloc(fields.reduce((n, f) => n + f[1], 0));
    let at = 0;
    for (const [v, n] of fields) { if (n === 2) b.writeUInt16LE(v, at); else b.writeUInt32LE(v >>> 0, at); at += n; }
    return Buffer.concat([Buffer.from(sig), b]);
  }
  return {
    /** `chunks()`: an iterator of Buffers (called twice: CRC, then data) for stored entries; `data` for deflated. */
    async add(name, { data, size, chunks }) {
      const nameBuf = Buffer.from(name);
      let method, crc, csize, body;
      if (data !== undefined) {
        method = 8; body = zlib.deflateRawSync(data); crc = zlib.crc32(data); size = data.length; csize = body.length;
      } else {
        method = 0; crc = 0; for (const c of chunks()) crc = zlib.crc32(c, crc); csize = size;
      }
      const at = offset;
      await write(Buffer.concat([header([0x50, 0x4b, 3, 4], [[20, 2], [0, 2], [method, 2], [0, 2], [0x21, 2], [crc, 4], [csize, 4], [size, 4], [nameBuf.length, 2], [0, 2]]), nameBuf]));
      if (body) await write(body); else for (const c of chunks()) await write(c);
      central.push(Buffer.concat([header([0x50, 0x4b, 1, 2], [[20, 2], [20, 2], [0, 2], [method, 2], [0, 2], [0x21, 2], [crc, 4], [csize, 4], [size, 4], [nameBuf.length, 2], [0, 2], [0, 2], [0, 2], [0, 2], [0, 4], [at, 4]]), nameBuf]));
    },
    async close() {
      const cd = Buffer.concat(central);
      const cdAt = offset;
      await write(cd);
      await write(header([0x50, 0x4b, 5, 6], [[0, 2], [0, 2], [central.length, 2], [central.length, 2], [cd.length, 4], [cdAt, 4], [0, 2]]));
      await new Promise((r) => out.end(r));
      return offset;
    },
  };
}

/** Incompressible bytes, the same on both passes (CRC, then data): one random MiB, rotated per chunk. */
const BASE = crypto.randomBytes(1 << 20);
function* randomChunks(seed, size) {
  let n = 0, i = seed.length;
  while (n < size) {
    const len = Math.min(BASE.length, size - n);
    const r = (i++ * 7919) % BASE.length;
    yield Buffer.concat([BASE.subarray(r), BASE.subarray(0, r)]).subarray(0, len);
    n += len;
  }
}

/** Text-like files (scripts, JSON, XML) that deflate about 4:1. */
function textFile(i, size) {
  const words = ["lesson", "quiz", "var", "function", "return", "learner", "score", "progress", "module", "slide", "audio", "caption"];
  let s = "";
  let k = i;
  while (s.length < size) { k = (k * 1103515245 + 12345) >>> 0; s += words[k % words.length] + (k % 7 === 0 ? "\n" : " ") + (k % 1000); }
  return Buffer.from(s.slice(0, size));
}

/**
 * A package of about `mb` MB: the sequenced sample's manifest and SCO, one
 * large "video" (stored), 1 MB media files (stored) and small text files
 * (deflated), as authoring tools export them.
 */
async function makePackage(file, mb) {
  const w = zipWriter(file);
  for (const e of sequencedEntries()) await w.add(e.name, { data: e.data });
  const total = mb * 1e6;
  const video = Math.round(total * 0.6);
  await w.add("media/intro.mp4", { size: video, chunks: () => randomChunks("video", video) });
  let left = total - video;
  const textFiles = Math.min(5000, Math.round(mb * 20));
  const textSize = Math.round((total * 0.1) / textFiles);
  for (let i = 0; i < textFiles; i++) await w.add("js/part" + i + ".js", { data: textFile(i, textSize) });
  left -= textFiles * textSize;
  for (let i = 0; left > 0; i++) {
    const size = Math.min(1e6, left);
    await w.add("images/slide" + i + ".jpg", { size, chunks: () => randomChunks("img" + i, size) });
    left -= size;
  }
  return w.close();
}

// ---- Memory: resident memory of the browser's process tree ----------------

function processTree(rootPid) {
  const parent = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync("/proc/" + d + "/stat", "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(d), ppid);
    } catch { /* gone */ }
  }
  const out = [rootPid];
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (out.includes(ppid) && !out.includes(pid)) { out.push(pid); grew = true; }
  }
  return out;
}

function rss(pids, byType) {
  let kb = 0;
  for (const pid of pids) {
    try {
      const k = Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/" + pid + "/status", "utf8"))[1]);
      kb += k;
      if (byType) {
        const cmd = readFileSync("/proc/" + pid + "/cmdline", "utf8");
        const m = /--type=([a-z-]+)/.exec(cmd);
        const sub = /--utility-sub-type=([\w.]+)/.exec(cmd);
        const type = m ? m[1] + (sub ? " (" + sub[1].split(".").pop() + ")" : "") : "browser";
        byType.set(type, (byType.get(type) || 0) + k * 1024);
      }
    } catch { /* gone */ }
  }
  return kb * 1024;
}

function browserPid(marker) {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync("/proc/" + d + "/cmdline", "utf8");
      if (cmd.includes(marker) && !cmd.includes("--type=")) return Number(d);
    } catch { /* gone */ }
  }
  return null;
}

function sampler(pid, page) {
  let peak = 0, heapPeak = 0, stop = false;
  const typePeak = new Map();
  const cdp = page.context().newCDPSession(page);
  const loop = (async () => {
    const session = await cdp;
    while (!stop) {
      const byType = new Map();
      peak = Math.max(peak, rss(processTree(pid), byType));
      for (const [t, v] of byType) typePeak.set(t, Math.max(typePeak.get(t) || 0, v));
      try { heapPeak = Math.max(heapPeak, (await session.send("Runtime.getHeapUsage")).usedSize); } catch { /* navigating */ }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { async end() { stop = true; await loop; return { peak, heapPeak, typePeak: Object.fromEntries(typePeak) }; } };
}

const fmt = (n) => n.toLocaleString("en");
const MB = (b) => (b / 1e6).toFixed(0) + " MB";

async function packageRun(server, browser, pid, sizeMb, dir) {
  const file = path.join(dir, "pkg-" + sizeMb + "mb.zip");
  log("writing a " + sizeMb + " MB package");
  const bytes = await makePackage(file, sizeMb);
  const context = browser.newContext ? await browser.newContext() : browser; // a persistent context is its own
  const page = await context.newPage();
  await openPreview(page, server.url, "?autoplay");
  const baseTypes = new Map();
  const base = rss(processTree(pid), baseTypes);
  const s = sampler(pid, page);
  log("choosing it (" + fmt(bytes) + " bytes)");
  const t0 = Date.now();
  await page.setInputFiles("input[name=zip]", file);
  if (await importOutcome(page) !== "done") throw new Error(await page.locator("#messages").innerText());
  await page.waitForFunction(() => {
    const f = document.querySelector("#player iframe");
    return document.documentElement.dataset.activity === "L1" && f.contentDocument && f.contentDocument.documentElement && f.contentDocument.documentElement.dataset.activity === "lesson=1";
  }, null, { timeout: 600000 });
  const firstSco = Date.now() - t0;
  const importMs = Number(await page.evaluate(() => document.documentElement.dataset.importMs));
  const mem = await s.end();
  await page.evaluate(async () => { for (const p of await window.preview.store.list()) await window.preview.store.remove(p.id); });
  if (context === browser) await page.close(); else await context.close();
  rmSync(file);
  const grew = Object.entries(mem.typePeak).map(([t, v]) => [t, v - (baseTypes.get(t) || 0)]).sort((a, b) => b[1] - a[1])[0];
  return { sizeMb, bytes, firstSco, importMs, baseRss: base, peakRss: mem.peak, heapPeak: mem.heapPeak, grew };
}

const LOOP = `(n) => {
  const api = window.parent.API_1484_11 || window.API_1484_11;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    api.SetValue("cmi.location", "page " + (i % 50));
    if (i % 10 === 0) api.GetValue("cmi.location");
  }
  return performance.now() - t0;
}`;

/** The median of 5 runs of `f`. */
async function median(f) {
  const t = [];
  for (let i = 0; i < 5; i++) t.push(await f());
  return t.sort((a, b) => a - b)[2];
}

async function callCost(server, browser) {
  const N = 100000;
  const calls = N + N / 10;
  // Bare: the shim on a page, no listener.
  const context = await browser.newContext();
  const bare = await context.newPage();
  server.routes.set("/bench/bare.html", { body: Buffer.from(`<!doctype html><html><body><script type="module">
    import { load } from "/pkg/index.js";
    const shim = await load({ storagePrefix: "bench-bare" });
    shim.api2004.Initialize("");
    window.ready = true;
  </script></body></html>`), type: "text/html" });
  await bare.goto(server.url + "/bench/bare.html");
  await bare.waitForFunction(() => window.ready === true);
  await bare.evaluate(`(${LOOP})(1000)`);
  const bareMs = await median(() => bare.evaluate(`(${LOOP})(${N})`));
  await bare.close();
  // In the preview, from a SCO, with the debugger on.
  const page = await context.newPage();
  await openPreview(page, server.url, "?autoplay");
  const { makeZip } = await import("../tests/e2e/preview-harness.mjs");
  await page.evaluate(async (b64) => {
    const bin = atob(b64); const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    const dt = new DataTransfer(); dt.items.add(new File([u8], "sequenced.zip"));
    document.querySelector(".drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, makeZip(sequencedEntries()).toString("base64"));
  await page.waitForFunction(() => {
    const f = document.querySelector("#player iframe");
    return document.documentElement.dataset.activity === "L1" && f.contentDocument && f.contentDocument.documentElement && f.contentDocument.documentElement.dataset.activity === "lesson=1";
  }, null, { timeout: 60000 });
  const sco = page.frames().find((f) => f.url().includes("/package/"));
  await sco.evaluate(`(${LOOP})(1000)`);
  const heap0 = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : 0);
  const previewMs = await median(() => sco.evaluate(`(${LOOP})(${N})`));
  // How long until the call log shows the newest calls (the page's own render).
  await page.click("#tab-calls");
  const render = await page.evaluate(async () => {
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 0));
    document.querySelector("#panel-calls [name=errorsOnly]").click();
    const t1 = performance.now();
    document.querySelector("#panel-calls [name=errorsOnly]").click();
    const t2 = performance.now();
    return { errorsOnly: t1 - t0, all: t2 - t1, rows: document.querySelectorAll("#panel-calls tbody tr").length };
  });
  const heap1 = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : 0);
  const kept = await page.evaluate(() => window.preview.session.kept);
  await context.close();
  return { N: calls, bareUs: (bareMs * 1000) / calls, previewUs: (previewMs * 1000) / calls, bareMs, previewMs, render, heapDelta: heap1 - heap0, kept };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "preview-bench-"));
  const server = await startStatic();
  const marker = "--preview-bench-" + process.pid;
  const launch = { executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: [...CHROMIUM_ARGS, "--enable-precise-memory-info", marker], headless: true };
  const browser = await chromium.launch({ ...launch, args: launch.args.slice(0, -1) });
  const runs = [];
  try {
    // The packages: in a profile on disk, as a user's browser keeps it (or off the record).
    const packages = INCOGNITO ? await chromium.launch(launch) : await chromium.launchPersistentContext(path.join(dir, "profile"), launch);
    const pid = browserPid(marker);
    for (const mb of BIG ? [10, 100, 1000] : [10, 100]) {
      const r = await packageRun(server, packages, pid, mb, dir);
      log(JSON.stringify(r));
      runs.push(r);
    }
    await packages.close();
    const cost = await callCost(server, browser);
    log(JSON.stringify(cost));
    const chromiumVersion = browser.version();
    const date = new Date().toISOString().slice(0, 10);
    const load = os.loadavg()[0].toFixed(1);
    const section = `<!-- preview:start -->
## Author preview (issue 14)

Command: \`node bench/preview.mjs${BIG ? " --big" : ""}${INCOGNITO ? " --incognito" : ""}\` (\`--big\` adds the 1 GB package), ${date}, Chromium ${chromiumVersion}, 2 cores (load average ${load} while it ran: other work shared the machine). Packages imported in ${INCOGNITO ? "an off-the-record context (the origin private file system in memory)" : "a persistent profile on disk, as a user's browser"}.

From choosing a generated package in the page (\`<input type=file>\`, the file is read from disk by the browser) to the first SCO on screen (its document loaded and initialized), with the import apart (zip.js reads the central directory, every entry is checked, the zip is copied as it is into the origin private file system). Packages: the sequenced sample, one large stored "video" (60%), 1 MB stored images, small deflated scripts. Memory: peak resident memory of all Chromium processes during the run (above the idle preview's), and the page's peak JS heap.

| package | zip bytes | import | to first SCO | browser memory, peak (idle before) | page JS heap, peak |
|---|---:|---:|---:|---:|---:|
${runs.map((r) => `| ${r.sizeMb >= 1000 ? r.sizeMb / 1000 + " GB" : r.sizeMb + " MB"} | ${fmt(r.bytes)} | ${fmt(Math.round(r.importMs))} ms | ${fmt(r.firstSco)} ms | ${MB(r.peakRss)} (${MB(r.baseRss)}) | ${MB(r.heapPeak)} |`).join("\n")}

The process that grew most: ${runs.map((r) => (r.sizeMb >= 1000 ? r.sizeMb / 1000 + " GB" : r.sizeMb + " MB") + ": " + r.grew[0] + " +" + MB(r.grew[1])).join("; ")}.

The debugger's cost per API call (median of 5 runs): ${fmt(cost.N)} calls (SetValue of \`cmi.location\`, a GetValue every tenth) from the SCO in the preview, with the call log, the content check and the commit tracking recording every call, beside the same loop on a bare page with no listener.

| | total | per call |
|---|---:|---:|
| bare page, no listener | ${cost.bareMs.toFixed(0)} ms | ${cost.bareUs.toFixed(2)} µs |
| preview, debugger on | ${cost.previewMs.toFixed(0)} ms | ${cost.previewUs.toFixed(2)} µs |
| the debugger's share | | ${(cost.previewUs - cost.bareUs).toFixed(2)} µs |

After those calls the session keeps ${fmt(cost.kept)} of them (the bound); the call log renders its newest ${cost.render.rows} rows in ${cost.render.all.toFixed(0)} ms, and with the errors-only filter (a scan of every kept call) in ${cost.render.errorsOnly.toFixed(0)} ms; the page's JS heap grew by ${MB(cost.heapDelta)} over all five runs (${fmt(5 * cost.N)} calls; the session keeps the last ${fmt(cost.kept)}). Rendering never runs per call: the visible panel re-renders at most every 200 ms.
<!-- preview:end -->`;
    console.log(section);
    if (WRITE) {
      const mdPath = path.join(ROOT, "BENCHMARKS.md");
      let md = readFileSync(mdPath, "utf8");
      md = /<!-- preview:start -->[\s\S]*<!-- preview:end -->/.test(md)
        ? md.replace(/<!-- preview:start -->[\s\S]*<!-- preview:end -->/, section)
        : md.trimEnd() + "\n\n" + section + "\n";
      writeFileSync(mdPath, md);
      log("wrote the preview section of BENCHMARKS.md");
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
