//! Citizens' accounts (issue 15): signing in with a phone number and a one-time code. The
//! rules both sides know, and the shapes on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;
/// A code is good for this long after it was sent.
pub const CODE_TTL_SECONDS: i64 = 5 * 60;
/// Wrong tries before a code is dead.
pub const MAX_TRIES: u32 = 5;
/// Codes sent to one number within `RESEND_WINDOW_SECONDS`.
pub const MAX_SENDS_PER_NUMBER: u32 = 3;
pub const RESEND_WINDOW_SECONDS: i64 = 15 * 60;
/// Codes one device may ask for in an hour (whatever the numbers).
pub const MAX_SENDS_PER_DEVICE_HOUR: u32 = 5;

/// A Vietnamese mobile number in E.164 (`+84` and nine digits), from how people write it:
/// "0912 345 678", "+84 912-345-678", "84912345678". `None` for anything else.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let rest = digits
        .strip_prefix("+84")
        .or_else(|| digits.strip_prefix("84").filter(|r| r.len() == 9))
        .or_else(|| digits.strip_prefix('0'))?;
    (rest.len() == 9 && rest.chars().all(|c| c.is_ascii_digit()) && !rest.starts_with('0'))
        .then(|| format!("+84{rest}"))
}

/// The number as shown back to its owner on another screen: "+84 91x xxx x78".
pub fn mask_phone(e164: &str) -> String {
    let d: Vec<char> = e164.chars().collect();
    if d.len() < 6 {
        return "…".into();
    }
    let keep_end: String = d[d.len() - 2..].iter().collect();
    let keep_start: String = d[3..5].iter().collect();
    format!("+84 {keep_start}x xxx x{keep_end}")
}

/// `POST /api/v1/account/code`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeRequest {
    pub phone: String,
}

/// A code is on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    /// The number as shown back ("+84 91x xxx x78").
    pub phone: String,
    pub expires_in_s: i64,
}

/// `POST /api/v1/account/verify`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyCode {
    pub phone: String,
    pub code: String,
}

/// This device is now signed in to the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedIn {
    pub account: Uuid,
    pub phone: String,
    /// The account was made by this sign-in.
    pub new_account: bool,
}

/// What a consent covers. The app asks before the first use of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// The position of a report (and of "my places", when signed in) goes to the city.
    Location,
    /// Photos taken for a report go to the city.
    Photos,
}

impl ConsentPurpose {
    pub const ALL: [ConsentPurpose; 2] = [ConsentPurpose::Location, ConsentPurpose::Photos];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPurpose::Location => "location",
            ConsentPurpose::Photos => "photos",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The version of the words the app shows when it asks; a new wording asks again.
pub const CONSENT_TEXT_VERSION: u32 = 1;

/// One answer to a consent question, as the device recorded it (`POST /api/v1/consents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    pub purpose: ConsentPurpose,
    /// `CONSENT_TEXT_VERSION` of the words the citizen answered.
    pub version: u32,
    pub granted: bool,
    /// When the citizen answered (device clock, UTC).
    pub decided_at: DateTime<Utc>,
}

/// One of the citizen's own places (home, work, family), for "affects me"; kept on the server
/// only for a signed-in account, so that every device of it has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyPlace {
    pub id: Uuid,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// What an erased account leaves behind, and the reason (keys of the app's and the console's
/// translations: `kept-<what>` and `kept-<what>-why`).
pub const KEPT_AFTER_ERASURE: [&str; 2] = ["reports", "audit"];

/// Days between asking to delete an account and its erasure (the citizen may change their mind).
pub const DELETION_GRACE_DAYS: i64 = 30;

/// The device's account, as `GET /api/v1/account` tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountStatus {
    /// `None`: this device is anonymous.
    pub account: Option<Uuid>,
    /// The number, masked.
    pub phone: Option<String>,
    /// A deletion asked and not yet done: when the account will be erased.
    pub erase_after: Option<DateTime<Utc>>,
    /// The server offers signing in through an identity provider (OpenID Connect).
    pub identity_provider: bool,
}

/// `POST /api/v1/account/oidc/start`: the app's loopback address the provider sends the
/// browser back to (`http://127.0.0.1:PORT/...`, RFC 8252).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcStartRequest {
    pub redirect_uri: String,
}

/// Where to send the citizen's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcStart {
    pub authorize_url: String,
    /// Comes back with the code; the app checks it is the one it started.
    pub state: String,
}

/// `POST /api/v1/account/oidc/finish`: what the provider sent back to the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcFinish {
    pub state: String,
    pub code: String,
}

/// `POST /api/v1/account/delete`: the citizen confirms with their number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteAccount {
    pub phone: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_write_them() {
        for raw in [
            "0912 345 678",
            "+84 912-345-678",
            "84912345678",
            "(091) 234.5678",
        ] {
            assert_eq!(
                normalize_phone(raw).as_deref(),
                Some("+84912345678"),
                "{raw}"
            );
        }
        for bad in [
            "",
            "12345",
            "0012345678",
            "+1 202 555 0100",
            "09123456789",
            "091234567a",
        ] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
        assert_eq!(mask_phone("+84912345678"), "+84 91x xxx x78");
    }
}
