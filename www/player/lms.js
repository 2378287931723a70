// What the LMS gives the player: a launch token for the learner's
// registration of the package (docs/PROTOCOL.md, "Authentication and CSRF").
// A real LMS issues it from its own server; this demo asks the reference
// backend's development endpoint (`scorm-backend --dev-tokens`, never in
// production), beside the configured endpoint.
//
// Offline there is no one to ask: the course opens without a token, every
// commit waits in the local queue (sending fails while offline, and a send
// without a token is refused with 401 and kept: "authRequired"), and the
// token is asked for as soon as the browser is online again
// (`credentialsWhenOnline`), or when the backend refuses a send
// (`renewOnRefusal`). Tokens are never stored on the device.

/** How long to wait for the token endpoint (a poor network must not hold the course up). */
const TOKEN_TIMEOUT_MS = 10000;

/**
 * `{headers}` with a launch token for `ids` ({learnerId, courseId,
 * registrationId}), or null when the backend issues none (a backend started
 * without authentication answers 404 there).
 */
export async function launchCredentials(shim, ids) {
  const endpoint = (shim.config().endpoint || "").replace(/\/+$/, "");
  if (!endpoint) return null;
  if (navigator.onLine === false) return null; // offline: the queue keeps everything until a token can be had
  let res;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TOKEN_TIMEOUT_MS);
  try {
    res = await fetch(endpoint + "/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ learner: ids.learnerId, registration: ids.registrationId, course: ids.courseId }),
      signal: controller.signal,
    });
  } catch (e) {
    return null; // offline, or no answer: as above
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`the server gave no launch token (HTTP ${res.status})`);
  const { token } = await res.json();
  return { headers: { Authorization: "Bearer " + token } };
}

/**
 * Keep the token fresh: when the backend refuses it (expired), ask for a new
 * one for the same registration; nothing queued is lost meanwhile.
 */
export function renewOnRefusal(shim, ids, messages) {
  let renewed = 0;
  shim.onEvent(async (e) => {
    if (e.type !== "authRequired" || !ids()) return;
    // A fresh token refused at once is not an expired one (another learner's
    // registration, a revoked session): asking again would only repeat it.
    const again = Date.now() - renewed < 10000;
    try {
      const credentials = again ? null : await launchCredentials(shim, ids());
      if (credentials) {
        renewed = Date.now();
        shim.setCredentials(credentials);
        messages.clear("auth");
        return;
      }
    } catch (err) {
      /* shown below */
    }
    messages.show({
      key: "auth",
      level: "error",
      sticky: true,
      title: "The server does not accept this session any more.",
      text: "Your progress is kept in this browser and will be sent once you sign in again. Please reload the page.",
      detail: `HTTP ${e.status}`,
    });
  });
}

/**
 * Ask for the token once the browser is online again, when the course was
 * opened without one (offline). `ids()` gives the registration's ids (null
 * before the package named them). Returns `{given()}`: call it when
 * credentials were set some other way.
 */
export function credentialsWhenOnline(shim, ids) {
  let have = false;
  let asking = false;
  async function ask() {
    if (have || asking || !ids()) return;
    asking = true;
    try {
      const credentials = await launchCredentials(shim, ids());
      if (credentials && !shim.setCredentials(credentials).length) have = true;
    } catch {
      /* the queue keeps everything; a refused send asks again (renewOnRefusal) */
    } finally {
      asking = false;
    }
  }
  window.addEventListener("online", ask);
  return { given() { have = true; }, ask };
}
