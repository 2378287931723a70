// The package store: content packages kept in the browser's origin private
// file system (OPFS), each under its own id, complete or not at all. One
// implementation for the author preview (www/preview.html), the offline
// player and the service worker (www/sw.js) that serves the files.
//
// Layout (OPFS root):
//   scorm-packages/<id>/package.zip   a zip, kept as it came (inflated per request)
//   scorm-packages/<id>/f/<n>         or: the files of a folder or a manifest URL, one each
//   scorm-packages/<id>/meta.json     written last: a package without it is incomplete
//   scorm-packages/<id>/download.json a download by URL not finished yet (resumable;
//                                     www/lib/package-download.js)
//
// Bytes are written by www/lib/opfs-copy.js: in a page through a dedicated
// worker with a FileSystemSyncAccessHandle (in place; a 1 GB copy does not
// grow the browser process), else through a FileSystemWritableFileStream.
// Each import holds the Web Lock "scorm-package:<id>", so that `sweep()` in
// another tab never removes a package while it is being written.
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
//   await store.importUrl(url, {listFiles, onProgress, fetch, keepPartial, crawl}) -> {info, manifestXml}
//   await store.resume(id, {listFiles, onProgress}) -> {info, manifestXml}   (a download kept with keepPartial)
//   await store.downloads() -> [download]   unfinished downloads, resumable or removable
//   await store.list() -> [info]        await store.info(id) -> info | null
//   await store.remove(id)              await store.open(id) -> PackageReader | null
//   await store.shrink(id)              keep only imsmanifest.xml (a removed course whose progress is not delivered yet)
//   await store.verify(id) -> {ok, id?, message?}   is every stored file there, at its size?
//   PackageReader: .info, .stat(path) -> {size, type} | null, .read(path, {start, end}) -> ReadableStream,
//                  .text(path) -> string, .close()
// Errors are PackageError {id, message, detail}.
import { ZipReader, BlobReader, TextWriter, configure } from "../vendor/zip.js/zip-core-external.min.js";
import { ID_PATTERN, checkArchive, contentType, formatBytes, limit, findRoot } from "./package-rules.js";
import { PackageError, packageErrorOf, RESUMABLE } from "./package-errors.js";
import { copyBlob } from "./opfs-copy.js";
import { DOWNLOAD, ensureSpace, runDownload } from "./package-download.js";

export { PackageError, packageErrorOf };

// No web workers (a service worker cannot start one) and the browser's own
// DecompressionStream("deflate-raw"): zip.js then loads nothing else.
configure({ useWebWorkers: false, useCompressionStream: true });

const DIR = "scorm-packages";
const META = "meta.json";
const FORMAT = 1;

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

/** Is there a file `name` in `dir` (readable or not)? */
async function hasFile(dir, name) {
  try {
    await dir.getFileHandle(name);
    return true;
  } catch {
    return false;
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

/** Copy `blob` into `dir/name`, reporting bytes; `signal` may cancel it. */
async function copyInto(dir, name, blob, onBytes, signal) {
  const h = await dir.getFileHandle(name, { create: true });
  const { bytes } = await copyBlob(h, blob, { onBytes, signal });
  return bytes;
}

/**
 * Run `task` holding the Web Lock of package `id` (sweep() leaves locked
 * packages alone). `ifAvailable`: reject with "busy" when another tab holds it.
 */
async function withLock(id, task, { ifAvailable = false } = {}) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return task();
  return locks.request("scorm-package:" + id, { ifAvailable }, (lock) => {
    if (!lock) throw new PackageError("busy", "this package is being written in another tab or window");
    return task();
  });
}

/** Ids whose Web Lock is held or asked for (an import running somewhere). */
async function lockedIds() {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return new Set();
  const state = await locks.query();
  return new Set([...(state.held || []), ...(state.pending || [])]
    .map((l) => l.name || "").filter((n) => n.startsWith("scorm-package:")).map((n) => n.slice(14)));
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

  /** Write meta.json last: from then on the package is complete. Removes download.json. */
  async function finish(id, pdir, meta, manifestXml, extra) {
    meta.format = FORMAT;
    meta.id = id;
    meta.createdAt = new Date().toISOString();
    meta.complete = true;
    if (extra !== undefined) meta.extra = extra;
    await writeFile(pdir, META, JSON.stringify(meta));
    await pdir.removeEntry(DOWNLOAD).catch(() => {});
    return { info: publicInfo(meta), files: meta.files, manifestXml };
  }

  async function fail(id, e) {
    await dir.removeEntry(id, { recursive: true }).catch(() => {});
    throw packageErrorOf(e);
  }

  /** The zip in `blob` checked: its entries, rules and manifest. */
  async function checkZipBlob(blob) {
    const { reader, entries } = await zipEntries(blob);
    try {
      const checked = checkZip(entries, limits);
      const manifestXml = await manifestOf(entries, checked.root);
      return { checked, manifestXml };
    } finally {
      await reader.close().catch(() => {});
    }
  }

  /**
   * Go on with download `state` of package `id`. On failure the partial
   * package stays (with the error in download.json) when `keepPartial` and
   * the error allows going on; otherwise it is removed.
   */
  async function download(id, pdir, state, options) {
    const keep = !!state.keepPartial;
    const save = async (st) => { if (keep) await writeFile(pdir, DOWNLOAD, JSON.stringify(st)); };
    const ctx = {
      limits,
      save,
      checkZipBlob,
      finish: (p, meta, xml) => finish(id, p, meta, xml, state.extra),
    };
    try {
      state.error = null;
      await save(state);
      return await runDownload(ctx, pdir, state, options);
    } catch (e0) {
      const e = packageErrorOf(e0);
      if (keep && RESUMABLE.includes(e.id)) {
        state.error = { id: e.id, message: e.message, at: new Date().toISOString() };
        await save(state).catch(() => {});
        e.resumable = true;
        e.packageId = id;
        throw e;
      }
      return fail(id, e);
    }
  }

  const store = {
    /**
     * Import a zip (a File or Blob). Its central directory is checked
     * first (names, sizes, bomb limits, manifest), then the zip is copied
     * into the store as it is. Resolves with `{info, files, manifestXml}`.
     * `extra`: anything JSON the caller keeps with the package (`info.extra`).
     */
    async importZip(blob, { name, source, onProgress, signal, extra } = {}) {
      let checked, manifestXml;
      try {
        ({ checked, manifestXml } = await checkZipBlob(blob));
      } catch (e) {
        throw packageErrorOf(e);
      }
      await ensureSpace(blob.size);
      const id = newId();
      return withLock(id, async () => {
        try {
          const pdir = await dir.getDirectoryHandle(id, { create: true });
          if (onProgress) onProgress({ phase: "copy", bytes: 0, total: blob.size });
          await copyInto(pdir, "package.zip", blob, (bytes) => onProgress && onProgress({ phase: "copy", bytes, total: blob.size }), signal);
          return await finish(id, pdir, {
            name: name || blob.name || "package.zip",
            kind: "zip",
            source: source || { type: "file" },
            root: checked.root,
            bytes: blob.size,
            totalBytes: checked.totalBytes,
            ignored: checked.ignored,
            files: checked.files.map((f) => ({ path: f.path, size: f.size })),
          }, manifestXml, extra);
        } catch (e) {
          return fail(id, e);
        }
      });
    },

    /**
     * Import loose files (a picked or dropped folder): `[{path, file}]`
     * with `/`-separated paths (the folder's name may lead them). The same
     * name rules and limits apply.
     */
    async importFiles(list, { name, source, onProgress, signal, extra } = {}) {
      const described = list.map((f) => ({ name: f.path, size: f.file.size, compressedSize: f.file.size }));
      const r = checkArchive(described, limits);
      if (!r.ok) throw new PackageError(r.id, r.message);
      const byPath = new Map(list.map((f) => [f.path, f.file]));
      const total = r.files.reduce((s, f) => s + f.size, 0);
      await ensureSpace(total);
      const id = newId();
      return withLock(id, async () => {
        try {
          const pdir = await dir.getDirectoryHandle(id, { create: true });
          const fdir = await pdir.getDirectoryHandle("f", { create: true });
          const files = [];
          let done = 0;
          for (let i = 0; i < r.files.length; i++) {
            const f = r.files[i];
            const file = byPath.get(r.root + f.path);
            const before = done;
            await copyInto(fdir, String(i), file, (b) => onProgress && onProgress({ phase: "copy", bytes: before + b, total, files: i, fileCount: r.files.length }), signal);
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
          }, manifestXml, extra);
        } catch (e) {
          return fail(id, e);
        }
      });
    },

    /**
     * Import from a URL: a zip (written into the store as it arrives, then
     * checked), or an imsmanifest.xml whose files `listFiles(xml)` names (the
     * page passes the engine's manifest reader), fetched one by one, with
     * the files their pages load (`crawl`, default on: www/lib/crawl.js).
     * `keepPartial`: a download that fails on the way (network, server,
     * storage full, cancelled) stays, listed by `downloads()`, for `resume`
     * or `remove`; the error then carries `resumable` and `packageId`.
     */
    async importUrl(url, { listFiles, onProgress, signal, fetch: fetcher, keepPartial = false, crawl = true, name, extra, onStart } = {}) {
      let abs;
      try {
        abs = new URL(url, globalThis.location ? location.href : undefined);
      } catch {
        throw new PackageError("url", "not a URL: " + JSON.stringify(String(url)));
      }
      if (abs.protocol !== "http:" && abs.protocol !== "https:") {
        throw new PackageError("url", "only http(s) URLs can be opened, not " + abs.protocol);
      }
      abs.hash = "";
      const id = newId();
      if (onStart) onStart(id);
      return withLock(id, async () => {
        const pdir = await dir.getDirectoryHandle(id, { create: true });
        const state = {
          format: FORMAT, id, url: abs.href, name: name || "", extra, keepPartial,
          startedAt: new Date().toISOString(), kind: null, validators: null, bytes: 0,
        };
        return download(id, pdir, state, { listFiles, onProgress, signal, fetch: fetcher, crawl });
      });
    },

    /** Go on with an unfinished download kept by `importUrl(…, {keepPartial: true})`. */
    async resume(id, { listFiles, onProgress, signal, fetch: fetcher, crawl = true } = {}) {
      if (!ID_PATTERN.test(id)) throw new PackageError("missing", "no such download: " + id);
      return withLock(id, async () => {
        let pdir;
        try {
          pdir = await dir.getDirectoryHandle(id);
        } catch {
          throw new PackageError("gone", "this download is gone (removed, or the browser cleared this site's storage)");
        }
        const state = await readJson(pdir, DOWNLOAD);
        if (!state || state.format !== FORMAT) {
          throw new PackageError("corrupt", "what was downloaded so far cannot be read any more; remove it and download again");
        }
        return download(id, pdir, state, { listFiles, onProgress, signal, fetch: fetcher, crawl });
      }, { ifAvailable: true });
    },

    /**
     * Unfinished downloads kept for resuming: [{id, url, name, kind, bytes,
     * total, files, fileCount, error, extra, startedAt, running}].
     */
    async downloads() {
      const out = [];
      const locked = await lockedIds();
      for await (const [id, handle] of dir.entries()) {
        if (handle.kind !== "directory") continue;
        const meta = await readJson(handle, META);
        if (meta && meta.complete) continue;
        const st = await readJson(handle, DOWNLOAD);
        if (!st) continue;
        const m = st.manifest;
        out.push({
          id, url: st.url, name: st.name, kind: st.kind, extra: st.extra, startedAt: st.startedAt,
          bytes: st.bytes || 0,
          total: st.kind === "zip" && st.validators ? st.validators.length || 0 : 0,
          files: m ? Object.keys(m.done).length : 0,
          fileCount: m ? m.queue.length : st.kind === "zip" ? 1 : 0,
          error: st.error || null,
          running: locked.has(id),
        });
      }
      return out.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
    },

    /** Every complete package, newest first. */
    async list() {
      const out = [];
      for await (const [, handle] of dir.entries()) {
        if (handle.kind !== "directory") continue;
        const meta = await readJson(handle, META);
        if (meta && meta.complete && meta.format === FORMAT) out.push(publicInfo(meta));
      }
      return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    },

    /**
     * Remove packages whose import never finished (a crash, a closed tab),
     * except downloads kept for resuming and imports running now (in any
     * tab: they hold their Web Lock).
     */
    async sweep() {
      const gone = [];
      const locked = await lockedIds();
      for await (const [id, handle] of dir.entries()) {
        if (handle.kind !== "directory" || locked.has(id)) continue;
        const meta = await readJson(handle, META);
        if (meta && meta.complete) continue;
        if (await readJson(handle, DOWNLOAD)) continue;
        // meta.json is written whole (swapped in at close), so one that is
        // there but unreadable is damaged, not unfinished: it stays, for
        // verify() to report and the user to remove.
        if (!meta && await hasFile(handle, META)) continue;
        await dir.removeEntry(id, { recursive: true }).catch(() => {});
        gone.push(id);
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

    /** Remove package `id` (complete or not) and its files. */
    async remove(id) {
      if (!ID_PATTERN.test(id)) return;
      open.delete(id);
      await dir.removeEntry(id, { recursive: true }).catch((e) => {
        if (e && e.name !== "NotFoundError") throw packageErrorOf(e);
      });
    },

    /**
     * Keep only the package's imsmanifest.xml (as a one-file package with
     * the same id, so its URL stays): what a removed course needs until the
     * progress of its registration is delivered (the player opens it to
     * send). meta.json is replaced in one step, then the rest removed.
     */
    async shrink(id) {
      const pdir = await dir.getDirectoryHandle(id);
      const meta = await readJson(pdir, META);
      if (!meta || !meta.complete) throw new PackageError("missing", "no complete package " + id);
      if (meta.stub) return publicInfo(meta);
      const reader = await store.open(id);
      const xml = await reader.text("imsmanifest.xml");
      reader.close();
      open.delete(id);
      const fdir = await pdir.getDirectoryHandle("s", { create: true });
      await writeFile(fdir, "0", xml);
      const size = new TextEncoder().encode(xml).length;
      const stub = { ...meta, kind: "files", dir: "s", root: "", stub: true, bytes: size, totalBytes: size, files: [{ path: "imsmanifest.xml", size, n: 0 }] };
      await writeFile(pdir, META, JSON.stringify(stub));
      await pdir.removeEntry("package.zip").catch(() => {});
      await pdir.removeEntry("f", { recursive: true }).catch(() => {});
      return publicInfo(stub);
    },

    /**
     * Is every file of package `id` there, at the size recorded? `{ok: true}`,
     * or `{ok: false, id, message}`: "gone" (nothing stored: removed, or the
     * browser evicted it), "corrupt" (a record or file that cannot be read),
     * "incomplete" (files missing or cut).
     */
    async verify(id) {
      if (!ID_PATTERN.test(id)) return { ok: false, id: "gone", message: "no such package" };
      let pdir;
      try {
        pdir = await dir.getDirectoryHandle(id);
      } catch {
        return { ok: false, id: "gone", message: "its files are no longer on this device" };
      }
      let meta;
      try {
        const f = await (await pdir.getFileHandle(META)).getFile();
        meta = JSON.parse(await f.text());
      } catch (e) {
        if (e && e.name === "NotFoundError") {
          const st = await readJson(pdir, DOWNLOAD);
          return st ? { ok: false, id: "incomplete", message: "its download has not finished" }
            : { ok: false, id: "gone", message: "its files are no longer on this device" };
        }
        return { ok: false, id: "corrupt", message: "its stored description cannot be read" };
      }
      if (!meta || !meta.complete || !Array.isArray(meta.files)) return { ok: false, id: "corrupt", message: "its stored description is damaged" };
      try {
        if (meta.kind === "zip") {
          const blob = await (await pdir.getFileHandle("package.zip")).getFile();
          if (blob.size !== meta.bytes) return { ok: false, id: "corrupt", message: `its zip has ${formatBytes(blob.size)} instead of ${formatBytes(meta.bytes)}` };
          const { reader, entries } = await zipEntries(blob);
          await reader.close().catch(() => {});
          const names = new Set(entries.map((e) => e.filename.slice(meta.root.length)));
          const lost = meta.files.find((f) => !names.has(f.path));
          if (lost) return { ok: false, id: "corrupt", message: "its zip lacks " + lost.path };
        } else {
          const fdir = await pdir.getDirectoryHandle(meta.dir || "f");
          for (const f of meta.files) {
            const file = await (await fdir.getFileHandle(String(f.n))).getFile();
            if (file.size !== f.size) return { ok: false, id: "corrupt", message: `${f.path} has ${formatBytes(file.size)} instead of ${formatBytes(f.size)}` };
          }
        }
      } catch (e) {
        if (e && e.name === "NotFoundError") return { ok: false, id: "incomplete", message: "some of its files are no longer on this device" };
        return { ok: false, id: "corrupt", message: "its files cannot be read: " + packageErrorOf(e).message };
      }
      return { ok: true };
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
  const fdir = meta.kind === "files" ? await pdir.getDirectoryHandle(meta.dir || "f") : null;

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
