// The player's offline foundation: the service worker (www/sw.js, shared with
// the author preview) that serves stored courses and keeps the player's own
// files, and the browser's storage for courses (how much is used and free,
// and whether the browser may evict it).
import { startServiceWorker } from "../lib/sw-bridge.js";
import { formatBytes } from "../lib/package-rules.js";

/**
 * Start the service worker, have it store what the offline shell lacks, and
 * offer a new version of the player when one is waiting. Resolves with the
 * bridge (`packageUrl`, `manifestUrl`, …); `onShell(status)` is told when
 * the shell is stored (`{version, files, cached, missing}`) or could not be.
 */
export async function startOffline({ messages, onShell } = {}) {
  const sw = await startServiceWorker();
  sw.shell().then(
    (status) => { if (onShell) onShell(status); },
    (e) => { if (onShell) onShell({ error: String(e && e.message ? e.message : e) }); });
  sw.onUpdate(({ apply }) => {
    if (!messages) return;
    messages.show({
      key: "update",
      level: "info",
      sticky: true,
      title: "A new version of the player is ready.",
      text: "It takes over when you reload. Your courses and progress stay as they are.",
      actions: [{ label: "Reload now", run: apply }],
    });
  });
  return sw;
}

/** `{usage, quota, free, persisted}` of this site's storage, or null when the browser does not say. */
export async function storageState() {
  const s = navigator.storage;
  if (!s || !s.estimate) return null;
  try {
    const { usage = 0, quota = 0 } = await s.estimate();
    const persisted = s.persisted ? await s.persisted() : false;
    return { usage, quota, free: Math.max(0, quota - usage), persisted };
  } catch {
    return null;
  }
}

/** Ask the browser to keep this site's storage (not evict it when space runs low). Resolves with whether it will. */
export async function askPersistence() {
  const s = navigator.storage;
  if (!s || !s.persist) return false;
  try {
    return await s.persist();
  } catch {
    return false;
  }
}

/** The storage line of the library, in words. */
export function storageWords(st) {
  if (!st) return "This browser does not say how much space is left.";
  return `Stored on this device: ${formatBytes(st.usage)}. Space left for courses: ${formatBytes(st.free)}.`;
}
