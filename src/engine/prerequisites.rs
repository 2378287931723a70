//! SCORM 1.2 `adlcp:prerequisites` (CAM 1.2 §2.3.2, type `aicc_script`,
//! the AICC CMI001 prerequisite syntax): when an item may be entered,
//! written as an expression over other items of the organization.
//!
//! ```text
//! expr    := and { "|" and }
//! and     := unary { "&" unary }
//! unary   := ("~" | "!") unary | primary
//! primary := "(" expr ")" | COUNT "*" "{" expr { "," expr } "}" | IDENT [ ("=" | "<>") STATUS ]
//! ```
//!
//! * `IDENT` alone is true when that item is "passed" or "completed";
//!   `~IDENT` is its negation (so `~A` is `A<>passed & A<>completed`).
//! * `IDENT=STATUS` / `IDENT<>STATUS` compare the item's status with one of
//!   "passed", "completed", "failed", "incomplete", "browsed",
//!   "not attempted", or their AICC initials P, C, F, I, B, N (any case,
//!   optionally in double quotes).
//! * `n*{a,b,c}` is true when at least `n` members of the set are true.
//! * `&` binds tighter than `|`, as in the AICC examples and in LMSs that
//!   translate the script to a programming language's operators. `!` is
//!   read as `~` (some packages write it).
//!
//! An item that is a cluster has the status its launchable items roll up
//! to ([`crate::engine::course12`]). [`parse`] refuses malformed scripts
//! with a message; the manifest reader then ignores the prerequisites with
//! a warning, so a broken script never locks a learner out.

/// A status comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
}

/// A parsed prerequisites expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// The item is passed or completed.
    Done(String),
    /// The item's status compared with a status value.
    Status(String, Cmp, &'static str),
    /// Negation.
    Not(Box<Expr>),
    /// Conjunction.
    And(Vec<Expr>),
    /// Disjunction.
    Or(Vec<Expr>),
    /// At least `n` of the members are true.
    AtLeast(u32, Vec<Expr>),
}

/// The SCORM 1.2 `cmi.core.lesson_status` vocabulary with the AICC initials.
const STATUSES: &[(&str, &str)] = &[
    ("b", "browsed"),
    ("browsed", "browsed"),
    ("c", "completed"),
    ("completed", "completed"),
    ("f", "failed"),
    ("failed", "failed"),
    ("i", "incomplete"),
    ("incomplete", "incomplete"),
    ("n", "not attempted"),
    ("not attempted", "not attempted"),
    ("p", "passed"),
    ("passed", "passed"),
];

/// Scripts longer than this are refused (a manifest is not a program).
const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses, sets and negations.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Op(&'static str),
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let op = match c {
            c if c.is_whitespace() => continue,
            '&' => "&",
            '|' => "|",
            '~' | '!' => "~",
            '(' => "(",
            ')' => ")",
            '{' => "{",
            '}' => "}",
            ',' => ",",
            '*' => "*",
            '=' => "=",
            '<' => {
                if chars.peek().map(|p| p.1) != Some('>') {
                    return Err(format!("`<` at character {} must be followed by `>`", at + 1));
                }
                chars.next();
                "<>"
            }
            '"' => {
                // A quoted status value ("not attempted").
                let mut word = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, ch)) => word.push(ch),
                        None => return Err("a quoted value is not closed".into()),
                    }
                }
                out.push(Tok::Ident(word));
                continue;
            }
            _ => {
                let mut word = String::from(c);
                while let Some(&(_, n)) = chars.peek() {
                    // (`matches!`, not `str::contains`: see `find_delim` in scorm2004::types.)
                    if n.is_whitespace() || matches!(n, '&' | '|' | '~' | '!' | '(' | ')' | '{' | '}' | ',' | '*' | '=' | '<' | '"') {
                        break;
                    }
                    word.push(n);
                    chars.next();
                }
                out.push(Tok::Ident(word));
                continue;
            }
        };
        out.push(Tok::Op(op));
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(format!("`{op}` expected {}", self.where_()))
        }
    }

    fn where_(&self) -> String {
        match self.peek() {
            None => "at the end".into(),
            Some(Tok::Op(o)) => format!("before `{o}`"),
            Some(Tok::Ident(w)) => format!("before `{w}`"),
        }
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.and()?];
        while self.eat("|") {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::Or(terms) })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.unary()?];
        while self.eat("&") {
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::And(terms) })
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("~") {
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        if self.eat("(") {
            self.deeper()?;
            let e = self.expr()?;
            self.expect(")")?;
            self.depth -= 1;
            return Ok(e);
        }
        let word = match self.peek() {
            Some(Tok::Ident(w)) => w.clone(),
            _ => return Err(format!("an item identifier expected {}", self.where_())),
        };
        self.at += 1;
        if self.eat("*") {
            let n: u32 = word.parse().map_err(|_| format!("`{word}*` must be a count such as `2*{{…}}`"))?;
            self.expect("{")?;
            self.deeper()?;
            let mut members = vec![self.expr()?];
            while self.eat(",") {
                members.push(self.expr()?);
            }
            self.expect("}")?;
            self.depth -= 1;
            return Ok(Expr::AtLeast(n, members));
        }
        let cmp = if self.eat("=") {
            Cmp::Eq
        } else if self.eat("<>") {
            Cmp::Ne
        } else {
            return Ok(Expr::Done(word));
        };
        let value = match self.peek() {
            Some(Tok::Ident(w)) => w.to_ascii_lowercase(),
            _ => return Err(format!("a status expected after `{word}` {}", self.where_())),
        };
        // "not attempted" may arrive as two words when unquoted.
        let mut value = value;
        if value == "not" && matches!(self.toks.get(self.at + 1), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("attempted")) {
            self.at += 1;
            value = "not attempted".into();
        }
        self.at += 1;
        let status = STATUSES
            .iter()
            .find(|(k, _)| *k == value)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("`{value}` is not a status (passed, completed, failed, incomplete, browsed, not attempted)"))?;
        Ok(Expr::Status(word, cmp, status))
    }
}

/// Parse a prerequisites script.
pub fn parse(script: &str) -> Result<Expr, String> {
    if script.len() > MAX_LEN {
        return Err(format!("longer than {MAX_LEN} characters"));
    }
    let toks = tokens(script)?;
    if toks.is_empty() {
        return Err("empty".into());
    }
    let mut p = Parser { toks, at: 0, depth: 0 };
    let e = p.expr()?;
    if p.at < p.toks.len() {
        return Err(format!("unexpected text {}", p.where_()));
    }
    Ok(e)
}

impl Expr {
    /// Every item identifier the expression names, in order of appearance.
    pub fn identifiers(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Done(id) | Expr::Status(id, _, _) => out.push(id.as_str()),
                Expr::Not(inner) => stack.push(inner),
                Expr::And(v) | Expr::Or(v) | Expr::AtLeast(_, v) => stack.extend(v.iter().rev()),
            }
        }
        out
    }

    /// Evaluate with `status(id)`, the item's SCORM 1.2 lesson status
    /// ("not attempted" for an item never launched).
    pub fn eval(&self, status: &dyn Fn(&str) -> String) -> bool {
        match self {
            Expr::Done(id) => matches!(status(id).as_str(), "passed" | "completed"),
            Expr::Status(id, Cmp::Eq, s) => status(id) == *s,
            Expr::Status(id, Cmp::Ne, s) => status(id) != *s,
            Expr::Not(inner) => !inner.eval(status),
            Expr::And(v) => v.iter().all(|e| e.eval(status)),
            Expr::Or(v) => v.iter().any(|e| e.eval(status)),
            Expr::AtLeast(n, v) => v.iter().filter(|e| e.eval(status)).count() >= *n as usize,
        }
    }

    /// What the learner still has to do for the expression to hold, in
    /// words ("complete “A”, “B” and one of “C” or “D”"), with `title(id)`
    /// naming an item; `None` when it holds.
    pub fn needs(&self, status: &dyn Fn(&str) -> String, title: &dyn Fn(&str) -> String) -> Option<String> {
        if self.eval(status) {
            return None;
        }
        let q = |id: &str| format!("“{}”", title(id));
        Some(match self {
            Expr::Done(id) | Expr::Status(id, Cmp::Eq, "completed") => format!("complete {}", q(id)),
            Expr::Status(id, Cmp::Eq, "passed") => format!("pass {}", q(id)),
            Expr::Status(id, Cmp::Eq, s) => format!("{} must be {s}", q(id)),
            Expr::Status(id, Cmp::Ne, s) => format!("{} must not be {s}", q(id)),
            Expr::Not(inner) => match &**inner {
                Expr::Done(id) => format!("{} must not be completed", q(id)),
                _ => "the prerequisites must be met".to_string(),
            },
            Expr::And(v) => {
                let parts: Vec<String> = v.iter().filter_map(|e| e.needs(status, title)).collect();
                verb_once(parts, " and ")
            }
            Expr::Or(v) => {
                let parts: Vec<String> = v.iter().filter_map(|e| e.needs(status, title)).collect();
                format!("either {}", verb_once(parts, " or "))
            }
            Expr::AtLeast(n, v) => {
                let ids: Option<Vec<String>> =
                    v.iter().map(|e| if let Expr::Done(id) = e { Some(q(id)) } else { None }).collect();
                match ids {
                    Some(ids) if *n == 1 => format!("complete one of {}", join(&ids, " or ")),
                    Some(ids) => format!("complete {n} of {}", join(&ids, " and ")),
                    None => format!("meet {n} of the conditions of the prerequisites"),
                }
            }
        })
    }
}

/// `a, b and c` (`last` is " and " or " or ").
fn join(parts: &[String], last: &str) -> String {
    match parts.split_last() {
        None => String::new(),
        Some((only, [])) => only.clone(),
        Some((l, rest)) => format!("{}{last}{l}", rest.join(", ")),
    }
}

/// [`join`], saying the verb "complete" once when every part starts with it.
fn verb_once(parts: Vec<String>, last: &str) -> String {
    const VERB: &str = "complete ";
    if parts.len() > 1 && parts.iter().all(|p| p.starts_with(VERB)) {
        let bare: Vec<String> = parts.iter().map(|p| p.get(VERB.len()..).unwrap_or("").to_string()).collect();
        format!("{VERB}{}", join(&bare, last))
    } else {
        join(&parts, last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table_is_sorted() {
        let keys: Vec<&str> = STATUSES.iter().map(|(k, _)| *k).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
    }
}
