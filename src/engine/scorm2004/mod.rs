//! SCORM 2004 run-time (`window.API_1484_11`): ADL "SCORM 2004 4th Edition
//! Run-Time Environment", §3 (API, error codes §3.1.7) and §4 (data model).
//!
//! The API state machine and error handling are here; the data model is one
//! table of element rules ([`model::RULES`]) and the data type checks are in
//! [`types`].

pub mod model;
pub mod types;

use super::num::dec;
use super::rte::{ApiState, DirtySet, Host, PersistReason, Snapshot};
use super::text::cat;
use model::{Access, Init, Indices, Ty};

/// What the LMS gives a SCORM 2004 SCO at launch.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// `cmi.learner_id`
    pub learner_id: String,
    /// `cmi.learner_name`
    pub learner_name: String,
    /// `cmi.credit`: true for "credit".
    pub credit: bool,
    /// `cmi.mode`: "normal", "browse" or "review".
    pub mode: String,
    /// `cmi.launch_data` (`adlcp:dataFromLMS`).
    pub launch_data: String,
    /// `cmi.completion_threshold` (`adlcp:completionThreshold`).
    pub completion_threshold: Option<f64>,
    /// `cmi.scaled_passing_score` (primary objective `minNormalizedMeasure`
    /// when `satisfiedByMeasure`).
    pub scaled_passing_score: Option<f64>,
    /// `cmi.max_time_allowed` (`attemptAbsoluteDurationLimit`), ISO 8601.
    pub max_time_allowed: Option<String>,
    /// `cmi.time_limit_action` (`adlcp:timeLimitAction`).
    pub time_limit_action: Option<String>,
    /// Objective ids from the manifest, pre-created in `cmi.objectives`.
    pub objective_ids: Vec<String>,
    /// Initial values of pre-created objectives from the sequencer's tracking
    /// data and global objectives: (objective id, element under
    /// `cmi.objectives.n.` such as "success_status" or "score.scaled",
    /// value). They replace the saved state's values on resume: the
    /// sequencer's tracking data includes what other SCOs wrote to a global
    /// objective in the meantime (ADL CTS SX-11a).
    pub objective_values: Vec<(String, String, String)>,
    /// Shared data stores mapped to this SCO (`adl.data`, from
    /// `adlcp:data/adlcp:map`), in manifest order, with their current
    /// global values.
    pub data_stores: Vec<DataStore>,
    /// `cmi.comments_from_lms` records.
    pub comments_from_lms: Vec<Comment>,
    /// Initial `cmi.learner_preference` values (audio_level, language,
    /// delivery_speed, audio_captioning); `None` takes the RTE defaults
    /// ("1", "", "1", "0").
    pub learner_preference: Option<[String; 4]>,
    /// How long a value SetValue accepts may be.
    pub limits: crate::engine::rte::ValueLimits,
}

impl Launch {
    /// The launch values the page configuration gives (learner, credit,
    /// mode, launch data, one LMS comment); the manifest-derived fields stay
    /// at their defaults for the caller to fill in.
    pub fn from_config(config: &super::config::Config) -> Launch {
        let comments_from_lms = if config.comments_from_lms.is_empty() {
            Vec::new()
        } else {
            vec![Comment { comment: config.comments_from_lms.clone(), ..Comment::default() }]
        };
        Launch {
            learner_id: config.learner_id.clone(),
            learner_name: config.learner_name.clone(),
            credit: config.credit,
            mode: config.mode.clone(),
            launch_data: config.launch_data.clone(),
            comments_from_lms,
            ..Launch::default()
        }
    }
}

/// One shared data store visible to a SCO as `adl.data.n`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DataStore {
    /// `adl.data.n.id` (the `targetID`).
    pub id: String,
    /// `readSharedData`: the SCO may read `adl.data.n.store`.
    pub read: bool,
    /// `writeSharedData`: the SCO may write `adl.data.n.store`.
    pub write: bool,
    /// The store's current value (`None`: never written).
    pub value: Option<String>,
}

/// One `cmi.comments_from_lms` record.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Comment {
    /// `comment` (localized string).
    pub comment: String,
    /// `location`.
    pub location: String,
    /// `timestamp` (time(second,10,0)).
    pub timestamp: String,
}

/// A question `adl.nav.request_valid.*` asks of the sequencer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavQuery<'a> {
    /// `adl.nav.request_valid.continue`
    Continue,
    /// `adl.nav.request_valid.previous`
    Previous,
    /// `adl.nav.request_valid.choice.{target=…}`
    Choice(&'a str),
    /// `adl.nav.request_valid.jump.{target=…}`
    Jump(&'a str),
}

/// The sequencing engine's answer to `adl.nav.request_valid.*` (SCORM SN
/// §4.7 and RTE §4.3): `Some(valid)`, or `None` for "unknown".
pub trait NavigationOracle {
    /// Would this navigation request be valid now?
    fn is_valid(&self, request: &NavQuery) -> Option<bool>;
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            learner_id: "learner".into(),
            learner_name: "Learner".into(),
            credit: true,
            mode: "normal".into(),
            launch_data: String::new(),
            completion_threshold: None,
            scaled_passing_score: None,
            max_time_allowed: None,
            time_limit_action: None,
            objective_ids: Vec::new(),
            objective_values: Vec::new(),
            data_stores: Vec::new(),
            comments_from_lms: Vec::new(),
            learner_preference: None,
            limits: crate::engine::rte::ValueLimits::default(),
        }
    }
}

/// The error codes of SCORM 2004 4th Ed RTE §3.1.7 and their strings.
pub const ERRORS: &[(u16, &str)] = &[
    (0, "No Error"),
    (101, "General Exception"),
    (102, "General Initialization Failure"),
    (103, "Already Initialized"),
    (104, "Content Instance Terminated"),
    (111, "General Termination Failure"),
    (112, "Termination Before Initialization"),
    (113, "Termination After Termination"),
    (122, "Retrieve Data Before Initialization"),
    (123, "Retrieve Data After Termination"),
    (132, "Store Data Before Initialization"),
    (133, "Store Data After Termination"),
    (142, "Commit Before Initialization"),
    (143, "Commit After Termination"),
    (201, "General Argument Error"),
    (301, "General Get Failure"),
    (351, "General Set Failure"),
    (391, "General Commit Failure"),
    (401, "Undefined Data Model Element"),
    (402, "Unimplemented Data Model Element"),
    (403, "Data Model Element Value Not Initialized"),
    (404, "Data Model Element Is Read Only"),
    (405, "Data Model Element Is Write Only"),
    (406, "Data Model Element Type Mismatch"),
    (407, "Data Model Element Value Out Of Range"),
    (408, "Data Model Dependency Not Established"),
];

/// One SCORM 2004 API instance for one SCO attempt.
pub struct Api {
    state: ApiState,
    last_error: u16,
    diagnostic: String,
    /// What the SCO (and the LMS on its behalf) stored, by element name.
    values: Snapshot,
    /// Record counts by collection key (`cmi.interactions`,
    /// `cmi.interactions.3.objectives`, …).
    counts: Counts,
    dirty: DirtySet,
    entry: &'static str,
    launch: Launch,
    oracle: Option<Box<dyn NavigationOracle>>,
    /// See [`Api::set_reads_back`].
    read_back: bool,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("state", &self.state)
            .field("last_error", &self.last_error)
            .field("values", &self.values)
            .finish_non_exhaustive()
    }
}

/// Elements the LMS keeps for itself between sessions but resets at launch.
const SESSION_ONLY: &[&str] = &["cmi.exit", "cmi.session_time", "adl.nav.request"];

/// Record counts by collection key. A short list searched linearly (a
/// handful of collections plus two per interaction): smaller code than a
/// map of its own type.
#[derive(Clone, Debug, Default)]
struct Counts(Vec<(String, usize)>);

impl Counts {
    /// The `_count` of the collection `key` (0 when it has no records).
    /// The list is kept sorted: a course with hundreds of interactions has
    /// hundreds of sub-collections, and every indexed GetValue/SetValue looks
    /// one up.
    fn get(&self, key: &str) -> usize {
        self.0.binary_search_by(|(k, _)| crate::engine::map::cmp_bytes(k.as_bytes(), key.as_bytes())).map_or(0, |i| self.0.get(i).map_or(0, |(_, n)| *n))
    }

    /// Set the `_count` of `key`.
    fn set(&mut self, key: &str, n: usize) {
        match self.0.binary_search_by(|(k, _)| crate::engine::map::cmp_bytes(k.as_bytes(), key.as_bytes())) {
            Ok(i) => {
                if let Some((_, c)) = self.0.get_mut(i) {
                    *c = n;
                }
            }
            Err(i) => self.0.insert(i, (key.to_owned(), n)),
        }
    }
}

/// Record counts of a saved state: a collection holds the records 0..n
/// that are all present (a gap or a stray huge index in stored data ends
/// it, so no loop can run past the data that is really there).
fn rebuild_counts(values: &Snapshot) -> Counts {
    // Both sets use the Snapshot map type, whose code the module has anyway:
    // the (collection, index) pairs present as `collection.index`, and the
    // collections.
    let mut present = Snapshot::new();
    let mut collections = Snapshot::new();
    for key in values.keys() {
        let mut pos = 0usize;
        for tok in key.split('.') {
            if !tok.is_empty() && tok.bytes().all(|b| b.is_ascii_digit()) {
                if let (Some(prefix), Ok(i)) = (key.get(..pos.saturating_sub(1)), tok.parse::<usize>()) {
                    present.insert(record_key(prefix, i, ""), String::new());
                    collections.insert(prefix.to_owned(), String::new());
                }
            }
            pos += tok.len() + 1;
        }
    }
    let mut counts = Counts::default();
    for prefix in collections.keys() {
        let mut n = 0usize;
        while present.contains_key(&record_key(prefix, n, "")) {
            n += 1;
        }
        counts.set(prefix, n);
    }
    counts
}

/// An LMS-supplied real as GetValue returns it: real(10,7), no exponent.
fn fmt_real(v: f64) -> String {
    crate::engine::num::format_decimal(v, 7)
}

/// What a new launch of a SCO that no sequencer delivers (a single-SCO LMS
/// page, `ScormShim.relaunch()`, a reload) starts from, given the state its
/// last session stored. RTE §4.2.8 (`cmi.entry`) and §4.2.12 (`cmi.exit`):
/// a session that terminated with `cmi.exit` "normal", "logout",
/// "time-out" or "" ended the learner attempt, so the next launch is a new
/// attempt (`cmi.entry` "ab-initio", `cmi.total_time` "PT0H0M0S", no
/// `cmi.suspend_data` or `cmi.location`) — unless the LMS asks to review
/// the ended attempt (`review_ended`): then its data is kept and the SCO
/// runs in `cmi.mode` "review", `cmi.credit` "no-credit". A suspended
/// session (`cmi.exit` "suspend" or `adl.nav.request` "suspendAll")
/// resumes, and a state without `cmi.exit` (stored by a Commit, the SCO
/// never terminated) continues with `cmi.entry` "".
///
/// Answers the launch, the state to give [`Api::new`], and whether a new
/// attempt starts (then the first batch of it should replace the stored
/// state, not add to it).
pub fn relaunch(mut launch: Launch, saved: Option<Snapshot>, review_ended: bool) -> (Launch, Option<Snapshot>, bool) {
    let ended = saved.as_ref().is_some_and(|s| {
        let exit = s.get("cmi.exit").map(String::as_str);
        let suspended = s.get("adl.nav.request").map(String::as_str) == Some("suspendAll");
        !suspended && matches!(exit, Some("normal" | "logout" | "time-out" | ""))
    });
    if !ended {
        return (launch, saved, false);
    }
    if review_ended {
        launch.mode = "review".into();
        launch.credit = false;
        return (launch, saved, false);
    }
    (launch, None, true)
}

impl Api {
    /// A new API instance. `saved` is the state of an earlier session of the
    /// same SCO attempt (`None` starts a new attempt: `cmi.entry` is
    /// "ab-initio"); a saved session that ended with `cmi.exit` "suspend" or
    /// `adl.nav.request` "suspendAll" resumes (`cmi.entry` "resume"), any
    /// other continues with `cmi.entry` "" (RTE §4.2.8).
    pub fn new(launch: Launch, saved: Option<Snapshot>) -> Api {
        let entry = match &saved {
            None => "ab-initio",
            Some(s) => {
                let exit = s.get("cmi.exit").map(String::as_str);
                let nav = s.get("adl.nav.request").map(String::as_str);
                if exit == Some("suspend") || nav == Some("suspendAll") {
                    "resume"
                } else {
                    ""
                }
            }
        };
        let mut values = saved.unwrap_or_default();
        for k in SESSION_ONLY {
            values.remove(*k);
        }
        // Shared data and LMS comments come from the launch, not the save.
        // (Removed by key rather than with BTreeMap::retain, whose code
        // would be a second copy of the map's removal logic in the module.)
        let from_launch: Vec<String> = values
            .keys()
            .filter(|k| k.starts_with("adl.data.") || k.starts_with("cmi.comments_from_lms."))
            .cloned()
            .collect();
        for k in &from_launch {
            values.remove(k);
        }
        // The saved state comes from storage that anything on the page's
        // origin can write: keep only data model elements with a value the
        // run-time would accept (the check the backend makes), as the
        // SCORM 1.2 run-time does.
        let invalid: Vec<String> = values.iter().filter(|(k, v)| validate_stored(k, v).is_err()).map(|(k, _)| k.clone()).collect();
        for k in &invalid {
            values.remove(k);
        }
        for (i, store) in launch.data_stores.iter().enumerate() {
            values.insert(record_key("adl.data", i, ".id"), store.id.clone());
            if let Some(v) = &store.value {
                values.insert(record_key("adl.data", i, ".store"), v.clone());
            }
        }
        for (i, c) in launch.comments_from_lms.iter().enumerate() {
            values.insert(record_key("cmi.comments_from_lms", i, ".comment"), c.comment.clone());
            // An LMS comment without location or timestamp leaves them unset (403).
            for (field, v) in [(".location", &c.location), (".timestamp", &c.timestamp)] {
                if !v.is_empty() {
                    values.insert(record_key("cmi.comments_from_lms", i, field), v.clone());
                }
            }
        }
        let mut counts = rebuild_counts(&values);
        counts.set("adl.data", launch.data_stores.len());
        counts.set("cmi.comments_from_lms", launch.comments_from_lms.len());
        // Records past a gap (or a stray huge index) are not reachable:
        // drop them rather than carry them along.
        let stray: Vec<String> = values
            .keys()
            .filter(|k| {
                model::resolve(k).is_some_and(|(_, idx)| {
                    (0..idx.len).any(|l| idx.at.get(l).is_some_and(|&i| i >= counts.get(model::collection_key(k, &idx, l))))
                })
            })
            .cloned()
            .collect();
        for k in &stray {
            values.remove(k);
        }
        for id in &launch.objective_ids {
            let n = counts.get("cmi.objectives");
            let exists = (0..n).any(|i| values.get(&record_key("cmi.objectives", i, ".id")) == Some(id));
            // the manifest's objective ids, in the normalized form the
            // sequencer knows them by: percent-escapes decoded, so they
            // may hold a space (ADL CTS OB-12a: `ob j 1`)
            if !exists && !id.is_empty() && !id.chars().any(char::is_control) {
                values.insert(record_key("cmi.objectives", n, ".id"), id.clone());
                counts.set("cmi.objectives", n + 1);
            }
        }
        let n = counts.get("cmi.objectives");
        for (id, field, value) in &launch.objective_values {
            if let Some(i) = (0..n).find(|&i| values.get(&record_key("cmi.objectives", i, ".id")) == Some(id)) {
                let key = cat(&["cmi.objectives.", &dec(i as u64), ".", field]);
                if validate_stored(&key, value).is_ok() {
                    values.insert(key, value.clone());
                }
            }
        }
        Api {
            state: ApiState::NotInitialized,
            last_error: 0,
            diagnostic: String::new(),
            values,
            counts,
            dirty: DirtySet::default(),
            entry,
            launch,
            oracle: None,
            read_back: false,
        }
    }

    /// True when the last `SetValue` succeeded and `GetValue` of the same
    /// element now returns exactly the value set (until the next call that
    /// changes the data model). Lets a host keep a copy of the value.
    pub fn set_reads_back(&self) -> bool {
        self.read_back
    }

    /// Give the instance the sequencer's answers for `adl.nav.request_valid`.
    pub fn set_navigation_oracle(&mut self, oracle: Box<dyn NavigationOracle>) {
        self.oracle = Some(oracle);
    }

    /// The API instance state.
    pub fn state(&self) -> ApiState {
        self.state
    }

    /// The whole saved state.
    pub fn snapshot(&self) -> Snapshot {
        self.values.clone()
    }

    /// Every element `GetValue` would answer now, with its value, for a
    /// debugger: the stored values (write-only ones such as
    /// `cmi.session_time` too), the launch values (`cmi.learner_id`,
    /// `cmi.entry`, …) and the evaluated ones (`cmi.completion_status` with
    /// its threshold applied), sorted by name. Keywords (`_children`,
    /// `_count`, `_version`) are left out. Reads nothing through the API,
    /// so the error state the SCO sees stays as it is.
    pub fn inspect(&self) -> Vec<(String, String)> {
        let mut all = self.values.clone();
        for rule in model::RULES {
            if rule.path.contains(".n.") || rule.access == Access::W || matches!(rule.ty, Ty::Const(_) | Ty::Count) {
                continue;
            }
            if let Ok(v) = self.read(rule.path, rule, &Indices::default()) {
                all.insert(rule.path.to_string(), v);
            }
        }
        all.into_iter().collect()
    }

    /// The navigation request the SCO left in `adl.nav.request` ("_none_"
    /// when it set none), for the sequencer to process after Terminate.
    pub fn nav_request(&self) -> &str {
        self.values.get("adl.nav.request").map(String::as_str).unwrap_or("_none_")
    }

    /// The value of `cmi.exit` the SCO set ("" when none).
    pub fn exit(&self) -> &str {
        self.values.get("cmi.exit").map(String::as_str).unwrap_or("")
    }

    /// The shared data stores the SCO wrote and that are not yet persisted,
    /// as (`targetID`, value).
    pub fn pending_data_writes(&self) -> Vec<(String, String)> {
        shared_data_writes(&self.dirty.change_set(&self.values), &self.values)
    }

    fn fail(&mut self, code: u16, diagnostic: impl Into<String>) -> &'static str {
        self.last_error = code;
        self.diagnostic = diagnostic.into();
        "false"
    }

    fn fail_get(&mut self, code: u16, diagnostic: impl Into<String>) -> String {
        self.fail(code, diagnostic);
        String::new()
    }

    fn ok(&mut self) -> &'static str {
        self.last_error = 0;
        self.diagnostic.clear();
        "true"
    }

    /// The current error code as a number (what `GetLastError` returns as text).
    pub fn last_error_code(&self) -> u16 {
        self.last_error
    }

    /// Reset the error state to "no error", as any successful call does.
    /// For a host that answers a repeated GetValue from its own copy of the
    /// value (the browser installer does): the call still succeeds.
    pub fn clear_error(&mut self) {
        self.ok();
    }

    /// `Initialize("")`.
    pub fn initialize(&mut self, param: &str) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "Initialize takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => {
                self.state = ApiState::Running;
                self.ok()
            }
            ApiState::Running => self.fail(103, "Initialize was already called"),
            ApiState::Terminated => self.fail(104, "Terminate was already called"),
        }
    }

    fn persist(&mut self, reason: PersistReason, host: &mut dyn Host) -> Result<(), String> {
        let changes = self.dirty.change_set(&self.values);
        host.persist(reason, &changes, &self.values)?;
        self.dirty.clear();
        Ok(())
    }

    /// `Terminate("")`: adds `cmi.session_time` to `cmi.total_time` and
    /// hands the pending changes to the host.
    pub fn terminate(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "Terminate takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => return self.fail(112, "Terminate before Initialize"),
            ApiState::Terminated => return self.fail(113, "Terminate was already called"),
            ApiState::Running => {}
        }
        // The new total time is handed over with the last change set, and
        // kept only once it was persisted.
        let prev_total = self.values.get("cmi.total_time").cloned();
        let mut dirty = self.dirty.clone();
        // The stored state records how the session ended: `cmi.exit` "" when
        // the SCO set none (its value at Terminate), so that a later launch
        // outside a sequenced course knows the learner attempt ended (see
        // [`relaunch`]).
        let set_exit = !self.values.contains_key("cmi.exit");
        if set_exit {
            self.values.insert("cmi.exit".into(), String::new());
            dirty.mark("cmi.exit");
        }
        if let Some(session) = self.values.get("cmi.session_time").and_then(|s| types::parse_interval(s)) {
            let total = prev_total.as_deref().and_then(types::parse_interval).unwrap_or(0);
            self.values.insert("cmi.total_time".into(), types::format_interval(total.saturating_add(session)));
            dirty.mark("cmi.total_time");
        }
        let changes = dirty.change_set(&self.values);
        if let Err(e) = host.persist(PersistReason::Terminate, &changes, &self.values) {
            match prev_total {
                Some(t) => self.values.insert("cmi.total_time".into(), t),
                None => self.values.remove("cmi.total_time"),
            };
            if set_exit {
                self.values.remove("cmi.exit");
            }
            return self.fail(111, cat(&["the data could not be stored: ", &e]));
        }
        self.dirty.clear();
        self.state = ApiState::Terminated;
        self.ok()
    }

    /// `Commit("")`.
    pub fn commit(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "Commit takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => return self.fail(142, "Commit before Initialize"),
            ApiState::Terminated => return self.fail(143, "Commit after Terminate"),
            ApiState::Running => {}
        }
        match self.persist(PersistReason::Commit, host) {
            Ok(()) => self.ok(),
            Err(e) => self.fail(391, cat(&["the data could not be stored: ", &e])),
        }
    }

    fn count(&self, key: &str) -> usize {
        self.counts.get(key)
    }

    /// Whether the keyword-suffixed name `element` names a keyword of an
    /// element that exists but has no such keyword (GetValue → 301).
    /// (`cmi.learner_id._version`, `cmi.score._count`: the ADL test suite
    /// answers 301 for a keyword of an element without it, and 401 only for
    /// a name that is no element at all.)
    fn is_keyword_of_known(element: &str) -> bool {
        let base = element
            .strip_suffix("._children")
            .or_else(|| element.strip_suffix("._count"))
            .or_else(|| element.strip_suffix("._version"));
        base.is_some_and(|b| {
            model::resolve(b).is_some() || ["._children", "._count"].iter().any(|k| model::resolve(&cat(&[b, k])).is_some())
        })
    }

    fn nav_valid(&mut self, rest: &str) -> String {
        let query = match rest {
            "continue" => Some(NavQuery::Continue),
            "previous" => Some(NavQuery::Previous),
            _ => {
                let target = |p: &str| {
                    rest.strip_prefix(p)
                        .and_then(|t| t.strip_prefix("{target="))
                        .and_then(|t| t.strip_suffix('}'))
                };
                match (target("choice."), target("jump.")) {
                    (Some(t), _) => Some(NavQuery::Choice(t)),
                    (_, Some(t)) => Some(NavQuery::Jump(t)),
                    _ => None,
                }
            }
        };
        let Some(query) = query else {
            return self.fail_get(401, cat(&["adl.nav.request_valid.", rest, " is not a data model element"]));
        };
        if let NavQuery::Choice(t) | NavQuery::Jump(t) = query {
            if types::check_identifier(t).is_err() {
                return self.fail_get(301, "the target is not an identifier");
            }
        }
        let answer = self.oracle.as_ref().and_then(|o| o.is_valid(&query));
        self.ok();
        match answer {
            Some(true) => "true".into(),
            Some(false) => "false".into(),
            None => "unknown".into(),
        }
    }

    /// Check that every collection index is in range for reading.
    fn check_read_indices(&self, element: &str, idx: &Indices) -> bool {
        (0..idx.len).all(|l| idx.at[l] < self.count(model::collection_key(element, idx, l)))
    }

    fn stored(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// `GetValue(element)`.
    pub fn get_value(&mut self, element: &str) -> String {
        match self.state {
            ApiState::NotInitialized => return self.fail_get(122, "GetValue before Initialize"),
            ApiState::Terminated => return self.fail_get(123, "GetValue after Terminate"),
            ApiState::Running => {}
        }
        if element.is_empty() {
            return self.fail_get(301, "GetValue needs an element name");
        }
        if let Some(rest) = element.strip_prefix("adl.nav.request_valid.") {
            return self.nav_valid(rest);
        }
        let Some((rule, idx)) = model::resolve(element) else {
            if Self::is_keyword_of_known(element) {
                return self.fail_get(301, cat(&[element, ": the element has no such keyword"]));
            }
            return self.fail_get(401, cat(&[element, " is not a data model element"]));
        };
        if rule.access == Access::W {
            return self.fail_get(405, cat(&[element, " is write only"]));
        }
        if !self.check_read_indices(element, &idx) {
            return self.fail_get(301, cat(&[element, ": no such record"]));
        }
        match self.read(element, rule, &idx) {
            Ok(v) => {
                self.ok();
                v
            }
            Err((code, msg)) => self.fail_get(code, msg),
        }
    }

    fn read(&self, element: &str, rule: &model::Rule, idx: &Indices) -> Result<String, (u16, String)> {
        let unset = || (403, cat(&[element, " is not initialized"]));
        match rule.ty {
            Ty::Const(v) => return Ok(v.into()),
            Ty::Count => {
                let key = element.strip_suffix("._count").unwrap_or(element);
                return Ok(dec(self.count(key) as u64));
            }
            Ty::Lms => return self.read_lms(element).ok_or_else(unset),
            _ => {}
        }
        if rule.path == "adl.data.n.store" {
            let readable = self.launch.data_stores.get(idx.at[0]).is_some_and(|d| d.read);
            if !readable {
                return Err((405, cat(&[element, ": the shared data store is not readable"])));
            }
        }
        match element {
            "cmi.completion_status" => {
                if let Some(t) = self.launch.completion_threshold {
                    return Ok(match self.stored("cmi.progress_measure").and_then(types::parse_real) {
                        Some(p) if p >= t => "completed",
                        Some(_) => "incomplete",
                        None => "unknown",
                    }
                    .into());
                }
            }
            "cmi.success_status" => {
                if let Some(t) = self.launch.scaled_passing_score {
                    return Ok(match self.stored("cmi.score.scaled").and_then(types::parse_real) {
                        Some(s) if s >= t => "passed",
                        Some(_) => "failed",
                        None => "unknown",
                    }
                    .into());
                }
            }
            _ => {}
        }
        match self.stored(element) {
            // An empty shared data store holds no data (the ADL suite's
            // DDM case expects 403 after a store was set to "").
            Some("") if rule.path == "adl.data.n.store" => return Err(unset()),
            Some(v) => return Ok(v.to_owned()),
            None => {}
        }
        if let Some(i) = model::PREFERENCE_DEFAULTS.iter().position(|(k, _)| *k == element) {
            return Ok(match &self.launch.learner_preference {
                Some(p) => p[i].clone(),
                None => model::PREFERENCE_DEFAULTS[i].1.to_owned(),
            });
        }
        match rule.init {
            Init::Value(v) => Ok(v.into()),
            Init::Unset => Err(unset()),
        }
    }

    fn read_lms(&self, element: &str) -> Option<String> {
        let l = &self.launch;
        Some(match element {
            "cmi.completion_threshold" => fmt_real(l.completion_threshold?),
            "cmi.credit" => (if l.credit { "credit" } else { "no-credit" }).into(),
            "cmi.entry" => self.entry.into(),
            "cmi.launch_data" => l.launch_data.clone(),
            "cmi.learner_id" => l.learner_id.clone(),
            "cmi.learner_name" => l.learner_name.clone(),
            "cmi.max_time_allowed" => l.max_time_allowed.clone()?,
            "cmi.mode" => l.mode.clone(),
            "cmi.scaled_passing_score" => fmt_real(l.scaled_passing_score?),
            "cmi.time_limit_action" => l.time_limit_action.clone().unwrap_or_else(|| "continue,no message".into()),
            "cmi.total_time" => self.stored("cmi.total_time").unwrap_or("PT0H0M0S").to_owned(),
            _ => return None,
        })
    }

    /// `SetValue(element, value)`.
    pub fn set_value(&mut self, element: &str, value: &str) -> &'static str {
        self.read_back = false;
        match self.state {
            ApiState::NotInitialized => return self.fail(132, "SetValue before Initialize"),
            ApiState::Terminated => return self.fail(133, "SetValue after Terminate"),
            ApiState::Running => {}
        }
        if element.is_empty() {
            return self.fail(351, "SetValue needs an element name");
        }
        if element.starts_with("adl.nav.request_valid.") {
            return self.fail(404, cat(&[element, " is read only"]));
        }
        let Some((rule, idx)) = model::resolve(element) else {
            return self.fail(401, cat(&[element, " is not a data model element"]));
        };
        if let Some(diagnostic) = over_limit(&self.launch.limits, element, rule, value) {
            return self.fail(351, diagnostic);
        }
        match self.write(element, value, rule, &idx) {
            Ok(counts) => {
                store(&mut self.values, element, value);
                self.dirty.mark(element);
                // What `read` returns from `values` as stored (not the
                // computed statuses, shared data stores or navigation).
                self.read_back = rule.access != Access::W
                    && !matches!(rule.ty, Ty::Const(_) | Ty::Count | Ty::Lms)
                    && rule.path != "adl.data.n.store"
                    && !element.starts_with("adl.nav.")
                    && element != "cmi.completion_status"
                    && element != "cmi.success_status";
                // An index equal to `_count` (as `write` read it) appends.
                for (l, count) in counts.iter().enumerate().take(idx.len) {
                    if idx.at[l] >= *count {
                        self.counts.set(model::collection_key(element, &idx, l), idx.at[l] + 1);
                    }
                }
                self.ok()
            }
            Err((code, msg)) => self.fail(code, msg),
        }
    }

    /// All SetValue checks; Ok means the value may be stored, with the
    /// `_count` of each collection the element is in (by level).
    fn write(&self, element: &str, value: &str, rule: &model::Rule, idx: &Indices) -> Result<[usize; 2], (u16, String)> {
        if rule.access == Access::R {
            return Err((404, cat(&[element, " is read only"])));
        }
        let path = rule.path;
        // Collections are filled in order: index == _count appends.
        let mut counts = [0; 2];
        for l in 0..idx.len {
            let count = self.count(model::collection_key(element, idx, l));
            if let Some(c) = counts.get_mut(l) {
                *c = count;
            }
            if idx.at[l] > count {
                return Err((351, cat(&[element, ": index ", &dec(idx.at[l] as u64), " skips past _count ", &dec(count as u64)])));
            }
            if l == 0 && path.starts_with("adl.data.") && idx.at[0] >= count {
                return Err((351, cat(&[element, ": no such shared data store"])));
            }
        }
        // Dependencies (RTE §4.2.9, §4.2.17): the id comes first.
        let rec0 = || record_key(model::collection_key(element, idx, 0), idx.at[0], "");
        let needs_id = (path.starts_with("cmi.interactions.n.") || path.starts_with("cmi.objectives.n."))
            && !(path == "cmi.interactions.n.id" || path == "cmi.objectives.n.id");
        if needs_id && self.stored(&record_key(model::collection_key(element, idx, 0), idx.at[0], ".id")).is_none() {
            return Err((408, cat(&[element, ": set the id of ", &rec0(), " first"])));
        }
        let kind = if matches!(rule.ty, Ty::Response(_)) {
            match self.stored(&record_key(model::collection_key(element, idx, 0), idx.at[0], ".type")) {
                Some(k) => Some(k),
                None => return Err((408, cat(&[element, ": set the type of ", &rec0(), " first"]))),
            }
        } else {
            None
        };
        if path == "cmi.interactions.n.correct_responses.n.pattern" {
            let kind = kind.unwrap_or("");
            if types::max_correct_responses(kind).is_some_and(|max| idx.at[1] >= max) {
                return Err((351, cat(&["a ", kind, " interaction has at most one correct response"])));
            }
        }
        // The data type.
        check_type(rule, value, kind).map_err(|c| (c, cat(&[element, ": ", &quoted(value), " is not a valid value"])))?;
        // Element-specific rules.
        match path {
            "cmi.objectives.n.id" => {
                if let Some(old) = self.stored(element) {
                    if old != value {
                        return Err((351, cat(&[element, " was already set and cannot change"])));
                    }
                }
                let n = self.count("cmi.objectives");
                if (0..n).any(|i| i != idx.at[0] && self.stored(&record_key("cmi.objectives", i, ".id")) == Some(value)) {
                    return Err((351, cat(&["objective id ", &quoted(value), " is already used"])));
                }
            }
            "cmi.interactions.n.objectives.n.id" => {
                let key = model::collection_key(element, idx, 1);
                let n = self.count(key);
                if (0..n).any(|i| i != idx.at[1] && self.stored(&record_key(key, i, ".id")) == Some(value)) {
                    return Err((351, cat(&[&quoted(value), " is already an objective of this interaction"])));
                }
            }
            "cmi.interactions.n.correct_responses.n.pattern" => {
                let kind = kind.unwrap_or("");
                if types::patterns_unique(kind) {
                    let key = model::collection_key(element, idx, 1);
                    let n = self.count(key);
                    if (0..n).any(|i| i != idx.at[1] && self.stored(&record_key(key, i, ".pattern")) == Some(value)) {
                        return Err((351, "correct response patterns of this type must differ".to_string()));
                    }
                }
            }
            "adl.data.n.store" if !self.launch.data_stores.get(idx.at[0]).is_some_and(|d| d.write) => {
                return Err((404, cat(&[element, ": the shared data store is read only"])));
            }
            _ => {}
        }
        Ok(counts)
    }

    /// `GetLastError()`.
    pub fn get_last_error(&self) -> String {
        dec(u64::from(self.last_error))
    }

    /// `GetErrorString(code)`.
    pub fn get_error_string(&self, code: &str) -> String {
        error_string(code).to_owned()
    }

    /// `GetDiagnostic(code)`: details of the last error (for "" or the last
    /// error's code), else the string of `code`.
    pub fn get_diagnostic(&self, code: &str) -> String {
        if code.is_empty() || crate::engine::num::parse_u16(code) == Some(self.last_error) && code == dec(u64::from(self.last_error)) {
            if self.diagnostic.is_empty() {
                return error_string(&dec(u64::from(self.last_error))).to_owned();
            }
            return self.diagnostic.clone();
        }
        error_string(code).to_owned()
    }
}

/// `<collection>.<index><field>`, e.g. `cmi.interactions.3.id`, without the
/// formatting machinery.
fn record_key(collection: &str, index: usize, field: &str) -> String {
    let mut key = String::with_capacity(collection.len() + 21 + field.len());
    key.push_str(collection);
    key.push('.');
    crate::engine::num::push_u64(&mut key, index as u64);
    key.push_str(field);
    key
}

/// `value` in double quotes for a diagnostic, with `"`, `\\` and control
/// characters escaped as Rust's `{:?}` does (which is not used: its Unicode
/// tables would add kilobytes to the wasm module).
pub(crate) fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => {
                out.push_str("\\u{");
                // Lower-case hex without leading zeros (controls are at most 0x9f).
                let n = c as u32;
                if n >= 16 {
                    out.push(char::from_digit(n >> 4, 16).unwrap_or('0'));
                }
                out.push(char::from_digit(n & 15, 16).unwrap_or('0'));
                out.push('}');
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn error_string(code: &str) -> &'static str {
    crate::engine::num::parse_u16(code)
        .filter(|&c| dec(u64::from(c)) == code)
        .and_then(|c| ERRORS.iter().find(|(n, _)| *n == c))
        .map(|(_, s)| *s)
        .unwrap_or("")
}

/// The value check of one element; `kind` is the interaction type for
/// response elements.
fn check_type(rule: &model::Rule, value: &str, kind: Option<&str>) -> Result<(), u16> {
    match rule.ty {
        Ty::Const(_) | Ty::Count | Ty::Lms => Err(404),
        Ty::CharString(_) => Ok(()),
        Ty::Localized(_) => types::check_localized(value),
        Ty::Identifier(_) => types::check_identifier(value),
        Ty::Real(min, max) => types::check_real(value, min, max),
        Ty::Time => types::check_time(value),
        Ty::Interval => types::parse_interval(value).map(|_| ()).ok_or(types::MISMATCH),
        Ty::Vocab(words) => {
            if words.contains(&value) {
                Ok(())
            } else {
                Err(types::MISMATCH)
            }
        }
        Ty::Language => types::check_language(value),
        Ty::Response(side) => types::check_response(kind.unwrap_or(""), side, value),
        Ty::Result => {
            if model::RESULT.contains(&value) || types::parse_real(value).is_some() {
                Ok(())
            } else {
                Err(types::MISMATCH)
            }
        }
        Ty::NavRequest => check_nav_request(value),
    }
}

/// Why `value` is too long for `element` under `limits`, if it is.
fn over_limit(limits: &crate::engine::rte::ValueLimits, element: &str, rule: &model::Rule, value: &str) -> Option<String> {
    let spm = match rule.ty {
        Ty::CharString(spm) | Ty::Identifier(spm) | Ty::Localized(spm) if limits.spm => spm,
        _ => usize::MAX,
    };
    let limit = spm.min(limits.max_chars);
    // A value of at most `limit` bytes has at most `limit` characters.
    if value.len() <= limit {
        return None;
    }
    // The language delimiter of a localized string is not part of its length.
    let text = match rule.ty {
        Ty::Localized(_) => types::strip_lang_delimiter(value),
        _ => value,
    };
    let n = text.chars().count();
    if n > spm {
        Some(cat(&[
            element,
            ": ",
            &dec(n as u64),
            " characters exceed its smallest permitted maximum (SPM) of ",
            &dec(spm as u64),
            ", the most this LMS stores (SCORM 2004 RTE 4.1.1)",
        ]))
    } else if n > limits.max_chars {
        Some(cat(&[element, ": ", &dec(n as u64), " characters exceed the ", &dec(limits.max_chars as u64), " this LMS stores for one value"]))
    } else {
        None
    }
}

/// `adl.nav.request` values (RTE §4.3.1).
fn check_nav_request(value: &str) -> Result<(), u16> {
    const PLAIN: &[&str] = &["continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_"];
    if PLAIN.contains(&value) {
        return Ok(());
    }
    let target = value
        .strip_prefix("{target=")
        .and_then(|r| r.strip_suffix("}choice").or_else(|| r.strip_suffix("}jump")))
        .ok_or(types::MISMATCH)?;
    types::check_identifier(target)
}

/// The shared data writes in a change set, as (`targetID`, value), using
/// the snapshot's `adl.data.n.id` to name each store.
pub fn shared_data_writes(changes: &super::rte::ChangeSet, snapshot: &Snapshot) -> Vec<(String, String)> {
    changes
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix("adl.data.")?.strip_suffix(".store")?;
            let id = snapshot.get(&cat(&["adl.data.", n, ".id"]))?;
            Some((id.clone(), v.clone()))
        })
        .collect()
}

/// Check a stored (element, value) pair the way the run-time would accept it
/// from a saved state: used by the reference backend to validate batches
/// with the same code the browser runs. Access rules and dependencies on
/// other elements do not apply; interaction responses are checked only for
/// characters, since their format depends on the interaction type.
pub fn validate_stored(element: &str, value: &str) -> Result<(), String> {
    let Some((rule, _)) = model::resolve(element) else {
        return Err(cat(&[&quoted(element), " is not a data model element"]));
    };
    let result = match rule.ty {
        Ty::Const(_) | Ty::Count => Err(404),
        Ty::Lms => match element {
            "cmi.total_time" => types::parse_interval(value).map(|_| ()).ok_or(406),
            _ => Err(404),
        },
        Ty::Response(_) => Ok(()),
        _ => check_type(rule, value, None),
    };
    result.map_err(|code| cat(&[element, ": ", &quoted(value), " is not a valid value (error ", &dec(u64::from(code)), ")"]))
}


/// Store `value` under `element`, reusing the key and the value's buffer
/// when the element is already set (the common case of a SetValue).
fn store(values: &mut crate::engine::rte::Snapshot, element: &str, value: &str) {
    if let Some((v, _)) = values.get_or_insert_with(element, String::new) {
        v.clear();
        v.push_str(value);
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rte::NullHost;

    #[test]
    fn record_keys_match_format() {
        for (c, i, f) in [("cmi.interactions", 0, ".id"), ("cmi.objectives", 9, ".type"), ("cmi.interactions", 10, ""), ("x", 123_456_789, ".id"), ("x", usize::MAX, "")] {
            assert_eq!(record_key(c, i, f), format!("{c}.{i}{f}"));
        }
    }

    #[test]
    fn state_machine() {
        let mut api = Api::new(Launch::default(), None);
        let mut h = NullHost;
        assert_eq!(api.terminate("", &mut h), "false");
        assert_eq!(api.get_last_error(), "112");
        assert_eq!(api.initialize(""), "true");
        assert_eq!(api.initialize(""), "false");
        assert_eq!(api.get_last_error(), "103");
        assert_eq!(api.commit("", &mut h), "true");
        assert_eq!(api.terminate("", &mut h), "true");
        assert_eq!(api.terminate("", &mut h), "false");
        assert_eq!(api.get_last_error(), "113");
        assert_eq!(api.initialize(""), "false");
        assert_eq!(api.get_last_error(), "104");
    }

    #[test]
    fn inspect_answers_what_get_value_would_without_touching_the_error_state() {
        let launch = Launch { learner_id: "u1".into(), completion_threshold: Some(0.5), ..Launch::default() };
        let mut api = Api::new(launch, None);
        api.initialize("");
        let mut h = NullHost;
        assert_eq!(api.set_value("cmi.progress_measure", "0.75"), "true");
        assert_eq!(api.set_value("cmi.session_time", "PT5S"), "true");
        assert_eq!(api.set_value("cmi.interactions.0.id", "q1"), "true");
        assert_eq!(api.set_value("cmi.nope", "x"), "false");
        let all = api.inspect();
        let get = |k: &str| all.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        // stored, write-only, launch, evaluated (threshold 0.5 < 0.75)
        assert_eq!(get("cmi.progress_measure"), Some("0.75"));
        assert_eq!(get("cmi.session_time"), Some("PT5S"));
        assert_eq!(get("cmi.interactions.0.id"), Some("q1"));
        assert_eq!(get("cmi.learner_id"), Some("u1"));
        assert_eq!(get("cmi.entry"), Some("ab-initio"));
        assert_eq!(get("cmi.completion_status"), Some("completed"));
        assert_eq!(get("cmi._version"), None);
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        // Every element it lists reads back the same through GetValue (but the write-only ones).
        assert_eq!(api.last_error_code(), 401, "inspect left the error state alone");
        for (k, v) in &all {
            if k == "cmi.session_time" || k == "cmi.exit" {
                continue;
            }
            assert_eq!(&api.get_value(k), v, "{k}");
        }
        api.commit("", &mut h);
    }

    #[test]
    fn quoted_matches_debug_for_ascii_and_printable_text() {
        for s in ["", "plain", "a \"b\" c", "back\\slash", "tab\tnl\nret\r", "nul\0bell\u{7}del\u{7f}", "c1\u{80}\u{9f}\u{1b}", "caf\u{e9} \u{1F600}"] {
            assert_eq!(quoted(s), format!("{s:?}"));
        }
    }

    #[test]
    fn set_reads_back_only_when_get_value_returns_the_value_set() {
        let launch = Launch { completion_threshold: Some(0.5), scaled_passing_score: Some(0.7), ..Launch::default() };
        let mut api = Api::new(launch, None);
        api.initialize("");
        // (element, value, GetValue returns it verbatim)
        let cases: &[(&str, &str, bool)] = &[
            ("cmi.location", "page 3", true),
            ("cmi.location", "", true),
            ("cmi.score.scaled", "0.50", true),
            ("cmi.progress_measure", "0.25", true),
            ("cmi.suspend_data", "x\u{e9}y", true),
            ("cmi.interactions.0.id", "q1", true),
            ("cmi.interactions.0.type", "choice", true),
            ("cmi.interactions.0.learner_response", "a[,]b", true),
            ("cmi.interactions.00.id", "q1b", true),
            ("cmi.objectives.0.id", "o1", true),
            ("cmi.learner_preference.audio_level", "1.5", true),
            ("cmi.completion_status", "completed", false),
            ("cmi.success_status", "passed", false),
            ("cmi.exit", "suspend", false),
            ("cmi.session_time", "PT1M", false),
            ("adl.nav.request", "continue", false),
        ];
        for &(element, value, verbatim) in cases {
            assert_eq!(api.set_value(element, value), "true", "{element}");
            assert_eq!(api.set_reads_back(), verbatim, "{element}");
            if api.set_reads_back() {
                assert_eq!(api.get_value(element), value, "{element}");
                assert_eq!(api.get_last_error(), "0");
            }
        }
        // Computed statuses differ from what was set: the reason for the rule.
        assert_eq!(api.get_value("cmi.completion_status"), "incomplete");
        assert_eq!(api.set_value("cmi.score.scaled", "2"), "false");
        assert!(!api.set_reads_back());
    }
}
