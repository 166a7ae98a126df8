//! "My activity": one timeline of everything of the citizen's (issue 16), and one of their
//! reports on a page of its own.

use dioxus::prelude::*;
use hues_wire::time::format_local;

use crate::app::use_app;
use crate::bridge;
use crate::components::{Icon, ReportCard};
use crate::i18n::{Lang, error_text, t};
use crate::pages::home::{activity_route, attention_key, item_title, kind_icon};

fn state_text(lang: Lang, item: &hues_wire::ipc::ActivityItem) -> String {
    use hues_wire::ipc::ActivityKind;
    // The words each screen already uses for these states.
    let key = match (item.kind, item.state.as_str()) {
        (ActivityKind::Report, "saved") => "delivery-saved".to_owned(),
        (ActivityKind::Report, "refused") => "activity-refused".to_owned(),
        (ActivityKind::Report | ActivityKind::Followed, s) => format!("status-{s}"),
        (ActivityKind::Dossier, s) => format!("dossier-state-{}", s.replace('_', "-")),
        (ActivityKind::Booking, s) => format!("booking-status-{s}"),
        (ActivityKind::Warning, s) => format!("cap-severity-{s}"),
    };
    let text = t(lang, &key);
    // An unknown code (a newer server) is shown as it is rather than as a missing key.
    if text == key {
        item.state.clone()
    } else {
        text
    }
}

#[component]
pub fn MyActivity() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let data = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::activity().await
    });
    let body = match &*data.read() {
        None => rsx! {},
        Some(Ok(items)) if items.is_empty() => rsx! {
            p { class: "empty", {t(lang, "activity-empty")} }
        },
        Some(Ok(items)) => rsx! {
            ol { class: "activity",
                for item in items.iter().cloned() {
                    li { key: "{item.id}", class: "activity-item",
                        Link { class: "activity-link", to: activity_route(&item),
                            Icon { name: kind_icon(item.kind) }
                            span { class: "activity-body",
                                span { class: "activity-kind", {t(lang, &format!("activity-kind-{}", kind_code(item.kind)))} }
                                strong { class: "activity-title", {item_title(lang, &item)} }
                                span { class: "activity-meta",
                                    span { class: "activity-state", {state_text(lang, &item)} }
                                    " · "
                                    time { datetime: "{item.at.to_rfc3339()}", {format_local(item.at)} }
                                }
                                if let Some(a) = item.attention {
                                    span { class: "tag tag-attention", {t(lang, attention_key(a))} }
                                }
                            }
                        }
                    }
                }
            }
        },
        Some(Err(e)) => rsx! {
            p { class: "error", role: "alert", {error_text(lang, e.code)} }
        },
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "activity-title")} }
            {body}
        }
    }
}

fn kind_code(kind: hues_wire::ipc::ActivityKind) -> &'static str {
    use hues_wire::ipc::ActivityKind;
    match kind {
        ActivityKind::Report => "report",
        ActivityKind::Followed => "followed",
        ActivityKind::Dossier => "dossier",
        ActivityKind::Booking => "booking",
        ActivityKind::Warning => "warning",
    }
}

/// One of the citizen's reports, whole: its state, the city's answers, rating and reopening.
#[component]
pub fn MyReportPage(id: String) -> Element {
    let lang = *use_app().lang.read();
    let data = crate::pages::my_reports::use_my_reports();
    let body = match &*data.read() {
        None => rsx! {},
        Some(Ok((reports, categories))) => match reports.iter().find(|r| r.id.to_string() == id) {
            Some(r) => {
                let category = categories
                    .iter()
                    .find(|c| c.code == r.category)
                    .map(|c| match lang {
                        Lang::Vi => c.name_vi.clone(),
                        Lang::En => c.name_en.clone(),
                    })
                    .unwrap_or_else(|| r.category.clone());
                rsx! {
                    ul { class: "report-list", ReportCard { report: r.clone(), category, lang } }
                }
            }
            None => rsx! {
                p { class: "empty", {t(lang, "activity-gone")} }
            },
        },
        Some(Err(e)) => rsx! {
            p { class: "error", role: "alert", {error_text(lang, e.code)} }
        },
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "report-page-title")} }
            {body}
        }
    }
}
