// Shared set-up of the end-to-end tests: the reference backend serving www/ and
// pkg/ on 127.0.0.1, and Debian's Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * Start the backend on a free port; resolves with { url, stop }. It serves
 * `pkg` (relative to the repository) at /pkg/: the shipped pkg/ by default,
 * target/pkg-test for the build with the test-only exports.
 */
export async function startBackend(extraArgs = [], pkg = "pkg") {
  const bin = [process.env.SCORM_BACKEND_BIN, path.join(ROOT, "target/debug/scorm-backend")].filter(Boolean).find(existsSync);
  if (!bin) throw new Error("scorm-backend is not built: run scripts/test.sh (it builds it)");
  const pkgDir = path.join(ROOT, pkg);
  if (!existsSync(path.join(pkgDir, "index.js"))) throw new Error(pkg + "/ is not built: run scripts/test.sh (it builds it)");
  const args = ["--addr", "127.0.0.1:0", "--www", path.join(ROOT, "www"), "--pkg", pkgDir, ...extraArgs];
  if (!args.includes("--db")) args.push("--db", ":memory:");
  const child = spawn(bin, args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("backend did not start: " + out)), 15000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error("backend exited with " + code + ": " + out)); });
  });
  return {
    url,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
}

/** Launch Chromium headless with the flags this machine needs. */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
}

/** Serve `html` at `url` from the page's own origin without touching www/. */
export async function servePage(page, url, html) {
  await page.route(url, (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }));
}
