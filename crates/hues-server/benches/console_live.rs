//! Two of the console's figures, over real TCP against the real server (`hues_server::serve`):
//!
//! - **live**: a status change reaching an open console. A dispatcher's browser holds
//!   `/console/events` open; a script changes a case's status through the operator API; the time
//!   from sending the change until the console's stream names the case, p50 and p95 over 200
//!   changes, beside the change request's own round trip (its answer comes after the COMMIT) in
//!   the same run. Goal: p95 ≤ 200 ms.
//! - **login**: a staff sign-in (Argon2id verification, session rotation), p50 and p95 over 20,
//!   beside `GET /api/v1/health` in the same run; and how many wrong passwords one account is allowed
//!   before the limit answers.
//!
//! `cargo bench -p hues-server --bench console_live`

use std::time::{Duration, Instant};

use hues_server::{AppState, Config};

const CHANGES: usize = 200;
const LOGINS: usize = 20;
const GOAL_P95_MS: f64 = 200.0;
const OPERATOR: &str = "bench-operator";

fn pct(mut v: Vec<Duration>, p: usize) -> f64 {
    v.sort();
    let i = (v.len() * p / 100).min(v.len() - 1);
    v[i].as_secs_f64() * 1000.0
}

async fn sign_in(http: &reqwest::Client, base: &str, user: &str, password: &str) -> (u16, String) {
    let res = http
        .post(format!("{base}/console/login"))
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        // The demo's names and passwords need no escaping.
        .body(format!("username={user}&password={password}"))
        .send()
        .await
        .expect("login");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hues_staff="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned();
    (res.status().as_u16(), cookie)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = AppState::open(&Config {
        data_dir: dir.path().to_path_buf(),
        operator_token: Some(OPERATOR.into()),
        demo: true,
        tiles: None,
        limits: Default::default(),
        trust_forwarded_for: false,
        hotline: None,
        vendor_dir: None,
        channels: Default::default(),
        accounts: Default::default(),
    })
    .expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(hues_server::serve(listener, state));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let password = hues_server::demo::DEMO_STAFF_PASSWORD;

    // A case: a device's report, routed by the demo rules.
    let device: serde_json::Value = http
        .post(format!("{base}/api/v1/devices"))
        .json(&serde_json::json!({"platform": "bench"}))
        .send()
        .await
        .expect("device")
        .json()
        .await
        .expect("token");
    let token = device["token"].as_str().expect("token").to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let sent = http
        .post(format!("{base}/api/v1/reports"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "id": id, "category": "street_light", "description": "Đèn đường tắt",
            "latitude": 16.4637, "longitude": 107.5909, "created_at": "2026-11-21T08:00:00Z"
        }))
        .send()
        .await
        .expect("report");
    assert!(sent.status().is_success(), "{}", sent.status());

    // The dispatcher's console holds the live stream open.
    let (_, cookie) = sign_in(&http, &base, "dieuphoi", password).await;
    let mut stream = http
        .get(format!("{base}/console/events"))
        .header("cookie", format!("hues_staff={cookie}"))
        .send()
        .await
        .expect("events");
    assert_eq!(stream.status().as_u16(), 200, "the live stream");
    let needle = format!("data: {id}");
    let mut seen = String::new();
    let (mut live, mut round_trip) = (Vec::new(), Vec::new());
    for i in 0..CHANGES {
        let status = if i % 2 == 0 {
            "in_progress"
        } else {
            "received"
        };
        let started = Instant::now();
        let res = http
            .post(format!("{base}/api/v1/operator/reports/{id}/status"))
            .bearer_auth(OPERATOR)
            .json(&serde_json::json!({"status": status, "note": format!("Bước {i}")}))
            .send()
            .await
            .expect("status change");
        round_trip.push(started.elapsed());
        let code = res.status();
        assert!(
            code.is_success(),
            "{code}: {}",
            res.text().await.unwrap_or_default()
        );
        // Until the stream names the case (earlier events, e.g. the bell, are skipped).
        loop {
            if let Some(at) = seen.find(&needle) {
                seen.drain(..at + needle.len());
                break;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
                .await
                .expect("an event within 10 s")
                .expect("stream")
                .expect("stream open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        live.push(started.elapsed());
    }
    drop(stream);

    // Sign-ins, beside the cheapest request the server answers.
    let mut logins = Vec::new();
    for _ in 0..LOGINS {
        let started = Instant::now();
        let (status, _) = sign_in(&http, &base, "canbo.phuxuan", password).await;
        logins.push(started.elapsed());
        assert_eq!(status, 303, "signed in");
    }
    let mut health = Vec::new();
    for _ in 0..LOGINS {
        let started = Instant::now();
        let res = http
            .get(format!("{base}/api/v1/health"))
            .send()
            .await
            .expect("health");
        health.push(started.elapsed());
        assert!(res.status().is_success());
    }
    // Wrong passwords until the limit answers.
    let mut allowed = 0;
    loop {
        let (status, _) = sign_in(&http, &base, "canbo.thuanhoa", "not-the-password").await;
        if status == 429 {
            break;
        }
        allowed += 1;
        assert!(allowed < 100, "no limit after 100 wrong passwords");
    }
    let (after, _) = sign_in(&http, &base, "canbo.thuanhoa", password).await;

    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let (l50, l95) = (pct(live.clone(), 50), pct(live, 95));
    let (r50, r95) = (pct(round_trip.clone(), 50), pct(round_trip, 95));
    let (g50, g95) = (pct(logins.clone(), 50), pct(logins, 95));
    let (h50, h95) = (pct(health.clone(), 50), pct(health, 95));
    println!(
        "status change → open console over SSE, {CHANGES} changes: p50 {l50:.1} ms, p95 {l95:.1} ms (goal ≤ {GOAL_P95_MS} ms: {}); the change's own round trip p50 {r50:.1} ms, p95 {r95:.1} ms",
        if l95 <= GOAL_P95_MS { "met" } else { "NOT met" }
    );
    println!(
        "sign-in (Argon2id), {LOGINS}: p50 {g50:.1} ms, p95 {g95:.1} ms; GET /api/v1/health p50 {h50:.2} ms, p95 {h95:.2} ms (×{:.0} at p50)",
        g50 / h50.max(0.001)
    );
    println!(
        "wrong passwords allowed before the limit: {allowed} (then 429; the right password then: {after})"
    );
    println!(
        "| Status change → open console (SSE), p95 | {l95:.1} ms (p50 {l50:.1}) | the change request's round trip {r95:.1} ms (p50 {r50:.1}) | ≤ 200 ms | `{commit}` |"
    );
    println!(
        "| Staff sign-in (Argon2id), p95 | {g95:.1} ms (p50 {g50:.1}) | `GET /api/v1/health` {h95:.2} ms (p50 {h50:.2}) | — | `{commit}` |"
    );
    println!(
        "| Wrong passwords before the limit, one account | {allowed}, then 429 | — | 5 per 15 min | `{commit}` |"
    );
}
