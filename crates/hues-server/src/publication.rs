//! What the public may see, decided here and nowhere else.
//!
//! A report is **published** when staff published it, or, unless staff withdrew it, when its
//! category's reports are public (not "security") and it was not refused. Every public route —
//! the public list and detail, "me too", duplicate suggestions, Open311 `GET requests`, the
//! photos, and what a follower's feed carries — asks `PUBLISHED` or goes through `shape`.
//!
//! What a published report shows (`shape`): category, description, status, address, the
//! reporter's photos, the city's steps with their notes and photos, the "me too" count; its
//! position rounded to `PUBLIC_POSITION_DECIMALS` places; its times to the minute. Never: the
//! device, the device-clock creation time, the position's accuracy and source, the answers to
//! extra questions, the rating and its comment, the note of a step the citizen made (reopening).

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use hues_wire::api::{PublicReport, Report, ReportStatus, public_coordinate};
use hues_wire::geo;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::error::Fail;
use crate::store;

/// Whether the report row aliased `r` is published (an SQL condition).
pub const PUBLISHED: &str = "(CASE WHEN r.published IS NOT NULL THEN r.published = 1
    ELSE r.status <> 'rejected'
         AND EXISTS (SELECT 1 FROM categories c WHERE c.code = r.category AND c.public = 1) END)";

/// Whether a report is published; `None` when there is no such report.
pub fn is_published(conn: &Connection, id: Uuid) -> Result<Option<bool>, Fail> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PUBLISHED} FROM reports r WHERE r.id = ?1"
        ))?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?)
}

/// Staff decide: `Some(true)` publishes, `Some(false)` withdraws, `None` returns the report to
/// its category's rule. Returns whether it is now published.
pub fn set_published(
    conn: &mut Connection,
    id: Uuid,
    published: Option<bool>,
) -> Result<bool, Fail> {
    let tx = conn.transaction()?;
    let owner = store::report_owner(&tx, id)?.ok_or_else(|| Fail::not_found("report"))?;
    tx.execute(
        "UPDATE reports SET published = ?2 WHERE id = ?1",
        params![id.to_string(), published],
    )?;
    // A new feed row, so followers learn that it appeared or went.
    store::touch_report(&tx, id, owner)?;
    let now = is_published(&tx, id)?.unwrap_or(false);
    tx.commit()?;
    Ok(now)
}

fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t)
}

/// A stored report as the public sees it (the caller checked it is published).
pub fn shape(conn: &Connection, r: Report, from: Option<(f64, f64)>) -> Result<PublicReport, Fail> {
    let id = r.id.to_string();
    let me_too: u32 = conn
        .prepare_cached("SELECT count(*) FROM followers WHERE report_id = ?1")?
        .query_row([&id], |row| row.get(0))?;
    // Aligned with `history`, which is in event order too.
    let by_citizen = conn
        .prepare_cached("SELECT by_citizen FROM report_events WHERE report_id = ?1 ORDER BY id")?
        .query_map([&id], |row| row.get::<_, bool>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let (latitude, longitude) = (
        public_coordinate(r.latitude),
        public_coordinate(r.longitude),
    );
    let mut history = Vec::with_capacity(r.history.len());
    let steps = r
        .history
        .into_iter()
        .zip(by_citizen.into_iter().chain(std::iter::repeat(false)));
    for (mut step, citizens) in steps {
        if citizens {
            step.note.clear();
        }
        // "Duplicate of" names the other report only when the public may see it.
        if let Some(other) = step.duplicate_of
            && is_published(conn, other)? != Some(true)
        {
            step.duplicate_of = None;
        }
        step.at = to_minute(step.at);
        history.push(step);
    }
    Ok(PublicReport {
        distance_m: from.map(|(lat, lon)| geo::distance_m(lat, lon, latitude, longitude)),
        id: r.id,
        category: r.category,
        description: r.description,
        latitude,
        longitude,
        status: r.status,
        received_at: to_minute(r.received_at),
        me_too,
        address: r.place.address,
        alert: r.place.alert,
        photos: r.photos,
        history,
    })
}

/// One published report, or `None` (unknown and unpublished answer alike).
pub fn report(conn: &Connection, id: Uuid) -> Result<Option<PublicReport>, Fail> {
    if is_published(conn, id)? != Some(true) {
        return Ok(None);
    }
    store::report(conn, id)?
        .map(|r| shape(conn, r.report, None))
        .transpose()
}

fn shapes(
    conn: &Connection,
    ids: Vec<String>,
    from: Option<(f64, f64)>,
) -> Result<Vec<PublicReport>, Fail> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let id = Uuid::parse_str(&id).map_err(Fail::internal)?;
        if let Some(r) = store::report(conn, id)? {
            out.push(shape(conn, r.report, from)?);
        }
    }
    Ok(out)
}

/// Published reports within `radius_m` of a point, nearest first, at most `limit`. Everything
/// is decided on the positions as published (`round(…, 3)`): whether a report is in the box, its
/// order and its distance, so that moving the point asked about tells nothing finer than the
/// rounded position shown. The raw box, wider by half a rounding step, is only there to use the
/// position index (`reports_place`): every report whose rounded position is in the box is in it.
pub fn nearby(
    conn: &Connection,
    (lat, lon): (f64, f64),
    radius_m: f64,
    category: Option<&str>,
    since: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<PublicReport>, Fail> {
    let (a, b, c, d) = geo::bounding_box(lat, lon, radius_m);
    // Squared distance on a flat map, scaled for the latitude: orders like the true distance at
    // a city's scale, and needs no SQL function.
    let k = lat.to_radians().cos().powi(2);
    let ids = conn
        .prepare_cached(&format!(
            "SELECT r.id FROM reports r
             WHERE r.latitude BETWEEN ?1 - 0.0005 AND ?2 + 0.0005
               AND r.longitude BETWEEN ?3 - 0.0005 AND ?4 + 0.0005
               AND round(r.latitude, 3) BETWEEN ?1 AND ?2 AND round(r.longitude, 3) BETWEEN ?3 AND ?4
               AND (?5 IS NULL OR r.category = ?5) AND (?6 IS NULL OR r.received_at >= ?6)
               AND {PUBLISHED}
             ORDER BY (round(r.latitude, 3) - ?7) * (round(r.latitude, 3) - ?7)
                    + (round(r.longitude, 3) - ?8) * (round(r.longitude, 3) - ?8) * ?9, r.id
             LIMIT ?10"
        ))?
        .query_map(
            params![a, b, c, d, category, since.map(store::ts), lat, lon, k, limit as i64],
            |r| r.get::<_, String>(0),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let mut found: Vec<PublicReport> = shapes(conn, ids, Some((lat, lon)))?
        .into_iter()
        .filter(|p| p.distance_m.is_some_and(|m| m <= radius_m))
        .collect();
    found.sort_by(|x, y| {
        x.distance_m
            .partial_cmp(&y.distance_m)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(found)
}

/// What Open311 `GET requests` may filter on.
#[derive(Debug, Default)]
pub struct ListFilter {
    /// Asked by id: the other filters do not apply (as the GeoReport spec says).
    pub ids: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
    pub statuses: Option<Vec<ReportStatus>>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub limit: usize,
}

/// Published reports, newest first, filtered and limited in SQL: by id on the primary key,
/// else by time on `reports_received`. The window's ends are taken to the minute (the public
/// times' precision), so stepping them tells nothing finer.
pub fn list(conn: &Connection, f: &ListFilter) -> Result<Vec<PublicReport>, Fail> {
    let json = |v: &Vec<String>| serde_json::to_string(v).map_err(Fail::internal);
    let ids: Vec<String> = if let Some(ids) = &f.ids {
        conn.prepare_cached(&format!(
            "SELECT r.id FROM json_each(?1) j JOIN reports r ON r.id = j.value
             WHERE {PUBLISHED} ORDER BY r.received_at DESC, r.id DESC LIMIT ?2"
        ))?
        .query_map(params![json(ids)?, f.limit as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?
    } else {
        let cats = f.categories.as_ref().map(json).transpose()?;
        let statuses = f
            .statuses
            .as_ref()
            .map(|s| json(&s.iter().map(|s| s.as_str().to_owned()).collect()))
            .transpose()?;
        let start = f.start.map_or(DateTime::<Utc>::MIN_UTC, to_minute);
        let end = f.end.map_or(DateTime::<Utc>::MAX_UTC, |e| {
            to_minute(e) + TimeDelta::minutes(1)
        });
        conn.prepare_cached(&format!(
            "SELECT r.id FROM reports r
             WHERE r.received_at >= ?1 AND r.received_at < ?2
               AND (?3 IS NULL OR r.category IN (SELECT value FROM json_each(?3)))
               AND (?4 IS NULL OR r.status IN (SELECT value FROM json_each(?4)))
               AND {PUBLISHED}
             ORDER BY r.received_at DESC, r.id DESC LIMIT ?5"
        ))?
        .query_map(
            params![
                store::ts(start),
                store::ts(end),
                cats,
                statuses,
                f.limit as i64
            ],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?
    };
    shapes(conn, ids, None)
}

/// Whether anyone may fetch this photo: a published report (or one of its steps) holds it, or a
/// place (places are public).
pub fn photo_is_public(conn: &Connection, sha: &str) -> Result<bool, Fail> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM report_photos p JOIN reports r ON r.id = p.report_id
                            WHERE p.sha256 = ?1 AND {PUBLISHED})
                 OR EXISTS (SELECT 1 FROM places pl, json_each(pl.photos) j WHERE j.value = ?1)"
        ))?
        .query_row([sha], |r| r.get(0))?)
}

/// Whether this device may fetch this photo though it is not public: it (or a device of its
/// account) uploaded it, or one of its own reports holds it (the city's photos of its steps
/// included).
pub fn photo_is_devices(conn: &Connection, sha: &str, device: Uuid) -> Result<bool, Fail> {
    Ok(conn
        .prepare_cached(
            "WITH mine(d) AS (SELECT ?2 UNION SELECT b.device_id FROM account_devices a
                 JOIN account_devices b ON a.account_id = b.account_id WHERE a.device_id = ?2)
             SELECT EXISTS (SELECT 1 FROM photo_uploaders WHERE sha256 = ?1 AND device_id IN mine)
                 OR EXISTS (SELECT 1 FROM report_photos p JOIN reports r ON r.id = p.report_id
                            WHERE p.sha256 = ?1 AND r.device_id IN mine)
                 OR EXISTS (SELECT 1 FROM report_photos p JOIN account_cases c
                                ON c.report_id = p.report_id
                            JOIN account_devices a ON a.account_id = c.account_id
                            WHERE p.sha256 = ?1 AND a.device_id = ?2)",
        )?
        .query_row(params![sha, device.to_string()], |r| r.get(0))?)
}

/// "Me too": the device follows a published report (once); it then comes in the device's feed
/// in its public shape. An unpublished report answers "not found", like an unknown one.
pub fn me_too(conn: &mut Connection, device: Uuid, id: Uuid) -> Result<PublicReport, Fail> {
    let tx = conn.transaction()?;
    if is_published(&tx, id)? != Some(true) {
        return Err(Fail::not_found("report"));
    }
    let r = store::report(&tx, id)?.ok_or_else(|| Fail::not_found("report"))?;
    if !crate::owners::owns_report(&tx, device, r.owner, id)? {
        let added = tx.execute(
            "INSERT OR IGNORE INTO followers (report_id, device_id, at) VALUES (?1, ?2, ?3)",
            params![id.to_string(), device.to_string(), store::ts(Utc::now())],
        )?;
        if added > 0 {
            // A new seq, so the follower's next sync brings it.
            store::touch_report(&tx, id, r.owner)?;
        }
    }
    let p = shape(&tx, r.report, None)?;
    tx.commit()?;
    Ok(p)
}
