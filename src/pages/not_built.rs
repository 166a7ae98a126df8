use dioxus::prelude::*;

use crate::app::Route;

/// Any unknown path goes home.
#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let nav = navigator();
    use_effect(move || {
        nav.replace(Route::Home {});
    });
    rsx! {}
}
