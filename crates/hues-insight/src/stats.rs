//! Quantiles for the dashboard's times (median, p90), nearest rank.

/// The `q` quantile (0..=1) of `values`, nearest rank; `None` when empty. Reorders the values
/// (linear time: no sort).
pub fn quantile_mut(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let rank = (q.clamp(0.0, 1.0) * values.len() as f64).ceil() as usize;
    let i = rank.clamp(1, values.len()) - 1;
    Some(*values.select_nth_unstable_by(i, f64::total_cmp).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile_mut(&mut v, 1.0), Some(10.0));
        assert_eq!(quantile_mut(&mut [7.0], 0.9), Some(7.0));
        let mut shuffled = vec![9.0, 2.0, 10.0, 1.0, 5.0, 3.0, 8.0, 4.0, 7.0, 6.0];
        assert_eq!(quantile_mut(&mut shuffled, 0.5), Some(5.0));
        assert_eq!(quantile_mut(&mut shuffled, 0.9), Some(9.0));
        assert_eq!(quantile_mut(&mut [], 0.5), None);
    }
}
