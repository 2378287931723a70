// Boot of the classic script. Runs inside the IIFE the build wraps around the
// wasm-bindgen glue (`wasm_bindgen`), this installer and `SCORM_SHIM_WASM`
// (the module, base64). Compiles synchronously where the browser allows it, so
// the API objects exist before the next script runs; otherwise compiles
// asynchronously and resolves `ScormShim.ready` when they exist.
var scormShimScript = typeof document !== "undefined" ? document.currentScript : null;

function scormShimPageConfig() {
  var config = {};
  var pre = typeof window !== "undefined" ? window.scormShimConfig : null;
  if (pre && typeof pre === "object") for (var k in pre) config[k] = pre[k];
  if (scormShimScript && scormShimScript.dataset) {
    var ds = scormShimScript.dataset;
    for (var key in ds) config[key] = ds[key];
  }
  return config;
}

function scormShimBytes(b64) {
  var bin = atob(b64);
  var bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return scormShimInflate(bytes, SCORM_SHIM_WASM_SIZE);
}

(function boot(global) {
  var resolveReady, rejectReady;
  var pending = [];
  var handle = null;
  var api = {
    version: SCORM_SHIM_VERSION,
    /** Resolves with this object once both API objects exist. */
    ready: new Promise(function (res, rej) { resolveReady = res; rejectReady = rej; }),
    /** True once the API objects exist (immediately, on the synchronous path). */
    isReady: false,
    /** How the module was compiled: "sync" or "async". */
    mode: null,
    configure: function (obj) {
      if (handle) return handle.configure(obj);
      pending.push(obj);
      return [];
    },
    config: function () { return handle ? handle.config() : null; },
    relaunch: function () { if (handle) handle.relaunch(); },
    onCall: function (listener) { return later("onCall", listener); },
    onEvent: function (listener) { return later("onEvent", listener); },
    queueStatus: function () { return handle ? handle.queueStatus() : null; },
    failedBatches: function () { return handle ? handle.failedBatches() : []; },
    retryFailed: function (id) { return handle ? handle.retryFailed(id) : false; },
    discardFailed: function (id) { return handle ? handle.discardFailed(id) : false; },
  };

  // Subscribe now, or as soon as the API objects exist.
  function later(method, listener) {
    if (handle) return handle[method](listener);
    var off = null, cancelled = false;
    api.ready.then(function () { if (!cancelled) off = handle[method](listener); });
    return function () { cancelled = true; if (off) off(); };
  }
  global.ScormShim = api;

  function finish(mode) {
    // The course engine is found beside this script, wherever it was copied to.
    var base = scormShimScript && scormShimScript.src || document.baseURI;
    handle = scormShimInstall(wasm_bindgen.Shim, global, scormShimPageConfig(), scormShimCourseLoader(base));
    for (var i = 0; i < pending.length; i++) handle.configure(pending[i]);
    pending = [];
    api.api12 = handle.api12;
    api.api2004 = handle.api2004;
    api.course = handle.course;
    api.mode = mode;
    api.isReady = true;
    // With an endpoint, `ready` waits for the backend's state (resume).
    handle.start().then(function () { resolveReady(api); });
  }

  var bytes;
  try {
    bytes = scormShimBytes(SCORM_SHIM_WASM);
  } catch (e) {
    console.error("scorm-shim: could not start", e);
    rejectReady(e);
    return;
  }
  var module = null;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (e) {
    // Some browsers refuse synchronous compilation of larger modules on the main thread.
    module = null;
  }
  if (module) {
    try {
      wasm_bindgen.initSync({ module: module });
      finish("sync");
    } catch (e) {
      console.error("scorm-shim: could not start", e);
      rejectReady(e);
    }
  } else {
    WebAssembly.compile(bytes)
      .then(function (m) { return wasm_bindgen({ module_or_path: m }); })
      .then(function () { finish("async"); })
      .catch(function (e) {
        console.error("scorm-shim: could not start", e);
        rejectReady(e);
      });
  }
})(typeof window !== "undefined" ? window : globalThis);
