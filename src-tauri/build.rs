fn main() {
    // The app's commands come from hues-wire, so capabilities can grant exactly those.
    let manifest = tauri_build::AppManifest::new().commands(&hues_wire::ipc::ALL_COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
