//! Signing in through an identity provider (issue 15): authorization code with PKCE against a
//! local OpenID Connect provider started here (`tests/fixtures/oidc_provider.py`: the PyPI
//! oidc-provider-mock with PKCE required; no real provider is reachable from CI). The test plays
//! the citizen's browser.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, StatusCode, header};
use common::Console;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

struct Provider {
    child: Child,
    url: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> PathBuf {
    std::env::var_os("HUES_PYTHON").map_or_else(
        || PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/hues/venv/bin/python"),
        PathBuf::from,
    )
}

async fn provider() -> Provider {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/oidc_provider.py");
    let child = Command::new(python())
        .arg(script)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the test provider (./x tools installs oidc-provider-mock in ~/.cache/hues/venv)");
    let p = Provider {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if let Ok((200, _, _)) = http(
            "GET",
            &format!("{}/.well-known/openid-configuration", p.url),
            None,
        )
        .await
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the test provider did not start");
}

/// A request as the browser sends it: (status, Location, body).
async fn http(
    method: &str,
    url: &str,
    form: Option<(&str, &str)>,
) -> Result<(u16, String, String), String> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut req = Request::builder().method(method).uri(url);
    let body = match form {
        Some((content_type, b)) => {
            req = req.header(header::CONTENT_TYPE, content_type);
            Full::new(Bytes::from(b.to_owned()))
        }
        None => Full::new(Bytes::new()),
    };
    let res = client
        .request(req.body(body).map_err(|e| e.to_string())?)
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

/// The app's loopback address in these tests (nothing listens: the test reads where the
/// provider sends the browser).
const BACK: &str = "http://127.0.0.1:9/oidc";

/// Starts a sign-in for a device and plays the browser up to the provider's answer: the state
/// and code the app's loopback address receives.
async fn through_the_provider(c: &Console, token: &str, sub: &str) -> (String, String) {
    let (st, v) = c
        .api_json(
            "POST",
            "/api/v1/account/oidc/start",
            token,
            Some(serde_json::json!({ "redirect_uri": BACK })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let authorize = v["authorize_url"].as_str().expect("url").to_owned();
    assert!(authorize.contains("code_challenge_method=S256"));
    let (status, location, page) = http(
        "POST",
        &authorize,
        Some(("application/x-www-form-urlencoded", &format!("sub={sub}"))),
    )
    .await
    .expect("the provider");
    assert_eq!(status, 302, "{page}");
    let query = location
        .strip_prefix(&format!("{BACK}?"))
        .unwrap_or_else(|| panic!("back to the app: {location}"));
    let pairs: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(query).expect("query");
    (pairs["state"].clone(), pairs["code"].clone())
}

async fn finish(
    c: &Console,
    token: &str,
    (state, code): &(String, String),
) -> (StatusCode, serde_json::Value) {
    c.api_json(
        "POST",
        "/api/v1/account/oidc/finish",
        token,
        Some(serde_json::json!({ "state": state, "code": code })),
    )
    .await
}

#[tokio::test]
async fn a_citizen_signs_in_through_the_identity_provider_with_pkce() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let p = provider().await;
    // The provider's citizen, with a verified number (VNeID gives one).
    let (st, _, body) = http(
        "PUT",
        &format!("{}/users/citizen-001", p.url),
        Some((
            "application/json",
            r#"{"phone_number": "+84912345678", "phone_number_verified": true}"#,
        )),
    )
    .await
    .expect("users");
    assert_eq!(st, 204, "{body}");
    let c = Console::with(
        Default::default(),
        hues_server::accounts::Settings {
            oidc: Some(hues_server::accounts::OidcProvider {
                issuer: p.url.clone(),
                client_id: "hues".into(),
                client_secret: Some("hues-secret".into()),
            }),
            ..Default::default()
        },
    );
    let a = c.device().await;
    let (_, before) = c.api_json("GET", "/api/v1/account", &a, None).await;
    assert_eq!(before["account"], serde_json::Value::Null);
    assert_eq!(before["identity_provider"], true);
    // Only the app's own loopback address is a way back.
    let (st, _) = c
        .api_json(
            "POST",
            "/api/v1/account/oidc/start",
            &a,
            Some(serde_json::json!({ "redirect_uri": "https://evil.example/oidc" })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let answer = through_the_provider(&c, &a, "citizen-001").await;
    // Another device cannot finish a sign-in it did not start (a link sent to someone else).
    let stranger = c.device().await;
    assert_eq!(
        finish(&c, &stranger, &answer).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (st, after) = finish(&c, &a, &answer).await;
    assert_eq!(st, StatusCode::OK, "{after}");
    assert_eq!(after["phone"], "+84 91x xxx x78");
    // Good once.
    assert_eq!(
        finish(&c, &a, &answer).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, theirs) = c.api_json("GET", "/api/v1/account", &stranger, None).await;
    assert_eq!(theirs["account"], serde_json::Value::Null);

    // A second device: the same identity, the same account.
    let b = c.device().await;
    let answer = through_the_provider(&c, &b, "citizen-001").await;
    let (st, theirs) = finish(&c, &b, &answer).await;
    assert_eq!(st, StatusCode::OK, "{theirs}");
    assert_eq!(theirs["account"], after["account"]);

    // PKCE holds: a code presented with another verifier is refused by the provider, and the
    // device stays anonymous.
    let d = c.device().await;
    let answer = through_the_provider(&c, &d, "citizen-001").await;
    c.db.run(|conn| {
        conn.execute(
            "UPDATE oidc_logins SET verifier = 'not-the-one-sent-with-the-challenge-0000000000'",
            [],
        )?;
        Ok(())
    })
    .await
    .expect("tamper");
    assert_eq!(finish(&c, &d, &answer).await.0, StatusCode::FORBIDDEN);
    let (_, still) = c.api_json("GET", "/api/v1/account", &d, None).await;
    assert_eq!(still["account"], serde_json::Value::Null);

    // An identity without a verified number makes no account.
    let (st, _, _) = http(
        "PUT",
        &format!("{}/users/no-phone", p.url),
        Some((
            "application/json",
            r#"{"phone_number": "+84987654321", "phone_number_verified": false}"#,
        )),
    )
    .await
    .expect("users");
    assert_eq!(st, 204);
    let e = c.device().await;
    let answer = through_the_provider(&c, &e, "no-phone").await;
    let (st, v) = finish(&c, &e, &answer).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("verified"),
        "{v}"
    );
}
