//! Property test of the commit queue against a simulated server that follows
//! docs/PROTOCOL.md: random sequences of enqueue (two tabs), send, ack,
//! transient failures, lost requests and lost answers, reloads, unload
//! flushes, offline periods and evictions. Whatever happens, once the
//! network is good again: no value is lost, no batch is acknowledged twice,
//! and every element's values reach the server in the order they were set.

use proptest::prelude::*;
use scorm_shim::engine::persist::{DataModel, Identity, Outgoing, Policy, Queue, UNLOAD_BUDGET};
use scorm_shim::engine::rte::{ChangeSet, PersistReason, Snapshot};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A server following the protocol: exactly once, in sequence order.
#[derive(Default)]
struct Server {
    last_seq: u64,
    keys: HashSet<String>,
    state: BTreeMap<(String, String), String>,
    /// Every value applied, per (sco, element), in application order.
    log: BTreeMap<(String, String), Vec<u64>>,
    conflicts: usize,
}

impl Server {
    fn post(&mut self, body: &str) -> (u16, String) {
        let v: serde_json::Value = serde_json::from_str(body).expect("body is JSON");
        for b in v["batches"].as_array().expect("batches") {
            let key = b["key"].as_str().expect("key").to_string();
            let seq = b["seq"].as_u64().expect("seq");
            if self.keys.contains(&key) {
                continue;
            }
            if seq != self.last_seq + 1 {
                self.conflicts += 1;
                return (409, format!("{{\"error\":\"seq_gap\",\"expected_seq\":{}}}", self.last_seq + 1));
            }
            let sco = b["sco"].as_str().expect("sco").to_string();
            assert_eq!(b["full"], false);
            for c in b["changes"].as_array().expect("changes") {
                let (k, val) = (c[0].as_str().expect("k"), c[1].as_str().expect("v"));
                let tag: u64 = val.trim_start_matches('v').parse().expect("tagged value");
                self.state.insert((sco.clone(), k.to_string()), val.to_string());
                self.log.entry((sco.clone(), k.to_string())).or_default().push(tag);
            }
            self.keys.insert(key);
            self.last_seq = seq;
        }
        (200, format!("{{\"last_seq\":{}}}", self.last_seq))
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// Tab A (the sender) or tab B records changes: (sco, [(element, _)]), terminate.
    Enqueue { tab_b: bool, sco: u8, elems: Vec<u8>, terminate: bool },
    Tick(u64),
    Send,
    /// What happens to the request in flight.
    Deliver(Outcome),
    /// Tab A reloads; the request in flight reached the server or not.
    Reload { reached: bool },
    /// Tab A closes: tab B (with whatever it has in memory) becomes the
    /// sender and a new tab opens as B. A's request in flight reached the
    /// server or not.
    SwitchSender { reached: bool },
    /// The page hides: beacon, which reaches the server or not.
    Unload { reached: bool },
    Offline,
    Online,
    Evict(u16),
}

#[derive(Clone, Copy, Debug)]
enum Outcome {
    Ok,
    LostBefore,
    LostAnswer,
    Http500,
    Http429,
    Timeout,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), 0u8..2, prop::collection::vec(0u8..4, 0..4), prop::bool::weighted(0.1))
            .prop_map(|(tab_b, sco, elems, terminate)| Op::Enqueue { tab_b, sco, elems, terminate }),
        2 => (0u64..3000).prop_map(Op::Tick),
        3 => Just(Op::Send),
        3 => prop_oneof![
            Just(Outcome::Ok), Just(Outcome::LostBefore), Just(Outcome::LostAnswer),
            Just(Outcome::Http500), Just(Outcome::Http429), Just(Outcome::Timeout)
        ].prop_map(Op::Deliver),
        1 => any::<bool>().prop_map(|reached| Op::Reload { reached }),
        1 => any::<bool>().prop_map(|reached| Op::Unload { reached }),
        1 => any::<bool>().prop_map(|reached| Op::SwitchSender { reached }),
        1 => Just(Op::Offline),
        1 => Just(Op::Online),
        1 => (0u16..2000).prop_map(Op::Evict),
    ]
}

fn ident() -> Identity {
    Identity {
        learner_id: "l".into(),
        course_id: "c".into(),
        registration_id: "r".into(),
        version: DataModel::Scorm12,
    }
}

struct World {
    storage: String,
    a: Queue,
    b: Queue,
    server: Server,
    in_flight: Option<Outgoing>,
    now: u64,
    tag: u64,
    reloads: u32,
    expected: BTreeMap<(String, String), u64>,
    acked_keys: HashSet<String>,
    rng: u64,
}

impl World {
    fn random(&mut self) -> f64 {
        self.rng = self.rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The lock protocol: read the stored queue, merge, act, write.
    fn with_a<R>(&mut self, f: impl FnOnce(&mut Queue) -> R) -> R {
        self.a.merge_stored(&self.storage).expect("stored queue reads back");
        let r = f(&mut self.a);
        self.storage = self.a.to_storage();
        r
    }

    fn respond(&mut self, seq: u64, status: u16, body: &str, retry_after: Option<u64>) {
        let key = self.a.batches().iter().find(|b| b.seq == Some(seq)).and_then(|b| b.key.clone());
        let (now, r) = (self.now, self.random());
        let evs = self.with_a(|a| {
            a.on_response(seq, status, body, retry_after, now, r);
            a.take_events()
        });
        for e in evs {
            if let scorm_shim::engine::persist::Event::Acknowledged { seq: s } = e {
                assert_eq!(s, seq);
                let key = key.clone().expect("acked batch had a key");
                assert!(self.acked_keys.insert(key), "batch acknowledged twice");
            }
        }
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Enqueue { tab_b, sco, elems, terminate } => {
                let sco = format!("sco{sco}");
                let mut changes = ChangeSet::new();
                for e in elems {
                    self.tag += 1;
                    let el = format!("cmi.e{e}");
                    changes.retain(|(k, _)| *k != el);
                    changes.push((el.clone(), format!("v{}", self.tag)));
                    self.expected.insert((sco.clone(), el), self.tag);
                }
                let reason = if *terminate { PersistReason::Terminate } else { PersistReason::Commit };
                let now = self.now;
                if *tab_b {
                    self.b.merge_stored(&self.storage).expect("B reads");
                    self.b.enqueue(now, &sco, reason, &changes, &Snapshot::new());
                    self.storage = self.b.to_storage();
                } else {
                    self.with_a(|a| a.enqueue(now, &sco, reason, &changes, &Snapshot::new()));
                }
            }
            Op::Tick(ms) => self.now += ms,
            Op::Send => {
                if self.in_flight.is_none() {
                    let now = self.now;
                    self.in_flight = self.with_a(|a| a.next_to_send(now));
                }
            }
            Op::Deliver(outcome) => {
                let Some(req) = self.in_flight.take() else { return };
                let (now, r) = (self.now, self.random());
                let net = |w: &mut World, kind| {
                    w.with_a(|a| a.on_failure(req.seq, kind, None, now, r));
                };
                use scorm_shim::engine::persist::Failure;
                match outcome {
                    Outcome::Ok => {
                        let (st, body) = self.server.post(&req.body);
                        self.respond(req.seq, st, &body, None);
                    }
                    Outcome::LostBefore => net(self, Failure::Network),
                    Outcome::LostAnswer => {
                        self.server.post(&req.body);
                        net(self, Failure::Network)
                    }
                    Outcome::Timeout => {
                        self.server.post(&req.body);
                        net(self, Failure::Timeout)
                    }
                    Outcome::Http500 => self.respond(req.seq, 500, "oops", None),
                    Outcome::Http429 => self.respond(req.seq, 429, "", Some(2)),
                }
            }
            Op::Reload { reached } => {
                if let Some(req) = self.in_flight.take() {
                    if *reached {
                        self.server.post(&req.body);
                    }
                }
                self.reloads += 1;
                let (q, err) =
                    Queue::load(ident(), &format!("A{}", self.reloads), policy(), Some(&self.storage));
                assert_eq!(err, None);
                self.a = q;
            }
            Op::SwitchSender { reached } => {
                if let Some(req) = self.in_flight.take() {
                    if *reached {
                        self.server.post(&req.body);
                    }
                }
                self.reloads += 1;
                let (fresh, err) =
                    Queue::load(ident(), &format!("B{}", self.reloads), policy(), Some(&self.storage));
                assert_eq!(err, None);
                self.a = std::mem::replace(&mut self.b, fresh);
            }
            Op::Unload { reached } => {
                let body = self.with_a(|a| a.flush_for_unload(UNLOAD_BUDGET));
                if let (Some(body), true) = (body, *reached) {
                    assert!(body.len() <= UNLOAD_BUDGET);
                    self.server.post(&body);
                }
            }
            Op::Offline => {
                let now = self.now;
                self.with_a(|a| a.set_online(false, now));
            }
            Op::Online => {
                let now = self.now;
                self.with_a(|a| a.set_online(true, now));
            }
            Op::Evict(max) => {
                let max = usize::from(*max);
                let r = self.with_a(|a| a.evict_for_quota(max));
                if r.is_err() {
                    assert!(self.a.batches().iter().all(|b| b.state != scorm_shim::engine::persist::BatchState::Acked));
                }
            }
        }
    }

    /// Good network from now on: everything drains.
    fn drain(&mut self) {
        let now = self.now;
        self.with_a(|a| a.set_online(true, now));
        if let Some(req) = self.in_flight.take() {
            let (st, body) = self.server.post(&req.body);
            self.respond(req.seq, st, &body, None);
        }
        for _ in 0..1000 {
            self.now += 3_600_000;
            let now = self.now;
            let Some(req) = self.with_a(|a| a.next_to_send(now)) else { break };
            let (st, body) = self.server.post(&req.body);
            self.respond(req.seq, st, &body, None);
        }
    }
}

fn policy() -> Policy {
    Policy { keep_acked: 1, ..Policy::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_loss_no_double_ack_order_kept(ops in prop::collection::vec(op(), 0..80), seed in any::<u64>()) {
        let a = Queue::new(ident(), "A0", policy());
        let mut w = World {
            storage: a.to_storage(),
            a,
            b: Queue::new(ident(), "B", policy()),
            server: Server::default(),
            in_flight: None,
            now: 1_000_000,
            tag: 0,
            reloads: 0,
            expected: BTreeMap::new(),
            acked_keys: HashSet::new(),
            rng: seed,
        };
        for op in &ops {
            w.step(op);
        }
        w.drain();
        let st = w.a.status(w.now);
        prop_assert_eq!(st.pending, 0, "queue drained");
        prop_assert!(st.failed.is_empty());
        prop_assert_eq!(w.server.conflicts, 0, "server never saw a gap");
        // No value lost: the server holds the last value set for every element.
        let got: HashMap<_, _> = w.server.state.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        prop_assert_eq!(got.len(), w.expected.len());
        for (k, tag) in &w.expected {
            prop_assert_eq!(got.get(k), Some(&format!("v{tag}")), "element {:?}", k);
        }
        // Order kept: each element's values were applied in the order set.
        for (k, tags) in &w.server.log {
            prop_assert!(tags.windows(2).all(|p| p[0] < p[1]), "order of {:?}: {:?}", k, tags);
        }
        // Every acknowledged key was applied by the server.
        for k in &w.acked_keys {
            prop_assert!(w.server.keys.contains(k));
        }
    }
}
