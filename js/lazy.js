// The course engine, loaded when a page first opens a package.
//
// The drop-in script (pkg/scorm-shim.js, and the ES module pkg/index.js)
// carries the run-time module only: both API objects, validation, local
// storage and the commit queue (cargo feature `course` off). The manifest
// parser and the sequencer are in the course engine, pkg/course/: the same
// crate built with the feature, with its own wasm-bindgen glue (an ES module,
// loaded with import() from the classic script too). The first
// `course.open()` fetches it beside the manifest; the glue compiles the
// module with WebAssembly.instantiateStreaming, so the download is compiled
// while it arrives and the browser's code cache serves repeat visits. Then
// the course engine's shim takes over from the run-time's
// (Shim.handOver/takeOver, src/web/handover.rs) behind the same API objects.

/**
 * A function that loads the course engine once and resolves with its `Shim`
 * class and the `renew` of its glue (a new instance after a fault): `{Shim, renew}`. `base`: the URL pkg/course/ is relative to, the classic script's own
 * `src` or the ES entry's `import.meta.url`, so a copy of pkg/ on a CDN path
 * finds its files.
 */
function scormShimCourseLoader(base) {
  var loading = null;
  return function () {
    if (!loading) {
      var glue = new URL("course/scorm_shim.js", base).href;
      var wasm = new URL("course/scorm_shim_bg.wasm", base);
      loading = import(glue)
        .then(function (m) {
          return m.default({ module_or_path: wasm }).then(function () {
            return { Shim: m.Shim, renew: m.__scormShimRenew, bridgeHost: m.__scormShimBridgeHost };
          });
        })
        .catch(function (e) {
          loading = null; // the next open() tries again
          throw new Error("scorm-shim: the course engine could not be loaded from " + glue + ": " + (e && e.message || e));
        });
    }
    return loading;
  };
}

/**
 * Until the course engine is loaded, the run-time's shim answers the course
 * methods the way the engine does while no package is open.
 */
function scormShimNoCourseYet(shim) {
  shim.acceptsRequest = function () { return { type: "error", id: "NB.2.1-2", message: "No course is open" }; };
  shim.navState = shim.courseTree = shim.courseState = shim.courseResult = shim.takeDelivery = function () { return null; };
}
