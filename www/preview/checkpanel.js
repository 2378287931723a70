// The content check panel: for every finished SCO session, the problems
// found in its calls (checks.js), most severe first, with the calls they
// point at.
import { el, replace, table, clock } from "./dom.js";

export function createCheckPanel({ root, session }) {
  const view = root.querySelector(".check-view");
  let rendered = -1;

  function render() {
    if (rendered === session.version) return;
    rendered = session.version;
    const sessions = session.scoSessions().slice().reverse();
    const cur = session.current;
    const parts = [];
    if (cur) parts.push(el("p", { className: "note" }, "“" + cur.title + "” is running (" + cur.calls + " calls so far): its check runs when it is unloaded."));
    if (!sessions.length) parts.push(el("p", { className: "empty" }, "No SCO session has ended yet."));
    for (const s of sessions) {
      const errors = s.findings.filter((f) => f.severity === "error").length;
      const warnings = s.findings.filter((f) => f.severity === "warning").length;
      parts.push(el("section", { className: "check-session", dataset: { sco: s.sco } },
        el("h3", null, s.title + " (" + s.sco + "), " + clock(s.start) + "–" + clock(s.end) + ": " + s.callCount + " calls, " +
          (s.findings.length ? errors + " error" + (errors === 1 ? "" : "s") + ", " + warnings + " warning" + (warnings === 1 ? "" : "s") : "no problems found")),
        s.findings.length ? table("Content check of " + s.sco, [
          { key: "severity", label: "Severity", render: (f) => el("span", { className: "sev " + f.severity }, f.severity) },
          { key: "title", label: "Check" },
          { key: "message", label: "What was found" },
          { key: "calls", label: "Calls", render: (f) => f.calls.map((i) => "#" + (i + 1)).join(", ") },
        ], s.findings, { className: "findings", rowClass: (f) => f.severity }) : null));
    }
    replace(view, parts);
  }

  return { render };
}
