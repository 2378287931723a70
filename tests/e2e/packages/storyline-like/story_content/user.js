// The story: three slides; the last one records a passing score.
$(function () {
  var slides = ["Fire needs heat, fuel and oxygen.", "Raise the alarm first.", "Quiz done: 8 of 10 right."];
  var at = 0;
  var slide = document.getElementById("slide");
  var ok = Driver.start();
  document.documentElement.dataset.lms = ok ? "2004" : "none";
  document.documentElement.dataset.jquery = window.jQuery && window.jQuery.fn ? window.jQuery.fn.jquery : "";
  if (ok) {
    var loc = parseInt(Driver.get("cmi.location"), 10);
    if (Driver.get("cmi.entry") === "resume" && loc >= 0 && loc < slides.length) at = loc;
  }
  function show() {
    slide.textContent = slides[at];
    document.documentElement.dataset.slide = String(at + 1);
    if (!ok) return;
    Driver.set("cmi.location", at);
    Driver.set("cmi.progress_measure", ((at + 1) / slides.length).toFixed(2));
    if (at === slides.length - 1) {
      Driver.set("cmi.score.raw", 80);
      Driver.set("cmi.score.min", 0);
      Driver.set("cmi.score.max", 100);
      Driver.set("cmi.score.scaled", 0.8);
      Driver.set("cmi.success_status", "passed");
      Driver.set("cmi.completion_status", "completed");
    } else {
      Driver.set("cmi.completion_status", "incomplete");
    }
    Driver.commit();
  }
  document.getElementById("next").onclick = function () { if (at < slides.length - 1) { at++; show(); } };
  document.getElementById("exit").onclick = function () {
    Driver.finish(at === slides.length - 1 ? "normal" : "suspend");
    document.documentElement.dataset.ended = "1";
  };
  window.addEventListener("pagehide", function () { Driver.finish("suspend"); });
  show();
});
