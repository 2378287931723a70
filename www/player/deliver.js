// Sending progress that waits on this device, from the library page: a
// course played offline and closed before the network came back, or removed
// (kept as its manifest only), still has commits in the local queue, and the
// queue sends a registration's commits only while a page has that
// registration open. So, when the browser is online, the library opens each
// such version (`course.open`, which launches nothing) with its
// registration, lets the queue send, and marks it delivered once nothing is
// pending; a removed version is then removed for good.
import { launchCredentials } from "./lms.js";

/** Resolves with true once `shim` has taken over the registration's queue ("restored"), false after `ms`. */
function restored(shim, ms) {
  return new Promise((resolve) => {
    const off = shim.onEvent((e) => {
      if (e.type === "restored") { clearTimeout(timer); off(); resolve(true); }
    });
    const timer = setTimeout(() => { off(); resolve(false); }, ms);
  });
}

/** Resolves with true once nothing is pending or refused, false after `ms` (offline, refused, server down). */
function drained(shim, ms) {
  const empty = () => {
    const q = shim.queueStatus();
    return Object.values(q).every((v) => v.pending === 0) && shim.failedBatches().length === 0;
  };
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () => {
      if (empty()) return resolve(true);
      if (Date.now() - started > ms || navigator.onLine === false) return resolve(false);
      setTimeout(tick, 250);
    };
    tick();
  });
}

/**
 * Deliver what waits: resolves with `{delivered, waiting}` (counts). Runs
 * only online and with a backend; one version at a time.
 */
export async function deliverWaiting({ shim, lib, sw, onChange }) {
  const out = { delivered: 0, waiting: 0 };
  if (!shim.config().endpoint || navigator.onLine === false) return out;
  const items = await lib.undelivered();
  for (const it of items) {
    if (navigator.onLine === false) { out.waiting++; continue; }
    const took = restored(shim, 15000);
    try {
      await shim.course.open(sw.manifestUrl(it.packageId), { registrationId: it.registration, credentials: (ids) => launchCredentials(shim, ids) });
    } catch (e) {
      // Its manifest is gone too (the browser cleared the storage): the
      // progress stays in this browser's own records, sent if the course
      // is added again and played.
      out.waiting++;
      continue;
    }
    const ok = (await took) && (await drained(shim, 30000));
    if (ok) {
      await lib.delivered(it.key, it.packageId);
      out.delivered++;
      if (onChange) onChange();
    } else {
      out.waiting++;
    }
  }
  return out;
}
