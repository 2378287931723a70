// End-to-end: the ADL SCORM 2004 test suite's run-time sessions (families
// API, DMI, DMB, DDM) through the content-origin bridge (issue 17): each
// session launched on the LMS page (http://127.0.0.1) from its transcript's
// launch values (Shim's test-only launchForTest, as tests/e2e/cts_rte.test.mjs
// does on one page), handed to the bridge on another site
// (http://cdn.test), and replayed there by a SCO that found
// window.API_1484_11 in its parent. Every return value and GetLastError code
// must equal the native run's, and the LMS page's mirror must have answered
// every call as the bridge did.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, startBackend, launchBrowser, servePage } from "./harness.mjs";
import { startContent, SCO_PAGE, BRIDGE_BROWSER_ARGS } from "./bridge-harness.mjs";

const FAMILIES = ["API", "DMI", "DMB", "DDM"];

let backend, content, browser, page, dir;
const transcripts = {};

function writeTranscripts(into) {
  return new Promise((resolve, reject) => {
    const child = spawn("cargo", ["test", "-q", "--test", "cts_rte", "cts_"], {
      cwd: ROOT,
      env: { ...process.env, CTS_TRANSCRIPT_DIR: into },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error("cargo test --test cts_rte failed (" + code + "):\n" + out.slice(-4000)))));
  });
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "cts-bridge-transcripts-"));
  await writeTranscripts(dir);
  for (const f of FAMILIES) transcripts[f] = JSON.parse(readFileSync(path.join(dir, f + ".json"), "utf8"));
  backend = await startBackend([], "target/pkg-test");
  content = await startContent({ lmsOrigin: () => backend.url, pages: { "/sco/cts.html": SCO_PAGE } });
  browser = await launchBrowser(BRIDGE_BROWSER_ARGS);
  page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await servePage(page, backend.url + "/cts-bridge.html", `<!doctype html><title>CTS RTE through the bridge</title>
    <iframe id="content" title="SCO"></iframe>
    <script type="module">
      import { load, Shim } from "/pkg/index.js";
      const handle = await load({ learnerId: "cts", versions: "2004" });
      let shim = null;
      const own = Shim.prototype.GetLastError;
      Shim.prototype.GetLastError = function () { shim = this; return own.call(this); };
      handle.api2004.GetLastError();
      Shim.prototype.GetLastError = own;
      const frame = document.getElementById("content");
      // One session: its launch values on this page, then the bridge.
      window.ctsLaunch = async (s, where) => {
        if (frame.src !== "about:blank" && frame.getAttribute("src")) {
          await new Promise((resolve) => { frame.addEventListener("load", resolve, { once: true }); frame.src = "about:blank"; });
        }
        await handle.bridge.settle();
        shim.launchForTest(JSON.stringify(s.launch), JSON.stringify(s.saved), JSON.stringify(s.oracle));
        return handle.bridge.launch(frame, where);
      };
      window.ctsStatus = () => handle.bridge.status();
      window.ctsReady = shim !== null;
    </script>`);
  await page.goto(backend.url + "/cts-bridge.html");
  await page.waitForFunction(() => "ctsReady" in window);
  assert.deepEqual(errors, []);
  assert.equal(await page.evaluate(() => window.ctsReady), true);
});

after(async () => {
  await browser?.close();
  await content?.stop();
  await backend?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// In the SCO: the session's calls through window.API_1484_11 (found in the parent), checked against the native results.
function replay(s) {
  const api = window.api2004;
  const CALL = {
    Initialize: (c) => api.Initialize(c.arg), Terminate: (c) => api.Terminate(c.arg), Commit: (c) => api.Commit(c.arg),
    GetValue: (c) => api.GetValue(c.arg), SetValue: (c) => api.SetValue(c.arg, c.value), GetLastError: () => api.GetLastError(),
    GetErrorString: (c) => api.GetErrorString(c.arg), GetDiagnostic: (c) => api.GetDiagnostic(c.arg),
  };
  const mismatches = [];
  s.calls.forEach((c, i) => {
    const ret = CALL[c.method](c);
    const err = api.GetLastError();
    if (ret !== c.ret || err !== c.err) {
      mismatches.push({ case: s.case, block: s.block, call: i, method: c.method, arg: c.arg, native: { ret: c.ret, err: c.err }, bridge: { ret, err } });
    }
  });
  return { calls: s.calls.length, mismatches };
}

const where = () => ({ bridgeUrl: content.url("/bridge/bridge.html"), contentOrigin: content.origin, scoUrl: content.url("/sco/cts.html") });

for (const family of FAMILIES) {
  test(`CTS ${family} through the bridge: every session replays on the content origin with the native results, and the LMS page's mirror agrees`, async (t) => {
    const { sessions } = transcripts[family];
    assert.ok(sessions.length > 0);
    const expected = sessions.reduce((n, s) => n + s.calls.length, 0);
    const before = await page.evaluate(() => window.ctsStatus());
    let calls = 0;
    const mismatches = [];
    for (const s of sessions) {
      await page.evaluate(([s, w]) => window.ctsLaunch(s, w), [s, where()]);
      const sco = await waitForSco();
      const r = await sco.evaluate(replay, s);
      calls += r.calls;
      mismatches.push(...r.mismatches);
      // The mirror has them all (each call and its GetLastError) before the next launch.
      const want = before.calls + 2 * calls;
      await page.waitForFunction((w) => window.ctsStatus().calls >= w, want, { timeout: 20000, polling: 10 });
    }
    const status = await page.evaluate(() => window.ctsStatus());
    t.diagnostic(`${family}: ${sessions.length} sessions, ${calls} calls through the bridge, ${mismatches.length} mismatches, ${status.mismatches - before.mismatches} mirror mismatches`);
    assert.equal(calls, expected);
    assert.deepEqual(mismatches.slice(0, 20), [], `${family}: ${mismatches.length} calls differ from the native run`);
    assert.equal(status.mismatches - before.mismatches, 0, "the LMS page's mirror answered as the bridge");
  });
}

async function waitForSco() {
  for (let i = 0; i < 400; i++) {
    const f = page.frames().find((x) => x.url() === content.url("/sco/cts.html"));
    if (f && (await f.evaluate(() => document.readyState === "complete" && !!window.api2004).catch(() => false))) return f;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the SCO did not load");
}
