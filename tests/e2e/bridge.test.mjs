// End-to-end: a SCO on another origin (a content domain, a CDN) through the
// bridge (issue 17). The LMS page is on the reference backend's origin
// (127.0.0.1), the content on http://cdn.test:PORT (another origin and
// site), a static server with no code of ours but the copied pkg/bridge/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser, servePage } from "./harness.mjs";
import { startContent, SCO_PAGE, frameOf, lmsPage, BRIDGE_BROWSER_ARGS, EVIL_HOST } from "./bridge-harness.mjs";

let backend, content, evil, browser;

// A page on the content origin that is not the launched bridge: posts
// whatever the test gives it to the LMS page (window.parent).
const SIBLING_PAGE = `<!doctype html><html lang="en"><title>sibling</title><body><script>
  window.forge = function (message, origin) { window.parent.postMessage(message, origin); };
</script></body></html>`;

// A page on a third site that opens the bridge itself (its opener) and tells it what to do.
const OPENER_PAGE = `<!doctype html><html lang="en"><title>opener</title><body><script>
  window.openBridge = function (url) { window.w = window.open(url, "_blank"); return !!window.w; };
  window.send = function (message) { window.w.postMessage(message, "*"); };
</script></body></html>`;

before(async () => {
  backend = await startBackend(["--test-faults"]);
  content = await startContent({
    lmsOrigin: () => backend.url,
    pages: { "/sco/a.html": SCO_PAGE, "/sco/b.html": SCO_PAGE, "/sco/moved.html": SCO_PAGE, "/sco/opened-by-evil.html": SCO_PAGE, "/sibling.html": SIBLING_PAGE },
    // A launch whose bridge URL leads to another origin (a hijacked path, a misconfigured CDN).
    redirects: { "/moved/bridge.html": () => evil.url("/bridge/bridge.html") },
  });
  // A third site: it serves a genuine bridge configured for the LMS page, and the opener page.
  evil = await startContent({ host: EVIL_HOST, lmsOrigin: () => backend.url, pages: { "/opener.html": OPENER_PAGE } });
  browser = await launchBrowser(BRIDGE_BROWSER_ARGS);
});

after(async () => {
  await browser?.close();
  await content?.stop();
  await evil?.stop();
  await backend?.stop();
});

let counter = 0;
/** A fresh registration and an LMS page for it; `messages` collects every postMessage any frame receives. */
async function open(opts = {}) {
  const id = "b" + ++counter + "-" + Date.now();
  const ids = { learner: "u-" + id, registration: "reg-" + id, course: "c-" + id };
  const context = opts.context || (await browser.newContext());
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.addInitScript(() => {
    window.__seen = [];
    window.addEventListener("message", (e) => {
      try { window.__seen.push(JSON.stringify(e.data)); } catch (err) { window.__seen.push(String(e.data)); }
    }, true);
  });
  const token = backend.token(ids.learner, ids.registration, ids.course);
  await servePage(page, backend.url + "/lms-" + id + ".html", lmsPage({
    endpoint: "/api", "learner-id": ids.learner, "course-id": ids.course, "registration-id": ids.registration,
    "sco-id": "sco-1", headers: "Authorization: Bearer " + token, "commit-interval": 0,
  }));
  await page.goto(backend.url + "/lms-" + id + ".html");
  await page.evaluate(() => ScormShim.ready);
  return { page, context, ids, errors, token, url: backend.url + "/lms-" + id + ".html" };
}

async function launch(page, sco = "/sco/a.html", extra = {}) {
  return page.evaluate(({ o }) => ScormShim.bridge.launch(document.getElementById("content"), o),
    { o: { bridgeUrl: content.url("/bridge/bridge.html"), contentOrigin: content.origin, scoUrl: content.url(sco), ...extra } });
}

async function state(ids) {
  const res = await fetch(backend.url + "/api/state?registration=" + encodeURIComponent(ids.registration), {
    headers: backend.authHeaders(ids.learner, ids.registration, ids.course),
  });
  assert.equal(res.status, 200);
  return res.json();
}

/** Every batch the backend applied for the registration. */
async function batches(ids) {
  const res = await fetch(backend.url + "/api/batches?registration=" + encodeURIComponent(ids.registration), {
    headers: backend.authHeaders(ids.learner, ids.registration, ids.course),
  });
  assert.equal(res.status, 200);
  return (await res.json()).batches;
}

async function until(f, what, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many applied batches set `element` to `value`. */
function times(list, element, value) {
  return list.filter((b) => b.status === "applied" && (b.changes || []).some(([k, v]) => k === element && v === value)).length;
}

test("a SCO on another origin finds the API the standard way, and every call is answered there as on the LMS page", async () => {
  const { page, ids, errors, token } = await open();
  const started = await launch(page);
  assert.match(started.session, /^[0-9a-f]{32}$/);
  const sco = await frameOf(page, content.url("/sco/a.html"));
  assert.equal(await sco.evaluate(() => document.documentElement.dataset.found), "2004 1.2", "the SCO found both API objects in its parent");
  // While the SCO runs elsewhere, nothing on the LMS page finds the API.
  assert.equal(await page.evaluate(() => typeof window.API_1484_11), "undefined");
  const answers = await sco.evaluate(() => {
    const a = window.api2004, out = [];
    const call = (m, ...args) => { const r = a[m](...args); out.push([m, args, r, a.GetLastError()]); return r; };
    call("Initialize", "");
    call("GetValue", "cmi.learner_id");
    call("GetValue", "cmi.entry");
    call("SetValue", "cmi.location", "page-3");
    call("GetValue", "cmi.location");
    call("SetValue", "cmi.score.scaled", "2");
    call("GetValue", "cmi.nope");
    call("GetDiagnostic", "");
    call("GetValue", "adl.nav.request_valid.continue");
    call("SetValue", "cmi.suspend_data", "x".repeat(5000));
    call("SetValue", "cmi.interactions.0.id", "q1");
    call("SetValue", "cmi.interactions.0.type", "choice");
    call("SetValue", "cmi.interactions.0.learner_response", "a[,]b");
    call("Commit", "");
    call("SetValue", "cmi.exit", "suspend");
    call("Terminate", "");
    call("GetValue", "cmi.location");
    return out;
  });
  const by = (m, arg) => answers.find((x) => x[0] === m && x[1][0] === arg);
  assert.equal(by("GetValue", "cmi.learner_id")[2], ids.learner);
  assert.equal(by("GetValue", "cmi.entry")[2], "ab-initio");
  assert.equal(by("GetValue", "cmi.location")[2], "page-3", "the value written a moment ago");
  assert.deepEqual(by("SetValue", "cmi.score.scaled").slice(2), ["false", "407"]);
  assert.deepEqual(by("GetValue", "cmi.nope").slice(2), ["", "401"]);
  assert.equal(by("GetValue", "adl.nav.request_valid.continue")[2], "unknown", "outside a course, as on the LMS page");
  assert.equal(by("Commit", "")[2], "true");
  assert.equal(by("Terminate", "")[2], "true");
  // The LMS page replayed every call and got the same answers.
  await until(() => page.evaluate(() => ScormShim.bridge.status().calls >= 18), "the replay");
  const status = await page.evaluate(() => ScormShim.bridge.status());
  assert.equal(status.mismatches, 0);
  assert.ok(status.calls >= 18, JSON.stringify(status));
  // Stored and sent by the LMS page: in the backend, once.
  const st = await until(async () => { const s = await state(ids); return s.scos["sco-1"] && s.scos["sco-1"]["cmi.exit"] === "suspend" ? s : null; }, "the backend");
  assert.equal(st.scos["sco-1"]["cmi.location"], "page-3");
  assert.equal(st.scos["sco-1"]["cmi.interactions.0.learner_response"], "a[,]b");
  assert.equal(times(await batches(ids), "cmi.location", "page-3"), 1);
  // Credentials never crossed to the content origin, in any message any frame received.
  const seen = [];
  for (const f of page.frames()) seen.push(...(await f.evaluate(() => window.__seen || []).catch(() => [])));
  assert.ok(seen.some((m) => m.includes("\"launch\"")), "the launch record was seen");
  for (const m of seen) {
    assert.ok(!m.includes(token) && !/Authorization|Bearer/.test(m), "no credential in a message: " + m.slice(0, 200));
    assert.ok(!m.includes(ids.registration), "no registration id leaves the LMS page: " + m.slice(0, 200));
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("a second launch resumes where the first left, from the LMS page's state", async () => {
  const { page, ids, errors } = await open();
  await launch(page);
  let sco = await frameOf(page, content.url("/sco/a.html"));
  await sco.evaluate(() => {
    const a = window.api2004;
    a.Initialize("");
    a.SetValue("cmi.location", "chapter-2");
    a.SetValue("cmi.suspend_data", "{\"p\":2}");
    a.SetValue("cmi.exit", "suspend");
    a.Terminate("");
  });
  await launch(page, "/sco/b.html");
  sco = await frameOf(page, content.url("/sco/b.html"));
  const back = await sco.evaluate(() => {
    const a = window.api2004;
    a.Initialize("");
    return [a.GetValue("cmi.entry"), a.GetValue("cmi.location"), a.GetValue("cmi.suspend_data")];
  });
  assert.deepEqual(back, ["resume", "chapter-2", "{\"p\":2}"]);
  assert.equal((await page.evaluate(() => ScormShim.bridge.status())).mismatches, 0);
  await until(async () => (await state(ids)).scos["sco-1"]?.["cmi.location"] === "chapter-2", "the backend");
  assert.deepEqual(errors, []);
  await page.close();
});

/** An LMS page that plays a package on the content origin with ScormShim.course, each delivery into #content. */
async function openCourse(manifestPath) {
  const id = "c" + ++counter + "-" + Date.now();
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // (Before course.open names the registration, the page stores nothing
  // and its first request has no token: those two console errors are the
  // drop-in's, not the bridge's.)
  page.on("console", (m) => { if (m.type() === "error" && /bridge|mismatch/i.test(m.text())) errors.push(m.text()); });
  const url = backend.url + "/lms-course-" + id + ".html";
  await servePage(page, url, lmsPage({ endpoint: "/api", "learner-id": "u-" + id, "package-origins": content.origin, "commit-interval": 0 }));
  await page.goto(url);
  const info = await page.evaluate(async (manifest) => {
    const frame = document.getElementById("content");
    window.delivered = [];
    ScormShim.course.onDeliver((v) => {
      window.delivered.push(v && { type: v.type, activityId: v.activityId, url: v.url });
      if (v && v.type === "launch") frame.src = v.url;
    });
    const info = await ScormShim.course.open(manifest, {
      credentials: async ({ learnerId, courseId, registrationId }) => {
        const r = await fetch("/api/dev/token", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ learner: learnerId, registration: registrationId, course: courseId }) });
        return { headers: { Authorization: "Bearer " + (await r.json()).token } };
      },
    });
    const v = await ScormShim.course.navigate("start", frame);
    window.delivered.push({ type: v.type, activityId: v.activityId, url: v.url });
    if (v.type === "launch") frame.src = v.url;
    return { courseId: info.courseId, registrationId: info.registrationId, learnerId: ScormShim.config().learnerId };
  }, content.url(manifestPath));
  return { page, context, errors, ids: { learner: info.learnerId, registration: info.registrationId, course: info.courseId } };
}

/** The sequenced sample's SCO frame once it shows `data` (its cmi.launch_data). */
async function activity(page, data) {
  return until(async () => {
    for (const f of page.frames()) {
      if (!f.url().startsWith(content.url("/courses/sequenced/sco.html"))) continue;
      const d = await f.evaluate(() => document.readyState === "complete" && document.documentElement.dataset.activity).catch(() => null);
      if (d === data) return f;
    }
    return null;
  }, "the activity " + data);
}

test("a sequenced SCORM 2004 course on the content origin: adl.nav.request at Terminate reaches the LMS page's sequencer, the next activity is delivered through the bridge", async () => {
  const { page, errors, ids } = await openCourse("/courses/sequenced/imsmanifest.xml");
  let sco = await activity(page, "lesson=1");
  assert.ok(sco.url().startsWith(content.origin), "the SCO runs on the content origin");
  assert.ok(page.frames().some((f) => f.url().startsWith(content.url("/courses/sequenced/bridge.html#"))), "through the bridge beside the package");
  // The look-ahead answers, exactly as the LMS page's sequencer gives them.
  const [cont, prev, quiz] = await sco.evaluate(() => {
    let w = window, api = null;
    while (!api && w.parent !== w) { w = w.parent; try { api = w.API_1484_11; } catch (e) { /* go on up */ } }
    return ["continue", "previous", "choice.{target=QUIZ}"].map((r) => api.GetValue("adl.nav.request_valid." + r));
  });
  assert.deepEqual([cont, prev, quiz], ["true", "false", "false"]);
  await sco.click("#done");
  sco = await activity(page, "lesson=2");
  const prev2 = await sco.evaluate(() => window.parent.API_1484_11.GetValue("adl.nav.request_valid.previous"));
  assert.equal(prev2, "true");
  await sco.click("#done");
  sco = await activity(page, "quiz");
  assert.equal(await sco.evaluate(() => window.parent.API_1484_11.GetValue("adl.nav.request_valid.choice.{target=QUIZ}")), "true");
  await sco.check("input[value=right]");
  await sco.click("#done");
  await until(() => page.evaluate(() => window.delivered.some((v) => v && v.type === "ended")), "the end of the course");
  const delivered = await page.evaluate(() => window.delivered.filter((v) => v && v.type === "launch").map((v) => v.activityId));
  assert.deepEqual(delivered, ["L1", "L2", "QUIZ"]);
  const result = await page.evaluate(() => ScormShim.course.result());
  assert.equal(result.success, "passed");
  const status = await page.evaluate(() => ScormShim.bridge.status());
  assert.equal(status.mismatches, 0);
  assert.equal(status.sessions, 3);
  const st = await until(async () => { const s = await state(ids); return s.scos.QUIZ && s.scos.QUIZ["cmi.score.scaled"] === "1" ? s : null; }, "the backend");
  assert.equal(st.scos.L1["cmi.completion_status"], "completed");
  assert.deepEqual(errors, []);
  await page.close();
});

/** Every message each frame of `page` received (the init script records them), by frame URL. */
async function received(page) {
  const out = [];
  for (const f of page.frames()) out.push([f.url(), await f.evaluate(() => window.__seen || []).catch(() => [])]);
  return out;
}

test("security: a launched frame that ends up on another origin gets nothing (no launch record, no key), and the launch fails with a clear error", async () => {
  const { page, errors } = await open();
  const failed = page.evaluate(({ o }) => ScormShim.bridge.launch(document.getElementById("content"), o).then(() => "started", (e) => e.message),
    { o: { bridgeUrl: content.url("/moved/bridge.html"), contentOrigin: content.origin, scoUrl: content.url("/sco/moved.html") } });
  // The genuine bridge on the other origin says hello with the launch's nonce (the redirect kept the fragment).
  // (Or, were the origin not checked, the launch record reaching it.)
  await until(async () => errors.some((e) => e.includes("answered from " + evil.origin)) ||
    (await received(page)).some(([u, seen]) => u.startsWith(evil.origin) && seen.some((m) => m.includes('"t":"launch"'))), "the bridge's hello to be dealt with");
  // Give a reply time to arrive, were one sent.
  await new Promise((r) => setTimeout(r, 1000));
  const evilFrame = (await received(page)).find(([u]) => u.startsWith(evil.origin));
  assert.ok(evilFrame, "the frame is on the other origin");
  assert.deepEqual(evilFrame[1].filter((m) => /"t":"(launch|collect|ack)"/.test(m)), [], "nothing was sent to it");
  assert.ok(!evil.requests.includes("/sco/moved.html") && !content.requests.includes("/sco/moved.html"), "no SCO loaded");
  assert.equal(await page.evaluate(() => ScormShim.bridge.status().sessions), 0);
  assert.ok(errors.some((e) => e.includes("answered from " + evil.origin + ", not the content origin " + content.origin)), errors.join("\n"));
  failed.catch(() => { /* the page closes before its 30 s wait for a bridge on the content origin ends */ });
  await page.close();
});

test("security: another frame on the content origin that knows the session cannot drive the LMS page's API", async () => {
  const { page, ids, errors } = await open();
  const { session } = await launch(page);
  const sco = await frameOf(page, content.url("/sco/a.html"));
  // A second frame on the content origin (another course, a compromised page) forges the bridge's calls.
  await page.evaluate((src) => new Promise((resolve) => {
    const f = document.createElement("iframe");
    f.id = "sibling";
    f.onload = resolve;
    f.src = src;
    document.body.appendChild(f);
  }), content.url("/sibling.html"));
  const sibling = page.frames().find((f) => f.url() === content.url("/sibling.html"));
  await sibling.evaluate(({ session, origin }) => window.forge({
    scormShimBridge: 1, t: "calls", session, from: 0,
    calls: ["Initialize", "", "true", "SetValue", "cmi.location", "forged", "true", "SetValue", "cmi.exit", "suspend", "true", "Terminate", "", "true"],
  }, origin), { session, origin: backend.url });
  // The SCO's own calls, after the forged ones.
  await sco.evaluate(() => {
    const a = window.api2004;
    a.Initialize("");
    a.SetValue("cmi.location", "genuine");
    a.Commit("");
  });
  const st = await until(async () => { const s = await state(ids); return s.scos["sco-1"]?.["cmi.location"] ? s : null; }, "the backend");
  assert.equal(st.scos["sco-1"]["cmi.location"], "genuine");
  assert.equal(times(await batches(ids), "cmi.location", "forged"), 0);
  const status = await page.evaluate(() => ScormShim.bridge.status());
  assert.equal(status.mismatches, 0);
  assert.ok(status.refused >= 1, JSON.stringify(status));
  assert.ok(errors.some((e) => e.includes("from a window that is not its bridge")), errors.join("\n"));
  await page.close();
});

test("security: a bridge opened by a page of another site takes no orders from it (nothing loaded), and says why when framed by one", async () => {
  const context = await browser.newContext();
  const attacker = await context.newPage();
  await attacker.goto(evil.url("/opener.html"));
  const popup = context.waitForEvent("page");
  const nonce = "0123456789abcdef0123456789abcdef";
  assert.ok(await attacker.evaluate((u) => window.openBridge(u), content.url("/bridge/bridge.html#" + nonce)));
  const bridge = await popup;
  await bridge.waitForLoadState("load");
  // A launch record of its own making: its own key (to collect the sealed
  // commits later), its own learner; the SCO is a page of the content origin.
  const record = JSON.stringify({ v: 1, session: "ab".repeat(16), key: "cd".repeat(32), sco: "x", stores: true, config: [], scorm12: null,
    scorm2004: { launch: { learner_id: "victim", learner_name: "", credit: true, mode: "normal", launch_data: "", completion_threshold: null,
      scaled_passing_score: null, max_time_allowed: null, time_limit_action: null, objective_ids: [], objective_values: [], data_stores: [],
      comments_from_lms: [], learner_preference: null, limits: { max_chars: 4000, spm: true } }, saved: null, answers: null, full_next: false, review_only: false } });
  await attacker.evaluate(({ record, scoUrl }) => {
    window.send({ scormShimBridge: 1, t: "launch", record, scoUrl, forget: [] });
    window.send({ scormShimBridge: 1, t: "collect", sessions: [["ab".repeat(16), "2004", "cd".repeat(32)]] });
  }, { record, scoUrl: content.url("/sco/opened-by-evil.html") });
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!content.requests.includes("/sco/opened-by-evil.html"), "no SCO loaded");
  assert.equal(await bridge.evaluate(() => typeof window.API_1484_11), "undefined");
  // Framed by a page of another site: it says so in the page, and loads nothing.
  await attacker.evaluate((src) => new Promise((resolve) => {
    const f = document.createElement("iframe");
    f.onload = resolve;
    f.src = src;
    document.body.appendChild(f);
  }), content.url("/bridge/bridge.html#" + nonce));
  const framed = attacker.frames().find((f) => f.url().startsWith(content.url("/bridge/bridge.html")));
  const text = await framed.textContent("#scorm-shim-bridge-status");
  assert.match(text, /opened by a page on http:\/\/evil\.test:\d+, which its data-lms-origin .* does not name\. Nothing was loaded\./);
  assert.equal(await framed.isVisible("#scorm-shim-bridge-status"), true);
  await context.close();
});
