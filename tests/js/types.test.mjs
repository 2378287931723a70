// README's JavaScript examples compile against the shipped TypeScript
// declarations (pkg/index.d.ts, pkg/scorm-shim.d.ts) with `tsc --strict`, so
// the declarations cannot fall behind what README documents. Each ```js block
// becomes one module (the ```html blocks show script tags and plain DOM); the
// classic script's globals come from scorm-shim.d.ts, `import … from
// "scorm-shim"` resolves to pkg/index.d.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const PKG = path.join(ROOT, "pkg");

/** Names README's examples use without defining them (the page's own). */
const PRELUDE = `
declare const frame: HTMLIFrameElement;
declare const courseUrl: string;
declare const file: File;
declare const myLms: { launchToken(learner: string, course: string, registration: string): Promise<string> };
`;

/** The JavaScript of README's examples, in order. */
export function readmeExamples(markdown) {
  const out = [];
  const fence = /```js\n([\s\S]*?)```/g;
  let m;
  while ((m = fence.exec(markdown))) out.push(m[1]);
  return out;
}

/** Compile `snippets` (each a module) with tsc --strict; returns {ok, output}. */
function compile(snippets) {
  const dir = mkdtempSync(path.join(tmpdir(), "scorm-shim-types-"));
  try {
    const files = [path.join(PKG, "scorm-shim.d.ts"), path.join(dir, "prelude.d.ts")];
    writeFileSync(files[1], PRELUDE);
    snippets.forEach((code, i) => {
      const f = path.join(dir, `example-${i + 1}.ts`);
      writeFileSync(f, code + "\nexport {};\n");
      files.push(f);
    });
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "DOM"],
        types: [],
        skipLibCheck: false,
        paths: {
          "scorm-shim": [path.join(PKG, "index.d.ts")],
          "scorm-shim/rte": [path.join(PKG, "rte/index.d.ts")],
          // the package store and service-worker bridge of the pages (www/lib/)
          "/www/lib/package-store.js": [path.join(ROOT, "www/lib/package-store.d.ts")],
          "/www/lib/sw-bridge.js": [path.join(ROOT, "www/lib/sw-bridge.d.ts")],
        },
      },
      files,
    }));
    try {
      execFileSync(process.execPath, [TSC, "-p", dir], { encoding: "utf8", stdio: "pipe" });
      return { ok: true, output: "" };
    } catch (e) {
      return { ok: false, output: String(e.stdout || "") + String(e.stderr || "") };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const built = existsSync(path.join(PKG, "index.d.ts")) && existsSync(TSC);

test("README's JavaScript examples compile with tsc --strict against the declarations", { skip: !built && "pkg/ or typescript missing: run scripts/test.sh" }, () => {
  const examples = readmeExamples(readFileSync(path.join(ROOT, "README.md"), "utf8"));
  assert.ok(examples.length >= 5, `found only ${examples.length} examples`);
  // The surface README documents is in them: the check below is not vacuous.
  const all = examples.join("\n");
  for (const used of ["course.open", "course.navigate", "onEvent", "queueStatus", "ScormShim.ready", "failedBatches", "import { load }", "bridge.launch"]) {
    assert.ok(all.includes(used), `README no longer shows ${used}`);
  }
  const { ok, output } = compile(examples);
  assert.ok(ok, "tsc --strict failed:\n" + output);
});

test("the type check catches what the declarations do not have", { skip: !built && "pkg/ or typescript missing: run scripts/test.sh" }, () => {
  const { ok, output } = compile([
    'import { load } from "scorm-shim";\nconst shim = await load();\nshim.course.opne("x");',
    'ScormShim.course.navigate("sideways");',
    "const r = ScormShim.course.result();\nconst s: number = r.score;",
  ]);
  assert.equal(ok, false);
  assert.match(output, /opne/);
  assert.match(output, /"sideways"/);
  assert.match(output, /possibly 'null'/);
});
