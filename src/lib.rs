//! hues UI: Dioxus components compiled to wasm32 and shown in the Tauri webview. It knows only
//! `hues-wire`; everything it needs from the device goes through `bridge`.

pub mod app;
pub mod bridge;
pub mod components;
pub mod i18n;
pub mod map;
pub mod pages;

pub use app::App;

#[cfg(test)]
mod ssr_tests;
