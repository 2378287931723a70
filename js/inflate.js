// The module inlined in a classic script, restored: its text
// (`SCORM_SHIM_WASM`, base64 of raw DEFLATE) goes into the decoder module
// (`SCORM_SHIM_INFLATER`, base64 of inflate/'s few KB of WebAssembly, built by
// scripts/build.sh), which decodes it at compiled speed (a decoder in
// JavaScript ran mostly unoptimised, once per page load: about 20 ms of the
// script's start-up). Resolves to the module's bytes (a view into the
// decoder's memory).

function scormShimInflaterBytes() {
  var code = atob(SCORM_SHIM_INFLATER), bytes = new Uint8Array(code.length);
  for (var i = 0; i < code.length; i++) bytes[i] = code.charCodeAt(i);
  return bytes;
}

/** Decode `text` (`size` bytes once inflated) with the decoder's exports `e`. */
function scormShimDecodeWith(e, text, size) {
  var at = e.prepare(text.length, size);
  if (!at) throw new Error("scorm-shim: no memory to restore the module");
  new TextEncoder().encodeInto(text, new Uint8Array(e.memory.buffer, at, text.length));
  var n = e.run();
  if (n !== size) throw new Error(n === -2 ? "scorm-shim: truncated module data" : "scorm-shim: corrupt module data");
  return new Uint8Array(e.memory.buffer, e.output(), size);
}

/** Synchronously; throws where the browser refuses to compile a module on the main thread. */
function scormShimInflate(text, size) {
  return scormShimDecodeWith(new WebAssembly.Instance(new WebAssembly.Module(scormShimInflaterBytes()), {}).exports, text, size);
}

/** The same, compiling the decoder asynchronously (a promise of the bytes). */
function scormShimInflateAsync(text, size) {
  return WebAssembly.instantiate(scormShimInflaterBytes(), {}).then(function (r) {
    return scormShimDecodeWith(r.instance.exports, text, size);
  });
}

/**
 * The module, compiled synchronously where the browser allows it (a
 * WebAssembly.Module), else a promise of it: some browsers refuse
 * synchronous compilation on the main thread past a size (a RangeError, for
 * the decoder or the module), and then both are compiled asynchronously.
 * Throws when the text cannot be decoded or the module cannot be compiled.
 */
function scormShimModule(text, size) {
  var bytes = null;
  try {
    bytes = scormShimInflate(text, size);
    return new WebAssembly.Module(bytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return (bytes ? Promise.resolve(bytes) : scormShimInflateAsync(text, size))
    .then(function (b) { return WebAssembly.compile(b); });
}
