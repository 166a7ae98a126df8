//! Warnings: operators post CAP 1.2 XML; hues checks it (on a blocking thread), keeps it with the
//! `AlertRecord` the feeds need, lets an `Update` or `Cancel` supersede what it references, sends
//! it to every device through sync, and publishes it (the CAP XML per alert, and an Atom feed of
//! them). Only `Public` alerts are taken.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use hues_wire::ErrorCode;
use hues_wire::api::AlertRecord;
use rusqlite::{Connection, OptionalExtension, params};

use crate::AppState;
use crate::cap;
use crate::error::{ApiResult, Fail};
use crate::extract::{Operator, Path};

use crate::MAX_CAP_BYTES;

/// A posted alert, checked and prepared: what is stored and what is answered.
pub struct Prepared {
    summary: cap::Summary,
    /// The document as hues writes it back (kept for `GET /api/v1/alerts/{id}.xml`).
    xml: String,
    /// What the feeds need, with the state `active`.
    record: AlertRecord,
}

/// Reads, checks and prepares a posted document: CPU work on untrusted input, so `post_alert`
/// runs it on a blocking thread, never on the async workers.
pub fn prepare(body: &[u8]) -> Result<Prepared, Fail> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Fail::new(ErrorCode::InvalidCap, "alert: not UTF-8 text"))?;
    let root = cap::parse_tree(text)
        .and_then(|root| cap::validate(&root).map(|()| root))
        .map_err(|e| Fail::new(ErrorCode::InvalidCap, e.to_string()))?;
    // Only Public alerts are accepted. hues has no way to deliver to a restricted audience or to
    // a list of addresses: whatever it stores reaches every device through sync and everyone
    // through the Atom feed and the XML route. Refusing (rather than storing it unpublished)
    // tells the operator at once that hues cannot deliver it, and keeps no address lists.
    let scope = root.text_of("scope").unwrap_or_default();
    if scope != "Public" {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            format!(
                "alert/scope: {scope:?} alerts are not accepted: hues sends every alert to every device and publishes it, so it takes only Public ones"
            ),
        ));
    }
    Ok(Prepared {
        summary: cap::summary(&root),
        xml: cap::to_xml(&root),
        record: cap::record(&root, "active"),
    })
}

fn record_json(record: &AlertRecord) -> Result<String, Fail> {
    serde_json::to_string(record).map_err(Fail::internal)
}

/// Stores a prepared alert and applies its references; returns whether it is new.
pub fn store_alert(conn: &mut Connection, p: &Prepared) -> Result<(bool, AlertRecord), Fail> {
    let s = &p.summary;
    let tx = conn.transaction()?;
    let existing: Option<(String, String, String)> = tx
        .query_row(
            "SELECT sender, xml, state FROM alerts WHERE identifier = ?1",
            [&s.identifier],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((sender, old, state)) = existing {
        return if sender == s.sender && old == p.xml {
            Ok((
                false,
                AlertRecord {
                    state,
                    ..p.record.clone()
                },
            ))
        } else {
            Err(Fail::new(
                ErrorCode::IdConflict,
                "another alert was already posted with this identifier",
            ))
        };
    }
    tx.execute(
        "INSERT INTO alerts (identifier, sender, sent, msg_type, xml, state, received_at, record, published)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, 1)",
        params![
            s.identifier,
            s.sender,
            s.sent,
            s.msg_type,
            p.xml,
            crate::store::ts(Utc::now()),
            record_json(&p.record)?,
        ],
    )?;
    crate::store::touch_public(&tx, "alert", &s.identifier)?;
    let superseded = match s.msg_type.as_str() {
        "Update" => Some("updated"),
        "Cancel" => Some("cancelled"),
        _ => None,
    };
    if let Some(state) = superseded {
        for (sender, identifier, _sent) in &s.references {
            let n = tx.execute(
                "UPDATE alerts SET state = ?3 WHERE identifier = ?1 AND sender = ?2",
                params![identifier, sender, state],
            )?;
            if n > 0 {
                crate::store::touch_public(&tx, "alert", identifier)?;
            }
        }
    }
    tx.commit()?;
    Ok((true, p.record.clone()))
}

/// Fills `record` and `published` for the alerts stored before they existed (migration 0012),
/// from their XML: once, at start-up, before serving. An alert that is not Public, or whose XML
/// the parser's caps now refuse, is kept but never published (logged). Returns how many were
/// filled.
pub fn fill_records(conn: &mut Connection) -> Result<usize, Fail> {
    let tx = conn.transaction()?;
    let pending: Vec<(String, String)> = tx
        .prepare("SELECT identifier, xml FROM alerts WHERE published IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (identifier, xml) in &pending {
        let root = cap::parse_tree(xml).and_then(|root| cap::validate(&root).map(|()| root));
        let record = match root {
            Ok(root) if root.text_of("scope") == Some("Public") => {
                Some(record_json(&cap::record(&root, "active"))?)
            }
            Ok(root) => {
                tracing::warn!(
                    alert = %identifier,
                    scope = root.text_of("scope").unwrap_or_default(),
                    "stored alert is not Public: kept, no longer published"
                );
                None
            }
            Err(e) => {
                tracing::warn!(alert = %identifier, error = %e, "stored alert no longer parses: kept, no longer published");
                None
            }
        };
        tx.execute(
            "UPDATE alerts SET record = ?2, published = ?3 WHERE identifier = ?1",
            params![identifier, record, record.is_some()],
        )?;
    }
    tx.commit()?;
    Ok(pending.len())
}

fn stored_record(json: &str, state: String) -> Result<AlertRecord, Fail> {
    let record: AlertRecord = serde_json::from_str(json).map_err(Fail::internal)?;
    Ok(AlertRecord { state, ..record })
}

/// Whether an alert with this identifier is stored (published or not).
pub fn is_stored(conn: &Connection, identifier: &str) -> Result<bool, Fail> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM alerts WHERE identifier = ?1",
            [identifier],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A published alert as the app needs it, from the record kept when it was posted (no XML is
/// parsed here: this runs for every alert of every sync page). `None` for an unknown or an
/// unpublished alert.
pub fn alert_record(conn: &Connection, identifier: &str) -> Result<Option<AlertRecord>, Fail> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT record, state FROM alerts
             WHERE identifier = ?1 AND published = 1 AND record IS NOT NULL",
        )?
        .query_row([identifier], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(json, state)| stored_record(&json, state))
        .transpose()
}

/// Operator: post a CAP 1.2 alert (also `Update` and `Cancel` messages). Only `Public` alerts
/// are accepted.
#[utoipa::path(post, path = "/api/v1/alerts", tag = "operator",
    security(("operator" = [])),
    request_body(content = String, content_type = "application/cap+xml", description = "a CAP 1.2 alert"),
    responses((status = 201, body = AlertRecord), (status = 200, description = "the same alert again", body = AlertRecord),
        (status = 400, description = "not CAP 1.2, or over one of the parser's caps (depth 16, 10,000 elements, 32 attributes on an element, 32 namespace declarations): the message names the element's path and the cap", body = hues_wire::ApiError),
        (status = 401, body = hues_wire::ApiError), (status = 403, body = hues_wire::ApiError),
        (status = 409, body = hues_wire::ApiError), (status = 413, body = hues_wire::ApiError),
        (status = 422, description = "a Restricted or Private alert: hues publishes every alert it takes", body = hues_wire::ApiError)))]
pub async fn post_alert(
    State(state): State<AppState>,
    _op: Operator,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<AlertRecord>)> {
    if body.len() > MAX_CAP_BYTES {
        return Err(Fail::new(
            ErrorCode::PayloadTooLarge,
            "a CAP document is at most 1 MB",
        ));
    }
    let prepared = tokio::task::spawn_blocking(move || prepare(&body))
        .await
        .map_err(Fail::internal)??;
    let (new, record) = state.db.run(move |c| store_alert(c, &prepared)).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(record)))
}

/// One alert as CAP 1.2 XML.
#[utoipa::path(get, path = "/api/v1/alerts/{file}", tag = "public",
    params(("file" = String, Path, description = "the alert's identifier followed by .xml")),
    responses((status = 200, description = "the CAP 1.2 document", content_type = "application/cap+xml"),
        (status = 404, body = hues_wire::ApiError)))]
pub async fn get_alert_xml(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let Some(identifier) = file.strip_suffix(".xml").map(str::to_owned) else {
        return Err(Fail::not_found("alert"));
    };
    let xml: Option<String> = state
        .db
        .run(move |c| {
            Ok(c.query_row(
                "SELECT xml FROM alerts WHERE identifier = ?1 AND published = 1",
                [identifier],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await?;
    let xml = xml.ok_or_else(|| Fail::not_found("alert"))?;
    Ok((
        [(header::CONTENT_TYPE, "application/cap+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The public feed: an Atom entry per alert, newest first, linking its CAP XML.
#[utoipa::path(get, path = "/api/v1/alerts.atom", tag = "public",
    responses((status = 200, description = "Atom 1.0 feed", content_type = "application/atom+xml")))]
pub async fn alerts_atom(State(state): State<AppState>) -> ApiResult<Response> {
    // One query for the whole feed, from the records kept at posting (no XML parsed).
    let rows: Vec<(AlertRecord, String)> = state
        .db
        .run(|c| {
            let mut stmt = c.prepare(
                "SELECT record, state, received_at FROM alerts
                 WHERE published = 1 AND record IS NOT NULL
                 ORDER BY received_at DESC LIMIT 200",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(json, st, received)| Ok((stored_record(&json, st)?, received)))
                .collect()
        })
        .await?;
    let mut entries = String::new();
    let updated = rows
        .first()
        .map_or_else(|| crate::store::ts(Utc::now()), |(_, t)| t.clone());
    for (r, received) in &rows {
        let (identifier, st) = (&r.identifier, &r.state);
        let info = r.infos.first().cloned().unwrap_or_default();
        let title = if info.headline.is_empty() {
            info.event.clone()
        } else {
            info.headline.clone()
        };
        entries.push_str(&format!(
            "  <entry>\n    <id>urn:hues:alert:{id}</id>\n    <title>{title}</title>\n    <updated>{updated}</updated>\n    <author><name>{sender}</name></author>\n    <summary>{summary}</summary>\n    <category term=\"{state}\"/>\n    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"/api/v1/alerts/{href}.xml\"/>\n  </entry>\n",
            id = esc(identifier),
            title = esc(&title),
            updated = esc(received),
            sender = esc(&r.sender),
            summary = esc(&format!("{} · {} · {}", info.severity, info.urgency, info.certainty)),
            state = esc(st),
            href = esc(identifier),
        ));
    }
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>urn:hues:alerts</id>\n  <title>hues · Huế warnings</title>\n  <updated>{}</updated>\n  <link rel=\"self\" href=\"/api/v1/alerts.atom\"/>\n{entries}</feed>\n",
        esc(&updated)
    );
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed,
    )
        .into_response())
}
