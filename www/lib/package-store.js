// The package store: content packages kept in the browser's origin private
// file system (OPFS), each under its own id, complete or not at all. One
// implementation for the author preview (www/preview.html), the offline
// player and the service worker (www/sw.js) that serves the files.
//
// Layout (OPFS root):
//   scorm-packages/<id>/package.zip   a zip, kept as it came (inflated per request)
//   scorm-packages/<id>/f/<n>         or: the files of a folder or a manifest URL, one each
//   scorm-packages/<id>/meta.json     written last: a package without it is incomplete
//
// A zip is never unpacked: its central directory is read (zip.js), every
// entry name and size is checked (package-rules.js), the zip is copied as it
// is, and each file is inflated when it is requested. So a 1 GB package
// opens without its inflated content ever being in memory.
//
// API (also in README, "Package store and service worker"):
//   const store = await openStore();
//   await store.importZip(blob, {name, source, onProgress}) -> {info, manifestXml}
//   await store.importFiles([{path, file}], {name, source, onProgress}) -> {info, manifestXml}
//   await store.importUrl(url, {listFiles, onProgress, fetch}) -> {info, manifestXml}
//   await store.list() -> [info]        await store.info(id) -> info | null
//   await store.remove(id)              await store.open(id) -> PackageReader | null
//   PackageReader: .info, .stat(path) -> {size, type} | null, .read(path, {start, end}) -> ReadableStream,
//                  .text(path) -> string, .close()
// Errors are PackageError {id, message, detail}.
import { ZipReader, BlobReader, TextWriter, configure } from "../vendor/zip.js/zip-core-external.min.js";
import { ID_PATTERN, checkArchive, contentType, formatBytes, limit, findRoot } from "./package-rules.js";

// No web workers (a service worker cannot start one) and the browser's own
// DecompressionStream("deflate-raw"): zip.js then loads nothing else.
configure({ useWebWorkers: false, useCompressionStream: true });

const DIR = "scorm-packages";
const META = "meta.json";
const FORMAT = 1;

/** The one error shape of the store: a stable `id`, a `message` in words, optional `detail`. */
export class PackageError extends Error {
  constructor(id, message, detail) {
    super(message);
    this.name = "PackageError";
    this.id = id;
    this.detail = detail === undefined ? "" : String(detail);
  }
}

/** zip.js error messages, as what they mean for the author. */
const ZIP_ERRORS = [
  ["End of central directory not found", "notZip", "this file is not a zip archive (no end of central directory): choose the .zip your authoring tool exported"],
  ["File format is not recognized", "notZip", "this file is not a zip archive"],
  ["Central directory header not found", "corrupt", "the zip is damaged: its central directory is missing (was the download cut short?)"],
  ["Local file header not found", "corrupt", "the zip is damaged: an entry's local header is missing"],
  ["Split zip file", "split", "this is one part of a split (multi-volume) zip; join the parts into one zip first"],
  ["Zip64 extra field not found", "corrupt", "the zip is damaged: a ZIP64 size field is missing"],
  ["File contains encrypted entry", "encrypted", "the zip is password-protected; export it without encryption"],
  ["Encryption method not supported", "encrypted", "the zip uses an encryption this page cannot read"],
  ["Compression method not supported", "method", "the zip uses a compression method other than stored or deflated"],
  ["Entry data out of bounds", "corrupt", "the zip is damaged: an entry's data lies outside the file"],
  ["Overlapping entry", "overlap", "two entries of the zip share stored data (a zip bomb technique)"],
  ["Ambiguous archive", "ambiguous", "the zip can be read in two ways (two end records or duplicate names); re-create it"],
  ["Invalid uncompressed size", "size", "an entry inflates to a different size than the zip declares (a damaged zip or a zip bomb)"],
  ["Invalid compressed data", "corrupt", "the zip is damaged: an entry's compressed data cannot be inflated"],
];

/** A PackageError for whatever zip.js (or the file system) threw. */
export function packageErrorOf(e) {
  if (e instanceof PackageError) return e;
  const msg = e && e.message ? String(e.message) : String(e);
  for (const [text, id, words] of ZIP_ERRORS) {
    if (msg.includes(text)) return new PackageError(id, words, msg);
  }
  if (e && e.name === "QuotaExceededError") {
    return new PackageError("quota", "the browser's storage for this site is full; remove packages you no longer need", msg);
  }
  if (e && e.name === "AbortError") return new PackageError("aborted", "the import was cancelled", msg);
  return new PackageError("unexpected", "the package could not be read: " + msg, e && e.stack);
}

function newId() {
  const t = Date.now().toString(36);
  const r = Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => (b % 36).toString(36)).join("");
  return "p" + t + r;
}


async function root() {
  if (!(globalThis.navigator && navigator.storage && navigator.storage.getDirectory)) {
    throw new PackageError("noStorage", "this browser has no origin private file system (OPFS): use a current Chromium, Firefox or Safari, not a private window");
  }
  const top = await navigator.storage.getDirectory();
  return top.getDirectoryHandle(DIR, { create: true });
}

async function readJson(dir, name) {
  try {
    const f = await (await dir.getFileHandle(name)).getFile();
    return JSON.parse(await f.text());
  } catch {
    return null;
  }
}

async function writeFile(dir, name, data) {
  const h = await dir.getFileHandle(name, { create: true });
  const w = await h.createWritable();
  try {
    await w.write(data);
    await w.close();
  } catch (e) {
    await w.abort().catch(() => {});
    throw e;
  }
}

/** Copy `stream` into `dir/name`, reporting bytes; `signal` may cancel it. */
async function copyStream(dir, name, stream, onBytes, signal) {
  const h = await dir.getFileHandle(name, { create: true });
  const w = await h.createWritable();
  let done = 0;
  const counter = new TransformStream({
    transform(chunk, c) {
      done += chunk.byteLength;
      if (onBytes) onBytes(done);
      c.enqueue(chunk);
    },
  });
  await stream.pipeThrough(counter).pipeTo(w, signal ? { signal } : {});
  return done;
}

/** Entries of a zip as zip.js reads them from its central directory. */
async function zipEntries(blob) {
  const reader = new ZipReader(new BlobReader(blob), { filenameValidation: "tolerant" });
  // Names without the UTF-8 flag are CP437 (zip.js's default), unless an
  // Info-ZIP Unicode Path extra field gives the UTF-8 name.
  const entries = await reader.getEntries();
  return { reader, entries };
}

function describe(entries) {
  return entries.map((e) => ({
    name: e.filename,
    size: e.uncompressedSize,
    compressedSize: e.compressedSize,
    offset: e.offset,
    nameBytes: e.filenameLength,
    directory: e.directory,
    encrypted: e.encrypted,
    method: e.compressionMethod,
  }));
}

/** The zip methods we serve: stored (0) and deflated (8). */
const METHODS = [[0, "stored"], [8, "deflated"]];

function checkZip(entries, limits) {
  const described = describe(entries);
  const bad = described.find((e) => !e.directory && e.encrypted);
  if (bad) throw new PackageError("encrypted", "the entry " + JSON.stringify(bad.name) + " is password-protected; export the package without encryption");
  const odd = described.find((e) => !e.directory && !METHODS.some((m) => m[0] === e.method));
  if (odd) {
    throw new PackageError("method", "the entry " + JSON.stringify(odd.name) + " uses compression method " + odd.method +
      (odd.method === 9 ? " (Deflate64, which Windows uses for large zips)" : "") + "; re-create the zip with standard deflate");
  }
  const r = checkArchive(described, limits);
  if (!r.ok) throw new PackageError(r.id, r.message);
  return r;
}

async function manifestOf(entries, root) {
  const entry = entries.find((e) => e.filename === root + "imsmanifest.xml");
  return entry.getData(new TextWriter());
}

function publicInfo(meta) {
  const { files, ...rest } = meta;
  return { ...rest, fileCount: files.length };
}

/**
 * Open the store (OPFS). `limits` overrides entries of LIMITS (tests).
 */
export async function openStore({ limits } = {}) {
  const dir = await root();
  const open = new Map(); // id -> Promise<PackageReader>

  async function finish(id, pdir, meta, manifestXml) {
    meta.format = FORMAT;
    meta.id = id;
    meta.createdAt = new Date().toISOString();
    meta.complete = true;
    await writeFile(pdir, META, JSON.stringify(meta));
    return { info: publicInfo(meta), files: meta.files, manifestXml };
  }

  async function fail(id, e) {
    await dir.removeEntry(id, { recursive: true }).catch(() => {});
    throw packageErrorOf(e);
  }

  const store = {
    /**
     * Import a zip (a File or Blob). Its central directory is checked
     * first (names, sizes, bomb limits, manifest), then the zip is copied
     * into the store as it is. Resolves with `{info, files, manifestXml}`.
     */
    async importZip(blob, { name, source, onProgress, signal } = {}) {
      let checked, manifestXml;
      try {
        const { reader, entries } = await zipEntries(blob);
        checked = checkZip(entries, limits);
        manifestXml = await manifestOf(entries, checked.root);
        await reader.close();
      } catch (e) {
        throw packageErrorOf(e);
      }
      const id = newId();
      try {
        const pdir = await dir.getDirectoryHandle(id, { create: true });
        if (onProgress) onProgress({ phase: "copy", bytes: 0, total: blob.size });
        await copyStream(pdir, "package.zip", blob.stream(), (bytes) => onProgress && onProgress({ phase: "copy", bytes, total: blob.size }), signal);
        return await finish(id, pdir, {
          name: name || blob.name || "package.zip",
          kind: "zip",
          source: source || { type: "file" },
          root: checked.root,
          bytes: blob.size,
          totalBytes: checked.totalBytes,
          ignored: checked.ignored,
          files: checked.files.map((f) => ({ path: f.path, size: f.size })),
        }, manifestXml);
      } catch (e) {
        return fail(id, e);
      }
    },

    /**
     * Import loose files (a picked or dropped folder): `[{path, file}]`
     * with `/`-separated paths (the folder's name may lead them). The same
     * name rules and limits apply.
     */
    async importFiles(list, { name, source, onProgress, signal } = {}) {
      const described = list.map((f) => ({ name: f.path, size: f.file.size, compressedSize: f.file.size }));
      const r = checkArchive(described, limits);
      if (!r.ok) throw new PackageError(r.id, r.message);
      const byPath = new Map(list.map((f) => [f.path, f.file]));
      const id = newId();
      try {
        const pdir = await dir.getDirectoryHandle(id, { create: true });
        const fdir = await pdir.getDirectoryHandle("f", { create: true });
        const files = [];
        let done = 0;
        const total = r.files.reduce((s, f) => s + f.size, 0);
        for (let i = 0; i < r.files.length; i++) {
          const f = r.files[i];
          const file = byPath.get(r.root + f.path);
          const before = done;
          await copyStream(fdir, String(i), file.stream(), (b) => onProgress && onProgress({ phase: "copy", bytes: before + b, total, files: i, fileCount: r.files.length }), signal);
          done += f.size;
          files.push({ path: f.path, size: f.size, n: i });
        }
        const manifestXml = await byPath.get(r.root + "imsmanifest.xml").text();
        return await finish(id, pdir, {
          name: name || (r.root ? r.root.slice(0, -1) : "folder"),
          kind: "files",
          source: source || { type: "folder" },
          root: "",
          bytes: total,
          totalBytes: total,
          ignored: r.ignored,
          files,
        }, manifestXml);
      } catch (e) {
        return fail(id, e);
      }
    },

    /**
     * Import from a URL: a zip (streamed into the store, then checked), or an
     * imsmanifest.xml whose files `listFiles(xml)` names (the page passes the
     * engine's manifest reader) and which are fetched one by one.
     */
    async importUrl(url, { listFiles, onProgress, signal, fetch: fetcher = fetch } = {}) {
      let abs;
      try {
        abs = new URL(url, globalThis.location ? location.href : undefined);
      } catch {
        throw new PackageError("url", "not a URL: " + JSON.stringify(String(url)));
      }
      if (abs.protocol !== "http:" && abs.protocol !== "https:") {
        throw new PackageError("url", "only http(s) URLs can be opened, not " + abs.protocol);
      }
      let res;
      try {
        res = await fetcher(abs.href, { signal, credentials: "same-origin" });
      } catch (e) {
        throw new PackageError("network", "the URL could not be fetched (network error, or the server does not allow this page to read it: CORS)", e && e.message);
      }
      if (!res.ok) throw new PackageError("http", abs.href + " answered " + res.status + " " + res.statusText);
      const type = (res.headers.get("Content-Type") || "").toLowerCase();
      const isXml = /\.xml$/i.test(abs.pathname) || type.includes("xml");
      if (!isXml) {
        // A zip: into the store as it arrives, then checked like a dropped one.
        const id = newId();
        try {
          const pdir = await dir.getDirectoryHandle(id, { create: true });
          const total = Number(res.headers.get("Content-Length")) || 0;
          const bytes = await copyStream(pdir, "package.zip", res.body, (b) => onProgress && onProgress({ phase: "download", bytes: b, total }), signal);
          const blob = await (await pdir.getFileHandle("package.zip")).getFile();
          const { reader, entries } = await zipEntries(blob);
          const checked = checkZip(entries, limits);
          const manifestXml = await manifestOf(entries, checked.root);
          await reader.close();
          return await finish(id, pdir, {
            name: decodeURIComponent(abs.pathname.slice(abs.pathname.lastIndexOf("/") + 1)) || abs.host,
            kind: "zip",
            source: { type: "url", url: abs.href },
            root: checked.root,
            bytes,
            totalBytes: checked.totalBytes,
            ignored: checked.ignored,
            files: checked.files.map((f) => ({ path: f.path, size: f.size })),
          }, manifestXml);
        } catch (e) {
          return fail(id, e);
        }
      }
      const manifestXml = await res.text();
      if (manifestXml.length > limit("manifestBytes", limits)) {
        throw new PackageError("manifestBytes", "the manifest is larger than " + formatBytes(limit("manifestBytes", limits)));
      }
      let listed;
      try {
        listed = listFiles ? await listFiles(manifestXml) : [];
      } catch (e) {
        throw new PackageError("manifest", "the manifest cannot be read: " + (e && e.message ? e.message : e));
      }
      const paths = Array.from(new Set(["imsmanifest.xml", ...listed.filter((p) => p && p !== "imsmanifest.xml")]));
      const r = checkArchive(paths.map((p) => ({ name: p, size: 0, compressedSize: 0 })), limits);
      if (!r.ok) throw new PackageError(r.id, r.message);
      const id = newId();
      try {
        const pdir = await dir.getDirectoryHandle(id, { create: true });
        const fdir = await pdir.getDirectoryHandle("f", { create: true });
        const files = [], missing = [];
        let bytes = 0;
        for (let i = 0; i < paths.length; i++) {
          const path = paths[i];
          if (onProgress) onProgress({ phase: "download", bytes, files: i, fileCount: paths.length });
          if (path === "imsmanifest.xml") {
            await writeFile(fdir, String(i), manifestXml);
            const size = new TextEncoder().encode(manifestXml).length;
            files.push({ path, size, n: i });
            bytes += size;
            continue;
          }
          const fileUrl = new URL(path.split("/").map(encodeURIComponent).join("/"), abs).href;
          let fr;
          try {
            fr = await fetcher(fileUrl, { signal, credentials: "same-origin" });
          } catch {
            fr = null;
          }
          if (!fr || !fr.ok) { missing.push(path); continue; }
          const size = await copyStream(fdir, String(i), fr.body, null, signal);
          files.push({ path, size, n: i });
          bytes += size;
        }
        return await finish(id, pdir, {
          name: abs.pathname.split("/").slice(-2, -1)[0] || abs.host,
          kind: "files",
          source: { type: "url", url: abs.href, missing },
          root: "",
          bytes,
          totalBytes: bytes,
          ignored: [],
          files,
        }, manifestXml);
      } catch (e) {
        return fail(id, e);
      }
    },

    /** Every complete package, newest first. Incomplete ones are removed. */
    async list() {
      const out = [];
      for await (const [id, handle] of dir.entries()) {
        if (handle.kind !== "directory") continue;
        const meta = await readJson(handle, META);
        if (meta && meta.complete && meta.format === FORMAT) out.push(publicInfo(meta));
      }
      return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    },

    /** Remove packages whose import never finished (a crash, a closed tab). */
    async sweep() {
      const gone = [];
      for await (const [id, handle] of dir.entries()) {
        if (handle.kind !== "directory") continue;
        const meta = await readJson(handle, META);
        if (!meta || !meta.complete) {
          await dir.removeEntry(id, { recursive: true }).catch(() => {});
          gone.push(id);
        }
      }
      return gone;
    },

    /** The info of package `id`, or null. */
    async info(id) {
      const meta = await store.meta(id);
      return meta ? publicInfo(meta) : null;
    },

    /** The whole stored description of `id` (with its file list), or null. */
    async meta(id) {
      if (!ID_PATTERN.test(id)) return null;
      try {
        const pdir = await dir.getDirectoryHandle(id);
        const meta = await readJson(pdir, META);
        return meta && meta.complete ? meta : null;
      } catch {
        return null;
      }
    },

    /** Remove package `id` and its files. */
    async remove(id) {
      if (!ID_PATTERN.test(id)) return;
      open.delete(id);
      await dir.removeEntry(id, { recursive: true }).catch((e) => {
        if (e && e.name !== "NotFoundError") throw packageErrorOf(e);
      });
    },

    /** Forget what `open` keeps in memory for `id` (another context changed it). */
    forget(id) {
      open.delete(id);
    },

    /** A reader of package `id`'s files, or null when there is none. */
    open(id) {
      if (!open.has(id)) {
        const p = openReader(dir, id).catch((e) => { open.delete(id); throw e; });
        open.set(id, p);
      }
      return open.get(id).then((r) => {
        if (!r) open.delete(id);
        return r;
      });
    },
  };
  return store;
}

/** A reader over one stored package. */
async function openReader(dir, id) {
  if (!ID_PATTERN.test(id)) return null;
  let pdir;
  try {
    pdir = await dir.getDirectoryHandle(id);
  } catch {
    return null;
  }
  const meta = await readJson(pdir, META);
  if (!meta || !meta.complete) return null;
  const sizes = new Map(meta.files.map((f) => [f.path, f]));
  let zip = null, blob = null, entries = null;
  if (meta.kind === "zip") {
    blob = await (await pdir.getFileHandle("package.zip")).getFile();
    zip = await zipEntries(blob);
    entries = new Map();
    for (const e of zip.entries) {
      if (!e.directory && e.filename.startsWith(meta.root)) entries.set(e.filename.slice(meta.root.length), e);
    }
  }
  const fdir = meta.kind === "files" ? await pdir.getDirectoryHandle("f") : null;

  /** Where a stored (not deflated) entry's bytes start in the zip. */
  async function dataOffset(entry) {
    if (entry.localDirectory && typeof entry.localDirectory.dataOffset === "number") return entry.localDirectory.dataOffset;
    await entry.getData(new WritableStream(), { checkOverlappingEntryOnly: true });
    return entry.localDirectory.dataOffset;
  }

  const reader = {
    info: publicInfo(meta),
    files: meta.files,
    /** `{size, type}` of `path`, or null when the package has no such file. */
    stat(path) {
      const f = sizes.get(path);
      return f ? { size: f.size, type: contentType(path) } : null;
    },
    /**
     * The bytes `start..=end` (default: all) of `path` as a stream. Stored
     * zip entries and loose files are sliced (seeking costs nothing);
     * deflated entries are inflated from their start and the bytes before
     * `start` dropped. An entry that inflates to more than it declared
     * errors the stream.
     */
    async read(path, { start = 0, end } = {}) {
      const f = sizes.get(path);
      if (!f) throw new PackageError("missing", "the package has no file " + JSON.stringify(path));
      const last = end === undefined ? f.size - 1 : end;
      if (fdir) {
        const file = await (await fdir.getFileHandle(String(f.n))).getFile();
        return file.slice(start, last + 1).stream();
      }
      const entry = entries.get(path);
      if (!entry) throw new PackageError("missing", "the zip has no entry " + JSON.stringify(path));
      if (entry.compressionMethod === 0) {
        const at = await dataOffset(entry);
        return blob.slice(at + start, at + last + 1).stream();
      }
      const { readable, writable } = new TransformStream();
      let seen = 0;
      const window = new TransformStream({
        transform(chunk, c) {
          const from = seen, to = seen + chunk.byteLength;
          seen = to;
          if (seen > entry.uncompressedSize) throw new PackageError("size", "the entry inflates to more than its declared size");
          if (to <= start || from > last) return;
          c.enqueue(chunk.subarray(Math.max(0, start - from), Math.min(chunk.byteLength, last + 1 - from)));
          if (to > last) c.terminate();
        },
      });
      entry.getData(writable).catch(() => {});
      return readable.pipeThrough(window);
    },
    /** The whole of `path` as text. */
    async text(path) {
      return new Response(await reader.read(path)).text();
    },
    close() {
      if (zip) zip.reader.close().catch(() => {});
    },
  };
  return reader;
}

export { findRoot, ID_PATTERN };
