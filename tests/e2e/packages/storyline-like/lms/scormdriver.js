// An LMS driver in the style of authoring tools' exports: looks for the
// SCORM 2004 API in the parents, then the opener's parents, and wraps it.
var Driver = (function () {
  function scan(win) {
    for (var n = 0; win && n < 500; n++) {
      if (win.API_1484_11) return win.API_1484_11;
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = scan(window) || (window.opener ? scan(window.opener) : null);
  var started = new Date().getTime();
  var terminated = false;
  return {
    found: !!api,
    start: function () { return !!api && api.Initialize("") === "true"; },
    get: function (k) { return api.GetValue(k); },
    set: function (k, v) { return api.SetValue(k, String(v)) === "true"; },
    commit: function () { return api.Commit("") === "true"; },
    finish: function (exit) {
      if (!api || terminated) return;
      terminated = true;
      var s = Math.round((new Date().getTime() - started) / 1000);
      api.SetValue("cmi.session_time", "PT" + s + "S");
      api.SetValue("cmi.exit", exit);
      api.Terminate("");
    },
  };
})();
