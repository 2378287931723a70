//! The SQLite store: embedded (bundled SQLite, nothing to install), the
//! default. One writer connection (SQLite has one writer at a time; every
//! request is one `BEGIN IMMEDIATE` transaction, so several processes on
//! one file also take turns) and a few reader connections for a database
//! file (WAL mode lets them read while the writer writes). The blocking
//! calls run on tokio's blocking pool.

use super::{
    body_hash, decide, dedup_changes, now_ms, owner_matches, Decision, Envelope, KnownKey, LogEntry, RegRow, RegistrationDump,
    RequestOutcome, Retention, Scos, Store, StoreError,
};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Versioned migrations, applied in order at start, each in its own
/// transaction, recorded in `schema_migrations`. Version 1 is the schema of
/// the first release (`IF NOT EXISTS`: a database it wrote is taken over).
/// A log record whose `changes` were removed by retention holds `''`.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "registrations, snapshots, batch log",
        "CREATE TABLE IF NOT EXISTS registrations (
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
        );",
    ),
    (
        2,
        "replay hashes; indexes for retention and export",
        "ALTER TABLE batches ADD COLUMN body_hash TEXT;
        CREATE INDEX IF NOT EXISTS batches_received ON batches (received_ms);
        CREATE INDEX IF NOT EXISTS registrations_learner ON registrations (learner, registration);",
    ),
];

/// Rows changed per statement when retention prunes (short write locks).
const PRUNE_CHUNK: i64 = 5_000;

pub struct SqliteStore {
    writer: Arc<Mutex<Connection>>,
    /// Reader connections of a database file (none for `:memory:`).
    readers: Arc<Mutex<Vec<Connection>>>,
    path: Option<String>,
}

fn failed(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        e => StoreError::Failed(e.to_string()),
    }
}

fn connect(path: &str) -> Result<Connection, String> {
    let conn = Connection::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;")
        .map_err(|e| format!("cannot set up {path}: {e}"))?;
    Ok(conn)
}

/// Apply the migrations the database does not have yet.
pub fn migrate(conn: &mut Connection) -> Result<(), String> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)",
    )
    .map_err(|e| e.to_string())?;
    for (version, name, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| e.to_string())?;
        let done: Option<i64> = tx
            .query_row("SELECT version FROM schema_migrations WHERE version = ?1", [version], |r| r.get(0))
            .optional()
            .map_err(|e| e.to_string())?;
        if done.is_none() {
            tx.execute_batch(sql).map_err(|e| format!("migration {version} ({name}): {e}"))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
                params![version, name, now_ms() as i64],
            )
            .map_err(|e| e.to_string())?;
        }
        tx.commit().map_err(|e| e.to_string())?;
    }
    let newest: i64 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if newest > known {
        return Err(format!("the database has schema version {newest}, newer than this binary's {known}"));
    }
    Ok(())
}

fn row_of(conn: &Connection, reg: &str) -> rusqlite::Result<Option<RegRow>> {
    conn.query_row(
        "SELECT learner, course, version, last_seq FROM registrations WHERE registration = ?1",
        params![reg],
        |r| Ok(RegRow { learner: r.get(0)?, course: r.get(1)?, version: r.get(2)?, last_seq: r.get::<_, i64>(3)? as u64 }),
    )
    .optional()
}

fn scos_of(conn: &Connection, reg: &str) -> rusqlite::Result<BTreeMap<String, BTreeMap<String, String>>> {
    let mut st = conn.prepare_cached("SELECT sco, element, value FROM snapshots WHERE registration = ?1")?;
    let rows = st.query_map(params![reg], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut scos: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for row in rows {
        let (sco, k, v) = row?;
        scos.entry(sco).or_default().insert(k, v);
    }
    Ok(scos)
}

fn log_of(conn: &Connection, reg: &str) -> rusqlite::Result<Vec<LogEntry>> {
    let mut st = conn.prepare_cached(
        "SELECT seq, key, body_hash, sco, reason, full, ts, received_ms, status, answer, changes
         FROM batches WHERE registration = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map(params![reg], |r| {
        let changes: String = r.get(10)?;
        Ok(LogEntry {
            seq: r.get::<_, i64>(0)? as u64,
            key: r.get(1)?,
            body_hash: r.get(2)?,
            sco: r.get(3)?,
            reason: r.get(4)?,
            full: r.get(5)?,
            ts: r.get::<_, i64>(6)? as u64,
            received_ms: r.get::<_, i64>(7)? as u64,
            status: r.get(8)?,
            answer: r.get(9)?,
            changes: (!changes.is_empty()).then_some(changes),
        })
    })?;
    rows.collect()
}

fn insert_log(tx: &Connection, reg: &str, e: &LogEntry) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO batches (registration, seq, key, body_hash, sco, reason, full, ts, received_ms, status, answer, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        reg,
        e.seq as i64,
        e.key,
        e.body_hash,
        e.sco,
        e.reason,
        e.full,
        e.ts as i64,
        e.received_ms as i64,
        e.status,
        e.answer,
        e.changes.as_deref().unwrap_or("")
    ])?;
    Ok(())
}

/// `last_seq` moves from `seq - 1` to `seq` only (a compare-and-set: the
/// transaction fails if anything else moved it).
fn advance(tx: &Connection, reg: &str, seq: u64) -> rusqlite::Result<()> {
    let n = tx
        .prepare_cached("UPDATE registrations SET last_seq = ?2 WHERE registration = ?1 AND last_seq = ?2 - 1")?
        .execute(params![reg, seq as i64])?;
    if n != 1 {
        return Err(rusqlite::Error::StatementChangedRows(n));
    }
    Ok(())
}

fn apply_sync(conn: &mut Connection, env: &Envelope, limit: usize) -> rusqlite::Result<RequestOutcome> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let reg = env.registration.as_str();
    tx.prepare_cached(
        "INSERT OR IGNORE INTO registrations (registration, learner, course, version, last_seq) VALUES (?1, ?2, ?3, ?4, 0)",
    )?
    .execute(params![reg, env.learner, env.course, env.version])?;
    let mut row = row_of(&tx, reg)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let mut out = RequestOutcome::default();
    if let Err(m) = owner_matches(&row, env) {
        out.mismatch = Some(m);
        return Ok(out); // rolled back
    }
    let mut wrote = false;
    let mut written = 0usize;
    for (i, b) in env.batches.iter().enumerate() {
        if written >= limit {
            out.unprocessed = env.batches.len() - i;
            break;
        }
        let hash = body_hash(env, b);
        let known = tx
            .prepare_cached("SELECT status, answer, body_hash FROM batches WHERE registration = ?1 AND key = ?2")?
            .query_row(params![reg, b.key], |r| Ok(KnownKey { status: r.get(0)?, answer: r.get(1)?, body_hash: r.get(2)? }))
            .optional()?;
        let d = decide(&row, known.as_ref(), env, b, &hash);
        let status = match &d {
            Decision::Apply { .. } => 200,
            Decision::Refuse { .. } => 422,
            _ => 0,
        };
        if status != 0 {
            if status == 200 {
                if b.full {
                    tx.prepare_cached("DELETE FROM snapshots WHERE registration = ?1 AND sco = ?2")?.execute(params![reg, b.sco])?;
                }
                let mut up = tx.prepare_cached(
                    "INSERT INTO snapshots (registration, sco, element, value) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (registration, sco, element) DO UPDATE SET value = excluded.value",
                )?;
                for (k, v) in dedup_changes(&b.changes) {
                    up.execute(params![reg, b.sco, k, v])?;
                }
            }
            let answer = match &d {
                Decision::Apply { answer } | Decision::Refuse { answer } => answer.to_string(),
                _ => String::new(),
            };
            let entry = LogEntry {
                seq: b.seq,
                key: b.key.clone(),
                body_hash: Some(hash),
                sco: b.sco.clone(),
                reason: b.reason.clone(),
                full: b.full,
                ts: b.ts,
                received_ms: now_ms(),
                status,
                answer,
                changes: Some(serde_json::to_string(&b.changes).unwrap_or_default()),
            };
            insert_log(&tx, reg, &entry)?;
            advance(&tx, reg, b.seq)?;
            row.last_seq = b.seq;
            wrote = true;
            written += 1;
        }
        if !out.record(d) {
            break;
        }
    }
    if wrote {
        tx.commit()?;
    }
    Ok(out)
}

fn restore_sync(conn: &mut Connection, d: &RegistrationDump) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
    if row_of(&tx, &d.registration).map_err(failed)?.is_some() {
        return Err(StoreError::Failed(format!("registration {:?} exists already", d.registration)));
    }
    let r = &d.row;
    tx.execute(
        "INSERT INTO registrations (registration, learner, course, version, last_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![d.registration, r.learner, r.course, r.version, r.last_seq as i64],
    )
    .map_err(failed)?;
    for (sco, snap) in &d.scos {
        for (k, v) in snap {
            tx.execute(
                "INSERT INTO snapshots (registration, sco, element, value) VALUES (?1, ?2, ?3, ?4)",
                params![d.registration, sco, k, v],
            )
            .map_err(failed)?;
        }
    }
    for e in &d.batches {
        insert_log(&tx, &d.registration, e).map_err(failed)?;
    }
    tx.commit().map_err(failed)
}

fn prune_sync(conn: &Connection, r: Retention) -> rusqlite::Result<(u64, u64)> {
    let (mut contents, mut records) = (0u64, 0u64);
    if let Some(before) = r.content_before_ms {
        loop {
            let n = conn.execute(
                "UPDATE batches SET changes = '' WHERE rowid IN
                   (SELECT rowid FROM batches WHERE received_ms < ?1 AND changes <> '' LIMIT ?2)",
                params![before as i64, PRUNE_CHUNK],
            )?;
            contents += n as u64;
            if (n as i64) < PRUNE_CHUNK {
                break;
            }
        }
    }
    if let Some(before) = r.records_before_ms {
        loop {
            let n = conn.execute(
                "DELETE FROM batches WHERE rowid IN
                   (SELECT b.rowid FROM batches b JOIN registrations g ON g.registration = b.registration
                    WHERE b.received_ms < ?1 AND b.seq < g.last_seq LIMIT ?2)",
                params![before as i64, PRUNE_CHUNK],
            )?;
            records += n as u64;
            if (n as i64) < PRUNE_CHUNK {
                break;
            }
        }
    }
    Ok((contents, records))
}

impl SqliteStore {
    /// Open (and create) the database at `path` (`:memory:` allowed) and
    /// migrate it.
    pub fn open(path: &str) -> Result<SqliteStore, String> {
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        let file = path != ":memory:" && !path.is_empty();
        Ok(SqliteStore {
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(Mutex::new(Vec::new())),
            path: file.then(|| path.to_owned()),
        })
    }

    /// Run `f` on a reader connection (the writer for `:memory:`).
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (writer, readers, path) = (self.writer.clone(), self.readers.clone(), self.path.clone());
        tokio::task::spawn_blocking(move || {
            let Some(path) = path else {
                let conn = writer.lock().unwrap_or_else(|p| p.into_inner());
                return f(&conn).map_err(failed);
            };
            let pooled = readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let conn = match pooled {
                Some(c) => c,
                None => connect(&path).map_err(StoreError::Unavailable)?,
            };
            // A read transaction: the answer is one consistent snapshot.
            let result = conn.execute_batch("BEGIN").and_then(|_| f(&conn));
            let _ = conn.execute_batch("COMMIT");
            let mut pool = readers.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < 8 {
                pool.push(conn);
            }
            result.map_err(failed)
        })
        .await
        .map_err(|e| StoreError::Failed(e.to_string()))?
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Failed(e.to_string()))?
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn apply(&self, env: &Envelope, limit: usize) -> Result<RequestOutcome, StoreError> {
        let env = env.clone();
        self.write(move |c| apply_sync(c, &env, limit).map_err(failed)).await
    }

    async fn state(&self, reg: &str) -> Result<Option<(RegRow, Scos)>, StoreError> {
        let reg = reg.to_owned();
        self.read(move |c| {
            let Some(row) = row_of(c, &reg)? else { return Ok(None) };
            Ok(Some((row, scos_of(c, &reg)?)))
        })
        .await
    }

    async fn dump(&self, reg: &str) -> Result<Option<RegistrationDump>, StoreError> {
        let reg = reg.to_owned();
        self.read(move |c| {
            let Some(row) = row_of(c, &reg)? else { return Ok(None) };
            Ok(Some(RegistrationDump { scos: scos_of(c, &reg)?, batches: log_of(c, &reg)?, row, registration: reg }))
        })
        .await
    }

    async fn registrations(&self, after: Option<&str>, learner: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        let (after, learner) = (after.unwrap_or("").to_owned(), learner.map(str::to_owned));
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT registration FROM registrations WHERE registration > ?1 AND (?2 IS NULL OR learner = ?2)
                 ORDER BY registration LIMIT ?3",
            )?;
            let rows = st.query_map(params![after, learner, limit as i64], |r| r.get(0))?;
            rows.collect()
        })
        .await
    }

    async fn restore(&self, dump: &RegistrationDump) -> Result<(), StoreError> {
        let dump = dump.clone();
        self.write(move |c| restore_sync(c, &dump)).await
    }

    async fn prune(&self, r: Retention) -> Result<(u64, u64), StoreError> {
        self.write(move |c| prune_sync(c, r).map_err(failed)).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(|_| ())).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_of_the_first_release_is_migrated_and_kept() {
        let dir = std::env::temp_dir().join(format!("scorm-sqlite-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.sqlite").display().to_string();
        {
            // The first release's schema and one of its rows.
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0].2).unwrap();
            c.execute("INSERT INTO registrations VALUES ('r', 'l', 'c', '2004', 1)", []).unwrap();
            c.execute(
                "INSERT INTO batches VALUES ('r', 1, 'k1', 's', 'commit', 0, 5, 6, 200, '{\"seq\":1,\"key\":\"k1\",\"result\":\"applied\"}', '[]')",
                [],
            )
            .unwrap();
        }
        let mut c = connect(&path).unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap(); // idempotent
        let versions: Vec<i64> =
            c.prepare("SELECT version FROM schema_migrations ORDER BY version").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(versions, MIGRATIONS.iter().map(|m| m.0).collect::<Vec<_>>());
        let log = log_of(&c, "r").unwrap();
        assert_eq!((log.len(), log[0].body_hash.clone()), (1, None));
        // A database from a newer binary is refused.
        c.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)", []).unwrap();
        assert!(migrate(&mut c).unwrap_err().contains("newer"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
