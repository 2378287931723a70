//! Test-only entry: start a SCORM 2004 session with launch values, a saved
//! state and a stand-in sequencer given as JSON, so an end-to-end test can
//! replay the native conformance harness's sessions
//! (`tests/cts_rte.rs` with `CTS_TRANSCRIPT_DIR`) through the real
//! `window.API_1484_11` and compare every result. Pages have no use for it:
//! a page sets launch values through its configuration or a package.

use wasm_bindgen::prelude::*;

use super::Shim;
use crate::engine::persist::json::{self, Value};
use crate::engine::rte::Snapshot;
use crate::engine::course::NavAnswers;
use crate::engine::scorm2004::{self, Comment, DataStore, Launch};

fn text(v: &Value, key: &str) -> Result<String, String> {
    match v.get(key) {
        Some(Value::Str(s)) => Ok(s.clone()),
        _ => Err(format!("\"{key}\": string expected")),
    }
}

fn opt_text(v: &Value, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        _ => Err(format!("\"{key}\": string or null expected")),
    }
}

fn flag(v: &Value, key: &str) -> Result<bool, String> {
    v.get(key).and_then(Value::as_bool).ok_or_else(|| format!("\"{key}\": boolean expected"))
}

fn opt_real(v: &Value, key: &str) -> Result<Option<f64>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        // engine::num, not str::parse::<f64>: that would add its tables to the module.
        Some(Value::Num(n)) => crate::engine::num::parse_decimal(n, false).map(Some).ok_or_else(|| format!("\"{key}\": bad number")),
        _ => Err(format!("\"{key}\": number or null expected")),
    }
}

fn items<'a>(v: &'a Value, key: &str) -> Result<&'a [Value], String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(a) => a.as_arr().ok_or_else(|| format!("\"{key}\": array expected")),
    }
}

fn strings(v: &Value) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for s in v.as_arr().ok_or("array of strings expected")? {
        out.push(s.as_str().ok_or("array of strings expected")?.to_owned());
    }
    Ok(out)
}

/// Each item of the array `key` (absent or null: none) read by `read`.
/// Plain loops: this test-only code should add little to the module.
fn each<T>(v: &Value, key: &str, read: fn(&Value) -> Result<T, String>) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for item in items(v, key)? {
        out.push(read(item)?);
    }
    Ok(out)
}

fn objective_value(t: &Value) -> Result<(String, String, String), String> {
    match strings(t)?.as_slice() {
        [a, b, c] => Ok((a.clone(), b.clone(), c.clone())),
        _ => Err("\"objective_values\": [id, element, value] expected".to_owned()),
    }
}

fn data_store(d: &Value) -> Result<DataStore, String> {
    Ok(DataStore { id: text(d, "id")?, read: flag(d, "read")?, write: flag(d, "write")?, value: opt_text(d, "value")? })
}

fn comment(c: &Value) -> Result<Comment, String> {
    Ok(Comment { comment: text(c, "comment")?, location: text(c, "location")?, timestamp: text(c, "timestamp")? })
}

/// The transcript's `launch` object: every field of [`Launch`] by its name.
fn launch_of(v: &Value) -> Result<Launch, String> {
    let learner_preference = match v.get("learner_preference") {
        None | Some(Value::Null) => None,
        Some(p) => match strings(p)?.as_slice() {
            [a, b, c, d] => Some([a.clone(), b.clone(), c.clone(), d.clone()]),
            _ => return Err("\"learner_preference\": four strings expected".into()),
        },
    };
    Ok(Launch {
        learner_id: text(v, "learner_id")?,
        learner_name: text(v, "learner_name")?,
        credit: flag(v, "credit")?,
        mode: text(v, "mode")?,
        launch_data: text(v, "launch_data")?,
        completion_threshold: opt_real(v, "completion_threshold")?,
        scaled_passing_score: opt_real(v, "scaled_passing_score")?,
        max_time_allowed: opt_text(v, "max_time_allowed")?,
        time_limit_action: opt_text(v, "time_limit_action")?,
        objective_ids: match v.get("objective_ids") {
            None | Some(Value::Null) => Vec::new(),
            Some(ids) => strings(ids)?,
        },
        objective_values: each(v, "objective_values", objective_value)?,
        data_stores: each(v, "data_stores", data_store)?,
        comments_from_lms: each(v, "comments_from_lms", comment)?,
        learner_preference,
        limits: crate::engine::rte::ValueLimits::default(),
    })
}

/// The transcript's `saved` value: `null` or an object of strings.
fn snapshot_of(v: &Value) -> Result<Option<Snapshot>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Obj(members) => {
            let mut snap = Snapshot::new();
            for (k, v) in members {
                snap.insert(k.clone(), v.as_str().ok_or("saved: string values expected")?.to_owned());
            }
            Ok(Some(snap))
        }
        _ => Err("saved: object or null expected".into()),
    }
}

/// The conformance harness's stand-in sequencer for a flat organization
/// (`{leaves, current, flow, choice, forward_only}`), as the answers a
/// course's look-ahead gives: continue and previous by flow, choice of any
/// leaf when choice is allowed, jump to any leaf.
fn oracle_of(v: &Value) -> Result<NavAnswers, String> {
    let leaves = strings(v.get("leaves").ok_or("\"leaves\" missing")?)?;
    let current = v.get("current").and_then(Value::as_u64).ok_or("\"current\": integer expected")? as usize;
    let (flow, choice, forward_only) = (flag(v, "flow")?, flag(v, "choice")?, flag(v, "forward_only")?);
    Ok(NavAnswers {
        continue_: flow && current + 1 < leaves.len(),
        previous: flow && !forward_only && current > 0,
        targets: leaves.into_iter().map(|l| (l, choice, true)).collect(),
    })
}

#[wasm_bindgen]
impl Shim {
    /// Test only: replace the SCORM 2004 API instance with a fresh one
    /// built from `launch_json` (every [`Launch`] field by name),
    /// `saved_json` (`null` or the snapshot to resume from) and
    /// `oracle_json` (`{leaves, current, flow, choice, forward_only}`: a
    /// flat organization's `adl.nav.request_valid` answers). Throws on
    /// malformed input or while a session is running.
    #[wasm_bindgen(js_name = launchForTest)]
    pub fn launch_for_test(&mut self, launch_json: &str, saved_json: &str, oracle_json: &str) -> Result<(), JsValue> {
        if self.api2004.state() == crate::engine::rte::ApiState::Running {
            return Err(JsValue::from_str("launchForTest: a SCORM 2004 session is running"));
        }
        let mut inputs = std::mem::take(&mut self.inputs);
        let mut build = || -> Result<scorm2004::Api, String> {
            // The value limits this page runs with, as a launch of its own would.
            let launch = Launch { limits: self.config.value_limits(), ..launch_of(&json::parse(launch_json)?)? };
            let saved = snapshot_of(&json::parse(saved_json)?)?;
            let oracle = oracle_of(&json::parse(oracle_json)?)?;
            // Through the page's own constructor, so a bridge session hands these inputs on.
            Ok(super::bridge::new_api2004(&mut inputs, launch, saved, Some(oracle)))
        };
        let built = build();
        self.inputs = inputs;
        self.api2004 = built.map_err(|e| JsValue::from_str(&format!("launchForTest: {e}")))?;
        Ok(())
    }
}

/// Test only: a fault in the module on purpose, as a bug would make one,
/// for the recovery tests (tests/e2e/security-client.test.mjs): SetValue of
/// `test.fault.unreachable` traps at once, `test.fault.stack` recurses until
/// the stack is exhausted. Any other element: nothing.
pub(super) fn fault_on(element: &str) {
    match element {
        "test.fault.unreachable" => core::arch::wasm32::unreachable(),
        "test.fault.stack" => {
            #[allow(unconditional_recursion)]
            fn deeper(n: u64, pad: &mut [u64; 64]) -> u64 {
                if let Some(p) = pad.get_mut((n % 64) as usize) {
                    *p = n;
                }
                let mut next = std::hint::black_box([n; 64]);
                deeper(n.wrapping_add(1), &mut next).wrapping_add(pad[0])
            }
            let _ = deeper(0, &mut [0; 64]);
        }
        _ => {}
    }
}
