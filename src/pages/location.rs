//! Where the problem is: the device's position (with its accuracy, flagged when worse than
//! 100 m), else the first photo's position (offered in the photo list), else a pin dropped or
//! dragged on the map; coordinates can always be typed. The address is typed or taken from the
//! nearest known place.

use dioxus::prelude::*;
use hues_wire::ErrorCode;
use hues_wire::api::{LocationSource, POOR_ACCURACY_M};
use hues_wire::ipc::{HUE_CENTRE, Point};
use hues_wire::validate::{self, ReportField};

use crate::bridge;
use crate::i18n::{Lang, t, t_with};
use crate::map::{FixError, LeafletMap};

/// The report form's map.
pub const MAP_ID: &str = "report-map";

/// A change the citizen made to where the report is.
#[derive(Debug, Clone, PartialEq)]
pub enum LocationEdit {
    Coordinates {
        latitude: String,
        longitude: String,
        source: LocationSource,
        accuracy_m: Option<f64>,
    },
    Address(String),
}

/// Coordinates as the form keeps them: six decimals (about 10 cm).
pub fn coordinate_text(v: f64) -> String {
    format!("{v:.6}")
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Locating {
    Idle,
    Busy,
    Failed(FixError),
}

fn fix_error_key(e: FixError) -> &'static str {
    match e {
        FixError::Denied => "location-denied",
        FixError::Timeout => "location-timeout",
        FixError::Unsupported | FixError::Unavailable => "location-unavailable",
    }
}

/// A latitude or longitude typed as text (decimal comma accepted).
#[component]
fn CoordinateInput(
    field: ReportField,
    lang: Lang,
    value: String,
    error: Option<ErrorCode>,
    on_input: EventHandler<String>,
) -> Element {
    let id = field.as_str();
    let label = if field == ReportField::Latitude {
        "report-latitude"
    } else {
        "report-longitude"
    };
    rsx! {
        div { class: "field",
            label { r#for: id, {t(lang, label)} }
            input {
                id,
                r#type: "text",
                inputmode: "decimal",
                autocomplete: "off",
                aria_invalid: error.is_some(),
                aria_describedby: super::report::described(field, Some("location-hint"), error),
                value,
                oninput: move |e: FormEvent| on_input.call(e.value()),
            }
            {super::report::field_error(lang, field, error)}
        }
    }
}

#[component]
pub fn LocationFields(
    lang: Lang,
    latitude: String,
    longitude: String,
    address: String,
    source: Option<LocationSource>,
    accuracy_m: Option<f64>,
    e_lat: Option<ErrorCode>,
    e_lon: Option<ErrorCode>,
    e_address: Option<ErrorCode>,
    on_change: EventHandler<LocationEdit>,
) -> Element {
    let mut locating = use_signal(|| Locating::Idle);
    let mut ask_device = move || {
        locating.set(Locating::Busy);
        spawn(async move {
            match crate::map::locate(15_000).await {
                Ok(fix) => {
                    locating.set(Locating::Idle);
                    crate::map::set_view(MAP_ID, fix.latitude, fix.longitude, 17);
                    on_change.call(LocationEdit::Coordinates {
                        latitude: coordinate_text(fix.latitude),
                        longitude: coordinate_text(fix.longitude),
                        source: LocationSource::Device,
                        accuracy_m: Some(fix.accuracy_m),
                    });
                }
                Err(e) => locating.set(Locating::Failed(e)),
            }
        });
    };
    // First choice: the device's own position, asked once when the form has none.
    let empty = latitude.trim().is_empty() && longitude.trim().is_empty();
    use_hook(move || {
        if empty {
            ask_device();
        }
    });
    let parsed = match (
        validate::parse_coordinate(&latitude, ReportField::Latitude),
        validate::parse_coordinate(&longitude, ReportField::Longitude),
    ) {
        (Ok(a), Ok(b)) => Some((a, b)),
        _ => None,
    };
    let suggestion = use_resource(use_reactive(
        (&parsed, &lang),
        |(parsed, lang)| async move {
            let (latitude, longitude) = parsed?;
            bridge::suggest_address(
                Point {
                    latitude,
                    longitude,
                },
                lang.code(),
            )
            .await
            .ok()
            .flatten()
        },
    ));
    let suggested = suggestion.read().clone().flatten().map(|s| {
        t_with(
            lang,
            "address-near",
            "place",
            format!("{}, {}", s.name, s.address),
        )
    });
    let typed = {
        let (latitude, longitude) = (latitude.clone(), longitude.clone());
        move |which: ReportField, value: String| {
            let (latitude, longitude) = if which == ReportField::Latitude {
                (value, longitude.clone())
            } else {
                (latitude.clone(), value)
            };
            on_change.call(LocationEdit::Coordinates {
                latitude,
                longitude,
                source: LocationSource::Typed,
                accuracy_m: None,
            });
        }
    };
    let typed_lat = typed.clone();
    let poor =
        source == Some(LocationSource::Device) && accuracy_m.is_some_and(|m| m > POOR_ACCURACY_M);
    rsx! {
        fieldset { class: "field location",
            legend { {t(lang, "report-location")} }
            p { id: "location-hint", class: "hint", {t(lang, "report-location-hint")} }
            div { class: "actions",
                button {
                    id: "use-device-position",
                    r#type: "button",
                    class: "button",
                    disabled: locating() == Locating::Busy,
                    onclick: move |_| ask_device(),
                    span { aria_hidden: "true", "◉ " }
                    {t(lang, "location-use-device")}
                }
            }
            match locating() {
                Locating::Busy => rsx! { p { id: "location-status", role: "status", {t(lang, "location-locating")} } },
                Locating::Failed(e) => rsx! {
                    p { id: "location-status", class: "notice", role: "status",
                        span { aria_hidden: "true", "ℹ " }
                        {t(lang, fix_error_key(e))}
                        " "
                        {t(lang, "location-fallback")}
                    }
                },
                Locating::Idle => rsx! {},
            }
            if let (Some(LocationSource::Device), Some(m)) = (source, accuracy_m) {
                if poor {
                    p { id: "accuracy-warning", class: "warning", role: "alert",
                        span { aria_hidden: "true", "⚠ " }
                        {t_with(lang, "location-poor-accuracy", "metres", crate::i18n::number(lang, m, 0))}
                    }
                } else {
                    p { id: "accuracy-note", class: "meta",
                        span { aria_hidden: "true", "◉ " }
                        {t_with(lang, "location-device-accuracy", "metres", crate::i18n::number(lang, m, 0))}
                    }
                }
            }
            LeafletMap {
                id: MAP_ID,
                label: t(lang, "location-map-label"),
                centre: HUE_CENTRE,
                zoom: if parsed.is_some() { 17 } else { 14 },
                texts: crate::map::texts(lang),
                pin: parsed,
                on_pick: move |(lat, lon): (f64, f64)| {
                    on_change.call(LocationEdit::Coordinates {
                        latitude: coordinate_text(lat),
                        longitude: coordinate_text(lon),
                        source: LocationSource::Map,
                        accuracy_m: None,
                    });
                },
            }
            p { class: "hint", {t(lang, "location-map-hint")} }
            div { class: "coords",
                CoordinateInput {
                    field: ReportField::Latitude,
                    lang,
                    value: latitude.clone(),
                    error: e_lat,
                    on_input: move |v| typed_lat(ReportField::Latitude, v),
                }
                CoordinateInput {
                    field: ReportField::Longitude,
                    lang,
                    value: longitude.clone(),
                    error: e_lon,
                    on_input: move |v| typed(ReportField::Longitude, v),
                }
            }
            div { class: "field",
                label { r#for: "address", {t(lang, "report-address")} }
                input {
                    id: "address",
                    r#type: "text",
                    autocomplete: "street-address",
                    maxlength: "300",
                    aria_invalid: e_address.is_some(),
                    aria_describedby: super::report::described(ReportField::Address, None, e_address),
                    value: "{address}",
                    oninput: move |e: FormEvent| on_change.call(LocationEdit::Address(e.value())),
                }
                {super::report::field_error(lang, ReportField::Address, e_address)}
                if let Some(text) = suggested.filter(|s| *s != address) {
                    div { id: "address-suggestion", class: "suggestion",
                        p { span { aria_hidden: "true", "⌂ " } {t(lang, "address-suggested")} " " strong { "{text}" } }
                        button {
                            id: "use-suggested-address",
                            r#type: "button",
                            class: "button small",
                            onclick: {
                                let text = text.clone();
                                move |_| on_change.call(LocationEdit::Address(text.clone()))
                            },
                            {t(lang, "address-use")}
                        }
                    }
                }
            }
        }
    }
}
