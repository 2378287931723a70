// A tiny static server for the benchmark pages, on 127.0.0.1 only.
//   /pkg/…    our release build (../pkg)
//   /peer/…   scorm-again's dist/ (node_modules/scorm-again/dist)
//   /bench/…  this directory's browser-side files (workloads.js)
//   /page/NAME.html   pages registered with `setPage(name, html)`
//   /warm/pkg/…, /warm/peer/…   the same files, cacheable (a repeat visit)
// Every response is `Cache-Control: no-store` (each page load fetches, parses and
// compiles the scripts afresh: a first visit; the server itself keeps each file in
// memory after the first read), except under /warm/, where the files may be kept
// a year (`max-age`, `immutable`): the browser's HTTP cache and code caches
// serve a repeat visit. Everything is cross-origin isolated (COOP/COEP), which
// gives performance.now() its finest resolution.
import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOTS = {
  pkg: path.resolve(HERE, "../pkg"),
  peer: path.resolve(HERE, "node_modules/scorm-again/dist"),
  bench: HERE,
  // bench/quick.mjs --base DIR: another build of pkg/ to compare against.
  base: path.resolve(process.env.BENCH_BASE_PKG || path.resolve(HERE, "../pkg")),
};
const TYPES = { ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".html": "text/html; charset=utf-8", ".json": "application/json" };

export async function startServer() {
  const pages = new Map();
  const files = new Map(); // read once: the disk stays out of the timings
  const server = http.createServer(async (req, res) => {
    const headers = {
      "Cache-Control": "no-store",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
    };
    try {
      const url = new URL(req.url, "http://127.0.0.1");
      const parts = url.pathname.split("/").filter(Boolean);
      if (parts[0] === "warm") {
        parts.shift();
        headers["Cache-Control"] = "public, max-age=31536000, immutable";
      }
      if (parts[0] === "page" && pages.has(parts[1])) {
        res.writeHead(200, { ...headers, "Content-Type": TYPES[".html"] });
        return res.end(pages.get(parts[1]));
      }
      const root = ROOTS[parts[0]];
      const rel = parts.slice(1).join("/");
      const file = root && path.resolve(root, rel);
      if (!file || !file.startsWith(root + path.sep)) throw new Error("not found");
      let body = files.get(file);
      if (!body) files.set(file, (body = await readFile(file)));
      res.writeHead(200, { ...headers, "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Register `html` at `/page/${name}`. */
    setPage: (name, html) => pages.set(name, html),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
