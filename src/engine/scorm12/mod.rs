//! SCORM 1.2 run-time (`window.API`): ADL "SCORM Version 1.2 – The SCORM
//! Run-Time Environment", §3.3 (API) and §3.4 (data model).
//!
//! This is the API state machine and error handling; the data model arrives
//! with its own tables (issue 3).

use super::rte::{ApiState, Host, PersistReason, Snapshot};

/// What the LMS gives a SCORM 1.2 SCO at launch.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// `cmi.core.student_id`
    pub student_id: String,
    /// `cmi.core.student_name`
    pub student_name: String,
    /// `cmi.core.credit`: true for "credit".
    pub credit: bool,
    /// `cmi.core.lesson_mode`: "normal", "browse" or "review".
    pub lesson_mode: String,
    /// `cmi.launch_data` (`adlcp:datafromlms`).
    pub launch_data: String,
    /// `cmi.comments_from_lms`.
    pub comments_from_lms: String,
    /// `cmi.student_data.mastery_score` (`adlcp:masteryscore`).
    pub mastery_score: Option<f64>,
    /// `cmi.student_data.max_time_allowed` (`adlcp:maxtimeallowed`).
    pub max_time_allowed: Option<String>,
    /// `cmi.student_data.time_limit_action` (`adlcp:timelimitaction`).
    pub time_limit_action: Option<String>,
    /// Longest `cmi.suspend_data` accepted (see `config::DEFAULT_SCORM12_SUSPEND_DATA_LIMIT`).
    pub suspend_data_limit: usize,
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            student_id: "learner".into(),
            student_name: "Learner".into(),
            credit: true,
            lesson_mode: "normal".into(),
            launch_data: String::new(),
            comments_from_lms: String::new(),
            mastery_score: None,
            max_time_allowed: None,
            time_limit_action: None,
            suspend_data_limit: crate::engine::config::DEFAULT_SCORM12_SUSPEND_DATA_LIMIT,
        }
    }
}

/// One SCORM 1.2 API instance for one SCO attempt.
#[derive(Debug)]
pub struct Api {
    state: ApiState,
    last_error: u16,
    diagnostic: String,
    values: Snapshot,
    #[allow(dead_code)]
    launch: Launch,
}

/// The error codes of SCORM 1.2 RTE §3.3.3 and their strings.
pub const ERRORS: &[(u16, &str)] = &[
    (0, "No error"),
    (101, "General exception"),
    (201, "Invalid argument error"),
    (202, "Element cannot have children"),
    (203, "Element not an array - cannot have count"),
    (301, "Not initialized"),
    (401, "Not implemented error"),
    (402, "Invalid set value, element is a keyword"),
    (403, "Element is read only"),
    (404, "Element is write only"),
    (405, "Incorrect data type"),
];

impl Api {
    /// A new API instance; `saved` is the state of an earlier session of the
    /// same SCO attempt (resume), if any.
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

    /// `LMSInitialize("")`.
    pub fn initialize(&mut self, param: &str) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "LMSInitialize takes the empty string");
        }
        match self.state {
            ApiState::NotInitialized => {
                self.state = ApiState::Running;
                self.ok()
            }
            ApiState::Running => self.fail(101, "LMSInitialize was already called"),
            ApiState::Terminated => self.fail(101, "LMSFinish was already called"),
        }
    }

    /// `LMSFinish("")`.
    pub fn finish(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "LMSFinish takes the empty string");
        }
        if self.state != ApiState::Running {
            return self.fail(301, "LMSFinish before LMSInitialize");
        }
        if let Err(e) = host.persist(PersistReason::Terminate, &Vec::new(), &self.values) {
            return self.fail(101, format!("the data could not be stored: {e}"));
        }
        self.state = ApiState::Terminated;
        self.ok()
    }

    /// `LMSGetValue(element)`.
    pub fn get_value(&mut self, element: &str) -> String {
        if self.state != ApiState::Running {
            self.fail(301, "LMSGetValue outside an initialized session");
            return String::new();
        }
        if element.is_empty() {
            self.fail(201, "LMSGetValue needs an element name");
            return String::new();
        }
        self.fail(401, format!("{element} is not implemented yet"));
        String::new()
    }

    /// `LMSSetValue(element, value)`.
    pub fn set_value(&mut self, element: &str, _value: &str) -> &'static str {
        if self.state != ApiState::Running {
            return self.fail(301, "LMSSetValue outside an initialized session");
        }
        if element.is_empty() {
            return self.fail(201, "LMSSetValue needs an element name");
        }
        self.fail(401, format!("{element} is not implemented yet"))
    }

    /// `LMSCommit("")`.
    pub fn commit(&mut self, param: &str, host: &mut dyn Host) -> &'static str {
        if !param.is_empty() {
            return self.fail(201, "LMSCommit takes the empty string");
        }
        if self.state != ApiState::Running {
            return self.fail(301, "LMSCommit outside an initialized session");
        }
        match host.persist(PersistReason::Commit, &Vec::new(), &self.values) {
            Ok(()) => self.ok(),
            Err(e) => self.fail(101, format!("the data could not be stored: {e}")),
        }
    }

    /// `LMSGetLastError()`.
    pub fn get_last_error(&self) -> String {
        self.last_error.to_string()
    }

    /// `LMSGetErrorString(code)`.
    pub fn get_error_string(&self, code: &str) -> String {
        code.trim()
            .parse::<u16>()
            .ok()
            .and_then(|c| ERRORS.iter().find(|(n, _)| *n == c))
            .map(|(_, s)| (*s).to_owned())
            .unwrap_or_default()
    }

    /// `LMSGetDiagnostic(code)`: details of the last error when `code` is
    /// empty or equals it, else the error string of `code`.
    pub fn get_diagnostic(&self, code: &str) -> String {
        if code.is_empty() || code.trim().parse::<u16>().ok() == Some(self.last_error) {
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
    if !element.starts_with("cmi.") {
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
        assert_eq!(api.commit("", &mut h), "false");
        assert_eq!(api.get_last_error(), "301");
        assert_eq!(api.initialize("x"), "false");
        assert_eq!(api.get_last_error(), "201");
        assert_eq!(api.initialize(""), "true");
        assert_eq!(api.get_last_error(), "0");
        assert_eq!(api.initialize(""), "false");
        assert_eq!(api.get_last_error(), "101");
        assert_eq!(api.commit("", &mut h), "true");
        assert_eq!(api.finish("", &mut h), "true");
        assert_eq!(api.get_value("cmi.core.lesson_status"), "");
        assert_eq!(api.get_last_error(), "301");
        assert_eq!(api.get_error_string("301"), "Not initialized");
    }
}
