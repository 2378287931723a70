//! A very small JSON writer and reader for the fixed shapes of the commit
//! queue: the stored queue value, the request body, the server's answers and
//! the resume state (RFC 8259). It exists so the engine does not carry
//! `serde_json` into the wasm module.
//!
//! The reader builds a [`Value`] tree with a nesting limit, so no input can
//! exhaust the stack; every failure is an `Err` with a short reason.

/// A parsed JSON value. Numbers keep their source text, so integers up to
/// `u64::MAX` convert without loss.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Value>),
    /// An object, members in source order.
    Obj(Vec<(String, Value)>),
}

/// How deeply arrays and objects may nest in parsed input.
pub const MAX_DEPTH: usize = 32;

impl Value {
    /// The member `key` of an object (the first one when repeated).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The value as a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The value as a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Num(n) => n.parse().ok(),
            _ => None,
        }
    }
    /// The value as a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The items of an array.
    pub fn as_arr(&self) -> Option<&[Value]> {
        match self {
            Value::Arr(a) => Some(a),
            _ => None,
        }
    }
    /// The members of an object.
    pub fn as_obj(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Obj(m) => Some(m),
            _ => None,
        }
    }
}

/// Append `s` to `out` as a JSON string literal. Non-ASCII characters are
/// written as UTF-8; quotes, backslashes and control characters are escaped.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Append `"key":` to `out`, preceded by a comma unless `first`.
pub fn write_key(out: &mut String, key: &str, first: bool) {
    if !first {
        out.push(',');
    }
    write_str(out, key);
    out.push(':');
}

/// Parse a complete JSON text.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser { s: text.as_bytes(), i: 0, text };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(at("unexpected data", p.i));
    }
    Ok(v)
}

/// The RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
/// A parse error message: `<what> at byte <i>`.
#[inline(never)]
fn at(what: &str, i: usize) -> String {
    format!("{what} at byte {i}")
}

fn is_number(b: &[u8]) -> bool {
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if b.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            Ok(())
        } else {
            let mut what = String::from("expected '");
            what.push(b as char);
            what.push('\'');
            Err(at(&what, self.i))
        }
    }

    fn lit(&mut self, word: &str, v: Value) -> Result<Value, String> {
        if self.s.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(at("bad literal", self.i))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("nesting too deep".into());
        }
        self.ws();
        match self.s.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut m = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Obj(m));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.eat(b':')?;
                    let v = self.value(depth + 1)?;
                    m.push((k, v));
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Obj(m));
                        }
                        _ => return Err(at("expected ',' or '}'", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::Arr(a));
                }
                loop {
                    a.push(self.value(depth + 1)?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Arr(a));
                        }
                        _ => return Err(at("expected ',' or ']'", self.i)),
                    }
                }
            }
            Some(b'"') => self.string().map(Value::Str),
            Some(b't') => self.lit("true", Value::Bool(true)),
            Some(b'f') => self.lit("false", Value::Bool(false)),
            Some(b'n') => self.lit("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.s.get(self.i) {
                    self.i += 1;
                }
                // Only ASCII bytes were consumed, so both ends are char boundaries.
                let n = self.text.get(start..self.i).unwrap_or("");
                if !is_number(n.as_bytes()) {
                    return Err(at("bad number", start));
                }
                Ok(Value::Num(n.to_owned()))
            }
            _ => Err(at("unexpected input", self.i)),
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
        let h = std::str::from_utf8(h).map_err(|_| "bad \\u escape")?;
        let v = u32::from_str_radix(h, 16).map_err(|_| "bad \\u escape")?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        if self.s.get(self.i) != Some(&b'"') {
            return Err(at("expected string", self.i));
        }
        self.i += 1;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go; '"' and '\\' are
            // ASCII, so the run ends on a char boundary.
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(self.text.get(start..self.i).ok_or("bad UTF-8")?);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let e = *self.s.get(self.i).ok_or("unterminated escape")?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut c = self.hex4()?;
                            if (0xD800..0xDC00).contains(&c)
                                && self.s.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save;
                                }
                            }
                            // A lone surrogate cannot be held by a Rust string.
                            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(at("bad escape", self.i - 1)),
                    }
                }
                _ => return Err("unterminated string".into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> String {
        let mut o = String::new();
        write_str(&mut o, s);
        o
    }

    #[test]
    fn strings_round_trip() {
        for s in ["", "plain", "q\"b\\s/", "\n\r\t\u{0}\u{1f}", "é漢字🎉", "\u{2028}x\u{2029}", "\u{7f}\u{ffff}"] {
            let w = lit(s);
            assert_eq!(parse(&w), Ok(Value::Str(s.to_string())), "{w}");
            // serde_json reads our output the same way.
            assert_eq!(serde_json::from_str::<String>(&w).ok().as_deref(), Some(s));
        }
    }

    #[test]
    fn reads_escapes_and_surrogates() {
        assert_eq!(parse(r#""\u00e9\ud83c\udf89\/""#), Ok(Value::Str("é🎉/".into())));
        assert_eq!(parse(r#""\ud800x""#), Ok(Value::Str("\u{FFFD}x".into())));
        assert_eq!(parse(r#""\ud800\u0041""#), Ok(Value::Str("\u{FFFD}A".into())));
    }

    #[test]
    fn reads_structures() {
        let v = parse(r#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}, "n": 18446744073709551615} "#)
            .expect("parses");
        assert_eq!(v.get("a").and_then(|a| a.as_arr()).map(|a| a.len()), Some(5));
        assert_eq!(v.get("b").and_then(|b| b.get("c")).and_then(Value::as_str), Some("d"));
        assert_eq!(v.get("n").and_then(Value::as_u64), Some(u64::MAX));
        assert_eq!(parse("[]"), Ok(Value::Arr(vec![])));
        for n in ["0", "-0", "12", "1.5", "-1.25e-3", "1E+9", "0.0e0"] {
            assert_eq!(parse(n), Ok(Value::Num(n.to_string())), "{n}");
        }
        assert_eq!(parse("{}"), Ok(Value::Obj(vec![])));
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        let deep = "[".repeat(10_000);
        for bad in [
            "", "{", "[1,]", "{\"a\"}", "\"abc", "\"\\x\"", "\"\\u12\"", "tru", "1 2", "-", "[1 2]",
            "{\"a\":1,}", "\"\u{1}\"", "\"\\", &deep, "\"\\u", "nul", "{1:2}", "01", "1.", ".5", "1e", "--1", "1e+", "1.e5", "+1", "0x1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
    }
}
