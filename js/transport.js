// The network side of the commit queue: the only code that touches fetch,
// sendBeacon, timers and the page lifecycle. Every decision (what to send,
// when to retry, what an answer means for the queue) is the wasm queue's;
// this file carries requests and reports outcomes back.
//
// `queue` is the wasm object with:
//   nextToSend(nowMs) -> { seq, body } | undefined   one request in flight at a time
//   onAck(seq, nowMs)                                 the backend acknowledged batch `seq`
//   onFailure(seq, kind, status, retryAfterSec, nowMs)  kind: "network" | "timeout" | "http"
//   nextWakeup(nowMs) -> ms | undefined               when to try again (backoff), if anything waits
//   unloadBodies(maxBytes) -> [body, …]               what fits in the keepalive budget
//   status() -> object                                pending, lastAckedSeq, failures…
//   takeEvents() -> [{ type, … }]                     events since the last call
function scormShimTransport(queue, options, emit) {
  var endpoint = options.endpoint;
  var headers = options.headers || {};
  var credentials = options.credentials || "same-origin";
  var timeoutMs = options.timeoutMs || 15000;
  var inFlight = false;
  var timer = null;
  var stopped = false;

  function drainEvents() {
    var events = queue.takeEvents();
    for (var i = 0; i < events.length; i++) emit(events[i]);
  }

  function schedule() {
    if (stopped || inFlight) return;
    if (timer) { clearTimeout(timer); timer = null; }
    var wait = queue.nextWakeup(Date.now());
    if (wait === undefined || wait === null) return;
    timer = setTimeout(pump, Math.max(0, wait));
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
    if (stopped || inFlight || !endpoint) return;
    var next = queue.nextToSend(Date.now());
    drainEvents();
    if (!next) return schedule();
    inFlight = true;
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var killer = setTimeout(function () { if (controller) controller.abort(); }, timeoutMs);
    var h = { "Content-Type": "application/json" };
    for (var k in headers) h[k] = headers[k];
    fetch(endpoint, {
      method: "POST",
      headers: h,
      body: next.body,
      credentials: credentials,
      keepalive: next.body.length < 60000,
      signal: controller ? controller.signal : undefined,
    })
      .then(function (res) {
        clearTimeout(killer);
        inFlight = false;
        if (res.ok) queue.onAck(next.seq, Date.now());
        else queue.onFailure(next.seq, "http", res.status, retryAfter(res), Date.now());
      }, function (err) {
        clearTimeout(killer);
        inFlight = false;
        var kind = err && err.name === "AbortError" ? "timeout" : "network";
        queue.onFailure(next.seq, kind, 0, -1, Date.now());
      })
      .then(function () {
        drainEvents();
        pump();
      });
  }

  // The page going away: send what fits in the keepalive budget with
  // sendBeacon; the rest stays in local storage for the next launch.
  function flushForUnload() {
    if (!endpoint) return;
    var bodies = queue.unloadBodies(65536);
    for (var i = 0; i < bodies.length; i++) {
      var sent = false;
      if (typeof navigator !== "undefined" && navigator.sendBeacon && !Object.keys(headers).length) {
        sent = navigator.sendBeacon(endpoint, new Blob([bodies[i]], { type: "text/plain;charset=UTF-8" }));
      }
      if (!sent) {
        try {
          var h = { "Content-Type": "application/json" };
          for (var k in headers) h[k] = headers[k];
          fetch(endpoint, { method: "POST", headers: h, body: bodies[i], credentials: credentials, keepalive: true });
        } catch (e) { /* stays queued for the next launch */ }
      }
    }
    drainEvents();
  }

  if (typeof window !== "undefined") {
    window.addEventListener("online", function () { emit({ type: "online" }); pump(); });
    window.addEventListener("offline", function () { emit({ type: "offline" }); });
    window.addEventListener("pagehide", flushForUnload);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flushForUnload();
    });
  }

  return {
    /** A commit was queued: send it now or when the backoff allows. */
    kick: function () { if (!inFlight) pump(); },
    flushForUnload: flushForUnload,
    stop: function () { stopped = true; if (timer) clearTimeout(timer); },
  };
}
