//! The city's console over the real router and a real SQLite file: signing in (Argon2id, TOTP
//! for supervisors and admins), sessions (cookie attributes, rotation, logout, expiry), the
//! Origin check, login limits, who may read and change which case, and the audit log.

mod common;

use axum::body::Body;
use axum::http::Method;
use axum::http::{Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use hues_server::demo::{DEMO_STAFF, DEMO_STAFF_PASSWORD};
use hues_server::permissions::{self, Rule};
use hues_server::staff::Role;

use tower::ServiceExt;
#[tokio::test]
async fn signing_in_sets_a_strict_cookie_and_signing_out_ends_the_session() {
    let c = Console::new();
    // Not signed in: every page sends to the login page.
    let a = c.send("GET", "/console/", None, None, None).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location, "/console/login");
    let login = c.send("GET", "/console/login", None, None, None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(
        login
            .body
            .contains("<label for=\"username\">Tên đăng nhập</label>")
    );
    // A form posted from elsewhere is refused before anything else.
    let form = format!("username=canbo.thuanhoa&password={DEMO_STAFF_PASSWORD}");
    let foreign = c
        .send(
            "POST",
            "/console/login",
            None,
            Some(&form),
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let none = c
        .send("POST", "/console/login", None, Some(&form), None)
        .await;
    assert_eq!(none.status, StatusCode::FORBIDDEN, "no Origin at all");
    // The right password: a session cookie the page's scripts cannot read, never sent
    // cross-site, only over HTTPS (or to this machine).
    let ok = c.post("/console/login", None, &form).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let set = ok
        .cookies
        .iter()
        .find(|c| c.starts_with("hues_staff="))
        .expect("cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/console"] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    let cookie = session_value(&ok.cookies).expect("value");
    let queue = c.get("/console/", &cookie).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Hàng đợi phản ánh"), "{}", queue.body);
    assert!(queue.body.contains("Trần Văn Nam"));
    let csp = c.send("GET", "/console/", Some(&cookie), None, None).await;
    assert_eq!(csp.status, StatusCode::OK);
    // Signing in again gives a new session id (no fixation).
    let again = c.post("/console/login", Some(&cookie), &form).await;
    let second = session_value(&again.cookies).expect("value");
    assert_ne!(second, cookie);
    assert_eq!(
        c.get("/console/", &cookie).await.status,
        StatusCode::SEE_OTHER,
        "the old one ended"
    );
    // Signing out ends it, and the cookie is cleared.
    let out = c.post("/console/logout", Some(&second), "").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.cookies.iter().any(|c| c.contains("Max-Age=0")));
    assert_eq!(
        c.get("/console/", &second).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn wrong_passwords_are_refused_in_words_then_limited() {
    let c = Console::new();
    for _ in 0..5 {
        let a = c
            .post("/console/login", None, "username=dieuphoi&password=wrong")
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert!(a.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
        assert!(a.cookies.is_empty());
    }
    // Five failures: even the right password waits now.
    let a = c
        .post(
            "/console/login",
            None,
            &format!("username=dieuphoi&password={DEMO_STAFF_PASSWORD}"),
        )
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(a.body.contains("Quá nhiều lần đăng nhập sai"));
    // An unknown name answers like a wrong password.
    let b = c
        .post("/console/login", None, "username=nobody&password=x")
        .await;
    assert_eq!(b.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn supervisors_and_admins_give_a_second_factor_and_the_session_rotates() {
    let c = Console::new();
    let a = c
        .post(
            "/console/login",
            None,
            &format!("username=giamsat&password={DEMO_STAFF_PASSWORD}"),
        )
        .await;
    assert_eq!(a.location, "/console/totp");
    let half = session_value(&a.cookies).expect("cookie");
    // Half signed in: no page but the second factor's.
    let q = c.get("/console/", &half).await;
    assert_eq!(q.location, "/console/totp");
    let wrong = c.post("/console/totp", Some(&half), "code=000000").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Mã xác thực không đúng hoặc đã dùng."));
    let code = totp_now(secret_of("giamsat"));
    let ok = c
        .post("/console/totp", Some(&half), &format!("code={code}"))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let full = session_value(&ok.cookies).expect("new cookie");
    assert_ne!(full, half, "a new id once both factors are given");
    assert_eq!(c.get("/console/", &full).await.status, StatusCode::OK);
    assert_eq!(
        c.get("/console/", &half).await.status,
        StatusCode::SEE_OTHER
    );
    // The same code cannot be used twice.
    let again = c
        .post(
            "/console/login",
            None,
            &format!("username=giamsat&password={DEMO_STAFF_PASSWORD}"),
        )
        .await;
    let half2 = session_value(&again.cookies).expect("cookie");
    let replay = c
        .post("/console/totp", Some(&half2), &format!("code={code}"))
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
}

/// Every case route × every demo role × a case of the officer's own unit, of another unit,
/// and one not routed yet: read → 200 or 404 (another unit's case is not said to exist);
/// change → done, 403 (read-only role) or 404.
#[tokio::test]
async fn who_may_read_and_change_which_case() {
    let c = Console::new();
    let own = c
        .report(Some("ubnd-thuan-hoa"), "Đèn hỏng ở Thuận Hóa")
        .await;
    let team = c
        .report(Some("trat-tu-thuan-hoa"), "Lấn chiếm vỉa hè")
        .await;
    let other = c.report(Some("ubnd-phu-xuan"), "Đèn hỏng ở Phú Xuân").await;
    let unrouted = c.report(None, "Chưa phân công").await;
    // (username, [read own, team, other, unrouted], [change the same: None is allowed])
    type Row = (&'static str, [bool; 4], [Option<StatusCode>; 4]);
    let table: [Row; 6] = {
        use StatusCode as S;
        let ok = None;
        [
            ("dieuphoi", [true; 4], [ok; 4]),
            (
                "canbo.thuanhoa",
                [true, true, false, false],
                [ok, ok, Some(S::NOT_FOUND), Some(S::NOT_FOUND)],
            ),
            (
                "canbo.phuxuan",
                [false, false, true, false],
                [
                    Some(S::NOT_FOUND),
                    Some(S::NOT_FOUND),
                    ok,
                    Some(S::NOT_FOUND),
                ],
            ),
            (
                "truong.thuanhoa",
                [true, true, false, false],
                [ok, ok, Some(S::NOT_FOUND), Some(S::NOT_FOUND)],
            ),
            ("giamsat", [true; 4], [Some(S::FORBIDDEN); 4]),
            ("quantri", [true; 4], [Some(S::FORBIDDEN); 4]),
        ]
    };
    assert_eq!(
        table.len(),
        DEMO_STAFF.len(),
        "every demo account has a row"
    );
    for role in Role::ALL {
        assert!(DEMO_STAFF.iter().any(|s| s.2 == role), "{role:?} is tried");
    }
    for (user, reads, changes) in table {
        let cookie = c.sign_in(user).await;
        for (i, case) in [&own, &team, &other, &unrouted].into_iter().enumerate() {
            let page = c.get(&format!("/console/cases/{case}"), &cookie).await;
            let want = if reads[i] {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(page.status, want, "{user} reads case {i}");
            let change = c
                .post(
                    &format!("/console/cases/{case}/status"),
                    Some(&cookie),
                    "status=in_progress&note=%C4%90ang+x%E1%BB%AD+l%C3%BD",
                )
                .await;
            let want = changes[i].unwrap_or(StatusCode::OK);
            assert_eq!(
                change.status, want,
                "{user} changes case {i}: {}",
                change.body
            );
            if change.status == StatusCode::OK {
                assert!(change.body.contains("Đã cập nhật."), "{}", change.body);
            }
        }
        // The queue lists exactly what the role reads.
        let queue = c.get("/console/", &cookie).await;
        for (i, case) in [&own, &team, &other, &unrouted].into_iter().enumerate() {
            assert_eq!(
                queue.body.contains(case.as_str()),
                reads[i],
                "{user}'s queue, case {i}"
            );
        }
        // The audit log is the admin's.
        let audit = c.get("/console/audit", &cookie).await;
        let want = if user == "quantri" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(audit.status, want, "{user} reads the audit log");
        // Signing out lets go of the cases this person opened (their edit locks).
        c.post("/console/logout", Some(&cookie), "").await;
    }
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_before_and_after() {
    let c = Console::new();
    let case = c.report(Some("ubnd-thuan-hoa"), "Cây đổ chắn đường").await;
    let officer = c.sign_in("canbo.thuanhoa").await;
    let done = c
        .post(
            &format!("/console/cases/{case}/status"),
            Some(&officer),
            "status=assigned&unit=trat-tu-thuan-hoa&note=Giao+%C4%91%E1%BB%99i+tr%E1%BA%ADt+t%E1%BB%B1",
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Đội trật tự đô thị phường Thuận Hóa"));
    // A status the form does not know is refused in words, and nothing changes.
    let bad = c
        .post(
            &format!("/console/cases/{case}/status"),
            Some(&officer),
            "status=gone",
        )
        .await;
    assert!(bad.body.contains("Giá trị không hợp lệ."), "{}", bad.body);
    let admin = c.sign_in("quantri").await;
    let log = c
        .get(
            "/console/audit?user=canbo.thuanhoa&action=case.status",
            &admin,
        )
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains(&case), "{}", log.body);
    assert!(
        log.body.contains("&#34;status&#34;:&#34;received&#34;"),
        "before: {}",
        log.body
    );
    assert!(
        log.body
            .contains("&#34;unit&#34;:&#34;trat-tu-thuan-hoa&#34;"),
        "after"
    );
    let logins = c.get("/console/audit?action=login", &admin).await;
    assert!(logins.body.contains("canbo.thuanhoa") && logins.body.contains("quantri"));
    // The officer's team now owns it: still theirs (the team is under their ward).
    assert_eq!(
        c.get(&format!("/console/cases/{case}"), &officer)
            .await
            .status,
        StatusCode::OK
    );
    // English, from the language cookie.
    let req = Request::builder()
        .uri("/console/")
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("hues_staff={admin}; hues_lang=en"))
        .body(Body::empty())
        .expect("request");
    let res = c.app.clone().oneshot(req).await.expect("response");
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let body = String::from_utf8_lossy(&bytes);
    assert!(
        body.contains("Report queue") && body.contains("lang=\"en\""),
        "{body}"
    );
}

/// A new report is routed by the rules to the ward it lies in; a unit that is not the right one
/// passes it on with a reason; the second time people pass it on it goes to the dispatchers,
/// who see it among the unrouted with its whole history.
#[tokio::test]
async fn new_reports_are_routed_and_a_second_bounce_goes_to_the_dispatchers() {
    let c = Console::new();
    // Flooding at 16 Lê Lợi: phường Thuận Hóa, by the demo's ward rule.
    let case = c
        .report_at("flooding", 16.4627, 107.5868, "Ngập trước bệnh viện")
        .await;
    // A street light anywhere: the lighting team, city-wide.
    let light = c
        .report_at("street_light", 16.4627, 107.5868, "Đèn tắt")
        .await;
    // "Other": no rule, the dispatchers'.
    let other = c.report_at("other", 16.4627, 107.5868, "Việc khác").await;
    let th = c.sign_in("canbo.thuanhoa").await;
    let queue = c.get("/console/", &th).await;
    assert!(
        queue.body.contains(&case) && !queue.body.contains(&light) && !queue.body.contains(&other)
    );
    let page = c.get(&format!("/console/cases/{case}"), &th).await;
    assert!(
        page.body
            .contains("Ủy ban nhân dân phường Thuận Hóa (theo quy tắc)"),
        "{}",
        page.body
    );
    // Passed on without a reason: refused in words.
    let no_reason = c
        .post(
            &format!("/console/cases/{case}/route"),
            Some(&th),
            "unit=ubnd-phu-xuan&reason=",
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Hãy ghi lý do chuyển tiếp."));
    let passed = c
        .post(
            &format!("/console/cases/{case}/route"),
            Some(&th),
            "unit=ubnd-phu-xuan&reason=Thu%E1%BB%99c+Ph%C3%BA+Xu%C3%A2n",
        )
        .await;
    assert_eq!(
        passed.status,
        StatusCode::SEE_OTHER,
        "no longer theirs: back to the queue"
    );
    assert_eq!(
        c.get(&format!("/console/cases/{case}"), &th).await.status,
        StatusCode::NOT_FOUND
    );
    let px = c.sign_in("canbo.phuxuan").await;
    let again = c
        .post(
            &format!("/console/cases/{case}/route"),
            Some(&px),
            "unit=ubnd-an-cuu&reason=Kh%C3%B4ng+ph%E1%BA%A3i",
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let d = c.sign_in("dieuphoi").await;
    let unrouted = c.get("/console/?unrouted=1", &d).await;
    assert!(
        unrouted.body.contains(&case) && unrouted.body.contains(&other),
        "{}",
        unrouted.body
    );
    assert!(!unrouted.body.contains(&light));
    let page = c.get(&format!("/console/cases/{case}"), &d).await;
    for step in [
        "theo quy tắc",
        "Thuộc Phú Xuân",
        "Không phải",
        "Bộ phận điều phối (IOC)",
        "canbo.phuxuan",
    ] {
        assert!(page.body.contains(step), "{step}: {}", page.body);
    }
    // The dispatchers send it where it belongs.
    let sent = c
        .post(
            &format!("/console/cases/{case}/route"),
            Some(&d),
            "unit=ubnd-thuan-hoa&reason=%C4%90%C3%BAng+%C4%91%E1%BB%8Ba+b%C3%A0n",
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("Đã chuyển tiếp."));
    assert_eq!(
        c.get(&format!("/console/cases/{case}"), &th).await.status,
        StatusCode::OK
    );
}

/// Each case shows its deadline and tier in words and symbol: to acknowledge (working hours),
/// then to resolve (working days); a case left too long is overdue, then escalated.
#[tokio::test]
async fn the_clock_shows_what_is_owed_and_how_late() {
    let c = Console::new();
    let fresh = c.report_at("flooding", 16.4627, 107.5868, "Ngập mới").await;
    let old = c.report_at("flooding", 16.4627, 107.5868, "Ngập cũ").await;
    // The old one was received on Monday 12 October 2026 at 09:00 in Huế.
    let id = old.clone();
    c.db.run(move |conn| {
        conn.execute(
            "UPDATE reports SET received_at = '2026-10-12T02:00:00Z' WHERE id = ?1",
            [&id],
        )?;
        Ok(())
    })
    .await
    .expect("age");
    let th = c.sign_in("canbo.thuanhoa").await;
    let queue = c.get("/console/", &th).await;
    let row = |id: &str| {
        let at = queue.body.find(&format!("id=\"case-{id}\"")).expect("row");
        queue.body[at..at + queue.body[at..].find("</tr>").expect("end")].to_owned()
    };
    assert!(
        row(&fresh).contains("✓ Đúng hạn · Tiếp nhận trước"),
        "{}",
        row(&fresh)
    );
    assert!(
        row(&old).contains("⚠⚠ Quá hạn trên 5 ngày làm việc · Tiếp nhận trước 12/10/2026 15:00"),
        "{}",
        row(&old)
    );
    // Taken in hand: now the resolution is what is owed (flooding: 2 working days).
    let taken = c
        .post(
            &format!("/console/cases/{fresh}/status"),
            Some(&th),
            "status=in_progress&note=",
        )
        .await;
    assert!(taken.body.contains("Giải quyết trước"), "{}", taken.body);
}

/// A case shows the resident's answers to the category's questions; staff's internal notes
/// stay in the console: the resident's own record and feed never carry them.
#[tokio::test]
async fn internal_notes_never_reach_the_resident() {
    let c = Console::new();
    let case = c.report_at("flooding", 16.4627, 107.5868, "Ngập sâu").await;
    let th = c.sign_in("canbo.thuanhoa").await;
    let page = c.get(&format!("/console/cases/{case}"), &th).await;
    assert!(
        page.body.contains("Độ sâu nước ngập (cm)") && page.body.contains("<dd>30</dd>"),
        "{}",
        page.body
    );
    let empty = c
        .post(&format!("/console/cases/{case}/notes"), Some(&th), "text=+")
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let secret = "Nghi do cống bị lấp khi thi công";
    let added = c
        .post(
            &format!("/console/cases/{case}/notes"),
            Some(&th),
            "text=Nghi+do+c%E1%BB%91ng+b%E1%BB%8B+l%E1%BA%A5p+khi+thi+c%C3%B4ng",
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    assert!(added.body.contains(secret) && added.body.contains("Đã thêm ghi chú."));
    // A read-only role reads it but may not add one.
    let boss = c.sign_in("giamsat").await;
    assert!(
        c.get(&format!("/console/cases/{case}"), &boss)
            .await
            .body
            .contains(secret)
    );
    let refused = c
        .post(
            &format!("/console/cases/{case}/notes"),
            Some(&boss),
            "text=x",
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Nothing the resident or the public reads holds it.
    let id = case.clone();
    let device_views =
        c.db.run(move |conn| {
            let r = hues_server::store::report(conn, uuid::Uuid::parse_str(&id).expect("id"))?;
            Ok(serde_json::to_string(&r.map(|r| r.report)).unwrap_or_default())
        })
        .await
        .expect("record");
    assert!(!device_views.contains(secret));
    for uri in [
        format!("/api/v1/public/reports/{case}"),
        "/api/v1/public/reports?lat=16.4627&lon=107.5868".into(),
    ] {
        let a = c.send("GET", &uri, None, None, None).await;
        assert!(!a.body.contains(secret), "{uri}");
    }
}

/// The contact centre: a dispatcher files a caller's report; it is routed like an app report;
/// the caller's phone is shown to dispatchers and supervisors only, and to nobody outside.
#[tokio::test]
async fn a_call_becomes_a_case_with_the_callers_phone_kept_confidential() {
    let c = Console::new();
    let d = c.sign_in("dieuphoi").await;
    let form = c.get("/console/new", &d).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Tổng đài") && form.body.contains("Chợ Đông Ba"));
    let bad = c
        .post(
            "/console/new",
            Some(&d),
            "channel=hotline&phone=abc&category=encroachment&description=x&place=cho-dong-ba",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Hãy ghi số điện thoại"));
    let filed = c
        .post(
            "/console/new",
            Some(&d),
            "channel=hotline&name=B%C3%A0+Lan&phone=0905+111+222&category=encroachment\
             &description=H%C3%A0ng+qu%C3%A1n+l%E1%BA%A5n+chi%E1%BA%BFm+v%E1%BB%89a+h%C3%A8&place=cho-dong-ba&address=",
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let case_url = filed.location.clone();
    let page = c.get(&case_url, &d).await;
    assert!(page.body.contains("Bà Lan · 0905 111 222"), "{}", page.body);
    assert!(
        page.body.contains("Tổng đài") && page.body.contains("Ủy ban nhân dân phường Phú Xuân")
    );
    // The ward's officer handles it without seeing who called.
    let px = c.sign_in("canbo.phuxuan").await;
    let theirs = c.get(&case_url, &px).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("Được bảo mật") && !theirs.body.contains("0905 111 222"));
    assert_eq!(
        c.get("/console/new", &px).await.status,
        StatusCode::FORBIDDEN
    );
    let id = case_url.rsplit('/').next().expect("id").to_owned();
    let public = c
        .send(
            "GET",
            &format!("/api/v1/public/reports/{id}"),
            None,
            None,
            None,
        )
        .await;
    assert!(
        !public.body.contains("0905") && !public.body.contains("Bà Lan"),
        "{}",
        public.body
    );
}

/// What a role may do, written here independently of the server's code: city roles (given at
/// the root) reach every case, unit roles only their unit's; dispatchers, officers and unit
/// supervisors change cases, city supervisors and admins only read them; unit supervisors and
/// dispatchers break locks.
fn expected(rule: Rule, role: Role, own: bool) -> bool {
    let city = matches!(role, Role::Dispatcher | Role::CitySupervisor | Role::Admin);
    let reaches = city || own;
    let handles = matches!(
        role,
        Role::Dispatcher | Role::Officer | Role::UnitSupervisor
    );
    match rule {
        Rule::Open | Rule::Staff => true,
        Rule::Roles(roles) => roles.contains(&role),
        Rule::ReadCase => reaches,
        Rule::ChangeCase => reaches && handles,
        Rule::OverseeCase => reaches && matches!(role, Role::Dispatcher | Role::UnitSupervisor),
    }
}

/// A tiny JPEG (8×8 grey).
#[tokio::test]
async fn staff_blur_a_photo_before_it_is_shown_and_keep_the_original_for_staff() {
    let c = Console::new();
    let device = c.device().await;
    // A 64×64 photo with detail (a checkerboard), so that blurring shows.
    let img = image::RgbImage::from_fn(64, 64, |x, y| {
        image::Rgb(if (x + y) % 2 == 0 { [250; 3] } else { [5; 3] })
    });
    let mut photo = std::io::Cursor::new(Vec::new());
    img.write_to(&mut photo, image::ImageFormat::Jpeg)
        .expect("jpeg");
    let photo = photo.into_inner();
    let sha = c.upload(&device, photo).await;
    let id = c
        .photo_report(&device, &sha, "encroachment", "Xe đậu trên vỉa hè")
        .await;
    let rid = id.clone();
    c.db.run(move |db| {
        db.execute(
            "UPDATE reports SET unit_id = 'ubnd-thuan-hoa' WHERE id = ?1",
            [rid],
        )?;
        Ok(())
    })
    .await
    .expect("owner");
    let officer = c.sign_in("canbo.thuanhoa").await;
    let case = c.get(&format!("/console/cases/{id}"), &officer).await;
    assert!(
        case.body
            .contains(&format!("/console/cases/{id}/photos/{sha}/redact"))
    );

    // Regions that are not inside the photo: refused in words, nothing changed.
    let bad = c
        .post(
            &format!("/console/cases/{id}/photos/{sha}/redact"),
            Some(&officer),
            "regions=80+0+30+10",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Vùng làm mờ chưa đúng"), "{}", bad.body);

    // The left half blurred.
    let done = c
        .post(
            &format!("/console/cases/{id}/photos/{sha}/redact"),
            Some(&officer),
            "regions=0+0+50+100",
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Đã làm mờ ảnh"), "{}", done.body);
    let rid = id.clone();
    let shown: String =
        c.db.run(move |db| {
            Ok(db.query_row(
                "SELECT sha256 FROM report_photos WHERE report_id = ?1",
                [rid],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("shown photo");
    assert_ne!(shown, sha, "the case shows the blurred copy");
    // Staff open both (the pixels themselves: `redact::tests`).
    let blurred = c
        .get(&format!("/console/cases/{id}/photos/{shown}"), &officer)
        .await;
    assert_eq!(blurred.status, StatusCode::OK);
    let original = c
        .get(&format!("/console/cases/{id}/photos/{sha}"), &officer)
        .await;
    assert_eq!(original.status, StatusCode::OK);
    // The resident's app and the public see only the blurred copy.
    let mine = c.api_get(&format!("/api/v1/reports/{id}"), &device).await;
    assert_eq!(mine["photos"], serde_json::json!([shown]), "{mine}");
    // Blurring the blurred photo again keeps the first original.
    let again = c
        .post(
            &format!("/console/cases/{id}/photos/{shown}/redact"),
            Some(&officer),
            "regions=50+0+10+10",
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let rid = id.clone();
    let (originals, kept): (i64, String) =
        c.db.run(move |db| {
            Ok(db.query_row(
                "SELECT count(*), max(original) FROM photo_redactions WHERE report_id = ?1",
                [rid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .expect("redactions");
    assert_eq!((originals, kept), (1, sha.clone()));
    // The hourly sweep of unused photos keeps the original (and does not fail on it).
    let scratch = tempfile::tempdir().expect("tempdir");
    let store = hues_server::photos::PhotoStore::new(scratch.path().to_path_buf()).expect("store");
    let swept =
        c.db.run(move |db| {
            hues_server::photos::sweep_orphans(
                db,
                &store,
                chrono::Utc::now() + chrono::Duration::days(365),
            )
        })
        .await
        .expect("sweep");
    assert!(!swept.contains(&sha), "the original is kept for staff");
    // Another ward's officer may not.
    let other = c.sign_in("canbo.phuxuan").await;
    let refused = c
        .post(
            &format!("/console/cases/{id}/photos/{sha}/redact"),
            Some(&other),
            "regions=0+0+10+10",
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let log = c
        .get(
            "/console/audit?action=case.redact",
            &c.sign_in("quantri").await,
        )
        .await;
    assert!(log.body.contains("case.redact"), "{}", log.body);
}

#[tokio::test]
async fn the_city_writes_previews_publishes_and_cancels_a_warning_from_the_console() {
    let c = Console::new();
    let officer = c.sign_in("canbo.thuanhoa").await;
    assert_eq!(
        c.get("/console/warnings", &officer).await.status,
        StatusCode::FORBIDDEN
    );
    let d = c.sign_in("dieuphoi").await;
    let form = c.get("/console/warnings/new", &d).await;
    assert_eq!(form.status, StatusCode::OK);
    // Thuận Hóa (19789) has a boundary: it can be picked.
    assert!(form.body.contains("id=\"ward-19789\""), "{}", form.body);
    let fields = "msg_type=Alert&references=&category=Met&urgency=Expected&severity=Severe\
        &certainty=Likely&response=Prepare&expires_hours=12\
        &event_vi=L%C5%A9&headline_vi=L%C5%A9+s%C3%B4ng+H%C6%B0%C6%A1ng+b%C3%A1o+%C4%91%E1%BB%99ng+2\
        &description_vi=&instruction_vi=Di+d%E1%BB%9Di+t%C3%A0i+s%E1%BA%A3n&area_vi=Thu%E1%BA%ADn+H%C3%B3a\
        &event_en=Flood&headline_en=Huong+river+flood+alarm+2&description_en=&instruction_en=Move+belongings\
        &area_en=Thuan+Hoa&ward=19789&polygon=16.46%2C107.58+16.47%2C107.58+16.47%2C107.60&circle=";
    // A wrong circle: refused in words, every field kept.
    let bad = c
        .post(
            "/console/warnings/new",
            Some(&d),
            &format!("{fields}x&action=preview").replace("circle=x", "circle=abc"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Vùng tròn chưa đúng") && bad.body.contains("Huong river flood alarm 2")
    );
    let preview = c
        .post(
            "/console/warnings/new",
            Some(&d),
            &format!("{fields}&action=preview"),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("Bản xem trước")
            && preview.body.contains("&#60;polygon&#62;16.46,107.58"),
        "{}",
        preview.body
    );
    let stored = |c: &Console| {
        let db = c.db.clone();
        async move {
            db.read(|c| Ok(c.query_row("SELECT count(*) FROM alerts", [], |r| r.get::<_, i64>(0))?))
                .await
                .expect("count")
        }
    };
    let demo_alerts = stored(&c).await;
    let again = c
        .post(
            "/console/warnings/new",
            Some(&d),
            &format!("{fields}&action=preview"),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(stored(&c).await, demo_alerts, "a preview publishes nothing");
    let published = c
        .post(
            "/console/warnings/new",
            Some(&d),
            &format!("{fields}&action=publish"),
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let page = c.get(&published.location, &d).await;
    assert!(
        page.body.contains("Đang hiệu lực") && page.body.contains("Hủy cảnh báo này"),
        "{}",
        page.body
    );
    let identifier = published
        .location
        .rsplit('/')
        .next()
        .expect("id")
        .to_owned();
    // Through the same path as the API: in the public feed with both languages and its areas.
    let key = identifier.clone();
    let record =
        c.db.read(move |c| hues_server::alerts::alert_record(c, &key))
            .await
            .expect("read")
            .expect("stored");
    assert_eq!(record.infos.len(), 2);
    assert_eq!(
        record.infos[0].areas[0].polygons.len(),
        2,
        "the ward and the drawn area"
    );
    // Cancel it from its page.
    let cancel = c
        .get(&format!("/console/warnings/new?cancel={identifier}"), &d)
        .await;
    assert!(cancel.body.contains("Hủy cảnh báo") && cancel.body.contains(&identifier));
    let cancelled = c
        .post(
            "/console/warnings/new",
            Some(&d),
            &(fields
                .replace(
                    "msg_type=Alert&references=",
                    &format!("msg_type=Cancel&references={identifier}"),
                )
                .replace("&ward=19789", "")
                + "&action=publish"),
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let old = c.get(&format!("/console/warnings/{identifier}"), &d).await;
    assert!(old.body.contains("Đã hủy"), "{}", old.body);
    // A cancelled warning cannot be cancelled (or updated) again.
    let twice = c
        .post(
            "/console/warnings/new",
            Some(&d),
            &(fields.replace(
                "msg_type=Alert&references=",
                &format!("msg_type=Cancel&references={identifier}"),
            ) + "&action=publish"),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("còn hiệu lực"), "{}", twice.body);
}

#[tokio::test]
async fn the_dossier_desk_receives_moves_on_requests_documents_and_apologises() {
    let c = Console::new();
    let officer = c.sign_in("canbo.thuanhoa").await;
    // The desk shows the ward's late dossier, not another ward's.
    let desk = c.get("/console/dossiers", &officer).await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.body.contains("HS-2026-000102"), "{}", desk.body);
    assert!(
        !desk.body.contains("HS-2026-000103"),
        "Vỹ Dạ's is not theirs"
    );
    assert_eq!(
        c.get("/console/dossiers/HS-2026-000103", &officer)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Receiving one: a wrong code is refused in words, the form kept.
    let bad = c
        .post(
            "/console/dossiers",
            Some(&officer),
            "code=%3F%3F&procedure=thuong-tru&unit=ubnd-thuan-hoa&phone=0905123456",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Chưa lưu được") && bad.body.contains("0905123456"));
    let got = c
        .post(
            "/console/dossiers",
            Some(&officer),
            "code=HS-2026-000900&procedure=thuong-tru&unit=ubnd-thuan-hoa&phone=0905123456",
        )
        .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    assert_eq!(got.location, "/console/dossiers/HS-2026-000900");
    let page = c.get(&got.location, &officer).await;
    assert!(page.body.contains("Đã tiếp nhận") && page.body.contains("Yêu cầu bổ sung hồ sơ"));
    // Asking for documents needs to say which.
    let vague = c
        .post(
            "/console/dossiers/HS-2026-000900/state",
            Some(&officer),
            "state=supplement_requested&note=",
        )
        .await;
    assert_eq!(vague.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = c
        .post(
            "/console/dossiers/HS-2026-000900/state",
            Some(&officer),
            "state=supplement_requested&note=B%E1%BB%95+sung+s%E1%BB%95+h%E1%BB%99+kh%E1%BA%A9u",
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Bổ sung sổ hộ khẩu") && asked.body.contains("Đã chuyển bước"));
    // The overdue one: an apology with a new working day.
    let late = c.get("/console/dossiers/HS-2026-000102", &officer).await;
    assert!(
        late.body.contains("Phiếu xin lỗi và hẹn lại"),
        "{}",
        late.body
    );
    let mut day = chrono::Utc::now().date_naive() + chrono::Duration::days(3);
    let cal = hues_wire::calendar::Calendar::vietnam();
    while !cal.is_working_day(day) {
        day += chrono::Duration::days(1);
    }
    let sorry = c
        .post(
            "/console/dossiers/HS-2026-000102/apology",
            Some(&officer),
            &format!("reason=M%C6%B0a+l%C5%A9&new_appointment={day}"),
        )
        .await;
    assert_eq!(sorry.status, StatusCode::OK, "{}", sorry.body);
    assert!(sorry.body.contains("Đã ghi phiếu xin lỗi"));
    let log = c.get("/console/audit", &c.sign_in("quantri").await).await;
    assert!(
        log.body.contains("dossier.receive") && log.body.contains("dossier.apology"),
        "{}",
        log.body
    );
}

#[tokio::test]
async fn a_merged_case_tells_its_reporter_and_its_followers_follow_the_survivor() {
    let c = Console::new();
    let survivor = c
        .report(Some("ubnd-thuan-hoa"), "Đèn đường tắt cả dãy")
        .await;
    let twin = c
        .report(Some("ubnd-thuan-hoa"), "Đèn tắt trước nhà tôi")
        .await;
    let elsewhere = c.report(Some("ubnd-phu-xuan"), "Đèn hỏng").await;
    let officer = c.sign_in("canbo.thuanhoa").await;
    // Into a case the officer may not read: refused, as if it did not exist.
    let refused = c
        .post(
            &format!("/console/cases/{twin}/merge"),
            Some(&officer),
            &format!("into={elsewhere}"),
        )
        .await;
    assert!(
        refused.body.contains("Không có đúng một phản ánh"),
        "{}",
        refused.body
    );
    let merged = c
        .post(
            &format!("/console/cases/{twin}/merge"),
            Some(&officer),
            &format!("into={survivor}"),
        )
        .await;
    assert!(
        merged.status.is_success() || merged.status == StatusCode::SEE_OTHER,
        "{}",
        merged.body
    );
    let (t, s) = (twin.clone(), survivor.clone());
    let (status, dup_of, follows, note): (String, Option<String>, i64, String) =
        c.db.read(move |db| {
            Ok(db.query_row(
                "SELECT r.status, e.duplicate_of,
                        (SELECT count(*) FROM followers f WHERE f.report_id = ?2
                           AND f.device_id = r.device_id),
                        e.note
                 FROM reports r JOIN report_events e ON e.report_id = r.id
                 WHERE r.id = ?1 ORDER BY e.id DESC LIMIT 1",
                rusqlite::params![t, s],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .await
        .expect("merged case");
    assert_eq!(status, "duplicate");
    assert_eq!(dup_of.as_deref(), Some(survivor.as_str()));
    assert_eq!(
        follows, 1,
        "the merged case's reporter follows the survivor"
    );
    assert!(
        note.contains("trùng với phản ánh #"),
        "the citizen is told: {note}"
    );
    // The duplicate cannot become a survivor: no case is a duplicate of its own duplicate.
    let back = c
        .post(
            &format!("/console/cases/{survivor}/merge"),
            Some(&officer),
            &format!("into={twin}"),
        )
        .await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_unit_in_the_url_or_a_token_never_widens_what_one_may_reach() {
    let c = Console::new();
    c.report(Some("ubnd-phu-xuan"), "Vỉa hè Phú Xuân bị lấn chiếm")
        .await;
    let officer = c.sign_in("canbo.thuanhoa").await;
    let q = c.get("/console/?unit=ubnd-phu-xuan", &officer).await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(
        !q.body.contains("Vỉa hè Phú Xuân"),
        "another unit's case listed"
    );
    // A staff token on the operator dossier API: another ward's dossier is not said to exist,
    // the own ward's moves on, and the deadlines are the own ward's.
    let token = c.api_token(&officer).await;
    let step = |code: &str| {
        (
            format!("/api/v1/operator/dossiers/{code}/state"),
            br#"{"state":"result_ready"}"#.to_vec(),
        )
    };
    let (path, body) = step("HS-2026-000103");
    let other = c
        .raw("POST", &path, Some(&token), "application/json", body)
        .await;
    assert_eq!(other, StatusCode::NOT_FOUND);
    let (path, body) = step("HS-2026-000102");
    let own = c
        .raw("POST", &path, Some(&token), "application/json", body)
        .await;
    assert_eq!(own, StatusCode::OK);
    let late = c
        .api_get("/api/v1/operator/dossiers/deadlines", &token)
        .await;
    assert!(
        late.as_array().is_some_and(|units| units
            .iter()
            .all(|u| u["unit_vi"] == "Ủy ban nhân dân phường Thuận Hóa")),
        "{late}"
    );
}

#[tokio::test]
async fn the_live_stream_names_new_cases_and_ends_with_the_session() {
    let c = Console::new();
    let d = c.sign_in("dieuphoi").await;
    let req = Request::builder()
        .uri("/console/events")
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("hues_staff={d}"))
        .body(Body::empty())
        .expect("request");
    let res = c.app.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let id = c.report(Some("ubnd-thuan-hoa"), "Ngập trước chợ").await;
    let mut seen = String::new();
    while !seen.contains(&id) {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
            .await
            .expect("an event within 5 s")
            .expect("stream open")
            .expect("frame");
        if let Ok(data) = frame.into_data() {
            seen.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(seen.contains("event: case"), "{seen}");
    // Signed out: at the next commit the stream ends.
    c.post("/console/logout", Some(&d), "").await;
    c.report(None, "Rác").await;
    tokio::time::timeout(std::time::Duration::from_secs(5), body.collect())
        .await
        .expect("the stream ends with its session")
        .expect("body");
}

/// Every row of `permissions::TABLE` (console and operator API) × every demo role × a case of
/// one's own unit and of another: allowed, or refused with 403 (a role that may not) or 404
/// (a case that is not one's own). A route added to the router without a row cannot be built
/// (console) or answers 500 (operator API), and every operator route of the OpenAPI document
/// must have a row.
#[tokio::test]
async fn every_route_every_role_own_and_other_unit() {
    let c = Console::new();
    // Two cases, each with a photo: one of Thuận Hóa, one of Phú Xuân.
    let device = c.device().await;
    let photo = jpeg();
    let sha = c.upload(&device, photo).await;
    let mut cases = Vec::new();
    for unit in ["ubnd-thuan-hoa", "ubnd-phu-xuan"] {
        let id = c
            .photo_report(&device, &sha, "street_light", "Đèn hỏng")
            .await;
        let (rid, u) = (id.clone(), unit.to_owned());
        c.db.run(move |db| {
            db.execute(
                "UPDATE reports SET unit_id = ?2 WHERE id = ?1",
                rusqlite::params![rid, u],
            )?;
            Ok(())
        })
        .await
        .expect("owner");
        cases.push(id);
    }
    let (thuan_hoa, phu_xuan) = (cases[0].clone(), cases[1].clone());
    let code: String =
        c.db.run(|db| Ok(db.query_row("SELECT code FROM dossiers LIMIT 1", [], |r| r.get(0))?))
            .await
            .expect("a demo dossier");

    // Every operator route of the API description has its rule.
    let doc: serde_json::Value =
        serde_json::from_str(hues_server::openapi_document()).expect("openapi");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let operator = op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == "operator"));
            if operator {
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                assert!(
                    permissions::rule(&m, path).is_some(),
                    "{method} {path} has no row in permissions::TABLE"
                );
            }
        }
    }

    let mut checked = 0;
    for (username, _, role, unit, _) in DEMO_STAFF {
        let cookie = c.sign_in(username).await;
        let token = c.api_token(&cookie).await;
        // "Own" is the case of one's unit (for the city's roles, Thuận Hóa's; both are theirs).
        let (own, other) = if *unit == "ubnd-phu-xuan" {
            (&phu_xuan, &thuan_hoa)
        } else {
            (&thuan_hoa, &phu_xuan)
        };
        for entry in permissions::TABLE {
            // Signing out would end the session the rest of the walk needs: it is Open, and
            // checked (with every Open route) without a session below.
            if entry.rule == Rule::Open {
                continue;
            }
            for (case, is_own) in [(own, true), (other, false)] {
                let path = entry
                    .path
                    .replace("{id}", case)
                    .replace("{sha}", &sha)
                    .replace("{code}", &code)
                    .replace("{token}", "0123456789ab")
                    .replace("{file}", "console.css")
                    .replace("{lang}", "vi");
                let api = path.starts_with("/api/");
                let a = if api {
                    let body = if entry.method == Method::GET {
                        Vec::new()
                    } else {
                        b"{}".to_vec()
                    };
                    c.raw(
                        entry.method.as_str(),
                        &path,
                        Some(&token),
                        "application/json",
                        body,
                    )
                    .await
                } else if entry.method == Method::GET {
                    c.get(&path, &cookie).await.status
                } else {
                    c.post(&path, Some(&cookie), "").await.status
                };
                let case_rule = matches!(
                    entry.rule,
                    Rule::ReadCase | Rule::ChangeCase | Rule::OverseeCase
                );
                let refused = a == StatusCode::FORBIDDEN
                    || a == StatusCode::UNAUTHORIZED
                    || (case_rule && a == StatusCode::NOT_FOUND);
                let want = expected(entry.rule, *role, is_own);
                assert_eq!(
                    !refused,
                    want,
                    "{} {} as {username} ({}) on {} case: {a}",
                    entry.method,
                    entry.path,
                    role.as_str(),
                    if is_own { "own" } else { "other" }
                );
                if !want && case_rule {
                    // Another unit's case is not said to exist; a readable one is only forbidden.
                    let is_404 = a == StatusCode::NOT_FOUND;
                    assert_eq!(
                        is_404,
                        !expected(Rule::ReadCase, *role, is_own),
                        "{} as {username}",
                        entry.path
                    );
                }
                checked += 1;
            }
        }
    }
    // The open routes, without a session: never refused.
    for entry in permissions::TABLE.iter().filter(|e| e.rule == Rule::Open) {
        let path = entry
            .path
            .replace("{file}", "console.css")
            .replace("{lang}", "en");
        let a = c
            .send(
                entry.method.as_str(),
                &path,
                None,
                (entry.method == Method::POST).then_some(""),
                Some(ORIGIN),
            )
            .await;
        assert!(
            !matches!(
                a.status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
            ),
            "{} {}: {}",
            entry.method,
            entry.path,
            a.status
        );
    }
    // Without a session, every other console route sends the browser to sign in.
    for entry in permissions::TABLE
        .iter()
        .filter(|e| e.rule != Rule::Open && e.path.starts_with("/console"))
    {
        let path = entry
            .path
            .replace("{id}", &thuan_hoa)
            .replace("{sha}", &sha)
            .replace("{token}", "0123456789ab");
        let a = c
            .send(
                entry.method.as_str(),
                &path,
                None,
                (entry.method == Method::POST).then_some(""),
                Some(ORIGIN),
            )
            .await;
        assert_eq!(
            (a.status, a.location.as_str()),
            (StatusCode::SEE_OTHER, "/console/login"),
            "{} {}",
            entry.method,
            entry.path
        );
    }
    // And a citizen's token on an operator route is refused, no token is unknown.
    for entry in permissions::TABLE
        .iter()
        .filter(|e| e.path.starts_with("/api/"))
    {
        let path = entry
            .path
            .replace("{id}", &thuan_hoa)
            .replace("{code}", &code);
        let body = if entry.method == Method::GET {
            Vec::new()
        } else {
            b"{}".to_vec()
        };
        assert_eq!(
            c.raw(
                entry.method.as_str(),
                &path,
                Some(&device),
                "application/json",
                body.clone()
            )
            .await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            c.raw(entry.method.as_str(), &path, None, "application/json", body)
                .await,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    assert!(checked > 300, "{checked} checks");
}

/// Issue 16: the damage citizens report from a warning's page is seen together: the warning's
/// page in the console counts it and links to the queue showing those reports only.
#[tokio::test]
async fn the_damage_reported_for_a_warning_is_seen_together() {
    let c = Console::new();
    let alert: String =
        c.db.read(|c| {
            Ok(c.query_row(
                "SELECT identifier FROM alerts WHERE published = 1 AND record IS NOT NULL
                 ORDER BY sent DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("a demo alert");
    let device = c.device().await;
    let (st, body) = c
        .api_json(
            "POST",
            "/api/v1/reports",
            &device,
            Some(serde_json::json!({
                "id": "01937a4e-0000-7000-8000-00000000da01",
                "category": "flooding",
                "description": "Sạt lở bờ kè sau lũ",
                "latitude": 16.465,
                "longitude": 107.597,
                "created_at": "2026-11-22T09:00:00Z",
                "attributes": { "depth_cm": "30" },
                "place": { "alert": alert },
            })),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    c.report(None, "Đèn đường hỏng, không liên quan").await;

    let d = c.sign_in("dieuphoi").await;
    let page = c
        .get(
            &format!(
                "/console/warnings/{}",
                serde_urlencoded::to_string([("x", alert.as_str())])
                    .expect("encode")
                    .trim_start_matches("x=")
            ),
            &d,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("1 phản ánh báo thiệt hại"),
        "{}",
        page.body
    );
    let link = format!(
        "/console/?{}",
        serde_urlencoded::to_string([("alert", alert.as_str())]).expect("encode")
    );
    assert!(page.body.contains(&link.replace('&', "&#38;")) || page.body.contains(&link));
    let queue = c.get(&link, &d).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Sạt lở bờ kè sau lũ"), "{}", queue.body);
    assert!(
        queue.body.contains("id=\"queue-alert\""),
        "the filter is said"
    );
    assert!(!queue.body.contains("Đèn đường hỏng, không liên quan"));
}
