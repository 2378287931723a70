//! Bad and hostile manifests: a clear error naming the element and position,
//! or a warning where real packages commonly deviate and the intent is clear.

use scorm_shim::engine::manifest::{parse, ErrorKind, Manifest, ManifestError, ParseOptions, ScormVersion};

/// One element per line so positions are predictable.
const BASE: &str = r#"<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss" xmlns:x="urn:vendor">
<metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
<organizations default="O">
<organization identifier="O"><title>T</title>
<item identifier="I1" identifierref="R1"><title>A</title>
<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>
</item>
</organization>
</organizations>
<resources>
<resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="a.html"/>
</resources>
</manifest>"#;

fn mutate(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE lacks {from:?}");
    BASE.replacen(from, to, 1)
}

fn err(xml: &str) -> ManifestError {
    match parse(xml, &ParseOptions::default()) {
        Ok(m) => panic!("expected an error, got a manifest with warnings {:?}", m.warnings),
        Err(e) => e,
    }
}

fn ok(xml: &str) -> Manifest {
    parse(xml, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn base_manifest_is_clean() {
    let m = ok(BASE);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.activity_tree.children[0].launch.as_ref().map(|l| l.href.as_str()), Some("a.html"));
}

#[test]
fn errors_name_kind_element_and_line() {
    let seq = |inner: &str| mutate(r#"<imsss:controlMode flow="true"/>"#, inner);
    let rule = |conds: &str, kind: &str, action: &str| {
        seq(&format!(
            r#"<imsss:sequencingRules><imsss:{kind}><imsss:ruleConditions>{conds}</imsss:ruleConditions><imsss:ruleAction action="{action}"/></imsss:{kind}></imsss:sequencingRules>"#
        ))
    };
    let cases: Vec<(&str, String, ErrorKind, &str, u32)> = vec![
        ("dangling identifierref", mutate(r#"identifierref="R1""#, r#"identifierref="R9""#), ErrorKind::DanglingReference, "item", 5),
        ("dangling IDRef", mutate("<imsss:sequencing>", r#"<imsss:sequencing IDRef="nope">"#), ErrorKind::DanglingReference, "imsss:sequencing", 6),
        (
            "duplicate resource identifier",
            mutate("</resources>", r#"<resource identifier="R1" type="webcontent" adlcp:scormType="asset" href="b.html"/></resources>"#),
            ErrorKind::DuplicateIdentifier,
            "resource",
            12,
        ),
        ("duplicate item identifier", mutate("</organization>", r#"<item identifier="I1" identifierref="R1"><title>B</title></item></organization>"#), ErrorKind::DuplicateIdentifier, "item", 8),
        ("item identifier equal to organization", mutate(r#"item identifier="I1""#, r#"item identifier="O""#), ErrorKind::DuplicateIdentifier, "item", 5),
        ("invalid boolean", mutate(r#"flow="true""#, r#"flow="yes""#), ErrorKind::InvalidValue, "imsss:controlMode", 6),
        ("invalid condition", rule(r#"<imsss:ruleCondition condition="sometimes"/>"#, "preConditionRule", "skip"), ErrorKind::InvalidValue, "imsss:ruleCondition", 6),
        ("exit action in a pre-condition rule", rule(r#"<imsss:ruleCondition condition="always"/>"#, "preConditionRule", "exit"), ErrorKind::InvalidValue, "imsss:ruleAction", 6),
        ("retry in an exit rule", rule(r#"<imsss:ruleCondition condition="always"/>"#, "exitConditionRule", "retry"), ErrorKind::InvalidValue, "imsss:ruleAction", 6),
        ("rule without conditions", rule("", "postConditionRule", "retry"), ErrorKind::MissingElement, "imsss:ruleConditions", 6),
        ("measure threshold out of range", rule(r#"<imsss:ruleCondition condition="objectiveMeasureGreaterThan" measureThreshold="2"/>"#, "preConditionRule", "skip"), ErrorKind::InvalidValue, "imsss:ruleCondition", 6),
        ("NaN threshold", rule(r#"<imsss:ruleCondition condition="objectiveMeasureGreaterThan" measureThreshold="NaN"/>"#, "preConditionRule", "skip"), ErrorKind::InvalidValue, "imsss:ruleCondition", 6),
        (
            "always in a rollup condition",
            seq(r#"<imsss:rollupRules><imsss:rollupRule><imsss:rollupConditions><imsss:rollupCondition condition="always"/></imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule></imsss:rollupRules>"#),
            ErrorKind::InvalidValue,
            "imsss:rollupCondition",
            6,
        ),
        ("bad duration", seq(r#"<imsss:limitConditions attemptAbsoluteDurationLimit="1 hour"/>"#), ErrorKind::InvalidValue, "imsss:limitConditions", 6),
        ("negative attempt limit", seq(r#"<imsss:limitConditions attemptLimit="-1"/>"#), ErrorKind::InvalidValue, "imsss:limitConditions", 6),
        ("objective without id", seq(r#"<imsss:objectives><imsss:primaryObjective/><imsss:objective/></imsss:objectives>"#), ErrorKind::MissingAttribute, "imsss:objective", 6),
        ("two primary objectives", seq(r#"<imsss:objectives><imsss:primaryObjective/><imsss:primaryObjective/></imsss:objectives>"#), ErrorKind::UnexpectedElement, "imsss:objectives", 6),
        ("map without target", seq(r#"<imsss:objectives><imsss:primaryObjective><imsss:mapInfo/></imsss:primaryObjective></imsss:objectives>"#), ErrorKind::MissingAttribute, "imsss:mapInfo", 6),
        ("bad randomization timing", seq(r#"<imsss:randomizationControls randomizationTiming="always"/>"#), ErrorKind::InvalidValue, "imsss:randomizationControls", 6),
        ("missing item identifier", mutate(r#"item identifier="I1""#, "item"), ErrorKind::MissingAttribute, "item", 5),
        ("organization without items", mutate("<item identifier=\"I1\" identifierref=\"R1\"><title>A</title>", "<x:item><title>A</title>").replacen("</item>", "</x:item>", 1), ErrorKind::MissingElement, "organization", 4),
        ("no organizations", mutate(r#"<organization identifier="O">"#, "<x:organization>").replacen("</organization>", "</x:organization>", 1), ErrorKind::NoOrganization, "organizations", 3),
        ("root is not a manifest", "<html><body/></html>".to_string(), ErrorKind::NotAManifest, "html", 1),
        ("root in an unknown namespace", BASE.replacen("http://www.imsglobal.org/xsd/imscp_v1p1", "urn:other", 1), ErrorKind::NotAManifest, "?:manifest", 1),
        ("javascript launch", mutate(r#"href="a.html""#, r#"href="javascript:alert(1)""#), ErrorKind::UnsafeHref, "item", 5),
        ("data launch", mutate(r#"href="a.html""#, r#"href=" data:text/html,x""#), ErrorKind::UnsafeHref, "item", 5),
        ("other origin", mutate(r#"href="a.html""#, r#"href="https://evil.example/a.html""#), ErrorKind::UnsafeHref, "item", 5),
        ("network path", mutate(r#"href="a.html""#, r#"href="//evil.example/a.html""#), ErrorKind::UnsafeHref, "item", 5),
        // Issue 12: a scheme that appears only after the dot segments are removed.
        ("dot then javascript", mutate(r#"href="a.html""#, r#"href="./javascript:alert(document.domain)""#), ErrorKind::UnsafeHref, "item", 5),
        ("dot-dot then javascript", mutate(r#"href="a.html""#, r#"href="a/../javascript:alert(1)""#), ErrorKind::UnsafeHref, "item", 5),
        ("encoded dot then javascript", mutate(r#"href="a.html""#, r#"href="%2e/JavaScript:alert(1)""#), ErrorKind::UnsafeHref, "item", 5),
        ("backslash dot then javascript", mutate(r#"href="a.html""#, r#"href=".\javascript:alert(1)""#), ErrorKind::UnsafeHref, "item", 5),
        ("dot then http", mutate(r#"href="a.html""#, r#"href="./http:evil/x""#), ErrorKind::UnsafeHref, "item", 5),
        ("xml:base dot then javascript", mutate(r#"href="a.html""#, r#"xml:base="./" href="javascript:alert(1)""#), ErrorKind::UnsafeHref, "item", 5),
        ("escapes the root", mutate(r#"href="a.html""#, r#"href="x/../../a.html""#), ErrorKind::UnsafeHref, "item", 5),
        ("escapes through xml:base", mutate(r#"href="a.html""#, r#"xml:base="../" href="a.html""#), ErrorKind::UnsafeHref, "item", 5),
        ("remote manifest base", mutate(r#"<manifest identifier="m""#, r#"<manifest xml:base="http://cdn.example/" identifier="m""#), ErrorKind::UnsafeHref, "item", 5),
        ("leaf resource without href", mutate(r#" href="a.html""#, ""), ErrorKind::MissingAttribute, "item", 5),
        ("bad scormType", mutate(r#"adlcp:scormType="sco""#, r#"adlcp:scormType="lesson""#), ErrorKind::InvalidValue, "resource", 11),
        ("bad hideLMSUI", mutate("</item>", "<adlnav:presentation xmlns:adlnav=\"http://www.adlnet.org/xsd/adlnav_v1p3\"><adlnav:navigationInterface><adlnav:hideLMSUI>menu</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation></item>"), ErrorKind::InvalidValue, "adlnav:hideLMSUI", 7),
        ("bad timeLimitAction", mutate("</item>", "<adlcp:timeLimitAction>stop</adlcp:timeLimitAction></item>"), ErrorKind::InvalidValue, "adlcp:timeLimitAction", 7),
        ("completion threshold out of range", mutate("</item>", r#"<adlcp:completionThreshold minProgressMeasure="1.5"/></item>"#), ErrorKind::InvalidValue, "adlcp:completionThreshold", 7),
    ];
    for (what, xml, kind, element, line) in cases {
        let e = err(&xml);
        assert_eq!((e.kind, e.element.as_str(), e.line), (kind, element, line), "{what}: {e}");
        assert!(e.column >= 1 && !e.message.is_empty(), "{what}");
        assert!(e.to_string().contains(&format!("line {line}")), "{what}: {e}");
    }
}

#[test]
fn malformed_xml_is_an_error_with_a_position() {
    let cases: Vec<(&str, String)> = vec![
        ("unclosed element", mutate("</item>", "")),
        ("mismatched end tag", mutate("</item>", "</itme>")),
        ("truncated", BASE.get(..BASE.len() / 2).unwrap_or("").to_string()),
        ("unknown entity", mutate("<title>A</title>", "<title>&bogus;</title>")),
        ("doctype", format!("<!DOCTYPE manifest [<!ENTITY a \"aaaa\">]>{BASE}")),
        ("empty", String::new()),
        ("two roots", format!("{BASE}<manifest/>")),
        ("text after root", format!("{BASE}junk")),
        ("bad attribute", mutate(r#"identifier="I1""#, r#"identifier="I1"="#)),
    ];
    for (what, xml) in cases {
        let e = err(&xml);
        assert_eq!(e.kind, ErrorKind::Xml, "{what}: {e}");
        assert!(e.line >= 1 && e.column >= 1, "{what}");
        assert!(e.message.contains("XML") || e.message.contains("DOCTYPE"), "{what}: {e}");
    }
}

#[test]
fn deep_nesting_is_limited() {
    let mut items = String::new();
    for i in 0..200 {
        items.push_str(&format!("<item identifier=\"d{i}\"><title>x</title>"));
    }
    items.push_str("<item identifier=\"leaf\" identifierref=\"R1\"><title>x</title></item>");
    for _ in 0..200 {
        items.push_str("</item>");
    }
    let xml = mutate("</organization>", &format!("{items}</organization>"));
    let e = err(&xml);
    assert_eq!(e.kind, ErrorKind::TooDeep);
    assert!(e.message.contains("64"), "{e}");
    // A raised limit admits it; the clamp keeps absurd limits bounded.
    let m = parse(&xml, &ParseOptions { max_depth: 250, ..ParseOptions::default() }).expect("parses");
    assert_eq!(m.organizations[0].item_count, 202);
    let e = parse(&format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000)), &ParseOptions { max_depth: usize::MAX, ..ParseOptions::default() }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooDeep);
    assert!(e.message.contains("256"), "{e}");
}

#[test]
fn unknown_organization_option() {
    let e = parse(BASE, &ParseOptions { organization: Some("nope".into()), ..ParseOptions::default() }).unwrap_err();
    assert_eq!((e.kind, e.element.as_str()), (ErrorKind::DanglingReference, "organizations"));
}

#[test]
fn tolerated_deviations_are_warnings() {
    let seq = |inner: &str| mutate(r#"<imsss:controlMode flow="true"/>"#, inner);
    let cases: Vec<(&str, String, ErrorKind, &str)> = vec![
        ("mis-cased boolean", mutate(r#"flow="true""#, r#"flow="True""#), ErrorKind::InvalidValue, "imsss:controlMode"),
        ("mis-cased attribute name", mutate(r#"identifierref="R1""#, r#"identifierRef="R1""#), ErrorKind::InvalidValue, "item"),
        ("mis-cased vocabulary", mutate(r#"adlcp:scormType="sco""#, r#"adlcp:scormType="SCO""#), ErrorKind::InvalidValue, "resource"),
        ("unknown element in a SCORM namespace", seq(r#"<imsss:controlMode flow="true"/><imsss:bogus/>"#), ErrorKind::UnexpectedElement, "imsss:bogus"),
        ("mis-cased element", seq(r#"<imsss:controlMode flow="true"/><imsss:DeliveryControls/>"#), ErrorKind::UnexpectedElement, "imsss:DeliveryControls"),
        ("undeclared adlcp prefix", BASE.replacen(r#" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3""#, "", 1), ErrorKind::Namespace, ""),
        ("missing schemaversion", mutate("<schemaversion>2004 4th Edition</schemaversion>", ""), ErrorKind::Version, "manifest"),
        ("default names no organization", mutate(r#"default="O""#, r#"default="X""#), ErrorKind::DanglingReference, "organizations"),
        ("unknown schemaversion", mutate("2004 4th Edition", "2004 5th Edition"), ErrorKind::Version, "manifest"),
        ("leaf without identifierref", mutate(r#" identifierref="R1""#, ""), ErrorKind::MissingAttribute, "item"),
        ("missing title", mutate("<title>A</title>", ""), ErrorKind::MissingElement, "item"),
        ("dangling dependency", mutate(r#"href="a.html"/>"#, r#"href="a.html"><dependency identifierref="ZZ"/></resource>"#), ErrorKind::DanglingReference, "resource"),
        ("unreferenced unsafe resource", mutate("</resources>", r#"<resource identifier="R2" type="webcontent" adlcp:scormType="asset" href="javascript:x"/></resources>"#), ErrorKind::UnsafeHref, "resource"),
        (
            "rule refers to an unknown objective",
            seq(r#"<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied" referencedObjective="nope"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>"#),
            ErrorKind::DanglingReference,
            "imsss:ruleCondition",
        ),
        ("objectives without a primary", seq(r#"<imsss:objectives><imsss:objective objectiveID="o"/></imsss:objectives>"#), ErrorKind::MissingElement, "imsss:objectives"),
    ];
    for (what, xml, kind, element) in cases {
        let m = ok(&xml);
        assert!(
            m.warnings.iter().any(|w| w.kind == kind && w.element == element && w.line >= 1),
            "{what}: {:?}",
            m.warnings
        );
    }
    // The intent is kept.
    let m = ok(&mutate(r#"flow="true""#, r#"flow="True""#));
    assert!(m.activity_tree.children[0].sequencing.control_mode.flow);
    let m = ok(&BASE.replacen(r#" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3""#, "", 1));
    assert_eq!(m.activity_tree.children[0].launch.as_ref().map(|l| l.is_sco), Some(true));
    let m = ok(&mutate("<schemaversion>2004 4th Edition</schemaversion>", ""));
    assert_eq!(m.version, ScormVersion::Scorm2004Ed2);
    // A default that names no organization: the first one is played.
    let m = ok(&mutate(r#"default="O""#, r#"default="X""#));
    assert_eq!(m.organization, "O");
    assert!(m.warnings.iter().any(|w| w.message.contains("`X` does not exist; the first organization, `O`, is played")), "{:?}", m.warnings);
    // Vendor extensions in other namespaces are ignored silently.
    let m = ok(&seq(r#"<imsss:controlMode flow="true"/><x:extra a="1"><x:deep/></x:extra>"#));
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn missing_default_namespace_is_read_as_ims_cp() {
    let xml = r#"<manifest identifier="m"><organizations default="O"><organization identifier="O"><title>T</title>
<item identifier="I" identifierref="R"><title>A</title><adlcp:masteryscore>70</adlcp:masteryscore></item></organization></organizations>
<resources><resource identifier="R" type="webcontent" adlcp:scormtype="sco" href="index.htm"/></resources></manifest>"#;
    let m = ok(xml);
    assert_eq!(m.version, ScormVersion::Scorm12);
    assert!(m.warnings.iter().any(|w| w.kind == ErrorKind::Namespace));
    assert_eq!(m.activity_tree.children[0].mastery_score, Some(70.0));
    assert_eq!(m.activity_tree.children[0].launch.as_ref().map(|l| l.is_sco), Some(true));
}

#[test]
fn warnings_are_capped() {
    let bogus = "<imsss:bogus/>".repeat(1000);
    let m = ok(&mutate(r#"<imsss:controlMode flow="true"/>"#, &bogus));
    assert_eq!(m.warnings.len(), 201);
    assert!(m.warnings[200].message.contains("800 further warnings"), "{}", m.warnings[200].message);
}

#[test]
fn version_and_edition_detection() {
    let sv = "<schemaversion>2004 4th Edition</schemaversion>";
    let scorm12 = std::fs::read_to_string("tests/fixtures/manifests/scorm12_full.xml").expect("fixture");
    let cases: Vec<(&str, String, ScormVersion, bool)> = vec![
        ("1.2", mutate(sv, "<schemaversion>1.2</schemaversion>"), ScormVersion::Scorm12, true),
        ("CAM 1.3", mutate(sv, "<schemaversion>CAM 1.3</schemaversion>"), ScormVersion::Scorm2004Ed2, false),
        ("3rd", mutate(sv, "<schemaversion>2004 3rd Edition</schemaversion>"), ScormVersion::Scorm2004Ed3, false),
        ("4th", BASE.to_string(), ScormVersion::Scorm2004Ed4, false),
        ("case and spaces", mutate(sv, "<schemaversion> 2004 4TH edition </schemaversion>"), ScormVersion::Scorm2004Ed4, false),
        ("2004 namespaces only", mutate(sv, ""), ScormVersion::Scorm2004Ed2, true),
        (
            "2004 namespaces, declared only",
            mutate(sv, "").replacen(r#" adlcp:scormType="sco""#, "", 1).replacen(r#"<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>"#, "", 1),
            ScormVersion::Scorm2004Ed2,
            true,
        ),
        (
            "2004 namespaces named in schemaLocation only",
            mutate(sv, "")
                .replacen(r#" adlcp:scormType="sco""#, "", 1)
                .replacen(r#"<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>"#, "", 1)
                .replacen(r#" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss""#, r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd""#, 1),
            ScormVersion::Scorm2004Ed2,
            true,
        ),
        (
            "2004 namespaces and a 4th Edition element",
            mutate(sv, "").replacen("<title>A</title>", r#"<title>A</title><adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.5"/>"#, 1),
            ScormVersion::Scorm2004Ed4,
            true,
        ),
        ("1.2 namespaces only", scorm12.replacen("<schemaversion>1.2</schemaversion>", "", 1), ScormVersion::Scorm12, true),
        ("1.2 declared", scorm12, ScormVersion::Scorm12, false),
    ];
    for (what, xml, version, warned) in cases {
        let m = ok(&xml);
        assert_eq!(m.version, version, "{what}");
        assert_eq!(m.warnings.iter().any(|w| w.kind == ErrorKind::Version), warned, "{what}: {:?}", m.warnings);
        assert_eq!(m.version.is_2004(), version != ScormVersion::Scorm12);
    }
}

#[test]
fn positions_count_characters() {
    // Multi-byte text before the error on the same line: the column counts characters.
    let xml = mutate("<title>A</title>", "<title>Ünïcödé</title><imsss:sequencing IDRef=\"x\"/>");
    let e = err(&xml);
    let line = xml.lines().nth(4).expect("line 5");
    let byte_col = line.find("<imsss:sequencing IDRef").expect("tag");
    let char_col = line.get(..byte_col).expect("prefix").chars().count() as u32 + 1;
    assert_eq!((e.line, e.column), (5, char_col));
    assert!(char_col < byte_col as u32 + 1);
}

/// Inputs that would take quadratic time in a naive reader. Sized so that a
/// quadratic regression makes this test take minutes instead of milliseconds.
#[test]
fn hostile_shapes_stay_linear() {
    // Many attributes on one element: an error at the limit.
    let attrs: String = (0..50_000).map(|i| format!(" a{i}=\"\"")).collect();
    let e = err(&mutate("<title>A</title>", &format!("<title{attrs}>A</title>")));
    assert_eq!(e.kind, ErrorKind::Xml);
    assert!(e.message.contains("256 attributes"), "{e}");
    // Many objectives and extension maps in one activity.
    let n = 20_000;
    let objs: String = (0..n).map(|i| format!("<imsss:objective objectiveID=\"o{i}\"><imsss:mapInfo targetObjectiveID=\"g{i}\"/></imsss:objective>")).collect();
    let ext: String = (0..n).map(|i| format!("<adlseq:objective objectiveID=\"o{i}\"><adlseq:mapInfo targetObjectiveID=\"g{i}\" writeRawScore=\"true\"/></adlseq:objective>")).collect();
    let xml = mutate(
        r#"<imsss:controlMode flow="true"/>"#,
        &format!("<imsss:objectives><imsss:primaryObjective/>{objs}</imsss:objectives><adlseq:objectives xmlns:adlseq=\"http://www.adlnet.org/xsd/adlseq_v1p3\">{ext}</adlseq:objectives>"),
    );
    let m = ok(&xml);
    let o = &m.activity_tree.children[0].sequencing.objectives;
    assert_eq!(o.len(), n + 1);
    assert!(o.iter().skip(1).all(|x| x.maps.len() == 1 && x.maps[0].write_raw_score && x.maps[0].read_satisfied_status));
    assert_eq!(m.global_objective_ids.len(), n);
    // Many distinct undeclared prefixes and a long single line of warnings.
    let junk: String = (0..20_000).map(|i| format!("<p{i}:x/>")).collect();
    let m = ok(&mutate("<title>A</title>", &format!("<title>A</title>{junk}")).replace('\n', " "));
    assert_eq!(m.warnings.len(), 201);
    assert!(m.warnings.iter().all(|w| w.line == 1));
    assert!(m.warnings.windows(2).all(|w| w[0].column <= w[1].column || w[1].message.contains("further")));
}

#[test]
fn a_2004_manifest_without_schemaversion_says_how_it_was_read() {
    let m = ok(&mutate("<schemaversion>2004 4th Edition</schemaversion>", ""));
    let w: Vec<&str> = m.warnings.iter().filter(|w| w.kind == ErrorKind::Version).map(|w| w.message.as_str()).collect();
    assert_eq!(w, ["no <schemaversion>; read as SCORM 2004 2nd Edition from the SCORM 2004 namespaces (no element of a later edition is used)"]);
    // Its SCOs talk to the 2004 API.
    assert!(m.version.is_2004());
    assert_eq!(m.activity_tree.children[0].launch.as_ref().map(|l| l.is_sco), Some(true));
}

/// SCORM 1.2 lets an item with children reference a resource (eXe and other
/// tools export such packages): it is launchable. SCORM 2004 launches leaves only.
#[test]
fn an_item_with_children_and_a_resource_launches_in_scorm_12_only() {
    let v12 = r#"<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
<organizations default="O"><organization identifier="O"><title>T</title>
<item identifier="P" identifierref="R1"><title>Parent page</title>
<item identifier="C" identifierref="R2"><title>Child</title></item>
</item></organization></organizations>
<resources><resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="p.html"/>
<resource identifier="R2" type="webcontent" adlcp:scormtype="sco" href="c.html"/></resources></manifest>"#;
    let m = ok(v12);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    let parent = &m.activity_tree.children[0];
    assert_eq!(parent.launch.as_ref().map(|l| l.href.as_str()), Some("p.html"));
    assert_eq!(parent.children[0].launch.as_ref().map(|l| l.href.as_str()), Some("c.html"));

    let v2004 = mutate(
        r#"<item identifier="I1" identifierref="R1"><title>A</title>"#,
        r#"<item identifier="P" identifierref="R1"><title>P</title><item identifier="I1" identifierref="R1"><title>A</title></item>"#,
    );
    let m = ok(&v2004);
    assert_eq!(m.activity_tree.children[0].launch, None);
    assert!(m.warnings.iter().any(|w| w.message.contains("cluster item may not reference a resource")), "{:?}", m.warnings);
}
