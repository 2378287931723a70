//! Integration tests of `scorm-backend`: the binary is started on
//! 127.0.0.1 port 0 with its own www/, pkg/ and database, and spoken to over
//! plain HTTP/1.1.

use scorm_shim::engine::persist::{DataModel, Identity, Policy, Queue, ServerState};
use scorm_shim::engine::rte::{PersistReason, Snapshot};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

struct Srv {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Drop for Srv {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scorm-backend-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("www/sub")).unwrap();
    std::fs::create_dir_all(d.join("pkg")).unwrap();
    std::fs::write(d.join("www/index.html"), "<h1>index</h1>").unwrap();
    std::fs::write(d.join("www/sub/index.html"), "<h1>sub</h1>").unwrap();
    std::fs::write(d.join("www/app.js"), "export {}").unwrap();
    std::fs::write(d.join("www/a b.css"), "body{}").unwrap();
    std::fs::write(d.join("pkg/scorm_shim_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(d.join("pkg/scorm_shim.js"), "// glue").unwrap();
    std::fs::write(d.join("secret.txt"), "TOP SECRET").unwrap();
    d
}

fn start_in(dir: PathBuf, db: &str, faults: bool) -> Srv {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scorm-backend"));
    cmd.args(["--addr", "127.0.0.1:0", "--db", db])
        .arg("--www")
        .arg(dir.join("www"))
        .arg(format!("--pkg={}", dir.join("pkg").display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if faults {
        cmd.arg("--test-faults");
    }
    let mut child = cmd.spawn().expect("backend starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    Srv { child, addr, dir }
}

fn start() -> Srv {
    start_in(tempdir(), ":memory:", false)
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, k: &str) -> Option<&str> {
        self.headers.iter().find(|(h, _)| h.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str())
    }
}

fn raw(addr: &str, method: &str, path: &str, ctype: &str, body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    Resp { status, headers, body: buf[split + 4..].to_vec() }
}

fn get(srv: &Srv, path: &str) -> Resp {
    raw(&srv.addr, "GET", path, "text/plain", b"")
}

fn post(srv: &Srv, path: &str, body: &Value) -> Resp {
    raw(&srv.addr, "POST", path, "application/json", body.to_string().as_bytes())
}

fn envelope(version: &str, reg: &str, batches: Vec<Value>) -> Value {
    json!({"protocol": 1, "version": version, "learner": "l1", "course": "c1", "registration": reg, "batches": batches})
}

fn batch(seq: u64, key: &str, sco: &str, changes: &[(&str, &str)]) -> Value {
    json!({"seq": seq, "key": key, "sco": sco, "reason": "commit", "full": false, "ts": 5, "changes": changes})
}

fn state(srv: &Srv, reg: &str) -> Value {
    let r = get(srv, &format!("/api/state?registration={reg}"));
    assert_eq!(r.status, 200);
    r.json()
}

#[test]
fn applies_exactly_once_and_replays_idempotently() {
    let srv = start();
    let body = envelope("2004", "r1", vec![batch(1, "r1:1:n", "sco1", &[("cmi.location", "p1"), ("cmi.suspend_data", "é🎉\"")])]);
    let r = post(&srv, "/api/batches", &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"acks": [{"seq": 1, "key": "r1:1:n", "result": "applied"}], "last_seq": 1}));
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    // The same request again (lost answer, retry): same ack, applied once.
    let r = post(&srv, "/api/batches", &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["acks"][0]["result"], "duplicate");
    // A later batch overwrites; the replay of the first does not bring its value back.
    post(&srv, "/api/batches", &envelope("2004", "r1", vec![batch(2, "r1:2:n", "sco1", &[("cmi.location", "p2")])]));
    assert_eq!(post(&srv, "/api/batches", &body).json()["acks"][0]["result"], "duplicate");
    let st = state(&srv, "r1");
    assert_eq!(st["last_seq"], 2);
    assert_eq!(st["scos"]["sco1"], json!({"cmi.location": "p2", "cmi.suspend_data": "é🎉\""}));
    assert_eq!((st["learner"].as_str(), st["course"].as_str(), st["version"].as_str()), (Some("l1"), Some("c1"), Some("2004")));
    let log = get(&srv, "/api/batches?registration=r1").json();
    assert_eq!(log["batches"].as_array().unwrap().len(), 2);
    assert_eq!(log["batches"][0]["changes"][1][1], "é🎉\"");
}

#[test]
fn gaps_and_conflicts_answer_409_with_expected_seq() {
    let srv = start();
    let r = post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(3, "r:3:n", "s", &[("cmi.location", "x")])]));
    assert_eq!(r.status, 409);
    assert_eq!((r.json()["error"].as_str(), r.json()["expected_seq"].as_u64()), (Some("seq_gap"), Some(1)));
    assert_eq!(state(&srv, "r")["last_seq"], 0, "a refused first batch creates nothing");
    assert_eq!(post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(1, "r:1:n", "s", &[("cmi.location", "a")])])).status, 200);
    // Another client's batch 1 (different key): conflict, expected 2.
    let r = post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(1, "r:1:other", "s", &[("cmi.location", "b")])]));
    assert_eq!(r.status, 409);
    assert_eq!((r.json()["error"].as_str(), r.json()["expected_seq"].as_u64()), (Some("seq_conflict"), Some(2)));
    // Out of order within the window: 3 before 2.
    assert_eq!(post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(3, "r:3:n", "s", &[("cmi.location", "c")])])).status, 409);
    assert_eq!(post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(2, "r:2:n", "s", &[("cmi.location", "b2")])])).status, 200);
    assert_eq!(post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(3, "r:3:n", "s", &[("cmi.location", "c")])])).status, 200);
    assert_eq!(state(&srv, "r")["scos"]["s"]["cmi.location"], "c");
    // Registrations are independent.
    assert_eq!(post(&srv, "/api/batches", &envelope("2004", "q", vec![batch(1, "q:1:n", "s", &[("cmi.location", "z")])])).status, 200);
}

#[test]
fn beacon_bodies_with_several_batches() {
    let srv = start();
    let b3 = envelope("1.2", "r", vec![
        batch(1, "k1", "s", &[("cmi.core.lesson_location", "1")]),
        batch(2, "k2", "t", &[("cmi.core.lesson_location", "2")]),
        batch(3, "k3", "s", &[("cmi.suspend_data", "3")]),
    ]);
    let r = raw(&srv.addr, "POST", "/api/batches", "text/plain;charset=UTF-8", b3.to_string().as_bytes());
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["last_seq"], 3);
    // A resend overlapping what was applied: duplicates, then the new one.
    let again = envelope("1.2", "r", vec![
        batch(2, "k2", "t", &[("cmi.core.lesson_location", "2")]),
        batch(3, "k3", "s", &[("cmi.suspend_data", "3")]),
        batch(4, "k4", "s", &[("cmi.core.lesson_location", "4")]),
    ]);
    let r = raw(&srv.addr, "POST", "/api/batches", "text/plain", again.to_string().as_bytes());
    let v = r.json();
    let results: Vec<&str> = v["acks"].as_array().unwrap().iter().map(|a| a["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["duplicate", "duplicate", "applied"]);
    // Processing stops at the first refused batch; what came before is acknowledged.
    let gap = envelope("1.2", "r", vec![batch(5, "k5", "s", &[("cmi.core.score.raw", "5")]), batch(7, "k7", "s", &[])]);
    let r = post(&srv, "/api/batches", &gap);
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["expected_seq"], 6);
    assert_eq!(r.json()["acks"][0]["seq"], 5);
    let st = state(&srv, "r");
    assert_eq!(st["last_seq"], 5);
    assert_eq!(st["scos"]["s"], json!({"cmi.core.lesson_location": "4", "cmi.suspend_data": "3", "cmi.core.score.raw": "5"}));
    assert_eq!(st["scos"]["t"], json!({"cmi.core.lesson_location": "2"}));
}

#[test]
fn invalid_values_are_refused_with_422_and_consume_their_number() {
    let srv = start();
    // (version, element, value, accepted): values are checked with the
    // browser's own data-model code.
    let cases = [
        ("2004", "cmi.location", "x", true),
        ("2004", "adl.nav.request", "continue", true),
        ("2004", "adl.nav.request", "x", false),
        ("2004", "cmi.completion_status", "done", false),
        ("2004", "foo.bar", "x", false),
        ("1.2", "cmi.core.lesson_location", "x", true),
        ("1.2", "cmi.core.score.raw", "101", false),
        ("1.2", "adl.nav.request", "continue", false),
        ("1.2", "", "x", false),
    ];
    for (i, (version, element, value, ok)) in cases.iter().enumerate() {
        let reg = format!("v{i}");
        let location = if *version == "1.2" { "cmi.core.lesson_location" } else { "cmi.location" };
        let r = post(&srv, "/api/batches", &envelope(version, &reg, vec![batch(1, "k1", "s", &[(location, "ok"), (element, value)])]));
        assert_eq!(r.status == 200, *ok, "{version} {element}: {}", String::from_utf8_lossy(&r.body));
        if !ok {
            assert_eq!(r.status, 422);
            let v = r.json();
            assert_eq!((v["error"].as_str(), v["element"].as_str(), v["seq"].as_u64()), (Some("invalid_value"), Some(*element), Some(1)));
            assert!(!v["reason"].as_str().unwrap().is_empty());
            // Nothing of the batch was stored, but its number is used up.
            let st = state(&srv, &reg);
            assert_eq!(st["last_seq"], 1);
            assert_eq!(st["scos"], json!({}));
            // The replay gets the same answer.
            let again = post(&srv, "/api/batches", &envelope(version, &reg, vec![batch(1, "k1", "s", &[])]));
            assert_eq!((again.status, again.json()["element"].clone()), (422, json!(element)));
            // The next batch goes on.
            let next = post(&srv, "/api/batches", &envelope(version, &reg, vec![batch(2, "k2", "s", &[(location, "later")])]));
            assert_eq!(next.status, 200);
        }
    }
}

#[test]
fn full_batches_replace_the_snapshot_and_identity_is_checked() {
    let srv = start();
    post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "1"), ("cmi.suspend_data", "d")])]));
    let mut full = batch(2, "k2", "s", &[("cmi.location", "2")]);
    full["full"] = json!(true);
    assert_eq!(post(&srv, "/api/batches", &envelope("2004", "r", vec![full])).status, 200);
    assert_eq!(state(&srv, "r")["scos"]["s"], json!({"cmi.location": "2"}));
    let mut other = envelope("2004", "r", vec![batch(3, "k3", "s", &[("cmi.location", "3")])]);
    other["learner"] = json!("someone-else");
    let r = post(&srv, "/api/batches", &other);
    assert_eq!((r.status, r.json()["error"].as_str()), (422, Some("registration_mismatch")));
    assert_eq!(state(&srv, "r")["last_seq"], 2);
}

#[test]
fn malformed_requests_are_400() {
    let srv = start();
    let good = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]);
    let mut bad: Vec<Value> = Vec::new();
    for (path, v) in [
        ("/protocol", json!(2)),
        ("/version", json!("3rd")),
        ("/registration", json!("")),
        ("/learner", json!(null)),
        ("/batches", json!([])),
        ("/batches/0/seq", json!(0)),
        ("/batches/0/seq", json!(-1)),
        ("/batches/0/key", json!("")),
        ("/batches/0/reason", json!("suspend")),
        ("/batches/0/changes", json!([["a"]])),
        ("/batches/0/changes", json!([["a", 1]])),
    ] {
        let mut b = good.clone();
        *b.pointer_mut(path).unwrap() = v;
        bad.push(b);
    }
    for b in &bad {
        let r = post(&srv, "/api/batches", b);
        assert_eq!(r.status, 400, "{b}");
        assert_eq!(r.json()["error"], "bad_request");
    }
    for body in [&b"not json"[..], b"\xff\xfe", b""] {
        assert_eq!(raw(&srv.addr, "POST", "/api/batches", "text/plain", body).status, 400);
    }
    let huge = vec![b' '; (1 << 20) + 10];
    assert_eq!(raw(&srv.addr, "POST", "/api/batches", "text/plain", &huge).status, 413);
    assert_eq!(get(&srv, "/api/state").status, 400);
    assert_eq!(raw(&srv.addr, "PUT", "/api/batches", "text/plain", b"").status, 405);
    assert_eq!(get(&srv, "/api/nothing").status, 404);
    assert_eq!(post(&srv, "/api/batches", &good).status, 200, "server still fine");
}

#[test]
fn state_for_unknown_registration_and_path_form() {
    let srv = start();
    let st = state(&srv, "nobody");
    assert_eq!(st, json!({"registration": "nobody", "last_seq": 0, "scos": {}}));
    post(&srv, "/api/batches", &envelope("2004", "a b/é", vec![batch(1, "k", "s", &[("cmi.location", "x")])]));
    let r = get(&srv, "/api/state/a%20b%2F%C3%A9");
    assert_eq!(r.json()["last_seq"], 1);
    let q = get(&srv, "/api/state?registration=a+b%2F%C3%A9");
    assert_eq!(q.json(), r.json());
    // The engine reads the answer.
    let parsed = ServerState::parse(std::str::from_utf8(&r.body).unwrap()).unwrap();
    assert_eq!(parsed.last_seq, 1);
    assert_eq!(parsed.scos["s"]["cmi.location"], "x");
}

#[test]
fn fault_injection_only_with_flag() {
    let srv = start();
    assert_eq!(post(&srv, "/api/_faults", &json!({"fail_next": 1})).status, 404);
    let srv = start_in(tempdir(), ":memory:", true);
    let r = post(&srv, "/api/_faults", &json!({"fail_next": 2, "status": 503, "retry_after": 3}));
    assert_eq!(r.status, 200);
    let body = envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "x")])]);
    for _ in 0..2 {
        let r = post(&srv, "/api/batches", &body);
        assert_eq!((r.status, r.header("retry-after")), (503, Some("3")));
    }
    assert_eq!(state(&srv, "r")["last_seq"], 0, "failed before applying");
    assert_eq!(post(&srv, "/api/batches", &body).status, 200);
    // A lost answer: applied, but the client sees 500; the retry is a duplicate.
    post(&srv, "/api/_faults", &json!({"fail_next": 1, "status": 500, "after_apply": true}));
    let b2 = envelope("2004", "r", vec![batch(2, "k2", "s", &[("cmi.location", "y")])]);
    assert_eq!(post(&srv, "/api/batches", &b2).status, 500);
    assert_eq!(state(&srv, "r")["last_seq"], 2);
    assert_eq!(post(&srv, "/api/batches", &b2).json()["acks"][0]["result"], "duplicate");
}

#[test]
fn static_files_with_content_types() {
    let srv = start();
    let cases = [
        ("/", 200, "text/html; charset=utf-8", "<h1>index</h1>"),
        ("/index.html", 200, "text/html; charset=utf-8", "<h1>index</h1>"),
        ("/sub/", 200, "text/html; charset=utf-8", "<h1>sub</h1>"),
        ("/sub", 200, "text/html; charset=utf-8", "<h1>sub</h1>"),
        ("/app.js?v=3", 200, "text/javascript; charset=utf-8", "export {}"),
        ("/a%20b.css", 200, "text/css; charset=utf-8", "body{}"),
        ("/pkg/scorm_shim_bg.wasm", 200, "application/wasm", "\0asm\u{1}\0\0\0"),
        ("/pkg/scorm_shim.js", 200, "text/javascript; charset=utf-8", "// glue"),
    ];
    for (path, status, ctype, body) in cases {
        let r = get(&srv, path);
        assert_eq!(r.status, status, "{path}");
        assert_eq!(r.header("content-type"), Some(ctype), "{path}");
        assert_eq!(r.body, body.as_bytes(), "{path}");
    }
    assert_eq!(get(&srv, "/missing.html").status, 404);
    assert_eq!(get(&srv, "/pkg/missing.wasm").status, 404);
    assert_eq!(raw(&srv.addr, "POST", "/index.html", "text/plain", b"x").status, 405);
    let head = raw(&srv.addr, "HEAD", "/app.js", "text/plain", b"");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[test]
fn path_traversal_is_rejected() {
    let srv = start();
    // A symbolic link inside www pointing outside is not followed out.
    #[cfg(unix)]
    std::os::unix::fs::symlink(srv.dir.join("secret.txt"), srv.dir.join("www/link.txt")).unwrap();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/sub/../../secret.txt",
        "/pkg/../secret.txt",
        "/pkg/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/.%2e/secret.txt",
        "/./index.html",
        "/link.txt",
        "/%00",
        "/%zz",
        "/%c0%ae%c0%ae/secret.txt",
        "//etc/passwd",
        "/C:/Windows/win.ini",
    ] {
        let r = get(&srv, path);
        assert!(matches!(r.status, 400 | 403 | 404), "{path}: {}", r.status);
        assert!(!String::from_utf8_lossy(&r.body).contains("TOP SECRET"), "{path}");
    }
}

#[test]
fn data_survives_a_restart() {
    let dbdir = tempdir();
    let db = dbdir.join("db.sqlite").display().to_string();
    {
        let srv = start_in(tempdir(), &db, false);
        post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "kept")])]));
    }
    let srv = start_in(tempdir(), &db, false);
    let st = state(&srv, "r");
    assert_eq!((st["last_seq"].as_u64(), st["scos"]["s"]["cmi.location"].as_str()), (Some(1), Some("kept")));
    assert_eq!(post(&srv, "/api/batches", &envelope("2004", "r", vec![batch(1, "k1", "s", &[])])).json()["acks"][0]["result"], "duplicate");
    drop(srv);
    let _ = std::fs::remove_dir_all(dbdir);
}

/// The engine's queue against the real backend, with injected faults.
#[test]
fn engine_queue_round_trip() {
    let srv = start_in(tempdir(), ":memory:", true);
    let id = Identity {
        learner_id: "l1".into(),
        course_id: "c1".into(),
        registration_id: "reg-e2e".into(),
        version: DataModel::Scorm2004,
    };
    let mut q = Queue::new(id.clone(), "tab1", Policy::default());
    let mut now = 1_000;
    let ch = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
    q.enqueue(now, "sco1", PersistReason::Commit, &ch("cmi.location", "1"), &Snapshot::new());
    q.enqueue(now + 10, "sco1", PersistReason::Commit, &ch("cmi.suspend_data", "ü"), &Snapshot::new());
    now += 1_000;
    q.enqueue(now, "sco2", PersistReason::Commit, &ch("cmi.location", "x"), &Snapshot::new());
    q.enqueue(now, "sco2", PersistReason::Terminate, &ch("bad.element", "x"), &Snapshot::new());
    q.enqueue(now + 1, "sco1", PersistReason::Terminate, &ch("cmi.exit", "suspend"), &Snapshot::new());
    post(&srv, "/api/_faults", &json!({"fail_next": 2, "status": 503}));
    for _ in 0..20 {
        now += 120_000;
        let Some(out) = q.next_to_send(now) else { break };
        let r = raw(&srv.addr, "POST", "/api/batches", "application/json", out.body.as_bytes());
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
    let text = String::from_utf8(get(&srv, "/api/state?registration=reg-e2e").body).unwrap();
    let server = ServerState::parse(&text).unwrap();
    assert_eq!(server.last_seq, 3);
    let (fresh, _) = Queue::load(id, "tab2", Policy::default(), Some(&q.to_storage()));
    let s1 = fresh.resume_snapshot(Some(&server), "sco1");
    assert_eq!(s1.get("cmi.exit").map(String::as_str), Some("suspend"));
    assert_eq!(s1.get("cmi.suspend_data").map(String::as_str), Some("ü"));
    assert_eq!(fresh.resume_snapshot(Some(&server), "sco2").len(), 0, "sco2's only batch was rejected");
}

#[test]
fn concurrent_clients_are_applied_exactly_once() {
    let srv = start();
    let addr = srv.addr.clone();
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut results = Vec::new();
                for seq in 1..=10u64 {
                    // Threads 0..3 each own a registration; threads 3..6 race
                    // the same batches on a shared one.
                    let reg = if t < 3 { format!("own{t}") } else { "shared".to_string() };
                    let body = envelope("2004", &reg, vec![batch(seq, &format!("{reg}:{seq}"), "s", &[("cmi.location", &seq.to_string())])]);
                    let r = raw(&addr, "POST", "/api/batches", "application/json", body.to_string().as_bytes());
                    assert_eq!(r.status, 200);
                    results.push(r.json()["acks"][0]["result"].as_str().unwrap().to_string());
                    let s = raw(&addr, "GET", "/app.js", "text/plain", b"");
                    assert_eq!(s.status, 200);
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
        assert_eq!(state(&srv, &format!("own{t}"))["last_seq"], 10);
    }
    let applied = threads[3..].iter().flatten().filter(|r| *r == "applied").count();
    assert_eq!(applied, 10, "each shared batch applied once");
    assert_eq!(state(&srv, "shared")["scos"]["s"]["cmi.location"], "10");
}
