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
    var select = document.getElementById("version");
    select.value = shim.config().versions === "1.2" ? "1.2" : "1.2,2004";
    select.onchange = function (ev) {
      // The configuration is frozen once a SCO ran: the page reloads with the
      // other version (player-config.js picks it, and its registration).
      var url = new URL(location.href);
      if (ev.target.value === "1.2") url.searchParams.set("version", "1.2"); else url.searchParams.delete("version");
      location.href = url.href;
    };
    document.getElementById("relaunch").onclick = function () { launch(); };
    document.getElementById("clear").onclick = function () {
      // What a logout on a shared device does: this learner's local data goes
      // (here at once, delivered or not), then a fresh page.
      frame.onload = function () {
        frame.onload = null;
        shim.purge({ force: true }).then(function () { location.reload(); });
      };
      frame.src = "about:blank";
    };
    launch();
  });
})();
