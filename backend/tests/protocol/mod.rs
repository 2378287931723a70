//! The protocol's scenarios (docs/PROTOCOL.md), run against a backend at
//! `addr` with authentication on: by `api.rs` on SQLite and by `pg.rs` on
//! PostgreSQL, so both stores answer alike.
#![allow(dead_code)]

use crate::common::*;
use scorm_shim::engine::persist::{DataModel, Identity, Policy, Queue, ServerState};
use scorm_shim::engine::rte::{PersistReason, Snapshot};
use serde_json::json;

pub fn applies_exactly_once_and_replays_idempotently(addr: &str) {
    let body = envelope("2004", "r1", vec![batch(1, "r1:1:n", "sco1", &[("cmi.location", "p1"), ("cmi.suspend_data", "é🎉\"")])]);
    let r = post_batches(addr, &body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"acks": [{"seq": 1, "key": "r1:1:n", "result": "applied"}], "last_seq": 1}));
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    // The same request again (lost answer, retry): same ack, applied once.
    let r = post_batches(addr, &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["acks"][0]["result"], "duplicate");
    // A later batch overwrites; the replay of the first does not bring its value back.
    post_batches(addr, &envelope("2004", "r1", vec![batch(2, "r1:2:n", "sco1", &[("cmi.location", "p2")])]));
    assert_eq!(post_batches(addr, &body).json()["acks"][0]["result"], "duplicate");
    let st = state(addr, "r1");
    assert_eq!(st["last_seq"], 2);
    assert_eq!(st["scos"]["sco1"], json!({"cmi.location": "p2", "cmi.suspend_data": "é🎉\""}));
    assert_eq!((st["learner"].as_str(), st["course"].as_str(), st["version"].as_str()), (Some("l1"), Some("c1"), Some("2004")));
    let log = log(addr, "r1");
    assert_eq!(log["batches"].as_array().unwrap().len(), 2);
    assert_eq!(log["batches"][0]["changes"][1][1], "é🎉\"");
}

pub fn gaps_and_conflicts_answer_409_with_expected_seq(addr: &str) {
    let r = post_batches(addr, &envelope("2004", "r", vec![batch(3, "r:3:n", "s", &[("cmi.location", "x")])]));
    assert_eq!(r.status, 409);
    assert_eq!((r.json()["error"].as_str(), r.json()["expected_seq"].as_u64()), (Some("seq_gap"), Some(1)));
    assert_eq!(state(addr, "r")["last_seq"], 0, "a refused first batch creates nothing");
    assert_eq!(state(addr, "r"), json!({"registration": "r", "last_seq": 0, "scos": {}}));
    assert_eq!(post_batches(addr, &envelope("2004", "r", vec![batch(1, "r:1:n", "s", &[("cmi.location", "a")])])).status, 200);
    // Another client's batch 1 (different key): conflict, expected 2.
    let r = post_batches(addr, &envelope("2004", "r", vec![batch(1, "r:1:other", "s", &[("cmi.location", "b")])]));
    assert_eq!(r.status, 409);
    assert_eq!((r.json()["error"].as_str(), r.json()["expected_seq"].as_u64()), (Some("seq_conflict"), Some(2)));
    // Out of order within the window: 3 before 2.
    assert_eq!(post_batches(addr, &envelope("2004", "r", vec![batch(3, "r:3:n", "s", &[("cmi.location", "c")])])).status, 409);
    assert_eq!(post_batches(addr, &envelope("2004", "r", vec![batch(2, "r:2:n", "s", &[("cmi.location", "b2")])])).status, 200);
    assert_eq!(post_batches(addr, &envelope("2004", "r", vec![batch(3, "r:3:n", "s", &[("cmi.location", "c")])])).status, 200);
    assert_eq!(state(addr, "r")["scos"]["s"]["cmi.location"], "c");
    // Registrations are independent.
    assert_eq!(post_batches(addr, &envelope("2004", "q", vec![batch(1, "q:1:n", "s", &[("cmi.location", "z")])])).status, 200);
}

pub fn beacon_bodies_with_several_batches(addr: &str) {
    let b3 = envelope(
        "1.2",
        "r",
        vec![
            batch(1, "k1", "s", &[("cmi.core.lesson_location", "1")]),
            batch(2, "k2", "t", &[("cmi.core.lesson_location", "2")]),
            batch(3, "k3", "s", &[("cmi.suspend_data", "3")]),
        ],
    );
    let r = post_as(addr, &b3, Some(&token_for(&b3)), "text/plain;charset=UTF-8");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["last_seq"], 3);
    // A resend overlapping what was applied: duplicates, then the new one.
    let again = envelope(
        "1.2",
        "r",
        vec![
            batch(2, "k2", "t", &[("cmi.core.lesson_location", "2")]),
            batch(3, "k3", "s", &[("cmi.suspend_data", "3")]),
            batch(4, "k4", "s", &[("cmi.core.lesson_location", "4")]),
        ],
    );
    let v = post_as(addr, &again, Some(&token_for(&again)), "text/plain").json();
    let results: Vec<&str> = v["acks"].as_array().unwrap().iter().map(|a| a["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["duplicate", "duplicate", "applied"]);
    // Processing stops at the first refused batch; what came before is acknowledged.
    let gap = envelope("1.2", "r", vec![batch(5, "k5", "s", &[("cmi.core.score.raw", "5")]), batch(7, "k7", "s", &[])]);
    let r = post_batches(addr, &gap);
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["expected_seq"], 6);
    assert_eq!(r.json()["acks"][0]["seq"], 5);
    let st = state(addr, "r");
    assert_eq!(st["last_seq"], 5);
    assert_eq!(st["scos"]["s"], json!({"cmi.core.lesson_location": "4", "cmi.suspend_data": "3", "cmi.core.score.raw": "5"}));
    assert_eq!(st["scos"]["t"], json!({"cmi.core.lesson_location": "2"}));
}

pub fn invalid_values_are_refused_with_422_and_consume_their_number(addr: &str) {
    // (version, element, value, accepted): values are checked with the
    // browser's own data-model code.
    let cases = [
        ("2004", "cmi.location", "x", true),
        ("2004", "adl.nav.request", "continue", true),
        ("2004", "adl.nav.request", "x", false),
        ("2004", "cmi.completion_status", "done", false),
        ("2004", "foo.bar", "x", false),
        ("2004", "cmi.suspend_data", "a\0b", false),
        ("1.2", "cmi.core.lesson_location", "x", true),
        ("1.2", "cmi.core.score.raw", "101", false),
        ("1.2", "adl.nav.request", "continue", false),
        ("1.2", "", "x", false),
    ];
    for (i, (version, element, value, ok)) in cases.iter().enumerate() {
        let reg = format!("v{i}");
        let location = if *version == "1.2" { "cmi.core.lesson_location" } else { "cmi.location" };
        let r = post_batches(addr, &envelope(version, &reg, vec![batch(1, "k1", "s", &[(location, "ok"), (element, value)])]));
        assert_eq!(r.status == 200, *ok, "{version} {element}: {}", r.text());
        if !ok {
            assert_eq!(r.status, 422);
            let v = r.json();
            assert_eq!((v["error"].as_str(), v["element"].as_str(), v["seq"].as_u64()), (Some("invalid_value"), Some(*element), Some(1)));
            assert!(!v["reason"].as_str().unwrap().is_empty());
            // Nothing of the batch was stored, but its number is used up.
            let st = state(addr, &reg);
            assert_eq!(st["last_seq"], 1);
            assert_eq!(st["scos"], json!({}));
            // The replay (same key, same content) gets the same answer.
            let again = post_batches(addr, &envelope(version, &reg, vec![batch(1, "k1", "s", &[(location, "ok"), (element, value)])]));
            assert_eq!((again.status, again.json()["element"].clone()), (422, json!(element)));
            // The next batch goes on.
            let next = post_batches(addr, &envelope(version, &reg, vec![batch(2, "k2", "s", &[(location, "later")])]));
            assert_eq!(next.status, 200);
        }
    }
}

pub fn full_batches_replace_the_snapshot_and_version_is_checked(addr: &str) {
    post_batches(addr, &envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "1"), ("cmi.suspend_data", "d")])]));
    let mut full = batch(2, "k2", "s", &[("cmi.location", "2")]);
    full["full"] = json!(true);
    assert_eq!(post_batches(addr, &envelope("2004", "r", vec![full])).status, 200);
    assert_eq!(state(addr, "r")["scos"]["s"], json!({"cmi.location": "2"}));
    let r = post_batches(addr, &envelope("1.2", "r", vec![batch(3, "k3", "s", &[("cmi.core.lesson_location", "3")])]));
    assert_eq!((r.status, r.json()["error"].as_str()), (422, Some("registration_mismatch")));
    assert_eq!(state(addr, "r")["last_seq"], 2);
}

/// A key used again with other content (issue 12.2: a predictable key
/// posted first must not pre-empt the real batch).
pub fn a_key_with_other_content_is_a_conflict_not_a_replay(addr: &str) {
    let first = envelope("2004", "rk", vec![batch(1, "rk:1:n", "s", &[("cmi.location", "real")])]);
    let evil = envelope("2004", "rk", vec![batch(1, "rk:1:n", "s", &[("cmi.location", "forged")])]);
    assert_eq!(post_batches(addr, &evil).status, 200, "the first writer of a key is applied");
    // The real batch under the same key: not answered "duplicate".
    let r = post_batches(addr, &first);
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!((r.json()["error"].as_str(), r.json()["expected_seq"].as_u64()), (Some("key_reused"), Some(2)));
    // The client renumbers (new key, next number) and its data arrives.
    let renumbered = envelope("2004", "rk", vec![batch(2, "rk:2:m", "s", &[("cmi.location", "real")])]);
    assert_eq!(post_batches(addr, &renumbered).status, 200);
    assert_eq!(state(addr, "rk")["scos"]["s"]["cmi.location"], "real");
    // The same content under the same key stays a replay, whatever `ts` says.
    let mut same = envelope("2004", "rk", vec![batch(2, "rk:2:m", "s", &[("cmi.location", "real")])]);
    same["batches"][0]["ts"] = json!(999);
    assert_eq!(post_batches(addr, &same).json()["acks"][0]["result"], "duplicate");
}

pub fn state_for_unknown_registration_and_path_form(addr: &str) {
    let st = state(addr, "nobody");
    assert_eq!(st, json!({"registration": "nobody", "last_seq": 0, "scos": {}}));
    post_batches(addr, &envelope("2004", "a b/é", vec![batch(1, "k", "s", &[("cmi.location", "x")])]));
    let t = token("l1", "a b/é", "c1");
    let r = get_as(addr, "/api/state/a%20b%2F%C3%A9", Some(&t));
    assert_eq!(r.json()["last_seq"], 1);
    let q = get_as(addr, "/api/state?registration=a+b%2F%C3%A9", Some(&t));
    assert_eq!(q.json(), r.json());
    // The engine reads the answer.
    let parsed = ServerState::parse(std::str::from_utf8(&r.body).unwrap()).unwrap();
    assert_eq!(parsed.last_seq, 1);
    assert_eq!(parsed.scos["s"]["cmi.location"], "x");
}

/// The engine's queue against the real backend, with injected faults
/// (the backend must run with `--test-faults`).
pub fn engine_queue_round_trip(addr: &str) {
    let id = Identity { learner_id: "l1".into(), course_id: "c1".into(), registration_id: "reg-e2e".into(), version: DataModel::Scorm2004 };
    let tok = token("l1", "reg-e2e", "c1");
    let auth = format!("Bearer {tok}");
    let mut q = Queue::new(id.clone(), "tab1", Policy::default());
    let mut now = 1_000;
    let ch = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
    q.enqueue(now, "sco1", PersistReason::Commit, &ch("cmi.location", "1"), &Snapshot::new());
    q.enqueue(now + 10, "sco1", PersistReason::Commit, &ch("cmi.suspend_data", "ü"), &Snapshot::new());
    now += 1_000;
    q.enqueue(now, "sco2", PersistReason::Commit, &ch("cmi.location", "x"), &Snapshot::new());
    q.enqueue(now, "sco2", PersistReason::Terminate, &ch("bad.element", "x"), &Snapshot::new());
    q.enqueue(now + 1, "sco1", PersistReason::Terminate, &ch("cmi.exit", "suspend"), &Snapshot::new());
    raw(addr, "POST", "/api/_faults", "application/json", json!({"fail_next": 2, "status": 503}).to_string().as_bytes());
    for _ in 0..20 {
        now += 120_000;
        let Some(out) = q.next_to_send(now) else { break };
        let r = request(addr, "POST", "/api/batches", &[("Content-Type", "application/json"), ("Authorization", &auth)], out.body.as_bytes()).unwrap();
        let ra = r.header("retry-after").and_then(|s| s.parse().ok());
        q.on_response(out.seq, r.status, std::str::from_utf8(&r.body).unwrap(), ra, now, 0.5);
    }
    let st = q.status(now);
    assert_eq!(st.pending, 0);
    assert_eq!(st.failed.len(), 1);
    assert_eq!(st.failed[0].1, 422);
    let names: Vec<&str> = q.take_events().iter().map(|e| e.name()).collect();
    assert_eq!(names.iter().filter(|n| **n == "retrying").count(), 2);
    assert_eq!(names.iter().filter(|n| **n == "acknowledged").count(), 2);
    // Resume in a new page: server state plus nothing pending.
    let text = get_as(addr, "/api/state?registration=reg-e2e", Some(&tok)).text();
    let server = ServerState::parse(&text).unwrap();
    assert_eq!(server.last_seq, 3);
    let (fresh, _) = Queue::load(id, "tab2", Policy::default(), Some(&q.to_storage()));
    let s1 = fresh.resume_snapshot(Some(&server), "sco1");
    assert_eq!(s1.get("cmi.exit").map(String::as_str), Some("suspend"));
    assert_eq!(s1.get("cmi.suspend_data").map(String::as_str), Some("ü"));
    assert_eq!(fresh.resume_snapshot(Some(&server), "sco2").len(), 0, "sco2's only batch was rejected");
}

/// Several clients at once (on one or several backend processes):
/// every batch applied exactly once.
pub fn concurrent_clients_are_applied_exactly_once(addrs: &[String]) {
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let addr = addrs[t % addrs.len()].clone();
            std::thread::spawn(move || {
                let mut results = Vec::new();
                for seq in 1..=10u64 {
                    // Threads 0..3 each own a registration; threads 3..6 race
                    // the same batches on a shared one.
                    let reg = if t < 3 { format!("own{t}") } else { "shared".to_string() };
                    let body = envelope("2004", &reg, vec![batch(seq, &format!("{reg}:{seq}"), "s", &[("cmi.location", &seq.to_string())])]);
                    let r = post_batches(&addr, &body);
                    assert_eq!(r.status, 200, "{}", r.text());
                    results.push(r.json()["acks"][0]["result"].as_str().unwrap().to_string());
                }
                results
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect::<Vec<_>>();
    for (t, results) in threads.iter().enumerate().take(3) {
        assert!(results.iter().all(|r| r == "applied"), "thread {t}");
        assert_eq!(state(&addrs[0], &format!("own{t}"))["last_seq"], 10);
    }
    let applied = threads[3..].iter().flatten().filter(|r| *r == "applied").count();
    assert_eq!(applied, 10, "each shared batch applied once");
    assert_eq!(state(&addrs[0], "shared")["scos"]["s"]["cmi.location"], "10");
    let log = log(&addrs[0], "shared");
    let seqs: Vec<u64> = log["batches"].as_array().unwrap().iter().map(|b| b["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
}

/// The authorization rules of issue 12.2 against a store.
pub fn authorization(addr: &str) {
    // The victim's registration.
    let victim = json!({"protocol": 1, "version": "2004", "learner": "victim", "course": "c1", "registration": "rv",
        "batches": [batch(1, "rv:1:n", "s", &[("cmi.location", "mine"), ("cmi.suspend_data", "secret")])]});
    assert_eq!(post_batches(addr, &victim).status, 200);
    let mine = token("victim", "rv", "c1");
    // No token, a token of another registration, a token of another learner
    // for the same registration id, another course: none may read or write.
    let others = [
        (None, 401),
        (Some(token("attacker", "ra", "c1")), 403),
        (Some(token("attacker", "rv", "c1")), 403),
        (Some(token("victim", "rv", "c2")), 403),
        (Some(token_with("another secret of enough length!!", "victim", "rv", "c1", now_s(), now_s() + 600)), 401),
        (Some(token_with(SECRET, "victim", "rv", "c1", now_s() - 7200, now_s() - 3600)), 401),
    ];
    for (t, want) in &others {
        let t = t.as_deref();
        for path in ["/api/state?registration=rv", "/api/state/rv", "/api/batches?registration=rv", "/api/batches/rv"] {
            let r = get_as(addr, path, t);
            assert_eq!(r.status, *want, "{path} with {t:?}: {}", r.text());
            assert!(!r.text().contains("secret"), "{path}");
        }
        // Wiping the snapshot with full: true, as the attacker (or with the
        // attacker's learner id in the body).
        for learner in ["victim", "attacker"] {
            let mut wipe = json!({"protocol": 1, "version": "2004", "learner": learner, "course": "c1", "registration": "rv",
                "batches": [batch(2, "rv:2:x", "s", &[])]});
            wipe["batches"][0]["full"] = json!(true);
            let r = post_as(addr, &wipe, t, "text/plain");
            assert!(r.status == 401 || r.status == 403, "{learner} {t:?}: {}", r.status);
        }
        // Pre-empting the victim's next key.
        let pre = json!({"protocol": 1, "version": "2004", "learner": "victim", "course": "c1", "registration": "rv",
            "batches": [batch(2, "rv:2:n", "s", &[("cmi.location", "forged")])]});
        assert!(matches!(post_as(addr, &pre, t, "application/json").status, 401 | 403));
    }
    // The attacker's own token with the victim's ids in the body.
    let squat = json!({"protocol": 1, "version": "2004", "learner": "victim", "course": "c1", "registration": "rv",
        "batches": [batch(2, "rv:2:n", "s", &[("cmi.location", "forged")])]});
    assert_eq!(post_as(addr, &squat, Some(&token("attacker", "ra", "c1")), "application/json").status, 403);
    // Squatting a registration nobody wrote yet with another learner's
    // id is impossible: the token names the learner.
    let early = json!({"protocol": 1, "version": "2004", "learner": "someone", "course": "c1", "registration": "r-new",
        "batches": [batch(1, "r-new:1:n", "s", &[("cmi.location", "squat")])]});
    assert_eq!(post_as(addr, &early, Some(&token("attacker", "r-new", "c1")), "application/json").status, 403);
    // Nothing changed for the victim, who still reads and writes.
    let st = get_as(addr, "/api/state?registration=rv", Some(&mine)).json();
    assert_eq!(st["last_seq"], 1);
    assert_eq!(st["scos"]["s"], json!({"cmi.location": "mine", "cmi.suspend_data": "secret"}));
    let next = json!({"protocol": 1, "version": "2004", "learner": "victim", "course": "c1", "registration": "rv",
        "batches": [batch(2, "rv:2:n", "s", &[("cmi.location", "later")])]});
    assert_eq!(post_as(addr, &next, Some(&mine), "application/json").status, 200);
    assert_eq!(get_as(addr, "/api/state?registration=r-new", Some(&token("attacker", "r-new", "c1"))).json()["last_seq"], 0);
}

/// A learner's session on backend A; a backup of A restored into a fresh
/// database served by backend B (`restore` does that and returns B); the
/// session goes on against B: resume gives every value, the batch whose
/// answer was lost is answered as a duplicate (the idempotency records came
/// along), and new batches continue the numbering.
pub fn session_resumes_from_a_restored_backup(addr_a: &str, restore: impl FnOnce() -> Srv) {
    let id = Identity { learner_id: "l1".into(), course_id: "c1".into(), registration_id: "reg-b".into(), version: DataModel::Scorm2004 };
    let auth = format!("Bearer {}", token("l1", "reg-b", "c1"));
    let send = |addr: &str, body: &str| {
        request(addr, "POST", "/api/batches", &[("Content-Type", "application/json"), ("Authorization", &auth)], body.as_bytes()).unwrap()
    };
    let mut q = Queue::new(id.clone(), "tab1", Policy { window_ms: 0, ..Policy::default() });
    let mut now = 1_000u64;
    let mut model = Snapshot::new();
    let commit = |q: &mut Queue, now: u64, sco: &str, k: &str, v: &str, model: &mut Snapshot| {
        if sco == "sco1" {
            model.insert(k.to_owned(), v.to_owned());
        }
        q.enqueue(now, sco, PersistReason::Commit, &vec![(k.to_owned(), v.to_owned())], &Snapshot::new());
    };
    commit(&mut q, now, "sco1", "cmi.location", "p1", &mut model);
    commit(&mut q, now + 1, "sco1", "cmi.suspend_data", "state-é", &mut model);
    commit(&mut q, now + 2, "sco2", "cmi.location", "other", &mut model);
    for _ in 0..10 {
        now += 1_000;
        let Some(out) = q.next_to_send(now) else { break };
        let r = send(addr_a, &out.body);
        q.on_response(out.seq, r.status, &r.text(), None, now, 0.5);
    }
    assert_eq!(q.status(now).pending, 0);
    // One more batch: applied on A, but its answer is lost.
    commit(&mut q, now, "sco1", "cmi.location", "p2", &mut model);
    now += 1_000;
    let out = q.next_to_send(now).expect("a batch to send");
    assert_eq!(send(addr_a, &out.body).status, 200);
    q.on_failure(out.seq, scorm_shim::engine::persist::Failure::Timeout, None, now, 0.5);
    let stored = q.to_storage();

    let b = restore();
    // A page load against B: the server's state, then the local queue.
    let text = get_as(&b.addr, "/api/state?registration=reg-b", Some(&token("l1", "reg-b", "c1"))).text();
    let server = ServerState::parse(&text).unwrap();
    assert_eq!(server.last_seq, 4, "{text}");
    let (mut q, err) = Queue::load(id, "tab2", Policy { window_ms: 0, ..Policy::default() }, Some(&stored));
    assert_eq!(err, None);
    q.observe_server(&server);
    assert_eq!(q.resume_snapshot(Some(&server), "sco1"), model);
    let mut results = Vec::new();
    commit(&mut q, now, "sco1", "cmi.exit", "suspend", &mut model);
    for _ in 0..10 {
        now += 120_000;
        let Some(out) = q.next_to_send(now) else { break };
        let r = send(&b.addr, &out.body);
        results.push(r.json()["acks"][0]["result"].as_str().unwrap_or("").to_owned());
        q.on_response(out.seq, r.status, &r.text(), None, now, 0.5);
    }
    assert_eq!(results, ["duplicate", "applied"], "the lost answer's batch is a duplicate on B, the new one applied");
    let st = state(&b.addr, "reg-b");
    assert_eq!(st["last_seq"], 5);
    assert_eq!(st["scos"]["sco1"], json!(model));
    assert_eq!(st["scos"]["sco2"]["cmi.location"], "other");
    assert_eq!(log(&b.addr, "reg-b")["batches"].as_array().unwrap().len(), 5);
}
