// Wire benchmark (project issue 7): what a scripted typical SCORM 2004 session
// puts on the network, for scorm-shim and for scorm-again@3.4.3, in the same run
// and the same headless Chromium.
//
//   node bench/wire.mjs [--out bench/WIRE.md] [--gap-ms 6000]
//
// The session: Initialize, 20 pages of 25 SetValue calls each (location,
// suspend_data that grows, progress, scores, statuses, one interaction and one
// objective per page) each followed by Commit (500 SetValue, 20 Commit), then
// Terminate. It runs twice per implementation: "burst" (every call back to back)
// and "paced" (one page every --gap-ms, default 6 s: longer than our default
// 5 s batching window, so no two commits of ours share a batch).
//
// Both pages come from one counting server on 127.0.0.1 (Node, this file):
//   ours: pkg/scorm-shim.js with data-endpoint="/api" and otherwise default
//         settings; /api/* is forwarded to the real reference backend
//         (target/debug/scorm-backend, or $SCORM_BACKEND_BIN) and counted.
//   peer: scorm-again's dist/scorm2004.min.js, `new Scorm2004API({lmsCommitUrl:
//         "/peer-commit"})` (its defaults otherwise: synchronous XHR, full
//         commits, beacon on Terminate); /peer-commit is counted and answered
//         {"result":true,"errorCode":0}.
// Counted per request: request line + headers as received, request body,
// response status line + headers as sent, response body. Static files are not
// counted. Writes bench/WIRE.md and prints the table.
import http from "node:http";
import { spawn, execSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync, mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
const OUT = path.resolve(ROOT, opt("--out", "bench/WIRE.md"));
const GAP_MS = Number(opt("--gap-ms", "6000"));
const log = (...a) => console.error("[wire]", ...a);

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-dev-shm-usage",
];

// ---------------------------------------------------------------- the session

/** The scripted session: a list of pages, each a list of [element, value]. */
function script() {
  const pages = [];
  let sd = "";
  for (let i = 0; i < 20; i++) {
    // suspend_data grows as an authoring tool's state does (JSON-like text).
    sd += JSON.stringify({ p: i, v: [i, i * 7 % 13, "seen"], t: "x".repeat(40) });
    const n = `cmi.interactions.${i}.`;
    const o = `cmi.objectives.${i}.`;
    const correct = i % 3 !== 0;
    pages.push([
      ["cmi.location", `page-${i + 1}`],
      ["cmi.suspend_data", sd],
      ["cmi.progress_measure", String((i + 1) / 20)],
      ["cmi.session_time", `PT${(i + 1) * 45}S`],
      ["cmi.completion_status", i === 19 ? "completed" : "incomplete"],
      ["cmi.success_status", i === 19 ? "passed" : "unknown"],
      ["cmi.score.min", "0"],
      ["cmi.score.max", "100"],
      ["cmi.score.raw", String(Math.round((i + 1) * 4.5))],
      ["cmi.score.scaled", String(Math.round((i + 1) * 4.5) / 100)],
      ["cmi.exit", i === 19 ? "normal" : "suspend"],
      [n + "id", `question-${i + 1}`],
      [n + "type", "choice"],
      [n + "timestamp", `2026-01-01T10:${String(i).padStart(2, "0")}:00`],
      [n + "weighting", "1"],
      [n + "description", `Question ${i + 1}: which option applies?`],
      [n + "correct_responses.0.pattern", "b"],
      [n + "learner_response", correct ? "b" : "c"],
      [n + "result", correct ? "correct" : "incorrect"],
      [n + "latency", `PT${10 + i}S`],
      [o + "id", `objective-${i + 1}`],
      [o + "score.scaled", correct ? "1" : "0"],
      [o + "success_status", correct ? "passed" : "failed"],
      [o + "completion_status", "completed"],
      [o + "progress_measure", "1"],
    ]);
  }
  return pages;
}

const PAGES = script();
if (PAGES.length !== 20 || PAGES.some((p) => p.length !== 25)) throw new Error("the script must be 20 × 25 SetValue");

// ---------------------------------------------------------------- servers

/** The reference backend on a free port, in-memory database. */
async function startBackend(www, pkg) {
  const bin = [process.env.SCORM_BACKEND_BIN, path.join(ROOT, "target/debug/scorm-backend"), path.join(ROOT, "target/release/scorm-backend")]
    .filter(Boolean).find(existsSync);
  if (!bin) throw new Error("scorm-backend is not built: cargo build -p scorm-backend");
  const child = spawn(bin, ["--addr", "127.0.0.1:0", "--db", ":memory:", "--www", www, "--pkg", pkg, "--insecure-no-auth", "--rate-limit-ip", "0", "--rate-limit-registration", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error("backend exited with " + code + ": " + out)));
  });
  return { url: new URL(url), stop: () => child.kill("SIGTERM") };
}

const headBytes = (req) => {
  let s = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) s += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  return Buffer.byteLength(s + "\r\n");
};

/** The counting server: pages, static files, /api → backend, /peer-commit. */
async function startCounter(backend) {
  const pages = new Map();
  const statics = {
    "/pkg/scorm-shim.js": path.join(ROOT, "pkg/scorm-shim.js"),
    "/peer/scorm2004.min.js": path.join(HERE, "node_modules/scorm-again/dist/scorm2004.min.js"),
  };
  const counts = new Map(); // tag → {requests, reqHead, reqBody, resHead, resBody, byPath}
  const tagOf = (req) => new URL(req.url, "http://x").searchParams.get("tag") || req.headers["x-bench-tag"] || "";
  const count = (tag, req, reqBody, res, resBody) => {
    if (!counts.has(tag)) counts.set(tag, { requests: 0, reqHead: 0, reqBody: 0, resHead: 0, resBody: 0, kinds: {} });
    const c = counts.get(tag);
    c.requests++;
    c.reqHead += headBytes(req);
    c.reqBody += reqBody.length;
    c.resHead += Buffer.byteLength(res._header || ""); // the status line and headers Node wrote
    c.resBody += resBody.length;
    const kind = `${req.method} ${new URL(req.url, "http://x").pathname}${req.headers["content-type"]?.startsWith("text/plain") ? " (text/plain)" : ""}`;
    c.kinds[kind] = (c.kinds[kind] || 0) + 1;
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (d) => chunks.push(d));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url, "http://x");
      // Each page's requests are tagged by its path: /page/<tag>.html, and the
      // API paths are /t/<tag>/api/… and /t/<tag>/peer-commit.
      const m = /^\/t\/([\w-]+)(\/.*)$/.exec(url.pathname);
      try {
        if (m && m[2].startsWith("/api/")) {
          const headers = { ...req.headers, host: backend.url.host };
          delete headers.connection;
          const r = await fetch(new URL(m[2] + url.search, backend.url), { method: req.method, headers, body: req.method === "POST" ? body : undefined });
          const out = Buffer.from(await r.arrayBuffer());
          const h = {};
          r.headers.forEach((v, k) => { if (!["content-length", "connection", "keep-alive", "transfer-encoding", "date", "server"].includes(k)) h[k] = v; });
          res.writeHead(r.status, { ...h, "Content-Length": out.length });
          res.end(out);
          count(m[1], req, body, res, out);
        } else if (m && m[2] === "/peer-commit") {
          const out = Buffer.from(JSON.stringify({ result: true, errorCode: 0 }));
          res.writeHead(200, { "Content-Type": "application/json", "Content-Length": out.length });
          res.end(out);
          count(m[1], req, body, res, out);
        } else if (url.pathname.startsWith("/page/") && pages.has(url.pathname.slice(6))) {
          res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
          res.end(pages.get(url.pathname.slice(6)));
        } else if (statics[url.pathname]) {
          res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" });
          res.end(readFileSync(statics[url.pathname]));
        } else {
          res.writeHead(404);
          res.end();
        }
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setPage: (name, html) => pages.set(name, html),
    counts,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

// ---------------------------------------------------------------- pages

const oursPage = (tag) => `<!doctype html><meta charset="utf-8">
<script src="/pkg/scorm-shim.js" data-endpoint="/t/${tag}/api" data-registration-id="reg-${tag}"
        data-learner-id="learner-1" data-course-id="course-1" data-sco-id="sco-1"></script>`;

const peerPage = (tag) => `<!doctype html><meta charset="utf-8">
<script src="/peer/scorm2004.min.js"></script>
<script>window.API_1484_11 = new Scorm2004API({ lmsCommitUrl: "/t/${tag}/peer-commit" });</script>`;

/** Run the session in `page`; `gapMs` between pages. Checks every call's result. */
async function runSession(page, gapMs) {
  const call = (fn, arg) => page.evaluate(fn, arg);
  const ok = await call(() => window.API_1484_11.Initialize(""));
  if (ok !== "true") throw new Error("Initialize: " + ok);
  for (let i = 0; i < PAGES.length; i++) {
    if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const res = await call((sets) => {
      const a = window.API_1484_11;
      const bad = [];
      for (const [k, v] of sets) if (a.SetValue(k, v) !== "true") bad.push(k + ": " + a.GetLastError());
      const c = a.Commit("");
      return { bad, commit: c, err: a.GetLastError() };
    }, PAGES[i]);
    if (res.bad.length || res.commit !== "true") throw new Error(`page ${i}: ${JSON.stringify(res)}`);
  }
  const t = await call(() => window.API_1484_11.Terminate(""));
  if (t !== "true") throw new Error("Terminate: " + t);
}

async function drainOurs(page) {
  await page.waitForFunction(() => {
    const s = window.ScormShim.queueStatus();
    return Object.values(s).every((q) => q.pending === 0 && q.failed.length === 0);
  }, null, { timeout: 60000, polling: 100 });
}

// ---------------------------------------------------------------- main

async function main() {
  const tmp = mkdtempSync(path.join(tmpdir(), "scorm-wire-"));
  const backend = await startBackend(tmp, path.join(ROOT, "pkg"));
  const counter = await startCounter(backend);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
  const version = browser.version();
  const peerVersion = JSON.parse(readFileSync(path.join(HERE, "node_modules/scorm-again/package.json"), "utf8")).version;
  const runs = [
    { tag: "ours-burst", who: "ours", gap: 0 },
    { tag: "peer-burst", who: "peer", gap: 0 },
    { tag: "ours-paced", who: "ours", gap: GAP_MS },
    { tag: "peer-paced", who: "peer", gap: GAP_MS },
  ];
  try {
    // Burst runs one after the other; the two paced runs side by side (each in
    // its own browser context), so the whole benchmark takes about 20 gaps.
    const one = async (r) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      counter.setPage(r.tag + ".html", r.who === "ours" ? oursPage(r.tag) : peerPage(r.tag));
      await page.goto(`${counter.url}/page/${r.tag}.html`);
      if (r.who === "ours") await page.evaluate(() => window.ScormShim.ready);
      const t0 = Date.now();
      await runSession(page, r.gap);
      if (r.who === "ours") await drainOurs(page);
      r.seconds = (Date.now() - t0) / 1000;
      await page.close({ runBeforeUnload: true }); // pagehide: what an unload would send
      await new Promise((res) => setTimeout(res, 500));
      await context.close();
      log(r.tag, "done in", r.seconds.toFixed(1), "s");
    };
    await one(runs[0]);
    await one(runs[1]);
    log(`paced runs: 20 pages ${GAP_MS} ms apart, both side by side`);
    await Promise.all([one(runs[2]), one(runs[3])]);
    // The backend must hold the session's last values (ours).
    for (const tag of ["ours-burst", "ours-paced"]) {
      const st = await (await fetch(new URL(`/api/state?registration=reg-${tag}`, backend.url))).json();
      const got = st.scos?.["sco-1"] || {};
      const want = Object.fromEntries(PAGES.flat());
      const wrong = Object.entries(want).filter(([k, v]) => got[k] !== v).map(([k]) => k);
      if (wrong.length) throw new Error(`${tag}: the backend lacks ${wrong.slice(0, 5).join(", ")}`);
    }
  } finally {
    await browser.close();
    await counter.close();
    backend.stop();
  }

  const rows = runs.map((r) => ({ ...r, c: counter.counts.get(r.tag) || { requests: 0, reqHead: 0, reqBody: 0, resHead: 0, resBody: 0, kinds: {} } }));
  const int = (n) => Math.round(n).toLocaleString("en-US");
  const lines = [];
  const p = (s = "") => lines.push(s);
  p("# Wire benchmark: a typical SCORM 2004 session");
  p();
  let commit = "unknown";
  try { commit = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim(); } catch {}
  p(`Generated by \`scripts/bench.sh --wire\` (\`node bench/wire.mjs\`) on ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}, commit ${commit}, Chromium ${version}, scorm-again ${peerVersion}.`);
  p();
  p("The session: `Initialize`, then 20 pages of 25 `SetValue` calls each (location, growing suspend_data,");
  p("progress, session time, statuses, scores, one interaction with 9 elements and one objective with 5),");
  p("each followed by `Commit` (500 `SetValue`, 20 `Commit`), then `Terminate`; the final suspend_data is");
  p(`${int(PAGES[19][1][1].length)} characters. **burst**: every call back to back; **paced**: one page every ${GAP_MS / 1000} s`);
  p("(longer than scorm-shim's default 5 s batching window, so each Commit is its own batch).");
  p();
  p("- **scorm-shim**: `pkg/scorm-shim.js` with `data-endpoint` (default settings otherwise), talking the");
  p("  protocol of docs/PROTOCOL.md to the reference backend through a counting proxy. Its requests include");
  p("  the `GET /api/state` made at page load for resume.");
  p("- **scorm-again**: `dist/scorm2004.min.js`, `new Scorm2004API({lmsCommitUrl})`, every other setting");
  p("  default (synchronous XHR per Commit, full CMI object each time, `sendBeacon` on Terminate); the");
  p("  counting server answers `{\"result\":true,\"errorCode\":0}`.");
  p();
  p("Bytes: request line and headers as received, request body, response status line and headers as");
  p("sent by the counting server, response body. Static files are not counted. TCP/IP overhead is not counted.");
  p();
  p("| run | implementation | requests | request bodies | response bodies | request headers | response headers | total bytes |");
  p("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const c = r.c;
    const total = c.reqHead + c.reqBody + c.resHead + c.resBody;
    p(`| ${r.gap ? "paced" : "burst"} | ${r.who === "ours" ? "scorm-shim" : "scorm-again " + peerVersion} | ${c.requests} | ${int(c.reqBody)} | ${int(c.resBody)} | ${int(c.reqHead)} | ${int(c.resHead)} | ${int(total)} |`);
  }
  p();
  p("Requests by kind:");
  p();
  for (const r of rows) p(`- ${r.tag}: ${Object.entries(r.c.kinds).map(([k, n]) => `${n} × \`${k.replace(/\/t\/[\w-]+/, "")}\``).join(", ")}`);
  p();
  p("Average body of a commit request (`POST`): " + rows.map((r) => {
    const posts = Object.entries(r.c.kinds).filter(([k]) => k.startsWith("POST")).reduce((n, [, v]) => n + v, 0);
    return `${r.tag} ${int(r.c.reqBody / Math.max(1, posts))} B`;
  }).join(", ") + ".");
  p();
  p("Not measured here: scorm-again's default commit is a synchronous XHR (the page's main thread waits");
  p("for each round trip inside `Commit`); scorm-shim's `Commit` returns once the change set is in");
  p("`localStorage` and the request goes out in the background, one at a time.");
  p();
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(3) : "–");
  for (const mode of ["burst", "paced"]) {
    const o = rows.find((r) => r.tag === `ours-${mode}`).c, q = rows.find((r) => r.tag === `peer-${mode}`).c;
    const tot = (c) => c.reqHead + c.reqBody + c.resHead + c.resBody;
    p(`${mode}: scorm-shim / scorm-again = ${ratio(o.requests, q.requests)} of the requests, ${ratio(o.reqBody, q.reqBody)} of the request body bytes, ${ratio(tot(o), tot(q))} of all counted bytes.`);
    p();
  }
  const md = lines.join("\n");
  writeFileSync(OUT, md);
  console.log(md);
  mkdirSync(path.join(HERE, "results"), { recursive: true });
  writeFileSync(path.join(HERE, "results/wire.json"), JSON.stringify(rows, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
