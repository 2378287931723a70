// The content frame: launches what the sequencer delivers, after checking
// that the page exists (a file missing from the package is said in words,
// not shown as a bare "not found" in the frame), and shows the course's own
// messages in its place when nothing runs.

/**
 * Is `url` there? Resolves with null when it is, or with {status, text}
 * saying why not. HEAD first; servers that refuse HEAD get a GET.
 */
export async function probe(url) {
  const ask = (method) => fetch(url, { method, cache: "no-store", credentials: "same-origin" });
  try {
    let res = await ask("HEAD");
    if (res.status === 405 || res.status === 501) res = await ask("GET");
    if (res.ok) return null;
    return { status: res.status, text: res.statusText || "" };
  } catch (e) {
    return { status: 0, text: String(e && e.message ? e.message : e) };
  }
}

export function createContent(frame, panel, title, text, actions) {
  function showFrame() {
    panel.hidden = true;
    frame.hidden = false;
  }

  /** Show a message instead of the frame: {title, text, actions: [{label, run}]}. */
  function showMessage(m) {
    frame.hidden = true;
    panel.hidden = false;
    title.textContent = m.title || "";
    text.textContent = m.text || "";
    actions.textContent = "";
    for (const a of m.actions || []) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = a.label;
      b.addEventListener("click", () => a.run());
      actions.appendChild(b);
    }
  }

  function blank() {
    if (frame.src !== "about:blank") frame.src = "about:blank";
  }

  return { showFrame, showMessage, blank, frame };
}
