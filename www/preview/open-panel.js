// Opening a package: drop a zip (or a folder) anywhere on the page, choose
// a zip or a folder, or give a URL of a zip or of an imsmanifest.xml; and
// the packages already stored in this browser. Each import goes into the
// package store (www/lib/package-store.js); nothing is uploaded.
import { el, replace, table } from "./dom.js";
import { formatBytes } from "../lib/package-rules.js";
import { showError } from "./messages.js";

/** Files of a dropped folder, by walking its entries: [{path, file}]. */
async function entriesOf(items) {
  const out = [];
  const walkEntry = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ path: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walkEntry(e, prefix + entry.name + "/");
      }
    }
  };
  for (const it of items) await walkEntry(it, "");
  return out;
}

export function createOpenPanel({ root, store, listFiles, onOpen, beforeImport }) {
  const zipInput = root.querySelector("input[name=zip]");
  const dirInput = root.querySelector("input[name=folder]");
  const urlForm = root.querySelector("form.url");
  const urlInput = urlForm.querySelector("input[name=url]");
  const progress = root.querySelector("progress");
  const progressText = root.querySelector(".progress-text");
  const list = root.querySelector(".stored");
  const drop = root.querySelector(".drop");
  let busy = false;

  function showProgress(p) {
    progress.hidden = false;
    if (p.total) { progress.max = p.total; progress.value = p.bytes; } else progress.removeAttribute("value");
    progressText.textContent = (p.phase === "download" ? "Downloading " : "Storing ") + formatBytes(p.bytes || 0) +
      (p.total ? " of " + formatBytes(p.total) : "") + (p.fileCount ? ", file " + (p.files + 1) + " of " + p.fileCount : "") + "…";
  }

  function done() {
    progress.hidden = true;
    progressText.textContent = "";
    busy = false;
    root.removeAttribute("aria-busy");
  }

  async function run(label, task) {
    if (busy) return showError("another package is being imported; wait for it to finish");
    busy = true;
    root.setAttribute("aria-busy", "true");
    progressText.textContent = "Reading " + label + "…";
    document.documentElement.dataset.import = "busy";
    try {
      if (beforeImport) await beforeImport();
      const t0 = performance.now();
      const result = await task();
      result.importMs = performance.now() - t0;
      done();
      await refresh();
      await onOpen(result);
      document.documentElement.dataset.import = "done";
    } catch (e) {
      done();
      document.documentElement.dataset.import = "failed";
      document.documentElement.dataset.importError = e && e.id ? e.id : "unexpected";
      showError(e, "“" + label + "” was not opened");
    }
  }

  function importZip(file) {
    return run(file.name, () => store.importZip(file, { name: file.name, source: { type: "file" }, onProgress: showProgress }));
  }

  function importFolder(files, name) {
    return run(name, () => store.importFiles(files, { name, source: { type: "folder" }, onProgress: showProgress }));
  }

  zipInput.addEventListener("change", () => {
    const f = zipInput.files[0];
    zipInput.value = "";
    if (f) importZip(f);
  });

  dirInput.addEventListener("change", () => {
    const files = Array.from(dirInput.files).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
    dirInput.value = "";
    if (files.length) importFolder(files, files[0].path.split("/")[0] || "folder");
  });

  urlForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const url = urlInput.value.trim();
    if (!url) return;
    run(url, () => store.importUrl(url, { listFiles, onProgress: showProgress }));
  });

  // Drop anywhere on the page; the drop zone shows where.
  document.addEventListener("dragover", (ev) => {
    if (!ev.dataTransfer || !Array.from(ev.dataTransfer.types).includes("Files")) return;
    ev.preventDefault();
    drop.classList.add("over");
  });
  document.addEventListener("dragleave", (ev) => { if (!ev.relatedTarget) drop.classList.remove("over"); });
  document.addEventListener("drop", async (ev) => {
    if (!ev.dataTransfer) return;
    ev.preventDefault();
    drop.classList.remove("over");
    const items = Array.from(ev.dataTransfer.items || []).map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null)).filter(Boolean);
    if (items.length === 1 && items[0].isDirectory) {
      try {
        const files = await entriesOf(items);
        return importFolder(files, items[0].name);
      } catch (e) {
        return showError(e, "the dropped folder could not be read");
      }
    }
    const file = ev.dataTransfer.files[0];
    if (!file) return showError("nothing to open was dropped: drop a .zip file or a folder");
    if (ev.dataTransfer.files.length > 1) return showError("drop one package at a time (a .zip, or the folder that holds imsmanifest.xml)");
    importZip(file);
  });

  async function refresh() {
    let infos;
    try {
      infos = await store.list();
    } catch (e) {
      return showError(e, "the stored packages could not be listed");
    }
    replace(list, table("Packages stored in this browser", [
      { key: "name", label: "Package" },
      { key: "kind", label: "From", render: (p) => (p.source.type === "url" ? "URL" : p.source.type === "folder" ? "folder" : "zip file") },
      { key: "bytes", label: "Size", className: "num", render: (p) => formatBytes(p.bytes) },
      { key: "fileCount", label: "Files", className: "num" },
      { key: "createdAt", label: "Added", render: (p) => new Date(p.createdAt).toLocaleString() },
      { key: "id", label: "Actions", render: (p) => el("span", { className: "actions" },
        el("button", { type: "button", onclick: () => openStored(p.id), attrs: { "aria-label": "Open " + p.name } }, "Open"),
        el("button", { type: "button", onclick: () => removeStored(p), attrs: { "aria-label": "Remove " + p.name } }, "Remove")) },
    ], infos, { className: "stored-table", empty: "No package is stored yet." }));
    return infos;
  }

  async function openStored(id) {
    try {
      const meta = await store.meta(id);
      if (!meta) throw new Error("the package is no longer stored");
      const pkg = await store.open(id);
      const manifestXml = await pkg.text("imsmanifest.xml");
      if (beforeImport) await beforeImport();
      await onOpen({ info: pkg.info, files: meta.files, manifestXml, importMs: 0 });
    } catch (e) {
      showError(e, "the stored package could not be opened");
    }
  }

  let onRemove = null;
  async function removeStored(p) {
    try {
      if (onRemove) await onRemove(p.id);
      await store.remove(p.id);
    } catch (e) {
      showError(e, "the package could not be removed");
    }
    await refresh();
  }

  return {
    refresh,
    openStored,
    importZip,
    set onRemove(f) { onRemove = f; },
  };
}
