//! The local SQLite cache: categories, the citizen's reports, the outbox, settings and the
//! report draft. Every write that must stay consistent happens in one transaction.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use hues_wire::api::{
    Category, CityContacts, NewRating, NewReport, Report, ReportStatus, StatusChange,
};
use hues_wire::ipc::{
    DeliveryState, DraftPhoto, LocalReport, Point, ReportDraft, ReportInput, Settings, SyncStatus,
};
use hues_wire::{ApiError, ErrorCode};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rusqlite_migration::{M, Migrations};
use uuid::Uuid;

use crate::error::CoreError;

/// Append-only: add a file and a line, never edit a released one.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_attributes.sql"),
    include_str!("../migrations/0003_handling.sql"),
    include_str!("../migrations/0004_photos.sql"),
    include_str!("../migrations/0005_followed.sql"),
    include_str!("../migrations/0006_places.sql"),
    include_str!("../migrations/0007_places_search.sql"),
    include_str!("../migrations/0008_bookings.sql"),
    include_str!("../migrations/0009_alerts.sql"),
    include_str!("../migrations/0010_my_places.sql"),
    include_str!("../migrations/0011_notified.sql"),
    include_str!("../migrations/0012_dossiers.sql"),
    include_str!("../migrations/0013_untrack_pending.sql"),
    include_str!("../migrations/0014_category_public.sql"),
    include_str!("../migrations/0015_negative_zero.sql"),
    include_str!("../migrations/0016_forget_followed.sql"),
    include_str!("../migrations/0017_account.sql"),
];

pub fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

pub(crate) const OUTBOX_REPORT: &str = "report";
const OUTBOX_RATING: &str = "rating";
const OUTBOX_REOPEN: &str = "reopen";
pub(crate) const OUTBOX_BOOKING: &str = "booking";
pub(crate) const OUTBOX_CANCEL_BOOKING: &str = "cancel_booking";

/// A photo name: 64 lower-case hex digits (never a path).
fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A free text the citizen typed: no control characters (they break the XML and CSV others
/// read), at most `max` characters; the error names the field.
fn check_text(field: &str, text: &str, max: usize) -> Result<(), CoreError> {
    hues_wire::validate::check_free_text(text, max).map_err(|code| {
        let what = match code {
            ErrorCode::ControlCharacter => "holds a control character",
            _ => "is too long",
        };
        CoreError::Invalid(ApiError::new(code, format!("{field} {what}")))
    })
}

fn incoming_error(e: crate::incoming::IncomingError) -> CoreError {
    match e {
        crate::incoming::IncomingError::Io(io) => CoreError::Io(io),
        other => CoreError::Corrupt(other.to_string()),
    }
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>, CoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| CoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

fn parse_id(s: &str) -> Result<Uuid, CoreError> {
    Uuid::parse_str(s).map_err(|e| CoreError::Corrupt(format!("id {s:?}: {e}")))
}

/// Seven days after the last resolution, while the report is resolved.
fn reopen_until(status: Option<&str>, history: &[StatusChange]) -> Option<DateTime<Utc>> {
    if status != Some(ReportStatus::Resolved.as_str()) {
        return None;
    }
    let resolved = history
        .iter()
        .rev()
        .find(|h| h.status == ReportStatus::Resolved)?;
    Some(resolved.at + chrono::Duration::days(hues_wire::api::REOPEN_DAYS))
}

/// The keyring entry of the device's token for a server.
fn token_key(server: &str) -> String {
    format!("device-token {server}")
}

/// An outbox entry that is due to be sent.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: i64,
    pub attempts: u32,
    pub item: OutboxItem,
}

/// What waits to be sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum OutboxItem {
    Report(NewReport),
    Rating { report: Uuid, rating: NewRating },
    Reopen { report: Uuid, note: String },
    Booking(hues_wire::api::NewBooking),
    CancelBooking { booking: Uuid },
}

/// What the server answered to an outbox entry.
#[derive(Debug, Clone)]
pub enum Ack {
    Report(Report),
    Booking(hues_wire::api::Booking),
}

impl OutboxEntry {
    /// The report or booking this entry is about.
    pub fn report_id(&self) -> Uuid {
        match &self.item {
            OutboxItem::Report(r) => r.id,
            OutboxItem::Rating { report, .. } | OutboxItem::Reopen { report, .. } => *report,
            OutboxItem::Booking(b) => b.id,
            OutboxItem::CancelBooking { booking } => *booking,
        }
    }

    /// The table whose delivery state follows this entry: a report's or a booking's own entry
    /// (follow-ups and cancellations leave it alone).
    fn delivery_table(&self) -> Option<&'static str> {
        match self.item {
            OutboxItem::Report(_) => Some("reports"),
            OutboxItem::Booking(_) => Some("bookings"),
            _ => None,
        }
    }
}

/// A stored delivery state as the citizen sees it.
pub(crate) fn delivery_state(
    delivery: &str,
    refused: Option<&str>,
) -> Result<DeliveryState, CoreError> {
    Ok(match delivery {
        "saved" => DeliveryState::SavedOnDevice,
        "sending" => DeliveryState::Sending,
        "delivered" => DeliveryState::Delivered,
        "refused" => DeliveryState::Refused {
            code: refused
                .and_then(|c| ErrorCode::ALL.into_iter().find(|e| e.as_str() == c))
                .unwrap_or(ErrorCode::BadResponse),
        },
        other => return Err(CoreError::Corrupt(format!("delivery {other:?}"))),
    })
}

pub struct Store {
    conn: Mutex<Connection>,
    /// What signs this device in (its token per server): the OS keyring, never SQLite.
    secrets: std::sync::Arc<dyn crate::secrets::Secrets>,
    revision: AtomicU64,
    /// Processed photos, `<sha256>.jpg` and `<sha256>.thumb.jpg`, beside the database.
    photos_dir: PathBuf,
}

impl Store {
    /// Opens (creating) and migrates the cache. A report caught mid-send by a crash goes back to
    /// "saved on this device": the server's idempotency makes resending it safe.
    ///
    /// The database (with its `-wal` and `-shm`), the photo folder and the photos in it are the
    /// user's only (0600 files, a 0700 folder on unix); an older version's looser modes are
    /// tightened here.
    pub fn open(path: &Path) -> Result<Self, CoreError> {
        Self::open_with_secrets(
            path,
            std::sync::Arc::new(crate::secrets::InMemory::default()),
        )
    }

    /// As `open`, with the device's secrets kept in `secrets` (the app: the OS keyring). A token
    /// an older version kept in the database moves there.
    pub fn open_with_secrets(
        path: &Path,
        secrets: std::sync::Arc<dyn crate::secrets::Secrets>,
    ) -> Result<Self, CoreError> {
        crate::private::sqlite_files(path)?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 32 MB of page cache (SQLite's default is 2 MB): the places' search and position
        // indexes are read on every sync page and every search.
        conn.pragma_update(None, "cache_size", -32_000)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        migrations().to_latest(&mut conn)?;
        conn.execute(
            "UPDATE reports SET delivery = 'saved' WHERE delivery = 'sending'",
            [],
        )?;
        crate::private::sqlite_files(path)?;
        let photos_dir = path
            .parent()
            .map(|p| p.join("photos"))
            .unwrap_or_else(|| PathBuf::from("photos"));
        if crate::private::dir(&photos_dir)? {
            crate::private::tighten_all(&photos_dir)?;
        }
        // What a crash left half written (only this store writes here).
        for entry in std::fs::read_dir(&photos_dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().contains(".part") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let old_tokens: Vec<(String, String)> = conn
            .prepare("SELECT key, value FROM kv WHERE key LIKE 'token:%'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (key, token) in old_tokens {
            if let Some(server) = key.strip_prefix("token:") {
                secrets.set(&token_key(server), &token)?;
                // Gone from the database once a keyring keeps it; without one, the old token
                // stays where it was (the device keeps its reports' updates) and no new one is
                // ever written there.
                if secrets.persistent() {
                    conn.execute("DELETE FROM kv WHERE key = ?1", [&key])?;
                }
            }
        }
        Ok(Self {
            conn: Mutex::new(conn),
            secrets,
            revision: AtomicU64::new(1),
            photos_dir,
        })
    }

    fn photo_path(&self, sha: &str, suffix: &str) -> PathBuf {
        self.photos_dir.join(format!("{sha}{suffix}.jpg"))
    }

    /// Runs the photo pipeline on a picture the citizen chose and keeps the result on the
    /// device. A refused file changes nothing.
    pub fn add_photo(&self, bytes: &[u8]) -> Result<DraftPhoto, CoreError> {
        let p = crate::photo::process(bytes, &crate::photo::PhotoLimits::default())?;
        for (suffix, data) in [("", &p.jpeg), (".thumb", &p.thumbnail)] {
            let path = self.photo_path(&p.sha256, suffix);
            if !path.exists() {
                let mut incoming =
                    crate::incoming::IncomingPhoto::create(&p.sha256, path, usize::MAX)?;
                incoming.write(data).map_err(incoming_error)?;
                incoming.finish_unchecked().map_err(incoming_error)?;
            }
        }
        Ok(DraftPhoto {
            sha256: p.sha256,
            width: p.width,
            height: p.height,
            position: p.meta.position,
            taken_at: p.meta.taken_at,
        })
    }

    /// Where a photo is on this device (`thumb` for the small version when there is one),
    /// if it is here.
    pub fn photo_file(&self, sha: &str, thumb: bool) -> Option<PathBuf> {
        if !is_sha256(sha) {
            return None;
        }
        let full = self.photo_path(sha, "");
        let small = self.photo_path(sha, ".thumb");
        [thumb.then_some(small), Some(full)]
            .into_iter()
            .flatten()
            .find(|p| p.exists())
    }

    /// Starts keeping photo `sha` from the server: its bytes go through `IncomingPhoto` (counted,
    /// hashed, under a temporary name of their own), then `keep_incoming`.
    pub fn incoming_photo(&self, sha: &str) -> Result<crate::incoming::IncomingPhoto, CoreError> {
        if !is_sha256(sha) {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::NotFound,
                format!("photo name {sha:?}"),
            )));
        }
        Ok(crate::incoming::IncomingPhoto::create(
            sha,
            self.photo_path(sha, ""),
            hues_wire::api::MAX_PHOTO_BYTES,
        )?)
    }

    /// Keeps a downloaded photo if its bytes are the JPEG its name says (else nothing is kept).
    pub fn keep_incoming(
        &self,
        incoming: crate::incoming::IncomingPhoto,
    ) -> Result<PathBuf, crate::incoming::IncomingError> {
        let (path, new) = incoming.finish()?;
        if new {
            // Screens showing it reload.
            self.bump();
        }
        Ok(path)
    }

    /// Keeps a photo fetched from the server, after checking that its bytes are a JPEG with
    /// that SHA-256 (the server is trusted no more than a client).
    pub fn keep_remote_photo(&self, sha: &str, bytes: &[u8]) -> Result<PathBuf, CoreError> {
        let mut incoming = self.incoming_photo(sha)?;
        incoming.write(bytes).map_err(incoming_error)?;
        self.keep_incoming(incoming).map_err(incoming_error)
    }

    /// Photos the city attached to the handling of reports on this device that are not here
    /// yet, so the timeline shows them offline after a sync.
    pub fn missing_history_photos(&self) -> Result<Vec<String>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT photos FROM report_history WHERE photos != '[]'")?;
        let lists = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut missing = Vec::new();
        for list in lists {
            for sha in serde_json::from_str::<Vec<String>>(&list)? {
                if self.photo_file(&sha, false).is_none() && !missing.contains(&sha) {
                    missing.push(sha);
                }
            }
        }
        Ok(missing)
    }

    /// The processed JPEG of a photo on this device.
    pub fn photo_bytes(&self, sha: &str) -> Result<Vec<u8>, CoreError> {
        if !is_sha256(sha) {
            return Err(CoreError::Corrupt(format!("photo name {sha:?}")));
        }
        Ok(std::fs::read(self.photo_path(sha, ""))?)
    }

    pub(crate) fn conn(&self) -> Result<MutexGuard<'_, Connection>, CoreError> {
        self.conn.lock().map_err(|_| CoreError::Poisoned)
    }

    /// Grows with every change of what the device keeps (screens and notices reload on it).
    pub fn revision(&self) -> u64 {
        self.revision.load(Ordering::Relaxed)
    }

    pub(crate) fn bump(&self) {
        self.revision.fetch_add(1, Ordering::Relaxed);
    }

    // ---- key/value: settings, draft, per-server token and cursor -------------------------

    pub(crate) fn get_kv(conn: &Connection, key: &str) -> Result<Option<String>, CoreError> {
        Ok(conn
            .query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub(crate) fn set_kv(conn: &Connection, key: &str, value: &str) -> Result<(), CoreError> {
        conn.execute(
            "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    }

    fn get_json<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CoreError> {
        let conn = self.conn()?;
        Self::get_kv(&conn, key)?
            .map(|v| serde_json::from_str(&v).map_err(CoreError::from))
            .transpose()
    }

    fn set_json<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<(), CoreError> {
        let conn = self.conn()?;
        Self::set_kv(&conn, key, &serde_json::to_string(value)?)
    }

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
        Ok(self.get_json("settings")?.unwrap_or_default())
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

    pub fn draft(&self) -> Result<ReportDraft, CoreError> {
        Ok(self.get_json("draft")?.unwrap_or_default())
    }

    pub fn save_draft(&self, d: &ReportDraft) -> Result<(), CoreError> {
        self.set_json("draft", d)
    }

    pub fn device_token(&self, server: &str) -> Result<Option<String>, CoreError> {
        self.secrets.get(&token_key(server))
    }

    pub fn set_device_token(&self, server: &str, token: Option<&str>) -> Result<(), CoreError> {
        let key = token_key(server);
        match token {
            Some(t) => self.secrets.set(&key, t),
            None => {
                self.secrets.delete(&key)?;
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

    pub fn categories(&self) -> Result<Vec<Category>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT code, grp, name_vi, name_en, description_vi, description_en, position, attributes, public
             FROM categories ORDER BY position, code",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    Category {
                        code: r.get(0)?,
                        group: r.get(1)?,
                        name_vi: r.get(2)?,
                        name_en: r.get(3)?,
                        description_vi: r.get(4)?,
                        description_en: r.get(5)?,
                        position: r.get(6)?,
                        attributes: Vec::new(),
                        public: r.get(8)?,
                    },
                    r.get::<_, String>(7)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut c, attributes)| {
                c.attributes = serde_json::from_str(&attributes)?;
                Ok(c)
            })
            .collect()
    }

    // ---- reports and the outbox -----------------------------------------------------------

    /// Checks the report, then saves it and its outbox entry in one transaction. On a broken
    /// rule nothing is saved and the error says which field.
    pub fn submit_report(&self, input: &ReportInput) -> Result<LocalReport, CoreError> {
        let new = NewReport {
            id: Uuid::now_v7(),
            category: input.category.trim().to_owned(),
            description: input.description.trim().to_owned(),
            // −0.0 would come back from the server as 0 and make an identical retry a conflict.
            latitude: hues_wire::api::normalise_coordinate(input.latitude),
            longitude: hues_wire::api::normalise_coordinate(input.longitude),
            created_at: Utc::now(),
            attributes: input
                .attributes
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.trim().to_owned()))
                .collect(),
            photos: input.photos.clone(),
            place: hues_wire::api::ReportPlace {
                address: input
                    .place
                    .address
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
                ..input.place.clone()
            },
        };
        if new.photos.len() > hues_wire::api::MAX_PHOTOS {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::InvalidValue,
                format!("photos: at most {}", hues_wire::api::MAX_PHOTOS),
            )));
        }
        if let Some(missing) = new.photos.iter().find(|sha| self.photo_bytes(sha).is_err()) {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::InvalidValue,
                format!("photos: {missing} is not on this device"),
            )));
        }
        hues_wire::validate::check_report(&new).map_err(|e| CoreError::Invalid(e.into()))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let synced: i64 = tx.query_row("SELECT count(*) FROM categories", [], |r| r.get(0))?;
        let category: Option<String> = tx
            .query_row(
                "SELECT attributes FROM categories WHERE code = ?1",
                [&new.category],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(attributes) = &category {
            // The same rules the server applies, so the citizen hears of a gap at once.
            let cat = Category {
                code: new.category.clone(),
                group: String::new(),
                name_vi: String::new(),
                name_en: String::new(),
                description_vi: String::new(),
                description_en: String::new(),
                position: 0,
                attributes: serde_json::from_str(attributes)?,
                public: true,
            };
            hues_wire::validate::check_attributes(&cat, &new.attributes)
                .map_err(|e| CoreError::Invalid(e.into()))?;
        }
        if synced > 0 && category.is_none() {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::UnknownCategory,
                format!("unknown category {:?}", new.category),
            )));
        }
        tx.execute(
            "INSERT INTO reports (id, category, description, latitude, longitude, created_at, delivery, attributes,
                                  address, photos)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'saved', ?7, ?8, ?9)",
            params![
                new.id.to_string(),
                new.category,
                new.description,
                new.latitude,
                new.longitude,
                ts(new.created_at),
                serde_json::to_string(&new.attributes)?,
                new.place.address,
                serde_json::to_string(&new.photos)?
            ],
        )?;
        tx.execute(
            "INSERT INTO outbox (kind, entity_id, payload, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![
                OUTBOX_REPORT,
                new.id.to_string(),
                serde_json::to_string(&new)?,
                ts(new.created_at)
            ],
        )?;
        // The form is done with: clear the draft in the same transaction.
        tx.execute("DELETE FROM kv WHERE key = 'draft'", [])?;
        let saved = Self::local_report(&tx, new.id)?
            .ok_or_else(|| CoreError::Corrupt("report vanished".into()))?;
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(saved)
    }

    /// Entries due now (not refused), oldest first.
    pub fn due_outbox(&self, now: DateTime<Utc>) -> Result<Vec<OutboxEntry>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, attempts, payload, kind FROM outbox
             WHERE failed_code IS NULL AND next_attempt_at <= ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([ts(now)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, attempts, payload, kind)| {
                let item = match kind.as_str() {
                    OUTBOX_REPORT => OutboxItem::Report(serde_json::from_str(&payload)?),
                    OUTBOX_RATING | OUTBOX_REOPEN | OUTBOX_BOOKING | OUTBOX_CANCEL_BOOKING => {
                        serde_json::from_str(&payload)?
                    }
                    other => return Err(CoreError::Corrupt(format!("outbox kind {other:?}"))),
                };
                Ok(OutboxEntry { id, attempts, item })
            })
            .collect()
    }

    /// Queues the citizen's rating of a resolved report.
    pub fn rate_report(&self, report: Uuid, rating: NewRating) -> Result<(), CoreError> {
        check_text(
            "comment",
            &rating.comment,
            hues_wire::api::MAX_DESCRIPTION_CHARS,
        )?;
        self.queue_follow_up(
            report,
            OUTBOX_RATING,
            &OutboxItem::Rating { report, rating },
        )
    }

    /// Queues "the problem is still there" for a resolved report.
    pub fn reopen_report(&self, report: Uuid, note: &str) -> Result<(), CoreError> {
        let note = note.trim().to_owned();
        check_text("note", &note, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
        self.queue_follow_up(report, OUTBOX_REOPEN, &OutboxItem::Reopen { report, note })
    }

    /// A follow-up on a delivered report, queued like a report so it survives being offline.
    fn queue_follow_up(
        &self,
        report: Uuid,
        kind: &str,
        item: &OutboxItem,
    ) -> Result<(), CoreError> {
        let conn = self.conn()?;
        let status: Option<Option<String>> = conn
            .query_row(
                "SELECT status FROM reports WHERE id = ?1",
                [report.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match status {
            None => {
                return Err(CoreError::Invalid(ApiError::new(
                    ErrorCode::NotFound,
                    "report not found",
                )));
            }
            Some(s) if s.as_deref() != Some(ReportStatus::Resolved.as_str()) => {
                return Err(CoreError::Invalid(ApiError::new(
                    ErrorCode::InvalidValue,
                    "only a resolved report can be rated or reopened",
                )));
            }
            Some(_) => {}
        }
        let now = ts(Utc::now());
        conn.execute(
            "INSERT INTO outbox (kind, entity_id, payload, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![kind, report.to_string(), serde_json::to_string(item)?, now],
        )?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// Makes every waiting entry due now (the network came back).
    pub fn retry_all_now(&self) -> Result<(), CoreError> {
        self.conn()?.execute(
            "UPDATE outbox SET next_attempt_at = ?1 WHERE failed_code IS NULL",
            [ts(Utc::now())],
        )?;
        Ok(())
    }

    pub fn mark_sending(&self, entry: &OutboxEntry) -> Result<(), CoreError> {
        let Some(table) = entry.delivery_table() else {
            return Ok(());
        };
        self.conn()?.execute(
            &format!(
                "UPDATE {table} SET delivery = 'sending' WHERE id = ?1 AND delivery = 'saved'"
            ),
            [entry.report_id().to_string()],
        )?;
        self.bump();
        Ok(())
    }

    /// A temporary failure: try again after `delay`.
    pub fn retry_later(
        &self,
        entry: &OutboxEntry,
        delay: Duration,
        error: &str,
    ) -> Result<(), CoreError> {
        let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        let conn = self.conn()?;
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
            params![entry.id, ts(next), error],
        )?;
        if let Some(table) = entry.delivery_table() {
            conn.execute(
                &format!(
                    "UPDATE {table} SET delivery = 'saved' WHERE id = ?1 AND delivery = 'sending'"
                ),
                [entry.report_id().to_string()],
            )?;
        }
        drop(conn);
        self.bump();
        Ok(())
    }

    /// The server refused the report: it stays on the device, marked with the server's code.
    pub fn refuse(&self, entry: &OutboxEntry, error: &ApiError) -> Result<(), CoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET attempts = attempts + 1, failed_code = ?2, last_error = ?3 WHERE id = ?1",
            params![entry.id, error.code.as_str(), error.message],
        )?;
        if let Some(table) = entry.delivery_table() {
            tx.execute(
                &format!(
                    "UPDATE {table} SET delivery = 'refused', refused_code = ?2 WHERE id = ?1"
                ),
                params![entry.report_id().to_string(), error.code.as_str()],
            )?;
        }
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(())
    }

    pub(crate) fn store_server_report(tx: &Transaction<'_>, r: &Report) -> Result<(), CoreError> {
        let id = r.id.to_string();
        // A report the server knows but this device lost (reinstall) is stored whole.
        tx.execute(
            "INSERT INTO reports (id, category, description, latitude, longitude, created_at, delivery, status, rating,
                                  address, photos)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'delivered', ?7, ?8, ?9, ?10)
             ON CONFLICT(id) DO UPDATE SET delivery = 'delivered', refused_code = NULL, status = ?7,
                rating = ?8, address = ?9, photos = ?10, description = ?3, latitude = ?4,
                longitude = ?5",
            params![
                id,
                r.category,
                r.description,
                r.latitude,
                r.longitude,
                ts(r.created_at),
                r.status.as_str(),
                r.rating.as_ref().map(serde_json::to_string).transpose()?,
                r.place.address,
                serde_json::to_string(&r.photos)?
            ],
        )?;
        tx.execute("DELETE FROM report_history WHERE report_id = ?1", [&id])?;
        for (seq, h) in r.history.iter().enumerate() {
            tx.execute(
                "INSERT INTO report_history (report_id, seq, status, note, at, unit, duplicate_of, photos)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    seq as i64,
                    h.status.as_str(),
                    h.note,
                    ts(h.at),
                    h.unit,
                    h.duplicate_of.map(|d| d.to_string()),
                    serde_json::to_string(&h.photos)?
                ],
            )?;
        }
        Ok(())
    }

    fn local_report(conn: &Connection, id: Uuid) -> Result<Option<LocalReport>, CoreError> {
        let mut reports = Self::query_reports(conn, Some(id))?;
        Ok(reports.pop())
    }

    fn query_reports(conn: &Connection, only: Option<Uuid>) -> Result<Vec<LocalReport>, CoreError> {
        let mut stmt = conn.prepare(
            "SELECT id, category, description, latitude, longitude, created_at, delivery, refused_code, status, rating,
                    followed, address, photos
             FROM reports WHERE ?1 IS NULL OR id = ?1 ORDER BY created_at DESC, id DESC",
        )?;
        let rows = stmt
            .query_map([only.map(|u| u.to_string())], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, bool>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, String>(12)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut hist = conn.prepare(
            "SELECT status, note, at, unit, duplicate_of, photos FROM report_history WHERE report_id = ?1 ORDER BY seq",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (
            id,
            category,
            description,
            latitude,
            longitude,
            created,
            delivery,
            refused,
            status,
            rating,
            followed,
            address,
            photos,
        ) in rows
        {
            let delivery = delivery_state(&delivery, refused.as_deref())?;
            let history = hist
                .query_map([&id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })?
                .map(|row| {
                    let (st, note, at, unit, duplicate_of, photos) = row?;
                    Ok(StatusChange {
                        status: ReportStatus::parse(&st)
                            .ok_or_else(|| CoreError::Corrupt(format!("status {st:?}")))?,
                        note,
                        at: parse_ts(&at)?,
                        unit,
                        duplicate_of: duplicate_of.as_deref().map(parse_id).transpose()?,
                        photos: serde_json::from_str(&photos)?,
                    })
                })
                .collect::<Result<Vec<_>, CoreError>>()?;
            out.push(LocalReport {
                id: parse_id(&id)?,
                category,
                description,
                latitude,
                longitude,
                created_at: parse_ts(&created)?,
                address,
                photos: serde_json::from_str(&photos)?,
                delivery,
                status: status.as_deref().and_then(ReportStatus::parse),
                reopen_until: reopen_until(status.as_deref(), &history).filter(|_| !followed),
                followed,
                history,
                rating: rating.as_deref().map(serde_json::from_str).transpose()?,
            });
        }
        Ok(out)
    }

    /// The citizen's own places.
    pub fn my_places(&self) -> Result<Vec<hues_wire::ipc::MyPlace>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, name, latitude, longitude FROM my_places ORDER BY created_at, id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, f64>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, name, latitude, longitude)| {
                Ok(hues_wire::ipc::MyPlace {
                    id: parse_id(&id)?,
                    name,
                    latitude,
                    longitude,
                })
            })
            .collect()
    }

    /// Keeps a named place (1–60 characters, a valid position).
    pub fn save_my_place(
        &self,
        name: &str,
        at: Point,
    ) -> Result<hues_wire::ipc::MyPlace, CoreError> {
        let name = name.trim();
        let bad = |code, what: &str| CoreError::Invalid(ApiError::new(code, what.to_owned()));
        if name.is_empty() {
            return Err(bad(ErrorCode::MissingField, "name is empty"));
        }
        check_text("name", name, 60)?;
        hues_wire::validate::check_latitude(at.latitude)
            .map_err(|e| CoreError::Invalid(e.into()))?;
        hues_wire::validate::check_longitude(at.longitude)
            .map_err(|e| CoreError::Invalid(e.into()))?;
        let place = hues_wire::ipc::MyPlace {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            latitude: at.latitude,
            longitude: at.longitude,
        };
        self.conn()?.execute(
            "INSERT INTO my_places (id, name, latitude, longitude, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![place.id.to_string(), place.name, place.latitude, place.longitude, ts(Utc::now())],
        )?;
        self.bump();
        Ok(place)
    }

    pub fn delete_my_place(&self, id: Uuid) -> Result<(), CoreError> {
        let conn = self.conn()?;
        // One the account has goes from the account too (on the next sync).
        conn.execute(
            "INSERT OR IGNORE INTO my_place_removals (id)
             SELECT id FROM my_places WHERE id = ?1 AND synced = 1",
            [id.to_string()],
        )?;
        conn.execute("DELETE FROM my_places WHERE id = ?1", [id.to_string()])?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// Warnings as the list shows them at `now`: active first (most severe, then newest), each
    /// with the citizen's places it concerns (decided on the device, offline).
    pub fn alert_views(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<hues_wire::ipc::AlertView>, CoreError> {
        use hues_wire::alerts::{Prepared, severity_rank};
        let mine = self.my_places()?;
        let mut views: Vec<hues_wire::ipc::AlertView> = self
            .alerts()?
            .into_iter()
            // An Update is the warning as it now stands (what it replaced is marked `updated`); a
            // Cancel is only about other alerts, not a warning of its own.
            .filter(|a| matches!(a.msg_type.as_str(), "Alert" | "Update"))
            .map(|alert| {
                let expired = alert.infos.iter().all(|i| {
                    i.expires
                        .as_deref()
                        .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
                        .is_some_and(|e| e < now)
                });
                let prepared = Prepared::new(&alert);
                let affects = mine
                    .iter()
                    .filter(|p| prepared.affects((p.latitude, p.longitude)))
                    .map(|p| p.name.clone())
                    .collect();
                hues_wire::ipc::AlertView {
                    alert,
                    affects,
                    expired,
                }
            })
            .collect();
        let rank = |v: &hues_wire::ipc::AlertView| {
            let live = v.alert.state == "active" && !v.expired;
            let severity = v
                .alert
                .infos
                .iter()
                .map(|i| severity_rank(&i.severity))
                .max()
                .unwrap_or(0);
            (std::cmp::Reverse(live), std::cmp::Reverse(severity))
        };
        views.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| b.alert.sent.cmp(&a.alert.sent))
        });
        Ok(views)
    }

    /// The warnings kept on the device.
    pub fn alerts(&self) -> Result<Vec<hues_wire::api::AlertRecord>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT record FROM alerts ORDER BY identifier")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .iter()
            .filter_map(|r| serde_json::from_str(r).ok())
            .collect())
    }

    /// The citizen's reports, newest first.
    pub fn my_reports(&self) -> Result<Vec<LocalReport>, CoreError> {
        Self::query_reports(&*self.conn()?, None)
    }

    /// Counts for the sync indicator.
    pub fn sync_status(&self, online: bool) -> Result<SyncStatus, CoreError> {
        let (waiting, failed) = {
            let conn = self.conn()?;
            conn.query_row(
                "SELECT count(*) FILTER (WHERE failed_code IS NULL), count(*) FILTER (WHERE failed_code IS NOT NULL) FROM outbox",
                [],
                |r| Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?)),
            )?
        };
        Ok(SyncStatus {
            online,
            waiting,
            failed,
            last_success_at: self.last_success()?,
            revision: self.revision.load(Ordering::Relaxed),
            waiting_for_consent: self.held_for_consent()?,
        })
    }
}

/// A followed report as the device keeps it: the public shape is all it gets, so the fields the
/// public never sees stay empty (no rating, no answers; its time is the server's receipt).
pub(crate) fn followed_as_report(p: &hues_wire::api::PublicReport) -> Report {
    Report {
        id: p.id,
        category: p.category.clone(),
        description: p.description.clone(),
        latitude: p.latitude,
        longitude: p.longitude,
        created_at: p.received_at,
        attributes: Default::default(),
        photos: p.photos.clone(),
        place: hues_wire::api::ReportPlace {
            address: p.address.clone(),
            ..Default::default()
        },
        received_at: p.received_at,
        status: p.status,
        history: p.history.clone(),
        rating: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hues_wire::api::{Change, SyncPage};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::open(&dir.path().join("c.db")).expect("open");
        (dir, s)
    }

    fn input() -> ReportInput {
        ReportInput {
            category: "waste".into(),
            description: "Rác tồn đọng ở kiệt 5 Chi Lăng".into(),
            latitude: 16.4741,
            longitude: 107.5925,
            attributes: Default::default(),
            photos: Vec::new(),
            place: Default::default(),
        }
    }

    #[test]
    fn migrations_are_valid_and_reach_latest() {
        assert!(migrations().validate().is_ok());
        let (_d, s) = store();
        let v: i64 = s
            .conn()
            .expect("conn")
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v as usize, MIGRATIONS.len());
    }

    #[test]
    fn submit_saves_report_and_outbox_together() {
        let (_d, s) = store();
        s.save_draft(&ReportDraft {
            description: "half typed".into(),
            ..Default::default()
        })
        .expect("draft");
        let r = s.submit_report(&input()).expect("submit");
        assert_eq!(r.delivery, DeliveryState::SavedOnDevice);
        assert_eq!(r.id.get_version_num(), 7);
        let due = s.due_outbox(Utc::now()).expect("due");
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].report_id(), r.id);
        assert_eq!(s.sync_status(false).expect("status").waiting, 1);
        assert_eq!(s.draft().expect("draft"), ReportDraft::default());
    }

    #[test]
    fn invalid_report_saves_nothing_and_keeps_draft() {
        let (_d, s) = store();
        let draft = ReportDraft {
            description: "x".into(),
            latitude: "95".into(),
            ..Default::default()
        };
        s.save_draft(&draft).expect("draft");
        let mut bad = input();
        bad.latitude = 95.0;
        let err = s.submit_report(&bad).expect_err("must refuse");
        assert!(matches!(err, CoreError::Invalid(ref e) if e.code == ErrorCode::OutOfRange));
        assert!(s.my_reports().expect("reports").is_empty());
        assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
        assert_eq!(s.draft().expect("draft"), draft);
    }

    #[test]
    fn refused_entry_stays_visible() {
        let (_d, s) = store();
        s.submit_report(&input()).expect("submit");
        let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
        s.refuse(&entry, &ApiError::new(ErrorCode::UnknownCategory, "no"))
            .expect("refuse");
        let r = &s.my_reports().expect("reports")[0];
        assert_eq!(
            r.delivery,
            DeliveryState::Refused {
                code: ErrorCode::UnknownCategory
            }
        );
        let st = s.sync_status(true).expect("status");
        assert_eq!((st.waiting, st.failed), (0, 1));
        assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
    }

    #[test]
    fn retry_later_postpones_and_crash_mid_send_recovers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.db");
        {
            let s = Store::open(&path).expect("open");
            s.submit_report(&input()).expect("submit");
            let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
            s.mark_sending(&entry).expect("sending");
            assert_eq!(
                s.my_reports().expect("r")[0].delivery,
                DeliveryState::Sending
            );
        } // "killed" while sending
        let s = Store::open(&path).expect("reopen");
        assert_eq!(
            s.my_reports().expect("r")[0].delivery,
            DeliveryState::SavedOnDevice
        );
        let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
        s.retry_later(&entry, Duration::from_secs(60), "offline")
            .expect("retry");
        assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
        assert_eq!(
            s.due_outbox(Utc::now() + chrono::Duration::seconds(61))
                .expect("due")
                .len(),
            1
        );
        s.retry_all_now().expect("reset");
        assert_eq!(s.due_outbox(Utc::now()).expect("due")[0].attempts, 1);
    }

    #[test]
    fn photos_are_kept_on_the_device_and_refusals_leave_nothing() {
        let (dir, s) = store();
        let before = std::fs::read_dir(dir.path().join("photos"))
            .expect("dir")
            .count();
        let err = s.add_photo(b"not a picture").expect_err("refused");
        assert!(matches!(
            err,
            CoreError::Photo(crate::photo::PhotoError::NotAnImage)
        ));
        assert_eq!(
            std::fs::read_dir(dir.path().join("photos"))
                .expect("dir")
                .count(),
            before
        );
        let p = s
            .add_photo(&crate::photo::testdata::jpeg_with_exif(64, 32, 1, None))
            .expect("photo");
        assert!(s.photo_bytes(&p.sha256).is_ok());
        let mut with = input();
        with.photos = vec!["a".repeat(64)];
        assert!(
            matches!(s.submit_report(&with), Err(CoreError::Invalid(_))),
            "unknown photo"
        );
        with.photos = vec![p.sha256.clone()];
        let r = s.submit_report(&with).expect("submit");
        let due = s.due_outbox(Utc::now()).expect("due");
        assert!(matches!(&due[0].item, OutboxItem::Report(r) if r.photos == [p.sha256.clone()]));
        assert_eq!(r.delivery, DeliveryState::SavedOnDevice);
    }

    #[test]
    fn the_city_hotline_is_kept_per_server_and_only_a_phone_number() {
        let (_d, s) = store();
        assert_eq!(
            s.city_contacts().expect("none yet"),
            CityContacts::default()
        );
        let server = s.server_url().expect("url");
        let page = |hotline: &str| SyncPage {
            changes: Vec::new(),
            next_cursor: "1".into(),
            has_more: false,
            city: CityContacts {
                hotline: Some(hotline.into()),
            },
        };
        s.apply_page(&server, &page("1900 1075")).expect("apply");
        assert_eq!(
            s.city_contacts().expect("read").hotline.as_deref(),
            Some("1900 1075")
        );
        // Another server's number is not this one's.
        s.apply_page("https://other.example", &page("0234 111 222"))
            .expect("apply");
        assert_eq!(
            s.city_contacts().expect("read").hotline.as_deref(),
            Some("1900 1075")
        );
        // What is not a phone number never reaches a link.
        s.apply_page(&server, &page("javascript:alert(1)"))
            .expect("apply");
        assert_eq!(s.city_contacts().expect("read").hotline, None);
    }

    #[test]
    fn settings_are_checked() {
        let (_d, s) = store();
        assert_eq!(s.settings().expect("s").language, "vi");
        assert!(
            s.save_settings(&Settings::default()).is_ok(),
            "the default server (this device) is accepted"
        );
        let saved = s
            .save_settings(&Settings {
                language: "en".into(),
                server_url: "https://hues.example.vn:8443/".into(),
                tile_url: " https://tiles.example/{z}/{x}/{y}.png ".into(),
            })
            .expect("save");
        assert_eq!(saved.tile_url, "https://tiles.example/{z}/{x}/{y}.png");
        assert_eq!(saved.server_url, "https://hues.example.vn:8443");
        assert_eq!(s.settings().expect("s").language, "en");
        for (lang, url, tiles) in [
            ("fr", "https://x", ""),
            ("vi", "ftp://x", ""),
            ("vi", "http://", ""),
            ("vi", "https://", ""),
            ("vi", "", ""),
            ("vi", "https://x/a b", ""),
            ("vi", "https://x?y=1", ""),
            ("vi", "https://user:pw@x", ""),
            ("vi", "https://x", "https://t.example/{z}/{x}.png"),
            ("vi", "https://x", "file:///{z}/{x}/{y}"),
        ] {
            let bad = Settings {
                language: lang.into(),
                server_url: url.into(),
                tile_url: tiles.into(),
            };
            assert!(s.save_settings(&bad).is_err(), "{lang} {url} {tiles}");
        }
        assert_eq!(s.settings().expect("s").language, "en");
    }

    #[test]
    fn http_is_only_for_this_device() {
        let (_d, s) = store();
        let with = |server: &str, tiles: &str| Settings {
            language: "vi".into(),
            server_url: server.into(),
            tile_url: tiles.into(),
        };
        for ok in [
            "http://127.0.0.1:8787",
            "http://127.1.2.3",
            "http://localhost:8787/",
            "http://LOCALHOST",
            "http://[::1]:8787",
            "https://10.0.0.5:8787",
            "https://hues.example.vn",
        ] {
            s.save_settings(&with(ok, "http://127.0.0.1:9/{z}/{x}/{y}.png"))
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        // Clear text across a network, or an address that only looks like this device.
        for insecure in [
            "http://10.0.0.5:8787",
            "http://192.168.1.20",
            "http://hues.example.vn",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://evil.example/127.0.0.1",
            "http://[::ffff:10.0.0.5]",
            "http://0.0.0.0:8787",
        ] {
            let err = s.save_settings(&with(insecure, "")).expect_err(insecure);
            assert!(
                matches!(&err, CoreError::Invalid(e) if e.code == ErrorCode::InsecureUrl),
                "{insecure}: {err}"
            );
        }
        // A user name before the host is refused outright (it is where the host seems to be).
        for tricky in [
            "http://localhost@evil.example",
            "http://127.0.0.1:80@evil.example",
        ] {
            let err = s.save_settings(&with(tricky, "")).expect_err(tricky);
            assert!(matches!(err, CoreError::Invalid(_)), "{tricky}");
        }
        let err = s
            .save_settings(&with("https://x", "http://tiles.example/{z}/{x}/{y}.png"))
            .expect_err("tiles in clear text");
        assert!(matches!(&err, CoreError::Invalid(e) if e.code == ErrorCode::InsecureUrl));
        assert_eq!(
            s.settings().expect("s").server_url,
            "https://hues.example.vn"
        );
        assert_eq!(s.server_url().expect("server"), "https://hues.example.vn");
        // An address an older version accepted is not used until the citizen changes it.
        s.set_json("settings", &with("http://10.0.0.5:8787", ""))
            .expect("old");
        let err = s.server_url().expect_err("not used");
        assert!(matches!(&err, CoreError::Invalid(e) if e.code == ErrorCode::InsecureUrl));
    }

    /// A report of this device, delivered and resolved by the city.
    fn resolved(s: &Store) -> Uuid {
        let local = s.submit_report(&input()).expect("submit");
        let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
        let at = Utc::now();
        let step = |status| StatusChange {
            status,
            note: String::new(),
            at,
            unit: None,
            duplicate_of: None,
            photos: Vec::new(),
        };
        let report = Report {
            id: local.id,
            category: local.category,
            description: local.description,
            latitude: local.latitude,
            longitude: local.longitude,
            created_at: local.created_at,
            attributes: Default::default(),
            photos: Vec::new(),
            place: Default::default(),
            received_at: at,
            status: ReportStatus::Resolved,
            history: vec![step(ReportStatus::Received), step(ReportStatus::Resolved)],
            rating: None,
        };
        s.acknowledge(&entry, &Ack::Report(report)).expect("ack");
        local.id
    }

    #[test]
    fn control_characters_are_refused_in_what_the_citizen_types() {
        let (_d, s) = store();
        let id = resolved(&s);
        let draft = ReportDraft {
            description: "đang viết dở".into(),
            ..Default::default()
        };
        s.save_draft(&draft).expect("draft");
        let control = |r: Result<(), CoreError>| matches!(r, Err(CoreError::Invalid(ref e)) if e.code == ErrorCode::ControlCharacter);
        let rating = |comment: &str| NewRating {
            satisfaction: hues_wire::api::Satisfaction::Satisfied,
            comment: comment.into(),
        };
        assert!(control(s.rate_report(id, rating("tốt\u{1}"))));
        assert!(control(s.reopen_report(id, "vẫn\u{b}còn")));
        assert!(control(
            s.save_my_place(
                "Nhà\u{7f}",
                Point {
                    latitude: 16.46,
                    longitude: 107.59
                }
            )
            .map(|_| ())
        ));
        let mut report = input();
        report.description = "Rác\u{1b}[31m".into();
        assert!(control(s.submit_report(&report).map(|_| ())));
        // Nothing was queued or kept, and the report being written is still there.
        assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
        assert!(s.my_places().expect("places").is_empty());
        assert_eq!(s.draft().expect("draft"), draft);
        // Line ends and tabs are text.
        s.rate_report(id, rating("tốt\r\ncảm ơn\t!"))
            .expect("rated");
        assert_eq!(s.due_outbox(Utc::now()).expect("due").len(), 1);
    }

    #[test]
    fn a_report_at_negative_zero_is_queued_at_zero() {
        let (_d, s) = store();
        let mut at_zero = input();
        at_zero.latitude = -0.0;
        at_zero.longitude = -0.0;
        s.submit_report(&at_zero).expect("submit");
        let due = s.due_outbox(Utc::now()).expect("due");
        let OutboxItem::Report(r) = &due[0].item else {
            panic!("a report");
        };
        assert!(r.longitude.is_sign_positive() && r.latitude.is_sign_positive());
        let payload: String = s
            .conn()
            .expect("conn")
            .query_row("SELECT payload FROM outbox", [], |r| r.get(0))
            .expect("payload");
        assert!(!payload.contains("-0.0"), "{payload}");
        assert!(payload.contains("\"longitude\":0.0,"), "{payload}");
    }

    #[test]
    fn a_report_stuck_on_negative_zero_goes_again_after_the_upgrade() {
        let mut conn = Connection::open_in_memory().expect("db");
        // The schema as it was before 0015_negative_zero.sql.
        let before = Migrations::new(MIGRATIONS[..14].iter().map(|sql| M::up(sql)).collect());
        before.to_latest(&mut conn).expect("migrate");
        let mut queued = NewReport {
            id: Uuid::now_v7(),
            category: "waste".into(),
            description: "\"latitude\":-0.0, in the text stays".into(),
            latitude: 16.5,
            longitude: -0.0,
            created_at: Utc::now(),
            attributes: Default::default(),
            photos: Vec::new(),
            place: Default::default(),
        };
        let near = NewReport {
            id: Uuid::now_v7(),
            longitude: -0.05,
            ..queued.clone()
        };
        for (r, failed) in [(&queued, Some("id_conflict")), (&near, Some("id_conflict"))] {
            conn.execute(
                "INSERT INTO reports (id, category, description, latitude, longitude, created_at, delivery, refused_code)
                 VALUES (?1, 'waste', '', 0, 0, ?2, 'refused', ?3)",
                params![r.id.to_string(), ts(r.created_at), failed],
            )
            .expect("report");
            conn.execute(
                "INSERT INTO outbox (kind, entity_id, payload, next_attempt_at, created_at, failed_code)
                 VALUES ('report', ?1, ?2, ?3, ?3, ?4)",
                params![r.id.to_string(), serde_json::to_string(r).expect("json"), ts(r.created_at), failed],
            )
            .expect("outbox");
        }
        migrations().to_latest(&mut conn).expect("upgrade");
        let row = |id: Uuid| {
            conn.query_row(
                "SELECT o.payload, o.failed_code, r.delivery FROM outbox o JOIN reports r ON r.id = o.entity_id
                 WHERE o.entity_id = ?1",
                [id.to_string()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?)),
            )
            .expect("row")
        };
        let (payload, failed, delivery) = row(queued.id);
        queued.longitude = 0.0;
        assert_eq!(
            serde_json::from_str::<NewReport>(&payload).expect("json"),
            queued
        );
        assert!(payload.contains("\"longitude\":0.0,"), "{payload}");
        assert!(payload.contains("in the text stays"));
        assert_eq!((failed, delivery.as_str()), (None, "saved"));
        // A report near 0 but not at it was refused for something else: left alone.
        let (payload, failed, delivery) = row(near.id);
        assert!(payload.contains("\"longitude\":-0.05,"), "{payload}");
        assert_eq!(
            (failed.as_deref(), delivery.as_str()),
            (Some("id_conflict"), "refused")
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_cache_and_photos_are_the_users_only() {
        use crate::private::tests::mode;
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().expect("tempdir");
        // As an older version (or a permissive umask) left them.
        let data = root.path().join("data");
        let photos = data.join("photos");
        std::fs::create_dir_all(&photos).expect("mkdir");
        let open = |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
        open(&data, 0o755).expect("chmod");
        open(&photos, 0o777).expect("chmod");
        let old_photo = photos.join(format!("{}.jpg", "a".repeat(64)));
        std::fs::write(&old_photo, b"x").expect("write");
        open(&old_photo, 0o644).expect("chmod");
        let db = data.join("hues.db");
        {
            let s = Store::open(&db).expect("open");
            drop(s);
        }
        open(&db, 0o644).expect("chmod");
        let s = Store::open(&db).expect("reopen");
        s.submit_report(&input()).expect("write something");
        for f in [
            db.clone(),
            data.join("hues.db-wal"),
            data.join("hues.db-shm"),
            old_photo,
        ] {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
        assert_eq!(mode(&photos), 0o700);
        let p = s
            .add_photo(&crate::photo::testdata::jpeg_with_exif(64, 32, 1, None))
            .expect("photo");
        for thumb in [false, true] {
            let f = s.photo_file(&p.sha256, thumb).expect("here");
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
        // A fresh cache in a fresh folder.
        let fresh = root.path().join("fresh/hues.db");
        crate::private::dir(fresh.parent().expect("parent")).expect("dir");
        let s = Store::open(&fresh).expect("open");
        s.submit_report(&input()).expect("write");
        assert_eq!(mode(&fresh), 0o600);
        assert_eq!(mode(fresh.parent().expect("parent")), 0o700);
        assert_eq!(mode(&root.path().join("fresh/photos")), 0o700);
        // The tile cache too.
        let tiles = data.join("tiles.mbtiles");
        std::fs::write(&tiles, b"").expect("write");
        open(&tiles, 0o666).expect("chmod");
        let c = crate::tile_cache::TileCache::open(&tiles).expect("tiles");
        c.put(1, 0, 0, b"png").expect("put");
        for f in [
            tiles.clone(),
            data.join("tiles.mbtiles-wal"),
            data.join("tiles.mbtiles-shm"),
        ] {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }

    #[test]
    fn the_nearest_known_place_is_suggested_as_the_address() {
        let (_d, s) = store();
        let place = |id: &str, name: &str, lat, lon| {
            Change::Place(hues_wire::api::Place {
                id: id.into(),
                category: "market".into(),
                name_vi: name.into(),
                name_en: format!("{name} (en)"),
                address: format!("{id} street"),
                latitude: lat,
                longitude: lon,
                ..Default::default()
            })
        };
        let page = SyncPage {
            changes: vec![
                place("dong-ba", "Chợ Đông Ba", 16.4726, 107.5884),
                place("truong-tien", "Cầu Trường Tiền", 16.4680, 107.5907),
            ],
            next_cursor: "2".into(),
            has_more: false,
            city: Default::default(),
        };
        s.apply_page("http://x", &page).expect("apply");
        // ~110 m north of the market: the market, in the asked language.
        let at = |latitude, longitude| Point {
            latitude,
            longitude,
        };
        let got = s
            .suggest_address(at(16.4736, 107.5884), "vi")
            .expect("query")
            .expect("a place");
        assert_eq!(got.name, "Chợ Đông Ba");
        assert_eq!(got.address, "dong-ba street");
        assert!(
            (100.0..125.0).contains(&got.distance_m),
            "{}",
            got.distance_m
        );
        let got = s
            .suggest_address(at(16.4682, 107.5905), "en")
            .expect("query")
            .expect("a place");
        assert_eq!(got.name, "Cầu Trường Tiền (en)");
        // Nothing known within 400 m: no suggestion rather than a far one.
        assert_eq!(s.suggest_address(at(16.50, 107.60), "vi").expect("q"), None);
    }

    #[test]
    fn a_remote_photo_is_kept_only_if_its_bytes_match_its_name() {
        use sha2::Digest;
        let (_d, s) = store();
        let jpeg = crate::photo::testdata::jpeg_with_exif(64, 48, 1, None);
        let sha = hex::encode(sha2::Sha256::digest(&jpeg));
        assert!(s.photo_file(&sha, false).is_none());
        let wrong = "0".repeat(64);
        assert!(s.keep_remote_photo(&wrong, &jpeg).is_err());
        assert!(s.keep_remote_photo(&sha, b"not a jpeg").is_err());
        assert!(s.keep_remote_photo("../../etc/passwd", &jpeg).is_err());
        assert!(s.photo_file(&wrong, false).is_none());
        let path = s.keep_remote_photo(&sha, &jpeg).expect("kept");
        assert_eq!(s.photo_file(&sha, true), Some(path));
        assert!(s.photo_file("../x", false).is_none());
    }
}
