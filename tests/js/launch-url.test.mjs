// The JavaScript half of the launch-URL check (issue 12): whatever the
// manifest parser let through, a launch URL must be http(s), on the
// manifest's origin and under the manifest's directory, and a package is
// opened only from the page's origin or one the configuration allows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const src = readFileSync(new URL("../../js/install.js", import.meta.url), "utf8");
const ctx = {
  URL,
  location: { origin: "https://lms.example" },
  document: { baseURI: "https://lms.example/player/course.html" },
};
vm.runInNewContext(src + "\nthis.launchUrl = scormShimLaunchUrl; this.packageUrl = scormShimPackageUrl;", ctx);

const BASE = "https://lms.example/content/c1/imsmanifest.xml";

test("launch locations inside the package resolve", () => {
  assert.equal(ctx.launchUrl("index.html", BASE).href, "https://lms.example/content/c1/index.html");
  assert.equal(ctx.launchUrl("a/b/c.html?x=1#p", BASE).href, "https://lms.example/content/c1/a/b/c.html?x=1#p");
  assert.equal(ctx.launchUrl("a/../b.html", BASE).href, "https://lms.example/content/c1/b.html");
});

test("launch locations that leave the package or change scheme are refused", () => {
  const bad = [
    "javascript:alert(document.domain)",
    " javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/x.html",
    "//evil.example/x.html",
    "/other/course.html",
    "../c2/index.html",
    "%2e%2e/c2/index.html",
    "a/../../c2/index.html",
    "..\\c2\\index.html",
    "blob:https://lms.example/1234",
  ];
  for (const href of bad) {
    const r = ctx.launchUrl(href, BASE);
    assert.ok(r.error && !r.href, href + " should be refused, got " + JSON.stringify(r));
    assert.match(r.error, /outside the package|not a URL/);
  }
});

test("a package opens from the page's origin, or from one the configuration allows", () => {
  assert.equal(ctx.packageUrl("/content/c1/imsmanifest.xml", ""), BASE);
  assert.equal(ctx.packageUrl("../content/c1/imsmanifest.xml", ""), BASE);
  assert.throws(() => ctx.packageUrl("https://evil.example/imsmanifest.xml", ""), /another origin.*packageOrigins/);
  assert.throws(() => ctx.packageUrl("javascript:alert(1)", ""), /http\(s\)/);
  assert.throws(() => ctx.packageUrl("data:text/xml,<manifest/>", ""), /http\(s\)/);
  assert.equal(ctx.packageUrl("https://cdn.example/c/imsmanifest.xml", "https://cdn.example"), "https://cdn.example/c/imsmanifest.xml");
  assert.throws(() => ctx.packageUrl("https://cdn.example.evil/c/imsmanifest.xml", "https://cdn.example"), /another origin/);
});
