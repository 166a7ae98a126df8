//! Administrative procedures: the catalogue (kept on the device, searched with Vietnamese
//! folding, browsed by topic), one procedure's card, the dossier look-up (code + last 4 digits
//! of the filer's phone) and Me → My dossiers.

use dioxus::prelude::*;
use hues_wire::ErrorCode;
use hues_wire::deadline::DeadlineFlag;
use hues_wire::dossiers::{DossierLookup, DossierState, PROCEDURE_TOPICS, Procedure};
use hues_wire::ipc::{DossierView, ProcedureQuery};
use hues_wire::time::format_local;

use crate::app::{Route, use_app};
use crate::bridge;
use crate::i18n::{Lang, error_text, t, t_with};

fn name(lang: Lang, p: &Procedure) -> String {
    if lang == Lang::En {
        p.name_en.clone()
    } else {
        p.name_vi.clone()
    }
}

fn topic_name(lang: Lang, topic: &str) -> String {
    t(
        lang,
        &format!("procedure-topic-{}", topic.replace('_', "-")),
    )
}

fn days_text(lang: Lang, days: u32) -> String {
    t_with(lang, "procedure-days", "count", days)
}

pub fn state_text(lang: Lang, s: DossierState) -> String {
    t(
        lang,
        &format!("dossier-state-{}", s.as_str().replace('_', "-")),
    )
}

/// A symbol per state, so it never rests on colour alone.
fn state_symbol(s: DossierState) -> &'static str {
    match s {
        DossierState::Received => "●",
        DossierState::InProcessing => "◐",
        DossierState::SupplementRequested => "!",
        DossierState::ResultReady => "✔",
        DossierState::Returned => "✔✔",
    }
}

fn flag_symbol(f: DeadlineFlag) -> &'static str {
    f.symbol()
}

pub fn flag_text(lang: Lang, f: DeadlineFlag) -> String {
    t(
        lang,
        &format!("dossier-flag-{}", f.as_str().replace('_', "-")),
    )
}

#[component]
pub fn ProceduresPage() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut text = use_signal(String::new);
    let mut topic = use_signal(|| None::<String>);
    let list = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::procedures(&ProcedureQuery {
            text: text(),
            topic: topic(),
        })
        .await
    });
    let procedures = match &*list.read() {
        Some(Ok(p)) => p.clone(),
        _ => Vec::new(),
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "procedures-title")} }
            DossierLookupForm {}
            h3 { {t(lang, "procedures-catalogue")} }
            div { class: "field",
                label { r#for: "procedure-search", {t(lang, "procedures-search")} }
                input {
                    id: "procedure-search",
                    r#type: "search",
                    autocomplete: "off",
                    value: "{text}",
                    oninput: move |e: FormEvent| text.set(e.value()),
                }
            }
            div { class: "chips", role: "group", aria_label: t(lang, "procedures-topics"),
                button {
                    r#type: "button",
                    class: "chip",
                    id: "topic-all",
                    aria_pressed: topic.read().is_none(),
                    onclick: move |_| topic.set(None),
                    {t(lang, "procedures-all")}
                }
                for tp in PROCEDURE_TOPICS {
                    button {
                        key: "{tp}",
                        r#type: "button",
                        class: "chip",
                        id: "topic-{tp}",
                        aria_pressed: topic.read().as_deref() == Some(tp),
                        onclick: move |_| topic.set(Some(tp.to_owned())),
                        {topic_name(lang, tp)}
                    }
                }
            }
            if let Some(Err(e)) = &*list.read() {
                p { class: "error", role: "alert", {error_text(lang, e.code)} }
            } else if procedures.is_empty() && list.read().is_some() {
                p { class: "empty", role: "status", {t(lang, "procedures-empty")} }
            }
            ul { class: "report-list", id: "procedure-list", aria_label: t(lang, "procedures-list"),
                for p in procedures {
                    li { key: "{p.id}", class: "card procedure-card",
                        Link { id: "procedure-{p.id}", to: Route::ProcedurePage { id: p.id.clone() }, class: "procedure-name", {name(lang, &p)} }
                        p { class: "meta",
                            {topic_name(lang, &p.topic)}
                            " · "
                            {t(lang, &format!("procedure-level-{}", p.level.as_str()))}
                            " · "
                            {days_text(lang, p.processing_days)}
                        }
                        p { class: "meta", {t(lang, &format!("procedure-online-{}", p.online.as_str()))} }
                    }
                }
            }
        }
    }
}

#[component]
pub fn ProcedurePage(id: String) -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let wanted = id.clone();
    let found = use_resource(move || {
        let wanted = wanted.clone();
        async move { bridge::procedure(&wanted).await }
    });
    let body = match &*found.read() {
        Some(Ok(Some(p))) => {
            let p = p.clone();
            let (agency, docs, fee, place) = if lang == Lang::En {
                (
                    p.agency_en.clone(),
                    p.documents_en.clone(),
                    p.fee_en.clone(),
                    p.where_en.clone(),
                )
            } else {
                (
                    p.agency_vi.clone(),
                    p.documents_vi.clone(),
                    p.fee_vi.clone(),
                    p.where_vi.clone(),
                )
            };
            rsx! {
                h2 { id: "page-title", {name(lang, &p)} }
                dl { class: "facts",
                    dt { {t(lang, "procedure-agency")} }
                    dd { id: "procedure-agency", "{agency}" }
                    dt { {t(lang, "procedure-level")} }
                    dd { {t(lang, &format!("procedure-level-{}", p.level.as_str()))} }
                    dt { {t(lang, "procedure-time")} }
                    dd { id: "procedure-time", {days_text(lang, p.processing_days)} }
                    dt { {t(lang, "procedure-fee")} }
                    dd { "{fee}" }
                    dt { {t(lang, "procedure-online")} }
                    dd { {t(lang, &format!("procedure-online-{}", p.online.as_str()))} }
                    dt { {t(lang, "procedure-where")} }
                    dd { "{place}" }
                }
                h3 { {t(lang, "procedure-documents")} }
                ul { class: "documents",
                    for (i , d) in docs.iter().enumerate() {
                        li { key: "{i}", "{d}" }
                    }
                }
            }
        }
        Some(Ok(None)) => rsx! {
            h2 { id: "page-title", {t(lang, "procedures-title")} }
            p { class: "error", role: "alert", {t(lang, "procedure-not-found")} }
        },
        Some(Err(e)) => rsx! {
            h2 { id: "page-title", {t(lang, "procedures-title")} }
            p { class: "error", role: "alert", {error_text(lang, e.code)} }
        },
        None => rsx! {
            h2 { id: "page-title", {t(lang, "procedures-title")} }
        },
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            Link { class: "back", to: Route::ProceduresPage {}, span { aria_hidden: "true", "← " } {t(lang, "procedure-back")} }
            {body}
        }
    }
}

/// Look a dossier up by its code and the last 4 digits of the filer's phone, then track it.
#[component]
fn DossierLookupForm() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut code = use_signal(String::new);
    let mut check = use_signal(String::new);
    let mut result = use_signal(|| None::<DossierView>);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let check_ok = {
        let c = check.read();
        let c = c.trim();
        c.len() == 4 && c.chars().all(|ch| ch.is_ascii_digit())
    };
    let request = move || DossierLookup {
        code: code(),
        check: check(),
    };
    // What the shown dossier was found with: "Track" tracks that one, even if the fields were
    // edited since.
    let mut looked_up = use_signal(|| None::<DossierLookup>);
    let mut answer = move |req: DossierLookup, r: Result<DossierView, hues_wire::ApiError>| match r
    {
        Ok(view) => {
            error.set(None);
            result.set(Some(view));
            looked_up.set(Some(req));
        }
        Err(e) => {
            result.set(None);
            error.set(Some(if e.code == ErrorCode::NotFound {
                t(lang, "dossier-not-found")
            } else {
                error_text(lang, e.code)
            }));
        }
    };
    rsx! {
        form {
            class: "card lookup",
            aria_labelledby: "lookup-title",
            onsubmit: move |e: FormEvent| {
                e.prevent_default();
                if busy() {
                    return;
                }
                busy.set(true);
                spawn(async move {
                    let req = request();
                    let found = bridge::lookup_dossier(&req).await;
                    answer(req, found);
                    busy.set(false);
                });
            },
            h3 { id: "lookup-title", {t(lang, "dossier-lookup-title")} }
            div { class: "field",
                label { r#for: "dossier-code", {t(lang, "dossier-code")} }
                input {
                    id: "dossier-code",
                    r#type: "text",
                    autocomplete: "off",
                    autocapitalize: "characters",
                    maxlength: "40",
                    value: "{code}",
                    oninput: move |e: FormEvent| code.set(e.value()),
                }
            }
            div { class: "field",
                label { r#for: "dossier-check", {t(lang, "dossier-check")} }
                input {
                    id: "dossier-check",
                    r#type: "text",
                    inputmode: "numeric",
                    autocomplete: "off",
                    maxlength: "4",
                    aria_invalid: !check.read().is_empty() && !check_ok,
                    aria_describedby: "dossier-check-hint",
                    value: "{check}",
                    oninput: move |e: FormEvent| check.set(e.value()),
                }
                p { id: "dossier-check-hint", class: "hint", {t(lang, "dossier-check-hint")} }
            }
            button {
                id: "dossier-lookup",
                r#type: "submit",
                class: "button",
                disabled: busy() || code.read().trim().is_empty() || !check_ok,
                {t(lang, "dossier-lookup")}
            }
            if let Some(msg) = error() {
                p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } "{msg}" }
            }
            if let Some(view) = result() {
                div { id: "lookup-result",
                    DossierCard { view: view.clone(), lang }
                    if view.tracked {
                        p { class: "meta", role: "status", span { aria_hidden: "true", "★ " } {t(lang, "dossier-tracked")} }
                    } else {
                        button {
                            id: "dossier-track",
                            r#type: "button",
                            class: "button",
                            disabled: busy(),
                            onclick: move |_| {
                                busy.set(true);
                                spawn(async move {
                                    let Some(req) = looked_up() else {
                                        busy.set(false);
                                        return;
                                    };
                                    let tracked = bridge::track_dossier(&req).await;
                                    answer(req, tracked);
                                    busy.set(false);
                                });
                            },
                            {t(lang, "dossier-track")}
                        }
                    }
                }
            }
        }
    }
}

/// A dossier: procedure, unit, state, appointment and where it stands, the unit's apology, and
/// its timeline.
#[component]
pub fn DossierCard(view: DossierView, lang: Lang) -> Element {
    let d = &view.dossier;
    let procedure = view
        .procedure
        .as_ref()
        .map(|p| name(lang, p))
        .unwrap_or_default();
    let unit = if lang == Lang::En {
        &d.unit_en
    } else {
        &d.unit_vi
    };
    let flag = view.flag.as_str();
    // A date in a year without the government's notice yet is computed by the Labour Code:
    // say so, it may move.
    let cal = hues_wire::calendar::Calendar::vietnam();
    let provisional_year = std::iter::once(d.appointment)
        .chain(d.apology.as_ref().map(|a| a.new_appointment))
        .map(|date| chrono::Datelike::year(&date))
        .find(|&y| cal.is_provisional(y));
    rsx! {
        article { class: "card dossier-card flag-{flag}", id: "dossier-{d.code}", "data-state": d.state.as_str(), "data-flag": flag,
            div { class: "report-head",
                h3 { class: "report-category", "{d.code}" }
                span { class: "badge badge-dossier-{d.state.as_str()}",
                    span { aria_hidden: "true", "{state_symbol(d.state)} " }
                    span { class: "state-text", {state_text(lang, d.state)} }
                }
            }
            if !procedure.is_empty() {
                p { class: "dossier-procedure", "{procedure}" }
            }
            p { class: "meta", {t_with(lang, "dossier-unit", "unit", unit.clone())} }
            p { class: "meta", {t_with(lang, "dossier-received", "time", format_local(d.received_at))} }
            p { class: "dossier-appointment",
                {t_with(lang, "dossier-appointment", "date", d.appointment.format("%d/%m/%Y").to_string())}
                " · "
                span { class: "deadline deadline-{flag}",
                    span { aria_hidden: "true", "{flag_symbol(view.flag)} " }
                    {flag_text(lang, view.flag)}
                }
            }
            if let Some(year) = provisional_year {
                p { class: "note provisional", role: "note", id: "provisional-{d.code}",
                    {t_with(lang, "dossier-provisional", "year", year.to_string())}
                }
            }
            if let Some(a) = &d.apology {
                div { class: "apology", role: "note", aria_labelledby: "apology-{d.code}",
                    h4 { id: "apology-{d.code}", {t(lang, "dossier-apology-title")} }
                    p { class: "note", "{a.reason}" }
                    p { class: "new-appointment",
                        strong { {t_with(lang, "dossier-new-appointment", "date", a.new_appointment.format("%d/%m/%Y").to_string())} }
                    }
                }
            }
            h4 { class: "visually-hidden", {t(lang, "dossier-timeline")} }
            ol { class: "timeline", aria_label: t(lang, "dossier-timeline"),
                for (i , s) in d.timeline.iter().enumerate() {
                    li { key: "{i}",
                        span { aria_hidden: "true", "{state_symbol(s.state)} " }
                        strong { {state_text(lang, s.state)} }
                        " · "
                        time { datetime: "{s.at.to_rfc3339()}", {format_local(s.at)} }
                        if !s.note.is_empty() {
                            p { class: "note", "{s.note}" }
                        }
                    }
                }
            }
        }
    }
}

#[component]
pub fn MyDossiers() -> Element {
    rsx! { DossierList { only: None } }
}

/// One dossier on its own page (opened from My activity), with the way to all of them.
#[component]
pub fn MyDossierPage(code: String) -> Element {
    rsx! { DossierList { only: Some(code) } }
}

#[component]
fn DossierList(only: Option<String>) -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut list = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        bridge::my_dossiers().await
    });
    let mut failed = use_signal(|| None::<ErrorCode>);
    let dossiers: Vec<_> = match &*list.read() {
        Some(Ok(d)) => d
            .iter()
            .filter(|v| only.as_ref().is_none_or(|code| v.dossier.code == *code))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "dossiers-title")} }
            if only.is_some() {
                p { Link { id: "dossiers-all", to: Route::MyDossiers {}, {t(lang, "dossiers-all")} } }
            }
            if let Some(Err(e)) = &*list.read() {
                p { class: "error", role: "alert", {error_text(lang, e.code)} }
            }
            if let Some(code) = failed() {
                p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
            }
            if dossiers.is_empty() && list.read().is_some() {
                p { class: "empty", {t(lang, "dossiers-empty")} " " Link { id: "to-procedures", to: Route::ProceduresPage {}, {t(lang, "procedures-title")} } }
            }
            ul { class: "report-list",
                for v in dossiers {
                    {
                        let code = v.dossier.code.clone();
                        rsx! {
                            li { key: "{code}",
                                DossierCard { view: v.clone(), lang }
                                button {
                                    id: "untrack-{code}",
                                    r#type: "button",
                                    class: "button small",
                                    aria_label: t_with(lang, "dossier-untrack-named", "code", code.clone()),
                                    onclick: move |_| {
                                        let code = code.clone();
                                        spawn(async move {
                                            match bridge::untrack_dossier(&code).await {
                                                Ok(()) => list.restart(),
                                                Err(e) => failed.set(Some(e.code)),
                                            }
                                        });
                                    },
                                    {t(lang, "dossier-untrack")}
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
