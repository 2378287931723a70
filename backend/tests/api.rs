//! Integration tests of `scorm-backend` on SQLite: the binary is started on
//! 127.0.0.1 port 0 with its own www/, pkg/ and database, and spoken to over
//! plain HTTP/1.1. The protocol scenarios (tests/protocol) run here and in
//! pg.rs against PostgreSQL; the rest is the HTTP layer: authentication,
//! origins, limits, headers, static files, operations.

mod common;
mod protocol;

use common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn start() -> Srv {
    start_cfg(tempdir("api"), &Config::new(":memory:"))
}

fn start_with(cfg: Config) -> Srv {
    start_cfg(tempdir("api"), &cfg)
}

// ------------------------------------------------------------- protocol

#[test]
fn applies_exactly_once_and_replays_idempotently() {
    protocol::applies_exactly_once_and_replays_idempotently(&start().addr);
}

#[test]
fn gaps_and_conflicts_answer_409_with_expected_seq() {
    protocol::gaps_and_conflicts_answer_409_with_expected_seq(&start().addr);
}

#[test]
fn beacon_bodies_with_several_batches() {
    protocol::beacon_bodies_with_several_batches(&start().addr);
}

#[test]
fn invalid_values_are_refused_with_422_and_consume_their_number() {
    protocol::invalid_values_are_refused_with_422_and_consume_their_number(&start().addr);
}

#[test]
fn full_batches_replace_the_snapshot_and_version_is_checked() {
    protocol::full_batches_replace_the_snapshot_and_version_is_checked(&start().addr);
}

#[test]
fn a_key_with_other_content_is_a_conflict_not_a_replay() {
    protocol::a_key_with_other_content_is_a_conflict_not_a_replay(&start().addr);
}

#[test]
fn state_for_unknown_registration_and_path_form() {
    protocol::state_for_unknown_registration_and_path_form(&start().addr);
}

#[test]
fn engine_queue_round_trip() {
    protocol::engine_queue_round_trip(&start_with(Config::new(":memory:").faults()).addr);
}

#[test]
fn concurrent_clients_are_applied_exactly_once() {
    protocol::concurrent_clients_are_applied_exactly_once(&[start().addr.clone()]);
}

#[test]
fn concurrent_clients_on_three_processes_sharing_one_sqlite_file() {
    let dir = tempdir("api-shared");
    let db = dir.join("shared.sqlite").display().to_string();
    let srvs: Vec<Srv> = (0..3).map(|_| start_cfg(tempdir("api"), &Config::new(&db))).collect();
    let addrs: Vec<String> = srvs.iter().map(|s| s.addr.clone()).collect();
    protocol::concurrent_clients_are_applied_exactly_once(&addrs);
    drop(srvs);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------- authentication

#[test]
fn authorization_binds_learner_registration_and_course_to_the_token() {
    protocol::authorization(&start().addr);
}

#[test]
fn malformed_and_forged_tokens_are_401() {
    let srv = start();
    let body = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]);
    let good = token_for(&body);
    let parts: Vec<&str> = good.split('.').collect();
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let payload = json!({"sub": "l1", "reg": "r", "crs": "c1", "iat": now_s(), "exp": now_s() + 600}).to_string();
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "token_missing"),
        ("Basic dXNlcjpwYXNz".into(), "token_missing"),
        ("Bearer".into(), "token_missing"),
        ("Bearer not-a-jwt".into(), "token_malformed"),
        (format!("Bearer {}.{}.", b64(r#"{"alg":"none"}"#), b64(&payload)), "token_malformed"),
        (format!("Bearer {}.{}.{}", b64(r#"{"alg":"HS512"}"#), parts[1], parts[2]), "token_malformed"),
        (format!("Bearer {}.{}.{}", parts[0], b64(&payload.replace("l1", "l2")), parts[2]), "token_invalid"),
        (format!("Bearer {}", token_with("a different secret, long enough!!!", "l1", "r", "c1", now_s(), now_s() + 60)), "token_invalid"),
        (format!("Bearer {}", token_with(SECRET, "l1", "r", "c1", now_s() - 600, now_s() - 300)), "token_expired"),
        (format!("Bearer {}", token_with(SECRET, "l1", "r", "c1", now_s() + 600, now_s() + 900)), "token_not_yet_valid"),
    ];
    for (auth, code) in &cases {
        let mut h = vec![("Content-Type", "application/json")];
        if !auth.is_empty() {
            h.push(("Authorization", auth));
        }
        let r = request(&srv.addr, "POST", "/api/batches", &h, body.to_string().as_bytes()).unwrap();
        assert_eq!((r.status, r.json()["error"].as_str()), (401, Some(*code)), "{auth}");
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"), "{auth}");
    }
    assert_eq!(state(&srv.addr, "r")["last_seq"], 0, "nothing was applied");
    assert_eq!(post_as(&srv.addr, &body, Some(&good), "application/json").status, 200);
    let m = get_as(&srv.addr, "/metrics", None).text();
    assert!(m.contains("scorm_backend_auth_failures_total{error=\"token_expired\"} 1"), "{m}");
}

#[test]
fn the_backend_refuses_to_start_without_a_secret_or_the_explicit_flag() {
    let dir = tempdir("nosecret");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend"));
    cmd.args(["--addr", "127.0.0.1:0", "--db", ":memory:"]).env_remove("SCORM_AUTH_SECRET").current_dir(&dir);
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no auth secret"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cmd.env("SCORM_AUTH_SECRET", "short").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32 bytes"));
    // A secret from a file works.
    let f = dir.join("secret");
    std::fs::write(&f, format!("{SECRET}\n")).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend"));
    let srv = cmd
        .args(["--addr", "127.0.0.1:0", "--db", ":memory:", "--auth-secret-file"])
        .arg(&f)
        .env_remove("SCORM_AUTH_SECRET")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut srv = srv;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(srv.stdout.take().unwrap()), &mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_owned();
    let body = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]);
    assert_eq!(post_batches(&addr, &body).status, 200, "tokens signed with the file's secret work");
    let _ = srv.kill();
    let _ = srv.wait();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dev_tokens_only_with_the_flag() {
    let srv = start();
    let req = json!({"learner": "l1", "registration": "r", "course": "c1"}).to_string();
    assert_eq!(raw(&srv.addr, "POST", "/api/dev/token", "application/json", req.as_bytes()).status, 404);
    let srv = start_with(Config::new(":memory:").dev_tokens());
    let r = raw(&srv.addr, "POST", "/api/dev/token", "application/json", req.as_bytes());
    assert_eq!(r.status, 200);
    let v = r.json();
    let t = v["token"].as_str().unwrap();
    let expires = v["expiresAt"].as_u64().unwrap();
    assert!(expires > now_s() * 1000 && expires <= (now_s() + 3601) * 1000);
    let body = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]);
    assert_eq!(post_as(&srv.addr, &body, Some(t), "application/json").status, 200);
    for bad in [json!({}), json!({"learner": "", "registration": "r", "course": "c"}), json!({"learner": 1, "registration": "r", "course": "c"})] {
        assert_eq!(raw(&srv.addr, "POST", "/api/dev/token", "application/json", bad.to_string().as_bytes()).status, 400);
    }
}

#[test]
fn without_authentication_the_old_protocol_answers_remain() {
    let srv = start_with(Config::new(":memory:").no_auth());
    let body = envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "1")])]);
    assert_eq!(post_as(&srv.addr, &body, None, "application/json").status, 200);
    let mut other = envelope("2004", "r", vec![batch(2, "k2", "s", &[("cmi.location", "2")])]);
    other["learner"] = json!("someone-else");
    let r = post_as(&srv.addr, &other, None, "application/json");
    assert_eq!((r.status, r.json()["error"].as_str()), (422, Some("registration_mismatch")));
    assert_eq!(get_as(&srv.addr, "/api/state?registration=r", None).json()["last_seq"], 1);
    // The dev token endpoint does not exist without a secret.
    assert_eq!(raw(&srv.addr, "POST", "/api/dev/token", "application/json", b"{}").status, 404);
}

// ------------------------------------------------------ origins, CSRF

#[test]
fn cross_site_requests_are_refused_and_allowed_origins_get_cors() {
    let srv = start_with(Config::new(":memory:").arg("--allow-origin").arg("https://lms.example"));
    let body = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]);
    let t = format!("Bearer {}", token_for(&body));
    let send = |extra: &[(&str, &str)]| {
        let mut h = vec![("Content-Type", "text/plain"), ("Authorization", t.as_str())];
        h.extend_from_slice(extra);
        request(&srv.addr, "POST", "/api/batches", &h, body.to_string().as_bytes()).unwrap()
    };
    for extra in [
        vec![("Origin", "https://evil.example")],
        vec![("Origin", "null")],
        vec![("Origin", "https://lms.example.evil")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
    ] {
        let r = send(&extra);
        assert_eq!((r.status, r.json()["error"].as_str()), (403, Some("origin_not_allowed")), "{extra:?}");
    }
    assert_eq!(state(&srv.addr, "r")["last_seq"], 0);
    let own = format!("http://{}", srv.addr);
    let r = send(&[("Origin", &own), ("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(r.status, 200, "same origin");
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = send(&[("Origin", "https://lms.example"), ("Sec-Fetch-Site", "cross-site")]);
    assert_eq!(r.status, 200, "allowed origin");
    assert_eq!(r.header("access-control-allow-origin"), Some("https://lms.example"));
    let pre = request(
        &srv.addr,
        "OPTIONS",
        "/api/batches",
        &[("Origin", "https://lms.example"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization,content-type")],
        b"",
    )
    .unwrap();
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some("https://lms.example"));
    assert!(pre.header("access-control-allow-headers").unwrap().contains("authorization"));
    let pre = request(&srv.addr, "OPTIONS", "/api/batches", &[("Origin", "https://evil.example")], b"").unwrap();
    assert_eq!(pre.status, 403);
}

// ------------------------------------------------------------ headers

#[test]
fn pages_get_a_content_security_policy_and_api_answers_nosniff() {
    let srv = start();
    for path in ["/", "/index.html", "/app.js", "/pkg/scorm_shim.js"] {
        let r = get_as(&srv.addr, path, None);
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        for part in ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "frame-ancestors 'self'", "object-src 'none'"] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(r.header("x-frame-options"), Some("SAMEORIGIN"), "{path}");
    }
    // Course content keeps its inline scripts; only framing is restricted.
    let r = get_as(&srv.addr, "/courses/c1/sco.html", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-security-policy"), Some("frame-ancestors 'self'; object-src 'none'"));
    for path in ["/api/state?registration=x", "/api/nothing", "/healthz"] {
        let r = get_as(&srv.addr, path, None);
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
    }
    let r = get_as(&srv.addr, "/api/state?registration=x", None);
    assert_eq!(r.header("content-security-policy"), Some("default-src 'none'; frame-ancestors 'none'"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[test]
fn error_replies_do_not_echo_parser_texts() {
    let srv = start();
    let t = format!("Bearer {}", token("l1", "r", "c1"));
    for body in [&b"{\"protocol\": 1, \"batches\": [tru"[..], b"not json", b"{\"a\":1e999999}", b""] {
        let r = request(&srv.addr, "POST", "/api/batches", &[("Authorization", &t)], body).unwrap();
        assert_eq!(r.status, 400);
        assert_eq!(r.json(), json!({"error": "bad_request", "reason": "body is not JSON"}), "{}", String::from_utf8_lossy(body));
    }
    let r = request(&srv.addr, "POST", "/api/batches", &[("Authorization", &t)], b"\xff\xfe").unwrap();
    assert_eq!(r.json()["reason"], "body is not UTF-8");
}

// ------------------------------------------------------------ requests

#[test]
fn malformed_requests_are_400() {
    let srv = start();
    let good = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]);
    let mut bad: Vec<Value> = Vec::new();
    for (path, v) in [
        ("/protocol", json!(2)),
        ("/version", json!("3rd")),
        ("/batches", json!([])),
        ("/batches/0/seq", json!(0)),
        ("/batches/0/seq", json!(-1)),
        ("/batches/0/key", json!("")),
        ("/batches/0/key", json!("x".repeat(1025))),
        ("/batches/0/sco", json!("a\u{0}b")),
        ("/batches/0/reason", json!("suspend")),
        ("/batches/0/changes", json!([["a"]])),
        ("/batches/0/changes", json!([["a", 1]])),
    ] {
        let mut b = good.clone();
        *b.pointer_mut(path).unwrap() = v;
        bad.push(b);
    }
    for b in &bad {
        let r = post_batches(&srv.addr, b);
        assert_eq!(r.status, 400, "{b}");
        assert_eq!(r.json()["error"], "bad_request");
    }
    let huge = vec![b' '; (1 << 20) + 10];
    let t = format!("Bearer {}", token("l1", "r", "c1"));
    assert_eq!(request(&srv.addr, "POST", "/api/batches", &[("Authorization", &t)], &huge).unwrap().status, 413);
    assert_eq!(get_as(&srv.addr, "/api/state", Some(&token("l1", "r", "c1"))).status, 400);
    assert_eq!(raw(&srv.addr, "PUT", "/api/batches", "text/plain", b"").status, 405);
    assert_eq!(get_as(&srv.addr, "/api/nothing", None).status, 404);
    assert_eq!(post_batches(&srv.addr, &good).status, 200, "server still fine");
}

#[test]
fn fault_injection_only_with_flag() {
    let srv = start();
    assert_eq!(raw(&srv.addr, "POST", "/api/_faults", "application/json", br#"{"fail_next": 1}"#).status, 404);
    let srv = start_with(Config::new(":memory:").faults());
    let r = raw(&srv.addr, "POST", "/api/_faults", "application/json", br#"{"fail_next": 2, "status": 503, "retry_after": 3}"#);
    assert_eq!(r.status, 200);
    let body = envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "x")])]);
    for _ in 0..2 {
        let r = post_batches(&srv.addr, &body);
        assert_eq!((r.status, r.header("retry-after")), (503, Some("3")));
    }
    assert_eq!(state(&srv.addr, "r")["last_seq"], 0, "failed before applying");
    assert_eq!(post_batches(&srv.addr, &body).status, 200);
    // A lost answer: applied, but the client sees 500; the retry is a duplicate.
    raw(&srv.addr, "POST", "/api/_faults", "application/json", br#"{"fail_next": 1, "status": 500, "after_apply": true}"#);
    let b2 = envelope("2004", "r", vec![batch(2, "k2", "s", &[("cmi.location", "y")])]);
    assert_eq!(post_batches(&srv.addr, &b2).status, 500);
    assert_eq!(state(&srv.addr, "r")["last_seq"], 2);
    assert_eq!(post_batches(&srv.addr, &b2).json()["acks"][0]["result"], "duplicate");
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
        let r = get_as(&srv.addr, path, None);
        assert_eq!(r.status, status, "{path}");
        assert_eq!(r.header("content-type"), Some(ctype), "{path}");
        assert_eq!(r.body, body.as_bytes(), "{path}");
    }
    assert_eq!(get_as(&srv.addr, "/missing.html", None).status, 404);
    assert_eq!(get_as(&srv.addr, "/pkg/missing.wasm", None).status, 404);
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
        let r = get_as(&srv.addr, path, None);
        assert!(matches!(r.status, 400 | 403 | 404), "{path}: {}", r.status);
        assert!(!r.text().contains("TOP SECRET"), "{path}");
    }
}

#[test]
fn data_survives_a_restart() {
    let dbdir = tempdir("restart");
    let db = dbdir.join("db.sqlite").display().to_string();
    {
        let srv = start_with(Config::new(&db));
        post_batches(&srv.addr, &envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "kept")])]));
    }
    let srv = start_with(Config::new(&db));
    let st = state(&srv.addr, "r");
    assert_eq!((st["last_seq"].as_u64(), st["scos"]["s"]["cmi.location"].as_str()), (Some(1), Some("kept")));
    let again = envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "kept")])]);
    assert_eq!(post_batches(&srv.addr, &again).json()["acks"][0]["result"], "duplicate");
    drop(srv);
    let _ = std::fs::remove_dir_all(dbdir);
}

// -------------------------------------------------------------- limits

/// Open a connection and send a request head whose body will come slowly.
fn slow_post(addr: &str, len: usize, token: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "POST /api/batches HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n{{\"protocol\":"
    );
    s.write_all(head.as_bytes()).unwrap();
    s
}

fn read_all(mut s: TcpStream) -> Resp {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse_response(&buf).unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&buf)))
}

#[test]
fn slow_bodies_time_out_with_408_and_do_not_block_others() {
    let srv = start_with(Config::new(":memory:").arg("--body-timeout").arg("1").arg("--header-timeout").arg("1"));
    let t = token("l1", "r", "c1");
    let slow: Vec<TcpStream> = (0..20).map(|_| slow_post(&srv.addr, 5000, &t)).collect();
    // Half-sent heads too (slowloris).
    let heads: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(&srv.addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            s.write_all(b"GET /api/state?registration=r HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    let body = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]);
    assert_eq!(post_batches(&srv.addr, &body).status, 200, "others are served meanwhile");
    assert!(started.elapsed() < Duration::from_secs(1), "served at once, not after the slow ones");
    for s in slow {
        let r = read_all(s);
        assert_eq!((r.status, r.json()["error"].as_str()), (408, Some("body_timeout")));
    }
    for s in heads {
        // The connection is closed without an answer (or with 408).
        let mut s = s;
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        assert!(buf.is_empty() || String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 408"), "{:?}", String::from_utf8_lossy(&buf));
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    let m = get_as(&srv.addr, "/metrics", None).text();
    assert!(m.contains("scorm_backend_body_timeouts_total 20"), "{m}");
}

#[test]
fn many_batches_in_one_body_are_capped() {
    let srv = start_with(Config::new(":memory:").arg("--max-batches").arg("50"));
    let batches: Vec<Value> = (1..=120).map(|i| batch(i, &format!("k{i}"), "s", &[("cmi.location", &i.to_string())])).collect();
    let body = envelope("2004", "r", batches);
    let r = post_batches(&srv.addr, &body);
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!((v["acks"].as_array().unwrap().len(), v["last_seq"].as_u64(), v["unprocessed"].as_u64()), (50, Some(50), Some(70)));
    // The resend gets the rest (duplicates first).
    let v = post_batches(&srv.addr, &body).json();
    assert_eq!((v["last_seq"].as_u64(), v["acks"][0]["result"].as_str()), (Some(100), Some("duplicate")));
    let v = post_batches(&srv.addr, &body).json();
    assert_eq!((v["last_seq"].as_u64(), v.get("unprocessed")), (Some(120), None));
    assert_eq!(state(&srv.addr, "r")["scos"]["s"]["cmi.location"], "120");
}

#[test]
fn rate_limits_answer_429_with_retry_after() {
    let mut cfg = Config::new(":memory:");
    cfg.args = vec!["--rate-limit-registration".into(), "2".into(), "--rate-limit-ip".into(), "0".into()];
    let srv = start_with(cfg);
    let t = token("l1", "busy", "c1");
    let mut statuses = Vec::new();
    for _ in 0..15 {
        let r = get_as(&srv.addr, "/api/state?registration=busy", Some(&t));
        if r.status == 429 {
            assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
        }
        statuses.push(r.status);
    }
    // A burst of 10 (the bucket refills at 2/s meanwhile), then 429s.
    assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    // Another registration is not affected.
    assert_eq!(get_as(&srv.addr, "/api/state?registration=calm", Some(&token("l1", "calm", "c1"))).status, 200);
    let mut cfg = Config::new(":memory:");
    cfg.args = vec!["--rate-limit-ip".into(), "2".into(), "--rate-limit-registration".into(), "0".into()];
    let srv = start_with(cfg);
    let statuses: Vec<u16> = (0..15).map(|i| get_as(&srv.addr, &format!("/api/state?registration=r{i}"), Some(&token("l1", &format!("r{i}"), "c1"))).status).collect();
    assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(get_as(&srv.addr, "/index.html", None).status, 200, "static files are not limited");
}

#[test]
fn connections_per_address_are_capped() {
    let srv = start_with(Config::new(":memory:").arg("--max-connections-per-ip").arg("5"));
    let held: Vec<TcpStream> = (0..5).map(|_| TcpStream::connect(&srv.addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    // The sixth is closed at once.
    let mut sixth = TcpStream::connect(&srv.addr).unwrap();
    sixth.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = sixth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = Vec::new();
    let _ = sixth.read_to_end(&mut buf);
    assert!(buf.is_empty(), "{:?}", String::from_utf8_lossy(&buf));
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get_as(&srv.addr, "/healthz", None).status, 200);
}

#[test]
fn sigterm_lets_the_request_in_progress_finish() {
    let mut srv = start();
    let body = envelope("2004", "r", vec![batch(1, "k", "s", &[("cmi.location", "x")])]).to_string();
    let t = token("l1", "r", "c1");
    let mut s = TcpStream::connect(&srv.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "POST /api/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let ok = std::process::Command::new("kill").args(["-TERM", &srv.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    std::thread::sleep(Duration::from_millis(200));
    // New connections are no longer accepted...
    assert!(TcpStream::connect(&srv.addr).and_then(|mut c| {
        c.set_read_timeout(Some(Duration::from_secs(2)))?;
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")?;
        let mut b = [0u8; 1];
        c.read(&mut b).and_then(|n| if n == 0 { Err(std::io::Error::other("closed")) } else { Ok(()) })
    })
    .is_err());
    // ...the one in progress gets its answer.
    s.write_all(&body.as_bytes()[10..]).unwrap();
    let r = read_all(s);
    assert_eq!(r.status, 200, "{}", r.text());
    let status = srv.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn health_and_metrics() {
    let srv = start();
    let h = get_as(&srv.addr, "/healthz", None);
    assert_eq!((h.status, h.json()), (200, json!({"status": "ok", "store": "sqlite"})));
    let b1 = envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "x")])]);
    post_batches(&srv.addr, &b1);
    post_batches(&srv.addr, &b1);
    post_batches(&srv.addr, &envelope("2004", "r", vec![batch(5, "k5", "s", &[])]));
    post_batches(&srv.addr, &envelope("2004", "r", vec![batch(2, "k2", "s", &[("cmi.exit", "bad")])]));
    let m = get_as(&srv.addr, "/metrics", None);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    let m = m.text();
    for line in [
        "scorm_backend_batches_applied_total 1",
        "scorm_backend_batches_replayed_total 1",
        "scorm_backend_batches_conflicting_total 1",
        "scorm_backend_batches_refused_total 1",
        "scorm_backend_http_requests_total{route=\"/api/batches\",status=\"200\"} 2",
        "scorm_backend_http_request_duration_seconds_count{route=\"/api/batches\"} 4",
    ] {
        assert!(m.contains(line), "{line} in\n{m}");
    }
}

// ----------------------------------------------------------- operations

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend")).args(args).env_remove("SCORM_AUTH_SECRET").output().unwrap()
}

#[test]
fn backup_restore_into_a_fresh_database_and_resume() {
    let dir = tempdir("backup");
    let a = dir.join("a.sqlite").display().to_string();
    let b = dir.join("b.sqlite").display().to_string();
    let file = dir.join("backup.jsonl").display().to_string();
    let srv_a = start_with(Config::new(&a));
    protocol::session_resumes_from_a_restored_backup(&srv_a.addr, || {
        let out = cli(&["backup", "--db", &a, "--out", &file]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = cli(&["restore", "--db", &b, "--in", &file]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // Restoring twice is refused (nothing is overwritten).
        assert!(!cli(&["restore", "--db", &b, "--in", &file]).status.success());
        // A truncated backup is reported.
        let text = std::fs::read_to_string(&file).unwrap();
        let cut = dir.join("cut.jsonl");
        std::fs::write(&cut, text.lines().take(2).collect::<Vec<_>>().join("\n")).unwrap();
        let c = dir.join("c.sqlite").display().to_string();
        let out = cli(&["restore", "--db", &c, "--in", &cut.display().to_string()]);
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("truncated"));
        start_with(Config::new(&b))
    });
    drop(srv_a);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn export_of_a_learners_records() {
    let dir = tempdir("export");
    let db = dir.join("x.sqlite").display().to_string();
    {
        let srv = start_with(Config::new(&db));
        for (learner, reg) in [("alice", "ra1"), ("alice", "ra2"), ("bob", "rb")] {
            let body = json!({"protocol": 1, "version": "2004", "learner": learner, "course": "c1", "registration": reg,
                "batches": [batch(1, "k", "s", &[("cmi.location", reg)])]});
            assert_eq!(post_batches(&srv.addr, &body).status, 200);
        }
    }
    let out = cli(&["export", "--db", &db, "--learner", "alice"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let regs: Vec<&str> = v["registrations"].as_array().unwrap().iter().map(|r| r["registration"].as_str().unwrap()).collect();
    assert_eq!(regs, ["ra1", "ra2"]);
    assert_eq!(v["registrations"][1]["scos"]["s"]["cmi.location"], "ra2");
    assert_eq!(v["registrations"][0]["batches"][0]["changes"], json!([["cmi.location", "ra1"]]));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("rb"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn retention_prunes_the_log_but_keeps_replays_answered() {
    let dir = tempdir("retention");
    let db = dir.join("r.sqlite").display().to_string();
    let b1 = envelope("2004", "r", vec![batch(1, "k1", "s", &[("cmi.location", "1")])]);
    let b2 = envelope("2004", "r", vec![batch(2, "k2", "s", &[("cmi.location", "2")])]);
    {
        let srv = start_with(Config::new(&db));
        post_batches(&srv.addr, &b1);
        post_batches(&srv.addr, &b2);
    }
    // Make the records old.
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute("UPDATE batches SET received_ms = received_ms - 40 * 86400000", []).unwrap();
    }
    let out = cli(&["prune", "--db", &db, "--log-retention-days", "30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("changes of 2 logged batches"));
    let srv = start_with(Config::new(&db));
    let entries = log(&srv.addr, "r");
    assert_eq!(entries["batches"][0]["changes"], Value::Null, "content pruned");
    assert_eq!(entries["batches"].as_array().unwrap().len(), 2, "records kept");
    // A replay is still recognized (key and hash are kept).
    assert_eq!(post_batches(&srv.addr, &b1).json()["acks"][0]["result"], "duplicate");
    drop(srv);
    let out = cli(&["prune", "--db", &db, "--key-retention-days", "30"]);
    assert!(out.status.success());
    let srv = start_with(Config::new(&db));
    let entries = log(&srv.addr, "r");
    let seqs: Vec<u64> = entries["batches"].as_array().unwrap().iter().map(|b| b["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [2], "the newest record of each registration stays");
    assert_eq!(state(&srv.addr, "r")["scos"]["s"]["cmi.location"], "2", "the state is untouched");
    drop(srv);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn token_command_mints_what_the_server_accepts() {
    let srv = start();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scorm-backend"))
        .args(["token", "--learner", "l1", "--registration", "r", "--course", "c1", "--ttl", "60"])
        .env("SCORM_AUTH_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    assert_eq!(get_as(&srv.addr, "/api/state?registration=r", Some(t.trim())).status, 200);
}
