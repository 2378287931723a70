// Which files a package's pages load, found by reading them: used when a
// course is added by the URL of its imsmanifest.xml (the manifest lists the
// files of each resource, but authoring tools often list only the launch
// page). Pure functions, tested in node (tests/js/crawl.test.mjs).
//
// What is found, in the text of each file (no script is run):
// * HTML and SVG: the attributes src, href, data (object), poster,
//   background, data-src, xlink:href, srcset (each candidate), the URL of a
//   <meta http-equiv="refresh">, a <base href> (later references resolve
//   against it); CSS in <style> and style="…"; script in <script>.
// * CSS: url(…) and @import "…".
// * JavaScript: static and dynamic imports (`from "…"`, `import("…")`,
//   `import "…"`), `importScripts("…")`, `new Worker("…")`, and every string
//   literal that names a file by a known extension (`"data/q.json"`,
//   `'media/intro.mp4'`, a template literal without `${}`) — which covers
//   `fetch("…")`, `xhr.open("GET", "…")`, `img.src = "…"`, `new Audio("…")`.
//   A script's literals are tried against the script's own folder and
//   against the folder of the page that loaded it (the browser resolves
//   `fetch` and `src` against the document, `import` against the script).
// * JSON and XML data files: string values that name a file by extension,
//   against the file's folder and the loading page's.
//
// What cannot be found: URLs computed at run time (`"slide" + n + ".png"`,
// template literals with `${}`, names read from data that is itself
// computed), files a plug-in loads (Flash), and anything on another server
// (CDNs: listed as external, not stored; they fail offline). For such
// packages the zip is the way: it holds every file whatever the pages do.

/** Extensions that name a file worth fetching when a string literal ends with one. */
export const FILE_EXTENSIONS = [
  "aac", "avif", "bmp", "css", "csv", "eot", "gif", "glb", "gltf", "htm", "html", "ico", "jpeg", "jpg", "js",
  "json", "m4a", "m4v", "mjs", "mov", "mp3", "mp4", "oga", "ogg", "ogv", "otf", "pdf", "png", "svg", "swf",
  "ttf", "txt", "vtt", "wasm", "wav", "weba", "webm", "webp", "woff", "woff2", "xhtml", "xml",
];

/** How a file is read for references, by extension (sorted). */
export const KINDS = [
  ["css", "css"], ["htm", "html"], ["html", "html"], ["js", "js"], ["json", "data"], ["mjs", "js"],
  ["svg", "html"], ["xhtml", "html"], ["xml", "data"],
];

/** Files larger than this are not read for references. */
export const MAX_SCAN_BYTES = 8 * 1024 * 1024;

function extOf(path) {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

/** "html", "css", "js", "data", or "" for a file that is not read. */
export function kindOf(path) {
  const e = extOf(path);
  const hit = KINDS.find(([x]) => x === e);
  return hit ? hit[1] : "";
}

const EXT_ALT = FILE_EXTENSIONS.join("|");
// A quoted string (no line break, no quote, no `${`) ending in a known extension, with an optional query or fragment.
const FILE_LITERAL = new RegExp("([\"'`])((?:(?!\\1)[^\\r\\n\\\\<>{}])*?\\.(?:" + EXT_ALT + ")(?:[?#](?:(?!\\1)[^\\r\\n\\\\<>{}])*)?)\\1", "gi");
const ATTRIBUTE = /\s(src|href|data|poster|background|data-src|xlink:href|srcset|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
// A start tag up to its first ">" (a ">" inside a quoted value ends it early: rare, and then missed).
const TAG = /<([a-zA-Z][\w:-]*)(\s[^>]*)?>/g;
const STYLE_BLOCK = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;
const SCRIPT_BLOCK = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]+))\s*\)/gi;
const CSS_IMPORT = /@import\s+(?:"([^"]*)"|'([^']*)')/gi;
const JS_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bimportScripts\s*\(\s*|\bnew\s+(?:Shared)?Worker\s*\(\s*)(["'])([^"'\r\n]+)\1/g;

function unescapeHtml(s) {
  return s.replace(/&(amp|quot|apos|#39|lt|gt);/g, (m, e) => ({ amp: "&", quot: '"', apos: "'", "#39": "'", lt: "<", gt: ">" })[e]);
}

function cssRefs(text, out, relativeTo) {
  for (const m of text.matchAll(CSS_URL)) out.push({ ref: m[1] ?? m[2] ?? m[3], relativeTo });
  for (const m of text.matchAll(CSS_IMPORT)) out.push({ ref: m[1] ?? m[2], relativeTo });
}

function literalRefs(text, out, relativeTo) {
  for (const m of text.matchAll(FILE_LITERAL)) {
    if (m[1] === "`" && m[2].includes("${")) continue;
    out.push({ ref: m[2], relativeTo });
  }
}

function jsRefs(text, out) {
  for (const m of text.matchAll(JS_SPECIFIER)) out.push({ ref: m[2], relativeTo: "self" });
  // Literals: the browser resolves fetch/src against the document, import against the script.
  const lits = [];
  literalRefs(text, lits, "self");
  for (const l of lits) out.push(l, { ref: l.ref, relativeTo: "document" });
}

function htmlRefs(text, out) {
  let base = null;
  for (const t of text.matchAll(TAG)) {
    const tag = t[1].toLowerCase();
    const attrs = " " + (t[2] || "");
    let httpEquivRefresh = /http-equiv\s*=\s*["']?refresh/i.test(attrs);
    for (const a of attrs.matchAll(ATTRIBUTE)) {
      const name = a[1].toLowerCase();
      const value = unescapeHtml(a[2] ?? a[3] ?? a[4] ?? "");
      if (name === "content") {
        if (tag === "meta" && httpEquivRefresh) {
          const m = /url\s*=\s*['"]?([^'";]+)/i.exec(value);
          if (m) out.push({ ref: m[1].trim(), relativeTo: "self" });
        }
        continue;
      }
      if (name === "srcset") {
        for (const candidate of value.split(",")) {
          const url = candidate.trim().split(/\s+/)[0];
          if (url) out.push({ ref: url, relativeTo: "self" });
        }
        continue;
      }
      if (tag === "base" && name === "href") { base = value; continue; }
      out.push({ ref: value, relativeTo: "self" });
    }
    const style = /\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attrs);
    if (style) cssRefs(unescapeHtml(style[1] ?? style[2]), out, "self");
    httpEquivRefresh = false;
  }
  for (const m of text.matchAll(STYLE_BLOCK)) cssRefs(m[1], out, "self");
  for (const m of text.matchAll(SCRIPT_BLOCK)) {
    if (/\bsrc\s*=/i.test(m[1])) continue;
    const inline = [];
    jsRefs(m[2], inline);
    // Inline script: its "self" is the page itself.
    for (const r of inline) if (r.relativeTo === "self") out.push(r);
  }
  return base;
}

/**
 * The references in `text`, a file of kind `kind` ("html", "css", "js",
 * "data"): `{refs: [{ref, relativeTo: "self" | "document"}], base}` (`base`:
 * an HTML page's <base href>, or null).
 */
export function findReferences(text, kind) {
  const refs = [];
  let base = null;
  if (kind === "html") base = htmlRefs(text, refs);
  else if (kind === "css") cssRefs(text, refs, "self");
  else if (kind === "js") jsRefs(text, refs);
  else if (kind === "data") {
    const lits = [];
    literalRefs(text, lits, "self");
    for (const l of lits) refs.push(l, { ref: l.ref, relativeTo: "document" });
  }
  return { refs: refs.filter((r) => r.ref && r.ref.trim()), base };
}

const NOT_A_FILE = /^(?:#|data:|blob:|javascript:|mailto:|tel:|about:|sms:|file:)/i;

/**
 * Where `ref`, found in the file whose URL is `fromUrl`, points inside the
 * package at `baseUrl` (the manifest's folder, ending in "/"):
 * `{path}` (package-relative, decoded, query and fragment dropped; a folder
 * is its index.html), `{external: url}` for http(s) URLs outside it, or
 * null for what is not a file (fragments, data:, javascript:, …).
 */
export function resolveReference(ref, fromUrl, baseUrl) {
  const raw = ref.trim();
  if (!raw || NOT_A_FILE.test(raw)) return null;
  let abs;
  try {
    abs = new URL(raw, fromUrl);
  } catch {
    return null;
  }
  if (abs.protocol !== "http:" && abs.protocol !== "https:") return null;
  const base = new URL(baseUrl);
  if (abs.origin !== base.origin || !abs.pathname.startsWith(base.pathname)) {
    return { external: abs.origin + abs.pathname };
  }
  let rest = abs.pathname.slice(base.pathname.length);
  if (rest === "" || rest.endsWith("/")) rest += "index.html";
  let path;
  try {
    path = decodeURIComponent(rest);
  } catch {
    return null;
  }
  return { path };
}
