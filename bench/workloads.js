// Browser side of the benchmark: identical scripted SCORM workloads for any
// implementation of the standard API objects. Loaded as a classic script
// (/bench/workloads.js) into pages where the implementation under test is
// loaded too; exposes `window.Bench`.
//
// A workload is a flat list of operations [kind, element, value, …]: kind 0 is
// SetValue(element, value), which should return "true"; kind 1 is
// GetValue(element), which should return `value` (the model's expectation: the
// last value the workload set). The lists are generated before any timing
// starts, deterministically, and are the same for every implementation.
(function () {
  "use strict";

  var SET = 0, GET = 1;

  // Deterministic pseudo-random text, JSON-like (what authoring tools put in suspend_data).
  function text(len, seed) {
    var alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789{}[]":,._-';
    var s = seed >>> 0 || 1, out = [];
    while (out.length < len) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      out.push(alphabet.charAt(s % alphabet.length));
    }
    return out.join("");
  }

  // One flat string per distinct text: the operation lists share them, and no
  // implementation pays for flattening the generator's concatenations (or frees
  // their memory) inside a timed loop or a memory measurement.
  var interned = new Map();
  function flat(s) {
    var f = interned.get(s);
    if (f === undefined) { f = JSON.parse(JSON.stringify(s)); interned.set(f, f); }
    return f;
  }

  function Builder() {
    this.ops = [];
    this.model = Object.create(null);
  }
  Builder.prototype.set = function (el, v) { el = flat(el); v = flat(v); this.ops.push(SET, el, v); this.model[el] = v; };
  Builder.prototype.get = function (el) {
    el = flat(el);
    if (!(el in this.model)) throw new Error("workload reads " + el + " before setting it");
    this.ops.push(GET, el, flat(this.model[el]));
  };
  Builder.prototype.take = function () { var ops = this.ops; this.ops = []; return ops; };

  var INTERACTIONS = 251; // indices 0..250
  var OBJECTIVES = 20;
  var SD4K = [0, 1, 2, 3].map(function (i) { return text(4000, 11 + i); });
  var SD12 = [0, 1, 2, 3].map(function (i) { return text(4096, 21 + i); }); // SCORM 1.2 CMIString4096
  var SD64K = [0, 1].map(function (i) { return text(64000, 31 + i); }); // SCORM 2004 SPM: 64,000 characters

  function scaled(i) { return String((i % 101) / 100); }

  /** SCORM 2004 4th Edition workload (API_1484_11). */
  function workload2004(sizes) {
    var b = new Builder(), i, k, j;
    var phases = {};
    // populate: the full data model a long course builds up.
    b.set("cmi.location", "page-0");
    b.set("cmi.suspend_data", SD4K[0]);
    b.set("cmi.score.min", "0");
    b.set("cmi.score.max", "100");
    b.set("cmi.score.raw", "0");
    b.set("cmi.score.scaled", "0");
    b.set("cmi.completion_status", "incomplete");
    b.set("cmi.success_status", "unknown");
    b.set("cmi.progress_measure", "0");
    b.set("cmi.exit", "suspend");
    b.set("cmi.session_time", "PT0S");
    b.set("cmi.learner_preference.audio_level", "1");
    b.set("cmi.learner_preference.language", "en-US");
    for (j = 0; j < OBJECTIVES; j++) {
      var o = "cmi.objectives." + j + ".";
      b.set(o + "id", "obj-" + j);
      b.set(o + "score.scaled", "0.5");
      b.set(o + "score.raw", "50");
      b.set(o + "score.min", "0");
      b.set(o + "score.max", "100");
      b.set(o + "success_status", "unknown");
      b.set(o + "completion_status", "incomplete");
      b.set(o + "progress_measure", "0.5");
      b.set(o + "description", "Objective " + j);
      b.model["cmi.objectives._count"] = String(j + 1);
    }
    for (k = 0; k < INTERACTIONS; k++) {
      var p = "cmi.interactions." + k + ".";
      b.set(p + "id", "interaction-" + k);
      b.set(p + "type", "choice");
      b.set(p + "timestamp", "2026-01-15T10:" + pad(k % 60) + ":" + pad((k * 7) % 60));
      b.set(p + "weighting", "1");
      b.set(p + "objectives.0.id", "obj-" + (k % OBJECTIVES));
      b.set(p + "correct_responses.0.pattern", "a[,]c");
      b.set(p + "learner_response", "a[,]b");
      b.set(p + "result", "incorrect");
      b.set(p + "latency", "PT12S");
      b.set(p + "description", "Question " + k);
      b.model["cmi.interactions._count"] = String(k + 1);
    }
    phases.populate = b.take();

    // mixed: a learner working through the course, reading and writing as a SCO does.
    var RESP = ["a", "b", "a[,]c", "b[,]c[,]d"], RES = ["correct", "incorrect", "neutral"];
    var SS = ["passed", "failed", "unknown"], CS = ["incomplete", "completed"];
    for (i = 0; b.ops.length < sizes.mixed * 3; i++) {
      k = i % INTERACTIONS; j = i % OBJECTIVES;
      b.set("cmi.location", "page-" + (i % 97));
      b.get("cmi.location");
      b.set("cmi.interactions." + k + ".learner_response", RESP[i % 4]);
      b.set("cmi.interactions." + k + ".result", RES[i % 3]);
      b.set("cmi.interactions." + k + ".latency", "PT" + ((i % 59) + 1) + "S");
      b.get("cmi.interactions." + k + ".result");
      b.get("cmi.interactions._count");
      b.set("cmi.score.raw", String(i % 101));
      b.set("cmi.score.scaled", scaled(i));
      b.get("cmi.score.scaled");
      b.set("cmi.progress_measure", scaled(i + 3));
      b.set("cmi.objectives." + j + ".success_status", SS[i % 3]);
      b.get("cmi.objectives." + j + ".success_status");
      b.set("cmi.completion_status", CS[(i >> 4) & 1]);
      b.get("cmi.completion_status");
      if (i % 10 === 0) { b.set("cmi.suspend_data", SD4K[(i / 10) % 4]); b.get("cmi.suspend_data"); }
      if (i % 100 === 50) { b.set("cmi.suspend_data", SD64K[(i / 100) % 2 | 0]); b.get("cmi.suspend_data"); }
    }
    b.set("cmi.suspend_data", SD4K[1]);
    phases.mixed = b.take();

    // get: GetValue only, round the data model.
    var reads = ["cmi.location", "cmi.score.scaled", "cmi.score.raw", "cmi.completion_status", "cmi.success_status",
      "cmi.progress_measure", "cmi.interactions._count", "cmi.objectives._count", "cmi.learner_preference.language"];
    var ifields = ["id", "type", "result", "learner_response", "latency", "weighting", "timestamp", "description", "objectives.0.id", "correct_responses.0.pattern"];
    var ofields = ["id", "success_status", "completion_status", "score.scaled", "score.raw", "progress_measure"];
    for (i = 0; b.ops.length < sizes.get * 3; i++) {
      if (i % 50 === 0) b.get("cmi.suspend_data");
      b.get(reads[i % reads.length]);
      b.get("cmi.interactions." + ((i * 7) % INTERACTIONS) + "." + ifields[i % ifields.length]);
      b.get("cmi.objectives." + (i % OBJECTIVES) + "." + ofields[i % ofields.length]);
    }
    phases.get = b.take();

    // set: SetValue only.
    for (i = 0; b.ops.length < sizes.set * 3; i++) {
      k = (i * 7) % INTERACTIONS; j = i % OBJECTIVES;
      b.set("cmi.location", "page-" + (i % 97));
      b.set("cmi.interactions." + k + ".learner_response", RESP[i % 4]);
      b.set("cmi.interactions." + k + ".result", RES[i % 3]);
      b.set("cmi.interactions." + k + ".latency", "PT" + ((i % 59) + 1) + "S");
      b.set("cmi.score.raw", String(i % 101));
      b.set("cmi.score.scaled", scaled(i));
      b.set("cmi.objectives." + j + ".score.scaled", scaled(i + 5));
      b.set("cmi.objectives." + j + ".success_status", SS[i % 3]);
      b.set("cmi.session_time", "PT" + (i % 3600) + "S");
      if (i % 25 === 0) b.set("cmi.suspend_data", SD4K[i % 4]);
      if (i % 500 === 250) b.set("cmi.suspend_data", SD64K[i % 2]);
    }
    phases.set = b.take();
    return phases;
  }

  /** SCORM 1.2 workload (API). */
  function workload12(sizes) {
    var b = new Builder(), i, k, j;
    var phases = {};
    b.set("cmi.core.lesson_location", "page-0");
    b.set("cmi.suspend_data", SD12[0]);
    b.set("cmi.core.score.min", "0");
    b.set("cmi.core.score.max", "100");
    b.set("cmi.core.score.raw", "0");
    b.set("cmi.core.lesson_status", "incomplete");
    b.set("cmi.core.exit", "suspend");
    b.set("cmi.core.session_time", "00:00:00");
    b.set("cmi.student_preference.audio", "1");
    b.set("cmi.student_preference.language", "en");
    for (j = 0; j < OBJECTIVES; j++) {
      var o = "cmi.objectives." + j + ".";
      b.set(o + "id", "obj-" + j);
      b.set(o + "score.raw", "50");
      b.set(o + "score.min", "0");
      b.set(o + "score.max", "100");
      b.set(o + "status", "incomplete");
      b.model["cmi.objectives._count"] = String(j + 1);
    }
    for (k = 0; k < INTERACTIONS; k++) {
      var p = "cmi.interactions." + k + ".";
      b.set(p + "id", "interaction-" + k);
      b.set(p + "type", "choice");
      b.set(p + "time", "10:" + pad(k % 60) + ":" + pad((k * 7) % 60));
      b.set(p + "weighting", "1");
      b.set(p + "objectives.0.id", "obj-" + (k % OBJECTIVES));
      b.set(p + "correct_responses.0.pattern", "a");
      b.set(p + "student_response", "b");
      b.set(p + "result", "wrong");
      b.set(p + "latency", "00:00:12");
      b.model["cmi.interactions._count"] = String(k + 1);
    }
    phases.populate = b.take();

    var RESP = ["a", "b", "c", "d"], RES = ["correct", "wrong", "neutral"];
    var OS = ["passed", "failed", "incomplete"], LS = ["incomplete", "completed"];
    for (i = 0; b.ops.length < sizes.mixed * 3; i++) {
      k = i % INTERACTIONS; j = i % OBJECTIVES;
      b.set("cmi.core.lesson_location", "page-" + (i % 97));
      b.get("cmi.core.lesson_location");
      b.set("cmi.interactions." + k + ".student_response", RESP[i % 4]);
      b.set("cmi.interactions." + k + ".result", RES[i % 3]);
      b.set("cmi.interactions." + k + ".latency", "00:00:" + pad((i % 59) + 1));
      b.get("cmi.interactions._count");
      b.set("cmi.core.score.raw", String(i % 101));
      b.get("cmi.core.score.raw");
      b.set("cmi.objectives." + j + ".status", OS[i % 3]);
      b.get("cmi.objectives." + j + ".status");
      b.set("cmi.objectives." + j + ".score.raw", String((i * 3) % 101));
      b.get("cmi.objectives." + j + ".score.raw");
      b.set("cmi.core.lesson_status", LS[(i >> 4) & 1]);
      b.get("cmi.core.lesson_status");
      if (i % 10 === 0) { b.set("cmi.suspend_data", SD12[(i / 10) % 4]); b.get("cmi.suspend_data"); }
    }
    phases.mixed = b.take();

    var reads = ["cmi.core.lesson_location", "cmi.core.score.raw", "cmi.core.score.min", "cmi.core.score.max",
      "cmi.core.lesson_status", "cmi.interactions._count", "cmi.objectives._count", "cmi.student_preference.language"];
    var ofields = ["id", "status", "score.raw", "score.min", "score.max"];
    for (i = 0; b.ops.length < sizes.get * 3; i++) {
      if (i % 50 === 0) b.get("cmi.suspend_data");
      b.get(reads[i % reads.length]);
      b.get("cmi.objectives." + (i % OBJECTIVES) + "." + ofields[i % ofields.length]);
    }
    phases.get = b.take();

    for (i = 0; b.ops.length < sizes.set * 3; i++) {
      k = (i * 7) % INTERACTIONS; j = i % OBJECTIVES;
      b.set("cmi.core.lesson_location", "page-" + (i % 97));
      b.set("cmi.interactions." + k + ".student_response", RESP[i % 4]);
      b.set("cmi.interactions." + k + ".result", RES[i % 3]);
      b.set("cmi.interactions." + k + ".latency", "00:00:" + pad((i % 59) + 1));
      b.set("cmi.core.score.raw", String(i % 101));
      b.set("cmi.objectives." + j + ".score.raw", String((i * 3) % 101));
      b.set("cmi.objectives." + j + ".status", OS[i % 3]);
      b.set("cmi.core.session_time", "00:" + pad((i / 60 | 0) % 60) + ":" + pad(i % 60));
      if (i % 25 === 0) b.set("cmi.suspend_data", SD12[i % 4]);
    }
    phases.set = b.take();
    return phases;
  }

  /** The 200 SetValue calls of one Initialize → 200 × SetValue → Commit → Terminate cycle. */
  function cycleOps(ver) {
    var b = new Builder(), k;
    if (ver === "2004") {
      b.set("cmi.location", "page-7");
      b.set("cmi.score.raw", "70");
      b.set("cmi.score.scaled", "0.7");
      b.set("cmi.completion_status", "incomplete");
      b.set("cmi.success_status", "unknown");
      b.set("cmi.suspend_data", SD4K[2]);
      b.set("cmi.exit", "suspend");
      b.set("cmi.session_time", "PT1M");
      for (k = 0; k < 24; k++) {
        var p = "cmi.interactions." + k + ".";
        b.set(p + "id", "interaction-" + k);
        b.set(p + "type", "choice");
        b.set(p + "timestamp", "2026-01-15T10:00:" + pad(k));
        b.set(p + "weighting", "1");
        b.set(p + "learner_response", "a[,]b");
        b.set(p + "result", "correct");
        b.set(p + "latency", "PT5S");
        b.set(p + "description", "Question " + k);
      }
    } else {
      b.set("cmi.core.lesson_location", "page-7");
      b.set("cmi.core.score.raw", "70");
      b.set("cmi.core.score.min", "0");
      b.set("cmi.core.score.max", "100");
      b.set("cmi.core.lesson_status", "incomplete");
      b.set("cmi.suspend_data", SD12[2]);
      b.set("cmi.core.exit", "suspend");
      b.set("cmi.core.session_time", "00:01:00");
      for (k = 0; k < 24; k++) {
        var q = "cmi.interactions." + k + ".";
        b.set(q + "id", "interaction-" + k);
        b.set(q + "type", "choice");
        b.set(q + "time", "10:00:" + pad(k));
        b.set(q + "weighting", "1");
        b.set(q + "correct_responses.0.pattern", "a");
        b.set(q + "student_response", "a");
        b.set(q + "result", "correct");
        b.set(q + "latency", "00:00:05");
      }
    }
    return b.take();
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  // ---- runners: the same loop for every implementation ----

  function run2004(api, ops) {
    var badSet = 0, badGet = 0, r;
    for (var i = 0; i < ops.length; i += 3) {
      if (ops[i] === SET) { if (api.SetValue(ops[i + 1], ops[i + 2]) !== "true") badSet++; }
      else { r = api.GetValue(ops[i + 1]); if (r != ops[i + 2]) badGet++; }
    }
    return [badSet, badGet];
  }
  function run12(api, ops) {
    var badSet = 0, badGet = 0, r;
    for (var i = 0; i < ops.length; i += 3) {
      if (ops[i] === SET) { if (api.LMSSetValue(ops[i + 1], ops[i + 2]) !== "true") badSet++; }
      else { r = api.LMSGetValue(ops[i + 1]); if (r != ops[i + 2]) badGet++; }
    }
    return [badSet, badGet];
  }

  /** Untimed: run `ops`, and for every failure record the error code, by element pattern. */
  function check(api, ver, ops, into) {
    var is12 = ver === "1.2";
    for (var i = 0; i < ops.length; i += 3) {
      var el = ops[i + 1], ok, what;
      if (ops[i] === SET) {
        ok = (is12 ? api.LMSSetValue(el, ops[i + 2]) : api.SetValue(el, ops[i + 2])) === "true";
        what = "SetValue";
      } else {
        var got = is12 ? api.LMSGetValue(el) : api.GetValue(el);
        ok = got == ops[i + 2];
        what = "GetValue";
      }
      if (!ok) {
        var code = String(is12 ? api.LMSGetLastError() : api.GetLastError());
        if (what === "GetValue" && code === "0") code = "0 (wrong value)";
        var key = what + " " + el.replace(/\.\d+\./g, ".n.") + " -> " + code;
        into[key] = (into[key] || 0) + 1;
      }
    }
  }

  function counts(ops) {
    var s = 0, g = 0;
    for (var i = 0; i < ops.length; i += 3) if (ops[i] === SET) s++; else g++;
    return { set: s, get: g };
  }

  var Bench = {
    /** Generate the workloads (call before loading the implementation). */
    prepare: function (sizes) {
      Bench.w = { "1.2": workload12(sizes), "2004": workload2004(sizes) };
      Bench.cycle = { "1.2": cycleOps("1.2"), "2004": cycleOps("2004") };
      var out = {};
      ["1.2", "2004"].forEach(function (v) {
        out[v] = {};
        Object.keys(Bench.w[v]).forEach(function (ph) { out[v][ph] = counts(Bench.w[v][ph]); });
      });
      return out;
    },
    /**
     * Run every phase of the `ver` workload against `api` (already initialized),
     * timing each; returns {phase: {ms, calls, badSet, badGet}}.
     */
    timed: function (api, ver) {
      var res = {}, phases = Bench.w[ver], run = ver === "1.2" ? run12 : run2004;
      ["populate", "mixed", "get", "set"].forEach(function (ph) {
        var ops = phases[ph];
        var t0 = performance.now();
        var bad = run(api, ops);
        var t1 = performance.now();
        res[ph] = { ms: t1 - t0, calls: ops.length / 3, badSet: bad[0], badGet: bad[1] };
      });
      return res;
    },
    /** Untimed correctness pass over every phase; returns the failure histogram. */
    check: function (api, ver) {
      var into = {};
      ["populate", "mixed", "get", "set"].forEach(function (ph) { check(api, ver, Bench.w[ver][ph], into); });
      return into;
    },
    /**
     * `n` cycles of Initialize → 200 × SetValue → Commit → Terminate, each followed
     * by `reset()` (the implementation's way to start a new launch).
     */
    cycles: function (api, ver, n, reset) {
      var ops = Bench.cycle[ver], is12 = ver === "1.2", bad = 0, fails = {};
      function note(what, r) { if (r !== "true") { bad++; fails[what] = (fails[what] || 0) + 1; } }
      var t0 = performance.now();
      for (var c = 0; c < n; c++) {
        note(is12 ? "LMSInitialize" : "Initialize", is12 ? api.LMSInitialize("") : api.Initialize(""));
        var b = is12 ? run12(api, ops) : run2004(api, ops);
        if (b[0]) { bad += b[0]; fails.SetValue = (fails.SetValue || 0) + b[0]; }
        note(is12 ? "LMSCommit" : "Commit", is12 ? api.LMSCommit("") : api.Commit(""));
        note(is12 ? "LMSFinish" : "Terminate", is12 ? api.LMSFinish("") : api.Terminate(""));
        reset();
      }
      var t1 = performance.now();
      return { ms: t1 - t0, cycles: n, callsPerCycle: ops.length / 3 + 3, bad: bad, fails: fails };
    },
  };
  window.Bench = Bench;
})();
