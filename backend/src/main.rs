//! `scorm-backend`: the reference backend of scorm-shim.
//!
//! Serves the static files of `www/` and `pkg/`, and the commit-queue API of
//! docs/PROTOCOL.md on SQLite (embedded, the default) or PostgreSQL (several
//! processes on one database). Run `scorm-backend --help` for the options.

mod auth;
mod http;
mod metrics;
mod statics;
mod store;

use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "scorm-backend: reference backend for scorm-shim

Usage:
  scorm-backend [serve] [options]       serve www/, pkg/ and the API (docs/PROTOCOL.md)
  scorm-backend backup  --db DB [--out FILE]           every registration as JSON lines
  scorm-backend restore --db DB [--in FILE]            a backup into a database (refuses existing registrations)
  scorm-backend export  --db DB --learner ID [--out FILE]  one learner's records as JSON
  scorm-backend prune   --db DB --log-retention-days N [--key-retention-days M]
  scorm-backend token   --learner ID --registration ID --course ID [--ttl SECONDS]
                        print a token signed with the auth secret (for an LMS's tests)

Options (environment variable in brackets):
  --addr HOST:PORT            listen address, default 127.0.0.1:8080 [SCORM_BACKEND_ADDR]
  --db DB                     SQLite file (default scorm-backend.sqlite; :memory: allowed) or a
                              postgres://user:password@host:port/database URL [SCORM_BACKEND_DB]
  --www DIR                   static root for /, default www [SCORM_BACKEND_WWW]
  --pkg DIR                   static root for /pkg/, default pkg [SCORM_BACKEND_PKG]
  --auth-secret SECRET        HS256 secret of the launch tokens, at least 32 bytes [SCORM_AUTH_SECRET]
  --auth-secret-file FILE     the same, read from a file (preferred: not visible in ps)
  --insecure-no-auth          serve the API without authentication (local experiments only)
  --dev-tokens                enable POST /api/dev/token (anyone may mint tokens: never in production)
  --allow-origin ORIGIN       another origin whose pages may call the API (CORS); repeatable
  --max-body BYTES            largest request body, default 1048576
  --max-batches N             batches written per request, default 100
  --header-timeout SECONDS    time for a request head, default 10
  --body-timeout SECONDS      time for a request body, default 10
  --request-timeout SECONDS   time for an answer, default 30
  --max-inflight N            API requests worked on at once, default 256
  --max-connections N         open connections, default 4096
  --max-connections-per-ip N  open connections per client address, default 256 (0: no limit)
  --rate-limit-ip N           API requests per second per client address, default 200 (0: off)
  --rate-limit-registration N API requests per second per registration, default 20 (0: off)
  --pool-size N               PostgreSQL connections, default 16
  --log-retention-days N      drop the changes of logged batches older than N days (0: keep), default 0
  --key-retention-days N      drop whole log records older than N days but each registration's
                              newest (0: keep; see docs/PROTOCOL.md before using it), default 0
  --log-format json|text      structured log lines on standard error, default json
  --log-level LEVEL           error, warn, info, debug; default info [RUST_LOG for filters]
  --shutdown-grace SECONDS    time in-flight requests get at SIGTERM, default 10
  --test-faults               enable POST /api/_faults (fault injection, for tests only)
  --help                      this text
";

#[derive(Debug)]
struct Options {
    command: String,
    addr: String,
    db: String,
    www: PathBuf,
    pkg: PathBuf,
    auth_secret: Option<String>,
    auth_secret_file: Option<PathBuf>,
    insecure_no_auth: bool,
    dev_tokens: bool,
    allow_origins: Vec<String>,
    limits: http::Limits,
    pool_size: usize,
    log_retention_days: u64,
    key_retention_days: u64,
    log_format: String,
    log_level: String,
    test_faults: bool,
    out: Option<PathBuf>,
    input: Option<PathBuf>,
    learner: Option<String>,
    registration: Option<String>,
    course: Option<String>,
    ttl: u64,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let mut o = Options {
        command: "serve".into(),
        addr: env("SCORM_BACKEND_ADDR", "127.0.0.1:8080"),
        db: env("SCORM_BACKEND_DB", "scorm-backend.sqlite"),
        www: env("SCORM_BACKEND_WWW", "www").into(),
        pkg: env("SCORM_BACKEND_PKG", "pkg").into(),
        auth_secret: std::env::var("SCORM_AUTH_SECRET").ok().filter(|s| !s.is_empty()),
        auth_secret_file: None,
        insecure_no_auth: false,
        dev_tokens: false,
        allow_origins: Vec::new(),
        limits: http::Limits::default(),
        pool_size: 16,
        log_retention_days: 0,
        key_retention_days: 0,
        log_format: "json".into(),
        log_level: "info".into(),
        test_faults: false,
        out: None,
        input: None,
        learner: None,
        registration: None,
        course: None,
        ttl: 3600,
    };
    let mut args = args.peekable();
    if let Some(c) = args.peek().filter(|a| !a.starts_with('-')) {
        o.command = c.clone();
        args.next();
        if !["serve", "backup", "restore", "export", "prune", "token"].contains(&o.command.as_str()) {
            return Err(format!("unknown command {:?}", o.command));
        }
    }
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{flag} needs a value"));
        fn num<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{flag} needs a number, not {v:?}"))
        }
        let secs = |flag: &str, v: String| num::<u64>(flag, v).map(Duration::from_secs);
        let l = &mut o.limits;
        match flag.as_str() {
            "--addr" => o.addr = value()?,
            "--db" => o.db = value()?,
            "--www" => o.www = value()?.into(),
            "--pkg" => o.pkg = value()?.into(),
            "--auth-secret" => o.auth_secret = Some(value()?),
            "--auth-secret-file" => o.auth_secret_file = Some(value()?.into()),
            "--insecure-no-auth" => o.insecure_no_auth = true,
            "--dev-tokens" => o.dev_tokens = true,
            "--allow-origin" => {
                let v = value()?;
                if !(v.starts_with("http://") || v.starts_with("https://")) || v.trim_end_matches('/') != v || v.matches('/').count() != 2 {
                    return Err(format!("--allow-origin needs an origin such as https://lms.example.com, not {v:?}"));
                }
                o.allow_origins.push(v);
            }
            "--max-body" => l.max_body = num(&flag, value()?)?,
            "--max-batches" => l.max_batches = num::<usize>(&flag, value()?)?.max(1),
            "--header-timeout" => l.header_timeout = secs(&flag, value()?)?,
            "--body-timeout" => l.body_timeout = secs(&flag, value()?)?,
            "--request-timeout" => l.request_timeout = secs(&flag, value()?)?,
            "--max-inflight" => l.max_inflight = num(&flag, value()?)?,
            "--max-connections" => l.max_connections = num(&flag, value()?)?,
            "--max-connections-per-ip" => l.max_connections_per_ip = num(&flag, value()?)?,
            "--rate-limit-ip" => l.rate_ip = num(&flag, value()?)?,
            "--rate-limit-registration" => l.rate_registration = num(&flag, value()?)?,
            "--shutdown-grace" => l.shutdown_grace = secs(&flag, value()?)?,
            "--pool-size" => o.pool_size = num(&flag, value()?)?,
            "--log-retention-days" => o.log_retention_days = num(&flag, value()?)?,
            "--key-retention-days" => o.key_retention_days = num(&flag, value()?)?,
            "--log-format" => {
                o.log_format = value()?;
                if o.log_format != "json" && o.log_format != "text" {
                    return Err("--log-format is json or text".into());
                }
            }
            "--log-level" => o.log_level = value()?,
            "--test-faults" => o.test_faults = true,
            "--out" => o.out = Some(value()?.into()),
            "--in" => o.input = Some(value()?.into()),
            "--learner" => o.learner = Some(value()?),
            "--registration" => o.registration = Some(value()?),
            "--course" => o.course = Some(value()?),
            "--ttl" => o.ttl = num(&flag, value()?)?,
            "--help" | "-h" => return Err(String::new()),
            _ => return Err(format!("unknown argument {a:?}")),
        }
    }
    Ok(o)
}

/// The signing keys, or `None` with `--insecure-no-auth`. Without a secret
/// and without that flag the backend does not start.
fn keys(o: &Options) -> Result<Option<auth::Keys>, String> {
    let secret = match (&o.auth_secret_file, &o.auth_secret) {
        (Some(f), _) => Some(
            std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?.trim_end_matches(['\n', '\r']).to_owned(),
        ),
        (None, s) => s.clone(),
    };
    match secret {
        Some(s) if o.insecure_no_auth => Err(format!("--insecure-no-auth and an auth secret ({} bytes) exclude each other", s.len())),
        Some(s) => auth::Keys::new(s.as_bytes()).map(Some),
        None if o.insecure_no_auth => Ok(None),
        None => Err("no auth secret: give --auth-secret-file FILE or SCORM_AUTH_SECRET (at least 32 bytes), \
                     or --insecure-no-auth to serve the API without authentication (never in production)"
            .into()),
    }
}

fn init_logs(o: &Options) {
    let filter = std::env::var("RUST_LOG").ok().unwrap_or_else(|| format!("scorm_backend={0},warn", o.log_level));
    let filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    if o.log_format == "json" {
        b.json().flatten_event(true).init();
    } else {
        b.with_ansi(false).init();
    }
}

fn retention(log_days: u64, key_days: u64) -> store::Retention {
    let day = 86_400_000u64;
    let now = store::now_ms();
    store::Retention {
        content_before_ms: (log_days > 0).then(|| now.saturating_sub(log_days.saturating_mul(day))),
        records_before_ms: (key_days > 0).then(|| now.saturating_sub(key_days.saturating_mul(day))),
    }
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
}

async fn serve(o: Options) -> Result<(), String> {
    let keys = keys(&o)?;
    if o.dev_tokens && keys.is_none() {
        return Err("--dev-tokens needs an auth secret".into());
    }
    let store = store::open(&o.db, o.pool_size).await?;
    let listener = tokio::net::TcpListener::bind(&o.addr).await.map_err(|e| format!("cannot listen on {}: {e}", o.addr))?;
    let addr = listener.local_addr().map_or_else(|_| o.addr.clone(), |a| a.to_string());
    // tests/e2e/harness.mjs and the Rust tests read this first line.
    println!("scorm-backend listening on http://{addr}");
    let _ = std::io::stdout().flush();
    if keys.is_none() {
        tracing::warn!("serving the API WITHOUT authentication (--insecure-no-auth): anyone can read and write every registration");
    }
    if o.dev_tokens {
        tracing::warn!("POST /api/dev/token is on (--dev-tokens): anyone can mint tokens; never use this in production");
    }
    tracing::info!(addr = %addr, store = store.kind(), auth = keys.is_some(), "started");
    let app = Arc::new(http::App::new(store, o.www.clone(), o.pkg.clone(), keys, o.dev_tokens, o.test_faults, o.allow_origins.clone(), o.limits.clone()));
    // Maintenance: retention and rate-limit bookkeeping, at start and then
    // every 10 minutes.
    let maint = {
        let (app, days) = (app.clone(), (o.log_retention_days, o.key_retention_days));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                app.tidy();
                let r = retention(days.0, days.1);
                if r.content_before_ms.is_some() || r.records_before_ms.is_some() {
                    match app.store.prune(r).await {
                        Ok((c, k)) if c + k > 0 => tracing::info!(contents = c, records = k, "retention pruned the batch log"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "retention failed"),
                    }
                }
            }
        })
    };
    let result = http::serve(listener, app, shutdown_signal()).await.map_err(|e| e.to_string());
    maint.abort();
    tracing::info!("stopped");
    result
}

fn output(o: &Options) -> Result<Box<dyn Write>, String> {
    Ok(match &o.out {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p).map_err(|e| format!("cannot write {}: {e}", p.display()))?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}

/// The backup format's first line.
const BACKUP_FORMAT: &str = "scorm-backend-backup";

async fn backup(o: &Options) -> Result<(), String> {
    let s = store::open(&o.db, 2).await?;
    let mut out = output(o)?;
    let w = |out: &mut Box<dyn Write>, v: &Value| writeln!(out, "{v}").map_err(|e| e.to_string());
    w(&mut out, &json!({"format": BACKUP_FORMAT, "version": 1, "created_ms": store::now_ms(), "store": s.kind()}))?;
    let mut after: Option<String> = None;
    let mut n = 0u64;
    loop {
        let page = s.registrations(after.as_deref(), None, 500).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last().cloned() else { break };
        for reg in &page {
            // A registration removed meanwhile is simply not in the backup.
            if let Some(d) = s.dump(reg).await.map_err(|e| e.to_string())? {
                w(&mut out, &d.to_json())?;
                n += 1;
            }
        }
        after = Some(last);
    }
    w(&mut out, &json!({"end": true, "registrations": n}))?;
    out.flush().map_err(|e| e.to_string())?;
    eprintln!("scorm-backend: backed up {n} registrations");
    Ok(())
}

async fn restore(o: &Options) -> Result<(), String> {
    let s = store::open(&o.db, 2).await?;
    let input: Box<dyn BufRead> = match &o.input {
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?)),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    };
    let mut lines = input.lines();
    let head: Value = lines
        .next()
        .ok_or("empty backup")?
        .map_err(|e| e.to_string())
        .and_then(|l| serde_json::from_str(&l).map_err(|_| "the first line is not a backup header".to_owned()))?;
    if head["format"] != BACKUP_FORMAT || head["version"] != 1 {
        return Err("not a scorm-backend backup (version 1)".into());
    }
    let mut n = 0u64;
    for (i, line) in lines.enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_str(&line).map_err(|_| format!("line {}: not JSON", i + 2))?;
        if v.get("end") == Some(&Value::Bool(true)) {
            if v["registrations"] != n {
                return Err(format!("the backup says {} registrations, {n} were read", v["registrations"]));
            }
            eprintln!("scorm-backend: restored {n} registrations");
            return Ok(());
        }
        let d = store::RegistrationDump::from_json(&v).map_err(|e| format!("line {}: {e}", i + 2))?;
        s.restore(&d).await.map_err(|e| format!("line {}: {e}", i + 2))?;
        n += 1;
    }
    Err(format!("the backup is truncated (no end line); {n} registrations were restored"))
}

async fn export(o: &Options) -> Result<(), String> {
    let learner = o.learner.as_deref().ok_or("export needs --learner ID")?;
    let s = store::open(&o.db, 2).await?;
    let mut regs = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s.registrations(after.as_deref(), Some(learner), 500).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last().cloned() else { break };
        for reg in &page {
            if let Some(d) = s.dump(reg).await.map_err(|e| e.to_string())? {
                regs.push(d.to_json());
            }
        }
        after = Some(last);
    }
    let mut out = output(o)?;
    let doc = json!({"learner": learner, "exported_ms": store::now_ms(), "registrations": regs});
    writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default()).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}

async fn prune(o: &Options) -> Result<(), String> {
    let r = retention(o.log_retention_days, o.key_retention_days);
    if r.content_before_ms.is_none() && r.records_before_ms.is_none() {
        return Err("prune needs --log-retention-days N or --key-retention-days N".into());
    }
    let s = store::open(&o.db, 2).await?;
    let (c, k) = s.prune(r).await.map_err(|e| e.to_string())?;
    eprintln!("scorm-backend: removed the changes of {c} logged batches and {k} whole records");
    Ok(())
}

fn token(o: &Options) -> Result<(), String> {
    let keys = keys(o)?.ok_or("token needs the auth secret")?;
    let (Some(l), Some(r), Some(c)) = (&o.learner, &o.registration, &o.course) else {
        return Err("token needs --learner, --registration and --course".into());
    };
    let now = auth::now_s();
    let claims = auth::Claims { learner: l.clone(), registration: r.clone(), course: c.clone(), iat: now, exp: now + o.ttl.max(1) };
    println!("{}", keys.mint(&claims));
    Ok(())
}

fn main() {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            if e.is_empty() {
                print!("{USAGE}");
                return;
            }
            eprintln!("scorm-backend: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    init_logs(&opts);
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("scorm-backend: {e}");
            std::process::exit(1);
        }
    };
    let command = opts.command.clone();
    let result = rt.block_on(async {
        match command.as_str() {
            "backup" => backup(&opts).await,
            "restore" => restore(&opts).await,
            "export" => export(&opts).await,
            "prune" => prune(&opts).await,
            "token" => token(&opts),
            _ => serve(opts).await,
        }
    });
    if let Err(e) = result {
        eprintln!("scorm-backend: {e}");
        std::process::exit(1);
    }
}
