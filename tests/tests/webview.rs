//! The built app in its real webview (WebKitGTK under Xvfb), driven through tauri-driver and
//! WebKitWebDriver, against a real `hues-server`. (6b of the foundation issue.)

use std::time::Duration;

use hues_system_tests::webdriver::AppSession;
use hues_system_tests::{ServerProcess, free_port};

#[tokio::test]
async fn debug_page() {
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port().expect("port");
    let server = ServerProcess::start(&data.path().join("server"), port).await.expect("server");
    let app = AppSession::start(&[
        ("HUES_DATA_DIR", data.path().join("app").display().to_string()),
        ("HUES_SERVER_URL", server.url()),
        ("HUES_SYNC_PERIOD_SECS", "1".into()),
    ])
    .await
    .expect("app");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let r = app.client.execute_async(r#"const done = arguments[arguments.length-1]; done(document.body.innerText)"#, vec![]).await;
    eprintln!("RESULT {r:?}");
    let html = app.client.source().await.expect("source");
    eprintln!("{html}");
    app.screenshot("debug").await.expect("shot");

    app.close().await.expect("close");
}
