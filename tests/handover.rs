//! The pieces the run-time module hands to the course engine when a page
//! opens a package (`src/web/handover.rs`): the configuration, each commit
//! queue with this page load's part, and the backend's state. Whatever is
//! handed over must behave exactly as the original would have.

use scorm_shim::engine::config::Config;
use scorm_shim::engine::persist::{DataModel, Identity, Policy, Queue, ServerState};
use scorm_shim::engine::rte::{ChangeSet, PersistReason, Snapshot};

fn identity() -> Identity {
    Identity {
        learner_id: "learner-1".into(),
        course_id: "course-1".into(),
        registration_id: "reg-1".into(),
        version: DataModel::Scorm2004,
    }
}

fn changes(pairs: &[(&str, &str)]) -> ChangeSet {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn commit(q: &mut Queue, now: u64, pairs: &[(&str, &str)]) -> String {
    q.enqueue(now, "sco-1", PersistReason::Commit, &changes(pairs), &Snapshot::new()).expect("recorded").id
}

/// Two queues that answer every later step the same.
fn assert_same_from_now_on(mut a: Queue, mut b: Queue, now: u64) {
    assert_eq!(a.to_storage(), b.to_storage());
    assert_eq!(a.status(now), b.status(now));
    assert_eq!(a.next_wakeup(now), b.next_wakeup(now));
    // New batches get new ids (the batch counter went along).
    let ida = commit(&mut a, now + 10_000, &[("cmi.location", "later")]);
    let idb = commit(&mut b, now + 10_000, &[("cmi.location", "later")]);
    assert_eq!(ida, idb);
    let mut t = now + 20_000;
    for _ in 0..6 {
        let (oa, ob) = (a.next_to_send(t), b.next_to_send(t));
        assert_eq!(oa, ob);
        if let Some(o) = oa {
            a.on_response(o.seq, 200, "{}", None, t, 0.5);
            b.on_response(o.seq, 200, "{}", None, t, 0.5);
        }
        t += 60_000;
    }
    assert_eq!(a.to_storage(), b.to_storage());
    assert_eq!(a.status(t), b.status(t));
}

#[test]
fn a_queue_hands_over_with_its_counter_in_flight_request_and_retry_time() {
    let policy = Policy { window_ms: 0, ..Policy::default() };
    let mut q = Queue::new(identity(), "nonce-1", policy.clone());
    let first = commit(&mut q, 1_000, &[("cmi.location", "1")]);
    commit(&mut q, 2_000, &[("cmi.location", "2"), ("cmi.suspend_data", "a\nb \"c\" \u{2028}")]);
    // The first batch failed once (retry time set), then went out again and is in flight.
    let out = q.next_to_send(3_000).expect("a request");
    q.on_response(out.seq, 503, "", Some(7), 3_000, 0.5);
    assert!(q.next_to_send(3_500).is_none(), "held back until the retry time");
    let out = q.next_to_send(11_000).expect("the retry");
    assert_eq!(q.batches()[0].id, first);
    let _ = q.take_events();

    let moved = Queue::from_handover(&q.to_handover(), policy.clone()).expect("hand-over read");
    assert_eq!(moved.status(11_000).in_flight, Some(out.seq));
    assert_same_from_now_on(q.clone(), moved.clone(), 11_000);

    // The answer to the request in flight reaches the new queue.
    let mut moved = moved;
    moved.on_response(out.seq, 200, "{}", None, 11_500, 0.5);
    assert_eq!(moved.last_acked(), out.seq);
    assert_eq!(moved.status(11_500).in_flight, None);
}

#[test]
fn batch_ids_are_not_reused_after_a_hand_over() {
    // Acknowledged batches are evicted at once: only the counter remembers their ids.
    let policy = Policy { window_ms: 0, keep_acked: 0, ..Policy::default() };
    let mut q = Queue::new(identity(), "n3", policy.clone());
    let first = commit(&mut q, 1, &[("cmi.location", "1")]);
    let out = q.next_to_send(2).expect("a request");
    q.on_response(out.seq, 200, "{}", None, 2, 0.5);
    assert!(q.batches().is_empty());
    let mut moved = Queue::from_handover(&q.to_handover(), policy).expect("hand-over read");
    assert_ne!(commit(&mut moved, 3, &[("cmi.location", "2")]), first);
}

#[test]
fn offline_and_an_empty_queue_hand_over_too() {
    let policy = Policy::default();
    let mut q = Queue::new(identity(), "n2", policy.clone());
    let moved = Queue::from_handover(&q.to_handover(), policy.clone()).expect("hand-over read");
    assert_same_from_now_on(q.clone(), moved, 0);
    q.set_online(false, 5);
    commit(&mut q, 10, &[("cmi.exit", "suspend")]);
    let moved = Queue::from_handover(&q.to_handover(), policy.clone()).expect("hand-over read");
    assert!(!moved.status(20).online);
    assert_same_from_now_on(q, moved, 20);
}

#[test]
fn a_bad_hand_over_is_an_error_not_a_panic() {
    for bad in ["", "{}", "{}\n{}", "{\"nonce\":\"n\"}\n", "not json\nnot json", "{\"nonce\":1}\n{\"v\":1}"] {
        assert!(Queue::from_handover(bad, Policy::default()).is_err(), "{bad:?}");
    }
}

#[test]
fn the_backend_state_round_trips_through_its_own_json() {
    let mut s = ServerState { registration_id: "reg \"1\"".into(), last_seq: 42, ..ServerState::default() };
    let mut snap = Snapshot::new();
    snap.insert("cmi.location".into(), "page\n3".into());
    snap.insert("cmi.suspend_data".into(), "\u{1F600}\\".into());
    s.scos.insert("sco-1".into(), snap);
    s.scos.insert("sco 2".into(), Snapshot::new());
    for state in [ServerState::default(), s] {
        assert_eq!(ServerState::parse(&state.to_json()), Ok(state));
    }
}

#[test]
fn the_configuration_hands_over_through_its_pairs() {
    let (c, errors) = Config::from_pairs([
        ("endpoint", "/api"),
        ("headers", "Authorization: Bearer t"),
        ("registrationId", "r-9"),
        ("versions", "2004"),
    ]);
    assert!(errors.is_empty());
    let pairs = c.to_pairs();
    let (back, errors) = Config::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(back, c);
}
