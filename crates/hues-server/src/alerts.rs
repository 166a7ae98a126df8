//! Warnings: operators post CAP 1.2 XML; hues checks it, keeps it, lets an `Update` or `Cancel`
//! supersede what it references, sends it to every device through sync, and publishes it (the
//! CAP XML per alert, and an Atom feed of them).

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

/// Largest CAP document accepted.
const MAX_CAP_BYTES: usize = 1024 * 1024;

/// Stores a checked alert and applies its references; returns whether it is new.
pub fn store_alert(conn: &mut Connection, root: &cap::Node) -> Result<(bool, AlertRecord), Fail> {
    let s = cap::summary(root);
    let xml = cap::to_xml(root);
    let tx = conn.transaction()?;
    let existing: Option<(String, String, String)> = tx
        .query_row(
            "SELECT sender, xml, state FROM alerts WHERE identifier = ?1",
            [&s.identifier],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((sender, old, state)) = existing {
        return if sender == s.sender && old == xml {
            Ok((false, cap::record(root, &state)))
        } else {
            Err(Fail::new(
                ErrorCode::IdConflict,
                "another alert was already posted with this identifier",
            ))
        };
    }
    tx.execute(
        "INSERT INTO alerts (identifier, sender, sent, msg_type, xml, state, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6)",
        params![
            s.identifier,
            s.sender,
            s.sent,
            s.msg_type,
            xml,
            crate::store::ts(Utc::now())
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
    Ok((true, cap::record(root, "active")))
}

/// An alert as the app needs it, from what is stored.
pub fn alert_record(conn: &Connection, identifier: &str) -> Result<Option<AlertRecord>, Fail> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT xml, state FROM alerts WHERE identifier = ?1",
            [identifier],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((xml, state)) = row else {
        return Ok(None);
    };
    let root = cap::parse_tree(&xml).map_err(|e| Fail::internal(format!("stored alert: {e}")))?;
    Ok(Some(cap::record(&root, &state)))
}

/// Operator: post a CAP 1.2 alert (also `Update` and `Cancel` messages).
#[utoipa::path(post, path = "/api/v1/alerts", tag = "operator",
    security(("operator" = [])),
    request_body(content = String, content_type = "application/cap+xml", description = "a CAP 1.2 alert"),
    responses((status = 201, body = AlertRecord), (status = 200, description = "the same alert again", body = AlertRecord),
        (status = 400, description = "not CAP 1.2: the message names the element's path", body = hues_wire::ApiError),
        (status = 401, body = hues_wire::ApiError), (status = 403, body = hues_wire::ApiError),
        (status = 409, body = hues_wire::ApiError), (status = 413, body = hues_wire::ApiError)))]
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
    let text = std::str::from_utf8(&body)
        .map_err(|_| Fail::new(ErrorCode::InvalidCap, "alert: not UTF-8 text"))?;
    let root = cap::parse_tree(text)
        .and_then(|root| cap::validate(&root).map(|()| root))
        .map_err(|e| Fail::new(ErrorCode::InvalidCap, e.to_string()))?;
    let (new, record) = state.db.run(move |c| store_alert(c, &root)).await?;
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
                "SELECT xml FROM alerts WHERE identifier = ?1",
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
    // One trip to the database for the whole feed.
    let rows: Vec<(AlertRecord, String)> = state
        .db
        .run(|c| {
            let mut stmt = c.prepare(
                "SELECT identifier, received_at FROM alerts ORDER BY received_at DESC LIMIT 200",
            )?;
            let ids = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for (id, received) in ids {
                if let Some(r) = alert_record(c, &id)? {
                    out.push((r, received));
                }
            }
            Ok(out)
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
