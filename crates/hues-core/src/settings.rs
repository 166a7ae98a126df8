//! The device's settings (language, server, tile address), what it keeps per server (the
//! city's numbers, the feed's cursor, the last good sync) and the device's token, which lives in
//! the OS keyring (`secrets`), never in SQLite.

use chrono::{DateTime, Utc};
use hues_wire::api::{CityContacts, SyncPage};
use hues_wire::ipc::Settings;
use hues_wire::{ApiError, ErrorCode};
use rusqlite::Transaction;

use crate::error::CoreError;
use crate::fields::{parse_ts, ts};
use crate::store::Store;

/// The keyring entry of the device's token for a server.
fn token_key(server: &str) -> String {
    format!("device-token {server}")
}

/// What a page of the feed says beside its changes: where the next page starts and the city's
/// numbers, kept in the page's transaction.
pub(crate) fn apply_page_header(
    tx: &Transaction<'_>,
    server: &str,
    page: &SyncPage,
) -> Result<(), CoreError> {
    Store::set_kv(tx, &format!("cursor:{server}"), &page.next_cursor)?;
    Store::set_kv(
        tx,
        &format!("city:{server}"),
        &serde_json::to_string(&page.city)?,
    )
}

impl Store {
    /// The city's numbers as the configured server last said. A hotline that is not a phone
    /// number (`contacts::tel_uri`) is dropped here, so the UI never links to it.
    pub fn city_contacts(&self) -> Result<CityContacts, CoreError> {
        let server = self.server_url()?;
        let mut city: CityContacts = self
            .get_json(&format!("city:{server}"))
            .ok()
            .flatten()
            .unwrap_or_default();
        city.hotline = city
            .hotline
            .filter(|h| hues_wire::contacts::tel_uri(h).is_some());
        Ok(city)
    }

    pub fn settings(&self) -> Result<Settings, CoreError> {
        let mut s: Settings = self.get_json("settings")?.unwrap_or_default();
        if s.tile_url == hues_wire::ipc::FORMER_DEFAULT_TILE_URL {
            s.tile_url.clear();
        }
        Ok(s)
    }

    /// Saves settings after checking them; the language must be `vi` or `en`, the server URL
    /// and the tile template https (http only to this device itself, see `address`).
    pub fn save_settings(&self, s: &Settings) -> Result<Settings, CoreError> {
        let language = s.language.trim();
        if language != "vi" && language != "en" {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::InvalidValue,
                "language must be vi or en",
            )));
        }
        let url = s.server_url.trim().trim_end_matches('/');
        crate::address::check(url, "server URL", false).map_err(CoreError::Invalid)?;
        let tile_url = s.tile_url.trim();
        if !tile_url.is_empty() {
            crate::address::check(tile_url, "tile URL", true).map_err(CoreError::Invalid)?;
            if !["{z}", "{x}", "{y}"].iter().all(|p| tile_url.contains(p)) {
                return Err(CoreError::Invalid(ApiError::new(
                    ErrorCode::InvalidValue,
                    "tile URL must be an http(s) URL with {z}, {x} and {y}, or empty",
                )));
            }
        }
        let clean = Settings {
            language: language.to_owned(),
            server_url: url.to_owned(),
            tile_url: tile_url.to_owned(),
        };
        self.set_json("settings", &clean)?;
        self.bump();
        Ok(clean)
    }

    /// The server to talk to. One saved before http was kept to this device (or set by hand)
    /// is not used: the citizen is told to change it rather than the token and reports going
    /// out in clear text.
    pub fn server_url(&self) -> Result<String, CoreError> {
        let url = self.settings()?.server_url;
        crate::address::check(&url, "server URL", false).map_err(CoreError::Invalid)?;
        Ok(url)
    }

    pub fn device_token(&self, server: &str) -> Result<Option<String>, CoreError> {
        self.secrets().get(&token_key(server))
    }

    pub fn set_device_token(&self, server: &str, token: Option<&str>) -> Result<(), CoreError> {
        let key = token_key(server);
        match token {
            Some(t) => self.secrets().set(&key, t),
            None => {
                self.secrets().delete(&key)?;
                let conn = self.conn()?;
                conn.execute("DELETE FROM kv WHERE key = ?1", [format!("token:{server}")])?;
                // A new identity starts the feed over.
                conn.execute(
                    "DELETE FROM kv WHERE key = ?1",
                    [format!("cursor:{server}")],
                )?;
                Ok(())
            }
        }
    }

    pub fn cursor(&self, server: &str) -> Result<String, CoreError> {
        Ok(Self::get_kv(&*self.conn()?, &format!("cursor:{server}"))?.unwrap_or_default())
    }

    pub fn last_success(&self) -> Result<Option<DateTime<Utc>>, CoreError> {
        Self::get_kv(&*self.conn()?, "last_success_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()
    }

    pub fn set_last_success(&self, t: DateTime<Utc>) -> Result<(), CoreError> {
        Self::set_kv(&*self.conn()?, "last_success_at", &ts(t))?;
        self.bump();
        Ok(())
    }

    // ---- categories ---------------------------------------------------------------------

    /// A token an older version kept in the database moves to the keyring. Without a keyring
    /// that keeps it, the old token stays where it was (the device keeps its reports' updates)
    /// and no new one is ever written there.
    pub(crate) fn move_old_tokens(&self) -> Result<(), CoreError> {
        let conn = self.conn()?;
        let old_tokens: Vec<(String, String)> = conn
            .prepare("SELECT key, value FROM kv WHERE key LIKE 'token:%'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (key, token) in old_tokens {
            if let Some(server) = key.strip_prefix("token:") {
                self.secrets().set(&token_key(server), &token)?;
                if self.secrets().persistent() {
                    conn.execute("DELETE FROM kv WHERE key = ?1", [&key])?;
                }
            }
        }
        Ok(())
    }
}
