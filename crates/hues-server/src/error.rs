//! The server's one error type. Every failure leaves as `{"code", "message"}`; a 5xx body never
//! carries internals (they go to the log).

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hues_wire::{ApiError, ErrorCode};

/// A request that failed: what the client is told.
#[derive(Debug)]
pub struct Fail(pub ApiError);

impl Fail {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ApiError::new(code, message))
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "missing or unknown bearer token: register the device with POST /api/v1/devices",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// An internal failure: logged here, reported to the client without details.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(ErrorCode::Internal, "internal server error")
    }
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<hues_wire::validate::FieldError> for Fail {
    fn from(e: hues_wire::validate::FieldError) -> Self {
        Self(e.into())
    }
}

impl From<hues_wire::validate::BookingError> for Fail {
    fn from(e: hues_wire::validate::BookingError) -> Self {
        Fail(e.into())
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl From<QueryRejection> for Fail {
    fn from(e: QueryRejection) -> Self {
        Self::new(ErrorCode::InvalidValue, e.body_text())
    }
}

impl From<PathRejection> for Fail {
    fn from(e: PathRejection) -> Self {
        Self::new(ErrorCode::NotFound, e.body_text())
    }
}

impl From<BytesRejection> for Fail {
    fn from(e: BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(ErrorCode::PayloadTooLarge, "request body too large")
        } else {
            Self::new(ErrorCode::MalformedJson, e.body_text())
        }
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

pub type ApiResult<T> = Result<T, Fail>;

/// A free text field: no control characters, at most `max` characters; the message names it.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), Fail> {
    hues_wire::validate::check_free_text(value, max).map_err(|code| {
        let what = if code == ErrorCode::ControlCharacter {
            "holds a control character"
        } else {
            "is too long"
        };
        Fail::new(code, format!("{field} {what}"))
    })
}
