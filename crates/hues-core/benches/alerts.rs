//! "Affects me" for 10,000 alerts × 100 places, beside the same decision without the bounding-box
//! prefilter (every polygon and circle tested exactly), same data, same run.
//!
//! `cargo bench -p hues-core --bench alerts`

use std::time::Instant;

use hues_wire::alerts::{Prepared, affects_naive};
use hues_wire::api::{AlertArea, AlertInfo, AlertRecord};

/// SplitMix64: deterministic data on every machine.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() {
    let mut r = Rng(5);
    // Alerts over the city: a 24-sided polygon (a river reach, a coast) or a circle.
    let alerts: Vec<AlertRecord> = (0..10_000)
        .map(|i| {
            let (lat, lon) = (16.0 + r.unit() * 0.75, 107.0 + r.unit() * 1.2);
            let size = 0.005 + r.unit() * 0.05;
            let area = if i % 3 == 0 {
                AlertArea {
                    description: String::new(),
                    polygons: Vec::new(),
                    circles: vec![(lat, lon, size * 100.0)],
                }
            } else {
                let mut ring: Vec<(f64, f64)> = (0..24)
                    .map(|k| {
                        let a = k as f64 / 24.0 * std::f64::consts::TAU;
                        let wobble = 0.6 + r.unit() * 0.4;
                        (lat + a.sin() * size * wobble, lon + a.cos() * size * wobble)
                    })
                    .collect();
                ring.push(ring[0]);
                AlertArea {
                    description: String::new(),
                    polygons: vec![ring],
                    circles: Vec::new(),
                }
            };
            AlertRecord {
                identifier: format!("a{i}"),
                sender: "bench".into(),
                sent: "2026-11-21T14:00:00+07:00".into(),
                status: "Actual".into(),
                msg_type: "Alert".into(),
                state: "active".into(),
                infos: vec![AlertInfo {
                    areas: vec![area],
                    ..Default::default()
                }],
            }
        })
        .collect();
    let places: Vec<(f64, f64)> = (0..100)
        .map(|_| (16.0 + r.unit() * 0.75, 107.0 + r.unit() * 1.2))
        .collect();

    let run_ours = || {
        let start = Instant::now();
        let mut hits = 0usize;
        for a in &alerts {
            // Boxes once per alert (counted in the time), then every place.
            let prepared = Prepared::new(a);
            for &p in &places {
                hits += usize::from(prepared.affects(p));
            }
        }
        (start.elapsed(), hits)
    };
    let run_naive = || {
        let start = Instant::now();
        let mut hits = 0usize;
        for a in &alerts {
            for &p in &places {
                hits += usize::from(affects_naive(a, p));
            }
        }
        (start.elapsed(), hits)
    };
    // Alternate and keep the best of 5 of each.
    let mut ours = Vec::new();
    let mut naive = Vec::new();
    for _ in 0..5 {
        ours.push(run_ours());
        naive.push(run_naive());
    }
    let best = |v: &[(std::time::Duration, usize)]| v.iter().min_by_key(|x| x.0).copied();
    let (Some((t1, h1)), Some((t2, h2))) = (best(&ours), best(&naive)) else {
        return;
    };
    assert_eq!(h1, h2, "the prefilter changes no answer");
    println!(
        "| decide \"affects me\", 10,000 alerts × 100 places ({h1} hits) | hues (bounding box first) | every polygon and circle exactly | ratio |"
    );
    println!("|---|---|---|---|");
    println!(
        "| best of 5 | {:.1} ms | {:.1} ms | ×{:.3} |",
        t1.as_secs_f64() * 1000.0,
        t2.as_secs_f64() * 1000.0,
        t1.as_secs_f64() / t2.as_secs_f64()
    );
}
