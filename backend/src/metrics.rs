//! Prometheus metrics (`GET /metrics`, text exposition format): requests by
//! route and status, request latency, batches applied, replays, conflicts,
//! refusals, authentication failures, rate-limited requests, slow bodies,
//! open connections.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

type Labels1 = [(&'static str, String); 1];
type Labels2 = [(&'static str, String); 2];

pub struct Metrics {
    registry: Registry,
    pub requests: Family<Labels2, Counter>,
    pub latency: Family<Labels1, Histogram>,
    pub batches_applied: Counter,
    pub batches_replayed: Counter,
    pub batches_conflicting: Counter,
    pub batches_refused: Counter,
    pub batches_unprocessed: Counter,
    pub auth_failures: Family<Labels1, Counter>,
    pub rate_limited: Counter,
    pub body_timeouts: Counter,
    pub connections: Gauge,
    pub connections_refused: Counter,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("scorm_backend");
        let requests = Family::<Labels2, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route and status", requests.clone());
        let latency = Family::<Labels1, Histogram>::new_with_constructor(|| {
            Histogram::new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
        });
        registry.register("http_request_duration_seconds", "Time from the request head to the answer, by route", latency.clone());
        let batches_applied = Counter::default();
        registry.register("batches_applied", "Batches applied (stored for the first time)", batches_applied.clone());
        let batches_replayed = Counter::default();
        registry.register("batches_replayed", "Replays answered from the log (same key and content)", batches_replayed.clone());
        let batches_conflicting = Counter::default();
        registry.register("batches_conflicting", "Batches answered 409 (sequence gap or conflict, key reused)", batches_conflicting.clone());
        let batches_refused = Counter::default();
        registry.register("batches_refused", "Batches refused for good (422 invalid value)", batches_refused.clone());
        let batches_unprocessed = Counter::default();
        registry.register("batches_unprocessed", "Batches past the per-request limit, not looked at", batches_unprocessed.clone());
        let auth_failures = Family::<Labels1, Counter>::default();
        registry.register("auth_failures", "Requests refused by authentication (401) or authorization (403), by error", auth_failures.clone());
        let rate_limited = Counter::default();
        registry.register("rate_limited", "Requests answered 429 by the rate limits", rate_limited.clone());
        let body_timeouts = Counter::default();
        registry.register("body_timeouts", "Requests whose body did not arrive in time (408)", body_timeouts.clone());
        let connections = Gauge::default();
        registry.register("open_connections", "Open client connections", connections.clone());
        let connections_refused = Counter::default();
        registry.register("connections_refused", "Connections closed at once because the connection limit was reached", connections_refused.clone());
        Metrics {
            registry,
            requests,
            latency,
            batches_applied,
            batches_replayed,
            batches_conflicting,
            batches_refused,
            batches_unprocessed,
            auth_failures,
            rate_limited,
            body_timeouts,
            connections,
            connections_refused,
        }
    }

    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        self.requests.get_or_create(&[("route", route.to_owned()), ("status", status.to_string())]).inc();
        self.latency.get_or_create(&[("route", route.to_owned())]).observe(seconds);
    }

    pub fn auth_failure(&self, code: &str) {
        self.auth_failures.get_or_create(&[("error", code.to_owned())]).inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
