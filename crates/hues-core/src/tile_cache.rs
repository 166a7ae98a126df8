//! Map tiles kept on the device, in an MBTiles file (`tiles.mbtiles` beside the cache): the
//! `tile:` scheme serves from here first, fetches from the tile server when online and keeps
//! what it fetched. "Save this area" downloads every tile of a box over a zoom range, with an
//! estimate first, progress, cancel, and resume (what is already here is skipped).

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use hues_wire::ipc::{AreaEstimate, AreaProgress, AreaRequest};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::CoreError;
use crate::tiles::{TileError, TileFetcher};

/// Most tiles one "save this area" may ask for (about 200 MB of typical tiles).
pub const MAX_AREA_TILES: u64 = 20_000;
/// What a tile weighs when the cache has none to measure yet (OpenStreetMap's average PNG).
const DEFAULT_TILE_BYTES: u64 = 18_000;

pub struct TileCache {
    conn: Mutex<Connection>,
    progress: Mutex<AreaProgress>,
    cancel: AtomicBool,
}

/// Tile x/y range covering a box at zoom `z` (Web Mercator, XYZ numbering).
pub fn tile_range(req: &AreaRequest, z: u8) -> (u32, u32, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = |lon: f64| (((lon + 180.0) / 360.0 * n).floor().clamp(0.0, n - 1.0)) as u32;
    let y = |lat: f64| {
        let lat = lat.clamp(-85.0511, 85.0511).to_radians();
        (((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n)
            .floor()
            .clamp(0.0, n - 1.0)) as u32
    };
    (
        x(req.min_lon),
        x(req.max_lon),
        y(req.max_lat),
        y(req.min_lat),
    )
}

/// Every tile of the request, lowest zoom first.
pub fn area_tiles(req: &AreaRequest) -> impl Iterator<Item = (u8, u32, u32)> + '_ {
    (req.zoom_from..=req.zoom_to).flat_map(move |z| {
        let (x0, x1, y0, y1) = tile_range(req, z);
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (z, x, y)))
    })
}

pub fn check_area(req: &AreaRequest) -> Result<u64, CoreError> {
    let bad = |what: &str| {
        CoreError::Invalid(hues_wire::ApiError::new(
            hues_wire::ErrorCode::InvalidValue,
            what.to_owned(),
        ))
    };
    let finite = [req.min_lat, req.max_lat, req.min_lon, req.max_lon]
        .iter()
        .all(|v| v.is_finite());
    if !finite || req.min_lat >= req.max_lat || req.min_lon >= req.max_lon {
        return Err(bad("the area is not a box"));
    }
    if req.zoom_from > req.zoom_to || req.zoom_to > 19 {
        return Err(bad("zoom levels must be 0…19, lowest first"));
    }
    let count: u64 = (req.zoom_from..=req.zoom_to)
        .map(|z| {
            let (x0, x1, y0, y1) = tile_range(req, z);
            u64::from(x1 - x0 + 1) * u64::from(y1 - y0 + 1)
        })
        .sum();
    if count > MAX_AREA_TILES {
        return Err(CoreError::Invalid(hues_wire::ApiError::new(
            hues_wire::ErrorCode::PayloadTooLarge,
            format!("{count} tiles: zoom in or choose fewer levels (at most {MAX_AREA_TILES})"),
        )));
    }
    Ok(count)
}

impl TileCache {
    /// Opens (creating) the tile file, the user's only (0600 with its `-wal` and `-shm` on
    /// unix): the tiles kept tell which areas the citizen looks at.
    pub fn open(path: &Path) -> Result<Self, CoreError> {
        crate::private::sqlite_files(path)?;
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT);
             CREATE UNIQUE INDEX IF NOT EXISTS metadata_name ON metadata (name);
             CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER,
                 tile_row INTEGER, tile_data BLOB);
             CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);
             INSERT OR IGNORE INTO metadata (name, value) VALUES ('name', 'hues offline tiles'),
                 ('format', 'png'), ('type', 'baselayer');",
        )?;
        crate::private::sqlite_files(path)?;
        Ok(Self {
            conn: Mutex::new(conn),
            progress: Mutex::new(AreaProgress::default()),
            cancel: AtomicBool::new(false),
        })
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, CoreError> {
        self.conn
            .lock()
            .map_err(|_| CoreError::Corrupt("tile cache lock poisoned".into()))
    }

    /// MBTiles rows count from the bottom (TMS).
    fn row(z: u8, y: u32) -> u32 {
        (1u32 << z) - 1 - y
    }

    pub fn get(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, CoreError> {
        Ok(self
            .conn()?
            .prepare_cached(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            )?
            .query_row(params![z, x, Self::row(z, y)], |r| r.get(0))
            .optional()?)
    }

    pub fn put(&self, z: u8, x: u32, y: u32, data: &[u8]) -> Result<(), CoreError> {
        self.conn()?
            .prepare_cached(
                "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![z, x, Self::row(z, y), data])?;
        Ok(())
    }

    fn has(&self, z: u8, x: u32, y: u32) -> Result<bool, CoreError> {
        Ok(self
            .conn()?
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3)",
            )?
            .query_row(params![z, x, Self::row(z, y)], |r| r.get(0))?)
    }

    /// A tile from the cache, else from the tile server (then kept).
    pub async fn tile(
        &self,
        fetcher: &TileFetcher,
        template: &str,
        z: u8,
        x: u32,
        y: u32,
    ) -> Result<Vec<u8>, TileError> {
        if let Ok(Some(data)) = self.get(z, x, y) {
            return Ok(data);
        }
        let t = fetcher.fetch(template, z, x, y).await?;
        let _ = self.put(z, x, y, &t.bytes);
        Ok(t.bytes)
    }

    /// How many tiles an area needs, how many are here, and about how many bytes the rest is.
    pub fn estimate(&self, req: &AreaRequest) -> Result<AreaEstimate, CoreError> {
        let tiles = check_area(req)?;
        let mut cached = 0;
        for (z, x, y) in area_tiles(req) {
            if self.has(z, x, y)? {
                cached += 1;
            }
        }
        let average: Option<f64> =
            self.conn()?
                .query_row("SELECT avg(length(tile_data)) FROM tiles", [], |r| r.get(0))?;
        let each = average.map_or(DEFAULT_TILE_BYTES, |a| a as u64);
        Ok(AreaEstimate {
            tiles,
            cached,
            bytes: (tiles - cached) * each,
        })
    }

    pub fn progress(&self) -> AreaProgress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn update(&self, f: impl FnOnce(&mut AreaProgress)) {
        if let Ok(mut p) = self.progress.lock() {
            f(&mut p);
        }
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Downloads every missing tile of the area, updating the progress; stops early when
    /// cancelled or when the tile server cannot be reached (what came is kept: asking again
    /// resumes).
    pub async fn save_area(
        &self,
        fetcher: &TileFetcher,
        template: &str,
        req: &AreaRequest,
    ) -> Result<(), CoreError> {
        let total = check_area(req)?;
        self.cancel.store(false, Ordering::Relaxed);
        self.update(|p| {
            *p = AreaProgress {
                total,
                running: true,
                ..Default::default()
            }
        });
        for (z, x, y) in area_tiles(req) {
            if self.cancel.load(Ordering::Relaxed) {
                self.update(|p| {
                    p.running = false;
                    p.cancelled = true;
                });
                return Ok(());
            }
            if !self.has(z, x, y)? {
                match fetcher.fetch(template, z, x, y).await {
                    Ok(t) => {
                        self.put(z, x, y, &t.bytes)?;
                        self.update(|p| p.bytes += t.bytes.len() as u64);
                    }
                    Err(TileError::Refused(_)) => self.update(|p| p.failed += 1),
                    Err(e) => {
                        let message = e.to_string();
                        self.update(|p| {
                            p.running = false;
                            p.error = Some(message);
                        });
                        return Ok(());
                    }
                }
            }
            self.update(|p| p.done += 1);
        }
        self.update(|p| {
            p.running = false;
            p.finished = true;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hue(z_from: u8, z_to: u8) -> AreaRequest {
        AreaRequest {
            min_lat: 16.455,
            max_lat: 16.475,
            min_lon: 107.575,
            max_lon: 107.600,
            zoom_from: z_from,
            zoom_to: z_to,
        }
    }

    #[test]
    fn tile_ranges_and_limits() {
        // Huế's centre at zoom 15 is around tile (26171, 14864).
        let (x0, x1, y0, y1) = tile_range(&hue(15, 15), 15);
        assert!(
            (26170..=26175).contains(&x0) && x1 >= x0 && x1 - x0 <= 3,
            "{x0}..{x1}"
        );
        assert!(
            (14855..=14870).contains(&y0) && y1 >= y0 && y1 - y0 <= 3,
            "{y0}..{y1}"
        );
        let n = check_area(&hue(13, 16)).expect("small area");
        assert_eq!(n, area_tiles(&hue(13, 16)).count() as u64);
        let province = AreaRequest {
            min_lat: 16.0,
            max_lat: 16.8,
            min_lon: 107.0,
            max_lon: 108.2,
            zoom_from: 10,
            zoom_to: 17,
        };
        assert!(check_area(&province).is_err(), "too many tiles");
        assert!(check_area(&hue(16, 13)).is_err(), "zoom order");
        let mut flat = hue(13, 13);
        flat.max_lat = flat.min_lat;
        assert!(check_area(&flat).is_err());
    }

    #[test]
    fn cache_round_trip_and_estimate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = TileCache::open(&dir.path().join("t.mbtiles")).expect("open");
        assert_eq!(c.get(15, 26171, 15005).expect("get"), None);
        c.put(15, 26171, 15005, b"png bytes").expect("put");
        assert_eq!(
            c.get(15, 26171, 15005).expect("get").as_deref(),
            Some(&b"png bytes"[..])
        );
        let req = hue(15, 15);
        let (x0, _, y0, _) = tile_range(&req, 15);
        c.put(15, x0, y0, &[0u8; 1000]).expect("put");
        let e = c.estimate(&req).expect("estimate");
        assert!(e.cached >= 1 && e.tiles >= e.cached);
        assert!(e.bytes > 0);
    }
}
