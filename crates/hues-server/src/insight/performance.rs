//! Each unit's performance over a filter (period, unit subtree, category, ward), from
//! `case_facts`: received, acknowledged and resolved on time (working hours and days of the
//! clock), median and p90 times, overdue now, reopen rate, satisfaction, bounces, and the time
//! cases spend in each status — the stage where they wait. Also the streamed export of the same
//! filter and the public monthly figures (no case, no reporter).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use hues_insight::stats::quantile_mut;
use hues_wire::time::vietnam_offset;
use rusqlite::{Connection, ToSql};
use serde::Serialize;

use super::facts::{Packed, RATINGS, STATUSES, day_number};
use crate::error::Fail;

/// The statuses a case waits in, in order.
pub const STAGES: [&str; 3] = ["received", "assigned", "in_progress"];

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// First and last local day received (inclusive).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A unit and everything under it.
    pub units: Option<HashSet<String>>,
    pub category: Option<String>,
    pub ward: Option<String>,
}

/// Local midnight of `day` as Unix seconds.
pub fn local_midnight(day: NaiveDate) -> i64 {
    vietnam_offset()
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map_or(0, |t| t.timestamp())
}

fn local_day(ts: i64) -> NaiveDate {
    DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&vietnam_offset())
        .date_naive()
}

/// One case's facts, as read for counting.
#[derive(Debug, Clone)]
pub struct Fact {
    pub id: String,
    pub unit: Option<String>,
    pub category: String,
    pub ward: Option<String>,
    pub channel: String,
    pub received: i64,
    pub status: String,
    pub status_since: i64,
    pub finished: bool,
    pub ack_at: Option<i64>,
    pub done_at: Option<i64>,
    pub done_on_time: Option<bool>,
    pub ack_due: i64,
    pub resolve_due: i64,
    pub bounces: i64,
    pub reopened: bool,
    pub rating: Option<String>,
    pub waits: [i64; 3],
}

const COLUMNS: &str = "report_id, unit_id, category, ward_code, channel, received, status,
    status_since, finished, ack_at, done_at, ack_due, resolve_due, bounces, reopened, rating,
    wait_received, wait_assigned, wait_in_progress, done_on_time";

fn fact(r: &rusqlite::Row<'_>) -> rusqlite::Result<Fact> {
    Ok(Fact {
        id: r.get(0)?,
        unit: r.get(1)?,
        category: r.get(2)?,
        ward: r.get(3)?,
        channel: r.get(4)?,
        received: r.get(5)?,
        status: r.get(6)?,
        status_since: r.get(7)?,
        finished: r.get(8)?,
        ack_at: r.get(9)?,
        done_at: r.get(10)?,
        ack_due: r.get(11)?,
        resolve_due: r.get(12)?,
        bounces: r.get(13)?,
        reopened: r.get(14)?,
        rating: r.get(15)?,
        waits: [r.get(16)?, r.get(17)?, r.get(18)?],
        done_on_time: r.get(19)?,
    })
}

/// What counting needs of a case, borrowed from the row being read (no allocation per case:
/// the dashboard reads 100,000 of them per request).
#[derive(Debug, Clone, Copy)]
pub struct Lite<'a> {
    pub unit: Option<&'a str>,
    pub received: i64,
    pub status: &'a str,
    pub status_since: i64,
    pub finished: bool,
    pub ack_at: Option<i64>,
    pub done_at: Option<i64>,
    pub done_on_time: Option<bool>,
    pub ack_due: i64,
    pub resolve_due: i64,
    pub bounces: i64,
    pub reopened: bool,
    pub rating: Option<&'a str>,
    pub waits: [i64; 3],
}

const LITE_COLUMNS: &str = "unit_id, received, packed";

fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        _ => None,
    })
}

/// Calls `each` for every case of the filter that `may_read` allows, borrowed.
pub fn for_each_lite(
    conn: &Connection,
    f: &Filter,
    may_read: &dyn Fn(Option<&str>) -> bool,
    mut each: impl FnMut(&Lite<'_>),
) -> Result<(), Fail> {
    let (cond, args) = condition(f);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LITE_COLUMNS} FROM case_facts WHERE {cond}"
    ))?;
    let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let mut rows = stmt.query(params.as_slice())?;
    while let Some(r) = rows.next()? {
        let unit = text(r, 0)?;
        if f.units
            .as_ref()
            .is_some_and(|u| !unit.is_some_and(|x| u.contains(x)))
            || !may_read(unit)
        {
            continue;
        }
        let rusqlite::types::ValueRef::Blob(b) = r.get_ref(2)? else {
            continue;
        };
        let Some(p) = Packed::from_bytes(b) else {
            continue;
        };
        each(&Lite {
            unit,
            received: r.get(1)?,
            status: STATUSES[usize::from(p.status).min(STATUSES.len() - 1)],
            status_since: p.status_since,
            finished: p.finished,
            ack_at: p.ack_at,
            done_at: p.done_at,
            done_on_time: p.done_on_time,
            ack_due: p.ack_due,
            resolve_due: p.resolve_due,
            bounces: p.bounces,
            reopened: p.reopened,
            rating: usize::from(p.rating)
                .checked_sub(1)
                .and_then(|i| RATINGS.get(i))
                .copied(),
            waits: p.waits,
        });
    }
    Ok(())
}

/// The SQL condition and its values for a filter (the unit subtree is checked per row).
fn condition(f: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut sql = String::from("1");
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(d) = f.from {
        sql.push_str(" AND received >= ?");
        args.push(Box::new(local_midnight(d)));
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        sql.push_str(" AND received < ?");
        args.push(Box::new(local_midnight(d)));
    }
    if let Some(c) = &f.category {
        sql.push_str(" AND category = ?");
        args.push(Box::new(c.clone()));
    }
    if let Some(w) = &f.ward {
        sql.push_str(" AND ward_code = ?");
        args.push(Box::new(w.clone()));
    }
    (sql, args)
}

/// The figures of a set of cases.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    pub received: u64,
    /// Acknowledgements due by now, and of those on time.
    pub ack_due: u64,
    pub ack_on_time: u64,
    /// Resolutions due by now (resolved, or open past their day), and of those on time.
    pub resolve_due: u64,
    pub resolve_on_time: u64,
    /// Hours to acknowledge and days to resolve, median and p90 (of those done).
    pub ack_hours_p50: Option<f64>,
    pub ack_hours_p90: Option<f64>,
    pub resolve_days_p50: Option<f64>,
    pub resolve_days_p90: Option<f64>,
    pub overdue_now: u64,
    /// Cases ever resolved, and of those reopened.
    pub resolved: u64,
    pub reopened: u64,
    /// Ratings: very satisfied, satisfied, not satisfied.
    pub ratings: [u64; 3],
    /// Re-routes before anyone took the case in hand, and cases that had any.
    pub bounces: u64,
    pub bounced_cases: u64,
    /// Seconds spent in each of `STAGES`, summed over the cases (open stays up to now).
    pub waits: [i64; 3],
}

impl Metrics {
    pub fn rate(n: u64, d: u64) -> Option<f64> {
        (d > 0).then(|| n as f64 / d as f64)
    }
    pub fn ack_rate(&self) -> Option<f64> {
        Self::rate(self.ack_on_time, self.ack_due)
    }
    pub fn resolve_rate(&self) -> Option<f64> {
        Self::rate(self.resolve_on_time, self.resolve_due)
    }
    pub fn reopen_rate(&self) -> Option<f64> {
        Self::rate(self.reopened, self.resolved)
    }
    pub fn rated(&self) -> u64 {
        self.ratings.iter().sum()
    }
    /// Mean hours per case in each stage.
    pub fn wait_hours(&self) -> [f64; 3] {
        let n = self.received.max(1) as f64;
        self.waits.map(|s| s as f64 / 3600.0 / n)
    }
    /// The stage where cases wait longest.
    pub fn bottleneck(&self) -> Option<usize> {
        (self.received > 0)
            .then(|| (0..3).max_by_key(|&i| self.waits[i]))
            .flatten()
    }
}

/// Accumulates cases into `Metrics`.
#[derive(Default)]
pub struct Tally {
    m: Metrics,
    ack: Vec<f64>,
    resolve: Vec<f64>,
    /// Counts and rates only, no medians (the weeks': a third of the dashboard's sorting).
    counts_only: bool,
}

impl Tally {
    pub fn counts_only() -> Self {
        Self {
            counts_only: true,
            ..Self::default()
        }
    }

    /// Counts one case; `today` is `now`'s local day (as `day_number`).
    pub fn add(&mut self, x: &Lite<'_>, now: i64, today: i64) {
        let m = &mut self.m;
        m.received += 1;
        match x.ack_at {
            Some(a) => {
                m.ack_due += 1;
                m.ack_on_time += u64::from(a <= x.ack_due);
                if !self.counts_only {
                    self.ack.push((a - x.received) as f64 / 3600.0);
                }
            }
            None if now > x.ack_due && !x.finished => m.ack_due += 1,
            None => {}
        }
        if let Some(done) = x.done_at {
            m.resolve_due += 1;
            m.resolve_on_time += u64::from(x.done_on_time.unwrap_or(false));
            if !self.counts_only {
                self.resolve.push((done - x.received) as f64 / 86_400.0);
            }
        } else if !x.finished && today > x.resolve_due {
            m.resolve_due += 1;
        }
        let overdue = !x.finished
            && match x.ack_at {
                None => now > x.ack_due,
                Some(_) => today > x.resolve_due,
            };
        m.overdue_now += u64::from(overdue);
        if x.status == "resolved" || x.reopened {
            m.resolved += 1;
        }
        m.reopened += u64::from(x.reopened);
        match x.rating {
            Some("very_satisfied") => m.ratings[0] += 1,
            Some("satisfied") => m.ratings[1] += 1,
            Some("not_satisfied") => m.ratings[2] += 1,
            _ => {}
        }
        m.bounces += x.bounces as u64;
        m.bounced_cases += u64::from(x.bounces > 0);
        for i in 0..3 {
            m.waits[i] += x.waits[i];
        }
        if !x.finished
            && let Some(i) = STAGES.iter().position(|s| *s == x.status)
        {
            m.waits[i] += (now - x.status_since).max(0);
        }
    }

    pub fn finish(mut self) -> Metrics {
        self.m.ack_hours_p50 = quantile_mut(&mut self.ack, 0.5);
        self.m.ack_hours_p90 = quantile_mut(&mut self.ack, 0.9);
        self.m.resolve_days_p50 = quantile_mut(&mut self.resolve, 0.5);
        self.m.resolve_days_p90 = quantile_mut(&mut self.resolve, 0.9);
        self.m
    }
}

/// The dashboard: every case of the filter, the same per owning unit, and per week.
#[derive(Debug, Default)]
pub struct Dashboard {
    pub total: Metrics,
    /// (unit id or None for not routed, figures), most cases first.
    pub units: Vec<(Option<String>, Metrics)>,
    /// (Monday of the week, received, resolved on time of those due).
    pub weeks: Vec<(NaiveDate, Metrics)>,
}

pub fn dashboard(
    conn: &Connection,
    f: &Filter,
    may_read: &dyn Fn(Option<&str>) -> bool,
    now: DateTime<Utc>,
) -> Result<Dashboard, Fail> {
    let today = day_number(now.with_timezone(&vietnam_offset()).date_naive());
    let now = now.timestamp();
    let mut total = Tally::default();
    let mut unrouted = Tally::default();
    let mut units: HashMap<String, Tally> = HashMap::new();
    // Weeks by their Monday, as days since 1970-01-01 (a Thursday) in local time.
    let mut weeks: BTreeMap<i64, Tally> = BTreeMap::new();
    let offset = i64::from(vietnam_offset().local_minus_utc());
    for_each_lite(conn, f, may_read, |x| {
        total.add(x, now, today);
        let day = (x.received + offset).div_euclid(86_400);
        let monday = day - (day + 3).rem_euclid(7);
        weeks
            .entry(monday)
            .or_insert_with(Tally::counts_only)
            .add(x, now, today);
        match x.unit {
            None => unrouted.add(x, now, today),
            Some(u) => match units.get_mut(u) {
                Some(t) => t.add(x, now, today),
                None => {
                    let mut t = Tally::default();
                    t.add(x, now, today);
                    units.insert(u.to_owned(), t);
                }
            },
        }
    })?;
    let mut units: Vec<(Option<String>, Metrics)> = units
        .into_iter()
        .map(|(u, t)| (Some(u), t.finish()))
        .collect();
    let unrouted = unrouted.finish();
    if unrouted.received > 0 {
        units.push((None, unrouted));
    }
    units.sort_by(|a, b| b.1.received.cmp(&a.1.received).then(a.0.cmp(&b.0)));
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    Ok(Dashboard {
        total: total.finish(),
        units,
        weeks: weeks
            .into_iter()
            .map(|(w, t)| (epoch + Duration::days(w), t.finish()))
            .collect(),
    })
}

/// Where an export page goes on from: the last (received, id) read.
pub type After = (i64, String);

/// One page of the export: the cases of the filter after `after` (in the order of
/// `case_facts`' key) among the next `limit` rows, and the last key read (`None`: no rows left).
pub fn export_page(
    conn: &Connection,
    f: &Filter,
    may_read: &dyn Fn(Option<&str>) -> bool,
    after: &After,
    limit: usize,
) -> Result<(Vec<Fact>, Option<After>), Fail> {
    let (cond, mut args) = condition(f);
    args.push(Box::new(after.0));
    args.push(Box::new(after.1.clone()));
    args.push(Box::new(limit as i64));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM case_facts WHERE {cond} AND (received, report_id) > (?, ?)
         ORDER BY received, report_id LIMIT ?"
    ))?;
    let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let mut out = Vec::new();
    let mut last = None;
    let mut rows = stmt.query(params.as_slice())?;
    while let Some(r) = rows.next()? {
        let x = fact(r)?;
        last = Some((x.received, x.id.clone()));
        if f.units
            .as_ref()
            .is_some_and(|u| !x.unit.as_ref().is_some_and(|x| u.contains(x)))
        {
            continue;
        }
        if may_read(x.unit.as_deref()) {
            out.push(x);
        }
    }
    Ok((out, last))
}

/// The export's columns.
pub const EXPORT_HEADER: &str = "case,received,unit,category,ward,channel,status,acknowledged,ack_on_time,resolved,resolve_on_time,bounces,reopened,rating,hours_received,hours_assigned,hours_in_progress\n";

fn iso(ts: Option<i64>) -> String {
    ts.and_then(|t| DateTime::from_timestamp(t, 0))
        .map(crate::db::ts)
        .unwrap_or_default()
}

/// A CSV field, quoted when it must be (and never read as a formula by a spreadsheet).
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One exported case, the same fields in CSV and JSON.
#[derive(Debug, Serialize)]
pub struct Row {
    pub case: String,
    pub received: String,
    pub unit: Option<String>,
    pub category: String,
    pub ward: Option<String>,
    pub channel: String,
    pub status: String,
    pub acknowledged: Option<String>,
    pub ack_on_time: Option<bool>,
    pub resolved: Option<String>,
    pub resolve_on_time: Option<bool>,
    pub bounces: i64,
    pub reopened: bool,
    pub rating: Option<String>,
    pub hours_waiting: [f64; 3],
}

impl Row {
    pub fn of(x: &Fact) -> Self {
        let resolve_on_time = x.done_at.map(|d| day_number(local_day(d)) <= x.resolve_due);
        Row {
            case: x.id.clone(),
            received: iso(Some(x.received)),
            unit: x.unit.clone(),
            category: x.category.clone(),
            ward: x.ward.clone(),
            channel: x.channel.clone(),
            status: x.status.clone(),
            acknowledged: x.ack_at.map(|a| iso(Some(a))),
            ack_on_time: x.ack_at.map(|a| a <= x.ack_due),
            resolved: x.done_at.map(|a| iso(Some(a))),
            resolve_on_time,
            bounces: x.bounces,
            reopened: x.reopened,
            rating: x.rating.clone(),
            hours_waiting: x.waits.map(|s| (s as f64 / 36.0).round() / 100.0),
        }
    }

    pub fn csv(&self) -> String {
        let b = |v: Option<bool>| v.map_or(String::new(), |v| v.to_string());
        let fields = [
            self.case.clone(),
            self.received.clone(),
            self.unit.clone().unwrap_or_default(),
            self.category.clone(),
            self.ward.clone().unwrap_or_default(),
            self.channel.clone(),
            self.status.clone(),
            self.acknowledged.clone().unwrap_or_default(),
            b(self.ack_on_time),
            self.resolved.clone().unwrap_or_default(),
            b(self.resolve_on_time),
            self.bounces.to_string(),
            self.reopened.to_string(),
            self.rating.clone().unwrap_or_default(),
            self.hours_waiting[0].to_string(),
            self.hours_waiting[1].to_string(),
            self.hours_waiting[2].to_string(),
        ];
        let mut line = fields
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",");
        line.push('\n');
        line
    }
}

/// The open data: per unit (the owning unit) and month, counts and rates only.
#[derive(Debug, Serialize, Clone)]
pub struct PublicMonth {
    pub unit: String,
    pub unit_name_vi: String,
    pub unit_name_en: String,
    pub month: String,
    pub received: u64,
    pub acknowledged_on_time: Option<f64>,
    pub resolved_on_time: Option<f64>,
    pub ratings: u64,
    pub very_satisfied: Option<f64>,
    pub satisfied: Option<f64>,
    pub not_satisfied: Option<f64>,
}

/// The last `months` months (the current one included), per unit; units with no case in a
/// month are left out of it.
pub fn public_months(
    conn: &Connection,
    months: u32,
    now: DateTime<Utc>,
) -> Result<Vec<PublicMonth>, Fail> {
    let today = now.with_timezone(&vietnam_offset()).date_naive();
    let mut first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    for _ in 1..months {
        first = first.pred_opt().map_or(first, |d| {
            NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
        });
    }
    let f = Filter {
        from: Some(first),
        ..Filter::default()
    };
    let today_no = day_number(today);
    let now_ts = now.timestamp();
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    // (Rates only: the public figures give no medians.)
    for_each_lite(conn, &f, &|u| u.is_some(), |x| {
        let day = local_day(x.received);
        let month = format!("{:04}-{:02}", day.year(), day.month());
        if let Some(u) = x.unit {
            tallies
                .entry((month, u.to_owned()))
                .or_insert_with(Tally::counts_only)
                .add(x, now_ts, today_no);
        }
    })?;
    let names: HashMap<String, (String, String)> = crate::staff::units(conn)?
        .into_iter()
        .map(|u| (u.id, (u.name_vi, u.name_en)))
        .collect();
    Ok(tallies
        .into_iter()
        .map(|((month, unit), t)| {
            let m = t.finish();
            let rated = m.rated();
            let share = |n: u64| Metrics::rate(n, rated);
            let (vi, en) = names.get(&unit).cloned().unwrap_or_default();
            PublicMonth {
                unit,
                unit_name_vi: vi,
                unit_name_en: en,
                month,
                received: m.received,
                acknowledged_on_time: m.ack_rate(),
                resolved_on_time: m.resolve_rate(),
                ratings: rated,
                very_satisfied: share(m.ratings[0]),
                satisfied: share(m.ratings[1]),
                not_satisfied: share(m.ratings[2]),
            }
        })
        .collect())
}
