//! The report form. What the citizen types is kept as a draft on every change, survives a
//! restart, and is never cleared by an error: only a saved report clears it.

use dioxus::prelude::*;
use hues_wire::api::Category;
use hues_wire::api::{
    AttributeType, AttributeValue, CategoryAttribute, LocationSource, ReportPlace,
};
use hues_wire::ipc::{ReportDraft, ReportInput};
use hues_wire::validate::{self, AttributeError, FieldError, ReportField};
use hues_wire::{ApiError, ErrorCode};

use crate::app::{Route, use_app};
use crate::bridge;
use crate::components::CityCalls;
use crate::i18n::{Lang, error_text, t, t_with};
use crate::pages::location::{LocationEdit, coordinate_text};

/// Everything wrong with the form as typed: the fixed fields, and the first broken extra field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormErrors {
    pub fields: Vec<FieldError>,
    pub attribute: Option<AttributeError>,
}

/// Checks the form as typed against the chosen category; every broken field is reported.
pub fn validate_form(
    d: &ReportDraft,
    category: Option<&Category>,
) -> Result<ReportInput, FormErrors> {
    let attribute = category.and_then(|c| validate::check_attributes(c, &d.attributes).err());
    let mut errors = Vec::new();
    if let Err(e) = validate::check_category_code(&d.category) {
        errors.push(e);
    }
    if let Err(e) = validate::check_description(&d.description) {
        errors.push(e);
    }
    let lat = validate::parse_coordinate(&d.latitude, ReportField::Latitude)
        .map_err(|e| errors.push(e))
        .ok();
    let lon = validate::parse_coordinate(&d.longitude, ReportField::Longitude)
        .map_err(|e| errors.push(e))
        .ok();
    let address = d.address.trim();
    let place = ReportPlace {
        address: (!address.is_empty()).then(|| address.to_owned()),
        // The accuracy belongs to the device's fix only.
        accuracy_m: d
            .accuracy_m
            .filter(|_| d.location_source == Some(LocationSource::Device)),
        location_source: d.location_source,
        alert: d.alert.clone(),
    };
    if let Err(e) = validate::check_place(&place) {
        errors.push(e);
    }
    match (lat, lon) {
        (Some(latitude), Some(longitude)) if errors.is_empty() && attribute.is_none() => {
            Ok(ReportInput {
                category: d.category.trim().to_owned(),
                description: d.description.trim().to_owned(),
                latitude,
                longitude,
                attributes: d.attributes.clone(),
                photos: d.photos.iter().map(|p| p.sha256.clone()).collect(),
                place,
            })
        }
        _ => Err(FormErrors {
            fields: errors,
            attribute,
        }),
    }
}

/// The field an error from the native side is about (its message starts with the field name).
fn field_of(e: &ApiError) -> Option<ReportField> {
    if e.code == ErrorCode::UnknownCategory {
        return Some(ReportField::Category);
    }
    [
        ReportField::Category,
        ReportField::Description,
        ReportField::Latitude,
        ReportField::Longitude,
        ReportField::Address,
    ]
    .into_iter()
    .find(|f| e.message.starts_with(f.as_str()))
}

/// The message under a field that breaks a rule, referenced by the field's `aria-describedby`.
pub(super) fn field_error(
    lang: Lang,
    field: ReportField,
    code: Option<ErrorCode>,
) -> Option<Element> {
    code.map(|code| {
        rsx! {
            p { id: "{field.as_str()}-error", class: "field-error", role: "alert",
                span { aria_hidden: "true", "⚠ " }
                {error_text(lang, code)}
            }
        }
    })
}

/// `aria-describedby` for a field: its hint, and its error when it has one.
pub(super) fn described(field: ReportField, hint: Option<&str>, code: Option<ErrorCode>) -> String {
    let mut ids = Vec::new();
    if let Some(h) = hint {
        ids.push(h.to_owned());
    }
    if code.is_some() {
        ids.push(format!("{}-error", field.as_str()));
    }
    ids.join(" ")
}

fn sorted_attributes(c: &Category) -> Vec<CategoryAttribute> {
    let mut attrs = c.attributes.clone();
    attrs.sort_by_key(|a| a.order);
    attrs
}

/// One extra field of the chosen category, by its datatype: a list as a select (one answer) or
/// checkboxes (several), a number with a decimal keyboard, text otherwise.
#[component]
fn AttributeInput(
    attribute: CategoryAttribute,
    lang: Lang,
    value: String,
    error: Option<ErrorCode>,
    on_input: EventHandler<(String, String)>,
) -> Element {
    let a = attribute;
    let id = format!("attr-{}", a.code);
    let error_id = format!("{id}-error");
    let question = if lang == Lang::Vi {
        a.description_vi.clone()
    } else {
        a.description_en.clone()
    };
    let label = if a.required {
        format!("{question} *")
    } else {
        question
    };
    let name = |v: &AttributeValue| {
        if lang == Lang::Vi {
            v.name_vi.clone()
        } else {
            v.name_en.clone()
        }
    };
    let message = error.map(|code| {
        rsx! {
            p { id: "{error_id}", class: "field-error", role: "alert",
                span { aria_hidden: "true", "⚠ " }
                {error_text(lang, code)}
            }
        }
    });
    let described = if error.is_some() {
        error_id.clone()
    } else {
        String::new()
    };
    let code = a.code.clone();
    match a.datatype {
        AttributeType::Singlevaluelist => rsx! {
            div { class: "field",
                label { r#for: "{id}", "{label}" }
                select {
                    id: "{id}",
                    aria_invalid: error.is_some(),
                    aria_describedby: "{described}",
                    onchange: move |e: FormEvent| on_input.call((code.clone(), e.value())),
                    option { value: "", selected: value.is_empty(), {t(lang, "report-category-choose-value")} }
                    for v in a.values.iter() {
                        option { key: "{v.key}", value: "{v.key}", selected: v.key == value, {name(v)} }
                    }
                }
                {message}
            }
        },
        AttributeType::Multivaluelist => {
            let chosen: Vec<String> = value
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            rsx! {
                fieldset { class: "field", aria_invalid: error.is_some(), aria_describedby: "{described}",
                    legend { "{label}" }
                    for v in a.values.iter() {
                        div { key: "{v.key}", class: "check",
                            input {
                                id: "{id}-{v.key}",
                                r#type: "checkbox",
                                checked: chosen.contains(&v.key),
                                onchange: {
                                    let (code, key, chosen) = (code.clone(), v.key.clone(), chosen.clone());
                                    move |e: FormEvent| {
                                        let mut next: Vec<String> = chosen.iter().filter(|k| **k != key).cloned().collect();
                                        if e.checked() {
                                            next.push(key.clone());
                                        }
                                        on_input.call((code.clone(), next.join(",")));
                                    }
                                },
                            }
                            label { r#for: "{id}-{v.key}", {name(v)} }
                        }
                    }
                    {message}
                }
            }
        }
        other => rsx! {
            div { class: "field",
                label { r#for: "{id}", "{label}" }
                input {
                    id: "{id}",
                    r#type: "text",
                    inputmode: if other == AttributeType::Number { "decimal" } else { "text" },
                    aria_invalid: error.is_some(),
                    aria_describedby: "{described}",
                    value: "{value}",
                    oninput: move |e: FormEvent| on_input.call((code.clone(), e.value())),
                }
                {message}
            }
        },
    }
}

/// Why a picture was refused, in the citizen's language; an unsupported format is named (the
/// native side puts the format's name first in its message, e.g. "HEIC pictures are…").
pub fn photo_error_text(lang: Lang, err: &ApiError) -> String {
    const NAMED: [&str; 5] = ["HEIC", "AVIF", "GIF", "TIFF", "BMP"];
    match err.code {
        ErrorCode::PayloadTooLarge => t(lang, "report-too-many-photos"),
        ErrorCode::PhotoUnsupported => match err.message.split(' ').next() {
            Some(format) if NAMED.contains(&format) => {
                t_with(lang, "report-photo-unsupported", "format", format)
            }
            _ => error_text(lang, err.code),
        },
        code => error_text(lang, code),
    }
}

/// Who will see the report, said before the citizen sends it: what the public sees when the
/// category's reports are published (the position as published, when one is set), and what
/// never is. A labelled region, so a screen reader finds it by its heading.
#[component]
pub fn PublicityNotice(lang: Lang, public: bool, position: Option<(f64, f64)>) -> Element {
    let position = match position {
        Some((lat, lon)) => {
            let places = hues_wire::api::PUBLIC_POSITION_DECIMALS as usize;
            let (lat, lon) = (
                hues_wire::api::public_coordinate(lat),
                hues_wire::api::public_coordinate(lon),
            );
            t_with(
                lang,
                "publicity-public-position-at",
                "place",
                format!("{lat:.places$}, {lon:.places$}"),
            )
        }
        None => t(lang, "publicity-public-position"),
    };
    rsx! {
        section { id: "report-publicity", class: "notice", aria_labelledby: "publicity-title",
            h3 { id: "publicity-title", {t(lang, "publicity-title")} }
            if public {
                p { {t(lang, "publicity-public-intro")} }
                ul { id: "publicity-public",
                    li { {t(lang, "publicity-public-text")} }
                    li { {t(lang, "publicity-public-photos")} }
                    li { {position} }
                    li { {t(lang, "publicity-public-handling")} }
                }
            } else {
                p { id: "publicity-private", {t(lang, "publicity-private")} }
            }
            p { {t(lang, "publicity-never-intro")} }
            ul { id: "publicity-never",
                li { {t(lang, "publicity-never-sender")} }
                li { {t(lang, "publicity-never-position")} }
                li { {t(lang, "publicity-never-answers")} }
                li { {t(lang, "publicity-never-follow-up")} }
            }
        }
    }
}

#[derive(Clone, PartialEq)]
enum Outcome {
    Saved,
    Invalid,
    Failed(ErrorCode),
}

#[component]
pub fn ReportPage() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let categories = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::categories().await
    });
    let draft = use_resource(|| async { bridge::load_draft().await.unwrap_or_default() });
    let cats = match &*categories.read() {
        Some(Ok(c)) => c.clone(),
        _ => Vec::new(),
    };
    // Wait for the stored draft so it is never overwritten by an empty form.
    let Some(initial) = draft.read().clone() else {
        return rsx! {};
    };
    rsx! {
        ReportForm { lang, categories: cats, initial, ask_consent: true }
    }
}

#[component]
pub fn ReportForm(
    lang: Lang,
    categories: Vec<Category>,
    initial: ReportDraft,
    /// Ask the consent questions first, under the page's heading (the app; not a form shown
    /// alone).
    #[props(default)]
    ask_consent: bool,
) -> Element {
    let mut form = use_signal(|| initial.clone());
    let mut errors = use_signal(Vec::<FieldError>::new);
    let mut attribute_error = use_signal(|| None::<AttributeError>);
    let mut photo_error = use_signal(|| None::<(String, ApiError)>);
    let mut followed_instead = use_signal(|| false);
    // Possible duplicates of what is being written: asked once the category and position are
    // known, after a short pause in typing (a newer edit cancels the pending ask).
    let duplicates = use_resource(move || async move {
        let d = form.read().clone();
        let lat = validate::parse_coordinate(&d.latitude, ReportField::Latitude);
        let lon = validate::parse_coordinate(&d.longitude, ReportField::Longitude);
        let (Ok(latitude), Ok(longitude)) = (lat, lon) else {
            return Vec::new();
        };
        if d.category.trim().is_empty() {
            return Vec::new();
        }
        bridge::sleep_ms(600).await;
        let req = hues_wire::ipc::DuplicateRequest {
            category: d.category,
            latitude,
            longitude,
        };
        bridge::possible_duplicates(&req).await.unwrap_or_default()
    });
    let mut adding_photo = use_signal(|| false);
    let save_now = move || {
        let snapshot = form.peek().clone();
        spawn(async move {
            let _ = bridge::save_draft(&snapshot).await;
        });
    };
    // Each chosen file goes through the native photo pipeline; a refused one is named with its
    // reason and the draft stays as it was.
    let on_files = move |e: FormEvent| async move {
        photo_error.set(None);
        adding_photo.set(true);
        for file in e.files() {
            if form.peek().photos.len() >= hues_wire::api::MAX_PHOTOS {
                photo_error.set(Some((
                    file.name(),
                    ApiError::new(ErrorCode::PayloadTooLarge, "too many photos"),
                )));
                break;
            }
            let added = match file.read_bytes().await {
                Ok(bytes) => bridge::add_photo(&bytes).await,
                Err(_) => Err(ApiError::new(ErrorCode::PhotoCorrupt, "unreadable file")),
            };
            match added {
                Ok(p) => {
                    if !form.peek().photos.iter().any(|x| x.sha256 == p.sha256) {
                        form.write().photos.push(p);
                    }
                    save_now();
                }
                Err(err) => photo_error.set(Some((file.name(), err))),
            }
        }
        adding_photo.set(false);
    };
    let mut outcome = use_signal(|| None::<Outcome>);
    let mut busy = use_signal(|| false);

    let mut edit = move |f: fn(&mut ReportDraft, String), value: String| {
        f(&mut form.write(), value);
        outcome.set(None);
        let snapshot = form.peek().clone();
        spawn(async move {
            let _ = bridge::save_draft(&snapshot).await;
        });
    };

    let categories_for_submit = categories.clone();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        if busy() {
            return;
        }
        let chosen = categories_for_submit
            .iter()
            .find(|c| c.code == form.peek().category)
            .cloned();
        let input = match validate_form(&form.peek(), chosen.as_ref()) {
            Ok(input) => input,
            Err(errs) => {
                errors.set(errs.fields);
                attribute_error.set(errs.attribute);
                outcome.set(Some(Outcome::Invalid));
                return;
            }
        };
        errors.set(Vec::new());
        attribute_error.set(None);
        busy.set(true);
        spawn(async move {
            match bridge::submit_report(&input).await {
                Ok(_) => {
                    form.set(ReportDraft::default());
                    outcome.set(Some(Outcome::Saved));
                }
                Err(err) => {
                    if let Some(field) = field_of(&err) {
                        errors.set(vec![FieldError {
                            field,
                            code: err.code,
                        }]);
                    }
                    if let Some(code) = err.message.strip_prefix("attribute ") {
                        attribute_error.set(Some(AttributeError {
                            attribute: code.split(' ').next().unwrap_or_default().to_owned(),
                            code: err.code,
                        }));
                    }
                    outcome.set(Some(Outcome::Failed(err.code)));
                }
            }
            busy.set(false);
        });
    };

    let error_for = |field: ReportField| {
        errors
            .read()
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.code)
    };
    let f = form.read().clone();
    let (e_cat, e_desc, e_lat, e_lon, e_address) = (
        error_for(ReportField::Category),
        error_for(ReportField::Description),
        error_for(ReportField::Latitude),
        error_for(ReportField::Longitude),
        error_for(ReportField::Address),
    );

    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "report-title")} }
            if ask_consent {
                crate::pages::ConsentAsk {}
            }
            CityCalls { lang, reminder: true }
            form { id: "report-form", class: "form", novalidate: true, onsubmit: submit,
                if let Some(alert) = f.alert.clone() {
                    div { id: "report-alert", class: "notice",
                        p { {t_with(lang, "report-alert-linked", "id", alert)} }
                        button {
                            id: "report-alert-unlink",
                            r#type: "button",
                            class: "button small",
                            onclick: move |_| edit(|d, _| d.alert = None, String::new()),
                            {t(lang, "report-alert-unlink")}
                        }
                    }
                }
                div { class: "field",
                    label { r#for: "category", {t(lang, "report-category")} }
                    if categories.is_empty() {
                        p { id: "category-hint", class: "notice", {t(lang, "report-no-categories")} }
                    }
                    select {
                        id: "category",
                        aria_invalid: e_cat.is_some(),
                        aria_describedby: described(ReportField::Category, categories.is_empty().then_some("category-hint"), e_cat),
                        onchange: move |e: FormEvent| edit(|d, v| d.category = v, e.value()),
                        option { value: "", selected: f.category.is_empty(), {t(lang, "report-category-choose")} }
                        for c in categories.iter() {
                            option { key: "{c.code}", value: "{c.code}", selected: c.code == f.category, {c.name(lang.code()).to_owned()} }
                        }
                    }
                    {field_error(lang, ReportField::Category, e_cat)}
                }
                div { class: "field",
                    label { r#for: "description", {t(lang, "report-description")} }
                    textarea {
                        id: "description",
                        rows: "4",
                        maxlength: "4000",
                        aria_invalid: e_desc.is_some(),
                        aria_describedby: described(ReportField::Description, Some("description-hint"), e_desc),
                        value: "{f.description}",
                        oninput: move |e: FormEvent| edit(|d, v| d.description = v, e.value()),
                    }
                    p { id: "description-hint", class: "hint", {t(lang, "report-description-hint")} }
                    {field_error(lang, ReportField::Description, e_desc)}
                }
                if let Some(cat) = categories.iter().find(|c| c.code == f.category) {
                    for a in sorted_attributes(cat) {
                        AttributeInput {
                            key: "{cat.code}-{a.code}",
                            attribute: a.clone(),
                            lang,
                            value: f.attributes.get(&a.code).cloned().unwrap_or_default(),
                            error: attribute_error.read().as_ref().filter(|e| e.attribute == a.code).map(|e| e.code),
                            on_input: move |(code, v): (String, String)| {
                                form.write().attributes.insert(code, v);
                                outcome.set(None);
                                let snapshot = form.peek().clone();
                                spawn(async move {
                                    let _ = bridge::save_draft(&snapshot).await;
                                });
                            },
                        }
                    }
                }
                fieldset { class: "field photos",
                    legend { {t(lang, "report-photos")} }
                    p { id: "photos-hint", class: "hint", {t(lang, "report-photos-hint")} }
                    label { r#for: "photo-input", class: "button", {t(lang, "report-add-photo")} }
                    input {
                        id: "photo-input",
                        class: "file-input",
                        r#type: "file",
                        accept: "image/*",
                        "capture": "environment",
                        multiple: true,
                        aria_describedby: "photos-hint",
                        disabled: adding_photo() || f.photos.len() >= hues_wire::api::MAX_PHOTOS,
                        onchange: on_files,
                    }
                    if adding_photo() {
                        p { role: "status", {t(lang, "report-photo-adding")} }
                    }
                    if let Some((name, err)) = photo_error() {
                        p { id: "photo-error", class: "field-error", role: "alert",
                            span { aria_hidden: "true", "⚠ " }
                            "{name}: "
                            {photo_error_text(lang, &err)}
                        }
                    }
                    ul { class: "photo-list",
                        for (i , p) in f.photos.iter().enumerate() {
                            li { key: "{p.sha256}", class: "photo-item",
                                img {
                                    class: "thumb",
                                    src: bridge::photo_url(&p.sha256, true),
                                    alt: t_with(lang, "report-photo-n", "n", i + 1),
                                    width: "64",
                                    height: "64",
                                }
                                {t_with(lang, "report-photo-n", "n", i + 1)}
                                " · {p.width}×{p.height}"
                                button {
                                    r#type: "button",
                                    class: "button small",
                                    aria_label: t_with(lang, "report-photo-remove", "n", i + 1),
                                    onclick: {
                                        let sha = p.sha256.clone();
                                        move |_| {
                                            form.write().photos.retain(|x| x.sha256 != sha);
                                            save_now();
                                        }
                                    },
                                    "✕"
                                }
                            }
                        }
                    }
                    if let Some((lat, lon)) = f.photos.iter().find_map(|p| p.position) {
                        if f.latitude.trim().is_empty() || f.longitude.trim().is_empty() {
                            div { id: "photo-position", class: "notice",
                                p { {t_with(lang, "report-photo-position", "place", format!("{lat:.5}, {lon:.5}"))} }
                                button {
                                    id: "use-photo-position",
                                    r#type: "button",
                                    class: "button",
                                    onclick: move |_| {
                                        let mut d = form.write();
                                        d.latitude = coordinate_text(lat);
                                        d.longitude = coordinate_text(lon);
                                        d.location_source = Some(LocationSource::Photo);
                                        d.accuracy_m = None;
                                        drop(d);
                                        crate::map::set_view(super::location::MAP_ID, lat, lon, 17);
                                        save_now();
                                    },
                                    {t(lang, "report-use-photo-position")}
                                }
                            }
                        }
                    }
                }
                super::location::LocationFields {
                    lang,
                    latitude: f.latitude.clone(),
                    longitude: f.longitude.clone(),
                    address: f.address.clone(),
                    source: f.location_source,
                    accuracy_m: f.accuracy_m,
                    e_lat,
                    e_lon,
                    e_address,
                    on_change: move |change: LocationEdit| {
                        let mut d = form.write();
                        match change {
                            LocationEdit::Coordinates { latitude, longitude, source, accuracy_m } => {
                                d.latitude = latitude;
                                d.longitude = longitude;
                                d.location_source = Some(source);
                                d.accuracy_m = accuracy_m;
                            }
                            LocationEdit::Address(a) => d.address = a,
                        }
                        drop(d);
                        outcome.set(None);
                        save_now();
                    },
                }
                if let Some(found) = duplicates.read().as_ref().filter(|list| !list.is_empty()) {
                    section { id: "possible-duplicates", class: "notice", aria_labelledby: "duplicates-title",
                        h3 { id: "duplicates-title", {t(lang, "duplicates-title")} }
                        p { class: "hint", {t(lang, "duplicates-hint")} }
                        crate::pages::NearbyList {
                            reports: found.clone(),
                            categories: categories.clone(),
                            lang,
                            on_me_too: move |id: uuid::Uuid| {
                                spawn(async move {
                                    if bridge::me_too(&id).await.is_ok() {
                                        followed_instead.set(true);
                                    }
                                });
                            },
                        }
                        if followed_instead() {
                            p { class: "ok", role: "status", span { aria_hidden: "true", "✔ " } {t(lang, "duplicates-followed")} }
                        }
                    }
                }
                PublicityNotice {
                    lang,
                    // Until a category is chosen, as most are: published.
                    public: categories.iter().find(|c| c.code == f.category).is_none_or(|c| c.public),
                    position: validate::parse_coordinate(&f.latitude, ReportField::Latitude)
                        .ok()
                        .zip(validate::parse_coordinate(&f.longitude, ReportField::Longitude).ok()),
                }
                button { id: "report-submit", r#type: "submit", class: "button primary", disabled: busy(),
                    if busy() { {t(lang, "report-saving")} } else { {t(lang, "report-submit")} }
                }
                p { class: "hint", {t(lang, "report-draft-kept")} }
                match outcome() {
                    Some(Outcome::Saved) => rsx! {
                        div { id: "report-outcome", class: "ok", role: "status",
                            p { span { aria_hidden: "true", "✔ " } {t(lang, "report-saved")} }
                            Link { to: Route::MyReports {}, {t(lang, "report-see-mine")} }
                        }
                    },
                    Some(Outcome::Invalid) => rsx! {
                        p { id: "report-outcome", class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {t(lang, "report-fix-errors")} }
                    },
                    Some(Outcome::Failed(code)) => rsx! {
                        p { id: "report-outcome", class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
                    },
                    None => rsx! {},
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(cat: &str, desc: &str, lat: &str, lon: &str) -> ReportDraft {
        ReportDraft {
            category: cat.into(),
            description: desc.into(),
            latitude: lat.into(),
            longitude: lon.into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_form_parses() {
        let input =
            validate_form(&draft("waste", " Rác ", "16,46", "107.59"), None).expect("valid");
        assert_eq!(input.description, "Rác");
        assert_eq!(input.latitude, 16.46);
    }

    #[test]
    fn every_broken_field_is_reported() {
        let errs = validate_form(&draft("", "", "91", "abc"), None).expect_err("invalid");
        let got: Vec<_> = errs.fields.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            got,
            vec![
                (ReportField::Category, ErrorCode::MissingField),
                (ReportField::Description, ErrorCode::MissingField),
                (ReportField::Latitude, ErrorCode::OutOfRange),
                (ReportField::Longitude, ErrorCode::InvalidValue),
            ]
        );
    }

    #[test]
    fn an_unsupported_format_is_named() {
        let heic = ApiError::new(
            ErrorCode::PhotoUnsupported,
            "HEIC pictures are not supported; use JPEG, PNG or WebP",
        );
        let text = photo_error_text(Lang::Vi, &heic);
        assert!(text.contains("HEIC") && text.contains("JPEG"), "{text}");
        assert!(photo_error_text(Lang::En, &heic).starts_with("HEIC pictures"));
        let other = ApiError::new(ErrorCode::PhotoUnsupported, "this pictures are…");
        assert_eq!(
            photo_error_text(Lang::En, &other),
            error_text(Lang::En, ErrorCode::PhotoUnsupported)
        );
    }

    #[test]
    fn native_errors_map_to_fields() {
        let e = ApiError::new(ErrorCode::OutOfRange, "latitude is not a valid coordinate");
        assert_eq!(field_of(&e), Some(ReportField::Latitude));
        let e = ApiError::new(ErrorCode::UnknownCategory, "unknown category \"x\"");
        assert_eq!(field_of(&e), Some(ReportField::Category));
        let e = ApiError::new(ErrorCode::Storage, "disk full");
        assert_eq!(field_of(&e), None);
    }
}
