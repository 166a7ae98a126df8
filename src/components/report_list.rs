use dioxus::prelude::*;
use hues_wire::api::{Category, NewRating, ReportStatus, Satisfaction, StatusChange};
use hues_wire::ipc::{RateRequest, ReopenRequest};

use crate::bridge;
use hues_wire::ipc::{DeliveryState, LocalReport};
use hues_wire::time::format_local;

use crate::i18n::{Lang, error_text, t, t_with};

/// What the citizen reads for where a report is: the city's status once delivered, else where
/// it is on its way. Returns (stable key for tests and styles, icon, text).
pub fn delivery_text(r: &LocalReport, lang: Lang) -> (&'static str, &'static str, String) {
    on_its_way(r.delivery, lang).unwrap_or_else(|| {
        let status = r.status.unwrap_or(ReportStatus::Received);
        (
            status.as_str(),
            status_symbol(status),
            status_text(lang, status),
        )
    })
}

/// Where something queued on the device is, until the server has it (reports and bookings
/// alike): (stable key, icon, text), or `None` once delivered.
pub fn on_its_way(
    delivery: DeliveryState,
    lang: Lang,
) -> Option<(&'static str, &'static str, String)> {
    match delivery {
        DeliveryState::SavedOnDevice => Some(("saved", "⌛", t(lang, "delivery-saved"))),
        DeliveryState::Sending => Some(("sending", "⇡", t(lang, "delivery-sending"))),
        DeliveryState::Refused { code } => Some((
            "refused",
            "⚠",
            t_with(lang, "delivery-refused", "reason", error_text(lang, code)),
        )),
        DeliveryState::Delivered => None,
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
            if let Some(a) = &r.address {
                p { class: "meta address", span { aria_hidden: "true", "⌂ " } "{a}" }
            }
            PhotoStrip { photos: r.photos.clone(), lang, thumb: true }
            if r.followed {
                p { class: "meta", span { aria_hidden: "true", "☍ " } {t(lang, "report-followed")} }
            }
            if r.status == Some(ReportStatus::Resolved) && !r.followed {
                FollowUp { report: report.clone(), lang }
            }
            p { class: "meta", {t_with(lang, "reports-created", "time", format_local(r.created_at))} }
            Timeline { history: r.history.clone(), lang }
        }
    }
}

/// A report's handling, oldest first: status in words, time in the citizen's zone, the unit in
/// charge, the city's note and the photos it attached.
#[component]
pub fn Timeline(history: Vec<StatusChange>, lang: Lang) -> Element {
    if history.is_empty() {
        return rsx! {};
    }
    rsx! {
        h4 { class: "visually-hidden", {t(lang, "reports-history")} }
        ol { class: "timeline", aria_label: t(lang, "reports-history"),
            for (i , h) in history.iter().enumerate() {
                li { key: "{i}",
                    span { aria_hidden: "true", "{status_symbol(h.status)} " }
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
                    PhotoStrip { photos: h.photos.clone(), lang, thumb: false, step: true }
                }
            }
        }
    }
}

/// Photos in a row, shown through the app's `photo:` scheme (from the device, else fetched
/// from the server and kept).
#[component]
pub fn PhotoStrip(
    photos: Vec<String>,
    lang: Lang,
    thumb: bool,
    #[props(default)] step: bool,
) -> Element {
    if photos.is_empty() {
        return rsx! {};
    }
    let key = if step {
        "reports-step-photo"
    } else {
        "report-photo-n"
    };
    rsx! {
        ul { class: "photo-strip",
            for (n , sha) in photos.iter().enumerate() {
                li { key: "{sha}",
                    img {
                        class: if step { "step-photo" } else { "report-photo" },
                        src: bridge::photo_url(sha, thumb),
                        alt: t_with(lang, key, "n", n + 1),
                        loading: "lazy",
                    }
                }
            }
        }
    }
}

/// The symbol shown beside a status (never the colour alone).
pub fn status_symbol(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Received => "✉",
        ReportStatus::Assigned => "➜",
        ReportStatus::InProgress => "⚒",
        ReportStatus::Resolved => "✔",
        ReportStatus::Rejected => "✖",
        ReportStatus::Duplicate => "≈",
    }
}

/// After "resolved": the citizen rates the answer, or reopens the report within 7 days.
#[component]
fn FollowUp(report: LocalReport, lang: Lang) -> Element {
    let id = report.id;
    let mut choice = use_signal(|| None::<Satisfaction>);
    let mut comment = use_signal(String::new);
    let mut sent = use_signal(|| None::<Result<&'static str, hues_wire::ErrorCode>>);
    let can_reopen = report
        .reopen_until
        .is_some_and(|until| chrono::Utc::now() <= until);
    let send_rating = move |e: FormEvent| {
        e.prevent_default();
        let Some(satisfaction) = choice() else {
            sent.set(Some(Err(hues_wire::ErrorCode::MissingField)));
            return;
        };
        let req = RateRequest {
            report: id,
            rating: NewRating {
                satisfaction,
                comment: comment(),
            },
        };
        spawn(async move {
            sent.set(Some(
                bridge::rate_report(&req)
                    .await
                    .map(|()| "rating-sent")
                    .map_err(|e| e.code),
            ));
        });
    };
    let reopen = move |_| {
        let req = ReopenRequest {
            report: id,
            note: comment(),
        };
        spawn(async move {
            sent.set(Some(
                bridge::reopen_report(&req)
                    .await
                    .map(|()| "reopen-sent")
                    .map_err(|e| e.code),
            ));
        });
    };
    let options = [
        (Satisfaction::VerySatisfied, "rating-very-satisfied"),
        (Satisfaction::Satisfied, "rating-satisfied"),
        (Satisfaction::NotSatisfied, "rating-not-satisfied"),
    ];
    rsx! {
        if let Some(r) = &report.rating {
            p { class: "rating-given", id: "rating-{id}",
                span { aria_hidden: "true", "★ " }
                {t_with(lang, "rating-given", "choice", t(lang, &format!("rating-{}", r.satisfaction.as_str().replace('_', "-"))))}
            }
        } else {
            form { class: "form rating", onsubmit: send_rating,
                fieldset { class: "field",
                    legend { {t(lang, "rating-question")} }
                    for (value , key) in options {
                        div { key: "{key}", class: "check",
                            input {
                                id: "{key}-{id}",
                                r#type: "radio",
                                name: "rating-{id}",
                                checked: choice() == Some(value),
                                onchange: move |_| choice.set(Some(value)),
                            }
                            label { r#for: "{key}-{id}", {t(lang, key)} }
                        }
                    }
                }
                div { class: "field",
                    label { r#for: "comment-{id}", {t(lang, "rating-comment")} }
                    textarea {
                        id: "comment-{id}",
                        rows: "2",
                        maxlength: "4000",
                        value: "{comment}",
                        oninput: move |e: FormEvent| comment.set(e.value()),
                    }
                }
                div { class: "actions",
                    button { id: "rate-{id}", r#type: "submit", class: "button primary", {t(lang, "rating-send")} }
                    if can_reopen {
                        button { id: "reopen-{id}", r#type: "button", class: "button", onclick: reopen, {t(lang, "reopen")} }
                    }
                }
            }
        }
        match sent() {
            Some(Ok(key)) => rsx! { p { class: "ok", role: "status", span { aria_hidden: "true", "✔ " } {t(lang, key)} } },
            Some(Err(code)) => rsx! { p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} } },
            None => rsx! {},
        }
    }
}
