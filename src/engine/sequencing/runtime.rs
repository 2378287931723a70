//! Connection between the tracking model and a SCO's run-time data
//! (RTE §4.2 data model elements ↔ SN §4.2 tracking, "SN mapping").

use serde::{Deserialize, Serialize};

use super::{NavigationRequest, ObjectiveState, Sequencer};
use crate::engine::seqdef::HideLmsUi;

/// One `cmi.objectives.n` entry at Terminate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoObjective {
    /// `cmi.objectives.n.id`
    pub id: String,
    /// `success_status`: "passed", "failed", "unknown".
    pub success_status: Option<String>,
    /// `completion_status`: "completed", "incomplete", "not attempted", "unknown".
    pub completion_status: Option<String>,
    /// `score.scaled`
    pub score_scaled: Option<f64>,
    /// `score.raw`
    pub score_raw: Option<f64>,
    /// `score.min`
    pub score_min: Option<f64>,
    /// `score.max`
    pub score_max: Option<f64>,
    /// `progress_measure`
    pub progress_measure: Option<f64>,
}

/// A SCO's run-time values at Terminate (or when the LMS ends it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoResult {
    /// `cmi.completion_status` as the SCO left it (already evaluated against
    /// `cmi.completion_threshold` by the run-time or not: both work).
    pub completion_status: Option<String>,
    /// `cmi.success_status`.
    pub success_status: Option<String>,
    /// `cmi.score.scaled`.
    pub score_scaled: Option<f64>,
    /// `cmi.score.raw`.
    pub score_raw: Option<f64>,
    /// `cmi.score.min`.
    pub score_min: Option<f64>,
    /// `cmi.score.max`.
    pub score_max: Option<f64>,
    /// `cmi.progress_measure`.
    pub progress_measure: Option<f64>,
    /// `cmi.objectives`.
    pub objectives: Vec<ScoObjective>,
    /// `cmi.session_time` in seconds.
    pub session_time: f64,
    /// Wall-clock seconds of the session when the host measures it
    /// (attempt absolute duration); `session_time` is used otherwise.
    pub elapsed: Option<f64>,
    /// `cmi.exit`: "", "suspend", "normal", "time-out", "logout".
    pub exit: String,
    /// `adl.nav.request` ("_none_", "continue", "{target=X}choice", ...).
    pub nav_request: Option<String>,
}

/// Initial values of one `cmi.objectives.n` entry at delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoObjectiveLaunch {
    /// `id`
    pub id: String,
    /// `success_status`
    pub success_status: String,
    /// `completion_status`
    pub completion_status: String,
    /// `score.scaled`
    pub score_scaled: Option<f64>,
    /// `score.raw`
    pub score_raw: Option<f64>,
    /// `score.min`
    pub score_min: Option<f64>,
    /// `score.max`
    pub score_max: Option<f64>,
    /// `progress_measure`
    pub progress_measure: Option<f64>,
}

/// What the 2004 run-time needs to launch the delivered activity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoLaunchData {
    /// Item identifier.
    pub activity_id: String,
    /// Resource identifier (empty if none).
    pub resource_id: String,
    /// Launch URL.
    pub href: String,
    /// True for a SCO, false for an asset.
    pub is_sco: bool,
    /// `cmi.entry`: "resume" when the attempt resumes a suspended one,
    /// "ab-initio" for a new attempt.
    pub entry: String,
    /// `cmi.total_time` basis in seconds (attempt experienced duration so far).
    pub total_time: f64,
    /// `cmi.launch_data`.
    pub launch_data: String,
    /// `cmi.completion_threshold` (when `completedByMeasure`).
    pub completion_threshold: Option<f64>,
    /// `cmi.scaled_passing_score` (primary `minNormalizedMeasure` when `satisfiedByMeasure`).
    pub scaled_passing_score: Option<f64>,
    /// `cmi.max_time_allowed` in seconds (`attemptAbsoluteDurationLimit`).
    pub max_time_allowed: Option<f64>,
    /// `cmi.time_limit_action`.
    pub time_limit_action: Option<String>,
    /// Initial `cmi.objectives`, read from tracking and the global objectives.
    pub objectives: Vec<ScoObjectiveLaunch>,
    /// `adlnav:hideLMSUI`.
    pub hide_lms_ui: HideLmsUi,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Completion {
    Completed,
    Incomplete,
    Unknown,
}

fn parse_completion(s: Option<&str>) -> Completion {
    match s {
        Some("completed") => Completion::Completed,
        Some("incomplete") | Some("not attempted") => Completion::Incomplete,
        _ => Completion::Unknown,
    }
}

fn parse_success(s: Option<&str>) -> Option<bool> {
    match s {
        Some("passed") => Some(true),
        Some("failed") => Some(false),
        _ => None,
    }
}

fn success_str(v: Option<bool>) -> String {
    match v {
        Some(true) => "passed",
        Some(false) => "failed",
        None => "unknown",
    }
    .to_string()
}

fn completion_str(v: Option<bool>) -> String {
    match v {
        Some(true) => "completed",
        Some(false) => "incomplete",
        None => "unknown",
    }
    .to_string()
}

/// A SCO's `cmi.objectives.n.id` names the manifest objective `def_id`
/// (kept in its normalized form, see `manifest::objective_key`) when it is
/// that form or reads as it: `obj 1` and `obj%201` alike.
fn same_objective(def_id: &str, sco_id: &str) -> bool {
    def_id == sco_id || crate::engine::manifest::objective_key(sco_id) == def_id
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn apply_objective(o: &mut ObjectiveState, success: Option<bool>, scaled: Option<f64>, raw: Option<f64>, min: Option<f64>, max: Option<f64>) {
    match success {
        Some(s) => {
            o.progress_status = true;
            o.satisfied_status = s;
        }
        None => o.progress_status = false,
    }
    match finite(scaled) {
        Some(m) => {
            o.measure_status = true;
            o.normalized_measure = m.clamp(-1.0, 1.0);
        }
        None => o.measure_status = false,
    }
    o.raw = finite(raw);
    o.min = finite(min);
    o.max = finite(max);
}

impl Sequencer {
    /// Transfers a SCO's run-time values at Terminate into the tracking data
    /// of the current activity (RTE §4.2 / SN mapping) and writes the global
    /// objectives. Returns the navigation request to process next: the
    /// `adl.nav.request`, or `exitAll` for `cmi.exit` "time-out" / "logout".
    pub fn deliver_result(&mut self, r: &ScoResult) -> Option<NavigationRequest> {
        let nav = match r.exit.as_str() {
            "time-out" | "logout" => Some(NavigationRequest::ExitAll),
            _ => r.nav_request.as_deref().and_then(NavigationRequest::parse),
        };
        // only a delivered leaf (a SCO or asset) has run-time data
        let Some(a) = self.state.current.filter(|&c| self.is_leaf(c)) else { return nav };
        let node = &self.nodes[a];
        if node.seq.delivery.tracked {
            let defs: Vec<Option<String>> = node.seq.objectives.iter().map(|d| d.id.clone()).collect();
            let primary = node.seq.objectives[0].clone();
            let threshold = node.completion_threshold.clone().filter(|t| t.completed_by_measure);
            let st = &mut self.state.activities[a];
            // cmi.objectives.n → objective progress information
            for so in &r.objectives {
                let Some(o) = defs.iter().position(|d| d.as_deref().is_some_and(|d| same_objective(d, &so.id))) else { continue };
                let Some(os) = st.objectives.get_mut(o) else { continue };
                let mut success = parse_success(so.success_status.as_deref());
                // satisfiedByMeasure: the objective's own measure decides (ADL CTS OB-13c)
                if let Some(d) = node.seq.objectives.get(o).filter(|d| d.satisfied_by_measure) {
                    success = finite(so.score_scaled).map(|m| m >= d.min_normalized_measure);
                }
                apply_objective(os, success, so.score_scaled, so.score_raw, so.score_min, so.score_max);
                os.completion_status = match parse_completion(so.completion_status.as_deref()) {
                    Completion::Completed => Some(true),
                    Completion::Incomplete => Some(false),
                    Completion::Unknown => None,
                };
                os.progress_measure = finite(so.progress_measure);
            }
            // cmi.completion_status / progress_measure → attempt progress
            // information; what the SCO did not set there is taken from its
            // cmi.objectives record of the primary objective (ADL CTS CO-02b;
            // an "unknown" it set stays unknown: CO-13a)
            let own = primary.id.as_deref().and_then(|id| r.objectives.iter().find(|so| same_objective(id, &so.id)));
            let pm = finite(r.progress_measure).or_else(|| own.and_then(|so| finite(so.progress_measure))).map(|p| p.clamp(0.0, 1.0));
            let mut completion = parse_completion(r.completion_status.as_deref());
            let reported_completion = r.completion_status.as_deref().or_else(|| own.and_then(|so| so.completion_status.as_deref()));
            if r.completion_status.is_none() {
                completion = parse_completion(reported_completion);
            }
            st.completion_reported |= reported_completion.is_some() || threshold.is_some() && pm.is_some();
            if let Some(t) = &threshold {
                completion = match pm {
                    Some(p) if p >= t.min_progress_measure => Completion::Completed,
                    Some(_) => Completion::Incomplete,
                    None => Completion::Unknown,
                };
            }
            match completion {
                Completion::Completed => {
                    st.attempt_progress_status = true;
                    st.attempt_completion_status = true;
                }
                Completion::Incomplete => {
                    st.attempt_progress_status = true;
                    st.attempt_completion_status = false;
                }
                Completion::Unknown => st.attempt_progress_status = false,
            }
            st.attempt_completion_amount_status = pm.is_some();
            st.attempt_completion_amount = pm.unwrap_or(0.0);
            // cmi.success_status / score → primary objective
            let mut success = parse_success(r.success_status.as_deref());
            // each score field from cmi.score, else from the primary
            // objective's cmi.objectives record (ADL CTS OB-06: scaled in
            // cmi.score, raw/min/max only in the record)
            let field = |top: Option<f64>, f: fn(&ScoObjective) -> Option<f64>| finite(top).or_else(|| own.and_then(|so| finite(f(so))));
            let scaled = field(r.score_scaled, |so| so.score_scaled);
            let raw = field(r.score_raw, |so| so.score_raw);
            let min = field(r.score_min, |so| so.score_min);
            let max = field(r.score_max, |so| so.score_max);
            if r.success_status.is_none() {
                success = parse_success(own.and_then(|so| so.success_status.as_deref()));
            }
            st.success_reported |= r.success_status.is_some()
                || own.is_some_and(|so| so.success_status.is_some())
                || primary.satisfied_by_measure && finite(scaled).is_some();
            if primary.satisfied_by_measure {
                if let Some(s) = finite(scaled) {
                    success = Some(s >= primary.min_normalized_measure);
                } else {
                    success = None;
                }
            }
            if let Some(o) = st.objectives.first_mut() {
                apply_objective(o, success, scaled, raw, min, max);
                o.completion_status = st.attempt_progress_status.then_some(st.attempt_completion_status);
                o.progress_measure = pm;
            }
            // durations
            let session = if r.session_time.is_finite() && r.session_time > 0.0 { r.session_time } else { 0.0 };
            let elapsed = finite(r.elapsed).filter(|e| *e >= 0.0).unwrap_or(session);
            st.attempt_experienced_duration += session;
            st.activity_experienced_duration += session;
            st.attempt_absolute_duration += elapsed;
            st.activity_absolute_duration += elapsed;
        }
        self.state.activities[a].suspended = r.exit == "suspend";
        let before = self.state.globals.clone();
        self.write_all_maps(a);
        self.write_reported_unknowns(a, r);
        self.rollup_readers(a, &before);
        nav
    }

    /// A status the SCO itself set to "unknown" is written through the write
    /// maps as unknown (SN §3.10: the map transfers the objective's status;
    /// ADL CTS OB-17a/b, SX-11b), while a status it never touched is not
    /// written at all ([`Sequencer::write_maps`] writes known values only).
    fn write_reported_unknowns(&mut self, a: usize, r: &ScoResult) {
        let node = &self.nodes[a];
        if !node.seq.delivery.tracked {
            return;
        }
        let st = &self.state.activities[a];
        let unknown = |v: Option<&String>| v.is_some_and(|s| s == "unknown");
        for (o, def) in node.seq.objectives.iter().enumerate() {
            let Some(local) = st.objectives.get(o) else { continue };
            let own = def.id.as_deref().and_then(|id| r.objectives.iter().find(|so| same_objective(id, &so.id)));
            let (success_unknown, completion_unknown) = if o == 0 {
                (
                    st.success_reported && !local.progress_status,
                    st.completion_reported && !st.attempt_progress_status,
                )
            } else {
                (
                    !def.satisfied_by_measure && own.is_some_and(|so| unknown(so.success_status.as_ref())),
                    own.is_some_and(|so| unknown(so.completion_status.as_ref())),
                )
            };
            if !success_unknown && !completion_unknown {
                continue;
            }
            for m in &def.maps {
                let Some(g) = self.state.globals.get_mut(&m.target_objective_id) else { continue };
                if success_unknown && m.write_satisfied_status {
                    g.progress_status = false;
                    g.satisfied_status = false;
                }
                if completion_unknown && m.write_completion_status {
                    g.completion_status = None;
                }
            }
        }
    }

    /// The initial run-time values for delivering activity `a` (call after
    /// [`Sequencer::navigate`] returned `Outcome::Deliver(a)`).
    pub fn launch_data(&self, a: usize) -> Option<ScoLaunchData> {
        let node = self.nodes.get(a)?;
        let st = self.state.activities.get(a)?;
        let launch = node.launch.as_ref();
        let primary = &node.seq.objectives[0];
        let objectives = node
            .seq
            .objectives
            .iter()
            .enumerate()
            .filter_map(|(o, d)| {
                let id = d.id.clone()?;
                let v = self.objective_view(a, o);
                let completion = v.completion_status;
                let progress = v.progress_measure;
                Some(ScoObjectiveLaunch {
                    id,
                    success_status: success_str(v.satisfied()),
                    completion_status: completion_str(completion),
                    score_scaled: v.measure(),
                    score_raw: v.raw,
                    score_min: v.min,
                    score_max: v.max,
                    progress_measure: progress,
                })
            })
            .collect();
        Some(ScoLaunchData {
            activity_id: node.id.clone(),
            resource_id: launch.map(|l| l.resource_id.clone()).unwrap_or_default(),
            href: launch.map(|l| l.href.clone()).unwrap_or_default(),
            is_sco: launch.is_some_and(|l| l.is_sco),
            entry: if st.resumed { "resume" } else { "ab-initio" }.to_string(),
            total_time: if st.resumed { st.attempt_experienced_duration } else { 0.0 },
            launch_data: node.data_from_lms.clone().unwrap_or_default(),
            completion_threshold: node
                .completion_threshold
                .as_ref()
                .filter(|t| t.completed_by_measure)
                .map(|t| t.min_progress_measure),
            scaled_passing_score: primary.satisfied_by_measure.then_some(primary.min_normalized_measure),
            max_time_allowed: node.seq.limit_conditions.attempt_absolute_duration_limit,
            time_limit_action: node.time_limit_action.clone(),
            objectives,
            hide_lms_ui: node.hide_lms_ui.clone(),
        })
    }
}
