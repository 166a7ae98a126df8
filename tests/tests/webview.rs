//! The built app in its real webview (WebKitGTK under Xvfb), driven through tauri-driver and
//! WebKitWebDriver, against a real `hues-server` process. (6b and 7 of the foundation issue.)

use std::time::Duration;

use fantoccini::Locator;
use hues_system_tests::session_bus::SessionBus;
use hues_system_tests::webdriver::AppSession;
use hues_system_tests::{ServerProcess, eventually, free_port};

const WAIT: Duration = Duration::from_secs(30);

/// The app after its first sync with a real server, which then stops: the citizen is offline.
struct WentOffline {
    app: AppSession,
    env: Vec<(&'static str, String)>,
    server_dir: std::path::PathBuf,
    port: u16,
}

async fn app_that_went_offline(data: &std::path::Path, screenshot: Option<&str>) -> WentOffline {
    let server_dir = data.join("server");
    let port = free_port().expect("port");
    let server = ServerProcess::start(&server_dir, port)
        .await
        .expect("server");
    let env = vec![
        ("HUES_DATA_DIR", data.join("app").display().to_string()),
        ("HUES_SERVER_URL", server.url()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
    ];
    let app = AppSession::start(&env).await.expect("app under WebDriver");
    // First contact: online, categories synced.
    app.wait_text("#sync-online", "Trực tuyến", WAIT)
        .await
        .expect("online");
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");
    if let Some(name) = screenshot {
        app.screenshot(name).await.expect("screenshot");
    }
    // The network goes: the server stops.
    server.stop().await.expect("stop server");
    app.wait_text("#sync-online", "Ngoại tuyến", WAIT)
        .await
        .expect("offline");
    WentOffline {
        app,
        env,
        server_dir,
        port,
    }
}

/// Settings for an app whose server address answers nothing: it works offline from the start.
fn never_online(data: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("HUES_DATA_DIR", data.join("app").display().to_string()),
        (
            "HUES_SERVER_URL",
            format!("http://127.0.0.1:{}", free_port().expect("port")),
        ),
    ]
}

/// Me → My reports.
async fn open_my_reports(app: &AppSession) {
    app.click("#nav-me").await.expect("me tab");
    app.click("#me-reports").await.expect("my reports");
}

/// Answers the form's consent questions with yes (what a citizen sending a report does; the
/// rule itself is tested by `a_citizen_signs_in…`).
async fn agree_to_send(app: &AppSession) {
    if let Err(e) = app.agree_to_send().await {
        let shot = app.screenshot("consent-missing").await;
        panic!("consent asked before the first report: {e:#}; {shot:?}");
    }
}

/// Opens the report form once the synced categories are in it, answers the consent questions,
/// and chooses `category`.
async fn open_report_form(app: &AppSession, category: &str) {
    app.click("#nav-report").await.expect("report tab");
    agree_to_send(app).await;
    choose_category(app, category).await;
}

/// On the report form: chooses `category` once the synced categories are in it.
async fn choose_category(app: &AppSession, category: &str) {
    let select = app.find("#category").await.expect("category select");
    let option = format!("#category option[value='{category}']");
    eventually(WAIT, "synced categories in the form", || async {
        Ok(app.client.find(Locator::Css(&option)).await.is_ok())
    })
    .await
    .expect("categories");
    select
        .select_by_value(category)
        .await
        .expect("choose category");
}

#[tokio::test]
async fn offline_report_is_delivered_once_and_followed_in_both_languages() {
    let data = tempfile::tempdir().expect("tempdir");
    let WentOffline {
        app,
        server_dir,
        port,
        ..
    } = app_that_went_offline(data.path(), Some("home")).await;
    open_report_form(&app, "flooding").await;
    let description = "Nước ngập sâu 40 cm trước chợ Đông Ba";
    app.fill("#description", description)
        .await
        .expect("description");
    // The category's extra question (Open311 attribute), required for flooding.
    app.fill("#attr-depth_cm", "40").await.expect("depth");
    app.fill("#latitude", "95").await.expect("latitude");
    app.fill("#longitude", "107,5885").await.expect("longitude");

    // Bad input: a translated message, and nothing typed is lost.
    app.click("#report-submit").await.expect("submit");
    app.wait_text("#latitude-error", "Tọa độ nằm ngoài phạm vi", WAIT)
        .await
        .expect("latitude error shown");
    let kept = app
        .find("#description")
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some(description));
    assert_eq!(
        app.find("#latitude")
            .await
            .expect("field")
            .attr("aria-invalid")
            .await
            .expect("attr")
            .as_deref(),
        Some("true")
    );
    app.screenshot("report-error").await.expect("screenshot");

    app.fill("#latitude", "16,4728").await.expect("latitude");
    app.click("#report-submit").await.expect("submit");
    app.wait_text("#report-outcome", "Đã lưu phản ánh trên máy", WAIT)
        .await
        .expect("saved on this device");
    app.open_sync_details().await.expect("sync details");
    app.wait_text("#sync-waiting", "1 phản ánh chờ gửi", WAIT)
        .await
        .expect("one waiting");
    app.screenshot("report-saved").await.expect("screenshot");

    open_my_reports(&app).await;
    app.wait_text(".report-card[data-state='saved']", "Đã lưu trên máy", WAIT)
        .await
        .expect("saved on this device in My reports");
    app.screenshot("my-reports-offline")
        .await
        .expect("screenshot");

    // The network comes back: same server, same database.
    let server = ServerProcess::start(&server_dir, port)
        .await
        .expect("server again");
    app.wait_text(
        ".report-card[data-state='received']",
        "Thành phố đã tiếp nhận",
        WAIT,
    )
    .await
    .expect("received by the city");
    app.open_sync_details().await.expect("sync details");
    app.wait_text("#sync-waiting", "Không có phản ánh chờ gửi", WAIT)
        .await
        .expect("none waiting");
    assert_eq!(
        server.report_rows().expect("rows"),
        1,
        "exactly one record on the server"
    );
    let stored = server.reports().await.expect("reports");
    assert_eq!(stored[0].description, description);
    assert_eq!(stored[0].category, "flooding");
    assert_eq!(
        stored[0].attributes.get("depth_cm").map(String::as_str),
        Some("40")
    );

    // The city moves it along; the app shows it after sync.
    let note = "Đã điều xe bơm nước đến hiện trường";
    server
        .set_status(&stored[0].id.to_string(), "in_progress", note)
        .await
        .expect("operator");
    app.wait_text(".report-card[data-state='in_progress']", note, WAIT)
        .await
        .expect("status change shown");
    app.wait_text(".report-card", "Đang giải quyết", WAIT)
        .await
        .expect("status text");
    app.screenshot("my-reports").await.expect("screenshot");

    // Home says the city answered, first; My activity has the report, opening its own page.
    app.click("#nav-home").await.expect("home");
    app.wait_text("#needs-me", "Thành phố đã trả lời", WAIT)
        .await
        .expect("needs me first");
    app.screenshot("home").await.expect("screenshot");
    app.click("#home-activity").await.expect("activity");
    app.wait_text(".activity", "Đang giải quyết", WAIT)
        .await
        .expect("activity line");
    app.screenshot("activity").await.expect("screenshot");
    app.click(".activity-link").await.expect("open the report");
    app.wait_text(".report-card", note, WAIT)
        .await
        .expect("the report's own page");

    // English, remembered as a setting.
    app.click("#nav-me").await.expect("me tab");
    app.click("#me-settings").await.expect("settings");
    app.find("#language")
        .await
        .expect("language")
        .select_by_value("en")
        .await
        .expect("english");
    app.wait_text("#nav-home", "Home", WAIT)
        .await
        .expect("English navigation");
    app.wait_text("#page-title", "Settings", WAIT)
        .await
        .expect("English title");
    app.wait_text("#sync-online", "Online", WAIT)
        .await
        .expect("English sync state");
    app.screenshot("settings-en").await.expect("screenshot");
    open_my_reports(&app).await;
    app.wait_text(".report-card", "In progress", WAIT)
        .await
        .expect("English status");
    app.screenshot("my-reports-en").await.expect("screenshot");
    app.click("#nav-alerts").await.expect("alerts");
    app.wait_text("#page-title", "Alerts", WAIT)
        .await
        .expect("alerts page");
    app.screenshot("alerts-en").await.expect("screenshot");
    app.click("#nav-map").await.expect("map");
    app.wait_text("#page-title", "Services map", WAIT)
        .await
        .expect("map page");
    app.screenshot("map-en").await.expect("screenshot");
    app.close().await.expect("close");

    // The language survives a restart.
    let app = AppSession::start(&[
        (
            "HUES_DATA_DIR",
            data.path().join("app").display().to_string(),
        ),
        ("HUES_SERVER_URL", server.url()),
    ])
    .await
    .expect("app again");
    app.wait_text("#nav-home", "Home", WAIT)
        .await
        .expect("still English");
    app.close().await.expect("close");
}

#[tokio::test]
async fn typed_draft_survives_a_restart() {
    let data = tempfile::tempdir().expect("tempdir");
    let env = never_online(data.path());
    let app = AppSession::start(&env).await.expect("app");
    app.click("#nav-report").await.expect("report tab");
    app.fill("#description", "Đèn đường hỏng ở kiệt 12")
        .await
        .expect("type");
    app.fill("#latitude", "16.46").await.expect("type");
    // Saving the draft is asynchronous; give it a moment before the app is killed.
    tokio::time::sleep(Duration::from_millis(800)).await;
    app.close().await.expect("close");

    let app = AppSession::start(&env).await.expect("app again");
    app.click("#nav-report").await.expect("report tab");
    let field = app.find("#description").await.expect("field");
    eventually(WAIT, "draft restored", || async {
        Ok(field.prop("value").await?.as_deref() == Some("Đèn đường hỏng ở kiệt 12"))
    })
    .await
    .expect("draft restored");
    let lat = app
        .find("#latitude")
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(lat.as_deref(), Some("16.46"));
    app.close().await.expect("close");
}

/// Every main screen and the taps that open it (from wherever the app is).
const MAIN_SCREENS: [(&str, &[&str]); 16] = [
    ("home", &["#nav-home"]),
    ("report", &["#nav-report"]),
    ("alerts", &["#nav-alerts"]),
    ("map", &["#nav-map"]),
    ("reports-map", &["#nav-map", "#to-reports-map"]),
    ("sights", &["#nav-map", "#to-sights"]),
    ("me", &["#nav-me"]),
    ("activity", &["#nav-me", "#me-activity"]),
    ("account", &["#nav-me", "#me-account"]),
    ("my-reports", &["#nav-me", "#me-reports"]),
    ("my-bookings", &["#nav-me", "#me-bookings"]),
    ("my-dossiers", &["#nav-me", "#me-dossiers"]),
    ("settings", &["#nav-me", "#me-settings"]),
    ("procedures", &["#nav-home", "#group-procedures"]),
    (
        "procedure",
        &["#nav-home", "#group-procedures", "#procedure-gpxd-nha-o"],
    ),
    ("sync-details", &["#nav-home", "#sync-toggle"]),
];

/// The app against a server with the demo data (so that screens hold their real, long texts).
async fn app_with_demo_server(data: &std::path::Path) -> (ServerProcess, AppSession) {
    let server = ServerProcess::start(&data.join("server"), 0)
        .await
        .expect("server");
    let env = vec![
        ("HUES_DATA_DIR", data.join("app").display().to_string()),
        ("HUES_SERVER_URL", server.url()),
    ];
    let app = AppSession::start(&env).await.expect("app");
    (server, app)
}

/// Issue 16: axe-core, injected by the test (never bundled into the app), finds nothing on any
/// main screen of the real webview, in Vietnamese and in English.
#[tokio::test]
async fn every_main_screen_passes_axe_in_both_languages() {
    let data = tempfile::tempdir().expect("tempdir");
    let (_server, app) = app_with_demo_server(data.path()).await;
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");
    let mut found = Vec::new();
    for lang in ["vi", "en"] {
        if lang == "en" {
            app.click("#nav-me").await.expect("me");
            app.click("#me-settings").await.expect("settings");
            app.find("#language")
                .await
                .expect("language")
                .select_by_value("en")
                .await
                .expect("english");
            app.wait_text("#nav-home", "Home", WAIT)
                .await
                .expect("English");
        }
        for (name, clicks) in MAIN_SCREENS {
            for css in clicks {
                app.click(css)
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {css}: {e:#}"));
            }
            app.find("#page-title, #home-title").await.expect("page");
            // Maps and lists that load after the heading.
            tokio::time::sleep(Duration::from_millis(700)).await;
            let violations = app.axe().await.expect("axe ran");
            if !violations.is_empty() {
                let _ = app.screenshot(&format!("axe-{lang}-{name}")).await;
                found.push(format!("{lang} {name}: {violations:?}"));
            }
        }
    }
    assert!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
    app.close().await.expect("close");
}

/// WebDriver's codes for the keys a keyboard user presses.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = "\u{E00D}";
const ARROW_DOWN: &str = "\u{E015}";

/// Presses keys, one after another, wherever the focus is: WebDriver's key actions, as a
/// keyboard does (no element is clicked, chosen or sent keys).
async fn press(app: &AppSession, keys: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("keyboard".into());
    for value in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    app.client.perform_actions(actions).await.expect("keys");
}

/// Whether the focused element matches `css`.
async fn focus_is(app: &AppSession, css: &str) -> bool {
    app.client
        .execute(
            "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
            vec![serde_json::json!(css)],
        )
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Presses Tab until `css` has the focus, as a person moving through the screen. (Whether the
/// focus ring shows is not asserted here: under Xvfb, with no window manager to give the window
/// the keyboard focus, WebKit matches neither `:focus-visible` nor `:focus` on the page.)
async fn tab_to(app: &AppSession, css: &str) {
    for _ in 0..80 {
        if focus_is(app, css).await {
            return;
        }
        press(app, TAB).await;
    }
    let shot = app.screenshot("keyboard-lost").await;
    panic!("Tab never reached {css}; {shot:?}");
}

/// Issue 16: a report made with the keyboard alone — Tab to move, Enter and Space to act, arrows
/// to choose, typing to fill — reaches the city; the focus moves to the new screen's heading.
#[tokio::test]
async fn a_report_is_made_with_the_keyboard_alone() {
    let data = tempfile::tempdir().expect("tempdir");
    let (server, app) = app_with_demo_server(data.path()).await;
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");
    tab_to(&app, "#nav-report").await;
    press(&app, ENTER).await;
    eventually(WAIT, "focus on the report screen's heading", || async {
        Ok(focus_is(&app, "main h2").await)
    })
    .await
    .expect("focus moved to the heading");
    for purpose in ["location", "photos"] {
        let yes = format!("#consent-{purpose}-yes");
        app.find(&yes).await.expect("consent question");
        tab_to(&app, &yes).await;
        press(&app, SPACE).await;
        eventually(WAIT, "consent answered", || async {
            Ok(app.client.find(Locator::Css(&yes)).await.is_err())
        })
        .await
        .expect("answered");
    }
    app.find("#category option[value='flooding']")
        .await
        .expect("synced categories");
    tab_to(&app, "#category").await;
    for _ in 0..40 {
        let chosen = app
            .find("#category")
            .await
            .expect("select")
            .prop("value")
            .await
            .expect("value");
        if chosen.as_deref() == Some("flooding") {
            break;
        }
        press(&app, ARROW_DOWN).await;
    }
    let description = "Ngập sâu trước cổng trường, báo bằng bàn phím";
    tab_to(&app, "#description").await;
    press(&app, description).await;
    tab_to(&app, "#attr-depth_cm").await;
    press(&app, "30").await;
    tab_to(&app, "#latitude").await;
    press(&app, "16,4650").await;
    tab_to(&app, "#longitude").await;
    press(&app, "107,5900").await;
    tab_to(&app, "#report-submit").await;
    press(&app, ENTER).await;
    app.wait_text("#report-outcome", "phản ánh", WAIT)
        .await
        .expect("the outcome is said");
    eventually(WAIT, "the report on the server", || async {
        Ok(server
            .reports()
            .await?
            .iter()
            .any(|r| r.description == description && r.category == "flooding"))
    })
    .await
    .expect("the city has the report");
    app.close().await.expect("close");
}

/// Every screen holds at 360 px wide with the text at 200 %: nothing runs off the side.
#[tokio::test]
async fn layouts_hold_at_360_px_and_200_percent_text() {
    let data = tempfile::tempdir().expect("tempdir");
    let (_server, app) = app_with_demo_server(data.path()).await;
    app.client.set_window_size(360, 740).await.expect("resize");
    // Narrow, the sync line says the time alone (the sentence stays for screen readers).
    app.wait_text("#sync-last", ":", WAIT)
        .await
        .expect("synced");
    app.client
        .execute(
            "window.__errs = []; window.addEventListener('error', e => window.__errs.push(String(e.message)));             const ce = console.error; console.error = (...a) => { window.__errs.push(a.join(' ')); ce(...a); };",
            vec![],
        )
        .await
        .expect("error hook");
    for (name, clicks) in MAIN_SCREENS {
        for css in clicks {
            if let Err(e) = app.click(css).await {
                let _ = app.screenshot(&format!("{name}-failed")).await;
                let errs = app.client.execute("return window.__errs;", vec![]).await;
                panic!("{name}: {css}: {e:#}; page errors: {errs:?}");
            }
        }
        app.find("#page-title, #home-title").await.expect("page");
        let widths = app
            .client
            .execute(
                "document.documentElement.style.fontSize = '200%';\
                 return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .expect("measure");
        let (scroll, inner) = (
            widths[0].as_f64().unwrap_or(0.0),
            widths[1].as_f64().unwrap_or(0.0),
        );
        assert!(
            inner > 300.0 && inner <= 400.0,
            "{name}: window is {inner} px wide"
        );
        if scroll > inner {
            let culprit = app
                .client
                .execute(
                    "const out = [];\
                     for (const el of document.querySelectorAll('body *')) {\
                       if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {\
                         out.push(el.tagName + '#' + el.id + '.' + el.className + ' ' + el.scrollWidth + '>' + el.clientWidth);\
                       }\
                     }\
                     return out.join(' | ');",
                    vec![],
                )
                .await
                .expect("culprit");
            panic!(
                "{name}: content {scroll} px wider than the {inner} px window; widest: {culprit}"
            );
        }
        {
            app.screenshot(&format!("{name}-360px-200pct"))
                .await
                .expect("screenshot");
        }
        app.client
            .execute("document.documentElement.style.fontSize = '';", vec![])
            .await
            .expect("reset");
    }
    // No screen threw on the way (a JS exception inside a wasm call stops the whole UI).
    let errs = app
        .client
        .execute("return window.__errs;", vec![])
        .await
        .expect("errors");
    assert_eq!(errs, serde_json::json!([]), "page errors");
    app.close().await.expect("close");
}

/// A photo with an EXIF position, chosen in the form while offline, accepted as the location;
/// the app restarts; the server comes up and holds one report with one photo without EXIF; the
/// city resolves it and the app shows it.
#[tokio::test]
async fn photo_report_made_offline_arrives_with_one_clean_photo() {
    let data = tempfile::tempdir().expect("tempdir");
    let fixture = data.path().join("den-duong-hong.jpg");
    std::fs::write(
        &fixture,
        hues_core::photo::testdata::jpeg_with_exif(800, 600, 1, Some((16.4698, 107.5786))),
    )
    .expect("fixture");
    let WentOffline {
        app,
        env,
        server_dir,
        port,
    } = app_that_went_offline(data.path(), None).await;
    open_report_form(&app, "waste").await;
    app.fill("#description", "Rác đổ trộm bên bờ sông Hương")
        .await
        .expect("description");
    app.find("#photo-input")
        .await
        .expect("file input")
        .send_keys(&fixture.display().to_string())
        .await
        .expect("choose the photo");
    app.wait_text(".photo-item", "800×600", WAIT)
        .await
        .expect("photo listed");
    app.wait_text("#photo-position", "16.46980, 107.57860", WAIT)
        .await
        .expect("EXIF position offered");
    app.click("#use-photo-position")
        .await
        .expect("accept position");
    let lat = app
        .find("#latitude")
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(lat.as_deref(), Some("16.469800"));
    app.screenshot("report-photo").await.expect("screenshot");
    app.click("#report-submit").await.expect("submit");
    app.wait_text("#report-outcome", "Đã lưu phản ánh trên máy", WAIT)
        .await
        .expect("saved");
    app.close().await.expect("close");

    // The app starts again, then the server comes back.
    let app = AppSession::start(&env).await.expect("app again");
    let server = ServerProcess::start(&server_dir, port)
        .await
        .expect("server again");
    open_my_reports(&app).await;
    app.wait_text(
        ".report-card[data-state='received']",
        "Thành phố đã tiếp nhận",
        WAIT,
    )
    .await
    .expect("delivered");
    let stored = server.reports().await.expect("reports");
    assert_eq!(stored.len(), 1, "exactly one report");
    assert_eq!(stored[0].photos.len(), 1, "with exactly one photo");
    let sha = &stored[0].photos[0];
    let bytes = std::fs::read(
        server_dir
            .join("photos")
            .join(&sha[..2])
            .join(format!("{sha}.jpg")),
    )
    .expect("photo file");
    assert!(
        !bytes.windows(6).any(|w| w == b"Exif\0\0"),
        "the stored photo has no EXIF"
    );
    assert!((stored[0].latitude - 16.4698).abs() < 1e-6);

    // Field staff photograph the cleaned bank; the operator resolves with that photo.
    let staff = server.register_device().await.expect("staff device");
    let after = server
        .upload_photo(
            &staff,
            &hues_core::photo::testdata::jpeg_with_exif(640, 480, 1, None),
        )
        .await
        .expect("resolution photo");
    server
        .set_status_with_photos(
            &stored[0].id.to_string(),
            "resolved",
            "Đã thu gom rác",
            &[after],
        )
        .await
        .expect("operator");
    app.wait_text(
        ".report-card[data-state='resolved']",
        "Đã thu gom rác",
        WAIT,
    )
    .await
    .expect("resolved with the note");
    app.wait_text(".report-card", "Đã giải quyết", WAIT)
        .await
        .expect("resolved");
    // The city's photo in the timeline, and the citizen's own photo on the card.
    wait_image_loaded(&app, ".report-card[data-state='resolved'] img.step-photo").await;
    wait_image_loaded(&app, ".report-card[data-state='resolved'] img.report-photo").await;

    // The citizen rates the answer; the rating reaches the server.
    let id = stored[0].id;
    app.click(&format!("#rating-satisfied-{id}"))
        .await
        .expect("choose");
    app.fill(&format!("#comment-{id}"), "Cảm ơn, đã sạch")
        .await
        .expect("comment");
    app.click(&format!("#rate-{id}"))
        .await
        .expect("send rating");
    app.wait_text(&format!("#rating-{id}"), "Bạn đã đánh giá: Hài lòng", WAIT)
        .await
        .expect("rating acknowledged");
    app.screenshot("my-reports-rated")
        .await
        .expect("screenshot");
    let rated = server.reports().await.expect("reports");
    let rating = rated[0].rating.as_ref().expect("rating on the server");
    assert_eq!(rating.satisfaction, hues_wire::api::Satisfaction::Satisfied);
    assert_eq!(rating.comment, "Cảm ơn, đã sạch");
    app.close().await.expect("close");
}

/// Waits until the image matched by `css` has loaded real pixels.
async fn wait_image_loaded(app: &AppSession, css: &str) {
    let script = format!(
        "const i = document.querySelector({css:?}); return i && i.complete ? i.naturalWidth : 0;"
    );
    eventually(WAIT, css, || async {
        let w = app.client.execute(&script, vec![]).await?;
        Ok(w.as_f64().unwrap_or(0.0) > 0.0)
    })
    .await
    .expect("image loaded");
}

async fn field_value(app: &AppSession, css: &str) -> String {
    app.find(css)
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

#[tokio::test]
async fn device_position_pin_address_duplicates_and_the_public_map() {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(&data.path().join("server"), 0)
        .await
        .expect("server");
    // Another citizen already reported rubbish at the gate of Đông Ba market, with a photo.
    let other = server.register_device().await.expect("device");
    let photo = server
        .upload_photo(
            &other,
            &hues_core::photo::testdata::jpeg_with_exif(400, 300, 1, None),
        )
        .await
        .expect("photo");
    let theirs = server
        .post_report(
            &other,
            &serde_json::json!({
                "id": uuid::Uuid::now_v7(),
                "category": "waste",
                "description": "Rác chất đống ở cổng chợ Đông Ba",
                "latitude": 16.4727,
                "longitude": 107.5886,
                "created_at": chrono::Utc::now(),
                "photos": [photo],
                "place": { "address": "Cổng chợ Đông Ba" },
            }),
        )
        .await
        .expect("their report");
    let env = vec![
        (
            "HUES_DATA_DIR",
            data.path().join("app").display().to_string(),
        ),
        ("HUES_SERVER_URL", server.url()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
        // A tile server that does not answer: the map keeps its plain background.
        (
            "HUES_TILE_URL",
            format!(
                "http://127.0.0.1:{}/{{z}}/{{x}}/{{y}}.png",
                free_port().expect("port")
            ),
        ),
    ];
    let app = AppSession::start(&env).await.expect("app");
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");
    // A desktop under Xvfb has no GPS: the webview's geolocation answers as a phone's does
    // with a poor fix (250 m).
    app.client
        .execute(
            "const fix = { coords: { latitude: 16.4728, longitude: 107.5885, accuracy: 250 }, timestamp: Date.now() };
             Object.defineProperty(navigator, 'geolocation', { configurable: true,
               value: { getCurrentPosition: (ok) => setTimeout(() => ok(fix), 10) } });",
            vec![],
        )
        .await
        .expect("device position");
    open_report_form(&app, "waste").await;
    app.wait_text("#accuracy-warning", "250 m", WAIT)
        .await
        .expect("poor accuracy flagged");
    assert_eq!(field_value(&app, "#latitude").await, "16.472800");
    assert_eq!(field_value(&app, "#longitude").await, "107.588500");

    // The address is suggested from the nearest known place (synced, cached).
    app.wait_text("#address-suggestion", "Chợ Đông Ba", WAIT)
        .await
        .expect("address suggested");
    app.click("#use-suggested-address").await.expect("use it");
    assert_eq!(
        field_value(&app, "#address").await,
        "Gần Chợ Đông Ba, 2 Trần Hưng Đạo, phường Phú Xuân"
    );

    // The possible duplicate, with its photo (fetched from the server through the app).
    app.wait_text("#possible-duplicates", "cổng chợ Đông Ba", WAIT)
        .await
        .expect("duplicate suggested");
    wait_image_loaded(&app, "#possible-duplicates img.thumb").await;
    // No tiles: the map says so and still works.
    app.wait_text(
        "#report-map .map-offline-note",
        "Không tải được nền bản đồ",
        WAIT,
    )
    .await
    .expect("plain background");
    app.screenshot("report-location").await.expect("screenshot");

    // Tapping the map moves the pin there: the position is the map's, not the poor fix.
    let map = app.find("#report-map").await.expect("map");
    app.client
        .execute(
            "document.querySelector('#report-map').scrollIntoView({ block: 'center' });",
            vec![],
        )
        .await
        .expect("scroll");
    let tap = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: map,
            duration: None,
            x: -80.0,
            y: -50.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    app.client.perform_actions(tap).await.expect("tap the map");
    eventually(WAIT, "pin moved", || async {
        Ok(field_value(&app, "#latitude").await != "16.472800")
    })
    .await
    .expect("pin moved");
    let lat: f64 = field_value(&app, "#latitude").await.parse().expect("lat");
    let lon: f64 = field_value(&app, "#longitude").await.parse().expect("lon");
    assert!(
        lat > 16.4728 && lon < 107.5885,
        "north-west of the fix: {lat}, {lon}"
    );
    assert!(
        app.client
            .find(Locator::Css("#accuracy-warning"))
            .await
            .is_err(),
        "the warning was about the device's fix"
    );

    // "Me too" instead of a second report: counted, and the citizen follows it.
    app.click(&format!("#me-too-{}", theirs.id))
        .await
        .expect("me too");
    app.wait_text("#possible-duplicates .ok", "Đã ghi nhận", WAIT)
        .await
        .expect("followed");
    let public = server
        .public_report(&theirs.id.to_string())
        .await
        .expect("public");
    assert_eq!(public["me_too"], 1);
    assert!(public.get("device_id").is_none());

    // The map tab: a marker named by category and status, which opens the detail.
    app.click("#nav-map").await.expect("map tab");
    app.click("#to-reports-map").await.expect("reports map");
    let marker = format!("#reports-map .map-marker[data-id='{}']", theirs.id);
    eventually(WAIT, "marker", || async {
        Ok(app.client.find(Locator::Css(&marker)).await.is_ok())
    })
    .await
    .expect("marker on the map");
    let label = app
        .find(&marker)
        .await
        .expect("marker")
        .attr("aria-label")
        .await
        .expect("label")
        .unwrap_or_default();
    assert!(
        label.contains("Rác thải") && label.contains("Thành phố đã tiếp nhận"),
        "{label}"
    );
    app.wait_text(&format!("#public-{}", theirs.id), "1 người cũng gặp", WAIT)
        .await
        .expect("listed with the count");
    app.screenshot("map").await.expect("screenshot");
    app.click(&marker).await.expect("open from the map");
    app.wait_text("#public-report", "Cổng chợ Đông Ba", WAIT)
        .await
        .expect("detail");
    wait_image_loaded(&app, "#public-report img.report-photo").await;
    app.screenshot("public-report").await.expect("screenshot");
    app.close().await.expect("close");
}

/// Sets a form control's value as a picker would (WebKit's date inputs take no typed keys).
async fn set_value(app: &AppSession, css: &str, value: &str) {
    app.client
        .execute(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1];\
             el.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .expect("set value");
}

#[tokio::test]
async fn search_open_state_offline_tiles_and_an_offline_booking() {
    let data = tempfile::tempdir().expect("tempdir");
    // A tile server (the reference server with generated tiles) around Huế's centre.
    let mbtiles = data.path().join("hue.mbtiles");
    let written =
        hues_system_tests::write_mbtiles(&mbtiles, (16.40, 16.53, 107.52, 107.66), 10..=17)
            .expect("tiles");
    assert!(written > 100, "{written} tiles");
    let server_dir = data.path().join("server");
    let tiles_arg = mbtiles.display().to_string();
    let server = ServerProcess::start_with(&server_dir, 0, &["--tiles", &tiles_arg])
        .await
        .expect("server");
    let port = server.port;
    let env = vec![
        (
            "HUES_DATA_DIR",
            data.path().join("app").display().to_string(),
        ),
        ("HUES_SERVER_URL", server.url()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
        (
            "HUES_TILE_URL",
            format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", server.url()),
        ),
        // Monday 23 November 2026, 09:00 in Huế: the market is open until 19:00.
        ("HUES_NOW", "2026-11-23T02:00:00Z".into()),
    ];
    let app = AppSession::start(&env).await.expect("app");
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");

    // Vietnamese-aware search: no marks, any case.
    app.click("#nav-map").await.expect("map tab");
    app.fill("#place-search", "dong ba").await.expect("search");
    app.wait_text("#place-cho-dong-ba", "Chợ Đông Ba", WAIT)
        .await
        .expect("found without marks");
    app.wait_text(
        "#place-cho-dong-ba",
        "Đang mở cửa, đóng lúc 23/11/2026 19:00",
        WAIT,
    )
    .await
    .expect("open at the test's clock");
    // The list follows the typing; once settled only the market matches "dong ba".
    eventually(WAIT, "only the market listed", || async {
        let listed = app
            .client
            .execute(
                "return [...document.querySelectorAll('.place-card')].map(e => e.id);",
                vec![],
            )
            .await?;
        Ok(listed == serde_json::json!(["place-cho-dong-ba"]))
    })
    .await
    .expect("one match");
    app.screenshot("places-search").await.expect("screenshot");
    app.click("#place-cho-dong-ba h3 a")
        .await
        .expect("open card");
    app.wait_text("#place-open", "Đang mở cửa", WAIT)
        .await
        .expect("card says open");
    app.find("#place-directions")
        .await
        .expect("directions link");

    // Save the visible area for offline use, with the estimate first and a progress bar.
    app.click("#nav-map").await.expect("map tab");
    app.click("#offline-estimate").await.expect("estimate");
    app.wait_text("#offline-size", "ô bản đồ", WAIT)
        .await
        .expect("size shown first");
    app.click("#offline-start").await.expect("download");
    app.wait_text("#offline-state", "Đã lưu xong", Duration::from_secs(60))
        .await
        .expect("area saved");
    let bar = app.find("#offline-progress").await.expect("progress bar");
    let (value, max) = (
        bar.attr("value").await.expect("value").unwrap_or_default(),
        bar.attr("max").await.expect("max").unwrap_or_default(),
    );
    assert_eq!(value, max, "progress complete");
    let kept: i64 = rusqlite::Connection::open(data.path().join("app/tiles.mbtiles"))
        .and_then(|c| c.query_row("SELECT count(*) FROM tiles", [], |r| r.get(0)))
        .expect("tile cache");
    assert!(kept > 0, "tiles on the device");
    app.screenshot("places-saved-area")
        .await
        .expect("screenshot");

    // The server (and its tiles) go away: the map still shows the saved tiles.
    server.stop().await.expect("stop");
    app.wait_text("#sync-online", "Ngoại tuyến", WAIT)
        .await
        .expect("offline");
    app.click("#nav-home").await.expect("home");
    app.click("#nav-map").await.expect("map again");
    eventually(WAIT, "tiles from the device", || async {
        let n = app
            .client
            .execute(
                "return document.querySelectorAll('#places-map img.leaflet-tile-loaded').length;",
                vec![],
            )
            .await?;
        Ok(n.as_u64().unwrap_or(0) > 0)
    })
    .await
    .expect("cached tiles shown offline");
    app.screenshot("places-offline").await.expect("screenshot");

    // A booking made offline: kept on the device, sent once the server is back.
    app.fill("#place-search", "DAI NOI").await.expect("search");
    app.click("#place-dai-noi h3 a").await.expect("Đại Nội");
    app.wait_text("#place-detail", "200.000 ₫", WAIT)
        .await
        .expect("ticket prices");
    let day = (chrono::Utc::now() + chrono::Duration::days(3))
        .with_timezone(&hues_wire::time::vietnam_offset())
        .date_naive()
        .to_string();
    set_value(&app, "#booking-from", &day).await;
    set_value(&app, "#booking-people", "3").await;
    app.fill("#booking-name", "Lê Văn C").await.expect("name");
    app.fill("#booking-phone", "0905 111 222")
        .await
        .expect("phone");
    app.click("#booking-submit").await.expect("send");
    app.wait_text("#booking-outcome", "Đã lưu yêu cầu trên máy", WAIT)
        .await
        .expect("kept offline");
    let server = ServerProcess::start_with(&server_dir, port, &["--tiles", &tiles_arg])
        .await
        .expect("server back");
    app.click("#nav-me").await.expect("me");
    app.click("#me-bookings").await.expect("my bookings");
    app.wait_text(".booking-card", "Đã gửi yêu cầu", WAIT)
        .await
        .expect("delivered");
    // A few more syncs change nothing: it arrived once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let bookings = server.bookings().await.expect("bookings");
    assert_eq!(bookings.len(), 1, "exactly one booking");
    assert_eq!(bookings[0].request.place_id, "dai-noi");
    assert_eq!(bookings[0].request.people, 3);
    app.screenshot("my-bookings").await.expect("screenshot");
    app.close().await.expect("close");
}

const FLOOD_ALERT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>E2E-FLOOD-1</identifier>
  <sender>pctt@hue.gov.vn</sender>
  <sent>2026-11-22T08:00:00+07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Lũ</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <expires>2030-12-31T18:00:00+07:00</expires>
    <headline>Lũ khẩn cấp ở phường Thuận Hóa</headline>
    <area>
      <areaDesc>Phường Thuận Hóa</areaDesc>
      <polygon>16.470,107.590 16.470,107.605 16.460,107.605 16.460,107.590 16.470,107.590</polygon>
    </area>
  </info>
</alert>"#;

/// Gives the webview a device position (a desktop under Xvfb has none).
async fn device_at(app: &AppSession, lat: f64, lon: f64) {
    app.client
        .execute(
            "const fix = { coords: { latitude: arguments[0], longitude: arguments[1], accuracy: 10 }, timestamp: Date.now() };\
             Object.defineProperty(navigator, 'geolocation', { configurable: true,\
               value: { getCurrentPosition: (ok) => setTimeout(() => ok(fix), 10) } });",
            vec![serde_json::json!(lat), serde_json::json!(lon)],
        )
        .await
        .expect("device position");
}

#[tokio::test]
async fn a_flood_alert_says_which_saved_place_it_affects_notifies_and_its_cancel_shows() {
    let data = tempfile::tempdir().expect("tempdir");
    // The server serves the base map `./x test` built from OpenStreetMap (tools/map), as the
    // demo does; the app, told nothing about tiles, shows that map.
    let tiles = std::env::var("HUES_TILES").expect("HUES_TILES: the base map (./x test builds it)");
    let server = ServerProcess::start_with(&data.path().join("server"), 0, &["--tiles", &tiles])
        .await
        .expect("server");
    let bus = SessionBus::start().await.expect("session bus");
    let env = vec![
        ("DBUS_SESSION_BUS_ADDRESS", bus.address()),
        (
            "HUES_DATA_DIR",
            data.path().join("app").display().to_string(),
        ),
        ("HUES_SERVER_URL", server.url()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
    ];
    let app = AppSession::start(&env).await.expect("app");
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");
    app.click("#nav-alerts").await.expect("alerts");
    // Two places of mine: home inside Thuận Hóa ward, grandma's far south.
    for (name, lat, lon) in [("Nhà", 16.465, 107.597), ("Nhà bà", 16.40, 107.60)] {
        device_at(&app, lat, lon).await;
        app.fill("#my-place-name", name).await.expect("name");
        app.click("#my-place-here").await.expect("here");
        eventually(WAIT, "pin set", || async {
            Ok(app
                .find("#my-place-save")
                .await?
                .attr("disabled")
                .await?
                .is_none())
        })
        .await
        .expect("position taken");
        app.click("#my-place-save").await.expect("save");
        app.wait_text(".my-places", name, WAIT)
            .await
            .expect("saved place listed");
    }
    // The operator posts a flood alert while the app runs.
    let (status, body) = server.post_alert(FLOOD_ALERT).await.expect("post");
    assert_eq!(status, 201, "{body}");
    app.wait_text("#alert-E2E-FLOOD-1", "Lũ khẩn cấp ở phường Thuận Hóa", WAIT)
        .await
        .expect("alert after sync");
    let card = app
        .wait_text("#alert-E2E-FLOOD-1", "Ảnh hưởng đến: Nhà", WAIT)
        .await
        .expect("affects home");
    assert!(!card.contains("Nhà bà"), "not grandma's: {card}");
    assert!(card.contains("Nguy hiểm"), "severity in words: {card}");
    app.screenshot("alerts").await.expect("screenshot");
    // Its area on the map.
    app.click("#alert-open-E2E-FLOOD-1").await.expect("open");
    eventually(WAIT, "area drawn", || async {
        Ok(app
            .client
            .find(Locator::Css("#alert-map path.leaflet-interactive"))
            .await
            .is_ok())
    })
    .await
    .expect("polygon on the map");
    // Streets under it: the server's own map, through the app's tile cache.
    eventually(WAIT, "base map tiles shown", || async {
        Ok(app
            .find("#alert-map")
            .await?
            .attr("data-tiles")
            .await?
            .as_deref()
            == Some("ok"))
    })
    .await
    .expect("the city's base map");
    // The picture once the map has settled on the area (no zoom under way, every tile in).
    eventually(WAIT, "map settled", || async {
        let settled = app
            .client
            .execute(
                "const el = document.getElementById('alert-map');\
                 return !el.querySelector('.leaflet-zoom-anim') &&\
                   [...el.querySelectorAll('img.leaflet-tile')].every(i => i.complete);",
                vec![],
            )
            .await?;
        Ok(settled == serde_json::json!(true))
    })
    .await
    .expect("settled");
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("alert-area").await.expect("screenshot");
    // "Report damage here": the form opens on the warning's area, linked to the warning.
    app.click("#report-damage").await.expect("report damage");
    app.wait_text("#report-alert", "E2E-FLOOD-1", WAIT)
        .await
        .expect("the form names the warning");
    assert_eq!(field_value(&app, "#latitude").await, "16.466000");
    app.click("#nav-alerts").await.expect("back to the list");

    // A Severe warning for home: one system notification on the session bus, in Vietnamese,
    // naming the place; the next syncs raise it no more.
    let title = "Lũ khẩn cấp ở phường Thuận Hóa";
    eventually(WAIT, "notification", || async { Ok(bus.count(title) == 1) })
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", bus.recorded()));
    assert!(
        bus.recorded()
            .contains("string \"Liên quan đến nơi của bạn: Nhà\""),
        "{}",
        bus.recorded()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(bus.count(title), 1, "once per alert: {}", bus.recorded());

    // Its Update notifies again and replaces it in the list.
    let about = |id: &str, msg_type: &str, sent: &str, refers_to: &str| {
        FLOOD_ALERT
            .replace("E2E-FLOOD-1", id)
            .replace(
                "<msgType>Alert</msgType>",
                &format!("<msgType>{msg_type}</msgType>"),
            )
            .replace("2026-11-22T08:00:00+07:00", sent)
            .replace(
                "<scope>Public</scope>",
                &format!(
                    "<scope>Public</scope>\n  <references>pctt@hue.gov.vn,{refers_to}</references>"
                ),
            )
    };
    let update = about(
        "E2E-FLOOD-2",
        "Update",
        "2026-11-22T10:00:00+07:00",
        "E2E-FLOOD-1,2026-11-22T08:00:00+07:00",
    )
    .replace(
        "Lũ khẩn cấp ở phường Thuận Hóa",
        "Lũ lên nhanh ở phường Thuận Hóa",
    );
    let (status, body) = server.post_alert(&update).await.expect("update");
    assert_eq!(status, 201, "{body}");
    app.wait_text("#alert-E2E-FLOOD-2", "Bản tin cập nhật", WAIT)
        .await
        .expect("the update listed");
    eventually(WAIT, "notification of the update", || async {
        Ok(bus.count("Cập nhật: Lũ lên nhanh ở phường Thuận Hóa") == 1)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}: {}", bus.recorded()));

    // Its Cancel: the warning leaves the list in force and shows as cancelled, silently.
    let cancel = about(
        "E2E-FLOOD-3",
        "Cancel",
        "2026-11-22T12:00:00+07:00",
        "E2E-FLOOD-2,2026-11-22T10:00:00+07:00",
    );
    let (status, body) = server.post_alert(&cancel).await.expect("cancel");
    assert_eq!(status, 201, "{body}");
    app.click("#alerts-expired").await.expect("expired tab");
    app.wait_text("#alert-E2E-FLOOD-2", "Đã hủy", WAIT)
        .await
        .expect("cancelled");
    app.wait_text("#alert-E2E-FLOOD-1", "Đã có bản tin mới thay thế", WAIT)
        .await
        .expect("the first replaced by the update");
    assert_eq!(bus.count(title), 1, "{}", bus.recorded());
    app.close().await.expect("close");
}

#[tokio::test]
async fn a_tracked_dossier_shows_its_new_state_notifies_and_an_overdue_one_its_apology() {
    use hues_wire::calendar::Calendar;
    use hues_wire::deadline::local_date;
    let data = tempfile::tempdir().expect("tempdir");
    let server = ServerProcess::start(&data.path().join("server"), 0)
        .await
        .expect("server");
    let bus = SessionBus::start().await.expect("session bus");
    let env = vec![
        ("DBUS_SESSION_BUS_ADDRESS", bus.address()),
        (
            "HUES_DATA_DIR",
            data.path().join("app").display().to_string(),
        ),
        ("HUES_SERVER_URL", server.url()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
    ];
    let app = AppSession::start(&env).await.expect("app");
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");
    // Home: the emergency numbers, and the hotline the server gave on sync (issue 12).
    app.wait_text("#call-hotline", "1900 1075", WAIT)
        .await
        .expect("the city hotline from the server");
    app.wait_text("#call-113", "Công an", WAIT)
        .await
        .expect("113, police");
    app.click("#group-procedures").await.expect("procedures");
    // The catalogue, searched without accents.
    app.fill("#procedure-search", "ket hon")
        .await
        .expect("search");
    app.wait_text("#procedure-list", "Đăng ký kết hôn", WAIT)
        .await
        .expect("found");
    // A demo dossier, tracked.
    app.fill("#dossier-code", "HS-2026-000101")
        .await
        .expect("code");
    app.fill("#dossier-check", "4567").await.expect("check");
    app.click("#dossier-lookup").await.expect("look up");
    app.wait_text("#lookup-result", "Đang giải quyết", WAIT)
        .await
        .expect("found the dossier");
    app.click("#dossier-track").await.expect("track");
    app.wait_text("#lookup-result", "Đang theo dõi trong Hồ sơ của tôi", WAIT)
        .await
        .expect("tracked");
    // The overdue one, with the unit's apology and its new date.
    app.fill("#dossier-code", "HS-2026-000102")
        .await
        .expect("code");
    app.fill("#dossier-check", "8899").await.expect("check");
    app.click("#dossier-lookup").await.expect("look up");
    let today = local_date(chrono::Utc::now());
    let new_date = Calendar::vietnam()
        .add_working_days(today, 4)
        .format("%d/%m/%Y")
        .to_string();
    let card = app
        .wait_text(
            "#lookup-result",
            &format!("Ngày hẹn trả kết quả mới: {new_date}"),
            WAIT,
        )
        .await
        .expect("apology's new date");
    assert!(
        card.contains("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        "{card}"
    );
    assert!(card.contains("Quá hạn"), "{card}");
    app.screenshot("dossier-overdue").await.expect("screenshot");
    app.click("#dossier-track").await.expect("track");
    app.wait_text("#lookup-result", "Đang theo dõi", WAIT)
        .await
        .expect("tracked");

    // The unit moves the first on; after sync the app shows it and notifies, once.
    server
        .advance_dossier("HS-2026-000101", "result_ready", "Mời nhận kết quả")
        .await
        .expect("advance");
    app.click("#nav-me").await.expect("me");
    app.click("#me-dossiers").await.expect("my dossiers");
    app.wait_text("#dossier-HS-2026-000101", "Đã có kết quả", WAIT)
        .await
        .expect("new state after sync");
    let title = "Hồ sơ HS-2026-000101: Đã có kết quả";
    eventually(WAIT, "notification", || async { Ok(bus.count(title) == 1) })
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", bus.recorded()));
    assert!(
        bus.recorded().contains("string \"Đăng ký thường trú\""),
        "{}",
        bus.recorded()
    );
    app.wait_text(
        "#dossier-HS-2026-000102",
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        WAIT,
    )
    .await
    .expect("the apology in My dossiers");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(bus.count(title), 1, "{}", bus.recorded());
    assert_eq!(
        bus.count("Hồ sơ HS-2026-000102: Đang giải quyết"),
        0,
        "no news, no notification"
    );
    app.screenshot("my-dossiers").await.expect("screenshot");
    // Stop tracking the overdue one.
    app.click("#untrack-HS-2026-000102").await.expect("untrack");
    eventually(WAIT, "card gone", || async {
        Ok(app
            .client
            .find(Locator::Css("#dossier-HS-2026-000102"))
            .await
            .is_err())
    })
    .await
    .expect("untracked");
    app.find("#dossier-HS-2026-000101")
        .await
        .expect("the other stays");
    // My activity opens the dossier on a page of its own, with the way back to all of them.
    app.click("#nav-me").await.expect("me");
    app.click("#me-activity").await.expect("my activity");
    app.click(".activity-link[href='/me/dossiers/HS-2026-000101']")
        .await
        .expect("the dossier's line");
    app.find("#dossiers-all").await.expect("its own page");
    app.find("#dossier-HS-2026-000101")
        .await
        .expect("the dossier on it");
    assert_eq!(
        app.client
            .find_all(Locator::Css(
                "#content .dossier-card, #content [id^='dossier-HS-']"
            ))
            .await
            .expect("cards")
            .len(),
        1,
        "that dossier alone"
    );
    app.close().await.expect("close");
}

/// Issue 15 in the real app: the citizen signs in with the code the SMS gateway got and sees a
/// report made on another phone of theirs; the device's token is in the OS keyring (the test
/// session's own Secret Service), not in SQLite; withdrawing the location consent holds a new
/// report on the phone until it is given again; "download my data" saves the server's ZIP; the
/// contact centre revokes the phone, which then asks to sign in again and loses nothing queued.
#[tokio::test]
async fn a_citizen_signs_in_with_the_code_sees_another_phones_report_and_consent_holds_a_report() {
    let data = tempfile::tempdir().expect("tempdir");
    let sms = hues_system_tests::sms::SmsGateway::start()
        .await
        .expect("gateway");
    let args = sms.server_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = ServerProcess::start_with(&data.path().join("server"), 0, &args)
        .await
        .expect("server");
    let http = reqwest::Client::new();
    let api = |path: &str| format!("{}/api/v1{path}", server.url());

    // The citizen's other phone, signed in, with a report of its own.
    let other = server.register_device().await.expect("device");
    let from_other = "Cây đổ chắn kiệt 7 đường Chi Lăng";
    let report_id = uuid::Uuid::now_v7();
    http.post(api("/reports"))
        .bearer_auth(&other)
        .json(
            &serde_json::json!({ "id": report_id, "category": "street_light",
            "description": from_other, "latitude": 16.4745, "longitude": 107.5930,
            "created_at": "2026-12-01T02:00:00Z" }),
        )
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("report");
    http.post(api("/account/code"))
        .bearer_auth(&other)
        .json(&serde_json::json!({ "phone": "0912345678" }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("code");
    let code = sms.code_for("+84912345678").await.expect("sms");
    http.post(api("/account/verify"))
        .bearer_auth(&other)
        .json(&serde_json::json!({ "phone": "0912345678", "code": code }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("verify");

    let downloads = data.path().join("downloads");
    // A desktop session of its own: a bus, and on it the keyring the token lives in.
    let bus = SessionBus::start().await.expect("session bus and keyring");
    let env = vec![
        ("DBUS_SESSION_BUS_ADDRESS", bus.address()),
        (
            "HUES_DATA_DIR",
            data.path().join("app").display().to_string(),
        ),
        ("HUES_SERVER_URL", server.url()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
        ("HUES_DOWNLOAD_DIR", downloads.display().to_string()),
    ];
    let app = AppSession::start(&env).await.expect("app");
    app.wait_text("#sync-last", "Đồng bộ lần cuối", WAIT)
        .await
        .expect("synced");
    app.click("#nav-me").await.expect("me");
    app.click("#me-account").await.expect("account");
    app.fill("#account-phone", "0912 345 678")
        .await
        .expect("phone");
    app.click("#account-send-code").await.expect("send");
    app.wait_text("#account-code-sent", "+84 91x xxx x78", WAIT)
        .await
        .expect("code sent");
    let code = sms.code_for("+84912345678").await.expect("sms");
    app.fill("#account-code", &code).await.expect("code");
    app.click("#account-verify").await.expect("verify");
    app.wait_text("#account-signed-in", "+84 91x xxx x78", WAIT)
        .await
        .expect("signed in");
    app.screenshot("account").await.expect("screenshot");

    // History from the other phone.
    open_my_reports(&app).await;
    app.wait_text("#content", from_other, WAIT)
        .await
        .expect("the other phone's report");

    // The token is in the keyring, not in the database.
    let db = rusqlite::Connection::open(data.path().join("app/hues.db")).expect("app db");
    let values: Vec<(String, String)> = db
        .prepare("SELECT key, value FROM kv")
        .expect("kv")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (key, value) in &values {
        let token_like = value.len() == 64 && value.chars().all(|c| c.is_ascii_hexdigit());
        assert!(
            !key.starts_with("token:") && !token_like,
            "a token in SQLite: {key}"
        );
    }

    // The form asks first; the citizen agrees, then withdraws the position in Account.
    app.click("#nav-report").await.expect("report tab");
    agree_to_send(&app).await;
    app.click("#nav-me").await.expect("me");
    app.click("#me-account").await.expect("account");
    app.click("#consent-location-toggle")
        .await
        .expect("withdraw");
    app.wait_text("#consent-location-state", "Không đồng ý", WAIT)
        .await
        .expect("withdrawn");
    app.click("#nav-report").await.expect("report tab");
    app.wait_text("#consent-held", "chưa đồng ý gửi vị trí", WAIT)
        .await
        .expect("the form says the report will wait");
    choose_category(&app, "street_light").await;
    let held = "Đèn đường tắt cả tuần ở kiệt 3 Nguyễn Trãi";
    app.fill("#description", held).await.expect("description");
    app.fill("#latitude", "16.4711").await.expect("lat");
    app.fill("#longitude", "107.5791").await.expect("lon");
    app.click("#report-submit").await.expect("submit");
    app.wait_text("#report-outcome", "Đã lưu phản ánh trên máy", WAIT)
        .await
        .expect("kept");
    app.open_sync_details().await.expect("sync details");
    app.wait_text("#sync-consent", "1 phản ánh đang chờ bạn đồng ý", WAIT)
        .await
        .expect("held for consent");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let on_server = || async {
        server
            .reports()
            .await
            .expect("reports")
            .iter()
            .any(|r| r.description == held)
    };
    assert!(!on_server().await, "sent without consent");

    // Download my data.
    app.click("#nav-me").await.expect("me");
    app.click("#me-account").await.expect("account");
    app.click("#account-export").await.expect("export");
    app.wait_text("#account-exported", "ZIP", WAIT)
        .await
        .expect("saved");
    let zips: Vec<_> = std::fs::read_dir(&downloads)
        .expect("downloads")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(zips.len(), 1);
    let bytes = std::fs::read(zips[0].path()).expect("zip");
    assert!(bytes.starts_with(b"PK"), "a ZIP");

    // The contact centre revokes this phone: the app asks to sign in again, the held report
    // is still there.
    let app_device: String = rusqlite::Connection::open(data.path().join("server/hues-server.db"))
        .expect("server db")
        .query_row(
            "SELECT device_id FROM account_devices ORDER BY linked_at DESC, rowid DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("device");
    let console = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let url = server.url();
    console
        .post(format!("{url}/console/login"))
        .header("origin", &url)
        .form(&[("username", "dieuphoi"), ("password", "Hue-demo-2026")])
        .send()
        .await
        .expect("login");
    let revoked = console
        .post(format!("{url}/console/citizens/revoke"))
        .header("origin", &url)
        .form(&[("phone", "+84912345678"), ("device", app_device.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), reqwest::StatusCode::SEE_OTHER);
    app.click("#nav-me").await.expect("me");
    // The account page asks the server when it opens: give each visit time to hear back (a
    // busy machine runs two apps at once) before opening it again.
    eventually(
        Duration::from_secs(90),
        "the app says it was signed out",
        || async {
            app.click("#me-account").await?;
            let said = app
                .wait_text("#content", "đã bị đăng xuất", Duration::from_secs(10))
                .await;
            if said.is_err() {
                app.click("#nav-me").await?;
                return Ok(false);
            }
            Ok(true)
        },
    )
    .await
    .expect("signed out");
    assert!(!on_server().await);

    // Consent given again: the held report goes (as the new anonymous device).
    app.click("#consent-location-toggle").await.expect("give");
    eventually(WAIT, "the held report reaches the server", || async {
        Ok(on_server().await)
    })
    .await
    .expect("sent once consent is back");
    // Settings show every consent too.
    app.click("#nav-me").await.expect("me");
    app.click("#me-settings").await.expect("settings");
    app.wait_text("#consent-location-state", "Đã đồng ý", WAIT)
        .await
        .expect("the consent in Settings");
    app.wait_text("#consent-photos-state", "Đã đồng ý", WAIT)
        .await
        .expect("both");
    app.close().await.expect("close");
}
