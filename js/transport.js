// The network side of the commit queue: the only code that touches fetch,
// sendBeacon, timers, Web Locks and the page lifecycle. Every decision (what
// to send, when to retry, what an answer means) is the wasm queue's
// (src/engine/persist); this code carries requests and reports outcomes.
//
// Protocol (docs/PROTOCOL.md): POST <endpoint>/batches, GET <endpoint>/state.
//
// Several tabs: each page load writes only its own queue key. The tab that
// holds the Web Lock "<queue prefix>sender" is the only one that sends; it
// folds the other keys into its own and removes those of pages that are gone
// (a page is alive while it holds the lock "<queue prefix>tab:<nonce>").
//
// Credentials: the request headers come from the module for each request
// (shim.requestHeaders(); never from the public configuration object). A
// 401 or 403 keeps the batch and pauses sending ("authRequired") until the
// page calls ScormShim.setCredentials({headers}).

// The network functions as they are when the script runs, before any
// content: a SCO on the page's origin that replaces window.fetch later must
// not see the requests (and their Authorization header).
var scormShimNet = (function () {
  var g = typeof globalThis !== "undefined" ? globalThis : window;
  var nav = typeof navigator !== "undefined" ? navigator : null;
  return {
    fetch: typeof g.fetch === "function" ? g.fetch.bind(g) : null,
    beacon: nav && typeof nav.sendBeacon === "function" ? nav.sendBeacon.bind(nav) : null,
    Blob: typeof Blob === "function" ? Blob : null,
    AbortController: typeof AbortController === "function" ? AbortController : null,
    locks: nav && nav.locks ? nav.locks : null,
    storage: (function () { try { return g.localStorage; } catch (e) { return null; } })(),
    // Used while a SCO's call runs: content that replaces them must not be
    // called back from inside the shim (nor feed it a wrong clock).
    now: Date.now,
    parse: JSON.parse,
  };
})();

function scormShimTransport(shim, emit, durable) {
  var net = scormShimNet;
  var doFetch = net.fetch;
  var endpoint = shim.endpoint().replace(/\/+$/, "");
  var keys = shim.queueKeys(); // [prefix, ownKey, ...] per data model, of the current registration
  var TIMEOUT_MS = 30000;
  var locks = net.locks;
  var store = net.storage;
  var sender = !locks; // without Web Locks this page is the only sender
  var inFlight = false;
  var timer = null;
  var waiters = []; // resolvers of delivered()
  var registration = shim.registrationId();
  var stateRefused = false; // the resume request got 401/403: asked again with new credentials

  /** The durable copy is written (not waiting for ever: a store that hangs must not stop sending). */
  function settled() {
    return Promise.race([durable.settled(), new Promise(function (r) { setTimeout(r, 2000); })]);
  }

  function drain() {
    var events = shim.takeEvents();
    for (var i = 0; i < events.length; i++) {
      try { emit(net.parse(events[i])); } catch (e) { /* malformed event: ignore */ }
    }
    if (waiters.length && nothingPending()) {
      var list = waiters;
      waiters = [];
      for (var j = 0; j < list.length; j++) list[j]();
    }
  }

  function nothingPending() {
    var s = net.parse(shim.queueStatus(net.now()));
    return Object.keys(s).every(function (v) { return s[v].pending === 0; });
  }

  /** The current request headers, as a plain object (own properties only). */
  function requestHeaders(json) {
    var h = Object.create(null);
    if (json) h["Content-Type"] = "application/json";
    var flat = shim.requestHeaders();
    for (var i = 0; i + 1 < flat.length; i += 2) h[flat[i]] = flat[i + 1];
    return h;
  }
  function hasHeaders() { return shim.requestHeaders().length > 0; }

  function isQueueKey(k) {
    var keys = shim.queueKeys(); // current: a configure() may change the registration
    for (var i = 0; i < keys.length; i += 2) if (k.indexOf(keys[i]) === 0 && k !== keys[i + 1]) return true;
    return false;
  }

  function removeKey(k) {
    store.removeItem(k);
    durable.write(["d", k, ""]);
  }

  // The sender folds every other page's queue into its own, then removes the
  // keys of pages that no longer hold their tab lock.
  function adopt() {
    if (!store) return Promise.resolve();
    var foreign = [];
    for (var i = 0; i < store.length; i++) {
      var k = store.key(i);
      if (k && isQueueKey(k)) foreign.push(k);
    }
    var merged = foreign.filter(function (k) {
      var v = store.getItem(k);
      return v !== null && shim.mergeForeign(k, v, true);
    });
    if (!locks || !merged.length) return Promise.resolve();
    // The merged queue must be durable before the keys it absorbed go.
    return settled().then(function () { return locks.query(); }).then(function (state) {
      var held = Object.create(null);
      (state.held || []).concat(state.pending || []).forEach(function (l) { held[l.name] = true; });
      merged.forEach(function (k) {
        var nonce = k.slice(k.lastIndexOf(":") + 1);
        var prefix = k.slice(0, k.length - nonce.length);
        if (!held[prefix + "tab:" + nonce]) removeKey(k);
      });
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!sender || inFlight) return;
    var wait = shim.nextWakeup(net.now());
    if (wait >= 0) timer = setTimeout(pump, Math.min(wait, 2147483647));
  }

  function retryAfter(res) {
    var v = res.headers.get("Retry-After");
    if (!v) return -1;
    var secs = Number(v);
    if (!isNaN(secs)) return Math.max(0, secs);
    var when = Date.parse(v);
    return isNaN(when) ? -1 : Math.max(0, (when - net.now()) / 1000);
  }

  function pump() {
    timer = null;
    if (!sender || inFlight) return;
    var next = shim.nextToSend(net.now());
    drain();
    if (!next.length) return schedule();
    var version = next[0], seq = Number(next[1]), body = next[2];
    inFlight = true;
    var controller = net.AbortController ? new net.AbortController() : null;
    var killer = null;
    // The batch's number and key are durable before the request leaves: a
    // crash after it left re-sends the same key, which the backend knows.
    settled().then(function () {
      killer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
      return doFetch(endpoint + "/batches", {
        method: "POST",
        headers: requestHeaders(true),
        body: body,
        credentials: shim.credentialsMode(),
        signal: controller ? controller.signal : undefined,
      });
    })
      .then(function (res) {
        return res.text().then(function (text) {
          shim.onResponse(version, seq, res.status, text, retryAfter(res), net.now(), scormShimRandom());
        });
      })
      .catch(function (err) {
        shim.onNetworkFailure(version, seq, !!(err && err.name === "AbortError"), net.now(), scormShimRandom());
      })
      .then(function () {
        clearTimeout(killer);
        inFlight = false;
        drain();
        pump();
      });
  }

  // The page going away: what fits in the 64 KiB keepalive budget goes out
  // with sendBeacon (or fetch keepalive when headers are needed); the rest
  // stays in local storage for the next launch.
  function flushForUnload() {
    if (!sender) return;
    var bodies = shim.unloadBodies(65536);
    var credentials = shim.credentialsMode();
    var headers = hasHeaders();
    for (var i = 0; i < bodies.length; i++) {
      var sent = false;
      if (net.beacon && net.Blob && !headers && credentials !== "omit") {
        try { sent = net.beacon(endpoint + "/batches", new net.Blob([bodies[i]], { type: "text/plain;charset=UTF-8" })); } catch (e) { sent = false; }
      }
      if (!sent && doFetch) {
        try {
          doFetch(endpoint + "/batches", { method: "POST", headers: requestHeaders(true), body: bodies[i], credentials: credentials, keepalive: true })
            .catch(function () { /* stays queued for the next launch */ });
        } catch (e) { /* stays queued for the next launch */ }
      }
    }
    drain();
  }

  window.addEventListener("online", function () { shim.setOnline(true, net.now()); drain(); pump(); });
  window.addEventListener("offline", function () { shim.setOnline(false, net.now()); drain(); });
  window.addEventListener("pagehide", flushForUnload);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushForUnload();
  });
  window.addEventListener("storage", function (e) {
    if (!e.key || !e.newValue || !isQueueKey(e.key)) return;
    shim.mergeForeign(e.key, e.newValue, sender);
    if (sender) pump();
  });
  if (typeof navigator !== "undefined" && navigator.onLine === false) shim.setOnline(false, net.now());

  // The locks of the current registration: this page's tab locks, and the
  // sender lock once granted. Each is held until released here (a new
  // registration) or the page goes away.
  var generation = 0;
  var releases = [];
  function held() { return new Promise(function (release) { releases.push(release); }); }
  function claim() {
    var gen = ++generation;
    releases.splice(0).forEach(function (release) { release(); });
    if (!locks) return;
    sender = false;
    for (var i = 1; i < keys.length; i += 2) {
      var own = keys[i];
      locks.request(own.slice(0, own.lastIndexOf(":") + 1) + "tab:" + own.slice(own.lastIndexOf(":") + 1), held);
    }
    locks.request(keys[0] + "sender", function () {
      if (gen !== generation) return; // the page moved to another registration meanwhile
      sender = true;
      return adopt().then(function () {
        // Other pages' queues of this registration are folded in: their
        // refused batches are this page's to show now.
        if (gen === generation) emit({ type: "restored" });
        pump();
        return held();
      });
    });
  }

  // Resume: the backend's state, then local unacknowledged batches over it.
  function fetchState() {
    var gen = generation;
    return doFetch(endpoint + "/state?registration=" + encodeURIComponent(shim.registrationId()), {
      headers: requestHeaders(false),
      credentials: shim.credentialsMode(),
    })
      .then(function (res) {
        stateRefused = res.status === 401 || res.status === 403;
        if (stateRefused) emit({ type: "authRequired", status: res.status, version: null });
        return res.ok ? res.text() : null;
      })
      .then(function (text) {
        if (text !== null && gen === generation) {
          var err = shim.observeServer(text);
          if (err) console.error(err);
        }
      })
      .catch(function () { /* offline: local state only */ })
      .then(function () {
        if (!locks) adopt().then(function () { if (gen === generation) emit({ type: "restored" }); });
        drain();
        pump();
      });
  }

  claim();
  var resumed = fetchState();

  return {
    /** Resolves once the backend's state was fetched (or could not be). */
    resumed: resumed,
    /** A commit was queued, or credentials came: send now, or when the backoff allows. */
    kick: function () {
      if (stateRefused) { stateRefused = false; fetchState(); }
      if (sender) pump();
    },
    /**
     * The page's registration changed (a package opened in the course player
     * names its own): hold the locks of the new one, fetch its state. Resolves
     * once the state is known (or could not be fetched).
     */
    retarget: function () {
      var now = shim.queueKeys();
      var reg = shim.registrationId();
      if (reg === registration && now.join("\n") === keys.join("\n")) return Promise.resolve();
      keys = now;
      registration = reg;
      claim();
      return fetchState();
    },
    /** Fold the other queue keys in again (a new instance after a fault has a key of its own). */
    adopt: function () { if (sender) adopt().then(pump); },
    flushForUnload: flushForUnload,
    status: function () { return net.parse(shim.queueStatus(net.now())); },
    /** Resolves once no batch is pending (everything delivered or refused for good). */
    delivered: function () {
      if (nothingPending()) return Promise.resolve();
      return new Promise(function (resolve) { waiters.push(resolve); });
    },
  };
}

/** A uniform number in [0, 1) for retry jitter (not a secret: Math.random is enough). */
function scormShimRandom() {
  return Math.random();
}
