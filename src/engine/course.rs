//! A course being taken: a parsed content package, the sequencing session
//! over its activity tree, the shared data stores, and the hand-over between
//! the sequencer and each SCO's run-time.
//!
//! SCORM 2004 packages are sequenced by [`Sequencer`] (SN book, OP.1).
//! SCORM 1.2 packages have no sequencing: [`Course12`] offers their
//! launchable items in document order with free choice, keeps each SCO's
//! status, honours `adlcp:prerequisites` and rolls a course status up, which
//! is what SCORM 1.2 LMSs do.
//!
//! [`identity`] names the course and registration a package's tracking data
//! belongs to.
//!
//! ```text
//! let mut course = Course::open(xml, &ParseOptions::default())?;
//! let d = course.navigate(NavigationRequest::Start)?;        // Delivery::Launch(launch)
//! let api = scorm2004::Api::new(course.launch_2004(&launch, base), saved);
//! ... the SCO runs and terminates ...
//! let next = course.finish_2004(&api);                        // pending adl.nav.request
//! if let Some(req) = next { course.navigate(req)?; }
//! ```

use std::collections::BTreeMap;

use super::config::Config;
use super::course12::{Course12, ScoReport, Step};
use super::manifest::{self, Manifest, ManifestError, ParseOptions};
use super::rte::Snapshot;
use super::scorm2004::{self, DataStore, NavQuery, NavigationOracle};
use super::sequencing::{
    NavState, NavigationRequest, ObjectiveState, Outcome, ScoLaunchData, ScoObjective, ScoResult, SeqError, SeqState,
    Sequencer,
};
use super::seqdef::Activity;

/// What to launch next.
#[derive(Clone, Debug, PartialEq)]
pub struct LaunchInfo {
    /// The activity (item) identifier; also the SCO id its data is kept under.
    pub activity_id: String,
    /// The item title.
    pub title: String,
    /// Launch URL relative to the package root.
    pub href: String,
    /// True for a SCO (it will look for the API), false for an asset.
    pub is_sco: bool,
    /// `cmi.entry` the sequencer decided: "resume" continues the suspended
    /// attempt (the SCO's saved run-time data applies), "ab-initio" starts over.
    pub entry: String,
    /// The sequencer's launch data (SCORM 2004 packages only).
    pub data: Option<ScoLaunchData>,
}

/// The outcome of a navigation request.
// One value per navigation request, handed straight to the caller: boxing
// the launch variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    /// Launch this activity.
    Launch(LaunchInfo),
    /// The sequencing session ended (exitAll, suspendAll, past the last activity).
    Ended,
    /// Nothing new to launch (e.g. abandon).
    Nothing,
}

enum Engine {
    Sequenced(Box<Sequencer>),
    /// SCORM 1.2.
    Scorm12(Box<Course12>),
}

/// The course's overall result, for the learner and the LMS.
#[derive(Clone, Debug, PartialEq)]
pub struct CourseResult {
    /// "completed", "incomplete" or "unknown".
    pub completion: &'static str,
    /// "passed", "failed" or "unknown".
    pub success: &'static str,
    /// The scaled score (0..=1), when known: SCORM 2004, the root's primary
    /// objective measure; SCORM 1.2, the mean of the SCOs' scores.
    pub score: Option<f64>,
}

/// The course and registration a package's tracking data belongs to: what
/// the LMS page configured, and otherwise names the package gives. The
/// course is the manifest `identifier` (characters a configuration id may
/// not hold become `_`; `package` when it has none). The registration, when
/// the page set none, is the course id followed by `@` and 16 hex digits of
/// a hash (FNV-1a, 64 bits) of the learner, the SCORM data model and the
/// manifest's URL without its fragment: each learner gets a registration of
/// their own per package, two packages that share an identifier do not
/// share one, and a SCORM 1.2 and a 2004 package never meet in one.
pub fn identity(config: &Config, manifest: &Manifest, manifest_url: &str) -> (String, String) {
    let course = if config.course_id_set {
        config.course_id.clone()
    } else {
        let id: String = manifest
            .identifier
            .chars()
            .map(|c| if c.is_whitespace() || c.is_control() { '_' } else { c })
            .take(200)
            .collect();
        if id.is_empty() { "package".to_string() } else { id }
    };
    if config.registration_id_set {
        return (course, config.registration_id.clone());
    }
    let url = manifest_url.split('#').next().unwrap_or("");
    let model = if manifest.version.is_2004() { "2004" } else { "1.2" };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [config.learner_id.as_str(), model, url] {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let mut reg = course.clone();
    reg.push('@');
    for i in (0..16).rev() {
        reg.push(char::from(b"0123456789abcdef"[((h >> (i * 4)) & 0xf) as usize]));
    }
    (course, reg)
}

/// A course: the package, its sequencing session and its shared data.
pub struct Course {
    /// The parsed manifest.
    pub manifest: Manifest,
    engine: Engine,
    /// `adl.data` stores by target id (written by SCOs with `writeSharedData`).
    shared: BTreeMap<String, String>,
}

/// `adl.nav.request_valid.*` answers for one SCO session, taken from the
/// sequencer's look-ahead when the SCO was delivered. Plain data, so the
/// LMS page can hand the same answers to a bridge on the content origin
/// (`engine::bridge`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavAnswers {
    /// `adl.nav.request_valid.continue`
    pub continue_: bool,
    /// `adl.nav.request_valid.previous`
    pub previous: bool,
    /// Per activity: identifier, choice valid, jump valid. (A list, not a
    /// map: a map of another value type adds its own B-tree code to the
    /// module, and SCOs ask rarely.) A target not listed is not valid.
    pub targets: Vec<(String, bool, bool)>,
}

impl NavAnswers {
    fn target(&self, id: &str) -> Option<&(String, bool, bool)> {
        self.targets.iter().rev().find(|t| t.0 == id)
    }
}

impl NavigationOracle for NavAnswers {
    fn is_valid(&self, request: &NavQuery) -> Option<bool> {
        Some(match request {
            NavQuery::Continue => self.continue_,
            NavQuery::Previous => self.previous,
            NavQuery::Choice(t) => self.target(t).is_some_and(|t| t.1),
            NavQuery::Jump(t) => self.target(t).is_some_and(|t| t.2),
        })
    }
}

fn find<'a>(root: &'a Activity, id: &str) -> Option<&'a Activity> {
    manifest::walk(root).into_iter().find(|a| a.id == id)
}

fn real(s: &Snapshot, key: &str) -> Option<f64> {
    s.get(key).and_then(|v| scorm2004::types::parse_real(v))
}

/// OP.1 for a SCORM 2004 package, as [`Course::navigate`] and
/// [`Course::accepts`] apply it.
fn navigate_sequenced(seq: &mut Sequencer, request: &NavigationRequest) -> Result<Outcome, SeqError> {
    seq.navigate(request.clone()).or_else(|e| {
        // A package of one SCO starts with it even when the default control
        // modes (flow false) leave `start` nothing to flow to: the learner
        // could only choose that one activity.
        let mut leaves = seq.nodes().iter().filter(|n| n.is_leaf());
        match (leaves.next(), leaves.next()) {
            (Some(only), None) if *request == NavigationRequest::Start => {
                let id = only.id.clone();
                seq.navigate(NavigationRequest::Choice(id))
            }
            _ => Err(e),
        }
    })
}

/// A SCORM 2004 SCO's results for the tracking model (RTE → SN mapping),
/// read from its run-time data; `None` when it abandoned its attempt
/// (`adl.nav.request` abandon / abandonAll without a time-out or logout:
/// the attempt ends without its results; ADL CTS SX-04a/b).
fn sco_result(api: &scorm2004::Api) -> Option<ScoResult> {
    let s = api.snapshot();
    let request = NavigationRequest::parse(api.nav_request());
    if matches!(request, Some(NavigationRequest::Abandon | NavigationRequest::AbandonAll))
        && !matches!(api.exit(), "time-out" | "logout")
    {
        return None;
    }
    let mut objectives = Vec::new();
    let n = s.keys().filter(|k| k.starts_with("cmi.objectives.") && k.ends_with(".id")).count();
    for i in 0..n {
        // One `format!` and plain concatenation: each `format!` call
        // site costs code in the module.
        let p = format!("cmi.objectives.{i}.");
        let text = |field: &str| s.get(&(p.clone() + field)).cloned();
        let number = |field: &str| real(&s, &(p.clone() + field));
        let Some(id) = text("id") else { continue };
        objectives.push(ScoObjective {
            id,
            success_status: text("success_status"),
            completion_status: text("completion_status"),
            score_scaled: number("score.scaled"),
            score_raw: number("score.raw"),
            score_min: number("score.min"),
            score_max: number("score.max"),
            progress_measure: number("progress_measure"),
        });
    }
    let session = s.get("cmi.session_time").and_then(|t| scorm2004::types::parse_interval(t)).unwrap_or(0);
    Some(ScoResult {
        completion_status: s.get("cmi.completion_status").cloned(),
        success_status: s.get("cmi.success_status").cloned(),
        score_scaled: real(&s, "cmi.score.scaled"),
        score_raw: real(&s, "cmi.score.raw"),
        score_min: real(&s, "cmi.score.min"),
        score_max: real(&s, "cmi.score.max"),
        progress_measure: real(&s, "cmi.progress_measure"),
        objectives,
        session_time: session as f64 / 100.0,
        elapsed: None,
        exit: api.exit().to_string(),
        nav_request: Some(api.nav_request().to_string()).filter(|r| !r.is_empty() && r != "_none_"),
    })
}

/// `cmi.max_time_allowed` from `attemptAbsoluteDurationLimit` seconds, with
/// years and months counted as the manifest parser counts them (365 and 30
/// days), so that the manifest's value comes back as it was written
/// (`P5Y6M4DT12H30M58S`, not `P2009DT12H30M58S`).
fn format_duration(seconds: f64) -> String {
    const DAY: u64 = 86400 * 100;
    // Saturates beyond 5e9 years; u64, not u128 (its division and printing
    // are library code in wasm).
    let cs = (seconds * 100.0).round().max(0.0) as u64;
    let days = cs / DAY;
    let (years, months, days) = (days / 365, days % 365 / 30, days % 365 % 30);
    let mut out = String::from("P");
    for (n, unit) in [(years, 'Y'), (months, 'M'), (days, 'D')] {
        if n > 0 {
            out += &format!("{n}{unit}");
        }
    }
    let rest = cs % DAY;
    if rest > 0 || out.len() == 1 {
        let time = scorm2004::types::format_interval(u128::from(rest));
        out += time.strip_prefix('P').unwrap_or(&time);
    }
    out
}

impl Course {
    /// Parse `xml` and prepare the sequencing session (not yet started).
    pub fn open(xml: &str, options: &ParseOptions) -> Result<Course, ManifestError> {
        let manifest = manifest::parse(xml, options)?;
        let engine = if manifest.version.is_2004() {
            Engine::Sequenced(Box::new(Sequencer::new(&manifest.activity_tree)))
        } else {
            Engine::Scorm12(Box::new(Course12::new(&manifest.activity_tree)))
        };
        let mut course = Course { manifest, engine, shared: BTreeMap::new() };
        course.apply_organization_settings();
        Ok(course)
    }

    fn apply_organization_settings(&mut self) {
        let global = self.objectives_global_to_system();
        if let Engine::Sequenced(seq) = &mut self.engine {
            seq.set_objectives_global_to_system(global);
        }
    }

    /// True for a SCORM 2004 package (the SCO talks to `API_1484_11`).
    pub fn is_2004(&self) -> bool {
        matches!(self.engine, Engine::Sequenced(_))
    }

    /// The sequencer (SCORM 2004 packages).
    pub fn sequencer(&self) -> Option<&Sequencer> {
        match &self.engine {
            Engine::Sequenced(s) => Some(s),
            Engine::Scorm12(_) => None,
        }
    }

    /// The SCORM 1.2 session (SCORM 1.2 packages).
    pub fn scorm12(&self) -> Option<&Course12> {
        match &self.engine {
            Engine::Scorm12(c) => Some(c),
            Engine::Sequenced(_) => None,
        }
    }

    /// Whether processing `request` now would succeed, without changing
    /// anything: the LMS asks before it ends the running SCO for the
    /// request, so that a request that would fail leaves the learner where
    /// they are (SCORM 2004: the Navigation Request Process NB.2.1 first,
    /// then the whole request, termination, sequencing and delivery,
    /// simulated on a copy of the sequencing state, with the results of the
    /// `running` SCO as if it ended now). The error is the exception the
    /// request would end in. SCORM 1.2 packages: whether [`Course12`] would
    /// process it.
    pub fn accepts(&self, request: &NavigationRequest, running: Option<&scorm2004::Api>) -> Result<(), SeqError> {
        match &self.engine {
            Engine::Sequenced(seq) => {
                seq.accepts(request)?;
                let mut copy = Sequencer::clone(seq);
                if let Some(result) = running.and_then(sco_result) {
                    copy.deliver_result(&result);
                }
                navigate_sequenced(&mut copy, request).map(|_| ())
            }
            Engine::Scorm12(c) => c.accepts(request),
        }
    }

    /// Why `request` is refused, in words a learner understands, when the
    /// package says more than the exception does (SCORM 1.2 prerequisites).
    pub fn explain(&self, request: &NavigationRequest) -> Option<String> {
        self.scorm12().and_then(|c| c.explain(request))
    }

    /// Per activity that cannot be entered now and can say why in words
    /// (SCORM 1.2 prerequisites): (identifier, reason).
    pub fn unavailable(&self) -> Vec<(String, String)> {
        let Some(c) = self.scorm12() else { return Vec::new() };
        manifest::walk(&self.manifest.activity_tree)
            .into_iter()
            .filter_map(|a| c.why_unavailable(&a.id).map(|why| (a.id.clone(), why)))
            .collect()
    }

    /// Process a navigation request (OP.1 for SCORM 2004).
    pub fn navigate(&mut self, request: NavigationRequest) -> Result<Delivery, SeqError> {
        let tree = &self.manifest.activity_tree;
        match &mut self.engine {
            Engine::Sequenced(seq) => match navigate_sequenced(seq, &request)? {
                Outcome::Deliver(idx) => {
                    let data = seq.launch_data(idx).ok_or(SeqError { id: "DB.1.1-2" })?;
                    let title = seq.nodes().get(idx).map(|n| n.title.clone()).unwrap_or_default();
                    Ok(Delivery::Launch(LaunchInfo {
                        activity_id: data.activity_id.clone(),
                        title,
                        href: data.href.clone(),
                        is_sco: data.is_sco,
                        entry: data.entry.clone(),
                        data: Some(data),
                    }))
                }
                Outcome::SessionEnded => Ok(Delivery::Ended),
                Outcome::NoDelivery => Ok(Delivery::Nothing),
            },
            Engine::Scorm12(c) => match c.navigate(&request)? {
                Step::Ended => Ok(Delivery::Ended),
                Step::Nothing => Ok(Delivery::Nothing),
                Step::Launch(id) => {
                    let a = find(tree, &id).ok_or(SeqError { id: "DB.1.1-2" })?;
                    let launch = a.launch.as_ref().ok_or(SeqError { id: "DB.1.1-1" })?;
                    Ok(Delivery::Launch(LaunchInfo {
                        activity_id: a.id.clone(),
                        title: a.title.clone(),
                        href: launch.href.clone(),
                        is_sco: launch.is_sco,
                        entry: String::new(),
                        data: None,
                    }))
                }
            },
        }
    }

    /// The SCORM 2004 launch values of a delivered activity: `base` (learner,
    /// credit, mode from the page configuration) completed with what the
    /// manifest and the tracking data say.
    pub fn launch_2004(&self, info: &LaunchInfo, base: scorm2004::Launch) -> scorm2004::Launch {
        let mut l = base;
        let Some(d) = &info.data else { return l };
        l.launch_data = d.launch_data.clone();
        l.completion_threshold = d.completion_threshold;
        l.scaled_passing_score = d.scaled_passing_score;
        l.max_time_allowed = d.max_time_allowed.map(format_duration);
        l.time_limit_action = d.time_limit_action.clone();
        l.objective_ids = d.objectives.iter().map(|o| o.id.clone()).collect();
        l.objective_values.clear();
        for o in &d.objectives {
            let mut put = |field: &str, v: String| l.objective_values.push((o.id.clone(), field.to_string(), v));
            if o.success_status != "unknown" {
                put("success_status", o.success_status.clone());
            }
            if o.completion_status != "unknown" {
                put("completion_status", o.completion_status.clone());
            }
            for (field, v) in [
                ("score.scaled", o.score_scaled),
                ("score.raw", o.score_raw),
                ("score.min", o.score_min),
                ("score.max", o.score_max),
                ("progress_measure", o.progress_measure),
            ] {
                if let Some(v) = v {
                    put(field, super::num::format_decimal(v, 7));
                }
            }
        }
        l.data_stores = find(&self.manifest.activity_tree, &info.activity_id)
            .map(|a| {
                a.data_maps
                    .iter()
                    .map(|m| DataStore {
                        id: m.target_id.clone(),
                        read: m.read_shared_data,
                        write: m.write_shared_data,
                        value: self.shared.get(&m.target_id).cloned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        l
    }

    /// The `adl.nav.request_valid` answers for the SCO about to run.
    pub fn oracle(&self) -> Box<dyn NavigationOracle> {
        Box::new(self.nav_answers())
    }

    /// [`Course::oracle`] as data.
    pub fn nav_answers(&self) -> NavAnswers {
        let Some(seq) = self.sequencer() else {
            return NavAnswers { continue_: true, previous: true, targets: Vec::new() };
        };
        let nav = seq.lookahead();
        let targets =
            nav.activities.iter().zip(seq.jump_validity()).map(|(a, jump)| (a.id.clone(), a.selectable, jump)).collect();
        NavAnswers { continue_: nav.continue_, previous: nav.previous, targets }
    }

    /// A SCORM 2004 SCO's session ended: hand its results to the tracking
    /// model, write its shared data, and return the navigation request it
    /// left pending (`adl.nav.request`, or exitAll after a time-out).
    pub fn finish_2004(&mut self, api: &scorm2004::Api) -> Option<NavigationRequest> {
        for (id, value) in api.pending_data_writes() {
            self.shared.insert(id, value);
        }
        let Engine::Sequenced(seq) = &mut self.engine else { return None };
        match sco_result(api) {
            Some(result) => seq.deliver_result(&result),
            // abandoned: the request without the results
            None => NavigationRequest::parse(api.nav_request()),
        }
    }

    /// A SCORM 1.2 SCO committed or finished: its status and score, from
    /// its run-time state.
    pub fn report_12(&mut self, activity_id: &str, state: &Snapshot) {
        if let Engine::Scorm12(c) = &mut self.engine {
            let num = |k: &str| state.get(k).and_then(|v| super::scorm12::types::decimal(v));
            c.report(
                activity_id,
                ScoReport {
                    status: state.get("cmi.core.lesson_status").cloned().unwrap_or_default(),
                    raw: num("cmi.core.score.raw"),
                    min: num("cmi.core.score.min"),
                    max: num("cmi.core.score.max"),
                },
            );
        }
    }

    /// What a user interface may offer now: the valid requests and, for
    /// every activity, whether it is shown, enabled and selectable.
    pub fn nav_state(&self) -> NavState {
        self.nav_state_with(None)
    }

    /// [`Course::nav_state`] while the SCO `running` is still running
    /// (SCORM 2004): the look-ahead of a copy of the sequencing state that
    /// has the SCO's results as if it ended now, so that what a player
    /// offers agrees with what [`Course::accepts`] then says (a lesson the
    /// SCO has just completed opens the activity its rules gated; SN 5.3:
    /// the LMS may evaluate a request before it honours it).
    pub fn nav_state_with(&self, running: Option<&scorm2004::Api>) -> NavState {
        match &self.engine {
            Engine::Sequenced(seq) => match running.and_then(sco_result) {
                Some(result) => {
                    let mut copy = Sequencer::clone(seq);
                    copy.deliver_result(&result);
                    copy.lookahead()
                }
                None => seq.lookahead(),
            },
            Engine::Scorm12(c) => c.nav_state(),
        }
    }

    /// The course's overall result so far.
    pub fn result(&self) -> CourseResult {
        match &self.engine {
            Engine::Sequenced(seq) => CourseResult {
                completion: match seq.attempt_completed(0) {
                    Some(true) => "completed",
                    Some(false) => "incomplete",
                    None => "unknown",
                },
                success: match seq.objective_view(0, 0).satisfied() {
                    Some(true) => "passed",
                    Some(false) => "failed",
                    None => "unknown",
                },
                score: seq.objective_view(0, 0).measure(),
            },
            Engine::Scorm12(c) => {
                let r = c.rollup();
                CourseResult {
                    completion: match r.status.as_str() {
                        "passed" | "completed" | "failed" => "completed",
                        "incomplete" => "incomplete",
                        _ => "unknown",
                    },
                    success: match r.status.as_str() {
                        "passed" => "passed",
                        "failed" => "failed",
                        _ => "unknown",
                    },
                    score: r.score,
                }
            }
        }
    }

    /// Whether a suspended session can be resumed (`resumeAll` valid),
    /// without computing the whole look-ahead.
    pub fn can_resume(&self) -> bool {
        match &self.engine {
            Engine::Sequenced(seq) => seq.is_valid(&NavigationRequest::ResumeAll),
            Engine::Scorm12(c) => c.can_resume(),
        }
    }

    /// True when the package's global objectives are the learner's
    /// system-wide ones (`adlseq:objectivesGlobalToSystem`, default true).
    fn objectives_global_to_system(&self) -> bool {
        let m = &self.manifest;
        m.organizations.iter().find(|o| o.identifier == m.organization).map_or(true, |o| o.objectives_global_to_system)
    }

    /// The global objectives this package shares with the learner's other
    /// packages, to keep in the learner's record (empty when
    /// `objectivesGlobalToSystem` is false).
    pub fn system_objectives(&self) -> BTreeMap<String, ObjectiveState> {
        match self.sequencer() {
            Some(seq) if self.objectives_global_to_system() => seq.globals().clone(),
            _ => BTreeMap::new(),
        }
    }

    /// Give a new session the learner's system-wide global objectives (what
    /// other packages recorded) for the ids this package maps to; ignored
    /// when `objectivesGlobalToSystem` is false.
    pub fn load_system_objectives(&mut self, globals: &BTreeMap<String, ObjectiveState>) {
        if !self.objectives_global_to_system() {
            return;
        }
        let ids = self.manifest.global_objective_ids.clone();
        if let Engine::Sequenced(seq) = &mut self.engine {
            for id in ids {
                if let Some(g) = globals.get(&id) {
                    seq.globals_mut().insert(id, g.clone());
                }
            }
        }
    }

    /// The sequencing state and shared data to save (suspend, relaunch).
    pub fn save(&self) -> Option<(SeqState, BTreeMap<String, String>)> {
        self.sequencer().map(|s| (s.snapshot(), self.shared.clone()))
    }

    /// The whole session as the text to store (`<prefix>:<registration>:course`):
    /// SCORM 2004, the sequencing state and shared data
    /// ([`super::views::saved_course_json`]); SCORM 1.2, `{"scorm12": …}`
    /// ([`Course12::to_json`]).
    pub fn saved_text(&self) -> String {
        match &self.engine {
            Engine::Sequenced(seq) => super::views::saved_course_json(&seq.snapshot(), &self.shared),
            Engine::Scorm12(c) => format!("{{\"scorm12\":{}}}", c.to_json()),
        }
    }

    /// Restore what [`Course::saved_text`] wrote. `Ok(false)`: nothing saved
    /// for this kind of package; an error: the text does not fit this
    /// package (the session is left as it was).
    pub fn restore_text(&mut self, text: &str) -> Result<bool, String> {
        match &mut self.engine {
            Engine::Sequenced(_) => match super::views::saved_course(text) {
                Some((Some(seq), shared)) => self.restore(seq, shared).map(|()| true).map_err(|e| e.to_string()),
                Some((None, _)) => Ok(false),
                None => Err("the saved course state cannot be read".into()),
            },
            Engine::Scorm12(c) => {
                let v = super::persist::json::parse(text).map_err(|e| format!("the saved course state cannot be read: {e}"))?;
                match v.get("scorm12") {
                    Some(s) => c.restore_json(s).map(|()| true),
                    None => Ok(false),
                }
            }
        }
    }

    /// Statuses the backend holds for SCOs of a SCORM 1.2 package (their
    /// stored `cmi.core.*`), for those this session has none of.
    pub fn adopt_backend_states<'a>(&mut self, states: impl IntoIterator<Item = (&'a String, &'a Snapshot)>) {
        if let Engine::Scorm12(c) = &mut self.engine {
            let num = |s: &Snapshot, k: &str| s.get(k).and_then(|v| super::scorm12::types::decimal(v));
            c.adopt_reports(states.into_iter().map(|(id, s)| {
                (
                    id.clone(),
                    ScoReport {
                        status: s.get("cmi.core.lesson_status").cloned().unwrap_or_default(),
                        raw: num(s, "cmi.core.score.raw"),
                        min: num(s, "cmi.core.score.min"),
                        max: num(s, "cmi.core.score.max"),
                    },
                )
            }));
        }
    }

    /// Restore what [`Course::save`] returned.
    pub fn restore(&mut self, state: SeqState, shared: BTreeMap<String, String>) -> Result<(), SeqError> {
        if let Engine::Sequenced(seq) = &mut self.engine {
            **seq = Sequencer::restore(&self.manifest.activity_tree, state)?;
        }
        self.apply_organization_settings();
        self.shared = shared;
        Ok(())
    }
}
