//! From a day's clusters to alerts: tiers by recurrence interval, and whether a cluster is a
//! new alert or the continuation of one still open (a cluster spanning three days is one alert
//! updated twice, not three).

use crate::grid::CellKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Watch,
    Warning,
    Hot,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Watch => "watch",
            Tier::Warning => "warning",
            Tier::Hot => "hot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "watch" => Some(Tier::Watch),
            "warning" => Some(Tier::Warning),
            "hot" => Some(Tier::Hot),
            _ => None,
        }
    }
}

/// Recurrence interval thresholds, in days.
pub const WATCH_DAYS: f64 = 30.0;
pub const WARNING_DAYS: f64 = 100.0;
pub const HOT_DAYS: f64 = 365.0;

/// The recurrence interval of a cluster found by a daily analysis with tail p-value `p`,
/// when `scans` scans run each day (every category and all together): a cluster this unusual
/// turns up by chance about once in `1 / (p × scans)` days.
pub fn recurrence_days(p: f64, scans: u32) -> f64 {
    1.0 / (p.max(1e-12) * f64::from(scans.max(1)))
}

/// The tier of a cluster: watch ≥ 30 days, warning ≥ 100, hot ≥ 365 — or hot from warning
/// while the category's CUSUM also alarms.
pub fn tier(recurrence: f64, cusum_alarm: bool) -> Option<Tier> {
    if recurrence >= HOT_DAYS || (recurrence >= WARNING_DAYS && cusum_alarm) {
        Some(Tier::Hot)
    } else if recurrence >= WARNING_DAYS {
        Some(Tier::Warning)
    } else if recurrence >= WATCH_DAYS {
        Some(Tier::Watch)
    } else {
        None
    }
}

/// An alert still open, as the tracker sees it.
#[derive(Debug, Clone)]
pub struct Open<K> {
    pub key: K,
    pub cells: Vec<CellKey>,
    /// The day number it was last seen on.
    pub seen: i64,
}

/// What to do with a day's cluster (by its index in the day's list) or an open alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<K> {
    New(usize),
    Ongoing(usize, K),
    Close(K),
}

/// An open alert not seen for more than this many days closes (one quiet day does not split a
/// cluster in two).
pub const GRACE_DAYS: i64 = 1;

fn touches(a: &[CellKey], b: &[CellKey]) -> bool {
    a.iter().any(|x| {
        b.iter()
            .any(|y| (x.0 - y.0).abs() <= 1 && (x.1 - y.1).abs() <= 1)
    })
}

/// Matches `today`'s clusters (their cells) against the open alerts of the same scope: a
/// cluster touching an open alert's cells (sharing one or next to one) continues it.
pub fn track<K: Clone>(open: &[Open<K>], found: &[Vec<CellKey>], today: i64) -> Vec<Step<K>> {
    let mut steps = Vec::new();
    let mut used = vec![false; open.len()];
    for (i, cells) in found.iter().enumerate() {
        match open
            .iter()
            .enumerate()
            .find(|(j, o)| !used[*j] && touches(&o.cells, cells))
        {
            Some((j, o)) => {
                used[j] = true;
                steps.push(Step::Ongoing(i, o.key.clone()));
            }
            None => steps.push(Step::New(i)),
        }
    }
    for (j, o) in open.iter().enumerate() {
        if !used[j] && today - o.seen > GRACE_DAYS {
            steps.push(Step::Close(o.key.clone()));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers() {
        assert_eq!(tier(29.0, false), None);
        assert_eq!(tier(30.0, false), Some(Tier::Watch));
        assert_eq!(tier(150.0, false), Some(Tier::Warning));
        assert_eq!(tier(150.0, true), Some(Tier::Hot));
        assert_eq!(tier(40.0, true), Some(Tier::Watch));
        assert_eq!(tier(400.0, false), Some(Tier::Hot));
        assert!((recurrence_days(0.0025, 1) - 400.0).abs() < 1e-9);
        assert!((recurrence_days(0.001, 12) - 1000.0 / 12.0).abs() < 1e-9);
    }

    #[test]
    fn a_continuing_cluster_is_one_alert() {
        let open = vec![Open {
            key: 7,
            cells: vec![(3, 3), (3, 4)],
            seen: 10,
        }];
        let steps = track(&open, &[vec![(4, 4)], vec![(9, 9)]], 11);
        assert_eq!(steps, vec![Step::Ongoing(0, 7), Step::New(1)]);
        // Unseen for one day: still open; for two: closed.
        assert!(track(&open, &[], 11).is_empty());
        assert_eq!(track(&open, &[], 12), vec![Step::Close(7)]);
    }
}
