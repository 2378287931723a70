//! Launch locations: `xml:base` resolution, the package-root safety check and
//! the CAM rules for an item's `parameters`; ISO 8601 durations.

/// Resolves `reference` against `base` as the CAM reads `xml:base`: a base is a
/// directory (a missing trailing `/` is supplied), and a reference with a
/// scheme, a `//host` or a leading `/` replaces the base.
pub(crate) fn resolve(base: &str, reference: &str) -> String {
    let r = reference.trim();
    if base.is_empty() || scheme_of(r).is_some() || r.starts_with('/') || r.starts_with('\\') {
        return r.to_string();
    }
    let mut out = String::with_capacity(base.len() + r.len() + 1);
    out.push_str(base.trim());
    if !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(r);
    out
}

/// The scheme of `s` (`http`, `javascript`, …) if it has one: RFC 3986
/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"` before any `/`, `?` or `#`.
fn scheme_of(s: &str) -> Option<&str> {
    let end = s.find([':', '/', '?', '#'])?;
    if s.get(end..end + 1) != Some(":") || end == 0 {
        return None;
    }
    let scheme = s.get(..end)?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        Some(scheme)
    } else {
        None
    }
}

/// Checks that a resolved launch location stays inside the package and
/// returns it with its dot segments removed. Browsers strip surrounding
/// control characters and spaces, drop tabs and newlines, read `\` as `/`
/// and `%2e` as `.`, so the check does the same before it decides.
pub(crate) fn check_in_package(href: &str) -> Result<String, String> {
    let cleaned: String = href
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    if cleaned.is_empty() {
        return Err("the launch location is empty".into());
    }
    if let Some(scheme) = scheme_of(&cleaned) {
        let s = scheme.to_ascii_lowercase();
        return Err(match s.as_str() {
            "javascript" | "data" | "vbscript" => format!("a `{s}:` URL may not be launched"),
            _ => format!("`{s}:` URL points outside the package"),
        });
    }
    if cleaned.starts_with("//") {
        return Err("a `//host` URL points to another origin".into());
    }
    if cleaned.starts_with('/') {
        return Err("an absolute path points outside the package".into());
    }
    let split = cleaned.find(['?', '#']).unwrap_or(cleaned.len());
    let (path, rest) = cleaned.split_at(split);
    let mut segs: Vec<&str> = Vec::new();
    let mut trailing_slash = false;
    for seg in path.split('/') {
        let lower = seg.to_ascii_lowercase().replace("%2e", ".");
        trailing_slash = false;
        match lower.as_str() {
            "." => trailing_slash = true,
            ".." => {
                if segs.pop().is_none() {
                    return Err("the launch location escapes the package root with `..`".into());
                }
                trailing_slash = true;
            }
            "" => trailing_slash = true,
            _ => segs.push(seg),
        }
    }
    let mut out = segs.join("/");
    if trailing_slash && !out.is_empty() {
        out.push('/');
    }
    if out.is_empty() {
        return Err("the launch location names no file in the package".into());
    }
    out.push_str(rest);
    check_relative(&out)?;
    Ok(out)
}

/// The final check of a launch location, after its dot segments are gone:
/// the text must still be a relative path when a browser parses it, or
/// `./javascript:…`, `a/../http:…` or `%2e/data:…` would come out as a
/// scheme URL. A browser strips leading spaces and control characters before
/// it looks for a scheme, so those are refused too, and so is any `:` in the
/// first segment (a file name no authoring tool can write: Windows forbids
/// it, and a browser could read it as a scheme).
fn check_relative(out: &str) -> Result<(), String> {
    if out.starts_with(|c: char| c <= ' ') {
        return Err("the launch location begins with a space or control character".into());
    }
    if let Some(scheme) = scheme_of(out) {
        return Err(format!("the launch location becomes a `{}:` URL", scheme.to_ascii_lowercase()));
    }
    let first = &out[..out.find(['/', '?', '#']).unwrap_or(out.len())];
    if first.contains(':') {
        return Err("the launch location's first segment contains `:` (it could be read as a URL scheme)".into());
    }
    if out.starts_with('/') {
        return Err("an absolute path points outside the package".into());
    }
    Ok(())
}

/// Applies an item's `parameters` to a launch location (SCORM CAM, the
/// `parameters` attribute of `<item>`):
/// 1. leading `?` or `&` characters of the parameters are ignored;
/// 2. parameters that begin with `#` are appended only when the location has
///    no fragment yet;
/// 3. otherwise they are joined to the query with `&` when the location already
///    has one, or start a query with `?` (placed before any fragment).
pub(crate) fn apply_parameters(href: &str, parameters: &str) -> String {
    let p = parameters.trim();
    if p.starts_with('#') {
        return if href.contains('#') { href.to_string() } else { format!("{href}{p}") };
    }
    let p = p.trim_start_matches(['?', '&']);
    if p.is_empty() {
        return href.to_string();
    }
    let (main, frag) = href.split_at(href.find('#').unwrap_or(href.len()));
    let sep = if main.contains('?') {
        if main.ends_with('?') || main.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    format!("{main}{sep}{p}{frag}")
}

/// Seconds per ISO 8601 designator. Years and months have no fixed length;
/// a year counts 365 days and a month 30 days.
const DESIGNATORS: &[(char, bool, f64)] = &[
    ('Y', false, 365.0 * 86400.0),
    ('M', false, 30.0 * 86400.0),
    ('W', false, 7.0 * 86400.0),
    ('D', false, 86400.0),
    ('H', true, 3600.0),
    ('M', true, 60.0),
    ('S', true, 1.0),
];

/// Parses an ISO 8601 duration (`P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]`) into
/// seconds. Each designator may appear once, in order.
pub(crate) fn parse_duration(s: &str) -> Option<f64> {
    let body = s.trim().strip_prefix('P')?;
    let mut total = 0.0;
    let mut in_time = false;
    let mut next = 0usize; // index into DESIGNATORS that may come next
    let mut num = String::new();
    let mut any = false;
    let mut time_any = false;
    for c in body.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            num.push(if c == ',' { '.' } else { c });
            continue;
        }
        if c == 'T' {
            if in_time || !num.is_empty() {
                return None;
            }
            in_time = true;
            next = next.max(4);
            continue;
        }
        let idx = DESIGNATORS.iter().enumerate().skip(next).find(|(_, (d, t, _))| *d == c && *t == in_time)?.0;
        if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
            return None;
        }
        let v: f64 = crate::engine::num::parse_decimal(&num, false)?;
        total += v * DESIGNATORS.get(idx)?.2;
        num.clear();
        next = idx + 1;
        any = true;
        time_any |= in_time;
    }
    if !num.is_empty() || !any || (in_time && !time_any) || !total.is_finite() {
        return None;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let cases: &[(&str, Option<f64>)] = &[
            ("PT1H", Some(3600.0)),
            ("PT1M30S", Some(90.0)),
            ("P1D", Some(86400.0)),
            ("P1DT0.5S", Some(86400.5)),
            ("P1Y", Some(31_536_000.0)),
            ("P1M", Some(2_592_000.0)),
            ("P5Y6M4DT12H30M58.55S", Some(5.0 * 31_536_000.0 + 6.0 * 2_592_000.0 + 4.0 * 86400.0 + 12.0 * 3600.0 + 30.0 * 60.0 + 58.55)),
            ("P", None),
            ("PT", None),
            ("1H", None),
            ("PT1H1H", None),
            ("PT1S1M", None),
            ("P1H", None),
            ("PT.5S", None),
            ("P1DT", None),
            ("PT5", None),
        ];
        for (s, want) in cases {
            let got = parse_duration(s);
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-6, "{s}: {g} != {w}"),
                (g, w) => assert_eq!(g, *w, "{s}"),
            }
        }
    }

    #[test]
    fn parameters() {
        let cases = [
            ("a.htm", "?x=1", "a.htm?x=1"),
            ("a.htm", "x=1", "a.htm?x=1"),
            ("a.htm", "&x=1", "a.htm?x=1"),
            ("a.htm?y=2", "?x=1", "a.htm?y=2&x=1"),
            ("a.htm?y=2", "&x=1", "a.htm?y=2&x=1"),
            ("a.htm", "#p3", "a.htm#p3"),
            ("a.htm#p1", "#p3", "a.htm#p1"),
            ("a.htm#p1", "?x=1", "a.htm?x=1#p1"),
            ("a.htm", "", "a.htm"),
            ("a.htm", "  ", "a.htm"),
            ("a.htm?", "x=1", "a.htm?x=1"),
        ];
        for (h, p, want) in cases {
            assert_eq!(apply_parameters(h, p), want, "{h} + {p}");
        }
    }

    #[test]
    fn package_root() {
        let ok = [
            ("a/b.htm", "a/b.htm"),
            ("./a/./b.htm", "a/b.htm"),
            ("a/../b.htm", "b.htm"),
            ("a/%2E%2e/b.htm?q=../..", "b.htm?q=../.."),
            ("a\\b.htm", "a/b.htm"),
            ("  a.htm\n", "a.htm"),
            ("dir/", "dir/"),
        ];
        for (h, want) in ok {
            assert_eq!(check_in_package(h).as_deref(), Ok(want), "{h}");
        }
        let bad = [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,hi",
            "http://evil.example/x.htm",
            "HTTPS://evil.example/",
            "//evil.example/x",
            "\\\\evil.example/x",
            "/etc/passwd",
            "../x.htm",
            "a/../../x.htm",
            "a/%2e%2e/%2E./x.htm",
            "",
            ".",
            "c:/x.htm",
            // Issue 12: a scheme that appears only once dot segments are removed.
            "./javascript:alert(document.domain)",
            "a/../javascript:alert(1)",
            "%2e/JavaScript:alert(1)",
            "%2E%2e/x/../javascript:alert(1)",
            ".\\javascript:alert(1)",
            "./http:evil/x",
            "./data:text/html,<script>alert(1)</script>",
            "a/./../vbscript:x",
            "./ javascript:alert(1)",
            "./\u{1}javascript:alert(1)",
            "x/..//javascript:alert(1)",
            "./1x:y",
            "./c:/x.htm",
        ];
        for h in bad {
            assert!(check_in_package(h).is_err(), "{h:?} should be rejected");
        }
    }

    #[test]
    fn bases() {
        assert_eq!(resolve("", "a.htm"), "a.htm");
        assert_eq!(resolve("res/", "a.htm"), "res/a.htm");
        assert_eq!(resolve("res", "a.htm"), "res/a.htm");
        assert_eq!(resolve("res/", "http://x/a"), "http://x/a");
        assert_eq!(resolve("res/", "/a"), "/a");
    }
}
