// Quick A/B timing for development (not part of BENCHMARKS.md): the per-call
// phases and the Initialize → SetValue × 200 → Commit → Terminate cycles of
// bench/workloads.js, alternating between implementations in one headless
// Chromium, medians and ratios against the first one. Nothing is asserted.
//
//   node bench/quick.mjs [--runs N] [--calls] [--cycles] [--base DIR] [--no-peer]
//                        [--profile FILE.cpuprofile]
//
// --base DIR adds a second build of pkg/ (e.g. one saved before a change) as
// "base"; --profile writes a CDP CPU profile of one run of ours (calls and cycles).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const RUNS = Number(opt("--runs", 5));
const BASE = opt("--base", null);
if (BASE) process.env.BENCH_BASE_PKG = path.resolve(BASE);
const { startServer } = await import("./server.mjs");
let CALLS = args.includes("--calls"), CYCLES = args.includes("--cycles");
if (!CALLS && !CYCLES) CALLS = CYCLES = true;
const PROFILE = opt("--profile", null);
const SIZES = { mixed: 60000, get: 30000, set: 30000 };
const NCYC = 250;

const LOAD = {
  ours: "/pkg/scorm-shim.js",
  base: "/base/scorm-shim.js",
};
async function load(page, who) {
  if (who === "peer") {
    await page.addScriptTag({ url: "/peer/scorm-again.min.js" });
    await page.evaluate(() => {
      window.API = new Scorm12API({ lmsCommitUrl: false, autocommit: false });
      window.API_1484_11 = new Scorm2004API({ lmsCommitUrl: false, autocommit: false });
      window.__reset12 = () => window.API.reset();
      window.__reset2004 = () => window.API_1484_11.reset();
    });
  } else if (args.includes("--esm")) {
    // The ES module set of the build (e.g. with a name section, for --profile).
    // A learner and a registration, so commits are stored as on an LMS page.
    await page.evaluate(async (u) => { window.ScormShim = await (await import(u)).load({ learnerId: "bench", registrationId: "bench" }); }, LOAD[who].replace("scorm-shim.js", "index.js"));
    await page.evaluate(() => { window.__reset12 = window.__reset2004 = () => ScormShim.relaunch(); });
  } else {
    await page.evaluate(() => { window.scormShimConfig = { learnerId: "bench", registrationId: "bench" }; });
    await page.addScriptTag({ url: LOAD[who] });
    await page.evaluate(() => { window.__reset12 = window.__reset2004 = () => ScormShim.relaunch(); });
  }
}

async function run(browser, srv, who, profile) {
  let ctx = await browser.newContext();
  let page = await ctx.newPage();
  await page.goto(`${srv.url}/page/work`);
  await page.evaluate((s) => Bench.prepare(s), SIZES);
  await load(page, who);
  let cdp;
  if (profile) {
    cdp = await ctx.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
    await cdp.send("Profiler.start");
  }
  const out = {};
  if (CALLS) {
    out.calls = await page.evaluate(() => {
      API.LMSInitialize(""); API_1484_11.Initialize("");
      return { "1.2": Bench.timed(API, "1.2"), "2004": Bench.timed(API_1484_11, "2004") };
    });
    out.calls["1.2"].terminate = await page.evaluate(() => { API.LMSFinish(""); API_1484_11.Terminate(""); __reset12(); return null; });
  }
  if (CYCLES) {
    if (CALLS) {
      // The cycles start from an empty state, in a fresh page (as in run.mjs).
      await ctx.close();
      ctx = await browser.newContext();
      page = await ctx.newPage();
      await page.goto(`${srv.url}/page/work`);
      await page.evaluate((s) => Bench.prepare(s), SIZES);
      await load(page, who);
    }
    out.cycles = await page.evaluate((n) => ({
      "1.2": Bench.cycles(API, "1.2", n, __reset12),
      "2004": Bench.cycles(API_1484_11, "2004", n, __reset2004),
    }), NCYC);
  }
  if (profile) {
    const { profile: p } = await cdp.send("Profiler.stop");
    writeFileSync(profile, JSON.stringify(p));
    // Self time per function, top 40.
    const self = new Map();
    const dt = p.timeDeltas; const byId = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const n = byId.get(id); const f = n.callFrame;
      const k = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
      self.set(k, (self.get(k) || 0) + (dt[i] || 0));
    });
    const tot = [...self.values()].reduce((a, b) => a + b, 0);
    console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)
      .map(([k, v]) => `${(100 * v / tot).toFixed(1).padStart(5)}%  ${k}`).join("\n"));
  }
  await ctx.close();
  return out;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

const srv = await startServer();
srv.setPage("work", '<!doctype html><meta charset=utf-8><script src="/bench/workloads.js"></script>');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], headless: true });
try {
  if (args.includes("--startup")) {
    // Start-up as in run.mjs: fresh page, t0 before the tag, t1 once the API objects exist.
    const classic = (url) => `<script>window.__t0 = performance.now();</script><script src="${url}"></script><script>window.__t1 = performance.now();</script>`;
    const esm = (url) => `<script type="module">window.__t0 = performance.now(); const { load } = await import("${url}"); await load({}); window.__t1 = performance.now();</script>`;
    const V = {
      "ours classic": classic("/pkg/scorm-shim.js"), "ours esm": esm("/pkg/index.js"),
      ...(BASE ? { "base classic": classic("/base/scorm-shim.js"), "base esm": esm("/base/index.js") } : {}),
      "peer all": `<script>window.__t0 = performance.now();</script><script src="/peer/scorm-again.min.js"></script><script>new Scorm12API({}); new Scorm2004API({}); window.__t1 = performance.now();</script>`,
    };
    const res = {};
    for (const [k, html] of Object.entries(V)) { srv.setPage("s" + Object.keys(res).length, "<!doctype html><meta charset=utf-8>" + html); res[k] = { page: "s" + Object.keys(res).length, t: [] }; }
    const ctx = await browser.newContext();
    for (let i = 0; i < RUNS; i++) for (const k of Object.keys(V)) {
      const page = await ctx.newPage();
      await page.goto(`${srv.url}/page/${res[k].page}`);
      await page.waitForFunction(() => window.__t1 !== undefined, null, { timeout: 10000 });
      res[k].t.push(await page.evaluate(() => window.__t1 - window.__t0));
      await page.close();
    }
    for (const k of Object.keys(V)) console.log(`${k}\t${median(res[k].t).toFixed(2)} ms\t${(median(res[k].t) / median(res["peer all"].t)).toFixed(2)}x of peer`);
  } else if (PROFILE) { await run(browser, srv, BASE ? "base" : "ours", PROFILE); }
  else {
    const who = ["ours", ...(BASE ? ["base"] : []), ...(args.includes("--no-peer") ? [] : ["peer"])];
    const res = Object.fromEntries(who.map((w) => [w, []]));
    for (let i = 0; i < RUNS; i++) for (const w of who) { res[w].push(await run(browser, srv, w)); process.stderr.write("."); }
    process.stderr.write("\n");
    const rows = [];
    for (const v of ["1.2", "2004"]) {
      if (CALLS) for (const ph of ["populate", "mixed", "get", "set"]) {
        const m = who.map((w) => median(res[w].map((r) => (r.calls[v][ph].ms * 1e6) / r.calls[v][ph].calls)));
        const bad = who.map((w) => res[w].reduce((s, r) => s + r.calls[v][ph].badSet + r.calls[v][ph].badGet, 0));
        rows.push([`${v} ${ph} ns/call`, ...m.map((x) => x.toFixed(0)), ...m.slice(1).map((x) => (m[0] / x).toFixed(2) + "x"), bad.join("/")]);
      }
      if (CYCLES) {
        const m = who.map((w) => median(res[w].map((r) => (r.cycles[v].ms * 1e3) / r.cycles[v].cycles)));
        const bad = who.map((w) => res[w].reduce((s, r) => s + r.cycles[v].bad, 0));
        rows.push([`${v} cycle us`, ...m.map((x) => x.toFixed(0)), ...m.slice(1).map((x) => (m[0] / x).toFixed(2) + "x"), bad.join("/")]);
      }
    }
    console.log(["what", ...who, ...who.slice(1).map((w) => `ours/${w}`), "failures"].join("\t"));
    for (const r of rows) console.log(r.join("\t"));
  }
} finally {
  await browser.close();
  await srv.close();
}
