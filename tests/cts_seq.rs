//! The ADL SCORM 2004 4th Ed. test suite's sequencing families (CM, CO,
//! CT, MS, OB, RU, SX, T) run natively through `engine::course::Course`,
//! the same glue the browser player uses.
//!
//! Per case the harness plays the learner and the suite's test SCO: it
//! opens the package with [`Course`], starts it (or chooses the `start`
//! activity from the TOC), and for every expected `Act<N>V<K>` block in
//! file order checks that the delivered activity is the item launched with
//! `act=N`, builds the SCO's API from `Course::launch_2004` (with the
//! activity's saved run-time data only when the sequencer resumes it), runs
//! the block's API calls comparing return values and error codes, answers
//! the block's UI questions from `Course::nav_state` and the SCO's
//! `hideLMSUI`, terminates the SCO, hands its results to the course with
//! `finish_2004`, processes the pending navigation request, and then
//! performs the block's user instruction (Continue, Previous, Choice,
//! Exit, Exit All, Suspend All, relaunch through `save`/`restore`).
//! After the last block nothing else may be delivered and the sequencing
//! session must be over: for `endUserInter` cases (whose last instruction
//! is only a message) it must have ended by itself.
//!
//! The result is a table of passed/total per family; the test asserts that
//! exactly the cases of [`KNOWN_FAILING`] fail. Debugging:
//! `CTS_TRACE=<case>` runs one case and prints each SCO session,
//! `CTS_ACT=<item id>` adds that activity's tracking state, `CTS_LIST=1`
//! prints the failing cases as a Rust list.

mod cts;

use std::collections::{BTreeMap, HashMap};

use cts::{Abbreviations, Case, Command, Expected, Method, Part};
use scorm_shim::engine::course::{Course, Delivery, LaunchInfo};
use scorm_shim::engine::manifest::ParseOptions;
use scorm_shim::engine::rte::{ApiState, NullHost, Snapshot};
use scorm_shim::engine::scorm2004::{self, Api, Launch};
use scorm_shim::engine::sequencing::{NavigationRequest, ObjectiveState, SeqError};

/// The sequencing families.
const FAMILIES: &[&str] = &["CM", "CO", "CT", "MS", "OB", "RU", "SX", "T"];

/// Cases that currently fail, each with the reason (first difference in
/// brackets). Any change in either direction fails the test: update the
/// list with `CTS_LIST=1 cargo test --test cts_seq -- --nocapture`.
const KNOWN_FAILING: &[(&str, &str)] = &[];

/// The harness's learner record: the course session and the run-time data
/// of each activity's last SCO session.
struct Lms {
    xml: String,
    course: Course,
    /// Run-time data of the last session of each activity (the LMS's store).
    saved: HashMap<String, Snapshot>,
    /// What the last navigation produced.
    delivery: Result<Delivery, SeqError>,
}

fn act_of(href: &str) -> Option<&str> {
    href.split(['?', '&']).find_map(|p| p.strip_prefix("act="))
}

fn describe(d: &Result<Delivery, SeqError>) -> String {
    match d {
        Ok(Delivery::Launch(l)) => format!("delivered {} ({})", l.activity_id, l.href),
        Ok(Delivery::Ended) => "session ended".into(),
        Ok(Delivery::Nothing) => "nothing delivered".into(),
        Err(e) => format!("sequencing exception {} ({})", e.id, e.description()),
    }
}

/// The instructions' name for the root activity (the organization).
const ROOT_TITLE: &str = "the activity that corresponds to the root of";

fn id_by_title(course: &Course, title: &str) -> Result<String, String> {
    let title = title.trim();
    if title.starts_with(ROOT_TITLE) {
        return Ok(course.manifest.activity_tree.id.clone());
    }
    course
        .nav_state()
        .activities
        .into_iter()
        .find(|a| a.title.trim() == title)
        .map(|a| a.id)
        .ok_or_else(|| format!("no activity titled {title:?}"))
}

/// Expand an argument: `&id&` is the index `n` of the `cmi.objectives.n`
/// record with that id (one past the last record when there is none).
fn resolve(parts: &[Part], api: &Api) -> String {
    let snap = api.snapshot();
    let ids: Vec<&String> = (0..).map_while(|i| snap.get(&format!("cmi.objectives.{i}.id"))).collect();
    let n = ids.len();
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.clone(),
            Part::IndexOf(id) => ids.iter().position(|x| *x == id).unwrap_or(n).to_string(),
        })
        .collect()
}

fn is_real(element: &str) -> bool {
    ["scaled", "raw", "min", "max", "progress_measure", "scaled_passing_score", "completion_threshold"]
        .iter()
        .any(|s| element.ends_with(s))
}

fn same_return(cmd: &Command, element: &str, got: &str) -> bool {
    // `GET cmi.objectives.&id&.id` with no expected value: the SCO looks
    // the objective up by id, so the id itself must come back.
    if let ([.., Part::IndexOf(id), Part::Text(rest)], Expected::Value(v)) = (cmd.arg.as_slice(), &cmd.expected) {
        if rest == ".id" && v.is_empty() {
            return got == id;
        }
    }
    match &cmd.expected {
        Expected::Less255 => got.chars().count() < 255,
        Expected::ValueOrError => true,
        Expected::Empty => got.is_empty(),
        Expected::Value(v) if is_real(element) => {
            v == got
                || matches!((scorm2004::types::parse_real(v), scorm2004::types::parse_real(got)), (Some(a), Some(b)) if a == b)
        }
        Expected::Value(v) => v == got,
    }
}

/// Run one encoded API call.
fn run_command(api: &mut Api, cmd: &Command) -> Result<(), String> {
    let arg = resolve(&cmd.arg, api);
    let mut host = NullHost;
    let got = match cmd.method {
        Method::Initialize => api.initialize(&arg).to_owned(),
        Method::Terminate => api.terminate(&arg, &mut host).to_owned(),
        Method::Commit => api.commit(&arg, &mut host).to_owned(),
        Method::GetValue => api.get_value(&arg),
        Method::SetValue => {
            let value = resolve(&cmd.value, api);
            api.set_value(&arg, &value).to_owned()
        },
        Method::GetLastError => api.get_last_error(),
        Method::GetErrorString => api.get_error_string(&arg),
        Method::GetDiagnostic => api.get_diagnostic(&arg),
        Method::CompareObjIds => {
            // The SCO reads cmi.objectives and compares the ids with the list.
            let n: usize = api.get_value("cmi.objectives._count").parse().unwrap_or(0);
            let mut got: Vec<String> = (0..n).map(|i| api.get_value(&format!("cmi.objectives.{i}.id"))).collect();
            let mut want: Vec<String> = arg.split(',').map(str::to_owned).collect();
            got.sort();
            want.sort();
            return if got == want { Ok(()) } else { Err(format!("objective ids {got:?}, expected {want:?}")) };
        }
        Method::Malformed => return Err(format!("cannot run: {}", cmd.raw)),
    };
    let err = api.get_last_error();
    let ok = if cmd.expected == Expected::ValueOrError {
        err == "0" || got.is_empty()
    } else {
        same_return(cmd, &arg, &got) && err == cmd.error
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{}: got {got:?} error {err}, expected {:?} error {}", cmd.raw, cmd.expected, cmd.error))
    }
}

/// Answer one UI question (`UserInterface.properties`) for the SCO `info`.
fn answer(course: &Course, info: &LaunchInfo, question: &str) -> Result<bool, String> {
    let nav = course.nav_state();
    let hide = info.data.as_ref().map(|d| d.hide_lms_ui.clone()).unwrap_or_default();
    let continue_ = nav.continue_ && !hide.continue_;
    let previous = nav.previous && !hide.previous;
    let entry = |title: &str| {
        let id = id_by_title(course, title)?;
        nav.activities
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| format!("UI question about unknown activity {title:?}"))
    };
    let (q, title) = question.split_once('@').unwrap_or((question, ""));
    Ok(match q {
        "continue.enabled" => continue_,
        "continue.disabled" => !continue_,
        "previous.enabled" => previous,
        "previous.disabled" => !previous,
        // A table of contents is offered when it has somewhere to go: an
        // entry other than the activity being shown that can be chosen.
        "toc.enabled" => {
            if std::env::var("CTS_TRACE").is_ok() {
                let s: Vec<&str> = nav.activities.iter().filter(|a| a.visible && a.selectable).map(|a| a.id.as_str()).collect();
                println!("    toc selectable: {s:?}");
            }
            nav.activities.iter().any(|a| a.visible && a.selectable && a.id != info.activity_id)
        }
        "toc.enabled.selectable" => {
            let a = entry(title)?;
            a.visible && a.selectable
        }
        "toc.visible" => entry(title)?.visible,
        // A device for the navigation event (`ui.visible@Exit All`): the
        // player has one for each request unless the SCO hides it.
        "ui.visible" => {
            let event: String = title.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
            match event.as_str() {
                "continue" => !hide.continue_,
                "previous" => !hide.previous,
                "exit" => !hide.exit,
                "exitall" => !hide.exit_all,
                "suspendall" | "suspend" => !hide.suspend_all,
                "abandon" => !hide.abandon,
                "abandonall" => !hide.abandon_all,
                other => return Err(format!("UI question about unknown navigation event {other:?}")),
            }
        }
        // Not about the LMS: the person clicks a button the delivered SCO
        // shows ("Click the button below to continue", SX-09). It is there
        // when the activity delivered is a SCO; the click ends its session,
        // which the harness does after the block's commands.
        "click.button" => info.is_sco && info.data.is_some(),
        other => return Err(format!("unknown UI question {other:?}")),
    })
}

impl Lms {
    fn open(xml: String) -> Result<Lms, String> {
        let course = Course::open(&xml, &ParseOptions::default()).map_err(|e| format!("manifest: {e:?}"))?;
        Ok(Lms { xml, course, saved: HashMap::new(), delivery: Ok(Delivery::Nothing) })
    }

    fn navigate(&mut self, request: NavigationRequest) {
        self.delivery = self.course.navigate(request);
    }

    fn choose(&mut self, title: &str) -> Result<(), String> {
        let id = id_by_title(&self.course, title)?;
        self.navigate(NavigationRequest::Choice(id));
        Ok(())
    }

    /// The learner closes the course window and opens the course again:
    /// the sequencing state is saved and restored into a new session.
    fn relaunch(&mut self, choose: Option<&str>) -> Result<(), String> {
        if self.course.sequencer().and_then(|s| s.current()).is_some() {
            // Leaving the course while a session is open: the LMS suspends it.
            self.navigate(NavigationRequest::SuspendAll);
        }
        let (state, shared) = self.course.save().ok_or("no sequencing state to save")?;
        let mut course = Course::open(&self.xml, &ParseOptions::default()).map_err(|e| format!("{e:?}"))?;
        course.restore(state, shared).map_err(|e| format!("restore: {}", e.id))?;
        self.course = course;
        match choose {
            Some(title) => self.choose(title)?,
            None => {
                let request =
                    if self.course.nav_state().resume_all { NavigationRequest::ResumeAll } else { NavigationRequest::Start };
                self.navigate(request);
            }
        }
        Ok(())
    }

    /// Deliver the SCO of `block`, run it, and process what follows.
    fn run_block(&mut self, block: &cts::Block, instructions: &HashMap<String, String>) -> Result<(), String> {
        let info = match &self.delivery {
            Ok(Delivery::Launch(l)) if act_of(&l.href) == Some(block.activity.as_str()) => l.clone(),
            other => return Err(format!("expected act={}, {}", block.activity, describe(other))),
        };
        if std::env::var("CTS_TRACE").is_ok() {
            println!("  deliver {} entry {:?}", info.activity_id, info.entry);
        }
        let saved = if info.entry == "resume" { self.saved.get(&info.activity_id).cloned() } else { None };
        let launch = self.course.launch_2004(&info, Launch::default());
        let mut api = Api::new(launch, saved);
        api.set_navigation_oracle(self.course.oracle());
        // UI questions are asked while the SCO runs, before it terminates.
        if let (Some(q), Some(a)) = (&block.uiq, &block.uia) {
            for (q, a) in q.split('~').zip(a.split('~')) {
                let got = answer(&self.course, &info, q)?;
                if got != (a == "Y") {
                    return Err(format!("UI question {q}: answered {}, expected {a}", if got { "Y" } else { "N" }));
                }
            }
        }
        for cmd in &block.commands {
            run_command(&mut api, cmd).map_err(|e| format!("#{} {e}", cmd.index))?;
        }
        // The suite's `SequencingTest.htm` terminates after its commands;
        // `SequencingTestSingleDoTerminate.htm` keeps running until the
        // learner navigates, and the LMS-side request then replaces the
        // SCO's pending `adl.nav.request`.
        let waits_for_learner = info.href.contains("SingleDoTerminate") && block.cui.is_some();
        if api.state() == ApiState::Running && api.terminate("", &mut NullHost) != "true" {
            return Err(format!("Terminate failed: {}", api.get_last_error()));
        }
        self.saved.insert(info.activity_id.clone(), api.snapshot());
        let pending = self.course.finish_2004(&api);
        if std::env::var("CTS_TRACE").is_ok() {
            println!("  Act{}V{} ({}, entry {}) -> pending {pending:?}, CUI {:?}, exit {:?}", block.activity, block.visit, info.activity_id, info.entry, block.cui, api.exit());
            if let (Ok(id), Some(seq)) = (std::env::var("CTS_ACT"), self.course.sequencer()) {
                println!("    {id}: {:?}", seq.find(&id).and_then(|ix| seq.activity(ix)));
            }
        }
        self.delivery = Ok(Delivery::Nothing);
        if let Some(request) = pending.filter(|_| !waits_for_learner) {
            self.navigate(request);
        }
        if let Some(cui) = &block.cui {
            self.instruction(cui, instructions)?;
        }
        Ok(())
    }

    /// Perform a user instruction (`Instructions.properties`).
    fn instruction(&mut self, cui: &str, instructions: &HashMap<String, String>) -> Result<(), String> {
        let (code, arg) = cui.split_once('~').unwrap_or((cui, ""));
        let text = instructions.get(code).map(|t| t.to_ascii_lowercase()).unwrap_or_default();
        match code {
            "Continue" => self.navigate(NavigationRequest::Continue),
            "Previous" => self.navigate(NavigationRequest::Previous),
            "Choice" | "ChoiceExit" => self.choose(arg)?,
            "TRIGExitAll" => self.navigate(NavigationRequest::ExitAll),
            "Exit" => {
                if self.course.sequencer().and_then(|s| s.current()).is_some() {
                    self.navigate(NavigationRequest::ExitAll);
                }
            }
            "SuspendCM09ca" => {
                self.navigate(NavigationRequest::SuspendAll);
                self.relaunch(None)?;
            }
            "ContinueExitCM8" => {
                self.navigate(NavigationRequest::Continue);
                self.relaunch(None)?;
            }
            "RelaunchCM10" => self.relaunch(Some("Activity 4"))?,
            "RootSX4b" => {
                let root = self.course.manifest.activity_tree.title.clone();
                self.choose(&root)?;
            }
            _ if text.contains("relaunch") || text.contains("launch <b>") => {
                if text.contains("exit the package") && self.course.sequencer().and_then(|s| s.current()).is_some() {
                    self.navigate(NavigationRequest::ExitAll);
                }
                self.relaunch(None)?;
            }
            // AutoTest, OKEnd, HasEnded: the attempt should have ended by itself.
            _ if instructions.contains_key(code) => {}
            _ => return Err(format!("unknown instruction {cui:?}")),
        }
        Ok(())
    }
}

/// Run one case; `Err` holds the first difference.
/// `system` is the learner's system-wide global objectives, shared by the
/// cases in suite order (SX-11a, b, c build on each other).
fn run_case(
    case: &Case,
    instructions: &HashMap<String, String>,
    system: &mut BTreeMap<String, ObjectiveState>,
) -> Result<(), String> {
    let packages = cts::case_packages(&case.name);
    let [pkg] = packages.as_slice() else { return Err(format!("packages {packages:?}")) };
    let path = cts::suite_dir().join("packages").join(pkg).join("imsmanifest.xml");
    let xml = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lms = Lms::open(xml)?;
    lms.course.load_system_objectives(system);
    let result = run_blocks(case, instructions, &mut lms);
    system.extend(lms.course.system_objectives());
    result
}

fn run_blocks(case: &Case, instructions: &HashMap<String, String>, lms: &mut Lms) -> Result<(), String> {
    match case.header.get("start").map(|s| s.trim()) {
        Some(".") | None => lms.navigate(NavigationRequest::Start),
        Some(title) => lms.choose(title)?,
    }
    for block in &case.blocks {
        lms.run_block(block, instructions).map_err(|e| format!("Act{}V{}: {e}", block.activity, block.visit))?;
    }
    match &lms.delivery {
        Ok(Delivery::Launch(_)) | Err(_) => return Err(format!("after the last block: {}", describe(&lms.delivery))),
        Ok(_) => {}
    }
    let session_open = lms.course.sequencer().and_then(|s| s.current()).is_some();
    if session_open {
        return Err("after the last block the sequencing session is still open".into());
    }
    Ok(())
}

fn family_of(name: &str) -> &str {
    name.split('-').next().unwrap_or(name)
}

#[test]
fn cts_sequencing() {
    let abbr = Abbreviations::load();
    let instructions: HashMap<String, String> =
        cts::read_properties(&cts::suite_dir().join("Instructions.properties")).into_iter().collect();
    let mut names: Vec<String> = std::fs::read_dir(cts::suite_dir().join("cases"))
        .expect("cases directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".properties").map(str::to_owned))
        .filter(|n| FAMILIES.contains(&family_of(n)) && n.contains('-'))
        .collect();
    names.sort();
    // CTS_TRACE=<case> runs that case alone and prints each SCO session.
    if let Ok(only) = std::env::var("CTS_TRACE") {
        names.retain(|n| *n == only);
    }
    let mut table: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut system = BTreeMap::new();
    let mut failing: BTreeMap<String, String> = BTreeMap::new();
    for name in &names {
        let case = cts::load_case(name, &abbr);
        let result = run_case(&case, &instructions, &mut system);
        let row = table.entry(FAMILIES.iter().find(|f| **f == family_of(name)).copied().unwrap_or("?")).or_default();
        row.1 += 1;
        match result {
            Ok(()) => row.0 += 1,
            Err(e) => {
                failing.insert(name.clone(), e);
            }
        }
    }
    println!("family  passed/total");
    let (mut p, mut t) = (0, 0);
    for (f, (passed, total)) in &table {
        println!("{f:6}  {passed}/{total}");
        p += passed;
        t += total;
    }
    println!("all     {p}/{t}");
    for (name, why) in &failing {
        println!("FAIL {name}: {why}");
    }
    if std::env::var("CTS_LIST").is_ok() {
        for (name, why) in &failing {
            println!("    ({name:?}, {:?}),", why);
        }
    }
    // at least the 145 cases of the shared suite (more may be dropped in)
    assert!(t >= 145, "number of sequencing cases: {t}");
    let known: BTreeMap<String, String> = KNOWN_FAILING.iter().map(|(n, r)| (n.to_string(), r.to_string())).collect();
    let now: Vec<&String> = failing.keys().collect();
    let expected: Vec<&String> = known.keys().collect();
    assert_eq!(now, expected, "the set of failing sequencing cases changed");
}
