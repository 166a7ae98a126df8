//! Citizens' accounts (issue 15): signing in with a phone number and a one-time code. The
//! rules both sides know, and the shapes on the wire.

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
