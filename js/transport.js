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
function scormShimTransport(shim, getConfig, emit) {
  var config = getConfig();
  var endpoint = shim.endpoint().replace(/\/+$/, "");
  var keys = shim.queueKeys(); // [prefix, ownKey, ...] per data model, of the current registration
  var headers = config.headers || {};
  var credentials = config.credentials || "same-origin";
  var TIMEOUT_MS = 30000;
  var locks = typeof navigator !== "undefined" && navigator.locks;
  var sender = !locks; // without Web Locks this page is the only sender
  var inFlight = false;
  var timer = null;
  var registration = config.registrationId || "registration";

  function drain() {
    var events = shim.takeEvents();
    for (var i = 0; i < events.length; i++) {
      try { emit(JSON.parse(events[i])); } catch (e) { /* malformed event: ignore */ }
    }
  }

  function requestHeaders() {
    var h = { "Content-Type": "application/json" };
    for (var k in headers) h[k] = headers[k];
    return h;
  }

  function isQueueKey(k) {
    var keys = shim.queueKeys(); // current: a configure() may change the registration
    for (var i = 0; i < keys.length; i += 2) if (k.indexOf(keys[i]) === 0 && k !== keys[i + 1]) return true;
    return false;
  }

  // The sender folds every other page's queue into its own, then removes the
  // keys of pages that no longer hold their tab lock.
  function adopt() {
    var foreign = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && isQueueKey(k)) foreign.push(k);
    }
    var merged = foreign.filter(function (k) {
      var v = localStorage.getItem(k);
      return v !== null && shim.mergeForeign(k, v, true);
    });
    if (!locks || !merged.length) return Promise.resolve();
    return locks.query().then(function (state) {
      var held = {};
      (state.held || []).concat(state.pending || []).forEach(function (l) { held[l.name] = true; });
      merged.forEach(function (k) {
        var nonce = k.slice(k.lastIndexOf(":") + 1);
        var prefix = k.slice(0, k.length - nonce.length);
        if (!held[prefix + "tab:" + nonce]) localStorage.removeItem(k);
      });
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!sender || inFlight) return;
    var wait = shim.nextWakeup(Date.now());
    if (wait >= 0) timer = setTimeout(pump, Math.min(wait, 2147483647));
  }

  function retryAfter(res) {
    var v = res.headers.get("Retry-After");
    if (!v) return -1;
    var secs = Number(v);
    if (!isNaN(secs)) return Math.max(0, secs);
    var when = Date.parse(v);
    return isNaN(when) ? -1 : Math.max(0, (when - Date.now()) / 1000);
  }

  function pump() {
    timer = null;
    if (!sender || inFlight) return;
    var next = shim.nextToSend(Date.now());
    drain();
    if (!next.length) return schedule();
    var version = next[0], seq = Number(next[1]), body = next[2];
    inFlight = true;
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var killer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    fetch(endpoint + "/batches", {
      method: "POST",
      headers: requestHeaders(),
      body: body,
      credentials: credentials,
      signal: controller ? controller.signal : undefined,
    })
      .then(function (res) {
        return res.text().then(function (text) {
          shim.onResponse(version, seq, res.status, text, retryAfter(res), Date.now(), Math.random());
        });
      })
      .catch(function (err) {
        shim.onNetworkFailure(version, seq, !!(err && err.name === "AbortError"), Date.now(), Math.random());
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
    for (var i = 0; i < bodies.length; i++) {
      var sent = false;
      if (navigator.sendBeacon && !Object.keys(headers).length && credentials !== "omit") {
        try { sent = navigator.sendBeacon(endpoint + "/batches", new Blob([bodies[i]], { type: "text/plain;charset=UTF-8" })); } catch (e) { sent = false; }
      }
      if (!sent) {
        try {
          fetch(endpoint + "/batches", { method: "POST", headers: requestHeaders(), body: bodies[i], credentials: credentials, keepalive: true })
            .catch(function () { /* stays queued for the next launch */ });
        } catch (e) { /* stays queued for the next launch */ }
      }
    }
    drain();
  }

  window.addEventListener("online", function () { shim.setOnline(true, Date.now()); drain(); pump(); });
  window.addEventListener("offline", function () { shim.setOnline(false, Date.now()); drain(); });
  window.addEventListener("pagehide", flushForUnload);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushForUnload();
  });
  window.addEventListener("storage", function (e) {
    if (!e.key || !e.newValue || !isQueueKey(e.key)) return;
    shim.mergeForeign(e.key, e.newValue, sender);
    if (sender) pump();
  });
  if (typeof navigator !== "undefined" && navigator.onLine === false) shim.setOnline(false, Date.now());

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
    return fetch(endpoint + "/state?registration=" + encodeURIComponent(registration), {
      headers: headers,
      credentials: credentials,
    })
      .then(function (res) { return res.ok ? res.text() : null; })
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
    /**
     * The page's registration changed (a package opened in the course player
     * names its own): hold the locks of the new one, fetch its state. Resolves
     * once the state is known (or could not be fetched).
     */
    retarget: function () {
      var now = shim.queueKeys();
      var reg = getConfig().registrationId || "registration";
      if (reg === registration && now.join("\n") === keys.join("\n")) return Promise.resolve();
      keys = now;
      registration = reg;
      claim();
      return fetchState();
    },
    /** A commit was queued: send now, or when the backoff allows. */
    kick: function () { if (sender) pump(); },
    flushForUnload: flushForUnload,
    status: function () { return JSON.parse(shim.queueStatus(Date.now())); },
  };
}
