//! SCORM 1.2 run-time conformance suite: every data model element with valid
//! and invalid values, access rules, keywords, array ordering, the API state
//! machine, and the LMS-side behaviours (status, total time, resume,
//! persistence). Expected values come from the SCORM 1.2 RTE §3.3–3.4.

use scorm_shim::engine::rte::{ApiState, NullHost, PersistReason, RecordingHost, Snapshot};
use scorm_shim::engine::scorm12::{validate_stored, Api, Launch, ERRORS};

fn running(launch: Launch) -> Api {
    let mut api = Api::new(launch, None);
    assert_eq!(api.initialize(""), "true");
    api
}

/// A running API with objective 0 and interaction 0 (type `choice`) made.
fn with_records() -> Api {
    let mut api = running(Launch::default());
    for (e, v) in [("cmi.objectives.0.id", "obj0"), ("cmi.interactions.0.id", "q0"), ("cmi.interactions.0.type", "choice")] {
        assert_eq!(api.set_value(e, v), "true", "{e}");
    }
    api
}

fn chars(n: usize) -> String {
    "é".repeat(n)
}

#[test]
fn set_value_table() {
    let s255 = chars(255);
    let s256 = chars(256);
    let s4096 = chars(4096);
    let s4097 = chars(4097);
    let id255 = "i".repeat(255);
    let id256 = "i".repeat(256);
    // (element, value, expected error code)
    let cases: Vec<(&str, &str, &str)> = vec![
        // cmi.core
        ("cmi.core.lesson_location", "", "0"),
        ("cmi.core.lesson_location", "page 3, frame 2", "0"),
        ("cmi.core.lesson_location", &s255, "0"),
        ("cmi.core.lesson_location", &s256, "405"),
        ("cmi.core.lesson_status", "passed", "0"),
        ("cmi.core.lesson_status", "completed", "0"),
        ("cmi.core.lesson_status", "failed", "0"),
        ("cmi.core.lesson_status", "incomplete", "0"),
        ("cmi.core.lesson_status", "browsed", "0"),
        ("cmi.core.lesson_status", "not attempted", "405"),
        ("cmi.core.lesson_status", "Completed", "405"),
        ("cmi.core.lesson_status", "complete", "405"),
        ("cmi.core.lesson_status", "", "405"),
        ("cmi.core.score.raw", "0", "0"),
        ("cmi.core.score.raw", "100", "0"),
        ("cmi.core.score.raw", "85.5", "0"),
        ("cmi.core.score.raw", "", "0"),
        ("cmi.core.score.raw", "-1", "405"),
        ("cmi.core.score.raw", "100.01", "405"),
        ("cmi.core.score.raw", "abc", "405"),
        ("cmi.core.score.raw", "1e2", "405"),
        ("cmi.core.score.raw", " 5", "405"),
        ("cmi.core.score.min", "0", "0"),
        ("cmi.core.score.min", "", "0"),
        ("cmi.core.score.min", "101", "405"),
        ("cmi.core.score.max", "100", "0"),
        ("cmi.core.score.max", "-0.5", "405"),
        ("cmi.core.exit", "time-out", "0"),
        ("cmi.core.exit", "suspend", "0"),
        ("cmi.core.exit", "logout", "0"),
        ("cmi.core.exit", "", "0"),
        ("cmi.core.exit", "normal", "405"),
        ("cmi.core.exit", "Suspend", "405"),
        ("cmi.core.session_time", "00:00:00", "0"),
        ("cmi.core.session_time", "1234:44:30", "0"),
        ("cmi.core.session_time", "9999:59:59.99", "0"),
        ("cmi.core.session_time", "00:00:01.5", "0"),
        ("cmi.core.session_time", "0:00:00", "405"),
        ("cmi.core.session_time", "10000:00:00", "405"),
        ("cmi.core.session_time", "00:00:00.123", "405"),
        ("cmi.core.session_time", "00:61:00", "405"),
        ("cmi.core.session_time", "PT1M", "405"),
        ("cmi.core.session_time", "", "405"),
        // read-only
        ("cmi.core.student_id", "x", "403"),
        ("cmi.core.student_name", "x", "403"),
        ("cmi.core.credit", "credit", "403"),
        ("cmi.core.entry", "resume", "403"),
        ("cmi.core.total_time", "00:00:00", "403"),
        ("cmi.core.lesson_mode", "normal", "403"),
        ("cmi.launch_data", "x", "403"),
        ("cmi.comments_from_lms", "x", "403"),
        ("cmi.student_data.mastery_score", "80", "403"),
        ("cmi.student_data.max_time_allowed", "00:10:00", "403"),
        ("cmi.student_data.time_limit_action", "exit,message", "403"),
        // keywords
        ("cmi._version", "3.4", "402"),
        ("cmi.core._children", "student_id", "402"),
        ("cmi.core.score._children", "raw", "402"),
        ("cmi.objectives._children", "id", "402"),
        ("cmi.objectives._count", "3", "402"),
        ("cmi.objectives.0.score._children", "raw", "402"),
        ("cmi.student_data._children", "x", "402"),
        ("cmi.student_preference._children", "x", "402"),
        ("cmi.interactions._children", "x", "402"),
        ("cmi.interactions._count", "1", "402"),
        ("cmi.interactions.0.objectives._count", "1", "402"),
        ("cmi.interactions.0.correct_responses._count", "1", "402"),
        ("cmi.core._count", "1", "402"),
        ("cmi.core.student_id._children", "x", "402"),
        // cmi.suspend_data, cmi.comments
        ("cmi.suspend_data", "", "0"),
        ("cmi.suspend_data", &s4096, "0"),
        ("cmi.comments", "line 5 is confusing", "0"),
        ("cmi.comments", &s4096, "0"),
        ("cmi.comments", &s4097, "405"),
        // cmi.objectives
        ("cmi.objectives.0.id", "obj_1", "0"),
        ("cmi.objectives.0.id", "urn:x:obj-1", "0"),
        ("cmi.objectives.0.id", &id255, "0"),
        ("cmi.objectives.0.id", &id256, "405"),
        ("cmi.objectives.0.id", "", "405"),
        ("cmi.objectives.0.id", "a b", "405"),
        ("cmi.objectives.0.id", "a\tb", "405"),
        ("cmi.objectives.0.score.raw", "96.7", "0"),
        ("cmi.objectives.0.score.raw", "", "0"),
        ("cmi.objectives.0.score.raw", "150", "405"),
        ("cmi.objectives.0.score.min", "0", "0"),
        ("cmi.objectives.0.score.max", "100", "0"),
        ("cmi.objectives.0.score.max", "x", "405"),
        ("cmi.objectives.0.status", "not attempted", "0"),
        ("cmi.objectives.0.status", "passed", "0"),
        ("cmi.objectives.0.status", "browsed", "0"),
        ("cmi.objectives.0.status", "done", "405"),
        ("cmi.objectives.1.id", "obj1", "0"),
        ("cmi.objectives.3.id", "obj3", "201"),
        ("cmi.objectives.01.id", "obj1", "201"),
        ("cmi.objectives.n.id", "x", "401"),
        // cmi.student_preference
        ("cmi.student_preference.audio", "-1", "0"),
        ("cmi.student_preference.audio", "0", "0"),
        ("cmi.student_preference.audio", "100", "0"),
        ("cmi.student_preference.audio", "-2", "405"),
        ("cmi.student_preference.audio", "101", "405"),
        ("cmi.student_preference.audio", "1.5", "405"),
        ("cmi.student_preference.audio", "", "405"),
        ("cmi.student_preference.language", "", "0"),
        ("cmi.student_preference.language", "fr-CA", "0"),
        ("cmi.student_preference.language", &s255, "0"),
        ("cmi.student_preference.language", &s256, "405"),
        ("cmi.student_preference.speed", "-100", "0"),
        ("cmi.student_preference.speed", "100", "0"),
        ("cmi.student_preference.speed", "-101", "405"),
        ("cmi.student_preference.speed", "101", "405"),
        ("cmi.student_preference.text", "-1", "0"),
        ("cmi.student_preference.text", "0", "0"),
        ("cmi.student_preference.text", "1", "0"),
        ("cmi.student_preference.text", "2", "405"),
        ("cmi.student_preference.text", "-2", "405"),
        // cmi.interactions
        ("cmi.interactions.0.id", "q_1", "0"),
        ("cmi.interactions.0.id", "", "405"),
        ("cmi.interactions.0.id", "q 1", "405"),
        ("cmi.interactions.0.objectives.0.id", "A1333", "0"),
        ("cmi.interactions.0.objectives.0.id", "", "405"),
        ("cmi.interactions.0.objectives.1.id", "Obj123", "201"),
        ("cmi.interactions.0.objectives.3.id", "Obj3", "201"),
        ("cmi.interactions.0.time", "00:00:00", "0"),
        ("cmi.interactions.0.time", "23:59:59.99", "0"),
        ("cmi.interactions.0.time", "12:00:00.5", "0"),
        ("cmi.interactions.0.time", "24:00:00", "405"),
        ("cmi.interactions.0.time", "12:00", "405"),
        ("cmi.interactions.0.time", "120:00:00", "405"),
        ("cmi.interactions.0.type", "true-false", "0"),
        ("cmi.interactions.0.type", "choice", "0"),
        ("cmi.interactions.0.type", "fill-in", "0"),
        ("cmi.interactions.0.type", "matching", "0"),
        ("cmi.interactions.0.type", "performance", "0"),
        ("cmi.interactions.0.type", "sequencing", "0"),
        ("cmi.interactions.0.type", "likert", "0"),
        ("cmi.interactions.0.type", "numeric", "0"),
        ("cmi.interactions.0.type", "multiple-choice", "405"),
        ("cmi.interactions.0.type", "choice", "0"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a", "0"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a,b,c", "0"),
        ("cmi.interactions.0.correct_responses.0.pattern", "{a,b}", "0"),
        ("cmi.interactions.0.correct_responses.0.pattern", "ab", "405"),
        ("cmi.interactions.0.correct_responses.1.pattern", "b", "201"),
        ("cmi.interactions.0.correct_responses.5.pattern", "b", "201"),
        ("cmi.interactions.0.weighting", "1", "0"),
        ("cmi.interactions.0.weighting", "-2.5", "0"),
        ("cmi.interactions.0.weighting", "heavy", "405"),
        ("cmi.interactions.0.student_response", "c", "0"),
        ("cmi.interactions.0.student_response", "paris", "405"),
        ("cmi.interactions.0.result", "correct", "0"),
        ("cmi.interactions.0.result", "wrong", "0"),
        ("cmi.interactions.0.result", "unanticipated", "0"),
        ("cmi.interactions.0.result", "neutral", "0"),
        ("cmi.interactions.0.result", "0.5", "0"),
        ("cmi.interactions.0.result", "right", "405"),
        ("cmi.interactions.0.latency", "00:29:00", "0"),
        ("cmi.interactions.0.latency", "1234:44:30", "0"),
        ("cmi.interactions.0.latency", "29 min", "405"),
        ("cmi.interactions.1.id", "q1", "0"),
        ("cmi.interactions.1.time", "10:00:00", "0"),
        ("cmi.interactions.2.time", "10:00:00", "201"),
        ("cmi.interactions.9.id", "q9", "201"),
        ("cmi.interactions.4.objectives.0.id", "x", "201"),
        // not in the data model
        ("cmi.core.foo", "x", "401"),
        ("xyz.score.result", "x", "401"),
        ("cmi.completion_status", "completed", "401"),
        ("cmi.interactions.0.description", "x", "401"),
        ("cmi.core", "x", "201"),
        ("", "x", "201"),
    ];
    for (element, value, code) in cases {
        let mut api = with_records();
        let want = if code == "0" { "true" } else { "false" };
        assert_eq!(api.set_value(element, value), want, "set {element} = {value:?}");
        assert_eq!(api.get_last_error(), code, "set {element} = {value:?}: {}", api.get_diagnostic(""));
        // Readable elements give back what was set; write-only ones say 404.
        if code == "0" {
            let got = api.get_value(element);
            let err = api.get_last_error();
            let write_only = element.starts_with("cmi.interactions.")
                || element == "cmi.core.exit"
                || element == "cmi.core.session_time";
            if write_only {
                assert_eq!((got.as_str(), err.as_str()), ("", "404"), "get {element}");
            } else {
                assert_eq!((got.as_str(), err.as_str()), (value, "0"), "get {element}");
            }
        }
    }
}

#[test]
fn feedback_follows_interaction_type() {
    // (type, response, accepted)
    let cases = [
        ("true-false", "t", true),
        ("true-false", "f", true),
        ("true-false", "0", true),
        ("true-false", "1", true),
        ("true-false", "true", true),
        ("true-false", "yes", false),
        ("true-false", "", false),
        ("choice", "a", true),
        ("choice", "1,2,3", true),
        ("choice", "{a,b}", true),
        ("choice", "a,", false),
        ("choice", "", false),
        ("choice", "{a,b", false),
        ("fill-in", "The Eiffel tower", true),
        ("fill-in", "", true),
        ("numeric", "12.5", true),
        ("numeric", "-3", true),
        ("numeric", "twelve", false),
        ("likert", "", true),
        ("likert", "3", true),
        ("likert", "34", false),
        ("matching", "a.1,b.2", true),
        ("matching", "{a.1,b.2}", true),
        ("matching", "a-1", false),
        ("matching", "ab.1", false),
        ("performance", "step one then two", true),
        ("sequencing", "c,a,b", true),
        ("sequencing", "{c,a}", false),
        ("sequencing", "cab", false),
    ];
    for (ty, response, ok) in cases {
        let mut api = running(Launch::default());
        assert_eq!(api.set_value("cmi.interactions.0.type", ty), "true");
        for element in ["cmi.interactions.0.student_response", "cmi.interactions.0.correct_responses.0.pattern"] {
            let want = if ok { "true" } else { "false" };
            assert_eq!(api.set_value(element, response), want, "{ty} {element} {response:?}");
            assert_eq!(api.get_last_error(), if ok { "0" } else { "405" });
        }
    }
    // Without a type, CMIFeedback is any CMIString255.
    let mut api = running(Launch::default());
    assert_eq!(api.set_value("cmi.interactions.0.student_response", "anything at all"), "true");
    assert_eq!(api.set_value("cmi.interactions.0.student_response", &"x".repeat(256)), "false");
    assert_eq!(api.get_last_error(), "405");
    // Launch.lenient_feedback: any CMIString255 whatever the type.
    let mut api = running(Launch { lenient_feedback: true, ..Launch::default() });
    assert_eq!(api.set_value("cmi.interactions.0.type", "choice"), "true");
    assert_eq!(api.set_value("cmi.interactions.0.student_response", "Paris, France"), "true");
    assert_eq!(api.set_value("cmi.interactions.0.correct_responses.0.pattern", "Paris"), "true");
    assert_eq!(api.set_value("cmi.interactions.0.student_response", &"x".repeat(256)), "false");
    assert_eq!(api.get_last_error(), "405");
}

#[test]
fn get_value_table() {
    let launch = Launch {
        student_id: "S-36".into(),
        student_name: "Student, Joe".into(),
        credit: true,
        lesson_mode: "normal".into(),
        launch_data: "SCO1LaunchData".into(),
        comments_from_lms: "Well done".into(),
        mastery_score: Some(80.0),
        max_time_allowed: Some("00:30:00".into()),
        time_limit_action: Some("continue,no message".into()),
        ..Launch::default()
    };
    let mut api = running(launch);
    for (e, v) in [
        ("cmi.objectives.0.id", "o0"),
        ("cmi.objectives.1.id", "o1"),
        ("cmi.interactions.0.id", "q0"),
        ("cmi.interactions.0.objectives.0.id", "o0"),
        ("cmi.interactions.0.objectives.1.id", "o1"),
        ("cmi.interactions.0.objectives.2.id", "o2"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a"),
    ] {
        assert_eq!(api.set_value(e, v), "true", "{e}");
    }
    // (element, expected value, expected code)
    let cases: &[(&str, &str, &str)] = &[
        ("cmi._version", "3.4", "0"),
        (
            "cmi.core._children",
            "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
            "0",
        ),
        ("cmi.core.student_id", "S-36", "0"),
        ("cmi.core.student_name", "Student, Joe", "0"),
        ("cmi.core.lesson_location", "", "0"),
        ("cmi.core.credit", "credit", "0"),
        ("cmi.core.lesson_status", "not attempted", "0"),
        ("cmi.core.entry", "ab-initio", "0"),
        ("cmi.core.score._children", "raw,min,max", "0"),
        ("cmi.core.score.raw", "", "0"),
        ("cmi.core.score.min", "", "0"),
        ("cmi.core.score.max", "", "0"),
        ("cmi.core.total_time", "0000:00:00.00", "0"),
        ("cmi.core.lesson_mode", "normal", "0"),
        ("cmi.core.exit", "", "404"),
        ("cmi.core.session_time", "", "404"),
        ("cmi.suspend_data", "", "0"),
        ("cmi.launch_data", "SCO1LaunchData", "0"),
        ("cmi.comments", "", "0"),
        ("cmi.comments_from_lms", "Well done", "0"),
        ("cmi.objectives._children", "id,score,status", "0"),
        ("cmi.objectives._count", "2", "0"),
        ("cmi.objectives.1.id", "o1", "0"),
        ("cmi.objectives.1.status", "", "0"),
        ("cmi.objectives.1.score._children", "raw,min,max", "0"),
        ("cmi.objectives.1.score.raw", "", "0"),
        ("cmi.objectives.2.id", "", "201"),
        ("cmi.objectives.2.score.raw", "", "201"),
        ("cmi.student_data._children", "mastery_score,max_time_allowed,time_limit_action", "0"),
        ("cmi.student_data.mastery_score", "80", "0"),
        ("cmi.student_data.max_time_allowed", "00:30:00", "0"),
        ("cmi.student_data.time_limit_action", "continue,no message", "0"),
        ("cmi.student_preference._children", "audio,language,speed,text", "0"),
        ("cmi.student_preference.audio", "", "0"),
        ("cmi.student_preference.language", "", "0"),
        ("cmi.student_preference.speed", "", "0"),
        ("cmi.student_preference.text", "", "0"),
        (
            "cmi.interactions._children",
            "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
            "0",
        ),
        ("cmi.interactions._count", "1", "0"),
        ("cmi.interactions.0.objectives._count", "3", "0"),
        ("cmi.interactions.0.correct_responses._count", "1", "0"),
        ("cmi.interactions.1.objectives._count", "", "201"),
        ("cmi.interactions.0.id", "", "404"),
        ("cmi.interactions.0.objectives.0.id", "", "404"),
        ("cmi.interactions.0.time", "", "404"),
        ("cmi.interactions.0.type", "", "404"),
        ("cmi.interactions.0.correct_responses.0.pattern", "", "404"),
        ("cmi.interactions.0.weighting", "", "404"),
        ("cmi.interactions.0.student_response", "", "404"),
        ("cmi.interactions.0.result", "", "404"),
        ("cmi.interactions.0.latency", "", "404"),
        // _children / _count where there are none
        ("cmi.core.student_id._children", "", "202"),
        ("cmi.core.lesson_status._children", "", "202"),
        ("cmi.interactions.0.objectives._children", "", "202"),
        ("cmi.core._count", "", "203"),
        ("cmi.core.score._count", "", "203"),
        ("cmi.student_preference._count", "", "203"),
        ("cmi.objectives.0.score._count", "", "203"),
        // not elements
        ("cmi.core.foo", "", "401"),
        ("xyz.score.result", "", "401"),
        ("cmi.learner_id", "", "401"),
        ("cmi.core", "", "201"),
        ("cmi.objectives.00.id", "", "201"),
        ("", "", "201"),
    ];
    for (element, value, code) in cases {
        assert_eq!(api.get_value(element), *value, "get {element}");
        assert_eq!(api.get_last_error(), *code, "get {element}: {}", api.get_diagnostic(""));
    }
}

#[test]
fn launch_values() {
    let launch = Launch { credit: false, lesson_mode: "browse".into(), mastery_score: Some(72.5), ..Launch::default() };
    let mut api = running(launch);
    assert_eq!(api.get_value("cmi.core.credit"), "no-credit");
    assert_eq!(api.get_value("cmi.core.lesson_mode"), "browse");
    assert_eq!(api.get_value("cmi.student_data.mastery_score"), "72.5");
    assert_eq!(api.get_value("cmi.student_data.max_time_allowed"), "");
    assert_eq!(api.get_last_error(), "0");
    let odd = Launch {
        lesson_mode: "weird".into(),
        max_time_allowed: Some("soon".into()),
        time_limit_action: Some("explode".into()),
        mastery_score: Some(f64::NAN),
        ..Launch::default()
    };
    let mut api = running(odd);
    assert_eq!(api.get_value("cmi.core.lesson_mode"), "normal");
    assert_eq!(api.get_value("cmi.student_data.max_time_allowed"), "");
    assert_eq!(api.get_value("cmi.student_data.time_limit_action"), "");
    assert_eq!(api.get_value("cmi.student_data.mastery_score"), "");
    // A mastery score outside 0..100 is ignored; one with many decimals is rounded.
    for (m, text) in [(150.0, ""), (-1.0, ""), (0.0, "0"), (100.0, "100"), (1.0 / 3.0, "0.3333333")] {
        let mut api = running(Launch { mastery_score: Some(m), ..Launch::default() });
        assert_eq!(api.get_value("cmi.student_data.mastery_score"), text, "{m}");
    }
    let (_, snap) = session(&Launch { mastery_score: Some(150.0), ..Launch::default() }, None, &[("cmi.core.score.raw", "100")]);
    assert_eq!(snap["cmi.core.lesson_status"], "completed");
}

#[test]
fn suspend_data_limit_comes_from_the_launch() {
    for (limit, len, ok) in [(65_536, 65_536, true), (65_536, 65_537, false), (4_096, 4_096, true), (4_096, 4_097, false)] {
        let mut api = running(Launch { suspend_data_limit: limit, ..Launch::default() });
        let want = if ok { "true" } else { "false" };
        assert_eq!(api.set_value("cmi.suspend_data", &"d".repeat(len)), want, "{limit} {len}");
        assert_eq!(api.get_last_error(), if ok { "0" } else { "405" });
    }
    // Characters, not bytes.
    let mut api = running(Launch { suspend_data_limit: 4_096, ..Launch::default() });
    assert_eq!(api.set_value("cmi.suspend_data", &"😀".repeat(4_096)), "true");
}

#[test]
fn state_machine_and_error_calls() {
    let mut host = NullHost;
    let mut api = Api::new(Launch::default(), None);
    assert_eq!(api.state(), ApiState::NotInitialized);
    // Before LMSInitialize: 301 for everything but the error calls.
    assert_eq!(api.get_value("cmi.core.student_id"), "");
    assert_eq!(api.get_last_error(), "301");
    assert_eq!(api.set_value("cmi.core.lesson_location", "x"), "false");
    assert_eq!(api.get_last_error(), "301");
    assert_eq!(api.commit("", &mut host), "false");
    assert_eq!(api.get_last_error(), "301");
    assert_eq!(api.finish("", &mut host), "false");
    assert_eq!(api.get_last_error(), "301");
    assert_eq!(api.get_error_string("301"), "Not initialized");
    assert_eq!(api.get_diagnostic(""), "LMSFinish outside an initialized session");
    // Arguments other than "" are 201 and change nothing.
    assert_eq!(api.initialize("now"), "false");
    assert_eq!(api.get_last_error(), "201");
    assert_eq!(api.state(), ApiState::NotInitialized);
    assert_eq!(api.initialize(""), "true");
    assert_eq!(api.state(), ApiState::Running);
    assert_eq!(api.initialize(""), "false");
    assert_eq!(api.get_last_error(), "101");
    assert_eq!(api.commit("x", &mut host), "false");
    assert_eq!(api.get_last_error(), "201");
    assert_eq!(api.finish("x", &mut host), "false");
    assert_eq!(api.get_last_error(), "201");
    assert_eq!(api.state(), ApiState::Running);
    // A successful call resets the error.
    assert_eq!(api.get_value("cmi.core.student_id"), "learner");
    assert_eq!(api.get_last_error(), "0");
    assert_eq!(api.commit("", &mut host), "true");
    assert_eq!(api.finish("", &mut host), "true");
    assert_eq!(api.state(), ApiState::Terminated);
    // After LMSFinish: 301 again, and no re-initialize.
    assert_eq!(api.set_value("cmi.core.lesson_location", "x"), "false");
    assert_eq!(api.get_last_error(), "301");
    assert_eq!(api.commit("", &mut host), "false");
    assert_eq!(api.get_last_error(), "301");
    assert_eq!(api.finish("", &mut host), "false");
    assert_eq!(api.get_last_error(), "301");
    assert_eq!(api.initialize(""), "false");
    assert_eq!(api.get_last_error(), "101");
}

#[test]
fn error_strings_and_diagnostics() {
    let api = Api::new(Launch::default(), None);
    for (code, text) in ERRORS {
        assert_eq!(api.get_error_string(&code.to_string()), *text);
        assert_eq!(api.get_diagnostic(&code.to_string()), if *code == 0 { "No error" } else { text });
    }
    for unknown in ["", "999", "abc", "-1", "102"] {
        assert_eq!(api.get_error_string(unknown), "", "{unknown}");
    }
    let codes: Vec<u16> = ERRORS.iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, [0, 101, 201, 202, 203, 301, 401, 402, 403, 404, 405]);
    let mut api = running(Launch::default());
    api.set_value("cmi.core.lesson_status", "done");
    assert_eq!(api.get_last_error(), "405");
    assert!(api.get_diagnostic("").contains("cmi.core.lesson_status"));
    assert!(api.get_diagnostic("405").contains("cmi.core.lesson_status"));
    assert_eq!(api.get_diagnostic("403"), "Element is read only");
}

/// Run one session: set the values, finish, return the saved state.
fn session(launch: &Launch, saved: Option<Snapshot>, sets: &[(&str, &str)]) -> (Api, Snapshot) {
    let mut api = Api::new(launch.clone(), saved);
    assert_eq!(api.initialize(""), "true");
    for (e, v) in sets {
        assert_eq!(api.set_value(e, v), "true", "{e} = {v}: {}", api.get_diagnostic(""));
    }
    let mut host = RecordingHost::default();
    assert_eq!(api.finish("", &mut host), "true");
    let snap = host.last_snapshot.clone().unwrap_or_default();
    assert_eq!(snap, api.snapshot());
    (api, snap)
}

fn status_after(launch: Launch, sets: &[(&str, &str)]) -> String {
    let (_, snap) = session(&launch, None, sets);
    snap.get("cmi.core.lesson_status").cloned().unwrap_or_default()
}

#[test]
fn lesson_status_decided_by_the_lms() {
    let mastery = |m: f64| Launch { mastery_score: Some(m), ..Launch::default() };
    type Case<'a> = (Launch, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (Launch::default(), vec![], "completed"),
        (Launch::default(), vec![("cmi.core.lesson_status", "incomplete")], "incomplete"),
        (Launch::default(), vec![("cmi.core.score.raw", "10")], "completed"),
        (mastery(80.0), vec![("cmi.core.score.raw", "85")], "passed"),
        (mastery(80.0), vec![("cmi.core.score.raw", "80")], "passed"),
        (mastery(80.0), vec![("cmi.core.score.raw", "79.99")], "failed"),
        (mastery(80.0), vec![("cmi.core.lesson_status", "completed"), ("cmi.core.score.raw", "50")], "failed"),
        (mastery(80.0), vec![("cmi.core.lesson_status", "incomplete"), ("cmi.core.score.raw", "90")], "passed"),
        (mastery(80.0), vec![], "completed"),
        (mastery(80.0), vec![("cmi.core.score.raw", "")], "completed"),
        (mastery(80.0), vec![("cmi.core.lesson_status", "incomplete")], "incomplete"),
        (Launch { credit: false, ..mastery(80.0) }, vec![("cmi.core.score.raw", "50")], "completed"),
        (
            Launch { credit: false, ..mastery(80.0) },
            vec![("cmi.core.score.raw", "50"), ("cmi.core.lesson_status", "passed")],
            "passed",
        ),
        (Launch { lesson_mode: "browse".into(), credit: false, ..Launch::default() }, vec![], "browsed"),
        (
            Launch { lesson_mode: "browse".into(), ..Launch::default() },
            vec![("cmi.core.lesson_status", "incomplete")],
            "incomplete",
        ),
        (Launch { lesson_mode: "review".into(), ..mastery(80.0) }, vec![("cmi.core.score.raw", "10")], "not attempted"),
    ];
    for (i, (launch, sets, want)) in cases.into_iter().enumerate() {
        assert_eq!(status_after(launch, &sets), want, "case {i}: {sets:?}");
    }
}

#[test]
fn total_time_accumulates_session_times() {
    let l = Launch::default();
    // Only the last session_time of a session counts.
    let (_, s1) = session(&l, None, &[
        ("cmi.core.session_time", "05:00:00"),
        ("cmi.core.session_time", "01:30:00"),
        ("cmi.core.exit", "suspend"),
    ]);
    assert_eq!(s1["cmi.core.total_time"], "0001:30:00.00");
    let (mut api, s2) = session(&l, Some(s1), &[("cmi.core.session_time", "00:45:30.5")]);
    assert_eq!(s2["cmi.core.total_time"], "0002:15:30.50");
    assert_eq!(api.get_value("cmi.core.total_time"), "", "no GetValue after LMSFinish");
    // A session that sets no session_time adds nothing; a new attempt keeps the total.
    let (_, s3) = session(&l, Some(s2), &[]);
    assert_eq!(s3["cmi.core.total_time"], "0002:15:30.50");
    // Carries over minutes, hours; holds at the CMITimespan maximum.
    let (_, s4) = session(&l, Some(s3), &[("cmi.core.session_time", "00:44:29.50")]);
    assert_eq!(s4["cmi.core.total_time"], "0003:00:00.00");
    let (_, s5) = session(&l, Some(s4), &[("cmi.core.session_time", "9998:00:00")]);
    assert_eq!(s5["cmi.core.total_time"], "9999:59:59.99");
    let (_, s6) = session(&l, Some(s5), &[("cmi.core.session_time", "00:00:01")]);
    assert_eq!(s6["cmi.core.total_time"], "9999:59:59.99");
    // The SCO reads the total at launch.
    let mut api2 = running_with(&l, s6);
    assert_eq!(api2.get_value("cmi.core.total_time"), "9999:59:59.99");
    let _ = &mut api;
}

fn running_with(l: &Launch, saved: Snapshot) -> Api {
    let mut api = Api::new(l.clone(), Some(saved));
    assert_eq!(api.initialize(""), "true");
    api
}

#[test]
fn resume_after_suspend_restores_everything() {
    let l = Launch::default();
    let (_, saved) = session(&l, None, &[
        ("cmi.core.lesson_location", "page7"),
        ("cmi.core.lesson_status", "incomplete"),
        ("cmi.core.score.raw", "40"),
        ("cmi.suspend_data", "state=xyz"),
        ("cmi.comments", "hard"),
        ("cmi.objectives.0.id", "o0"),
        ("cmi.objectives.0.status", "failed"),
        ("cmi.student_preference.audio", "50"),
        ("cmi.interactions.0.id", "q0"),
        ("cmi.interactions.0.objectives.0.id", "o0"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a"),
        ("cmi.interactions.1.id", "q1"),
        ("cmi.core.session_time", "00:10:00"),
        ("cmi.core.exit", "suspend"),
    ]);
    let mut api = running_with(&l, saved);
    for (e, v) in [
        ("cmi.core.entry", "resume"),
        ("cmi.core.lesson_location", "page7"),
        ("cmi.core.lesson_status", "incomplete"),
        ("cmi.core.score.raw", "40"),
        ("cmi.suspend_data", "state=xyz"),
        ("cmi.comments", "hard"),
        ("cmi.objectives._count", "1"),
        ("cmi.objectives.0.status", "failed"),
        ("cmi.student_preference.audio", "50"),
        ("cmi.interactions._count", "2"),
        ("cmi.interactions.0.objectives._count", "1"),
        ("cmi.interactions.0.correct_responses._count", "1"),
        ("cmi.interactions.1.correct_responses._count", "0"),
        ("cmi.core.total_time", "0000:10:00.00"),
    ] {
        assert_eq!(api.get_value(e), v, "{e}");
        assert_eq!(api.get_last_error(), "0", "{e}");
    }
    // Arrays continue at their _count.
    assert_eq!(api.set_value("cmi.interactions.2.id", "q2"), "true");
    assert_eq!(api.set_value("cmi.interactions.4.id", "q4"), "false");
    assert_eq!(api.get_last_error(), "201");
    // The suspended session's exit does not leak: finishing without exit
    // means the next launch is not a resume.
    let mut host = RecordingHost::default();
    assert_eq!(api.finish("", &mut host), "true");
    let mut next = Api::new(l.clone(), host.last_snapshot.clone());
    assert_eq!(next.initialize(""), "true");
    assert_eq!(next.get_value("cmi.core.entry"), "");
    assert_eq!(next.get_value("cmi.suspend_data"), "", "a new attempt");
}

#[test]
fn new_attempt_after_normal_exit() {
    let l = Launch::default();
    let (_, saved) = session(&l, None, &[
        ("cmi.core.lesson_location", "page7"),
        ("cmi.core.lesson_status", "failed"),
        ("cmi.core.score.raw", "40"),
        ("cmi.suspend_data", "state=xyz"),
        ("cmi.comments", "hard"),
        ("cmi.objectives.0.id", "o0"),
        ("cmi.student_preference.language", "fr"),
        ("cmi.interactions.0.id", "q0"),
        ("cmi.core.session_time", "00:10:00"),
        ("cmi.core.exit", "logout"),
    ]);
    let mut api = running_with(&l, saved);
    for (e, v) in [
        ("cmi.core.entry", ""),
        ("cmi.core.lesson_location", ""),
        ("cmi.core.lesson_status", "failed"),
        ("cmi.core.score.raw", "40"),
        ("cmi.suspend_data", ""),
        ("cmi.comments", "hard"),
        ("cmi.objectives._count", "1"),
        ("cmi.objectives.0.id", "o0"),
        ("cmi.student_preference.language", "fr"),
        ("cmi.interactions._count", "0"),
        ("cmi.core.total_time", "0000:10:00.00"),
    ] {
        assert_eq!(api.get_value(e), v, "{e}");
    }
    // The dropped elements go to the host as cleared.
    let mut host = RecordingHost::default();
    assert_eq!(api.commit("", &mut host), "true");
    let changes = &host.persisted[0].1;
    for e in ["cmi.suspend_data", "cmi.core.lesson_location", "cmi.interactions.0.id", "cmi.core.exit"] {
        assert!(changes.iter().any(|(k, v)| k == e && v.is_empty()), "{e} in {changes:?}");
    }
}

#[test]
fn saved_state_is_checked_on_restore() {
    let mut saved = Snapshot::new();
    for (k, v) in [
        ("cmi.core.exit", "suspend"),
        ("cmi.suspend_data", "ok"),
        ("cmi.core.lesson_status", "finished"),
        ("cmi.core.total_time", "garbage"),
        ("cmi.objectives.0.id", "o0"),
        ("cmi.objectives.4000000000.id", "far"),
        ("cmi.interactions.99999.id", "far"),
        ("cmi.objectives._count", "7"),
        ("cmi.nonsense", "x"),
    ] {
        saved.insert(k.into(), v.into());
    }
    let mut api = running_with(&Launch::default(), saved);
    assert_eq!(api.get_value("cmi.suspend_data"), "ok");
    assert_eq!(api.get_value("cmi.core.lesson_status"), "not attempted");
    assert_eq!(api.get_value("cmi.core.total_time"), "0000:00:00.00");
    assert_eq!(api.get_value("cmi.objectives._count"), "1");
    assert_eq!(api.get_value("cmi.interactions._count"), "0");
    assert!(!api.snapshot().contains_key("cmi.nonsense"));
}

#[test]
fn persistence_hands_over_changes_and_keeps_them_on_failure() {
    let mut api = running(Launch::default());
    let mut host = RecordingHost::default();
    // The first persist carries the LMS-initialised values.
    assert_eq!(api.commit("", &mut host), "true");
    let first = &host.persisted[0];
    assert_eq!(first.0, PersistReason::Commit);
    for e in ["cmi.core.lesson_status", "cmi.core.total_time"] {
        assert!(first.1.iter().any(|(k, _)| k == e), "{e}");
    }
    // Launch values are the LMS's own: not persisted.
    for e in ["cmi.core.student_id", "cmi.core.entry", "cmi.core.credit", "cmi.launch_data"] {
        assert!(!first.1.iter().any(|(k, _)| k == e), "{e}");
        assert!(!api.snapshot().contains_key(e), "{e}");
    }
    // Nothing changed: an empty change set.
    assert_eq!(api.commit("", &mut host), "true");
    assert!(host.persisted[1].1.is_empty());
    assert_eq!(api.set_value("cmi.core.lesson_location", "p1"), "true");
    assert_eq!(api.set_value("cmi.suspend_data", "s1"), "true");
    assert_eq!(api.set_value("cmi.core.lesson_location", "p2"), "true");
    host.fail_with = Some("quota exceeded".into());
    assert_eq!(api.commit("", &mut host), "false");
    assert_eq!(api.get_last_error(), "101");
    assert!(api.get_diagnostic("").contains("quota exceeded"));
    assert_eq!(api.finish("", &mut host), "false");
    assert_eq!(api.get_last_error(), "101");
    assert_eq!(api.state(), ApiState::Running);
    host.fail_with = None;
    assert_eq!(api.set_value("cmi.core.session_time", "00:01:00"), "true");
    assert_eq!(api.finish("", &mut host), "true");
    let (reason, last) = host.persisted.last().cloned().unwrap_or((PersistReason::Commit, vec![]));
    assert_eq!(reason, PersistReason::Terminate);
    let keys: Vec<&str> = last.iter().map(|(k, _)| k.as_str()).collect();
    // In order of first change; the failed Finish already decided the status.
    assert_eq!(
        keys,
        ["cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.lesson_status", "cmi.core.session_time", "cmi.core.total_time"]
    );
    let get = |k: &str| last.iter().find(|(e, _)| e == k).map(|(_, v)| v.as_str());
    assert_eq!(get("cmi.core.lesson_location"), Some("p2"));
    assert_eq!(get("cmi.suspend_data"), Some("s1"));
    assert_eq!(get("cmi.core.session_time"), Some("00:01:00"));
    assert_eq!(get("cmi.core.total_time"), Some("0000:01:00.00"));
    assert_eq!(get("cmi.core.lesson_status"), Some("completed"));
    assert_eq!(api.state(), ApiState::Terminated);
}

#[test]
fn finish_retried_after_failure_adds_session_time_once() {
    let mut api = running(Launch::default());
    assert_eq!(api.set_value("cmi.core.session_time", "00:20:00"), "true");
    let mut host = RecordingHost { fail_with: Some("offline".into()), ..Default::default() };
    assert_eq!(api.finish("", &mut host), "false");
    assert_eq!(api.finish("", &mut host), "false");
    host.fail_with = None;
    assert_eq!(api.finish("", &mut host), "true");
    assert_eq!(api.snapshot()["cmi.core.total_time"], "0000:20:00.00");
}

#[test]
fn take_changes_empties_the_pending_set() {
    let mut api = running(Launch::default());
    let _ = api.take_changes();
    assert_eq!(api.set_value("cmi.core.lesson_location", "p"), "true");
    assert_eq!(api.take_changes(), vec![("cmi.core.lesson_location".to_string(), "p".to_string())]);
    assert!(api.take_changes().is_empty());
}

#[test]
fn validate_stored_accepts_what_the_runtime_stores() {
    let (_, snap) = session(&Launch { mastery_score: Some(50.0), ..Launch::default() }, None, &[
        ("cmi.core.score.raw", "75"),
        ("cmi.interactions.0.type", "numeric"),
        ("cmi.interactions.0.student_response", "3.5"),
        ("cmi.core.session_time", "00:00:10"),
        ("cmi.core.exit", "suspend"),
    ]);
    for (k, v) in &snap {
        assert_eq!(validate_stored(k, v), Ok(()), "{k} = {v}");
    }
    let bad = [
        ("cmi.core.lesson_status", "done"),
        ("cmi.core.score.raw", "101"),
        ("cmi.core._children", "raw"),
        ("cmi.objectives._count", "2"),
        ("cmi.core.total_time", "1:00"),
        ("cmi.foo", "x"),
        ("cmi.objectives.01.id", "x"),
        ("cmi.interactions.0.student_response", &"x".repeat(256)),
    ];
    for (k, v) in bad {
        assert!(validate_stored(k, v).is_err(), "{k} = {v}");
    }
    assert!(validate_stored("cmi.suspend_data", &"x".repeat(100_000)).is_ok());
    assert!(validate_stored("cmi.core.lesson_status", "not attempted").is_ok());
    // "" stands for an element that is not set (removed in a change set).
    for k in ["cmi.objectives.0.id", "cmi.core.lesson_status", "cmi.interactions.2.time", "cmi.student_preference.audio"] {
        assert!(validate_stored(k, "").is_ok(), "{k}");
    }
    assert!(validate_stored("cmi.core._count", "").is_err());
}
