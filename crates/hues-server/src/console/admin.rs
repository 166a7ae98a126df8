//! Administration (admins only): the clock's targets and the photo rule per category, routing
//! rules, reply templates, and staff accounts. Each change is in the audit log.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::params;
use serde::Deserialize;

use super::pages::page;
use super::{Signed, Tr};
use crate::AppState;
use crate::error::Fail;
use crate::staff::{self, Role};

pub struct SlaRow {
    pub code: String,
    pub name: String,
    pub ack_hours: i64,
    pub resolve_days: i64,
    pub photo: bool,
}

#[derive(Template)]
#[template(path = "console/admin.html")]
struct Admin {
    tr: Tr,
    who: Option<String>,
    nav: super::Nav,
    message: Option<String>,
    error: Option<String>,
    sla: Vec<SlaRow>,
    rules: Vec<(String, String, String)>,
    templates: Vec<(String, String, String)>,
    staff: Vec<(String, String, String)>,
    categories: Vec<(String, String)>,
    units: Vec<(String, String)>,
    wards: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    roles: Vec<String>,
}

async fn admin_page(
    state: &AppState,
    s: &Signed,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let lang = tr.lang;
    let en = lang == "en";
    let data = state
        .db
        .read(move |c| {
            let targets = crate::sla::all_targets(c)?;
            let cats = crate::store::categories(c)?;
            let units = staff::units(c)?;
            let name_of = |id: &str| {
                units
                    .iter()
                    .find(|u| u.id == id)
                    .map_or_else(|| id.to_owned(), |u| u.name(lang).to_owned())
            };
            let mut sla = Vec::new();
            for k in &cats {
                let t = targets
                    .get(&k.code)
                    .copied()
                    .unwrap_or(hues_wire::sla::DEFAULT_TARGETS);
                sla.push(SlaRow {
                    code: k.code.clone(),
                    name: if en { k.name_en.clone() } else { k.name_vi.clone() },
                    ack_hours: t.ack_hours.into(),
                    resolve_days: t.resolve_days.into(),
                    photo: super::desk::photo_required(c, &k.code)?,
                });
            }
            let mut stmt = c.prepare_cached(
                "SELECT coalesce(category, '*'), coalesce(ward_code, '*'), unit_id FROM routing_rules ORDER BY position",
            )?;
            let rules = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .map(|(k, w, u)| (k, w, name_of(&u)))
                .collect();
            let mut stmt = c.prepare_cached(
                "SELECT coalesce(category, '*'), status, CASE WHEN ?1 THEN name_en ELSE name_vi END
                 FROM reply_templates ORDER BY id",
            )?;
            let templates = stmt
                .query_map([en], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            let mut stmt = c.prepare_cached(
                "SELECT s.username, s.display_name, group_concat(r.role || ' @ ' || r.unit_id, ', ')
                 FROM staff s LEFT JOIN staff_roles r ON r.staff_id = s.id
                 GROUP BY s.id ORDER BY s.username",
            )?;
            let people = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<String>>(2)?.unwrap_or_default()))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let categories = cats
                .into_iter()
                .map(|k| (k.code, if en { k.name_en } else { k.name_vi }))
                .collect::<Vec<_>>();
            let wards = units
                .iter()
                .filter_map(|u| u.ward_code.clone().map(|w| (w, u.name(lang).to_owned())))
                .collect::<Vec<_>>();
            let units = units
                .iter()
                .map(|u| (u.id.clone(), u.name(lang).to_owned()))
                .collect::<Vec<_>>();
            Ok((sla, rules, templates, people, categories, units, wards))
        })
        .await?;
    let (sla, rules, templates, people, categories, units, wards) = data;
    let failed = error.is_some();
    let mut res = page(Admin {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        message,
        error,
        sla,
        rules,
        templates,
        staff: people,
        categories,
        units,
        wards,
        statuses: super::pages::statuses(tr),
        roles: Role::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn show(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    admin_page(&state, &s, None, None).await
}

/// Runs an administrative change with its audit entry; the page says how it went.
async fn change<F>(
    state: &AppState,
    s: &Signed,
    action: &'static str,
    f: F,
) -> Result<Response, Fail>
where
    F: FnOnce(&rusqlite::Connection) -> Result<Result<serde_json::Value, &'static str>, Fail>
        + Send
        + 'static,
{
    let me = s.staff.id.clone();
    let done = state
        .db
        .write(move |c| {
            let after = f(c)?;
            if let Ok(after) = &after {
                // A secret shown once is never written down.
                let mut logged = after.clone();
                if let Some(o) = logged.as_object_mut() {
                    o.remove("shown");
                }
                staff::audit(
                    c,
                    Some(&me),
                    action,
                    action,
                    None,
                    Some(&logged.to_string()),
                    chrono::Utc::now(),
                )?;
            }
            Ok(after)
        })
        .await?;
    match done {
        Ok(after) => {
            let shown = after
                .get("shown")
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let msg = match shown {
                Some(secret) => s.tr.t1("admin-staff-made", "secret", secret),
                None => s.tr.t("admin-saved"),
            };
            admin_page(state, s, Some(msg), None).await
        }
        Err(key) => admin_page(state, s, None, Some(s.tr.t(key))).await,
    }
}

#[derive(Deserialize)]
pub struct SlaForm {
    category: String,
    ack_hours: String,
    resolve_days: String,
    #[serde(default)]
    photo: String,
}

pub async fn sla(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<SlaForm>,
) -> Result<Response, Fail> {
    change(&state, &s, "admin.sla", move |c| {
        let (Ok(ack), Ok(days)) = (f.ack_hours.trim().parse::<u32>(), f.resolve_days.trim().parse::<u32>())
        else {
            return Ok(Err("admin-number"));
        };
        if !(1..=200).contains(&ack) || !(1..=200).contains(&days) || crate::store::category(c, &f.category)?.is_none() {
            return Ok(Err("admin-number"));
        }
        crate::sla::set_targets(c, &f.category, hues_wire::sla::Targets { ack_hours: ack, resolve_days: days })?;
        super::desk::set_photo_required(c, &f.category, f.photo == "1")?;
        Ok(Ok(serde_json::json!({ "category": f.category, "ack_hours": ack, "resolve_days": days, "photo": f.photo == "1" })))
    })
    .await
}

#[derive(Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    ward: String,
    unit: String,
}

pub async fn rules(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<RuleForm>,
) -> Result<Response, Fail> {
    change(&state, &s, "admin.rule", move |c| {
        let category = (!f.category.is_empty()).then(|| f.category.clone());
        let ward = (!f.ward.is_empty()).then(|| f.ward.clone());
        let units = staff::units(c)?;
        let known_unit = units.iter().any(|u| u.id == f.unit);
        let known_ward = ward
            .as_ref()
            .is_none_or(|w| units.iter().any(|u| u.ward_code.as_ref() == Some(w)));
        let known_cat = match &category {
            Some(k) => crate::store::category(c, k)?.is_some(),
            None => true,
        };
        if !(known_unit && known_ward && known_cat) {
            return Ok(Err("admin-unknown"));
        }
        crate::routing::add_rule(
            c,
            &crate::routing::Rule {
                category,
                ward_code: ward,
                unit_id: f.unit.clone(),
            },
        )?;
        Ok(Ok(
            serde_json::json!({ "category": f.category, "ward": f.ward, "unit": f.unit }),
        ))
    })
    .await
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    category: String,
    status: String,
    name_vi: String,
    name_en: String,
    text_vi: String,
    text_en: String,
}

pub async fn templates(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<TemplateForm>,
) -> Result<Response, Fail> {
    change(&state, &s, "admin.template", move |c| {
        let texts = [&f.name_vi, &f.name_en, &f.text_vi, &f.text_en];
        if texts
            .iter()
            .any(|t| t.trim().is_empty() || t.chars().count() > 4000)
            || hues_wire::api::ReportStatus::parse(&f.status).is_none()
        {
            return Ok(Err("admin-template-missing"));
        }
        let category = (!f.category.is_empty()).then(|| f.category.clone());
        if let Some(k) = &category
            && crate::store::category(c, k)?.is_none()
        {
            return Ok(Err("admin-unknown"));
        }
        c.execute(
            "INSERT INTO reply_templates (category, status, name_vi, name_en, text_vi, text_en)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                category,
                f.status,
                f.name_vi.trim(),
                f.name_en.trim(),
                f.text_vi.trim(),
                f.text_en.trim()
            ],
        )?;
        Ok(Ok(
            serde_json::json!({ "category": f.category, "status": f.status, "name": f.name_vi }),
        ))
    })
    .await
}

#[derive(Deserialize)]
pub struct StaffForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    unit: String,
}

pub async fn add_staff(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<StaffForm>,
) -> Result<Response, Fail> {
    let username = f.username.trim().to_owned();
    let ok_name = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ".-_".contains(ch));
    let role = Role::parse(&f.role);
    if !ok_name
        || f.display_name.trim().is_empty()
        || f.password.chars().count() < 12
        || role.is_none()
    {
        return admin_page(&state, &s, None, Some(s.tr.t("admin-staff-invalid"))).await;
    }
    let password = f.password.clone();
    let hash = tokio::task::spawn_blocking(move || staff::hash_password(&password))
        .await
        .map_err(Fail::internal)??;
    let role = role.unwrap_or(Role::Officer);
    change(&state, &s, "admin.staff", move |c| {
        if !staff::units(c)?.iter().any(|u| u.id == f.unit) {
            return Ok(Err("admin-unknown"));
        }
        let taken: bool = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM staff WHERE username = ?1)",
            [&username],
            |r| r.get(0),
        )?;
        if taken {
            return Ok(Err("admin-staff-taken"));
        }
        // Supervisors and admins sign in with a second factor: their secret, shown once.
        let secret = role.needs_second_factor().then(staff::new_totp_secret);
        staff::create_staff_hashed(
            c,
            &username,
            f.display_name.trim(),
            &hash,
            secret.as_deref(),
            &[(role, f.unit.as_str())],
            chrono::Utc::now(),
        )?;
        let mut after =
            serde_json::json!({ "username": username, "role": role.as_str(), "unit": f.unit });
        if let Some(secret) = secret {
            after["shown"] = serde_json::Value::String(secret);
        }
        Ok(Ok(after))
    })
    .await
}
