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
    let done_on_time = done_at.map(|d| hues_wire::deadline::local_date(d) <= resolve_due);
    let packed = Packed {
        status_since: since.timestamp(),
        ack_at: ack_at.map(|t| t.timestamp()),
        done_at: done_at.map(|t| t.timestamp()),
        ack_due: ack_due.timestamp(),
        resolve_due: day_number(resolve_due),
        bounces: bounces as i64,
        waits: [wait("received"), wait("assigned"), wait("in_progress")],
        finished,
        reopened,
        done_on_time,
        status: STATUSES.iter().position(|s| *s == status).unwrap_or(0) as u8,
        rating: RATINGS
            .iter()
            .position(|r| Some(*r) == rating.as_deref())
            .map_or(0, |i| i as u8 + 1),
    }
    .to_bytes();
    conn.prepare_cached(
        "INSERT OR REPLACE INTO case_facts (report_id, unit_id, category, ward_code, channel,
             received, status, status_since, finished, ack_at, done_at, ack_due, resolve_due,
             bounces, reopened, rating, wait_received, wait_assigned, wait_in_progress,
             done_on_time, packed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21)",
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
        done_on_time,
        packed,
    ])?;
    Ok(())
}

/// Statuses and ratings as the packed facts number them.
pub const STATUSES: [&str; 6] = [
    "received",
    "assigned",
    "in_progress",
    "resolved",
    "rejected",
    "duplicate",
];
pub const RATINGS: [&str; 3] = ["very_satisfied", "satisfied", "not_satisfied"];

/// A case's numbers as `case_facts.packed` keeps them: ten little-endian i64 (a time absent is
/// `i64::MIN`; flags, status and rating share the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    pub status_since: i64,
    pub ack_at: Option<i64>,
    pub done_at: Option<i64>,
    pub ack_due: i64,
    pub resolve_due: i64,
    pub bounces: i64,
    pub waits: [i64; 3],
    pub finished: bool,
    pub reopened: bool,
    pub done_on_time: Option<bool>,
    /// Index in `STATUSES`.
    pub status: u8,
    /// 0: none, else 1 + index in `RATINGS`.
    pub rating: u8,
}

const NONE: i64 = i64::MIN;

impl Packed {
    pub const LEN: usize = 80;

    pub fn to_bytes(&self) -> Vec<u8> {
        let flags = i64::from(self.finished)
            | i64::from(self.reopened) << 1
            | i64::from(self.done_on_time.is_some()) << 2
            | i64::from(self.done_on_time == Some(true)) << 3
            | i64::from(self.status) << 8
            | i64::from(self.rating) << 16;
        [
            self.status_since,
            self.ack_at.unwrap_or(NONE),
            self.done_at.unwrap_or(NONE),
            self.ack_due,
            self.resolve_due,
            self.bounces,
            self.waits[0],
            self.waits[1],
            self.waits[2],
            flags,
        ]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect()
    }

    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != Self::LEN {
            return None;
        }
        let v = |i: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[i * 8..i * 8 + 8]);
            i64::from_le_bytes(a)
        };
        let opt = |x: i64| (x != NONE).then_some(x);
        let flags = v(9);
        Some(Self {
            status_since: v(0),
            ack_at: opt(v(1)),
            done_at: opt(v(2)),
            ack_due: v(3),
            resolve_due: v(4),
            bounces: v(5),
            waits: [v(6), v(7), v(8)],
            finished: flags & 1 != 0,
            reopened: flags & 2 != 0,
            done_on_time: (flags & 4 != 0).then_some(flags & 8 != 0),
            status: ((flags >> 8) & 0xff) as u8,
            rating: ((flags >> 16) & 0xff) as u8,
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_facts_read_back() {
        let p = Packed {
            status_since: 1_700_000_000,
            ack_at: None,
            done_at: Some(1_700_100_000),
            ack_due: -5,
            resolve_due: 739_000,
            bounces: 2,
            waits: [10, 0, 3600],
            finished: true,
            reopened: false,
            done_on_time: Some(true),
            status: 3,
            rating: 2,
        };
        assert_eq!(Packed::from_bytes(&p.to_bytes()), Some(p));
        let q = Packed {
            done_on_time: None,
            reopened: true,
            ..p
        };
        assert_eq!(Packed::from_bytes(&q.to_bytes()), Some(q));
        assert_eq!(Packed::from_bytes(&[0; 3]), None);
    }
}
