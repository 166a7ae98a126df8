//! The `/api/v1` handlers. Each is documented for OpenAPI where it is registered, so the spec
//! cannot forget a route.

use axum::extract::State;
use axum::http::StatusCode;
use hues_wire::api::{
    Booking, BookingDecision, BookingStatus, Category, DeviceToken, Health, NewBooking, NewDevice,
    NewRating, NewReport, PublicReport, Reopen, Report, SYNC_DEFAULT_LIMIT, SYNC_MAX_LIMIT,
    StatusUpdate, SyncPage,
};
use hues_wire::{ApiError, ErrorCode};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiResult, Fail, text};
use crate::extract::{Device, Json, Operator, Path, Query};
use crate::limits::ClientAddr;
use crate::{auth, feed, publication, store};

type JsonOut<T> = axum::Json<T>;

/// The server answers.
#[utoipa::path(get, path = "/api/v1/health", tag = "system",
    responses((status = 200, body = Health)))]
pub async fn health() -> JsonOut<Health> {
    axum::Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Registers an app install and returns its bearer token (shown once).
/// At most `Limits::registrations_per_hour` per network address, then 429.
#[utoipa::path(post, path = "/api/v1/devices", tag = "citizen", request_body = NewDevice,
    responses((status = 201, body = DeviceToken), (status = 400, body = ApiError), (status = 422, body = ApiError),
        (status = 429, description = "too many new devices from this network address within the hour", body = ApiError)))]
pub async fn register_device(
    State(state): State<AppState>,
    addr: ClientAddr,
    Json(body): Json<NewDevice>,
) -> ApiResult<(StatusCode, JsonOut<DeviceToken>)> {
    let short = |s: Option<String>| {
        s.map(|s| {
            s.chars()
                .filter(|c| !c.is_control())
                .take(32)
                .collect::<String>()
        })
    };
    let (platform, locale) = (short(body.platform), short(body.locale));
    let token = auth::new_token();
    let hash = auth::hash_token(&token);
    let device_id = Uuid::now_v7();
    let (addr, limit) = (addr.key(), state.limits.registrations_per_hour);
    state
        .db
        .run(move |conn| {
            crate::limits::admit_registration(conn, &addr, limit, chrono::Utc::now())?;
            store::insert_device(
                conn,
                device_id,
                &hash,
                platform.as_deref(),
                locale.as_deref(),
            )
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(DeviceToken { device_id, token }),
    ))
}

/// The report categories, in display order.
#[utoipa::path(get, path = "/api/v1/categories", tag = "citizen",
    responses((status = 200, body = Vec<Category>)))]
pub async fn list_categories(State(state): State<AppState>) -> ApiResult<JsonOut<Vec<Category>>> {
    let cats = state.db.run(|conn| store::categories(conn)).await?;
    Ok(axum::Json(cats))
}

/// Submits a report. Idempotent on `id`: the same id and body again returns the stored record
/// (200); the same id with another body is refused (409).
#[utoipa::path(post, path = "/api/v1/reports", tag = "citizen", request_body = NewReport,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "stored", body = Report),
        (status = 200, description = "already stored: a retry", body = Report),
        (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 409, body = ApiError), (status = 413, body = ApiError),
        (status = 415, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create_report(
    State(state): State<AppState>,
    Device(device): Device,
    Json(new): Json<NewReport>,
) -> ApiResult<(StatusCode, JsonOut<Report>)> {
    // Checked in the store after the id is looked up (a stored report sent again is a replay).
    let new = new.normalised();
    let stored = state
        .db
        .write(move |conn| store::insert_report(conn, device, &new))
        .await?;
    Ok(match stored {
        store::Stored::Created(r) => (StatusCode::CREATED, axum::Json(r)),
        store::Stored::Replayed(r) => (StatusCode::OK, axum::Json(r)),
    })
}

/// One of the caller's own reports. Another device's report is "not found".
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "citizen",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = Report), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn get_report(
    State(state): State<AppState>,
    Device(device): Device,
    Path(id): Path<Uuid>,
) -> ApiResult<JsonOut<Report>> {
    let found = state
        .db
        .run(move |conn| match store::report(conn, id)? {
            Some(r) if crate::owners::owns_report(conn, device, r.owner, id)? => Ok(Some(r)),
            _ => Ok(None),
        })
        .await?;
    found
        .map(|r| axum::Json(r.report))
        .ok_or_else(|| Fail::not_found("report"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// `next_cursor` of the previous page; empty or absent for the beginning.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size, 1…1000 (default 200).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Changes since a cursor: categories, and the caller's own reports with their status.
#[utoipa::path(get, path = "/api/v1/sync", tag = "citizen",
    security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage), (status = 401, body = ApiError), (status = 422, body = ApiError)))]
pub async fn sync(
    State(state): State<AppState>,
    Device(device): Device,
    Query(q): Query<SyncQuery>,
) -> ApiResult<JsonOut<SyncPage>> {
    let after = match q.cursor.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(c) => c.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            Fail::new(
                ErrorCode::InvalidValue,
                "cursor is not one this server gave",
            )
        })?,
    };
    let limit = q.limit.unwrap_or(SYNC_DEFAULT_LIMIT);
    if !(1..=SYNC_MAX_LIMIT).contains(&limit) {
        return Err(Fail::new(
            ErrorCode::OutOfRange,
            format!("limit must be between 1 and {SYNC_MAX_LIMIT}"),
        ));
    }
    let (changes, last, has_more) = state
        .db
        .run(move |conn| feed::changes_since(conn, device, after, limit))
        .await?;
    Ok(axum::Json(SyncPage {
        changes,
        next_cursor: last.to_string(),
        has_more,
        city: state.city.clone(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `after` of the `Link: rel="next"` header of the previous page; absent for the first.
    #[serde(default)]
    pub after: Option<Uuid>,
    /// Page size, 1…500 (default 100).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Operator: reports, newest first, a page at a time; the next page's address is in the `Link`
/// header (`rel="next"`), absent on the last page.
#[utoipa::path(get, path = "/api/v1/operator/reports", tag = "operator",
    security(("operator" = [])), params(PageQuery),
    responses((status = 200, body = Vec<Report>,
            headers(("Link" = String, description = "`</api/v1/operator/reports?after=ID&limit=N>; rel=\"next\"` while more follow"))),
        (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn operator_list_reports(
    State(state): State<AppState>,
    _op: Operator,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Fail::new(
            ErrorCode::OutOfRange,
            "limit must be between 1 and 500",
        ));
    }
    let (reports, more) = state
        .db
        .run(move |conn| store::reports_page(conn, q.after, limit))
        .await?;
    let next = reports.last().filter(|_| more).map(|last| {
        format!(
            "</api/v1/operator/reports?after={}&limit={limit}>; rel=\"next\"",
            last.id
        )
    });
    let mut response = axum::Json(reports).into_response();
    if let Some(link) = next.and_then(|l| axum::http::HeaderValue::from_str(&l).ok()) {
        response
            .headers_mut()
            .insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

/// Staff decide whether a report is public: `true` publishes it (even a category that is not
/// public), `false` withdraws it, `null` returns it to its category's rule.
#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    pub published: Option<bool>,
}

/// Operator: publish or withdraw a report; answers whether it is now public.
#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/publication", tag = "operator",
    security(("operator" = [])), request_body = Publication,
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = Publication), (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn operator_publish(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<Uuid>,
    Json(body): Json<Publication>,
) -> ApiResult<JsonOut<Publication>> {
    let now = state
        .db
        .run(move |conn| publication::set_published(conn, id, body.published))
        .await?;
    Ok(axum::Json(Publication {
        published: Some(now),
    }))
}

/// Operator: moves a report to a new status with a note to the citizen.
#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/status", tag = "operator",
    security(("operator" = [])), request_body = StatusUpdate,
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = Report), (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn operator_set_status(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<Uuid>,
    Json(update): Json<StatusUpdate>,
) -> ApiResult<JsonOut<Report>> {
    text("note", &update.note, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    text("unit", update.unit.as_deref().unwrap_or(""), 200)?;
    let report = state
        .db
        .run(move |conn| store::change_status(conn, id, &update))
        .await?;
    Ok(axum::Json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NearbyQuery {
    pub lat: f64,
    pub lon: f64,
    /// Metres, 1…20 000 (default 2 000).
    #[serde(default)]
    pub radius_m: Option<f64>,
    /// 1…500 (default 100).
    #[serde(default)]
    pub limit: Option<usize>,
}

fn check_point(lat: f64, lon: f64) -> Result<(), Fail> {
    hues_wire::validate::check_latitude(lat)?;
    hues_wire::validate::check_longitude(lon)?;
    Ok(())
}

/// Published reports near a point, nearest first, without their reporters.
#[utoipa::path(get, path = "/api/v1/public/reports", tag = "public", params(NearbyQuery),
    responses((status = 200, body = Vec<PublicReport>), (status = 422, body = ApiError)))]
pub async fn public_reports(
    State(state): State<AppState>,
    Query(q): Query<NearbyQuery>,
) -> ApiResult<JsonOut<Vec<PublicReport>>> {
    check_point(q.lat, q.lon)?;
    let radius = q.radius_m.unwrap_or(2000.0);
    if !(1.0..=20_000.0).contains(&radius) {
        return Err(Fail::new(
            ErrorCode::OutOfRange,
            "radius_m must be between 1 and 20000",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Fail::new(
            ErrorCode::OutOfRange,
            "limit must be between 1 and 500",
        ));
    }
    let list = state
        .db
        .run(move |c| publication::nearby(c, (q.lat, q.lon), radius, None, None, limit))
        .await?;
    Ok(axum::Json(list))
}

/// One published report with its handling, without its reporter.
#[utoipa::path(get, path = "/api/v1/public/reports/{id}", tag = "public",
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = PublicReport), (status = 404, body = ApiError)))]
pub async fn public_report(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<JsonOut<PublicReport>> {
    state
        .db
        .run(move |c| publication::report(c, id))
        .await?
        .map(axum::Json)
        .ok_or_else(|| Fail::not_found("report"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicateQuery {
    pub category: String,
    pub lat: f64,
    pub lon: f64,
}

/// Possible duplicates of a report about to be made: same category, within 150 m, last 30 days.
#[utoipa::path(get, path = "/api/v1/public/duplicates", tag = "public", params(DuplicateQuery),
    responses((status = 200, body = Vec<PublicReport>), (status = 422, body = ApiError)))]
pub async fn possible_duplicates(
    State(state): State<AppState>,
    Query(q): Query<DuplicateQuery>,
) -> ApiResult<JsonOut<Vec<PublicReport>>> {
    check_point(q.lat, q.lon)?;
    let since = chrono::Utc::now() - chrono::Duration::days(hues_wire::api::DUPLICATE_DAYS);
    let list = state
        .db
        .run(move |c| {
            publication::nearby(
                c,
                (q.lat, q.lon),
                hues_wire::api::DUPLICATE_RADIUS_M,
                Some(&q.category),
                Some(since),
                20,
            )
        })
        .await?;
    Ok(axum::Json(list))
}

/// "Me too": counted once per device, and the citizen then follows the report in their sync.
#[utoipa::path(post, path = "/api/v1/reports/{id}/me-too", tag = "citizen",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = PublicReport), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn me_too(
    State(state): State<AppState>,
    Device(device): Device,
    Path(id): Path<Uuid>,
) -> ApiResult<JsonOut<PublicReport>> {
    let p = state
        .db
        .run(move |c| publication::me_too(c, device, id))
        .await?;
    Ok(axum::Json(p))
}

/// The citizen rates the answer to their resolved report (a new rating replaces the old).
#[utoipa::path(post, path = "/api/v1/reports/{id}/rating", tag = "citizen",
    security(("bearer" = [])), request_body = NewRating,
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = Report), (status = 401, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn rate_report(
    State(state): State<AppState>,
    Device(device): Device,
    Path(id): Path<Uuid>,
    Json(rating): Json<NewRating>,
) -> ApiResult<JsonOut<Report>> {
    text(
        "comment",
        &rating.comment,
        hues_wire::api::MAX_DESCRIPTION_CHARS,
    )?;
    let report = state
        .db
        .run(move |conn| store::rate(conn, device, id, &rating))
        .await?;
    Ok(axum::Json(report))
}

/// The citizen reopens their resolved report within 7 days: the problem is still there.
#[utoipa::path(post, path = "/api/v1/reports/{id}/reopen", tag = "citizen",
    security(("bearer" = [])), request_body = Reopen,
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = Report), (status = 401, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn reopen_report(
    State(state): State<AppState>,
    Device(device): Device,
    Path(id): Path<Uuid>,
    Json(body): Json<Reopen>,
) -> ApiResult<JsonOut<Report>> {
    text("note", &body.note, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    let report = state
        .db
        .run(move |conn| store::reopen(conn, device, id, &body.note))
        .await?;
    Ok(axum::Json(report))
}

/// This API's OpenAPI 3 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json")))]
pub async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::openapi_document().clone(),
    )
        .into_response()
}

pub async fn fallback_not_found(uri: axum::http::Uri) -> Fail {
    Fail::new(ErrorCode::NotFound, format!("no route for {}", uri.path()))
}

pub async fn fallback_method() -> Fail {
    Fail::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this route",
    )
}

/// A citizen's booking request (hotel room, tour, tickets), idempotent on its client-made id.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "citizen",
    security(("bearer" = [])), request_body = NewBooking,
    responses((status = 201, body = Booking), (status = 200, description = "the same booking again", body = Booking),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create_booking(
    State(state): State<AppState>,
    Device(device): Device,
    Json(new): Json<NewBooking>,
) -> ApiResult<(StatusCode, JsonOut<Booking>)> {
    // A day of slack: the device's "today" in Huế may be a few hours behind a late request.
    let today = chrono::Utc::now()
        .with_timezone(&hues_wire::time::vietnam_offset())
        .date_naive()
        - chrono::Duration::days(1);
    // Checked in the store after the id is looked up: a retry that arrives after the booking's
    // date is still the booking the server holds.
    let stored = state
        .db
        .run(move |conn| store::insert_booking(conn, device, &new, today))
        .await?;
    Ok(match stored {
        store::Stored::Created(b) => (StatusCode::CREATED, axum::Json(b)),
        store::Stored::Replayed(b) => (StatusCode::OK, axum::Json(b)),
    })
}

/// The citizen cancels their booking (while requested or confirmed; again is no error).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "citizen",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "booking id")),
    responses((status = 200, body = Booking), (status = 401, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    Device(device): Device,
    Path(id): Path<Uuid>,
) -> ApiResult<JsonOut<Booking>> {
    let b = state
        .db
        .run(move |conn| {
            store::set_booking_status(conn, id, Some(device), BookingStatus::Cancelled, "")
        })
        .await?;
    Ok(axum::Json(b))
}

/// Operator: every booking, newest first.
#[utoipa::path(get, path = "/api/v1/operator/bookings", tag = "operator",
    security(("operator" = [])),
    responses((status = 200, body = [Booking]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn operator_list_bookings(
    State(state): State<AppState>,
    _op: Operator,
) -> ApiResult<JsonOut<Vec<Booking>>> {
    Ok(axum::Json(state.db.run(|c| store::all_bookings(c)).await?))
}

/// Operator: confirm or decline a requested booking, with a note to the citizen.
#[utoipa::path(post, path = "/api/v1/operator/bookings/{id}/decision", tag = "operator",
    security(("operator" = [])), request_body = BookingDecision,
    params(("id" = Uuid, Path, description = "booking id")),
    responses((status = 200, body = Booking), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn operator_decide_booking(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<Uuid>,
    Json(decision): Json<BookingDecision>,
) -> ApiResult<JsonOut<Booking>> {
    if !matches!(
        decision.status,
        BookingStatus::Confirmed | BookingStatus::Declined
    ) {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            "status must be confirmed or declined",
        ));
    }
    text(
        "note",
        &decision.note,
        hues_wire::api::MAX_DESCRIPTION_CHARS,
    )?;
    let b = state
        .db
        .run(move |conn| store::set_booking_status(conn, id, None, decision.status, &decision.note))
        .await?;
    Ok(axum::Json(b))
}
