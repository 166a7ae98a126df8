//! The city console in a real browser (Chromium under ChromeDriver) against the real
//! `hues-server --demo`, together with the real app (WebKitGTK under Xvfb, through
//! tauri-driver): a resident reports from the app; the report appears, without a reload, in the
//! queue of the unit its rule routes it to; the dispatcher passes it to the ward; the ward's
//! officer answers from a template and resolves it with a photo of the work; the app shows the
//! answer and the photo; the resident rates it and the console shows the rating. axe-core
//! checks every page at 1280 px and at 640 px (what 200 % zoom leaves of a 1280 px window),
//! where nothing may need sideways scrolling.

use std::time::Duration;

use fantoccini::Locator;
use hues_system_tests::browser::Browser;
use hues_system_tests::webdriver::AppSession;
use hues_system_tests::{ServerProcess, eventually};

const PASSWORD: &str = "Hue-demo-2026";

/// The demo admin's TOTP secret, as `hues-server --demo` prints it.
const ADMIN_SECRET: &str = "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK";

async fn check_page(b: &Browser, name: &str) {
    let violations = b.axe().await.expect("axe");
    assert!(violations.is_empty(), "{name}: {violations:#?}");
    b.client.set_window_size(640, 900).await.expect("narrow");
    assert!(
        b.fits_width().await.expect("width"),
        "{name} at 640 px: {:?}",
        b.too_wide().await
    );
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
async fn a_report_from_the_app_is_dispatched_answered_resolved_and_rated_through_the_console() {
    assert!(
        hues_system_tests::vendor_dir().is_some(),
        "the console loads htmx from the UI bundle: build it first (./x dist)"
    );
    const WAIT: Duration = Duration::from_secs(30);
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(&data.path().join("server"), 0)
        .await
        .expect("server");
    let url = server.url();

    // The console first: the login page, then the dispatcher's view of the tree company's queue.
    let b = Browser::start().await.expect("chromium");
    b.goto(&format!("{url}/console/")).await.expect("console");
    b.wait_text("Đăng nhập bàn điều hành")
        .await
        .expect("to the login page");
    check_page(&b, "login").await;
    sign_in(&b, &url, "dieuphoi").await;
    b.wait_text("Hàng đợi phản ánh").await.expect("queue");
    check_page(&b, "queue").await;
    for (name, path, text) in [
        ("bell", "/console/bell", "Thông báo"),
        ("overdue", "/console/overdue", "Phản ánh quá hạn"),
        ("tokens", "/console/tokens", "Mã API của bạn"),
        ("new case", "/console/new", "Tiếp nhận"),
        ("warnings", "/console/warnings", "Cảnh báo cho người dân"),
        (
            "an alert",
            "/console/warnings/HUE-2026-LU-SONG-HUONG-01",
            "Bản tin CAP 1.2",
        ),
        ("a refusal", "/console/admin", "Không có quyền"),
        ("applications", "/console/dossiers", "Bàn tiếp nhận hồ sơ"),
        (
            "an application",
            "/console/dossiers/HS-2026-000102",
            "Quá trình xử lý",
        ),
        ("warning form", "/console/warnings/new", "Khu vực cảnh báo"),
        (
            "performance",
            "/console/performance",
            "Hiệu quả theo đơn vị",
        ),
        ("hot issues", "/console/hot", "Điểm nóng"),
        ("listening", "/console/listening", "Người dân nói gì"),
        ("messages", "/console/conversations", "Tin nhắn từ Zalo"),
        (
            "citizens' accounts",
            "/console/citizens?phone=0912345678",
            "Không có tài khoản nào với số này",
        ),
        (
            "public figures",
            "/city/performance",
            "Các đơn vị của thành phố",
        ),
    ] {
        b.goto(&format!("{url}{path}")).await.expect(name);
        b.wait_text(text).await.expect(name);
        check_page(&b, name).await;
    }
    b.goto(&format!("{url}/console/?unit=cty-cay-xanh&sort=new"))
        .await
        .expect("the tree company's queue");
    b.wait_text("Hàng đợi phản ánh").await.expect("queue");

    // A resident reports a fallen branch from the app.
    let picture = data.path().join("cay-da-cat.jpg");
    std::fs::write(
        &picture,
        hues_core::photo::testdata::jpeg_with_exif(640, 480, 1, None),
    )
    .expect("the work's photo");
    let app = AppSession::start(&[
        (
            "HUES_DATA_DIR",
            data.path().join("app").display().to_string(),
        ),
        ("HUES_SERVER_URL", url.clone()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
    ])
    .await
    .expect("app under WebDriver");
    app.wait_text("#sync-online", "Trực tuyến", WAIT)
        .await
        .expect("online");
    app.click("#nav-report").await.expect("report tab");
    // The form asks first whether position and photos may go to the city.
    app.agree_to_send().await.expect("consent asked");
    eventually(WAIT, "synced categories in the form", || async {
        Ok(app
            .client
            .find(Locator::Css("#category option[value='trees']"))
            .await
            .is_ok())
    })
    .await
    .expect("categories");
    app.find("#category")
        .await
        .expect("category")
        .select_by_value("trees")
        .await
        .expect("trees");
    let description = "Cành cây gãy che biển báo trước số 20 Lê Lợi";
    app.fill("#description", description)
        .await
        .expect("description");
    app.fill("#latitude", "16,4627").await.expect("latitude");
    app.fill("#longitude", "107,5868").await.expect("longitude");
    app.click("#report-submit").await.expect("submit");
    app.wait_text("#report-outcome", "Đã lưu phản ánh trên máy", WAIT)
        .await
        .expect("saved");

    // It appears in the open queue, live, routed by the rule for trees.
    b.wait_text_within(description, WAIT)
        .await
        .expect("the report, live in the queue");
    let id = eventually_id(&server, description).await;
    b.click(&format!("#case-{id} a")).await.expect("open");
    b.wait_text("Lịch sử phân công").await.expect("case page");
    assert!(b.body().await.expect("text").contains("Đội cây xanh"));
    check_page(&b, "case").await;
    // A fallen branch on a ward street is the ward's: the dispatcher passes it on.
    b.client
        .find(Locator::Css("#route-to"))
        .await
        .expect("select")
        .select_by_value("ubnd-thuan-hoa")
        .await
        .expect("Thuận Hóa");
    b.fill("#route-reason", "Cành nhỏ trên đường phường, phường xử lý")
        .await
        .expect("reason");
    b.click("#case-reroute").await.expect("pass on");
    b.wait_text("Đã chuyển tiếp.").await.expect("passed on");
    sign_out(&b).await;

    // The ward's officer answers from a template, previews it, and resolves it with a photo.
    sign_in(&b, &url, "canbo.thuanhoa").await;
    b.wait_text(description).await.expect("in the ward's queue");
    b.click(&format!("#case-{id} a")).await.expect("open");
    b.wait_text("Trả lời người dân").await.expect("case page");
    b.client
        .find(Locator::Css("#reply-template"))
        .await
        .expect("templates")
        .select_by_label("Đã cắt tỉa cây")
        .await
        .expect("the trees template");
    b.click("#reply-preview-button").await.expect("preview");
    let preview = b
        .wait_text("Người dân sẽ thấy trong ứng dụng")
        .await
        .expect("preview");
    assert!(preview.contains("đã cắt tỉa cây tại"), "{preview}");
    check_page(&b, "case with a preview").await;
    // Without the photo the category asks for, resolving is refused in words.
    b.click("#reply-send").await.expect("send");
    b.wait_text("chỉ được hoàn thành khi có ảnh")
        .await
        .expect("photo required");
    b.client
        .find(Locator::Css("#reply-photo"))
        .await
        .expect("file input")
        .send_keys(&picture.display().to_string())
        .await
        .expect("the photo");
    b.click("#reply-send").await.expect("send");
    b.wait_text("Đã gửi trả lời").await.expect("replied");

    // The app shows the answer and the city's photo after sync; the resident rates it.
    app.click("#nav-me").await.expect("me tab");
    app.click("#me-reports").await.expect("my reports");
    app.wait_text(
        ".report-card[data-state='resolved']",
        "đã cắt tỉa cây tại",
        WAIT,
    )
    .await
    .expect("the answer in the app");
    eventually(WAIT, "the city's photo in the app", || async {
        let loaded = app
            .client
            .execute(
                "const i = document.querySelector(\".report-card[data-state='resolved'] img.step-photo\");\
                 return !!i && i.complete && i.naturalWidth > 0;",
                Vec::new(),
            )
            .await?;
        Ok(loaded.as_bool().unwrap_or(false))
    })
    .await
    .expect("photo");
    app.click(&format!("#rating-satisfied-{id}"))
        .await
        .expect("choose");
    app.fill(&format!("#comment-{id}"), "Cảm ơn phường")
        .await
        .expect("comment");
    app.click(&format!("#rate-{id}")).await.expect("rate");
    app.wait_text(&format!("#rating-{id}"), "Bạn đã đánh giá: Hài lòng", WAIT)
        .await
        .expect("rated");
    app.close().await.expect("close the app");

    // The console shows the rating on the case.
    eventually(WAIT, "the rating in the console", || async {
        b.goto(&format!("{url}/console/cases/{id}")).await?;
        Ok(b.body().await?.contains("Cảm ơn phường"))
    })
    .await
    .expect("rating");
    assert!(b.body().await.expect("text").contains("Hài lòng"));
    sign_out(&b).await;

    // The admin, with the second factor, reads it all in the audit log, in English, and the
    // admin page.
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
    b.goto(&format!("{url}/console/admin"))
        .await
        .expect("admin");
    b.wait_text("Quản trị").await.expect("admin page");
    check_page(&b, "admin").await;
    b.click("a[href='/console/lang/en']")
        .await
        .expect("English");
    b.wait_text("Administration").await.expect("in English");
    b.goto(&format!("{url}/console/audit"))
        .await
        .expect("audit");
    let log = b.wait_text("case.route").await.expect("audit log");
    assert!(
        log.contains("case.reply") && log.contains("canbo.thuanhoa"),
        "{log}"
    );
    check_page(&b, "audit log").await;
    b.close().await.expect("close");
}

/// The id the server gave the report with this description.
async fn eventually_id(server: &ServerProcess, description: &str) -> String {
    let reports = server.reports().await.expect("reports");
    reports
        .iter()
        .find(|r| r.description == description)
        .map(|r| r.id.to_string())
        .expect("the report on the server")
}
