//! The HTTP side: routes, authentication and authorization, origin checks,
//! limits, metrics, logs, static files, and the accept loop (connection
//! caps, header-read timeout, graceful shutdown).

// The helpers answer `Err(Response)`: the answer to send at once.
#![allow(clippy::result_large_err)]

use crate::auth::{self, AuthError, Claims, Keys};
use crate::metrics::Metrics;
use crate::statics;
use crate::store::{self, Envelope, Mismatch, Store, StoreError};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Limits that keep one client from starving the others (issue 12.7).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, bytes (413 above).
    pub max_body: usize,
    /// Most batches looked at per request (the rest are left unprocessed).
    pub max_batches: usize,
    /// Time for a request's head to arrive (the connection is closed).
    pub header_timeout: Duration,
    /// Time for a request's body to arrive (408).
    pub body_timeout: Duration,
    /// Time for the whole answer (503 with Retry-After).
    pub request_timeout: Duration,
    /// API requests worked on at once; more wait up to 2 s, then 503.
    pub max_inflight: usize,
    /// Open connections; more are closed at once.
    pub max_connections: usize,
    /// Open connections per client address (0: no limit).
    pub max_connections_per_ip: usize,
    /// API requests per second per client address (0: no limit).
    pub rate_ip: u32,
    /// API requests per second per registration (0: no limit).
    pub rate_registration: u32,
    /// Time in-flight requests get at shutdown.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 1 << 20,
            max_batches: 100,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_inflight: 256,
            max_connections: 4096,
            max_connections_per_ip: 256,
            rate_ip: 200,
            rate_registration: 20,
            shutdown_grace: Duration::from_secs(10),
        }
    }
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

/// What the handlers share.
pub struct App {
    pub store: Box<dyn Store>,
    pub www: PathBuf,
    pub pkg: PathBuf,
    /// `None`: `--insecure-no-auth`.
    pub keys: Option<Keys>,
    pub dev_tokens: bool,
    pub test_faults: bool,
    /// Origins besides the backend's own that may call the API (CORS).
    pub allowed_origins: Vec<String>,
    pub limits: Limits,
    pub metrics: Metrics,
    faults: Mutex<Faults>,
    inflight: Semaphore,
    rate_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    rate_registration: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
    request_ids: AtomicU64,
}

fn quota(per_s: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(per_s)?;
    let burst = NonZeroU32::new(per_s.saturating_mul(5).max(10)).unwrap_or(rate);
    Some(Quota::per_second(rate).allow_burst(burst))
}

impl App {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Box<dyn Store>,
        www: PathBuf,
        pkg: PathBuf,
        keys: Option<Keys>,
        dev_tokens: bool,
        test_faults: bool,
        allowed_origins: Vec<String>,
        limits: Limits,
    ) -> App {
        App {
            store,
            www,
            pkg,
            keys,
            dev_tokens,
            test_faults,
            allowed_origins,
            inflight: Semaphore::new(limits.max_inflight.max(1)),
            rate_ip: quota(limits.rate_ip).map(DefaultKeyedRateLimiter::keyed),
            rate_registration: quota(limits.rate_registration).map(DefaultKeyedRateLimiter::keyed),
            limits,
            metrics: Metrics::new(),
            faults: Mutex::new(Faults::default()),
            clock: DefaultClock::default(),
            request_ids: AtomicU64::new(1),
        }
    }

    /// Forget rate-limit state of quiet clients (bounded memory).
    pub fn tidy(&self) {
        if let Some(l) = &self.rate_ip {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.rate_registration {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// Longest delay before a 429 for the per-address limit.
const TARPIT: Duration = Duration::from_millis(500);

/// The client's address, put on each request by the accept loop.
#[derive(Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// The request id, for logs and 5xx answers.
#[derive(Clone, Copy)]
struct RequestId(u64);

// ---------------------------------------------------------------- answers

fn json_reply(status: u16, v: &Value) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), v.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    r
}

fn error(status: u16, code: &str, reason: &str) -> Response {
    json_reply(status, &json!({"error": code, "reason": reason}))
}

fn with_retry_after(mut r: Response, secs: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// A store failure: the detail goes to the log, the client gets a code and
/// the request id.
fn store_error(e: &StoreError, id: RequestId) -> Response {
    tracing::error!(request_id = id.0, error = %e, "store failure");
    match e {
        StoreError::Unavailable(_) => with_retry_after(
            json_reply(503, &json!({"error": "storage_unavailable", "reason": "try again later", "request_id": id.0})),
            2,
        ),
        StoreError::Failed(_) => json_reply(500, &json!({"error": "storage_error", "reason": "the request could not be stored", "request_id": id.0})),
    }
}

fn unauthorized(app: &App, e: AuthError) -> Response {
    app.metrics.auth_failure(e.code());
    let reason = match e {
        AuthError::Missing => "an Authorization: Bearer token is required",
        AuthError::Malformed => "the token is not an HS256 JWT with the claims sub, reg, crs, iat, exp",
        AuthError::BadSignature => "the token's signature does not match",
        AuthError::Expired => "the token has expired",
        AuthError::NotYetValid => "the token is not valid yet",
    };
    let mut r = error(401, e.code(), reason);
    let challenge = if e == AuthError::Missing { "Bearer".to_owned() } else { format!("Bearer error=\"invalid_token\", error_description=\"{reason}\"") };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

fn forbidden(app: &App, reason: &str) -> Response {
    app.metrics.auth_failure("forbidden");
    error(403, "forbidden", reason)
}

// ------------------------------------------------------------ middleware

/// The label of a path in metrics and logs (a fixed set).
fn route_of(path: &str) -> &'static str {
    match path {
        "/api/batches" => "/api/batches",
        "/api/state" => "/api/state",
        "/api/dev/token" => "/api/dev/token",
        "/api/_faults" => "/api/_faults",
        "/healthz" => "/healthz",
        "/metrics" => "/metrics",
        p if p.starts_with("/api/batches/") => "/api/batches",
        p if p.starts_with("/api/state/") => "/api/state",
        p if p == "/api" || p.starts_with("/api/") => "/api/other",
        _ => "static",
    }
}

/// The authority part of an origin (`http://host:port` → `host:port`).
fn origin_authority(origin: &str) -> Option<&str> {
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

/// docs/PROTOCOL.md, "Origin and CSRF": a browser request to the API must
/// come from the backend's own origin or an allowed one.
fn origin_allowed(app: &App, headers: &HeaderMap) -> Result<Option<String>, &'static str> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| "bad Origin header")?;
        if origin_authority(origin).is_some_and(|a| a.eq_ignore_ascii_case(host)) {
            return Ok(None);
        }
        if app.allowed_origins.iter().any(|o| o == origin) {
            return Ok(Some(origin.to_owned()));
        }
        return Err("requests from this origin are not allowed");
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        None | Some("same-origin") | Some("none") => Ok(None),
        Some(_) => Err("cross-site requests are not allowed"),
    }
}

fn cors_headers(r: &mut Response, origin: &str) {
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Retry-After"));
}

/// Around every request: request id, origin check and CORS, per-address
/// rate limit and in-flight cap for the API, the request deadline,
/// security headers, metrics and one structured log line.
async fn common(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId(app.request_ids.fetch_add(1, Ordering::Relaxed));
    req.extensions_mut().insert(id);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let route = route_of(&path);
    let peer = req.extensions().get::<Peer>().map(|p| p.0);
    let api = route.starts_with("/api");
    let mut cors = None;
    let mut resp = 'answer: {
        if api {
            match origin_allowed(&app, req.headers()) {
                Ok(o) => cors = o,
                Err(reason) => {
                    app.metrics.auth_failure("origin");
                    break 'answer error(403, "origin_not_allowed", reason);
                }
            }
            if method == Method::OPTIONS {
                // A CORS preflight from an allowed origin.
                let mut r = StatusCode::NO_CONTENT.into_response();
                let h = r.headers_mut();
                h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
                h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
                h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
                break 'answer r;
            }
            if let (Some(l), Some(p)) = (&app.rate_ip, peer) {
                if let Err(wait) = l.check_key(&p.ip()) {
                    app.metrics.rate_limited.inc();
                    let wait = wait.wait_time_from(app.clock.now());
                    // Tarpit: a client that does not honour Retry-After
                    // gets its answer late, so a flood on one connection
                    // costs us at most a few answers a second (before any
                    // in-flight slot is taken).
                    tokio::time::sleep(wait.min(TARPIT)).await;
                    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
                    break 'answer with_retry_after(error(429, "rate_limited", "too many requests from this address"), secs);
                }
            }
            let permit = match tokio::time::timeout(Duration::from_secs(2), app.inflight.acquire()).await {
                Ok(Ok(p)) => p,
                _ => break 'answer with_retry_after(error(503, "busy", "too many requests in progress"), 1),
            };
            let r = match tokio::time::timeout(app.limits.request_timeout, next.run(req)).await {
                Ok(r) => r,
                Err(_) => {
                    tracing::warn!(request_id = id.0, route, "request timed out");
                    with_retry_after(error(503, "timeout", "the request took too long"), 1)
                }
            };
            drop(permit);
            r
        } else {
            next.run(req).await
        }
    };
    if api {
        let h = resp.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
        if let Some(o) = &cors {
            cors_headers(&mut resp, o);
        }
    }
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let status = resp.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    app.metrics.observe(route, status, secs);
    let ms = (secs * 1e6).round() / 1e3;
    let peer = peer.map(|p| p.to_string()).unwrap_or_default();
    if status >= 500 {
        tracing::warn!(request_id = id.0, %method, route, status, ms, %peer, "request");
    } else {
        tracing::info!(request_id = id.0, %method, route, status, ms, %peer, "request");
    }
    resp
}

// --------------------------------------------------------------- helpers

/// The request body, at most `max_body` bytes, within `body_timeout`.
async fn read_body(app: &App, req: Request) -> Result<Bytes, Response> {
    let max = app.limits.max_body;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(error(413, "too_large", &format!("request body over {max} bytes")));
    }
    match tokio::time::timeout(app.limits.body_timeout, axum::body::to_bytes(req.into_body(), max)).await {
        Err(_) => {
            app.metrics.body_timeouts.inc();
            Err(error(408, "body_timeout", "the request body did not arrive in time"))
        }
        Ok(Err(_)) => Err(error(413, "too_large", &format!("request body over {max} bytes or unreadable"))),
        Ok(Ok(b)) => Ok(b),
    }
}

/// The authority of the request, or the 401 answer. `Ok(None)` without
/// authentication (`--insecure-no-auth`).
fn authenticate(app: &App, headers: &HeaderMap) -> Result<Option<Claims>, Response> {
    let Some(keys) = &app.keys else { return Ok(None) };
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token = auth::bearer(value).map_err(|e| unauthorized(app, e))?;
    keys.verify(token, auth::now_s()).map(Some).map_err(|e| unauthorized(app, e))
}

fn rate_limit_registration(app: &App, reg: &str) -> Result<(), Response> {
    if let Some(l) = &app.rate_registration {
        if let Err(wait) = l.check_key(&reg.to_owned()) {
            app.metrics.rate_limited.inc();
            let secs = wait.wait_time_from(app.clock.now()).as_secs_f64().ceil().max(1.0) as u64;
            return Err(with_retry_after(error(429, "rate_limited", "too many requests for this registration"), secs));
        }
    }
    Ok(())
}

/// Decode `%XX` escapes (and `+` as space in query strings). `None` for bad
/// escapes or bytes that are not UTF-8.
pub fn percent_decode(s: &str, plus: bool) -> Option<String> {
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

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (percent_decode(k, true).as_deref() == Some(name)).then(|| percent_decode(v, true)).flatten()
    })
}

/// The registration of `GET /api/state?registration=ID` or `/api/state/ID`.
fn registration_of(req: &Request, prefix: &str) -> Option<String> {
    let path = req.uri().path();
    match path.strip_prefix(prefix) {
        Some(rest) if !rest.is_empty() => percent_decode(rest, false),
        _ => query_param(req.uri().query(), "registration"),
    }
    .filter(|r| !r.is_empty() && r.len() <= store::MAX_ID)
}

/// Whether the token covers reading registration `reg` (docs/PROTOCOL.md:
/// same registration, and the stored learner and course are the token's).
async fn authorize_read(app: &App, claims: &Option<Claims>, reg: &str, id: RequestId) -> Result<(), Response> {
    let Some(c) = claims else { return Ok(()) };
    if c.registration != reg {
        return Err(forbidden(app, "the token is for another registration"));
    }
    match app.store.state(reg).await {
        Ok(Some((row, _))) if row.learner != c.learner || row.course != c.course => {
            Err(forbidden(app, "the registration belongs to another learner or course"))
        }
        Ok(_) => Ok(()),
        Err(e) => Err(store_error(&e, id)),
    }
}

fn request_id(req: &Request) -> RequestId {
    req.extensions().get::<RequestId>().copied().unwrap_or(RequestId(0))
}

// -------------------------------------------------------------- handlers

async fn post_batches(State(app): State<Arc<App>>, req: Request) -> Response {
    let id = request_id(&req);
    let claims = match authenticate(&app, req.headers()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = match read_body(&app, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Ok(text) = std::str::from_utf8(&body) else { return error(400, "bad_request", "body is not UTF-8") };
    let env = match store::parse_envelope(text) {
        Ok(e) => e,
        Err(e) => return error(400, "bad_request", &e),
    };
    if let Some(c) = &claims {
        if c.learner != env.learner || c.registration != env.registration || c.course != env.course {
            return forbidden(&app, "the token does not cover this learner, registration and course");
        }
    }
    if let Err(r) = rate_limit_registration(&app, &env.registration) {
        return r;
    }
    apply(&app, &env, claims.is_some(), id).await
}

async fn apply(app: &App, env: &Envelope, authenticated: bool, id: RequestId) -> Response {
    let inject = {
        let mut f = app.faults.lock().unwrap_or_else(|p| p.into_inner());
        if f.fail_next > 0 {
            f.fail_next -= 1;
            Some((f.status, f.retry_after, f.after_apply))
        } else {
            None
        }
    };
    let fault_reply = |(status, retry_after, _): (u16, Option<u64>, bool)| {
        let r = error(status, "injected_fault", "fault injected by --test-faults");
        match retry_after {
            Some(s) => with_retry_after(r, s),
            None => r,
        }
    };
    if let Some(f) = inject.filter(|f| !f.2) {
        return fault_reply(f);
    }
    let out = match app.store.apply(env, app.limits.max_batches).await {
        Ok(o) => o,
        Err(e) => return store_error(&e, id),
    };
    let m = &app.metrics;
    m.batches_applied.inc_by(out.applied);
    m.batches_replayed.inc_by(out.duplicates);
    m.batches_conflicting.inc_by(out.conflicts);
    m.batches_refused.inc_by(out.refused);
    m.batches_unprocessed.inc_by(out.unprocessed as u64);
    if let Some(f) = inject {
        return fault_reply(f);
    }
    let first = env.batches.first().map(|b| (b.seq, b.key.as_str())).unwrap_or((0, ""));
    match out.mismatch {
        Some(Mismatch::Owner) if authenticated => {
            return forbidden(app, "the registration belongs to another learner or course");
        }
        Some(_) => {
            return json_reply(
                422,
                &json!({"error": "registration_mismatch", "seq": first.0, "key": first.1,
                    "reason": "the registration belongs to another learner, course or version", "acks": []}),
            )
        }
        None => {}
    }
    if let Some((status, mut answer)) = out.stop {
        answer["acks"] = Value::Array(out.acks);
        return json_reply(status, &answer);
    }
    let last = out.acks.last().and_then(|a| a.get("seq")).cloned().unwrap_or(Value::Null);
    let mut answer = json!({"acks": out.acks, "last_seq": last});
    if out.unprocessed > 0 {
        answer["unprocessed"] = json!(out.unprocessed);
    }
    json_reply(200, &answer)
}

async fn get_state(State(app): State<Arc<App>>, req: Request) -> Response {
    let id = request_id(&req);
    let claims = match authenticate(&app, req.headers()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(reg) = registration_of(&req, "/api/state/") else { return error(400, "bad_request", "registration is required") };
    if let Some(c) = &claims {
        if c.registration != reg {
            return forbidden(&app, "the token is for another registration");
        }
    }
    if let Err(r) = rate_limit_registration(&app, &reg) {
        return r;
    }
    match app.store.state(&reg).await {
        Ok(Some((row, _))) if claims.as_ref().is_some_and(|c| row.learner != c.learner || row.course != c.course) => {
            forbidden(&app, "the registration belongs to another learner or course")
        }
        Ok(Some((row, scos))) => json_reply(200, &store::state_json(&reg, Some((&row, &scos)))),
        Ok(None) => json_reply(200, &store::state_json(&reg, None)),
        Err(e) => store_error(&e, id),
    }
}

async fn get_log(State(app): State<Arc<App>>, req: Request) -> Response {
    let id = request_id(&req);
    let claims = match authenticate(&app, req.headers()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(reg) = registration_of(&req, "/api/batches/") else { return error(400, "bad_request", "registration is required") };
    if let Err(r) = authorize_read(&app, &claims, &reg, id).await {
        return r;
    }
    if let Err(r) = rate_limit_registration(&app, &reg) {
        return r;
    }
    match app.store.dump(&reg).await {
        Ok(d) => {
            let batches: Vec<Value> = d.map(|d| d.batches.iter().map(store::LogEntry::to_json).collect()).unwrap_or_default();
            json_reply(200, &json!({"registration": reg, "batches": batches}))
        }
        Err(e) => store_error(&e, id),
    }
}

async fn dev_token(State(app): State<Arc<App>>, req: Request) -> Response {
    let Some(keys) = &app.keys else { return error(404, "not_found", "no such endpoint") };
    let body = match read_body(&app, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let field = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty() && s.len() <= store::MAX_ID && !s.contains('\0'));
    let (Some(learner), Some(registration), Some(course)) = (field("learner"), field("registration"), field("course")) else {
        return error(400, "bad_request", "learner, registration and course are required (non-empty strings)");
    };
    let ttl = v.get("ttl").and_then(Value::as_u64).unwrap_or(3600).clamp(1, 86_400);
    let now = auth::now_s();
    let claims = Claims { learner: learner.into(), registration: registration.into(), course: course.into(), iat: now, exp: now + ttl };
    json_reply(200, &json!({"token": keys.mint(&claims), "expiresAt": (now + ttl) * 1000}))
}

async fn set_faults(State(app): State<Arc<App>>, req: Request) -> Response {
    let body = match read_body(&app, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Ok(v) = serde_json::from_slice::<Value>(&body) else { return error(400, "bad_request", "body is not JSON") };
    let status = v.get("status").and_then(Value::as_u64).unwrap_or(500);
    if !(100..=599).contains(&status) {
        return error(400, "bad_request", "status must be an HTTP status");
    }
    let mut f = app.faults.lock().unwrap_or_else(|p| p.into_inner());
    *f = Faults {
        fail_next: v.get("fail_next").and_then(Value::as_u64).unwrap_or(0),
        status: status as u16,
        retry_after: v.get("retry_after").and_then(Value::as_u64),
        after_apply: v.get("after_apply").and_then(Value::as_bool).unwrap_or(false),
    };
    json_reply(200, &json!({"fail_next": f.fail_next, "status": f.status}))
}

async fn health(State(app): State<Arc<App>>) -> Response {
    match app.store.ping().await {
        Ok(()) => json_reply(200, &json!({"status": "ok", "store": app.store.kind()})),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            json_reply(503, &json!({"status": "unavailable", "store": app.store.kind()}))
        }
    }
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let mut r = app.metrics.render().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    r
}

async fn api_not_found() -> Response {
    error(404, "not_found", "no such endpoint")
}

async fn method_not_allowed() -> Response {
    error(405, "method_not_allowed", "see docs/PROTOCOL.md")
}

async fn static_files(State(app): State<Arc<App>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return error(405, "method_not_allowed", "static files are GET only");
    }
    statics::serve(&app.www, &app.pkg, req.uri().path(), req.method() == Method::HEAD).await
}

pub fn router(app: Arc<App>) -> Router {
    let mut api = Router::new()
        .route("/api/batches", post(post_batches).get(get_log))
        .route("/api/batches/{*registration}", get(get_log))
        .route("/api/state", get(get_state))
        .route("/api/state/{*registration}", get(get_state));
    if app.dev_tokens && app.keys.is_some() {
        api = api.route("/api/dev/token", post(dev_token));
    }
    if app.test_faults {
        api = api.route("/api/_faults", post(set_faults));
    }
    api.route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(static_files)
        .layer(middleware::from_fn_with_state(app.clone(), common))
        .with_state(app)
}

// ------------------------------------------------------------ accept loop

/// Serve `router` on `listener` until SIGTERM/SIGINT (or `stop`), then
/// let in-flight requests finish for `limits.shutdown_grace`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    stop: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    use hyper_util::server::graceful::GracefulShutdown;
    let router = router(app.clone());
    let limits = app.limits.clone();
    let graceful = GracefulShutdown::new();
    let total = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_ip: Arc<Mutex<HashMap<IpAddr, usize>>> = Arc::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(permit) = total.clone().try_acquire_owned() else {
            app.metrics.connections_refused.inc();
            continue;
        };
        let ip = peer.ip();
        if limits.max_connections_per_ip > 0 {
            let mut m = per_ip.lock().unwrap_or_else(|p| p.into_inner());
            let n = m.entry(ip).or_insert(0);
            if *n >= limits.max_connections_per_ip {
                app.metrics.connections_refused.inc();
                continue;
            }
            *n += 1;
        }
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(Peer(peer));
            router.clone().oneshot(req.map(Body::new))
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(conn);
        let (app, per_ip, track) = (app.clone(), per_ip.clone(), limits.max_connections_per_ip > 0);
        app.metrics.connections.inc();
        tokio::spawn(async move {
            let _ = watched.await;
            app.metrics.connections.dec();
            if track {
                let mut m = per_ip.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(n) = m.get_mut(&ip) {
                    *n -= 1;
                    if *n == 0 {
                        m.remove(&ip);
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("shutting down: waiting for requests in progress");
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(limits.shutdown_grace) => tracing::warn!("shutdown grace period over; closing the remaining connections"),
    }
    Ok(())
}
