// The demo player: launches the sample SCO in the frame and shows every call
// the SCO makes to the API objects installed by scorm-shim.js.
(function () {
  var frame = document.getElementById("content");
  var calls = document.getElementById("calls");
  var COURSE = "courses/sample/index.html";

  // Unload the current SCO first (it terminates on pagehide), then start a
  // fresh launch: the API instances must not change under a running SCO.
  function launch(before) {
    frame.onload = function () {
      frame.onload = null;
      if (before) before();
      calls.textContent = "";
      ScormShim.relaunch();
      frame.src = COURSE + "?launch=" + Date.now();
    };
    frame.src = "about:blank";
  }

  ScormShim.ready.then(function (shim) {
    document.getElementById("shim-info").textContent =
      "v" + shim.version + " · wasm compiled " + shim.mode + " · learner " + shim.config().learnerId;
    shim.onCall(function (e) {
      var li = document.createElement("li");
      li.textContent = e.method + "(" + e.args.map(function (a) { return JSON.stringify(a); }).join(", ") + ") → " +
        JSON.stringify(e.result) + (e.error !== "0" ? "  [error " + e.error + "]" : "");
      if (e.error !== "0") li.className = "err";
      calls.appendChild(li);
      li.scrollIntoView({ block: "nearest" });
    });
    document.getElementById("version").onchange = function (ev) {
      // One registration holds one SCORM version's data: a 1.2 run gets its own.
      var v = ev.target.value;
      launch(function () { shim.configure({ versions: v, registrationId: v === "1.2" ? "demo-registration-12" : "demo-registration" }); });
    };
    document.getElementById("relaunch").onclick = function () { launch(); };
    document.getElementById("clear").onclick = function () {
      launch(function () {
        var prefix = shim.config().storagePrefix + ":";
        Object.keys(localStorage).forEach(function (k) { if (k.indexOf(prefix) === 0) localStorage.removeItem(k); });
      });
    };
    launch();
  });
})();
