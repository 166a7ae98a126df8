//! The hues app shell. It opens the window, holds the client core in Tauri state, runs the
//! sync loop, and exposes the core to the UI through thin typed commands (`commands`).

use std::sync::Arc;
use std::time::Duration;

use tauri::Manager;

mod commands;
mod notify;
mod protocols;
mod state;

pub use state::{AppState, Opening};

/// Desktop and mobile entry point.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hues_app_lib=info,hues_core=info".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init());
    #[cfg(mobile)]
    let builder = builder.plugin(tauri_plugin_geolocation::init());
    let result = builder
        // Pictures and map tiles reach the webview through the app's own schemes, so the
        // content security policy allows no other origin for images.
        .register_asynchronous_uri_scheme_protocol("photo", protocols::photo)
        .register_asynchronous_uri_scheme_protocol("tile", protocols::tile)
        .setup(|app| {
            let data_dir = match std::env::var_os("HUES_DATA_DIR") {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            // The window and its page are on their way: the cache opens beside them, so that
            // the main thread (which serves the page's files) is not held by it.
            app.manage(Opening::default());
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("hues-open".into())
                .spawn(move || {
                    if let Err(e) = open(&handle, &data_dir) {
                        eprintln!("hues could not start: {e}");
                        std::process::exit(1);
                    }
                })?;
            // The window shows when Home has rendered (`ui_ready`), or after a while whatever
            // happens, so that a UI that fails to start still shows its window.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(SHOW_WINDOW_ANYWAY_AFTER).await;
                show_main_window(&handle);
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::get_sync_status,
            commands::sync_now,
            commands::list_categories,
            commands::get_city_contacts,
            commands::submit_report,
            commands::list_my_reports,
            commands::list_activity,
            commands::get_settings,
            commands::save_settings,
            commands::load_draft,
            commands::save_draft,
            commands::ui_ready,
            commands::add_photo,
            commands::rate_report,
            commands::reopen_report,
            commands::list_nearby_reports,
            commands::me_too,
            commands::list_possible_duplicates,
            commands::suggest_address,
            commands::get_public_report,
            commands::search_places,
            commands::get_place,
            commands::submit_booking,
            commands::list_my_bookings,
            commands::cancel_booking,
            commands::estimate_area,
            commands::save_area,
            commands::area_progress,
            commands::cancel_area,
            commands::list_alerts,
            commands::list_my_places,
            commands::save_my_place,
            commands::delete_my_place,
            commands::list_procedures,
            commands::get_procedure,
            commands::lookup_dossier,
            commands::track_dossier,
            commands::list_my_dossiers,
            commands::untrack_dossier,
            commands::get_account,
            commands::request_sign_in_code,
            commands::verify_sign_in_code,
            commands::sign_in_with_provider,
            commands::sign_out,
            commands::export_my_data,
            commands::delete_my_account,
            commands::keep_my_account,
            commands::list_consents,
            commands::set_consent,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("hues could not start: {e}");
        std::process::exit(1);
    }
}

/// Opens the cache, starts the sync loop and hands the state to the commands.
fn open(
    app: &tauri::AppHandle,
    data_dir: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let opening = std::time::Instant::now();
    let state = AppState::open(
        data_dir,
        std::env::var("HUES_SERVER_URL").ok(),
        std::env::var("HUES_TILE_URL").ok(),
    )?;
    tracing::info!(ms = opening.elapsed().as_millis(), "store opened");
    let period = std::env::var("HUES_SYNC_PERIOD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(10));
    let handle = app.clone();
    state
        .engine
        .set_after_sync(Box::new(move |_| notify::raise(&handle)));
    let engine = Arc::clone(&state.engine);
    app.state::<Opening>().finish(state);
    tauri::async_runtime::spawn(engine.run_forever(period));
    notify::ask_permission(app);
    Ok(())
}

/// How long the main window may stay hidden while the UI starts.
const SHOW_WINDOW_ANYWAY_AFTER: Duration = Duration::from_secs(3);

/// Shows the main window (hidden at start so that the citizen never sees it blank).
pub(crate) fn show_main_window(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        // A window shown late is not given the keyboard by itself.
        let _ = window.set_focus();
    }
}
