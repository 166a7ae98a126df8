//! Published reports: around the citizen (or Huế's centre) on a map and as a list, each with a
//! detail view that never shows who reported it, and "me too".

use dioxus::prelude::*;
use hues_wire::api::{Category, PublicReport};
use hues_wire::ipc::{HUE_CENTRE, NearbyRequest};
use hues_wire::time::format_local;

use crate::app::{Route, use_app};
use crate::bridge;
use crate::components::report_list::{PhotoStrip, Timeline, status_symbol, status_text};
use crate::i18n::{Lang, error_text, t, t_with};
use crate::map::{LeafletMap, MapMarker};

/// How far around the centre the map and list reach.
const NEARBY_RADIUS_M: f64 = 5000.0;

fn category_name(categories: &[Category], code: &str, lang: Lang) -> String {
    categories
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.name(lang.code()).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// Where "nearby" is measured from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Centre {
    City,
    Device(f64, f64),
}

impl Centre {
    fn point(self) -> (f64, f64) {
        match self {
            Self::City => HUE_CENTRE,
            Self::Device(lat, lon) => (lat, lon),
        }
    }
}

#[component]
pub fn MapPage() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let nav = navigator();
    let mut centre = use_signal(|| Centre::City);
    let mut locating = use_signal(|| false);
    let mut locate_failed = use_signal(|| false);
    let mut near_me = move || {
        locating.set(true);
        spawn(async move {
            match crate::map::locate(15_000).await {
                Ok(fix) => {
                    locate_failed.set(false);
                    centre.set(Centre::Device(fix.latitude, fix.longitude));
                    crate::map::set_view("reports-map", fix.latitude, fix.longitude, 15);
                }
                Err(_) => locate_failed.set(true),
            }
            locating.set(false);
        });
    };
    use_hook(near_me);
    let mut list = use_resource(move || async move {
        let _ = ctx.status.read().online;
        let (latitude, longitude) = centre().point();
        let req = NearbyRequest {
            latitude,
            longitude,
            radius_m: NEARBY_RADIUS_M,
        };
        let reports = bridge::nearby_reports(&req).await?;
        let categories = bridge::categories().await.unwrap_or_default();
        Ok::<_, hues_wire::ApiError>((reports, categories))
    });
    let (reports, categories, error) = match &*list.read() {
        Some(Ok((r, c))) => (r.clone(), c.clone(), None),
        Some(Err(e)) => (Vec::new(), Vec::new(), Some(e.code)),
        None => (Vec::new(), Vec::new(), None),
    };
    let markers: Vec<MapMarker> = reports
        .iter()
        .map(|r| MapMarker {
            id: r.id.to_string(),
            lat: r.latitude,
            lon: r.longitude,
            symbol: status_symbol(r.status).into(),
            cls: format!("status-{}", r.status.as_str()),
            title: format!(
                "{} — {}",
                category_name(&categories, &r.category, lang),
                status_text(lang, r.status)
            ),
        })
        .collect();
    let where_key = match centre() {
        Centre::City => "nearby-around-centre",
        Centre::Device(..) => "nearby-around-me",
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "map-title")} }
            div { class: "actions",
                button {
                    id: "near-me",
                    r#type: "button",
                    class: "button",
                    disabled: locating(),
                    onclick: move |_| near_me(),
                    span { aria_hidden: "true", "◉ " }
                    {t(lang, "nearby-near-me")}
                }
            }
            p { id: "nearby-where", class: "meta", role: "status",
                {t(lang, where_key)}
                if locate_failed() {
                    " "
                    {t(lang, "location-unavailable")}
                }
            }
            LeafletMap {
                id: "reports-map",
                label: t(lang, "map-reports-label"),
                centre: centre().point(),
                zoom: 14,
                texts: crate::map::texts(lang),
                markers,
                on_select: move |id: String| {
                    nav.push(Route::PublicReportPage { id });
                },
            }
            ul { class: "legend", aria_label: t(lang, "map-legend"),
                for s in hues_wire::api::ReportStatus::ALL {
                    li { key: "{s.as_str()}", class: "legend-item",
                        span { class: "map-marker status-{s.as_str()}", aria_hidden: "true", span { "{status_symbol(s)}" } }
                        " "
                        {status_text(lang, s)}
                    }
                }
            }
            h3 { {t(lang, "nearby-title")} }
            if let Some(code) = error {
                p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
            } else {
                NearbyList {
                    reports,
                    categories,
                    lang,
                    on_me_too: move |id: uuid::Uuid| {
                        spawn(async move {
                            if bridge::me_too(&id).await.is_ok() {
                                list.restart();
                            }
                        });
                    },
                }
            }
        }
    }
}

/// Published reports as a list: status in words, distance, how many said "me too", the first
/// photo, and a link to the detail.
#[component]
pub fn NearbyList(
    reports: Vec<PublicReport>,
    categories: Vec<Category>,
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
                        h4 { class: "report-category", {category_name(&categories, &r.category, lang)} }
                        span { class: "badge badge-{r.status.as_str()}",
                            span { aria_hidden: "true", "{status_symbol(r.status)} " }
                            {status_text(lang, r.status)}
                        }
                    }
                    if let Some(sha) = r.photos.first() {
                        img {
                            class: "thumb",
                            src: bridge::photo_url(sha, false),
                            alt: t_with(lang, "report-photo-n", "n", 1),
                            width: "64",
                            height: "64",
                            loading: "lazy",
                        }
                    }
                    p { class: "report-desc", "{r.description}" }
                    if let Some(a) = &r.address {
                        p { class: "meta address", span { aria_hidden: "true", "⌂ " } "{a}" }
                    }
                    p { class: "meta",
                        if let Some(d) = r.distance_m {
                            {t_with(lang, "nearby-distance", "metres", crate::i18n::number(lang, d, 0))}
                            " · "
                        }
                        {t_with(lang, "nearby-me-too-count", "count", r.me_too)}
                    }
                    div { class: "actions",
                        Link {
                            class: "button small",
                            id: "details-{r.id}",
                            to: Route::PublicReportPage { id: r.id.to_string() },
                            {t(lang, "nearby-details")}
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
}

/// One published report: what, where, its photos and its handling; never who reported it.
#[component]
pub fn PublicReportPage(id: String) -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let parsed = uuid::Uuid::parse_str(&id).ok();
    let mut followed = use_signal(|| None::<Result<(), hues_wire::ErrorCode>>);
    let mut report = use_resource(move || async move {
        let id = parsed.ok_or_else(|| {
            hues_wire::ApiError::new(hues_wire::ErrorCode::NotFound, "no such report")
        })?;
        let r = bridge::public_report(&id).await?;
        let categories = bridge::categories().await.unwrap_or_default();
        Ok::<_, hues_wire::ApiError>((r, categories))
    });
    let body = match &*report.read() {
        None => rsx! { p { role: "status", {t(lang, "loading")} } },
        Some(Err(e)) => rsx! {
            p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, e.code)} }
        },
        Some(Ok((r, categories))) => {
            let r = r.clone();
            let rid = r.id;
            rsx! {
                article { id: "public-report", class: "card", "data-state": r.status.as_str(),
                    div { class: "report-head",
                        h3 { class: "report-category", {category_name(categories, &r.category, lang)} }
                        span { class: "badge badge-{r.status.as_str()}",
                            span { aria_hidden: "true", "{status_symbol(r.status)} " }
                            {status_text(lang, r.status)}
                        }
                    }
                    p { class: "report-desc", "{r.description}" }
                    if let Some(a) = &r.address {
                        p { class: "meta address", span { aria_hidden: "true", "⌂ " } "{a}" }
                    }
                    p { class: "meta",
                        {t_with(lang, "public-received", "time", format_local(r.received_at))}
                        " · "
                        {t_with(lang, "nearby-me-too-count", "count", r.me_too)}
                    }
                    PhotoStrip { photos: r.photos.clone(), lang, thumb: false }
                    button {
                        id: "me-too-detail",
                        r#type: "button",
                        class: "button",
                        onclick: move |_| {
                            spawn(async move {
                                let result = bridge::me_too(&rid).await.map(|_| ()).map_err(|e| e.code);
                                if result.is_ok() {
                                    report.restart();
                                }
                                followed.set(Some(result));
                            });
                        },
                        {t(lang, "nearby-me-too")}
                    }
                    match followed() {
                        Some(Ok(())) => rsx! { p { class: "ok", role: "status", span { aria_hidden: "true", "✔ " } {t(lang, "duplicates-followed")} } },
                        Some(Err(code)) => rsx! { p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} } },
                        None => rsx! {},
                    }
                    Timeline { history: r.history.clone(), lang }
                }
            }
        }
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "public-title")} }
            Link { to: Route::MapPage {}, class: "back", span { aria_hidden: "true", "← " } {t(lang, "public-back")} }
            {body}
        }
    }
}
