//! The console's queue with 100,000 cases in the store: one ward officer's queue page filtered
//! by unit, status and category, through the real router (session, query, clocks, Askama), its
//! server time p50 and p95 over 200 requests; then the same after dropping the queue's index
//! (`reports_unit`), side by side in the same run. Goal: p95 ≤ 50 ms with the index.
//!
//! `cargo bench -p hues-server --bench console_queue`

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use hues_server::{AppState, Config};
use tower::ServiceExt;

const CASES: usize = 100_000;
const RUNS: usize = 200;
const GOAL_P95_MS: f64 = 50.0;

const UNITS: [&str; 6] = [
    "ubnd-thuan-hoa",
    "ubnd-phu-xuan",
    "ubnd-an-cuu",
    "cty-chieu-sang",
    "cty-moi-truong",
    "so-xd-giao-thong",
];
const CATEGORIES: [&str; 5] = ["flooding", "waste", "street_light", "encroachment", "trees"];
const STATUSES: [&str; 4] = ["received", "assigned", "in_progress", "resolved"];

async fn measure(app: &axum::Router, cookie: &str, uri: &str) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let req = Request::builder()
            .uri(uri)
            .header(header::HOST, "bench")
            .header(header::COOKIE, format!("hues_staff={cookie}"))
            .body(Body::empty())
            .expect("request");
        let t = Instant::now();
        let res = app.clone().oneshot(req).await.expect("response");
        let body = res.into_body().collect().await.expect("body").to_bytes();
        times.push(t.elapsed());
        rows = String::from_utf8_lossy(&body)
            .matches("<tr id=\"case-")
            .count();
    }
    times.sort();
    (times[RUNS / 2], times[RUNS * 95 / 100], rows)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = AppState::open(&Config {
        data_dir: dir.path().to_path_buf(),
        operator_token: Some("bench".into()),
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
    let db = state.db.clone();
    let seeded = Instant::now();
    db.run_blocking(|conn| {
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO devices (id, token_hash, created_at) VALUES ('bench', 'bench', '2026-01-01T00:00:00Z')",
            [],
        )?;
        let mut report = tx.prepare(
            "INSERT INTO reports (id, device_id, category, description, latitude, longitude,
                created_at, received_at, status, unit_id)
             VALUES (?1, 'bench', ?2, ?3, 16.46, 107.59, ?4, ?4, ?5, ?6)",
        )?;
        let mut event = tx.prepare(
            "INSERT INTO report_events (report_id, status, note, at) VALUES (?1, 'received', '', ?2)",
        )?;
        for i in 0..CASES {
            let id = uuid::Uuid::now_v7().to_string();
            // Spread over a year: one case every 5 minutes.
            let at = chrono::DateTime::from_timestamp(1_767_225_600 + (i as i64) * 300, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            report.execute(rusqlite::params![
                id,
                CATEGORIES[i % CATEGORIES.len()],
                format!("Phản ánh số {i}"),
                at,
                STATUSES[(i / 7) % STATUSES.len()],
                UNITS[(i / 3) % UNITS.len()],
            ])?;
            event.execute(rusqlite::params![id, at])?;
        }
        drop((report, event));
        tx.commit()?;
        Ok(())
    })
    .expect("seed");
    let seeded = seeded.elapsed();
    let app = hues_server::router(state);
    let login = Request::builder()
        .method("POST")
        .uri("/console/login")
        .header(header::HOST, "bench")
        .header(header::ORIGIN, "http://bench")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username=canbo.thuanhoa&password={}",
            hues_server::demo::DEMO_STAFF_PASSWORD
        )))
        .expect("login");
    let res = app.clone().oneshot(login).await.expect("login");
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hues_staff="))
        .and_then(|c| c.split(';').next())
        .expect("session")
        .to_owned();
    let uri = "/console/?unit=ubnd-thuan-hoa&status=received&category=flooding";
    let (p50, p95, rows) = measure(&app, &cookie, uri).await;
    db.run_blocking(|c| Ok(c.execute_batch("DROP INDEX reports_unit")?))
        .expect("drop index");
    let (b50, b95, brows) = measure(&app, &cookie, uri).await;
    assert_eq!(rows, brows, "the same page either way");
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "console queue, {CASES} cases (seeded in {:.1} s), one ward officer, unit + status + category, {rows} rows shown, {RUNS} requests",
        seeded.as_secs_f64()
    );
    println!(
        "  with its index:    p50 {:.1} ms, p95 {:.1} ms (goal ≤ {GOAL_P95_MS} ms: {})",
        ms(p50),
        ms(p95),
        if ms(p95) <= GOAL_P95_MS {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "  without the index: p50 {:.1} ms, p95 {:.1} ms ({:.1}× slower at p95)",
        ms(b50),
        ms(b95),
        ms(b95) / ms(p95).max(0.001)
    );
    println!(
        "| Console queue p95, 100,000 cases, unit + status + category | {:.1} ms (p50 {:.1}) | {:.1} ms without `reports_unit` (p50 {:.1}) | ≤ 50 ms | `{commit}` |",
        ms(p95),
        ms(p50),
        ms(b95),
        ms(b50)
    );
}
