//! Bookings: a room, a tour or tickets, asked from a place's card; kept on the device and sent
//! when the network allows, like reports; followed and cancelled in Me → My bookings.

use dioxus::prelude::*;
use hues_wire::api::{BookingKind, BookingStatus, Place};
use hues_wire::ipc::{BookingInput, LocalBooking};

use crate::app::{Route, use_app};
use crate::bridge;
use crate::i18n::{Lang, error_text, t, t_with};

/// What a place can be booked for: rooms at hotels, tickets and tours at sights.
pub fn bookable_kinds(p: &Place) -> Vec<BookingKind> {
    match p.category.as_str() {
        "hotel" => vec![BookingKind::HotelRoom],
        _ if p.sight || !p.tickets.is_empty() => {
            let mut k = Vec::new();
            if !p.tickets.is_empty() {
                k.push(BookingKind::Tickets);
            }
            k.push(BookingKind::Tour);
            k
        }
        _ => Vec::new(),
    }
}

fn kind_text(lang: Lang, k: BookingKind) -> String {
    t(
        lang,
        &format!("booking-kind-{}", k.as_str().replace('_', "-")),
    )
}

#[component]
pub fn BookingForm(lang: Lang, place: Place, kinds: Vec<BookingKind>) -> Element {
    let first = kinds.first().copied().unwrap_or(BookingKind::Tickets);
    let mut kind = use_signal(|| first);
    let mut date_from = use_signal(String::new);
    let mut date_to = use_signal(String::new);
    let mut people = use_signal(|| "2".to_owned());
    let mut name = use_signal(String::new);
    let mut phone = use_signal(String::new);
    let mut note = use_signal(String::new);
    let mut outcome = use_signal(|| None::<Result<(), (Option<String>, hues_wire::ErrorCode)>>);
    let place_id = place.id.clone();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let parse_date = |s: String| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let Some(from) = parse_date(date_from()) else {
            outcome.set(Some(Err((
                Some("date_from".into()),
                hues_wire::ErrorCode::InvalidValue,
            ))));
            return;
        };
        let Ok(count) = people().trim().parse::<u32>() else {
            outcome.set(Some(Err((
                Some("people".into()),
                hues_wire::ErrorCode::InvalidValue,
            ))));
            return;
        };
        let input = BookingInput {
            kind: kind(),
            place_id: place_id.clone(),
            date_from: from,
            date_to: parse_date(date_to()),
            people: count,
            contact_name: name(),
            contact_phone: phone(),
            note: note(),
        };
        spawn(async move {
            match bridge::submit_booking(&input).await {
                Ok(_) => outcome.set(Some(Ok(()))),
                Err(err) => {
                    let field = err.message.split(' ').next().map(str::to_owned);
                    outcome.set(Some(Err((field, err.code))));
                }
            }
        });
    };
    let field_error = |field: &str| -> Option<hues_wire::ErrorCode> {
        match outcome() {
            Some(Err((Some(f), code))) if f == field => Some(code),
            _ => None,
        }
    };
    let hotel = kind() == BookingKind::HotelRoom;
    rsx! {
        form { id: "booking-form", class: "form booking", novalidate: true, onsubmit: submit,
            h4 { {t_with(lang, "booking-title", "place", place.name(lang.code()).to_owned())} }
            if kinds.len() > 1 {
                fieldset { class: "field",
                    legend { {t(lang, "booking-kind")} }
                    for k in kinds.iter().copied() {
                        div { key: "{k.as_str()}", class: "check",
                            input {
                                id: "booking-kind-{k.as_str()}",
                                r#type: "radio",
                                name: "booking-kind",
                                checked: kind() == k,
                                onchange: move |_| kind.set(k),
                            }
                            label { r#for: "booking-kind-{k.as_str()}", {kind_text(lang, k)} }
                        }
                    }
                }
            } else {
                p { class: "meta", {kind_text(lang, first)} }
            }
            div { class: "coords",
                div { class: "field",
                    label { r#for: "booking-from", if hotel { {t(lang, "booking-check-in")} } else { {t(lang, "booking-date")} } }
                    input { id: "booking-from", r#type: "date", aria_invalid: field_error("date_from").is_some(), value: "{date_from}", oninput: move |e: FormEvent| date_from.set(e.value()) }
                }
                if hotel {
                    div { class: "field",
                        label { r#for: "booking-to", {t(lang, "booking-check-out")} }
                        input { id: "booking-to", r#type: "date", aria_invalid: field_error("date_to").is_some(), value: "{date_to}", oninput: move |e: FormEvent| date_to.set(e.value()) }
                    }
                }
                div { class: "field",
                    label { r#for: "booking-people", {t(lang, "booking-people")} }
                    input { id: "booking-people", r#type: "number", inputmode: "numeric", min: "1", max: "50", aria_invalid: field_error("people").is_some(), value: "{people}", oninput: move |e: FormEvent| people.set(e.value()) }
                }
            }
            div { class: "field",
                label { r#for: "booking-name", {t(lang, "booking-name")} }
                input { id: "booking-name", r#type: "text", autocomplete: "name", aria_invalid: field_error("contact_name").is_some(), value: "{name}", oninput: move |e: FormEvent| name.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "booking-phone", {t(lang, "booking-phone")} }
                input { id: "booking-phone", r#type: "tel", autocomplete: "tel", inputmode: "tel", aria_invalid: field_error("contact_phone").is_some(), value: "{phone}", oninput: move |e: FormEvent| phone.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "booking-note", {t(lang, "booking-note")} }
                textarea { id: "booking-note", rows: "2", maxlength: "1000", value: "{note}", oninput: move |e: FormEvent| note.set(e.value()) }
            }
            button { id: "booking-submit", r#type: "submit", class: "button primary", {t(lang, "booking-send")} }
            match outcome() {
                Some(Ok(())) => rsx! { p { id: "booking-outcome", class: "ok", role: "status", span { aria_hidden: "true", "✔ " } {t(lang, "booking-saved")} } },
                Some(Err((field, code))) => rsx! {
                    p { id: "booking-outcome", class: "error", role: "alert",
                        span { aria_hidden: "true", "⚠ " }
                        if let Some(f) = field.filter(|f| f.contains('_') || f == "people") { {t(lang, &format!("booking-field-{}", f.replace('_', "-")))} ": " }
                        {error_text(lang, code)}
                    }
                },
                None => rsx! {},
            }
        }
    }
}

fn booking_state(lang: Lang, b: &LocalBooking) -> (&'static str, &'static str, String) {
    crate::components::report_list::on_its_way(b.delivery, lang).unwrap_or_else(|| {
        let s = b.status.unwrap_or(BookingStatus::Requested);
        let icon = match s {
            BookingStatus::Confirmed => "✔",
            BookingStatus::Declined | BookingStatus::Cancelled => "✖",
            BookingStatus::Requested => "✉",
        };
        (
            s.as_str(),
            icon,
            t(lang, &format!("booking-status-{}", s.as_str())),
        )
    })
}

#[component]
pub fn MyBookings() -> Element {
    rsx! { BookingList { only: None } }
}

/// One booking on its own page (opened from My activity), with the way to all of them.
#[component]
pub fn MyBookingPage(id: String) -> Element {
    rsx! { BookingList { only: Some(id) } }
}

#[component]
fn BookingList(only: Option<String>) -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut list = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::my_bookings().await
    });
    let mut failed = use_signal(|| None::<hues_wire::ErrorCode>);
    let bookings: Vec<_> = match &*list.read() {
        Some(Ok(b)) => b
            .iter()
            .filter(|b| {
                only.as_ref()
                    .is_none_or(|id| b.request.id.to_string() == *id)
            })
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "bookings-title")} }
            if only.is_some() {
                p { Link { id: "bookings-all", to: Route::MyBookings {}, {t(lang, "bookings-all")} } }
            }
            if let Some(code) = failed() {
                p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
            }
            if bookings.is_empty() && list.read().is_some() {
                p { class: "empty", {t(lang, "bookings-empty")} }
            }
            ul { class: "report-list",
                for b in bookings {
                    {
                        let (key, icon, text) = booking_state(lang, &b);
                        let id = b.request.id;
                        let over = matches!(b.status, Some(BookingStatus::Declined | BookingStatus::Cancelled));
                        let place = if lang == Lang::En { b.place_name_en.clone() } else { b.place_name_vi.clone() };
                        rsx! {
                            li { key: "{id}", class: "card booking-card", id: "booking-{id}", "data-state": key,
                                div { class: "report-head",
                                    h3 { class: "report-category", "{place}" }
                                    span { class: "badge badge-{key}", span { aria_hidden: "true", "{icon} " } span { class: "state-text", "{text}" } }
                                }
                                p { class: "meta",
                                    {kind_text(lang, b.request.kind)}
                                    " · "
                                    {b.request.date_from.format("%d/%m/%Y").to_string()}
                                    if let Some(to) = b.request.date_to { " – " {to.format("%d/%m/%Y").to_string()} }
                                    " · "
                                    {t_with(lang, "booking-people-count", "count", b.request.people)}
                                }
                                if !b.note_from_operator.is_empty() {
                                    p { class: "note", "{b.note_from_operator}" }
                                }
                                if b.cancel_queued {
                                    p { class: "meta", role: "status", span { aria_hidden: "true", "⌛ " } {t(lang, "booking-cancel-queued")} }
                                } else if !over {
                                    button {
                                        id: "cancel-{id}",
                                        r#type: "button",
                                        class: "button small",
                                        onclick: move |_| {
                                            spawn(async move {
                                                match bridge::cancel_booking(&id).await {
                                                    Ok(()) => list.restart(),
                                                    Err(e) => failed.set(Some(e.code)),
                                                }
                                            });
                                        },
                                        {t(lang, "booking-cancel")}
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
