//! A staff member's own API tokens: machines (scripts, an integration) act as that person with
//! that person's roles, through the operator API. Shown once at creation, kept as SHA-256,
//! revoked from the same page; each creation and revocation is in the audit log.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::Signed;
use super::pages::page;
use crate::AppState;
use crate::error::Fail;
use crate::staff::{self, ApiToken};

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct Tokens {
    tr: super::Tr,
    who: Option<String>,
    nav: super::Nav,
    tokens: Vec<ApiToken>,
    /// A token just made: shown this once.
    created: Option<String>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    s: &Signed,
    created: Option<String>,
    error: Option<String>,
) -> Result<Response, Fail> {
    let id = s.staff.id.clone();
    let tokens = state.db.read(move |c| staff::tokens(c, &id)).await?;
    let failed = error.is_some();
    let mut res = page(Tokens {
        tr: s.tr,
        who: Some(s.staff.display_name.clone()),
        nav: super::Nav::of(&s.staff),
        tokens: tokens
            .into_iter()
            .map(|t| ApiToken {
                created_at: super::pages::local_time(&t.created_at),
                ..t
            })
            .collect(),
        created,
        error,
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn list(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    tokens_page(&state, &s, None, None).await
}

#[derive(Deserialize)]
pub struct NewToken {
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    s: Signed,
    Form(form): Form<NewToken>,
) -> Result<Response, Fail> {
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return tokens_page(&state, &s, None, Some(s.tr.t("tokens-name-missing"))).await;
    }
    let id = s.staff.id.clone();
    let token = state
        .db
        .write(move |c| {
            let now = chrono::Utc::now();
            let token = staff::create_token(c, &id, &name, now)?;
            let after = serde_json::json!({ "name": name }).to_string();
            staff::audit(c, Some(&id), "token.create", &id, None, Some(&after), now)?;
            Ok(token)
        })
        .await?;
    tokens_page(&state, &s, Some(token), None).await
}

pub async fn revoke(
    State(state): State<AppState>,
    s: Signed,
    Path(key): Path<String>,
) -> Result<Response, Fail> {
    let id = s.staff.id.clone();
    let gone = state
        .db
        .write(move |c| {
            let gone = staff::revoke_token(c, &id, &key)?;
            if gone {
                let before = serde_json::json!({ "key": key }).to_string();
                staff::audit(
                    c,
                    Some(&id),
                    "token.revoke",
                    &id,
                    Some(&before),
                    None,
                    chrono::Utc::now(),
                )?;
            }
            Ok(gone)
        })
        .await?;
    let error = (!gone).then(|| s.tr.t("tokens-unknown"));
    tokens_page(&state, &s, None, error).await
}
