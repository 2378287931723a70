// Why the module's exports pass lists as length-prefixed strings
// (src/engine/strlist.rs) and not as JSON arrays: the time to read one back
// in JavaScript, for a short list, a list of 60 keys, and a batch whose
// values are JSON themselves (48 KB of suspend_data full of quotes).
// Nothing is asserted; `node bench/strlist.mjs`.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const ctx = {};
vm.runInNewContext(readFileSync(new URL("../js/install.js", import.meta.url), "utf8") +
  "\nthis.list = scormShimList; this.encode = scormShimEncode;", ctx);
const body = JSON.stringify({ cmi: { suspend_data: 'x"y'.repeat(16000), location: "p3",
  interactions: Array.from({ length: 50 }, (_, i) => ({ id: "q" + i, result: "correct", learner_response: "a[,]b" })) } });
const cases = {
  "short list": ["p", "scorm-shim:u:c:r:2004:state:sco", '#1\n{"v":1}'],
  "60 keys": Array.from({ length: 60 }, (_, i) => "scorm-shim:u:c:r:2004:state:key" + i),
  "batch with 48 KB of quoted suspend_data": ["2004", "17", body],
};
for (const [name, items] of Object.entries(cases)) {
  for (const [how, read, text] of [["JSON.parse", JSON.parse, JSON.stringify(items)], ["length-prefixed", ctx.list, ctx.encode(items)]]) {
    const n = text.length > 10000 ? 2000 : 100000;
    let out;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) out = read(text);
    const us = ((performance.now() - t0) / n) * 1000;
    if (JSON.stringify(Array.from(out)) !== JSON.stringify(items)) throw new Error(how + " read " + name + " wrongly");
    console.log(`${name.padEnd(42)} ${how.padEnd(16)} ${String(text.length).padStart(7)} chars ${us.toFixed(2).padStart(9)} µs`);
  }
}
