// A dedicated worker that writes into the origin private file system with a
// FileSystemSyncAccessHandle: the bytes go from this worker straight to the
// file, in place. The page's other way, a FileSystemWritableFileStream,
// writes to a temporary copy that the browser process swaps in at close();
// for a 1 GB zip Chromium's browser process grew by about the zip's size on
// that path (BENCHMARKS.md, "Author preview"). In place also means that what
// was written before a failure (network lost, quota full, tab closed, a
// crash) stays in the file, so a download can be resumed where it stopped.
//
// Messages (from www/lib/opfs-copy.js), each with a job `id`:
//   {op: "copy", id, handle, blob}                    write the blob (the file is truncated first)
//   {op: "fetch", id, handle, url, at, ifRange}       fetch url into the file from byte `at`
//                                                     (Range: bytes=at-; If-Range: ifRange)
//   {op: "abort", id}
// Answers: {id, type: "progress", bytes} (bytes in the file so far),
//          {id, type: "done", bytes, response?: {status, etag, lastModified, length, contentType, restarted}},
//          {id, type: "error", name, message},
//          {id, type: "unsupported"} (no sync access handles here: the page writes instead).
const jobs = new Map(); // id -> AbortController

/** Flush to disk every this many bytes (a kill loses at most the last unflushed part; it is written again on resume). */
const FLUSH_EVERY = 8 * 1024 * 1024;

async function writeStream(handle, stream, at, id, signal) {
  const file = await handle.createSyncAccessHandle();
  let offset = at;
  let unflushed = 0;
  let lastReport = 0;
  try {
    if (at === 0) file.truncate(0);
    else if (file.getSize() !== at) file.truncate(at);
    const reader = stream.getReader();
    for (;;) {
      if (signal.aborted) throw new DOMException("the copy was cancelled", "AbortError");
      const { done, value } = await reader.read();
      if (done) break;
      let view = value;
      while (view.byteLength) {
        const n = file.write(view, { at: offset });
        if (n <= 0) throw new DOMException("the file system accepted no more bytes", "QuotaExceededError");
        offset += n;
        unflushed += n;
        view = view.subarray(n);
      }
      if (unflushed >= FLUSH_EVERY) { file.flush(); unflushed = 0; }
      const now = Date.now();
      if (now - lastReport > 100) { lastReport = now; postMessage({ id, type: "progress", bytes: offset }); }
    }
    file.flush();
    postMessage({ id, type: "progress", bytes: offset });
    return offset;
  } catch (e) {
    try { file.flush(); } catch { /* keep what is written */ }
    throw e;
  } finally {
    file.close();
  }
}

function header(res, name) {
  return res.headers.get(name) || "";
}

async function run(msg, signal) {
  if (msg.op === "copy") {
    const bytes = await writeStream(msg.handle, msg.blob.stream(), 0, msg.id, signal);
    return { bytes };
  }
  if (msg.op === "fetch") {
    const headers = {};
    let at = msg.at || 0;
    if (at > 0) {
      headers.Range = "bytes=" + at + "-";
      if (msg.ifRange) headers["If-Range"] = msg.ifRange;
    }
    const res = await fetch(msg.url, { headers, signal, credentials: "same-origin", cache: "no-store" });
    const response = {
      status: res.status,
      etag: header(res, "ETag"),
      lastModified: header(res, "Last-Modified"),
      contentType: header(res, "Content-Type"),
      length: Number(header(res, "Content-Length")) || 0,
      restarted: false,
    };
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      return { bytes: at, response };
    }
    if (at > 0) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(res, "Content-Range"));
      if (res.status !== 206 || !range || Number(range[1]) !== at) {
        // The server sent the whole file (it does not do ranges, or the file changed): start over.
        at = 0;
        response.restarted = true;
      } else if (range[3] !== "*") {
        response.length = Number(range[3]);
      }
    }
    const bytes = await writeStream(msg.handle, res.body, at, msg.id, signal);
    return { bytes, response };
  }
  throw new Error("unknown operation " + msg.op);
}

onmessage = async (event) => {
  const msg = event.data || {};
  if (msg.op === "abort") {
    const c = jobs.get(msg.id);
    if (c) c.abort();
    return;
  }
  if (typeof FileSystemFileHandle === "undefined" || typeof FileSystemFileHandle.prototype.createSyncAccessHandle !== "function") {
    postMessage({ id: msg.id, type: "unsupported" });
    return;
  }
  const controller = new AbortController();
  jobs.set(msg.id, controller);
  try {
    const result = await run(msg, controller.signal);
    postMessage({ id: msg.id, type: "done", ...result });
  } catch (e) {
    postMessage({ id: msg.id, type: "error", name: (e && e.name) || "Error", message: String(e && e.message ? e.message : e) });
  } finally {
    jobs.delete(msg.id);
  }
};
