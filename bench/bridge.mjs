// The content-origin bridge's cost (issue 17), in one headless Chromium: the
// LMS page on http://127.0.0.1:PORT (the reference backend serving pkg/), the
// content on http://cdn.test:PORT2 (mapped to 127.0.0.1), three set-ups
// alternated in each round:
//   same page   the drop-in on the LMS page, the SCO framed from the LMS origin
//   bridge      the drop-in on the LMS page, the SCO on the content origin
//               through pkg/bridge/ (ScormShim.bridge.launch)
//   peer        scorm-again 3.4.3's Scorm2004API + CrossFrameLMS on the LMS
//               page, the SCO on the content origin with its CrossFrameAPI
// Measured: the launch (frame.src / launch() until the SCO page found its API
// and Initialize returned), the Initialize call itself, the synchronous cost of
// a call in the SCO (SetValue + GetValue of cmi.location), and for the two
// cross-origin set-ups the time until the LMS page has all of them. Sizes of
// the bridge's files, gzipped. Nothing asserts a timing.
//
//   node bench/bridge.mjs [--quick] [--out BENCHMARKS.md]
//
// Writes its section of BENCHMARKS.md (between the markers below; appended
// when absent) and prints it.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startBackend, launchBrowser, servePage } from "../tests/e2e/harness.mjs";
import { startContent, BRIDGE_BROWSER_ARGS, lmsPage } from "../tests/e2e/bridge-harness.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const PEER = path.join(HERE, "node_modules/scorm-again/dist");
const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const OUT = path.resolve(ROOT, args.includes("--out") ? args[args.indexOf("--out") + 1] : "BENCHMARKS.md");
const ROUNDS = QUICK ? 3 : 9;
const CALLS = QUICK ? 500 : 2000; // SetValue + GetValue pairs per run
const BEGIN = "<!-- bridge.mjs: begin -->";
const END = "<!-- bridge.mjs: end -->";

if (!existsSync(path.join(PEER, "cross-frame-api.min.js"))) throw new Error("bench/node_modules/scorm-again is missing: (cd bench && npm ci)");
const inline = (file) => readFileSync(path.join(PEER, file), "utf8").replace(/<\/script/gi, "<\\/script");

// The SCO: finds an API the standard way (or is handed the peer's), then measures on request.
const SCO_BODY = `
  window.measure = function (n) {
    var a = window.api, t0 = performance.now();
    var init = a.Initialize("");
    var t1 = performance.now();
    for (var i = 0; i < n; i++) { a.SetValue("cmi.location", "p" + i); a.GetValue("cmi.location"); }
    var t2 = performance.now();
    a.Commit("");
    return { init: init, initMs: t1 - t0, perCallUs: (t2 - t1) * 1000 / (2 * n), last: "p" + (n - 1), done: performance.timeOrigin + t2 };
  };`;
const SCO_PAGE = `<!doctype html><html lang="en"><title>bench SCO</title><body><script>
  (function () {
    var win = window;
    for (var i = 0; win && i < 10; i++) {
      try { if (win.API_1484_11) { window.api = win.API_1484_11; break; } } catch (e) { /* another origin */ }
      if (win.parent === win) break;
      win = win.parent;
    }
    window.found = performance.timeOrigin + performance.now();
  })();${SCO_BODY}</script></body></html>`;
const peerScoPage = (lmsOrigin) => `<!doctype html><html lang="en"><title>peer SCO</title><body>
  <script>${inline("cross-frame-api.min.js")}</script><script>
  window.api = new CrossFrameAPI(${JSON.stringify(lmsOrigin)}, window.parent);
  window.found = performance.timeOrigin + performance.now();${SCO_BODY}</script></body></html>`;
const peerLmsPage = (contentOrigin) => `<!doctype html><html lang="en"><title>LMS (peer)</title><body>
  <iframe id="content" title="Course content"></iframe>
  <script>${inline("scorm2004.min.js")}</script><script>${inline("cross-frame-lms.min.js")}</script><script>
  window.lmsApi = new Scorm2004API({ logLevel: 5 });
  new CrossFrameLMS(window.lmsApi, ${JSON.stringify(contentOrigin)}, { rateLimit: 1e9 });
  </script></body></html>`;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

const backend = await startBackend([], "pkg", { auth: false });
const content = await startContent({ lmsOrigin: () => backend.url, pages: { "/sco/bench.html": SCO_PAGE, "/sco/peer.html": peerScoPage(backend.url) } });
const browser = await launchBrowser(BRIDGE_BROWSER_ARGS);
const results = { same: [], bridge: [], peer: [] };
let counter = 0;

async function scoFrame(page, prefix) {
  for (let i = 0; i < 400; i++) {
    const f = page.frames().find((x) => x.url().startsWith(prefix));
    if (f && (await f.evaluate(() => "found" in window && !!window.api).catch(() => false))) return f;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("no SCO frame at " + prefix);
}

async function run(kind) {
  const id = "bench-" + kind + "-" + ++counter;
  const context = await browser.newContext();
  const page = await context.newPage();
  const lmsUrl = backend.url + "/" + id + ".html";
  if (kind === "peer") {
    await servePage(page, lmsUrl, peerLmsPage(content.origin));
  } else {
    await servePage(page, lmsUrl, lmsPage({ "learner-id": "u-" + id, "registration-id": "r-" + id, "course-id": "c", "sco-id": "s" }));
    await servePage(page, backend.url + "/sco/bench.html", SCO_PAGE);
  }
  await page.goto(lmsUrl);
  if (kind !== "peer") await page.evaluate(() => ScormShim.ready);
  if (kind === "bridge") {
    // The first launch loads the course engine (the bridge's host side): not part of the launch measured.
    await page.evaluate(() => ScormShim.bridge.status() && ScormShim.bridge.launch(document.getElementById("content"), { bridgeUrl: "x", contentOrigin: "x", scoUrl: "x" }).catch(() => null));
  }
  const start = await page.evaluate(({ kind, bridge, sco, peer, own }) => {
    const frame = document.getElementById("content");
    const t = performance.timeOrigin + performance.now();
    if (kind === "bridge") ScormShim.bridge.launch(frame, { bridgeUrl: bridge, contentOrigin: new URL(bridge).origin, scoUrl: sco });
    else frame.src = kind === "peer" ? peer : own;
    return t;
  }, { kind, bridge: content.url("/bridge/bridge.html"), sco: content.url("/sco/bench.html"), peer: content.url("/sco/peer.html"), own: backend.url + "/sco/bench.html" });
  const sco = await scoFrame(page, kind === "same" ? backend.url + "/sco/" : content.url("/sco/"));
  const m = await sco.evaluate((n) => window.measure(n), CALLS);
  const found = await sco.evaluate(() => window.found);
  // Until the LMS page has every call (the bridge: replayed on its mirror; the peer: the value set last).
  let caught = NaN;
  if (kind === "bridge") {
    const want = 2 * CALLS + 2;
    await page.waitForFunction((w) => ScormShim.bridge.status().calls >= w, want, { timeout: 60000, polling: 5 });
    caught = (await page.evaluate(() => performance.timeOrigin + performance.now())) - m.done;
  } else if (kind === "peer") {
    await page.waitForFunction((v) => window.lmsApi.GetValue("cmi.location") === v, m.last, { timeout: 60000, polling: 5 });
    caught = (await page.evaluate(() => performance.timeOrigin + performance.now())) - m.done;
  }
  const mismatches = kind === "bridge" ? await page.evaluate(() => ScormShim.bridge.status().mismatches) : 0;
  await context.close();
  return { launchMs: found - start, initMs: m.initMs, init: m.init, perCallUs: m.perCallUs, caughtUpMs: caught, mismatches };
}

try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of ["same", "bridge", "peer"]) results[kind].push(await run(kind));
  }
} finally {
  await browser.close();
  await content.stop();
  await backend.stop();
}

const size = (p) => { const b = readFileSync(path.join(ROOT, p)); return [b.length, gzipSync(b, { level: 9 }).length]; };
const files = [["pkg/bridge/bridge.html", ...size("pkg/bridge/bridge.html")], ["pkg/bridge/scorm-shim-bridge.js", ...size("pkg/bridge/scorm-shim-bridge.js")]];
const peerSize = ["cross-frame-api.min.js", ...size(path.relative(ROOT, path.join(PEER, "cross-frame-api.min.js")))];
const row = (name, kind) => {
  const xs = results[kind];
  const col = (k, d) => fmt(median(xs.map((x) => x[k])), d);
  return `| ${name} | ${col("launchMs", 0)} | ${col("initMs", 3)} | ${col("perCallUs", 2)} | ${kind === "same" ? "(same call)" : col("caughtUpMs", 0)} | ${xs.every((x) => x.init === "true") ? "true" : xs.map((x) => x.init).join(",")} |`;
};
const ua = (await import("node:child_process")).execSync("/usr/bin/chromium --version").toString().trim();
const section = `${BEGIN}
## Content-origin bridge (bench/bridge.mjs)

${ua}; ${new Date().toISOString().slice(0, 10)}; medians of ${ROUNDS} rounds (set-ups alternated);
${CALLS} SetValue + GetValue pairs per run. The LMS page on 127.0.0.1, the content on
another site (cdn.test, mapped to 127.0.0.1). "Launch": from setting the frame's
\`src\` (same page, peer) or calling \`ScormShim.bridge.launch\` (bridge) until the SCO's
script has found its API. "Caught up": from the SCO's last call until the LMS page
has all of them (bridge: replayed on its instances, ${results.bridge.reduce((n, x) => n + x.mismatches, 0)} mismatches in all runs;
peer: the last value set readable on the LMS page).

| set-up | launch (ms) | Initialize (ms) | per call in the SCO (µs) | caught up (ms) | Initialize returned |
|---|---:|---:|---:|---:|---|
${row("same page (drop-in, SCO on the LMS origin)", "same")}
${row("bridge (SCO on the content origin)", "bridge")}
${row("scorm-again 3.4.3 CrossFrameAPI (cached, asynchronous)", "peer")}

The peer's calls return at once from a cache the LMS page refreshes
asynchronously (its first \`GetValue\` after \`Initialize\` answers from an empty
cache); the bridge's are answered exactly, by the same engine on the content
origin.

Files copied to the content origin (gzip -9), beside the peer's content-side script:

| file | raw | gzipped |
|---|---:|---:|
${files.map(([f, raw, gz]) => `| \`${f}\` | ${raw} | ${gz} |`).join("\n")}
| scorm-again \`${peerSize[0]}\` | ${peerSize[1]} | ${peerSize[2]} |
${END}
`;
console.log(section);
let md = existsSync(OUT) ? readFileSync(OUT, "utf8") : "";
if (md.includes(BEGIN) && md.includes(END)) md = md.slice(0, md.indexOf(BEGIN)) + section.trimEnd() + md.slice(md.indexOf(END) + END.length);
else md = md.trimEnd() + "\n\n" + section;
writeFileSync(OUT, md);
