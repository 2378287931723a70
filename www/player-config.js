// The demo's own choice, made before scorm-shim.js reads its configuration:
// which SCORM version the page exposes, and the registration that holds
// that version's data (one registration holds one data model). Switching
// reloads the page: the configuration is frozen once content ran.
(function () {
  var v = new URLSearchParams(location.search).get("version");
  window.scormShimConfig = v === "1.2"
    ? { versions: "1.2", registrationId: "demo-registration-12" }
    : { versions: "1.2,2004", registrationId: "demo-registration" };
})();
