//! Citizens' accounts (issue 15), first part: signing in with a phone number. A device asks for
//! a code for a number (`POST /api/v1/account/code`); the code (6 digits, 5 minutes, one use,
//! at most 5 wrong tries; kept as a salted SHA-256) goes out through the configured SMS sender;
//! the device sends it back (`POST /api/v1/account/verify`) and is linked to the number's
//! account (made on first use). Sending is limited per number and per device.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hues_wire::ErrorCode;
use hues_wire::account::{
    self, CODE_TTL_SECONDS, CodeRequest, CodeSent, MAX_SENDS_PER_DEVICE_HOUR, MAX_SENDS_PER_NUMBER,
    MAX_TRIES, RESEND_WINDOW_SECONDS, SignedIn, VerifyCode,
};
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiResult, Fail};
use crate::extract::{Device, Json};

/// Where codes go.
#[derive(Debug, Clone, Default)]
pub enum Sms {
    /// An HTTP SMS gateway: `POST url` with `{"to", "text"}` and `Authorization: Bearer key`.
    Gateway { url: String, key: String },
    /// The server's log (the demo's): the code is printed for whoever runs it.
    #[default]
    Log,
}

impl Sms {
    pub async fn send(&self, to: &str, text: &str) -> Result<(), String> {
        match self {
            Sms::Log => {
                tracing::info!(to, text, "SMS (demo: not sent, printed here)");
                Ok(())
            }
            Sms::Gateway { url, key } => {
                let auth = format!("Bearer {key}");
                let body = serde_json::json!({ "to": to, "text": text });
                let (status, answer) =
                    crate::channels::post_json(url, &[("authorization", &auth)], &body).await?;
                if (200..300).contains(&status) {
                    Ok(())
                } else {
                    Err(format!(
                        "the SMS gateway answered {status}: {}",
                        answer.chars().take(200).collect::<String>()
                    ))
                }
            }
        }
    }
}

fn hash(salt: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}{code}")))
}

fn phone_of(raw: &str) -> Result<String, Fail> {
    account::normalize_phone(raw).ok_or_else(|| {
        Fail::new(
            ErrorCode::InvalidValue,
            "phone: not a Vietnamese mobile number",
        )
    })
}

/// Makes and keeps a code for `phone`, after the sending limits; returns it (to be sent).
pub fn issue(conn: &Connection, device: Uuid, phone: &str, now: i64) -> Result<String, Fail> {
    let sent_to_number: u32 = conn
        .prepare_cached("SELECT count(*) FROM otp_codes WHERE phone = ?1 AND created_at > ?2")?
        .query_row(params![phone, now - RESEND_WINDOW_SECONDS], |r| r.get(0))?;
    if sent_to_number >= MAX_SENDS_PER_NUMBER {
        return Err(Fail::new(
            ErrorCode::RateLimited,
            "too many codes sent to this number; try again in a quarter of an hour",
        ));
    }
    let sent_by_device: u32 = conn
        .prepare_cached("SELECT count(*) FROM otp_codes WHERE device_id = ?1 AND created_at > ?2")?
        .query_row(params![device.to_string(), now - 3600], |r| r.get(0))?;
    if sent_by_device >= MAX_SENDS_PER_DEVICE_HOUR {
        return Err(Fail::new(
            ErrorCode::RateLimited,
            "too many codes asked from this device; try again in an hour",
        ));
    }
    let mut rng = rand::rng();
    let code = format!("{:06}", rng.random_range(0..1_000_000u32));
    let salt = hex::encode(rng.random::<[u8; 16]>());
    conn.prepare_cached(
        "INSERT INTO otp_codes (phone, device_id, salt, code_hash, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        phone,
        device.to_string(),
        salt,
        hash(&salt, &code),
        now,
        now + CODE_TTL_SECONDS
    ])?;
    Ok(code)
}

/// Checks a code against the device's latest unexpired code for the number. Right: spent, and the device
/// linked to the number's account. Wrong: one try fewer (422), none left (429).
pub fn verify(
    conn: &Connection,
    device: Uuid,
    phone: &str,
    code: &str,
    now: i64,
) -> Result<SignedIn, Fail> {
    // The device's latest code for the number (a newer one replaces the older ones).
    let live: Option<(i64, String, String, u32, bool)> = conn
        .prepare_cached(
            "SELECT id, salt, code_hash, tries, used FROM otp_codes
             WHERE phone = ?1 AND device_id = ?2 AND expires_at > ?3
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![phone, device.to_string(), now], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let wrong = || {
        Fail::new(
            ErrorCode::InvalidValue,
            "code: wrong, spent or expired; ask for a new one",
        )
    };
    let Some((id, salt, want, tries, false)) = live else {
        return Err(wrong());
    };
    if tries >= MAX_TRIES {
        return Err(Fail::new(
            ErrorCode::RateLimited,
            "too many wrong codes; ask for a new one",
        ));
    }
    let given = code.trim();
    if !crate::channels::same(hash(&salt, given).as_bytes(), want.as_bytes()) {
        conn.prepare_cached("UPDATE otp_codes SET tries = tries + 1 WHERE id = ?1")?
            .execute([id])?;
        return Err(if tries + 1 >= MAX_TRIES {
            Fail::new(
                ErrorCode::RateLimited,
                "too many wrong codes; ask for a new one",
            )
        } else {
            wrong()
        });
    }
    conn.prepare_cached("UPDATE otp_codes SET used = 1 WHERE id = ?1")?
        .execute([id])?;
    let at = crate::db::ts(Utc::now());
    let existing: Option<String> = conn
        .prepare_cached("SELECT id FROM accounts WHERE phone = ?1")?
        .query_row([phone], |r| r.get(0))
        .optional()?;
    let (account, new_account) = match existing {
        Some(a) => (a, false),
        None => {
            let a = Uuid::now_v7().to_string();
            conn.prepare_cached(
                "INSERT INTO accounts (id, phone, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![a, phone, at])?;
            (a, true)
        }
    };
    conn.prepare_cached(
        "INSERT INTO account_devices (device_id, account_id, linked_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(device_id) DO UPDATE SET account_id = ?2, linked_at = ?3",
    )?
    .execute(params![device.to_string(), account, at])?;
    Ok(SignedIn {
        account: Uuid::parse_str(&account).map_err(Fail::internal)?,
        phone: account::mask_phone(phone),
        new_account,
    })
}

/// Ask for a sign-in code for a phone number; it is sent by SMS.
#[utoipa::path(post, path = "/api/v1/account/code", tag = "citizen",
    security(("bearer" = [])), request_body = CodeRequest,
    responses((status = 200, body = CodeSent), (status = 401, body = hues_wire::ApiError),
        (status = 422, description = "not a Vietnamese mobile number", body = hues_wire::ApiError),
        (status = 429, description = "too many codes for this number or from this device", body = hues_wire::ApiError)))]
pub async fn request_code(
    State(state): State<AppState>,
    Device(device): Device,
    Json(req): Json<CodeRequest>,
) -> ApiResult<axum::Json<CodeSent>> {
    let phone = phone_of(&req.phone)?;
    let p = phone.clone();
    let code = state
        .db
        .write(move |c| issue(c, device, &p, Utc::now().timestamp()))
        .await?;
    // Vietnamese without tone marks: a plain-alphabet SMS costs a third of a Unicode one, and
    // every phone shows it.
    let text = crate::console::Tr::new("vi").t1("sms-sign-in-code", "code", &code);
    state
        .sms
        .send(&phone, &text)
        .await
        .map_err(|e| Fail::internal(format!("sending the code: {e}")))?;
    Ok(axum::Json(CodeSent {
        phone: account::mask_phone(&phone),
        expires_in_s: CODE_TTL_SECONDS,
    }))
}

/// Send back the code: this device is then signed in to the number's account.
#[utoipa::path(post, path = "/api/v1/account/verify", tag = "citizen",
    security(("bearer" = [])), request_body = VerifyCode,
    responses((status = 200, body = SignedIn), (status = 401, body = hues_wire::ApiError),
        (status = 422, description = "the code is wrong, spent or expired", body = hues_wire::ApiError),
        (status = 429, description = "too many wrong codes: ask for a new one", body = hues_wire::ApiError)))]
pub async fn verify_code(
    State(state): State<AppState>,
    Device(device): Device,
    Json(req): Json<VerifyCode>,
) -> ApiResult<axum::Json<SignedIn>> {
    let phone = phone_of(&req.phone)?;
    // A wrong try must count even though the answer is an error: its own write.
    let signed = state
        .db
        .run(move |c| {
            let tx = c.transaction()?;
            let out = verify(&tx, device, &phone, &req.code, Utc::now().timestamp());
            tx.commit()?;
            out
        })
        .await?;
    Ok(axum::Json(signed))
}

/// Sign this device out of its account (what it holds of the account is its own to drop).
#[utoipa::path(post, path = "/api/v1/account/sign-out", tag = "citizen",
    security(("bearer" = [])),
    responses((status = 204, description = "signed out (or was not signed in)"),
        (status = 401, body = hues_wire::ApiError)))]
pub async fn sign_out(
    State(state): State<AppState>,
    Device(device): Device,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |c| {
            c.prepare_cached("DELETE FROM account_devices WHERE device_id = ?1")?
                .execute([device.to_string()])?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
