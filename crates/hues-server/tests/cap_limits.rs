//! CAP input that must neither stall nor crash the server (issue 11): hostile documents are
//! refused with a 400 naming the cap, quickly; only Public alerts are published; the feeds read
//! the record kept at posting, not the XML.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use hues_server::{AppState, Config, router};
use serde_json::Value;
use tower::ServiceExt;

const OPERATOR: &str = "test-operator-token";

/// Far more than any of these requests needs, far less than the quadratic parse took (seconds).
const QUICK: Duration = Duration::from_secs(2);

struct Server {
    dir: tempfile::TempDir,
    db: hues_server::Db,
    app: axum::Router,
}

fn config(dir: &std::path::Path) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        operator_token: Some(OPERATOR.into()),
        demo: true,
        tiles: None,
        limits: Default::default(),
        trust_forwarded_for: false,
        hotline: None,
        vendor_dir: None,
        channels: Default::default(),
        accounts: Default::default(),
    }
}

impl Server {
    fn new() -> Self {
        Self::open(tempfile::tempdir().expect("tempdir"))
    }

    fn open(dir: tempfile::TempDir) -> Self {
        let state = AppState::open(&config(dir.path())).expect("open state");
        Self {
            db: state.db.clone(),
            app: router(state),
            dir,
        }
    }

    /// Stops this server and starts another on the same data directory.
    fn restart(self) -> Self {
        let Self { dir, db, app } = self;
        drop(app);
        drop(db);
        Self::open(dir)
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn post_xml(&self, body: String) -> (StatusCode, String) {
        let req = Request::post("/api/v1/alerts")
            .header("content-type", "application/cap+xml")
            .header("authorization", format!("Bearer {OPERATOR}"))
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    async fn get(&self, uri: &str, token: Option<&str>) -> (StatusCode, String) {
        let mut req = Request::get(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    async fn device(&self) -> String {
        let req = Request::post("/api/v1/devices")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"platform":"test"}"#))
            .expect("request");
        let (st, body) = self.send(req).await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        v["token"].as_str().expect("token").to_owned()
    }

    /// Every alert in a device's whole sync feed (all pages).
    async fn synced_alerts(&self, token: &str) -> Vec<Value> {
        let mut cursor = String::new();
        let mut out = Vec::new();
        loop {
            let (st, body) = self
                .get(
                    &format!("/api/v1/sync?limit=500&cursor={cursor}"),
                    Some(token),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{body}");
            let page: Value = serde_json::from_str(&body).expect("json");
            out.extend(
                page["changes"]
                    .as_array()
                    .expect("changes")
                    .iter()
                    .filter(|c| c["kind"] == "alert")
                    .map(|c| c["data"].clone()),
            );
            if page["has_more"] != true {
                return out;
            }
            cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
        }
    }

    async fn still_answers(&self) {
        let (st, body) = self.get("/api/v1/health", None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }
}

/// The refusal of a hostile document: a 400 `invalid_cap` naming the cap, in well under `QUICK`.
async fn refused(s: &Server, body: String, cap: &str) {
    let started = Instant::now();
    let (st, resp) = s.post_xml(body).await;
    let took = started.elapsed();
    assert_eq!(st, StatusCode::BAD_REQUEST, "{resp}");
    let e: Value = serde_json::from_str(&resp).expect("json");
    assert_eq!(e["code"], "invalid_cap", "{e}");
    let message = e["message"].as_str().expect("message");
    assert!(
        message.contains(cap),
        "the message names the {cap}: {message}"
    );
    assert!(took < QUICK, "refused in {took:?}");
    s.still_answers().await;
}

const FLOOD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>HUE-FLOOD-2026-11-21</identifier>
  <sender>pcttkcn@hue.gov.vn</sender>
  <sent>2026-11-21T14:00:00+07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Lũ trên sông Hương</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <headline>Cảnh báo lũ trên sông Hương</headline>
    <area>
      <areaDesc>Ven sông Hương, phường Thuận Hóa</areaDesc>
      <polygon>16.47,107.58 16.48,107.60 16.46,107.61 16.45,107.59 16.47,107.58</polygon>
    </area>
  </info>
</alert>"#;

const OPEN: &str = "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">";

#[tokio::test]
async fn a_document_nested_100000_deep_is_refused_quickly_and_the_server_still_answers() {
    let s = Server::new();
    let depth = 100_000;
    let body = format!(
        "{OPEN}{}{}</alert>",
        "<x>".repeat(depth),
        "</x>".repeat(depth)
    );
    assert!(
        body.len() < 1024 * 1024,
        "under the size cap: only depth is tested"
    );
    refused(&s, body, "depth cap").await;
    // As an extension at the end of a valid alert (what the checks let through to be written
    // back, recursively).
    let ext = format!(
        "<e xmlns=\"urn:x\">{}{}",
        "<e>".repeat(depth),
        "</e>".repeat(depth + 1)
    );
    refused(
        &s,
        FLOOD.replace("</alert>", &format!("{ext}</alert>")),
        "depth cap",
    )
    .await;
    // Unclosed, too (nothing waits for the end).
    refused(&s, format!("{OPEN}{}", "<x>".repeat(depth)), "depth cap").await;
}

#[tokio::test]
async fn an_element_with_50000_attributes_or_many_duplicates_is_refused_quickly() {
    let s = Server::new();
    let many: String = (0..50_000).map(|i| format!(" a{i}=\"1\"")).collect();
    refused(
        &s,
        format!("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"{many}/>"),
        "attribute cap",
    )
    .await;
    // The same deep inside a document, on an extension element.
    refused(
        &s,
        FLOOD.replace(
            "</alert>",
            &format!("<x:s xmlns:x=\"urn:x\"{many}/></alert>"),
        ),
        "attribute cap",
    )
    .await;
    // One name over and over: refused at its first repetition.
    let dup = " a=\"1\"".repeat(100_000);
    let started = Instant::now();
    let (st, resp) = s.post_xml(format!("{OPEN}<x{dup}/></alert>")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{resp}");
    assert!(resp.contains("invalid_cap"), "{resp}");
    assert!(started.elapsed() < QUICK, "{:?}", started.elapsed());
    s.still_answers().await;
}

#[tokio::test]
async fn many_namespace_declarations_and_many_elements_are_refused() {
    let s = Server::new();
    // 40 extension elements declaring 3 namespaces each: under the attribute cap each, 120 in all.
    let ext: String = (0..40)
        .map(|i| {
            format!(
                "<p{i}:e xmlns:p{i}=\"urn:x:{i}\" xmlns:q{i}=\"urn:y:{i}\" xmlns:r{i}=\"urn:z:{i}\"/>"
            )
        })
        .collect();
    refused(
        &s,
        FLOOD.replace("</alert>", &format!("{ext}</alert>")),
        "namespace cap",
    )
    .await;
    // One element declaring 10,000.
    let decls: String = (0..10_000)
        .map(|i| format!(" xmlns:n{i}=\"urn:n:{i}\""))
        .collect();
    refused(&s, format!("{OPEN}<x{decls}/></alert>"), "cap").await;
    // 100,000 empty elements side by side.
    refused(
        &s,
        FLOOD.replace("</alert>", &format!("{}</alert>", "<e/>".repeat(100_000))),
        "element cap",
    )
    .await;
    // Over 1 MB: 413, before any parsing.
    let (st, body) = s
        .post_xml(FLOOD.replace(
            "</alert>",
            &format!("<!--{}--></alert>", "x".repeat(1 << 20)),
        ))
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
}

#[tokio::test]
async fn restricted_and_private_alerts_are_refused_and_reach_no_device_nor_feed() {
    let s = Server::new();
    let device = s.device().await;
    let restricted = FLOOD
        .replace("HUE-FLOOD-2026-11-21", "HUE-RESTRICTED-1")
        .replace(
            "<scope>Public</scope>",
            "<scope>Restricted</scope>\n  <restriction>Ban chỉ huy PCTT only</restriction>",
        );
    let private = FLOOD
        .replace("HUE-FLOOD-2026-11-21", "HUE-PRIVATE-1")
        .replace(
            "<scope>Public</scope>",
            "<scope>Private</scope>\n  <addresses>chu-tich@hue.gov.vn pho-chu-tich@hue.gov.vn</addresses>",
        );
    for (xml, id) in [(restricted, "HUE-RESTRICTED-1"), (private, "HUE-PRIVATE-1")] {
        let (st, body) = s.post_xml(xml).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{id}: {body}");
        let e: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(e["code"], "invalid_value", "{e}");
        assert!(
            e["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("alert/scope") && m.contains("Public")),
            "{e}"
        );
        let (st, _) = s.get(&format!("/api/v1/alerts/{id}.xml"), None).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{id}");
    }
    let alerts = s.synced_alerts(&device).await;
    assert!(!alerts.is_empty(), "the demo's alerts are there");
    assert!(
        alerts.iter().all(|a| {
            let id = a["identifier"].as_str().unwrap_or_default();
            id != "HUE-RESTRICTED-1" && id != "HUE-PRIVATE-1"
        }),
        "{alerts:?}"
    );
    let (st, atom) = s.get("/api/v1/alerts.atom", None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!atom.contains("HUE-RESTRICTED-1") && !atom.contains("HUE-PRIVATE-1"));
    assert!(!atom.contains("chu-tich@hue.gov.vn"));
}

/// Alerts stored before the records were kept (a Restricted or Private one could be posted
/// then) get their record at the next start: the Public one is published as before, the others
/// are kept but published nowhere.
#[tokio::test]
async fn alerts_stored_before_get_their_records_at_start_up_and_only_public_ones_stay_published() {
    let s = Server::new();
    let device = s.device().await;
    let private = FLOOD
        .replace("HUE-FLOOD-2026-11-21", "HUE-OLD-PRIVATE")
        .replace(
            "<scope>Public</scope>",
            "<scope>Private</scope>\n  <addresses>chu-tich@hue.gov.vn</addresses>",
        );
    let public = FLOOD.replace("HUE-FLOOD-2026-11-21", "HUE-OLD-PUBLIC");
    s.db.run_blocking(|c| {
        for (id, xml) in [("HUE-OLD-PRIVATE", &private), ("HUE-OLD-PUBLIC", &public)] {
            // As version 0.x stored them: no record, nothing said about publishing.
            c.execute(
                "INSERT INTO alerts (identifier, sender, sent, msg_type, xml, state, received_at)
                 VALUES (?1, 'pcttkcn@hue.gov.vn', '2026-11-21T14:00:00+07:00', 'Alert', ?2,
                         'active', '2026-11-21T07:00:00.000Z')",
                [id, xml.as_str()],
            )?;
            hues_server::store::touch_public(c, "alert", id)?;
        }
        Ok(())
    })
    .map_err(|e| e.0)
    .expect("insert old alerts");
    let s = s.restart();
    let alerts = s.synced_alerts(&device).await;
    let old = alerts
        .iter()
        .find(|a| a["identifier"] == "HUE-OLD-PUBLIC")
        .expect("the old Public alert is still in the feed");
    assert_eq!(old["infos"][0]["headline"], "Cảnh báo lũ trên sông Hương");
    assert_eq!(old["state"], "active");
    assert!(alerts.iter().all(|a| a["identifier"] != "HUE-OLD-PRIVATE"));
    let (_, atom) = s.get("/api/v1/alerts.atom", None).await;
    assert!(atom.contains("HUE-OLD-PUBLIC") && !atom.contains("HUE-OLD-PRIVATE"));
    let (st, _) = s.get("/api/v1/alerts/HUE-OLD-PRIVATE.xml", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s.get("/api/v1/alerts/HUE-OLD-PUBLIC.xml", None).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn sync_and_the_atom_feed_show_a_normal_alert_from_its_stored_record() {
    let s = Server::new();
    let device = s.device().await;
    let (st, body) = s.post_xml(FLOOD.to_owned()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let posted: Value = serde_json::from_str(&body).expect("json");
    // The feeds read the record kept at posting: the XML is no longer parsed for them.
    s.db.run_blocking(|c| {
        c.execute(
            "UPDATE alerts SET xml = 'not parsed again' WHERE identifier = 'HUE-FLOOD-2026-11-21'",
            [],
        )?;
        Ok(())
    })
    .map_err(|e| e.0)
    .expect("update");
    let alerts = s.synced_alerts(&device).await;
    let flood = alerts
        .iter()
        .find(|a| a["identifier"] == "HUE-FLOOD-2026-11-21")
        .expect("in the feed");
    assert_eq!(*flood, posted, "the record answered at posting");
    assert_eq!(flood["infos"][0]["headline"], "Cảnh báo lũ trên sông Hương");
    assert_eq!(
        flood["infos"][0]["areas"][0]["polygons"][0]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    let (st, atom) = s.get("/api/v1/alerts.atom", None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        atom.contains("<title>Cảnh báo lũ trên sông Hương</title>"),
        "{atom}"
    );
    assert!(atom.contains("href=\"/api/v1/alerts/HUE-FLOOD-2026-11-21.xml\""));
    assert!(atom.contains("<summary>Severe · Expected · Likely</summary>"));

    // A Cancel: the state comes from the table, the rest from the record.
    let cancel = FLOOD
        .replace("HUE-FLOOD-2026-11-21", "HUE-FLOOD-2026-11-21-CANCEL")
        .replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>")
        .replace(
            "<scope>Public</scope>",
            "<scope>Public</scope>\n  <references>pcttkcn@hue.gov.vn,HUE-FLOOD-2026-11-21,2026-11-21T14:00:00+07:00</references>",
        );
    let (st, body) = s.post_xml(cancel).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let alerts = s.synced_alerts(&device).await;
    let flood = alerts
        .iter()
        .find(|a| a["identifier"] == "HUE-FLOOD-2026-11-21")
        .expect("in the feed");
    assert_eq!(flood["state"], "cancelled");
    assert_eq!(flood["infos"], posted["infos"]);
    let (_, atom) = s.get("/api/v1/alerts.atom", None).await;
    let entry = atom
        .split("<entry>")
        .find(|e| e.contains("<id>urn:hues:alert:HUE-FLOOD-2026-11-21</id>"))
        .expect("entry");
    assert!(entry.contains("<category term=\"cancelled\"/>"), "{entry}");
}

#[tokio::test]
async fn control_characters_in_a_cap_text_are_refused() {
    let s = Server::new();
    for bad in ["Lũ&#x1; trên sông Hương", "Lũ\u{b} trên sông Hương"] {
        let body = FLOOD.replace("Lũ trên sông Hương", bad);
        refused(&s, body, "control character").await;
    }
}
