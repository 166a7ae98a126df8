//! The early warning's acceptance trials, reduced for CI (fixed seeds; the full runs are
//! `./x soak`, results in RELIABILITY.md). Each would fail if the method broke: a null data set
//! flagged too often, a planted cluster missed, one device raising an alert, a continuing
//! cluster split into several alerts, the CUSUM deaf or jumpy.

use hues_insight::track::Tier;
use hues_insight::trial;

#[test]
fn null_data_sets_are_rarely_flagged() {
    let (p05, p01) = trial::null_shares(60, 199, 1);
    // 500 sets in the soak land in [0.03, 0.07]; 60 sets leave room for chance, not for a
    // broken statistic (which flags most sets).
    assert!(p05 <= 0.15, "share with p ≤ 0.05: {p05}");
    assert!(p01 <= 0.05, "share with p ≤ 0.01: {p01}");
}

#[test]
fn fifteen_extra_reports_raise_a_warning_on_the_planted_cells() {
    let (hit, good) = trial::power(12, 15, 999, 2);
    assert!(hit >= 0.8, "power {hit}");
    assert!(
        good >= 0.7,
        "with the cluster's reports mostly planted: {good}"
    );
}

#[test]
fn one_device_cannot_raise_an_alert() {
    for seed in 0..3 {
        assert_eq!(trial::one_device(499, 30 + seed), 0);
    }
}

#[test]
fn a_strong_cluster_is_flagged_by_the_next_day() {
    let flagged = (0..4).filter(|&s| trial::strong_onset(499, 40 + s)).count();
    assert!(flagged >= 3, "{flagged} of 4");
}

#[test]
fn a_cluster_over_three_days_is_one_alert() {
    for seed in 0..2 {
        assert_eq!(trial::alerts_for_three_day_cluster(499, 50 + seed), 1);
    }
}

#[test]
fn a_quiet_month_raises_no_warning() {
    let city = trial::city(60);
    let run = trial::daily(&city, 30, &[], 499, 61);
    assert!(run.at_least(Tier::Warning) <= 1, "{:?}", run.alerts.len());
}

#[test]
fn the_cusum_is_quiet_without_change_and_catches_a_step() {
    let quiet: Vec<usize> = (0..10)
        .map(|s| trial::in_control_run_length(365, 70 + s))
        .collect();
    assert!(trial::median(quiet.clone()) >= 365, "{quiet:?}");
    let delays: Vec<usize> = (0..10).map(|s| trial::step_delay(80 + s)).collect();
    assert!(trial::median(delays.clone()) <= 5, "{delays:?}");
}
