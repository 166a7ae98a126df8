//! The daily hot-issue scan over ~4,500 cases (56 days, ~100 cells, 11 categories): the scan
//! over all categories and over each, 999 shuffles each, on one core — beside the naive scan
//! that recounts every cylinder from its reports for every shuffle, in the same run.
//! Goal: ≤ 2 s for the whole daily run.
//!
//! `cargo bench -p hues-insight --bench scan`

use std::time::{Duration, Instant};

use hues_insight::scan::{self, Event, Outcome, Params};
use hues_insight::trial;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Category shares: a few big ones, a tail of small ones.
const SHARES: [f64; 11] = [
    0.22, 0.18, 0.14, 0.1, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.03,
];

type Scan = fn(&[(f64, f64)], &[Event], &Params) -> Outcome;

fn daily_run(
    f: Scan,
    centres: &[(f64, f64)],
    by_cat: &[Vec<Event>],
    all: &[Event],
) -> (Duration, usize) {
    let t = Instant::now();
    let p = Params::default();
    let mut clusters = f(centres, all, &p).clusters.len();
    for events in by_cat {
        clusters += f(centres, events, &p).clusters.len();
    }
    (t.elapsed(), clusters)
}

fn main() {
    let city = trial::city(9);
    let all = city.null_events(56, 10);
    let mut rng = SmallRng::seed_from_u64(11);
    let mut by_cat: Vec<Vec<Event>> = vec![Vec::new(); SHARES.len()];
    for e in &all {
        let mut u: f64 = rng.random();
        let mut k = 0;
        while k + 1 < SHARES.len() && u > SHARES[k] {
            u -= SHARES[k];
            k += 1;
        }
        by_cat[k].push(*e);
    }
    let one = scan::scan(&city.centres, &all, &Params::default());
    println!(
        "{} cases, {} cells, {} cylinders in the all-categories scan, 999 shuffles per scan, 12 scans",
        all.len(),
        city.centres.len(),
        one.cylinders
    );
    let mut fast = Vec::new();
    for _ in 0..5 {
        fast.push(daily_run(scan::scan, &city.centres, &by_cat, &all).0);
    }
    fast.sort();
    let fast = fast[2];
    let (naive, _) = daily_run(scan::scan_naive, &city.centres, &by_cat, &all);
    println!(
        "daily run, incremental scan (median of 5): {:.3} s",
        fast.as_secs_f64()
    );
    println!(
        "daily run, naive recount (1 run):          {:.3} s",
        naive.as_secs_f64()
    );
    println!(
        "| daily scan, 4,500 cases × 12 scans × 999 shuffles, one core | {:.2} s | naive {:.2} s | {:.0}× | goal ≤ 2 s |",
        fast.as_secs_f64(),
        naive.as_secs_f64(),
        naive.as_secs_f64() / fast.as_secs_f64()
    );
}
