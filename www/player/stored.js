// Playing a course from the library on this device (course.html?course=<key>):
// the version the learner's attempt started with (or the newest), checked
// before it plays (a course the browser evicted, or a damaged copy, is said
// in words), served by the service worker, with the registration of that
// learner and version; the attempt's state and whether its progress still
// waits to be sent are written back to the library as it goes.
import { openLibrary } from "./library-model.js";
import { entryState } from "./library-rules.js";
import { startOffline } from "./offline.js";

/** A reason the course cannot be played, in words for the page. */
export class PlayError extends Error {
  constructor(title, text, detail) {
    super(text);
    this.title = title;
    this.detail = detail || "";
  }
}

/**
 * Prepare course `key` for playing: resolves with `{manifestUrl, title,
 * version, watch(), launched(), ended(resumable)}`, or rejects with a
 * PlayError.
 */
export async function openStored(key, shim, messages) {
  let sw, lib;
  try {
    sw = await startOffline({ messages });
    lib = await openLibrary({
      inspect: (xml) => shim.course.inspect(xml),
      learnerId: shim.config().learnerId,
      keepForDelivery: !!shim.config().endpoint,
    });
  } catch (e) {
    throw new PlayError("Courses cannot be played from this device in this browser.", String(e && e.message ? e.message : e), e && e.detail);
  }
  const record = await lib.get(key);
  if (!record) {
    throw new PlayError("This course is not on this device.",
      "It was removed, or the browser cleared this site's storage. Go back to your courses to add it again.");
  }
  const attempt = (record.attempts || {})[lib.learnerId] || null;
  const state = entryState(record, attempt);
  const version = state.play;
  if (!version) {
    throw new PlayError("This course's files are no longer on this device.",
      "The browser removed them to free space, or this site's data was cleared. Go back to your courses to download it again.");
  }
  const check = await lib.store.verify(version.packageId);
  if (!check.ok) {
    throw check.id === "corrupt"
      ? new PlayError("The stored copy of this course is damaged.", `It cannot be played (${check.message}). Go back to your courses to download it again; your progress is kept.`)
      : new PlayError("This course's files are no longer on this device.", `It cannot be played (${check.message}). Go back to your courses to download it again; your progress is kept.`);
  }
  // The registration of this learner and version: given to course.open().
  const registration = await lib.registration(key, version.n);
  if (state.newerWaiting) {
    messages.show({
      key: "version",
      level: "info",
      text: `Version ${state.latest.n} of this course is on this device. Your attempt continues on version ${version.n}.`,
      actions: [{
        label: `Start over with version ${state.latest.n}`,
        run: async () => {
          if (!window.confirm(`Start over with version ${state.latest.n}? Your attempt on version ${version.n} ends here.`)) return;
          await lib.startAnew(key);
          location.reload();
        },
      }],
    });
  }
  const pkg = version.packageId;
  // One write after another, in the order things happened: a "started"
  // written after the "suspended" that followed it would be wrong.
  let chain = Promise.resolve();
  const report = (f) => {
    chain = chain.then(f).catch((e) => console.warn("scorm-shim player: the library could not be updated", e));
  };
  return {
    manifestUrl: sw.manifestUrl(pkg),
    title: version.title || record.title,
    version,
    registration,
    /** Follow the queue: progress waiting to be sent, and sent. */
    watch() {
      let marked = false, cleared = false;
      shim.onEvent((e) => {
        if (e.type === "queued") {
          cleared = false;
          if (!marked) { marked = true; report(() => lib.markPlayed(key, pkg)); }
        } else if (e.type === "acknowledged" && !cleared) {
          const q = shim.queueStatus();
          if (Object.values(q).every((v) => v.pending === 0) && !shim.failedBatches().length) {
            cleared = true;
            marked = false;
            report(() => lib.delivered(key, pkg));
          }
        }
      });
    },
    launched() { report(() => lib.setAttempt(key, pkg, "started")); },
    ended(resumable) { report(() => lib.setAttempt(key, pkg, resumable ? "suspended" : "ended")); },
  };
}
