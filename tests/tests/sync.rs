//! Core ↔ server, end to end: the real `hues-server` binary on loopback, the real client core,
//! temp dirs. (6a of the foundation issue.)

use std::sync::Arc;
use std::time::Duration;

use hues_core::{Store, SyncEngine};
use hues_system_tests::proxy::CuttingProxy;
use hues_system_tests::{ServerProcess, free_port};
use hues_wire::ErrorCode;
use hues_wire::account::ConsentPurpose;
use hues_wire::api::ReportStatus;
use hues_wire::ipc::{DeliveryState, ReportInput, Settings};

struct Client {
    _dir: tempfile::TempDir,
    engine: SyncEngine,
}

impl Client {
    fn new(server_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(&dir.path().join("client.db")).expect("open store"));
        store
            .save_settings(&Settings {
                language: "vi".into(),
                server_url: server_url.into(),
                tile_url: String::new(),
            })
            .expect("settings");
        // The citizen agreed to send positions and photos (the app asks before the first
        // report; `consent_holds_positions…` tests the rule).
        for purpose in ConsentPurpose::ALL {
            store.set_consent(purpose, true).expect("consent");
        }
        Self {
            _dir: dir,
            engine: SyncEngine::new(store, "test"),
        }
    }

    fn store(&self) -> &Store {
        self.engine.store()
    }

    /// Submits a report; returns its id.
    fn submit(&self, category: &str) -> String {
        let r = self
            .store()
            .submit_report(&ReportInput {
                category: category.into(),
                description: "Cống bị tắc, nước tràn lên đường Lê Duẩn".into(),
                latitude: 16.4700,
                longitude: 107.5790,
                attributes: Default::default(),
                photos: Vec::new(),
                place: Default::default(),
            })
            .expect("submit");
        r.id.to_string()
    }
}

#[tokio::test]
async fn report_made_offline_is_delivered_exactly_once_when_server_comes_up() {
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port().expect("port");
    let client = Client::new(&format!("http://127.0.0.1:{port}"));

    let id = client.submit("waste");
    let out = client.engine.sync_once().await;
    assert!(!out.online, "{out:?}");
    assert_eq!(out.delivered, 0);
    let st = client.engine.status().expect("status");
    assert_eq!((st.online, st.waiting), (false, 1));
    assert_eq!(
        client.store().my_reports().expect("r")[0].delivery,
        DeliveryState::SavedOnDevice
    );

    let server = ServerProcess::start(data.path(), port)
        .await
        .expect("server");
    let out = client.engine.sync_once().await;
    assert!(out.online, "{out:?}");
    assert_eq!(out.delivered, 1, "{out:?}");
    assert_eq!(client.engine.status().expect("status").waiting, 0);
    let mine = client.store().my_reports().expect("r");
    assert_eq!(mine[0].delivery, DeliveryState::Delivered);
    assert_eq!(mine[0].status, Some(ReportStatus::Received));
    assert!(
        !client.store().categories().expect("cats").is_empty(),
        "categories pulled"
    );

    // More runs change nothing on the server.
    for _ in 0..3 {
        client.engine.sync_once().await;
    }
    assert_eq!(server.report_rows().expect("rows"), 1);
    assert_eq!(
        server.reports().await.expect("reports")[0].id.to_string(),
        id
    );
}

#[tokio::test]
async fn answer_lost_after_commit_does_not_duplicate() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let proxy = CuttingProxy::start(server.port).await.expect("proxy");
    let client = Client::new(&proxy.url());
    assert!(client.engine.sync_once().await.online, "first contact");

    client.submit("street_light");
    proxy.cut_answers(true);
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 0, "{out:?}");
    assert_eq!(out.postponed, 1, "{out:?}");
    // The server did store it: the answer alone was lost.
    assert_eq!(server.report_rows().expect("rows"), 1);
    assert_eq!(
        client.engine.status().expect("status").waiting,
        1,
        "still queued"
    );

    proxy.cut_answers(false);
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 1, "{out:?}");
    assert_eq!(
        server.report_rows().expect("rows"),
        1,
        "the retry made no duplicate"
    );
    assert_eq!(client.engine.status().expect("status").waiting, 0);
}

#[tokio::test]
async fn status_change_reaches_the_client_and_refusals_stay_visible() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let client = Client::new(&server.url());
    // Before the first sync the device knows no categories, so a category the server does not
    // know gets through the form and is refused by the server: it must stay, marked.
    let bad = client.submit("dragons");
    let good = client.submit("trees");
    let out = client.engine.sync_once().await;
    assert_eq!((out.delivered, out.refused), (1, 1), "{out:?}");
    let mine = client.store().my_reports().expect("r");
    let refused = mine
        .iter()
        .find(|r| r.id.to_string() == bad)
        .expect("refused kept");
    assert_eq!(
        refused.delivery,
        DeliveryState::Refused {
            code: ErrorCode::UnknownCategory
        }
    );
    assert_eq!(client.engine.status().expect("status").failed, 1);

    server
        .set_status(&good, "in_progress", "Công ty Cây xanh đã tiếp nhận")
        .await
        .expect("operator");
    tokio::time::sleep(Duration::from_millis(10)).await;
    let out = client.engine.sync_once().await;
    assert!(out.pulled_changes >= 1, "{out:?}");
    let mine = client.store().my_reports().expect("r");
    let r = mine
        .iter()
        .find(|r| r.id.to_string() == good)
        .expect("report");
    assert_eq!(r.status, Some(ReportStatus::InProgress));
    assert_eq!(
        r.history.last().map(|h| h.note.as_str()),
        Some("Công ty Cây xanh đã tiếp nhận")
    );
}

#[tokio::test]
async fn a_server_that_forgot_the_device_gets_a_new_registration() {
    let port = free_port().expect("port");
    let first = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(first.path(), port)
        .await
        .expect("server");
    let client = Client::new(&server.url());
    assert!(client.engine.sync_once().await.online);
    server.stop().await.expect("stop");

    // Same address, empty database: the old token is unknown there.
    let second = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(second.path(), port)
        .await
        .expect("server");
    client.submit("waste");
    client.engine.sync_once().await; // 401: forgets the token, keeps the report
    assert_eq!(client.engine.status().expect("status").waiting, 1);
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 1, "{out:?}");
    assert_eq!(server.report_rows().expect("rows"), 1);
}

#[tokio::test]
async fn a_server_error_keeps_the_report_queued() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let client = Client::new(&server.url());
    assert!(client.engine.sync_once().await.online);
    // Break the server's storage behind its back: it now answers 500 to new reports.
    let db = rusqlite::Connection::open(data.path().join("hues-server.db")).expect("open");
    db.execute_batch("ALTER TABLE report_events RENAME TO report_events_away")
        .expect("break");
    client.submit("trees");
    let out = client.engine.sync_once().await;
    assert_eq!(
        (out.delivered, out.refused, out.postponed),
        (0, 0, 1),
        "{out:?}"
    );
    let mine = client.store().my_reports().expect("r");
    assert_eq!(
        mine[0].delivery,
        DeliveryState::SavedOnDevice,
        "kept, not refused"
    );
    assert_eq!(client.engine.status().expect("status").waiting, 1);

    // Repaired: the queued report goes on the next try (after its backoff).
    db.execute_batch("ALTER TABLE report_events_away RENAME TO report_events")
        .expect("repair");
    client.store().retry_all_now().expect("due now");
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 1, "{out:?}");
    assert_eq!(server.report_rows().expect("rows"), 1);
}

#[tokio::test]
async fn a_photo_report_arrives_whole_without_exif_and_photos_go_once() {
    use hues_core::photo::testdata;
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port().expect("port");
    let client = Client::new(&format!("http://127.0.0.1:{port}"));
    // A camera picture with its position in EXIF (by the Hương river).
    let picture = testdata::jpeg_with_exif(640, 480, 6, Some((16.4698, 107.5786)));
    let photo = client.store().add_photo(&picture).expect("pipeline");
    let (lat, lon) = photo.position.expect("EXIF position offered");
    assert!((lat - 16.4698).abs() < 1e-4 && (lon - 107.5786).abs() < 1e-4);
    assert_eq!((photo.width, photo.height), (480, 640), "upright");
    let submit = |photos: Vec<String>| {
        client
            .store()
            .submit_report(&ReportInput {
                category: "waste".into(),
                description: "Rác bên bờ sông Hương".into(),
                latitude: lat,
                longitude: lon,
                attributes: Default::default(),
                photos,
                place: Default::default(),
            })
            .expect("submit")
    };
    submit(vec![photo.sha256.clone()]);
    assert!(!client.engine.sync_once().await.online, "server is down");

    let server = ServerProcess::start(data.path(), port)
        .await
        .expect("server");
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 1, "{out:?}");
    let stored = server.reports().await.expect("reports");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].photos, std::slice::from_ref(&photo.sha256));
    // The file on the server is the processed one: no EXIF, bytes matching their name.
    let file = data
        .path()
        .join("photos")
        .join(&photo.sha256[..2])
        .join(format!("{}.jpg", photo.sha256));
    let bytes = std::fs::read(&file).expect("photo file on the server");
    assert!(
        !bytes.windows(6).any(|w| w == b"Exif\0\0"),
        "no EXIF on the server"
    );
    assert!(
        !bytes.windows(2).any(|w| w == [0xFF, 0xE1]),
        "no APP1 segment"
    );

    // The same photo on a second report is not sent again.
    let uploads = || -> i64 {
        rusqlite::Connection::open(data.path().join("hues-server.db"))
            .and_then(|c| c.query_row("SELECT count(*) FROM photos", [], |r| r.get(0)))
            .expect("count")
    };
    assert_eq!(uploads(), 1);
    submit(vec![photo.sha256.clone()]);
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 1, "{out:?}");
    assert_eq!(uploads(), 1);
    assert_eq!(server.report_rows().expect("rows"), 2);
}

#[tokio::test]
async fn rating_and_reopening_are_queued_and_delivered() {
    use hues_wire::api::{NewRating, Satisfaction};
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let client = Client::new(&server.url());
    let id = client.submit("trees");
    client.engine.sync_once().await;
    let uuid: uuid::Uuid = id.parse().expect("uuid");
    // Not resolved yet: refused on the device, nothing queued.
    let rating = NewRating {
        satisfaction: Satisfaction::VerySatisfied,
        comment: "Cắt tỉa rất nhanh".into(),
    };
    assert!(client.store().rate_report(uuid, rating.clone()).is_err());
    server
        .set_status(&id, "resolved", "Đã cắt tỉa")
        .await
        .expect("resolve");
    client.engine.sync_once().await;

    // Rated while offline-ish: queued, then delivered by the next sync.
    client
        .store()
        .rate_report(uuid, rating)
        .expect("queue rating");
    assert_eq!(client.engine.status().expect("status").waiting, 1);
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 1, "{out:?}");
    let on_server = &server.reports().await.expect("reports")[0];
    let r = on_server.rating.as_ref().expect("rating on the server");
    assert_eq!(r.satisfaction, Satisfaction::VerySatisfied);
    assert_eq!(r.comment, "Cắt tỉa rất nhanh");

    client
        .store()
        .reopen_report(uuid, "Cành lại sắp gãy")
        .expect("queue reopen");
    let out = client.engine.sync_once().await;
    assert_eq!(out.delivered, 1, "{out:?}");
    let on_server = &server.reports().await.expect("reports")[0];
    assert_eq!(on_server.status, ReportStatus::Received);
    assert_eq!(
        on_server.history.last().map(|h| h.note.as_str()),
        Some("Cành lại sắp gãy")
    );
    let mine = &client.store().my_reports().expect("mine")[0];
    assert_eq!(
        mine.status,
        Some(ReportStatus::Received),
        "the device follows"
    );
}

#[tokio::test]
async fn nearby_reports_and_me_too_through_the_core() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let alice = Client::new(&server.url());
    let bob = Client::new(&server.url());
    let id = alice.submit("waste");
    alice.engine.sync_once().await;
    bob.engine.sync_once().await;
    let near = bob
        .engine
        .nearby(16.4700, 107.5790, 500.0)
        .await
        .expect("nearby");
    assert_eq!(near.len(), 1);
    assert_eq!(near[0].id.to_string(), id);
    let after = bob.engine.me_too(near[0].id).await.expect("me too");
    assert_eq!(after.me_too, 1);
    // Bob now follows it: it comes to his device through sync.
    bob.engine.sync_once().await;
    assert!(
        bob.store()
            .my_reports()
            .expect("reports")
            .iter()
            .any(|r| r.id.to_string() == id)
    );
    let dup = bob
        .engine
        .possible_duplicates("waste", 16.4701, 107.5790)
        .await
        .expect("duplicates");
    assert_eq!(dup.len(), 1, "same category within 150 m");
    let none = bob
        .engine
        .possible_duplicates("trees", 16.4701, 107.5790)
        .await
        .expect("duplicates");
    assert!(none.is_empty(), "another category is no duplicate");
    // Offline, the list answers "network", translated by the UI.
    server.stop().await.expect("stop");
    let err = bob
        .engine
        .nearby(16.47, 107.579, 500.0)
        .await
        .expect_err("offline");
    assert_eq!(err.code, ErrorCode::Network);
}

#[tokio::test]
async fn places_address_and_the_citys_photos_reach_the_device_for_offline_use() {
    use hues_core::photo::testdata;
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let client = Client::new(&server.url());
    client.engine.sync_once().await;
    // The city's known places came with the first sync: the address is suggested offline.
    let at = hues_wire::ipc::Point {
        latitude: 16.4728,
        longitude: 107.5886,
    };
    let near = client
        .store()
        .suggest_address(at, "vi")
        .expect("query")
        .expect("a known place nearby");
    assert_eq!(near.name, "Chợ Đông Ba");
    assert!(near.distance_m < 50.0, "{}", near.distance_m);

    // A report with its address; the city resolves it with a photo of the work.
    client
        .store()
        .submit_report(&ReportInput {
            category: "waste".into(),
            description: "Rác trước cổng chợ".into(),
            latitude: at.latitude,
            longitude: at.longitude,
            attributes: Default::default(),
            photos: Vec::new(),
            place: hues_wire::api::ReportPlace {
                alert: None,
                address: Some(format!("Gần {}, {}", near.name, near.address)),
                accuracy_m: Some(12.0),
                location_source: Some(hues_wire::api::LocationSource::Device),
            },
        })
        .expect("submit");
    assert_eq!(client.engine.sync_once().await.delivered, 1);
    let stored = server.reports().await.expect("reports");
    assert_eq!(
        stored[0].place.address.as_deref(),
        Some("Gần Chợ Đông Ba, 2 Trần Hưng Đạo, phường Phú Xuân")
    );
    assert_eq!(stored[0].place.accuracy_m, Some(12.0));
    let staff = server.register_device().await.expect("staff device");
    let work = server
        .upload_photo(&staff, &testdata::jpeg_with_exif(320, 240, 1, None))
        .await
        .expect("upload");
    server
        .set_status_with_photos(
            &stored[0].id.to_string(),
            "resolved",
            "Đã thu gom",
            std::slice::from_ref(&work),
        )
        .await
        .expect("resolve");
    assert!(client.store().photo_file(&work, false).is_none());
    client.engine.sync_once().await;
    // Sync kept the city's photo on the device: the timeline shows it with no network.
    let mine = client.store().my_reports().expect("reports");
    let resolved = mine[0].history.last().expect("history");
    assert_eq!(resolved.photos, std::slice::from_ref(&work));
    assert!(client.store().photo_file(&work, false).is_some());
    assert_eq!(
        mine[0].address.as_deref(),
        Some("Gần Chợ Đông Ba, 2 Trần Hưng Đạo, phường Phú Xuân")
    );
}

#[tokio::test]
async fn a_booking_goes_once_and_its_answer_and_cancellation_travel_through_sync() {
    use hues_wire::api::{BookingKind, BookingStatus};
    use hues_wire::ipc::BookingInput;
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port().expect("port");
    let client = Client::new(&format!("http://127.0.0.1:{port}"));
    // The places come with a first sync; then the network goes.
    let server = ServerProcess::start(data.path(), port)
        .await
        .expect("server");
    client.engine.sync_once().await;
    server.stop().await.expect("stop");
    let input = BookingInput {
        kind: BookingKind::Tickets,
        place_id: "dai-noi".into(),
        date_from: hues_core::bookings::today_in_hue() + chrono::Duration::days(5),
        date_to: None,
        people: 2,
        contact_name: "Ngô Thị D".into(),
        contact_phone: "0914 222 333".into(),
        note: String::new(),
    };
    let saved = client.store().submit_booking(&input).expect("kept offline");
    assert_eq!(saved.delivery, DeliveryState::SavedOnDevice);
    assert_eq!(saved.place_name_vi, "Đại Nội (Hoàng thành Huế)");
    // A booking for a place the device does not know is refused on the device.
    let mut unknown = input.clone();
    unknown.place_id = "no-such-place".into();
    assert!(client.store().submit_booking(&unknown).is_err());
    assert!(!client.engine.sync_once().await.online);

    let server = ServerProcess::start(data.path(), port)
        .await
        .expect("server again");
    assert_eq!(client.engine.sync_once().await.delivered, 1);
    client.engine.sync_once().await;
    let on_server = server.bookings().await.expect("bookings");
    assert_eq!(on_server.len(), 1, "exactly once");
    let id = on_server[0].request.id;
    assert_eq!(id, saved.request.id, "the device's id");

    server
        .decide_booking(&id.to_string(), "confirmed", "Nhận vé ở quầy Ngọ Môn")
        .await
        .expect("confirm");
    client.engine.sync_once().await;
    let mine = client.store().my_bookings().expect("bookings");
    assert_eq!(mine[0].status, Some(BookingStatus::Confirmed));
    assert_eq!(mine[0].note_from_operator, "Nhận vé ở quầy Ngọ Môn");

    client.store().cancel_booking(id).expect("cancel queued");
    assert!(client.store().my_bookings().expect("b")[0].cancel_queued);
    client.engine.sync_once().await;
    assert_eq!(
        server.bookings().await.expect("bookings")[0].status,
        BookingStatus::Cancelled
    );
    let mine = client.store().my_bookings().expect("bookings");
    assert_eq!(mine[0].status, Some(BookingStatus::Cancelled));
    assert!(!mine[0].cancel_queued);
    assert!(
        client.store().cancel_booking(id).is_err(),
        "a cancelled booking is over"
    );
}

#[tokio::test]
async fn warnings_reach_the_device_and_say_which_of_my_places_they_concern() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let client = Client::new(&server.url());
    client.engine.sync_once().await;
    let store = client.store();
    let home = hues_wire::ipc::Point {
        latitude: 16.468,
        longitude: 107.590,
    };
    let far = hues_wire::ipc::Point {
        latitude: 16.40,
        longitude: 107.60,
    };
    store.save_my_place("Nhà", home).expect("home");
    store.save_my_place("Nhà bà ngoại", far).expect("grandma");
    assert!(store.save_my_place("  ", home).is_err(), "a name is needed");
    server.stop().await.expect("offline from here on");

    let views = store.alert_views(chrono::Utc::now()).expect("alerts");
    let ids: Vec<&str> = views.iter().map(|v| v.alert.identifier.as_str()).collect();
    // Active first, most severe first: the storm (Extreme), then the flood (Severe), the road
    // closure (Moderate); the cancelled and the expired after. Cancel messages are not listed.
    assert_eq!(
        &ids[..3],
        [
            "HUE-2026-BAO-SO-12-01",
            "HUE-2026-LU-SONG-HUONG-01",
            "HUE-2026-CAM-DUONG-LE-DUAN-01"
        ]
    );
    assert!(!ids.contains(&"HUE-2026-SAT-LO-01-HUY"));
    let by_id = |id: &str| {
        views
            .iter()
            .find(|v| v.alert.identifier == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(by_id("HUE-2026-LU-SONG-HUONG-01").affects, ["Nhà"]);
    assert!(by_id("HUE-2026-CAM-DUONG-LE-DUAN-01").affects.is_empty());
    assert_eq!(by_id("HUE-2026-SAT-LO-01").alert.state, "cancelled");
    let heat = by_id("HUE-2026-NANG-NONG-01");
    assert!(heat.expired);
    assert_eq!(
        heat.affects,
        ["Nhà", "Nhà bà ngoại"],
        "no area: the whole city"
    );
}

/// A CAP message about the demo flood (an Update or a Cancel of it).
fn about_the_demo_flood(identifier: &str, msg_type: &str, headline: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>pctt@hue.gov.vn</sender>
  <sent>2026-11-22T06:00:00+07:00</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  <references>pctt@hue.gov.vn,HUE-2026-LU-SONG-HUONG-01,2026-11-21T14:00:00+07:00</references>
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Lũ</event>
    <urgency>Immediate</urgency>
    <severity>Extreme</severity>
    <certainty>Observed</certainty>
    <expires>2030-12-31T18:00:00+07:00</expires>
    <headline>{headline}</headline>
    <area>
      <areaDesc>Ven sông Hương</areaDesc>
      <polygon>16.455,107.545 16.470,107.545 16.480,107.580 16.478,107.610 16.462,107.615 16.452,107.590 16.455,107.545</polygon>
    </area>
  </info>
</alert>"#
    )
}

#[tokio::test]
async fn a_severe_warning_for_my_place_notifies_once_and_again_on_its_update() {
    use hues_core::notices::Notice;
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let client = Client::new(&server.url());
    let store = client.store();
    let point = |latitude, longitude| hues_wire::ipc::Point {
        latitude,
        longitude,
    };
    store
        .save_my_place("Nhà", point(16.468, 107.590))
        .expect("home, by the river");
    store
        .save_my_place("Cơ quan", point(16.40, 107.60))
        .expect("work, far south");
    client.engine.sync_once().await;
    let now = chrono::Utc::now();

    // The demo's Severe flood covers home; the Extreme storm is on the coast, the road closure
    // only Moderate, the heat advisory expired, the landslide cancelled: one notification.
    let first = store.take_notices(now).expect("notices");
    assert_eq!(
        first,
        [Notice::Alert {
            identifier: "HUE-2026-LU-SONG-HUONG-01".into(),
            headline: "Cảnh báo lũ trên sông Hương, báo động 2".into(),
            places: vec!["Nhà".into()],
            update: false,
        }]
    );
    client.engine.sync_once().await;
    assert_eq!(store.take_notices(now).expect("notices"), [], "once only");

    // An Update notifies again, under its own identifier.
    let update = about_the_demo_flood("HUE-2026-LU-02", "Update", "Lũ lên báo động 3");
    let (status, body) = server.post_alert(&update).await.expect("update");
    assert_eq!(status, 201, "{body}");
    client.engine.sync_once().await;
    let again = store.take_notices(now).expect("notices");
    assert_eq!(
        again,
        [Notice::Alert {
            identifier: "HUE-2026-LU-02".into(),
            headline: "Lũ lên báo động 3".into(),
            places: vec!["Nhà".into()],
            update: true,
        }]
    );
    let views = store.alert_views(now).expect("views");
    let state = |id: &str| {
        views
            .iter()
            .find(|v| v.alert.identifier == id)
            .map(|v| v.alert.state.clone())
    };
    assert_eq!(
        state("HUE-2026-LU-SONG-HUONG-01").as_deref(),
        Some("updated")
    );
    assert_eq!(state("HUE-2026-LU-02").as_deref(), Some("active"));

    // An exercise, even Extreme and over home, is no real warning: listed, never raised.
    let exercise = about_the_demo_flood("HUE-2026-DIEN-TAP-01", "Alert", "Diễn tập lũ")
        .replace("<status>Actual</status>", "<status>Exercise</status>")
        .replace(
            "  <references>pctt@hue.gov.vn,HUE-2026-LU-SONG-HUONG-01,2026-11-21T14:00:00+07:00</references>\n",
            "",
        );
    let (status, body) = server.post_alert(&exercise).await.expect("exercise");
    assert_eq!(status, 201, "{body}");
    client.engine.sync_once().await;
    assert_eq!(store.take_notices(now).expect("notices"), [], "an exercise");

    // A Cancel raises nothing and marks the warning cancelled.
    let cancel = about_the_demo_flood("HUE-2026-LU-03", "Cancel", "Hết lũ").replace(
        "HUE-2026-LU-SONG-HUONG-01,2026-11-21T14:00:00+07:00",
        "HUE-2026-LU-02,2026-11-22T06:00:00+07:00",
    );
    let (status, body) = server.post_alert(&cancel).await.expect("cancel");
    assert_eq!(status, 201, "{body}");
    client.engine.sync_once().await;
    assert_eq!(store.take_notices(now).expect("notices"), []);
    let views = store.alert_views(now).expect("views");
    assert!(views.iter().all(|v| v.alert.identifier != "HUE-2026-LU-03"));
    assert_eq!(
        views
            .iter()
            .find(|v| v.alert.identifier == "HUE-2026-LU-02")
            .map(|v| v.alert.state.as_str()),
        Some("cancelled")
    );
}

#[tokio::test]
async fn the_catalogue_reads_offline_and_a_tracked_dossier_notifies_its_changes() {
    use hues_core::notices::Notice;
    use hues_wire::dossiers::{DossierLookup, DossierState};
    use hues_wire::ipc::ProcedureQuery;
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port().expect("port");
    let server = ServerProcess::start(data.path(), port)
        .await
        .expect("server");
    let client = Client::new(&server.url());
    client.engine.sync_once().await;
    let store = client.store();
    let search = |text: &str, topic: Option<&str>| {
        store
            .procedures(&ProcedureQuery {
                text: text.into(),
                topic: topic.map(str::to_owned),
            })
            .expect("search")
            .into_iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    assert!(search("", None).len() >= 30, "the whole catalogue synced");
    // The same folding as places: with or without accents, any case, word prefixes.
    for q in ["khai sinh", "KHAI SINH", "Khai Sinh", "khai si"] {
        assert_eq!(
            search(q, None).first().map(String::as_str),
            Some("khai-sinh"),
            "{q}"
        );
    }
    assert_eq!(search("đăng ký kết hôn", None), ["ket-hon"]);
    assert_eq!(search("dang ky ket hon", None), ["ket-hon"]);
    assert_eq!(search("giay phep xay", None)[0], "gpxd-nha-o");
    assert!(
        search("birth", None).contains(&"khai-sinh".to_owned()),
        "English too"
    );
    let land = search("", Some("land"));
    assert!(
        land.len() >= 3
            && land.iter().all(|id| store
                .procedure(id)
                .expect("p")
                .is_some_and(|p| p.topic == "land"))
    );
    assert!(search("\"; DROP TABLE procedures; --", None).is_empty());

    // Look-ups go to the server; a wrong check is "not found", like an unknown code.
    let now = chrono::Utc::now();
    let wrong = client
        .engine
        .dossier(
            &DossierLookup {
                code: "HS-2026-000101".into(),
                check: "0000".into(),
            },
            false,
            now,
        )
        .await
        .expect_err("wrong check");
    assert_eq!(wrong.code, ErrorCode::NotFound);
    let bad = client
        .engine
        .dossier(
            &DossierLookup {
                code: "HS-2026-000101".into(),
                check: "12".into(),
            },
            false,
            now,
        )
        .await
        .expect_err("checked on the device first");
    assert_eq!(bad.code, ErrorCode::InvalidValue);
    let view = client
        .engine
        .dossier(
            &DossierLookup {
                code: "hs-2026-000101".into(),
                check: "4567".into(),
            },
            true,
            now,
        )
        .await
        .expect("tracked");
    assert!(view.tracked);
    assert_eq!(view.procedure.map(|p| p.id).as_deref(), Some("thuong-tru"));
    client.engine.sync_once().await;
    assert_eq!(
        store.take_notices(now).expect("notices"),
        [],
        "its state is not news"
    );

    // The unit moves it on: the next sync brings the change, and one notification.
    server
        .advance_dossier(
            "HS-2026-000101",
            "result_ready",
            "Mời nhận kết quả tại Trung tâm Phục vụ hành chính công phường",
        )
        .await
        .expect("advance");
    client.engine.sync_once().await;
    let mine = store.my_dossier_views(now).expect("mine");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].dossier.state, DossierState::ResultReady);
    assert_eq!(
        store.take_notices(now).expect("notices"),
        [Notice::Dossier {
            code: "HS-2026-000101".into(),
            procedure: "Đăng ký thường trú".into(),
            state: DossierState::ResultReady,
            new_appointment: None,
        }]
    );
    client.engine.sync_once().await;
    assert_eq!(store.take_notices(now).expect("notices"), [], "once");

    // Too many look-ups: the citizen is told so (not "offline").
    let mut last = None;
    for n in 0..LOOKUP_LIMIT {
        let e = client
            .engine
            .dossier(
                &DossierLookup {
                    code: "HS-2026-000101".into(),
                    check: format!("{:04}", n),
                },
                false,
                now,
            )
            .await
            .expect_err("wrong check");
        assert_ne!(e.code, ErrorCode::Network, "{e:?}");
        last = Some(e.code);
    }
    assert_eq!(last, Some(ErrorCode::RateLimited));

    // Offline, the catalogue and the tracked dossier are still there; untracking works too.
    server.stop().await.expect("stop");
    assert!(search("tam tru", None).contains(&"tam-tru".to_owned()));
    assert_eq!(store.my_dossiers().expect("mine").len(), 1);
    client
        .engine
        .untrack_dossier("HS-2026-000101")
        .await
        .expect("untracked offline");
    assert!(store.my_dossiers().expect("mine").is_empty());
    assert_eq!(
        store.pending_untracks().expect("pending"),
        ["HS-2026-000101"]
    );
    // The server hears of it with the first sync that reaches it.
    let _server = ServerProcess::start(data.path(), port)
        .await
        .expect("server back");
    client.engine.sync_once().await;
    assert!(store.pending_untracks().expect("pending").is_empty());
}

/// The server's look-up limit per device (10 in 10 minutes).
const LOOKUP_LIMIT: u32 = 10;

/// Issue 15, through the real server: a phone with history signs in with a code from the SMS
/// gateway and brings that history into the account; a second phone signing in with the same
/// number gets the reports, the booking and "my places" by sync; withdrawing the location
/// consent holds a new report on the device until it is given again; signing out leaves
/// nothing personal.
#[tokio::test]
async fn a_second_phone_of_the_account_gets_its_history_and_consent_holds_positions() {
    use hues_wire::api::BookingKind;
    use hues_wire::ipc::{BookingInput, Point};
    let data = tempfile::tempdir().expect("tempdir");
    let sms = hues_system_tests::sms::SmsGateway::start()
        .await
        .expect("gateway");
    let args = sms.server_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = ServerProcess::start_with(data.path(), 0, &args)
        .await
        .expect("server");
    let a = Client::new(&server.url());
    let from_a = a.submit("street_light");
    assert_eq!(a.engine.sync_once().await.delivered, 1);
    let booking = a
        .store()
        .submit_booking(&BookingInput {
            kind: BookingKind::Tickets,
            place_id: "dai-noi".into(),
            date_from: hues_core::bookings::today_in_hue() + chrono::Duration::days(5),
            date_to: None,
            people: 2,
            contact_name: "Lê Văn E".into(),
            contact_phone: "0912 345 678".into(),
            note: String::new(),
        })
        .expect("booking");
    a.store()
        .save_my_place(
            "Nhà mẹ",
            Point {
                latitude: 16.4690,
                longitude: 107.5600,
            },
        )
        .expect("place");
    assert_eq!(a.engine.sync_once().await.delivered, 1);

    // Sign in with the code the gateway got.
    let sent = a
        .engine
        .request_sign_in_code("0912 345 678")
        .await
        .expect("code sent");
    assert_eq!(sent.phone, "+84 91x xxx x78");
    let code = sms.code_for("+84912345678").await.expect("the SMS");
    let wrong = a.engine.verify_sign_in_code("0912 345 678", "000000").await;
    assert!(wrong.is_err() || code == "000000");
    let view = a
        .engine
        .verify_sign_in_code("0912 345 678", &code)
        .await
        .expect("signed in");
    assert_eq!(view.phone.as_deref(), Some("+84 91x xxx x78"));
    let done = a.engine.sync_once().await;
    assert!(done.error.is_none(), "{done:?}");

    // The second phone.
    let b = Client::new(&server.url());
    b.engine.sync_once().await;
    assert!(b.store().my_reports().expect("r").is_empty());
    b.engine
        .request_sign_in_code("+84912345678")
        .await
        .expect("code sent");
    let code = sms.code_for("+84912345678").await.expect("the SMS");
    b.engine
        .verify_sign_in_code("+84912345678", &code)
        .await
        .expect("signed in");
    let pulled = b.engine.sync_once().await;
    assert!(
        pulled.error.is_none() && pulled.pulled_changes > 0,
        "{pulled:?}"
    );
    let reports: Vec<String> = b
        .store()
        .my_reports()
        .expect("reports")
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert!(reports.contains(&from_a), "{reports:?}");
    assert_eq!(
        b.store().my_bookings().expect("bookings")[0].request.id,
        booking.request.id
    );
    let places = b.store().my_places().expect("places");
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].name, "Nhà mẹ");

    // Withdrawn: a new report waits on the phone, its position unsent.
    b.store()
        .set_consent(ConsentPurpose::Location, false)
        .expect("withdraw");
    let held = b.submit("street_light");
    b.engine.sync_once().await;
    assert_eq!(b.engine.status().expect("status").waiting_for_consent, 1);
    let on_server = |id: String| {
        let server = &server;
        async move {
            server
                .reports()
                .await
                .expect("reports")
                .iter()
                .any(|r| r.id.to_string() == id)
        }
    };
    assert!(!on_server(held.clone()).await, "sent without consent");
    b.store()
        .set_consent(ConsentPurpose::Location, true)
        .expect("given again");
    assert_eq!(b.engine.sync_once().await.delivered, 1);
    assert!(on_server(held.clone()).await);
    // The first phone sees it too: one account.
    a.engine.sync_once().await;
    assert!(
        a.store()
            .my_reports()
            .expect("r")
            .iter()
            .any(|r| r.id.to_string() == held)
    );

    // Signing out leaves nothing personal, and the phone goes on as a new anonymous device.
    let out = b.engine.sign_out().await.expect("signed out");
    assert_eq!(out.phone, None);
    assert!(b.store().my_reports().expect("r").is_empty());
    assert!(b.store().my_bookings().expect("b").is_empty());
    assert!(b.store().my_places().expect("p").is_empty());
    b.engine.sync_once().await;
    assert!(b.store().my_reports().expect("r").is_empty());
    // The account is intact on the other phone.
    a.engine.sync_once().await;
    assert!(a.store().signed_in().expect("a"));
    assert_eq!(a.store().my_reports().expect("r").len(), 2);
}

/// Issue 15: signing in through the identity provider as the app does it (RFC 8252): the core
/// listens on a loopback port, the browser (played here) logs in at the provider, which sends it
/// back to that port with the code; the core hands the code to the real server, which checks it
/// with the PKCE verifier it kept and signs the device in to the number's account.
#[tokio::test]
async fn the_app_signs_in_through_the_identity_provider_on_its_loopback_address() {
    use hues_system_tests::oidc::IdentityProvider;
    let provider = IdentityProvider::start().await.expect("provider");
    provider
        .add_user(
            "cccd-046090001234",
            serde_json::json!({ "phone_number": "+84912345678", "phone_number_verified": true }),
        )
        .await
        .expect("user");
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start_with(
        data.path(),
        0,
        &[
            "--oidc-issuer",
            &provider.url,
            "--oidc-client-id",
            "hues",
            "--oidc-client-secret",
            "hues-secret",
        ],
    )
    .await
    .expect("server");
    let client = Client::new(&server.url());
    client.engine.sync_once().await;
    assert!(
        client
            .engine
            .account()
            .await
            .expect("account")
            .identity_provider
    );
    let browser = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = browser.clone();
    let view = client
        .engine
        .sign_in_with_provider(
            move |url| {
                let url = url.to_owned();
                let task = tokio::spawn(async move {
                    IdentityProvider::log_in(&url, "cccd-046090001234").await
                });
                *seen.lock().map_err(|e| e.to_string())? = Some(task);
                Ok(())
            },
            "<p>Back to the app</p>",
        )
        .await
        .expect("signed in");
    assert_eq!(view.phone.as_deref(), Some("+84 91x xxx x78"));
    // The browser was told to go back to the app.
    let task = browser
        .lock()
        .expect("lock")
        .take()
        .expect("the browser ran");
    let page = task.await.expect("task").expect("browser");
    assert!(page.contains("Back to the app"), "{page}");
    // The account is the number's: a code sign-in on another phone lands in the same one.
    let conn = rusqlite::Connection::open(data.path().join("hues-server.db")).expect("db");
    let (accounts, identities): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM accounts WHERE phone = '+84912345678'),
                    (SELECT count(*) FROM account_identities)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counts");
    assert_eq!((accounts, identities), (1, 1));
}
