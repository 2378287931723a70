//! Property tests: random call sequences with random element names and
//! values (any Unicode, long strings, near-miss names and indices) never
//! panic, always answer with a defined error code, and never store a value
//! the run-time's own `validate_stored` would refuse.

use proptest::prelude::*;
use scorm_shim::engine::rte::{ApiState, RecordingHost, Snapshot};
use scorm_shim::engine::scorm12::{model::RULES, validate_stored, Api, Launch, ERRORS};

/// Cases per property; the element × value space is explored by 20,000
/// call sequences of 1 to 7 calls each (about 80,000 API calls), and 20,000
/// random saved states.
const CASES: u32 = 20_000;

fn index() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u32..4).prop_map(|i| i.to_string()),
        1 => any::<u32>().prop_map(|i| i.to_string()),
        1 => Just("01".to_string()),
        1 => Just("-1".to_string()),
        1 => Just("4294967296".to_string()),
        1 => Just("n".to_string()),
        1 => Just(String::new()),
    ]
}

fn unicode(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Element names: table names with random indices and suffixes, token soups,
/// and arbitrary strings.
fn element() -> impl Strategy<Value = String> {
    let templated = (0..RULES.len(), index(), index(), prop_oneof![
        6 => Just(String::new()),
        1 => Just("._children".to_string()),
        1 => Just("._count".to_string()),
        1 => Just(".x".to_string()),
        1 => Just(".".to_string()),
    ])
        .prop_map(|(r, a, b, suffix)| {
            let name = RULES.get(r).map(|r| r.name).unwrap_or("cmi");
            format!("{}{}", name.replacen(".n.", &format!(".{a}."), 1).replacen(".n.", &format!(".{b}."), 1), suffix)
        });
    let tokens = prop::collection::vec(
        prop::sample::select(vec![
            "cmi", "core", "score", "raw", "objectives", "interactions", "_children", "_count", "_version", "0",
            "1", "n", "", "id", "student_preference", "é", "correct_responses", "pattern",
        ]),
        0..7,
    )
    .prop_map(|v| v.join("."));
    prop_oneof![6 => templated, 2 => tokens, 1 => unicode(40), 1 => unicode(300)]
}

/// Values: the vocabularies and boundary values of the data types, arbitrary
/// Unicode, and long runs of one character (around the 255 / 4096 / 65536 limits).
fn value() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "", "0", "1", "-1", "100", "100.5", "-100", "85.5", ".5", "5.", "1e3", "32768", "t", "true", "a,b", "{a,b}",
        "a.1,b.2", "00:00:00", "23:59:59.99", "24:00:00", "9999:59:59.99", "00:60:00", "suspend", "logout",
        "time-out", "passed", "completed", "failed", "incomplete", "browsed", "not attempted", "choice", "true-false",
        "fill-in", "matching", "performance", "sequencing", "likert", "numeric", "correct", "wrong", "neutral",
        "unanticipated", "obj_1", "a b", "exit,message",
    ])
    .prop_map(str::to_string);
    let long = (any::<char>(), prop_oneof![Just(255usize), Just(256), Just(4096), Just(4097), Just(65_536), Just(65_537), 0usize..70_000])
        .prop_map(|(c, n)| std::iter::repeat(c).take(n).collect::<String>());
    prop_oneof![6 => known, 3 => unicode(64), 1 => long]
}

#[derive(Clone, Debug)]
enum Call {
    Initialize(String),
    Get(String),
    Set(String, String),
    Commit(bool),
    Finish(bool),
    Diagnostic(String),
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        1 => prop_oneof![Just(String::new()), unicode(4)].prop_map(Call::Initialize),
        4 => element().prop_map(Call::Get),
        8 => (element(), value()).prop_map(|(e, v)| Call::Set(e, v)),
        1 => any::<bool>().prop_map(Call::Commit),
        1 => any::<bool>().prop_map(Call::Finish),
        1 => unicode(6).prop_map(Call::Diagnostic),
    ]
}

fn launch() -> impl Strategy<Value = Launch> {
    (
        any::<bool>(),
        prop::sample::select(vec!["normal", "browse", "review", "x"]),
        prop::option::of(-10.0f64..120.0),
        prop::option::of(unicode(12)),
        any::<bool>(),
    )
        .prop_map(|(credit, mode, mastery, limit_action, lenient_feedback)| Launch {
            lenient_feedback,
            credit,
            lesson_mode: mode.into(),
            mastery_score: mastery,
            time_limit_action: limit_action,
            suspend_data_limit: 4096,
            ..Launch::default()
        })
}

fn known_code(code: &str) -> bool {
    code.parse::<u16>().map(|c| ERRORS.iter().any(|(n, _)| *n == c)).unwrap_or(false)
}

fn assert_stored_valid(snap: &Snapshot) {
    for (k, v) in snap {
        assert_eq!(validate_stored(k, v), Ok(()), "stored {k}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_calls_never_panic(launch in launch(), start in any::<bool>(), calls in prop::collection::vec(call(), 1..8)) {
        let mut api = Api::new(launch, None);
        if start {
            prop_assert_eq!(api.initialize(""), "true");
        }
        let mut host = RecordingHost::default();
        for c in calls {
            let running = api.state() == ApiState::Running;
            match c {
                Call::Initialize(p) => {
                    let r = api.initialize(&p);
                    prop_assert!(r == "true" || r == "false");
                }
                Call::Get(e) => {
                    let v = api.get_value(&e);
                    if api.get_last_error() != "0" {
                        prop_assert_eq!(v, "");
                    }
                }
                Call::Set(e, v) => {
                    let r = api.set_value(&e, &v);
                    prop_assert_eq!(r == "true", api.get_last_error() == "0");
                    if r == "true" {
                        prop_assert!(running);
                        // What was stored reads back, unless write-only.
                        let back = api.get_value(&e);
                        let code = api.get_last_error();
                        prop_assert!(code == "0" || code == "404", "{} {}", e, code);
                        if code == "0" {
                            prop_assert_eq!(back, v);
                        }
                    } else {
                        prop_assert!(api.get_last_error() != "0");
                    }
                }
                Call::Commit(fail) => {
                    host.fail_with = fail.then(|| "offline".to_string());
                    let r = api.commit("", &mut host);
                    prop_assert_eq!(r == "true", running && !fail);
                }
                Call::Finish(fail) => {
                    host.fail_with = fail.then(|| "offline".to_string());
                    let r = api.finish("", &mut host);
                    prop_assert_eq!(r == "true", running && !fail);
                }
                Call::Diagnostic(code) => {
                    let _ = api.get_diagnostic(&code);
                    let _ = api.get_error_string(&code);
                }
            }
            prop_assert!(known_code(&api.get_last_error()));
            prop_assert!(!api.get_error_string(&api.get_last_error()).is_empty());
        }
        assert_stored_valid(&api.snapshot());
    }

    #[test]
    fn random_saved_state_never_panics(
        entries in prop::collection::vec((element(), value()), 0..12),
        suspend in any::<bool>(),
        probes in prop::collection::vec(element(), 1..4),
    ) {
        let mut saved: Snapshot = entries.into_iter().collect();
        if suspend {
            saved.insert("cmi.core.exit".into(), "suspend".into());
        }
        for (k, v) in &saved {
            let _ = validate_stored(k, v);
        }
        let mut api = Api::new(Launch::default(), Some(saved));
        prop_assert_eq!(api.initialize(""), "true");
        for p in probes {
            let _ = api.get_value(&p);
            prop_assert!(known_code(&api.get_last_error()));
        }
        assert_stored_valid(&api.snapshot());
    }
}
