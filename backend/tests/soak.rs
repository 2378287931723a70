//! Fault-injection soak of the commit queue against the real backend
//! (project issue 7: "tracking data is never lost").
//!
//! The `scorm-backend` binary is started on 127.0.0.1 with `--test-faults`
//! and authentication on (every request carries the session's launch
//! token): one process on a temporary SQLite database, and three processes
//! sharing one PostgreSQL database (a throwaway server, see tests/pg.rs),
//! which the client alternates between request by request (two devices of
//! one learner start on different processes, so they hit different
//! processes at once). Each of many randomized sessions drives the
//! engine's [`Queue`] as the browser layer would (docs in
//! `src/engine/persist/mod.rs`), over real HTTP/1.1, with a fake clock (no
//! sleeping: retry delays and `Retry-After` are honoured by moving the clock),
//! a string standing in for `localStorage` (written after every step that
//! changes the queue), and faults:
//!
//! * injected answers 500 / 503 / 429, with or without `Retry-After`,
//!   before applying or after applying (a lost answer);
//! * answers dropped by the client (a timeout after the server applied);
//! * page reloads: the in-memory queue is dropped and rebuilt from the stored
//!   text with a new nonce (sometimes in the middle of a request);
//! * page unloads: [`Queue::flush_for_unload`] sent as a `text/plain` beacon
//!   whose answer nobody reads, then a reload;
//! * backend crashes: a process is killed (SIGKILL) and restarted on the
//!   same port and database, sometimes after a downtime during which requests
//!   to it fail to connect;
//! * offline/online switches ([`Queue::set_online`]), and now and then a
//!   large `suspend_data` (10–60 KB) so beacons hit their 64 KiB budget;
//! * two devices of one registration (about 30 % of the sessions), each with
//!   its own storage and its own SCOs, taking sequence numbers from each
//!   other: 409 answers and renumbering.
//!
//! At the end of each session the faults are switched off and the queue is
//! drained; then the backend's `GET /api/state` is compared with the values
//! the "SCOs" set last (a missing or different value is a lost value), and
//! the batch log is checked: every batch applied once (no key, sequence number
//! or client batch twice), no gap, nothing refused. On every reload the
//! resume snapshot ([`Queue::resume_snapshot`]) must equal what the SCO set.
//!
//! `SOAK_SESSIONS` (default 200 on SQLite, 60 on PostgreSQL) and `SOAK_SEED`
//! change the run; `SOAK_FULL=1` runs 1,000 sessions on each. The summary
//! lines are printed on standard error (`cargo test -p scorm-backend --test
//! soak -- --nocapture`).

mod common;

use scorm_shim::engine::persist::{DataModel, Failure, Identity, Policy, Queue, ServerState, UNLOAD_BUDGET};
use scorm_shim::engine::rte::{ChangeSet, PersistReason, Snapshot};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

/// SplitMix64: small, deterministic, good enough for choosing actions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// One backend process, restartable on the same port.
struct Proc {
    child: Option<Child>,
    addr: String,
}

/// The backend processes sharing one database.
struct Backend {
    procs: Vec<Proc>,
    cfg: common::Config,
    dir: PathBuf,
}

impl Backend {
    fn spawn(cfg: &common::Config, dir: &std::path::Path) -> std::io::Result<(Child, String)> {
        common::try_spawn(cfg, dir).map_err(std::io::Error::other)
    }

    fn start(db: &str, processes: usize) -> Backend {
        let dir = common::tempdir("soak");
        let mut cfg = common::Config::new(db).faults();
        let mut procs = Vec::new();
        for _ in 0..processes {
            let (child, addr) = Backend::spawn(&cfg, &dir).expect("backend starts");
            procs.push(Proc { child: Some(child), addr });
        }
        cfg.addr = String::new();
        Backend { procs, cfg, dir }
    }

    fn is_up(&self, i: usize) -> bool {
        self.procs[i].child.is_some()
    }

    fn addr(&self, i: usize) -> &str {
        &self.procs[i].addr
    }

    /// SIGKILL: a crash, not a clean shutdown.
    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.procs[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn restart(&mut self, i: usize) {
        self.kill(i);
        let mut cfg = self.cfg.clone();
        cfg.addr = self.procs[i].addr.clone();
        for _ in 0..100 {
            match Backend::spawn(&cfg, &self.dir) {
                Ok((c, _)) => {
                    self.procs[i].child = Some(c);
                    return;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        panic!("the backend could not be restarted on {}", self.procs[i].addr);
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        for i in 0..self.procs.len() {
            self.kill(i);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTP answer.
struct Resp {
    status: u16,
    retry_after: Option<u64>,
    body: String,
}

/// One HTTP/1.1 request on its own connection, with the launch token.
/// `Err` for connection errors.
fn http(addr: &str, method: &str, path: &str, ctype: &str, body: &str, token: &str) -> Result<Resp, String> {
    let auth = format!("Bearer {token}");
    let r = common::request(addr, method, path, &[("Content-Type", ctype), ("Authorization", &auth)], body.as_bytes())?;
    let retry_after = r.header("retry-after").and_then(|v| v.parse().ok());
    let body = String::from_utf8(r.body).map_err(|e| e.to_string())?;
    Ok(Resp { status: r.status, retry_after, body })
}

fn get_json(addr: &str, path: &str, token: &str) -> Value {
    let r = http(addr, "GET", path, "text/plain", "", token).expect("GET reaches the backend");
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    serde_json::from_str(&r.body).expect("JSON answer")
}

/// Counters of the whole run.
#[derive(Default, Debug)]
struct Stats {
    sessions: u64,
    commits: u64,
    requests: u64,
    acked: u64,
    applied: u64,
    injected: u64,
    /// Faults armed on the backend (a restart disarms what is left).
    armed: u64,
    /// Of which lost answers (applied, then answered with an error).
    armed_after_apply: u64,
    dropped_answers: u64,
    network_errors: u64,
    reloads: u64,
    two_device_sessions: u64,
    /// Steps where both devices had a request in flight at once.
    simultaneous: u64,
    offline_toggles: u64,
    conflicts: u64,
    mid_request_reloads: u64,
    beacons: u64,
    restarts: u64,
    full_batches: u64,
    lost: u64,
    extra: u64,
    double_applied: u64,
    refused: u64,
    gaps: u64,
    resume_mismatches: u64,
    client_failed: u64,
    not_drained: u64,
}

/// What a page load holds: the queue and the SCOs' current values.
struct Client {
    q: Queue,
    /// The process this page's first request goes to; later requests
    /// go to the next processes in turn.
    route: usize,
    sent: usize,
    /// `localStorage[KEY]`.
    stored: String,
    /// The SCOs this device works on (two devices of one registration get
    /// disjoint SCOs, so the expected final values are well defined).
    scos: &'static [&'static str],
}

const SCOS: &[&str] = &["intro", "module_1", "module_2", "quiz"];
const DEVICE_A: &[&str] = &["intro", "module_1"];
const DEVICE_B: &[&str] = &["module_2", "quiz"];

/// A random valid SCORM 2004 change (checked against the backend's validator).
fn random_change(rng: &mut Rng) -> (String, String) {
    let n = rng.below(4);
    let (k, v): (String, String) = match rng.below(12) {
        0 | 1 => ("cmi.location".into(), format!("page-{}", rng.below(50))),
        2 => ("cmi.score.raw".into(), format!("{}.{}", rng.below(100), rng.below(10))),
        3 => ("cmi.score.scaled".into(), format!("0.{}", rng.below(1000))),
        4 => ("cmi.progress_measure".into(), format!("0.{}", rng.below(100))),
        5 => ("cmi.completion_status".into(), rng.pick(&["completed", "incomplete", "not attempted", "unknown"]).to_string()),
        6 => ("cmi.success_status".into(), rng.pick(&["passed", "failed", "unknown"]).to_string()),
        7 => ("cmi.session_time".into(), format!("PT{}M{}S", rng.below(60), rng.below(60))),
        8 => (format!("cmi.interactions.{n}.id"), format!("q{}", rng.below(1000))),
        9 => (format!("cmi.interactions.{n}.result"), rng.pick(&["correct", "incorrect", "neutral"]).to_string()),
        10 => (format!("cmi.objectives.{n}.id"), format!("obj-{}", rng.below(9))),
        _ => ("cmi.exit".into(), rng.pick(&["suspend", "normal", "logout", ""]).to_string()),
    };
    (k, v)
}

struct Session<'a> {
    rng: &'a mut Rng,
    be: &'a mut Backend,
    st: &'a mut Stats,
    sid: u64,
    id: Identity,
    policy: Policy,
    now: u64,
    /// What each SCO set last: the values the backend must end with.
    model: BTreeMap<String, Snapshot>,
    ops: u64,
    /// Per process: steps until a killed process comes back (0: up or
    /// restarted at once).
    down_for: Vec<u32>,
    /// The session's launch token.
    token: String,
}

impl Client {
    /// The process of the next request (round robin from `route`).
    fn target(&mut self, n: usize) -> usize {
        let p = (self.route + self.sent) % n;
        self.sent += 1;
        p
    }
}

impl Session<'_> {
    fn nonce(&mut self) -> String {
        format!("{:016x}", self.rng.next())
    }

    fn save(&self, c: &mut Client) {
        c.stored = c.q.to_storage();
    }

    /// A page load: the queue from storage, the server's state, resume.
    fn load(&mut self, stored: Option<&str>, scos: &'static [&'static str], route: usize) -> Client {
        let nonce = self.nonce();
        let p = route % self.be.procs.len();
        let mut q = match stored {
            // Both ways the layer may rebuild a queue from its stored text.
            Some(text) if self.rng.chance(0.5) => {
                Queue::from_storage(text, &nonce, self.policy.clone()).expect("the stored queue must load")
            }
            _ => {
                let (q, err) = Queue::load(self.id.clone(), &nonce, self.policy.clone(), stored);
                assert_eq!(err, None, "the stored queue must load");
                q
            }
        };
        let server = if self.be.is_up(p) {
            let path = format!("/api/state?registration={}", self.id.registration_id);
            http(self.be.addr(p), "GET", &path, "text/plain", "", &self.token)
                .ok()
                .filter(|r| r.status == 200)
                .and_then(|r| ServerState::parse(&r.body).ok())
        } else {
            None
        };
        if let Some(s) = &server {
            q.observe_server(s);
            // With the server's state, resume must give exactly what the SCOs set.
            for sco in scos {
                let want = self.model.get(*sco).cloned().unwrap_or_default();
                if q.resume_snapshot(Some(s), sco) != want {
                    self.st.resume_mismatches += 1;
                }
            }
        }
        let mut c = Client { q, stored: String::new(), scos, route: p + 1, sent: 0 };
        self.save(&mut c);
        c
    }

    /// Count down a downtime; bring the backend back when it ends.
    fn tick_downtime(&mut self) {
        for p in 0..self.down_for.len() {
            if self.down_for[p] > 0 {
                self.down_for[p] -= 1;
                if self.down_for[p] == 0 {
                    self.be.restart(p);
                }
            }
        }
    }

    fn post(&mut self, p: usize, body: &str, ctype: &str) -> Result<Resp, String> {
        if !self.be.is_up(p) {
            return Err("connection refused (backend down)".into());
        }
        http(self.be.addr(p), "POST", "/api/batches", ctype, body, &self.token)
    }

    /// Commit/Terminate of a SCO: random changes, enqueued and stored.
    fn commit(&mut self, c: &mut Client) {
        let sco = *self.rng.pick(c.scos);
        self.ops += 1;
        let mut changes = ChangeSet::new();
        // Every commit carries a unique suspend_data token, so the batch log
        // shows whether one client batch was applied twice.
        // Now and then a large suspend_data, so unload beacons hit their 64 KiB budget.
        let pad = if self.rng.chance(0.03) { 10_000 + self.rng.below(50_000) } else { self.rng.below(40) };
        let token = format!("s{}-op{}-é🎉\"\\\n{}", self.sid, self.ops, "x".repeat(pad as usize));
        changes.push(("cmi.suspend_data".into(), token));
        for _ in 0..self.rng.below(6) {
            let (k, v) = random_change(self.rng);
            match changes.iter_mut().find(|(ek, _)| *ek == k) {
                Some(slot) => slot.1 = v,
                None => changes.push((k, v)),
            }
        }
        for (k, v) in &changes {
            assert_eq!(scorm_shim::engine::scorm2004::validate_stored(k, v), Ok(()), "the soak only sets valid values");
        }
        let snap = self.model.entry(sco.to_owned()).or_default();
        for (k, v) in &changes {
            snap.insert(k.clone(), v.clone());
        }
        let snapshot = snap.clone();
        let reason = if self.rng.chance(0.1) { PersistReason::Terminate } else { PersistReason::Commit };
        let full = self.rng.chance(0.05);
        if full {
            self.st.full_batches += 1;
        }
        let r = c.q.enqueue_with(self.now, sco, reason, &changes, &snapshot, full);
        assert!(r.is_some(), "a non-empty change set is recorded");
        self.st.commits += 1;
        self.save(c);
    }

    /// Maybe arm a fault on the backend for the next requests.
    fn arm_fault(&mut self) {
        let p = self.rng.below(self.be.procs.len() as u64) as usize;
        if !self.be.is_up(p) {
            return;
        }
        let status = *self.rng.pick(&[500u16, 503, 429, 502, 408]);
        let retry_after = match self.rng.below(3) {
            0 => Value::Null,
            n => json!(self.rng.below(4 * n)),
        };
        let n = 1 + self.rng.below(3);
        let after_apply = self.rng.chance(0.4);
        self.st.armed += n;
        if after_apply {
            self.st.armed_after_apply += n;
        }
        let f = json!({"fail_next": n, "status": status, "retry_after": retry_after, "after_apply": after_apply});
        let r = http(self.be.addr(p), "POST", "/api/_faults", "application/json", &f.to_string(), "").expect("faults endpoint");
        assert_eq!(r.status, 200, "{}", r.body);
    }

    fn disarm_faults(&mut self) {
        for p in 0..self.be.procs.len() {
            let r = http(self.be.addr(p), "POST", "/api/_faults", "application/json", r#"{"fail_next":0}"#, "").expect("faults endpoint");
            assert_eq!(r.status, 200);
        }
    }

    /// Both devices send at the same moment, each to its next process
    /// (two devices of one learner on different processes at once).
    fn pump_both(&mut self, devices: &mut [Client]) {
        let n = self.be.procs.len();
        let mut outs = Vec::new();
        for c in devices.iter_mut() {
            if let Some(out) = c.q.next_to_send(self.now) {
                c.stored = c.q.to_storage();
                let p = c.target(n);
                outs.push(Some((out, p)));
            } else {
                outs.push(None);
            }
        }
        let answers: Vec<Option<Result<Resp, String>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = outs
                .iter()
                .map(|o| {
                    o.as_ref().map(|(out, p)| {
                        let (up, addr, token) = (self.be.is_up(*p), self.be.addr(*p).to_owned(), self.token.clone());
                        let body = out.body.clone();
                        scope.spawn(move || {
                            if !up {
                                return Err("connection refused (backend down)".to_owned());
                            }
                            http(&addr, "POST", "/api/batches", "application/json", &body, &token)
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.map(|h| h.join().expect("request thread"))).collect()
        });
        if outs.iter().all(Option::is_some) {
            self.st.simultaneous += 1;
        }
        for ((c, o), a) in devices.iter_mut().zip(outs).zip(answers) {
            let (Some((out, _)), Some(answer)) = (o, a) else { continue };
            self.st.requests += 1;
            let random = self.rng.unit();
            match answer {
                Ok(r) => {
                    if r.body.contains("injected_fault") {
                        self.st.injected += 1;
                    }
                    if (200..300).contains(&r.status) {
                        self.st.acked += 1;
                    }
                    if r.status == 409 {
                        self.st.conflicts += 1;
                    }
                    c.q.on_response(out.seq, r.status, &r.body, r.retry_after, self.now, random);
                }
                Err(_) => {
                    self.st.network_errors += 1;
                    c.q.on_failure(out.seq, Failure::Network, None, self.now, random);
                }
            }
            c.stored = c.q.to_storage();
        }
    }

    /// One step of the send loop. Returns `None` when nothing was sent, or
    /// `Some(reloaded)` when a crash mid-request replaced the client.
    fn pump_once(&mut self, c: &mut Client, faults: bool) -> Option<Option<Client>> {
        let out = c.q.next_to_send(self.now)?;
        self.save(c);
        self.st.requests += 1;
        let p = c.target(self.be.procs.len());
        let answer = self.post(p, &out.body, "application/json");
        let random = self.rng.unit();
        match answer {
            Ok(r) => {
                if r.body.contains("injected_fault") {
                    self.st.injected += 1;
                }
                if faults && self.rng.chance(0.02) {
                    // The page dies while the request is in flight: the
                    // server may have applied it, the client never knows.
                    self.st.mid_request_reloads += 1;
                    self.st.reloads += 1;
                    let stored = c.stored.clone();
                    let route = c.route + c.sent;
                    return Some(Some(self.load(Some(&stored), c.scos, route)));
                }
                if faults && self.rng.chance(0.03) {
                    // A timeout after the server answered (lost answer).
                    self.st.dropped_answers += 1;
                    c.q.on_failure(out.seq, Failure::Timeout, None, self.now, random);
                } else {
                    if (200..300).contains(&r.status) {
                        self.st.acked += 1;
                    }
                    if r.status == 409 {
                        self.st.conflicts += 1;
                    }
                    c.q.on_response(out.seq, r.status, &r.body, r.retry_after, self.now, random);
                }
            }
            Err(_) => {
                self.st.network_errors += 1;
                c.q.on_failure(out.seq, Failure::Network, None, self.now, random);
            }
        }
        self.save(c);
        Some(None)
    }

    /// Page unload: a beacon nobody waits for, then the next page load.
    fn unload(&mut self, c: &mut Client) -> Client {
        if let Some(body) = c.q.flush_for_unload(UNLOAD_BUDGET) {
            self.save(c);
            self.st.beacons += 1;
            let p = c.target(self.be.procs.len());
            if let Ok(r) = self.post(p, &body, "text/plain;charset=UTF-8") {
                if r.body.contains("injected_fault") {
                    self.st.injected += 1;
                }
            }
        }
        self.st.reloads += 1;
        let stored = c.stored.clone();
        let route = c.route + c.sent;
        self.load(Some(&stored), c.scos, route)
    }

    fn run(&mut self) {
        // Most sessions are one device; some are two devices of the same
        // registration (each with its own storage), which take sequence
        // numbers from each other: the backend answers 409 and they renumber.
        let mut devices = if self.rng.chance(0.3) {
            self.st.two_device_sessions += 1;
            // The two devices start on different processes.
            vec![self.load(None, DEVICE_A, 0), self.load(None, DEVICE_B, 1)]
        } else {
            let route = self.rng.below(self.be.procs.len() as u64) as usize;
            vec![self.load(None, SCOS, route)]
        };
        let steps = 30 + self.rng.below(90);
        for _ in 0..steps {
            self.now += self.rng.below(900);
            self.tick_downtime();
            let d = self.rng.below(devices.len() as u64) as usize;
            if devices.len() == 2 && self.rng.chance(0.15) {
                self.pump_both(&mut devices);
                continue;
            }
            let c = &mut devices[d];
            match self.rng.below(100) {
                0..=39 => self.commit(c),
                40..=69 => {
                    for _ in 0..1 + self.rng.below(3) {
                        match self.pump_once(c, true) {
                            None => break,
                            Some(Some(n)) => {
                                *c = n;
                                break;
                            }
                            Some(None) => {}
                        }
                    }
                }
                70..=72 => {
                    // The browser goes offline or comes back.
                    let online = !c.q.status(self.now).online;
                    self.st.offline_toggles += 1;
                    c.q.set_online(online, self.now);
                }
                73..=79 => {
                    // Idle: jump to when the queue wants to run.
                    if let Some(w) = c.q.next_wakeup(self.now) {
                        self.now = self.now.max(w);
                    }
                }
                80..=87 => self.arm_fault(),
                88..=91 => {
                    self.st.reloads += 1;
                    let (stored, scos, route) = (c.stored.clone(), c.scos, c.route + c.sent);
                    *c = self.load(Some(&stored), scos, route);
                }
                92..=96 => *c = self.unload(c),
                _ => {
                    let p = self.rng.below(self.be.procs.len() as u64) as usize;
                    if self.be.is_up(p) {
                        self.st.restarts += 1;
                        if self.rng.chance(0.5) {
                            self.be.restart(p);
                        } else {
                            self.be.kill(p);
                            self.down_for[p] = 1 + self.rng.below(4) as u32;
                        }
                    }
                }
            }
        }
        // Drain: the backend up, no more faults, the pages stay open.
        for p in 0..self.down_for.len() {
            if self.down_for[p] > 0 || !self.be.is_up(p) {
                self.down_for[p] = 0;
                self.be.restart(p);
            }
        }
        self.disarm_faults();
        for c in devices.iter_mut() {
            c.q.set_online(true, self.now);
        }
        let pending = |ds: &[Client], now| ds.iter().map(|c| c.q.status(now).pending).sum::<usize>();
        let mut rounds = 0;
        while pending(&devices, self.now) > 0 && rounds < 10_000 {
            rounds += 1;
            let d = rounds % devices.len();
            let c = &mut devices[d];
            if let Some(w) = c.q.next_wakeup(self.now) {
                self.now = self.now.max(w);
            } else {
                self.now += 1_000;
            }
            if let Some(Some(n)) = self.pump_once(c, false) {
                *c = n;
            }
        }
        if pending(&devices, self.now) > 0 {
            self.st.not_drained += 1;
        }
        for c in &devices {
            self.st.client_failed += c.q.status(self.now).failed.len() as u64;
        }
        let last_acked = devices.iter().map(|c| c.q.last_acked()).max().unwrap_or(0);
        self.verify(last_acked);
    }

    fn verify(&mut self, last_acked: u64) {
        let reg = &self.id.registration_id;
        let state = get_json(self.be.addr(0), &format!("/api/state?registration={reg}"), &self.token);
        let empty = serde_json::Map::new();
        for sco in SCOS {
            let want = self.model.get(*sco).cloned().unwrap_or_default();
            let got = state["scos"].get(*sco).and_then(Value::as_object).unwrap_or(&empty);
            for (k, v) in &want {
                if got.get(k).and_then(Value::as_str) != Some(v.as_str()) {
                    self.st.lost += 1;
                }
            }
            self.st.extra += got.keys().filter(|k| !want.contains_key(*k)).count() as u64;
        }
        let log = get_json(self.be.addr(self.be.procs.len() - 1), &format!("/api/batches?registration={reg}"), &self.token);
        let batches = log["batches"].as_array().cloned().unwrap_or_default();
        let (mut keys, mut seqs, mut tokens) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for (i, b) in batches.iter().enumerate() {
            if b["status"] != "applied" || b["http_status"] != 200 {
                self.st.refused += 1;
                continue;
            }
            self.st.applied += 1;
            let seq = b["seq"].as_u64().unwrap_or(0);
            if seq != i as u64 + 1 {
                self.st.gaps += 1;
            }
            let dup_key = !keys.insert(b["key"].as_str().unwrap_or("").to_owned());
            let dup_seq = !seqs.insert(seq);
            let token = b["changes"]
                .as_array()
                .and_then(|ch| ch.iter().find(|p| p[0] == "cmi.suspend_data"))
                .and_then(|p| p[1].as_str())
                .map(|t| (b["sco"].as_str().unwrap_or("").to_owned(), t.to_owned()));
            // A full batch re-sends the SCO's latest token; only diffs identify a commit.
            let dup_token = b["full"] != true && token.is_some_and(|t| !tokens.insert(t));
            if dup_key || dup_seq || dup_token {
                self.st.double_applied += 1;
            }
        }
        let last = state["last_seq"].as_u64().unwrap_or(0);
        if last != batches.len() as u64 || last_acked != last {
            self.st.gaps += 1;
        }
    }
}

/// The number of sessions: `SOAK_SESSIONS`, else 1,000 with `SOAK_FULL=1`,
/// else `short` (the CI run).
fn sessions(short: u64) -> u64 {
    let full = std::env::var("SOAK_FULL").is_ok_and(|v| v == "1");
    std::env::var("SOAK_SESSIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(if full { 1_000 } else { short })
}

#[test]
fn soak_sqlite_one_process() {
    // SQLite with synchronous=FULL: on a RAM disk when there is one
    // (common::tempdir), so fsync does not dominate the run time.
    let dir = common::tempdir("soak-db");
    soak("sqlite, 1 process", &dir.join("soak.sqlite").display().to_string(), 1, sessions(200));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn soak_postgres_three_processes() {
    let Some(pg) = common::Pg::start() else { return };
    soak("postgres, 3 processes", &pg.database(), 3, sessions(60));
}

fn soak(label: &str, db: &str, processes: usize, sessions: u64) {
    let seed: u64 = std::env::var("SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5C0_12A);
    let started = Instant::now();
    let mut rng = Rng(seed);
    let mut be = Backend::start(db, processes);
    let mut st = Stats::default();
    for sid in 0..sessions {
        let policy = Policy {
            window_ms: *rng.pick(&[0, 250, 500, 2_000]),
            keep_acked: *rng.pick(&[0usize, 2, 16]),
            ..Policy::default()
        };
        let id = Identity {
            learner_id: format!("learner-{sid}"),
            course_id: format!("course-{}", sid % 7),
            registration_id: format!("reg-{seed:x}-{sid}"),
            version: DataModel::Scorm2004,
        };
        let mut s = Session {
            rng: &mut rng,
            be: &mut be,
            st: &mut st,
            sid,
            id,
            policy,
            now: 1_767_225_600_000 + sid * 3_600_000,
            model: BTreeMap::new(),
            ops: 0,
            down_for: vec![0; processes],
            token: common::token(&format!("learner-{sid}"), &format!("reg-{seed:x}-{sid}"), &format!("course-{}", sid % 7)),
        };
        s.run();
        st.sessions += 1;
    }
    let faults = st.injected + st.dropped_answers + st.network_errors + st.mid_request_reloads + st.restarts;
    eprintln!(
        "soak ({label}): {} sessions, {} commits, {} batches applied, {} requests, {} faults injected \
         ({} injected HTTP errors of {} armed, {} of them after applying; {} dropped answers, {} network errors, {} crashes mid-request, {} backend restarts), \
         {} reloads, {} unload beacons, {} full batches, {} two-device sessions with {} seq conflicts (409) and {} simultaneous sends, {} offline/online switches, {} lost values, {} double-applied batches \
         ({} extra values, {} refused, {} gaps, {} resume mismatches, {} client-failed, {} not drained) in {:.1} s (seed {seed})",
        st.sessions,
        st.commits,
        st.applied,
        st.requests,
        faults,
        st.injected,
        st.armed,
        st.armed_after_apply,
        st.dropped_answers,
        st.network_errors,
        st.mid_request_reloads,
        st.restarts,
        st.reloads,
        st.beacons,
        st.full_batches,
        st.two_device_sessions,
        st.conflicts,
        st.simultaneous,
        st.offline_toggles,
        st.lost,
        st.double_applied,
        st.extra,
        st.refused,
        st.gaps,
        st.resume_mismatches,
        st.client_failed,
        st.not_drained,
        started.elapsed().as_secs_f64()
    );
    // The soak must actually have exercised the faults.
    assert!(st.injected > 0 && st.network_errors > 0 && st.restarts > 0 && st.beacons > 0 && st.reloads > 0 && st.conflicts > 0, "{st:?}");
    assert!(st.applied > 0 && st.acked > 0, "{st:?}");
    assert_eq!((st.lost, st.double_applied), (0, 0), "lost values, double-applied batches: {st:?}");
    assert_eq!((st.extra, st.refused, st.gaps, st.resume_mismatches, st.client_failed, st.not_drained), (0, 0, 0, 0, 0, 0), "{st:?}");
}
