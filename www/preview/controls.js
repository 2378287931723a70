// Author controls: learner id and name, credit, mode, LMS profile; apply
// and relaunch, relaunch (resume), reset the learner's data, export.
// Settings are kept in this browser (localStorage) between visits.
import { el, replace } from "./dom.js";
import { PROFILES, profile } from "./checks.js";

const KEY = "scorm-preview:settings";
export const DEFAULTS = { learnerId: "author", learnerName: "Author, Preview", credit: "credit", mode: "normal", profile: "lenient" };

export function loadSettings() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || "{}");
    return { ...DEFAULTS, ...s };
  } catch {
    return { ...DEFAULTS };
  }
}

function saveSettings(s) {
  try { localStorage.setItem(KEY, JSON.stringify(s)); } catch { /* private mode: settings last for this visit */ }
}

/** The shim configuration of `settings` (see README, Configuration). */
export function configOf(s) {
  return { learnerId: s.learnerId, learnerName: s.learnerName, credit: s.credit, mode: s.mode, ...profile(s.profile).config };
}

export function createControls({ root, onApply, onRelaunch, onReset, onExportJson, onExportHtml }) {
  const form = root;
  const sel = form.querySelector("select[name=profile]");
  replace(sel, PROFILES.map((p) => el("option", { value: p.id }, p.label)));
  let settings = loadSettings();
  for (const k of Object.keys(DEFAULTS)) if (form.elements[k]) form.elements[k].value = settings[k];

  function read() {
    const s = {};
    for (const k of Object.keys(DEFAULTS)) s[k] = form.elements[k].value.trim() || DEFAULTS[k];
    return s;
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    settings = read();
    saveSettings(settings);
    onApply(settings);
  });
  const actions = { relaunch: onRelaunch, reset: onReset, json: onExportJson, html: onExportHtml };
  for (const b of form.querySelectorAll("button[data-action]")) b.addEventListener("click", () => actions[b.dataset.action]());

  return {
    get settings() { return settings; },
    setEnabled(on) {
      for (const b of form.querySelectorAll("button")) b.disabled = !on;
    },
  };
}
