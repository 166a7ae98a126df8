use dioxus::prelude::*;
use hues_wire::api::{Category, ReportStatus};
use hues_wire::ipc::{DeliveryState, LocalReport};
use hues_wire::time::format_local;

use crate::i18n::{Lang, error_text, t, t_with};

/// What the citizen reads for where a report is: the city's status once delivered, else where
/// it is on its way. Returns (stable key for tests and styles, icon, text).
pub fn delivery_text(r: &LocalReport, lang: Lang) -> (&'static str, &'static str, String) {
    match (r.delivery, r.status) {
        (DeliveryState::SavedOnDevice, _) => ("saved", "⌛", t(lang, "delivery-saved")),
        (DeliveryState::Sending, _) => ("sending", "⇡", t(lang, "delivery-sending")),
        (DeliveryState::Refused { code }, _) => (
            "refused",
            "⚠",
            t_with(lang, "delivery-refused", "reason", error_text(lang, code)),
        ),
        (DeliveryState::Delivered, status) => {
            let status = status.unwrap_or(ReportStatus::Received);
            let icon = match status {
                ReportStatus::Resolved => "✔",
                ReportStatus::Rejected | ReportStatus::Duplicate => "✖",
                _ => "✉",
            };
            (status.as_str(), icon, status_text(lang, status))
        }
    }
}

pub fn status_text(lang: Lang, status: ReportStatus) -> String {
    t(lang, &format!("status-{}", status.as_str()))
}

#[component]
pub fn ReportList(reports: Vec<LocalReport>, categories: Vec<Category>, lang: Lang) -> Element {
    if reports.is_empty() {
        return rsx! { p { class: "empty", {t(lang, "reports-empty")} } };
    }
    rsx! {
        ul { class: "report-list",
            for r in reports {
                ReportCard {
                    key: "{r.id}",
                    category: categories.iter().find(|c| c.code == r.category).map(|c| c.name(lang.code()).to_owned()).unwrap_or_else(|| r.category.clone()),
                    report: r.clone(),
                    lang,
                }
            }
        }
    }
}

#[component]
pub fn ReportCard(report: LocalReport, category: String, lang: Lang) -> Element {
    let (key, icon, text) = delivery_text(&report, lang);
    let r = &report;
    rsx! {
        li { class: "card report-card", id: "report-{r.id}", "data-state": key,
            div { class: "report-head",
                h3 { class: "report-category", "{category}" }
                span { class: "badge badge-{key}", span { aria_hidden: "true", "{icon} " } span { class: "state-text", "{text}" } }
            }
            p { class: "report-desc", "{r.description}" }
            p { class: "meta", {t_with(lang, "reports-created", "time", format_local(r.created_at))} }
            if !r.history.is_empty() {
                h4 { class: "visually-hidden", {t(lang, "reports-history")} }
                ol { class: "timeline", aria_label: t(lang, "reports-history"),
                    for (i , h) in r.history.iter().enumerate() {
                        li { key: "{i}",
                            strong { {status_text(lang, h.status)} }
                            " · "
                            time { datetime: "{h.at.to_rfc3339()}", {format_local(h.at)} }
                            if let Some(unit) = &h.unit {
                                " · "
                                span { class: "unit", "{unit}" }
                            }
                            if !h.note.is_empty() {
                                p { class: "note", "{h.note}" }
                            }
                        }
                    }
                }
            }
        }
    }
}
