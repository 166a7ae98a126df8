//! Warnings (CAP 1.2) kept on the device: active ones first, most severe first; expired ones on
//! their own tab; each says which of the citizen's places it concerns (decided offline), and
//! severity, urgency and certainty in words as well as colour.

use dioxus::prelude::*;
use hues_wire::api::{AlertInfo, AlertRecord};
use hues_wire::ipc::{AlertView, HUE_CENTRE, Point};
use hues_wire::time::format_local;

use crate::app::use_app;
use crate::bridge;
use crate::i18n::{Lang, error_text, t, t_with};
use crate::map::LeafletMap;

/// The info block in the citizen's language, else the first.
pub fn info_for(alert: &AlertRecord, lang: Lang) -> Option<&AlertInfo> {
    alert
        .infos
        .iter()
        .find(|i| i.language.to_lowercase().starts_with(lang.code()))
        .or_else(|| alert.infos.first())
}

fn cap_time(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| format_local(t.with_timezone(&chrono::Utc)))
}

fn word(lang: Lang, kind: &str, value: &str) -> String {
    let known = match kind {
        "severity" => ["Extreme", "Severe", "Moderate", "Minor"].contains(&value),
        "urgency" => ["Immediate", "Expected", "Future", "Past"].contains(&value),
        _ => ["Observed", "Likely", "Possible", "Unlikely"].contains(&value),
    };
    if known {
        t(lang, &format!("cap-{kind}-{}", value.to_lowercase()))
    } else {
        t(lang, "cap-unknown")
    }
}

#[component]
pub fn AlertCard(view: AlertView, lang: Lang) -> Element {
    let a = &view.alert;
    let Some(info) = info_for(a, lang).cloned() else {
        return rsx! {};
    };
    let severity = info.severity.to_lowercase();
    let state_key = match (a.state.as_str(), view.expired) {
        ("cancelled", _) => Some("alert-cancelled"),
        ("updated", _) => Some("alert-updated"),
        (_, true) => Some("alert-expired"),
        _ if a.msg_type == "Update" => Some("alert-update"),
        _ => None,
    };
    rsx! {
        li { class: "card alert-card severity-{severity}", id: "alert-{a.identifier}", "data-state": "{a.state}",
            div { class: "report-head",
                h3 { class: "report-category", "{info.headline}" }
                span { class: "badge badge-severity-{severity}",
                    span { aria_hidden: "true", "⚠ " }
                    {word(lang, "severity", &info.severity)}
                }
            }
            if let Some(key) = state_key {
                p { class: "alert-state", span { aria_hidden: "true", "■ " } {t(lang, key)} }
            }
            p { class: "meta",
                {t_with(lang, "alert-urgency", "value", word(lang, "urgency", &info.urgency))}
                " · "
                {t_with(lang, "alert-certainty", "value", word(lang, "certainty", &info.certainty))}
            }
            if view.affects.is_empty() {
                p { class: "meta affects-none", {t(lang, "alert-affects-none")} }
            } else {
                p { class: "affects", role: "status",
                    span { aria_hidden: "true", "◉ " }
                    {t_with(lang, "alert-affects", "places", view.affects.join(", "))}
                }
            }
            p { class: "meta",
                for area in info.areas.iter() {
                    span { key: "{area.description}", "{area.description} " }
                }
            }
            p { class: "meta",
                if let Some(from) = cap_time(&info.effective) { {t_with(lang, "alert-from", "time", from)} " " }
                if let Some(to) = cap_time(&info.expires) { {t_with(lang, "alert-until", "time", to)} }
            }
            Link { id: "alert-open-{a.identifier}", class: "button small", to: crate::app::Route::AlertPage { id: a.identifier.clone() }, {t(lang, "alert-open")} }
            details {
                summary { {t(lang, "alert-more")} }
                if !info.description.is_empty() { p { "{info.description}" } }
                if !info.instruction.is_empty() { p { class: "instruction", strong { {t(lang, "alert-instruction")} " " } "{info.instruction}" } }
                if !info.sender_name.is_empty() { p { class: "meta", {t_with(lang, "alert-sender", "sender", info.sender_name.clone())} } }
            }
        }
    }
}

#[component]
pub fn Alerts() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut expired_tab = use_signal(|| false);
    let mut only_mine = use_signal(|| false);
    let mut list = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::alerts().await
    });
    let mut places = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::my_places().await.unwrap_or_default()
    });
    let mut name = use_signal(String::new);
    let mut pin = use_signal(|| None::<(f64, f64)>);
    let mut place_error = use_signal(|| None::<hues_wire::ErrorCode>);
    let (views, error) = match &*list.read() {
        Some(Ok(v)) => (v.clone(), None),
        Some(Err(e)) => (Vec::new(), Some(e.code)),
        None => (Vec::new(), None),
    };
    let shown: Vec<AlertView> = views
        .into_iter()
        .filter(|v| {
            let live = v.alert.state == "active" && !v.expired;
            live != expired_tab()
        })
        .filter(|v| !only_mine() || !v.affects.is_empty())
        .collect();
    let mine = places.read().clone().unwrap_or_default();
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "alerts-title")} }
            div { class: "tabs", role: "group", aria_label: t(lang, "alerts-views"),
                button { id: "alerts-active", r#type: "button", class: if expired_tab() { "tab" } else { "tab active" }, aria_pressed: !expired_tab(), onclick: move |_| expired_tab.set(false), {t(lang, "alerts-active")} }
                button { id: "alerts-expired", r#type: "button", class: if expired_tab() { "tab active" } else { "tab" }, aria_pressed: expired_tab(), onclick: move |_| expired_tab.set(true), {t(lang, "alerts-expired")} }
            }
            div { class: "check",
                input { id: "alerts-mine", r#type: "checkbox", checked: only_mine(), onchange: move |e: FormEvent| only_mine.set(e.checked()) }
                label { r#for: "alerts-mine", {t(lang, "alerts-only-mine")} }
            }
            if let Some(code) = error {
                p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
            } else if shown.is_empty() && list.read().is_some() {
                p { class: "empty", {t(lang, "alerts-empty")} }
            }
            ul { class: "report-list", aria_label: t(lang, "alerts-list"),
                for v in shown {
                    AlertCard { key: "{v.alert.identifier}", view: v.clone(), lang }
                }
            }
            section { class: "card my-places", aria_labelledby: "my-places-title",
                h3 { id: "my-places-title", {t(lang, "my-places-title")} }
                p { class: "hint", {t(lang, "my-places-hint")} }
                ul { class: "photo-list",
                    for p in mine {
                        li { key: "{p.id}", class: "photo-item", id: "my-place-{p.id}",
                            span { aria_hidden: "true", "◉ " }
                            "{p.name} · {p.latitude:.4}, {p.longitude:.4}"
                            button {
                                r#type: "button",
                                class: "button small",
                                aria_label: t_with(lang, "my-places-delete", "name", p.name.clone()),
                                onclick: {
                                    let id = p.id;
                                    move |_| {
                                        spawn(async move {
                                            let _ = bridge::delete_my_place(&id).await;
                                            places.restart();
                                            list.restart();
                                        });
                                    }
                                },
                                "✕"
                            }
                        }
                    }
                }
                div { class: "field",
                    label { r#for: "my-place-name", {t(lang, "my-places-name")} }
                    input { id: "my-place-name", r#type: "text", maxlength: "60", value: "{name}", oninput: move |e: FormEvent| name.set(e.value()) }
                }
                div { class: "actions",
                    button {
                        id: "my-place-here",
                        r#type: "button",
                        class: "button",
                        onclick: move |_| {
                            spawn(async move {
                                match crate::map::locate(15_000).await {
                                    Ok(f) => pin.set(Some((f.latitude, f.longitude))),
                                    Err(_) => place_error.set(Some(hues_wire::ErrorCode::Network)),
                                }
                            });
                        },
                        span { aria_hidden: "true", "◉ " }
                        {t(lang, "location-use-device")}
                    }
                }
                LeafletMap {
                    id: "my-places-map",
                    label: t(lang, "my-places-map"),
                    centre: HUE_CENTRE,
                    zoom: 12,
                    texts: crate::map::texts(lang),
                    pin: pin(),
                    on_pick: move |p: (f64, f64)| pin.set(Some(p)),
                }
                button {
                    id: "my-place-save",
                    r#type: "button",
                    class: "button primary",
                    disabled: pin().is_none(),
                    onclick: move |_| {
                        let Some((latitude, longitude)) = pin() else { return };
                        let n = name();
                        spawn(async move {
                            match bridge::save_my_place(&n, Point { latitude, longitude }).await {
                                Ok(_) => {
                                    name.set(String::new());
                                    place_error.set(None);
                                    places.restart();
                                    list.restart();
                                }
                                Err(e) => place_error.set(Some(e.code)),
                            }
                        });
                    },
                    {t(lang, "my-places-save")}
                }
                if let Some(code) = place_error() {
                    p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
                }
            }
        }
    }
}

/// One warning: its texts in the user's language and its area on the map.
#[component]
pub fn AlertPage(id: String) -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let list = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::alerts().await
    });
    let found = match &*list.read() {
        Some(Ok(v)) => v.iter().find(|x| x.alert.identifier == id).cloned(),
        _ => None,
    };
    let body = match found {
        None if list.read().is_none() => rsx! { p { role: "status", {t(lang, "loading")} } },
        None => {
            rsx! { p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, hues_wire::ErrorCode::NotFound)} } }
        }
        Some(view) => {
            let shapes = crate::map::Shapes {
                polygons: view
                    .alert
                    .infos
                    .iter()
                    .flat_map(|i| &i.areas)
                    .flat_map(|a| a.polygons.clone())
                    .collect(),
                circles: view
                    .alert
                    .infos
                    .iter()
                    .flat_map(|i| &i.areas)
                    .flat_map(|a| a.circles.clone())
                    .collect(),
            };
            let described = !shapes.polygons.is_empty() || !shapes.circles.is_empty();
            let identifier = view.alert.identifier.clone();
            let centre = area_centre(&shapes);
            rsx! {
                ul { class: "report-list", AlertCard { view: view.clone(), lang } }
                button {
                    id: "report-damage",
                    r#type: "button",
                    class: "button primary",
                    onclick: move |_| {
                        let identifier = identifier.clone();
                        spawn(async move {
                            // The form opens prefilled: the warning, its area's centre (the
                            // citizen moves the pin to the damage), flooding.
                            let mut d = bridge::load_draft().await.unwrap_or_default();
                            d.alert = Some(identifier);
                            d.latitude = format!("{:.6}", centre.0);
                            d.longitude = format!("{:.6}", centre.1);
                            d.location_source = Some(hues_wire::api::LocationSource::Map);
                            d.accuracy_m = None;
                            if d.category.is_empty() {
                                d.category = "flooding".into();
                            }
                            let _ = bridge::save_draft(&d).await;
                            navigator().push(crate::app::Route::ReportPage {});
                        });
                    },
                    {t(lang, "alert-report-damage")}
                }
                if described {
                    LeafletMap {
                        id: "alert-map",
                        label: t(lang, "alert-map"),
                        centre: HUE_CENTRE,
                        zoom: 11,
                        texts: crate::map::texts(lang),
                        shapes: Some(shapes),
                    }
                } else {
                    p { class: "meta", {t(lang, "alert-whole-city")} }
                }
            }
        }
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "alert-title")} }
            Link { to: crate::app::Route::Alerts {}, class: "back", span { aria_hidden: "true", "← " } {t(lang, "alert-back")} }
            {body}
        }
    }
}

/// Where a warning's area is, for a report from its page: the middle of its first polygon, or
/// its first circle's centre, else Huế's centre.
fn area_centre(shapes: &crate::map::Shapes) -> (f64, f64) {
    if let Some(ring) = shapes.polygons.first().filter(|r| !r.is_empty()) {
        let n = ring.len() as f64;
        let (lat, lon) = ring
            .iter()
            .fold((0.0, 0.0), |(a, b), (lat, lon)| (a + lat, b + lon));
        return (lat / n, lon / n);
    }
    if let Some((lat, lon, _)) = shapes.circles.first() {
        return (*lat, *lon);
    }
    HUE_CENTRE
}
