// The LMS page's side of the content-origin bridge (issue 17). Part of the
// drop-in (classic script and ES module): `ScormShim.bridge`.
//
// A SCO on another origin (a CDN, a content domain) cannot reach the LMS
// page's API objects. The LMS page launches the bridge instead
// (`bridge.html#<nonce>`, a static page on the content origin), which runs
// the SCO's API instances itself, built from what this page hands it (the
// launch record: src/web/bridge.rs), and frames the SCO. Every call is
// answered there, synchronously and exactly as here; the bridge then sends
// its calls here in order, and this page replays them on its own instances
// (the mirror), which store, queue and send as usual, and sequence the
// course. Each reply is compared with the bridge's: a difference is an
// error ("bridgeMismatch" event).
//
// Messages (postMessage, structured clone), each `{scormShimBridge: 1, t, …}`:
//   bridge → page: hello {nonce}, pending {nonce, sessions} (the logs of
//     earlier sessions asked for), started {session}, calls {session, from,
//     calls: [[method, args…, result], …]}, pending {session, logs} (as the
//     bridge goes away), bye {session, pending}, error {message}
//   page → bridge: collect {sessions: [[session, version, key], …]},
//     launch {record, scoUrl, forget}, ack {session, applied: [n12, n2004]}
// This page accepts a message only from the configured content origin AND
// from the window of the frame it launched (and the hello only with the
// nonce it put in the bridge's URL); it posts only to that window with that
// origin as the target. docs/SECURITY-bridge.md has the threat model.

/** The `origin` of an http(s) URL string, or null. */
function scormShimOriginOf(s) {
  try {
    var u = new URL(String(s));
    return (u.protocol === "http:" || u.protocol === "https:") && u.origin !== "null" ? u.origin : null;
  } catch (e) {
    return null;
  }
}

/**
 * `io`: {shim, api12, api2004, durable, ready() → Promise, hide(bool),
 * emit(event), configure(obj), config(), kick()} from the installer.
 */
function scormShimBridgeHost(io) {
  var shim = io.shim;
  var locks = typeof navigator !== "undefined" && navigator.locks ? navigator.locks : null;
  var MARK = "scormShimBridge";
  var WAIT_MS = 30000; // for the bridge's first word
  var BYE_MS = 3000; // for its last, when the page navigates on
  var launches = Object.create(null); // nonce -> launch waiting for the bridge
  var sessions = Object.create(null); // session id -> live or closing session
  var live = null; // the session whose mirror runs now
  var listening = false;
  var stats = { calls: 0, mismatches: 0, sessions: 0, recovered: 0, refused: 0 };
  var settleWaiters = [];

  function fail(message) {
    var e = new Error("scorm-shim: bridge: " + message);
    console.error(e.message);
    return e;
  }

  function hex(n) {
    var b = new Uint8Array(n);
    crypto.getRandomValues(b);
    var s = "";
    for (var i = 0; i < n; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }

  /** The checked locations of a launch: {origin, bridge, sco}; throws saying what is wrong. */
  function check(o) {
    if (!o || typeof o !== "object") throw fail("launch(frame, {bridgeUrl, contentOrigin, scoUrl}) needs its options");
    var origin = scormShimOriginOf(o.contentOrigin);
    if (!origin || origin !== String(o.contentOrigin).replace(/\/$/, "")) {
      throw fail("contentOrigin must be an origin such as https://cdn.example.com (scheme, host, port; no path), not " + JSON.stringify(o.contentOrigin));
    }
    var bridge, sco;
    try {
      bridge = new URL(String(o.bridgeUrl), document.baseURI);
      sco = new URL(String(o.scoUrl), bridge.href);
    } catch (e) {
      throw fail("bridgeUrl and scoUrl must be URLs: " + e.message);
    }
    if (bridge.origin !== origin) {
      throw fail("bridgeUrl " + bridge.href + " is not on the content origin " + origin + " (configuration contentOrigin): nothing loaded");
    }
    if (sco.origin !== origin) {
      throw fail("scoUrl " + sco.href + " is not on the content origin " + origin + ": nothing loaded");
    }
    if (origin === location.origin) console.warn("scorm-shim: bridge: the content origin is this page's own; the SCO could reach this page anyway");
    bridge.hash = "";
    return { origin: origin, bridge: bridge.href, sco: sco.href };
  }

  function listen() {
    if (listening) return;
    listening = true;
    window.addEventListener("message", onMessage);
    window.addEventListener("pagehide", function () {
      // This page goes away: what the bridge stored and this page did not
      // acknowledge is asked for again at the next launch.
      if (live) shim.bridgeDetach();
    });
  }

  /** A launch of `where` ({origin, bridge, sco}) in `frame` (null: any frame of this document). */
  function prepare(where, frame) {
    listen();
    var nonce = hex(16);
    var l = { nonce: nonce, where: where, frame: frame, stage: "hello", timer: 0, resolve: null, reject: null };
    l.started = new Promise(function (resolve, reject) { l.resolve = resolve; l.reject = reject; });
    l.started.catch(function () { /* reported on the console; launch() returns it */ });
    l.timer = setTimeout(function () {
      if (l.stage !== "hello") return;
      delete launches[nonce];
      l.reject(fail("the bridge at " + where.bridge + " did not answer within " + WAIT_MS / 1000 + " s: " +
        "does its data-lms-origin name this page's origin (" + location.origin + ")?"));
    }, WAIT_MS);
    launches[nonce] = l;
    return { launch: l, url: where.bridge + "#" + nonce };
  }

  /** Is `source` the window of the launch's frame? */
  function fromFrame(l, source) {
    if (l.frame) return source === l.frame.contentWindow;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) if (frames[i].contentWindow === source) { l.frame = frames[i]; return true; }
    return false;
  }

  function post(win, origin, message) {
    message[MARK] = 1;
    win.postMessage(message, origin);
  }

  function onMessage(e) {
    var d = e.data;
    if (!d || typeof d !== "object" || d[MARK] !== 1 || typeof d.t !== "string") return;
    var s = typeof d.session === "string" ? sessions[d.session] : null;
    if (s) {
      // What the bridge posts as it unloads arrives with no source (its
      // window is gone by then): the origin alone is checked for those.
      if ((e.source !== s.win && e.source !== null) || e.origin !== s.origin) {
        // Another window that knows the session, or the bridge's frame
        // navigated to another origin: nothing it says counts.
        if (++stats.refused <= 20) {
          console.error("scorm-shim: bridge: a message for session " + s.id + " from " + (e.source !== s.win ? "a window that is not its bridge" : "the origin " + e.origin + ", not the content origin " + s.origin) + ": ignored");
        }
        return;
      }
      return fromSession(s, d);
    }
    var l = typeof d.nonce === "string" ? launches[d.nonce] : null;
    if (!l) return;
    if (!fromFrame(l, e.source)) return;
    if (e.origin !== l.where.origin) {
      console.error("scorm-shim: bridge: the launched frame answered from " + e.origin + ", not the content origin " +
        l.where.origin + " (configuration contentOrigin): ignored");
      return;
    }
    if (d.t === "hello" && l.stage === "hello") hello(l, e.source);
    else if (d.t === "pending" && l.stage === "collect") collected(l, d.sessions);
    else if (d.t === "error") {
      l.stage = "failed";
      delete launches[l.nonce];
      l.reject(fail("the bridge says: " + String(d.message)));
    }
  }

  // 1. The bridge is there: ask it for what earlier sessions of this
  // registration left on its origin (those no other tab runs now).
  function hello(l, win) {
    clearTimeout(l.timer);
    l.win = win;
    l.stage = "collect";
    var flat = shim.bridgeSessions(), list = [];
    for (var i = 0; i + 2 < flat.length; i += 3) list.push([flat[i], flat[i + 1], flat[i + 2]]);
    var running = locks && list.length ? locks.query().then(function (q) {
      var held = Object.create(null);
      (q.held || []).forEach(function (x) { held[x.name] = true; });
      return list.filter(function (x) { return !held[lockName(x[0])]; });
    }) : Promise.resolve(list);
    running.then(function (ask) {
      l.asked = ask;
      if (!ask.length) return collected(l, []);
      post(win, l.where.origin, { t: "collect", sessions: ask });
    });
  }

  function lockName(session) { return "scorm-shim-bridge:" + session; }

  // 2. Apply what it kept (durably, here) before the SCO's state is read.
  function collected(l, got) {
    if (l.stage !== "collect") return;
    l.stage = "launch";
    var asked = l.asked || [], close = [], forget = [], applied = 0;
    var byKey = Object.create(null);
    (Array.isArray(got) ? got : []).forEach(function (x) {
      if (Array.isArray(x) && typeof x[0] === "string" && typeof x[1] === "string") byKey[x[0] + " " + x[1]] = x;
    });
    asked.forEach(function (a) {
      var x = byKey[a[0] + " " + a[1]];
      if (!x) return;
      if (typeof x[3] === "string") {
        console.error("scorm-shim: bridge: what session " + a[0] + " left on the content origin was not written by it (" + x[3] + "); kept");
        return;
      }
      try {
        if (typeof x[2] === "string") applied += Number(shim.bridgeRecover(a[0], a[1], x[2])[0]);
        forget.push([a[0], a[1]]);
        if (close.indexOf(a[0]) < 0) close.push(a[0]);
      } catch (err) {
        console.error(err && err.message || err);
      }
    });
    stats.recovered += applied;
    if (applied && io.kick) io.kick(); // the backend gets them now
    io.durable.settled().then(function () {
      close.forEach(function (session) { shim.bridgeClose(session); });
      if (applied) {
        io.emit({ type: "bridgeRecovered", changeSets: applied });
        // The SCO starts from what is stored now (recovered change sets included).
        if (shim.idle()) shim.relaunch();
      }
      open(l, forget);
    });
  }

  // 3. Open the session and hand the bridge its launch record.
  function open(l, forget) {
    var record;
    try {
      record = shim.bridgeOpen()[0];
    } catch (err) {
      l.stage = "failed";
      delete launches[l.nonce];
      return l.reject(fail(err && err.message || String(err)));
    }
    delete launches[l.nonce];
    if (live) end(live);
    var id = JSON.parse(record).session;
    var s = { id: id, origin: l.where.origin, win: l.win, from: 0, launch: l, release: null, closed: false, detached: false };
    sessions[id] = s;
    live = s;
    stats.sessions++;
    io.hide(true);
    if (locks) locks.request(lockName(id), function () { return new Promise(function (r) { s.release = r; }); });
    post(l.win, l.where.origin, { t: "launch", record: record, scoUrl: l.where.sco, forget: forget });
  }

  function fromSession(s, d) {
    if (d.t === "started") {
      s.launch.stage = "live";
      s.launch.resolve({ session: s.id });
    } else if (d.t === "calls") {
      replay(s, d);
    } else if (d.t === "pending") {
      // The bridge goes away with change sets this page has not acknowledged.
      if (s === live) detach(s);
      var logs = Array.isArray(d.logs) ? d.logs : [];
      var n = 0;
      for (var i = 0; i + 1 < logs.length; i += 2) {
        try { n += Number(shim.bridgeRecover(s.id, String(logs[i]), String(logs[i + 1]))[0]); } catch (err) { console.error(err && err.message || err); }
      }
      stats.recovered += n;
      if (n && io.kick) io.kick();
    } else if (d.t === "bye") {
      if (s === live) detach(s);
      var clean = d.pending === false;
      io.durable.settled().then(function () {
        if (clean) shim.bridgeClose(s.id);
        end(s);
      });
    } else if (d.t === "error") {
      console.error("scorm-shim: bridge: the bridge says: " + String(d.message));
      s.launch.reject(new Error("scorm-shim: bridge: " + String(d.message)));
    }
  }

  // The mirror: every call the bridge answered, replayed here in order.
  var ARITY = {
    LMSInitialize: 1, LMSFinish: 1, LMSGetValue: 1, LMSSetValue: 2, LMSCommit: 1, LMSGetLastError: 0, LMSGetErrorString: 1, LMSGetDiagnostic: 1,
    Initialize: 1, Terminate: 1, GetValue: 1, SetValue: 2, Commit: 1, GetLastError: 0, GetErrorString: 1, GetDiagnostic: 1,
  };
  var STORES = { LMSCommit: 1, LMSFinish: 1, Commit: 1, Terminate: 1 };

  // `calls` is flat: method, its arguments (ARITY), its result, method, …
  function replay(s, d) {
    if (s !== live || s.detached || d.from !== s.from || !Array.isArray(d.calls)) {
      if (s === live && !s.detached) console.error("scorm-shim: bridge: calls out of order (" + d.from + " after " + s.from + "): the mirror stops");
      return;
    }
    var calls = d.calls, stored = false, count = 0;
    for (var i = 0; i < calls.length;) {
      var m = calls[i];
      var n = typeof m === "string" && Object.prototype.hasOwnProperty.call(ARITY, m) ? ARITY[m] : -1;
      if (n < 0 || i + n + 2 > calls.length) {
        console.error("scorm-shim: bridge: malformed calls: the mirror stops");
        detach(s);
        return;
      }
      var api = m.lastIndexOf("LMS", 0) === 0 ? io.api12 : io.api2004;
      var args = [];
      for (var j = 1; j <= n; j++) args.push(String(calls[i + j]));
      var r = api[m].apply(null, args);
      var theirs = calls[i + n + 1];
      i += n + 2;
      count++;
      stats.calls++;
      if (r !== theirs) mismatch(m, args, theirs, r);
      if (STORES[m] && r === "true") stored = true;
    }
    s.from += count;
    if (stored) {
      io.durable.settled().then(function () {
        if (!s.closed) post(s.win, s.origin, { t: "ack", session: s.id, applied: shim.bridgeApplied().map(Number) });
      });
    }
  }

  function mismatch(method, args, bridge, lms) {
    stats.mismatches++;
    if (stats.mismatches <= 20) {
      console.error("scorm-shim: bridge: " + method + "(" + args.map(function (a) { return JSON.stringify(a.slice(0, 100)); }).join(", ") +
        ") answered " + JSON.stringify(bridge) + " on the content origin and " + JSON.stringify(lms) + " here");
    }
    io.emit({ type: "bridgeMismatch", method: method, args: args, bridge: bridge, lms: lms });
  }

  // The session's calls are all here: later commits of this page are its own.
  function detach(s) {
    s.detached = true;
    if (live === s) {
      shim.bridgeDetach();
      live = null;
      io.hide(false);
      settled();
    }
  }

  function end(s) {
    if (live === s) detach(s);
    if (s.closed) return;
    s.closed = true;
    if (s.release) s.release();
    setTimeout(function () { delete sessions[s.id]; }, BYE_MS);
    settled();
  }

  function settleLive() {
    if (!live) return Promise.resolve();
    var s = live;
    return new Promise(function (resolve) {
      settleWaiters.push(resolve);
      // Its frame is unloaded: a bridge that said no goodbye in time is gone,
      // and what it stored is collected at the next launch (end() lets go
      // of the session's lock, so the next hello asks for it).
      setTimeout(function () { if (live === s) end(s); }, BYE_MS);
    });
  }

  function settled() {
    if (live) return;
    var w = settleWaiters;
    settleWaiters = [];
    w.forEach(function (f) { f(); });
  }

  return {
    /**
     * Launch a SCO on another origin in `frame` through the bridge page
     * there (options: {bridgeUrl, contentOrigin, scoUrl, scoId}). Resolves
     * with {session} once the SCO is loading; rejects (and loads nothing)
     * when the configuration does not fit.
     */
    launch: function (frame, options) {
      var where;
      try {
        if (!frame || typeof frame !== "object" || !("contentWindow" in frame)) throw fail("launch(frame, …) needs an <iframe> element");
        where = check(options);
      } catch (e) {
        return Promise.reject(e);
      }
      return io.ready().then(function () {
        // A SCO still running through the bridge is unloaded first, and its last calls waited for.
        var old = live && live.launch.frame;
        // (A frame taken out of the document unloads at once and fires no load.)
        if (!old || old.src === "about:blank" || !old.isConnected) return settleLive();
        return new Promise(function (resolve) {
          var done = function () { old.removeEventListener("load", done); resolve(); };
          old.addEventListener("load", done);
          old.src = "about:blank";
        }).then(settleLive);
      }).then(function () {
        var sco = options.scoId;
        if (sco !== undefined && sco !== null && String(sco) !== io.config().scoId) io.configure({ scoId: String(sco) });
        if (!shim.idle()) shim.relaunch();
        var p = prepare(where, frame);
        frame.src = p.url;
        return p.launch.started;
      });
    },
    /** The bridge's figures: {calls replayed, mismatches, sessions, recovered change sets, refused messages, live}. */
    status: function () {
      return { calls: stats.calls, mismatches: stats.mismatches, sessions: stats.sessions, recovered: stats.recovered, refused: stats.refused, live: !!live };
    },
    /** Course player: the bridge URL that launches `url` (checked already) through `bridgeUrl`. */
    prepare: function (url, bridgeUrl, frame) {
      var where = check({ contentOrigin: new URL(url).origin, bridgeUrl: bridgeUrl, scoUrl: url });
      if (live) detach(live);
      return prepare(where, frame || null).url;
    },
    /** Resolves once no session's calls can still arrive (the bridge said goodbye, or did not in time). */
    settle: settleLive,
  };
}
