//! Playing a content package: the JS player opens a manifest, asks for
//! navigation, and receives what to launch. The sequencing itself is
//! [`crate::engine::course`]; this is the boundary and the storage of the
//! sequencing state (`<prefix>:<registration>:course`).
//!
//! Without the cargo feature `course` (the run-time-only build,
//! `scorm-shim-rte.js` and `rte/`), none of this is compiled: the module has
//! no package exports, and the JavaScript `course` object fails with an
//! error that names the build to use (js/no-course.js).

#[cfg(feature = "course")]
use wasm_bindgen::prelude::*;

use super::Shim;
#[cfg(feature = "course")]
use super::{console_error, launch12, launch2004};
#[cfg(feature = "course")]
use crate::engine::course::{Course, Delivery};
#[cfg(feature = "course")]
use crate::engine::manifest::ParseOptions;
#[cfg(feature = "course")]
use crate::engine::sequencing::NavigationRequest;
#[cfg(feature = "course")]
use crate::engine::views;

#[cfg(not(feature = "course"))]
impl Shim {
    /// No packages in this build: nothing to record when a SCO ends.
    pub(super) fn sco_ended_2004(&mut self) {}

    /// No packages in this build: nothing to record when a SCO ends.
    pub(super) fn sco_ended_12(&mut self) {}

    /// No packages in this build: nothing to record when a SCO commits.
    pub(super) fn sco_committed_12(&mut self) {}

    /// No packages in this build: nothing to take from the backend's state.
    pub(super) fn course_observed_server(&mut self, _state: &crate::engine::persist::ServerState) {}
}

/// The JavaScript value of a JSON text the engine wrote (plain objects,
/// arrays, strings, numbers: what `JSON.parse` makes of it).
#[cfg(feature = "course")]
fn to_js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::NULL)
}

/// A delivery view as a JavaScript object.
#[cfg(feature = "course")]
fn view_js(view: &views::Delivery) -> JsValue {
    to_js(&views::to_json(view))
}

#[cfg(feature = "course")]
impl Shim {
    /// The key of this package's sequencing state (learner, course,
    /// registration and the manifest's identifier; see
    /// `engine::persist::keys`), `None` when nothing is stored.
    fn course_key(&self, package: &str) -> Option<String> {
        Some(self.config.storage_ids()?.course(package))
    }

    fn save_course(&self) {
        let Some(course) = &self.course else { return };
        let Some(key) = self.course_key(&course.manifest.identifier) else { return };
        let text = course.saved_text();
        // A record (with a revision) that also reaches the durable copy.
        if let Err(e) = super::storage::write_record(&key, &text) {
            console_error(&format!("scorm-shim: the course state could not be stored locally: {e}"));
        }
    }

    /// The saved course session text of package `package`, if any.
    fn load_course_text(&self, package: &str) -> Option<String> {
        let key = self.course_key(package)?;
        match super::storage::read_record(&key) {
            Some(text) => Some(text),
            None => {
                // Stored by the 0.1 key layout (registration only): moved here.
                let ids = self.config.storage_ids()?;
                let old = super::storage::read(&ids.old_course())?;
                super::storage::write_record(&key, &old).ok()?;
                super::storage::remove(&ids.old_course());
                Some(old)
            }
        }
    }

    /// Keep a saved session that no longer fits the package aside (under
    /// `<key>:unused`) instead of overwriting it: no stored data is lost.
    fn set_aside_course_text(&self, package: &str, text: &str) {
        let kept = self.course_key(package).map(|key| super::storage::write(&format!("{key}:unused"), text));
        if !matches!(kept, Some(Ok(()))) {
            console_error("scorm-shim: the saved course state that does not fit could not be set aside");
        }
    }

    /// `explanation`: the refusal in plain words, when the package has one
    /// ([`Course::explain`], taken before the request was processed).
    fn deliver(&mut self, result: Result<Delivery, crate::engine::sequencing::SeqError>, explanation: Option<String>) -> JsValue {
        let view = match result {
            Ok(Delivery::Launch(info)) => {
                let version = if self.course.as_ref().is_some_and(Course::is_2004) { "2004" } else { "1.2" };
                let view = views::to_json(&views::Delivery::Launch {
                    activity_id: &info.activity_id,
                    title: &info.title,
                    href: &info.href,
                    is_sco: info.is_sco,
                    version,
                });
                self.current = Some(info);
                self.launch();
                view
            }
            Ok(Delivery::Ended) => {
                self.current = None;
                views::to_json(&views::Delivery::Ended)
            }
            Ok(Delivery::Nothing) => views::to_json(&views::Delivery::Nothing),
            Err(e) => views::to_json(&views::Delivery::Error { id: e.id, message: &explanation.unwrap_or_else(|| e.description().to_string()) }),
        };
        self.save_course();
        to_js(&view)
    }

    /// Fresh API instances for the activity being delivered, when a package
    /// is playing (else `false`: the page's own launch applies).
    pub(super) fn launch_in_course(&mut self) -> bool {
        let (Some(course), Some(info)) = (&self.course, &self.current) else { return false };
        let mut l12 = launch12(&self.config);
        if let Some(a) = crate::engine::manifest::walk(&course.manifest.activity_tree)
            .into_iter()
            .find(|a| a.id == info.activity_id)
        {
            l12.mastery_score = a.mastery_score;
            l12.max_time_allowed = a.max_time_allowed.clone();
            l12.time_limit_action = a.time_limit_action.clone();
            if let Some(d) = &a.data_from_lms {
                l12.launch_data = d.clone();
            }
        }
        self.api12 = super::bridge::new_api12(&mut self.inputs, l12, self.host12.load());
        // The sequencer decides whether the attempt resumes (cmi.entry).
        // A new attempt (DB.2 begins it with its objective and attempt
        // progress information reset; RTE cmi.entry "ab-initio": every
        // element starts from its initial value) owes nothing to what the
        // SCO's earlier attempt stored: its first batch replaces that stored
        // state, so that a later resume of this attempt (SB.2.6) finds only
        // its own data, not the ended attempt's cmi.success_status or score
        // merged under it by the backend.
        let resume = info.entry == "resume";
        let saved = if resume { self.host2004.load() } else { None };
        self.host2004.full_next = !resume && course.is_2004();
        let launch = course.launch_2004(info, launch2004(&self.config));
        self.api2004 = super::bridge::new_api2004(&mut self.inputs, launch, saved, Some(course.nav_answers()));
        true
    }

    /// A SCORM 2004 SCO terminated: its results go to the tracking model and
    /// its navigation request waits for [`Shim::take_delivery`].
    pub(super) fn sco_ended_2004(&mut self) {
        if let Some(course) = &mut self.course {
            self.pending = course.finish_2004(&self.api2004);
            self.save_course();
        }
    }

    /// A SCORM 1.2 SCO finished: its status and score go to the course.
    pub(super) fn sco_ended_12(&mut self) {
        self.sco_committed_12();
    }

    /// A SCORM 1.2 SCO committed: the course (and its table of contents)
    /// shows its status at once, and it is kept for the next visit.
    pub(super) fn sco_committed_12(&mut self) {
        if let (Some(course), Some(info)) = (&mut self.course, &self.current) {
            course.report_12(&info.activity_id, &self.api12.snapshot());
            self.save_course();
        }
    }

    /// The backend's state arrived: a SCORM 1.2 course takes the statuses
    /// it holds for SCOs this device has none of (another device's session).
    pub(super) fn course_observed_server(&mut self, state: &crate::engine::persist::ServerState) {
        if let Some(course) = &mut self.course {
            if !course.is_2004() {
                course.adopt_backend_states(state.scos.iter());
                self.save_course();
            }
        }
    }
}

#[cfg(feature = "course")]
#[wasm_bindgen]
impl Shim {
    /// Open a package from its `imsmanifest.xml` text (`organization`: the
    /// one to play, or empty for the default; `manifest_url`: where it was
    /// loaded from). The tracking data goes to the course and registration
    /// [`crate::engine::course::identity`] names (what the page configured,
    /// else the package's own); a suspended session of that registration is
    /// restored. Answers `{identifier, title, version, organization,
    /// warnings, canResume, courseId, registrationId}`. Throws the parse
    /// error (with line and column) when the manifest cannot be used.
    #[wasm_bindgen(js_name = openCourse)]
    pub fn open_course(&mut self, xml: &str, organization: &str, manifest_url: Option<String>) -> Result<JsValue, JsValue> {
        use crate::engine::rte::ApiState;
        if self.api12.state() == ApiState::Running || self.api2004.state() == ApiState::Running {
            return Err(JsValue::from_str("scorm-shim: a SCO is still running; unload it before opening another package"));
        }
        // Opening a package names the course and registration the data goes
        // to: once a package's activity has run, that is frozen like the
        // configuration (its content could otherwise reopen the player's
        // course under another registration). newSession() of the ES module
        // thaws it.
        if self.playing {
            return Err(JsValue::from_str(
                "scorm-shim: a package is being played on this page, so another one cannot be opened \
                 (a new page load, or newSession() of the ES module, starts a new session)",
            ));
        }
        let options = ParseOptions {
            organization: (!organization.is_empty()).then(|| organization.to_string()),
            ..ParseOptions::default()
        };
        let mut course = Course::open(xml, &options).map_err(|e| JsValue::from_str(&e.to_string()))?;
        let (course_id, registration_id) =
            crate::engine::course::identity(&self.config, &course.manifest, manifest_url.as_deref().unwrap_or(""));
        self.config.course_id = course_id;
        self.config.registration_derived = !self.config.registration_id_set;
        self.config.registration_id = registration_id;
        let mut notes: Vec<String> = Vec::new();
        if let Some(text) = self.load_course_text(&course.manifest.identifier) {
            if let Err(e) = course.restore_text(&text) {
                console_error(&format!("scorm-shim: the saved course state does not fit this package ({e}); starting over"));
                self.set_aside_course_text(&course.manifest.identifier, &text);
                notes.push("The progress saved for this course no longer fits the package (it may have been updated): the course starts over. The old progress was kept aside.".into());
                course = Course::open(xml, &options).map_err(|e| JsValue::from_str(&e.to_string()))?;
            }
        }
        // The package's SCOs look for one API: expose only that one.
        self.config.versions = if course.is_2004() {
            crate::engine::config::Versions::Scorm2004
        } else {
            crate::engine::config::Versions::Scorm12
        };
        let mut info = views::course_info_json(&course.manifest, course.can_resume());
        // courseId, registrationId and the notes, added to the info object.
        info.pop();
        for (k, v) in [("courseId", &self.config.course_id), ("registrationId", &self.config.registration_id)] {
            info.push_str(",\"");
            info.push_str(k);
            info.push_str("\":");
            crate::engine::persist::json::write_str(&mut info, v);
        }
        info.push_str(",\"notes\":[");
        for (i, n) in notes.iter().enumerate() {
            if i > 0 {
                info.push(',');
            }
            crate::engine::persist::json::write_str(&mut info, n);
        }
        info.push_str("]}");
        self.course = Some(course);
        self.current = None;
        self.pending = None;
        // The API instances and local storage now belong to this package's registration.
        self.launch();
        Ok(to_js(&info))
    }

    /// Process a navigation request from the user interface (`start`,
    /// `resumeAll`, `continue`, `previous`, `exit`, `exitAll`, `suspendAll`,
    /// `abandon`, `abandonAll`, `{target=ID}choice`, `{target=ID}jump`).
    /// A SCO still running is ended first (its own pending request is
    /// superseded by this one). Answers `{type: "launch", href, …}`,
    /// `{type: "ended"}`, `{type: "nothing"}` or `{type: "error", id, message}`.
    pub fn navigate(&mut self, request: &str) -> JsValue {
        // A request the sequencer does not accept (NB.2.1) leaves the SCO
        // running; an accepted one ends it first, so its data is recorded
        // before the sequencer exits its activity.
        let req = match self.accepted(request) {
            Ok(req) => req,
            Err(refusal) => return refusal,
        };
        self.end_running_sco(&req);
        self.pending = None;
        let (result, why) = match &mut self.course {
            Some(c) => {
                let why = c.explain(&req);
                (c.navigate(req), why)
            }
            None => return JsValue::NULL,
        };
        self.deliver(result, why)
    }

    /// `null` when the sequencer accepts `request` now (NB.2.1), else the
    /// `{type: "error", id, message}` that [`Shim::navigate`] would answer,
    /// without any change: the player asks before it unloads the running SCO.
    #[wasm_bindgen(js_name = acceptsRequest)]
    pub fn accepts_request(&self, request: &str) -> JsValue {
        self.accepted(request).err().unwrap_or(JsValue::NULL)
    }

    /// The navigation request the last SCO left at Terminate, processed:
    /// what to launch next, or `null` when it left none.
    #[wasm_bindgen(js_name = takeDelivery)]
    pub fn take_delivery(&mut self) -> JsValue {
        let Some(req) = self.pending.take() else { return JsValue::NULL };
        let (result, why) = match &mut self.course {
            Some(c) => {
                let why = c.explain(&req);
                (c.navigate(req), why)
            }
            None => return JsValue::NULL,
        };
        self.deliver(result, why)
    }

    /// The navigation look-ahead for a user interface: which requests are
    /// valid and, per activity, `visible`, `enabled`, `selectable`, status.
    ///
    /// The running SCO's own status shows at once (SCORM 2004: what it set
    /// in `cmi.completion_status` / `cmi.success_status`, before its results
    /// reach the tracking model at Terminate). An activity that cannot be
    /// entered for a reason the package states (SCORM 1.2 prerequisites)
    /// carries `why: {id, message}`.
    #[wasm_bindgen(js_name = navState)]
    pub fn nav_state(&self) -> JsValue {
        use crate::engine::rte::ApiState;
        let Some(c) = &self.course else { return JsValue::NULL };
        // A running SCO's results count as if it ended now (what
        // `acceptsRequest` asks too), so the buttons agree with the requests.
        let running = (c.is_2004() && self.current.is_some() && self.api2004.state() == ApiState::Running).then_some(&self.api2004);
        let mut nav = c.nav_state_with(running);
        if let (true, Some(info), ApiState::Running) = (c.is_2004(), &self.current, self.api2004.state()) {
            let s = self.api2004.snapshot();
            if let Some(a) = nav.activities.iter_mut().find(|a| a.id == info.activity_id) {
                if let Some(v @ ("completed" | "incomplete")) = s.get("cmi.completion_status").map(String::as_str) {
                    a.completion = v.into();
                }
                if let Some(v @ ("passed" | "failed")) = s.get("cmi.success_status").map(String::as_str) {
                    a.success = v.into();
                }
            }
        }
        let out = to_js(&views::to_json(&nav));
        let unavailable = c.unavailable();
        if !unavailable.is_empty() {
            let activities = js_sys::Reflect::get(&out, &"activities".into()).unwrap_or(JsValue::UNDEFINED);
            let list = js_sys::Array::from(&activities);
            for a in list.iter() {
                let id = js_sys::Reflect::get(&a, &"id".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                if let Some((_, why)) = unavailable.iter().find(|(u, _)| *u == id) {
                    let w = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&w, &"id".into(), &"prerequisites".into());
                    let _ = js_sys::Reflect::set(&w, &"message".into(), &why.as_str().into());
                    let _ = js_sys::Reflect::set(&a, &"why".into(), &w);
                }
            }
        }
        out
    }

    /// The course's overall result so far: `{completion, success, score}`
    /// ("completed"/"incomplete"/"unknown", "passed"/"failed"/"unknown",
    /// the scaled score 0..1 or `null`); `null` when no course is open.
    #[wasm_bindgen(js_name = courseResult)]
    pub fn course_result(&self) -> JsValue {
        let Some(c) = &self.course else { return JsValue::NULL };
        let r = c.result();
        let mut o = String::from("{\"completion\":");
        crate::engine::persist::json::write_str(&mut o, r.completion);
        o.push_str(",\"success\":");
        crate::engine::persist::json::write_str(&mut o, r.success);
        o.push_str(",\"score\":");
        match r.score {
            Some(x) => crate::engine::persist::json::write_f64(&mut o, x),
            None => o.push_str("null"),
        }
        o.push('}');
        to_js(&o)
    }

    /// Read a manifest for an import report without opening it:
    /// `{manifest: {identifier, version, organizations, resources (with
    /// their files), activityTree, warnings: [{kind, element, line, column,
    /// message}], …}}`, or `{error: {kind, element, line, column, message}}`
    /// when it cannot be played.
    #[wasm_bindgen(js_name = inspectManifest)]
    pub fn inspect_manifest(xml: &str, organization: &str) -> JsValue {
        let options = ParseOptions {
            organization: (!organization.is_empty()).then(|| organization.to_string()),
            ..ParseOptions::default()
        };
        to_js(&views::manifest_report_json(&crate::engine::manifest::parse(xml, &options)))
    }

    /// The sequencing state for a debugger (SCORM 2004 packages; `null`
    /// otherwise): per activity its tracking state (attempt count,
    /// objectives with their status and measure, progress, …), the global
    /// objectives, and the current and suspended activities.
    #[wasm_bindgen(js_name = courseState)]
    pub fn course_state(&self) -> JsValue {
        match self.course.as_ref().and_then(Course::sequencer) {
            Some(seq) => to_js(&views::course_state_json(seq)),
            None => JsValue::NULL,
        }
    }

    /// The manifest's activity tree (titles, visibility, launch URLs and the
    /// complete sequencing definitions), for a table of contents or a preview.
    #[wasm_bindgen(js_name = courseTree)]
    pub fn course_tree(&self) -> JsValue {
        match &self.course {
            Some(c) => to_js(&views::to_json(&c.manifest.activity_tree)),
            None => JsValue::NULL,
        }
    }
}

#[cfg(feature = "course")]
impl Shim {
    /// `request` parsed, when a course is open and the sequencer accepts it
    /// now (NB.2.1); else the `{type: "error", id, message}` view.
    fn accepted(&self, request: &str) -> Result<NavigationRequest, JsValue> {
        let error = |id: &'static str, message: &str| view_js(&views::Delivery::Error { id, message });
        let req = NavigationRequest::parse(request).ok_or_else(|| error("NB.2.1-13", "Undefined navigation request"))?;
        let Some(c) = self.course.as_ref() else { return Err(error("NB.2.1-2", "No course is open")) };
        // the running SCO's results count as if it ended now: the whole
        // request is simulated on a copy (Course::accepts)
        let running = (self.api2004.state() == crate::engine::rte::ApiState::Running).then_some(&self.api2004);
        match c.accepts(&req, running) {
            Ok(()) => Ok(req),
            Err(e) => Err(match c.explain(&req) {
                Some(why) => error(e.id, &why),
                None => error(e.id, e.description()),
            }),
        }
    }

    /// The user navigated while a SCO is still running: the LMS ends its
    /// session (SCORM 2004: as if Terminate had been called, keeping what it
    /// set; its own navigation request does not apply).
    fn end_running_sco(&mut self, _req: &NavigationRequest) {
        use crate::engine::rte::ApiState;
        if self.api2004.state() == ApiState::Running {
            let _ = self.api2004.terminate("", &mut self.host2004);
            if let Some(course) = &mut self.course {
                let _ = course.finish_2004(&self.api2004);
            }
        }
        if self.api12.state() == ApiState::Running {
            let _ = self.api12.finish("", &mut self.host12);
            self.sco_ended_12();
        }
    }
}
