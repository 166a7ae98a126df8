//! Does a warning concern a place? A place is concerned when it lies inside one of the alert's
//! polygons or circles; an alert with no area at all covers the whole city. A bounding box
//! per area is tried first, so most areas cost four comparisons.

use crate::api::{AlertArea, AlertRecord};
use crate::geo;

/// Thành phố Huế, all of it (the land of the former Thừa Thiên Huế province), for alerts that
/// name no area.
pub const CITY_BOX: (f64, f64, f64, f64) = (15.95, 16.80, 107.00, 108.25);

/// Ray casting on (latitude, longitude) pairs; fine at a city's scale.
pub fn in_polygon(ring: &[(f64, f64)], (lat, lon): (f64, f64)) -> bool {
    let mut inside = false;
    let mut j = ring.len().wrapping_sub(1);
    for i in 0..ring.len() {
        let (yi, xi) = ring[i];
        let (yj, xj) = ring[j];
        if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn ring_box(ring: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    ring.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), &(lat, lon)| (a.min(lat), b.max(lat), c.min(lon), d.max(lon)),
    )
}

fn in_box((a, b, c, d): (f64, f64, f64, f64), (lat, lon): (f64, f64)) -> bool {
    lat >= a && lat <= b && lon >= c && lon <= d
}

/// (min latitude, max latitude, min longitude, max longitude).
type BBox = (f64, f64, f64, f64);
/// Centre latitude, longitude, radius in km.
type Circle = (f64, f64, f64);

/// An alert's shapes with their bounding boxes computed once, to test many places.
pub struct Prepared<'a> {
    polygons: Vec<(BBox, &'a [(f64, f64)])>,
    circles: Vec<(BBox, Circle)>,
}

impl<'a> Prepared<'a> {
    pub fn new(alert: &'a AlertRecord) -> Self {
        let areas = alert.infos.iter().flat_map(|i| &i.areas);
        let mut polygons = Vec::new();
        let mut circles = Vec::new();
        for a in areas {
            for ring in &a.polygons {
                polygons.push((ring_box(ring), ring.as_slice()));
            }
            for &(lat, lon, km) in &a.circles {
                circles.push((geo::bounding_box(lat, lon, km * 1000.0), (lat, lon, km)));
            }
        }
        Self { polygons, circles }
    }

    /// Whether the alert concerns a point: bounding box first, then the exact shape; an alert
    /// with no shape at all covers the whole city.
    pub fn affects(&self, p: (f64, f64)) -> bool {
        if self.polygons.is_empty() && self.circles.is_empty() {
            return in_box(CITY_BOX, p);
        }
        self.polygons
            .iter()
            .any(|(b, ring)| in_box(*b, p) && in_polygon(ring, p))
            || self.circles.iter().any(|(b, (lat, lon, km))| {
                in_box(*b, p) && geo::distance_m(*lat, *lon, p.0, p.1) <= km * 1000.0
            })
    }
}

/// Whether an alert concerns a point (for one place; prepare once for many).
pub fn affects(alert: &AlertRecord, p: (f64, f64)) -> bool {
    Prepared::new(alert).affects(p)
}

/// The same without the bounding boxes: every polygon and circle tested exactly (the
/// benchmark's baseline).
pub fn affects_naive(alert: &AlertRecord, p: (f64, f64)) -> bool {
    let areas: Vec<&AlertArea> = alert.infos.iter().flat_map(|i| &i.areas).collect();
    if areas
        .iter()
        .all(|a| a.polygons.is_empty() && a.circles.is_empty())
    {
        return in_box(CITY_BOX, p);
    }
    areas.iter().any(|a| {
        a.polygons.iter().any(|ring| in_polygon(ring, p))
            || a.circles
                .iter()
                .any(|&(lat, lon, km)| geo::distance_m(lat, lon, p.0, p.1) <= km * 1000.0)
    })
}

/// Higher is more severe (CAP's severity words).
pub fn severity_rank(s: &str) -> u8 {
    match s {
        "Extreme" => 4,
        "Severe" => 3,
        "Moderate" => 2,
        "Minor" => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::AlertInfo;

    fn alert(areas: Vec<AlertArea>) -> AlertRecord {
        AlertRecord {
            identifier: "x".into(),
            sender: "s".into(),
            sent: "2026-11-21T14:00:00+07:00".into(),
            status: "Actual".into(),
            msg_type: "Alert".into(),
            state: "active".into(),
            infos: vec![AlertInfo {
                areas,
                ..Default::default()
            }],
        }
    }

    #[test]
    fn polygons_circles_and_the_whole_city() {
        // A box around the river's south bank in Thuận Hóa.
        let river = AlertArea {
            description: "phường Thuận Hóa".into(),
            polygons: vec![vec![
                (16.47, 107.58),
                (16.48, 107.60),
                (16.46, 107.61),
                (16.45, 107.59),
                (16.47, 107.58),
            ]],
            circles: Vec::new(),
        };
        let a = alert(vec![river]);
        assert!(affects(&a, (16.465, 107.595)), "inside");
        assert!(!affects(&a, (16.50, 107.595)), "north of it");
        assert!(!affects(&a, (16.4533, 107.5447)), "Thiên Mụ, far west");
        let road = alert(vec![AlertArea {
            description: "Đường Lê Lợi".into(),
            polygons: Vec::new(),
            circles: vec![(16.4674, 107.5905, 0.5)],
        }]);
        assert!(affects(&road, (16.4690, 107.5920)), "200 m away");
        assert!(!affects(&road, (16.4800, 107.5905)), "1.4 km away");
        let whole_city = alert(vec![AlertArea {
            description: "Toàn thành phố".into(),
            ..Default::default()
        }]);
        assert!(affects(&whole_city, (16.4674, 107.5905)));
        assert!(
            !affects(&whole_city, (21.03, 105.85)),
            "Hà Nội is not in Huế"
        );
        for p in [(16.465, 107.595), (16.50, 107.595), (16.4690, 107.5920)] {
            for x in [&a, &road, &whole_city] {
                assert_eq!(affects(x, p), affects_naive(x, p));
            }
        }
    }
}
