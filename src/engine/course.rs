//! A course being taken: a parsed content package, the sequencing session
//! over its activity tree, the shared data stores, and the hand-over between
//! the sequencer and each SCO's run-time.
//!
//! SCORM 2004 packages are sequenced by [`Sequencer`] (SN book, OP.1).
//! SCORM 1.2 packages have no sequencing: their leaves are offered in
//! document order with free choice, which is what SCORM 1.2 LMSs do.
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

use super::manifest::{self, Manifest, ManifestError, ParseOptions};
use super::rte::Snapshot;
use super::scorm2004::{self, DataStore, NavQuery, NavigationOracle};
use super::sequencing::{
    NavState, NavWhy, NavigationRequest, ObjectiveState, Outcome, ScoLaunchData, ScoObjective, ScoResult, SeqError, SeqState,
    Sequencer, Why,
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
    /// SCORM 1.2: leaves in document order, the current one, and the
    /// lesson_status each SCO reported.
    Simple { leaves: Vec<String>, current: Option<usize>, status: BTreeMap<String, String> },
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
/// sequencer's look-ahead when the SCO was delivered.
struct Lookahead {
    continue_: bool,
    previous: bool,
    /// Per activity: identifier, choice valid, jump valid. (A list, not a
    /// map: a map of another value type adds its own B-tree code to the
    /// module, and SCOs ask rarely.)
    targets: Vec<(String, bool, bool)>,
}

impl Lookahead {
    fn target(&self, id: &str) -> Option<&(String, bool, bool)> {
        self.targets.iter().rev().find(|t| t.0 == id)
    }
}

impl NavigationOracle for Lookahead {
    fn is_valid(&self, request: &NavQuery) -> Option<bool> {
        Some(match request {
            NavQuery::Continue => self.continue_,
            NavQuery::Previous => self.previous,
            NavQuery::Choice(t) => self.target(t).is_some_and(|t| t.1),
            NavQuery::Jump(t) => self.target(t).is_some_and(|t| t.2),
        })
    }
}

fn leaves(root: &Activity) -> Vec<String> {
    manifest::walk(root).into_iter().filter(|a| a.launch.is_some()).map(|a| a.id.clone()).collect()
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

/// What a request does to a SCORM 1.2 package.
enum SimpleStep {
    Launch(usize),
    Ended,
    Nothing,
}

/// SCORM 1.2: the leaf `request` leads to from `current`, or the end.
fn simple_step(leaves: &[String], current: Option<usize>, request: &NavigationRequest) -> Result<SimpleStep, SeqError> {
    let next = match (request, current) {
        (NavigationRequest::Start | NavigationRequest::ResumeAll, _) => Some(current.unwrap_or(0)),
        (NavigationRequest::Continue, Some(i)) => Some(i + 1),
        (NavigationRequest::Previous, Some(i)) => i.checked_sub(1),
        (NavigationRequest::Choice(id) | NavigationRequest::Jump(id), _) => leaves.iter().position(|l| l == id),
        (NavigationRequest::Exit | NavigationRequest::Abandon, _) => return Ok(SimpleStep::Nothing),
        (NavigationRequest::ExitAll | NavigationRequest::AbandonAll | NavigationRequest::SuspendAll, _) => {
            return Ok(SimpleStep::Ended)
        }
        _ => return Err(SeqError { id: "NB.2.1-2" }),
    };
    let Some(i) = next else { return Err(SeqError { id: "NB.2.1-6" }) };
    Ok(if i >= leaves.len() { SimpleStep::Ended } else { SimpleStep::Launch(i) })
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
            Engine::Simple { leaves: leaves(&manifest.activity_tree), current: None, status: BTreeMap::new() }
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
            Engine::Simple { .. } => None,
        }
    }

    /// Whether processing `request` now would succeed, without changing
    /// anything: the LMS asks before it ends the running SCO for the
    /// request, so that a request that would fail leaves the learner where
    /// they are (SCORM 2004: the Navigation Request Process NB.2.1 first,
    /// then the whole request, termination, sequencing and delivery,
    /// simulated on a copy of the sequencing state, with the results of the
    /// `running` SCO as if it ended now). The error is the exception the
    /// request would end in. SCORM 1.2 packages: the same check as
    /// [`Course::navigate`] makes.
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
            Engine::Simple { leaves, current, .. } => simple_step(leaves, *current, request).map(|_| ()),
        }
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
            Engine::Simple { leaves, current, .. } => {
                let i = match simple_step(leaves, *current, &request)? {
                    SimpleStep::Launch(i) => i,
                    SimpleStep::Ended => return Ok(Delivery::Ended),
                    SimpleStep::Nothing => return Ok(Delivery::Nothing),
                };
                *current = Some(i);
                let a = leaves.get(i).and_then(|id| find(tree, id)).ok_or(SeqError { id: "DB.1.1-2" })?;
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
        let Some(seq) = self.sequencer() else {
            return Box::new(Lookahead { continue_: true, previous: true, targets: Vec::new() });
        };
        let nav = seq.lookahead();
        let targets =
            nav.activities.iter().zip(seq.jump_validity()).map(|(a, jump)| (a.id.clone(), a.selectable, jump)).collect();
        Box::new(Lookahead { continue_: nav.continue_, previous: nav.previous, targets })
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

    /// A SCORM 1.2 SCO finished with this `cmi.core.lesson_status`.
    pub fn finish_12(&mut self, activity_id: &str, lesson_status: &str) {
        if let Engine::Simple { status, .. } = &mut self.engine {
            status.insert(activity_id.to_string(), lesson_status.to_string());
        }
    }

    /// True when a suspended session can be resumed (`resumeAll` valid),
    /// without computing the whole look-ahead.
    pub fn can_resume(&self) -> bool {
        self.sequencer().is_some_and(|s| s.is_valid(&NavigationRequest::ResumeAll))
    }

    /// What a user interface may offer now: the valid requests and, for
    /// every activity, whether it is shown, enabled and selectable.
    pub fn nav_state(&self) -> NavState {
        match &self.engine {
            Engine::Sequenced(seq) => seq.lookahead(),
            Engine::Simple { leaves, current, status } => {
                // SCORM 1.2 has no sequencing: the reasons are the SN
                // exceptions of the same situations
                let session = current.is_some();
                let continue_ = current.is_some_and(|i| i + 1 < leaves.len());
                let previous = current.is_some_and(|i| i > 0);
                let unless = |ok: bool, id: &'static str| (!ok).then_some(SeqError { id });
                let no_session = "NB.2.1-2";
                let mut nav = NavState {
                    start: !session,
                    continue_,
                    previous,
                    exit: session,
                    exit_all: session,
                    suspend_all: session,
                    abandon: session,
                    abandon_all: session,
                    why: NavWhy::from_errors([
                        unless(!session, "NB.2.1-1"),
                        Some(SeqError { id: if session { "NB.2.1-1" } else { "NB.2.1-3" } }),
                        unless(continue_, if session { "DB.1.1-2" } else { no_session }),
                        unless(previous, if session { "SB.2.1-3" } else { no_session }),
                        unless(session, no_session),
                        unless(session, no_session),
                        unless(session, no_session),
                        unless(session, no_session),
                        unless(session, no_session),
                    ]),
                    ..NavState::default()
                };
                let mut stack = vec![(&self.manifest.activity_tree, 0usize)];
                while let Some((a, depth)) = stack.pop() {
                    let st = status.get(&a.id).map(String::as_str).unwrap_or("not attempted");
                    nav.activities.push(super::sequencing::ActivityNavState {
                        id: a.id.clone(),
                        title: a.title.clone(),
                        depth,
                        visible: a.visible,
                        enabled: true,
                        selectable: a.launch.is_some(),
                        // a cluster of a SCORM 1.2 package has nothing to launch
                        why: a.launch.is_none().then(|| Why::from(SeqError { id: "DB.1.1-1" })),
                        active: current.and_then(|i| leaves.get(i)) == Some(&a.id),
                        suspended: false,
                        completion: match st {
                            "completed" | "passed" | "failed" => "completed",
                            "incomplete" | "browsed" => "incomplete",
                            _ => "unknown",
                        }
                        .into(),
                        success: match st {
                            "passed" => "passed",
                            "failed" => "failed",
                            _ => "unknown",
                        }
                        .into(),
                    });
                    for c in a.children.iter().rev() {
                        stack.push((c, depth + 1));
                    }
                }
                nav
            }
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
