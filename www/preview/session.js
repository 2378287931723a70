// Everything the debugger knows about the session: the API calls (bounded),
// the SCO sessions with their content check, what each SCO committed, and
// the navigation trace. The panels read it; the export writes it out.
//
// Cost per API call: one small object into a ring, the content check's
// fold (checks.js `observe`), a dirty flag. Rendering happens later, at most
// a few times a second (the panels schedule it).
import { newSession, observe, finish, profile as profileOf } from "./checks.js";
import { explain } from "./explain.js";

/** Bounds: calls kept (the page shows the last few hundred of them), errors kept, navigation entries. */
export const BOUNDS = { calls: 50000, errors: 5000, nav: 500, scoSessions: 200 };

/**
 * Values longer than this are kept cut (with their length) in the call
 * list: 50,000 calls that each write 64 KB of suspend_data would otherwise
 * hold 3 GB. The data model panel shows whole values.
 */
export const CLIP = 2000;
function clip(v) {
  return v.slice(0, CLIP) + "… (" + v.length.toLocaleString("en") + " characters)";
}

const COMMITS = { Commit: 1, LMSCommit: 1, Terminate: 1, LMSFinish: 1 };
const READERS = { GetLastError: 1, GetErrorString: 1, GetDiagnostic: 1, LMSGetLastError: 1, LMSGetErrorString: 1, LMSGetDiagnostic: 1 };

/**
 * `snapshot(api)`: the data model of API version `api` as it is now
 * ({state, elements}); taken when a SCO terminates, or when its document
 * is unloaded without terminating.
 */
export function createSession({ bounds = BOUNDS, snapshot = null } = {}) {
  const calls = []; // ring
  let head = 0; // index in `calls` of the oldest call once full
  let total = 0;
  const errors = [];
  let errorsDropped = 0;
  const nav = [];
  const scos = new Map(); // activity id -> {id, title, sessions: [], committed: Map, sinceCommit: Map, last}
  const listeners = new Set();
  let current = null; // {sco, state, start, startIndex, api, isSco}
  let settings = { profile: profileOf("lenient") };
  let version = 0; // bumped on every change; panels re-render when it moved

  function sco(id, title) {
    let s = scos.get(id);
    if (!s) {
      s = { id, title: title || id, sessions: [], committed: new Map(), sinceCommit: new Map(), last: null };
      scos.set(id, s);
    } else if (title) s.title = title;
    return s;
  }

  function emit(type, data) {
    version++;
    for (const l of listeners) {
      try { l(type, data); } catch (e) { console.error("preview: a session listener threw", e); }
    }
  }

  const session = {
    /** The API call listener (ScormShim.onCall). */
    record(e) {
      // GetLastError & co. report the previous call's error; they do not fail themselves.
      const reader = READERS[e.method] === 1;
      const call = {
        i: total,
        t: e.time,
        sco: current ? current.sco : "",
        api: e.api,
        method: e.method,
        args: e.args.length === 2 && e.args[1].length > CLIP ? [e.args[0], clip(e.args[1])] : e.args,
        result: e.result.length > CLIP ? clip(e.result) : e.result,
        error: reader ? "0" : e.error,
        diagnostic: reader ? "" : e.diagnostic || "",
      };
      total++;
      if (calls.length < bounds.calls) calls.push(call);
      else { calls[head] = call; head = (head + 1) % bounds.calls; }
      if (call.error !== "0") {
        if (errors.length >= bounds.errors) { errors.shift(); errorsDropped++; }
        errors.push(call);
      }
      if (current) {
        // The checks and the commit tracking see whole values.
        const whole = call.args === e.args ? call : { ...call, args: e.args };
        observe(current.state, whole);
        current.calls++;
        const s = scos.get(current.sco);
        if (s) {
          if ((call.method === "SetValue" || call.method === "LMSSetValue") && call.result === "true") {
            s.sinceCommit.set(e.args[0], e.args[1]);
          } else if (COMMITS[call.method] && call.result === "true") {
            for (const [k, v] of s.sinceCommit) s.committed.set(k, v);
            s.sinceCommit.clear();
            s.lastCommit = call.t;
            if ((call.method === "Terminate" || call.method === "LMSFinish") && snapshot) {
              s.last = snapshot(call.api);
              current.snapshotTaken = true;
            }
          }
        }
      }
      version++;
    },

    /** Calls kept, oldest first (`from`: the first call number wanted). */
    calls() {
      return head === 0 ? calls.slice() : calls.slice(head).concat(calls.slice(0, head));
    },
    /** Iterate the kept calls newest first; stop when `f` returns false. */
    eachNewest(f) {
      const n = calls.length;
      for (let k = 0; k < n; k++) {
        const idx = (head - 1 - k + n * 2) % n;
        if (f(calls[idx]) === false) return;
      }
    },
    get total() { return total; },
    get kept() { return calls.length; },
    get dropped() { return total - calls.length; },
    errors() { return errors.slice(); },
    get errorsDropped() { return errorsDropped; },

    /** A SCO (or asset) was delivered and is about to load. */
    beginSco(id, title, { api, isSco }) {
      if (current) session.endSco({ unloaded: true });
      sco(id, title);
      current = { sco: id, title, api, isSco, state: newSession(api), start: Date.now(), startIndex: total, calls: 0 };
      emit("scoStart", { id, title });
    },

    /** The SCO's document went away (or a new one is delivered): run the content check. */
    endSco({ unloaded = true, dataModel = null } = {}) {
      if (!current) return null;
      const c = current;
      current = null;
      const findings = finish(c.state, { api: c.api, isSco: c.isSco, unloaded, profile: settings.profile });
      const s = sco(c.sco, c.title);
      if (dataModel) s.last = dataModel;
      else if (!c.snapshotTaken && snapshot) s.last = snapshot(c.api);
      const entry = { sco: c.sco, title: c.title, api: c.api, start: c.start, end: Date.now(), firstCall: c.startIndex, callCount: c.calls, findings };
      s.sessions.push(entry);
      if (s.sessions.length > bounds.scoSessions) s.sessions.shift();
      emit("scoEnd", entry);
      return entry;
    },

    get current() { return current ? { sco: current.sco, title: current.title, api: current.api, start: current.start, calls: current.calls } : null; },
    scos() { return Array.from(scos.values()); },
    sco(id) { return scos.get(id) || null; },
    /** Every finished SCO session, oldest first. */
    scoSessions() {
      return Array.from(scos.values()).flatMap((s) => s.sessions).sort((a, b) => a.start - b.start);
    },

    /** A navigation request and its outcome (from the LMS buttons, the TOC, or the content). */
    navigation(entry) {
      nav.push({ time: Date.now(), ...entry });
      if (nav.length > bounds.nav) nav.shift();
      emit("nav", entry);
    },
    nav() { return nav.slice(); },
    lastNavigation() { return nav.length ? nav[nav.length - 1] : null; },

    /** Settings the checks use (the LMS profile). */
    setProfile(p) { settings = { ...settings, profile: p }; },
    get profile() { return settings.profile; },

    /** Explanation of a call's error in words. */
    explain(call) { return explain(call.api, call.error, call.diagnostic); },

    /** Forget everything (a new package, or a reset). */
    clear() {
      calls.length = 0; head = 0; total = 0; errors.length = 0; errorsDropped = 0; nav.length = 0; scos.clear(); current = null;
      emit("clear", null);
    },

    /** Forget what one SCO committed (after the learner's data was reset). */
    forgetData() {
      for (const s of scos.values()) { s.committed.clear(); s.sinceCommit.clear(); s.last = null; }
    },

    /** Session events (scoStart, scoEnd, nav, clear); not every call: panels poll `version`. */
    onChange(listener) { listeners.add(listener); return () => listeners.delete(listener); },
    /** Changes with every call and event: a panel re-renders when it moved. */
    get version() { return version; },
  };
  return session;
}
