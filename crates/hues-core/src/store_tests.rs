//! The device cache as a whole: submitting, the outbox's states, photos, settings, what a
//! crash or an upgrade leaves, the files' modes.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use hues_wire::api::{CityContacts, NewRating, NewReport, Report, ReportStatus, StatusChange};
use hues_wire::ipc::{DeliveryState, Point, ReportDraft, ReportInput, Settings};
use hues_wire::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::error::CoreError;
use crate::fields::ts;
use crate::outbox::{Ack, OutboxItem};
use crate::store::{MIGRATIONS, Store, migrations};
use hues_wire::api::{Change, SyncPage};
use rusqlite::{Connection, params};
use rusqlite_migration::{M, Migrations};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(&dir.path().join("c.db")).expect("open");
    (dir, s)
}

fn input() -> ReportInput {
    ReportInput {
        category: "waste".into(),
        description: "Rác tồn đọng ở kiệt 5 Chi Lăng".into(),
        latitude: 16.4741,
        longitude: 107.5925,
        attributes: Default::default(),
        photos: Vec::new(),
        place: Default::default(),
    }
}

#[test]
fn migrations_are_valid_and_reach_latest() {
    assert!(migrations().validate().is_ok());
    let (_d, s) = store();
    let v: i64 = s
        .conn()
        .expect("conn")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v as usize, MIGRATIONS.len());
}

#[test]
fn submit_saves_report_and_outbox_together() {
    let (_d, s) = store();
    s.save_draft(&ReportDraft {
        description: "half typed".into(),
        ..Default::default()
    })
    .expect("draft");
    let r = s.submit_report(&input()).expect("submit");
    assert_eq!(r.delivery, DeliveryState::SavedOnDevice);
    assert_eq!(r.id.get_version_num(), 7);
    let due = s.due_outbox(Utc::now()).expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].report_id(), r.id);
    assert_eq!(s.sync_status(false).expect("status").waiting, 1);
    assert_eq!(s.draft().expect("draft"), ReportDraft::default());
}

#[test]
fn invalid_report_saves_nothing_and_keeps_draft() {
    let (_d, s) = store();
    let draft = ReportDraft {
        description: "x".into(),
        latitude: "95".into(),
        ..Default::default()
    };
    s.save_draft(&draft).expect("draft");
    let mut bad = input();
    bad.latitude = 95.0;
    let err = s.submit_report(&bad).expect_err("must refuse");
    assert!(matches!(err, CoreError::Invalid(ref e) if e.code == ErrorCode::OutOfRange));
    assert!(s.my_reports().expect("reports").is_empty());
    assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
    assert_eq!(s.draft().expect("draft"), draft);
}

#[test]
fn refused_entry_stays_visible() {
    let (_d, s) = store();
    s.submit_report(&input()).expect("submit");
    let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
    s.refuse(&entry, &ApiError::new(ErrorCode::UnknownCategory, "no"))
        .expect("refuse");
    let r = &s.my_reports().expect("reports")[0];
    assert_eq!(
        r.delivery,
        DeliveryState::Refused {
            code: ErrorCode::UnknownCategory
        }
    );
    let st = s.sync_status(true).expect("status");
    assert_eq!((st.waiting, st.failed), (0, 1));
    assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
}

#[test]
fn retry_later_postpones_and_crash_mid_send_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.db");
    {
        let s = Store::open(&path).expect("open");
        s.submit_report(&input()).expect("submit");
        let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
        s.mark_sending(&entry).expect("sending");
        assert_eq!(
            s.my_reports().expect("r")[0].delivery,
            DeliveryState::Sending
        );
    } // "killed" while sending
    let s = Store::open(&path).expect("reopen");
    assert_eq!(
        s.my_reports().expect("r")[0].delivery,
        DeliveryState::SavedOnDevice
    );
    let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
    s.retry_later(&entry, Duration::from_secs(60), "offline")
        .expect("retry");
    assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
    assert_eq!(
        s.due_outbox(Utc::now() + chrono::Duration::seconds(61))
            .expect("due")
            .len(),
        1
    );
    s.retry_all_now().expect("reset");
    assert_eq!(s.due_outbox(Utc::now()).expect("due")[0].attempts, 1);
}

#[test]
fn photos_are_kept_on_the_device_and_refusals_leave_nothing() {
    let (dir, s) = store();
    let before = std::fs::read_dir(dir.path().join("photos"))
        .expect("dir")
        .count();
    let err = s.add_photo(b"not a picture").expect_err("refused");
    assert!(matches!(
        err,
        CoreError::Photo(crate::photo::PhotoError::NotAnImage)
    ));
    assert_eq!(
        std::fs::read_dir(dir.path().join("photos"))
            .expect("dir")
            .count(),
        before
    );
    let p = s
        .add_photo(&crate::photo::testdata::jpeg_with_exif(64, 32, 1, None))
        .expect("photo");
    assert!(s.photo_bytes(&p.sha256).is_ok());
    let mut with = input();
    with.photos = vec!["a".repeat(64)];
    assert!(
        matches!(s.submit_report(&with), Err(CoreError::Invalid(_))),
        "unknown photo"
    );
    with.photos = vec![p.sha256.clone()];
    let r = s.submit_report(&with).expect("submit");
    let due = s.due_outbox(Utc::now()).expect("due");
    assert!(matches!(&due[0].item, OutboxItem::Report(r) if r.photos == [p.sha256.clone()]));
    assert_eq!(r.delivery, DeliveryState::SavedOnDevice);
}

#[test]
fn the_city_hotline_is_kept_per_server_and_only_a_phone_number() {
    let (_d, s) = store();
    assert_eq!(
        s.city_contacts().expect("none yet"),
        CityContacts::default()
    );
    let server = s.server_url().expect("url");
    let page = |hotline: &str| SyncPage {
        changes: Vec::new(),
        next_cursor: "1".into(),
        has_more: false,
        city: CityContacts {
            hotline: Some(hotline.into()),
        },
    };
    s.apply_page(&server, &page("1900 1075")).expect("apply");
    assert_eq!(
        s.city_contacts().expect("read").hotline.as_deref(),
        Some("1900 1075")
    );
    // Another server's number is not this one's.
    s.apply_page("https://other.example", &page("0234 111 222"))
        .expect("apply");
    assert_eq!(
        s.city_contacts().expect("read").hotline.as_deref(),
        Some("1900 1075")
    );
    // What is not a phone number never reaches a link.
    s.apply_page(&server, &page("javascript:alert(1)"))
        .expect("apply");
    assert_eq!(s.city_contacts().expect("read").hotline, None);
}

#[test]
fn settings_are_checked() {
    let (_d, s) = store();
    assert_eq!(s.settings().expect("s").language, "vi");
    assert!(
        s.save_settings(&Settings::default()).is_ok(),
        "the default server (this device) is accepted"
    );
    let saved = s
        .save_settings(&Settings {
            language: "en".into(),
            server_url: "https://hues.example.vn:8443/".into(),
            tile_url: " https://tiles.example/{z}/{x}/{y}.png ".into(),
        })
        .expect("save");
    assert_eq!(saved.tile_url, "https://tiles.example/{z}/{x}/{y}.png");
    assert_eq!(saved.server_url, "https://hues.example.vn:8443");
    assert_eq!(s.settings().expect("s").language, "en");
    for (lang, url, tiles) in [
        ("fr", "https://x", ""),
        ("vi", "ftp://x", ""),
        ("vi", "http://", ""),
        ("vi", "https://", ""),
        ("vi", "", ""),
        ("vi", "https://x/a b", ""),
        ("vi", "https://x?y=1", ""),
        ("vi", "https://user:pw@x", ""),
        ("vi", "https://x", "https://t.example/{z}/{x}.png"),
        ("vi", "https://x", "file:///{z}/{x}/{y}"),
    ] {
        let bad = Settings {
            language: lang.into(),
            server_url: url.into(),
            tile_url: tiles.into(),
        };
        assert!(s.save_settings(&bad).is_err(), "{lang} {url} {tiles}");
    }
    assert_eq!(s.settings().expect("s").language, "en");
}

#[test]
fn http_is_only_for_this_device() {
    let (_d, s) = store();
    let with = |server: &str, tiles: &str| Settings {
        language: "vi".into(),
        server_url: server.into(),
        tile_url: tiles.into(),
    };
    for ok in [
        "http://127.0.0.1:8787",
        "http://127.1.2.3",
        "http://localhost:8787/",
        "http://LOCALHOST",
        "http://[::1]:8787",
        "https://10.0.0.5:8787",
        "https://hues.example.vn",
    ] {
        s.save_settings(&with(ok, "http://127.0.0.1:9/{z}/{x}/{y}.png"))
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    // Clear text across a network, or an address that only looks like this device.
    for insecure in [
        "http://10.0.0.5:8787",
        "http://192.168.1.20",
        "http://hues.example.vn",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example",
        "http://evil.example/127.0.0.1",
        "http://[::ffff:10.0.0.5]",
        "http://0.0.0.0:8787",
    ] {
        let err = s.save_settings(&with(insecure, "")).expect_err(insecure);
        assert!(
            matches!(&err, CoreError::Invalid(e) if e.code == ErrorCode::InsecureUrl),
            "{insecure}: {err}"
        );
    }
    // A user name before the host is refused outright (it is where the host seems to be).
    for tricky in [
        "http://localhost@evil.example",
        "http://127.0.0.1:80@evil.example",
    ] {
        let err = s.save_settings(&with(tricky, "")).expect_err(tricky);
        assert!(matches!(err, CoreError::Invalid(_)), "{tricky}");
    }
    let err = s
        .save_settings(&with("https://x", "http://tiles.example/{z}/{x}/{y}.png"))
        .expect_err("tiles in clear text");
    assert!(matches!(&err, CoreError::Invalid(e) if e.code == ErrorCode::InsecureUrl));
    assert_eq!(
        s.settings().expect("s").server_url,
        "https://hues.example.vn"
    );
    assert_eq!(s.server_url().expect("server"), "https://hues.example.vn");
    // An address an older version accepted is not used until the citizen changes it.
    s.set_json("settings", &with("http://10.0.0.5:8787", ""))
        .expect("old");
    let err = s.server_url().expect_err("not used");
    assert!(matches!(&err, CoreError::Invalid(e) if e.code == ErrorCode::InsecureUrl));
}

/// A report of this device, delivered and resolved by the city.
fn resolved(s: &Store) -> Uuid {
    let local = s.submit_report(&input()).expect("submit");
    let entry = s.due_outbox(Utc::now()).expect("due").remove(0);
    let at = Utc::now();
    let step = |status| StatusChange {
        status,
        note: String::new(),
        at,
        unit: None,
        duplicate_of: None,
        photos: Vec::new(),
    };
    let report = Report {
        id: local.id,
        category: local.category,
        description: local.description,
        latitude: local.latitude,
        longitude: local.longitude,
        created_at: local.created_at,
        attributes: Default::default(),
        photos: Vec::new(),
        place: Default::default(),
        received_at: at,
        status: ReportStatus::Resolved,
        history: vec![step(ReportStatus::Received), step(ReportStatus::Resolved)],
        rating: None,
    };
    s.acknowledge(&entry, &Ack::Report(report)).expect("ack");
    local.id
}

#[test]
fn control_characters_are_refused_in_what_the_citizen_types() {
    let (_d, s) = store();
    let id = resolved(&s);
    let draft = ReportDraft {
        description: "đang viết dở".into(),
        ..Default::default()
    };
    s.save_draft(&draft).expect("draft");
    let control = |r: Result<(), CoreError>| matches!(r, Err(CoreError::Invalid(ref e)) if e.code == ErrorCode::ControlCharacter);
    let rating = |comment: &str| NewRating {
        satisfaction: hues_wire::api::Satisfaction::Satisfied,
        comment: comment.into(),
    };
    assert!(control(s.rate_report(id, rating("tốt\u{1}"))));
    assert!(control(s.reopen_report(id, "vẫn\u{b}còn")));
    assert!(control(
        s.save_my_place(
            "Nhà\u{7f}",
            Point {
                latitude: 16.46,
                longitude: 107.59
            }
        )
        .map(|_| ())
    ));
    let mut report = input();
    report.description = "Rác\u{1b}[31m".into();
    assert!(control(s.submit_report(&report).map(|_| ())));
    // Nothing was queued or kept, and the report being written is still there.
    assert!(s.due_outbox(Utc::now()).expect("due").is_empty());
    assert!(s.my_places().expect("places").is_empty());
    assert_eq!(s.draft().expect("draft"), draft);
    // Line ends and tabs are text.
    s.rate_report(id, rating("tốt\r\ncảm ơn\t!"))
        .expect("rated");
    assert_eq!(s.due_outbox(Utc::now()).expect("due").len(), 1);
}

#[test]
fn a_report_at_negative_zero_is_queued_at_zero() {
    let (_d, s) = store();
    let mut at_zero = input();
    at_zero.latitude = -0.0;
    at_zero.longitude = -0.0;
    s.submit_report(&at_zero).expect("submit");
    let due = s.due_outbox(Utc::now()).expect("due");
    let OutboxItem::Report(r) = &due[0].item else {
        panic!("a report");
    };
    assert!(r.longitude.is_sign_positive() && r.latitude.is_sign_positive());
    let payload: String = s
        .conn()
        .expect("conn")
        .query_row("SELECT payload FROM outbox", [], |r| r.get(0))
        .expect("payload");
    assert!(!payload.contains("-0.0"), "{payload}");
    assert!(payload.contains("\"longitude\":0.0,"), "{payload}");
}

#[test]
fn a_report_stuck_on_negative_zero_goes_again_after_the_upgrade() {
    let mut conn = Connection::open_in_memory().expect("db");
    // The schema as it was before 0015_negative_zero.sql.
    let before = Migrations::new(MIGRATIONS[..14].iter().map(|sql| M::up(sql)).collect());
    before.to_latest(&mut conn).expect("migrate");
    let mut queued = NewReport {
        id: Uuid::now_v7(),
        category: "waste".into(),
        description: "\"latitude\":-0.0, in the text stays".into(),
        latitude: 16.5,
        longitude: -0.0,
        created_at: Utc::now(),
        attributes: Default::default(),
        photos: Vec::new(),
        place: Default::default(),
    };
    let near = NewReport {
        id: Uuid::now_v7(),
        longitude: -0.05,
        ..queued.clone()
    };
    for (r, failed) in [(&queued, Some("id_conflict")), (&near, Some("id_conflict"))] {
        conn.execute(
            "INSERT INTO reports (id, category, description, latitude, longitude, created_at, delivery, refused_code)
             VALUES (?1, 'waste', '', 0, 0, ?2, 'refused', ?3)",
            params![r.id.to_string(), ts(r.created_at), failed],
        )
        .expect("report");
        conn.execute(
            "INSERT INTO outbox (kind, entity_id, payload, next_attempt_at, created_at, failed_code)
             VALUES ('report', ?1, ?2, ?3, ?3, ?4)",
            params![r.id.to_string(), serde_json::to_string(r).expect("json"), ts(r.created_at), failed],
        )
        .expect("outbox");
    }
    migrations().to_latest(&mut conn).expect("upgrade");
    let row = |id: Uuid| {
        conn.query_row(
            "SELECT o.payload, o.failed_code, r.delivery FROM outbox o JOIN reports r ON r.id = o.entity_id
             WHERE o.entity_id = ?1",
            [id.to_string()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?)),
        )
        .expect("row")
    };
    let (payload, failed, delivery) = row(queued.id);
    queued.longitude = 0.0;
    assert_eq!(
        serde_json::from_str::<NewReport>(&payload).expect("json"),
        queued
    );
    assert!(payload.contains("\"longitude\":0.0,"), "{payload}");
    assert!(payload.contains("in the text stays"));
    assert_eq!((failed, delivery.as_str()), (None, "saved"));
    // A report near 0 but not at it was refused for something else: left alone.
    let (payload, failed, delivery) = row(near.id);
    assert!(payload.contains("\"longitude\":-0.05,"), "{payload}");
    assert_eq!(
        (failed.as_deref(), delivery.as_str()),
        (Some("id_conflict"), "refused")
    );
}

#[cfg(unix)]
#[test]
fn the_cache_and_photos_are_the_users_only() {
    use crate::private::tests::mode;
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().expect("tempdir");
    // As an older version (or a permissive umask) left them.
    let data = root.path().join("data");
    let photos = data.join("photos");
    std::fs::create_dir_all(&photos).expect("mkdir");
    let open = |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    open(&data, 0o755).expect("chmod");
    open(&photos, 0o777).expect("chmod");
    let old_photo = photos.join(format!("{}.jpg", "a".repeat(64)));
    std::fs::write(&old_photo, b"x").expect("write");
    open(&old_photo, 0o644).expect("chmod");
    let db = data.join("hues.db");
    {
        let s = Store::open(&db).expect("open");
        drop(s);
    }
    open(&db, 0o644).expect("chmod");
    let s = Store::open(&db).expect("reopen");
    s.submit_report(&input()).expect("write something");
    for f in [
        db.clone(),
        data.join("hues.db-wal"),
        data.join("hues.db-shm"),
        old_photo,
    ] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    assert_eq!(mode(&photos), 0o700);
    let p = s
        .add_photo(&crate::photo::testdata::jpeg_with_exif(64, 32, 1, None))
        .expect("photo");
    for thumb in [false, true] {
        let f = s.photo_file(&p.sha256, thumb).expect("here");
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    // A fresh cache in a fresh folder.
    let fresh = root.path().join("fresh/hues.db");
    crate::private::dir(fresh.parent().expect("parent")).expect("dir");
    let s = Store::open(&fresh).expect("open");
    s.submit_report(&input()).expect("write");
    assert_eq!(mode(&fresh), 0o600);
    assert_eq!(mode(fresh.parent().expect("parent")), 0o700);
    assert_eq!(mode(&root.path().join("fresh/photos")), 0o700);
    // The tile cache too.
    let tiles = data.join("tiles.mbtiles");
    std::fs::write(&tiles, b"").expect("write");
    open(&tiles, 0o666).expect("chmod");
    let c = crate::tile_cache::TileCache::open(&tiles).expect("tiles");
    c.put(1, 0, 0, b"png").expect("put");
    for f in [
        tiles.clone(),
        data.join("tiles.mbtiles-wal"),
        data.join("tiles.mbtiles-shm"),
    ] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[test]
fn the_nearest_known_place_is_suggested_as_the_address() {
    let (_d, s) = store();
    let place = |id: &str, name: &str, lat, lon| {
        Change::Place(hues_wire::api::Place {
            id: id.into(),
            category: "market".into(),
            name_vi: name.into(),
            name_en: format!("{name} (en)"),
            address: format!("{id} street"),
            latitude: lat,
            longitude: lon,
            ..Default::default()
        })
    };
    let page = SyncPage {
        changes: vec![
            place("dong-ba", "Chợ Đông Ba", 16.4726, 107.5884),
            place("truong-tien", "Cầu Trường Tiền", 16.4680, 107.5907),
        ],
        next_cursor: "2".into(),
        has_more: false,
        city: Default::default(),
    };
    s.apply_page("http://x", &page).expect("apply");
    // ~110 m north of the market: the market, in the asked language.
    let at = |latitude, longitude| Point {
        latitude,
        longitude,
    };
    let got = s
        .suggest_address(at(16.4736, 107.5884), "vi")
        .expect("query")
        .expect("a place");
    assert_eq!(got.name, "Chợ Đông Ba");
    assert_eq!(got.address, "dong-ba street");
    assert!(
        (100.0..125.0).contains(&got.distance_m),
        "{}",
        got.distance_m
    );
    let got = s
        .suggest_address(at(16.4682, 107.5905), "en")
        .expect("query")
        .expect("a place");
    assert_eq!(got.name, "Cầu Trường Tiền (en)");
    // Nothing known within 400 m: no suggestion rather than a far one.
    assert_eq!(s.suggest_address(at(16.50, 107.60), "vi").expect("q"), None);
}

#[test]
fn a_remote_photo_is_kept_only_if_its_bytes_match_its_name() {
    use sha2::Digest;
    let (_d, s) = store();
    let jpeg = crate::photo::testdata::jpeg_with_exif(64, 48, 1, None);
    let sha = hex::encode(sha2::Sha256::digest(&jpeg));
    assert!(s.photo_file(&sha, false).is_none());
    let wrong = "0".repeat(64);
    assert!(s.keep_remote_photo(&wrong, &jpeg).is_err());
    assert!(s.keep_remote_photo(&sha, b"not a jpeg").is_err());
    assert!(s.keep_remote_photo("../../etc/passwd", &jpeg).is_err());
    assert!(s.photo_file(&wrong, false).is_none());
    let path = s.keep_remote_photo(&sha, &jpeg).expect("kept");
    assert_eq!(s.photo_file(&sha, true), Some(path));
    assert!(s.photo_file("../x", false).is_none());
}
