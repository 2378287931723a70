// The player's plain words for sequencing refusals (www/player/words.js):
// every exception id it translates is one the sequencer can give (SN
// Appendix C, src/engine/sequencing/mod.rs), the learner's words never carry
// the technical id, and the id stays available as the detail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { whyWords } from "../../www/player/words.js";

const rust = readFileSync(new URL("../../src/engine/sequencing/mod.rs", import.meta.url), "utf8");
const exceptions = new Map([...rust.matchAll(/\("([A-Z]{2}\.[\d.]+-\d+|RESTORE-\d)", "([^"]+)"\)/g)].map((m) => [m[1], m[2]]));
const words = readFileSync(new URL("../../www/player/words.js", import.meta.url), "utf8");
const translated = [...words.matchAll(/^\s+"([A-Z]{2}\.[\d.]+-\d+)": "/gm)].map((m) => m[1]);

test("every translated id is an SN exception the sequencer knows", () => {
  assert.ok(exceptions.size > 50, "the exception table was read");
  assert.ok(translated.length > 20, "the words table was read");
  for (const id of translated) assert.ok(exceptions.has(id), id);
});

test("an SN refusal reads in words, with the id and description as detail", () => {
  for (const [id, message] of exceptions) {
    if (id.startsWith("RESTORE")) continue; // not a refusal: a message of its own
    const w = whyWords({ id, message });
    assert.doesNotMatch(w.words, /[A-Z]{2}\.\d/, id);
    assert.ok(w.words.length > 0, id);
    assert.equal(w.detail, `${id}: ${message}`);
  }
  assert.equal(whyWords({ id: "DB.1.1-3", message: "x" }).words.startsWith("Not available now: the course's rules"), true);
});

test("a reason the package states in words is shown as it is", () => {
  const prereq = "Not available yet: complete “1. Introduction” first.";
  assert.deepEqual(whyWords({ id: "prerequisites", message: prereq }), { words: prereq, detail: "" });
  assert.deepEqual(whyWords("Plain text"), { words: "Plain text", detail: "" });
  assert.deepEqual(whyWords(undefined), { words: "", detail: "" });
});
