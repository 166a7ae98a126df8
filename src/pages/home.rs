use std::sync::atomic::{AtomicBool, Ordering};

use dioxus::prelude::*;
use hues_wire::ipc::{ActivityItem, ActivityKind, Attention};

use crate::app::{Route, use_app};
use crate::bridge;
use crate::components::{CityCalls, Icon};
use crate::i18n::{Lang, t};

/// The service groups of Hue-S: (message key, icon, route when built in this version).
pub fn groups() -> [(&'static str, &'static str, Option<Route>); 9] {
    let places = |group: &str| {
        Some(Route::PlacesPage {
            group: group.into(),
        })
    };
    [
        ("group-reports", "megaphone", Some(Route::ReportPage {})),
        ("group-warnings", "triangle-alert", Some(Route::Alerts {})),
        ("group-essential", "zap", places("essential")),
        ("group-transport", "bus", places("transport")),
        ("group-education", "graduation-cap", places("education")),
        ("group-health", "hospital", places("health")),
        ("group-heritage", "landmark", Some(Route::SightsPage {})),
        ("group-planning", "drafting-compass", None),
        (
            "group-procedures",
            "file-text",
            Some(Route::ProceduresPage {}),
        ),
    ]
}

static PAINTED: AtomicBool = AtomicBool::new(false);

#[component]
pub fn Home() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    // Once: the first screen is up, the window may show; two frames later it has painted
    // (the start-up measurement).
    use_effect(|| {
        if !PAINTED.swap(true, Ordering::Relaxed) {
            spawn(async {
                let _ = bridge::ui_ready(false).await;
                bridge::next_frame().await;
                bridge::next_frame().await;
                let _ = bridge::ui_ready(true).await;
            });
        }
    });
    let activity = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::activity().await.unwrap_or_default()
    });
    let first: Vec<ActivityItem> = activity
        .read()
        .as_ref()
        .map(|all| {
            all.iter()
                .filter(|i| i.attention.is_some())
                .take(4)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    rsx! {
        div { class: "home",
            div { class: "banner",
                p { class: "banner-city", {t(lang, "home-city")} }
                p { class: "banner-line", {t(lang, "home-banner")} }
            }
            div { class: "home-columns",
                ServiceGroups { lang }
                div { class: "home-side",
                    NeedsMe { lang, items: first }
                    CityCalls { lang, reminder: false }
                }
            }
        }
    }
}

#[component]
pub fn ServiceGroups(lang: Lang) -> Element {
    rsx! {
        section { class: "page services", aria_labelledby: "home-title",
            h2 { id: "home-title", {t(lang, "home-title")} }
            ul { class: "tiles",
                for (key , icon , route) in groups() {
                    li { key: "{key}", "data-built": route.is_some(),
                        if let Some(route) = route.clone() {
                            Link { id: "{key}", to: route, class: "tile",
                                Icon { name: icon }
                                span { class: "tile-name", {t(lang, key)} }
                            }
                        } else {
                            div { class: "tile not-yet",
                                Icon { name: icon }
                                span { class: "tile-name", {t(lang, key)} }
                                span { class: "tile-later", {t(lang, "home-not-yet")} }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where a line of activity opens.
pub fn activity_route(item: &ActivityItem) -> Route {
    match item.kind {
        ActivityKind::Report => Route::MyReportPage {
            id: item.id.clone(),
        },
        ActivityKind::Followed => Route::PublicReportPage {
            id: item.id.clone(),
        },
        ActivityKind::Dossier => Route::MyDossierPage {
            code: item.id.clone(),
        },
        ActivityKind::Booking => Route::MyBookingPage {
            id: item.id.clone(),
        },
        ActivityKind::Warning => Route::AlertPage {
            id: item.id.clone(),
        },
    }
}

pub fn kind_icon(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Report => "megaphone",
        ActivityKind::Followed => "eye",
        ActivityKind::Dossier => "file-text",
        ActivityKind::Booking => "calendar-check",
        ActivityKind::Warning => "triangle-alert",
    }
}

pub fn attention_key(a: Attention) -> &'static str {
    match a {
        Attention::WarningForMyPlace => "attention-warning",
        Attention::CityReplied => "attention-replied",
        Attention::RateIt => "attention-rate",
        Attention::DossierReady => "attention-dossier-ready",
        Attention::DossierDue => "attention-dossier-due",
        Attention::BookingAnswered => "attention-booking",
    }
}

pub fn item_title(lang: Lang, item: &ActivityItem) -> String {
    match lang {
        Lang::Vi => item.title_vi.clone(),
        Lang::En => item.title_en.clone(),
    }
}

/// What needs the citizen first: a warning for one of their places, the city's answer, a
/// dossier ready or due, a booking answered. Nothing shown when nothing does.
#[component]
fn NeedsMe(lang: Lang, items: Vec<ActivityItem>) -> Element {
    rsx! {
        section { id: "needs-me", class: "needs-me", aria_labelledby: "needs-me-title",
            h2 { id: "needs-me-title", {t(lang, "needs-me-title")} }
            if items.is_empty() {
                p { class: "empty", {t(lang, "needs-me-none")} }
            } else {
                ul { class: "attention-list",
                    for item in items {
                        li { key: "{item.id}",
                            Link { class: "attention", to: activity_route(&item),
                                Icon { name: kind_icon(item.kind) }
                                span { class: "attention-body",
                                    strong { class: "attention-why",
                                        {item.attention.map(|a| t(lang, attention_key(a))).unwrap_or_default()}
                                    }
                                    span { class: "attention-title", {item_title(lang, &item)} }
                                }
                            }
                        }
                    }
                }
            }
            Link { id: "home-activity", class: "more", to: Route::MyActivity {}, {t(lang, "activity-all")} }
        }
    }
}
