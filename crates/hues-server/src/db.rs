//! One SQLite connection behind a mutex, used from a blocking thread so the async runtime never
//! waits on disk.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::Mutex;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::error::Fail;

/// Append-only: add a file and a line, never edit a released one.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_attributes.sql"),
    include_str!("../migrations/0003_handling.sql"),
    include_str!("../migrations/0004_public.sql"),
    include_str!("../migrations/0005_photos.sql"),
    include_str!("../migrations/0006_places.sql"),
    include_str!("../migrations/0007_places_bookings.sql"),
    include_str!("../migrations/0008_alerts.sql"),
    include_str!("../migrations/0009_dossiers.sql"),
    include_str!("../migrations/0010_lookup_codes.sql"),
    include_str!("../migrations/0011_publication.sql"),
    include_str!("../migrations/0012_alert_records.sql"),
    include_str!("../migrations/0013_limits.sql"),
    include_str!("../migrations/0014_public_place_uploaders.sql"),
];

/// A time as the database keeps it: RFC 3339 in UTC.
pub fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("opening database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("migrating database: {0}")]
    Migrate(#[from] rusqlite_migration::Error),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("starting the checkpoint thread: {0}")]
    Thread(std::io::Error),
}

/// The one connection. Its lock is tokio's, which queues waiters first come, first served: with
/// a plain mutex, 64 busy clients saw some requests wait many turns (the p99 of
/// `benches/throughput.rs`).
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database file.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let mut conn = Connection::open(path).map_err(|source| DbError::Open {
            path: path.display().to_string(),
            source,
        })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(&mut conn)?;
        // Checkpoints move the WAL into the database file. Done by the writer (SQLite's default,
        // every 1000 pages) they stall whichever request happens to commit then; a thread of its
        // own does them instead, on its own connection, without blocking the writer (PASSIVE).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = Connection::open(path).map_err(|source| DbError::Open {
            path: path.display().to_string(),
            source,
        })?;
        checkpointer.busy_timeout(std::time::Duration::from_secs(5))?;
        let conn = Arc::new(Mutex::new(conn));
        let alive = Arc::downgrade(&conn);
        std::thread::Builder::new()
            .name("db-checkpoint".into())
            .spawn(move || {
                while alive.strong_count() > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(250));
                    let _ =
                        checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(DbError::Thread)?;
        Ok(Self { conn })
    }

    /// Runs `f` with the connection on this thread: for start-up work before serving (and
    /// tests), when nothing else holds it.
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, Fail>,
    ) -> Result<T, Fail> {
        let mut guard = self
            .conn
            .try_lock()
            .map_err(|_| Fail::internal("database busy during start-up work"))?;
        f(&mut guard)
    }

    /// Runs `f` with the connection on a blocking thread, in the order the requests came.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Fail>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, Fail> + Send + 'static,
    {
        let mut guard = Arc::clone(&self.conn).lock_owned().await;
        tokio::task::spawn_blocking(move || f(&mut guard))
            .await
            .map_err(Fail::internal)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn migrates_empty_database_to_latest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open(&dir.path().join("s.db")).expect("open");
        let conn = db.conn.try_lock().expect("lock");
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v as usize, MIGRATIONS.len());
    }
}
