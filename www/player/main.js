// The course player. Three ways in, one player:
// * `course.html?manifest=…`: a package hosted on the LMS's server, by the
//   URL of its manifest;
// * `course.html?course=<key>`: a course kept on this device (the library,
//   www/player/stored.js), served by the service worker, online or not;
// * `course.html`: the library of courses on this device (www/player/library.js).
// The player shows the table of contents and the LMS navigation buttons
// from the sequencer's look-ahead, launches what the sequencer delivers, and
// says in the page what goes wrong. One module per concern: messages, table
// of contents, content frame, call log, the backend's queue, plain words,
// the library, the offline foundation.
import { createMessages } from "./messages.js";
import { createCallLog } from "./calls.js";
import { renderToc } from "./toc.js";
import { createContent, probe } from "./content.js";
import { watchQueue } from "./queue.js";
import { refusal, resultWords, whyTooltip, whyWords } from "./words.js";
import { launchCredentials, renewOnRefusal, credentialsWhenOnline } from "./lms.js";
import { openStored } from "./stored.js";
import { startLibrary } from "./library.js";
import { startOffline } from "./offline.js";

const $ = (id) => document.getElementById(id);
const root = document.documentElement;
const params = new URLSearchParams(location.search);
const HOSTED = params.get("manifest");
const STORED = HOSTED ? null : params.get("course");
const MODE = HOSTED ? "hosted" : STORED ? "stored" : "library";
let MANIFEST = HOSTED || "";
let stored = null; // openStored()'s answer, for a course from the library
const REQUESTS = ["previous", "continue", "exit", "suspendAll", "exitAll"];

const messages = createMessages($("messages"));
const content = createContent($("content"), $("message"), $("message-title"), $("message-text"), $("message-actions"));
const log = createCallLog($("calls"), $("calls-count"), $("log-panel"), $("log-toggle"));
const navButtons = [...document.querySelectorAll("#lms-nav button[data-request]")];

let shim = null;
let launchable = new Set();
let hidden = new Map(); // activity id -> adlnav:hideLMSUI of it
let courseTitle = "";
let ended = false;
let busy = false;
// The activity launched last: has its SCO called Initialize, has it ended?
let launched = null;

root.dataset.state = "loading";
root.dataset.mode = MODE === "library" ? "library" : "play";
if (MODE === "library") {
  $("skip").href = "#library";
  $("skip").textContent = "Skip to your courses";
}
if (MODE === "stored") $("library-link").hidden = false;

// The table of contents folds away on small screens (a phone in landscape).
const narrow = window.matchMedia("(max-width: 900px)");
function setToc(open) {
  $("toc-panel").hidden = !open;
  $("toc-toggle").setAttribute("aria-expanded", String(open));
}
setToc(!narrow.matches);
narrow.addEventListener("change", (e) => setToc(!e.matches));
$("toc-toggle").addEventListener("click", () => setToc($("toc-panel").hidden));

function walk(a, f) {
  const stack = [a];
  while (stack.length) {
    const x = stack.pop();
    f(x);
    for (const c of x.children || []) stack.push(c);
  }
}

/** Enable a control, or mark it unavailable (still focusable) with the reason when there is one. */
function setAvailable(button, ok, why, detail = "") {
  button.dataset.why = ok ? "" : why;
  button.dataset.detail = ok ? "" : detail;
  if (ok) {
    button.removeAttribute("aria-disabled");
    button.removeAttribute("title");
  } else {
    button.setAttribute("aria-disabled", "true");
    // The tooltip: the learner's words, then the SN exception for an author.
    if (why) button.title = whyTooltip(why, detail); else button.removeAttribute("title");
  }
}

/** Why `request` is refused, when the package says so in words (SCORM 1.2 prerequisites). */
function explain(request) {
  if (root.dataset.version !== "1.2") return ""; // SCORM 2004: the sequencer's why, when it gives one
  const v = shim.course.accepts(request);
  return v && /^Not available yet/.test(v.message) ? v.message : "";
}

function render() {
  const nav = shim && shim.course.navState();
  if (!nav) return;
  const current = nav.activities.filter((a) => a.active).pop(); // the deepest active one: the running activity
  // adlnav:hideLMSUI hides buttons while the SCO offers its own; once it has
  // ended (Terminate, LMSFinish), the learner needs the player's again.
  const over = launched && launched.ended && current && launched.id === current.id;
  const hide = (current && !over && hidden.get(current.id)) || {};
  for (const b of navButtons) {
    const key = b.dataset.request;
    const ok = !ended && !busy && !!nav[key];
    let why = "";
    let detail = "";
    if (!ok && !busy) {
      if (ended) why = "The course session has ended.";
      else ({ words: why, detail } = whyWords(nav.why && nav.why[key]));
      why = why || explain(key);
    }
    setAvailable(b, ok, why, detail);
    b.hidden = !!hide[key];
  }
  renderToc($("toc"), nav, launchable, {
    choose: (id) => {
      if (narrow.matches) setToc(false); // the drawer gives the screen back to the content
      go("{target=" + id + "}choice");
    },
    explain: (title, why, detail) => messages.show({ key: "refused", level: "info", text: `“${title}”: ${why}`, detail }),
  });
  const words = resultWords(shim.course.result());
  $("course-result").textContent = words.line ? "Course: " + words.line : "";
}

let pending = 0;
function renderSoon() {
  if (pending) return;
  pending = requestAnimationFrame(() => { pending = 0; render(); });
}

function endPanel(title, text) {
  const nav = shim.course.navState();
  const actions = [];
  if (nav && nav.resumeAll) actions.push({ label: "Resume", run: () => go("resumeAll") });
  if (nav && nav.start) actions.push({ label: nav.resumeAll ? "Start over" : "Start again", run: () => go("start") });
  content.showMessage({ title, text, actions });
}

/** Says so when a SCO's page has loaded long ago and it has not called Initialize. */
function watchInitialize(l) {
  const wait = Number(root.dataset.initWarnMs) || 15000;
  l.timer = setTimeout(() => {
    if (launched !== l || l.talked || !l.isSco) return;
    messages.show({
      key: "no-init",
      level: "warning",
      title: `“${l.title}” has not connected to the player.`,
      text: `It has not called Initialize ${Math.round(wait / 1000)} seconds after it was opened, so its progress is not recorded. ` +
        "If the page stays blank or shows an error, tell the course administrator.",
      detail: `${l.url}\nNo LMSInitialize / Initialize call from this SCO. A page that cannot run its scripts (a Content-Security-Policy ` +
        "of the server that hosts the package, a script that failed to load) or that looks for the API in the wrong window behaves like this.",
    });
  }, wait);
}

async function deliver(view, request) {
  if (!view) {
    // The SCO ended without asking for another activity: it stays on screen
    // (its last page); the learner goes on with the player's controls.
    if (launched && !ended) {
      launched.ended = true;
      messages.show({ key: "activity-ended", level: "info", text: `“${launched.title}” has ended. Use the buttons above or the contents to go on.` });
    }
    return render();
  }
  messages.clear("refused");
  messages.clear("activity-ended");
  messages.clear("no-init");
  root.dataset.delivery = view.type;
  if (view.type === "launch") {
    ended = false;
    if (launched) clearTimeout(launched.timer);
    launched = { id: view.activityId, title: view.title || view.activityId, url: view.url, isSco: view.isSco !== false, talked: false, ended: false, timer: 0 };
    if (stored) stored.launched();
    const missing = await probe(view.url);
    root.dataset.activity = view.activityId;
    if (missing) {
      content.blank();
      const path = new URL(view.url).pathname;
      const answer = missing.status ? `the server answered ${missing.status}${missing.text ? " " + missing.text : ""}` : "it could not be loaded";
      content.showMessage({
        title: `“${view.title}” cannot be shown.`,
        text: `Its page is missing from the course package (${answer}). Please tell the course administrator. ` +
          "You can choose another part of the course from the contents.",
      });
      messages.show({ key: "missing", level: "error", title: "A file of this course is missing.", text: `“${view.title}” cannot be shown.`, detail: `${view.url}\n${path}: ${answer}` });
      root.dataset.delivery = "missing";
    } else {
      messages.clear("missing");
      content.showFrame();
      $("content").src = view.url;
      watchInitialize(launched);
    }
  } else if (view.type === "ended") {
    ended = true;
    content.blank();
    root.dataset.activity = "";
    const result = shim.course.result();
    const words = resultWords(result);
    const nav = shim.course.navState();
    if (stored) stored.ended(!!(nav && nav.resumeAll));
    if (nav && nav.resumeAll) {
      endPanel("Your place is saved.", "You can resume the course where you left it, now or later." + (words.line ? ` (${words.line}.)` : ""));
    } else {
      endPanel(words.title || "The course session has ended.", words.text);
    }
    root.dataset.result = result ? `${result.completion}/${result.success}` : "";
  } else if (view.type === "nothing") {
    content.blank();
    root.dataset.activity = "";
    content.showMessage({
      title: "You left the activity.",
      text: "Choose what to do next from the contents, or use the buttons above.",
    });
  } else if (view.type === "error") {
    const nav = shim.course.navState();
    const shown = root.dataset.activity;
    const running = !!nav && nav.activities.some((a) => a.id === shown && a.active);
    const r = refusal(request || "", view);
    if (running && request === "adl.nav.request") {
      // The SCO asked for somewhere the course does not allow, then ended:
      // it stays on screen, the player's controls take over.
      if (launched) launched.ended = true;
      messages.show({
        key: "refused",
        level: "warning",
        text: `The activity asked to go on, but the course does not allow it: ${r.text} Use the buttons above or the contents to go on.`,
        detail: r.detail,
      });
    } else if (running) {
      // Nothing changed: the activity shown goes on.
      messages.show({ key: "refused", level: "info", text: r.text, detail: r.detail });
    } else {
      // The request ended the activity shown, then found nothing to deliver.
      content.blank();
      root.dataset.activity = "";
      content.showMessage({
        title: "The course cannot go on from here.",
        text: r.text + " Choose an activity from the contents.",
      });
      messages.show({ key: "refused", level: "info", text: r.text, detail: r.detail });
    }
  }
  render();
}

async function go(request) {
  if (busy || !shim) return;
  busy = true;
  render();
  let view;
  try {
    view = await shim.course.navigate(request, $("content"));
  } catch (e) {
    view = { type: "error", id: "player", message: String(e && e.message ? e.message : e) };
  }
  busy = false;
  await deliver(view, request);
}

for (const b of navButtons) {
  b.addEventListener("click", () => {
    if (b.getAttribute("aria-disabled") === "true") {
      const why = b.dataset.why || (ended ? "The course session has ended." : "Not available now.");
      messages.show({ key: "refused", level: "info", text: `${b.textContent}: ${why}`, detail: b.dataset.detail || "" });
      return;
    }
    go(b.dataset.request);
  });
}

function fail(title, e) {
  root.dataset.state = "error";
  const text = String(e && e.message ? e.message : e);
  $("course-title").textContent = "This course cannot be played";
  document.title = "This course cannot be played";
  for (const b of navButtons) setAvailable(b, false, "");
  content.blank();
  if (MODE === "stored") {
    // A course from this device: what the learner can do about it is in the library.
    content.showMessage({ title, text: text.replace(/^scorm-shim: /, ""), actions: [{ label: "Back to your courses", run: () => { location.href = "course.html"; } }] });
    messages.show({ key: "open", level: "error", sticky: true, title, text, detail: (e && e.detail) || (MANIFEST ? `Manifest: ${MANIFEST}` : "") });
    return;
  }
  content.showMessage({ title, text: `${text.replace(/^scorm-shim: /, "")}. Please tell the course administrator.` });
  messages.show({ key: "open", level: "error", sticky: true, title, text, detail: `Manifest: ${MANIFEST}` });
}

async function start() {
  if (typeof window.ScormShim === "undefined") {
    fail("The player could not start.", new Error("the scorm-shim script did not load"));
    return;
  }
  try {
    shim = await window.ScormShim.ready;
  } catch (e) {
    fail("The player could not start.", e);
    return;
  }
  if (MODE === "library") {
    await startLibrary({ shim, messages });
    return;
  }
  if (MODE === "stored") {
    try {
      stored = await openStored(STORED, shim, messages);
    } catch (e) {
      fail(e.title || "This course cannot be played.", e);
      return;
    }
    MANIFEST = stored.manifestUrl;
    root.dataset.packageVersion = String(stored.version.n);
    stored.watch();
  }
  shim.onCall((e) => {
    log.add(e);
    if (launched && /^(LMS)?Initialize$/.test(e.method)) {
      launched.talked = true;
      messages.clear("no-init");
    }
    // Statuses show in the table of contents as soon as the SCO commits them.
    if (/^(LMS)?(Commit|Finish|Terminate)$/.test(e.method)) renderSoon();
  });
  let info, ids = null;
  renewOnRefusal(shim, () => ids, messages);
  const online = credentialsWhenOnline(shim, () => ids);
  try {
    info = await shim.course.open(MANIFEST, {
      // A course from the library: the registration of its learner and version.
      registrationId: stored ? stored.registration : undefined,
      // The registration's launch token, once the package has named the
      // registration (offline: none; asked for when the browser is online).
      credentials: async (given) => {
        ids = given;
        const c = await launchCredentials(shim, given);
        if (c) online.given();
        return c;
      },
    });
  } catch (e) {
    fail("This course cannot be played.", e);
    return;
  }
  courseTitle = info.title || info.identifier;
  $("course-title").textContent = courseTitle;
  document.title = courseTitle + " · course player";
  root.dataset.state = "open";
  root.dataset.version = info.version;
  root.dataset.registration = info.registrationId;
  const tree = shim.course.tree();
  walk(tree, (a) => {
    if (a.launch) launchable.add(a.id);
    if (a.hideLmsUi) hidden.set(a.id, a.hideLmsUi);
  });
  if (info.warnings.length) {
    const n = info.warnings.length;
    messages.show({
      key: "warnings",
      level: "warning",
      title: `The course package has ${n === 1 ? "a problem" : n + " problems"} in its manifest.`,
      text: "It plays anyway. If something does not work as expected, tell the course administrator.",
      detail: info.warnings.join("\n"),
    });
  }
  for (const [i, note] of (info.notes || []).entries()) {
    messages.show({ key: "note-" + i, level: "warning", text: note });
  }
  watchQueue(shim, messages);
  shim.course.onDeliver((view) => deliver(view, "adl.nav.request"));
  const first = info.canResume ? "resumeAll" : "start";
  const view = await shim.course.navigate(first, $("content"));
  if (view.type === "error") {
    // A course that does not start by itself (choice only, no flow: the
    // default of a manifest without sequencing). One activity to choose is
    // launched, as LMSs do; among several the learner picks where to begin.
    // Nothing went wrong either way.
    const nav = shim.course.navState();
    const choosable = nav ? nav.activities.filter((a) => launchable.has(a.id) && a.visible && a.selectable && a.enabled) : [];
    if (choosable.length === 1) {
      await go("{target=" + choosable[0].id + "}choice");
    } else {
      root.dataset.delivery = "choose";
      content.showMessage({ title: "Where would you like to begin?", text: "Choose a part of the course from the contents." });
      if (narrow.matches) setToc(true);
      render();
    }
  } else {
    await deliver(view, first);
  }
  // A course from the LMS's server: once it runs, the player's own files are
  // stored too, so that the library opens offline next time.
  if (MODE === "hosted" && "serviceWorker" in navigator) {
    setTimeout(() => startOffline({ messages }).catch((e) => console.warn("scorm-shim player: offline use is not available", e)), 3000);
  }
}

start();
