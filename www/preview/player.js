// The course in the preview: LMS buttons and table of contents from the
// sequencer's look-ahead, the content frame, and the SCO sessions the
// debugger watches. A SCO session ends when the preview unloads its
// document (a navigation, a new delivery, the end of the course): then the
// content check runs over its calls.
import { el, replace } from "./dom.js";

export const REQUESTS = [
  ["previous", "Previous"],
  ["continue", "Continue"],
  ["exit", "Exit activity"],
  ["suspendAll", "Suspend"],
  ["exitAll", "Exit course"],
];

export function createPlayer({ root, shim, session, onChange }) {
  const frame = root.querySelector("iframe");
  const nav = root.querySelector(".lms-nav");
  const toc = root.querySelector(".toc");
  const status = root.querySelector(".player-status");
  let running = false;
  let lastContentRequest = null;

  replace(nav, REQUESTS.map(([req, label]) => el("button", { type: "button", dataset: { request: req }, disabled: true, onclick: () => go(req, "button") }, label)));

  shim.onCall((e) => {
    if ((e.method === "SetValue") && e.args[0] === "adl.nav.request" && e.result === "true") lastContentRequest = e.args[1];
  });

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  /** Unload the document in the frame (if any) and end its SCO session. */
  function blank() {
    return new Promise((resolve) => {
      const done = () => setTimeout(() => { session.endSco({ unloaded: true }); resolve(); }, 0);
      let href = "";
      try { href = frame.contentWindow ? frame.contentWindow.location.href : ""; } catch { href = "x"; }
      if (!href || href === "about:blank") return done();
      const loaded = () => { frame.removeEventListener("load", loaded); done(); };
      frame.addEventListener("load", loaded);
      frame.src = "about:blank";
    });
  }

  function render() {
    const state = shim.course.navState();
    for (const b of nav.querySelectorAll("button")) b.disabled = !running || !state || !state[b.dataset.request];
    if (!state) { toc.textContent = ""; return; }
    const parents = [toc];
    toc.textContent = "";
    for (const a of state.activities) {
      if (a.depth === 0) continue;
      while (parents.length > a.depth) parents.pop();
      const li = el("li", { className: a.active ? "current" : "", hidden: !a.visible });
      const label = a.selectable && a.enabled && running
        ? el("button", { type: "button", className: "link", onclick: () => go("{target=" + a.id + "}choice", "toc") }, a.title)
        : el("span", { className: "unavailable" }, a.title);
      const st = a.success !== "unknown" ? a.success : a.completion !== "unknown" ? a.completion : "";
      li.append(label, st ? el("span", { className: "status" }, " " + st) : "");
      if (a.active) li.setAttribute("aria-current", "step");
      parents[parents.length - 1].appendChild(li);
      const ul = el("ul");
      li.appendChild(ul);
      parents.push(ul);
    }
    if (onChange) onChange();
  }

  async function deliver(view, source, request) {
    session.navigation({ source, request, outcome: view ? { ...view } : { type: "none" } });
    if (view && view.type === "launch") {
      await blank();
      say("");
      session.beginSco(view.activityId, view.title, { api: view.version, isSco: view.isSco });
      document.documentElement.dataset.activity = view.activityId;
      frame.src = view.url;
    } else if (view && view.type === "ended") {
      await blank();
      running = false;
      document.documentElement.dataset.activity = "";
      say("The course session has ended. Relaunch it from the settings, or choose another package.");
    } else if (view && view.type === "error" && source === "start" && request === "start") {
      // A course whose root does not flow (choice only) waits for a choice:
      // nothing is wrong, as an LMS would show it.
      say("This course does not start by itself (" + view.id + ": " + view.message + "): choose where to begin in the table of contents.");
    } else if (view && view.type === "error") {
      say("Not possible now (" + view.id + ": " + view.message + ").");
    } else if (view === null) {
      // The SCO terminated without a navigation request: it stays on
      // screen (its last page), and its session ends when it is unloaded.
      say("The activity ended without asking for another one. Use the buttons or the table of contents.");
    }
    document.documentElement.dataset.delivery = view ? view.type : "none";
    render();
  }

  /** A navigation request from the preview's buttons or table of contents. */
  async function go(request, source = "button") {
    const refused = shim.course.accepts(request);
    if (refused) return deliver(refused, source, request);
    await blank();
    const view = await shim.course.navigate(request, frame);
    return deliver(view, source, request);
  }

  shim.course.onDeliver((view) => {
    const request = lastContentRequest;
    lastContentRequest = null;
    deliver(view, "content", request || "(none)");
  });

  return {
    frame,
    /** Start the course: `start` or `resumeAll`. */
    async start(request) {
      running = true;
      lastContentRequest = null;
      if (request === "start" && shim.course.accepts("start")) {
        // A course that does not flow (a manifest without sequencing) does
        // not start by itself; with one activity to choose, LMSs launch it.
        const nav = shim.course.navState();
        // Leaves: the activities are in tree order, a leaf's successor is no deeper.
        const acts = nav ? nav.activities : [];
        const choosable = acts.filter((a, i) => a.depth > 0 && !(acts[i + 1] && acts[i + 1].depth > a.depth) && a.visible && a.selectable && a.enabled);
        if (choosable.length === 1) return go("{target=" + choosable[0].id + "}choice", "start");
      }
      return go(request, "start");
    },
    go,
    /**
     * End the running SCO and the sequencing session (suspendAll, so a
     * relaunch resumes; exitAll where suspending is not possible).
     */
    async stop() {
      if (running) {
        for (const req of ["suspendAll", "exitAll"]) {
          if (!shim.course.accepts(req)) { await go(req, "preview"); break; }
        }
      }
      await blank();
      running = false;
      document.documentElement.dataset.activity = "";
      render();
    },
    get running() { return running; },
    render,
  };
}
