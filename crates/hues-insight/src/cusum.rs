//! The Poisson CUSUM beside the scan: the scan conditions on each day's citywide total, so a
//! surge everywhere at once is invisible to it by design; the CUSUM watches that total.
//!
//! Each day's expected count is the mean of the 56 days before it times that weekday's factor
//! (shrunk towards 1 for thin series). The statistic accumulates the log-likelihood ratio of a
//! rise by `shift` (×1.5): `S = max(0, S + x ln r − (r − 1) m)`, and alarms at `S ≥ h`.
//! `H` is set so that a series with no change runs a year or more before a false alarm
//! (`./x soak` measures it: RELIABILITY.md).

/// The rise watched for.
pub const SHIFT: f64 = 1.5;
/// The alarm threshold (log-likelihood units).
pub const H: f64 = 6.5;
/// Days of baseline before the first day judged.
pub const BASELINE_DAYS: usize = 56;
/// Pseudo-days pulling each weekday's factor towards 1.
const SHRINK_DAYS: f64 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    pub expected: f64,
    pub s: f64,
    pub alarm: bool,
}

/// The CUSUM over daily counts; `weekday(i)` is day i's weekday (0..7). The first
/// `BASELINE_DAYS` days only feed the baseline (their entries have `s = 0`, no alarm).
pub fn run(daily: &[u32], weekday: impl Fn(usize) -> usize) -> Vec<Day> {
    let mut out = Vec::with_capacity(daily.len());
    let mut s = 0.0f64;
    let ln_r = SHIFT.ln();
    for t in 0..daily.len() {
        if t < BASELINE_DAYS {
            out.push(Day {
                expected: 0.0,
                s: 0.0,
                alarm: false,
            });
            continue;
        }
        let base = &daily[t - BASELINE_DAYS..t];
        let mean = base.iter().map(|&x| f64::from(x)).sum::<f64>() / BASELINE_DAYS as f64;
        let wd = weekday(t) % 7;
        let (mut sum, mut n) = (0.0, 0.0);
        for (i, &x) in base.iter().enumerate() {
            if weekday(t - BASELINE_DAYS + i) % 7 == wd {
                sum += f64::from(x);
                n += 1.0;
            }
        }
        let factor = if mean > 0.0 {
            (sum + SHRINK_DAYS * mean) / ((n + SHRINK_DAYS) * mean)
        } else {
            1.0
        };
        let expected = (mean * factor).max(0.1);
        s = (s + f64::from(daily[t]) * ln_r - (SHIFT - 1.0) * expected).max(0.0);
        out.push(Day {
            expected,
            s,
            alarm: s >= H,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_series_does_not_alarm_and_a_doubling_does() {
        let mut daily = vec![80u32; 120];
        assert!(run(&daily, |i| i % 7).iter().all(|d| !d.alarm));
        for x in daily.iter_mut().skip(100) {
            *x = 160;
        }
        let days = run(&daily, |i| i % 7);
        assert!(!days[99].alarm);
        assert!(days[100].alarm, "{:?}", days[100]);
    }
}
