// The sample SCO's behaviour: initialize, resume where the learner left off,
// track location, time, one interaction and a score, commit, terminate.
(function () {
  var PAGES = 3;
  var started = Date.now();
  var page = 1;
  var answered = false;
  var ended = false;
  var statusEl = document.getElementById("status");

  function show(msg) { statusEl.textContent = msg; }

  if (!Lms.found) {
    show("No LMS found: this page must be launched by an LMS that provides window.API or window.API_1484_11.");
    return;
  }
  if (!Lms.initialize()) {
    show("The LMS refused to initialize (error " + Lms.lastError() + ").");
    return;
  }
  document.documentElement.dataset.lms = Lms.version;
  document.getElementById("who").textContent = "Hello, " + (Lms.get("cmi.learner_name") || "learner") + " (SCORM " + Lms.version + ")";

  if (Lms.get("cmi.entry") === "resume") {
    var loc = parseInt(Lms.get("cmi.location"), 10);
    if (loc >= 1 && loc <= PAGES) page = loc;
    answered = Lms.get("cmi.suspend_data") === "answered";
  }

  function render() {
    document.querySelectorAll(".page").forEach(function (el) {
      el.classList.toggle("on", Number(el.dataset.page) === page);
    });
    document.getElementById("prev").disabled = page === 1;
    document.getElementById("next").disabled = page === PAGES;
    document.getElementById("submit").style.display = page === PAGES && !answered ? "" : "none";
    Lms.set("cmi.location", page);
    if (!answered) Lms.status(false, null);
    show("Page " + page + " of " + PAGES + (answered ? " · answered" : ""));
  }

  function end(exit) {
    if (ended) return;
    ended = true;
    Lms.set("cmi.exit", Lms.version === "1.2" && exit === "normal" ? "" : exit);
    Lms.set("cmi.session_time", Lms.duration(Date.now() - started));
    var ok = Lms.commit() && Lms.terminate();
    show(ok ? (exit === "suspend" ? "Saved. You can close this course and continue later." : "Finished. Thank you!")
            : "The LMS reported error " + Lms.lastError() + ".");
    document.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    document.documentElement.dataset.ended = exit;
  }

  document.getElementById("prev").onclick = function () { if (page > 1) { page--; render(); } };
  document.getElementById("next").onclick = function () { if (page < PAGES) { page++; render(); Lms.commit(); } };
  document.getElementById("submit").onclick = function () {
    var choice = document.querySelector("input[name=q1]:checked");
    if (!choice) { document.getElementById("feedback").textContent = "Choose an answer first."; return; }
    var correct = choice.value === "local";
    var ix = "cmi.interactions.0.";
    Lms.set(ix + "id", "q1");
    Lms.set(ix + "type", "choice");
    Lms.set(ix + (Lms.version === "2004" ? "learner_response" : "student_response"), Lms.version === "2004" ? choice.value : choice.value.charAt(0));
    Lms.set(ix + "result", correct ? "correct" : Lms.version === "2004" ? "incorrect" : "wrong");
    Lms.set("cmi.score.min", 0);
    Lms.set("cmi.score.max", 100);
    Lms.set("cmi.score.raw", correct ? 100 : 0);
    if (Lms.version === "2004") Lms.set("cmi.score.scaled", correct ? 1 : 0);
    Lms.status(true, correct);
    Lms.set("cmi.suspend_data", "answered");
    answered = true;
    document.getElementById("feedback").textContent = correct ? "Correct: local storage first." : "Not quite: it is written to local storage first.";
    Lms.commit();
    render();
  };
  document.getElementById("suspend").onclick = function () { end("suspend"); };
  document.getElementById("finish").onclick = function () { end(answered ? "normal" : "suspend"); };
  window.addEventListener("pagehide", function () { end("suspend"); });

  render();
})();
