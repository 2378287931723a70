// Finding the files a package's pages load (www/lib/crawl.js), used when a
// course is added by the URL of its imsmanifest.xml: what is found in HTML,
// CSS, JavaScript and data files, how each reference resolves against the
// package, and what is left out. The tables stay sorted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { findReferences, resolveReference, kindOf, KINDS, FILE_EXTENSIONS } from "../../www/lib/crawl.js";

const BASE = "https://cdn.example/courses/c1/";
const refs = (text, kind) => findReferences(text, kind).refs.map((r) => r.ref + (r.relativeTo === "document" ? " (doc)" : ""));

test("the tables are sorted and without duplicates", () => {
  const ext = [...FILE_EXTENSIONS];
  assert.deepEqual(ext, [...ext].sort());
  assert.equal(new Set(ext).size, ext.length);
  const kinds = KINDS.map(([e]) => e);
  assert.deepEqual(kinds, [...kinds].sort());
  assert.equal(kindOf("a/b/Page.HTML"), "html");
  assert.equal(kindOf("x.mjs"), "js");
  assert.equal(kindOf("data/q.json"), "data");
  assert.equal(kindOf("media/v.mp4"), "");
  assert.equal(kindOf("README"), "");
});

test("HTML: attributes, srcset, inline style and script, meta refresh, base", () => {
  const html = `<!doctype html><html><head>
    <meta http-equiv="refresh" content="5; url=next.html">
    <link rel="stylesheet" href="css/app.css"><script src='js/app.js'></script>
    <style>body { background: url("img/bg.png") }</style></head>
    <body style="background-image:url(img/body.jpg)">
    <img src=img/logo.png srcset="img/a-1x.png 1x, img/a-2x.png 2x" alt="">
    <video poster="media/poster.jpg"><source src="media/intro.mp4"></video>
    <object data="swf/old.swf"></object><div data-src="img/lazy.webp"></div>
    <a href="#top">top</a><a href="mailto:x@y">mail</a><a href="javascript:void 0">js</a>
    <a href="lesson2.html?x=1&amp;y=2#part">next</a>
    <script>var q = "data/questions.json"; fetch('data/more.json'); var t = \`tpl/\${n}.html\`;</script>
    </body></html>`;
  const found = refs(html, "html");
  for (const want of ["next.html", "css/app.css", "js/app.js", "img/bg.png", "img/body.jpg", "img/logo.png", "img/a-1x.png", "img/a-2x.png",
    "media/poster.jpg", "media/intro.mp4", "swf/old.swf", "img/lazy.webp", "lesson2.html?x=1&y=2#part", "data/questions.json", "data/more.json"]) {
    assert.ok(found.includes(want), want + " not found in " + JSON.stringify(found));
  }
  assert.ok(!found.some((r) => r.includes("${")), "a template literal with a substitution is not a file");
  const withBase = findReferences('<base href="content/"><img src="a.png">', "html");
  assert.equal(withBase.base, "content/");
  assert.deepEqual(withBase.refs.map((r) => r.ref), ["a.png"]);
});

test("CSS: url() in every quoting and @import", () => {
  const css = `@import "reset.css"; @import 'theme.css';
    .a { background: url(img/a.png) } .b { background: url( "img/b.png" ) } .c { src: url('fonts/x.woff2') format("woff2") }
    .d { background: url(data:image/png;base64,AAAA) }`;
  assert.deepEqual(refs(css, "css").sort(), ["data:image/png;base64,AAAA", "fonts/x.woff2", "img/a.png", "img/b.png", "reset.css", "theme.css"]);
});

test("JavaScript: imports against the script, other literals against both the script and the page", () => {
  const js = `import { a } from "./lib/a.js"; import "./side.mjs"; const m = await import('./lazy.js');
    importScripts("worker-lib.js"); new Worker("w.js");
    xhr.open("GET", "data/slides.xml"); img.src = 'img/s1.png'; new Audio("audio/click.mp3");
    const computed = "slide" + n + ".png"; // not found: computed at run time`;
  const found = refs(js, "js");
  for (const want of ["./lib/a.js", "./side.mjs", "./lazy.js", "worker-lib.js", "w.js"]) assert.ok(found.includes(want), want);
  for (const want of ["data/slides.xml", "img/s1.png", "audio/click.mp3"]) {
    assert.ok(found.includes(want) && found.includes(want + " (doc)"), want + " against both");
  }
  assert.ok(!found.some((r) => r.startsWith("slide")), "a computed name is not guessed");
});

test("data files: string values that name files, against the file and the page", () => {
  const json = JSON.stringify({ slides: [{ image: "story_content/slide1.jpg", audio: "story_content/a1.mp3" }], title: "Course 1.0" });
  const found = refs(json, "data");
  assert.ok(found.includes("story_content/slide1.jpg") && found.includes("story_content/slide1.jpg (doc)"));
  assert.ok(found.includes("story_content/a1.mp3"));
  assert.ok(!found.some((r) => r.startsWith("Course")), "a version number is not a file");
});

test("references resolve inside the package, decoded, without query or fragment; folders are their index.html", () => {
  const from = BASE + "lessons/one.html";
  assert.deepEqual(resolveReference("img/a.png", from, BASE), { path: "lessons/img/a.png" });
  assert.deepEqual(resolveReference("../shared/x.css?v=3#y", from, BASE), { path: "shared/x.css" });
  assert.deepEqual(resolveReference("/courses/c1/top.html", from, BASE), { path: "top.html" });
  assert.deepEqual(resolveReference("two%20words.html", from, BASE), { path: "lessons/two words.html" });
  assert.deepEqual(resolveReference("sub/", from, BASE), { path: "lessons/sub/index.html" });
  assert.deepEqual(resolveReference("https://code.jquery.example/jq.js", from, BASE), { external: "https://code.jquery.example/jq.js" });
  assert.deepEqual(resolveReference("../../other/x.js", from, BASE), { external: "https://cdn.example/courses/other/x.js" });
  for (const not of ["#top", "data:text/plain,x", "javascript:void 0", "mailto:a@b", "blob:https://x/1", "about:blank", "  "]) {
    assert.equal(resolveReference(not, from, BASE), null, not);
  }
});
