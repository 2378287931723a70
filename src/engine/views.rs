//! The JSON the browser layer hands to JavaScript: the activity tree, the
//! navigation look-ahead and the saved sequencing state, written (and the
//! state read back) by hand with [`crate::engine::persist::json`].
//!
//! The shapes are the ones the `serde` derives on the same types describe
//! (camelCase names, `null` for `None`, enums as their camelCase names,
//! `skip_serializing_if` defaults left out); `tests` proves it against
//! `serde_json`. Writing by hand keeps `serde`'s machinery (and its
//! float formatting) out of the wasm module.

use std::collections::BTreeMap;

use super::manifest::{ErrorKind, Manifest, ManifestError, Organization, Resource, ScormVersion};
use super::persist::json::{self, write_f64, write_str, write_u64, Value};
use super::seqdef::*;
use super::sequencing::{ActivityNavState, ActivityState, NavState, NavWhy, ObjectiveState, Rng, SeqState, Why};

/// A value that writes itself as JSON.
pub trait ToJson {
    /// Append the JSON text of `self` to `out`.
    fn to_json(&self, out: &mut String);
}

/// The JSON text of `v`.
pub fn to_json<T: ToJson + ?Sized>(v: &T) -> String {
    let mut out = String::new();
    v.to_json(&mut out);
    out
}

/// Append `"key":`, after a comma unless it is the object's first member.
fn key(out: &mut String, k: &str) {
    if !out.ends_with('{') {
        out.push(',');
    }
    write_str(out, k);
    out.push(':');
}

/// `{"k1":v1,"k2":v2,...}`.
macro_rules! obj {
    ($out:ident; $($k:literal => $v:expr),* $(,)?) => {{
        $out.push('{');
        $( key($out, $k); ToJson::to_json(&$v, $out); )*
        $out.push('}');
    }};
}

impl ToJson for bool {
    fn to_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}
impl ToJson for u32 {
    fn to_json(&self, out: &mut String) {
        write_u64(out, u64::from(*self));
    }
}
impl ToJson for usize {
    fn to_json(&self, out: &mut String) {
        write_u64(out, *self as u64);
    }
}
impl ToJson for f64 {
    fn to_json(&self, out: &mut String) {
        write_f64(out, *self);
    }
}
impl ToJson for str {
    fn to_json(&self, out: &mut String) {
        write_str(out, self);
    }
}
impl ToJson for String {
    fn to_json(&self, out: &mut String) {
        write_str(out, self);
    }
}
impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self, out: &mut String) {
        (**self).to_json(out);
    }
}
impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self, out: &mut String) {
        match self {
            Some(v) => v.to_json(out),
            None => out.push_str("null"),
        }
    }
}
impl<T: ToJson> ToJson for [T] {
    fn to_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.to_json(out);
        }
        out.push(']');
    }
}
impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self, out: &mut String) {
        self.as_slice().to_json(out);
    }
}
impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn to_json(&self, out: &mut String) {
        out.push('{');
        for (k, v) in self {
            key(out, k);
            v.to_json(out);
        }
        out.push('}');
    }
}

/// Unit-only enums: their camelCase names as strings.
macro_rules! names {
    ($($t:ty { $($v:ident => $n:literal),* $(,)? })*) => {$(
        impl ToJson for $t {
            fn to_json(&self, out: &mut String) {
                write_str(out, match self { $(<$t>::$v => $n),* });
            }
        }
    )*};
}

names! {
    RuleConditionKind {
        Satisfied => "satisfied", ObjectiveStatusKnown => "objectiveStatusKnown",
        ObjectiveMeasureKnown => "objectiveMeasureKnown", ObjectiveMeasureGreaterThan => "objectiveMeasureGreaterThan",
        ObjectiveMeasureLessThan => "objectiveMeasureLessThan", Completed => "completed",
        ActivityProgressKnown => "activityProgressKnown", Attempted => "attempted",
        AttemptLimitExceeded => "attemptLimitExceeded", TimeLimitExceeded => "timeLimitExceeded",
        OutsideAvailableTimeRange => "outsideAvailableTimeRange", Always => "always",
    }
    ConditionCombination { All => "all", Any => "any" }
    RuleAction {
        Skip => "skip", Disabled => "disabled", HiddenFromChoice => "hiddenFromChoice",
        StopForwardTraversal => "stopForwardTraversal", Exit => "exit", ExitParent => "exitParent",
        ExitAll => "exitAll", Retry => "retry", RetryAll => "retryAll", Continue => "continue", Previous => "previous",
    }
    RollupAction { Satisfied => "satisfied", NotSatisfied => "notSatisfied", Completed => "completed", Incomplete => "incomplete" }
    RollupConsideration { Always => "always", IfAttempted => "ifAttempted", IfNotSkipped => "ifNotSkipped", IfNotSuspended => "ifNotSuspended" }
    RandomizationTiming { Never => "never", Once => "once", OnEachNewAttempt => "onEachNewAttempt" }
}

impl ToJson for ChildActivitySet {
    fn to_json(&self, out: &mut String) {
        match self {
            ChildActivitySet::All => write_str(out, "all"),
            ChildActivitySet::Any => write_str(out, "any"),
            ChildActivitySet::None => write_str(out, "none"),
            ChildActivitySet::AtLeastCount(n) => obj!(out; "atLeastCount" => n),
            ChildActivitySet::AtLeastPercent(p) => obj!(out; "atLeastPercent" => p),
        }
    }
}

impl ToJson for ControlMode {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "choice" => self.choice, "choiceExit" => self.choice_exit, "flow" => self.flow,
            "forwardOnly" => self.forward_only,
            "useCurrentAttemptObjectiveInfo" => self.use_current_attempt_objective_info,
            "useCurrentAttemptProgressInfo" => self.use_current_attempt_progress_info,
        )
    }
}

impl ToJson for ConstrainedChoice {
    fn to_json(&self, out: &mut String) {
        obj!(out; "preventActivation" => self.prevent_activation, "constrainChoice" => self.constrain_choice)
    }
}

impl ToJson for RuleCondition {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "condition" => self.condition, "not" => self.not,
            "referencedObjective" => self.referenced_objective, "measureThreshold" => self.measure_threshold,
        )
    }
}

impl ToJson for SequencingRule {
    fn to_json(&self, out: &mut String) {
        obj!(out; "combination" => self.combination, "conditions" => self.conditions, "action" => self.action)
    }
}

impl ToJson for LimitConditions {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "attemptLimit" => self.attempt_limit,
            "attemptAbsoluteDurationLimit" => self.attempt_absolute_duration_limit,
        )
    }
}

impl ToJson for RollupRule {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "childActivitySet" => self.child_activity_set, "combination" => self.combination,
            "conditions" => self.conditions, "action" => self.action,
        )
    }
}

impl ToJson for RollupControls {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "rollupObjectiveSatisfied" => self.rollup_objective_satisfied,
            "rollupProgressCompletion" => self.rollup_progress_completion,
            "objectiveMeasureWeight" => self.objective_measure_weight, "rules" => self.rules,
        )
    }
}

impl ToJson for RollupConsiderations {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "requiredForSatisfied" => self.required_for_satisfied,
            "requiredForNotSatisfied" => self.required_for_not_satisfied,
            "requiredForCompleted" => self.required_for_completed,
            "requiredForIncomplete" => self.required_for_incomplete,
            "measureSatisfactionIfActive" => self.measure_satisfaction_if_active,
        )
    }
}

impl ToJson for ObjectiveMap {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "targetObjectiveId" => self.target_objective_id,
            "readSatisfiedStatus" => self.read_satisfied_status, "readNormalizedMeasure" => self.read_normalized_measure,
            "writeSatisfiedStatus" => self.write_satisfied_status, "writeNormalizedMeasure" => self.write_normalized_measure,
            "readRawScore" => self.read_raw_score, "readMinScore" => self.read_min_score, "readMaxScore" => self.read_max_score,
            "readCompletionStatus" => self.read_completion_status, "readProgressMeasure" => self.read_progress_measure,
            "writeRawScore" => self.write_raw_score, "writeMinScore" => self.write_min_score,
            "writeMaxScore" => self.write_max_score, "writeCompletionStatus" => self.write_completion_status,
            "writeProgressMeasure" => self.write_progress_measure,
        )
    }
}

impl ToJson for ObjectiveDef {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "id" => self.id, "primary" => self.primary, "satisfiedByMeasure" => self.satisfied_by_measure,
            "minNormalizedMeasure" => self.min_normalized_measure, "maps" => self.maps,
        )
    }
}

impl ToJson for RandomizationControls {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "randomizationTiming" => self.randomization_timing, "selectCount" => self.select_count,
            "reorderChildren" => self.reorder_children, "selectionTiming" => self.selection_timing,
        )
    }
}

impl ToJson for DeliveryControls {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "tracked" => self.tracked, "completionSetByContent" => self.completion_set_by_content,
            "objectiveSetByContent" => self.objective_set_by_content,
        )
    }
}

impl ToJson for AuxiliaryResource {
    fn to_json(&self, out: &mut String) {
        obj!(out; "id" => self.id, "purpose" => self.purpose)
    }
}

impl ToJson for SequencingDef {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "controlMode" => self.control_mode, "constrainedChoice" => self.constrained_choice,
            "preConditionRules" => self.pre_condition_rules, "exitRules" => self.exit_rules,
            "postConditionRules" => self.post_condition_rules, "limitConditions" => self.limit_conditions,
            "auxiliaryResources" => self.auxiliary_resources, "rollup" => self.rollup,
            "rollupConsiderations" => self.rollup_considerations, "objectives" => self.objectives,
            "randomization" => self.randomization, "delivery" => self.delivery,
        )
    }
}

impl ToJson for CompletionThreshold {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "completedByMeasure" => self.completed_by_measure, "minProgressMeasure" => self.min_progress_measure,
            "progressWeight" => self.progress_weight,
        )
    }
}

impl ToJson for DataMap {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "targetId" => self.target_id, "readSharedData" => self.read_shared_data,
            "writeSharedData" => self.write_shared_data,
        )
    }
}

impl ToJson for HideLmsUi {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "previous" => self.previous, "continue" => self.continue_, "exit" => self.exit,
            "exitAll" => self.exit_all, "abandon" => self.abandon, "abandonAll" => self.abandon_all,
            "suspendAll" => self.suspend_all,
        )
    }
}

impl ToJson for Launch {
    fn to_json(&self, out: &mut String) {
        obj!(out; "resourceId" => self.resource_id, "isSco" => self.is_sco, "href" => self.href)
    }
}

impl ToJson for Activity {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "id" => self.id, "title" => self.title, "visible" => self.visible, "launch" => self.launch,
            "dataFromLms" => self.data_from_lms, "timeLimitAction" => self.time_limit_action,
            "completionThreshold" => self.completion_threshold, "masteryScore" => self.mastery_score,
            "maxTimeAllowed" => self.max_time_allowed, "prerequisites" => self.prerequisites,
            "sequencing" => self.sequencing, "hideLmsUi" => self.hide_lms_ui, "dataMaps" => self.data_maps,
            "children" => self.children,
        )
    }
}

impl ToJson for Why {
    fn to_json(&self, out: &mut String) {
        obj!(out; "id" => self.id, "message" => self.message)
    }
}

impl ToJson for ActivityNavState {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "id" => self.id, "title" => self.title, "depth" => self.depth, "visible" => self.visible,
            "enabled" => self.enabled, "selectable" => self.selectable, "active" => self.active,
            "suspended" => self.suspended, "completion" => self.completion, "success" => self.success,
        );
        if let Some(why) = &self.why {
            out.pop();
            key(out, "why");
            why.to_json(out);
            out.push('}');
        }
    }
}

impl ToJson for NavWhy {
    fn to_json(&self, out: &mut String) {
        out.push('{');
        for (k, v) in [
            ("start", &self.start),
            ("resumeAll", &self.resume_all),
            ("continue", &self.continue_),
            ("previous", &self.previous),
            ("exit", &self.exit),
            ("exitAll", &self.exit_all),
            ("suspendAll", &self.suspend_all),
            ("abandon", &self.abandon),
            ("abandonAll", &self.abandon_all),
        ] {
            if let Some(why) = v {
                key(out, k);
                why.to_json(out);
            }
        }
        out.push('}');
    }
}

impl ToJson for NavState {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "start" => self.start, "resumeAll" => self.resume_all, "continue" => self.continue_,
            "previous" => self.previous, "exit" => self.exit, "exitAll" => self.exit_all,
            "suspendAll" => self.suspend_all, "abandon" => self.abandon, "abandonAll" => self.abandon_all,
            "why" => self.why, "activities" => self.activities,
        )
    }
}

/// `"key":value` only when the value is not its default (`skip_serializing_if`).
macro_rules! sparse {
    ($out:ident, $s:ident, $d:ident; $($k:literal => $f:ident),* $(,)?) => {{
        $out.push('{');
        $( if $s.$f != $d.$f { key($out, $k); ToJson::to_json(&$s.$f, $out); } )*
        $out.push('}');
    }};
}

impl ToJson for ObjectiveState {
    fn to_json(&self, out: &mut String) {
        let d = ObjectiveState::default();
        let s = self;
        sparse!(out, s, d;
            "progressStatus" => progress_status, "satisfiedStatus" => satisfied_status,
            "measureStatus" => measure_status, "normalizedMeasure" => normalized_measure,
            "raw" => raw, "min" => min, "max" => max, "completionStatus" => completion_status,
            "progressMeasure" => progress_measure,
        )
    }
}

impl ToJson for ActivityState {
    fn to_json(&self, out: &mut String) {
        let d = ActivityState::default();
        let s = self;
        sparse!(out, s, d;
            "availableChildren" => available_children, "active" => active, "suspended" => suspended,
            "attemptCount" => attempt_count, "activityProgressStatus" => activity_progress_status,
            "activityAbsoluteDuration" => activity_absolute_duration,
            "activityExperiencedDuration" => activity_experienced_duration,
            "attemptProgressStatus" => attempt_progress_status, "attemptCompletionStatus" => attempt_completion_status,
            "attemptCompletionAmountStatus" => attempt_completion_amount_status,
            "attemptCompletionAmount" => attempt_completion_amount,
            "attemptAbsoluteDuration" => attempt_absolute_duration,
            "attemptExperiencedDuration" => attempt_experienced_duration, "objectives" => objectives,
            "selectionDone" => selection_done, "randomizationDone" => randomization_done,
            "resumed" => resumed, "parentAttempt" => parent_attempt,
            "completionReported" => completion_reported, "successReported" => success_reported,
        )
    }
}

/// 64-bit values as lowercase hexadecimal strings (JSON numbers cannot hold them).
struct Hex(u64);

impl ToJson for Hex {
    fn to_json(&self, out: &mut String) {
        out.push('"');
        let mut started = false;
        for i in (0..16).rev() {
            let d = (self.0 >> (i * 4)) & 0xf;
            if d != 0 || started || i == 0 {
                started = true;
                out.push(char::from(b"0123456789abcdef"[d as usize]));
            }
        }
        out.push('"');
    }
}

impl ToJson for SeqState {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "activities" => self.activities, "globals" => self.globals, "current" => self.current,
            "suspendedActivity" => self.suspended_activity, "rng" => Hex(self.rng.0),
            "treeHash" => Hex(self.tree_hash),
        )
    }
}

/// The saved course (`<prefix>:<registration>:course`): the sequencing
/// state and the shared data stores (`adl.data`).
pub fn saved_course_json(seq: &SeqState, shared: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let o = &mut out;
    obj!(o; "seq" => seq, "shared" => shared);
    out
}

impl ToJson for ScormVersion {
    fn to_json(&self, out: &mut String) {
        write_str(
            out,
            match self {
                ScormVersion::Scorm12 => "1.2",
                ScormVersion::Scorm2004Ed2 => "2004 2nd Edition",
                ScormVersion::Scorm2004Ed3 => "2004 3rd Edition",
                ScormVersion::Scorm2004Ed4 => "2004 4th Edition",
            },
        );
    }
}

/// What the browser layer's `openCourse` answers: `{identifier, title,
/// version, organization, warnings, canResume}`.
pub fn course_info_json(m: &Manifest, can_resume: bool) -> String {
    let mut out = String::new();
    let o = &mut out;
    o.push('{');
    key(o, "identifier");
    write_str(o, &m.identifier);
    key(o, "title");
    write_str(o, &m.activity_tree.title);
    key(o, "version");
    m.version.to_json(o);
    key(o, "organization");
    write_str(o, &m.organization);
    key(o, "warnings");
    o.push('[');
    for (i, w) in m.warnings.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        write_str(o, &w.to_string());
    }
    o.push(']');
    key(o, "canResume");
    can_resume.to_json(o);
    o.push('}');
    out
}

names! {
    ErrorKind {
        Xml => "xml", TooDeep => "tooDeep", Namespace => "namespace", NotAManifest => "notAManifest",
        MissingElement => "missingElement", MissingAttribute => "missingAttribute", InvalidValue => "invalidValue",
        UnexpectedElement => "unexpectedElement", DuplicateIdentifier => "duplicateIdentifier",
        DanglingReference => "danglingReference", NoOrganization => "noOrganization", UnsafeHref => "unsafeHref",
        Version => "version",
    }
}

impl ToJson for ManifestError {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "kind" => self.kind, "element" => self.element, "line" => self.line, "column" => self.column,
            "message" => self.message,
        )
    }
}

impl ToJson for Organization {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "identifier" => self.identifier, "title" => self.title,
            "objectivesGlobalToSystem" => self.objectives_global_to_system,
            "sharedDataGlobalToSystem" => self.shared_data_global_to_system, "itemCount" => self.item_count,
        )
    }
}

impl ToJson for Resource {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "identifier" => self.identifier, "resourceType" => self.resource_type, "isSco" => self.is_sco,
            "href" => self.href, "files" => self.files, "dependencies" => self.dependencies,
        )
    }
}

impl ToJson for Manifest {
    fn to_json(&self, out: &mut String) {
        obj!(out;
            "identifier" => self.identifier, "version" => self.version, "schemaVersion" => self.schema_version,
            "defaultOrganization" => self.default_organization, "organizations" => self.organizations,
            "organization" => self.organization, "activityTree" => self.activity_tree, "resources" => self.resources,
            "globalObjectiveIds" => self.global_objective_ids, "sharedDataIds" => self.shared_data_ids,
            "warnings" => self.warnings,
        )
    }
}

/// The import report's view of a manifest (the author preview reads it
/// before anything plays): `{"manifest": {…every field of Manifest…}}`, or
/// `{"error": {kind, element, line, column, message}}` when it cannot be
/// played.
pub fn manifest_report_json(parsed: &Result<Manifest, ManifestError>) -> String {
    let mut out = String::new();
    let o = &mut out;
    match parsed {
        Ok(m) => obj!(o; "manifest" => m),
        Err(e) => obj!(o; "error" => e),
    }
    out
}

/// A data model as a debugger shows it: `{"state": "running", "elements":
/// [[name, value], …]}` (sorted by name).
pub fn data_model_json(state: &str, elements: &[(String, String)]) -> String {
    let mut out = String::new();
    out.push_str("{\"state\":");
    write_str(&mut out, state);
    out.push_str(",\"elements\":[");
    for (i, (k, v)) in elements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_str(&mut out, k);
        out.push(',');
        write_str(&mut out, v);
        out.push(']');
    }
    out.push_str("]}");
    out
}

/// The sequencing state for a debugger: per activity (in tree order) its
/// id, title, parent index, objective ids and tracking state (the
/// [`ActivityState`] shape, defaults left out), the global objectives, and
/// the current and suspended activity ids.
pub fn course_state_json(seq: &super::sequencing::Sequencer) -> String {
    let nodes = seq.nodes();
    let state = seq.snapshot();
    let id_of = |i: Option<usize>| i.and_then(|i| nodes.get(i)).map(|n| n.id.clone());
    let mut out = String::new();
    out.push_str("{\"activities\":[");
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let ids: Vec<&str> = n.seq.objectives.iter().map(|o| o.id.as_deref().unwrap_or("")).collect();
        let o = &mut out;
        obj!(o;
            "id" => n.id, "title" => n.title, "parent" => n.parent, "objectives" => ids,
            "state" => state.activities.get(i).cloned().unwrap_or_default(),
        );
    }
    out.push(']');
    let o = &mut out;
    key(o, "globals");
    state.globals.to_json(o);
    key(o, "current");
    id_of(state.current).to_json(o);
    key(o, "suspended");
    id_of(state.suspended_activity).to_json(o);
    out.push('}');
    out
}

/// What the browser layer's `navigate` and `takeDelivery` answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery<'a> {
    /// `{type: "launch", activityId, title, href, isSco, version}`
    Launch {
        /// The activity (item) identifier.
        activity_id: &'a str,
        /// Its title.
        title: &'a str,
        /// Launch URL relative to the package root.
        href: &'a str,
        /// True for a SCO.
        is_sco: bool,
        /// `"1.2"` or `"2004"`.
        version: &'a str,
    },
    /// `{type: "ended"}`
    Ended,
    /// `{type: "nothing"}`
    Nothing,
    /// `{type: "error", id, message}`
    Error {
        /// The exception code (`NB.2.1-13`).
        id: &'a str,
        /// Its description.
        message: &'a str,
    },
}

impl ToJson for Delivery<'_> {
    fn to_json(&self, out: &mut String) {
        match self {
            Delivery::Launch { activity_id, title, href, is_sco, version } => obj!(out;
                "type" => "launch", "activityId" => activity_id, "title" => title, "href" => href,
                "isSco" => is_sco, "version" => version,
            ),
            Delivery::Ended => obj!(out; "type" => "ended"),
            Delivery::Nothing => obj!(out; "type" => "nothing"),
            Delivery::Error { id, message } => obj!(out; "type" => "error", "id" => id, "message" => message),
        }
    }
}

// ---------------------------------------------------------------------
// Reading the saved state back. Like the serde derives it replaces:
// unknown members are ignored, members with a default may be missing,
// a member of the wrong type rejects the whole state.

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => json::parse_f64(n),
        _ => None,
    }
}

fn uint(v: &Value) -> Option<u64> {
    match v {
        Value::Num(n) => super::num::parse_digits(n),
        _ => None,
    }
}

fn small(v: &Value) -> Option<u32> {
    uint(v).and_then(|n| u32::try_from(n).ok())
}

fn index(v: &Value) -> Option<usize> {
    uint(v).and_then(|n| usize::try_from(n).ok())
}

fn hex(v: &Value) -> Option<u64> {
    let s = v.as_str()?;
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let mut n = 0u64;
    for c in s.chars() {
        n = n << 4 | u64::from(c.to_digit(16)?);
    }
    Some(n)
}

/// `f` of member `k` when present, else the default; `None` when `f`
/// rejects it.
fn field<T>(o: &Value, k: &str, cur: T, f: fn(&Value) -> Option<T>) -> Option<T> {
    match o.get(k) {
        None => Some(cur),
        Some(v) => f(v),
    }
}

/// An optional member: missing or `null` is `None`.
fn opt<T>(o: &Value, k: &str, f: fn(&Value) -> Option<T>) -> Option<Option<T>> {
    match o.get(k) {
        None | Some(Value::Null) => Some(None),
        Some(v) => f(v).map(Some),
    }
}

fn list<T>(v: &Value, f: fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    v.as_arr()?.iter().map(f).collect()
}

fn objective_state(v: &Value) -> Option<ObjectiveState> {
    v.as_obj()?;
    let d = ObjectiveState::default();
    Some(ObjectiveState {
        progress_status: field(v, "progressStatus", d.progress_status, Value::as_bool)?,
        satisfied_status: field(v, "satisfiedStatus", d.satisfied_status, Value::as_bool)?,
        measure_status: field(v, "measureStatus", d.measure_status, Value::as_bool)?,
        normalized_measure: field(v, "normalizedMeasure", d.normalized_measure, num)?,
        raw: opt(v, "raw", num)?,
        min: opt(v, "min", num)?,
        max: opt(v, "max", num)?,
        completion_status: opt(v, "completionStatus", Value::as_bool)?,
        progress_measure: opt(v, "progressMeasure", num)?,
    })
}

fn activity_state(v: &Value) -> Option<ActivityState> {
    v.as_obj()?;
    let d = ActivityState::default();
    let flag = |k: &str| field(v, k, false, Value::as_bool);
    let secs = |k: &str| field(v, k, 0.0, num);
    Some(ActivityState {
        available_children: field(v, "availableChildren", d.available_children, |a| list(a, index))?,
        active: flag("active")?,
        suspended: flag("suspended")?,
        attempt_count: field(v, "attemptCount", 0, small)?,
        activity_progress_status: flag("activityProgressStatus")?,
        activity_absolute_duration: secs("activityAbsoluteDuration")?,
        activity_experienced_duration: secs("activityExperiencedDuration")?,
        attempt_progress_status: flag("attemptProgressStatus")?,
        attempt_completion_status: flag("attemptCompletionStatus")?,
        attempt_completion_amount_status: flag("attemptCompletionAmountStatus")?,
        attempt_completion_amount: secs("attemptCompletionAmount")?,
        attempt_absolute_duration: secs("attemptAbsoluteDuration")?,
        attempt_experienced_duration: secs("attemptExperiencedDuration")?,
        objectives: field(v, "objectives", Vec::new(), |a| list(a, objective_state))?,
        selection_done: flag("selectionDone")?,
        randomization_done: flag("randomizationDone")?,
        resumed: flag("resumed")?,
        parent_attempt: field(v, "parentAttempt", 0, small)?,
        completion_reported: flag("completionReported")?,
        success_reported: flag("successReported")?,
    })
}

/// Read a [`SeqState`] as [`ToJson`] (and the serde derives before it)
/// wrote it; `None` when it does not have that shape.
pub fn seq_state(v: &Value) -> Option<SeqState> {
    let mut globals = BTreeMap::new();
    for (k, g) in v.get("globals")?.as_obj()? {
        globals.insert(k.clone(), objective_state(g)?);
    }
    Some(SeqState {
        activities: list(v.get("activities")?, activity_state)?,
        globals,
        current: opt(v, "current", index)?,
        suspended_activity: opt(v, "suspendedActivity", index)?,
        rng: Rng(hex(v.get("rng")?)?),
        tree_hash: hex(v.get("treeHash")?)?,
    })
}

/// Read the saved course [`saved_course_json`] wrote: the sequencing state
/// (`None` when saved as `null`) and the shared data.
#[allow(clippy::type_complexity)]
pub fn saved_course(text: &str) -> Option<(Option<SeqState>, BTreeMap<String, String>)> {
    let v = json::parse(text).ok()?;
    let seq = match v.get("seq") {
        None | Some(Value::Null) => None,
        Some(s) => Some(seq_state(s)?),
    };
    let mut shared = BTreeMap::new();
    for (k, s) in v.get("shared")?.as_obj()? {
        shared.insert(k.clone(), s.as_str()?.to_owned());
    }
    Some((seq, shared))
}

#[cfg(test)]
mod tests;
