// scorm-shim installer. Shared by the classic script (pkg/scorm-shim.js) and the
// ES module entry (pkg/index.js): the build concatenates it after the
// wasm-bindgen glue. It turns a wasm `Shim` into the two SCORM API objects, with
// nothing but argument coercion in between: all SCORM logic lives in Rust.

/** Flatten a configuration object into the [key, value, ...] list the wasm side parses. */
function scormShimPairs(obj) {
  var out = [];
  if (!obj || typeof obj !== "object") return out;
  Object.keys(obj).forEach(function (key) {
    var value = obj[key];
    if (value === undefined || value === null) return;
    if (key === "headers" && typeof value === "object") {
      value = Object.keys(value).map(function (name) { return name + ": " + value[name]; }).join("; ");
    }
    out.push(key, String(value));
  });
  return out;
}

/** SCORM arguments arrive as anything JavaScript can pass; the APIs take strings. */
function scormShimStr(v) {
  return v === undefined || v === null ? "" : String(v);
}

/**
 * Create the shim from `config` and install `API` / `API_1484_11` on `target`.
 * Returns the handle that `window.ScormShim` exposes. `loadCourse` (js/lazy.js)
 * loads the course engine when `Shim` is the run-time module's.
 */
function scormShimInstall(Shim, target, config, loadCourse) {
  var shim = new Shim(scormShimPairs(config));
  if (typeof shim.openCourse !== "function") scormShimNoCourseYet(shim);
  var listeners = [];
  var eventListeners = [];
  var transport = null;
  var str = scormShimStr;
  // Calls after which the commit queue has something new to send.
  var KICK = { LMSCommit: 1, LMSFinish: 1, Commit: 1, Terminate: 1 };

  function emitEvent(event) {
    for (var i = 0; i < eventListeners.length; i++) {
      try { eventListeners[i](event); } catch (e) { console.error("scorm-shim: an event listener threw", e); }
    }
  }

  function drainEvents() {
    var events = shim.takeEvents();
    for (var i = 0; i < events.length; i++) {
      try { emitEvent(JSON.parse(events[i])); } catch (e) { /* malformed event: ignore */ }
    }
  }

  function startTransport() {
    if (!transport && shim.endpoint() && typeof fetch === "function") {
      transport = scormShimTransport(shim, handle.config, emitEvent);
    }
    return transport ? transport.resumed.then(function () { if (shim.idle()) shim.relaunch(); }) : Promise.resolve();
  }

  function notify(api, method, args, result) {
    var error = "" + (api === "1.2" ? shim.LMSGetLastError() : shim.GetLastError());
    var event = { api: api, method: method, args: args, result: result, error: error, time: Date.now() };
    // Which rule refused the call, in the engine's words (GetDiagnostic
    // without a call through the API object, so nothing else changes).
    if (error !== "0") event.diagnostic = api === "1.2" ? shim.LMSGetDiagnostic("") : shim.GetDiagnostic("");
    for (var i = 0; i < listeners.length; i++) {
      try { listeners[i](event); } catch (e) { console.error("scorm-shim: a call listener threw", e); }
    }
  }

  // GetValue cache, one per API object: element -> the value a successful
  // GetValue returned. A read changes nothing in the run-time but its error
  // state, so a repeated read is answered here, without crossing into wasm
  // (only the error state is reset, once, when it is not "no error" already).
  // Every other call into the shim may change values, so it empties both
  // caches first. adl.nav.request_valid.* depends on the sequencer and is
  // never cached; with logLevel "debug" every call goes to wasm (it logs them).
  var cache12 = new Map(), cache2004 = new Map();
  var clean12 = false, clean2004 = false;
  var caching = !shim.tracesCalls();
  function invalidate() {
    if (cache12.size) cache12.clear();
    if (cache2004.size) cache2004.clear();
    clean12 = clean2004 = false;
  }
  // Every shim method but the API calls (handled below) and those that only
  // read empties the caches: transport.js and the handle call them directly.
  var READS = {
    LMSGetValue: 1, GetValue: 1, LMSGetLastError: 1, GetLastError: 1, LMSGetErrorString: 1, GetErrorString: 1,
    LMSGetDiagnostic: 1, GetDiagnostic: 1, LMSInitialize: 1, LMSFinish: 1, LMSSetValue: 1, LMSCommit: 1,
    Initialize: 1, Terminate: 1, SetValue: 1, Commit: 1, endpoint: 1, has12: 1, has2004: 1, idle: 1,
    configEntries: 1, tracesCalls: 1, clearError12: 1, clearError2004: 1, constructor: 1,
    navState: 1, courseResult: 1, courseTree: 1, failedBatches: 1, acceptsRequest: 1,
    ioMemory: 1, ioBuffer: 1, ioTake: 1, ioGet12: 1, ioGet2004: 1, ioSet12: 1, ioSet2004: 1,
    dataModel: 1, courseState: 1,
  };
  function wrap(s) {
    Object.getOwnPropertyNames(Object.getPrototypeOf(s)).forEach(function (name) {
      var f = s[name];
      if (READS[name] || typeof f !== "function") return;
      s[name] = function () { invalidate(); return f.apply(s, arguments); };
    });
  }
  wrap(shim);

  // One function per method, each a direct call into wasm: this is the hot path.
  // Boolean results come back as booleans and error codes as numbers; SCORM
  // wants strings, so they are turned into "true"/"false" and "NNN" here.
  function flag(api, name) {
    var kick = KICK[name];
    var ends = name === "Terminate" || name === "LMSFinish";
    return function (a) {
      invalidate();
      var r = shim[name](str(a)) ? "true" : "false";
      if (kick && transport) transport.kick();
      // A failed commit may mean the storage is full: tell the page at once.
      if (kick && r === "false") drainEvents();
      if (listeners.length) notify(api, name, [str(a)], r);
      if (ends && r === "true" && course.base) course.afterTerminate();
      return r;
    };
  }
  // GetValue and SetValue pass their strings through one exchange buffer in
  // wasm memory (Shim.ioBuffer) instead of the generic glue, which allocates
  // and frees per argument and decodes every result with TextDecoder. Short
  // ASCII strings are copied by hand; others go through TextEncoder.encodeInto.
  var ioMem = shim.ioMemory(), ioU8 = null, ioPtr = 0, ioCap = 0;
  /** The course engine takes over from the run-time module (js/lazy.js). */
  function adopt(Next) {
    if (typeof shim.openCourse === "function") return;
    drainEvents();
    shim = scormShimAdopt(shim, Next);
    wrap(shim);
    invalidate();
    ioMem = shim.ioMemory(); ioU8 = null; ioPtr = 0; ioCap = 0;
  }
  var ioEncoder = new TextEncoder(), ioDecoder = new TextDecoder();
  function ioView() {
    if (ioU8 === null || ioU8.buffer !== ioMem.buffer) ioU8 = new Uint8Array(ioMem.buffer);
    return ioU8;
  }
  /** Make the buffer at least `need` bytes (it keeps the bytes written so far). */
  function ioReserve(need) {
    if (need > ioCap) {
      ioCap = need > 4096 ? need : Math.max(need, 2 * ioCap, 256);
      ioPtr = shim.ioBuffer(ioCap);
    }
  }
  /** Write `s` at byte `at` of the buffer; returns the number of bytes written. */
  function ioWrite(s, at) {
    var n = s.length;
    if (n > 1024) {
      // Long values (suspend_data): encoded first, so the buffer grows to
      // their UTF-8 length and not to the worst case of 3 bytes per unit.
      var bytes = ioEncoder.encode(s);
      ioReserve(at + bytes.length);
      ioView().set(bytes, ioPtr + at);
      return bytes.length;
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
    return k === -1 ? shim.ioTake() : "";
  }

  // SetValue answers 0 (failed), 1 (succeeded) or 2 (succeeded, and GetValue
  // of the element now returns exactly the value set): then the value is the
  // cache's first entry. A successful call leaves the error state clean.
  function setter12(a, b) {
    var el = str(a), v = str(b);
    invalidate();
    var n = ioWrite(el, 0);
    var r = shim.ioSet12(n, ioWrite(v, n));
    clean12 = r !== 0;
    if (r === 2 && caching) cache12.set(el, v);
    r = r ? "true" : "false";
    if (listeners.length) notify("1.2", "LMSSetValue", [el, v], r);
    return r;
  }
  function setter2004(a, b) {
    var el = str(a), v = str(b);
    invalidate();
    var n = ioWrite(el, 0);
    var r = shim.ioSet2004(n, ioWrite(v, n));
    clean2004 = r !== 0;
    if (r === 2 && caching) cache2004.set(el, v);
    r = r ? "true" : "false";
    if (listeners.length) notify("2004", "SetValue", [el, v], r);
    return r;
  }
  function getter12(a) {
    var el = str(a), r = caching ? cache12.get(el) : undefined;
    if (r !== undefined) {
      if (!clean12) { shim.clearError12(); clean12 = true; }
    } else {
      var k = shim.ioGet12(ioWrite(el, 0));
      r = ioResult(k);
      clean12 = k !== -2;
      if (clean12 && caching) cache12.set(el, r);
    }
    if (listeners.length) notify("1.2", "LMSGetValue", [el], r);
    return r;
  }
  function getter2004(a) {
    var el = str(a), r = caching ? cache2004.get(el) : undefined;
    if (r !== undefined) {
      if (!clean2004) { shim.clearError2004(); clean2004 = true; }
    } else {
      var k = shim.ioGet2004(ioWrite(el, 0));
      r = ioResult(k);
      clean2004 = k !== -2;
      if (clean2004 && caching && el.lastIndexOf("adl.nav.", 0) !== 0) cache2004.set(el, r);
    }
    if (listeners.length) notify("2004", "GetValue", [el], r);
    return r;
  }
  function text(api, name) {
    return function (a) {
      var r = shim[name](str(a));
      if (listeners.length) notify(api, name, [str(a)], r);
      return r;
    };
  }
  function code(api, name) {
    return function () {
      var r = "" + shim[name]();
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

  function place() {
    if (shim.has12()) target.API = api12; else if (target.API === api12) delete target.API;
    if (shim.has2004()) target.API_1484_11 = api2004; else if (target.API_1484_11 === api2004) delete target.API_1484_11;
  }
  place();

  // Playing a content package: the SCO's own navigation requests are
  // processed after its Terminate call has returned; the user's requests
  // first unload the SCO (which may terminate itself while unloading).
  var course = {
    base: null,
    frame: null,
    busy: false,
    deliverListeners: [],
    resolve: function (view) {
      if (view && view.type === "launch") {
        var url = scormShimLaunchUrl(view.href, course.base);
        if (url.error) return { type: "error", id: "launch", message: url.error };
        view.url = url.href;
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
    /** Apply more configuration; returns the rejected entries' messages. */
    configure: function (obj) {
      var hadEndpoint = !!shim.endpoint();
      var errors = shim.configure(scormShimPairs(obj));
      caching = !shim.tracesCalls();
      place();
      if (transport && obj && ("endpoint" in obj || "storagePrefix" in obj)) {
        console.warn("scorm-shim: a new endpoint or storage prefix takes effect for sending at the next page load");
      } else if (!hadEndpoint && shim.endpoint()) {
        startTransport();
      }
      return errors;
    },
    /** The effective configuration. */
    config: function () {
      var flat = shim.configEntries();
      var out = { headers: {} };
      for (var i = 0; i + 1 < flat.length; i += 2) {
        if (flat[i] === "header") {
          var at = flat[i + 1].indexOf(":");
          out.headers[flat[i + 1].slice(0, at)] = flat[i + 1].slice(at + 1).trim();
        } else out[flat[i]] = flat[i + 1];
      }
      return out;
    },
    /** Start a new launch of the SCO: fresh API instances from stored state. */
    relaunch: function () { shim.relaunch(); },
    /**
     * Every data model element's current value, per API, for a debugger:
     * {"1.2": {state, elements: [[name, value], ...]}, "2004": {...}}. Reads
     * nothing through the API objects (the SCO's error state is untouched).
     */
    dataModel: function () { return JSON.parse(shim.dataModel()); },
    /** Watch every API call: `listener({api, method, args, result, error, time})`. Returns an unsubscribe function. */
    onCall: function (listener) {
      return subscribe(listeners, listener);
    },
    /**
     * Watch the commit queue and local storage: `listener({type, ...})` with type "storageError"
     * (a commit could not be stored locally, e.g. the quota is full), "queued", "sent",
     * "acknowledged", "retrying", "failedPermanently", "offline", "online" or "restored" (the stored
     * queues of the registration, with any refused batches, were taken over by this page).
     */
    onEvent: function (listener) {
      return subscribe(eventListeners, listener);
    },
    /** The commit queue per data model: pending batches, last acknowledged sequence number, failures. */
    queueStatus: function () {
      return transport ? transport.status() : JSON.parse(shim.queueStatus(Date.now()));
    },
    /**
     * The batches the backend refused for good (kept until someone decides):
     * [{version, id, seq, sco, status, reason, ts, changes: [[element, value], ...]}].
     */
    failedBatches: function () {
      var byVersion = JSON.parse(shim.failedBatches()), out = [];
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
    /** Start sending to the configured endpoint; resolves once the backend's state is known. */
    start: startTransport,
    /** Content packages: open a manifest, navigate, and follow what the sequencer delivers. */
    course: {
      /**
       * Fetch and open `manifestUrl` (launch URLs resolve against it). The tracking
       * data goes to the course and registration the configuration names, else to
       * the package's own (courseId: the manifest identifier; registrationId: one per
       * learner, package URL and SCORM version). Resolves, once the backend's state
       * of that registration is known, with {identifier, title, version, organization,
       * warnings, notes, canResume, courseId, registrationId}; rejects with the parse
       * error (line and column) for a manifest that cannot be played.
       */
      open: function (manifestUrl, organization) {
        var url;
        try {
          url = scormShimPackageUrl(manifestUrl, handle.config().packageOrigins);
        } catch (e) {
          return Promise.reject(e);
        }
        // The course engine loads beside the manifest (js/lazy.js).
        var engine = typeof shim.openCourse === "function" || !loadCourse ? null : loadCourse();
        return Promise.all([fetch(url, { credentials: "same-origin" })
          .then(function (res) {
            if (!res.ok) throw new Error("scorm-shim: " + url + " answered " + res.status);
            return res.text();
          }), engine])
          .then(function (loaded) {
            if (loaded[1]) adopt(loaded[1]);
            var info = shim.openCourse(loaded[0], organization || "", url);
            course.base = url;
            place();
            return (transport ? transport.retarget() : Promise.resolve()).then(function () { return info; });
          });
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
        course.busy = true;
        var unloaded = !frame || frame.src === "about:blank" ? Promise.resolve() : new Promise(function (resolve) {
          var done = function () { frame.removeEventListener("load", done); resolve(); };
          frame.addEventListener("load", done);
          frame.src = "about:blank";
        });
        return unloaded.then(function () {
          // Let the SCO's unload handlers (Terminate) finish first.
          return new Promise(function (r) { setTimeout(r, 0); });
        }).then(function () {
          course.busy = false;
          return course.resolve(shim.navigate(str(request)));
        });
      },
      /**
       * What a user interface may offer now (valid requests; per activity visible, enabled,
       * selectable, status, and `why: {id, message}` where the package says why it is closed).
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
        var engine = typeof shim.openCourse === "function" || !loadCourse ? null : loadCourse();
        var self = Object.getPrototypeOf(shim).constructor;
        return Promise.resolve(engine).then(function (Next) {
          return (Next || self).inspectManifest(str(xml), str(organization));
        });
      },
      /**
       * After each SCO session ends: what the SCO asked the sequencer for (adl.nav.request),
       * processed — a view as navigate() resolves with — or null when it asked for nothing.
       */
      onDeliver: function (listener) { return subscribe(course.deliverListeners, listener); },
    },
  };
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
