//! Zalo Official Account: the webhook (`X-ZEvent-Signature: mac=<hex>` where the MAC is
//! SHA-256 of app id + raw body + the body's `timestamp` + the OA secret key) and the
//! consultation message API (`POST {api}/v3.0/oa/message/cs`, header `access_token`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2_next::{Digest, Sha256};

use super::{Inbound, Kind, ZALO, ZaloSettings, fresh, same};
use crate::AppState;

/// The MAC Zalo puts in `X-ZEvent-Signature` (after `mac=`).
pub fn mac(app_id: &str, body: &[u8], timestamp: &str, oa_secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(body);
    h.update(timestamp.as_bytes());
    h.update(oa_secret.as_bytes());
    hex::encode(h.finalize())
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The messages of one event (none for events that are not a citizen's message).
pub fn parse(v: &Value) -> Option<(DateTime<Utc>, Vec<Inbound>)> {
    let ms: i64 = text(&v["timestamp"])?.parse().ok()?;
    let at = DateTime::from_timestamp_millis(ms)?;
    let user = text(&v["sender"]["id"])?;
    let msg = &v["message"];
    let id = text(&msg["msg_id"])?;
    let one = |n: usize, kind: Kind| Inbound {
        channel: ZALO,
        user: user.clone(),
        platform_id: if n == 0 {
            id.clone()
        } else {
            format!("{id}:{n}")
        },
        sent_at: at,
        kind,
    };
    let mut out = Vec::new();
    match v["event_name"].as_str()? {
        "user_send_text" => out.push(one(0, Kind::Text(text(&msg["text"])?))),
        "user_send_image" => {
            for (n, a) in msg["attachments"].as_array()?.iter().enumerate() {
                if let Some(url) = text(&a["payload"]["url"]) {
                    out.push(one(n, Kind::Photo(url)));
                }
            }
            if let Some(t) = text(&msg["text"]).filter(|t| !t.is_empty()) {
                out.push(one(99, Kind::Text(t)));
            }
        }
        "user_send_location" => {
            for (n, a) in msg["attachments"].as_array()?.iter().enumerate() {
                let c = &a["payload"]["coordinates"];
                let lat = text(&c["latitude"]).and_then(|x| x.parse::<f64>().ok());
                let lon = text(&c["longitude"]).and_then(|x| x.parse::<f64>().ok());
                if let (Some(lat), Some(lon)) = (lat, lon)
                    && (-90.0..=90.0).contains(&lat)
                    && (-180.0..=180.0).contains(&lon)
                {
                    out.push(one(n, Kind::Location(lat, lon)));
                }
            }
        }
        _ => {}
    }
    Some((at, out))
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (status, why.to_owned()).into_response()
}

/// `POST /webhooks/zalo`.
pub async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(z) = state.channels.zalo.clone() else {
        return refuse(StatusCode::NOT_FOUND, "Zalo is not configured");
    };
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "not JSON");
    };
    let Some(timestamp) = text(&v["timestamp"]) else {
        return refuse(StatusCode::BAD_REQUEST, "no timestamp");
    };
    let given = headers
        .get("x-zevent-signature")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().strip_prefix("mac="))
        .unwrap_or_default();
    let want = mac(&z.app_id, &body, &timestamp, &z.oa_secret);
    if !same(given.as_bytes(), want.as_bytes()) {
        return refuse(StatusCode::UNAUTHORIZED, "bad signature");
    }
    let Some((at, messages)) = parse(&v) else {
        // A signed event we do not take (a follow, a sticker…): acknowledged.
        return StatusCode::OK.into_response();
    };
    if !fresh(at, Utc::now()) {
        return refuse(StatusCode::FORBIDDEN, "stale delivery (a replay?)");
    }
    match state.db.write(move |c| super::record(c, &messages)).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Sends a consultation message to the citizen.
pub async fn send(z: &ZaloSettings, user: &str, text: &str) -> Result<(), String> {
    let url = format!("{}/v3.0/oa/message/cs", z.api_base.trim_end_matches('/'));
    let body = serde_json::json!({
        "recipient": { "user_id": user },
        "message": { "text": text },
    });
    let (status, answer) =
        super::post_json(&url, &[("access_token", &z.access_token)], &body).await?;
    let v: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
    if status == 200 && v["error"].as_i64() == Some(0) {
        Ok(())
    } else {
        Err(format!(
            "Zalo answered {status}: {}",
            answer.chars().take(200).collect::<String>()
        ))
    }
}
