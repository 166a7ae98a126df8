use std::path::Path;
use std::sync::Arc;

use hues_core::tile_cache::TileCache;
use hues_core::tiles::TileFetcher;
use hues_core::{Store, SyncEngine};
use hues_wire::ipc::Settings;

/// Where the device's token lives: the OS keyring. A desktop without one (no Secret Service)
/// keeps it in memory: the app then registers anew at each start and the citizen signs in
/// again, but the token never goes into the database.
#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
))]
fn secrets() -> Arc<dyn hues_core::secrets::Secrets> {
    use hues_core::secrets::{InMemory, OsKeyring, Secrets};
    // Linux: the Secret Service lives on the session bus; without one there is nothing to ask
    // (and asking would have libdbus try to launch a bus from inside the app).
    #[cfg(target_os = "linux")]
    {
        let runtime_bus = std::env::var_os("XDG_RUNTIME_DIR")
            .map(|d| std::path::Path::new(&d).join("bus"))
            .is_some_and(|p| p.exists());
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !runtime_bus {
            tracing::warn!("no session bus: the device's token is kept in memory only");
            return Arc::new(InMemory::default());
        }
    }
    let keyring = OsKeyring::new("hues");
    match keyring.get("probe") {
        Ok(_) => Arc::new(keyring),
        Err(e) => {
            tracing::warn!(error = %e, "no OS keyring: the device's token is kept in memory only");
            Arc::new(InMemory::default())
        }
    }
}

/// Android: the Keystore is still to come; the token stays in memory, never in the database.
#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
)))]
fn secrets() -> Arc<dyn hues_core::secrets::Secrets> {
    Arc::new(hues_core::secrets::InMemory::default())
}

/// What the commands share: the client core, and the map tile fetcher.
pub struct AppState {
    pub engine: Arc<SyncEngine>,
    pub tiles: Arc<TileFetcher>,
    /// Tiles kept on the device (MBTiles), served first by the `tile:` scheme.
    pub tile_cache: Arc<TileCache>,
    /// A fixed "now" for opening hours (`HUES_NOW`, RFC 3339): demos and tests at a known time.
    pub fixed_now: Option<chrono::DateTime<chrono::Utc>>,
    /// The store's revision when notices were last decided: nothing changed, nothing to decide.
    pub notices_at: std::sync::atomic::AtomicU64,
}

impl AppState {
    /// Opens the cache in `data_dir`. `server_url` and `tile_url`, when given (by
    /// `HUES_SERVER_URL`, `HUES_TILE_URL`), replace the stored settings: the two-command setup
    /// and the tests point the app this way.
    pub fn open(
        data_dir: &Path,
        server_url: Option<String>,
        tile_url: Option<String>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        // The app's own folder: the user's only (0700 on unix), like everything in it. A folder
        // given by HUES_DATA_DIR that is not ours to change is used as it is.
        if let Err(e) = hues_core::private::dir(data_dir) {
            tracing::warn!(dir = %data_dir.display(), error = %e, "data folder not made user-only");
            std::fs::create_dir_all(data_dir)?;
        }
        let store = Arc::new(Store::open_with_secrets(
            &data_dir.join("hues.db"),
            secrets(),
        )?);
        if server_url.is_some() || tile_url.is_some() {
            let current = store.settings()?;
            store.save_settings(&Settings {
                server_url: server_url.unwrap_or(current.server_url),
                tile_url: tile_url.unwrap_or(current.tile_url),
                ..current
            })?;
        }
        Ok(Self {
            engine: Arc::new(SyncEngine::new(store, std::env::consts::OS)),
            tiles: Arc::new(TileFetcher::default()),
            tile_cache: Arc::new(TileCache::open(&data_dir.join("tiles.mbtiles"))?),
            fixed_now: std::env::var("HUES_NOW")
                .ok()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
                .map(|t| t.with_timezone(&chrono::Utc)),
            notices_at: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Now, for opening hours.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.fixed_now.unwrap_or_else(chrono::Utc::now)
    }

    pub fn store(&self) -> &Store {
        self.engine.store()
    }
}

/// The [`AppState`] as the commands reach it: managed at once, opened on a thread of its own,
/// so that the main thread serves the page while the cache opens (migrations, keyring, TLS
/// roots). A command that comes first waits for the opening (a few tens of milliseconds).
#[derive(Default)]
pub struct Opening(std::sync::OnceLock<AppState>);

impl Opening {
    /// Hands over the opened state; waiting commands go on.
    pub fn finish(&self, state: AppState) {
        let _ = self.0.set(state);
    }

    /// The state if it is open already (the URI scheme handlers do not wait).
    pub fn get(&self) -> Option<&AppState> {
        self.0.get()
    }
}

impl std::ops::Deref for Opening {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        self.0.wait()
    }
}
