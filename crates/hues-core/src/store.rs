//! The device's SQLite cache as a place to keep things: the connection, the migrations of every
//! domain's tables (one append-only list), transactions, a key/value table, and the revision that
//! tells screens to reload. It knows no domain: reports, outbox, alerts, places, bookings,
//! dossiers, settings and account each own their tables in their own module, and `apply`
//! hands each change of a sync page to its domain.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use crate::error::CoreError;
use crate::secrets::Secrets;

/// Append-only: add a file and a line, never edit a released one.
pub(crate) const MIGRATIONS: &[&str] = &[
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
    include_str!("../migrations/0018_places_folded.sql"),
    include_str!("../migrations/0019_places_grid_in_memory.sql"),
];

/// Pages of write-ahead log (4 KB each) before SQLite copies it into the database by itself.
const WAL_PAGES_BEFORE_CHECKPOINT: i64 = 16_384;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

pub struct Store {
    conn: Mutex<Connection>,
    /// What signs this device in (its token per server): the OS keyring, never SQLite.
    secrets: Arc<dyn Secrets>,
    revision: AtomicU64,
    /// Processed photos, `<sha256>.jpg` and `<sha256>.thumb.jpg`, beside the database.
    photos_dir: PathBuf,
    derived: Derived,
}

/// What a domain derives from its tables and keeps in memory (the places' grid), one value per
/// type; the domain forgets it when its tables change, inside the same lock of the connection.
#[derive(Default)]
pub(crate) struct Derived(Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Derived {
    /// The value kept, or `build`'s, kept from now on.
    pub(crate) fn get_or_build<T: Any + Send + Sync>(
        &self,
        build: impl FnOnce() -> Result<T, CoreError>,
    ) -> Result<Arc<T>, CoreError> {
        let mut kept = self.0.lock().map_err(|_| CoreError::Poisoned)?;
        if let Some(value) = kept.get(&TypeId::of::<T>()).cloned()
            && let Ok(value) = value.downcast::<T>()
        {
            return Ok(value);
        }
        let value = Arc::new(build()?);
        kept.insert(TypeId::of::<T>(), value.clone());
        Ok(value)
    }

    pub(crate) fn forget<T: Any>(&self) {
        if let Ok(mut kept) = self.0.lock() {
            kept.remove(&TypeId::of::<T>());
        }
    }
}

impl Store {
    /// The connection, migrated, with the user's-only modes on the database and the photo
    /// folder (an older version's looser modes are tightened here). `open` adds what each
    /// domain repairs.
    pub(crate) fn connect(path: &Path, secrets: Arc<dyn Secrets>) -> Result<Self, CoreError> {
        crate::private::sqlite_files(path)?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 32 MB of page cache (SQLite's default is 2 MB): the places' search and position
        // indexes are read on every sync page and every search.
        conn.pragma_update(None, "cache_size", -32_000)?;
        // Statement journals (an upsert over several indexes keeps one, to undo half a row) and
        // temporary b-trees in memory: on disk they were a tenth of a first sync, in the kernel.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // The log is copied into the database at the end of each sync run (`checkpoint`), not
        // every 4 MB: a first sync rewrites the same index pages in each of its transactions,
        // and each copy of them cost a tenth of it. The bound is for a run that never ends.
        conn.pragma_update(None, "wal_autocheckpoint", WAL_PAGES_BEFORE_CHECKPOINT)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        migrations().to_latest(&mut conn)?;
        crate::private::sqlite_files(path)?;
        let photos_dir = path
            .parent()
            .map(|p| p.join("photos"))
            .unwrap_or_else(|| PathBuf::from("photos"));
        if crate::private::dir(&photos_dir)? {
            crate::private::tighten_all(&photos_dir)?;
        }
        Ok(Self {
            conn: Mutex::new(conn),
            secrets,
            revision: AtomicU64::new(1),
            photos_dir,
            derived: Derived::default(),
        })
    }

    /// Where the device keeps its secrets (its token per server).
    pub(crate) fn secrets(&self) -> &dyn Secrets {
        &*self.secrets
    }

    /// The photo folder beside the database.
    pub(crate) fn photos_dir(&self) -> &Path {
        &self.photos_dir
    }

    pub(crate) fn conn(&self) -> Result<MutexGuard<'_, Connection>, CoreError> {
        self.conn.lock().map_err(|_| CoreError::Poisoned)
    }

    pub(crate) fn derived(&self) -> &Derived {
        &self.derived
    }

    /// Copies what the write-ahead log holds into the database, as far as no reader needs it
    /// (a passive checkpoint: it never waits). The sync engine calls it after a run.
    pub fn checkpoint(&self) -> Result<(), CoreError> {
        self.conn()?
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
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

    pub(crate) fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, CoreError> {
        let conn = self.conn()?;
        Self::get_kv(&conn, key)?
            .map(|v| serde_json::from_str(&v).map_err(CoreError::from))
            .transpose()
    }

    pub(crate) fn set_json<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), CoreError> {
        let conn = self.conn()?;
        Self::set_kv(&conn, key, &serde_json::to_string(value)?)
    }
}
