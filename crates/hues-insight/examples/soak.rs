//! The early warning's full acceptance trials (issue 14), for `./x soak`: hundreds of synthetic
//! data sets × 999 shuffles with fixed seeds. Prints a Markdown table for RELIABILITY.md and
//! exits non-zero when a goal is missed.
//!
//! `cargo run --release -p hues-insight --example soak`

use std::time::Instant;

use hues_insight::track::Tier;
use hues_insight::trial;

fn main() {
    let t0 = Instant::now();
    let mut rows: Vec<(String, String, String, bool)> = Vec::new();
    let mut row = |what: &str, got: String, goal: &str, ok: bool| {
        println!(
            "| {what} | {got} | {goal} | {} |",
            if ok { "met" } else { "MISSED" }
        );
        rows.push((what.into(), got, goal.into(), ok));
    };
    println!("| trial | measured | goal | |\n|---|---|---|---|");

    let (p05, p01) = trial::null_shares(500, 999, 1);
    row(
        "500 null data sets: share with p ≤ 0.05",
        format!("{p05:.3}"),
        "0.03–0.07",
        (0.03..=0.07).contains(&p05),
    );
    row(
        "500 null data sets: share with p ≤ 0.01",
        format!("{p01:.3}"),
        "≤ 0.02",
        p01 <= 0.02,
    );

    let mut warnings = Vec::new();
    for s in 0..3u64 {
        let city = trial::city(100 + s);
        let run = trial::daily(&city, 365, &[], 999, 200 + s);
        warnings.push((run.at_least(Tier::Warning), run.at_least(Tier::Watch)));
    }
    let worst = warnings.iter().map(|w| w.0).max().unwrap_or(0);
    row(
        "365 null days, daily runs (3 cities): warning-tier alerts (watch-tier)",
        warnings
            .iter()
            .map(|(w, a)| format!("{w} ({a})"))
            .collect::<Vec<_>>()
            .join(", "),
        "≤ 8 each",
        worst <= 8,
    );

    let (hit, good) = trial::power(100, 15, 999, 2);
    row(
        "15 planted reports, 100 sets: warning or higher",
        format!("{hit:.2}"),
        "≥ 0.90",
        hit >= 0.9,
    );
    row(
        "… with ≥ 70 % of the planted inside and ≥ 50 % of the cluster planted",
        format!("{good:.2}"),
        "recorded (floor)",
        true,
    );
    let (hit10, good10) = trial::power(100, 10, 999, 3);
    row(
        "10 planted reports, 100 sets: warning or higher (power, kept as a floor)",
        format!("{hit10:.2} ({good10:.2} with 70/50)"),
        "recorded (floor)",
        true,
    );

    let onset = (0..50)
        .filter(|&s| trial::strong_onset(999, 1000 + s))
        .count();
    row(
        "strong cluster from day d, 50 sets: flagged by the end of d+1",
        format!("{:.2}", onset as f64 / 50.0),
        "≥ 0.80",
        onset >= 40,
    );

    let alerts: Vec<usize> = (0..20)
        .map(|s| trial::alerts_for_three_day_cluster(999, 2000 + s))
        .collect();
    let ones = alerts.iter().filter(|&&a| a == 1).count();
    row(
        "a cluster over 3 days, 20 sets: sets with exactly one alert",
        format!("{ones} / 20 (alerts: {alerts:?})"),
        "one alert, not three",
        alerts.iter().all(|&a| a <= 1) && ones >= 18,
    );

    let one: usize = (0..50).map(|s| trial::one_device(999, 3000 + s)).sum();
    row(
        "15 reports from one device, 50 sets: alerts",
        format!("{one}"),
        "0",
        one == 0,
    );

    let runs: Vec<usize> = (0..200)
        .map(|s| trial::in_control_run_length(3650, 4000 + s))
        .collect();
    let mean = runs.iter().sum::<usize>() as f64 / runs.len() as f64;
    row(
        "CUSUM in control, 200 series: run length median (mean) days",
        format!("{} ({mean:.0})", trial::median(runs.clone())),
        "≥ 365",
        trial::median(runs) >= 365 && mean >= 365.0,
    );
    let delays: Vec<usize> = (0..200).map(|s| trial::step_delay(5000 + s)).collect();
    let delay = trial::median(delays);
    row(
        "CUSUM, sustained +50 % step, 200 series: median days to alarm",
        format!("{delay}"),
        "≤ 5",
        delay <= 5,
    );

    eprintln!("soak took {:.0?}", t0.elapsed());
    if rows.iter().any(|r| !r.3) {
        std::process::exit(1);
    }
}
