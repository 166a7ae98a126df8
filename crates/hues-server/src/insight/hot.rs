//! The hot-issue early warning on the city's reports: once a day (after office hours) and when
//! a supervisor asks, Kulldorff's prospective space-time permutation scan over the last 56 days,
//! over all categories and each (`hues_insight::scan`), beside each one's Poisson CUSUM
//! (`hues_insight::cusum`). Clusters become alerts by tier (`hues_insight::track`): a cluster
//! touching an open alert of the same scope continues it; an alert no cluster continues for two
//! days closes. A new alert is told to the supervisors of the units owning its reports.
//!
//! The run reads (`load`), computes off the database threads (`compute`), then writes
//! (`apply`), so the writer is never held for the shuffles.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use hues_insight::cusum;
use hues_insight::grid::{CellKey, Grid};
use hues_insight::scan::{self, Event, Params};
use hues_insight::track::{self, Open, Step, Tier};
use hues_wire::deadline::local_date;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::performance::local_midnight;
use crate::error::Fail;

/// The grid's reference point (Huế's citadel); cells are stable from one day to the next.
pub const ORIGIN: (f64, f64) = (16.4637, 107.5909);
/// Days the scan looks at, and the CUSUM's extra baseline before them.
pub const DAYS: u16 = 56;
/// A category is scanned on its own when it has at least this many reports in the 56 days.
pub const MIN_CATEGORY_REPORTS: usize = 20;
/// Local hour after which the daily run happens.
pub const DAILY_HOUR: u32 = 17;

/// One report as the scan sees it.
#[derive(Debug, Clone)]
struct Case {
    id: String,
    category: String,
    cell: CellKey,
    day: u16,
    /// The device; for a call, the caller's phone; for Zalo or Messenger, the citizen there.
    who: String,
}

/// An open alert: (id, scope, kind, cells, last day seen).
type OpenAlert = (String, Option<String>, String, Vec<CellKey>, NaiveDate);

/// What a run reads.
pub struct Input {
    pub today: NaiveDate,
    cases: Vec<Case>,
    /// Per scope (None: all), daily counts over 112 days ending today.
    series: BTreeMap<Option<String>, Vec<u32>>,
    open: Vec<OpenAlert>,
    pub permutations: u32,
}

/// A cluster or surge found today, with its tier.
#[derive(Debug, Clone)]
pub struct Found {
    pub scope: Option<String>,
    pub kind: &'static str,
    pub tier: Tier,
    pub cells: Vec<CellKey>,
    pub centre: Option<(f64, f64)>,
    pub radius_m: f64,
    pub window: u16,
    pub observed: u32,
    pub expected: f64,
    pub recurrence: f64,
    pub reports: Vec<String>,
}

pub struct Findings {
    pub today: NaiveDate,
    pub cases: usize,
    pub scans: u32,
    pub found: Vec<Found>,
    open: Vec<OpenAlert>,
    pub millis: u64,
}

/// Reads the last 56 days of reports (and 112 days of daily counts) up to `now`'s local day.
pub fn load(conn: &Connection, now: DateTime<Utc>, permutations: u32) -> Result<Input, Fail> {
    let today = local_date(now);
    let first = today - Duration::days(i64::from(DAYS) - 1);
    let grid = Grid::around(ORIGIN.0, ORIGIN.1);
    let since =
        crate::db::ts(DateTime::from_timestamp(local_midnight(first), 0).unwrap_or_default());
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.category, r.latitude, r.longitude, r.received_at, r.device_id,
                coalesce('tel:' || c.phone,
                         (SELECT 'chat:' || v.identity_id FROM conversations v
                          WHERE v.report_id = r.id ORDER BY v.started_at LIMIT 1))
         FROM reports r LEFT JOIN case_contacts c ON c.report_id = r.id
         WHERE r.received_at >= ?1",
    )?;
    let rows = stmt.query_map([&since], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, f64>(2)?,
            r.get::<_, f64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut cases = Vec::new();
    for row in rows {
        let (id, category, lat, lon, received, device, phone) = row?;
        let Ok(received) = DateTime::parse_from_rfc3339(&received) else {
            continue;
        };
        let day = local_date(received.with_timezone(&Utc));
        let Ok(d) = u16::try_from((day - first).num_days()) else {
            continue;
        };
        if d >= DAYS || !lat.is_finite() || !lon.is_finite() {
            continue;
        }
        cases.push(Case {
            id,
            category,
            cell: grid.cell(lat, lon),
            day: d,
            who: phone.unwrap_or(device),
        });
    }
    // Daily counts for the CUSUM: 56 days of baseline before the 56 analysed.
    let start = first - Duration::days(i64::from(cusum::BASELINE_DAYS as u16));
    let since =
        crate::db::ts(DateTime::from_timestamp(local_midnight(start), 0).unwrap_or_default());
    let n = (today - start).num_days() as usize + 1;
    let mut series: BTreeMap<Option<String>, Vec<u32>> = BTreeMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT category, received_at FROM reports WHERE received_at >= ?1")?;
    let rows = stmt.query_map([&since], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (category, received) = row?;
        let Ok(received) = DateTime::parse_from_rfc3339(&received) else {
            continue;
        };
        let Ok(i) = usize::try_from((local_date(received.with_timezone(&Utc)) - start).num_days())
        else {
            continue;
        };
        if i < n {
            for scope in [None, Some(category.clone())] {
                series.entry(scope).or_insert_with(|| vec![0; n])[i] += 1;
            }
        }
    }
    let open = conn
        .prepare_cached(
            "SELECT id, category, kind, cells, last_day FROM hot_alerts WHERE state != 'closed'",
        )?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .filter_map(Result::ok)
        .map(|(id, scope, kind, cells, last)| {
            let cells: Vec<CellKey> = serde_json::from_str(&cells).unwrap_or_default();
            let last = last.parse().unwrap_or(today);
            (id, scope, kind, cells, last)
        })
        .collect();
    Ok(Input {
        today,
        cases,
        series,
        open,
        permutations,
    })
}

/// Runs the scans and CUSUMs (CPU only; seconds at most).
pub fn compute(input: Input) -> Findings {
    let started = std::time::Instant::now();
    let grid = Grid::around(ORIGIN.0, ORIGIN.1);
    let mut keys: Vec<CellKey> = input.cases.iter().map(|c| c.cell).collect();
    keys.sort_unstable();
    keys.dedup();
    let index: HashMap<CellKey, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let centres: Vec<(f64, f64)> = keys.iter().map(|k| Grid::centre_m(*k)).collect();
    let mut devices: HashMap<&str, u64> = HashMap::new();
    let mut scopes: Vec<Option<String>> = vec![None];
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &input.cases {
        *per_category.entry(&c.category).or_default() += 1;
    }
    scopes.extend(
        per_category
            .iter()
            .filter(|(_, n)| **n >= MIN_CATEGORY_REPORTS)
            .map(|(c, _)| Some((*c).to_owned())),
    );
    // With one category only, its scan is the all-categories scan.
    if scopes.len() == 2 && per_category.len() == 1 {
        scopes.truncate(1);
    }
    let scans = scopes.len() as u32;
    let mut found = Vec::new();
    for scope in &scopes {
        let chosen: Vec<&Case> = input
            .cases
            .iter()
            .filter(|c| scope.as_ref().is_none_or(|s| *s == c.category))
            .collect();
        let events: Vec<Event> = chosen
            .iter()
            .map(|c| {
                let n = devices.len() as u64;
                let device = *devices.entry(c.who.as_str()).or_insert(n);
                Event {
                    cell: index[&c.cell],
                    day: c.day,
                    device,
                }
            })
            .collect();
        let alarm = input.series.get(scope).and_then(|s| {
            cusum::run(s, |i| i % 7)
                .last()
                .map(|d| (d.alarm, d.expected, s.last().copied().unwrap_or(0)))
        });
        let seed = seed_for(input.today, scope.as_deref());
        let out = scan::scan(
            &centres,
            &events,
            &Params {
                days: DAYS,
                permutations: input.permutations,
                seed,
                ..Params::default()
            },
        );
        for c in &out.clusters {
            let recurrence = track::recurrence_days(c.p_tail(), scans);
            let Some(tier) = track::tier(recurrence, alarm.is_some_and(|a| a.0)) else {
                continue;
            };
            let cells: Vec<CellKey> = c.cells.iter().map(|&i| keys[i]).collect();
            found.push(Found {
                scope: scope.clone(),
                kind: "cluster",
                tier,
                centre: cells.first().map(|k| grid.centre(*k)),
                cells,
                radius_m: c.radius_m,
                window: c.window,
                observed: c.observed,
                expected: c.expected,
                recurrence,
                reports: c.events.iter().map(|&e| chosen[e].id.clone()).collect(),
            });
        }
        if let Some((true, expected, observed)) = alarm {
            found.push(Found {
                scope: scope.clone(),
                kind: "surge",
                tier: Tier::Watch,
                cells: Vec::new(),
                centre: None,
                radius_m: 0.0,
                window: 1,
                observed,
                expected,
                recurrence: 0.0,
                reports: chosen
                    .iter()
                    .filter(|c| c.day == DAYS - 1)
                    .map(|c| c.id.clone())
                    .collect(),
            });
        }
    }
    Findings {
        today: input.today,
        cases: input.cases.len(),
        scans,
        found,
        open: input.open,
        millis: started.elapsed().as_millis() as u64,
    }
}

/// A fixed seed per day and scope: the same data give the same answer.
fn seed_for(day: NaiveDate, scope: Option<&str>) -> u64 {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{day}/{}", scope.unwrap_or("*")));
    u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
}

/// What a run did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Outcome {
    pub cases: usize,
    pub scans: u32,
    pub new: Vec<String>,
    pub ongoing: Vec<String>,
    pub closed: Vec<String>,
    pub millis: u64,
}

/// Writes the findings: new alerts, continued ones, closed ones, and the notices.
pub fn apply(conn: &Connection, f: &Findings, trigger: &str) -> Result<Outcome, Fail> {
    let now = crate::db::ts(Utc::now());
    let today = f.today.to_string();
    let day_no = |d: NaiveDate| super::facts::day_number(d);
    let mut out = Outcome {
        cases: f.cases,
        scans: f.scans,
        millis: f.millis,
        ..Outcome::default()
    };
    let mut scopes: Vec<(Option<String>, &'static str)> = f
        .found
        .iter()
        .map(|x| (x.scope.clone(), x.kind))
        .chain(f.open.iter().map(|o| {
            (
                o.1.clone(),
                if o.2 == "surge" { "surge" } else { "cluster" },
            )
        }))
        .collect();
    scopes.sort();
    scopes.dedup();
    for (scope, kind) in scopes {
        let open: Vec<Open<String>> = f
            .open
            .iter()
            .filter(|o| o.1 == scope && o.2 == kind)
            .map(|o| Open {
                key: o.0.clone(),
                // A surge has no cells: it continues whatever surge of its scope is open.
                cells: if kind == "surge" {
                    vec![(0, 0)]
                } else {
                    o.3.clone()
                },
                seen: day_no(o.4),
            })
            .collect();
        let found: Vec<&Found> = f
            .found
            .iter()
            .filter(|x| x.scope == scope && x.kind == kind)
            .collect();
        let cells: Vec<Vec<CellKey>> = found
            .iter()
            .map(|x| {
                if kind == "surge" {
                    vec![(0, 0)]
                } else {
                    x.cells.clone()
                }
            })
            .collect();
        for step in track::track(&open, &cells, day_no(f.today)) {
            match step {
                Step::New(i) => {
                    let x = found[i];
                    let id = Uuid::now_v7().to_string();
                    conn.prepare_cached(
                        "INSERT INTO hot_alerts (id, category, kind, state, tier, cells, centre_lat,
                             centre_lon, radius_m, window_days, observed, expected, recurrence,
                             first_day, last_day, created_at, updated_at)
                         VALUES (?1, ?2, ?3, 'new', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                                 ?13, ?14, ?14)",
                    )?
                    .execute(params![
                        id,
                        x.scope,
                        x.kind,
                        x.tier.as_str(),
                        serde_json::to_string(&x.cells).unwrap_or_default(),
                        x.centre.map(|c| c.0),
                        x.centre.map(|c| c.1),
                        x.radius_m,
                        x.window,
                        x.observed,
                        x.expected,
                        x.recurrence,
                        today,
                        now,
                    ])?;
                    link(conn, &id, &x.reports)?;
                    notify(conn, &id, &now)?;
                    out.new.push(id);
                }
                Step::Ongoing(i, id) => {
                    let x = found[i];
                    let tier: Option<String> = conn
                        .prepare_cached("SELECT tier FROM hot_alerts WHERE id = ?1")?
                        .query_row([&id], |r| r.get(0))
                        .optional()?;
                    let before = tier.as_deref().and_then(Tier::parse);
                    let tier = before.map_or(x.tier, |b| b.max(x.tier));
                    conn.prepare_cached(
                        "UPDATE hot_alerts SET state = 'ongoing', tier = ?2, cells = ?3,
                             centre_lat = ?4, centre_lon = ?5, radius_m = ?6, window_days = ?7,
                             observed = ?8, expected = ?9, recurrence = max(recurrence, ?10),
                             last_day = ?11, updated_at = ?12
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        tier.as_str(),
                        serde_json::to_string(&x.cells).unwrap_or_default(),
                        x.centre.map(|c| c.0),
                        x.centre.map(|c| c.1),
                        x.radius_m,
                        x.window,
                        x.observed,
                        x.expected,
                        x.recurrence,
                        today,
                        now,
                    ])?;
                    link(conn, &id, &x.reports)?;
                    if before.is_some_and(|b| tier > b) {
                        notify(conn, &id, &now)?;
                    }
                    out.ongoing.push(id);
                }
                Step::Close(id) => {
                    conn.prepare_cached(
                        "UPDATE hot_alerts SET state = 'closed', updated_at = ?2 WHERE id = ?1",
                    )?
                    .execute(params![id, now])?;
                    out.closed.push(id);
                }
            }
        }
    }
    conn.prepare_cached(
        "INSERT INTO hot_runs (day, at, cases, scans, clusters, millis, trigger)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        today,
        now,
        f.cases as i64,
        f.scans,
        f.found.len() as i64,
        f.millis as i64,
        trigger
    ])?;
    Ok(out)
}

fn link(conn: &Connection, alert: &str, reports: &[String]) -> Result<(), Fail> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO hot_alert_reports (alert_id, report_id) VALUES (?1, ?2)",
    )?;
    for r in reports {
        stmt.execute(params![alert, r])?;
    }
    Ok(())
}

/// The units owning an alert's reports.
pub fn responsible_units(conn: &Connection, alert: &str) -> Result<Vec<String>, Fail> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT r.unit_id FROM hot_alert_reports h JOIN reports r ON r.id = h.report_id
             WHERE h.alert_id = ?1 AND r.unit_id IS NOT NULL ORDER BY r.unit_id",
        )?
        .query_map([alert], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Tells the supervisors over the responsible units (a unit's own or an ancestor's).
fn notify(conn: &Connection, alert: &str, now: &str) -> Result<(), Fail> {
    let units = crate::staff::units(conn)?;
    let parent: HashMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.id.as_str(), u.parent.as_deref()))
        .collect();
    let mut over: HashSet<String> = HashSet::new();
    for u in responsible_units(conn, alert)? {
        let mut at = Some(u.as_str());
        while let Some(x) = at {
            over.insert(x.to_owned());
            at = parent.get(x).copied().flatten();
        }
    }
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO hot_notices (staff_id, alert_id, at)
         SELECT DISTINCT r.staff_id, ?2, ?3 FROM staff_roles r JOIN staff s ON s.id = r.staff_id
         WHERE s.active = 1 AND r.unit_id = ?1 AND r.role IN ('unit_supervisor', 'city_supervisor')",
    )?;
    for u in &over {
        stmt.execute(params![u, alert, now])?;
    }
    Ok(())
}

/// Whether today's daily run is due (after `DAILY_HOUR`, none yet today).
pub fn daily_due(conn: &Connection, now: DateTime<Utc>) -> Result<bool, Fail> {
    let local = now.with_timezone(&hues_wire::time::vietnam_offset());
    if local.hour() < DAILY_HOUR {
        return Ok(false);
    }
    let done: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM hot_runs WHERE day = ?1 AND trigger = 'daily'")?
        .query_row([local_date(now).to_string()], |r| r.get(0))
        .optional()?;
    Ok(done.is_none())
}

/// One whole run: read, compute on a blocking thread, write.
pub async fn run(
    state: &crate::AppState,
    now: DateTime<Utc>,
    trigger: String,
    permutations: u32,
) -> Result<Outcome, Fail> {
    let input = state.db.read(move |c| load(c, now, permutations)).await?;
    let findings = tokio::task::spawn_blocking(move || compute(input))
        .await
        .map_err(Fail::internal)?;
    state.db.write(move |c| apply(c, &findings, &trigger)).await
}

/// The daily run, checked every ten minutes.
pub async fn daily(state: crate::AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = Utc::now();
        let due = state.db.read(move |c| daily_due(c, now)).await;
        if !matches!(due, Ok(true)) {
            continue;
        }
        match run(&state, now, "daily".into(), 999).await {
            Ok(o) => tracing::info!(
                cases = o.cases,
                new = o.new.len(),
                ongoing = o.ongoing.len(),
                closed = o.closed.len(),
                millis = o.millis,
                "hot-issue scan"
            ),
            Err(e) => tracing::warn!(error = %e.0.message, "hot-issue scan"),
        }
    }
}
