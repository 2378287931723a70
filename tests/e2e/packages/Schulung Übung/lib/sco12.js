// A SCORM 1.2 page: finds window.API, marks itself completed when viewed.
var Sco12 = {
  run: function (page) {
    var w = window, api = null;
    for (var i = 0; i < 20 && w && !api; i++) { api = w.API || null; if (w.parent === w) break; w = w.parent; }
    var s = document.getElementById("s");
    if (!api) { s.textContent = "Kein LMS gefunden."; document.documentElement.dataset.page = "no-api"; return; }
    api.LMSInitialize("");
    api.LMSSetValue("cmi.core.lesson_status", "completed");
    api.LMSCommit("");
    s.textContent = "Gefunden: " + api.LMSGetValue("cmi.core.student_name") + " · " + location.search;
    document.documentElement.dataset.page = page;
    window.addEventListener("pagehide", function () { api.LMSFinish(""); });
  },
};
