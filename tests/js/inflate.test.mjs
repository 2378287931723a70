// The classic script's decoder of its inlined module (js/inflate.js with the
// WebAssembly decoder of inflate/, as scripts/build.sh builds it into
// target/pkg-build/inflate.wasm) against Node's zlib, on the kinds of input
// the build produces and on inputs that exercise every block type.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { deflateRawSync, constants } from "node:zlib";
import vm from "node:vm";
import zopfli from "@gfx/zopfli";

const INFLATER = new URL("../../target/pkg-build/inflate.wasm", import.meta.url);
if (!existsSync(INFLATER)) throw new Error("target/pkg-build/inflate.wasm is missing: run scripts/build.sh first");
const src = readFileSync(new URL("../../js/inflate.js", import.meta.url), "utf8");
const ctx = { SCORM_SHIM_INFLATER: readFileSync(INFLATER).toString("base64"), atob, TextEncoder, WebAssembly, Uint8Array };
vm.runInNewContext(src + "\nthis.decode = scormShimInflate;", ctx);
/** What the classic script does: the deflated bytes travel as base64 text. */
const inflate = (packed, size) => Buffer.from(ctx.decode(Buffer.from(packed).toString("base64"), size));

function roundTrip(data, opts = {}) {
  const packed = deflateRawSync(data, { level: 9, ...opts });
  const got = inflate(new Uint8Array(packed), data.length);
  assert.equal(got.length, data.length);
  assert.ok(Buffer.from(got).equals(Buffer.from(data)), "inflated bytes differ");
}

function prng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test("empty input", () => roundTrip(new Uint8Array(0)));

test("stored blocks (level 0)", () => {
  const r = prng(1);
  roundTrip(Uint8Array.from({ length: 200000 }, () => (r() * 256) | 0), { level: 0 });
});

test("fixed Huffman blocks", () => roundTrip(Buffer.from("abcabcabcabc hello hello hello"), { strategy: constants.Z_FIXED }));

test("dynamic Huffman blocks with long matches and distances", () => {
  const r = prng(7);
  const words = ["cmi.", "interactions", ".id", "scorm", "\u0000\u0001", "SetValue", "42"];
  const parts = [];
  for (let i = 0; i < 50000; i++) parts.push(words[(r() * words.length) | 0]);
  roundTrip(Buffer.from(parts.join("")));
});

test("random bytes of many lengths", () => {
  const r = prng(99);
  for (let n = 1; n < 3000; n += 97) {
    const skew = Uint8Array.from({ length: n }, () => (r() < 0.7 ? 65 + ((r() * 4) | 0) : (r() * 256) | 0));
    roundTrip(skew);
  }
});

test("the built wasm module, when pkg/ exists", { skip: !existsSync(new URL("../../pkg/scorm_shim_bg.wasm", import.meta.url)) }, () => {
  roundTrip(readFileSync(new URL("../../pkg/scorm_shim_bg.wasm", import.meta.url)));
});

// scripts/pack.mjs deflates the module with Zopfli, whose encoder
// chooses block splits and Huffman codes differently from zlib's.
test("the built wasm module deflated by Zopfli, as the classic script carries it", { skip: !existsSync(new URL("../../pkg/scorm_shim_bg.wasm", import.meta.url)) }, async () => {
  const data = readFileSync(new URL("../../pkg/scorm_shim_bg.wasm", import.meta.url));
  const packed = await zopfli.deflateAsync(data, { numiterations: 15 });
  const got = inflate(new Uint8Array(packed), data.length);
  assert.ok(Buffer.from(got).equals(data), "inflated bytes differ");
});

test("Zopfli streams of structured and random input", async () => {
  const r = prng(5);
  const words = ["cmi.", "interactions", ".id", "\u0000", "SetValue", "7"];
  const text = Buffer.from(Array.from({ length: 20000 }, () => words[(r() * words.length) | 0]).join(""));
  const noise = Uint8Array.from({ length: 5000 }, () => (r() * 256) | 0);
  for (const data of [text, noise, Buffer.concat([text, noise, text])]) {
    const packed = await zopfli.deflateAsync(data, { numiterations: 5 });
    assert.ok(Buffer.from(inflate(new Uint8Array(packed), data.length)).equals(Buffer.from(data)), "inflated bytes differ");
  }
});

test("corrupt and truncated input throws instead of returning garbage", () => {
  const data = Buffer.from("scorm-shim ".repeat(1000));
  const packed = new Uint8Array(deflateRawSync(data, { level: 9 }));
  assert.throws(() => inflate(packed.subarray(0, packed.length >> 1), data.length));
  assert.throws(() => inflate(packed, data.length + 5));
  const bad = packed.slice();
  bad[0] = 0xff; // block type 3 is reserved
  assert.throws(() => inflate(bad, data.length));
  assert.throws(() => ctx.decode("not base64 at all!", data.length), /corrupt module data/);
});
