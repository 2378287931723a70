//! Unit tests of the individual processes on hand-built trees.

use super::process::{Direction as D, Trav};
use super::rules::RuleSet;
use super::*;
use crate::engine::seqdef::{
    ConditionCombination, RollupAction, RuleAction, RuleCondition, RuleConditionKind, SequencingRule,
};

fn leaf(id: &str) -> Activity {
    Activity {
        id: id.into(),
        visible: true,
        launch: Some(Launch { resource_id: id.into(), is_sco: true, href: id.into() }),
        ..Activity::default()
    }
}

fn cluster(id: &str, children: Vec<Activity>) -> Activity {
    let mut a = Activity { id: id.into(), visible: true, children, ..Activity::default() };
    a.sequencing.control_mode.flow = true;
    a
}

fn rule(action: RuleAction, kind: RuleConditionKind, not: bool) -> SequencingRule {
    SequencingRule {
        combination: ConditionCombination::All,
        conditions: vec![RuleCondition { condition: kind, not, referenced_objective: None, measure_threshold: 0.0 }],
        action,
    }
}

/// root[ m1[a, b], m2(forwardOnly)[c, d], e ]
fn tree() -> Sequencer {
    let mut m2 = cluster("m2", vec![leaf("c"), leaf("d")]);
    m2.sequencing.control_mode.forward_only = true;
    Sequencer::new(&cluster("root", vec![cluster("m1", vec![leaf("a"), leaf("b")]), m2, leaf("e")]))
}

fn id(s: &Sequencer, t: Result<Trav, SeqError>) -> String {
    match t {
        Ok(Trav::Found(a, d)) => format!("{}{}", s.id_of(a), if d == D::Forward { ">" } else { "<" }),
        Ok(Trav::EndSession) => "END".into(),
        Err(e) => e.id.into(),
    }
}

#[test]
fn arena_is_preorder_with_parents() {
    let s = tree();
    let ids: Vec<&str> = s.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["root", "m1", "a", "b", "m2", "c", "d", "e"]);
    let parents: Vec<Option<usize>> = s.nodes.iter().map(|n| n.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(1), Some(1), Some(0), Some(4), Some(4), Some(0)]);
    // an implicit primary objective everywhere
    assert!(s.nodes.iter().all(|n| n.seq.objectives.len() == 1 && n.seq.objectives[0].primary));
}

#[test]
fn flow_tree_traversal_sb_2_1() {
    let s = tree();
    let f = |a: &str, d: D, cc: bool, prev: Option<D>| id(&s, s.flow_tree_traversal(s.find(a).unwrap(), d, cc, prev));
    let cases = [
        (f("a", D::Forward, false, None), "b>"),
        (f("b", D::Forward, false, None), "m2>"),
        (f("m1", D::Forward, true, None), "a>"),
        (f("e", D::Forward, false, None), "END"),
        (f("root", D::Forward, false, None), "END"),
        (f("b", D::Backward, false, None), "a<"),
        (f("a", D::Backward, false, None), "SB.2.1-3"),
        (f("e", D::Backward, false, None), "m2<"),
        (f("m2", D::Backward, true, None), "c>"),
        (f("d", D::Backward, false, None), "SB.2.1-4"),
        (f("root", D::Backward, true, None), "SB.2.1-3"),
        // reversal: from the last child of a cluster while walking backward, the
        // walk restarts backward at its first child and so leaves the cluster
        (f("d", D::Forward, false, Some(D::Backward)), "m1<"),
    ];
    for (i, (got, want)) in cases.iter().enumerate() {
        assert_eq!(got, want, "case {i}");
    }
}

#[test]
fn flow_activity_traversal_sb_2_2_enters_forward_only_cluster_at_its_start() {
    let mut s = tree();
    assert_eq!(id(&s, s.flow_activity_traversal(s.find("m2").unwrap(), D::Backward, None)), "c>");
    // previous from e lands on c, the first child of the forward-only m2
    s.navigate(NavigationRequest::Choice("e".into())).unwrap();
    assert_eq!(s.navigate(NavigationRequest::Previous), Ok(Outcome::Deliver(s.find("c").unwrap())));
}

#[test]
fn choice_activity_traversal_sb_2_4() {
    let mut t = cluster("root", vec![cluster("m2", vec![leaf("c")]), leaf("e")]);
    t.children[0].sequencing.control_mode.forward_only = true;
    t.children[1].sequencing.pre_condition_rules.push(rule(RuleAction::StopForwardTraversal, RuleConditionKind::Always, false));
    let s = Sequencer::new(&t);
    let c = |a: &str, d: D| s.choice_activity_traversal(s.find(a).unwrap(), d).map_err(|e| e.id);
    assert_eq!(c("e", D::Forward), Err("SB.2.4-1"));
    assert_eq!(c("c", D::Forward), Ok(()));
    assert_eq!(c("c", D::Backward), Err("SB.2.4-2"));
    assert_eq!(c("e", D::Backward), Ok(()));
    assert_eq!(c("root", D::Backward), Err("SB.2.4-3"));
}

#[test]
fn preorder_direction() {
    let s = tree();
    let f = |a: &str, b: &str| s.is_forward_of(s.find(a).unwrap(), s.find(b).unwrap());
    assert!(f("a", "b") && f("a", "e") && f("b", "c") && f("root", "d") && f("m1", "a"));
    assert!(!f("b", "a") && !f("e", "a") && !f("d", "m2") && !f("a", "a"));
    assert_eq!(s.common_ancestor(s.find("a").unwrap(), s.find("d").unwrap()), 0);
    assert_eq!(s.common_ancestor(s.find("c").unwrap(), s.find("d").unwrap()), s.find("m2").unwrap());
}

#[test]
fn sequencing_rules_check_up_2_first_match_and_three_valued_logic() {
    let mut a = leaf("a");
    a.sequencing.pre_condition_rules = vec![
        rule(RuleAction::Skip, RuleConditionKind::Satisfied, false),      // unknown → no
        rule(RuleAction::Disabled, RuleConditionKind::Satisfied, true),   // not unknown → unknown → no
        rule(RuleAction::HiddenFromChoice, RuleConditionKind::Attempted, true), // not attempted → yes
        rule(RuleAction::Disabled, RuleConditionKind::Always, false),
    ];
    let s = Sequencer::new(&cluster("root", vec![a]));
    let x = s.find("a").unwrap();
    let all = [RuleAction::Skip, RuleAction::Disabled, RuleAction::HiddenFromChoice];
    assert_eq!(s.sequencing_rules_check(x, RuleSet::Pre, &all), Some(RuleAction::HiddenFromChoice));
    assert_eq!(s.sequencing_rules_check(x, RuleSet::Pre, &[RuleAction::Disabled]), Some(RuleAction::Disabled));
    assert_eq!(s.sequencing_rules_check(x, RuleSet::Pre, &[RuleAction::Skip]), None);
    assert_eq!(s.sequencing_rules_check(x, RuleSet::Post, &all), None);
    assert!(s.check_activity(x));
}

#[test]
fn limit_conditions_check_up_1() {
    let mut a = leaf("a");
    a.sequencing.limit_conditions.attempt_limit = Some(1);
    let mut s = Sequencer::new(&cluster("root", vec![a, leaf("b")]));
    let x = s.find("a").unwrap();
    assert!(!s.limit_conditions_check(x));
    s.navigate(NavigationRequest::Start).unwrap();
    assert!(!s.limit_conditions_check(x), "an active activity is never limited");
    s.navigate(NavigationRequest::Continue).unwrap();
    assert!(s.limit_conditions_check(x));
    s.state.activities[x].suspended = true;
    assert!(!s.limit_conditions_check(x), "nor a suspended one");
}

#[test]
fn check_child_for_rollup_rb_1_4_2() {
    use crate::engine::seqdef::RollupConsideration as C;
    let mut s = tree();
    let a = s.find("a").unwrap();
    let mut nodes = (*s.nodes).clone();
    nodes[a].seq.rollup_considerations.required_for_satisfied = C::IfNotSuspended;
    nodes[a].seq.rollup_considerations.required_for_completed = C::IfAttempted;
    nodes[a].seq.rollup.rollup_progress_completion = true;
    nodes[a].seq.rollup.rollup_objective_satisfied = true;
    s.nodes = Rc::new(nodes);
    assert!(!s.check_child_for_rollup(a, RollupAction::Satisfied), "not attempted yet");
    assert!(!s.check_child_for_rollup(a, RollupAction::Completed));
    assert!(s.check_child_for_rollup(a, RollupAction::NotSatisfied));
    s.state.activities[a].activity_progress_status = true;
    s.state.activities[a].attempt_count = 1;
    assert!(s.check_child_for_rollup(a, RollupAction::Satisfied));
    assert!(s.check_child_for_rollup(a, RollupAction::Completed));
    s.state.activities[a].suspended = true;
    assert!(!s.check_child_for_rollup(a, RollupAction::Satisfied));
}

#[test]
fn terminate_descendent_attempts_up_3_and_clear_suspended_db_2_1() {
    let mut s = tree();
    s.navigate(NavigationRequest::Start).unwrap();
    let (a, m1) = (s.find("a").unwrap(), s.find("m1").unwrap());
    assert!(s.state.activities[a].active && s.state.activities[m1].active);
    s.terminate_descendent_attempts(s.find("e").unwrap());
    assert!(!s.state.activities[a].active && !s.state.activities[m1].active && s.state.activities[0].active);
    // a suspended path is cleared up to the common ancestor
    s.state.suspended_activity = Some(a);
    s.state.activities[a].suspended = true;
    s.state.activities[m1].suspended = true;
    s.clear_suspended_activity(s.find("c").unwrap());
    assert!(!s.state.activities[a].suspended && !s.state.activities[m1].suspended);
    assert_eq!(s.state.suspended_activity, None);
}

#[test]
fn rng_is_deterministic_and_bounded() {
    let (mut r1, mut r2) = (Rng(9), Rng(9));
    let v1: Vec<u64> = (0..8).map(|_| r1.next_u64()).collect();
    let v2: Vec<u64> = (0..8).map(|_| r2.next_u64()).collect();
    assert_eq!(v1, v2);
    assert!((0..1000).all(|_| r1.below(7) < 7));
    assert_eq!(r1.below(0), 0);
}

#[test]
fn exceptions_have_descriptions() {
    for (id, d) in EXCEPTIONS {
        assert_eq!(SeqError::new(id).description(), *d);
    }
    assert_eq!(SeqError::new("NB.2.1-4").to_string(), "NB.2.1-4: Flow sequencing control mode violation");
}
