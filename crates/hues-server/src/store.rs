//! The server's queries. Each function takes a connection (or transaction) and does one thing.

use chrono::{DateTime, Utc};
use hues_wire::ErrorCode;
use hues_wire::api::{
    Booking, BookingStatus, Category, LocationSource, NewBooking, NewReport, Place, Rating, Report,
    ReportPlace, ReportStatus, Satisfaction, StatusChange, StatusUpdate,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use crate::error::Fail;

pub use crate::db::ts;

fn parse_ts(s: &str) -> Result<DateTime<Utc>, Fail> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Fail::internal(format!("bad timestamp {s:?} in database: {e}")))
}

fn parse_status(s: &str) -> Result<ReportStatus, Fail> {
    ReportStatus::parse(s).ok_or_else(|| Fail::internal(format!("bad status {s:?} in database")))
}

pub fn parse_uuid(s: &str) -> Result<Uuid, Fail> {
    Uuid::parse_str(s).map_err(|e| Fail::internal(format!("bad uuid {s:?} in database: {e}")))
}

/// Records that an entity changed, so the sync feed carries its new state.
fn touch(tx: &Connection, kind: &str, entity: &str, audience: Option<&str>) -> Result<(), Fail> {
    // Cached statements: this runs on every write, behind the one writer.
    tx.prepare_cached("DELETE FROM changes WHERE kind = ?1 AND entity = ?2")?
        .execute(params![kind, entity])?;
    tx.prepare_cached("INSERT INTO changes (kind, entity, audience) VALUES (?1, ?2, ?3)")?
        .execute(params![kind, entity, audience])?;
    Ok(())
}

/// Who gets a tracked entity's changes: only the devices tracking it (see `changes_since`).
pub const TRACKERS: &str = "trackers";

/// Records that a tracked entity (a dossier) changed, for the feeds of the devices tracking it.
pub fn touch_tracked(tx: &Connection, kind: &str, entity: &str) -> Result<(), Fail> {
    touch(tx, kind, entity, Some(TRACKERS))
}

/// Records that something of one device's changed (a booking, a place of its own): its feed
/// carries it, and the feeds of the other devices of its account.
pub fn touch_owned(tx: &Connection, kind: &str, entity: &str, owner: Uuid) -> Result<(), Fail> {
    touch(tx, kind, entity, Some(&owner.to_string()))
}

/// Records that a public entity changed, for every device's feed.
pub fn touch_public(tx: &Connection, kind: &str, entity: &str) -> Result<(), Fail> {
    touch(tx, kind, entity, None)
}

/// Records that a report changed: its owner's feed carries it, and its followers' feeds (what
/// they may see of it is decided when the feed is read).
pub fn touch_report(tx: &Connection, id: Uuid, owner: Uuid) -> Result<(), Fail> {
    touch(tx, "report", &id.to_string(), Some(&owner.to_string()))
}

/// The unit that owns a report (`Some(None)`: not routed yet), `None` for no such report.
pub fn report_unit(conn: &Connection, id: Uuid) -> Result<Option<Option<String>>, Fail> {
    Ok(conn
        .prepare_cached("SELECT unit_id FROM reports WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get::<_, Option<String>>(0))
        .optional()?)
}

/// The device that made a report.
pub fn report_owner(conn: &Connection, id: Uuid) -> Result<Option<Uuid>, Fail> {
    let owner: Option<String> = conn
        .prepare_cached("SELECT device_id FROM reports WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    owner.as_deref().map(parse_uuid).transpose()
}

pub fn insert_device(
    conn: &Connection,
    id: Uuid,
    token_hash: &str,
    platform: Option<&str>,
    locale: Option<&str>,
) -> Result<(), Fail> {
    conn.execute(
        "INSERT INTO devices (id, token_hash, platform, locale, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id.to_string(), token_hash, platform, locale, ts(Utc::now())],
    )?;
    Ok(())
}

pub fn device_by_token_hash(conn: &Connection, hash: &str) -> Result<Option<Uuid>, Fail> {
    // A revoked device (signed out, or revoked from the console) is nobody.
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM devices WHERE token_hash = ?1 AND revoked_at IS NULL",
            [hash],
            |r| r.get(0),
        )
        .optional()?;
    id.as_deref().map(parse_uuid).transpose()
}

pub fn upsert_category(tx: &Transaction<'_>, c: &Category) -> Result<(), Fail> {
    let was_public: Option<bool> = tx
        .prepare_cached("SELECT public FROM categories WHERE code = ?1")?
        .query_row([&c.code], |r| r.get(0))
        .optional()?;
    if was_public.is_some_and(|p| p != c.public) {
        // Whether its reports are public changed: their followers' feeds must say so.
        let reports: Vec<(String, String)> = tx
            .prepare("SELECT id, device_id FROM reports WHERE category = ?1")?
            .query_map([&c.code], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, owner) in reports {
            touch(tx, "report", &id, Some(&owner))?;
        }
    }
    tx.execute(
        "INSERT INTO categories (code, grp, name_vi, name_en, description_vi, description_en, position, attributes, public)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(code) DO UPDATE SET grp = ?2, name_vi = ?3, name_en = ?4,
             description_vi = ?5, description_en = ?6, position = ?7, attributes = ?8, public = ?9",
        params![
            c.code,
            c.group,
            c.name_vi,
            c.name_en,
            c.description_vi,
            c.description_en,
            c.position,
            json(&c.attributes)?,
            c.public,
        ],
    )?;
    touch(tx, "category", &c.code, None)
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, Fail> {
    serde_json::to_string(v).map_err(Fail::internal)
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn category_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Category> {
    Ok(Category {
        code: r.get(0)?,
        group: r.get(1)?,
        name_vi: r.get(2)?,
        name_en: r.get(3)?,
        description_vi: r.get(4)?,
        description_en: r.get(5)?,
        position: r.get(6)?,
        attributes: from_json(&r.get::<_, String>(7)?)?,
        public: r.get(8)?,
    })
}

const CATEGORY_COLUMNS: &str =
    "code, grp, name_vi, name_en, description_vi, description_en, position, attributes, public";

/// Adds or replaces a known place, and tells every device.
pub fn upsert_place(tx: &Transaction<'_>, p: &Place) -> Result<(), Fail> {
    tx.prepare_cached(
        "INSERT INTO places (id, category, name_vi, name_en, address, latitude, longitude,
            description_vi, description_en, phone, website, opening_hours, photos, tickets, sight)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT(id) DO UPDATE SET category = ?2, name_vi = ?3, name_en = ?4, address = ?5,
             latitude = ?6, longitude = ?7, description_vi = ?8, description_en = ?9, phone = ?10,
             website = ?11, opening_hours = ?12, photos = ?13, tickets = ?14, sight = ?15",
    )?
    .execute(params![
        p.id,
        p.category,
        p.name_vi,
        p.name_en,
        p.address,
        p.latitude,
        p.longitude,
        p.description_vi,
        p.description_en,
        p.phone,
        p.website,
        p.opening_hours,
        json(&p.photos)?,
        json(&p.tickets)?,
        p.sight,
    ])?;
    touch(tx, "place", &p.id, None)
}

pub fn place(conn: &Connection, id: &str) -> Result<Option<Place>, Fail> {
    Ok(conn
        .prepare_cached(
            "SELECT id, category, name_vi, name_en, address, latitude, longitude, description_vi,
                    description_en, phone, website, opening_hours, photos, tickets, sight
             FROM places WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Place {
                id: r.get(0)?,
                category: r.get(1)?,
                name_vi: r.get(2)?,
                name_en: r.get(3)?,
                address: r.get(4)?,
                latitude: r.get(5)?,
                longitude: r.get(6)?,
                description_vi: r.get(7)?,
                description_en: r.get(8)?,
                phone: r.get(9)?,
                website: r.get(10)?,
                opening_hours: r.get(11)?,
                photos: from_json(&r.get::<_, String>(12)?)?,
                tickets: from_json(&r.get::<_, String>(13)?)?,
                sight: r.get(14)?,
            })
        })
        .optional()?)
}

// ---- bookings ------------------------------------------------------------------------------

pub fn booking_row(conn: &Connection, id: &str) -> Result<Option<(Uuid, Booking)>, Fail> {
    let row = conn
        .prepare_cached(
            "SELECT device_id, request, status, note_from_operator, updated_at FROM bookings WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?;
    let Some((device, request, status, note, updated)) = row else {
        return Ok(None);
    };
    Ok(Some((
        parse_uuid(&device)?,
        Booking {
            request: serde_json::from_str(&request).map_err(Fail::internal)?,
            status: BookingStatus::parse(&status)
                .ok_or_else(|| Fail::internal(format!("booking status {status:?}")))?,
            note_from_operator: note,
            updated_at: parse_ts(&updated)?,
        },
    )))
}

/// Stores a booking request, idempotently on its id: a stored booking sent again is a replay
/// even once its date has passed, so the id is looked up before the request is checked against
/// `today`.
pub fn insert_booking(
    conn: &mut Connection,
    device: Uuid,
    new: &NewBooking,
    today: chrono::NaiveDate,
) -> Result<Stored<Booking>, Fail> {
    let tx = conn.transaction()?;
    let id = new.id.to_string();
    if let Some((owner, existing)) = booking_row(&tx, &id)? {
        return if owner == device && existing.request == *new {
            Ok(Stored::Replayed(existing))
        } else {
            Err(Fail::new(
                ErrorCode::IdConflict,
                "a different booking was already sent with this id",
            ))
        };
    }
    hues_wire::validate::check_booking(new, today)?;
    if place(&tx, &new.place_id)?.is_none() {
        return Err(Fail::new(ErrorCode::NotFound, "place not found"));
    }
    let now = ts(Utc::now());
    tx.execute(
        "INSERT INTO bookings (id, device_id, place_id, request, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'requested', ?5, ?5)",
        params![id, device.to_string(), new.place_id, json(new)?, now],
    )?;
    touch(&tx, "booking", &id, Some(&device.to_string()))?;
    let (_, stored) = booking_row(&tx, &id)?.ok_or_else(|| Fail::internal("booking vanished"))?;
    tx.commit()?;
    Ok(Stored::Created(stored))
}

/// Moves a booking on: the citizen cancels their own (`device` given) while it is requested or
/// confirmed; an operator confirms or declines a requested one. Cancelling twice is no error.
pub fn set_booking_status(
    conn: &mut Connection,
    id: Uuid,
    device: Option<Uuid>,
    to: BookingStatus,
    note: &str,
) -> Result<Booking, Fail> {
    let tx = conn.transaction()?;
    let key = id.to_string();
    let Some((owner, current)) = booking_row(&tx, &key)? else {
        return Err(Fail::not_found("booking"));
    };
    if let Some(d) = device
        && !crate::owners::acts_for(&tx, d, owner)?
    {
        return Err(Fail::not_found("booking"));
    }
    use BookingStatus::*;
    let allowed = match (device, current.status, to) {
        (Some(_), Cancelled, Cancelled) => return Ok(current),
        (Some(_), Requested | Confirmed, Cancelled) => true,
        (None, Requested, Confirmed | Declined) => true,
        _ => false,
    };
    if !allowed {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            format!(
                "a {} booking cannot become {}",
                current.status.as_str(),
                to.as_str()
            ),
        ));
    }
    tx.execute(
        "UPDATE bookings SET status = ?2, note_from_operator = CASE WHEN ?4 THEN ?3 ELSE note_from_operator END,
             updated_at = ?5 WHERE id = ?1",
        params![key, to.as_str(), note, device.is_none(), ts(Utc::now())],
    )?;
    touch(&tx, "booking", &key, Some(&owner.to_string()))?;
    let (_, b) = booking_row(&tx, &key)?.ok_or_else(|| Fail::internal("booking vanished"))?;
    tx.commit()?;
    Ok(b)
}

/// Every booking, newest first (operator view).
pub fn all_bookings(conn: &Connection) -> Result<Vec<Booking>, Fail> {
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM bookings ORDER BY created_at DESC, id DESC")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(booking_row(conn, &id)?.map(|(_, b)| b));
    }
    Ok(out)
}

pub fn categories(conn: &Connection) -> Result<Vec<Category>, Fail> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CATEGORY_COLUMNS} FROM categories ORDER BY position, code"
    ))?;
    let rows = stmt.query_map([], category_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn category(conn: &Connection, code: &str) -> Result<Option<Category>, Fail> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CATEGORY_COLUMNS} FROM categories WHERE code = ?1"
        ))?
        .query_row([code], category_row)
        .optional()?)
}

/// A stored report with its owner.
pub struct OwnedReport {
    pub owner: Uuid,
    pub report: Report,
}

pub fn report(conn: &Connection, id: Uuid) -> Result<Option<OwnedReport>, Fail> {
    let row = conn
        .query_row(
            "SELECT device_id, category, description, latitude, longitude, created_at, received_at, status, attributes,
                    rating, rating_comment, rated_at, address, accuracy_m, location_source, alert
             FROM reports WHERE id = ?1",
            [id.to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    from_json::<hues_wire::api::Attributes>(&r.get::<_, String>(8)?)?,
                    (
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, Option<String>>(10)?,
                        r.get::<_, Option<String>>(11)?,
                    ),
                    ReportPlace {
                        address: r.get(12)?,
                        accuracy_m: r.get(13)?,
                        location_source: r
                            .get::<_, Option<String>>(14)?
                            .as_deref()
                            .and_then(LocationSource::parse),
                        alert: r.get(15)?,
                    },
                ))
            },
        )
        .optional()?;
    let Some((
        owner,
        category,
        description,
        latitude,
        longitude,
        created,
        received,
        status,
        attributes,
        (rating, rating_comment, rated_at),
        place,
    )) = row
    else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare("SELECT status, note, at, unit, duplicate_of, id FROM report_events WHERE report_id = ?1 ORDER BY id")?;
    let events = stmt.query_map([id.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut photo_stmt = conn.prepare(
        "SELECT sha256, event_id FROM report_photos WHERE report_id = ?1 ORDER BY position",
    )?;
    let photo_rows = photo_stmt
        .query_map([id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let photos_of = |event: Option<i64>| -> Vec<String> {
        photo_rows
            .iter()
            .filter(|(_, e)| *e == event)
            .map(|(sha, _)| sha.clone())
            .collect()
    };
    let mut history = Vec::new();
    for ev in events {
        let (st, note, at, unit, duplicate_of, event_id) = ev?;
        history.push(StatusChange {
            photos: photos_of(Some(event_id)),
            unit,
            duplicate_of: duplicate_of.as_deref().map(parse_uuid).transpose()?,
            status: parse_status(&st)?,
            note,
            at: parse_ts(&at)?,
        });
    }
    Ok(Some(OwnedReport {
        owner: parse_uuid(&owner)?,
        report: Report {
            id,
            category,
            description,
            latitude,
            longitude,
            created_at: parse_ts(&created)?,
            attributes,
            photos: photos_of(None),
            place,
            rating: match (rating.as_deref().and_then(Satisfaction::parse), rated_at) {
                (Some(satisfaction), Some(at)) => Some(Rating {
                    satisfaction,
                    comment: rating_comment.unwrap_or_default(),
                    at: parse_ts(&at)?,
                }),
                _ => None,
            },
            received_at: parse_ts(&received)?,
            status: parse_status(&status)?,
            history,
        },
    }))
}

/// What storing a submitted record did.
pub enum Stored<T = Report> {
    Created(T),
    /// The same record was sent again (a retry): nothing new was stored.
    Replayed(T),
}

/// Stores a new report, idempotently on its id: a report stored before is a replay whatever
/// rules came since, so the id is looked up before the report is checked. Runs inside the
/// caller's transaction (the writer's batch gives each job a savepoint: `Db::write`), so that its
/// rows are kept or dropped together, and so that a retry in the same batch sees the first
/// try's row.
pub fn insert_report(tx: &Connection, device: Uuid, new: &NewReport) -> Result<Stored, Fail> {
    if tx.is_autocommit() {
        return Err(Fail::internal("insert_report called outside a transaction"));
    }
    // A photo uploaded with metadata is kept under its clean name: the report names that one
    // (also when this is a retry, whose stored record already does).
    let renamed;
    let new = match crate::photos::canonical_names(tx, &new.photos)? {
        photos if photos != new.photos => {
            renamed = NewReport {
                photos,
                ..new.clone()
            };
            &renamed
        }
        _ => new,
    };
    let known: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM reports WHERE id = ?1)")?
        .query_row([new.id.to_string()], |r| r.get(0))?;
    if let Some(existing) = known.then(|| report(tx, new.id)).transpose()?.flatten() {
        return if existing.owner == device && existing.report.same_submission(new) {
            Ok(Stored::Replayed(existing.report))
        } else {
            Err(Fail::new(
                ErrorCode::IdConflict,
                "a different report was already sent with this id",
            ))
        };
    }
    hues_wire::validate::check_report(new).map_err(|e| Fail(e.into()))?;
    let Some(cat) = category(tx, &new.category)? else {
        return Err(Fail::new(
            ErrorCode::UnknownCategory,
            format!("unknown category {:?}", new.category),
        ));
    };
    hues_wire::validate::check_attributes(&cat, &new.attributes).map_err(|e| Fail(e.into()))?;
    crate::photos::check_list(tx, &new.photos, Some(device))?;
    if let Some(alert) = &new.place.alert {
        let known: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM alerts WHERE identifier = ?1 AND published = 1)",
            )?
            .query_row([alert], |r| r.get(0))?;
        if !known {
            return Err(Fail::new(
                ErrorCode::InvalidValue,
                format!("alert: no warning {alert:?}"),
            ));
        }
    }
    let received_at = Utc::now();
    let now = ts(received_at);
    let id = new.id.to_string();
    tx.prepare_cached(
        "INSERT INTO reports (id, device_id, category, description, latitude, longitude, created_at, received_at, status, attributes,
                              address, accuracy_m, location_source, alert)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'received', ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        device.to_string(),
        new.category,
        new.description,
        new.latitude,
        new.longitude,
        ts(new.created_at),
        now,
        json(&new.attributes)?,
        new.place.address,
        new.place.accuracy_m,
        new.place.location_source.map(LocationSource::as_str),
        new.place.alert,
    ])?;
    tx.prepare_cached(
        "INSERT INTO report_events (report_id, status, note, at) VALUES (?1, 'received', '', ?2)",
    )?
    .execute(params![id, now])?;
    crate::routing::route_new(tx, &id, &new.category, new.latitude, new.longitude, &now)?;
    for (position, sha) in new.photos.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO report_photos (report_id, position, sha256) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, position as i64, sha])?;
    }
    touch(tx, "report", &id, Some(&device.to_string()))?;
    // The record as stored, without reading it back: the same values, and the time as stored
    // (whole microseconds, like every time the server keeps).
    let received_at = parse_ts(&now)?;
    Ok(Stored::Created(Report {
        id: new.id,
        category: new.category.clone(),
        description: new.description.clone(),
        latitude: new.latitude,
        longitude: new.longitude,
        created_at: parse_ts(&ts(new.created_at))?,
        attributes: new.attributes.clone(),
        photos: new.photos.clone(),
        place: new.place.clone(),
        received_at,
        status: ReportStatus::Received,
        history: vec![StatusChange {
            status: ReportStatus::Received,
            note: String::new(),
            at: received_at,
            unit: None,
            duplicate_of: None,
            photos: Vec::new(),
        }],
        rating: None,
    }))
}

/// Records one step of a report's handling and publishes the new state to its owner's feed.
/// `step` is already checked: its unit, duplicate and photos are the ones to record.
fn record_event(
    tx: &Transaction<'_>,
    id: Uuid,
    owner: Uuid,
    step: &StatusUpdate,
    by_citizen: bool,
) -> Result<Report, Fail> {
    let StatusUpdate {
        status,
        note,
        unit,
        duplicate_of,
        photos,
    } = step;
    let now = ts(Utc::now());
    tx.execute(
        "UPDATE reports SET status = ?2 WHERE id = ?1",
        params![id.to_string(), status.as_str()],
    )?;
    tx.execute(
        "INSERT INTO report_events (report_id, status, note, at, unit, duplicate_of, by_citizen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id.to_string(),
            status.as_str(),
            note,
            now,
            unit,
            duplicate_of.map(|d| d.to_string()),
            by_citizen,
        ],
    )?;
    let event_id = tx.last_insert_rowid();
    let first: i64 = tx.query_row(
        "SELECT coalesce(max(position) + 1, 0) FROM report_photos WHERE report_id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )?;
    for (n, sha) in photos.iter().enumerate() {
        tx.execute(
            "INSERT INTO report_photos (report_id, position, sha256, event_id) VALUES (?1, ?2, ?3, ?4)",
            params![id.to_string(), first + n as i64, sha, event_id],
        )?;
    }
    touch_report(tx, id, owner)?;
    Ok(report(tx, id)?
        .ok_or_else(|| Fail::internal("report vanished"))?
        .report)
}

/// Operator: moves a report along. `assigned` names a unit, `rejected` gives a reason,
/// `duplicate` names the other report.
pub fn change_status(
    conn: &mut Connection,
    id: Uuid,
    update: &StatusUpdate,
) -> Result<Report, Fail> {
    let note = update.note.trim();
    let unit = update
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let missing = |what: &str| {
        Fail::new(
            ErrorCode::MissingField,
            format!("{what} is required with status {}", update.status.as_str()),
        )
    };
    match update.status {
        ReportStatus::Assigned if unit.is_none() => return Err(missing("unit")),
        ReportStatus::Rejected if note.is_empty() => return Err(missing("note (the reason)")),
        ReportStatus::Duplicate if update.duplicate_of.is_none() => {
            return Err(missing("duplicate_of"));
        }
        _ => {}
    }
    let tx = conn.transaction()?;
    let owner = report(&tx, id)?
        .ok_or_else(|| Fail::not_found("report"))?
        .owner;
    let photos = crate::photos::canonical_names(&tx, &update.photos)?;
    crate::photos::check_list(&tx, &photos, None)?;
    if let Some(other) = update
        .duplicate_of
        .filter(|_| update.status == ReportStatus::Duplicate)
        && (other == id || report(&tx, other)?.is_none())
    {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            "duplicate_of must name another existing report",
        ));
    }
    let step = StatusUpdate {
        status: update.status,
        note: note.to_owned(),
        unit: unit
            .filter(|_| update.status == ReportStatus::Assigned)
            .map(str::to_owned),
        duplicate_of: update
            .duplicate_of
            .filter(|_| update.status == ReportStatus::Duplicate),
        photos,
    };
    let updated = record_event(&tx, id, owner, &step, false)?;
    tx.commit()?;
    Ok(updated)
}

/// The owner's own report, or "not found" (another's report is never revealed).
fn own_report(tx: &Transaction<'_>, device: Uuid, id: Uuid) -> Result<Report, Fail> {
    match report(tx, id)? {
        Some(r) if crate::owners::owns_report(tx, device, r.owner, id)? => Ok(r.report),
        _ => Err(Fail::not_found("report")),
    }
}

/// The citizen rates the city's answer; only a resolved report can be rated (again: replaces).
pub fn rate(
    conn: &mut Connection,
    device: Uuid,
    id: Uuid,
    rating: &hues_wire::api::NewRating,
) -> Result<Report, Fail> {
    let tx = conn.transaction()?;
    let r = own_report(&tx, device, id)?;
    if r.status != ReportStatus::Resolved {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            "only a resolved report can be rated",
        ));
    }
    tx.execute(
        "UPDATE reports SET rating = ?2, rating_comment = ?3, rated_at = ?4 WHERE id = ?1",
        params![
            id.to_string(),
            rating.satisfaction.as_str(),
            rating.comment.trim(),
            ts(Utc::now())
        ],
    )?;
    touch(&tx, "report", &id.to_string(), Some(&device.to_string()))?;
    let updated = own_report(&tx, device, id)?;
    tx.commit()?;
    Ok(updated)
}

/// The citizen says the problem is still there, within seven days of its resolution.
pub fn reopen(conn: &mut Connection, device: Uuid, id: Uuid, note: &str) -> Result<Report, Fail> {
    let tx = conn.transaction()?;
    let r = own_report(&tx, device, id)?;
    match r.reopen_until() {
        Some(until) if Utc::now() <= until => {}
        Some(_) => {
            return Err(Fail::new(
                ErrorCode::InvalidValue,
                "the 7 days to reopen this report are over",
            ));
        }
        None => {
            return Err(Fail::new(
                ErrorCode::InvalidValue,
                "only a resolved report can be reopened",
            ));
        }
    }
    let step = StatusUpdate {
        status: ReportStatus::Received,
        note: note.trim().to_owned(),
        unit: None,
        duplicate_of: None,
        photos: Vec::new(),
    };
    let updated = record_event(&tx, id, device, &step, true)?;
    tx.commit()?;
    Ok(updated)
}

/// Number of reports stored (all devices); for operators and tests.
pub fn report_count(conn: &Connection) -> Result<i64, Fail> {
    Ok(conn.query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?)
}

/// A page of every report, newest first (operator view): at most `limit`, after the report
/// `after` (the last one of the previous page; an unknown one is refused). Returns the page and
/// whether more follow. Both forms walk `reports_received` from where they start.
pub fn reports_page(
    conn: &Connection,
    after: Option<Uuid>,
    limit: usize,
) -> Result<(Vec<Report>, bool), Fail> {
    let take = limit as i64 + 1;
    let ids: Vec<String> = match after {
        None => conn
            .prepare_cached("SELECT id FROM reports ORDER BY received_at DESC, id DESC LIMIT ?1")?
            .query_map([take], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
        Some(after) => {
            let at: Option<String> = conn
                .prepare_cached("SELECT received_at FROM reports WHERE id = ?1")?
                .query_row([after.to_string()], |r| r.get(0))
                .optional()?;
            let at = at.ok_or_else(|| {
                Fail::new(
                    ErrorCode::InvalidValue,
                    "after names no report: start again without it",
                )
            })?;
            conn.prepare_cached(
                "SELECT id FROM reports WHERE (received_at, id) < (?1, ?2)
                 ORDER BY received_at DESC, id DESC LIMIT ?3",
            )?
            .query_map(params![at, after.to_string(), take], |r| r.get(0))?
            .collect::<Result<_, _>>()?
        }
    };
    let more = ids.len() > limit;
    let mut out = Vec::with_capacity(limit);
    for id in ids.into_iter().take(limit) {
        if let Some(r) = report(conn, parse_uuid(&id)?)? {
            out.push(r.report);
        }
    }
    Ok((out, more))
}

/// The device row that stands for a channel with no device of its own: the contact centre's
/// (`hotline`, `walk_in`, `email`) and the console's staff (`staff`). Made once; no one holds
/// its token.
pub fn channel_device(conn: &rusqlite::Connection, channel: &str) -> Result<Uuid, Fail> {
    use rusqlite::OptionalExtension;
    let platform = format!("channel:{channel}");
    let found: Option<String> = conn
        .query_row(
            "SELECT id FROM devices WHERE platform = ?1",
            [&platform],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = found {
        return Uuid::parse_str(&id).map_err(Fail::internal);
    }
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO devices (id, token_hash, platform, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            id.to_string(),
            crate::auth::hash_token(&crate::auth::new_token()),
            platform,
            crate::db::ts(chrono::Utc::now())
        ],
    )?;
    Ok(id)
}
