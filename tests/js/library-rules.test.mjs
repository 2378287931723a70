// The course library's decisions (www/player/library-rules.js): whether a
// course published at a URL changed, which stored version a learner plays
// (an attempt in progress keeps its version until the learner starts anew),
// and the ids the library makes (registrations per learner and version).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  compareVersions, versionToPlay, entryState, inProgress, nextVersion, keyOfUrl, keyOfFile, registrationFor, KEY_PATTERN,
} from "../../www/player/library-rules.js";

test("a change is judged by the strongest validator both sides have", () => {
  assert.deepEqual(compareVersions({ etag: '"a"' }, { etag: '"b"' }), { changed: true, by: "etag" });
  assert.deepEqual(compareVersions({ etag: 'W/"a"' }, { etag: '"a"' }), { changed: false, by: "etag" });
  // ETag wins over the others, even when the length changed too.
  assert.deepEqual(compareVersions({ etag: '"a"', length: 10 }, { etag: '"a"', length: 11 }), { changed: false, by: "etag" });
  assert.deepEqual(compareVersions({ lastModified: "Tue, 01 Dec 2026 10:00:00 GMT" }, { lastModified: "Wed, 02 Dec 2026 10:00:00 GMT" }), { changed: true, by: "lastModified" });
  assert.deepEqual(compareVersions({ lastModified: "Wed, 02 Dec 2026 10:00:00 GMT" }, { lastModified: "Wed, 02 Dec 2026 10:00:00 GMT" }), { changed: false, by: "lastModified" });
  assert.deepEqual(compareVersions({ length: 100 }, { length: 101 }), { changed: true, by: "length" });
  assert.deepEqual(compareVersions({ length: 100 }, { length: 100 }), { changed: false, by: "length" });
  assert.deepEqual(compareVersions({ manifestSha: "aa", length: 5 }, { manifestSha: "bb", length: 5 }), { changed: true, by: "manifest" });
  // Nothing to compare: no update is offered.
  assert.deepEqual(compareVersions({ etag: '"a"' }, { lastModified: "x" }), { changed: null, by: null });
  assert.deepEqual(compareVersions({}, {}), { changed: null, by: null });
});

const V1 = { packageId: "p1", n: 1 }, V2 = { packageId: "p2", n: 2 };

test("an attempt in progress keeps its version; otherwise the newest plays", () => {
  const record = { versions: [V1, V2] };
  assert.equal(versionToPlay(record, null), V2);
  assert.equal(versionToPlay(record, { packageId: "p1", state: "suspended" }), V1);
  assert.equal(versionToPlay(record, { packageId: "p1", state: "started" }), V1);
  assert.equal(versionToPlay(record, { packageId: "p1", state: "ended" }), V2, "an ended attempt moves on");
  assert.equal(versionToPlay(record, { packageId: "gone", state: "suspended" }), V2, "a version no longer stored cannot be kept");
  assert.equal(versionToPlay({ versions: [] }, null), null);
  assert.deepEqual(entryState(record, { packageId: "p1", state: "suspended" }), { play: V1, latest: V2, newerWaiting: true, canStartAnew: true });
  assert.deepEqual(entryState(record, null), { play: V2, latest: V2, newerWaiting: false, canStartAnew: false });
  assert.equal(inProgress(null), false);
  assert.equal(nextVersion(record), 3);
  assert.equal(nextVersion({ versions: [] }), 1);
});

test("keys and registrations: stable, per URL or file, per learner and version, in the shape the library reads back", async () => {
  const a = await keyOfUrl("https://lms.example/c/course.zip#x");
  assert.equal(a, await keyOfUrl("https://lms.example/c/course.zip"), "the fragment does not count");
  assert.notEqual(a, await keyOfUrl("https://lms.example/c/course2.zip"));
  assert.match(a, KEY_PATTERN);
  const f = await keyOfFile("course.zip", 1234);
  assert.match(f, KEY_PATTERN);
  assert.notEqual(f, await keyOfFile("course.zip", 1235));
  const r1 = await registrationFor("learner-1", a, 1);
  assert.equal(r1, await registrationFor("learner-1", a, 1), "the same after the course is downloaded again");
  assert.notEqual(r1, await registrationFor("learner-1", a, 2), "each version has its own sequencing state");
  assert.notEqual(r1, await registrationFor("learner-2", a, 1), "each learner has their own");
  assert.match(r1, new RegExp("^" + a + "-v1@[0-9a-f]{16}$"));
  assert.ok(!KEY_PATTERN.test("../x") && !KEY_PATTERN.test("u") && !KEY_PATTERN.test("Uabc"));
});
