//! Random element names and values never make the SCORM 2004 run-time
//! panic, and its answers stay consistent: the error is always a defined
//! code, "true" means error 0, and a value that was stored reads back.

use proptest::prelude::*;
use scorm_shim::engine::rte::{NullHost, RecordingHost};
use scorm_shim::engine::scorm2004::{model, validate_stored, Api, DataStore, Launch, ERRORS};

/// Cases per property; each runs up to 40 API calls.
const CASES: u32 = 6_000;

fn element() -> impl Strategy<Value = String> {
    let known: Vec<String> = model::RULES.iter().map(|r| r.path.to_string()).collect();
    prop_oneof![
        // Table paths with random small (or huge) indices.
        (proptest::sample::select(known), 0usize..4, prop_oneof![Just(0usize), 0usize..3, Just(usize::MAX / 3)])
            .prop_map(|(p, a, b)| p.replacen(".n.", &format!(".{a}."), 1).replacen(".n.", &format!(".{b}."), 1)),
        // Navigation questions.
        "adl\\.nav\\.request_valid\\.(continue|previous|choice|jump)(\\.\\{target=[a-z.{}]{0,4}\\}?)?",
        // Junk: dots, digits, keywords, unicode.
        "(cmi|adl|x|)(\\.(_children|_count|_version|[0-9]{1,12}|[a-z_]{1,8}|é|\\{|))*",
        any::<String>(),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{0,3}(\\.[0-9]{0,8})?",
        "P([0-9]{1,3}[YMD]){0,2}(T([0-9]{1,3}[HMS]){0,3}(\\.[0-9]{1,3}S)?)?",
        "(19|20)[0-9]{2}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,3})?)?)?)?)?)?(Z|[+-][0-9]{2}(:[0-9]{2})?)?",
        "(\\{(lang|case_matters|order_matters|target)=[a-zA-Z-]{0,6}\\})*[a-z]{0,3}((\\[[,.:]\\])[a-z0-9]{0,3}){0,4}(choice|jump)?",
        proptest::sample::select(vec![
            "true", "false", "completed", "passed", "unknown", "suspend", "choice", "fill-in", "long-fill-in", "likert",
            "matching", "performance", "sequencing", "numeric", "other", "true-false", "continue", "suspendAll", "",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ]
}

fn launch() -> Launch {
    Launch {
        completion_threshold: Some(0.5),
        objective_ids: vec!["o1".into()],
        data_stores: vec![
            DataStore { id: "d1".into(), read: true, write: true, value: None },
            DataStore { id: "d2".into(), read: false, write: false, value: Some("v".into()) },
        ],
        ..Launch::default()
    }
}

fn defined(code: &str) -> bool {
    ERRORS.iter().any(|(c, _)| c.to_string() == code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn random_calls_never_panic(calls in proptest::collection::vec((0u8..10, element(), value()), 1..40)) {
        let mut api = Api::new(launch(), None);
        let mut host = RecordingHost::default();
        for (op, el, v) in &calls {
            let ok = match op {
                0 => api.initialize(if v.len() % 7 == 0 { v } else { "" }) == "true",
                1 => api.commit("", &mut host) == "true",
                2 if v.len() % 5 == 0 => api.terminate("", &mut host) == "true",
                3..=5 => {
                    let r = api.set_value(el, v);
                    let ok = r == "true";
                    if ok && !el.ends_with("completion_status") && !el.ends_with("success_status") && !el.ends_with("store") {
                        let back = api.get_value(el);
                        if api.get_last_error() != "405" {
                            prop_assert_eq!(back.as_str(), v.as_str(), "read back {}", el);
                        }
                        api.set_value(el, v);
                    }
                    ok
                }
                _ => {
                    let got = api.get_value(el);
                    api.get_last_error() == "0" || got.is_empty()
                }
            };
            let err = api.get_last_error();
            prop_assert!(defined(&err), "undefined error {}", err);
            prop_assert!(api.get_error_string(&err).len() < 255);
            let _ = api.get_diagnostic(v);
            let _ = ok;
        }
        // Whatever was saved validates and reloads.
        let snap = api.snapshot();
        for (k, v) in &snap {
            if !k.starts_with("adl.data.") && !k.starts_with("cmi.comments_from_lms.") {
                prop_assert!(validate_stored(k, v).is_ok(), "{} = {:?}", k, v);
            }
        }
        let mut again = Api::new(launch(), Some(snap));
        again.initialize("");
        let _ = again.get_value("cmi.interactions._count");
        let _ = again.terminate("", &mut NullHost);
    }

    #[test]
    fn validate_stored_never_panics(el in element(), v in value()) {
        let _ = validate_stored(&el, &v);
    }
}
