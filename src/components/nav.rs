use dioxus::prelude::*;

use crate::app::Route;
use crate::components::Icon;
use crate::i18n::{Lang, t};

/// The five destinations, as text with a decorative icon; the current one is marked by weight,
/// a bar and `aria-current`, not by colour alone.
#[component]
pub fn BottomNav(lang: Lang) -> Element {
    let items = [
        (Route::Home {}, "house", "nav-home"),
        (Route::ReportPage {}, "megaphone", "nav-report"),
        (Route::Alerts {}, "triangle-alert", "nav-alerts"),
        (
            Route::PlacesPage {
                group: String::new(),
            },
            "map",
            "nav-map",
        ),
        (Route::Me {}, "user", "nav-me"),
    ];
    let current = dioxus::router::try_router().map(|r| match r.current::<Route>() {
        // Me's sub-pages keep Me marked as the current tab.
        Route::MyReports {}
        | Route::MyReportPage { .. }
        | Route::MyActivity {}
        | Route::MyBookings {}
        | Route::MyDossiers {}
        | Route::AccountPage {}
        | Route::SettingsPage {} => Route::Me {},
        Route::AlertPage { .. } => Route::Alerts {},
        // Every map screen keeps Map marked.
        Route::PlacesPage { .. }
        | Route::PlacePage { .. }
        | Route::SightsPage {}
        | Route::MapPage {}
        | Route::PublicReportPage { .. } => Route::PlacesPage {
            group: String::new(),
        },
        other => other,
    });
    rsx! {
        nav { class: "bottom-nav", aria_label: t(lang, "nav-label"),
            ul {
                for (route , icon , key) in items {
                    li { key: "{key}",
                        Link {
                            id: "{key}",
                            to: route.clone(),
                            class: if current.as_ref() == Some(&route) { "nav-item active" } else { "nav-item" },
                            aria_current: if current.as_ref() == Some(&route) { "page" } else { "false" },
                            Icon { name: icon }
                            span { class: "nav-text", {t(lang, key)} }
                        }
                    }
                }
            }
        }
    }
}
