//! The photo routes: upload (checked, cleaned, counted against the device's quota) and fetch
//! (public only when a published report holds the photo). Storage is `photos.rs`.

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use hues_wire::ErrorCode;
use rusqlite::{Connection, params};

use crate::AppState;
use crate::error::{ApiResult, Fail};
use crate::extract::{Caller, Device, Path};
use crate::photos::*;

/// Uploads a photo under its SHA-256. Idempotent: the same bytes again change nothing. Metadata
/// is removed (see the module documentation).
#[utoipa::path(put, path = "/api/v1/photos/{sha256}", tag = "citizen",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "lower-case hex SHA-256 of the bytes")),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, description = "stored (without any EXIF, XMP, IPTC or comment: then under the clean bytes' SHA-256, the name sent stays usable as an alias)"),
        (status = 200, description = "already stored"),
        (status = 401, body = hues_wire::ApiError),
        (status = 413, description = "over 10 MB, too many pixels, or the device's photo quota (`quota_exceeded`) is used up", body = hues_wire::ApiError),
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
    // Already here: the device still shows it holds the bytes (they hash to the name) before
    // it may name the photo in its reports.
    let (check, d) = (sha.clone(), device.to_string());
    let holds = sha256_hex(&body) == sha;
    let known = state
        .db
        .run(move |c| {
            if !all_stored(c, std::slice::from_ref(&check))? {
                return Ok(false);
            }
            if holds {
                record_uploader(c, &canonical_name(c, &check)?, &d)?;
            }
            Ok(true)
        })
        .await?;
    if known && holds {
        return Ok(StatusCode::OK);
    }
    let photo = Arc::new(
        tokio::task::spawn_blocking(move || PhotoStore::check(&sha, &body))
            .await
            .map_err(Fail::internal)??,
    );
    let quota = state.limits.photo_quota_bytes;
    let device_id = device.to_string();
    // The clean photo may be here already (sent clean before): then only the alias is new.
    let (p, d) = (Arc::clone(&photo), device_id.clone());
    let here = state
        .db
        .run(move |c| {
            if all_stored(c, std::slice::from_ref(&p.sha))? {
                record_alias(c, &p)?;
                record_uploader(c, &p.sha, &d)?;
                return Ok(true);
            }
            // Concurrent uploads of one device may each pass this check: the overshoot is
            // bounded by what it sends at once.
            let used: i64 = c
                .prepare_cached(
                    "SELECT coalesce(sum(bytes), 0) FROM photos WHERE uploaded_by = ?1",
                )?
                .query_row([&d], |r| r.get(0))?;
            if used + p.bytes.len() as i64 > quota {
                return Err(Fail::new(
                    ErrorCode::QuotaExceeded,
                    format!(
                        "this device has {used} bytes of photos stored; the quota is {quota} bytes"
                    ),
                ));
            }
            Ok(false)
        })
        .await?;
    if here {
        return Ok(StatusCode::CREATED);
    }
    let (store, p) = (state.photos.clone(), Arc::clone(&photo));
    tokio::task::spawn_blocking(move || store.write(&p))
        .await
        .map_err(Fail::internal)??;
    state
        .db
        .run(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT OR IGNORE INTO photos (sha256, bytes, width, height, uploaded_by, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    photo.sha,
                    photo.bytes.len() as i64,
                    photo.width,
                    photo.height,
                    device_id,
                    crate::store::ts(Utc::now())
                ],
            )?;
            record_alias(&tx, &photo)?;
            record_uploader(&tx, &photo.sha, &device_id)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::CREATED)
}

/// Records the name a cleaned photo was uploaded under, if it is not the stored one.
fn record_alias(conn: &Connection, photo: &CleanPhoto) -> Result<(), Fail> {
    if let Some(alias) = photo.alias() {
        conn.execute(
            "INSERT OR IGNORE INTO photo_aliases (alias, sha256) VALUES (?1, ?2)",
            params![alias, photo.sha],
        )?;
    }
    Ok(())
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
    // A name uploaded with metadata is an alias of the clean photo (the only one stored).
    let name = if state.photos.has(&sha) {
        sha
    } else {
        state.db.run(move |c| canonical_name(c, &sha)).await?
    };
    let key = name.clone();
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
    let bytes = tokio::task::spawn_blocking(move || {
        let bytes = store.read(&name)?;
        // Files stored before metadata was removed on upload are cleaned here.
        let cleaned = match strip_metadata(&bytes) {
            Ok(Cow::Borrowed(_)) => None,
            Ok(Cow::Owned(clean)) => Some(clean),
            Err(e) => {
                tracing::warn!(photo = %name, error = e, "stored photo is not a well-formed JPEG");
                return None;
            }
        };
        Some(cleaned.unwrap_or(bytes))
    })
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

/// Stores a photo a staff member attached in the console (the work done): checked and cleaned
/// like a citizen's, recorded as the staff channel's upload. Returns its name.
pub async fn store_staff_photo(state: &AppState, bytes: Vec<u8>) -> Result<String, Fail> {
    let sha = sha256_hex(&bytes);
    let photo = Arc::new(
        tokio::task::spawn_blocking(move || PhotoStore::check(&sha, &bytes))
            .await
            .map_err(Fail::internal)??,
    );
    let (store, p) = (state.photos.clone(), Arc::clone(&photo));
    tokio::task::spawn_blocking(move || store.write(&p))
        .await
        .map_err(Fail::internal)??;
    let p = Arc::clone(&photo);
    state
        .db
        .run(move |c| {
            let tx = c.transaction()?;
            let device = crate::store::channel_device(&tx, "staff")?.to_string();
            tx.execute(
                "INSERT OR IGNORE INTO photos (sha256, bytes, width, height, uploaded_by, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    p.sha,
                    p.bytes.len() as i64,
                    p.width,
                    p.height,
                    device,
                    crate::store::ts(Utc::now())
                ],
            )?;
            record_alias(&tx, &p)?;
            record_uploader(&tx, &p.sha, &device)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(photo.sha.clone())
}
