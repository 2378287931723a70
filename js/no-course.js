// The `course` object of the run-time-only build (scorm-shim-rte.js, the
// "scorm-shim/rte" module): its WebAssembly module has no content package
// support (cargo feature `course` off), so every method fails with an error
// that names the build to use instead.
function scormShimNoCourse() {
  var message = "scorm-shim: this build has no package support (run-time only); use scorm-shim.js or the \"scorm-shim\" module";
  function fail() { throw new Error(message); }
  function reject() { return Promise.reject(new Error(message)); }
  return { open: reject, navigate: reject, navState: fail, check: fail, result: fail, tree: fail, onDeliver: fail };
}
