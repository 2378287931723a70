use super::*;

fn ident() -> Identity {
    Identity {
        learner_id: "learner-1".into(),
        course_id: "course-1".into(),
        registration_id: "reg-1".into(),
        version: DataModel::Scorm2004,
    }
}

fn q() -> Queue {
    Queue::new(ident(), "n1", Policy::default())
}

fn cs(pairs: &[(&str, &str)]) -> ChangeSet {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn commit(q: &mut Queue, now: u64, sco: &str, pairs: &[(&str, &str)]) -> Option<Enqueued> {
    q.enqueue(now, sco, PersistReason::Commit, &cs(pairs), &Snapshot::new())
}

fn body_json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).expect("body is JSON")
}

#[test]
fn coalesces_within_window_last_value_wins_first_order_kept() {
    let mut q = q();
    let a = commit(&mut q, 1000, "s", &[("cmi.location", "1"), ("cmi.suspend_data", "x")]).unwrap();
    let b = commit(&mut q, 1200, "s", &[("cmi.score.raw", "5"), ("cmi.location", "2")]).unwrap();
    assert!(!a.coalesced);
    assert!(b.coalesced);
    assert_eq!(a.id, b.id);
    assert_eq!(q.batches().len(), 1);
    assert_eq!(
        q.batches()[0].changes,
        cs(&[("cmi.location", "2"), ("cmi.suspend_data", "x"), ("cmi.score.raw", "5")])
    );
}

#[test]
fn new_batch_after_window_other_sco_or_terminate() {
    let mut q = q();
    commit(&mut q, 1000, "s", &[("cmi.location", "1")]);
    // window (500 ms) closed
    assert!(!commit(&mut q, 1500, "s", &[("cmi.location", "2")]).unwrap().coalesced);
    // another SCO
    assert!(!commit(&mut q, 1501, "t", &[("cmi.location", "3")]).unwrap().coalesced);
    // terminate coalesces into the open batch and closes it
    let t = q.enqueue(1502, "t", PersistReason::Terminate, &cs(&[("cmi.exit", "")]), &Snapshot::new()).unwrap();
    assert!(t.coalesced);
    assert!(!commit(&mut q, 1503, "t", &[("cmi.location", "4")]).unwrap().coalesced);
    assert_eq!(q.batches().len(), 4);
    assert_eq!(q.batches()[2].reason, PersistReason::Terminate);
    // nothing to record
    assert_eq!(commit(&mut q, 1504, "t", &[]), None);
}

#[test]
fn terminate_without_changes_marks_open_batch() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("cmi.location", "1")]);
    let e = q.enqueue(10, "s", PersistReason::Terminate, &ChangeSet::new(), &Snapshot::new()).unwrap();
    assert!(e.coalesced);
    assert_eq!(q.batches()[0].reason, PersistReason::Terminate);
    // a terminate batch is sent at once, without waiting for its window
    assert!(q.next_to_send(11).is_some());
}

#[test]
fn full_state_policy_queues_the_snapshot() {
    let mut q = Queue::new(ident(), "n1", Policy { full_state: true, ..Policy::default() });
    let mut snap = Snapshot::new();
    snap.insert("cmi.location".into(), "1".into());
    snap.insert("cmi.mode".into(), "normal".into());
    q.enqueue(0, "s", PersistReason::Commit, &cs(&[("cmi.location", "1")]), &snap);
    snap.insert("cmi.location".into(), "2".into());
    q.enqueue(10, "s", PersistReason::Commit, &cs(&[("cmi.location", "2")]), &snap);
    assert_eq!(q.batches().len(), 1);
    assert!(q.batches()[0].full);
    assert_eq!(q.batches()[0].changes, cs(&[("cmi.location", "2"), ("cmi.mode", "normal")]));
    let out = q.next_to_send(1000).unwrap();
    assert_eq!(body_json(&out.body)["batches"][0]["full"], true);
}

#[test]
fn sends_in_order_one_at_a_time_after_window() {
    let mut q = q();
    commit(&mut q, 1000, "s", &[("cmi.location", "1")]);
    assert_eq!(q.next_to_send(1100), None, "window still open");
    assert_eq!(q.next_wakeup(1100), Some(1500));
    commit(&mut q, 1600, "s", &[("cmi.location", "2")]);
    let a = q.next_to_send(1600).expect("first batch ready: a later one exists");
    assert_eq!(a.seq, 1);
    assert_eq!(a.key, "reg-1:1:n1");
    assert_eq!(q.next_to_send(5000), None, "one in flight");
    assert!(q.on_ack(1));
    let b = q.next_to_send(5000).unwrap();
    assert_eq!(b.seq, 2);
    let v = body_json(&b.body);
    assert_eq!(v["protocol"], 1);
    assert_eq!(v["version"], "2004");
    assert_eq!(v["learner"], "learner-1");
    assert_eq!(v["course"], "course-1");
    assert_eq!(v["registration"], "reg-1");
    assert_eq!(v["batches"][0]["seq"], 2);
    assert_eq!(v["batches"][0]["key"], "reg-1:2:n1");
    assert_eq!(v["batches"][0]["sco"], "s");
    assert_eq!(v["batches"][0]["reason"], "commit");
    assert_eq!(v["batches"][0]["ts"], 1600);
    assert_eq!(v["batches"][0]["changes"], serde_json::json!([["cmi.location", "2"]]));
    assert!(q.on_ack(2));
    assert!(!q.on_ack(2), "acked twice");
    assert!(!q.on_ack(9), "unknown");
    let names: Vec<&str> = q.take_events().iter().map(Event::name).collect();
    assert_eq!(names, ["queued", "queued", "sent", "acknowledged", "sent", "acknowledged"]);
    assert_eq!(q.status(5000).pending, 0);
    assert_eq!(q.last_acked(), 2);
}

#[test]
fn transient_failures_back_off_with_jitter_and_retry_after() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("cmi.location", "1")]);
    let cases: &[(Failure, Option<u64>, f64, u64)] = &[
        // kind, Retry-After, random, expected delay
        (Failure::Network, None, 0.0, 500),
        (Failure::Timeout, None, 1.0, 2000),
        (Failure::Http(503), None, 0.5, 3000),
        (Failure::Http(429), Some(7), 0.9, 7000),
        (Failure::Http(408), None, 0.0, 8000),
        (Failure::Http(500), None, f64::NAN, 24000),
        (Failure::Http(502), None, 1.0, 60000),
        (Failure::Http(504), None, 1.0, 60000),
        (Failure::Http(503), Some(1_000_000), 0.0, 3_600_000),
    ];
    let mut now = 1000;
    for (n, (kind, ra, r, delay)) in cases.iter().enumerate() {
        let out = q.next_to_send(now).expect("ready");
        assert_eq!(out.seq, 1, "same batch, same number");
        assert_eq!(out.key, "reg-1:1:n1", "same idempotency key");
        q.on_failure(1, kind.clone(), *ra, now, *r);
        let ev = q.take_events();
        assert_eq!(
            ev.last(),
            Some(&Event::Retrying { seq: 1, attempt: n as u32 + 1, delay_ms: *delay }),
            "case {n}"
        );
        assert_eq!(q.next_to_send(now + delay - 1), None);
        assert_eq!(q.status(now).next_attempt_ms, Some(now + delay));
        now += delay;
    }
    assert!(q.next_to_send(now).is_some());
}

#[test]
fn permanent_failure_is_kept_aside_and_queue_goes_on() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("cmi.location", "1")]);
    commit(&mut q, 600, "s", &[("cmi.location", "2")]);
    let a = q.next_to_send(2000).unwrap();
    q.on_response(a.seq, 422, r#"{"error":"invalid_value","reason":"cmi.location: too long"}"#, None, 2000, 0.0);
    assert_eq!(
        q.take_events().last(),
        Some(&Event::FailedPermanently { seq: 1, status: 422, reason: "cmi.location: too long".into() })
    );
    let b = q.next_to_send(2000).expect("next batch goes on at once");
    assert_eq!(b.seq, 2);
    q.on_response(b.seq, 404, "not json", None, 2000, 0.0);
    let st = q.status(2000);
    assert_eq!(st.pending, 0);
    assert_eq!(st.failed, vec![(1, 422, "cmi.location: too long".into()), (2, 404, "HTTP 404".into())]);
    // Failed batches survive storage and are never evicted.
    let mut r = Queue::from_storage(&q.to_storage(), "n2", Policy::default()).unwrap();
    assert_eq!(r.evict_for_quota(10), Err(0));
    assert_eq!(r.status(0).failed.len(), 2);
    let d = r.dismiss_failed(1).unwrap();
    assert_eq!(d.changes, cs(&[("cmi.location", "1")]));
    assert_eq!(r.dismiss_failed(1), None);
    assert_eq!(r.status(0).failed.len(), 1);
}

#[test]
fn other_4xx_and_3xx_are_permanent_5xx_408_429_are_not() {
    for (status, permanent) in [(400, true), (404, true), (413, true), (301, true), (409, true), (422, true),
        (408, false), (429, false), (500, false), (503, false), (599, false)] {
        let mut q = q();
        commit(&mut q, 0, "s", &[("cmi.location", "1")]);
        let a = q.next_to_send(1000).unwrap();
        q.on_response(a.seq, status, "", None, 1000, 0.0);
        assert_eq!(q.status(1000).failed.len() == 1, permanent, "status {status}");
        assert_eq!(q.status(1000).pending == 1, !permanent, "status {status}");
    }
}

#[test]
fn conflict_renumbers_pending_batches() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("cmi.location", "1")]);
    commit(&mut q, 600, "s", &[("cmi.location", "2")]);
    let a = q.next_to_send(2000).unwrap();
    assert_eq!(a.seq, 1);
    // Another device already used numbers 1..=4.
    q.on_response(1, 409, r#"{"error":"seq_conflict","expected_seq":5}"#, None, 2000, 0.0);
    assert_eq!(q.take_events().last(), Some(&Event::Retrying { seq: 5, attempt: 1, delay_ms: 0 }));
    let a = q.next_to_send(2000).unwrap();
    assert_eq!((a.seq, a.key.as_str()), (5, "reg-1:5:n1"));
    assert!(q.on_ack(5));
    assert_eq!(q.next_to_send(2000).unwrap().seq, 6);
    // The server lost what it acknowledged: kept aside, not resent with a lower number.
    q.on_response(6, 409, r#"{"expected_seq":3}"#, None, 2000, 0.0);
    assert_eq!(q.status(2000).failed.len(), 1);
}

#[test]
fn conflict_below_failed_batch_reuses_number() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("cmi.location", "1")]);
    commit(&mut q, 600, "s", &[("cmi.location", "2")]);
    q.next_to_send(2000).unwrap();
    // A proxy refused batch 1 without the server seeing it.
    q.on_response(1, 400, "", None, 2000, 0.0);
    let b = q.next_to_send(2000).unwrap();
    assert_eq!(b.seq, 2);
    q.on_response(2, 409, r#"{"expected_seq":1}"#, None, 2000, 0.0);
    let b = q.next_to_send(2000).unwrap();
    assert_eq!((b.seq, b.key.as_str()), (1, "reg-1:1:n1"));
    assert!(q.on_ack(1));
    assert_eq!(q.status(2000).failed.len(), 1);
    assert_eq!(q.status(2000).pending, 0);
}

#[test]
fn offline_holds_and_online_resumes() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("cmi.location", "1")]);
    q.set_online(false, 0);
    q.set_online(false, 0);
    assert_eq!(q.next_to_send(10_000), None);
    assert_eq!(q.next_wakeup(10_000), None);
    q.set_online(true, 10_000);
    let a = q.next_to_send(10_000).unwrap();
    q.on_failure(a.seq, Failure::Network, None, 10_000, 1.0);
    q.set_online(false, 10_001);
    q.set_online(true, 10_002);
    assert!(q.next_to_send(10_002).is_some(), "online retries at once");
    let names: Vec<&str> = q.take_events().iter().map(Event::name).collect();
    assert_eq!(names, ["queued", "offline", "online", "sent", "retrying", "offline", "online", "sent"]);
}

#[test]
fn unload_flush_respects_budget_and_keeps_rest_queued() {
    let mut q = q();
    let big = "x".repeat(30_000);
    for i in 0..4 {
        commit(&mut q, i * 1000, "s", &[("cmi.suspend_data", &big), ("cmi.location", &i.to_string())]);
    }
    let body = q.flush_for_unload(UNLOAD_BUDGET).unwrap();
    assert!(body.len() <= UNLOAD_BUDGET);
    let v = body_json(&body);
    let seqs: Vec<u64> = v["batches"].as_array().unwrap().iter().map(|b| b["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(q.status(0).pending, 4, "nothing is marked sent by a beacon");
    // What was numbered keeps its number and key.
    let out = q.next_to_send(10_000).unwrap();
    assert_eq!(out.key, v["batches"][0]["key"]);
    // Nothing fits a tiny budget.
    assert_eq!(q.flush_for_unload(100), None);
    // The exact size fits.
    let mut q2 = q.clone();
    let exact = q2.flush_for_unload(UNLOAD_BUDGET).unwrap();
    let mut q3 = q.clone();
    assert_eq!(q3.flush_for_unload(exact.len()).as_deref(), Some(exact.as_str()));
    let mut q4 = q.clone();
    assert_ne!(q4.flush_for_unload(exact.len() - 1).as_deref(), Some(exact.as_str()));
}

#[test]
fn storage_round_trip_with_unicode() {
    let mut q = q();
    let nasty = "é\"\\\n\t\u{0}\u{1f}漢字🎉\u{2028}</script>";
    commit(&mut q, 0, "sço \"1\"", &[("cmi.suspend_data", nasty), ("cmi.location", "")]);
    commit(&mut q, 600, "s", &[("cmi.location", "2")]);
    let a = q.next_to_send(2000).unwrap();
    q.on_ack(a.seq);
    commit(&mut q, 3000, "s", &[("cmi.location", "3")]);
    let b = q.next_to_send(9000).unwrap();
    q.on_response(b.seq, 422, r#"{"reason":"bad ✗"}"#, None, 9000, 0.0);
    q.next_to_send(9000).unwrap();
    q.on_failure(3, Failure::Network, None, 9000, 0.3);
    let text = q.to_storage();
    let r = Queue::from_storage(&text, "n1", Policy::default()).unwrap();
    assert_eq!(r.batches(), q.batches());
    assert_eq!(r.to_storage(), text);
    assert_eq!(r.last_acked(), 1);
    assert_eq!(r.batches()[0].sco_id, "sço \"1\"");
    assert_eq!(r.batches()[0].changes[0].1, nasty);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["v"], 1);
}

#[test]
fn bad_storage_is_reported_not_trusted() {
    let good = {
        let mut q = q();
        commit(&mut q, 0, "s", &[("a", "b")]);
        q.to_storage()
    };
    for bad in [
        "",
        "null",
        "{}",
        r#"{"v":2}"#,
        &good.replace("\"v\":1", "\"v\":9"),
        &good.replace("\"2004\"", "\"3\""),
        &good.replace("[[\"a\",\"b\"]]", "[[\"a\"]]"),
        &good.replace("\"ts\"", "\"tz\""),
        &good[..good.len() - 1],
    ] {
        assert!(Queue::from_storage(bad, "n", Policy::default()).is_err(), "{bad}");
        let (q, err) = Queue::load(ident(), "n", Policy::default(), Some(bad));
        assert!(err.is_some());
        assert!(q.batches().is_empty());
    }
    // Another registration, and the same registration id of another
    // learner or course: never merged.
    for other in [good.replace("reg-1", "reg-2"), good.replace("learner-1", "learner-2"), good.replace("course-1", "course-2")] {
        let (q, err) = Queue::load(ident(), "n", Policy::default(), Some(&other));
        assert!(err.unwrap().contains("another learner, course, registration"));
        assert!(q.batches().is_empty());
    }
    let (q, err) = Queue::load(ident(), "n", Policy::default(), Some(&good));
    assert_eq!((q.batches().len(), err), (1, None));
}

#[test]
fn acked_history_is_bounded_and_evicted_first() {
    let mut q = Queue::new(ident(), "n1", Policy { keep_acked: 3, window_ms: 0, ..Policy::default() });
    for i in 0..6u64 {
        commit(&mut q, i, "s", &[("cmi.location", &i.to_string())]);
        let o = q.next_to_send(i).unwrap();
        q.on_ack(o.seq);
    }
    commit(&mut q, 100, "s", &[("cmi.location", "pending")]);
    assert_eq!(q.batches().len(), 4);
    let full = q.to_storage().len();
    // Evict down to one acked batch.
    let one = {
        let mut c = q.clone();
        c.trim_acked(1);
        c.to_storage().len()
    };
    assert_eq!(q.evict_for_quota(one), Ok(2));
    assert!(q.to_storage().len() <= one && one < full);
    assert_eq!(q.evict_for_quota(1), Err(1));
    assert_eq!(q.batches().len(), 1);
    assert_eq!(q.batches()[0].state, BatchState::Pending);
}

#[test]
fn resume_merges_server_state_with_local_batches() {
    let server = ServerState::parse(
        r#"{"registration":"reg-1","last_seq":2,"scos":{"s":{"cmi.location":"srv","cmi.suspend_data":"srv"},"t":{"cmi.location":"t0"}}}"#,
    )
    .unwrap();
    assert_eq!(server.last_seq, 2);
    let mut q = Queue::new(ident(), "n1", Policy { window_ms: 0, keep_acked: 10, ..Policy::default() });
    // seq 1, 2: acked and known to the server; 3 acked after the GET was made.
    for (i, v) in ["old1", "old2", "acked3"].iter().enumerate() {
        commit(&mut q, i as u64, "s", &[("cmi.location", v)]);
        let o = q.next_to_send(i as u64).unwrap();
        q.on_ack(o.seq);
    }
    // 4 rejected: not applied.
    commit(&mut q, 10, "s", &[("cmi.score.raw", "bad")]);
    let o = q.next_to_send(10).unwrap();
    q.on_response(o.seq, 422, "{}", None, 10, 0.0);
    // pending, unsent
    commit(&mut q, 20, "s", &[("cmi.suspend_data", "local")]);
    commit(&mut q, 30, "t", &[("cmi.location", "t1")]);
    let s = q.resume_snapshot(Some(&server), "s");
    assert_eq!(s.get("cmi.location").map(String::as_str), Some("acked3"));
    assert_eq!(s.get("cmi.suspend_data").map(String::as_str), Some("local"));
    assert_eq!(s.get("cmi.score.raw"), None);
    assert_eq!(q.resume_snapshot(Some(&server), "t").get("cmi.location").map(String::as_str), Some("t1"));
    assert_eq!(q.resume_snapshot(Some(&server), "u"), Snapshot::new());
    // Offline: everything local.
    let off = q.resume_snapshot(None, "s");
    assert_eq!(off.get("cmi.location").map(String::as_str), Some("acked3"));
    assert_eq!(off.get("cmi.suspend_data").map(String::as_str), Some("local"));
    // A full batch replaces the server snapshot.
    let mut f = Queue::new(ident(), "n1", Policy { full_state: true, ..Policy::default() });
    let mut snap = Snapshot::new();
    snap.insert("cmi.location".into(), "full".into());
    f.enqueue(0, "s", PersistReason::Commit, &ChangeSet::new(), &snap);
    assert_eq!(f.resume_snapshot(Some(&server), "s"), snap);
}

#[test]
fn server_state_parse_and_observe() {
    assert!(ServerState::parse("{}").is_err());
    assert!(ServerState::parse(r#"{"last_seq":1,"scos":{"s":{"a":1}}}"#).is_err());
    let st = ServerState::parse(r#"{"registration":"reg-1","last_seq":7,"scos":{}}"#).unwrap();
    let mut q = q();
    q.observe_server(&st);
    commit(&mut q, 0, "s", &[("a", "b")]);
    assert_eq!(q.next_to_send(1000).unwrap().seq, 8);
}

#[test]
fn two_tabs_merge_without_loss() {
    // Tab A and tab B share the stored queue under the lock protocol.
    let mut a = Queue::new(ident(), "A", Policy::default());
    commit(&mut a, 0, "s", &[("cmi.location", "a1")]);
    let stored = a.to_storage();
    let (mut b, err) = Queue::load(ident(), "B", Policy::default(), Some(&stored));
    assert_eq!(err, None);
    commit(&mut b, 10, "s", &[("cmi.location", "b1")]);
    assert_eq!(b.batches().len(), 2, "B does not coalesce into A's batch");
    let stored = b.to_storage();
    // A is the sender: it reads the stored queue before acting.
    a.merge_stored(&stored).unwrap();
    assert_eq!(a.batches().len(), 2);
    let o = a.next_to_send(5000).unwrap();
    assert_eq!(body_json(&o.body)["batches"][0]["changes"][0][1], "a1");
    a.on_ack(o.seq);
    let o = a.next_to_send(5000).unwrap();
    assert_eq!(body_json(&o.body)["batches"][0]["changes"][0][1], "b1");
    // B's stale copy merged back does not undo the acknowledgement.
    let mut a2 = a.clone();
    a2.merge(&b).unwrap();
    assert_eq!(a2.batches()[0].state, BatchState::Acked);
    assert_eq!(a2.batches()[1].seq, Some(2));
    // and B learns of it
    b.merge_stored(&a.to_storage()).unwrap();
    assert_eq!(b.batches()[0].state, BatchState::Acked);
    assert_eq!(b.last_acked(), 1);
    // Merging another registration is refused.
    let other = Queue::new(Identity { registration_id: "r2".into(), ..ident() }, "C", Policy::default());
    assert!(a.merge(&other).is_err());
}

#[test]
fn stale_copy_of_evicted_batch_is_not_resurrected() {
    let pol = Policy { keep_acked: 0, window_ms: 0, ..Policy::default() };
    let mut a = Queue::new(ident(), "A", pol.clone());
    commit(&mut a, 0, "s", &[("cmi.location", "old")]);
    let stale = a.clone();
    let o = a.next_to_send(0).unwrap();
    a.on_ack(o.seq);
    assert!(a.batches().is_empty(), "evicted at once with keep_acked 0");
    commit(&mut a, 1, "s", &[("cmi.location", "new")]);
    let mut m1 = a.clone();
    m1.merge(&stale).unwrap();
    let mut m2 = stale.clone();
    m2.merge(&a).unwrap();
    for m in [m1, m2] {
        assert_eq!(m.batches().len(), 1);
        assert_eq!(m.batches()[0].changes, cs(&[("cmi.location", "new")]));
    }
}

#[test]
fn event_and_status_json() {
    let evs = [
        Event::Queued { id: "n.1".into(), sco_id: "s\"".into() },
        Event::Sent { seq: 1 },
        Event::Acknowledged { seq: 1 },
        Event::Retrying { seq: 2, attempt: 3, delay_ms: 4000 },
        Event::FailedPermanently { seq: 5, status: 422, reason: "bad".into() },
        Event::Offline,
        Event::Online,
    ];
    for e in &evs {
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["type"], e.name());
    }
    let v: serde_json::Value = serde_json::from_str(&evs[3].to_json()).unwrap();
    assert_eq!((v["seq"].as_u64(), v["attempt"].as_u64(), v["delay_ms"].as_u64()), (Some(2), Some(3), Some(4000)));
    let st = QueueStatus {
        pending: 2,
        in_flight: Some(3),
        last_acked: 2,
        failed: vec![(1, 422, "x\"y".into())],
        next_attempt_ms: None,
        online: true,
        auth_required: Some(401),
        bytes: 1234,
        limit: 5678,
    };
    let v: serde_json::Value = serde_json::from_str(&st.to_json()).unwrap();
    assert_eq!(v["failed"][0]["reason"], "x\"y");
    assert_eq!(v["in_flight"], 3);
    assert!(v["next_attempt_ms"].is_null());
    assert_eq!((v["auth_required"].as_u64(), v["bytes"].as_u64(), v["limit"].as_u64()), (Some(401), Some(1234), Some(5678)));
}

#[test]
fn extreme_stored_numbers_do_not_panic() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("a", "b")]);
    let max = u64::MAX.to_string();
    let text = q
        .to_storage()
        .replace("\"rev\":1", &format!("\"rev\":{max}"))
        .replace("\"clock\":1", &format!("\"clock\":{max}"))
        .replace("\"next_seq\":1", &format!("\"next_seq\":{max}"))
        .replace("\"ts\":0", &format!("\"ts\":{max}"))
        .replace("\"g\":1", &format!("\"g\":{max}"));
    let mut r = Queue::from_storage(&text, "n1", Policy::default()).expect("reads");
    assert_eq!(r.rev(), u64::MAX);
    commit(&mut r, u64::MAX, "s", &[("c", "d")]);
    let o = r.next_to_send(u64::MAX).expect("sends");
    assert_eq!(o.seq, u64::MAX);
    r.on_failure(o.seq, Failure::Network, Some(u64::MAX), u64::MAX, 0.5);
    r.observe_server(&ServerState { last_seq: u64::MAX, ..ServerState::default() });
    r.on_failure(o.seq, Failure::Conflict { expected_seq: u64::MAX }, None, 0, 0.0);
    assert!(r.flush_for_unload(UNLOAD_BUDGET).is_some());
}

#[test]
fn full_state_on_request_per_call() {
    let mut q = q();
    let mut snap = Snapshot::new();
    snap.insert("cmi.location".into(), "1".into());
    snap.insert("cmi.suspend_data".into(), "s".into());
    // diff, then a full snapshot coalesced over it, then a diff on top
    q.enqueue_with(0, "s", PersistReason::Commit, &cs(&[("cmi.exit", "x")]), &snap, false);
    q.enqueue_with(10, "s", PersistReason::Commit, &ChangeSet::new(), &snap, true);
    q.enqueue_with(20, "s", PersistReason::Commit, &cs(&[("cmi.location", "2")]), &snap, false);
    assert_eq!(q.batches().len(), 1);
    let b = &q.batches()[0];
    assert!(b.full);
    assert_eq!(b.changes, cs(&[("cmi.location", "2"), ("cmi.suspend_data", "s")]));
    // A full batch after the window is its own batch; a later diff is not full.
    q.enqueue_with(1000, "s", PersistReason::Commit, &cs(&[("cmi.location", "3")]), &snap, false);
    assert!(!q.batches()[1].full);
    assert_eq!(Policy::default().request_timeout_ms, 30_000);
}

// ---- Issue 12.2/12.6: authentication pauses, request and queue limits ----

#[test]
fn auth_401_403_keep_the_batch_and_pause_until_new_credentials() {
    for status in [401u16, 403] {
        let mut q = q();
        commit(&mut q, 0, "s", &[("cmi.location", "1")]);
        let a = q.next_to_send(1000).unwrap();
        q.take_events();
        q.on_response(a.seq, status, r#"{"error":"unauthorized"}"#, None, 1000, 0.0);
        assert_eq!(q.take_events(), vec![Event::AuthRequired { status, version: "2004" }]);
        let st = q.status(1000);
        assert_eq!((st.pending, st.failed.len(), st.auth_required), (1, 0, Some(status)));
        assert_eq!(q.batches()[0].attempts, 0, "not counted as a failed attempt");
        // Paused: nothing is sent, no timer, no beacon, also for new commits.
        commit(&mut q, 2000, "s", &[("cmi.location", "2")]);
        assert_eq!(q.next_to_send(5000), None);
        assert_eq!(q.next_wakeup(5000), None);
        assert_eq!(q.flush_for_unload(UNLOAD_BUDGET), None);
        let json: serde_json::Value = serde_json::from_str(&Event::AuthRequired { status, version: "2004" }.to_json()).unwrap();
        assert_eq!(json, serde_json::json!({"type": "authRequired", "status": status, "version": "2004"}));
        // New credentials: the same batch (same number and key) goes again at once.
        assert!(q.resume_auth(5000));
        assert!(!q.resume_auth(5000), "only once");
        let again = q.next_to_send(5000).unwrap();
        assert_eq!((again.seq, again.key), (a.seq, a.key));
        q.on_response(again.seq, 200, "{}", None, 5000, 0.0);
        assert_eq!(q.status(5000).pending, 1);
    }
}

fn small_body_policy(max_body: usize) -> Policy {
    Policy { max_body_bytes: max_body, ..Policy::default() }
}

#[test]
fn a_change_set_larger_than_one_request_is_split_into_batches_that_fit() {
    let mut q = Queue::new(ident(), "n1", small_body_policy(2000));
    let changes: Vec<(String, String)> = (0..40).map(|i| (format!("cmi.interactions.{i}.id"), format!("q{i:03}").repeat(10))).collect();
    let e = q.enqueue(0, "s", PersistReason::Terminate, &changes, &Snapshot::new()).unwrap();
    assert!(!e.coalesced);
    let n = q.batches().len();
    assert!(n > 1, "split into {n} batches");
    // In order, nothing lost, the reason on the last part only.
    let all: ChangeSet = q.batches().iter().flat_map(|b| b.changes.clone()).collect();
    assert_eq!(all, changes);
    assert!(q.batches()[..n - 1].iter().all(|b| b.reason == PersistReason::Commit));
    assert_eq!(q.batches()[n - 1].reason, PersistReason::Terminate);
    // Every request body fits the limit, even with the longest numbers.
    let mut seen = 0;
    while let Some(out) = q.next_to_send(10_000) {
        assert!(out.body.len() <= 2000, "{} bytes", out.body.len());
        q.on_response(out.seq, 200, "{}", None, 10_000, 0.0);
        seen += 1;
    }
    assert_eq!(seen, n);
}

#[test]
fn a_full_state_split_replaces_with_its_first_part_only() {
    let mut q = Queue::new(ident(), "n1", small_body_policy(1500));
    let snap: Snapshot = (0..30).map(|i| (format!("cmi.objectives.{i}.id"), "o".repeat(60))).collect();
    q.enqueue_with(0, "s", PersistReason::Commit, &ChangeSet::new(), &snap, true).unwrap();
    let fulls: Vec<bool> = q.batches().iter().map(|b| b.full).collect();
    assert!(fulls.len() > 1);
    assert!(fulls[0] && fulls[1..].iter().all(|f| !f), "{fulls:?}");
    assert_eq!(q.resume_snapshot(None, "s"), snap);
}

#[test]
fn coalescing_stops_before_the_open_batch_outgrows_a_request() {
    let mut q = Queue::new(ident(), "n1", small_body_policy(1200));
    let big = "x".repeat(400);
    assert!(!commit(&mut q, 0, "s", &[("cmi.suspend_data", &big)]).unwrap().coalesced);
    // Replacing the same element keeps the size: coalesced.
    assert!(commit(&mut q, 10, "s", &[("cmi.suspend_data", &big)]).unwrap().coalesced);
    // A second large element would not fit: a new batch.
    assert!(!commit(&mut q, 20, "s", &[("cmi.location", &big), ("cmi.comments_from_learner.0.comment", &big)]).unwrap().coalesced);
    assert_eq!(q.batches().len(), 2);
    for b in q.batches() {
        assert!(q.wire_len(&b.sco_id, &b.changes) <= 1200);
    }
}

#[test]
fn a_value_too_large_for_any_request_is_refused_whole() {
    let mut q = Queue::new(ident(), "n1", small_body_policy(4096));
    let huge = "y".repeat(5000);
    let err = q
        .enqueue_capped(0, "s", PersistReason::Commit, &cs(&[("cmi.location", "ok"), ("cmi.suspend_data", &huge)]), &Snapshot::new(), false)
        .unwrap_err();
    assert!(err.contains("cmi.suspend_data") && err.contains("maxBodyBytes"), "{err}");
    assert!(q.batches().is_empty(), "nothing half-queued");
    assert!(max_value_chars(DEFAULT_MAX_BODY) * 6 + BODY_OVERHEAD <= DEFAULT_MAX_BODY);
    // The longest value max_value_chars allows, of the worst characters, fits.
    let mut q = Queue::new(ident(), "n1", Policy::default());
    let worst = "\u{1}".repeat(max_value_chars(DEFAULT_MAX_BODY));
    assert!(q.change_fits("a-sco-id-of-some-length", "cmi.interactions.12345.learner_response", &worst));
    assert!(q.enqueue_capped(0, "s", PersistReason::Commit, &cs(&[("cmi.suspend_data", &worst)]), &Snapshot::new(), false).is_ok());
}

/// Issue 12.6: a learner who hits the queue's cap (offline, committing
/// large values) loses nothing that fit: every commit that was accepted is
/// delivered, in order; the refused one is reported and changes nothing.
#[test]
fn a_learner_who_hits_the_cap_loses_nothing_that_fit() {
    let policy = Policy { max_stored_bytes: 40_000, max_body_bytes: 16_000, ..Policy::default() };
    let mut q = Queue::new(ident(), "n1", policy.clone());
    q.set_online(false, 0);
    let mut accepted: Vec<(String, String)> = Vec::new();
    let mut refused = 0;
    // Different elements every time (nothing for compaction to fold away), 5 KB each.
    for i in 0..40u64 {
        let el = format!("cmi.interactions.{i}.description");
        let v = format!("{i:04}").repeat(1250);
        match q.enqueue_capped(i * 1000, "s", PersistReason::Commit, &cs(&[(&el, &v)]), &Snapshot::new(), false) {
            Ok((_, text)) => {
                assert!(text.len() <= 40_000);
                assert_eq!(text, q.to_storage());
                accepted.push((el, v));
            }
            Err(e) => {
                refused += 1;
                assert!(e.contains("queueLimit"), "{e}");
                assert!(matches!(q.take_events().last(), Some(Event::QueueFull { limit: 40_000, .. })));
            }
        }
    }
    assert!(refused > 0 && accepted.len() > 3, "accepted {} refused {refused}", accepted.len());
    assert!(q.status(0).bytes <= 40_000);
    // Stored, reloaded and delivered: exactly what was accepted, in order.
    let mut q = Queue::from_storage(&q.to_storage(), "n2", policy).unwrap();
    let mut got: Vec<(String, String)> = Vec::new();
    while let Some(out) = q.next_to_send(100_000) {
        let body = body_json(&out.body);
        for c in body["batches"][0]["changes"].as_array().unwrap() {
            got.push((c[0].as_str().unwrap().into(), c[1].as_str().unwrap().into()));
        }
        q.on_response(out.seq, 200, "{}", None, 100_000, 0.0);
    }
    assert_eq!(got, accepted);
    assert!(q.delivered());
}

#[test]
fn compaction_folds_repeated_commits_so_an_offline_learner_keeps_going() {
    // The same large suspend_data committed again and again offline: each
    // commit its own batch (the window is closed), folded when over the cap.
    let policy = Policy { max_stored_bytes: 30_000, window_ms: 0, ..Policy::default() };
    let mut q = Queue::new(ident(), "n1", policy);
    q.set_online(false, 0);
    for i in 0..50u64 {
        let v = format!("{i:05}").repeat(1000);
        let r = q.enqueue_capped(i, "s", PersistReason::Commit, &cs(&[("cmi.suspend_data", &v), ("cmi.location", &i.to_string())]), &Snapshot::new(), false);
        assert!(r.is_ok(), "commit {i}: {r:?}");
    }
    assert!(q.batches().len() < 50);
    let snap = q.resume_snapshot(None, "s");
    assert_eq!(snap["cmi.location"], "49");
    assert_eq!(snap["cmi.suspend_data"], format!("{:05}", 49).repeat(1000));
}

#[test]
fn compaction_keeps_other_pages_batches_and_sent_ones() {
    let mut other = Queue::new(ident(), "n2", Policy { window_ms: 0, ..Policy::default() });
    commit(&mut other, 1, "s", &[("cmi.location", "theirs")]);
    let mut q = Queue::new(ident(), "n1", Policy { window_ms: 0, ..Policy::default() });
    commit(&mut q, 0, "s", &[("cmi.location", "a")]);
    let sent = q.next_to_send(10).unwrap();
    commit(&mut q, 20, "s", &[("cmi.location", "b")]);
    commit(&mut q, 30, "s", &[("cmi.location", "c")]);
    q.merge(&other).unwrap();
    commit(&mut q, 40, "s", &[("cmi.location", "d")]);
    commit(&mut q, 50, "s", &[("cmi.location", "e")]);
    let before: Vec<String> = q.batches().iter().map(|b| b.id.clone()).collect();
    q.compact();
    let after: Vec<String> = q.batches().iter().map(|b| b.id.clone()).collect();
    assert!(after.len() < before.len(), "{before:?} -> {after:?}");
    assert!(q.batches().iter().any(|b| b.seq == Some(sent.seq)), "the sent batch stays as it is");
    assert!(after.iter().any(|id| id.starts_with("n2.")), "another page's batch stays");
    assert_eq!(q.resume_snapshot(None, "s")["cmi.location"], "e");
}

#[test]
fn two_stored_copies_of_one_key_merge_into_their_union() {
    let mut q = q();
    commit(&mut q, 0, "s", &[("cmi.location", "1")]);
    let older = q.to_storage();
    commit(&mut q, 1000, "s", &[("cmi.location", "2")]);
    let out = q.next_to_send(2000).unwrap();
    let newer = q.to_storage();
    for (a, b) in [(Some(older.as_str()), newer.as_str()), (Some(newer.as_str()), older.as_str())] {
        let m = Queue::from_storage(&Queue::merge_texts(a, b).unwrap(), "x", Policy::default()).unwrap();
        assert_eq!(m.batches().len(), 2);
        assert_eq!(m.batches()[0].seq, Some(out.seq), "the number given survives");
    }
    assert_eq!(Queue::merge_texts(None, &older).unwrap(), Queue::from_storage(&older, "", Policy::default()).unwrap().to_storage());
    let other = newer.replace("learner-1", "learner-9");
    assert!(Queue::merge_texts(Some(&other), &older).is_err());
}

/// Issue 20: after a crash and relaunch, the new page may commit before the
/// stored queue of the page before is folded in (it comes back from the
/// durable copy asynchronously). Its batch must still go after the older
/// ones, or the older values would overwrite the newer at the server.
#[test]
fn a_batch_made_after_a_relaunch_sorts_after_the_older_pages_batches() {
    let mut before = Queue::new(ident(), "aaaa", Policy { window_ms: 0, ..Policy::default() });
    for (t, v) in [(1_000_000, "1"), (1_000_100, "2"), (1_000_200, "3")] {
        commit(&mut before, t, "s", &[("cmi.location", v)]);
    }
    let mut after = Queue::new(ident(), "0000", Policy::default());
    commit(&mut after, 1_005_000, "s", &[("cmi.location", "new")]);
    after.merge_stored(&before.to_storage()).unwrap();
    let order: Vec<&str> = after.batches().iter().map(|b| b.changes[0].1.as_str()).collect();
    assert_eq!(order, ["1", "2", "3", "new"]);
    assert_eq!(after.resume_snapshot(None, "s")["cmi.location"], "new");
}
