//! `scorm-backend`: the reference backend of scorm-shim.
//!
//! Serves the static files of `www/` and `pkg/`, and the commit-queue API of
//! docs/PROTOCOL.md on SQLite. Run `scorm-backend --help` for the options.

mod store;

use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Method, Request, Response, Server};

const USAGE: &str = "scorm-backend: reference backend for scorm-shim

Options (environment variable in brackets):
  --addr HOST:PORT   listen address, default 127.0.0.1:8080 [SCORM_BACKEND_ADDR]
  --db PATH          SQLite database, default scorm-backend.sqlite; :memory: allowed [SCORM_BACKEND_DB]
  --www DIR          static root for /, default www [SCORM_BACKEND_WWW]
  --pkg DIR          static root for /pkg/, default pkg [SCORM_BACKEND_PKG]
  --test-faults      enable POST /api/_faults (fault injection, for tests only)
  --help             this text
";

/// Largest accepted request body.
const MAX_BODY: usize = 1 << 20;

struct Options {
    addr: String,
    db: String,
    www: PathBuf,
    pkg: PathBuf,
    test_faults: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let mut o = Options {
        addr: env("SCORM_BACKEND_ADDR", "127.0.0.1:8080"),
        db: env("SCORM_BACKEND_DB", "scorm-backend.sqlite"),
        www: env("SCORM_BACKEND_WWW", "www").into(),
        pkg: env("SCORM_BACKEND_PKG", "pkg").into(),
        test_faults: false,
    };
    let mut args = args;
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => o.addr = value()?,
            "--db" => o.db = value()?,
            "--www" => o.www = value()?.into(),
            "--pkg" => o.pkg = value()?.into(),
            "--test-faults" => o.test_faults = true,
            "--help" | "-h" => return Err(String::new()),
            _ => return Err(format!("unknown argument {a:?}")),
        }
    }
    Ok(o)
}

/// Injected failures for end-to-end tests (`--test-faults`).
#[derive(Default)]
struct Faults {
    fail_next: u64,
    status: u16,
    retry_after: Option<u64>,
    /// Apply the batches, then answer with the failure (a lost answer).
    after_apply: bool,
}

/// What the request threads share: the static roots, and the API state
/// behind one lock (SQLite is used from one thread at a time).
struct App {
    www: PathBuf,
    pkg: PathBuf,
    api: Mutex<Api>,
}

/// The API state.
struct Api {
    store: store::Store,
    test_faults: bool,
    faults: Faults,
}

/// Request threads: static files are served in parallel; API calls take
/// turns on the store.
const THREADS: usize = 4;

fn header(k: &str, v: &str) -> Header {
    // Only fixed ASCII names and values are passed here.
    Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap_or_else(|_| Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("static header"))
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn json_reply(status: u16, v: &Value) -> Reply {
    Response::from_data(v.to_string().into_bytes())
        .with_status_code(status)
        .with_header(header("Content-Type", "application/json; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
}

fn error(status: u16, code: &str, reason: &str) -> Reply {
    json_reply(status, &json!({"error": code, "reason": reason}))
}

/// The value of query parameter `name` (percent-decoded).
fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (percent_decode(k, true).as_deref() == Some(name)).then(|| percent_decode(v, true)).flatten()
    })
}

/// Decode `%XX` escapes (and `+` as space in query strings). `None` for bad
/// escapes or bytes that are not UTF-8.
fn percent_decode(s: &str, plus: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

const CONTENT_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("wasm", "application/wasm"),
    ("css", "text/css; charset=utf-8"),
    ("json", "application/json"),
    ("map", "application/json"),
    ("xml", "application/xml"),
    ("xsd", "application/xml"),
    ("txt", "text/plain; charset=utf-8"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("ico", "image/x-icon"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("pdf", "application/pdf"),
    ("swf", "application/x-shockwave-flash"),
    ("zip", "application/zip"),
    ("ts", "text/plain; charset=utf-8"),
];

fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    CONTENT_TYPES.iter().find(|(e, _)| *e == ext).map_or("application/octet-stream", |(_, t)| t)
}

/// Map a URL path to a file under `www` or `pkg`, refusing anything that
/// could leave the root: `..`, `.`, backslashes, NUL, drive letters, and
/// symbolic links pointing outside.
fn resolve(www: &Path, pkg: &Path, url_path: &str) -> Result<PathBuf, u16> {
    let decoded = percent_decode(url_path, false).ok_or(400u16)?;
    let (root, rest) = match decoded.strip_prefix("/pkg/") {
        Some(rest) => (pkg, rest.to_owned()),
        None if decoded == "/pkg" => (pkg, String::new()),
        None => (www, decoded.trim_start_matches('/').to_owned()),
    };
    let mut rel = PathBuf::new();
    for seg in rest.split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "." || seg == ".." || seg.contains(['\\', '\0', ':']) {
            return Err(403);
        }
        rel.push(seg);
    }
    let root = root.canonicalize().map_err(|_| 404u16)?;
    let mut full = root.join(&rel);
    if full.is_dir() {
        full.push("index.html");
    }
    let full = full.canonicalize().map_err(|_| 404u16)?;
    if !full.starts_with(&root) {
        return Err(403);
    }
    if !full.is_file() {
        return Err(404);
    }
    Ok(full)
}

impl App {
    fn serve_static(&self, req: Request) {
        let url = req.url().to_owned();
        let path = url.split(['?', '#']).next().unwrap_or("/");
        let head = *req.method() == Method::Head;
        let result = match resolve(&self.www, &self.pkg, path) {
            Ok(p) => std::fs::File::open(&p).map(|f| (p, f)).map_err(|_| 404u16),
            Err(s) => Err(s),
        };
        let _ = match result {
            Ok((p, f)) => {
                let len = f.metadata().map(|m| m.len() as usize).ok();
                let headers = vec![
                    header("Content-Type", content_type(&p)),
                    header("Cache-Control", "no-cache"),
                    header("X-Content-Type-Options", "nosniff"),
                ];
                if head {
                    let r = Response::new(200.into(), headers, std::io::empty(), len, None);
                    req.respond(r)
                } else {
                    let r = Response::new(200.into(), headers, f, len, None);
                    req.respond(r)
                }
            }
            Err(s) => {
                let text = match s {
                    400 => "bad request",
                    403 => "forbidden",
                    _ => "not found",
                };
                req.respond(
                    Response::from_string(text)
                        .with_status_code(s)
                        .with_header(header("Content-Type", "text/plain; charset=utf-8")),
                )
            }
        };
    }
}

impl Api {
    fn post_batches(&mut self, body: &str) -> Reply {
        let env = match store::parse_envelope(body) {
            Ok(e) => e,
            Err(e) => return error(400, "bad_request", &e),
        };
        let inject = self.faults.fail_next > 0;
        if inject {
            self.faults.fail_next -= 1;
            if !self.faults.after_apply {
                return self.fault_reply();
            }
        }
        let mut acks = Vec::new();
        for b in &env.batches {
            match self.store.apply(&env, b) {
                Ok(o) if o.status == 200 => acks.push(o.answer),
                Ok(o) => {
                    let mut answer = o.answer;
                    answer["acks"] = Value::Array(acks);
                    return if inject { self.fault_reply() } else { json_reply(o.status, &answer) };
                }
                Err(e) => return error(500, "storage_error", &e.to_string()),
            }
        }
        if inject {
            return self.fault_reply();
        }
        let last = acks.last().and_then(|a| a.get("seq")).cloned().unwrap_or(Value::Null);
        json_reply(200, &json!({"acks": acks, "last_seq": last}))
    }

    fn fault_reply(&self) -> Reply {
        let mut r = error(self.faults.status, "injected_fault", "fault injected by --test-faults");
        if let Some(s) = self.faults.retry_after {
            r = r.with_header(header("Retry-After", &s.to_string()));
        }
        r
    }

    fn set_faults(&mut self, body: &str) -> Reply {
        let v: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => return error(400, "bad_request", &e.to_string()),
        };
        let status = v.get("status").and_then(Value::as_u64).unwrap_or(500);
        if !(100..=599).contains(&status) {
            return error(400, "bad_request", "status must be an HTTP status");
        }
        self.faults = Faults {
            fail_next: v.get("fail_next").and_then(Value::as_u64).unwrap_or(0),
            status: status as u16,
            retry_after: v.get("retry_after").and_then(Value::as_u64),
            after_apply: v.get("after_apply").and_then(Value::as_bool).unwrap_or(false),
        };
        json_reply(200, &json!({"fail_next": self.faults.fail_next, "status": self.faults.status}))
    }

}

impl App {
    fn registration_of(url: &str, prefix: &str) -> Option<String> {
        let path = url.split('?').next().unwrap_or("");
        match path.strip_prefix(prefix) {
            Some(rest) if !rest.is_empty() => percent_decode(rest, false),
            _ => query_param(url, "registration"),
        }
        .filter(|r| !r.is_empty())
    }

    fn handle(&self, mut req: Request) {
        let url = req.url().to_owned();
        let path = url.split('?').next().unwrap_or("").to_owned();
        let method = req.method().clone();
        if !path.starts_with("/api/") && path != "/api" {
            if method == Method::Get || method == Method::Head {
                return self.serve_static(req);
            }
            let _ = req.respond(error(405, "method_not_allowed", "static files are GET only"));
            return;
        }
        let mut body = String::new();
        if method == Method::Post {
            if req.body_length().is_some_and(|n| n > MAX_BODY) {
                let _ = req.respond(error(413, "too_large", "request body over 1 MiB"));
                return;
            }
            let mut buf = Vec::new();
            let read = req.as_reader().take(MAX_BODY as u64 + 1).read_to_end(&mut buf);
            if read.is_err() || buf.len() > MAX_BODY {
                let _ = req.respond(error(413, "too_large", "request body over 1 MiB or unreadable"));
                return;
            }
            match String::from_utf8(buf) {
                Ok(s) => body = s,
                Err(_) => {
                    let _ = req.respond(error(400, "bad_request", "body is not UTF-8"));
                    return;
                }
            }
        }
        let mut api = self.api.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let reply = match (method, path.as_str()) {
            (Method::Post, "/api/batches") => api.post_batches(&body),
            (Method::Get, p) if p == "/api/state" || p.starts_with("/api/state/") => {
                match Self::registration_of(&url, "/api/state/") {
                    Some(reg) => match api.store.state(&reg) {
                        Ok(v) => json_reply(200, &v),
                        Err(e) => error(500, "storage_error", &e.to_string()),
                    },
                    None => error(400, "bad_request", "registration is required"),
                }
            }
            (Method::Get, p) if p == "/api/batches" || p.starts_with("/api/batches/") => {
                match Self::registration_of(&url, "/api/batches/") {
                    Some(reg) => match api.store.log(&reg) {
                        Ok(v) => json_reply(200, &v),
                        Err(e) => error(500, "storage_error", &e.to_string()),
                    },
                    None => error(400, "bad_request", "registration is required"),
                }
            }
            (Method::Post, "/api/_faults") if api.test_faults => api.set_faults(&body),
            (_, "/api/batches" | "/api/state") => error(405, "method_not_allowed", "see docs/PROTOCOL.md"),
            _ => error(404, "not_found", "no such endpoint"),
        };
        drop(api);
        let _ = req.respond(reply);
    }
}

fn main() {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            if e.is_empty() {
                print!("{USAGE}");
                return;
            }
            eprintln!("{e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let store = match store::Store::open(&opts.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scorm-backend: {e}");
            std::process::exit(1);
        }
    };
    let server = match Server::http(&opts.addr) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scorm-backend: cannot listen on {}: {e}", opts.addr);
            std::process::exit(1);
        }
    };
    let addr = server.server_addr().to_ip().map_or_else(|| opts.addr.clone(), |a| a.to_string());
    println!("scorm-backend listening on http://{addr}");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let app = Arc::new(App {
        www: opts.www,
        pkg: opts.pkg,
        api: Mutex::new(Api { store, test_faults: opts.test_faults, faults: Faults::default() }),
    });
    let server = Arc::new(server);
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (server, app) = (Arc::clone(&server), Arc::clone(&app));
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    app.handle(req);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}
