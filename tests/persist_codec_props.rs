//! Property tests of the queue's stored format and of merging: any Unicode
//! round-trips, no input makes the readers panic, and merging two tabs'
//! copies is order-independent and loses no batch.

use proptest::prelude::*;
use scorm_shim::engine::persist::{json, BatchState, DataModel, Identity, Policy, Queue};
use scorm_shim::engine::rte::{PersistReason, Snapshot};

fn ident(reg: &str) -> Identity {
    Identity {
        learner_id: "l".into(),
        course_id: "c".into(),
        registration_id: reg.into(),
        version: DataModel::Scorm2004,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_round_trips(reg in any::<String>(), sco in any::<String>(),
                               pairs in prop::collection::vec((any::<String>(), any::<String>()), 1..5)) {
        let mut q = Queue::new(ident(&reg), "n", Policy::default());
        q.enqueue(0, &sco, PersistReason::Commit, &pairs, &Snapshot::new());
        let text = q.to_storage();
        let r = Queue::from_storage(&text, "n", Policy::default()).expect("reads back");
        prop_assert_eq!(r.batches(), q.batches());
        prop_assert_eq!(&r.identity().registration_id, &reg);
        // The request body is standard JSON with the same strings.
        let out = q.clone().flush_for_unload(usize::MAX).expect("body");
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        prop_assert_eq!(v["registration"].as_str(), Some(reg.as_str()));
        prop_assert_eq!(v["batches"][0]["sco"].as_str(), Some(sco.as_str()));
    }

    #[test]
    fn readers_never_panic(s in any::<String>(), cut in any::<prop::sample::Index>(), b in any::<u8>()) {
        let _ = json::parse(&s);
        let _ = Queue::from_storage(&s, "n", Policy::default());
        let _ = scorm_shim::engine::persist::ServerState::parse(&s);
        // Damaged copies of a valid stored queue.
        let mut q = Queue::new(ident("r"), "n", Policy::default());
        q.enqueue(0, "s", PersistReason::Commit, &vec![("cmi.location".into(), s.clone())], &Snapshot::new());
        let text = q.to_storage();
        let mut bytes = text.clone().into_bytes();
        let i = cut.index(bytes.len());
        bytes[i] = b;
        if let Ok(damaged) = String::from_utf8(bytes) {
            let _ = Queue::from_storage(&damaged, "n", Policy::default());
        }
        let chars: Vec<char> = text.chars().collect();
        let truncated: String = chars[..cut.index(chars.len())].iter().collect();
        prop_assert!(Queue::from_storage(&truncated, "n", Policy::default()).is_err());
    }

    #[test]
    fn merge_is_order_independent_and_keeps_every_batch(
        ops in prop::collection::vec((any::<bool>(), 0u8..3, any::<bool>()), 1..30)
    ) {
        // Two tabs work from a common stored queue, each without seeing the
        // other's later writes, then meet.
        let pol = Policy { window_ms: 0, keep_acked: 100, ..Policy::default() };
        let mut base = Queue::new(ident("r"), "S", pol.clone());
        base.enqueue(0, "s", PersistReason::Commit, &vec![("cmi.location".into(), "0".into())], &Snapshot::new());
        let stored = base.to_storage();
        let (mut a, _) = Queue::load(ident("r"), "A", pol.clone(), Some(&stored));
        let (mut b, _) = Queue::load(ident("r"), "B", pol.clone(), Some(&stored));
        let mut t = 0;
        for (in_a, kind, flag) in &ops {
            t += 1;
            let q = if *in_a { &mut a } else { &mut b };
            match kind {
                0 => { q.enqueue(t, "s", PersistReason::Commit, &vec![(format!("e{t}"), "v".into())], &Snapshot::new()); }
                1 if *in_a => {
                    // Only tab A sends.
                    if let Some(o) = q.next_to_send(t) {
                        if *flag { q.on_ack(o.seq); } else { q.on_response(o.seq, 422, "{}", None, t, 0.0); }
                    }
                }
                _ => {}
            }
        }
        let mut ab = a.clone();
        ab.merge(&b).expect("same registration");
        let mut ba = b.clone();
        ba.merge(&a).expect("same registration");
        let view = |q: &Queue| {
            let mut v: Vec<_> = q.batches().iter().map(|x| (x.id.clone(), x.seq, x.state.clone(), x.changes.clone())).collect();
            v.sort_by(|x, y| x.0.cmp(&y.0));
            v
        };
        prop_assert_eq!(view(&ab), view(&ba));
        // Every batch of either side is there, none acknowledged lost.
        for x in a.batches().iter().chain(b.batches()) {
            let m = ab.batches().iter().find(|y| y.id == x.id);
            prop_assert!(m.is_some(), "batch {} lost", x.id);
            if x.state == BatchState::Acked {
                prop_assert_eq!(&m.map(|m| m.state.clone()), &Some(BatchState::Acked));
            }
        }
        // Idempotent.
        let mut abab = ab.clone();
        abab.merge(&ab).expect("same");
        prop_assert_eq!(view(&abab), view(&ab));
        // Merged order: numbered batches first, by number.
        let seqs: Vec<u64> = ab.batches().iter().filter_map(|x| x.seq).collect();
        prop_assert!(seqs.windows(2).all(|w| w[0] <= w[1]));
    }
}
