// Writing a Blob or a download into a file of the origin private file
// system, for the package store (www/lib/package-store.js). In a page, the
// bytes go through a dedicated worker (www/lib/opfs-worker.js) that writes
// them in place with a FileSystemSyncAccessHandle; where there is no worker
// (the service worker, a browser without sync access handles) through a
// FileSystemWritableFileStream, which commits at close() only.
//
//   await copyBlob(fileHandle, blob, {onBytes, signal})            -> {bytes}
//   await fetchInto(fileHandle, url, {at, ifRange, onBytes, signal}) -> {bytes, response}
//
// `fetchInto` appends from byte `at` (a resumed download; Range and If-Range
// are sent) and reports what the server answered; a server that sends the
// whole file again is written from the start (`response.restarted`).

let worker = null;
let workerFailed = false;
let nextJob = 1;
const waiting = new Map(); // id -> {resolve, reject, onBytes}

// Whether the worker can be tried. FileSystemSyncAccessHandle exists only
// in dedicated workers (a page does not see createSyncAccessHandle), so the
// worker itself says when it has none ("unsupported", before it touches
// the file or the network) and every job then takes the writable stream.
function canUseWorker() {
  return !workerFailed && typeof Worker === "function" && typeof FileSystemFileHandle !== "undefined";
}

function startWorker() {
  if (worker) return worker;
  worker = new Worker(new URL("./opfs-worker.js", import.meta.url), { type: "module", name: "scorm-shim package store" });
  worker.onmessage = (event) => {
    const m = event.data || {};
    const job = waiting.get(m.id);
    if (!job) return;
    if (m.type === "progress") {
      if (job.onBytes) job.onBytes(m.bytes);
      return;
    }
    waiting.delete(m.id);
    if (m.type === "done") job.resolve(m);
    else if (m.type === "unsupported") {
      workerFailed = true;
      job.reject(Object.assign(new Error("no FileSystemSyncAccessHandle in workers here"), { workerFailed: true }));
    } else {
      const e = new DOMException(m.message, m.name === "Error" ? "OperationError" : m.name);
      job.reject(e);
    }
  };
  worker.onerror = (event) => {
    // The worker could not start (a CSP without worker-src, a missing file):
    // every job fails over to the writable-stream path.
    workerFailed = true;
    worker = null;
    for (const [, job] of waiting) job.reject(Object.assign(new Error("the storage worker failed: " + (event.message || "not loaded")), { workerFailed: true }));
    waiting.clear();
  };
  return worker;
}

function runJob(message, { onBytes, signal }) {
  const w = startWorker();
  const id = nextJob++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, onBytes });
    if (signal) {
      if (signal.aborted) { waiting.delete(id); return reject(new DOMException("cancelled", "AbortError")); }
      signal.addEventListener("abort", () => w.postMessage({ op: "abort", id }), { once: true });
    }
    w.postMessage({ ...message, id });
  });
}

/**
 * Write `stream` through a FileSystemWritableFileStream from byte `at`. The
 * stream commits at close(): `keepPartial` closes it on a failure too (a
 * download keeps what came, to be resumed), else what was written is dropped.
 */
async function pipeWritable(handle, stream, { at = 0, onBytes, signal, keepPartial = false }) {
  const w = await handle.createWritable({ keepExistingData: at > 0 });
  let done = at;
  try {
    if (at > 0) { await w.truncate(at); await w.seek(at); }
    const counter = new TransformStream({
      transform(chunk, c) {
        done += chunk.byteLength;
        if (onBytes) onBytes(done);
        c.enqueue(chunk);
      },
    });
    await stream.pipeThrough(counter).pipeTo(w, { preventAbort: keepPartial, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (keepPartial) await w.close().catch(() => w.abort().catch(() => {}));
    else await w.abort().catch(() => {});
    throw e;
  }
  return done;
}

/** Copy `blob` into `handle` (replacing its content). */
export async function copyBlob(handle, blob, { onBytes, signal } = {}) {
  if (canUseWorker()) {
    try {
      const r = await runJob({ op: "copy", handle, blob }, { onBytes, signal });
      return { bytes: r.bytes };
    } catch (e) {
      if (!e || !e.workerFailed) throw e;
    }
  }
  return { bytes: await pipeWritable(handle, blob.stream(), { onBytes, signal }) };
}

function responseOf(res) {
  return {
    status: res.status,
    etag: res.headers.get("ETag") || "",
    lastModified: res.headers.get("Last-Modified") || "",
    contentType: res.headers.get("Content-Type") || "",
    length: Number(res.headers.get("Content-Length")) || 0,
    restarted: false,
  };
}

/**
 * Download `url` into `handle` from byte `at`. Resolves with `{bytes,
 * response}`: `bytes` in the file after it, `response` what the server said
 * (a status other than 2xx leaves the file as it was).
 */
export async function fetchInto(handle, url, { at = 0, ifRange = "", onBytes, signal, fetch: fetcher } = {}) {
  if (!fetcher && canUseWorker()) {
    try {
      return await runJob({ op: "fetch", handle, url, at, ifRange }, { onBytes, signal });
    } catch (e) {
      if (!e || !e.workerFailed) throw e;
    }
  }
  const headers = {};
  if (at > 0) {
    headers.Range = "bytes=" + at + "-";
    if (ifRange) headers["If-Range"] = ifRange;
  }
  const res = await (fetcher || fetch)(url, { headers, signal, credentials: "same-origin", cache: "no-store" });
  const response = responseOf(res);
  if (!res.ok) {
    if (res.body) await res.body.cancel().catch(() => {});
    return { bytes: at, response };
  }
  let from = at;
  if (at > 0) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get("Content-Range") || "");
    if (res.status !== 206 || !range || Number(range[1]) !== at) { from = 0; response.restarted = true; }
    else if (range[3] !== "*") response.length = Number(range[3]);
  }
  const bytes = await pipeWritable(handle, res.body, { at: from, onBytes, signal, keepPartial: true });
  return { bytes, response };
}
