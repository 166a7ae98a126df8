//! Driving the built app in its real webview: `tauri-driver` (which starts `WebKitWebDriver`,
//! which starts the app) on free ports, a fantoccini session on top, and helpers for waiting,
//! reading text and taking screenshots into the artifacts dir.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

use crate::{built_binary, free_port};

/// Where screenshots go (set by `./x test`; else next to the test binaries).
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("HUES_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::profile_dir().join("artifacts"))
}

/// The screens the README shows (docs/screenshots/<name>.png), refreshed by every `./x test`.
pub const README_SCREENS: [&str; 10] = [
    "home",
    "report-location",
    "my-reports",
    "activity",
    "alert-area",
    "places-search",
    "map",
    "my-dossiers",
    "account",
    "settings-en",
];

/// The app under WebDriver; the driver is stopped (SIGTERM, so it stops WebKitWebDriver and
/// the app too) when dropped.
pub struct AppSession {
    pub client: Client,
    driver: Child,
    /// Set when the session ends; until then a watchdog may stop a hung app.
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Held while the session lives: one app under WebDriver at a time (see `start`).
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// One webview at a time: two WebKit processes, two driver stacks and their apps on 2 cores
/// under Xvfb starve each other (a page once took over 30 s to appear). Tests that need no
/// webview still run in parallel.
fn turn() -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static TURN: std::sync::OnceLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
        std::sync::OnceLock::new();
    std::sync::Arc::clone(TURN.get_or_init(|| std::sync::Arc::new(tokio::sync::Mutex::new(()))))
}

/// Longest an app may live under WebDriver (`HUES_SESSION_LIMIT_SECS`, default 240 s; the longest
/// test takes about 30 s). A webview that hangs (seen once: its page spinning at 100 % CPU before
/// the first paint) would otherwise block a WebDriver call, and CI, for ever; stopping the app
/// makes that call fail and the test report it.
fn watchdog(pid: Option<u32>, done: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let Some(pid) = pid else { return };
    let limit = std::env::var("HUES_SESSION_LIMIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(240u64);
    std::thread::spawn(move || {
        for _ in 0..limit {
            std::thread::sleep(Duration::from_secs(1));
            if done.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
        }
        eprintln!("watchdog: the app under WebDriver ran over {limit} s; stopping it");
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .status();
    });
}

impl AppSession {
    /// Starts the app with these environment variables (data dir, server URL…).
    pub async fn start(env: &[(&str, String)]) -> Result<Self> {
        let turn = turn().lock_owned().await;
        let app = built_binary("hues-app")?;
        let tauri_driver = std::env::var_os("HUES_TAURI_DRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("tauri-driver"));
        let webkit_driver = std::env::var_os("HUES_WEBKIT_DRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/bin/WebKitWebDriver"));
        if std::env::var_os("DISPLAY").is_none() {
            bail!(
                "no DISPLAY: run the webview tests through ./x test (it starts Xvfb) or under xvfb-run"
            );
        }
        let port = free_port()?;
        let native_port = free_port()?;
        let mut cmd = Command::new(&tauri_driver);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .arg("--native-driver")
        .arg(&webkit_driver)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        // Its own process group, so that stopping it also stops WebKitWebDriver and the app,
        // even when a failing test never closes its session.
        .process_group(0);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd
            .spawn()
            .with_context(|| format!("starting {}", tauri_driver.display()))?;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        watchdog(driver.id(), std::sync::Arc::clone(&done));
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.to_string_lossy() }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Ok(Self {
                        client,
                        driver,
                        done,
                        _turn: turn,
                    });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("could not open a WebDriver session on {url}: {last:?}")
    }

    /// On the report form: answers both consent questions with yes, as a citizen about to send
    /// a report does. Each answer re-renders the panel, so a click that meets a replaced node is
    /// tried again until that question is gone.
    pub async fn agree_to_send(&self) -> Result<()> {
        self.find("#consent-ask").await?;
        for purpose in ["location", "photos"] {
            let css = format!("#consent-{purpose}-yes");
            crate::eventually(Duration::from_secs(20), &css, || async {
                match self.client.find(Locator::Css(&css)).await {
                    // Gone: answered.
                    Err(_) => Ok(true),
                    Ok(el) => {
                        if let Ok(arg) = serde_json::to_value(&el) {
                            let _ = self
                                .client
                                .execute(
                                    "arguments[0].scrollIntoView({block: 'center'});",
                                    vec![arg],
                                )
                                .await;
                        }
                        let _ = el.click().await;
                        Ok(false)
                    }
                }
            })
            .await?;
        }
        Ok(())
    }

    /// Waits for an element matching `css`.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element {css}"))
    }

    /// Clicks an element after scrolling it to the middle of the window, as a person would
    /// (the sticky bottom bar would otherwise cover controls at the end of a long form).
    pub async fn click(&self, css: &str) -> Result<()> {
        let el = self.find(css).await?;
        let arg = serde_json::to_value(&el)?;
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
            .await?;
        el.click().await?;
        Ok(())
    }

    /// Types into a field after clearing it.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let el = self.find(css).await?;
        el.clear().await?;
        el.send_keys(text).await?;
        Ok(())
    }

    /// axe-core's violations on the screen shown (see `browser::axe_on`).
    pub async fn axe(&self) -> Result<Vec<String>> {
        crate::browser::axe_on(&self.client).await
    }

    /// Opens the sync line's details (what waits, what was refused, "Sync now") if closed.
    pub async fn open_sync_details(&self) -> Result<()> {
        let toggle = self.find("#sync-toggle").await?;
        if toggle.attr("aria-expanded").await?.as_deref() != Some("true") {
            toggle.click().await?;
        }
        self.wait_visible("#sync-waiting").await
    }

    async fn wait_visible(&self, css: &str) -> Result<()> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !self.find(css).await?.is_displayed().await? {
            if tokio::time::Instant::now() > deadline {
                bail!("{css} never became visible");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// Waits until the text of `css` contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str, timeout: Duration) -> Result<String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let now = self
                .client
                .find(Locator::Css(css))
                .await
                .ok()
                .map(|el| async move { el.text().await.unwrap_or_default() });
            let text = match now {
                Some(f) => f.await,
                None => String::new(),
            };
            if text.contains(needle) {
                return Ok(text);
            }
            if tokio::time::Instant::now() > deadline {
                bail!("{css} never contained {needle:?}; last text {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Saves a PNG of the window under the artifacts dir, after two animation frames so the
    /// picture is of the current state.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png)?;
        // The README shows the main screens as the tests last saw them (`./x test` sets the
        // folder: docs/screenshots of the checkout).
        if let Some(readme) = std::env::var_os("HUES_README_SCREENSHOTS")
            && README_SCREENS.contains(&name)
        {
            std::fs::write(PathBuf::from(readme).join(format!("{name}.png")), &png)?;
        }
        Ok(path)
    }

    pub async fn close(mut self) -> Result<()> {
        let _ = self.client.clone().close().await;
        self.stop_driver();
        Ok(())
    }

    fn stop_driver(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        // SIGTERM to the whole group (tauri-driver, WebKitWebDriver, the app), a moment to
        // finish, then SIGKILL for whatever is left.
        let Some(pid) = self.driver.id() else { return };
        let group = format!("-{pid}");
        let signal = |sig: &str| {
            let _ = std::process::Command::new("kill")
                .args([sig, "--", &group])
                .stderr(Stdio::null())
                .status();
        };
        signal("-TERM");
        for _ in 0..30 {
            if matches!(self.driver.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(200));
        signal("-KILL");
        let _ = self.driver.try_wait();
    }
}

impl Drop for AppSession {
    fn drop(&mut self) {
        self.stop_driver();
    }
}
