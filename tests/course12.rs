//! SCORM 1.2 packages as courses (issue 13.2): statuses per SCO kept and
//! shown, resume where the learner suspended, `adlcp:prerequisites`
//! honoured (the AICC script syntax), a course status rolled up; and the
//! identity a package's tracking data gets (issue 13.1).

use scorm_shim::engine::config::Config;
use scorm_shim::engine::course::{identity, Course, Delivery};
use scorm_shim::engine::manifest::ParseOptions;
use scorm_shim::engine::prerequisites::{parse, Expr};
use scorm_shim::engine::rte::Snapshot;
use scorm_shim::engine::sequencing::NavigationRequest as N;

fn course() -> Course {
    let xml = std::fs::read_to_string("www/courses/multisco12/imsmanifest.xml").expect("sample course");
    Course::open(&xml, &ParseOptions::default()).expect("opens")
}

fn launched(d: Delivery) -> String {
    match d {
        Delivery::Launch(l) => l.activity_id,
        other => panic!("expected a launch, got {other:?}"),
    }
}

fn state(status: &str, raw: Option<&str>) -> Snapshot {
    let mut s = Snapshot::new();
    s.insert("cmi.core.lesson_status".into(), status.into());
    if let Some(r) = raw {
        s.insert("cmi.core.score.raw".into(), r.into());
    }
    s
}

fn activity(c: &Course, id: &str) -> scorm_shim::engine::sequencing::ActivityNavState {
    c.nav_state().activities.into_iter().find(|a| a.id == id).unwrap_or_else(|| panic!("no {id}"))
}

fn status_of<'a>(env: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> String + 'a {
    move |id: &str| env.iter().find(|(k, _)| *k == id).map_or("not attempted".to_string(), |(_, v)| v.to_string())
}

#[test]
fn prerequisites_syntax_and_meaning() {
    let env = [("A", "passed"), ("B", "completed"), ("C", "failed"), ("D", "incomplete"), ("E", "browsed")];
    let st = status_of(&env);
    let cases: &[(&str, bool)] = &[
        ("A", true),
        ("B", true),
        ("C", false),
        ("Z", false),
        ("A & B", true),
        ("A&C", false),
        ("C | A", true),
        ("~C", true),
        ("!A", false),
        ("~(A & C)", true),
        ("A & (C | D)", false),
        ("A | C & D", true), // & binds tighter than |
        ("(A | C) & D", false),
        ("C=failed", true),
        ("C=F", true),
        ("D=i", true),
        ("E=\"browsed\"", true),
        ("Z=not attempted", true),
        ("Z=\"not attempted\"", true),
        ("Z=N", true),
        ("A<>passed", false),
        ("A <> completed", true),
        ("2*{A,B,C}", true),
        ("3*{A,B,C}", false),
        ("1*{C,D,E}", false),
        ("2*{A, C|B, D}", true),
        ("0*{C}", true),
    ];
    for (script, want) in cases {
        let e = parse(script).unwrap_or_else(|err| panic!("{script}: {err}"));
        assert_eq!(e.eval(&st), *want, "{script}");
    }
    assert_eq!(parse("A & ~B").expect("parses").identifiers(), ["A", "B"]);
    assert_eq!(parse("A&B|C").expect("parses"), Expr::Or(vec![Expr::And(vec![Expr::Done("A".into()), Expr::Done("B".into())]), Expr::Done("C".into())]));
    for bad in ["", "A &", "(A", "A)", "A < B", "A=done", "x*{A}", "2*{A", "A B", "&", "A=\"passed"] {
        assert!(parse(bad).is_err(), "{bad:?} should be refused");
    }
    assert!(parse(&"~".repeat(100_000)).is_err(), "too long, no stack overflow");
    assert!(parse(&format!("{}A{}", "(".repeat(1000), ")".repeat(1000))).is_err(), "too deep");
    // What keeps it false, in words.
    let title = |id: &str| format!("Item {id}");
    let needs = |script: &str| parse(script).expect("parses").needs(&st, &title);
    assert_eq!(needs("A & B"), None);
    assert_eq!(needs("A & C & D").as_deref(), Some("complete “Item C” and “Item D”"));
    assert_eq!(needs("C=passed & ~A").as_deref(), Some("pass “Item C” and “Item A” must not be completed"));
    assert_eq!(needs("C | D").as_deref(), Some("either complete “Item C” or “Item D”"));
    assert_eq!(needs("2*{C,D,A}").as_deref(), Some("complete 2 of “Item C”, “Item D” and “Item A”"));
}

#[test]
fn prerequisites_hold_modules_back_until_met() {
    let mut c = course();
    assert!(c.manifest.warnings.is_empty(), "{:?}", c.manifest.warnings);
    // Before anything: module 1 only (and nothing under the blocked parts).
    for (id, selectable) in [("M1", true), ("M2", false), ("PRACTICE", false), ("M3A", false), ("M3B", false), ("M4", false)] {
        assert_eq!(activity(&c, id).selectable, selectable, "{id}");
    }
    assert!(!activity(&c, "M3A").enabled, "the block's prerequisites hold its items back");
    assert_eq!(launched(c.navigate(N::Start).expect("start")), "M1");
    // Module 4 cannot be chosen: refused before the running SCO is ended, and said why.
    let m4 = N::Choice("M4".into());
    assert_eq!(c.accepts(&m4, None).map_err(|e| e.id), Err("DB.1.1-3"));
    assert_eq!(
        c.explain(&m4).as_deref(),
        Some("Not available yet: complete “1. Introduction”, “2. Hazards” and one of “3a. A scenario” or “3b. Checklist (handout)” first.")
    );
    let why: Vec<(String, String)> = c.unavailable();
    assert!(why.iter().any(|(id, w)| id == "M2" && w == "Not available yet: complete “1. Introduction” first."), "{why:?}");
    assert!(why.iter().any(|(id, w)| id == "M3A" && w == "Not available yet: it belongs to “3. Practice”; complete “2. Hazards” first."), "{why:?}");
    // Continue is refused while module 1 is not done, and says why.
    assert!(!c.nav_state().continue_);
    assert_eq!(c.accepts(&N::Continue, None).map_err(|e| e.id), Err("DB.1.1-3"));
    assert!(c.explain(&N::Continue).is_some_and(|w| w.contains("“1. Introduction”")));

    c.report_12("M1", &state("completed", None));
    assert!(c.nav_state().continue_);
    assert_eq!(launched(c.navigate(N::Continue).expect("continue")), "M2");
    c.report_12("M2", &state("passed", Some("90")));
    // The block is itself a page (SCORM 1.2), then its items in order.
    assert_eq!(launched(c.navigate(N::Continue).expect("continue")), "PRACTICE");
    assert_eq!(launched(c.navigate(N::Continue).expect("continue")), "M3A");
    assert!(!activity(&c, "M4").selectable);
    // The handout is an asset: launching it completes it, which meets 1*{M3A,M3B}.
    assert_eq!(launched(c.navigate(N::Choice("M3B".into())).expect("choice")), "M3B");
    assert_eq!(activity(&c, "M3B").completion, "completed");
    assert!(activity(&c, "M4").selectable);
    assert_eq!(c.unavailable(), vec![]);
}

#[test]
fn statuses_and_the_suspended_place_survive_a_reload() {
    let mut c = course();
    c.navigate(N::Start).expect("start");
    c.report_12("M1", &state("completed", None));
    c.navigate(N::Continue).expect("continue");
    c.report_12("M2", &state("incomplete", None));
    assert_eq!(c.navigate(N::SuspendAll).expect("suspend"), Delivery::Ended);
    let saved = c.saved_text();

    // The page is reloaded: a new course from the same package, restored.
    let mut again = course();
    assert_eq!(again.restore_text(&saved), Ok(true));
    assert!(again.can_resume());
    assert!(again.nav_state().resume_all);
    assert_eq!(activity(&again, "M1").completion, "completed");
    assert_eq!(activity(&again, "M2").completion, "incomplete");
    assert_eq!(launched(again.navigate(N::ResumeAll).expect("resume")), "M2", "where the learner left");
    assert!(!again.can_resume());

    // Without a suspend, a new session starts at the first module not done.
    let mut c = course();
    c.navigate(N::Start).expect("start");
    c.report_12("M1", &state("passed", Some("100")));
    assert_eq!(c.navigate(N::ExitAll).expect("exit all"), Delivery::Ended);
    let mut again = course();
    again.restore_text(&c.saved_text()).expect("restores");
    assert!(!again.can_resume());
    assert_eq!(launched(again.navigate(N::Start).expect("start")), "M2");

    // The page went away mid-session (no suspend): the next visit resumes there.
    let mut c = course();
    c.navigate(N::Start).expect("start");
    c.report_12("M1", &state("completed", None));
    c.navigate(N::Continue).expect("continue");
    let mut again = course();
    again.restore_text(&c.saved_text()).expect("restores");
    assert!(again.can_resume() && !again.nav_state().exit);
    assert_eq!(launched(again.navigate(N::ResumeAll).expect("resume")), "M2");

    // A saved text of another shape changes nothing.
    let mut c = course();
    assert!(c.restore_text("{\"scorm12\":{\"v\":9}}").is_err());
    assert_eq!(c.restore_text("{\"seq\":null,\"shared\":{}}"), Ok(false));
    assert!(c.restore_text("not json").is_err());
    assert_eq!(launched(c.navigate(N::Start).expect("start")), "M1");
}

#[test]
fn the_course_status_rolls_up_from_the_scos() {
    let mut c = course();
    let r = c.result();
    assert_eq!((r.completion, r.success, r.score), ("unknown", "unknown", None));
    c.navigate(N::Start).expect("start");
    c.report_12("M1", &state("completed", None));
    let r = c.result();
    assert_eq!((r.completion, r.success), ("incomplete", "unknown"));
    for id in ["M2", "PRACTICE", "M3A"] {
        c.report_12(id, &state("completed", None));
    }
    c.navigate(N::Choice("M3B".into())).expect("handout");
    c.report_12("M4", &state("failed", Some("60")));
    let r = c.result();
    assert_eq!((r.completion, r.success, r.score), ("completed", "failed", Some(0.6)));
    let mut s = state("passed", Some("95"));
    s.insert("cmi.core.score.max".into(), "100".into());
    s.insert("cmi.core.score.min".into(), "50".into());
    c.report_12("M4", &s);
    let r = c.result();
    assert_eq!((r.completion, r.success), ("completed", "passed"));
    assert!((r.score.expect("score") - 0.9).abs() < 1e-9, "{r:?}");
    // A cluster shows the roll-up of its items.
    assert_eq!(activity(&c, "PRACTICE").completion, "completed");
}

#[test]
fn broken_prerequisites_are_ignored_with_a_warning() {
    let xml = std::fs::read_to_string("www/courses/multisco12/imsmanifest.xml")
        .expect("sample")
        .replacen(">M1</adlcp:prerequisites>", ">M1 &amp;</adlcp:prerequisites>", 1)
        .replacen(">M2</adlcp:prerequisites>", ">M9</adlcp:prerequisites>", 1);
    let c = Course::open(&xml, &ParseOptions::default()).expect("opens");
    let w: Vec<String> = c.manifest.warnings.iter().map(|w| w.message.clone()).collect();
    assert!(w.iter().any(|m| m.starts_with("item `M2`: prerequisites `M1 &` ignored")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("item `PRACTICE`: prerequisites `M9` ignored: `M9` names no item")), "{w:?}");
    assert!(activity(&c, "M2").selectable && activity(&c, "M3A").selectable);
}

#[test]
fn the_session_ends_and_the_buttons_say_so() {
    let mut c = course();
    let nav = c.nav_state();
    assert!(nav.start && !nav.continue_ && !nav.previous && !nav.exit && !nav.exit_all && !nav.suspend_all);
    c.navigate(N::Start).expect("start");
    let nav = c.nav_state();
    assert!(!nav.start && nav.exit && nav.exit_all && nav.suspend_all && !nav.previous);
    assert_eq!(c.navigate(N::ExitAll).expect("exit all"), Delivery::Ended);
    let nav = c.nav_state();
    assert!(!nav.continue_ && !nav.previous && !nav.exit && !nav.exit_all && !nav.suspend_all, "{nav:?}");
    assert_eq!(c.accepts(&N::Continue, None).map_err(|e| e.id), Err("NB.2.1-2"));
}

#[test]
fn a_package_gets_its_own_registration() {
    let c12 = course();
    let xml2004 = std::fs::read_to_string("www/courses/sequenced/imsmanifest.xml").expect("sample");
    let c2004 = Course::open(&xml2004, &ParseOptions::default()).expect("opens");
    let config = Config::default();
    let url = "http://127.0.0.1:8080/courses/multisco12/imsmanifest.xml";
    let (course_id, reg) = identity(&config, &c12.manifest, url);
    assert_eq!(course_id, "com.example.scorm-shim.multisco12");
    assert!(reg.starts_with("com.example.scorm-shim.multisco12@") && reg.len() == course_id.len() + 17, "{reg}");
    assert_eq!(identity(&config, &c12.manifest, &format!("{url}#top")).1, reg, "the fragment does not matter");
    // Another URL, another learner, another data model: another registration.
    let other_url = identity(&config, &c12.manifest, "http://127.0.0.1:8080/copy/imsmanifest.xml").1;
    let (learner2, _) = Config::from_pairs([("learnerId", "someone-else")]);
    let other_learner = identity(&learner2, &c12.manifest, url).1;
    let mut same_id_2004 = c2004.manifest.clone();
    same_id_2004.identifier = c12.manifest.identifier.clone();
    let other_model = identity(&config, &same_id_2004, url).1;
    for other in [&other_url, &other_learner, &other_model] {
        assert_ne!(other, &reg);
    }
    // What the LMS configured wins.
    let (lms, _) = Config::from_pairs([("courseId", "safety-101"), ("registrationId", "reg-9")]);
    assert_eq!(identity(&lms, &c12.manifest, url), ("safety-101".into(), "reg-9".into()));
    let (lms, _) = Config::from_pairs([("courseId", "safety-101")]);
    let (course_id, reg) = identity(&lms, &c12.manifest, url);
    assert_eq!(course_id, "safety-101");
    assert!(reg.starts_with("safety-101@"));
    // Identifiers a configuration id may not hold are made safe.
    let mut odd = c12.manifest.clone();
    odd.identifier = "My Course\t1".into();
    assert!(identity(&config, &odd, url).0 == "My_Course_1");
    odd.identifier.clear();
    assert!(identity(&config, &odd, url).1.starts_with("package@"));
    // Every derived id is one the configuration accepts.
    for (course_id, reg) in [identity(&config, &c12.manifest, url), identity(&config, &odd, url)] {
        let (c, errors) = Config::from_pairs([("courseId", course_id.as_str()), ("registrationId", reg.as_str())]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!((c.course_id, c.registration_id), (course_id, reg));
    }
}
