// End-to-end: the ADL SCORM 2004 test suite's run-time families (API, DMI,
// DMB, DDM) through the real window.API_1484_11 in Chromium.
//
// The native harness (tests/cts_rte.rs) decodes the suite, plays the LMS
// around the API and checks every call against the suite's expectations.
// With CTS_TRANSCRIPT_DIR set it also writes each SCO session it ran: the
// launch values, the state it resumed from, the stand-in sequencer's data
// and every call with the native return value and error code. This test
// generates those transcripts, then replays every session in the browser:
// a fresh SCORM 2004 instance from the same launch values (Shim's test-only
// launchForTest), then Initialize, the calls and Terminate through
// window.API_1484_11 exactly as recorded, and requires every returned string
// and GetLastError code to equal the native one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, startBackend, launchBrowser, servePage } from "./harness.mjs";

const FAMILIES = ["API", "DMI", "DMB", "DDM"];
// Calls per page.evaluate: sessions are batched up to about this many.
const BATCH_CALLS = 3000;

let backend, browser, page, dir;
const transcripts = {};

/** Run the native harness with CTS_TRANSCRIPT_DIR set (it also runs its own assertions). */
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
  dir = mkdtempSync(path.join(tmpdir(), "cts-transcripts-"));
  await writeTranscripts(dir);
  for (const f of FAMILIES) transcripts[f] = JSON.parse(readFileSync(path.join(dir, f + ".json"), "utf8"));
  // The test package: launchForTest is not in the shipped pkg/.
  backend = await startBackend([], "target/pkg-test");
  browser = await launchBrowser();
  page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // The ES module entry: load() installs window.API_1484_11 (the same installer
  // as pkg/scorm-shim.js). The Shim instance behind it stays private; the page
  // reaches it through the exported class, by wrapping one prototype method for
  // a single call made through window.API_1484_11 itself.
  await servePage(page, backend.url + "/cts-rte.html", `<!doctype html><title>CTS RTE replay</title>
    <script type="module">
      import { load, Shim } from "/pkg/index.js";
      await load({ learnerId: "cts", versions: "2004" });
      const api = window.API_1484_11;
      let shim = null;
      const own = Shim.prototype.GetLastError;
      Shim.prototype.GetLastError = function () { shim = this; return own.call(this); };
      api.GetLastError();
      Shim.prototype.GetLastError = own;

      const CALL = {
        Initialize: (c) => api.Initialize(c.arg),
        Terminate: (c) => api.Terminate(c.arg),
        Commit: (c) => api.Commit(c.arg),
        GetValue: (c) => api.GetValue(c.arg),
        SetValue: (c) => api.SetValue(c.arg, c.value),
        GetLastError: () => api.GetLastError(),
        GetErrorString: (c) => api.GetErrorString(c.arg),
        GetDiagnostic: (c) => api.GetDiagnostic(c.arg),
      };
      // Replay sessions; returns the number of calls checked and every mismatch.
      window.ctsReplay = (sessions) => {
        let calls = 0;
        const mismatches = [];
        for (const s of sessions) {
          shim.launchForTest(JSON.stringify(s.launch), JSON.stringify(s.saved), JSON.stringify(s.oracle));
          s.calls.forEach((c, i) => {
            const ret = CALL[c.method](c);
            const err = api.GetLastError();
            calls++;
            if (ret !== c.ret || err !== c.err) {
              mismatches.push({ case: s.case, block: s.block, call: i, method: c.method, arg: c.arg, value: c.value,
                native: { ret: c.ret, err: c.err }, browser: { ret, err } });
            }
          });
        }
        return { calls, mismatches };
      };
      window.ctsReady = shim !== null;
    </script>`);
  await page.goto(backend.url + "/cts-rte.html");
  await page.waitForFunction(() => "ctsReady" in window);
  assert.deepEqual(errors, []);
  assert.equal(await page.evaluate(() => window.ctsReady), true, "the page reached the Shim behind window.API_1484_11");
});

after(async () => {
  await browser?.close();
  await backend?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const family of FAMILIES) {
  test(`CTS ${family}: every decoded session replays through window.API_1484_11 with the native results`, async (t) => {
    const { sessions } = transcripts[family];
    assert.ok(sessions.length > 0, family + ": no session in the transcript");
    const expected = sessions.reduce((n, s) => n + s.calls.length, 0);
    let calls = 0;
    const mismatches = [];
    for (let i = 0; i < sessions.length;) {
      const batch = [];
      let size = 0;
      while (i < sessions.length && (batch.length === 0 || size + sessions[i].calls.length <= BATCH_CALLS)) {
        size += sessions[i].calls.length;
        batch.push(sessions[i++]);
      }
      const r = await page.evaluate((b) => window.ctsReplay(b), batch);
      calls += r.calls;
      mismatches.push(...r.mismatches);
    }
    const line = `${family}: ${sessions.length} sessions, ${calls} calls checked in Chromium, ${mismatches.length} mismatches`;
    t.diagnostic(line);
    assert.equal(calls, expected);
    assert.deepEqual(mismatches.slice(0, 20), [], `${family}: ${mismatches.length} calls differ from the native run`);
  });
}
