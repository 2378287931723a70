// Downloading a package by URL into the package store, so that it can be
// resumed where it stopped: the zip (preferred: it holds every file), or an
// imsmanifest.xml, the files it lists, and the files those load (found by
// www/lib/crawl.js). Used by www/lib/package-store.js (`importUrl`,
// `resume`); the bytes are written in place by www/lib/opfs-copy.js.
//
// State, in the package's folder while it is not complete
// (scorm-packages/<id>/download.json, rewritten after each file):
//   {format, url, name, extra, kind: "zip" | "manifest", validators: {etag, lastModified, length},
//    manifest: {sha, queue: [path], cursor, done: {path: {n, size}}, page: {path: page path},
//               missing: [path], notFound: [path], external: [url], next, current: {path, n}},
//    bytes, error: {id, message}}
// A zip download keeps `package.zip` as far as it came; resuming asks the
// server for the rest (Range, If-Range with its ETag or Last-Modified) and
// starts over when the server sends the whole file again (no ranges, or
// the file changed). A manifest download skips the files it has.
import { PackageError, packageErrorOf } from "./package-errors.js";
import { fetchInto } from "./opfs-copy.js";
import { findReferences, kindOf, resolveReference, MAX_SCAN_BYTES } from "./crawl.js";
import { checkEntryName, formatBytes, limit } from "./package-rules.js";

export const DOWNLOAD = "download.json";

/** Bytes kept free for learner data (the durable copy of progress is in this origin's storage too). */
export const RESERVE_BYTES = 16 * 1024 * 1024;

/** At most this many external URLs and not-found guesses are recorded (information only). */
const MAX_NOTED = 200;

/**
 * Throws a PackageError "quota" when `bytes` more would leave less than
 * RESERVE_BYTES free (navigator.storage.estimate), in words.
 */
export async function ensureSpace(bytes) {
  if (!(globalThis.navigator && navigator.storage && navigator.storage.estimate) || !(bytes > 0)) return;
  let est;
  try {
    est = await navigator.storage.estimate();
  } catch {
    return;
  }
  if (!est || typeof est.quota !== "number") return;
  const free = Math.max(0, est.quota - (est.usage || 0));
  if (bytes + RESERVE_BYTES > free) {
    throw new PackageError("quota",
      `there is not enough space on this device: the course needs ${formatBytes(bytes)} more and ` +
      `${formatBytes(Math.max(0, free - RESERVE_BYTES))} are free for courses (${formatBytes(RESERVE_BYTES)} are kept for your progress). ` +
      "Remove courses you no longer need, then resume the download",
      `quota ${est.quota}, usage ${est.usage}`);
  }
}

function httpError(url, status, statusText) {
  return new PackageError(status >= 500 ? "http5xx" : "http", url + " answered " + status + (statusText ? " " + statusText : ""));
}

function encodePath(path) {
  return path.split("/").map(encodeURIComponent).join("/");
}

async function sha256(text) {
  const bytes = new TextEncoder().encode(text);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What the URL is (a zip or a manifest) and its validators, from a HEAD request. */
async function probe(url, fetcher, signal) {
  let res;
  try {
    res = await fetcher(url, { method: "HEAD", credentials: "same-origin", cache: "no-store", signal });
  } catch (e) {
    if (e && e.name === "AbortError") throw packageErrorOf(e);
    throw new PackageError("network", "the URL could not be reached (no network, or the server does not allow this page to read it: CORS)", e && e.message);
  }
  const byName = /\.xml$/i.test(new URL(url).pathname);
  if (res.status === 405 || res.status === 501) return { kind: byName ? "manifest" : "zip", validators: { etag: "", lastModified: "", length: 0 } };
  if (!res.ok) throw httpError(url, res.status, res.statusText);
  const type = (res.headers.get("Content-Type") || "").toLowerCase();
  return {
    kind: byName || type.includes("xml") ? "manifest" : "zip",
    validators: {
      etag: res.headers.get("ETag") || "",
      lastModified: res.headers.get("Last-Modified") || "",
      length: Number(res.headers.get("Content-Length")) || 0,
    },
  };
}

/**
 * Go on with the download described by `state` into `pdir`; resolves with
 * the finished package (`ctx.finish`). `ctx`: {limits, save(state),
 * finish(pdir, meta, manifestXml), checkZipBlob(blob) -> {checked, manifestXml}}.
 */
export async function runDownload(ctx, pdir, state, { listFiles, onProgress, signal, fetch: fetcher, crawl = true } = {}) {
  const fetchFn = fetcher || ((u, o) => fetch(u, o));
  if (!state.kind) {
    const p = /\.xml$/i.test(new URL(state.url).pathname)
      ? { kind: "manifest", validators: { etag: "", lastModified: "", length: 0 } }
      : await probe(state.url, fetchFn, signal);
    state.kind = p.kind;
    state.validators = p.validators;
    await ctx.save(state);
  }
  if (state.kind === "zip") return zipDownload(ctx, pdir, state, { onProgress, signal, fetcher });
  return manifestDownload(ctx, pdir, state, { listFiles, onProgress, signal, fetcher, fetchFn, crawl });
}

async function zipDownload(ctx, pdir, state, { onProgress, signal, fetcher }) {
  const handle = await pdir.getFileHandle("package.zip", { create: true });
  let at = (await handle.getFile()).size;
  let length = state.validators.length || 0;
  const report = (bytes) => {
    state.bytes = bytes;
    if (onProgress) onProgress({ phase: "download", bytes, total: length, files: 0, fileCount: 1 });
  };
  if (length && at > length) at = 0; // not this file any more: start over
  report(at);
  if (length) await ensureSpace(length - at);
  if (!(length && at === length)) {
    const ifRange = state.validators.etag || state.validators.lastModified || "";
    let r = await fetchInto(handle, state.url, { at, ifRange, onBytes: report, signal, fetch: fetcher });
    if (r.response.status === 416 && at > 0) {
      r = await fetchInto(handle, state.url, { at: 0, onBytes: report, signal, fetch: fetcher });
    }
    if (!(r.response.status >= 200 && r.response.status < 300)) throw httpError(state.url, r.response.status);
    const whole = r.response.status === 206 ? r.response.length : r.response.length;
    if (r.response.status === 200 || r.response.restarted) {
      state.validators = { etag: r.response.etag, lastModified: r.response.lastModified, length: r.response.length || r.bytes };
    }
    length = whole || r.bytes;
    await ctx.save(state);
    if (whole && r.bytes !== whole) {
      throw new PackageError("cutShort", `the download stopped after ${formatBytes(r.bytes)} of ${formatBytes(whole)}`);
    }
  }
  const blob = await handle.getFile();
  const { checked, manifestXml } = await ctx.checkZipBlob(blob);
  const name = decodeURIComponent(new URL(state.url).pathname.split("/").pop() || "") || new URL(state.url).host;
  return ctx.finish(pdir, {
    name: state.name || name,
    kind: "zip",
    source: { type: "url", url: state.url, etag: state.validators.etag, lastModified: state.validators.lastModified, length: blob.size },
    root: checked.root,
    bytes: blob.size,
    totalBytes: checked.totalBytes,
    ignored: checked.ignored,
    files: checked.files.map((f) => ({ path: f.path, size: f.size })),
  }, manifestXml);
}

function note(list, item) {
  if (list.length < MAX_NOTED && !list.includes(item)) list.push(item);
}

async function manifestDownload(ctx, pdir, state, { listFiles, onProgress, signal, fetcher, fetchFn, crawl }) {
  const fdir = await pdir.getDirectoryHandle("f", { create: true });
  const base = new URL(".", state.url).href;
  if (!state.manifest) {
    let res;
    try {
      res = await fetchFn(state.url, { credentials: "same-origin", cache: "no-store", signal });
    } catch (e) {
      if (e && e.name === "AbortError") throw packageErrorOf(e);
      throw new PackageError("network", "the manifest could not be fetched (no network, or the server does not allow this page to read it: CORS)", e && e.message);
    }
    if (!res.ok) throw httpError(state.url, res.status, res.statusText);
    const xml = await res.text();
    if (xml.length > limit("manifestBytes", ctx.limits)) {
      throw new PackageError("manifestBytes", "the manifest is larger than " + formatBytes(limit("manifestBytes", ctx.limits)));
    }
    let listed;
    try {
      listed = listFiles ? await listFiles(xml) : [];
    } catch (e) {
      throw new PackageError("manifest", "the manifest cannot be read: " + (e && e.message ? e.message : e));
    }
    const queue = Array.from(new Set(["imsmanifest.xml", ...listed.filter((p) => p && p !== "imsmanifest.xml")]));
    for (const p of queue) {
      const c = checkEntryName(p, ctx.limits);
      if (!c.ok) throw new PackageError(c.id, c.message);
    }
    const h = await fdir.getFileHandle("0", { create: true });
    const w = await h.createWritable();
    await w.write(xml);
    await w.close();
    const size = (await h.getFile()).size;
    state.manifest = {
      sha: await sha256(xml), queue, listed: queue.length, cursor: 1, next: 1, current: null,
      done: { "imsmanifest.xml": { n: 0, size } }, page: {}, missing: [], notFound: [], external: [],
    };
    state.bytes = size;
    await ctx.save(state);
  }
  const m = state.manifest;
  const seen = new Set(m.queue);
  const maxFiles = limit("entries", ctx.limits);
  const report = (extra) => {
    if (onProgress) onProgress({ phase: "download", bytes: state.bytes + (extra || 0), files: Object.keys(m.done).length, fileCount: m.queue.length });
  };
  report(0);
  while (m.cursor < m.queue.length) {
    const path = m.queue[m.cursor];
    if (m.done[path] || m.missing.includes(path)) { m.cursor++; continue; }
    // The file being fetched when the last attempt stopped goes on from what it has.
    const resuming = m.current && m.current.path === path;
    const n = resuming ? m.current.n : m.next++;
    m.current = { path, n };
    const handle = await fdir.getFileHandle(String(n), { create: true });
    const at = resuming ? (await handle.getFile()).size : 0;
    const fileUrl = new URL(encodePath(path), base).href;
    const r = await fetchInto(handle, fileUrl, { at, onBytes: (b) => report(b), signal, fetch: fetcher });
    const status = r.response.status;
    if (status >= 500) throw httpError(fileUrl, status);
    if (!(status >= 200 && status < 300)) {
      // Listed by the manifest: reported as missing; guessed from a page: noted only.
      if (m.cursor < m.listed) note(m.missing, path); else note(m.notFound, path);
      await fdir.removeEntry(String(n)).catch(() => {});
      m.current = null;
      m.cursor++;
      await ctx.save(state);
      continue;
    }
    const size = r.bytes;
    if (r.response.length && status === 200 && size !== r.response.length) {
      throw new PackageError("cutShort", `the download of ${path} stopped after ${formatBytes(size)} of ${formatBytes(r.response.length)}`);
    }
    m.done[path] = { n, size };
    state.bytes += size;
    m.current = null;
    const kind = crawl ? kindOf(path) : "";
    if (kind && size <= MAX_SCAN_BYTES) {
      const text = await (await handle.getFile()).text();
      const { refs, base: htmlBase } = findReferences(text, kind);
      const selfUrl = htmlBase ? new URL(htmlBase, fileUrl).href : fileUrl;
      const pagePath = kind === "html" ? path : m.page[path] || path;
      const pageUrl = new URL(encodePath(pagePath), base).href;
      for (const r2 of refs) {
        const where = resolveReference(r2.ref, r2.relativeTo === "document" ? pageUrl : selfUrl, base);
        if (!where) continue;
        if (where.external) { note(m.external, where.external); continue; }
        if (seen.has(where.path) || !checkEntryName(where.path, ctx.limits).ok) continue;
        if (m.queue.length >= maxFiles) {
          throw new PackageError("entries", "the course loads more than " + maxFiles.toLocaleString("en") + " files");
        }
        seen.add(where.path);
        m.queue.push(where.path);
        if (!m.page[where.path]) m.page[where.path] = kindOf(where.path) === "html" ? where.path : pagePath;
      }
    }
    m.cursor++;
    await ctx.save(state);
    report(0);
  }
  const xml = await (await (await fdir.getFileHandle("0")).getFile()).text();
  const files = Object.entries(m.done).map(([path, f]) => ({ path, size: f.size, n: f.n }));
  return ctx.finish(pdir, {
    name: state.name || decodeURIComponent(new URL(state.url).pathname.split("/").slice(-2, -1)[0] || "") || new URL(state.url).host,
    kind: "files",
    source: {
      type: "url", url: state.url, kind: "manifest", manifestSha: m.sha,
      etag: state.validators.etag, lastModified: state.validators.lastModified,
      missing: m.missing, notFound: m.notFound, external: m.external,
    },
    root: "",
    bytes: state.bytes,
    totalBytes: state.bytes,
    ignored: [],
    files,
  }, xml);
}
