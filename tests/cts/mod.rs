//! Test-only reader of the ADL SCORM 2004 4th Ed. test-suite data in
//! `tests/conformance/scorm2004-cts/` (see its README.md): Java
//! `.properties` files, the case format (`Act<N>V<K>` blocks of encoded API
//! calls), the abbreviations of `Commands.properties`, and a minimal read of
//! each package manifest. Shared by the run-time and sequencing harnesses.
#![allow(dead_code)]

pub mod manifest;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The suite's directory.
pub fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/scorm2004-cts")
}

/// Read a Java `.properties` file (ISO 8859-1, `\` line continuations,
/// `#`/`!` comments, `\uXXXX` and `\t\n\r\f` escapes, other `\x` → `x`)
/// into (key, value) pairs in file order.
pub fn read_properties(path: &Path) -> Vec<(String, String)> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text: String = bytes.iter().map(|&b| b as char).collect();
    parse_properties(&text)
}

/// Parse `.properties` text; see [`read_properties`].
pub fn parse_properties(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut continuing = false;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start_matches([' ', '\t', '\u{c}']);
        if !continuing {
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
                continue;
            }
            logical.clear();
        }
        let trailing = trimmed.chars().rev().take_while(|&c| c == '\\').count();
        if trailing % 2 == 1 {
            logical.push_str(&trimmed[..trimmed.len() - 1]);
            continuing = true;
            continue;
        }
        logical.push_str(trimmed);
        continuing = false;
        out.push(split_entry(&logical));
    }
    if continuing {
        out.push(split_entry(&logical));
    }
    out
}

fn split_entry(line: &str) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut key_end = chars.len();
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '=' | ':' | ' ' | '\t' => {
                key_end = i;
                break;
            }
            _ => i += 1,
        }
    }
    let key: String = chars[..key_end.min(chars.len())].iter().collect();
    let mut j = key_end;
    while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
        j += 1;
    }
    if j < chars.len() && (chars[j] == '=' || chars[j] == ':') {
        j += 1;
    }
    while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
        j += 1;
    }
    let value: String = chars[j.min(chars.len())..].iter().collect();
    (unescape(&key), unescape(&value))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('u') => {
                let hex: String = (0..4).filter_map(|_| it.next()).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&hex),
                }
            }
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The abbreviations of `Commands.properties`.
pub struct Abbreviations(HashMap<String, String>);

impl Abbreviations {
    /// Load `Commands.properties`.
    pub fn load() -> Abbreviations {
        Abbreviations(read_properties(&suite_dir().join("Commands.properties")).into_iter().collect())
    }

    /// Expand one `~`-joined argument: tokens are looked up (unknown tokens
    /// stay literal) and joined with `.`; `tar` formats the next token into
    /// `{target=%s}`, which is not followed by a separator; `&id&` becomes
    /// a [`Part::IndexOf`] placeholder resolved at run time.
    pub fn expand(&self, arg: &str) -> Vec<Part> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut after_target = false;
        let mut first = true;
        let mut toks = arg.split('~');
        while let Some(tok) = toks.next() {
            if !first && !after_target {
                text.push('.');
            }
            first = false;
            after_target = false;
            if tok == "tar" {
                let fmt = self.0.get("tar").cloned().unwrap_or_else(|| "{target=%s}".into());
                text.push_str(&fmt.replace("%s", toks.next().unwrap_or("")));
                after_target = true;
            } else if tok.len() >= 2 && tok.starts_with('&') && tok.ends_with('&') {
                parts.push(Part::Text(std::mem::take(&mut text)));
                parts.push(Part::IndexOf(tok[1..tok.len() - 1].to_owned()));
            } else {
                text.push_str(self.0.get(tok).map(String::as_str).unwrap_or(tok));
            }
        }
        parts.push(Part::Text(text));
        parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
        parts
    }

    /// Expand an argument that has no run-time placeholders.
    pub fn expand_text(&self, arg: &str) -> String {
        self.expand(arg)
            .into_iter()
            .map(|p| match p {
                Part::Text(t) => t,
                Part::IndexOf(id) => format!("&{id}&"),
            })
            .collect()
    }
}

/// A piece of an expanded argument.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// The index `n` of the `adl.data.n` record whose id is this.
    IndexOf(String),
}

/// An API method of a command.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// `I`
    Initialize,
    /// `T`
    Terminate,
    /// `C`
    Commit,
    /// `GET`
    GetValue,
    /// `SET`
    SetValue,
    /// `GLE`
    GetLastError,
    /// `GES`
    GetErrorString,
    /// `GeDi`
    GetDiagnostic,
    /// `COI` (compare objective ids; sequencing cases)
    CompareObjIds,
    /// A line the decoder cannot read as a command.
    Malformed,
}

/// What a command's return value must be.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// Exactly this string (after expansion; `t`/`f` are "true"/"false").
    Value(String),
    /// `less255`: any string shorter than 255 characters.
    Less255,
    /// `emptyCS`: the empty string.
    Empty,
    /// "Returned a valid value or error code": either a value with error 0
    /// or an error.
    ValueOrError,
}

/// One encoded API call.
#[derive(Clone, Debug)]
pub struct Command {
    /// Position within its block.
    pub index: usize,
    /// The method.
    pub method: Method,
    /// The element or parameter, expanded (with placeholders).
    pub arg: Vec<Part>,
    /// For SET: the value, expanded.
    pub value: Vec<Part>,
    /// A hint after `!` in a GET argument (the interaction type).
    pub hint: Option<String>,
    /// The expected return.
    pub expected: Expected,
    /// The expected error code after the call.
    pub error: String,
    /// The line as written.
    pub raw: String,
}

/// One `Act<N>V<K>` block.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// The activity (`N`, e.g. "3" or "1a").
    pub activity: String,
    /// The visit number `K`.
    pub visit: u32,
    /// Commands in index order.
    pub commands: Vec<Command>,
    /// The next instruction to the person at the keyboard.
    pub cui: Option<String>,
    /// UI questions and expected answers (`~`-separated).
    pub uiq: Option<String>,
    /// Expected answers to `uiq`.
    pub uia: Option<String>,
}

/// One case file.
#[derive(Clone, Debug, Default)]
pub struct Case {
    /// The case (file) name, e.g. "DMI".
    pub name: String,
    /// Header keys (`title`, `TT`, `start`, `end`, …).
    pub header: HashMap<String, String>,
    /// Blocks in file order (the delivery order).
    pub blocks: Vec<Block>,
}

fn parse_block_key(key: &str) -> Option<(String, u32, String)> {
    let rest = key.strip_prefix("Act")?;
    let v = rest.find('V')?;
    let activity = rest[..v].to_owned();
    let after = &rest[v + 1..];
    let dot = after.find('.')?;
    let visit = after[..dot].parse().ok()?;
    Some((activity, visit, after[dot + 1..].to_owned()))
}

/// Decode one command line (`METHOD->arg->expected->error`).
pub fn decode_command(index: usize, line: &str, abbr: &Abbreviations) -> Command {
    let malformed = || Command {
        index,
        method: Method::Malformed,
        arg: vec![],
        value: vec![],
        hint: None,
        expected: Expected::Empty,
        error: String::new(),
        raw: line.to_owned(),
    };
    let Some((method, rest)) = line.split_once("->") else { return malformed() };
    let method = match method {
        "I" => Method::Initialize,
        "T" => Method::Terminate,
        "C" => Method::Commit,
        "GET" => Method::GetValue,
        "SET" => Method::SetValue,
        "GLE" => Method::GetLastError,
        "GES" => Method::GetErrorString,
        "GeDi" => Method::GetDiagnostic,
        "COI" => Method::CompareObjIds,
        _ => return malformed(),
    };
    if method == Method::CompareObjIds {
        return Command { method, arg: vec![Part::Text(rest.to_owned())], ..malformed() };
    }
    // The last two fields are the expected return and error; the argument
    // (which may itself contain "->") is everything before them.
    // Fields are split at every "->" as the suite's driver does: the
    // argument is the second field, the expected return and error code the
    // last two (one DDM value contains "->"; the driver drops what follows).
    let fields: Vec<&str> = rest.split("->").collect();
    if fields.len() < 3 {
        return malformed();
    }
    let (arg, expected, error) = (fields[0], fields[fields.len() - 2], fields[fields.len() - 1]);
    let (arg, value, hint) = match method {
        Method::SetValue => match arg.split_once('!') {
            Some((el, v)) => (el, Some(v), None),
            None => (arg, Some(""), None),
        },
        Method::GetValue => match arg.split_once('!') {
            Some((el, h)) => (el, None, Some(abbr.expand_text(h))),
            None => (arg, None, None),
        },
        _ => (arg, None, None),
    };
    let expected = match expected {
        "less255" => Expected::Less255,
        "emptyCS" => Expected::Empty,
        "Returned a valid value or error code" => Expected::ValueOrError,
        e => Expected::Value(abbr.expand_text(e)),
    };
    Command {
        index,
        method,
        arg: abbr.expand(arg),
        value: value.map(|v| abbr.expand(v)).unwrap_or_default(),
        hint,
        expected,
        error: error.to_owned(),
        raw: line.to_owned(),
    }
}

/// Load `cases/<name>.properties`.
pub fn load_case(name: &str, abbr: &Abbreviations) -> Case {
    let entries = read_properties(&suite_dir().join("cases").join(format!("{name}.properties")));
    let mut case = Case { name: name.to_owned(), ..Default::default() };
    for (key, value) in entries {
        let Some((activity, visit, field)) = parse_block_key(&key) else {
            case.header.insert(key, value);
            continue;
        };
        // A command index repeated within the block being read is one more
        // command, run in file order (CO-04b, MS-07); a block key seen again
        // after other blocks (a case that repeats a visit's number, e.g.
        // CM-09aa's second `Act1V1`) starts a new block.
        let has_field = |b: &Block| match field.strip_prefix("commands.") {
            Some(i) => b.commands.iter().any(|c| i.parse() == Ok(c.index)),
            None => match field.as_str() {
                "CUI" => b.cui.is_some(),
                "UIQ" => b.uiq.is_some(),
                "UIA" => b.uia.is_some(),
                _ => false,
            },
        };
        let last = case.blocks.len().checked_sub(1);
        let pos = match case.blocks.iter().rposition(|b| b.activity == activity && b.visit == visit) {
            Some(p) if Some(p) == last || !has_field(&case.blocks[p]) => p,
            _ => {
                case.blocks.push(Block { activity, visit, ..Default::default() });
                case.blocks.len() - 1
            }
        };
        let block = &mut case.blocks[pos];
        if let Some(i) = field.strip_prefix("commands.") {
            let i: usize = i.parse().unwrap_or(usize::MAX);
            block.commands.push(decode_command(i, &value, abbr));
        } else if field == "CUI" {
            block.cui = Some(value);
        } else if field == "UIQ" {
            block.uiq = Some(value);
        } else if field == "UIA" {
            block.uia = Some(value);
        }
    }
    for b in &mut case.blocks {
        b.commands.sort_by_key(|c| c.index);
    }
    case
}

/// The package directories of a case: `packages/<name>` or
/// `packages/<name><letter>` (DDM → DDMa, DDMb).
pub fn case_packages(name: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(suite_dir().join("packages"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|p| {
                    p == name
                        || p.strip_prefix(name).is_some_and(|s| s.len() == 1 && s.chars().all(|c| c.is_ascii_lowercase()))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_continuations_and_escapes() {
        let p = parse_properties("# c\na=b\\\n   c\nk\\u0041=\\u0057x\\y\n#x\\\nz=1\n");
        assert_eq!(p, vec![("a".into(), "bc".into()), ("kA".into(), "Wxy".into()), ("z".into(), "1".into())]);
    }
}
