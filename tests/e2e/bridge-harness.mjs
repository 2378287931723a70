// Shared set-up of the content-origin bridge tests (issue 17): a second,
// static origin for the content, as a CDN serves it.
//
// The LMS page is on the reference backend's origin (http://127.0.0.1:PORT);
// the content is on http://cdn.test:PORT2 (mapped to 127.0.0.1 in Chromium), another origin and another site,
// served by the plain static server below: the files of www/courses/, the
// bridge (pkg/bridge/bridge.html, its data-lms-origin set to the LMS origin
// as an LMS does when it copies it, and scorm-shim-bridge.js) at /bridge/
// and beside every package, and test pages given by the test. Nothing on
// this origin runs server code; it only answers GET/HEAD, with
// Access-Control-Allow-Origin for the LMS origin (the course player fetches
// the manifest and checks that a page exists).
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./harness.mjs";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".xml": "application/xml", ".css": "text/css" };

/**
 * The content origin's host name: another site than the LMS page's
 * 127.0.0.1, mapped to 127.0.0.1 by the browser (BRIDGE_BROWSER_ARGS), so
 * nothing but 127.0.0.1 is listened on.
 */
export const CONTENT_HOST = "cdn.test";
/** A third site, for pages that attack either side. */
export const EVIL_HOST = "evil.test";
/**
 * Chromium flags for the bridge tests: CONTENT_HOST resolves to 127.0.0.1;
 * and the LMS pages the tests hand to the browser (Playwright's
 * `route.fulfill`, no address of their own) count as public, so Local
 * Network Access would block their frames on a loopback address.
 */
export const BRIDGE_BROWSER_ARGS = ["--host-resolver-rules=MAP " + CONTENT_HOST + " 127.0.0.1, MAP " + EVIL_HOST + " 127.0.0.1", "--disable-features=LocalNetworkAccessChecks"];

/**
 * Start the content origin. `lmsOrigin`: what bridge.html is configured
 * with (a string or a function returning it, so a test can change it);
 * `pages`: {"/path": html} served as they are; `host`: its host name;
 * `redirects`: {"/path": () => url} answered with a 302 there. Resolves with {origin, url(path),
 * pages, requests, stop}.
 */
export async function startContent({ lmsOrigin, pages = {}, host = CONTENT_HOST, redirects = {} }) {
  const bridgeDir = path.join(ROOT, "pkg/bridge");
  if (!existsSync(path.join(bridgeDir, "scorm-shim-bridge.js"))) throw new Error("pkg/bridge/ is not built: run scripts/build.sh");
  const requests = [];
  const configured = () => (typeof lmsOrigin === "function" ? lmsOrigin() : lmsOrigin);
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    requests.push(url.pathname);
    const send = (status, type, body) => {
      res.writeHead(status, {
        "Content-Type": type,
        "Cache-Control": "no-store",
        "Access-Control-Allow-Origin": configured(),
      });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed");
    const p = decodeURIComponent(url.pathname);
    if (Object.prototype.hasOwnProperty.call(redirects, p)) {
      res.writeHead(302, { Location: redirects[p](), "Cache-Control": "no-store" });
      return res.end();
    }
    if (Object.prototype.hasOwnProperty.call(pages, p)) return send(200, "text/html; charset=utf-8", pages[p]);
    // The bridge: at /bridge/ and beside every package (course.open's default).
    const base = path.posix.basename(p);
    if (base === "bridge.html" || base === "scorm-shim-bridge.js") {
      let body = readFileSync(path.join(bridgeDir, base));
      if (base === "bridge.html") body = String(body).replace('data-lms-origin="https://lms.example.com"', `data-lms-origin="${configured()}"`);
      return send(200, TYPES[path.extname(base)], body);
    }
    if (p.startsWith("/courses/") && !p.includes("..")) {
      const file = path.join(ROOT, "www", p);
      if (existsSync(file) && statSync(file).isFile()) return send(200, TYPES[path.extname(file)] || "application/octet-stream", readFileSync(file));
    }
    send(404, "text/plain", "not found: " + p);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = "http://" + host + ":" + server.address().port;
  return {
    origin,
    url: (p) => origin + p,
    pages,
    requests,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A test SCO: finds the API the standard way (walking up the frames) and records what it found. */
export const SCO_PAGE = `<!doctype html><html lang="en"><title>test SCO</title><body><p>test SCO</p><script>
  function find(name) {
    var win = window;
    for (var i = 0; win && i < 10; i++) {
      try { if (win[name]) return win[name]; } catch (e) { /* another origin: go on up */ }
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  window.api2004 = find("API_1484_11");
  window.api12 = find("API");
  document.documentElement.dataset.found = (window.api2004 ? "2004 " : "") + (window.api12 ? "1.2" : "");
</script></body></html>`;

/** The frame of the page whose URL starts with `prefix` (waits for it). */
export async function frameOf(page, prefix, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const f = page.frames().find((x) => x.url().startsWith(prefix));
    if (f) {
      try {
        await f.waitForFunction(() => document.readyState === "complete" && "api2004" in window, null, { timeout: 5000 });
        return f;
      } catch (e) {
        if (Date.now() > end) throw e;
      }
    }
    if (Date.now() > end) throw new Error("no frame at " + prefix + " (frames: " + page.frames().map((x) => x.url()).join(", ") + ")");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An LMS page on the backend's origin: the drop-in with `attrs`, and a frame for content. */
export function lmsPage(attrs) {
  const data = Object.entries(attrs).map(([k, v]) => `data-${k}="${String(v).replace(/"/g, "&quot;")}"`).join(" ");
  return `<!doctype html><html lang="en"><title>LMS</title><body>
    <iframe id="content" title="Course content" style="width:800px;height:500px"></iframe>
    <script src="/pkg/scorm-shim.js" ${data}></script>
    <script>
      window.events = [];
      ScormShim.onEvent(function (e) { window.events.push(e); });
    </script></body></html>`;
}
