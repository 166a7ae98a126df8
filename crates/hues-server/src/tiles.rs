//! Map tiles from an MBTiles file (`--tiles`): `GET /tiles/{z}/{x}/{y}.png`, XYZ numbering (the
//! file's rows count from the bottom, TMS). For demos and tests; a real deployment points the
//! app at its own tile server.

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::AppState;

#[derive(Clone)]
pub struct TileFile {
    conn: Arc<Mutex<Connection>>,
}

impl TileFile {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        // Fail at start, not on the first request, if this is not an MBTiles file.
        conn.query_row("SELECT count(*) FROM tiles", [], |r| r.get::<_, i64>(0))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn get(&self, z: u8, x: u32, y: u32) -> Option<Vec<u8>> {
        let row = (1u32 << z).checked_sub(1)?.checked_sub(y)?;
        let conn = self.conn.lock().ok()?;
        conn.prepare_cached(
            "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
        )
        .ok()?
        .query_row(params![z, x, row], |r| r.get(0))
        .optional()
        .ok()
        .flatten()
    }
}

/// One tile, or 404 when there is none (or no tile file).
pub async fn tile(
    State(state): State<AppState>,
    UrlPath((z, x, y)): UrlPath<(u8, u32, String)>,
) -> Response {
    let y = y.strip_suffix(".png").unwrap_or(&y).parse::<u32>().ok();
    let (Some(file), Some(y)) = (state.tiles.clone(), y) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if z > 22 {
        return StatusCode::NOT_FOUND.into_response();
    }
    match tokio::task::spawn_blocking(move || file.get(z, x, y)).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
