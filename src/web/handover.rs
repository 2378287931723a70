//! The page's state, handed from the run-time module to the course engine.
//!
//! The drop-in script (`pkg/scorm-shim.js`, and the ES module `pkg/index.js`)
//! carries the run-time only: this crate without the cargo feature `course`.
//! The first `ScormShim.course.open()` loads the course engine, the same crate
//! with the feature (`pkg/course/`), and the installer moves the page over to
//! it (`js/lazy.js`): [`Shim::hand_over`] writes what the run-time's shim
//! holds that is not in `localStorage` (the configuration with everything
//! `configure()` changed, this page load's nonce, each commit queue with the
//! request in flight and its retry time, what the backend answered), and
//! [`Shim::take_over`] builds the course engine's shim from it. The new shim
//! starts its API instances from stored state, as a relaunch does; a running
//! SCO session cannot be handed over, so opening a package then fails.
//!
//! The text is this crate's own and read only by the same version of it
//! (both modules come from one build). Each module carries its half only:
//! the run-time module hands over, the course engine takes over.

#[cfg(feature = "course")]
use wasm_bindgen::prelude::*;

use super::Shim;

/// A JavaScript `Error` (what `course.open()` rejects with).
#[cfg(feature = "course")]
fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// Version of the hand-over text.
const FORMAT: u64 = 1;

/// The keys of each data model's queue and backend state.
const SLOTS: [(&str, &str); 2] = [("q12", "s12"), ("q2004", "s2004")];

/// The run-time module's half.
#[cfg(not(feature = "course"))]
mod give {
    use super::{Shim, FORMAT, SLOTS};
    use crate::engine::persist::json::{write_key, write_str, write_u64};
    use crate::engine::rte::ApiState;
    use crate::engine::strlist;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    impl Shim {
        /// Everything another shim needs to go on where this one is (see the
        /// module documentation), as a list of that one text
        /// ([`strlist`]). An error while a SCO session is running.
        #[wasm_bindgen(js_name = handOver)]
        pub fn hand_over(&self) -> String {
            if self.api12.state() == ApiState::Running || self.api2004.state() == ApiState::Running {
                return strlist::error(
                    "scorm-shim: a package cannot be opened while a SCO session is running; \
                     call course.open() before launching content, or after the SCO terminated",
                );
            }
            let mut o = String::from("{");
            write_key(&mut o, "v", true);
            write_u64(&mut o, FORMAT);
            write_key(&mut o, "nonce", false);
            write_str(&mut o, &self.nonce);
            write_key(&mut o, "frozen", false);
            o.push_str(if self.frozen { "true" } else { "false" });
            write_key(&mut o, "config", false);
            o.push('[');
            for (i, (k, v)) in self.config.to_pairs().iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                write_str(&mut o, k);
                o.push(',');
                write_str(&mut o, v);
            }
            o.push(']');
            for ((queue, server), host) in SLOTS.iter().zip([&self.host12, &self.host2004]) {
                let Some(slot) = &host.slot else { continue };
                write_key(&mut o, queue, false);
                write_str(&mut o, &slot.queue.to_handover());
                if let Some(state) = &slot.server {
                    write_key(&mut o, server, false);
                    write_str(&mut o, &state.to_json());
                }
            }
            o.push('}');
            strlist::encode([o])
        }
    }
}

/// The course engine's half.
#[cfg(feature = "course")]
mod take {
    use super::{error, Shim, FORMAT, SLOTS};
    use crate::engine::config::Config;
    use crate::engine::persist::json::{self, Value};
    use crate::engine::persist::{Queue, ServerState};
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    impl Shim {
        /// The shim [`Shim::hand_over`] described, with fresh API instances
        /// from stored state.
        #[wasm_bindgen(js_name = takeOver)]
        pub fn take_over(text: &str) -> Result<Shim, JsValue> {
            let fail = |m: &str| error(&crate::engine::text::cat(&["scorm-shim: the course engine could not take over: ", m]));
            let v = json::parse(text).map_err(|e| fail(&e))?;
            if v.get("v").and_then(Value::as_u64) != Some(FORMAT) {
                return Err(fail("unknown hand-over format (are pkg/ files of different builds mixed?)"));
            }
            let nonce = v.get("nonce").and_then(Value::as_str).ok_or_else(|| fail("no nonce"))?;
            let flat: Vec<&str> = v.get("config").and_then(Value::as_arr).unwrap_or(&[]).iter().filter_map(Value::as_str).collect();
            let (config, errors) = Config::from_pairs(flat.chunks_exact(2).map(|kv| (kv[0], kv[1])));
            if let Some(e) = errors.first() {
                return Err(fail(&e.line()));
            }
            let mut shim = Shim::with(config, nonce.to_owned());
            // content ran already: the configuration stays frozen
            shim.frozen = v.get("frozen").and_then(Value::as_bool).unwrap_or(false);
            for ((queue, server), host) in SLOTS.iter().zip([&mut shim.host12, &mut shim.host2004]) {
                let (Some(slot), Some(text)) = (host.slot.as_mut(), v.get(queue).and_then(Value::as_str)) else { continue };
                slot.queue = Queue::from_handover(text, slot.queue.policy().clone()).map_err(|e| fail(&e))?;
                if let Some(state) = v.get(server).and_then(Value::as_str) {
                    slot.server = Some(ServerState::parse(state).map_err(|e| fail(&e))?);
                }
            }
            // The API instances start from what the queue and the backend now say.
            shim.launch();
            Ok(shim)
        }
    }
}
