// The page's side of the service worker (www/sw.js): register it, wait
// until it controls the page, and build the URLs it serves packages at.
//
//   const sw = await startServiceWorker();            // default: ../sw.js beside www/lib/
//   sw.packageUrl(id, "index.html")                    // -> http://host/…/package/<id>/index.html
//   sw.manifestUrl(id)                                 // -> …/package/<id>/imsmanifest.xml
//   sw.forget(id)                                      // after store.remove(id)
//   await sw.shell()                                   // store what the offline shell lacks -> {version, files, cached, missing}
//   sw.onUpdate(({apply}) => …)                        // a new version of the pages is ready; apply() reloads into it
import { PackageError } from "./package-store.js";

/** `path` with each segment percent-encoded (a file name may hold `#`, `?`, `%` or spaces). */
export function encodePath(path) {
  return path.split("/").map(encodeURIComponent).join("/");
}

function controlled(timeoutMs) {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new PackageError("serviceWorker",
      "the service worker did not take control of this page (a hard reload bypasses it: reload normally)")), timeoutMs);
    navigator.serviceWorker.addEventListener("controllerchange", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/**
 * Register the service worker (scope: the folder it is in) and wait until it
 * controls this page. Rejects with a PackageError the page can show.
 */
export async function startServiceWorker({ url = new URL("../sw.js", import.meta.url), timeoutMs = 15000 } = {}) {
  if (!("serviceWorker" in navigator)) {
    throw new PackageError("serviceWorker", window.isSecureContext
      ? "this browser has no service workers (a private window may disable them)"
      : "service workers need a secure context: open the page from http://127.0.0.1 or localhost, or over https");
  }
  let reg;
  try {
    // updateViaCache "none": the worker and its imports (app-shell.js, whose
    // version names the deployed pages) are always checked with the server.
    reg = await navigator.serviceWorker.register(url, { type: "module", scope: new URL("./", url).href, updateViaCache: "none" });
  } catch (e) {
    throw new PackageError("serviceWorker", "the service worker could not be started: " + (e && e.message ? e.message : e), e && e.stack);
  }
  const ready = await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller && ready.active) ready.active.postMessage({ type: "claim" });
  await controlled(timeoutMs);
  const scope = reg.scope;
  return {
    registration: reg,
    scope,
    /** The URL the worker serves `path` of package `id` at. */
    packageUrl(id, path = "") {
      return new URL("package/" + encodeURIComponent(id) + "/" + encodePath(path), scope).href;
    },
    /** The URL of package `id`'s imsmanifest.xml. */
    manifestUrl(id) {
      return new URL("package/" + encodeURIComponent(id) + "/imsmanifest.xml", scope).href;
    },
    /** Tell the worker that package `id` changed or is gone. */
    forget(id) {
      const c = navigator.serviceWorker.controller;
      if (c) c.postMessage({ type: "forget", id });
    },
    /**
     * Have the worker store every file of the application shell it lacks
     * (the first visit stores them here). Resolves with
     * `{version, files, cached, missing: [{url, error}]}`.
     */
    shell({ timeoutMs: wait = 120000 } = {}) {
      return ask(navigator.serviceWorker.controller, { type: "shell" }, wait).then((answer) => {
        if (answer.error) throw new PackageError("serviceWorker", "the pages could not be stored for offline use: " + answer.error);
        return answer.status;
      });
    },
    /**
     * Call `listener({apply})` when a new version of the pages has been
     * installed and waits for the open pages to let it take over (at once
     * when one is waiting already). `apply()` lets it take over and reloads
     * this page into it.
     */
    onUpdate(listener) {
      const offer = () => {
        if (!reg.waiting || !navigator.serviceWorker.controller) return;
        listener({
          apply() {
            navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
            if (reg.waiting) reg.waiting.postMessage({ type: "skipWaiting" });
          },
        });
      };
      reg.addEventListener("updatefound", () => {
        const w = reg.installing;
        if (w) w.addEventListener("statechange", () => { if (w.state === "installed") offer(); });
      });
      offer();
    },
  };
}

/** Post `message` to `worker` with a reply port; resolves with the reply. */
function ask(worker, message, timeoutMs) {
  if (!worker) return Promise.reject(new PackageError("serviceWorker", "no service worker controls this page"));
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => reject(new PackageError("serviceWorker", "the service worker did not answer")), timeoutMs);
    channel.port1.onmessage = (e) => { clearTimeout(timer); resolve(e.data); };
    worker.postMessage(message, [channel.port2]);
  });
}
