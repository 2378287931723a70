//! Browser-layer tests: run in headless Chromium with `wasm-bindgen-test`
//! (`cargo test --target wasm32-unknown-unknown --test web`).
#![cfg(target_arch = "wasm32")]

use scorm_shim::web::Shim;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn config(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().flat_map(|(k, v)| [k.to_string(), v.to_string()]).collect()
}

#[wasm_bindgen_test]
fn both_apis_follow_the_state_machine() {
    let mut shim = Shim::new(config(&[("registrationId", "web-sm"), ("storagePrefix", "t1")]));
    assert_eq!(shim.get_value("cmi.location"), "");
    assert_eq!(shim.get_last_error(), 122);
    assert!(shim.initialize(""));
    assert!(!shim.initialize(""));
    assert_eq!(shim.get_last_error(), 103);
    assert_eq!(shim.get_error_string("103"), "Already Initialized");
    assert!(shim.terminate(""));
    assert!(!shim.commit(""));
    assert_eq!(shim.get_last_error(), 143);

    assert!(!shim.lms_initialize("x"));
    assert_eq!(shim.lms_get_last_error(), 201);
    assert!(shim.lms_initialize(""));
    assert!(shim.lms_finish(""));
    assert_eq!(shim.lms_get_last_error(), 0);
}

#[wasm_bindgen_test]
fn commit_writes_local_storage_before_returning() {
    let key = "t2:web-commit:sco-a:2004:state";
    storage().remove_item(key).unwrap();
    let mut shim = Shim::new(config(&[("registrationId", "web-commit"), ("scoId", "sco-a"), ("storagePrefix", "t2")]));
    assert!(shim.initialize(""));
    assert!(shim.commit(""));
    let stored = storage().get_item(key).unwrap();
    assert!(stored.is_some(), "Commit returned true but nothing was stored under {key}");
    assert!(stored.unwrap().starts_with('{'));
}

#[wasm_bindgen_test]
fn bad_configuration_names_the_key_and_keeps_defaults() {
    let mut shim = Shim::new(vec![]);
    let errors = shim.configure(config(&[("versions", "3"), ("commitInterval", "soon"), ("bogus", "1")]));
    assert_eq!(errors.len(), 3);
    assert!(errors[0].contains("\"versions\""), "{}", errors[0]);
    assert!(errors[1].contains("\"commitInterval\""), "{}", errors[1]);
    assert!(errors[2].contains("\"bogus\""), "{}", errors[2]);
    assert!(shim.has_12() && shim.has_2004());
    let entries = shim.config_entries();
    let at = entries.iter().position(|e| e == "commitInterval").unwrap();
    assert_eq!(entries[at + 1], "5000");
}

#[wasm_bindgen_test]
fn configure_is_refused_while_a_sco_runs() {
    let mut shim = Shim::new(config(&[("registrationId", "web-run"), ("storagePrefix", "t3")]));
    assert!(shim.initialize(""));
    let errors = shim.configure(config(&[("versions", "1.2")]));
    assert_eq!(errors.len(), 1);
    assert!(shim.has_2004(), "configuration must not change under a running SCO");
    assert!(shim.terminate(""));
    assert!(shim.configure(config(&[("versions", "1.2")])).is_empty());
    assert!(shim.has_12() && !shim.has_2004());
}

#[wasm_bindgen_test]
fn relaunch_gives_fresh_api_instances() {
    let mut shim = Shim::new(config(&[("registrationId", "web-relaunch"), ("storagePrefix", "t4")]));
    assert!(shim.initialize(""));
    assert!(shim.terminate(""));
    shim.relaunch();
    assert!(shim.initialize(""));
}

#[wasm_bindgen_test]
fn data_model_view_shows_values_without_touching_the_error_state() {
    let mut shim = Shim::new(config(&[("registrationId", "web-dm"), ("storagePrefix", "t5"), ("learnerId", "u-7")]));
    assert!(shim.data_model().contains(r#""2004":{"state":"notInitialized""#));
    assert!(shim.initialize(""));
    assert_eq!(shim.set_value("cmi.location", "p3"), 2);
    assert_eq!(shim.set_value("cmi.nope", "x"), 0);
    let text = shim.data_model();
    assert!(text.contains(r#""2004":{"state":"running""#), "{text}");
    assert!(text.contains(r#"["cmi.location","p3"]"#), "{text}");
    assert!(text.contains(r#"["cmi.learner_id","u-7"]"#), "{text}");
    assert_eq!(shim.get_last_error(), 401, "the view left the SCO's error state alone");
    assert!(shim.terminate(""));
}
