// Which browser storage reaches the disk soonest after a write? For issue 20
// (a committed value survives the browser being killed a moment later).
//
// For each mechanism and delay: a page writes a fresh value, Chromium is
// killed with SIGKILL `delay` ms after the write call returned (the whole
// process group, as an OOM kill or a crash would), started again on the
// same profile, and the page reads the value back. Mechanisms:
//
//   localStorage     setItem (what Commit used to rely on alone)
//   idb-strict       IndexedDB put, transaction durability "strict"
//   idb-relaxed      IndexedDB put, durability "relaxed"
//   idb-default      IndexedDB put, the browser's default durability
//   cache            Cache API put of a Response
//   opfs-worker      postMessage to a dedicated worker that writes with an
//                    OPFS FileSystemSyncAccessHandle and flush()es
//
// Usage: node bench/durability.mjs [--runs N] [--size BYTES] [--delays 0,25,50,...] [--mechanisms a,b] [--latency-only]
// Prints the time from the write call to the write's completion event (as
// the page saw it; median and 95th percentile of 20 writes), then a table
// of values lost per mechanism and delay.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startChromium, sleep } from "../tests/e2e/crash.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf("--" + name);
  return i >= 0 ? args[i + 1] : def;
};
const RUNS = Number(opt("runs", "5"));
const SIZE = Number(opt("size", "20000"));
const DELAYS = opt("delays", "0,5,10,25,50,100,200,1000").split(",").map(Number);
const MECHS = opt("mechanisms", "localStorage,idb-strict,idb-relaxed,idb-default,cache,opfs-worker").split(",");

const PAGE = `<!doctype html><title>durability</title><script>
const ready = (async () => {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open("dur", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("kv");
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const cache = await caches.open("dur");
  const worker = new Worker("/w.js");
  await new Promise((res) => { worker.onmessage = (e) => { if (e.data === "ready") res(); }; });
  return { db, cache, worker };
})();
window.done = null;
// Issue the write and return at once (as Commit must); record when it completed.
window.write = (mech, value, s) => {
  const t0 = performance.now();
  window.done = null;
  const fin = () => { window.done = performance.now() - t0; };
  if (mech === "localStorage") { localStorage.setItem("marker", value); fin(); return; }
  if (mech.startsWith("idb")) {
    const d = mech.slice(4);
    const tx = s.db.transaction("kv", "readwrite", d === "default" ? undefined : { durability: d });
    tx.objectStore("kv").put(value, "marker");
    tx.oncomplete = fin;
    return;
  }
  if (mech === "cache") { s.cache.put("/marker", new Response(value)).then(fin); return; }
  if (mech === "opfs-worker") { s.worker.onmessage = (e) => { if (e.data === "written") fin(); }; s.worker.postMessage(value); return; }
  throw new Error("unknown mechanism " + mech);
};
window.read = async (mech, s) => {
  if (mech === "localStorage") return localStorage.getItem("marker");
  if (mech.startsWith("idb")) return new Promise((res) => { const r = s.db.transaction("kv").objectStore("kv").get("marker"); r.onsuccess = () => res(r.result ?? null); r.onerror = () => res(null); });
  if (mech === "cache") { const r = await s.cache.match("/marker"); return r ? r.text() : null; }
  if (mech === "opfs-worker") {
    const root = await navigator.storage.getDirectory();
    try { return await (await (await root.getFileHandle("marker")).getFile()).text(); } catch (e) { return null; }
  }
};
</script>`;

const WORKER = `
let handle = null;
(async () => {
  const root = await navigator.storage.getDirectory();
  const file = await root.getFileHandle("marker", { create: true });
  handle = await file.createSyncAccessHandle();
  postMessage("ready");
})();
const enc = new TextEncoder();
onmessage = (e) => {
  const bytes = enc.encode(e.data);
  handle.truncate(0);
  handle.write(bytes, { at: 0 });
  handle.flush();
  postMessage("written");
};`;

const server = http.createServer((req, res) => {
  if (req.url === "/w.js") { res.writeHead(200, { "content-type": "text/javascript" }); res.end(WORKER); return; }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(PAGE);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;

async function openPage(context) {
  const page = context.pages()[0] || await context.newPage();
  await page.goto(url);
  await page.evaluate(() => ready.then(() => true));
  return page;
}

// First, without killing: how long each write takes to complete (20
// writes each, 100 ms apart), the window in which a kill can lose it.
const latency = {};
{
  const profile = mkdtempSync(path.join(tmpdir(), "scorm-dur-"));
  const b = await startChromium(profile);
  const page = await openPage(b.context);
  for (const mech of MECHS) {
    const times = [];
    for (let i = 0; i < 20; i++) {
      await page.evaluate(async ([m, v]) => { const s = await ready; write(m, v, s); }, [mech, "w" + i + "x".repeat(SIZE)]);
      await sleep(100);
      const t = await page.evaluate(() => window.done);
      if (typeof t === "number") times.push(t);
    }
    times.sort((a, b) => a - b);
    latency[mech] = { median: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1] };
    console.log(`${mech.padEnd(13)} write completes after ${latency[mech].median.toFixed(1)} ms (median), ${latency[mech].p95.toFixed(1)} ms (p95), ${latency[mech].max.toFixed(1)} ms (max)`);
  }
  await b.close();
  rmSync(profile, { recursive: true, force: true });
}
if (args.includes("--latency-only")) { server.close(); process.exit(0); }

const results = {}; // mech -> delay -> {lost, runs, done: []}
for (const mech of MECHS) {
  results[mech] = {};
  for (const delay of DELAYS) {
    const r = (results[mech][delay] = { lost: 0, runs: 0, done: [] });
    for (let run = 0; run < RUNS; run++) {
      const profile = mkdtempSync(path.join(tmpdir(), "scorm-dur-"));
      try {
        let b = await startChromium(profile);
        let page = await openPage(b.context);
        // A first value, given time to reach the disk: the profile exists.
        await page.evaluate(async ([m]) => { const s = await ready; write(m, "old", s); }, [mech]);
        await sleep(200);
        const value = "v" + Date.now() + "-" + run + "-" + "x".repeat(SIZE);
        await page.evaluate(async ([m, v]) => { const s = await ready; write(m, v, s); }, [mech, value]);
        let done = null;
        if (delay >= 50) {
          // Time to ask when the write completed (a round trip of about 1 ms).
          await sleep(delay - 5);
          done = await page.evaluate(() => window.done).catch(() => null);
          await sleep(5);
        } else {
          await sleep(delay);
        }
        await b.kill();
        b = await startChromium(profile);
        page = await openPage(b.context);
        const got = await page.evaluate(async ([m]) => { const s = await ready; return read(m, s); }, [mech]);
        r.runs++;
        if (got !== value) r.lost++;
        if (typeof done === "number") r.done.push(done);
        await b.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    }
    const med = r.done.length ? r.done.sort((a, b) => a - b)[Math.floor(r.done.length / 2)].toFixed(1) : "-";
    console.log(`${mech.padEnd(13)} killed ${String(delay).padStart(5)} ms after the write: lost ${r.lost}/${r.runs}  (write completed after ${med} ms, median)`);
  }
}
server.close();

console.log("\n| mechanism | " + DELAYS.map((d) => d + " ms").join(" | ") + " | completes after (median / p95) |");
console.log("|---|" + DELAYS.map(() => "---").join("|") + "|---|");
for (const mech of MECHS) {
  const l = latency[mech];
  console.log(`| ${mech} | ` + DELAYS.map((d) => `${results[mech][d].lost}/${results[mech][d].runs}`).join(" | ") +
    ` | ${l.median.toFixed(1)} / ${l.p95.toFixed(1)} ms |`);
}
