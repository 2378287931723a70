//! The activity tree and its sequencing definition model: what the manifest
//! parser produces and what the sequencing engine and the run-times consume.
//!
//! Names follow IMS Simple Sequencing and the SCORM 2004 4th Edition
//! Sequencing and Navigation book (SN) §3 "Sequencing Definition Model",
//! plus the ADL extensions (`adlseq`, `adlcp`, `adlnav`). Every field carries
//! the default the specification gives for an absent element or attribute,
//! so that [`Default`] of each type *is* the specified default and the engine
//! never has to guess.

use serde::{Deserialize, Serialize};

/// SN §3.2 Sequencing Control Modes (`imsss:controlMode`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlMode {
    /// `choice`, default true.
    pub choice: bool,
    /// `choiceExit`, default true.
    pub choice_exit: bool,
    /// `flow`, default false.
    pub flow: bool,
    /// `forwardOnly`, default false.
    pub forward_only: bool,
    /// `useCurrentAttemptObjectiveInfo`, default true.
    pub use_current_attempt_objective_info: bool,
    /// `useCurrentAttemptProgressInfo`, default true.
    pub use_current_attempt_progress_info: bool,
}

impl Default for ControlMode {
    fn default() -> Self {
        ControlMode {
            choice: true,
            choice_exit: true,
            flow: false,
            forward_only: false,
            use_current_attempt_objective_info: true,
            use_current_attempt_progress_info: true,
        }
    }
}

/// SN §3.3 Constrain Choice Controls (`adlseq:constrainedChoiceConsiderations`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConstrainedChoice {
    /// `preventActivation`, default false.
    pub prevent_activation: bool,
    /// `constrainChoice`, default false.
    pub constrain_choice: bool,
}

/// The condition of a sequencing or rollup rule condition (SN §3.4.2, §3.7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleConditionKind {
    /// `satisfied`
    Satisfied,
    /// `objectiveStatusKnown`
    ObjectiveStatusKnown,
    /// `objectiveMeasureKnown`
    ObjectiveMeasureKnown,
    /// `objectiveMeasureGreaterThan` (sequencing rules only)
    ObjectiveMeasureGreaterThan,
    /// `objectiveMeasureLessThan` (sequencing rules only)
    ObjectiveMeasureLessThan,
    /// `completed`
    Completed,
    /// `activityProgressKnown`
    ActivityProgressKnown,
    /// `attempted`
    Attempted,
    /// `attemptLimitExceeded`
    AttemptLimitExceeded,
    /// `timeLimitExceeded`
    TimeLimitExceeded,
    /// `outsideAvailableTimeRange`
    OutsideAvailableTimeRange,
    /// `always` (sequencing rules only)
    Always,
}

/// `conditionCombination` (SN §3.4.1): sequencing rules default to `all`,
/// rollup rules to `any`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConditionCombination {
    /// `all`
    All,
    /// `any`
    Any,
}

/// One rule condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleCondition {
    /// `condition`
    pub condition: RuleConditionKind,
    /// `operator`: true for `not`, false for `noOp` (the default).
    pub not: bool,
    /// `referencedObjective`: an objective id of this activity; `None` means
    /// the primary objective. Only sequencing rules use it.
    pub referenced_objective: Option<String>,
    /// `measureThreshold`, default 0.0, range -1.0..=1.0.
    pub measure_threshold: f64,
}

/// Sequencing rule actions (SN §3.4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleAction {
    /// Pre-condition `skip`.
    Skip,
    /// Pre-condition `disabled`.
    Disabled,
    /// Pre-condition `hiddenFromChoice`.
    HiddenFromChoice,
    /// Pre-condition `stopForwardTraversal`.
    StopForwardTraversal,
    /// Exit `exit`.
    Exit,
    /// Post-condition `exitParent`.
    ExitParent,
    /// Post-condition `exitAll`.
    ExitAll,
    /// Post-condition `retry`.
    Retry,
    /// Post-condition `retryAll`.
    RetryAll,
    /// Post-condition `continue`.
    Continue,
    /// Post-condition `previous`.
    Previous,
}

/// One sequencing rule (pre-condition, exit or post-condition).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SequencingRule {
    /// `conditionCombination`, default `all`.
    pub combination: ConditionCombination,
    /// The rule conditions.
    pub conditions: Vec<RuleCondition>,
    /// The rule action.
    pub action: RuleAction,
}

/// SN §3.5 Limit Conditions. SCORM requires only these two to be honoured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitConditions {
    /// `attemptLimit`; `None` (or 0 in the XML) means unlimited.
    pub attempt_limit: Option<u32>,
    /// `attemptAbsoluteDurationLimit` as an ISO 8601 duration, in seconds.
    pub attempt_absolute_duration_limit: Option<f64>,
}

/// `childActivitySet` of a rollup rule (SN §3.7.1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChildActivitySet {
    /// `all` (the default)
    All,
    /// `any`
    Any,
    /// `none`
    None,
    /// `atLeastCount` with `minimumCount` (default 0)
    AtLeastCount(u32),
    /// `atLeastPercent` with `minimumPercent` (default 0.0, 0.0..=1.0)
    AtLeastPercent(f64),
}

/// Rollup rule actions (SN §3.7.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RollupAction {
    /// `satisfied`
    Satisfied,
    /// `notSatisfied`
    NotSatisfied,
    /// `completed`
    Completed,
    /// `incomplete`
    Incomplete,
}

/// One rollup rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollupRule {
    /// `childActivitySet`, default `all`.
    pub child_activity_set: ChildActivitySet,
    /// `conditionCombination` of `rollupConditions`, default `any`.
    pub combination: ConditionCombination,
    /// The rollup conditions (`referenced_objective` and `measure_threshold` unused).
    pub conditions: Vec<RuleCondition>,
    /// The rollup action.
    pub action: RollupAction,
}

/// SN §3.7 Rollup Controls (`imsss:rollupRules` attributes) and the rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollupControls {
    /// `rollupObjectiveSatisfied`, default true.
    pub rollup_objective_satisfied: bool,
    /// `rollupProgressCompletion`, default true.
    pub rollup_progress_completion: bool,
    /// `objectiveMeasureWeight`, default 1.0.
    pub objective_measure_weight: f64,
    /// The rollup rules in document order.
    pub rules: Vec<RollupRule>,
}

impl Default for RollupControls {
    fn default() -> Self {
        RollupControls {
            rollup_objective_satisfied: true,
            rollup_progress_completion: true,
            objective_measure_weight: 1.0,
            rules: Vec::new(),
        }
    }
}

/// When a child counts for rollup (`adlseq:rollupConsiderations`, SN §3.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RollupConsideration {
    /// `always` (the default)
    #[default]
    Always,
    /// `ifAttempted`
    IfAttempted,
    /// `ifNotSkipped`
    IfNotSkipped,
    /// `ifNotSuspended`
    IfNotSuspended,
}

/// `adlseq:rollupConsiderations`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollupConsiderations {
    /// `requiredForSatisfied`
    pub required_for_satisfied: RollupConsideration,
    /// `requiredForNotSatisfied`
    pub required_for_not_satisfied: RollupConsideration,
    /// `requiredForCompleted`
    pub required_for_completed: RollupConsideration,
    /// `requiredForIncomplete`
    pub required_for_incomplete: RollupConsideration,
    /// `measureSatisfactionIfActive`, default true.
    pub measure_satisfaction_if_active: bool,
}

impl Default for RollupConsiderations {
    fn default() -> Self {
        RollupConsiderations {
            required_for_satisfied: RollupConsideration::Always,
            required_for_not_satisfied: RollupConsideration::Always,
            required_for_completed: RollupConsideration::Always,
            required_for_incomplete: RollupConsideration::Always,
            measure_satisfaction_if_active: true,
        }
    }
}

/// One objective map (`imsss:mapInfo` merged with the `adlseq:objectives`
/// extension of the same target, SN §3.10).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveMap {
    /// `targetObjectiveID` (a global objective id).
    pub target_objective_id: String,
    /// `readSatisfiedStatus`, default true.
    pub read_satisfied_status: bool,
    /// `readNormalizedMeasure`, default true.
    pub read_normalized_measure: bool,
    /// `writeSatisfiedStatus`, default false.
    pub write_satisfied_status: bool,
    /// `writeNormalizedMeasure`, default false.
    pub write_normalized_measure: bool,
    /// `adlseq` `readRawScore`, default true.
    pub read_raw_score: bool,
    /// `adlseq` `readMinScore`, default true.
    pub read_min_score: bool,
    /// `adlseq` `readMaxScore`, default true.
    pub read_max_score: bool,
    /// `adlseq` `readCompletionStatus`, default true.
    pub read_completion_status: bool,
    /// `adlseq` `readProgressMeasure`, default true.
    pub read_progress_measure: bool,
    /// `adlseq` `writeRawScore`, default false.
    pub write_raw_score: bool,
    /// `adlseq` `writeMinScore`, default false.
    pub write_min_score: bool,
    /// `adlseq` `writeMaxScore`, default false.
    pub write_max_score: bool,
    /// `adlseq` `writeCompletionStatus`, default false.
    pub write_completion_status: bool,
    /// `adlseq` `writeProgressMeasure`, default false.
    pub write_progress_measure: bool,
}

impl ObjectiveMap {
    /// A map to `target` with every flag at its specified default.
    pub fn new(target: impl Into<String>) -> Self {
        ObjectiveMap {
            target_objective_id: target.into(),
            read_satisfied_status: true,
            read_normalized_measure: true,
            write_satisfied_status: false,
            write_normalized_measure: false,
            read_raw_score: true,
            read_min_score: true,
            read_max_score: true,
            read_completion_status: true,
            read_progress_measure: true,
            write_raw_score: false,
            write_min_score: false,
            write_max_score: false,
            write_completion_status: false,
            write_progress_measure: false,
        }
    }
}

/// One objective description (SN §3.9), primary or secondary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveDef {
    /// `objectiveID`. Required for secondary objectives; a primary objective
    /// may have none (then it contributes to rollup but cannot be referenced
    /// from `cmi.objectives`).
    pub id: Option<String>,
    /// True for the `imsss:primaryObjective`.
    pub primary: bool,
    /// `satisfiedByMeasure`, default false.
    pub satisfied_by_measure: bool,
    /// `minNormalizedMeasure`, default 1.0, range -1.0..=1.0.
    pub min_normalized_measure: f64,
    /// The objective maps.
    pub maps: Vec<ObjectiveMap>,
}

impl ObjectiveDef {
    /// An objective with the specified defaults.
    pub fn new(id: Option<String>, primary: bool) -> Self {
        ObjectiveDef { id, primary, satisfied_by_measure: false, min_normalized_measure: 1.0, maps: Vec::new() }
    }
}

/// `randomizationTiming` / `selectionTiming` (SN §3.11, §3.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RandomizationTiming {
    /// `never` (the default)
    #[default]
    Never,
    /// `once`
    Once,
    /// `onEachNewAttempt`
    OnEachNewAttempt,
}

/// SN §3.11–3.12 Selection and Randomization Controls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RandomizationControls {
    /// `randomizationTiming`, default never.
    pub randomization_timing: RandomizationTiming,
    /// `selectCount`; `None` when absent.
    pub select_count: Option<u32>,
    /// `reorderChildren`, default false.
    pub reorder_children: bool,
    /// `selectionTiming`, default never.
    pub selection_timing: RandomizationTiming,
}

/// SN §3.13 Delivery Controls.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryControls {
    /// `tracked`, default true.
    pub tracked: bool,
    /// `completionSetByContent`, default false.
    pub completion_set_by_content: bool,
    /// `objectiveSetByContent`, default false.
    pub objective_set_by_content: bool,
}

impl Default for DeliveryControls {
    fn default() -> Self {
        DeliveryControls { tracked: true, completion_set_by_content: false, objective_set_by_content: false }
    }
}

/// One `imsss:auxiliaryResource` (SN §3.6): a resource the LMS may offer
/// beside the activity (a glossary, a help page). SCORM does not require an
/// LMS to act on them; they are kept so a player can.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuxiliaryResource {
    /// `auxiliaryResourceID` (a URI).
    pub id: String,
    /// `purpose`.
    pub purpose: String,
}

/// The complete sequencing definition of one activity (`imsss:sequencing`
/// after `IDRef` resolution against `imsss:sequencingCollection`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SequencingDef {
    /// Control modes.
    pub control_mode: ControlMode,
    /// Constrained choice considerations.
    pub constrained_choice: ConstrainedChoice,
    /// Pre-condition rules.
    pub pre_condition_rules: Vec<SequencingRule>,
    /// Exit rules.
    pub exit_rules: Vec<SequencingRule>,
    /// Post-condition rules.
    pub post_condition_rules: Vec<SequencingRule>,
    /// Limit conditions.
    pub limit_conditions: LimitConditions,
    /// Auxiliary resources.
    pub auxiliary_resources: Vec<AuxiliaryResource>,
    /// Rollup controls and rules.
    pub rollup: RollupControls,
    /// Rollup considerations.
    pub rollup_considerations: RollupConsiderations,
    /// Objectives; the primary one first when present.
    pub objectives: Vec<ObjectiveDef>,
    /// Selection and randomization controls.
    pub randomization: RandomizationControls,
    /// Delivery controls.
    pub delivery: DeliveryControls,
}

/// `adlcp:completionThreshold` (4th Ed attributes; a 3rd Ed text value
/// becomes `min_progress_measure` with `completed_by_measure` true).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionThreshold {
    /// `completedByMeasure`, default false.
    pub completed_by_measure: bool,
    /// `minProgressMeasure`, default 1.0.
    pub min_progress_measure: f64,
    /// `progressWeight`, default 1.0.
    pub progress_weight: f64,
}

impl Default for CompletionThreshold {
    fn default() -> Self {
        CompletionThreshold { completed_by_measure: false, min_progress_measure: 1.0, progress_weight: 1.0 }
    }
}

/// `adlcp:data/adlcp:map` (4th Ed shared data, SN §3.14 / RTE §4.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataMap {
    /// `targetID`.
    pub target_id: String,
    /// `readSharedData`, default true.
    pub read_shared_data: bool,
    /// `writeSharedData`, default true.
    pub write_shared_data: bool,
}

/// `adlnav:presentation/navigationInterface/hideLMSUI` values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HideLmsUi {
    /// `previous`
    pub previous: bool,
    /// `continue`
    pub continue_: bool,
    /// `exit`
    pub exit: bool,
    /// `exitAll`
    pub exit_all: bool,
    /// `abandon`
    pub abandon: bool,
    /// `abandonAll`
    pub abandon_all: bool,
    /// `suspendAll`
    pub suspend_all: bool,
}

/// What a leaf activity launches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Launch {
    /// The resource identifier.
    pub resource_id: String,
    /// True for a SCO (`scormType`/`scormtype` "sco"), false for an asset.
    pub is_sco: bool,
    /// The launch URL relative to the package root, with `xml:base` resolved
    /// and the item's `parameters` applied by the CAM rules.
    pub href: String,
}

/// One activity (an `<item>`, or the `<organization>` as the root).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// The item (or organization) `identifier`.
    pub id: String,
    /// `<title>`.
    pub title: String,
    /// `isvisible`, default true.
    pub visible: bool,
    /// For leaves: what to launch; `None` for clusters (and the root).
    pub launch: Option<Launch>,
    /// `adlcp:dataFromLMS` / SCORM 1.2 `adlcp:datafromlms` → `cmi.launch_data`.
    pub data_from_lms: Option<String>,
    /// `adlcp:timeLimitAction` / 1.2 `adlcp:timelimitaction`.
    pub time_limit_action: Option<String>,
    /// `adlcp:completionThreshold`.
    pub completion_threshold: Option<CompletionThreshold>,
    /// SCORM 1.2 `adlcp:masteryscore` (0..=100).
    pub mastery_score: Option<f64>,
    /// SCORM 1.2 `adlcp:maxtimeallowed` (CMITimespan).
    pub max_time_allowed: Option<String>,
    /// SCORM 1.2 `adlcp:prerequisites` (the raw script).
    pub prerequisites: Option<String>,
    /// The sequencing definition with every default applied.
    pub sequencing: SequencingDef,
    /// `adlnav:hideLMSUI`.
    pub hide_lms_ui: HideLmsUi,
    /// `adlcp:data/map`.
    pub data_maps: Vec<DataMap>,
    /// Child activities in document order.
    pub children: Vec<Activity>,
}

impl Default for Activity {
    /// An empty activity with the specified defaults (`isvisible` true).
    fn default() -> Self {
        Activity {
            id: String::new(),
            title: String::new(),
            visible: true,
            launch: None,
            data_from_lms: None,
            time_limit_action: None,
            completion_threshold: None,
            mastery_score: None,
            max_time_allowed: None,
            prerequisites: None,
            sequencing: SequencingDef::default(),
            hide_lms_ui: HideLmsUi::default(),
            data_maps: Vec::new(),
            children: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_activity_is_visible_by_default() {
        assert!(super::Activity::default().visible);
    }
}
