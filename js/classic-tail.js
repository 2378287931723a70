// Boot of the classic script. Runs inside the IIFE the build wraps around the
// wasm-bindgen glue (`wasm_bindgen`, and `scormShimGlue()` that makes another
// copy of it for a new instance after a fault), this installer and
// `SCORM_SHIM_WASM` (the module, base64). Compiles synchronously where the
// browser allows it, so the API objects exist before the next script runs;
// otherwise compiles asynchronously and resolves `ScormShim.ready` when
// they exist.
var scormShimScript = typeof document !== "undefined" ? document.currentScript : null;

/** The page's configuration: window.scormShimConfig, then the data- attributes (own keys only). */
function scormShimPageConfig() {
  var config = {};
  var pre = typeof window !== "undefined" ? window.scormShimConfig : null;
  if (pre && typeof pre === "object") {
    Object.keys(pre).forEach(function (k) { config[k] = pre[k]; });
  }
  if (scormShimScript && scormShimScript.dataset) {
    var ds = scormShimScript.dataset;
    Object.keys(ds).forEach(function (k) { config[k] = ds[k]; });
  }
  return config;
}

(function boot(global) {
  var resolveReady, rejectReady;
  var pending = [];
  var handle = null;
  var mode = null;
  var module = null;
  // The page configures before `ready` has resolved (and in its callbacks);
  // from the next task on, content may run (a course frame the page fills
  // when ready), and the shim cannot tell when it does: configure() is
  // refused from then on, so content cannot switch learner, registration or
  // endpoint before its first Initialize either.
  var settled = false;
  function ready() { return handle !== null; }
  // window.ScormShim: frozen, and neither replaceable nor deletable, so
  // content on the page's origin cannot stand in for it (and catch the
  // credentials the page hands to setCredentials).
  var api = {
    version: SCORM_SHIM_VERSION,
    /** Resolves with this object once both API objects exist. */
    ready: new Promise(function (res, rej) { resolveReady = res; rejectReady = rej; }),
    /** True once the API objects exist (immediately, on the synchronous path). */
    get isReady() { return ready(); },
    /** How the module was compiled: "sync" or "async". */
    get mode() { return mode; },
    get api12() { return handle ? handle.api12 : undefined; },
    get api2004() { return handle ? handle.api2004 : undefined; },
    get course() { return handle ? handle.course : undefined; },
    /** Content on another origin, through the bridge page there (js/bridge-host.js). */
    get bridge() { return handle ? handle.bridge : undefined; },
    configure: function (obj) {
      if (settled) {
        var m = "scorm-shim: the configuration is frozen once ScormShim.ready has resolved and its callbacks ran " +
          "(content may run from then on); configure() changed nothing. Only setCredentials() is allowed now.";
        console.error(m);
        throw new Error(m);
      }
      if (handle) return handle.configure(obj);
      pending.push(["configure", obj]);
      return [];
    },
    setCredentials: function (obj) {
      if (handle) return handle.setCredentials(obj);
      pending.push(["setCredentials", obj]);
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
    dataModel: function () { return handle ? handle.dataModel() : null; },
    purge: function (options) {
      return api.ready.then(function () { return handle.purge(options); });
    },
  };
  Object.freeze(api);

  // Subscribe now, or as soon as the API objects exist.
  function later(method, listener) {
    if (handle) return handle[method](listener);
    var off = null, cancelled = false;
    api.ready.then(function () { if (!cancelled) off = handle[method](listener); });
    return function () { cancelled = true; if (off) off(); };
  }
  try {
    Object.defineProperty(global, "ScormShim", { value: api, writable: false, enumerable: true, configurable: false });
  } catch (e) {
    console.error("scorm-shim: window.ScormShim could not be installed: " + e.message);
  }

  /** The Shim class of a new WebAssembly instance (recovery after a fault). */
  function renew() {
    var glue = scormShimGlue();
    glue.initSync({ module: module });
    return glue.Shim;
  }

  function finish(how) {
    // The course engine is found beside this script, wherever it was copied to.
    var base = scormShimScript && scormShimScript.src || document.baseURI;
    var h = scormShimInstall(wasm_bindgen.Shim, global, scormShimPageConfig(), scormShimCourseLoader(base), renew);
    Object.freeze(h.course);
    for (var i = 0; i < pending.length; i++) {
      try { h[pending[i][0]](pending[i][1]); } catch (e) { console.error(e); }
    }
    pending = [];
    mode = how;
    handle = h;
    // With an endpoint, `ready` waits for the backend's state (resume);
    // always for the durable copy of local data.
    h.start().then(function () {
      resolveReady(api);
      setTimeout(function () { settled = true; }, 0);
    });
  }

  // Synchronously where the browser compiles modules on the main thread;
  // else asynchronously (js/inflate.js, scormShimModule).
  var compiled;
  try {
    compiled = scormShimModule(SCORM_SHIM_WASM, SCORM_SHIM_WASM_SIZE);
  } catch (e) {
    console.error("scorm-shim: could not start", e);
    rejectReady(e);
    return;
  }
  if (typeof compiled.then !== "function") {
    module = compiled;
    try {
      wasm_bindgen.initSync({ module: module });
      finish("sync");
    } catch (e) {
      console.error("scorm-shim: could not start", e);
      rejectReady(e);
    }
  } else {
    compiled
      .then(function (m) { module = m; return wasm_bindgen({ module_or_path: m }); })
      .then(function () { finish("async"); })
      .catch(function (e) {
        console.error("scorm-shim: could not start", e);
        rejectReady(e);
      });
  }
})(typeof window !== "undefined" ? window : globalThis);
