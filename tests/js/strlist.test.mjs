// The installer's half of the string-list encoding the module's exports use
// (src/engine/strlist.rs): scormShimList reads what the module writes, and
// scormShimEncode writes what the module reads. The literal texts below are
// the ones the Rust unit tests expect its encoder to write.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const src = readFileSync(new URL("../../js/install.js", import.meta.url), "utf8");
const ctx = {};
vm.runInNewContext(src + "\nthis.list = scormShimList; this.encode = scormShimEncode;", ctx);
// (arrays made in the other context: compared by their items)
const list = (t) => Array.from(ctx.list(t));

const AWKWARD = [
  "",
  "plain",
  "1:a",
  ":",
  "::9:",
  "!not an error inside a list",
  "\"quoted\" \\back\\slash\\",
  "control \u0000\u0001\t\n\r\u001f\u007f",
  "non-BMP \u{1F600}\u{10FFFF} and BMP \uFFFF\u00e9",
  '["json",{"k":"v\\""}]',
  "12345",
];

test("what the module writes is read back", () => {
  assert.deepEqual(list("1:a0:3:b:c"), ["a", "", "b:c"]);
  assert.deepEqual(list("1:\u00e9"), ["\u00e9"]);
  assert.deepEqual(list("2:\u{1F600}"), ["\u{1F600}"], "a length counts UTF-16 units");
  assert.deepEqual(list(""), [], "the empty list");
});

test("every kind of character round-trips, alone and together", () => {
  assert.deepEqual(list(ctx.encode(AWKWARD)), AWKWARD);
  for (const s of AWKWARD) assert.deepEqual(list(ctx.encode([s])), [s], JSON.stringify(s));
  assert.equal(ctx.encode(["a", "", "b:c"]), "1:a0:3:b:c", "the same text as the module's encoder");
  assert.equal(ctx.encode([]), "");
});

test("an error is thrown as an Error with the module's message", () => {
  assert.throws(() => ctx.list("!scorm-shim: the configuration is frozen"), (e) => {
    assert.equal(e.message, "scorm-shim: the configuration is frozen");
    assert.equal(e.constructor.name, "Error");
    return true;
  });
  assert.deepEqual(list("1:!"), ["!"], "a list item may start with !");
});
