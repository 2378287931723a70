// The library view of the player (course.html without ?manifest=): the
// courses kept on this device, adding one by URL or from a file (with a
// progress bar in bytes and files), the space they take and the space left,
// updates published at a course's URL, downloads that stopped (resume or
// remove), courses the browser evicted, and a course's Play button
// (course.html?course=<key>). The data is www/player/library-model.js's.
import { openLibrary } from "./library-model.js";
import { startOffline, storageState, storageWords, askPersistence } from "./offline.js";
import { deliverWaiting } from "./deliver.js";
import { formatBytes } from "../lib/package-rules.js";

const $ = (id) => document.getElementById(id);
const root = document.documentElement;

/** Sample courses the demo serves (offered when they answer). */
const SAMPLES = [
  { label: "Sequenced sample (SCORM 2004)", url: "courses/sequenced/imsmanifest.xml" },
  { label: "SCORM 1.2 sample", url: "courses/multisco12/imsmanifest.xml" },
];

/** How often a course's URL is asked for a newer version when the library opens. */
const CHECK_EVERY_MS = 60 * 60 * 1000;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "className") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function sourceWords(c) {
  if (c.source && c.source.type === "url") {
    try {
      const u = new URL(c.source.url);
      return "from " + (u.origin === location.origin ? u.pathname : u.host + u.pathname);
    } catch {
      return "";
    }
  }
  return c.source && c.source.name ? "from the file “" + c.source.name + "”" : "";
}

function attemptWords(a) {
  if (!a) return "Not started";
  if (a.state === "suspended") return "In progress: your place is saved";
  if (a.state === "started") return "In progress";
  return "Finished";
}

function errorText(e) {
  return String(e && e.message ? e.message : e).replace(/^scorm-shim: /, "");
}

export async function startLibrary({ shim, messages }) {
  root.dataset.mode = "library";
  root.dataset.state = "library";
  $("course-title").textContent = "Your courses";
  document.title = "Your courses · course player";
  $("library").hidden = false;
  const progress = $("progress"), bar = $("progress-bar"), text = $("progress-text");
  let busy = false;

  let sw, lib;
  try {
    sw = await startOffline({ messages, onShell: showShell });
    lib = await openLibrary({
      inspect: (xml) => shim.course.inspect(xml),
      learnerId: shim.config().learnerId,
      keepForDelivery: !!shim.config().endpoint,
    });
  } catch (e) {
    root.dataset.library = "error";
    messages.show({
      key: "library", level: "error", sticky: true,
      title: "Courses cannot be kept on this device in this browser.",
      text: errorText(e) + ". Courses can still be played online from your learning platform.",
      detail: e && e.detail ? e.detail : "",
    });
    return;
  }

  function showShell(s) {
    const line = $("offline-state");
    if (s.error) {
      line.textContent = "The player could not be stored for offline use yet: it needs the network once more.";
      root.dataset.shell = "error";
    } else if (s.cached === s.files) {
      line.textContent = "The player works offline on this device.";
      root.dataset.shell = "ready";
    } else {
      line.textContent = `The player is not fully stored for offline use yet (${s.cached} of ${s.files} files); open it once more while online.`;
      root.dataset.shell = "partial";
    }
  }

  // ---- progress ------------------------------------------------------------
  let lastSaid = 0;
  function showProgress(label, p) {
    progress.hidden = false;
    const total = p.total || 0;
    if (total) { bar.max = total; bar.value = Math.min(p.bytes || 0, total); } else bar.removeAttribute("value");
    const files = p.fileCount ? `, file ${Math.min((p.files || 0) + 1, p.fileCount)} of ${p.fileCount}${p.phase === "download" && !total ? " (more may be found)" : ""}` : "";
    const bytes = formatBytes(p.bytes || 0) + (total ? " of " + formatBytes(total) : "");
    const line = `${p.phase === "copy" ? "Storing" : "Downloading"} “${label}”: ${bytes}${files}`;
    // The visible line follows every step; the bar's accessible name changes at most every 2 s.
    $("progress-visible").textContent = line;
    const now = Date.now();
    if (now - lastSaid > 2000) { lastSaid = now; text.textContent = line; }
    root.dataset.progress = JSON.stringify({ bytes: p.bytes || 0, total, files: p.files || 0, fileCount: p.fileCount || 0 });
  }
  function hideProgress() {
    progress.hidden = true;
    text.textContent = "";
    $("progress-visible").textContent = "";
  }
  $("progress-cancel").addEventListener("click", () => lib.cancelAll());

  async function run(label, task) {
    if (busy) {
      messages.show({ key: "busy", level: "info", text: "Another course is being downloaded; wait until it is done." });
      return;
    }
    busy = true;
    root.dataset.import = "busy";
    messages.clear("import");
    showProgress(label, { phase: "download", bytes: 0 });
    let outcome = "failed";
    try {
      const rec = await task((p) => showProgress(label, p));
      outcome = "done";
      await render(); // the entry is listed before the page says it is ready
      messages.show({ key: "import", level: "info", text: `“${rec ? rec.title : label}” is ready to play, with or without a network.` });
      askPersistence().then(renderStorage);
    } catch (e) {
      root.dataset.importError = e && e.id ? e.id : "unexpected";
      const resumable = e && e.resumable;
      messages.show({
        key: "import", level: "error", sticky: resumable,
        title: `“${label}” was not ${resumable ? "downloaded completely" : "added"}.`,
        text: errorText(e) + (resumable ? ". What was downloaded is kept: resume it from the list below, or remove it." : "."),
        detail: e && e.detail ? e.detail : "",
      });
    } finally {
      busy = false;
      hideProgress();
      await render();
      root.dataset.import = outcome;
    }
  }

  // ---- adding --------------------------------------------------------------
  $("add-url").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const url = $("add-url-input").value.trim();
    if (!url) return;
    run(url, (onProgress) => lib.addUrl(url, { onProgress })).then(() => { if (root.dataset.import === "done") $("add-url-input").value = ""; });
  });
  $("add-file").addEventListener("change", () => {
    const f = $("add-file").files[0];
    $("add-file").value = "";
    if (f) run(f.name, (onProgress) => lib.addFile(f, { onProgress }));
  });
  (async () => {
    const box = $("samples");
    for (const s of SAMPLES) {
      try {
        const res = await fetch(s.url, { method: "HEAD", cache: "no-store" });
        if (!res.ok) continue;
      } catch {
        continue;
      }
      box.append(el("button", { type: "button", className: "secondary", text: "Add: " + s.label, onclick: () => run(s.label, (onProgress) => lib.addUrl(s.url, { onProgress })) }));
    }
    box.hidden = !box.childElementCount;
  })();

  // ---- the list --------------------------------------------------------------
  // A control's accessible name starts with its visible text, then names the
  // course (WCAG 2.5.3, label in name).
  function action(label, aria, run2, className = "") {
    return el("button", { type: "button", className, "aria-label": aria, text: label, onclick: run2 });
  }

  function entry(c) {
    const li = el("li", { className: "course", "data-key": c.key });
    const main = el("div", { className: "course-main" });
    main.append(el("h3", { text: c.title || "Untitled course" }));
    const meta = [];
    if (c.play) meta.push("version " + c.play.n + (c.newerWaiting ? ` (version ${c.latest.n} is stored too)` : ""));
    if (c.bytes) meta.push(formatBytes(c.bytes));
    const src = sourceWords(c);
    if (src) meta.push(src);
    main.append(el("p", { className: "course-meta", text: meta.join(" · ") }));
    const acts = el("div", { className: "course-actions" });
    const title = c.title || "this course";
    if (c.problem) {
      li.dataset.problem = c.problem.id;
      main.append(el("p", { className: "course-problem", role: "alert", text: `This course cannot be played: ${c.problem.message}.` + (c.undelivered ? " Progress not sent yet is kept in this browser." : "") }));
      if (c.source && c.source.type === "url" && c.source.url) {
        acts.append(action("Download again", "Download again: " + title, () => run(title, async (onProgress) => {
          await lib.remove(c.key);
          return lib.addUrl(c.source.url, { onProgress });
        })));
      }
      acts.append(action("Remove", "Remove " + title, () => remove(c)));
      li.append(main, acts);
      return li;
    }
    li.dataset.attempt = c.attempt ? c.attempt.state : "none";
    main.append(el("p", { className: "course-status", text: attemptWords(c.attempt) + (c.undelivered ? " · progress not sent yet" : "") }));
    if (c.newerWaiting) {
      li.dataset.newer = "stored";
      main.append(el("p", { className: "course-note", text: `Version ${c.latest.n} of this course is on this device. Your attempt continues on version ${c.play.n} until you start over.` }));
    } else if (c.update && c.update.changed) {
      li.dataset.newer = "published";
      main.append(el("p", { className: "course-note", text: "A newer version of this course is published." + (c.attempt && c.attempt.state !== "ended" ? " Your attempt in progress keeps the version it started with." : "") }));
    }
    if (c.download && !c.download.running) {
      li.dataset.download = "stopped";
      const d = c.download;
      main.append(el("p", { className: "course-note", text: `A newer version stopped downloading at ${formatBytes(d.bytes)}${d.total ? " of " + formatBytes(d.total) : ""}${d.error ? " (" + d.error.message + ")" : ""}.` }));
      acts.append(action("Resume download", "Resume download: " + title, () => run(title, (onProgress) => lib.resume(d, { onProgress }))));
    }
    if (c.play) {
      const playing = el("a", { className: "button", href: "course.html?course=" + encodeURIComponent(c.key), "aria-label": (c.attempt && c.attempt.state === "suspended" ? "Resume " : "Play ") + title, text: c.attempt && c.attempt.state === "suspended" ? "Resume" : "Play" });
      acts.append(playing);
    }
    if (c.newerWaiting) {
      acts.append(action(`Start over with version ${c.latest.n}`, `Start over with version ${c.latest.n}: ${title}`, async () => {
        if (!window.confirm(`Start “${title}” over with version ${c.latest.n}? Your attempt on version ${c.play.n} ends here.`)) return;
        await lib.startAnew(c.key);
        await render();
      }, "secondary"));
    } else if (c.update && c.update.changed && !c.download) {
      acts.append(action("Download the new version", "Download the new version of " + title, () => run(title, (onProgress) => lib.downloadUpdate(c.key, { onProgress }))));
    }
    if (c.source && c.source.type === "url" && !c.newerWaiting) {
      acts.append(action("Check for updates", "Check for updates: " + title, () => check(c, true), "secondary"));
    }
    acts.append(action("Remove", "Remove " + title, () => remove(c), "secondary"));
    li.append(main, acts);
    return li;
  }

  function downloadEntry(d) {
    const li = el("li", { className: "course", "data-download": d.running ? "running" : "stopped", "data-id": d.id });
    const label = d.name || d.url;
    const main = el("div", { className: "course-main" },
      el("h3", { text: label }),
      el("p", { className: "course-meta", text: `Downloading stopped at ${formatBytes(d.bytes)}${d.total ? " of " + formatBytes(d.total) : ""}` + (d.fileCount > 1 ? `, ${d.files} of ${d.fileCount} files` : "") + "." }),
      d.error ? el("p", { className: "course-problem", text: d.error.message + "." }) : null,
      el("p", { className: "course-status", text: "Not playable until the download is complete." }));
    const acts = el("div", { className: "course-actions" });
    if (!d.running) {
      acts.append(action("Resume", "Resume the download of " + label, () => run(label, (onProgress) => lib.resume(d, { onProgress }))));
      acts.append(action("Remove", "Remove the download of " + label, async () => { await lib.removeDownload(d.id); await render(); }, "secondary"));
    }
    li.append(main, acts);
    return li;
  }

  async function remove(c) {
    const title = c.title || "this course";
    if (!window.confirm(`Remove “${title}” from this device?` + (c.undelivered ? " Progress not sent yet is kept and sent when you are online." : ""))) return;
    try {
      await lib.remove(c.key);
      sw.forget(c.play ? c.play.packageId : "");
      messages.show({ key: "import", level: "info", text: `“${title}” was removed from this device.` });
    } catch (e) {
      messages.show({ key: "import", level: "error", title: `“${title}” could not be removed.`, text: errorText(e) });
    }
    await render();
  }

  async function check(c, asked) {
    try {
      const v = await lib.checkUpdate(c.key);
      if (asked) {
        messages.show({
          key: "update-" + c.key, level: "info",
          text: v.changed === true ? `A newer version of “${c.title}” is published.`
            : v.changed === false ? `“${c.title}” is up to date.`
              : `The server of “${c.title}” does not say whether it changed.`,
        });
      }
    } catch (e) {
      if (asked) messages.show({ key: "update-" + c.key, level: "warning", text: `“${c.title}” could not be checked for updates: ${errorText(e)}.` });
    }
    await render();
  }

  async function renderStorage() {
    const st = await storageState();
    $("storage-state").textContent = storageWords(st);
    const persist = $("persist");
    persist.hidden = !st || st.persisted;
    $("persist-state").textContent = st && st.persisted
      ? "The browser keeps these courses until you remove them."
      : "The browser may remove these courses when the device runs low on space.";
    root.dataset.persisted = st && st.persisted ? "1" : "0";
  }
  $("persist").addEventListener("click", async () => {
    const ok = await askPersistence();
    if (!ok) messages.show({ key: "persist", level: "info", text: "The browser did not agree to keep the courses for good. Installing the player (from the browser's menu) usually lets it." });
    await renderStorage();
  });

  // One render at a time; a render asked for while one runs runs again
  // after it (what changed meanwhile may not be in the list being drawn).
  let rendering = null, again = null;
  async function render() {
    if (rendering) {
      if (!again) again = rendering.catch(() => {}).then(() => { again = null; return render(); });
      return again;
    }
    rendering = (async () => {
      let data;
      try {
        data = await lib.courses();
      } catch (e) {
        messages.show({ key: "library", level: "error", sticky: true, title: "The courses on this device cannot be listed.", text: errorText(e) });
        return;
      }
      const list = $("courses");
      list.textContent = "";
      for (const c of data.courses) list.append(entry(c));
      for (const d of data.downloads) list.append(downloadEntry(d));
      $("courses-empty").hidden = list.childElementCount > 0;
      if (data.lost.length) {
        const names = data.lost.map((l) => "“" + (l.title || l.name || l.url) + "”").join(", ");
        messages.show({
          key: "lost", level: "warning", sticky: true,
          title: data.lost.length === 1 ? "A course is no longer on this device." : data.lost.length + " courses are no longer on this device.",
          text: `The browser removed ${names} (it clears stored sites when space runs low), or this site's data was cleared. Progress already sent to the server is safe.`,
          actions: [
            ...data.lost.filter((l) => l.url).map((l) => ({ label: "Download “" + (l.title || l.url) + "” again", run: () => { lib.forgetLost(l.key); run(l.title || l.url, (onProgress) => lib.addUrl(l.url, { onProgress })); } })),
            { label: "Forget them", run: () => { data.lost.forEach((l) => lib.forgetLost(l.key)); messages.clear("lost"); } },
          ],
        });
      } else {
        messages.clear("lost");
      }
      root.dataset.courses = String(data.courses.length);
      await renderStorage();
    })();
    try {
      await rendering;
    } finally {
      rendering = null;
      root.dataset.library = "ready";
    }
  }

  await lib.store.sweep().catch(() => {});
  await render();

  // Online: check for updates (at most hourly per course) and send what waits.
  async function whenOnline() {
    if (navigator.onLine === false) return;
    const { courses } = await lib.courses();
    for (const c of courses) {
      const last = c.update && Date.parse(c.update.checkedAt);
      if (c.source && c.source.type === "url" && !c.problem && !(last > Date.now() - CHECK_EVERY_MS)) await check(c, false);
    }
    const r = await deliverWaiting({ shim, lib, sw, onChange: render });
    root.dataset.sent = r.waiting ? "waiting" : "done";
    if (r.delivered) await render();
  }
  window.addEventListener("online", () => whenOnline());
  whenOnline();
}
