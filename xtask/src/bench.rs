//! `./x bench`: the figures of BENCHMARKS.md, each beside its baseline in the same run.
//! - the UI bundle after wasm-opt, raw and gzipped;
//! - the release app binary, beside the empty-window baseline built the same way;
//! - process start → first paint of Home under Xvfb, beside the empty Tauri window;
//! - the photo pipeline beside vipsthumbnail and ImageMagick (`benches/photo.rs` in hues-core);
//! - the server's write path, `POST /api/v1/reports` beside `GET /api/v1/health` in the same run
//!   (`benches/throughput.rs` in hues-server), with the commit it ran at.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build::{dist, target_dir};
use crate::{build, sh, tools};

const RUNS: usize = 15;

fn gzipped_len(path: &Path) -> Result<u64> {
    let out = sh::output_bytes(Command::new("gzip").args(["-9", "-c"]).arg(path))?;
    Ok(out.len() as u64)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Spawn → the "first paint" line on stderr, once.
fn time_to_first_paint(bin: &Path, display: &str, data_dir: &Path) -> Result<Duration> {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env("DISPLAY", display)
        .env("HUES_EXIT_AFTER_FIRST_PAINT", "1")
        .env("HUES_DATA_DIR", data_dir)
        // Nobody listens here: start-up must not wait for the network.
        .env("HUES_SERVER_URL", "http://127.0.0.1:9")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stderr = child.stderr.take().context("stderr")?;
    let mut painted = None;
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        if line.contains("hues: first paint") && painted.is_none() {
            painted = Some(started.elapsed());
        }
    }
    let status = child.wait()?;
    match painted {
        Some(d) if status.success() => Ok(d),
        _ => bail!("{} exited ({status}) without a first paint", bin.display()),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

pub fn all() -> Result<()> {
    let tools = tools::ensure()?;
    tools::apt(tools::BENCH_PACKAGES)?;
    sh::cargo(&["bench", "-p", "hues-core", "--bench", "photo"])?;
    // The console's figures (issue 13): the queue with 100,000 cases, the live stream, sign-in.
    sh::cargo(&["bench", "-p", "hues-server", "--bench", "console_queue"])?;
    sh::cargo(&["bench", "-p", "hues-server", "--bench", "console_live"])?;
    // Insight (issue 14): the daily hot-issue scan beside its naive baseline; the dashboard
    // over 100,000 cases and the streamed export's memory.
    sh::cargo(&["bench", "-p", "hues-insight", "--bench", "scan"])?;
    sh::cargo(&["bench", "-p", "hues-server", "--bench", "insight"])?;
    // Before the app's builds, on a machine as quiet as this run gets: its last line is a row of
    // the table below.
    eprintln!("$ cargo bench -p hues-server --bench throughput");
    let server = sh::output(&mut sh::cargo_cmd(&[
        "bench",
        "-p",
        "hues-server",
        "--bench",
        "throughput",
    ]))?;
    println!("{server}");
    let server_row = server
        .lines()
        .last()
        .context("the server benchmark printed nothing")?
        .to_owned();
    build::ui(&tools)?;
    sh::cargo(&[
        "build",
        "--profile",
        "app-release",
        "-p",
        "hues-app",
        "--bin",
        "hues-app",
        "--example",
        "empty_window",
    ])?;

    // 1. The bundle.
    let mut rows = Vec::new();
    let (mut raw_total, mut gz_total) = (0, 0);
    for entry in walk(&dist())? {
        let raw = std::fs::metadata(&entry)?.len();
        let gz = gzipped_len(&entry)?;
        raw_total += raw;
        gz_total += gz;
        if entry.extension().is_some_and(|e| e == "wasm") {
            rows.push(format!(
                "| UI wasm after wasm-opt -Oz | {} | {} gzipped |",
                kb(raw),
                kb(gz)
            ));
        }
    }
    rows.push(format!(
        "| whole UI (dist/: wasm, JS glue, HTML) | {} | {} gzipped ({:.0}% of the 400 KB goal) |",
        kb(raw_total),
        kb(gz_total),
        gz_total as f64 / 4000.0
    ));

    // 2. Binary sizes.
    let release = target_dir().join("app-release");
    let app = release.join("hues-app");
    let baseline = release.join("examples/empty_window");
    let app_size = std::fs::metadata(&app)?.len();
    let base_size = std::fs::metadata(&baseline)?.len();
    rows.push(format!(
        "| release app binary (stripped, profile app-release) | {:.1} MB | baseline empty window {:.1} MB: ×{:.2}; goal ≤ 20 MB |",
        app_size as f64 / 1e6,
        base_size as f64 / 1e6,
        app_size as f64 / base_size as f64
    ));

    // 3. Start-up to first paint, alternating the two so both see the same machine state.
    let display = tools::virtual_display()?;
    let display_name = display
        .as_ref()
        .map(|d| d.name().to_owned())
        .or_else(|| std::env::var("DISPLAY").ok())
        .context("no display")?;
    let scratch = target_dir().join("bench-data");
    let _ = std::fs::remove_dir_all(&scratch);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    // One warm-up each: the first start pays for loading WebKit from disk.
    time_to_first_paint(&app, &display_name, &scratch.join("warmup-app"))?;
    time_to_first_paint(&baseline, &display_name, &scratch.join("warmup-base"))?;
    for i in 0..RUNS {
        ours.push(time_to_first_paint(
            &app,
            &display_name,
            &scratch.join(format!("app-{i}")),
        )?);
        theirs.push(time_to_first_paint(
            &baseline,
            &display_name,
            &scratch.join(format!("base-{i}")),
        )?);
    }
    let (o, t) = (median(ours.clone()), median(theirs.clone()));
    rows.push(format!(
        "| start → first paint of Home, median of {RUNS} (Xvfb) | {} | empty Tauri window {}: ×{:.2}; goal ≤ ×1.5 |",
        ms(o),
        ms(t),
        o.as_secs_f64() / t.as_secs_f64()
    ));
    drop(display);
    rows.push(server_row);

    let table = format!(
        "| figure | hues | baseline and ratio |\n|---|---|---|\n{}\n",
        rows.join("\n")
    );
    println!("{table}");
    let out = target_dir().join("bench.md");
    std::fs::write(&out, &table)?;
    eprintln!("written to {}", out.display());
    Ok(())
}

fn walk(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(walk(&path)?);
        } else {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
