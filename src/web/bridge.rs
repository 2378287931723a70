//! The content-origin bridge, browser side (issue 17; the formats are
//! [`crate::engine::bridge`], the messages `js/bridge-host.js` and
//! `js/bridge-guest.js`).
//!
//! **The LMS page (host).** Every API instance the page builds is built
//! through [`new_api12`] / [`new_api2004`], which keep its inputs
//! ([`Inputs`]). [`Shim::bridge_open`] opens a session for the fresh
//! instances: it writes a [`SessionRecord`] per data model (in this page's
//! storage, under the registration's prefix) and hands back the
//! [`LaunchRecord`] the bridge builds its instances from. While the session
//! runs, the page's instances are a mirror: the host replays every call the
//! bridge answered, and each change set the mirror stores also counts in
//! the session record ([`Link::Mirror`], written in the same call, so in the
//! same IndexedDB transaction as the change set). After a crash,
//! [`Shim::bridge_recover`] applies the change sets the bridge stored that
//! the record does not count yet.
//!
//! **The bridge page (guest, cargo feature `bridge`).** [`Shim::bridge_guest`]
//! builds the shim from a launch record; each commit is kept, sealed, in the
//! content origin's storage ([`Link::Guest`]) until the host acknowledges it.

#[cfg(any(feature = "course", feature = "bridge"))]
use wasm_bindgen::prelude::*;

#[cfg(any(feature = "course", feature = "bridge"))]
use super::storage;
#[cfg(any(feature = "course", feature = "bridge"))]
use super::storage::LocalHost;
#[cfg(any(feature = "course", feature = "bridge"))]
use super::Shim;
#[cfg(feature = "bridge")]
use super::console_error;
#[cfg(any(feature = "course", feature = "bridge"))]
use crate::engine::bridge::{self as rec, LaunchRecord, Pending};
#[cfg(feature = "course")]
use crate::engine::bridge::SessionRecord;
#[cfg(feature = "course")]
use crate::engine::bridge::{Side12, Side2004};
use crate::engine::course::NavAnswers;
#[cfg(feature = "course")]
use crate::engine::persist::keys::StorageIds;
use crate::engine::rte::Snapshot;
#[cfg(feature = "course")]
use crate::engine::rte::ApiState;
#[cfg(feature = "bridge")]
use crate::engine::rte::PersistReason;
use crate::engine::{scorm12, scorm2004};
#[cfg(any(feature = "course", feature = "bridge"))]
use crate::engine::strlist;

/// The inputs of the current API instances: what a launch record carries.
/// Kept by the course engine only (`pkg/course/`): the LMS page's side of
/// the bridge loads it, as `course.open()` does, so the drop-in carries none
/// of this.
#[derive(Default)]
pub(super) struct Inputs {
    #[cfg(feature = "course")]
    l12: Option<(scorm12::Launch, Option<Snapshot>)>,
    #[cfg(feature = "course")]
    l2004: Option<(scorm2004::Launch, Option<Snapshot>, Option<NavAnswers>)>,
}

/// A SCORM 1.2 instance, its inputs kept in `inputs`.
#[cfg_attr(not(feature = "course"), allow(unused_variables))]
pub(super) fn new_api12(inputs: &mut Inputs, launch: scorm12::Launch, saved: Option<Snapshot>) -> scorm12::Api {
    #[cfg(feature = "course")]
    {
        inputs.l12 = Some((launch.clone(), saved.clone()));
    }
    scorm12::Api::new(launch, saved)
}

/// A SCORM 2004 instance with the sequencer's `answers` (`None`: a SCO
/// outside a course), its inputs kept in `inputs`.
#[cfg_attr(not(feature = "course"), allow(unused_variables))]
pub(super) fn new_api2004(
    inputs: &mut Inputs,
    launch: scorm2004::Launch,
    saved: Option<Snapshot>,
    answers: Option<NavAnswers>,
) -> scorm2004::Api {
    #[cfg(feature = "course")]
    {
        inputs.l2004 = Some((launch.clone(), saved.clone(), answers.clone()));
    }
    let mut api = scorm2004::Api::new(launch, saved);
    if let Some(a) = answers {
        api.set_navigation_oracle(Box::new(a));
    }
    api
}

/// How a host's commits take part in a bridge session (no variant in the
/// drop-in, which has neither side).
#[derive(Debug)]
pub(crate) enum Link {
    /// The LMS page's mirror: each change set stored also counts in the
    /// session record, written after the change set in the same call.
    #[cfg(feature = "course")]
    Mirror {
        /// Where the record is stored.
        key: String,
        /// The record.
        record: SessionRecord,
    },
    /// The bridge page: change sets go to the sealed pending log.
    #[cfg(feature = "bridge")]
    Guest(Box<guest::Sink>),
}

impl Link {
    /// The mirror stored a change set.
    pub(crate) fn stored(&mut self) {
        #[cfg(feature = "course")]
        #[allow(irrefutable_let_patterns)]
        if let Link::Mirror { key, record } = self {
            record.applied += 1;
            if let Err(e) = storage::write_record(key, &record.to_json()) {
                super::console_error(&format!("scorm-shim: the bridge session record could not be stored: {e}"));
            }
        }
    }
}

/// `n` random bytes from `crypto.getRandomValues`.
#[cfg(any(feature = "course", feature = "bridge"))]
fn random_bytes(n: usize) -> Result<Vec<u8>, String> {
    let mut bytes = vec![0u8; n];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok()).ok_or("crypto.getRandomValues is not available")?;
    crypto.get_random_values_with_u8_array(&mut bytes).map_err(|_| "crypto.getRandomValues failed")?;
    Ok(bytes)
}

#[cfg(feature = "bridge")]
fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// The key of a session record: `<registration prefix><version>:bridge:<session>`.
#[cfg(feature = "course")]
fn record_key(ids: &StorageIds, version: &str, session: &str) -> String {
    format!("{}{version}:bridge:{session}", ids.registration_prefix())
}

#[cfg(feature = "course")]
#[wasm_bindgen]
impl Shim {
    /// Open a bridge session for the API instances as they are now (both
    /// must be fresh: not yet initialized): a session id and a sealing key
    /// drawn here, a session record per data model the page exposes (when
    /// it stores anything), and the launch record for the bridge, as JSON:
    /// a list of that one text, or an error ([`strlist`]).
    #[wasm_bindgen(js_name = bridgeOpen)]
    pub fn bridge_open(&mut self) -> String {
        self.bridge_open_record().map_or_else(|e| strlist::error(&e), |r| strlist::encode([r]))
    }

    /// The per-data-model change set counts of the live session this page's
    /// mirror has stored, the list `[SCORM 1.2, SCORM 2004]` (what the host
    /// acknowledges).
    #[wasm_bindgen(js_name = bridgeApplied)]
    pub fn bridge_applied(&self) -> String {
        strlist::encode([&self.host12, &self.host2004].map(|h| match &h.bridge {
            Some(Link::Mirror { record, .. }) => record.applied.to_string(),
            _ => "0".to_owned(),
        }))
    }

    /// The live session is over (the bridge said goodbye, or the page
    /// navigates on): later commits of the page's own are not the bridge's.
    #[wasm_bindgen(js_name = bridgeDetach)]
    pub fn bridge_detach(&mut self) {
        self.host12.bridge = None;
        self.host2004.bridge = None;
    }

    /// The sessions of this registration this page still keeps a record
    /// of: the list `[session, version, key, …]` (the host asks the bridge
    /// for what they stored, skipping sessions another tab still runs).
    #[wasm_bindgen(js_name = bridgeSessions)]
    pub fn bridge_sessions(&self) -> String {
        let Some(ids) = self.config.storage_ids() else { return String::new() };
        let mut out = String::new();
        for version in ["1.2", "2004"] {
            let prefix = record_key(&ids, version, "");
            for k in storage::keys_with_prefix(&prefix) {
                let session = &k[prefix.len()..];
                let Some(r) = storage::read_record(&k).and_then(|t| SessionRecord::parse(&t).ok()) else { continue };
                for item in [session, version, &r.key] {
                    strlist::push(&mut out, item);
                }
            }
        }
        out
    }

    /// Apply what the bridge stored for `session` (`pending`: the log it
    /// kept, opened): every change set the record does not count yet, in
    /// order, as this page would have stored it (the commit queue, the
    /// SCO's state), and the record counts them. Returns how many were
    /// applied (a list of that one number), or an error ([`strlist`]):
    /// errors leave the record as it was (the next launch asks again).
    #[wasm_bindgen(js_name = bridgeRecover)]
    pub fn bridge_recover(&mut self, session: &str, version: &str, pending: &str) -> String {
        self.bridge_recover_log(session, version, pending).map_or_else(|e| strlist::error(&e), |n| strlist::encode([n.to_string()]))
    }

    /// Forget the records of `session` (everything it stored is applied).
    #[wasm_bindgen(js_name = bridgeClose)]
    pub fn bridge_close(&mut self, session: &str) {
        let Some(ids) = self.config.storage_ids() else { return };
        for version in ["1.2", "2004"] {
            let k = record_key(&ids, version, session);
            if storage::read(&k).is_some() {
                storage::remove(&k);
            }
        }
    }
}

#[cfg(feature = "course")]
impl Shim {
    /// [`Shim::bridge_open`]'s launch record, or why not.
    fn bridge_open_record(&mut self) -> Result<String, String> {
        if self.api12.state() != ApiState::NotInitialized || self.api2004.state() != ApiState::NotInitialized {
            return Err("scorm-shim: bridge: the SCO's API instances are not fresh (a session ran); relaunch first".to_owned());
        }
        let session = rec::to_hex(&random_bytes(16)?);
        let key = rec::to_hex(&random_bytes(32)?);
        let sco_id = self.sco_in_session();
        let ids = self.config.storage_ids();
        let now = js_sys::Date::now() as u64;
        let (has12, has2004) = (self.config.versions.has_12(), self.config.versions.has_2004());
        for (version, host, exposed) in [("1.2", &mut self.host12, has12), ("2004", &mut self.host2004, has2004)] {
            host.bridge = None;
            let Some(ids) = ids.as_ref().filter(|_| exposed) else { continue };
            let record = SessionRecord { key: key.clone(), sco_id: sco_id.clone(), applied: 0, created_ms: now };
            let k = record_key(ids, version, &session);
            storage::write_record(&k, &record.to_json()).map_err(|e| format!("scorm-shim: bridge: the session could not be stored: {e}"))?;
            host.bridge = Some(Link::Mirror { key: k, record });
        }
        let side = |h: &LocalHost| (h.full_next, h.review_only);
        let scorm12 = self.inputs.l12.clone().filter(|_| has12).map(|(launch, saved)| {
            let (full_next, review_only) = side(&self.host12);
            Side12 { launch, saved, full_next, review_only }
        });
        let scorm2004 = self.inputs.l2004.clone().filter(|_| has2004).map(|(launch, saved, answers)| {
            let (full_next, review_only) = side(&self.host2004);
            Side2004 { launch, saved, answers, full_next, review_only }
        });
        let config = self
            .config
            .to_pairs()
            .into_iter()
            .filter(|(k, _)| rec::CONFIG_KEYS.contains(k))
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        Ok(LaunchRecord { session, key, sco_id, stores: ids.is_some(), config, scorm12, scorm2004 }.to_json())
    }

    /// [`Shim::bridge_recover`]'s count, or why not.
    fn bridge_recover_log(&mut self, session: &str, version: &str, pending: &str) -> Result<u32, String> {
        let fail = |m: &str| format!("scorm-shim: bridge: session {session} could not be recovered: {m}");
        let ids = self.config.storage_ids().ok_or_else(|| fail("this page stores nothing"))?;
        let key = record_key(&ids, version, session);
        let mut record = storage::read_record(&key).and_then(|t| SessionRecord::parse(&t).ok()).ok_or_else(|| fail("no such session"))?;
        let log = Pending::parse(pending).map_err(|e| fail(&e))?;
        let host = match version {
            "1.2" => &mut self.host12,
            "2004" => &mut self.host2004,
            _ => return Err(fail("unknown data model")),
        };
        let now = js_sys::Date::now() as u64;
        let mut applied = 0;
        let from = record.applied;
        for e in log.entries.iter().filter(|e| e.k > from) {
            if let Some(slot) = host.slot.as_mut() {
                let mut snapshot = Snapshot::new();
                if e.full {
                    for (k, v) in &e.changes {
                        snapshot.insert(k.clone(), v.clone());
                    }
                }
                slot.queue.enqueue_capped(now, &record.sco_id, e.reason, &e.changes, &snapshot, e.full).map_err(|m| fail(&m))?;
                slot.save().map_err(|m| fail(&m))?;
            }
            record.applied = e.k;
            applied += 1;
        }
        if applied > 0 {
            if let Some(s) = &log.snapshot {
                storage::write_record(&ids.state(version, &record.sco_id), &storage::encode_snapshot(s)).map_err(|m| fail(&m))?;
            }
            storage::write_record(&key, &record.to_json()).map_err(|m| fail(&m))?;
        }
        Ok(applied)
    }
}

#[cfg(feature = "course")]
impl Shim {
    /// The SCO the current API instances are for: the delivered activity in
    /// a course, else the configured SCO.
    fn sco_in_session(&self) -> String {
        match &self.current {
            Some(info) => info.activity_id.clone(),
            None => self.config.sco_id.clone(),
        }
    }
}

/// The bridge page's side.
#[cfg(feature = "bridge")]
pub(crate) mod guest {
    use super::*;
    use crate::engine::bridge::PendingEntry;
    use crate::engine::config::Config;
    use crate::engine::rte::ChangeSet;

    /// Where a session keeps a data model's pending log on the content origin.
    fn blob_key(session: &str, version: &str) -> String {
        format!("scorm-shim-bridge:{session}:{version}")
    }

    /// The change sets of one data model the LMS page has not acknowledged,
    /// sealed in the content origin's storage.
    #[derive(Debug)]
    pub struct Sink {
        key: Vec<u8>,
        storage_key: String,
        pending: Pending,
        k: u64,
    }

    impl Sink {
        fn save(&self) -> Result<(), String> {
            if self.pending.entries.is_empty() {
                storage::remove(&self.storage_key);
                return Ok(());
            }
            let nonce = random_bytes(12)?;
            let sealed = rec::seal(&self.key, &nonce, &self.storage_key, &self.pending.to_json())?;
            storage::write(&self.storage_key, &sealed)
        }

        /// Store a change set (before `Commit`/`Terminate` answers).
        pub fn persist(&mut self, reason: PersistReason, changes: &ChangeSet, snapshot: &Snapshot, full: bool) -> Result<(), String> {
            let changes = if full { snapshot.iter().map(|(k, v)| (k.clone(), v.clone())).collect() } else { changes.clone() };
            self.pending.entries.push(PendingEntry { k: self.k + 1, reason, full, changes });
            let before = self.pending.snapshot.replace(snapshot.clone());
            if let Err(e) = self.save() {
                self.pending.entries.pop();
                self.pending.snapshot = before;
                return Err(e);
            }
            self.k += 1;
            Ok(())
        }

        /// The LMS page has stored change sets `1..=k`.
        fn ack(&mut self, k: u64) {
            let before = self.pending.entries.len();
            self.pending.entries.retain(|e| e.k > k);
            if self.pending.entries.len() != before {
                if let Err(e) = self.save() {
                    console_error(&format!("scorm-shim: bridge: the pending log could not be rewritten: {e}"));
                }
            }
        }
    }

    fn sink_of(host: &LocalHost) -> Option<&Sink> {
        match &host.bridge {
            Some(Link::Guest(s)) => Some(s),
            _ => None,
        }
    }

    /// [`Shim::guest_collect`]'s log, or why none could be opened.
    fn collect(session: &str, version: &str, key_hex: &str, durable: &str) -> Result<Option<String>, String> {
        let key = rec::from_hex(key_hex, 32).ok_or("scorm-shim: bridge: bad session key")?;
        let k = blob_key(session, version);
        let durable = strlist::decode(durable).unwrap_or_default();
        let copies: Vec<String> = storage::read(&k).into_iter().chain(durable.into_iter().map(str::to_owned)).collect();
        let mut logs = Vec::new();
        let mut last_error = None;
        for sealed in &copies {
            match rec::open(&key, &k, sealed).and_then(|t| Pending::parse(&t)) {
                Ok(p) => logs.push(p),
                Err(e) => last_error = Some(e),
            }
        }
        if logs.is_empty() {
            return match last_error {
                Some(e) => Err(format!("scorm-shim: bridge: {k}: {e}")),
                None => Ok(None),
            };
        }
        let top = |p: &Pending| p.entries.last().map_or(0, |e| e.k);
        logs.sort_by_key(|p| std::cmp::Reverse(top(p)));
        let mut merged = logs.remove(0);
        for other in logs {
            for e in other.entries {
                if !merged.entries.iter().any(|m| m.k == e.k) {
                    merged.entries.push(e);
                }
            }
        }
        merged.entries.sort_by_key(|e| e.k);
        Ok(Some(merged.to_json()))
    }

    #[wasm_bindgen]
    impl Shim {
        /// The bridge page's shim: configuration `flat_config` (the launch
        /// record's entries), API instances built from `record` exactly as
        /// the LMS page built its own, commits kept in the sealed pending
        /// log until the LMS page acknowledges them. The configuration is
        /// frozen from the start.
        #[wasm_bindgen(js_name = bridgeGuest)]
        pub fn bridge_guest(flat_config: &str, record: &str) -> Result<Shim, JsValue> {
            let fail = |m: &str| error(&format!("scorm-shim: bridge: the launch record could not be used: {m}"));
            let r = LaunchRecord::parse(record).map_err(|e| fail(&e))?;
            let key = rec::from_hex(&r.key, 32).ok_or_else(|| fail("bad key"))?;
            let (config, errors) = Config::from_pairs(super::super::pairs_of(flat_config));
            if let Some(e) = errors.first() {
                return Err(fail(&e.to_string()));
            }
            let mut shim = Shim::with(config, r.session.clone());
            shim.frozen = true;
            shim.host12 = LocalHost::memory_only(&r.sco_id);
            shim.host2004 = LocalHost::memory_only(&r.sco_id);
            let sink = |version: &str| {
                Box::new(Sink { key: key.clone(), storage_key: blob_key(&r.session, version), pending: Pending::default(), k: 0 })
            };
            if let Some(s) = r.scorm12 {
                shim.api12 = new_api12(&mut shim.inputs, s.launch, s.saved);
                shim.host12.full_next = s.full_next;
                shim.host12.review_only = s.review_only;
                if r.stores {
                    shim.host12.bridge = Some(Link::Guest(sink("1.2")));
                }
            }
            if let Some(s) = r.scorm2004 {
                shim.api2004 = new_api2004(&mut shim.inputs, s.launch, s.saved, s.answers);
                shim.host2004.full_next = s.full_next;
                shim.host2004.review_only = s.review_only;
                if r.stores {
                    shim.host2004.bridge = Some(Link::Guest(sink("2004")));
                }
            }
            Ok(shim)
        }

        /// The LMS page has stored change sets `1..=k` of data model `version`.
        #[wasm_bindgen(js_name = guestAck)]
        pub fn guest_ack(&mut self, version: &str, k: f64) {
            let host = if version == "1.2" { &mut self.host12 } else { &mut self.host2004 };
            if let Some(Link::Guest(s)) = &mut host.bridge {
                s.ack(k as u64);
            }
        }

        /// The unacknowledged change sets, the list `[version, pending log
        /// JSON, …]` ([`strlist`]; sent again as the page goes away).
        #[wasm_bindgen(js_name = guestPending)]
        pub fn guest_pending(&self) -> String {
            let mut out = String::new();
            for (version, host) in [("1.2", &self.host12), ("2004", &self.host2004)] {
                if let Some(s) = sink_of(host).filter(|s| !s.pending.entries.is_empty()) {
                    strlist::push(&mut out, version);
                    strlist::push(&mut out, &s.pending.to_json());
                }
            }
            out
        }

        /// The pending log an earlier session left on this origin, opened
        /// with its key (`key_hex`, from the LMS page): a list ([`strlist`])
        /// of its JSON, or the empty list when it left none. `durable`: a
        /// list of the IndexedDB copy of the same key, when there is one
        /// (after a crash it may be newer or older than `localStorage`'s:
        /// the one that reaches the later change set counts, and the
        /// other's entries are added). An error when no copy can be opened
        /// (another key, changed): then it was not written by that session.
        #[wasm_bindgen(js_name = guestCollect)]
        pub fn guest_collect(session: &str, version: &str, key_hex: &str, durable: &str) -> String {
            match collect(session, version, key_hex, durable) {
                Ok(found) => strlist::encode(found),
                Err(e) => strlist::error(&e),
            }
        }
        /// Remove what `session` left on this origin (the LMS page has it).
        #[wasm_bindgen(js_name = guestForget)]
        pub fn guest_forget(session: &str, version: &str) {
            storage::remove(&blob_key(session, version));
        }
    }
}
