//! Fault-injection soak of the commit queue against the real backend
//! (project issue 7: "tracking data is never lost").
//!
//! The `scorm-backend` binary is started on 127.0.0.1 with a temporary SQLite
//! database and `--test-faults`. Each of many randomized sessions drives the
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
//! * backend crashes: the process is killed (SIGKILL) and restarted on the
//!   same port and database, sometimes after a downtime during which requests
//!   fail to connect;
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
//! `SOAK_SESSIONS` (default 200) and `SOAK_SEED` change the run; the summary
//! line is printed on standard error (`cargo test -p scorm-backend --test soak
//! -- --nocapture`).

use scorm_shim::engine::persist::{DataModel, Failure, Identity, Policy, Queue, ServerState, UNLOAD_BUDGET};
use scorm_shim::engine::rte::{ChangeSet, PersistReason, Snapshot};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
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

/// The backend process, restartable on the same port and database.
struct Backend {
    child: Option<Child>,
    addr: String,
    db: String,
    dir: PathBuf,
}

impl Backend {
    fn spawn(addr: &str, db: &str, dir: &std::path::Path) -> std::io::Result<(Child, String)> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scorm-backend"))
            .args(["--addr", addr, "--db", db, "--test-faults"])
            .arg("--www")
            .arg(dir.join("www"))
            .arg("--pkg")
            .arg(dir.join("pkg"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        let out = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        BufReader::new(out).read_line(&mut line)?;
        match line.trim().rsplit("http://").next() {
            Some(a) if a.starts_with("127.0.0.1:") => Ok((child, a.to_owned())),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(std::io::Error::other(format!("backend did not start: {line:?}")))
            }
        }
    }

    fn start() -> Backend {
        // SQLite with synchronous=FULL: put the database on a RAM disk when
        // there is one, so fsync does not dominate the run time.
        let base = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("scorm-soak-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www")).expect("temp dir");
        std::fs::create_dir_all(dir.join("pkg")).expect("temp dir");
        let db = dir.join("soak.sqlite").display().to_string();
        let (child, addr) = Backend::spawn("127.0.0.1:0", &db, &dir).expect("backend starts");
        Backend { child: Some(child), addr, db, dir }
    }

    fn is_up(&self) -> bool {
        self.child.is_some()
    }

    /// SIGKILL: a crash, not a clean shutdown.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn restart(&mut self) {
        self.kill();
        for _ in 0..50 {
            match Backend::spawn(&self.addr, &self.db, &self.dir) {
                Ok((c, _)) => {
                    self.child = Some(c);
                    return;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        panic!("the backend could not be restarted on {}", self.addr);
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTP answer.
struct Resp {
    status: u16,
    retry_after: Option<u64>,
    body: String,
}

/// One HTTP/1.1 request on its own connection. `Err` for connection errors.
fn http(addr: &str, method: &str, path: &str, ctype: &str, body: &str) -> Result<Resp, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no header end")?;
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("bad status line")?;
    let (mut retry_after, mut chunked) = (None, false);
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            if k.trim().eq_ignore_ascii_case("retry-after") {
                retry_after = v.trim().parse().ok();
            }
            // tiny_http answers large bodies with chunked transfer coding.
            if k.trim().eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked") {
                chunked = true;
            }
        }
    }
    let raw = &buf[split + 4..];
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    let body = String::from_utf8(body).map_err(|e| e.to_string())?;
    Ok(Resp { status, retry_after, body })
}

/// Decode a chunked body (RFC 9112 §7.1; extensions and trailers ignored).
fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk size line")?;
        let line = String::from_utf8_lossy(&raw[..eol]).to_string();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).map_err(|e| e.to_string())?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(raw.get(..size).ok_or("truncated chunk")?);
        raw = raw.get(size + 2..).ok_or("truncated chunk")?;
    }
}

fn get_json(addr: &str, path: &str) -> Value {
    let r = http(addr, "GET", path, "text/plain", "").expect("GET reaches the backend");
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
    down_for: u32,
}

impl Session<'_> {
    fn nonce(&mut self) -> String {
        format!("{:016x}", self.rng.next())
    }

    fn save(&self, c: &mut Client) {
        c.stored = c.q.to_storage();
    }

    /// A page load: the queue from storage, the server's state, resume.
    fn load(&mut self, stored: Option<&str>, scos: &'static [&'static str]) -> Client {
        let nonce = self.nonce();
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
        let server = if self.be.is_up() && self.down_for == 0 {
            let path = format!("/api/state?registration={}", self.id.registration_id);
            http(&self.be.addr, "GET", &path, "text/plain", "")
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
        let mut c = Client { q, stored: String::new(), scos };
        self.save(&mut c);
        c
    }

    /// Count down a downtime; bring the backend back when it ends.
    fn tick_downtime(&mut self) {
        if self.down_for > 0 {
            self.down_for -= 1;
            if self.down_for == 0 {
                self.be.restart();
            }
        }
    }

    fn post(&mut self, body: &str, ctype: &str) -> Result<Resp, String> {
        if !self.be.is_up() {
            return Err("connection refused (backend down)".into());
        }
        http(&self.be.addr, "POST", "/api/batches", ctype, body)
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
        if !self.be.is_up() {
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
        let r = http(&self.be.addr, "POST", "/api/_faults", "application/json", &f.to_string()).expect("faults endpoint");
        assert_eq!(r.status, 200, "{}", r.body);
    }

    fn disarm_faults(&mut self) {
        let r = http(&self.be.addr, "POST", "/api/_faults", "application/json", r#"{"fail_next":0}"#).expect("faults endpoint");
        assert_eq!(r.status, 200);
    }

    /// One step of the send loop. Returns `None` when nothing was sent, or
    /// `Some(reloaded)` when a crash mid-request replaced the client.
    fn pump_once(&mut self, c: &mut Client, faults: bool) -> Option<Option<Client>> {
        let out = c.q.next_to_send(self.now)?;
        self.save(c);
        self.st.requests += 1;
        let answer = self.post(&out.body, "application/json");
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
                    return Some(Some(self.load(Some(&stored), c.scos)));
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
            if let Ok(r) = self.post(&body, "text/plain;charset=UTF-8") {
                if r.body.contains("injected_fault") {
                    self.st.injected += 1;
                }
            }
        }
        self.st.reloads += 1;
        let stored = c.stored.clone();
        self.load(Some(&stored), c.scos)
    }

    fn run(&mut self) {
        // Most sessions are one device; some are two devices of the same
        // registration (each with its own storage), which take sequence
        // numbers from each other: the backend answers 409 and they renumber.
        let mut devices = if self.rng.chance(0.3) {
            self.st.two_device_sessions += 1;
            vec![self.load(None, DEVICE_A), self.load(None, DEVICE_B)]
        } else {
            vec![self.load(None, SCOS)]
        };
        let steps = 30 + self.rng.below(90);
        for _ in 0..steps {
            self.now += self.rng.below(900);
            self.tick_downtime();
            let d = self.rng.below(devices.len() as u64) as usize;
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
                    let (stored, scos) = (c.stored.clone(), c.scos);
                    *c = self.load(Some(&stored), scos);
                }
                92..=96 => *c = self.unload(c),
                _ => {
                    if self.be.is_up() && self.down_for == 0 {
                        self.st.restarts += 1;
                        if self.rng.chance(0.5) {
                            self.be.restart();
                        } else {
                            self.be.kill();
                            self.down_for = 1 + self.rng.below(4) as u32;
                        }
                    }
                }
            }
        }
        // Drain: the backend up, no more faults, the pages stay open.
        if self.down_for > 0 {
            self.down_for = 0;
            self.be.restart();
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
        let state = get_json(&self.be.addr, &format!("/api/state?registration={reg}"));
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
        let log = get_json(&self.be.addr, &format!("/api/batches?registration={reg}"));
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

#[test]
fn soak_no_lost_values_no_double_applied_batches() {
    let sessions: u64 = std::env::var("SOAK_SESSIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let seed: u64 = std::env::var("SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5C0_12A);
    let started = Instant::now();
    let mut rng = Rng(seed);
    let mut be = Backend::start();
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
            down_for: 0,
        };
        s.run();
        st.sessions += 1;
    }
    let faults = st.injected + st.dropped_answers + st.network_errors + st.mid_request_reloads + st.restarts;
    eprintln!(
        "soak: {} sessions, {} commits, {} batches applied, {} requests, {} faults injected \
         ({} injected HTTP errors of {} armed, {} of them after applying; {} dropped answers, {} network errors, {} crashes mid-request, {} backend restarts), \
         {} reloads, {} unload beacons, {} full batches, {} two-device sessions with {} seq conflicts (409), {} offline/online switches, {} lost values, {} double-applied batches \
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
