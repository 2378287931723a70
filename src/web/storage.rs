//! Local-first persistence: `window.localStorage` for the synchronous
//! answer, and a journal of every write for the durable copy.
//!
//! Keys ([`crate::engine::persist::keys`]) carry the learner, course and
//! registration (and SCO or package), each id encoded:
//!
//! * `…:<version>:state:<sco>` — the SCO's whole snapshot (a record with a
//!   revision), rewritten at every commit: what a relaunch on this device
//!   resumes from when the backend cannot be asked.
//! * `…:<version>:queue:<nonce>` (only with an endpoint) — this page's
//!   write-ahead commit queue ([`crate::engine::persist::Queue`]). Each page
//!   load writes only its own key, so tabs never overwrite each other
//!   synchronously; the one tab that holds the sender lock folds the other
//!   keys into its own, sends, and removes the keys of pages that are gone
//!   (see `js/transport.js`).
//!
//! A commit writes both before it returns; if either write fails the commit
//! fails (SCORM 2004 error 391, SCORM 1.2 error 101) and the run-time keeps
//! the changes pending.
//!
//! Chromium writes `localStorage` to disk lazily (seconds later), so every
//! write is also put in a journal that the installer takes after each call
//! ([`take_journal`]) and writes to IndexedDB in one transaction with strict
//! durability, started before the call returns to the SCO (`js/durable.js`).
//! At the next launch the two copies are merged ([`restore`]): a queue is the
//! union of both (batches by id, so nothing is applied twice), a record the
//! copy with the higher revision.
//!
//! Without a learner and a registration in the configuration nothing is
//! stored at all ([`LocalHost::memory_only`]): the defaults would put every
//! learner of the device in one slot.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::config::Config;
use crate::engine::persist::json::Value;
use crate::engine::persist::keys::{self, StorageIds};
use crate::engine::persist::{DataModel, Identity, Policy, Queue, ServerState};
use crate::engine::rte::{ChangeSet, Host, PersistReason, Snapshot};
use crate::engine::strlist;
use crate::engine::text::cat;

/// What this module keeps about local storage between calls.
struct Books {
    /// Writes since the installer last took them: key → value, or `None`
    /// for a removal. One entry per key (the last write wins).
    journal: Vec<(String, Option<String>)>,
    /// The revision of each record this page read or wrote (a short list:
    /// one state key per SCO launched, one sequencing key).
    revs: Vec<(String, u64)>,
    /// The 0.1 queue prefixes already migrated in this page load.
    migrated: Vec<String>,
}

thread_local! {
    // One thread-local (each one adds its own accessor code to the module).
    static BOOKS: RefCell<Books> = const { RefCell::new(Books { journal: Vec::new(), revs: Vec::new(), migrated: Vec::new() }) };
}

fn books<R>(f: impl FnOnce(&mut Books) -> R) -> R {
    BOOKS.with(|b| f(&mut b.borrow_mut()))
}

fn storage() -> Result<web_sys::Storage, String> {
    let window = web_sys::window().ok_or("no window")?;
    match window.local_storage() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err("localStorage is not available".into()),
        Err(e) => Err(cat(&["localStorage is not accessible: ", &describe(&e)])),
    }
}

fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "unknown error".into())
}

fn known_rev(key: &str) -> Option<u64> {
    books(|b| b.revs.iter().find(|(k, _)| k == key).map(|(_, rev)| *rev))
}

fn note_rev(key: &str, rev: Option<u64>) {
    books(|b| {
        b.revs.retain(|(k, _)| k != key);
        if let Some(rev) = rev {
            b.revs.push((key.to_owned(), rev));
        }
    });
}

fn journal(key: &str, value: Option<&str>) {
    books(|b| {
        b.journal.retain(|(k, _)| k != key);
        b.journal.push((key.to_owned(), value.map(str::to_owned)));
    });
}

/// Write `value` under `key` (and journal it for the durable copy).
pub fn write(key: &str, value: &str) -> Result<(), String> {
    storage()?.set_item(key, value).map_err(|e| describe(&e))?;
    journal(key, Some(value));
    Ok(())
}

/// Remove `key` (here and, through the journal, from the durable copy).
pub fn remove(key: &str) {
    if let Ok(s) = storage() {
        let _ = s.remove_item(key);
    }
    journal(key, None);
}

/// The value stored under `key`.
pub fn read(key: &str) -> Option<String> {
    storage().ok().and_then(|s| s.get_item(key).ok().flatten())
}

/// Every key that starts with `prefix`.
pub fn keys_with_prefix(prefix: &str) -> Vec<String> {
    let Ok(s) = storage() else { return Vec::new() };
    let n = s.length().unwrap_or(0);
    (0..n).filter_map(|i| s.key(i).ok().flatten()).filter(|k| k.starts_with(prefix)).collect()
}

/// The writes since the last call, as the list ([`strlist`]) `[op, key,
/// value, …]` with op "p" (put) or "d" (delete, value "").
pub fn take_journal() -> String {
    books(|b| {
        let mut out = String::new();
        for (k, v) in b.journal.drain(..) {
            strlist::push(&mut out, if v.is_some() { "p" } else { "d" });
            strlist::push(&mut out, &k);
            strlist::push(&mut out, v.as_deref().unwrap_or(""));
        }
        out
    })
}

/// Write `payload` as a record under `key`, one revision past the last
/// this page knows of the key (read from storage the first time).
pub fn write_record(key: &str, payload: &str) -> Result<(), String> {
    let last = known_rev(key).unwrap_or_else(|| read(key).map_or(0, |t| keys::parse_record(&t).0));
    let rev = last.saturating_add(1);
    write(key, &keys::record(rev, payload))?;
    note_rev(key, Some(rev));
    Ok(())
}

/// The payload of the record under `key` (noting its revision).
pub fn read_record(key: &str) -> Option<String> {
    let text = read(key)?;
    let (rev, payload) = keys::parse_record(&text);
    note_rev(key, Some(rev));
    Some(payload.to_owned())
}

/// Bring the `localStorage` copy of `key` up to the durable copy `durable`
/// (the IndexedDB record, read at start): a queue becomes the union of
/// both, a record the copy with the higher revision. Returns whether
/// `localStorage` changed.
pub fn restore(prefix: &str, key: &str, durable: &str) -> Result<bool, String> {
    let local = read(key);
    if local.as_deref() == Some(durable) {
        return Ok(false);
    }
    if keys::is_queue_key(prefix, key) {
        let merged = Queue::merge_texts(local.as_deref(), durable)?;
        if local.as_deref() == Some(merged.as_str()) {
            return Ok(false);
        }
        write(key, &merged)?;
        return Ok(true);
    }
    let newer = match &local {
        None => true,
        Some(l) => keys::parse_record(durable).0 > keys::parse_record(l).0,
    };
    if newer {
        write(key, durable)?;
        note_rev(key, None);
    }
    Ok(newer)
}

/// Move what the 0.1 key layout stored for this registration to the
/// current keys, once per page load and data model: the queues (each to the
/// key of the identity it names), and the state of `sco`.
fn migrate(ids: &StorageIds, version: &str, sco: &str) {
    let old_prefix = ids.old_queue_prefix(version);
    let first = books(|b| {
        let seen = b.migrated.contains(&old_prefix);
        if !seen {
            b.migrated.push(old_prefix.clone());
        }
        !seen
    });
    if first {
        for old in keys_with_prefix(&old_prefix) {
            let nonce = old.get(old_prefix.len()..).unwrap_or("");
            if nonce.is_empty() || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let Some(text) = read(&old) else { continue };
            match Queue::from_storage(&text, "", Policy::default()) {
                Ok(q) => {
                    let id = q.identity();
                    let owner = StorageIds {
                        prefix: ids.prefix.clone(),
                        learner: id.learner_id.clone(),
                        course: id.course_id.clone(),
                        registration: id.registration_id.clone(),
                    };
                    let new = cat(&[&owner.queue_prefix(id.version.as_str()), nonce]);
                    let merged = Queue::merge_texts(read(&new).as_deref(), &text).unwrap_or(text);
                    if write(&new, &merged).is_ok() {
                        remove(&old);
                    }
                }
                Err(e) => super::console_error(&cat(&["scorm-shim: stored queue ", &old, " could not be read (", &e, "); left as it is"])),
            }
        }
    }
    let old_state = ids.old_state(version, sco);
    if let Some(text) = read(&old_state) {
        let new = ids.state(version, sco);
        if read(&new).is_none() && write_record(&new, &text).is_err() {
            return;
        }
        remove(&old_state);
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Encode a snapshot as a JSON object. Hand-written to keep serde_json out
/// of the wasm module.
pub fn encode_snapshot(snapshot: &Snapshot) -> String {
    let mut out = String::with_capacity(64 + snapshot.iter().map(|(k, v)| k.len() + v.len() + 6).sum::<usize>());
    out.push('{');
    for (i, (k, v)) in snapshot.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_str(&mut out, k);
        out.push(':');
        write_json_str(&mut out, v);
    }
    out.push('}');
    out
}

/// Append `s` as a JSON string: the same text as
/// [`crate::engine::persist::json::write_str`], but runs of characters that
/// need no escape are copied at once (a commit encodes the whole snapshot,
/// suspend_data of up to 64,000 characters included).
fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // '"', '\\', controls, and U+2028/U+2029 (E2 80 A8/A9) are escaped.
        let special = b == b'"'
            || b == b'\\'
            || b < 0x20
            || (b == 0xE2 && bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)));
        if !special {
            i += 1;
            continue;
        }
        // `i` is at an ASCII byte or a lead byte: a character boundary.
        out.push_str(s.get(start..i).unwrap_or(""));
        let c = s.get(i..).and_then(|t| t.chars().next()).unwrap_or('\u{fffd}');
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => crate::engine::persist::json::push_u_escape(out, c),
        }
        i += c.len_utf8();
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

/// The commit queue of one data model, with its storage key.
#[derive(Debug)]
pub struct QueueSlot {
    /// The queue.
    pub queue: Queue,
    /// This page's own key.
    pub own_key: String,
    /// The prefix of every page's queue key of this registration and version.
    pub prefix: String,
    /// What `GET` on the endpoint answered, once it did.
    pub server: Option<ServerState>,
}

impl QueueSlot {
    /// Write the queue under this page's key, evicting acknowledged history
    /// when the storage is full. Unacknowledged data is never evicted.
    pub fn save(&mut self) -> Result<(), String> {
        let text = self.queue.to_storage();
        self.save_text(text)
    }

    /// [`QueueSlot::save`] of a text the queue has just made.
    fn save_text(&mut self, text: String) -> Result<(), String> {
        match write(&self.own_key, &text) {
            Ok(()) => Ok(()),
            Err(first) => {
                let _ = self.queue.evict_for_quota(text.len() / 2);
                write(&self.own_key, &self.queue.to_storage())
                    .map_err(|e| cat(&[&first, "; after evicting acknowledged history: ", &e]))
            }
        }
    }
}

/// The [`Host`] the run-times persist through in the browser.
#[derive(Debug)]
pub struct LocalHost {
    /// `None`: the page gave no learner and registration; nothing is stored.
    state_key: Option<String>,
    sco_id: String,
    /// The commit queue, when the page configured an endpoint.
    pub slot: Option<QueueSlot>,
    /// Local writes that failed since the last look (for the `storageError` event).
    pub errors: Vec<String>,
    /// The next batch replaces the SCO's stored state instead of adding to
    /// it: a new learner attempt started over an ended one.
    pub full_next: bool,
    /// Nothing is recorded: the SCO reviews a learner attempt that ended
    /// (`endedAttempt: "review"`), which stays as it was.
    pub review_only: bool,
    /// The text this page wrote under the state key at its last Terminate,
    /// with the snapshot it encodes.
    resume: Option<(String, Snapshot)>,
    /// What the last [`LocalHost::load`] read under the state key (inner
    /// `None`: nothing was stored); `None` when it did not read local state.
    source: Option<Option<String>>,
    /// The bridge session this host's commits take part in (`web::bridge`).
    pub bridge: Option<super::bridge::Link>,
}

impl LocalHost {
    /// The host for `version` of the configured SCO; `nonce` names this page
    /// load's queue key.
    pub fn new(config: &Config, version: DataModel, nonce: &str) -> LocalHost {
        let v = version.as_str();
        let Some(ids) = config.storage_ids() else {
            return LocalHost::memory_only(&config.sco_id);
        };
        migrate(&ids, v, &config.sco_id);
        let slot = config.endpoint.as_ref().map(|_| {
            let prefix = ids.queue_prefix(v);
            let identity = Identity {
                learner_id: config.learner_id.clone(),
                course_id: config.course_id.clone(),
                registration_id: config.registration_id.clone(),
                version,
            };
            let policy = Policy {
                window_ms: u64::from(config.commit_interval_ms),
                max_body_bytes: config.max_body_bytes,
                max_stored_bytes: config.effective_queue_limit(),
                ..Policy::default()
            };
            QueueSlot { queue: Queue::new(identity, nonce, policy), own_key: cat(&[&prefix, nonce]), prefix, server: None }
        });
        LocalHost {
            state_key: Some(ids.state(v, &config.sco_id)),
            sco_id: config.sco_id.clone(),
            slot,
            errors: Vec::new(),
            full_next: false,
            review_only: false,
            resume: None,
            source: None,
            bridge: None,
        }
    }

    /// A host that keeps nothing: the session's data stays in memory.
    pub fn memory_only(sco_id: &str) -> LocalHost {
        LocalHost { state_key: None, sco_id: sco_id.to_owned(), slot: None, errors: Vec::new(), resume: None, source: None, full_next: false, review_only: false, bridge: None }
    }

    /// The state a new launch of the SCO starts from: with the backend's
    /// state known, that state with this device's unacknowledged batches laid
    /// over it; otherwise what this device stored last.
    pub fn load(&mut self) -> Option<Snapshot> {
        self.source = None;
        if let Some(slot) = &self.slot {
            if slot.server.is_some() {
                // Nothing stored anywhere is a first launch (cmi.entry
                // "ab-initio"), not an empty earlier session.
                return Some(slot.queue.resume_snapshot(slot.server.as_ref(), &self.sco_id)).filter(|s| !s.is_empty());
            }
        }
        let key = self.state_key.as_ref()?;
        let raw = read_record(key);
        let local = raw.as_deref().and_then(|raw| self.parse_local(raw));
        if self.slot.is_none() {
            self.source = Some(raw);
        }
        if let Some(local) = local {
            return Some(local);
        }
        self.slot.as_ref().map(|s| s.queue.resume_snapshot(None, &self.sco_id)).filter(|s| !s.is_empty())
    }

    fn parse_local(&self, raw: &str) -> Option<Snapshot> {
        // What this page stored at its last Terminate, unchanged since: the
        // usual case of a relaunch, which then needs no parsing.
        if let Some((text, snapshot)) = &self.resume {
            if text == raw {
                return Some(snapshot.clone());
            }
        }
        let Ok(Value::Obj(members)) = crate::engine::persist::json::parse(raw) else {
            super::console_error(&cat(&[
                "scorm-shim: stored state ",
                self.state_key.as_deref().unwrap_or(""),
                " is not a valid JSON object; not used",
            ]));
            return None;
        };
        let mut snap = Snapshot::new();
        for (k, v) in members {
            if let Value::Str(v) = v {
                snap.insert(k, v);
            }
        }
        Some(snap)
    }

    /// Keep what `old` (the host of the previous launch) knows of the stored
    /// state, so that [`LocalHost::load`] can skip parsing it.
    pub fn carry_from(&mut self, old: &mut LocalHost) {
        self.resume = old.resume.take();
    }

    /// True when a run-time built from `old`'s last load would be built
    /// the same now: no commit queue, the same state key, and the same text
    /// stored under it. Then the new host takes over what `old` read.
    pub fn same_state_as(&mut self, old: &mut LocalHost) -> bool {
        let same = self.slot.is_none()
            && old.slot.is_none()
            && self.state_key == old.state_key
            && old.source.as_ref().is_some_and(|read_before| {
                *read_before == self.state_key.as_deref().and_then(|k| read(k).map(|t| keys::parse_record(&t).1.to_owned()))
            });
        if same {
            self.source = old.source.take();
            self.full_next = old.full_next;
            self.review_only = old.review_only;
        }
        same
    }
}

impl Host for LocalHost {
    fn persist(&mut self, reason: PersistReason, changes: &ChangeSet, snapshot: &Snapshot) -> Result<(), String> {
        if self.review_only {
            return Ok(());
        }
        // The bridge page keeps its commits in the sealed pending log.
        #[cfg(feature = "bridge")]
        if let Some(super::bridge::Link::Guest(sink)) = &mut self.bridge {
            let result = sink.persist(reason, changes, snapshot, self.full_next);
            match &result {
                Ok(()) => self.full_next = false,
                Err(e) => self.errors.push(cat(&["the data of SCO \"", &self.sco_id, "\" could not be stored on this origin: ", e])),
            }
            return result;
        }
        let Some(state_key) = &self.state_key else {
            // Nothing is stored without a learner and a registration (the
            // page was told at start); the session keeps its data in memory.
            return Ok(());
        };
        let result = match &mut self.slot {
            // (The page's queues keep the default policy: diffs, unless a
            // new attempt replaces the stored state.)
            Some(slot) => match slot.queue.enqueue_capped(now_ms(), &self.sco_id, reason, changes, snapshot, self.full_next) {
                Ok((_, text)) => slot.save_text(text),
                Err(e) => Err(e),
            },
            None => Ok(()),
        }
        .and_then(|()| {
            let text = encode_snapshot(snapshot);
            write_record(state_key, &text)?;
            // A relaunch follows a Terminate: keep the state it will read.
            self.resume = (reason == PersistReason::Terminate).then(|| (text, snapshot.clone()));
            self.full_next = false;
            Ok(())
        });
        match &result {
            // The mirror of a bridge session counts what it stored.
            Ok(()) => if let Some(link) = &mut self.bridge {
                link.stored();
            },
            Err(e) => self.errors.push(cat(&["the data of SCO \"", &self.sco_id, "\" could not be stored locally: ", e])),
        }
        result
    }
}
