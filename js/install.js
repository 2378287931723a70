// scorm-shim installer. Shared by the classic script (pkg/scorm-shim.js) and the
// ES module entry (pkg/index.js): the build concatenates it after the
// wasm-bindgen glue. It turns a wasm `Shim` into the two SCORM API objects, with
// nothing but argument coercion in between: all SCORM logic lives in Rust.
//
// Besides: the durable copy of every local write (js/durable.js), and
// recovery from a fault in the module (a trap: out of memory, a bug): the
// call that met it answers "false"/"" with error 101, a new instance is made
// from the stored data (and the running session's values since its last
// commit are set again), and later calls work as before.

/** Flatten a configuration object into the [key, value, ...] list the wasm side parses. */
function scormShimPairs(obj) {
  var out = [];
  if (!obj || typeof obj !== "object") return out;
  Object.keys(obj).forEach(function (key) {
    var value = obj[key];
    if (value === undefined || value === null) return;
    if (key === "headers" && typeof value === "object") value = scormShimHeaderText(value);
    out.push(key, String(value));
  });
  return out;
}

/** Headers given as an object, as the `Name: value; …` text the wasm side parses (own keys only). */
function scormShimHeaderText(value) {
  if (!value || typeof value !== "object") return value === undefined || value === null ? "" : String(value);
  return Object.keys(value).map(function (name) { return name + ": " + value[name]; }).join("; ");
}

/**
 * A list of strings as it crosses into the module: each string as its length
 * (UTF-16 units), ":", the string (src/engine/strlist.rs).
 */
function scormShimEncode(list) {
  for (var t = "", i = 0; i < list.length; i++) t += list[i].length + ":" + list[i];
  return t;
}

/**
 * A list the module returned, in the same encoding; an error it returned
 * ("!" and the message) is thrown as an Error with that message.
 */
function scormShimList(t) {
  if (t.charAt(0) === "!") throw new Error(t.slice(1));
  for (var out = [], i = 0, c, n; i < t.length; i = c + 1 + n) {
    c = t.indexOf(":", i);
    n = +t.slice(i, c);
    out.push(t.slice(c + 1, c + 1 + n));
  }
  return out;
}

/** SCORM arguments arrive as anything JavaScript can pass; the APIs take strings. */
function scormShimStr(v) {
  return v === undefined || v === null ? "" : String(v);
}

/** True for an error that means the WebAssembly instance is no longer usable. */
function scormShimIsFault(e) {
  if (typeof WebAssembly !== "undefined" && e instanceof WebAssembly.RuntimeError) return true;
  if (e instanceof RangeError) return true; // stack overflow, out of memory
  var m = e && e.message ? String(e.message) : "";
  return /recursive use of an object|null pointer passed to rust|unreachable|memory access out of bounds/.test(m);
}

/**
 * Create the shim from `config` and install `API` / `API_1484_11` on `target`.
 * `loadCourse()` (js/lazy.js) loads the course engine when `Shim` is the
 * run-time module's: it resolves with `{Shim, renew}` of the engine.
 * `renew()` (optional) returns the `Shim` class of a fresh WebAssembly
 * instance, for recovery from a fault. Returns the handle that
 * `window.ScormShim` exposes.
 */
function scormShimInstall(Shim, target, config, loadCourse, renew, make) {
  // Every configuration given, in order: a new instance after a fault is
  // built from the same (credentials included). Private to this closure.
  // `make(Class, flat)` (the bridge page, js/bridge-guest.js) builds the
  // instance instead of `new Class(flat)` (`flat`: the pairs, encoded by
  // scormShimEncode).
  var pairs = scormShimPairs(config);
  var core = make ? make(Shim, scormShimEncode(pairs)) : new Shim(scormShimEncode(pairs));
  var Current = Shim; // the class of `core`: the run-time module's, or the course engine's once adopted
  var listeners = [];
  var eventListeners = [];
  var transport = null;
  var str = scormShimStr;
  var durable = scormShimDurable();
  var dead = null; // set when no instance could be made after a fault
  // > 0 while a call into the module runs. The module calls browser functions
  // (localStorage, console, Date.now, crypto, TextDecoder) that content on the
  // page's origin may have replaced with code that calls the API again: such
  // a nested call must not enter the module (wasm-bindgen would refuse the
  // aliasing, and that is no fault to recover from). It answers "false" / ""
  // and changes nothing.
  var depth = 0;
  // True while recover() builds a new instance after a fault (at depth > 0):
  // the installer's own calls through `shim` go through then, content's
  // calls through the API objects are still refused, and a fault in the new
  // instance is not recovered from again (recover() gives up: `dead`).
  var recovering = false;
  var kicking = false;
  // Content has been launched (1: an Initialize succeeded; 2: a package's
  // activity was delivered): a new instance after a fault stays frozen.
  var launched = 0;
  var NESTED = "scorm-shim: an API call was made from inside another one (a replaced browser function or a listener " +
    "called by the module); it was not carried out";
  // Calls after which the commit queue has something new to send.
  var KICK = { LMSCommit: 1, LMSFinish: 1, Commit: 1, Terminate: 1 };

  function emitEvent(event) {
    for (var i = 0; i < eventListeners.length; i++) {
      try { eventListeners[i](event); } catch (e) { console.error("scorm-shim: an event listener threw", e); }
    }
  }

  function drainEvents() {
    var events = shim.takeEvents() || [];
    for (var i = 0; i < events.length; i++) {
      try { emitEvent(scormShimNet.parse(events[i])); } catch (e) { /* malformed event: ignore */ }
    }
  }

  /** Hand what the module wrote to localStorage to the durable copy (at once: same task). */
  function flushWrites() {
    var w = core.takeWrites();
    if (w) durable.write(scormShimList(w));
  }

  // ---- Faults --------------------------------------------------------------
  // What a running session set since its last successful commit, per API:
  // after a fault the new instance resumes from stored data, and these are
  // set again, so nothing the SCO was told "true" for is lost.
  var session12 = { running: false, sets: new Map() };
  var session2004 = { running: false, sets: new Map() };
  // The error the API objects report after a fault, until the next call.
  var fault12 = null, fault2004 = null;

  function recover(e) {
    var message = "scorm-shim: the WebAssembly module failed (" + (e && e.message || e) + ")";
    console.error(message + "; starting a new instance from the stored data");
    var old = core;
    try { old.free(); } catch (ignored) { /* the old instance is gone anyway */ }
    recovering = true;
    try {
      if (!renew) throw new Error("no way to start a new instance");
      core = make ? make(renew(), scormShimEncode(pairs)) : new (renew())(scormShimEncode(pairs));
      ioMem = core.ioMemory(); ioU8 = null; ioPtr = 0; ioCap = 0;
      invalidate();
      caching = !core.tracesCalls();
      if (course.xml !== null) core.openCourse(course.xml, course.organization, course.base);
      if (launched) core.freeze(launched === 2);
      for (var pass = 0; pass < 2; pass++) {
        var s = pass ? session2004 : session12;
        if (!s.running || course.xml !== null) continue;
        if (pass ? core.Initialize("") : core.LMSInitialize("")) {
          s.sets.forEach(function (v, el) { if (pass) core.SetValue(el, v); else core.LMSSetValue(el, v); });
        }
      }
      place();
      flushWrites();
      // The new instance has a queue key of its own: the old one's batches are folded in.
      if (transport) transport.adopt();
      emitEvent({ type: "recovered", message: message });
    } catch (e2) {
      dead = message + "; no new instance could be made (" + (e2 && e2.message || e2) + ")";
      console.error(dead);
      emitEvent({ type: "failed", message: dead });
    } finally {
      recovering = false;
    }
    var f = { code: 101, diagnostic: message + "; the call was not carried out" };
    fault12 = fault2004 = f;
  }

  // `shim`: every method of the instance, wrapped. Calls that may change
  // values empty the GetValue caches; every call hands the module's writes
  // to the durable copy and survives a fault (answering a neutral value).
  var READS = {
    LMSGetValue: 1, GetValue: 1, LMSGetLastError: 1, GetLastError: 1, LMSGetErrorString: 1, GetErrorString: 1,
    LMSGetDiagnostic: 1, GetDiagnostic: 1, LMSInitialize: 1, LMSFinish: 1, LMSSetValue: 1, LMSCommit: 1,
    Initialize: 1, Terminate: 1, SetValue: 1, Commit: 1, endpoint: 1, has12: 1, has2004: 1, idle: 1,
    configEntries: 1, tracesCalls: 1, clearError12: 1, clearError2004: 1, constructor: 1,
    ioMemory: 1, ioBuffer: 1, ioTake: 1, ioGet12: 1, ioGet2004: 1, ioSet12: 1, ioSet2004: 1,
    navState: 1, courseResult: 1, courseTree: 1, courseState: 1, failedBatches: 1, acceptsRequest: 1, dataModel: 1,
    takeWrites: 1, requestHeaders: 1, credentialsMode: 1, registrationId: 1, maxValueChars: 1, registrationPrefix: 1,
  };
  // What the bookkeeping calls answer when the module failed under them (the
  // transport and the installer go on); any other call throws the fault's
  // message (course.open and navigate reject with it).
  var NEUTRAL = { nextToSend: [], takeEvents: [], queueKeys: [], unloadBodies: [], configEntries: [], requestHeaders: [],
    nextWakeup: -1, queueStatus: "{}", onResponse: undefined, onNetworkFailure: undefined, setOnline: undefined,
    mergeForeign: false, observeServer: null, relaunch: undefined, idle: false, endpoint: "", has12: false, has2004: false,
    credentialsMode: "same-origin", registrationId: "", registrationPrefix: "", restoreRecord: false, takeWrites: [],
    setCredentials: [], freeze: undefined, tracesCalls: false, LMSGetErrorString: "", GetErrorString: "",
    LMSGetDiagnostic: "", GetDiagnostic: "" };
  // The calls that answer a list or an error (src/engine/strlist.rs): decoded here.
  var LISTS = { configure: 1, setCredentials: 1, requestHeaders: 1, takeWrites: 1, purge: 1, configEntries: 1,
    queueKeys: 1, nextToSend: 1, unloadBodies: 1, takeEvents: 1, bridgeOpen: 1, bridgeApplied: 1,
    bridgeSessions: 1, bridgeRecover: 1, handOver: 1 };
  function neutral(name) {
    if (Object.prototype.hasOwnProperty.call(NEUTRAL, name)) return NEUTRAL[name];
    throw new Error(dead || "scorm-shim: the WebAssembly module failed; a new instance took over from the stored data: try again");
  }
  var shim = {};
  /** Wrap every method of `Class` (the course engine adds its own when it takes over). */
  function proxy(Class) {
    Object.getOwnPropertyNames(Class.prototype).forEach(function (name) {
      if (name === "constructor" || name === "free" || typeof Class.prototype[name] !== "function") return;
      // (own properties only: content may have polluted Object.prototype)
      var read = !!READS[name], list = Object.prototype.hasOwnProperty.call(LISTS, name);
      shim[name] = function () {
        if (depth && !recovering) {
          if (Object.prototype.hasOwnProperty.call(NEUTRAL, name)) return NEUTRAL[name];
          throw new Error(NESTED);
        }
        if (!read) invalidate();
        if (dead) return neutral(name);
        var r;
        depth++;
        try {
          r = core[name].apply(core, arguments);
          flushWrites();
        } catch (e) {
          if (!scormShimIsFault(e) || recovering) throw e;
          recover(e);
          return neutral(name);
        } finally {
          depth--;
        }
        return list ? scormShimList(r) : r;
      };
    });
  }
  proxy(Shim);
  // Until the course engine is loaded, the course methods answer as with no package open.
  if (typeof core.openCourse !== "function") scormShimNoCourseYet(shim);

  /**
   * The course engine (`{Shim, renew}`, js/lazy.js) takes over from the
   * run-time module: its instance is made from the run-time's state
   * (Shim.handOver/takeOver: configuration, queue identity, each queue with
   * its request in flight, the backend's state) and answers every call from
   * now on, behind the same API objects. Throws, changing nothing, while a
   * SCO session runs.
   */
  function adopt(engine) {
    if (typeof core.openCourse === "function") return;
    drainEvents();
    var next = engine.Shim.takeOver(scormShimList(core.handOver())[0]);
    try { core.free(); } catch (ignored) { /* the old instance is not needed any more */ }
    core = next;
    Current = engine.Shim;
    if (engine.renew) renew = engine.renew;
    if (engine.bridgeHost) bridgeHost = engine.bridgeHost;
    proxy(engine.Shim);
    invalidate();
    ioMem = core.ioMemory(); ioU8 = null; ioPtr = 0; ioCap = 0;
    caching = !core.tracesCalls();
    flushWrites();
  }

  function startTransport() {
    // Nothing to send or resume before there is a registration to send for
    // (a course player whose package names it: course.open starts it then).
    if (!transport && shim.endpoint() && scormShimNet.fetch && shim.registrationPrefix()) {
      transport = scormShimTransport(shim, emitEvent, durable);
    }
    return transport ? transport.resumed.then(function () { if (shim.idle()) shim.relaunch(); }) : Promise.resolve();
  }

  // At start, before anything reads local state for good: the durable copy
  // of this registration's records, merged into localStorage (it may be
  // ahead after a crash). A launch made already is redone when it changed.
  // course.open() does it again for the registration the package names (or
  // one configured after start). Resolves with whether anything changed.
  function restore() {
    var prefix = shim.registrationPrefix();
    if (!prefix) return Promise.resolve(false);
    return durable.read(prefix).then(function (records) {
      var changed = false;
      for (var i = 0; i + 1 < records.length; i += 2) changed = shim.restoreRecord(records[i], records[i + 1]) || changed;
      if (changed && shim.idle()) shim.relaunch();
      return changed;
    });
  }

  function notify(api, method, args, result) {
    var error;
    depth++;
    try { error = api === "1.2" ? lastError12() : lastError2004(); } finally { depth--; }
    var event = { api: api, method: method, args: args, result: result, error: error, time: scormShimNet.now() };
    // Which rule refused the call, in the engine's words (GetDiagnostic
    // without a call through the API object, so nothing else changes).
    if (error !== "0" && !dead) event.diagnostic = api === "1.2" ? shim.LMSGetDiagnostic("") : shim.GetDiagnostic("");
    for (var i = 0; i < listeners.length; i++) {
      try { listeners[i](event); } catch (e) { console.error("scorm-shim: a call listener threw", e); }
    }
  }
  function lastError12() { return fault12 ? "" + fault12.code : dead ? "101" : "" + core.LMSGetLastError(); }
  function lastError2004() { return fault2004 ? "" + fault2004.code : dead ? "101" : "" + core.GetLastError(); }

  // GetValue cache, one per API object: element -> the value a successful
  // GetValue returned. A read changes nothing in the run-time but its error
  // state, so a repeated read is answered here, without crossing into wasm
  // (only the error state is reset, once, when it is not "no error" already).
  // Every other call into the shim may change values, so it empties both
  // caches first. adl.nav.request_valid.* depends on the sequencer and is
  // never cached; with logLevel "debug" every call goes to wasm (it logs them).
  // The value of the last SetValue that reads back is kept beside the map
  // (setN/setVN), not in it: a run of SetValue calls then neither fills nor
  // empties a Map on every call.
  var cache12 = new Map(), cache2004 = new Map();
  var set12 = null, setV12 = "", set2004 = null, setV2004 = "";
  var clean12 = false, clean2004 = false;
  var caching = !core.tracesCalls();
  function invalidate() {
    if (cache12.size) cache12.clear();
    if (cache2004.size) cache2004.clear();
    set12 = set2004 = null;
    clean12 = clean2004 = false;
  }

  // The longest argument that crosses into wasm: one past the longest value
  // any element accepts (the module refuses it with the right error code),
  // so no call can make the module run out of memory.
  var maxValue = core.maxValueChars() + 1, maxElement = 4096;

  // One function per method, each a direct call into wasm: this is the hot path.
  // Boolean results come back as booleans and error codes as numbers; SCORM
  // wants strings, so they are turned into "true"/"false" and "NNN" here.
  function flag(api, name) {
    var kick = KICK[name];
    var ends = name === "Terminate" || name === "LMSFinish";
    var starts = name === "Initialize" || name === "LMSInitialize";
    var session = api === "1.2" ? session12 : session2004;
    return function (a) {
      var arg1 = arg(a), r = "false";
      if (arg1 === null) { refuseArgument(api); return r; }
      if (depth) return r;
      invalidate();
      if (api === "1.2") fault12 = null; else fault2004 = null;
      if (!dead) {
        depth++;
        try {
          r = core[name](arg1) ? "true" : "false";
          if (r === "true") {
            if (starts) { session.running = true; session.sets.clear(); launched = launched || 1; }
            else if (kick) { session.sets.clear(); if (ends) session.running = false; }
          }
          flushWrites();
        } catch (e) {
          if (!scormShimIsFault(e)) throw e;
          recover(e);
          r = "false";
        } finally {
          depth--;
        }
      }
      // Not again from inside a kick (a browser function the transport calls,
      // replaced by content, that commits): the outer one sends it.
      if (kick && transport && !kicking) {
        kicking = true;
        try { transport.kick(); } finally { kicking = false; }
      }
      // A failed commit may mean the storage is full: tell the page at once.
      if (kick && r === "false") drainEvents();
      if (listeners.length) notify(api, name, [arg1], r);
      if (ends && r === "true" && course.base) course.afterTerminate();
      return r;
    };
  }
  // An argument that cannot be made a string (content passed an object whose
  // toString throws or returns no primitive): the call answers "false" / ""
  // with error 201 (SCORM 1.2 "Invalid argument error", SCORM 2004 "General
  // Argument Error") and changes nothing, instead of throwing into the SCO.
  var BAD_ARGUMENT = { code: 201, diagnostic: "scorm-shim: an argument could not be converted to a string; the call was not carried out" };
  function arg(v) {
    try { return str(v); } catch (e) { return null; }
  }
  function refuseArgument(api) {
    if (depth) return;
    if (api === "1.2") fault12 = BAD_ARGUMENT; else fault2004 = BAD_ARGUMENT;
  }

  // GetValue and SetValue pass their strings through one exchange buffer in
  // wasm memory (Shim.ioBuffer) instead of the generic glue, which allocates
  // and frees per argument and decodes every result with TextDecoder. Short
  // ASCII strings are copied by hand; others go through TextEncoder.encodeInto.
  var ioMem = core.ioMemory(), ioU8 = null, ioPtr = 0, ioCap = 0;
  var ioEncoder = new TextEncoder(), ioDecoder = new TextDecoder();
  // A view of the module's memory, made again when the memory grew (that
  // detaches the old buffer: the view's length becomes 0). Reading
  // Memory.buffer on every call was a visible part of a SetValue.
  function ioView() {
    if (ioU8 === null || ioU8.length === 0) ioU8 = new Uint8Array(ioMem.buffer);
    return ioU8;
  }
  /** Make the buffer at least `need` bytes (it keeps the bytes written so far). */
  function ioReserve(need) {
    if (need > ioCap) {
      ioCap = need > 4096 ? need : Math.max(need, 2 * ioCap, 256);
      ioPtr = core.ioBuffer(ioCap);
    }
  }
  /** Write `s` at byte `at` of the buffer; returns the number of bytes written. */
  function ioWrite(s, at) {
    var n = s.length;
    if (n > 1024) {
      // Long values (suspend_data): encoded in place, room for one byte per
      // unit first (ASCII), and only what is left at 3 bytes per unit, so
      // the buffer grows to about their UTF-8 length and not to the worst
      // case (no intermediate copy, as TextEncoder.encode would make).
      ioReserve(at + n);
      var done = ioEncoder.encodeInto(s, ioView().subarray(ioPtr + at, ioPtr + ioCap));
      if (done.read === n) return done.written;
      ioReserve(at + done.written + 3 * (n - done.read));
      return done.written + ioEncoder.encodeInto(s.slice(done.read), ioView().subarray(ioPtr + at + done.written, ioPtr + ioCap)).written;
    }
    ioReserve(at + 3 * n); // UTF-8 takes at most 3 bytes per UTF-16 unit
    var u8 = ioView(), p = ioPtr + at, i = 0;
    if (n < 64) {
      for (; i < n; i++) {
        var c = s.charCodeAt(i);
        if (c > 127) break;
        u8[p + i] = c;
      }
      if (i === n) return n;
    }
    return ioEncoder.encodeInto(s, u8.subarray(p, ioPtr + ioCap)).written;
  }
  /** The result of a buffered GetValue: `k` ASCII bytes, or in ioTake (-1), or "" (-2: failed). */
  function ioResult(k) {
    if (k > 0) {
      var u8 = ioView();
      return k <= 64 ? String.fromCharCode.apply(null, u8.subarray(ioPtr, ioPtr + k)) : ioDecoder.decode(u8.subarray(ioPtr, ioPtr + k));
    }
    return k === -1 ? core.ioTake() : "";
  }
  /** Arguments as they cross into wasm: strings, cut one past what any element accepts. */
  function cut(s, max) { return s.length > max ? s.slice(0, max) : s; }

  // SetValue answers 0 (failed), 1 (succeeded) or 2 (succeeded, and GetValue
  // of the element now returns exactly the value set): then the value is the
  // cache's first entry. A successful call leaves the error state clean.
  function setter12(a, b) {
    var el = arg(a), v = arg(b), r = 0;
    if (el === null || v === null) { refuseArgument("1.2"); return "false"; }
    if (depth) return "false";
    invalidate();
    fault12 = null;
    if (!dead) {
      depth++;
      try {
        var n = ioWrite(cut(el, maxElement), 0);
        r = core.ioSet12(n, ioWrite(cut(v, maxValue), n));
        if (r && session12.running) session12.sets.set(el, v);
      } catch (e) {
        if (!scormShimIsFault(e)) throw e;
        recover(e);
        r = 0;
      } finally {
        depth--;
      }
    }
    clean12 = r !== 0;
    if (r === 2 && caching) { set12 = el; setV12 = v; }
    r = r ? "true" : "false";
    if (listeners.length) notify("1.2", "LMSSetValue", [el, v], r);
    return r;
  }
  function setter2004(a, b) {
    var el = arg(a), v = arg(b), r = 0;
    if (el === null || v === null) { refuseArgument("2004"); return "false"; }
    if (depth) return "false";
    invalidate();
    fault2004 = null;
    if (!dead) {
      depth++;
      try {
        var n = ioWrite(cut(el, maxElement), 0);
        r = core.ioSet2004(n, ioWrite(cut(v, maxValue), n));
        if (r && session2004.running) session2004.sets.set(el, v);
      } catch (e) {
        if (!scormShimIsFault(e)) throw e;
        recover(e);
        r = 0;
      } finally {
        depth--;
      }
    }
    clean2004 = r !== 0;
    if (r === 2 && caching) { set2004 = el; setV2004 = v; }
    r = r ? "true" : "false";
    if (listeners.length) notify("2004", "SetValue", [el, v], r);
    return r;
  }
  function getter12(a) {
    var el = arg(a);
    if (el === null) { refuseArgument("1.2"); return ""; }
    var r = !caching ? undefined : el === set12 ? setV12 : cache12.get(el);
    if (depth) return "";
    fault12 = null;
    if (dead) {
      r = "";
    } else if (r !== undefined) {
      if (!clean12) { depth++; try { core.clearError12(); } finally { depth--; } clean12 = true; }
    } else {
      depth++;
      try {
        var k = core.ioGet12(ioWrite(cut(el, maxElement), 0));
        r = ioResult(k);
        clean12 = k !== -2;
        if (clean12 && caching) cache12.set(el, r);
      } catch (e) {
        if (!scormShimIsFault(e)) throw e;
        recover(e);
        r = "";
      } finally {
        depth--;
      }
    }
    if (listeners.length) notify("1.2", "LMSGetValue", [el], r);
    return r;
  }
  function getter2004(a) {
    var el = arg(a);
    if (el === null) { refuseArgument("2004"); return ""; }
    var r = !caching ? undefined : el === set2004 ? setV2004 : cache2004.get(el);
    if (depth) return "";
    fault2004 = null;
    if (dead) {
      r = "";
    } else if (r !== undefined) {
      if (!clean2004) { depth++; try { core.clearError2004(); } finally { depth--; } clean2004 = true; }
    } else {
      depth++;
      try {
        var k = core.ioGet2004(ioWrite(cut(el, maxElement), 0));
        r = ioResult(k);
        clean2004 = k !== -2;
        if (clean2004 && caching && el.lastIndexOf("adl.nav.", 0) !== 0) cache2004.set(el, r);
      } catch (e) {
        if (!scormShimIsFault(e)) throw e;
        recover(e);
        r = "";
      } finally {
        depth--;
      }
    }
    if (listeners.length) notify("2004", "GetValue", [el], r);
    return r;
  }
  // GetErrorString, GetDiagnostic: after a fault, its own text.
  function text(api, name) {
    var diagnostic = name === "GetDiagnostic" || name === "LMSGetDiagnostic";
    return function (a) {
      var arg1 = arg(a), f = api === "1.2" ? fault12 : fault2004, r;
      if (depth || arg1 === null) return "";
      if (f && diagnostic && (arg1 === "" || arg1 === "" + f.code)) r = f.diagnostic;
      else if (dead) r = diagnostic ? dead : "";
      else r = shim[name](cut(arg1, maxElement));
      if (listeners.length) notify(api, name, [arg1], r);
      return r;
    };
  }
  function code(api, name) {
    return function () {
      if (depth) return "101";
      var r;
      depth++;
      try { r = api === "1.2" ? lastError12() : lastError2004(); } finally { depth--; }
      if (listeners.length) notify(api, name, [], r);
      return r;
    };
  }

  var api12 = {
    LMSInitialize: flag("1.2", "LMSInitialize"),
    LMSFinish: flag("1.2", "LMSFinish"),
    LMSGetValue: getter12,
    LMSSetValue: setter12,
    LMSCommit: flag("1.2", "LMSCommit"),
    LMSGetLastError: code("1.2", "LMSGetLastError"),
    LMSGetErrorString: text("1.2", "LMSGetErrorString"),
    LMSGetDiagnostic: text("1.2", "LMSGetDiagnostic"),
  };
  var api2004 = {
    Initialize: flag("2004", "Initialize"),
    Terminate: flag("2004", "Terminate"),
    GetValue: getter2004,
    SetValue: setter2004,
    Commit: flag("2004", "Commit"),
    GetLastError: code("2004", "GetLastError"),
    GetErrorString: text("2004", "GetErrorString"),
    GetDiagnostic: text("2004", "GetDiagnostic"),
  };
  // Content may not change the objects it calls.
  Object.freeze(api12);
  Object.freeze(api2004);

  // window.API and window.API_1484_11: accessors that content can neither
  // replace nor delete (non-configurable; assigning has no effect), giving
  // the object while its version is exposed and undefined otherwise.
  var has12 = false, has2004 = false;
  // While a SCO runs through the content-origin bridge (js/bridge-host.js),
  // this page's instances are its mirror: nothing on this page finds them.
  var bridged = false;
  function place() {
    has12 = !dead && shim.has12();
    has2004 = !dead && shim.has2004();
  }
  place();
  function define(name, get) {
    try {
      Object.defineProperty(target, name, {
        get: get,
        set: function () { console.warn("scorm-shim: " + name + " cannot be replaced"); },
        enumerable: true,
        configurable: false,
      });
    } catch (e) {
      console.error("scorm-shim: " + name + " could not be installed on the page: " + e.message);
    }
  }
  define("API", function () { return has12 && !bridged ? api12 : undefined; });
  define("API_1484_11", function () { return has2004 && !bridged ? api2004 : undefined; });

  // Playing a content package: the SCO's own navigation requests are
  // processed after its Terminate call has returned; the user's requests
  // first unload the SCO (which may terminate itself while unloading).
  var course = {
    base: null,
    xml: null,
    organization: "",
    frame: null,
    bridgeUrl: null,
    busy: false,
    deliverListeners: [],
    resolve: function (view) {
      if (view && view.type === "launch") {
        var url = scormShimLaunchUrl(view.href, course.base);
        if (url.error) return { type: "error", id: "launch", message: url.error };
        view.url = url.href;
        // A package on another origin: through the bridge there (js/bridge-host.js).
        if (handle.bridge && new URL(url.href).origin !== location.origin) {
          try {
            view.url = handle.bridge.prepare(url.href, course.bridgeUrl || new URL("bridge.html", course.base).href, course.frame);
          } catch (e) {
            return { type: "error", id: "launch", message: e.message };
          }
        }
      }
      return view;
    },
    afterTerminate: function () {
      setTimeout(function () {
        if (course.busy) return;
        // null: the SCO ended without a request; the navigation state changed all the same.
        var view = course.resolve(shim.takeDelivery());
        for (var i = 0; i < course.deliverListeners.length; i++) course.deliverListeners[i](view);
      }, 0);
    },
  };

  var handle = {
    /** The SCORM 1.2 API object (also `window.API` when exposed). */
    api12: api12,
    /** The SCORM 2004 API object (also `window.API_1484_11` when exposed). */
    api2004: api2004,
    /**
     * Apply more configuration; returns the rejected entries' messages.
     * Throws once content has been launched: the configuration is frozen then.
     */
    configure: function (obj) {
      var hadEndpoint = !!shim.endpoint();
      var given = scormShimPairs(obj);
      var errors = shim.configure(scormShimEncode(given));
      pairs = pairs.concat(given);
      caching = !core.tracesCalls();
      place();
      if (transport && obj && (Object.prototype.hasOwnProperty.call(obj, "endpoint") || Object.prototype.hasOwnProperty.call(obj, "storagePrefix"))) {
        console.warn("scorm-shim: a new endpoint or storage prefix takes effect for sending at the next page load");
      } else if (!hadEndpoint && shim.endpoint()) {
        startTransport();
      }
      return errors;
    },
    /**
     * A new session with new configuration, for a page that plays session after
     * session (the author preview): the configuration frozen by the last one may
     * change again. Throws while a SCO session runs. Only on the ES module's
     * handle: window.ScormShim does not offer it, so content cannot reach it.
     */
    newSession: function (obj) {
      if (!shim.thaw()) throw new Error("scorm-shim: newSession(): a SCO session is running; unload it first");
      launched = 0;
      return handle.configure(obj || {});
    },
    /**
     * New credentials for the backend (`{headers: {Authorization: "Bearer …"}}`),
     * allowed at any time: after a 401/403 ("authRequired" event) sending resumes.
     * Returns the rejected entries' messages. Headers are never readable back.
     */
    setCredentials: function (obj) {
      var text = scormShimHeaderText(obj && typeof obj === "object" ? obj.headers : obj);
      var errors = shim.setCredentials(text);
      if (!errors.length) {
        pairs.push("headers", text);
        if (transport) transport.kick();
      }
      return errors;
    },
    /** The effective configuration (without headers: credentials are never given back). */
    config: function () {
      var flat = shim.configEntries();
      var out = {};
      for (var i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
      return out;
    },
    /** Start a new launch of the SCO: fresh API instances from stored state. */
    relaunch: function () { shim.relaunch(); },
    /**
     * Every data model element's current value, per API, for a debugger:
     * {"1.2": {state, elements: [[name, value], ...]}, "2004": {...}}. Reads
     * nothing through the API objects (the SCO's error state is untouched).
     */
    dataModel: function () { return scormShimNet.parse(shim.dataModel()); },
    /** Watch every API call: `listener({api, method, args, result, error, time})`. Returns an unsubscribe function. */
    onCall: function (listener) {
      return subscribe(listeners, listener);
    },
    /**
     * Watch the commit queue and local storage: `listener({type, ...})` with type "storageError"
     * (a commit could not be stored locally, e.g. the quota is full), "storageDisabled" (no
     * learner and registration configured: nothing is stored), "queued", "sent", "acknowledged",
     * "retrying", "failedPermanently", "authRequired" (401/403: sending waits for setCredentials),
     * "queueFull", "offline", "online", "restored" (the stored queues of the registration, with
     * any refused batches, were taken over by this page), "recovered" or "failed" (a fault in
     * the module).
     */
    onEvent: function (listener) {
      return subscribe(eventListeners, listener);
    },
    /** The commit queue per data model: pending batches, last acknowledged sequence number, failures. */
    queueStatus: function () {
      return transport ? transport.status() : scormShimNet.parse(shim.queueStatus(scormShimNet.now()));
    },
    /**
     * The batches the backend refused for good (kept until someone decides):
     * [{version, id, seq, sco, status, reason, ts, changes: [[element, value], ...]}].
     */
    failedBatches: function () {
      var byVersion = scormShimNet.parse(shim.failedBatches() || "{}"), out = [];
      Object.keys(byVersion).forEach(function (version) {
        byVersion[version].forEach(function (b) { b.version = version; out.push(b); });
      });
      return out;
    },
    /** Send a refused batch again, as a new batch after the others. Returns whether `id` named one. */
    retryFailed: function (id) {
      var found = shim.decideFailed(str(id), true);
      drainEvents();
      if (found && transport) transport.kick();
      return found;
    },
    /** Forget a refused batch for good. Returns whether `id` named one. */
    discardFailed: function (id) {
      return shim.decideFailed(str(id), false);
    },
    /**
     * Remove this learner's local data (at logout on a shared device). Waits until the
     * queue has delivered what it holds (pending batches); with `{force: true}` removes
     * everything at once, undelivered data included. Resolves with {removed, kept}.
     */
    purge: function (options) {
      var force = !!(options && options.force === true);
      if (!force && !shim.endpoint()) {
        return Promise.reject(new Error("scorm-shim: purge(): without an endpoint the local data is the only copy; " +
          "pass {force: true} to remove it anyway"));
      }
      var delivered = force || !transport ? Promise.resolve() : transport.delivered();
      return delivered.then(function () {
        var r = shim.purge(force);
        var removePrefix = force && r[2] ? durable.removePrefix(r[2]) : Promise.resolve();
        return removePrefix.then(function () { return durable.settled(); }).then(function () {
          return { removed: Number(r[0]), kept: Number(r[1]) };
        });
      });
    },
    /** Start sending to the configured endpoint; resolves once the backend's state is known. */
    start: function () {
      started = restore().then(startTransport, function (e) {
        console.error("scorm-shim: the durable copy could not be read", e);
        return startTransport();
      }).then(drainEvents);
      return started;
    },
    /** Content packages: open a manifest, navigate, and follow what the sequencer delivers. */
    course: {
      /**
       * Fetch and open `manifestUrl` (launch URLs resolve against it). The tracking
       * data goes to the course and registration the configuration names, else to
       * the package's own (courseId: the manifest identifier; registrationId: one per
       * learner, package URL and SCORM version). `options`: the organization to play
       * (a string, or `{organization}`), and `credentials({learnerId, courseId,
       * registrationId})`, which returns (or resolves with) `{headers}` for that
       * registration (the LMS's launch token) before the backend is asked for it. Resolves, once the backend's state
       * of that registration is known, with {identifier, title, version, organization,
       * warnings, notes, canResume, courseId, registrationId}; rejects with the parse
       * error (line and column) for a manifest that cannot be played.
       */
      open: function (manifestUrl, options) {
        // open(url, organization) or open(url, {organization, credentials})
        var opts = options && typeof options === "object" ? options : { organization: options };
        var organization = opts.organization ? str(opts.organization) : "";
        // Where the bridge for a package on another origin is (default: bridge.html beside the manifest).
        var bridgeUrl = opts.bridgeUrl ? new URL(str(opts.bridgeUrl), document.baseURI).href : null;
        var url;
        try {
          url = scormShimPackageUrl(manifestUrl, handle.config().packageOrigins);
          // The page's registration for this package (a library of courses
          // kept per version): configuration, so refused once content ran.
          if (opts.registrationId !== undefined && opts.registrationId !== null) {
            var refused = handle.configure({ registrationId: str(opts.registrationId) });
            if (refused.length) throw new Error("scorm-shim: " + refused.join("; "));
          }
        } catch (e) {
          return Promise.reject(e);
        }
        // The course engine loads beside the manifest (js/lazy.js).
        var engine = typeof core.openCourse === "function" || !loadCourse ? null : loadCourse();
        var info;
        return Promise.all([(scormShimNet.fetch || fetch)(url, { credentials: "same-origin" })
          .then(function (res) {
            if (!res.ok) throw new Error("scorm-shim: " + url + " answered " + res.status);
            return res.text();
          }), engine])
          .then(function (loaded) {
            var xml = loaded[0];
            if (loaded[1]) adopt(loaded[1]);
            info = shim.openCourse(xml, organization, url);
            // The registration is known now: its durable copy is merged in
            // (after a browser crash localStorage may have lost what
            // IndexedDB kept), and the package opened again when it changed.
            return restore().then(function (changed) {
              if (changed) info = shim.openCourse(xml, organization, url);
            }, function (e) {
              console.error("scorm-shim: the durable copy could not be read", e);
            }).then(function () { return xml; });
          })
          .then(function (xml) {
            course.base = url;
            course.bridgeUrl = bridgeUrl;
            course.xml = xml;
            course.organization = organization;
            place();
            // The launch token of the registration the package names, from the LMS.
            if (typeof opts.credentials !== "function") return null;
            return opts.credentials({ learnerId: handle.config().learnerId, courseId: info.courseId, registrationId: info.registrationId });
          })
          .then(function (credentials) {
            if (credentials) {
              var errors = handle.setCredentials(credentials);
              if (errors.length) throw new Error(errors.join("; "));
            }
            return transport ? transport.retarget() : startTransport();
          })
          .then(function () { return info; });
      },
      /**
       * A navigation request from the user ("start", "resumeAll", "continue", "previous",
       * "exit", "exitAll", "suspendAll", "abandon", "abandonAll", "{target=ID}choice").
       * With `frame`, the running SCO is unloaded first. Resolves with
       * {type: "launch", url, activityId, title, isSco} | {type: "ended"} | {type: "nothing"} | {type: "error", id, message}.
       */
      navigate: function (request, frame) {
        // A request the sequencer refuses changes nothing: the SCO keeps running.
        var refused = shim.acceptsRequest(str(request));
        if (refused) return Promise.resolve(refused);
        // Content is about to run: the configuration is frozen from now on.
        shim.freeze(true);
        launched = 2;
        course.busy = true;
        if (frame) course.frame = frame;
        var unloaded = !frame || frame.src === "about:blank" ? Promise.resolve() : new Promise(function (resolve) {
          var done = function () { frame.removeEventListener("load", done); resolve(); };
          frame.addEventListener("load", done);
          frame.src = "about:blank";
        });
        return unloaded.then(function () {
          // Let the SCO's unload handlers (Terminate) finish first.
          return new Promise(function (r) { setTimeout(r, 0); });
        }).then(function () {
          // A SCO that ran through the bridge: its last calls are in first.
          return handle.bridge ? handle.bridge.settle() : null;
        }).then(function () {
          course.busy = false;
          return course.resolve(shim.navigate(str(request)));
        });
      },
      /**
       * What a user interface may offer now (valid requests and, for each that is not,
       * `why: {id, message}`; per activity visible, enabled, selectable, status, and
       * `why` where it is closed).
       */
      navState: function () { return shim.navState(); },
      /**
       * Whether `request` would be accepted now, without any change: null, or the
       * {type: "error", id, message} navigate() would resolve with (NB.2.1, then
       * the whole request simulated on a copy of the state; message in plain
       * words where the package says why, e.g. SCORM 1.2 prerequisites).
       */
      accepts: function (request) { return shim.acceptsRequest(str(request)); },
      /** The course's result so far: {completion, success, score} (score 0..1 or null); null before open. */
      result: function () { return shim.courseResult(); },
      /** The activity tree with titles, launch URLs and complete sequencing definitions. */
      tree: function () { return shim.courseTree(); },
      /**
       * The sequencing state for a debugger (SCORM 2004; null otherwise): per activity
       * {id, title, parent, objectives, state: {attemptCount, objectives: [...], ...}},
       * globals, current, suspended.
       */
      state: function () { return shim.courseState(); },
      /**
       * Read a manifest's text for an import report, without opening it (resolves,
       * once the course engine is loaded, with)
       * {manifest: {version, organizations, resources, activityTree, warnings, ...}}
       * or {error: {kind, element, line, column, message}}.
       */
      inspect: function (xml, organization) {
        // The manifest reader is in the course engine: loaded first when needed.
        var engine = typeof core.openCourse === "function" || !loadCourse ? null : loadCourse();
        return Promise.resolve(engine).then(function (loaded) {
          return (loaded ? loaded.Shim : Current).inspectManifest(str(xml), str(organization));
        });
      },
      /**
       * After each SCO session ends: what the SCO asked the sequencer for (adl.nav.request),
       * processed — a view as navigate() resolves with — or null when it asked for nothing.
       */
      onDeliver: function (listener) { return subscribe(course.deliverListeners, listener); },
    },
  };
  var started = null; // handle.start()'s promise
  // The content-origin bridge: js/bridge-entry.js in the drop-in, its
  // implementation (js/bridge-host.js) in this build or with the course engine.
  var bridgeHost = typeof scormShimBridgeHost === "function" ? scormShimBridgeHost : null;
  if (typeof scormShimBridgeEntry === "function") {
    handle.bridge = Object.freeze(scormShimBridgeEntry({
      shim: shim, api12: api12, api2004: api2004, durable: durable, emit: emitEvent,
      hide: function (on) { bridged = on; },
      ready: function () { return started || Promise.resolve(); },
      kick: function () { if (transport) transport.kick(); }, // change sets recovered: send now
      configure: function (obj) { return handle.configure(obj); },
      config: function () { return handle.config(); },
      factory: function () { return bridgeHost; },
      // The course engine, loaded and in charge (the bridge's Rust is in it).
      engine: function () {
        if (typeof core.openCourse === "function" || !loadCourse) return Promise.resolve();
        return loadCourse().then(adopt);
      },
    }));
  }
  return handle;
}

/**
 * The URL of a package's manifest, checked: http(s), on the page's own origin
 * or one the configuration's `packageOrigins` names. Throws otherwise.
 */
function scormShimPackageUrl(manifestUrl, allowed) {
  var url = new URL(String(manifestUrl), document.baseURI);
  var origins = (allowed || "").split(",").filter(Boolean);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("scorm-shim: a package must be loaded over http(s), not " + url.protocol);
  }
  if (url.origin !== location.origin && origins.indexOf(url.origin) < 0) {
    throw new Error("scorm-shim: the package at " + url.origin + " is on another origin; " +
      "only this page's origin is allowed (configuration key packageOrigins)");
  }
  return url.href;
}

/**
 * The URL to launch for a package's `href` (the manifest parser has checked it
 * already; this holds on the final URL too): http(s), on the manifest's origin
 * and under the manifest's directory. `{href}`, or `{error}` saying why not.
 */
function scormShimLaunchUrl(href, base) {
  var url, root = new URL(".", base);
  try { url = new URL(href, base); } catch (e) { return { error: "the launch location " + JSON.stringify(href) + " is not a URL" }; }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== root.origin ||
      url.pathname.indexOf(root.pathname) !== 0) {
    return { error: "the launch location " + JSON.stringify(href) + " points outside the package" };
  }
  return { href: url.href };
}

function subscribe(list, listener) {
  list.push(listener);
  return function () {
    var i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  };
}
