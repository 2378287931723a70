// The course library's decisions, as pure functions (tested in node:
// tests/js/library-rules.test.mjs): which stored version a learner plays,
// whether a course at its URL has changed, and what a course's entry says.
// The library itself (www/player/library-model.js) keeps the records.

/** How an attempt stands, as the player records it. */
export const ATTEMPT_STATES = ["ended", "started", "suspended"];

/** An attempt that is in progress: it keeps its version until the learner starts anew. */
export function inProgress(attempt) {
  return !!attempt && (attempt.state === "started" || attempt.state === "suspended");
}

/**
 * Has the course published at a URL changed since `stored` was fetched?
 * Validators compared in order of strength (RFC 9110 §8.8): the ETag, then
 * Last-Modified, then the length; for a course added by its manifest, the
 * manifest's SHA-256. `{changed: true | false | null, by}`: null when the
 * server gives nothing to compare (then no update is offered).
 */
export function compareVersions(stored, now) {
  if (!stored || !now) return { changed: null, by: null };
  if (stored.manifestSha && now.manifestSha) return { changed: stored.manifestSha !== now.manifestSha, by: "manifest" };
  if (stored.etag && now.etag) {
    // A weak and a strong tag of one representation differ only by W/.
    const strip = (t) => t.replace(/^W\//, "");
    return { changed: strip(stored.etag) !== strip(now.etag), by: "etag" };
  }
  if (stored.lastModified && now.lastModified) {
    const a = Date.parse(stored.lastModified), b = Date.parse(now.lastModified);
    if (!Number.isNaN(a) && !Number.isNaN(b)) return { changed: b > a, by: "lastModified" };
  }
  if (stored.length && now.length) return { changed: stored.length !== now.length, by: "length" };
  return { changed: null, by: null };
}

/**
 * The version a learner plays: the one their attempt in progress started
 * with (while it is stored), else the newest. `versions` ascending by `n`.
 */
export function versionToPlay(record, attempt) {
  const versions = (record && record.versions) || [];
  if (!versions.length) return null;
  const latest = versions[versions.length - 1];
  const a = attempt;
  if (inProgress(a)) {
    const kept = versions.find((v) => v.packageId === a.packageId);
    if (kept) return kept;
  }
  return latest;
}

/**
 * What a course's entry offers: {play, version, latest, newerWaiting,
 * canStartAnew}. `newerWaiting`: a newer version is stored but the attempt
 * in progress keeps its own.
 */
export function entryState(record, attempt) {
  const play = versionToPlay(record, attempt);
  const versions = (record && record.versions) || [];
  const latest = versions.length ? versions[versions.length - 1] : null;
  const newerWaiting = !!play && !!latest && play.packageId !== latest.packageId;
  return { play, latest, newerWaiting, canStartAnew: newerWaiting };
}

/** The next version number of a record. */
export function nextVersion(record) {
  return ((record && record.versions) || []).reduce((n, v) => Math.max(n, v.n || 0), 0) + 1;
}

/** A library key for a course published at `url` (its hash part dropped): "u" + 24 hex digits of SHA-256. */
export async function keyOfUrl(url) {
  const u = new URL(url);
  u.hash = "";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(u.href));
  return "u" + Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Keys the library makes (the only ones it reads back). */
export const KEY_PATTERN = /^[uf][a-z0-9]{1,64}$/;

/**
 * The registration a learner's attempt on version `n` of course `key`
 * belongs to: the key, the version and 16 hex digits of SHA-256 over the
 * learner, the key and the version. Stable across downloads (a course
 * evicted and downloaded again resumes where the backend has it), its own
 * per version (the sequencing state of one version does not fit another),
 * and per learner (a backend keeps one learner per registration).
 */
export async function registrationFor(learnerId, key, n) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(learnerId + "\u0000" + key + "\u0000" + n));
  return key + "-v" + n + "@" + Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A library key for a zip file added from this device: its name and size (the same file added again is the same course). */
export async function keyOfFile(name, size) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name + "\u0000" + size));
  return "f" + Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}
