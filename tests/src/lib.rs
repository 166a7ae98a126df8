//! Harness for whole-system tests: start the real `hues-server` binary on a free loopback port
//! with a temp data dir, talk to it as an operator, find built binaries, clean up on drop.

use std::ffi::OsString;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hues_wire::api::Report;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub mod browser;
pub mod oidc;
pub mod proxy;
pub mod session_bus;
pub mod sms;
pub mod webdriver;

pub const OPERATOR_TOKEN: &str = "system-test-operator";

/// The cargo target profile dir these tests were built into (…/target/debug).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // …/target/debug/deps/<test> → …/target/debug
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A binary built by `cargo build` in the same profile (xtask builds them before the tests).
pub fn built_binary(name: &str) -> Result<PathBuf> {
    let env_key = format!("HUES_{}_BIN", name.replace('-', "_").to_uppercase());
    let path = std::env::var_os(&env_key)
        .map(PathBuf::from)
        .unwrap_or_else(|| profile_dir().join(name));
    if !path.exists() {
        bail!(
            "{} not found: build it first (cargo build -p {name}) or set {env_key}",
            path.display()
        );
    }
    Ok(path)
}

/// The UI bundle's `vendor/` (htmx, Leaflet), which the console's pages load from the server;
/// present once `./x test` (or `./x dist`) has built the bundle.
pub fn vendor_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist/vendor");
    dir.join("htmx/htmx.min.js").exists().then_some(dir)
}

/// A port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running `hues-server --demo`; killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
}

impl ServerProcess {
    /// Starts the server on `port` (0: any) with its data in `data_dir`; returns once it listens.
    pub async fn start(data_dir: &Path, port: u16) -> Result<Self> {
        Self::start_with(data_dir, port, &[]).await
    }

    /// The same, with more command-line arguments (e.g. `--tiles file.mbtiles`).
    pub async fn start_with(data_dir: &Path, port: u16, extra: &[&str]) -> Result<Self> {
        let bin = built_binary("hues-server")?;
        let mut child = Command::new(&bin)
            .args(["--demo", "--addr", &format!("127.0.0.1:{port}")])
            .args(extra)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--operator-token", OPERATOR_TOKEN])
            .args(
                vendor_dir()
                    .map(|d| [OsString::from("--vendor-dir"), d.into_os_string()])
                    .into_iter()
                    .flatten(),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .context("server did not start within 30 s")??
            .context("server exited before listening")?;
        let port = line
            .rsplit(':')
            .next()
            .and_then(|p| p.trim().parse().ok())
            .with_context(|| format!("unexpected first line {line:?}"))?;
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            port,
            data_dir: data_dir.to_path_buf(),
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server (as a crash or power cut would: no goodbye).
    pub async fn stop(mut self) -> Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Counts the reports in the server's own database file.
    pub fn report_rows(&self) -> Result<i64> {
        let conn = rusqlite::Connection::open(self.data_dir.join("hues-server.db"))?;
        Ok(conn.query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?)
    }

    /// Operator: every report.
    pub async fn reports(&self) -> Result<Vec<Report>> {
        let resp = reqwest::Client::new()
            .get(format!("{}/api/v1/operator/reports", self.url()))
            .bearer_auth(OPERATOR_TOKEN)
            .send()
            .await?
            .error_for_status()?;
        Ok(resp.json().await?)
    }

    /// Operator: moves a report along.
    pub async fn set_status(&self, id: &str, status: &str, note: &str) -> Result<Report> {
        self.set_status_with_photos(id, status, note, &[]).await
    }

    /// Operator: moves a report along, attaching photos already on the server.
    pub async fn set_status_with_photos(
        &self,
        id: &str,
        status: &str,
        note: &str,
        photos: &[String],
    ) -> Result<Report> {
        let resp = reqwest::Client::new()
            .post(format!(
                "{}/api/v1/operator/reports/{id}/status",
                self.url()
            ))
            .bearer_auth(OPERATOR_TOKEN)
            .json(&serde_json::json!({ "status": status, "note": note, "photos": photos }))
            .send()
            .await?
            .error_for_status()?;
        Ok(resp.json().await?)
    }

    /// Operator: moves a dossier to `state` with a note.
    pub async fn advance_dossier(
        &self,
        code: &str,
        state: &str,
        note: &str,
    ) -> Result<hues_wire::dossiers::Dossier> {
        let resp = reqwest::Client::new()
            .post(format!(
                "{}/api/v1/operator/dossiers/{code}/state",
                self.url()
            ))
            .bearer_auth(OPERATOR_TOKEN)
            .json(&serde_json::json!({ "state": state, "note": note }))
            .send()
            .await?
            .error_for_status()?;
        Ok(resp.json().await?)
    }

    /// Operator: posts a CAP 1.2 alert; returns the status code and body.
    pub async fn post_alert(&self, xml: &str) -> Result<(u16, String)> {
        let resp = reqwest::Client::new()
            .post(format!("{}/api/v1/alerts", self.url()))
            .bearer_auth(OPERATOR_TOKEN)
            .header("content-type", "application/cap+xml")
            .body(xml.to_owned())
            .send()
            .await?;
        Ok((resp.status().as_u16(), resp.text().await?))
    }

    /// Operator: every booking.
    pub async fn bookings(&self) -> Result<Vec<hues_wire::api::Booking>> {
        Ok(reqwest::Client::new()
            .get(format!("{}/api/v1/operator/bookings", self.url()))
            .bearer_auth(OPERATOR_TOKEN)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Operator: confirms or declines a booking.
    pub async fn decide_booking(
        &self,
        id: &str,
        status: &str,
        note: &str,
    ) -> Result<hues_wire::api::Booking> {
        Ok(reqwest::Client::new()
            .post(format!(
                "{}/api/v1/operator/bookings/{id}/decision",
                self.url()
            ))
            .bearer_auth(OPERATOR_TOKEN)
            .json(&serde_json::json!({ "status": status, "note": note }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Another device (a citizen, or field staff) registers; returns its token.
    pub async fn register_device(&self) -> Result<String> {
        let resp: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/v1/devices", self.url()))
            .json(&serde_json::json!({ "platform": "test" }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        resp["token"]
            .as_str()
            .map(str::to_owned)
            .context("no token in the answer")
    }

    /// Runs a picture through the app's photo pipeline and uploads the result as `token`;
    /// returns its SHA-256 name.
    pub async fn upload_photo(&self, token: &str, picture: &[u8]) -> Result<String> {
        let p = hues_core::photo::process(picture, &hues_core::photo::PhotoLimits::default())?;
        reqwest::Client::new()
            .put(format!("{}/api/v1/photos/{}", self.url(), p.sha256))
            .bearer_auth(token)
            .header("content-type", "image/jpeg")
            .body(p.jpeg)
            .send()
            .await?
            .error_for_status()?;
        Ok(p.sha256)
    }

    /// Another citizen's report, sent as `token`.
    pub async fn post_report(&self, token: &str, report: &serde_json::Value) -> Result<Report> {
        Ok(reqwest::Client::new()
            .post(format!("{}/api/v1/reports", self.url()))
            .bearer_auth(token)
            .json(report)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// The published view of a report.
    pub async fn public_report(&self, id: &str) -> Result<serde_json::Value> {
        Ok(reqwest::Client::new()
            .get(format!("{}/api/v1/public/reports/{id}", self.url()))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}

/// Writes an MBTiles file with a generated PNG (a flat colour per tile) for every tile of the box
/// at each zoom; returns how many tiles it wrote.
pub fn write_mbtiles(
    path: &Path,
    (min_lat, max_lat, min_lon, max_lon): (f64, f64, f64, f64),
    zooms: std::ops::RangeInclusive<u8>,
) -> Result<usize> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
         INSERT INTO metadata VALUES ('name', 'test tiles'), ('format', 'png');",
    )?;
    let req = hues_wire::ipc::AreaRequest {
        min_lat,
        max_lat,
        min_lon,
        max_lon,
        zoom_from: *zooms.start(),
        zoom_to: *zooms.end(),
    };
    let tx = conn.transaction()?;
    let mut n = 0;
    for (z, x, y) in hues_core::tile_cache::area_tiles(&req) {
        let colour = [(x % 200) as u8 + 30, (y % 200) as u8 + 30, z * 10];
        let img = image::RgbImage::from_pixel(256, 256, image::Rgb(colour));
        let mut png = std::io::Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png)?;
        tx.execute(
            "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![z, x, (1u32 << z) - 1 - y, png.into_inner()],
        )?;
        n += 1;
    }
    tx.commit()?;
    Ok(n)
}

/// Polls `check` every 200 ms until it holds or `timeout` passes.
pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last_err = None;
    loop {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_err = Some(e),
        }
        if tokio::time::Instant::now() > deadline {
            bail!("timed out waiting for {what} (last error: {last_err:?})");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
