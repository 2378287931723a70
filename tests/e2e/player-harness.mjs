// Set-up shared by the course player's end-to-end tests: a browser context
// whose page files come from the repository, the package fixtures under
// tests/e2e/packages/ served at /packages/, and the CDNs authoring tools'
// launch pages load from (jQuery, web fonts) answered locally: the test
// network is closed, as an LMS's intranet often is.
//
// Static files are answered by the context's router (from disk, with the
// content types the reference backend uses; HEAD and missing files as a
// server answers them), the API (/api/...) by the reference backend. The
// backend of this tree (tiny_http) can leave a request unread when a page
// opens more than four connections at once (its thread pool loses a
// wake-up); the page's ES modules do that, so static files do not go
// through it here.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ROOT } from "./harness.mjs";

export const PACKAGES = path.join(ROOT, "tests/e2e/packages");

const TYPES = {
  html: "text/html; charset=utf-8", htm: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", json: "application/json",
  xml: "application/xml", wasm: "application/wasm", svg: "image/svg+xml", png: "image/png",
  woff2: "font/woff2", txt: "text/plain; charset=utf-8", pdf: "application/pdf",
};

/** What the CDNs of authoring-tool exports answer here. */
const CDN = {
  "https://code.jquery.com/jquery-3.7.1.min.js": {
    contentType: TYPES.js,
    // A stand-in with the part of jQuery the fixtures use.
    body: "window.jQuery = window.$ = function (f) { if (typeof f === 'function') { if (document.readyState !== 'loading') f(); else document.addEventListener('DOMContentLoaded', f); } return { ready: function (g) { window.jQuery(g); } }; }; window.jQuery.fn = { jquery: '3.7.1-stand-in' };",
  },
  "https://fonts.googleapis.com/css2?family=Open+Sans&display=swap": {
    contentType: TYPES.css,
    body: "@font-face { font-family: 'Open Sans'; src: local('DejaVu Sans'); }",
  },
};

async function fromDisk(route, file) {
  const ext = path.extname(file).slice(1).toLowerCase();
  const headers = { "content-type": TYPES[ext] || "application/octet-stream", "cache-control": "no-cache" };
  let info;
  try {
    info = await stat(file);
    if (info.isDirectory()) return fromDisk(route, path.join(file, "index.html"));
  } catch {
    return route.fulfill({ status: 404, contentType: TYPES.txt, body: "not found" });
  }
  if (route.request().method() === "HEAD") {
    return route.fulfill({ status: 200, headers: { ...headers, "content-length": String(info.size) }, body: "" });
  }
  return route.fulfill({ status: 200, headers, body: await readFile(file) });
}

/** Map a URL path of the backend's origin to a file, or null for the API. */
function fileOf(pathname, pkg) {
  let decoded;
  try { decoded = decodeURIComponent(pathname); } catch { return undefined; }
  if (decoded.split("/").some((s) => s === "..")) return undefined;
  if (decoded.startsWith("/api/") || decoded === "/api") return null;
  if (decoded.startsWith("/pkg/")) return path.join(ROOT, pkg, decoded.slice(5));
  if (decoded.startsWith("/packages/")) return path.join(PACKAGES, decoded.slice(10));
  return path.join(ROOT, "www", decoded.slice(1) || "index.html");
}

/**
 * A browser context for the player: static files from disk, the API from
 * `backend`, the CDNs answered locally, anything else refused (and listed
 * in `context.offsite` so a test can check what a package tried to load).
 * `options.learner`: the learner course.html configures (as an LMS page
 * would), so that tests sharing a backend do not share registrations.
 */
export async function playerContext(browser, backend, options = {}) {
  const context = await browser.newContext(options.context || {});
  const origin = new URL(backend.url).origin;
  const pkg = options.pkg || "pkg";
  context.offsite = [];
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) {
      const file = fileOf(url.pathname, pkg);
      if (file === null) return route.continue();
      if (file === undefined) return route.fulfill({ status: 400, body: "bad request" });
      if (options.learner && url.pathname === "/course.html") {
        const html = (await readFile(file, "utf8")).replace('data-learner-id="demo-learner"', `data-learner-id="${options.learner}"`);
        return route.fulfill({ status: 200, contentType: TYPES.html, body: html });
      }
      return fromDisk(route, file);
    }
    const cdn = CDN[url.href];
    if (cdn) return route.fulfill({ status: 200, contentType: cdn.contentType, body: cdn.body, headers: { "access-control-allow-origin": "*" } });
    context.offsite.push(url.href);
    return route.abort("blockedbyclient");
  });
  return context;
}

/** The table of contents as a learner sees it. */
export async function tocState(page) {
  return page.$$eval("#toc li", (lis) => lis.map((li) => {
    const entry = li.querySelector(":scope > .entry, :scope > .cluster");
    return {
      id: li.dataset.id,
      title: entry.querySelector(".label").textContent,
      selectable: entry.tagName === "BUTTON" && entry.getAttribute("aria-disabled") !== "true",
      status: entry.querySelector(".status")?.textContent || "",
      why: li.querySelector(":scope > .why")?.textContent || "",
      current: li.classList.contains("current"),
    };
  }));
}

/** Which LMS buttons are enabled. */
export async function buttons(page) {
  return page.$$eval("#lms-nav button[data-request]", (bs) =>
    Object.fromEntries(bs.map((b) => [b.dataset.request, b.getAttribute("aria-disabled") !== "true"])));
}

/**
 * A page of `context` with course.html open on the fixture package
 * tests/fixtures/packages/<name>/ (its files served at /fixture/<name>/
 * through page.route, without the pages' Content-Security-Policy, as a
 * content server would). Resolves with {page, errors}: the page's uncaught errors.
 */
export async function openFixture(context, backend, name) {
  const dir = path.join(ROOT, "tests/fixtures/packages", name);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.route((url) => url.pathname.startsWith(`/fixture/${name}/`), async (route) => {
    const file = new URL(route.request().url()).pathname.split("/").pop();
    const type = file.endsWith(".xml") ? TYPES.xml : TYPES.html;
    route.fulfill({ status: 200, contentType: type, body: await readFile(path.join(dir, file)) });
  });
  await page.goto(backend.url + `/course.html?manifest=/fixture/${name}/imsmanifest.xml`);
  return { page, errors };
}
