//! Photos, content-addressed: a photo is named by the SHA-256 of its bytes, so one already here
//! is never sent again, and an interrupted upload is simply sent again (the file appears only
//! once whole: written to a temporary name, then renamed). The server trusts nothing the client
//! claims: it hashes the bytes itself, checks the size, and reads the JPEG header.

use std::io::Cursor;
use std::path::PathBuf;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use hues_wire::ErrorCode;
use hues_wire::api::MAX_PHOTO_BYTES;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiResult, Fail};
use crate::extract::{Caller, Device, Path};

/// Largest side a stored photo may have (the app sends ≤ 1600 px).
pub const MAX_PHOTO_EDGE: u32 = 4096;

#[derive(Clone)]
pub struct PhotoStore {
    dir: PathBuf,
}

/// A well-formed photo name: 64 lower-case hex digits.
pub fn is_sha256(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl PhotoStore {
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.dir.join(&sha[..2]).join(format!("{sha}.jpg"))
    }

    /// Checks and writes the bytes; returns the JPEG's size.
    fn write(&self, sha: &str, bytes: &[u8]) -> Result<(u32, u32), Fail> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(Fail::new(ErrorCode::PhotoTooLarge, "photo over 10 MB"));
        }
        if hex::encode(Sha256::digest(bytes)) != sha {
            return Err(Fail::new(
                ErrorCode::InvalidValue,
                "the bytes do not match their SHA-256 name",
            ));
        }
        if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Err(Fail::new(
                ErrorCode::PhotoUnsupported,
                "photos are stored as JPEG",
            ));
        }
        let (w, h) = image::ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Jpeg)
            .into_dimensions()
            .map_err(|e| Fail::new(ErrorCode::PhotoCorrupt, format!("not a readable JPEG: {e}")))?;
        if w > MAX_PHOTO_EDGE || h > MAX_PHOTO_EDGE {
            return Err(Fail::new(
                ErrorCode::PhotoTooManyPixels,
                format!("photo is {w}×{h}, over {MAX_PHOTO_EDGE} px"),
            ));
        }
        let path = self.path(sha);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Fail::internal)?;
        }
        let tmp = path.with_extension(format!("part-{}", uuid::Uuid::now_v7()));
        std::fs::write(&tmp, bytes).map_err(Fail::internal)?;
        std::fs::rename(&tmp, &path).map_err(Fail::internal)?;
        Ok((w, h))
    }

    fn read(&self, sha: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(sha)).ok()
    }
}

/// Whether every named photo is stored.
pub fn all_stored(conn: &Connection, photos: &[String]) -> Result<bool, Fail> {
    for sha in photos {
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM photos WHERE sha256 = ?1",
            [sha],
            |r| r.get(0),
        )?;
        if n == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Checks a list of photo names for a report or a status step.
pub fn check_list(conn: &Connection, photos: &[String]) -> Result<(), Fail> {
    if photos.len() > hues_wire::api::MAX_PHOTOS {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            format!("at most {} photos", hues_wire::api::MAX_PHOTOS),
        ));
    }
    if let Some(bad) = photos.iter().find(|p| !is_sha256(p)) {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            format!("photo {bad:?} is not a SHA-256 name"),
        ));
    }
    if !all_stored(conn, photos)? {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            "a photo of this report has not been uploaded",
        ));
    }
    Ok(())
}

/// Uploads a photo under its SHA-256. Idempotent: the same bytes again change nothing.
#[utoipa::path(put, path = "/api/v1/photos/{sha256}", tag = "citizen",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "lower-case hex SHA-256 of the bytes")),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, description = "stored"), (status = 200, description = "already stored"),
        (status = 401, body = hues_wire::ApiError), (status = 413, body = hues_wire::ApiError),
        (status = 415, body = hues_wire::ApiError), (status = 422, body = hues_wire::ApiError)))]
pub async fn put_photo(
    State(state): State<AppState>,
    Device(device): Device,
    Path(sha): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    if !is_sha256(&sha) {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            "the name must be the lower-case hex SHA-256",
        ));
    }
    let check = sha.clone();
    if state.db.run(move |c| all_stored(c, &[check])).await? {
        return Ok(StatusCode::OK);
    }
    let store = state.photos.clone();
    let (sha2, bytes) = (sha.clone(), body.clone());
    let (w, h) = tokio::task::spawn_blocking(move || store.write(&sha2, &bytes))
        .await
        .map_err(Fail::internal)??;
    let len = body.len() as i64;
    state
        .db
        .run(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO photos (sha256, bytes, width, height, uploaded_by, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    sha,
                    len,
                    w,
                    h,
                    device.to_string(),
                    crate::store::ts(Utc::now())
                ],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::CREATED)
}

/// A stored photo. Anyone may fetch it when a published report holds it; otherwise only the
/// device that uploaded it or whose report holds it, and staff. Others get "not found", the
/// same as for a photo that is not here. HEAD tells whether it is here without sending it.
#[utoipa::path(get, path = "/api/v1/photos/{sha256}", tag = "public",
    security((), ("bearer" = []), ("operator" = [])),
    params(("sha256" = String, Path, description = "lower-case hex SHA-256")),
    responses((status = 200, description = "the JPEG", content_type = "image/jpeg"), (status = 404, body = hues_wire::ApiError)))]
pub async fn get_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> Result<Response, Fail> {
    if !is_sha256(&sha) {
        return Err(Fail::not_found("photo"));
    }
    let key = sha.clone();
    let public = state
        .db
        .run(move |c| {
            if crate::publication::photo_is_public(c, &key)? {
                return Ok(Some(true));
            }
            let mine = match caller {
                Caller::Operator => true,
                Caller::Device(device) => crate::publication::photo_is_devices(c, &key, device)?,
                Caller::Anonymous => false,
            };
            Ok(mine.then_some(false))
        })
        .await?
        .ok_or_else(|| Fail::not_found("photo"))?;
    let store = state.photos.clone();
    let bytes = tokio::task::spawn_blocking(move || store.read(&sha))
        .await
        .map_err(Fail::internal)?
        .ok_or_else(|| Fail::not_found("photo"))?;
    // Bytes never change under a name, but whether they may be shown can: shared caches keep a
    // public photo an hour, and never keep a private one.
    let cache = if public {
        "public, max-age=3600"
    } else {
        "private, no-store"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}
