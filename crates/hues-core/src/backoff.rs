//! Retry delays for the outbox: exponential, capped, with jitter so that many phones coming back
//! online together do not hit the server in lockstep.

use std::time::Duration;

pub const BASE: Duration = Duration::from_secs(2);
pub const CAP: Duration = Duration::from_secs(300);

/// Delay before the next try after `attempts` failed tries (1 = first failure), given a jitter
/// factor `jitter` in [0, 1): the delay lies in [d/2, d) for the exponential step d.
pub fn delay(attempts: u32, jitter: f64) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    let step = BASE.saturating_mul(1u32 << exp).min(CAP);
    let j = jitter.clamp(0.0, 1.0);
    step.mul_f64(0.5 + 0.5 * j)
}

/// `delay` with a random jitter.
pub fn random_delay(attempts: u32) -> Duration {
    delay(attempts, rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_then_caps() {
        let table = [
            (1, 2),
            (2, 4),
            (3, 8),
            (4, 16),
            (8, 256),
            (9, 300),
            (50, 300),
        ];
        for (attempts, full) in table {
            assert_eq!(
                delay(attempts, 1.0),
                Duration::from_secs(full),
                "attempt {attempts}"
            );
            assert_eq!(
                delay(attempts, 0.0),
                Duration::from_secs(full) / 2,
                "attempt {attempts}"
            );
        }
    }

    #[test]
    fn jitter_stays_in_half_open_band() {
        for attempts in 1..12 {
            for _ in 0..100 {
                let d = random_delay(attempts);
                let full = delay(attempts, 1.0);
                assert!(d >= full / 2 && d <= full, "{d:?} vs {full:?}");
            }
        }
    }
}
