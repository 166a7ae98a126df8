//! How values are kept in SQLite and how what the citizen typed is checked before it is: times as
//! RFC 3339 UTC text, ids as UUID text, photo names as SHA-256 hex. Shared by every domain; knows
//! none of them.

use chrono::{DateTime, SecondsFormat, Utc};
use hues_wire::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::error::CoreError;

/// A photo name: 64 lower-case hex digits (never a path).
pub(crate) fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A free text the citizen typed: no control characters (they break the XML and CSV others
/// read), at most `max` characters; the error names the field.
pub(crate) fn check_text(field: &str, text: &str, max: usize) -> Result<(), CoreError> {
    hues_wire::validate::check_free_text(text, max).map_err(|code| {
        let what = match code {
            ErrorCode::ControlCharacter => "holds a control character",
            _ => "is too long",
        };
        CoreError::Invalid(ApiError::new(code, format!("{field} {what}")))
    })
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>, CoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| CoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

pub(crate) fn parse_id(s: &str) -> Result<Uuid, CoreError> {
    Uuid::parse_str(s).map_err(|e| CoreError::Corrupt(format!("id {s:?}: {e}")))
}
