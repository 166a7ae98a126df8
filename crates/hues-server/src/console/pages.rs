//! The console's pages: sign-in (password, then the second factor), the queue, a case with its
//! status change, the audit log.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hues_wire::api::{ReportStatus, StatusUpdate};
use rusqlite::params;
use serde::Deserialize;
use uuid::Uuid;

use super::desk::{DeskView, Draft, Preview};
use super::{COOKIE, LANG_COOKIE, NotSigned, Signed, Tr, cookie, now_unix, session_cookie};
use crate::AppState;
use crate::error::Fail;
use crate::limits::ClientAddr;
use crate::staff::{self, Role, Stage};

pub(super) fn page(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Fail::internal(e).into_response(),
    }
}

fn with_cookie(mut res: Response, value: &str) -> Response {
    if let Ok(v) = value.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct Message {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    title: &'static str,
    text: &'static str,
}

/// A page that says "not allowed" (403) or "not found, or not yours" (404).
pub(super) fn refusal(s: &Signed, status: StatusCode) -> Response {
    let (title, text) = if status == StatusCode::FORBIDDEN {
        ("forbidden-title", "forbidden-text")
    } else {
        ("not-found-title", "not-found-text")
    };
    let mut res = page(Message {
        tr: s.tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        title,
        text,
    });
    *res.status_mut() = status;
    res
}

// ---- signing in -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/login.html")]
struct Login {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    error: Option<&'static str>,
    username: String,
}

pub async fn login_form(headers: HeaderMap) -> Response {
    page(Login {
        tr: super::tr_of(&headers),
        who: None,
        nav: super::Nav::default(),
        error: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, Fail> {
    let tr = super::tr_of(&headers);
    let username = form.username.trim().to_owned();
    let keys = vec![format!("user:{username}"), format!("addr:{}", addr.key())];
    let now = now_unix();
    let again = |error: &'static str, status: StatusCode| {
        let mut res = page(Login {
            tr,
            who: None,
            nav: super::Nav::default(),
            error: Some(error),
            username: username.clone(),
        });
        *res.status_mut() = status;
        res
    };
    let (k, u) = (keys.clone(), username.clone());
    let (blocked, found) = state
        .db
        .read(move |conn| {
            Ok((
                staff::login_blocked(conn, &k, now)?,
                staff::credentials(conn, &u)?,
            ))
        })
        .await?;
    if blocked {
        return Ok(again("login-blocked", StatusCode::TOO_MANY_REQUESTS));
    }
    // Argon2id takes tens of milliseconds: off the async threads and the database's. An
    // unknown name is checked against a dummy hash, so both answers take as long.
    let password = form.password;
    let stored = found.as_ref().map(|(_, h, _)| h.clone());
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(h) => staff::verify_password(&h, &password),
        None => {
            let _ = staff::verify_password(dummy_hash(), &password);
            false
        }
    })
    .await
    .map_err(Fail::internal)?;
    let Some((id, _, _)) = found.filter(|_| ok) else {
        state
            .db
            .write(move |conn| staff::record_login_failure(conn, &keys, now))
            .await?;
        return Ok(again("login-failed", StatusCode::UNAUTHORIZED));
    };
    let old = cookie(&headers, COOKIE).map(str::to_owned);
    let session = state
        .db
        .write(move |conn| {
            if let Some(old) = old {
                staff::end_session(conn, &old)?;
            }
            let who = staff::staff_by_id(conn, &id)?.ok_or_else(|| Fail::not_found("staff"))?;
            let stage = if who.needs_second_factor() {
                Stage::Password
            } else {
                staff::audit(
                    conn,
                    Some(&id),
                    "login",
                    &who.username,
                    None,
                    None,
                    chrono::Utc::now(),
                )?;
                Stage::Full
            };
            Ok((staff::start_session(conn, &id, stage, now)?, stage))
        })
        .await?;
    let to = match session.1 {
        Stage::Password => "/console/totp",
        Stage::Full => "/console/",
    };
    Ok(with_cookie(
        Redirect::to(to).into_response(),
        &session_cookie(Some(&session.0)),
    ))
}

/// A valid Argon2id hash of nothing anyone knows, to spend the same time on unknown names.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        staff::hash_password(&crate::auth::new_token()).unwrap_or_default()
    });
    &HASH
}

#[derive(Template)]
#[template(path = "console/totp.html")]
struct Totp {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    error: Option<&'static str>,
}

pub async fn totp_form(headers: HeaderMap) -> Response {
    page(Totp {
        tr: super::tr_of(&headers),
        who: None,
        nav: super::Nav::default(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct TotpForm {
    code: String,
}

pub async fn totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TotpForm>,
) -> Result<Response, NotSigned> {
    let tr = super::tr_of(&headers);
    let Some(value) = cookie(&headers, COOKIE).map(str::to_owned) else {
        return Err(NotSigned::Login);
    };
    let now = now_unix();
    let unix = u64::try_from(now).unwrap_or_default();
    let outcome = state
        .db
        .write(move |conn| {
            let Some((id, Stage::Password)) = staff::session(conn, &value, now)? else {
                return Ok(None);
            };
            let username = staff::staff_by_id(conn, &id)?
                .map(|s| s.username)
                .unwrap_or_default();
            let keys = [format!("user:{username}")];
            if staff::login_blocked(conn, &keys, now)? {
                return Ok(Some(Err("login-blocked")));
            }
            if !staff::spend_totp(conn, &id, &form.code, unix)? {
                staff::record_login_failure(conn, &keys, now)?;
                return Ok(Some(Err("totp-failed")));
            }
            staff::audit(
                conn,
                Some(&id),
                "login",
                &username,
                None,
                None,
                chrono::Utc::now(),
            )?;
            // A new session id now that both factors are given.
            Ok(staff::rotate_session(conn, &value, Stage::Full, now)?.map(Ok))
        })
        .await?;
    match outcome {
        None => Err(NotSigned::Login),
        Some(Err(error)) => {
            let mut res = page(Totp {
                tr,
                who: None,
                nav: super::Nav::default(),
                error: Some(error),
            });
            *res.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(res)
        }
        Some(Ok(new)) => Ok(with_cookie(
            Redirect::to("/console/").into_response(),
            &session_cookie(Some(&new)),
        )),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Fail> {
    if let Some(value) = cookie(&headers, COOKIE).map(str::to_owned) {
        let now = now_unix();
        state
            .db
            .write(move |conn| {
                if let Some((id, _)) = staff::session(conn, &value, now)? {
                    staff::audit(
                        conn,
                        Some(&id),
                        "logout",
                        &id,
                        None,
                        None,
                        chrono::Utc::now(),
                    )?;
                    // Whoever signs out holds no case any more.
                    super::desk::release_locks(conn, &id, None)?;
                }
                staff::end_session(conn, &value)
            })
            .await?;
    }
    Ok(with_cookie(
        Redirect::to("/console/login").into_response(),
        &session_cookie(None),
    ))
}

pub async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = Tr::new(&lang).lang;
    // Back where the person was, if that was the console.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("/console").map(|i| r[i..].to_owned()))
        .unwrap_or_else(|| "/console/".to_owned());
    with_cookie(
        Redirect::to(&back).into_response(),
        &format!("{LANG_COOKIE}={lang}; Path=/console; SameSite=Strict; Max-Age=31536000"),
    )
}

/// The console's own stylesheet and script (built in), and the browser libraries bundled by
/// `./x` (htmx and its SSE extension, Leaflet with marker clustering): never from a CDN.
pub async fn static_file(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let own = match file.as_str() {
        "console.css" => Some((
            "text/css",
            include_str!("../../templates/console/console.css"),
        )),
        "console.js" => Some((
            "text/javascript",
            include_str!("../../templates/console/console.js"),
        )),
        _ => None,
    };
    if let Some((mime, body)) = own {
        return (
            [(header::CONTENT_TYPE, format!("{mime}; charset=utf-8"))],
            body,
        )
            .into_response();
    }
    let vendored = match file.as_str() {
        "htmx.min.js" => Some(("htmx/htmx.min.js", "text/javascript")),
        "htmx-sse.js" => Some(("htmx/sse.js", "text/javascript")),
        "leaflet.js" => Some(("leaflet/leaflet.js", "text/javascript")),
        "leaflet.css" => Some(("leaflet/leaflet.css", "text/css")),
        "leaflet.markercluster.js" => {
            Some(("markercluster/leaflet.markercluster.js", "text/javascript"))
        }
        "MarkerCluster.css" => Some(("markercluster/MarkerCluster.css", "text/css")),
        "MarkerCluster.Default.css" => {
            Some(("markercluster/MarkerCluster.Default.css", "text/css"))
        }
        _ => None,
    };
    let (Some((rel, mime)), Some(dir)) = (vendored, state.vendor_dir.clone()) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let read = tokio::task::spawn_blocking(move || std::fs::read(dir.join(rel))).await;
    match read {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, format!("{mime}; charset=utf-8")),
                (header::CACHE_CONTROL, "max-age=86400".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// A stored time (RFC 3339, UTC) as Huế reads it; as stored if it does not parse.
pub(super) fn local_time(stored: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stored).map_or_else(
        |_| stored.to_owned(),
        |t| hues_wire::time::format_local(t.with_timezone(&chrono::Utc)),
    )
}

pub(super) fn status_text(tr: Tr, status: &str) -> String {
    tr.t(&format!("status-{status}"))
}

/// A case's deadline in words, with its tier's symbol and name: (tier, text).
pub(super) fn due_text(tr: Tr, c: &hues_wire::sla::Clock) -> (String, String) {
    use hues_wire::sla::Stage;
    let what = match c.stage {
        Stage::Acknowledge => tr.t1("due-ack", "time", hues_wire::time::format_local(c.ack_due)),
        Stage::Resolve => tr.t1("due-resolve", "date", c.resolve_due.format("%d/%m/%Y")),
        Stage::Done => tr.t("due-done"),
    };
    let tier = tr.t(&format!(
        "dossier-flag-{}",
        c.flag.as_str().replace('_', "-")
    ));
    (
        c.flag.as_str().to_owned(),
        format!("{} {tier} · {what}", c.flag.symbol()),
    )
}

pub(super) fn statuses(tr: Tr) -> Vec<(String, String)> {
    ReportStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), status_text(tr, s.as_str())))
        .collect()
}

// ---- a case ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/case.html")]
struct Case {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    id: String,
    short_id: String,
    category: String,
    status: String,
    status_text: String,
    unit: String,
    received_local: String,
    address: String,
    position: String,
    lat: f64,
    lon: f64,
    description: String,
    history: Vec<(String, String, String)>,
    ward: String,
    routing: Vec<(String, String)>,
    due_flag: String,
    due: String,
    answers: Vec<(String, String)>,
    channel: String,
    contact: String,
    /// (number, shown photo, its original when staff redacted it).
    photos: Vec<(usize, String, Option<String>)>,
    notes: Vec<(String, String, String)>,
    can_change: bool,
    units: Vec<(String, String)>,
    message: Option<String>,
    error: Option<String>,
    desk: DeskView,
    /// The resident's rating of the answer: (choice in words, comment, local time).
    rating: Option<(String, String, String)>,
}

/// The unit that owns a report (`None`: not routed yet), or `None` for no such report.
pub(super) async fn owner_unit(state: &AppState, id: Uuid) -> Result<Option<Option<String>>, Fail> {
    state
        .db
        .read(move |conn| crate::store::report_unit(conn, id))
        .await
}

/// The case a request names, with its owner unit, if the staff member may read it (and, with
/// `change`, change it); else the page that says why: 404 for a case that is not theirs (another
/// unit's is not said to exist), 403 for a role that only reads.
async fn allowed_case(
    state: &AppState,
    s: &Signed,
    id: &str,
    change: bool,
) -> Result<Result<(Uuid, Option<String>), Response>, Fail> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Ok(Err(refusal(s, StatusCode::NOT_FOUND)));
    };
    let Some(owner) = owner_unit(state, id).await? else {
        return Ok(Err(refusal(s, StatusCode::NOT_FOUND)));
    };
    if !s.staff.can_read_case(owner.as_deref()) {
        return Ok(Err(refusal(s, StatusCode::NOT_FOUND)));
    }
    if change && !s.staff.can_change_case(owner.as_deref()) {
        return Ok(Err(refusal(s, StatusCode::FORBIDDEN)));
    }
    Ok(Ok((id, owner)))
}

pub(super) async fn case_page(
    state: &AppState,
    s: &Signed,
    id: Uuid,
    message: Option<String>,
    error: Option<String>,
    draft: Draft,
    preview: Option<Preview>,
) -> Result<Response, Fail> {
    let Some(unit_id) = owner_unit(state, id).await? else {
        return Ok(refusal(s, StatusCode::NOT_FOUND));
    };
    if !s.staff.can_read_case(unit_id.as_deref()) {
        // Another unit's case is not said to exist.
        return Ok(refusal(s, StatusCode::NOT_FOUND));
    }
    let tr = s.tr;
    let lang = tr.lang;
    let owner = unit_id.clone();
    let (
        report,
        unit_name,
        category,
        units,
        ward,
        routing,
        clock,
        answers,
        notes,
        (channel, contact),
        originals,
    ) = state
        .db
        .read(move |conn| {
            let rid = id.to_string();
            let ward_code: Option<String> =
                conn.query_row("SELECT ward_code FROM reports WHERE id = ?1", [&rid], |r| {
                    r.get(0)
                })?;
            let events = crate::routing::history(conn, &rid)?;
            let targets = crate::sla::all_targets(conn)?;
            let notes = case_notes(conn, &rid)?;
            let originals = super::redact::redacted(conn, &rid)?;
            // Who to call back: the caller the contact centre wrote down, else the number of
            // the app account the report came from (shown by the same rule).
            let account_holder = crate::i18n::Tr::new(lang).t("case-app-account");
            let (channel, contact): (String, Option<(String, String)>) = conn.query_row(
                "SELECT r.channel, coalesce(c.phone, a.phone), c.name FROM reports r
                 LEFT JOIN case_contacts c ON c.report_id = r.id
                 LEFT JOIN account_devices d ON d.device_id = r.device_id
                 LEFT JOIN accounts a ON a.id = d.account_id
                 WHERE r.id = ?1",
                [&rid],
                |r| {
                    let phone: Option<String> = r.get(1)?;
                    let name: Option<String> = r.get(2)?;
                    Ok((
                        r.get(0)?,
                        phone.map(|p| (name.unwrap_or_else(|| account_holder.clone()), p)),
                    ))
                },
            )?;
            let report = crate::store::report(conn, id)?
                .ok_or_else(|| Fail::not_found("report"))?
                .report;
            let units = staff::units(conn)?;
            let name_of = |uid: &str| {
                units
                    .iter()
                    .find(|u| u.id == uid)
                    .map(|u| u.name(lang).to_owned())
            };
            let unit_name = owner.as_deref().and_then(name_of);
            let cat = crate::store::categories(conn)?
                .into_iter()
                .find(|c| c.code == report.category);
            let answers = report
                .attributes
                .iter()
                .map(|(code, value)| {
                    let q = cat
                        .as_ref()
                        .and_then(|c| c.attributes.iter().find(|a| &a.code == code));
                    let question = q.map_or_else(
                        || code.clone(),
                        |a| {
                            if lang == "en" {
                                a.description_en.clone()
                            } else {
                                a.description_vi.clone()
                            }
                        },
                    );
                    let shown = |v: &str| {
                        q.and_then(|a| a.values.iter().find(|x| x.key == v))
                            .map_or_else(
                                || v.to_owned(),
                                |x| {
                                    if lang == "en" {
                                        x.name_en.clone()
                                    } else {
                                        x.name_vi.clone()
                                    }
                                },
                            )
                    };
                    // A multiple choice is its keys, comma-separated.
                    let answer = value
                        .split(',')
                        .map(|v| shown(v.trim()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (question, answer)
                })
                .collect::<Vec<_>>();
            let category = cat
                .map(|c| if lang == "en" { c.name_en } else { c.name_vi })
                .unwrap_or_else(|| report.category.clone());
            let choices = units
                .iter()
                .map(|u| (u.id.clone(), u.name(lang).to_owned()))
                .collect::<Vec<_>>();
            let ward = ward_code.and_then(|code| {
                units
                    .iter()
                    .find(|u| u.ward_code.as_deref() == Some(code.as_str()))
                    .map(|u| u.name(lang).to_owned())
            });
            let dispatchers = tr.t("case-dispatchers");
            let unit_text = |u: &Option<String>| {
                u.as_deref()
                    .and_then(name_of)
                    .unwrap_or_else(|| dispatchers.clone())
            };
            let routing = events
                .iter()
                .map(|e| {
                    let at = local_time(&e.at);
                    let to = unit_text(&e.to_unit);
                    let text = match (&e.by, e.reason.as_str()) {
                        (None, "rule") => format!("→ {to} ({})", tr.t("case-routing-rule")),
                        (None, _) => tr.t("case-routing-none"),
                        (Some(by), reason) => {
                            format!("{} → {to} · {by}: {reason}", unit_text(&e.from_unit))
                        }
                    };
                    (at, text)
                })
                .collect::<Vec<_>>();
            let clock = crate::sla::clock_of(
                conn,
                &targets,
                &rid,
                &report.category,
                report.received_at,
                chrono::Utc::now(),
            )?;
            Ok((
                report,
                unit_name,
                category,
                choices,
                ward,
                routing,
                clock,
                answers,
                notes,
                (channel, contact),
                originals,
            ))
        })
        .await?;
    let history = report
        .history
        .iter()
        .map(|h| {
            let mut text = status_text(tr, h.status.as_str());
            if let Some(u) = &h.unit {
                text = format!("{text} · {u}");
            }
            (hues_wire::time::format_local(h.at), text, h.note.clone())
        })
        .collect();
    let (due_flag, due) = due_text(tr, &clock);
    let id_text = id.to_string();
    let desk = super::desk::view(state, s, id, unit_id.clone(), draft, preview).await?;
    let rating = report.rating.as_ref().map(|r| {
        (
            tr.t(&format!("case-rating-{}", r.satisfaction.as_str())),
            r.comment.clone(),
            hues_wire::time::format_local(r.at),
        )
    });
    Ok(page(Case {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        short_id: id_text.chars().take(8).collect(),
        id: id_text,
        category,
        status: report.status.as_str().to_owned(),
        status_text: status_text(tr, report.status.as_str()),
        unit: unit_name.unwrap_or_else(|| tr.t("queue-unrouted")),
        received_local: hues_wire::time::format_local(report.received_at),
        address: report.place.address.clone().unwrap_or_default(),
        position: format!("{:.5}, {:.5}", report.latitude, report.longitude),
        lat: report.latitude,
        lon: report.longitude,
        description: report.description.clone(),
        history,
        ward: ward.unwrap_or_else(|| tr.t("case-ward-unknown")),
        routing,
        due_flag,
        due,
        answers,
        channel: tr.t(&format!("channel-{channel}")),
        // The caller's contact: to dispatchers and supervisors only (confidential, as in Hue-S).
        contact: match contact {
            Some((name, phone)) if sees_contacts(&s.staff) => format!("{name} · {phone}"),
            Some(_) => tr.t("case-contact-hidden"),
            None => "—".to_owned(),
        },
        photos: (1..)
            .zip(report.photos.iter())
            .map(|(n, sha)| {
                let original = originals
                    .iter()
                    .find(|(shown, _)| shown == sha)
                    .map(|(_, o)| o.clone());
                (n, sha.clone(), original)
            })
            .collect(),
        notes,
        can_change: s.staff.can_change_case(unit_id.as_deref()),
        units,
        message,
        error,
        desk,
        rating,
    }))
}

pub async fn case(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> Result<Response, Fail> {
    let Ok(id) = Uuid::parse_str(&id) else {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    };
    case_page(&state, &s, id, None, None, Draft::default(), None).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    note: String,
}

pub async fn case_status(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, Fail> {
    let (id, _) = match allowed_case(&state, &s, &id, true).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let tr = s.tr;
    let Some(status) = ReportStatus::ALL
        .iter()
        .copied()
        .find(|x| x.as_str() == form.status)
    else {
        let e = tr.t1("case-error", "reason", tr.t("error-invalid_value"));
        return case_page(&state, &s, id, None, Some(e), Draft::default(), None).await;
    };
    crate::error::text("note", &form.note, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    if let Some(res) = super::desk::held_by_other(&state, &s, id).await? {
        return Ok(res);
    }
    if state
        .db
        .read(move |c| super::desk::lacks_resolve_photo(c, id, status))
        .await?
    {
        let e = tr.t("reply-photo-required");
        return case_page(&state, &s, id, None, Some(e), Draft::default(), None).await;
    }
    let staff_id = s.staff.id.clone();
    let new_unit = form.unit.trim().to_owned();
    let done = state
        .db
        .run(move |conn| {
            let unit = if new_unit.is_empty() {
                None
            } else {
                let known = staff::units(conn)?.into_iter().find(|u| u.id == new_unit);
                Some(known.ok_or_else(|| Fail::not_found("unit"))?)
            };
            let before =
                crate::store::report(conn, id)?.map(|r| r.report.status.as_str().to_owned());
            let update = StatusUpdate {
                status,
                note: form.note.clone(),
                unit: unit.as_ref().map(|u| u.name_vi.clone()),
                duplicate_of: None,
                photos: Vec::new(),
            };
            let after = crate::store::change_status(conn, id, &update)?;
            if let (ReportStatus::Assigned, Some(u)) = (status, &unit) {
                // The new unit's people take it from here (as when it is passed on).
                conn.execute(
                    "UPDATE reports SET unit_id = ?2, assignee_id = NULL WHERE id = ?1",
                    params![id.to_string(), u.id],
                )?;
                conn.execute(
                    "DELETE FROM case_locks WHERE report_id = ?1",
                    [id.to_string()],
                )?;
            }
            let after_json = serde_json::json!({
                "status": after.status.as_str(),
                "unit": unit.as_ref().map(|u| u.id.clone()),
                "note": form.note,
            })
            .to_string();
            let before_json = serde_json::json!({ "status": before }).to_string();
            staff::audit(
                conn,
                Some(&staff_id),
                "case.status",
                &id.to_string(),
                Some(&before_json),
                Some(&after_json),
                chrono::Utc::now(),
            )?;
            Ok(())
        })
        .await;
    match done {
        Ok(()) => {
            case_page(
                &state,
                &s,
                id,
                Some(tr.t("case-saved")),
                None,
                Draft::default(),
                None,
            )
            .await
        }
        Err(f) => {
            let reason = tr.t(&format!("error-{}", f.0.code.as_str()));
            let e = tr.t1("case-error", "reason", reason);
            let mut res = case_page(&state, &s, id, None, Some(e), Draft::default(), None).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

/// Who may see a caller's phone: dispatchers and supervisors.
fn sees_contacts(staff: &staff::Staff) -> bool {
    [Role::Dispatcher, Role::UnitSupervisor, Role::CitySupervisor]
        .into_iter()
        .any(|r| staff.has(r))
}

/// The channels a case can come by.
/// The places a case can be filed at from the contact centre: (id, "name — address").
pub(super) fn place_choices(
    conn: &rusqlite::Connection,
    lang: &str,
) -> Result<Vec<(String, String)>, Fail> {
    let mut stmt = conn.prepare_cached("SELECT id FROM places ORDER BY rowid LIMIT 500")?;
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut places = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(p) = crate::store::place(conn, &id)? {
            let name = if lang == "en" { p.name_en } else { p.name_vi };
            places.push((p.id, format!("{name} — {}", p.address)));
        }
    }
    Ok(places)
}

pub const CHANNELS: [&str; 6] = ["app", "hotline", "walk_in", "email", "zalo", "messenger"];
/// The channels a person files a case for at the contact centre's form.
pub const CALL_CHANNELS: [&str; 3] = ["hotline", "walk_in", "email"];

#[derive(Template)]
#[template(path = "console/new.html")]
struct NewCase {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    error: Option<String>,
    channels: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    places: Vec<(String, String)>,
}

async fn new_case_page(
    state: &AppState,
    s: &Signed,
    error: Option<String>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    let (categories, places) = state
        .db
        .read(move |conn| {
            let categories = crate::store::categories(conn)?
                .into_iter()
                .map(|c| (c.code, if lang == "en" { c.name_en } else { c.name_vi }))
                .collect::<Vec<_>>();
            Ok((categories, place_choices(conn, lang)?))
        })
        .await?;
    let mut res = page(NewCase {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        channels: CALL_CHANNELS
            .iter()
            .map(|c| ((*c).to_owned(), tr.t(&format!("channel-{c}"))))
            .collect(),
        error: error.clone(),
        categories,
        places,
    });
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// The contact centre's form (dispatchers: they take the calls).
pub async fn new_case_form(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    if !s.staff.has(Role::Dispatcher) {
        return Ok(refusal(&s, StatusCode::FORBIDDEN));
    }
    new_case_page(&state, &s, None).await
}

#[derive(Deserialize)]
pub struct NewCaseForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    address: String,
}

/// Files a case for a caller: the same record as an app report (routed the same way), its
/// channel, and the caller's contact kept apart.
pub async fn new_case(
    State(state): State<AppState>,
    s: Signed,
    Form(form): Form<NewCaseForm>,
) -> Result<Response, Fail> {
    if !s.staff.has(Role::Dispatcher) {
        return Ok(refusal(&s, StatusCode::FORBIDDEN));
    }
    let tr = s.tr;
    let phone = form.phone.trim().to_owned();
    if form.description.trim().is_empty() || hues_wire::contacts::tel_uri(&phone).is_none() {
        return new_case_page(&state, &s, Some(tr.t("new-missing"))).await;
    }
    let channel = CALL_CHANNELS
        .iter()
        .find(|c| **c == form.channel)
        .copied()
        .unwrap_or("hotline");
    crate::error::text("name", &form.name, 200)?;
    crate::error::text("address", &form.address, 200)?;
    let staff_id = s.staff.id.clone();
    let id = Uuid::now_v7();
    let filed = state
        .db
        .write(move |conn| {
            let place = crate::store::place(conn, &form.place)?
                .ok_or_else(|| Fail::not_found("place"))?;
            // A case from the contact centre is a report of the channel's own sender.
            let device = crate::store::channel_device(conn, channel)?;
            let address = if form.address.trim().is_empty() {
                place.address.clone()
            } else {
                form.address.trim().to_owned()
            };
            let new = hues_wire::api::NewReport {
                id,
                category: form.category.clone(),
                description: form.description.trim().to_owned(),
                latitude: place.latitude,
                longitude: place.longitude,
                created_at: chrono::Utc::now(),
                attributes: Default::default(),
                photos: Vec::new(),
                place: hues_wire::api::ReportPlace {
                    address: Some(address),
                    ..Default::default()
                },
            };
            crate::store::insert_report(conn, device, &new)?;
            conn.execute(
                "UPDATE reports SET channel = ?2 WHERE id = ?1",
                params![id.to_string(), channel],
            )?;
            conn.execute(
                "INSERT INTO case_contacts (report_id, phone, name, staff_id) VALUES (?1, ?2, ?3, ?4)",
                params![id.to_string(), phone, form.name.trim(), staff_id],
            )?;
            // The caller's app shows it if they have an account with this number.
            crate::accounts::link_new_case(conn, id, &phone)?;
            let after =
                serde_json::json!({ "channel": channel, "category": new.category }).to_string();
            staff::audit(
                conn,
                Some(&staff_id),
                "case.create",
                &id.to_string(),
                None,
                Some(&after),
                chrono::Utc::now(),
            )
        })
        .await;
    match filed {
        Ok(()) => Ok(Redirect::to(&format!("/console/cases/{id}")).into_response()),
        Err(f) => {
            let reason = tr.t(&format!("error-{}", f.0.code.as_str()));
            new_case_page(&state, &s, Some(tr.t1("case-error", "reason", reason))).await
        }
    }
}

/// A case's internal notes: (when, who, text), oldest first.
fn case_notes(
    conn: &rusqlite::Connection,
    report: &str,
) -> Result<Vec<(String, String, String)>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.at, s.display_name, n.text FROM case_notes n JOIN staff s ON s.id = n.staff_id
         WHERE n.report_id = ?1 ORDER BY n.id",
    )?;
    let rows = stmt.query_map([report], |r| {
        let at: String = r.get(0)?;
        Ok((local_time(&at), r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    text: String,
}

/// Adds an internal note (staff only, never the resident).
pub async fn case_note(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, Fail> {
    let (id, _) = match allowed_case(&state, &s, &id, true).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let text = form.text.trim().to_owned();
    if text.is_empty() {
        let mut res = case_page(
            &state,
            &s,
            id,
            None,
            Some(s.tr.t("case-note-missing")),
            Draft::default(),
            None,
        )
        .await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    crate::error::text("text", &text, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    let staff_id = s.staff.id.clone();
    state
        .db
        .write(move |conn| {
            let now = chrono::Utc::now();
            conn.execute(
                "INSERT INTO case_notes (report_id, staff_id, at, text) VALUES (?1, ?2, ?3, ?4)",
                params![id.to_string(), staff_id, crate::db::ts(now), text],
            )?;
            let after = serde_json::json!({ "note": text }).to_string();
            staff::audit(
                conn,
                Some(&staff_id),
                "case.note",
                &id.to_string(),
                None,
                Some(&after),
                now,
            )
        })
        .await?;
    case_page(
        &state,
        &s,
        id,
        Some(s.tr.t("case-note-added")),
        None,
        Draft::default(),
        None,
    )
    .await
}

/// A photo of a case, full size, for staff who may read the case.
pub async fn case_photo(
    State(state): State<AppState>,
    s: Signed,
    Path((id, sha)): Path<(String, String)>,
) -> Result<Response, Fail> {
    let id = match allowed_case(&state, &s, &id, false).await? {
        Ok((id, _)) => id,
        Err(refused) => return Ok(refused),
    };
    if !crate::photos::is_sha256(&sha) {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    }
    let key = sha.clone();
    let of_case = state
        .db
        .read(move |conn| {
            let rid = id.to_string();
            let shown: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM report_photos WHERE report_id = ?1 AND sha256 = ?2)",
                params![rid, key],
                |r| r.get(0),
            )?;
            // A redacted photo's original: for staff only, and only here.
            Ok(shown || super::redact::is_original(conn, &rid, &key)?)
        })
        .await?;
    let store = state.photos.clone();
    let bytes = if of_case {
        tokio::task::spawn_blocking(move || store.read(&sha))
            .await
            .map_err(Fail::internal)?
    } else {
        None
    };
    Ok(match bytes {
        Some(b) => ([(header::CONTENT_TYPE, "image/jpeg")], b).into_response(),
        None => refusal(&s, StatusCode::NOT_FOUND),
    })
}

#[derive(Deserialize)]
pub struct RouteForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    reason: String,
}

/// Passes a case to another unit (or the dispatchers) with a reason.
pub async fn case_route(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Form(form): Form<RouteForm>,
) -> Result<Response, Fail> {
    let (id, owner) = match allowed_case(&state, &s, &id, true).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let tr = s.tr;
    let reason = form.reason.trim().to_owned();
    if reason.is_empty() {
        let mut res = case_page(
            &state,
            &s,
            id,
            None,
            Some(tr.t("case-reroute-reason-missing")),
            Draft::default(),
            None,
        )
        .await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    crate::error::text("reason", &reason, 1000)?;
    let to = form.unit.trim().to_owned();
    let staff_id = s.staff.id.clone();
    let went = state
        .db
        .write(move |conn| {
            if !to.is_empty() && !staff::units(conn)?.iter().any(|u| u.id == to) {
                return Err(Fail::not_found("unit"));
            }
            let now = crate::db::ts(chrono::Utc::now());
            let asked = (!to.is_empty()).then_some(to.as_str());
            let went =
                crate::routing::reroute(conn, &id.to_string(), asked, &staff_id, &reason, &now)?;
            super::desk::touch(conn, id)?;
            let before = serde_json::json!({ "unit": owner }).to_string();
            let after =
                serde_json::json!({ "unit": went, "asked": asked, "reason": reason }).to_string();
            staff::audit(
                conn,
                Some(&staff_id),
                "case.route",
                &id.to_string(),
                Some(&before),
                Some(&after),
                chrono::Utc::now(),
            )?;
            Ok((went, asked.map(str::to_owned)))
        })
        .await?;
    let message = if went.0.is_none() && went.1.is_some() {
        tr.t("case-rerouted-dispatch")
    } else {
        tr.t("case-rerouted")
    };
    // The case may now be another unit's: the page says so, or the queue does.
    if s.staff.can_read_case(went.0.as_deref()) {
        let page = case_page(&state, &s, id, Some(message), None, Draft::default(), None).await;
        // Passed on is let go of: showing the result does not keep the case locked.
        let (me, rid) = (s.staff.id.clone(), id.to_string());
        state
            .db
            .write(move |c| super::desk::release_locks(c, &me, Some(&rid)))
            .await?;
        page
    } else {
        Ok(Redirect::to("/console/").into_response())
    }
}

// ---- the audit log ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/audit.html")]
struct Audit {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    filter_user: String,
    filter_action: String,
    entries: Vec<staff::AuditEntry>,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
}

pub async fn audit(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<AuditQuery>,
) -> Result<Response, Fail> {
    if !s.staff.has(Role::Admin) {
        return Ok(refusal(&s, StatusCode::FORBIDDEN));
    }
    let (user, action) = (q.user.trim().to_owned(), q.action.trim().to_owned());
    let entries = state
        .db
        .read(move |conn| staff::audit_entries(conn, &user, &action, 500))
        .await?;
    Ok(page(Audit {
        tr: s.tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        filter_user: q.user,
        filter_action: q.action,
        entries,
    }))
}
