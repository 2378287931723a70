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
#[cfg(feature = "course")]
use crate::engine::{scorm12, scorm2004};

#[cfg(not(feature = "course"))]
impl Shim {
    /// No packages in this build: nothing to record when a SCO ends.
    pub(super) fn sco_ended_2004(&mut self) {}

    /// No packages in this build: nothing to record when a SCO ends.
    pub(super) fn sco_ended_12(&mut self) {}
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
        let Some((seq, shared)) = course.save() else { return };
        let Some(key) = self.course_key(&course.manifest.identifier) else { return };
        let text = views::saved_course_json(&seq, &shared);
        // A record (with a revision) that also reaches the durable copy.
        if let Err(e) = super::storage::write_record(&key, &text) {
            console_error(&format!("scorm-shim: the sequencing state could not be stored locally: {e}"));
        }
    }

    /// The saved sequencing state (`None` in it: saved before any) and shared data.
    #[allow(clippy::type_complexity)]
    fn load_course_state(
        &self,
        package: &str,
    ) -> Option<(Option<crate::engine::sequencing::SeqState>, std::collections::BTreeMap<String, String>)> {
        let key = self.course_key(package)?;
        let text = match super::storage::read_record(&key) {
            Some(text) => text,
            None => {
                // Stored by the 0.1 key layout (registration only): moved here.
                let ids = self.config.storage_ids()?;
                let old = super::storage::read(&ids.old_course())?;
                super::storage::write_record(&key, &old).ok()?;
                super::storage::remove(&ids.old_course());
                old
            }
        };
        views::saved_course(&text)
    }

    fn deliver(&mut self, result: Result<Delivery, crate::engine::sequencing::SeqError>) -> JsValue {
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
            Err(e) => views::to_json(&views::Delivery::Error { id: e.id, message: e.description() }),
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
        self.api12 = scorm12::Api::new(l12, self.host12.load());
        // The sequencer decides whether the attempt resumes.
        let saved = if info.entry == "resume" { self.host2004.load() } else { None };
        self.api2004 = scorm2004::Api::new(course.launch_2004(info, launch2004(&self.config)), saved);
        self.api2004.set_navigation_oracle(course.oracle());
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

    /// A SCORM 1.2 SCO finished.
    pub(super) fn sco_ended_12(&mut self) {
        if let (Some(course), Some(info)) = (&mut self.course, &self.current) {
            let status = self.api12.snapshot().get("cmi.core.lesson_status").cloned().unwrap_or_default();
            course.finish_12(&info.activity_id, &status);
        }
    }
}

#[cfg(feature = "course")]
#[wasm_bindgen]
impl Shim {
    /// Open a package from its `imsmanifest.xml` text (`organization`: the
    /// one to play, or empty for the default). A suspended session of the
    /// same registration is restored. Throws the parse error (with line and
    /// column) when the manifest cannot be used.
    #[wasm_bindgen(js_name = openCourse)]
    pub fn open_course(&mut self, xml: &str, organization: &str) -> Result<JsValue, JsValue> {
        let options = ParseOptions {
            organization: (!organization.is_empty()).then(|| organization.to_string()),
            ..ParseOptions::default()
        };
        let mut course = Course::open(xml, &options).map_err(|e| JsValue::from_str(&e.to_string()))?;
        if let Some((Some(seq), shared)) = self.load_course_state(&course.manifest.identifier) {
            if let Err(e) = course.restore(seq, shared) {
                console_error(&format!("scorm-shim: the saved sequencing state does not fit this package ({e}); starting over"));
                course = Course::open(xml, &options).map_err(|e| JsValue::from_str(&e.to_string()))?;
            }
        }
        // The package's SCOs look for one API: expose only that one.
        self.config.versions = if course.is_2004() {
            crate::engine::config::Versions::Scorm2004
        } else {
            crate::engine::config::Versions::Scorm12
        };
        let out = to_js(&views::course_info_json(&course.manifest, course.nav_state().resume_all));
        self.course = Some(course);
        self.current = None;
        self.pending = None;
        Ok(out)
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
        let result = match &mut self.course {
            Some(c) => c.navigate(req),
            None => return JsValue::NULL,
        };
        self.deliver(result)
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
        let result = match &mut self.course {
            Some(c) => c.navigate(req),
            None => return JsValue::NULL,
        };
        self.deliver(result)
    }

    /// The navigation look-ahead for a user interface: which requests are
    /// valid and, per activity, `visible`, `enabled`, `selectable`, status.
    #[wasm_bindgen(js_name = navState)]
    pub fn nav_state(&self) -> JsValue {
        match &self.course {
            Some(c) => to_js(&views::to_json(&c.nav_state())),
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
        let error = |id, message| view_js(&views::Delivery::Error { id, message });
        let req = NavigationRequest::parse(request).ok_or_else(|| error("NB.2.1-13", "Undefined navigation request"))?;
        match self.course.as_ref().map(|c| c.accepts(&req)) {
            None => Err(error("NB.2.1-2", "No course is open")),
            Some(Ok(())) => Ok(req),
            Some(Err(e)) => Err(error(e.id, e.description())),
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
