//! Signing in through an OpenID Connect provider (the seam for VNeID): authorization code with
//! PKCE (S256) for a native app (RFC 8252), the server as the confidential client. The app
//! listens on a loopback address, asks for a start (`POST /api/v1/account/oidc/start` with that
//! address) and opens the returned page in the system browser; the provider sends the browser
//! back to the app's loopback address with a code, and the app hands it over
//! (`POST /api/v1/account/oidc/finish`) with its own token. The server checks that this device
//! started that sign-in, trades the code (with the PKCE verifier it kept) for an ID token,
//! checks it (signature from the provider's keys, issuer, audience, expiry, nonce) and links
//! the device to the account of the identity — made from the provider's verified phone number
//! on first use, since an account is a number the contact centre can call back (decision 0037).
//! The code never passes through anyone else's device: a sign-in link sent to someone else
//! brings its code to their phone, not the sender's.

use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use hues_wire::ErrorCode;
use hues_wire::account::{AccountStatus, OidcFinish, OidcStart, OidcStartRequest};
use rand::Rng;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiResult, Fail};
use crate::extract::{Device, Json};
use crate::outbound;

/// A provider, as configured (`--oidc-issuer`, `--oidc-client-id`, `--oidc-client-secret`).
#[derive(Debug, Clone)]
pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// The way back to the app: its own loopback address (RFC 8252, 7.3), nothing else.
fn loopback(uri: &str) -> Result<String, Fail> {
    let bad = || {
        Fail::new(
            ErrorCode::InvalidValue,
            "redirect_uri: the app's loopback address (http://127.0.0.1:PORT/...)",
        )
    };
    let rest = uri
        .strip_prefix("http://127.0.0.1:")
        .or_else(|| uri.strip_prefix("http://[::1]:"))
        .ok_or_else(bad)?;
    let (port, path) = rest.split_once('/').ok_or_else(bad)?;
    if port.parse::<u16>().is_err() || uri.len() > 200 || path.contains(['?', '#']) {
        return Err(bad());
    }
    Ok(uri.to_owned())
}

/// How long a started sign-in waits for the browser to come back.
const LOGIN_TTL_SECONDS: i64 = 600;

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

fn unavailable(what: impl std::fmt::Display) -> Fail {
    tracing::warn!(error = %what, "identity provider");
    Fail::new(
        ErrorCode::Network,
        "the identity provider cannot be reached; sign in with your phone number",
    )
}

async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, Fail> {
    let (status, body) = outbound::get(url).await.map_err(unavailable)?;
    if status != 200 {
        return Err(unavailable(format!("{url} answered {status}")));
    }
    serde_json::from_str(&body).map_err(|e| unavailable(format!("{url}: {e}")))
}

async fn discover(p: &Provider) -> Result<Discovery, Fail> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        p.issuer.trim_end_matches('/')
    );
    let d: Discovery = get_json(&url).await?;
    if d.issuer.trim_end_matches('/') != p.issuer.trim_end_matches('/') {
        return Err(unavailable(format!(
            "the provider calls itself {:?}, not {:?}",
            d.issuer, p.issuer
        )));
    }
    Ok(d)
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// The PKCE challenge of a verifier (RFC 7636, S256).
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Start signing in through the identity provider: where to send the citizen's browser.
#[utoipa::path(post, path = "/api/v1/account/oidc/start", tag = "citizen",
    security(("bearer" = [])), request_body = OidcStartRequest,
    responses((status = 200, body = OidcStart), (status = 401, body = hues_wire::ApiError),
        (status = 404, description = "no identity provider configured", body = hues_wire::ApiError),
        (status = 422, description = "not a loopback address", body = hues_wire::ApiError),
        (status = 503, description = "the provider cannot be reached", body = hues_wire::ApiError)))]
pub async fn start(
    State(state): State<AppState>,
    Device(device): Device,
    Json(req): Json<OidcStartRequest>,
) -> ApiResult<axum::Json<OidcStart>> {
    let provider = state
        .accounts
        .oidc
        .clone()
        .ok_or_else(|| Fail::not_found("identity provider"))?;
    let redirect = loopback(&req.redirect_uri)?;
    let d = discover(&provider).await?;
    let login_state = random_hex(24);
    let verifier = random_hex(32);
    let nonce = random_hex(16);
    let (s, v, n, r) = (
        login_state.clone(),
        verifier.clone(),
        nonce.clone(),
        redirect.clone(),
    );
    state
        .db
        .write(move |c| {
            let now = Utc::now().timestamp();
            c.prepare_cached("DELETE FROM oidc_logins WHERE created_at < ?1")?
                .execute([now - LOGIN_TTL_SECONDS])?;
            c.prepare_cached(
                "INSERT INTO oidc_logins (state, device_id, verifier, nonce, created_at, redirect_uri)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![s, device.to_string(), v, n, now, r])?;
            Ok(())
        })
        .await?;
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", provider.client_id.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("scope", "openid phone"),
        ("state", login_state.as_str()),
        ("nonce", nonce.as_str()),
        ("code_challenge", challenge(&verifier).as_str()),
        ("code_challenge_method", "S256"),
    ])
    .map_err(Fail::internal)?;
    let sep = if d.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    Ok(axum::Json(OidcStart {
        authorize_url: format!("{}{sep}{query}", d.authorization_endpoint),
        state: login_state,
    }))
}

#[derive(Debug, Deserialize)]
struct Tokens {
    id_token: String,
}

#[derive(Debug, Deserialize)]
struct IdClaims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    phone_number_verified: Option<bool>,
}

/// Checks an ID token against the provider's published keys, issuer, audience, expiry and nonce.
async fn check_id_token(
    p: &Provider,
    d: &Discovery,
    token: &str,
    nonce: &str,
) -> Result<IdClaims, Fail> {
    let refused = |why: String| {
        tracing::warn!(why, "an ID token refused");
        Fail::new(
            ErrorCode::Forbidden,
            "the identity provider's answer is not valid",
        )
    };
    let header = jsonwebtoken::decode_header(token).map_err(|e| refused(e.to_string()))?;
    let keys: jsonwebtoken::jwk::JwkSet = get_json(&d.jwks_uri).await?;
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None => keys.keys.first(),
    }
    .ok_or_else(|| refused("no key of the provider's matches".into()))?;
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|e| refused(e.to_string()))?;
    let mut v = jsonwebtoken::Validation::new(header.alg);
    v.set_issuer(&[d.issuer.as_str()]);
    v.set_audience(&[p.client_id.as_str()]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data =
        jsonwebtoken::decode::<IdClaims>(token, &key, &v).map_err(|e| refused(e.to_string()))?;
    if data.claims.nonce.as_deref() != Some(nonce) {
        return Err(refused("the nonce does not match".into()));
    }
    Ok(data.claims)
}

/// The app hands over the code the provider sent back to it: this device is then signed in.
#[utoipa::path(post, path = "/api/v1/account/oidc/finish", tag = "citizen",
    security(("bearer" = [])), request_body = OidcFinish,
    responses((status = 200, body = AccountStatus), (status = 401, body = hues_wire::ApiError),
        (status = 403, description = "the provider's answer is not valid, or it gave no verified number", body = hues_wire::ApiError),
        (status = 409, description = "this device is signed in to another account", body = hues_wire::ApiError),
        (status = 422, description = "no such sign-in started by this device, or expired", body = hues_wire::ApiError),
        (status = 503, description = "the provider cannot be reached", body = hues_wire::ApiError)))]
pub async fn finish(
    State(state): State<AppState>,
    Device(device): Device,
    Json(req): Json<OidcFinish>,
) -> ApiResult<axum::Json<AccountStatus>> {
    complete(&state, device, req).await?;
    super::status_of(&state, device).await.map(axum::Json)
}

async fn complete(state: &AppState, device: uuid::Uuid, req: OidcFinish) -> Result<(), Fail> {
    let provider = state
        .accounts
        .oidc
        .clone()
        .ok_or_else(|| Fail::not_found("identity provider"))?;
    // One use: the sign-in is taken out whatever happens next; only the device that started
    // it may finish it.
    let login_state = req.state.clone();
    let login: Option<(String, String, String)> = state
        .db
        .write(move |c| {
            let row = c
                .prepare_cached(
                    "SELECT verifier, nonce, redirect_uri FROM oidc_logins
                     WHERE state = ?1 AND device_id = ?2 AND created_at >= ?3",
                )?
                .query_row(
                    params![
                        login_state,
                        device.to_string(),
                        Utc::now().timestamp() - LOGIN_TTL_SECONDS
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if row.is_some() {
                c.prepare_cached("DELETE FROM oidc_logins WHERE state = ?1")?
                    .execute([&login_state])?;
            }
            Ok(row)
        })
        .await?;
    let Some((verifier, nonce, redirect)) = login else {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            "state: no such sign-in started by this device, or expired",
        ));
    };
    let code = req.code;
    let d = discover(&provider).await?;
    let mut fields = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("client_id", provider.client_id.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    if let Some(secret) = &provider.client_secret {
        fields.push(("client_secret", secret.as_str()));
    }
    let (status, body) = outbound::post_form(&d.token_endpoint, &fields)
        .await
        .map_err(unavailable)?;
    if status != 200 {
        return Err(Fail::new(
            ErrorCode::Forbidden,
            format!(
                "the token endpoint answered {status}: {}",
                body.chars().take(200).collect::<String>()
            ),
        ));
    }
    let tokens: Tokens = serde_json::from_str(&body).map_err(|e| unavailable(e.to_string()))?;
    let claims = check_id_token(&provider, &d, &tokens.id_token, &nonce).await?;
    let issuer = d.issuer.clone();
    state
        .db
        .run(move |c| {
            let tx = c.transaction()?;
            let known: Option<String> = tx
                .prepare_cached(
                    "SELECT a.phone FROM account_identities i JOIN accounts a ON a.id = i.account_id
                     WHERE i.issuer = ?1 AND i.subject = ?2",
                )?
                .query_row(params![issuer, claims.sub], |r| r.get(0))
                .optional()?;
            let phone = match known {
                Some(p) => p,
                None => claims
                    .phone_number
                    .as_deref()
                    .filter(|_| claims.phone_number_verified == Some(true))
                    .and_then(hues_wire::account::normalize_phone)
                    .ok_or_else(|| {
                        Fail::new(
                            ErrorCode::Forbidden,
                            "phone: the provider gave no verified Vietnamese phone number",
                        )
                    })?,
            };
            let signed = super::sign_in(&tx, device, &phone)?;
            tx.prepare_cached(
                "INSERT OR IGNORE INTO account_identities (issuer, subject, account_id, linked_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                issuer,
                claims.sub,
                signed.account.to_string(),
                crate::store::ts(Utc::now())
            ])?;
            tx.commit()?;
            Ok(())
        })
        .await
}
