//! Citizens' accounts at the contact centre (issue 15): a caller asks, by phone or at the desk,
//! for a copy of their data or for their account to be deleted, or reports a lost phone. Staff
//! find the account by its number, download the export, ask for (or call off) the deletion, and
//! revoke a device; each is in the audit log under the staff member's name.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;

use super::Signed;
use super::pages::page;
use crate::AppState;
use crate::accounts;
use crate::error::Fail;

pub struct DeviceRow {
    pub id: String,
    pub platform: String,
    pub linked: String,
    pub revoked: Option<String>,
}

pub struct AccountCard {
    pub phone: String,
    pub created: String,
    pub devices: Vec<DeviceRow>,
    pub erase_after: Option<String>,
    pub cases: i64,
}

#[derive(Template)]
#[template(path = "console/citizens.html")]
struct Citizens {
    tr: super::Tr,
    who: Option<String>,
    nav: super::Nav,
    phone: String,
    not_a_number: bool,
    card: Option<AccountCard>,
    /// The demo's messages (no SMS is really sent there): (time, to, text).
    demo_sms: Option<Vec<(String, String, String)>>,
}

#[derive(Deserialize, Default)]
pub struct Lookup {
    #[serde(default)]
    phone: String,
}

#[derive(Deserialize)]
pub struct Act {
    phone: String,
    #[serde(default)]
    device: String,
}

fn shown(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t).map_or_else(
        |_| t.to_owned(),
        |t| hues_wire::time::format_local(t.with_timezone(&Utc)),
    )
}

fn account_by_phone(conn: &Connection, e164: &str) -> Result<Option<String>, Fail> {
    Ok(conn
        .prepare_cached("SELECT id FROM accounts WHERE phone = ?1")?
        .query_row([e164], |r| r.get(0))
        .optional()?)
}

fn card(conn: &Connection, e164: &str) -> Result<Option<AccountCard>, Fail> {
    let Some(account) = account_by_phone(conn, e164)? else {
        return Ok(None);
    };
    let created: String = conn
        .prepare_cached("SELECT created_at FROM accounts WHERE id = ?1")?
        .query_row([&account], |r| r.get(0))?;
    let devices = conn
        .prepare_cached(
            "SELECT d.id, coalesce(d.platform, ''), a.linked_at, d.revoked_at FROM devices d
             JOIN account_devices a ON a.device_id = d.id WHERE a.account_id = ?1
             ORDER BY a.linked_at",
        )?
        .query_map([&account], |r| {
            Ok(DeviceRow {
                id: r.get(0)?,
                platform: r.get(1)?,
                linked: shown(&r.get::<_, String>(2)?),
                revoked: r.get::<_, Option<String>>(3)?.map(|t| shown(&t)),
            })
        })?
        .collect::<Result<_, _>>()?;
    let cases: i64 = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM reports WHERE device_id IN
                 (SELECT device_id FROM account_devices WHERE account_id = ?1))
              + (SELECT count(*) FROM account_cases WHERE account_id = ?1)",
        )?
        .query_row([&account], |r| r.get(0))?;
    Ok(Some(AccountCard {
        phone: e164.to_owned(),
        created: shown(&created),
        devices,
        erase_after: accounts::pending_deletion(conn, &account)?.map(hues_wire::time::format_local),
        cases,
    }))
}

/// Find a citizen's account by their number.
pub async fn show(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<Lookup>,
) -> Result<Response, Fail> {
    let e164 = hues_wire::account::normalize_phone(&q.phone);
    let not_a_number = !q.phone.trim().is_empty() && e164.is_none();
    let card = match e164 {
        Some(p) => state.db.read(move |c| card(c, &p)).await?,
        None => None,
    };
    Ok(page(Citizens {
        tr: s.tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        phone: q.phone,
        not_a_number,
        card,
        demo_sms: match &state.accounts.sms {
            accounts::Sms::Demo(inbox) => Some(
                inbox
                    .recent()
                    .into_iter()
                    .map(|m| (hues_wire::time::format_local(m.at), m.to, m.text))
                    .collect(),
            ),
            _ => None,
        },
    }))
}

async fn account_of(state: &AppState, phone: &str) -> Result<(String, String), Fail> {
    let e164 =
        hues_wire::account::normalize_phone(phone).ok_or_else(|| Fail::not_found("account"))?;
    let p = e164.clone();
    let account = state
        .db
        .read(move |c| account_by_phone(c, &p))
        .await?
        .ok_or_else(|| Fail::not_found("account"))?;
    Ok((account, e164))
}

fn back(e164: &str) -> Response {
    let q = serde_urlencoded::to_string([("phone", e164)]).unwrap_or_default();
    Redirect::to(&format!("/console/citizens?{q}")).into_response()
}

/// The citizen's data, downloaded on their behalf.
pub async fn export(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<Act>,
) -> Result<Response, Fail> {
    let (account, _) = account_of(&state, &f.phone).await?;
    accounts::export_for(&state, account, Some(s.staff.id.clone())).await
}

/// Does `what` to the account of the form's number, as the signed-in staff member; back to
/// the account's page.
async fn on_account(
    state: &AppState,
    s: &Signed,
    f: Act,
    what: impl FnOnce(&Connection, &str, &str, String) -> Result<(), Fail> + Send + 'static,
) -> Result<Response, Fail> {
    let (account, e164) = account_of(state, &f.phone).await?;
    let staff = s.staff.id.clone();
    state
        .db
        .write(move |c| what(c, &account, &staff, f.device))
        .await?;
    Ok(back(&e164))
}

/// The citizen's account to be erased after the grace period.
pub async fn delete(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<Act>,
) -> Result<Response, Fail> {
    let grace = state.accounts.grace;
    on_account(&state, &s, f, move |c, account, staff, _| {
        accounts::ask_deletion(c, account, Some(staff), grace, Utc::now()).map(drop)
    })
    .await
}

/// The citizen changed their mind: the deletion is called off.
pub async fn keep(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<Act>,
) -> Result<Response, Fail> {
    on_account(&state, &s, f, |c, account, staff, _| {
        accounts::cancel_deletion(c, account, Some(staff))
    })
    .await
}

/// A lost or stolen phone: its token opens nothing more (what it made stays the account's).
pub async fn revoke(
    State(state): State<AppState>,
    s: Signed,
    Form(f): Form<Act>,
) -> Result<Response, Fail> {
    on_account(&state, &s, f, |c, account, staff, device| {
        // Only a device of this account.
        let id = crate::store::parse_uuid(&device).map_err(|_| Fail::not_found("device"))?;
        if crate::owners::account_of(c, id)?.as_deref() != Some(account) {
            return Err(Fail::not_found("device"));
        }
        accounts::revoke(c, id, Some(staff)).map(drop)
    })
    .await
}
