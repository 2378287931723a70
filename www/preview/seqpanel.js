// The sequencing panel: the activity tree with attempts, completion,
// success, score and progress per activity; the global objectives; the
// last navigation request and its outcome; and for every button and
// table-of-contents entry that is not available, why (the SN exception id
// and its description).
import { el, replace, table, clock } from "./dom.js";
import { REQUESTS } from "./player.js";

const num = (v) => (typeof v === "number" ? String(Math.round(v * 10000) / 10000) : "");

/** Completion, success, score and progress of an activity's tracking state (defaults left out of the JSON). */
export function trackingWords(st) {
  const o = (st.objectives && st.objectives[0]) || {};
  return {
    attempts: st.attemptCount || 0,
    completion: st.attemptProgressStatus ? (st.attemptCompletionStatus ? "completed" : "incomplete") : "unknown",
    success: o.progressStatus ? (o.satisfiedStatus ? "satisfied" : "not satisfied") : "unknown",
    measure: o.measureStatus ? num(o.normalizedMeasure || 0) : "",
    progress: st.attemptCompletionAmountStatus ? num(st.attemptCompletionAmount || 0) : "",
    flags: [st.active && "active", st.suspended && "suspended"].filter(Boolean).join(", "),
  };
}

/** Why `key` (a request, or an activity entry) is not available: "ID: description". */
export function reason(why) {
  return why && why.id ? why.id + ": " + (why.message || "") : "";
}

export function createSeqPanel({ root, session, shim }) {
  const view = root.querySelector(".seq-view");
  let rendered = -1;

  function requestWhy(nav, key) {
    const given = nav.why && nav.why[key];
    if (given) return reason(given);
    const refused = shim.course.accepts(key);
    if (refused) return reason(refused);
    return "accepted by the navigation request process (NB.2.1), but the look-ahead finds nothing it would deliver";
  }

  function render() {
    if (rendered === session.version) return;
    rendered = session.version;
    const nav = shim.course.navState();
    if (!nav) return replace(view, el("p", { className: "empty" }, "No course is open."));
    const state = shim.course.state();
    const byId = new Map(nav.activities.map((a) => [a.id, a]));
    const last = session.lastNavigation();
    const running = document.documentElement.dataset.activity;
    const parts = [];
    parts.push(el("h3", null, "Last navigation request"));
    parts.push(last
      ? el("p", { className: "last-nav" }, clock(last.time) + " " + last.source + ": " + last.request + " → " +
        (last.outcome.type === "launch" ? "launch " + last.outcome.activityId : last.outcome.type === "error" ? "refused, " + reason(last.outcome) : last.outcome.type))
      : el("p", { className: "empty" }, "None yet."));
    const buttons = REQUESTS.map(([key, label]) => ({ key, label, valid: !!nav[key] }));
    parts.push(table("LMS buttons", [
      { key: "label", label: "Button" },
      { key: "valid", label: "Available", render: (b) => (b.valid ? "yes" : "no") },
      { key: "why", label: "Why not", render: (b) => (b.valid || !running ? (running ? "" : "no activity is running") : requestWhy(nav, b.key)) },
    ], buttons, { className: "buttons" }));
    if (state) {
      const depth = new Map();
      const rows = state.activities.map((a, i) => {
        const d = a.parent === null ? 0 : (depth.get(a.parent) || 0) + 1;
        depth.set(i, d);
        const n = byId.get(a.id) || {};
        const t = trackingWords(a.state);
        const available = n.selectable && n.enabled;
        const why = available ? "" : reason(n.why) || (n.enabled === false ? "disabled (a precondition rule; see the import report)" : i === 0 ? "" : "not selectable now");
        return { ...t, id: a.id, title: a.title, depth: d, toc: i === 0 ? "" : available ? "can be chosen" : why, hidden: n.visible === false };
      });
      parts.push(table("Activity tree", [
        { key: "title", label: "Activity", render: (r) => el("span", { className: "indent", style: "padding-left:" + r.depth * 1.2 + "em" }, r.title + (r.hidden ? " (hidden)" : "")) },
        { key: "attempts", label: "Attempts", className: "num" },
        { key: "completion", label: "Completion" },
        { key: "success", label: "Success" },
        { key: "measure", label: "Score (scaled)", className: "num" },
        { key: "progress", label: "Progress", className: "num" },
        { key: "flags", label: "State" },
        { key: "toc", label: "Table of contents" },
      ], rows, { className: "activities" }));
      const globals = Object.entries(state.globals).map(([id, o]) => ({
        id,
        satisfied: o.progressStatus ? (o.satisfiedStatus ? "satisfied" : "not satisfied") : "unknown",
        measure: o.measureStatus ? num(o.normalizedMeasure || 0) : "",
        completion: o.completionStatus === undefined || o.completionStatus === null ? "unknown" : o.completionStatus ? "completed" : "incomplete",
        progress: num(o.progressMeasure),
      }));
      parts.push(table("Global objectives", [
        { key: "id", label: "Objective", className: "mono" },
        { key: "satisfied", label: "Satisfaction" },
        { key: "measure", label: "Score (scaled)", className: "num" },
        { key: "completion", label: "Completion" },
        { key: "progress", label: "Progress", className: "num" },
      ], globals, { empty: "No global objectives have been written yet." }));
      parts.push(el("p", { className: "note" }, "Current activity: " + (state.current || "none") + "; suspended activity: " + (state.suspended || "none") + "."));
    } else {
      parts.push(el("p", { className: "note" }, "A SCORM 1.2 package has no sequencing: every SCO can be chosen; statuses come from each SCO's lesson_status."));
      parts.push(table("SCOs", [
        { key: "title", label: "SCO" },
        { key: "completion", label: "Completion" },
        { key: "success", label: "Success" },
      ], nav.activities.filter((a) => a.depth > 0), {}));
    }
    replace(view, parts);
  }

  return { render };
}
