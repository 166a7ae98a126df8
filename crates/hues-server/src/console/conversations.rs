//! Conversations from Zalo and Messenger at the contact centre: the list, one thread (texts,
//! photos as links to the platform's copy, shared locations), and what an agent does with it —
//! make a case of it (its shared location, else a place picked from the list), attach it to a
//! case, answer (sent now within the platform's window; the page says when it is closed). The
//! citizen is a pseudonym here; their platform id never reaches a page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{local_time, page, refusal, status_text};
use super::{Nav, Signed, Tr};
use crate::AppState;
use crate::channels;
use crate::error::Fail;
use crate::staff;

pub struct Line {
    pub id: String,
    pub who: String,
    pub last: String,
    pub summary: String,
    pub case: Option<(String, String)>,
    pub window: String,
}

fn who(tr: Tr, channel: &str, identity: &str) -> String {
    tr.t2(
        "conv-who",
        "channel",
        tr.t(&format!("channel-{channel}")),
        "id",
        identity
            .chars()
            .filter(|c| *c != '-')
            .skip(8)
            .take(8)
            .collect::<String>(),
    )
}

/// (id, channel, identity, last inbound, case, last words)
type ListRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

#[derive(Template)]
#[template(path = "console/conversations.html")]
struct ListPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    lines: Vec<Line>,
}

pub async fn list(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    let tr = s.tr;
    let now = Utc::now();
    let rows: Vec<ListRow> = state
        .db
        .read(|c| {
            Ok(c.prepare_cached(
                "SELECT v.id, v.channel, v.identity_id, v.last_inbound, v.report_id,
                        (SELECT coalesce(m.text, m.kind) FROM channel_messages m
                         WHERE m.conversation_id = v.id ORDER BY m.sent_at DESC LIMIT 1)
                 FROM conversations v ORDER BY v.last_inbound DESC LIMIT 300",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?)
        })
        .await?;
    let lines = rows
        .into_iter()
        .map(|(id, channel, identity, last, case, summary)| {
            let open = chrono::DateTime::parse_from_rfc3339(&last)
                .is_ok_and(|t| now - t.with_timezone(&Utc) <= channels::reply_window(&channel));
            Line {
                who: who(tr, &channel, &identity),
                last: local_time(&last),
                summary: summary.unwrap_or_default().chars().take(120).collect(),
                case: case.map(|c| (c.chars().take(8).collect(), c)),
                window: tr.t(if open {
                    "conv-window-open"
                } else {
                    "conv-window-closed"
                }),
                id,
            }
        })
        .collect();
    Ok(page(ListPage {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        lines,
    }))
}

pub struct Message {
    pub at: String,
    pub inbound: bool,
    pub text: Option<String>,
    pub url: Option<String>,
    pub location: Option<String>,
}

pub struct Sent {
    pub at: String,
    pub text: String,
    pub state: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "console/conversation.html")]
struct ThreadPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    id: String,
    person: String,
    channel: String,
    messages: Vec<Message>,
    outbox: Vec<Sent>,
    case: Option<(String, String, String)>,
    open: bool,
    draft: String,
    /// The citizen's latest shared location, written out.
    location: Option<String>,
    categories: Vec<(String, String)>,
    places: Vec<(String, String)>,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ThreadQuery {
    #[serde(default)]
    done: String,
}

type Head = (String, String, Option<String>, Option<String>);
/// (sent at, direction, kind, text, url, latitude, longitude)
type MessageRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
);

async fn thread(
    state: &AppState,
    s: &Signed,
    id: String,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    let now = Utc::now();
    let found = state
        .db
        .read(move |c| {
            let head: Option<Head> = c
                .prepare_cached(
                    "SELECT v.channel, v.identity_id, v.report_id, r.status FROM conversations v
                     LEFT JOIN reports r ON r.id = v.report_id WHERE v.id = ?1",
                )?
                .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let Some(head) = head else { return Ok(None) };
            let messages: Vec<MessageRow> = c
                .prepare_cached(
                    "SELECT sent_at, direction, kind, text, url, latitude, longitude
                     FROM channel_messages WHERE conversation_id = ?1 ORDER BY sent_at, id",
                )?
                .query_map([&id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            let outbox: Vec<(String, String, String, Option<String>)> = c
                .prepare_cached(
                    "SELECT created_at, text, state, error FROM channel_outbox
                     WHERE conversation_id = ?1 ORDER BY id",
                )?
                .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            let open = channels::open_window(c, &id, now)?;
            let categories = crate::store::categories(c)?
                .into_iter()
                .map(|k| (k.code, if lang == "en" { k.name_en } else { k.name_vi }))
                .collect::<Vec<_>>();
            let places = super::pages::place_choices(c, lang)?;
            Ok(Some((id, head, messages, outbox, open, categories, places)))
        })
        .await?;
    let Some((id, (channel, identity, case, status), rows, outbox, open, categories, places)) =
        found
    else {
        return Ok(refusal(s, StatusCode::NOT_FOUND));
    };
    let location = rows
        .iter()
        .rev()
        .find_map(|m| m.5.zip(m.6))
        .map(|(a, b)| format!("{a:.5}, {b:.5}"));
    let draft = rows
        .iter()
        .filter(|m| m.1 == "in")
        .filter_map(|m| m.3.clone())
        .collect::<Vec<_>>()
        .join("\n");
    let messages = rows
        .into_iter()
        .map(|(at, dir, _, text, url, lat, lon)| Message {
            at: local_time(&at),
            inbound: dir == "in",
            text,
            url,
            location: lat.zip(lon).map(|(a, b)| format!("{a:.5}, {b:.5}")),
        })
        .collect();
    let outbox = outbox
        .into_iter()
        .map(|(at, text, st, err)| Sent {
            at: local_time(&at),
            text,
            state: tr.t(&format!("conv-out-{}", st.replace('_', "-"))),
            error: err.unwrap_or_default(),
        })
        .collect();
    Ok(page(ThreadPage {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        person: who(tr, &channel, &identity),
        channel: tr.t(&format!("channel-{channel}")),
        case: case.map(|c| {
            (
                c.chars().take(8).collect(),
                c,
                status.map(|st| status_text(tr, &st)).unwrap_or_default(),
            )
        }),
        id,
        messages,
        outbox,
        open,
        draft,
        location,
        categories,
        places,
        message,
        error,
    }))
}

pub async fn one(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, Fail> {
    let message = match q.done.as_str() {
        "sent" => Some(s.tr.t("conv-done-sent")),
        "outside_window" => Some(s.tr.t("conv-done-outside")),
        "failed" => Some(s.tr.t("conv-done-failed")),
        "linked" => Some(s.tr.t("conv-done-linked")),
        _ => None,
    };
    thread(&state, &s, id, message, None).await
}

#[derive(Deserialize)]
pub struct CaseForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    /// `shared`: the citizen's shared location; else a place's id.
    #[serde(default)]
    place: String,
}

/// `POST /console/conversations/{id}/case`: the conversation becomes a case of its channel.
pub async fn make_case(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<CaseForm>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    if form.description.trim().is_empty() {
        let mut res = thread(&state, &s, id, None, Some(tr.t("new-missing"))).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    crate::error::text(
        "description",
        &form.description,
        hues_wire::api::MAX_DESCRIPTION_CHARS,
    )?;
    let me = s.staff.id.clone();
    let conv = id.clone();
    let made = state
        .db
        .write(move |c| {
            let head: Option<(String, Option<String>)> = c
                .prepare_cached("SELECT channel, report_id FROM conversations WHERE id = ?1")?
                .query_row([&conv], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((channel, None)) = head else {
                return Err(Fail::not_found("conversation without a case"));
            };
            let (lat, lon, address) = if form.place == "shared" {
                let at: Option<(f64, f64)> = c
                    .prepare_cached(
                        "SELECT latitude, longitude FROM channel_messages WHERE conversation_id = ?1
                         AND kind = 'location' ORDER BY sent_at DESC LIMIT 1",
                    )?
                    .query_row([&conv], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let (lat, lon) = at.ok_or_else(|| Fail::not_found("shared location"))?;
                (lat, lon, None)
            } else {
                let p =
                    crate::store::place(c, &form.place)?.ok_or_else(|| Fail::not_found("place"))?;
                (p.latitude, p.longitude, Some(p.address))
            };
            let device = crate::store::channel_device(c, &channel)?;
            let report = Uuid::now_v7();
            let new = hues_wire::api::NewReport {
                id: report,
                category: form.category.clone(),
                description: form.description.trim().to_owned(),
                latitude: lat,
                longitude: lon,
                created_at: Utc::now(),
                attributes: Default::default(),
                photos: Vec::new(),
                place: hues_wire::api::ReportPlace {
                    address,
                    ..Default::default()
                },
            };
            crate::store::insert_report(c, device, &new)?;
            c.execute(
                "UPDATE reports SET channel = ?2 WHERE id = ?1",
                params![report.to_string(), channel],
            )?;
            channels::link(c, &conv, &report.to_string())?;
            // The photos stay on the platform: their links go to the case as a staff note
            // (never shown to the public), with the conversation's page.
            let photos: Vec<String> = c
                .prepare_cached(
                    "SELECT url FROM channel_messages WHERE conversation_id = ?1 AND kind = 'photo'
                     ORDER BY sent_at",
                )?
                .query_map([&conv], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut note = format!("/console/conversations/{conv}");
            for url in &photos {
                note.push('\n');
                note.push_str(url);
            }
            c.execute(
                "INSERT INTO case_notes (report_id, staff_id, at, text) VALUES (?1, ?2, ?3, ?4)",
                params![report.to_string(), me, crate::db::ts(Utc::now()), note],
            )?;
            staff::audit(
                c,
                Some(&me),
                "case.create",
                &report.to_string(),
                None,
                Some(&serde_json::json!({ "channel": channel, "conversation": conv }).to_string()),
                Utc::now(),
            )?;
            Ok(report)
        })
        .await;
    match made {
        Ok(report) => Ok(Redirect::to(&format!("/console/cases/{report}")).into_response()),
        Err(f) => {
            let reason = tr.t(&format!("error-{}", f.0.code.as_str()));
            let e = tr.t1("case-error", "reason", reason);
            let mut res = thread(&state, &s, id, None, Some(e)).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    case: String,
}

/// `POST /console/conversations/{id}/attach`: to an existing case (its number or id).
pub async fn attach(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<AttachForm>,
) -> Result<Response, Fail> {
    let wanted = form
        .case
        .trim()
        .trim_start_matches('#')
        .to_ascii_lowercase();
    let staff = s.staff.clone();
    let conv = id.clone();
    let linked = state
        .db
        .write(move |c| {
            if wanted.len() < 8 {
                return Ok(false);
            }
            // A case number is hexadecimal: nothing else may reach the query; exactly one
            // case must start with it.
            if !wanted.chars().all(|ch| ch.is_ascii_hexdigit() || ch == '-') {
                return Ok(false);
            }
            let found: Vec<(String, Option<String>)> = c
                .prepare_cached(
                    "SELECT id, unit_id FROM reports WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2",
                )?
                .query_map([&wanted], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            match found.as_slice() {
                [(report, unit)] if staff.can_change_case(unit.as_deref()) => {
                    if !channels::link(c, &conv, report)? {
                        return Ok(false);
                    }
                    staff::audit(
                        c,
                        Some(&staff.id),
                        "conversation.attach",
                        &conv,
                        None,
                        Some(report),
                        Utc::now(),
                    )?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
        .await?;
    if linked {
        return Ok(
            Redirect::to(&format!("/console/conversations/{id}?done=linked")).into_response(),
        );
    }
    let mut res = thread(&state, &s, id, None, Some(s.tr.t("conv-attach-unknown"))).await?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    text: String,
}

/// `POST /console/conversations/{id}/reply`: sent at once within the window.
pub async fn reply(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, Fail> {
    let text = form.text.trim().to_owned();
    if text.is_empty() {
        let mut res = thread(&state, &s, id, None, Some(s.tr.t("reply-text-missing"))).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    crate::error::text("text", &text, 2000)?;
    let me = s.staff.id.clone();
    let conv = id.clone();
    let queued = state
        .db
        .write(move |c| {
            let exists: Option<i64> = c
                .prepare_cached("SELECT 1 FROM conversations WHERE id = ?1")?
                .query_row([&conv], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                return Ok(None);
            }
            let out = channels::queue(c, &conv, &text, Some(&me), Utc::now())?;
            staff::audit(
                c,
                Some(&me),
                "conversation.reply",
                &conv,
                None,
                Some(&text),
                Utc::now(),
            )?;
            Ok(Some(out))
        })
        .await?;
    let Some(out) = queued else {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    };
    channels::deliver(&state).await?;
    let st: String = state
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT state FROM channel_outbox WHERE id = ?1",
                [out],
                |r| r.get(0),
            )?)
        })
        .await?;
    Ok(Redirect::to(&format!("/console/conversations/{id}?done={st}")).into_response())
}
