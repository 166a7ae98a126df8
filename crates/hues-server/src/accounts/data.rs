//! What an account holds beyond sign-in: the consents its devices recorded, its own places, a
//! copy of everything for its owner ("download my data"), and its erasure after a grace period
//! ("delete my account"). Each request about the data is in the audit log, whoever asked.

use std::io::Write;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use hues_wire::ErrorCode;
use hues_wire::account::{ConsentRecord, DeleteAccount, MyPlace};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{ApiResult, Fail};
use crate::extract::{Device, Json};
use crate::{AppState, owners, staff, store};

fn signed_in(conn: &Connection, device: Uuid) -> Result<String, Fail> {
    owners::account_of(conn, device)?.ok_or_else(|| {
        Fail::new(
            ErrorCode::Forbidden,
            "this device is not signed in to an account",
        )
    })
}

/// Records the device's answers to the consent questions (the newest per purpose holds).
#[utoipa::path(post, path = "/api/v1/consents", tag = "citizen",
    security(("bearer" = [])), request_body = Vec<ConsentRecord>,
    responses((status = 204, description = "recorded"), (status = 401, body = hues_wire::ApiError),
        (status = 422, body = hues_wire::ApiError)))]
pub async fn record_consents(
    State(state): State<AppState>,
    Device(device): Device,
    Json(records): Json<Vec<ConsentRecord>>,
) -> ApiResult<StatusCode> {
    if records.len() > 20 {
        return Err(Fail::new(ErrorCode::TooLong, "at most 20 answers at once"));
    }
    state
        .db
        .write(move |conn| {
            let now = store::ts(Utc::now());
            for r in &records {
                conn.prepare_cached(
                    "INSERT INTO consents (device_id, purpose, version, granted, decided_at, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    device.to_string(),
                    r.purpose.as_str(),
                    r.version,
                    r.granted,
                    store::ts(r.decided_at),
                    now
                ])?;
            }
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One of the accounts' places, as the feed carries it.
pub fn my_place(conn: &Connection, id: &str) -> Result<Option<MyPlace>, Fail> {
    let row: Option<(String, String, f64, f64)> = conn
        .prepare_cached("SELECT id, name, latitude, longitude FROM my_places WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    row.map(|(id, name, latitude, longitude)| {
        Ok(MyPlace {
            id: store::parse_uuid(&id)?,
            name,
            latitude,
            longitude,
        })
    })
    .transpose()
}

/// Keeps one of the account's places (signed-in devices only), for its other devices.
#[utoipa::path(put, path = "/api/v1/my-places/{id}", tag = "citizen",
    security(("bearer" = [])), request_body = MyPlace,
    params(("id" = Uuid, Path, description = "the place's id")),
    responses((status = 204, description = "kept"), (status = 401, body = hues_wire::ApiError),
        (status = 403, description = "not signed in", body = hues_wire::ApiError),
        (status = 422, body = hues_wire::ApiError)))]
pub async fn put_my_place(
    State(state): State<AppState>,
    Device(device): Device,
    Path(id): Path<Uuid>,
    Json(place): Json<MyPlace>,
) -> ApiResult<StatusCode> {
    crate::error::text("name", &place.name, 100)?;
    if place.id != id
        || place.name.trim().is_empty()
        || hues_wire::validate::check_latitude(place.latitude).is_err()
        || hues_wire::validate::check_longitude(place.longitude).is_err()
    {
        return Err(Fail::new(
            ErrorCode::OutOfRange,
            "a place needs its own id, a name and a position on the globe",
        ));
    }
    state
        .db
        .write(move |conn| {
            signed_in(conn, device)?;
            let owner: Option<String> = conn
                .prepare_cached("SELECT device_id FROM my_places WHERE id = ?1")?
                .query_row([id.to_string()], |r| r.get(0))
                .optional()?;
            if let Some(o) = owner
                && !owners::acts_for(conn, device, store::parse_uuid(&o)?)?
            {
                return Err(Fail::new(ErrorCode::IdConflict, "id: another's place"));
            }
            conn.prepare_cached(
                "INSERT INTO my_places (id, device_id, name, latitude, longitude, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET name = ?3, latitude = ?4, longitude = ?5, updated_at = ?6",
            )?
            .execute(params![
                id.to_string(),
                device.to_string(),
                place.name.trim(),
                place.latitude,
                place.longitude,
                store::ts(Utc::now())
            ])?;
            store::touch_owned(conn, "my_place", &id.to_string(), device)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes one of the account's places (on every device of it). Removing twice is no error.
#[utoipa::path(delete, path = "/api/v1/my-places/{id}", tag = "citizen",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the place's id")),
    responses((status = 204, description = "removed"), (status = 401, body = hues_wire::ApiError)))]
pub async fn delete_my_place(
    State(state): State<AppState>,
    Device(device): Device,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |conn| {
            let owner: Option<String> = conn
                .prepare_cached("SELECT device_id FROM my_places WHERE id = ?1")?
                .query_row([id.to_string()], |r| r.get(0))
                .optional()?;
            let Some(owner) = owner.as_deref().map(store::parse_uuid).transpose()? else {
                return Ok(());
            };
            if !owners::acts_for(conn, device, owner)? {
                return Ok(());
            }
            conn.prepare_cached("DELETE FROM my_places WHERE id = ?1")?
                .execute([id.to_string()])?;
            store::touch_owned(conn, "my_place", &id.to_string(), owner)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn rows(conn: &Connection, sql: &str, account: &str) -> Result<Vec<Value>, Fail> {
    let mut stmt = conn.prepare(sql)?;
    let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let out = stmt
        .query_map([account], |r| {
            let mut o = serde_json::Map::new();
            for (i, n) in names.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(x) => json!(x),
                    rusqlite::types::ValueRef::Real(x) => json!(x),
                    rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    rusqlite::types::ValueRef::Blob(_) => Value::Null,
                };
                o.insert(n.clone(), v);
            }
            Ok(Value::Object(o))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// Everything the server holds about an account, as JSON, and the photos of its reports.
pub fn export(conn: &Connection, account: &str) -> Result<(Value, Vec<String>), Fail> {
    const MINE: &str = "(SELECT device_id FROM account_devices WHERE account_id = ?1)";
    let report_ids: Vec<String> = conn
        .prepare(&format!(
            "SELECT id FROM reports WHERE device_id IN {MINE}
             UNION SELECT report_id FROM account_cases WHERE account_id = ?1 ORDER BY 1"
        ))?
        .query_map([account], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut reports = Vec::new();
    let mut photos = Vec::new();
    for id in &report_ids {
        if let Some(r) = store::report(conn, store::parse_uuid(id)?)? {
            photos.extend(r.report.photos.iter().cloned());
            for step in &r.report.history {
                photos.extend(step.photos.iter().cloned());
            }
            reports.push(serde_json::to_value(&r.report).map_err(Fail::internal)?);
        }
    }
    photos.sort();
    photos.dedup();
    let contacts = rows(
        conn,
        "SELECT k.report_id, k.phone, k.name FROM case_contacts k
         JOIN account_cases c ON c.report_id = k.report_id WHERE c.account_id = ?1",
        account,
    )?;
    let data = json!({
        "format": "hues account export, version 1",
        "exported_at": store::ts(Utc::now()),
        "account": rows(conn, "SELECT id, phone, created_at FROM accounts WHERE id = ?1", account)?,
        "identities": rows(conn, "SELECT issuer, subject, linked_at FROM account_identities WHERE account_id = ?1", account)?,
        "devices": rows(conn,
            "SELECT d.id, d.platform, d.locale, d.created_at, a.linked_at, d.revoked_at
             FROM devices d JOIN account_devices a ON a.device_id = d.id WHERE a.account_id = ?1",
            account)?,
        "consents": rows(conn, &format!(
            "SELECT device_id, purpose, version, granted, decided_at, recorded_at FROM consents
             WHERE device_id IN {MINE} ORDER BY id"), account)?,
        "reports": reports,
        "contact_centre_contacts": contacts,
        "followed_reports": rows(conn, &format!(
            "SELECT report_id, at FROM followers WHERE device_id IN {MINE} ORDER BY at"), account)?,
        "tracked_dossiers": rows(conn, &format!(
            "SELECT DISTINCT code FROM dossier_trackers WHERE device_id IN {MINE} ORDER BY code"), account)?,
        "bookings": rows(conn, &format!(
            "SELECT id, place_id, request, status, note_from_operator, created_at, updated_at
             FROM bookings WHERE device_id IN {MINE} ORDER BY created_at"), account)?,
        "my_places": rows(conn, &format!(
            "SELECT id, name, latitude, longitude, updated_at FROM my_places
             WHERE device_id IN {MINE} ORDER BY updated_at"), account)?,
        "deletion": rows(conn, "SELECT asked_at, erase_after FROM account_deletions
             WHERE account_id = ?1 AND erased_at IS NULL", account)?,
    });
    Ok((data, photos))
}

/// The export as a ZIP: `account.json` and `photos/<sha256>.jpg`.
pub fn export_zip(state: &AppState, data: &Value, photos: &[String]) -> Result<Vec<u8>, Fail> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zip_fail = |e: zip::result::ZipError| Fail::internal(format!("writing the export: {e}"));
    zip.start_file("account.json", options).map_err(zip_fail)?;
    let json = serde_json::to_vec_pretty(data).map_err(Fail::internal)?;
    zip.write_all(&json).map_err(Fail::internal)?;
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for sha in photos {
        if let Some(bytes) = state.photos.read(sha) {
            zip.start_file(format!("photos/{sha}.jpg"), stored)
                .map_err(zip_fail)?;
            zip.write_all(&bytes).map_err(Fail::internal)?;
        }
    }
    Ok(zip.finish().map_err(zip_fail)?.into_inner())
}

/// Makes an account's export and audits it (`staff`: who asked at the contact centre).
pub async fn export_for(
    state: &AppState,
    account: String,
    staff: Option<String>,
) -> Result<Response, Fail> {
    let (data, photos) = state
        .db
        .write(move |conn| {
            let out = export(conn, &account)?;
            staff::audit(
                conn,
                staff.as_deref(),
                "account.export",
                &account,
                None,
                None,
                Utc::now(),
            )?;
            Ok(out)
        })
        .await?;
    let st = state.clone();
    let bytes = tokio::task::spawn_blocking(move || export_zip(&st, &data, &photos))
        .await
        .map_err(Fail::internal)??;
    let name = format!("hues-my-data-{}.zip", Utc::now().format("%Y-%m-%d"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Download my data: a ZIP of everything the server holds about this device's account.
#[utoipa::path(get, path = "/api/v1/account/export", tag = "citizen",
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/zip", description = "account.json and the photos"),
        (status = 401, body = hues_wire::ApiError),
        (status = 403, description = "not signed in", body = hues_wire::ApiError)))]
pub async fn export_mine(
    State(state): State<AppState>,
    Device(device): Device,
) -> ApiResult<Response> {
    let account = state.db.read(move |c| signed_in(c, device)).await?;
    export_for(&state, account, None).await
}

/// Asks for an account's erasure after the grace period; audited. Asking again keeps the first
/// date.
pub fn ask_deletion(
    conn: &Connection,
    account: &str,
    staff_id: Option<&str>,
    grace: Duration,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Fail> {
    let after = now + grace;
    conn.prepare_cached(
        "INSERT INTO account_deletions (account_id, asked_at, asked_by, erase_after)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT(account_id) DO NOTHING",
    )?
    .execute(params![account, store::ts(now), staff_id, store::ts(after)])?;
    staff::audit(conn, staff_id, "account.delete", account, None, None, now)?;
    pending_deletion(conn, account)?.ok_or_else(|| Fail::internal("deletion not recorded"))
}

/// When the account will be erased, if a deletion is pending.
pub fn pending_deletion(conn: &Connection, account: &str) -> Result<Option<DateTime<Utc>>, Fail> {
    let at: Option<String> = conn
        .prepare_cached(
            "SELECT erase_after FROM account_deletions WHERE account_id = ?1 AND erased_at IS NULL",
        )?
        .query_row([account], |r| r.get(0))
        .optional()?;
    at.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(Fail::internal)
    })
    .transpose()
}

/// Keeps the account after all; audited.
pub fn cancel_deletion(
    conn: &Connection,
    account: &str,
    staff_id: Option<&str>,
) -> Result<(), Fail> {
    let n = conn
        .prepare_cached(
            "DELETE FROM account_deletions WHERE account_id = ?1 AND erased_at IS NULL",
        )?
        .execute([account])?;
    if n > 0 {
        staff::audit(
            conn,
            staff_id,
            "account.delete.cancel",
            account,
            None,
            None,
            Utc::now(),
        )?;
    }
    Ok(())
}

/// Delete my account: the citizen confirms with their number; erased after the grace period.
#[utoipa::path(post, path = "/api/v1/account/delete", tag = "citizen",
    security(("bearer" = [])), request_body = DeleteAccount,
    responses((status = 200, body = hues_wire::account::AccountStatus),
        (status = 401, body = hues_wire::ApiError),
        (status = 403, description = "not signed in", body = hues_wire::ApiError),
        (status = 422, description = "not the account's number", body = hues_wire::ApiError)))]
pub async fn delete_mine(
    State(state): State<AppState>,
    Device(device): Device,
    Json(req): Json<DeleteAccount>,
) -> ApiResult<axum::Json<hues_wire::account::AccountStatus>> {
    let grace = state.accounts.grace;
    state
        .db
        .write(move |conn| {
            let account = signed_in(conn, device)?;
            let phone: String = conn
                .prepare_cached("SELECT phone FROM accounts WHERE id = ?1")?
                .query_row([&account], |r| r.get(0))?;
            if hues_wire::account::normalize_phone(&req.phone).as_deref() != Some(phone.as_str()) {
                return Err(Fail::new(
                    ErrorCode::InvalidValue,
                    "phone: not this account's number",
                ));
            }
            ask_deletion(conn, &account, None, grace, Utc::now())?;
            Ok(())
        })
        .await?;
    super::status_of(&state, device).await.map(axum::Json)
}

/// Keep my account: a pending deletion is called off.
#[utoipa::path(post, path = "/api/v1/account/delete/cancel", tag = "citizen",
    security(("bearer" = [])),
    responses((status = 200, body = hues_wire::account::AccountStatus),
        (status = 401, body = hues_wire::ApiError),
        (status = 403, description = "not signed in", body = hues_wire::ApiError)))]
pub async fn keep_mine(
    State(state): State<AppState>,
    Device(device): Device,
) -> ApiResult<axum::Json<hues_wire::account::AccountStatus>> {
    state
        .db
        .write(move |conn| {
            let account = signed_in(conn, device)?;
            cancel_deletion(conn, &account, None)
        })
        .await?;
    super::status_of(&state, device).await.map(axum::Json)
}

/// Erases every account whose grace period is over. What stays, and why (the deletion page
/// says the same, `KEPT_AFTER_ERASURE`): its reports, as the city's record of a problem in a
/// public place, with no link to anyone (no device, no number, no name, no rating comment);
/// the audit log's lines about the account's requests, by its random id only.
pub fn erase_due(conn: &mut Connection, now: DateTime<Utc>) -> Result<usize, Fail> {
    let due: Vec<String> = conn
        .prepare_cached(
            "SELECT account_id FROM account_deletions WHERE erased_at IS NULL AND erase_after <= ?1",
        )?
        .query_map([store::ts(now)], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut erased = 0;
    for account in &due {
        // One that fails is told and tried again next hour; the others go on.
        let tx = conn.transaction()?;
        match erase(&tx, account, now) {
            Ok(()) => {
                tx.commit()?;
                erased += 1;
            }
            Err(e) => tracing::error!(account, error = %e.0, "erasing an account failed"),
        }
    }
    Ok(erased)
}

fn erase(conn: &Connection, account: &str, now: DateTime<Utc>) -> Result<(), Fail> {
    let devices: Vec<String> = conn
        .prepare_cached("SELECT device_id FROM account_devices WHERE account_id = ?1")?
        .query_map([account], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let phone: Option<String> = conn
        .prepare_cached("SELECT phone FROM accounts WHERE id = ?1")?
        .query_row([account], |r| r.get(0))
        .optional()?;
    let erased = store::channel_device(conn, "erased")?;
    let cases: Vec<String> = conn
        .prepare_cached("SELECT report_id FROM account_cases WHERE account_id = ?1")?
        .query_map([account], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for report in &cases {
        conn.prepare_cached("DELETE FROM case_contacts WHERE report_id = ?1")?
            .execute([report])?;
    }
    conn.prepare_cached("DELETE FROM account_cases WHERE account_id = ?1")?
        .execute([account])?;
    for device in &devices {
        let reports: Vec<String> = conn
            .prepare_cached("SELECT id FROM reports WHERE device_id = ?1")?
            .query_map([device], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &reports {
            conn.prepare_cached(
                "UPDATE reports SET device_id = ?2, rating_comment = NULL WHERE id = ?1",
            )?
            .execute(params![id, erased.to_string()])?;
            // The citizen's own words when reopening are theirs, not the city's record.
            conn.prepare_cached(
                "UPDATE report_events SET note = '' WHERE report_id = ?1 AND by_citizen = 1",
            )?
            .execute([id])?;
            store::touch_report(conn, store::parse_uuid(id)?, erased)?;
        }
        for sql in [
            "UPDATE photos SET uploaded_by = ?2 WHERE uploaded_by = ?1",
            "UPDATE OR IGNORE photo_uploaders SET device_id = ?2 WHERE device_id = ?1",
        ] {
            conn.prepare_cached(sql)?
                .execute(params![device, erased.to_string()])?;
        }
        for sql in [
            "DELETE FROM photo_uploaders WHERE device_id = ?1",
            "DELETE FROM followers WHERE device_id = ?1",
            "DELETE FROM dossier_trackers WHERE device_id = ?1",
            "DELETE FROM dossier_lookups WHERE device_id = ?1",
            "DELETE FROM changes WHERE audience = ?1",
            "DELETE FROM bookings WHERE device_id = ?1",
            "DELETE FROM my_places WHERE device_id = ?1",
            "DELETE FROM consents WHERE device_id = ?1",
            "DELETE FROM otp_codes WHERE device_id = ?1",
            "DELETE FROM oidc_logins WHERE device_id = ?1",
            "DELETE FROM account_devices WHERE device_id = ?1",
            "DELETE FROM devices WHERE id = ?1",
        ] {
            conn.prepare_cached(sql)?.execute([device])?;
        }
    }
    if let Some(phone) = phone {
        conn.prepare_cached("DELETE FROM otp_codes WHERE phone = ?1")?
            .execute([phone])?;
    }
    conn.prepare_cached("DELETE FROM account_identities WHERE account_id = ?1")?
        .execute([account])?;
    conn.prepare_cached("DELETE FROM accounts WHERE id = ?1")?
        .execute([account])?;
    conn.prepare_cached(
        "UPDATE account_deletions SET erased_at = ?2, asked_by = NULL WHERE account_id = ?1",
    )?
    .execute(params![account, store::ts(now)])?;
    staff::audit(conn, None, "account.erase", account, None, None, now)
}

/// Erases the accounts that are due, every hour.
pub async fn erase_every_hour(state: AppState) {
    loop {
        let done = state.db.run(|c| erase_due(c, Utc::now())).await;
        match done {
            Ok(0) => {}
            Ok(n) => tracing::info!(accounts = n, "accounts erased after their grace period"),
            Err(e) => tracing::warn!(error = %e.0, "erasing accounts"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}
