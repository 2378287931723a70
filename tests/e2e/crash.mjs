// A Chromium that can be killed like a crash: started on its own profile
// directory in its own process group, driven over the DevTools protocol,
// and killed with SIGKILL (every process of the browser at once: no
// shutdown, no flush), then started again on the same profile. Used by the
// kill tests (tests/e2e/kill.test.mjs) and bench/durability.mjs.
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "./harness.mjs";

/**
 * Start Chromium on `profileDir`. Resolves with { browser, context, kill }:
 * `context` is the profile's default context (what a user's tabs live in),
 * `kill()` SIGKILLs the whole process group and resolves once the browser
 * process is gone.
 */
export async function startChromium(profileDir) {
  const bin = process.env.CHROMIUM || "/usr/bin/chromium";
  const child = spawn(bin, [
    ...CHROMIUM_ARGS,
    "--user-data-dir=" + profileDir,
    "--remote-debugging-port=0",
    "--no-default-browser-check",
    "--password-store=basic",
    "about:blank",
  ], { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const ws = await new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error("chromium did not start: " + err.slice(-2000))), 20000);
    child.stderr.on("data", (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error("chromium exited with " + code + ": " + err.slice(-2000))); });
  });
  child.stderr.resume();
  const browser = await chromium.connectOverCDP(ws);
  const context = browser.contexts()[0];
  let killed = false;
  return {
    browser,
    context,
    pid: child.pid,
    /** SIGKILL every process of this browser at once (a crash, an OOM kill, power loss for the page). */
    kill: async () => {
      if (!killed) {
        killed = true;
        try { process.kill(-child.pid, "SIGKILL"); } catch (e) { /* already gone */ }
      }
      await exited;
      // The renderer and utility processes are in the same group: wait until none is left.
      for (let i = 0; i < 100; i++) {
        try { process.kill(-child.pid, 0); } catch (e) { break; }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** A normal shutdown (SIGTERM: the browser writes what it holds), for the end of a test. */
    close: async () => {
      try { await browser.close(); } catch (e) { /* gone */ }
      if (!killed) { killed = true; try { process.kill(-child.pid, "SIGTERM"); } catch (e) { /* gone */ } }
      const late = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch (e) { /* gone */ } }, 10000);
      await exited;
      clearTimeout(late);
    },
  };
}

/** Sleep `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
