// The course library on this device: courses added by URL (a zip, or an
// imsmanifest.xml) or from a zip file, each with its stored versions, each
// learner's attempt, updates published at its URL, and the packages kept
// until their progress is delivered. The files live in the package store
// (www/lib/package-store.js, shared with the author preview and the service
// worker); this module keeps one record per course beside it. Decisions are
// in www/player/library-rules.js.
//
// OPFS layout:
//   scorm-library/<key>.json   the course's record (below), rewritten whole: a
//                              written file replaces the old one at close()
//   scorm-packages/<id>/…      its versions; meta.json's `extra.library` names the
//                              course, so a record lost in a crash (between the
//                              package's meta.json and its record) or damaged is
//                              rebuilt from the packages
// localStorage "scorm-shim-library" lists the courses' titles and URLs, so the
// page can say which courses the browser evicted along with the files.
//
// Record: {format, key, title, source: {type: "url", url} | {type: "file", name},
//   addedAt, versions: [{packageId, n, title, addedAt, bytes, validators}] (ascending n; `title`:
//   that version's, the record's own `title` is the newest's),
//   attempts: {<learner>: {packageId, n, state: "started" | "suspended" | "ended", at}},
//   played: [{packageId, learner, registration}]  progress that may not be delivered yet,
//   retired: [packageId]   versions no longer offered, kept as their manifest only until delivered,
//   update: {checkedAt, changed, by, error} | null, removed: bool}
//
// Every change goes through `update(key, f)` under the Web Lock
// "scorm-library:<key>" (the library page and a player tab may both write).
import { openStore, PackageError, packageErrorOf } from "../lib/package-store.js";
import {
  compareVersions, entryState, inProgress, keyOfFile, keyOfUrl, nextVersion, registrationFor, KEY_PATTERN,
} from "./library-rules.js";

const DIR = "scorm-library";
const FORMAT = 1;
const CATALOGUE = "scorm-shim-library";

async function libraryDir() {
  const top = await navigator.storage.getDirectory();
  return top.getDirectoryHandle(DIR, { create: true });
}

/** The record of `key`; null when there is none; {damaged: true} when it cannot be read. */
async function readRecord(dir, key) {
  let text;
  try {
    text = await (await (await dir.getFileHandle(key + ".json")).getFile()).text();
  } catch (e) {
    if (e && (e.name === "NotFoundError" || e.name === "TypeError")) return null;
    return { damaged: true, key };
  }
  try {
    const r = JSON.parse(text);
    if (r && r.format === FORMAT && r.key === key && Array.isArray(r.versions)) return r;
  } catch { /* below */ }
  return { damaged: true, key };
}

async function writeRecord(dir, record) {
  const h = await dir.getFileHandle(record.key + ".json", { create: true });
  const w = await h.createWritable();
  try {
    await w.write(JSON.stringify(record));
    await w.close();
  } catch (e) {
    await w.abort().catch(() => {});
    throw packageErrorOf(e);
  }
}

function catalogue() {
  try {
    const c = JSON.parse(localStorage.getItem(CATALOGUE) || "{}");
    return c && typeof c === "object" ? c : {};
  } catch {
    return {};
  }
}

function setCatalogue(key, entry) {
  try {
    const c = catalogue();
    if (entry) c[key] = entry; else delete c[key];
    localStorage.setItem(CATALOGUE, JSON.stringify(c));
  } catch { /* storage full or off: only the eviction notice is lost */ }
}

function emptyRecord(key, title, source) {
  return {
    format: FORMAT, key, title, source, addedAt: new Date().toISOString(),
    versions: [], attempts: {}, played: [], retired: [], update: null, removed: false,
  };
}

/** The title of the default organization (else the manifest identifier) from `course.inspect`'s answer. */
function titleOf(report) {
  const m = report && report.manifest;
  if (!m) return "";
  const orgs = m.organizations || [];
  const org = orgs.find((o) => o.identifier === m.defaultOrganization) || orgs[0];
  return (org && org.title) || m.identifier || "";
}

/** A path of a manifest `href` as the package stores it (query and fragment dropped, decoded, no leading ./). */
export function hrefPath(href) {
  let p = String(href).split(/[?#]/)[0];
  try { p = decodeURIComponent(p); } catch { /* keep it as written */ }
  return p.replace(/^\.\//, "");
}

/**
 * Open the library. `inspect(xml)`: the course engine's manifest reader
 * (`ScormShim.course.inspect`); `learnerId`: whose attempts and progress
 * this page handles; `keepForDelivery`: keep a played version's manifest
 * after it is removed until its progress is delivered (false without a
 * backend: the local data is then the only copy and nothing is sent).
 */
export async function openLibrary({ inspect, learnerId = "learner", keepForDelivery = true, store: given } = {}) {
  const store = given || await openStore();
  const dir = await libraryDir();
  const running = new Map(); // packageId -> AbortController of a download in this page

  function update(key, f) {
    const run = async () => {
      const before = await readRecord(dir, key);
      const record = before && !before.damaged ? before : null;
      const next = await f(record);
      if (next) await writeRecord(dir, next);
      return next;
    };
    return navigator.locks ? navigator.locks.request("scorm-library:" + key, run) : run();
  }

  async function listFiles(xml) {
    const r = await inspect(xml);
    if (r.error) throw new Error("line " + r.error.line + ", column " + r.error.column + ": " + r.error.message);
    return r.manifest.resources.flatMap((res) => [res.href, ...res.files]).filter(Boolean).map(hrefPath);
  }

  async function titleOfXml(xml) {
    try {
      return titleOf(await inspect(xml));
    } catch {
      return "";
    }
  }

  /** Record a complete package as the newest version of course `key`. */
  async function addVersion(key, source, result) {
    const title = (await titleOfXml(result.manifestXml)) || result.info.name;
    const s = result.info.source || {};
    return update(key, (r) => {
      const record = r || emptyRecord(key, title, source);
      record.removed = false;
      if (title) record.title = title;
      if (!record.versions.some((v) => v.packageId === result.info.id)) {
        record.versions.push({
          packageId: result.info.id, n: nextVersion(record), title, addedAt: result.info.createdAt, bytes: result.info.bytes,
          validators: { etag: s.etag || "", lastModified: s.lastModified || "", length: s.length || 0, manifestSha: s.manifestSha || "" },
        });
      }
      record.update = null;
      setCatalogue(key, { title: record.title, url: source.type === "url" ? source.url : "", name: source.name || "" });
      return record;
    });
  }

  /** Download `url` into the store as a version of course `key` (`resumeId`: the unfinished package to go on with). */
  async function download(key, url, { onProgress, resumeId } = {}) {
    const controller = new AbortController();
    const source = { type: "url", url };
    const opts = { listFiles, onProgress, signal: controller.signal };
    let id = resumeId || null;
    if (id) running.set(id, controller);
    try {
      const result = resumeId
        ? await store.resume(resumeId, opts)
        : await store.importUrl(url, {
          ...opts, keepPartial: true, extra: { library: { key, source } },
          onStart: (newId) => { id = newId; running.set(id, controller); },
        });
      return await addVersion(key, source, result);
    } finally {
      if (id) running.delete(id);
    }
  }

  /** Stop offering version `packageId`: removed, or kept as its manifest while progress of it may be undelivered. */
  async function retire(key, packageId) {
    const r = await lib.get(key);
    const keep = keepForDelivery && !!r && r.played.some((p) => p.packageId === packageId);
    let kept = keep;
    if (keep) {
      try {
        await store.shrink(packageId);
      } catch {
        kept = false; // gone already, or unreadable: nothing left to open for delivery
      }
    }
    if (!kept) await store.remove(packageId);
    await update(key, (rec) => {
      if (!rec) return null;
      rec.versions = rec.versions.filter((v) => v.packageId !== packageId);
      if (kept && !rec.retired.includes(packageId)) rec.retired.push(packageId);
      if (!kept) rec.played = rec.played.filter((p) => p.packageId !== packageId);
      return rec;
    });
  }

  async function retireAllBut(key, keep) {
    const r = await lib.get(key);
    for (const v of (r ? r.versions : [])) if (v.packageId !== keep) await retire(key, v.packageId);
  }

  /** A removed course with nothing left to deliver: its record goes too. */
  async function dropIfEmpty(key) {
    await update(key, async (r) => {
      if (r && r.removed && !r.retired.length && !r.versions.length) await dir.removeEntry(key + ".json").catch(() => {});
      return null;
    });
  }

  /** The version entry of `packageId` in course `key` (and the record), or null. */
  async function versionOf(key, packageId) {
    const r = await lib.get(key);
    const v = r && r.versions.find((x) => x.packageId === packageId);
    return v ? { record: r, version: v } : null;
  }

  const lib = {
    store,
    learnerId,

    /**
     * Every course with what its entry offers, and what the browser took:
     * `{courses: [entry], lost: [{key, title, url, name}], downloads: [download]}`
     * (`downloads`: unfinished ones of no course). An entry is the record
     * with `attempt` (this learner's), `play`, `latest`, `newerWaiting`,
     * `bytes`, `download` (an unfinished download of it), `undelivered`
     * (this learner's progress may not be sent yet) and `problem` (null or
     * {id: "evicted" | "corrupt", message}). Packages naming a course whose
     * record is lost or damaged rebuild it first.
     */
    async courses() {
      const packages = await store.list();
      const downloads = await store.downloads();
      const byId = new Map(packages.map((p) => [p.id, p]));
      const keys = new Set();
      for await (const [name, handle] of dir.entries()) {
        if (handle.kind === "file" && name.endsWith(".json") && KEY_PATTERN.test(name.slice(0, -5))) keys.add(name.slice(0, -5));
      }
      for (const p of packages) {
        const named = p.extra && p.extra.library;
        if (!named || !KEY_PATTERN.test(named.key || "") || p.stub) continue;
        const r = await readRecord(dir, named.key);
        if (r && !r.damaged && (r.removed || r.versions.some((v) => v.packageId === p.id) || r.retired.includes(p.id))) continue;
        const reader = await store.open(p.id).catch(() => null);
        const xml = reader ? await reader.text("imsmanifest.xml").catch(() => "") : "";
        if (r && r.damaged) await dir.removeEntry(named.key + ".json").catch(() => {});
        await addVersion(named.key, named.source || { type: "file", name: p.name }, { info: p, manifestXml: xml });
        keys.add(named.key);
      }
      const cat = catalogue();
      const courses = [];
      for (const key of keys) {
        const r = await readRecord(dir, key);
        if (!r) continue;
        if (r.damaged) {
          courses.push({
            key, title: (cat[key] || {}).title || "A course", source: { type: "url", url: (cat[key] || {}).url || "" }, damagedRecord: true,
            versions: [], problem: { id: "corrupt", message: "its entry in the library is damaged and none of its files are left to rebuild it from" },
          });
          continue;
        }
        if (r.removed) continue;
        const attempt = (r.attempts || {})[learnerId] || null;
        const present = r.versions.filter((v) => byId.has(v.packageId));
        const view = {
          ...r, attempt, ...entryState({ ...r, versions: present }, attempt), problem: null,
          bytes: present.reduce((n, v) => n + (byId.get(v.packageId).bytes || 0), 0),
          undelivered: r.played.some((p) => p.learner === learnerId),
          download: downloads.find((d) => d.extra && d.extra.library && d.extra.library.key === key) || null,
        };
        // The title of the version the learner plays (an attempt in progress keeps an older one).
        if (view.play && view.play.title) view.title = view.play.title;
        if (present.length < r.versions.length) {
          const lostVersion = r.versions.find((v) => !byId.has(v.packageId));
          const check = await store.verify(lostVersion.packageId);
          view.problem = check.id === "corrupt"
            ? { id: "corrupt", message: "its stored files are damaged (" + check.message + ")" }
            : { id: "evicted", message: "its files are no longer on this device: the browser removed them to free space, or this site's data was cleared" };
          view.problemVersion = lostVersion.packageId;
        }
        courses.push(view);
      }
      const lost = Object.keys(cat).filter((k) => !keys.has(k)).map((k) => ({ key: k, ...cat[k] }));
      const loose = downloads.filter((d) => !(d.extra && d.extra.library && keys.has(d.extra.library.key)));
      courses.sort((a, b) => (a.title || "").localeCompare(b.title || ""));
      return { courses, lost, downloads: loose };
    },

    /** The record of course `key` (null when there is none or it cannot be read). */
    async get(key) {
      if (!KEY_PATTERN.test(String(key))) return null;
      const r = await readRecord(dir, key);
      return r && !r.damaged ? r : null;
    },

    /** This learner's attempt on course `key`, or null. */
    async attempt(key) {
      const r = await lib.get(key);
      return (r && (r.attempts || {})[learnerId]) || null;
    },

    /** The registration of this learner's attempt on version `n` of course `key`. */
    registration(key, n) {
      return registrationFor(learnerId, key, n);
    },

    /**
     * Add the course published at `url` (a zip, or an imsmanifest.xml): it is
     * offered once downloaded in full. Resolves with its record. Rejects with
     * a PackageError; a download stopped on the way stays (`resumable`) and
     * `courses()` lists it.
     */
    async addUrl(url, { onProgress } = {}) {
      let abs;
      try {
        abs = new URL(url, location.href);
      } catch {
        throw new PackageError("url", "not a URL: " + JSON.stringify(String(url)));
      }
      if (abs.protocol !== "http:" && abs.protocol !== "https:") throw new PackageError("url", "only http(s) addresses can be downloaded, not " + abs.protocol);
      abs.hash = "";
      const key = await keyOfUrl(abs.href);
      const r = await readRecord(dir, key);
      if (r && !r.damaged && !r.removed && r.versions.length) {
        throw new PackageError("duplicate", "this course is in your library already (“" + r.title + "”)");
      }
      const pending = (await store.downloads()).find((d) => d.extra && d.extra.library && d.extra.library.key === key);
      if (pending) return download(key, pending.url, { onProgress, resumeId: pending.id });
      return download(key, abs.href, { onProgress });
    },

    /** Add a course from a zip file on this device. */
    async addFile(file, { onProgress } = {}) {
      const key = await keyOfFile(file.name, file.size);
      const r = await readRecord(dir, key);
      if (r && !r.damaged && !r.removed && r.versions.length) {
        throw new PackageError("duplicate", "this file is in your library already (“" + r.title + "”)");
      }
      const source = { type: "file", name: file.name };
      const result = await store.importZip(file, { name: file.name, source: { type: "file" }, onProgress, extra: { library: { key, source } } });
      return addVersion(key, source, result);
    },

    /** Go on with a download that stopped (an entry's `download`, or one of `downloads`). */
    async resume(d, { onProgress } = {}) {
      const named = d.extra && d.extra.library;
      if (!named) throw new PackageError("missing", "this download belongs to no course");
      return download(named.key, d.url, { onProgress, resumeId: d.id });
    },

    /** Stop every download running in this page (it stays, resumable). */
    cancelAll() {
      for (const c of running.values()) c.abort();
    },

    /** Remove a download that stopped, and its files. */
    async removeDownload(packageId) {
      const c = running.get(packageId);
      if (c) c.abort();
      await store.remove(packageId);
    },

    /**
     * Is a newer version published at the course's URL? Records and resolves
     * with `{changed, by}` (`changed` null: the server gives nothing to compare).
     */
    async checkUpdate(key) {
      const r = await lib.get(key);
      if (!r || r.source.type !== "url" || !r.versions.length) return { changed: null, by: null };
      const stored = r.versions[r.versions.length - 1].validators || {};
      let now = null, error = null;
      try {
        now = await probeUrl(r.source.url, !!stored.manifestSha);
      } catch (e) {
        error = String(e && e.message ? e.message : e);
      }
      const verdict = now ? compareVersions(stored, now) : { changed: null, by: null };
      await update(key, (rec) => {
        if (!rec) return null;
        rec.update = { checkedAt: new Date().toISOString(), changed: verdict.changed, by: verdict.by, error };
        return rec;
      });
      if (error) throw new PackageError("network", "the course's address could not be reached: " + error);
      return verdict;
    },

    /**
     * Download the newer version of course `key`. While this learner's
     * attempt is in progress the old version stays beside it (and is played)
     * until they start anew; otherwise it replaces the old ones at once.
     */
    async downloadUpdate(key, { onProgress } = {}) {
      const r = await lib.get(key);
      if (!r || r.source.type !== "url") throw new PackageError("missing", "this course has no address to update from");
      const rec = await download(key, r.source.url, { onProgress });
      const latest = rec.versions[rec.versions.length - 1];
      const anyInProgress = Object.values(rec.attempts || {}).some((a) => inProgress(a) && a.packageId !== latest.packageId);
      if (!anyInProgress) await retireAllBut(key, latest.packageId);
      return lib.get(key);
    },

    /** Leave this learner's attempt in progress and start the newest version (older ones nobody plays are retired). */
    async startAnew(key) {
      const r = await lib.get(key);
      if (!r || !r.versions.length) return null;
      const latest = r.versions[r.versions.length - 1];
      await update(key, (rec) => { if (rec.attempts) delete rec.attempts[learnerId]; return rec; });
      const after = await lib.get(key);
      for (const v of after.versions) {
        const used = Object.values(after.attempts || {}).some((a) => inProgress(a) && a.packageId === v.packageId);
        if (v.packageId !== latest.packageId && !used) await retire(key, v.packageId);
      }
      return lib.get(key);
    },

    /**
     * Record this learner's attempt on `packageId` ("started", "suspended",
     * "ended"), and that its progress may not be delivered yet.
     */
    async setAttempt(key, packageId, state) {
      const found = await versionOf(key, packageId);
      if (!found) return null;
      const registration = await registrationFor(learnerId, key, found.version.n);
      return update(key, (rec) => {
        if (!rec) return null;
        rec.attempts = rec.attempts || {};
        const a = rec.attempts[learnerId];
        const same = a && a.packageId === packageId && a.state === state;
        const known = rec.played.some((p) => p.packageId === packageId && p.learner === learnerId);
        if (same && known) return null;
        rec.attempts[learnerId] = { packageId, n: found.version.n, state, at: new Date().toISOString() };
        if (!known) rec.played.push({ packageId, learner: learnerId, registration });
        return rec;
      });
    },

    /** This learner's progress on `packageId` may not be delivered yet (a commit was queued). */
    async markPlayed(key, packageId) {
      const found = await versionOf(key, packageId);
      if (!found) return null;
      const registration = await registrationFor(learnerId, key, found.version.n);
      return update(key, (rec) => {
        if (!rec || rec.played.some((p) => p.packageId === packageId && p.learner === learnerId)) return null;
        rec.played.push({ packageId, learner: learnerId, registration });
        return rec;
      });
    },

    /**
     * This learner's progress on `packageId` is delivered (nothing queued). A
     * retired version nobody else needs goes for good.
     */
    async delivered(key, packageId) {
      let removeIt = false;
      await update(key, (rec) => {
        if (!rec || !rec.played.some((p) => p.packageId === packageId && p.learner === learnerId)) return null;
        rec.played = rec.played.filter((p) => !(p.packageId === packageId && p.learner === learnerId));
        if (rec.retired.includes(packageId) && !rec.played.some((p) => p.packageId === packageId)) {
          rec.retired = rec.retired.filter((id) => id !== packageId);
          removeIt = true;
        }
        return rec;
      });
      if (removeIt) await store.remove(packageId);
      await dropIfEmpty(key);
    },

    /**
     * This learner's packages whose progress may not be delivered yet, for
     * the page to open so that the queue sends it:
     * [{key, packageId, registration, title, retired}].
     */
    async undelivered() {
      const out = [];
      for await (const [name, handle] of dir.entries()) {
        if (handle.kind !== "file" || !name.endsWith(".json") || !KEY_PATTERN.test(name.slice(0, -5))) continue;
        const r = await readRecord(dir, name.slice(0, -5));
        if (!r || r.damaged) continue;
        for (const p of r.played) {
          if (p.learner === learnerId) out.push({ key: r.key, packageId: p.packageId, registration: p.registration, title: r.title, retired: r.retired.includes(p.packageId) });
        }
      }
      return out;
    },

    /**
     * Remove course `key` and its files. Versions whose progress may not be
     * delivered yet are kept as their manifest only (a few KB) until it is;
     * the learner's data itself is never removed here.
     */
    async remove(key) {
      const r = await lib.get(key);
      if (r) {
        for (const v of r.versions) await retire(key, v.packageId);
        await update(key, (rec) => {
          if (!rec) return null;
          rec.removed = true;
          rec.versions = [];
          rec.attempts = {};
          rec.update = null;
          return rec;
        });
      } else {
        // A damaged record: its files (if any) go with it.
        await dir.removeEntry(key + ".json").catch(() => {});
      }
      for (const d of await store.downloads()) {
        if (d.extra && d.extra.library && d.extra.library.key === key) await lib.removeDownload(d.id);
      }
      setCatalogue(key, null);
      await dropIfEmpty(key);
    },

    /** Forget a course the browser evicted (its notice goes away). */
    forgetLost(key) {
      setCatalogue(key, null);
    },
  };
  return lib;
}

/**
 * The validators of what is published at `url` now: for a manifest, its
 * SHA-256; for a zip, ETag, Last-Modified and Content-Length of a HEAD.
 */
async function probeUrl(url, isManifest) {
  if (isManifest) {
    const res = await fetch(url, { cache: "no-store", credentials: "same-origin" });
    if (!res.ok) throw new Error(url + " answered " + res.status);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(await res.text()));
    return { manifestSha: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("") };
  }
  let res = await fetch(url, { method: "HEAD", cache: "no-store", credentials: "same-origin" });
  if (res.status === 405 || res.status === 501) {
    const c = new AbortController();
    res = await fetch(url, { cache: "no-store", credentials: "same-origin", signal: c.signal });
    c.abort();
  }
  if (!res.ok) throw new Error(url + " answered " + res.status);
  return {
    etag: res.headers.get("ETag") || "",
    lastModified: res.headers.get("Last-Modified") || "",
    length: Number(res.headers.get("Content-Length")) || 0,
  };
}
