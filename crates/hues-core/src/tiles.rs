//! Map tiles for the app's `tile:` protocol: fetched from the configured `{z}/{x}/{y}` URL.
//! When that server cannot be reached, further requests fail at once for a while, so an offline
//! map shows its plain background and markers without waiting on every tile. (Issue 4 puts a
//! SQLite tile cache in front of this.)

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a failed tile server is left alone before it is tried again.
const COOL_DOWN: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("no tile server is configured")]
    NoSource,
    #[error("tile {0} does not exist")]
    OutOfRange(String),
    #[error("tile server unreachable: {0}")]
    Unreachable(String),
    #[error("tile server answered {0}")]
    Refused(u16),
    /// The template would fetch in clear text from another machine (see `address`).
    #[error("the tile address must use https://")]
    Insecure,
}

/// A tile as the server sent it.
#[derive(Debug, Clone)]
pub struct Tile {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// Parses `z/x/y` (with an optional `.png`/`.jpg` suffix) and checks the tile exists.
pub fn parse_tile_path(path: &str) -> Result<(u8, u32, u32), TileError> {
    let bad = || TileError::OutOfRange(path.to_owned());
    let path = path.trim_matches('/');
    let path = path.split('.').next().unwrap_or(path);
    let mut parts = path.split('/');
    let (Some(z), Some(x), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let z: u8 = z.parse().map_err(|_| bad())?;
    let x: u32 = x.parse().map_err(|_| bad())?;
    let y: u32 = y.parse().map_err(|_| bad())?;
    if z > 22 || u64::from(x) >= 1u64 << z || u64::from(y) >= 1u64 << z {
        return Err(bad());
    }
    Ok((z, x, y))
}

pub struct TileFetcher {
    http: reqwest::Client,
    down_until: Mutex<Option<Instant>>,
}

impl Default for TileFetcher {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            // Tile servers (OpenStreetMap's among them) require an identifying User-Agent.
            .user_agent(concat!(
                "hues-app/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/hues-city/hues)"
            ))
            .redirect(crate::address::redirect_policy())
            .build()
            .unwrap_or_default();
        Self {
            http,
            down_until: Mutex::new(None),
        }
    }
}

impl TileFetcher {
    /// Fetches tile `z/x/y` from `template` (`{z}`, `{x}`, `{y}` placeholders).
    pub async fn fetch(&self, template: &str, z: u8, x: u32, y: u32) -> Result<Tile, TileError> {
        if template.trim().is_empty() {
            return Err(TileError::NoSource);
        }
        // One saved before http was kept to this device is not used.
        if crate::address::check(template, "tile URL", true).is_err() {
            return Err(TileError::Insecure);
        }
        if let Ok(guard) = self.down_until.lock()
            && guard.is_some_and(|t| Instant::now() < t)
        {
            return Err(TileError::Unreachable("cooling down".into()));
        }
        let url = template
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string());
        let result = async {
            let resp = self.http.get(&url).send().await?;
            let status = resp.status();
            let content_type = resp
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("image/png")
                .to_owned();
            let bytes = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, content_type, bytes))
        }
        .await;
        match result {
            Ok((status, content_type, bytes)) if status.is_success() => Ok(Tile {
                bytes: bytes.to_vec(),
                content_type,
            }),
            Ok((status, ..)) => Err(TileError::Refused(status.as_u16())),
            Err(e) => {
                if let Ok(mut guard) = self.down_until.lock() {
                    *guard = Some(Instant::now() + COOL_DOWN);
                }
                Err(TileError::Unreachable(e.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_paths() {
        assert_eq!(
            parse_tile_path("/15/26171/14998.png"),
            Ok((15, 26171, 14998))
        );
        assert_eq!(parse_tile_path("0/0/0"), Ok((0, 0, 0)));
        for bad in [
            "",
            "1/2/0",
            "1/0/2",
            "23/0/0",
            "a/b/c",
            "1/0/0/0",
            "../../etc/passwd",
        ] {
            assert!(parse_tile_path(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn an_unreachable_server_is_left_alone_for_a_while() {
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("port");
        let f = TileFetcher::default();
        let url = format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png");
        let first = f.fetch(&url, 1, 0, 0).await;
        assert!(matches!(first, Err(TileError::Unreachable(_))), "{first:?}");
        let second = f.fetch(&url, 1, 1, 0).await;
        assert_eq!(
            second.err(),
            Some(TileError::Unreachable("cooling down".into()))
        );
        assert_eq!(f.fetch("", 0, 0, 0).await.err(), Some(TileError::NoSource));
    }
}
