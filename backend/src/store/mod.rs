//! The store: registrations, per-SCO snapshots and the log of received
//! batches, behind one trait ([`Store`]) with two implementations, SQLite
//! (embedded, the default) and PostgreSQL (selected by a connection URL).
//!
//! What a batch does is decided here, once, by [`decide`]: a pure function of
//! the registration's row, the log record under the batch's key (if any) and
//! the batch. The stores only do the I/O around it, in one database
//! transaction per request, holding the registration's row lock (PostgreSQL
//! `SELECT … FOR UPDATE`, SQLite `BEGIN IMMEDIATE`), so every protocol
//! guarantee (docs/PROTOCOL.md, "Processing rules") holds with any number of
//! backend processes on one database. The schema backs them with constraints:
//! `(registration, seq)` and `(registration, key)` are unique, and
//! `last_seq` only moves by a compare-and-set from `seq - 1` to `seq`.

pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The envelope of a `POST /api/batches` body.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub version: String,
    pub learner: String,
    pub course: String,
    pub registration: String,
    pub batches: Vec<Batch>,
}

/// One batch of a request.
#[derive(Debug, Clone)]
pub struct Batch {
    pub seq: u64,
    pub key: String,
    pub sco: String,
    pub reason: String,
    pub full: bool,
    pub ts: u64,
    pub changes: Vec<(String, String)>,
}

/// Longest identifier (learner, course, registration, SCO, key, element)
/// accepted, in bytes.
pub const MAX_ID: usize = 1024;

fn text(v: &Value, k: &str) -> Result<String, String> {
    match v.get(k).and_then(Value::as_str) {
        Some(s) if s.contains('\0') => Err(format!("field {k:?} contains U+0000")),
        Some(s) if !s.is_empty() && s.len() <= MAX_ID => Ok(s.to_owned()),
        Some(s) if s.len() > MAX_ID => Err(format!("field {k:?} is longer than {MAX_ID} bytes")),
        _ => Err(format!("missing or empty string field {k:?}")),
    }
}

/// Parse and check the shape of a request body. The messages are ours (the
/// JSON parser's own text is not passed on: SECURITY.md).
pub fn parse_envelope(body: &str) -> Result<Envelope, String> {
    let v: Value = serde_json::from_str(body).map_err(|_| "body is not JSON".to_owned())?;
    if v.get("protocol").and_then(Value::as_u64) != Some(1) {
        return Err("unsupported protocol (expected 1)".into());
    }
    let version = text(&v, "version")?;
    if version != "1.2" && version != "2004" {
        return Err("unknown version (expected \"1.2\" or \"2004\")".into());
    }
    let mut batches = Vec::new();
    let list = v.get("batches").and_then(Value::as_array).ok_or("missing batches array")?;
    if list.is_empty() {
        return Err("batches is empty".into());
    }
    for (i, b) in list.iter().enumerate() {
        let e = |m: String| format!("batch {i}: {m}");
        let seq = b.get("seq").and_then(Value::as_u64).filter(|s| *s >= 1 && *s <= i64::MAX as u64);
        let reason = text(b, "reason").map_err(e)?;
        if reason != "commit" && reason != "terminate" {
            return Err(e("unknown reason (expected \"commit\" or \"terminate\")".into()));
        }
        let mut changes = Vec::new();
        for c in b.get("changes").and_then(Value::as_array).ok_or_else(|| e("missing changes".into()))? {
            match c.as_array().map(Vec::as_slice) {
                Some([Value::String(k), Value::String(val)]) if k.len() <= MAX_ID => changes.push((k.clone(), val.clone())),
                _ => return Err(e("a change must be [element, value] strings".into())),
            }
        }
        batches.push(Batch {
            seq: seq.ok_or_else(|| e("seq must be a positive integer".into()))?,
            key: text(b, "key").map_err(e)?,
            sco: text(b, "sco").map_err(e)?,
            reason,
            full: b.get("full").and_then(Value::as_bool).unwrap_or(false),
            ts: b.get("ts").and_then(Value::as_u64).unwrap_or(0).min(i64::MAX as u64),
            changes,
        });
    }
    Ok(Envelope {
        version,
        learner: text(&v, "learner")?,
        course: text(&v, "course")?,
        registration: text(&v, "registration")?,
        batches,
    })
}

/// The hash a replay is compared by (with the key): SHA-256 over the
/// batch's identity and content in a fixed serialization. `ts` is left
/// out: it is informative.
pub fn body_hash(env: &Envelope, b: &Batch) -> String {
    let canonical = json!([
        1,
        env.version,
        env.learner,
        env.course,
        env.registration,
        b.seq,
        b.key,
        b.sco,
        b.reason,
        b.full,
        b.changes
    ]);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn validate(version: &str, element: &str, value: &str) -> Result<(), String> {
    // PostgreSQL's text cannot hold U+0000; both stores refuse it alike.
    if value.contains('\0') {
        return Err("the value contains U+0000, which cannot be stored".into());
    }
    if version == "1.2" {
        scorm_shim::engine::scorm12::validate_stored(element, value)
    } else {
        scorm_shim::engine::scorm2004::validate_stored(element, value)
    }
}

/// A registration's snapshots: SCO → element → value.
pub type Scos = BTreeMap<String, BTreeMap<String, String>>;

/// The stored head of a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegRow {
    pub learner: String,
    pub course: String,
    pub version: String,
    pub last_seq: u64,
}

/// The log record found under a batch's key.
#[derive(Debug, Clone)]
pub struct KnownKey {
    pub status: u16,
    pub answer: String,
    /// `None` for records written before replays were compared by hash.
    pub body_hash: Option<String>,
}

/// What to do with one batch.
#[derive(Debug, PartialEq)]
pub enum Decision {
    /// A known key with the same content: answer as the first time.
    Replay { status: u16, answer: Value },
    /// Out of order, or a known key with other content: 409, nothing stored.
    Conflict { answer: Value },
    /// An invalid value: 422, the refusal recorded, the number used.
    Refuse { answer: Value },
    /// Apply the changes: 200.
    Apply { answer: Value },
}

/// Decide one batch (docs/PROTOCOL.md, "Processing rules" 2–5; rule 1,
/// the registration's owner, is checked once per request by the stores
/// with [`owner_matches`]).
pub fn decide(row: &RegRow, known: Option<&KnownKey>, env: &Envelope, b: &Batch, hash: &str) -> Decision {
    let expected = row.last_seq + 1;
    if let Some(k) = known {
        if k.body_hash.as_deref().is_none_or(|h| h == hash) {
            let mut answer: Value = serde_json::from_str(&k.answer).unwrap_or(Value::Null);
            if k.status == 200 {
                answer["result"] = json!("duplicate");
            }
            return Decision::Replay { status: k.status, answer };
        }
        return Decision::Conflict {
            answer: json!({"error": "key_reused", "seq": b.seq, "key": b.key, "expected_seq": expected,
                "reason": "this key was used by a batch with other content"}),
        };
    }
    if b.seq != expected {
        let error = if b.seq > expected { "seq_gap" } else { "seq_conflict" };
        return Decision::Conflict { answer: json!({"error": error, "seq": b.seq, "key": b.key, "expected_seq": expected}) };
    }
    let invalid = b.changes.iter().find_map(|(k, v)| validate(&env.version, k, v).err().map(|e| (k, e)));
    match invalid {
        Some((element, reason)) => Decision::Refuse {
            answer: json!({"error": "invalid_value", "seq": b.seq, "key": b.key, "element": element, "reason": reason}),
        },
        None => Decision::Apply { answer: json!({"seq": b.seq, "key": b.key, "result": "applied"}) },
    }
}

/// Whether the request's learner, course and version are the registration's.
pub fn owner_matches(row: &RegRow, env: &Envelope) -> Result<(), Mismatch> {
    if row.learner != env.learner || row.course != env.course {
        Err(Mismatch::Owner)
    } else if row.version != env.version {
        Err(Mismatch::Version)
    } else {
        Ok(())
    }
}

/// Why a request does not fit its registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// Another learner or course: 403 with authentication on (the
    /// credential does not cover the registration), else 422.
    Owner,
    /// Another data model: 422.
    Version,
}

/// The changes of a batch with each element once (the last value wins,
/// in the order of first appearance): what is written.
pub fn dedup_changes(changes: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut at: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out: Vec<(&str, &str)> = Vec::with_capacity(changes.len());
    for (k, v) in changes {
        match at.get(k.as_str()) {
            Some(&i) => out[i].1 = v,
            None => {
                at.insert(k, out.len());
                out.push((k, v));
            }
        }
    }
    out
}

/// The answer to a whole request.
#[derive(Debug, Default)]
pub struct RequestOutcome {
    /// The answers of the batches answered 200, in order.
    pub acks: Vec<Value>,
    /// The first batch not answered 200: its status and answer.
    pub stop: Option<(u16, Value)>,
    /// The request does not fit the registration (nothing was looked at).
    pub mismatch: Option<Mismatch>,
    /// Batches after the per-request limit of written batches, not looked at.
    pub unprocessed: usize,
    pub applied: u64,
    pub duplicates: u64,
    pub conflicts: u64,
    pub refused: u64,
}

impl RequestOutcome {
    pub(crate) fn record(&mut self, d: Decision) -> bool {
        match d {
            Decision::Replay { status: 200, answer } => {
                self.duplicates += 1;
                self.acks.push(answer);
                true
            }
            Decision::Replay { status, answer } => {
                self.duplicates += 1;
                self.stop = Some((status, answer));
                false
            }
            Decision::Apply { answer } => {
                self.applied += 1;
                self.acks.push(answer);
                true
            }
            Decision::Conflict { answer } => {
                self.conflicts += 1;
                self.stop = Some((409, answer));
                false
            }
            Decision::Refuse { answer } => {
                self.refused += 1;
                self.stop = Some((422, answer));
                false
            }
        }
    }
}

/// One stored batch, as the log, backups and exports carry it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub seq: u64,
    pub key: String,
    pub body_hash: Option<String>,
    pub sco: String,
    pub reason: String,
    pub full: bool,
    pub ts: u64,
    pub received_ms: u64,
    pub status: u16,
    pub answer: String,
    /// JSON text of the changes; `None` once retention removed it.
    pub changes: Option<String>,
}

impl LogEntry {
    pub fn to_json(&self) -> Value {
        json!({
            "seq": self.seq, "key": self.key, "sco": self.sco, "reason": self.reason, "full": self.full,
            "ts": self.ts, "received_ms": self.received_ms,
            "status": if self.status == 200 { "applied" } else { "refused" },
            "http_status": self.status,
            "answer": serde_json::from_str::<Value>(&self.answer).unwrap_or(Value::Null),
            "changes": self.changes.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()).unwrap_or(Value::Null),
            "body_hash": self.body_hash,
        })
    }

    pub fn from_json(v: &Value) -> Result<LogEntry, String> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or(format!("batch: missing {k}"));
        let n = |k: &str| v.get(k).and_then(Value::as_u64).ok_or(format!("batch: missing {k}"));
        Ok(LogEntry {
            seq: n("seq")?,
            key: s("key")?,
            body_hash: v.get("body_hash").and_then(Value::as_str).map(str::to_owned),
            sco: s("sco")?,
            reason: s("reason")?,
            full: v.get("full").and_then(Value::as_bool).unwrap_or(false),
            ts: n("ts")?,
            received_ms: n("received_ms")?,
            status: u16::try_from(n("http_status")?).map_err(|_| "batch: bad http_status")?,
            answer: v.get("answer").map(Value::to_string).ok_or("batch: missing answer")?,
            changes: v.get("changes").filter(|c| !c.is_null()).map(Value::to_string),
        })
    }
}

/// Everything stored about one registration: the unit of backups and
/// exports.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationDump {
    pub registration: String,
    pub row: RegRow,
    pub scos: Scos,
    pub batches: Vec<LogEntry>,
}

impl RegistrationDump {
    pub fn to_json(&self) -> Value {
        json!({
            "registration": self.registration,
            "learner": self.row.learner,
            "course": self.row.course,
            "version": self.row.version,
            "last_seq": self.row.last_seq,
            "scos": self.scos,
            "batches": self.batches.iter().map(LogEntry::to_json).collect::<Vec<_>>(),
        })
    }

    pub fn from_json(v: &Value) -> Result<RegistrationDump, String> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or(format!("registration: missing {k}"));
        let mut scos = BTreeMap::new();
        for (sco, m) in v.get("scos").and_then(Value::as_object).ok_or("registration: missing scos")? {
            let mut snap = BTreeMap::new();
            for (k, val) in m.as_object().ok_or("registration: a SCO is not an object")? {
                snap.insert(k.clone(), val.as_str().ok_or("registration: a value is not a string")?.to_owned());
            }
            scos.insert(sco.clone(), snap);
        }
        let batches = v
            .get("batches")
            .and_then(Value::as_array)
            .ok_or("registration: missing batches")?
            .iter()
            .map(LogEntry::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RegistrationDump {
            registration: s("registration")?,
            row: RegRow {
                learner: s("learner")?,
                course: s("course")?,
                version: s("version")?,
                last_seq: v.get("last_seq").and_then(Value::as_u64).ok_or("registration: missing last_seq")?,
            },
            scos,
            batches,
        })
    }
}

/// The resume state of a registration (`GET /api/state`).
pub fn state_json(reg: &str, dump: Option<(&RegRow, &Scos)>) -> Value {
    match dump {
        None => json!({"registration": reg, "last_seq": 0, "scos": {}}),
        Some((row, scos)) => json!({
            "registration": reg, "learner": row.learner, "course": row.course, "version": row.version,
            "last_seq": row.last_seq, "scos": scos,
        }),
    }
}

/// What a store can fail with. The text is for the log, never for a reply.
#[derive(Debug)]
pub enum StoreError {
    /// The database cannot be reached or is busy: retry later (503).
    Unavailable(String),
    /// Anything else (500).
    Failed(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(m) => write!(f, "database unavailable: {m}"),
            StoreError::Failed(m) => write!(f, "database error: {m}"),
        }
    }
}

/// Retention of the batch log (`--log-retention-days`,
/// `--key-retention-days`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Retention {
    /// Remove the `changes` of log records received before this time (ms).
    pub content_before_ms: Option<u64>,
    /// Remove whole log records received before this time, except each
    /// registration's newest (replays of such old keys are then answered
    /// as unknown keys).
    pub records_before_ms: Option<u64>,
}

/// The store interface. Both implementations run every method in database
/// transactions; `apply` is the only writer of tracking data.
#[async_trait]
pub trait Store: Send + Sync {
    /// Which implementation: "sqlite" or "postgres".
    fn kind(&self) -> &'static str;
    /// Process a request's batches in one transaction, writing at most
    /// `limit` of them (replays are answered without counting; the batches
    /// after the limit are left unprocessed) (docs/PROTOCOL.md, "Processing rules").
    async fn apply(&self, env: &Envelope, limit: usize) -> Result<RequestOutcome, StoreError>;
    /// The registration's head and snapshots, if it exists.
    async fn state(&self, reg: &str) -> Result<Option<(RegRow, Scos)>, StoreError>;
    /// Everything stored about a registration (head, snapshots, log).
    async fn dump(&self, reg: &str) -> Result<Option<RegistrationDump>, StoreError>;
    /// Registration ids in order, after `after`, at most `limit`; only a
    /// learner's when `learner` is given.
    async fn registrations(&self, after: Option<&str>, learner: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError>;
    /// Write a registration from a backup; refuses one that exists.
    async fn restore(&self, dump: &RegistrationDump) -> Result<(), StoreError>;
    /// Apply the retention policy; returns (contents removed, records removed).
    async fn prune(&self, r: Retention) -> Result<(u64, u64), StoreError>;
    /// A cheap query that proves the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Open the store `db`: a `postgres://` or `postgresql://` URL, or an SQLite
/// file path (`:memory:` allowed). Runs the migrations.
pub async fn open(db: &str, pool_size: usize) -> Result<Box<dyn Store>, String> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Box::new(postgres::PgStore::open(db, pool_size).await?))
    } else {
        let path = db.to_owned();
        let s = tokio::task::spawn_blocking(move || sqlite::SqliteStore::open(&path))
            .await
            .map_err(|e| e.to_string())??;
        Ok(Box::new(s))
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(changes: Vec<(String, String)>) -> (Envelope, Batch) {
        let b = Batch { seq: 3, key: "k3".into(), sco: "s".into(), reason: "commit".into(), full: false, ts: 1, changes };
        let e = Envelope { version: "2004".into(), learner: "l".into(), course: "c".into(), registration: "r".into(), batches: vec![b.clone()] };
        (e, b)
    }

    fn row(last: u64) -> RegRow {
        RegRow { learner: "l".into(), course: "c".into(), version: "2004".into(), last_seq: last }
    }

    #[test]
    fn decide_follows_the_processing_rules() {
        let (e, b) = env(vec![("cmi.location".into(), "x".into())]);
        let h = body_hash(&e, &b);
        assert!(matches!(decide(&row(2), None, &e, &b, &h), Decision::Apply { .. }));
        let gap = decide(&row(1), None, &e, &b, &h);
        assert_eq!(gap, Decision::Conflict { answer: json!({"error": "seq_gap", "seq": 3, "key": "k3", "expected_seq": 2}) });
        let conflict = decide(&row(5), None, &e, &b, &h);
        assert!(matches!(conflict, Decision::Conflict { answer } if answer["error"] == "seq_conflict" && answer["expected_seq"] == 6));
        let known = KnownKey { status: 200, answer: json!({"seq": 3, "key": "k3", "result": "applied"}).to_string(), body_hash: Some(h.clone()) };
        assert!(matches!(decide(&row(9), Some(&known), &e, &b, &h), Decision::Replay { status: 200, answer } if answer["result"] == "duplicate"));
        // Same key, other content: a conflict, never the old answer.
        let other = KnownKey { body_hash: Some("0".repeat(64)), ..known.clone() };
        assert!(matches!(decide(&row(9), Some(&other), &e, &b, &h), Decision::Conflict { answer } if answer["error"] == "key_reused" && answer["expected_seq"] == 10));
        // Records from before hashes were kept are matched by key.
        let legacy = KnownKey { body_hash: None, ..known };
        assert!(matches!(decide(&row(9), Some(&legacy), &e, &b, &h), Decision::Replay { .. }));
        let (e, b) = env(vec![("cmi.completion_status".into(), "done".into())]);
        assert!(matches!(decide(&row(2), None, &e, &b, &h), Decision::Refuse { answer } if answer["element"] == "cmi.completion_status"));
    }

    #[test]
    fn the_hash_covers_identity_and_content_but_not_ts() {
        let (e, b) = env(vec![("cmi.location".into(), "x".into())]);
        let h = body_hash(&e, &b);
        assert_eq!(h.len(), 64);
        let mut b2 = b.clone();
        b2.ts = 99;
        assert_eq!(body_hash(&e, &b2), h);
        for change in [
            |b: &mut Batch| b.changes[0].1 = "y".into(),
            |b: &mut Batch| b.full = true,
            |b: &mut Batch| b.sco = "t".into(),
            |b: &mut Batch| b.reason = "terminate".into(),
            |b: &mut Batch| b.seq = 4,
        ] {
            let mut b2 = b.clone();
            change(&mut b2);
            assert_ne!(body_hash(&e, &b2), h);
        }
        let mut e2 = e.clone();
        e2.learner = "m".into();
        assert_ne!(body_hash(&e2, &b), h);
    }

    #[test]
    fn owner_and_version_mismatches() {
        let (e, _) = env(vec![]);
        assert_eq!(owner_matches(&row(0), &e), Ok(()));
        let mut r = row(0);
        r.learner = "other".into();
        assert_eq!(owner_matches(&r, &e), Err(Mismatch::Owner));
        let mut r = row(0);
        r.version = "1.2".into();
        assert_eq!(owner_matches(&r, &e), Err(Mismatch::Version));
    }

    #[test]
    fn duplicate_elements_are_written_once_with_the_last_value() {
        let ch = vec![("a".to_owned(), "1".to_owned()), ("b".into(), "2".into()), ("a".into(), "3".into())];
        assert_eq!(dedup_changes(&ch), vec![("a", "3"), ("b", "2")]);
    }

    #[test]
    fn parser_texts_are_not_passed_on() {
        let e = parse_envelope("{\"protocol\": 1, \"x\": tru").unwrap_err();
        assert_eq!(e, "body is not JSON");
        let long = "x".repeat(MAX_ID + 1);
        let body = json!({"protocol": 1, "version": "2004", "learner": long, "course": "c", "registration": "r",
            "batches": [{"seq": 1, "key": "k", "sco": "s", "reason": "commit", "changes": []}]});
        assert!(parse_envelope(&body.to_string()).unwrap_err().contains("longer than"));
    }
}
