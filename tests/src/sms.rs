//! The tests' SMS gateway: a local HTTP server that takes what `hues-server --sms-gateway-url`
//! sends (`POST` JSON `{to, text}` with a bearer key) and keeps it, so a test can read the
//! sign-in code a citizen would get on their phone.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Result, bail};
use axum::Json;
use axum::http::{HeaderMap, StatusCode};

/// The key the tests' server is started with.
pub const KEY: &str = "test-gateway-key";

type Inbox = Arc<Mutex<Vec<(String, String)>>>;

pub struct SmsGateway {
    pub url: String,
    inbox: Inbox,
    task: tokio::task::JoinHandle<()>,
}

impl SmsGateway {
    pub async fn start() -> Result<Self> {
        let inbox: Inbox = Arc::default();
        let keep = inbox.clone();
        let app = axum::Router::new().route(
            "/sms",
            axum::routing::post(
                move |headers: HeaderMap, Json(body): Json<serde_json::Value>| {
                    let keep = keep.clone();
                    async move {
                        let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
                            == Some(&format!("Bearer {KEY}"));
                        if !authorized {
                            return StatusCode::UNAUTHORIZED;
                        }
                        let field = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
                        keep.lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push((field("to"), field("text")));
                        StatusCode::ACCEPTED
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/sms", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { url, inbox, task })
    }

    /// The server's arguments to send through this gateway.
    pub fn server_args(&self) -> [String; 4] {
        [
            "--sms-gateway-url".into(),
            self.url.clone(),
            "--sms-gateway-key".into(),
            KEY.into(),
        ]
    }

    /// The newest code sent to `to` (E.164), waiting for it up to 10 s.
    pub async fn code_for(&self, to: &str) -> Result<String> {
        for _ in 0..100 {
            let found = self
                .inbox
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
                .rev()
                .find(|(t, _)| t == to)
                .and_then(|(_, text)| {
                    text.split(|c: char| !c.is_ascii_digit())
                        .find(|w| w.len() == 6)
                        .map(str::to_owned)
                });
            if let Some(code) = found {
                return Ok(code);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("no SMS to {to}")
    }
}

impl Drop for SmsGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}
