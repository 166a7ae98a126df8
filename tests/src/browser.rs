//! The console in a real browser: Debian's Chromium under its ChromeDriver, headless, on a free
//! port with a profile of its own in a temp dir; stopped (the whole process group) when dropped.
//! `axe` runs axe-core (from npm, injected through WebDriver) on the page shown.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

use crate::free_port;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn path_from(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

impl Browser {
    /// Chromium at 1280 × 900.
    pub async fn start() -> Result<Self> {
        let chromedriver = path_from("HUES_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = path_from("HUES_CHROMIUM", "/usr/bin/chromium");
        let profile = tempfile::tempdir()?;
        let port = free_port()?;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", chromedriver.display()))?;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium.to_string_lossy(),
                "args": [
                    // As root, headless, and quiet on a closed network (STACK-NOTES).
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
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
                        _profile: profile,
                    });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("could not open a Chromium session on {url}: {last:?}")
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        Ok(())
    }

    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let e = self.client.find(Locator::Css(css)).await?;
        e.clear().await?;
        e.send_keys(text).await?;
        Ok(())
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.client.find(Locator::Css(css)).await?.click().await?;
        Ok(())
    }

    /// The page's text.
    pub async fn body(&self) -> Result<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    /// Waits (up to 10 s) until the page's text holds `needle`.
    pub async fn wait_text(&self, needle: &str) -> Result<String> {
        self.wait_text_within(needle, Duration::from_secs(10)).await
    }

    /// Waits until the page's text holds `needle`, without reloading it.
    pub async fn wait_text_within(&self, needle: &str, timeout: Duration) -> Result<String> {
        let mut last = String::new();
        let until = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < until {
            last = self.body().await.unwrap_or_default();
            if last.contains(needle) {
                return Ok(last);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("{needle:?} never showed; the page said: {last}")
    }

    /// axe-core's violations on the page shown, as "rule: where" lines.
    pub async fn axe(&self) -> Result<Vec<String>> {
        axe_on(&self.client).await
    }

    /// Whether the page fits its window's width (nothing to scroll sideways).
    pub async fn fits_width(&self) -> Result<bool> {
        let v = self
            .client
            .execute(
                "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1;",
                Vec::new(),
            )
            .await?;
        Ok(v.as_bool().unwrap_or(false))
    }

    /// The elements that reach past the window's right edge (tag#id.class and width), to say
    /// what breaks the layout when `fits_width` fails.
    pub async fn too_wide(&self) -> Result<Vec<String>> {
        let v = self
            .client
            .execute(
                "const w = document.documentElement.clientWidth;
                 return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > w + 1)
                   .slice(0, 12)
                   .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
                     + ' ' + Math.round(e.getBoundingClientRect().width) + 'px');",
                Vec::new(),
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    pub async fn close(mut self) -> Result<()> {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
    }
}

/// axe-core (npm, `HUES_AXE`; injected through WebDriver, never part of what is tested) run on
/// the page a WebDriver session shows: its violations as "rule: where" lines.
pub async fn axe_on(client: &Client) -> Result<Vec<String>> {
    let path = path_from("HUES_AXE", "axe.min.js");
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("reading axe-core from {}", path.display()))?;
    client.execute(&source, Vec::new()).await?;
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document).then(r => done(r.violations.map(v =>
                 v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            Vec::new(),
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}
