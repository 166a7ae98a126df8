//! `POST /api/v1/reports` throughput and latency with 64 concurrent clients, beside
//! `GET /api/v1/health` in the same run, against the real router on a loopback socket with a
//! SQLite file in a temp dir. Client and server share the machine's 2 cores, for both routes.
//!
//! It prints the commit it ran at, the ratio reports/s ÷ health/s and the p99 beside their goals
//! (reports ≥ 0.10 × health, p99 ≤ 20 ms), a row for BENCHMARKS.md, and last the row of
//! `./x bench`'s table.
//!
//! `cargo bench -p hues-server --bench throughput`

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hues_server::{AppState, Config};

const CLIENTS: usize = 64;
const SECONDS: u64 = 5;
/// The goals: reports at least this share of the health route's rate in the same run (health
/// measures what the machine gives HTTP at all), and this p99.
const RATIO_GOAL: f64 = 0.10;
const P99_GOAL_MS: f64 = 20.0;

struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

/// Runs `CLIENTS` loops of `request(client, n)` for `SECONDS`; each returns whether it succeeded.
async fn load<F, Fut>(request: F) -> Figures
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let errors = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (request, errors) = (Arc::clone(&request), Arc::clone(&errors));
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                if !request(client, n).await {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                mine.push(t.elapsed());
                n += 1;
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let elapsed = start.elapsed();
    all.sort();
    let pick = |q: f64| {
        let i = ((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1));
        all.get(i).copied().unwrap_or_default()
    };
    Figures {
        per_second: all.len() as f64 / elapsed.as_secs_f64(),
        p50: pick(0.50),
        p99: pick(0.99),
        errors: errors.load(Ordering::Relaxed),
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let state = AppState::open(&Config {
        data_dir: dir.path().to_path_buf(),
        operator_token: Some("op".into()),
        demo: true,
        tiles: None,
        // Every client registers from loopback.
        limits: hues_server::limits::Limits {
            registrations_per_hour: 10_000,
            ..Default::default()
        },
        trust_forwarded_for: false,
        hotline: None,
        vendor_dir: None,
        channels: Default::default(),
        accounts: Default::default(),
    })
    .unwrap_or_else(|e| panic!("state: {e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    let base = format!("http://{addr}");
    tokio::spawn(hues_server::serve(listener, state));

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let mut tokens = Vec::new();
    for _ in 0..CLIENTS {
        let v: serde_json::Value = http
            .post(format!("{base}/api/v1/devices"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .unwrap_or_else(|e| panic!("register: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("token: {e}"));
        tokens.push(v["token"].as_str().unwrap_or_default().to_owned());
    }
    let tokens = Arc::new(tokens);

    let (h, b) = (http.clone(), base.clone());
    let health = load(move |_, _| {
        let (h, b) = (h.clone(), b.clone());
        async move {
            h.get(format!("{b}/api/v1/health"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await;

    let (h, b) = (http.clone(), base.clone());
    let reports = load(move |client, n| {
        let (h, b, tokens) = (h.clone(), b.clone(), Arc::clone(&tokens));
        async move {
            let body = serde_json::json!({
                "id": uuid::Uuid::now_v7(),
                "category": "waste",
                "description": format!("Rác tồn đọng, người gửi {client}, lần {n}"),
                "latitude": 16.46 + (n % 100) as f64 * 1e-4,
                "longitude": 107.59,
                "created_at": chrono::Utc::now(),
            });
            h.post(format!("{b}/api/v1/reports"))
                .bearer_auth(&tokens[client])
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status().as_u16() == 201)
        }
    })
    .await;

    let commit = commit();
    let ratio = reports.per_second / health.per_second;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("commit {commit}, {CLIENTS} concurrent clients, {SECONDS} s per route");
    println!(
        "| route, {CLIENTS} concurrent clients, {SECONDS} s | requests/s | p50 | p99 | errors |"
    );
    println!("|---|---|---|---|---|");
    for (name, f) in [
        ("GET /api/v1/health", &health),
        ("POST /api/v1/reports", &reports),
    ] {
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {} |",
            f.per_second,
            ms(f.p50),
            ms(f.p99),
            f.errors
        );
    }
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    println!(
        "reports ÷ health = {ratio:.3}: goal ≥ {RATIO_GOAL:.2} {}; p99 {:.2} ms: goal ≤ {P99_GOAL_MS} ms {}; \
         {:.0} reports/s (goal ≥ 5000 where health gives ~75 000/s)",
        verdict(ratio >= RATIO_GOAL),
        ms(reports.p99),
        verdict(ms(reports.p99) <= P99_GOAL_MS),
        reports.per_second,
    );
    println!(
        "row for BENCHMARKS.md (commit, health/s, reports/s, ratio, p50, p99): \
         | `{commit}` | {:.0} | {:.0} | {ratio:.3} | {:.2} ms | {:.2} ms |",
        health.per_second,
        reports.per_second,
        ms(reports.p50),
        ms(reports.p99),
    );
    // The last line is the row `./x bench` puts in its table.
    println!(
        "| POST /api/v1/reports, {CLIENTS} clients (commit {commit}) | {:.0}/s, p50 {:.2} ms, p99 {:.2} ms | GET /api/v1/health {:.0}/s in the same run: ×{ratio:.3}; goal ≥ ×{RATIO_GOAL:.2} and p99 ≤ {P99_GOAL_MS} ms |",
        reports.per_second,
        ms(reports.p50),
        ms(reports.p99),
        health.per_second,
    );
}

/// The checkout's commit, read at run time (cargo runs a bench in its package's directory), with
/// "+changes" when tracked files differ from it.
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head)
            if git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| s.is_empty()) =>
        {
            head
        }
        Some(head) => format!("{head}+changes"),
        None => "unknown".into(),
    }
}
