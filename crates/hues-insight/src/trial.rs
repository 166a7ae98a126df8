//! The acceptance trials of the hot-issue early warning (issue 14), on synthetic cities with
//! fixed seeds, sized by the caller: `./x soak` runs them in full (hundreds of data sets × 999
//! shuffles, `examples/soak.rs`), CI a reduced set (`tests/early_warning.rs`).

use rand::SeedableRng;
use rand::rngs::SmallRng;

use crate::cusum;
use crate::scan::{self, Event, Params};
use crate::synth::{City, WEEKDAY, plant};
use crate::track::{self, Open, Step, Tier};

/// The test city: about 100 cells of uneven intensity, ~80 reports a day.
pub fn city(seed: u64) -> City {
    City::new(100, 80.0, seed)
}

fn params(perms: u32, seed: u64) -> Params {
    Params {
        permutations: perms,
        seed,
        ..Params::default()
    }
}

/// The tier of the most unusual cluster (one category: one scan a day).
pub fn tier_of(c: &scan::Cluster) -> Option<Tier> {
    track::tier(track::recurrence_days(c.p_tail(), 1), false)
}

/// Over `sets` null data sets: the shares with p ≤ 0.05 and p ≤ 0.01.
pub fn null_shares(sets: u32, perms: u32, seed: u64) -> (f64, f64) {
    let (mut a, mut b) = (0u32, 0u32);
    for s in 0..sets {
        let seed = seed.wrapping_add(u64::from(s) * 7919);
        let c = city(seed);
        let events = c.null_events(56, seed ^ 1);
        let out = scan::scan(&c.centres, &events, &params(perms, seed ^ 2));
        // The data set's p-value: that of its most unusual cluster.
        if let Some(top) = out.clusters.first() {
            a += u32::from(top.p <= 0.05);
            b += u32::from(top.p <= 0.01);
        }
    }
    (
        f64::from(a) / f64::from(sets),
        f64::from(b) / f64::from(sets),
    )
}

/// What a run of daily analyses raised.
#[derive(Debug, Default, Clone)]
pub struct Daily {
    /// Alerts (new, not continued) with the highest tier each reached and their reports
    /// (days relative to the run that raised them).
    pub alerts: Vec<(Tier, Vec<Event>)>,
}

impl Daily {
    pub fn at_least(&self, tier: Tier) -> usize {
        self.alerts.iter().filter(|(t, _)| *t >= tier).count()
    }
}

/// Daily analyses over `days` days (each on the 56 days ending that day), with the alert
/// tracker; `extra` adds planted events (absolute day numbers ≥ 56 count as days of the run).
pub fn daily(city: &City, days: u16, extra: &[Event], perms: u32, seed: u64) -> Daily {
    let total = 56 + days;
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut by_day: Vec<Vec<Event>> = (0..total)
        .map(|d| {
            let mut v = Vec::new();
            city.day_events(&mut rng, d, 1.0, &mut v);
            v
        })
        .collect();
    for e in extra {
        if let Some(v) = by_day.get_mut(usize::from(e.day)) {
            v.push(*e);
        }
    }
    let key = |cell: usize| {
        let (x, y) = city.centres[cell];
        ((x / 500.0).round() as i32, (y / 500.0).round() as i32)
    };
    let mut out = Daily::default();
    let mut open: Vec<Open<usize>> = Vec::new();
    for today in 56..total {
        let first = today + 1 - 56;
        let events: Vec<Event> = (first..=today)
            .flat_map(|d| by_day[usize::from(d)].iter())
            .map(|e| Event {
                day: e.day - first,
                ..*e
            })
            .collect();
        let run = scan::scan(
            &city.centres,
            &events,
            &params(perms, seed ^ u64::from(today)),
        );
        let found: Vec<(&scan::Cluster, Tier)> = run
            .clusters
            .iter()
            .filter_map(|c| tier_of(c).map(|t| (c, t)))
            .collect();
        let cells: Vec<Vec<_>> = found
            .iter()
            .map(|(c, _)| c.cells.iter().map(|&i| key(i)).collect())
            .collect();
        for step in track::track(&open, &cells, i64::from(today)) {
            match step {
                Step::New(i) => {
                    let (c, t) = found[i];
                    out.alerts
                        .push((t, c.events.iter().map(|&e| events[e]).collect()));
                    open.push(Open {
                        key: out.alerts.len() - 1,
                        cells: cells[i].clone(),
                        seen: i64::from(today),
                    });
                }
                Step::Ongoing(i, k) => {
                    let (_, t) = found[i];
                    out.alerts[k].0 = out.alerts[k].0.max(t);
                    if let Some(o) = open.iter_mut().find(|o| o.key == k) {
                        o.cells = cells[i].clone();
                        o.seen = i64::from(today);
                    }
                }
                Step::Close(k) => open.retain(|o| o.key != k),
            }
        }
    }
    out
}

/// One planted data set: (reached warning or more, share of the planted inside the cluster,
/// share of the cluster's reports planted).
pub fn planted(extra: usize, perms: u32, seed: u64) -> (bool, f64, f64) {
    let c = city(seed);
    let mut events = c.null_events(56, seed ^ 1);
    let mut rng = SmallRng::seed_from_u64(seed ^ 3);
    let span = rand::Rng::random_range(&mut rng, 1..=3);
    let (planted, _) = plant(&c, &mut events, 55, extra, span, seed ^ 4);
    let out = scan::scan(&c.centres, &events, &params(perms, seed ^ 2));
    let hit = out
        .clusters
        .iter()
        .filter(|cl| tier_of(cl) >= Some(Tier::Warning))
        .map(|cl| {
            let inside = planted.iter().filter(|i| cl.events.contains(i)).count();
            (
                inside as f64 / planted.len() as f64,
                inside as f64 / cl.events.len().max(1) as f64,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match hit {
        Some((recall, precision)) if recall > 0.0 => (true, recall, precision),
        _ => (false, 0.0, 0.0),
    }
}

/// Power over `sets` data sets: (share raising warning or more on the planted reports, share
/// doing so with ≥ 70 % of them inside and ≥ 50 % of the cluster planted).
pub fn power(sets: u32, extra: usize, perms: u32, seed: u64) -> (f64, f64) {
    let (mut hit, mut good) = (0u32, 0u32);
    for s in 0..sets {
        let (h, recall, precision) =
            planted(extra, perms, seed.wrapping_add(u64::from(s) * 104_729));
        hit += u32::from(h);
        good += u32::from(h && recall >= 0.7 && precision >= 0.5);
    }
    (
        f64::from(hit) / f64::from(sets),
        f64::from(good) / f64::from(sets),
    )
}

/// A strong cluster (10 reports a day in one or two cells) starting on the run's day `d`:
/// flagged (warning or more) by the end of day d+1?
pub fn strong_onset(perms: u32, seed: u64) -> bool {
    let c = city(seed);
    let mut extra = Vec::new();
    // Days 56..=60 of the run are the warm-up; the cluster starts on day 61 and goes on.
    for d in 61..66u16 {
        // The same seed: the same cells every day.
        plant(&c, &mut extra, d, 10, 1, seed);
    }
    let run = daily(&c, 7, &extra, perms, seed ^ 5);
    // Runs on days 56..=62: the cluster's first two days are 61 and 62.
    run.alerts.iter().any(|(t, ev)| {
        *t >= Tier::Warning
            && ev
                .iter()
                .any(|e| extra.iter().any(|x| x.device == e.device))
    })
}

/// A cluster over three days (planted on run days 60..=62), followed daily for a week: how
/// many alerts touched it.
pub fn alerts_for_three_day_cluster(perms: u32, seed: u64) -> usize {
    let c = city(seed);
    let mut extra = Vec::new();
    let mut v = Vec::new();
    plant(&c, &mut v, 62, 24, 3, seed);
    extra.extend(v);
    let run = daily(&c, 10, &extra, perms, seed ^ 6);
    run.alerts
        .iter()
        .filter(|(_, ev)| {
            ev.iter()
                .any(|e| extra.iter().any(|x| x.device == e.device))
        })
        .count()
}

/// Fifteen reports from one device in one cell over three days: clusters touching them.
pub fn one_device(perms: u32, seed: u64) -> usize {
    let c = city(seed);
    let mut events = c.null_events(56, seed ^ 1);
    let start = events.len();
    for i in 0..15u16 {
        events.push(Event {
            cell: 7,
            day: 53 + i % 3,
            device: 42,
        });
    }
    let out = scan::scan(&c.centres, &events, &params(perms, seed ^ 2));
    out.clusters
        .iter()
        .filter(|cl| tier_of(cl).is_some() && cl.events.iter().any(|&e| e >= start))
        .count()
}

/// A citywide daily series of ~80 reports with the weekday factor; from day `step_at` on,
/// multiplied by `factor`.
pub fn series(days: usize, step_at: usize, factor: f64, seed: u64) -> Vec<u32> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..days)
        .map(|d| {
            let f = if d >= step_at { factor } else { 1.0 };
            crate::synth::poisson(&mut rng, 80.0 * WEEKDAY[d % 7] * f)
        })
        .collect()
}

/// Days from the baseline's end to the CUSUM's first alarm on a series without change (capped).
pub fn in_control_run_length(cap: usize, seed: u64) -> usize {
    let s = series(cusum::BASELINE_DAYS + cap, usize::MAX, 1.0, seed);
    cusum::run(&s, |i| i % 7)
        .iter()
        .skip(cusum::BASELINE_DAYS)
        .position(|d| d.alarm)
        .map_or(cap, |p| p + 1)
}

/// Days from a +50 % step (after 100 quiet days) to the first alarm (capped at 60).
pub fn step_delay(seed: u64) -> usize {
    let at = cusum::BASELINE_DAYS + 100;
    let s = series(at + 60, at, 1.5, seed);
    let days = cusum::run(&s, |i| i % 7);
    days.iter()
        .skip(at)
        .position(|d| d.alarm)
        .map_or(60, |p| p + 1)
}

/// The median of a list of day counts.
pub fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}
