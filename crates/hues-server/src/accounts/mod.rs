//! Citizens' accounts (issue 15). An account is a phone number. A device asks for a code for a
//! number (`POST /api/v1/account/code`); the code (6 digits, 5 minutes, one use, at most 5 wrong
//! tries; kept as a salted SHA-256) goes out through the configured SMS sender; the device sends
//! it back (`POST /api/v1/account/verify`) and is linked to the number's account (made on first
//! use). Sending is limited per number and per device. An identity provider is the other way in
//! (`oidc`). What the account holds, its export and its erasure are in `data`.
//!
//! Signing out revokes the device: its token opens nothing more, while what it made stays the
//! account's (the app starts again as a new anonymous device).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hues_wire::ErrorCode;
use hues_wire::account::{
    self, AccountStatus, CODE_TTL_SECONDS, CodeRequest, CodeSent, MAX_SENDS_PER_DEVICE_HOUR,
    MAX_SENDS_PER_NUMBER, MAX_TRIES, RESEND_WINDOW_SECONDS, SignedIn, VerifyCode,
};
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiResult, Fail};
use crate::extract::{Device, Json};
use crate::{AppState, owners, store};

pub mod data;
pub mod oidc;

pub use data::{
    ask_deletion, cancel_deletion, erase_due, erase_every_hour, export_for, my_place,
    pending_deletion,
};

/// How citizens sign in, and how long a deletion waits.
#[derive(Debug, Clone)]
pub struct Settings {
    pub sms: Sms,
    pub oidc: Option<oidc::Provider>,
    /// Between "delete my account" and the erasure.
    pub grace: chrono::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sms: Sms::Log,
            oidc: None,
            grace: chrono::Duration::days(account::DELETION_GRACE_DAYS),
        }
    }
}

pub use oidc::Provider as OidcProvider;

/// Where codes go.
#[derive(Debug, Clone, Default)]
pub enum Sms {
    /// An HTTP SMS gateway: `POST url` with `{"to", "text"}` and `Authorization: Bearer key`.
    Gateway { url: String, key: String },
    /// The server's log only (no gateway configured).
    #[default]
    Log,
    /// The demo's: the log, and the console's page of citizens' accounts shows the last ones.
    Demo(DemoInbox),
}

/// The demo's last messages (at most 20), for the console.
#[derive(Debug, Clone, Default)]
pub struct DemoInbox(std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<DemoSms>>>);

#[derive(Debug, Clone)]
pub struct DemoSms {
    pub at: chrono::DateTime<Utc>,
    pub to: String,
    pub text: String,
}

impl DemoInbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<DemoSms>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, to: &str, text: &str) {
        let mut q = self.lock();
        if q.len() == 20 {
            q.pop_back();
        }
        q.push_front(DemoSms {
            at: Utc::now(),
            to: to.to_owned(),
            text: text.to_owned(),
        });
    }

    /// Newest first.
    pub fn recent(&self) -> Vec<DemoSms> {
        self.lock().iter().cloned().collect()
    }
}

impl Sms {
    pub async fn send(&self, to: &str, text: &str) -> Result<(), String> {
        match self {
            Sms::Log => {
                tracing::info!(to, text, "SMS (no gateway: not sent, printed here)");
                Ok(())
            }
            Sms::Demo(inbox) => {
                tracing::info!(
                    to,
                    text,
                    "SMS (demo: not sent, printed here and in the console)"
                );
                inbox.push(to, text);
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
    sign_in(conn, device, phone)
}

/// The account of a proven number (made on first use), and this device linked to it.
pub(crate) fn sign_in(conn: &Connection, device: Uuid, phone: &str) -> Result<SignedIn, Fail> {
    let existing: Option<String> = conn
        .prepare_cached("SELECT id FROM accounts WHERE phone = ?1")?
        .query_row([phone], |r| r.get(0))
        .optional()?;
    // Refused before anything is made: a device signed in to another account.
    if let Some(current) = owners::account_of(conn, device)?
        && Some(&current) != existing.as_ref()
    {
        return Err(other_account());
    }
    let (account, new_account) = match existing {
        Some(a) => (a, false),
        None => {
            let a = Uuid::now_v7().to_string();
            conn.prepare_cached(
                "INSERT INTO accounts (id, phone, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![a, phone, crate::db::ts(Utc::now())])?;
            (a, true)
        }
    };
    link(conn, device, &account, phone)?;
    Ok(SignedIn {
        account: Uuid::parse_str(&account).map_err(Fail::internal)?,
        phone: account::mask_phone(phone),
        new_account,
    })
}

fn other_account() -> Fail {
    Fail::new(
        ErrorCode::OtherAccount,
        "this device is signed in to another account: sign out first",
    )
}

/// Links a device to an account. An anonymous device brings its history (reports, follows,
/// dossiers, bookings) into the account, once: a device is never linked to a second account.
/// The contact centre's cases for the number join the account, and everything the account
/// holds is marked changed so this device's next sync brings it, wherever its cursor stands.
fn link(conn: &Connection, device: Uuid, account: &str, phone: &str) -> Result<(), Fail> {
    match owners::account_of(conn, device)? {
        Some(a) if a == account => {}
        Some(_) => return Err(other_account()),
        None => {
            conn.prepare_cached(
                "INSERT INTO account_devices (device_id, account_id, linked_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![device.to_string(), account, crate::db::ts(Utc::now())])?;
        }
    }
    link_cases(conn, account, phone)?;
    retouch(conn, account)
}

/// The ways a number may have been typed at the contact centre, reduced to digits.
fn phone_digits(e164: &str) -> (String, String) {
    let national = e164.trim_start_matches("+84");
    (format!("84{national}"), format!("0{national}"))
}

/// Joins to the account every case the contact centre filed for its number (however the number
/// was typed there).
pub(crate) fn link_cases(conn: &Connection, account: &str, phone: &str) -> Result<usize, Fail> {
    let (intl, national) = phone_digits(phone);
    Ok(conn
        .prepare_cached(
            "INSERT OR IGNORE INTO account_cases (report_id, account_id)
             SELECT report_id, ?1 FROM case_contacts
             WHERE replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''),
                   '.', ''), '(', ''), ')', ''), '+', '') IN (?2, ?3)",
        )?
        .execute(params![account, intl, national])?)
}

/// Marks everything the account holds as changed (a new place in the feed).
fn retouch(conn: &Connection, account: &str) -> Result<(), Fail> {
    let reports: Vec<(String, String)> = conn
        .prepare_cached(
            "WITH mine(d) AS (SELECT device_id FROM account_devices WHERE account_id = ?1)
             SELECT id, device_id FROM reports WHERE device_id IN mine
             UNION SELECT r.id, r.device_id FROM reports r JOIN followers f ON f.report_id = r.id
                 WHERE f.device_id IN mine
             UNION SELECT r.id, r.device_id FROM reports r JOIN account_cases c ON c.report_id = r.id
                 WHERE c.account_id = ?1",
        )?
        .query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, owner) in reports {
        store::touch_report(conn, store::parse_uuid(&id)?, store::parse_uuid(&owner)?)?;
    }
    let owned: Vec<(String, String, String)> = conn
        .prepare_cached(
            "WITH mine(d) AS (SELECT device_id FROM account_devices WHERE account_id = ?1)
             SELECT 'booking', id, device_id FROM bookings WHERE device_id IN mine
             UNION ALL SELECT 'my_place', id, device_id FROM my_places WHERE device_id IN mine",
        )?
        .query_map([account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, id, owner) in owned {
        store::touch_owned(conn, &kind, &id, store::parse_uuid(&owner)?)?;
    }
    let dossiers: Vec<String> = conn
        .prepare_cached(
            "SELECT DISTINCT code FROM dossier_trackers WHERE device_id IN
                 (SELECT device_id FROM account_devices WHERE account_id = ?1)",
        )?
        .query_map([account], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for code in dossiers {
        store::touch_tracked(conn, "dossier", &code)?;
    }
    Ok(())
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
    let text = crate::i18n::Tr::new("vi").t1("sms-sign-in-code", "code", &code);
    state
        .accounts
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

/// Revokes a device: its token opens nothing more. What it made stays its account's. Audited
/// (when staff did it) under the account's id, so that an erasure leaves no device id behind.
pub fn revoke(conn: &Connection, device: Uuid, staff_id: Option<&str>) -> Result<bool, Fail> {
    let n = conn
        .prepare_cached("UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![device.to_string(), store::ts(Utc::now())])?;
    if n > 0 && staff_id.is_some() {
        let account = owners::account_of(conn, device)?.unwrap_or_default();
        crate::staff::audit(
            conn,
            staff_id,
            "device.revoke",
            &account,
            None,
            None,
            Utc::now(),
        )?;
    }
    Ok(n > 0)
}

/// Sign this device out: it is revoked (the app registers anew, as an anonymous device, and
/// keeps nothing of the account's). An anonymous device has nothing to sign out of.
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
            if owners::account_of(c, device)?.is_some() {
                revoke(c, device, None)?;
            }
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account of a device, as the app shows it.
pub async fn status_of(state: &AppState, device: Uuid) -> Result<AccountStatus, Fail> {
    let identity_provider = state.accounts.oidc.is_some();
    state
        .db
        .read(move |c| {
            let Some(account) = owners::account_of(c, device)? else {
                return Ok(AccountStatus {
                    account: None,
                    phone: None,
                    erase_after: None,
                    identity_provider,
                });
            };
            let phone: String = c
                .prepare_cached("SELECT phone FROM accounts WHERE id = ?1")?
                .query_row([&account], |r| r.get(0))?;
            Ok(AccountStatus {
                account: Some(store::parse_uuid(&account)?),
                phone: Some(account::mask_phone(&phone)),
                erase_after: data::pending_deletion(c, &account)?,
                identity_provider,
            })
        })
        .await
}

/// This device's account (none: anonymous), a pending deletion, and whether an identity
/// provider is offered.
#[utoipa::path(get, path = "/api/v1/account", tag = "citizen",
    security(("bearer" = [])),
    responses((status = 200, body = AccountStatus), (status = 401, body = hues_wire::ApiError)))]
pub async fn status(
    State(state): State<AppState>,
    Device(device): Device,
) -> ApiResult<axum::Json<AccountStatus>> {
    status_of(&state, device).await.map(axum::Json)
}

/// A case the contact centre just filed: it joins the account of the caller's number, if there
/// is one (a later sign-in links the others).
pub fn link_new_case(conn: &Connection, report: Uuid, phone: &str) -> Result<(), Fail> {
    let Some(e164) = account::normalize_phone(phone) else {
        return Ok(());
    };
    conn.prepare_cached(
        "INSERT OR IGNORE INTO account_cases (report_id, account_id)
         SELECT ?1, id FROM accounts WHERE phone = ?2",
    )?
    .execute(params![report.to_string(), e164])?;
    Ok(())
}
