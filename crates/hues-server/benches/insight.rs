//! Insight's figures (issue 14) with 100,000 cases over the last year:
//!
//! - the performance dashboard through the real router (session, facts, Askama, SVG), p50 and
//!   p95 over 50 requests for the whole year, beside the same figures rebuilt from the reports
//!   and their events on each request (no `case_facts` kept up to date);
//! - the streamed export's anonymous memory above where it started while a client reads it
//!   (10,000 vs 100,000 cases), beside the same export built whole in memory first.
//!
//! `cargo bench -p hues-server --bench insight`

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use hues_server::insight::{facts, performance};
use hues_server::{AppState, Config};
use tower::ServiceExt;

/// The process's anonymous resident memory (heap and stacks, not the database file the
/// readers map), in bytes (Linux).
fn anon() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .unwrap_or(0)
        * 1024
}

const CASES: usize = 100_000;
const RUNS: usize = 50;
const GOAL_P95_MS: f64 = 200.0;
const UNITS: [&str; 6] = [
    "ubnd-thuan-hoa",
    "ubnd-phu-xuan",
    "ubnd-an-cuu",
    "cty-chieu-sang",
    "cty-moi-truong",
    "so-xd-giao-thong",
];
const CATEGORIES: [&str; 5] = ["flooding", "waste", "street_light", "encroachment", "trees"];
const RATINGS: [&str; 3] = ["very_satisfied", "satisfied", "not_satisfied"];

fn request(uri: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::HOST, "bench")
        .header(header::COOKIE, format!("hues_staff={cookie}"))
        .body(Body::empty())
        .expect("request")
}

/// Reads a streamed answer chunk by chunk (as a browser saving a file): bytes, and the most
/// anonymous memory above where it started, sampled at every chunk.
async fn stream_peak(app: &axum::Router, cookie: &str, uri: &str) -> (usize, usize) {
    let base = anon();
    let res = app
        .clone()
        .oneshot(request(uri, cookie))
        .await
        .expect("response");
    let mut body = res.into_body();
    let (mut bytes, mut peak) = (0, 0);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("frame").into_data() {
            bytes += data.len();
        }
        peak = peak.max(anon().saturating_sub(base));
    }
    (bytes, peak)
}

fn mb(n: usize) -> f64 {
    n as f64 / 1_048_576.0
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
    let now = chrono::Utc::now();
    let start = now - chrono::Duration::days(365);
    let step = 365 * 86_400 / CASES as i64;
    db.run_blocking(|conn| {
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO devices (id, token_hash, created_at) VALUES ('bench', 'bench', '2026-01-01T00:00:00Z')",
            [],
        )?;
        let mut report = tx.prepare(
            "INSERT INTO reports (id, device_id, category, description, latitude, longitude,
                created_at, received_at, status, unit_id, rating)
             VALUES (?1, 'bench', ?2, ?3, 16.46, 107.59, ?4, ?4, ?5, ?6, ?7)",
        )?;
        let mut event =
            tx.prepare("INSERT INTO report_events (report_id, status, note, at) VALUES (?1, ?2, '', ?3)")?;
        let mut change =
            tx.prepare("INSERT INTO changes (kind, entity, audience) VALUES ('report', ?1, 'bench')")?;
        let mut route = tx.prepare(
            "INSERT INTO routing_events (report_id, at, to_unit, reason) VALUES (?1, ?2, ?3, 'rule')",
        )?;
        for i in 0..CASES {
            let id = uuid::Uuid::now_v7().to_string();
            let t = start + chrono::Duration::seconds(i as i64 * step);
            let at = |h: i64| hues_server::db::ts(t + chrono::Duration::hours(h));
            // Most cases are taken in hand within hours, half resolved within days, a few
            // reopened; the last weeks' are still open.
            let stage = i % 10;
            let status = match stage {
                0..=1 => "received",
                2..=3 => "assigned",
                4 => "in_progress",
                _ => "resolved",
            };
            let rating = (status == "resolved" && i % 3 == 0).then(|| RATINGS[i % 7 % 3]);
            let unit = UNITS[(i / 3) % UNITS.len()];
            report.execute(rusqlite::params![
                id,
                CATEGORIES[i % CATEGORIES.len()],
                format!("Phản ánh số {i}"),
                at(0),
                status,
                unit,
                rating,
            ])?;
            event.execute(rusqlite::params![id, "received", at(0)])?;
            route.execute(rusqlite::params![id, at(0), unit])?;
            if i % 17 == 0 {
                route.execute(rusqlite::params![id, at(1), UNITS[(i / 3 + 1) % UNITS.len()]])?;
            }
            if stage >= 2 {
                event.execute(rusqlite::params![id, "assigned", at(1 + (i % 12) as i64)])?;
            }
            if stage >= 4 {
                event.execute(rusqlite::params![id, "in_progress", at(20 + (i % 30) as i64)])?;
            }
            if stage >= 5 {
                event.execute(rusqlite::params![id, "resolved", at(48 + (i % 200) as i64)])?;
            }
            change.execute([&id])?;
        }
        drop((report, event, change, route));
        tx.commit()?;
        Ok(())
    })
    .expect("seed");
    let built = Instant::now();
    let n = db.run_blocking(|c| facts::refresh(c)).expect("facts");
    let built = built.elapsed();
    let app = hues_server::router(state);
    let login = Request::builder()
        .method("POST")
        .uri("/console/login")
        .header(header::HOST, "bench")
        .header(header::ORIGIN, "http://bench")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username=dieuphoi&password={}",
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
    let today = hues_wire::deadline::local_date(now);
    let year = format!(
        "/console/performance?from={}&to={today}",
        today - chrono::Duration::days(366)
    );
    let mut times = Vec::with_capacity(RUNS);
    let mut received = String::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let res = app
            .clone()
            .oneshot(request(&year, &cookie))
            .await
            .expect("response");
        let body = res.into_body().collect().await.expect("body").to_bytes();
        times.push(t.elapsed());
        received = String::from_utf8_lossy(&body)
            .split("id=\"perf-total\"")
            .nth(1)
            .and_then(|s| s.split("<td>").nth(1))
            .and_then(|s| s.split('<').next())
            .unwrap_or_default()
            .to_owned();
    }
    times.sort();
    let (p50, p95) = (times[RUNS / 2], times[RUNS * 95 / 100]);
    // The baseline: the same figures with the facts rebuilt from the reports and their events
    // on each request.
    let mut base = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        db.run_blocking(|c| {
            facts::set_mark(c, "case_facts", 0)?;
            facts::refresh(c)?;
            let f = performance::Filter {
                from: Some(today - chrono::Duration::days(366)),
                to: Some(today),
                ..Default::default()
            };
            performance::dashboard(c, &f, &|_| true, chrono::Utc::now()).map(drop)
        })
        .expect("baseline");
        base.push(t.elapsed());
    }
    base.sort();
    let b50 = base[1];

    // The export: about 10,000 cases (the last 36 days) and all 100,000.
    let tenth = format!(
        "/console/performance/export?format=csv&from={}&to={today}",
        today - chrono::Duration::days(36)
    );
    let all = format!(
        "/console/performance/export?format=csv&from={}&to={today}",
        today - chrono::Duration::days(366)
    );
    let (bytes10, peak10) = stream_peak(&app, &cookie, &tenth).await;
    let (bytes100, peak100) = stream_peak(&app, &cookie, &all).await;
    // Baseline: the whole file built in memory first (what a non-streaming handler does).
    let whole = |from_days: i64| {
        let base = anon();
        let out = db
            .run_blocking(|c| {
                let f = performance::Filter {
                    from: Some(today - chrono::Duration::days(from_days)),
                    to: Some(today),
                    ..Default::default()
                };
                let (rows, _) = performance::export_page(
                    c,
                    &f,
                    &|_| true,
                    &(i64::MIN, String::new()),
                    usize::MAX >> 1,
                )?;
                let mut s = String::from(performance::EXPORT_HEADER);
                for r in &rows {
                    s.push_str(&performance::Row::of(r).csv());
                }
                Ok(s)
            })
            .expect("whole");
        // Sampled while the whole file is still held.
        let peak = anon().saturating_sub(base);
        (out.len(), peak)
    };
    let (_, wpeak10) = whole(36);
    let (_, wpeak100) = whole(366);

    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "insight, {CASES} cases over a year; case facts built for {n} cases in {:.1} s",
        built.as_secs_f64()
    );
    println!(
        "  dashboard, whole year ({received} received shown), {RUNS} requests: p50 {:.1} ms, p95 {:.1} ms (goal ≤ {GOAL_P95_MS} ms: {})",
        ms(p50),
        ms(p95),
        if ms(p95) <= GOAL_P95_MS {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "  baseline, facts rebuilt from the events per request: median {:.0} ms ({:.0}× the p50)",
        ms(b50),
        ms(b50) / ms(p50).max(0.001)
    );
    println!(
        "  export streamed: {:.1} MB sent for ~10k cases with a memory of {:.1} MB; {:.1} MB for 100k with {:.1} MB",
        mb(bytes10),
        mb(peak10),
        mb(bytes100),
        mb(peak100)
    );
    println!(
        "  export built whole: memory {:.1} MB for ~10k, {:.1} MB for 100k",
        mb(wpeak10),
        mb(wpeak100)
    );
    println!(
        "| Performance dashboard p95, 100,000 cases, one year | {:.1} ms (p50 {:.1}) | facts rebuilt per request: {:.0} ms | ≤ 200 ms | `{commit}` |",
        ms(p95),
        ms(p50),
        ms(b50)
    );
    println!(
        "| Export memory, 10k → 100k cases | streamed {:.1} → {:.1} MB | built whole {:.1} → {:.1} MB | flat | `{commit}` |",
        mb(peak10),
        mb(peak100),
        mb(wpeak10),
        mb(wpeak100)
    );
}
