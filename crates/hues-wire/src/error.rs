//! One error shape everywhere: `{"code": "...", "message": "..."}`. Codes are stable strings that
//! clients branch on and translate; messages are for developers and logs.

use serde::{Deserialize, Serialize};

/// Stable error codes. Never rename a variant: clients and translations key on the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON at all (syntax error, truncated, NaN literal...).
    MalformedJson,
    /// The body lacks a required field.
    MissingField,
    /// A field has the wrong JSON type.
    InvalidType,
    /// A field has the right type but a value we refuse (empty, unknown status...).
    InvalidValue,
    /// Latitude or longitude outside the globe, or not a finite number.
    OutOfRange,
    /// A text field is longer than allowed.
    TooLong,
    /// The report names a category the server does not know.
    UnknownCategory,
    /// The same id was sent before with a different body.
    IdConflict,
    /// No bearer token, or one the server does not know.
    Unauthorized,
    /// A valid token that may not do this (e.g. a citizen on an operator route).
    Forbidden,
    NotFound,
    MethodNotAllowed,
    UnsupportedMediaType,
    PayloadTooLarge,
    RateLimited,
    /// Something failed on the server; details are in its log, never in the response.
    Internal,
    /// Client side: the server could not be reached (offline, refused, timed out).
    Network,
    /// Client side: the local database failed.
    Storage,
    /// Client side: the server answered something we could not understand.
    BadResponse,
    /// A photo file over the size limit (30 MB).
    PhotoTooLarge,
    /// A photo over 40 megapixels.
    PhotoTooManyPixels,
    /// A picture format we do not read (HEIC, AVIF, GIF…).
    PhotoUnsupported,
    /// A file that is not a picture.
    PhotoNotAnImage,
    /// A truncated or damaged picture.
    PhotoCorrupt,
    /// A CAP document that breaks the standard; the message names the element's path.
    InvalidCap,
    /// A text holds a control character (other than newline and tab), which would break the
    /// XML and CSV other systems read.
    ControlCharacter,
    /// A server address that would send the device's token and the citizen's reports in clear
    /// text: `http://` is for this device's own loopback address only.
    InsecureUrl,
    /// The device has used up its photo storage on the server (a total over all its photos).
    QuotaExceeded,
    /// The device is signed in to another account: sign out first.
    OtherAccount,
    /// Client side: signing out would lose what waits to be sent.
    PendingOutbox,
    /// Client side: the citizen has not agreed (or withdrew their agreement) to send positions
    /// or photos; what needs it waits on the device.
    ConsentNeeded,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 31] = [
        Self::MalformedJson,
        Self::MissingField,
        Self::InvalidType,
        Self::InvalidValue,
        Self::OutOfRange,
        Self::TooLong,
        Self::UnknownCategory,
        Self::IdConflict,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::RateLimited,
        Self::Internal,
        Self::Network,
        Self::Storage,
        Self::BadResponse,
        Self::PhotoTooLarge,
        Self::PhotoTooManyPixels,
        Self::PhotoUnsupported,
        Self::PhotoNotAnImage,
        Self::PhotoCorrupt,
        Self::InvalidCap,
        Self::ControlCharacter,
        Self::InsecureUrl,
        Self::QuotaExceeded,
        Self::OtherAccount,
        Self::ConsentNeeded,
        Self::PendingOutbox,
    ];

    /// The stable string form, as it appears in JSON and in translation ids (`error-<code>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::MissingField => "missing_field",
            Self::InvalidType => "invalid_type",
            Self::InvalidValue => "invalid_value",
            Self::OutOfRange => "out_of_range",
            Self::TooLong => "too_long",
            Self::UnknownCategory => "unknown_category",
            Self::IdConflict => "id_conflict",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Network => "network",
            Self::Storage => "storage",
            Self::BadResponse => "bad_response",
            Self::PhotoTooLarge => "photo_too_large",
            Self::PhotoTooManyPixels => "photo_too_many_pixels",
            Self::PhotoUnsupported => "photo_unsupported",
            Self::PhotoNotAnImage => "photo_not_an_image",
            Self::PhotoCorrupt => "photo_corrupt",
            Self::InvalidCap => "invalid_cap",
            Self::ControlCharacter => "control_character",
            Self::InsecureUrl => "insecure_url",
            Self::QuotaExceeded => "quota_exceeded",
            Self::OtherAccount => "other_account",
            Self::ConsentNeeded => "consent_needed",
            Self::PendingOutbox => "pending_outbox",
        }
    }

    /// The HTTP status the server answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::MalformedJson | Self::InvalidCap => 400,
            Self::MissingField
            | Self::InvalidType
            | Self::InvalidValue
            | Self::OutOfRange
            | Self::TooLong
            | Self::UnknownCategory
            | Self::ControlCharacter
            | Self::InsecureUrl => 422,
            Self::IdConflict | Self::OtherAccount => 409,
            Self::ConsentNeeded => 403,
            Self::PendingOutbox => 409,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::UnsupportedMediaType => 415,
            Self::PayloadTooLarge => 413,
            Self::RateLimited => 429,
            Self::Internal | Self::Storage => 500,
            Self::Network => 503,
            Self::BadResponse => 502,
            Self::PhotoTooLarge | Self::PhotoTooManyPixels | Self::QuotaExceeded => 413,
            Self::PhotoUnsupported | Self::PhotoNotAnImage => 415,
            Self::PhotoCorrupt => 422,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error body of every failed request and every failed IPC command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_codes_match_as_str() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).expect("serialize");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn error_shape_is_exactly_code_and_message() {
        let e = ApiError::new(ErrorCode::TooLong, "description is 4001 characters");
        let v = serde_json::to_value(&e).expect("serialize");
        let obj = v.as_object().expect("object");
        assert_eq!(obj.len(), 2);
        assert_eq!(obj["code"], "too_long");
        assert_eq!(obj["message"], "description is 4001 characters");
    }

    #[test]
    fn client_errors_are_4xx() {
        for code in ErrorCode::ALL {
            let s = code.http_status();
            assert!((400..600).contains(&s), "{code} -> {s}");
        }
        assert_eq!(ErrorCode::Internal.http_status(), 500);
        assert_eq!(ErrorCode::Unauthorized.http_status(), 401);
    }
}
