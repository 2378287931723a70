//! Load test of the reference backend (issues 18.3 and 12.7). Starts the
//! release binary itself (`cargo build --profile server -p scorm-backend` first) on
//! 127.0.0.1, against SQLite or a throwaway PostgreSQL server (as the
//! tests do), and reports:
//!
//! * **throughput**: closed-loop clients, each on its own registration and
//!   keep-alive connection, sending one batch per request as fast as the
//!   answers come, round robin over the backend processes: sustained
//!   batches per second and latency percentiles, for SQLite (1 process) and
//!   PostgreSQL (1 and 3 processes). Rate limits are off for this part.
//! * **abuse**: paced legitimate clients (10 batches/s each, every client on
//!   its own loopback address, default limits on) measured alone and then
//!   beside slow-body clients (slowloris), bodies of 100 tiny batches,
//!   a flood on one registration, and a flood of bad tokens.
//!
//! `cargo run --profile server -p scorm-backend --example loadgen -- [--quick]
//! [--seconds N] [--clients N] [--write BENCHMARKS.md]`. With `--write`, the
//! report replaces the section between `<!-- backend-load:start -->` and
//! `<!-- backend-load:end -->` of that file (appended when missing). Every
//! request loop is bounded in count and time and only talks to 127.0.0.0/8.

#[path = "../tests/common/mod.rs"]
mod common;

use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One keep-alive HTTP/1.1 connection from a chosen loopback address.
struct Conn {
    addr: String,
    from: Option<std::net::Ipv4Addr>,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn new(addr: &str, from: Option<std::net::Ipv4Addr>) -> Conn {
        Conn { addr: addr.to_owned(), from, stream: None }
    }

    fn connect(&self) -> std::io::Result<TcpStream> {
        let target: SocketAddr = self.addr.parse().map_err(std::io::Error::other)?;
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        if let Some(ip) = self.from {
            s.bind(&SocketAddr::new(ip.into(), 0).into())?;
        }
        s.connect_timeout(&target.into(), Duration::from_secs(5))?;
        let s: TcpStream = s.into();
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(s)
    }

    /// Send one request; the status and body. Reconnects as needed.
    fn send(&mut self, method: &str, path: &str, token: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        for attempt in 0..2 {
            if self.stream.is_none() {
                self.stream = Some(BufReader::new(self.connect()?));
            }
            let r = self.try_send(method, path, token, body);
            match r {
                Ok(x) => return Ok(x),
                Err(e) => {
                    self.stream = None;
                    if attempt == 1 {
                        return Err(e);
                    }
                }
            }
        }
        unreachable!()
    }

    fn try_send(&mut self, method: &str, path: &str, token: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        let s = self.stream.as_mut().ok_or_else(|| std::io::Error::other("no connection"))?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        let w = s.get_mut();
        w.write_all(head.as_bytes())?;
        w.write_all(body)?;
        let mut line = String::new();
        if s.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("closed"));
        }
        let status: u16 = line.split(' ').nth(1).and_then(|x| x.parse().ok()).ok_or_else(|| std::io::Error::other("bad status"))?;
        let (mut len, mut close) = (0usize, false);
        loop {
            line.clear();
            s.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut buf = vec![0; len];
        s.read_exact(&mut buf)?;
        if close {
            self.stream = None;
        }
        Ok((status, buf))
    }
}

fn body(learner: &str, reg: &str, course: &str, first_seq: u64, batches: usize, tiny: bool) -> Vec<u8> {
    let list: Vec<_> = (0..batches as u64)
        .map(|i| {
            let seq = first_seq + i;
            let changes = if tiny {
                json!([["cmi.location", "x"]])
            } else {
                json!([["cmi.location", format!("page-{seq}")], ["cmi.suspend_data", format!("{{\"p\":{seq},\"pad\":\"{}\"}}", "x".repeat(200))], ["cmi.progress_measure", "0.5"]])
            };
            json!({"seq": seq, "key": format!("{reg}:{seq}:n"), "sco": "sco-1", "reason": "commit", "full": false, "ts": 1, "changes": changes})
        })
        .collect();
    json!({"protocol": 1, "version": "2004", "learner": learner, "course": course, "registration": reg, "batches": list}).to_string().into_bytes()
}

#[derive(Default)]
struct Lat {
    ms: Vec<f64>,
    statuses: std::collections::BTreeMap<u16, u64>,
    errors: u64,
}

impl Lat {
    fn merge(&mut self, o: Lat) {
        self.ms.extend(o.ms);
        for (k, v) in o.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.errors += o.errors;
    }
    fn pct(&mut self, p: f64) -> f64 {
        if self.ms.is_empty() {
            return f64::NAN;
        }
        self.ms.sort_by(|a, b| a.total_cmp(b));
        let i = ((p / 100.0) * (self.ms.len() - 1) as f64).round() as usize;
        self.ms[i.min(self.ms.len() - 1)]
    }
    fn statuses(&self) -> String {
        let s: Vec<String> = self.statuses.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let mut s = s.join(", ");
        if self.errors > 0 {
            s.push_str(&format!(", connection errors: {}", self.errors));
        }
        s
    }
}

/// Closed loop: each client sends its next batch as soon as the answer
/// came, for `secs`; `pace` makes it wait that long between batches.
fn clients(addrs: &[String], n: usize, secs: u64, pace: Option<Duration>, tag: &str, own_ips: bool) -> (Lat, f64) {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let handles: Vec<_> = (0..n)
        .map(|c| {
            let addrs = addrs.to_vec();
            let tag = tag.to_owned();
            std::thread::spawn(move || {
                let reg = format!("{tag}-{c}");
                let (learner, course) = (format!("learner-{c}"), "course-load".to_owned());
                let token = common::token(&learner, &reg, &course);
                let from = own_ips.then(|| std::net::Ipv4Addr::new(127, 0, 1, (c % 250 + 1) as u8));
                let mut conns: Vec<Conn> = addrs.iter().map(|a| Conn::new(a, from)).collect();
                let mut lat = Lat::default();
                let mut seq = 1u64;
                let mut i = 0usize;
                while Instant::now() < deadline && seq < 1_000_000 {
                    let b = body(&learner, &reg, &course, seq, 1, false);
                    let conn = &mut conns[i % addrs.len()];
                    i += 1;
                    let t = Instant::now();
                    match conn.send("POST", "/api/batches", &token, &b) {
                        Ok((status, _)) => {
                            lat.ms.push(t.elapsed().as_secs_f64() * 1000.0);
                            *lat.statuses.entry(status).or_default() += 1;
                            if status == 200 {
                                seq += 1;
                            }
                        }
                        Err(_) => {
                            lat.errors += 1;
                            std::thread::sleep(Duration::from_millis(10));
                        }
                    }
                    if let Some(p) = pace {
                        std::thread::sleep(p.saturating_sub(t.elapsed()));
                    }
                }
                (lat, seq - 1)
            })
        })
        .collect();
    let mut all = Lat::default();
    let mut applied = 0u64;
    for h in handles {
        let (l, a) = h.join().expect("client thread");
        all.merge(l);
        applied += a;
    }
    let rate = applied as f64 / start.elapsed().as_secs_f64();
    (all, rate)
}

struct Cluster {
    _srvs: Vec<common::Srv>,
    addrs: Vec<String>,
}

fn cluster(db: &str, processes: usize, limits_off: bool) -> Cluster {
    let mut cfg = common::Config::new(db);
    if !limits_off {
        cfg.args.clear();
    }
    let srvs: Vec<common::Srv> = (0..processes).map(|_| common::start_cfg(common::tempdir("load"), &cfg)).collect();
    let addrs = srvs.iter().map(|s| s.addr.clone()).collect();
    Cluster { _srvs: srvs, addrs }
}

fn row(label: &str, lat: &mut Lat, rate: f64) -> String {
    format!(
        "| {label} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
        rate,
        lat.pct(50.0),
        lat.pct(90.0),
        lat.pct(99.0),
        lat.pct(100.0),
        lat.statuses()
    )
}

/// Slow-body clients: each sends a request head and then one byte a
/// second until `stop`; counts how each ended.
fn slowloris(addr: &str, n: usize, stop: Arc<AtomicBool>, ended: Arc<Mutex<Lat>>) -> Vec<std::thread::JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let (addr, stop, ended) = (addr.to_owned(), stop.clone(), ended.clone());
            std::thread::spawn(move || {
                let from = std::net::Ipv4Addr::new(127, 0, 2, (i % 250 + 1) as u8);
                while !stop.load(Ordering::Relaxed) {
                    let conn = Conn::new(&addr, Some(from));
                    let Ok(mut s) = conn.connect() else {
                        ended.lock().unwrap().errors += 1;
                        std::thread::sleep(Duration::from_millis(200));
                        continue;
                    };
                    let token = common::token("slow", &format!("slow-{i}"), "c");
                    let head = format!("POST /api/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: 100000\r\n\r\n");
                    if s.write_all(head.as_bytes()).is_err() {
                        continue;
                    }
                    s.set_read_timeout(Some(Duration::from_millis(1000))).ok();
                    let mut buf = [0u8; 512];
                    let status = loop {
                        if stop.load(Ordering::Relaxed) {
                            break None;
                        }
                        if s.write_all(b"{").is_err() {
                            break Some(0);
                        }
                        match s.read(&mut buf) {
                            Ok(0) => break Some(0),
                            Ok(n) => break String::from_utf8_lossy(&buf[..n]).split(' ').nth(1).and_then(|x| x.parse().ok()),
                            Err(_) => {}
                        }
                    };
                    if let Some(st) = status {
                        *ended.lock().unwrap().statuses.entry(st).or_default() += 1;
                    }
                }
            })
        })
        .collect()
}

/// Bodies of 100 tiny batches, one after the other, each on a fresh
/// registration (all 100 are written).
fn tiny_batches(addr: &str, n: usize, stop: Arc<AtomicBool>, out: Arc<Mutex<Lat>>) -> Vec<std::thread::JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let (addr, stop, out) = (addr.to_owned(), stop.clone(), out.clone());
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr, Some(std::net::Ipv4Addr::new(127, 0, 3, (i + 1) as u8)));
                let mut k = 0;
                while !stop.load(Ordering::Relaxed) && k < 10_000 {
                    k += 1;
                    let reg = format!("tiny-{i}-{k}");
                    let token = common::token("tiny", &reg, "c");
                    let b = body("tiny", &reg, "c", 1, 100, true);
                    let t = Instant::now();
                    match conn.send("POST", "/api/batches", &token, &b) {
                        Ok((s, _)) => {
                            let mut o = out.lock().unwrap();
                            o.ms.push(t.elapsed().as_secs_f64() * 1000.0);
                            *o.statuses.entry(s).or_default() += 1;
                        }
                        Err(_) => out.lock().unwrap().errors += 1,
                    }
                }
            })
        })
        .collect()
}

/// A client that hammers one registration without pause (or with a bad
/// token when `bad_token`).
fn flood(addr: &str, stop: Arc<AtomicBool>, out: Arc<Mutex<Lat>>, bad_token: bool, ip: u8) -> std::thread::JoinHandle<()> {
    let (addr, stop) = (addr.to_owned(), stop.clone());
    std::thread::spawn(move || {
        let mut conn = Conn::new(&addr, Some(std::net::Ipv4Addr::new(127, 0, 4, ip)));
        let token = if bad_token { "eyJhbGciOiJIUzI1NiJ9.e30.AAAA".to_owned() } else { common::token("flood", "flood", "c") };
        let mut seq = 1u64;
        let mut n = 0u64;
        while !stop.load(Ordering::Relaxed) && n < 2_000_000 {
            n += 1;
            let b = body("flood", "flood", "c", seq, 1, true);
            match conn.send("POST", "/api/batches", &token, &b) {
                Ok((s, _)) => {
                    if s == 200 {
                        seq += 1;
                    }
                    *out.lock().unwrap().statuses.entry(s).or_default() += 1;
                }
                Err(_) => out.lock().unwrap().errors += 1,
            }
        }
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let secs: u64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(if quick { 3 } else { 10 });
    let n: usize = arg("--clients").and_then(|s| s.parse().ok()).unwrap_or(32);
    let write = arg("--write");
    let bin = common::bin();
    assert!(bin.exists(), "{} is missing: cargo build --profile server -p scorm-backend", bin.display());
    let mut out = Vec::new();
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    out.push(format!(
        "Command: `cargo build --profile server -p scorm-backend && cargo run --profile server -p scorm-backend --example loadgen -- --write BENCHMARKS.md{}` \
         ({}, {cpus} cores shared by the load generator, the backend processes and PostgreSQL; load average before: {}).",
        if quick { " --quick" } else { "" },
        chrono_free_date(),
        load.split(' ').next().unwrap_or("?")
    ));
    out.push(String::new());

    // ---------------------------------------------------------- throughput
    out.push(format!("### Throughput: {n} closed-loop clients, one batch of 3 elements (~300 bytes of JSON) per request, {secs} s each"));
    out.push(String::new());
    out.push("Each client has its own registration and keep-alive connection and sends its next batch when the answer arrived, \
round robin over the processes; rate limits are off (`--rate-limit-ip 0 --rate-limit-registration 0`). SQLite is a file in \
the system's temporary directory (`synchronous=FULL`: every batch is on disk before its answer); PostgreSQL is a throwaway \
local server with `fsync=off` (as in the tests), so its figures show the backend and the database's locking, not a disk."
        .into());
    out.push(String::new());
    out.push("| store | batches/s | p50 ms | p90 ms | p99 ms | max ms | answers |".into());
    out.push("|---|---:|---:|---:|---:|---:|---|".into());
    let tmp = std::env::temp_dir().join(format!("scorm-loadgen-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&tmp);
    {
        let c = cluster(&tmp.join("load.sqlite").display().to_string(), 1, true);
        eprintln!("loadgen: sqlite, 1 process");
        let (mut l, r) = clients(&c.addrs, n, secs, None, "sq1", false);
        out.push(row("SQLite, 1 process", &mut l, r));
    }
    let pg = common::Pg::start();
    match &pg {
        Some(pg) => {
            for procs in [1usize, 3] {
                let c = cluster(&pg.database(), procs, true);
                eprintln!("loadgen: postgres, {procs} processes");
                let (mut l, r) = clients(&c.addrs, n, secs, None, &format!("pg{procs}"), false);
                out.push(row(&format!("PostgreSQL, {procs} process{}", if procs > 1 { "es" } else { "" }), &mut l, r));
            }
        }
        None => out.push("| PostgreSQL | not installed | | | | | |".into()),
    }
    out.push(String::new());
    out.push("Every process here runs on the same two cores as the load generator and PostgreSQL, so three processes cannot outrun one: \
the 3-process row shows what the row locks and the extra processes cost, with each batch still applied exactly once \
(the PostgreSQL soak with 3 processes checks that), not the scaling of processes on separate machines."
        .into());
    out.push(String::new());

    // --------------------------------------------------------------- abuse
    let legit_n = 16;
    out.push(format!(
        "### Abuse (issue 12.7): {legit_n} paced clients (10 batches/s each, each on its own loopback address), default limits, SQLite, 1 process, {secs} s each"
    ));
    out.push(String::new());
    out.push("The legitimate clients' latency alone and beside each kind of abuse; the last column says how the abusers were answered.".into());
    out.push(String::new());
    out.push("| beside | batches/s | p50 ms | p90 ms | p99 ms | max ms | legitimate answers | abusers |".into());
    out.push("|---|---:|---:|---:|---:|---:|---|---|".into());
    let scenarios: [(&str, usize); 5] = [
        ("nothing (baseline)", 0),
        ("200 slow-body clients (1 byte/s; `--body-timeout 10`)", 1),
        ("4 clients posting bodies of 100 tiny batches (the `--max-batches` limit) back to back, each on a new registration", 2),
        ("1 client flooding one registration without pause", 3),
        ("4 clients flooding with a bad token", 4),
    ];
    for (label, kind) in scenarios {
        let c = cluster(&tmp.join(format!("abuse-{kind}.sqlite")).display().to_string(), 1, false);
        let stop = Arc::new(AtomicBool::new(false));
        let abuse = Arc::new(Mutex::new(Lat::default()));
        let mut hs = Vec::new();
        match kind {
            1 => hs.extend(slowloris(&c.addrs[0], 200, stop.clone(), abuse.clone())),
            2 => hs.extend(tiny_batches(&c.addrs[0], 4, stop.clone(), abuse.clone())),
            3 => hs.push(flood(&c.addrs[0], stop.clone(), abuse.clone(), false, 1)),
            4 => hs.extend((0..4).map(|i| flood(&c.addrs[0], stop.clone(), abuse.clone(), true, 10 + i))),
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(if kind == 1 { 1500 } else { 300 }));
        eprintln!("loadgen: abuse scenario {kind}");
        let (mut l, r) = clients(&c.addrs, legit_n, secs, Some(Duration::from_millis(100)), &format!("legit{kind}"), true);
        stop.store(true, Ordering::Relaxed);
        for h in hs {
            let _ = h.join();
        }
        let mut a = std::mem::take(&mut *abuse.lock().unwrap());
        let abusers = match kind {
            0 => "".to_owned(),
            2 => format!("{} (p50 {:.0} ms per body of 100)", a.statuses(), a.pct(50.0)),
            _ => a.statuses(),
        };
        let mut line = row(label, &mut l, r);
        line.push_str(&format!(" {abusers} |"));
        out.push(line);
    }
    out.push(String::new());
    out.push("Abusers' answers: 408 = body not complete within `--body-timeout`, 429 = rate limit (with Retry-After), 401 = bad token, \
0 = connection closed without an answer. Nothing here asserts a timing; these are one machine's figures on one day."
        .into());
    let _ = std::fs::remove_dir_all(&tmp);
    drop(pg);
    let text = out.join("\n");
    println!("{text}");
    if let Some(path) = write {
        let section = format!("<!-- backend-load:start -->\n## Reference backend under load (issues 18, 12.7)\n\n{text}\n<!-- backend-load:end -->");
        let md = std::fs::read_to_string(&path).unwrap_or_default();
        let new = match (md.find("<!-- backend-load:start -->"), md.find("<!-- backend-load:end -->")) {
            (Some(a), Some(b)) if b > a => format!("{}{section}{}", &md[..a], &md[b + "<!-- backend-load:end -->".len()..]),
            _ => format!("{}\n\n{section}\n", md.trim_end()),
        };
        std::fs::write(&path, new).expect("write the report");
        eprintln!("loadgen: wrote {path}");
    }
}

/// Today's date (UTC) without a date library.
fn chrono_free_date() -> String {
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0) as i64;
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{:02}-{:02}", if m <= 2 { y + 1 } else { y }, m, d)
}
