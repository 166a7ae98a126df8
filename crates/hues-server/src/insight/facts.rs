//! `case_facts`: one row per case with what the dashboard counts, redone for every case whose
//! report changed since the last refresh (the sync feed's `changes` of kind `report` are the
//! watermark). The dashboard then reads one narrow table instead of replaying every case's
//! events.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hues_wire::calendar::Calendar;
use hues_wire::sla::{DEFAULT_TARGETS, Targets};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Fail;

const MARK: &str = "case_facts";

/// A day as the facts keep it.
pub fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

pub fn from_day_number(n: i64) -> Option<NaiveDate> {
    i32::try_from(n)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn mark(conn: &Connection, name: &str) -> Result<i64, Fail> {
    Ok(conn
        .prepare_cached("SELECT value FROM insight_marks WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

pub fn set_mark(conn: &Connection, name: &str, value: i64) -> Result<(), Fail> {
    conn.prepare_cached(
        "INSERT INTO insight_marks (name, value) VALUES (?1, ?2)
         ON CONFLICT(name) DO UPDATE SET value = ?2",
    )?
    .execute(params![name, value])?;
    Ok(())
}

/// Brings `case_facts` up to date; returns how many cases were redone. Runs in a write.
pub fn refresh(conn: &Connection) -> Result<usize, Fail> {
    let from = mark(conn, MARK)?;
    let stale: Vec<(i64, String)> = conn
        .prepare_cached("SELECT seq, entity FROM changes WHERE kind = 'report' AND seq > ?1")?
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let Some(last) = stale.iter().map(|s| s.0).max() else {
        return Ok(0);
    };
    let targets = crate::sla::all_targets(conn)?;
    for (_, id) in &stale {
        redo(conn, &targets, id)?;
    }
    set_mark(conn, MARK, last)?;
    Ok(stale.len())
}

const OPEN: [&str; 3] = ["received", "assigned", "in_progress"];

fn redo(conn: &Connection, targets: &HashMap<String, Targets>, id: &str) -> Result<(), Fail> {
    let row = conn
        .prepare_cached(
            "SELECT unit_id, category, ward_code, channel, received_at, acknowledged_at, status,
                    rating
             FROM reports WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .optional()?;
    let Some((unit, category, ward, channel, received, acked, status, rating)) = row else {
        return Ok(());
    };
    let Some(received) = parse(&received) else {
        return Ok(());
    };
    let events: Vec<(String, DateTime<Utc>)> = conn
        .prepare_cached("SELECT status, at FROM report_events WHERE report_id = ?1 ORDER BY id")?
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .filter_map(|r| r.ok().and_then(|(s, at)| parse(&at).map(|at| (s, at))))
        .collect();
    let routings: Vec<DateTime<Utc>> = conn
        .prepare_cached("SELECT at FROM routing_events WHERE report_id = ?1 ORDER BY id")?
        .query_map([id], |r| r.get::<_, String>(0))?
        .filter_map(|r| r.ok().and_then(|at| parse(&at)))
        .collect();

    let ack_at = acked.as_deref().and_then(parse).or_else(|| {
        events
            .iter()
            .find(|(s, _)| s != "received")
            .map(|(_, at)| *at)
    });
    let finished = !OPEN.contains(&status.as_str());
    let done_at = (status == "resolved")
        .then(|| {
            events
                .iter()
                .rev()
                .find(|(s, _)| s == "resolved")
                .map(|e| e.1)
        })
        .flatten();
    let t = targets.get(&category).copied().unwrap_or(DEFAULT_TARGETS);
    let cal = Calendar::vietnam();
    let ack_due = cal.add_working_hours(received, t.ack_hours);
    let resolve_due = cal.appointment(received, t.resolve_days);
    let bounces = routings
        .iter()
        .skip(1)
        .filter(|at| ack_at.is_none_or(|a| **at < a))
        .count();
    let mut reopened = false;
    let mut was_resolved = false;
    // Stays: each status from its event to the next; the case starts as received.
    let mut waits: HashMap<&str, i64> = HashMap::new();
    let (mut cur, mut since) = ("received".to_owned(), received);
    for (s, at) in &events {
        if *s == cur {
            continue;
        }
        *waits.entry(cur_key(&cur)).or_default() += (*at - since).num_seconds().max(0);
        if was_resolved && OPEN.contains(&s.as_str()) {
            reopened = true;
        }
        was_resolved |= s == "resolved";
        cur = s.clone();
        since = *at;
    }
    let wait = |k: &str| waits.get(k).copied().unwrap_or(0);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO case_facts (report_id, unit_id, category, ward_code, channel,
             received, status, status_since, finished, ack_at, done_at, ack_due, resolve_due,
             bounces, reopened, rating, wait_received, wait_assigned, wait_in_progress,
             done_on_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20)",
    )?
    .execute(params![
        id,
        unit,
        category,
        ward,
        channel,
        received.timestamp(),
        status,
        since.timestamp(),
        finished,
        ack_at.map(|t| t.timestamp()),
        done_at.map(|t| t.timestamp()),
        ack_due.timestamp(),
        day_number(resolve_due),
        bounces as i64,
        reopened,
        rating,
        wait("received"),
        wait("assigned"),
        wait("in_progress"),
        done_at.map(|d| hues_wire::deadline::local_date(d) <= resolve_due),
    ])?;
    Ok(())
}

/// The status a stay is counted under (finished statuses are not waiting).
fn cur_key(s: &str) -> &'static str {
    match s {
        "received" => "received",
        "assigned" => "assigned",
        "in_progress" => "in_progress",
        _ => "finished",
    }
}
