// The call log: every API call the running SCO makes, for course authors.
// Bounded to the last MAX calls; the panel is collapsible.
const MAX = 200;

export function createCallLog(list, counter, panel, toggle) {
  let total = 0;

  function add(e) {
    total++;
    const li = document.createElement("li");
    li.textContent = e.method + "(" + e.args.map((a) => JSON.stringify(a)).join(", ") + ") → " +
      JSON.stringify(e.result) + (e.error !== "0" ? "  [error " + e.error + "]" : "");
    if (e.error !== "0") li.className = "err";
    list.appendChild(li);
    while (list.childElementCount > MAX) list.firstElementChild.remove();
    counter.textContent = total > MAX ? `(last ${MAX} of ${total})` : `(${total})`;
    if (!panel.hidden) li.scrollIntoView({ block: "nearest" });
  }

  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    document.documentElement.dataset.log = open ? "open" : "closed";
  }
  toggle.addEventListener("click", () => setOpen(panel.hidden));
  setOpen(false);

  return { add, setOpen };
}
