// The author preview: open a package from disk or a URL, read its report,
// play it, and watch everything it does. Nothing is uploaded: packages go
// into this browser's storage (www/lib/package-store.js) and a service
// worker (www/sw.js) serves their files to the content frame.
import { initMessages, showError, showInfo } from "./messages.js";
import { createSession } from "./session.js";
import { buildReport, hrefPath } from "./report-model.js";
import { renderReport } from "./report.js";
import { createPlayer } from "./player.js";
import { createCallLog } from "./calllog.js";
import { createInspector } from "./inspector.js";
import { createSeqPanel } from "./seqpanel.js";
import { createCheckPanel } from "./checkpanel.js";
import { createControls, configOf, loadSettings } from "./controls.js";
import { profile } from "./checks.js";
import { sessionData, exportJson, exportHtml } from "./export.js";
import { initTabs } from "./tabs.js";

const $ = (sel) => document.querySelector(sel);
const PREFIX = "scorm-preview-";
// preview.html?autoplay: play each package as soon as its report is shown.
const autoplay = new URLSearchParams(location.search).has("autoplay");

initMessages($("#messages"));

async function main() {
  let pkgModule, storeModule, swModule, openPanelModule;
  try {
    [pkgModule, storeModule, swModule, openPanelModule] = await Promise.all([
      import("../../pkg/index.js"),
      import("../lib/package-store.js"),
      import("../lib/sw-bridge.js"),
      import("./open-panel.js"),
    ]);
  } catch (e) {
    return showError(e, "the preview could not start (is pkg/ built? run scripts/build.sh; are www/vendor/ files there?)");
  }
  let store, sw;
  try {
    [store, sw] = await Promise.all([storeModule.openStore(), swModule.startServiceWorker()]);
  } catch (e) {
    return showError(e, "packages cannot be opened in this browser");
  }
  store.sweep().catch(() => {});

  // The learner is known now (the settings' default); each package's session
  // names its registration (newSession below), so nothing is stored before.
  const shim = await pkgModule.load({ storagePrefix: "scorm-preview", logLevel: "warn", learnerId: loadSettings().learnerId || "author" }, window);
  const snapshot = (api) => shim.dataModel()[api];
  const session = createSession({ snapshot });
  shim.onCall(session.record);
  shim.onEvent((e) => { if (e.type === "storageError") showError(e.message, "the learner's data could not be stored"); });

  // Render the visible panel when the session changed, a few times a second at most.
  let timer = null;
  function schedule(now) {
    if (timer && !now) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const p = tabs && panels[tabs.current()];
      try {
        if (p) p.render();
      } catch (e) {
        showError(e, "a debugger panel failed");
      }
    }, now ? 0 : 200);
  }
  setInterval(() => schedule(), 500);

  let current = null; // {info, files, report}
  let tabs = null;
  const workspace = $("#workspace");
  const player = createPlayer({ root: $("#player"), shim, session, onChange: () => schedule() });
  const panels = {
    calls: createCallLog({ root: $("#panel-calls"), session }),
    model: createInspector({ root: $("#panel-model"), session, shim }),
    seq: createSeqPanel({ root: $("#panel-seq"), session, shim }),
    check: createCheckPanel({ root: $("#panel-check"), session }),
  };
  tabs = initTabs($("#debugger"), () => schedule(true));


  const controls = createControls({
    root: $("#controls"),
    onApply: async (settings) => { await relaunch(settings); },
    onRelaunch: async () => { await relaunch(controls.settings); },
    onReset: async () => { await resetLearner(); },
    onExportJson: () => exportJson(data()),
    onExportHtml: () => exportHtml(data()),
  });
  controls.setEnabled(false);

  function data() {
    return sessionData({ session, shim, info: current && current.info, report: current && current.report, settings: controls.settings, version: shim.config().version || "" });
  }

  /** Configure the shim for package `id` and the author's settings, then open its manifest. */
  async function openCourse(id, settings) {
    session.setProfile(profile(settings.profile));
    // Each play is a session of its own, with the author's settings of the moment.
    const errors = shim.newSession({ ...configOf(settings), storagePrefix: PREFIX + id, courseId: id, registrationId: "preview" });
    if (errors.length) showError(errors.join("; "), "the settings were not all applied");
    return shim.course.open(sw.manifestUrl(id));
  }

  async function play(settings) {
    if (!current) return;
    try {
      const info = await openCourse(current.info.id, settings);
      $("#course-title").textContent = info.title + " (SCORM " + info.version + ")";
      tabs.select("calls");
      await player.start(info.canResume ? "resumeAll" : "start");
      document.documentElement.dataset.playing = current.info.id;
    } catch (e) {
      showError(e, "the course could not be started");
    }
  }

  async function relaunch(settings) {
    if (!current) return;
    await player.stop();
    await play(settings);
    showInfo("Relaunched as a new session" + (settings ? " (learner " + settings.learnerId + ", " + settings.mode + ", " + settings.credit + ")" : "") + ".");
  }

  async function resetLearner() {
    if (!current) return;
    await player.stop();
    // This package's learner, as the author's settings name them now; both
    // copies of their data (localStorage and the durable IndexedDB one) go.
    shim.newSession({ ...configOf(controls.settings), storagePrefix: PREFIX + current.info.id, courseId: current.info.id, registrationId: "preview" });
    const { removed } = await shim.purge({ force: true });
    session.forgetData();
    showInfo("The learner's data for this package was reset (" + removed + " stored item(s) removed); the course starts over.");
    await play(controls.settings);
  }

  async function onOpen({ info, files, manifestXml, importMs }) {
    if (player.running) await player.stop();
    session.clear();
    const inspected = await shim.course.inspect(manifestXml);
    const report = buildReport(inspected, files.map((f) => f.path));
    current = { info, files, report };
    workspace.hidden = false;
    $("#package-name").textContent = info.name;
    renderReport($("#panel-report .report-view"), report, info);
    const playBtn = $("#play");
    playBtn.disabled = !report.ok;
    playBtn.title = report.ok ? "" : "the manifest has an error (see the import report)";
    controls.setEnabled(report.ok);
    tabs.select("report");
    $("#course-title").textContent = report.ok ? report.title + " (SCORM " + report.version + ")" : info.name;
    document.documentElement.dataset.package = info.id;
    document.documentElement.dataset.report = report.ok ? "ok" : "error";
    history.replaceState(null, "", "?package=" + encodeURIComponent(info.id) + (autoplay ? "&autoplay" : ""));
    if (importMs) document.documentElement.dataset.importMs = String(Math.round(importMs));
    if (autoplay && report.ok) await play(controls.settings);
  }

  $("#play").addEventListener("click", () => play(controls.settings));

  const openPanel = openPanelModule.createOpenPanel({
    root: $("#open"),
    store,
    listFiles: async (xml) => {
      const r = await shim.course.inspect(xml);
      if (r.error) throw new Error("line " + r.error.line + ", column " + r.error.column + ": " + r.error.message);
      return r.manifest.resources.flatMap((res) => [res.href, ...res.files]).filter(Boolean).map(hrefPath);
    },
    onOpen,
  });
  openPanel.onRemove = async (id) => {
    if (current && current.info.id === id) {
      await player.stop();
      current = null;
      workspace.hidden = true;
    }
    sw.forget(id);
  };
  await openPanel.refresh();
  document.documentElement.dataset.ready = "true";
  const wanted = new URLSearchParams(location.search).get("package");
  if (wanted) await openPanel.openStored(wanted);
  // For the end-to-end tests and the benchmark: the page's state, read-only.
  window.preview = { session, shim, store, sw, data, get current() { return current; }, settings: loadSettings };
}

main().catch((e) => showError(e, "the preview failed"));
