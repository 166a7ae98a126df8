//! The dossier desk: receive a dossier, move it on, ask for more documents, apologise with a new
//! date for an overdue one, and each unit's deadline view — what `/api/v1/operator/dossiers*`
//! does, in the console, through the same functions (`dossiers::receive`, `advance`,
//! `apologise`, `deadlines`). A dossier names its unit in words (`unit_vi`); staff see the
//! dossiers of the units they cover, the city's roles every dossier.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use hues_wire::deadline::{DeadlineFlag, local_date};
use hues_wire::dossiers::{Dossier, DossierAdvance, DossierState, NewApology, NewDossier};
use serde::Deserialize;

use super::pages::{page, refusal};
use super::{Nav, Signed, Tr};
use crate::AppState;
use crate::dossiers;
use crate::error::Fail;
use crate::staff;

fn flag_words(tr: Tr, flag: DeadlineFlag) -> (String, String) {
    let key = match flag {
        DeadlineFlag::OnTime => "on_time",
        DeadlineFlag::DueSoon => "due_soon",
        DeadlineFlag::Overdue => "overdue",
        DeadlineFlag::Escalated => "escalated",
        DeadlineFlag::Paused => "paused",
    };
    (key.replace('_', "-"), tr.t(&format!("hs-flag-{key}")))
}

// ---- the desk: deadlines and receiving ------------------------------------------------------

/// One unit's late or nearly late dossiers: (unit, rows of (code, procedure, state, date, flag
/// class, flag words, working days late in words)).
type UnitRows = (
    String,
    Vec<(String, String, String, String, String, String, String)>,
);

#[derive(Template)]
#[template(path = "console/dossiers.html")]
struct Desk {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    units: Vec<UnitRows>,
    procedures: Vec<(String, String)>,
    unit_choices: Vec<(String, String)>,
    error: Option<String>,
    form: ReceiveForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReceiveForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub procedure: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub phone: String,
}

async fn desk_page(
    state: &AppState,
    s: &Signed,
    form: ReceiveForm,
    error: Option<String>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    let staff = s.staff.clone();
    let (late, procs, units) = state
        .db
        .read(move |c| {
            Ok((
                dossiers::deadlines(c, Utc::now())?,
                dossiers::procedures(c)?,
                staff::units(c)?,
            ))
        })
        .await?;
    let proc_name = |id: &str| {
        procs
            .iter()
            .find(|p| p.id == id)
            .map(|p| {
                if lang == "en" {
                    p.name_en.clone()
                } else {
                    p.name_vi.clone()
                }
            })
            .unwrap_or_else(|| id.to_owned())
    };
    let rows = late
        .into_iter()
        .filter(|u| dossiers::staff_covers(&staff, &units, &u.unit_vi, false))
        .map(|u| {
            let rows = u
                .dossiers
                .iter()
                .map(|d| {
                    let (class, words) = flag_words(tr, d.flag);
                    (
                        d.code.clone(),
                        proc_name(&d.procedure_id),
                        tr.t(&format!("hs-state-{}", d.state.as_str())),
                        d.appointment.format("%d/%m/%Y").to_string(),
                        class,
                        if d.apologised {
                            format!("{words} · {}", tr.t("hs-apologised"))
                        } else {
                            words
                        },
                        match usize::try_from(d.working_days_late) {
                            Ok(n) if n > 0 => format!(" ({})", tr.tn("hs-days-late", "count", n)),
                            _ => String::new(),
                        },
                    )
                })
                .collect();
            (u.unit_vi, rows)
        })
        .collect();
    let unit_choices = units
        .iter()
        .filter(|u| staff.can_change_case(Some(&u.id)))
        .map(|u| (u.id.clone(), u.name(lang).to_owned()))
        .collect();
    let procedures = procs
        .iter()
        .map(|p| (p.id.clone(), proc_name(&p.id)))
        .collect();
    let failed = error.is_some();
    let mut res = page(Desk {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        units: rows,
        procedures,
        unit_choices,
        error,
        form,
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn desk(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    desk_page(&state, &s, ReceiveForm::default(), None).await
}

/// The refusal of a dossier function, in the person's words.
fn words(tr: Tr, e: &Fail) -> String {
    tr.t1("hs-refused", "reason", &e.0.message)
}

pub async fn receive(
    State(state): State<AppState>,
    s: Signed,
    Form(form): Form<ReceiveForm>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let unit_id = form.unit.clone();
    let staff = s.staff.clone();
    let unit = state
        .db
        .read(move |c| {
            Ok(staff::units(c)?
                .into_iter()
                .find(|u| u.id == unit_id && staff.can_change_case(Some(&u.id))))
        })
        .await?;
    let Some(unit) = unit else {
        return desk_page(&state, &s, form, Some(tr.t("hs-unit-missing"))).await;
    };
    let new = NewDossier {
        code: form.code.trim().to_owned(),
        procedure_id: form.procedure.clone(),
        unit_vi: unit.name_vi.clone(),
        unit_en: unit.name_en.clone(),
        phone: form.phone.trim().to_owned(),
        received_at: None,
    };
    let staff_id = s.staff.id.clone();
    let done = state
        .db
        .run(move |c| {
            let d = dossiers::receive(c, &new, Utc::now())?;
            staff::audit(
                c,
                Some(&staff_id),
                "dossier.receive",
                &d.code,
                None,
                Some(
                    &serde_json::json!({ "unit": d.unit_vi, "procedure": d.procedure_id })
                        .to_string(),
                ),
                Utc::now(),
            )?;
            Ok(d)
        })
        .await;
    match done {
        Ok(d) => Ok(Redirect::to(&format!("/console/dossiers/{}", d.code)).into_response()),
        Err(e) if e.0.code != hues_wire::ErrorCode::Internal => {
            desk_page(&state, &s, form, Some(words(tr, &e))).await
        }
        Err(e) => Err(e),
    }
}

// ---- one dossier ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/dossier.html")]
struct One {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    code: String,
    procedure: String,
    unit: String,
    state: String,
    appointment: String,
    flag_class: String,
    flag: String,
    timeline: Vec<(String, String, String)>,
    apology: Option<(String, String)>,
    /// (value, words) of the states it may move to.
    next: Vec<(String, String)>,
    may_apologise: bool,
    message: Option<String>,
    error: Option<String>,
}

async fn dossier_page(
    state: &AppState,
    s: &Signed,
    code: String,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    let key = code.clone();
    let found = state
        .db
        .read(move |c| {
            let Some((d, _)) = dossiers::dossier(c, &key)? else {
                return Ok(None);
            };
            let p = dossiers::procedure(c, &d.procedure_id)?;
            Ok(Some((d, p, staff::units(c)?)))
        })
        .await?;
    let Some((d, p, units)) = found else {
        return Ok(refusal(s, StatusCode::NOT_FOUND));
    };
    if !dossiers::staff_covers(&s.staff, &units, &d.unit_vi, false) {
        return Ok(refusal(s, StatusCode::NOT_FOUND));
    }
    let today = local_date(Utc::now());
    let flag = d.flag(today);
    let (flag_class, flag_words) = flag_words(tr, flag);
    let state_words = |st: DossierState| tr.t(&format!("hs-state-{}", st.as_str()));
    let mut res = page(One {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        procedure: p
            .map(|p| if lang == "en" { p.name_en } else { p.name_vi })
            .unwrap_or_else(|| d.procedure_id.clone()),
        unit: if lang == "en" {
            d.unit_en.clone()
        } else {
            d.unit_vi.clone()
        },
        state: state_words(d.state),
        appointment: d.appointment.format("%d/%m/%Y").to_string(),
        flag_class,
        flag: flag_words,
        timeline: d
            .timeline
            .iter()
            .map(|st| {
                (
                    hues_wire::time::format_local(st.at),
                    state_words(st.state),
                    st.note.clone(),
                )
            })
            .collect(),
        apology: d.apology.as_ref().map(|a| {
            (
                a.new_appointment.format("%d/%m/%Y").to_string(),
                a.reason.clone(),
            )
        }),
        next: DossierState::ALL
            .into_iter()
            .filter(|n| d.state.can_move_to(*n))
            .map(|n| (n.as_str().to_owned(), state_words(n)))
            .collect(),
        may_apologise: !d.state.is_finished()
            && matches!(flag, DeadlineFlag::Overdue | DeadlineFlag::Escalated),
        message,
        error: error.clone(),
        code,
    });
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn one(
    State(state): State<AppState>,
    s: Signed,
    Path(code): Path<String>,
) -> Result<Response, Fail> {
    dossier_page(&state, &s, code, None, None).await
}

/// Whether `s` may act on the dossier `code` (it exists and is of a unit they may change).
async fn theirs(state: &AppState, s: &Signed, code: &str) -> Result<bool, Fail> {
    let key = code.to_owned();
    let staff = s.staff.clone();
    state
        .db
        .read(move |c| {
            let Some((d, _)) = dossiers::dossier(c, &key)? else {
                return Ok(false);
            };
            Ok(dossiers::staff_covers(
                &staff,
                &staff::units(c)?,
                &d.unit_vi,
                true,
            ))
        })
        .await
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    note: String,
}

pub async fn advance(
    State(state): State<AppState>,
    s: Signed,
    Path(code): Path<String>,
    Form(form): Form<AdvanceForm>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    if !theirs(&state, &s, &code).await? {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    }
    let Some(next) = DossierState::parse(&form.state) else {
        return dossier_page(&state, &s, code, None, Some(tr.t("hs-state-missing"))).await;
    };
    let step = DossierAdvance {
        state: next,
        note: form.note,
    };
    let (key, staff_id) = (code.clone(), s.staff.id.clone());
    let done = state
        .db
        .run(move |c| {
            let before = dossiers::dossier(c, &key)?.map(|(d, _)| d.state.as_str());
            let d: Dossier = dossiers::advance(c, &key, &step, Utc::now())?;
            staff::audit(
                c,
                Some(&staff_id),
                "dossier.state",
                &d.code,
                Some(&serde_json::json!({ "state": before }).to_string()),
                Some(
                    &serde_json::json!({ "state": d.state.as_str(), "note": step.note })
                        .to_string(),
                ),
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(()) => dossier_page(&state, &s, code, Some(tr.t("hs-moved")), None).await,
        Err(e) if e.0.code != hues_wire::ErrorCode::Internal => {
            let w = words(tr, &e);
            dossier_page(&state, &s, code, None, Some(w)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ApologyForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    new_appointment: String,
}

pub async fn apologise(
    State(state): State<AppState>,
    s: Signed,
    Path(code): Path<String>,
    Form(form): Form<ApologyForm>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    if !theirs(&state, &s, &code).await? {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    }
    let Ok(date) = NaiveDate::parse_from_str(form.new_appointment.trim(), "%Y-%m-%d") else {
        return dossier_page(&state, &s, code, None, Some(tr.t("hs-date-invalid"))).await;
    };
    let a = NewApology {
        reason: form.reason,
        new_appointment: date,
    };
    let (key, staff_id) = (code.clone(), s.staff.id.clone());
    let done = state
        .db
        .run(move |c| {
            let d = dossiers::apologise(c, &key, &a, Utc::now())?;
            staff::audit(
                c,
                Some(&staff_id),
                "dossier.apology",
                &d.code,
                None,
                Some(
                    &serde_json::json!({ "new_appointment": date.to_string(), "reason": a.reason })
                        .to_string(),
                ),
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(()) => dossier_page(&state, &s, code, Some(tr.t("hs-apology-saved")), None).await,
        Err(e) if e.0.code != hues_wire::ErrorCode::Internal => {
            let w = words(tr, &e);
            dossier_page(&state, &s, code, None, Some(w)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct Find {
    #[serde(default)]
    code: String,
}

/// The look-up box: to the dossier's page (its characters kept to those a code has).
pub async fn find(axum::extract::Query(f): axum::extract::Query<Find>) -> Response {
    let code: String = f
        .code
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        .take(40)
        .collect();
    Redirect::to(&format!("/console/dossiers/{code}")).into_response()
}
