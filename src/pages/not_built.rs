use dioxus::prelude::*;

use crate::app::{Route, use_app};
use crate::components::report_list::status_text;
use crate::i18n::{Lang, error_text, t, t_with};

/// An honest page for a part that later issues build.
#[component]
fn NotBuilt(title_key: &'static str) -> Element {
    let lang = *use_app().lang.read();
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, title_key)} }
            p { class: "notice", span { aria_hidden: "true", "ℹ " } {t(lang, "not-built")} }
        }
    }
}

#[component]
pub fn Alerts() -> Element {
    rsx! { NotBuilt { title_key: "alerts-title" } }
}

/// The map comes later; its list form is here already: published reports near Huế's centre,
/// with "me too".
#[component]
pub fn MapPage() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut list = use_resource(move || async move {
        let _ = ctx.status.read().online;
        let (latitude, longitude) = hues_wire::ipc::HUE_CENTRE;
        let req = hues_wire::ipc::NearbyRequest {
            latitude,
            longitude,
            radius_m: 5000.0,
        };
        let reports = crate::bridge::nearby_reports(&req).await?;
        let categories = crate::bridge::categories().await.unwrap_or_default();
        Ok::<_, hues_wire::ApiError>((reports, categories))
    });
    let body = match &*list.read() {
        None => rsx! {},
        Some(Ok((reports, categories))) => rsx! {
            NearbyList {
                reports: reports.clone(),
                categories: categories.clone(),
                lang,
                on_me_too: move |id: uuid::Uuid| {
                    spawn(async move {
                        if crate::bridge::me_too(&id).await.is_ok() {
                            list.restart();
                        }
                    });
                },
            }
        },
        Some(Err(e)) => rsx! {
            p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, e.code)} }
        },
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "map-title")} }
            p { class: "notice", span { aria_hidden: "true", "ℹ " } {t(lang, "map-list-first")} }
            h3 { {t(lang, "nearby-title")} }
            {body}
        }
    }
}

/// Published reports as a list: status in words, distance, how many said "me too".
#[component]
pub fn NearbyList(
    reports: Vec<hues_wire::api::PublicReport>,
    categories: Vec<hues_wire::api::Category>,
    lang: Lang,
    on_me_too: EventHandler<uuid::Uuid>,
) -> Element {
    if reports.is_empty() {
        return rsx! { p { class: "empty", {t(lang, "nearby-empty")} } };
    }
    rsx! {
        ul { class: "report-list",
            for r in reports {
                li { key: "{r.id}", class: "card report-card", id: "public-{r.id}", "data-state": r.status.as_str(),
                    div { class: "report-head",
                        h4 { class: "report-category",
                            {categories.iter().find(|c| c.code == r.category).map(|c| c.name(lang.code()).to_owned()).unwrap_or_else(|| r.category.clone())}
                        }
                        span { class: "badge badge-{r.status.as_str()}", {status_text(lang, r.status)} }
                    }
                    p { class: "report-desc", "{r.description}" }
                    p { class: "meta",
                        if let Some(d) = r.distance_m {
                            {t_with(lang, "nearby-distance", "metres", d.round() as i64)}
                            " · "
                        }
                        {t_with(lang, "nearby-me-too-count", "count", r.me_too)}
                    }
                    button {
                        id: "me-too-{r.id}",
                        r#type: "button",
                        class: "button small",
                        onclick: {
                            let id = r.id;
                            move |_| on_me_too.call(id)
                        },
                        {t(lang, "nearby-me-too")}
                    }
                }
            }
        }
    }
}

/// Any unknown path goes home.
#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let nav = navigator();
    use_effect(move || {
        nav.replace(Route::Home {});
    });
    rsx! {}
}
