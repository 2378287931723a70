//! Local-first storage of run-time state in `window.localStorage`.
//!
//! Each (registration, SCO, SCORM version) has one key,
//! `<prefix>:<registration>:<sco>:<version>:state`, holding the whole
//! snapshot as a JSON object of element → value. A commit writes it before
//! returning, so a commit that returned "true" survives a closed tab.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::config::Config;
use crate::engine::rte::{ChangeSet, Host, PersistReason, Snapshot};

/// The [`Host`] the run-times persist through in the browser.
#[derive(Debug)]
pub struct LocalHost {
    key: String,
}

fn storage() -> Result<web_sys::Storage, String> {
    let window = web_sys::window().ok_or("no window")?;
    match window.local_storage() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err("localStorage is not available".into()),
        Err(e) => Err(format!("localStorage is not accessible: {}", describe(&e))),
    }
}

fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| "unknown error".into())
}

/// Encode a snapshot as a JSON object. Hand-written to keep serde_json out
/// of the wasm module.
pub fn encode_snapshot(snapshot: &Snapshot) -> String {
    let mut out = String::with_capacity(64 + snapshot.len() * 32);
    out.push('{');
    for (i, (k, v)) in snapshot.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, k);
        out.push(':');
        push_json_string(&mut out, v);
    }
    out.push('}');
    out
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl LocalHost {
    /// The host for `version` ("1.2" or "2004") of the configured SCO.
    pub fn new(config: &Config, version: &str) -> LocalHost {
        LocalHost {
            key: format!(
                "{}:{}:{}:{}:state",
                config.storage_prefix, config.registration_id, config.sco_id, version
            ),
        }
    }

    /// The stored snapshot, if any. A corrupt entry is reported and ignored
    /// (it is left in place for inspection, never overwritten silently).
    pub fn load(&self) -> Option<Snapshot> {
        let raw = storage().ok()?.get_item(&self.key).ok()??;
        let parsed = match js_sys::JSON::parse(&raw) {
            Ok(v) => v,
            Err(_) => {
                web_sys::console::error_1(&format!("scorm-shim: stored state {} is not valid JSON; starting fresh", self.key).into());
                return None;
            }
        };
        let obj: js_sys::Object = parsed.dyn_into().ok()?;
        let mut snap = Snapshot::new();
        for entry in js_sys::Object::entries(&obj).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                snap.insert(k, v);
            }
        }
        Some(snap)
    }
}

impl Host for LocalHost {
    fn persist(&mut self, _reason: PersistReason, _changes: &ChangeSet, snapshot: &Snapshot) -> Result<(), String> {
        let s = storage()?;
        s.set_item(&self.key, &encode_snapshot(snapshot)).map_err(|e| describe(&e))
    }
}
