//! The database: one writer thread that owns the write connection and commits the writes waiting
//! for it together (group commit), and a few reader threads with read-only connections. Requests
//! hand them jobs over channels, so the async runtime never waits on disk.
//!
//! Durability is SQLite's WAL with `synchronous=NORMAL`, as it was with one connection per
//! request: a caller is answered only after the COMMIT of the transaction holding its write has
//! returned, so an answered write survives the server's crash (not necessarily a power cut before
//! the next checkpoint, as before). Batching changes how many writes share a COMMIT, not what a
//! COMMIT promises.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use tokio::sync::oneshot;

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
    include_str!("../migrations/0015_staff.sql"),
    include_str!("../migrations/0016_routing.sql"),
    include_str!("../migrations/0017_sla.sql"),
    include_str!("../migrations/0018_case_notes.sql"),
    include_str!("../migrations/0019_channels.sql"),
    include_str!("../migrations/0020_desk.sql"),
    include_str!("../migrations/0021_redactions.sql"),
    include_str!("../migrations/0022_insight.sql"),
    include_str!("../migrations/0023_channels.sql"),
    include_str!("../migrations/0024_accounts.sql"),
    include_str!("../migrations/0025_account_data.sql"),
    include_str!("../migrations/0026_oidc_loopback.sql"),
    include_str!("../migrations/0027_report_alert.sql"),
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
    #[error("starting a database thread: {0}")]
    Thread(std::io::Error),
}

/// Most jobs one batch takes: a bound on how long the first waits for the last.
const MAX_BATCH: usize = 256;
/// Reader threads, each with a read-only connection (WAL lets them read beside the writer).
const READERS: usize = 2;

/// A write that runs inside the batch's transaction, in a savepoint of its own. It says whether
/// it succeeded (if not, its savepoint is rolled back, not the batch) and how to answer its
/// caller once the batch is over.
type BatchedJob = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;
/// Answers a batched job's caller, given the batch's failure if it did not commit.
type Reply = Box<dyn FnOnce(Option<&rusqlite::Error>) + Send>;
/// Any other use of the write connection: runs alone, between batches, with its own
/// transactions if it wants them.
type AloneJob = Box<dyn FnOnce(&mut Connection) + Send>;
type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

enum Job {
    Batched(BatchedJob),
    Alone(AloneJob),
}

/// A handle on the database; clones share the same threads. The threads stop when the last
/// handle is dropped.
#[derive(Clone)]
pub struct Db {
    /// The write connection. The writer thread holds it while it works; `run_blocking` borrows
    /// it for start-up work.
    conn: Arc<Mutex<Connection>>,
    writer: Sender<Job>,
    readers: Sender<ReadJob>,
    /// Counts the writer's rounds: bumped after each commit, so that the console's live
    /// stream wakes on a write instead of polling.
    committed: tokio::sync::watch::Sender<u64>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database file, and starts its threads.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let open = |flags: OpenFlags| {
            let conn =
                Connection::open_with_flags(path, flags).map_err(|source| DbError::Open {
                    path: path.display().to_string(),
                    source,
                })?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            Ok::<_, DbError>(conn)
        };
        let mut conn = open(OpenFlags::default())?;
        // 1 KiB pages (a new database only; an existing one keeps its size until VACUUM): every
        // report touches a leaf at a random place of a few indexes, and a COMMIT writes each
        // touched page whole to the WAL, so smaller pages are less to write per report. Measured
        // (BENCHMARKS.md): p99 of POST /reports ~19 ms instead of ~23, +15 % reports/s.
        conn.pragma_update(None, "page_size", 1024)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A batch gives each job a savepoint; SQLite keeps what a savepoint may have to undo in a
        // sub-journal, which spills to a temporary file past 64 KiB unless temporary storage is
        // memory (in the benchmark, a tenth of the writer's time went to that file).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        migrations().to_latest(&mut conn)?;
        // Checkpoints move the WAL into the database file. Done by the writer (SQLite's default,
        // every 1000 pages) they stall whichever batch happens to commit then; a thread of its
        // own does them instead, on its own connection, without blocking the writer (PASSIVE).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = open(OpenFlags::default())?;
        let conn = Arc::new(Mutex::new(conn));
        let alive = Arc::downgrade(&conn);
        spawn("db-checkpoint", move || {
            while alive.strong_count() > 0 {
                std::thread::sleep(std::time::Duration::from_millis(250));
                let _ = checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        })?;

        let (writer, jobs) = mpsc::channel();
        let owned = Arc::clone(&conn);
        let (committed, _) = tokio::sync::watch::channel(0u64);
        let bump = committed.clone();
        spawn("db-writer", move || write_loop(&owned, &jobs, &bump))?;

        let (readers, reads) = mpsc::channel::<ReadJob>();
        let reads = Arc::new(Mutex::new(reads));
        for n in 0..READERS {
            let reader = open(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            // Readers scan (the dashboard reads a year of case facts): the file mapped into
            // memory instead of a read call per 1 KiB page, and a larger page cache.
            reader.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
            reader.pragma_update(None, "cache_size", -32 * 1024)?;
            let reads = Arc::clone(&reads);
            spawn(&format!("db-reader-{n}"), move || {
                read_loop(&reader, &reads)
            })?;
        }
        Ok(Self {
            conn,
            writer,
            readers,
            committed,
        })
    }

    /// Runs `f` with the write connection on this thread, once the writer has finished what it
    /// is doing (it may still hold the connection for a moment after answering): for start-up
    /// work before serving, and tests. Never from async code while serving.
    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, Fail>,
    ) -> Result<T, Fail> {
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Wakes whenever the writer has committed something (a round of jobs).
    pub fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.committed.subscribe()
    }

    /// Runs `f` on the writer thread with the connection to itself, in the order the jobs came:
    /// for writes that make their own transactions (and reads that have not moved to `read`).
    pub async fn run<T, F>(&self, f: F) -> Result<T, Fail>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, Fail> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: AloneJob = Box::new(move |conn| {
            let _ = tx.send(guarded(|| f(conn)));
        });
        self.writer.send(Job::Alone(job)).map_err(Fail::internal)?;
        rx.await
            .map_err(|_| Fail::internal("the database writer did not answer"))?
    }

    /// Runs the write `f` in the writer's next batch: inside one transaction with the writes
    /// waiting beside it, in a savepoint of its own. `f` must not begin or end transactions. An
    /// error from `f` rolls back its own savepoint only; the answer comes after the COMMIT.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Fail>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Fail> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: BatchedJob = Box::new(move |conn| {
            let result = guarded(|| f(conn));
            let ok = result.is_ok();
            let reply: Reply = Box::new(move |batch_failed| {
                let _ = tx.send(match (result, batch_failed) {
                    (Ok(_), Some(e)) => Err(Fail::internal(format!("committing a batch: {e}"))),
                    (result, _) => result,
                });
            });
            (ok, reply)
        });
        self.writer
            .send(Job::Batched(job))
            .map_err(Fail::internal)?;
        rx.await
            .map_err(|_| Fail::internal("the database writer did not answer"))?
    }

    /// Runs the read `f` on a read-only connection, beside the writer: it sees every write
    /// answered before it was called.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Fail>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Fail> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: ReadJob = Box::new(move |conn| {
            let _ = tx.send(guarded(|| f(conn)));
        });
        self.readers.send(job).map_err(Fail::internal)?;
        rx.await
            .map_err(|_| Fail::internal("the database reader did not answer"))?
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<(), DbError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map(drop)
        .map_err(DbError::Thread)
}

/// A job's result, or an internal error if it panicked: a panic must not stop the thread that
/// every later request needs.
fn guarded<T>(f: impl FnOnce() -> Result<T, Fail>) -> Result<T, Fail> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Fail::internal("a database job panicked")))
}

/// The writer: takes whatever is waiting (up to `MAX_BATCH`), runs it in order — batched writes
/// together in one transaction, other jobs alone between them — and waits for more.
fn write_loop(
    conn: &Mutex<Connection>,
    jobs: &Receiver<Job>,
    committed: &tokio::sync::watch::Sender<u64>,
) {
    while let Ok(first) = jobs.recv() {
        let waiting = std::iter::once(first).chain(jobs.try_iter().take(MAX_BATCH - 1));
        let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
        let mut batch = Vec::new();
        for job in waiting {
            match job {
                Job::Batched(job) => batch.push(job),
                Job::Alone(job) => {
                    commit_together(&mut conn, std::mem::take(&mut batch));
                    job(&mut conn);
                }
            }
        }
        commit_together(&mut conn, batch);
        drop(conn);
        committed.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Runs `jobs` in one transaction, each in a savepoint of its own, commits once, and only then
/// answers them all. If the batch itself fails (BEGIN, a savepoint, COMMIT), nothing of it is
/// kept and every job whose own work succeeded is told so; a job never reached is dropped, and
/// its caller told the writer did not answer.
fn commit_together(conn: &mut Connection, jobs: Vec<BatchedJob>) {
    if jobs.is_empty() {
        return;
    }
    let mut replies = Vec::with_capacity(jobs.len());
    let outcome = (|| {
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for job in jobs {
            let savepoint = tx.savepoint()?;
            let (ok, reply) = job(&savepoint);
            replies.push(reply);
            if ok {
                savepoint.commit()?;
            } else {
                // Rolls back to the savepoint and releases it.
                savepoint.finish()?;
            }
        }
        tx.commit()
    })();
    for reply in replies {
        reply(outcome.as_ref().err());
    }
}

/// A reader: one job at a time from the queue the readers share.
fn read_loop(conn: &Connection, jobs: &Mutex<Receiver<ReadJob>>) {
    loop {
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match next {
            Ok(job) => job(conn),
            Err(_) => return,
        }
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
        let page: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size");
        assert_eq!(page, 1024, "a new database has 1 KiB pages");
    }

    fn count(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count")
    }

    #[tokio::test]
    async fn writes_waiting_together_share_one_transaction_and_fail_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.db");
        let db = Db::open(&path).expect("open");
        db.run(|c| Ok(c.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")?))
            .await
            .expect("table");
        // The writer is kept busy while five writes queue behind it.
        let busy = db.run(|_| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            Ok(())
        });
        let writes: Vec<_> = (0..5)
            .map(|n| {
                let (db, path) = (db.clone(), path.clone());
                tokio::spawn(async move {
                    db.write(move |c| {
                        c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                        if n == 2 {
                            return Err(Fail::new(hues_wire::ErrorCode::InvalidValue, "no"));
                        }
                        // Seen here, not yet by another connection: one open transaction.
                        let outside = Connection::open(&path).expect("another connection");
                        Ok((count(c), count(&outside)))
                    })
                    .await
                })
            })
            .collect();
        busy.await.expect("busy");
        let mut seen = Vec::new();
        for w in writes {
            seen.push(w.await.expect("join").map_err(|f| f.0.code));
        }
        assert_eq!(
            seen,
            [
                Ok((1, 0)),
                Ok((2, 0)),
                Err(hues_wire::ErrorCode::InvalidValue),
                Ok((3, 0)),
                Ok((4, 0)),
            ]
        );
        let kept: Vec<i64> = db
            .read(|c| {
                let mut stmt = c.prepare("SELECT n FROM t ORDER BY n")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
            .expect("read");
        assert_eq!(kept, [0, 1, 3, 4]);
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open(&dir.path().join("s.db")).expect("open");
        let failed = db
            .write(|_| -> Result<(), Fail> { panic!("a bug in a job") })
            .await;
        assert!(failed.is_err());
        let n = db
            .write(|c| Ok(c.query_row("SELECT count(*) FROM reports", [], |r| r.get::<_, i64>(0))?))
            .await
            .expect("the writer still answers");
        assert_eq!(n, 0);
    }
}
