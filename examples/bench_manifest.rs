//! Manifest parsing benchmark (native). Generates SCORM 2004 4th Edition
//! manifests of 100, 1,000 and 10,000 items (clusters of 10 leaves, each leaf
//! with sequencing rules, objectives and maps, presentation and parameters)
//! and prints how long `parse` takes.
//!
//! ```text
//! cargo run --release --example bench_manifest
//! cargo run --release --example bench_manifest -- --write DIR   # also write manifest_<N>.xml
//! ```

use scorm_shim::engine::manifest::{parse, ParseOptions};
use std::fmt::Write as _;
use std::time::Instant;

/// A manifest with `items` leaf items.
fn generate(items: usize) -> String {
    let mut s = String::with_capacity(items * 1200);
    s.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG">
      <title>Benchmark course</title>
"#);
    let clusters = items.div_ceil(10);
    let mut n = 0;
    for c in 0..clusters {
        let _ = writeln!(s, "      <item identifier=\"C{c}\"><title>Module {c}</title>");
        for _ in 0..10 {
            if n == items {
                break;
            }
            let _ = write!(
                s,
                r#"        <item identifier="I{n}" identifierref="R{r}" parameters="?page={n}">
          <title>Lesson {n}</title>
          <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.8"/>
          <imsss:sequencing>
            <imsss:controlMode choiceExit="false"/>
            <imsss:sequencingRules>
              <imsss:preConditionRule>
                <imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions>
                <imsss:ruleAction action="skip"/>
              </imsss:preConditionRule>
            </imsss:sequencingRules>
            <imsss:limitConditions attemptLimit="3" attemptAbsoluteDurationLimit="PT1H"/>
            <imsss:objectives>
              <imsss:primaryObjective objectiveID="P{n}" satisfiedByMeasure="true">
                <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
                <imsss:mapInfo targetObjectiveID="g{n}" writeSatisfiedStatus="true"/>
              </imsss:primaryObjective>
            </imsss:objectives>
            <imsss:deliveryControls completionSetByContent="true"/>
          </imsss:sequencing>
          <adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>
        </item>
"#,
                r = n % 50
            );
            n += 1;
        }
        s.push_str("        <imsss:sequencing><imsss:controlMode flow=\"true\"/></imsss:sequencing>\n      </item>\n");
    }
    s.push_str("    </organization>\n  </organizations>\n  <resources>\n");
    for r in 0..items.min(50) {
        let _ = writeln!(
            s,
            r#"    <resource identifier="R{r}" type="webcontent" adlcp:scormType="sco" href="sco{r}/index.html" xml:base="content/"><file href="sco{r}/index.html"/></resource>"#
        );
    }
    s.push_str("  </resources>\n</manifest>\n");
    s
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = args.iter().position(|a| a == "--write").and_then(|i| args.get(i + 1));
    println!("{:>7} {:>10} {:>11} {:>11} {:>9}", "items", "bytes", "median ms", "min ms", "MB/s");
    for items in [100usize, 1_000, 10_000] {
        let xml = generate(items);
        if let Some(dir) = out_dir {
            std::fs::create_dir_all(dir).expect("create dir");
            std::fs::write(format!("{dir}/manifest_{items}.xml"), &xml).expect("write");
        }
        let runs = if items >= 10_000 { 7 } else { 21 };
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let m = parse(&xml, &ParseOptions { max_depth: 64, ..ParseOptions::default() }).expect("generated manifest parses");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(m.organizations[0].item_count, items + items.div_ceil(10));
        }
        times.sort_by(f64::total_cmp);
        let median = times[runs / 2];
        let min = times[0];
        println!("{items:>7} {:>10} {median:>11.3} {min:>11.3} {:>9.1}", xml.len(), xml.len() as f64 / 1e6 / (median / 1000.0));
    }
    if let Some(dir) = out_dir {
        println!("wrote manifest_100.xml, manifest_1000.xml, manifest_10000.xml to {dir}");
    }
}
