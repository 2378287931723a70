// The page's message region: every error a user needs to see is here, in
// words, with the technical detail one click away (never only in the
// console). Bounded: the last 20 messages.
import { el } from "./dom.js";

const MAX = 20;
let region = null;

export function initMessages(node) {
  region = node;
}

function add(kind, text, detail) {
  if (!region) return;
  const item = el("div", { className: "message " + kind, attrs: { role: kind === "error" ? "alert" : "status" } },
    el("p", null, text),
    detail ? el("details", null, el("summary", null, "Technical detail"), el("pre", null, String(detail))) : null,
    el("button", { type: "button", className: "dismiss", onclick: () => item.remove(), attrs: { "aria-label": "Dismiss this message" } }, "Dismiss"));
  region.prepend(item);
  while (region.children.length > MAX) region.lastChild.remove();
  return item;
}

/** Show an error: a PackageError/Error (its message, id and detail) or text. */
export function showError(e, context) {
  const message = e && e.message ? e.message : String(e);
  const detail = [e && e.id ? "id: " + e.id : "", e && e.detail ? e.detail : "", e && e.stack && !e.detail ? e.stack : ""].filter(Boolean).join("\n");
  return add("error", (context ? context + ": " : "") + message, detail);
}

export function showInfo(text, detail) {
  return add("info", text, detail);
}

export function clearMessages() {
  if (region) region.textContent = "";
}
