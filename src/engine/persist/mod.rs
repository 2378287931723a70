//! The local-first commit queue: tracking data is never lost.
//!
//! This is the pure part of persistence. The browser layer does the I/O
//! (`localStorage`, `fetch`, `navigator.sendBeacon`, page events, Web Locks)
//! and drives a [`Queue`] with the current time and random numbers, so the
//! whole behaviour is deterministic and tested natively. The wire format and
//! the server's rules are in `docs/PROTOCOL.md`.
//!
//! ## Life of a commit
//!
//! 1. The run-time's `Commit`/`Terminate` hands its change set to
//!    [`Queue::enqueue`]. Changes made within one batching window for the same
//!    SCO are coalesced into one batch (same element: last value wins; the
//!    order of first change is kept). The layer then writes
//!    [`Queue::to_storage`] to `localStorage` (the write-ahead log) before
//!    `Commit` returns "true".
//! 2. The sending tab calls [`Queue::next_to_send`]. The first time a batch is
//!    sent it gets the next sequence number of the registration and its
//!    idempotency key `<registration>:<seq>:<nonce>`. The layer writes the
//!    queue again (so a reload re-sends the same key), then POSTs the body.
//! 3. The answer goes to [`Queue::on_response`] (or [`Queue::on_ack`] /
//!    [`Queue::on_failure`]). Transient failures are retried with exponential
//!    backoff and jitter; a rejected batch is kept aside, never dropped.
//! 4. On `pagehide`/`visibilitychange: hidden`, [`Queue::flush_for_unload`]
//!    gives one body for `sendBeacon` or `fetch(…, {keepalive: true})`.
//!
//! ## Several tabs on one registration
//!
//! Each page load writes only its own key (the queue prefix of
//! [`keys::StorageIds::queue_prefix`] and its nonce), so a `Commit` never
//! waits for a lock. Only one tab sends: the one holding the Web Lock
//! `"<queue prefix>sender"` (requested once per tab and held until the tab
//! closes); it folds the other keys into its own with
//! [`Queue::merge_stored`]; other tabs only enqueue. Batches are identified by an id made of the creating tab's nonce
//! and a counter, and get their sequence number only when sent, so batches of
//! different tabs never compete for a number; [`Queue::merge`] is a union by
//! id that never loses a batch nor undoes an acknowledgement.
//!
//! ## Driving the queue (what the browser layer does)
//!
//! `KEY` is this page's queue key (see [`keys`]); `now()` is `Date.now()`;
//! `rnd()` is `Math.random()`; `locked(f)` is
//! `navigator.locks.request(KEY, f)` wrapping: read `localStorage[KEY]`,
//! [`Queue::merge_stored`] when its `rev` differs from the last one written,
//! `f()`, then write [`Queue::to_storage`] (on `QuotaExceededError`:
//! [`Queue::evict_for_quota`] and write again; if still too big, keep going
//! in memory and report).
//!
//! ```text
//! page load:  (q, err) = Queue::load(identity, nonce, policy, localStorage[KEY])
//!             GET /api/state → ServerState::parse → q.observe_server(&st)
//!             each SCO starts from q.resume_snapshot(Some(&st) or None, sco)
//!             q.set_online(navigator.onLine, now())
//!             every tab: navigator.locks.request(SENDER_KEY, () => forever) → this tab pumps
//! Commit/Terminate (Host::persist):
//!             locked(() => q.enqueue(now(), sco, reason, changes, snapshot)); pump()
//!             (an error writing storage is the Host error → Commit returns "false")
//! pump() (sender tab only):
//!             out = locked(() => q.next_to_send(now()))
//!             none → setTimeout(pump, q.next_wakeup(now()) - now())
//!             some → fetch(POST, out.body, timeout policy.request_timeout_ms)
//!               answer → locked(() => q.on_response(out.seq, status, text, retryAfterSecs, now(), rnd()))
//!               throw  → locked(() => q.on_failure(out.seq, Network | Timeout, None, now(), rnd()))
//!               then pump()
//! online/offline events: locked(() => q.set_online(b, now())); pump()
//! storage event on KEY (another tab wrote): q.merge_stored(newValue); pump()
//! pagehide / visibilitychange→hidden (sender tab):
//!             body = q.flush_for_unload(UNLOAD_BUDGET); write storage; sendBeacon(url, body)
//!             (sendBeacon sends text/plain; if it returns false, fetch keepalive)
//! after each step: dispatch q.take_events() (Event::name, Event::to_json)
//! ```
//!
//! Retry-After: the layer passes seconds; for an HTTP-date it passes
//! `max(0, (Date.parse(h) - now()) / 1000)`.

pub mod json;
pub mod keys;

use super::rte::{ChangeSet, PersistReason, Snapshot};
use json::{write_key, write_str, write_u64, Value};
use super::num::dec;
use super::text::cat;
use super::map::StrMap;

/// Version of the stored queue format (the `"v"` member).
pub const STORAGE_FORMAT: u64 = 1;
/// Version of the request body format (the `"protocol"` member).
pub const PROTOCOL_VERSION: u64 = 1;
/// The byte budget the browser allows for keepalive requests and beacons.
pub const UNLOAD_BUDGET: usize = 65_536;
/// The default largest request body: what the reference backend accepts
/// (1 MiB). No batch is made larger.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;
/// The default largest stored queue (bytes of its stored text).
pub const DEFAULT_MAX_STORED: usize = 2 << 20;
/// Room a request body needs besides the changes of its one batch
/// (identity, sequence number, key, SCO id, …): with this much taken off
/// the body limit, one change of a value no longer than
/// [`max_value_chars`] always fits.
pub const BODY_OVERHEAD: usize = 8 * 1024;

/// The longest value (in characters) that fits in a request body of
/// `max_body` bytes in every case: a character takes at most 6 bytes in
/// the JSON body (`\u001f`), and [`BODY_OVERHEAD`] is left for the rest.
pub fn max_value_chars(max_body: usize) -> usize {
    max_body.saturating_sub(BODY_OVERHEAD) / 6
}

/// Which run-time's data model a registration stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataModel {
    /// SCORM 1.2 (`"1.2"` on the wire).
    Scorm12,
    /// SCORM 2004 (`"2004"` on the wire).
    Scorm2004,
}

impl DataModel {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DataModel::Scorm12 => "1.2",
            DataModel::Scorm2004 => "2004",
        }
    }
    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "1.2" => Some(DataModel::Scorm12),
            "2004" => Some(DataModel::Scorm2004),
            _ => None,
        }
    }
}

/// Who and what the queued data belongs to. One queue per registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The learner (`cmi.learner_id` / `cmi.core.student_id`).
    pub learner_id: String,
    /// The course (package) identifier.
    pub course_id: String,
    /// The registration: one learner enrolled in one course.
    pub registration_id: String,
    /// The data model of the course.
    pub version: DataModel,
}

/// Tunables of the queue. The defaults suit a browser.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Changes for the same SCO within this many milliseconds of the batch's
    /// first change are coalesced into it, and the batch is not sent before
    /// the window closes (unless it ends the attempt or the page unloads).
    pub window_ms: u64,
    /// Send the whole snapshot of the SCO instead of only the changes.
    pub full_state: bool,
    /// First retry delay.
    pub base_delay_ms: u64,
    /// Longest computed retry delay.
    pub max_delay_ms: u64,
    /// Longest delay a server's `Retry-After` may impose.
    pub max_retry_after_ms: u64,
    /// Acknowledged batches kept as local history (evicted first).
    pub keep_acked: usize,
    /// How long the layer lets a request run before aborting it and
    /// reporting [`Failure::Timeout`].
    pub request_timeout_ms: u64,
    /// The largest request body the backend accepts, in bytes: a change set
    /// is split into batches that each fit in one request, and changes are
    /// coalesced into an open batch only while it still fits.
    pub max_body_bytes: usize,
    /// The largest stored queue, in bytes of [`Queue::to_storage`]: a commit
    /// that would make it larger (after compaction) is refused by
    /// [`Queue::enqueue_capped`], and what was stored before is kept.
    pub max_stored_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window_ms: 500,
            full_state: false,
            base_delay_ms: 1_000,
            max_delay_ms: 60_000,
            max_retry_after_ms: 3_600_000,
            keep_acked: 16,
            request_timeout_ms: 30_000,
            max_body_bytes: DEFAULT_MAX_BODY,
            max_stored_bytes: DEFAULT_MAX_STORED,
        }
    }
}

/// Where a batch stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchState {
    /// Not yet acknowledged (possibly sent, possibly in flight).
    Pending,
    /// The server applied it (or had already applied it).
    Acked,
    /// The server refused it for good; kept for inspection.
    Failed {
        /// The HTTP status.
        status: u16,
        /// The server's reason, or a description.
        reason: String,
    },
}

impl BatchState {
    fn rank(&self) -> u8 {
        match self {
            BatchState::Pending => 0,
            BatchState::Failed { .. } => 1,
            BatchState::Acked => 2,
        }
    }
}

/// One batch of changes for one SCO.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Identity in the queue: `<creating tab's nonce>.<counter>`.
    pub id: String,
    /// Logical creation time (a hybrid logical clock shared through the
    /// stored queue: a Lamport clock that never runs behind the wall clock
    /// in milliseconds), which orders batches that have no sequence number yet.
    pub order: u64,
    /// Generation: bumped on every change, so a merge keeps the newest copy.
    pub gen: u64,
    /// Sequence number in the registration, given when first sent.
    pub seq: Option<u64>,
    /// Idempotency key, given with the sequence number.
    pub key: Option<String>,
    /// The SCO the data belongs to.
    pub sco_id: String,
    /// Why it was persisted (the last reason when coalesced).
    pub reason: PersistReason,
    /// True when `changes` is the SCO's whole state.
    pub full: bool,
    /// Wall-clock milliseconds of the first change.
    pub created_ms: u64,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Where it stands.
    pub state: BatchState,
    /// Element → value, in order of first change.
    pub changes: ChangeSet,
}

/// How a request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `fetch` rejected (no network, DNS, CORS, connection reset).
    Network,
    /// No answer in time (the layer aborted the request).
    Timeout,
    /// An HTTP answer other than 2xx.
    Http(u16),
    /// HTTP 409: the server expects another sequence number next.
    Conflict {
        /// The sequence number the server expects.
        expected_seq: u64,
    },
}

/// What the layer should tell the page (as DOM events / callbacks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A batch was created or changes were coalesced into one.
    Queued {
        /// Batch id.
        id: String,
        /// The SCO.
        sco_id: String,
    },
    /// A batch was handed to the network (request or beacon).
    Sent {
        /// Its sequence number.
        seq: u64,
    },
    /// The server acknowledged a batch.
    Acknowledged {
        /// Its sequence number.
        seq: u64,
    },
    /// A transient failure; the batch will be sent again.
    Retrying {
        /// Its sequence number (after renumbering, for a conflict).
        seq: u64,
        /// Failed attempts so far.
        attempt: u32,
        /// Milliseconds until the next attempt.
        delay_ms: u64,
    },
    /// The server refused a batch for good; it is kept aside.
    FailedPermanently {
        /// Its sequence number.
        seq: u64,
        /// HTTP status.
        status: u16,
        /// Reason.
        reason: String,
    },
    /// The browser went offline; sending pauses.
    Offline,
    /// The browser is online again; sending resumes.
    Online,
    /// The backend answered 401 or 403: the batch is kept, sending pauses
    /// until the page gives new credentials ([`Queue::resume_auth`]).
    AuthRequired {
        /// 401 or 403.
        status: u16,
        /// The data model of the queue (`"1.2"` or `"2004"`).
        version: &'static str,
    },
    /// A commit was refused because the stored queue would exceed
    /// [`Policy::max_stored_bytes`] even after compaction; everything stored
    /// before it is kept.
    QueueFull {
        /// The size the queue would have had.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
}

impl Event {
    /// The event name for the page: `queued`, `sent`, `acknowledged`,
    /// `retrying`, `failedPermanently`, `offline`, `online`,
    /// `authRequired`, `queueFull`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Queued { .. } => "queued",
            Event::Sent { .. } => "sent",
            Event::Acknowledged { .. } => "acknowledged",
            Event::Retrying { .. } => "retrying",
            Event::FailedPermanently { .. } => "failedPermanently",
            Event::Offline => "offline",
            Event::Online => "online",
            Event::AuthRequired { .. } => "authRequired",
            Event::QueueFull { .. } => "queueFull",
        }
    }

    /// The event detail as a JSON object, e.g. `{"type":"sent","seq":3}`.
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "type", true);
        write_str(&mut o, self.name());
        let num = |o: &mut String, k: &str, n: u64| {
            write_key(o, k, false);
            write_u64(o, n);
        };
        match self {
            Event::Queued { id, sco_id } => {
                write_key(&mut o, "id", false);
                write_str(&mut o, id);
                write_key(&mut o, "sco", false);
                write_str(&mut o, sco_id);
            }
            Event::Sent { seq } | Event::Acknowledged { seq } => num(&mut o, "seq", *seq),
            Event::Retrying { seq, attempt, delay_ms } => {
                num(&mut o, "seq", *seq);
                num(&mut o, "attempt", u64::from(*attempt));
                num(&mut o, "delay_ms", *delay_ms);
            }
            Event::FailedPermanently { seq, status, reason } => {
                num(&mut o, "seq", *seq);
                num(&mut o, "status", u64::from(*status));
                write_key(&mut o, "reason", false);
                write_str(&mut o, reason);
            }
            Event::AuthRequired { status, version } => {
                num(&mut o, "status", u64::from(*status));
                write_key(&mut o, "version", false);
                write_str(&mut o, version);
            }
            Event::QueueFull { bytes, limit } => {
                num(&mut o, "bytes", *bytes as u64);
                num(&mut o, "limit", *limit as u64);
            }
            Event::Offline | Event::Online => {}
        }
        o.push('}');
        o
    }
}

/// A request to make: POST `body` to the batches endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The batch's sequence number (give it back to `on_*`).
    pub seq: u64,
    /// The batch's idempotency key (also usable as an `Idempotency-Key` header).
    pub key: String,
    /// The JSON request body.
    pub body: String,
}

/// A summary for the page and for diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueStatus {
    /// Batches not yet acknowledged (including the one in flight).
    pub pending: usize,
    /// The sequence number in flight, if any.
    pub in_flight: Option<u64>,
    /// The highest acknowledged sequence number (0: none).
    pub last_acked: u64,
    /// Batches refused for good: (sequence number, status, reason).
    pub failed: Vec<(u64, u16, String)>,
    /// When the next attempt may be made (ms), if sending is held back.
    pub next_attempt_ms: Option<u64>,
    /// Whether the queue believes the browser is online.
    pub online: bool,
    /// The 401/403 that paused sending, until new credentials come.
    pub auth_required: Option<u16>,
    /// The size of the stored queue, in bytes, as last written.
    pub bytes: usize,
    /// [`Policy::max_stored_bytes`].
    pub limit: usize,
}

impl QueueStatus {
    /// The status as a JSON object.
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "pending", true);
        write_u64(&mut o, self.pending as u64);
        write_key(&mut o, "in_flight", false);
        write_u64_or_null(&mut o, self.in_flight);
        write_key(&mut o, "last_acked", false);
        write_u64(&mut o, self.last_acked);
        write_key(&mut o, "next_attempt_ms", false);
        write_u64_or_null(&mut o, self.next_attempt_ms);
        write_key(&mut o, "online", false);
        o.push_str(if self.online { "true" } else { "false" });
        write_key(&mut o, "auth_required", false);
        write_u64_or_null(&mut o, self.auth_required.map(u64::from));
        write_key(&mut o, "bytes", false);
        write_u64(&mut o, self.bytes as u64);
        write_key(&mut o, "limit", false);
        write_u64(&mut o, self.limit as u64);
        write_key(&mut o, "failed", false);
        o.push('[');
        for (i, (seq, status, reason)) in self.failed.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str("{\"seq\":");
            write_u64(&mut o, *seq);
            o.push_str(",\"status\":");
            write_u64(&mut o, u64::from(*status));
            o.push_str(",\"reason\":");
            write_str(&mut o, reason);
            o.push('}');
        }
        o.push_str("]}");
        o
    }
}

/// Append `n`, or `null` for `None`, as a JSON value.
fn write_u64_or_null(out: &mut String, n: Option<u64>) {
    match n {
        Some(n) => write_u64(out, n),
        None => out.push_str("null"),
    }
}

/// The idempotency key of the batch numbered `seq`: `<registration>:<seq>:<nonce>`.
fn batch_key(registration: &str, seq: u64, nonce: &str) -> String {
    cat(&[registration, ":", &dec(seq), ":", nonce])
}

/// What was done with a change set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enqueued {
    /// The batch that holds the changes.
    pub id: String,
    /// True when they were coalesced into an open batch.
    pub coalesced: bool,
}

/// The state the backend holds for a registration (`GET /api/state`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerState {
    /// The registration.
    pub registration_id: String,
    /// The last sequence number the server applied (0: none).
    pub last_seq: u64,
    /// Per SCO, the stored element → value snapshot.
    pub scos: StrMap<Snapshot>,
}

impl ServerState {
    /// The state as the JSON that [`ServerState::parse`] reads (the shape of
    /// the backend's answer).
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "registration", true);
        write_str(&mut o, &self.registration_id);
        write_key(&mut o, "last_seq", false);
        write_u64(&mut o, self.last_seq);
        write_key(&mut o, "scos", false);
        o.push('{');
        for (i, (sco, snap)) in self.scos.iter().enumerate() {
            write_key(&mut o, sco, i == 0);
            o.push('{');
            for (j, (k, v)) in snap.iter().enumerate() {
                write_key(&mut o, k, j == 0);
                write_str(&mut o, v);
            }
            o.push('}');
        }
        o.push_str("}}");
        o
    }

    /// Parse the JSON answer of `GET /api/state`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let v = json::parse(text)?;
        let mut st = ServerState {
            registration_id: v.get("registration").and_then(Value::as_str).unwrap_or("").into(),
            last_seq: v.get("last_seq").and_then(Value::as_u64).ok_or("missing last_seq")?,
            scos: StrMap::new(),
        };
        for (sco, snap) in v.get("scos").and_then(Value::as_obj).unwrap_or(&[]) {
            let mut s = Snapshot::new();
            for (k, val) in snap.as_obj().ok_or("bad snapshot")? {
                s.insert(k.clone(), val.as_str().ok_or("snapshot value is not a string")?.into());
            }
            st.scos.insert(sco.clone(), s);
        }
        Ok(st)
    }
}

/// The commit queue of one registration. See the module documentation.
#[derive(Clone, Debug)]
pub struct Queue {
    identity: Identity,
    policy: Policy,
    // Persistent part (stored).
    rev: u64,
    clock: u64,
    next_seq: u64,
    last_acked: u64,
    /// The highest `order` of an evicted (acknowledged) batch: a copy of a
    /// batch at or below it that only one side of a merge has is a stale
    /// copy of an evicted batch, not a new one.
    floor: u64,
    batches: Vec<Batch>,
    // Run-time part (this tab only).
    nonce: String,
    counter: u64,
    in_flight: Option<u64>,
    retry_at_ms: u64,
    online: bool,
    /// Set by a 401/403: sending waits for [`Queue::resume_auth`].
    auth_paused: Option<u16>,
    /// The length of the last [`Queue::to_storage`] text.
    stored_len: std::cell::Cell<usize>,
    events: Vec<Event>,
}

/// The identity members shared by the wire body and the stored queue.
fn write_identity(o: &mut String, id: &Identity) {
    for (k, v) in [
        ("version", id.version.as_str()),
        ("learner", &id.learner_id),
        ("course", &id.course_id),
        ("registration", &id.registration_id),
    ] {
        write_key(o, k, false);
        write_str(o, v);
    }
}

fn reason_str(r: PersistReason) -> &'static str {
    match r {
        PersistReason::Commit => "commit",
        PersistReason::Terminate => "terminate",
    }
}

fn is_transient(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}

impl Queue {
    /// An empty queue. `nonce` must be random and unique per page load (e.g.
    /// 16 hex digits from `crypto.getRandomValues`); it makes batch ids and
    /// idempotency keys unique across tabs and reloads.
    pub fn new(identity: Identity, nonce: &str, policy: Policy) -> Self {
        Queue {
            identity,
            policy,
            rev: 0,
            clock: 0,
            next_seq: 1,
            last_acked: 0,
            floor: 0,
            batches: Vec::new(),
            nonce: nonce.to_owned(),
            counter: 0,
            in_flight: None,
            retry_at_ms: 0,
            online: true,
            auth_paused: None,
            stored_len: std::cell::Cell::new(0),
            events: Vec::new(),
        }
    }

    /// A queue from its stored text, or an empty one when there is none.
    /// On error (corrupt text, another registration) the queue is empty and
    /// the error says why: the layer should keep the bad text aside (e.g.
    /// under `<key>:corrupt`) rather than overwrite it silently.
    pub fn load(identity: Identity, nonce: &str, policy: Policy, stored: Option<&str>) -> (Self, Option<String>) {
        let mut q = Queue::new(identity, nonce, policy);
        let err = match stored {
            None => None,
            Some(text) => q.merge_stored(text).err(),
        };
        (q, err)
    }

    /// The identity the queue belongs to.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The tunables the queue runs with.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The page learned which course its registration is for (a package
    /// opened in the course player names it): later requests carry it. The
    /// batches and their numbering stay as they are.
    pub fn set_course(&mut self, course_id: &str) {
        if self.identity.course_id != course_id {
            self.identity.course_id = course_id.to_owned();
            self.touch();
        }
    }

    /// The revision of the persistent state (bumped by every change).
    pub fn rev(&self) -> u64 {
        self.rev
    }

    /// All batches: sent ones by sequence number, then unsent ones in order.
    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    /// The highest acknowledged sequence number (0: none).
    pub fn last_acked(&self) -> u64 {
        self.last_acked
    }

    fn touch(&mut self) {
        self.rev = self.rev.saturating_add(1);
    }

    /// Sent batches by sequence number, then unsent ones by (order, id).
    /// A stable insertion sort: the list is short and almost always already
    /// sorted (one batch added or merged), and it keeps the library's large
    /// generic sort out of the wasm module.
    fn sort(&mut self) {
        fn after(a: &Batch, b: &Batch) -> bool {
            match (a.seq, b.seq) {
                (Some(x), Some(y)) => x > y,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (None, None) => (a.order, &a.id) > (b.order, &b.id),
            }
        }
        for i in 1..self.batches.len() {
            let mut j = i;
            while j > 0 && after(&self.batches[j - 1], &self.batches[j]) {
                self.batches.swap(j - 1, j);
                j -= 1;
            }
        }
    }

    fn new_id(&mut self) -> String {
        loop {
            self.counter = self.counter.saturating_add(1);
            let id = cat(&[&self.nonce, ".", &dec(self.counter)]);
            if !self.batches.iter().any(|b| b.id == id) {
                return id;
            }
        }
    }

    /// Record a change set of `sco_id` (what the run-time's `Host::persist`
    /// receives). With [`Policy::full_state`], `snapshot` is queued instead
    /// of `changes`. Returns `None` when there was nothing to record.
    pub fn enqueue(
        &mut self,
        now_ms: u64,
        sco_id: &str,
        reason: PersistReason,
        changes: &ChangeSet,
        snapshot: &Snapshot,
    ) -> Option<Enqueued> {
        let full = self.policy.full_state;
        self.enqueue_with(now_ms, sco_id, reason, changes, snapshot, full)
    }

    /// [`Queue::enqueue`], choosing per call whether to queue the whole
    /// `snapshot` (`full`, e.g. on the first commit after a resume or when
    /// the LMS asks for it) or only `changes`. A full batch replaces the
    /// SCO's stored state on the server.
    pub fn enqueue_with(
        &mut self,
        now_ms: u64,
        sco_id: &str,
        reason: PersistReason,
        changes: &ChangeSet,
        snapshot: &Snapshot,
        full: bool,
    ) -> Option<Enqueued> {
        let items: ChangeSet = if full {
            snapshot.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        } else {
            changes.clone()
        };
        let window = self.policy.window_ms;
        let mine = cat(&[&self.nonce, "."]);
        let open = self.batches.iter().rposition(|b| b.seq.is_none()).filter(|&i| {
            self.batches.get(i).is_some_and(|b| {
                b.state == BatchState::Pending
                    && b.id.starts_with(&mine)
                    && b.sco_id == sco_id
                    && b.reason != PersistReason::Terminate
                    && now_ms >= b.created_ms
                    && now_ms < b.created_ms.saturating_add(window)
                    && b.order == self.clock
            })
        });
        if items.is_empty() && (open.is_none() || reason != PersistReason::Terminate) {
            return None;
        }
        // Coalesce into the open batch while the result still fits one request.
        if let Some(b) = open.and_then(|i| self.batches.get(i)) {
            let merged = if full {
                items.clone()
            } else {
                // A diff coalesced into a full batch keeps it full.
                let mut m = b.changes.clone();
                for (k, v) in &items {
                    match m.iter_mut().find(|(ek, _)| ek == k) {
                        Some(slot) => slot.1.clone_from(v),
                        None => m.push((k.clone(), v.clone())),
                    }
                }
                m
            };
            if self.wire_len(sco_id, &merged) <= self.policy.max_body_bytes {
                let b = open.and_then(|i| self.batches.get_mut(i))?;
                b.changes = merged;
                b.full |= full;
                b.reason = reason;
                b.gen = b.gen.saturating_add(1);
                let id = b.id.clone();
                self.touch();
                self.events.push(Event::Queued { id: id.clone(), sco_id: sco_id.to_owned() });
                return Some(Enqueued { id, coalesced: true });
            }
        }
        // New batches, each no larger than one request: a change set too
        // large for one is split (a full state: its first part replaces the
        // stored state, the others add to it; the reason goes with the last).
        let parts = self.split_to_fit(sco_id, items);
        let n = parts.len();
        let mut last = String::new();
        for (i, part) in parts.into_iter().enumerate() {
            let id = self.new_id();
            // A hybrid logical clock: past every order this queue has seen
            // (Lamport) and no earlier than the wall clock, so a batch made
            // after a relaunch sorts after the batches of the page before,
            // even when their stored queue is folded in only later.
            self.clock = self.clock.saturating_add(1).max(now_ms);
            self.batches.push(Batch {
                id: id.clone(),
                order: self.clock,
                gen: 1,
                seq: None,
                key: None,
                sco_id: sco_id.to_owned(),
                reason: if i + 1 == n { reason } else { PersistReason::Commit },
                full: full && i == 0,
                created_ms: now_ms,
                attempts: 0,
                state: BatchState::Pending,
                changes: part,
            });
            self.events.push(Event::Queued { id: id.clone(), sco_id: sco_id.to_owned() });
            last = id;
        }
        self.touch();
        Some(Enqueued { id: last, coalesced: false })
    }

    /// The bytes one change takes in a request body (`["element","value"]`).
    fn change_len(k: &str, v: &str) -> usize {
        json::str_len(k) + json::str_len(v) + 3
    }

    /// The size of a request body carrying one batch of `sco_id` with
    /// `changes`, counting its sequence number, key and time at their
    /// longest (it may be sent later with any number).
    fn wire_len(&self, sco_id: &str, changes: &ChangeSet) -> usize {
        let changes_len: usize = changes.iter().map(|(k, v)| Self::change_len(k, v) + 1).sum();
        self.batch_overhead(sco_id) + changes_len
    }

    /// [`Queue::wire_len`] of a batch without changes.
    fn batch_overhead(&self, sco_id: &str) -> usize {
        let probe = Batch {
            id: String::new(),
            order: 0,
            gen: 0,
            seq: Some(u64::MAX),
            key: Some(batch_key(&self.identity.registration_id, u64::MAX, &self.nonce)),
            sco_id: sco_id.to_owned(),
            reason: PersistReason::Terminate,
            full: false,
            created_ms: u64::MAX,
            attempts: 0,
            state: BatchState::Pending,
            changes: ChangeSet::new(),
        };
        let mut o = self.body_of(&[]);
        self.write_wire_batch(&mut o, &probe);
        o.len()
    }

    /// Split `items` into change sets that each fit one request (at least
    /// one, possibly empty). A change too large for a request on its own
    /// gets a part of its own ([`Queue::enqueue_capped`] refuses it first).
    fn split_to_fit(&self, sco_id: &str, items: ChangeSet) -> Vec<ChangeSet> {
        let room = self.policy.max_body_bytes.saturating_sub(self.batch_overhead(sco_id));
        let mut parts: Vec<ChangeSet> = vec![ChangeSet::new()];
        let mut used = 0usize;
        for (k, v) in items {
            let len = Self::change_len(&k, &v) + 1;
            if used + len > room && parts.last().is_some_and(|p| !p.is_empty()) {
                parts.push(ChangeSet::new());
                used = 0;
            }
            used += len;
            if let Some(p) = parts.last_mut() {
                p.push((k, v));
            }
        }
        parts
    }

    /// True when a change of `element` to `value` fits in one request on its own.
    pub fn change_fits(&self, sco_id: &str, element: &str, value: &str) -> bool {
        self.batch_overhead(sco_id) + Self::change_len(element, value) < self.policy.max_body_bytes
    }

    /// [`Queue::enqueue_with`], within the limits: a change too large for
    /// one request is refused, and so is a commit that would make the stored
    /// queue larger than [`Policy::max_stored_bytes`] even after
    /// [`Queue::compact`] (a [`Event::QueueFull`] event says so). On `Err`
    /// the queue is as it was: nothing stored before is lost, and the
    /// run-time keeps the refused changes pending. `Ok` carries the text to
    /// store ([`Queue::to_storage`]).
    pub fn enqueue_capped(
        &mut self,
        now_ms: u64,
        sco_id: &str,
        reason: PersistReason,
        changes: &ChangeSet,
        snapshot: &Snapshot,
        full: bool,
    ) -> Result<(Option<Enqueued>, String), String> {
        let too_large = if full {
            snapshot.iter().find(|(k, v)| !self.change_fits(sco_id, k, v))
        } else {
            changes.iter().map(|(k, v)| (k, v)).find(|(k, v)| !self.change_fits(sco_id, k, v))
        };
        if let Some((k, v)) = too_large {
            return Err(cat(&[
                "the value of ",
                k,
                " (",
                &dec(v.chars().count() as u64),
                " characters) does not fit in one request of at most ",
                &dec(self.policy.max_body_bytes as u64),
                " bytes (maxBodyBytes)",
            ]));
        }
        let backup = self.clone();
        let out = self.enqueue_with(now_ms, sco_id, reason, changes, snapshot, full);
        let mut text = self.to_storage();
        if text.len() > self.policy.max_stored_bytes {
            self.compact();
            text = self.to_storage();
        }
        let bytes = text.len();
        let limit = self.policy.max_stored_bytes;
        if bytes > limit {
            *self = backup;
            self.events.push(Event::QueueFull { bytes, limit });
            return Err(cat(&[
                "the commit queue would take ",
                &dec(bytes as u64),
                " bytes, over its limit of ",
                &dec(limit as u64),
                " (queueLimit); the changes stay pending until earlier batches are delivered",
            ]));
        }
        Ok((out, text))
    }

    /// Make the stored queue smaller without losing anything: runs of this
    /// page's own unsent batches of one SCO are merged into one (later
    /// values win; a full state absorbs what follows it), while the merged
    /// batch fits one request. First runs that do not cross a Terminate,
    /// then any. Acknowledged history is dropped. Returns how many batches
    /// were merged away.
    pub fn compact(&mut self) -> usize {
        let before = self.batches.len();
        self.trim_acked(0);
        for across_terminate in [false, true] {
            let mine = cat(&[&self.nonce, "."]);
            let mut i = 0;
            while let (Some(a), Some(b)) = (self.batches.get(i), self.batches.get(i + 1)) {
                let ok = a.state == BatchState::Pending
                    && b.state == BatchState::Pending
                    && a.seq.is_none()
                    && b.seq.is_none()
                    && a.id.starts_with(&mine)
                    && b.id.starts_with(&mine)
                    && a.sco_id == b.sco_id
                    && (across_terminate || a.reason != PersistReason::Terminate);
                if ok {
                    let merged = if b.full {
                        b.changes.clone()
                    } else {
                        let mut m = a.changes.clone();
                        for (k, v) in &b.changes {
                            match m.iter_mut().find(|(ek, _)| ek == k) {
                                Some(slot) => slot.1.clone_from(v),
                                None => m.push((k.clone(), v.clone())),
                            }
                        }
                        m
                    };
                    if self.wire_len(&a.sco_id, &merged) <= self.policy.max_body_bytes {
                        let b = self.batches.remove(i + 1);
                        if let Some(a) = self.batches.get_mut(i) {
                            a.changes = merged;
                            a.full |= b.full;
                            a.reason = b.reason;
                            a.gen = a.gen.max(b.gen).saturating_add(1);
                        }
                        continue;
                    }
                }
                i += 1;
            }
        }
        let merged = before - self.batches.len();
        if merged > 0 {
            self.touch();
        }
        merged
    }

    fn assign(&mut self, i: usize) -> Option<(u64, String)> {
        let reg = self.identity.registration_id.clone();
        let next = self.next_seq;
        let b = self.batches.get_mut(i)?;
        if let (Some(seq), Some(key)) = (b.seq, &b.key) {
            return Some((seq, key.clone()));
        }
        let key = batch_key(&reg, next, &self.nonce);
        b.seq = Some(next);
        b.key = Some(key.clone());
        b.gen = b.gen.saturating_add(1);
        self.next_seq = self.next_seq.saturating_add(1);
        self.rev = self.rev.saturating_add(1);
        Some((next, key))
    }

    fn first_pending(&self) -> Option<usize> {
        self.batches.iter().position(|b| b.state == BatchState::Pending)
    }

    fn ready(&self, b: &Batch, idx: usize, now_ms: u64) -> bool {
        // A batch leaves its window early when it ends the attempt or when a
        // later batch exists (its window is closed).
        b.seq.is_some()
            || b.reason == PersistReason::Terminate
            || idx + 1 < self.batches.len()
            || now_ms >= b.created_ms.saturating_add(self.policy.window_ms)
            || now_ms < b.created_ms
    }

    /// The next request to make, if one may be made now: at most one request
    /// is in flight, batches go in sequence order, not while offline nor
    /// before a retry delay has passed, and an open batch waits for its
    /// window to close. When this returns a request, the layer writes the
    /// queue to storage (a sequence number may just have been given) and
    /// then sends it.
    pub fn next_to_send(&mut self, now_ms: u64) -> Option<Outgoing> {
        if !self.online || self.auth_paused.is_some() || self.in_flight.is_some() || now_ms < self.retry_at_ms {
            return None;
        }
        let i = self.first_pending()?;
        if !self.ready(self.batches.get(i)?, i, now_ms) {
            return None;
        }
        let (seq, key) = self.assign(i)?;
        let body = self.body_of(&[i]);
        self.in_flight = Some(seq);
        self.events.push(Event::Sent { seq });
        Some(Outgoing { seq, key, body })
    }

    /// When the layer should call [`Queue::next_to_send`] again (absolute ms),
    /// if nothing else happens; `None` when there is nothing to wait for.
    pub fn next_wakeup(&self, now_ms: u64) -> Option<u64> {
        if !self.online || self.auth_paused.is_some() || self.in_flight.is_some() {
            return None;
        }
        let i = self.first_pending()?;
        let b = self.batches.get(i)?;
        let at = if self.ready(b, i, now_ms) {
            now_ms
        } else {
            b.created_ms.saturating_add(self.policy.window_ms)
        };
        Some(at.max(self.retry_at_ms))
    }

    /// The pending batch numbered `seq` (a failed batch may share the
    /// number of a pending one after renumbering).
    fn find_seq(&self, seq: u64) -> Option<usize> {
        self.batches.iter().position(|b| b.seq == Some(seq) && b.state == BatchState::Pending)
    }

    /// The server acknowledged `seq` (2xx). Returns false when the batch is
    /// unknown or was already acknowledged (nothing changes then).
    pub fn on_ack(&mut self, seq: u64) -> bool {
        if self.in_flight == Some(seq) {
            self.in_flight = None;
            self.retry_at_ms = 0;
        }
        let Some(b) = self.find_seq(seq).and_then(|i| self.batches.get_mut(i)) else {
            return false;
        };
        b.state = BatchState::Acked;
        b.gen = b.gen.saturating_add(1);
        self.last_acked = self.last_acked.max(seq);
        self.touch();
        self.events.push(Event::Acknowledged { seq });
        self.trim_acked(self.policy.keep_acked);
        true
    }

    fn backoff(&self, attempts: u32, random: f64) -> u64 {
        let exp = self
            .policy
            .base_delay_ms
            .saturating_mul(1u64 << attempts.saturating_sub(1).min(30))
            .min(self.policy.max_delay_ms);
        // "Equal jitter": half fixed, half random, so retries of many
        // clients spread out but never come back immediately.
        let r = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.5 };
        exp / 2 + ((exp / 2) as f64 * r) as u64
    }

    /// A request for `seq` failed. `retry_after_s` is the server's
    /// `Retry-After` in seconds (the layer converts an HTTP-date to seconds
    /// from now); `random` is a uniform number in [0, 1) for the jitter.
    /// Network errors, timeouts, 408, 429 and 5xx are retried; a 409 with the
    /// server's expected sequence number renumbers the unsent batches; any
    /// other status sets the batch aside as failed (it is kept, and the
    /// queue goes on with the next batch).
    pub fn on_failure(&mut self, seq: u64, kind: Failure, retry_after_s: Option<u64>, now_ms: u64, random: f64) {
        if self.in_flight == Some(seq) {
            self.in_flight = None;
        }
        let Some(mut i) = self.find_seq(seq) else { return };
        let status = match kind {
            Failure::Network | Failure::Timeout => None,
            Failure::Http(s) if is_transient(s) => None,
            Failure::Http(s) => Some((s, cat(&["HTTP ", &dec(u64::from(s))]))),
            Failure::Conflict { expected_seq } => {
                if expected_seq <= self.last_acked {
                    Some((409, cat(&["server expects seq ", &dec(expected_seq), ", which was already acknowledged"])))
                } else {
                    self.renumber(expected_seq);
                    match self.first_pending() {
                        Some(j) => i = j,
                        None => return,
                    }
                    None
                }
            }
        };
        match status {
            Some((status, reason)) => self.fail_permanently(i, status, reason),
            None => {
                let attempts = match self.batches.get_mut(i) {
                    Some(b) => {
                        b.attempts = b.attempts.saturating_add(1);
                        b.gen = b.gen.saturating_add(1);
                        b.attempts
                    }
                    None => return,
                };
                let delay = match (&kind, retry_after_s) {
                    (Failure::Conflict { .. }, _) if attempts <= 1 => 0,
                    (_, Some(s)) => s.saturating_mul(1000).min(self.policy.max_retry_after_ms),
                    _ => self.backoff(attempts, random),
                };
                self.retry_at_ms = now_ms.saturating_add(delay);
                self.touch();
                let seq = self.batches.get(i).and_then(|b| b.seq).unwrap_or(seq);
                self.events.push(Event::Retrying { seq, attempt: attempts, delay_ms: delay });
            }
        }
    }

    fn fail_permanently(&mut self, i: usize, status: u16, reason: String) {
        if let Some(b) = self.batches.get_mut(i) {
            b.state = BatchState::Failed { status, reason: reason.clone() };
            b.gen = b.gen.saturating_add(1);
            let seq = b.seq.unwrap_or(0);
            self.retry_at_ms = 0;
            self.touch();
            self.events.push(Event::FailedPermanently { seq, status, reason });
        }
    }

    /// Give the pending sent batches new numbers from `from` on, in order.
    fn renumber(&mut self, from: u64) {
        let reg = self.identity.registration_id.clone();
        let mut next = from;
        for b in self.batches.iter_mut() {
            if b.state == BatchState::Pending && b.seq.is_some() {
                b.seq = Some(next);
                b.key = Some(batch_key(&reg, next, &self.nonce));
                b.gen = b.gen.saturating_add(1);
                next = next.saturating_add(1);
            }
        }
        self.next_seq = next;
        self.sort();
    }

    /// Hand the server's answer to a request for `seq` to the queue: 2xx
    /// acknowledges; 409 with `expected_seq` in the body renumbers; 401 and
    /// 403 keep the batch and pause sending until [`Queue::resume_auth`]
    /// ([`Event::AuthRequired`]); 422 and other 4xx fail the batch with the
    /// body's `reason` (413: the backend's body limit is below
    /// [`Policy::max_body_bytes`]); the rest retries.
    pub fn on_response(&mut self, seq: u64, status: u16, body: &str, retry_after_s: Option<u64>, now_ms: u64, random: f64) {
        if (200..300).contains(&status) {
            self.on_ack(seq);
            return;
        }
        let parsed = json::parse(body).ok();
        let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k));
        if status == 409 {
            if let Some(expected_seq) = field("expected_seq").and_then(Value::as_u64) {
                self.on_failure(seq, Failure::Conflict { expected_seq }, retry_after_s, now_ms, random);
                return;
            }
        }
        if status == 401 || status == 403 {
            // Not the batch's fault: keep it (never counted as failed) and
            // wait for new credentials from the page.
            if self.in_flight == Some(seq) {
                self.in_flight = None;
            }
            self.auth_paused = Some(status);
            self.events.push(Event::AuthRequired { status, version: self.identity.version.as_str() });
            return;
        }
        if !is_transient(status) {
            if self.in_flight == Some(seq) {
                self.in_flight = None;
            }
            if let Some(i) = self.find_seq(seq) {
                let reason = if status == 413 {
                    cat(&[
                        "HTTP 413: the backend refuses request bodies this large; its limit is below the \
                         configured maxBodyBytes (",
                        &dec(self.policy.max_body_bytes as u64),
                        ")",
                    ])
                } else {
                    field("reason")
                        .or_else(|| field("error"))
                        .and_then(Value::as_str)
                        .map_or_else(|| cat(&["HTTP ", &dec(u64::from(status))]), str::to_owned)
                };
                self.fail_permanently(i, status, reason);
            }
            return;
        }
        self.on_failure(seq, Failure::Http(status), retry_after_s, now_ms, random);
    }

    /// The page gave new credentials: sending resumes at once after a 401/403
    /// pause. Returns whether sending was paused.
    pub fn resume_auth(&mut self, now_ms: u64) -> bool {
        if self.auth_paused.take().is_none() {
            return false;
        }
        self.retry_at_ms = now_ms;
        true
    }

    /// True while a 401/403 holds sending back.
    pub fn auth_paused(&self) -> bool {
        self.auth_paused.is_some()
    }

    /// The browser's online state changed (`online`/`offline` events, or
    /// `navigator.onLine` at start). Going online makes a held-back batch
    /// eligible at once.
    pub fn set_online(&mut self, online: bool, now_ms: u64) {
        if online == self.online {
            return;
        }
        self.online = online;
        if online {
            self.retry_at_ms = now_ms;
            self.events.push(Event::Online);
        } else {
            self.events.push(Event::Offline);
        }
    }

    /// The request to make as the page goes away: as many pending batches,
    /// in order, as fit in `max_bytes` of body (the in-flight one included:
    /// the server ignores what it already has). Batches without a sequence
    /// number get one, so the layer writes the queue to storage before
    /// sending. Nothing is marked sent or acknowledged: what the server got
    /// is acknowledged by the next page load's resend; what did not fit
    /// stays queued. `None` when nothing fits or nothing is pending.
    pub fn flush_for_unload(&mut self, max_bytes: usize) -> Option<String> {
        // Without valid credentials the backend would refuse it: it waits
        // for the next launch (and its credentials) in local storage.
        if self.auth_paused.is_some() {
            return None;
        }
        let idx: Vec<usize> = (0..self.batches.len())
            .filter(|&i| self.batches.get(i).is_some_and(|b| b.state == BatchState::Pending))
            .collect();
        let head_len = self.body_of(&[]).len();
        let mut total = head_len;
        let mut take = Vec::new();
        for i in idx {
            // Measure the batch with the number it would get.
            let probe = match self.batches.get(i) {
                Some(b) => {
                    let mut b = b.clone();
                    if b.seq.is_none() {
                        // The number and key it would get: same length as the real ones.
                        b.seq = Some(self.next_seq);
                        b.key = Some(batch_key(&self.identity.registration_id, self.next_seq, &self.nonce));
                    }
                    let mut s = String::new();
                    self.write_wire_batch(&mut s, &b);
                    s.len() + usize::from(!take.is_empty())
                }
                None => break,
            };
            if total + probe > max_bytes {
                break;
            }
            total += probe;
            self.assign(i);
            take.push(i);
        }
        if take.is_empty() {
            return None;
        }
        for &i in &take {
            if let Some(seq) = self.batches.get(i).and_then(|b| b.seq) {
                self.events.push(Event::Sent { seq });
            }
        }
        Some(self.body_of(&take))
    }

    fn write_wire_batch(&self, o: &mut String, b: &Batch) {
        o.push('{');
        write_key(o, "seq", true);
        write_u64(o, b.seq.unwrap_or(0));
        write_key(o, "key", false);
        write_str(o, b.key.as_deref().unwrap_or(""));
        write_key(o, "sco", false);
        write_str(o, &b.sco_id);
        write_key(o, "reason", false);
        write_str(o, reason_str(b.reason));
        write_key(o, "full", false);
        o.push_str(if b.full { "true" } else { "false" });
        write_key(o, "ts", false);
        write_u64(o, b.created_ms);
        write_key(o, "changes", false);
        write_changes(o, &b.changes);
        o.push('}');
    }

    fn body_of(&self, idx: &[usize]) -> String {
        let id = &self.identity;
        let mut o = String::from("{");
        write_key(&mut o, "protocol", true);
        write_u64(&mut o, PROTOCOL_VERSION);
        write_identity(&mut o, id);
        write_key(&mut o, "batches", false);
        o.push('[');
        for (n, b) in idx.iter().filter_map(|&i| self.batches.get(i)).enumerate() {
            if n > 0 {
                o.push(',');
            }
            self.write_wire_batch(&mut o, b);
        }
        o.push_str("]}");
        o
    }

    /// Drop acknowledged batches, oldest first, until at most `keep` remain.
    /// Returns how many were dropped. Unacknowledged batches are never dropped.
    pub fn trim_acked(&mut self, keep: usize) -> usize {
        let acked = self.batches.iter().filter(|b| b.state == BatchState::Acked).count();
        let mut drop = acked.saturating_sub(keep);
        let n = drop;
        if drop > 0 {
            let floor = &mut self.floor;
            self.batches.retain(|b| {
                if drop > 0 && b.state == BatchState::Acked {
                    drop -= 1;
                    *floor = (*floor).max(b.order);
                    false
                } else {
                    true
                }
            });
            self.touch();
        }
        n
    }

    /// On a storage quota error: evict acknowledged batches, oldest first,
    /// until the stored text is at most `max_bytes`. `Ok(n)`: it fits after
    /// evicting n batches; `Err(n)`: it still does not fit (only
    /// unacknowledged data is left, which is never evicted: the layer keeps
    /// the queue in memory, keeps sending, and reports the error).
    pub fn evict_for_quota(&mut self, max_bytes: usize) -> Result<usize, usize> {
        let mut n = 0;
        while self.to_storage().len() > max_bytes {
            if self.trim_acked(self.batches.iter().filter(|b| b.state == BatchState::Acked).count().saturating_sub(1)) == 0 {
                return Err(n);
            }
            n += 1;
        }
        Ok(n)
    }

    /// Forget a permanently failed batch (after someone inspected it).
    /// Returns it, or `None` when `seq` is not a failed batch.
    pub fn dismiss_failed(&mut self, seq: u64) -> Option<Batch> {
        let i = self.batches.iter().position(|b| b.seq == Some(seq) && matches!(b.state, BatchState::Failed { .. }))?;
        self.touch();
        Some(self.batches.remove(i))
    }

    /// The batches the server refused for good, in queue order: kept until
    /// someone decides ([`Queue::retry_failed`], [`Queue::discard_failed`]).
    pub fn failed_batches(&self) -> impl Iterator<Item = &Batch> {
        self.batches.iter().filter(|b| matches!(b.state, BatchState::Failed { .. }))
    }

    /// The refused batches as a JSON array: `[{"id", "seq", "sco", "status",
    /// "reason", "ts", "changes": [[element, value], …]}]`.
    pub fn failed_json(&self) -> String {
        let mut o = String::from("[");
        for (n, b) in self.failed_batches().enumerate() {
            if n > 0 {
                o.push(',');
            }
            o.push('{');
            write_key(&mut o, "id", true);
            write_str(&mut o, &b.id);
            write_key(&mut o, "seq", false);
            write_u64(&mut o, b.seq.unwrap_or(0));
            write_key(&mut o, "sco", false);
            write_str(&mut o, &b.sco_id);
            if let BatchState::Failed { status, reason } = &b.state {
                write_key(&mut o, "status", false);
                write_u64(&mut o, u64::from(*status));
                write_key(&mut o, "reason", false);
                write_str(&mut o, reason);
            }
            write_key(&mut o, "ts", false);
            write_u64(&mut o, b.created_ms);
            write_key(&mut o, "changes", false);
            write_changes(&mut o, &b.changes);
            o.push('}');
        }
        o.push(']');
        o
    }

    /// Send a refused batch again (after the cause was fixed, e.g. the
    /// registration was corrected on the server): its changes go back into
    /// the queue as a new batch after every other one, with a new sequence
    /// number and key when sent; the refused one is removed. Returns the new
    /// batch's id, or `None` when `id` names no refused batch.
    pub fn retry_failed(&mut self, id: &str) -> Option<String> {
        let i = self.batches.iter().position(|b| b.id == id && matches!(b.state, BatchState::Failed { .. }))?;
        let old = self.batches.remove(i);
        let new_id = self.new_id();
        self.clock = self.clock.saturating_add(1);
        self.batches.push(Batch {
            id: new_id.clone(),
            order: self.clock,
            gen: 1,
            seq: None,
            key: None,
            attempts: 0,
            state: BatchState::Pending,
            ..old
        });
        self.sort();
        self.touch();
        self.events.push(Event::Queued { id: new_id.clone(), sco_id: self.batches.last().map(|b| b.sco_id.clone()).unwrap_or_default() });
        Some(new_id)
    }

    /// Forget a refused batch by its id (someone decided its data is not
    /// wanted). Returns it, or `None` when `id` names no refused batch.
    pub fn discard_failed(&mut self, id: &str) -> Option<Batch> {
        let i = self.batches.iter().position(|b| b.id == id && matches!(b.state, BatchState::Failed { .. }))?;
        self.touch();
        Some(self.batches.remove(i))
    }

    /// The events since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// A summary of the queue.
    pub fn status(&self, now_ms: u64) -> QueueStatus {
        QueueStatus {
            pending: self.batches.iter().filter(|b| b.state == BatchState::Pending).count(),
            in_flight: self.in_flight,
            last_acked: self.last_acked,
            failed: self
                .batches
                .iter()
                .filter_map(|b| match &b.state {
                    BatchState::Failed { status, reason } => Some((b.seq.unwrap_or(0), *status, reason.clone())),
                    _ => None,
                })
                .collect(),
            next_attempt_ms: (self.retry_at_ms > now_ms).then_some(self.retry_at_ms),
            online: self.online,
            auth_required: self.auth_paused,
            bytes: self.stored_len.get(),
            limit: self.policy.max_stored_bytes,
        }
    }

    /// The state to give a SCO on launch: the server's snapshot of `sco_id`
    /// (from `GET /api/state`; `None` when it could not be fetched) with the
    /// local batches of that SCO the server may not have applied laid over
    /// it in queue order (local wins): every pending batch, and acknowledged
    /// ones numbered after the server's `last_seq` (or all of them when there
    /// is no server state). Failed batches are not applied.
    pub fn resume_snapshot(&self, server: Option<&ServerState>, sco_id: &str) -> Snapshot {
        let mut snap = server.and_then(|s| s.scos.get(sco_id)).cloned().unwrap_or_default();
        let last = server.map_or(0, |s| s.last_seq);
        for b in self.batches.iter().filter(|b| b.sco_id == sco_id) {
            let apply = match b.state {
                BatchState::Pending => true,
                BatchState::Acked => b.seq.is_some_and(|s| s > last) || server.is_none(),
                BatchState::Failed { .. } => false,
            };
            if apply {
                if b.full {
                    snap.clear();
                }
                snap.extend(b.changes.iter().cloned());
            }
        }
        snap
    }

    /// Take note of the server's state: later sequence numbers start after
    /// its `last_seq`.
    pub fn observe_server(&mut self, server: &ServerState) {
        if server.last_seq >= self.next_seq {
            self.next_seq = server.last_seq.saturating_add(1);
            self.touch();
        }
    }

    /// Fold another copy of the queue (another tab's, or the stored one) into
    /// this one: a union of batches by id, the newest copy of each (by
    /// generation), acknowledgements never undone, counters the maximum of
    /// both. Returns an error (and changes nothing) for another identity
    /// (learner, course, registration or data model).
    pub fn merge(&mut self, other: &Queue) -> Result<(), String> {
        // Only the same learner, course, registration and data model: a
        // registration id alone may be reused by another learner or course.
        if other.identity != self.identity {
            return Err("the stored queue belongs to another learner, course, registration or data model".into());
        }
        // A batch only one side has, not yet numbered, and no newer than
        // what the *other* side has evicted, is a stale copy of an evicted
        // (acknowledged) batch: evicted batches were numbered in `order`.
        let stale = |b: &Batch, peer: &Queue| {
            b.seq.is_none() && b.order <= peer.floor && !peer.batches.iter().any(|p| p.id == b.id)
        };
        let before_len = self.batches.len();
        self.batches.retain(|b| !stale(b, other));
        let mut changed = self.batches.len() != before_len;
        let incoming: Vec<&Batch> = other.batches.iter().filter(|ob| !stale(ob, self)).collect();
        for ob in incoming {
            match self.batches.iter_mut().find(|b| b.id == ob.id) {
                Some(b) => {
                    let state = if ob.state.rank() > b.state.rank() { ob.state.clone() } else { b.state.clone() };
                    if ob.gen > b.gen {
                        *b = ob.clone();
                        changed = true;
                    }
                    if b.state != state {
                        b.state = state;
                        changed = true;
                    }
                }
                None => {
                    self.batches.push(ob.clone());
                    changed = true;
                }
            }
        }
        self.clock = self.clock.max(other.clock);
        self.next_seq = self.next_seq.max(other.next_seq);
        self.last_acked = self.last_acked.max(other.last_acked);
        self.floor = self.floor.max(other.floor);
        let before = self.rev.max(other.rev);
        // Sequence numbers are acknowledged in order, so every pending batch
        // numbered at or below the last acknowledgement was acknowledged.
        let last = self.last_acked;
        for b in self.batches.iter_mut() {
            if b.state == BatchState::Pending && b.seq.is_some_and(|s| s <= last) {
                b.state = BatchState::Acked;
                changed = true;
            }
        }
        if let Some(s) = self.in_flight {
            if self.find_seq(s).is_none() {
                self.in_flight = None;
            }
        }
        self.sort();
        self.rev = before.saturating_add(u64::from(changed));
        self.trim_acked(self.policy.keep_acked);
        Ok(())
    }

    /// True when nothing is left to deliver: no pending and no failed batch.
    pub fn delivered(&self) -> bool {
        self.batches.iter().all(|b| b.state == BatchState::Acked)
    }

    /// Two stored copies of one queue key folded into one text (a crash
    /// may leave `localStorage` and the durable copy at different points):
    /// the union of both, as [`Queue::merge`] makes it. `a` may be absent.
    pub fn merge_texts(a: Option<&str>, b: &str) -> Result<String, String> {
        let mut q = Queue::from_storage(b, "", Policy::default())?;
        if let Some(a) = a {
            q.merge_stored(a)?;
        }
        Ok(q.to_storage())
    }

    /// [`Queue::merge`] with the stored text of the queue.
    pub fn merge_stored(&mut self, text: &str) -> Result<(), String> {
        let other = Queue::from_storage(text, &self.nonce, self.policy.clone())?;
        self.merge(&other)
    }

    /// The persistent part as compact JSON (`localStorage` value).
    pub fn to_storage(&self) -> String {
        let id = &self.identity;
        let mut o = String::from("{");
        let num = |o: &mut String, k: &str, n: u64| {
            write_key(o, k, false);
            write_u64(o, n);
        };
        write_key(&mut o, "v", true);
        write_u64(&mut o, STORAGE_FORMAT);
        num(&mut o, "rev", self.rev);
        num(&mut o, "clock", self.clock);
        num(&mut o, "next_seq", self.next_seq);
        num(&mut o, "acked", self.last_acked);
        if self.floor > 0 {
            num(&mut o, "floor", self.floor);
        }
        write_identity(&mut o, id);
        write_key(&mut o, "batches", false);
        o.push('[');
        for (n, b) in self.batches.iter().enumerate() {
            if n > 0 {
                o.push(',');
            }
            o.push('{');
            write_key(&mut o, "id", true);
            write_str(&mut o, &b.id);
            num(&mut o, "o", b.order);
            num(&mut o, "g", b.gen);
            if let (Some(seq), Some(key)) = (b.seq, &b.key) {
                num(&mut o, "seq", seq);
                write_key(&mut o, "key", false);
                write_str(&mut o, key);
            }
            write_key(&mut o, "sco", false);
            write_str(&mut o, &b.sco_id);
            write_key(&mut o, "r", false);
            write_str(&mut o, reason_str(b.reason));
            if b.full {
                write_key(&mut o, "full", false);
                o.push_str("true");
            }
            num(&mut o, "ts", b.created_ms);
            if b.attempts > 0 {
                num(&mut o, "tries", u64::from(b.attempts));
            }
            match &b.state {
                BatchState::Pending => {}
                BatchState::Acked => {
                    write_key(&mut o, "s", false);
                    write_str(&mut o, "a");
                }
                BatchState::Failed { status, reason } => {
                    write_key(&mut o, "s", false);
                    write_str(&mut o, "f");
                    num(&mut o, "status", u64::from(*status));
                    write_key(&mut o, "why", false);
                    write_str(&mut o, reason);
                }
            }
            write_key(&mut o, "ch", false);
            write_changes(&mut o, &b.changes);
            o.push('}');
        }
        o.push_str("]}");
        self.stored_len.set(o.len());
        o
    }

    /// Everything but the events, for another instance of this code in the
    /// same page to go on with the queue ([`Queue::from_handover`]: the
    /// course engine taking over from the run-time module when a page opens
    /// a package). A line with this page load's part (nonce, batch counter,
    /// the request in flight, the retry time, online), then the stored text.
    /// The layer takes the events first.
    pub fn to_handover(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "nonce", true);
        write_str(&mut o, &self.nonce);
        for (k, n) in [("counter", self.counter), ("in_flight", self.in_flight.unwrap_or(0)), ("retry_at", self.retry_at_ms)] {
            write_key(&mut o, k, false);
            write_u64(&mut o, n);
        }
        write_key(&mut o, "online", false);
        o.push_str(if self.online { "true" } else { "false" });
        o.push_str("}\n");
        o.push_str(&self.to_storage());
        o
    }

    /// The queue [`Queue::to_handover`] wrote, with `policy`.
    pub fn from_handover(text: &str, policy: Policy) -> Result<Queue, String> {
        let (own, stored) = text.split_once('\n').ok_or("not a queue hand-over")?;
        let v = json::parse(own)?;
        let n = |k: &str| v.get(k).and_then(Value::as_u64).ok_or_else(|| cat(&["missing ", k]));
        let nonce = v.get("nonce").and_then(Value::as_str).ok_or("missing nonce")?;
        let mut q = Queue::from_storage(stored, nonce, policy)?;
        q.counter = n("counter")?;
        q.in_flight = Some(n("in_flight")?).filter(|&seq| seq > 0);
        q.retry_at_ms = n("retry_at")?;
        q.online = !matches!(v.get("online"), Some(Value::Bool(false)));
        Ok(q)
    }

    /// Read a stored queue. `nonce` and `policy` are this tab's.
    pub fn from_storage(text: &str, nonce: &str, policy: Policy) -> Result<Queue, String> {
        let v = json::parse(text)?;
        if v.get("v").and_then(Value::as_u64) != Some(STORAGE_FORMAT) {
            return Err("unknown stored queue format".into());
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| cat(&["missing ", k]));
        let n = |k: &str| v.get(k).and_then(Value::as_u64).ok_or_else(|| cat(&["missing ", k]));
        let identity = Identity {
            learner_id: s("learner")?,
            course_id: s("course")?,
            registration_id: s("registration")?,
            version: DataModel::parse(&s("version")?).ok_or("unknown data model")?,
        };
        let mut q = Queue::new(identity, nonce, policy);
        q.rev = n("rev")?;
        q.clock = n("clock")?;
        q.next_seq = n("next_seq")?.max(1);
        q.last_acked = n("acked")?;
        q.floor = v.get("floor").and_then(Value::as_u64).unwrap_or(0);
        for b in v.get("batches").and_then(Value::as_arr).ok_or("missing batches")? {
            q.batches.push(read_batch(b)?);
        }
        q.sort();
        Ok(q)
    }
}

fn write_changes(o: &mut String, changes: &ChangeSet) {
    o.push('[');
    for (n, (k, v)) in changes.iter().enumerate() {
        if n > 0 {
            o.push(',');
        }
        o.push('[');
        write_str(o, k);
        o.push(',');
        write_str(o, v);
        o.push(']');
    }
    o.push(']');
}

/// Read a `[["element","value"],…]` list.
pub fn read_changes(v: &Value) -> Result<ChangeSet, String> {
    let mut out = ChangeSet::new();
    for pair in v.as_arr().ok_or("changes must be an array")? {
        match pair.as_arr() {
            Some([Value::Str(k), Value::Str(v)]) => out.push((k.clone(), v.clone())),
            _ => return Err("a change must be [element, value] strings".into()),
        }
    }
    Ok(out)
}

fn read_batch(v: &Value) -> Result<Batch, String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| cat(&["batch: missing ", k]));
    let n = |k: &str| v.get(k).and_then(Value::as_u64).ok_or_else(|| cat(&["batch: missing ", k]));
    let seq = v.get("seq").and_then(Value::as_u64);
    let key = v.get("key").and_then(Value::as_str).map(str::to_owned);
    if seq.is_some() != key.is_some() {
        return Err("batch: seq and key go together".into());
    }
    let state = match v.get("s").and_then(Value::as_str) {
        None => BatchState::Pending,
        Some("a") => BatchState::Acked,
        Some("f") => BatchState::Failed {
            status: u16::try_from(n("status")?).map_err(|_| "batch: bad status")?,
            reason: s("why")?,
        },
        Some(_) => return Err("batch: unknown state".into()),
    };
    Ok(Batch {
        id: s("id")?,
        order: n("o")?,
        gen: n("g")?,
        seq,
        key,
        sco_id: s("sco")?,
        reason: match s("r")?.as_str() {
            "terminate" => PersistReason::Terminate,
            _ => PersistReason::Commit,
        },
        full: v.get("full").and_then(Value::as_bool).unwrap_or(false),
        created_ms: n("ts")?,
        attempts: v.get("tries").and_then(Value::as_u64).map_or(0, |t| u32::try_from(t).unwrap_or(u32::MAX)),
        state,
        changes: read_changes(v.get("ch").ok_or("batch: missing ch")?)?,
    })
}

#[cfg(test)]
mod tests;
