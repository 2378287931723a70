//! Shared by the backend's integration tests: the binary on 127.0.0.1
//! port 0, plain HTTP/1.1, launch tokens minted like an LMS would, and a
//! throwaway PostgreSQL server.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The secret the test backends sign with.
pub const SECRET: &str = "test-secret-0123456789abcdef-0123456789";

static N: AtomicU32 = AtomicU32::new(0);

/// The backend binary: Cargo's for tests, else `SCORM_BACKEND_BIN`, else
/// the `server` profile's build (examples).
pub fn bin() -> PathBuf {
    if let Some(b) = option_env!("CARGO_BIN_EXE_scorm-backend") {
        return b.into();
    }
    if let Some(b) = std::env::var_os("SCORM_BACKEND_BIN") {
        return b.into();
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/server/scorm-backend")
}

pub fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// A token as an LMS issues it: HS256 over {sub, reg, crs, iat, exp}.
pub fn token_with(secret: &str, learner: &str, reg: &str, course: &str, iat: u64, exp: u64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(json!({"sub": learner, "reg": reg, "crs": course, "iat": iat, "exp": exp}).to_string());
    let input = format!("{header}.{payload}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

pub fn token(learner: &str, reg: &str, course: &str) -> String {
    token_with(SECRET, learner, reg, course, now_s(), now_s() + 3600)
}

pub fn tempdir(tag: &str) -> PathBuf {
    let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let d = base.join(format!("scorm-backend-{tag}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("www/sub")).unwrap();
    std::fs::create_dir_all(d.join("www/courses/c1")).unwrap();
    std::fs::create_dir_all(d.join("pkg")).unwrap();
    std::fs::write(d.join("www/index.html"), "<h1>index</h1>").unwrap();
    std::fs::write(d.join("www/sub/index.html"), "<h1>sub</h1>").unwrap();
    std::fs::write(d.join("www/courses/c1/sco.html"), "<script>inline()</script>").unwrap();
    std::fs::write(d.join("www/app.js"), "export {}").unwrap();
    std::fs::write(d.join("www/a b.css"), "body{}").unwrap();
    std::fs::write(d.join("pkg/scorm_shim_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(d.join("pkg/scorm_shim.js"), "// glue").unwrap();
    std::fs::write(d.join("secret.txt"), "TOP SECRET").unwrap();
    d
}

/// How to start a backend.
#[derive(Clone)]
pub struct Config {
    pub db: String,
    pub auth: bool,
    pub dev_tokens: bool,
    pub faults: bool,
    pub addr: String,
    pub args: Vec<String>,
}

impl Config {
    pub fn new(db: &str) -> Config {
        Config {
            db: db.to_owned(),
            auth: true,
            dev_tokens: false,
            faults: false,
            addr: "127.0.0.1:0".into(),
            // The tests send many requests quickly from one address.
            args: vec!["--rate-limit-ip".into(), "0".into(), "--rate-limit-registration".into(), "0".into()],
        }
    }
    pub fn no_auth(mut self) -> Config {
        self.auth = false;
        self
    }
    pub fn faults(mut self) -> Config {
        self.faults = true;
        self
    }
    pub fn dev_tokens(mut self) -> Config {
        self.dev_tokens = true;
        self
    }
    pub fn arg(mut self, a: &str) -> Config {
        self.args.push(a.to_owned());
        self
    }
    pub fn command(&self, dir: &Path) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(["--addr", &self.addr, "--db", &self.db, "--log-level", "warn"])
            .arg("--www")
            .arg(dir.join("www"))
            .arg(format!("--pkg={}", dir.join("pkg").display()))
            .args(&self.args)
            .env_remove("SCORM_AUTH_SECRET");
        if self.auth {
            cmd.env("SCORM_AUTH_SECRET", SECRET);
        } else {
            cmd.arg("--insecure-no-auth");
        }
        if self.faults {
            cmd.arg("--test-faults");
        }
        if self.dev_tokens {
            cmd.arg("--dev-tokens");
        }
        cmd
    }
}

pub struct Srv {
    pub child: Child,
    pub addr: String,
    pub dir: PathBuf,
    pub keep_dir: bool,
}

impl Drop for Srv {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Start the binary; `Err` with its output when it does not start.
pub fn try_spawn(cfg: &Config, dir: &Path) -> Result<(Child, String), String> {
    let mut child = cfg.command(dir).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
    let mut line = String::new();
    let out = child.stdout.take().unwrap();
    BufReader::new(out).read_line(&mut line).map_err(|e| e.to_string())?;
    match line.trim().rsplit("http://").next() {
        Some(a) if a.starts_with("127.0.0.1:") && line.contains("listening on") => {
            // Keep reading standard error so the backend never blocks on it.
            let err = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                for l in BufReader::new(err).lines().map_while(Result::ok) {
                    if std::env::var_os("BACKEND_LOGS").is_some() {
                        eprintln!("[backend] {l}");
                    }
                }
            });
            Ok((child, a.to_owned()))
        }
        _ => {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("backend did not start: {line:?} {err}"))
        }
    }
}

pub fn start_cfg(dir: PathBuf, cfg: &Config) -> Srv {
    let (child, addr) = try_spawn(cfg, &dir).unwrap_or_else(|e| panic!("{e}"));
    Srv { child, addr, dir, keep_dir: false }
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("JSON body ({}): {}", self.status, String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers.iter().find(|(h, _)| h.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
}

/// Decode a chunked body (RFC 9112 §7.1; extensions and trailers ignored).
pub fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
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

/// Parse a whole HTTP/1.1 answer.
pub fn parse_response(buf: &[u8]) -> Result<Resp, String> {
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no header end")?;
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).ok_or("bad status line")?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect();
    let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked"));
    let raw = &buf[split + 4..];
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    Ok(Resp { status, headers, body })
}

/// One request on its own connection, with extra header lines.
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Resp, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    // A server may answer (413) and close before the body is all sent.
    let sent = s.write_all(body);
    let mut buf = Vec::new();
    let read = s.read_to_end(&mut buf);
    if buf.is_empty() {
        sent.map_err(|e| e.to_string())?;
        read.map_err(|e| e.to_string())?;
    }
    parse_response(&buf)
}

pub fn raw(addr: &str, method: &str, path: &str, ctype: &str, body: &[u8]) -> Resp {
    request(addr, method, path, &[("Content-Type", ctype)], body).unwrap()
}

pub fn envelope(version: &str, reg: &str, batches: Vec<Value>) -> Value {
    json!({"protocol": 1, "version": version, "learner": "l1", "course": "c1", "registration": reg, "batches": batches})
}

pub fn batch(seq: u64, key: &str, sco: &str, changes: &[(&str, &str)]) -> Value {
    json!({"seq": seq, "key": key, "sco": sco, "reason": "commit", "full": false, "ts": 5, "changes": changes})
}

/// POST a batches body with the token its envelope calls for.
pub fn post_as(addr: &str, body: &Value, token: Option<&str>, ctype: &str) -> Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut h = vec![("Content-Type", ctype)];
    if let Some(a) = &auth {
        h.push(("Authorization", a));
    }
    request(addr, "POST", "/api/batches", &h, body.to_string().as_bytes()).unwrap()
}

pub fn token_for(body: &Value) -> String {
    let s = |k: &str| body[k].as_str().unwrap_or("-").to_owned();
    token(&s("learner"), &s("registration"), &s("course"))
}

pub fn post_batches(addr: &str, body: &Value) -> Resp {
    post_as(addr, body, Some(&token_for(body)), "application/json")
}

pub fn get_as(addr: &str, path: &str, token: Option<&str>) -> Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let h: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
    request(addr, "GET", path, &h, b"").unwrap()
}

/// `GET /api/state` as learner l1 of course c1.
pub fn state(addr: &str, reg: &str) -> Value {
    let r = get_as(addr, &format!("/api/state?registration={}", enc(reg)), Some(&token("l1", reg, "c1")));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

pub fn log(addr: &str, reg: &str) -> Value {
    let r = get_as(addr, &format!("/api/batches?registration={}", enc(reg)), Some(&token("l1", reg, "c1")));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// Percent-encode everything but unreserved characters.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

// ------------------------------------------------------------- PostgreSQL

/// A throwaway PostgreSQL server (Debian's package) in a temporary
/// directory on a free port, stopped and removed on drop.
pub struct Pg {
    pub dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
    as_postgres: bool,
    next_db: AtomicU32,
}

fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.filter_map(|e| e.ok().map(|e| e.path().join("bin"))).collect();
    versions.sort();
    versions.into_iter().rev().find(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Pg {
    /// `None` (with a message) when PostgreSQL is not installed, unless
    /// `SCORM_PG_REQUIRED=1` (CI): then the test fails.
    pub fn start() -> Option<Pg> {
        let Some(bin) = pg_bin() else {
            if std::env::var("SCORM_PG_REQUIRED").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL is required (SCORM_PG_REQUIRED=1) but /usr/lib/postgresql/*/bin/initdb is missing: run scripts/deps.sh test");
            }
            eprintln!("SKIPPED: PostgreSQL is not installed (apt-get install postgresql, or scripts/deps.sh test); set SCORM_PG_REQUIRED=1 to make this a failure");
            return None;
        };
        let root = unsafe_is_root();
        let dir = std::env::temp_dir().join(format!("scorm-pg-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut pg = Pg { dir: dir.clone(), port: 0, bin, as_postgres: root, next_db: AtomicU32::new(0) };
        if root {
            let ok = Command::new("chown").arg("postgres:postgres").arg(&dir).status().map(|s| s.success()).unwrap_or(false);
            assert!(ok, "chown postgres {}", dir.display());
        }
        let data = dir.join("data");
        let out = pg.run(&pg.bin.join("initdb"), &["-D", &data.display().to_string(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        for attempt in 0..5 {
            let port = free_port();
            let opts = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", dir.display());
            let out = pg.run(
                &pg.bin.join("pg_ctl"),
                &["-D", &data.display().to_string(), "-o", &opts, "-l", &dir.join("log").display().to_string(), "-w", "-t", "30", "start"],
            );
            if out.status.success() {
                pg.port = port;
                return Some(pg);
            }
            eprintln!("pg_ctl start on port {port} failed (attempt {attempt}): {}", String::from_utf8_lossy(&out.stderr));
        }
        panic!("PostgreSQL did not start: {}", std::fs::read_to_string(dir.join("log")).unwrap_or_default());
    }

    fn run(&self, prog: &Path, args: &[&str]) -> std::process::Output {
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(prog);
            c
        } else {
            Command::new(prog)
        };
        cmd.args(args).stdin(Stdio::null()).output().expect("PostgreSQL tools run")
    }

    /// Run SQL with psql against database `db`.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self.run(
            &self.bin.join("psql"),
            &["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
        );
        assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A new empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}", self.next_db.fetch_add(1, Ordering::SeqCst));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = self.run(&self.bin.join("pg_ctl"), &["-D", &data, "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn unsafe_is_root() -> bool {
    // No libc in the test dependencies: ask id(1).
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}
