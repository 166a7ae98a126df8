//! Kulldorff's prospective space-time permutation scan (Kulldorff et al. 2005, "A space-time
//! permutation scan statistic for disease outbreak detection"), as SaTScan runs it for daily
//! surveillance: only the reports themselves, no population at risk.
//!
//! Reports are counted in cells (`grid`) and days, the last day being today. A cylinder is a
//! zone — a centre cell and its nearest neighbours out to a radius — over a window of the last
//! 1..=W days. Its expected count, if where and when were independent, is
//! `μ = N_zone × N_window / N`; its log-likelihood ratio (when observed `c > μ`) is
//! `c ln(c/μ) + (N−c) ln((N−c)/(N−μ))`. The most unusual cylinder is compared with the same
//! maximum over data sets in which the days are shuffled among the reports (each keeps its
//! place): that keeps every cell's and every day's totals, so a citywide surge or a busy
//! district is not a cluster — only an excess here *and* now is.
//!
//! Counting: a device counts once per cell and day (one phone tapping "send" fifteen times is
//! one voice), and a cluster must hold reports from at least `min_devices` devices, checked on
//! the observed data. Cylinders with fewer than `min_devices` counts are left out of the
//! statistic, in the observed and in every shuffled data set alike.
//!
//! Speed: zones grow one neighbour at a time, so a zone's count is the previous zone's plus one
//! cell's; only the reports of the last W days are recounted per shuffle; the logarithms of the
//! expectations are computed once. [`scan_naive`] recounts every cylinder from its reports for
//! every shuffle, as a baseline for the benchmark and a check of the fast path.

use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;

/// One report: its cell (an index into the cells), its day (0 = the oldest, `days − 1` =
/// today) and who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub cell: usize,
    pub day: u16,
    pub device: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Days of data, today included (56).
    pub days: u16,
    /// The longest window, in days ending today (7).
    pub max_window: u16,
    /// The largest zone's radius, centre to centre, in metres (about 1 km).
    pub max_radius_m: f64,
    /// Shuffled data sets (999).
    pub permutations: u32,
    /// Distinct devices a cluster needs (3).
    pub min_devices: usize,
    /// Most clusters reported (the most unusual first, none sharing a cell).
    pub max_clusters: usize,
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            days: 56,
            max_window: 7,
            max_radius_m: 1000.0,
            permutations: 999,
            min_devices: 3,
            max_clusters: 5,
            seed: 0x68_75_65_73,
        }
    }
}

/// A cylinder found unusual.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The zone's cells, the centre first.
    pub cells: Vec<usize>,
    pub radius_m: f64,
    /// Its window: the last `window` days.
    pub window: u16,
    /// Counts (a device once per cell and day) inside the cylinder, and expected.
    pub observed: u32,
    pub expected: f64,
    pub llr: f64,
    /// Monte Carlo p-value: (1 + shuffles at least as extreme) / (shuffles + 1).
    pub p: f64,
    /// The Gumbel approximation of the same tail, finer than 1/(shuffles + 1).
    pub p_gumbel: f64,
    /// Every report inside (indices into the events given), duplicates included.
    pub events: Vec<usize>,
    pub devices: usize,
}

impl Cluster {
    /// The p-value for recurrence intervals: the Monte Carlo one, or Gumbel's where the shuffles
    /// are too few to resolve it (p ≤ 0.01), as SaTScan reports.
    pub fn p_tail(&self) -> f64 {
        if self.p > 0.01 { self.p } else { self.p_gumbel }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub clusters: Vec<Cluster>,
    /// Counts after a device counts once per cell and day.
    pub total: u32,
    pub cylinders: usize,
    /// The largest log-likelihood ratio of each shuffled data set.
    pub maxima: Vec<f64>,
}

/// The zones and expectations shared by the fast and the naive scan.
struct Prepared {
    /// (cell, day) of each count, after collapsing a device per cell and day.
    counted: Vec<(usize, u16)>,
    /// For each zone: its centre's neighbours in order of distance (the centre first), and
    /// their distances.
    zones: Vec<(Vec<usize>, Vec<f64>)>,
    /// Per zone, per size, per window (flattened): μ, ln μ, ln(N − μ).
    mu: Vec<[f64; 3]>,
    total: u32,
    /// x ln x for x = 0..=N.
    xlnx: Vec<f64>,
    w: usize,
    today: u16,
}

fn prepare(cells: &[(f64, f64)], events: &[Event], p: &Params) -> Prepared {
    let w = usize::from(p.max_window.clamp(1, p.days.max(1)));
    let today = p.days.saturating_sub(1);
    let mut counted: Vec<(usize, u16, u64)> = events
        .iter()
        .filter(|e| e.day <= today && e.cell < cells.len())
        .map(|e| (e.cell, e.day, e.device))
        .collect();
    counted.sort_unstable();
    counted.dedup();
    let counted: Vec<(usize, u16)> = counted.into_iter().map(|(c, d, _)| (c, d)).collect();
    let total = counted.len() as u32;

    let mut per_cell = vec![0u32; cells.len()];
    let mut per_window = vec![0u32; w];
    for &(c, d) in &counted {
        per_cell[c] += 1;
        let back = usize::from(today - d);
        if back < w {
            for n in per_window.iter_mut().skip(back) {
                *n += 1;
            }
        }
    }
    let occupied: Vec<usize> = (0..cells.len()).filter(|&c| per_cell[c] > 0).collect();
    let mut zones = Vec::with_capacity(occupied.len());
    let mut mu = Vec::new();
    let n = f64::from(total);
    for &centre in &occupied {
        let (x0, y0) = cells[centre];
        let mut near: Vec<(f64, usize)> = occupied
            .iter()
            .map(|&c| {
                (
                    ((cells[c].0 - x0).powi(2) + (cells[c].1 - y0).powi(2)).sqrt(),
                    c,
                )
            })
            .filter(|&(d, _)| d <= p.max_radius_m + 1e-6)
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut nz = 0u32;
        for &(_, c) in &near {
            nz += per_cell[c];
            for &nw in &per_window {
                let m = f64::from(nz) * f64::from(nw) / n;
                mu.push([m, m.ln(), (n - m).ln()]);
            }
        }
        zones.push((
            near.iter().map(|&(_, c)| c).collect(),
            near.iter().map(|&(d, _)| d).collect(),
        ));
    }
    let xlnx = (0..=total)
        .map(|x| {
            let x = f64::from(x);
            if x > 0.0 { x * x.ln() } else { 0.0 }
        })
        .collect();
    Prepared {
        counted,
        zones,
        mu,
        total,
        xlnx,
        w,
        today,
    }
}

impl Prepared {
    #[inline]
    fn llr(&self, c: u32, mu: &[f64; 3], min: u32) -> f64 {
        let cf = f64::from(c);
        let n = self.total;
        if c < min || cf <= mu[0] || f64::from(n) - mu[0] <= 0.0 {
            return 0.0;
        }
        let rest = n - c;
        self.xlnx[c as usize] - cf * mu[1] + self.xlnx[rest as usize] - f64::from(rest) * mu[2]
    }

    /// Per cell, per window length: counts in the last 1..=w days, for the given days.
    fn recent(&self, cells: usize, days: &[u16], out: &mut Vec<u32>) {
        out.clear();
        out.resize(cells * self.w, 0);
        for (&(c, _), &d) in self.counted.iter().zip(days) {
            let back = usize::from(self.today - d);
            if back < self.w {
                out[c * self.w + back] += 1;
            }
        }
        for c in 0..cells {
            for k in 1..self.w {
                out[c * self.w + k] += out[c * self.w + k - 1];
            }
        }
    }

    /// The largest log-likelihood ratio over every cylinder, counts from `cum`; with `keep`,
    /// every cylinder's (llr, zone, size, window) too.
    fn sweep(
        &self,
        cum: &[u32],
        min: u32,
        mut keep: Option<&mut Vec<(f64, usize, usize, usize)>>,
    ) -> f64 {
        let mut best = 0.0f64;
        let mut i = 0;
        let mut acc = vec![0u32; self.w];
        for (z, (near, _)) in self.zones.iter().enumerate() {
            acc.iter_mut().for_each(|a| *a = 0);
            for (size, &c) in near.iter().enumerate() {
                for (k, a) in acc.iter_mut().enumerate() {
                    *a += cum[c * self.w + k];
                    let l = self.llr(*a, &self.mu[i], min);
                    i += 1;
                    if l > 0.0 {
                        best = best.max(l);
                        if let Some(keep) = keep.as_deref_mut() {
                            keep.push((l, z, size, k));
                        }
                    }
                }
            }
        }
        best
    }
}

/// Runs the scan: `cells` are the cells' centres in metres, `events` the reports.
pub fn scan(cells: &[(f64, f64)], events: &[Event], p: &Params) -> Outcome {
    let prep = prepare(cells, events, p);
    let min = p.min_devices.max(1) as u32;
    let mut cum = Vec::new();
    let observed_days: Vec<u16> = prep.counted.iter().map(|&(_, d)| d).collect();
    prep.recent(cells.len(), &observed_days, &mut cum);
    let mut all = Vec::new();
    prep.sweep(&cum, min, Some(&mut all));
    let cylinders = prep.mu.len();

    let mut rng = SmallRng::seed_from_u64(p.seed);
    let mut days = observed_days.clone();
    let mut maxima = Vec::with_capacity(p.permutations as usize);
    for _ in 0..p.permutations {
        days.shuffle(&mut rng);
        prep.recent(cells.len(), &days, &mut cum);
        maxima.push(prep.sweep(&cum, min, None));
    }
    let clusters = pick(&prep, cells, events, p, all, &maxima);
    Outcome {
        clusters,
        total: prep.total,
        cylinders,
        maxima,
    }
}

/// The same scan, every cylinder recounted from its reports for every shuffle: the baseline.
pub fn scan_naive(cells: &[(f64, f64)], events: &[Event], p: &Params) -> Outcome {
    let prep = prepare(cells, events, p);
    let min = p.min_devices.max(1) as u32;
    let mut by_cell: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
    for (i, &(c, _)) in prep.counted.iter().enumerate() {
        by_cell[c].push(i);
    }
    let count = |days: &[u16], keep: &mut Option<&mut Vec<(f64, usize, usize, usize)>>| {
        let mut best = 0.0f64;
        let mut i = 0;
        for (z, (near, _)) in prep.zones.iter().enumerate() {
            for size in 0..near.len() {
                for k in 0..prep.w {
                    let mut c = 0u32;
                    for &cell in &near[..=size] {
                        for &e in &by_cell[cell] {
                            if usize::from(prep.today - days[e]) <= k {
                                c += 1;
                            }
                        }
                    }
                    let l = prep.llr(c, &prep.mu[i], min);
                    i += 1;
                    if l > 0.0 {
                        best = best.max(l);
                        if let Some(keep) = keep.as_deref_mut() {
                            keep.push((l, z, size, k));
                        }
                    }
                }
            }
        }
        best
    };
    let observed_days: Vec<u16> = prep.counted.iter().map(|&(_, d)| d).collect();
    let mut all = Vec::new();
    count(&observed_days, &mut Some(&mut all));
    let mut rng = SmallRng::seed_from_u64(p.seed);
    let mut days = observed_days.clone();
    let mut maxima = Vec::with_capacity(p.permutations as usize);
    for _ in 0..p.permutations {
        days.shuffle(&mut rng);
        maxima.push(count(&days, &mut None));
    }
    let cylinders = prep.mu.len();
    let clusters = pick(&prep, cells, events, p, all, &maxima);
    Outcome {
        clusters,
        total: prep.total,
        cylinders,
        maxima,
    }
}

/// The clusters to report: the most unusual cylinders first, each with enough devices and
/// sharing no cell with one taken before.
fn pick(
    prep: &Prepared,
    cells: &[(f64, f64)],
    events: &[Event],
    p: &Params,
    mut all: Vec<(f64, usize, usize, usize)>,
    maxima: &[f64],
) -> Vec<Cluster> {
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    let gumbel = Gumbel::fit(maxima);
    let mut taken = vec![false; cells.len()];
    let mut out: Vec<Cluster> = Vec::new();
    for (llr, z, size, k) in all {
        if out.len() >= p.max_clusters {
            break;
        }
        let (near, dist) = &prep.zones[z];
        let zone = &near[..=size];
        if zone.iter().any(|&c| taken[c]) {
            continue;
        }
        let window = (k + 1) as u16;
        let first_day = prep.today + 1 - window;
        let inside: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.day >= first_day && e.day <= prep.today && zone.contains(&e.cell))
            .map(|(i, _)| i)
            .collect();
        let mut devices: Vec<u64> = inside.iter().map(|&i| events[i].device).collect();
        devices.sort_unstable();
        devices.dedup();
        if devices.len() < p.min_devices {
            continue;
        }
        let i = cylinder_index(prep, z, size, k);
        let observed = zone
            .iter()
            .map(|&c| {
                prep.counted
                    .iter()
                    .filter(|&&(cc, d)| cc == c && d >= first_day)
                    .count() as u32
            })
            .sum();
        let beaten = maxima.iter().filter(|&&m| m >= llr).count();
        zone.iter().for_each(|&c| taken[c] = true);
        out.push(Cluster {
            cells: zone.to_vec(),
            radius_m: dist[size],
            window,
            observed,
            expected: prep.mu[i][0],
            llr,
            p: (1 + beaten) as f64 / (maxima.len() + 1) as f64,
            p_gumbel: gumbel.tail(llr),
            events: inside,
            devices: devices.len(),
        });
    }
    out
}

fn cylinder_index(prep: &Prepared, zone: usize, size: usize, k: usize) -> usize {
    let before: usize = prep.zones[..zone].iter().map(|(n, _)| n.len()).sum();
    (before + size) * prep.w + k
}

/// A Gumbel distribution fitted to the shuffled maxima by moments.
#[derive(Debug, Clone, Copy)]
pub struct Gumbel {
    location: f64,
    scale: f64,
}

impl Gumbel {
    pub fn fit(maxima: &[f64]) -> Self {
        let n = maxima.len().max(1) as f64;
        let mean = maxima.iter().sum::<f64>() / n;
        let var = maxima.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        let scale = (var.sqrt() * 6f64.sqrt() / std::f64::consts::PI).max(1e-9);
        Self {
            location: mean - 0.577_215_664_9 * scale,
            scale,
        }
    }

    /// P(max ≥ x).
    pub fn tail(&self, x: f64) -> f64 {
        -(-(-(x - self.location) / self.scale).exp()).exp_m1()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{City, plant};

    #[test]
    fn fast_and_naive_agree() {
        let city = City::new(40, 30.0, 11);
        let mut events = city.null_events(56, 5);
        plant(&city, &mut events, 55, 12, 2, 7);
        let p = Params {
            permutations: 49,
            ..Params::default()
        };
        let a = scan(&city.centres, &events, &p);
        let b = scan_naive(&city.centres, &events, &p);
        assert_eq!(a.maxima, b.maxima);
        assert_eq!(a.clusters, b.clusters);
        assert!(a.cylinders > 100, "{}", a.cylinders);
    }

    #[test]
    fn one_device_counts_once_per_cell_and_day() {
        let cells = [(0.0, 0.0), (500.0, 0.0)];
        let e = |cell, day, device| Event { cell, day, device };
        let mut events = vec![e(0, 0, 1), e(1, 1, 2)];
        events.extend((0..15).map(|_| e(0, 55, 9)));
        let out = scan(&cells, &events, &Params::default());
        assert_eq!(out.total, 3);
        assert!(out.clusters.is_empty(), "{:?}", out.clusters);
    }

    #[test]
    fn gumbel_tail_is_a_probability() {
        let g = Gumbel::fit(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!(g.tail(100.0) < 1e-9);
        assert!(g.tail(-100.0) > 0.999);
    }
}
