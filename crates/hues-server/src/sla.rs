//! The clock's targets per category (`sla_targets`) and each case's clock, with the working-day
//! engine of `hues_wire::sla`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hues_wire::sla::{Clock, DEFAULT_TARGETS, Targets};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Fail;

pub fn set_targets(conn: &Connection, category: &str, t: Targets) -> Result<(), Fail> {
    conn.execute(
        "INSERT INTO sla_targets (category, ack_hours, resolve_days) VALUES (?1, ?2, ?3)
         ON CONFLICT(category) DO UPDATE SET ack_hours = ?2, resolve_days = ?3",
        params![category, t.ack_hours, t.resolve_days],
    )?;
    Ok(())
}

/// Every category's targets (the defaults for those without a row are the caller's).
pub fn all_targets(conn: &Connection) -> Result<HashMap<String, Targets>, Fail> {
    let mut stmt =
        conn.prepare_cached("SELECT category, ack_hours, resolve_days FROM sla_targets")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Targets {
                ack_hours: r.get(1)?,
                resolve_days: r.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// (acknowledged, finished), when they happened.
pub type Milestones = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// When a case was acknowledged (the "acknowledge" action, or its first step after "received")
/// and finished (resolved,
/// refused or marked a duplicate, if that is where it is now).
pub fn milestones(conn: &Connection, report: &str) -> Result<Milestones, Fail> {
    let row: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT coalesce(r.acknowledged_at,
                        (SELECT min(at) FROM report_events WHERE report_id = r.id AND status != 'received')),
                    CASE WHEN r.status IN ('resolved', 'rejected', 'duplicate') THEN
                        (SELECT max(at) FROM report_events WHERE report_id = r.id AND status = r.status)
                    END
             FROM reports r WHERE r.id = ?1",
        )?
        .query_row([report], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let parse = |t: Option<String>| {
        t.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    Ok(row.map_or((None, None), |(a, d)| (parse(a), parse(d))))
}

/// The clock of one case at `now`.
pub fn clock_of(
    conn: &Connection,
    targets: &HashMap<String, Targets>,
    report: &str,
    category: &str,
    received: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Clock, Fail> {
    let (ack, done) = milestones(conn, report)?;
    let t = targets.get(category).copied().unwrap_or(DEFAULT_TARGETS);
    Ok(hues_wire::sla::clock(
        hues_wire::calendar::Calendar::vietnam(),
        t,
        received,
        ack,
        done,
        now,
    ))
}

/// The demo's targets: iHanoi's 8 working hours to acknowledge, 4 for what cannot wait.
pub fn demo_targets() -> Vec<(&'static str, Targets)> {
    let t = |ack_hours, resolve_days| Targets {
        ack_hours,
        resolve_days,
    };
    vec![
        ("flooding", t(4, 2)),
        ("security", t(4, 2)),
        ("trees", t(4, 3)),
        ("water_supply", t(4, 3)),
        ("street_light", t(8, 5)),
        ("road_damage", t(8, 10)),
        ("waste", t(8, 3)),
        ("encroachment", t(8, 10)),
        ("traffic", t(8, 5)),
        ("tourism", t(8, 5)),
        ("other", t(8, 10)),
    ]
}
