//! Native per-call cost of GetValue/SetValue (not a test; no timing is
//! asserted anywhere): both run-times with 251 interactions and 20
//! objectives populated, then rounds of reads and writes over the model.
//!
//! ```text
//! cargo run --release --example bench_api
//! ```

use scorm_shim::engine::rte::NullHost;
use scorm_shim::engine::{scorm12, scorm2004};
use std::time::Instant;

fn main() {
    let n = 251;
    let mut a = scorm2004::Api::new(scorm2004::Launch::default(), None);
    a.initialize("");
    let mut keys = Vec::new();
    for i in 0..n {
        for (el, v) in [("id", format!("q{i}")), ("type", "choice".into()), ("learner_response", "a".into()), ("result", "correct".into())] {
            let k = format!("cmi.interactions.{i}.{el}");
            assert_eq!(a.set_value(&k, &v), "true", "{k}");
            keys.push(k);
        }
    }
    for i in 0..20 {
        let k = format!("cmi.objectives.{i}.id");
        a.set_value(&k, &format!("o{i}"));
        keys.push(format!("cmi.objectives.{i}.id"));
    }
    keys.extend(["cmi.location", "cmi.completion_status", "cmi.success_status", "cmi.score.scaled"].map(String::from));
    a.set_value("cmi.location", "p1");
    let t = Instant::now();
    let mut calls = 0u64;
    for _ in 0..30 {
        for k in &keys {
            let _ = a.get_value(k);
            calls += 1;
        }
    }
    println!("2004 GetValue: {:.0} ns/call over {calls} calls", t.elapsed().as_nanos() as f64 / calls as f64);
    let t = Instant::now();
    for r in 0..30_000 {
        a.set_value("cmi.location", if r % 2 == 0 { "a" } else { "b" });
    }
    println!("2004 SetValue cmi.location: {:.0} ns/call", t.elapsed().as_nanos() as f64 / 30_000.0);
    a.commit("", &mut NullHost);

    let mut b = scorm12::Api::new(scorm12::Launch::default(), None);
    b.initialize("");
    for i in 0..n {
        b.set_value(&format!("cmi.interactions.{i}.id"), &format!("q{i}"));
    }
    let t = Instant::now();
    for _ in 0..30_000 {
        let _ = b.get_value("cmi.core.lesson_location");
        let _ = b.get_value("cmi.interactions._count");
    }
    println!("1.2 GetValue: {:.0} ns/call", t.elapsed().as_nanos() as f64 / 60_000.0);
}
