//! The SQLite store: registrations, per-SCO snapshots and the log of
//! received batches. Every batch is applied in its own transaction, exactly
//! once, in sequence order per registration (docs/PROTOCOL.md).

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{json, Map, Value};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS registrations (
    registration TEXT PRIMARY KEY,
    learner TEXT NOT NULL,
    course TEXT NOT NULL,
    version TEXT NOT NULL,
    last_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    registration TEXT NOT NULL,
    sco TEXT NOT NULL,
    element TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (registration, sco, element)
);
CREATE TABLE IF NOT EXISTS batches (
    registration TEXT NOT NULL,
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,
    sco TEXT NOT NULL,
    reason TEXT NOT NULL,
    full INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (registration, seq),
    UNIQUE (registration, key)
);
";

/// The envelope of a `POST /api/batches` body.
#[derive(Debug)]
pub struct Envelope {
    pub version: String,
    pub learner: String,
    pub course: String,
    pub registration: String,
    pub batches: Vec<Batch>,
}

/// One batch of a request.
#[derive(Debug)]
pub struct Batch {
    pub seq: u64,
    pub key: String,
    pub sco: String,
    pub reason: String,
    pub full: bool,
    pub ts: u64,
    pub changes: Vec<(String, String)>,
}

fn text(v: &Value, k: &str) -> Result<String, String> {
    match v.get(k).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(format!("missing or empty string field {k:?}")),
    }
}

/// Parse and check the shape of a request body.
pub fn parse_envelope(body: &str) -> Result<Envelope, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("body is not JSON: {e}"))?;
    if v.get("protocol").and_then(Value::as_u64) != Some(1) {
        return Err("unsupported protocol (expected 1)".into());
    }
    let version = text(&v, "version")?;
    if version != "1.2" && version != "2004" {
        return Err(format!("unknown version {version:?} (expected \"1.2\" or \"2004\")"));
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
            return Err(e(format!("unknown reason {reason:?}")));
        }
        let mut changes = Vec::new();
        for c in b.get("changes").and_then(Value::as_array).ok_or_else(|| e("missing changes".into()))? {
            match c.as_array().map(Vec::as_slice) {
                Some([Value::String(k), Value::String(val)]) => changes.push((k.clone(), val.clone())),
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

/// The store.
pub struct Store {
    conn: Connection,
}

/// The answer to one batch: HTTP status and JSON.
pub struct Outcome {
    pub status: u16,
    pub answer: Value,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn validate(version: &str, element: &str, value: &str) -> Result<(), String> {
    if version == "1.2" {
        scorm_shim::engine::scorm12::validate_stored(element, value)
    } else {
        scorm_shim::engine::scorm2004::validate_stored(element, value)
    }
}

impl Store {
    /// Open (and create) the database at `path` (`:memory:` allowed).
    pub fn open(path: &str) -> Result<Store, String> {
        let conn = Connection::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;")
            .map_err(|e| e.to_string())?;
        conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
        Ok(Store { conn })
    }

    /// Apply one batch exactly once (or answer as before for a known key).
    pub fn apply(&mut self, env: &Envelope, b: &Batch) -> Result<Outcome, rusqlite::Error> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reg = &env.registration;
        let known: Option<(u16, String)> = tx
            .query_row(
                "SELECT status, answer FROM batches WHERE registration = ?1 AND key = ?2",
                params![reg, b.key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((status, answer)) = known {
            let mut answer: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
            if status == 200 {
                answer["result"] = json!("duplicate");
            }
            return Ok(Outcome { status, answer });
        }
        let row: Option<(String, String, String, i64)> = tx
            .query_row(
                "SELECT learner, course, version, last_seq FROM registrations WHERE registration = ?1",
                params![reg],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let last = match row {
            Some((learner, course, version, last)) => {
                if learner != env.learner || course != env.course || version != env.version {
                    return Ok(Outcome {
                        status: 422,
                        answer: json!({"error": "registration_mismatch", "seq": b.seq, "key": b.key,
                            "reason": "the registration belongs to another learner, course or version"}),
                    });
                }
                last as u64
            }
            None => {
                tx.execute(
                    "INSERT INTO registrations (registration, learner, course, version, last_seq) VALUES (?1, ?2, ?3, ?4, 0)",
                    params![reg, env.learner, env.course, env.version],
                )?;
                0
            }
        };
        if b.seq != last + 1 {
            let error = if b.seq > last { "seq_gap" } else { "seq_conflict" };
            return Ok(Outcome {
                status: 409,
                answer: json!({"error": error, "seq": b.seq, "key": b.key, "expected_seq": last + 1}),
            });
        }
        let invalid = b.changes.iter().find_map(|(k, v)| validate(&env.version, k, v).err().map(|e| (k, e)));
        let (status, answer) = match invalid {
            Some((element, reason)) => (
                422,
                json!({"error": "invalid_value", "seq": b.seq, "key": b.key, "element": element, "reason": reason}),
            ),
            None => {
                if b.full {
                    tx.execute("DELETE FROM snapshots WHERE registration = ?1 AND sco = ?2", params![reg, b.sco])?;
                }
                {
                    let mut up = tx.prepare(
                        "INSERT INTO snapshots (registration, sco, element, value) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (registration, sco, element) DO UPDATE SET value = excluded.value",
                    )?;
                    for (k, v) in &b.changes {
                        up.execute(params![reg, b.sco, k, v])?;
                    }
                }
                (200, json!({"seq": b.seq, "key": b.key, "result": "applied"}))
            }
        };
        let changes = serde_json::to_string(&b.changes).unwrap_or_default();
        tx.execute(
            "INSERT INTO batches (registration, seq, key, sco, reason, full, ts, received_ms, status, answer, changes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![reg, b.seq as i64, b.key, b.sco, b.reason, b.full, b.ts as i64, now_ms(), status, answer.to_string(), changes],
        )?;
        tx.execute("UPDATE registrations SET last_seq = ?2 WHERE registration = ?1", params![reg, b.seq as i64])?;
        tx.commit()?;
        Ok(Outcome { status, answer })
    }

    /// The state for resume.
    pub fn state(&self, reg: &str) -> Result<Value, rusqlite::Error> {
        let head: Option<(String, String, String, i64)> = self
            .conn
            .query_row(
                "SELECT learner, course, version, last_seq FROM registrations WHERE registration = ?1",
                params![reg],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let mut scos = Map::new();
        let mut st = self
            .conn
            .prepare("SELECT sco, element, value FROM snapshots WHERE registration = ?1 ORDER BY sco, element")?;
        let rows = st.query_map(params![reg], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (sco, k, v) = row?;
            if let Value::Object(m) = scos.entry(sco).or_insert_with(|| json!({})) {
                m.insert(k, Value::String(v));
            }
        }
        let mut out = json!({"registration": reg, "last_seq": 0, "scos": scos});
        if let Some((learner, course, version, last)) = head {
            out["learner"] = json!(learner);
            out["course"] = json!(course);
            out["version"] = json!(version);
            out["last_seq"] = json!(last);
        }
        Ok(out)
    }

    /// The log of received batches of a registration, for inspection.
    pub fn log(&self, reg: &str) -> Result<Value, rusqlite::Error> {
        let mut st = self.conn.prepare(
            "SELECT seq, key, sco, reason, full, ts, received_ms, status, answer, changes
             FROM batches WHERE registration = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map(params![reg], |r| {
            let answer: String = r.get(8)?;
            let changes: String = r.get(9)?;
            Ok(json!({
                "seq": r.get::<_, i64>(0)?, "key": r.get::<_, String>(1)?, "sco": r.get::<_, String>(2)?,
                "reason": r.get::<_, String>(3)?, "full": r.get::<_, bool>(4)?, "ts": r.get::<_, i64>(5)?,
                // "applied" or "refused" (what the e2e tests and docs/PROTOCOL.md
                // read), and the HTTP status the batch was answered with.
                "received_ms": r.get::<_, i64>(6)?,
                "status": if r.get::<_, i64>(7)? == 200 { "applied" } else { "refused" },
                "http_status": r.get::<_, i64>(7)?,
                "answer": serde_json::from_str::<Value>(&answer).unwrap_or(Value::Null),
                "changes": serde_json::from_str::<Value>(&changes).unwrap_or(Value::Null),
            }))
        })?;
        let batches = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(json!({"registration": reg, "batches": batches}))
    }
}
