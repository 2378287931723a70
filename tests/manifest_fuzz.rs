//! Mutated CTS manifests never panic: byte flips, truncations, line and
//! element deletions/duplications. Every outcome is a positioned error or a
//! manifest whose launch locations stay inside the package.

use proptest::prelude::*;
use scorm_shim::engine::manifest::{parse, walk, Manifest, ParseOptions};
use std::sync::OnceLock;

fn corpus() -> &'static Vec<String> {
    static C: OnceLock<Vec<String>> = OnceLock::new();
    C.get_or_init(|| {
        let mut v = Vec::new();
        let dir = std::path::Path::new("tests/conformance/scorm2004-cts/packages");
        for e in std::fs::read_dir(dir).expect("packages") {
            let p = e.expect("entry").path().join("imsmanifest.xml");
            v.push(std::fs::read_to_string(p).expect("manifest"));
        }
        for f in ["scorm12_full.xml", "scorm2004_4th_full.xml", "scorm2004_defaults.xml"] {
            v.push(std::fs::read_to_string(format!("tests/fixtures/manifests/{f}")).expect("fixture"));
        }
        v.sort();
        v
    })
}

/// The outcome must be well formed: errors carry a position, manifests only
/// safe launch locations.
fn check(input: &str) {
    match parse(input, &ParseOptions::default()) {
        Err(e) => assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty(), "{e:?}"),
        Ok(m) => check_manifest(&m),
    }
}

fn check_manifest(m: &Manifest) {
    for a in walk(&m.activity_tree) {
        if let Some(l) = &a.launch {
            let h = l.href.to_ascii_lowercase();
            let path = h.split(['?', '#']).next().unwrap_or("");
            assert!(!path.contains(':') && !h.starts_with('/') && !h.starts_with('\\'), "{}", l.href);
            assert!(!path.split('/').any(|s| s == ".." || s == "%2e%2e"), "{}", l.href);
        }
    }
    for w in &m.warnings {
        assert!(w.line >= 1 && w.column >= 1);
    }
    serde_json::to_string(m).expect("serializes");
}

fn fuzz_cases() -> u32 {
    std::env::var("MANIFEST_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

/// Byte offsets of every `<` in `s`.
fn tags(s: &str) -> Vec<usize> {
    s.bytes().enumerate().filter(|(_, b)| *b == b'<').map(|(i, _)| i).collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, byte: u8 },
    Truncate { at: usize },
    DeleteElement { a: usize, b: usize },
    DuplicateElement { a: usize, b: usize },
    DeleteLine { line: usize },
    DuplicateLine { line: usize },
}

fn apply(src: &str, m: &Mutation) -> String {
    let bytes = src.as_bytes();
    let n = bytes.len().max(1);
    let t = tags(src);
    let tag = |i: usize| t.get(i % t.len().max(1)).copied().unwrap_or(0);
    match *m {
        Mutation::Flip { at, byte } => {
            let mut b = bytes.to_vec();
            if let Some(x) = b.get_mut(at % n) {
                *x = byte;
            }
            String::from_utf8_lossy(&b).into_owned()
        }
        Mutation::Truncate { at } => String::from_utf8_lossy(bytes.get(..at % n).unwrap_or(bytes)).into_owned(),
        Mutation::DeleteElement { a, b } | Mutation::DuplicateElement { a, b } => {
            let (x, y) = (tag(a).min(tag(b)), tag(a).max(tag(b)));
            let (head, rest) = src.split_at(x);
            let (mid, tail) = rest.split_at(y - x);
            if matches!(m, Mutation::DeleteElement { .. }) {
                format!("{head}{tail}")
            } else {
                format!("{head}{mid}{mid}{tail}")
            }
        }
        Mutation::DeleteLine { line } | Mutation::DuplicateLine { line } => {
            let lines: Vec<&str> = src.lines().collect();
            let k = line % lines.len().max(1);
            let mut out = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                if i != k || matches!(m, Mutation::DuplicateLine { .. }) {
                    out.push(*l);
                }
                if i == k && matches!(m, Mutation::DuplicateLine { .. }) {
                    out.push(*l);
                }
            }
            out.join("\n")
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::DeleteElement { a, b }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::DuplicateElement { a, b }),
        any::<usize>().prop_map(|line| Mutation::DeleteLine { line }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
    ]
}

proptest! {
    // MANIFEST_FUZZ_CASES raises the count for a longer run.
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_manifests_never_panic(pick in any::<usize>(), muts in proptest::collection::vec(mutation(), 1..4)) {
        let c = corpus();
        let mut s = c[pick % c.len()].clone();
        for m in &muts {
            s = apply(&s, m);
        }
        check(&s);
    }
}

/// A deterministic sweep: every corpus manifest under every kind of
/// mutation at spread-out positions.
#[test]
fn deterministic_mutation_sweep() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let mut count = 0usize;
    for src in corpus() {
        for _ in 0..10 {
            let ms = [
                Mutation::Flip { at: next(), byte: next() as u8 },
                Mutation::Truncate { at: next() },
                Mutation::DeleteElement { a: next(), b: next() },
                Mutation::DuplicateElement { a: next(), b: next() },
                Mutation::DeleteLine { line: next() },
                Mutation::DuplicateLine { line: next() },
            ];
            for m in &ms {
                check(&apply(src, m));
                count += 1;
            }
        }
    }
    println!("deterministic sweep: {count} mutated manifests parsed");
    assert_eq!(count, corpus().len() * 10 * 6);
}
