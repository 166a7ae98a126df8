//! Square cells of about 500 m over the city, on a local flat projection (at Huế's latitude an
//! error of well under 1 % across the city), with their centres in metres for distances.

/// Side of a cell in metres.
pub const CELL_M: f64 = 500.0;

const EARTH_M_PER_DEG: f64 = 111_320.0;

/// A flat projection around a reference point.
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    lat0: f64,
    lon0: f64,
    cos0: f64,
}

/// A cell's column and row.
pub type CellKey = (i32, i32);

impl Grid {
    pub fn around(lat0: f64, lon0: f64) -> Self {
        Self {
            lat0,
            lon0,
            cos0: lat0.to_radians().cos(),
        }
    }

    /// Metres east and north of the reference point.
    pub fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            (lon - self.lon0) * EARTH_M_PER_DEG * self.cos0,
            (lat - self.lat0) * EARTH_M_PER_DEG,
        )
    }

    pub fn cell(&self, lat: f64, lon: f64) -> CellKey {
        let (x, y) = self.project(lat, lon);
        ((x / CELL_M).floor() as i32, (y / CELL_M).floor() as i32)
    }

    /// The cell's centre in metres.
    pub fn centre_m(key: CellKey) -> (f64, f64) {
        (
            (f64::from(key.0) + 0.5) * CELL_M,
            (f64::from(key.1) + 0.5) * CELL_M,
        )
    }

    /// The cell's centre as (latitude, longitude).
    pub fn centre(&self, key: CellKey) -> (f64, f64) {
        let (x, y) = Self::centre_m(key);
        (
            self.lat0 + y / EARTH_M_PER_DEG,
            self.lon0 + x / (EARTH_M_PER_DEG * self.cos0),
        )
    }

    /// The cell's corners (south-west, north-east) as (latitude, longitude).
    pub fn bounds(&self, key: CellKey) -> ((f64, f64), (f64, f64)) {
        let to = |x: f64, y: f64| {
            (
                self.lat0 + y / EARTH_M_PER_DEG,
                self.lon0 + x / (EARTH_M_PER_DEG * self.cos0),
            )
        };
        let (x0, y0) = (f64::from(key.0) * CELL_M, f64::from(key.1) * CELL_M);
        (to(x0, y0), to(x0 + CELL_M, y0 + CELL_M))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_about_500_m() {
        let g = Grid::around(16.46, 107.59);
        // 0.0045° of latitude ≈ 500 m: the next cell north.
        assert_eq!(g.cell(16.4601, 107.5901), (0, 0));
        assert_eq!(g.cell(16.4601 + 0.0045, 107.5901), (0, 1));
        let (lat, lon) = g.centre((3, -2));
        assert_eq!(g.cell(lat, lon), (3, -2));
    }
}
