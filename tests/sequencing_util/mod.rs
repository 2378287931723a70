//! Small builder for hand-made activity trees used by the sequencing tests.
#![allow(dead_code)]

use scorm_shim::engine::sequencing::{NavigationRequest, Outcome, ScoResult, SeqError, Sequencer};
use scorm_shim::engine::seqdef::*;

/// A visible SCO leaf.
pub fn leaf(id: &str) -> Activity {
    Activity {
        id: id.into(),
        title: id.into(),
        visible: true,
        launch: Some(Launch { resource_id: format!("r_{id}"), is_sco: true, href: format!("{id}.html") }),
        ..Activity::default()
    }
}

/// A visible cluster with flow enabled (choice stays at its default, true).
pub fn cluster(id: &str, children: Vec<Activity>) -> Activity {
    let mut a = Activity { id: id.into(), title: id.into(), visible: true, children, ..Activity::default() };
    a.sequencing.control_mode.flow = true;
    a
}

/// Builder-style modifiers.
pub trait Build: Sized {
    fn with(self, f: impl FnOnce(&mut Activity)) -> Self;
    fn seq(self, f: impl FnOnce(&mut SequencingDef)) -> Self;
    fn pre(self, action: RuleAction, conds: Vec<RuleCondition>) -> Self;
    fn post(self, action: RuleAction, conds: Vec<RuleCondition>) -> Self;
    fn exit_rule(self, conds: Vec<RuleCondition>) -> Self;
}

impl Build for Activity {
    fn with(mut self, f: impl FnOnce(&mut Activity)) -> Self {
        f(&mut self);
        self
    }
    fn seq(mut self, f: impl FnOnce(&mut SequencingDef)) -> Self {
        f(&mut self.sequencing);
        self
    }
    fn pre(self, action: RuleAction, conditions: Vec<RuleCondition>) -> Self {
        self.seq(|s| s.pre_condition_rules.push(SequencingRule { combination: ConditionCombination::All, conditions, action }))
    }
    fn post(self, action: RuleAction, conditions: Vec<RuleCondition>) -> Self {
        self.seq(|s| s.post_condition_rules.push(SequencingRule { combination: ConditionCombination::All, conditions, action }))
    }
    fn exit_rule(self, conditions: Vec<RuleCondition>) -> Self {
        self.seq(|s| s.exit_rules.push(SequencingRule { combination: ConditionCombination::All, conditions, action: RuleAction::Exit }))
    }
}

/// A rule condition.
pub fn cond(kind: RuleConditionKind) -> RuleCondition {
    RuleCondition { condition: kind, not: false, referenced_objective: None, measure_threshold: 0.0 }
}

/// A negated rule condition.
pub fn not(kind: RuleConditionKind) -> RuleCondition {
    RuleCondition { not: true, ..cond(kind) }
}

/// Navigates and returns the id of the delivered activity, "END" or "NONE".
pub fn nav(s: &mut Sequencer, r: NavigationRequest) -> Result<String, SeqError> {
    Ok(match s.navigate(r)? {
        Outcome::Deliver(a) => s.id_of(a).to_string(),
        Outcome::SessionEnded => "END".into(),
        Outcome::NoDelivery => "NONE".into(),
    })
}

/// Choice by id.
pub fn choice(id: &str) -> NavigationRequest {
    NavigationRequest::Choice(id.into())
}

/// A SCO result with the given statuses.
pub fn result(completion: &str, success: &str) -> ScoResult {
    ScoResult {
        completion_status: Some(completion.into()),
        success_status: Some(success.into()),
        exit: String::new(),
        ..ScoResult::default()
    }
}

/// The current activity id.
pub fn cur(s: &Sequencer) -> String {
    s.current().map(|c| s.id_of(c).to_string()).unwrap_or_default()
}

/// Index of an activity (panics in tests only).
pub fn idx(s: &Sequencer, id: &str) -> usize {
    s.find(id).expect("activity exists")
}
