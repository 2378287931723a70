//! SCORM 2004 4th Edition Sequencing and Navigation engine (SN book,
//! Appendix C pseudo-code; activity state model of SN §4).
//!
//! # API
//!
//! ```text
//! let mut seq = Sequencer::new(&activity_tree);          // or Sequencer::with_seed(tree, seed)
//! match seq.navigate(NavigationRequest::Start)? {         // OP.1 Overall Sequencing Process
//!     Outcome::Deliver(idx) => {
//!         let launch = seq.launch_data(idx);               // ScoLaunchData: initial cmi values
//!         // ... run the SCO, then at Terminate:
//!         let pending = seq.deliver_result(&sco_result);   // ScoResult -> tracking model
//!         // `pending` is the navigation request to process next (adl.nav.request / time-out)
//!     }
//!     Outcome::SessionEnded => { /* show "course finished" or "suspended" */ }
//!     Outcome::NoDelivery => { /* e.g. abandon: nothing new to launch */ }
//! }
//! let ui: NavState = seq.lookahead();                     // which buttons / tree entries to offer, and why not
//! let ok = seq.is_valid(&NavigationRequest::Continue);    // adl.nav.request_valid.*
//! seq.check(&NavigationRequest::Continue)?;               // the whole request on a copy: its exception, if any
//! let saved: SeqState = seq.snapshot();                   // serde-serialisable
//! let seq2 = Sequencer::restore(&activity_tree, saved)?;  // resume on another launch
//! ```
//!
//! The activity tree is held in an arena ([`Node`], indices into a `Vec`)
//! built from [`seqdef::Activity`]; the mutable tracking model is
//! [`SeqState`]. Every sequencing exception is a [`SeqError`] carrying its
//! identifier from the pseudo-code (`NB.2.1-4`, `SB.2.9-7`, ...). Nothing in
//! here panics on any input; traversals are iterative.
//!
//! Randomness (SR.1 / SR.2) comes from a tiny seedable PRNG ([`Rng`]) stored
//! in the state, so a restored session continues the same sequence.
//!
//! # Where each process lives
//!
//! | Pseudo-code | Function |
//! |---|---|
//! | OP.1 Overall Sequencing Process | [`Sequencer::navigate`] |
//! | NB.2.1 Navigation Request | `process::navigation_request_process` |
//! | TB.2.3 Termination Request, TB.2.1 Exit Action Rules, TB.2.2 Post Condition Rules | `termination_request_process`, `sequencing_exit_action_rules`, `sequencing_post_condition_rules` |
//! | UP.4 End Attempt, UP.3 Terminate Descendent Attempts | `end_attempt`, `terminate_descendent_attempts` |
//! | SB.2.12 Sequencing Request and SB.2.5–SB.2.11, SB.2.13 | `sequencing_request_process`, `start_…`, `resume_all_…`, `continue_…`, `previous_…`, `choice_…`, `retry_…`, `exit_…`, `jump_sequencing_request` |
//! | SB.2.1 / SB.2.2 / SB.2.3 Flow, SB.2.4 Choice Activity Traversal, SB.2.9.1/2 Choice Flow | `flow_tree_traversal`, `flow_activity_traversal`, `flow_subprocess`, `choice_activity_traversal`, `choice_flow_subprocess` |
//! | UP.1 Limit Conditions, UP.2 / UP.2.1 Sequencing Rules, UP.5 Check Activity | `rules::limit_conditions_check`, `sequencing_rules_check`, `sequencing_rule_check`, `check_activity` |
//! | DB.1.1 Delivery Request, DB.2 Content Delivery Environment, DB.2.1 Clear Suspended Activity | `delivery_request_process`, `content_delivery_environment`, `clear_suspended_activity` |
//! | RB.1.5 Overall Rollup, RB.1.1 Measure, RB.1.1b Completion Measure, RB.1.2 a/b/c Objective, RB.1.3 Activity Progress, RB.1.4 Rollup Rule Check, RB.1.4.2 Check Child for Rollup | `overall_rollup`, `measure_rollup`, `completion_measure_rollup`, `objective_rollup*`, `activity_progress_rollup`, `rollup_rule_check`, `check_child_for_rollup` |
//! | SR.1 Select Children, SR.2 Randomize Children | `select_children`, `randomize_children` |
//! | RTE ↔ SN data mapping | [`Sequencer::deliver_result`], [`Sequencer::launch_data`] |
//! | Look-ahead (not SN pseudo-code: what NB.2.1, TB.2.3, SB.2.x and DB.1.1 would say) | [`Sequencer::check`] (one request), [`Sequencer::choice_result`] (one choice), [`Sequencer::lookahead`] (every request and every activity in one linear pass), [`Sequencer::jump_validity`] |
//!
//! # Interpretations and limits
//!
//! * Choice Exit (SN 3.2.2: while an activity is active, no choice may
//!   target anything outside its subtree) is checked by NB.2.1 on the whole
//!   path from the current activity up to the common ancestor with the
//!   target, so a current leaf with `choiceExit="false"` forbids choosing
//!   its siblings too, and a player offers no table of contents from it
//!   (ADL CTS CM-07a).
//! * SB.2.9 checks `preventActivation` on the activity path from the common
//!   ancestor to the target, exclusive of the target (as the pseudo-code
//!   forms that path for the forward and the backward case alike): the
//!   control keeps a choice from starting attempts *below* an inactive
//!   cluster, not from choosing the cluster itself (ADL CTS CM-17a, CM-17b).
//! * An activity that is not tracked keeps no tracking information, so it
//!   writes nothing to global objectives, not even what rollup or a
//!   `completedByMeasure` threshold would make of values it reads (ADL CTS
//!   CO-10).
//! * 4th Edition objectives each carry a completion status and progress
//!   measure. What a SCO finds in `cmi.objectives.n.completion_status` /
//!   `progress_measure` at launch, also for the primary objective, is the
//!   objective's own value as its maps read it (`readCompletionStatus`,
//!   `readProgressMeasure`), not the attempt's completion judged against
//!   this activity's threshold (ADL CTS CO-10; the attempt's own
//!   `completedByMeasure` judgement still rules sequencing, CO-02a).
//! * A `completed` or `activityProgressKnown` rule condition that names an
//!   objective (`referencedObjective`) other than the primary evaluates
//!   that objective's completion status, read through its
//!   `adlseq:mapInfo readCompletionStatus` (UP.2.1 evaluates a condition on
//!   the objective the rule references; without a reference, or naming the
//!   primary objective, it is the attempt's completion, read through the
//!   primary objective's maps). `tests/fixtures/packages/gated` is a course
//!   built this way.
//! * Objective ids (`objectiveID`, `referencedObjective`,
//!   `targetObjectiveID`) are `xs:anyURI` values compared in one normalized
//!   form, percent-escapes decoded and white space collapsed, and the SCO
//!   finds the objective under that form in `cmi.objectives.n.id` (ADL CTS
//!   OB-02a, OB-02b, OB-12a: `" ob%20j%201     "` is `ob j 1`).
//! * `isvisible="false"` is the item's own display attribute: the look-ahead
//!   marks that entry invisible and its children stay visible. A
//!   `hiddenFromChoice` rule, which SB.2.9 applies along the whole path to
//!   a target, hides the descendants as well (ADL CTS CM-07c).
//! * The look-ahead's `continue` is the whole request's answer, except a
//!   flow that a cluster further on refuses with its own flow control
//!   (SB.2.2-1), which is still offered (ADL CTS CM-07d offers Continue
//!   there); one that UP.5 refuses (SB.2.2-2: a disabled activity, a
//!   cluster whose `attemptLimit` is used up) is not offered. `previous`,
//!   exit and the other requests are the whole request's answer, and
//!   choice is SB.2.9's
//!   answer without the termination of the current activity. A player asks
//!   [`Sequencer::check`] (through `Course::accepts`, with the running
//!   SCO's results as if it ended now) before it ends the SCO for a
//!   request, and leaves the learner where they are when the answer is an
//!   exception. Every request and activity the look-ahead refuses carries
//!   the exception it would end in (`why`).
//! * Rule conditions use three-valued logic (unknown when the status is not
//!   known; `not unknown` is unknown); `timeLimitExceeded` and
//!   `outsideAvailableTimeRange` (not required by SCORM) evaluate as unknown.
//! * Global objectives: a `readSatisfiedStatus` map makes the global
//!   objective's satisfaction (known or not) the objective's (ADL CTS
//!   CM-13: a leaf's default "satisfied" from End Attempt does not show
//!   through an unknown global it reads); the other read maps overlay a
//!   *known* global value on the local one; writing copies only known
//!   values (an unknown local value never erases a global one), except a
//!   status the SCO itself set to "unknown", which is written as unknown
//!   (ADL CTS OB-17a/b, SX-11b), and a cluster's rolled-up measure (and a
//!   satisfaction decided by it), which states what rollup finds now,
//!   unknown included (ADL CTS OB-03b).
//! * Exit all ends the attempt on the whole course: no activity stays
//!   suspended, even one whose SCO set `cmi.exit` "suspend" before asking for
//!   exitAll; the next start delivers it ab-initio (ADL CTS OB-03b).
//! * UP.4 asks "did the content inform the sequencer of the status?": a SCO
//!   that explicitly set `cmi.completion_status` / `cmi.success_status` to
//!   "unknown" in the attempt did, so End Attempt does not assume completed
//!   or satisfied for it (ADL CTS CM-06, CM-15, CO-13a, RU-19a/b); only a
//!   SCO that said nothing gets the defaults.
//! * `satisfiedByMeasure`: for a leaf, and for any objective that reads a
//!   global measure, the measure seen decides the satisfaction status;
//!   `completedByMeasure` likewise judges a progress measure read from a
//!   global objective and then ignores a global completion status.
//! * When a global objective changes, the clusters above the activities
//!   that read it are rolled up too (once), so a cluster whose rollup rules
//!   look at such children is current before its rules are evaluated.
//! * Rule conditions about an untracked activity's own status are unknown.
//! * RB.1.4: `all` / `none` over an empty contributing-children bag holds.
//! * The ADL conformance cases these follow are named in the code and run
//!   by `tests/cts_seq.rs`.
//! * `useCurrentAttempt{Objective,Progress}Info` is honoured in rollup
//!   through the parent attempt number recorded when a child attempt starts;
//!   sequencing rule conditions read the recorded status even when an earlier
//!   attempt on the parent left it (ADL CTS SX-07c: a retried cluster skips
//!   its satisfied child; SX-07e: so does one re-entered by Previous). The
//!   public status accessors show the raw values.
//! * UP.3 ends the attempts bottom-up and rolls up once from the lowest one
//!   (same final state as one rollup per End Attempt, linear in depth).
//! * SR.1 `selectionTiming` `onEachNewAttempt` (undefined by SCORM) behaves
//!   as `once`; SR.2 `onEachNewAttempt` reorders at each new attempt of the
//!   cluster (DB.2).
//! * Durations come from the SCO result (`session_time`, or `elapsed` for the
//!   absolute duration); the engine has no clock of its own, so the
//!   attempt absolute duration limit is checked against those sums.
//! * Ending the session clears the current activity (and ends the root
//!   attempt if still active) so that `start` or `resumeAll` can follow.
//! * A saved state restored with a current activity comes from a session
//!   the page left open (reload, closed window): [`Sequencer::restore`]
//!   suspends it as TB.2.3 Suspend All would, so the next session resumes
//!   the same attempts (a `start` would begin a new attempt on the root,
//!   over child attempts that rollup then ignores).
//! * A choice of an activity that exists but that selection (SR.1) left
//!   out of its parent's available children passes NB.2.1 (it only asks
//!   whether the activity is in the tree) and ends in SB.2.9-2.
//! * Continue past the last activity ends the session (4th Ed SB.2.1).

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::seqdef::{self, Activity, CompletionThreshold, HideLmsUi, Launch, ObjectiveDef, SequencingDef};

mod lookahead;
mod process;
mod rules;
mod runtime;
#[cfg(test)]
mod tests;

pub use lookahead::{ActivityNavState, NavState, NavWhy, Why};
pub use runtime::{ScoLaunchData, ScoObjective, ScoObjectiveLaunch, ScoResult};

/// A navigation request (SN §4.4.3 / `adl.nav.request`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NavigationRequest {
    /// `start`
    Start,
    /// `resumeAll`
    ResumeAll,
    /// `continue`
    Continue,
    /// `previous`
    Previous,
    /// `forward` (not supported by SCORM: NB.2.1-7)
    Forward,
    /// `backward` (not supported by SCORM: NB.2.1-7)
    Backward,
    /// `choice` of the activity with this identifier
    Choice(String),
    /// `jump` to the activity with this identifier
    Jump(String),
    /// `exit`
    Exit,
    /// `exitAll`
    ExitAll,
    /// `abandon`
    Abandon,
    /// `abandonAll`
    AbandonAll,
    /// `suspendAll`
    SuspendAll,
}

impl NavigationRequest {
    /// Parses an `adl.nav.request` value (`continue`, `{target=ID}choice`,
    /// `{target=ID}jump`, ...). `_none_` and unknown values give `None`.
    pub fn parse(value: &str) -> Option<NavigationRequest> {
        use NavigationRequest::*;
        if let Some(rest) = value.strip_prefix("{target=") {
            let close = rest.find('}')?;
            let target = rest.get(..close)?;
            let verb = rest.get(close + 1..)?;
            if target.is_empty() {
                return None;
            }
            return match verb {
                "choice" => Some(Choice(target.to_string())),
                "jump" => Some(Jump(target.to_string())),
                _ => None,
            };
        }
        Some(match value {
            "start" => Start,
            "resumeAll" => ResumeAll,
            "continue" => Continue,
            "previous" => Previous,
            "forward" => Forward,
            "backward" => Backward,
            "exit" => Exit,
            "exitAll" => ExitAll,
            "abandon" => Abandon,
            "abandonAll" => AbandonAll,
            "suspendAll" => SuspendAll,
            _ => return None,
        })
    }
}

/// A sequencing exception: the identifier the SN pseudo-code gives it
/// (`NB.2.1-1`, `TB.2.3-2`, `SB.2.9-5`, `DB.1.1-3`, ...), or `RESTORE-n`
/// for a saved state that does not fit the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqError {
    /// The exception identifier.
    pub id: &'static str,
}

/// Exception identifiers and their meaning (SN Appendix C).
pub const EXCEPTIONS: &[(&str, &str)] = &[
    ("NB.2.1-1", "Current activity is already defined / sequencing session has already begun"),
    ("NB.2.1-2", "Current activity is not defined / sequencing session has not begun"),
    ("NB.2.1-3", "Suspended activity is not defined"),
    ("NB.2.1-4", "Flow sequencing control mode violation"),
    ("NB.2.1-5", "Flow or forward only sequencing control mode violation"),
    ("NB.2.1-6", "No activity is previous to the root"),
    ("NB.2.1-7", "Unsupported navigation request"),
    ("NB.2.1-8", "Choice exit sequencing control mode violation"),
    ("NB.2.1-10", "Choice sequencing control mode violation"),
    ("NB.2.1-11", "Target activity does not exist"),
    ("NB.2.1-12", "Current activity already terminated"),
    ("NB.2.1-13", "Undefined navigation request"),
    ("TB.2.3-1", "Current activity is not defined"),
    ("TB.2.3-2", "Current activity already terminated"),
    ("TB.2.3-3", "Cannot suspend an inactive root"),
    ("TB.2.3-4", "Activity tree root has no parent"),
    ("TB.2.3-5", "Nothing to suspend"),
    ("TB.2.3-6", "Nothing to abandon"),
    ("TB.2.3-7", "Undefined termination request"),
    ("SB.2.1-2", "Cluster has no available children to traverse"),
    ("SB.2.1-3", "Cannot walk backward from the root"),
    ("SB.2.1-4", "Forward only control mode violation"),
    ("SB.2.2-1", "Flow control mode violation"),
    ("SB.2.2-2", "Activity is disabled or its limit conditions are violated"),
    ("SB.2.4-1", "Stop forward traversal rule violation"),
    ("SB.2.4-2", "Forward only control mode violation"),
    ("SB.2.4-3", "No activity is previous to the root"),
    ("SB.2.5-1", "Sequencing session has already begun"),
    ("SB.2.6-1", "Sequencing session has already begun"),
    ("SB.2.6-2", "No suspended activity is defined"),
    ("SB.2.7-1", "Sequencing session has not begun"),
    ("SB.2.7-2", "Flow control mode violation"),
    ("SB.2.8-1", "Sequencing session has not begun"),
    ("SB.2.8-2", "Flow control mode violation"),
    ("SB.2.9-1", "Target activity does not exist or is not available"),
    ("SB.2.9-2", "Activity is not in the available children of its parent"),
    ("SB.2.9-3", "Hidden from choice"),
    ("SB.2.9-4", "Choice control mode violation"),
    ("SB.2.9-5", "No activities to consider"),
    ("SB.2.9-6", "Prevent activation violation"),
    ("SB.2.9-7", "Choice exit control mode violation"),
    ("SB.2.9-8", "Constrained choice violation"),
    ("SB.2.9-9", "Nothing to deliver"),
    ("SB.2.10-1", "Sequencing session has not begun"),
    ("SB.2.10-2", "Current activity is active or suspended"),
    ("SB.2.10-3", "Flow sequencing found nothing to deliver"),
    ("SB.2.11-1", "Sequencing session has not begun"),
    ("SB.2.11-2", "Current activity has not been terminated"),
    ("SB.2.12-1", "Undefined sequencing request"),
    ("SB.2.13-1", "Sequencing session has not begun"),
    ("SB.2.13-2", "Target activity does not exist"),
    ("DB.1.1-1", "Cannot deliver a cluster"),
    ("DB.1.1-2", "Nothing to deliver"),
    ("DB.1.1-3", "Activity is disabled or its limit conditions are violated"),
    ("DB.2-1", "Current activity is still active"),
    ("RESTORE-1", "Saved state does not match the activity tree"),
    ("RESTORE-2", "Saved state refers to an activity that does not exist"),
];

impl SeqError {
    pub(crate) const fn new(id: &'static str) -> SeqError {
        SeqError { id }
    }

    /// The description of this exception.
    pub fn description(&self) -> &'static str {
        EXCEPTIONS.iter().find(|(id, _)| *id == self.id).map(|(_, d)| *d).unwrap_or("Sequencing exception")
    }
}

impl std::fmt::Display for SeqError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.id, self.description())
    }
}

impl std::error::Error for SeqError {}

/// What OP.1 ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// DB.2 delivered this activity (an index into [`Sequencer::nodes`]); it
    /// is now the current activity.
    Deliver(usize),
    /// The sequencing session ended (exit of the root, exitAll, suspendAll,
    /// or continuing past the last activity).
    SessionEnded,
    /// The request was processed but nothing is to be delivered (e.g. abandon).
    NoDelivery,
}

/// One activity of the arena: the static part (definition) of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Item identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// `isvisible`.
    pub visible: bool,
    /// Launch information for leaves.
    pub launch: Option<Launch>,
    /// `adlcp:dataFromLMS`.
    pub data_from_lms: Option<String>,
    /// `adlcp:timeLimitAction`.
    pub time_limit_action: Option<String>,
    /// `adlcp:completionThreshold`.
    pub completion_threshold: Option<CompletionThreshold>,
    /// The sequencing definition; `objectives[0]` is always the primary
    /// objective (an implicit one is added when the manifest has none).
    pub seq: SequencingDef,
    /// `adlnav:hideLMSUI`.
    pub hide_lms_ui: HideLmsUi,
    /// Parent index (`None` for the root).
    pub parent: Option<usize>,
    /// All children in document order.
    pub children: Vec<usize>,
}

impl Node {
    /// True when the activity has no children (a learning object).
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

/// Objective progress information (SN §4.2.1), also used for a global
/// (shared) objective. The 4th Edition adds raw/min/max score, completion
/// status and progress measure for the `adlseq:objectives` maps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveState {
    /// Objective Progress Status (satisfaction known).
    #[serde(default, skip_serializing_if = "is_default")]
    pub progress_status: bool,
    /// Objective Satisfied Status.
    #[serde(default, skip_serializing_if = "is_default")]
    pub satisfied_status: bool,
    /// Objective Measure Status.
    #[serde(default, skip_serializing_if = "is_default")]
    pub measure_status: bool,
    /// Objective Normalized Measure (-1..=1).
    #[serde(default, skip_serializing_if = "is_default")]
    pub normalized_measure: f64,
    /// Raw score.
    #[serde(default, skip_serializing_if = "is_default")]
    pub raw: Option<f64>,
    /// Minimum score.
    #[serde(default, skip_serializing_if = "is_default")]
    pub min: Option<f64>,
    /// Maximum score.
    #[serde(default, skip_serializing_if = "is_default")]
    pub max: Option<f64>,
    /// Completion status: `None` unknown, `Some(true)` completed.
    #[serde(default, skip_serializing_if = "is_default")]
    pub completion_status: Option<bool>,
    /// Progress measure (0..=1).
    #[serde(default, skip_serializing_if = "is_default")]
    pub progress_measure: Option<f64>,
}

impl ObjectiveState {
    /// The satisfied status as a tri-state.
    pub fn satisfied(&self) -> Option<bool> {
        self.progress_status.then_some(self.satisfied_status)
    }
    /// The normalized measure if known.
    pub fn measure(&self) -> Option<f64> {
        self.measure_status.then_some(self.normalized_measure)
    }
}

/// Activity state and tracking information of one activity (SN §4.2).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityState {
    /// Available Children after selection and randomization (SR.1, SR.2).
    #[serde(default, skip_serializing_if = "is_default")]
    pub available_children: Vec<usize>,
    /// Activity is Active.
    #[serde(default, skip_serializing_if = "is_default")]
    pub active: bool,
    /// Activity is Suspended.
    #[serde(default, skip_serializing_if = "is_default")]
    pub suspended: bool,
    /// Activity Attempt Count.
    #[serde(default, skip_serializing_if = "is_default")]
    pub attempt_count: u32,
    /// Activity Progress Status (the activity has been attempted).
    #[serde(default, skip_serializing_if = "is_default")]
    pub activity_progress_status: bool,
    /// Activity Absolute Duration, seconds.
    #[serde(default, skip_serializing_if = "is_default")]
    pub activity_absolute_duration: f64,
    /// Activity Experienced Duration, seconds.
    #[serde(default, skip_serializing_if = "is_default")]
    pub activity_experienced_duration: f64,
    /// Attempt Progress Status (completion known).
    #[serde(default, skip_serializing_if = "is_default")]
    pub attempt_progress_status: bool,
    /// Attempt Completion Status.
    #[serde(default, skip_serializing_if = "is_default")]
    pub attempt_completion_status: bool,
    /// Attempt Completion Amount Status (progress measure known).
    #[serde(default, skip_serializing_if = "is_default")]
    pub attempt_completion_amount_status: bool,
    /// Attempt Completion Amount (progress measure).
    #[serde(default, skip_serializing_if = "is_default")]
    pub attempt_completion_amount: f64,
    /// Attempt Absolute Duration, seconds.
    #[serde(default, skip_serializing_if = "is_default")]
    pub attempt_absolute_duration: f64,
    /// Attempt Experienced Duration, seconds.
    #[serde(default, skip_serializing_if = "is_default")]
    pub attempt_experienced_duration: f64,
    /// Objective progress information, parallel to `Node::seq.objectives`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub objectives: Vec<ObjectiveState>,
    /// SR.1 has been applied with timing `once`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub selection_done: bool,
    /// SR.2 has been applied with timing `once`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub randomization_done: bool,
    /// The current attempt was resumed from suspension (→ `cmi.entry` resume).
    #[serde(default, skip_serializing_if = "is_default")]
    pub resumed: bool,
    /// The parent's attempt count when the current attempt of this activity
    /// began (for `useCurrentAttemptObjectiveInfo` / `...ProgressInfo`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub parent_attempt: u32,
    /// The content reported a completion status in the current attempt,
    /// "unknown" included: End Attempt (UP.4) then leaves it alone.
    #[serde(default, skip_serializing_if = "is_default")]
    pub completion_reported: bool,
    /// The content reported a success status for the primary objective in
    /// the current attempt, "unknown" included (see UP.4).
    #[serde(default, skip_serializing_if = "is_default")]
    pub success_reported: bool,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// 64-bit values as hexadecimal strings in the serialised state: JSON
/// numbers (and JavaScript) cannot hold them exactly.
mod hex64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        u64::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
    }
}

/// A tiny seedable PRNG (SplitMix64) for SR.1 / SR.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rng(#[serde(with = "hex64")] pub u64);

impl Rng {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
}

/// The whole mutable sequencing state: serialise it to suspend a course and
/// give it to [`Sequencer::restore`] on the next launch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeqState {
    /// Tracking per activity, by arena index (preorder of the manifest).
    pub activities: Vec<ActivityState>,
    /// Global shared objectives by `targetObjectiveID`.
    pub globals: BTreeMap<String, ObjectiveState>,
    /// Current Activity.
    pub current: Option<usize>,
    /// Suspended Activity.
    pub suspended_activity: Option<usize>,
    /// PRNG state.
    pub rng: Rng,
    /// Fingerprint (FNV-1a) of the tree's identifiers and shape, to check
    /// that a restored state fits the tree.
    #[serde(with = "hex64")]
    pub tree_hash: u64,
}

/// The sequencer: the arena of activities plus the sequencing state.
#[derive(Clone, Debug)]
pub struct Sequencer {
    /// The activity tree; index 0 is the root (shared: cloning a sequencer
    /// for look-ahead copies only the state).
    pub(crate) nodes: Rc<Vec<Node>>,
    /// The sequencing state.
    pub(crate) state: SeqState,
    /// Position of each activity in its parent's available children
    /// (`None`: not available); derived from the state, never serialised.
    pos: Vec<Option<usize>>,
    /// The global objectives belong to one attempt on the activity tree
    /// (`adlseq:objectivesGlobalToSystem="false"`): a new attempt on the
    /// root starts without them. Part of the definition, not the state.
    pub(crate) globals_per_tree_attempt: bool,
}

/// Default seed when none is given.
pub const DEFAULT_SEED: u64 = 0x5C0B_2004;

impl Sequencer {
    /// Builds the arena from the activity tree and applies selection and
    /// randomization with timing `once` (SR.1, SR.2) with the default seed.
    pub fn new(tree: &Activity) -> Sequencer {
        Sequencer::with_seed(tree, DEFAULT_SEED)
    }

    /// As [`Sequencer::new`] with an explicit PRNG seed.
    pub fn with_seed(tree: &Activity, seed: u64) -> Sequencer {
        let nodes = build_arena(tree);
        let activities = nodes
            .iter()
            .map(|n| ActivityState {
                available_children: n.children.clone(),
                objectives: vec![ObjectiveState::default(); n.seq.objectives.len()],
                ..ActivityState::default()
            })
            .collect();
        let tree_hash = tree_hash(&nodes);
        let mut s = Sequencer {
            nodes: Rc::new(nodes),
            state: SeqState { activities, globals: BTreeMap::new(), current: None, suspended_activity: None, rng: Rng(seed), tree_hash },
            pos: Vec::new(),
            globals_per_tree_attempt: false,
        };
        s.refresh_positions();
        for a in 0..s.nodes.len() {
            if !s.nodes[a].is_leaf() {
                s.select_children(a);
                s.randomize_children(a);
            }
        }
        s
    }

    /// A copy of the whole sequencing state (serialise it with serde).
    pub fn snapshot(&self) -> SeqState {
        self.state.clone()
    }

    /// Rebuilds a sequencer from the tree and a saved state; the state is
    /// checked against the tree (`RESTORE-1`, `RESTORE-2`). The session is
    /// not running after a restore: a session the saved state left open is
    /// suspended (see `suspend_open_session`) and the current activity is
    /// cleared, so that `resumeAll` (or `start`) can begin a new session.
    pub fn restore(tree: &Activity, state: SeqState) -> Result<Sequencer, SeqError> {
        let nodes = build_arena(tree);
        let n = nodes.len();
        if state.activities.len() != n || state.tree_hash != tree_hash(&nodes) {
            return Err(SeqError::new("RESTORE-1"));
        }
        for (a, st) in state.activities.iter().enumerate() {
            if st.objectives.len() != nodes[a].seq.objectives.len() {
                return Err(SeqError::new("RESTORE-1"));
            }
            // available children must be a subset of the real children, no duplicates
            let mut seen = Vec::new();
            for c in &st.available_children {
                if !nodes[a].children.contains(c) || seen.contains(c) {
                    return Err(SeqError::new("RESTORE-2"));
                }
                seen.push(*c);
            }
        }
        if state.current.is_some_and(|c| c >= n) || state.suspended_activity.is_some_and(|c| c >= n) {
            return Err(SeqError::new("RESTORE-2"));
        }
        let mut s = Sequencer { nodes: Rc::new(nodes), state, pos: Vec::new(), globals_per_tree_attempt: false };
        s.refresh_positions();
        s.suspend_open_session();
        // a new session: nothing is active any more, the suspended state stays
        if let Some(c) = s.state.current.take() {
            for a in s.path_from_root(c) {
                s.state.activities[a].active = false;
            }
        }
        for st in &mut s.state.activities {
            st.active = false;
        }
        Ok(s)
    }

    /// A saved state with a current activity comes from a session that was
    /// left open: the page went away (a reload, a closed window, a crash)
    /// without a navigation request that ends the session. The LMS takes
    /// that as the learner's Suspend All (TB.2.3 with a `suspendAll`
    /// termination request: the current activity, when active or
    /// suspended, is rolled up (RB.1.5) and becomes the suspended activity,
    /// else its parent; the path from the root to it is suspended), so that
    /// the next session resumes the same attempts (SB.2.6, DB.2) instead of
    /// starting a new attempt on the root over a child attempt that then
    /// belongs to the earlier one (`useCurrentAttemptObjectiveInfo` would
    /// hide it from rollup: the course result would read unknown). An
    /// inactive current root (TB.2.3-3, nothing to suspend) is left as it
    /// was.
    fn suspend_open_session(&mut self) {
        let Some(c) = self.state.current else { return };
        let st = &self.state.activities[c];
        let target = if st.active || st.suspended {
            self.overall_rollup(c);
            c
        } else {
            match self.parent(c) {
                Some(p) => p,
                None => return,
            }
        };
        self.state.suspended_activity = Some(target);
        for a in self.path_from_root(target) {
            let st = &mut self.state.activities[a];
            st.active = false;
            st.suspended = true;
        }
        self.state.current = None;
    }

    /// The activity tree (arena; index 0 is the root, preorder of the manifest).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The arena index of the activity with this identifier.
    /// (A scan: it serves navigation requests only, and a map keyed by
    /// identifier would add its own copy of the B-tree code to the module.)
    pub fn find(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The identifier of an activity.
    pub fn id_of(&self, a: usize) -> &str {
        self.nodes.get(a).map(|n| n.id.as_str()).unwrap_or("")
    }

    /// The Current Activity.
    pub fn current(&self) -> Option<usize> {
        self.state.current
    }

    /// The Suspended Activity.
    pub fn suspended_activity(&self) -> Option<usize> {
        self.state.suspended_activity
    }

    /// The tracking state of an activity.
    pub fn activity(&self, a: usize) -> Option<&ActivityState> {
        self.state.activities.get(a)
    }

    /// The global shared objectives.
    pub fn globals(&self) -> &BTreeMap<String, ObjectiveState> {
        &self.state.globals
    }

    /// `adlseq:objectivesGlobalToSystem` of the organization (default
    /// true). When false the global objectives last one attempt on the
    /// activity tree: a new attempt on the root (a retry of the course)
    /// starts with none (ADL CTS RU-13d).
    pub fn set_objectives_global_to_system(&mut self, global: bool) {
        self.globals_per_tree_attempt = !global;
    }

    /// Mutable access to the global shared objectives (to seed them from the
    /// learner's record in another course).
    pub fn globals_mut(&mut self) -> &mut BTreeMap<String, ObjectiveState> {
        &mut self.state.globals
    }

    // ----- tree helpers -------------------------------------------------

    pub(crate) fn parent(&self, a: usize) -> Option<usize> {
        self.nodes[a].parent
    }

    pub(crate) fn is_leaf(&self, a: usize) -> bool {
        self.nodes[a].is_leaf()
    }

    pub(crate) fn avail(&self, a: usize) -> &[usize] {
        &self.state.activities[a].available_children
    }

    /// Activities from the root down to `a`, inclusive.
    pub(crate) fn path_from_root(&self, a: usize) -> Vec<usize> {
        let mut p = vec![a];
        let mut x = a;
        while let Some(q) = self.nodes[x].parent {
            p.push(q);
            x = q;
        }
        p.reverse();
        p
    }

    /// True when `anc` is `a` or one of its ancestors.
    pub(crate) fn is_ancestor_or_self(&self, anc: usize, a: usize) -> bool {
        let mut x = Some(a);
        while let Some(y) = x {
            if y == anc {
                return true;
            }
            x = self.nodes[y].parent;
        }
        false
    }

    pub(crate) fn common_ancestor(&self, a: usize, b: usize) -> usize {
        let pa = self.path_from_root(a);
        let pb = self.path_from_root(b);
        let mut ca = 0;
        for (x, y) in pa.iter().zip(&pb) {
            if x == y {
                ca = *x;
            } else {
                break;
            }
        }
        ca
    }

    /// Rebuilds the positions of all activities in their parents' available children.
    fn refresh_positions(&mut self) {
        let mut pos = vec![None; self.nodes.len()];
        if let Some(r) = pos.first_mut() {
            *r = Some(0);
        }
        for st in &self.state.activities {
            for (i, &c) in st.available_children.iter().enumerate() {
                if let Some(p) = pos.get_mut(c) {
                    *p = Some(i);
                }
            }
        }
        self.pos = pos;
    }

    /// Rebuilds the positions of the available children of `a`.
    fn refresh_children_positions(&mut self, a: usize) {
        for &c in &self.nodes[a].children {
            self.pos[c] = None;
        }
        for (i, &c) in self.state.activities[a].available_children.iter().enumerate() {
            self.pos[c] = Some(i);
        }
    }

    /// Position of `a` in its parent's available children.
    pub(crate) fn avail_position(&self, a: usize) -> Option<usize> {
        self.pos.get(a).copied().flatten()
    }

    /// True when `a` is in the available children of its parent (or is the root).
    pub(crate) fn is_available(&self, a: usize) -> bool {
        self.avail_position(a).is_some()
    }

    /// True when every activity from the root down to `a` is available.
    pub(crate) fn is_available_in_tree(&self, a: usize) -> bool {
        let mut x = a;
        loop {
            if !self.is_available(x) {
                return false;
            }
            match self.nodes[x].parent {
                Some(p) => x = p,
                None => return true,
            }
        }
    }

    /// True when `b` comes after `a` in a forward preorder traversal.
    pub(crate) fn is_forward_of(&self, a: usize, b: usize) -> bool {
        // compare the child positions below the common ancestor
        if a == b {
            return false;
        }
        let pa = self.path_from_root(a);
        let pb = self.path_from_root(b);
        let mut i = 0;
        while i < pa.len() && i < pb.len() && pa[i] == pb[i] {
            i += 1;
        }
        if i >= pb.len() {
            return false; // b is an ancestor of a
        }
        if i >= pa.len() {
            return true; // b is a descendant of a
        }
        let parent = pa[i - 1];
        let pos = |x: usize| self.position(parent, x);
        pos(pb[i]) > pos(pa[i])
    }

    /// Position of child `c` in the children of `p` (available first, then
    /// the rest in document order, so unavailable ones still compare).
    fn position(&self, p: usize, c: usize) -> usize {
        match self.avail_position(c) {
            Some(i) => i,
            None => self.avail(p).len() + self.nodes[p].children.iter().position(|&x| x == c).unwrap_or(0),
        }
    }

    // ----- objective access through global maps --------------------------

    /// Objective state of objective `o` of activity `a` as seen through the
    /// read maps (SN §4.2.1.1: a known global value replaces the local one).
    pub fn objective_view(&self, a: usize, o: usize) -> ObjectiveState {
        self.objective_seen(a, o, false)
    }

    /// As [`Sequencer::objective_view`]; with `current_only` the local data
    /// recorded during an earlier attempt of the parent is ignored
    /// (`useCurrentAttemptObjectiveInfo`), as rule evaluation and rollup do.
    pub(crate) fn objective_seen(&self, a: usize, o: usize, current_only: bool) -> ObjectiveState {
        let Some(local) = self.state.activities.get(a).and_then(|s| s.objectives.get(o)) else {
            return ObjectiveState::default();
        };
        let mut v = if current_only && self.stale(a, true) { ObjectiveState::default() } else { local.clone() };
        let Some(def) = self.nodes.get(a).and_then(|n| n.seq.objectives.get(o)) else {
            return v;
        };
        let mut read_measure = false;
        for m in &def.maps {
            if m.read_satisfied_status {
                let g = self.state.globals.get(&m.target_objective_id);
                v.progress_status = g.is_some_and(|g| g.progress_status);
                v.satisfied_status = g.is_some_and(|g| g.satisfied_status);
            }
            let Some(g) = self.state.globals.get(&m.target_objective_id) else { continue };
            if m.read_normalized_measure && g.measure_status {
                v.measure_status = true;
                v.normalized_measure = g.normalized_measure;
                read_measure = true;
            }
            if m.read_raw_score && g.raw.is_some() {
                v.raw = g.raw;
            }
            if m.read_min_score && g.min.is_some() {
                v.min = g.min;
            }
            if m.read_max_score && g.max.is_some() {
                v.max = g.max;
            }
            if m.read_completion_status && g.completion_status.is_some() {
                v.completion_status = g.completion_status;
            }
            if m.read_progress_measure && g.progress_measure.is_some() {
                v.progress_measure = g.progress_measure;
            }
        }
        // satisfiedByMeasure: the measure decides satisfaction "in place of
        // any other method" — for a leaf (whatever objective the SCO
        // reported) and for a measure read from a global objective; a
        // cluster's own measure is judged by rollup (RB.1.2.a, with
        // measureSatisfactionIfActive).
        if def.satisfied_by_measure && (read_measure || self.nodes[a].children.is_empty()) {
            v.progress_status = v.measure_status;
            v.satisfied_status = v.measure_status && v.normalized_measure >= def.min_normalized_measure;
        }
        v
    }

    /// Primary objective satisfied status through the maps.
    pub(crate) fn primary_satisfied(&self, a: usize) -> Option<bool> {
        self.objective_view(a, 0).satisfied()
    }

    /// Primary objective measure through the maps.
    pub(crate) fn primary_measure(&self, a: usize, current_only: bool) -> Option<f64> {
        self.objective_seen(a, 0, current_only).measure()
    }

    /// Attempt completion status (tri-state), read through the primary
    /// objective's `readCompletionStatus` maps (4th Ed).
    pub fn attempt_completed(&self, a: usize) -> Option<bool> {
        if a >= self.nodes.len() {
            return None;
        }
        self.completion_seen(a, false)
    }

    /// As [`Sequencer::attempt_completed`]; `current_only` as in `objective_seen`
    /// (`useCurrentAttemptProgressInfo`).
    pub(crate) fn completion_seen(&self, a: usize, current_only: bool) -> Option<bool> {
        let st = &self.state.activities[a];
        let local = st
            .attempt_progress_status
            .then_some(st.attempt_completion_status)
            .filter(|_| !(current_only && self.stale(a, false)));
        let def = &self.nodes[a].seq.objectives[0];
        // completedByMeasure: the progress measure alone decides completion,
        // one read from a global objective as the SCO's own one at
        // Terminate; a global completion status is not read (ADL CTS CO-02a,
        // CO-04b)
        if let Some(t) = self.nodes[a].completion_threshold.as_ref().filter(|t| t.completed_by_measure) {
            for m in def.maps.iter().filter(|m| m.read_progress_measure) {
                if let Some(p) = self.state.globals.get(&m.target_objective_id).and_then(|g| g.progress_measure) {
                    return Some(p >= t.min_progress_measure);
                }
            }
            return local;
        }
        for m in &def.maps {
            if m.read_completion_status {
                if let Some(c) = self.state.globals.get(&m.target_objective_id).and_then(|g| g.completion_status) {
                    return Some(c);
                }
            }
        }
        local
    }

    /// Attempt completion amount (progress measure) through the primary maps.
    pub(crate) fn completion_amount(&self, a: usize, current_only: bool) -> Option<f64> {
        let st = &self.state.activities[a];
        let def = &self.nodes[a].seq.objectives[0];
        for m in &def.maps {
            if m.read_progress_measure {
                if let Some(p) = self.state.globals.get(&m.target_objective_id).and_then(|g| g.progress_measure) {
                    return Some(p);
                }
            }
        }
        st.attempt_completion_amount_status.then_some(st.attempt_completion_amount).filter(|_| !(current_only && self.stale(a, false)))
    }

    /// SN §3.2.5 / §3.2.6: true when the parent uses only current-attempt
    /// information (`useCurrentAttemptObjectiveInfo` for objectives,
    /// `useCurrentAttemptProgressInfo` for progress) and the tracking data of
    /// `a` was recorded during an earlier attempt on the parent.
    pub(crate) fn stale(&self, a: usize, objective: bool) -> bool {
        let Some(p) = self.nodes.get(a).and_then(|n| n.parent) else { return false };
        let cm = &self.nodes[p].seq.control_mode;
        let on = if objective { cm.use_current_attempt_objective_info } else { cm.use_current_attempt_progress_info };
        let st = &self.state.activities[a];
        on && st.attempt_count > 0 && st.parent_attempt != self.state.activities[p].attempt_count
    }

    /// Writes objective `o` of activity `a` to the global objectives through
    /// its write maps (the primary objective also writes the attempt's
    /// completion status and progress measure). Unknown values are not written.
    pub(crate) fn write_maps(&mut self, a: usize, o: usize) {
        let Some(def) = self.nodes.get(a).and_then(|n| n.seq.objectives.get(o)) else { return };
        // an activity that is not tracked keeps no tracking information,
        // so it has nothing to write (ADL CTS CO-10)
        if def.maps.is_empty() || !self.nodes[a].seq.delivery.tracked {
            return;
        }
        let st = &self.state.activities[a];
        let Some(local) = st.objectives.get(o).cloned() else { return };
        let (completion, progress) = if o == 0 {
            (
                st.attempt_progress_status.then_some(st.attempt_completion_status),
                st.attempt_completion_amount_status.then_some(st.attempt_completion_amount),
            )
        } else {
            (local.completion_status, local.progress_measure)
        };
        let rolled_up = !self.nodes[a].children.is_empty();
        for m in &def.maps {
            let any = m.write_satisfied_status
                || m.write_normalized_measure
                || m.write_raw_score
                || m.write_min_score
                || m.write_max_score
                || m.write_completion_status
                || m.write_progress_measure;
            if !any {
                continue;
            }
            let g = self.state.globals.entry(m.target_objective_id.clone()).or_default();
            // only known values are written: an unknown local value never
            // erases what another activity recorded in the global objective
            if m.write_satisfied_status && local.progress_status {
                g.progress_status = true;
                g.satisfied_status = local.satisfied_status;
            } else if m.write_satisfied_status && rolled_up && def.satisfied_by_measure && !local.measure_status {
                // satisfied by a measure that rollup now finds unknown
                g.progress_status = false;
            }
            if m.write_normalized_measure && local.measure_status {
                g.measure_status = true;
                g.normalized_measure = local.normalized_measure;
            } else if m.write_normalized_measure && rolled_up {
                // a cluster's measure is what rollup makes of its children
                // now, unknown included (ADL CTS OB-03b)
                g.measure_status = false;
            }
            if m.write_raw_score && local.raw.is_some() {
                g.raw = local.raw;
            }
            if m.write_min_score && local.min.is_some() {
                g.min = local.min;
            }
            if m.write_max_score && local.max.is_some() {
                g.max = local.max;
            }
            if m.write_completion_status && completion.is_some() {
                g.completion_status = completion;
            }
            if m.write_progress_measure && progress.is_some() {
                g.progress_measure = progress;
            }
        }
    }

    pub(crate) fn write_all_maps(&mut self, a: usize) {
        for o in 0..self.nodes[a].seq.objectives.len() {
            self.write_maps(a, o);
        }
    }

    // ----- SR.1 / SR.2 ---------------------------------------------------

    /// SR.1 Select Children Process.
    pub(crate) fn select_children(&mut self, a: usize) {
        let r = &self.nodes[a].seq.randomization;
        let st = &self.state.activities[a];
        if self.nodes[a].is_leaf() || st.active || st.suspended {
            return;
        }
        let Some(count) = r.select_count else { return };
        let due = match r.selection_timing {
            seqdef::RandomizationTiming::Never => false,
            seqdef::RandomizationTiming::Once => !st.activity_progress_status && !st.selection_done,
            // SCORM leaves onEachNewAttempt selection undefined: treated as once.
            seqdef::RandomizationTiming::OnEachNewAttempt => !st.activity_progress_status && !st.selection_done,
        };
        if !due {
            return;
        }
        let children = self.nodes[a].children.clone();
        let count = (count as usize).min(children.len());
        let mut chosen = vec![false; children.len()];
        let mut picked = 0;
        while picked < count {
            let i = self.state.rng.below(children.len());
            if !chosen[i] {
                chosen[i] = true;
                picked += 1;
            }
        }
        let st = &mut self.state.activities[a];
        st.available_children = children.iter().zip(&chosen).filter(|(_, &k)| k).map(|(c, _)| *c).collect();
        st.selection_done = true;
        self.refresh_children_positions(a);
    }

    /// SR.2 Randomize Children Process.
    pub(crate) fn randomize_children(&mut self, a: usize) {
        let r = &self.nodes[a].seq.randomization;
        let st = &self.state.activities[a];
        if self.nodes[a].is_leaf() || st.active || st.suspended || !r.reorder_children {
            return;
        }
        let due = match r.randomization_timing {
            seqdef::RandomizationTiming::Never => false,
            seqdef::RandomizationTiming::Once => !st.activity_progress_status && !st.randomization_done,
            seqdef::RandomizationTiming::OnEachNewAttempt => true,
        };
        if !due {
            return;
        }
        let mut v = self.state.activities[a].available_children.clone();
        for i in (1..v.len()).rev() {
            let j = self.state.rng.below(i + 1);
            v.swap(i, j);
        }
        let st = &mut self.state.activities[a];
        st.available_children = v;
        st.randomization_done = true;
        self.refresh_children_positions(a);
    }
}

/// FNV-1a over the identifiers and child counts in arena order.
fn tree_hash(nodes: &[Node]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for n in nodes {
        n.id.bytes().for_each(&mut eat);
        eat(0);
        (n.children.len() as u32).to_le_bytes().into_iter().for_each(&mut eat);
    }
    h
}

/// Flattens the activity tree into the arena in preorder (iteratively).
fn build_arena(tree: &Activity) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<(&Activity, Option<usize>)> = vec![(tree, None)];
    while let Some((act, parent)) = stack.pop() {
        let idx = nodes.len();
        let mut seq = act.sequencing.clone();
        normalize_objectives(&mut seq.objectives);
        nodes.push(Node {
            id: act.id.clone(),
            title: act.title.clone(),
            visible: act.visible,
            launch: act.launch.clone(),
            data_from_lms: act.data_from_lms.clone(),
            time_limit_action: act.time_limit_action.clone(),
            completion_threshold: act.completion_threshold.clone(),
            seq,
            hide_lms_ui: act.hide_lms_ui.clone(),
            parent,
            children: Vec::new(),
        });
        if let Some(p) = parent {
            nodes[p].children.push(idx);
        }
        for c in act.children.iter().rev() {
            stack.push((c, Some(idx)));
        }
    }
    nodes
}

/// Puts the primary objective first, adding an implicit one when absent.
fn normalize_objectives(objs: &mut Vec<ObjectiveDef>) {
    match objs.iter().position(|o| o.primary) {
        Some(0) => {}
        Some(i) => {
            let p = objs.remove(i);
            objs.insert(0, p);
        }
        None => objs.insert(0, ObjectiveDef::new(None, true)),
    }
}
