//! Opening the device's cache: the store's connection and migrations, then what each domain
//! repairs after a crash or an upgrade. Sits above the domains (the store knows none of them).

use std::path::Path;
use std::sync::Arc;

use crate::error::CoreError;
use crate::secrets::{InMemory, Secrets};
use crate::store::Store;

impl Store {
    /// Opens (creating) and migrates the cache. A report caught mid-send by a crash goes back to
    /// "saved on this device": the server's idempotency makes resending it safe.
    ///
    /// The database (with its `-wal` and `-shm`), the photo folder and the photos in it are the
    /// user's only (0600 files, a 0700 folder on unix); an older version's looser modes are
    /// tightened here.
    pub fn open(path: &Path) -> Result<Self, CoreError> {
        Self::open_with_secrets(path, Arc::new(InMemory::default()))
    }

    /// As `open`, with the device's secrets kept in `secrets` (the app: the OS keyring). A token
    /// an older version kept in the database moves there.
    pub fn open_with_secrets(path: &Path, secrets: Arc<dyn Secrets>) -> Result<Self, CoreError> {
        let store = Store::connect(path, secrets)?;
        crate::outbox::recover_interrupted(&*store.conn()?)?;
        store.remove_partial_photos()?;
        store.move_old_tokens()?;
        Ok(store)
    }
}
