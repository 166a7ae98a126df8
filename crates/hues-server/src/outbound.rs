//! The server's own requests to other services (chat platforms, the SMS gateway, an identity
//! provider), through hyper with the system's TLS (decision 0023): ten seconds at most, 64 KB
//! of answer read.

use std::sync::LazyLock;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

type Https = hyper_tls::HttpsConnector<HttpConnector>;

static CLIENT: LazyLock<Client<Https, Full<Bytes>>> =
    LazyLock::new(|| Client::builder(TokioExecutor::new()).build(Https::new()));

/// Sends a request; the status and the body.
async fn send(req: Request<Full<Bytes>>) -> Result<(u16, String), String> {
    let res = tokio::time::timeout(Duration::from_secs(10), CLIENT.request(req))
        .await
        .map_err(|_| "no answer within 10 s".to_owned())?
        .map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let bytes = http_body_util::Limited::new(res.into_body(), 64 * 1024)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
}

/// POSTs JSON.
pub async fn post_json(
    url: &str,
    headers: &[(&str, &str)],
    body: &serde_json::Value,
) -> Result<(u16, String), String> {
    let mut req = Request::post(url).header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(
        req.body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?,
    )
    .await
}

/// POSTs a form (`application/x-www-form-urlencoded`).
pub async fn post_form(url: &str, fields: &[(&str, &str)]) -> Result<(u16, String), String> {
    let body = serde_urlencoded::to_string(fields).map_err(|e| e.to_string())?;
    send(
        Request::post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?,
    )
    .await
}

/// GETs a document.
pub async fn get(url: &str) -> Result<(u16, String), String> {
    send(
        Request::get(url)
            .header("accept", "application/json")
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?,
    )
    .await
}
