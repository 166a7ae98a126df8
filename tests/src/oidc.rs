//! The tests' identity provider: `tests/fixtures/oidc_provider.py` (PyPI oidc-provider-mock
//! with PKCE required) on a free port, from the venv `./x` installs (`HUES_PYTHON`); stopped
//! when dropped. No real provider is reachable from CI.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::process::{Child, Command};

pub struct IdentityProvider {
    _child: Child,
    pub url: String,
}

impl IdentityProvider {
    pub async fn start() -> Result<Self> {
        let python = std::env::var_os("HUES_PYTHON").map_or_else(
            || {
                PathBuf::from(std::env::var("HOME").unwrap_or_default())
                    .join(".cache/hues/venv/bin/python")
            },
            PathBuf::from,
        );
        let port = crate::free_port()?;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/oidc_provider.py");
        let child = Command::new(&python)
            .arg(script)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("{} (./x tools makes the venv)", python.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            let up = reqwest::get(format!("{url}/.well-known/openid-configuration")).await;
            if up.is_ok_and(|r| r.status().is_success()) {
                return Ok(Self { _child: child, url });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the test identity provider did not start")
    }

    /// A citizen of the provider, with their claims.
    pub async fn add_user(&self, sub: &str, claims: serde_json::Value) -> Result<()> {
        reqwest::Client::new()
            .put(format!("{}/users/{sub}", self.url))
            .json(&claims)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Plays the citizen's browser: logs in as `sub` on the provider's page at `authorize_url`
    /// and follows the provider back to wherever it sends the browser (the app's loopback).
    pub async fn log_in(authorize_url: &str, sub: &str) -> Result<String> {
        let page = reqwest::Client::new()
            .post(authorize_url)
            .form(&[("sub", sub)])
            .send()
            .await?
            .error_for_status()?;
        Ok(page.text().await?)
    }
}
