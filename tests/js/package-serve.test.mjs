// The service worker's answers (www/lib/package-serve.js) against a fake
// package, with node's own Request/Response: status codes, Content-Type,
// Range, directory index, redirects, 404s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { servePackageRequest, splitPackagePath } from "../../www/lib/package-serve.js";

const FILES = {
  "index.html": "<h1>home</h1>",
  "lessons/index.html": "<h1>lessons</h1>",
  "data/q.json": '{"q":1}',
  "media/clip.webm": "0123456789abcdefghij",
  "a b#c.txt": "spaces",
  "empty.txt": "",
};

function fakePackage() {
  const reads = [];
  return {
    reads,
    stat: (p) => (p in FILES ? { size: Buffer.byteLength(FILES[p]) } : null),
    read: async (p, { start, end }) => {
      reads.push([p, start, end]);
      const bytes = Buffer.from(FILES[p]).subarray(start, end + 1);
      return new Response(bytes).body;
    },
  };
}

const PREFIX = "/www/package/";
const BASE = "http://127.0.0.1:8000" + PREFIX;

async function get(path, init = {}, pkg = fakePackage()) {
  const opened = [];
  const res = await servePackageRequest(new Request(BASE + path, init), {
    prefix: PREFIX,
    openPackage: async (id) => { opened.push(id); return id === "p1" ? pkg : null; },
  });
  return { res, body: init.method === "HEAD" ? "" : await res.text(), opened, pkg };
}

const CASES = [
  // path, init, status, body (or null), headers
  ["p1/index.html", {}, 200, "<h1>home</h1>", { "content-type": "text/html; charset=utf-8", "content-length": "13", "accept-ranges": "bytes" }],
  ["p1/", {}, 200, "<h1>home</h1>", {}],
  ["p1/lessons/", {}, 200, "<h1>lessons</h1>", {}],
  ["p1/data/q.json", {}, 200, '{"q":1}', { "content-type": "application/json", "x-content-type-options": "nosniff" }],
  ["p1/a%20b%23c.txt", {}, 200, "spaces", { "content-type": "text/plain; charset=utf-8" }],
  ["p1/empty.txt", {}, 200, "", { "content-length": "0" }],
  ["p1/media/clip.webm", { headers: { Range: "bytes=5-9" } }, 206, "56789", { "content-range": "bytes 5-9/20", "content-length": "5", "content-type": "video/webm" }],
  ["p1/media/clip.webm", { headers: { Range: "bytes=15-" } }, 206, "fghij", { "content-range": "bytes 15-19/20" }],
  ["p1/media/clip.webm", { headers: { Range: "bytes=-3" } }, 206, "hij", { "content-range": "bytes 17-19/20" }],
  ["p1/media/clip.webm", { headers: { Range: "bytes=20-" } }, 416, null, { "content-range": "bytes */20" }],
  ["p1/media/clip.webm", { headers: { Range: "bytes=0-1,4-5" } }, 200, "0123456789abcdefghij", {}],
  ["p1/media/clip.webm", { method: "HEAD" }, 200, null, { "content-length": "20" }],
  ["p1/missing.js", {}, 404, "not in the package: missing.js", {}],
  ["p2/index.html", {}, 404, null, {}],
  ["BAD ID/index.html", {}, 404, "no such package", {}],
  ["p1/index.html", { method: "POST", body: "x" }, 405, null, { allow: "GET, HEAD" }],
  ["p1/%E0%A4%A", {}, 400, "bad percent-encoding", {}],
];

for (const [path, init, status, body, headers] of CASES) {
  test(`${init.method || "GET"} ${path}${init.headers ? " " + JSON.stringify(init.headers) : ""} -> ${status}`, async () => {
    const { res, body: got } = await get(path, init);
    assert.equal(res.status, status, got);
    if (body !== null) assert.equal(got, body);
    for (const [k, v] of Object.entries(headers)) assert.equal(res.headers.get(k), v, k);
  });
}

test("a folder named without its slash is redirected to it, so relative links resolve inside", async () => {
  const { res } = await get("p1/lessons");
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), BASE + "p1/lessons/");
});

test("the package root without a slash is redirected", async () => {
  const { res } = await get("p1");
  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), BASE + "p1/");
});

test("a range reads only the bytes asked for", async () => {
  const { pkg } = await get("p1/media/clip.webm", { headers: { Range: "bytes=5-9" } });
  assert.deepEqual(pkg.reads, [["media/clip.webm", 5, 9]]);
});

test("a missing file may be answered by onMiss (a package imported from a URL)", async () => {
  const res = await servePackageRequest(new Request(BASE + "p1/extra.js"), {
    prefix: PREFIX,
    openPackage: async () => fakePackage(),
    onMiss: async (id, path) => new Response("from source: " + id + "/" + path),
  });
  assert.equal(await res.text(), "from source: p1/extra.js");
});

test("splitPackagePath", () => {
  assert.deepEqual(splitPackagePath("/www/package/p1/a/b.html", PREFIX), { id: "p1", rest: "a/b.html" });
  assert.deepEqual(splitPackagePath("/www/package/p1", PREFIX), { id: "p1", rest: null });
  assert.equal(splitPackagePath("/www/other/p1/a", PREFIX), null);
});
