//! The sync engine: push the outbox, then pull the server's changes page by page.
//!
//! Rules (ARCHITECTURE.md, "Invariants"): an outbox entry leaves only when the server
//! acknowledged it; a temporary failure (offline, timeout, 5xx, 408, 429) keeps it and backs off
//! with jitter; a refusal (other 4xx) marks it failed with the server's code, visible to the
//! citizen; each pulled page is applied in one transaction together with its cursor.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use hues_wire::api::{NewDevice, SYNC_MAX_LIMIT, SyncPage};
use hues_wire::ipc::SyncStatus;
use tokio::sync::{Mutex, Notify};

use crate::backoff;
use crate::client::{ApiClient, RequestError};
use crate::error::CoreError;
use crate::outbox::{Ack, OutboxItem};
use crate::store::Store;
use hues_wire::ApiError;
use hues_wire::api::PublicReport;

/// A failed request as the UI sees it: offline is `network`, a refusal keeps the server's code.
fn request_error(e: RequestError) -> ApiError {
    match e {
        RequestError::Transient(m) => ApiError::new(hues_wire::ErrorCode::Network, m),
        RequestError::Refused(api) => api,
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub online: bool,
    pub delivered: u32,
    pub refused: u32,
    pub postponed: u32,
    pub pulled_changes: u32,
    /// Why the run stopped early, if it did.
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
enum RunError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Request(#[from] RequestError),
}

/// Called after every run with what it did (the app raises notifications from it).
pub type AfterSync = Box<dyn Fn(&SyncOutcome) + Send + Sync>;

pub struct SyncEngine {
    store: Arc<Store>,
    after_sync: std::sync::OnceLock<AfterSync>,
    platform: String,
    online: AtomicBool,
    /// One run at a time: the background loop and "sync now" never overlap.
    pub(crate) running: Mutex<()>,
    /// Tracking and untracking a dossier with the server never interleave.
    tracking: Mutex<()>,
    wake: Notify,
}

impl SyncEngine {
    pub fn new(store: Arc<Store>, platform: &str) -> Self {
        Self {
            store,
            after_sync: std::sync::OnceLock::new(),
            platform: platform.to_owned(),
            online: AtomicBool::new(false),
            running: Mutex::new(()),
            tracking: Mutex::new(()),
            wake: Notify::new(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn status(&self) -> Result<SyncStatus, CoreError> {
        self.store.sync_status(self.online.load(Ordering::Relaxed))
    }

    /// Sets what runs after every sync run (once; a second call is ignored).
    pub fn set_after_sync(&self, f: AfterSync) {
        let _ = self.after_sync.set(f);
    }

    /// Asks the background loop to run now (after a submit, or when settings changed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs forever: a sync every `period`, or sooner when woken.
    pub async fn run_forever(self: Arc<Self>, period: Duration) {
        loop {
            let outcome = self.sync_once().await;
            if let Some(err) = &outcome.error {
                tracing::info!(error = %err, "sync stopped early");
            }
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// One full run: register if needed, push, pull.
    pub async fn sync_once(&self) -> SyncOutcome {
        let _guard = self.running.lock().await;
        let mut outcome = SyncOutcome::default();
        let result = self.run(&mut outcome).await;
        outcome.online = match &result {
            Ok(()) => true,
            Err(RunError::Request(RequestError::Transient(_))) => false,
            // The server answered, even if with a refusal.
            Err(RunError::Request(RequestError::Refused(_))) => true,
            Err(RunError::Core(_)) => self.online.load(Ordering::Relaxed),
        };
        self.online.store(outcome.online, Ordering::Relaxed);
        if let Err(e) = result {
            outcome.error = Some(e.to_string());
        }
        if let Some(after) = self.after_sync.get() {
            after(&outcome);
        }
        outcome
    }

    /// Published reports near a point, straight from the server (nothing to keep offline).
    pub async fn nearby(
        &self,
        lat: f64,
        lon: f64,
        radius_m: f64,
    ) -> Result<Vec<PublicReport>, ApiError> {
        // The device's position is a position too: not without the citizen's agreement.
        if !self
            .store
            .consented(hues_wire::account::ConsentPurpose::Location)?
        {
            return Err(ApiError::new(
                hues_wire::ErrorCode::ConsentNeeded,
                "no consent to send positions",
            ));
        }
        let server = self.store.server_url()?;
        ApiClient::new(&server)
            .public_nearby(lat, lon, radius_m)
            .await
            .map_err(request_error)
    }

    /// Reports that may already describe the problem being written up.
    pub async fn possible_duplicates(
        &self,
        category: &str,
        lat: f64,
        lon: f64,
    ) -> Result<Vec<PublicReport>, ApiError> {
        // Asked while the form is filled: without consent, no position leaves, no suggestion.
        if !self
            .store
            .consented(hues_wire::account::ConsentPurpose::Location)?
        {
            return Ok(Vec::new());
        }
        let server = self.store.server_url()?;
        ApiClient::new(&server)
            .possible_duplicates(category, lat, lon)
            .await
            .map_err(request_error)
    }

    /// One published report with its handling, straight from the server.
    pub async fn public_report(&self, id: uuid::Uuid) -> Result<PublicReport, ApiError> {
        let server = self.store.server_url()?;
        ApiClient::new(&server)
            .public_report(id)
            .await
            .map_err(request_error)
    }

    /// "Me too" on a published report; the device then follows it through sync.
    pub async fn me_too(&self, report: uuid::Uuid) -> Result<PublicReport, ApiError> {
        let (client, token) = self.signed_in().await?;
        let result = client.me_too(&token, report).await.map_err(request_error);
        self.wake();
        result
    }

    /// Asks the server for a dossier by code and check value; with `track`, keeps it on the
    /// device (My dossiers), refreshed by sync from then on.
    pub async fn dossier(
        &self,
        lookup: &hues_wire::dossiers::DossierLookup,
        track: bool,
        now: chrono::DateTime<Utc>,
    ) -> Result<hues_wire::ipc::DossierView, ApiError> {
        hues_wire::dossiers::check_lookup(lookup)?;
        let lookup = hues_wire::dossiers::DossierLookup {
            code: hues_wire::dossiers::normalize_code(&lookup.code),
            check: lookup.check.trim().to_owned(),
        };
        let (client, token) = self.signed_in().await?;
        let _tracking = if track {
            Some(self.tracking.lock().await)
        } else {
            None
        };
        let dossier = client
            .dossier(&token, &lookup, track)
            .await
            .map_err(request_error)?;
        if track {
            self.store.track_dossier(&dossier, now)?;
        }
        Ok(self.store.dossier_view(dossier, now)?)
    }

    /// A client for the configured server and this device's token (registering if needed), for
    /// a request the citizen makes now.
    pub(crate) async fn signed_in(&self) -> Result<(ApiClient, String), ApiError> {
        let server = self.store.server_url()?;
        let client = ApiClient::new(&server);
        let token = self.token(&client, &server).await.map_err(|e| match e {
            RunError::Core(c) => c.into(),
            RunError::Request(r) => request_error(r),
        })?;
        Ok((client, token))
    }

    /// Stops tracking a dossier: gone from My dossiers at once; the next sync run that reaches
    /// the server tells it (until then its changes are simply not kept).
    pub async fn untrack_dossier(&self, code: &str) -> Result<(), ApiError> {
        {
            let _tracking = self.tracking.lock().await;
            self.store.untrack_dossier(code)?;
        }
        self.wake();
        Ok(())
    }

    async fn token(&self, client: &ApiClient, server: &str) -> Result<String, RunError> {
        if let Some(t) = self.store.device_token(server)? {
            return Ok(t);
        }
        let locale = self.store.settings()?.language;
        let reg = client
            .register(&NewDevice {
                platform: Some(self.platform.clone()),
                locale: Some(locale),
            })
            .await?;
        self.store.set_device_token(server, Some(&reg.token))?;
        Ok(reg.token)
    }

    async fn run(&self, outcome: &mut SyncOutcome) -> Result<(), RunError> {
        let server = self.store.server_url()?;
        let client = ApiClient::new(&server);
        let was_online = self.online.load(Ordering::Relaxed);
        let token = self.token(&client, &server).await?;
        if !was_online {
            // We just reached the server after being offline: the network is back, so whatever
            // waits goes now instead of at its backed-off time.
            self.store.retry_all_now()?;
        }
        for code in self.store.pending_untracks()? {
            // Tracked again meanwhile? Then there is nothing to tell.
            let _tracking = self.tracking.lock().await;
            if !self.store.pending_untracks()?.contains(&code) {
                continue;
            }
            match client.untrack_dossier(&token, &code).await {
                Ok(()) => self.store.untrack_told(&code)?,
                // Told next time.
                Err(RequestError::Transient(_)) => break,
                Err(e) if e.is_unauthorized() => break,
                // Refused for good (e.g. a code the server never had): nothing to undo.
                Err(RequestError::Refused(_)) => self.store.untrack_told(&code)?,
            }
        }
        // The account's own data first; a refusal there never holds the reports back.
        let account = match self.push_account(&client, &token).await {
            Err(RequestError::Refused(e)) if e.code != hues_wire::ErrorCode::Unauthorized => {
                tracing::warn!(error = %e.message, "account data not sent");
                Ok(())
            }
            other => other,
        };
        let exchanged = match account {
            Ok(()) => match self.push(&client, &token, outcome).await {
                Ok(()) => self.pull(&client, &server, &token, outcome).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e.into()),
        };
        if let Err(RunError::Request(e)) = &exchanged
            && e.is_unauthorized()
        {
            // The server forgot this device (its database was reset, the device was revoked,
            // the account erased): register again on the next run, and say so if it was signed
            // in. What waits in the outbox is not at fault and stays.
            self.store.set_device_token(&server, None)?;
            self.store.lost_sign_in(&server)?;
        }
        exchanged?;
        self.store.set_last_success(Utc::now())?;
        // The city's photos of the handling, kept for offline viewing; one that fails now is
        // tried again on the next run.
        for sha in self.store.missing_history_photos()? {
            match self.fetch_photo(&client, Some(&token), &sha).await {
                Ok(_) => {}
                Err(RequestError::Transient(_)) => break,
                Err(RequestError::Refused(e)) => {
                    tracing::info!(photo = %sha, error = %e.message, "photo not kept");
                }
            }
        }
        Ok(())
    }

    /// A photo by name: from this device, else from the server (checked, then kept here).
    pub async fn photo(&self, sha: &str, thumb: bool) -> Result<std::path::PathBuf, ApiError> {
        if let Some(path) = self.store.photo_file(sha, thumb) {
            return Ok(path);
        }
        let server = self.store.server_url()?;
        let token = self.store.device_token(&server)?;
        self.fetch_photo(&ApiClient::new(&server), token.as_deref(), sha)
            .await
            .map_err(request_error)
    }

    /// Downloads a photo into the device's photo folder: kept only whole, within the size limit
    /// and matching its name; otherwise nothing is left behind.
    pub async fn fetch_photo(
        &self,
        client: &ApiClient,
        token: Option<&str>,
        sha: &str,
    ) -> Result<std::path::PathBuf, RequestError> {
        let mut incoming = self
            .store
            .incoming_photo(sha)
            .map_err(|e| RequestError::Refused(e.into()))?;
        client.download_photo(token, sha, &mut incoming).await?;
        Ok(self.store.keep_incoming(incoming)?)
    }

    async fn push(
        &self,
        client: &ApiClient,
        token: &str,
        outcome: &mut SyncOutcome,
    ) -> Result<(), RunError> {
        for entry in self.store.due_outbox(Utc::now())? {
            // Nothing with a position (or a photo) leaves without the citizen's agreement,
            // checked before each report: a withdrawal stops sending at once.
            if let OutboxItem::Report(r) = &entry.item
                && self.store.needs_consent(r)?
            {
                outcome.postponed += 1;
                continue;
            }
            self.store.mark_sending(&entry)?;
            let sent = match &entry.item {
                // Photos first: the report counts as sent only once the server has every photo.
                OutboxItem::Report(report) => {
                    match self.push_photos(client, token, &report.photos).await {
                        Ok(()) => client.submit_report(token, report).await.map(Ack::Report),
                        Err(e) => Err(e),
                    }
                }
                OutboxItem::Rating { report, rating } => {
                    client.rate(token, *report, rating).await.map(Ack::Report)
                }
                OutboxItem::Reopen { report, note } => {
                    client.reopen(token, *report, note).await.map(Ack::Report)
                }
                OutboxItem::Booking(b) => client.submit_booking(token, b).await.map(Ack::Booking),
                OutboxItem::CancelBooking { booking } => client
                    .cancel_booking(token, *booking)
                    .await
                    .map(Ack::Booking),
            };
            match sent {
                Ok(record) => {
                    self.store.acknowledge(&entry, &record)?;
                    outcome.delivered += 1;
                }
                Err(RequestError::Transient(msg)) => {
                    let delay = backoff::random_delay(entry.attempts + 1);
                    self.store.retry_later(&entry, delay, &msg)?;
                    outcome.postponed += 1;
                    // The server is unreachable or struggling: the rest waits too.
                    return Err(RequestError::Transient(msg).into());
                }
                Err(e) if e.is_unauthorized() => {
                    // Not the report's fault: it goes again once the device is registered anew.
                    self.store
                        .retry_later(&entry, Duration::ZERO, &e.to_string())?;
                    return Err(e.into());
                }
                Err(RequestError::Refused(err)) => {
                    self.store.refuse(&entry, &err)?;
                    outcome.refused += 1;
                }
            }
        }
        Ok(())
    }

    async fn push_photos(
        &self,
        client: &ApiClient,
        token: &str,
        photos: &[String],
    ) -> Result<(), RequestError> {
        for sha in photos {
            if client.photo_exists(token, sha).await? {
                continue;
            }
            let bytes = self.store.photo_bytes(sha).map_err(|e| {
                RequestError::Refused(hues_wire::ApiError::new(
                    hues_wire::ErrorCode::Storage,
                    format!("photo {sha} is missing on this device: {e}"),
                ))
            })?;
            client.upload_photo(token, sha, bytes).await?;
        }
        Ok(())
    }

    async fn pull(
        &self,
        client: &ApiClient,
        server: &str,
        token: &str,
        outcome: &mut SyncOutcome,
    ) -> Result<(), RunError> {
        let mut cursor = self.store.cursor(server)?;
        let mut pages: Vec<SyncPage> = Vec::new();
        let mut held = 0;
        loop {
            // Big pages, applied several at a time: a first sync brings the whole city
            // (places), and each transaction on the device writes every index page it touches.
            let page = client.sync_page(token, &cursor, SYNC_MAX_LIMIT).await?;
            outcome.pulled_changes += page.changes.len() as u32;
            let last = !page.has_more || page.next_cursor == cursor;
            cursor = page.next_cursor.clone();
            held += page.changes.len();
            pages.push(page);
            if last || held >= APPLY_CHANGES_AT_ONCE {
                self.store.apply_pages(server, &pages)?;
                pages.clear();
                held = 0;
            }
            if last {
                if outcome.pulled_changes > 0 {
                    self.store.checkpoint()?;
                }
                return Ok(());
            }
        }
    }
}

/// How many changes of the feed the device may hold before applying them in one transaction
/// (a few megabytes; a crash before they are applied only means fetching them again).
const APPLY_CHANGES_AT_ONCE: usize = 10_000;

impl Store {
    /// Counts for the sync indicator: what waits, what the server refused, what waits for the
    /// citizen's agreement, and when the last sync succeeded.
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
            revision: self.revision(),
            waiting_for_consent: self.held_for_consent()?,
        })
    }
}
