//! The SCORM 1.2 data model (RTE §3.4): one table of element rules that drives
//! `LMSGetValue`, `LMSSetValue`, `_children`, `_count` and the error codes.
//!
//! An element name is looked up by *normalising* it: every index segment
//! (`cmi.interactions.3.objectives.0.id`) becomes `n`
//! (`cmi.interactions.n.objectives.n.id`) and the indices are kept aside; the
//! normalised name is then found by binary search in [`RULES`].

use super::types::{self, Array, DataType};

/// Who may read and write an element (RTE §3.4.4 "SCO Accessibility").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `LMSGetValue` only; `LMSSetValue` fails with 403 (402 for keywords).
    ReadOnly,
    /// `LMSSetValue` only; `LMSGetValue` fails with 404.
    WriteOnly,
    /// Both.
    ReadWrite,
}

/// One element of the data model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    /// The dotted name with `n` for each index.
    pub name: &'static str,
    /// Its data type.
    pub ty: DataType,
    /// Its accessibility.
    pub access: Access,
    /// The array its innermost index counts in (for `_count`: the array counted).
    pub array: Array,
}

const fn rule(name: &'static str, ty: DataType, access: Access, array: Array) -> Rule {
    Rule { name, ty, access, array }
}

use Access::{ReadOnly as RO, ReadWrite as RW, WriteOnly as WO};
use Array::{CorrectResponses, InteractionObjectives, Interactions, None as Top, Objectives};
use DataType::*;

const SCORE_CHILDREN: DataType = Children("raw,min,max");
const ANY_DECIMAL: DataType = Decimal { min: f64::NEG_INFINITY, max: f64::INFINITY };

/// Every element of the SCORM 1.2 data model, sorted by name (byte order)
/// for binary search.
pub static RULES: &[Rule] = &[
    rule("cmi._version", Version, RO, Top),
    rule("cmi.comments", String4096, RW, Top),
    rule("cmi.comments_from_lms", String4096, RO, Top),
    rule(
        "cmi.core._children",
        Children("student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time"),
        RO,
        Top,
    ),
    rule("cmi.core.credit", Vocabulary(types::CREDIT), RO, Top),
    rule("cmi.core.entry", Vocabulary(types::ENTRY), RO, Top),
    rule("cmi.core.exit", Vocabulary(types::EXIT), WO, Top),
    rule("cmi.core.lesson_location", String255, RW, Top),
    rule("cmi.core.lesson_mode", Vocabulary(types::MODE), RO, Top),
    rule("cmi.core.lesson_status", LessonStatus, RW, Top),
    rule("cmi.core.score._children", SCORE_CHILDREN, RO, Top),
    rule("cmi.core.score.max", Score, RW, Top),
    rule("cmi.core.score.min", Score, RW, Top),
    rule("cmi.core.score.raw", Score, RW, Top),
    rule("cmi.core.session_time", Timespan, WO, Top),
    rule("cmi.core.student_id", Identifier, RO, Top),
    rule("cmi.core.student_name", String255, RO, Top),
    rule("cmi.core.total_time", Timespan, RO, Top),
    rule(
        "cmi.interactions._children",
        Children("id,objectives,time,type,correct_responses,weighting,student_response,result,latency"),
        RO,
        Top,
    ),
    rule("cmi.interactions._count", Count, RO, Interactions),
    rule("cmi.interactions.n.correct_responses._count", Count, RO, CorrectResponses),
    rule("cmi.interactions.n.correct_responses.n.pattern", Feedback, WO, CorrectResponses),
    rule("cmi.interactions.n.id", Identifier, WO, Interactions),
    rule("cmi.interactions.n.latency", Timespan, WO, Interactions),
    rule("cmi.interactions.n.objectives._count", Count, RO, InteractionObjectives),
    rule("cmi.interactions.n.objectives.n.id", Identifier, WO, InteractionObjectives),
    rule("cmi.interactions.n.result", InteractionResult, WO, Interactions),
    rule("cmi.interactions.n.student_response", Feedback, WO, Interactions),
    rule("cmi.interactions.n.time", Time, WO, Interactions),
    rule("cmi.interactions.n.type", Vocabulary(types::INTERACTION), WO, Interactions),
    rule("cmi.interactions.n.weighting", ANY_DECIMAL, WO, Interactions),
    rule("cmi.launch_data", String4096, RO, Top),
    rule("cmi.objectives._children", Children("id,score,status"), RO, Top),
    rule("cmi.objectives._count", Count, RO, Objectives),
    rule("cmi.objectives.n.id", Identifier, RW, Objectives),
    rule("cmi.objectives.n.score._children", SCORE_CHILDREN, RO, Objectives),
    rule("cmi.objectives.n.score.max", Score, RW, Objectives),
    rule("cmi.objectives.n.score.min", Score, RW, Objectives),
    rule("cmi.objectives.n.score.raw", Score, RW, Objectives),
    rule("cmi.objectives.n.status", Vocabulary(types::STATUS), RW, Objectives),
    rule("cmi.student_data._children", Children("mastery_score,max_time_allowed,time_limit_action"), RO, Top),
    rule("cmi.student_data.mastery_score", Decimal { min: 0.0, max: 100.0 }, RO, Top),
    rule("cmi.student_data.max_time_allowed", Timespan, RO, Top),
    rule("cmi.student_data.time_limit_action", Vocabulary(types::TIME_LIMIT_ACTION), RO, Top),
    rule("cmi.student_preference._children", Children("audio,language,speed,text"), RO, Top),
    rule("cmi.student_preference.audio", SInteger { min: -1, max: 100 }, RW, Top),
    rule("cmi.student_preference.language", String255, RW, Top),
    rule("cmi.student_preference.speed", SInteger { min: -100, max: 100 }, RW, Top),
    rule("cmi.student_preference.text", SInteger { min: -1, max: 1 }, RW, Top),
    rule("cmi.suspend_data", SuspendData, RW, Top),
];

/// No element name is longer than this (the longest rule plus two indices).
const MAX_ELEMENT_LEN: usize = 96;

/// A resolved element: its rule and its indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    /// The rule of the element.
    pub rule: &'static Rule,
    /// The indices, outermost first; only the first `depth` are meaningful.
    pub index: [u32; 2],
    /// How many indices the name has (0, 1 or 2).
    pub depth: usize,
}

/// Why an element name did not resolve to a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Miss {
    /// Not an element of the data model: error 401.
    Unknown,
    /// An element whose index is not a plain decimal number (`01`, or too
    /// large): error 201.
    BadIndex,
    /// A known parent of elements (`cmi.core`), not an element: error 201.
    NotElement,
    /// `_children` of a known element that has none: error 202 (402 on set).
    NoChildren,
    /// `_count` of a known element that is not an array: error 203 (402 on set).
    NotArray,
}

/// A normalised element name, built in place without allocating (names are
/// at most [`MAX_ELEMENT_LEN`] bytes, and normalising never lengthens them).
struct Key {
    buf: [u8; MAX_ELEMENT_LEN],
    len: usize,
}

impl Key {
    fn push(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.buf.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    fn as_str(&self) -> &str {
        // Whole segments of a `&str` are copied, so this is always UTF-8.
        self.buf.get(..self.len).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
    }
}

/// Normalise `element` into a key and `index`; returns the key, the depth
/// and whether an index was malformed.
fn normalise(element: &str, index: &mut [u32; 2]) -> Option<(Key, usize, bool)> {
    let mut key = Key { buf: [0; MAX_ELEMENT_LEN], len: 0 };
    let mut depth = 0;
    let mut bad = false;
    // Split on the byte '.' (a `str` split by a char goes through the
    // general pattern searcher, which was a visible part of every call).
    for (i, seg) in element.as_bytes().split(|&b| b == b'.').enumerate() {
        if i > 0 {
            key.push(b".")?;
        }
        if !seg.is_empty() && seg.iter().all(u8::is_ascii_digit) {
            let slot = index.get_mut(depth)?;
            // At most ten digits, no leading zero, and within u32.
            let v = seg.iter().fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')));
            match u32::try_from(v) {
                Ok(v) if seg.len() <= 10 && !(seg.len() > 1 && seg.first() == Some(&b'0')) => *slot = v,
                _ => bad = true,
            }
            depth += 1;
            key.push(b"n")?;
        } else if seg == b"n" {
            // `n` stands for an index in the table, never in a name.
            return None;
        } else {
            key.push(seg)?;
        }
    }
    Some((key, depth, bad))
}

fn find(key: &[u8]) -> Option<&'static Rule> {
    RULES.binary_search_by(|r| crate::engine::map::cmp_bytes(r.name.as_bytes(), key)).ok().and_then(|i| RULES.get(i))
}

/// True when `key` (normalised) is an element or a parent of elements.
fn is_known_path(key: &str) -> bool {
    RULES.iter().any(|r| {
        r.name == key || (r.name.len() > key.len() && r.name.starts_with(key) && r.name.as_bytes().get(key.len()) == Some(&b'.'))
    })
}

/// Resolve an element name to its rule and indices, without allocating.
pub fn lookup(element: &str) -> Result<Target, Miss> {
    if element.len() > MAX_ELEMENT_LEN {
        return Err(Miss::Unknown);
    }
    let mut index = [0u32; 2];
    let Some((key, depth, bad)) = normalise(element, &mut index) else {
        return Err(Miss::Unknown);
    };
    // The rule is found by the bytes (no UTF-8 check on the hit path).
    if let Some(rule) = find(key.bytes()) {
        return if bad { Err(Miss::BadIndex) } else { Ok(Target { rule, index, depth }) };
    }
    let key = key.as_str();
    if let Some(parent) = key.strip_suffix("._children") {
        if is_known_path(parent) {
            return Err(Miss::NoChildren);
        }
    } else if let Some(parent) = key.strip_suffix("._count") {
        if is_known_path(parent) {
            return Err(Miss::NotArray);
        }
    } else if is_known_path(key) {
        return Err(Miss::NotElement);
    }
    Err(Miss::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_sorted_and_unique() {
        for pair in RULES.windows(2) {
            if let [a, b] = pair {
                assert!(a.name < b.name, "{} before {}", a.name, b.name);
            }
        }
        assert_eq!(RULES.len(), 50);
        assert!(RULES.iter().all(|r| r.name.len() + 22 <= MAX_ELEMENT_LEN));
    }

    #[test]
    fn every_rule_resolves_with_indices() {
        for r in RULES {
            let concrete = r.name.replacen(".n.", ".7.", 1).replacen(".n.", ".3.", 1);
            let t = lookup(&concrete).unwrap_or_else(|m| panic!("{concrete}: {m:?}"));
            assert_eq!(t.rule.name, r.name);
            let depth = r.name.matches(".n.").count();
            assert_eq!(t.depth, depth);
            assert_eq!(&t.index[..depth], &[7, 3][..depth]);
        }
    }

    #[test]
    fn misses() {
        let cases = [
            ("xyz.score.result", Miss::Unknown),
            ("cmi.core.foo", Miss::Unknown),
            ("cmi.objectives.01.id", Miss::BadIndex),
            ("cmi.objectives.99999999999.id", Miss::BadIndex),
            ("cmi.core", Miss::NotElement),
            ("cmi.interactions.0", Miss::NotElement),
            ("cmi.core.student_id._children", Miss::NoChildren),
            ("cmi.interactions.0.objectives._children", Miss::NoChildren),
            ("cmi.core._count", Miss::NotArray),
            ("cmi.objectives.0.score._count", Miss::NotArray),
            ("cmi.x._count", Miss::Unknown),
            ("cmi.interactions.1.objectives.2.id.3", Miss::Unknown),
            ("", Miss::Unknown),
            ("..", Miss::Unknown),
            ("cmi.objectives.n.id", Miss::Unknown),
            ("cmi.interactions.0.objectives.n.id", Miss::Unknown),
        ];
        for (e, m) in cases {
            assert_eq!(lookup(e), Err(m), "{e}");
        }
    }
}
