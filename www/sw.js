// The service worker of the pages that play packages from the browser's own
// storage (the author preview, www/preview.html, and the offline player).
// It serves the files of stored packages under `<scope>package/<id>/…` as a
// web server would (www/lib/package-serve.js) from the package store
// (www/lib/package-store.js, OPFS), so a course's relative links, fetch/XHR,
// scripts, fonts, audio and video (Range) work as if it were hosted.
//
// Every other request goes to the network untouched.
//
// It keeps nothing that matters in memory: the browser may stop it at any
// time (it does after about 30 s idle, and DevTools can), and the next
// request starts it again and reopens the package from storage.
import { openStore } from "./lib/package-store.js";
import { servePackageRequest } from "./lib/package-serve.js";

const PREFIX = new URL("package/", self.registration.scope).pathname;

let storePromise = null;
function store() {
  if (!storePromise) storePromise = openStore().catch((e) => { storePromise = null; throw e; });
  return storePromise;
}

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

/**
 * A file the package lacks, for a package imported from a manifest URL: the
 * files the manifest does not list (loaded by its pages) come from where the
 * package came from, as that server would have answered.
 */
async function fromSource(id, path) {
  const s = await store();
  const pkg = await s.open(id);
  const src = pkg && pkg.info.source;
  if (!src || src.type !== "url" || pkg.info.kind !== "files") return null;
  const url = new URL(path.split("/").map(encodeURIComponent).join("/"), src.url);
  try {
    return await fetch(url.href, { credentials: "same-origin" });
  } catch {
    return null;
  }
}

async function answer(request) {
  try {
    const s = await store();
    return await servePackageRequest(request, { prefix: PREFIX, openPackage: (id) => s.open(id), onMiss: fromSource });
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    return new Response("the package file could not be read: " + message, {
      status: 500,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache" },
    });
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(PREFIX)) return;
  event.respondWith(answer(event.request));
});

// Messages from the pages: {type: "forget", id} after a package was removed
// or replaced; {type: "claim"} from a page that is not controlled (a hard
// reload bypasses the worker) and needs to be.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "forget" && typeof data.id === "string") {
    event.waitUntil(store().then((s) => s.forget(data.id)).catch(() => {}));
  } else if (data.type === "claim") {
    event.waitUntil(self.clients.claim());
  }
});
