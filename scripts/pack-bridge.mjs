// Assemble pkg/bridge/scorm-shim-bridge.js, the script of the content-origin
// bridge page (www/bridge.html, issue 17): the wasm-bindgen glue of the
// run-time module built with the cargo feature `bridge`, the installer, the
// durable copy and the bridge's boot (js/bridge-guest.js), minified, with the
// module deflated and base64-encoded inline as in pkg/scorm-shim.js
// (scripts/pack-classic.mjs). Nothing leaks to the global scope but API and
// API_1484_11.
// Usage: node scripts/pack-bridge.mjs <glue.js> <module.wasm> <version> <out.js>
import { readFileSync, writeFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { minify } from "terser";

const [glue, wasmPath, version, outPath] = process.argv.slice(2);
const js = (p) => readFileSync(new URL("../js/" + p, import.meta.url), "utf8");
const wasm = readFileSync(wasmPath);
const packed = deflateRawSync(wasm, { level: 9, memLevel: 9 });

const body = [
  "var SCORM_SHIM_VERSION = " + JSON.stringify(version) + ";",
  "var SCORM_SHIM_WASM_SIZE = " + wasm.length + ";",
  "var SCORM_SHIM_WASM = \"@WASM@\";",
  // A fresh copy of the glue per call: a new instance after a fault.
  "function scormShimGlue() {\n" + readFileSync(glue, "utf8") + "\nreturn wasm_bindgen;\n}",
  "var wasm_bindgen = scormShimGlue();",
  js("inflate.js"),
  js("lazy.js"),
  js("durable.js"),
  js("install.js"),
  js("transport.js"),
  js("bridge-guest.js"),
].join("\n");
const source = "(function () {\n\"use strict\";\n" + body + "\n})();\n";
const min = await minify(source, {
  ecma: 2017,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false, ascii_only: true, preamble: "/*! scorm-shim " + version + " bridge | MIT OR Apache-2.0 */" },
});
if (!min.code.includes("@WASM@")) throw new Error("minifier dropped the module placeholder");
writeFileSync(outPath, min.code.replace("@WASM@", packed.toString("base64")));
