//! SCORM 2004 run-time (`window.API_1484_11`): ADL "SCORM 2004 4th Edition
//! Run-Time Environment", §3 (API, error codes §3.1.7) and §4 (data model).
//!
//! This is the API state machine and error handling; the data model arrives
//! with its own tables (issue 4).

use super::rte::{ApiState, Host, PersistReason, Snapshot};

/// What the LMS gives a SCORM 2004 SCO at launch.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// `cmi.learner_id`
    pub learner_id: String,
    /// `cmi.learner_name`
    pub learner_name: String,
    /// `cmi.credit`: true for "credit".
    pub credit: bool,
    /// `cmi.mode`: "normal", "browse" or "review".
    pub mode: String,
    /// `cmi.launch_data` (`adlcp:dataFromLMS`).
    pub launch_data: String,
    /// `cmi.completion_threshold` (`adlcp:completionThreshold`).
    pub completion_threshold: Option<f64>,
    /// `cmi.scaled_passing_score` (primary objective `minNormalizedMeasure`
    /// when `satisfiedByMeasure`).
    pub scaled_passing_score: Option<f64>,
    /// `cmi.max_time_allowed` (`attemptAbsoluteDurationLimit`), ISO 8601.
    pub max_time_allowed: Option<String>,
    /// `cmi.time_limit_action` (`adlcp:timeLimitAction`).
    pub time_limit_action: Option<String>,
    /// Objective ids from the manifest, pre-created in `cmi.objectives`.
    pub objective_ids: Vec<String>,
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            learner_id: "learner".into(),
            learner_name: "Learner".into(),
            credit: true,
            mode: "normal".into(),
            launch_data: String::new(),
            completion_threshold: None,
            scaled_passing_score: None,
            max_time_allowed: None,
            time_limit_action: None,
            objective_ids: Vec::new(),
        }
    }
}

/// The error codes of SCORM 2004 4th Ed RTE §3.1.7 and their strings.
pub const ERRORS: &[(u16, &str)] = &[
    (0, "No Error"),
    (101, "General Exception"),
    (102, "General Initialization Failure"),
    (103, "Already Initialized"),
    (104, "Content Instance Terminated"),
    (111, "General Termination Failure"),
    (112, "Termination Before Initialization"),
    (113, "Termination After Termination"),
    (122, "Retrieve Data Before Initialization"),
    (123, "Retrieve Data After Termination"),
    (132, "Store Data Before Initialization"),
    (133, "Store Data After Termination"),
    (142, "Commit Before Initialization"),
    (143, "Commit After Termination"),
    (201, "General Argument Error"),
    (301, "General Get Failure"),
    (351, "General Set Failure"),
    (391, "General Commit Failure"),
    (401, "Undefined Data Model Element"),
    (402, "Unimplemented Data Model Element"),
    (403, "Data Model Element Value Not Initialized"),
    (404, "Data Model Element Is Read Only"),
    (405, "Data Model Element Is Write Only"),
    (406, "Data Model Element Type Mismatch"),
    (407, "Data Model Element Value Out Of Range"),
    (408, "Data Model Dependency Not Established"),
];

/// One SCORM 2004 API instance for one SCO attempt.
#[derive(Debug)]
pub struct Api {
    state: ApiState,
    last_error: u16,
    diagnostic: String,
    values: Snapshot,
    #[allow(dead_code)]
    launch: Launch,
}

impl Api {
    /// A new API instance; `saved` is the state of a suspended earlier
    /// session of the same SCO attempt, if any.
    pub fn new(launch: Launch, saved: Option<Snapshot>) -> Api {
        Api { state: ApiState::NotInitialized, last_error: 0, diagnostic: String::new(), values: saved.unwrap_or_default(), launch }
    }

    /// The API instance state.
    pub fn state(&self) -> ApiState {
        self.state
    }

    /// The whole saved state.
    pub fn snapshot(&self) -> Snapshot {
        self.values.clone()
    }

    fn fail(&mut self, code: u16, diagnostic: impl Into<String>) -> &'static str {
        self.last_error = code;
        self.diagnostic = diagnostic.into();
        "false"
    }

    fn ok(&mut self) -> &'static str {
        self.last_error = 0;
        self.diagnostic.clear();
        "true"
    }

    /// `Initialize("")`.
    pub fn initialize(&mut self, param: &str) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "Initialize takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => {
                self.state = ApiState::Running;
                self.ok()
            }
            ApiState::Running => self.fail(103, "Initialize was already called"),
            ApiState::Terminated => self.fail(104, "Terminate was already called"),
        }
    }

    /// `Terminate("")`.
    pub fn terminate(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "Terminate takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => return self.fail(112, "Terminate before Initialize"),
            ApiState::Terminated => return self.fail(113, "Terminate was already called"),
            ApiState::Running => {}
        }
        if let Err(e) = host.persist(PersistReason::Terminate, &Vec::new(), &self.values) {
            return self.fail(111, format!("the data could not be stored: {e}"));
        }
        self.state = ApiState::Terminated;
        self.ok()
    }

    /// `GetValue(element)`.
    pub fn get_value(&mut self, element: &str) -> String {
        match self.state {
            ApiState::NotInitialized => {
                self.fail(122, "GetValue before Initialize");
                return String::new();
            }
            ApiState::Terminated => {
                self.fail(123, "GetValue after Terminate");
                return String::new();
            }
            ApiState::Running => {}
        }
        if element.is_empty() {
            self.fail(301, "GetValue needs an element name");
            return String::new();
        }
        self.fail(401, format!("{element} is not implemented yet"));
        String::new()
    }

    /// `SetValue(element, value)`.
    pub fn set_value(&mut self, element: &str, _value: &str) -> &'static str {
        match self.state {
            ApiState::NotInitialized => return self.fail(132, "SetValue before Initialize"),
            ApiState::Terminated => return self.fail(133, "SetValue after Terminate"),
            ApiState::Running => {}
        }
        if element.is_empty() {
            return self.fail(351, "SetValue needs an element name");
        }
        self.fail(401, format!("{element} is not implemented yet"))
    }

    /// `Commit("")`.
    pub fn commit(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "Commit takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => return self.fail(142, "Commit before Initialize"),
            ApiState::Terminated => return self.fail(143, "Commit after Terminate"),
            ApiState::Running => {}
        }
        match host.persist(PersistReason::Commit, &Vec::new(), &self.values) {
            Ok(()) => self.ok(),
            Err(e) => self.fail(391, format!("the data could not be stored: {e}")),
        }
    }

    /// `GetLastError()`.
    pub fn get_last_error(&self) -> String {
        self.last_error.to_string()
    }

    /// `GetErrorString(code)`.
    pub fn get_error_string(&self, code: &str) -> String {
        code.parse::<u16>()
            .ok()
            .and_then(|c| ERRORS.iter().find(|(n, _)| *n == c))
            .map(|(_, s)| (*s).to_owned())
            .unwrap_or_default()
    }

    /// `GetDiagnostic(code)`.
    pub fn get_diagnostic(&self, code: &str) -> String {
        if code.is_empty() || code.parse::<u16>().ok() == Some(self.last_error) {
            if self.diagnostic.is_empty() {
                return self.get_error_string(&self.last_error.to_string());
            }
            return self.diagnostic.clone();
        }
        self.get_error_string(code)
    }
}

/// Check a stored (element, value) pair the way the run-time would accept it
/// from a saved state: used by the reference backend to validate batches
/// with the same code the browser runs.
pub fn validate_stored(element: &str, value: &str) -> Result<(), String> {
    let _ = value;
    if !(element.starts_with("cmi.") || element.starts_with("adl.")) {
        return Err(format!("{element:?} is not a data model element"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rte::NullHost;

    #[test]
    fn state_machine() {
        let mut api = Api::new(Launch::default(), None);
        let mut h = NullHost;
        assert_eq!(api.terminate("", &mut h), "false");
        assert_eq!(api.get_last_error(), "112");
        assert_eq!(api.initialize(""), "true");
        assert_eq!(api.initialize(""), "false");
        assert_eq!(api.get_last_error(), "103");
        assert_eq!(api.commit("", &mut h), "true");
        assert_eq!(api.terminate("", &mut h), "true");
        assert_eq!(api.terminate("", &mut h), "false");
        assert_eq!(api.get_last_error(), "113");
        assert_eq!(api.initialize(""), "false");
        assert_eq!(api.get_last_error(), "104");
    }
}
