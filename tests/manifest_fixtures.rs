//! Hand-written SCORM 1.2 and 2004 manifests: every element read with a
//! non-default value, and every default when the element is absent or empty.
#![allow(clippy::type_complexity)]

use scorm_shim::engine::manifest::{parse, walk, ManifestError, Manifest, ParseOptions, ScormVersion};
use scorm_shim::engine::seqdef::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/manifests/{name}")).expect("fixture")
}

fn read(name: &str) -> Manifest {
    parse(&fixture(name), &ParseOptions::default()).unwrap_or_else(|e: ManifestError| panic!("{name}: {e}"))
}

fn find<'a>(m: &'a Manifest, id: &str) -> &'a Activity {
    walk(&m.activity_tree).into_iter().find(|a| a.id == id).unwrap_or_else(|| panic!("no activity {id}"))
}

#[test]
fn scorm2004_full_manifest_structure_and_launch() {
    let m = read("scorm2004_4th_full.xml");
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.version, ScormVersion::Scorm2004Ed4);
    assert_eq!(m.schema_version.as_deref(), Some("2004 4th Edition"));
    assert_eq!(m.identifier, "com.example.full");
    assert_eq!((m.organization.as_str(), m.default_organization.as_deref()), ("ORG-1", Some("ORG-1")));
    let orgs: Vec<(&str, &str, bool, bool, usize)> = m
        .organizations
        .iter()
        .map(|o| (o.identifier.as_str(), o.title.as_str(), o.objectives_global_to_system, o.shared_data_global_to_system, o.item_count))
        .collect();
    assert_eq!(orgs, [("ORG-1", "Full Course", false, false, 4), ("ORG-2", "Second Organization", true, true, 1)]);
    let ids: Vec<&str> = walk(&m.activity_tree).iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["ORG-1", "MODULE-1", "SCO-1", "ASSET-1", "SCO-2"]);
    let launches: Vec<(&str, Option<(&str, bool, &str)>, bool)> = walk(&m.activity_tree)
        .iter()
        .map(|a| (a.id.as_str(), a.launch.as_ref().map(|l| (l.resource_id.as_str(), l.is_sco, l.href.as_str())), a.visible))
        .collect();
    assert_eq!(
        launches,
        [
            ("ORG-1", None, true),
            ("MODULE-1", None, true),
            ("SCO-1", Some(("RES-SCO", true, "course/content/sco/lesson1/index.html?lang=en&x=1")), true),
            ("ASSET-1", Some(("RES-ASSET", false, "course/content/glossary.html#page2")), false),
            ("SCO-2", Some(("RES-QUERY", true, "course/content/lesson2/start.html?a=1&b=2#top")), true),
        ]
    );
    let r = &m.resources[0];
    assert_eq!(r.files, ["course/content/sco/lesson1/index.html"]);
    assert_eq!(r.dependencies, ["RES-COMMON"]);
    assert_eq!(r.resource_type, "webcontent");
    assert_eq!(m.resources[3].href, None);
    assert_eq!(m.global_objective_ids, ["g.extra", "g.primary", "g.two"]);
    assert_eq!(m.shared_data_ids, ["shared.notes", "shared.prefs"]);
}

#[test]
fn scorm2004_full_manifest_item_extensions() {
    let m = read("scorm2004_4th_full.xml");
    let a = find(&m, "SCO-1");
    assert_eq!(a.title, "Lesson 1");
    assert_eq!(a.time_limit_action.as_deref(), Some("exit,message"));
    assert_eq!(a.data_from_lms.as_deref(), Some("mode=review;x=<1>"));
    assert_eq!(
        a.completion_threshold,
        Some(CompletionThreshold { completed_by_measure: true, min_progress_measure: 0.6, progress_weight: 0.5 })
    );
    assert_eq!(
        a.data_maps,
        [
            DataMap { target_id: "shared.notes".into(), read_shared_data: false, write_shared_data: true },
            DataMap { target_id: "shared.prefs".into(), read_shared_data: true, write_shared_data: false },
        ]
    );
    assert_eq!(
        a.hide_lms_ui,
        HideLmsUi { previous: true, continue_: true, exit: true, exit_all: true, abandon: true, abandon_all: true, suspend_all: true }
    );
}

#[test]
fn scorm2004_full_manifest_sequencing() {
    let m = read("scorm2004_4th_full.xml");
    let s = &find(&m, "SCO-1").sequencing;
    assert_eq!(
        s.control_mode,
        ControlMode {
            choice: false,
            choice_exit: false,
            flow: true,
            forward_only: true,
            use_current_attempt_objective_info: false,
            use_current_attempt_progress_info: false
        }
    );
    assert_eq!(s.constrained_choice, ConstrainedChoice { prevent_activation: true, constrain_choice: true });
    let cond = |condition, not, r: Option<&str>, t| RuleCondition { condition, not, referenced_objective: r.map(String::from), measure_threshold: t };
    assert_eq!(
        s.pre_condition_rules,
        [
            SequencingRule {
                combination: ConditionCombination::Any,
                conditions: vec![
                    cond(RuleConditionKind::Satisfied, false, Some("OBJ-2"), 0.0),
                    cond(RuleConditionKind::ObjectiveMeasureGreaterThan, true, None, 0.5)
                ],
                action: RuleAction::Skip
            },
            SequencingRule {
                combination: ConditionCombination::All,
                conditions: vec![cond(RuleConditionKind::Always, false, None, 0.0)],
                action: RuleAction::HiddenFromChoice
            },
        ]
    );
    assert_eq!(
        s.exit_rules,
        [SequencingRule { combination: ConditionCombination::All, conditions: vec![cond(RuleConditionKind::Completed, false, None, 0.0)], action: RuleAction::Exit }]
    );
    assert_eq!(
        s.post_condition_rules,
        [SequencingRule {
            combination: ConditionCombination::All,
            conditions: vec![
                cond(RuleConditionKind::AttemptLimitExceeded, false, None, 0.0),
                cond(RuleConditionKind::ObjectiveMeasureLessThan, false, None, -0.25)
            ],
            action: RuleAction::RetryAll
        }]
    );
    assert_eq!(s.limit_conditions, LimitConditions { attempt_limit: Some(3), attempt_absolute_duration_limit: Some(5400.0) });
    assert_eq!(s.auxiliary_resources, vec![AuxiliaryResource { id: "aux".into(), purpose: "glossary".into() }]);
    assert_eq!(
        (s.rollup.rollup_objective_satisfied, s.rollup.rollup_progress_completion, s.rollup.objective_measure_weight, s.rollup.rules.len()),
        (false, false, 0.25, 0)
    );
    assert_eq!(
        s.randomization,
        RandomizationControls {
            randomization_timing: RandomizationTiming::OnEachNewAttempt,
            select_count: Some(2),
            reorder_children: true,
            selection_timing: RandomizationTiming::Once
        }
    );
    assert_eq!(s.delivery, DeliveryControls { tracked: false, completion_set_by_content: true, objective_set_by_content: true });
    assert_eq!(
        s.rollup_considerations,
        RollupConsiderations {
            required_for_satisfied: RollupConsideration::IfAttempted,
            required_for_not_satisfied: RollupConsideration::IfNotSkipped,
            required_for_completed: RollupConsideration::IfNotSuspended,
            required_for_incomplete: RollupConsideration::IfAttempted,
            measure_satisfaction_if_active: false
        }
    );
    // Objectives: primary first; adlseq maps merged into the same map.
    let p = &s.objectives[0];
    assert_eq!((p.id.as_deref(), p.primary, p.satisfied_by_measure, p.min_normalized_measure), (Some("PRIMARY"), true, true, 0.75));
    let mut want = ObjectiveMap::new("g.primary");
    want.read_satisfied_status = false;
    want.read_normalized_measure = false;
    want.write_satisfied_status = true;
    want.write_normalized_measure = true;
    want.read_raw_score = false;
    want.write_raw_score = true;
    want.write_min_score = true;
    want.write_max_score = true;
    want.write_completion_status = true;
    want.write_progress_measure = true;
    assert_eq!(p.maps, [want]);
    let o2 = &s.objectives[1];
    assert_eq!((o2.id.as_deref(), o2.primary, o2.satisfied_by_measure, o2.min_normalized_measure), (Some("OBJ-2"), false, false, 1.0));
    let mut extra = ObjectiveMap::new("g.extra");
    extra.read_satisfied_status = false;
    extra.read_normalized_measure = false;
    extra.read_completion_status = false;
    assert_eq!(o2.maps, [ObjectiveMap::new("g.two"), extra]);
}

#[test]
fn scorm2004_rollup_rules_and_collection_merge() {
    let m = read("scorm2004_4th_full.xml");
    let rules = &find(&m, "MODULE-1").sequencing.rollup.rules;
    let summary: Vec<(ChildActivitySet, ConditionCombination, Vec<(RuleConditionKind, bool)>, RollupAction)> = rules
        .iter()
        .map(|r| (r.child_activity_set, r.combination, r.conditions.iter().map(|c| (c.condition, c.not)).collect(), r.action))
        .collect();
    assert_eq!(
        summary,
        [
            (
                ChildActivitySet::AtLeastCount(2),
                ConditionCombination::All,
                vec![(RuleConditionKind::Completed, false), (RuleConditionKind::Attempted, true)],
                RollupAction::Completed
            ),
            (ChildActivitySet::AtLeastPercent(0.5), ConditionCombination::Any, vec![(RuleConditionKind::Satisfied, false)], RollupAction::Satisfied),
            (ChildActivitySet::None, ConditionCombination::Any, vec![(RuleConditionKind::ObjectiveStatusKnown, false)], RollupAction::NotSatisfied),
            (ChildActivitySet::Any, ConditionCombination::Any, vec![(RuleConditionKind::ActivityProgressKnown, false)], RollupAction::Incomplete),
        ]
    );
    // SCO-2: controlMode and limitConditions from the collection entry, its
    // own deliveryControls replacing the entry's.
    let s = &find(&m, "SCO-2").sequencing;
    assert!(!s.control_mode.choice_exit && s.control_mode.choice);
    assert_eq!(s.delivery, DeliveryControls { tracked: false, completion_set_by_content: false, objective_set_by_content: false });
    assert_eq!(s.limit_conditions.attempt_limit, None);
    // The organization's own sequencing applies to the root.
    let root = &m.activity_tree.sequencing;
    assert!(root.control_mode.flow);
    assert_eq!(root.post_condition_rules[0].action, RuleAction::ExitAll);
}

#[test]
fn choosing_another_organization() {
    let opts = ParseOptions { organization: Some("ORG-2".into()), ..ParseOptions::default() };
    let m = parse(&fixture("scorm2004_4th_full.xml"), &opts).expect("parses");
    assert_eq!(m.organization, "ORG-2");
    assert_eq!(m.activity_tree.title, "Second Organization");
    assert_eq!(m.activity_tree.children[0].launch.as_ref().map(|l| l.href.as_str()), Some("course/content/sco/lesson1/index.html"));
    assert!(m.global_objective_ids.is_empty() && m.shared_data_ids.is_empty());
}

#[test]
fn scorm2004_defaults_for_absent_and_empty_elements() {
    let m = read("scorm2004_defaults.xml");
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.version, ScormVersion::Scorm2004Ed3);
    let root = &m.activity_tree;
    assert_eq!(root.sequencing, SequencingDef::default());
    assert!(root.visible && root.launch.is_none());
    let i1 = find(&m, "I1");
    let s = &i1.sequencing;
    assert_eq!(s.control_mode, ControlMode::default());
    assert_eq!(
        (s.control_mode.choice, s.control_mode.choice_exit, s.control_mode.flow, s.control_mode.forward_only),
        (true, true, false, false)
    );
    assert!(s.control_mode.use_current_attempt_objective_info && s.control_mode.use_current_attempt_progress_info);
    assert_eq!(s.limit_conditions, LimitConditions { attempt_limit: None, attempt_absolute_duration_limit: None });
    assert!(s.auxiliary_resources.is_empty());
    assert_eq!(s.randomization, RandomizationControls::default());
    assert_eq!(s.randomization.randomization_timing, RandomizationTiming::Never);
    assert_eq!(s.delivery, DeliveryControls { tracked: true, completion_set_by_content: false, objective_set_by_content: false });
    assert_eq!(s.constrained_choice, ConstrainedChoice { prevent_activation: false, constrain_choice: false });
    assert_eq!(s.rollup_considerations, RollupConsiderations::default());
    assert!(s.rollup_considerations.measure_satisfaction_if_active);
    assert_eq!((s.rollup.rollup_objective_satisfied, s.rollup.rollup_progress_completion, s.rollup.objective_measure_weight), (true, true, 1.0));
    let rr = &s.rollup.rules[0];
    assert_eq!((rr.child_activity_set, rr.combination), (ChildActivitySet::All, ConditionCombination::Any));
    assert!(!rr.conditions[0].not);
    let pr = &s.pre_condition_rules[0];
    assert_eq!((pr.combination, pr.action), (ConditionCombination::All, RuleAction::Disabled));
    assert_eq!(pr.conditions[0], RuleCondition { condition: RuleConditionKind::Attempted, not: false, referenced_objective: None, measure_threshold: 0.0 });
    let p = &s.objectives[0];
    assert_eq!((p.id.as_deref(), p.primary, p.satisfied_by_measure, p.min_normalized_measure), (None, true, false, 1.0));
    assert_eq!(p.maps, [ObjectiveMap::new("g1")]);
    let m1 = &p.maps[0];
    assert!(m1.read_satisfied_status && m1.read_normalized_measure && !m1.write_satisfied_status && !m1.write_normalized_measure);
    assert!(m1.read_raw_score && m1.read_min_score && m1.read_max_score && m1.read_completion_status && m1.read_progress_measure);
    assert!(!(m1.write_raw_score || m1.write_min_score || m1.write_max_score || m1.write_completion_status || m1.write_progress_measure));
    assert_eq!(s.objectives[1].min_normalized_measure, 1.0);
    assert_eq!(i1.completion_threshold, Some(CompletionThreshold { completed_by_measure: false, min_progress_measure: 1.0, progress_weight: 1.0 }));
    assert_eq!(i1.hide_lms_ui, HideLmsUi::default());
    assert!(i1.visible && i1.data_maps.is_empty() && i1.time_limit_action.is_none() && i1.data_from_lms.is_none());
    // 3rd Edition: the threshold as text.
    assert_eq!(
        find(&m, "I2").completion_threshold,
        Some(CompletionThreshold { completed_by_measure: true, min_progress_measure: 0.8, progress_weight: 1.0 })
    );
    assert!(m.organizations[0].objectives_global_to_system && m.organizations[0].shared_data_global_to_system);
}

#[test]
fn scorm12_manifest() {
    let m = read("scorm12_full.xml");
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.version, ScormVersion::Scorm12);
    let s1 = find(&m, "S1");
    assert_eq!(s1.prerequisites.as_deref(), Some("S3 & !S2"));
    assert_eq!(s1.max_time_allowed.as_deref(), Some("00:30:00"));
    assert_eq!(s1.time_limit_action.as_deref(), Some("continue,no message"));
    assert_eq!(s1.data_from_lms.as_deref(), Some("start=intro"));
    assert_eq!(s1.mastery_score, Some(80.0));
    let l = s1.launch.as_ref().expect("launch");
    assert_eq!((l.is_sco, l.href.as_str()), (true, "content/lesson1/index.htm?chapter=1&mode=1"));
    let s2 = find(&m, "S2");
    assert!(!s2.visible);
    assert_eq!(s2.launch.as_ref().map(|l| (l.is_sco, l.href.as_str())), Some((false, "handout.pdf")));
    let s3 = find(&m, "S3");
    assert_eq!(s3.launch.as_ref().map(|l| l.href.as_str()), Some("content/lesson1/index.htm?chapter=1"));
    assert!(s3.mastery_score.is_none() && s3.prerequisites.is_none() && s3.max_time_allowed.is_none());
    assert_eq!(s3.sequencing, SequencingDef::default());
    assert_eq!(m.organizations[0].item_count, 4);
}

#[test]
fn serializes_for_the_javascript_view() {
    let m = read("scorm2004_4th_full.xml");
    let v = serde_json::to_value(&m).expect("serializes");
    assert_eq!(v["version"], "2004 4th Edition");
    assert_eq!(v["activityTree"]["children"][0]["children"][0]["launch"]["isSco"], true);
    assert_eq!(v["globalObjectiveIds"][0], "g.extra");
}

#[test]
fn options_deserialize_with_defaults() {
    let o: ParseOptions = serde_json::from_str(r#"{"organization":"ORG-2"}"#).expect("options");
    assert_eq!((o.organization.as_deref(), o.max_depth), (Some("ORG-2"), 64));
    let o: ParseOptions = serde_json::from_str("{}").expect("options");
    assert_eq!((o.organization, o.max_depth), (None, ParseOptions::default().max_depth));
}
