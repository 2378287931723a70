// Where the bytes of a WebAssembly module are: the size of every function
// body and data segment, by the names in the module's name section, summed
// by area (our modules, the standard library, wasm-bindgen, the allocator).
// No dependency: reads the binary format itself.
//
//   node bench/size.mjs MODULE.wasm [--top N] [--md]
//
// MODULE.wasm must keep its names: `scripts/build.sh --names` writes
// target/pkg-build/rte-web/named.wasm (the run-time module after the same
// wasm-opt passes, with the name section). --md prints Markdown tables.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a));
const TOP = Number(args.includes("--top") ? args[args.indexOf("--top") + 1] : 40);
const MD = args.includes("--md");
if (!file) {
  console.error("usage: node bench/size.mjs MODULE.wasm [--top N] [--md]");
  process.exit(2);
}
const buf = readFileSync(file);

let pos = 8;
function u32() {
  let r = 0, shift = 0, b;
  do { b = buf[pos++]; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
  return r >>> 0;
}
function name() { const n = u32(); const s = buf.toString("utf8", pos, pos + n); pos += n; return s; }

let importedFuncs = 0;
const bodies = []; // [size, start, end]
const segments = []; // [size, start, end]
const funcNames = new Map(), dataNames = new Map();
while (pos < buf.length) {
  const id = buf[pos++];
  const len = u32();
  const end = pos + len;
  if (id === 2) {
    // imports: count the functions (they come first in the function index space)
    for (let n = u32(), i = 0; i < n; i++) {
      name(); name();
      const kind = buf[pos++];
      if (kind === 0) { u32(); importedFuncs++; }
      else if (kind === 1) { pos++; const f = u32(); u32(); if (f & 1) u32(); }
      else if (kind === 2) { const f = u32(); u32(); if (f & 1) u32(); }
      else if (kind === 3) { pos += 2; }
      else if (kind === 4) { pos++; u32(); }
    }
  } else if (id === 10) {
    for (let n = u32(), i = 0; i < n; i++) { const s = pos; const size = u32(); pos += size; bodies.push([pos - s, s, pos]); }
  } else if (id === 11) {
    for (let n = u32(), i = 0; i < n; i++) {
      const s = pos;
      const flags = u32();
      if (flags === 2) u32();
      if (flags !== 1) { while (buf[pos] !== 0x0b) pos++; pos++; }
      const size = u32();
      pos += size;
      segments.push([pos - s, s, pos]);
    }
  } else if (id === 0) {
    const n = name();
    if (n === "name") {
      while (pos < end) {
        const sub = buf[pos++];
        const sublen = u32();
        const subend = pos + sublen;
        if (sub === 1 || sub === 9) {
          const map = sub === 1 ? funcNames : dataNames;
          for (let k = u32(), i = 0; i < k; i++) { const idx = u32(); map.set(idx, name()); }
        }
        pos = subend;
      }
    }
  }
  pos = end;
}

/** The area an item belongs to, from its (demangled) name. */
function area(n) {
  const s = n.replace(/\[[0-9a-f]+\]/g, "");
  let m = s.match(/scorm_shim::(engine|web)::(\w+)(::(\w+))?/);
  if (m) {
    if (m[1] === "web" && !m[4]) return "web::" + m[2];
    return m[1] + "::" + m[2];
  }
  if (/^shim_|^__wbg_|wasm_bindgen|__externref|__wbindgen/.test(s)) return /^shim_/.test(s) ? "web (exports)" : "wasm-bindgen";
  if (/talc/.test(s)) return "allocator (talc)";
  if (/btree/.test(s)) return "std: BTreeMap";
  if (/core::fmt|::fmt\b|_fmt|Formatter|pad_integral/.test(s)) return "std: fmt";
  if (/^<?(core|alloc|std|compiler_builtins)|^<str>|^<\[|^<char>|^<u\d+>|^<i\d+>|^<usize>/.test(s)) return "std: other";
  return "other";
}

const items = [];
bodies.forEach(([size], i) => {
  const n = funcNames.get(i + importedFuncs) || `code[${i}]`;
  items.push({ kind: "code", name: n, size, area: area(n) });
});
segments.forEach(([size], i) => items.push({ kind: "data", name: dataNames.get(i) || `data[${i}]`, size, area: "static data" }));

const total = buf.length;
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const byArea = new Map();
for (const it of items) byArea.set(it.area, (byArea.get(it.area) || 0) + it.size);
// Each area's bytes compressed on their own: how much of the gzipped module it is, roughly.
const gzArea = new Map();
for (const a of byArea.keys()) {
  const parts = [];
  items.forEach((it, i) => {
    if (it.area !== a) return;
    const [, s, e] = it.kind === "code" ? bodies[i] : segments[i - bodies.length];
    parts.push(buf.subarray(s, e));
  });
  gzArea.set(a, gzipSync(Buffer.concat(parts), { level: 9 }).length);
}

const fmt = (n) => n.toLocaleString("en-US");
const pct = (n) => ((100 * n) / total).toFixed(1) + "%";
const rows = (head, list) => {
  if (MD) {
    console.log(`| ${head.join(" | ")} |`);
    console.log(`|${head.map((h, i) => (i ? "---:" : "---")).join("|")}|`);
    for (const r of list) console.log(`| ${r.join(" | ")} |`);
  } else {
    for (const r of [head, ...list]) console.log(r.map((c, i) => (i ? String(c).padStart(10) : String(c).padEnd(48))).join(" "));
  }
  console.log();
};
console.log(`${file}: ${fmt(total)} bytes (gzip -9: ${fmt(gzipSync(buf, { level: 9 }).length)}); ` +
  `${bodies.length} functions, ${segments.length} data segments; names ${funcNames.size ? "present" : "ABSENT (build with --names)"}\n`);
const areas = [...byArea.entries()].sort((a, b) => b[1] - a[1]);
rows(["area", "bytes", "share", "gzip alone"], areas.map(([a, b]) => [a, fmt(b), pct(b), fmt(gzArea.get(a))]));
const other = total - sum([...byArea.values()]);
console.log(`(the remaining ${fmt(other)} bytes: section headers, types, imports, exports, tables, names)\n`);
const top = [...items].sort((a, b) => b.size - a.size).slice(0, TOP);
rows(["largest items", "bytes", "share"], top.map((it) => [it.name.replace(/\[[0-9a-f]+\]/g, "").slice(0, 110), fmt(it.size), pct(it.size)]));
