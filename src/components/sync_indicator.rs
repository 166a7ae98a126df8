use dioxus::prelude::*;
use hues_wire::ipc::SyncStatus;
use hues_wire::time::format_local;

use crate::components::Icon;
use crate::i18n::{Lang, t, t_with};

/// One compact line: online or offline, what waits or was refused (only when something does),
/// the last successful sync; tapping it opens the details and "Sync now". Each state is said in
/// words, with a shape (● / ○) besides the colour.
#[component]
pub fn SyncIndicator(status: SyncStatus, lang: Lang, on_sync: EventHandler<()>) -> Element {
    let mut open = use_signal(|| false);
    let (dot, state_key, class) = if status.online {
        ("●", "sync-online", "sync-state online")
    } else {
        ("○", "sync-offline", "sync-state offline")
    };
    // On a narrow line the time alone shows (the full sentence stays for screen readers).
    let (last, short) = match status.last_success_at {
        Some(at) => (
            t_with(lang, "sync-last", "time", format_local(at)),
            format_local(at),
        ),
        None => (t(lang, "sync-never"), t(lang, "sync-never")),
    };
    let trouble = status.failed + status.waiting_for_consent;
    let chevron = if open() { "chevron-up" } else { "chevron-down" };
    rsx! {
        section { class: "sync", aria_label: t(lang, "sync-status-label"),
            div { class: "sync-line", role: "status",
                span { id: "sync-online", class: "{class}",
                    span { aria_hidden: "true", "{dot} " }
                    {t(lang, state_key)}
                }
                if status.waiting > 0 {
                    span { class: "sync-chip", {t_with(lang, "sync-chip-waiting", "count", status.waiting)} }
                }
                if trouble > 0 {
                    span { class: "sync-chip bad",
                        span { aria_hidden: "true", "⚠ " }
                        {t_with(lang, "sync-chip-trouble", "count", trouble)}
                    }
                }
                span { id: "sync-last", class: "sync-last",
                    span { class: "sync-last-long", "{last}" }
                    span { class: "sync-last-short", aria_hidden: "true", "{short}" }
                }
                button {
                    id: "sync-toggle",
                    r#type: "button",
                    class: "sync-toggle",
                    aria_expanded: "{open()}",
                    aria_controls: "sync-details",
                    onclick: move |_| open.toggle(),
                    Icon { name: chevron }
                    span { class: "visually-hidden", {t(lang, "sync-details")} }
                }
            }
            div { id: "sync-details", class: "sync-details", hidden: !open(),
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
}
