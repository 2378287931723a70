//! A batch the backend refuses for good is kept until someone decides
//! (issue 13.1): listed with its data, sent again, or discarded.

use scorm_shim::engine::persist::{DataModel, Identity, Policy, Queue};
use scorm_shim::engine::rte::{ChangeSet, PersistReason, Snapshot};

fn queue() -> Queue {
    let identity = Identity {
        learner_id: "learner-1".into(),
        course_id: "course-1".into(),
        registration_id: "reg-1".into(),
        version: DataModel::Scorm12,
    };
    Queue::new(identity, "n1", Policy::default())
}

fn commit(q: &mut Queue, now: u64, pairs: &[(&str, &str)]) -> String {
    let cs: ChangeSet = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    q.enqueue(now, "sco-1", PersistReason::Terminate, &cs, &Snapshot::new()).expect("queued").id
}

#[test]
fn refused_batches_are_listed_retried_or_discarded() {
    let mut q = queue();
    let first = commit(&mut q, 0, &[("cmi.core.lesson_location", "p2")]);
    let out = q.next_to_send(10).expect("sent");
    q.on_response(out.seq, 422, r#"{"error":"registration_mismatch","reason":"the registration belongs to another learner, course or version"}"#, None, 20, 0.5);
    let failed: serde_json::Value = serde_json::from_str(&q.failed_json()).expect("JSON");
    assert_eq!(failed[0]["id"], first.as_str());
    assert_eq!(failed[0]["seq"], 1);
    assert_eq!(failed[0]["status"], 422);
    assert_eq!(failed[0]["sco"], "sco-1");
    assert_eq!(failed[0]["reason"], "the registration belongs to another learner, course or version");
    assert_eq!(failed[0]["changes"], serde_json::json!([["cmi.core.lesson_location", "p2"]]));
    assert_eq!(q.status(20).failed.len(), 1);

    // A later batch goes on; the refused one stays until someone decides.
    commit(&mut q, 30, &[("cmi.core.lesson_status", "completed")]);
    let out = q.next_to_send(40).expect("the next batch is sent");
    assert!(q.on_ack(out.seq));
    assert_eq!(q.failed_batches().count(), 1);

    // Retry: the same changes go out again, after the others, with a new number and key.
    let again = q.retry_failed(&first).expect("retried");
    assert_ne!(again, first);
    assert_eq!(q.failed_batches().count(), 0);
    assert_eq!(q.status(50).pending, 1);
    let out = q.next_to_send(50).expect("sent again");
    assert_eq!(out.seq, 3);
    assert!(out.body.contains("\"cmi.core.lesson_location\",\"p2\""), "{}", out.body);
    q.on_response(out.seq, 422, r#"{"reason":"still refused"}"#, None, 60, 0.5);
    let failed: serde_json::Value = serde_json::from_str(&q.failed_json()).expect("JSON");
    assert_eq!(failed[0]["reason"], "still refused");

    // Discard: gone for good; unknown ids change nothing.
    assert_eq!(q.retry_failed("nope"), None);
    assert!(q.discard_failed("nope").is_none());
    let gone = q.discard_failed(&again).expect("discarded");
    assert_eq!(gone.changes, vec![("cmi.core.lesson_location".to_string(), "p2".to_string())]);
    assert_eq!(q.failed_json(), "[]");
    // A pending batch cannot be discarded or retried through these calls.
    let pending = commit(&mut q, 100, &[("cmi.core.lesson_location", "p3")]);
    assert!(q.discard_failed(&pending).is_none() && q.retry_failed(&pending).is_none());

    // The decisions survive storage.
    let stored = Queue::from_storage(&q.to_storage(), "n2", Policy::default()).expect("reads");
    assert_eq!(stored.failed_batches().count(), 0);
    assert_eq!(stored.status(0).pending, 1);
}

/// A course player learns the course from the package after the page
/// started: the queue (with what it took over from stored queues) goes on
/// under it, and its requests say so.
#[test]
fn the_queue_can_learn_its_course() {
    let mut q = queue();
    commit(&mut q, 0, &[("cmi.core.lesson_status", "incomplete")]);
    let rev = q.rev();
    q.set_course("com.example.package");
    assert!(q.rev() > rev, "a change to store");
    assert_eq!(q.identity().course_id, "com.example.package");
    let out = q.next_to_send(10).expect("sent");
    let body: serde_json::Value = serde_json::from_str(&out.body).expect("JSON");
    assert_eq!(body["course"], "com.example.package");
    assert_eq!(body["batches"][0]["changes"][0][1], "incomplete");
    let stored = Queue::from_storage(&q.to_storage(), "n2", Policy::default()).expect("reads");
    assert_eq!(stored.identity().course_id, "com.example.package");
}
