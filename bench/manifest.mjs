// Manifest parsing in Chromium beside the browser's own DOMParser (project
// issue 5): the generated manifests of 100, 1,000 and 10,000 items of
// examples/bench_manifest.rs, parsed alternately by our wasm parser
// (`Shim.openCourse`: parse, typed model, activity tree and sequencer arena)
// and by `DOMParser.parseFromString` (a DOM only), plus the native figures.
// Writes its section of BENCHMARKS.md between the manifest markers.
//   node bench/manifest.mjs            (pkg/ must be built; scripts/bench.sh does)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const OUT = path.join(HERE, "out");
const SIZES = [100, 1000, 10000];
const REPS = { 100: 40, 1000: 15, 10000: 5 };
mkdirSync(OUT, { recursive: true });

console.error("==> native: cargo run --release --example bench_manifest");
const native = execFileSync("cargo", ["run", "--quiet", "--release", "--example", "bench_manifest", "--", "--write", OUT], { cwd: ROOT, encoding: "utf8" });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

const srv = await startServer();
srv.setPage("manifest", `<!doctype html><script type="module">
  // The course engine (pkg/course/): the module that parses manifests.
  import init, { Shim } from "/pkg/course/scorm_shim.js";
  await init({ module_or_path: "/pkg/course/scorm_shim_bg.wasm" });
  window.ours = (xml) => { const s = new Shim("8:logLevel3:off"); const t0 = performance.now(); s.openCourse(xml, ""); const t = performance.now() - t0; s.free(); return t; };
  window.dom = (xml) => { const t0 = performance.now(); const d = new DOMParser().parseFromString(xml, "application/xml"); const n = d.getElementsByTagName("item").length; const t = performance.now() - t0; if (!n) throw new Error("no items"); return t; };
  window.ready = true;
</script>`);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const page = await browser.newPage();
await page.goto(srv.url + "/page/manifest");
await page.waitForFunction(() => window.ready);
const rows = [];
for (const n of SIZES) {
  const file = path.join(OUT, `manifest_${n}.xml`);
  const xml = readFileSync(file, "utf8");
  await page.evaluate((x) => { window.xml = x; }, xml);
  const ours = [], dom = [];
  for (let i = 0; i < REPS[n]; i++) {
    ours.push(await page.evaluate(() => window.ours(window.xml)));
    dom.push(await page.evaluate(() => window.dom(window.xml)));
  }
  rows.push({ n, bytes: statSync(file).size, ours: median(ours), dom: median(dom), reps: REPS[n] });
  console.error(`  ${n} items: ours ${median(ours).toFixed(2)} ms, DOMParser ${median(dom).toFixed(2)} ms`);
}
const version = browser.version();
await browser.close();
await srv.close();

const table = [
  "| items | manifest bytes | scorm-shim `openCourse` (median) | `DOMParser` (median) | ours ÷ DOMParser | ms per 1,000 items (ours) | runs |",
  "|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.n.toLocaleString("en")} | ${r.bytes.toLocaleString("en")} | ${r.ours.toFixed(2)} ms | ${r.dom.toFixed(2)} ms | ${(r.ours / r.dom).toFixed(2)}× | ${(r.ours / r.n * 1000).toFixed(2)} | ${r.reps} |`),
].join("\n");
const section = `<!-- manifest:start -->
## Manifest parsing (issue 5)

Command: \`node bench/manifest.mjs\` (run by \`scripts/bench.sh\`), ${new Date().toISOString().slice(0, 10)}, Chromium ${version}.
Generated SCORM 2004 4th Edition manifests (clusters of 10 leaves, each leaf with
rules, limits, objectives and maps, presentation, parameters). Ours is the whole
\`openCourse\`: parse, typed model with every default, activity tree and the
sequencer's arena; \`DOMParser\` only builds a DOM. Linear growth shows as a
constant "ms per 1,000 items".

${table}

Native (\`cargo run --release --example bench_manifest\`, parse only):

\`\`\`
${native.trim()}
\`\`\`
<!-- manifest:end -->`;
const mdPath = path.join(ROOT, "BENCHMARKS.md");
let md = "";
try { md = readFileSync(mdPath, "utf8"); } catch { md = "# Benchmarks\n"; }
md = /<!-- manifest:start -->[\s\S]*<!-- manifest:end -->/.test(md)
  ? md.replace(/<!-- manifest:start -->[\s\S]*<!-- manifest:end -->/, section)
  : md.trimEnd() + "\n\n" + section + "\n";
writeFileSync(mdPath, md);
console.error("==> wrote the manifest section of BENCHMARKS.md");
