//! The console live: a server-sent event stream per open page (a case of one's units changed:
//! `case`; one's unread notices: `bell`), woken by the database's commits rather than polling;
//! the supervisors' notices (a case of their unit overdue or escalated, told once), the bell's
//! page, and the overdue view per unit.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::StreamExt;
use hues_wire::deadline::DeadlineFlag;
use rusqlite::{Connection, params};

use super::pages::{due_text, local_time, page};
use super::{Signed, Tr};
use crate::AppState;
use crate::error::Fail;
use crate::staff::{self, Role, Staff};

/// The newest change's number.
fn last_change(conn: &Connection) -> Result<i64, Fail> {
    Ok(
        conn.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })?,
    )
}

/// Reports changed after `after` that `staff` may read: (last change read, ids).
fn changed_cases(conn: &Connection, staff: &Staff, after: i64) -> Result<(i64, Vec<String>), Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.seq, c.entity, r.unit_id FROM changes c JOIN reports r ON r.id = c.entity
         WHERE c.kind = 'report' AND c.seq > ?1 ORDER BY c.seq LIMIT 1000",
    )?;
    let mut last = after;
    let mut ids: Vec<String> = Vec::new();
    let rows = stmt.query_map([after], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (seq, id, unit) = row?;
        last = seq;
        if staff.can_read_case(unit.as_deref()) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    // Other kinds of change move the cursor too (so they are not read again).
    let newest = last_change(conn)?;
    Ok((
        if ids.is_empty() {
            newest.max(last)
        } else {
            last
        },
        ids,
    ))
}

/// Unread notices: cases overdue or escalated, and hot issues.
pub fn unread(conn: &Connection, staff_id: &str) -> Result<i64, Fail> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM staff_notices WHERE staff_id = ?1 AND read = 0)
              + (SELECT count(*) FROM hot_notices WHERE staff_id = ?1 AND read = 0)",
        [staff_id],
        |r| r.get(0),
    )?)
}

/// Changes whenever a hot-issue alert is raised, continued or closed.
pub fn hot_version(conn: &Connection) -> Result<String, Fail> {
    Ok(conn.query_row(
        "SELECT count(*) || '/' || coalesce(max(updated_at), '') FROM hot_alerts",
        [],
        |r| r.get(0),
    )?)
}

struct Cursor {
    state: AppState,
    commits: tokio::sync::watch::Receiver<u64>,
    staff: Staff,
    /// The session's cookie: the stream ends when the session does (sign-out, time-out).
    session: String,
    last: i64,
    bell: i64,
    hot: String,
}

/// `GET /console/events`: the stream. Events: `case` (data: the report's id), `bell` (data:
/// the unread count) and `hot` (a hot-issue alert changed).
pub async fn events(
    State(state): State<AppState>,
    s: Signed,
    headers: axum::http::HeaderMap,
) -> Result<Response, Fail> {
    let session = super::cookie(&headers, super::COOKIE)
        .unwrap_or_default()
        .to_owned();
    let mut commits = state.db.commits();
    commits.mark_unchanged();
    let me = s.staff.id.clone();
    let (last, bell, hot) = state
        .db
        .read(move |c| Ok((last_change(c)?, unread(c, &me)?, hot_version(c)?)))
        .await?;
    let cursor = Cursor {
        state,
        commits,
        staff: s.staff,
        session,
        last,
        bell,
        hot,
    };
    let stream = futures_util::stream::unfold(cursor, |mut cur| async move {
        loop {
            cur.commits.changed().await.ok()?;
            let (staff, after, session) = (cur.staff.clone(), cur.last, cur.session.clone());
            let found = cur
                .state
                .db
                .read(move |c| {
                    if !staff::session_alive(c, &session, chrono::Utc::now().timestamp())? {
                        return Ok(None);
                    }
                    let (last, ids) = changed_cases(c, &staff, after)?;
                    Ok(Some((last, ids, unread(c, &staff.id)?, hot_version(c)?)))
                })
                .await;
            let (last, ids, bell, hot) = match found {
                Ok(Some(found)) => found,
                // Signed out or timed out: the stream ends.
                Ok(None) => return None,
                Err(_) => continue,
            };
            cur.last = last;
            let mut events: Vec<Result<Event, Infallible>> = ids
                .into_iter()
                .map(|id| Ok(Event::default().event("case").data(id)))
                .collect();
            if bell != cur.bell {
                cur.bell = bell;
                events.push(Ok(Event::default().event("bell").data(bell.to_string())));
            }
            if hot != cur.hot {
                cur.hot = hot;
                events.push(Ok(Event::default().event("hot").data("changed")));
            }
            if !events.is_empty() {
                return Some((futures_util::stream::iter(events), cur));
            }
        }
    })
    .flatten();
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response())
}

// ---- notices -----------------------------------------------------------------------------------

/// Open cases whose clock says overdue or escalated tell each supervisor of their unit, once per
/// tier. Returns how many notices were made.
pub fn sweep_notices(conn: &Connection, now: chrono::DateTime<chrono::Utc>) -> Result<usize, Fail> {
    let targets = crate::sla::all_targets(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, category, received_at, unit_id FROM reports
         WHERE status NOT IN ('resolved', 'rejected', 'duplicate') AND unit_id IS NOT NULL",
    )?;
    let open: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut sup = conn.prepare_cached(
        "SELECT DISTINCT staff_id FROM staff_roles WHERE role = 'unit_supervisor'",
    )?;
    let ids: Vec<String> = sup.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut supervisors = Vec::new();
    for id in ids {
        supervisors.extend(staff::staff_by_id(conn, &id)?);
    }
    let mut made = 0;
    for (id, category, received, unit) in open {
        let Ok(received) = chrono::DateTime::parse_from_rfc3339(&received) else {
            continue;
        };
        let clock = crate::sla::clock_of(
            conn,
            &targets,
            &id,
            &category,
            received.with_timezone(&chrono::Utc),
            now,
        )?;
        let kind = match clock.flag {
            DeadlineFlag::Overdue => "overdue",
            DeadlineFlag::Escalated => "escalated",
            _ => continue,
        };
        for s in supervisors
            .iter()
            .filter(|s| s.covers(&[Role::UnitSupervisor], Some(&unit)))
        {
            made += conn.execute(
                "INSERT OR IGNORE INTO staff_notices (staff_id, report_id, kind, at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![s.id, id, kind, crate::db::ts(now)],
            )?;
        }
    }
    Ok(made)
}

/// Runs the sweep every minute while the server serves.
pub async fn sweep_every_minute(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let done = state
            .db
            .write(|c| sweep_notices(c, chrono::Utc::now()))
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e.0.message, "sweeping the console's notices");
        }
    }
}

pub struct Notice {
    pub href: String,
    pub short: String,
    pub text: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "console/bell.html")]
struct Bell {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    notices: Vec<Notice>,
}

#[derive(serde::Deserialize, Default)]
pub struct BellQuery {
    #[serde(default)]
    part: String,
}

/// The bell's page; with `?part=count` only the unread count (what the header shows).
pub async fn bell(
    State(state): State<AppState>,
    s: Signed,
    axum::extract::Query(q): axum::extract::Query<BellQuery>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let me = s.staff.id.clone();
    if q.part == "count" {
        let n = state.db.read(move |c| unread(c, &me)).await?;
        return Ok(n.to_string().into_response());
    }
    let rows: Vec<(String, String, String, bool)> = state
        .db
        .read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT report_id, kind, at, read FROM staff_notices WHERE staff_id = ?1
                 UNION ALL
                 SELECT alert_id, 'hot', at, read FROM hot_notices WHERE staff_id = ?1
                 ORDER BY 4, 3 DESC LIMIT 200",
            )?;
            let rows = stmt
                .query_map([&me], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await?;
    let notices = rows
        .into_iter()
        .map(|(report, kind, at, read)| {
            let short: String = report.chars().take(8).collect();
            let href = if kind == "hot" {
                format!("/console/hot/{report}")
            } else {
                format!("/console/cases/{report}")
            };
            Notice {
                text: tr.t1(&format!("bell-{kind}"), "id", &short),
                short,
                href,
                at: local_time(&at),
                unread: !read,
            }
        })
        .collect();
    Ok(page(Bell {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        notices,
    }))
}

pub async fn bell_read(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    let me = s.staff.id.clone();
    state
        .db
        .write(move |c| {
            c.execute(
                "UPDATE staff_notices SET read = 1 WHERE staff_id = ?1 AND read = 0",
                [&me],
            )?;
            c.execute(
                "UPDATE hot_notices SET read = 1 WHERE staff_id = ?1 AND read = 0",
                [&me],
            )?;
            Ok(())
        })
        .await?;
    Ok(Redirect::to("/console/bell").into_response())
}

// ---- the overdue view ----------------------------------------------------------------------

pub struct OverdueCase {
    pub id: String,
    pub short: String,
    pub category: String,
    pub due_flag: String,
    pub due: String,
}

pub struct OverdueUnit {
    pub name: String,
    pub cases: Vec<OverdueCase>,
}

#[derive(Template)]
#[template(path = "console/overdue.html")]
struct Overdue {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    today: String,
    units: Vec<OverdueUnit>,
}

/// Today's overdue and escalated open cases of the units one oversees, unit by unit.
pub async fn overdue(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    let staff = s.staff.clone();
    let now = chrono::Utc::now();
    let found = state
        .db
        .read(move |c| {
            let targets = crate::sla::all_targets(c)?;
            let mut stmt = c.prepare_cached(
                "SELECT r.id, r.category, r.received_at, r.unit_id, coalesce(k.name_vi, r.category),
                        coalesce(k.name_en, r.category)
                 FROM reports r LEFT JOIN categories k ON k.code = r.category
                 WHERE r.status NOT IN ('resolved', 'rejected', 'duplicate') AND r.unit_id IS NOT NULL
                 ORDER BY r.received_at",
            )?;
            let rows: Vec<(String, String, String, String, String, String)> = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut out = Vec::new();
            for (id, code, received, unit, vi, en) in rows {
                if !staff.can_read_case(Some(&unit)) {
                    continue;
                }
                let Ok(received) = chrono::DateTime::parse_from_rfc3339(&received) else {
                    continue;
                };
                let clock = crate::sla::clock_of(
                    c,
                    &targets,
                    &id,
                    &code,
                    received.with_timezone(&chrono::Utc),
                    now,
                )?;
                if matches!(clock.flag, DeadlineFlag::Overdue | DeadlineFlag::Escalated) {
                    out.push((id, unit, if lang == "en" { en } else { vi }, clock));
                }
            }
            Ok((out, staff::units(c)?))
        })
        .await?;
    let (cases, all_units) = found;
    let mut units: Vec<OverdueUnit> = Vec::new();
    for u in &all_units {
        let mine: Vec<OverdueCase> = cases
            .iter()
            .filter(|(_, unit, _, _)| *unit == u.id)
            .map(|(id, _, category, clock)| {
                let (due_flag, due) = due_text(tr, clock);
                OverdueCase {
                    short: id.chars().take(8).collect(),
                    id: id.clone(),
                    category: category.clone(),
                    due_flag,
                    due,
                }
            })
            .collect();
        if !mine.is_empty() {
            units.push(OverdueUnit {
                name: u.name(lang).to_owned(),
                cases: mine,
            });
        }
    }
    let today = now
        .with_timezone(&hues_wire::time::vietnam_offset())
        .format("%d/%m/%Y")
        .to_string();
    let mut res = page(Overdue {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        today,
        units,
    });
    *res.status_mut() = StatusCode::OK;
    Ok(res)
}
