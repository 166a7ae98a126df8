//! The console's insight pages (issue 14): the units' performance dashboard and its streamed
//! export, the hot-issue alerts and incidents, what citizens say (listening), and the public
//! performance page with its open data. The figures come from `crate::insight`.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{Duration, NaiveDate, Utc};
use hues_wire::api::ReportStatus;
use serde::{Deserialize, Serialize};

use super::pages::{local_time, page, refusal, status_text};
use super::{Nav, Signed, Tr};
use crate::AppState;
use crate::error::Fail;
use crate::insight::performance::{self, Dashboard, Filter, Metrics, STAGES};
use crate::insight::{hot, incidents, listening};
use crate::staff::{self, Staff};

// ---- filters ---------------------------------------------------------------------------------

/// The filter in the URL, shared by the dashboard, the export and listening.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct FilterQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub category: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ward: String,
    /// csv | json (the export).
    #[serde(default, skip_serializing)]
    pub format: String,
}

/// Who may read which unit's cases: a set worked out once, not per row.
fn reader(
    conn: &rusqlite::Connection,
    staff: &Staff,
) -> Result<impl Fn(Option<&str>) -> bool + use<>, Fail> {
    let units: HashSet<String> = staff::units(conn)?
        .into_iter()
        .filter(|u| staff.can_read_case(Some(&u.id)))
        .map(|u| u.id)
        .collect();
    let unrouted = staff.can_read_case(None);
    Ok(move |u: Option<&str>| u.map_or(unrouted, |u| units.contains(u)))
}

/// The filter's dates (the last 30 days when none), and its unit's subtree.
fn filter_of(
    conn: &rusqlite::Connection,
    q: &FilterQuery,
) -> Result<(Filter, String, String), Fail> {
    let today = hues_wire::deadline::local_date(Utc::now());
    let from =
        NaiveDate::parse_from_str(q.from.trim(), "%Y-%m-%d").unwrap_or(today - Duration::days(29));
    let to = NaiveDate::parse_from_str(q.to.trim(), "%Y-%m-%d").unwrap_or(today);
    let units = if q.unit.is_empty() {
        None
    } else {
        Some(staff::subtree(conn, &q.unit)?.into_iter().collect())
    };
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok((
        Filter {
            from: Some(from),
            to: Some(to),
            units,
            category: some(&q.category),
            ward: some(&q.ward),
        },
        from.to_string(),
        to.to_string(),
    ))
}

/// The choices of the filter form: units one may read, categories, wards.
struct Choices {
    units: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    wards: Vec<(String, String)>,
    names: HashMap<String, String>,
    category_names: HashMap<String, String>,
}

fn choices(conn: &rusqlite::Connection, staff: &Staff, lang: &str) -> Result<Choices, Fail> {
    let all = staff::units(conn)?;
    let names = all
        .iter()
        .map(|u| (u.id.clone(), u.name(lang).to_owned()))
        .collect();
    let wards = all
        .iter()
        .filter_map(|u| u.ward_code.clone().map(|c| (c, u.name(lang).to_owned())))
        .collect();
    let units = all
        .iter()
        .filter(|u| staff.can_read_case(Some(&u.id)))
        .map(|u| (u.id.clone(), u.name(lang).to_owned()))
        .collect();
    let categories: Vec<(String, String)> = crate::store::categories(conn)?
        .into_iter()
        .map(|c| (c.code, if lang == "en" { c.name_en } else { c.name_vi }))
        .collect();
    Ok(Choices {
        units,
        category_names: categories.iter().cloned().collect(),
        categories,
        wards,
        names,
    })
}

/// Brings the case facts up to date before counting (decision 0034).
async fn refresh(state: &AppState) -> Result<(), Fail> {
    state
        .db
        .write(|c| crate::insight::facts::refresh(c).map(drop))
        .await
}

// ---- numbers as people read them ------------------------------------------------------------

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{:.0} %", r * 100.0))
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
}

/// A figure row of the dashboard's table.
pub struct Row {
    pub name: String,
    pub received: u64,
    pub ack: String,
    pub resolve: String,
    pub ack_p50: String,
    pub ack_p90: String,
    pub resolve_p50: String,
    pub resolve_p90: String,
    pub overdue: u64,
    pub reopen: String,
    pub ratings: [String; 3],
    pub bounces: String,
    pub waits: [String; 3],
    pub bottleneck: String,
}

fn row(tr: Tr, name: String, m: &Metrics) -> Row {
    let rated = m.rated();
    let hours = m.wait_hours();
    Row {
        name,
        received: m.received,
        ack: pct(m.ack_rate()),
        resolve: pct(m.resolve_rate()),
        ack_p50: num(m.ack_hours_p50),
        ack_p90: num(m.ack_hours_p90),
        resolve_p50: num(m.resolve_days_p50),
        resolve_p90: num(m.resolve_days_p90),
        overdue: m.overdue_now,
        reopen: pct(m.reopen_rate()),
        ratings: m.ratings.map(|n| pct(Metrics::rate(n, rated))),
        bounces: format!("{} / {}", m.bounces, m.bounced_cases),
        waits: hours.map(|h| format!("{h:.1}")),
        bottleneck: m
            .bottleneck()
            .map(|i| status_text(tr, STAGES[i]))
            .unwrap_or_default(),
    }
}

/// A horizontal bar chart drawn here as SVG (its numbers are also in a table beside it).
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub height: usize,
    pub bars: Vec<Bar>,
}

pub struct Bar {
    pub label: String,
    pub value: String,
    pub y: usize,
    pub width: usize,
}

const BAR_H: usize = 22;
const BAR_MAX: usize = 420;

fn chart(id: &'static str, title: String, items: Vec<(String, f64, String)>) -> Chart {
    let max = items.iter().map(|i| i.1).fold(0.0f64, f64::max);
    let bars = items
        .into_iter()
        .enumerate()
        .map(|(i, (label, v, value))| Bar {
            label: label.chars().take(34).collect(),
            value,
            y: i * BAR_H,
            width: if max > 0.0 {
                ((v / max) * BAR_MAX as f64).round() as usize
            } else {
                0
            },
        })
        .collect::<Vec<_>>();
    Chart {
        id,
        title,
        height: bars.len() * BAR_H + 4,
        bars,
    }
}

// ---- the dashboard -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/performance.html")]
struct PerformancePage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    f: FilterQuery,
    from: String,
    to: String,
    query: String,
    units: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    wards: Vec<(String, String)>,
    total: Row,
    rows: Vec<Row>,
    stages: Vec<(String, String, String)>,
    weeks: Vec<(String, u64, String)>,
    charts: Vec<Chart>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<FilterQuery>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    refresh(&state).await?;
    let staff = s.staff.clone();
    let q2 = q.clone();
    let (d, from, to, ch) = state
        .db
        .read(move |c| {
            let may = reader(c, &staff)?;
            let (f, from, to) = filter_of(c, &q2)?;
            let d = performance::dashboard(c, &f, &may, Utc::now())?;
            Ok((d, from, to, choices(c, &staff, lang)?))
        })
        .await?;
    Ok(page(render_dashboard(tr, &s, q, d, from, to, ch)))
}

fn render_dashboard(
    tr: Tr,
    s: &Signed,
    f: FilterQuery,
    d: Dashboard,
    from: String,
    to: String,
    ch: Choices,
) -> PerformancePage {
    let unit_name = |u: &Option<String>| match u {
        Some(u) => ch.names.get(u).cloned().unwrap_or_else(|| u.clone()),
        None => tr.t("perf-unrouted"),
    };
    let rows: Vec<Row> = d
        .units
        .iter()
        .map(|(u, m)| row(tr, unit_name(u), m))
        .collect();
    let hours = d.total.wait_hours();
    let stages = STAGES
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let share = Metrics::rate(
                d.total.waits[i].max(0) as u64,
                d.total.waits.iter().map(|w| (*w).max(0) as u64).sum(),
            );
            (status_text(tr, st), format!("{:.1}", hours[i]), pct(share))
        })
        .collect::<Vec<_>>();
    let charts = vec![
        chart(
            "chart-on-time",
            tr.t("perf-chart-on-time"),
            d.units
                .iter()
                .map(|(u, m)| {
                    let r = m.resolve_rate();
                    (unit_name(u), r.unwrap_or(0.0), pct(r))
                })
                .collect(),
        ),
        chart(
            "chart-stages",
            tr.t("perf-chart-stages"),
            stages
                .iter()
                .zip(hours)
                .map(|((name, h, _), v)| (name.clone(), v, format!("{h} h")))
                .collect(),
        ),
        chart(
            "chart-weeks",
            tr.t("perf-chart-weeks"),
            d.weeks
                .iter()
                .map(|(w, m)| {
                    (
                        w.format("%d/%m").to_string(),
                        m.received as f64,
                        m.received.to_string(),
                    )
                })
                .collect(),
        ),
    ];
    let weeks = d
        .weeks
        .iter()
        .map(|(w, m)| {
            (
                w.format("%d/%m/%Y").to_string(),
                m.received,
                pct(m.resolve_rate()),
            )
        })
        .collect();
    let query = serde_urlencoded::to_string(&f).unwrap_or_default();
    PerformancePage {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        total: row(tr, tr.t("perf-all"), &d.total),
        rows,
        stages,
        weeks,
        charts,
        query,
        f,
        from,
        to,
        units: ch.units,
        categories: ch.categories,
        wards: ch.wards,
    }
}

/// Export pages are read this many rows at a time: memory stays flat however many cases.
const EXPORT_PAGE: usize = 2_000;

/// `GET /console/performance/export?format=csv|json&…`: every case of the filter, streamed.
pub async fn export(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<FilterQuery>,
) -> Result<Response, Fail> {
    refresh(&state).await?;
    let json = q.format == "json";
    let staff = s.staff.clone();
    let f = state.db.read(move |c| Ok(filter_of(c, &q)?.0)).await?;
    struct Cursor {
        state: AppState,
        staff: Staff,
        f: Filter,
        after: Option<performance::After>,
        /// The header (CSV) or `[` (JSON) went out.
        header: bool,
        /// No row went out yet (JSON's commas).
        first: bool,
        json: bool,
    }
    let cur = Cursor {
        state: state.clone(),
        staff,
        f,
        after: Some((i64::MIN, String::new())),
        header: false,
        first: true,
        json,
    };
    let stream = futures_util::stream::unfold(cur, |mut cur| async move {
        let after = cur.after.take()?;
        let (staff, f) = (cur.staff.clone(), cur.f.clone());
        let page = cur
            .state
            .db
            .read(move |c| {
                let may = reader(c, &staff)?;
                performance::export_page(c, &f, &may, &after, EXPORT_PAGE)
            })
            .await;
        let (rows, last) = match page {
            Ok(p) => p,
            Err(e) => {
                return Some((Err(std::io::Error::other(e.0.message)), cur));
            }
        };
        let mut out = String::new();
        if !cur.header {
            cur.header = true;
            out.push_str(if cur.json {
                "["
            } else {
                performance::EXPORT_HEADER
            });
        }
        for x in &rows {
            let r = performance::Row::of(x);
            if cur.json {
                if !cur.first {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&serde_json::to_string(&r).unwrap_or_default());
            } else {
                out.push_str(&r.csv());
            }
            cur.first = false;
        }
        match last {
            Some(l) => cur.after = Some(l),
            None if cur.json => out.push_str("\n]\n"),
            None => {}
        }
        if last_page_done(&cur.after, &out) {
            return None;
        }
        Some((Ok::<_, std::io::Error>(out), cur))
    });
    let (kind, name) = if json {
        ("application/json", "hues-cases.json")
    } else {
        ("text/csv; charset=utf-8", "hues-cases.csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The stream ends after the page that found no rows left and had nothing to say.
fn last_page_done(after: &Option<performance::After>, out: &str) -> bool {
    after.is_none() && out.is_empty()
}

// ---- the public page and open data -------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/public_performance.html")]
struct PublicPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    rows: Vec<(String, String, u64, String, String, u64, String)>,
}

/// Months of the public figures.
const PUBLIC_MONTHS: u32 = 12;

/// `GET /city/performance`: each unit's on-time and satisfaction rates per month, for anyone.
pub async fn public_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Fail> {
    let tr = super::tr_of(&headers);
    refresh(&state).await?;
    let months = state
        .db
        .read(|c| performance::public_months(c, PUBLIC_MONTHS, Utc::now()))
        .await?;
    let rows = months
        .into_iter()
        .rev()
        .map(|m| {
            let satisfied = m.very_satisfied.zip(m.satisfied).map(|(a, b)| a + b);
            (
                m.month,
                if tr.lang == "en" {
                    m.unit_name_en
                } else {
                    m.unit_name_vi
                },
                m.received,
                pct(m.acknowledged_on_time),
                pct(m.resolved_on_time),
                m.ratings,
                pct(satisfied),
            )
        })
        .collect();
    Ok(page(PublicPage {
        tr,
        who: None,
        nav: Nav::default(),
        rows,
    }))
}

/// `GET /city/performance.json`: the same as open data (no case, no reporter).
pub async fn public_json(State(state): State<AppState>) -> Result<Response, Fail> {
    refresh(&state).await?;
    let months = state
        .db
        .read(|c| performance::public_months(c, PUBLIC_MONTHS, Utc::now()))
        .await?;
    Ok(Json(serde_json::json!({
        "licence": "CC BY 4.0",
        "description": "Cases received per unit and month in Huế, with the shares acknowledged and resolved on time and the residents' ratings. No case details, no reporters.",
        "months": months,
    }))
    .into_response())
}

// ---- hot issues --------------------------------------------------------------------------------

pub struct AlertRow {
    pub id: String,
    pub state: String,
    pub state_text: String,
    pub tier: String,
    pub tier_text: String,
    pub kind_text: String,
    pub category: String,
    pub place: String,
    pub observed: i64,
    pub expected: String,
    pub recurrence: String,
    pub reports: i64,
    pub updated: String,
    pub incident: Option<String>,
}

type AlertFields = (
    String,
    Option<String>,
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    f64,
    i64,
    f64,
    f64,
    String,
    Option<String>,
    i64,
    String,
);

const ALERT_COLUMNS: &str = "a.id, a.category, a.kind, a.state, a.tier, a.centre_lat, a.centre_lon,
    a.radius_m, a.observed, a.expected, a.recurrence, a.updated_at, a.incident_id,
    (SELECT count(*) FROM hot_alert_reports h WHERE h.alert_id = a.id), a.first_day";

fn alert_fields(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertFields> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
        r.get(14)?,
    ))
}

/// "By chance about once in 400 days" in words, rounded as a person would say it.
pub fn recurrence_words(tr: Tr, days: f64) -> String {
    if days <= 0.0 {
        return tr.t("hot-recurrence-surge");
    }
    if days >= 730.0 {
        return tr.t1(
            "hot-recurrence-years",
            "years",
            (days / 365.0).round() as u64,
        );
    }
    let step = if days < 100.0 { 1.0 } else { 10.0 };
    tr.t1(
        "hot-recurrence-days",
        "days",
        ((days / step).round() * step) as u64,
    )
}

fn alert_row(tr: Tr, f: AlertFields, categories: &HashMap<String, String>) -> AlertRow {
    let (
        id,
        category,
        kind,
        st,
        tier,
        lat,
        lon,
        radius,
        observed,
        expected,
        recurrence,
        updated,
        incident,
        reports,
        _,
    ) = f;
    AlertRow {
        state_text: tr.t(&format!("hot-state-{st}")),
        // The middle tier is an "alert" in the console's words (the glossary's).
        tier_text: tr.t(&format!(
            "hot-tier-{}",
            if tier == "warning" { "alert" } else { &tier }
        )),
        kind_text: tr.t(&format!("hot-kind-{kind}")),
        category: category.map_or_else(
            || tr.t("hot-all-categories"),
            |c| categories.get(&c).cloned().unwrap_or(c),
        ),
        place: match (lat, lon) {
            (Some(lat), Some(lon)) => tr.t2(
                "hot-place",
                "where",
                format!("{lat:.4}, {lon:.4}"),
                "radius",
                radius.round() as i64,
            ),
            _ => tr.t("hot-place-city"),
        },
        observed,
        expected: format!("{expected:.1}"),
        recurrence: recurrence_words(tr, recurrence),
        reports,
        updated: local_time(&updated),
        incident,
        id,
        state: st,
        tier,
    }
}

#[derive(Template)]
#[template(path = "console/hot.html")]
struct HotPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    open: Vec<AlertRow>,
    closed: Vec<AlertRow>,
    last_run: Option<String>,
    message: Option<String>,
    may_run: bool,
}

#[derive(Deserialize, Default)]
pub struct HotQuery {
    #[serde(default)]
    ran: Option<usize>,
}

/// Who may run the scan and promote an alert: the operations centre and the supervisors.
fn may_act(staff: &Staff) -> bool {
    use crate::staff::Role;
    [
        Role::Dispatcher,
        Role::UnitSupervisor,
        Role::CitySupervisor,
        Role::Admin,
    ]
    .iter()
    .any(|r| staff.has(*r))
}

/// Alerts one may see: those with at least one report of a unit one reads, or citywide ones
/// for the city's readers.
fn visible(conn: &rusqlite::Connection, staff: &Staff, alert: &str) -> Result<bool, Fail> {
    if staff.can_read_case(None) {
        return Ok(true);
    }
    Ok(hot::responsible_units(conn, alert)?
        .iter()
        .any(|u| staff.can_read_case(Some(u))))
}

pub async fn hot_list(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<HotQuery>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let staff = s.staff.clone();
    let lang = tr.lang;
    let (rows, last) = state
        .db
        .read(move |c| {
            let cats = choices(c, &staff, lang)?.category_names;
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM hot_alerts a
                 ORDER BY a.state = 'closed', a.updated_at DESC LIMIT 300"
            ))?;
            let all: Vec<AlertFields> = stmt
                .query_map([], alert_fields)?
                .collect::<Result<_, _>>()?;
            let mut rows = Vec::new();
            for f in all {
                if visible(c, &staff, &f.0)? {
                    rows.push(alert_row(tr, f, &cats));
                }
            }
            let last: Option<(String, i64, i64)> =
                rusqlite::OptionalExtension::optional(c.query_row(
                    "SELECT at, cases, millis FROM hot_runs ORDER BY id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                ))?;
            Ok((rows, last))
        })
        .await?;
    let (closed, open): (Vec<AlertRow>, Vec<AlertRow>) =
        rows.into_iter().partition(|r| r.state == "closed");
    Ok(page(HotPage {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        open,
        closed,
        last_run: last.map(|(at, cases, ms)| {
            tr.t2("hot-last-run", "at", local_time(&at), "cases", cases) + &format!(" ({ms} ms)")
        }),
        message: q.ran.map(|n| tr.tn("hot-ran", "count", n)),
        may_run: may_act(&s.staff),
    }))
}

/// `POST /console/hot/run`: the scan now (999 shuffles).
pub async fn hot_run(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    if !may_act(&s.staff) {
        return Ok(refusal(&s, StatusCode::FORBIDDEN));
    }
    let out = hot::run(&state, Utc::now(), s.staff.id.clone(), 999).await?;
    let me = s.staff.id.clone();
    let summary = serde_json::to_string(&out).unwrap_or_default();
    state
        .db
        .write(move |c| {
            staff::audit(
                c,
                Some(&me),
                "hot.run",
                "hot",
                None,
                Some(&summary),
                Utc::now(),
            )
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/console/hot?ran={}",
        out.new.len() + out.ongoing.len()
    ))
    .into_response())
}

pub struct UnitRate {
    pub name: String,
    pub received: u64,
    pub on_time: String,
}

pub struct CaseLink {
    pub id: String,
    pub short: String,
    pub status: String,
    pub received: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "console/hot_alert.html")]
struct HotAlertPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    a: AlertRow,
    first_day: String,
    units: Vec<UnitRate>,
    cases: Vec<CaseLink>,
    may_promote: bool,
}

pub async fn hot_alert(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let staff = s.staff.clone();
    let lang = tr.lang;
    refresh(&state).await?;
    let found = state
        .db
        .read(move |c| {
            let f: Option<AlertFields> = rusqlite::OptionalExtension::optional(
                c.prepare_cached(&format!(
                    "SELECT {ALERT_COLUMNS} FROM hot_alerts a WHERE a.id = ?1"
                ))?
                .query_row([&id], alert_fields),
            )?;
            let Some(f) = f else { return Ok(None) };
            if !visible(c, &staff, &id)? {
                return Ok(None);
            }
            let ch = choices(c, &staff, lang)?;
            let first_day = f.14.clone();
            let a = alert_row(tr, f, &ch.category_names);
            // The units responsible, with their on-time rate over the last 30 days.
            let may = reader(c, &staff)?;
            let today = hues_wire::deadline::local_date(Utc::now());
            let mut units = Vec::new();
            for u in hot::responsible_units(c, &id)? {
                let filter = Filter {
                    from: Some(today - Duration::days(29)),
                    to: Some(today),
                    units: Some(std::iter::once(u.clone()).collect()),
                    ..Filter::default()
                };
                let m = performance::dashboard(c, &filter, &may, Utc::now())?.total;
                units.push(UnitRate {
                    name: ch.names.get(&u).cloned().unwrap_or(u),
                    received: m.received,
                    on_time: pct(m.resolve_rate()),
                });
            }
            let cases = c
                .prepare_cached(
                    "SELECT r.id, r.status, r.received_at, r.description, r.unit_id
                     FROM hot_alert_reports h JOIN reports r ON r.id = h.report_id
                     WHERE h.alert_id = ?1 ORDER BY r.received_at DESC",
                )?
                .query_map([&id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let cases = cases
                .into_iter()
                .filter(|x| may(x.4.as_deref()))
                .map(|(id, status, received, text, _)| CaseLink {
                    short: id.chars().take(8).collect(),
                    id,
                    status: status_text(tr, &status),
                    received: local_time(&received),
                    text: text.chars().take(120).collect(),
                })
                .collect();
            Ok(Some((a, first_day, units, cases)))
        })
        .await?;
    let Some((a, first_day, units, cases)) = found else {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    };
    Ok(page(HotAlertPage {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        a,
        first_day,
        units,
        cases,
        may_promote: may_act(&s.staff),
    }))
}

#[derive(Deserialize)]
pub struct PromoteForm {
    #[serde(default)]
    title: String,
}

/// `POST /console/hot/{id}/incident`: the alert becomes an incident holding its reports.
pub async fn promote(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<PromoteForm>,
) -> Result<Response, Fail> {
    if !may_act(&s.staff) {
        return Ok(refusal(&s, StatusCode::FORBIDDEN));
    }
    let title = form.title.trim().to_owned();
    crate::error::text("title", &title, 200)?;
    let title = if title.is_empty() {
        s.tr.t("incident-untitled")
    } else {
        title
    };
    let me = s.staff.id.clone();
    let staff = s.staff.clone();
    let made = state
        .db
        .write(move |c| {
            if !visible(c, &staff, &id)? {
                return Ok(None);
            }
            incidents::promote(c, &id, &title, &me).map(Some)
        })
        .await;
    match made {
        Ok(Some(incident)) => {
            Ok(Redirect::to(&format!("/console/incidents/{incident}")).into_response())
        }
        Ok(None) => Ok(refusal(&s, StatusCode::NOT_FOUND)),
        Err(f) if f.0.code == hues_wire::ErrorCode::NotFound => {
            Ok(refusal(&s, StatusCode::NOT_FOUND))
        }
        Err(f) => Err(f),
    }
}

#[derive(Template)]
#[template(path = "console/incident.html")]
struct IncidentPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    id: String,
    title: String,
    alert: Option<String>,
    cases: Vec<CaseLink>,
    statuses: Vec<(String, String)>,
    message: Option<String>,
    error: Option<String>,
    text: String,
}

#[derive(Deserialize, Default)]
pub struct IncidentQuery {
    #[serde(default)]
    reached: Option<usize>,
}

async fn incident_page(
    state: &AppState,
    s: &Signed,
    id: String,
    message: Option<String>,
    error: Option<String>,
    text: String,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let staff = s.staff.clone();
    let found = state
        .db
        .read(move |c| {
            let head: Option<(String, Option<String>)> =
                rusqlite::OptionalExtension::optional(c.query_row(
                    "SELECT title, alert_id FROM incidents WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                ))?;
            let Some((title, alert)) = head else {
                return Ok(None);
            };
            let may = reader(c, &staff)?;
            let reports = incidents::reports(c, &id)?;
            if !reports.iter().any(|r| may(r.1.as_deref())) && !staff.can_read_case(None) {
                return Ok(None);
            }
            let mut cases = Vec::new();
            for (rid, unit, status) in reports {
                if !may(unit.as_deref()) {
                    continue;
                }
                let (received, text): (String, String) = c.query_row(
                    "SELECT received_at, description FROM reports WHERE id = ?1",
                    [&rid],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                cases.push(CaseLink {
                    short: rid.chars().take(8).collect(),
                    id: rid,
                    status: status_text(tr, &status),
                    received: local_time(&received),
                    text: text.chars().take(120).collect(),
                });
            }
            Ok(Some((id, title, alert, cases)))
        })
        .await?;
    let Some((id, title, alert, cases)) = found else {
        return Ok(refusal(s, StatusCode::NOT_FOUND));
    };
    Ok(page(IncidentPage {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        id,
        title,
        alert,
        cases,
        statuses: [ReportStatus::InProgress, ReportStatus::Resolved]
            .iter()
            .map(|st| (st.as_str().to_owned(), status_text(tr, st.as_str())))
            .collect(),
        message,
        error,
        text,
    }))
}

pub async fn incident(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<IncidentQuery>,
) -> Result<Response, Fail> {
    let message = q.reached.map(|n| s.tr.tn("incident-reached", "count", n));
    incident_page(&state, &s, id, message, None, String::new()).await
}

#[derive(Deserialize)]
pub struct IncidentReply {
    #[serde(default)]
    status: String,
    #[serde(default)]
    text: String,
}

/// `POST /console/incidents/{id}/reply`: one public reply, to every report one may change.
pub async fn incident_reply(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<IncidentReply>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let status = ReportStatus::parse(&form.status)
        .filter(|st| matches!(st, ReportStatus::InProgress | ReportStatus::Resolved));
    let text = form.text.trim().to_owned();
    let error = match status {
        None => Some(tr.t("reply-status-missing")),
        Some(_) if text.is_empty() => Some(tr.t("reply-text-missing")),
        Some(_) => None,
    };
    if let Some(e) = error {
        let mut res = incident_page(&state, &s, id, None, Some(e), text).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    crate::error::text("text", &text, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    let status = status.unwrap_or(ReportStatus::InProgress);
    let staff = s.staff.clone();
    let (iid, note) = (id.clone(), text.clone());
    let reached = state
        .db
        .run(move |c| {
            let me = staff.id.clone();
            incidents::reply(c, &iid, status, &note, &me, &|u| staff.can_change_case(u))
        })
        .await?;
    Ok(Redirect::to(&format!("/console/incidents/{id}?reached={reached}")).into_response())
}

// ---- listening -------------------------------------------------------------------------------

pub struct TrendRow {
    pub name: String,
    /// Per week: (rated, not satisfied %, reopened %).
    pub weeks: Vec<(u64, String, String)>,
}

pub struct WordRow {
    pub term: String,
    pub now: u32,
    pub before: u32,
    pub cases: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/listening.html")]
struct ListeningPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    f: FilterQuery,
    units: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    wards: Vec<(String, String)>,
    weeks: Vec<String>,
    trends: Vec<TrendRow>,
    words: Vec<WordRow>,
}

pub async fn listening(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<FilterQuery>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    refresh(&state).await?;
    let staff = s.staff.clone();
    let q2 = q.clone();
    let now = Utc::now();
    let (trends, words, ch) = state
        .db
        .read(move |c| {
            let may = reader(c, &staff)?;
            let (f, _, _) = filter_of(c, &q2)?;
            Ok((
                listening::trends(c, &f, &may, now)?,
                listening::rising(c, &f, &may, now)?,
                choices(c, &staff, lang)?,
            ))
        })
        .await?;
    let start = now - Duration::days(7 * listening::WEEKS);
    let weeks = (0..listening::WEEKS)
        .map(|i| {
            (start + Duration::days(7 * i))
                .with_timezone(&hues_wire::time::vietnam_offset())
                .format("%d/%m")
                .to_string()
        })
        .collect();
    let trends = trends
        .into_iter()
        .map(|t| TrendRow {
            name: match &t.unit {
                Some(u) => ch.names.get(u).cloned().unwrap_or_else(|| u.clone()),
                None => tr.t("perf-unrouted"),
            },
            weeks: t
                .weeks
                .iter()
                .map(|m| {
                    (
                        m.rated(),
                        pct(Metrics::rate(m.ratings[2], m.rated())),
                        pct(m.reopen_rate()),
                    )
                })
                .collect(),
        })
        .collect();
    let words = words
        .into_iter()
        .map(|w| WordRow {
            term: w.rising.term,
            now: w.rising.now,
            before: w.rising.before,
            cases: w
                .cases
                .into_iter()
                .take(20)
                .map(|id| (id.chars().take(8).collect(), id))
                .collect(),
        })
        .collect();
    Ok(page(ListeningPage {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        f: q,
        units: ch.units,
        categories: ch.categories,
        wards: ch.wards,
        weeks,
        trends,
        words,
    }))
}
