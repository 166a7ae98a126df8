fn main() {
    #[cfg(target_arch = "wasm32")]
    dioxus::launch(hues_ui::App);
}
