//! Browser-layer tests: run in headless Chromium with `wasm-bindgen-test`
//! (`cargo test --target wasm32-unknown-unknown --test web`).
#![cfg(target_arch = "wasm32")]

use scorm_shim::engine::strlist;
use scorm_shim::web::Shim;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// The configuration list the installer passes ([`strlist`]).
fn config(pairs: &[(&str, &str)]) -> String {
    strlist::encode(pairs.iter().flat_map(|(k, v)| [k, v]))
}

/// The strings of a list an export returned (panics on an error).
fn list(text: String) -> Vec<String> {
    strlist::decode(&text).unwrap_or_else(|| panic!("not a list: {text}")).into_iter().map(str::to_owned).collect()
}

/// True when an export returned an error ([`strlist::error`]).
fn is_err(text: String) -> bool {
    text.starts_with('!') && strlist::decode(&text).is_none()
}

#[wasm_bindgen_test]
fn both_apis_follow_the_state_machine() {
    let mut shim = Shim::new(&config(&[("registrationId", "web-sm"), ("storagePrefix", "t1")]));
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
    let key = "t2:u%3A1:course:web-commit:2004:state:sco-a";
    storage().remove_item(key).unwrap();
    let mut shim = Shim::new(&config(&[("learnerId", "u:1"), ("registrationId", "web-commit"), ("scoId", "sco-a"), ("storagePrefix", "t2")]));
    shim.take_writes();
    assert!(shim.initialize(""));
    assert!(shim.commit(""));
    let stored = storage().get_item(key).unwrap();
    assert!(stored.is_some(), "Commit returned true but nothing was stored under {key}");
    let stored = stored.unwrap();
    assert!(stored.starts_with("#1\n{"), "{stored}");
    // The same write, journaled for the durable copy before Commit returned.
    let writes = list(shim.take_writes());
    assert_eq!(writes, vec!["p".to_string(), key.to_string(), stored]);
    assert!(list(shim.take_writes()).is_empty(), "taken once");
}

#[wasm_bindgen_test]
fn bad_configuration_names_the_key_and_keeps_defaults() {
    let mut shim = Shim::new("");
    let errors = list(shim.configure(&config(&[("versions", "3"), ("commitInterval", "soon"), ("bogus", "1")])));
    assert_eq!(errors.len(), 3);
    assert!(errors[0].contains("\"versions\""), "{}", errors[0]);
    assert!(errors[1].contains("\"commitInterval\""), "{}", errors[1]);
    assert!(errors[2].contains("\"bogus\""), "{}", errors[2]);
    assert!(shim.has_12() && shim.has_2004());
    let entries = list(shim.config_entries());
    let at = entries.iter().position(|e| e == "commitInterval").unwrap();
    assert_eq!(entries[at + 1], "5000");
}

#[wasm_bindgen_test]
fn configuration_is_frozen_once_content_was_launched() {
    let mut shim = Shim::new(&config(&[("registrationId", "web-run"), ("storagePrefix", "t3")]));
    assert!(list(shim.configure(&config(&[("versions", "2004")]))).is_empty(), "allowed before launch");
    assert!(shim.initialize(""));
    assert!(is_err(shim.configure(&config(&[("versions", "1.2")]))));
    assert!(shim.has_2004(), "configuration must not change under a running SCO");
    assert!(shim.terminate(""));
    // Still frozen after Terminate: content could otherwise switch learner or registration.
    assert!(is_err(shim.configure(&config(&[("registrationId", "someone-else")]))));
    assert!(is_err(shim.configure(&config(&[("versions", "1.2")]))));
    assert!(shim.has_2004() && !shim.has_12());
    let entries = list(shim.config_entries());
    let at = entries.iter().position(|e| e == "registrationId").unwrap();
    assert_eq!(entries[at + 1], "web-run");
    // Credentials may change at any time, and are never given back.
    assert!(list(shim.set_credentials("Authorization: Bearer secret-token")).is_empty());
    assert!(!list(shim.config_entries()).iter().any(|e| e.contains("secret-token") || e == "header"));
    assert_eq!(list(shim.request_headers()), vec!["Authorization".to_string(), "Bearer secret-token".to_string()]);
    assert_eq!(list(shim.set_credentials("not a header")).len(), 1);
    assert_eq!(list(shim.request_headers())[1], "Bearer secret-token", "a bad value changes nothing");
}

#[wasm_bindgen_test]
fn relaunch_gives_fresh_api_instances() {
    let mut shim = Shim::new(&config(&[("registrationId", "web-relaunch"), ("storagePrefix", "t4")]));
    assert!(shim.initialize(""));
    assert!(shim.terminate(""));
    shim.relaunch();
    assert!(shim.initialize(""));
}

#[wasm_bindgen_test]
fn data_model_view_shows_values_without_touching_the_error_state() {
    let mut shim = Shim::new(&config(&[("registrationId", "web-dm"), ("storagePrefix", "t5"), ("learnerId", "u-7")]));
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

#[wasm_bindgen_test]
fn nothing_is_stored_without_a_learner_and_a_registration() {
    storage().clear().unwrap();
    for cfg in [vec![], vec![("registrationId", "r1")], vec![("learnerId", "l1"), ("endpoint", "/api")]] {
        let mut shim = Shim::new(&config(&cfg));
        shim.take_writes(); // (the journal is the module's: earlier tests' writes)
        assert!(list(shim.take_events()).iter().any(|e| e.contains("storageDisabled")), "{cfg:?}");
        assert!(shim.initialize(""));
        assert!(shim.set_value("cmi.location", "in memory") > 0);
        assert!(shim.commit(""), "the session goes on, in memory");
        assert_eq!(shim.get_value("cmi.location"), "in memory");
        assert!(shim.terminate(""));
        assert_eq!(storage().length().unwrap(), 0, "nothing stored for {cfg:?}");
        assert!(list(shim.take_writes()).is_empty());
    }
}

#[wasm_bindgen_test]
fn old_keys_are_moved_to_the_new_layout_at_start() {
    storage().clear().unwrap();
    storage().set_item("scorm-shim:reg-old:sco-1:2004:state", r#"{"cmi.location":"from 0.1","cmi.exit":"suspend"}"#).unwrap();
    let mut shim = Shim::new(&config(&[("learnerId", "l1"), ("registrationId", "reg-old"), ("scoId", "sco-1")]));
    assert_eq!(storage().get_item("scorm-shim:reg-old:sco-1:2004:state").unwrap(), None, "the old key is gone");
    assert!(storage().get_item("scorm-shim:l1:course:reg-old:2004:state:sco-1").unwrap().is_some());
    assert!(shim.initialize(""));
    assert_eq!(shim.get_value("cmi.entry"), "resume");
    assert_eq!(shim.get_value("cmi.location"), "from 0.1");
}

#[wasm_bindgen_test]
fn two_learners_with_one_registration_id_never_share_a_slot() {
    storage().clear().unwrap();
    for (learner, v) in [("ann", "A"), ("bob", "B")] {
        let mut shim = Shim::new(&config(&[("learnerId", learner), ("registrationId", "shared-reg")]));
        assert!(shim.initialize(""));
        assert_eq!(shim.get_value("cmi.location"), "", "{learner} sees nothing of the other");
        assert!(shim.set_value("cmi.location", v) > 0);
        // suspended, so the next launch resumes this attempt (a normal exit would start a new one)
        assert!(shim.set_value("cmi.exit", "suspend") > 0);
        assert!(shim.terminate(""));
    }
    let mut ann = Shim::new(&config(&[("learnerId", "ann"), ("registrationId", "shared-reg")]));
    assert!(ann.initialize(""));
    assert_eq!(ann.get_value("cmi.location"), "A");
}

#[wasm_bindgen_test]
fn the_durable_copy_is_merged_back_by_revision() {
    storage().clear().unwrap();
    let cfg = config(&[("learnerId", "l1"), ("registrationId", "r-restore"), ("scoId", "s")]);
    let mut shim = Shim::new(&cfg);
    assert!(shim.initialize(""));
    shim.set_value("cmi.location", "first");
    assert!(shim.commit(""));
    shim.set_value("cmi.location", "second");
    assert!(shim.commit(""));
    // The durable copy holds both writes; keep the last one.
    let writes = list(shim.take_writes());
    let key = "scorm-shim:l1:course:r-restore:2004:state:s";
    let newest = writes.chunks(3).filter(|w| w[1] == key).last().unwrap()[2].clone();
    assert!(newest.starts_with("#2\n"), "{newest}");
    // A crash lost the second localStorage write: put the first back.
    let older = newest.replace("#2\n", "#1\n").replace("second", "first");
    storage().set_item(key, &older).unwrap();
    let mut again = Shim::new(&cfg);
    assert!(again.restore_record(key, &newest), "the higher revision wins");
    assert!(!again.restore_record(key, &older), "an older durable copy changes nothing");
    assert!(!again.restore_record("scorm-shim:someone:else:r:2004:state:s", &newest), "only this registration's keys");
    again.relaunch();
    assert!(again.initialize(""));
    assert_eq!(again.get_value("cmi.location"), "second");
}

#[wasm_bindgen_test]
fn purge_removes_this_learners_data_only() {
    storage().clear().unwrap();
    for (learner, reg) in [("gone", "r1"), ("gone", "r2"), ("stays", "r1")] {
        let mut shim = Shim::new(&config(&[("learnerId", learner), ("registrationId", reg)]));
        assert!(shim.initialize(""));
        assert!(shim.terminate(""));
    }
    storage().set_item("unrelated", "x").unwrap();
    let mut shim = Shim::new(&config(&[("learnerId", "gone"), ("registrationId", "r1")]));
    shim.take_writes();
    let r = list(shim.purge(true));
    assert_eq!(r[0], "2");
    assert_eq!(r[2], "scorm-shim:gone:");
    let left: Vec<String> = (0..storage().length().unwrap()).filter_map(|i| storage().key(i).unwrap()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|k| k == "unrelated" || k.starts_with("scorm-shim:stays:")), "{left:?}");
    // The removals reach the durable copy too, and nothing more is stored.
    assert_eq!(list(shim.take_writes()).iter().filter(|w| *w == "d").count(), 2);
    assert!(shim.initialize(""));
    assert!(shim.commit(""));
    assert_eq!(storage().length().unwrap(), 2);
}

#[wasm_bindgen_test]
fn the_queue_nonce_is_random_hex() {
    storage().clear().unwrap();
    let a = list(Shim::new(&config(&[("learnerId", "l"), ("registrationId", "r"), ("endpoint", "/api")])).queue_keys());
    let b = list(Shim::new(&config(&[("learnerId", "l"), ("registrationId", "r"), ("endpoint", "/api")])).queue_keys());
    let nonce = |k: &str| k.rsplit(':').next().unwrap().to_string();
    assert_eq!(a[0], "scorm-shim:l:course:r:1.2:queue:");
    let (na, nb) = (nonce(&a[1]), nonce(&b[1]));
    assert_eq!(na.len(), 16);
    assert!(na.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(na, nb);
}
