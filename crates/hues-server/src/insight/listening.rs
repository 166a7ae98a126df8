//! What citizens say about the answers: satisfaction and reopen trends per unit, week by week,
//! and the words rising in their comments and report texts this week against the eight weeks
//! before (`hues_insight::words`), per ward and category, each linked to its cases.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use hues_insight::words::{self, Rising};
use rusqlite::{Connection, ToSql};

use super::facts::day_number;
use super::performance::{Filter, Metrics, Tally, for_each_lite};
use crate::error::Fail;

/// Weeks shown: this one and the eight before.
pub const WEEKS: i64 = 9;

/// One unit's weeks (oldest first): (rated, not satisfied, resolved, reopened).
pub struct Trend {
    pub unit: Option<String>,
    pub weeks: Vec<Metrics>,
}

/// Per unit, the last nine 7-day weeks ending now, of the cases received then.
pub fn trends(
    conn: &Connection,
    f: &Filter,
    may_read: &dyn Fn(Option<&str>) -> bool,
    now: DateTime<Utc>,
) -> Result<Vec<Trend>, Fail> {
    let start = now - Duration::days(7 * WEEKS);
    let f = Filter {
        from: None,
        to: None,
        ..f.clone()
    };
    let now_ts = now.timestamp();
    let today = day_number(hues_wire::deadline::local_date(now));
    let mut per: BTreeMap<Option<String>, Vec<Tally>> = BTreeMap::new();
    for_each_lite(conn, &f, may_read, |x| {
        if x.received < start.timestamp() {
            return;
        }
        let week = ((x.received - start.timestamp()) / (7 * 86_400)).clamp(0, WEEKS - 1) as usize;
        per.entry(x.unit.map(str::to_owned))
            .or_insert_with(|| (0..WEEKS).map(|_| Tally::counts_only()).collect())[week]
            .add(x, now_ts, today);
    })?;
    Ok(per
        .into_iter()
        .map(|(unit, weeks)| Trend {
            unit,
            weeks: weeks.into_iter().map(Tally::finish).collect(),
        })
        .collect())
}

/// A rising term with the cases whose texts hold it this week.
pub struct Word {
    pub rising: Rising,
    pub cases: Vec<String>,
}

/// The rising words of the filter's ward and category (the period is always this week
/// against the eight before).
pub fn rising(
    conn: &Connection,
    f: &Filter,
    may_read: &dyn Fn(Option<&str>) -> bool,
    now: DateTime<Utc>,
) -> Result<Vec<Word>, Fail> {
    let week = now - Duration::days(7);
    let start = now - Duration::days(7 * WEEKS);
    let mut sql = String::from(
        "SELECT r.id, r.unit_id, r.received_at, r.description, coalesce(r.rating_comment, '')
         FROM reports r WHERE r.received_at >= ?",
    );
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(crate::db::ts(start))];
    if let Some(c) = &f.category {
        sql.push_str(" AND r.category = ?");
        args.push(Box::new(c.clone()));
    }
    if let Some(w) = &f.ward {
        sql.push_str(" AND r.ward_code = ?");
        args.push(Box::new(w.clone()));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let week_ts = crate::db::ts(week);
    let mut ids = Vec::new();
    let mut texts: Vec<(String, bool)> = Vec::new();
    let mut rows = stmt.query(params.as_slice())?;
    while let Some(r) = rows.next()? {
        let (id, unit, at, text, comment): (String, Option<String>, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        if f.units
            .as_ref()
            .is_some_and(|u| !unit.as_ref().is_some_and(|x| u.contains(x)))
            || !may_read(unit.as_deref())
        {
            continue;
        }
        ids.push(id);
        texts.push((format!("{text}\n{comment}"), at >= week_ts));
    }
    let refs: Vec<(&str, bool)> = texts.iter().map(|(t, w)| (t.as_str(), *w)).collect();
    Ok(words::rising(&refs, 3, 15)
        .into_iter()
        .map(|r| Word {
            cases: r.texts.iter().map(|&i| ids[i].clone()).collect(),
            rising: r,
        })
        .collect())
}
