// The bridge page's side of the content-origin bridge (issue 17): the boot of
// pkg/bridge/scorm-shim-bridge.js, which www/bridge.html loads on the content
// origin (a static copy of pkg/bridge/ next to the content). The build wraps
// it, like js/classic-tail.js, in one function with the wasm-bindgen glue
// (the run-time module with the cargo feature `bridge`), the installer and
// the durable copy.
//
// The LMS page frames `bridge.html#<nonce>`. This page says hello to it (to
// the origins its script tag names in `data-lms-origin`, and nowhere else),
// hands back what earlier sessions left here when the LMS page asks (opened
// with the keys it sends), then builds the SCO's API instances from the
// launch record it receives, installs `window.API` / `window.API_1484_11`
// and frames the SCO, which finds them the standard way. Every call is
// answered here; the calls go to the LMS page in order (one message per
// task), which replays them on its own instances and stores them. A
// Commit/Terminate answers "true" once its change set is sealed in this
// origin's storage; the LMS page's acknowledgement removes it again.
// Messages are described in js/bridge-host.js.
var scormShimScript = typeof document !== "undefined" ? document.currentScript : null;

(function bridge(global) {
  var MARK = "scormShimBridge";
  var doc = global.document;
  var status = doc.getElementById("scorm-shim-bridge-status");
  // The SCO's frame fills the page (styles set from here: no inline style
  // for a content origin's Content-Security-Policy to allow).
  doc.documentElement.style.height = "100%";
  doc.body.style.cssText = "margin:0;height:100%;overflow:hidden;font:16px/1.5 system-ui,sans-serif";
  if (status) status.style.cssText = "margin:0;padding:1em;max-width:40em";

  function show(text) {
    if (!status) return;
    status.textContent = text;
    status.hidden = false;
  }
  function fail(message) {
    console.error("scorm-shim: bridge: " + message);
    show("This course page could not start. " + message);
  }
  function originOf(s) {
    try {
      var u = new URL(s);
      return (u.protocol === "http:" || u.protocol === "https:") && u.origin + "" === s ? u.origin : null;
    } catch (e) {
      return null;
    }
  }

  // ---- Configuration: which LMS pages may launch this bridge --------------
  var given = String(scormShimScript && scormShimScript.dataset ? scormShimScript.dataset.lmsOrigin || "" : "");
  var origins = given.split(/[\s,]+/).filter(Boolean);
  var wrong = origins.filter(function (o) { return originOf(o) === null; });
  if (!origins.length || wrong.length) {
    fail("the script tag's data-lms-origin must name the LMS page's origin (e.g. https://lms.example.com" +
      (wrong.length ? "; not an origin: " + wrong.join(", ") : "") + "). Nothing was loaded.");
    return;
  }
  var lmsWin = global.parent !== global ? global.parent : global.opener;
  var nonce = global.location.hash.slice(1);
  if (!lmsWin) {
    fail("it must be launched by an LMS page (ScormShim.bridge.launch), not opened on its own. Nothing was loaded.");
    return;
  }
  if (!/^[0-9a-f]{32}$/.test(nonce)) {
    fail("its address lacks the launch's nonce (#…); only ScormShim.bridge.launch opens it. Nothing was loaded.");
    return;
  }
  // The LMS page launches the next SCO with a new nonce: when only the
  // fragment changes, the browser keeps this document, so it loads anew
  // (saying goodbye for this session as it unloads).
  global.addEventListener("hashchange", function () {
    if (global.location.hash.slice(1) !== nonce) global.location.reload();
  });
  var ancestors = global.location.ancestorOrigins;
  if (ancestors && ancestors.length && origins.indexOf(ancestors[0]) < 0) {
    fail("it was opened by a page on " + ancestors[0] + ", which its data-lms-origin (" + origins.join(", ") +
      ") does not name. Nothing was loaded.");
    return;
  }

  // ---- The module ----------------------------------------------------------
  var module = null;
  // A module, or a promise of it where the browser refuses to compile
  // synchronously (js/inflate.js, scormShimModule).
  var compiled;
  try {
    compiled = scormShimModule(SCORM_SHIM_WASM, SCORM_SHIM_WASM_SIZE);
  } catch (e) {
    fail("its module could not be read or compiled (" + e.message + ").");
    return;
  }
  function renew() {
    var glue = scormShimGlue();
    glue.initSync({ module: module });
    return glue.Shim;
  }
  var lms = null; // the LMS page's origin, once it answered
  var session = null;
  var guest = null; // the current instance (js/install.js makes it with make())
  var durable = scormShimDurable();

  function post(message) {
    message[MARK] = 1;
    if (lms) {
      lmsWin.postMessage(message, lms);
    } else {
      // Not yet known which configured origin it is: only the matching one receives it.
      for (var i = 0; i < origins.length; i++) lmsWin.postMessage(message, origins[i]);
    }
  }

  function start() {
    global.addEventListener("message", onMessage);
    post({ t: "hello", nonce: nonce, version: SCORM_SHIM_VERSION });
  }

  if (typeof compiled.then !== "function") {
    module = compiled;
    wasm_bindgen.initSync({ module: module });
    start();
  } else {
    compiled
      .then(function (m) { module = m; return wasm_bindgen({ module_or_path: m }); })
      .then(start, function (e) { fail("its module could not be read or compiled (" + e.message + ")."); });
  }

  function onMessage(e) {
    if (e.source !== lmsWin || origins.indexOf(e.origin) < 0) return;
    if (lms && e.origin !== lms) return;
    var d = e.data;
    if (!d || typeof d !== "object" || d[MARK] !== 1) return;
    lms = e.origin;
    if (d.t === "collect") collect(d.sessions);
    else if (d.t === "launch") launch(d);
    else if (d.t === "ack" && d.session === session && guest && Array.isArray(d.applied)) {
      guest.guestAck("1.2", Number(d.applied[0]) || 0);
      guest.guestAck("2004", Number(d.applied[1]) || 0);
      if (handle) handle.config(); // a call through the installer hands the rewrite to the durable copy
    }
  }

  // What earlier sessions left here, opened with the keys the LMS page sent
  // (the copy in IndexedDB too: after a crash it may be the newer one).
  function collect(list) {
    var asked = Array.isArray(list) ? list.filter(function (x) {
      return Array.isArray(x) && x.length === 3 && x.every(function (s) { return typeof s === "string"; });
    }) : [];
    Promise.all(asked.map(function (x) {
      return durable.read("scorm-shim-bridge:" + x[0] + ":" + x[1]).then(function (found) {
        var copy = found.length >= 2 && found[0] === "scorm-shim-bridge:" + x[0] + ":" + x[1] ? found[1] : undefined;
        try {
          var text = scormShimList(wasm_bindgen.Shim.guestCollect(x[0], x[1], x[2], scormShimEncode(copy === undefined ? [] : [copy])))[0];
          return [x[0], x[1], text === undefined ? null : text, null];
        } catch (err) {
          return [x[0], x[1], null, String(err && err.message || err)];
        }
      });
    })).then(function (sessions) {
      post({ t: "pending", nonce: nonce, sessions: sessions });
    });
  }

  // ---- The SCO's session -----------------------------------------------------
  var handle = null;
  var out = [], sent = 0, scheduled = false, maxValue = 0;
  var ARITY = {
    LMSInitialize: 1, LMSFinish: 1, LMSGetValue: 1, LMSSetValue: 2, LMSCommit: 1, LMSGetLastError: 0, LMSGetErrorString: 1, LMSGetDiagnostic: 1,
    Initialize: 1, Terminate: 1, GetValue: 1, SetValue: 2, Commit: 1, GetLastError: 0, GetErrorString: 1, GetDiagnostic: 1,
  };
  // Calls after which the LMS page should have everything at once.
  var NOW = { LMSFinish: 1, LMSCommit: 1, Terminate: 1, Commit: 1 };
  // Arguments the installer cuts before they reach the module (js/install.js).
  var CUT = { LMSGetValue: 1, LMSSetValue: 1, GetValue: 1, SetValue: 1, LMSGetErrorString: 1, LMSGetDiagnostic: 1, GetErrorString: 1, GetDiagnostic: 1 };

  function flush() {
    scheduled = false;
    if (!out.length) return;
    var calls = out;
    out = [];
    post({ t: "calls", session: session, from: sent, calls: calls });
    sent += callCount(calls);
  }
  function callCount(flat) {
    var n = 0;
    for (var i = 0; i < flat.length; i += ARITY[flat[i]] + 2) n++;
    return n;
  }
  function later() {
    if (!scheduled) {
      scheduled = true;
      Promise.resolve().then(flush);
    }
  }

  /** `inner`'s methods, each recording its call (arguments as the module gets them, result) for the LMS page. */
  function recording(inner) {
    var o = {};
    Object.keys(inner).forEach(function (m) {
      var f = inner[m];
      var cut = CUT[m] ? 4096 : Infinity;
      if (ARITY[m] === 0) {
        o[m] = function () { var r = f(); out.push(m, r); later(); return r; };
      } else if (ARITY[m] === 2) {
        o[m] = function (a, b) {
          var x = scormShimStr(a), y = scormShimStr(b);
          if (x.length > cut) x = x.slice(0, cut);
          if (y.length > maxValue) y = y.slice(0, maxValue);
          var r = f(x, y);
          out.push(m, x, y, r);
          later();
          return r;
        };
      } else {
        var now = NOW[m];
        o[m] = function (a) {
          var x = scormShimStr(a);
          if (x.length > cut) x = x.slice(0, cut);
          var r = f(x);
          out.push(m, x, r);
          if (now) flush(); else later();
          return r;
        };
      }
    });
    return Object.freeze(o);
  }

  function define(name, value) {
    Object.defineProperty(global, name, {
      get: function () { return value; },
      set: function () { console.warn("scorm-shim: " + name + " cannot be replaced"); },
      enumerable: true,
      configurable: false,
    });
  }

  function launch(d) {
    if (handle) return; // one session per page
    var record = typeof d.record === "string" ? d.record : "";
    var parsed, sco;
    try {
      parsed = JSON.parse(record);
      sco = new URL(String(d.scoUrl), global.location.href);
    } catch (e) {
      post({ t: "error", nonce: nonce, message: "the launch could not be read: " + e.message });
      return fail("the launch could not be read.");
    }
    if (sco.origin !== global.location.origin) {
      post({ t: "error", nonce: nonce, message: "the SCO " + sco.href + " is not on this bridge's origin " + global.location.origin });
      return fail("the course page it was asked to show is on another origin.");
    }
    (Array.isArray(d.forget) ? d.forget : []).forEach(function (x) {
      if (Array.isArray(x)) wasm_bindgen.Shim.guestForget(String(x[0]), String(x[1]));
    });
    var config = {};
    (parsed.config || []).forEach(function (kv) { config[kv[0]] = kv[1]; });
    try {
      handle = scormShimInstall(wasm_bindgen.Shim, {}, config, null, renew, function (S, pairs) {
        guest = S.bridgeGuest(pairs, record);
        return guest;
      });
    } catch (e) {
      post({ t: "error", nonce: nonce, message: String(e && e.message || e) });
      return fail("its launch was refused (" + (e && e.message || e) + ").");
    }
    session = parsed.session;
    maxValue = guest.maxValueChars() + 1;
    handle.config(); // hands the removals above to the durable copy
    if (parsed.scorm12) define("API", recording(handle.api12));
    if (parsed.scorm2004) define("API_1484_11", recording(handle.api2004));
    global.addEventListener("pagehide", goodbye);
    var frame = doc.createElement("iframe");
    frame.id = "scorm-shim-bridge-content";
    frame.title = "Course content";
    frame.setAttribute("allow", "fullscreen; autoplay");
    frame.style.cssText = "display:block;border:0;width:100%;height:100%";
    frame.src = sco.href;
    doc.body.appendChild(frame);
    if (status) status.hidden = true;
    post({ t: "started", session: session });
  }

  // The page goes away: every call to the LMS page, then what it has not
  // acknowledged (it applies only what it did not store yet), then goodbye.
  function goodbye() {
    if (!handle || !guest) return;
    flush();
    var logs = scormShimList(guest.guestPending());
    if (logs.length) post({ t: "pending", session: session, logs: logs });
    post({ t: "bye", session: session, pending: logs.length > 0 });
  }
})(typeof window !== "undefined" ? window : globalThis);
