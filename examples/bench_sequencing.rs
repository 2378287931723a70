//! Benchmark of the sequencing engine on generated trees (not a test).
//!
//! `cargo run --release --example bench_sequencing`
//!
//! For trees of about 100, 1,000 and 10,000 activities in three shapes
//! (wide: root → √n clusters → leaves; flat: root → n leaves; deep: a spine
//! of clusters, each with one leaf and the next cluster) it times building
//! the sequencer, a full `start` + `continue` walk with a SCO result per
//! leaf, the look-ahead a player asks for after each request (`navState`,
//! timed at 20 points of the walk: median and maximum), a full look-ahead in
//! the middle of the course, 200 choice requests, and a state round trip.

use std::time::{Duration, Instant};

use scorm_shim::engine::sequencing::{NavigationRequest, Outcome, Rng, ScoResult, Sequencer};
use scorm_shim::engine::seqdef::{Activity, Launch};

fn leaf(id: String) -> Activity {
    Activity {
        title: id.clone(),
        visible: true,
        launch: Some(Launch { resource_id: id.clone(), is_sco: true, href: format!("{id}.html") }),
        id,
        ..Activity::default()
    }
}

fn cluster(id: String, children: Vec<Activity>) -> Activity {
    let mut a = Activity { title: id.clone(), id, visible: true, children, ..Activity::default() };
    a.sequencing.control_mode.flow = true;
    a
}

fn wide(n: usize) -> Activity {
    let k = (n as f64).sqrt().max(1.0) as usize;
    let mut made = 1;
    let mut clusters = Vec::new();
    let mut c = 0;
    while made < n {
        let mut kids = Vec::new();
        made += 1;
        for j in 0..k {
            if made >= n {
                break;
            }
            kids.push(leaf(format!("l{c}_{j}")));
            made += 1;
        }
        if kids.is_empty() {
            kids.push(leaf(format!("l{c}_x")));
        }
        clusters.push(cluster(format!("c{c}"), kids));
        c += 1;
    }
    cluster("root".into(), clusters)
}

fn flat(n: usize) -> Activity {
    cluster("root".into(), (1..n.max(2)).map(|i| leaf(format!("l{i}"))).collect())
}

fn deep(n: usize) -> Activity {
    // built bottom-up, iteratively
    let levels = (n / 2).max(1);
    let mut node = cluster(format!("c{levels}"), vec![leaf(format!("l{levels}"))]);
    for i in (0..levels).rev() {
        node = cluster(format!("c{i}"), vec![leaf(format!("l{i}")), node]);
    }
    node
}

fn ms(d: Duration) -> String {
    format!("{:>9.2} ms", d.as_secs_f64() * 1000.0)
}

fn bench(shape: &str, tree: &Activity) {
    let t0 = Instant::now();
    let mut s = Sequencer::new(tree);
    let build = t0.elapsed();
    let n = s.nodes().len();

    let result = ScoResult { completion_status: Some("completed".into()), success_status: Some("passed".into()), ..ScoResult::default() };
    // the player asks for the look-ahead (navState) after each request:
    // timed at 20 points spread over the walk (not counted in the walk)
    let leaves_total = s.nodes().iter().filter(|x| x.children.is_empty()).count().max(1);
    let every = (leaves_total / 20).max(1);
    let mut after: Vec<Duration> = Vec::new();
    let mut walk = Duration::ZERO;
    let mut delivered = 0usize;
    let t0 = Instant::now();
    let mut out = s.navigate(NavigationRequest::Start);
    walk += t0.elapsed();
    while let Ok(Outcome::Deliver(_)) = out {
        delivered += 1;
        if delivered % every == 1 || every == 1 {
            let t1 = Instant::now();
            std::hint::black_box(s.lookahead());
            after.push(t1.elapsed());
        }
        let t1 = Instant::now();
        s.deliver_result(&result);
        out = s.navigate(NavigationRequest::Continue);
        walk += t1.elapsed();
    }
    after.sort();
    let nav_median = after.get(after.len() / 2).copied().unwrap_or_default();
    let nav_max = after.last().copied().unwrap_or_default();

    // back into the middle of the course for look-ahead and choice
    let leaves: Vec<String> = s.nodes().iter().filter(|x| x.children.is_empty()).map(|x| x.id.clone()).collect();
    let mid = leaves.get(leaves.len() / 2).cloned().unwrap_or_default();
    let _ = s.navigate(NavigationRequest::Choice(mid));
    let t0 = Instant::now();
    let la = s.lookahead();
    let look = t0.elapsed();
    let selectable = la.activities.iter().filter(|a| a.selectable).count();

    let mut rng = Rng(1);
    let t0 = Instant::now();
    let mut ok = 0;
    for _ in 0..200 {
        let id = leaves[rng.below(leaves.len())].clone();
        if s.navigate(NavigationRequest::Choice(id)).is_ok() {
            ok += 1;
        }
    }
    let choice = t0.elapsed();

    let t0 = Instant::now();
    let json = serde_json::to_string(&s.snapshot()).unwrap_or_default();
    let restored = serde_json::from_str(&json).ok().and_then(|st| Sequencer::restore(tree, st).ok()).is_some();
    let round = t0.elapsed();

    println!(
        "{shape:<5} {n:>6} activities | build {} | start+continue x{delivered:<5} {} ({:>7.1} µs/req) | navState after a request: median {} max {} ({} samples) | lookahead mid-course {} ({selectable} selectable) | 200 choices {} ({ok} ok) | state {} KB round trip {} ({})",
        ms(build),
        ms(walk),
        walk.as_secs_f64() * 1e6 / delivered.max(1) as f64,
        ms(nav_median),
        ms(nav_max),
        after.len(),
        ms(look),
        ms(choice),
        json.len() / 1024,
        ms(round),
        if restored { "restored" } else { "FAILED" },
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![100, 1_000, 10_000] } else { sizes };
    for n in sizes {
        bench("wide", &wide(n));
        bench("flat", &flat(n));
        bench("deep", &deep(n));
    }
}
