// Shared set-up of the end-to-end tests: the reference backend serving www/ and
// pkg/ on 127.0.0.1, and Debian's Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
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
 * The HS256 secret the test backends sign launch tokens with: one per test
 * process, so a backend restarted on the same database accepts the tokens
 * its pages already hold.
 */
export const AUTH_SECRET = randomBytes(32).toString("base64url");

const b64url = (s) => Buffer.from(s).toString("base64url");

/**
 * A launch token as an LMS issues it (docs/PROTOCOL.md, "Authentication"):
 * a JWT signed with HS256 over {sub, reg, crs, iat, exp}.
 */
export function mintToken(learner, registration, course, { ttl = 3600, secret = AUTH_SECRET, now = Math.floor(Date.now() / 1000) } = {}) {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ sub: learner, reg: registration, crs: course, iat: now, exp: now + ttl }));
  const sig = createHmac("sha256", secret).update(header + "." + payload).digest("base64url");
  return header + "." + payload + "." + sig;
}

/**
 * Start the backend on a free port; resolves with { url, stop, token,
 * authHeaders }. It serves `pkg` (relative to the repository) at /pkg/: the
 * shipped pkg/ by default, target/pkg-test for the build with the
 * test-only exports. Authentication is on (secret AUTH_SECRET) with the dev
 * token endpoint; `{ auth: false }` starts it with --insecure-no-auth (for
 * pages that do not send tokens yet).
 */
export async function startBackend(extraArgs = [], pkg = "pkg", { auth = true } = {}) {
  const bin = [process.env.SCORM_BACKEND_BIN, path.join(ROOT, "target/debug/scorm-backend")].filter(Boolean).find(existsSync);
  if (!bin) throw new Error("scorm-backend is not built: run scripts/test.sh (it builds it)");
  const pkgDir = path.join(ROOT, pkg);
  if (!existsSync(path.join(pkgDir, "index.js"))) throw new Error(pkg + "/ is not built: run scripts/test.sh (it builds it)");
  const args = ["--addr", "127.0.0.1:0", "--www", path.join(ROOT, "www"), "--pkg", pkgDir, "--log-level", "error", "--shutdown-grace", "2", ...extraArgs];
  if (!args.includes("--db")) args.push("--db", ":memory:");
  const env = { ...process.env };
  delete env.SCORM_AUTH_SECRET;
  if (auth) {
    env.SCORM_AUTH_SECRET = AUTH_SECRET;
    if (!args.includes("--dev-tokens")) args.push("--dev-tokens");
  } else {
    args.push("--insecure-no-auth");
  }
  const child = spawn(bin, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env,
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
    /** A token for (learner, registration, course), signed like the LMS would. */
    token: (learner, registration, course, opts) => mintToken(learner, registration, course, opts),
    /** `{Authorization: "Bearer …"}` for node's fetch. */
    authHeaders: (learner, registration, course) => ({ Authorization: "Bearer " + mintToken(learner, registration, course) }),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
}

/** Launch Chromium headless with the flags this machine needs (and `extra` ones). */
export function launchBrowser(extra = []) {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: [...CHROMIUM_ARGS, ...extra], headless: true });
}

/** Serve `html` at `url` from the page's own origin without touching www/. */
export async function servePage(page, url, html) {
  await page.route(url, (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }));
}

/**
 * Wait until `fn(arg)`, evaluated in the page, resolves to a truthy value;
 * polls every `polling` ms, throws after `timeout` ms. For predicates that
 * must await something (IndexedDB, OPFS): Playwright's waitForFunction takes
 * the Promise an async predicate returns as its (truthy) answer and returns
 * at once.
 */
export async function waitForAsync(page, fn, arg, { timeout = 10000, polling = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > deadline) throw new Error("waitForAsync: still false after " + timeout + " ms: " + String(fn).slice(0, 200));
    await new Promise((r) => setTimeout(r, polling));
  }
}
