//! The HTTP client of `/api/v1`. It sorts every failure into "try again later" (network, 5xx,
//! 408, 429, unreadable answer) or "the server said no" (other 4xx, with its error code).

use std::time::Duration;

use hues_wire::api::{DeviceToken, NewDevice, NewReport, PublicReport, Report, SyncPage};
use hues_wire::{ApiError, ErrorCode};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Worth retrying: offline, refused, timed out, 5xx, 408, 429, or an answer we could not read.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The server refused the request; retrying the same request will not help.
    #[error("refused: {0}")]
    Refused(ApiError),
}

impl RequestError {
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Refused(e) if e.code == ErrorCode::Unauthorized)
    }
}

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
}

impl ApiClient {
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("hues-app/", env!("CARGO_PKG_VERSION")))
            .redirect(crate::address::redirect_policy())
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}{path}", self.base, hues_wire::api::API_PREFIX)
    }

    async fn read<T: DeserializeOwned>(
        resp: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, RequestError> {
        Self::read_as(resp, true).await
    }

    /// As `read`; a 429 is a refusal (with the server's code) when `retry_429` is false: for a
    /// request the citizen makes now and must be told about, not for the outbox.
    async fn read_as<T: DeserializeOwned>(
        resp: Result<reqwest::Response, reqwest::Error>,
        retry_429: bool,
    ) -> Result<T, RequestError> {
        let resp = resp.map_err(|e| RequestError::Transient(e.to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| RequestError::Transient(format!("reading answer: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|e| RequestError::Transient(format!("unreadable answer: {e}")));
        }
        if status.is_server_error()
            || status == StatusCode::REQUEST_TIMEOUT
            || (retry_429 && status == StatusCode::TOO_MANY_REQUESTS)
        {
            return Err(RequestError::Transient(format!("server answered {status}")));
        }
        let err = serde_json::from_slice::<ApiError>(&bytes).unwrap_or_else(|_| {
            ApiError::new(ErrorCode::BadResponse, format!("server answered {status}"))
        });
        Err(RequestError::Refused(err))
    }

    /// As `read`, for answers whose success carries no body (a 2xx with nothing, which is not
    /// JSON, is success).
    async fn read_no_body(
        resp: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<(), RequestError> {
        Self::read::<serde::de::IgnoredAny>(resp)
            .await
            .map(|_| ())
            .or_else(|e| match e {
                RequestError::Transient(m) if m.starts_with("unreadable answer") => Ok(()),
                other => Err(other),
            })
    }

    pub async fn register(&self, device: &NewDevice) -> Result<DeviceToken, RequestError> {
        Self::read(
            self.http
                .post(self.url("/devices"))
                .json(device)
                .send()
                .await,
        )
        .await
    }

    /// POSTs `body` as JSON with the device's token and reads the answer.
    async fn post_json<B: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &B,
    ) -> Result<T, RequestError> {
        Self::read(
            self.http
                .post(self.url(path))
                .bearer_auth(token)
                .json(body)
                .send()
                .await,
        )
        .await
    }

    pub async fn submit_report(&self, token: &str, r: &NewReport) -> Result<Report, RequestError> {
        self.post_json(token, "/reports", r).await
    }

    pub async fn rate(
        &self,
        token: &str,
        report: uuid::Uuid,
        rating: &hues_wire::api::NewRating,
    ) -> Result<Report, RequestError> {
        self.post_json(token, &format!("/reports/{report}/rating"), rating)
            .await
    }

    /// `track`: also keep the device informed of it (sync) from now on.
    pub async fn dossier(
        &self,
        token: &str,
        lookup: &hues_wire::dossiers::DossierLookup,
        track: bool,
    ) -> Result<hues_wire::dossiers::Dossier, RequestError> {
        let path = if track {
            "/dossiers/track"
        } else {
            "/dossiers/lookup"
        };
        let resp = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(lookup)
            .send()
            .await;
        // Too many look-ups is the citizen's to know, not a network failure.
        Self::read_as(resp, false).await
    }

    /// Asks for a sign-in code by SMS (too many: a refusal to tell, not a retry).
    pub async fn request_code(
        &self,
        token: &str,
        phone: &str,
    ) -> Result<hues_wire::account::CodeSent, RequestError> {
        let body = hues_wire::account::CodeRequest {
            phone: phone.to_owned(),
        };
        self.post_now(token, "/account/code", &body).await
    }

    /// POSTs JSON for something the citizen does now: a 429 is told, not retried.
    async fn post_now<B: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &B,
    ) -> Result<T, RequestError> {
        let req = self.http.post(self.url(path)).bearer_auth(token).json(body);
        Self::read_as(req.send().await, false).await
    }

    pub async fn verify_code(
        &self,
        token: &str,
        phone: &str,
        code: &str,
    ) -> Result<hues_wire::account::SignedIn, RequestError> {
        let body = hues_wire::account::VerifyCode {
            phone: phone.to_owned(),
            code: code.to_owned(),
        };
        self.post_now(token, "/account/verify", &body).await
    }

    pub async fn account(
        &self,
        token: &str,
    ) -> Result<hues_wire::account::AccountStatus, RequestError> {
        Self::read(
            self.http
                .get(self.url("/account"))
                .bearer_auth(token)
                .send()
                .await,
        )
        .await
    }

    pub async fn oidc_start(
        &self,
        token: &str,
        redirect_uri: &str,
    ) -> Result<hues_wire::account::OidcStart, RequestError> {
        let body = hues_wire::account::OidcStartRequest {
            redirect_uri: redirect_uri.to_owned(),
        };
        self.post_now(token, "/account/oidc/start", &body).await
    }

    pub async fn oidc_finish(
        &self,
        token: &str,
        answer: &hues_wire::account::OidcFinish,
    ) -> Result<hues_wire::account::AccountStatus, RequestError> {
        self.post_now(token, "/account/oidc/finish", answer).await
    }

    /// Sends a request with the device's token; the answer carries nothing worth reading.
    async fn send_no_body(
        &self,
        token: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<(), RequestError> {
        Self::read_no_body(req.bearer_auth(token).send().await).await
    }

    /// POSTs with no body.
    async fn post_empty(&self, token: &str, path: &str) -> Result<(), RequestError> {
        self.send_no_body(token, self.http.post(self.url(path)))
            .await
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), RequestError> {
        self.post_empty(token, "/account/sign-out").await
    }

    pub async fn keep_account(&self, token: &str) -> Result<(), RequestError> {
        self.post_empty(token, "/account/delete/cancel").await
    }

    pub async fn delete_account(&self, token: &str, phone: &str) -> Result<(), RequestError> {
        let body = hues_wire::account::DeleteAccount {
            phone: phone.to_owned(),
        };
        let req = self.http.post(self.url("/account/delete")).json(&body);
        self.send_no_body(token, req).await
    }

    /// The account's data, as the server's ZIP.
    pub async fn export(&self, token: &str) -> Result<Vec<u8>, RequestError> {
        let resp = self
            .http
            .get(self.url("/account/export"))
            .bearer_auth(token)
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .map_err(|e| RequestError::Transient(e.to_string()))?;
        if resp.status().is_success() {
            return resp
                .bytes()
                .await
                .map(|b| b.to_vec())
                .map_err(|e| RequestError::Transient(e.to_string()));
        }
        Self::read_no_body(Ok(resp)).await.map(|()| Vec::new())
    }

    pub async fn record_consents(
        &self,
        token: &str,
        records: &[hues_wire::account::ConsentRecord],
    ) -> Result<(), RequestError> {
        let req = self.http.post(self.url("/consents")).json(records);
        self.send_no_body(token, req).await
    }

    pub async fn put_my_place(
        &self,
        token: &str,
        p: &hues_wire::account::MyPlace,
    ) -> Result<(), RequestError> {
        let req = self
            .http
            .put(self.url(&format!("/my-places/{}", p.id)))
            .json(p);
        self.send_no_body(token, req).await
    }

    pub async fn delete_my_place(&self, token: &str, id: &str) -> Result<(), RequestError> {
        let req = self.http.delete(self.url(&format!("/my-places/{id}")));
        self.send_no_body(token, req).await
    }

    pub async fn untrack_dossier(&self, token: &str, code: &str) -> Result<(), RequestError> {
        self.post_empty(token, &format!("/dossiers/{code}/untrack"))
            .await
    }

    pub async fn submit_booking(
        &self,
        token: &str,
        b: &hues_wire::api::NewBooking,
    ) -> Result<hues_wire::api::Booking, RequestError> {
        self.post_json(token, "/bookings", b).await
    }

    pub async fn cancel_booking(
        &self,
        token: &str,
        id: uuid::Uuid,
    ) -> Result<hues_wire::api::Booking, RequestError> {
        self.post_json(
            token,
            &format!("/bookings/{id}/cancel"),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn reopen(
        &self,
        token: &str,
        report: uuid::Uuid,
        note: &str,
    ) -> Result<Report, RequestError> {
        let body = hues_wire::api::Reopen {
            note: note.to_owned(),
        };
        self.post_json(token, &format!("/reports/{report}/reopen"), &body)
            .await
    }

    pub async fn public_nearby(
        &self,
        lat: f64,
        lon: f64,
        radius_m: f64,
    ) -> Result<Vec<PublicReport>, RequestError> {
        Self::read(
            self.http
                .get(self.url("/public/reports"))
                .query(&[("lat", lat), ("lon", lon), ("radius_m", radius_m)])
                .send()
                .await,
        )
        .await
    }

    pub async fn public_report(&self, id: uuid::Uuid) -> Result<PublicReport, RequestError> {
        Self::read(
            self.http
                .get(self.url(&format!("/public/reports/{id}")))
                .send()
                .await,
        )
        .await
    }

    pub async fn possible_duplicates(
        &self,
        category: &str,
        lat: f64,
        lon: f64,
    ) -> Result<Vec<PublicReport>, RequestError> {
        Self::read(
            self.http
                .get(self.url("/public/duplicates"))
                .query(&[
                    ("category", category.to_owned()),
                    ("lat", lat.to_string()),
                    ("lon", lon.to_string()),
                ])
                .send()
                .await,
        )
        .await
    }

    pub async fn me_too(
        &self,
        token: &str,
        report: uuid::Uuid,
    ) -> Result<PublicReport, RequestError> {
        Self::read(
            self.http
                .post(self.url(&format!("/reports/{report}/me-too")))
                .bearer_auth(token)
                .send()
                .await,
        )
        .await
    }

    /// Whether the server already has this photo (HEAD), so it is never sent twice. Asked as
    /// this device: a photo no published report holds is shown only to its uploader.
    pub async fn photo_exists(&self, token: &str, sha: &str) -> Result<bool, RequestError> {
        let resp = self
            .http
            .head(self.url(&format!("/photos/{sha}")))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| RequestError::Transient(e.to_string()))?;
        match resp.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                Err(RequestError::Transient(format!("server answered {s}")))
            }
            s => Err(RequestError::Refused(ApiError::new(
                ErrorCode::BadResponse,
                format!("photo check answered {s}"),
            ))),
        }
    }

    /// Uploads a photo under its SHA-256 (idempotent on the server).
    pub async fn upload_photo(
        &self,
        token: &str,
        sha: &str,
        bytes: Vec<u8>,
    ) -> Result<(), RequestError> {
        let resp = self
            .http
            .put(self.url(&format!("/photos/{sha}")))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "image/jpeg")
            .body(bytes)
            .send()
            .await;
        Self::read_no_body(resp).await
    }

    /// A photo (`GET /photos/{sha}`): published, or of this device's own reports; streamed into `into`, which counts and hashes
    /// it: the download stops as soon as it passes `MAX_PHOTO_BYTES`, whatever Content-Length
    /// said. The caller then keeps it only if it matches its name (`Store::keep_incoming`).
    pub async fn download_photo(
        &self,
        token: Option<&str>,
        sha: &str,
        into: &mut crate::incoming::IncomingPhoto,
    ) -> Result<(), RequestError> {
        let mut request = self.http.get(self.url(&format!("/photos/{sha}")));
        // With this device's token, the photos of its own reports that are not public come too.
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let mut resp = request
            .send()
            .await
            .map_err(|e| RequestError::Transient(e.to_string()))?;
        let status = resp.status();
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
        {
            return Err(RequestError::Transient(format!("server answered {status}")));
        }
        if !status.is_success() {
            return Err(RequestError::Refused(ApiError::new(
                ErrorCode::NotFound,
                format!("photo {sha}: {status}"),
            )));
        }
        let limit = hues_wire::api::MAX_PHOTO_BYTES;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(crate::incoming::IncomingError::TooLarge(limit).into());
        }
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| RequestError::Transient(format!("reading photo: {e}")))?
        {
            into.write(&chunk)?;
        }
        Ok(())
    }

    pub async fn sync_page(
        &self,
        token: &str,
        cursor: &str,
        limit: u32,
    ) -> Result<SyncPage, RequestError> {
        Self::read(
            self.http
                .get(self.url("/sync"))
                .bearer_auth(token)
                .query(&[("cursor", cursor), ("limit", &limit.to_string())])
                .send()
                .await,
        )
        .await
    }
}

impl From<crate::incoming::IncomingError> for RequestError {
    /// Each is the server's (or the disk's) answer for this photo: trying the same download
    /// again right away would not help.
    fn from(e: crate::incoming::IncomingError) -> Self {
        let code = match e {
            crate::incoming::IncomingError::TooLarge(_) => ErrorCode::PayloadTooLarge,
            crate::incoming::IncomingError::Mismatch => ErrorCode::BadResponse,
            crate::incoming::IncomingError::Io(_) => ErrorCode::Storage,
        };
        RequestError::Refused(ApiError::new(code, e.to_string()))
    }
}
