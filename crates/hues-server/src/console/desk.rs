//! A case at the desk: who holds it (claim, assign), its edit lock, acknowledging it, the reply
//! to the resident (from a template, previewed exactly as the app will show it, with photos of
//! the work; some categories cannot be resolved without one), and merging it into another case.

use axum::extract::{Form, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hues_wire::api::{ReportStatus, StatusUpdate};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{case_page, refusal, status_text};
use super::{Signed, Tr};
use crate::AppState;
use crate::error::Fail;
use crate::staff::{self, Role};

/// An edit lock lasts this long after the holder's last look or action.
pub const LOCK_SECS: i64 = 10 * 60;

/// The statuses a reply may set (assigning and merging have their own actions).
const REPLY_STATUSES: [ReportStatus; 4] = [
    ReportStatus::Received,
    ReportStatus::InProgress,
    ReportStatus::Resolved,
    ReportStatus::Rejected,
];

/// What the case page shows of the desk.
pub struct DeskView {
    pub assignee: Option<String>,
    pub acknowledged: bool,
    /// Someone else's lock: (their name, until when, local time).
    pub locked_by: Option<(String, String)>,
    /// May break someone else's lock (a supervisor or dispatcher over the case).
    pub can_break: bool,
    /// Staff who may take the case: (id, name).
    pub people: Vec<(String, String)>,
    pub templates: Vec<(i64, String)>,
    pub reply_statuses: Vec<(String, String)>,
    pub photo_required: bool,
    pub draft: Draft,
    pub preview: Option<Preview>,
}

/// The reply being written (kept across a preview or a refusal).
#[derive(Default, Clone)]
pub struct Draft {
    pub status: String,
    pub text: String,
    pub template: Option<i64>,
}

/// Exactly what the resident's app will show: the status word (Vietnamese, as the app shows
/// it first), the note, and how many photos come with it.
pub struct Preview {
    pub status_vi: String,
    pub status_en: String,
    pub note: String,
    pub photos: usize,
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The live lock on a case: (holder id, holder name, until).
pub fn lock(
    conn: &Connection,
    report: &str,
    now: i64,
) -> Result<Option<(String, String, i64)>, Fail> {
    Ok(conn
        .query_row(
            "SELECT l.staff_id, s.display_name, l.until FROM case_locks l
             JOIN staff s ON s.id = l.staff_id WHERE l.report_id = ?1 AND l.until > ?2",
            params![report, now],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Takes or renews the lock for `staff_id` unless someone else holds it; whether one holds it.
pub fn take_lock(conn: &Connection, report: &str, staff_id: &str, now: i64) -> Result<bool, Fail> {
    if let Some((holder, _, _)) = lock(conn, report, now)?
        && holder != staff_id
    {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO case_locks (report_id, staff_id, until) VALUES (?1, ?2, ?3)
         ON CONFLICT(report_id) DO UPDATE SET staff_id = ?2, until = ?3",
        params![report, staff_id, now + LOCK_SECS],
    )?;
    Ok(true)
}

/// Lets go of what `staff_id` holds: one case's lock, or (`None`) every lock, at sign-out.
pub fn release_locks(conn: &Connection, staff_id: &str, report: Option<&str>) -> Result<(), Fail> {
    conn.execute(
        "DELETE FROM case_locks WHERE staff_id = ?1 AND (?2 IS NULL OR report_id = ?2)",
        params![staff_id, report],
    )?;
    Ok(())
}

/// Whether a category needs a photo of the work done before its cases are resolved.
/// Whether moving case `id` to `status` without a photo breaks the resolve rule (a category
/// that resolves only with a photo of the work): checked by every path that changes a status.
pub fn lacks_resolve_photo(
    conn: &Connection,
    id: Uuid,
    status: ReportStatus,
) -> Result<bool, Fail> {
    if status != ReportStatus::Resolved {
        return Ok(false);
    }
    let category: Option<String> = conn
        .query_row(
            "SELECT category FROM reports WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    match category {
        Some(c) => photo_required(conn, &c),
        None => Ok(false),
    }
}

pub fn photo_required(conn: &Connection, category: &str) -> Result<bool, Fail> {
    Ok(conn
        .query_row(
            "SELECT photo_required FROM resolve_rules WHERE category = ?1",
            [category],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

pub fn set_photo_required(conn: &Connection, category: &str, required: bool) -> Result<(), Fail> {
    conn.execute(
        "INSERT INTO resolve_rules (category, photo_required) VALUES (?1, ?2)
         ON CONFLICT(category) DO UPDATE SET photo_required = ?2",
        params![category, required],
    )?;
    Ok(())
}

/// A reply template: (status, text in Vietnamese, text in English).
pub type TemplateText = (String, String, String);

pub fn template(conn: &Connection, id: i64) -> Result<Option<TemplateText>, Fail> {
    Ok(conn
        .query_row(
            "SELECT status, text_vi, text_en FROM reply_templates WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// A template's text with the case's fields filled in.
pub fn fill(text: &str, fields: &[(&str, &str)]) -> String {
    fields.iter().fold(text.to_owned(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// Who may take a case owned by `unit`: active staff whose case-handling roles cover it.
fn people_for(conn: &Connection, unit: Option<&str>) -> Result<Vec<(String, String)>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT s.id FROM staff s JOIN staff_roles r ON r.staff_id = s.id
         WHERE s.active = 1 AND r.role IN ('dispatcher', 'officer', 'unit_supervisor')
         ORDER BY s.display_name",
    )?;
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut people = Vec::new();
    for id in ids {
        if let Some(s) = staff::staff_by_id(conn, &id)?
            && s.can_change_case(unit)
        {
            people.push((s.id, s.display_name));
        }
    }
    Ok(people)
}

/// The desk part of a case page; takes (or renews) the edit lock for someone who may change it.
pub async fn view(
    state: &AppState,
    s: &Signed,
    id: Uuid,
    unit: Option<String>,
    draft: Draft,
    preview: Option<Preview>,
) -> Result<DeskView, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    let me = s.staff.id.clone();
    let can_change = s.staff.can_change_case(unit.as_deref());
    let can_break = breaks_locks(&s.staff, unit.as_deref());
    let (assignee, acknowledged, locked_by, people, templates, photo_required) = state
        .db
        .write(move |conn| {
            let rid = id.to_string();
            let now = now_unix();
            if can_change {
                take_lock(conn, &rid, &me, now)?;
            }
            let locked_by = lock(conn, &rid, now)?
                .filter(|(holder, _, _)| *holder != me)
                .map(|(_, name, until)| {
                    let until = chrono::DateTime::from_timestamp(until, 0)
                        .map(hues_wire::time::format_local)
                        .unwrap_or_default();
                    (name, until)
                });
            let (assignee, acknowledged, category): (Option<String>, bool, String) = conn
                .query_row(
                    "SELECT s.display_name, r.acknowledged_at IS NOT NULL, r.category
                     FROM reports r LEFT JOIN staff s ON s.id = r.assignee_id WHERE r.id = ?1",
                    [&rid],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
            let acknowledged = acknowledged || crate::sla::milestones(conn, &rid)?.0.is_some();
            let mut stmt = conn.prepare_cached(
                "SELECT id, name_vi, name_en FROM reply_templates
                 WHERE category IS NULL OR category = ?1 ORDER BY category IS NULL, id",
            )?;
            let templates = stmt
                .query_map([&category], |r| {
                    let (vi, en): (String, String) = (r.get(1)?, r.get(2)?);
                    Ok((r.get(0)?, if lang == "en" { en } else { vi }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((
                assignee,
                acknowledged,
                locked_by,
                people_for(conn, unit.as_deref())?,
                templates,
                photo_required(conn, &category)?,
            ))
        })
        .await?;
    Ok(DeskView {
        assignee,
        acknowledged,
        locked_by,
        can_break,
        people,
        templates,
        reply_statuses: REPLY_STATUSES
            .iter()
            .map(|st| (st.as_str().to_owned(), status_text(tr, st.as_str())))
            .collect(),
        photo_required,
        draft,
        preview,
    })
}

/// Supervisors of the unit and dispatchers may break someone's lock.
fn breaks_locks(staff: &staff::Staff, unit: Option<&str>) -> bool {
    staff.covers(&[Role::UnitSupervisor, Role::Dispatcher], unit)
}

/// Refuses a change while someone else holds the case's lock (a 409 page that names them).
pub async fn held_by_other(
    state: &AppState,
    s: &Signed,
    id: Uuid,
) -> Result<Option<Response>, Fail> {
    let me = s.staff.id.clone();
    let holder = state
        .db
        .read(move |conn| lock(conn, &id.to_string(), now_unix()))
        .await?
        .filter(|(h, _, _)| *h != me);
    let Some((_, name, _)) = holder else {
        return Ok(None);
    };
    let text = s.tr.t1("lock-held", "name", name);
    let mut res = case_page(state, s, id, None, Some(text), Draft::default(), None).await?;
    *res.status_mut() = StatusCode::CONFLICT;
    Ok(Some(res))
}

fn audit(
    conn: &Connection,
    staff_id: &str,
    action: &str,
    id: Uuid,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), Fail> {
    staff::audit(
        conn,
        Some(staff_id),
        action,
        &id.to_string(),
        Some(&before.to_string()),
        Some(&after.to_string()),
        chrono::Utc::now(),
    )
}

/// Sets who holds a case (`None`: nobody); touches it for the live queues.
pub fn set_assignee(conn: &Connection, id: Uuid, to: Option<&str>, by: &str) -> Result<(), Fail> {
    let before: Option<String> = conn.query_row(
        "SELECT assignee_id FROM reports WHERE id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE reports SET assignee_id = ?2 WHERE id = ?1",
        params![id.to_string(), to],
    )?;
    touch(conn, id)?;
    audit(
        conn,
        by,
        "case.assign",
        id,
        serde_json::json!({ "assignee": before }),
        serde_json::json!({ "assignee": to }),
    )
}

/// Marks a case changed (its owner's feed and the console's live stream).
pub fn touch(conn: &Connection, id: Uuid) -> Result<(), Fail> {
    if let Some(owner) = crate::store::report_owner(conn, id)? {
        crate::store::touch_report(conn, id, owner)?;
    }
    Ok(())
}

pub async fn claim(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<Uuid>,
) -> Result<Response, Fail> {
    if let Some(res) = held_by_other(&state, &s, id).await? {
        return Ok(res);
    }
    let me = s.staff.id.clone();
    state
        .db
        .write(move |conn| set_assignee(conn, id, Some(&me), &me))
        .await?;
    let msg = s.tr.t("case-claimed");
    case_page(&state, &s, id, Some(msg), None, Draft::default(), None).await
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    staff: String,
}

pub async fn assign(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<Uuid>,
    Form(form): Form<AssignForm>,
) -> Result<Response, Fail> {
    if let Some(res) = held_by_other(&state, &s, id).await? {
        return Ok(res);
    }
    let me = s.staff.id.clone();
    let to = form.staff.trim().to_owned();
    let done = state
        .db
        .write(move |conn| {
            let unit: Option<String> = conn.query_row(
                "SELECT unit_id FROM reports WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )?;
            if to.is_empty() {
                set_assignee(conn, id, None, &me)?;
                return Ok(true);
            }
            // Only someone who may change the case can hold it.
            let ok =
                staff::staff_by_id(conn, &to)?.is_some_and(|p| p.can_change_case(unit.as_deref()));
            if ok {
                set_assignee(conn, id, Some(&to), &me)?;
            }
            Ok(ok)
        })
        .await?;
    let tr = s.tr;
    let (msg, err) = if done {
        (Some(tr.t("case-assigned")), None)
    } else {
        (None, Some(tr.t("case-assign-refused")))
    };
    let mut res = case_page(&state, &s, id, msg, err, Draft::default(), None).await?;
    if !done {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn acknowledge(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<Uuid>,
) -> Result<Response, Fail> {
    if let Some(res) = held_by_other(&state, &s, id).await? {
        return Ok(res);
    }
    let me = s.staff.id.clone();
    let first = state
        .db
        .write(move |conn| {
            let rid = id.to_string();
            if crate::sla::milestones(conn, &rid)?.0.is_some() {
                return Ok(false);
            }
            let now = chrono::Utc::now();
            conn.execute(
                "UPDATE reports SET acknowledged_at = ?2 WHERE id = ?1",
                params![rid, crate::db::ts(now)],
            )?;
            touch(conn, id)?;
            audit(
                conn,
                &me,
                "case.acknowledge",
                id,
                serde_json::json!({ "acknowledged": false }),
                serde_json::json!({ "acknowledged": true }),
            )?;
            Ok(true)
        })
        .await?;
    let msg = s.tr.t(if first {
        "case-acknowledged"
    } else {
        "case-acknowledged-already"
    });
    case_page(&state, &s, id, Some(msg), None, Draft::default(), None).await
}

/// The reply form (multipart: it may carry photos of the work).
struct ReplyForm {
    status: String,
    text: String,
    template: Option<i64>,
    /// Cleaned photos ready to store (JPEG bytes).
    photos: Vec<Vec<u8>>,
}

async fn read_reply(mut form: Multipart) -> Result<ReplyForm, Fail> {
    let mut reply = ReplyForm {
        status: String::new(),
        text: String::new(),
        template: None,
        photos: Vec::new(),
    };
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        match field.name().unwrap_or_default() {
            "status" => reply.status = field.text().await.map_err(bad_form)?,
            "text" => reply.text = field.text().await.map_err(bad_form)?,
            "template" => {
                reply.template = field.text().await.map_err(bad_form)?.trim().parse().ok()
            }
            "photo" => {
                let bytes = field.bytes().await.map_err(bad_form)?;
                if !bytes.is_empty() {
                    if reply.photos.len() >= hues_wire::api::MAX_PHOTOS {
                        return Err(Fail::new(
                            hues_wire::ErrorCode::InvalidValue,
                            format!("at most {} photos", hues_wire::api::MAX_PHOTOS),
                        ));
                    }
                    reply.photos.push(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    Ok(reply)
}

fn bad_form(e: axum::extract::multipart::MultipartError) -> Fail {
    Fail::new(hues_wire::ErrorCode::InvalidValue, e.body_text())
}

/// The case's fields a template may use.
async fn fields(state: &AppState, tr: Tr, id: Uuid) -> Result<Vec<(&'static str, String)>, Fail> {
    let lang = tr.lang;
    let (address, category, unit) = state
        .db
        .read(move |conn| {
            Ok(conn.query_row(
                "SELECT coalesce(r.address, ''), coalesce(c.name_vi, r.category), coalesce(c.name_en, r.category),
                        coalesce(u.name_vi, ''), coalesce(u.name_en, '')
                 FROM reports r LEFT JOIN categories c ON c.code = r.category
                 LEFT JOIN units u ON u.id = r.unit_id WHERE r.id = ?1",
                [id.to_string()],
                |r| {
                    let pick = |vi: String, en: String| if lang == "en" { en } else { vi };
                    Ok((r.get::<_, String>(0)?, pick(r.get(1)?, r.get(2)?), pick(r.get(3)?, r.get(4)?)))
                },
            )?)
        })
        .await?;
    let today = chrono::Utc::now()
        .with_timezone(&hues_wire::time::vietnam_offset())
        .format("%d/%m/%Y")
        .to_string();
    Ok(vec![
        ("address", address),
        ("category", category),
        ("unit", unit),
        ("date", today),
        ("id", id.to_string().chars().take(8).collect()),
    ])
}

/// Fills the text from the chosen template when the officer has not written one yet.
async fn draft_of(state: &AppState, tr: Tr, id: Uuid, form: &ReplyForm) -> Result<Draft, Fail> {
    let mut draft = Draft {
        status: form.status.clone(),
        text: form.text.clone(),
        template: form.template,
    };
    if let Some(t) = form.template
        && draft.text.trim().is_empty()
        && let Some((status, vi, en)) = state.db.read(move |c| template(c, t)).await?
    {
        let f = fields(state, tr, id).await?;
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        draft.text = fill(if tr.lang == "en" { &en } else { &vi }, &pairs);
        if draft.status.is_empty() {
            draft.status = status;
        }
    }
    Ok(draft)
}

/// Shows what the resident will see, without sending anything.
pub async fn preview(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<Uuid>,
    form: Multipart,
) -> Result<Response, Fail> {
    let form = read_reply(form).await?;
    let draft = draft_of(&state, s.tr, id, &form).await?;
    let status = ReportStatus::parse(&draft.status).unwrap_or(ReportStatus::InProgress);
    let preview = Preview {
        status_vi: status_text(Tr::new("vi"), status.as_str()),
        status_en: status_text(Tr::new("en"), status.as_str()),
        note: draft.text.trim().to_owned(),
        photos: form.photos.len(),
    };
    case_page(&state, &s, id, None, None, draft, Some(preview)).await
}

/// Sends the reply: a status (the same one to ask for more information) with the note the
/// resident reads, and photos of the work. Resolving a category that asks for it needs a photo.
pub async fn reply(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<Uuid>,
    form: Multipart,
) -> Result<Response, Fail> {
    if let Some(res) = held_by_other(&state, &s, id).await? {
        return Ok(res);
    }
    let tr = s.tr;
    let form = read_reply(form).await?;
    let draft = draft_of(&state, tr, id, &form).await?;
    let refuse = |key: &str| tr.t(key);
    let status = ReportStatus::parse(&draft.status).filter(|st| REPLY_STATUSES.contains(st));
    let error = match status {
        None => Some(refuse("reply-status-missing")),
        Some(_) if draft.text.trim().is_empty() => Some(refuse("reply-text-missing")),
        Some(_) => None,
    };
    if let Some(e) = error {
        let mut res = case_page(&state, &s, id, None, Some(e), draft, None).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    let status = status.unwrap_or(ReportStatus::InProgress);
    crate::error::text("text", &draft.text, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
    let needs_photo = {
        let rid = id;
        state
            .db
            .read(move |c| {
                let category: String = c.query_row(
                    "SELECT category FROM reports WHERE id = ?1",
                    [rid.to_string()],
                    |r| r.get(0),
                )?;
                photo_required(c, &category)
            })
            .await?
    };
    if status == ReportStatus::Resolved && needs_photo && form.photos.is_empty() {
        let mut res = case_page(
            &state,
            &s,
            id,
            None,
            Some(refuse("reply-photo-required")),
            draft,
            None,
        )
        .await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    let mut names = Vec::new();
    for bytes in form.photos {
        match crate::photo_routes::store_staff_photo(&state, bytes).await {
            Ok(sha) => names.push(sha),
            Err(f) => {
                let reason = tr.t(&format!("error-{}", f.0.code.as_str()));
                let e = tr.t1("case-error", "reason", reason);
                let mut res = case_page(&state, &s, id, None, Some(e), draft, None).await?;
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                return Ok(res);
            }
        }
    }
    let me = s.staff.id.clone();
    let note = draft.text.trim().to_owned();
    let done = state
        .db
        .run(move |conn| {
            let before =
                crate::store::report(conn, id)?.map(|r| r.report.status.as_str().to_owned());
            let update = StatusUpdate {
                status,
                note: note.clone(),
                unit: None,
                duplicate_of: None,
                photos: names.clone(),
            };
            crate::store::change_status(conn, id, &update)?;
            audit(
                conn,
                &me,
                "case.reply",
                id,
                serde_json::json!({ "status": before }),
                serde_json::json!({ "status": status.as_str(), "note": note, "photos": names }),
            )
        })
        .await;
    match done {
        Ok(()) => {
            let msg = tr.t("case-replied");
            case_page(&state, &s, id, Some(msg), None, Draft::default(), None).await
        }
        Err(f) => {
            let reason = tr.t(&format!("error-{}", f.0.code.as_str()));
            let e = tr.t1("case-error", "reason", reason);
            let mut res = case_page(&state, &s, id, None, Some(e), draft, None).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: String,
}

/// Merges this case into another (the survivor): this one becomes its duplicate, its
/// reporter and followers follow the survivor, and the resident is told in their history.
pub async fn merge(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<Uuid>,
    Form(form): Form<MergeForm>,
) -> Result<Response, Fail> {
    if let Some(res) = held_by_other(&state, &s, id).await? {
        return Ok(res);
    }
    let tr = s.tr;
    let wanted = form
        .into
        .trim()
        .trim_start_matches('#')
        .to_ascii_lowercase();
    let found = state.db.read(move |conn| survivor(conn, &wanted)).await?;
    let staff = s.staff.clone();
    let Some((into, _)) =
        found.filter(|(into, unit)| *into != id && staff.can_read_case(unit.as_deref()))
    else {
        let mut res = case_page(
            &state,
            &s,
            id,
            None,
            Some(tr.t("merge-unknown")),
            Draft::default(),
            None,
        )
        .await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    let me = s.staff.id.clone();
    let short: String = into.to_string().chars().take(8).collect();
    let note = Tr::new("vi").t1("merge-note", "id", short);
    state
        .db
        .run(move |conn| merge_into(conn, id, into, &note, &me))
        .await?;
    Ok(Redirect::to(&format!("/console/cases/{into}")).into_response())
}

/// The case a merge names, by its full id or the first 8 characters shown everywhere; never a
/// duplicate or a rejected case (so two cases cannot be made duplicates of each other).
fn survivor(conn: &Connection, wanted: &str) -> Result<Option<(Uuid, Option<String>)>, Fail> {
    if wanted.len() < 8 || !wanted.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, unit_id FROM reports WHERE id >= ?1 AND id < ?1 || 'g'
            AND status NOT IN ('duplicate', 'rejected') LIMIT 2",
    )?;
    let rows: Vec<(String, Option<String>)> = stmt
        .query_map([wanted], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(match rows.as_slice() {
        [(id, unit)] => Some((crate::store::parse_uuid(id)?, unit.clone())),
        _ => None,
    })
}

pub fn merge_into(
    conn: &mut Connection,
    id: Uuid,
    into: Uuid,
    note: &str,
    by: &str,
) -> Result<(), Fail> {
    let update = StatusUpdate {
        status: ReportStatus::Duplicate,
        note: note.to_owned(),
        unit: None,
        duplicate_of: Some(into),
        photos: Vec::new(),
    };
    crate::store::change_status(conn, id, &update)?;
    let tx = conn.transaction()?;
    let now = crate::db::ts(chrono::Utc::now());
    // The merged case's reporter and followers now follow the survivor.
    tx.execute(
        "INSERT OR IGNORE INTO followers (report_id, device_id, at)
         SELECT ?2, device_id, ?3 FROM followers WHERE report_id = ?1
         UNION SELECT ?2, device_id, ?3 FROM reports WHERE id = ?1
             AND device_id != (SELECT device_id FROM reports WHERE id = ?2)",
        params![id.to_string(), into.to_string(), now],
    )?;
    touch(&tx, into)?;
    audit(
        &tx,
        by,
        "case.merge",
        id,
        serde_json::json!({ "status": "open" }),
        serde_json::json!({ "merged_into": into.to_string() }),
    )?;
    tx.commit()?;
    Ok(())
}

/// A supervisor (or dispatcher) breaks someone's edit lock.
pub async fn unlock(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<Uuid>,
) -> Result<Response, Fail> {
    let unit = super::pages::owner_unit(&state, id).await?.flatten();
    if !breaks_locks(&s.staff, unit.as_deref()) {
        return Ok(refusal(&s, StatusCode::FORBIDDEN));
    }
    let me = s.staff.id.clone();
    state
        .db
        .write(move |conn| {
            let before = lock(conn, &id.to_string(), now_unix())?.map(|(h, _, _)| h);
            conn.execute(
                "DELETE FROM case_locks WHERE report_id = ?1",
                [id.to_string()],
            )?;
            audit(
                conn,
                &me,
                "case.unlock",
                id,
                serde_json::json!({ "locked_by": before }),
                serde_json::json!({ "locked_by": null }),
            )
        })
        .await?;
    let msg = s.tr.t("lock-broken");
    case_page(&state, &s, id, Some(msg), None, Draft::default(), None).await
}
