//! Signing in through an identity provider (issue 15): authorization code with PKCE against a
//! local OpenID Connect provider started here (`tests/fixtures/oidc_provider.py`: the PyPI
//! oidc-provider-mock with PKCE required; no real provider is reachable from CI). The test plays
//! the citizen's browser.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use common::Console;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::ServiceExt;

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

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = if method == "POST" && uri == "/api/v1/devices" {
        req = req.header(header::CONTENT_TYPE, "application/json");
        Body::from(r#"{"platform":"test"}"#)
    } else {
        Body::empty()
    };
    let res = app
        .clone()
        .oneshot(req.body(body).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn device(app: &axum::Router) -> String {
    let (_, body) = call(app, "POST", "/api/v1/devices", None).await;
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["token"].as_str().expect("token").to_owned()
}

/// Starts a sign-in for a device and plays the browser up to the provider's answer: the path
/// (and query) of the callback on hues-server.
async fn through_the_provider(app: &axum::Router, token: &str, sub: &str) -> String {
    let (st, body) = call(app, "POST", "/api/v1/account/oidc/start", Some(token)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
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
    let back = location
        .strip_prefix("http://hues.test")
        .unwrap_or_else(|| panic!("back to hues: {location}"));
    assert!(back.starts_with("/account/oidc/callback?"), "{back}");
    back.to_owned()
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
                public_url: "http://hues.test".into(),
            }),
            ..Default::default()
        },
    );
    let (app, db) = (c.app.clone(), c.db.clone());

    let a = device(&app).await;
    let (_, before) = call(&app, "GET", "/api/v1/account", Some(&a)).await;
    assert!(
        before.contains("\"account\":null") && before.contains("\"identity_provider\":true"),
        "{before}"
    );
    let back = through_the_provider(&app, &a, "citizen-001").await;
    let (st, page) = call(&app, "GET", &back, None).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.contains("Bạn đã đăng nhập"), "{page}");
    let (_, after) = call(&app, "GET", "/api/v1/account", Some(&a)).await;
    assert!(after.contains("+84 91x xxx x78"), "{after}");
    // The way back is good once.
    let (st, _) = call(&app, "GET", &back, None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // A second device: the same identity, the same account.
    let b = device(&app).await;
    let back = through_the_provider(&app, &b, "citizen-001").await;
    assert_eq!(call(&app, "GET", &back, None).await.0, StatusCode::OK);
    let (_, theirs) = call(&app, "GET", "/api/v1/account", Some(&b)).await;
    let account =
        |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("json")["account"].clone();
    assert_eq!(account(&theirs), account(&after));

    // PKCE holds: a code presented with another verifier is refused by the provider, and the
    // device stays anonymous.
    let c = device(&app).await;
    let back = through_the_provider(&app, &c, "citizen-001").await;
    db.run(|conn| {
        conn.execute(
            "UPDATE oidc_logins SET verifier = 'not-the-one-sent-with-the-challenge-0000000000'",
            [],
        )?;
        Ok(())
    })
    .await
    .expect("tamper");
    assert_eq!(
        call(&app, "GET", &back, None).await.0,
        StatusCode::BAD_REQUEST
    );
    let (_, still) = call(&app, "GET", "/api/v1/account", Some(&c)).await;
    assert!(still.contains("\"account\":null"), "{still}");

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
    let d = device(&app).await;
    let back = through_the_provider(&app, &d, "no-phone").await;
    let (st, page) = call(&app, "GET", &back, None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(page.contains("số điện thoại đã xác minh"), "{page}");
}
