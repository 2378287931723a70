//! The browser layer: the one object the JavaScript installer holds, with the
//! SCORM 1.2 and SCORM 2004 methods the `window.API` and
//! `window.API_1484_11` objects forward to, plus configuration, logging and
//! local storage. All SCORM logic lives in [`crate::engine`]; this module
//! only moves strings across the JS boundary and does the I/O.
//!
//! Results that are "true"/"false" cross the boundary as booleans and error
//! codes as numbers: the JS installer turns them back into the strings SCORM
//! requires, which keeps string returns (and their glue) off most calls.
//! Calls that take or return several strings, or a result or an error, pass
//! one string in the encoding of [`crate::engine::strlist`] (one decoder in
//! the installer, `scormShimList`), instead of wasm-bindgen's conversions of
//! `Vec<String>`, `Option` and `Result`, which add glue per export.

mod bridge;
mod course;
mod handover;
mod storage;
#[cfg(feature = "testing")]
mod testing;

use wasm_bindgen::prelude::*;

use crate::engine::config::{Config, ConfigError, LogLevel};
use crate::engine::persist::{DataModel, Failure, ServerState};
use crate::engine::rte::ApiState;
use crate::engine::num::dec;
use crate::engine::text::cat;
use crate::engine::{scorm12, scorm2004, strlist};
use storage::LocalHost;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    pub(crate) fn console_error(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = info)]
    fn console_info(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = debug)]
    fn console_debug(s: &str);
}

/// The shim: configuration, one API instance per SCORM version, and the
/// local-first host that stores what they commit.
#[wasm_bindgen]
pub struct Shim {
    config: Config,
    api12: scorm12::Api,
    api2004: scorm2004::Api,
    host12: LocalHost,
    host2004: LocalHost,
    nonce: String,
    /// The package being played, when the page opened one.
    #[cfg(feature = "course")]
    course: Option<crate::engine::course::Course>,
    /// The activity delivered last.
    #[cfg(feature = "course")]
    current: Option<crate::engine::course::LaunchInfo>,
    /// The navigation request the last SCO left at Terminate.
    #[cfg(feature = "course")]
    pending: Option<crate::engine::sequencing::NavigationRequest>,
    /// The installer's exchange buffer for GetValue/SetValue: element and
    /// value in (UTF-8), a short ASCII result out. See [`Shim::io_buffer`].
    io: Vec<u8>,
    /// A GetValue result that did not fit `io` as ASCII, until taken.
    io_result: String,
    /// Set once content was launched (the first Initialize/LMSInitialize,
    /// or a package's first delivery): the configuration no longer changes.
    frozen: bool,
    /// Set once a package's activity was delivered: the package in play
    /// cannot be swapped for another (`openCourse`) until a new session.
    playing: bool,
    /// Events of the shim itself (JSON), until taken.
    notices: Vec<String>,
    /// What the current API instances were built from (a bridge session
    /// hands it to the content origin: `bridge.rs`).
    inputs: bridge::Inputs,
}

/// A random id for this page load's queue key and idempotency keys: 16 hex
/// digits from `crypto.getRandomValues` (another page must not be able to
/// guess the idempotency keys of this one's batches).
fn new_nonce() -> String {
    let mut bytes = [0u8; 8];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto (never in a browser that runs this module): the
        // page's clock and Math.random, still unique per page load.
        console_error("scorm-shim: crypto.getRandomValues is not available; the queue nonce is not secret");
        let t = js_sys::Date::now() as u64;
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = ((t >> (8 * (i % 4))) as u8) ^ ((js_sys::Math::random() * 256.0) as u8);
        }
    }
    let mut s = String::with_capacity(16);
    for b in bytes {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    s
}

/// The text of bytes `from..to` of the exchange buffer ("" when not UTF-8:
/// the installer writes with TextEncoder, which always produces UTF-8).
fn io_text(io: &[u8], from: usize, to: usize) -> &str {
    io.get(from..to).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
}

/// The `[key, value, …]` pairs of a list ([`strlist`]) the installer
/// encoded; none when the text is not a list (never from the installer).
fn pairs_of(flat: &str) -> impl Iterator<Item = (&str, &str)> {
    let list = strlist::decode(flat).unwrap_or_default();
    (0..list.len() / 2).map(move |i| (list[2 * i], list[2 * i + 1]))
}

fn launch12(c: &Config) -> scorm12::Launch {
    scorm12::Launch {
        student_id: c.learner_id.clone(),
        student_name: c.learner_name.clone(),
        credit: c.credit,
        lesson_mode: c.mode.clone(),
        launch_data: c.launch_data.clone(),
        comments_from_lms: c.comments_from_lms.clone(),
        suspend_data_limit: c.effective_suspend_data_limit(),
        max_value_chars: c.max_value_chars(),
        ..scorm12::Launch::default()
    }
}

/// The SCORM 2004 API of a SCO that no sequencer delivers (a single-SCO
/// page, a relaunch, a reload): a learner attempt that ended starts anew, or
/// is reviewed when the configuration says so ([`scorm2004::relaunch`]).
fn api2004_outside_course(c: &Config, host: &mut LocalHost, inputs: &mut bridge::Inputs) -> scorm2004::Api {
    let saved = host.load();
    let had_state = saved.is_some();
    let (launch, saved, new_attempt) = scorm2004::relaunch(launch2004(c), saved, c.review_ended_attempt);
    // The new attempt's first batch replaces the ended attempt's stored state;
    // a review of the ended attempt records nothing (it stays as it ended).
    host.full_next = new_attempt;
    host.review_only = had_state && launch.mode == "review" && c.mode != "review";
    bridge::new_api2004(inputs, launch, saved, None)
}

fn launch2004(c: &Config) -> scorm2004::Launch {
    scorm2004::Launch {
        learner_id: c.learner_id.clone(),
        learner_name: c.learner_name.clone(),
        credit: c.credit,
        mode: c.mode.clone(),
        launch_data: c.launch_data.clone(),
        limits: c.value_limits(),
        ..scorm2004::Launch::default()
    }
}

impl Shim {
    /// A shim with `config`, whose queue keys and batch ids use `nonce`
    /// (this page load's: [`Shim::new`] draws one).
    fn with(config: Config, nonce: String) -> Shim {
        let mut host12 = LocalHost::new(&config, DataModel::Scorm12, &nonce);
        let mut host2004 = LocalHost::new(&config, DataModel::Scorm2004, &nonce);
        let mut inputs = bridge::Inputs::default();
        let api12 = bridge::new_api12(&mut inputs, launch12(&config), host12.load());
        let api2004 = api2004_outside_course(&config, &mut host2004, &mut inputs);
        Shim { config, api12, api2004, host12, host2004, nonce, io: Vec::new(), io_result: String::new(),
            frozen: false,
            playing: false,
            notices: Vec::new(),
            inputs,
            #[cfg(feature = "course")]
            course: None,
            #[cfg(feature = "course")]
            current: None,
            #[cfg(feature = "course")]
            pending: None,
        }
    }

    fn log(&self, level: LogLevel, msg: &str) {
        if level == LogLevel::Off || level > self.config.log_level {
            return;
        }
        match level {
            LogLevel::Error => console_error(msg),
            LogLevel::Warn => console_warn(msg),
            LogLevel::Info => console_info(msg),
            _ => console_debug(msg),
        }
    }

    /// The messages of `errors`, as a list ([`strlist`]).
    fn report(&self, errors: &[ConfigError]) -> String {
        let mut out = String::new();
        for e in errors {
            let s = e.line();
            // Configuration mistakes are always shown, whatever the log level.
            console_error(&s);
            strlist::push(&mut out, &s);
        }
        out
    }

    /// Fresh API instances for the configured learner, registration and SCO,
    /// resuming from what local storage holds.
    fn launch(&mut self) {
        self.launch_with(false);
    }

    /// [`Shim::launch`]; with `reuse_idle`, an API instance that was never
    /// initialized is kept (its error state cleared) when its stored state
    /// did not change: a new instance would be the same. The relaunch of one
    /// SCORM version then does not rebuild the other.
    fn launch_with(&mut self, reuse_idle: bool) {
        let server12 = self.host12.slot.as_mut().and_then(|s| s.server.take());
        let server2004 = self.host2004.slot.as_mut().and_then(|s| s.server.take());
        let queue12 = self.host12.slot.take().map(|s| s.queue);
        let queue2004 = self.host2004.slot.take().map(|s| s.queue);
        // In a course, each activity's data is kept under its own id.
        #[cfg_attr(not(feature = "course"), allow(unused_mut))]
        let mut config = self.config.clone();
        #[cfg(feature = "course")]
        if let Some(info) = &self.current {
            config.sco_id = info.activity_id.clone();
        }
        let mut host12 = LocalHost::new(&config, DataModel::Scorm12, &self.nonce);
        let mut host2004 = LocalHost::new(&config, DataModel::Scorm2004, &self.nonce);
        host12.carry_from(&mut self.host12);
        host2004.carry_from(&mut self.host2004);
        #[cfg(feature = "course")]
        let reuse = reuse_idle && self.course.is_none();
        #[cfg(not(feature = "course"))]
        let reuse = reuse_idle;
        let keep12 = reuse && self.api12.state() == ApiState::NotInitialized && host12.same_state_as(&mut self.host12);
        let keep2004 =
            reuse && self.api2004.state() == ApiState::NotInitialized && host2004.same_state_as(&mut self.host2004);
        self.host12 = host12;
        self.host2004 = host2004;
        // Same registration: keep the queue this page already holds (with
        // what it took over from stored queues). A course player learns the
        // course from the package after the page started: the queue of the
        // same learner, registration and data model then goes on with it.
        for (host, queue, server) in [(&mut self.host12, queue12, server12), (&mut self.host2004, queue2004, server2004)] {
            if let Some(slot) = host.slot.as_mut() {
                let (want, course) = (slot.queue.identity(), slot.queue.identity().course_id.clone());
                if let Some(mut q) = queue.filter(|q| {
                    let have = q.identity();
                    have.learner_id == want.learner_id && have.registration_id == want.registration_id && have.version == want.version
                }) {
                    q.set_course(&course);
                    slot.queue = q;
                    slot.server = server;
                }
            }
        }
        #[cfg(feature = "course")]
        if self.launch_in_course() {
            return;
        }
        if keep12 {
            self.api12.clear_error();
        } else {
            self.api12 = bridge::new_api12(&mut self.inputs, launch12(&self.config), self.host12.load());
        }
        if keep2004 {
            self.api2004.clear_error();
        } else {
            self.api2004 = api2004_outside_course(&self.config, &mut self.host2004, &mut self.inputs);
        }
    }

    fn slots(&mut self) -> impl Iterator<Item = &mut storage::QueueSlot> {
        self.host12.slot.as_mut().into_iter().chain(self.host2004.slot.as_mut())
    }

    fn slot(&mut self, version: &str) -> Option<&mut storage::QueueSlot> {
        match version {
            "1.2" => self.host12.slot.as_mut(),
            "2004" => self.host2004.slot.as_mut(),
            _ => None,
        }
    }

    /// Log one API call at debug level. `error` is only asked for when the
    /// line is written: every API call passes through here.
    fn trace(&self, call: &str, args: &[&str], result: &str, error: impl FnOnce() -> String) {
        if self.config.log_level >= LogLevel::Debug {
            let error = error();
            let mut line = cat(&["scorm-shim: ", call, "("]);
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    line.push_str(", ");
                }
                line.push('"');
                line.push_str(a);
                line.push('"');
            }
            line.push_str(") -> \"");
            line.push_str(result);
            line.push_str("\" [error ");
            line.push_str(&error);
            line.push(']');
            self.log(LogLevel::Debug, &line);
        }
    }
}

#[wasm_bindgen]
impl Shim {
    /// A shim configured from the list ([`strlist`]) `[key, value, key,
    /// value, ...]`; bad entries are reported on the console naming the
    /// key, and defaults stay in force.
    #[wasm_bindgen(constructor)]
    pub fn new(flat_config: &str) -> Shim {
        let (config, errors) = Config::from_pairs(pairs_of(flat_config));
        let mut shim = Shim::with(config, new_nonce());
        if shim.config.storage_ids().is_none() {
            let msg = "scorm-shim: no learnerId and registrationId configured: nothing is stored on this device or sent \
                       to a backend; the session keeps its data in memory only";
            if shim.config.learner_id_set {
                // A course player: the package opened next names the registration.
                shim.log(LogLevel::Info, "scorm-shim: no registrationId yet: nothing is stored until a package opened with course.open() names one");
            } else {
                console_error(msg);
            }
            let mut e = String::from("{\"type\":\"storageDisabled\",\"message\":");
            crate::engine::persist::json::write_str(&mut e, msg);
            e.push('}');
            shim.notices.push(e);
        }
        shim.report(&errors);
        shim
    }

    /// Apply more configuration (the `ScormShim.configure({...})` call), a
    /// list as for [`Shim::new`]. Returns the rejected entries' messages
    /// (a list), or an error ([`strlist::error`]). Once content has been
    /// launched the configuration is frozen: the call throws and changes
    /// nothing (only [`Shim::set_credentials`] is allowed then), so content
    /// on the page's origin cannot switch learner, registration or endpoint.
    pub fn configure(&mut self, flat_config: &str) -> String {
        if self.frozen || self.api12.state() == ApiState::Running || self.api2004.state() == ApiState::Running {
            let msg = "scorm-shim: the configuration is frozen once content has been launched (Initialize, LMSInitialize \
                       or a package's first activity); configure() changed nothing. Only setCredentials() is allowed now.";
            console_error(msg);
            return strlist::error(msg);
        }
        let errors = self.config.apply(pairs_of(flat_config));
        self.launch();
        self.report(&errors)
    }

    /// Freeze the configuration: the player launches a package's activity
    /// (`course`: then no other package may be opened either), or the
    /// installer restores the frozen state on a new instance after a fault.
    pub fn freeze(&mut self, course: bool) {
        self.frozen = true;
        self.playing |= course;
    }

    /// Let the configuration change again for a new session (the author
    /// preview plays session after session with other settings). Refused
    /// (false) while a SCO session runs. The installer offers it only on the
    /// ES module handle, which content cannot reach.
    pub fn thaw(&mut self) -> bool {
        if self.api12.state() == ApiState::Running || self.api2004.state() == ApiState::Running {
            return false;
        }
        self.frozen = false;
        self.playing = false;
        true
    }

    /// New backend credentials (`headers`: `Name: value` lines as for the
    /// `headers` key), allowed at any time: after a 401/403 sending resumes.
    /// Returns the rejected entries' messages, a list (nothing changes then).
    #[wasm_bindgen(js_name = setCredentials)]
    pub fn set_credentials(&mut self, headers: &str) -> String {
        let errors = self.config.apply([("headers", headers)]);
        if !errors.is_empty() {
            return self.report(&errors);
        }
        let now = js_sys::Date::now() as u64;
        for slot in self.slots() {
            slot.queue.resume_auth(now);
        }
        String::new()
    }

    /// The configured request headers as the list `[name, value, …]`, for
    /// the transport only: the public object never returns them.
    #[wasm_bindgen(js_name = requestHeaders)]
    pub fn request_headers(&self) -> String {
        strlist::encode(self.config.headers.iter().flat_map(|(n, v)| [n, v]))
    }

    /// The fetch credentials mode for backend requests.
    #[wasm_bindgen(js_name = credentialsMode)]
    pub fn credentials_mode(&self) -> String {
        self.config.credentials.as_str().into()
    }

    /// The registration whose state the transport asks the backend for.
    #[wasm_bindgen(js_name = registrationId)]
    pub fn registration_id(&self) -> String {
        self.config.registration_id.clone()
    }

    /// The longest value (in characters) any element accepts: the
    /// installer cuts longer arguments to one past it before they cross
    /// into WebAssembly, so no call can exhaust the module's memory.
    #[wasm_bindgen(js_name = maxValueChars)]
    pub fn max_value_chars(&self) -> usize {
        self.config.max_value_chars().max(self.config.effective_suspend_data_limit())
    }

    // ---- Durable copy and local data: driven by js/durable.js ------------

    /// The local writes since the last call, as the list `[op, key, value,
    /// …]` (op "p": put, "d": delete), for the installer to write to IndexedDB.
    #[wasm_bindgen(js_name = takeWrites)]
    pub fn take_writes(&mut self) -> String {
        storage::take_journal()
    }

    /// The prefix of every key of this registration ("" when nothing is
    /// stored): what the installer restores from the durable copy at start.
    #[wasm_bindgen(js_name = registrationPrefix)]
    pub fn registration_prefix(&self) -> String {
        self.config.storage_ids().map(|ids| ids.registration_prefix()).unwrap_or_default()
    }

    /// Bring `localStorage` up to the durable copy of `key` (see
    /// [`storage::restore`]). Returns whether anything changed.
    #[wasm_bindgen(js_name = restoreRecord)]
    pub fn restore_record(&mut self, key: &str, durable: &str) -> bool {
        let prefix = self.registration_prefix();
        if prefix.is_empty() || !key.starts_with(&prefix) {
            return false;
        }
        match storage::restore(&self.config.storage_prefix, key, durable) {
            Ok(changed) => changed,
            Err(e) => {
                console_error(&cat(&["scorm-shim: the durable copy of ", key, " could not be restored: ", &e]));
                false
            }
        }
    }

    /// Remove this learner's local data (a logout on a shared device):
    /// every key of the learner, in every course and registration. Without
    /// `force`, a registration whose queue still holds undelivered batches
    /// (pending or refused) is kept whole. Afterwards this page stores
    /// nothing more. Returns the list `[removed, kept registrations, learner
    /// prefix]`.
    pub fn purge(&mut self, force: bool) -> String {
        let Some(ids) = self.config.storage_ids() else {
            return strlist::encode(["0", "0", ""]);
        };
        let prefix = self.config.storage_prefix.clone();
        let learner = ids.learner_prefix();
        let all = storage::keys_with_prefix(&learner);
        // The registration prefixes that still hold undelivered batches.
        let mut keep: Vec<String> = Vec::new();
        let mut hold = |p: String| {
            if !keep.contains(&p) {
                keep.push(p);
            }
        };
        if !force {
            if self.host12.slot.as_ref().is_some_and(|s| !s.queue.delivered())
                || self.host2004.slot.as_ref().is_some_and(|s| !s.queue.delivered())
            {
                hold(ids.registration_prefix());
            }
            for k in &all {
                let Some(reg) = crate::engine::persist::keys::queue_key_registration(&prefix, k) else { continue };
                let delivered = storage::read(k)
                    .and_then(|t| crate::engine::persist::Queue::from_storage(&t, "", Default::default()).ok())
                    .map_or(true, |q| q.delivered());
                if !delivered {
                    hold(reg.to_owned());
                }
            }
        }
        let mut removed = 0u64;
        for k in &all {
            if !keep.iter().any(|p| k.starts_with(p.as_str())) {
                storage::remove(k);
                removed += 1;
            }
        }
        if keep.is_empty() {
            // Nothing of this learner is left: store nothing more.
            self.config.learner_id_set = false;
            let sco = self.config.sco_id.clone();
            self.host12 = LocalHost::memory_only(&sco);
            self.host2004 = LocalHost::memory_only(&sco);
        }
        strlist::encode([dec(removed), dec(keep.len() as u64), learner])
    }

    /// Start a new launch of the configured SCO (after the previous one
    /// terminated): the API instances start over from stored state.
    pub fn relaunch(&mut self) {
        self.launch_with(true);
    }

    /// True while no SCO session has started on either API instance (a
    /// relaunch would lose nothing).
    pub fn idle(&self) -> bool {
        self.api12.state() == ApiState::NotInitialized && self.api2004.state() == ApiState::NotInitialized
    }

    /// The effective configuration, as the list `[key, value, ...]`.
    #[wasm_bindgen(js_name = configEntries)]
    pub fn config_entries(&self) -> String {
        let c = &self.config;
        let v: [String; 32] = [
            "endpoint".into(),
            c.endpoint.clone().unwrap_or_default(),
            "learnerId".into(),
            c.learner_id.clone(),
            "learnerName".into(),
            c.learner_name.clone(),
            "courseId".into(),
            c.course_id.clone(),
            "registrationId".into(),
            c.registration_id.clone(),
            "scoId".into(),
            c.sco_id.clone(),
            "versions".into(),
            c.versions.as_str().into(),
            "storagePrefix".into(),
            c.storage_prefix.clone(),
            "commitInterval".into(),
            dec(u64::from(c.commit_interval_ms)),
            "logLevel".into(),
            c.log_level.as_str().into(),
            "credentials".into(),
            c.credentials.as_str().into(),
            "credit".into(),
            (if c.credit { "credit" } else { "no-credit" }).into(),
            "mode".into(),
            c.mode.clone(),
            "scorm12SuspendDataLimit".into(),
            dec(c.scorm12_suspend_data_limit as u64),
            "packageOrigins".into(),
            c.package_origins.join(","),
            "endedAttempt".into(),
            (if c.review_ended_attempt { "review" } else { "new" }).into(),
        ];
        // Headers (credentials) are never given back: same-origin content
        // can call this through the page's ScormShim object.
        strlist::encode(v)
    }

    /// True when `window.API` (SCORM 1.2) is to be installed.
    #[wasm_bindgen(js_name = has12)]
    pub fn has_12(&self) -> bool {
        self.config.versions.has_12()
    }

    /// True when `window.API_1484_11` (SCORM 2004) is to be installed.
    #[wasm_bindgen(js_name = has2004)]
    pub fn has_2004(&self) -> bool {
        self.config.versions.has_2004()
    }

    /// The data models as a debugger shows them (the author preview's
    /// inspector), as JSON: `{"1.2": {state, elements}, "2004": {state,
    /// elements}}`, `state` one of `notInitialized`, `running`,
    /// `terminated`, `elements` `[[name, value], …]`. Reads nothing through
    /// the API: the SCO's error state stays as it is.
    #[wasm_bindgen(js_name = dataModel)]
    pub fn data_model(&self) -> String {
        fn state(s: ApiState) -> &'static str {
            match s {
                ApiState::NotInitialized => "notInitialized",
                ApiState::Running => "running",
                ApiState::Terminated => "terminated",
            }
        }
        use crate::engine::views::data_model_json;
        cat(&[
            "{\"1.2\":",
            &data_model_json(state(self.api12.state()), &self.api12.inspect()),
            ",\"2004\":",
            &data_model_json(state(self.api2004.state()), &self.api2004.inspect()),
            "}",
        ])
    }

    // ---- Commit queue: driven by js/transport.js --------------------------

    /// The backend endpoint, or "" when the page keeps data locally only.
    pub fn endpoint(&self) -> String {
        self.config.endpoint.clone().unwrap_or_default()
    }

    /// This page load's queue keys, the list `[prefix, own key, …]`, one
    /// pair per data model (empty without an endpoint).
    #[wasm_bindgen(js_name = queueKeys)]
    pub fn queue_keys(&mut self) -> String {
        let mut out = String::new();
        for s in self.slots() {
            strlist::push(&mut out, &s.prefix);
            strlist::push(&mut out, &s.own_key);
        }
        out
    }

    /// The next request to make: the list `[version, seq, body]`, or `[]`.
    #[wasm_bindgen(js_name = nextToSend)]
    pub fn next_to_send(&mut self, now: f64) -> String {
        for slot in self.slots() {
            if let Some(out) = slot.queue.next_to_send(now as u64) {
                // The number and key are fixed before the request leaves, so
                // a reload re-sends the same idempotency key.
                let _ = slot.save();
                return strlist::encode([slot.queue.identity().version.as_str(), &dec(out.seq), &out.body]);
            }
        }
        String::new()
    }

    /// Milliseconds until the queue wants to be pumped again; -1 for never.
    #[wasm_bindgen(js_name = nextWakeup)]
    pub fn next_wakeup(&mut self, now: f64) -> f64 {
        let now = now as u64;
        self.slots()
            .filter_map(|s| s.queue.next_wakeup(now))
            .min()
            .map_or(-1.0, |at| at.saturating_sub(now) as f64)
    }

    /// The backend answered `status` (with `body`) to batch `seq`.
    /// `retry_after` is in seconds, negative when the answer had none.
    #[wasm_bindgen(js_name = onResponse)]
    #[allow(clippy::too_many_arguments)]
    pub fn on_response(&mut self, version: &str, seq: f64, status: u16, body: &str, retry_after: f64, now: f64, random: f64) {
        let ra = (retry_after >= 0.0).then_some(retry_after.ceil() as u64);
        if let Some(slot) = self.slot(version) {
            slot.queue.on_response(seq as u64, status, body, ra, now as u64, random);
            let _ = slot.save();
        }
    }

    /// The request for batch `seq` got no answer (`timeout`: it was aborted).
    #[wasm_bindgen(js_name = onNetworkFailure)]
    pub fn on_network_failure(&mut self, version: &str, seq: f64, timeout: bool, now: f64, random: f64) {
        if let Some(slot) = self.slot(version) {
            let kind = if timeout { Failure::Timeout } else { Failure::Network };
            slot.queue.on_failure(seq as u64, kind, None, now as u64, random);
            let _ = slot.save();
        }
    }

    /// The browser went online or offline.
    #[wasm_bindgen(js_name = setOnline)]
    pub fn set_online(&mut self, online: bool, now: f64) {
        for slot in self.slots() {
            slot.queue.set_online(online, now as u64);
        }
    }

    /// Bodies to send with `sendBeacon`/keepalive as the page goes away, at
    /// most `budget` bytes in all, as a list. The queue is written first.
    #[wasm_bindgen(js_name = unloadBodies)]
    pub fn unload_bodies(&mut self, budget: usize) -> String {
        let mut left = budget;
        let mut out = String::new();
        for slot in self.slots() {
            if let Some(body) = slot.queue.flush_for_unload(left) {
                let _ = slot.save();
                left = left.saturating_sub(body.len());
                strlist::push(&mut out, &body);
            }
        }
        out
    }

    /// Fold another page's stored queue (`key` → `text`) into this page's.
    /// With `save`, write this page's queue afterwards (the sender tab does,
    /// so it can remove the other key); returns whether everything succeeded.
    #[wasm_bindgen(js_name = mergeForeign)]
    pub fn merge_foreign(&mut self, key: &str, text: &str, save: bool) -> bool {
        let Some(slot) = self.slots().find(|s| key.starts_with(&s.prefix) && key != s.own_key) else {
            return false;
        };
        if let Err(e) = slot.queue.merge_stored(text) {
            console_error(&cat(&["scorm-shim: stored queue ", key, " not merged: ", &e]));
            return false;
        }
        !save || slot.save().is_ok()
    }

    /// The backend's answer to `GET <endpoint>?registration=...`: later
    /// launches resume from it (with local unacknowledged batches on top).
    /// Returns "", or why the answer could not be read.
    #[wasm_bindgen(js_name = observeServer)]
    pub fn observe_server(&mut self, text: &str) -> String {
        let state = match ServerState::parse(text) {
            Ok(s) => s,
            Err(e) => return cat(&["scorm-shim: the backend's state could not be read: ", &e]),
        };
        for slot in self.slots() {
            slot.queue.observe_server(&state);
            slot.server = Some(state.clone());
        }
        self.course_observed_server(&state);
        String::new()
    }

    /// Events since the last call, a list of JSON texts
    /// (`{"type":"acknowledged",...}`).
    #[wasm_bindgen(js_name = takeEvents)]
    pub fn take_events(&mut self) -> String {
        let mut out = strlist::encode(std::mem::take(&mut self.notices));
        for host in [&mut self.host12, &mut self.host2004] {
            for message in host.errors.drain(..) {
                let mut e = String::from("{\"type\":\"storageError\",\"message\":");
                crate::engine::persist::json::write_str(&mut e, &message);
                e.push('}');
                strlist::push(&mut out, &e);
            }
        }
        for slot in self.slots() {
            for e in slot.queue.take_events() {
                strlist::push(&mut out, &e.to_json());
            }
        }
        out
    }

    /// The queue status as JSON, one entry per data model.
    #[wasm_bindgen(js_name = queueStatus)]
    pub fn queue_status(&mut self, now: f64) -> String {
        let parts: Vec<String> = self
            .slots()
            .map(|s| {
                let mut o = String::from("\"");
                o.push_str(s.queue.identity().version.as_str());
                o.push_str("\":");
                o.push_str(&s.queue.status(now as u64).to_json());
                o
            })
            .collect();
        cat(&["{", &parts.join(","), "}"])
    }

    /// The batches the backend refused for good, as JSON: `{"1.2": [...],
    /// "2004": [...]}` ([`crate::engine::persist::Queue::failed_json`]).
    #[wasm_bindgen(js_name = failedBatches)]
    pub fn failed_batches(&mut self) -> String {
        let parts: Vec<String> = self
            .slots()
            .map(|s| cat(&["\"", s.queue.identity().version.as_str(), "\":", &s.queue.failed_json()]))
            .collect();
        cat(&["{", &parts.join(","), "}"])
    }

    /// Send the refused batch `id` again (`retry`) or discard it; the queue
    /// is written. Returns whether a refused batch of that id was found.
    #[wasm_bindgen(js_name = decideFailed)]
    pub fn decide_failed(&mut self, id: &str, retry: bool) -> bool {
        for slot in self.slots() {
            let done = if retry { slot.queue.retry_failed(id).is_some() } else { slot.queue.discard_failed(id).is_some() };
            if done {
                if let Err(e) = slot.save() {
                    console_error(&cat(&["scorm-shim: the queue could not be stored after the decision: ", &e]));
                }
                return true;
            }
        }
        false
    }

    // ---- GetValue cache of the installer -----------------------------------

    /// True when every API call is logged (log level `debug`): the installer
    /// then calls in for every GetValue instead of answering from its cache.
    #[wasm_bindgen(js_name = tracesCalls)]
    pub fn traces_calls(&self) -> bool {
        self.config.log_level >= LogLevel::Debug
    }

    /// A GetValue answered from the installer's cache succeeded: reset the
    /// SCORM 1.2 error state as the call would have.
    #[wasm_bindgen(js_name = clearError12)]
    pub fn clear_error_12(&mut self) {
        self.api12.clear_error();
    }

    /// A GetValue answered from the installer's cache succeeded: reset the
    /// SCORM 2004 error state as the call would have.
    #[wasm_bindgen(js_name = clearError2004)]
    pub fn clear_error_2004(&mut self) {
        self.api2004.clear_error();
    }

    // ---- Exchange buffer: GetValue/SetValue without the generic glue -------
    //
    // The generic string glue allocates in linear memory for every argument,
    // frees afterwards, and decodes every result with TextDecoder: most of
    // the time of a call. The installer instead writes the element (and the
    // value) into one buffer that lives as long as the shim, and reads short
    // ASCII results back from it.

    /// The module's memory, for the installer's view of the buffer.
    #[wasm_bindgen(js_name = ioMemory)]
    pub fn io_memory(&self) -> JsValue {
        wasm_bindgen::memory()
    }

    /// Make the exchange buffer at least `len` bytes; returns its address.
    #[wasm_bindgen(js_name = ioBuffer)]
    pub fn io_buffer(&mut self, len: usize) -> usize {
        if self.io.len() < len {
            self.io.resize(len, 0);
        }
        self.io.as_ptr() as usize
    }


    /// Put a successful GetValue result where the installer reads it: its
    /// length when it is ASCII and fits the buffer, else -1 (then
    /// [`Shim::io_take`] has it).
    fn io_put(&mut self, r: String) -> i32 {
        if r.is_ascii() && r.len() <= self.io.len() && r.len() < i32::MAX as usize {
            if let Some(dst) = self.io.get_mut(..r.len()) {
                dst.copy_from_slice(r.as_bytes());
                return r.len() as i32;
            }
        }
        self.io_result = r;
        -1
    }

    /// The result the last buffered GetValue left with -1.
    #[wasm_bindgen(js_name = ioTake)]
    pub fn io_take(&mut self) -> String {
        std::mem::take(&mut self.io_result)
    }

    /// `LMSGetValue` of the element in buffer bytes `0..len`: the result's
    /// length (ASCII, in the buffer), -1 (see [`Shim::io_take`]) or -2 when
    /// the call failed (the result is "").
    #[wasm_bindgen(js_name = ioGet12)]
    pub fn io_get_12(&mut self, len: usize) -> i32 {
        let io = std::mem::take(&mut self.io);
        let r = self.lms_get_value(io_text(&io, 0, len));
        self.io = io;
        if self.api12.last_error_code() != 0 {
            return -2;
        }
        self.io_put(r)
    }

    /// `GetValue` of the element in buffer bytes `0..len`, as [`Shim::io_get_12`].
    #[wasm_bindgen(js_name = ioGet2004)]
    pub fn io_get_2004(&mut self, len: usize) -> i32 {
        let io = std::mem::take(&mut self.io);
        let r = self.get_value(io_text(&io, 0, len));
        self.io = io;
        if self.api2004.last_error_code() != 0 {
            return -2;
        }
        self.io_put(r)
    }

    /// `LMSSetValue` of the element in buffer bytes `0..el_len` to the value
    /// in the next `value_len` bytes; answers as [`Shim::lms_set_value`].
    #[wasm_bindgen(js_name = ioSet12)]
    pub fn io_set_12(&mut self, el_len: usize, value_len: usize) -> u32 {
        let io = std::mem::take(&mut self.io);
        let r = self.lms_set_value(io_text(&io, 0, el_len), io_text(&io, el_len, el_len.saturating_add(value_len)));
        self.io = io;
        r
    }

    /// `SetValue`, as [`Shim::io_set_12`].
    #[wasm_bindgen(js_name = ioSet2004)]
    pub fn io_set_2004(&mut self, el_len: usize, value_len: usize) -> u32 {
        let io = std::mem::take(&mut self.io);
        let r = self.set_value(io_text(&io, 0, el_len), io_text(&io, el_len, el_len.saturating_add(value_len)));
        self.io = io;
        r
    }

    // ---- SCORM 1.2 -------------------------------------------------------

    /// `LMSInitialize`
    #[wasm_bindgen(js_name = LMSInitialize)]
    pub fn lms_initialize(&mut self, param: &str) -> bool {
        let r = self.api12.initialize(param);
        self.frozen |= r == "true";
        self.trace("LMSInitialize", &[param], r, || self.api12.get_last_error());
        r == "true"
    }

    /// `LMSFinish`
    #[wasm_bindgen(js_name = LMSFinish)]
    pub fn lms_finish(&mut self, param: &str) -> bool {
        let r = self.api12.finish(param, &mut self.host12);
        self.trace("LMSFinish", &[param], r, || self.api12.get_last_error());
        if r == "true" {
            self.sco_ended_12();
        }
        r == "true"
    }

    /// `LMSGetValue`
    #[wasm_bindgen(js_name = LMSGetValue)]
    pub fn lms_get_value(&mut self, element: &str) -> String {
        let r = self.api12.get_value(element);
        self.trace("LMSGetValue", &[element], &r, || self.api12.get_last_error());
        r
    }

    /// `LMSSetValue`: 0 for "false", 1 for "true", 2 for "true" when
    /// `LMSGetValue` of the element now returns exactly `value` (the
    /// installer then keeps its copy of `value` for the next read).
    #[wasm_bindgen(js_name = LMSSetValue)]
    pub fn lms_set_value(&mut self, element: &str, value: &str) -> u32 {
        let r = self.api12.set_value(element, value);
        self.trace("LMSSetValue", &[element, value], r, || self.api12.get_last_error());
        u32::from(r == "true") + u32::from(self.api12.set_reads_back())
    }

    /// `LMSCommit`
    #[wasm_bindgen(js_name = LMSCommit)]
    pub fn lms_commit(&mut self, param: &str) -> bool {
        let r = self.api12.commit(param, &mut self.host12);
        self.trace("LMSCommit", &[param], r, || self.api12.get_last_error());
        if r == "true" {
            self.sco_committed_12();
        }
        r == "true"
    }

    /// `LMSGetLastError`
    #[wasm_bindgen(js_name = LMSGetLastError)]
    pub fn lms_get_last_error(&self) -> u32 {
        u32::from(self.api12.last_error_code())
    }

    /// `LMSGetErrorString`
    #[wasm_bindgen(js_name = LMSGetErrorString)]
    pub fn lms_get_error_string(&self, code: &str) -> String {
        self.api12.get_error_string(code)
    }

    /// `LMSGetDiagnostic`
    #[wasm_bindgen(js_name = LMSGetDiagnostic)]
    pub fn lms_get_diagnostic(&self, code: &str) -> String {
        self.api12.get_diagnostic(code)
    }

    // ---- SCORM 2004 ------------------------------------------------------

    /// `Initialize`
    #[wasm_bindgen(js_name = Initialize)]
    pub fn initialize(&mut self, param: &str) -> bool {
        let r = self.api2004.initialize(param);
        self.frozen |= r == "true";
        self.trace("Initialize", &[param], r, || self.api2004.get_last_error());
        r == "true"
    }

    /// `Terminate`
    #[wasm_bindgen(js_name = Terminate)]
    pub fn terminate(&mut self, param: &str) -> bool {
        let r = self.api2004.terminate(param, &mut self.host2004);
        self.trace("Terminate", &[param], r, || self.api2004.get_last_error());
        if r == "true" {
            self.sco_ended_2004();
        }
        r == "true"
    }

    /// `GetValue`
    #[wasm_bindgen(js_name = GetValue)]
    pub fn get_value(&mut self, element: &str) -> String {
        let r = self.api2004.get_value(element);
        self.trace("GetValue", &[element], &r, || self.api2004.get_last_error());
        r
    }

    /// `SetValue`: 0 for "false", 1 for "true", 2 for "true" when `GetValue`
    /// of the element now returns exactly `value` (the installer then keeps
    /// its copy of `value` for the next read).
    #[wasm_bindgen(js_name = SetValue)]
    pub fn set_value(&mut self, element: &str, value: &str) -> u32 {
        #[cfg(feature = "testing")]
        testing::fault_on(element);
        let r = self.api2004.set_value(element, value);
        self.trace("SetValue", &[element, value], r, || self.api2004.get_last_error());
        u32::from(r == "true") + u32::from(self.api2004.set_reads_back())
    }

    /// `Commit`
    #[wasm_bindgen(js_name = Commit)]
    pub fn commit(&mut self, param: &str) -> bool {
        let r = self.api2004.commit(param, &mut self.host2004);
        self.trace("Commit", &[param], r, || self.api2004.get_last_error());
        r == "true"
    }

    /// `GetLastError`
    #[wasm_bindgen(js_name = GetLastError)]
    pub fn get_last_error(&self) -> u32 {
        u32::from(self.api2004.last_error_code())
    }

    /// `GetErrorString`
    #[wasm_bindgen(js_name = GetErrorString)]
    pub fn get_error_string(&self, code: &str) -> String {
        self.api2004.get_error_string(code)
    }

    /// `GetDiagnostic`
    #[wasm_bindgen(js_name = GetDiagnostic)]
    pub fn get_diagnostic(&self, code: &str) -> String {
        self.api2004.get_diagnostic(code)
    }
}
