//! Zalo and Messenger as channels over the real router: recorded webhook payloads signed with
//! test secrets (bad signatures and stale replays refused, duplicates and out-of-order
//! deliveries taken once), a conversation made a case or attached to one, and the replies sent
//! through the platforms' send APIs — here a local HTTP server that records what it got, the
//! only stand-in allowed (the platforms cannot be reached from CI).

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use hues_server::channels::{self, MessengerSettings, Settings, ZaloSettings};
use tower::ServiceExt;

const ZALO_APP: &str = "360846524940903967";
const ZALO_SECRET: &str = "test-oa-secret";
const ZALO_USER: &str = "246845883529197922";
const FB_SECRET: &str = "test-app-secret";
const FB_USER: &str = "6072283892834561";

/// What the platform's send API got: (path and query, headers we care about, JSON body).
type Got = Arc<Mutex<Vec<(String, String, serde_json::Value)>>>;

/// A local stand-in for the platforms' send APIs, on a free port.
async fn platform() -> (String, Got) {
    let got: Got = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let keep = keep.clone();
        async move {
            let uri = req.uri().to_string();
            let token = req
                .headers()
                .get("access_token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let bytes = req.into_body().collect().await.expect("body").to_bytes();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            keep.lock().expect("lock").push((uri.clone(), token, body));
            if uri.starts_with("/v3.0/oa/message/cs") {
                axum::Json(serde_json::json!({ "error": 0, "message": "Success", "data": { "message_id": "x" } }))
            } else {
                axum::Json(serde_json::json!({ "recipient_id": FB_USER, "message_id": "m_x" }))
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), got)
}

fn settings(base: &str) -> Settings {
    Settings {
        zalo: Some(ZaloSettings {
            app_id: ZALO_APP.into(),
            oa_secret: ZALO_SECRET.into(),
            access_token: "zalo-token".into(),
            api_base: base.into(),
        }),
        messenger: Some(MessengerSettings {
            app_secret: FB_SECRET.into(),
            verify_token: "verify-me".into(),
            page_token: "page-token".into(),
            api_base: base.into(),
        }),
    }
}

/// A recorded payload with its time set to `minutes_ago` before now (milliseconds).
fn payload(name: &str, minutes_ago: i64) -> (String, String) {
    let path = format!(
        "{}/tests/fixtures/channels/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let ts = (chrono::Utc::now() - chrono::Duration::minutes(minutes_ago)).timestamp_millis();
    let body = std::fs::read_to_string(path)
        .expect("fixture")
        .trim()
        .replace("{{ts}}", &ts.to_string());
    (body, ts.to_string())
}

async fn deliver(c: &Console, path: &str, sig_header: &str, sig: &str, body: &str) -> StatusCode {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(sig_header, sig)
        .body(Body::from(body.to_owned()))
        .expect("request");
    c.app.clone().oneshot(req).await.expect("response").status()
}

async fn zalo(c: &Console, name: &str, minutes_ago: i64) -> StatusCode {
    let (body, ts) = payload(name, minutes_ago);
    let mac = channels::zalo::mac(ZALO_APP, body.as_bytes(), &ts, ZALO_SECRET);
    deliver(
        c,
        "/webhooks/zalo",
        "x-zevent-signature",
        &format!("mac={mac}"),
        &body,
    )
    .await
}

async fn count(c: &Console, sql: &'static str) -> i64 {
    c.db.run(move |db| Ok(db.query_row(sql, [], |r| r.get(0))?))
        .await
        .expect("count")
}

#[tokio::test]
async fn zalo_messages_become_a_case_and_its_answers_go_back_on_zalo() {
    let (base, got) = platform().await;
    let c = Console::with_channels(settings(&base));

    // A forged signature is refused and keeps nothing.
    let (body, _) = payload("zalo_text", 1);
    let forged = deliver(
        &c,
        "/webhooks/zalo",
        "x-zevent-signature",
        "mac=00ff",
        &body,
    )
    .await;
    assert_eq!(forged, StatusCode::UNAUTHORIZED);
    assert_eq!(count(&c, "SELECT count(*) FROM channel_messages").await, 0);

    // The text, then the same delivery again (a retry): taken once.
    assert_eq!(zalo(&c, "zalo_text", 1).await, StatusCode::OK);
    assert_eq!(zalo(&c, "zalo_text", 1).await, StatusCode::OK);
    // The location and the photo, sent before the text but delivered after it.
    assert_eq!(zalo(&c, "zalo_location", 3).await, StatusCode::OK);
    assert_eq!(zalo(&c, "zalo_image", 2).await, StatusCode::OK);
    assert_eq!(count(&c, "SELECT count(*) FROM channel_messages").await, 3);
    assert_eq!(count(&c, "SELECT count(*) FROM conversations").await, 1);
    // A correctly signed delivery from two days ago is a replay: refused.
    assert_eq!(
        zalo(&c, "zalo_text", 2 * 24 * 60).await,
        StatusCode::FORBIDDEN
    );

    // The agent's view: in the order sent, the citizen a pseudonym.
    let agent = c.sign_in("dieuphoi").await;
    let list = c.get("/console/conversations", &agent).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Người dân Zalo #"), "{}", list.body);
    assert!(!list.body.contains(ZALO_USER));
    let conv: String =
        c.db.run(|db| Ok(db.query_row("SELECT id FROM conversations", [], |r| r.get(0))?))
            .await
            .expect("conversation");
    let thread = c
        .get(&format!("/console/conversations/{conv}"), &agent)
        .await;
    assert!(!thread.body.contains(ZALO_USER));
    let (at_location, at_text) = (
        thread
            .body
            .find("đã chia sẻ vị trí")
            .expect("location shown"),
        thread.body.find("Đèn đường kiệt 12").expect("text shown"),
    );
    assert!(
        at_location < at_text,
        "messages in the order they were sent"
    );
    assert!(thread.body.contains("https://photo.example/full.jpg"));

    // The conversation becomes a case at the shared location.
    let made = c
        .post(
            &format!("/console/conversations/{conv}/case"),
            Some(&agent),
            "category=street_light&description=%C4%90%C3%A8n+%C4%91%C6%B0%E1%BB%9Dng+t%E1%BA%AFt&place=shared",
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let case = made
        .location
        .trim_start_matches("/console/cases/")
        .to_owned();
    let (channel, lat): (String, f64) = {
        let id = case.clone();
        c.db.run(move |db| {
            Ok(db.query_row(
                "SELECT channel, latitude FROM reports WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .expect("case")
    };
    assert_eq!(channel, "zalo");
    assert!((lat - 16.46712).abs() < 1e-6);
    // The photo's link reaches the case as a staff note, never the public.
    let case_page = c.get(&made.location, &agent).await;
    assert!(
        case_page.body.contains("https://photo.example/full.jpg"),
        "{}",
        case_page.body
    );

    // The agent answers: sent through Zalo's API, to the citizen, with the OA's token.
    let sent = c
        .post(
            &format!("/console/conversations/{conv}/reply"),
            Some(&agent),
            "text=C%E1%BA%A3m+%C6%A1n",
        )
        .await;
    assert_eq!(
        sent.location,
        format!("/console/conversations/{conv}?done=sent")
    );
    {
        let got = got.lock().expect("lock");
        let (uri, token, body) = got.last().expect("a request");
        assert_eq!(uri, "/v3.0/oa/message/cs");
        assert_eq!(token, "zalo-token");
        assert_eq!(body["recipient"]["user_id"], ZALO_USER);
        assert_eq!(body["message"]["text"], "Cảm ơn");
    }

    // A later public reply on the case follows on Zalo.
    let rid = uuid::Uuid::parse_str(&case).expect("uuid");
    c.db.run(move |db| {
        hues_server::store::change_status(
            db,
            rid,
            &hues_wire::api::StatusUpdate {
                status: hues_wire::api::ReportStatus::InProgress,
                note: "Đội chiếu sáng đang sửa".into(),
                unit: None,
                duplicate_of: None,
                photos: Vec::new(),
            },
        )
        .map(drop)
    })
    .await
    .expect("reply on the case");
    let (sent, failed) = channels::pump(&c.state).await.expect("pump");
    assert_eq!((sent, failed), (1, 0));
    assert_eq!(
        got.lock()
            .expect("lock")
            .last()
            .map(|g| g.2["message"]["text"].clone()),
        Some(serde_json::json!("Đội chiếu sáng đang sửa"))
    );

    // A week and more later, Zalo no longer lets the city answer: kept, not sent, said so.
    c.db.run(|db| {
        db.execute(
            "UPDATE conversations SET last_inbound = '2020-01-01T00:00:00Z'",
            [],
        )?;
        Ok(())
    })
    .await
    .expect("age");
    let before = got.lock().expect("lock").len();
    let late = c
        .post(
            &format!("/console/conversations/{conv}/reply"),
            Some(&agent),
            "text=Xong",
        )
        .await;
    assert_eq!(
        late.location,
        format!("/console/conversations/{conv}?done=outside_window")
    );
    assert_eq!(got.lock().expect("lock").len(), before);
    let page = c.get(&late.location, &agent).await;
    assert!(page.body.contains("hết thời hạn trả lời"), "{}", page.body);

    // Only the contact centre reads messages.
    let officer = c.sign_in("canbo.thuanhoa").await;
    assert_eq!(
        c.get("/console/conversations", &officer).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn messenger_verifies_signs_and_answers_within_its_window() {
    let (base, got) = platform().await;
    let c = Console::with_channels(settings(&base));
    // Meta's verification of the webhook.
    let ok = c
        .send(
            "GET",
            "/webhooks/messenger?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=4711",
            None,
            None,
            None,
        )
        .await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "4711"));
    let wrong = c
        .send(
            "GET",
            "/webhooks/messenger?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=4711",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    let (body, _) = payload("messenger_text_location", 1);
    let bad = deliver(
        &c,
        "/webhooks/messenger",
        "x-hub-signature-256",
        "sha256=abcd",
        &body,
    )
    .await;
    assert_eq!(bad, StatusCode::UNAUTHORIZED);
    let sig = format!(
        "sha256={}",
        channels::messenger::signature(FB_SECRET, body.as_bytes())
    );
    assert_eq!(
        deliver(
            &c,
            "/webhooks/messenger",
            "x-hub-signature-256",
            &sig,
            &body
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        deliver(
            &c,
            "/webhooks/messenger",
            "x-hub-signature-256",
            &sig,
            &body
        )
        .await,
        StatusCode::OK
    );
    // Text, location and photo, once each.
    assert_eq!(count(&c, "SELECT count(*) FROM channel_messages").await, 3);
    let (old, _) = payload("messenger_text_location", 3 * 24 * 60);
    let old_sig = format!(
        "sha256={}",
        channels::messenger::signature(FB_SECRET, old.as_bytes())
    );
    assert_eq!(
        deliver(
            &c,
            "/webhooks/messenger",
            "x-hub-signature-256",
            &old_sig,
            &old
        )
        .await,
        StatusCode::FORBIDDEN
    );

    // Attached to an existing case of the dispatcher's city, then answered.
    let case = c.report(Some("ubnd-thuan-hoa"), "Cây đổ").await;
    let agent = c.sign_in("dieuphoi").await;
    let conv: String =
        c.db.run(|db| Ok(db.query_row("SELECT id FROM conversations", [], |r| r.get(0))?))
            .await
            .expect("conversation");
    // Wildcards are not a case number.
    let wild = c
        .post(
            &format!("/console/conversations/{conv}/attach"),
            Some(&agent),
            "case=%25%25%25%25%25%25%25%25",
        )
        .await;
    assert_eq!(wild.status, StatusCode::UNPROCESSABLE_ENTITY);
    let linked = c
        .post(
            &format!("/console/conversations/{conv}/attach"),
            Some(&agent),
            &format!("case=%23{}", &case[..8]),
        )
        .await;
    assert_eq!(
        linked.location,
        format!("/console/conversations/{conv}?done=linked"),
        "{}",
        linked.body
    );
    let sent = c
        .post(
            &format!("/console/conversations/{conv}/reply"),
            Some(&agent),
            "text=%C4%90%C3%A3+nh%E1%BA%ADn",
        )
        .await;
    assert_eq!(
        sent.location,
        format!("/console/conversations/{conv}?done=sent")
    );
    let got = got.lock().expect("lock");
    let (uri, _, body) = got.last().expect("a request");
    assert_eq!(uri, "/v21.0/me/messages?access_token=page-token");
    assert_eq!(body["recipient"]["id"], FB_USER);
    assert_eq!(body["messaging_type"], "RESPONSE");
    assert_eq!(body["message"]["text"], "Đã nhận");
}
