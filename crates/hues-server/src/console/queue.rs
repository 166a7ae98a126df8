//! The queue: the cases of one's units (the whole city for city roles) with filters that live in
//! the URL (unit, status, category, ward, clock tier, channel, assignee, text with Vietnamese
//! folding), sorting, a map of the same cases beside the list, live updates, and bulk actions
//! on a selection that come back to the same filtered list.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hues_wire::api::{ReportStatus, StatusUpdate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::pages::{due_text, local_time, page, status_text, statuses};
use super::{Signed, Tr};
use crate::AppState;
use crate::error::Fail;
use crate::staff;

pub struct QueueRow {
    pub id: String,
    pub short: String,
    pub received_at: String,
    pub received_local: String,
    pub category: String,
    pub summary: String,
    pub status: String,
    pub status_text: String,
    pub unit: String,
    pub assignee: String,
    pub channel: String,
    pub due_flag: String,
    pub due: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct Queue {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    statuses: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    units: Vec<(String, String)>,
    wards: Vec<(String, String)>,
    tiers: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    people: Vec<(String, String)>,
    sorts: Vec<(String, String)>,
    f: QueueQuery,
    /// The filters as a query string (for the live reload and the bulk form's way back).
    query: String,
    count: usize,
    cases: Vec<QueueRow>,
    message: Option<String>,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct QueueQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub category: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unrouted: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ward: String,
    /// on_time | due_soon | overdue | escalated
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tier: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// `me`, `none`, or a staff id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assignee: String,
    /// The damage reported for one warning (its CAP identifier).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alert: String,
    /// new (default) | old | due
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sort: String,
    /// After a bulk action: how many cases it changed and refused.
    #[serde(default, skip_serializing)]
    pub done: Option<usize>,
    #[serde(default, skip_serializing)]
    pub refused: Option<usize>,
}

/// At most this many cases on one page.
const QUEUE_LIMIT: usize = 200;

const TIERS: [&str; 4] = ["on_time", "due_soon", "overdue", "escalated"];

type Row = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    f64,
    f64,
);

pub async fn queue(
    State(state): State<AppState>,
    s: Signed,
    Query(f): Query<QueueQuery>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    // The whole city (and what no unit owns yet) for city roles; else the roles' units.
    let whole_city = s.staff.can_read_case(None);
    let units = serde_json::to_string(&s.staff.units()).map_err(Fail::internal)?;
    let lang = tr.lang;
    let mine = s.staff.units();
    let me = s.staff.id.clone();
    // A unit asked for in the URL narrows what one may read, never widens it.
    let unit_allowed = f.unit.is_empty() || s.staff.can_read_case(Some(&f.unit));
    let q = f.clone();
    let (rows, clocks, categories, units, people) = state
        .db
        .read(move |conn| {
            // Only the conditions asked for, so that SQLite can use `reports_unit` (an
            // `? = '' OR …` condition keeps it from any index).
            let mut conditions: Vec<&str> = Vec::new();
            if q.unrouted == "1" {
                conditions.push("r.unit_id IS NULL");
            }
            let mut values: Vec<rusqlite::types::Value> = Vec::new();
            let mut add = |sql: &'static str, v: String| {
                conditions.push(sql);
                values.push(rusqlite::types::Value::Text(v));
            };
            if !unit_allowed {
                add("? = 'never'", String::new());
            } else if !q.unit.is_empty() {
                add("r.unit_id = ?", q.unit.clone());
            } else if !whole_city {
                add("r.unit_id IN (SELECT value FROM json_each(?))", units);
            }
            if !q.status.is_empty() {
                add("r.status = ?", q.status.clone());
            }
            if !q.category.is_empty() {
                add("r.category = ?", q.category.clone());
            }
            if !q.ward.is_empty() {
                add("r.ward_code = ?", q.ward.clone());
            }
            if !q.channel.is_empty() {
                add("r.channel = ?", q.channel.clone());
            }
            if !q.alert.is_empty() {
                add("r.alert = ?", q.alert.clone());
            }
            match q.assignee.as_str() {
                "" => {}
                "none" => conditions.push("r.assignee_id IS NULL"),
                "me" => add("r.assignee_id = ?", me),
                other => add("r.assignee_id = ?", other.to_owned()),
            }
            let order = if q.sort == "old" { "ASC" } else { "DESC" };
            let sql = format!(
                "SELECT r.id, r.received_at, r.category, r.description, r.status,
                        u.name_vi, u.name_en, c.name_vi, c.name_en, s.display_name, r.channel,
                        r.latitude, r.longitude
                 FROM reports r
                 LEFT JOIN units u ON u.id = r.unit_id
                 LEFT JOIN categories c ON c.code = r.category
                 LEFT JOIN staff s ON s.id = r.assignee_id
                 WHERE {}
                 ORDER BY r.received_at {order}, r.id {order} LIMIT {}",
                if conditions.is_empty() {
                    "1".to_owned()
                } else {
                    conditions.join(" AND ")
                },
                QUEUE_LIMIT * 10
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let folded = hues_wire::fold::fold(q.q.trim());
            let targets = crate::sla::all_targets(conn)?;
            let now = chrono::Utc::now();
            let candidates = stmt
                .query_map(rusqlite::params_from_iter(values), |r| {
                    let en = lang == "en";
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(if en { 6 } else { 5 })?,
                        r.get::<_, Option<String>>(if en { 8 } else { 7 })?,
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, String>(10)?,
                        r.get::<_, f64>(11)?,
                        r.get::<_, f64>(12)?,
                    ))
                })?
                .filter_map(Result::ok)
                .filter(|row: &Row| {
                    folded.is_empty() || hues_wire::fold::fold(&row.3).contains(&folded)
                });
            let mut rows = Vec::new();
            let mut clocks = Vec::new();
            for row in candidates {
                let received = chrono::DateTime::parse_from_rfc3339(&row.1)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .map_err(Fail::internal)?;
                let clock = crate::sla::clock_of(conn, &targets, &row.0, &row.2, received, now)?;
                if !q.tier.is_empty() && clock.flag.as_str() != q.tier {
                    continue;
                }
                rows.push(row);
                clocks.push(clock);
                if rows.len() == QUEUE_LIMIT {
                    break;
                }
            }
            let categories: Vec<(String, String)> = crate::store::categories(conn)?
                .into_iter()
                .map(|c| {
                    let name = if lang == "en" { c.name_en } else { c.name_vi };
                    (c.code, name)
                })
                .collect();
            let all = staff::units(conn)?;
            let people = people_of(conn, &all, whole_city, &mine)?;
            // The units one may filter by: those one's roles cover.
            let units: Vec<staff::Unit> = all
                .into_iter()
                .filter(|u| whole_city || mine.contains(&u.id))
                .collect();
            Ok((rows, clocks, categories, units, people))
        })
        .await?;
    let mut cases: Vec<QueueRow> = rows
        .into_iter()
        .zip(clocks.iter())
        .map(|(row, clock)| {
            let (
                id,
                received_at,
                code,
                description,
                status,
                unit,
                category,
                assignee,
                channel,
                lat,
                lon,
            ) = row;
            let (due_flag, due) = due_text(tr, clock);
            let summary: String = description.chars().take(120).collect();
            QueueRow {
                short: id.chars().take(8).collect(),
                id,
                received_local: local_time(&received_at),
                received_at,
                category: category.unwrap_or(code),
                summary: if summary.trim().is_empty() {
                    "—".into()
                } else {
                    summary
                },
                status_text: status_text(tr, &status),
                status,
                unit: unit.unwrap_or_else(|| tr.t("queue-unrouted")),
                assignee: assignee.unwrap_or_else(|| tr.t("case-assignee-none")),
                channel: tr.t(&format!("channel-{channel}")),
                due_flag,
                due,
                lat,
                lon,
            }
        })
        .collect();
    if f.sort == "due" {
        // What is owed soonest first (the acknowledgement's time, else the resolution's day).
        let mut keyed: Vec<(chrono::DateTime<chrono::Utc>, QueueRow)> = clocks
            .iter()
            .map(|c| match c.stage {
                hues_wire::sla::Stage::Acknowledge => c.ack_due,
                _ => c
                    .resolve_due
                    .and_hms_opt(17, 0, 0)
                    .map_or(c.ack_due, |d| d.and_utc()),
            })
            .zip(cases)
            .collect();
        keyed.sort_by_key(|(due, _)| *due);
        cases = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let wards = units
        .iter()
        .filter_map(|u| u.ward_code.clone().map(|c| (c, u.name(lang).to_owned())))
        .collect();
    let message = f.done.map(|done| {
        tr.t2(
            "bulk-done",
            "done",
            done,
            "refused",
            f.refused.unwrap_or_default(),
        )
    });
    let query = serde_urlencoded::to_string(&f).unwrap_or_default();
    Ok(page(Queue {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        statuses: statuses(tr),
        categories,
        units: units
            .iter()
            .map(|u| (u.id.clone(), u.name(lang).to_owned()))
            .collect(),
        wards,
        tiers: TIERS
            .iter()
            .map(|t| {
                let key = format!("dossier-flag-{}", t.replace('_', "-"));
                ((*t).to_owned(), tr.t(&key))
            })
            .collect(),
        channels: super::pages::CHANNELS
            .iter()
            .map(|c| ((*c).to_owned(), tr.t(&format!("channel-{c}"))))
            .collect(),
        people,
        sorts: ["new", "old", "due"]
            .iter()
            .map(|k| ((*k).to_owned(), tr.t(&format!("queue-sort-{k}"))))
            .collect(),
        f,
        query,
        count: cases.len(),
        cases,
        message,
    }))
}

/// The people one may filter by (and hand cases to): handlers of one's units.
fn people_of(
    conn: &rusqlite::Connection,
    all: &[staff::Unit],
    whole_city: bool,
    mine: &[String],
) -> Result<Vec<(String, String)>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT s.id, s.display_name, r.unit_id FROM staff s
         JOIN staff_roles r ON r.staff_id = s.id
         WHERE s.active = 1 AND r.role IN ('dispatcher', 'officer', 'unit_supervisor')
         ORDER BY s.display_name",
    )?;
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut people: Vec<(String, String)> = Vec::new();
    for (id, name, unit) in rows {
        let known = all.iter().any(|u| u.id == unit);
        if known && (whole_city || mine.contains(&unit)) && !people.iter().any(|(i, _)| *i == id) {
            people.push((id, name));
        }
    }
    Ok(people)
}

/// `POST /console/bulk`: one action on the selected cases (`id` repeated), each checked as if
/// done alone (its unit, its lock); back to the same filtered queue with what was done.
pub async fn bulk(
    State(state): State<AppState>,
    s: Signed,
    body: String,
) -> Result<Response, Fail> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|e| Fail::new(hues_wire::ErrorCode::InvalidValue, e.to_string()))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let ids: Vec<Uuid> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .take(QUEUE_LIMIT)
        .collect();
    let (action, status, unit, note) = (get("action"), get("status"), get("unit"), get("note"));
    let back: QueueQuery = serde_urlencoded::from_str(&get("back")).unwrap_or_default();
    let staff = s.staff.clone();
    let status = ReportStatus::parse(&status);
    let (done, refused) = state
        .db
        .run(move |conn| {
            let now = chrono::Utc::now();
            let (mut done, mut refused) = (0usize, 0usize);
            for id in ids {
                let rid = id.to_string();
                let unit_of: Option<Option<String>> = {
                    use rusqlite::OptionalExtension;
                    conn.query_row("SELECT unit_id FROM reports WHERE id = ?1", [&rid], |r| {
                        r.get(0)
                    })
                    .optional()?
                };
                let held = super::desk::lock(conn, &rid, now.timestamp())?
                    .is_some_and(|(h, _, _)| h != staff.id);
                let Some(owner) = unit_of.filter(|u| !held && staff.can_change_case(u.as_deref()))
                else {
                    refused += 1;
                    continue;
                };
                let ok = match action.as_str() {
                    "claim" => super::desk::set_assignee(conn, id, Some(&staff.id), &staff.id)
                        .map(|()| true),
                    "status" => match status {
                        // Resolving in bulk skips the photo of the work: refused for the
                        // categories that need one.
                        Some(st) if super::desk::lacks_resolve_photo(conn, id, st)? => Ok(false),
                        Some(st) => {
                            let update = StatusUpdate {
                                status: st,
                                note: note.clone(),
                                unit: None,
                                duplicate_of: None,
                                photos: Vec::new(),
                            };
                            let before = crate::store::report(conn, id)?
                                .map(|r| r.report.status.as_str().to_owned());
                            match crate::store::change_status(conn, id, &update) {
                                Ok(_) => {
                                    staff::audit(
                                        conn,
                                        Some(&staff.id),
                                        "case.status",
                                        &rid,
                                        Some(&serde_json::json!({ "status": before }).to_string()),
                                        Some(
                                            &serde_json::json!({ "status": st.as_str(), "note": note, "bulk": true })
                                                .to_string(),
                                        ),
                                        now,
                                    )?;
                                    Ok(true)
                                }
                                Err(_) => Ok(false),
                            }
                        }
                        None => Ok(false),
                    },
                    "route" if !note.is_empty() => {
                        let known = unit.is_empty() || staff::units(conn)?.iter().any(|u| u.id == unit);
                        if known {
                            let tx = conn.transaction()?;
                            let asked = (!unit.is_empty()).then_some(unit.as_str());
                            let went = crate::routing::reroute(&tx, &rid, asked, &staff.id, &note, &crate::db::ts(now))?;
                            super::desk::touch(&tx, id)?;
                            staff::audit(
                                &tx,
                                Some(&staff.id),
                                "case.route",
                                &rid,
                                Some(&serde_json::json!({ "unit": owner }).to_string()),
                                Some(&serde_json::json!({ "unit": went, "asked": asked, "reason": note, "bulk": true }).to_string()),
                                now,
                            )?;
                            tx.commit()?;
                        }
                        Ok(known)
                    }
                    _ => Ok(false),
                };
                if ok? {
                    done += 1;
                } else {
                    refused += 1;
                }
            }
            Ok((done, refused))
        })
        .await?;
    let back = QueueQuery {
        done: Some(done),
        refused: Some(refused),
        ..back
    };
    let mut to = serde_urlencoded::to_string(&back).unwrap_or_default();
    if !to.is_empty() {
        to.push('&');
    }
    to.push_str(&format!("done={done}&refused={refused}"));
    Ok(Redirect::to(&format!("/console/?{to}")).into_response())
}
