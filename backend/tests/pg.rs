//! The protocol against PostgreSQL: a throwaway server (Debian's
//! `postgresql` package; `scripts/deps.sh test` installs it) is started by
//! each test on a free port and removed afterwards. Without PostgreSQL the
//! tests say SKIPPED and pass, unless `SCORM_PG_REQUIRED=1` (set by
//! scripts/test.sh in CI), where they fail.

mod common;
mod protocol;

use common::*;
use serde_json::json;

/// A backend on a fresh database of `pg`.
fn start(pg: &Pg, cfg: impl Fn(Config) -> Config) -> Srv {
    start_cfg(tempdir("pg"), &cfg(Config::new(&pg.database())))
}

#[test]
fn pg_protocol_scenarios() {
    let Some(pg) = Pg::start() else { return };
    // One database per scenario, as the SQLite tests get one each.
    protocol::applies_exactly_once_and_replays_idempotently(&start(&pg, |c| c).addr);
    protocol::gaps_and_conflicts_answer_409_with_expected_seq(&start(&pg, |c| c).addr);
    protocol::beacon_bodies_with_several_batches(&start(&pg, |c| c).addr);
    protocol::invalid_values_are_refused_with_422_and_consume_their_number(&start(&pg, |c| c).addr);
    protocol::full_batches_replace_the_snapshot_and_version_is_checked(&start(&pg, |c| c).addr);
    protocol::a_key_with_other_content_is_a_conflict_not_a_replay(&start(&pg, |c| c).addr);
    protocol::state_for_unknown_registration_and_path_form(&start(&pg, |c| c).addr);
    protocol::engine_queue_round_trip(&start(&pg, Config::faults).addr);
    protocol::authorization(&start(&pg, |c| c).addr);
    let h = get_as(&start(&pg, |c| c).addr, "/healthz", None);
    assert_eq!(h.json(), json!({"status": "ok", "store": "postgres"}));
}

#[test]
fn pg_three_processes_on_one_database_apply_each_batch_once() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.database();
    // Started together: the migrations run once (advisory lock).
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || start_cfg(tempdir("pg"), &Config::new(&url)))
        })
        .collect();
    let srvs: Vec<Srv> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(pg.psql(url.rsplit('/').next().unwrap(), "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"), "1,2");
    let addrs: Vec<String> = srvs.iter().map(|s| s.addr.clone()).collect();
    protocol::concurrent_clients_are_applied_exactly_once(&addrs);
    // Many writers of one registration on all three processes at once.
    let threads: Vec<_> = (0..9)
        .map(|t| {
            let addr = addrs[t % 3].clone();
            std::thread::spawn(move || {
                let mut applied = 0;
                for seq in 1..=30u64 {
                    let body = envelope("2004", "hot", vec![batch(seq, &format!("hot:{seq}"), "s", &[("cmi.location", &seq.to_string())])]);
                    let r = post_batches(&addr, &body);
                    assert!(r.status == 200 || r.status == 409, "{}", r.text());
                    if r.status == 200 && r.json()["acks"][0]["result"] == "applied" {
                        applied += 1;
                    }
                }
                applied
            })
        })
        .collect();
    let applied: u64 = threads.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(applied, 30, "each of the 30 batches applied exactly once across 3 processes");
    let log = log(&addrs[1], "hot");
    let seqs: Vec<u64> = log["batches"].as_array().unwrap().iter().map(|b| b["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
    assert_eq!(state(&addrs[2], "hot")["scos"]["s"]["cmi.location"], "30");
}

#[test]
fn pg_the_database_enforces_the_guarantees() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.database();
    let srv = start_cfg(tempdir("pg"), &Config::new(&url));
    post_batches(&srv.addr, &envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "x")])]));
    let db = url.rsplit('/').next().unwrap().to_owned();
    // Even a writer that skips the protocol's checks cannot log one
    // sequence number or key twice, nor move last_seq by more than one.
    for sql in [
        "INSERT INTO batches (registration, seq, key, sco, reason, \"full\", ts, received_ms, status, answer) VALUES ('r', 1, 'other', 's', 'commit', false, 0, 0, 200, '{}')",
        "INSERT INTO batches (registration, seq, key, sco, reason, \"full\", ts, received_ms, status, answer) VALUES ('r', 2, 'k1', 's', 'commit', false, 0, 0, 200, '{}')",
        "INSERT INTO batches (registration, seq, key, sco, reason, \"full\", ts, received_ms, status, answer) VALUES ('nobody', 1, 'k', 's', 'commit', false, 0, 0, 200, '{}')",
        "UPDATE registrations SET last_seq = -1",
    ] {
        let result = std::panic::catch_unwind(|| pg.psql(&db, sql));
        assert!(result.is_err(), "the database accepted: {sql}");
    }
}

#[test]
fn pg_backup_restore_and_migration_from_sqlite() {
    let Some(pg) = Pg::start() else { return };
    // A session on PostgreSQL, backed up and restored into a fresh
    // PostgreSQL database, resumes there.
    let a = pg.database();
    let b = pg.database();
    let dir = tempdir("pg-backup");
    let file = dir.join("backup.jsonl").display().to_string();
    let srv_a = start_cfg(tempdir("pg"), &Config::new(&a));
    protocol::session_resumes_from_a_restored_backup(&srv_a.addr, || {
        let cli = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend")).args(args).output().unwrap();
        let out = cli(&["backup", "--db", &a, "--out", &file]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = cli(&["restore", "--db", &b, "--in", &file]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        start_cfg(tempdir("pg"), &Config::new(&b))
    });
    drop(srv_a);
    // The same backup restores into SQLite (and an SQLite backup into
    // PostgreSQL): the way from the embedded store to a server.
    let sqlite = dir.join("from-pg.sqlite").display().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend")).args(["restore", "--db", &sqlite, "--in", &file]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let srv = start_cfg(tempdir("pg"), &Config::new(&sqlite));
    assert_eq!(state(&srv.addr, "reg-b")["last_seq"], 4);
    drop(srv);
    let back = dir.join("from-sqlite.jsonl").display().to_string();
    let c = pg.database();
    for args in [vec!["backup", "--db", &sqlite, "--out", &back], vec!["restore", "--db", &c, "--in", &back]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend")).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let srv = start_cfg(tempdir("pg"), &Config::new(&c));
    let log = log(&srv.addr, "reg-b");
    assert_eq!(log["batches"].as_array().unwrap().len(), 4);
    assert!(log["batches"][0]["body_hash"].as_str().is_some_and(|h| h.len() == 64));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pg_retention_and_export() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.database();
    let srv = start_cfg(tempdir("pg"), &Config::new(&url));
    for (learner, reg) in [("alice", "ra1"), ("alice", "ra2"), ("bob", "rb")] {
        for seq in 1..=2u64 {
            let body = json!({"protocol": 1, "version": "2004", "learner": learner, "course": "c1", "registration": reg,
                "batches": [batch(seq, &format!("k{seq}"), "s", &[("cmi.location", reg)])]});
            assert_eq!(post_batches(&srv.addr, &body).status, 200);
        }
    }
    let cli = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend")).args(args).output().unwrap();
    let out = cli(&["export", "--db", &url, "--learner", "alice"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["registrations"].as_array().unwrap().len(), 2);
    let db = url.rsplit('/').next().unwrap().to_owned();
    pg.psql(&db, "UPDATE batches SET received_ms = received_ms - 40 * 86400000::bigint");
    let out = cli(&["prune", "--db", &url, "--log-retention-days", "30", "--key-retention-days", "30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("changes of 6 logged batches and 3 whole records"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(pg.psql(&db, "SELECT count(*) FROM batches WHERE changes IS NULL"), "3");
    // The registrations' state is untouched and a replay of the newest is recognized.
    let st = get_as(&srv.addr, "/api/state?registration=ra2", Some(&token("alice", "ra2", "c1"))).json();
    assert_eq!(st["scos"]["s"]["cmi.location"], "ra2");
    let again = json!({"protocol": 1, "version": "2004", "learner": "alice", "course": "c1", "registration": "ra2",
        "batches": [batch(2, "k2", "s", &[("cmi.location", "ra2")])]});
    assert_eq!(post_batches(&srv.addr, &again).json()["acks"][0]["result"], "duplicate");
}
