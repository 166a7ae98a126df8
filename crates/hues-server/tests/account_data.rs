//! Citizens' accounts and their data (issue 15) over the real router and a real SQLite file
//! with the demo data: a hotline case filed for a number reaches the app of whoever signs in
//! with it; a second device of the account gets its reports, places and consents through the
//! feed; the export holds exactly the account's data; the erasure, after its grace period,
//! leaves no personal field in any table.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::Console;

const PHONE: &str = "0912 345 678";
const DIGITS: &str = "912345678";
const CALLER: &str = "Tôn Nữ Diệu Hiền";
const HOME: &str = "Nhà bà ngoại ở Kim Long";

/// The device id behind a token.
async fn device_id(c: &Console, token: &str) -> String {
    let hash = hues_server::auth::hash_token(token);
    c.db.read(move |conn| hues_server::store::device_by_token_hash(conn, &hash))
        .await
        .expect("read")
        .expect("a device")
        .to_string()
}

/// Signs a device in with a number: the code is made as the server makes it (the demo's SMS
/// goes to the log) and sent back through the API.
async fn sign_in(c: &Console, token: &str, phone: &str) -> serde_json::Value {
    let device = uuid::Uuid::parse_str(&device_id(c, token).await).expect("uuid");
    let e164 = hues_wire::account::normalize_phone(phone).expect("phone");
    let code =
        c.db.write(move |conn| {
            hues_server::accounts::issue(conn, device, &e164, Utc::now().timestamp())
        })
        .await
        .expect("code");
    let (st, v) = c
        .api_json(
            "POST",
            "/api/v1/account/verify",
            token,
            Some(serde_json::json!({ "phone": phone, "code": code })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

async fn report(c: &Console, token: &str, text: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let (st, v) = c
        .api_json(
            "POST",
            "/api/v1/reports",
            token,
            Some(serde_json::json!({
                "id": id, "category": "street_light", "description": text,
                "latitude": 16.4637, "longitude": 107.5909, "created_at": "2026-11-21T08:00:00Z"
            })),
        )
        .await;
    assert!(st.is_success(), "{st}: {v}");
    id
}

/// Everything a device's feed carries from the start, as (kind, id) pairs.
async fn feed(c: &Console, token: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let (st, v) = c
            .api_json(
                "GET",
                &format!("/api/v1/sync?cursor={cursor}&limit=1000"),
                token,
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        for ch in v["changes"].as_array().expect("changes") {
            let kind = ch["kind"].as_str().unwrap_or_default().to_owned();
            let id = match &ch["data"] {
                serde_json::Value::String(s) => s.clone(),
                d => d["id"].as_str().unwrap_or_default().to_owned(),
            };
            out.push((kind, id));
        }
        cursor = v["next_cursor"].as_str().expect("cursor").to_owned();
        if !v["has_more"].as_bool().unwrap_or(false) {
            return out;
        }
    }
}

fn has(feed: &[(String, String)], kind: &str, id: &str) -> bool {
    feed.iter().any(|(k, i)| k == kind && i == id)
}

#[tokio::test]
async fn an_account_follows_its_citizen_exports_exactly_theirs_and_is_erased_without_a_trace() {
    let c = Console::new();

    // The contact centre files a call before the caller has any account.
    let dispatcher = c.sign_in("dieuphoi").await;
    let filed = c
        .post(
            "/console/new",
            Some(&dispatcher),
            &format!(
                "channel=hotline&name={}&phone=0912-345-678&category=encroachment\
                 &description=H%C3%A0ng+qu%C3%A1n+l%E1%BA%A5n+chi%E1%BA%BFm+v%E1%BB%89a+h%C3%A8\
                 &place=cho-dong-ba&address=",
                "T%C3%B4n+N%E1%BB%AF+Di%E1%BB%87u+Hi%E1%BB%81n"
            ),
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let hotline_case = filed.location.rsplit('/').next().expect("id").to_owned();

    // An anonymous phone with a report of its own, then a place and a consent.
    let a = c.device().await;
    let from_a = report(&c, &a, "Đèn đường hỏng trước nhà").await;
    let (st, _) = c
        .api(
            "POST",
            "/api/v1/consents",
            &a,
            Some(
                serde_json::json!([{ "purpose": "location", "version": 1, "granted": true,
            "decided_at": "2026-12-01T01:00:00Z" }]),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // Places are kept on the server for accounts only.
    let place = uuid::Uuid::now_v7().to_string();
    let place_body = serde_json::json!({ "id": place, "name": HOME,
        "latitude": 16.4690, "longitude": 107.5600 });
    let (st, _) = c
        .api(
            "PUT",
            &format!("/api/v1/my-places/{place}"),
            &a,
            Some(place_body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!has(&feed(&c, &a).await, "report", &hotline_case));

    // Signing in brings the device's history and the hotline case into the account.
    let signed = sign_in(&c, &a, PHONE).await;
    assert_eq!(signed["new_account"], true);
    let account = signed["account"].as_str().expect("account").to_owned();
    let (st, _) = c
        .api(
            "PUT",
            &format!("/api/v1/my-places/{place}"),
            &a,
            Some(place_body),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let fa = feed(&c, &a).await;
    assert!(
        has(&fa, "report", &from_a) && has(&fa, "report", &hotline_case),
        "{fa:?}"
    );

    // The contact centre can call the app reporter back; the ward's officer sees no number.
    let case = c
        .get(&format!("/console/cases/{from_a}"), &dispatcher)
        .await;
    assert!(
        case.body.contains("Tài khoản ứng dụng · +84912345678"),
        "{}",
        case.body
    );
    let officer = c.sign_in("canbo.phuxuan").await;
    let theirs = c.get(&format!("/console/cases/{from_a}"), &officer).await;
    assert!(!theirs.body.contains("912345678"));

    // Another citizen, another account.
    let other = c.device().await;
    let from_other = report(&c, &other, "Cây đổ chắn đường").await;
    sign_in(&c, &other, "0987 654 321").await;

    // The first phone follows the other citizen's report ("me too") and tracks a dossier.
    let (st, v) = c
        .api_json(
            "POST",
            &format!("/api/v1/reports/{from_other}/me-too"),
            &a,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = c
        .api_json(
            "POST",
            "/api/v1/dossiers/track",
            &a,
            Some(serde_json::json!({ "code": "HS-2026-000101", "check": "4567" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    // A second phone of the same citizen gets all of it; the other citizen's report, never.
    let b = c.device().await;
    let signed_b = sign_in(&c, &b, "+84912345678").await;
    assert_eq!(signed_b["account"], account.as_str());
    assert_eq!(signed_b["new_account"], false);
    let fb = feed(&c, &b).await;
    assert!(has(&fb, "report", &from_a), "{fb:?}");
    assert!(has(&fb, "report", &hotline_case), "{fb:?}");
    assert!(has(&fb, "my_place", &place), "{fb:?}");
    assert!(has(&fb, "followed_report", &from_other), "{fb:?}");
    assert!(
        fb.iter().any(|(k, _)| k == "dossier"),
        "the tracked dossier: {fb:?}"
    );
    assert!(!has(&fb, "report", &from_other));
    // The hotline case is whole for its caller (the app shows its history) and can be rated.
    let (st, r) = c
        .api_json("GET", &format!("/api/v1/reports/{hotline_case}"), &b, None)
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (st, _) = c
        .api_json("GET", &format!("/api/v1/reports/{from_other}"), &b, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A device signed in to one account cannot be moved into another.
    let other_device = device_id(&c, &b).await;
    let d2 = uuid::Uuid::parse_str(&other_device).expect("uuid");
    let code =
        c.db.write(move |conn| {
            hues_server::accounts::issue(conn, d2, "+84987654321", Utc::now().timestamp())
        })
        .await
        .expect("code");
    let (st, v) = c
        .api_json(
            "POST",
            "/api/v1/account/verify",
            &b,
            Some(serde_json::json!({ "phone": "0987654321", "code": code })),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "other_account");

    // The export: exactly this account's data.
    let (st, zip_bytes) = c.api("GET", "/api/v1/account/export", &b, None).await;
    assert_eq!(st, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a ZIP");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("account.json").expect("account.json"),
        &mut text,
    )
    .expect("read");
    let data: serde_json::Value = serde_json::from_str(&text).expect("json");
    let ids: Vec<&str> = data["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let mut want = vec![from_a.as_str(), hotline_case.as_str()];
    want.sort();
    let mut got = ids.clone();
    got.sort();
    assert_eq!(got, want);
    // Another's report never: only that this citizen followed it, by its id.
    assert!(!text.contains("Cây đổ chắn đường"));
    assert_eq!(
        data["followed_reports"][0]["report_id"],
        from_other.as_str()
    );
    assert_eq!(data["account"][0]["phone"], "+84912345678");
    assert_eq!(data["my_places"][0]["name"], HOME);
    assert_eq!(data["consents"][0]["purpose"], "location");
    assert_eq!(data["devices"].as_array().map(Vec::len), Some(2));
    assert!(
        text.contains(CALLER),
        "the contact centre's record of the call is theirs"
    );

    // Delete my account: confirmed with the number, erased after the grace period.
    let (st, _) = c
        .api_json(
            "POST",
            "/api/v1/account/delete",
            &a,
            Some(serde_json::json!({ "phone": "0987654321" })),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, v) = c
        .api_json(
            "POST",
            "/api/v1/account/delete",
            &a,
            Some(serde_json::json!({ "phone": PHONE })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let after: chrono::DateTime<Utc> =
        serde_json::from_value(v["erase_after"].clone()).expect("a date");
    assert!(after > Utc::now() + Duration::days(29));
    // Nothing happens before its time.
    let erased =
        c.db.run(|conn| hues_server::accounts::erase_due(conn, Utc::now()))
            .await
            .expect("erase");
    assert_eq!(erased, 0);
    let dev_a = device_id(&c, &a).await;
    let dev_b = device_id(&c, &b).await;
    let erased =
        c.db.run(|conn| hues_server::accounts::erase_due(conn, Utc::now() + Duration::days(31)))
            .await
            .expect("erase");
    assert_eq!(erased, 1);

    // Its devices are signed out; the reports stay as the city's record, with no link to anyone.
    assert_eq!(
        c.api("GET", "/api/v1/account", &b, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (st, public) = c
        .api_json(
            "GET",
            &format!("/api/v1/public/reports/{from_a}"),
            &other,
            None,
        )
        .await;
    assert!(
        st == StatusCode::OK || st == StatusCode::NOT_FOUND,
        "{st}: {public}"
    );
    let kept: i64 =
        c.db.read({
            let ids = [from_a.clone(), hotline_case.clone()];
            move |conn| {
                let mut n = 0;
                for id in &ids {
                    n +=
                        conn.query_row("SELECT count(*) FROM reports WHERE id = ?1", [id], |r| {
                            r.get::<_, i64>(0)
                        })?;
                }
                Ok(n)
            }
        })
        .await
        .expect("reports");
    assert_eq!(kept, 2);

    // Every table, every column: no number, no name, no device, no place of theirs; the
    // account's random id only in the proof that it was erased and in the audit log.
    let needles = [
        DIGITS.to_owned(),
        "0912-345-678".to_owned(),
        CALLER.to_owned(),
        HOME.to_owned(),
        dev_a.clone(),
        dev_b.clone(),
        account.clone(),
    ];
    let found =
        c.db.read(move |conn| {
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut found = Vec::new();
            for t in tables {
                let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\""))?;
                let cols = stmt.column_count();
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    for i in 0..cols {
                        let text = match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Text(b)
                            | rusqlite::types::ValueRef::Blob(b) => {
                                String::from_utf8_lossy(b).into_owned()
                            }
                            _ => continue,
                        };
                        for n in &needles {
                            let allowed =
                                n == &needles[6] && (t == "audit_log" || t == "account_deletions");
                            if text.contains(n.as_str()) && !allowed {
                                found.push(format!("{t}: {n}"));
                            }
                        }
                    }
                }
            }
            let broken: i64 =
                conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            if broken > 0 {
                found.push(format!("{broken} broken references"));
            }
            Ok(found)
        })
        .await
        .expect("scan");
    assert!(found.is_empty(), "{found:?}");

    // The other citizen is untouched.
    assert_eq!(
        c.api_json(
            "GET",
            &format!("/api/v1/reports/{from_other}"),
            &other,
            None
        )
        .await
        .0,
        StatusCode::OK
    );
}

/// The contact centre acts on a citizen's behalf: finds the account by number, downloads the
/// export, asks for the deletion and calls it off, revokes a lost phone; each is audited under
/// the staff member's name, and a ward officer may do none of it.
#[tokio::test]
async fn the_contact_centre_exports_deletes_and_revokes_on_the_citizens_behalf() {
    let c = Console::with(
        Default::default(),
        hues_server::accounts::Settings {
            sms: hues_server::accounts::Sms::Demo(Default::default()),
            ..Default::default()
        },
    );
    let phone = c.device().await;
    sign_in(&c, &phone, PHONE).await;
    let d = c.sign_in("dieuphoi").await;
    // In the demo, the code a citizen asks for shows in the console (no SMS is sent).
    let (st, _) = c
        .api_json(
            "POST",
            "/api/v1/account/code",
            &c.device().await,
            Some(serde_json::json!({ "phone": "0987 654 321" })),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let page = c.get("/console/citizens", &d).await;
    assert!(
        page.body.contains("+84987654321") && page.body.contains("Ma dang nhap hues"),
        "{}",
        page.body
    );
    let page = c.get("/console/citizens?phone=0912+345+678", &d).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("+84912345678") && page.body.contains("Thu hồi thiết bị này"),
        "{}",
        page.body
    );
    let export = c
        .post("/console/citizens/export", Some(&d), "phone=%2B84912345678")
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let asked = c
        .post("/console/citizens/delete", Some(&d), "phone=%2B84912345678")
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert!(
        c.get(&asked.location, &d)
            .await
            .body
            .contains("Tài khoản sẽ bị xóa vào")
    );
    let kept = c
        .post("/console/citizens/keep", Some(&d), "phone=%2B84912345678")
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER);
    let device = device_id(&c, &phone).await;
    let revoked = c
        .post(
            "/console/citizens/revoke",
            Some(&d),
            &format!("phone=%2B84912345678&device={device}"),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c.api("GET", "/api/v1/account", &phone, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let actions: Vec<String> =
        c.db.read(|conn| {
            Ok(conn
                .prepare(
                    "SELECT action FROM audit_log WHERE staff_id IS NOT NULL
                     AND (action LIKE 'account.%' OR action = 'device.revoke') ORDER BY id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?)
        })
        .await
        .expect("audit");
    assert_eq!(
        actions,
        [
            "account.export",
            "account.delete",
            "account.delete.cancel",
            "device.revoke"
        ]
    );
    let officer = c.sign_in("canbo.thuanhoa").await;
    assert_eq!(
        c.get("/console/citizens?phone=0912345678", &officer)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post(
            "/console/citizens/export",
            Some(&officer),
            "phone=%2B84912345678"
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}
