//! A SCORM 1.2 package as a course. SCORM 1.2 has no sequencing: the LMS
//! offers the launchable items (in document order, with free choice),
//! keeps each SCO's `cmi.core.lesson_status`, honours `adlcp:prerequisites`
//! ([`crate::engine::prerequisites`]), and rolls a course status up from
//! the SCOs. This is what [`crate::engine::course::Course`] does with a 1.2
//! package.
//!
//! Decisions where SCORM 1.2 leaves room, each what common LMSs do:
//! * `start` launches the first available item that is not yet passed or
//!   completed (the first available one when all are); `resumeAll` the item
//!   the learner suspended the course in, or was in when the page went away
//!   without a suspend (a closed tab, a crash).
//! * `continue` / `previous` go to the next / previous launchable item in
//!   document order (hidden ones included); when that item's prerequisites
//!   are not met the request is refused and says why, rather than skipping.
//! * An item is available when its own prerequisites and those of every
//!   item above it are met. A cluster's status (in prerequisites and in the
//!   table of contents) is the roll-up of the launchable items under it.
//! * An asset (a launchable item that is not a SCO) is "completed" once
//!   launched: it cannot report anything itself.
//! * Roll-up of a set of statuses (the course, a cluster): "passed" when
//!   every item is passed or completed and one at least is passed;
//!   "completed" when all are completed; "failed" when every item was
//!   finished (passed, completed or failed) and one failed; "incomplete"
//!   when any was attempted; else "not attempted". The score is the mean of
//!   the SCOs' scores, each scaled by its `score.max` and `score.min` (or
//!   read as a percentage when they are not set).

use super::persist::json::{self, write_key, write_str, Value};
use super::prerequisites::{self, Expr};
use super::seqdef::Activity;
use super::sequencing::{ActivityNavState, NavState, NavWhy, NavigationRequest, SeqError, Why};

/// One item of the organization (document preorder; the root first).
#[derive(Clone, Debug)]
struct Node {
    id: String,
    title: String,
    depth: usize,
    parent: Option<usize>,
    visible: bool,
    /// Launchable (references a resource).
    launch: bool,
    /// A SCO (else an asset).
    is_sco: bool,
    prerequisites: Option<Expr>,
}

/// What one SCO reported last.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScoReport {
    /// `cmi.core.lesson_status`.
    pub status: String,
    /// `cmi.core.score.raw`, `.min`, `.max` as the SCO set them.
    pub raw: Option<f64>,
    /// `cmi.core.score.min`
    pub min: Option<f64>,
    /// `cmi.core.score.max`
    pub max: Option<f64>,
}

/// The course's result, rolled up from the SCOs.
#[derive(Clone, Debug, PartialEq)]
pub struct Rollup {
    /// A `cmi.core.lesson_status` value for the whole course.
    pub status: String,
    /// The mean scaled score (0..=1) of the SCOs that reported one.
    pub score: Option<f64>,
}

/// Where a navigation request leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Launch this item (index into the organization's preorder).
    Launch(String),
    /// The session ended (exitAll, suspendAll, abandonAll).
    Ended,
    /// Nothing to launch (exit, abandon): the learner chooses.
    Nothing,
}

/// A SCORM 1.2 course session.
#[derive(Clone, Debug)]
pub struct Course12 {
    nodes: Vec<Node>,
    /// The item launched last (the session's position); `None` before
    /// start and after the session ended.
    current: Option<usize>,
    /// The item launched last is running (not exited).
    active: bool,
    /// The item the learner suspended the course in.
    suspended: Option<usize>,
    /// What each item reported, by identifier (kept across package
    /// updates). A list, not a map: another map type would add its own
    /// B-tree code to the module, and courses have tens of SCOs, not
    /// thousands.
    reports: Vec<(String, ScoReport)>,
}

fn status_rollup<'a>(statuses: impl Iterator<Item = &'a str>) -> &'static str {
    let (mut n, mut passed, mut completed, mut failed, mut attempted) = (0, 0, 0, 0, 0);
    for s in statuses {
        n += 1;
        match s {
            "passed" => passed += 1,
            "completed" => completed += 1,
            "failed" => failed += 1,
            "incomplete" | "browsed" => attempted += 1,
            _ => {}
        }
    }
    if n == 0 {
        "not attempted"
    } else if passed + completed == n {
        if passed > 0 {
            "passed"
        } else {
            "completed"
        }
    } else if passed + completed + failed == n {
        "failed"
    } else if passed + completed + failed + attempted > 0 {
        "incomplete"
    } else {
        "not attempted"
    }
}

/// A score scaled to 0..=1 from raw, min and max (a percentage without them).
fn scaled(r: &ScoReport) -> Option<f64> {
    let raw = r.raw?;
    let v = match (r.min, r.max) {
        (min, Some(max)) if max > min.unwrap_or(0.0) => (raw - min.unwrap_or(0.0)) / (max - min.unwrap_or(0.0)),
        _ => raw / 100.0,
    };
    v.is_finite().then(|| v.clamp(0.0, 1.0))
}

impl Course12 {
    /// The session over the organization `root` (not yet started).
    /// Prerequisites the manifest reader found malformed were dropped there.
    pub fn new(root: &Activity) -> Course12 {
        let mut nodes = Vec::new();
        let mut stack = vec![(root, 0usize, None)];
        while let Some((a, depth, parent)) = stack.pop() {
            let me = nodes.len();
            nodes.push(Node {
                id: a.id.clone(),
                title: a.title.clone(),
                depth,
                parent,
                visible: a.visible,
                launch: a.launch.is_some() && depth > 0,
                is_sco: a.launch.as_ref().is_some_and(|l| l.is_sco),
                prerequisites: a.prerequisites.as_deref().and_then(|p| prerequisites::parse(p).ok()),
            });
            for c in a.children.iter().rev() {
                stack.push((c, depth + 1, Some(me)));
            }
        }
        Course12 { nodes, current: None, active: false, suspended: None, reports: Vec::new() }
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    fn report_of(&self, id: &str) -> Option<&ScoReport> {
        self.reports.iter().find(|(k, _)| k == id).map(|(_, r)| r)
    }

    fn set_report(&mut self, id: &str, r: ScoReport) {
        match self.reports.iter_mut().find(|(k, _)| k == id) {
            Some(slot) => slot.1 = r,
            None => self.reports.push((id.to_string(), r)),
        }
    }

    /// The launchable items in document order.
    fn launchable(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].launch)
    }

    /// The items of the subtree at `i` (itself first).
    fn subtree(&self, i: usize) -> std::ops::Range<usize> {
        let depth = self.nodes[i].depth;
        let end = (i + 1..self.nodes.len()).find(|&j| self.nodes[j].depth <= depth).unwrap_or(self.nodes.len());
        i..end
    }

    /// The status of item `i`: what a launchable item reported (its own,
    /// when it also has children), or the roll-up of a cluster.
    fn status_of(&self, i: usize) -> String {
        let n = &self.nodes[i];
        if self.subtree(i).len() == 1 {
            return self.report_of(&n.id).map_or("not attempted".into(), |r| r.status.clone());
        }
        let statuses: Vec<String> = self
            .subtree(i)
            .filter(|&j| self.nodes[j].launch)
            .map(|j| self.report_of(&self.nodes[j].id).map_or("not attempted".into(), |r| r.status.clone()))
            .collect();
        status_rollup(statuses.iter().map(String::as_str)).into()
    }

    /// The status of the item named `id` ("not attempted" for an unknown one).
    pub fn status(&self, id: &str) -> String {
        self.find(id).map_or("not attempted".into(), |i| self.status_of(i))
    }

    /// The first item (itself or above it) whose prerequisites are not met.
    fn blocker(&self, i: usize) -> Option<usize> {
        let status = |id: &str| self.status(id);
        let mut at = Some(i);
        while let Some(j) = at {
            if self.nodes[j].prerequisites.as_ref().is_some_and(|p| !p.eval(&status)) {
                return Some(j);
            }
            at = self.nodes[j].parent;
        }
        None
    }

    /// Why item `id` cannot be entered now, in words; `None` when it can.
    pub fn why_unavailable(&self, id: &str) -> Option<String> {
        let i = self.find(id)?;
        let b = self.blocker(i)?;
        let status = |id: &str| self.status(id);
        let title = |id: &str| match self.find(id) {
            Some(k) if !self.nodes[k].title.is_empty() => self.nodes[k].title.clone(),
            _ => id.to_string(),
        };
        let needs = self.nodes[b].prerequisites.as_ref().and_then(|p| p.needs(&status, &title))?;
        Some(if b == i {
            format!("Not available yet: {needs} first.")
        } else {
            format!("Not available yet: it belongs to “{}”; {needs} first.", title(&self.nodes[b].id))
        })
    }

    fn available(&self, i: usize) -> bool {
        self.blocker(i).is_none()
    }

    fn next_after(&self, i: usize) -> Option<usize> {
        self.launchable().find(|&j| j > i)
    }

    fn previous_before(&self, i: usize) -> Option<usize> {
        self.launchable().filter(|&j| j < i).last()
    }

    fn done(&self, i: usize) -> bool {
        matches!(self.status_of(i).as_str(), "passed" | "completed")
    }

    /// The target of `request`, or why it is refused; changes nothing.
    fn target(&self, request: &NavigationRequest) -> Result<Step, SeqError> {
        use NavigationRequest as N;
        let running = self.current.is_some();
        let launch = |j: usize| -> Result<Step, SeqError> {
            if self.available(j) {
                Ok(Step::Launch(self.nodes[j].id.clone()))
            } else {
                Err(SeqError { id: "DB.1.1-3" })
            }
        };
        match request {
            N::Start if running => Err(SeqError { id: "NB.2.1-1" }),
            N::Start => {
                let available: Vec<usize> = self.launchable().filter(|&j| self.available(j)).collect();
                match available.iter().find(|&&j| !self.done(j)).or(available.first()) {
                    Some(&j) => Ok(Step::Launch(self.nodes[j].id.clone())),
                    None if self.launchable().next().is_none() => Err(SeqError { id: "DB.1.1-2" }),
                    None => Err(SeqError { id: "DB.1.1-3" }),
                }
            }
            N::ResumeAll if running => Err(SeqError { id: "NB.2.1-1" }),
            N::ResumeAll => self.suspended.map_or(Err(SeqError { id: "NB.2.1-3" }), launch),
            N::Continue => {
                let c = self.current.ok_or(SeqError { id: "NB.2.1-2" })?;
                self.next_after(c).map_or(Err(SeqError { id: "SB.2.7-2" }), launch)
            }
            N::Previous => {
                let c = self.current.ok_or(SeqError { id: "NB.2.1-2" })?;
                self.previous_before(c).map_or(Err(SeqError { id: "NB.2.1-6" }), launch)
            }
            N::Choice(id) | N::Jump(id) => {
                let j = self.find(id).ok_or(SeqError { id: "NB.2.1-11" })?;
                if !self.nodes[j].launch {
                    return Err(SeqError { id: "DB.1.1-1" });
                }
                launch(j)
            }
            N::Exit | N::Abandon => {
                if self.active {
                    Ok(Step::Nothing)
                } else {
                    Err(SeqError { id: "NB.2.1-12" })
                }
            }
            N::ExitAll | N::AbandonAll | N::SuspendAll => {
                if running {
                    Ok(Step::Ended)
                } else {
                    Err(SeqError { id: "NB.2.1-2" })
                }
            }
            _ => Err(SeqError { id: "NB.2.1-7" }),
        }
    }

    /// Whether `request` would be processed now (nothing changes).
    pub fn accepts(&self, request: &NavigationRequest) -> Result<(), SeqError> {
        self.target(request).map(|_| ())
    }

    /// Why `request` is refused, in words, when prerequisites refuse it.
    pub fn explain(&self, request: &NavigationRequest) -> Option<String> {
        use NavigationRequest as N;
        let j = match request {
            N::Continue => self.current.and_then(|c| self.next_after(c)),
            N::Previous => self.current.and_then(|c| self.previous_before(c)),
            N::Choice(id) | N::Jump(id) => self.find(id),
            N::ResumeAll => self.suspended,
            _ => None,
        }?;
        self.why_unavailable(&self.nodes[j].id)
    }

    /// Process a navigation request.
    pub fn navigate(&mut self, request: &NavigationRequest) -> Result<Step, SeqError> {
        let step = self.target(request)?;
        match &step {
            Step::Launch(id) => {
                let j = self.find(id).ok_or(SeqError { id: "NB.2.1-11" })?;
                self.current = Some(j);
                self.active = true;
                self.suspended = None;
                if !self.nodes[j].is_sco {
                    // An asset cannot report: launched is completed.
                    let mut r = self.report_of(id).cloned().unwrap_or_default();
                    r.status = "completed".into();
                    self.set_report(id, r);
                }
            }
            Step::Nothing => self.active = false,
            Step::Ended => {
                self.suspended = if *request == NavigationRequest::SuspendAll { self.current } else { None };
                self.current = None;
                self.active = false;
            }
        }
        Ok(step)
    }

    /// A SCO of the course reported (LMSCommit, LMSFinish).
    pub fn report(&mut self, id: &str, report: ScoReport) {
        if self.find(id).is_some() && !report.status.is_empty() {
            self.set_report(id, report);
        }
    }

    /// What a SCO reported last.
    pub fn reported(&self, id: &str) -> Option<&ScoReport> {
        self.report_of(id)
    }

    /// True when a suspended session can be resumed.
    pub fn can_resume(&self) -> bool {
        self.current.is_none() && self.suspended.is_some()
    }

    /// The course status and score rolled up from the SCOs.
    pub fn rollup(&self) -> Rollup {
        let launchable: Vec<usize> = self.launchable().collect();
        let status = status_rollup(launchable.iter().map(|&j| {
            self.report_of(&self.nodes[j].id).map_or("not attempted", |r| r.status.as_str())
        }));
        let scores: Vec<f64> = launchable.iter().filter_map(|&j| self.report_of(&self.nodes[j].id)).filter_map(scaled).collect();
        let score = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
        Rollup { status: status.into(), score }
    }

    /// The navigation look-ahead for a user interface.
    pub fn nav_state(&self) -> NavState {
        let running = self.current.is_some();
        let ok = |r: NavigationRequest| self.accepts(&r).is_ok();
        // why a request is not valid: its exception (NB.2.1-2 without a session)
        let err = |valid: bool, r: NavigationRequest| {
            (!valid).then(|| self.accepts(&r).err().unwrap_or(SeqError { id: if running { "NB.2.1-1" } else { "NB.2.1-2" } }))
        };
        let mut activities: Vec<ActivityNavState> = Vec::with_capacity(self.nodes.len());
        for (i, n) in self.nodes.iter().enumerate() {
            let st = self.status_of(i);
            let enabled = self.available(i);
            let visible = n.visible && n.parent.map_or(true, |p| activities.get(p).is_some_and(|a| a.visible));
            activities.push(ActivityNavState {
                id: n.id.clone(),
                title: n.title.clone(),
                depth: n.depth,
                visible,
                enabled,
                selectable: n.launch && enabled,
                // closed by prerequisites (in words), or a cluster with nothing to launch
                why: if !enabled {
                    self.why_unavailable(&n.id).map(|message| Why { id: "prerequisites".into(), message })
                } else if !n.launch {
                    Some(Why::from(SeqError { id: "DB.1.1-1" }))
                } else {
                    None
                },
                active: self.active && self.current == Some(i),
                suspended: self.suspended == Some(i),
                completion: match st.as_str() {
                    "completed" | "passed" | "failed" => "completed",
                    "incomplete" | "browsed" => "incomplete",
                    _ => "unknown",
                }
                .into(),
                success: match st.as_str() {
                    "passed" => "passed",
                    "failed" => "failed",
                    _ => "unknown",
                }
                .into(),
            });
        }
        use NavigationRequest as N;
        let (start, resume_all) = (ok(N::Start), ok(N::ResumeAll));
        let (continue_, previous) = (running && ok(N::Continue), running && ok(N::Previous));
        let mut why = NavWhy::from_errors([
                err(start, N::Start),
                err(resume_all, N::ResumeAll),
                err(continue_, N::Continue),
                err(previous, N::Previous),
                err(self.active, N::Exit),
                err(running, N::ExitAll),
                err(running, N::SuspendAll),
                err(self.active, N::Abandon),
                err(running, N::AbandonAll),
            ]);
        // a request the prerequisites refuse says so in words
        for (w, r) in [(&mut why.start, N::Start), (&mut why.resume_all, N::ResumeAll), (&mut why.continue_, N::Continue), (&mut why.previous, N::Previous)] {
            if let (Some(w), Some(words)) = (w.as_mut(), self.explain(&r)) {
                *w = Why { id: "prerequisites".into(), message: words };
            }
        }
        NavState {
            why,
            start,
            resume_all,
            continue_,
            previous,
            exit: self.active,
            exit_all: running,
            suspend_all: running,
            abandon: self.active,
            abandon_all: running,
            activities,
        }
    }

    /// The session as JSON (`{"v":1,"current":…,"active":…,"suspended":…,"reports":{…}}`).
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        write_key(&mut o, "v", true);
        o.push('1');
        for (k, v) in [("current", self.current), ("suspended", self.suspended)] {
            write_key(&mut o, k, false);
            match v.and_then(|i| self.nodes.get(i)) {
                Some(n) => write_str(&mut o, &n.id),
                None => o.push_str("null"),
            }
        }
        write_key(&mut o, "active", false);
        o.push_str(if self.active { "true" } else { "false" });
        write_key(&mut o, "reports", false);
        o.push('{');
        for (n, (id, r)) in self.reports.iter().enumerate() {
            write_key(&mut o, id, n == 0);
            o.push('{');
            write_key(&mut o, "status", true);
            write_str(&mut o, &r.status);
            for (k, v) in [("raw", r.raw), ("min", r.min), ("max", r.max)] {
                if let Some(x) = v {
                    write_key(&mut o, k, false);
                    json::write_f64(&mut o, x);
                }
            }
            o.push('}');
        }
        o.push_str("}}");
        o
    }

    /// Restore what [`Course12::to_json`] wrote. Items the package no longer
    /// has are dropped; a text of another shape is refused (nothing changes).
    pub fn restore_json(&mut self, v: &Value) -> Result<(), String> {
        if v.get("v").and_then(Value::as_u64) != Some(1) {
            return Err("not a SCORM 1.2 course state".into());
        }
        let item = |k: &str| v.get(k).and_then(Value::as_str).and_then(|id| self.find(id));
        let (current, suspended) = (item("current"), item("suspended"));
        let mut reports: Vec<(String, ScoReport)> = Vec::new();
        for (id, r) in v.get("reports").and_then(Value::as_obj).ok_or("no reports")? {
            let num = |k: &str| r.get(k).and_then(|x| match x {
                Value::Num(n) => json::parse_f64(n),
                _ => None,
            });
            let status = r.get("status").and_then(Value::as_str).ok_or("a report without status")?;
            if self.find(id).is_some() && !reports.iter().any(|(k, _)| k == id) {
                reports.push((id.clone(), ScoReport { status: status.into(), raw: num("raw"), min: num("min"), max: num("max") }));
            }
        }
        // A restored session is a new one: the page that ran the old one is
        // gone. If the learner left without suspending (closed the page, or
        // it crashed), the next session resumes in the item they were in.
        self.current = None;
        self.active = false;
        self.suspended = suspended.or(current);
        self.reports = reports;
        Ok(())
    }

    /// Take statuses a backend holds (another device's session) for items
    /// this session knows nothing of.
    pub fn adopt_reports(&mut self, reports: impl IntoIterator<Item = (String, ScoReport)>) {
        for (id, r) in reports {
            if self.find(&id).is_some() && self.report_of(&id).is_none() && !r.status.is_empty() {
                self.reports.push((id, r));
            }
        }
    }

    /// Parse a saved state text.
    pub fn parse_saved(text: &str) -> Option<Value> {
        json::parse(text).ok()
    }
}
