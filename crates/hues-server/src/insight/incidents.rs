//! Incidents: reports that are one problem (a hot alert promoted by a supervisor, with its
//! reports), answered once — a public reply on the incident becomes each report's reply, so
//! every reporter hears it in their app.

use hues_wire::api::{ReportStatus, StatusUpdate};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::error::Fail;

/// Makes an incident of a hot alert (or returns the one it already has).
pub fn promote(conn: &Connection, alert: &str, title: &str, by: &str) -> Result<String, Fail> {
    let existing: Option<Option<String>> = conn
        .prepare_cached("SELECT incident_id FROM hot_alerts WHERE id = ?1")?
        .query_row([alert], |r| r.get(0))
        .optional()?;
    let Some(existing) = existing else {
        return Err(Fail::not_found("hot alert"));
    };
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = Uuid::now_v7().to_string();
    let now = crate::db::ts(chrono::Utc::now());
    conn.prepare_cached(
        "INSERT INTO incidents (id, title, alert_id, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, title, alert, by, now])?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO incident_reports (incident_id, report_id)
         SELECT ?1, report_id FROM hot_alert_reports WHERE alert_id = ?2",
    )?
    .execute(params![id, alert])?;
    conn.prepare_cached("UPDATE hot_alerts SET incident_id = ?2 WHERE id = ?1")?
        .execute(params![alert, id])?;
    crate::staff::audit(
        conn,
        Some(by),
        "incident.create",
        &id,
        None,
        Some(&serde_json::json!({ "alert": alert, "title": title }).to_string()),
        chrono::Utc::now(),
    )?;
    Ok(id)
}

/// An incident's reports: (id, unit, status).
pub fn reports(
    conn: &Connection,
    incident: &str,
) -> Result<Vec<(String, Option<String>, String)>, Fail> {
    Ok(conn
        .prepare_cached(
            "SELECT r.id, r.unit_id, r.status FROM incident_reports i JOIN reports r
             ON r.id = i.report_id WHERE i.incident_id = ?1 ORDER BY r.received_at",
        )?
        .query_map([incident], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?)
}

/// The public reply to every report of the incident that `may_change` allows and that is not
/// finished; returns how many reports it reached.
pub fn reply(
    conn: &mut Connection,
    incident: &str,
    status: ReportStatus,
    note: &str,
    by: &str,
    may_change: &dyn Fn(Option<&str>) -> bool,
) -> Result<usize, Fail> {
    let mut reached = 0;
    for (id, unit, current) in reports(conn, incident)? {
        if !may_change(unit.as_deref())
            || matches!(current.as_str(), "resolved" | "rejected" | "duplicate")
        {
            continue;
        }
        let Ok(rid) = Uuid::parse_str(&id) else {
            continue;
        };
        crate::store::change_status(
            conn,
            rid,
            &StatusUpdate {
                status,
                note: note.to_owned(),
                unit: None,
                duplicate_of: None,
                photos: Vec::new(),
            },
        )?;
        reached += 1;
    }
    crate::staff::audit(
        conn,
        Some(by),
        "incident.reply",
        incident,
        None,
        Some(
            &serde_json::json!({ "status": status.as_str(), "note": note, "reached": reached })
                .to_string(),
        ),
        chrono::Utc::now(),
    )?;
    Ok(reached)
}
