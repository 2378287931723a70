//! SCORM 1.2 run-time (`window.API`): ADL "SCORM Version 1.2 – The SCORM
//! Run-Time Environment", §3.3 (API) and §3.4 (data model).
//!
//! * [`types`]: the data types of §3.4.5 and `CMITimespan` arithmetic.
//! * [`model`]: the one table of element rules ([`model::RULES`]).
//! * [`Api`]: the API instance: state machine, error codes, the values, and
//!   the LMS side (initial values, `total_time`, the LMS-decided
//!   `lesson_status`, resume).
//!
//! ## Decisions where the specification leaves room
//!
//! * Unknown elements (`xyz.a`, `cmi.core.foo`) give 401 (§3.3.3 example
//!   "xyz.score.result"). A parent that is not an element itself
//!   (`cmi.core`), an index that is not a plain number (`01`), an index past
//!   the end of an array on get, or past `_count` on set, give 201.
//! * `LMSSetValue` on `x._children` / `x._count` of a known element gives 402
//!   (a keyword), whether or not `x` has children or is an array.
//! * Setting any element of `cmi.objectives.n` / `cmi.interactions.n` with
//!   `n == _count` appends the new record (the SCO need not start with `id`).
//! * `CMIIdentifier` accepts any 1 to 255 characters without white space or
//!   control characters (ids such as `urn:x:q-1` are common).
//! * `CMIFeedback` follows `cmi.interactions.n.type` when it was set before the
//!   response or pattern; letters may be upper or lower case; true-false also
//!   takes `true` / `false`. Without a type, any `CMIString255` is accepted,
//!   and so always with [`Launch::lenient_feedback`].
//! * `CMITimespan` / `CMITime`: minutes and seconds must be 00 to 59.
//!   `cmi.core.total_time` is written as `HHHH:MM:SS.SS` and held at
//!   `9999:59:59.99`, the largest value the type can carry.
//! * `LMSFinish`: `total_time` = the total at launch + the last
//!   `session_time` set in this session. Then, in `normal` mode, a status
//!   still "not attempted" becomes "completed", and with credit, a mastery
//!   score and a `score.raw`, the LMS sets "passed" (raw ≥ mastery) or
//!   "failed" (overriding the SCO's status, as §3.4.4 `cmi.core.credit`
//!   implies). In `browse` mode a status still "not attempted" becomes
//!   "browsed". In `review` mode the LMS changes no status.
//! * Resume: when the saved state's `cmi.core.exit` is "suspend", everything
//!   is restored and `entry` is "resume". Otherwise, with a saved state, the
//!   launch is a new attempt with `entry` "" (the vocabulary's value for
//!   neither first launch nor resume): `lesson_status`, `score.*`,
//!   `total_time`, `cmi.objectives`, `cmi.student_preference` and
//!   `cmi.comments` carry over (§3.4.4: `score.raw` "reflects what was
//!   recorded on the student's last previous attempt"); `lesson_location`,
//!   `suspend_data` and `cmi.interactions` start empty. `exit` and
//!   `session_time` never carry over. The `entry` "" follows the definition
//!   of `cmi.core.entry` ("" when the last exit was not "suspend").
//! * Launch values (`student_id`, `credit`, `lesson_mode`, `entry`,
//!   `launch_data`, `student_data.*`, …) always come from [`Launch`]; they
//!   are not part of the persisted state ([`Api::snapshot`], change sets).
//! * `LMSFinish` / `LMSCommit` whose persist fails return "false" with 101;
//!   the instance stays running and the changes stay pending.

pub mod model;
pub mod types;

use super::num::dec;
use super::rte::{ApiState, ChangeSet, DirtySet, Host, PersistReason, Snapshot};
use super::text::cat;
use model::{Access, Miss, Target};
use types::{Array, Context, DataType};

/// What the LMS gives a SCORM 1.2 SCO at launch.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// `cmi.core.student_id`
    pub student_id: String,
    /// `cmi.core.student_name`
    pub student_name: String,
    /// `cmi.core.credit`: true for "credit".
    pub credit: bool,
    /// `cmi.core.lesson_mode`: "normal", "browse" or "review" (anything else
    /// is taken as "normal").
    pub lesson_mode: String,
    /// `cmi.launch_data` (`adlcp:datafromlms`).
    pub launch_data: String,
    /// `cmi.comments_from_lms`.
    pub comments_from_lms: String,
    /// `cmi.student_data.mastery_score` (`adlcp:masteryscore`).
    pub mastery_score: Option<f64>,
    /// `cmi.student_data.max_time_allowed` (`adlcp:maxtimeallowed`).
    pub max_time_allowed: Option<String>,
    /// `cmi.student_data.time_limit_action` (`adlcp:timelimitaction`).
    pub time_limit_action: Option<String>,
    /// Longest `cmi.suspend_data` accepted (see `config::DEFAULT_SCORM12_SUSPEND_DATA_LIMIT`).
    pub suspend_data_limit: usize,
    /// Accept any `CMIString255` as `CMIFeedback` (`student_response`,
    /// `correct_responses.n.pattern`) whatever the interaction type: for
    /// content that writes free text in `choice` responses. Default false
    /// (the formats of RTE §3.4.4 are enforced).
    pub lenient_feedback: bool,
    /// The longest value of any element, in characters (`usize::MAX`: no
    /// limit beyond the data types'). A longer value is refused with 405.
    pub max_value_chars: usize,
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            student_id: "learner".into(),
            student_name: "Learner".into(),
            credit: true,
            lesson_mode: "normal".into(),
            launch_data: String::new(),
            comments_from_lms: String::new(),
            mastery_score: None,
            max_time_allowed: None,
            time_limit_action: None,
            suspend_data_limit: crate::engine::config::DEFAULT_SCORM12_SUSPEND_DATA_LIMIT,
            lenient_feedback: false,
            max_value_chars: usize::MAX,
        }
    }
}

impl Launch {
    /// The mastery score in effect: a finite number from 0 to 100 (a
    /// `CMIDecimal` score), rounded to 7 decimals; anything else is ignored.
    fn mastery(&self) -> Option<(f64, String)> {
        let m = self.mastery_score.filter(|m| (0.0..=100.0).contains(m))?;
        let text = crate::engine::num::format_decimal(m, 7);
        Some((types::decimal(&text)?, text))
    }

    fn mode(&self) -> &'static str {
        match self.lesson_mode.as_str() {
            "browse" => "browse",
            "review" => "review",
            _ => "normal",
        }
    }
}

/// How many records each array holds.
#[derive(Clone, Debug, Default)]
struct Counts {
    objectives: u32,
    /// Per interaction: `[objectives._count, correct_responses._count]`.
    interactions: Vec<[u32; 2]>,
}

impl Counts {
    /// The `_count` of the array `a` (nested arrays: of interaction `outer`).
    fn of(&self, a: Array, outer: u32) -> u32 {
        let inner = |k: usize| {
            self.interactions.get(outer as usize).and_then(|c| c.get(k)).copied().unwrap_or(0)
        };
        match a {
            Array::None => 0,
            Array::Objectives => self.objectives,
            Array::Interactions => u32::try_from(self.interactions.len()).unwrap_or(u32::MAX),
            Array::InteractionObjectives => inner(0),
            Array::CorrectResponses => inner(1),
        }
    }

    /// Record that element `t` exists (growing its arrays).
    fn note(&mut self, t: &Target) {
        let [outer, inner] = t.index;
        match t.rule.array {
            Array::None => {}
            Array::Objectives => self.objectives = self.objectives.max(outer.saturating_add(1)),
            Array::Interactions | Array::InteractionObjectives | Array::CorrectResponses => {
                let want = outer as usize + 1;
                if self.interactions.len() < want {
                    self.interactions.resize(want, [0, 0]);
                }
                let k = match t.rule.array {
                    Array::InteractionObjectives => 0,
                    Array::CorrectResponses => 1,
                    _ => return,
                };
                if let Some(c) = self.interactions.get_mut(outer as usize).and_then(|c| c.get_mut(k)) {
                    *c = (*c).max(inner.saturating_add(1));
                }
            }
        }
    }
}

/// One SCORM 1.2 API instance for one SCO attempt.
#[derive(Debug)]
pub struct Api {
    state: ApiState,
    last_error: u16,
    diagnostic: String,
    /// What the SCO and the LMS stored: the persistent state.
    values: Snapshot,
    /// The read-only values of this launch (`student_id`, `credit`, `entry`, …).
    lms: Snapshot,
    counts: Counts,
    dirty: DirtySet,
    /// `cmi.core.total_time` at launch, in hundredths of a second.
    total_at_launch: u64,
    launch: Launch,
    /// See [`Api::set_reads_back`].
    read_back: bool,
}

/// The error codes of SCORM 1.2 RTE §3.3.3 and their strings.
pub const ERRORS: &[(u16, &str)] = &[
    (0, "No error"),
    (101, "General exception"),
    (201, "Invalid argument error"),
    (202, "Element cannot have children"),
    (203, "Element not an array - cannot have count"),
    (301, "Not initialized"),
    (401, "Not implemented error"),
    (402, "Invalid set value, element is a keyword"),
    (403, "Element is read only"),
    (404, "Element is write only"),
    (405, "Incorrect data type"),
];

/// The read-only values a launch gives (RTE §3.4.4 "LMS Behavior,
/// Initialization"); values that are absent or not valid are left out.
fn launch_values(launch: &Launch, entry: &str) -> Snapshot {
    let credit = if launch.credit { "credit" } else { "no-credit" };
    let values = [
        ("cmi.core.student_id", Some(launch.student_id.clone())),
        ("cmi.core.student_name", Some(launch.student_name.clone())),
        ("cmi.core.credit", Some(credit.to_owned())),
        ("cmi.core.lesson_mode", Some(launch.mode().to_owned())),
        ("cmi.core.entry", Some(entry.to_owned())),
        ("cmi.launch_data", Some(launch.launch_data.clone())),
        ("cmi.comments_from_lms", Some(launch.comments_from_lms.clone())),
        ("cmi.student_data.mastery_score", launch.mastery().map(|(_, text)| text)),
        (
            "cmi.student_data.max_time_allowed",
            launch.max_time_allowed.clone().filter(|t| types::parse_timespan(t).is_some()),
        ),
        (
            "cmi.student_data.time_limit_action",
            launch.time_limit_action.clone().filter(|a| types::TIME_LIMIT_ACTION.contains(&a.as_str())),
        ),
    ];
    // Inserted one by one: collecting into a map would sort (code size).
    let mut out = Snapshot::new();
    for (k, v) in values {
        if let Some(v) = v {
            out.insert(k.to_owned(), v);
        }
    }
    out
}

/// Elements that carry over into a new attempt (see the module notes).
fn carries_over(element: &str) -> bool {
    matches!(
        element,
        "cmi.core.lesson_status"
            | "cmi.core.score.raw"
            | "cmi.core.score.min"
            | "cmi.core.score.max"
            | "cmi.core.total_time"
            | "cmi.comments"
    ) || element.starts_with("cmi.objectives.")
        || element.starts_with("cmi.student_preference.")
}

const LESSON_STATUS: &str = "cmi.core.lesson_status";
const TOTAL_TIME: &str = "cmi.core.total_time";
const SESSION_TIME: &str = "cmi.core.session_time";
const EXIT: &str = "cmi.core.exit";

impl Api {
    /// A new API instance; `saved` is the state of an earlier session of the
    /// same SCO (resume after "suspend", else a new attempt), if any.
    pub fn new(launch: Launch, saved: Option<Snapshot>) -> Api {
        let mut values = Snapshot::new();
        let mut counts = Counts::default();
        let entry = match &saved {
            None => "ab-initio",
            Some(s) if s.get(EXIT).map(String::as_str) == Some("suspend") => "resume",
            Some(_) => "",
        };
        if let Some(saved) = &saved {
            let resume = entry == "resume";
            // An index can never exceed the number of saved elements; this
            // bounds the arrays a corrupt saved state could make us allocate.
            let bound = saved.len();
            for (k, v) in saved {
                if k == EXIT || k == SESSION_TIME || !(resume || carries_over(k)) {
                    continue;
                }
                let Ok(t) = model::lookup(k) else { continue };
                // Read-only values come from the launch, not the saved state.
                if (t.rule.access == Access::ReadOnly && k != TOTAL_TIME)
                    || t.index.iter().take(t.depth).any(|i| *i as usize >= bound)
                    || check_stored(&t, v, usize::MAX).is_err()
                {
                    continue;
                }
                counts.note(&t);
                values.insert(k.clone(), v.clone());
            }
        }
        let lms = launch_values(&launch, entry);
        if values.get(LESSON_STATUS).map_or(true, String::is_empty) {
            values.insert(LESSON_STATUS.to_owned(), "not attempted".to_owned());
        }
        let total_at_launch = values.get(TOTAL_TIME).and_then(|t| types::parse_timespan(t)).unwrap_or(0);
        values.insert(TOTAL_TIME.to_owned(), types::format_timespan(total_at_launch));

        // Everything that differs from what the host holds is pending.
        let mut dirty = DirtySet::default();
        dirty.mark_differences(&values, &saved.unwrap_or_default());
        Api {
            state: ApiState::NotInitialized,
            last_error: 0,
            diagnostic: String::new(),
            values,
            lms,
            counts,
            dirty,
            total_at_launch,
            launch,
            read_back: false,
        }
    }

    /// The API instance state.
    pub fn state(&self) -> ApiState {
        self.state
    }

    /// The whole saved state: every element the SCO or the LMS stored, as
    /// `LMSGetValue` would return it. Keywords and the read-only values of
    /// the launch (`student_id`, `credit`, `entry`, `student_data.*`, …) are
    /// not part of it; `cmi.core.lesson_status` and `cmi.core.total_time` are.
    pub fn snapshot(&self) -> Snapshot {
        self.values.clone()
    }

    /// Every element `LMSGetValue` would answer now, with its value, for a
    /// debugger: the launch values (`cmi.core.student_id`, `cmi.core.entry`,
    /// …) and the stored ones (write-only elements such as
    /// `cmi.core.session_time` too), sorted by name. Reads nothing through
    /// the API, so the error state the SCO sees stays as it is.
    pub fn inspect(&self) -> Vec<(String, String)> {
        let mut all = self.lms.clone();
        all.extend(self.values.iter().map(|(k, v)| (k.clone(), v.clone())));
        all.into_iter().collect()
    }

    /// The elements changed since the last successful persist, with their
    /// current values (removed ones with ""), and forget them: for a host
    /// that must save without a Commit (page unload).
    pub fn take_changes(&mut self) -> ChangeSet {
        let c = self.dirty.change_set(&self.values);
        self.dirty.clear();
        c
    }

    fn fail(&mut self, code: u16, diagnostic: impl Into<String>) -> &'static str {
        self.last_error = code;
        self.diagnostic = diagnostic.into();
        "false"
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

    /// `LMSInitialize("")`.
    pub fn initialize(&mut self, param: &str) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "LMSInitialize takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => {
                self.state = ApiState::Running;
                self.ok()
            }
            ApiState::Running => self.fail(101, "LMSInitialize was already called"),
            ApiState::Terminated => self.fail(101, "LMSFinish was already called"),
        }
    }

    fn persist(&mut self, reason: PersistReason, host: &mut dyn Host) -> Result<(), String> {
        let changes = self.dirty.change_set(&self.values);
        host.persist(reason, &changes, &self.values)?;
        self.dirty.clear();
        Ok(())
    }

    /// `LMSFinish("")`: the LMS-side end of the session (total time, status),
    /// then the last persist.
    pub fn finish(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "LMSFinish takes the empty string");
        }
        if self.state != ApiState::Running {
            return self.fail(301, "LMSFinish outside an initialized session");
        }
        self.end_session();
        if let Err(e) = self.persist(PersistReason::Terminate, host) {
            return self.fail(101, cat(&["the data could not be stored: ", &e]));
        }
        self.state = ApiState::Terminated;
        self.ok()
    }

    /// Store `value` at an LMS-managed element, marking it changed if it is.
    fn lms_set(&mut self, element: &str, value: String) {
        if self.values.get(element) != Some(&value) {
            self.values.insert(element.to_owned(), value);
            self.dirty.mark(element);
        }
    }

    /// What the LMS does at LMSFinish (see the module notes). Idempotent, so
    /// a Finish retried after a failed persist gives the same result.
    fn end_session(&mut self) {
        if let Some(session) = self.values.get(SESSION_TIME).and_then(|s| types::parse_timespan(s)) {
            let total = types::format_timespan(self.total_at_launch.saturating_add(session));
            self.lms_set(TOTAL_TIME, total);
        }
        let status = self.values.get(LESSON_STATUS).map(String::as_str).unwrap_or("not attempted");
        let new_status = match self.launch.mode() {
            "browse" if status == "not attempted" => Some("browsed"),
            "normal" => {
                let raw = self.values.get("cmi.core.score.raw").and_then(|r| types::decimal(r));
                match (self.launch.credit, self.launch.mastery().map(|(m, _)| m), raw) {
                    (true, Some(mastery), Some(raw)) => Some(if raw >= mastery { "passed" } else { "failed" }),
                    _ if status == "not attempted" => Some("completed"),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(s) = new_status {
            self.lms_set(LESSON_STATUS, s.to_owned());
        }
    }

    /// Check that every index of `t` names an existing record.
    fn in_range(&self, t: &Target) -> bool {
        match t.depth {
            0 => true,
            1 => t.index[0] < self.counts.of(t.rule.array, t.index[0]),
            _ => {
                t.index[0] < self.counts.of(Array::Interactions, 0)
                    && t.index[1] < self.counts.of(t.rule.array, t.index[0])
            }
        }
    }

    /// `LMSGetValue(element)`.
    pub fn get_value(&mut self, element: &str) -> String {
        if self.state != ApiState::Running {
            self.fail(301, "LMSGetValue outside an initialized session");
            return String::new();
        }
        if element.is_empty() {
            self.fail(201, "LMSGetValue needs an element name");
            return String::new();
        }
        let t = match model::lookup(element) {
            Ok(t) => t,
            Err(miss) => {
                let code = match miss {
                    Miss::NoChildren => 202,
                    Miss::NotArray => 203,
                    Miss::Unknown => 401,
                    Miss::BadIndex | Miss::NotElement => 201,
                };
                self.fail(code, miss_diagnostic(miss));
                return String::new();
            }
        };
        if t.rule.access == Access::WriteOnly {
            self.fail(404, cat(&[t.rule.name, " is write only"]));
            return String::new();
        }
        // A `_count` of a nested array needs its interaction to exist; the
        // top-level keywords have no index.
        let exists = match t.rule.ty {
            DataType::Children(_) => true,
            DataType::Count => t.depth == 0 || t.index[0] < self.counts.of(Array::Interactions, 0),
            _ => self.in_range(&t),
        };
        if !exists {
            self.fail(201, "the index is past the end of the array (see _count)");
            return String::new();
        }
        let value = match t.rule.ty {
            DataType::Children(list) => list.to_owned(),
            DataType::Version => "3.4".to_owned(),
            DataType::Count => dec(u64::from(self.counts.of(t.rule.array, t.index[0]))),
            _ => self.values.get(element).or_else(|| self.lms.get(element)).cloned().unwrap_or_default(),
        };
        self.ok();
        value
    }

    /// `LMSSetValue(element, value)`.
    pub fn set_value(&mut self, element: &str, value: &str) -> &'static str {
        self.read_back = false;
        if self.state != ApiState::Running {
            return self.fail(301, "LMSSetValue outside an initialized session");
        }
        if element.is_empty() {
            return self.fail(201, "LMSSetValue needs an element name");
        }
        let t = match model::lookup(element) {
            Ok(t) => t,
            Err(miss @ (Miss::NoChildren | Miss::NotArray)) => {
                return self.fail(402, cat(&[miss_diagnostic(miss), " (and a keyword cannot be set)"]))
            }
            Err(miss @ Miss::Unknown) => return self.fail(401, miss_diagnostic(miss)),
            Err(miss) => return self.fail(201, miss_diagnostic(miss)),
        };
        if t.rule.ty.is_keyword() {
            return self.fail(402, cat(&[t.rule.name, " is a keyword"]));
        }
        if t.rule.access == Access::ReadOnly {
            return self.fail(403, cat(&[t.rule.name, " is read only"]));
        }
        if value.len() > self.launch.max_value_chars && value.chars().count() > self.launch.max_value_chars {
            let max = dec(self.launch.max_value_chars as u64);
            return self.fail(405, cat(&[element, ": longer than the ", &max, " characters this LMS stores for one value"]));
        }
        // Arrays grow in order: an index may name a record or the next one.
        let outer_count = self.counts.of(if t.depth == 2 { Array::Interactions } else { t.rule.array }, 0);
        let ok_index = match t.depth {
            0 => true,
            1 => t.index[0] <= outer_count,
            _ => t.index[0] <= outer_count && t.index[1] <= self.counts.of(t.rule.array, t.index[0]),
        };
        if !ok_index {
            return self.fail(201, "arrays are set in order: the index must be at most _count");
        }
        let interaction_type = match t.rule.ty {
            DataType::Feedback if !self.launch.lenient_feedback => {
                self.values.get(&cat(&["cmi.interactions.", &dec(u64::from(t.index[0])), ".type"])).cloned()
            }
            _ => None,
        };
        let cx = Context {
            suspend_data_limit: self.launch.suspend_data_limit,
            interaction_type: interaction_type.as_deref(),
            stored: false,
        };
        if let Err(why) = types::check(t.rule.ty, value, &cx) {
            return self.fail(405, cat(&[t.rule.name, ": ", why]));
        }
        self.counts.note(&t);
        store(&mut self.values, element, value);
        self.dirty.mark(element);
        // Readable elements are read back from `values` as stored.
        self.read_back = t.rule.access != Access::WriteOnly
            && !matches!(t.rule.ty, DataType::Children(_) | DataType::Version | DataType::Count);
        self.ok()
    }

    /// True when the last `LMSSetValue` succeeded and `LMSGetValue` of the
    /// same element now returns exactly the value set (until the next call
    /// that changes the data model). Lets a host keep a copy of the value.
    pub fn set_reads_back(&self) -> bool {
        self.read_back
    }

    /// `LMSCommit("")`: hand the changes since the last successful persist to the host.
    pub fn commit(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "LMSCommit takes the empty string");
        }
        if self.state != ApiState::Running {
            return self.fail(301, "LMSCommit outside an initialized session");
        }
        match self.persist(PersistReason::Commit, host) {
            Ok(()) => self.ok(),
            Err(e) => self.fail(101, cat(&["the data could not be stored: ", &e])),
        }
    }

    /// `LMSGetLastError()`.
    pub fn get_last_error(&self) -> String {
        dec(u64::from(self.last_error))
    }

    /// `LMSGetErrorString(code)`: "" for a code SCORM 1.2 does not define.
    pub fn get_error_string(&self, code: &str) -> String {
        crate::engine::num::parse_u16(code.trim())
            .and_then(|c| ERRORS.iter().find(|(n, _)| *n == c))
            .map(|(_, s)| (*s).to_owned())
            .unwrap_or_default()
    }

    /// `LMSGetDiagnostic(code)`: details of the last error when `code` is
    /// empty or equals it, else the error string of `code`.
    pub fn get_diagnostic(&self, code: &str) -> String {
        if code.is_empty() || crate::engine::num::parse_u16(code.trim()) == Some(self.last_error) {
            if self.diagnostic.is_empty() {
                return self.get_error_string(&dec(u64::from(self.last_error)));
            }
            return self.diagnostic.clone();
        }
        self.get_error_string(code)
    }
}

fn miss_diagnostic(miss: Miss) -> &'static str {
    match miss {
        Miss::Unknown => "not an element of the SCORM 1.2 data model",
        Miss::BadIndex => "an array index is a plain decimal number (0, 1, 2, ...)",
        Miss::NotElement => "a parent of elements, not an element",
        Miss::NoChildren => "the element has no _children",
        Miss::NotArray => "the element is not an array and has no _count",
    }
}

/// Check a resolved stored value (access rules do not apply).
fn check_stored(t: &Target, value: &str, suspend_data_limit: usize) -> Result<(), String> {
    if t.rule.ty.is_keyword() {
        return Err(cat(&[t.rule.name, " is a keyword, not a stored element"]));
    }
    if value.is_empty() {
        return Ok(()); // "" is how an element that is not set reads
    }
    let cx = Context { suspend_data_limit, interaction_type: None, stored: true };
    types::check(t.rule.ty, value, &cx).map_err(|why| cat(&[t.rule.name, ": ", why]))
}

/// The largest `cmi.suspend_data` any configuration accepts (16 MiB
/// characters, see `config`): what [`validate_stored`] allows.
pub const MAX_SUSPEND_DATA_LIMIT: usize = 16 * 1024 * 1024;

/// Check a stored (element, value) pair the way the run-time would accept it
/// from a saved state: used by the reference backend to validate batches
/// with the same code the browser runs. The element must exist (keywords
/// are not stored) and the value be valid for its type; access rules do not
/// apply. "" is accepted for every element (it is how an element that is
/// not set reads, and how a change set reports a removed element).
/// `cmi.suspend_data` may be as long as the largest configurable
/// limit, and `CMIFeedback` is checked as `CMIString255` (the interaction's
/// type is another element).
pub fn validate_stored(element: &str, value: &str) -> Result<(), String> {
    let t = model::lookup(element).map_err(|m| cat(&[&crate::engine::scorm2004::quoted(element), ": ", miss_diagnostic(m)]))?;
    check_stored(&t, value, MAX_SUSPEND_DATA_LIMIT)
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
    fn state_machine() {
        let mut api = Api::new(Launch::default(), None);
        let mut h = NullHost;
        assert_eq!(api.commit("", &mut h), "false");
        assert_eq!(api.get_last_error(), "301");
        assert_eq!(api.initialize("x"), "false");
        assert_eq!(api.get_last_error(), "201");
        assert_eq!(api.initialize(""), "true");
        assert_eq!(api.get_last_error(), "0");
        assert_eq!(api.initialize(""), "false");
        assert_eq!(api.get_last_error(), "101");
        assert_eq!(api.commit("", &mut h), "true");
        assert_eq!(api.finish("", &mut h), "true");
        assert_eq!(api.get_value("cmi.core.lesson_status"), "");
        assert_eq!(api.get_last_error(), "301");
        assert_eq!(api.get_error_string("301"), "Not initialized");
    }

    #[test]
    fn inspect_answers_what_lms_get_value_would_without_touching_the_error_state() {
        let launch = Launch { student_id: "u1".into(), ..Launch::default() };
        let mut api = Api::new(launch, None);
        api.initialize("");
        assert_eq!(api.set_value("cmi.core.session_time", "00:00:05"), "true");
        assert_eq!(api.set_value("cmi.suspend_data", "abc"), "true");
        assert_eq!(api.set_value("cmi.nope", "x"), "false");
        let all = api.inspect();
        let get = |k: &str| all.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("cmi.core.student_id"), Some("u1"));
        assert_eq!(get("cmi.core.session_time"), Some("00:00:05"));
        assert_eq!(get("cmi.suspend_data"), Some("abc"));
        assert_eq!(get("cmi.core.entry"), Some("ab-initio"));
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        assert_eq!(api.get_last_error(), "401", "inspect left the error state alone");
        for (k, v) in &all {
            if k == "cmi.core.session_time" || k == "cmi.core.exit" {
                continue;
            }
            assert_eq!(&api.get_value(k), v, "{k}");
        }
    }

    #[test]
    fn validate_stored_uses_the_table() {
        assert!(validate_stored("cmi.core.lesson_status", "not attempted").is_ok());
        assert!(validate_stored("cmi.core.exit", "suspend").is_ok());
        assert!(validate_stored("cmi.interactions.3.latency", "00:00:05").is_ok());
        assert!(validate_stored("cmi.core.lesson_status", "done").is_err());
        assert!(validate_stored("cmi.core._children", "x").is_err());
        assert!(validate_stored("cmi.objectives.01.id", "x").is_err());
        assert!(validate_stored("adl.nav.request", "continue").is_err());
    }

    #[test]
    fn set_reads_back_only_when_get_value_returns_the_value_set() {
        let mut api = Api::new(Launch::default(), None);
        api.initialize("");
        // (element, value, LMSGetValue returns it verbatim)
        let cases: &[(&str, &str, bool)] = &[
            ("cmi.core.lesson_location", "page 3", true),
            ("cmi.core.lesson_status", "incomplete", true),
            ("cmi.core.score.raw", "50", true),
            ("cmi.suspend_data", "", true),
            ("cmi.interactions.0.id", "q1", false),
            ("cmi.interactions.0.result", "correct", false),
            ("cmi.objectives.0.id", "o1", true),
            ("cmi.objectives.0.status", "passed", true),
            ("cmi.student_preference.audio", "-1", true),
            ("cmi.core.exit", "suspend", false),
            ("cmi.core.session_time", "00:01:00", false),
        ];
        for &(element, value, verbatim) in cases {
            assert_eq!(api.set_value(element, value), "true", "{element}");
            assert_eq!(api.set_reads_back(), verbatim, "{element}");
            if api.set_reads_back() {
                assert_eq!(api.get_value(element), value, "{element}");
                assert_eq!(api.get_last_error(), "0");
            }
        }
        assert_eq!(api.set_value("cmi.core.lesson_status", "bogus"), "false");
        assert!(!api.set_reads_back());
    }
}
