//! OP.1 / NB.2.1 / TB.2.3 / SB.2.x / DB.x behaviour on hand-built trees.

mod sequencing_util;

use scorm_shim::engine::sequencing::{NavigationRequest as N, Sequencer};
use scorm_shim::engine::seqdef::{RuleAction as A, RuleConditionKind as K};
use sequencing_util::*;

/// root(flow)[ m1(flow)[a, b], m2(flow)[c, d] ]
fn two_modules() -> scorm_shim::engine::seqdef::Activity {
    cluster("root", vec![cluster("m1", vec![leaf("a"), leaf("b")]), cluster("m2", vec![leaf("c"), leaf("d")])])
}

/// Runs a table of (request, expected id / "END" / "NONE" / exception id).
fn run(s: &mut Sequencer, steps: &[(N, &str)]) {
    for (i, (r, want)) in steps.iter().enumerate() {
        let got = match nav(s, r.clone()) {
            Ok(id) => id,
            Err(e) => e.id.to_string(),
        };
        assert_eq!(got, *want, "step {i}: {r:?}");
    }
}

#[test]
fn flow_continue_and_previous() {
    let mut s = Sequencer::new(&two_modules());
    run(
        &mut s,
        &[
            (N::Continue, "NB.2.1-2"),
            (N::Previous, "NB.2.1-2"),
            (N::Start, "a"),
            (N::Start, "NB.2.1-1"),
            (N::Previous, "SB.2.1-3"),
            (N::Continue, "b"),
            (N::Continue, "c"),
            (N::Previous, "b"),
            (N::Continue, "c"),
            (N::Continue, "d"),
            (N::Continue, "END"),
        ],
    );
    assert_eq!(s.current(), None);
    // attempts: b delivered twice, c twice
    assert_eq!(s.activity(idx(&s, "b")).unwrap().attempt_count, 2);
    assert_eq!(s.activity(idx(&s, "c")).unwrap().attempt_count, 2);
    assert_eq!(s.activity(idx(&s, "m1")).unwrap().attempt_count, 2);
    // every leaf was auto-completed at End Attempt, but m1's second attempt
    // saw only b: with useCurrentAttemptProgressInfo (default true) a's
    // completion from m1's first attempt does not count, so m1 and the root
    // stay unknown
    assert_eq!(s.attempt_completed(idx(&s, "a")), Some(true));
    assert_eq!(s.attempt_completed(idx(&s, "m1")), None);
    assert_eq!(s.attempt_completed(0), None);

    // the same walk with useCurrentAttemptProgressInfo false on m1
    let t = cluster(
        "root",
        vec![
            cluster("m1", vec![leaf("a"), leaf("b")]).seq(|s| s.control_mode.use_current_attempt_progress_info = false),
            cluster("m2", vec![leaf("c"), leaf("d")]),
        ],
    );
    let mut s = Sequencer::new(&t);
    for (r, want) in [(N::Start, "a"), (N::Continue, "b"), (N::Continue, "c"), (N::Previous, "b"), (N::Continue, "c"), (N::Continue, "d"), (N::Continue, "END")] {
        assert_eq!(nav(&mut s, r).unwrap(), want);
    }
    assert_eq!(s.attempt_completed(idx(&s, "m1")), Some(true));
    assert_eq!(s.attempt_completed(0), Some(true));
}

#[test]
fn unsupported_and_undefined_requests() {
    let mut s = Sequencer::new(&two_modules());
    run(
        &mut s,
        &[
            (N::ResumeAll, "NB.2.1-3"),
            (N::Forward, "NB.2.1-7"),
            (N::Exit, "NB.2.1-2"),
            (N::SuspendAll, "NB.2.1-2"),
            (N::Jump("c".into()), "NB.2.1-2"),
            (N::Start, "a"),
            (N::ResumeAll, "NB.2.1-1"),
            (N::Backward, "NB.2.1-7"),
            (choice("nope"), "NB.2.1-11"),
        ],
    );
}

#[test]
fn flow_and_forward_only_control_modes() {
    let t = two_modules().seq(|s| s.control_mode.flow = false);
    let mut s = Sequencer::new(&t);
    // inside m1 flow works; leaving m1 needs the root's flow
    run(&mut s, &[(N::Start, "SB.2.2-1"), (choice("a"), "a"), (N::Continue, "b"), (N::Continue, "SB.2.2-1"), (choice("c"), "c"), (N::Previous, "SB.2.2-1")]);
    let t = cluster("root", vec![leaf("a"), leaf("b")]).seq(|s| s.control_mode.flow = false);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(choice("a"), "a"), (N::Continue, "NB.2.1-4"), (N::Previous, "NB.2.1-5")]);

    let t = cluster("root", vec![cluster("m1", vec![leaf("a"), leaf("b")]).seq(|s| s.control_mode.forward_only = true)]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "b"), (N::Previous, "NB.2.1-5")]);
}

#[test]
fn choice_basic_and_control() {
    let t = two_modules();
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(choice("d"), "d"), (choice("m1"), "a"), (choice("b"), "b"), (N::Jump("c".into()), "c")]);

    let t = cluster("root", vec![cluster("m1", vec![leaf("a"), leaf("b")]), cluster("m2", vec![leaf("c")]).seq(|s| s.control_mode.choice = false)]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (choice("c"), "NB.2.1-10"), (choice("m2"), "c")]);
}

#[test]
fn choice_exit_constrain_and_prevent_activation() {
    // choiceExit false on m1 while it is active
    let t = cluster("root", vec![cluster("m1", vec![leaf("a"), leaf("b")]).seq(|s| s.control_mode.choice_exit = false), cluster("m2", vec![leaf("c")])]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (choice("c"), "NB.2.1-8"), (choice("b"), "b")]);

    // constrainChoice on m1: only the next activity in flow may be chosen
    let t = cluster(
        "root",
        vec![
            cluster("m1", vec![leaf("a"), leaf("b")]).seq(|s| s.constrained_choice.constrain_choice = true),
            cluster("m2", vec![leaf("c")]),
            cluster("m3", vec![leaf("e")]),
        ],
    );
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (choice("e"), "SB.2.9-8"), (choice("c"), "c")]);

    // preventActivation on m2: its children cannot be chosen before m2 is active
    let t = cluster("root", vec![cluster("m1", vec![leaf("a")]), cluster("m2", vec![leaf("c"), leaf("d")]).seq(|s| s.constrained_choice.prevent_activation = true)]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (choice("d"), "SB.2.9-6"), (N::Continue, "c"), (choice("d"), "d")]);
}

#[test]
fn pre_condition_rules() {
    let t = cluster("root", vec![leaf("a"), leaf("b").pre(A::Skip, vec![cond(K::Always)]), leaf("c")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "c"), (N::Previous, "a")]);

    let t = cluster("root", vec![leaf("a"), leaf("b").pre(A::Disabled, vec![cond(K::Always)]), leaf("c")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "SB.2.2-2"), (choice("b"), "DB.1.1-3"), (choice("c"), "c")]);

    let t = cluster("root", vec![leaf("a").pre(A::StopForwardTraversal, vec![cond(K::Always)]), leaf("b")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (choice("b"), "SB.2.4-1")]);

    let t = cluster("root", vec![leaf("a"), leaf("b").pre(A::HiddenFromChoice, vec![cond(K::Always)])]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(choice("b"), "SB.2.9-3"), (N::Start, "a"), (N::Continue, "b")]);
}

#[test]
fn skip_until_satisfied_uses_three_valued_logic() {
    // "skip b if a... " — b skipped only while its own status is satisfied
    let t = cluster("root", vec![leaf("a"), leaf("b").pre(A::Skip, vec![cond(K::Satisfied)]), leaf("c")]);
    let mut s = Sequencer::new(&t);
    // unknown satisfied status: the rule does not fire
    run(&mut s, &[(N::Start, "a"), (N::Continue, "b")]);
    // "not satisfied" is unknown too: still not skipped
    let t = cluster("root", vec![leaf("a"), leaf("b").pre(A::Skip, vec![not(K::Satisfied)]), leaf("c")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "b")]);
}

#[test]
fn post_condition_rules() {
    // continue post-condition turns an exit into a continue
    let t = cluster("root", vec![leaf("a").post(A::Continue, vec![cond(K::Always)]), leaf("b")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Exit, "b")]);

    // retry while not satisfied
    let t = cluster("root", vec![leaf("a").post(A::Retry, vec![not(K::Satisfied)]).seq(|s| s.delivery.objective_set_by_content = true), leaf("b")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a")]);
    s.deliver_result(&result("completed", "failed"));
    run(&mut s, &[(N::Continue, "a")]);
    assert_eq!(s.activity(idx(&s, "a")).unwrap().attempt_count, 2);
    s.deliver_result(&result("completed", "passed"));
    run(&mut s, &[(N::Continue, "b")]);

    // exitParent: the cluster's attempt ends too; exit then stops at m1
    let t = cluster("root", vec![cluster("m1", vec![leaf("a").post(A::ExitParent, vec![cond(K::Always)]), leaf("b")]), leaf("c")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Exit, "NONE")]);
    assert_eq!(cur(&s), "m1");
    assert!(!s.activity(idx(&s, "m1")).unwrap().active);
    run(&mut s, &[(N::Continue, "c")]);

    // exitAll post-condition ends the session
    let t = cluster("root", vec![leaf("a").post(A::ExitAll, vec![cond(K::Completed)]), leaf("b")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "END")]);
    assert!(!s.activity(0).unwrap().active);
}

#[test]
fn exit_action_rules() {
    // m1 exits as soon as it is satisfied; continue then goes to m2
    let t = cluster(
        "root",
        vec![
            cluster("m1", vec![leaf("a"), leaf("b")]).exit_rule(vec![cond(K::Satisfied)]).seq(|s| {
                s.rollup.rules.push(scorm_shim::engine::seqdef::RollupRule {
                    child_activity_set: scorm_shim::engine::seqdef::ChildActivitySet::Any,
                    combination: scorm_shim::engine::seqdef::ConditionCombination::Any,
                    conditions: vec![cond(K::Satisfied)],
                    action: scorm_shim::engine::seqdef::RollupAction::Satisfied,
                })
            }),
            cluster("m2", vec![leaf("c")]),
        ],
    );
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a")]);
    s.deliver_result(&result("completed", "passed"));
    run(&mut s, &[(N::Continue, "c")]);
}

#[test]
fn limit_conditions() {
    let t = cluster("root", vec![leaf("a").seq(|s| s.limit_conditions.attempt_limit = Some(1)), leaf("b")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "b"), (N::Previous, "SB.2.2-2"), (choice("a"), "DB.1.1-3")]);
    // a duration limit
    let t = cluster("root", vec![leaf("a").seq(|s| s.limit_conditions.attempt_absolute_duration_limit = Some(60.0)), leaf("b")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a")]);
    let mut r = result("incomplete", "unknown");
    r.session_time = 90.0;
    s.deliver_result(&r);
    run(&mut s, &[(N::Continue, "b"), (choice("a"), "DB.1.1-3")]);
}

#[test]
fn suspend_all_and_resume_all_across_launches() {
    let t = two_modules();
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "b")]);
    let mut r = result("incomplete", "unknown");
    r.exit = "suspend".into();
    r.session_time = 12.0;
    s.deliver_result(&r);
    run(&mut s, &[(N::SuspendAll, "END")]);
    let b = idx(&s, "b");
    assert_eq!(s.suspended_activity(), Some(b));
    for id in ["root", "m1", "b"] {
        assert!(s.activity(idx(&s, id)).unwrap().suspended, "{id} suspended");
    }
    let json = serde_json::to_string(&s.snapshot()).unwrap();
    let mut s2 = Sequencer::restore(&t, serde_json::from_str(&json).unwrap()).unwrap();
    run(&mut s2, &[(N::ResumeAll, "b")]);
    let l = s2.launch_data(b).unwrap();
    assert_eq!(l.entry, "resume");
    assert_eq!(l.total_time, 12.0);
    assert_eq!(s2.activity(b).unwrap().attempt_count, 1);
    assert_eq!(s2.suspended_activity(), None);
    assert!(!s2.activity(0).unwrap().suspended);
    run(&mut s2, &[(N::Continue, "c")]);
    assert_eq!(s2.launch_data(idx(&s2, "c")).unwrap().entry, "ab-initio");
}

#[test]
fn abandon_exit_all_and_abandon_all() {
    let mut s = Sequencer::new(&two_modules());
    run(&mut s, &[(N::Start, "a"), (N::Abandon, "NONE"), (N::Abandon, "NB.2.1-12"), (N::Exit, "NB.2.1-12")]);
    // abandon does not end the attempt: no automatic completion
    assert_eq!(s.attempt_completed(idx(&s, "a")), None);
    run(&mut s, &[(N::Continue, "b"), (N::AbandonAll, "END"), (N::Start, "a"), (N::ExitAll, "END")]);
    assert_eq!(s.activity(0).unwrap().attempt_count, 2);
}

#[test]
fn choice_into_cluster_with_nothing_to_deliver() {
    let t = cluster("root", vec![leaf("a"), cluster("m", vec![leaf("x").pre(A::Disabled, vec![cond(K::Always)])])]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (choice("m"), "SB.2.9-9")]);
    assert_eq!(cur(&s), "m");
}

#[test]
fn continue_past_the_end_terminates_everything() {
    let t = cluster("root", vec![cluster("m1", vec![leaf("a")])]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Continue, "END")]);
    assert!(s.activity(idx(&s, "m1")).map(|x| !x.active).unwrap());
    assert!(!s.activity(0).unwrap().active);
    run(&mut s, &[(N::Start, "a")]);
}

#[test]
fn single_leaf_root() {
    let mut s = Sequencer::new(&leaf("only"));
    run(&mut s, &[(N::Start, "only"), (N::Continue, "NB.2.1-4"), (N::Previous, "NB.2.1-6"), (N::Exit, "END")]);
}

#[test]
fn retry_all_post_condition_restarts_the_course() {
    // retryAll on the last SCO while the course is not satisfied
    let t = cluster(
        "root",
        vec![
            leaf("a").seq(|s| s.delivery.objective_set_by_content = true),
            leaf("b").post(A::RetryAll, vec![not(K::Satisfied)]).seq(|s| s.delivery.objective_set_by_content = true),
        ],
    )
    .seq(|s| s.rollup.rules.clear());
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a")]);
    s.deliver_result(&result("completed", "failed"));
    run(&mut s, &[(N::Continue, "b")]);
    s.deliver_result(&result("completed", "failed"));
    run(&mut s, &[(N::Continue, "a")]);
    assert_eq!(s.activity(0).unwrap().attempt_count, 2, "a new attempt on the root");
    assert_eq!(s.activity(idx(&s, "a")).unwrap().attempt_count, 2);
}

#[test]
fn suspend_all_from_an_inactive_current_suspends_its_parent() {
    let t = cluster("root", vec![cluster("m1", vec![leaf("a").post(A::ExitParent, vec![cond(K::Always)])]), leaf("b")]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (N::Exit, "NONE")]);
    // current is m1, inactive and not suspended: its parent (the root) is suspended
    assert_eq!(cur(&s), "m1");
    run(&mut s, &[(N::SuspendAll, "END")]);
    assert_eq!(s.suspended_activity(), Some(0));
    // resuming a cluster cannot deliver it
    run(&mut s, &[(N::ResumeAll, "DB.1.1-1"), (N::Start, "a")]);
}

#[test]
fn exit_rule_on_the_root_path_and_choice_of_an_ancestor() {
    // choosing the active cluster restarts its flow without a new attempt on it
    let mut s = Sequencer::new(&two_modules());
    run(&mut s, &[(N::Start, "a"), (N::Continue, "b"), (choice("m1"), "a")]);
    assert_eq!(s.activity(idx(&s, "m1")).unwrap().attempt_count, 1);
    assert_eq!(s.activity(idx(&s, "a")).unwrap().attempt_count, 2);
    // choiceExit false on the current activity itself: it cannot be left by choice while active
    let t = cluster("root", vec![leaf("a").seq(|s| s.control_mode.choice_exit = false), cluster("m", vec![leaf("b")])]);
    let mut s = Sequencer::new(&t);
    run(&mut s, &[(N::Start, "a"), (choice("b"), "NB.2.1-8"), (N::Exit, "NONE"), (choice("b"), "b")]);
}

#[test]
fn every_exception_id_is_documented() {
    // every error the engine produced in these scenarios has a description
    let mut s = Sequencer::new(&two_modules());
    for r in [N::Continue, N::Previous, N::ResumeAll, N::Forward, N::Exit, choice("x"), N::Start, N::Start, N::Previous] {
        if let Err(e) = s.navigate(r) {
            assert_ne!(e.description(), "Sequencing exception", "{}", e.id);
        }
    }
}
