// How much of the wasm shadow stack the module really uses, measured in
// Chromium: while no call is running the stack is empty, so the test fills it
// with a pattern, runs the deepest work it knows (a manifest nested to the
// parser's depth limit through parsing, sequencing, look-ahead and the tree
// view; a saved state nested past the JSON reader's limit; the largest run-time
// values), then finds the lowest byte that no longer holds the pattern.
// The stack size the module is linked with (.cargo/config.toml) must leave a
// wide margin over that high-water mark: a stack overflow in wasm traps and
// the API objects would be dead for the rest of the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, startBackend, launchBrowser, servePage } from "./harness.mjs";

/** The linked stack size: `-zstack-size=N` in .cargo/config.toml, else Rust's default (1 MiB). */
function stackSize() {
  const cfg = readFileSync(path.join(ROOT, ".cargo/config.toml"), "utf8");
  const m = /stack-size=(\d+)/.exec(cfg);
  return m ? Number(m[1]) : 1 << 20;
}

/** A SCORM 2004 manifest whose items nest `levels` deep, a leaf and a sibling at every level. */
function deepManifest(levels) {
  let items = `<item identifier="leaf_${levels}" identifierref="r"><title>L${levels}</title></item>`;
  for (let i = levels - 1; i >= 0; i--) {
    items = `<item identifier="c_${i}"><title>C${i}</title>` +
      `<item identifier="leaf_${i}" identifierref="r"><title>L${i}</title></item>${items}` +
      `<imsss:sequencing><imsss:controlMode flow="true"/>` +
      `<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>` +
      `<imsss:rollupRules><imsss:rollupRule childActivitySet="any"><imsss:rollupConditions><imsss:rollupCondition condition="completed"/></imsss:rollupConditions><imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules>` +
      `</imsss:sequencing></item>`;
  }
  return `<?xml version="1.0"?>
<manifest identifier="deep" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
<metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
<organizations default="o"><organization identifier="o"><title>Deep</title>${items}
<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing></organization></organizations>
<resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources></manifest>`;
}

let backend, browser;
before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

test("the deepest known work uses a small part of the linked wasm stack", async () => {
  const size = stackSize();
  // 56 nested clusters: their rule conditions sit 64 elements deep
  // (manifest, organizations, organization, 56 items, sequencing,
  // sequencingRules, preConditionRule, ruleConditions, ruleCondition): the
  // parser's default limit.
  const xml = deepManifest(56);
  const page = await browser.newPage();
  await servePage(page, backend.url + "/stack.html", "<!doctype html><title>stack</title>");
  await page.goto(backend.url + "/stack.html");
  const result = await page.evaluate(async ({ xml, size }) => {
    // The course engine: the module that parses manifests and sequences.
    const glue = await import("/pkg/course/scorm_shim.js");
    const wasm = await glue.default();
    const PATTERN = 0xa5, LOW = 1024;
    const fill = () => new Uint8Array(wasm.memory.buffer, LOW, size - LOW - 64).fill(PATTERN);
    const highWater = () => {
      const m = new Uint8Array(wasm.memory.buffer, 0, size);
      let a = LOW;
      while (a < size && m[a] === PATTERN) a++;
      return size - a;
    };
    const marks = {};
    const measure = (name, work) => {
      fill();
      work();
      marks[name] = highWater();
    };
    // (the configuration list as the installer encodes it: src/engine/strlist.rs)
    const cfg = ["registrationId", "stack", "learnerId", "l"].map((s) => s.length + ":" + s).join("");
    // a saved course state nested deeper than the JSON reader accepts
    let nested = "1";
    for (let i = 0; i < 200; i++) nested = "[" + nested + "]";
    // (the key of learner "l", course "course", registration "stack", package "deep")
    localStorage.setItem("scorm-shim:l:course:stack:course:deep", '{"seq":' + nested + ',"shared":{}}');
    let shim;
    measure("construct", () => { shim = new glue.Shim(cfg); });
    measure("open a 64-deep manifest", () => shim.openCourse(xml, ""));
    measure("start", () => shim.navigate("start"));
    measure("choice of the deepest leaf", () => shim.navigate("{target=leaf_56}choice"));
    const delivered = shim.navState().activities.filter((a) => a.active).length;
    measure("look-ahead", () => shim.navState());
    measure("tree view", () => shim.courseTree());
    measure("2004 session", () => {
      shim.Initialize("");
      shim.SetValue("cmi.suspend_data", "x".repeat(64000));
      for (let i = 0; i < 40; i++) {
        shim.SetValue(`cmi.interactions.${i}.id`, "q" + i);
        shim.SetValue(`cmi.interactions.${i}.type`, "matching");
        shim.SetValue(`cmi.interactions.${i}.learner_response`, Array.from({ length: 36 }, (_, k) => `s${k}[.]t${k}`).join("[,]"));
      }
      shim.SetValue("cmi.completion_status", "completed");
      shim.SetValue("cmi.score.scaled", "0.75");
      shim.GetValue("cmi.interactions.39.learner_response");
      shim.Commit("");
      shim.Terminate("");
    });
    measure("choice of the shallowest leaf, rollup of every level", () => shim.navigate("{target=leaf_0}choice"));
    measure("exitAll, start again", () => { shim.navigate("exitAll"); shim.navigate("start"); });
    measure("open again (the deep course is dropped)", () => shim.openCourse(xml, ""));
    return { marks, delivered };
  }, { xml, size });
  await page.close();
  const deepest = Math.max(...Object.values(result.marks));
  console.log(`wasm stack: linked ${size} bytes; high-water mark per step ${JSON.stringify(result.marks)}`);
  // the deep tree really was walked: the deepest leaf was delivered, its 57
  // ancestors active with it
  assert.equal(result.delivered, 58, JSON.stringify(result));
  assert.ok(deepest > 0, "the measurement saw the stack being used");
  assert.ok(deepest * 2 <= size, `high-water mark ${deepest} leaves less than a 2x margin in a ${size}-byte stack`);
});
