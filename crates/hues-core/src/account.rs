//! The citizen's account on this device (issue 15): signing in (an SMS code, or the identity
//! provider), what the device remembers of the account, "my places" going to the account,
//! signing out without leaving anything personal, and the citizen's data requests. The answers
//! to the consent questions and their rule are `consent`'s. The app works without an account,
//! as before.

use chrono::{DateTime, Utc};
use hues_wire::account::{
    AccountStatus, CodeSent, ConsentPurpose, ConsentRecord, MyPlace, SignedIn,
};
use hues_wire::ipc::AccountView;
use hues_wire::{ApiError, ErrorCode};

use crate::client::{ApiClient, RequestError};
use crate::error::CoreError;
use crate::store::Store;
use crate::sync::SyncEngine;

/// What the device remembers of its account, per server.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Remembered {
    phone: Option<String>,
    signed_out_by_server: bool,
    erase_after: Option<DateTime<Utc>>,
    identity_provider: bool,
}

fn key(server: &str) -> String {
    format!("account:{server}")
}

impl Store {
    fn remembered(&self, server: &str) -> Result<Remembered, CoreError> {
        let conn = self.conn()?;
        Ok(Store::get_kv(&conn, &key(server))?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    fn remember(&self, server: &str, r: &Remembered) -> Result<(), CoreError> {
        let conn = self.conn()?;
        Store::set_kv(&conn, &key(server), &serde_json::to_string(r)?)?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// The account as the device last knew it.
    pub fn account_view(&self) -> Result<AccountView, CoreError> {
        let r = self.remembered(&self.server_url()?)?;
        Ok(AccountView {
            phone: r.phone,
            signed_out_by_server: r.signed_out_by_server,
            erase_after: r.erase_after,
            identity_provider: r.identity_provider,
        })
    }

    /// Whether the device is signed in to an account (as far as it knows).
    pub fn signed_in(&self) -> Result<bool, CoreError> {
        Ok(self.remembered(&self.server_url()?)?.phone.is_some())
    }

    /// The server no longer knows this device's token (revoked, or the account erased): if it
    /// was signed in, it says so, so the citizen can sign in again. Nothing else changes.
    pub(crate) fn lost_sign_in(&self, server: &str) -> Result<(), CoreError> {
        let mut r = self.remembered(server)?;
        if r.phone.take().is_some() {
            r.signed_out_by_server = true;
            r.erase_after = None;
            self.remember(server, &r)?;
        }
        Ok(())
    }

    /// Places not yet on the account, and places removed here that the account still has.
    fn unsynced_places(&self) -> Result<(Vec<MyPlace>, Vec<String>), CoreError> {
        let conn = self.conn()?;
        let places = conn
            .prepare("SELECT id, name, latitude, longitude FROM my_places WHERE synced = 0")?
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter_map(|(id, name, latitude, longitude)| {
                Some(MyPlace {
                    id: uuid::Uuid::parse_str(&id).ok()?,
                    name,
                    latitude,
                    longitude,
                })
            })
            .collect();
        let removed = conn
            .prepare("SELECT id FROM my_place_removals")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok((places, removed))
    }

    /// Reports (and their follow-ups) and bookings still waiting to leave the device.
    pub fn outbox_len(&self) -> Result<u32, CoreError> {
        Ok(self.conn()?.query_row(
            "SELECT count(*) FROM outbox WHERE failed_code IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// Forgets everything personal: the citizen's reports and followed ones, their photos,
    /// bookings, dossiers, places, consents, notices, the draft, the account and the device's
    /// token (the next sync registers a new anonymous device and reads the feed from the start).
    /// The city's data (categories, places, warnings, procedures) stays.
    fn forget_personal(&self, server: &str) -> Result<(), CoreError> {
        let photos: Vec<String> = {
            let conn = self.conn()?;
            let tx = conn.unchecked_transaction()?;
            let mut photos = Vec::new();
            for sql in [
                "SELECT photos FROM reports WHERE id NOT IN (SELECT entity_id FROM outbox)",
                "SELECT photos FROM report_history
                 WHERE report_id NOT IN (SELECT entity_id FROM outbox)",
            ] {
                let lists = tx
                    .prepare(sql)?
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                for list in lists {
                    photos.extend(serde_json::from_str::<Vec<String>>(&list).unwrap_or_default());
                }
            }
            // What was queued meanwhile stays (and goes, as the new anonymous device's).
            for sql in [
                "DELETE FROM report_history WHERE report_id NOT IN (SELECT entity_id FROM outbox)",
                "DELETE FROM reports WHERE id NOT IN (SELECT entity_id FROM outbox)",
                "DELETE FROM bookings WHERE id NOT IN (SELECT entity_id FROM outbox)",
                "DELETE FROM dossiers",
                "DELETE FROM untrack_pending",
                "DELETE FROM my_places",
                "DELETE FROM my_place_removals",
                "DELETE FROM consent_log",
                "DELETE FROM notified",
                "DELETE FROM kv WHERE key IN ('draft', 'last_success_at') OR key LIKE 'account:%'",
            ] {
                tx.execute(sql, [])?;
            }
            tx.commit()?;
            photos
        };
        for sha in photos {
            for thumb in [false, true] {
                if let Some(path) = self.photo_file(&sha, thumb) {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        self.set_device_token(server, None)?;
        self.bump();
        Ok(())
    }
}

fn refused(e: RequestError) -> ApiError {
    match e {
        RequestError::Transient(m) => ApiError::new(ErrorCode::Network, m),
        RequestError::Refused(api) => api,
    }
}

impl SyncEngine {
    /// Sends a sign-in code to `phone`.
    pub async fn request_sign_in_code(&self, phone: &str) -> Result<CodeSent, ApiError> {
        let (client, token) = self.signed_in().await?;
        client.request_code(&token, phone).await.map_err(refused)
    }

    /// Signs in with the code; the next sync brings the account's history.
    pub async fn verify_sign_in_code(
        &self,
        phone: &str,
        code: &str,
    ) -> Result<AccountView, ApiError> {
        let (client, token) = self.signed_in().await?;
        let _: SignedIn = client
            .verify_code(&token, phone, code)
            .await
            .map_err(refused)?;
        self.refresh_account(&client, &token).await
    }

    /// Signs in through the identity provider as a native app (RFC 8252): listens on a
    /// loopback port, has `open` show the provider's page in the system browser, waits (up to
    /// ten minutes) for the browser to come back there with a code (answering it with `page`),
    /// and hands the code to the server.
    pub async fn sign_in_with_provider(
        &self,
        open: impl FnOnce(&str) -> Result<(), String>,
        page: &str,
    ) -> Result<AccountView, ApiError> {
        let failed = |what: String| ApiError::new(ErrorCode::Internal, what);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| failed(format!("listening for the answer: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| failed(e.to_string()))?
            .port();
        let (client, token) = self.signed_in().await?;
        let start = client
            .oidc_start(&token, &format!("http://127.0.0.1:{port}/oidc"))
            .await
            .map_err(refused)?;
        open(&start.authorize_url).map_err(failed)?;
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(600),
            crate::loopback::answer(&listener, page),
        )
        .await
        .map_err(|_| ApiError::new(ErrorCode::Network, "no answer from the browser"))??;
        if answer.state != start.state {
            return Err(ApiError::new(
                ErrorCode::InvalidValue,
                "the provider answered another sign-in",
            ));
        }
        client.oidc_finish(&token, &answer).await.map_err(refused)?;
        self.refresh_account(&client, &token).await
    }

    /// Asks the server what account this device has, remembers it, and wakes the sync (a new
    /// sign-in has history to bring).
    async fn refresh_account(
        &self,
        client: &ApiClient,
        token: &str,
    ) -> Result<AccountView, ApiError> {
        let status: AccountStatus = client.account(token).await.map_err(refused)?;
        let server = self.store().server_url()?;
        let before = self.store().remembered(&server)?;
        self.store().remember(
            &server,
            &Remembered {
                phone: status.phone.clone(),
                signed_out_by_server: before.signed_out_by_server && status.phone.is_none(),
                erase_after: status.erase_after,
                identity_provider: status.identity_provider,
            },
        )?;
        if status.phone.is_some() && before.phone.is_none() {
            self.wake();
        }
        Ok(self.store().account_view()?)
    }

    /// The account: asked of the server when it answers, else as last known.
    pub async fn account(&self) -> Result<AccountView, ApiError> {
        let (client, token) = match self.signed_in().await {
            Ok(t) => t,
            Err(_) => return Ok(self.store().account_view()?),
        };
        match self.refresh_account(&client, &token).await {
            Ok(v) => Ok(v),
            Err(_) => Ok(self.store().account_view()?),
        }
    }

    /// Signs out: the server revokes this device, and nothing personal stays here. Refused
    /// while something waits to be sent (it would be lost) and when the server cannot be
    /// reached (the device would stay signed in there).
    pub async fn sign_out(&self) -> Result<AccountView, ApiError> {
        // No sync run in between: none brings the account's data back after it is forgotten.
        let _run = self.running.lock().await;
        let waiting = self.store().outbox_len()?;
        if waiting > 0 {
            return Err(ApiError::new(
                ErrorCode::PendingOutbox,
                format!("{waiting} items wait to be sent"),
            ));
        }
        let (client, token) = self.signed_in().await?;
        client.sign_out(&token).await.map_err(refused)?;
        let server = self.store().server_url()?;
        self.store().forget_personal(&server)?;
        self.wake();
        Ok(self.store().account_view()?)
    }

    /// Downloads the account's data and saves the ZIP in `dir`; its path.
    pub async fn export_my_data(&self, dir: &std::path::Path) -> Result<String, ApiError> {
        let (client, token) = self.signed_in().await?;
        let bytes = client.export(&token).await.map_err(refused)?;
        let path = dir.join(format!(
            "hues-my-data-{}.zip",
            Utc::now().format("%Y-%m-%d-%H%M%S")
        ));
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|e| ApiError::new(ErrorCode::Storage, format!("saving the ZIP: {e}")))?;
        Ok(path.display().to_string())
    }

    /// Asks for the account's deletion (confirmed with its number).
    pub async fn delete_my_account(&self, phone: &str) -> Result<AccountView, ApiError> {
        let (client, token) = self.signed_in().await?;
        client
            .delete_account(&token, phone)
            .await
            .map_err(refused)?;
        self.refresh_account(&client, &token).await
    }

    /// Calls off a pending deletion.
    pub async fn keep_my_account(&self) -> Result<AccountView, ApiError> {
        let (client, token) = self.signed_in().await?;
        client.keep_account(&token).await.map_err(refused)?;
        self.refresh_account(&client, &token).await
    }

    /// Sync's part for the account: consent answers first (the server records them), then the
    /// account's places (signed in, and with the citizen's agreement to send positions).
    pub(crate) async fn push_account(
        &self,
        client: &ApiClient,
        token: &str,
    ) -> Result<(), RequestError> {
        let unsent = self.store().unsent_consents().map_err(storage)?;
        if !unsent.is_empty() {
            let records: Vec<ConsentRecord> = unsent.iter().map(|(_, r)| r.clone()).collect();
            client.record_consents(token, &records).await?;
            let ids: Vec<i64> = unsent.iter().map(|(id, _)| *id).collect();
            self.store().consents_sent(&ids).map_err(storage)?;
        }
        if !self.store().signed_in().map_err(storage)?
            || !self
                .store()
                .consented(ConsentPurpose::Location)
                .map_err(storage)?
        {
            return Ok(());
        }
        let (places, removed) = self.store().unsynced_places().map_err(storage)?;
        for p in places {
            match client.put_my_place(token, &p).await {
                Ok(()) => {}
                Err(RequestError::Refused(e)) if e.code != ErrorCode::Unauthorized => {
                    tracing::warn!(place = %p.id, error = %e.message, "place refused by the server");
                }
                Err(e) => return Err(e),
            }
            self.store()
                .conn()
                .map_err(storage)?
                .execute(
                    "UPDATE my_places SET synced = 1 WHERE id = ?1",
                    [p.id.to_string()],
                )
                .map_err(|e| storage(e.into()))?;
        }
        for id in removed {
            client.delete_my_place(token, &id).await?;
            self.store()
                .conn()
                .map_err(storage)?
                .execute("DELETE FROM my_place_removals WHERE id = ?1", [&id])
                .map_err(|e| storage(e.into()))?;
        }
        Ok(())
    }
}

fn storage(e: CoreError) -> RequestError {
    RequestError::Refused(e.into())
}
