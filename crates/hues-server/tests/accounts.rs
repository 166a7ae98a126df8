//! Signing in with a phone number (issue 15, first part) over the real router: the code goes
//! through the HTTP SMS gateway — here a local server that records what it got (the real
//! gateway cannot be reached from CI) — and the rules hold: 6 digits, 5 minutes, one use,
//! 5 wrong tries, sending limited per number and per device, codes kept hashed; a second
//! device with the same number joins the same account.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::Console;
use http_body_util::BodyExt;
use hues_server::accounts::Sms;

type Got = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

async fn gateway() -> (String, Got) {
    let got: Got = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let keep = keep.clone();
        async move {
            let auth = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let bytes = req.into_body().collect().await.expect("body").to_bytes();
            keep.lock()
                .expect("lock")
                .push((auth, serde_json::from_slice(&bytes).unwrap_or_default()));
            StatusCode::ACCEPTED
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/sms"), got)
}

fn server(url: &str) -> Console {
    Console::with(
        Default::default(),
        hues_server::accounts::Settings {
            sms: Sms::Gateway {
                url: url.into(),
                key: "gateway-key".into(),
            },
            ..Default::default()
        },
    )
}

/// POSTs JSON as a device.
async fn call(
    s: &Console,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    s.api_json("POST", path, token.expect("a device's token"), Some(body))
        .await
}

/// The code in the gateway's last message.
fn last_code(got: &Got) -> String {
    let got = got.lock().expect("lock");
    let text = got.last().expect("an SMS").1["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_owned()
}

#[tokio::test]
async fn a_code_signs_a_device_in_once_and_the_rules_hold() {
    let (url, got) = gateway().await;
    let s = server(&url);
    let phone = "0912 345 678";
    let a = s.device().await;

    // Not a mobile number: refused before anything is sent.
    let (st, _) = call(
        &s,
        "/api/v1/account/code",
        Some(&a),
        serde_json::json!({ "phone": "12345" }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(got.lock().expect("lock").is_empty());

    let (st, v) = call(
        &s,
        "/api/v1/account/code",
        Some(&a),
        serde_json::json!({ "phone": phone }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["phone"], "+84 91x xxx x78");
    assert_eq!(v["expires_in_s"], 300);
    {
        let got = got.lock().expect("lock");
        let (auth, body) = got.last().expect("an SMS");
        assert_eq!(auth, "Bearer gateway-key");
        assert_eq!(body["to"], "+84912345678");
    }
    let code = last_code(&got);
    // Kept hashed: the code itself is nowhere in the database.
    let stored: String =
        s.db.run(|c| {
            Ok(c.query_row(
                "SELECT group_concat(code_hash || salt) FROM otp_codes",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("stored");
    assert!(!stored.contains(&code));

    // Four wrong tries: each refused, the code still alive; the fifth kills it.
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..4 {
        let (st, _) = call(
            &s,
            "/api/v1/account/verify",
            Some(&a),
            serde_json::json!({ "phone": phone, "code": wrong }),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (st, _) = call(
        &s,
        "/api/v1/account/verify",
        Some(&a),
        serde_json::json!({ "phone": phone, "code": wrong }),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    let (st, _) = call(
        &s,
        "/api/v1/account/verify",
        Some(&a),
        serde_json::json!({ "phone": phone, "code": code }),
    )
    .await;
    assert_eq!(
        st,
        StatusCode::TOO_MANY_REQUESTS,
        "a dead code stays dead, even the right one"
    );

    // A new code: right the first time, then spent.
    let (st, _) = call(
        &s,
        "/api/v1/account/code",
        Some(&a),
        serde_json::json!({ "phone": phone }),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let code = last_code(&got);
    let (st, first) = call(
        &s,
        "/api/v1/account/verify",
        Some(&a),
        serde_json::json!({ "phone": phone, "code": code }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{first}");
    assert_eq!(first["new_account"], true);
    let (st, _) = call(
        &s,
        "/api/v1/account/verify",
        Some(&a),
        serde_json::json!({ "phone": phone, "code": code }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "a code is used once");

    // A second device with the same number: the same account.
    let b = s.device().await;
    let (st, _) = call(
        &s,
        "/api/v1/account/code",
        Some(&b),
        serde_json::json!({ "phone": "+84912345678" }),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    // Only the device that asked can use its code.
    let code = last_code(&got);
    let (st, _) = call(
        &s,
        "/api/v1/account/verify",
        Some(&a),
        serde_json::json!({ "phone": phone, "code": code }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, second) = call(
        &s,
        "/api/v1/account/verify",
        Some(&b),
        serde_json::json!({ "phone": phone, "code": code }),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(second["account"], first["account"]);
    assert_eq!(second["new_account"], false);
    let linked: i64 =
        s.db.run(|c| Ok(c.query_row("SELECT count(*) FROM account_devices", [], |r| r.get(0))?))
            .await
            .expect("linked");
    assert_eq!(linked, 2);

    // Three codes to one number in a quarter of an hour: the fourth is refused.
    let (st, _) = call(
        &s,
        "/api/v1/account/code",
        Some(&b),
        serde_json::json!({ "phone": phone }),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);

    // An expired code is refused.
    let c2 = s.device().await;
    let other = "0987 654 321";
    let (st, _) = call(
        &s,
        "/api/v1/account/code",
        Some(&c2),
        serde_json::json!({ "phone": other }),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let code = last_code(&got);
    s.db.run(|c| {
        Ok(
            c.execute("UPDATE otp_codes SET expires_at = expires_at - 301", [])
                .map(drop)?,
        )
    })
    .await
    .expect("age");
    let (st, _) = call(
        &s,
        "/api/v1/account/verify",
        Some(&c2),
        serde_json::json!({ "phone": other, "code": code }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // One device asking for many numbers: five an hour.
    let d = s.device().await;
    for i in 0..5 {
        let (st, v) = call(
            &s,
            "/api/v1/account/code",
            Some(&d),
            serde_json::json!({ "phone": format!("090000000{i}") }),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{i}: {v}");
    }
    let (st, _) = call(
        &s,
        "/api/v1/account/code",
        Some(&d),
        serde_json::json!({ "phone": "0900000009" }),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);

    // Signing out revokes the device: its token opens nothing more; what it made stays the
    // account's (the link is kept).
    let (st, _) = s
        .api_json("POST", "/api/v1/account/sign-out", &b, None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.api_json("GET", "/api/v1/account", &b, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let linked: i64 =
        s.db.run(|c| Ok(c.query_row("SELECT count(*) FROM account_devices", [], |r| r.get(0))?))
            .await
            .expect("linked");
    assert_eq!(linked, 2);
    let (st, v) = s.api_json("GET", "/api/v1/account", &a, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["phone"], "+84 91x xxx x78", "{v}");
}
