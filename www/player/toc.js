// The table of contents from the sequencer's look-ahead (navState): an
// entry per visible activity; launchable ones are buttons, the ones that
// cannot be chosen now are marked unavailable (focusable, with the reason
// when the navigation state gives one), clusters are headings (buttons
// too when a choice of them is valid).
import { statusText, whyTooltip, whyWords } from "./words.js";

/**
 * @param {HTMLElement} list the <ul>
 * @param {object} nav navState()
 * @param {Set<string>} launchable ids of activities that launch something
 * @param {{choose: (id: string) => void, explain: (title: string, why: string, detail: string) => void}} on
 */
export function renderToc(list, nav, launchable, on) {
  const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
  list.textContent = "";
  // containers[d] holds the entries of depth d + 1
  const containers = [list];
  let n = 0;
  for (const a of nav.activities) {
    if (a.depth === 0) continue; // the organization itself is the course title
    containers.length = Math.min(containers.length, a.depth);
    const parent = containers[containers.length - 1];
    if (!a.visible) {
      // Hidden entry: its children (if shown) go where it would have been.
      containers.push(parent);
      continue;
    }
    const li = document.createElement("li");
    const status = statusText(a);
    let entry;
    if (launchable.has(a.id)) {
      entry = document.createElement("button");
      entry.type = "button";
      entry.className = "entry";
      entry.dataset.id = a.id;
      const { words: why, detail } = whyWords(a.why);
      if (a.selectable && a.enabled) {
        entry.addEventListener("click", () => on.choose(a.id));
      } else {
        entry.setAttribute("aria-disabled", "true");
        entry.classList.add("unavailable");
        const reason = why || "Not available now.";
        entry.addEventListener("click", () => on.explain(a.title, reason, detail));
        if (why) {
          const id = "why-" + ++n;
          const w = document.createElement("span");
          w.id = id;
          // Said under the entry itself; for the entries of a closed part,
          // only to assistive technology and as a tooltip (the part says it).
          // The same reason as the entry before it (the questions of a part
          // that is not chosen from the menu) is said once.
          const repeated = parent.lastElementChild && parent.lastElementChild.dataset.whyText === why;
          w.className = repeated || /^Not available yet: it belongs to/.test(why) ? "why sr-only" : "why";
          w.textContent = why;
          li.dataset.whyText = why;
          entry.setAttribute("aria-describedby", id);
          entry.title = whyTooltip(why, detail);
          li.dataset.why = "1";
          li.appendChild(w);
        }
      }
      if (a.active) entry.setAttribute("aria-current", "step");
    } else if (a.selectable && a.enabled) {
      // A part of the course that may be chosen (the sequencer then delivers
      // the activity its rules lead to): a heading that is also a button.
      entry = document.createElement("button");
      entry.type = "button";
      entry.className = "entry cluster";
      entry.dataset.id = a.id;
      entry.addEventListener("click", () => on.choose(a.id));
      if (a.active) entry.setAttribute("aria-current", "step");
    } else {
      entry = document.createElement("span");
      entry.className = "cluster";
    }
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = a.title || a.id;
    entry.appendChild(label);
    const shownStatus = status || (entry.getAttribute("aria-disabled") === "true" ? "not available" : "");
    if (shownStatus) {
      const st = document.createElement("span");
      st.className = "status status-" + shownStatus.replace(" ", "-");
      st.textContent = shownStatus;
      entry.appendChild(st);
    }
    li.insertBefore(entry, li.firstChild);
    li.dataset.id = a.id;
    if (a.active) li.classList.add("current");
    if (a.suspended) li.classList.add("suspended");
    parent.appendChild(li);
    const ul = document.createElement("ul");
    li.appendChild(ul);
    containers.push(ul);
  }
  // Empty child lists are noise for screen readers.
  list.querySelectorAll("ul:empty").forEach((ul) => ul.remove());
  if (focused) {
    const again = list.querySelector(`[data-id="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}
