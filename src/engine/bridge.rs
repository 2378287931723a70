//! The content-origin bridge (issue 17): what the LMS page hands the bridge
//! page on the content origin, and what the bridge keeps there until the
//! LMS page has stored it.
//!
//! The LMS page stays the authority: it holds the configuration and the
//! credentials, stores, queues and sends. For each launch it builds the SCO's
//! API instances as it would for a SCO on its own page, and hands the bridge
//! the inputs it built them from (a [`LaunchRecord`]: the launch values, the
//! state the instance resumes from, the sequencer's `adl.nav.request_valid`
//! answers). The bridge builds its instances from the same inputs with the
//! same code ([`scorm12::Api::new`], [`scorm2004::Api::new`]), so every call
//! the SCO makes there is answered exactly as on the LMS page, synchronously.
//! Every call is then replayed on the LMS page's instances (the mirror),
//! which store and send as usual.
//!
//! A `Commit`/`Terminate` answers `"true"` once its change set is stored on
//! the content origin: a [`Pending`] log of the change sets the LMS page has
//! not yet acknowledged, sealed with ChaCha20-Poly1305 ([`seal`]) under a key
//! the LMS page gave for this session alone (it is kept in the LMS page's
//! storage and in the bridge's memory, never in the content origin's
//! storage). After a crash the next launch of the same registration asks the
//! bridge for the logs of the sessions the LMS page still has open, and the
//! LMS page applies the change sets it has not applied yet, counted by
//! [`PendingEntry::k`] against [`SessionRecord::applied`].
//!
//! Every format here is read only by the same build that wrote it (both
//! pages run copies of one `pkg/`); [`PROTOCOL`] is checked.

use super::course::NavAnswers;
use super::persist::json::{self, write_f64, write_key, write_str, Value};
use super::rte::{ChangeSet, PersistReason, Snapshot, ValueLimits};
use super::scorm2004::{Comment, DataStore};
use super::{scorm12, scorm2004};

/// Version of the bridge's formats and messages.
pub const PROTOCOL: u64 = 1;

/// The SCORM 1.2 half of a launch record.
#[derive(Clone, Debug, PartialEq)]
pub struct Side12 {
    /// The launch values [`scorm12::Api::new`] takes.
    pub launch: scorm12::Launch,
    /// The state it resumes from.
    pub saved: Option<Snapshot>,
    /// The first change set replaces the stored state (a new attempt).
    pub full_next: bool,
    /// Nothing is recorded (a review of an ended attempt).
    pub review_only: bool,
}

/// The SCORM 2004 half of a launch record.
#[derive(Clone, Debug, PartialEq)]
pub struct Side2004 {
    /// The launch values [`scorm2004::Api::new`] takes.
    pub launch: scorm2004::Launch,
    /// The state it resumes from.
    pub saved: Option<Snapshot>,
    /// The sequencer's `adl.nav.request_valid` answers (`None`: "unknown",
    /// a SCO outside a course).
    pub answers: Option<NavAnswers>,
    /// The first change set replaces the stored state (a new attempt).
    pub full_next: bool,
    /// Nothing is recorded (a review of an ended attempt).
    pub review_only: bool,
}

/// What the bridge needs to run a SCO's API instances as the LMS page does.
#[derive(Clone, Debug, PartialEq)]
pub struct LaunchRecord {
    /// The session: 32 hex digits the LMS page drew for this launch.
    pub session: String,
    /// The session's sealing key: 64 hex digits (32 bytes).
    pub key: String,
    /// The SCO whose data the session holds.
    pub sco_id: String,
    /// False when the LMS page stores nothing (no learner and registration
    /// configured): the bridge keeps nothing either.
    pub stores: bool,
    /// Configuration entries for the bridge's installer (value limits, log
    /// level, versions): never credentials, endpoint or ids.
    pub config: Vec<(String, String)>,
    /// The SCORM 1.2 instance, when the page exposes `window.API`.
    pub scorm12: Option<Side12>,
    /// The SCORM 2004 instance, when the page exposes `window.API_1484_11`.
    pub scorm2004: Option<Side2004>,
}

/// The configuration keys a launch record carries (the rest stays on the LMS page).
pub const CONFIG_KEYS: &[&str] = &["versions", "logLevel", "maxBodyBytes", "scorm12SuspendDataLimit", "scorm2004StringLimit"];

// ---- Writing -------------------------------------------------------------

fn put_str(o: &mut String, key: &str, v: &str) {
    write_key(o, key, false);
    write_str(o, v);
}

fn put_opt_str(o: &mut String, key: &str, v: Option<&str>) {
    write_key(o, key, false);
    match v {
        Some(v) => write_str(o, v),
        None => o.push_str("null"),
    }
}

fn put_bool(o: &mut String, key: &str, v: bool) {
    write_key(o, key, false);
    o.push_str(if v { "true" } else { "false" });
}

fn put_num(o: &mut String, key: &str, v: u64) {
    write_key(o, key, false);
    o.push_str(&v.to_string());
}

fn put_opt_f64(o: &mut String, key: &str, v: Option<f64>) {
    write_key(o, key, false);
    match v {
        // write_f64 writes the shortest text parse_f64 reads back exactly.
        Some(x) if x.is_finite() => write_f64(o, x),
        _ => o.push_str("null"),
    }
}

/// A snapshot as a JSON object, or `null`.
fn write_snapshot(o: &mut String, s: Option<&Snapshot>) {
    let Some(s) = s else {
        o.push_str("null");
        return;
    };
    o.push('{');
    for (i, (k, v)) in s.iter().enumerate() {
        write_key(o, k, i == 0);
        write_str(o, v);
    }
    o.push('}');
}

fn write_pairs<'a>(o: &mut String, pairs: impl Iterator<Item = (&'a str, &'a str)>) {
    o.push('[');
    for (i, (k, v)) in pairs.enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push('[');
        write_str(o, k);
        o.push(',');
        write_str(o, v);
        o.push(']');
    }
    o.push(']');
}

fn write_launch12(o: &mut String, l: &scorm12::Launch) {
    // Destructured, so a new launch field cannot be left out of the record.
    let scorm12::Launch {
        student_id,
        student_name,
        credit,
        lesson_mode,
        launch_data,
        comments_from_lms,
        mastery_score,
        max_time_allowed,
        time_limit_action,
        suspend_data_limit,
        lenient_feedback,
        max_value_chars,
    } = l;
    o.push('{');
    write_key(o, "student_id", true);
    write_str(o, student_id);
    put_str(o, "student_name", student_name);
    put_bool(o, "credit", *credit);
    put_str(o, "lesson_mode", lesson_mode);
    put_str(o, "launch_data", launch_data);
    put_str(o, "comments_from_lms", comments_from_lms);
    put_opt_f64(o, "mastery_score", *mastery_score);
    put_opt_str(o, "max_time_allowed", max_time_allowed.as_deref());
    put_opt_str(o, "time_limit_action", time_limit_action.as_deref());
    put_num(o, "suspend_data_limit", *suspend_data_limit as u64);
    put_bool(o, "lenient_feedback", *lenient_feedback);
    put_num(o, "max_value_chars", *max_value_chars as u64);
    o.push('}');
}

fn write_launch2004(o: &mut String, l: &scorm2004::Launch) {
    let scorm2004::Launch {
        learner_id,
        learner_name,
        credit,
        mode,
        launch_data,
        completion_threshold,
        scaled_passing_score,
        max_time_allowed,
        time_limit_action,
        objective_ids,
        objective_values,
        data_stores,
        comments_from_lms,
        learner_preference,
        limits,
    } = l;
    o.push('{');
    write_key(o, "learner_id", true);
    write_str(o, learner_id);
    put_str(o, "learner_name", learner_name);
    put_bool(o, "credit", *credit);
    put_str(o, "mode", mode);
    put_str(o, "launch_data", launch_data);
    put_opt_f64(o, "completion_threshold", *completion_threshold);
    put_opt_f64(o, "scaled_passing_score", *scaled_passing_score);
    put_opt_str(o, "max_time_allowed", max_time_allowed.as_deref());
    put_opt_str(o, "time_limit_action", time_limit_action.as_deref());
    write_key(o, "objective_ids", false);
    o.push('[');
    for (i, id) in objective_ids.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        write_str(o, id);
    }
    o.push(']');
    write_key(o, "objective_values", false);
    o.push('[');
    for (i, (id, field, value)) in objective_values.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push('[');
        write_str(o, id);
        o.push(',');
        write_str(o, field);
        o.push(',');
        write_str(o, value);
        o.push(']');
    }
    o.push(']');
    write_key(o, "data_stores", false);
    o.push('[');
    for (i, DataStore { id, read, write, value }) in data_stores.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push('{');
        write_key(o, "id", true);
        write_str(o, id);
        put_bool(o, "read", *read);
        put_bool(o, "write", *write);
        put_opt_str(o, "value", value.as_deref());
        o.push('}');
    }
    o.push(']');
    write_key(o, "comments_from_lms", false);
    o.push('[');
    for (i, Comment { comment, location, timestamp }) in comments_from_lms.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push('{');
        write_key(o, "comment", true);
        write_str(o, comment);
        put_str(o, "location", location);
        put_str(o, "timestamp", timestamp);
        o.push('}');
    }
    o.push(']');
    write_key(o, "learner_preference", false);
    match learner_preference {
        Some(p) => {
            o.push('[');
            for (i, v) in p.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                write_str(o, v);
            }
            o.push(']');
        }
        None => o.push_str("null"),
    }
    let ValueLimits { max_chars, spm } = limits;
    write_key(o, "limits", false);
    o.push('{');
    write_key(o, "max_chars", true);
    o.push_str(&(*max_chars as u64).to_string());
    put_bool(o, "spm", *spm);
    o.push_str("}}");
}

fn write_answers(o: &mut String, a: Option<&NavAnswers>) {
    let Some(NavAnswers { continue_, previous, targets }) = a else {
        o.push_str("null");
        return;
    };
    o.push('{');
    write_key(o, "continue", true);
    o.push_str(if *continue_ { "true" } else { "false" });
    put_bool(o, "previous", *previous);
    write_key(o, "targets", false);
    o.push('[');
    for (i, (id, choice, jump)) in targets.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push('[');
        write_str(o, id);
        o.push_str(if *choice { ",true" } else { ",false" });
        o.push_str(if *jump { ",true]" } else { ",false]" });
    }
    o.push_str("]}");
}

impl LaunchRecord {
    /// The record as JSON (read back by [`LaunchRecord::parse`]).
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "v", true);
        o.push_str(&PROTOCOL.to_string());
        put_str(&mut o, "session", &self.session);
        put_str(&mut o, "key", &self.key);
        put_str(&mut o, "sco", &self.sco_id);
        put_bool(&mut o, "stores", self.stores);
        write_key(&mut o, "config", false);
        write_pairs(&mut o, self.config.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        write_key(&mut o, "scorm12", false);
        match &self.scorm12 {
            Some(s) => {
                o.push('{');
                write_key(&mut o, "launch", true);
                write_launch12(&mut o, &s.launch);
                write_key(&mut o, "saved", false);
                write_snapshot(&mut o, s.saved.as_ref());
                put_bool(&mut o, "full_next", s.full_next);
                put_bool(&mut o, "review_only", s.review_only);
                o.push('}');
            }
            None => o.push_str("null"),
        }
        write_key(&mut o, "scorm2004", false);
        match &self.scorm2004 {
            Some(s) => {
                o.push('{');
                write_key(&mut o, "launch", true);
                write_launch2004(&mut o, &s.launch);
                write_key(&mut o, "saved", false);
                write_snapshot(&mut o, s.saved.as_ref());
                write_key(&mut o, "answers", false);
                write_answers(&mut o, s.answers.as_ref());
                put_bool(&mut o, "full_next", s.full_next);
                put_bool(&mut o, "review_only", s.review_only);
                o.push('}');
            }
            None => o.push_str("null"),
        }
        o.push('}');
        o
    }

    /// Read a record [`LaunchRecord::to_json`] wrote. Every field must be
    /// there with its type: a record from another build is refused, not
    /// half-read.
    pub fn parse(text: &str) -> Result<LaunchRecord, String> {
        let v = json::parse(text)?;
        if v.get("v").and_then(Value::as_u64) != Some(PROTOCOL) {
            return Err(format!("launch record of another protocol version (this is {PROTOCOL})"));
        }
        let session = text_of(&v, "session")?;
        let key = text_of(&v, "key")?;
        if !is_hex(&session, 32) || !is_hex(&key, 64) {
            return Err("launch record: session or key malformed".into());
        }
        let mut config = Vec::new();
        for pair in arr(&v, "config")? {
            match pair.as_arr() {
                Some([Value::Str(k), Value::Str(val)]) if CONFIG_KEYS.contains(&k.as_str()) => config.push((k.clone(), val.clone())),
                _ => return Err("launch record: \"config\": [key, value] pairs of the bridge's keys expected".into()),
            }
        }
        let scorm12 = match v.get("scorm12") {
            None | Some(Value::Null) => None,
            Some(s) => Some(Side12 {
                launch: read_launch12(s.get("launch").ok_or("scorm12.launch missing")?)?,
                saved: read_snapshot(s.get("saved").unwrap_or(&Value::Null))?,
                full_next: flag(s, "full_next")?,
                review_only: flag(s, "review_only")?,
            }),
        };
        let scorm2004 = match v.get("scorm2004") {
            None | Some(Value::Null) => None,
            Some(s) => Some(Side2004 {
                launch: read_launch2004(s.get("launch").ok_or("scorm2004.launch missing")?)?,
                saved: read_snapshot(s.get("saved").unwrap_or(&Value::Null))?,
                answers: read_answers(s.get("answers").unwrap_or(&Value::Null))?,
                full_next: flag(s, "full_next")?,
                review_only: flag(s, "review_only")?,
            }),
        };
        Ok(LaunchRecord { session, key, sco_id: text_of(&v, "sco")?, stores: flag(&v, "stores")?, config, scorm12, scorm2004 })
    }
}

// ---- Reading -------------------------------------------------------------

fn text_of(v: &Value, key: &str) -> Result<String, String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("\"{key}\": string expected"))
}

fn opt_text(v: &Value, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        _ => Err(format!("\"{key}\": string or null expected")),
    }
}

fn flag(v: &Value, key: &str) -> Result<bool, String> {
    v.get(key).and_then(Value::as_bool).ok_or_else(|| format!("\"{key}\": boolean expected"))
}

fn count(v: &Value, key: &str) -> Result<usize, String> {
    let n = v.get(key).and_then(Value::as_u64).ok_or_else(|| format!("\"{key}\": integer expected"))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

fn opt_real(v: &Value, key: &str) -> Result<Option<f64>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Num(n)) => json::parse_f64(n).map(Some).ok_or_else(|| format!("\"{key}\": bad number")),
        _ => Err(format!("\"{key}\": number or null expected")),
    }
}

fn arr<'a>(v: &'a Value, key: &str) -> Result<&'a [Value], String> {
    v.get(key).and_then(Value::as_arr).ok_or_else(|| format!("\"{key}\": array expected"))
}

fn strings(v: &[Value], what: &str) -> Result<Vec<String>, String> {
    v.iter().map(|s| s.as_str().map(str::to_owned).ok_or_else(|| format!("{what}: strings expected"))).collect()
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn read_snapshot(v: &Value) -> Result<Option<Snapshot>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Obj(members) => {
            let mut snap = Snapshot::new();
            for (k, val) in members {
                snap.insert(k.clone(), val.as_str().ok_or("snapshot: string values expected")?.to_owned());
            }
            Ok(Some(snap))
        }
        _ => Err("snapshot: object or null expected".into()),
    }
}

fn read_launch12(v: &Value) -> Result<scorm12::Launch, String> {
    Ok(scorm12::Launch {
        student_id: text_of(v, "student_id")?,
        student_name: text_of(v, "student_name")?,
        credit: flag(v, "credit")?,
        lesson_mode: text_of(v, "lesson_mode")?,
        launch_data: text_of(v, "launch_data")?,
        comments_from_lms: text_of(v, "comments_from_lms")?,
        mastery_score: opt_real(v, "mastery_score")?,
        max_time_allowed: opt_text(v, "max_time_allowed")?,
        time_limit_action: opt_text(v, "time_limit_action")?,
        suspend_data_limit: count(v, "suspend_data_limit")?,
        lenient_feedback: flag(v, "lenient_feedback")?,
        max_value_chars: count(v, "max_value_chars")?,
    })
}

fn read_launch2004(v: &Value) -> Result<scorm2004::Launch, String> {
    let mut objective_values = Vec::new();
    for t in arr(v, "objective_values")? {
        match strings(t.as_arr().unwrap_or(&[]), "objective_values")?.as_slice() {
            [a, b, c] => objective_values.push((a.clone(), b.clone(), c.clone())),
            _ => return Err("\"objective_values\": [id, element, value] expected".into()),
        }
    }
    let mut data_stores = Vec::new();
    for d in arr(v, "data_stores")? {
        data_stores.push(DataStore { id: text_of(d, "id")?, read: flag(d, "read")?, write: flag(d, "write")?, value: opt_text(d, "value")? });
    }
    let mut comments_from_lms = Vec::new();
    for c in arr(v, "comments_from_lms")? {
        comments_from_lms.push(Comment { comment: text_of(c, "comment")?, location: text_of(c, "location")?, timestamp: text_of(c, "timestamp")? });
    }
    let learner_preference = match v.get("learner_preference") {
        None | Some(Value::Null) => None,
        Some(p) => match strings(p.as_arr().unwrap_or(&[]), "learner_preference")?.as_slice() {
            [a, b, c, d] => Some([a.clone(), b.clone(), c.clone(), d.clone()]),
            _ => return Err("\"learner_preference\": four strings expected".into()),
        },
    };
    let limits = v.get("limits").ok_or("\"limits\" missing")?;
    Ok(scorm2004::Launch {
        learner_id: text_of(v, "learner_id")?,
        learner_name: text_of(v, "learner_name")?,
        credit: flag(v, "credit")?,
        mode: text_of(v, "mode")?,
        launch_data: text_of(v, "launch_data")?,
        completion_threshold: opt_real(v, "completion_threshold")?,
        scaled_passing_score: opt_real(v, "scaled_passing_score")?,
        max_time_allowed: opt_text(v, "max_time_allowed")?,
        time_limit_action: opt_text(v, "time_limit_action")?,
        objective_ids: strings(arr(v, "objective_ids")?, "objective_ids")?,
        objective_values,
        data_stores,
        comments_from_lms,
        learner_preference,
        limits: ValueLimits { max_chars: count(limits, "max_chars")?, spm: flag(limits, "spm")? },
    })
}

fn read_answers(v: &Value) -> Result<Option<NavAnswers>, String> {
    if *v == Value::Null {
        return Ok(None);
    }
    let mut targets = Vec::new();
    for t in arr(v, "targets")? {
        match t.as_arr() {
            Some([Value::Str(id), Value::Bool(choice), Value::Bool(jump)]) => targets.push((id.clone(), *choice, *jump)),
            _ => return Err("\"targets\": [id, choice, jump] expected".into()),
        }
    }
    Ok(Some(NavAnswers { continue_: flag(v, "continue")?, previous: flag(v, "previous")?, targets }))
}

// ---- The bridge's pending log ----------------------------------------------

/// One change set the bridge stored and the LMS page has not acknowledged.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingEntry {
    /// Its number in the session and data model: 1 for the first change
    /// set stored, then 2, … (the LMS page counts the same).
    pub k: u64,
    /// Commit or Terminate.
    pub reason: PersistReason,
    /// True when `changes` is the SCO's whole state (a new attempt's first).
    pub full: bool,
    /// Element → value, in order of first change.
    pub changes: ChangeSet,
}

/// The change sets of one session and data model that the LMS page has not
/// acknowledged, and the SCO's state after the last of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pending {
    /// Oldest first.
    pub entries: Vec<PendingEntry>,
    /// The SCO's whole state after the last change set stored.
    pub snapshot: Option<Snapshot>,
}

impl Pending {
    /// The log as JSON.
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "v", true);
        o.push_str(&PROTOCOL.to_string());
        write_key(&mut o, "entries", false);
        o.push('[');
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push('{');
            write_key(&mut o, "k", true);
            o.push_str(&e.k.to_string());
            put_str(&mut o, "reason", if e.reason == PersistReason::Terminate { "terminate" } else { "commit" });
            put_bool(&mut o, "full", e.full);
            write_key(&mut o, "changes", false);
            write_pairs(&mut o, e.changes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            o.push('}');
        }
        o.push(']');
        write_key(&mut o, "snapshot", false);
        write_snapshot(&mut o, self.snapshot.as_ref());
        o.push('}');
        o
    }

    /// Read a log [`Pending::to_json`] wrote.
    pub fn parse(text: &str) -> Result<Pending, String> {
        let v = json::parse(text)?;
        if v.get("v").and_then(Value::as_u64) != Some(PROTOCOL) {
            return Err("pending log of another protocol version".into());
        }
        let mut entries = Vec::new();
        for e in arr(&v, "entries")? {
            let reason = match e.get("reason").and_then(Value::as_str) {
                Some("commit") => PersistReason::Commit,
                Some("terminate") => PersistReason::Terminate,
                _ => return Err("pending entry: reason \"commit\" or \"terminate\" expected".into()),
            };
            let mut changes = ChangeSet::new();
            for c in arr(e, "changes")? {
                match c.as_arr() {
                    Some([Value::Str(k), Value::Str(val)]) => changes.push((k.clone(), val.clone())),
                    _ => return Err("pending entry: [element, value] changes expected".into()),
                }
            }
            let k = e.get("k").and_then(Value::as_u64).filter(|&k| k > 0).ok_or("pending entry: k ≥ 1 expected")?;
            entries.push(PendingEntry { k, reason, full: flag(e, "full")?, changes });
        }
        Ok(Pending { entries, snapshot: read_snapshot(v.get("snapshot").unwrap_or(&Value::Null))? })
    }
}

// ---- The LMS page's record of a session --------------------------------------

/// What the LMS page keeps (in its own storage) about one bridge session of
/// one data model, until it has everything the bridge stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// The session's sealing key (64 hex digits).
    pub key: String,
    /// The SCO.
    pub sco_id: String,
    /// The change sets of the session this page has applied: 1..=applied.
    pub applied: u64,
    /// When the session was opened (ms since the epoch).
    pub created_ms: u64,
}

impl SessionRecord {
    /// The record as JSON.
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "key", true);
        write_str(&mut o, &self.key);
        put_str(&mut o, "sco", &self.sco_id);
        put_num(&mut o, "applied", self.applied);
        put_num(&mut o, "created", self.created_ms);
        o.push('}');
        o
    }

    /// Read a record [`SessionRecord::to_json`] wrote.
    pub fn parse(text: &str) -> Result<SessionRecord, String> {
        let v = json::parse(text)?;
        let key = text_of(&v, "key")?;
        if !is_hex(&key, 64) {
            return Err("session record: key malformed".into());
        }
        Ok(SessionRecord {
            key,
            sco_id: text_of(&v, "sco")?,
            applied: v.get("applied").and_then(Value::as_u64).ok_or("session record: applied missing")?,
            created_ms: v.get("created").and_then(Value::as_u64).unwrap_or(0),
        })
    }
}

// ---- Sealing ---------------------------------------------------------------

/// `n` bytes from hex digits (`None` unless exactly `2n` lowercase digits).
pub fn from_hex(s: &str, n: usize) -> Option<Vec<u8>> {
    if !is_hex(s, 2 * n) {
        return None;
    }
    let digit = |b: u8| if b.is_ascii_digit() { b - b'0' } else { b - b'a' + 10 };
    Some(s.as_bytes().chunks_exact(2).map(|p| (digit(p[0]) << 4) | digit(p[1])).collect())
}

/// Lowercase hex digits of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * bytes.len());
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                s.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn unbase64(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (q, quad) in b.chunks_exact(4).enumerate() {
        let last = q + 1 == b.len() / 4;
        let mut n = 0u32;
        let mut pad = 0;
        for (i, &c) in quad.iter().enumerate() {
            let v = match c {
                b'=' if last && i >= 2 => {
                    pad += 1;
                    0
                }
                _ if pad > 0 => return None,
                _ => B64.iter().position(|&x| x == c)? as u32,
            };
            n = (n << 6) | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Seal `plain` under `key` (32 bytes) with `nonce` (12 bytes, never used
/// twice with one key: the bridge draws it at random), binding `aad` (the
/// storage key it is written under): ChaCha20-Poly1305 (RFC 8439), as
/// base64 of the nonce followed by the ciphertext and its tag.
pub fn seal(key: &[u8], nonce: &[u8], aad: &str, plain: &str) -> Result<String, String> {
    use chacha20poly1305::aead::{Aead, Payload};
    use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
    let cipher = ChaCha20Poly1305::new_from_slice(key).map_err(|_| "sealing key: 32 bytes expected")?;
    let n = chacha20poly1305::Nonce::try_from(nonce).map_err(|_| "nonce: 12 bytes expected")?;
    let sealed = cipher.encrypt(&n, Payload { msg: plain.as_bytes(), aad: aad.as_bytes() }).map_err(|_| "sealing failed")?;
    let mut all = nonce.to_vec();
    all.extend_from_slice(&sealed);
    Ok(base64(&all))
}

/// Open what [`seal`] made with `key` and `aad`: the text, or an error when
/// it was made with another key or storage key, or changed in any way.
pub fn open(key: &[u8], aad: &str, sealed: &str) -> Result<String, String> {
    use chacha20poly1305::aead::{Aead, Payload};
    use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
    let bytes = unbase64(sealed).ok_or("sealed text: not base64")?;
    if bytes.len() < 12 + 16 {
        return Err("sealed text: too short".into());
    }
    let (nonce, body) = bytes.split_at(12);
    let cipher = ChaCha20Poly1305::new_from_slice(key).map_err(|_| "sealing key: 32 bytes expected")?;
    let n = chacha20poly1305::Nonce::try_from(nonce).map_err(|_| "nonce: 12 bytes expected")?;
    let plain = cipher
        .decrypt(&n, Payload { msg: body, aad: aad.as_bytes() })
        .map_err(|_| "sealed text: not made with this session's key, or changed")?;
    String::from_utf8(plain).map_err(|_| "sealed text: not UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(pairs: &[(&str, &str)]) -> Snapshot {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn full_record() -> LaunchRecord {
        LaunchRecord {
            session: "0123456789abcdef0123456789abcdef".into(),
            key: "ab".repeat(32),
            sco_id: "sco \"1\"".into(),
            stores: true,
            config: vec![("versions".into(), "1.2,2004".into()), ("maxBodyBytes".into(), "65536".into())],
            scorm12: Some(Side12 {
                launch: scorm12::Launch {
                    student_id: "u-1".into(),
                    student_name: "Doe, Jane ☃".into(),
                    credit: false,
                    lesson_mode: "browse".into(),
                    launch_data: "a\u{1}b\n".into(),
                    comments_from_lms: "c".into(),
                    mastery_score: Some(0.1 + 0.2),
                    max_time_allowed: Some("00:30:00".into()),
                    time_limit_action: None,
                    suspend_data_limit: 4096,
                    lenient_feedback: true,
                    max_value_chars: usize::MAX,
                },
                saved: Some(snap(&[("cmi.core.lesson_status", "incomplete"), ("cmi.suspend_data", "x\"y")])),
                full_next: true,
                review_only: false,
            }),
            scorm2004: Some(Side2004 {
                launch: scorm2004::Launch {
                    completion_threshold: Some(0.75),
                    scaled_passing_score: Some(-1e-7),
                    max_time_allowed: Some("PT1H".into()),
                    time_limit_action: Some("exit,message".into()),
                    objective_ids: vec!["o1".into(), "o 2".into()],
                    objective_values: vec![("o1".into(), "score.scaled".into(), "0.5".into())],
                    data_stores: vec![DataStore { id: "d".into(), read: true, write: false, value: None }],
                    comments_from_lms: vec![Comment { comment: "{lang=en}hi".into(), location: "l".into(), timestamp: String::new() }],
                    learner_preference: Some(["1".into(), "fr".into(), "1".into(), "0".into()]),
                    limits: ValueLimits { max_chars: 174_762, spm: true },
                    ..scorm2004::Launch::default()
                },
                saved: None,
                answers: Some(NavAnswers { continue_: true, previous: false, targets: vec![("a".into(), true, false), ("b".into(), false, true)] }),
                full_next: false,
                review_only: true,
            }),
        }
    }

    #[test]
    fn a_launch_record_reads_back_as_written() {
        let r = full_record();
        assert_eq!(LaunchRecord::parse(&r.to_json()), Ok(r.clone()));
        let only = LaunchRecord { scorm12: None, scorm2004: Some(Side2004 { answers: None, ..r.scorm2004.clone().unwrap() }), ..r };
        assert_eq!(LaunchRecord::parse(&only.to_json()), Ok(only));
    }

    #[test]
    fn a_launch_record_of_another_shape_is_refused() {
        let good = full_record().to_json();
        for bad in [
            good.replacen("\"v\":1", "\"v\":2", 1),
            good.replacen("\"credit\":false", "\"credit\":\"no\"", 1),
            good.replacen("0123456789abcdef0123456789abcdef", "0123", 1),
            good.replacen("\"maxBodyBytes\"", "\"endpoint\"", 1),
            good.replacen("\"limits\"", "\"limitz\"", 1),
            good[..good.len() - 1].to_string(),
            "[]".to_string(),
        ] {
            assert!(LaunchRecord::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_record_makes_the_same_api_instance() {
        // What the bridge builds answers every call as the LMS page's instance does.
        let r = LaunchRecord::parse(&full_record().to_json()).unwrap();
        let mine = full_record().scorm2004.unwrap();
        let theirs = r.scorm2004.unwrap();
        let mut a = scorm2004::Api::new(mine.launch, mine.saved);
        a.set_navigation_oracle(Box::new(mine.answers.unwrap()));
        let mut b = scorm2004::Api::new(theirs.launch, theirs.saved);
        b.set_navigation_oracle(Box::new(theirs.answers.unwrap()));
        let mut host = crate::engine::rte::RecordingHost::default();
        let mut host2 = crate::engine::rte::RecordingHost::default();
        assert_eq!(a.initialize(""), b.initialize(""));
        for el in [
            "cmi.completion_threshold",
            "cmi.scaled_passing_score",
            "cmi.objectives.1.id",
            "cmi.objectives.0.score.scaled",
            "adl.data.0.store",
            "cmi.comments_from_lms.0.comment",
            "cmi.learner_preference.language",
            "adl.nav.request_valid.continue",
            "adl.nav.request_valid.choice.{target=a}",
            "adl.nav.request_valid.jump.{target=b}",
            "cmi.max_time_allowed",
        ] {
            assert_eq!(a.get_value(el), b.get_value(el), "{el}");
            assert_eq!(a.get_last_error(), b.get_last_error(), "{el}");
        }
        let long = "x".repeat(4001);
        for (el, v) in [("cmi.location", long.as_str()), ("cmi.location", "p1"), ("cmi.score.scaled", "0.8")] {
            assert_eq!(a.set_value(el, v), b.set_value(el, v));
            assert_eq!(a.get_last_error(), b.get_last_error());
        }
        assert_eq!(a.commit("", &mut host), b.commit("", &mut host2));
        assert_eq!(host.persisted, host2.persisted);
    }

    #[test]
    fn a_pending_log_reads_back_as_written() {
        let p = Pending {
            entries: vec![
                PendingEntry { k: 1, reason: PersistReason::Commit, full: true, changes: vec![("cmi.location".into(), "é\u{2028}".into())] },
                PendingEntry { k: 2, reason: PersistReason::Terminate, full: false, changes: vec![] },
            ],
            snapshot: Some(snap(&[("cmi.location", "é\u{2028}")])),
        };
        assert_eq!(Pending::parse(&p.to_json()), Ok(p));
        assert_eq!(Pending::parse(&Pending::default().to_json()), Ok(Pending::default()));
        assert!(Pending::parse("{\"v\":1,\"entries\":[{\"k\":0,\"reason\":\"commit\",\"full\":false,\"changes\":[]}]}").is_err());
    }

    #[test]
    fn a_session_record_reads_back_as_written() {
        let r = SessionRecord { key: "0f".repeat(32), sco_id: "s:1".into(), applied: 7, created_ms: 1_767_225_600_000 };
        assert_eq!(SessionRecord::parse(&r.to_json()), Ok(r));
        assert!(SessionRecord::parse("{\"key\":\"00\",\"sco\":\"s\",\"applied\":1}").is_err());
    }

    #[test]
    fn hex_and_base64_round_trip() {
        for n in 0..40usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(from_hex(&to_hex(&bytes), n), Some(bytes.clone()));
            assert_eq!(unbase64(&base64(&bytes)), Some(bytes));
        }
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(unbase64("Zm8="), Some(b"fo".to_vec()));
        for bad in ["Zm8", "Z=m8", "Zm=8", "Zm8=Zm8=", "Zm!="] {
            assert_eq!(unbase64(bad), None, "{bad}");
        }
        assert_eq!(from_hex("0G", 1), None);
        assert_eq!(from_hex("AB", 1), None);
    }

    #[test]
    fn sealed_text_opens_only_with_its_key_and_name() {
        let key = [7u8; 32];
        let nonce = [1u8; 12];
        let text = "{\"v\":1,\"entries\":[]}";
        let sealed = seal(&key, &nonce, "scorm-shim-bridge:s:2004", text).unwrap();
        assert!(!sealed.contains("entries"), "the text is not readable");
        assert_eq!(open(&key, "scorm-shim-bridge:s:2004", &sealed).as_deref(), Ok(text));
        assert!(open(&[8u8; 32], "scorm-shim-bridge:s:2004", &sealed).is_err(), "another key");
        assert!(open(&key, "scorm-shim-bridge:s:1.2", &sealed).is_err(), "moved to another storage key");
        let mut bytes = unbase64(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(open(&key, "scorm-shim-bridge:s:2004", &base64(&bytes)).is_err(), "changed");
        assert!(open(&key, "x", "AAAA").is_err());
        assert!(seal(&key[..16], &nonce, "x", text).is_err());
        // RFC 8439 §2.8.2 test vector.
        let key: Vec<u8> = (0x80u8..=0x9f).collect();
        let nonce = [0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47];
        let aad = "\u{50}\u{51}\u{52}\u{53}\u{c0}"; // not the RFC's bytes: only the ciphertext's first bytes are checked below
        let plain = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let out = unbase64(&seal(&key, &nonce, aad, plain).unwrap()).unwrap();
        assert_eq!(to_hex(&out[12..28]), "d31a8d34648e60db7b86afbc53ef7ec2");
    }
}
