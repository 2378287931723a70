// The import report panel: what the manifest says and what the package
// holds, before anything plays (report-model.js builds it).
import { el, replace, table } from "./dom.js";
import { formatBytes } from "../lib/package-rules.js";

const UNREFERENCED_SHOWN = 200;

export function renderReport(root, report, info) {
  const parts = [];
  if (!report.ok) {
    const e = report.error;
    parts.push(el("p", { className: "fatal", attrs: { role: "alert" } },
      "This package cannot be played: imsmanifest.xml" + (e.line ? ", line " + e.line + ", column " + e.column : "") + (e.element ? ", <" + e.element + ">" : "") + ": " + e.message));
  }
  const dl = el("dl", { className: "summary" });
  const item = (k, v) => { if (v !== undefined && v !== null && v !== "") dl.append(el("dt", null, k), el("dd", null, String(v))); };
  item("Package", info.name);
  item("Stored", formatBytes(info.bytes) + (info.kind === "zip" ? " zip, " + formatBytes(info.totalBytes) + " inflated" : "") + ", " + info.fileCount + " files");
  if (info.source && info.source.url) item("From", info.source.url);
  if (report.ok) {
    item("SCORM version", report.version + (report.schemaVersion && report.schemaVersion !== report.version ? " (schemaversion “" + report.schemaVersion + "”)" : ""));
    item("Title", report.title);
    item("Identifier", report.identifier);
    item("SCOs", report.scoCount + " of " + (report.activities.length - 1) + " items");
  }
  parts.push(dl);
  if (info.ignored && info.ignored.length) parts.push(el("p", { className: "note" }, info.ignored.length + " file(s) that operating systems add (__MACOSX, .DS_Store) were left out."));
  if (report.ok) {
    parts.push(table("Organizations", [
      { key: "identifier", label: "Identifier", className: "mono" },
      { key: "title", label: "Title" },
      { key: "itemCount", label: "Items", className: "num" },
      { key: "delivered", label: "Played", render: (o) => (o.delivered ? "yes" : "") + (o.isDefault ? " (default)" : "") },
    ], report.organizations));
    parts.push(table("Activities and launch URLs", [
      { key: "title", label: "Item", render: (a) => el("span", { style: "padding-left:" + a.depth * 1.2 + "em" }, a.title) },
      { key: "id", label: "Identifier", className: "mono" },
      { key: "isSco", label: "Type", render: (a) => (a.href ? (a.isSco ? "SCO" : "asset") : a.depth === 0 ? "organization" : "cluster") },
      { key: "href", label: "Launch URL", className: "mono" },
    ], report.activities));
  }
  parts.push(table("Manifest errors and warnings", [
    { key: "severity", label: "Severity", render: (p) => el("span", { className: "sev " + p.severity }, p.severity) },
    { key: "line", label: "Line", className: "num", render: (p) => (p.line ? String(p.line) : "") },
    { key: "column", label: "Column", className: "num", render: (p) => (p.column ? String(p.column) : "") },
    { key: "element", label: "Element", className: "mono" },
    { key: "message", label: "Message" },
  ], report.problems, { className: "problems", empty: "The manifest has no errors or warnings." }));
  parts.push(table("Files the manifest references that the package lacks", [
    { key: "path", label: "File", className: "mono" },
    { key: "resources", label: "Referenced by", render: (m) => m.resources.join(", ") },
    { key: "hint", label: "Note" },
  ], report.missing, { className: "missing", empty: "Every file the manifest references is in the package." }));
  if (info.source && info.source.missing && info.source.missing.length) {
    parts.push(el("p", { className: "note" }, info.source.missing.length + " listed file(s) could not be downloaded: " + info.source.missing.slice(0, 20).join(", ")));
  }
  const un = report.unreferenced;
  parts.push(table("Files in the package that the manifest does not reference (information)", [
    { key: "path", label: "File", className: "mono" },
    { key: "note", label: "Note" },
  ], un.slice(0, UNREFERENCED_SHOWN), { className: "unreferenced", empty: "None." }));
  if (un.length > UNREFERENCED_SHOWN) parts.push(el("p", { className: "note" }, "… and " + (un.length - UNREFERENCED_SHOWN) + " more (all in the exported report). Many packages list only their launch files; content loads the others."));
  parts.push(el("h3", null, "Sequencing rules"));
  if (!report.sequencing.length) parts.push(el("p", { className: "empty" }, report.ok ? "No sequencing beyond the defaults: the learner chooses any activity." : "—"));
  for (const s of report.sequencing) {
    parts.push(el("section", { className: "rules" },
      el("h4", null, s.title + " (" + s.id + ")"),
      el("ul", null, s.rules.map((r) => el("li", null, r)))));
  }
  replace(root, parts);
}
