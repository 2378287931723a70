// eXe-style SCORM 1.2 helpers: find the API, mark the page completed on load.
var api = null;
function findAPI(win) {
  var tries = 0;
  while (!win.API && win.parent && win.parent !== win && tries++ < 7) win = win.parent;
  return win.API || null;
}
function loadPage(name) {
  api = findAPI(window) || (window.opener && findAPI(window.opener));
  if (!api) { document.getElementById("s").textContent = "No LMS"; return; }
  api.LMSInitialize("");
  if (api.LMSGetValue("cmi.core.lesson_status") !== "completed") api.LMSSetValue("cmi.core.lesson_status", "completed");
  api.LMSCommit("");
  document.documentElement.dataset.page = name;
}
function unloadPage() { if (api) api.LMSFinish(""); api = null; }
