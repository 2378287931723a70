//! Hostile manifests (issue 12, "beyond the list"): every launch-location
//! trick, XML bombs and DTDs, deep, wide and huge documents, identifier
//! collisions and cycles, sequencing references to nothing. Each one either
//! fails with a positioned error, or parses into a course whose launch
//! locations a browser resolves inside the package directory, and whose
//! sequencer answers every navigation request without panicking.
//!
//! The oracle for launch locations models the WHATWG URL parser (what the
//! player's `frame.src` does with the href, relative to the manifest's
//! directory); the JavaScript check before `frame.src` is tested in
//! `tests/js/launch-url.test.mjs`, and in Chromium by `tests/e2e/security.test.mjs`.

use proptest::prelude::*;
use scorm_shim::engine::course::{Course, Delivery};
use scorm_shim::engine::manifest::{parse, walk, ErrorKind, Manifest, ParseOptions};
use scorm_shim::engine::rte::NullHost;
use scorm_shim::engine::scorm2004::{Api, Launch};
use scorm_shim::engine::sequencing::NavigationRequest as N;

/// The manifest's directory, as path segments: `http://lms.example/pkg/c1/imsmanifest.xml`.
const BASE: [&str; 2] = ["pkg", "c1"];

/// Where a browser takes `href` relative to `http://lms.example/pkg/c1/imsmanifest.xml`:
/// `Some(path segments)` for a URL on that origin, `None` when it is a URL
/// with a scheme or a network path (another origin, `javascript:`, …).
/// WHATWG URL: leading and trailing C0 controls and spaces are stripped,
/// tabs and newlines removed anywhere, `\` is `/` in special schemes, a
/// scheme is `ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":"`, and `.`/`%2e`
/// and `..`/`.%2e`/`%2e.`/`%2e%2e` (any case) are dot segments.
fn browser_path(href: &str) -> Option<Vec<String>> {
    let s: String = href.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    // A scheme?
    let mut chars = s.char_indices();
    if let Some((_, c)) = chars.next() {
        if c.is_ascii_alphabetic() {
            for (i, c) in chars {
                if c == ':' {
                    let _ = i;
                    return None;
                }
                if !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
                    break;
                }
            }
        }
    }
    if s.starts_with(['/', '\\']) {
        // Path-absolute or network path: not relative to the package.
        return if s.starts_with("//") || s.starts_with("\\\\") || s.starts_with("/\\") || s.starts_with("\\/") {
            None
        } else {
            Some(vec!["<absolute>".into()])
        };
    }
    let path_end = s.find(['?', '#']).unwrap_or(s.len());
    let mut segs: Vec<String> = BASE.iter().map(|s| s.to_string()).collect();
    let raw: Vec<&str> = s[..path_end].split(['/', '\\']).collect();
    let n = raw.len();
    for (i, seg) in raw.iter().enumerate() {
        let lower = seg.to_ascii_lowercase();
        let last = i + 1 == n;
        match lower.as_str() {
            "." | "%2e" => {
                if last {
                    segs.push(String::new());
                }
            }
            ".." | ".%2e" | "%2e." | "%2e%2e" => {
                segs.pop();
                if last {
                    segs.push(String::new());
                }
            }
            _ => segs.push(seg.to_string()),
        }
    }
    Some(segs)
}

/// A launch location is safe when the browser puts it under the manifest's directory.
fn safe(href: &str) -> bool {
    match browser_path(href) {
        // Under the directory, and naming something in it (not the directory itself).
        Some(p) => {
            p.len() > BASE.len()
                && p[..BASE.len()].iter().zip(BASE).all(|(a, b)| a == b)
                && !(p.len() == BASE.len() + 1 && p[BASE.len()].is_empty())
        }
        None => false,
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
}

/// A SCORM 2004 manifest with one SCO; `bases`: `xml:base` of the manifest,
/// `<resources>` and `<resource>`.
fn manifest(bases: [&str; 3], href: &str, parameters: &str) -> String {
    let base = |b: &str| if b.is_empty() { String::new() } else { format!(" xml:base=\"{}\"", esc(b)) };
    format!(
        r#"<?xml version="1.0"?>
<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"{}>
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="O"><organization identifier="O"><title>T</title>
    <item identifier="I" identifierref="R" parameters="{}"><title>A</title></item>
  </organization></organizations>
  <resources{}><resource identifier="R" type="webcontent" adlcp:scormType="sco"{} href="{}"/></resources>
</manifest>"#,
        base(bases[0]),
        esc(parameters),
        base(bases[1]),
        base(bases[2]),
        esc(href)
    )
}

/// Parse and judge: `Err(kind)`, or `Ok(href)` of the one launch (asserted safe).
fn judge(xml: &str) -> Result<String, ErrorKind> {
    match parse(xml, &ParseOptions::default()) {
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty(), "{e:?}");
            Err(e.kind)
        }
        Ok(m) => {
            let launches: Vec<String> = walk(&m.activity_tree).into_iter().filter_map(|a| a.launch.as_ref().map(|l| l.href.clone())).collect();
            for h in &launches {
                assert!(safe(h), "unsafe launch location {h:?} from\n{xml}");
            }
            for r in &m.resources {
                if let Some(h) = &r.href {
                    assert!(safe(h), "unsafe resource href {h:?} from\n{xml}");
                }
            }
            Ok(launches.into_iter().next().unwrap_or_default())
        }
    }
}

#[test]
fn the_oracle_agrees_with_the_url_standard_on_known_cases() {
    assert_eq!(browser_path("a/b.htm"), Some(vec!["pkg".into(), "c1".into(), "a".into(), "b.htm".into()]));
    assert_eq!(browser_path("%2e%2E/x"), Some(vec!["pkg".into(), "x".into()]));
    assert_eq!(browser_path(" \u{1}JavaScript:alert(1)"), None);
    assert_eq!(browser_path("java\tscript:x"), None);
    assert_eq!(browser_path("\\\\evil/x"), None);
    assert!(safe("a.htm?x=../../y#../z"));
    assert!(!safe("a/../../x.htm"));
    assert!(!safe("./"), "the directory itself is no file");
    assert!(safe("a%2f..%2f..%2fx"), "%2f is no separator in a URL path");
}

/// Issue 12.1 as the reviewer wrote it, and every variant found since.
const REFUSED: &[&str] = &[
    "./javascript:alert(document.domain)",
    "a/../javascript:alert(1)",
    "%2e/JavaScript:alert(1)",
    ".\\javascript:alert(1)",
    "./http:evil/x",
    "./HTTPS://evil.example/",
    "%2E%2e/x/../javascript:alert(1)",
    ".%2e/x/../../javascript:alert(1)",
    "%2e%2e/%2e%2e/etc/passwd",
    "a/./.././../x",
    "a\\..\\..\\x",
    "/\\evil.example/x",
    "\\/evil.example/x",
    "\t/\t/evil.example/x",
    "./\u{0}javascript:alert(1)",
    "\u{1f}javascript:alert(1)",
    "j\na\rv\ta\nscript:alert(1)",
    "./data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "./blob:http://lms.example/x",
    "./file:///etc/passwd",
    "./c:\\windows\\win.ini",
    "x/../y:z",
    "./a+b.c-d:x",
];

#[test]
fn launch_locations_that_leave_the_package_are_refused() {
    for href in REFUSED {
        let got = judge(&manifest(["", "", ""], href, ""));
        assert_eq!(got, Err(ErrorKind::UnsafeHref), "{href:?}");
    }
}

/// Tricks that look dangerous but stay in the package (the browser reads them
/// as file names): accepted, and the oracle agrees they are safe.
const KEPT: &[(&str, &str)] = &[
    ("%252e%252e/x.htm", "%252e%252e/x.htm"),
    ("..%2f..%2fx.htm", "..%2f..%2fx.htm"),
    ("%2e%2e%2fx.htm", "%2e%2e%2fx.htm"),
    ("\u{FF0E}\u{FF0E}/x.htm", "\u{FF0E}\u{FF0E}/x.htm"),
    ("\u{2024}\u{2024}/x.htm", "\u{2024}\u{2024}/x.htm"),
    ("a\u{FF0F}..\u{FF0F}x.htm", "a\u{FF0F}..\u{FF0F}x.htm"),
    ("javascript%3Aalert(1)", "javascript%3Aalert(1)"),
    ("a/b.htm?next=javascript:alert(1)", "a/b.htm?next=javascript:alert(1)"),
    ("a/b.htm#javascript:alert(1)", "a/b.htm#javascript:alert(1)"),
    ("...", "..."),
    ("a/.../b.htm", "a/.../b.htm"),
    ("%c0%ae%c0%ae/x.htm", "%c0%ae%c0%ae/x.htm"),
    // `./\\host/x` is a path-relative URL (`.`, an empty segment, `host`, `x`):
    // the browser stays on the origin, under the package; the empty segment goes.
    ("./\\\\evil.example/x", "evil.example/x"),
];

#[test]
fn look_alike_tricks_stay_file_names_inside_the_package() {
    for (href, want) in KEPT {
        assert_eq!(judge(&manifest(["", "", ""], href, "")).as_deref(), Ok(*want), "{href:?}");
    }
}

#[test]
fn xml_base_chains_cannot_move_a_launch_out() {
    let cases: &[([&str; 3], &str)] = &[
        (["http://evil.example/", "", ""], "x.htm"),
        (["", "javascript:", ""], "alert(1)"),
        (["", "./javascript:", ""], "alert(1)"),
        (["..", "", ""], "x.htm"),
        (["a", "../..", ""], "x.htm"),
        (["a/", "%2e%2e/", "%2E%2e/"], "x.htm"),
        (["", "", "//evil.example"], "x.htm"),
        (["", "", "\\\\evil.example"], "x.htm"),
        (["", "/abs/", ""], "x.htm"),
        (["", "", "x/.."], "../x.htm"),
    ];
    for (bases, href) in cases {
        assert_eq!(judge(&manifest(*bases, href, "")), Err(ErrorKind::UnsafeHref), "{bases:?} {href:?}");
    }
    // Bases that stay inside combine as the CAM says.
    assert_eq!(judge(&manifest(["a", "b/", "c/../d"], "e.htm", "")).as_deref(), Ok("a/b/d/e.htm"));
}

#[test]
fn parameters_cannot_turn_a_launch_into_a_scheme() {
    for p in ["javascript:alert(1)", "?x=1#javascript:x", "#//evil", "&../../x", "/../../x", "\u{0}", "//evil.example/"] {
        let got = judge(&manifest(["", "", ""], "a.htm", p));
        let href = got.unwrap_or_else(|e| panic!("{p:?}: {e:?}"));
        assert!(href.starts_with("a.htm?") || href.starts_with("a.htm#") || href == "a.htm", "{p:?} -> {href:?}");
    }
}

/// Pieces of hostile hrefs: dot segments in every spelling, separators,
/// schemes, controls, look-alike Unicode dots and slashes, encodings.
const PIECES: &[&str] = &[
    ".", "..", "%2e", "%2E", "%2e%2e", ".%2E", "%2e.", "%252e", "%252e%252e", "%c0%ae", "...", "/", "\\", "//", "\\\\", "/\\",
    "javascript:", "JavaScript:", "data:", "http:", "https://evil.example", "c:", "x:", "a", "b.htm", "dir/", "\t", "\n", "\r",
    " ", "\u{0}", "\u{1}", "\u{1f}", "\u{7f}", "\u{a0}", "\u{FF0E}", "\u{FF0E}\u{FF0E}", "\u{2024}", "\u{3002}", "\u{FF0F}",
    "\u{2215}", "\u{FE68}", "%2f", "%2F", "%5c", "%00", "%0a", "?", "#", "?x=../..", "..%2f", "&", ";", "@", "%", "%%",
    "\u{202E}", "\u{200B}", "\u{FEFF}",
];

fn piece() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..7).prop_map(|v| v.concat())
}

fn cases() -> u32 {
    std::env::var("SECURITY_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Any combination of pieces in the three `xml:base` levels, the href
    /// and the item's parameters: refused, or launched inside the package.
    #[test]
    fn any_href_combination_launches_inside_the_package_or_is_refused(
        b0 in piece(), b1 in piece(), b2 in piece(), href in piece(), params in piece()
    ) {
        let _ = judge(&manifest([&b0, &b1, &b2], &href, &params));
    }
}

// ---------------------------------------------------------------- XML bombs

const HEAD: &str = r#"<manifest identifier="M" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"><metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>"#;

#[test]
fn dtds_entities_and_external_references_are_refused() {
    let bodies = [
        // Billion laughs.
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\">{}]>{HEAD}<organizations><organization identifier=\"&j;\"/></organizations></manifest>",
            (b'b'..=b'j').map(|c| format!("<!ENTITY {} \"{}\">", c as char, format!("&{};", (c - 1) as char).repeat(10))).collect::<String>()
        ),
        // External entity (XXE) and a parameter entity.
        format!("<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{HEAD}<organizations>&x;</organizations></manifest>"),
        format!("<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY % p SYSTEM \"http://evil.example/x.dtd\"> %p;]>{HEAD}</manifest>"),
        format!("<?xml version=\"1.0\"?><!DOCTYPE manifest SYSTEM \"http://evil.example/x.dtd\">{HEAD}</manifest>"),
        // Undeclared entities without a DTD.
        format!("{HEAD}<organizations default=\"&x;\"/></manifest>"),
        format!("{HEAD}<organizations>&x;</organizations></manifest>"),
        // Character references to what XML forbids.
        format!("{HEAD}<organizations default=\"&#0;\"/></manifest>"),
        format!("{HEAD}<organizations default=\"&#x110000;\"/></manifest>"),
        format!("{HEAD}<organizations default=\"&#xD800;\"/></manifest>"),
    ];
    for (i, xml) in bodies.iter().enumerate() {
        let e = parse(xml, &ParseOptions::default()).expect_err(&format!("case {i} must be refused"));
        assert_eq!(e.kind, ErrorKind::Xml, "case {i}: {e:?}");
        assert!(e.line >= 1 && e.column >= 1);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [65, 1_000, 200_000] {
        let xml = format!("{HEAD}{}{}</manifest>", "<x>".repeat(depth), "</x>".repeat(depth));
        let e = parse(&xml, &ParseOptions::default()).expect_err("too deep");
        assert_eq!(e.kind, ErrorKind::TooDeep);
    }
    // Items nested to the limit: refused or read, never a crash.
    let items = 60;
    let mut xml = format!("{HEAD}<organizations default=\"O\"><organization identifier=\"O\"><title>t</title>");
    for i in 0..items {
        xml.push_str(&format!("<item identifier=\"i{i}\"><title>t</title>"));
    }
    xml.push_str("<item identifier=\"leaf\" identifierref=\"R\"><title>t</title></item>");
    xml.push_str(&"</item>".repeat(items));
    xml.push_str("</organization></organizations><resources><resource identifier=\"R\" type=\"webcontent\" adlcp:scormType=\"sco\" href=\"a.htm\"/></resources></manifest>");
    let _ = judge(&xml);
}

#[test]
fn wide_trees_and_huge_values_are_read_or_refused_cleanly() {
    // 20,000 items, each its own resource.
    let n = 20_000;
    let mut xml = format!("{HEAD}<organizations default=\"O\"><organization identifier=\"O\"><title>t</title>");
    for i in 0..n {
        xml.push_str(&format!("<item identifier=\"i{i}\" identifierref=\"r{i}\"><title>{i}</title></item>"));
    }
    // Flow, so that Start delivers the first one (the default is flow="false").
    xml.push_str("<imsss:sequencing><imsss:controlMode flow=\"true\"/></imsss:sequencing></organization></organizations><resources>");
    for i in 0..n {
        xml.push_str(&format!("<resource identifier=\"r{i}\" type=\"webcontent\" adlcp:scormType=\"sco\" href=\"s/{i}.htm\"/>"));
    }
    xml.push_str("</resources></manifest>");
    let m = parse(&xml, &ParseOptions::default()).expect("a wide course is a course");
    assert_eq!(walk(&m.activity_tree).into_iter().filter(|a| a.launch.is_some()).count(), n);
    let mut course = Course::open(&xml, &ParseOptions::default()).expect("opens");
    assert!(matches!(course.navigate(N::Start), Ok(Delivery::Launch(_))));
    assert!(matches!(course.navigate(N::Choice(format!("i{}", n - 1))), Ok(Delivery::Launch(_))));

    // 4 MiB attribute values and titles, 257 attributes, a 1 MiB element name.
    let big = "x".repeat(4 << 20);
    let huge_id = format!("{HEAD}<organizations default=\"{big}\"><organization identifier=\"{big}\"><title>{big}</title><item identifier=\"i\" identifierref=\"R\" parameters=\"?{big}\"><title>{big}</title></item></organization></organizations><resources><resource identifier=\"R\" type=\"webcontent\" adlcp:scormType=\"sco\" href=\"a/{big}.htm\"/></resources></manifest>");
    let _ = judge(&huge_id);
    let attrs: String = (0..257).map(|i| format!(" a{i}=\"v\"")).collect();
    let e = parse(&format!("{HEAD}<organizations{attrs}/></manifest>"), &ParseOptions::default()).expect_err("too many attributes");
    assert_eq!(e.kind, ErrorKind::Xml);
    let _ = parse(&format!("{HEAD}<{} /></manifest>", "n".repeat(1 << 20)), &ParseOptions::default());
}

fn org(items: &str, resources: &str, seq: &str) -> String {
    format!("{HEAD}<organizations default=\"O\"><organization identifier=\"O\"><title>t</title>{items}</organization></organizations><resources>{resources}</resources>{seq}</manifest>")
}

const RES: &str = "<resource identifier=\"R\" type=\"webcontent\" adlcp:scormType=\"sco\" href=\"a.htm\"/>";

#[test]
fn identifier_collisions_and_reference_cycles_are_errors_or_warnings() {
    let cases = [
        // Two items, one id.
        org("<item identifier=\"i\" identifierref=\"R\"><title>a</title></item><item identifier=\"i\" identifierref=\"R\"><title>b</title></item>", RES, ""),
        // An item id equal to the organization's and to a resource's.
        org("<item identifier=\"O\" identifierref=\"R\"><title>a</title></item>", RES, ""),
        org("<item identifier=\"R\" identifierref=\"R\"><title>a</title></item>", RES, ""),
        // Two resources, one id.
        org("<item identifier=\"i\" identifierref=\"R\"><title>a</title></item>", &format!("{RES}{RES}"), ""),
        // identifierref naming an item, itself, nothing, or an empty string.
        org("<item identifier=\"i\" identifierref=\"i\"><title>a</title></item>", RES, ""),
        org("<item identifier=\"i\" identifierref=\"O\"><title>a</title></item>", RES, ""),
        org("<item identifier=\"i\" identifierref=\"\"><title>a</title></item>", RES, ""),
        // Dependency cycles (A -> B -> A, A -> A) and dependencies on nothing.
        org(
            "<item identifier=\"i\" identifierref=\"A\"><title>a</title></item>",
            "<resource identifier=\"A\" type=\"webcontent\" adlcp:scormType=\"sco\" href=\"a.htm\"><dependency identifierref=\"B\"/><dependency identifierref=\"A\"/></resource><resource identifier=\"B\" type=\"webcontent\" adlcp:scormType=\"asset\"><dependency identifierref=\"A\"/><dependency identifierref=\"missing\"/></resource>",
            "",
        ),
        // Duplicate objective ids, two primary objectives.
        org(
            "<item identifier=\"i\" identifierref=\"R\"><title>a</title><imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID=\"o\"/><imsss:primaryObjective objectiveID=\"o\"/><imsss:objective objectiveID=\"o\"/></imsss:objectives></imsss:sequencing></item>",
            RES,
            "",
        ),
        // A sequencing collection entry referenced twice, by a missing id, and referring to itself.
        org(
            "<item identifier=\"i\" identifierref=\"R\"><title>a</title><imsss:sequencing IDRef=\"missing\"/></item><item identifier=\"j\" identifierref=\"R\"><title>b</title><imsss:sequencing IDRef=\"S\"/></item>",
            RES,
            "<imsss:sequencingCollection><imsss:sequencing ID=\"S\" IDRef=\"S\"/><imsss:sequencing ID=\"S\"/></imsss:sequencingCollection>",
        ),
    ];
    for (i, xml) in cases.iter().enumerate() {
        match parse(xml, &ParseOptions::default()) {
            Err(e) => assert!(e.line >= 1 && !e.message.is_empty(), "case {i}: {e:?}"),
            Ok(m) => {
                check_plays(xml, &m);
            }
        }
    }
}

/// The course opens and answers a long run of navigation requests (every
/// request, every activity as a choice, each SCO terminating with some
/// results) without panicking.
fn check_plays(xml: &str, m: &Manifest) {
    let Ok(mut course) = Course::open(xml, &ParseOptions::default()) else { return };
    play(&mut course, m);
}

fn play(course: &mut Course, m: &Manifest) {
    let ids: Vec<String> = walk(&m.activity_tree).into_iter().map(|a| a.id.clone()).collect();
    let mut requests = vec![N::Start, N::ResumeAll, N::Continue, N::Previous, N::Exit, N::SuspendAll, N::ResumeAll];
    for id in ids.iter().chain(std::iter::once(&"missing".to_string())) {
        requests.push(N::Choice(id.clone()));
        requests.push(N::Jump(id.clone()));
        requests.push(N::Continue);
    }
    requests.extend([N::Abandon, N::AbandonAll, N::Start, N::ExitAll, N::Start]);
    for (k, r) in requests.into_iter().enumerate() {
        let _ = course.nav_state();
        if let Ok(Delivery::Launch(info)) = course.navigate(r) {
            let mut api = Api::new(course.launch_2004(&info, Launch::default()), None);
            api.initialize("");
            api.set_value("cmi.completion_status", if k % 2 == 0 { "completed" } else { "incomplete" });
            api.set_value("cmi.success_status", if k % 3 == 0 { "passed" } else { "failed" });
            api.set_value("cmi.score.scaled", "0.5");
            api.set_value("cmi.exit", if k % 4 == 0 { "suspend" } else { "normal" });
            api.terminate("", &mut NullHost);
            let _ = course.finish_2004(&api);
        }
        let _ = course.result();
        let _ = course.saved_text();
    }
}

#[test]
fn sequencing_that_references_missing_objectives_plays_without_panic() {
    let seq = |inner: &str| {
        org(
            &format!("<item identifier=\"c\"><title>c</title><item identifier=\"a\" identifierref=\"R\"><title>a</title><imsss:sequencing>{inner}</imsss:sequencing></item><item identifier=\"b\" identifierref=\"R\"><title>b</title></item><imsss:sequencing><imsss:controlMode flow=\"true\" choice=\"true\"/></imsss:sequencing></item>"),
            RES,
            "",
        )
    };
    let cases = [
        // Rule conditions naming an objective the activity does not have.
        "<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition referencedObjective=\"nothing\" condition=\"satisfied\"/></imsss:ruleConditions><imsss:ruleAction action=\"skip\"/></imsss:preConditionRule></imsss:sequencingRules>",
        "<imsss:sequencingRules><imsss:exitConditionRule><imsss:ruleConditions conditionCombination=\"any\"><imsss:ruleCondition referencedObjective=\"\" condition=\"objectiveMeasureGreaterThan\" measureThreshold=\"2\"/></imsss:ruleConditions><imsss:ruleAction action=\"exit\"/></imsss:exitConditionRule></imsss:sequencingRules>",
        // Map info to globals nobody writes, read and written twice, from a missing objective.
        "<imsss:objectives><imsss:primaryObjective objectiveID=\"p\" satisfiedByMeasure=\"true\"><imsss:minNormalizedMeasure>5</imsss:minNormalizedMeasure><imsss:mapInfo targetObjectiveID=\"g\" readSatisfiedStatus=\"true\" writeSatisfiedStatus=\"true\"/><imsss:mapInfo targetObjectiveID=\"g\" writeNormalizedMeasure=\"true\"/></imsss:primaryObjective></imsss:objectives>",
        // Limits and selection out of range.
        "<imsss:limitConditions attemptLimit=\"0\" attemptAbsoluteDurationLimit=\"PT0S\"/><imsss:randomizationControls selectCount=\"99999\" randomizationTiming=\"onEachNewAttempt\" reorderChildren=\"true\" selectionTiming=\"onEachNewAttempt\"/>",
        "<imsss:limitConditions attemptLimit=\"-1\"/>",
        "<imsss:limitConditions attemptLimit=\"18446744073709551616\"/>",
        // Rollup rules with absurd counts and thresholds.
        "<imsss:rollupRules objectiveMeasureWeight=\"1e308\"><imsss:rollupRule childActivitySet=\"atLeastCount\" minimumCount=\"4294967296\" minimumPercent=\"2\"><imsss:rollupConditions><imsss:rollupCondition condition=\"satisfied\"/></imsss:rollupConditions><imsss:rollupAction action=\"satisfied\"/></imsss:rollupRule></imsss:rollupRules>",
        "<imsss:rollupRules objectiveMeasureWeight=\"NaN\"/>",
        "<imsss:deliveryControls tracked=\"false\" completionSetByContent=\"true\" objectiveSetByContent=\"true\"/><imsss:rollupRules rollupObjectiveSatisfied=\"false\" rollupProgressCompletion=\"false\"/>",
    ];
    for inner in cases {
        let xml = seq(inner);
        match parse(&xml, &ParseOptions::default()) {
            Err(e) => assert!(e.line >= 1 && !e.message.is_empty(), "{inner}: {e:?}"),
            Ok(m) => check_plays(&xml, &m),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 10, failure_persistence: None, ..ProptestConfig::default() })]

    /// A stored sequencing state is data from the device: any text, or a
    /// real state cut or flipped anywhere, is refused or restored, and the
    /// course plays on.
    #[test]
    fn stored_sequencing_state_of_any_shape_is_refused_or_played(cut in 0usize..4000, flip in any::<u8>(), noise in ".{0,64}") {
        let xml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/packages/gated/imsmanifest.xml")).expect("fixture");
        let mut course = Course::open(&xml, &ParseOptions::default()).expect("opens");
        let _ = course.navigate(N::Start);
        let saved = course.saved_text();
        let mut bytes = saved.clone().into_bytes();
        if !bytes.is_empty() {
            let i = cut % bytes.len();
            bytes[i] = flip;
            bytes.truncate(cut.max(1));
        }
        let mangled = String::from_utf8_lossy(&bytes).into_owned() + &noise;
        let mut fresh = Course::open(&xml, &ParseOptions::default()).expect("opens");
        let _ = fresh.restore_text(&mangled);
        let m = parse(&xml, &ParseOptions::default()).expect("parses");
        play(&mut fresh, &m);
    }
}
