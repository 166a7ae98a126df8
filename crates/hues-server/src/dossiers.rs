//! Administrative procedures and dossiers: the public catalogue, the citizen's look-up and
//! tracking (code + check value, so that codes cannot be enumerated: a wrong check answers
//! exactly like an unknown code, look-ups are rate-limited per device and per code, and failed
//! ones per network address and server-wide), and the units' side (receive, advance, apologise
//! for an overdue dossier, deadline view by unit).
//! Due dates come from `hues_wire::deadline`, the engine the app uses too.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use hues_wire::calendar::Calendar;
use hues_wire::deadline::{DeadlineFlag, local_date};
use hues_wire::dossiers::{
    Apology, CODE_RULE, Dossier, DossierAdvance, DossierLookup, DossierState, DossierStep,
    FlaggedDossier, NewApology, NewDossier, Procedure, UnitDeadlines, check_lookup, normalize_code,
    phone_check, valid_code,
};
use hues_wire::{ApiError, ErrorCode};
use rusqlite::{Connection, OptionalExtension, params};

use crate::AppState;
use crate::auth::{hash_token, same_token};
use crate::error::{ApiResult, Fail};
use crate::extract::{Device, Json, Operator, Path};
use crate::limits::{ClientAddr, Limits, millis};
use crate::store::{touch_public, touch_tracked, ts};

/// Look-ups a device may make in `LOOKUP_WINDOW`.
pub const LOOKUP_LIMIT: i64 = 10;
/// The per-device limit's window.
pub const LOOKUP_WINDOW: Duration = Duration::minutes(10);
/// Look-ups of one code, from all devices together, in `CODE_WINDOW`: registering a new device
/// per try gets nowhere (10,000 check values at 10 an hour is weeks).
pub const CODE_LIMIT: i64 = 10;
pub const CODE_WINDOW: Duration = Duration::hours(1);

/// The one answer for an unknown code and for a wrong check value.
fn no_such_dossier() -> Fail {
    Fail::new(
        ErrorCode::NotFound,
        "no dossier matches this code and check value",
    )
}

/// What is hashed for a dossier's check value.
fn check_secret(code: &str, check: &str) -> String {
    format!("dossier:{code}:{check}")
}

fn bad(field: &str, what: &str) -> Fail {
    Fail::new(ErrorCode::InvalidValue, format!("{field}: {what}"))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Fail> {
    serde_json::from_str(text).map_err(|e| Fail::internal(format!("stored record: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Fail> {
    serde_json::to_string(v).map_err(Fail::internal)
}

// ---- storage ---------------------------------------------------------------------------------

/// Adds or refreshes a catalogue entry (and tells every device).
pub fn upsert_procedure(tx: &Connection, p: &Procedure, position: i64) -> Result<(), Fail> {
    let record = to_json(p)?;
    let same: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM procedures WHERE id = ?1 AND record = ?2 AND position = ?3)",
        params![p.id, record, position],
        |r| r.get(0),
    )?;
    if !same {
        tx.execute(
            "INSERT INTO procedures (id, position, record) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET position = ?2, record = ?3",
            params![p.id, position, record],
        )?;
        touch_public(tx, "procedure", &p.id)?;
    }
    Ok(())
}

pub fn procedure(conn: &Connection, id: &str) -> Result<Option<Procedure>, Fail> {
    let record: Option<String> = conn
        .query_row("SELECT record FROM procedures WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    record.as_deref().map(from_json).transpose()
}

pub fn procedures(conn: &Connection) -> Result<Vec<Procedure>, Fail> {
    let mut stmt = conn.prepare("SELECT record FROM procedures ORDER BY position")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    rows.iter().map(|r| from_json(r)).collect()
}

/// A dossier and its check hash.
pub fn dossier(conn: &Connection, code: &str) -> Result<Option<(Dossier, String)>, Fail> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT record, check_hash FROM dossiers WHERE code = ?1",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(record, hash)| Ok((from_json(&record)?, hash)))
        .transpose()
}

fn save(tx: &Connection, d: &Dossier) -> Result<(), Fail> {
    tx.execute(
        "UPDATE dossiers SET state = ?2, appointment = ?3, record = ?4 WHERE code = ?1",
        params![
            d.code,
            d.state.as_str(),
            d.appointment.to_string(),
            to_json(d)?
        ],
    )?;
    touch_tracked(tx, "dossier", &d.code)
}

/// Whether `staff` covers the unit a dossier names in words (`unit_vi`): a unit of that name in
/// their subtree, to read (`change`: to act on it). A name no unit has: the city's roles only.
pub fn staff_covers(
    staff: &crate::staff::Staff,
    units: &[crate::staff::Unit],
    unit_vi: &str,
    change: bool,
) -> bool {
    let id = units
        .iter()
        .find(|u| u.name_vi == unit_vi)
        .map(|u| u.id.as_str());
    if change {
        staff.can_change_case(id)
    } else {
        staff.can_read_case(id)
    }
}

/// For the operator API: a staff token acts only on dossiers of units its owner covers (the
/// shared demo token on all). 404 otherwise: another unit's dossier is not said to exist.
fn actor_may(conn: &Connection, actor: &crate::permissions::Actor, code: &str) -> Result<(), Fail> {
    let crate::permissions::Actor::Staff(staff) = actor else {
        return Ok(());
    };
    let Some((d, _)) = dossier(conn, &normalize_code(code))? else {
        return Err(Fail::not_found("dossier"));
    };
    if staff_covers(staff, &crate::staff::units(conn)?, &d.unit_vi, true) {
        Ok(())
    } else {
        Err(Fail::not_found("dossier"))
    }
}

/// Receives a dossier: its appointment is counted in working days from `received_at`.
pub fn receive(
    conn: &mut Connection,
    new: &NewDossier,
    now: DateTime<Utc>,
) -> Result<Dossier, Fail> {
    let code = normalize_code(&new.code);
    if !valid_code(&code) {
        return Err(bad("code", CODE_RULE));
    }
    let check = phone_check(&new.phone).ok_or_else(|| bad("phone", "at least 4 digits"))?;
    for (field, value) in [("unit_vi", &new.unit_vi), ("unit_en", &new.unit_en)] {
        if value.trim().is_empty() || value.chars().count() > 200 {
            return Err(bad(field, "1 to 200 characters"));
        }
    }
    let tx = conn.transaction()?;
    let proc = procedure(&tx, &new.procedure_id)?
        .ok_or_else(|| bad("procedure_id", "not in the catalogue"))?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM dossiers WHERE code = ?1)",
        [&code],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Fail::new(
            ErrorCode::IdConflict,
            "a dossier with this code exists",
        ));
    }
    let received_at = new.received_at.unwrap_or(now);
    let d = Dossier {
        code: code.clone(),
        procedure_id: proc.id,
        unit_vi: new.unit_vi.trim().to_owned(),
        unit_en: new.unit_en.trim().to_owned(),
        received_at,
        appointment: Calendar::vietnam().appointment(received_at, proc.processing_days),
        state: DossierState::Received,
        timeline: vec![DossierStep {
            state: DossierState::Received,
            at: received_at,
            note: String::new(),
        }],
        apology: None,
    };
    tx.execute(
        "INSERT INTO dossiers (code, check_hash, unit_vi, state, appointment, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            code,
            hash_token(&check_secret(&code, &check)),
            d.unit_vi,
            d.state.as_str(),
            d.appointment.to_string(),
            to_json(&d)?
        ],
    )?;
    touch_tracked(&tx, "dossier", &code)?;
    tx.commit()?;
    Ok(d)
}

/// Moves a dossier to its next state.
pub fn advance(
    conn: &mut Connection,
    code: &str,
    step: &DossierAdvance,
    now: DateTime<Utc>,
) -> Result<Dossier, Fail> {
    if step.note.chars().count() > 2000 {
        return Err(Fail::new(
            ErrorCode::TooLong,
            "note: at most 2000 characters",
        ));
    }
    if step.state == DossierState::SupplementRequested && step.note.trim().is_empty() {
        return Err(bad("note", "say which documents are missing"));
    }
    let tx = conn.transaction()?;
    let (mut d, _) =
        dossier(&tx, &normalize_code(code))?.ok_or_else(|| Fail::not_found("dossier"))?;
    if !d.state.can_move_to(step.state) {
        return Err(bad(
            "state",
            &format!(
                "a {} dossier cannot become {}",
                d.state.as_str(),
                step.state.as_str()
            ),
        ));
    }
    d.move_to(step.state, now, step.note.trim().to_owned());
    save(&tx, &d)?;
    tx.commit()?;
    Ok(d)
}

/// Records the unit's apology for an overdue dossier, with a new appointment.
pub fn apologise(
    conn: &mut Connection,
    code: &str,
    a: &NewApology,
    now: DateTime<Utc>,
) -> Result<Dossier, Fail> {
    let reason = a.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(bad("reason", "1 to 2000 characters"));
    }
    let cal = Calendar::vietnam();
    let today = local_date(now);
    if a.new_appointment <= today || !cal.is_working_day(a.new_appointment) {
        return Err(bad("new_appointment", "a working day after today"));
    }
    let tx = conn.transaction()?;
    let (mut d, _) =
        dossier(&tx, &normalize_code(code))?.ok_or_else(|| Fail::not_found("dossier"))?;
    if !matches!(
        d.flag(today),
        DeadlineFlag::Overdue | DeadlineFlag::Escalated
    ) || d.state.is_finished()
    {
        return Err(bad("code", "only an open, overdue dossier gets an apology"));
    }
    d.apology = Some(Apology {
        at: now,
        reason: reason.to_owned(),
        new_appointment: a.new_appointment,
    });
    save(&tx, &d)?;
    tx.commit()?;
    Ok(d)
}

/// A citizen's look-up (with `track`, also follows it) from the network address `addr`
/// (`ClientAddr::key`). Every attempt counts toward the per-device and per-code limits; failed
/// ones (unknown code or wrong check value) also count toward budgets no number of devices
/// escapes (`Limits`, one hour):
///
/// - per address: over `lookup_failures_per_hour` failures, the address gets 429 for every
///   look-up, right or wrong (else a 200 among the 429s would still tell a hit);
/// - server-wide, over `lookup_failures_global_per_hour` failures, only addresses without a
///   failure in the hour may look up, so a spray from many addresses gets one try per address
///   per hour while citizens who type their code and check value right are not held back;
/// - over twice that, every look-up is 429 until the hour has aged the failures out.
///
/// The trade-off of the last two, decided so: blocking everyone at the first budget would let
/// anyone with a few dozen addresses switch look-ups off for the whole city; blocking only
/// recent failers keeps honest citizens served but leaves one try per fresh address (a botnet,
/// or an IPv6 block of many /64s). The hard stop at twice the budget bounds even that: harvesting
/// never exceeds `2 × lookup_failures_global_per_hour` tries an hour, and the price (look-ups
/// stopped for up to an hour for everyone) is paid only against thousands of distinct
/// addresses; dossiers already tracked keep arriving through sync meanwhile.
pub fn lookup(
    conn: &mut Connection,
    device: uuid::Uuid,
    addr: &str,
    limits: &Limits,
    l: &DossierLookup,
    track: bool,
    now: DateTime<Utc>,
) -> Result<Dossier, Fail> {
    let tx = conn.transaction()?;
    let device_id = device.to_string();
    let code = normalize_code(&l.code);
    tx.execute(
        "DELETE FROM dossier_lookups WHERE at < ?1",
        [ts(now - LOOKUP_WINDOW.max(CODE_WINDOW))],
    )?;
    let (by_device, by_code): (i64, i64) = tx.query_row(
        "SELECT (SELECT count(*) FROM dossier_lookups WHERE device_id = ?1 AND at >= ?2),
                (SELECT count(*) FROM dossier_lookups WHERE code = ?3 AND at >= ?4)",
        params![
            device_id,
            ts(now - LOOKUP_WINDOW),
            code,
            ts(now - CODE_WINDOW)
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let since = millis(now - crate::limits::WINDOW);
    tx.prepare_cached("DELETE FROM lookup_failures WHERE at < ?1")?
        .execute([since])?;
    let (by_addr, everywhere): (i64, i64) = tx
        .prepare_cached(
            "SELECT (SELECT count(*) FROM lookup_failures WHERE addr = ?1 AND at >= ?2),
                    (SELECT count(*) FROM lookup_failures WHERE at >= ?2)",
        )?
        .query_row(params![addr, since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let budget = limits.lookup_failures_global_per_hour;
    let over_budget = by_addr >= limits.lookup_failures_per_hour
        || everywhere >= budget.saturating_mul(2)
        || (everywhere >= budget && by_addr > 0);
    if by_device >= LOOKUP_LIMIT || by_code >= CODE_LIMIT || over_budget {
        // The same answer whether the code exists or not; the attempt is not recorded:
        // waiting the window out is enough.
        return Err(Fail::new(
            ErrorCode::RateLimited,
            "too many look-ups: try again later",
        ));
    }
    tx.execute(
        "INSERT INTO dossier_lookups (device_id, at, code) VALUES (?1, ?2, ?3)",
        params![device_id, ts(now), code],
    )?;
    let presented = check_secret(&code, l.check.trim());
    let found = dossier(&tx, &code)?;
    let result = match found {
        Some((d, hash)) if same_token(&presented, &hash) => {
            if track {
                tx.execute(
                    "INSERT INTO dossier_trackers (device_id, code) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                    params![device_id, code],
                )?;
            }
            Ok(d)
        }
        _ => {
            tx.prepare_cached("INSERT INTO lookup_failures (addr, at) VALUES (?1, ?2)")?
                .execute(params![addr, millis(now)])?;
            Err(no_such_dossier())
        }
    };
    // The attempt (and a failure) is kept even when the answer is "no such dossier".
    tx.commit()?;
    result
}

/// Open dossiers due soon, overdue or escalated, by unit.
pub fn deadlines(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<UnitDeadlines>, Fail> {
    let today = local_date(now);
    let cal = Calendar::vietnam();
    let mut stmt = conn.prepare(
        "SELECT record FROM dossiers WHERE state NOT IN ('result_ready', 'returned')
         ORDER BY unit_vi, appointment, code",
    )?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut units: Vec<UnitDeadlines> = Vec::new();
    for record in rows {
        let d: Dossier = from_json(&record)?;
        let flag = d.flag(today);
        if matches!(flag, DeadlineFlag::OnTime | DeadlineFlag::Paused) {
            continue;
        }
        if units.last().is_none_or(|u| u.unit_vi != d.unit_vi) {
            units.push(UnitDeadlines {
                unit_vi: d.unit_vi.clone(),
                due_soon: 0,
                overdue: 0,
                escalated: 0,
                dossiers: Vec::new(),
            });
        }
        let Some(unit) = units.last_mut() else {
            continue;
        };
        match flag {
            DeadlineFlag::DueSoon => unit.due_soon += 1,
            DeadlineFlag::Overdue => unit.overdue += 1,
            DeadlineFlag::Escalated => unit.escalated += 1,
            DeadlineFlag::OnTime | DeadlineFlag::Paused => {}
        }
        unit.dossiers.push(FlaggedDossier {
            working_days_late: cal.working_days_between(d.appointment, today),
            code: d.code,
            procedure_id: d.procedure_id,
            state: d.state,
            appointment: d.appointment,
            flag,
            apologised: d.apology.is_some(),
        });
    }
    for unit in &mut units {
        unit.dossiers
            .sort_by_key(|d| std::cmp::Reverse(d.working_days_late));
    }
    Ok(units)
}

/// `n` working days before `d` (for demo data).
pub fn working_days_before(d: NaiveDate, n: u32) -> NaiveDate {
    let cal = Calendar::vietnam();
    let mut day = d;
    let mut left = n;
    while left > 0 {
        day -= Duration::days(1);
        if cal.is_working_day(day) {
            left -= 1;
        }
    }
    day
}

// ---- routes ----------------------------------------------------------------------------------

/// The procedure catalogue (also in every device's sync feed).
#[utoipa::path(get, path = "/api/v1/procedures", tag = "public",
    responses((status = 200, body = Vec<Procedure>)))]
pub async fn list_procedures(
    State(state): State<AppState>,
) -> ApiResult<axum::Json<Vec<Procedure>>> {
    Ok(axum::Json(state.db.run(|c| procedures(c)).await?))
}

/// Look a dossier up by its code and the last 4 digits of the filer's phone number.
#[utoipa::path(post, path = "/api/v1/dossiers/lookup", tag = "citizen",
    security(("bearer" = [])), request_body = DossierLookup,
    responses((status = 200, body = Dossier),
        (status = 404, description = "unknown code or wrong check value: the same answer", body = ApiError),
        (status = 401, body = ApiError), (status = 422, body = ApiError),
        (status = 429, description = "too many look-ups from this device, or of this code from all devices, or too many failed look-ups from this network address or on the whole server", body = ApiError)))]
pub async fn lookup_dossier(
    State(state): State<AppState>,
    Device(device): Device,
    addr: ClientAddr,
    Json(l): Json<DossierLookup>,
) -> ApiResult<axum::Json<Dossier>> {
    look_up(state, device, addr, l, false).await
}

async fn look_up(
    state: AppState,
    device: uuid::Uuid,
    addr: ClientAddr,
    l: DossierLookup,
    track: bool,
) -> ApiResult<axum::Json<Dossier>> {
    check_lookup(&l)?;
    let (addr, limits) = (addr.key(), state.limits);
    let d = state
        .db
        .run(move |c| lookup(c, device, &addr, &limits, &l, track, Utc::now()))
        .await?;
    Ok(axum::Json(d))
}

/// Track a dossier: as a look-up, and its changes then come through this device's sync feed.
#[utoipa::path(post, path = "/api/v1/dossiers/track", tag = "citizen",
    security(("bearer" = [])), request_body = DossierLookup,
    responses((status = 200, body = Dossier), (status = 404, body = ApiError),
        (status = 401, body = ApiError), (status = 422, body = ApiError),
        (status = 429, description = "too many look-ups from this device, or of this code from all devices, or too many failed look-ups from this network address or on the whole server", body = ApiError)))]
pub async fn track_dossier(
    State(state): State<AppState>,
    Device(device): Device,
    addr: ClientAddr,
    Json(l): Json<DossierLookup>,
) -> ApiResult<axum::Json<Dossier>> {
    look_up(state, device, addr, l, true).await
}

/// Stop tracking a dossier: its changes no longer come through this device's feed.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/untrack", tag = "citizen",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "dossier code")),
    responses((status = 204, description = "not tracked by this device (any more)"),
        (status = 401, body = ApiError)))]
pub async fn untrack_dossier(
    State(state): State<AppState>,
    Device(device): Device,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    let code = normalize_code(&code);
    state
        .db
        .run(move |c| {
            c.execute(
                "DELETE FROM dossier_trackers WHERE device_id = ?1 AND code = ?2",
                params![device.to_string(), code],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Operator: a dossier received; its appointment is computed in working days.
#[utoipa::path(post, path = "/api/v1/operator/dossiers", tag = "operator",
    security(("operator" = [])), request_body = NewDossier,
    responses((status = 201, body = Dossier), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn operator_receive(
    State(state): State<AppState>,
    Operator(actor): Operator,
    Json(new): Json<NewDossier>,
) -> ApiResult<(StatusCode, axum::Json<Dossier>)> {
    for (field, value) in [
        ("code", &new.code),
        ("procedure_id", &new.procedure_id),
        ("unit_vi", &new.unit_vi),
        ("unit_en", &new.unit_en),
        ("phone", &new.phone),
    ] {
        crate::error::text(field, value, 200)?;
    }
    let d = state
        .db
        .run(move |c| {
            if let crate::permissions::Actor::Staff(staff) = &actor
                && !staff_covers(staff, &crate::staff::units(c)?, new.unit_vi.trim(), true)
            {
                return Err(Fail::new(
                    ErrorCode::Forbidden,
                    "unit_vi: not a unit this token's owner covers",
                ));
            }
            receive(c, &new, Utc::now())
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(d)))
}

/// Operator: move a dossier on (in processing, supplementary documents requested, result
/// ready, returned).
#[utoipa::path(post, path = "/api/v1/operator/dossiers/{code}/state", tag = "operator",
    security(("operator" = [])), request_body = DossierAdvance,
    params(("code" = String, Path, description = "dossier code")),
    responses((status = 200, body = Dossier), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn operator_advance(
    State(state): State<AppState>,
    Operator(actor): Operator,
    Path(code): Path<String>,
    Json(step): Json<DossierAdvance>,
) -> ApiResult<axum::Json<Dossier>> {
    crate::error::text("note", &step.note, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    let d = state
        .db
        .run(move |c| {
            actor_may(c, &actor, &code)?;
            advance(c, &code, &step, Utc::now())
        })
        .await?;
    Ok(axum::Json(d))
}

/// Operator: apologise for an overdue dossier and set a new appointment.
#[utoipa::path(post, path = "/api/v1/operator/dossiers/{code}/apology", tag = "operator",
    security(("operator" = [])), request_body = NewApology,
    params(("code" = String, Path, description = "dossier code")),
    responses((status = 200, body = Dossier), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn operator_apologise(
    State(state): State<AppState>,
    Operator(actor): Operator,
    Path(code): Path<String>,
    Json(a): Json<NewApology>,
) -> ApiResult<axum::Json<Dossier>> {
    crate::error::text("reason", &a.reason, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    let d = state
        .db
        .run(move |c| {
            actor_may(c, &actor, &code)?;
            apologise(c, &code, &a, Utc::now())
        })
        .await?;
    Ok(axum::Json(d))
}

/// Operator: each unit's open dossiers due within a working day (yellow), overdue (red) and
/// overdue by more than 5 working days (escalated).
#[utoipa::path(get, path = "/api/v1/operator/dossiers/deadlines", tag = "operator",
    security(("operator" = [])),
    responses((status = 200, body = Vec<UnitDeadlines>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn operator_deadlines(
    State(state): State<AppState>,
    Operator(actor): Operator,
) -> ApiResult<axum::Json<Vec<UnitDeadlines>>> {
    let all = state
        .db
        .read(|c| Ok((deadlines(c, Utc::now())?, crate::staff::units(c)?)))
        .await?;
    let (all, units) = all;
    // A staff token sees its owner's units only.
    let mine = match &actor {
        crate::permissions::Actor::Shared => all,
        crate::permissions::Actor::Staff(staff) => all
            .into_iter()
            .filter(|u| staff_covers(staff, &units, &u.unit_vi, false))
            .collect(),
    };
    Ok(axum::Json(mine))
}
