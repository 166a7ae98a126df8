//! Extractors whose rejections are our own error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use hues_wire::ErrorCode;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::Fail;
use crate::{AppState, auth};

/// `Query<T>` answering bad query strings with `invalid_value`.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Fail))]
pub struct Query<T>(pub T);

/// `Path<T>` answering a malformed path parameter with `not_found`.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Fail))]
pub struct Path<T>(pub T);

/// A JSON body, with precise codes: `malformed_json` (not JSON), `missing_field`, `invalid_type`,
/// `unsupported_media_type`, `payload_too_large`. The message names the offending field.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Fail;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(Fail::new(
                ErrorCode::UnsupportedMediaType,
                "expected Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await?;
        if bytes.len() > crate::MAX_BODY_BYTES {
            return Err(Fail::new(
                ErrorCode::PayloadTooLarge,
                "request body too large",
            ));
        }
        parse_json(&bytes).map(Json)
    }
}

/// Deserializes JSON, classifying the failure into a stable code.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Fail> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let code = match inner.classify() {
            serde_json::error::Category::Data => {
                let text = inner.to_string();
                if text.starts_with("missing field") {
                    ErrorCode::MissingField
                } else if text.starts_with("invalid type") {
                    ErrorCode::InvalidType
                } else {
                    ErrorCode::InvalidValue
                }
            }
            _ => ErrorCode::MalformedJson,
        };
        let message = if path == "." || code == ErrorCode::MalformedJson {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        };
        Fail::new(code, message)
    })
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The calling citizen's device, from its bearer token.
pub struct Device(pub Uuid);

impl FromRequestParts<AppState> for Device {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Fail> {
        let token = bearer(parts).ok_or_else(Fail::unauthorized)?.to_owned();
        let hash = auth::hash_token(&token);
        let found = state
            .db
            .read(move |conn| crate::store::device_by_token_hash(conn, &hash))
            .await?;
        found.map(Device).ok_or_else(Fail::unauthorized)
    }
}

/// A request the operator API's guard (`permissions::api_guard`) let through: the demo's shared
/// token or a staff member's own. A route the guard has no rule for is refused here, so an
/// operator route cannot be added without its row in the permission table.
pub struct Operator(pub crate::permissions::Actor);

impl FromRequestParts<AppState> for Operator {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Fail> {
        parts
            .extensions
            .get::<crate::permissions::Actor>()
            .cloned()
            .map(Operator)
            .ok_or_else(|| Fail::internal("an operator route without a permission rule"))
    }
}

/// Whoever calls a route open to everyone: staff (the operator token), a device, or nobody
/// known. A token that is not valid counts as nobody: public routes do not answer 401.
pub enum Caller {
    Anonymous,
    Device(Uuid),
    Operator,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Fail> {
        let Some(token) = bearer(parts) else {
            return Ok(Caller::Anonymous);
        };
        if let Some(shared) = &state.operator_token_hash
            && auth::same_token(token, shared)
        {
            return Ok(Caller::Operator);
        }
        let hash = auth::hash_token(token);
        let found = state
            .db
            .run(move |conn| crate::store::device_by_token_hash(conn, &hash))
            .await?;
        Ok(found.map_or(Caller::Anonymous, Caller::Device))
    }
}
