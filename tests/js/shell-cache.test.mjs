// The application shell of the service worker (www/lib/shell-cache.js) with a
// fake Cache Storage and fetch: which requests are shell files, filling (only
// what is missing; a file that fails is reported, never fatal), answering
// from the cache and else from the network (and keeping it), an offline miss
// said in words, and old versions deleted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createShell, CACHE_PREFIX } from "../../www/lib/shell-cache.js";

function fakeCaches() {
  const stores = new Map();
  return {
    stores,
    async open(name) {
      if (!stores.has(name)) stores.set(name, new Map());
      const m = stores.get(name);
      return {
        async match(url) { const r = m.get(typeof url === "string" ? url : url.url); return r ? r.clone() : undefined; },
        async put(url, res) { m.set(typeof url === "string" ? url : url.url, res); },
      };
    },
    async keys() { return [...stores.keys()]; },
    async delete(name) { return stores.delete(name); },
  };
}

const BASE = "http://127.0.0.1:8080/www/sw.js";
const FILES = ["course.html", "player/main.js", "../pkg/scorm-shim.js"];

function setup({ failing = [], offline = false } = {}) {
  const caches = fakeCaches();
  const fetched = [];
  const fetch = async (input) => {
    const url = typeof input === "string" ? input : input.url;
    fetched.push(url);
    if (offline) throw new TypeError("Failed to fetch");
    if (failing.some((f) => url.endsWith(f))) return new Response("no", { status: 404 });
    return new Response("body of " + new URL(url).pathname, { status: 200 });
  };
  return { caches, fetched, shell: createShell({ version: "v1", files: FILES, base: BASE, caches, fetch }) };
}

test("shell files are matched by path, any query; other requests are not", () => {
  const { shell } = setup();
  assert.equal(shell.match(new Request("http://127.0.0.1:8080/www/course.html?manifest=x.xml")), "http://127.0.0.1:8080/www/course.html");
  assert.equal(shell.match(new Request("http://127.0.0.1:8080/pkg/scorm-shim.js")), "http://127.0.0.1:8080/pkg/scorm-shim.js");
  assert.equal(shell.match(new Request("http://127.0.0.1:8080/www/package/p1/sco.html")), null);
  assert.equal(shell.match(new Request("http://127.0.0.1:8080/api/batches", { method: "POST", body: "{}" })), null);
  assert.equal(shell.match(new Request("http://127.0.0.1:8080/www/course.html", { method: "HEAD" })), null);
  assert.equal(shell.match(new Request("http://other.example/www/course.html")), null);
  assert.equal(shell.name, CACHE_PREFIX + "v1");
});

test("fill stores what is missing, reports what failed, and fetches nothing twice", async () => {
  const { shell, fetched } = setup({ failing: ["player/main.js"] });
  const s1 = await shell.fill();
  assert.equal(s1.files, 3);
  assert.equal(s1.cached, 2);
  assert.deepEqual(s1.missing.map((m) => m.url), ["http://127.0.0.1:8080/www/player/main.js"]);
  assert.match(s1.missing[0].error, /answered 404/);
  const before = fetched.length;
  const s2 = await shell.fill();
  assert.equal(fetched.length - before, 1, "only the missing file is asked for again");
  assert.equal(s2.cached, 2);
  await shell.fill({ all: true });
  assert.equal(fetched.length - before, 4, "a new version fetches every file");
});

test("answers come from the cache; a miss from the network, kept; offline, a miss is said in words", async () => {
  const { shell, fetched } = setup();
  await shell.fill();
  const n = fetched.length;
  const r1 = await shell.respond(new Request("http://127.0.0.1:8080/www/course.html?manifest=a"), "http://127.0.0.1:8080/www/course.html");
  assert.equal(await r1.text(), "body of /www/course.html");
  assert.equal(fetched.length, n, "no network for a stored file");

  const off = setup({ offline: true });
  const r2 = await off.shell.respond(new Request("http://127.0.0.1:8080/www/course.html"), "http://127.0.0.1:8080/www/course.html");
  assert.equal(r2.status, 503);
  assert.match(await r2.text(), /not available offline yet/);

  const late = setup();
  const r3 = await late.shell.respond(new Request("http://127.0.0.1:8080/pkg/scorm-shim.js"), "http://127.0.0.1:8080/pkg/scorm-shim.js");
  assert.equal(r3.status, 200);
  // (A basic same-origin answer is kept: node's Response has type "default", so the fake keeps nothing; the browser test covers it.)
});

test("activation deletes the caches of other versions only", async () => {
  const { shell, caches } = setup();
  await caches.open(CACHE_PREFIX + "old");
  await caches.open("someone-elses-cache");
  await shell.fill();
  const gone = await shell.cleanup();
  assert.deepEqual(gone, [CACHE_PREFIX + "old"]);
  assert.deepEqual((await caches.keys()).sort(), [CACHE_PREFIX + "v1", "someone-elses-cache"]);
});
