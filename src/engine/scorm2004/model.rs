//! The SCORM 2004 4th Ed. run-time data model as one table (RTE §4.2, the
//! `cmi` elements, and §4.3/SCORM SN for the `adl` elements): one row per
//! element with its access, data type, smallest permitted maximum and
//! initial value. `n` in a path stands for a collection index.

use super::types::Side;

/// Who may read and write an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read only (SetValue → 404).
    R,
    /// Write only (GetValue → 405).
    W,
    /// Read and write.
    RW,
}

/// The data type of an element.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// A keyword with a fixed value (`_version`, `_children`).
    Const(&'static str),
    /// `_count` of the collection the path names.
    Count,
    /// `characterstring` with its SPM.
    CharString(usize),
    /// `localized_string_type` with its SPM.
    Localized(usize),
    /// `long_identifier_type` (SPM 4000) or `short_identifier_type` (SPM 250).
    Identifier(usize),
    /// `real(10,7)` with an optional range.
    Real(Option<f64>, Option<f64>),
    /// `time(second,10,0)`.
    Time,
    /// `timeinterval(second,10,2)`.
    Interval,
    /// A state vocabulary.
    Vocab(&'static [&'static str]),
    /// `language_type` (may be empty).
    Language,
    /// An interaction response (format depends on `cmi.interactions.n.type`).
    Response(Side),
    /// `cmi.interactions.n.result`: a vocabulary or a real.
    Result,
    /// `adl.nav.request`.
    NavRequest,
    /// Values the LMS supplies from the launch (read-only elements).
    Lms,
}

/// The value an element has before anything sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Not initialized: GetValue → 403.
    Unset,
    /// A fixed default.
    Value(&'static str),
}

/// One row of the element table.
#[derive(Debug)]
pub struct Rule {
    /// Dotted path, `n` for collection indices.
    pub path: &'static str,
    /// Access for the SCO.
    pub access: Access,
    /// Data type.
    pub ty: Ty,
    /// Value before anything sets it.
    pub init: Init,
}

const fn r(path: &'static str, access: Access, ty: Ty, init: Init) -> Rule {
    Rule { path, access, ty, init }
}

use Access::{R, RW, W};
use Init::{Unset, Value};

/// `cmi.completion_status` vocabulary.
pub const COMPLETION: &[&str] = &["completed", "incomplete", "not attempted", "unknown"];
/// `cmi.success_status` vocabulary.
pub const SUCCESS: &[&str] = &["passed", "failed", "unknown"];
/// `cmi.exit` vocabulary.
pub const EXIT: &[&str] = &["time-out", "suspend", "logout", "normal", ""];
/// `cmi.interactions.n.result` vocabulary (besides a real number).
pub const RESULT: &[&str] = &["correct", "incorrect", "unanticipated", "neutral"];
/// `cmi.learner_preference.audio_captioning` vocabulary.
pub const CAPTIONING: &[&str] = &["-1", "0", "1"];

const SCORE_CHILDREN: &str = "scaled,raw,min,max";

/// The element table.
pub static RULES: &[Rule] = &[
    r("adl.data._children", R, Ty::Const("id,store"), Unset),
    r("adl.data._count", R, Ty::Count, Unset),
    r("adl.data.n.id", R, Ty::Identifier(4000), Unset),
    r("adl.data.n.store", RW, Ty::CharString(64000), Unset),
    r("adl.nav.request", RW, Ty::NavRequest, Value("_none_")),
    r("cmi._version", R, Ty::Const("1.0"), Unset),
    r("cmi.comments_from_learner._children", R, Ty::Const("comment,location,timestamp"), Unset),
    r("cmi.comments_from_learner._count", R, Ty::Count, Unset),
    r("cmi.comments_from_learner.n.comment", RW, Ty::Localized(4000), Unset),
    r("cmi.comments_from_learner.n.location", RW, Ty::CharString(250), Unset),
    r("cmi.comments_from_learner.n.timestamp", RW, Ty::Time, Unset),
    r("cmi.comments_from_lms._children", R, Ty::Const("comment,location,timestamp"), Unset),
    r("cmi.comments_from_lms._count", R, Ty::Count, Unset),
    r("cmi.comments_from_lms.n.comment", R, Ty::Localized(4000), Unset),
    r("cmi.comments_from_lms.n.location", R, Ty::CharString(250), Unset),
    r("cmi.comments_from_lms.n.timestamp", R, Ty::Time, Unset),
    r("cmi.completion_status", RW, Ty::Vocab(COMPLETION), Value("unknown")),
    r("cmi.completion_threshold", R, Ty::Lms, Unset),
    r("cmi.credit", R, Ty::Lms, Unset),
    r("cmi.entry", R, Ty::Lms, Unset),
    r("cmi.exit", W, Ty::Vocab(EXIT), Unset),
    r(
        "cmi.interactions._children",
        R,
        Ty::Const("id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,latency,description"),
        Unset,
    ),
    r("cmi.interactions._count", R, Ty::Count, Unset),
    r("cmi.interactions.n.correct_responses._count", R, Ty::Count, Unset),
    r("cmi.interactions.n.correct_responses.n.pattern", RW, Ty::Response(Side::Correct), Unset),
    r("cmi.interactions.n.description", RW, Ty::Localized(250), Unset),
    r("cmi.interactions.n.id", RW, Ty::Identifier(4000), Unset),
    r("cmi.interactions.n.latency", RW, Ty::Interval, Unset),
    r("cmi.interactions.n.learner_response", RW, Ty::Response(Side::Learner), Unset),
    r("cmi.interactions.n.objectives._count", R, Ty::Count, Unset),
    r("cmi.interactions.n.objectives.n.id", RW, Ty::Identifier(4000), Unset),
    r("cmi.interactions.n.result", RW, Ty::Result, Unset),
    r("cmi.interactions.n.timestamp", RW, Ty::Time, Unset),
    r("cmi.interactions.n.type", RW, Ty::Vocab(super::types::INTERACTION_TYPES), Unset),
    r("cmi.interactions.n.weighting", RW, Ty::Real(None, None), Unset),
    r("cmi.launch_data", R, Ty::Lms, Unset),
    r("cmi.learner_id", R, Ty::Lms, Unset),
    r("cmi.learner_name", R, Ty::Lms, Unset),
    r("cmi.learner_preference._children", R, Ty::Const("audio_level,language,delivery_speed,audio_captioning"), Unset),
    r("cmi.learner_preference.audio_captioning", RW, Ty::Vocab(CAPTIONING), Unset),
    r("cmi.learner_preference.audio_level", RW, Ty::Real(Some(0.0), None), Unset),
    r("cmi.learner_preference.delivery_speed", RW, Ty::Real(Some(0.0), None), Unset),
    r("cmi.learner_preference.language", RW, Ty::Language, Unset),
    r("cmi.location", RW, Ty::CharString(1000), Unset),
    r("cmi.max_time_allowed", R, Ty::Lms, Unset),
    r("cmi.mode", R, Ty::Lms, Unset),
    r("cmi.objectives._children", R, Ty::Const("id,score,success_status,completion_status,progress_measure,description"), Unset),
    r("cmi.objectives._count", R, Ty::Count, Unset),
    r("cmi.objectives.n.completion_status", RW, Ty::Vocab(COMPLETION), Value("unknown")),
    r("cmi.objectives.n.description", RW, Ty::Localized(250), Unset),
    r("cmi.objectives.n.id", RW, Ty::Identifier(4000), Unset),
    r("cmi.objectives.n.progress_measure", RW, Ty::Real(Some(0.0), Some(1.0)), Unset),
    r("cmi.objectives.n.score._children", R, Ty::Const(SCORE_CHILDREN), Unset),
    r("cmi.objectives.n.score.max", RW, Ty::Real(None, None), Unset),
    r("cmi.objectives.n.score.min", RW, Ty::Real(None, None), Unset),
    r("cmi.objectives.n.score.raw", RW, Ty::Real(None, None), Unset),
    r("cmi.objectives.n.score.scaled", RW, Ty::Real(Some(-1.0), Some(1.0)), Unset),
    r("cmi.objectives.n.success_status", RW, Ty::Vocab(SUCCESS), Value("unknown")),
    r("cmi.progress_measure", RW, Ty::Real(Some(0.0), Some(1.0)), Unset),
    r("cmi.scaled_passing_score", R, Ty::Lms, Unset),
    r("cmi.score._children", R, Ty::Const(SCORE_CHILDREN), Unset),
    r("cmi.score.max", RW, Ty::Real(None, None), Unset),
    r("cmi.score.min", RW, Ty::Real(None, None), Unset),
    r("cmi.score.raw", RW, Ty::Real(None, None), Unset),
    r("cmi.score.scaled", RW, Ty::Real(Some(-1.0), Some(1.0)), Unset),
    r("cmi.session_time", W, Ty::Interval, Unset),
    r("cmi.success_status", RW, Ty::Vocab(SUCCESS), Value("unknown")),
    r("cmi.suspend_data", RW, Ty::CharString(64000), Unset),
    r("cmi.time_limit_action", R, Ty::Lms, Unset),
    r("cmi.total_time", R, Ty::Lms, Unset),
];

/// The learner preference defaults (RTE §4.2.12).
pub const PREFERENCE_DEFAULTS: &[(&str, &str)] = &[
    ("cmi.learner_preference.audio_level", "1"),
    ("cmi.learner_preference.language", ""),
    ("cmi.learner_preference.delivery_speed", "1"),
    ("cmi.learner_preference.audio_captioning", "0"),
];

/// Collection indices found in an element name (at most two levels).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Indices {
    /// The index values, outermost first.
    pub at: [usize; 2],
    /// Byte offsets in the element name where each collection's path ends
    /// (the collection key is `element[..end]`).
    pub end: [usize; 2],
    /// How many indices there are.
    pub len: usize,
}

/// Longest pattern any rule has, with room to spare: a name whose pattern is
/// longer matches no row.
const MAX_PATTERN: usize = 64;

/// Find the table row for `element`, with its indices.
pub fn resolve(element: &str) -> Option<(&'static Rule, Indices)> {
    // Turn the name into its pattern once (indices become `n`) in a buffer
    // on the stack, then binary-search the rule with that exact path: one
    // pass over the name, no allocation (this runs on every call).
    let mut idx = Indices::default();
    let mut pattern = [0u8; MAX_PATTERN];
    let mut len = 0usize;
    let mut push = |bytes: &[u8]| -> Option<()> {
        let end = len.checked_add(bytes.len()).filter(|&e| e <= MAX_PATTERN)?;
        pattern.get_mut(len..end)?.copy_from_slice(bytes);
        len = end;
        Some(())
    };
    let mut pos = 0usize;
    // Split on the byte '.' (a `str` split by a char goes through the
    // general pattern searcher, which was a visible part of every call).
    for (i, tok) in element.as_bytes().split(|&b| b == b'.').enumerate() {
        if i > 0 {
            push(b".")?;
        }
        if tok == b"n" {
            // A literal "n" is not an index.
            return None;
        }
        if !tok.is_empty() && tok.iter().all(u8::is_ascii_digit) {
            if tok.len() > 9 || idx.len >= 2 {
                return None;
            }
            // At most nine digits: no overflow.
            idx.at[idx.len] = tok.iter().fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
            idx.end[idx.len] = pos.saturating_sub(1);
            idx.len += 1;
            push(b"n")?;
        } else {
            push(tok)?;
        }
        pos += tok.len() + 1;
    }
    let pattern = pattern.get(..len)?;
    // RULES is sorted by path (checked by a test): binary search
    let i = RULES.binary_search_by(|r| crate::engine::map::cmp_bytes(r.path.as_bytes(), pattern)).ok()?;
    RULES.get(i).map(|r| (r, idx))
}

/// The collection key of a `_count` element or of level `level` of an
/// indexed element: the element name up to that collection.
pub fn collection_key<'a>(element: &'a str, idx: &Indices, level: usize) -> &'a str {
    idx.end.get(level).and_then(|&end| element.get(..end)).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_paths_and_indices() {
        let (rule, idx) = resolve("cmi.interactions.3.objectives.12.id").unwrap();
        assert_eq!(rule.path, "cmi.interactions.n.objectives.n.id");
        assert_eq!(idx.len, 2);
        assert_eq!(idx.at, [3, 12]);
        let el = "cmi.interactions.3.objectives.12.id";
        assert_eq!(collection_key(el, &idx, 0), "cmi.interactions");
        assert_eq!(collection_key(el, &idx, 1), "cmi.interactions.3.objectives");
        assert!(resolve("cmi.interactions.x.id").is_none());
        assert!(resolve("cmi").is_none());
        assert!(resolve("cmi.location.x").is_none());
        // longer than any pattern: no row, no panic
        assert!(resolve(&format!("cmi.{}", "x".repeat(200))).is_none());
        assert!(resolve(&"cmi.interactions.0.".repeat(20)).is_none());
        assert!(resolve(&"a.".repeat(40)).is_none());
    }

    #[test]
    fn rules_are_sorted_by_path_for_binary_search() {
        for pair in RULES.windows(2) {
            assert!(pair[0].path < pair[1].path, "{} before {}", pair[0].path, pair[1].path);
        }
    }

    #[test]
    fn every_row_is_reachable() {
        for rule in RULES {
            let el = rule.path.replace(".n.", ".0.");
            let (found, _) = resolve(&el).unwrap();
            assert_eq!(found.path, rule.path);
        }
    }
}
