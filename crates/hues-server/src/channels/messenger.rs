//! Facebook Messenger: the webhook's verification (`hub.challenge` for the verify token),
//! its signature (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app
//! secret>`), and the Send API (`POST {api}/v21.0/me/messages?access_token=…`, a RESPONSE
//! within 24 hours of the citizen's last message).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use serde::Deserialize;
use serde_json::Value;

use super::{Inbound, Kind, MESSENGER, MessengerSettings, fresh, same};
use crate::AppState;

type HmacSha256 = hmac::Hmac<sha2_next::Sha256>;

/// The signature Messenger puts in `X-Hub-Signature-256` (after `sha256=`).
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length; were it refused, no signature would match ("").
    let Ok(mut m) = <HmacSha256 as KeyInit>::new_from_slice(app_secret.as_bytes()) else {
        return String::new();
    };
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

#[derive(Deserialize)]
pub struct Challenge {
    #[serde(rename = "hub.mode", default)]
    mode: String,
    #[serde(rename = "hub.verify_token", default)]
    token: String,
    #[serde(rename = "hub.challenge", default)]
    challenge: String,
}

/// `GET /webhooks/messenger`: Meta's check that the URL is ours.
pub async fn verify(State(state): State<AppState>, Query(q): Query<Challenge>) -> Response {
    match &state.channels.messenger {
        Some(m) if q.mode == "subscribe" && same(q.token.as_bytes(), m.verify_token.as_bytes()) => {
            (StatusCode::OK, q.challenge).into_response()
        }
        Some(_) => (StatusCode::FORBIDDEN, "wrong verify token").into_response(),
        None => (StatusCode::NOT_FOUND, "Messenger is not configured").into_response(),
    }
}

/// The messages of one delivery, each with its time (a batch may hold several).
pub fn parse(v: &Value) -> Vec<Inbound> {
    let mut out = Vec::new();
    for entry in v["entry"].as_array().into_iter().flatten() {
        for ev in entry["messaging"].as_array().into_iter().flatten() {
            let msg = &ev["message"];
            let (Some(user), Some(mid), Some(ms)) = (
                ev["sender"]["id"].as_str(),
                msg["mid"].as_str(),
                ev["timestamp"].as_i64(),
            ) else {
                continue;
            };
            if msg["is_echo"].as_bool() == Some(true) {
                continue;
            }
            let Some(at) = DateTime::from_timestamp_millis(ms) else {
                continue;
            };
            let one = |n: usize, kind: Kind| Inbound {
                channel: MESSENGER,
                user: user.to_owned(),
                platform_id: if n == 0 {
                    mid.to_owned()
                } else {
                    format!("{mid}:{n}")
                },
                sent_at: at,
                kind,
            };
            if let Some(t) = msg["text"].as_str() {
                out.push(one(0, Kind::Text(t.to_owned())));
            }
            for (n, a) in msg["attachments"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let p = &a["payload"];
                match a["type"].as_str() {
                    Some("image") => {
                        if let Some(url) = p["url"].as_str() {
                            out.push(one(n + 1, Kind::Photo(url.to_owned())));
                        }
                    }
                    Some("location") => {
                        let c = &p["coordinates"];
                        if let (Some(lat), Some(lon)) = (c["lat"].as_f64(), c["long"].as_f64())
                            && (-90.0..=90.0).contains(&lat)
                            && (-180.0..=180.0).contains(&lon)
                        {
                            out.push(one(n + 1, Kind::Location(lat, lon)));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// `POST /webhooks/messenger`.
pub async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(m) = state.channels.messenger.clone() else {
        return (StatusCode::NOT_FOUND, "Messenger is not configured").into_response();
    };
    let given = headers
        .get("x-hub-signature-256")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let want = signature(&m.app_secret, &body);
    if !same(given.as_bytes(), want.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    if v["object"].as_str() != Some("page") {
        return (StatusCode::NOT_FOUND, "not a page subscription").into_response();
    }
    let now = Utc::now();
    let messages = parse(&v);
    if messages.iter().any(|x| !fresh(x.sent_at, now)) {
        return (StatusCode::FORBIDDEN, "stale delivery (a replay?)").into_response();
    }
    match state.db.write(move |c| super::record(c, &messages)).await {
        Ok(_) => (StatusCode::OK, "EVENT_RECEIVED").into_response(),
        Err(e) => e.into_response(),
    }
}

/// Sends a reply to the citizen.
pub async fn send(m: &MessengerSettings, user: &str, text: &str) -> Result<(), String> {
    let url = format!(
        "{}/v21.0/me/messages?access_token={}",
        m.api_base.trim_end_matches('/'),
        m.page_token
    );
    let body = serde_json::json!({
        "recipient": { "id": user },
        "messaging_type": "RESPONSE",
        "message": { "text": text },
    });
    let (status, answer) = super::post_json(&url, &[], &body).await?;
    if status == 200 {
        Ok(())
    } else {
        Err(format!(
            "Messenger answered {status}: {}",
            answer.chars().take(200).collect::<String>()
        ))
    }
}
