// Set-up of the offline player's end-to-end tests (tests/e2e/offline.test.mjs,
// tests/e2e/library-kill.test.mjs): the reference backend on a SQLite file
// (restarted on the same port and database, so that "the network comes
// back" is the same server), and in front of it a small server of the test's
// own: the origin the browser sees. It serves the courses the test publishes
// (zips, with ETag, Range and If-Range as a web server answers them, and a
// download that can be cut half-way) and passes everything else to the
// backend. Stopping both is the network being gone: the browser's
// connections are refused, whatever its offline mode says.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startBackend } from "./harness.mjs";
import { startChromium, sleep } from "./crash.mjs";

export { startChromium, sleep };

/**
 * The front server and the backend behind it. `published` maps a path
 * ("/pub/course.zip") to `{body: Buffer, etag, lastModified, type, cut}`:
 * `cut` (bytes) makes the next answer stop after that many bytes (the
 * connection dropped) and is then cleared. `log` lists every request to a
 * published path: {path, method, range, ifRange, status}.
 */
export async function startSite() {
  const dir = mkdtempSync(path.join(tmpdir(), "scorm-offline-"));
  const db = path.join(dir, "backend.sqlite");
  let backend = null, backendPort = 0, server = null, port = 0;
  const published = new Map();
  const log = [];

  async function backendUp() {
    backend = await startBackend(["--db", db, ...(backendPort ? ["--addr", "127.0.0.1:" + backendPort] : [])]);
    backendPort = Number(new URL(backend.url).port);
  }

  function servePublished(req, res, item) {
    const size = item.body.length;
    const headers = {
      "Content-Type": item.type || "application/zip", "Accept-Ranges": "bytes", "Cache-Control": "no-cache",
      ETag: item.etag, "Last-Modified": item.lastModified,
    };
    let start = 0, end = size - 1, status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || "");
    const ifRange = req.headers["if-range"] || "";
    const fresh = !ifRange || ifRange === item.etag || ifRange === item.lastModified;
    if (range && fresh) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size) {
        res.writeHead(416, { "Content-Range": "bytes */" + size });
        log.push({ path: req.url, method: req.method, range: req.headers.range || "", ifRange, status: 416 });
        return res.end();
      }
      status = 206;
      headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    }
    headers["Content-Length"] = String(end - start + 1);
    log.push({ path: req.url, method: req.method, range: req.headers.range || "", ifRange, status });
    res.writeHead(status, headers);
    if (req.method === "HEAD") return res.end();
    const part = item.body.subarray(start, end + 1);
    if (item.cut && item.cut < part.length) {
      const n = item.cut;
      item.cut = 0;
      res.write(part.subarray(0, n), () => setTimeout(() => res.destroy(), 50));
      return;
    }
    res.end(part);
  }

  function proxy(req, res) {
    const up = http.request({ host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on("error", () => { res.destroy(); });
    req.pipe(up);
  }

  async function frontUp() {
    server = http.createServer((req, res) => {
      const p = new URL(req.url, "http://x").pathname;
      const item = published.get(p);
      if (item) return servePublished(req, res, item);
      proxy(req, res);
    });
    await new Promise((resolve, reject) => { server.once("error", reject); server.listen(port, "127.0.0.1", resolve); });
    port = server.address().port;
  }

  await backendUp();
  await frontUp();
  let isUp = true;
  const site = {
    get url() { return "http://127.0.0.1:" + port; },
    get backend() { return backend; },
    published, log, db,
    /** Publish `body` at `p` (a new ETag and Last-Modified each time). */
    publish(p, body, { type = "application/zip", cut = 0 } = {}) {
      const n = (published.get(p)?.n || 0) + 1;
      published.set(p, { body, type, cut, n, etag: `"${p.replace(/\W/g, "")}-${n}"`, lastModified: new Date(Date.now() + n * 1000).toUTCString() });
    },
    /** The network goes away: the server and the backend stop (connections refused). */
    async down() {
      if (!isUp) return;
      isUp = false;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await backend.stop();
    },
    /** The network comes back: the same server on the same port, the backend on the same database. */
    async up() {
      if (isUp) return;
      await backendUp();
      await frontUp();
      isUp = true;
    },
    async stop() {
      if (isUp) await site.down();
      rmSync(dir, { recursive: true, force: true });
    },
    /** The backend's answer for `registration` (node's fetch, with a launch token). */
    async api(pathAndQuery, learner, registration, course) {
      const res = await fetch(backend.url + pathAndQuery, { headers: backend.authHeaders(learner, registration, course) });
      if (res.status !== 200) throw new Error(pathAndQuery + " answered " + res.status + ": " + await res.text());
      return res.json();
    },
  };
  return site;
}

/** The course.html of this site with `learner` as the LMS's configured learner. */
export async function learnerPage(context, site, learner) {
  await context.route(site.url + "/course.html*", async (route) => {
    // The LMS decides who the learner is: the page's markup, with this
    // test's learner (the service worker caches the page as it came).
    const res = await route.fetch();
    const html = (await res.text()).replace('data-learner-id="demo-learner"', `data-learner-id="${learner}"`);
    await route.fulfill({ response: res, body: html });
  });
}

/** Wait until the library page has listed the courses. */
export async function libraryReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.library === "ready", null, { timeout: 30000 });
}

/** The library's entries as a learner sees them. */
export async function entries(page) {
  return page.$$eval("#courses > li", (lis) => lis.map((li) => ({
    key: li.dataset.key || "",
    download: li.dataset.download || "",
    problem: li.dataset.problem || "",
    attempt: li.dataset.attempt || "",
    newer: li.dataset.newer || "",
    title: li.querySelector("h3")?.textContent || "",
    meta: li.querySelector(".course-meta")?.textContent || "",
    text: li.textContent,
    play: !!li.querySelector("a.button"),
    actions: [...li.querySelectorAll(".course-actions button, .course-actions a")].map((b) => b.textContent),
  })));
}

/** The SCO frame of the sequenced sample course, and wait until it shows `data` ("lesson=1", "lesson=2", "quiz"). */
export async function scoShowing(page, data, timeout = 30000) {
  await page.waitForFunction((want) => {
    const f = document.getElementById("content");
    const d = f && f.contentDocument;
    return !!d && !!d.documentElement && d.documentElement.dataset.activity === want && d.readyState === "complete";
  }, data, { timeout });
  return page.frames().find((f) => /\/package\/[^/]+\/sco\.html/.test(f.url()));
}
