//! The hand-written JSON has exactly the shapes of the serde derives
//! (compared with `serde_json` on real manifests and real sequencing runs),
//! and the saved state reads back without loss.

use super::*;
use crate::engine::manifest::{self, ParseOptions};
use crate::engine::sequencing::{NavigationRequest, Outcome, ScoResult, Sequencer};
use proptest::prelude::*;
use serde_json::Value as J;

const CTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/scorm2004-cts/packages");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/manifests");

/// Every test manifest: the CTS packages and the fixtures.
fn manifests() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(CTS).expect("CTS packages").flatten().map(|e| e.path()).collect();
    dirs.sort();
    for d in dirs {
        if let Ok(xml) = std::fs::read_to_string(d.join("imsmanifest.xml")) {
            out.push((d.display().to_string(), xml));
        }
    }
    for e in std::fs::read_dir(FIXTURES).expect("fixtures").flatten() {
        out.push((e.path().display().to_string(), std::fs::read_to_string(e.path()).expect("fixture")));
    }
    assert!(out.len() > 50, "test manifests found: {}", out.len());
    out
}

/// Numbers compared as doubles to 13 significant digits: serde_json writes
/// `1.0` where JavaScript writes `1`, and serde_json's default reader is
/// not correctly rounded in the last digit (the number codec's own tests
/// prove the texts exact against the standard library).
fn norm(v: J) -> J {
    match v {
        J::Number(n) => J::from(format!("{:.12e}", n.as_f64().expect("finite"))),
        J::Array(a) => J::Array(a.into_iter().map(norm).collect()),
        J::Object(o) => J::Object(o.into_iter().map(|(k, v)| (k, norm(v))).collect()),
        v => v,
    }
}

fn same_as_serde<T: ToJson + serde::Serialize>(v: &T, what: &str) {
    let ours = to_json(v);
    let parsed: J = serde_json::from_str(&ours).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {ours}"));
    let theirs = serde_json::to_value(v).expect("serde");
    assert_eq!(norm(parsed), norm(theirs), "{what}");
}

/// Sequencing states from real runs of every package: start, then each
/// delivered SCO reports a score, progress and time and the learner
/// continues; a suspendAll now and then.
fn states_from_runs() -> Vec<SeqState> {
    static STATES: std::sync::OnceLock<Vec<SeqState>> = std::sync::OnceLock::new();
    STATES.get_or_init(run_states).clone()
}

fn run_states() -> Vec<SeqState> {
    let mut out = Vec::new();
    for (name, xml) in manifests() {
        let Ok(m) = manifest::parse(&xml, &ParseOptions::default()) else { continue };
        if !m.version.is_2004() {
            continue;
        }
        let mut s = Sequencer::new(&m.activity_tree);
        out.push(s.snapshot());
        let mut req = NavigationRequest::Start;
        for step in 0..8u32 {
            match s.navigate(req.clone()) {
                Ok(Outcome::Deliver(_)) => {}
                _ => break,
            }
            let k = f64::from(step);
            let r = ScoResult {
                completion_status: Some(if step % 3 == 0 { "incomplete" } else { "completed" }.into()),
                success_status: Some(if step % 2 == 0 { "passed" } else { "failed" }.into()),
                score_scaled: Some((k + 1.0) / 3.0 - 1.0),
                score_raw: Some(k * 7.25),
                score_min: Some(0.0),
                score_max: Some(100.0),
                progress_measure: Some(1.0 / (k + 1.5)),
                session_time: 12.34 * k + 0.1,
                exit: if step == 5 { "suspend".into() } else { String::new() },
                ..ScoResult::default()
            };
            s.deliver_result(&r);
            out.push(s.snapshot());
            req = if step == 5 { NavigationRequest::SuspendAll } else { NavigationRequest::Continue };
        }
        out.push(s.snapshot());
        assert!(!name.is_empty());
    }
    assert!(out.len() > 100, "states: {}", out.len());
    out
}

#[test]
fn activity_trees_have_the_serde_shape() {
    for (name, xml) in manifests() {
        if let Ok(m) = manifest::parse(&xml, &ParseOptions::default()) {
            same_as_serde(&m.activity_tree, &name);
        }
    }
}

#[test]
fn nav_states_have_the_serde_shape() {
    for (name, xml) in manifests() {
        let Ok(mut c) = crate::engine::course::Course::open(&xml, &ParseOptions::default()) else { continue };
        same_as_serde(&c.nav_state(), &name);
        if c.navigate(NavigationRequest::Start).is_ok() {
            same_as_serde(&c.nav_state(), &name);
        }
    }
}

#[test]
fn sequencing_states_have_the_serde_shape_and_read_back() {
    for st in states_from_runs() {
        same_as_serde(&st, "SeqState");
        let mut shared = BTreeMap::new();
        shared.insert("data \"1\"".to_string(), "é\n{x}".to_string());
        let text = saved_course_json(&st, &shared);
        assert_eq!(saved_course(&text), Some((Some(st.clone()), shared.clone())));
        // What the previous version stored (serde's shape, written by
        // JSON.stringify; serde_json writes the same apart from `1.0`) loads.
        #[derive(serde::Serialize)]
        struct SavedCourse<'a> {
            seq: Option<&'a SeqState>,
            shared: &'a BTreeMap<String, String>,
        }
        let old = serde_json::to_string(&SavedCourse { seq: Some(&st), shared: &shared }).expect("serde");
        assert_eq!(saved_course(&old), Some((Some(st.clone()), shared.clone())));
    }
}

#[test]
fn saved_course_edge_cases() {
    assert_eq!(saved_course(r#"{"seq":null,"shared":{}}"#), Some((None, BTreeMap::new())));
    assert_eq!(saved_course(r#"{"shared":{"a":"b"}}"#).map(|s| s.1.len()), Some(1));
    let st = &states_from_runs()[1];
    let good = saved_course_json(st, &BTreeMap::new());
    for bad in [
        String::new(),
        "[]".into(),
        r#"{"seq":{}}"#.into(),
        good.replace(r#""shared":{}"#, r#""shared":{"a":1}"#),
        good.replace(r#""treeHash":""#, r#""treeHash":"x"#),
        good.replace(r#""rng":""#, r#""rng":"12345678901234567"#),
        good.replace(r#""globals":{"#, r#""globals":[{"#),
        good.replace(r#""activities":[{"#, r#""activities":[{"attemptCount":-1,"#),
        good.replace(r#""activities":[{"#, r#""activities":[{"active":1,"#),
        good.replace(r#""activities":[{"#, r#""activities":[{"attemptCount":4294967296,"#),
    ] {
        assert_eq!(saved_course(&bad), None, "{bad}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any measures, scores and durations survive the saved state exactly.
    #[test]
    fn saved_state_is_lossless(vals in proptest::collection::vec(any::<u64>(), 8), which in 0usize..1000) {
        let states = states_from_runs();
        let mut st = states[which % states.len()].clone();
        let f = |i: usize| {
            let x = f64::from_bits(vals[i]);
            // Magnitudes SCORM deals in (the number codec is exact there).
            if x.is_finite() && (1e-22..1e38).contains(&x.abs()) { x } else { (vals[i] % 1_000_003) as f64 / 999_983.0 }
        };
        for a in &mut st.activities {
            a.attempt_completion_amount = f(0);
            a.attempt_experienced_duration = f(1);
            a.activity_absolute_duration = f(2);
            a.completion_reported = vals[2] & 1 == 1;
            a.success_reported = vals[3] & 2 == 2;
            for o in &mut a.objectives {
                o.normalized_measure = f(3);
                o.raw = Some(f(4));
                o.progress_measure = Some(f(5));
            }
        }
        st.globals.insert("g".into(), ObjectiveState { normalized_measure: f(6), max: Some(f(7)), ..ObjectiveState::default() });
        st.rng = Rng(vals[0]);
        st.tree_hash = vals[1];
        let text = saved_course_json(&st, &BTreeMap::new());
        prop_assert_eq!(saved_course(&text), Some((Some(st), BTreeMap::new())));
    }
}

#[test]
fn course_info_and_delivery_views_have_the_serde_shape() {
    use crate::engine::manifest::ScormVersion;
    // The derives the browser layer used before.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct CourseInfo<'a> {
        identifier: &'a str,
        title: &'a str,
        version: ScormVersion,
        organization: &'a str,
        warnings: Vec<String>,
        can_resume: bool,
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
    enum DeliveryView {
        Launch { activity_id: String, title: String, href: String, is_sco: bool, version: &'static str },
        Ended,
        Nothing,
        Error { id: String, message: String },
    }
    let same = |ours: String, theirs: J| assert_eq!(serde_json::from_str::<J>(&ours).expect("JSON"), theirs, "{ours}");
    for (name, xml) in manifests() {
        let Ok(m) = manifest::parse(&xml, &ParseOptions::default()) else { continue };
        for can_resume in [false, true] {
            let warnings: Vec<String> = m.warnings.iter().map(ToString::to_string).collect();
            let theirs = CourseInfo {
                identifier: &m.identifier,
                title: &m.activity_tree.title,
                version: m.version,
                organization: &m.organization,
                warnings: warnings.clone(),
                can_resume,
            };
            same(course_info_json(&m, can_resume), serde_json::to_value(&theirs).expect("serde"));
        }
        assert!(!name.is_empty());
    }
    for v in [ScormVersion::Scorm12, ScormVersion::Scorm2004Ed2, ScormVersion::Scorm2004Ed3, ScormVersion::Scorm2004Ed4] {
        same(to_json(&v), serde_json::to_value(v).expect("serde"));
    }
    let views = [
        (
            Delivery::Launch { activity_id: "a\"1", title: "T\u{e9}", href: "sco/a.html?x=1&y", is_sco: true, version: "2004" },
            DeliveryView::Launch {
                activity_id: "a\"1".into(), title: "T\u{e9}".into(), href: "sco/a.html?x=1&y".into(), is_sco: true, version: "2004",
            },
        ),
        (
            Delivery::Launch { activity_id: "b", title: "", href: "b.htm", is_sco: false, version: "1.2" },
            DeliveryView::Launch { activity_id: "b".into(), title: "".into(), href: "b.htm".into(), is_sco: false, version: "1.2" },
        ),
        (Delivery::Ended, DeliveryView::Ended),
        (Delivery::Nothing, DeliveryView::Nothing),
        (
            Delivery::Error { id: "NB.2.1-13", message: "Undefined navigation request" },
            DeliveryView::Error { id: "NB.2.1-13".into(), message: "Undefined navigation request".into() },
        ),
    ];
    for (ours, theirs) in views {
        same(to_json(&ours), serde_json::to_value(&theirs).expect("serde"));
    }
}

#[test]
fn manifest_reports_have_the_serde_shape() {
    let mut errors = 0;
    for (name, xml) in manifests() {
        let parsed = manifest::parse(&xml, &ParseOptions::default());
        let ours: J = serde_json::from_str(&manifest_report_json(&parsed)).expect("JSON");
        match &parsed {
            Ok(m) => {
                same_as_serde(m, &name);
                assert_eq!(norm(ours["manifest"].clone()), norm(serde_json::to_value(m).expect("serde")), "{name}");
            }
            Err(e) => {
                errors += 1;
                same_as_serde(e, &name);
                assert_eq!(ours["error"], serde_json::to_value(e).expect("serde"), "{name}");
            }
        }
    }
    // A broken manifest reports its position.
    let broken = manifest_report_json(&manifest::parse("<manifest>\n  <oops", &ParseOptions::default()));
    let v: J = serde_json::from_str(&broken).expect("JSON");
    assert_eq!(v["error"]["kind"], "xml", "{broken}");
    assert_eq!(v["error"]["line"], 2, "{broken}");
    assert!(errors < 1000);
}

#[test]
fn data_model_view_is_json_with_escaped_values() {
    let elements = vec![("cmi.suspend_data".to_string(), "{\"a\":\"é\n\"}".to_string()), ("cmi.x".into(), String::new())];
    let v: J = serde_json::from_str(&data_model_json("running", &elements)).expect("JSON");
    assert_eq!(v["state"], "running");
    assert_eq!(v["elements"][0][1], "{\"a\":\"é\n\"}");
    assert_eq!(v["elements"][1], serde_json::json!(["cmi.x", ""]));
    let empty: J = serde_json::from_str(&data_model_json("notInitialized", &[])).expect("JSON");
    assert_eq!(empty["elements"], serde_json::json!([]));
}

#[test]
fn course_state_view_follows_the_sequencer() {
    let xml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/www/courses/sequenced/imsmanifest.xml")).expect("sample");
    let m = manifest::parse(&xml, &ParseOptions::default()).expect("manifest");
    let mut seq = Sequencer::new(&m.activity_tree);
    let v: J = serde_json::from_str(&course_state_json(&seq)).expect("JSON");
    assert_eq!(v["current"], J::Null);
    let acts = v["activities"].as_array().expect("activities");
    assert_eq!(acts.len(), seq.nodes().len());
    assert_eq!(acts[0]["parent"], J::Null);
    assert_eq!(acts[1]["parent"], 0);
    let Ok(Outcome::Deliver(idx)) = seq.navigate(NavigationRequest::Start) else { panic!("start delivers") };
    let v: J = serde_json::from_str(&course_state_json(&seq)).expect("JSON");
    let id = seq.nodes()[idx].id.clone();
    assert_eq!(v["current"], J::from(id.clone()));
    let delivered = v["activities"].as_array().expect("activities").iter().find(|a| a["id"] == id.as_str()).expect("delivered");
    assert_eq!(delivered["state"]["attemptCount"], 1);
    assert_eq!(delivered["state"], serde_json::to_value(&seq.snapshot().activities[idx]).expect("serde"));
    assert!(v["globals"].is_object());
}
