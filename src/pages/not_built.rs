use dioxus::prelude::*;

use crate::app::{Route, use_app};
use crate::i18n::t;

/// An honest page for a part that later issues build.
#[component]
fn NotBuilt(title_key: &'static str) -> Element {
    let lang = *use_app().lang.read();
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, title_key)} }
            p { class: "notice", span { aria_hidden: "true", "ℹ " } {t(lang, "not-built")} }
        }
    }
}

#[component]
pub fn Alerts() -> Element {
    rsx! { NotBuilt { title_key: "alerts-title" } }
}

/// Any unknown path goes home.
#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let nav = navigator();
    use_effect(move || {
        nav.replace(Route::Home {});
    });
    rsx! {}
}
