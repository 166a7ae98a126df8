use std::sync::atomic::{AtomicBool, Ordering};

use dioxus::prelude::*;

use crate::app::{Route, use_app};
use crate::bridge;
use crate::components::CityCalls;
use crate::i18n::{Lang, t};

/// The service groups of Hue-S: (message key, icon, route when built in this version).
pub fn groups() -> [(&'static str, &'static str, Option<Route>); 9] {
    [
        ("group-reports", "✎", Some(Route::ReportPage {})),
        ("group-warnings", "⚠", Some(Route::Alerts {})),
        (
            "group-essential",
            "⚡",
            Some(Route::PlacesPage {
                group: "essential".into(),
            }),
        ),
        (
            "group-transport",
            "⇆",
            Some(Route::PlacesPage {
                group: "transport".into(),
            }),
        ),
        (
            "group-education",
            "✍",
            Some(Route::PlacesPage {
                group: "education".into(),
            }),
        ),
        (
            "group-health",
            "✚",
            Some(Route::PlacesPage {
                group: "health".into(),
            }),
        ),
        ("group-heritage", "♜", Some(Route::SightsPage {})),
        ("group-planning", "▦", None),
        ("group-procedures", "☰", Some(Route::ProceduresPage {})),
    ]
}

static PAINTED: AtomicBool = AtomicBool::new(false);

#[component]
pub fn Home() -> Element {
    let lang = *use_app().lang.read();
    // Tell the native side once that the first screen is up (start-up measurement).
    use_effect(|| {
        if !PAINTED.swap(true, Ordering::Relaxed) {
            spawn(async {
                let _ = bridge::ui_ready().await;
            });
        }
    });
    rsx! {
        CityCalls { lang, reminder: false }
        ServiceGroups { lang }
    }
}

#[component]
pub fn ServiceGroups(lang: Lang) -> Element {
    rsx! {
        section { class: "page home", aria_labelledby: "home-title",
            h2 { id: "home-title", {t(lang, "home-title")} }
            p { class: "intro", {t(lang, "home-intro")} }
            ul { class: "groups",
                for (key , icon , route) in groups() {
                    li { key: "{key}", class: if route.is_some() { "card group" } else { "card group not-yet" }, "data-built": route.is_some(),
                        span { class: "group-icon", aria_hidden: "true", "{icon}" }
                        div { class: "group-body",
                            if let Some(route) = route.clone() {
                                Link { id: "{key}", to: route, class: "group-name", {t(lang, key)} }
                                span { class: "tag tag-ok", "✔ " {t(lang, "home-available")} }
                            } else {
                                span { class: "group-name", {t(lang, key)} }
                                span { class: "tag tag-later", "… " {t(lang, "home-not-yet")} }
                            }
                            p { class: "group-desc", {t(lang, &format!("{key}-desc"))} }
                        }
                    }
                }
            }
        }
    }
}
