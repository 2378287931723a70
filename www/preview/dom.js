// Small DOM helpers for the preview's modules. Text always goes in as
// textContent (never markup from data).

/**
 * `el("td", {className: "x", title: "y", onclick}, "text", childNode, …)`.
 * Attributes: properties set on the element (className, hidden, disabled,
 * value, …), `dataset` (an object), `attrs` (real attributes: aria-*, role,
 * scope), `on*` functions. Children: strings (text) or nodes; null skipped.
 */
export function el(tag, props, ...children) {
  const e = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null) continue;
      if (k === "dataset") Object.assign(e.dataset, v);
      else if (k === "attrs") for (const [a, av] of Object.entries(v)) e.setAttribute(a, String(av));
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else e[k] = v;
    }
  }
  append(e, children);
  return e;
}

function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replace the children of `parent`. */
export function replace(parent, ...children) {
  parent.textContent = "";
  append(parent, children);
  return parent;
}

/**
 * A data table: `columns` [{key, label, className?, render?(row) -> node|string}],
 * `rows` objects. `caption` names it for assistive technology.
 */
export function table(caption, columns, rows, { className, rowClass, empty } = {}) {
  if (!rows.length && empty) return el("p", { className: "empty" }, empty);
  return el("table", { className: className || "" },
    el("caption", null, caption),
    el("thead", null, el("tr", null, columns.map((c) => el("th", { attrs: { scope: "col" }, className: c.className || "" }, c.label)))),
    el("tbody", null, rows.map((r) => el("tr", { className: rowClass ? rowClass(r) || "" : "" },
      columns.map((c) => el("td", { className: c.className || "" }, c.render ? c.render(r) : r[c.key] === undefined || r[c.key] === null ? "" : String(r[c.key])))))));
}

/** A clock time with milliseconds, for logs. */
export function clock(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds()) + "." + p(d.getMilliseconds(), 3);
}

/** `text` cut to `max` characters with an ellipsis. */
export function cut(text, max = 120) {
  const t = String(text);
  return t.length > max ? t.slice(0, max) + "… (" + t.length.toLocaleString("en") + " characters)" : t;
}
