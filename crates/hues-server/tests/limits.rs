//! Limits no number of devices escapes, and photo storage abuse (issue 11, item 7), driven
//! through the real router. The caller's network address is set per request by inserting
//! `ConnectInfo<SocketAddr>` into its extensions, as `serve` does for a real connection.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use http_body_util::BodyExt;
use hues_server::limits::Limits;
use hues_server::{AppState, Config, router};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

const OPERATOR: &str = "test-operator-token";

struct Server {
    dir: tempfile::TempDir,
    state: AppState,
    app: axum::Router,
}

/// One request's particulars beyond method and path.
#[derive(Default, Clone, Copy)]
struct Req<'a> {
    token: Option<&'a str>,
    addr: Option<&'a str>,
    forwarded_for: Option<&'a str>,
}

fn at(addr: &str) -> Req<'_> {
    Req {
        addr: Some(addr),
        ..Req::default()
    }
}

impl Server {
    fn new(limits: Limits) -> Self {
        Self::with(limits, false)
    }

    fn with(limits: Limits, trust_forwarded_for: bool) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState::open(&Config {
            data_dir: dir.path().to_path_buf(),
            operator_token: Some(OPERATOR.into()),
            demo: true,
            tiles: None,
            limits,
            trust_forwarded_for,
            hotline: None,
            vendor_dir: None,
            channels: Default::default(),
            accounts: Default::default(),
        })
        .expect("open state");
        Self {
            dir,
            app: router(state.clone()),
            state,
        }
    }

    async fn raw(
        &self,
        method: &str,
        uri: &str,
        from: Req<'_>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = from.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(xff) = from.forwarded_for {
            req = req.header("x-forwarded-for", xff);
        }
        let mut req = req.body(Body::from(body)).expect("request");
        if let Some(addr) = from.addr {
            let ip: IpAddr = addr.parse().expect("ip");
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip, 40_000)));
        }
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, bytes.to_vec())
    }

    async fn call(
        &self,
        method: &str,
        uri: &str,
        from: Req<'_>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let (status, bytes) = self
            .raw(
                method,
                uri,
                from,
                body.map(|_| "application/json"),
                body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            )
            .await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn register(&self, from: Req<'_>) -> (StatusCode, Value) {
        self.call(
            "POST",
            "/api/v1/devices",
            from,
            Some(&json!({"platform": "test"})),
        )
        .await
    }

    async fn device(&self, addr: &str) -> String {
        let (st, v) = self.register(at(addr)).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        v["token"].as_str().expect("token").to_owned()
    }

    /// A look-up from `addr` by a device registered for it (a fresh one each time: devices do
    /// not matter to these budgets).
    async fn look_up(&self, addr: &str, code: &str, check: &str) -> (StatusCode, Value) {
        let token = self.device(addr).await;
        self.call(
            "POST",
            "/api/v1/dossiers/lookup",
            Req {
                token: Some(&token),
                addr: Some(addr),
                ..Req::default()
            },
            Some(&json!({"code": code, "check": check})),
        )
        .await
    }

    async fn put_photo(&self, token: &str, sha: &str, jpeg: &[u8]) -> (StatusCode, Value) {
        let (st, bytes) = self
            .raw(
                "PUT",
                &format!("/api/v1/photos/{sha}"),
                Req {
                    token: Some(token),
                    ..Req::default()
                },
                Some("image/jpeg"),
                jpeg.to_vec(),
            )
            .await;
        (st, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn get_photo(&self, token: &str, sha: &str) -> (StatusCode, Vec<u8>) {
        self.raw(
            "GET",
            &format!("/api/v1/photos/{sha}"),
            Req {
                token: Some(token),
                ..Req::default()
            },
            None,
            Vec::new(),
        )
        .await
    }

    fn photo_file(&self, sha: &str) -> std::path::PathBuf {
        self.dir
            .path()
            .join("photos")
            .join(&sha[..2])
            .join(format!("{sha}.jpg"))
    }

    fn photo_row(&self, sha: &str) -> bool {
        let sha = sha.to_owned();
        self.state
            .db
            .run_blocking(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM photos WHERE sha256 = ?1",
                    [sha],
                    |r| r.get::<_, i64>(0),
                )? > 0)
            })
            .expect("query")
    }
}

fn assert_error(v: &Value, code: &str) {
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
}

const RIGHT_CODE: &str = "HS-2026-000101";
const RIGHT_CHECK: &str = "4567";

/// Sequential codes with one check value, as the harvesting script does.
fn sprayed(n: usize) -> String {
    format!("HS-2026-{:06}", 200 + n)
}

#[tokio::test]
async fn failed_look_ups_have_a_budget_no_number_of_devices_escapes() {
    let limits = Limits {
        lookup_failures_per_hour: 5,
        lookup_failures_global_per_hour: 12,
        registrations_per_hour: 1_000,
        ..Limits::default()
    };
    let s = Server::new(limits);
    let mut n = 0;
    // One address, a fresh device and a fresh code per try: the per-device and per-code limits
    // never bite, the address budget does.
    for _ in 0..5 {
        let (st, v) = s.look_up("203.0.113.7", &sprayed(n), "0000").await;
        n += 1;
        assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    }
    for (code, check) in [(sprayed(n).as_str(), "0000"), (RIGHT_CODE, RIGHT_CHECK)] {
        let (st, v) = s.look_up("203.0.113.7", code, check).await;
        assert_eq!(
            st,
            StatusCode::TOO_MANY_REQUESTS,
            "a hit would tell itself apart: {v}"
        );
        assert_error(&v, "rate_limited");
    }
    // IPv6: one household's /56 is one address, whichever of its /64s and interface ids.
    for i in 0..5 {
        let (st, _) = s
            .look_up(&format!("2001:db8:5:6::{:x}", i + 1), &sprayed(n), "0000")
            .await;
        n += 1;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (st, _) = s.look_up("2001:db8:5:7:ffff::1", &sprayed(n), "0000").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "same /56");
    // An honest citizen elsewhere: right code and check on the first try, as before.
    let (st, v) = s.look_up("198.51.100.20", RIGHT_CODE, RIGHT_CHECK).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["code"], RIGHT_CODE);

    // 10 failures so far; 2 more from another address spend the server-wide budget (12).
    for _ in 0..2 {
        let (st, _) = s.look_up("192.0.2.50", &sprayed(n), "0000").await;
        n += 1;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    // Past it, an address that failed within the hour is refused, right or wrong...
    let (st, v) = s.look_up("192.0.2.50", RIGHT_CODE, RIGHT_CHECK).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    // ...while honest citizens (no failure) still find their dossier at once.
    let (st, v) = s.look_up("198.51.100.21", RIGHT_CODE, RIGHT_CHECK).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // A spray from fresh addresses gets one try per address: the second is refused.
    let (st, _) = s.look_up("192.0.2.60", &sprayed(n), "0000").await;
    n += 1;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s.look_up("192.0.2.60", &sprayed(n), "0000").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    // At twice the budget (24) every look-up stops for the rest of the hour: harvesting is
    // bounded whatever the number of addresses (the accepted price: honest look-ups wait too).
    for i in 0..11 {
        let (st, _) = s
            .look_up(&format!("192.0.2.{}", 100 + i), &sprayed(n), "0000")
            .await;
        n += 1;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (st, v) = s.look_up("198.51.100.22", RIGHT_CODE, RIGHT_CHECK).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_error(&v, "rate_limited");
}

#[tokio::test]
async fn an_honest_citizen_sees_no_change() {
    // The shipped figures: look up, then track, right on the first try.
    let s = Server::new(Limits::default());
    let token = s.device("203.0.113.7").await;
    let from = Req {
        token: Some(&token),
        addr: Some("203.0.113.7"),
        ..Req::default()
    };
    let body = json!({"code": RIGHT_CODE, "check": RIGHT_CHECK});
    for path in ["/api/v1/dossiers/lookup", "/api/v1/dossiers/track"] {
        let (st, v) = s.call("POST", path, from, Some(&body)).await;
        assert_eq!(st, StatusCode::OK, "{path}: {v}");
        assert_eq!(v["code"], RIGHT_CODE);
    }
    // Without any connection address (a test's oneshot), the caller counts as loopback.
    let (st, v) = s
        .call(
            "POST",
            "/api/v1/dossiers/lookup",
            Req {
                token: Some(&token),
                ..Req::default()
            },
            Some(&body),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn registrations_are_limited_per_address() {
    let limits = Limits {
        registrations_per_hour: 3,
        ..Limits::default()
    };
    let s = Server::new(limits);
    for _ in 0..3 {
        s.device("203.0.113.7").await;
    }
    let (st, v) = s.register(at("203.0.113.7")).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_error(&v, "rate_limited");
    // A forged X-Forwarded-For changes nothing when the server is not behind a proxy.
    let (st, _) = s
        .register(Req {
            addr: Some("203.0.113.7"),
            forwarded_for: Some("198.51.100.1"),
            ..Req::default()
        })
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not held back; an IPv6 /56 counts as one.
    s.device("198.51.100.1").await;
    for i in 1..=3 {
        s.device(&format!("2001:db8:aa:bb::{i}")).await;
    }
    let (st, _) = s.register(at("2001:db8:aa:cc:1:2:3:4")).await;
    assert_eq!(
        st,
        StatusCode::TOO_MANY_REQUESTS,
        "another /64 of the same /56"
    );
    s.device("2001:db8:aa:1bc::1").await;

    // Behind a proxy (--trust-forwarded-for): the right-most X-Forwarded-For entry, the one the
    // proxy appended, is the client; what the client wrote before it does not count.
    let proxied = Server::with(limits, true);
    fn via_proxy(xff: &str) -> Req<'_> {
        Req {
            addr: Some("10.0.0.1"),
            forwarded_for: Some(xff),
            ..Req::default()
        }
    }
    for i in 0..3 {
        let (st, v) = proxied
            .register(via_proxy(&format!("6.6.6.{i}, 203.0.113.7")))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let (st, _) = proxied.register(via_proxy("9.9.9.9, 203.0.113.7")).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    let (st, _) = proxied.register(via_proxy("203.0.113.8")).await;
    assert_eq!(
        st,
        StatusCode::CREATED,
        "the proxy's own address is not the client's"
    );
}

// ---- photos ----------------------------------------------------------------------------------

/// A JPEG as the app sends it: encoded, no metadata (the image crate writes JFIF only).
fn clean_jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8 ^ seed,
            (y * 255 / height) as u8,
            seed.wrapping_mul(7),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("encode");
    out
}

/// An APP1 EXIF segment holding a GPS position (16.4698 N, 107.5786 E), as a phone writes it.
fn exif_gps_segment() -> Vec<u8> {
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&typ.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    // IFD0: a GPS pointer only.
    let gps_ifd = 8 + 2 + 12 + 4;
    t.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut t, 0x8825, 4, 1, gps_ifd);
    t.extend_from_slice(&0u32.to_le_bytes());
    let lat_data = gps_ifd + 2 + 12 * 4 + 4;
    let lon_data = lat_data + 24;
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 1, 2, 2, u32::from(b'N'));
    entry(&mut t, 2, 5, 3, lat_data);
    entry(&mut t, 3, 2, 2, u32::from(b'E'));
    entry(&mut t, 4, 5, 3, lon_data);
    t.extend_from_slice(&0u32.to_le_bytes());
    for (d, m, s) in [(16u32, 28u32, 112_800u32), (107, 34, 429_600)] {
        for (num, den) in [(d, 1u32), (m, 1), (s, 10_000)] {
            t.extend_from_slice(&num.to_le_bytes());
            t.extend_from_slice(&den.to_le_bytes());
        }
    }
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((2 + 6 + t.len()) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&t);
    seg
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut seg = vec![0xFF, marker];
    seg.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    seg.extend_from_slice(payload);
    seg
}

/// `jpeg` with EXIF (GPS), XMP, IPTC and a comment after its JFIF header, and bytes after the
/// end of the image.
fn with_metadata(jpeg: &[u8]) -> Vec<u8> {
    let jfif_end = 2 + 2 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    assert_eq!(&jpeg[2..4], &[0xFF, 0xE0], "the encoder writes JFIF first");
    let mut out = jpeg[..jfif_end].to_vec();
    out.extend_from_slice(&exif_gps_segment());
    out.extend_from_slice(&segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Ph\xc3\xba Xu\xc3\xa2n</x:xmpmeta>",
    ));
    out.extend_from_slice(&segment(
        0xED,
        b"Photoshop 3.0\08BIM\x04\x04 by Nguyen Van A",
    ));
    out.extend_from_slice(&segment(0xFE, b"taken at 12 Le Loi by Nguyen Van A"));
    out.extend_from_slice(&jpeg[jfif_end..]);
    out.extend_from_slice(b"TRAILER 0905124567");
    out
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn decode(jpeg: &[u8]) -> image::RgbImage {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .expect("decodes")
        .into_rgb8()
}

fn report_with(photos: &[&str]) -> Value {
    json!({
        "id": uuid::Uuid::now_v7(),
        "category": "street_light",
        "description": "Đèn đường trước số 12 Lê Lợi không sáng",
        "latitude": 16.4637,
        "longitude": 107.5909,
        "created_at": "2026-11-21T08:00:00Z",
        "photos": photos,
    })
}

#[tokio::test]
async fn photo_metadata_is_stripped_on_the_server() {
    let s = Server::new(Limits::default());
    let token = s.device("203.0.113.7").await;
    let clean = clean_jpeg(64, 48, 1);
    let dirty = with_metadata(&clean);
    let exif = exif_gps_segment();
    assert!(contains(&dirty, &exif));
    let dirty_sha = sha(&dirty);
    let (st, v) = s.put_photo(&token, &dirty_sha, &dirty).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // Sent again, it is "already stored", like any photo.
    let (st, _) = s.put_photo(&token, &dirty_sha, &dirty).await;
    assert_eq!(st, StatusCode::OK);
    // Its name still serves the photo (so the uploader's existence check holds), without any
    // metadata, the image data byte for byte.
    let (st, served) = s.get_photo(&token, &dirty_sha).await;
    assert_eq!(st, StatusCode::OK);
    for needle in [
        &b"Exif"[..],
        b"xmpmeta",
        b"Photoshop",
        b"8BIM",
        b"Nguyen",
        b"TRAILER",
        b"0905",
    ] {
        assert!(
            !contains(&served, needle),
            "{:?} survived",
            String::from_utf8_lossy(needle)
        );
    }
    assert!(!contains(&served, &exif[4..]), "no GPS position");
    assert!(!contains(&served, &[0xFF, 0xE1]), "no APP1 at all");
    assert_eq!(served, clean, "what is left is exactly the clean JPEG");
    assert_eq!(decode(&served), decode(&dirty), "the picture is untouched");
    // Stored under the clean bytes' hash: the only file on disk, and its own name works.
    let clean_sha = sha(&served);
    assert!(s.photo_file(&clean_sha).is_file());
    assert!(!s.photo_file(&dirty_sha).exists());
    let (st, again) = s.get_photo(&token, &clean_sha).await;
    assert_eq!((st, &again), (StatusCode::OK, &served));
    // A report naming the uploaded name is stored, and handed out, with the clean one.
    let report = report_with(&[&dirty_sha]);
    let (st, r) = s
        .call(
            "POST",
            "/api/v1/reports",
            Req {
                token: Some(&token),
                ..Req::default()
            },
            Some(&report),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(r["photos"], json!([clean_sha]));
    // A retry of the same submission is recognised as such.
    let (st, retry) = s
        .call(
            "POST",
            "/api/v1/reports",
            Req {
                token: Some(&token),
                ..Req::default()
            },
            Some(&report),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{retry}");
    assert_eq!(retry, r);
    let (st, page) = s
        .call(
            "GET",
            "/api/v1/sync",
            Req {
                token: Some(&token),
                ..Req::default()
            },
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let text = page.to_string();
    assert!(text.contains(&clean_sha) && !text.contains(&dirty_sha));

    // The honest path: a clean JPEG is stored byte for byte under its own name.
    let honest = clean_jpeg(40, 30, 9);
    let honest_sha = sha(&honest);
    let (st, _) = s.put_photo(&token, &honest_sha, &honest).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, back) = s.get_photo(&token, &honest_sha).await;
    assert_eq!((st, back), (StatusCode::OK, honest));
}

#[tokio::test]
async fn photos_have_a_per_device_quota() {
    let a = clean_jpeg(200, 150, 1);
    let b = clean_jpeg(200, 150, 2);
    let quota = (a.len() + b.len() - 1) as i64;
    let s = Server::new(Limits {
        photo_quota_bytes: quota,
        ..Limits::default()
    });
    let token = s.device("203.0.113.7").await;
    let (st, _) = s.put_photo(&token, &sha(&a), &a).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, v) = s.put_photo(&token, &sha(&b), &b).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_error(&v, "quota_exceeded");
    assert!(!s.photo_file(&sha(&b)).exists());
    // What is stored stays usable, and other devices have their own quota.
    let (st, _) = s.put_photo(&token, &sha(&a), &a).await;
    assert_eq!(st, StatusCode::OK);
    let other = s.device("203.0.113.7").await;
    let (st, _) = s.put_photo(&other, &sha(&b), &b).await;
    assert_eq!(st, StatusCode::CREATED);
}

#[tokio::test]
async fn photos_no_report_holds_are_removed_after_a_day() {
    let s = Server::new(Limits::default());
    let token = s.device("203.0.113.7").await;
    let orphan = clean_jpeg(32, 32, 1);
    let dirty_orphan = with_metadata(&clean_jpeg(32, 32, 2));
    let held = clean_jpeg(32, 32, 3);
    for jpeg in [&orphan, &dirty_orphan, &held] {
        let (st, v) = s.put_photo(&token, &sha(jpeg), jpeg).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let (st, r) = s
        .call(
            "POST",
            "/api/v1/reports",
            Req {
                token: Some(&token),
                ..Req::default()
            },
            Some(&report_with(&[&sha(&held)])),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    // Within the day nothing goes.
    let gone = hues_server::photos::sweep(&s.state, Utc::now() + Duration::hours(23))
        .await
        .expect("sweep");
    assert!(gone.is_empty(), "{gone:?}");
    // A day later, the photos no report holds go: row, alias and file.
    let gone = hues_server::photos::sweep(&s.state, Utc::now() + Duration::hours(25))
        .await
        .expect("sweep");
    let dirty_clean_sha = sha(&clean_jpeg(32, 32, 2));
    let mut expected = vec![sha(&orphan), dirty_clean_sha.clone()];
    expected.sort();
    let mut gone = gone;
    gone.sort();
    assert_eq!(gone, expected);
    for name in [sha(&orphan), dirty_clean_sha, sha(&dirty_orphan)] {
        assert!(!s.photo_row(&name) && !s.photo_file(&name).exists());
        let (st, _) = s.get_photo(&token, &name).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{name}");
    }
    // The held photo stays.
    assert!(s.photo_row(&sha(&held)) && s.photo_file(&sha(&held)).is_file());
    let (st, _) = s.get_photo(&token, &sha(&held)).await;
    assert_eq!(st, StatusCode::OK);
    // A fresh orphan (uploaded now) is not touched by a sweep within its day.
    let fresh = clean_jpeg(32, 32, 4);
    let (st, _) = s.put_photo(&token, &sha(&fresh), &fresh).await;
    assert_eq!(st, StatusCode::CREATED);
    let gone = hues_server::photos::sweep(&s.state, Utc::now() + Duration::hours(1))
        .await
        .expect("sweep");
    assert!(gone.is_empty());
    assert!(s.photo_row(&sha(&fresh)) && s.photo_file(&sha(&fresh)).is_file());
}
