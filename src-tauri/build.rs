fn main() {
    // The app's commands come from hues-wire, so capabilities can grant exactly those.
    let manifest = tauri_build::AppManifest::new().commands(&hues_wire::ipc::ALL_COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
    // The UI (`./x dist`) is embedded by `generate_context!`: a new bundle must rebuild the app
    // even when no Rust file of this crate changed.
    println!("cargo:rerun-if-changed=../dist");
}
