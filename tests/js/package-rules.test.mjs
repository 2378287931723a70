// The package rules (www/lib/package-rules.js) as tables: entry names that
// are refused and why, the zip bomb limits, the package root, the
// Content-Type table, Range headers and request paths.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LIMITS, NAME_RULES, CONTENT_TYPES, checkEntryName, checkArchive, findRoot, contentType, parseRange, requestPath, limit,
} from "../../www/lib/package-rules.js";

test("the limits table is sorted by id and every limit is a positive number", () => {
  const ids = LIMITS.map((l) => l.id);
  assert.deepEqual(ids, ids.slice().sort());
  for (const l of LIMITS) assert.ok(l.value > 0 && Number.isFinite(l.value), l.id);
  assert.equal(limit("ratio"), 200);
  assert.equal(limit("ratio", { ratio: 5 }), 5);
  assert.throws(() => limit("nope"));
});

test("the Content-Type table is sorted, unique and lower-case", () => {
  const exts = CONTENT_TYPES.map((e) => e[0]);
  assert.deepEqual(exts, exts.slice().sort());
  assert.equal(new Set(exts).size, exts.length);
  for (const e of exts) assert.equal(e, e.toLowerCase());
});

const NAMES = [
  // name, expected rule id (null: accepted)
  ["index.html", null],
  ["a/b/c.js", null],
  ["folder/", null],
  ["résumé/ünïcode ✓.html", null],
  ["a b/c#d?.html", null],
  ["", "empty"],
  ["../evil.html", "parent"],
  ["a/../../evil.html", "parent"],
  ["a/..", "parent"],
  ["/etc/passwd", "absolute"],
  ["C:/Windows/evil.dll", "drive"],
  ["c:evil", "drive"],
  ["a\\..\\evil.html", "backslash"],
  ["..\\evil.html", "backslash"],
  ["\\\\server\\share", "backslash"],
  ["a/./b.html", "dot"],
  ["./index.html", "dot"],
  ["a//b.html", "emptySegment"],
  ["a\u0000b", "control"],
  ["line\nbreak", "control"],
  ["x".repeat(1025), "nameChars"],
];

for (const [name, id] of NAMES) {
  test(`entry name ${JSON.stringify(name.slice(0, 40))}: ${id || "accepted"}`, () => {
    const r = checkEntryName(name);
    if (id === null) {
      assert.equal(r.ok, true, r.message);
    } else {
      assert.equal(r.ok, false);
      assert.equal(r.id, id, r.message);
      assert.ok(r.message.length > 10);
    }
  });
}

test("every name rule has an id and a message, and the ids are unique", () => {
  const ids = NAME_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of NAME_RULES) assert.ok(r.message);
});

const ROOTS = [
  [["imsmanifest.xml", "index.html"], ""],
  [["course/imsmanifest.xml", "course/index.html", "course/js/a.js"], "course/"],
  [["course/", "course/imsmanifest.xml", "course/index.html"], "course/"],
  [["a/b/imsmanifest.xml", "a/b/x.html"], "a/b/"],
  [["a/imsmanifest.xml", "a/b/x.html"], "a/"],
  [["a/imsmanifest.xml", "b/x.html"], null],
  [["index.html"], null],
  [["x/index.html", "x/sub/imsmanifest.xml"], null],
  [[], null],
];
for (const [paths, root] of ROOTS) {
  test(`package root of ${JSON.stringify(paths)} is ${JSON.stringify(root)}`, () => {
    assert.equal(findRoot(paths), root);
  });
}

const e = (name, size = 10, compressedSize = size, extra = {}) => ({ name, size, compressedSize, ...extra });

const ARCHIVES = [
  // [title, entries, expected id or null, check]
  ["a flat package", [e("imsmanifest.xml"), e("index.html")], null, (r) => assert.equal(r.root, "")],
  ["a package wrapped in one folder", [e("pkg/"), e("pkg/imsmanifest.xml"), e("pkg/index.html")], null,
    (r) => { assert.equal(r.root, "pkg/"); assert.deepEqual(r.files.map((f) => f.path), ["imsmanifest.xml", "index.html"]); }],
  ["macOS resource forks are ignored", [e("pkg/imsmanifest.xml"), e("__MACOSX/pkg/._index.html"), e("pkg/.DS_Store")], null,
    (r) => { assert.equal(r.root, "pkg/"); assert.deepEqual(r.ignored, ["__MACOSX/pkg/._index.html", "pkg/.DS_Store"]); }],
  ["no manifest", [e("index.html")], "noManifest", (r) => assert.match(r.message, /not a content package/)],
  ["a manifest with files beside its folder", [e("a/imsmanifest.xml"), e("b/x.html")], "noManifest", (r) => assert.match(r.message, /a\/imsmanifest\.xml/)],
  ["a path escaping the package", [e("imsmanifest.xml"), e("../../evil.js")], "parent"],
  ["a backslash path", [e("imsmanifest.xml"), e("..\\evil.js")], "backslash"],
  ["an absolute path", [e("imsmanifest.xml"), e("/tmp/evil.js")], "absolute"],
  ["a drive letter", [e("imsmanifest.xml"), e("C:/evil.js")], "drive"],
  ["a duplicate name", [e("imsmanifest.xml"), e("a.js"), e("a.js")], "duplicate"],
  ["a high-ratio entry (bomb)", [e("imsmanifest.xml"), e("zeros.bin", 1024 * 1024 * 1024, 1024 * 1024)], "ratio",
    (r) => assert.match(r.message, /1,024:1.*zip bomb/)],
  ["a small entry may compress well", [e("imsmanifest.xml"), e("blank.txt", 1000 * 1000, 1000)], null],
  ["too much inflated in all", [e("imsmanifest.xml"), ...Array.from({ length: 9 }, (_, i) => e("big" + i + ".mp4", 2 * 1024 ** 3))], "totalBytes"],
  ["overlapping entries (bomb)", [e("imsmanifest.xml", 10, 10, { offset: 0, nameBytes: 15 }), e("a.bin", 1000, 500, { offset: 100, nameBytes: 5 }), e("b.bin", 1000, 500, { offset: 100, nameBytes: 5 })], "overlap"],
  ["adjacent entries are fine", [e("imsmanifest.xml", 10, 10, { offset: 0, nameBytes: 15 }), e("a.bin", 1000, 500, { offset: 55, nameBytes: 5 }), e("b.bin", 1000, 500, { offset: 590, nameBytes: 5 })], null],
  ["a huge manifest", [e("imsmanifest.xml", 100 * 1024 * 1024, 10 * 1024 * 1024)], "manifestBytes"],
];

for (const [title, entries, id, check] of ARCHIVES) {
  test(`archive: ${title}: ${id || "accepted"}`, () => {
    const r = checkArchive(entries);
    assert.equal(r.ok, id === null, r.message);
    if (id !== null) assert.equal(r.id, id, r.message);
    if (check) check(r);
  });
}

test("too many entries", () => {
  const r = checkArchive([e("imsmanifest.xml"), e("a"), e("b")], { entries: 2 });
  assert.equal(r.id, "entries");
});

const TYPES = [
  ["index.html", "text/html; charset=utf-8"],
  ["A/B/INDEX.HTM", "text/html; charset=utf-8"],
  ["data/questions.json", "application/json"],
  ["imsmanifest.xml", "application/xml"],
  ["lib/app.js", "text/javascript; charset=utf-8"],
  ["video/clip.webm", "video/webm"],
  ["video/clip.mp4", "video/mp4"],
  ["fonts/x.woff2", "font/woff2"],
  ["img/a.svg", "image/svg+xml"],
  ["audio.mp3", "audio/mpeg"],
  ["captions.vtt", "text/vtt; charset=utf-8"],
  ["README", "application/octet-stream"],
  ["archive.tar.unknownext", "application/octet-stream"],
  [".hidden/x", "application/octet-stream"],
];
for (const [path, type] of TYPES) {
  test(`Content-Type of ${path}`, () => assert.equal(contentType(path), type));
}

const RANGES = [
  // header, size, expected
  [null, 100, null],
  ["bytes=0-9", 100, { start: 0, end: 9 }],
  ["bytes=90-", 100, { start: 90, end: 99 }],
  ["bytes=-10", 100, { start: 90, end: 99 }],
  ["bytes=-1000", 100, { start: 0, end: 99 }],
  ["bytes=50-1000", 100, { start: 50, end: 99 }],
  ["bytes=100-", 100, { unsatisfiable: true }],
  ["bytes=-0", 100, { unsatisfiable: true }],
  ["bytes=0-", 0, { unsatisfiable: true }],
  ["bytes=5-1", 100, null],
  ["bytes=0-1,5-6", 100, null],
  ["items=0-1", 100, null],
  ["bytes=-", 100, null],
  ["BYTES = 1 - 2", 100, { start: 1, end: 2 }],
];
for (const [header, size, want] of RANGES) {
  test(`Range ${JSON.stringify(header)} of ${size} bytes`, () => assert.deepEqual(parseRange(header, size), want));
}

const PATHS = [
  ["index.html", { path: "index.html" }],
  ["", { path: "index.html" }],
  ["lessons/", { path: "lessons/index.html" }],
  ["a%20b/c%23d.html", { path: "a b/c#d.html" }],
  ["r%C3%A9sum%C3%A9.html", { path: "résumé.html" }],
  ["a%2F..%2Fb", { error: "the path leaves the package" }],
  ["a%5Cb", { error: "the path leaves the package" }],
  ["%E0%A4%A", { error: "bad percent-encoding" }],
];
for (const [rest, want] of PATHS) {
  test(`request path ${JSON.stringify(rest)}`, () => assert.deepEqual(requestPath(rest), want));
}
