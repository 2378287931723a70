// End-to-end security checks (issue 12): a manifest or a player URL must not
// run script in the LMS page's origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser } from "./harness.mjs";
import { playerContext } from "./player-harness.mjs";

let backend, browser;
before(async () => {
  // www/course.html does not send launch tokens yet: this backend runs
  // without authentication (--insecure-no-auth) until it does.
  backend = await startBackend([], "pkg", { auth: false });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

const manifest = (href) => `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="evil" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>T</title>
    <item identifier="I" identifierref="R"><title>A</title></item>
  </organization></organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="${href}"/></resources>
</manifest>`;

const HREFS = [
  "./javascript:window.top.pwned=document.domain",
  "a/../javascript:window.top.pwned=1",
  "%2e/JavaScript:window.top.pwned=1",
  ".\\javascript:window.top.pwned=1",
  "./http:evil/x",
  "./data:text/html,&lt;script&gt;top.pwned=1&lt;/script&gt;",
];

for (const href of HREFS) {
  test(`a launch location that becomes a scheme URL is refused: ${href}`, async () => {
    const context = await playerContext(browser, backend);
    const page = await context.newPage();
    await page.route("**/evil/imsmanifest.xml", (route) =>
      route.fulfill({ status: 200, contentType: "application/xml", body: manifest(href) }));
    await page.goto(backend.url + "/course.html?manifest=evil/imsmanifest.xml");
    await page.waitForFunction(() => /cannot be played/.test(document.getElementById("message").textContent));
    const text = await page.textContent("#message");
    assert.match(text, /launch location|outside the package/, text);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.evaluate(() => document.getElementById("content").src), "about:blank");
    await context.close();
  });
}

test("course.html?manifest= on another origin is refused before anything is fetched", async () => {
  const context = await playerContext(browser, backend);
  const page = await context.newPage();
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  await page.goto(backend.url + "/course.html?manifest=" + encodeURIComponent("http://127.0.0.2:9/imsmanifest.xml"));
  await page.waitForFunction(() => /cannot be played/.test(document.getElementById("message").textContent));
  assert.match(await page.textContent("#message"), /another origin/);
  assert.deepEqual(requested.filter((u) => u.startsWith("http://127.0.0.2")), []);
  await context.close();
});
