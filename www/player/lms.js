// What the LMS gives the player: a launch token for the learner's
// registration of the package (docs/PROTOCOL.md, "Authentication and CSRF").
// A real LMS issues it from its own server; this demo asks the reference
// backend's development endpoint (`scorm-backend --dev-tokens`, never in
// production), beside the configured endpoint.

/**
 * `{headers}` with a launch token for `ids` ({learnerId, courseId,
 * registrationId}), or null when the backend issues none (a backend started
 * without authentication answers 404 there).
 */
export async function launchCredentials(shim, ids) {
  const endpoint = (shim.config().endpoint || "").replace(/\/+$/, "");
  if (!endpoint) return null;
  let res;
  try {
    res = await fetch(endpoint + "/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ learner: ids.learnerId, registration: ids.registrationId, course: ids.courseId }),
    });
  } catch (e) {
    return null; // offline: the queue keeps everything until a token can be had
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
