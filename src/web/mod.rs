//! The browser layer: the one object the JavaScript installer holds, with the
//! SCORM 1.2 and SCORM 2004 methods the `window.API` and
//! `window.API_1484_11` objects forward to, plus configuration, logging and
//! local storage. All SCORM logic lives in [`crate::engine`]; this module
//! only moves strings across the JS boundary and does the I/O.
//!
//! Results that are "true"/"false" cross the boundary as booleans and error
//! codes as numbers: the JS installer turns them back into the strings SCORM
//! requires, which keeps string returns (and their glue) off most calls.

mod storage;

use wasm_bindgen::prelude::*;

use crate::engine::config::{Config, ConfigError, LogLevel};
use crate::engine::rte::ApiState;
use crate::engine::{scorm12, scorm2004};
use storage::LocalHost;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = info)]
    fn console_info(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = debug)]
    fn console_debug(s: &str);
}

/// The shim: configuration, one API instance per SCORM version, and the
/// local-first host that stores what they commit.
#[wasm_bindgen]
pub struct Shim {
    config: Config,
    api12: scorm12::Api,
    api2004: scorm2004::Api,
    host12: LocalHost,
    host2004: LocalHost,
}

fn pairs_of(flat: &[String]) -> impl Iterator<Item = (&str, &str)> {
    flat.chunks_exact(2).map(|kv| (kv[0].as_str(), kv[1].as_str()))
}

fn launch12(c: &Config) -> scorm12::Launch {
    scorm12::Launch {
        student_id: c.learner_id.clone(),
        student_name: c.learner_name.clone(),
        credit: c.credit,
        lesson_mode: c.mode.clone(),
        launch_data: c.launch_data.clone(),
        comments_from_lms: c.comments_from_lms.clone(),
        suspend_data_limit: c.scorm12_suspend_data_limit,
        ..scorm12::Launch::default()
    }
}

fn launch2004(c: &Config) -> scorm2004::Launch {
    scorm2004::Launch {
        learner_id: c.learner_id.clone(),
        learner_name: c.learner_name.clone(),
        credit: c.credit,
        mode: c.mode.clone(),
        launch_data: c.launch_data.clone(),
        ..scorm2004::Launch::default()
    }
}

impl Shim {
    fn log(&self, level: LogLevel, msg: &str) {
        if level == LogLevel::Off || level > self.config.log_level {
            return;
        }
        match level {
            LogLevel::Error => console_error(msg),
            LogLevel::Warn => console_warn(msg),
            LogLevel::Info => console_info(msg),
            _ => console_debug(msg),
        }
    }

    fn report(&self, errors: &[ConfigError]) -> Vec<String> {
        errors
            .iter()
            .map(|e| {
                let s = e.to_string();
                // Configuration mistakes are always shown, whatever the log level.
                console_error(&s);
                s
            })
            .collect()
    }

    /// Fresh API instances for the configured learner, registration and SCO,
    /// resuming from what local storage holds.
    fn launch(&mut self) {
        self.host12 = LocalHost::new(&self.config, "1.2");
        self.host2004 = LocalHost::new(&self.config, "2004");
        self.api12 = scorm12::Api::new(launch12(&self.config), self.host12.load());
        self.api2004 = scorm2004::Api::new(launch2004(&self.config), self.host2004.load());
    }

    fn trace(&self, call: &str, args: &[&str], result: &str, error: String) {
        if self.config.log_level >= LogLevel::Debug {
            let mut line = format!("scorm-shim: {call}(");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    line.push_str(", ");
                }
                line.push('"');
                line.push_str(a);
                line.push('"');
            }
            line.push_str(") -> \"");
            line.push_str(result);
            line.push_str("\" [error ");
            line.push_str(&error);
            line.push(']');
            self.log(LogLevel::Debug, &line);
        }
    }
}

#[wasm_bindgen]
impl Shim {
    /// A shim configured from `[key, value, key, value, …]`; bad entries are
    /// reported on the console naming the key, and defaults stay in force.
    #[wasm_bindgen(constructor)]
    pub fn new(flat_config: Vec<String>) -> Shim {
        let (config, errors) = Config::from_pairs(pairs_of(&flat_config));
        let host12 = LocalHost::new(&config, "1.2");
        let host2004 = LocalHost::new(&config, "2004");
        let api12 = scorm12::Api::new(launch12(&config), host12.load());
        let api2004 = scorm2004::Api::new(launch2004(&config), host2004.load());
        let shim = Shim { config, api12, api2004, host12, host2004 };
        shim.report(&errors);
        shim
    }

    /// Apply more configuration (the `ScormShim.configure({...})` call).
    /// Returns the rejected entries' messages. While a SCO session is running
    /// the configuration is not changed (an error says so).
    pub fn configure(&mut self, flat_config: Vec<String>) -> Vec<String> {
        if self.api12.state() == ApiState::Running || self.api2004.state() == ApiState::Running {
            let msg = "scorm-shim: configure() called while a SCO session is running; ignored".to_string();
            console_error(&msg);
            return vec![msg];
        }
        let errors = self.config.apply(pairs_of(&flat_config));
        self.launch();
        self.report(&errors)
    }

    /// Start a new launch of the configured SCO (after the previous one
    /// terminated): the API instances start over from stored state.
    pub fn relaunch(&mut self) {
        self.launch();
    }

    /// The effective configuration, as `[key, value, …]`.
    #[wasm_bindgen(js_name = configEntries)]
    pub fn config_entries(&self) -> Vec<String> {
        let c = &self.config;
        let mut v = vec![
            "endpoint".into(),
            c.endpoint.clone().unwrap_or_default(),
            "learnerId".into(),
            c.learner_id.clone(),
            "learnerName".into(),
            c.learner_name.clone(),
            "courseId".into(),
            c.course_id.clone(),
            "registrationId".into(),
            c.registration_id.clone(),
            "scoId".into(),
            c.sco_id.clone(),
            "versions".into(),
            c.versions.as_str().into(),
            "storagePrefix".into(),
            c.storage_prefix.clone(),
            "commitInterval".into(),
            c.commit_interval_ms.to_string(),
            "logLevel".into(),
            c.log_level.as_str().into(),
            "credentials".into(),
            c.credentials.as_str().into(),
            "credit".into(),
            (if c.credit { "credit" } else { "no-credit" }).into(),
            "mode".into(),
            c.mode.clone(),
            "scorm12SuspendDataLimit".into(),
            c.scorm12_suspend_data_limit.to_string(),
        ];
        for (name, value) in &c.headers {
            v.push("header".into());
            v.push(format!("{name}: {value}"));
        }
        v
    }

    /// True when `window.API` (SCORM 1.2) is to be installed.
    #[wasm_bindgen(js_name = has12)]
    pub fn has_12(&self) -> bool {
        self.config.versions.has_12()
    }

    /// True when `window.API_1484_11` (SCORM 2004) is to be installed.
    #[wasm_bindgen(js_name = has2004)]
    pub fn has_2004(&self) -> bool {
        self.config.versions.has_2004()
    }

    // ---- SCORM 1.2 -------------------------------------------------------

    /// `LMSInitialize`
    #[wasm_bindgen(js_name = LMSInitialize)]
    pub fn lms_initialize(&mut self, param: &str) -> bool {
        let r = self.api12.initialize(param);
        self.trace("LMSInitialize", &[param], r, self.api12.get_last_error());
        r == "true"
    }

    /// `LMSFinish`
    #[wasm_bindgen(js_name = LMSFinish)]
    pub fn lms_finish(&mut self, param: &str) -> bool {
        let r = self.api12.finish(param, &mut self.host12);
        self.trace("LMSFinish", &[param], r, self.api12.get_last_error());
        r == "true"
    }

    /// `LMSGetValue`
    #[wasm_bindgen(js_name = LMSGetValue)]
    pub fn lms_get_value(&mut self, element: &str) -> String {
        let r = self.api12.get_value(element);
        self.trace("LMSGetValue", &[element], &r, self.api12.get_last_error());
        r
    }

    /// `LMSSetValue`
    #[wasm_bindgen(js_name = LMSSetValue)]
    pub fn lms_set_value(&mut self, element: &str, value: &str) -> bool {
        let r = self.api12.set_value(element, value);
        self.trace("LMSSetValue", &[element, value], r, self.api12.get_last_error());
        r == "true"
    }

    /// `LMSCommit`
    #[wasm_bindgen(js_name = LMSCommit)]
    pub fn lms_commit(&mut self, param: &str) -> bool {
        let r = self.api12.commit(param, &mut self.host12);
        self.trace("LMSCommit", &[param], r, self.api12.get_last_error());
        r == "true"
    }

    /// `LMSGetLastError`
    #[wasm_bindgen(js_name = LMSGetLastError)]
    pub fn lms_get_last_error(&self) -> u32 {
        self.api12.get_last_error().parse().unwrap_or(101)
    }

    /// `LMSGetErrorString`
    #[wasm_bindgen(js_name = LMSGetErrorString)]
    pub fn lms_get_error_string(&self, code: &str) -> String {
        self.api12.get_error_string(code)
    }

    /// `LMSGetDiagnostic`
    #[wasm_bindgen(js_name = LMSGetDiagnostic)]
    pub fn lms_get_diagnostic(&self, code: &str) -> String {
        self.api12.get_diagnostic(code)
    }

    // ---- SCORM 2004 ------------------------------------------------------

    /// `Initialize`
    #[wasm_bindgen(js_name = Initialize)]
    pub fn initialize(&mut self, param: &str) -> bool {
        let r = self.api2004.initialize(param);
        self.trace("Initialize", &[param], r, self.api2004.get_last_error());
        r == "true"
    }

    /// `Terminate`
    #[wasm_bindgen(js_name = Terminate)]
    pub fn terminate(&mut self, param: &str) -> bool {
        let r = self.api2004.terminate(param, &mut self.host2004);
        self.trace("Terminate", &[param], r, self.api2004.get_last_error());
        r == "true"
    }

    /// `GetValue`
    #[wasm_bindgen(js_name = GetValue)]
    pub fn get_value(&mut self, element: &str) -> String {
        let r = self.api2004.get_value(element);
        self.trace("GetValue", &[element], &r, self.api2004.get_last_error());
        r
    }

    /// `SetValue`
    #[wasm_bindgen(js_name = SetValue)]
    pub fn set_value(&mut self, element: &str, value: &str) -> bool {
        let r = self.api2004.set_value(element, value);
        self.trace("SetValue", &[element, value], r, self.api2004.get_last_error());
        r == "true"
    }

    /// `Commit`
    #[wasm_bindgen(js_name = Commit)]
    pub fn commit(&mut self, param: &str) -> bool {
        let r = self.api2004.commit(param, &mut self.host2004);
        self.trace("Commit", &[param], r, self.api2004.get_last_error());
        r == "true"
    }

    /// `GetLastError`
    #[wasm_bindgen(js_name = GetLastError)]
    pub fn get_last_error(&self) -> u32 {
        self.api2004.get_last_error().parse().unwrap_or(101)
    }

    /// `GetErrorString`
    #[wasm_bindgen(js_name = GetErrorString)]
    pub fn get_error_string(&self, code: &str) -> String {
        self.api2004.get_error_string(code)
    }

    /// `GetDiagnostic`
    #[wasm_bindgen(js_name = GetDiagnostic)]
    pub fn get_diagnostic(&self, code: &str) -> String {
        self.api2004.get_diagnostic(code)
    }
}
