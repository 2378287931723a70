// The import report model (www/preview/report-model.js) over what the real
// engine reads from manifests (pkg/, built by scripts/test.sh before these
// tests): activities and launch URLs, missing and unreferenced files, and
// the sequencing rules in words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildReport, crossCheck, hrefPath, sequencingInWords } from "../../www/preview/report-model.js";

const ROOT = new URL("../../", import.meta.url);
const glue = await import(new URL("pkg/course/scorm_shim.js", ROOT));
glue.initSync({ module: readFileSync(new URL("pkg/course/scorm_shim_bg.wasm", ROOT)) });
const inspect = (xml) => glue.Shim.inspectManifest(xml, "");
const sequencedXml = readFileSync(new URL("www/courses/sequenced/imsmanifest.xml", ROOT), "utf8");

test("the sequenced sample: version, activities with launch URLs, no problems", () => {
  const r = buildReport(inspect(sequencedXml), ["imsmanifest.xml", "sco.html"]);
  assert.equal(r.ok, true);
  assert.equal(r.version, "2004 4th Edition");
  assert.deepEqual(r.activities.map((a) => [a.id, a.depth, a.href]), [
    ["ORG", 0, null], ["LESSONS", 1, null], ["L1", 2, "sco.html"], ["L2", 2, "sco.html?lesson=2"], ["QUIZ", 1, "sco.html?quiz=1"],
  ]);
  assert.equal(r.scoCount, 3);
  assert.deepEqual(r.missing, []);
  assert.deepEqual(r.unreferenced, []);
  assert.deepEqual(r.globalObjectives, ["g-lessons-done"]);
});

test("the sequenced sample's rules in words", () => {
  const r = buildReport(inspect(sequencedXml), ["imsmanifest.xml", "sco.html"]);
  const words = Object.fromEntries(r.sequencing.map((s) => [s.id, s.rules]));
  assert.ok(words.ORG.includes("Continue and Previous move through its children in order."), JSON.stringify(words.ORG));
  assert.ok(words.QUIZ.includes('Before it starts: if objective "lessons-done" is not satisfied or the status of objective "lessons-done" is unknown, it is disabled (it cannot be started, also not from the table of contents).'), JSON.stringify(words.QUIZ));
  assert.ok(words.QUIZ.includes("It is satisfied when the score (scaled) is at least 0.8."), JSON.stringify(words.QUIZ));
  // readNormalizedMeasure, readCompletionStatus and readProgressMeasure default to true (IMS SS, SCORM 2004 4th Edition).
  assert.ok(words.QUIZ.includes('Objective "lessons-done"\'s satisfaction, score, completion and progress are read from the global objective "g-lessons-done".'), JSON.stringify(words.QUIZ));
  assert.ok(words.LESSONS.includes('Its satisfaction goes to the global objective "g-lessons-done".'), JSON.stringify(words.LESSONS));
  assert.equal(words.L1, undefined, "a plain leaf says nothing");
});

test("files referenced but missing, and files nobody references", () => {
  const r = buildReport(inspect(sequencedXml), ["imsmanifest.xml", "Sco.html", "extra/notes.txt", "imscp_v1p1.xsd"]);
  assert.deepEqual(r.missing.map((m) => [m.path, m.resources]), [["sco.html", ["SCO"]]]);
  assert.match(r.missing[0].hint, /"Sco\.html".*case-sensitive/);
  assert.deepEqual(r.unreferenced.map((u) => u.path), ["Sco.html", "extra/notes.txt", "imscp_v1p1.xsd"]);
  assert.match(r.unreferenced[2].note, /schema file/);
});

test("manifest warnings and errors keep their line and column", () => {
  const warned = sequencedXml.replace("<schemaversion>2004 4th Edition</schemaversion>", "");
  const r = buildReport(inspect(warned), ["imsmanifest.xml", "sco.html"]);
  const w = r.problems.find((p) => p.kind === "version");
  assert.ok(w && w.line > 0 && w.column > 0, JSON.stringify(r.problems));
  const broken = buildReport(inspect(sequencedXml.replace('<item identifier="L1" identifierref="SCO">', '<item identifier="L1" identifierref="NOPE">')), []);
  assert.equal(broken.ok, false);
  assert.equal(broken.problems[0].kind, "danglingReference");
  assert.equal(broken.problems[0].line, 17); // the <item identifier="L1"> line
  assert.ok(broken.problems[0].column > 0);
  const notXml = buildReport(inspect("<manifest"), []);
  assert.equal(notXml.ok, false);
  assert.equal(notXml.error.kind, "xml");
});

test("a SCORM 1.2 manifest: version, mastery score in words", () => {
  const xml = readFileSync(new URL("www/courses/sample/imsmanifest12.xml", ROOT), "utf8");
  const r = buildReport(inspect(xml), ["imsmanifest.xml", "index.html", "scorm-api.js", "course.js"]);
  assert.equal(r.version, "1.2");
  assert.deepEqual(r.missing, []);
  const item = r.sequencing.find((s) => s.id === "ITEM-1");
  assert.ok(item.rules.some((w) => /Mastery score 80/.test(w)), JSON.stringify(item.rules));
});

test("hrefPath and crossCheck", () => {
  assert.equal(hrefPath("a%20b.html?x=1#top"), "a b.html");
  assert.equal(hrefPath("./x.html"), "x.html");
  assert.equal(hrefPath("bad%zz.html"), "bad%zz.html");
  const c = crossCheck([{ identifier: "R", href: "index.html", files: ["index.html", "js/a.js"] }], ["index.html", "js/b.js"]);
  assert.deepEqual(c.missing.map((m) => m.path), ["js/a.js"]);
  assert.deepEqual(c.unreferenced.map((u) => u.path), ["js/b.js"]);
});

test("rules in words: limits, rollup, randomization, control modes", () => {
  const xml = sequencedXml.replace('<imsss:controlMode choice="true" flow="true"/>\n      </imsss:sequencing>\n    </organization>',
    '<imsss:controlMode choice="false" flow="true" forwardOnly="true"/><imsss:limitConditions attemptLimit="2"/>' +
    '<imsss:rollupRules><imsss:rollupRule childActivitySet="atLeastCount" minimumCount="2"><imsss:rollupConditions><imsss:rollupCondition condition="completed"/></imsss:rollupConditions><imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules>' +
    '<imsss:randomizationControls reorderChildren="true" randomizationTiming="onEachNewAttempt"/>\n      </imsss:sequencing>\n    </organization>');
  const m = inspect(xml);
  assert.ok(m.manifest, JSON.stringify(m.error));
  const words = sequencingInWords(m.manifest.activityTree);
  for (const want of [
    "The learner cannot choose its children from the table of contents.",
    "No going back: Previous is not allowed among its children.",
    "At most 2 attempts.",
    "It is completed when at least 2 children are completed.",
    "Its children come in a random order (onEachNewAttempt).",
  ]) assert.ok(words.includes(want), want + " in " + JSON.stringify(words));
});
