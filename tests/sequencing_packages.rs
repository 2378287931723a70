//! Sequencing of whole content packages through `engine::course::Course`,
//! the glue the browser player uses: the problems real packages showed.
//!
//! `tests/fixtures/packages/gated/` is a 4th Edition course whose lessons
//! sit in a cluster hidden from the table of contents (`isvisible="false"`),
//! write their completion to global objectives (`adlseq:mapInfo
//! writeCompletionStatus`), and whose quiz is disabled until its own
//! objectives read both as completed (`readCompletionStatus`).

use scorm_shim::engine::course::{Course, Delivery, LaunchInfo};
use scorm_shim::engine::manifest::ParseOptions;
use scorm_shim::engine::rte::{ApiState, NullHost};
use scorm_shim::engine::scorm2004::{Api, Launch};
use scorm_shim::engine::sequencing::{ActivityNavState, NavigationRequest as N};

fn gated() -> Course {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/packages/gated/imsmanifest.xml");
    let xml = std::fs::read_to_string(path).expect("fixture");
    let course = Course::open(&xml, &ParseOptions::default()).expect("the fixture parses");
    assert!(course.manifest.warnings.is_empty(), "{:?}", course.manifest.warnings);
    course
}

fn launched(d: Result<Delivery, scorm_shim::engine::sequencing::SeqError>) -> LaunchInfo {
    match d {
        Ok(Delivery::Launch(l)) => l,
        other => panic!("expected a launch, got {other:?}"),
    }
}

/// The SCO of `info`, initialized, with `completion` set when given.
fn run_sco(course: &Course, info: &LaunchInfo, completion: Option<&str>) -> Api {
    let mut api = Api::new(course.launch_2004(info, Launch::default()), None);
    assert_eq!(api.initialize(""), "true");
    if let Some(c) = completion {
        assert_eq!(api.set_value("cmi.completion_status", c), "true");
    }
    api
}

/// The SCO ends by itself (Terminate), and the course records it.
fn end_sco(course: &mut Course, mut api: Api) {
    assert_eq!(api.terminate("", &mut NullHost), "true");
    assert_eq!(course.finish_2004(&api), None);
}

fn entry<'a>(nav: &'a [ActivityNavState], id: &str) -> &'a ActivityNavState {
    nav.iter().find(|a| a.id == id).expect("activity in navState")
}

#[test]
fn invisible_cluster_hides_only_its_own_entry() {
    let course = gated();
    let nav = course.nav_state();
    assert!(!entry(&nav.activities, "LESSONS").visible, "isvisible=false hides the cluster's entry");
    for id in ["LESSON-1", "LESSON-2", "QUIZ"] {
        assert!(entry(&nav.activities, id).visible, "{id} is shown");
    }
    // and the lessons can be chosen from the table of contents
    assert!(entry(&nav.activities, "LESSON-2").selectable);
}

#[test]
fn completion_preconditions_read_objective_completion_from_global_objectives() {
    let mut course = gated();
    let l1 = launched(course.navigate(N::Start));
    assert_eq!(l1.activity_id, "LESSON-1");
    let quiz = |c: &Course| entry(&c.nav_state().activities, "QUIZ").clone();
    assert!(!quiz(&course).enabled && !quiz(&course).selectable, "nothing read yet: the quiz is disabled");

    let api = run_sco(&course, &l1, Some("completed"));
    end_sco(&mut course, api);
    assert!(!quiz(&course).enabled, "lesson 2 is not completed yet");
    let l2 = launched(course.navigate(N::Continue));
    assert_eq!(l2.activity_id, "LESSON-2");
    let api = run_sco(&course, &l2, Some("completed"));
    end_sco(&mut course, api);

    // both globals read "completed" through the quiz's own objectives
    let q = quiz(&course);
    assert!(q.enabled && q.selectable, "{q:?}");
    assert_eq!(launched(course.navigate(N::Continue)).activity_id, "QUIZ");
}

#[test]
fn a_request_that_would_fail_is_refused_before_the_sco_ends() {
    let mut course = gated();
    let l1 = launched(course.navigate(N::Start));
    // lesson 1 reports incomplete; the learner moves on to lesson 2
    let api = run_sco(&course, &l1, Some("incomplete"));
    end_sco(&mut course, api);
    let l2 = launched(course.navigate(N::Continue));
    let api = run_sco(&course, &l2, Some("incomplete"));

    // Continue is valid by NB.2.1, but the quiz it flows to is disabled:
    // the whole request, run on a copy with the running SCO's data, ends in
    // SB.2.2-2, and the look-ahead (the button) says so too
    let before = course.save();
    let err = course.accepts(&N::Continue, Some(&api)).expect_err("continue would fail");
    assert_eq!(err.id, "SB.2.2-2");
    let nav = course.nav_state_with(Some(&api));
    assert!(!nav.continue_);
    assert_eq!(nav.why.continue_.map(|w| w.id).as_deref(), Some("SB.2.2-2"));
    assert_eq!(course.save(), before, "asking changed nothing");
    assert_eq!(api.state(), ApiState::Running);
    // the other requests the player offers are still fine
    assert_eq!(course.accepts(&N::Previous, Some(&api)), Ok(()));
    assert_eq!(course.accepts(&N::Choice("LESSON-1".into()), Some(&api)), Ok(()));
    // a choice of the disabled quiz says why
    assert_eq!(course.accepts(&N::Choice("QUIZ".into()), Some(&api)).map_err(|e| e.id), Err("DB.1.1-3"));

    // back to lesson 1, which is completed this time; Continue from it
    // delivers lesson 2, which is fine
    end_sco(&mut course, api);
    let l1 = launched(course.navigate(N::Previous));
    let api = run_sco(&course, &l1, Some("completed"));
    assert_eq!(course.accepts(&N::Continue, Some(&api)), Ok(()));
    end_sco(&mut course, api);
    let l2 = launched(course.navigate(N::Continue));
    let api = run_sco(&course, &l2, Some("completed"));
    // lesson 2 completes in this session: as if it ended now, the quiz opens
    assert_eq!(course.accepts(&N::Continue, Some(&api)), Ok(()));
    assert!(course.nav_state_with(Some(&api)).continue_, "the button agrees while the SCO runs");
    // without the running SCO's data it would not (the global objective
    // still holds the "incomplete" of lesson 2's first session)
    assert_eq!(course.accepts(&N::Continue, None).map_err(|e| e.id), Err("SB.2.2-2"));
}

#[test]
fn a_suspended_course_can_resume_after_a_relaunch() {
    let mut course = gated();
    assert!(!course.can_resume());
    let l1 = launched(course.navigate(N::Start));
    let api = run_sco(&course, &l1, Some("incomplete"));
    assert_eq!(course.accepts(&N::SuspendAll, Some(&api)), Ok(()));
    end_sco(&mut course, api);
    assert_eq!(course.navigate(N::SuspendAll), Ok(Delivery::Ended));
    let (state, shared) = course.save().expect("state");
    let mut again = gated();
    again.restore(state, shared).expect("restores");
    assert!(again.can_resume());
    assert_eq!(again.can_resume(), again.nav_state().resume_all);
    assert_eq!(launched(again.navigate(N::ResumeAll)).activity_id, "LESSON-1");
}
