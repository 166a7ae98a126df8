//! Installs what is missing, idempotently: Debian packages, the wasm32 target, wasm-bindgen-cli
//! at the exact version in Cargo.lock, tauri-driver, and the npm packages (binaryen's wasm-opt,
//! the Tauri CLI). Tools live under ~/.cache/hues, outside the clone, so warm runs are fast.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::build::{home, root};
use crate::sh;

/// Debian packages, each with a command that, when already on PATH, makes it unnecessary (Node.js
/// may come from elsewhere than Debian).
const APT_PACKAGES: &[(&str, Option<&str>)] = &[
    ("build-essential", None),
    ("pkg-config", None),
    ("file", None),
    ("libwebkit2gtk-4.1-dev", None),
    ("libssl-dev", None),
    ("libxdo-dev", None),
    ("libayatana-appindicator3-dev", None),
    ("librsvg2-dev", None),
    ("webkit2gtk-driver", Some("WebKitWebDriver")),
    ("xvfb", Some("Xvfb")),
    ("xauth", None),
    // xmllint: the CAP tests check what the server writes against the CAP 1.2 schema.
    ("libxml2-utils", Some("xmllint")),
    // A private session bus and its monitor: the e2e tests see the app's system notifications.
    ("dbus-daemon", Some("dbus-daemon")),
    ("dbus-bin", Some("dbus-monitor")),
    // The city console's end-to-end test drives Debian's Chromium.
    ("chromium", Some("chromium")),
    ("chromium-driver", Some("chromedriver")),
    // Python tools of the tests (a local identity provider) live in a venv under the cache.
    ("python3-venv", None),
    // The OS keyring the app keeps its secrets in (Secret Service), on the tests' own bus.
    ("gnome-keyring", Some("gnome-keyring-daemon")),
    // The demo's base map, rendered from OpenStreetMap data (tools/map/build_tiles.py).
    ("python3-mapnik", None),
    ("gdal-bin", Some("ogr2ogr")),
    ("fonts-dejavu-core", None),
    ("nodejs", Some("node")),
    ("npm", Some("npm")),
];
const TAURI_DRIVER_VERSION: &str = "2.1.0";
const NPM_PACKAGES: &[&str] = &[
    "binaryen@132.0.0",
    "@tauri-apps/cli@2.12.5",
    // The map and its marker clustering; copied into dist/ so the app never loads code from
    // elsewhere.
    "leaflet@1.9.4",
    "leaflet.markercluster@1.5.3",
    // The console's partial updates and its live stream (server-sent events), served by
    // hues-server from dist/vendor/htmx.
    "htmx.org@2.0.11",
    "htmx-ext-sse@2.2.4",
    // Accessibility checks of the console's pages, injected by the browser test.
    "axe-core@4.10.3",
    // The app's icons (SVG, ISC): the ones in assets/icons.txt go into index.html.
    "lucide-static@1.62.0",
];

/// PyPI packages of the tests, pinned: the local OpenID Connect provider
/// (`tests/fixtures/oidc_provider.py`). 0.3.4 is the last for Debian 12's Python 3.11.
const PYPI_PACKAGES: &[&str] = &["oidc-provider-mock==0.3.4"];

pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub wasm_opt: PathBuf,
    /// Leaflet's `dist/` from npm, copied into the UI bundle.
    pub leaflet: PathBuf,
    /// leaflet.markercluster's `dist/`.
    pub markercluster: PathBuf,
    /// axe-core's `axe.min.js`.
    pub axe: PathBuf,
    /// lucide-static's `icons/` (one SVG per icon).
    pub icons: PathBuf,
    /// htmx's `dist/` and its SSE extension's `dist/`.
    pub htmx: PathBuf,
    pub htmx_sse: PathBuf,
    pub tauri_driver: PathBuf,
    pub webkit_driver: PathBuf,
    /// The venv's Python, with `PYPI_PACKAGES`.
    pub python: PathBuf,
}

pub fn cache_dir() -> PathBuf {
    std::env::var_os("HUES_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache/hues"))
}

fn tools_root() -> PathBuf {
    cache_dir().join("tools")
}

fn npm_dir() -> PathBuf {
    cache_dir().join("npm")
}

pub fn ensure() -> Result<Tools> {
    apt(APT_PACKAGES)?;
    wasm_target()?;
    let wasm_bindgen = wasm_bindgen()?;
    let tauri_driver = cargo_tool("tauri-driver", TAURI_DRIVER_VERSION, true)?;
    let wasm_opt = npm()?;
    let python = pypi()?;
    let webkit_driver = which("WebKitWebDriver")
        .or_else(|| Some(PathBuf::from("/usr/bin/WebKitWebDriver")).filter(|p| p.exists()))
        .context("WebKitWebDriver not found after installing webkit2gtk-driver")?;
    Ok(Tools {
        wasm_bindgen,
        wasm_opt,
        leaflet: npm_dir().join("node_modules/leaflet/dist"),
        markercluster: npm_dir().join("node_modules/leaflet.markercluster/dist"),
        axe: npm_dir().join("node_modules/axe-core/axe.min.js"),
        icons: npm_dir().join("node_modules/lucide-static/icons"),
        htmx: npm_dir().join("node_modules/htmx.org/dist"),
        htmx_sse: npm_dir().join("node_modules/htmx-ext-sse/dist"),
        tauri_driver,
        webkit_driver,
        python,
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

fn is_root() -> bool {
    sh::output(Command::new("id").arg("-u")).is_ok_and(|u| u == "0")
}

/// What `./x bench` adds: the photo pipeline's two baselines.
pub const BENCH_PACKAGES: &[(&str, Option<&str>)] = &[
    ("libvips-tools", Some("vipsthumbnail")),
    ("imagemagick", None),
];

pub fn apt(packages: &[(&str, Option<&str>)]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, command)| !command.is_some_and(|c| which(c).is_some()))
        .map(|(p, _)| *p)
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("installing Debian packages: {}", missing.join(" "));
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.to_vec();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut cmd = Command::new(all[0]);
        cmd.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        sh::run(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(missing.iter().copied());
    apt(&args)
}

fn wasm_target() -> Result<()> {
    let installed = sh::output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        sh::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// The version of a package as Cargo.lock pins it.
pub fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_owned())
}

fn wasm_bindgen() -> Result<PathBuf> {
    // The CLI must match the crate exactly, or the generated glue does not fit the wasm.
    let version = locked_version("wasm-bindgen")?;
    cargo_tool_named("wasm-bindgen-cli", "wasm-bindgen", &version, false)
}

fn cargo_tool(name: &str, version: &str, locked: bool) -> Result<PathBuf> {
    cargo_tool_named(name, name, version, locked)
}

fn cargo_tool_named(krate: &str, bin: &str, version: &str, locked: bool) -> Result<PathBuf> {
    let path = tools_root().join("bin").join(bin);
    let have = Command::new(&path)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    // tauri-driver prints no version on --version in some builds: its presence is enough.
    let ok = match &have {
        Some(v) => v.contains(version) || (krate == "tauri-driver" && path.exists()),
        None => false,
    };
    if !ok {
        eprintln!(
            "installing {krate} {version} into {}",
            tools_root().display()
        );
        let mut cmd = Command::new("cargo");
        cmd.args(["install", krate, "--version", version, "--root"])
            .arg(tools_root())
            // Tools get their own target dir: the project's must not rebuild them.
            .env("CARGO_TARGET_DIR", cache_dir().join("tools-target"));
        if locked {
            cmd.arg("--locked");
        }
        sh::run(&mut cmd)?;
    }
    Ok(path)
}

fn npm() -> Result<PathBuf> {
    let dir = npm_dir();
    let wasm_opt = dir.join("node_modules/.bin/wasm-opt");
    let tauri = dir.join("node_modules/.bin/tauri");
    let marker = dir.join("installed.txt");
    let want = NPM_PACKAGES.join(" ");
    let current = std::fs::read_to_string(&marker).unwrap_or_default();
    let leaflet = dir.join("node_modules/leaflet/dist/leaflet.js");
    let cluster = dir.join("node_modules/leaflet.markercluster/dist/leaflet.markercluster.js");
    let axe = dir.join("node_modules/axe-core/axe.min.js");
    let htmx = dir.join("node_modules/htmx.org/dist/htmx.min.js");
    let sse = dir.join("node_modules/htmx-ext-sse/dist/sse.js");
    if !(wasm_opt.exists()
        && tauri.exists()
        && axe.exists()
        && htmx.exists()
        && sse.exists()
        && leaflet.exists()
        && cluster.exists()
        && current == want)
    {
        std::fs::create_dir_all(&dir)?;
        let mut cmd = Command::new("npm");
        cmd.args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .args(NPM_PACKAGES);
        sh::run(&mut cmd)?;
        std::fs::write(&marker, want)?;
    }
    Ok(wasm_opt)
}

/// The tests' Python tools in a venv under the cache; returns its interpreter.
fn pypi() -> Result<PathBuf> {
    let dir = cache_dir().join("venv");
    let python = dir.join("bin/python");
    let marker = dir.join("installed.txt");
    let want = PYPI_PACKAGES.join(" ");
    if python.exists() && std::fs::read_to_string(&marker).unwrap_or_default() == want {
        return Ok(python);
    }
    if !python.exists() {
        sh::run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    }
    sh::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(PYPI_PACKAGES),
    )?;
    std::fs::write(&marker, want)?;
    Ok(python)
}

/// An Xvfb display for the webview tests when there is no display; stopped on drop.
pub struct VirtualDisplay {
    child: Child,
    name: String,
}

impl VirtualDisplay {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn virtual_display() -> Result<Option<VirtualDisplay>> {
    if std::env::var_os("DISPLAY").is_some() {
        return Ok(None);
    }
    let n = (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .context("no free X display number")?;
    let name = format!(":{n}");
    let child = Command::new("Xvfb")
        .args([&name, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting Xvfb")?;
    let socket = format!("/tmp/.X11-unix/X{n}");
    for _ in 0..100 {
        if Path::new(&socket).exists() {
            eprintln!("Xvfb on {name}");
            return Ok(Some(VirtualDisplay { child, name }));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("Xvfb did not start on {name}")
}
