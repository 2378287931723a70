//! Page configuration: what an LMS page tells the shim through `data-`
//! attributes on its script tag, a `window.scormShimConfig` object, or the
//! `ScormShim.configure({...})` call.
//!
//! Every source reaches this module as (key, string value) pairs with
//! camelCase keys (`data-learner-id` arrives as `learnerId`, exactly as
//! `HTMLElement.dataset` names it). A bad key or value never stops the shim:
//! it is reported as a [`ConfigError`] naming the key, and the safe default
//! stays in force.

use std::fmt;

use super::num::dec;
use super::text::cat;

/// Which SCORM API objects the page exposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions {
    /// Only `window.API` (SCORM 1.2).
    Scorm12,
    /// Only `window.API_1484_11` (SCORM 2004).
    Scorm2004,
    /// Both (the default: the page does not need to know what the course is).
    Both,
}

impl Versions {
    /// True when `window.API` is exposed.
    pub fn has_12(self) -> bool {
        matches!(self, Versions::Scorm12 | Versions::Both)
    }
    /// True when `window.API_1484_11` is exposed.
    pub fn has_2004(self) -> bool {
        matches!(self, Versions::Scorm2004 | Versions::Both)
    }
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Versions::Scorm12 => "1.2",
            Versions::Scorm2004 => "2004",
            Versions::Both => "1.2,2004",
        }
    }
}

/// How much the shim writes to the browser console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Nothing.
    Off,
    /// Errors only.
    Error,
    /// Errors and warnings (the default).
    Warn,
    /// Also lifecycle events (initialize, commit, terminate).
    Info,
    /// Also every API call with its arguments and result.
    Debug,
}

impl LogLevel {
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

/// The credentials mode of requests to the backend (the Fetch standard's
/// `RequestCredentials`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// Never send cookies.
    Omit,
    /// Send cookies to the page's own origin (the default).
    SameOrigin,
    /// Send cookies to any origin.
    Include,
}

impl Credentials {
    /// The Fetch spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::Omit => "omit",
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
        }
    }
}

/// The SCORM 1.2 `cmi.suspend_data` limit that keeps courses from common
/// authoring tools working: they write far more than the specification's
/// 4,096 characters, and leading LMSs accept it.
pub const DEFAULT_SCORM12_SUSPEND_DATA_LIMIT: usize = 65_536;
/// The limit the SCORM 1.2 specification gives (CMIString4096).
pub const STRICT_SCORM12_SUSPEND_DATA_LIMIT: usize = 4_096;

/// The whole configuration, with every default applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Backend URL that receives commit batches; `None` keeps everything in
    /// `localStorage` only (static preview, offline players).
    pub endpoint: Option<String>,
    /// Extra request headers for the backend (for example an auth token).
    pub headers: Vec<(String, String)>,
    /// Credentials mode for backend requests.
    pub credentials: Credentials,
    /// `cmi.core.student_id` / `cmi.learner_id`.
    pub learner_id: String,
    /// `cmi.core.student_name` / `cmi.learner_name` ("Last, First").
    pub learner_name: String,
    /// The course the registration is for.
    pub course_id: String,
    /// The registration (attempt) the tracking data belongs to.
    pub registration_id: String,
    /// True when the page set `courseId` (else a package opened in the
    /// course player names its own course, [`crate::engine::course::identity`]).
    pub course_id_set: bool,
    /// True when the page set `registrationId` (else a package opened in the
    /// course player gets a registration of its own).
    pub registration_id_set: bool,
    /// What a new launch of a SCO outside a sequenced course does with a
    /// learner attempt that ended (SCORM 2004 `cmi.exit` normal, logout,
    /// time-out or ""): false starts a new attempt, true reviews the ended one
    /// (`endedAttempt`: "new" or "review").
    pub review_ended_attempt: bool,
    /// The SCO whose data a single-SCO page tracks.
    pub sco_id: String,
    /// Which API objects to expose.
    pub versions: Versions,
    /// Prefix of every `localStorage` key the shim writes.
    pub storage_prefix: String,
    /// Batching window for backend commits and auto-commit, in milliseconds.
    pub commit_interval_ms: u32,
    /// Console verbosity.
    pub log_level: LogLevel,
    /// `cmi.core.credit` / `cmi.credit`: true for "credit".
    pub credit: bool,
    /// `cmi.core.lesson_mode` / `cmi.mode`: "normal", "browse" or "review".
    pub mode: String,
    /// `cmi.launch_data` when no manifest gives it.
    pub launch_data: String,
    /// `cmi.comments_from_lms` (SCORM 1.2) / first `cmi.comments_from_lms` comment (2004).
    pub comments_from_lms: String,
    /// Maximum length accepted for SCORM 1.2 `cmi.suspend_data`.
    pub scorm12_suspend_data_limit: usize,
    /// Origins (`https://host[:port]`) besides the page's own from which
    /// `ScormShim.course.open` may load a package. Empty: the page's origin
    /// only (content on another origin cannot reach the API anyway).
    pub package_origins: Vec<String>,
    /// The largest request body the backend accepts, in bytes: batches are
    /// split to fit, and no value longer than
    /// [`crate::engine::persist::max_value_chars`] of it is accepted.
    pub max_body_bytes: usize,
    /// The largest stored commit queue, in bytes.
    pub queue_limit: usize,
    /// SCORM 2004: refuse characterstring values past their SPM.
    pub spm_limits: bool,
    /// True once the page gave `learnerId` (the default is only a
    /// placeholder for `cmi.learner_id`: nothing is stored under it).
    pub learner_id_set: bool,
    /// True when the registration was named by a package the course player
    /// opened ([`crate::engine::course::identity`]: built from the learner,
    /// the package and its URL), not by the page: as good as a given one
    /// for storage. Not a configuration key.
    pub registration_derived: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            endpoint: None,
            headers: Vec::new(),
            credentials: Credentials::SameOrigin,
            learner_id: "learner".into(),
            learner_name: "Learner".into(),
            course_id: "course".into(),
            registration_id: "registration".into(),
            course_id_set: false,
            registration_id_set: false,
            review_ended_attempt: false,
            sco_id: "sco".into(),
            versions: Versions::Both,
            storage_prefix: "scorm-shim".into(),
            commit_interval_ms: 5_000,
            log_level: LogLevel::Warn,
            credit: true,
            mode: "normal".into(),
            launch_data: String::new(),
            comments_from_lms: String::new(),
            scorm12_suspend_data_limit: DEFAULT_SCORM12_SUSPEND_DATA_LIMIT,
            package_origins: Vec::new(),
            max_body_bytes: crate::engine::persist::DEFAULT_MAX_BODY,
            queue_limit: crate::engine::persist::DEFAULT_MAX_STORED,
            spm_limits: true,
            learner_id_set: false,
            registration_derived: false,
        }
    }
}

/// One rejected configuration entry. The message names the key, says what
/// was wrong and which value is used instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The key as the page spelled it.
    pub key: String,
    /// What was wrong, and what is used instead.
    pub message: String,
}

impl ConfigError {
    /// The line the console shows and `configure()` returns:
    /// `scorm-shim: configuration key "<key>": <message>` (what `Display`
    /// writes, built without `core::fmt`).
    pub fn line(&self) -> String {
        cat(&["scorm-shim: configuration key \"", &self.key, "\": ", &self.message])
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

/// Every key the configuration accepts, in the spelling of `dataset`/JS.
pub const KEYS: &[&str] = &[
    "endpoint",
    "headers",
    "credentials",
    "learnerId",
    "learnerName",
    "courseId",
    "registrationId",
    "scoId",
    "versions",
    "storagePrefix",
    "commitInterval",
    "logLevel",
    "credit",
    "mode",
    "launchData",
    "commentsFromLms",
    "scorm12SuspendDataLimit",
    "packageOrigins",
    "endedAttempt",
    "maxBodyBytes",
    "queueLimit",
    "scorm2004StringLimit",
];

/// [`KEYS`] joined with ", ", written out (joining at run time costs code).
const KNOWN_KEYS: &str = "endpoint, headers, credentials, learnerId, learnerName, courseId, registrationId, \
scoId, versions, storagePrefix, commitInterval, logLevel, credit, mode, launchData, commentsFromLms, \
scorm12SuspendDataLimit, packageOrigins, endedAttempt, maxBodyBytes, queueLimit, scorm2004StringLimit";

impl Config {
    /// Apply `(key, value)` pairs on top of `self`, later pairs winning.
    /// Returns the entries that were rejected; each leaves its field unchanged.
    ///
    /// Credentials belong to the endpoint they were given with: a call that
    /// changes the endpoint without giving `headers` too drops the headers
    /// (reported as a `headers` entry), so whoever can call `configure()`
    /// before the configuration is frozen cannot send the page's token to an
    /// endpoint of its choosing.
    pub fn apply<'a, I>(&mut self, pairs: I) -> Vec<ConfigError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut errors = Vec::new();
        let endpoint = self.endpoint.clone();
        let mut headers_given = false;
        for (key, value) in pairs {
            headers_given |= key == "headers";
            if let Err(message) = self.apply_one(key, value) {
                errors.push(ConfigError { key: key.to_owned(), message });
            }
        }
        if self.endpoint != endpoint && !headers_given && !self.headers.is_empty() {
            self.headers.clear();
            errors.push(ConfigError {
                key: "headers".to_owned(),
                message: "the endpoint changed, so the headers given for the old one were dropped \
                          (credentials go only to the endpoint they were given with): give the headers again \
                          in the same call as the endpoint"
                    .to_owned(),
            });
        }
        errors
    }

    /// Build a configuration from defaults and `pairs`.
    pub fn from_pairs<'a, I>(pairs: I) -> (Config, Vec<ConfigError>)
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut c = Config::default();
        let errors = c.apply(pairs);
        (c, errors)
    }

    /// The configuration as `(key, value)` pairs that [`Config::from_pairs`]
    /// turns back into an equal configuration: how the run-time module hands
    /// the page's configuration to the course engine when that loads
    /// (`web::handover`). Every key of [`KEYS`] appears once.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let headers: Vec<String> = self.headers.iter().map(|(n, v)| cat(&[n, ": ", v])).collect();
        let mut pairs = vec![
            ("endpoint", self.endpoint.clone().unwrap_or_default()),
            ("headers", headers.join("\n")),
            ("credentials", self.credentials.as_str().into()),
            ("learnerId", self.learner_id.clone()),
            ("learnerName", self.learner_name.clone()),
            ("courseId", self.course_id.clone()),
            ("registrationId", self.registration_id.clone()),
            ("scoId", self.sco_id.clone()),
            ("versions", self.versions.as_str().into()),
            ("storagePrefix", self.storage_prefix.clone()),
            ("commitInterval", dec(u64::from(self.commit_interval_ms))),
            ("logLevel", self.log_level.as_str().into()),
            ("credit", (if self.credit { "credit" } else { "no-credit" }).into()),
            ("mode", self.mode.clone()),
            ("launchData", self.launch_data.clone()),
            ("commentsFromLms", self.comments_from_lms.clone()),
            ("scorm12SuspendDataLimit", dec(self.scorm12_suspend_data_limit as u64)),
            ("packageOrigins", self.package_origins.join(",")),
            ("endedAttempt", (if self.review_ended_attempt { "review" } else { "new" }).into()),
            ("maxBodyBytes", dec(self.max_body_bytes as u64)),
            ("queueLimit", dec(self.queue_limit as u64)),
            ("scorm2004StringLimit", (if self.spm_limits { "spm" } else { "none" }).into()),
        ];
        // Ids the page never set stay unset: the course player then takes
        // them from the package (course::identity).
        pairs.retain(|(k, _)| match *k {
            "learnerId" => self.learner_id_set,
            "courseId" => self.course_id_set,
            "registrationId" => self.registration_id_set,
            _ => true,
        });
        pairs
    }

    fn apply_one(&mut self, key: &str, value: &str) -> Result<(), String> {
        let v = value.trim();
        match key {
            "endpoint" => self.endpoint = parse_endpoint(v)?,
            "headers" => self.headers = parse_headers(v)?,
            "credentials" => {
                self.credentials = match v {
                    "omit" => Credentials::Omit,
                    "same-origin" => Credentials::SameOrigin,
                    "include" => Credentials::Include,
                    _ => return Err(expected(v, "\"omit\", \"same-origin\" or \"include\"", "same-origin")),
                }
            }
            "learnerId" => {
                self.learner_id = identifier(v, 255, "learner")?;
                self.learner_id_set = true;
            }
            "learnerName" => self.learner_name = bounded(value, 255)?,
            "courseId" => {
                self.course_id = identifier(v, 255, "course")?;
                self.course_id_set = true;
            }
            "registrationId" => {
                self.registration_id = identifier(v, 255, "registration")?;
                self.registration_id_set = true;
            }
            "scoId" => self.sco_id = identifier(v, 255, "sco")?,
            "versions" => {
                let mut has12 = false;
                let mut has2004 = false;
                for part in v.split([',', ' ']).filter(|p| !p.is_empty()) {
                    match part {
                        "1.2" => has12 = true,
                        "2004" => has2004 = true,
                        "both" | "all" => {
                            has12 = true;
                            has2004 = true
                        }
                        _ => return Err(expected(v, "\"1.2\", \"2004\" or \"1.2,2004\"", "1.2,2004")),
                    }
                }
                self.versions = match (has12, has2004) {
                    (true, true) => Versions::Both,
                    (true, false) => Versions::Scorm12,
                    (false, true) => Versions::Scorm2004,
                    (false, false) => return Err(expected(v, "\"1.2\", \"2004\" or \"1.2,2004\"", "1.2,2004")),
                };
            }
            "storagePrefix" => {
                if v.is_empty() || v.len() > 64 || v.chars().any(|c| c.is_control()) {
                    return Err(expected(v, "1 to 64 printable characters", "scorm-shim"));
                }
                self.storage_prefix = v.to_owned();
            }
            "commitInterval" => {
                self.commit_interval_ms = match v.parse::<u32>() {
                    Ok(n) if n <= 3_600_000 => n,
                    _ => return Err(expected(v, "milliseconds from 0 to 3600000", "5000")),
                }
            }
            "logLevel" => {
                self.log_level = match v {
                    "off" | "none" => LogLevel::Off,
                    "error" => LogLevel::Error,
                    "warn" => LogLevel::Warn,
                    "info" => LogLevel::Info,
                    "debug" => LogLevel::Debug,
                    _ => return Err(expected(v, "off, error, warn, info or debug", "warn")),
                }
            }
            "credit" => {
                self.credit = match v {
                    "credit" | "true" => true,
                    "no-credit" | "false" => false,
                    _ => return Err(expected(v, "\"credit\" or \"no-credit\"", "credit")),
                }
            }
            "mode" => {
                self.mode = match v {
                    "normal" | "browse" | "review" => v.to_owned(),
                    _ => return Err(expected(v, "\"normal\", \"browse\" or \"review\"", "normal")),
                }
            }
            "launchData" => self.launch_data = bounded(value, 4096)?,
            "commentsFromLms" => self.comments_from_lms = bounded(value, 4096)?,
            "scorm12SuspendDataLimit" => {
                self.scorm12_suspend_data_limit = match v {
                    "strict" => STRICT_SCORM12_SUSPEND_DATA_LIMIT,
                    _ => match v.parse::<usize>() {
                        Ok(n) if (STRICT_SCORM12_SUSPEND_DATA_LIMIT..=16 * 1024 * 1024).contains(&n) => n,
                        _ => {
                            return Err(expected(
                                v,
                                "\"strict\" or a number of characters from 4096 to 16777216",
                                "65536",
                            ))
                        }
                    },
                }
            }
            "packageOrigins" => self.package_origins = parse_origins(v)?,
            "endedAttempt" => {
                self.review_ended_attempt = match v {
                    "new" => false,
                    "review" => true,
                    _ => return Err(expected(v, "\"new\" or \"review\"", "new")),
                }
            }
            "maxBodyBytes" => {
                self.max_body_bytes = match v.parse::<usize>() {
                    Ok(n) if (MIN_BODY..=MAX_LIMIT).contains(&n) => n,
                    _ => return Err(expected(v, "bytes from 65536 to 67108864", "1048576")),
                }
            }
            "queueLimit" => {
                self.queue_limit = match v.parse::<usize>() {
                    Ok(n) if (MIN_BODY..=MAX_LIMIT).contains(&n) => n,
                    _ => return Err(expected(v, "bytes from 65536 to 67108864", "2097152")),
                }
            }
            "scorm2004StringLimit" => {
                self.spm_limits = match v {
                    "spm" => true,
                    "none" => false,
                    _ => return Err(expected(v, "\"spm\" or \"none\"", "spm")),
                }
            }
            _ => {
                return Err(cat(&["unknown key, ignored (known keys: ", KNOWN_KEYS, ")"]))
            }
        }
        Ok(())
    }
}

/// The smallest `maxBodyBytes`/`queueLimit`: the keepalive budget.
const MIN_BODY: usize = 65_536;
/// The largest `maxBodyBytes`/`queueLimit`.
const MAX_LIMIT: usize = 64 << 20;

impl Config {
    /// The ids every stored key is built from, or `None` when the page did
    /// not give a learner and a registration: then nothing is stored (the
    /// defaults would put every learner of the device in one slot).
    pub fn storage_ids(&self) -> Option<crate::engine::persist::keys::StorageIds> {
        (self.learner_id_set && (self.registration_id_set || self.registration_derived)).then(|| crate::engine::persist::keys::StorageIds {
            prefix: self.storage_prefix.clone(),
            learner: self.learner_id.clone(),
            course: self.course_id.clone(),
            registration: self.registration_id.clone(),
        })
    }

    /// The longest value any element accepts, in characters: what still
    /// fits in one request body of `maxBodyBytes`.
    pub fn max_value_chars(&self) -> usize {
        crate::engine::persist::max_value_chars(self.max_body_bytes)
    }

    /// The SCORM 2004 value limits.
    pub fn value_limits(&self) -> crate::engine::rte::ValueLimits {
        crate::engine::rte::ValueLimits { max_chars: self.max_value_chars(), spm: self.spm_limits }
    }

    /// The stored queue's limit in effect: at least room for two requests
    /// of the largest size.
    pub fn effective_queue_limit(&self) -> usize {
        self.queue_limit.max(self.max_body_bytes.saturating_mul(2))
    }

    /// The SCORM 1.2 `cmi.suspend_data` limit in effect: the configured one,
    /// but never more than one request body carries.
    pub fn effective_suspend_data_limit(&self) -> usize {
        self.scorm12_suspend_data_limit.min(self.max_value_chars())
    }
}

fn expected(got: &str, what: &str, default: &str) -> String {
    cat(&["invalid value \"", &truncate(got), "\": expected ", what, "; using ", default])
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        let mut t: String = s.chars().take(40).collect();
        t.push('…');
        t
    } else {
        s.to_owned()
    }
}

fn bounded(v: &str, max: usize) -> Result<String, String> {
    if v.chars().count() > max {
        return Err(cat(&["value longer than ", &dec(max as u64), " characters; ignored"]));
    }
    Ok(v.to_owned())
}

fn identifier(v: &str, max: usize, default: &str) -> Result<String, String> {
    if v.is_empty() || v.chars().count() > max || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(expected(
            v,
            &cat(&["1 to ", &dec(max as u64), " characters without spaces or control characters"]),
            default,
        ));
    }
    Ok(v.to_owned())
}

fn parse_endpoint(v: &str) -> Result<Option<String>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    let lower = v.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with('/')
        || lower.starts_with("./")
        || lower.starts_with("../");
    if !scheme_ok || v.chars().any(|c| c.is_control() || c == ' ') {
        return Err(expected(
            v,
            "an http(s) URL or a path (\"/api/scorm\")",
            "no endpoint (local storage only)",
        ));
    }
    Ok(Some(v.to_owned()))
}

/// A list of origins, separated by commas or spaces: each `http(s)://host`
/// with an optional port and nothing after it (no path, no wildcard).
fn parse_origins(v: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in v.split([',', ' ']).filter(|p| !p.is_empty()) {
        let lower = part.to_ascii_lowercase();
        let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
        let valid = host.is_some_and(|h| {
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        });
        if !valid {
            return Err(cat(&[
                "\"",
                &truncate(part),
                "\" is not an origin such as \"https://cdn.example.com\"; only the page's own origin is allowed",
            ]));
        }
        out.push(lower);
    }
    Ok(out)
}

/// Headers come as `Name: value` lines separated by newlines or `;`, or as a
/// JSON-like object already flattened by the JS layer into that form.
fn parse_headers(v: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for line in v.split(['\n', ';']).map(str::trim).filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(cat(&["header \"", &truncate(line), "\" is not \"Name: value\"; no headers used"]));
        };
        let name = name.trim();
        let valid_name = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid_name || value.chars().any(|c| c.is_control()) {
            return Err(cat(&["header \"", &truncate(name), "\" is not a valid HTTP header; no headers used"]));
        }
        out.push((name.to_owned(), value.trim().to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_text_lists_every_key() {
        assert_eq!(KNOWN_KEYS, KEYS.join(", "));
    }

    #[test]
    fn package_origins_are_origins_only() {
        let (c, errors) = Config::from_pairs([("packageOrigins", "https://CDN.example.com http://127.0.0.1:8081")]);
        assert!(errors.is_empty());
        assert_eq!(c.package_origins, ["https://cdn.example.com", "http://127.0.0.1:8081"]);
        for bad in ["*", "cdn.example.com", "javascript:alert(1)", "https://x.example/path", "https://", "file:///x"] {
            let (c, errors) = Config::from_pairs([("packageOrigins", bad)]);
            assert_eq!(errors.len(), 1, "{bad}");
            assert!(c.package_origins.is_empty(), "{bad}");
        }
    }

    #[test]
    fn defaults_are_safe() {
        let c = Config::default();
        assert_eq!(c.versions, Versions::Both);
        assert_eq!(c.endpoint, None);
        assert_eq!(c.scorm12_suspend_data_limit, 65_536);
        assert_eq!(c.log_level, LogLevel::Warn);
    }

    #[test]
    fn credentials_stay_with_the_endpoint_they_were_given_with() {
        let (mut c, errors) = Config::from_pairs([("headers", "Authorization: Bearer t"), ("endpoint", "/api")]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(c.headers.len(), 1, "headers and endpoint in one call, in any order, stay together");
        // The same endpoint again, or other keys: the headers stay.
        assert!(c.apply([("endpoint", "/api"), ("learnerName", "x")]).is_empty());
        assert_eq!(c.headers.len(), 1);
        // Another endpoint without headers: they are dropped, and it says so.
        let errors = c.apply([("endpoint", "https://evil.example/api")]);
        assert_eq!(c.endpoint.as_deref(), Some("https://evil.example/api"));
        assert!(c.headers.is_empty(), "the token must not go to the new endpoint");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, "headers");
        assert!(!errors[0].message.contains("Bearer"), "the message carries no credential");
        // No endpoint at first, then one: the headers were not given for it either.
        let (mut c, _) = Config::from_pairs([("headers", "Authorization: Bearer t")]);
        c.apply([("endpoint", "/api")]);
        assert!(c.headers.is_empty());
        // New endpoint with new headers in one call: both taken.
        let (mut c, _) = Config::from_pairs([("endpoint", "/api"), ("headers", "Authorization: Bearer t")]);
        assert!(c.apply([("endpoint", "/other"), ("headers", "Authorization: Bearer u")]).is_empty());
        assert_eq!(c.headers, vec![("Authorization".to_owned(), "Bearer u".to_owned())]);
        // A rejected endpoint changes nothing, so the headers stay.
        let (mut c, _) = Config::from_pairs([("endpoint", "/api"), ("headers", "Authorization: Bearer t")]);
        assert_eq!(c.apply([("endpoint", "javascript:alert(1)")]).len(), 1);
        assert_eq!(c.headers.len(), 1);
    }

    #[test]
    fn every_key_is_accepted_with_a_good_value() {
        let pairs = [
            ("endpoint", "https://lms.example/api/scorm"),
            ("headers", "Authorization: Bearer x; X-Tenant: 7"),
            ("credentials", "include"),
            ("learnerId", "u-17"),
            ("learnerName", "Doe, Jane"),
            ("courseId", "c1"),
            ("registrationId", "r1"),
            ("scoId", "s1"),
            ("versions", "2004"),
            ("storagePrefix", "lms"),
            ("commitInterval", "1500"),
            ("logLevel", "debug"),
            ("credit", "no-credit"),
            ("mode", "review"),
            ("launchData", "x=1"),
            ("commentsFromLms", "hello"),
            ("scorm12SuspendDataLimit", "strict"),
            ("packageOrigins", "https://cdn.example.com, http://127.0.0.1:8081"),
            ("endedAttempt", "review"),
            ("maxBodyBytes", "262144"),
            ("queueLimit", "4194304"),
            ("scorm2004StringLimit", "none"),
        ];
        assert_eq!(pairs.len(), KEYS.len(), "one good value per known key");
        let (c, errors) = Config::from_pairs(pairs);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(c.endpoint.as_deref(), Some("https://lms.example/api/scorm"));
        assert_eq!(
            c.headers,
            vec![("Authorization".into(), "Bearer x".into()), ("X-Tenant".into(), "7".into())]
        );
        assert_eq!(c.credentials, Credentials::Include);
        assert_eq!(c.learner_name, "Doe, Jane");
        assert_eq!(c.versions, Versions::Scorm2004);
        assert_eq!(c.commit_interval_ms, 1500);
        assert_eq!(c.log_level, LogLevel::Debug);
        assert!(!c.credit);
        assert_eq!(c.mode, "review");
        assert_eq!(c.scorm12_suspend_data_limit, 4096);
        assert!(c.review_ended_attempt);
        assert!(c.course_id_set && c.registration_id_set);
        assert_eq!((c.max_body_bytes, c.queue_limit, c.spm_limits), (262_144, 4_194_304, false));
        assert!(c.storage_ids().is_some());
    }

    #[test]
    fn course_and_registration_are_marked_set_only_when_valid() {
        let (c, _) = Config::from_pairs([("courseId", "has space"), ("learnerId", "u")]);
        assert!(!c.course_id_set && !c.registration_id_set);
        let (c, _) = Config::from_pairs([("registrationId", "r-1")]);
        assert!(!c.course_id_set && c.registration_id_set);
        let (c, e) = Config::from_pairs([("endedAttempt", "again")]);
        assert_eq!(e.len(), 1);
        assert!(!c.review_ended_attempt);
    }

    #[test]
    fn to_pairs_round_trips_every_key() {
        let keys: Vec<&str> = Config::default().to_pairs().iter().map(|(k, _)| *k).collect();
        let unset: Vec<&str> = KEYS.iter().copied().filter(|k| !matches!(*k, "learnerId" | "courseId" | "registrationId")).collect();
        assert_eq!(keys, unset, "every key, once, in the order of KEYS; ids the page did not set left out");
        let (full, errors) = Config::from_pairs([
            ("endpoint", "https://lms.example/api/scorm"),
            ("headers", "Authorization: Bearer a.b.c; X-Tenant: 7"),
            ("credentials", "omit"),
            ("learnerId", "u-17"),
            ("learnerName", "  Doe, Jane  "),
            ("courseId", "c1"),
            ("registrationId", "r1"),
            ("scoId", "s1"),
            ("versions", "1.2"),
            ("storagePrefix", "lms"),
            ("commitInterval", "0"),
            ("logLevel", "off"),
            ("credit", "no-credit"),
            ("mode", "browse"),
            ("launchData", " x=1\ny=2 "),
            ("commentsFromLms", "hello; world"),
            ("scorm12SuspendDataLimit", "70000"),
            ("packageOrigins", "https://cdn.example.com http://127.0.0.1:8081"),
            ("endedAttempt", "review"),
            ("maxBodyBytes", "262144"),
            ("queueLimit", "4194304"),
            ("scorm2004StringLimit", "none"),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        let keys: Vec<&str> = full.to_pairs().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, KEYS, "every key, once, in the order of KEYS");
        for c in [Config::default(), full] {
            let pairs = c.to_pairs();
            let (back, errors) = Config::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(back, c);
        }
    }

    #[test]
    fn nothing_is_stored_without_a_learner_and_a_registration() {
        assert_eq!(Config::default().storage_ids(), None);
        let (c, _) = Config::from_pairs([("learnerId", "u1")]);
        assert_eq!(c.storage_ids(), None);
        let (c, _) = Config::from_pairs([("registrationId", "r1")]);
        assert_eq!(c.storage_ids(), None);
        // A bad value is not a given id.
        let (c, e) = Config::from_pairs([("learnerId", "has space"), ("registrationId", "r1")]);
        assert_eq!((e.len(), c.storage_ids()), (1, None));
        let (c, _) = Config::from_pairs([("learnerId", "u1"), ("registrationId", "r1"), ("storagePrefix", "lms")]);
        let ids = c.storage_ids().unwrap();
        assert_eq!((ids.prefix.as_str(), ids.learner.as_str(), ids.course.as_str(), ids.registration.as_str()), ("lms", "u1", "course", "r1"));
    }

    #[test]
    fn limits_follow_the_body_limit() {
        let (c, _) = Config::from_pairs([("maxBodyBytes", "65536"), ("scorm12SuspendDataLimit", "16777216"), ("queueLimit", "65536")]);
        assert!(c.effective_suspend_data_limit() * 6 <= 65_536);
        assert_eq!(c.effective_queue_limit(), 131_072);
        assert_eq!(c.value_limits().max_chars, c.max_value_chars());
        for bad in [("maxBodyBytes", "1000"), ("queueLimit", "x"), ("scorm2004StringLimit", "strict")] {
            assert_eq!(Config::from_pairs([bad]).1.len(), 1, "{bad:?}");
        }
    }

    #[test]
    fn bad_values_name_the_key_and_keep_the_default() {
        let (c, errors) = Config::from_pairs([
            ("versions", "3.0"),
            ("commitInterval", "-5"),
            ("endpoint", "javascript:alert(1)"),
            ("learnerId", "has space"),
            ("colour", "blue"),
        ]);
        let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["versions", "commitInterval", "endpoint", "learnerId", "colour"]);
        assert_eq!(c, Config::default());
        let shown = errors[0].to_string();
        assert!(shown.contains("\"versions\"") && shown.contains("using 1.2,2004"), "{shown}");
        assert!(errors[4].message.contains("unknown key"));
    }

    #[test]
    fn versions_spellings() {
        for (v, want) in [("1.2", Versions::Scorm12), ("2004", Versions::Scorm2004), ("1.2, 2004", Versions::Both), ("both", Versions::Both)] {
            let (c, e) = Config::from_pairs([("versions", v)]);
            assert!(e.is_empty());
            assert_eq!(c.versions, want);
        }
    }

    #[test]
    fn later_pairs_win_and_empty_endpoint_means_none() {
        let (c, e) = Config::from_pairs([("endpoint", "/api"), ("endpoint", "")]);
        assert!(e.is_empty());
        assert_eq!(c.endpoint, None);
    }
}
