// Answering a request for a package file as a web server would: the
// service worker (www/sw.js) calls `servePackageRequest` for every request
// under `<scope>package/`. Kept apart from the worker so node tests can run
// it against a fake package (tests/js/package-serve.test.mjs).
//
// URL: <scope>package/<id>/<path>. Rules (RFC 9110):
// * GET and HEAD; anything else is 405.
// * A directory (a path ending in `/`, or the package root) is its
//   index.html; a path that names a folder without the slash is redirected
//   (301) to the slash, so the page's relative links resolve inside it.
// * `Range: bytes=…` with one range answers 206 with Content-Range; a range
//   past the end answers 416; several ranges get the whole file (200).
// * Missing files are 404 with a short text naming the path.
// * Every answer: the Content-Type of its extension, Content-Length,
//   Accept-Ranges, Cache-Control: no-cache, X-Content-Type-Options: nosniff.
import { ID_PATTERN, contentType, parseRange, requestPath } from "./package-rules.js";

function text(status, body, extra) {
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", ...extra },
  });
}

/**
 * Split a package URL path: `{id, rest}` for `<prefix><id>/<rest>`, or null
 * when `pathname` is not under `prefix`.
 */
export function splitPackagePath(pathname, prefix) {
  if (!pathname.startsWith(prefix)) return null;
  const tail = pathname.slice(prefix.length);
  const slash = tail.indexOf("/");
  if (slash < 0) return { id: tail, rest: null };
  return { id: tail.slice(0, slash), rest: tail.slice(slash + 1) };
}

/**
 * The response to `request` for a package file. `openPackage(id)` resolves
 * with a reader ({stat, read}) or null; `prefix` is the URL path of the
 * package folder (`/www/package/`); `onMiss(id, path, request)` may answer
 * a file the package lacks (e.g. from the URL it was imported from).
 */
export async function servePackageRequest(request, { openPackage, prefix, onMiss }) {
  const url = new URL(request.url);
  const parts = splitPackagePath(url.pathname, prefix);
  if (!parts) return text(404, "not a package URL");
  if (request.method !== "GET" && request.method !== "HEAD") return text(405, "method not allowed", { Allow: "GET, HEAD" });
  if (!ID_PATTERN.test(parts.id)) return text(404, "no such package");
  if (parts.rest === null) return Response.redirect(url.origin + prefix + parts.id + "/" + url.search, 301);
  const pkg = await openPackage(parts.id);
  if (!pkg) return text(404, "no such package: " + parts.id + " (it was removed, or this browser's storage was cleared)");
  const req = requestPath(parts.rest);
  if (req.error) return text(400, req.error);
  const stat = pkg.stat(req.path);
  if (!stat) {
    if (!parts.rest.endsWith("/") && parts.rest !== "" && pkg.stat(req.path + "/index.html")) {
      return Response.redirect(url.origin + url.pathname + "/" + url.search, 301);
    }
    if (onMiss) {
      const answer = await onMiss(parts.id, req.path, request);
      if (answer) return answer;
    }
    return text(404, "not in the package: " + req.path);
  }
  const headers = {
    "Content-Type": stat.type || contentType(req.path),
    "Accept-Ranges": "bytes",
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
  };
  const range = parseRange(request.headers.get("Range"), stat.size);
  if (range && range.unsatisfiable) {
    return new Response(null, { status: 416, headers: { ...headers, "Content-Range": "bytes */" + stat.size } });
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : stat.size - 1;
  headers["Content-Length"] = String(Math.max(0, end - start + 1));
  if (range) headers["Content-Range"] = "bytes " + start + "-" + end + "/" + stat.size;
  const status = range ? 206 : 200;
  if (request.method === "HEAD" || stat.size === 0) return new Response(null, { status, headers });
  const body = await pkg.read(req.path, { start, end });
  return new Response(body, { status, headers });
}
