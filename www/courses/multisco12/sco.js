// A SCORM 1.2 SCO the way 1.2-era authoring tools write one: find window.API
// in the parents or the opener, LMSInitialize, read the launch data, set the
// lesson status, commit, and LMSFinish when the learner leaves.
(function () {
  function findApi(win) {
    for (var i = 0; win && i < 10; i++) {
      if (win.API) return win.API;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findApi(window) || (window.opener && findApi(window.opener));
  var status = document.getElementById("status");
  var finished = false;
  if (!api) { status.textContent = "No LMS found (window.API)."; return; }
  api.LMSInitialize("");
  var module = (api.LMSGetValue("cmi.launch_data").split("=")[1]) || "?";
  document.documentElement.dataset.module = module;
  document.getElementById("title").textContent = "Module " + module;
  var entry = api.LMSGetValue("cmi.core.entry");
  document.getElementById("text").textContent = "Module " + module + (entry === "resume" ? ": welcome back, you left off at page " + api.LMSGetValue("cmi.core.lesson_location") + "." : ": first visit.");
  if (api.LMSGetValue("cmi.core.lesson_status") === "not attempted") api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  api.LMSSetValue("cmi.core.lesson_location", "2");
  api.LMSCommit("");
  document.getElementById("quiz").hidden = module !== "4";

  function finish(exit) {
    if (finished) return;
    finished = true;
    api.LMSSetValue("cmi.core.exit", exit);
    api.LMSSetValue("cmi.core.session_time", "00:01:00");
    api.LMSFinish("");
    document.documentElement.dataset.ended = exit || "normal";
  }
  document.getElementById("complete").onclick = function () {
    api.LMSSetValue("cmi.core.lesson_status", "completed");
    api.LMSCommit("");
    status.textContent = "Module " + module + " is complete.";
    document.documentElement.dataset.reported = "completed";
  };
  document.getElementById("submit").onclick = function () {
    var c = document.querySelector("input[name=q]:checked");
    var right = !!c && c.value === "isolate";
    api.LMSSetValue("cmi.core.score.min", "0");
    api.LMSSetValue("cmi.core.score.max", "100");
    api.LMSSetValue("cmi.core.score.raw", right ? "90" : "40");
    api.LMSSetValue("cmi.core.lesson_status", right ? "passed" : "failed");
    api.LMSCommit("");
    status.textContent = right ? "Right: 90 points." : "Not quite: 40 points.";
    document.documentElement.dataset.reported = right ? "passed" : "failed";
  };
  document.getElementById("leave").onclick = function () { finish("suspend"); };
  document.getElementById("finish").onclick = function () { finish(""); };
  window.addEventListener("pagehide", function () { finish("suspend"); });
})();
