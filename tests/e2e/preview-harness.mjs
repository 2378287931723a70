// Shared set-up of the preview's end-to-end tests: a plain static file
// server (what an author runs: no backend), zips made by the test (a small
// zip writer that can also write the hostile ones: it is test tooling, the
// page reads zips with zip.js), the sample packages, and helpers to drive
// the page.
import http from "node:http";
import { createReadStream, readFileSync, readdirSync, statSync, existsSync, createWriteStream } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ROOT } from "./harness.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json", ".xml": "application/xml",
  ".zip": "application/zip", ".webm": "video/webm",
};

/**
 * A static server of the repository root on 127.0.0.1 (like `python3 -m
 * http.server`): GET and HEAD of files, nothing else. `routes` maps URL
 * paths to extra bodies (Buffers) the test serves. Every request is logged.
 */
export async function startStatic({ routes = new Map() } = {}) {
  const log = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    log.push({ method: req.method, path: url.pathname, range: req.headers.range || "" });
    if (routes.has(url.pathname)) {
      const r = routes.get(url.pathname);
      res.writeHead(200, { "Content-Type": r.type || TYPES[path.extname(url.pathname)] || "application/octet-stream", "Content-Length": r.body.length, "Cache-Control": "no-store" });
      return res.end(req.method === "HEAD" ? undefined : r.body);
    }
    const file = path.join(ROOT, decodeURIComponent(url.pathname));
    if (!file.startsWith(ROOT + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      return res.end("not found");
    }
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Content-Length": statSync(file).size, "Cache-Control": "no-cache" });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = "http://127.0.0.1:" + server.address().port;
  return {
    url,
    log,
    routes,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

// ---- A zip writer for tests ------------------------------------------------
//
// entry: {name (string, UTF-8 flag set when not ASCII unless cp437), nameBytes
// (Buffer: raw name, no UTF-8 flag), data (Buffer|string), method (0 stored,
// 8 deflate; default 8), size / compressedSize (declared, to lie), offset
// (the central directory's local header offset, to lie)}.
// options: {zip64: write ZIP64 records for every entry and the end}.

function dosTime() {
  return { time: (12 << 11) | (0 << 5), date: ((2024 - 1980) << 9) | (1 << 5) | 1 };
}

export function makeZip(entries, { zip64 = false, comment = "" } = {}) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  const { time, date } = dosTime();
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data || "", "utf8");
    const method = e.method === undefined ? (data.length ? 8 : 0) : e.method;
    const packed = method === 8 ? zlib.deflateRawSync(data) : data;
    const name = e.nameBytes || Buffer.from(e.name, "utf8");
    const utf8 = !e.nameBytes && /[^\x00-\x7f]/.test(e.name);
    const crc = zlib.crc32(data);
    const size = e.size === undefined ? data.length : e.size;
    const csize = e.compressedSize === undefined ? packed.length : e.compressedSize;
    const flags = (utf8 ? 0x800 : 0) | (e.flags || 0);
    const extraLocal = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (zip64) { extraLocal.writeUInt16LE(1, 0); extraLocal.writeUInt16LE(16, 2); extraLocal.writeBigUInt64LE(BigInt(size), 4); extraLocal.writeBigUInt64LE(BigInt(csize), 12); }
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(zip64 ? 45 : 20, 4); lh.writeUInt16LE(flags, 6); lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(time, 10); lh.writeUInt16LE(date, 12); lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(zip64 ? 0xffffffff : csize, 18); lh.writeUInt32LE(zip64 ? 0xffffffff : size, 22);
    lh.writeUInt16LE(name.length, 26); lh.writeUInt16LE(extraLocal.length, 28);
    const local = Buffer.concat([lh, name, extraLocal, packed]);
    const at = e.offset === undefined ? offset : e.offset;
    const extraCentral = zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (zip64) { extraCentral.writeUInt16LE(1, 0); extraCentral.writeUInt16LE(24, 2); extraCentral.writeBigUInt64LE(BigInt(size), 4); extraCentral.writeBigUInt64LE(BigInt(csize), 12); extraCentral.writeBigUInt64LE(BigInt(at), 20); }
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(zip64 ? 45 : 20, 4); ch.writeUInt16LE(zip64 ? 45 : 20, 6); ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10); ch.writeUInt16LE(time, 12); ch.writeUInt16LE(date, 14); ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(zip64 ? 0xffffffff : csize, 20); ch.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    ch.writeUInt16LE(name.length, 28); ch.writeUInt16LE(extraCentral.length, 30); ch.writeUInt16LE(0, 32); ch.writeUInt16LE(0, 34);
    ch.writeUInt16LE(0, 36); ch.writeUInt32LE(name.at(-1) === 0x2f ? 0x10 : 0, 38); ch.writeUInt32LE(zip64 ? 0xffffffff : at, 42);
    centrals.push(Buffer.concat([ch, name, extraCentral]));
    locals.push(local);
    offset += local.length;
  }
  const cd = Buffer.concat(centrals);
  const parts = [...locals, cd];
  if (zip64) {
    const z = Buffer.alloc(56);
    z.writeUInt32LE(0x06064b50, 0); z.writeBigUInt64LE(44n, 4); z.writeUInt16LE(45, 12); z.writeUInt16LE(45, 14);
    z.writeUInt32LE(0, 16); z.writeUInt32LE(0, 20); z.writeBigUInt64LE(BigInt(entries.length), 24); z.writeBigUInt64LE(BigInt(entries.length), 32);
    z.writeBigUInt64LE(BigInt(cd.length), 40); z.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0); loc.writeUInt32LE(0, 4); loc.writeBigUInt64LE(BigInt(offset + cd.length), 8); loc.writeUInt32LE(1, 16);
    parts.push(z, loc);
  }
  const c = Buffer.from(comment, "utf8");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8); end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12); end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16); end.writeUInt16LE(c.length, 20);
  parts.push(end, c);
  return Buffer.concat(parts);
}

/** Every file under `dir` as zip entries (paths relative to it, "/"-separated). */
export function dirEntries(dir, { prefix = "", rename = {}, skip = [] } = {}) {
  const out = [];
  const walk = (d, rel) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const r = rel ? rel + "/" + name : name;
      if (skip.includes(r)) continue;
      if (statSync(full).isDirectory()) walk(full, r);
      else out.push({ name: prefix + (rename[r] || r), data: readFileSync(full) });
    }
  };
  walk(dir, "");
  return out;
}

/** The SCORM 1.2 sample package (www/courses/sample with its 1.2 manifest). */
export function sample12Entries(prefix = "") {
  return dirEntries(path.join(ROOT, "www/courses/sample"), { prefix, rename: { "imsmanifest12.xml": "imsmanifest.xml" }, skip: ["imsmanifest.xml"] });
}

/** The sequenced SCORM 2004 sample package. */
export function sequencedEntries(prefix = "") {
  return dirEntries(path.join(ROOT, "www/courses/sequenced"), { prefix });
}

/** A SCORM 2004 package whose SCO fetches JSON, asks for a byte range, and plays a video. */
export function mediaEntries(webm) {
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="media.test" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>Media and data</title>
    <item identifier="M" identifierref="R"><title>Video lesson</title></item>
  </organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="lesson/index.html">
    <file href="lesson/index.html"/><file href="lesson/app.js"/><file href="data/questions.json"/><file href="media/clip.webm"/>
  </resource></resources>
</manifest>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Video lesson</title><script src="app.js"></script></head>
<body><h1>Video lesson</h1><p id="q"></p><p id="range"></p><p id="missing"></p><video id="v" src="../media/clip.webm" controls muted preload="auto"></video></body></html>`;
  const app = `
var api = null, w = window;
for (var i = 0; i < 20 && w && !api; i++) { api = w.API_1484_11 || null; if (w.parent === w) break; w = w.parent; }
window.addEventListener("DOMContentLoaded", function () {
  api.Initialize("");
  fetch("../data/questions.json").then(function (r) { return r.json(); }).then(function (d) {
    document.getElementById("q").textContent = d.questions.length + " questions: " + d.questions[0].text;
    api.SetValue("cmi.interactions.0.id", "q1");
    api.SetValue("cmi.interactions.0.type", "choice");
  });
  fetch("../media/clip.webm", { headers: { Range: "bytes=0-3" } }).then(function (r) {
    return r.arrayBuffer().then(function (b) {
      document.getElementById("range").textContent = r.status + " " + r.headers.get("Content-Range") + " " + Array.from(new Uint8Array(b)).map(function (x) { return x.toString(16); }).join(",");
    });
  });
  fetch("../data/nope.json").then(function (r) { document.getElementById("missing").textContent = String(r.status); });
  var v = document.getElementById("v");
  v.addEventListener("loadeddata", function () { document.documentElement.dataset.video = "loaded"; });
  v.addEventListener("error", function () { document.documentElement.dataset.video = "error " + (v.error && v.error.code); });
  api.SetValue("cmi.score.raw", "7");
  api.SetValue("cmi.completion_status", "incomplete");
  api.Commit("");
});`;
  const json = JSON.stringify({ questions: [{ id: "q1", text: "Which way is up?" }, { id: "q2", text: "Why?" }] });
  return [
    { name: "imsmanifest.xml", data: manifest },
    { name: "lesson/index.html", data: html },
    { name: "lesson/app.js", data: app },
    { name: "data/questions.json", data: json },
    { name: "media/clip.webm", data: webm, method: 0 },
  ];
}

/** A short WebM video, recorded in the browser (MediaRecorder from a canvas). */
export async function recordWebm(browser) {
  const page = await browser.newPage();
  try {
    const bytes = await page.evaluate(async () => {
      const c = document.createElement("canvas");
      c.width = 64; c.height = 48;
      document.body.appendChild(c);
      const g = c.getContext("2d");
      const stream = c.captureStream(25);
      const rec = new MediaRecorder(stream, { mimeType: "video/webm" });
      const chunks = [];
      rec.ondataavailable = (e) => chunks.push(e.data);
      let n = 0;
      const t = setInterval(() => { g.fillStyle = "hsl(" + (n++ * 20) + ",80%,50%)"; g.fillRect(0, 0, 64, 48); }, 40);
      rec.start(100);
      await new Promise((r) => setTimeout(r, 1200));
      rec.stop();
      await new Promise((r) => (rec.onstop = r));
      clearInterval(t);
      return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
    });
    return Buffer.from(bytes);
  } finally {
    await page.close();
  }
}

// ---- Driving the page -------------------------------------------------------

/** Open the preview and wait until it is ready (service worker in control). */
export async function openPreview(page, base, query = "") {
  await page.goto(base + "/www/preview.html" + query);
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true", null, { timeout: 30000 });
}

/** Drop `bytes` as a file named `name` onto the page, as a user drags it in. */
export async function dropFile(page, name, bytes) {
  const b64 = Buffer.from(bytes).toString("base64");
  await page.evaluate(([name, b64]) => {
    const bin = atob(b64);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    delete document.documentElement.dataset.import;
    const dt = new DataTransfer();
    dt.items.add(new File([u8], name, { type: "application/zip" }));
    document.querySelector(".drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [name, b64]);
}

/** Wait for an import to finish; resolves with "done" or "failed". */
export async function importOutcome(page) {
  const h = await page.waitForFunction(() => {
    const s = document.documentElement.dataset.import;
    return s === "done" || s === "failed" ? s : null;
  }, null, { timeout: 60000 });
  return h.jsonValue();
}

/** Write a zip of `entries` to `file` (for setInputFiles). */
export function writeZip(file, entries, options) {
  const buf = makeZip(entries, options);
  const s = createWriteStream(file);
  return new Promise((resolve, reject) => { s.on("error", reject); s.end(buf, resolve); });
}
