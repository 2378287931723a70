// The demo player: gets a launch token, loads scorm-shim.js configured with
// it, launches the sample SCO in the frame and shows every call the SCO
// makes to the API objects.
(function () {
  var frame = document.getElementById("content");
  var calls = document.getElementById("calls");
  var message = document.getElementById("message");
  var COURSE = "courses/sample/index.html";
  // The call log keeps the last MAX_CALLS entries.
  var MAX_CALLS = 500;
  // One registration holds one SCORM version's data: a 1.2 run gets its own.
  var query = new URLSearchParams(location.search);
  var versions = query.get("versions") === "1.2" ? "1.2" : "1.2,2004";
  // ?endedAttempt=review: an ended attempt is shown for review instead of starting anew.
  var endedAttempt = query.get("endedAttempt") === "review" ? "review" : "new";
  var ids = {
    learnerId: "demo-learner",
    learnerName: "Doe, Jane",
    courseId: "sample",
    registrationId: versions === "1.2" ? "demo-registration-12" : "demo-registration",
    scoId: "sample-sco",
  };

  function showError(text) {
    message.textContent = text;
    message.hidden = false;
  }

  // What an LMS does at launch: a token for this learner, registration and
  // course. The demo asks the backend's development endpoint.
  function fetchToken() {
    return fetch("/api/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ learner: ids.learnerId, registration: ids.registrationId, course: ids.courseId }),
    }).then(function (res) {
      if (!res.ok) throw new Error("the backend gave no launch token (HTTP " + res.status + "); start it with --dev-tokens (scripts/demo.sh does)");
      return res.json();
    }).then(function (v) { return v.token; });
  }

  // The script tag an LMS page would have written, with the token in it.
  function loadShim(token) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "../pkg/scorm-shim.js";
      s.dataset.learnerId = ids.learnerId;
      s.dataset.learnerName = ids.learnerName;
      s.dataset.courseId = ids.courseId;
      s.dataset.registrationId = ids.registrationId;
      s.dataset.scoId = ids.scoId;
      s.dataset.versions = versions;
      s.dataset.endedAttempt = endedAttempt;
      s.dataset.endpoint = "/api";
      s.dataset.headers = "Authorization: Bearer " + token;
      s.dataset.logLevel = "info";
      s.onload = function () { resolve(window.ScormShim.ready); };
      s.onerror = function () { reject(new Error("scorm-shim.js could not be loaded")); };
      document.head.appendChild(s);
    });
  }

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

  document.getElementById("version").value = versions;
  document.getElementById("version").onchange = function (ev) {
    // Another registration needs another token: a new page load.
    location.search = ev.target.value === "1.2" ? "?versions=1.2" : "";
  };

  fetchToken().then(loadShim).then(function (shim) {
    document.getElementById("shim-info").textContent =
      "v" + shim.version + " · wasm compiled " + shim.mode + " · learner " + shim.config().learnerId;
    shim.onCall(function (e) {
      var li = document.createElement("li");
      li.textContent = e.method + "(" + e.args.map(function (a) { return JSON.stringify(a); }).join(", ") + ") → " +
        JSON.stringify(e.result) + (e.error !== "0" ? "  [error " + e.error + "]" : "");
      if (e.error !== "0") li.className = "err";
      calls.appendChild(li);
      while (calls.childElementCount > MAX_CALLS) calls.removeChild(calls.firstElementChild);
      li.scrollIntoView({ block: "nearest" });
    });
    shim.onEvent(function (e) {
      if (e.type === "authRequired") {
        // The launch token expired or was refused: an LMS issues a new one;
        // sending goes on with it, nothing queued is lost.
        fetchToken().then(function (token) {
          shim.setCredentials({ headers: { Authorization: "Bearer " + token } });
        }).catch(function (err) {
          showError("The backend refused the launch token (" + e.status + ") and no new one could be had: " +
            err.message + ". The tracking data stays stored in this browser.");
        });
      } else if (e.type === "failedPermanently") {
        showError("The backend refused tracking data (" + e.status + "): it stays stored in this browser.");
      }
    });
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
    document.getElementById("relaunch").disabled = false;
    document.getElementById("clear").disabled = false;
    launch();
  }).catch(function (e) {
    showError("The player could not start: " + (e && e.message ? e.message : e));
  });
})();
