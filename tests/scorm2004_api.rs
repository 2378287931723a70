//! SCORM 2004 run-time behaviour beyond the ADL suite: persistence through
//! the host, resume, the LMS-side evaluations, shared data, navigation
//! answers, and the per-element rules, table-driven.

use scorm_shim::engine::rte::{ApiState, NullHost, PersistReason, RecordingHost, Snapshot};
use scorm_shim::engine::scorm2004::{
    self, validate_stored, Api, Comment, DataStore, Launch, NavQuery, NavigationOracle, ERRORS,
};

fn running(launch: Launch) -> Api {
    let mut api = Api::new(launch, None);
    assert_eq!(api.initialize(""), "true");
    api
}

/// Run (element, value, expected return, expected error) rows in order.
fn run_sets(api: &mut Api, rows: &[(&str, &str, &str, &str)]) {
    for (el, v, ret, err) in rows {
        assert_eq!(api.set_value(el, v), *ret, "SetValue({el:?}, {v:?})");
        assert_eq!(api.get_last_error(), *err, "SetValue({el:?}, {v:?}) error");
    }
}

/// Run (element, expected value, expected error) rows.
fn run_gets(api: &mut Api, rows: &[(&str, &str, &str)]) {
    for (el, v, err) in rows {
        assert_eq!(api.get_value(el), *v, "GetValue({el:?})");
        assert_eq!(api.get_last_error(), *err, "GetValue({el:?}) error");
    }
}

#[test]
fn every_error_code_has_a_string() {
    let api = Api::new(Launch::default(), None);
    for (code, text) in ERRORS {
        assert_eq!(api.get_error_string(&code.to_string()), *text);
        assert!(text.len() < 255);
    }
    assert_eq!(api.get_error_string("999"), "");
    assert_eq!(api.get_error_string("0401"), "");
}

#[test]
fn state_errors_before_and_after_the_session() {
    let mut api = Api::new(Launch::default(), None);
    let mut h = NullHost;
    run_gets(&mut api, &[("cmi.location", "", "122")]);
    run_sets(&mut api, &[("cmi.location", "x", "false", "132")]);
    assert_eq!(api.commit("", &mut h), "false");
    assert_eq!(api.get_last_error(), "142");
    assert_eq!(api.terminate("", &mut h), "false");
    assert_eq!(api.get_last_error(), "112");
    assert_eq!(api.initialize("x"), "false");
    assert_eq!(api.get_last_error(), "201");
    assert_eq!(api.initialize(""), "true");
    assert_eq!(api.state(), ApiState::Running);
    assert_eq!(api.commit("x", &mut h), "false");
    assert_eq!(api.get_last_error(), "201");
    assert_eq!(api.terminate("", &mut h), "true");
    run_gets(&mut api, &[("cmi.location", "", "123")]);
    run_sets(&mut api, &[("cmi.location", "x", "false", "133")]);
    assert_eq!(api.commit("", &mut h), "false");
    assert_eq!(api.get_last_error(), "143");
    assert_eq!(api.terminate("", &mut h), "false");
    assert_eq!(api.get_last_error(), "113");
    assert_eq!(api.initialize(""), "false");
    assert_eq!(api.get_last_error(), "104");
}

#[test]
fn commit_hands_over_changes_and_keeps_them_on_failure() {
    let mut api = running(Launch::default());
    let mut host = RecordingHost::default();
    run_sets(&mut api, &[("cmi.location", "p1", "true", "0"), ("cmi.suspend_data", "s", "true", "0"), ("cmi.location", "p2", "true", "0")]);
    host.fail_with = Some("offline".into());
    assert_eq!(api.commit("", &mut host), "false");
    assert_eq!(api.get_last_error(), "391");
    assert!(api.get_diagnostic("").contains("offline"));
    host.fail_with = None;
    assert_eq!(api.commit("", &mut host), "true");
    assert_eq!(
        host.persisted,
        vec![(
            PersistReason::Commit,
            vec![("cmi.location".to_string(), "p2".to_string()), ("cmi.suspend_data".to_string(), "s".to_string())]
        )]
    );
    // Nothing new: an empty change set.
    assert_eq!(api.commit("", &mut host), "true");
    assert_eq!(host.persisted[1].1, vec![]);
    // Terminate fails, then succeeds with the session time and total time.
    run_sets(&mut api, &[("cmi.session_time", "PT1M30S", "true", "0")]);
    host.fail_with = Some("quota".into());
    assert_eq!(api.terminate("", &mut host), "false");
    assert_eq!(api.get_last_error(), "111");
    assert_eq!(api.state(), ApiState::Running);
    host.fail_with = None;
    assert_eq!(api.terminate("", &mut host), "true");
    let (reason, changes) = &host.persisted[2];
    assert_eq!(*reason, PersistReason::Terminate);
    assert_eq!(
        changes,
        &vec![
            ("cmi.session_time".to_string(), "PT1M30S".to_string()),
            // recorded at Terminate: the session ended without a cmi.exit
            ("cmi.exit".to_string(), String::new()),
            ("cmi.total_time".to_string(), "PT1M30S".to_string()),
        ]
    );
    assert_eq!(host.last_snapshot.as_ref().and_then(|s| s.get("cmi.total_time")).map(String::as_str), Some("PT1M30S"));
}

fn end_session(api: &mut Api) -> Snapshot {
    assert_eq!(api.terminate("", &mut NullHost), "true");
    api.snapshot()
}

#[test]
fn entry_and_total_time_across_sessions() {
    let mut api = running(Launch::default());
    run_gets(&mut api, &[("cmi.entry", "ab-initio", "0"), ("cmi.total_time", "PT0H0M0S", "0")]);
    run_sets(&mut api, &[("cmi.exit", "suspend", "true", "0"), ("cmi.session_time", "PT59M", "true", "0"), ("cmi.location", "L", "true", "0")]);
    let saved = end_session(&mut api);

    let mut api = Api::new(Launch::default(), Some(saved));
    api.initialize("");
    run_gets(&mut api, &[("cmi.entry", "resume", "0"), ("cmi.total_time", "PT59M", "0"), ("cmi.location", "L", "0"), ("adl.nav.request", "_none_", "0")]);
    run_sets(&mut api, &[("cmi.session_time", "PT1M0.5S", "true", "0"), ("adl.nav.request", "suspendAll", "true", "0")]);
    assert_eq!(api.nav_request(), "suspendAll");
    let saved = end_session(&mut api);
    assert_eq!(saved.get("cmi.total_time").map(String::as_str), Some("PT1H0.5S"));

    // suspendAll resumes even without cmi.exit = suspend.
    let mut api = Api::new(Launch::default(), Some(saved));
    api.initialize("");
    run_gets(&mut api, &[("cmi.entry", "resume", "0")]);
    run_sets(&mut api, &[("cmi.exit", "normal", "true", "0")]);
    let saved = end_session(&mut api);
    // A saved session that was not suspended continues with entry "".
    let mut api = Api::new(Launch::default(), Some(saved));
    api.initialize("");
    run_gets(&mut api, &[("cmi.entry", "", "0")]);
}

#[test]
fn launch_values_are_read_only() {
    let launch = Launch {
        learner_id: "u1".into(),
        learner_name: "Ada".into(),
        credit: false,
        mode: "review".into(),
        launch_data: "ld".into(),
        completion_threshold: Some(0.75),
        scaled_passing_score: Some(0.5),
        max_time_allowed: Some("PT1H".into()),
        time_limit_action: Some("exit,message".into()),
        comments_from_lms: vec![Comment { comment: "{lang=en}hi".into(), location: "p".into(), timestamp: "2020-01-01T00:00:00".into() }],
        learner_preference: Some(["0.5".into(), "fr".into(), "2".into(), "-1".into()]),
        ..Launch::default()
    };
    let mut api = running(launch);
    let rows = [
        ("cmi._version", "1.0"),
        ("cmi.learner_id", "u1"),
        ("cmi.learner_name", "Ada"),
        ("cmi.credit", "no-credit"),
        ("cmi.mode", "review"),
        ("cmi.launch_data", "ld"),
        ("cmi.completion_threshold", "0.75"),
        ("cmi.scaled_passing_score", "0.5"),
        ("cmi.max_time_allowed", "PT1H"),
        ("cmi.time_limit_action", "exit,message"),
        ("cmi.comments_from_lms._count", "1"),
        ("cmi.comments_from_lms.0.comment", "{lang=en}hi"),
    ];
    for (el, v) in rows {
        run_gets(&mut api, &[(el, v, "0")]);
        run_sets(&mut api, &[(el, "x", "false", "404")]);
    }
    run_gets(
        &mut api,
        &[
            ("cmi.learner_preference.audio_level", "0.5", "0"),
            ("cmi.learner_preference.language", "fr", "0"),
            ("cmi.learner_preference.delivery_speed", "2", "0"),
            ("cmi.learner_preference.audio_captioning", "-1", "0"),
        ],
    );
    let mut api = running(Launch::default());
    run_gets(
        &mut api,
        &[
            ("cmi.max_time_allowed", "", "403"),
            ("cmi.scaled_passing_score", "", "403"),
            ("cmi.completion_threshold", "", "403"),
            ("cmi.time_limit_action", "continue,no message", "0"),
            ("cmi.learner_preference.audio_level", "1", "0"),
            ("cmi.learner_preference.audio_captioning", "0", "0"),
        ],
    );
}

#[test]
fn status_evaluation_from_threshold_and_passing_score() {
    let mut api = running(Launch { completion_threshold: Some(0.5), scaled_passing_score: Some(0.0), ..Launch::default() });
    run_sets(&mut api, &[("cmi.completion_status", "completed", "true", "0"), ("cmi.success_status", "passed", "true", "0")]);
    run_gets(&mut api, &[("cmi.completion_status", "unknown", "0"), ("cmi.success_status", "unknown", "0")]);
    run_sets(&mut api, &[("cmi.progress_measure", "0.5", "true", "0"), ("cmi.score.scaled", "-0.1", "true", "0")]);
    run_gets(&mut api, &[("cmi.completion_status", "completed", "0"), ("cmi.success_status", "failed", "0")]);
    run_sets(&mut api, &[("cmi.progress_measure", "0.49", "true", "0"), ("cmi.score.scaled", "0", "true", "0")]);
    run_gets(&mut api, &[("cmi.completion_status", "incomplete", "0"), ("cmi.success_status", "passed", "0")]);
    // Without them the stored values stand.
    let mut api = running(Launch::default());
    run_gets(&mut api, &[("cmi.completion_status", "unknown", "0"), ("cmi.success_status", "unknown", "0")]);
    run_sets(&mut api, &[("cmi.completion_status", "not attempted", "true", "0"), ("cmi.progress_measure", "1", "true", "0")]);
    run_gets(&mut api, &[("cmi.completion_status", "not attempted", "0")]);
}

#[test]
fn objectives_from_the_launch_and_their_rules() {
    let mut api = running(Launch { objective_ids: vec!["obj1".into(), "obj2".into()], ..Launch::default() });
    run_gets(&mut api, &[("cmi.objectives._count", "2", "0"), ("cmi.objectives.1.id", "obj2", "0"), ("cmi.objectives.0.success_status", "unknown", "0")]);
    run_sets(
        &mut api,
        &[
            ("cmi.objectives.0.id", "obj1", "true", "0"),
            ("cmi.objectives.0.id", "other", "false", "351"),
            ("cmi.objectives.2.id", "obj1", "false", "351"),
            ("cmi.objectives.3.id", "x", "false", "351"),
            ("cmi.objectives.2.score.raw", "1", "false", "408"),
            ("cmi.objectives.2.id", "urn:x:y", "true", "0"),
            ("cmi.objectives.2.score.scaled", "1.5", "false", "407"),
            ("cmi.objectives.2.score.scaled", "abc", "false", "406"),
            ("cmi.objectives.2.progress_measure", "0.25", "true", "0"),
            ("cmi.objectives.2.description", "{lang=xx-}bad", "false", "406"),
        ],
    );
    run_gets(&mut api, &[("cmi.objectives._count", "3", "0"), ("cmi.objectives.2.progress_measure", "0.25", "0"), ("cmi.objectives.2.score.raw", "", "403"), ("cmi.objectives.3.id", "", "301")]);
}

#[test]
fn interaction_rules() {
    let mut api = running(Launch::default());
    run_sets(
        &mut api,
        &[
            ("cmi.interactions.0.type", "choice", "false", "408"),
            ("cmi.interactions.0.id", "q1", "true", "0"),
            ("cmi.interactions.0.learner_response", "a", "false", "408"),
            ("cmi.interactions.0.correct_responses.0.pattern", "a", "false", "408"),
            ("cmi.interactions.0.type", "true-false", "true", "0"),
            ("cmi.interactions.0.correct_responses.0.pattern", "true", "true", "0"),
            ("cmi.interactions.0.correct_responses.1.pattern", "false", "false", "351"),
            ("cmi.interactions.0.learner_response", "maybe", "false", "406"),
            ("cmi.interactions.0.result", "0.5", "true", "0"),
            ("cmi.interactions.0.result", "wrong", "false", "406"),
            ("cmi.interactions.0.latency", "PT", "false", "406"),
            ("cmi.interactions.0.timestamp", "2010-02-30", "false", "406"),
            ("cmi.interactions.0.objectives.0.id", "o1", "true", "0"),
            ("cmi.interactions.0.objectives.1.id", "o1", "false", "351"),
            ("cmi.interactions.0.objectives.2.id", "o2", "false", "351"),
            ("cmi.interactions.1.id", "q2", "true", "0"),
            ("cmi.interactions.1.type", "choice", "true", "0"),
            ("cmi.interactions.1.correct_responses.0.pattern", "a[,]b", "true", "0"),
            ("cmi.interactions.1.correct_responses.1.pattern", "a[,]b", "false", "351"),
            ("cmi.interactions.1.correct_responses.1.pattern", "a[,]a", "false", "406"),
            ("cmi.interactions.1.correct_responses.1.pattern", "", "true", "0"),
            ("cmi.interactions.2.id", "q3", "true", "0"),
            ("cmi.interactions.2.type", "numeric", "true", "0"),
            ("cmi.interactions.2.correct_responses.0.pattern", "1[:]", "true", "0"),
            ("cmi.interactions.2.learner_response", "1.5", "true", "0"),
            ("cmi.interactions.2.learner_response", "1[:]2", "false", "406"),
            ("cmi.interactions.3.id", "q4", "true", "0"),
            ("cmi.interactions.3.type", "performance", "true", "0"),
            ("cmi.interactions.3.correct_responses.0.pattern", "{order_matters=false}s1[.]1[:]5[,][.]x", "true", "0"),
            ("cmi.interactions.3.correct_responses.1.pattern", "s1[.]a[.]b", "false", "406"),
            ("cmi.interactions.3.learner_response", "[.]", "false", "406"),
        ],
    );
    run_gets(
        &mut api,
        &[
            ("cmi.interactions._count", "4", "0"),
            ("cmi.interactions.0.objectives._count", "1", "0"),
            ("cmi.interactions.1.correct_responses._count", "2", "0"),
            ("cmi.interactions.0.weighting", "", "403"),
            ("cmi.interactions.0.objectives._children", "", "301"),
            ("cmi.location._children", "", "301"),
            ("cmi.location._count", "", "301"),
            ("cmi.nothing._count", "", "401"),
            // _version: only cmi has one; a known element without it is 301 (ADL suite rule)
            ("cmi._version", "1.0", "0"),
            ("cmi.learner_id._version", "", "301"),
            ("cmi.interactions._version", "", "301"),
            ("cmi.score._version", "", "301"),
            ("cmi.nothing._version", "", "401"),
        ],
    );
}

#[test]
fn element_names_and_keywords() {
    let mut api = running(Launch::default());
    run_gets(&mut api, &[("", "", "301"), ("cmi", "", "401"), ("cmi.exit", "", "405"), ("cmi.session_time", "", "405"), ("cmi.location", "", "403"), ("cmi.score._children", "scaled,raw,min,max", "0")]);
    run_sets(
        &mut api,
        &[
            ("", "x", "false", "351"),
            ("cmi.bogus", "x", "false", "401"),
            ("cmi.score._children", "x", "false", "404"),
            ("cmi.objectives._count", "1", "false", "404"),
            ("cmi.exit", "quit", "false", "406"),
            ("cmi.score.scaled", "-1.0000001", "false", "407"),
            ("cmi.progress_measure", "1.1", "false", "407"),
            ("cmi.learner_preference.audio_level", "-1", "false", "407"),
            ("cmi.learner_preference.language", "xx", "false", "406"),
            ("cmi.learner_preference.language", "en-GB", "true", "0"),
            ("cmi.comments_from_learner.1.comment", "x", "false", "351"),
            ("cmi.comments_from_learner.0.timestamp", "2020-01-01T10:00:00.5Z", "true", "0"),
            ("cmi.comments_from_learner.0.location", "here", "true", "0"),
            ("adl.nav.request", "{target=a1}choice", "true", "0"),
            ("adl.nav.request", "{target=a 1}choice", "false", "406"),
            ("adl.nav.request", "start", "false", "406"),
            ("adl.nav.request_valid.continue", "true", "false", "404"),
        ],
    );
    run_gets(&mut api, &[("cmi.comments_from_learner._count", "1", "0"), ("cmi.comments_from_learner.0.comment", "", "403")]);
}

struct Fixed;
impl NavigationOracle for Fixed {
    fn is_valid(&self, q: &NavQuery) -> Option<bool> {
        match q {
            NavQuery::Continue => Some(true),
            NavQuery::Previous => Some(false),
            NavQuery::Choice(t) => (*t == "a.b").then_some(true),
            NavQuery::Jump(_) => None,
        }
    }
}

#[test]
fn request_valid_comes_from_the_oracle() {
    let mut api = running(Launch::default());
    run_gets(&mut api, &[("adl.nav.request_valid.continue", "unknown", "0")]);
    api.set_navigation_oracle(Box::new(Fixed));
    run_gets(
        &mut api,
        &[
            ("adl.nav.request_valid.continue", "true", "0"),
            ("adl.nav.request_valid.previous", "false", "0"),
            ("adl.nav.request_valid.choice.{target=a.b}", "true", "0"),
            ("adl.nav.request_valid.choice.{target=zz}", "unknown", "0"),
            ("adl.nav.request_valid.jump.{target=x}", "unknown", "0"),
            ("adl.nav.request_valid.choice", "", "401"),
        ],
    );
}

#[test]
fn shared_data_stores() {
    let stores = vec![
        DataStore { id: "s1".into(), read: true, write: true, value: Some("old".into()) },
        DataStore { id: "s2".into(), read: false, write: true, value: None },
        DataStore { id: "s3".into(), read: true, write: false, value: None },
    ];
    let mut api = running(Launch { data_stores: stores, ..Launch::default() });
    run_gets(&mut api, &[("adl.data._count", "3", "0"), ("adl.data.0.id", "s1", "0"), ("adl.data.0.store", "old", "0"), ("adl.data.1.store", "", "405"), ("adl.data.2.store", "", "403"), ("adl.data.3.id", "", "301")]);
    run_sets(
        &mut api,
        &[
            ("adl.data.0.store", "new", "true", "0"),
            ("adl.data.1.store", "w", "true", "0"),
            ("adl.data.2.store", "w", "false", "404"),
            ("adl.data.0.id", "x", "false", "404"),
            ("adl.data.3.store", "w", "false", "351"),
        ],
    );
    assert_eq!(api.pending_data_writes(), vec![("s1".to_string(), "new".to_string()), ("s2".to_string(), "w".to_string())]);
    let mut host = RecordingHost::default();
    assert_eq!(api.commit("", &mut host), "true");
    let snap = host.last_snapshot.clone().unwrap_or_default();
    assert_eq!(scorm2004::shared_data_writes(&host.persisted[0].1, &snap).len(), 2);
    assert!(api.pending_data_writes().is_empty());
}

#[test]
fn validate_stored_uses_the_same_rules() {
    let rows: &[(&str, &str, bool)] = &[
        ("cmi.location", "anything", true),
        ("cmi.score.scaled", "0.5", true),
        ("cmi.score.scaled", "2", false),
        ("cmi.exit", "suspend", true),
        ("cmi.exit", "bye", false),
        ("cmi.session_time", "PT1S", true),
        ("cmi.total_time", "PT1S", true),
        ("cmi.total_time", "1s", false),
        ("cmi.learner_id", "x", false),
        ("cmi.objectives._count", "1", false),
        ("cmi.objectives.0.id", "a b", false),
        ("cmi.interactions.4.learner_response", "x", true),
        ("adl.nav.request", "continue", true),
        ("adl.data.0.store", "x", true),
        ("cmi.unknown", "x", false),
        ("lms.x", "x", false),
    ];
    for (el, v, ok) in rows {
        assert_eq!(validate_stored(el, v).is_ok(), *ok, "{el} = {v:?}");
    }
}

#[test]
fn saved_state_round_trips() {
    let mut api = running(Launch::default());
    run_sets(
        &mut api,
        &[
            ("cmi.interactions.0.id", "q", "true", "0"),
            ("cmi.interactions.0.objectives.0.id", "o", "true", "0"),
            ("cmi.objectives.0.id", "o", "true", "0"),
            ("cmi.exit", "suspend", "true", "0"),
        ],
    );
    let saved = end_session(&mut api);
    for (k, v) in &saved {
        assert!(validate_stored(k, v).is_ok(), "{k} = {v}");
    }
    let mut api = Api::new(Launch::default(), Some(saved));
    api.initialize("");
    run_gets(&mut api, &[("cmi.interactions._count", "1", "0"), ("cmi.interactions.0.objectives._count", "1", "0"), ("cmi.objectives._count", "1", "0")]);
    run_sets(&mut api, &[("cmi.interactions.2.id", "x", "false", "351"), ("cmi.interactions.1.id", "x", "true", "0")]);
}

#[test]
fn launch_from_page_configuration() {
    use scorm_shim::engine::config::Config;
    let config = Config {
        learner_id: "id-7".into(),
        learner_name: "Doe, Jane".into(),
        credit: false,
        mode: "browse".into(),
        launch_data: "ld".into(),
        comments_from_lms: "{lang=de}Hallo".into(),
        ..Config::default()
    };
    let mut api = running(Launch::from_config(&config));
    run_gets(
        &mut api,
        &[
            ("cmi.learner_id", "id-7", "0"),
            ("cmi.learner_name", "Doe, Jane", "0"),
            ("cmi.credit", "no-credit", "0"),
            ("cmi.mode", "browse", "0"),
            ("cmi.launch_data", "ld", "0"),
            ("cmi.comments_from_lms._count", "1", "0"),
            ("cmi.comments_from_lms.0.comment", "{lang=de}Hallo", "0"),
            ("cmi.comments_from_lms.0.timestamp", "", "403"),
        ],
    );
    let mut api = running(Launch::from_config(&Config::default()));
    run_gets(&mut api, &[("cmi.comments_from_lms._count", "0", "0"), ("cmi.learner_id", "learner", "0")]);
}

#[test]
fn failed_terminate_leaves_no_half_total_time() {
    let mut api = running(Launch::default());
    let mut host = RecordingHost { fail_with: Some("down".into()), ..Default::default() };
    run_sets(&mut api, &[("cmi.session_time", "PT10S", "true", "0")]);
    assert_eq!(api.terminate("", &mut host), "false");
    run_gets(&mut api, &[("cmi.total_time", "PT0H0M0S", "0")]);
    host.fail_with = None;
    assert_eq!(api.commit("", &mut host), "true");
    assert_eq!(host.persisted[0].1, vec![("cmi.session_time".to_string(), "PT10S".to_string())]);
    assert_eq!(api.terminate("", &mut host), "true");
    assert_eq!(host.persisted[1].1, vec![("cmi.exit".to_string(), String::new()), ("cmi.total_time".to_string(), "PT10S".to_string())]);
}

#[test]
fn saved_state_with_gaps_counts_only_the_contiguous_records() {
    let mut saved = Snapshot::new();
    for (k, v) in [
        ("cmi.objectives.0.id", "a"),
        ("cmi.objectives.1.id", "b"),
        ("cmi.objectives.999999999.id", "z"),
        ("cmi.interactions.1.id", "no-zero"),
    ] {
        saved.insert(k.into(), v.into());
    }
    let mut api = Api::new(Launch::default(), Some(saved));
    api.initialize("");
    run_gets(&mut api, &[("cmi.objectives._count", "2", "0"), ("cmi.interactions._count", "0", "0"), ("cmi.objectives.999999999.id", "", "301")]);
    run_sets(&mut api, &[("cmi.objectives.2.id", "c", "true", "0")]);
}

/// RTE 4.2.8/4.2.12: outside a sequenced course, a relaunch after a session
/// that ended the learner attempt starts a new attempt, unless the LMS asks
/// to review the ended one; a suspended or unterminated session goes on.
#[test]
fn relaunch_after_an_ended_attempt() {
    use scorm_shim::engine::scorm2004::relaunch;
    for exit in [Some("normal"), Some("logout"), Some("time-out"), Some(""), None] {
        let mut api = running(Launch::default());
        let mut sets = vec![
            ("cmi.location", "p3", "true", "0"),
            ("cmi.suspend_data", "state", "true", "0"),
            ("cmi.session_time", "PT5M", "true", "0"),
        ];
        if let Some(x) = exit {
            sets.push(("cmi.exit", x, "true", "0"));
        }
        run_sets(&mut api, &sets);
        let saved = end_session(&mut api);

        let (launch, state, new_attempt) = relaunch(Launch::default(), Some(saved.clone()), false);
        assert!(new_attempt, "{exit:?}");
        let mut api = Api::new(launch, state);
        api.initialize("");
        run_gets(
            &mut api,
            &[
                ("cmi.entry", "ab-initio", "0"),
                ("cmi.total_time", "PT0H0M0S", "0"),
                ("cmi.suspend_data", "", "403"),
                ("cmi.location", "", "403"),
                ("cmi.mode", "normal", "0"),
            ],
        );

        // The LMS reviews the ended attempt instead.
        let (launch, state, new_attempt) = relaunch(Launch::default(), Some(saved), true);
        assert!(!new_attempt);
        let mut api = Api::new(launch, state);
        api.initialize("");
        run_gets(
            &mut api,
            &[
                ("cmi.mode", "review", "0"),
                ("cmi.credit", "no-credit", "0"),
                ("cmi.entry", "", "0"),
                ("cmi.location", "p3", "0"),
                ("cmi.total_time", "PT5M", "0"),
            ],
        );
    }
    // A suspended session resumes, whether by cmi.exit or suspendAll.
    for (el, v) in [("cmi.exit", "suspend"), ("adl.nav.request", "suspendAll")] {
        let mut api = running(Launch::default());
        run_sets(&mut api, &[("cmi.location", "p3", "true", "0"), (el, v, "true", "0")]);
        let saved = end_session(&mut api);
        let (launch, state, new_attempt) = relaunch(Launch::default(), Some(saved), false);
        assert!(!new_attempt);
        let mut api = Api::new(launch, state);
        api.initialize("");
        run_gets(&mut api, &[("cmi.entry", "resume", "0"), ("cmi.location", "p3", "0"), ("cmi.mode", "normal", "0")]);
    }
    // A state a Commit stored (no Terminate, so no cmi.exit) goes on with entry "".
    let mut api = running(Launch::default());
    run_sets(&mut api, &[("cmi.location", "p2", "true", "0")]);
    let mut host = RecordingHost::default();
    assert_eq!(api.commit("", &mut host), "true");
    let (launch, state, new_attempt) = relaunch(Launch::default(), Some(api.snapshot()), false);
    assert!(!new_attempt);
    let mut api = Api::new(launch, state);
    api.initialize("");
    run_gets(&mut api, &[("cmi.entry", "", "0"), ("cmi.location", "p2", "0")]);
    // Nothing stored: a first attempt.
    assert_eq!(relaunch(Launch::default(), None, false), (Launch::default(), None, false));
}

// ---- Issue 12.6 and 12.8: value limits, and a saved state checked on load ----

fn limited(spm: bool, max_chars: usize) -> Launch {
    Launch { limits: scorm_shim::engine::rte::ValueLimits { max_chars, spm }, ..Launch::default() }
}

#[test]
fn characterstrings_past_their_spm_are_refused_with_351_and_nothing_changes() {
    let mut api = running(limited(true, usize::MAX));
    let exactly = |n: usize| "a".repeat(n);
    run_sets(
        &mut api,
        &[
            ("cmi.location", &exactly(1000), "true", "0"),
            ("cmi.location", &exactly(1001), "false", "351"),
            ("cmi.suspend_data", &exactly(64000), "true", "0"),
            ("cmi.suspend_data", &exactly(64001), "false", "351"),
            ("cmi.interactions.0.id", &exactly(4000), "true", "0"),
            ("cmi.interactions.1.id", &exactly(4001), "false", "351"),
            // The language delimiter is not counted.
            ("cmi.interactions.0.description", &format!("{{lang=fr}}{}", exactly(250)), "true", "0"),
            ("cmi.interactions.0.description", &format!("{{lang=fr}}{}", exactly(251)), "false", "351"),
            ("cmi.comments_from_learner.0.comment", &exactly(4000), "true", "0"),
            ("cmi.comments_from_learner.0.location", &exactly(251), "false", "351"),
            // Characters, not bytes.
            ("cmi.location", &"é".repeat(1000), "true", "0"),
        ],
    );
    assert_eq!(api.set_value("cmi.location", &exactly(1001)), "false");
    assert!(api.get_diagnostic("").contains("SPM"), "{}", api.get_diagnostic(""));
    // The refused values did not replace the accepted ones.
    run_gets(&mut api, &[("cmi.location", &"é".repeat(1000), "0"), ("cmi.suspend_data", &exactly(64000), "0"), ("cmi.interactions._count", "1", "0")]);
    // Without the SPM limits (the engine's default) an LMS may store more.
    let mut api = running(Launch::default());
    run_sets(&mut api, &[("cmi.location", &exactly(1001), "true", "0")]);
}

#[test]
fn any_value_past_the_stored_maximum_is_refused() {
    let mut api = running(limited(false, 100));
    run_sets(
        &mut api,
        &[
            ("cmi.interactions.0.id", "q1", "true", "0"),
            ("cmi.interactions.0.type", "fill-in", "true", "0"),
            ("cmi.interactions.0.learner_response", &"r".repeat(100), "true", "0"),
            ("cmi.interactions.0.learner_response", &"r".repeat(101), "false", "351"),
            ("cmi.location", &"x".repeat(101), "false", "351"),
        ],
    );
    // SCORM 1.2 answers 405.
    let mut api12 = scorm_shim::engine::scorm12::Api::new(
        scorm_shim::engine::scorm12::Launch { max_value_chars: 100, ..Default::default() },
        None,
    );
    api12.initialize("");
    assert_eq!(api12.set_value("cmi.suspend_data", &"s".repeat(100)), "true");
    assert_eq!(api12.set_value("cmi.suspend_data", &"s".repeat(101)), "false");
    assert_eq!(api12.get_last_error(), "405");
}

#[test]
fn a_saved_state_is_checked_on_load() {
    let mut saved = Snapshot::new();
    for (k, v) in [
        ("cmi.location", "p3"),
        ("cmi.exit", "suspend"),
        ("cmi.score.scaled", "7"),                 // out of range
        ("cmi.completion_status", "done"),          // not in the vocabulary
        ("cmi.learner_id", "someone-else"),         // read-only, from the launch
        ("cmi._version", "9"),                      // a keyword
        ("not.an.element", "x"),
        ("cmi.interactions.0.id", "q0"),
        ("cmi.interactions.0.type", "choice"),
        ("cmi.interactions.1.id", "bad id with spaces"),
        ("cmi.interactions.2.id", "q2"),            // past the gap left by 1
        ("cmi.interactions.99999999.id", "q9"),     // a stray huge index
        ("cmi.objectives.0.id", "o1"),
        ("cmi.objectives.0.score.raw", "12"),
        ("cmi.success_status", "passed"),
    ] {
        saved.insert(k.into(), v.into());
    }
    let mut api = Api::new(Launch::default(), Some(saved));
    assert_eq!(api.initialize(""), "true");
    run_gets(
        &mut api,
        &[
            ("cmi.entry", "resume", "0"),
            ("cmi.location", "p3", "0"),
            ("cmi.score.scaled", "", "403"),
            ("cmi.completion_status", "unknown", "0"),
            ("cmi.learner_id", "learner", "0"),
            ("cmi.interactions._count", "1", "0"),
            ("cmi.interactions.0.id", "q0", "0"),
            ("cmi.objectives._count", "1", "0"),
            ("cmi.objectives.0.score.raw", "12", "0"),
            ("cmi.success_status", "passed", "0"),
        ],
    );
    let snap = api.snapshot();
    for k in ["cmi.score.scaled", "cmi.learner_id", "cmi._version", "not.an.element", "cmi.interactions.1.id", "cmi.interactions.2.id", "cmi.interactions.99999999.id"] {
        assert!(!snap.contains_key(k), "{k} kept");
    }
    for (k, v) in &snap {
        assert!(validate_stored(k, v).is_ok(), "{k} = {v}");
    }
}
