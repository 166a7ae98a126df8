use dioxus::prelude::*;
use hues_wire::ipc::SyncStatus;
use hues_wire::time::format_local;

use crate::i18n::{Lang, t, t_with};

/// Online or offline, how many reports wait, the last successful sync. Each state is said in
/// words, with a shape (● / ○) besides the colour.
#[component]
pub fn SyncIndicator(status: SyncStatus, lang: Lang, on_sync: EventHandler<()>) -> Element {
    let (dot, state_key, class) = if status.online {
        ("●", "sync-online", "sync-state online")
    } else {
        ("○", "sync-state offline", "sync-state offline")
    };
    let state_key = if status.online {
        state_key
    } else {
        "sync-offline"
    };
    let last = match status.last_success_at {
        Some(at) => t_with(lang, "sync-last", "time", format_local(at)),
        None => t(lang, "sync-never"),
    };
    rsx! {
        section { class: "sync", role: "status", aria_label: t(lang, "sync-status-label"),
            span { id: "sync-online", class: "{class}",
                span { aria_hidden: "true", "{dot} " }
                {t(lang, state_key)}
            }
            span { id: "sync-waiting", class: "sync-waiting", {t_with(lang, "sync-waiting", "count", status.waiting)} }
            if status.waiting_for_consent > 0 {
                span { id: "sync-consent", class: "sync-failed",
                    span { aria_hidden: "true", "⚠ " }
                    {t_with(lang, "sync-consent", "count", status.waiting_for_consent)}
                }
            }
            if status.failed > 0 {
                span { id: "sync-failed", class: "sync-failed",
                    span { aria_hidden: "true", "⚠ " }
                    {t_with(lang, "sync-failed", "count", status.failed)}
                }
            }
            span { id: "sync-last", class: "sync-last", "{last}" }
            button {
                id: "sync-now",
                r#type: "button",
                class: "button small",
                onclick: move |_| on_sync.call(()),
                {t(lang, "sync-now")}
            }
        }
    }
}
