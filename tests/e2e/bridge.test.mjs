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
  const ids = opts.ids || { learner: "u-" + id, registration: "reg-" + id, course: "c-" + id };
  const context = opts.context || (await browser.newContext());
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.addInitScript(() => {
    window.__seen = [];
    // window.__drop = a session id: the LMS page does not hear that
    // session's bridge any more (as if it were gone, or its messages lost).
    window.__drop = null;
    window.addEventListener("message", (e) => {
      try { window.__seen.push(JSON.stringify(e.data)); } catch (err) { window.__seen.push(String(e.data)); }
      if (window.__drop && e.data && e.data.scormShimBridge === 1 && e.data.session === window.__drop) e.stopImmediatePropagation();
    }, true);
  });
  const token = backend.token(ids.learner, ids.registration, ids.course);
  await servePage(page, backend.url + "/lms-" + id + ".html", lmsPage({
    endpoint: "/api", "learner-id": ids.learner, "course-id": ids.course, "registration-id": ids.registration,
    "sco-id": "sco-1", headers: "Authorization: Bearer " + token, "commit-interval": 0, ...(opts.attrs || {}),
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

test("a content origin whose browser refuses synchronous compilation: the bridge decodes and compiles asynchronously, and the SCO still finds its API", async () => {
  const context = await browser.newContext();
  // Only in the content origin's frames (the LMS page compiles as usual):
  // WebAssembly.Module refuses every buffer, as a browser with a small
  // main-thread limit refuses larger ones (the decoder too).
  await context.addInitScript((host) => {
    if (location.hostname !== host) return;
    const Sync = WebAssembly.Module;
    WebAssembly.Module = function () { throw new RangeError("WebAssembly.Module(): Buffer size is larger than 4KB"); };
    WebAssembly.Module.prototype = Sync.prototype;
  }, new URL(content.origin).hostname);
  const { page, errors } = await open({ context });
  await launch(page);
  const sco = await frameOf(page, content.url("/sco/a.html"));
  assert.equal(await sco.evaluate(() => document.documentElement.dataset.found), "2004 1.2");
  const r = await sco.evaluate(() => [window.api2004.Initialize(""), window.api2004.SetValue("cmi.location", "async"), window.api2004.GetValue("cmi.location"), window.api2004.Terminate("")]);
  assert.deepEqual(r, ["true", "true", "async", "true"]);
  assert.deepEqual(errors, []);
  await context.close();
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

// ---- Nothing lost ------------------------------------------------------------

/** In the SCO of `page` (launched already): Initialize, `values`, Commit; returns what Commit answered. */
async function commitIn(page, values, sco = "/sco/a.html") {
  const f = await frameOf(page, content.url(sco));
  return f.evaluate((values) => {
    const a = window.api2004;
    if (a.GetValue("cmi.learner_id") === "") a.Initialize("");
    for (const [k, v] of values) if (a.SetValue(k, v) !== "true") return "SetValue " + k + ": " + a.GetLastError();
    return a.Commit("");
  }, values);
}

/** The value the backend has for `element` of sco-1 is `value`, set by exactly one applied batch. */
async function inBackendOnce(ids, element, value) {
  await until(async () => (await state(ids)).scos["sco-1"]?.[element] === value, element + " = " + value + " in the backend");
  assert.equal(times(await batches(ids), element, value), 1, element + " = " + value + " applied once");
}

for (const how of ["the tab is closed", "the LMS page reloads"]) {
  test(`nothing lost: ${how} right after a Commit the LMS page never heard of; the next launch brings it in, once`, async () => {
    const first = await open();
    const { session } = await launch(first.page);
    // The LMS page hears nothing more from the bridge: the change set is only on the content origin.
    await first.page.evaluate((s) => { window.__drop = s; }, session);
    assert.equal(await commitIn(first.page, [["cmi.location", "kept-1"], ["cmi.suspend_data", "s-1"]]), "true");
    let page;
    if (how === "the tab is closed") {
      await first.page.close({ runBeforeUnload: true });
      ({ page } = await open({ context: first.context, ids: first.ids }));
    } else {
      await first.page.reload();
      page = first.page;
      await page.evaluate(() => ScormShim.ready);
    }
    assert.equal(await page.evaluate(() => ScormShim.bridge.status().recovered), 0);
    await launch(page, "/sco/b.html");
    const status = await page.evaluate(() => ScormShim.bridge.status());
    assert.equal(status.recovered, 1, JSON.stringify(status));
    assert.ok(await page.evaluate(() => window.events.some((e) => e.type === "bridgeRecovered" && e.changeSets === 1)));
    // The SCO starts from it: the recovered change set is this registration's state.
    const sco = await frameOf(page, content.url("/sco/b.html"));
    assert.deepEqual(await sco.evaluate(() => { const a = window.api2004; a.Initialize(""); return [a.GetValue("cmi.location"), a.GetValue("cmi.suspend_data")]; }),
      ["kept-1", "s-1"]);
    await inBackendOnce(first.ids, "cmi.location", "kept-1");
    // A third launch finds nothing more to recover (the content origin forgot it).
    await launch(page, "/sco/a.html");
    assert.equal((await page.evaluate(() => ScormShim.bridge.status())).recovered, 1);
    assert.equal(times(await batches(first.ids), "cmi.location", "kept-1"), 1);
    await page.close();
  });
}

test("nothing lost: the tab is closed right after a Commit (the LMS page heard it), then relaunched: every value in the backend once", async () => {
  const first = await open();
  await launch(first.page);
  assert.equal(await commitIn(first.page, [["cmi.location", "closed-1"]]), "true");
  await first.page.close({ runBeforeUnload: true });
  const { page } = await open({ context: first.context, ids: first.ids });
  await launch(page, "/sco/b.html");
  await inBackendOnce(first.ids, "cmi.location", "closed-1");
  const sco = await frameOf(page, content.url("/sco/b.html"));
  assert.equal(await sco.evaluate(() => { window.api2004.Initialize(""); return window.api2004.GetValue("cmi.location"); }), "closed-1");
  assert.equal(times(await batches(first.ids), "cmi.location", "closed-1"), 1);
  await page.close();
});

test("nothing lost: the bridge loses its parent (the LMS page removes its frame right after a Commit it did not hear); the next launch brings it in, once", async () => {
  const { page, ids } = await open();
  const { session } = await launch(page);
  await page.evaluate((s) => { window.__drop = s; }, session);
  assert.equal(await commitIn(page, [["cmi.location", "orphan-1"]]), "true");
  // Nothing of that session reaches the LMS page, not even what the bridge says as it goes.
  await page.evaluate(() => {
    document.getElementById("content").remove();
    const f = document.createElement("iframe");
    f.id = "content";
    f.title = "Course content";
    document.body.prepend(f);
  });
  await launch(page, "/sco/b.html");
  await inBackendOnce(ids, "cmi.location", "orphan-1");
  assert.equal((await page.evaluate(() => ScormShim.bridge.status())).recovered, 1);
  await page.close();
});

test("nothing lost: a SCO that terminates as it unloads (no Commit) while the LMS page launches the next: its last calls arrive", async () => {
  const { page, ids } = await open();
  await launch(page);
  const f = await frameOf(page, content.url("/sco/a.html"));
  await f.evaluate(() => {
    const a = window.api2004;
    a.Initialize("");
    a.SetValue("cmi.location", "unloading-1");
    window.addEventListener("pagehide", () => { a.SetValue("cmi.exit", "suspend"); a.Terminate(""); });
  });
  await launch(page, "/sco/b.html");
  await inBackendOnce(ids, "cmi.location", "unloading-1");
  assert.equal((await state(ids)).scos["sco-1"]["cmi.exit"], "suspend");
  await page.close();
});

test("nothing lost: the backend is down while the SCO commits through the bridge; once it is back every value is there once", async () => {
  const { page, ids } = await open();
  await launch(page);
  const fault = (body) => fetch(backend.url + "/api/_faults", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.equal((await fault({ status: 503, fail_next: 2 })).status, 200);
  assert.equal(await commitIn(page, [["cmi.location", "down-1"]]), "true");
  assert.equal(await commitIn(page, [["cmi.location", "down-2"], ["cmi.score.scaled", "0.5"]]), "true");
  await until(() => page.evaluate(() => window.events.some((e) => e.type === "retrying")), "a failed send, retried");
  await inBackendOnce(ids, "cmi.location", "down-2");
  assert.equal((await state(ids)).scos["sco-1"]["cmi.score.scaled"], "0.5");
  assert.equal((await page.evaluate(() => ScormShim.bridge.status())).mismatches, 0);
  await page.close();
});

// The same calls, made by a SCO through the bridge and by a SCO on the LMS
// page itself (the drop-in, same configuration and learner): every return
// value and every GetLastError must be equal.
const SCRIPTS = {
  "1.2": (a) => {
    const out = [];
    const call = (m, ...args) => { const r = a[m](...args); out.push([m, args.map((x) => String(x).slice(0, 20)), r, a.LMSGetLastError()]); };
    call("LMSGetValue", "cmi.core.student_id");
    call("LMSInitialize", "");
    call("LMSInitialize", "");
    for (const el of ["cmi.core.student_id", "cmi.core.student_name", "cmi.core.lesson_status", "cmi.core.entry", "cmi.core.credit",
      "cmi.core._children", "cmi.objectives._count", "cmi.interactions._children", "cmi.launch_data", "cmi.nope", "cmi.core.score._children"]) call("LMSGetValue", el);
    for (const [el, v] of [["cmi.core.lesson_status", "finished"], ["cmi.core.lesson_status", "incomplete"], ["cmi.core.score.raw", "85"],
      ["cmi.core.score.raw", "abc"], ["cmi.core.score.raw", "101"], ["cmi.core.student_id", "x"], ["cmi.core._children", "x"],
      ["cmi.suspend_data", "y".repeat(4097)], ["cmi.suspend_data", "z".repeat(100)], ["cmi.core.lesson_location", "slide-7"],
      ["cmi.objectives.0.id", "obj-1"], ["cmi.objectives.2.id", "gap"], ["cmi.interactions.0.id", "q1"], ["cmi.interactions.0.type", "choice"],
      ["cmi.interactions.0.student_response", "a,b"], ["cmi.interactions.0.id", ""], ["cmi.core.session_time", "00:01:30"], ["cmi.core.session_time", "1:30"]]) {
      call("LMSSetValue", el, v);
    }
    for (const el of ["cmi.core.score.raw", "cmi.suspend_data", "cmi.objectives._count", "cmi.interactions.0.student_response", "cmi.interactions.0.id"]) call("LMSGetValue", el);
    call("LMSGetErrorString", "405");
    call("LMSGetDiagnostic", "");
    call("LMSCommit", "");
    call("LMSCommit", "x");
    call("LMSSetValue", "cmi.core.lesson_status", "passed");
    call("LMSFinish", "");
    call("LMSGetValue", "cmi.core.lesson_location");
    call("LMSFinish", "");
    return out;
  },
  "2004": (a) => {
    const out = [];
    const call = (m, ...args) => { const r = a[m](...args); out.push([m, args.map((x) => String(x).slice(0, 20)), r, a.GetLastError()]); };
    call("Terminate", "");
    call("Initialize", "");
    call("Initialize", "");
    for (const el of ["cmi.learner_id", "cmi.entry", "cmi.mode", "cmi.credit", "cmi.completion_status", "cmi.success_status", "cmi._version",
      "cmi.interactions._children", "cmi.objectives._count", "cmi.nope", "cmi.location", "adl.nav.request_valid.continue",
      "adl.nav.request_valid.choice.{target=x}", "cmi.learner_preference.language", "cmi.suspend_data"]) call("GetValue", el);
    for (const [el, v] of [["cmi.location", "page-3"], ["cmi.score.scaled", "2"], ["cmi.score.scaled", "0.75"], ["cmi.score.raw", "x"],
      ["cmi.completion_status", "done"], ["cmi.completion_status", "completed"], ["cmi.learner_id", "x"], ["cmi.suspend_data", "x".repeat(64001)],
      ["cmi.suspend_data", "{\"p\":3}"], ["cmi.interactions.0.id", "q1"], ["cmi.interactions.0.type", "choice"],
      ["cmi.interactions.0.learner_response", "a[,]b"], ["cmi.interactions.0.learner_response", "a[,]a"], ["cmi.interactions.2.id", "gap"],
      ["cmi.objectives.0.id", "o1"], ["cmi.objectives.0.id", "o2"], ["cmi.session_time", "PT1M30S"], ["cmi.session_time", "90"],
      ["adl.nav.request", "continue"], ["adl.nav.request", "sideways"], ["cmi.comments_from_learner.0.comment", "{lang=fr}bien"],
      ["cmi.learner_preference.audio_level", "-1"]]) {
      call("SetValue", el, v);
    }
    for (const el of ["cmi.location", "cmi.score.scaled", "cmi.interactions._count", "cmi.interactions.0.learner_response",
      "cmi.objectives.0.id", "adl.nav.request", "cmi.comments_from_learner.0.comment"]) call("GetValue", el);
    call("GetErrorString", "406");
    call("GetDiagnostic", "");
    call("Commit", "");
    call("Commit", "x");
    call("SetValue", "cmi.exit", "suspend");
    call("Terminate", "");
    call("GetValue", "cmi.location");
    call("Commit", "");
    return out;
  },
};

for (const version of ["1.2", "2004"]) {
  test(`SCORM ${version} through the bridge: every call answered exactly as by the drop-in on the LMS page itself, stored once`, async () => {
    const bridged = await open({ attrs: { versions: version } });
    await launch(bridged.page);
    const sco = await frameOf(bridged.page, content.url("/sco/a.html"));
    assert.equal(await sco.evaluate(() => document.documentElement.dataset.found), version === "1.2" ? "1.2" : "2004 ");
    const script = SCRIPTS[version].toString();
    const run = (where) => `(${script})(${where})`;
    const through = await sco.evaluate(run(version === "1.2" ? "window.api12" : "window.api2004"));
    // The same learner on a page of its own, no bridge: the SCO is the page.
    const same = await open({ attrs: { versions: version }, ids: { ...bridged.ids, registration: bridged.ids.registration + "-same" } });
    const direct = await same.page.evaluate(run(version === "1.2" ? "window.API" : "window.API_1484_11"));
    assert.ok(through.length > 40);
    assert.deepEqual(through, direct);
    assert.ok(through.some((x) => x[3] !== "0"), "error cases are in the comparison");
    // The LMS page replayed them all with the same answers, and the backend has the values once.
    await until(() => bridged.page.evaluate((n) => ScormShim.bridge.status().calls >= n, through.length * 2), "the replay");
    assert.equal((await bridged.page.evaluate(() => ScormShim.bridge.status())).mismatches, 0);
    const [el, v] = version === "1.2" ? ["cmi.core.lesson_location", "slide-7"] : ["cmi.location", "page-3"];
    await until(async () => (await state(bridged.ids)).scos["sco-1"]?.[el] === v, "the backend");
    assert.equal(times(await batches(bridged.ids), el, v), 1);
    assert.deepEqual(bridged.errors, []);
    await bridged.page.close();
    await same.page.close();
  });
}

test("nothing lost: the browser is offline while the SCO commits through the bridge; back online, every value is in the backend once", async () => {
  const { page, context, ids } = await open();
  await launch(page);
  await frameOf(page, content.url("/sco/a.html"));
  await context.setOffline(true);
  assert.equal(await commitIn(page, [["cmi.location", "offline-1"]]), "true");
  assert.equal(await commitIn(page, [["cmi.location", "offline-2"], ["cmi.suspend_data", "o"]]), "true");
  await until(() => page.evaluate(() => window.events.some((e) => e.type === "offline" || e.type === "retrying")), "the queue to notice");
  await context.setOffline(false);
  await inBackendOnce(ids, "cmi.location", "offline-2");
  assert.equal((await state(ids)).scos["sco-1"]["cmi.suspend_data"], "o");
  assert.equal((await page.evaluate(() => ScormShim.bridge.status())).mismatches, 0);
  await page.close();
});
