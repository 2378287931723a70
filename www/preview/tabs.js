// Accessible tabs (WAI-ARIA tabs pattern): buttons with role="tab" in a
// role="tablist", arrow keys, Home and End move between them.
export function initTabs(root, onSelect) {
  const list = root.querySelector("[role=tablist]");
  const tabs = Array.from(list.querySelectorAll("[role=tab]"));
  let current = tabs[0].dataset.tab;

  function select(name, focus) {
    for (const t of tabs) {
      const on = t.dataset.tab === name;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls"));
      panel.hidden = !on;
      if (on && focus) t.focus();
    }
    current = name;
    if (onSelect) onSelect(name);
  }

  for (const t of tabs) t.addEventListener("click", () => select(t.dataset.tab));
  list.addEventListener("keydown", (ev) => {
    const i = tabs.findIndex((t) => t.dataset.tab === current);
    let j = null;
    if (ev.key === "ArrowRight") j = (i + 1) % tabs.length;
    else if (ev.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
    else if (ev.key === "Home") j = 0;
    else if (ev.key === "End") j = tabs.length - 1;
    if (j === null) return;
    ev.preventDefault();
    select(tabs[j].dataset.tab, true);
  });
  select(current);
  return { select: (name) => select(name), current: () => current };
}
