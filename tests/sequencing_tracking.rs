//! Rollup, objective maps, run-time data mapping, selection/randomization,
//! look-ahead and state serialization.

mod sequencing_util;

use scorm_shim::engine::sequencing::{NavigationRequest as N, ObjectiveState, ScoObjective, ScoResult, Sequencer};
use scorm_shim::engine::seqdef::{
    Activity, ChildActivitySet as Set, CompletionThreshold, ConditionCombination, ObjectiveDef, ObjectiveMap,
    RandomizationTiming, RollupAction as R, RollupConsideration, RollupRule, RuleAction as A, RuleConditionKind as K,
};
use sequencing_util::*;

/// (leaf id, completion_status, success_status) reported by a SCO.
type Report = (&'static str, &'static str, &'static str);
type Status = (Option<bool>, Option<bool>);

fn rollup_rule(set: Set, kind: K, action: R) -> RollupRule {
    RollupRule { child_activity_set: set, combination: ConditionCombination::Any, conditions: vec![cond(kind)], action }
}

fn objective(id: &str, primary: bool, maps: Vec<ObjectiveMap>) -> ObjectiveDef {
    ObjectiveDef { maps, ..ObjectiveDef::new(Some(id.into()), primary) }
}

/// Delivers each leaf by choice and reports (completion, success) per leaf.
fn play(s: &mut Sequencer, results: &[(&str, &str, &str)]) {
    for (id, c, p) in results {
        assert_eq!(nav(s, choice(id)).unwrap(), *id);
        s.deliver_result(&result(c, p));
    }
    // terminate the last one
    s.navigate(N::Exit).unwrap();
}

fn set_by_content(a: Activity) -> Activity {
    a.seq(|s| {
        s.delivery.completion_set_by_content = true;
        s.delivery.objective_set_by_content = true;
    })
}

fn status(s: &Sequencer, id: &str) -> (Option<bool>, Option<bool>) {
    let a = idx(s, id);
    (s.attempt_completed(a), s.objective_view(a, 0).satisfied())
}

#[test]
fn default_rollup_rules() {
    // (results of a, b) → (root completion, root satisfied)
    let cases: &[(&[Report], Status)] = &[
        (&[("a", "completed", "passed"), ("b", "completed", "passed")], (Some(true), Some(true))),
        (&[("a", "completed", "passed"), ("b", "completed", "failed")], (Some(true), Some(false))),
        (&[("a", "incomplete", "passed"), ("b", "completed", "unknown")], (Some(false), None)),
        (&[("a", "completed", "passed")], (None, None)),
    ];
    for (results, want) in cases {
        let t = cluster("root", vec![set_by_content(leaf("a")), set_by_content(leaf("b"))]);
        let mut s = Sequencer::new(&t);
        play(&mut s, results);
        assert_eq!(status(&s, "root"), *want, "{results:?}");
    }
}

#[test]
fn rollup_by_rules() {
    let mk = |rules: Vec<RollupRule>| {
        cluster("root", vec![set_by_content(leaf("a")), set_by_content(leaf("b")), set_by_content(leaf("c"))]).seq(|s| s.rollup.rules = rules)
    };
    let cases: Vec<(Vec<RollupRule>, Vec<Report>, Option<bool>)> = vec![
        (vec![rollup_rule(Set::Any, K::Satisfied, R::Satisfied)], vec![("a", "completed", "passed")], Some(true)),
        (vec![rollup_rule(Set::AtLeastCount(2), K::Satisfied, R::Satisfied)], vec![("a", "completed", "passed")], None),
        (
            vec![rollup_rule(Set::AtLeastCount(2), K::Satisfied, R::Satisfied)],
            vec![("a", "completed", "passed"), ("c", "completed", "passed")],
            Some(true),
        ),
        (
            vec![rollup_rule(Set::AtLeastPercent(0.5), K::Satisfied, R::Satisfied), rollup_rule(Set::Any, K::Satisfied, R::NotSatisfied)],
            vec![("a", "completed", "passed")],
            Some(false),
        ),
        (
            vec![rollup_rule(Set::None, K::Satisfied, R::NotSatisfied)],
            vec![("a", "completed", "failed"), ("b", "completed", "failed"), ("c", "completed", "failed")],
            Some(false),
        ),
    ];
    for (rules, results, want) in cases {
        let mut s = Sequencer::new(&mk(rules.clone()));
        play(&mut s, &results);
        assert_eq!(s.objective_view(0, 0).satisfied(), want, "{rules:?} {results:?}");
    }
}

#[test]
fn rollup_by_measure() {
    let t = cluster(
        "root",
        vec![leaf("a"), leaf("b").seq(|s| s.rollup.objective_measure_weight = 3.0), leaf("c").seq(|s| s.rollup.objective_measure_weight = 0.0)],
    )
    .seq(|s| {
        s.objectives = vec![ObjectiveDef { satisfied_by_measure: true, min_normalized_measure: 0.5, ..ObjectiveDef::new(None, true) }];
    });
    let mut s = Sequencer::new(&t);
    for (id, scaled) in [("a", 0.8), ("b", 0.4), ("c", -1.0)] {
        nav(&mut s, choice(id)).unwrap();
        s.deliver_result(&ScoResult { score_scaled: Some(scaled), ..result("completed", "unknown") });
    }
    s.navigate(N::Exit).unwrap();
    let root = s.objective_view(0, 0);
    assert!(root.measure_status);
    assert!((root.normalized_measure - 0.5).abs() < 1e-9, "{}", root.normalized_measure);
    assert_eq!(root.satisfied(), Some(true));
}

#[test]
fn completion_measure_rollup_and_completed_by_measure() {
    let th = |w: f64| CompletionThreshold { completed_by_measure: false, min_progress_measure: 1.0, progress_weight: w };
    let t = cluster(
        "root",
        vec![leaf("a").with(|a| a.completion_threshold = Some(th(1.0))), leaf("b").with(|a| a.completion_threshold = Some(th(3.0)))],
    )
    .with(|a| a.completion_threshold = Some(CompletionThreshold { completed_by_measure: true, min_progress_measure: 0.6, progress_weight: 1.0 }));
    let mut s = Sequencer::new(&t);
    for (id, pm) in [("a", 1.0), ("b", 0.4)] {
        nav(&mut s, choice(id)).unwrap();
        s.deliver_result(&ScoResult { progress_measure: Some(pm), ..result("incomplete", "unknown") });
    }
    // rollup happens when the attempt ends (UP.4)
    s.navigate(N::Exit).unwrap();
    let st = s.activity(0).unwrap();
    assert!(st.attempt_completion_amount_status);
    assert!((st.attempt_completion_amount - 0.55).abs() < 1e-9);
    assert_eq!(s.attempt_completed(0), Some(false)); // 0.55 < 0.6

    // a leaf completed by measure: the threshold decides, not the SCO's status
    let t = cluster("root", vec![leaf("a").with(|a| {
        a.completion_threshold = Some(CompletionThreshold { completed_by_measure: true, min_progress_measure: 0.5, progress_weight: 1.0 })
    })]);
    let mut s = Sequencer::new(&t);
    nav(&mut s, N::Start).unwrap();
    s.deliver_result(&ScoResult { progress_measure: Some(0.7), ..result("incomplete", "unknown") });
    assert_eq!(s.attempt_completed(idx(&s, "a")), Some(true));
}

#[test]
fn rollup_considerations() {
    // b only counts for satisfaction once attempted
    let t = cluster(
        "root",
        vec![
            set_by_content(leaf("a")),
            set_by_content(leaf("b")).seq(|s| s.rollup_considerations.required_for_satisfied = RollupConsideration::IfAttempted),
        ],
    );
    let mut s = Sequencer::new(&t);
    play(&mut s, &[("a", "completed", "passed")]);
    assert_eq!(s.objective_view(0, 0).satisfied(), Some(true));

    // rollupObjectiveSatisfied false: b never contributes
    let t = cluster("root", vec![set_by_content(leaf("a")), set_by_content(leaf("b")).seq(|s| s.rollup.rollup_objective_satisfied = false)]);
    let mut s = Sequencer::new(&t);
    play(&mut s, &[("a", "completed", "passed"), ("b", "completed", "failed")]);
    assert_eq!(s.objective_view(0, 0).satisfied(), Some(true));

    // tracked false: not counted
    let t = cluster("root", vec![set_by_content(leaf("a")), leaf("b").seq(|s| s.delivery.tracked = false)]);
    let mut s = Sequencer::new(&t);
    play(&mut s, &[("a", "completed", "passed"), ("b", "completed", "failed")]);
    assert_eq!(status(&s, "root"), (Some(true), Some(true)));
    assert_eq!(s.activity(idx(&s, "b")).unwrap().attempt_count, 0);
}

#[test]
fn global_objective_maps_drive_sequencing_rules() {
    let mut w = ObjectiveMap::new("G");
    w.write_satisfied_status = true;
    w.write_normalized_measure = true;
    let r = ObjectiveMap::new("G");
    let t = cluster(
        "root",
        vec![
            set_by_content(leaf("a")).seq(|s| s.objectives = vec![objective("pa", true, vec![w])]),
            leaf("b").seq(|s| s.objectives = vec![objective("pb", true, vec![r])]).pre(A::Skip, vec![cond(K::Satisfied)]),
            leaf("c"),
        ],
    );
    let mut s = Sequencer::new(&t);
    nav(&mut s, N::Start).unwrap();
    s.deliver_result(&ScoResult { score_scaled: Some(0.9), ..result("completed", "passed") });
    let g = s.globals().get("G").cloned().unwrap();
    assert_eq!((g.satisfied(), g.measure()), (Some(true), Some(0.9)));
    assert_eq!(nav(&mut s, N::Continue).unwrap(), "c");
    // b's launch data reads the global objective
    let l = s.launch_data(idx(&s, "b")).unwrap();
    assert_eq!(l.objectives[0].success_status, "passed");
    assert_eq!(l.objectives[0].score_scaled, Some(0.9));
}

#[test]
fn fourth_edition_maps_and_secondary_objectives() {
    let mut w = ObjectiveMap::new("G2");
    w.read_satisfied_status = false;
    w.write_satisfied_status = true;
    w.write_raw_score = true;
    w.write_min_score = true;
    w.write_max_score = true;
    w.write_completion_status = true;
    w.write_progress_measure = true;
    let t = cluster(
        "root",
        vec![
            leaf("a").seq(|s| s.objectives = vec![ObjectiveDef::new(None, true), objective("o1", false, vec![w])]),
            leaf("b").seq(|s| s.objectives = vec![objective("o2", false, vec![ObjectiveMap::new("G2")])]),
        ],
    );
    let mut s = Sequencer::new(&t);
    nav(&mut s, N::Start).unwrap();
    let mut r = result("completed", "passed");
    r.objectives.push(ScoObjective {
        id: "o1".into(),
        success_status: Some("failed".into()),
        completion_status: Some("completed".into()),
        score_scaled: Some(0.25),
        score_raw: Some(5.0),
        score_min: Some(0.0),
        score_max: Some(20.0),
        progress_measure: Some(1.0),
    });
    r.objectives.push(ScoObjective { id: "unknown-id".into(), ..ScoObjective::default() });
    s.deliver_result(&r);
    let g = s.globals().get("G2").cloned().unwrap();
    assert_eq!(
        g,
        ObjectiveState {
            progress_status: true,
            satisfied_status: false,
            measure_status: false,
            normalized_measure: 0.0,
            raw: Some(5.0),
            min: Some(0.0),
            max: Some(20.0),
            completion_status: Some(true),
            progress_measure: Some(1.0),
        }
    );
    nav(&mut s, N::Continue).unwrap();
    let l = s.launch_data(idx(&s, "b")).unwrap();
    let o2 = l.objectives.iter().find(|o| o.id == "o2").unwrap();
    assert_eq!((o2.success_status.as_str(), o2.completion_status.as_str()), ("failed", "completed"));
    assert_eq!((o2.score_raw, o2.score_min, o2.score_max, o2.progress_measure), (Some(5.0), Some(0.0), Some(20.0), Some(1.0)));
}

#[test]
fn set_by_content_and_unknown_defaults() {
    // (completionSetByContent/objectiveSetByContent, reported statuses; None
    // = the SCO never set it) → leaf status after exit. UP.4 assumes
    // completed/satisfied only when the content said nothing: an explicit
    // "unknown" is information and stays (ADL CTS CM-06, CM-15, RU-19a).
    let cases = [
        (false, None, None, (Some(true), Some(true))),
        (false, Some("unknown"), Some("unknown"), (None, None)),
        (false, Some("unknown"), None, (None, Some(true))),
        (false, None, Some("unknown"), (Some(true), None)),
        (true, None, None, (None, None)),
        (true, Some("unknown"), Some("unknown"), (None, None)),
        (false, Some("incomplete"), Some("failed"), (Some(false), Some(false))),
        (true, Some("not attempted"), Some("passed"), (Some(false), Some(true))),
    ];
    for (by_content, c, p, want) in cases {
        let mut a = leaf("a");
        a.sequencing.delivery.completion_set_by_content = by_content;
        a.sequencing.delivery.objective_set_by_content = by_content;
        let mut s = Sequencer::new(&cluster("root", vec![a]));
        nav(&mut s, N::Start).unwrap();
        let r = ScoResult { completion_status: c.map(Into::into), success_status: p.map(Into::into), ..ScoResult::default() };
        s.deliver_result(&r);
        s.navigate(N::Exit).unwrap();
        assert_eq!(status(&s, "a"), want, "{by_content} {c:?} {p:?}");
    }
}

#[test]
fn reported_unknown_is_forgotten_by_the_next_attempt() {
    // the "reported" mark belongs to one attempt: a new attempt of the same
    // activity in which the SCO says nothing is completed by UP.4 again
    let mut s = Sequencer::new(&cluster("root", vec![leaf("a")]));
    nav(&mut s, N::Start).unwrap();
    s.deliver_result(&result("unknown", "unknown"));
    s.navigate(N::ExitAll).unwrap();
    assert_eq!(status(&s, "a"), (None, None));
    nav(&mut s, N::Start).unwrap();
    s.deliver_result(&ScoResult::default());
    s.navigate(N::ExitAll).unwrap();
    assert_eq!(status(&s, "a"), (Some(true), Some(true)));
}

#[test]
fn runtime_mapping_details() {
    let t = cluster(
        "root",
        vec![leaf("a")
            .with(|a| {
                a.data_from_lms = Some("hello".into());
                a.time_limit_action = Some("exit,message".into());
                a.completion_threshold = Some(CompletionThreshold { completed_by_measure: true, min_progress_measure: 0.8, progress_weight: 1.0 });
            })
            .seq(|s| {
                s.objectives = vec![ObjectiveDef { satisfied_by_measure: true, min_normalized_measure: 0.7, ..ObjectiveDef::new(Some("p".into()), true) }];
                s.limit_conditions.attempt_absolute_duration_limit = Some(600.0);
            })],
    );
    let mut s = Sequencer::new(&t);
    let a = match s.navigate(N::Start).unwrap() {
        scorm_shim::engine::sequencing::Outcome::Deliver(a) => a,
        o => panic!("{o:?}"),
    };
    let l = s.launch_data(a).unwrap();
    assert_eq!((l.entry.as_str(), l.launch_data.as_str(), l.href.as_str()), ("ab-initio", "hello", "a.html"));
    assert_eq!((l.completion_threshold, l.scaled_passing_score, l.max_time_allowed), (Some(0.8), Some(0.7), Some(600.0)));
    assert_eq!(l.objectives.len(), 1);
    assert_eq!(l.objectives[0].success_status, "unknown");
    // scaled score decides success (satisfiedByMeasure), progress decides completion
    let r = ScoResult {
        score_scaled: Some(0.75),
        progress_measure: Some(0.5),
        nav_request: Some("{target=a}choice".into()),
        session_time: 30.0,
        ..result("completed", "failed")
    };
    assert_eq!(s.deliver_result(&r), Some(choice("a")));
    assert_eq!(status(&s, "a"), (Some(false), Some(true)));
    assert_eq!(s.activity(a).unwrap().attempt_experienced_duration, 30.0);
    let r = ScoResult { exit: "time-out".into(), nav_request: Some("continue".into()), ..ScoResult::default() };
    assert_eq!(s.deliver_result(&r), Some(N::ExitAll));
    // non-finite numbers are ignored, not trusted
    let r = ScoResult { score_scaled: Some(f64::NAN), session_time: f64::INFINITY, ..ScoResult::default() };
    s.deliver_result(&r);
    assert!(!s.objective_view(a, 0).measure_status);
    assert_eq!(s.activity(a).unwrap().attempt_experienced_duration, 30.0);
}

#[test]
fn navigation_request_parse() {
    let cases: &[(&str, Option<N>)] = &[
        ("continue", Some(N::Continue)),
        ("previous", Some(N::Previous)),
        ("exitAll", Some(N::ExitAll)),
        ("suspendAll", Some(N::SuspendAll)),
        ("abandonAll", Some(N::AbandonAll)),
        ("{target=x_1}choice", Some(choice("x_1"))),
        ("{target=é}jump", Some(N::Jump("é".into()))),
        ("{target=}choice", None),
        ("{target=x}", None),
        ("{target=x", None),
        ("_none_", None),
        ("", None),
    ];
    for (s, want) in cases {
        assert_eq!(&N::parse(s), want, "{s}");
    }
}

fn random_tree() -> Activity {
    let kids: Vec<Activity> = (0..6).map(|i| leaf(&format!("l{i}"))).collect();
    cluster("root", vec![cluster("pool", kids).seq(|s| {
        s.randomization.selection_timing = RandomizationTiming::Once;
        s.randomization.select_count = Some(3);
        s.randomization.randomization_timing = RandomizationTiming::Once;
        s.randomization.reorder_children = true;
    })])
}

#[test]
fn selection_and_randomization_are_deterministic_per_seed() {
    let t = random_tree();
    let order = |seed: u64| {
        let s = Sequencer::with_seed(&t, seed);
        let pool = idx(&s, "pool");
        s.activity(pool).unwrap().available_children.iter().map(|&c| s.id_of(c).to_string()).collect::<Vec<_>>()
    };
    let first = order(42);
    assert_eq!(first.len(), 3);
    assert_eq!(first, order(42));
    let mut dedup = first.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 3);
    assert!((0..20).any(|seed| order(seed) != first), "different seeds give different selections");
    // flow delivers exactly the selected children, in their randomized order
    let mut s = Sequencer::with_seed(&t, 42);
    let mut seen = vec![nav(&mut s, N::Start).unwrap()];
    loop {
        let id = nav(&mut s, N::Continue).unwrap();
        if id == "END" {
            break;
        }
        seen.push(id);
    }
    assert_eq!(seen, first);
    // a non-selected child cannot be chosen: it exists (NB.2.1) but is not
    // in the available children of its parent (SB.2.9-2)
    let hidden = (0..6).map(|i| format!("l{i}")).find(|id| !first.contains(id)).unwrap();
    assert_eq!(nav(&mut s, choice(&hidden)).unwrap_err().id, "SB.2.9-2");
}

#[test]
fn randomization_on_each_new_attempt() {
    let kids: Vec<Activity> = (0..8).map(|i| leaf(&format!("l{i}"))).collect();
    let t = cluster("root", vec![cluster("pool", kids).seq(|s| {
        s.randomization.randomization_timing = RandomizationTiming::OnEachNewAttempt;
        s.randomization.reorder_children = true;
    })]);
    let mut s = Sequencer::with_seed(&t, 7);
    let pool = idx(&s, "pool");
    let mut orders = vec![s.activity(pool).unwrap().available_children.clone()];
    for _ in 0..5 {
        nav(&mut s, N::Start).unwrap();
        s.navigate(N::ExitAll).unwrap();
        let o = s.activity(pool).unwrap().available_children.clone();
        let mut sorted = o.clone();
        sorted.sort();
        assert_eq!(sorted, s.nodes()[pool].children);
        orders.push(o);
    }
    assert!(orders.windows(2).any(|w| w[0] != w[1]));
}

#[test]
fn state_serialization_round_trip_and_restore_checks() {
    let t = random_tree();
    let mut s = Sequencer::with_seed(&t, 3);
    nav(&mut s, N::Start).unwrap();
    s.deliver_result(&result("completed", "passed"));
    nav(&mut s, N::Continue).unwrap();
    let snap = s.snapshot();
    let json = serde_json::to_string(&snap).unwrap();
    let back: scorm_shim::engine::sequencing::SeqState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snap);
    let r = Sequencer::restore(&t, back.clone()).unwrap();
    assert_eq!(r.current(), None, "a restored sequencer starts a new session");
    // the saved session was left open: it is suspended (TB.2.3 Suspend All)
    let current = s.current().unwrap();
    assert_eq!(r.suspended_activity(), Some(current));
    assert!(r.is_valid(&N::ResumeAll));
    assert_eq!(r.activity(1), s.activity(1).map(|a| scorm_shim::engine::sequencing::ActivityState { active: false, suspended: true, ..a.clone() }).as_ref());
    // wrong tree
    assert_eq!(Sequencer::restore(&leaf("x"), back.clone()).unwrap_err().id, "RESTORE-1");
    // corrupted indices
    let mut bad = back.clone();
    bad.activities[1].available_children.push(99);
    assert_eq!(Sequencer::restore(&t, bad).unwrap_err().id, "RESTORE-2");
    let mut bad = back;
    bad.suspended_activity = Some(1000);
    assert_eq!(Sequencer::restore(&t, bad).unwrap_err().id, "RESTORE-2");
}

#[test]
fn lookahead_and_request_valid() {
    let t = cluster(
        "root",
        vec![
            leaf("a"),
            leaf("b").pre(A::HiddenFromChoice, vec![cond(K::Always)]),
            leaf("c").pre(A::Disabled, vec![cond(K::Always)]),
            leaf("d").with(|a| a.visible = false),
        ],
    );
    let mut s = Sequencer::new(&t);
    let ui = s.lookahead();
    assert!(ui.start && !ui.resume_all && !ui.continue_ && !ui.exit);
    let names = |ui: &scorm_shim::engine::sequencing::NavState, f: fn(&scorm_shim::engine::sequencing::ActivityNavState) -> bool| {
        ui.activities.iter().filter(|a| f(a)).map(|a| a.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&ui, |a| a.visible), ["root", "a", "c"]);
    assert_eq!(names(&ui, |a| a.enabled), ["root", "a", "b", "d"]);
    assert_eq!(names(&ui, |a| a.selectable), ["root", "a", "d"]);
    nav(&mut s, N::Start).unwrap();
    let ui = s.lookahead();
    assert!(!ui.start && !ui.previous && ui.continue_ && ui.exit && ui.exit_all && ui.suspend_all && ui.abandon && ui.abandon_all);
    assert!(s.is_valid(&N::Continue) && !s.is_valid(&N::Previous));
    assert!(s.is_valid(&choice("d")) && !s.is_valid(&choice("c")) && !s.is_valid(&choice("zz")));
    assert!(s.is_valid(&N::Jump("d".into())) && !s.is_valid(&N::Jump("c".into())) && !s.is_valid(&N::Jump("root".into())));
    // look-ahead never changes the state
    let before = s.snapshot();
    let _ = s.lookahead();
    assert_eq!(before, s.snapshot());
    assert_eq!(nav(&mut s, N::Continue).unwrap(), "b");
    assert!(s.is_valid(&N::Previous));
}

#[test]
fn globals_scoped_to_the_tree_attempt_start_over_with_a_root_retry() {
    // b is skipped while G is satisfied; a writes G; leaving c exits the
    // root, whose post-condition retries the whole tree. In the new attempt
    // G still skips b only if the globals are the learner's system-wide ones
    // (objectivesGlobalToSystem true, default); with false they belonged to
    // the previous attempt on the tree.
    let mut w = ObjectiveMap::new("G");
    w.write_satisfied_status = true;
    let t = cluster(
        "root",
        vec![
            leaf("b").seq(|s| s.objectives = vec![objective("pb", true, vec![ObjectiveMap::new("G")])]).pre(A::Skip, vec![cond(K::Satisfied)]),
            set_by_content(leaf("a")).seq(|s| s.objectives = vec![objective("pa", true, vec![w])]),
            leaf("c").post(A::ExitParent, vec![cond(K::Always)]),
        ],
    )
    .post(A::Retry, vec![cond(K::Always)]);
    for (global_to_system, first_again, g_again) in [(true, "a", Some(true)), (false, "b", None)] {
        let mut s = Sequencer::new(&t);
        s.set_objectives_global_to_system(global_to_system);
        assert_eq!(nav(&mut s, N::Start).unwrap(), "b");
        assert_eq!(nav(&mut s, N::Continue).unwrap(), "a");
        s.deliver_result(&result("completed", "passed"));
        assert_eq!(nav(&mut s, N::Continue).unwrap(), "c");
        assert_eq!(s.globals().get("G").and_then(|g| g.satisfied()), Some(true));
        assert_eq!(nav(&mut s, N::Continue).unwrap(), first_again, "objectivesGlobalToSystem {global_to_system}");
        assert_eq!(s.globals().get("G").and_then(|g| g.satisfied()), g_again);
    }
}

#[test]
fn sequencing_rules_see_what_the_previous_attempt_of_the_cluster_left() {
    // x is retried once (post-condition, attempt limit 2); its children are
    // skipped when satisfied. After the retry p is skipped: it was satisfied
    // in x's first attempt and rule conditions read the recorded status
    // (ADL CTS SX-07c), while rollup of x's new attempt ignores it
    // (useCurrentAttemptObjectiveInfo).
    let x = cluster(
        "x",
        vec![
            set_by_content(leaf("p")).pre(A::Skip, vec![cond(K::Satisfied)]),
            set_by_content(leaf("q")).post(A::ExitParent, vec![cond(K::Always)]),
        ],
    )
    .post(A::Retry, vec![not(K::AttemptLimitExceeded)])
    .seq(|s| s.limit_conditions.attempt_limit = Some(2));
    let mut s = Sequencer::new(&cluster("root", vec![x, leaf("z")]));
    assert_eq!(nav(&mut s, N::Start).unwrap(), "p");
    s.deliver_result(&result("completed", "passed"));
    assert_eq!(nav(&mut s, N::Continue).unwrap(), "q");
    s.deliver_result(&result("incomplete", "failed"));
    assert_eq!(nav(&mut s, N::Continue).unwrap(), "q", "the retry skips the satisfied p");
    let x = idx(&s, "x");
    assert_eq!(s.activity(x).map(|a| a.attempt_count), Some(2));
    // x's new attempt: its rollup sees neither p's nor q's old results
    assert_eq!(status(&s, "x"), (None, None));
}

#[test]
fn exit_all_leaves_nothing_suspended() {
    // a SCO that set cmi.exit "suspend" and then asked for exitAll: the
    // course attempt ends, and the next start delivers it from the beginning
    let mut s = Sequencer::new(&cluster("root", vec![leaf("a"), leaf("b")]));
    assert_eq!(nav(&mut s, N::Start).unwrap(), "a");
    s.deliver_result(&ScoResult { exit: "suspend".into(), ..ScoResult::default() });
    s.navigate(N::ExitAll).unwrap();
    assert!(["root", "a", "b"].iter().all(|id| s.activity(idx(&s, id)).is_some_and(|a| !a.suspended)));
    assert_eq!(nav(&mut s, N::Start).unwrap(), "a");
    assert_eq!(s.launch_data(idx(&s, "a")).unwrap().entry, "ab-initio");
}

#[test]
fn a_cluster_writes_its_rolled_up_measure_also_when_it_becomes_unknown() {
    // x is satisfied by the measure rolled up from a and b, and writes it to
    // G. In a new attempt on x whose children report nothing yet, rollup
    // finds no measure: G's measure and satisfaction become unknown too,
    // instead of keeping what the previous attempt left (ADL CTS OB-03b).
    let mut w = ObjectiveMap::new("G");
    w.read_satisfied_status = false;
    w.read_normalized_measure = false;
    w.write_satisfied_status = true;
    w.write_normalized_measure = true;
    let x = cluster("x", vec![leaf("a"), leaf("b")]).seq(|s| {
        s.objectives = vec![ObjectiveDef { satisfied_by_measure: true, min_normalized_measure: 0.5, ..objective("px", true, vec![w]) }];
    });
    let mut s = Sequencer::new(&cluster("root", vec![x, leaf("z")]));
    assert_eq!(nav(&mut s, choice("a")).unwrap(), "a");
    s.deliver_result(&ScoResult { score_scaled: Some(0.9), ..result("completed", "passed") });
    assert_eq!(nav(&mut s, choice("b")).unwrap(), "b");
    s.deliver_result(&ScoResult { score_scaled: Some(0.9), ..result("completed", "passed") });
    assert_eq!(nav(&mut s, N::Continue).unwrap(), "z");
    let g = s.globals().get("G").cloned().unwrap_or_default();
    assert_eq!((g.measure(), g.satisfied()), (Some(0.9), Some(true)));
    // a new attempt on x: b says nothing, a's measure belongs to the old attempt
    assert_eq!(nav(&mut s, choice("b")).unwrap(), "b");
    s.deliver_result(&ScoResult::default());
    s.navigate(N::Exit).unwrap();
    let g = s.globals().get("G").cloned().unwrap_or_default();
    assert_eq!((g.measure(), g.satisfied()), (None, None));
}

/// The manifest keeps objective ids normalized (`obj%201` → `obj 1`); a SCO
/// that writes its record under either spelling reports that objective.
#[test]
fn sco_objective_records_match_normalized_ids() {
    for spelling in ["obj 1", "obj%201"] {
        let t = cluster("root", vec![leaf("a").seq(|s| s.objectives = vec![ObjectiveDef::new(None, true), objective("obj 1", false, vec![])])]);
        let mut s = Sequencer::new(&t);
        nav(&mut s, N::Start).unwrap();
        let mut r = result("completed", "passed");
        r.objectives.push(ScoObjective { id: spelling.into(), success_status: Some("failed".into()), ..ScoObjective::default() });
        s.deliver_result(&r);
        assert_eq!(s.objective_view(idx(&s, "a"), 1).satisfied(), Some(false), "{spelling}");
    }
}
