use std::path::Path;
use std::sync::Arc;

use hues_core::{Store, SyncEngine};
use hues_wire::ipc::Settings;

/// What the commands share: the client core.
pub struct AppState {
    pub engine: Arc<SyncEngine>,
}

impl AppState {
    /// Opens the cache in `data_dir`. `server_url`, when given (by `HUES_SERVER_URL`), replaces
    /// the stored server address: the two-command setup and the tests point the app this way.
    pub fn open(
        data_dir: &Path,
        server_url: Option<String>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        std::fs::create_dir_all(data_dir)?;
        let store = Arc::new(Store::open(&data_dir.join("hues.db"))?);
        if let Some(url) = server_url {
            let current = store.settings()?;
            store.save_settings(&Settings {
                server_url: url,
                ..current
            })?;
        }
        Ok(Self {
            engine: Arc::new(SyncEngine::new(store, std::env::consts::OS)),
        })
    }

    pub fn store(&self) -> &Store {
        self.engine.store()
    }
}
