// Assemble a classic script with the WebAssembly module inline:
// pkg/scorm-shim.js (the drop-in) and pkg/bridge/scorm-shim-bridge.js (the
// content-origin bridge, issue 17). The wasm-bindgen glue (no-modules) inside
// a function, then the given js/ files in order, all in one IIFE, minified,
// with the module deflated and base64-encoded inline, and the decoder module
// (inflate/, a few KB of WebAssembly) base64-encoded beside it: js/inflate.js,
// which the file list must include, restores the module synchronously with
// it. Nothing leaks to the global scope but what the files define on it.
// Usage: node scripts/pack.mjs <glue.js> <module.wasm> <version> <out.js> <label> <inflater.wasm> <js/ file>...
// (`label`: "" for the drop-in, "bridge" for the bridge; it goes in the preamble).
import { readFileSync, writeFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import zopfli from "@gfx/zopfli";
import { minify } from "terser";

const [glue, wasmPath, version, outPath, label, inflaterPath, ...files] = process.argv.slice(2);
if (!files.length) throw new Error("usage: node scripts/pack.mjs <glue.js> <module.wasm> <version> <out.js> <label> <inflater.wasm> <js/ file>...");
const js = (p) => readFileSync(new URL("../js/" + p, import.meta.url), "utf8");
const wasm = readFileSync(wasmPath);
// Deflated with Zopfli (@gfx/zopfli, the Zopfli compressor built to wasm: no
// native build step): a standard DEFLATE stream that the decoder (inflate/) reads as
// any other, about 6.5% smaller than zlib's level 9 (81,839 -> 76,367 bytes
// for the run-time module), which the gzipped script keeps: base64 of
// deflated bytes does not compress further. 15 iterations (Zopfli's default);
// 50 gain 30 bytes for twice the time.
const packed = Buffer.from(await zopfli.deflateAsync(wasm, { numiterations: 15 }));
if (Buffer.compare(inflateRawSync(packed), wasm) !== 0) throw new Error("the deflated module does not inflate to the module");
const inflater = readFileSync(inflaterPath);

// The two modules are arguments of the function that holds everything, given
// after minifying: the minifier never sees their text (it would fold
// `SCORM_SHIM_WASM.length` of a placeholder into a constant).
const body = [
  "var SCORM_SHIM_VERSION = " + JSON.stringify(version) + ";",
  "var SCORM_SHIM_WASM_SIZE = " + wasm.length + ";",
  // The glue inside a function: each call makes a fresh copy with its own
  // instance state, for a new instance after a fault (js/install.js).
  "function scormShimGlue() {\n" + readFileSync(glue, "utf8") + "\nreturn wasm_bindgen;\n}",
  "var wasm_bindgen = scormShimGlue();",
  ...files.map(js),
].join("\n");
const source = "function scormShimMain(SCORM_SHIM_WASM, SCORM_SHIM_INFLATER) {\n\"use strict\";\n" + body + "\n}\n";
const min = await minify(source, {
  ecma: 2017,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false, ascii_only: true },
});
if (!/^function scormShimMain\(/.test(min.code)) throw new Error("minifier renamed or dropped scormShimMain");
writeFileSync(outPath, "/*! scorm-shim " + version + (label ? " " + label : "") + " | MIT OR Apache-2.0 */\n(function () {\n" + min.code +
  "\nscormShimMain(\"" + packed.toString("base64") + "\", \"" + inflater.toString("base64") + "\");\n})();\n");
