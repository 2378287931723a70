//! Local-first persistence in `window.localStorage`.
//!
//! Two kinds of keys, both under the configured prefix:
//!
//! * `<prefix>:<registration>:<sco>:<version>:state` — the SCO's whole
//!   snapshot, rewritten at every commit: what a relaunch on this device
//!   resumes from when the backend cannot be asked.
//! * `<prefix>:<registration>:<version>:queue:<nonce>` (only with an
//!   endpoint) — this page's write-ahead commit queue
//!   ([`crate::engine::persist::Queue`]). Each page load writes only its own
//!   key, so tabs never overwrite each other synchronously; the one tab that
//!   holds the sender lock folds the other keys into its own, sends, and
//!   removes the keys of pages that are gone (see `js/transport.js`).
//!
//! A commit writes both before it returns; if either write fails the commit
//! fails (SCORM 2004 error 391, SCORM 1.2 error 101) and the run-time keeps
//! the changes pending.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::config::Config;
use crate::engine::persist::json::Value;
use crate::engine::persist::{DataModel, Identity, Policy, Queue, ServerState};
use crate::engine::rte::{ChangeSet, Host, PersistReason, Snapshot};

fn storage() -> Result<web_sys::Storage, String> {
    let window = web_sys::window().ok_or("no window")?;
    match window.local_storage() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err("localStorage is not available".into()),
        Err(e) => Err(format!("localStorage is not accessible: {}", describe(&e))),
    }
}

fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "unknown error".into())
}

fn write(key: &str, value: &str) -> Result<(), String> {
    storage()?.set_item(key, value).map_err(|e| describe(&e))
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
            c => out.push_str(&format!("\\u{:04x}", c as u32)),
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
        match write(&self.own_key, &text) {
            Ok(()) => Ok(()),
            Err(first) => {
                let _ = self.queue.evict_for_quota(text.len() / 2);
                write(&self.own_key, &self.queue.to_storage())
                    .map_err(|e| format!("{first}; after evicting acknowledged history: {e}"))
            }
        }
    }
}

/// The [`Host`] the run-times persist through in the browser.
#[derive(Debug)]
pub struct LocalHost {
    state_key: String,
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
}

impl LocalHost {
    /// The host for `version` of the configured SCO; `nonce` names this page
    /// load's queue key.
    pub fn new(config: &Config, version: DataModel, nonce: &str) -> LocalHost {
        let v = version.as_str();
        let slot = config.endpoint.as_ref().map(|_| {
            let prefix = format!("{}:{}:{}:queue:", config.storage_prefix, config.registration_id, v);
            let identity = Identity {
                learner_id: config.learner_id.clone(),
                course_id: config.course_id.clone(),
                registration_id: config.registration_id.clone(),
                version,
            };
            let policy = Policy { window_ms: u64::from(config.commit_interval_ms), ..Policy::default() };
            QueueSlot { queue: Queue::new(identity, nonce, policy), own_key: format!("{prefix}{nonce}"), prefix, server: None }
        });
        LocalHost {
            state_key: format!("{}:{}:{}:{}:state", config.storage_prefix, config.registration_id, config.sco_id, v),
            sco_id: config.sco_id.clone(),
            slot,
            errors: Vec::new(),
            full_next: false,
            review_only: false,
            resume: None,
            source: None,
        }
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
        let raw = storage().ok().and_then(|s| s.get_item(&self.state_key).ok().flatten());
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
            web_sys::console::error_1(
                &format!("scorm-shim: stored state {} is not a valid JSON object; not used", self.state_key).into(),
            );
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
            && old.source.as_ref().is_some_and(|read| {
                *read == storage().ok().and_then(|s| s.get_item(&self.state_key).ok().flatten())
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
        let result = match &mut self.slot {
            Some(slot) => {
                // (The page's queues keep the default policy: diffs, unless a
                // new attempt replaces the stored state.)
                slot.queue.enqueue_with(now_ms(), &self.sco_id, reason, changes, snapshot, self.full_next);
                slot.save()
            }
            None => Ok(()),
        }
        .and_then(|()| {
            let text = encode_snapshot(snapshot);
            write(&self.state_key, &text)?;
            // A relaunch follows a Terminate: keep the state it will read.
            self.resume = (reason == PersistReason::Terminate).then(|| (text, snapshot.clone()));
            self.full_next = false;
            Ok(())
        });
        if let Err(e) = &result {
            self.errors.push(format!("the data of SCO \"{}\" could not be stored locally: {e}", self.sco_id));
        }
        result
    }
}
