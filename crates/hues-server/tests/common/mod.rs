//! What the console's tests share: the real router over a real SQLite file with the demo data,
//! requests as a browser sends them, signing in (with the second factor), devices and reports.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use hues_server::demo::{DEMO_STAFF, DEMO_STAFF_PASSWORD};
use hues_server::{AppState, Config, router};
use tower::ServiceExt;

pub const ORIGIN: &str = "http://console.test";
pub const HOST: &str = "console.test";

pub struct Console {
    pub _dir: tempfile::TempDir,
    pub app: axum::Router,
    pub db: hues_server::Db,
    pub state: AppState,
}

pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub cookies: Vec<String>,
    pub body: String,
}

impl Console {
    pub fn new() -> Self {
        Self::with_channels(Default::default())
    }

    /// With Zalo and Messenger configured as given.
    pub fn with_channels(channels: hues_server::channels::Settings) -> Self {
        Self::with(channels, Default::default())
    }

    /// With the channels and the citizens' sign-in as given.
    pub fn with(
        channels: hues_server::channels::Settings,
        accounts: hues_server::accounts::Settings,
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState::open(&Config {
            data_dir: dir.path().to_path_buf(),
            operator_token: Some("op".into()),
            demo: true,
            tiles: None,
            limits: Default::default(),
            trust_forwarded_for: false,
            hotline: None,
            vendor_dir: None,
            channels,
            accounts,
        })
        .expect("state");
        let db = state.db.clone();
        Self {
            _dir: dir,
            app: router(state.clone()),
            db,
            state,
        }
    }

    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        cookie: Option<&str>,
        form: Option<&str>,
        origin: Option<&str>,
    ) -> Answer {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, HOST);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("hues_staff={c}"));
        }
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if form.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let req = req
            .body(form.map_or_else(Body::empty, |f| Body::from(f.to_owned())))
            .expect("request");
        let res = self.app.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        // A live stream never ends: its head is the answer.
        let stream = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let bytes = if stream {
            Default::default()
        } else {
            res.into_body().collect().await.expect("body").to_bytes()
        };
        Answer {
            status,
            location,
            cookies,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str, cookie: &str) -> Answer {
        self.send("GET", uri, Some(cookie), None, None).await
    }

    pub async fn post(&self, uri: &str, cookie: Option<&str>, form: &str) -> Answer {
        self.send("POST", uri, cookie, Some(form), Some(ORIGIN))
            .await
    }

    /// Signs `username` in with the demo password (and its second factor when it has one);
    /// returns the session cookie's value.
    pub async fn sign_in(&self, username: &str) -> String {
        let a = self
            .post(
                "/console/login",
                None,
                &format!("username={username}&password={DEMO_STAFF_PASSWORD}"),
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{username}: {}", a.body);
        let cookie = session_value(&a.cookies).expect("a session cookie");
        if a.location == "/console/totp" {
            let code = totp_now(secret_of(username));
            let b = self
                .post("/console/totp", Some(&cookie), &format!("code={code}"))
                .await;
            assert_eq!(b.status, StatusCode::SEE_OTHER, "{username}: {}", b.body);
            return session_value(&b.cookies).expect("a new session cookie");
        }
        assert_eq!(a.location, "/console/");
        cookie
    }

    /// A report from a device, owned by `unit` (None: not routed).
    pub async fn report(&self, unit: Option<&str>, text: &str) -> String {
        let id = self
            .report_at("street_light", 16.4637, 107.5909, text)
            .await;
        let (rid, unit) = (id.clone(), unit.map(str::to_owned));
        self.db
            .run(move |c| {
                c.execute(
                    "UPDATE reports SET unit_id = ?2 WHERE id = ?1",
                    rusqlite::params![rid, unit],
                )?;
                Ok(())
            })
            .await
            .expect("route");
        id
    }

    /// An API request with a device's bearer token and a JSON body (or none): the status and
    /// the answer's bytes.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, Vec<u8>) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let res = self
            .app
            .clone()
            .oneshot(req.body(body).expect("request"))
            .await
            .expect("response");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, bytes.to_vec())
    }

    /// As `api`, the answer as JSON (null when it is not).
    pub async fn api_json(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let (st, bytes) = self.api(method, path, token, body).await;
        (st, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    /// A new device's token.
    pub async fn device(&self) -> String {
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/devices")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"platform":"test"}"#))
            .expect("request");
        let res = self.app.clone().oneshot(req).await.expect("response");
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        v["token"].as_str().expect("token").to_owned()
    }

    /// A request with a bearer token (or none) and a body of `content_type`; its status.
    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> StatusCode {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, content_type);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = req.body(Body::from(body)).expect("request");
        self.app
            .clone()
            .oneshot(req)
            .await
            .expect("response")
            .status()
    }

    /// Uploads a JPEG from `device`; its name (SHA-256).
    pub async fn upload(&self, device: &str, photo: Vec<u8>) -> String {
        let sha = hues_server::photos::sha256_hex(&photo);
        let put = self
            .raw(
                "PUT",
                &format!("/api/v1/photos/{sha}"),
                Some(device),
                "image/jpeg",
                photo,
            )
            .await;
        assert!(put.is_success(), "{put}");
        sha
    }

    /// A report with one (uploaded) photo from `device` at Huế's centre; its id.
    pub async fn photo_report(
        &self,
        device: &str,
        sha: &str,
        category: &str,
        text: &str,
    ) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        let body = serde_json::json!({
            "id": id, "category": category, "description": text, "photos": [sha],
            "latitude": 16.4637, "longitude": 107.5909, "created_at": "2026-11-21T08:00:00Z"
        });
        let res = self
            .raw(
                "POST",
                "/api/v1/reports",
                Some(device),
                "application/json",
                body.to_string().into_bytes(),
            )
            .await;
        assert!(res.is_success(), "{res}");
        id
    }

    /// A JSON answer of the API to a bearer token.
    pub async fn api_get(&self, uri: &str, token: &str) -> serde_json::Value {
        let req = Request::builder()
            .uri(uri)
            .header(header::HOST, HOST)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let res = self.app.clone().oneshot(req).await.expect("response");
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        serde_json::from_slice(&bytes).expect("json")
    }

    /// Makes an API token on the console's Tokens page; returns it.
    pub async fn api_token(&self, cookie: &str) -> String {
        let a = self
            .post("/console/tokens", Some(cookie), "name=matrix")
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let start = a
            .body
            .find("<code id=\"new-token\">")
            .expect("the new token shown")
            + 21;
        a.body[start..start + 64].to_owned()
    }

    /// A report from a device, routed as the server routes it.
    pub async fn report_at(&self, category: &str, lat: f64, lon: f64, text: &str) -> String {
        let token = self.device().await;
        let id = uuid::Uuid::now_v7().to_string();
        let mut body = serde_json::json!({
            "id": id, "category": category, "description": text,
            "latitude": lat, "longitude": lon, "created_at": "2026-11-21T08:00:00Z"
        });
        if category == "flooding" {
            body["attributes"] = serde_json::json!({ "depth_cm": "30" });
        }
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/reports")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .expect("request");
        let res = self.app.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        assert!(
            status.is_success(),
            "{status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        id
    }
}

pub fn session_value(cookies: &[String]) -> Option<String> {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix("hues_staff="))
        .and_then(|c| c.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

pub fn secret_of(username: &str) -> &'static str {
    DEMO_STAFF
        .iter()
        .find(|s| s.0 == username)
        .map(|s| s.4)
        .expect("demo account")
}

pub fn totp_now(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32");
    let totp = totp_rs::Builder::new()
        .with_digits(6)
        .with_secret(secret)
        .build()
        .expect("totp");
    let now = u64::try_from(chrono::Utc::now().timestamp()).expect("time");
    totp.generate(now).to_string()
}

pub fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([120, 120, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}
