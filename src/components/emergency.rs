//! The numbers to call, one tap away: Vietnam's emergency numbers and the city's hotline, on
//! Home and on the report form (where it also says an emergency is a call, not a report).

use dioxus::prelude::*;
use hues_wire::contacts::{EMERGENCY_NUMBERS, tel_uri};

use crate::i18n::{Lang, t};

#[component]
pub fn EmergencyCalls(lang: Lang, hotline: Option<String>, reminder: bool) -> Element {
    // The server's number is checked again here: only a phone number becomes a link.
    let hotline = hotline.and_then(|h| tel_uri(&h).map(|uri| (h, uri)));
    rsx! {
        section { id: "emergency", class: "emergency", aria_labelledby: "emergency-title",
            h2 { id: "emergency-title", class: "emergency-title",
                span { aria_hidden: "true", "✆ " }
                {t(lang, "emergency-title")}
            }
            if reminder {
                p { id: "emergency-reminder", class: "emergency-reminder", {t(lang, "emergency-reminder")} }
            }
            ul { class: "calls",
                for e in EMERGENCY_NUMBERS {
                    li { key: "{e.number}",
                        a { id: "call-{e.number}", class: "call", href: "tel:{e.number}",
                            strong { class: "call-number", "{e.number}" }
                            " "
                            span { class: "call-name", {t(lang, &format!("emergency-{}", e.service))} }
                        }
                    }
                }
                if let Some((number, uri)) = hotline {
                    li { key: "{uri}",
                        a { id: "call-hotline", class: "call hotline", href: "{uri}",
                            strong { class: "call-number", "{number}" }
                            " "
                            span { class: "call-name", {t(lang, "emergency-hotline")} }
                        }
                    }
                }
            }
        }
    }
}

/// [`EmergencyCalls`] with the hotline the server last gave (read again after each sync).
#[component]
pub fn CityCalls(lang: Lang, reminder: bool) -> Element {
    // Outside the app (a form rendered alone) there is no sync status to follow.
    let status = try_use_context::<crate::app::AppCtx>().map(|ctx| ctx.status);
    let contacts = use_resource(move || async move {
        let _ = status.map(|s| s.read().revision);
        crate::bridge::city_contacts().await
    });
    let hotline = match &*contacts.read() {
        Some(Ok(c)) => c.hotline.clone(),
        _ => None,
    };
    rsx! { EmergencyCalls { lang, hotline, reminder } }
}
