//! Distances on the globe, for "nearby" and "possible duplicate" (same on server and client).

/// Mean Earth radius in metres (IUGG).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two WGS84 points (haversine).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Initial bearing from the first point to the second, in degrees clockwise from north (0–360).
pub fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    (y.atan2(x).to_degrees() + 360.0) % 360.0
}

/// One of eight compass points for a bearing: 0 = N, 1 = NE, … 7 = NW.
pub fn compass_point(bearing_deg: f64) -> usize {
    (((bearing_deg % 360.0 + 360.0) % 360.0 + 22.5) / 45.0) as usize % 8
}

/// A latitude/longitude box that holds every point within `radius_m` of the centre: a cheap
/// prefilter before the exact distance. Returns (min_lat, max_lat, min_lon, max_lon).
pub fn bounding_box(lat: f64, lon: f64, radius_m: f64) -> (f64, f64, f64, f64) {
    let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
    let cos = lat.to_radians().cos().abs().max(1e-6);
    let dlon = (dlat / cos).min(180.0);
    (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearings() {
        // Thiên Mụ pagoda is west-south-west of Ngọ Môn; Đông Ba market north-east of it.
        let b = bearing_deg(16.4672, 107.5786, 16.4533, 107.5447);
        assert!((240.0..255.0).contains(&b), "{b}");
        assert_eq!(compass_point(b), 5, "SW");
        assert_eq!(compass_point(bearing_deg(16.46, 107.58, 16.47, 107.58)), 0);
        assert_eq!(compass_point(bearing_deg(16.46, 107.58, 16.46, 107.59)), 2);
        assert_eq!(compass_point(359.0), 0);
    }

    #[test]
    fn known_distances() {
        // Ngọ Môn (Imperial City gate) to Thiên Mụ pagoda: 1.55 km south, 3.62 km west: 3.93 km.
        let d = distance_m(16.4672, 107.5786, 16.4533, 107.5447);
        assert!((3_900.0..3_960.0).contains(&d), "{d}");
        assert!(distance_m(16.46, 107.59, 16.46, 107.59) < 1e-6);
        // 150 m is about 0.00135° of latitude.
        let d = distance_m(16.46, 107.59, 16.46135, 107.59);
        assert!((149.0..151.0).contains(&d), "{d}");
    }

    #[test]
    fn box_contains_the_circle() {
        let (lat, lon, r) = (16.46, 107.59, 150.0);
        let (a, b, c, d) = bounding_box(lat, lon, r);
        for bearing in 0..36 {
            let t = f64::from(bearing) * 10f64.to_radians();
            // A point just inside the circle in each direction.
            let plat = lat + (r * 0.99 / EARTH_RADIUS_M).to_degrees() * t.cos();
            let plon =
                lon + (r * 0.99 / EARTH_RADIUS_M).to_degrees() * t.sin() / lat.to_radians().cos();
            assert!(distance_m(lat, lon, plat, plon) <= r);
            assert!(
                (a..=b).contains(&plat) && (c..=d).contains(&plon),
                "{bearing}"
            );
        }
    }
}
