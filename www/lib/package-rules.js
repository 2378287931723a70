// Content package rules, as data: which zip entry names are safe, the limits
// that refuse zip bombs, where the package root is, the Content-Type of each
// file, and how a Range header is read. Pure functions (no browser type):
// the package store, the service worker and the node unit tests
// (tests/js/package-rules.test.mjs) share them.
//
// Errors are plain objects `{id, message}`: `id` names the rule (stable,
// for tests and reports), `message` says it in words for the page.

/**
 * Limits on an archive, sorted by id. A zip that exceeds one is refused
 * before anything is stored. `value` is the largest accepted.
 *
 * - entries: how many files and folders (ZIP64 allows billions).
 * - manifestBytes: the inflated imsmanifest.xml, which is read into memory
 *   (the largest manifest we benchmark, 10,000 items, is 13 MB).
 * - nameChars: one entry name.
 * - ratio / ratioFloor: an entry whose declared inflated size is above
 *   `ratioFloor` bytes may be at most `ratio` times its compressed size.
 *   Deflate cannot exceed about 1,032:1, and real course files (scripts,
 *   JSON, XML, media) stay far below 100:1; a large entry above 200:1 is a
 *   bomb or a lie about its size.
 * - totalBytes: the sum of the declared inflated sizes.
 *
 * Sizes are also enforced while inflating: an entry that inflates to more
 * than it declared is cut off with an error (see package-serve.js), so the
 * declared sizes these limits check bound what is ever produced.
 */
export const LIMITS = [
  { id: "entries", value: 100000, what: "entries" },
  { id: "manifestBytes", value: 64 * 1024 * 1024, what: "bytes of imsmanifest.xml" },
  { id: "nameChars", value: 1024, what: "characters in one entry name" },
  { id: "ratio", value: 200, what: "times an entry's compressed size (for entries over 1 MiB)" },
  { id: "ratioFloor", value: 1024 * 1024, what: "bytes, the size from which the ratio limit applies" },
  { id: "totalBytes", value: 16 * 1024 * 1024 * 1024, what: "bytes inflated in all" },
];

/** The value of limit `id` (optionally overridden by `overrides[id]`). */
export function limit(id, overrides) {
  if (overrides && typeof overrides[id] === "number") return overrides[id];
  const l = LIMITS.find((x) => x.id === id);
  if (!l) throw new Error("unknown limit " + id);
  return l.value;
}

/** A package id as the store makes them (and the only ids the service worker serves). */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Human-readable byte counts: "1.5 MB" (powers of 1,000, as storage is sold). */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return String(n);
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let i = 0, v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return i === 0 ? n.toLocaleString("en") + " bytes" : v.toFixed(v < 10 ? 1 : 0) + " " + units[i];
}

/**
 * Rules on one entry name, in the order they are checked; the first that
 * matches refuses the name. `test(name, segments)` is true when the rule
 * applies. Sorted by nothing but precedence: a name with a backslash is
 * reported as such even when it also has `..`.
 */
export const NAME_RULES = [
  { id: "empty", test: (n) => n.length === 0, message: "an entry has an empty name" },
  { id: "control", test: (n) => /[\u0000-\u001f\u007f]/.test(n), message: "contains a control character" },
  { id: "backslash", test: (n) => n.includes("\\"), message: "uses a backslash (\\); zip names separate folders with /, and a backslash can point outside the package on Windows" },
  { id: "absolute", test: (n) => n.startsWith("/"), message: "is an absolute path (starts with /)" },
  { id: "drive", test: (n) => /^[A-Za-z]:/.test(n), message: "starts with a drive letter" },
  { id: "parent", test: (n, s) => s.includes(".."), message: "has a .. segment that would escape the package" },
  { id: "dot", test: (n, s) => s.includes("."), message: "has a . segment" },
  { id: "emptySegment", test: (n, s) => s.slice(0, -1).includes(""), message: "has an empty segment (//)" },
];

/**
 * Check one entry name as the zip stores it (decoded). Answers
 * `{ok: true, path, directory}` or `{ok: false, id, message}`.
 */
export function checkEntryName(name, overrides) {
  if (typeof name !== "string") return { ok: false, id: "empty", message: "an entry has no name" };
  if (name.length > limit("nameChars", overrides)) {
    return { ok: false, id: "nameChars", message: "the entry name " + JSON.stringify(name.slice(0, 60) + "…") + " is longer than " + limit("nameChars", overrides) + " characters" };
  }
  const directory = name.endsWith("/");
  const segments = (directory ? name.slice(0, -1) : name).split("/");
  for (const rule of NAME_RULES) {
    if (rule.test(name, directory ? segments.concat([""]) : segments)) {
      return { ok: false, id: rule.id, message: rule.id === "empty" ? rule.message : "the entry " + JSON.stringify(name) + " " + rule.message };
    }
  }
  return { ok: true, path: name, directory };
}

/** Entries that operating systems add and that are no part of a package. */
export const IGNORED_PREFIXES = ["__MACOSX/"];
export const IGNORED_NAMES = [".DS_Store", "Thumbs.db", "desktop.ini"];

function ignored(path) {
  if (IGNORED_PREFIXES.some((p) => path.startsWith(p))) return true;
  const base = path.slice(path.lastIndexOf("/") + 1);
  return IGNORED_NAMES.includes(base);
}

/**
 * The package root: "" when imsmanifest.xml is at the top, else the folder
 * that wraps everything (any depth: `a/b/` when every entry is under `a/b/`
 * and `a/b/imsmanifest.xml` exists). `null` when there is none.
 */
export function findRoot(paths) {
  const files = paths.filter((p) => !p.endsWith("/"));
  if (files.includes("imsmanifest.xml")) return "";
  if (files.length === 0) return null;
  // The longest folder prefix shared by every file.
  let prefix = files[0].slice(0, files[0].lastIndexOf("/") + 1);
  for (const f of files) {
    while (prefix && !f.startsWith(prefix)) {
      prefix = prefix.slice(0, prefix.lastIndexOf("/", prefix.length - 2) + 1);
    }
    if (!prefix) break;
  }
  // The manifest may sit at any level of the shared prefix (a/imsmanifest.xml
  // with everything under a/b/ is not possible: then the prefix is a/).
  while (prefix) {
    if (files.includes(prefix + "imsmanifest.xml")) return prefix;
    prefix = prefix.slice(0, prefix.lastIndexOf("/", prefix.length - 2) + 1);
  }
  return null;
}

/**
 * Check a whole archive from its central directory. `entries`:
 * `[{name, size, compressedSize, offset?, nameBytes?, directory?}]` (sizes
 * as declared; `offset` the local header's, `nameBytes` the stored name's
 * length). Answers `{ok: true, root, files: [{path, name, size,
 * compressedSize}], ignored: [name], totalBytes}` or `{ok: false, id,
 * message}` with the first rule broken.
 */
export function checkArchive(entries, overrides) {
  if (entries.length > limit("entries", overrides)) {
    return { ok: false, id: "entries", message: "the zip has " + entries.length.toLocaleString("en") + " entries; at most " + limit("entries", overrides).toLocaleString("en") + " are accepted" };
  }
  const files = [], skipped = [], seen = new Set();
  let total = 0;
  for (const e of entries) {
    const c = checkEntryName(e.name, overrides);
    if (!c.ok) return c;
    if (c.directory || e.directory) continue;
    if (ignored(c.path)) { skipped.push(c.path); continue; }
    if (seen.has(c.path)) return { ok: false, id: "duplicate", message: "two entries are named " + JSON.stringify(c.path) + "; which one is the package's is ambiguous" };
    seen.add(c.path);
    const size = Number(e.size), packed = Number(e.compressedSize);
    if (!(size >= 0) || !(packed >= 0)) return { ok: false, id: "size", message: "the entry " + JSON.stringify(c.path) + " has no valid size" };
    if (size > limit("ratioFloor", overrides) && size > limit("ratio", overrides) * Math.max(packed, 1)) {
      return { ok: false, id: "ratio", message: "the entry " + JSON.stringify(c.path) + " inflates " + formatBytes(packed) + " into " + formatBytes(size) + " (" + Math.round(size / Math.max(packed, 1)).toLocaleString("en") + ":1); more than " + limit("ratio", overrides) + ":1 is refused as a zip bomb" };
    }
    total += size;
    files.push({ path: c.path, name: e.name, size, compressedSize: packed, offset: e.offset, nameBytes: e.nameBytes });
  }
  if (total > limit("totalBytes", overrides)) {
    return { ok: false, id: "totalBytes", message: "the zip inflates to " + formatBytes(total) + "; at most " + formatBytes(limit("totalBytes", overrides)) + " is accepted" };
  }
  const overlap = findOverlap(files);
  if (overlap) return overlap;
  const root = findRoot(files.map((f) => f.path));
  if (root === null) {
    const nested = files.find((f) => f.path.endsWith("/imsmanifest.xml"));
    return nested
      ? { ok: false, id: "noManifest", message: "the zip has no imsmanifest.xml at its root (there is one at " + JSON.stringify(nested.path) + ", but other files lie outside its folder)" }
      : { ok: false, id: "noManifest", message: "the zip has no imsmanifest.xml: it is not a content package" };
  }
  const manifest = files.find((f) => f.path === root + "imsmanifest.xml");
  if (manifest.size > limit("manifestBytes", overrides)) {
    return { ok: false, id: "manifestBytes", message: "imsmanifest.xml inflates to " + formatBytes(manifest.size) + "; at most " + formatBytes(limit("manifestBytes", overrides)) + " is read" };
  }
  const inRoot = files.map((f) => ({ ...f, path: f.path.slice(root.length) }));
  return { ok: true, root, files: inRoot, ignored: skipped, totalBytes: total };
}

/**
 * Entries whose stored data overlap (the "overlapping files" zip bomb,
 * where many entries point at one deflate stream). Uses the local header
 * offset and the smallest possible local header (30 bytes and the name),
 * so it never refuses a well-formed zip. Entries without `offset` are
 * skipped (a folder picked from disk has none).
 */
export function findOverlap(files) {
  const placed = files.filter((f) => typeof f.offset === "number").slice().sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < placed.length; i++) {
    const prev = placed[i - 1];
    const end = prev.offset + 30 + (prev.nameBytes || 0) + prev.compressedSize;
    if (placed[i].offset < end) {
      return { ok: false, id: "overlap", message: "the entries " + JSON.stringify(prev.path) + " and " + JSON.stringify(placed[i].path) + " share stored data (overlapping entries are a zip bomb technique)" };
    }
  }
  return null;
}

/** Content-Type by lower-case extension, sorted by extension (a test keeps it so). */
export const CONTENT_TYPES = [
  ["aac", "audio/aac"],
  ["avif", "image/avif"],
  ["bmp", "image/bmp"],
  ["cjs", "text/javascript; charset=utf-8"],
  ["css", "text/css; charset=utf-8"],
  ["csv", "text/csv; charset=utf-8"],
  ["dtd", "application/xml-dtd"],
  ["eot", "application/vnd.ms-fontobject"],
  ["flac", "audio/flac"],
  ["gif", "image/gif"],
  ["htm", "text/html; charset=utf-8"],
  ["html", "text/html; charset=utf-8"],
  ["ico", "image/x-icon"],
  ["jpeg", "image/jpeg"],
  ["jpg", "image/jpeg"],
  ["js", "text/javascript; charset=utf-8"],
  ["json", "application/json"],
  ["m4a", "audio/mp4"],
  ["m4v", "video/mp4"],
  ["map", "application/json"],
  ["md", "text/markdown; charset=utf-8"],
  ["mjs", "text/javascript; charset=utf-8"],
  ["mov", "video/quicktime"],
  ["mp3", "audio/mpeg"],
  ["mp4", "video/mp4"],
  ["oga", "audio/ogg"],
  ["ogg", "audio/ogg"],
  ["ogv", "video/ogg"],
  ["opus", "audio/ogg"],
  ["otf", "font/otf"],
  ["pdf", "application/pdf"],
  ["png", "image/png"],
  ["srt", "text/plain; charset=utf-8"],
  ["svg", "image/svg+xml"],
  ["swf", "application/x-shockwave-flash"],
  ["ttf", "font/ttf"],
  ["txt", "text/plain; charset=utf-8"],
  ["vtt", "text/vtt; charset=utf-8"],
  ["wasm", "application/wasm"],
  ["wav", "audio/wav"],
  ["weba", "audio/webm"],
  ["webm", "video/webm"],
  ["webmanifest", "application/manifest+json"],
  ["webp", "image/webp"],
  ["woff", "font/woff"],
  ["woff2", "font/woff2"],
  ["xhtml", "application/xhtml+xml; charset=utf-8"],
  ["xml", "application/xml"],
  ["xsd", "application/xml"],
  ["xsl", "application/xml"],
  ["zip", "application/zip"],
];

/** The Content-Type of `path` (by extension; application/octet-stream for unknown). */
export function contentType(path) {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  if (dot < 0) return "application/octet-stream";
  const ext = base.slice(dot + 1).toLowerCase();
  let lo = 0, hi = CONTENT_TYPES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = CONTENT_TYPES[mid][0];
    if (e === ext) return CONTENT_TYPES[mid][1];
    if (e < ext) lo = mid + 1; else hi = mid - 1;
  }
  return "application/octet-stream";
}

/**
 * An HTTP `Range` header (RFC 9110 §14) against a body of `size` bytes:
 * `null` when there is none or it is not one we serve partially (several
 * ranges, other units, malformed: then the whole body is the answer, as the
 * RFC allows), `{start, end}` (inclusive) for one satisfiable range,
 * `{unsatisfiable: true}` for a range past the end (answer 416).
 */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    // suffix: the last N bytes
    const n = Number(m[2]);
    if (n === 0) return { unsatisfiable: true };
    return size === 0 ? { unsatisfiable: true } : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  let end = m[2] === "" ? size - 1 : Number(m[2]);
  if (m[2] !== "" && end < start) return null;
  if (start >= size) return { unsatisfiable: true };
  if (end >= size) end = size - 1;
  return { start, end };
}

/**
 * The package path a request asks for, from the URL path after the
 * package's prefix (still percent-encoded). Answers `{path}` (decoded; a
 * directory gets its index.html) or `{error}` for a path that cannot be in
 * a package. The URL parser has already removed `.`/`..` segments.
 */
export function requestPath(rest) {
  let decoded;
  try {
    decoded = rest.split("/").map(decodeURIComponent);
  } catch {
    return { error: "bad percent-encoding" };
  }
  if (decoded.some((s) => s.includes("/") || s.includes("\\") || s === ".." || s.includes("\u0000"))) {
    return { error: "the path leaves the package" };
  }
  let path = decoded.join("/");
  if (path === "" || path.endsWith("/")) path += "index.html";
  return { path };
}
