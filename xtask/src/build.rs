//! Building the UI bundle (wasm → dist/) and finding what cargo built.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::sh;
use crate::tools::Tools;

/// The checkout to work on: the one `./x` was run from. (Not this binary's compile-time path:
/// clones that share `~/.cache/hues/target` share one `xtask` binary file.)
pub fn root() -> PathBuf {
    std::env::var_os("HUES_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        })
}

pub fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Where `cargo build` (dev profile) puts binaries.
pub fn profile_dir() -> PathBuf {
    target_dir().join("debug")
}

pub fn dist() -> PathBuf {
    root().join("dist")
}

/// cargo (wasm32, size profile) → wasm-bindgen → wasm-opt → dist/ with index.html and loader.
pub fn ui(tools: &Tools) -> Result<()> {
    sh::cargo(&[
        "build",
        "-p",
        "hues-ui",
        "--bin",
        "hues-ui",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ])?;
    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/hues-ui.wasm");
    let dist = dist();
    if dist.exists() {
        std::fs::remove_dir_all(&dist).context("clearing dist/")?;
    }
    std::fs::create_dir_all(&dist)?;
    sh::run(
        Command::new(&tools.wasm_bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "hues_ui",
            ])
            .arg("--out-dir")
            .arg(&dist)
            .arg(&wasm),
    )?;
    let bg = dist.join("hues_ui_bg.wasm");
    sh::run(
        Command::new(&tools.wasm_opt)
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-reference-types",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-multivalue",
                "--strip-debug",
                "--strip-producers",
            ])
            .arg(&bg)
            .arg("-o")
            .arg(&bg),
    )?;
    let index = std::fs::read_to_string(root().join("assets/index.html"))
        .context("reading assets/index.html")?;
    std::fs::write(
        dist.join("index.html"),
        index.replace("<!-- icons -->", &icon_sprite(&tools.icons)?),
    )?;
    for file in ["main.js", "map.js"] {
        std::fs::copy(root().join("assets").join(file), dist.join(file))
            .with_context(|| format!("copying assets/{file}"))?;
    }
    // Leaflet, bundled: its script, stylesheet and marker images.
    let vendor = dist.join("vendor/leaflet");
    std::fs::create_dir_all(vendor.join("images"))?;
    for file in [
        "leaflet.js",
        "leaflet.css",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    ] {
        std::fs::copy(tools.leaflet.join(file), vendor.join(file))
            .with_context(|| format!("copying leaflet/{file}"))?;
    }
    let cluster = dist.join("vendor/markercluster");
    std::fs::create_dir_all(&cluster)?;
    for file in [
        "leaflet.markercluster.js",
        "MarkerCluster.css",
        "MarkerCluster.Default.css",
    ] {
        std::fs::copy(tools.markercluster.join(file), cluster.join(file))
            .with_context(|| format!("copying leaflet.markercluster/{file}"))?;
    }
    // htmx and its SSE extension: not used by the app, but served by hues-server to the
    // console from here (`--vendor-dir dist/vendor`), so that one bundle holds every copy.
    let htmx = dist.join("vendor/htmx");
    std::fs::create_dir_all(&htmx)?;
    std::fs::copy(tools.htmx.join("htmx.min.js"), htmx.join("htmx.min.js"))
        .context("copying htmx.org/dist/htmx.min.js")?;
    std::fs::copy(tools.htmx_sse.join("sse.js"), htmx.join("sse.js"))
        .context("copying htmx-ext-sse/dist/sse.js")?;
    Ok(())
}

/// The icons named in `assets/icons.txt`, from lucide-static, as one hidden SVG of `<symbol>`s
/// (`#i-<name>`); their stroke and fill come from the stylesheet (`.icon`).
fn icon_sprite(icons: &Path) -> Result<String> {
    let list = std::fs::read_to_string(root().join("assets/icons.txt"))
        .context("reading assets/icons.txt")?;
    let mut out = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">"#,
    );
    for name in list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let svg = std::fs::read_to_string(icons.join(format!("{name}.svg")))
            .with_context(|| format!("icon {name:?} is not in lucide-static"))?;
        // The licence comment before `<svg` stays out (the package's licence is ISC).
        let body = svg
            .split_once("<svg")
            .and_then(|(_, rest)| rest.split_once('>'))
            .and_then(|(_, rest)| rest.rsplit_once("</svg>"))
            .map(|(inner, _)| inner)
            .with_context(|| format!("icon {name:?}: not an SVG"))?;
        out.push_str(&format!(
            r#"<symbol id="i-{name}" viewBox="0 0 24 24">{}</symbol>"#,
            body.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    out.push_str("</svg>");
    Ok(out)
}
