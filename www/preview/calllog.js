// The call log panel: the last calls (newest first) with time, SCO, method,
// arguments, result, error code and, for every error, which rule refused
// it in plain words. Filters: errors only, one element, one SCO. Shows at
// most ROWS rows; the session keeps more (the export has them).
import { el, replace, clock, cut } from "./dom.js";

export const ROWS = 300;

export function createCallLog({ root, session }) {
  const errorsOnly = root.querySelector("[name=errorsOnly]");
  const element = root.querySelector("[name=element]");
  const scoSel = root.querySelector("[name=sco]");
  const body = root.querySelector("tbody");
  const count = root.querySelector(".count");
  let rendered = -1;
  let scoList = "";

  for (const c of [errorsOnly, element, scoSel]) c.addEventListener("input", () => { rendered = -1; render(); });

  function matches(call, f) {
    if (f.errors && call.error === "0") return false;
    if (f.sco && call.sco !== f.sco) return false;
    if (f.element && !(call.args[0] || "").startsWith(f.element)) return false;
    return true;
  }

  function row(call) {
    const why = call.error !== "0" ? session.explain(call) : null;
    return el("tr", { className: call.error !== "0" ? "err" : "", dataset: { i: String(call.i) } },
      el("td", { className: "num" }, String(call.i + 1)),
      el("td", null, clock(call.t)),
      el("td", null, call.sco),
      el("td", { className: "method" }, call.method),
      el("td", { className: "args" }, call.args.map((a) => JSON.stringify(cut(a, 200))).join(", ")),
      el("td", { className: "result" }, JSON.stringify(cut(call.result, 200))),
      el("td", { className: "code" }, call.error),
      el("td", { className: "why" }, why ? why.text : ""));
  }

  function syncScos() {
    const ids = session.scos().map((s) => s.id);
    const key = ids.join("\n");
    if (key === scoList) return;
    scoList = key;
    const chosen = scoSel.value;
    replace(scoSel, el("option", { value: "" }, "All SCOs"), session.scos().map((s) => el("option", { value: s.id }, s.title + " (" + s.id + ")")));
    scoSel.value = ids.includes(chosen) ? chosen : "";
  }

  function render() {
    if (rendered === session.version) return;
    rendered = session.version;
    syncScos();
    const f = { errors: errorsOnly.checked, element: element.value.trim(), sco: scoSel.value };
    const rows = [];
    let matched = 0;
    session.eachNewest((call) => {
      if (!matches(call, f)) return true;
      matched++;
      if (rows.length < ROWS) rows.push(row(call));
      return true;
    });
    replace(body, rows);
    const filtered = f.errors || f.element || f.sco;
    count.textContent = session.total.toLocaleString("en") + " calls" +
      (filtered ? ", " + matched.toLocaleString("en") + " matching" : "") +
      (rows.length < matched ? "; showing the newest " + rows.length : "") +
      (session.dropped ? "; the oldest " + session.dropped.toLocaleString("en") + " are no longer kept (the export keeps the last " + session.kept.toLocaleString("en") + ")" : "") + ".";
  }

  return { render };
}
