use dioxus::prelude::*;

use crate::app::{Route, use_app};
use crate::i18n::t;

#[component]
pub fn Me() -> Element {
    let lang = *use_app().lang.read();
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "me-title")} }
            ul { class: "menu",
                li { class: "card", Link { id: "me-activity", to: Route::MyActivity {}, {t(lang, "me-activity")} } }
                li { class: "card", Link { id: "me-account", to: Route::AccountPage {}, {t(lang, "me-account")} } }
                li { class: "card", Link { id: "me-reports", to: Route::MyReports {}, {t(lang, "me-reports")} } }
                li { class: "card", Link { id: "me-bookings", to: Route::MyBookings {}, {t(lang, "me-bookings")} } }
                li { class: "card", Link { id: "me-dossiers", to: Route::MyDossiers {}, {t(lang, "me-dossiers")} } }
                li { class: "card", Link { id: "me-settings", to: Route::SettingsPage {}, {t(lang, "me-settings")} } }
            }
        }
    }
}
