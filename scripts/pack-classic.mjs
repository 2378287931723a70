// Assemble pkg/scorm-shim.js, the classic script: the wasm-bindgen glue, the
// course engine's loader, the installer and the boot code, minified, with the
// WebAssembly module deflated and base64-encoded inline (decoded synchronously
// by js/inflate.js).
// Usage: node scripts/pack-classic.mjs <glue.js> <module.wasm> <version> <out.js> [js/ files...]
// (extra js/ files go before the installer).
import { readFileSync, writeFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import zopfli from "@gfx/zopfli";
import { minify } from "terser";

const [glue, wasmPath, version, outPath, ...extra] = process.argv.slice(2);
const js = (p) => readFileSync(new URL("../js/" + p, import.meta.url), "utf8");
const wasm = readFileSync(wasmPath);
// Deflated with Zopfli (@gfx/zopfli, the Zopfli compressor built to wasm: no
// native build step): a standard DEFLATE stream that js/inflate.js reads as
// any other, about 6.5% smaller than zlib's level 9 (81,839 -> 76,367 bytes
// for the run-time module), which the gzipped script keeps: base64 of
// deflated bytes does not compress further. 15 iterations (Zopfli's default);
// 50 gain 30 bytes for twice the time.
const packed = Buffer.from(await zopfli.deflateAsync(wasm, { numiterations: 15 }));
if (Buffer.compare(inflateRawSync(packed), wasm) !== 0) throw new Error("the deflated module does not inflate to the module");

const body = [
  "var SCORM_SHIM_VERSION = " + JSON.stringify(version) + ";",
  "var SCORM_SHIM_WASM_SIZE = " + wasm.length + ";",
  "var SCORM_SHIM_WASM = \"@WASM@\";",
  // The glue inside a function: each call makes a fresh copy with its own
  // instance state, for a new instance after a fault (js/classic-tail.js).
  "function scormShimGlue() {\n" + readFileSync(glue, "utf8") + "\nreturn wasm_bindgen;\n}",
  "var wasm_bindgen = scormShimGlue();",
  js("inflate.js"),
  js("lazy.js"),
  ...extra.map(js),
  js("durable.js"),
  js("install.js"),
  js("transport.js"),
  js("classic-tail.js"),
].join("\n");
const source = "(function () {\n\"use strict\";\n" + body + "\n})();\n";
const min = await minify(source, {
  ecma: 2017,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false, ascii_only: true, preamble: "/*! scorm-shim " + version + " | MIT OR Apache-2.0 */" },
});
if (!min.code.includes("@WASM@")) throw new Error("minifier dropped the module placeholder");
writeFileSync(outPath, min.code.replace("@WASM@", packed.toString("base64")));
