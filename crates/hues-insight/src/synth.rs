//! Synthetic cities with fixed seeds, for the tests and `./x soak`: cells of uneven intensity
//! on a 500 m grid, a weekday factor, Poisson counts, every report from its own device unless
//! told otherwise.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::grid::CELL_M;
use crate::scan::Event;

/// Monday-first weekday factors (busier early in the week), mean 1.
pub const WEEKDAY: [f64; 7] = [1.2, 1.1, 1.05, 1.0, 1.0, 0.85, 0.8];

#[derive(Debug, Clone)]
pub struct City {
    /// Cell centres in metres.
    pub centres: Vec<(f64, f64)>,
    /// Expected reports per day in each cell on an average weekday.
    pub rate: Vec<f64>,
}

/// A Poisson draw (inversion; the rates here are small or moderate).
pub fn poisson(rng: &mut SmallRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 200.0 {
        // Normal approximation keeps exp(−λ) from underflowing.
        let n = normal(rng);
        return (lambda + n * lambda.sqrt()).round().max(0.0) as u32;
    }
    let mut k = 0u32;
    let mut p = (-lambda).exp();
    let mut cdf = p;
    let u: f64 = rng.random();
    while u > cdf && k < 10_000 {
        k += 1;
        p *= lambda / f64::from(k);
        cdf += p;
    }
    k
}

fn normal(rng: &mut SmallRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

impl City {
    /// `cells` cells (a square-ish block), `per_day` reports a day in all, intensities
    /// log-normal (σ = 0.8) so that some streets are busy and others quiet.
    pub fn new(cells: usize, per_day: f64, seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let side = (cells as f64).sqrt().ceil().max(1.0) as usize;
        let centres = (0..cells)
            .map(|i| ((i % side) as f64 * CELL_M, (i / side) as f64 * CELL_M))
            .collect();
        let raw: Vec<f64> = (0..cells).map(|_| (0.8 * normal(&mut rng)).exp()).collect();
        let sum: f64 = raw.iter().sum();
        let rate = raw.iter().map(|r| r / sum * per_day).collect();
        Self { centres, rate }
    }

    /// `days` days of reports with no cluster (day `days − 1` is today; day 0 a Monday).
    pub fn null_events(&self, days: u16, seed: u64) -> Vec<Event> {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut out = Vec::new();
        for day in 0..days {
            self.day_events(&mut rng, day, 1.0, &mut out);
        }
        out
    }

    /// One day's reports, every rate multiplied by `factor`.
    pub fn day_events(&self, rng: &mut SmallRng, day: u16, factor: f64, out: &mut Vec<Event>) {
        let wd = WEEKDAY[usize::from(day) % 7];
        for (cell, &r) in self.rate.iter().enumerate() {
            for _ in 0..poisson(rng, r * wd * factor) {
                out.push(Event {
                    cell,
                    day,
                    device: rng.random(),
                });
            }
        }
    }

    /// The cells within `radius` metres of `cell`'s centre, nearest first.
    pub fn near(&self, cell: usize, radius: f64) -> Vec<usize> {
        let (x, y) = self.centres[cell];
        let mut v: Vec<(f64, usize)> = self
            .centres
            .iter()
            .enumerate()
            .map(|(i, c)| (((c.0 - x).powi(2) + (c.1 - y).powi(2)).sqrt(), i))
            .filter(|&(d, _)| d <= radius + 1e-6)
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v.into_iter().map(|(_, i)| i).collect()
    }
}

/// Plants `count` extra reports, each from its own device, in up to three adjacent cells (a
/// random cell and up to two of its neighbours) spread over the `span` days ending on `last`.
/// Returns the indices of the planted events and the cells used.
pub fn plant(
    city: &City,
    events: &mut Vec<Event>,
    last: u16,
    count: usize,
    span: u16,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
    let centre = rng.random_range(0..city.centres.len());
    let mut cells = city.near(centre, CELL_M);
    cells.truncate(rng.random_range(1..=3).min(cells.len()));
    let span = span.clamp(1, last + 1);
    let first = last + 1 - span;
    let start = events.len();
    for i in 0..count {
        events.push(Event {
            cell: cells[i % cells.len()],
            day: first + (i as u16 % span),
            device: rng.random(),
        });
    }
    ((start..events.len()).collect(), cells)
}
