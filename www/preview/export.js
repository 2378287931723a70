// Export the whole session: calls, data model, sequencing trace, content
// check, import report and settings, as JSON and as one self-contained,
// readable HTML file to attach to a bug report. The HTML is built with DOM
// calls and textContent (nothing from the course is ever parsed as markup).
import { explain } from "./explain.js";

export const FORMAT = "scorm-shim-preview-session/1";

/** Everything the debugger knows, as plain data. */
export function sessionData({ session, shim, info, report, settings, version }) {
  const cur = session.current;
  const scos = session.scos().map((s) => ({
    id: s.id,
    title: s.title,
    dataModel: cur && cur.sco === s.id ? shim.dataModel()[cur.api] : s.last,
    committed: Object.fromEntries(s.committed),
    notCommitted: Object.fromEntries(s.sinceCommit),
  }));
  return {
    format: FORMAT,
    exportedAt: new Date().toISOString(),
    tool: "scorm-shim author preview " + (version || ""),
    userAgent: navigator.userAgent,
    package: info,
    settings,
    importReport: report,
    calls: {
      total: session.total,
      dropped: session.dropped,
      list: session.calls().map((c) => ({ ...c, explanation: c.error !== "0" ? explain(c.api, c.error, c.diagnostic).text : undefined })),
    },
    scoSessions: session.scoSessions(),
    running: cur,
    scos,
    sequencing: {
      state: shim.course.state(),
      navState: shim.course.navState(),
      trace: session.nav(),
    },
  };
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function fileName(data, ext) {
  const base = String((data.package && data.package.name) || "session").replace(/\.zip$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-");
  return base + "-preview-" + data.exportedAt.replace(/[:.]/g, "-") + "." + ext;
}

export function exportJson(data) {
  download(fileName(data, "json"), new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330}h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid #ccd;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#eef}caption{text-align:left;font-weight:600;padding:.3rem 0}.err td{background:#fdecec}.mono,td.mono{font-family:ui-monospace,monospace;word-break:break-all}
.error{color:#a40000;font-weight:600}.warning{color:#7a4d00;font-weight:600}pre{white-space:pre-wrap;word-break:break-all;background:#f5f5f8;padding:.5rem}`;

/** The readable report, as a complete HTML document (a string). */
export function htmlReport(data, rowsShown = 2000) {
  const doc = document.implementation.createHTMLDocument("Preview session: " + ((data.package && data.package.name) || ""));
  const meta = doc.createElement("meta");
  meta.setAttribute("charset", "utf-8");
  doc.head.prepend(meta);
  doc.documentElement.lang = "en";
  const style = doc.createElement("style");
  style.textContent = CSS;
  doc.head.appendChild(style);
  const E = (tag, text, cls) => {
    const e = doc.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const tbl = (caption, head, rows, rowCls) => {
    const t = E("table");
    t.appendChild(E("caption", caption));
    const tr = E("tr");
    for (const h of head) { const th = E("th", h); th.setAttribute("scope", "col"); tr.appendChild(th); }
    t.appendChild(E("thead")).appendChild(tr);
    const tb = t.appendChild(E("tbody"));
    rows.forEach((r, i) => {
      const row = tb.appendChild(E("tr", null, rowCls ? rowCls(i) : ""));
      for (const c of r) row.appendChild(E("td", c));
    });
    return t;
  };
  const b = doc.body;
  const main = b.appendChild(E("main"));
  main.appendChild(E("h1", "Preview session: " + ((data.package && data.package.name) || "")));
  main.appendChild(E("p", data.tool + " — exported " + data.exportedAt + " — " + data.userAgent));
  const r = data.importReport || {};
  main.appendChild(E("h2", "Package"));
  main.appendChild(tbl("Package", ["Field", "Value"], [
    ["Name", data.package && data.package.name], ["SCORM version", r.version || ""], ["Title", r.title || ""],
    ["Identifier", r.identifier || ""], ["Files", data.package && data.package.fileCount],
    ["Learner", data.settings.learnerId + " (" + data.settings.learnerName + ")"], ["Credit / mode", data.settings.credit + " / " + data.settings.mode],
    ["LMS profile", data.settings.profile],
  ]));
  main.appendChild(E("h2", "Import report"));
  main.appendChild(tbl("Manifest errors and warnings", ["Severity", "Line", "Column", "Element", "Message"], (r.problems || []).map((p) => [p.severity, p.line, p.column, p.element, p.message])));
  main.appendChild(tbl("Missing files", ["File", "Referenced by"], (r.missing || []).map((m) => [m.path, m.resources.join(", ")])));
  main.appendChild(tbl("Unreferenced files", ["File", "Note"], (r.unreferenced || []).map((u) => [u.path, u.note])));
  for (const s of r.sequencing || []) {
    main.appendChild(E("h3", s.title + " (" + s.id + ")"));
    const ul = main.appendChild(E("ul"));
    for (const w of s.rules) ul.appendChild(E("li", w));
  }
  main.appendChild(E("h2", "Content check"));
  for (const s of data.scoSessions) {
    main.appendChild(E("h3", s.title + " (" + s.sco + "): " + s.callCount + " calls"));
    if (!s.findings.length) main.appendChild(E("p", "No problems found."));
    else main.appendChild(tbl("Findings", ["Severity", "Check", "What was found", "Calls"], s.findings.map((f) => [f.severity, f.title, f.message, f.calls.map((i) => "#" + (i + 1)).join(", ")])));
  }
  main.appendChild(E("h2", "Sequencing"));
  main.appendChild(tbl("Navigation trace", ["Time", "Source", "Request", "Outcome"], data.sequencing.trace.map((n) => [new Date(n.time).toISOString(), n.source, n.request,
    n.outcome.type === "launch" ? "launch " + n.outcome.activityId : n.outcome.type === "error" ? n.outcome.id + ": " + n.outcome.message : n.outcome.type])));
  if (data.sequencing.state) {
    main.appendChild(tbl("Activities", ["Activity", "Attempts", "State"], data.sequencing.state.activities.map((a) => [a.title + " (" + a.id + ")", a.state.attemptCount || 0, JSON.stringify(a.state)])));
    main.appendChild(tbl("Global objectives", ["Objective", "State"], Object.entries(data.sequencing.state.globals).map(([k, v]) => [k, JSON.stringify(v)])));
  }
  main.appendChild(E("h2", "Data model"));
  for (const s of data.scos) {
    main.appendChild(E("h3", s.title + " (" + s.id + ")"));
    if (s.dataModel) main.appendChild(tbl("Data model of " + s.id, ["Element", "Value"], s.dataModel.elements.map(([k, v]) => [k, v])));
  }
  main.appendChild(E("h2", "API calls"));
  const list = data.calls.list;
  const shown = list.slice(-rowsShown);
  main.appendChild(E("p", data.calls.total + " calls" + (data.calls.dropped ? "; the first " + data.calls.dropped + " were not kept" : "") + (shown.length < list.length ? "; the last " + shown.length + " are listed here, all " + list.length + " kept ones in the JSON export" : "") + "."));
  main.appendChild(tbl("Calls", ["#", "Time", "SCO", "Method", "Arguments", "Result", "Error", "Explanation"],
    shown.map((c) => [c.i + 1, new Date(c.t).toISOString().slice(11, 23), c.sco, c.method, c.args.map((a) => JSON.stringify(a)).join(", "), JSON.stringify(c.result), c.error, c.explanation || ""]),
    (i) => (shown[i].error !== "0" ? "err" : "")));
  return "<!doctype html>\n" + doc.documentElement.outerHTML;
}

export function exportHtml(data) {
  download(fileName(data, "html"), new Blob([htmlReport(data)], { type: "text/html;charset=utf-8" }));
}
