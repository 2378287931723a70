//! The PostgreSQL store, for deployments with several backend processes
//! (or machines) on one database. Every request is one transaction that
//! first takes the registration's row lock (`SELECT … FOR UPDATE`, after an
//! `INSERT … ON CONFLICT DO NOTHING` for a new one), so two processes
//! handling the same registration take turns, and the constraints (unique
//! `(registration, seq)` and `(registration, key)`, `last_seq` moved by a
//! compare-and-set) make a mistake fail instead of double-applying.
//! Migrations run at start under a transaction-scoped advisory lock, so
//! processes starting together migrate once.

use super::{
    body_hash, decide, dedup_changes, now_ms, owner_matches, Decision, Envelope, KnownKey, LogEntry, RegRow, RegistrationDump,
    RequestOutcome, Retention, Scos, Store, StoreError,
};
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::{IsolationLevel, NoTls};

/// Versioned migrations, applied in order at start (see the module docs).
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "registrations, snapshots, batch log",
        "CREATE TABLE registrations (
            registration TEXT PRIMARY KEY,
            learner TEXT NOT NULL,
            course TEXT NOT NULL,
            version TEXT NOT NULL CHECK (version IN ('1.2', '2004')),
            last_seq BIGINT NOT NULL CHECK (last_seq >= 0)
        );
        CREATE TABLE snapshots (
            registration TEXT NOT NULL REFERENCES registrations (registration) ON DELETE CASCADE,
            sco TEXT NOT NULL,
            element TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (registration, sco, element)
        );
        CREATE TABLE batches (
            registration TEXT NOT NULL REFERENCES registrations (registration) ON DELETE CASCADE,
            seq BIGINT NOT NULL CHECK (seq >= 1),
            key TEXT NOT NULL,
            sco TEXT NOT NULL,
            reason TEXT NOT NULL,
            \"full\" BOOLEAN NOT NULL,
            ts BIGINT NOT NULL,
            received_ms BIGINT NOT NULL,
            status SMALLINT NOT NULL,
            answer TEXT NOT NULL,
            changes TEXT,
            PRIMARY KEY (registration, seq),
            UNIQUE (registration, key)
        );",
    ),
    (
        2,
        "replay hashes; indexes for retention and export",
        "ALTER TABLE batches ADD COLUMN body_hash TEXT;
        CREATE INDEX batches_received ON batches (received_ms);
        CREATE INDEX registrations_learner ON registrations (learner, registration);",
    ),
];

/// The advisory lock id the migrations run under.
const MIGRATION_LOCK: i64 = 0x5C0_12A_BAC;
const PRUNE_CHUNK: i64 = 5_000;

pub struct PgStore {
    pool: Pool,
}

fn classify(e: tokio_postgres::Error) -> StoreError {
    let code = e.code().map(|c| c.code().to_owned()).unwrap_or_default();
    // Connection problems, shutdowns, too many connections, lock and
    // serialization failures: the next try may succeed.
    let detail = match std::error::Error::source(&e) {
        Some(s) => format!("{e}: {s}"),
        None => e.to_string(),
    };
    if e.is_closed() || code.starts_with("08") || code.starts_with("57P") || code.starts_with("53") || code == "40001" || code == "40P01" || code == "55P03" {
        StoreError::Unavailable(detail)
    } else {
        StoreError::Failed(format!("{detail} ({code})"))
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn row_of(r: &tokio_postgres::Row) -> RegRow {
    RegRow { learner: r.get(0), course: r.get(1), version: r.get(2), last_seq: r.get::<_, i64>(3) as u64 }
}

const LOG_COLUMNS: &str = "seq, key, body_hash, sco, reason, \"full\", ts, received_ms, status, answer, changes";

fn log_entry(r: &tokio_postgres::Row) -> LogEntry {
    LogEntry {
        seq: r.get::<_, i64>(0) as u64,
        key: r.get(1),
        body_hash: r.get(2),
        sco: r.get(3),
        reason: r.get(4),
        full: r.get(5),
        ts: r.get::<_, i64>(6) as u64,
        received_ms: r.get::<_, i64>(7) as u64,
        status: r.get::<_, i16>(8) as u16,
        answer: r.get(9),
        changes: r.get(10),
    }
}

async fn insert_log(tx: &deadpool_postgres::Transaction<'_>, reg: &str, e: &LogEntry) -> Result<(), tokio_postgres::Error> {
    let st = tx
        .prepare_cached(
            "INSERT INTO batches (registration, seq, key, body_hash, sco, reason, \"full\", ts, received_ms, status, answer, changes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .await?;
    tx.execute(
        &st,
        &[
            &reg,
            &(e.seq as i64),
            &e.key,
            &e.body_hash,
            &e.sco,
            &e.reason,
            &e.full,
            &(e.ts as i64),
            &(e.received_ms as i64),
            &(e.status as i16),
            &e.answer,
            &e.changes,
        ],
    )
    .await?;
    Ok(())
}

async fn scos_of(
    c: &impl deadpool_postgres::GenericClient,
    reg: &str,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, tokio_postgres::Error> {
    let st = c.prepare_cached("SELECT sco, element, value FROM snapshots WHERE registration = $1").await?;
    let mut scos: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for r in c.query(&st, &[&reg]).await? {
        scos.entry(r.get(0)).or_default().insert(r.get(1), r.get(2));
    }
    Ok(scos)
}

async fn head_of(c: &impl deadpool_postgres::GenericClient, reg: &str) -> Result<Option<RegRow>, tokio_postgres::Error> {
    let st = c.prepare_cached("SELECT learner, course, version, last_seq FROM registrations WHERE registration = $1").await?;
    Ok(c.query_opt(&st, &[&reg]).await?.as_ref().map(row_of))
}

impl PgStore {
    /// Connect (a pool of up to `pool_size` connections) and migrate.
    pub async fn open(url: &str, pool_size: usize) -> Result<PgStore, String> {
        let mut cfg = tokio_postgres::Config::from_str(url).map_err(|e| format!("bad PostgreSQL URL: {e}"))?;
        if cfg.get_application_name().is_none() {
            cfg.application_name("scorm-backend");
        }
        if cfg.get_options().is_none() {
            // A request never waits long for a row lock or a statement.
            cfg.options("-c lock_timeout=5000 -c statement_timeout=15000 -c idle_in_transaction_session_timeout=30000");
        }
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(Duration::from_secs(5));
        }
        let mgr = Manager::from_config(cfg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(mgr)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| e.to_string())?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), String> {
        let mut c = self.pool.get().await.map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
        let tx = c.transaction().await.map_err(|e| e.to_string())?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(|e| e.to_string())?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)",
        )
        .await
        .map_err(|e| e.to_string())?;
        for (version, name, sql) in MIGRATIONS {
            let done = tx
                .query_opt("SELECT version FROM schema_migrations WHERE version = $1", &[version])
                .await
                .map_err(|e| e.to_string())?;
            if done.is_none() {
                tx.batch_execute(sql).await.map_err(|e| format!("migration {version} ({name}): {e}"))?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
                    &[version, name, &(now_ms() as i64)],
                )
                .await
                .map_err(|e| e.to_string())?;
            }
        }
        let newest: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if newest > known {
            return Err(format!("the database has schema version {newest}, newer than this binary's {known}"));
        }
        tx.commit().await.map_err(|e| e.to_string())
    }

    async fn apply_tx(&self, env: &Envelope, limit: usize) -> Result<RequestOutcome, StoreError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client.transaction().await.map_err(classify)?;
        let reg = env.registration.as_str();
        let ins = tx
            .prepare_cached(
                "INSERT INTO registrations (registration, learner, course, version, last_seq) VALUES ($1, $2, $3, $4, 0)
                 ON CONFLICT (registration) DO NOTHING",
            )
            .await
            .map_err(classify)?;
        tx.execute(&ins, &[&reg, &env.learner, &env.course, &env.version]).await.map_err(classify)?;
        let lock = tx
            .prepare_cached("SELECT learner, course, version, last_seq FROM registrations WHERE registration = $1 FOR UPDATE")
            .await
            .map_err(classify)?;
        let mut row = row_of(&tx.query_one(&lock, &[&reg]).await.map_err(classify)?);
        let mut out = RequestOutcome::default();
        if let Err(m) = owner_matches(&row, env) {
            out.mismatch = Some(m);
            tx.rollback().await.map_err(classify)?;
            return Ok(out);
        }
        let find = tx
            .prepare_cached("SELECT status, answer, body_hash FROM batches WHERE registration = $1 AND key = $2")
            .await
            .map_err(classify)?;
        let mut wrote = false;
        let mut written = 0usize;
        for (i, b) in env.batches.iter().enumerate() {
            if written >= limit {
                out.unprocessed = env.batches.len() - i;
                break;
            }
            let hash = body_hash(env, b);
            let known = tx.query_opt(&find, &[&reg, &b.key]).await.map_err(classify)?.map(|r| KnownKey {
                status: r.get::<_, i16>(0) as u16,
                answer: r.get(1),
                body_hash: r.get(2),
            });
            let d = decide(&row, known.as_ref(), env, b, &hash);
            let status = match &d {
                Decision::Apply { .. } => 200,
                Decision::Refuse { .. } => 422,
                _ => 0,
            };
            if status != 0 {
                if status == 200 {
                    if b.full {
                        let del = tx.prepare_cached("DELETE FROM snapshots WHERE registration = $1 AND sco = $2").await.map_err(classify)?;
                        tx.execute(&del, &[&reg, &b.sco]).await.map_err(classify)?;
                    }
                    let (keys, values): (Vec<&str>, Vec<&str>) = dedup_changes(&b.changes).into_iter().unzip();
                    if !keys.is_empty() {
                        let up = tx
                            .prepare_cached(
                                "INSERT INTO snapshots (registration, sco, element, value)
                                 SELECT $1, $2, e, v FROM UNNEST($3::text[], $4::text[]) AS t(e, v)
                                 ON CONFLICT (registration, sco, element) DO UPDATE SET value = EXCLUDED.value",
                            )
                            .await
                            .map_err(classify)?;
                        tx.execute(&up, &[&reg, &b.sco, &keys, &values]).await.map_err(classify)?;
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
                insert_log(&tx, reg, &entry).await.map_err(classify)?;
                // Compare-and-set: only from seq - 1.
                let adv = tx
                    .prepare_cached("UPDATE registrations SET last_seq = $2::bigint WHERE registration = $1 AND last_seq = $2::bigint - 1")
                    .await
                    .map_err(classify)?;
                let n = tx.execute(&adv, &[&reg, &(b.seq as i64)]).await.map_err(classify)?;
                if n != 1 {
                    return Err(StoreError::Failed(format!("last_seq of {reg:?} moved under its row lock")));
                }
                row.last_seq = b.seq;
                wrote = true;
                written += 1;
            }
            if !out.record(d) {
                break;
            }
        }
        if wrote {
            tx.commit().await.map_err(classify)?;
        } else {
            tx.rollback().await.map_err(classify)?;
        }
        Ok(out)
    }
}

#[async_trait]
impl Store for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    async fn apply(&self, env: &Envelope, limit: usize) -> Result<RequestOutcome, StoreError> {
        self.apply_tx(env, limit).await
    }

    async fn state(&self, reg: &str) -> Result<Option<(RegRow, Scos)>, StoreError> {
        let mut c = self.pool.get().await.map_err(pool_error)?;
        let tx = c.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start().await.map_err(classify)?;
        let Some(row) = head_of(&tx, reg).await.map_err(classify)? else { return Ok(None) };
        let scos = scos_of(&tx, reg).await.map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(Some((row, scos)))
    }

    async fn dump(&self, reg: &str) -> Result<Option<RegistrationDump>, StoreError> {
        let mut c = self.pool.get().await.map_err(pool_error)?;
        let tx = c.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start().await.map_err(classify)?;
        let Some(row) = head_of(&tx, reg).await.map_err(classify)? else { return Ok(None) };
        let scos = scos_of(&tx, reg).await.map_err(classify)?;
        let st = tx
            .prepare_cached(&format!("SELECT {LOG_COLUMNS} FROM batches WHERE registration = $1 ORDER BY seq"))
            .await
            .map_err(classify)?;
        let batches = tx.query(&st, &[&reg]).await.map_err(classify)?.iter().map(log_entry).collect();
        tx.commit().await.map_err(classify)?;
        Ok(Some(RegistrationDump { registration: reg.to_owned(), row, scos, batches }))
    }

    async fn registrations(&self, after: Option<&str>, learner: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        let c = self.pool.get().await.map_err(pool_error)?;
        let st = c
            .prepare_cached(
                "SELECT registration FROM registrations WHERE registration COLLATE \"C\" > $1 AND ($2::text IS NULL OR learner = $2)
                 ORDER BY registration COLLATE \"C\" LIMIT $3",
            )
            .await
            .map_err(classify)?;
        let rows = c.query(&st, &[&after.unwrap_or(""), &learner, &(limit as i64)]).await.map_err(classify)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn restore(&self, d: &RegistrationDump) -> Result<(), StoreError> {
        let mut c = self.pool.get().await.map_err(pool_error)?;
        let tx = c.transaction().await.map_err(classify)?;
        let r = &d.row;
        let n = tx
            .execute(
                "INSERT INTO registrations (registration, learner, course, version, last_seq) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (registration) DO NOTHING",
                &[&d.registration, &r.learner, &r.course, &r.version, &(r.last_seq as i64)],
            )
            .await
            .map_err(classify)?;
        if n != 1 {
            return Err(StoreError::Failed(format!("registration {:?} exists already", d.registration)));
        }
        for (sco, snap) in &d.scos {
            let (keys, values): (Vec<&str>, Vec<&str>) = snap.iter().map(|(k, v)| (k.as_str(), v.as_str())).unzip();
            tx.execute(
                "INSERT INTO snapshots (registration, sco, element, value) SELECT $1, $2, e, v FROM UNNEST($3::text[], $4::text[]) AS t(e, v)",
                &[&d.registration, sco, &keys, &values],
            )
            .await
            .map_err(classify)?;
        }
        for e in &d.batches {
            insert_log(&tx, &d.registration, e).await.map_err(classify)?;
        }
        tx.commit().await.map_err(classify)
    }

    async fn prune(&self, r: Retention) -> Result<(u64, u64), StoreError> {
        let c = self.pool.get().await.map_err(pool_error)?;
        let (mut contents, mut records) = (0u64, 0u64);
        if let Some(before) = r.content_before_ms {
            loop {
                let n = c
                    .execute(
                        "UPDATE batches SET changes = NULL WHERE ctid IN
                           (SELECT ctid FROM batches WHERE received_ms < $1 AND changes IS NOT NULL LIMIT $2)",
                        &[&(before as i64), &PRUNE_CHUNK],
                    )
                    .await
                    .map_err(classify)?;
                contents += n;
                if (n as i64) < PRUNE_CHUNK {
                    break;
                }
            }
        }
        if let Some(before) = r.records_before_ms {
            loop {
                let n = c
                    .execute(
                        "DELETE FROM batches WHERE ctid IN
                           (SELECT b.ctid FROM batches b JOIN registrations g ON g.registration = b.registration
                            WHERE b.received_ms < $1 AND b.seq < g.last_seq LIMIT $2)",
                        &[&(before as i64), &PRUNE_CHUNK],
                    )
                    .await
                    .map_err(classify)?;
                records += n;
                if (n as i64) < PRUNE_CHUNK {
                    break;
                }
            }
        }
        Ok((contents, records))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let c = self.pool.get().await.map_err(pool_error)?;
        c.query_one("SELECT 1", &[]).await.map_err(classify)?;
        Ok(())
    }
}
