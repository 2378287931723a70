//! Rule evaluation (UP.1, UP.2, UP.2.1, UP.5) and the rollup processes
//! (RB.1.1 – RB.1.5).

use super::Sequencer;
use crate::engine::seqdef::{
    ChildActivitySet, ConditionCombination, RollupAction, RollupConsideration, RollupRule, RuleAction, RuleCondition,
    RuleConditionKind, SequencingRule,
};

/// Which rule list of an activity UP.2 looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleSet {
    Pre,
    Exit,
    Post,
}

/// Three-valued combination (`unknown` is `None`).
fn combine(values: impl Iterator<Item = Option<bool>>, how: ConditionCombination) -> Option<bool> {
    let mut unknown = false;
    match how {
        ConditionCombination::All => {
            for v in values {
                match v {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        ConditionCombination::Any => {
            for v in values {
                match v {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(false)
            }
        }
    }
}

impl Sequencer {
    /// Evaluates one rule condition for activity `a` (three-valued).
    fn evaluate_condition(&self, a: usize, c: &RuleCondition) -> Option<bool> {
        let o = match &c.referenced_objective {
            None => Some(0),
            Some(id) => self.nodes[a].seq.objectives.iter().position(|d| d.id.as_deref() == Some(id.as_str())),
        };
        // Sequencing rules see the recorded tracking data, also what an
        // earlier attempt on the parent left: a satisfied child of a cluster
        // re-entered by flow (ADL CTS SX-07e) or retried (SX-07c) is still
        // skipped. useCurrentAttempt*Info applies to rollup only.
        self.evaluate_condition_on(a, c, o, false)
    }

    /// A condition on objective `o` of activity `a` (`None`: no such objective).
    /// `current_only`: honour `useCurrentAttempt{Objective,Progress}Info` of
    /// the parent (see [`Sequencer::stale`]).
    fn evaluate_condition_on(&self, a: usize, c: &RuleCondition, o: Option<usize>, current_only: bool) -> Option<bool> {
        let st = &self.state.activities[a];
        let objective_based = matches!(
            c.condition,
            RuleConditionKind::Satisfied
                | RuleConditionKind::ObjectiveStatusKnown
                | RuleConditionKind::ObjectiveMeasureKnown
                | RuleConditionKind::ObjectiveMeasureGreaterThan
                | RuleConditionKind::ObjectiveMeasureLessThan
        );
        // an activity that is not tracked has no tracking information of its
        // own, not even one read from a global objective (ADL CTS CO-05b,
        // OB-06): conditions on it are unknown
        let tracked = self.nodes[a].seq.delivery.tracked;
        let obj = if objective_based && tracked { o.map(|o| self.objective_seen(a, o, current_only)) } else { None };
        // `completed` / `activityProgressKnown`: the attempt's completion
        // (read through the primary objective's maps), or, for a rule that
        // names another objective, that objective's completion status as
        // its maps read it (4th Ed: every objective has a completion
        // status, `adlseq:mapInfo readCompletionStatus` fills it from the
        // global objective, and UP.2.1 evaluates each condition on the
        // objective the rule references)
        let progress = match o.filter(|&o| o != 0) {
            _ if !tracked => None,
            Some(o) => self.objective_seen(a, o, current_only).completion_status,
            None => self.completion_seen(a, current_only),
        };
        let v = match c.condition {
            RuleConditionKind::Satisfied => obj.and_then(|x| x.satisfied()),
            RuleConditionKind::ObjectiveStatusKnown => obj.map(|x| x.progress_status),
            RuleConditionKind::ObjectiveMeasureKnown => obj.map(|x| x.measure_status),
            RuleConditionKind::ObjectiveMeasureGreaterThan => {
                obj.and_then(|x| x.measure()).map(|m| m > c.measure_threshold)
            }
            RuleConditionKind::ObjectiveMeasureLessThan => obj.and_then(|x| x.measure()).map(|m| m < c.measure_threshold),
            RuleConditionKind::Completed => progress,
            // Attempt progress known, also when read from a global objective
            // before the activity was ever attempted (ADL CTS CO-06).
            RuleConditionKind::ActivityProgressKnown => Some(progress.is_some()),
            RuleConditionKind::Attempted => Some(st.activity_progress_status && st.attempt_count > 0),
            RuleConditionKind::AttemptLimitExceeded => Some(self.attempt_limit_exceeded(a)),
            // Not required by SCORM: evaluated as unknown.
            RuleConditionKind::TimeLimitExceeded | RuleConditionKind::OutsideAvailableTimeRange => None,
            RuleConditionKind::Always => Some(true),
        };
        if c.not {
            v.map(|b| !b)
        } else {
            v
        }
    }

    fn attempt_limit_exceeded(&self, a: usize) -> bool {
        let st = &self.state.activities[a];
        match self.nodes[a].seq.limit_conditions.attempt_limit {
            Some(l) if l > 0 => st.activity_progress_status && st.attempt_count >= l,
            _ => false,
        }
    }

    /// UP.2.1 Sequencing Rule Check Subprocess.
    pub(crate) fn sequencing_rule_check(&self, a: usize, rule: &SequencingRule) -> bool {
        if rule.conditions.is_empty() {
            return false;
        }
        combine(rule.conditions.iter().map(|c| self.evaluate_condition(a, c)), rule.combination) == Some(true)
    }

    /// UP.2 Sequencing Rules Check Process: the action of the first rule of
    /// `set` whose action is one of `actions` and whose conditions hold.
    pub(crate) fn sequencing_rules_check(&self, a: usize, set: RuleSet, actions: &[RuleAction]) -> Option<RuleAction> {
        let seq = &self.nodes[a].seq;
        let rules = match set {
            RuleSet::Pre => &seq.pre_condition_rules,
            RuleSet::Exit => &seq.exit_rules,
            RuleSet::Post => &seq.post_condition_rules,
        };
        rules.iter().filter(|r| actions.contains(&r.action)).find(|r| self.sequencing_rule_check(a, r)).map(|r| r.action)
    }

    /// UP.1 Limit Conditions Check Process: true when a limit is violated.
    pub(crate) fn limit_conditions_check(&self, a: usize) -> bool {
        let st = &self.state.activities[a];
        if !self.nodes[a].seq.delivery.tracked || st.active || st.suspended {
            return false;
        }
        if self.attempt_limit_exceeded(a) {
            return true;
        }
        if let Some(limit) = self.nodes[a].seq.limit_conditions.attempt_absolute_duration_limit {
            if st.activity_progress_status && st.attempt_absolute_duration >= limit {
                return true;
            }
        }
        false
    }

    /// UP.5 Check Activity Process: true when the activity is disabled or
    /// violates its limit conditions.
    pub(crate) fn check_activity(&self, a: usize) -> bool {
        self.sequencing_rules_check(a, RuleSet::Pre, &[RuleAction::Disabled]).is_some() || self.limit_conditions_check(a)
    }

    // ----- rollup ---------------------------------------------------------

    /// RB.1.5 Overall Rollup Process: rolls up from `a` to the root.
    pub(crate) fn overall_rollup(&mut self, a: usize) {
        let before = self.state.globals.clone();
        self.rollup_path(a);
        self.rollup_readers(a, &before);
    }

    /// After the global objectives changed from `before` while processing
    /// activity `a`: the clusters above activities that read a changed
    /// global objective are rolled up too (once, not recursively), so that
    /// their status reflects it before anything evaluates them (ADL CTS
    /// OB-04, CO-11: a cluster "satisfied/completed if all children …"
    /// whose children read what another activity wrote).
    pub(crate) fn rollup_readers(&mut self, a: usize, before: &std::collections::BTreeMap<String, super::ObjectiveState>) {
        if self.state.globals == *before {
            return;
        }
        let changed: Vec<String> = self
            .state
            .globals
            .iter()
            .filter(|(id, g)| before.get(*id) != Some(*g))
            .map(|(id, _)| id.clone())
            .collect();
        let on_path = self.path_from_root(a);
        let mut starts = Vec::new();
        for x in 0..self.nodes.len() {
            let reads = self.nodes[x].seq.objectives.iter().any(|d| {
                d.maps.iter().any(|m| {
                    changed.contains(&m.target_objective_id)
                        && (m.read_satisfied_status
                            || m.read_normalized_measure
                            || m.read_completion_status
                            || m.read_progress_measure)
                })
            });
            if let Some(p) = self.parent(x).filter(|p| reads && !on_path.contains(p) && !starts.contains(p)) {
                starts.push(p);
            }
        }
        for p in starts {
            self.rollup_path(p);
        }
    }

    /// RB.1.5 along the path from `a` to the root.
    fn rollup_path(&mut self, a: usize) {
        let path = {
            let mut p = self.path_from_root(a);
            p.reverse();
            p
        };
        for x in path {
            if !self.is_leaf(x) {
                self.measure_rollup(x);
                self.completion_measure_rollup(x);
            }
            self.objective_rollup(x);
            self.activity_progress_rollup(x);
            self.write_all_maps(x);
        }
    }

    fn tracked_children(&self, a: usize) -> impl Iterator<Item = usize> + '_ {
        self.avail(a).iter().copied().filter(|&c| self.nodes[c].seq.delivery.tracked)
    }

    /// RB.1.1 Measure Rollup Process.
    pub(crate) fn measure_rollup(&mut self, a: usize) {
        let mut total = 0.0;
        let mut valid = false;
        let mut counted = 0.0;
        for c in self.tracked_children(a) {
            let w = self.nodes[c].seq.rollup.objective_measure_weight;
            counted += w;
            if let Some(m) = self.primary_measure(c, true) {
                valid = true;
                total += m * w;
            }
        }
        let o = &mut self.state.activities[a].objectives[0];
        if !valid || counted <= 0.0 {
            o.measure_status = false;
        } else {
            o.measure_status = true;
            o.normalized_measure = (total / counted).clamp(-1.0, 1.0);
        }
    }

    /// RB.1.1b Completion Measure Rollup Process (4th Ed).
    pub(crate) fn completion_measure_rollup(&mut self, a: usize) {
        let mut total = 0.0;
        let mut valid = false;
        let mut counted = 0.0;
        for c in self.tracked_children(a) {
            let w = self.nodes[c].completion_threshold.as_ref().map_or(1.0, |t| t.progress_weight);
            counted += w;
            if let Some(m) = self.completion_amount(c, true) {
                valid = true;
                total += m * w;
            }
        }
        let st = &mut self.state.activities[a];
        if !valid || counted <= 0.0 {
            st.attempt_completion_amount_status = false;
        } else {
            st.attempt_completion_amount_status = true;
            st.attempt_completion_amount = (total / counted).clamp(0.0, 1.0);
        }
    }

    /// RB.1.2 Objective Rollup Process: by measure (RB.1.2a), by rules
    /// (RB.1.2b) or by the default rules (RB.1.2c).
    pub(crate) fn objective_rollup(&mut self, a: usize) {
        if self.nodes[a].seq.objectives[0].satisfied_by_measure {
            self.objective_rollup_using_measure(a);
        } else if !self.is_leaf(a) {
            self.objective_rollup_using_rules(a);
        }
    }

    /// RB.1.2a Objective Rollup Using Measure Process.
    pub(crate) fn objective_rollup_using_measure(&mut self, a: usize) {
        let min = self.nodes[a].seq.objectives[0].min_normalized_measure;
        let if_active = self.nodes[a].seq.rollup_considerations.measure_satisfaction_if_active;
        let active = self.state.activities[a].active;
        let measure = self.primary_measure(a, false);
        let o = &mut self.state.activities[a].objectives[0];
        match measure {
            None => o.progress_status = false,
            Some(m) => {
                if !active || if_active {
                    o.progress_status = true;
                    o.satisfied_status = m >= min;
                } else {
                    o.progress_status = false;
                }
            }
        }
    }

    /// RB.1.2b Objective Rollup Using Rules Process (RB.1.2c: the default
    /// rules when the activity defines no satisfied / notSatisfied rule).
    pub(crate) fn objective_rollup_using_rules(&mut self, a: usize) {
        let not_sat = self.rollup_rule_check(a, RollupAction::NotSatisfied);
        let sat = self.rollup_rule_check(a, RollupAction::Satisfied);
        let o = &mut self.state.activities[a].objectives[0];
        if not_sat {
            o.progress_status = true;
            o.satisfied_status = false;
        }
        if sat {
            o.progress_status = true;
            o.satisfied_status = true;
        }
    }

    /// RB.1.3 Activity Progress Rollup Process (by measure when the
    /// completion threshold is `completedByMeasure`, else by rules).
    pub(crate) fn activity_progress_rollup(&mut self, a: usize) {
        if let Some(t) = self.nodes[a].completion_threshold.clone().filter(|t| t.completed_by_measure) {
            // Activity Progress Rollup Using Measure (4th Ed).
            let amount = self.completion_amount(a, false);
            let st = &mut self.state.activities[a];
            match amount {
                None => st.attempt_progress_status = false,
                Some(m) => {
                    st.attempt_progress_status = true;
                    st.attempt_completion_status = m >= t.min_progress_measure;
                }
            }
            return;
        }
        if self.is_leaf(a) {
            return;
        }
        let incomplete = self.rollup_rule_check(a, RollupAction::Incomplete);
        let completed = self.rollup_rule_check(a, RollupAction::Completed);
        let st = &mut self.state.activities[a];
        if incomplete {
            st.attempt_progress_status = true;
            st.attempt_completion_status = false;
        }
        if completed {
            st.attempt_progress_status = true;
            st.attempt_completion_status = true;
        }
    }

    /// The default rollup rule for `action` (RB.1.2c / RB.1.3 defaults:
    /// satisfied ← all satisfied, notSatisfied ← all status known,
    /// completed ← all completed, incomplete ← all progress known).
    fn default_rule(action: RollupAction) -> RollupRule {
        let kind = match action {
            RollupAction::Satisfied => RuleConditionKind::Satisfied,
            RollupAction::NotSatisfied => RuleConditionKind::ObjectiveStatusKnown,
            RollupAction::Completed => RuleConditionKind::Completed,
            RollupAction::Incomplete => RuleConditionKind::ActivityProgressKnown,
        };
        RollupRule {
            child_activity_set: ChildActivitySet::All,
            combination: ConditionCombination::Any,
            conditions: vec![RuleCondition { condition: kind, not: false, referenced_objective: None, measure_threshold: 0.0 }],
            action,
        }
    }

    /// RB.1.4 Rollup Rule Check Subprocess: the activity's rules for
    /// `action`, or the default rule when it has no rule of that pair of
    /// actions (satisfied/notSatisfied, completed/incomplete).
    pub(crate) fn rollup_rule_check(&self, a: usize, action: RollupAction) -> bool {
        let rules = &self.nodes[a].seq.rollup.rules;
        let pair: [RollupAction; 2] = match action {
            RollupAction::Satisfied | RollupAction::NotSatisfied => [RollupAction::Satisfied, RollupAction::NotSatisfied],
            _ => [RollupAction::Completed, RollupAction::Incomplete],
        };
        if rules.iter().any(|r| pair.contains(&r.action)) {
            rules.iter().filter(|r| r.action == action).any(|r| self.rollup_rule_holds(a, r))
        } else {
            self.rollup_rule_holds(a, &Self::default_rule(action))
        }
    }

    /// One rollup rule: the child activity set over the contributing
    /// children (RB.1.4.1, RB.1.4.2), evaluated with early exit.
    fn rollup_rule_holds(&self, a: usize, rule: &RollupRule) -> bool {
        let (mut size, mut trues) = (0usize, 0usize);
        for &c in self.avail(a) {
            if !self.nodes[c].seq.delivery.tracked || !self.check_child_for_rollup(c, rule.action) {
                continue;
            }
            let v = if rule.conditions.is_empty() {
                None
            } else {
                combine(rule.conditions.iter().map(|k| self.evaluate_rollup_condition(c, k)), rule.combination)
            };
            size += 1;
            if v == Some(true) {
                trues += 1;
            }
            match rule.child_activity_set {
                ChildActivitySet::All if v != Some(true) => return false,
                ChildActivitySet::Any if v == Some(true) => return true,
                ChildActivitySet::None if v != Some(false) => return false,
                ChildActivitySet::AtLeastCount(n) if trues >= n as usize => return true,
                _ => {}
            }
        }
        if size == 0 {
            // RB.1.4 2.3: an empty contributing-children bag "does not
            // contain" a False or Unknown (all) / a True or Unknown (none);
            // the other sets need a True (ADL CTS RU-15b/c)
            return matches!(rule.child_activity_set, ChildActivitySet::All | ChildActivitySet::None);
        }
        match rule.child_activity_set {
            ChildActivitySet::All | ChildActivitySet::None => true,
            ChildActivitySet::Any => false,
            ChildActivitySet::AtLeastCount(n) => trues >= n as usize,
            ChildActivitySet::AtLeastPercent(p) => (trues as f64) / (size as f64) >= p,
        }
    }

    /// A rollup condition evaluated on a child (no referenced objective).
    fn evaluate_rollup_condition(&self, c: usize, k: &RuleCondition) -> Option<bool> {
        self.evaluate_condition_on(c, k, Some(0), true)
    }

    /// RB.1.4.2 Check Child for Rollup Subprocess.
    pub(crate) fn check_child_for_rollup(&self, c: usize, action: RollupAction) -> bool {
        let seq = &self.nodes[c].seq;
        let rc = &seq.rollup_considerations;
        let (contributes, consideration) = match action {
            RollupAction::Satisfied => (seq.rollup.rollup_objective_satisfied, rc.required_for_satisfied),
            RollupAction::NotSatisfied => (seq.rollup.rollup_objective_satisfied, rc.required_for_not_satisfied),
            RollupAction::Completed => (seq.rollup.rollup_progress_completion, rc.required_for_completed),
            RollupAction::Incomplete => (seq.rollup.rollup_progress_completion, rc.required_for_incomplete),
        };
        if !contributes {
            return false;
        }
        let st = &self.state.activities[c];
        match consideration {
            RollupConsideration::Always => true,
            RollupConsideration::IfAttempted => st.activity_progress_status && st.attempt_count > 0,
            RollupConsideration::IfNotSkipped => {
                self.sequencing_rules_check(c, RuleSet::Pre, &[RuleAction::Skip]).is_none()
            }
            RollupConsideration::IfNotSuspended => {
                !(!st.activity_progress_status || (st.attempt_count > 0 && st.suspended))
            }
        }
    }
}
