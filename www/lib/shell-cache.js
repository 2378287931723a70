// The application shell in the service worker (www/sw.js): the pages' own
// files (course.html, preview.html, their modules, pkg/, www/vendor/) kept in
// the Cache Storage so that the player opens with no network at all after a
// first visit. Kept apart from the worker so node tests can drive it with a
// fake Cache Storage (tests/js/shell-cache.test.mjs).
//
// Rules (Service Workers, "Cache" and "Update" algorithms, as applied here):
// * One cache per shell version: `scorm-shim-shell-<version>`, the version
//   being a hash of every shell file (www/app-shell.js, written by the
//   build). A deploy changes the worker's bytes (its import of
//   app-shell.js), so the browser installs the new worker beside the old one.
// * The first install activates at once and fills its cache afterwards, on
//   the page's request (`fill`): a page waiting for the worker to serve
//   packages (the preview) is not held up by the download of the shell.
// * An update fills the new cache *before* it is installed and then waits:
//   the pages still open keep the version they were loaded with (a module
//   loaded later, such as the course engine, comes from the same version),
//   until a page asks it to take over (`skipWaiting`) and reloads. On
//   activation the caches of other versions are deleted.
// * A shell file is answered from the cache; a file not in it (a failed
//   fill) from the network, and kept. The query string is ignored
//   (`course.html?manifest=…` is course.html). Only GET; a redirected
//   answer is not kept (a navigation cannot use it from a worker).
// * Filling is tolerant: a file that cannot be fetched is reported (status
//   `missing`), never fatal: the worker must keep serving packages.

export const CACHE_PREFIX = "scorm-shim-shell-";

/**
 * @param {{version: string, files: string[], base: string, caches: CacheStorage,
 *   fetch: (input: RequestInfo, init?: RequestInit) => Promise<Response>}} options
 *   `files` relative to `base` (the worker's own URL).
 */
export function createShell({ version, files, base, caches, fetch }) {
  const name = CACHE_PREFIX + version;
  const origin = new URL(base).origin;
  const urls = files.map((f) => new URL(f, base).href);
  const byPath = new Map(urls.map((u) => [new URL(u).pathname, u]));

  /** The shell URL `request` stands for (query ignored), or null when it is not one. */
  function match(request) {
    if (request.method !== "GET") return null;
    const url = new URL(request.url);
    if (url.origin !== origin) return null;
    return byPath.get(url.pathname) || null;
  }

  async function fetchOne(url) {
    const res = await fetch(url, { cache: "no-cache", credentials: "same-origin" });
    if (!res.ok) throw new Error(url + " answered " + res.status);
    if (res.redirected) throw new Error(url + " was redirected to " + res.url);
    return res;
  }

  /**
   * Fetch into the cache every shell file it lacks (`all`: every one, for a
   * new version). Resolves with the status.
   */
  async function fill({ all = false } = {}) {
    const cache = await caches.open(name);
    const missing = [];
    // A few at a time: the shell is about 20 files, two of them large.
    let next = 0;
    async function worker() {
      while (next < urls.length) {
        const url = urls[next++];
        if (!all && (await cache.match(url))) continue;
        try {
          await cache.put(url, await fetchOne(url));
        } catch (e) {
          missing.push({ url, error: String(e && e.message ? e.message : e) });
        }
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()]);
    return status(missing);
  }

  /** `{version, files, cached, missing: [{url, error}]}`. */
  async function status(failed) {
    const cache = await caches.open(name);
    let cached = 0;
    const missing = [];
    for (const url of urls) {
      if (await cache.match(url)) cached++;
      else missing.push((failed || []).find((m) => m.url === url) || { url, error: "not fetched yet" });
    }
    return { version, files: urls.length, cached, missing };
  }

  /** The answer to `request` for shell file `url`: the cache, else the network (and kept). */
  async function respond(request, url) {
    const cache = await caches.open(name);
    const hit = await cache.match(url);
    if (hit) return hit;
    let res;
    try {
      res = await fetch(request);
    } catch (e) {
      return new Response("This page is not available offline yet: " + url + " was never stored on this device, and the network cannot be reached.", {
        status: 503,
        headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
      });
    }
    if (res.ok && !res.redirected && res.type === "basic") {
      // Kept under the URL without its query (course.html?manifest=… is course.html).
      await cache.put(url, res.clone()).catch(() => {});
    }
    return res;
  }

  /** Delete the caches of every other shell version. Resolves with their names. */
  async function cleanup() {
    const gone = [];
    for (const key of await caches.keys()) {
      if (key.startsWith(CACHE_PREFIX) && key !== name) {
        await caches.delete(key);
        gone.push(key);
      }
    }
    return gone;
  }

  return { name, version, urls, match, fill, status, respond, cleanup };
}
