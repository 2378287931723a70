//! The SCORM 1.2 data types (RTE §3.4.5 "Data Types and Vocabulary"):
//! validators for every type, and the `CMITimespan` arithmetic the LMS needs
//! to add `cmi.core.session_time` to `cmi.core.total_time`.
//!
//! Every function here takes untrusted strings and never panics: no byte
//! slicing at offsets that could split a character, no indexing.

/// `CMIVocabulary` (Credit).
pub const CREDIT: &[&str] = &["credit", "no-credit"];
/// `CMIVocabulary` (Status), as the LMS may hold it. The SCO may not set
/// "not attempted" on `cmi.core.lesson_status` (see [`DataType::LessonStatus`]).
pub const STATUS: &[&str] = &["passed", "completed", "failed", "incomplete", "browsed", "not attempted"];
/// `CMIVocabulary` (Entry).
pub const ENTRY: &[&str] = &["ab-initio", "resume", ""];
/// `CMIVocabulary` (Mode).
pub const MODE: &[&str] = &["normal", "review", "browse"];
/// `CMIVocabulary` (Exit).
pub const EXIT: &[&str] = &["time-out", "suspend", "logout", ""];
/// `CMIVocabulary` (Time Limit Action).
pub const TIME_LIMIT_ACTION: &[&str] = &["exit,message", "exit,no message", "continue,message", "continue,no message"];
/// `CMIVocabulary` (Interaction).
pub const INTERACTION: &[&str] =
    &["true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"];
/// `CMIVocabulary` (Result); `cmi.interactions.n.result` also takes a `CMIDecimal`.
pub const RESULT: &[&str] = &["correct", "wrong", "unanticipated", "neutral"];

/// The arrays of the SCORM 1.2 data model. An element under an array names
/// the array its innermost index counts in (the outer index of the two nested
/// arrays always counts in [`Array::Interactions`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Array {
    /// Not under an array.
    None,
    /// `cmi.objectives.n`
    Objectives,
    /// `cmi.interactions.n`
    Interactions,
    /// `cmi.interactions.n.objectives.n`
    InteractionObjectives,
    /// `cmi.interactions.n.correct_responses.n`
    CorrectResponses,
}

/// The type of one data model element: what `LMSSetValue` accepts, or what a
/// keyword returns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DataType {
    /// `CMIString255`: at most 255 characters.
    String255,
    /// `CMIString4096`: at most 4096 characters.
    String4096,
    /// `cmi.suspend_data`: `CMIString4096`, with the limit of the launch
    /// (`Launch::suspend_data_limit`) in place of 4096.
    SuspendData,
    /// `CMIIdentifier`: 1 to 255 characters, no white space, no control characters.
    Identifier,
    /// `CMIDecimal` within `min..=max`.
    Decimal {
        /// Lowest accepted value.
        min: f64,
        /// Highest accepted value.
        max: f64,
    },
    /// `CMIDecimal` or `CMIBlank`; scores are "a normalized value between 0 and 100".
    Score,
    /// `CMISInteger` within `min..=max`.
    SInteger {
        /// Lowest accepted value.
        min: i32,
        /// Highest accepted value.
        max: i32,
    },
    /// `CMITime`: `HH:MM:SS[.S[S]]` on a 24 hour clock.
    Time,
    /// `CMITimespan`: `HHHH:MM:SS[.S[S]]`, 2 to 4 digits of hours.
    Timespan,
    /// `CMIVocabulary` with the given values.
    Vocabulary(&'static [&'static str]),
    /// `cmi.core.lesson_status`: `CMIVocabulary` (Status) without "not attempted",
    /// which only the LMS may set.
    LessonStatus,
    /// `CMIFeedback`: its format depends on `cmi.interactions.n.type`.
    Feedback,
    /// `cmi.interactions.n.result`: `CMIVocabulary` (Result) or `CMIDecimal`.
    InteractionResult,
    /// A `_children` keyword and the list it returns.
    Children(&'static str),
    /// A `_count` keyword (`CMIInteger`).
    Count,
    /// The `_version` keyword.
    Version,
}

impl DataType {
    /// True for the keywords `_children`, `_count` and `_version`.
    pub fn is_keyword(self) -> bool {
        matches!(self, DataType::Children(_) | DataType::Count | DataType::Version)
    }
}

/// What a value check needs besides the value.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Longest accepted `cmi.suspend_data`, in characters.
    pub suspend_data_limit: usize,
    /// `cmi.interactions.n.type` of the interaction, for `CMIFeedback`; `None`
    /// when not set (or not known), and then any `CMIString255` is accepted.
    pub interaction_type: Option<&'a str>,
    /// Checking a stored value rather than a SCO's `LMSSetValue`: values only
    /// the LMS may write ("not attempted") are accepted.
    pub stored: bool,
}

/// Check `value` against `ty`: `Err` carries the reason (for error 405's
/// diagnostic).
pub fn check(ty: DataType, value: &str, cx: &Context) -> Result<(), &'static str> {
    let ok = match ty {
        DataType::String255 => return max_chars(value, 255),
        DataType::String4096 => return max_chars(value, 4096),
        DataType::SuspendData => {
            return if value.chars().count() <= cx.suspend_data_limit {
                Ok(())
            } else {
                Err("cmi.suspend_data is longer than this run-time accepts")
            }
        }
        DataType::Identifier => {
            return if is_identifier(value) {
                Ok(())
            } else {
                Err("a CMIIdentifier has 1 to 255 characters and no white space")
            }
        }
        DataType::Decimal { min, max } => {
            return match decimal(value) {
                Some(v) if v >= min && v <= max => Ok(()),
                Some(_) => Err("the number is out of range"),
                None => Err("a CMIDecimal is a number such as 85 or -3.25"),
            }
        }
        DataType::Score => {
            return match decimal(value) {
                _ if value.is_empty() => Ok(()),
                Some(v) if (0.0..=100.0).contains(&v) => Ok(()),
                Some(_) => Err("a score is a number from 0 to 100"),
                None => Err("a score is a CMIDecimal from 0 to 100, or blank"),
            }
        }
        DataType::SInteger { min, max } => {
            return match sinteger(value) {
                Some(v) if v >= i64::from(min) && v <= i64::from(max) => Ok(()),
                Some(_) => Err("the integer is out of range"),
                None => Err("a CMISInteger is an integer such as -1 or 50"),
            }
        }
        DataType::Time => parse_time(value).is_some(),
        DataType::Timespan => parse_timespan(value).is_some(),
        DataType::Vocabulary(words) => words.contains(&value),
        DataType::LessonStatus => STATUS.contains(&value) && (cx.stored || value != "not attempted"),
        DataType::Feedback => return feedback(cx.interaction_type, value),
        DataType::InteractionResult => RESULT.contains(&value) || decimal(value).is_some(),
        DataType::Children(_) | DataType::Count | DataType::Version => false,
    };
    if ok {
        Ok(())
    } else {
        Err(match ty {
            DataType::Time => "a CMITime is HH:MM:SS or HH:MM:SS.SS on a 24 hour clock",
            DataType::Timespan => "a CMITimespan is HHHH:MM:SS.SS (2 to 4 digits of hours)",
            DataType::LessonStatus if value == "not attempted" => "only the LMS sets \"not attempted\"",
            _ => "the value is not in the element's vocabulary",
        })
    }
}

fn max_chars(value: &str, n: usize) -> Result<(), &'static str> {
    if value.len() <= n || value.chars().count() <= n {
        Ok(())
    } else if n == 255 {
        Err("a CMIString255 has at most 255 characters")
    } else {
        Err("a CMIString4096 has at most 4096 characters")
    }
}

/// `CMIIdentifier`: 1 to 255 characters, none of them white space or control
/// characters.
pub fn is_identifier(v: &str) -> bool {
    !v.is_empty()
        && v.chars().count() <= 255
        && v.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Parse a `CMIDecimal`: an optional `-`, digits, and optionally a `.` and
/// more digits (`85`, `-3.25`, `.5`). No exponent, no `+`.
pub fn decimal(v: &str) -> Option<f64> {
    let body = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let ok = all_digits(int)
        && frac.map_or(true, |f| !f.is_empty() && all_digits(f))
        && (!int.is_empty() || frac.is_some());
    if !ok || v.len() > 64 {
        return None;
    }
    crate::engine::num::parse_decimal(v, false).filter(|x| x.is_finite())
}

/// Parse a `CMISInteger`: an optional `-` and digits.
pub fn sinteger(v: &str) -> Option<i64> {
    let body = v.strip_prefix('-').unwrap_or(v);
    if body.is_empty() || body.len() > 10 || !all_digits(body) {
        return None;
    }
    let n = i64::try_from(crate::engine::num::parse_digits(body)?).ok()?;
    Some(if body.len() < v.len() { -n } else { n })
}

/// Two ASCII digits as a number no greater than `max`.
fn two_digits(s: &str, max: u64) -> Option<u64> {
    if s.len() != 2 || !all_digits(s) {
        return None;
    }
    crate::engine::num::parse_digits(s).filter(|n| *n <= max)
}

/// Seconds with an optional one or two digit fraction, in hundredths.
fn seconds(s: &str) -> Option<u64> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let secs = two_digits(whole, 59)?;
    let hundredths = match frac {
        None => 0,
        Some(f) if (1..=2).contains(&f.len()) && all_digits(f) => {
            let n = crate::engine::num::parse_digits(f)?;
            if f.len() == 1 {
                n * 10
            } else {
                n
            }
        }
        Some(_) => return None,
    };
    Some(secs * 100 + hundredths)
}

/// Split `H:M:S` into exactly three parts.
fn three(v: &str) -> Option<(&str, &str, &str)> {
    let mut it = v.split(':');
    let parts = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    Some(parts)
}

/// Parse a `CMITime` (`HH:MM:SS`, optionally `.S` or `.SS`, hours 00 to 23)
/// into hundredths of a second since midnight.
pub fn parse_time(v: &str) -> Option<u64> {
    let (h, m, s) = three(v)?;
    Some(two_digits(h, 23)? * 360_000 + two_digits(m, 59)? * 6_000 + seconds(s)?)
}

/// Parse a `CMITimespan` (`HHHH:MM:SS.SS`: 2 to 4 digits of hours, 2 of
/// minutes, 2 of seconds with an optional 1 or 2 digit fraction) into
/// hundredths of a second. Minutes and seconds above 59 are refused.
pub fn parse_timespan(v: &str) -> Option<u64> {
    let (h, m, s) = three(v)?;
    if !(2..=4).contains(&h.len()) || !all_digits(h) {
        return None;
    }
    let hours = crate::engine::num::parse_digits(h)?;
    Some(hours * 360_000 + two_digits(m, 59)? * 6_000 + seconds(s)?)
}

/// The longest `CMITimespan`, 9999:59:59.99, in hundredths of a second.
pub const MAX_TIMESPAN: u64 = 9_999 * 360_000 + 59 * 6_000 + 5_999;

/// Format hundredths of a second as a `CMITimespan` (`HHHH:MM:SS.SS`).
/// `CMITimespan` has at most 4 digits of hours, so longer spans are held at
/// 9999:59:59.99.
pub fn format_timespan(hundredths: u64) -> String {
    use crate::engine::num::push_u64_padded as push;
    let t = hundredths.min(MAX_TIMESPAN);
    let mut out = String::with_capacity(13);
    push(&mut out, t / 360_000, 4);
    out.push(':');
    push(&mut out, t / 6_000 % 60, 2);
    out.push(':');
    push(&mut out, t / 100 % 60, 2);
    out.push('.');
    push(&mut out, t % 100, 2);
    out
}

/// Add two `CMITimespan` values, saturating at 9999:59:59.99.
/// `None` when either is not a `CMITimespan`.
pub fn add_timespans(a: &str, b: &str) -> Option<String> {
    Some(format_timespan(parse_timespan(a)?.saturating_add(parse_timespan(b)?)))
}

/// A single response character of `CMIFeedback`: a digit or a letter.
fn response_char(s: &str) -> bool {
    let mut c = s.chars();
    matches!((c.next(), c.next()), (Some(ch), None) if ch.is_ascii_alphanumeric())
}

/// A comma-separated list of items, each accepted by `item`; with `braces`,
/// the whole list may be wrapped in `{}` (an order-free set of responses).
fn list(v: &str, braces: bool, item: fn(&str) -> bool) -> bool {
    let inner = match v.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) if braces => inner,
        Some(_) => return false,
        None => v,
    };
    !inner.is_empty() && inner.split(',').all(item)
}

fn matching_pair(s: &str) -> bool {
    matches!(s.split_once('.'), Some((a, b)) if response_char(a) && response_char(b))
}

/// `CMIFeedback` for an interaction of type `kind` (RTE §3.4.4,
/// `cmi.interactions.n.student_response` and `correct_responses.n.pattern`).
/// Without a type, any `CMIString255`.
pub fn feedback(kind: Option<&str>, v: &str) -> Result<(), &'static str> {
    let (ok, why) = match kind {
        Some("true-false") => (
            matches!(v, "0" | "1" | "t" | "f" | "true" | "false"),
            "a true-false response is 0, 1, t or f",
        ),
        Some("choice") => (
            list(v, true, response_char),
            "a choice response is single characters (0-9, a-z) separated by commas",
        ),
        Some("sequencing") => (
            list(v, false, response_char),
            "a sequencing response is single characters (0-9, a-z) separated by commas",
        ),
        Some("matching") => (
            list(v, true, matching_pair),
            "a matching response is source.target pairs of single characters separated by commas",
        ),
        Some("likert") => (v.is_empty() || response_char(v), "a likert response is one character (0-9, a-z) or blank"),
        Some("numeric") => (decimal(v).is_some(), "a numeric response is a CMIDecimal"),
        _ => return max_chars(v, 255),
    };
    if ok {
        Ok(())
    } else {
        Err(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_parse_format_and_saturate() {
        let cases: &[(&str, Option<u64>)] = &[
            ("00:00:00", Some(0)),
            ("01:02:03", Some(372_300)),
            ("1234:44:30", Some(1234 * 360_000 + 44 * 6_000 + 3_000)),
            ("00:00:01.5", Some(150)),
            ("00:00:01.05", Some(105)),
            ("9999:59:59.99", Some(MAX_TIMESPAN)),
            ("0:00:00", None),
            ("10000:00:00", None),
            ("00:60:00", None),
            ("00:00:60", None),
            ("00:00:01.", None),
            ("00:00:01.123", None),
            ("00:00", None),
            ("00:00:00:00", None),
            ("-1:00:00", None),
            ("٠٠:00:00", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_timespan(s), *want, "{s}");
        }
        assert_eq!(format_timespan(0), "0000:00:00.00");
        assert_eq!(format_timespan(372_305), "0001:02:03.05");
        assert_eq!(add_timespans("9999:00:00", "01:00:00").as_deref(), Some("9999:59:59.99"));
        assert_eq!(add_timespans("00:59:59.99", "00:00:00.01").as_deref(), Some("0001:00:00.00"));
    }

    #[test]
    fn decimals_and_integers() {
        for ok in ["0", "85", "-3.25", ".5", "100.00", "007"] {
            assert!(decimal(ok).is_some(), "{ok}");
        }
        for bad in ["", "-", ".", "5.", "1e5", "+1", "1.2.3", " 1", "NaN", "inf", "1,5"] {
            assert!(decimal(bad).is_none(), "{bad}");
        }
        assert_eq!(sinteger("-32768"), Some(-32768));
        assert_eq!(sinteger("1.0"), None);
        assert_eq!(sinteger("99999999999"), None);
    }
}
