//! Where is it, is it open, how do I get there: the city's places from the device's cache, on a
//! map (clustered markers) and as a list, searchable in Vietnamese with or without marks, nearest
//! first, with "open now"; a card per place; the visitors' sights.

use dioxus::prelude::*;
use hues_wire::api::{PLACE_CATEGORIES, Place};
use hues_wire::ipc::{HUE_CENTRE, PlaceQuery, PlaceView, Point};
use hues_wire::time::format_local;

use crate::app::{Route, use_app};
use crate::bridge;
use crate::i18n::{Lang, error_text, t, t_with};
use crate::map::{LeafletMap, MapMarker};

/// The symbol shown with a category (never its colour alone).
pub fn category_symbol(category: &str) -> &'static str {
    match category {
        "hospital" | "clinic" => "✚",
        "pharmacy" => "℞",
        "school" | "university" => "✍",
        "police" => "★",
        "fire_station" => "▲",
        "bus_stop" | "train_station" => "⇆",
        "parking" => "P",
        "atm" => "₫",
        "fuel" => "⚑",
        "toilet" => "WC",
        "market" => "⌂",
        "heritage_site" | "museum" => "♜",
        "pagoda" => "☸",
        "hotel" => "⌂",
        "restaurant" => "☕",
        "government_office" => "☰",
        _ => "●",
    }
}

pub fn category_name(lang: Lang, category: &str) -> String {
    t(lang, &format!("place-cat-{category}"))
}

/// The Home groups that open this screen, with the categories they show.
pub fn group_categories(group: &str) -> &'static [&'static str] {
    match group {
        "essential" => &["market", "atm", "fuel", "toilet", "police", "fire_station"],
        "transport" => &["bus_stop", "train_station", "parking", "fuel"],
        "education" => &["school", "university"],
        "health" => &["hospital", "clinic", "pharmacy"],
        _ => &[],
    }
}

/// "Open until 17:30" / "Closed, opens 06:30" / "Hours unknown", with a shape for each.
fn open_text(lang: Lang, v: &PlaceView) -> (&'static str, &'static str, String) {
    let when = v.next_change.map(format_local);
    match (v.open, when) {
        (Some(true), Some(w)) => ("open", "●", t_with(lang, "place-open-until", "time", w)),
        (Some(true), None) => ("open", "●", t(lang, "place-open")),
        (Some(false), Some(w)) => ("closed", "○", t_with(lang, "place-closed-opens", "time", w)),
        (Some(false), None) => ("closed", "○", t(lang, "place-closed")),
        (None, _) => ("unknown", "?", t(lang, "place-hours-unknown")),
    }
}

/// "850 m north-east".
fn distance_text(lang: Lang, v: &PlaceView) -> Option<String> {
    let d = v.distance_m?;
    let dir = t(
        lang,
        &format!(
            "compass-{}",
            hues_wire::geo::compass_point(v.bearing_deg.unwrap_or(0.0))
        ),
    );
    let dist = crate::i18n::distance(lang, d);
    Some(t_with(
        lang,
        "place-distance",
        "distance",
        format!("{dist} {dir}"),
    ))
}

#[component]
pub fn PlaceCard(v: PlaceView, lang: Lang) -> Element {
    let (state, icon, open) = open_text(lang, &v);
    let p = &v.place;
    rsx! {
        li { class: "card place-card", id: "place-{p.id}", "data-open": state,
            div { class: "report-head",
                h3 { class: "report-category",
                    Link { to: Route::PlacePage { id: p.id.clone() }, {p.name(lang.code()).to_owned()} }
                }
                span { class: "badge badge-{state}", span { aria_hidden: "true", "{icon} " } span { class: "open-text", "{open}" } }
            }
            p { class: "meta",
                span { aria_hidden: "true", "{category_symbol(&p.category)} " }
                {category_name(lang, &p.category)}
                if let Some(d) = distance_text(lang, &v) {
                    " · "
                    span { class: "distance", "{d}" }
                }
            }
            p { class: "meta address", "{p.address}" }
        }
    }
}

/// The device's position, asked once per screen (else Huế's centre).
fn use_position() -> (Signal<Option<Point>>, Signal<bool>) {
    let mut here = use_signal(|| None::<Point>);
    let mut failed = use_signal(|| false);
    use_hook(move || {
        spawn(async move {
            match crate::map::locate(15_000).await {
                Ok(fix) => {
                    here.set(Some(Point {
                        latitude: fix.latitude,
                        longitude: fix.longitude,
                    }));
                }
                Err(_) => failed.set(true),
            }
        });
    });
    (here, failed)
}

fn centre(here: Option<Point>) -> Point {
    here.unwrap_or(Point {
        latitude: HUE_CENTRE.0,
        longitude: HUE_CENTRE.1,
    })
}

#[component]
pub fn PlacesPage(group: String) -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let nav = navigator();
    let allowed: Vec<&'static str> = match group_categories(&group) {
        [] => PLACE_CATEGORIES.to_vec(),
        some => some.to_vec(),
    };
    let mut text = use_signal(String::new);
    let mut chosen = use_signal(Vec::<String>::new);
    let mut open_now = use_signal(|| false);
    let (here, located_failed) = use_position();
    let group_for_query = group.clone();
    let results = use_resource(move || {
        let group = group_for_query.clone();
        async move {
            let _ = ctx.status.read().revision;
            let picked = chosen();
            let categories = if picked.is_empty() {
                group_categories(&group)
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect()
            } else {
                picked
            };
            let q = PlaceQuery {
                text: text(),
                categories,
                near: Some(centre(here())),
                open_now: open_now(),
                sights_only: false,
                limit: 200,
            };
            bridge::search_places(&q).await
        }
    });
    let (views, error) = match &*results.read() {
        Some(Ok(v)) => (v.clone(), None),
        Some(Err(e)) => (Vec::new(), Some(e.code)),
        None => (Vec::new(), None),
    };
    let markers: Vec<MapMarker> = views
        .iter()
        .map(|v| {
            let (state, _, open) = open_text(lang, v);
            MapMarker {
                id: v.place.id.clone(),
                lat: v.place.latitude,
                lon: v.place.longitude,
                symbol: category_symbol(&v.place.category).into(),
                cls: format!("place-marker open-{state}"),
                title: format!(
                    "{} — {} — {open}",
                    v.place.name(lang.code()),
                    category_name(lang, &v.place.category)
                ),
            }
        })
        .collect();
    let c = centre(here());
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "places-title")} }
            nav { class: "tabs", aria_label: t(lang, "map-views"),
                span { class: "tab active", aria_current: "page", {t(lang, "places-tab")} }
                Link { id: "to-reports-map", class: "tab", to: Route::MapPage {}, {t(lang, "reports-map-tab")} }
                Link { id: "to-sights", class: "tab", to: Route::SightsPage {}, {t(lang, "sights-tab")} }
            }
            div { class: "field",
                label { r#for: "place-search", {t(lang, "places-search")} }
                input {
                    id: "place-search",
                    r#type: "search",
                    autocomplete: "off",
                    aria_describedby: "place-search-hint",
                    value: "{text}",
                    oninput: move |e: FormEvent| text.set(e.value()),
                }
                p { id: "place-search-hint", class: "hint", {t(lang, "places-search-hint")} }
            }
            div { class: "chips", role: "group", aria_label: t(lang, "places-categories"),
                for cat in allowed.iter().copied() {
                    button {
                        key: "{cat}",
                        r#type: "button",
                        class: "chip",
                        id: "chip-{cat}",
                        aria_pressed: chosen.read().iter().any(|c| c == cat),
                        onclick: move |_| {
                            let mut list = chosen.write();
                            if let Some(i) = list.iter().position(|c| c == cat) {
                                list.remove(i);
                            } else {
                                list.push(cat.to_owned());
                            }
                        },
                        span { aria_hidden: "true", "{category_symbol(cat)} " }
                        {category_name(lang, cat)}
                    }
                }
            }
            div { class: "check",
                input {
                    id: "open-now",
                    r#type: "checkbox",
                    checked: open_now(),
                    onchange: move |e: FormEvent| open_now.set(e.checked()),
                }
                label { r#for: "open-now", {t(lang, "places-open-now")} }
            }
            p { class: "meta", role: "status",
                if here().is_some() { {t(lang, "places-sorted-from-you")} } else { {t(lang, "places-sorted-from-centre")} }
                if located_failed() { " " {t(lang, "location-unavailable")} }
            }
            LeafletMap {
                id: "places-map",
                label: t(lang, "places-map-label"),
                centre: (c.latitude, c.longitude),
                zoom: 14,
                texts: crate::map::texts(lang),
                markers,
                cluster: true,
                me: here().map(|p| (p.latitude, p.longitude)),
                on_select: move |id: String| {
                    nav.push(Route::PlacePage { id });
                },
            }
            crate::pages::offline_area::SaveArea { lang, map_id: "places-map" }
            if let Some(code) = error {
                p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
            } else if views.is_empty() && results.read().is_some() {
                p { class: "empty", {t(lang, "places-empty")} }
            }
            ul { class: "report-list", aria_label: t(lang, "places-list"),
                for v in views {
                    PlaceCard { key: "{v.place.id}", v: v.clone(), lang }
                }
            }
        }
    }
}

/// A link that opens the place in the device's maps app.
fn maps_app_link(p: &Place) -> String {
    let label: String = p
        .name_vi
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    format!(
        "geo:{lat},{lon}?q={lat},{lon}({label})",
        lat = p.latitude,
        lon = p.longitude,
        label = label.trim().replace(' ', "+")
    )
}

#[component]
pub fn PlacePage(id: String) -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let (here, _) = use_position();
    let id_for_query = id.clone();
    let view = use_resource(move || {
        let id = id_for_query.clone();
        async move { bridge::place(&id, here()).await }
    });
    let body = match &*view.read() {
        None => rsx! { p { role: "status", {t(lang, "loading")} } },
        Some(Err(e)) => {
            rsx! { p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, e.code)} } }
        }
        Some(Ok(v)) => {
            let v = v.clone();
            let p = v.place.clone();
            let (state, icon, open) = open_text(lang, &v);
            let bookable = crate::pages::bookings::bookable_kinds(&p);
            rsx! {
                article { id: "place-detail", class: "card", "data-open": state,
                    h3 { class: "report-category", {p.name(lang.code()).to_owned()} }
                    p { class: "meta", span { aria_hidden: "true", "{category_symbol(&p.category)} " } {category_name(lang, &p.category)} }
                    p { span { class: "badge badge-{state}", id: "place-open", span { aria_hidden: "true", "{icon} " } "{open}" } }
                    if !p.opening_hours.is_empty() {
                        p { class: "meta", {t(lang, "place-hours")} " " code { "{p.opening_hours}" } }
                    }
                    if !p.description(lang.code()).is_empty() {
                        p { {p.description(lang.code()).to_owned()} }
                    }
                    p { class: "address", span { aria_hidden: "true", "⌂ " } "{p.address}" }
                    if let Some(d) = distance_text(lang, &v) {
                        p { id: "place-distance", class: "meta", span { aria_hidden: "true", "◉ " } "{d}" }
                    }
                    crate::components::report_list::PhotoStrip { photos: p.photos.clone(), lang, thumb: false }
                    if !p.tickets.is_empty() {
                        table { class: "tickets",
                            caption { {t(lang, "place-tickets")} }
                            tbody {
                                for tk in p.tickets.iter() {
                                    tr { key: "{tk.name_vi}",
                                        th { scope: "row", if lang == Lang::En { "{tk.name_en}" } else { "{tk.name_vi}" } }
                                        td { {crate::i18n::money(lang, u64::from(tk.price_vnd))} }
                                    }
                                }
                            }
                        }
                    }
                    div { class: "actions",
                        if !p.phone.is_empty() {
                            a { id: "place-call", class: "button", href: "tel:{p.phone.replace(' ', \"\")}", span { aria_hidden: "true", "✆ " } {t_with(lang, "place-call", "phone", p.phone.clone())} }
                        }
                        if !p.website.is_empty() {
                            a { id: "place-website", class: "button", href: "{p.website}", target: "_blank", rel: "noopener", {t(lang, "place-website")} }
                        }
                        a { id: "place-directions", class: "button", href: maps_app_link(&p), {t(lang, "place-open-in-maps")} }
                    }
                    if !bookable.is_empty() {
                        crate::pages::bookings::BookingForm { lang, place: p.clone(), kinds: bookable }
                    }
                }
            }
        }
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "place-title")} }
            Link { to: Route::PlacesPage { group: String::new() }, class: "back", span { aria_hidden: "true", "← " } {t(lang, "place-back")} }
            {body}
        }
    }
}

/// The curated sights for visitors: texts, hours and tickets, each with its card.
#[component]
pub fn SightsPage() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let (here, _) = use_position();
    let sights = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::search_places(&PlaceQuery {
            near: Some(centre(here())),
            sights_only: true,
            limit: 100,
            ..Default::default()
        })
        .await
    });
    let list = match &*sights.read() {
        Some(Ok(v)) => v.clone(),
        _ => Vec::new(),
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "sights-title")} }
            p { class: "intro", {t(lang, "sights-intro")} }
            if list.is_empty() && sights.read().is_some() {
                p { class: "empty", {t(lang, "places-empty")} }
            }
            ul { class: "report-list",
                for v in list {
                    li { key: "{v.place.id}", class: "card sight", id: "sight-{v.place.id}",
                        h3 { class: "report-category", Link { to: Route::PlacePage { id: v.place.id.clone() }, {v.place.name(lang.code()).to_owned()} } }
                        p { {v.place.description(lang.code()).to_owned()} }
                        p { class: "meta", {open_text(lang, &v).2} }
                        if let Some(first) = v.place.tickets.first() {
                            p { class: "meta", {t_with(lang, "sight-ticket-from", "price", crate::i18n::money(lang, u64::from(first.price_vnd)))} }
                        }
                    }
                }
            }
        }
    }
}
