// How a SCO finds its LMS: the standard search (SCORM 1.2 RTE §3.3.6.1,
// SCORM 2004 RTE §3.1.4.1): walk up window.parent from this window, then do
// the same from window.opener. Prefers SCORM 2004, falls back to 1.2, and
// wraps whichever it finds in one small interface the course pages use.
(function (global) {
  function search(win, name) {
    var hops = 0;
    while (win && hops < 500) {
      try {
        if (win[name]) return win[name];
      } catch (e) {
        return null; // another origin: stop here
      }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
      hops++;
    }
    return null;
  }
  function find(name) {
    var api = search(global, name);
    if (!api && global.opener) api = search(global.opener, name);
    return api;
  }

  var api2004 = find("API_1484_11");
  var api12 = api2004 ? null : find("API");

  var map12 = {
    "cmi.location": "cmi.core.lesson_location",
    "cmi.learner_name": "cmi.core.student_name",
    "cmi.learner_id": "cmi.core.student_id",
    "cmi.entry": "cmi.core.entry",
    "cmi.exit": "cmi.core.exit",
    "cmi.session_time": "cmi.core.session_time",
    "cmi.score.raw": "cmi.core.score.raw",
    "cmi.score.min": "cmi.core.score.min",
    "cmi.score.max": "cmi.core.score.max",
  };

  global.Lms = {
    version: api2004 ? "2004" : api12 ? "1.2" : null,
    found: !!(api2004 || api12),
    initialize: function () {
      return api2004 ? api2004.Initialize("") === "true" : api12 ? api12.LMSInitialize("") === "true" : false;
    },
    get: function (el) {
      if (api2004) return api2004.GetValue(el);
      if (api12) return api12.LMSGetValue(map12[el] || el);
      return "";
    },
    set: function (el, v) {
      if (api2004) return api2004.SetValue(el, String(v)) === "true";
      if (!api12) return false;
      if (el === "cmi.completion_status" || el === "cmi.success_status") return true; // folded into lesson_status below
      return api12.LMSSetValue(map12[el] || el, String(v)) === "true";
    },
    /** SCORM 1.2 has one lesson_status for both completion and success. */
    status: function (completed, passed) {
      if (api2004) {
        api2004.SetValue("cmi.completion_status", completed ? "completed" : "incomplete");
        if (passed !== null) api2004.SetValue("cmi.success_status", passed ? "passed" : "failed");
      } else if (api12) {
        api12.LMSSetValue("cmi.core.lesson_status", passed === null ? (completed ? "completed" : "incomplete") : passed ? "passed" : "failed");
      }
    },
    commit: function () {
      return api2004 ? api2004.Commit("") === "true" : api12 ? api12.LMSCommit("") === "true" : false;
    },
    terminate: function () {
      return api2004 ? api2004.Terminate("") === "true" : api12 ? api12.LMSFinish("") === "true" : false;
    },
    lastError: function () {
      return api2004 ? api2004.GetLastError() : api12 ? api12.LMSGetLastError() : "";
    },
    /** ISO 8601 duration (2004) or CMITimespan HHHH:MM:SS.SS (1.2) for ms. */
    duration: function (ms) {
      var cs = Math.round(ms / 10), s = Math.floor(cs / 100), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      var sec = (s % 60) + (cs % 100) / 100;
      if (api2004) return "PT" + h + "H" + m + "M" + sec.toFixed(2) + "S";
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return (h < 10 ? "000" : h < 100 ? "00" : h < 1000 ? "0" : "") + h + ":" + two(m) + ":" + (sec < 10 ? "0" : "") + sec.toFixed(2);
    },
  };
})(window);
