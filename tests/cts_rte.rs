//! The ADL SCORM 2004 4th Ed. test suite's run-time families (API, DMI,
//! DMB, DDM) run natively against `scorm2004::Api`.
//!
//! The harness plays the LMS around the API: it launches the activity of
//! each block in file order (the suite's delivery order) with the launch
//! data of its manifest item, resumes an activity whose last session ended
//! with `cmi.exit` "suspend" or `adl.nav.request` "suspendAll", keeps the
//! `adl.data` shared stores (global, or per package attempt when
//! `sharedDataGlobalToSystem` is false), runs every encoded API call and
//! compares its return value and error code, then calls `Terminate("")`
//! as the suite's SCO does. `adl.nav.request_valid` is answered by a
//! small stand-in for the sequencer built from the organization's control
//! modes (these packages are flat).
//!
//! With `CTS_TRANSCRIPT_DIR` set, each family also writes
//! `<dir>/<family>.json`: every SCO session in order with its launch
//! values, the snapshot it resumed from, the stand-in sequencer's data and
//! each API call with the native return value and error code, for
//! `tests/e2e/cts_rte.test.mjs` to replay through `window.API_1484_11`.

mod cts;

use std::collections::HashMap;

use serde_json::{json, Value};

use cts::manifest::{self, Manifest};
use cts::{Abbreviations, Case, Command, Expected, Method, Part};
use scorm_shim::engine::rte::{ApiState, ChangeSet, Host, PersistReason, Snapshot};
use scorm_shim::engine::scorm2004::model::Ty;
use scorm_shim::engine::scorm2004::{self, Api, DataStore, Launch, NavQuery, NavigationOracle};

/// Stand-in sequencer answers for a flat organization.
struct FlatOracle {
    leaves: Vec<String>,
    current: usize,
    flow: bool,
    choice: bool,
    forward_only: bool,
}

impl NavigationOracle for FlatOracle {
    fn is_valid(&self, q: &NavQuery) -> Option<bool> {
        Some(match q {
            NavQuery::Continue => self.flow && self.current + 1 < self.leaves.len(),
            NavQuery::Previous => self.flow && !self.forward_only && self.current > 0,
            NavQuery::Choice(t) => self.choice && self.leaves.iter().any(|l| l == t),
            NavQuery::Jump(t) => self.leaves.iter().any(|l| l == t),
        })
    }
}

/// Collects what the API persists.
#[derive(Default)]
struct Recorder {
    changes: Vec<(String, String)>,
}

impl Host for Recorder {
    fn persist(&mut self, _: PersistReason, changes: &ChangeSet, snapshot: &Snapshot) -> Result<(), String> {
        self.changes.extend(scorm2004::shared_data_writes(changes, snapshot));
        Ok(())
    }
}

/// The learner's records in the simulated LMS.
#[derive(Default)]
struct Lms {
    /// Saved state of suspended activities, by (package, item).
    suspended: HashMap<(String, String), Snapshot>,
    /// Packages whose attempt is suspended (suspendAll).
    course_suspended: HashMap<String, bool>,
    /// Shared data stores by (scope, targetID); scope "" is global.
    stores: HashMap<(String, String), String>,
}

/// Results of one family.
#[derive(Default, Debug)]
struct Tally {
    total: usize,
    passed: usize,
    failures: Vec<String>,
    /// Lines the decoder cannot read as a command (reported, not run).
    unrunnable: Vec<String>,
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(90).collect();
    if t.len() < s.len() {
        format!("{t}…({} chars)", s.chars().count())
    } else {
        t
    }
}

fn resolve(parts: &[Part], api: &Api) -> String {
    let snap = api.snapshot();
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.clone(),
            Part::IndexOf(id) => {
                let n = (0..)
                    .take_while(|i| snap.contains_key(&format!("adl.data.{i}.id")))
                    .find(|i| snap.get(&format!("adl.data.{i}.id")) == Some(id));
                // A store that is not mapped: an index past _count.
                n.map(|n| n.to_string()).unwrap_or_else(|| {
                    (0..).take_while(|i| snap.contains_key(&format!("adl.data.{i}.id"))).count().to_string()
                })
            }
        })
        .collect()
}

fn same_return(cmd: &Command, element: &str, got: &str) -> bool {
    match &cmd.expected {
        Expected::Less255 => got.chars().count() < 255,
        Expected::ValueOrError => true,
        Expected::Empty => got.is_empty(),
        Expected::Value(v) if element.ends_with("._children") && cmd.method == Method::GetValue => {
            let mut a: Vec<&str> = v.split(',').collect();
            let mut b: Vec<&str> = got.split(',').collect();
            a.sort_unstable();
            b.sort_unstable();
            a == b
        }
        Expected::Value(v) if cmd.hint.is_some() => same_response(cmd.hint.as_deref().unwrap_or(""), v, got),
        Expected::Value(v) if is_real_element(element) => {
            v == got || matches!((parse_decimal(v), parse_decimal(got)), (Some(a), Some(b)) if a == b)
        }
        Expected::Value(v) => v == got,
    }
}

/// real(10,7) elements: the suite's SCO compares them as numbers ("0.0"
/// set, "0" expected).
fn is_real_element(element: &str) -> bool {
    matches!(element, "cmi.completion_threshold" | "cmi.scaled_passing_score")
        || matches!(scorm2004::model::resolve(element), Some((r, _)) if matches!(r.ty, Ty::Real(..) | Ty::Result))
}

fn parse_decimal(s: &str) -> Option<f64> {
    scorm2004::types::parse_real(s)
}

/// One API call as the transcript records it.
fn call_json(method: &str, arg: &str, value: Option<&str>, ret: &str, err: &str) -> Value {
    let mut c = json!({ "method": method, "arg": arg, "ret": ret, "err": err });
    if let Some(v) = value {
        c["value"] = json!(v);
    }
    c
}

fn run_command(api: &mut Api, cmd: &Command, host: &mut Recorder, calls: &mut Vec<Value>) -> Result<(), String> {
    let arg = resolve(&cmd.arg, api);
    let mut value = None;
    let got = match cmd.method {
        Method::Initialize => api.initialize(&arg).to_owned(),
        Method::Terminate => api.terminate(&arg, host).to_owned(),
        Method::Commit => api.commit(&arg, host).to_owned(),
        Method::GetValue => api.get_value(&arg),
        Method::SetValue => {
            let v = resolve(&cmd.value, api);
            let r = api.set_value(&arg, &v).to_owned();
            value = Some(v);
            r
        }
        Method::GetLastError => api.get_last_error(),
        Method::GetErrorString => api.get_error_string(&arg),
        Method::GetDiagnostic => api.get_diagnostic(&arg),
        Method::CompareObjIds | Method::Malformed => {
            return Err(format!("cannot run: {}", short(&cmd.raw)));
        }
    };
    let err = api.get_last_error();
    calls.push(call_json(&format!("{:?}", cmd.method), &arg, value.as_deref(), &got, &err));
    let ok = if cmd.expected == Expected::ValueOrError {
        err == "0" || got.is_empty()
    } else {
        same_return(cmd, &arg, &got) && err == cmd.error
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} {}: got {:?} error {err}, expected {:?} error {}",
            short(&format!("{:?}", cmd.method)),
            short(&arg),
            short(&got),
            match &cmd.expected {
                Expected::Value(v) => short(v),
                e => format!("{e:?}"),
            },
            cmd.error
        ))
    }
}

fn ends_course(instruction: &str) -> bool {
    let t = instruction.to_ascii_lowercase();
    t.contains("relaunch") || t.contains("exit the package")
}

fn end_course_attempt(lms: &mut Lms, pkg: &str) {
    if lms.course_suspended.get(pkg).copied().unwrap_or(false) {
        return;
    }
    lms.suspended.retain(|(p, _), _| p != pkg);
    lms.stores.retain(|(scope, _), _| scope != pkg);
}

/// The launch values of one session, every field, for the transcript.
fn launch_json(l: &Launch) -> Value {
    json!({
        "learner_id": l.learner_id,
        "learner_name": l.learner_name,
        "credit": l.credit,
        "mode": l.mode,
        "launch_data": l.launch_data,
        "completion_threshold": l.completion_threshold,
        "scaled_passing_score": l.scaled_passing_score,
        "max_time_allowed": l.max_time_allowed,
        "time_limit_action": l.time_limit_action,
        "objective_ids": l.objective_ids,
        "objective_values": l.objective_values.iter().map(|(a, b, c)| json!([a, b, c])).collect::<Vec<_>>(),
        "data_stores": l.data_stores.iter().map(|d| json!({ "id": d.id, "read": d.read, "write": d.write, "value": d.value })).collect::<Vec<_>>(),
        "comments_from_lms": l.comments_from_lms.iter().map(|c| json!({ "comment": c.comment, "location": c.location, "timestamp": c.timestamp })).collect::<Vec<_>>(),
        "learner_preference": l.learner_preference,
    })
}

fn run_case(case: &Case, sessions: &mut Vec<Value>) -> Tally {
    let instructions: HashMap<String, String> =
        cts::read_properties(&cts::suite_dir().join("Instructions.properties")).into_iter().collect();
    let packages: Vec<(String, Manifest)> = cts::case_packages(&case.name)
        .into_iter()
        .map(|p| {
            let path = cts::suite_dir().join("packages").join(&p).join("imsmanifest.xml");
            let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (p, manifest::read(&xml))
        })
        .collect();
    assert!(!packages.is_empty(), "no package for case {}", case.name);
    let mut lms = Lms::default();
    let mut tally = Tally::default();
    for block in &case.blocks {
        let label = format!("{} Act{}V{}", case.name, block.activity, block.visit);
        let found = packages.iter().find_map(|(p, m)| {
            m.items.iter().position(|i| i.act() == Some(block.activity.as_str())).map(|i| (p, m, i))
        });
        let Some((pkg, man, item_pos)) = found else {
            panic!("{label}: no item launched with act={}", block.activity);
        };
        let item = &man.items[item_pos];
        if !block.commands.is_empty() {
            let scope = if man.shared_data_global { String::new() } else { pkg.clone() };
            let launch = Launch {
                learner_id: "m".into(),
                learner_name: String::new(),
                launch_data: item.data_from_lms.clone().unwrap_or_default(),
                completion_threshold: item.completion_threshold,
                scaled_passing_score: item.scaled_passing_score,
                max_time_allowed: item.max_time_allowed.clone(),
                time_limit_action: item.time_limit_action.clone(),
                objective_ids: item.objective_ids.clone(),
                data_stores: item
                    .data
                    .iter()
                    .map(|d| DataStore {
                        id: d.target.clone(),
                        read: d.read,
                        write: d.write,
                        value: lms.stores.get(&(scope.clone(), d.target.clone())).cloned(),
                    })
                    .collect(),
                // The limits a page runs with by default (README
                // "Configuration"): every value the suite sets fits them.
                limits: scorm_shim::engine::rte::ValueLimits {
                    max_chars: scorm_shim::engine::persist::max_value_chars(scorm_shim::engine::persist::DEFAULT_MAX_BODY),
                    spm: true,
                },
                ..Launch::default()
            };
            let key = (pkg.clone(), item.identifier.clone());
            let saved = lms.suspended.remove(&key);
            lms.course_suspended.insert(pkg.clone(), false);
            let leaves: Vec<String> = man.items.iter().map(|i| i.identifier.clone()).collect();
            let mut session = json!({
                "case": case.name,
                "block": format!("Act{}V{}", block.activity, block.visit),
                "launch": launch_json(&launch),
                "saved": saved,
                "oracle": {
                    "leaves": leaves,
                    "current": item_pos,
                    "flow": man.flow,
                    "choice": man.choice,
                    "forward_only": man.forward_only,
                },
            });
            let mut calls = Vec::new();
            let mut api = Api::new(launch, saved);
            api.set_navigation_oracle(Box::new(FlatOracle {
                current: item_pos,
                leaves,
                flow: man.flow,
                choice: man.choice,
                forward_only: man.forward_only,
            }));
            let mut host = Recorder::default();
            for cmd in &block.commands {
                tally.total += 1;
                if cmd.method == Method::Malformed {
                    tally.unrunnable.push(format!("{label} #{}: {}", cmd.index, short(&cmd.raw)));
                    continue;
                }
                match run_command(&mut api, cmd, &mut host, &mut calls) {
                    Ok(()) => tally.passed += 1,
                    Err(e) => tally.failures.push(format!("{label} #{}: {e}", cmd.index)),
                }
            }
            if api.state() == ApiState::Running {
                assert_eq!(api.terminate("", &mut host), "true", "{label}: Terminate");
                calls.push(call_json("Terminate", "", None, "true", &api.get_last_error()));
            }
            session["calls"] = Value::Array(calls);
            sessions.push(session);
            for (id, value) in host.changes {
                lms.stores.insert((scope.clone(), id), value);
            }
            let nav = api.nav_request().to_owned();
            if api.exit() == "suspend" || nav == "suspendAll" {
                lms.suspended.insert(key, api.snapshot());
            }
            if nav == "suspendAll" {
                lms.course_suspended.insert(pkg.clone(), true);
            }
            if nav == "exitAll" {
                end_course_attempt(&mut lms, pkg);
            }
        }
        if let Some(cui) = &block.cui {
            let code = cui.split('~').next().unwrap_or("");
            if instructions.get(code).is_some_and(|t| ends_course(t)) {
                end_course_attempt(&mut lms, pkg);
            }
        }
    }
    tally
}

fn check_family(name: &str, expected_total: Option<usize>) {
    let abbr = Abbreviations::load();
    let case = cts::load_case(name, &abbr);
    let mut sessions = Vec::new();
    let tally = run_case(&case, &mut sessions);
    if let Some(dir) = std::env::var_os("CTS_TRANSCRIPT_DIR") {
        let path = std::path::Path::new(&dir).join(format!("{name}.json"));
        let text = serde_json::to_string(&json!({ "family": name, "sessions": sessions })).expect("transcript");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    println!("{name}: {}/{} checks passed, {} not runnable", tally.passed, tally.total, tally.unrunnable.len());
    for u in &tally.unrunnable {
        println!("  NOT RUNNABLE (malformed in the suite) {u}");
    }
    for f in tally.failures.iter().take(std::env::var("CTS_SHOW").ok().and_then(|v| v.parse().ok()).unwrap_or(40)) {
        println!("  FAIL {f}");
    }
    if let Some(n) = expected_total {
        assert_eq!(tally.total, n, "{name}: number of checks");
    }
    assert!(tally.failures.is_empty(), "{name}: {} of {} checks failed", tally.failures.len(), tally.total);
    assert_eq!(tally.passed + tally.unrunnable.len(), tally.total);
}

#[test]
fn cts_api() {
    check_family("API", None);
}

#[test]
fn cts_dmi() {
    check_family("DMI", Some(8162));
}

#[test]
fn cts_dmb() {
    check_family("DMB", None);
}

#[test]
fn cts_ddm() {
    check_family("DDM", None);
}

/// The suite's SCO compares interaction responses by meaning (its GET
/// carries the interaction type after `!`): `{case_matters}` /
/// `{order_matters}` delimiters equal to their defaults (false / true) and
/// their order do not matter, nor does `{lang=en}`, the default language of
/// a localized string (RTE §4.1.1.7, §4.2.9.1).
fn same_response(kind: &str, a: &str, b: &str) -> bool {
    normalize_response(kind, a) == normalize_response(kind, b)
}

fn normalize_response(kind: &str, s: &str) -> (bool, bool, Vec<(String, String)>) {
    let (mut case_matters, mut order_matters) = (false, true);
    let mut body = s;
    let flags: &[&str] = match kind {
        "fill-in" => &["case_matters", "order_matters"],
        "long-fill-in" => &["case_matters"],
        "performance" => &["order_matters"],
        _ => &[],
    };
    'outer: loop {
        for f in flags {
            let prefix = format!("{{{f}=");
            if let Some(rest) = body.strip_prefix(prefix.as_str()) {
                if let Some((v, after)) = rest.split_once('}') {
                    if *f == "case_matters" {
                        case_matters = v == "true";
                    } else {
                        order_matters = v == "true";
                    }
                    body = after;
                    continue 'outer;
                }
            }
        }
        break;
    }
    // A long-fill-in pattern is one localized string: the suite also reads a
    // `{case_matters}` after its `{lang}` delimiter as a delimiter.
    if kind == "long-fill-in" {
        if let Some((lang, rest)) = body.strip_prefix("{lang=").and_then(|r| r.split_once('}')) {
            if let Some((v, text)) = rest.strip_prefix("{case_matters=").and_then(|r| r.split_once('}')) {
                case_matters = v == "true";
                return (case_matters, order_matters, vec![(lang.to_ascii_lowercase(), text.to_owned())]);
            }
        }
    }
    let items: Vec<&str> = match kind {
        "fill-in" => body.split("[,]").collect(),
        _ => vec![body],
    };
    let items = items
        .into_iter()
        .map(|it| match (kind, it.strip_prefix("{lang=").and_then(|r| r.split_once('}'))) {
            ("fill-in" | "long-fill-in", Some((lang, text))) => (lang.to_ascii_lowercase(), text.to_owned()),
            ("fill-in" | "long-fill-in", None) => ("en".to_owned(), it.to_owned()),
            _ => (String::new(), it.to_owned()),
        })
        .collect();
    (case_matters, order_matters, items)
}

/// The decoder reads every case of the suite (also the sequencing ones
/// another harness runs) and finds a package item for every block.
#[test]
fn decoder_reads_every_case() {
    let abbr = Abbreviations::load();
    let mut names: Vec<String> = std::fs::read_dir(cts::suite_dir().join("cases"))
        .expect("cases directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".properties").map(str::to_owned))
        .collect();
    names.sort();
    let (mut blocks, mut commands, mut malformed) = (0, 0, Vec::new());
    for name in &names {
        let case = cts::load_case(name, &abbr);
        assert!(!case.blocks.is_empty(), "{name}: no blocks");
        assert!(case.header.contains_key("TT"), "{name}: no test type");
        let manifests: Vec<Manifest> = cts::case_packages(name)
            .iter()
            .map(|p| {
                let path = cts::suite_dir().join("packages").join(p).join("imsmanifest.xml");
                manifest::read(&std::fs::read_to_string(path).expect("manifest"))
            })
            .collect();
        assert!(!manifests.is_empty(), "{name}: no package");
        for b in &case.blocks {
            let found = manifests.iter().any(|m| m.items.iter().any(|i| i.act() == Some(b.activity.as_str())));
            assert!(found, "{name} Act{}V{}: no item", b.activity, b.visit);
            blocks += 1;
            commands += b.commands.len();
            malformed.extend(b.commands.iter().filter(|c| c.method == Method::Malformed).map(|c| format!("{name} Act{}V{} #{}", b.activity, b.visit, c.index)));
        }
    }
    println!("{} cases, {blocks} blocks, {commands} commands, malformed: {malformed:?}", names.len());
    // the 149 cases of the shared suite (held-out ones may be dropped in)
    assert!(names.len() >= 149, "{} cases", names.len());
}
