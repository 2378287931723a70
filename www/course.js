// The course player: opens a content package's manifest, shows its table of
// contents and the LMS navigation buttons from the sequencer's look-ahead,
// launches what the sequencer delivers, and logs every API call.
(function () {
  var params = new URLSearchParams(location.search);
  var MANIFEST = params.get("manifest") || "courses/sequenced/imsmanifest.xml";
  var frame = document.getElementById("content");
  var message = document.getElementById("message");
  var toc = document.getElementById("toc");
  var calls = document.getElementById("calls");

  function show(text) {
    message.textContent = text;
    message.hidden = !text;
    frame.hidden = !!text;
  }

  function render() {
    var nav = ScormShim.course.navState();
    if (!nav) return;
    var why = function (w) { return w ? w.id + ": " + w.message : ""; };
    document.querySelectorAll("#lms-nav button").forEach(function (b) {
      var key = b.dataset.request; // navState uses the request names: previous, continue, exit, suspendAll, exitAll
      b.disabled = !nav[key];
      b.title = why(nav.why && nav.why[key]); // the sequencer's reason, when it is not available
    });
    toc.textContent = "";
    var parents = [toc];
    nav.activities.forEach(function (a) {
      if (a.depth === 0) return; // the organization itself
      while (parents.length > a.depth) parents.pop();
      if (!a.visible) {
        // no entry of its own; its children (isvisible="false" hides only
        // the item itself) take its place
        parents.push(parents[parents.length - 1]);
        return;
      }
      var li = document.createElement("li");
      if (a.active) li.className = "current";
      var label;
      if (a.selectable && a.enabled) {
        label = document.createElement("button");
        label.onclick = function () { go("{target=" + a.id + "}choice"); };
      } else {
        label = document.createElement("span");
        label.title = why(a.why);
      }
      label.textContent = a.title;
      li.appendChild(label);
      var st = document.createElement("span");
      st.className = "status";
      st.textContent = a.success !== "unknown" ? a.success : a.completion !== "unknown" ? a.completion : "";
      li.appendChild(st);
      parents[parents.length - 1].appendChild(li);
      var ul = document.createElement("ul");
      li.appendChild(ul);
      parents.push(ul);
    });
  }

  function deliver(view) {
    if (!view) return render();
    document.documentElement.dataset.delivery = view.type;
    if (view.type === "launch") {
      show("");
      frame.src = view.url;
      document.documentElement.dataset.activity = view.activityId;
    } else if (view.type === "ended") {
      frame.src = "about:blank";
      show("The course session has ended. Reload the page to start or resume.");
      document.documentElement.dataset.activity = "";
    } else if (view.type === "error") {
      var nav = ScormShim.course.navState();
      var shown = document.documentElement.dataset.activity;
      var running = !!nav && nav.activities.some(function (a) { return a.id === shown && a.active; });
      if (running) {
        // nothing changed: the activity shown goes on
        show("That is not possible now (" + view.id + ": " + view.message + ").");
        setTimeout(function () { if (frame.src !== "about:blank") show(""); }, 2500);
      } else {
        // the request ended the activity shown, then found nothing to deliver
        frame.src = "about:blank";
        document.documentElement.dataset.activity = "";
        show("The course cannot go on from here (" + view.id + ": " + view.message + "). Choose an activity from the table of contents.");
      }
    }
    render();
  }

  function go(request) {
    ScormShim.course.navigate(request, frame).then(deliver);
  }

  document.querySelectorAll("#lms-nav button").forEach(function (b) {
    b.onclick = function () { go(b.dataset.request); };
  });

  ScormShim.ready.then(function (shim) {
    shim.onCall(function (e) {
      var li = document.createElement("li");
      li.textContent = e.method + "(" + e.args.map(function (a) { return JSON.stringify(a); }).join(", ") + ") → " +
        JSON.stringify(e.result) + (e.error !== "0" ? "  [error " + e.error + "]" : "");
      if (e.error !== "0") li.className = "err";
      calls.appendChild(li);
      li.scrollIntoView({ block: "nearest" });
    });
    shim.course.onDeliver(deliver);
    return shim.course.open(MANIFEST).then(function (info) {
      document.getElementById("course-title").textContent = info.title + " (SCORM " + info.version + ")";
      info.warnings.forEach(function (w) { console.warn("manifest: " + w); });
      go(info.canResume ? "resumeAll" : "start");
    });
  }).catch(function (e) {
    show("This course cannot be played: " + (e && e.message ? e.message : e));
  });
})();
