//! The start-up baseline of BENCHMARKS.md: an empty Tauri window, built the same way as the app
//! (same crate, profile and capabilities), whose page reports its first paint like Home does.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[tauri::command]
fn ui_ready(app: tauri::AppHandle, req: bool) {
    if !req {
        return;
    }
    eprintln!("hues: first paint");
    if std::env::var_os("HUES_EXIT_AFTER_FIRST_PAINT").is_some() {
        app.exit(0);
    }
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!("examples/empty/tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("baseline could not start: {e}");
        std::process::exit(1);
    }
}
