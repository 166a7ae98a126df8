//! The city console in a real browser (Chromium under ChromeDriver) against the real
//! `hues-server --demo`: a resident's report that no rule routes waits for the dispatcher, who
//! passes it to the ward; the ward's officer answers and resolves it; the resident's device reads
//! the answer from the server. axe-core checks every page at 1280 px and at 640 px (what 200 %
//! zoom leaves of a 1280 px window), where nothing may need sideways scrolling.

use std::time::Duration;

use hues_system_tests::ServerProcess;
use hues_system_tests::browser::Browser;
use serde_json::{Value, json};

const PASSWORD: &str = "Hue-demo-2026";

/// The demo admin's TOTP secret, as `hues-server --demo` prints it.
const ADMIN_SECRET: &str = "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK";

async fn check_page(b: &Browser, name: &str) {
    let violations = b.axe().await.expect("axe");
    assert!(violations.is_empty(), "{name}: {violations:#?}");
    b.client.set_window_size(640, 900).await.expect("narrow");
    assert!(b.fits_width().await.expect("width"), "{name} at 640 px");
    let violations = b.axe().await.expect("axe");
    assert!(violations.is_empty(), "{name} at 640 px: {violations:#?}");
    b.client.set_window_size(1280, 900).await.expect("wide");
}

async fn sign_in(b: &Browser, url: &str, user: &str) {
    b.goto(&format!("{url}/console/login"))
        .await
        .expect("login page");
    b.fill("#username", user).await.expect("user");
    b.fill("#password", PASSWORD).await.expect("password");
    b.click("#login-submit").await.expect("submit");
}

async fn sign_out(b: &Browser) {
    b.click("header form button").await.expect("sign out");
    b.wait_text("Đăng nhập bàn điều hành")
        .await
        .expect("signed out");
}

fn totp_now(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32");
    let totp = totp_rs::Builder::new()
        .with_digits(6)
        .with_secret(secret)
        .build()
        .expect("totp");
    let now = u64::try_from(chrono::Utc::now().timestamp()).expect("time");
    totp.generate(now).to_string()
}

#[tokio::test]
async fn a_report_is_dispatched_answered_and_resolved_from_the_console_in_a_real_browser() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(data.path(), 0).await.expect("server");
    let url = server.url();
    let http = reqwest::Client::new();
    // A resident reports something no rule routes.
    let device: Value = http
        .post(format!("{url}/api/v1/devices"))
        .json(&json!({"platform": "test"}))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("token");
    let token = device["token"].as_str().expect("token").to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let sent = http
        .post(format!("{url}/api/v1/reports"))
        .bearer_auth(&token)
        .json(&json!({
            "id": id, "category": "other",
            "description": "Biển báo giao thông bị che khuất trước số 20 Lê Lợi",
            "latitude": 16.4627, "longitude": 107.5868, "created_at": "2026-11-21T08:00:00Z"
        }))
        .send()
        .await
        .expect("report");
    assert!(sent.status().is_success(), "{}", sent.status());

    let b = Browser::start().await.expect("chromium");
    b.goto(&format!("{url}/console/")).await.expect("console");
    b.wait_text("Đăng nhập bàn điều hành")
        .await
        .expect("to the login page");
    check_page(&b, "login").await;

    // The dispatcher sees it among the unrouted and passes it to the ward.
    sign_in(&b, &url, "dieuphoi").await;
    b.wait_text("Hàng đợi phản ánh").await.expect("queue");
    check_page(&b, "queue").await;
    b.goto(&format!("{url}/console/?unrouted=1"))
        .await
        .expect("unrouted");
    let queue = b
        .wait_text("Biển báo giao thông")
        .await
        .expect("the report");
    assert!(queue.contains("Chưa phân công"), "{queue}");
    b.click(&format!("#case-{id} a")).await.expect("open");
    b.wait_text("Lịch sử phân công").await.expect("case page");
    assert!(
        b.body()
            .await
            .expect("text")
            .contains("không có quy tắc phù hợp")
    );
    check_page(&b, "case").await;
    let select = b
        .client
        .find(fantoccini::Locator::Css("#route-to"))
        .await
        .expect("select");
    select
        .select_by_value("ubnd-thuan-hoa")
        .await
        .expect("Thuận Hóa");
    b.fill("#route-reason", "Thuộc địa bàn phường Thuận Hóa")
        .await
        .expect("reason");
    b.click("#case-reroute").await.expect("pass on");
    b.wait_text("Đã chuyển tiếp.").await.expect("passed on");
    sign_out(&b).await;

    // The ward's officer answers and resolves it.
    sign_in(&b, &url, "canbo.thuanhoa").await;
    b.wait_text("Biển báo giao thông")
        .await
        .expect("in the ward's queue");
    b.click(&format!("#case-{id} a")).await.expect("open");
    b.wait_text("Cập nhật trạng thái").await.expect("case page");
    b.client
        .find(fantoccini::Locator::Css("#new-status"))
        .await
        .expect("status")
        .select_by_value("resolved")
        .await
        .expect("resolved");
    b.fill("#note", "Đã cắt tỉa cây che biển báo.")
        .await
        .expect("reply");
    b.click("#case-save").await.expect("save");
    b.wait_text("Đã cập nhật.").await.expect("saved");
    sign_out(&b).await;

    // The resident's device reads the answer.
    let mine: Value = http
        .get(format!("{url}/api/v1/reports/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("read")
        .json()
        .await
        .expect("json");
    assert_eq!(mine["status"], "resolved", "{mine}");
    assert!(mine.to_string().contains("Đã cắt tỉa cây che biển báo."));

    // The admin, with the second factor, reads it all in the audit log, in English.
    sign_in(&b, &url, "quantri").await;
    b.wait_text("Xác thực hai lớp")
        .await
        .expect("second factor");
    check_page(&b, "second factor").await;
    b.fill("#code", &totp_now(ADMIN_SECRET))
        .await
        .expect("code");
    b.click("#totp-submit").await.expect("confirm");
    b.wait_text("Hàng đợi phản ánh").await.expect("signed in");
    b.click("a[href='/console/lang/en']")
        .await
        .expect("English");
    b.wait_text("Report queue").await.expect("in English");
    b.goto(&format!("{url}/console/audit"))
        .await
        .expect("audit");
    let log = b.wait_text("case.route").await.expect("audit log");
    assert!(
        log.contains("case.status") && log.contains("canbo.thuanhoa"),
        "{log}"
    );
    check_page(&b, "audit log").await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    b.close().await.expect("close");
}
