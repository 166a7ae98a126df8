//! `./x run | test | bench | dist`: the project's automation, in Rust (the `x` script at the
//! root sets the cache dirs and calls this).
//!
//! - `run`: install what is missing, build, start `hues-server --demo` on 127.0.0.1:8787 and open
//!   the app against it.
//! - `test`: everything CI runs: fmt, clippy, the wasm build, the app build, all tests including
//!   the end-to-end ones in the real webview under Xvfb.
//! - `bench`: the figures of BENCHMARKS.md.
//! - `soak`: the long campaigns whose short versions CI runs (the hot-issue early warning's
//!   full acceptance trials, RELIABILITY.md).

use std::time::Instant;

use anyhow::{Result, bail};

mod bench;
mod build;
mod map;
mod sh;
mod tools;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(),
        Some("bench") => bench::all(),
        Some("soak") => soak(),
        Some("dist") => tools::ensure().and_then(|t| build::ui(&t)),
        Some("tools") => tools::ensure().map(|_| ()),
        _ => {
            eprintln!("usage: ./x run | test | bench | soak | dist | tools");
            bail!("unknown command {:?}", args.first());
        }
    };
    eprintln!("xtask: {:?} took {:.1?}", args.first(), started.elapsed());
    result
}

/// The long campaigns: hundreds of synthetic data sets × 999 shuffles for the early warning
/// (a few minutes on 2 cores); its table goes to RELIABILITY.md.
fn soak() -> Result<()> {
    sh::cargo(&[
        "run",
        "--release",
        "-p",
        "hues-insight",
        "--example",
        "soak",
    ])
}

fn run() -> Result<()> {
    let tools = tools::ensure()?;
    build::ui(&tools)?;
    let tiles = map::ensure()?;
    sh::cargo(&["build", "-p", "hues-server", "-p", "hues-app"])?;
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !has_display {
        bail!(
            "no display: the app needs a graphical session. On a machine without one, run it under \
             a virtual display:  xvfb-run -a ./x run"
        );
    }
    let bin = build::profile_dir().join("hues-server");
    let data_dir = build::home().join(".local/share/hues-demo");
    let token = "demo-operator";
    let mut server = std::process::Command::new(bin)
        .args([
            "--demo",
            "--addr",
            "127.0.0.1:8787",
            "--operator-token",
            token,
        ])
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--vendor-dir")
        .arg(build::dist().join("vendor"))
        .arg("--tiles")
        .arg(&tiles)
        .spawn()?;
    eprintln!(
        "hues-server on http://127.0.0.1:8787 with Huế demo data in {}.\n\
         Operator token: {token}  (e.g. curl -H 'Authorization: Bearer {token}' \
         http://127.0.0.1:8787/api/v1/operator/reports)\n\
         City console: http://127.0.0.1:8787/console/ (demo accounts printed above).",
        data_dir.display()
    );
    let status = std::process::Command::new(build::profile_dir().join("hues-app"))
        .env("HUES_SERVER_URL", "http://127.0.0.1:8787")
        .status();
    let _ = server.kill();
    let _ = server.wait();
    let status = status?;
    if !status.success() {
        bail!("the app exited with {status}");
    }
    Ok(())
}

fn test() -> Result<()> {
    let tools = tools::ensure()?;
    let step = |name: &str| eprintln!("\n==== {name}");
    step("format");
    sh::cargo(&["fmt", "--all", "--", "--check"])?;
    step("UI → wasm (dist/)");
    build::ui(&tools)?;
    step("clippy (host, whole workspace)");
    sh::cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    step("clippy (UI for wasm32)");
    sh::cargo(&[
        "clippy",
        "-p",
        "hues-ui",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
        "--",
        "-D",
        "warnings",
    ])?;
    step("the base map (tools/map)");
    let tiles = map::ensure()?;
    step("build binaries (server, app)");
    sh::cargo(&["build", "--workspace", "--bins"])?;
    step("tests (unit, integration, end-to-end)");
    let display = tools::virtual_display()?;
    let mut cmd = sh::cargo_cmd(&["test", "--workspace", "--", "--test-threads=2"]);
    cmd.env("HUES_TAURI_DRIVER", &tools.tauri_driver)
        .env("HUES_WEBKIT_DRIVER", &tools.webkit_driver)
        .env("HUES_AXE", &tools.axe)
        .env("HUES_PYTHON", &tools.python)
        .env("HUES_TILES", &tiles)
        .env(
            "HUES_README_SCREENSHOTS",
            build::root().join("docs/screenshots"),
        )
        .env("HUES_ARTIFACTS", build::target_dir().join("artifacts"));
    if let Some(d) = &display {
        cmd.env("DISPLAY", d.name());
    }
    sh::run(&mut cmd)?;
    drop(display);
    eprintln!(
        "\nall checks passed; screenshots in {}",
        build::target_dir().join("artifacts").display()
    );
    Ok(())
}
