// The data model inspector: every element's current value for the SCO
// running now (live, from Shim.dataModel) or as each earlier SCO left it,
// what changed since its last commit, and suspend_data raw and, where it
// parses, as JSON.
import { el, replace, table, cut } from "./dom.js";

export function createInspector({ root, session, shim }) {
  const scoSel = root.querySelector("[name=sco]");
  const view = root.querySelector(".inspector-view");
  let rendered = -1;
  let scoList = "";

  scoSel.addEventListener("input", () => { rendered = -1; render(); });

  function model(id) {
    const cur = session.current;
    if (cur && cur.sco === id) {
      const all = shim.dataModel();
      return { live: true, api: cur.api, ...all[cur.api] };
    }
    const s = session.sco(id);
    const api = s && s.sessions.length ? s.sessions[s.sessions.length - 1].api : "";
    return s && s.last ? { live: false, api, ...s.last } : null;
  }

  function suspendView(value) {
    let parsed = null;
    try {
      const v = JSON.parse(value);
      if (v && typeof v === "object") parsed = JSON.stringify(v, null, 2);
    } catch { /* not JSON */ }
    return el("section", { className: "suspend" },
      el("h4", null, "suspend_data (" + value.length.toLocaleString("en") + " characters)"),
      el("pre", { className: "raw", attrs: { tabindex: "0", "aria-label": "suspend_data as stored" } }, value),
      parsed !== null
        ? [el("h4", null, "suspend_data as JSON"), el("pre", { className: "json", attrs: { tabindex: "0", "aria-label": "suspend_data parsed as JSON" } }, parsed)]
        : el("p", { className: "note" }, "Not JSON (compressed or a tool's own format): shown raw only."));
  }

  function render() {
    if (rendered === session.version) return;
    rendered = session.version;
    const scos = session.scos();
    const key = scos.map((s) => s.id).join("\n");
    if (key !== scoList) {
      scoList = key;
      const chosen = scoSel.value;
      replace(scoSel, scos.map((s) => el("option", { value: s.id }, s.title + " (" + s.id + ")")));
      if (scos.some((s) => s.id === chosen)) scoSel.value = chosen;
    }
    const cur = session.current;
    const id = scoSel.value || (cur ? cur.sco : scos.length ? scos[scos.length - 1].id : "");
    if (!scoSel.value && id) scoSel.value = id;
    const m = id ? model(id) : null;
    if (!m) return replace(view, el("p", { className: "empty" }, "No SCO has run yet."));
    const s = session.sco(id);
    const rows = m.elements.map(([name, value]) => {
      const pending = s && s.sinceCommit.has(name) && s.committed.get(name) !== value;
      return { name, value, changed: pending };
    });
    const changed = rows.filter((r) => r.changed).length;
    const suspend = rows.find((r) => r.name === "cmi.suspend_data");
    replace(view,
      el("p", { className: "summary" },
        (m.live ? "Live: " : "As the SCO left it: ") + "SCORM " + m.api + " API " + m.state + ", " + rows.length + " elements; " +
        (changed ? changed + " changed since the last commit (marked)." : "nothing changed since the last commit.")),
      table("Data model of " + id, [
        { key: "name", label: "Element", className: "mono" },
        { key: "value", label: "Value", className: "mono", render: (r) => cut(r.value, 300) },
        { key: "changed", label: "Since last commit", render: (r) => (r.changed ? "changed, not committed" : "") },
      ], rows, { rowClass: (r) => (r.changed ? "changed" : ""), className: "data-model" }),
      suspend && suspend.value ? suspendView(suspend.value) : null);
  }

  return { render };
}
