// The page's message region: what went wrong or needs attention, in words a
// learner or an administrator understands, with the technical detail one
// click away. One message per key (a newer one replaces it); at most MAX
// are shown, the oldest non-sticky ones go first.
const MAX = 6;

/**
 * @param {HTMLElement} region
 * @returns {{show: (m: {key: string, level?: "error"|"warning"|"info", title?: string, text: string,
 *   detail?: string, actions?: {label: string, run: () => void}[], sticky?: boolean}) => void,
 *   clear: (key: string) => void, keys: () => string[]}}
 */
export function createMessages(region) {
  const shown = new Map();

  function clear(key) {
    const el = shown.get(key);
    if (el) el.remove();
    shown.delete(key);
  }

  function show({ key, level = "info", title = "", text, detail = "", actions = [], sticky = false }) {
    clear(key);
    const box = document.createElement("div");
    box.className = "msg msg-" + level;
    box.dataset.key = key;
    if (level === "error") box.setAttribute("role", "alert");
    if (title) {
      const t = document.createElement("strong");
      t.textContent = title + " ";
      box.appendChild(t);
    }
    const p = document.createElement("span");
    p.textContent = text;
    box.appendChild(p);
    if (detail) {
      const d = document.createElement("details");
      const s = document.createElement("summary");
      s.textContent = "Details";
      const pre = document.createElement("pre");
      pre.textContent = detail;
      d.append(s, pre);
      box.appendChild(d);
    }
    const bar = document.createElement("div");
    bar.className = "msg-actions";
    for (const a of actions) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = a.label;
      b.addEventListener("click", () => a.run());
      bar.appendChild(b);
    }
    if (!sticky) {
      const close = document.createElement("button");
      close.type = "button";
      close.className = "secondary";
      close.textContent = "Dismiss";
      close.setAttribute("aria-label", "Dismiss this message");
      close.addEventListener("click", () => clear(key));
      bar.appendChild(close);
    }
    if (bar.childNodes.length) box.appendChild(bar);
    box.dataset.sticky = sticky ? "1" : "";
    region.appendChild(box);
    shown.set(key, box);
    // Bounded: drop the oldest messages that may go.
    while (shown.size > MAX) {
      const oldest = [...shown.entries()].find(([, el]) => !el.dataset.sticky) || shown.entries().next().value;
      clear(oldest[0]);
    }
  }

  return { show, clear, keys: () => [...shown.keys()] };
}
