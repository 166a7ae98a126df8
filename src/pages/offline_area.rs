//! "Save this area for offline": the map's visible box over a zoom range, with the size first,
//! a progress bar, cancel, and resume (tiles already on the device are skipped).

use dioxus::prelude::*;
use hues_wire::ipc::{AreaEstimate, AreaProgress, AreaRequest};

use crate::bridge;
use crate::i18n::{Lang, error_text, t, t_with};

/// Megabytes with one decimal, as `lang` writes them.
fn megabytes(lang: Lang, bytes: u64) -> String {
    crate::i18n::number(lang, bytes as f64 / 1_000_000.0, 1)
}

#[component]
pub fn SaveArea(lang: Lang, map_id: &'static str) -> Element {
    let mut request = use_signal(|| None::<AreaRequest>);
    let mut estimate = use_signal(|| None::<AreaEstimate>);
    let mut levels = use_signal(|| 2u8);
    let mut progress = use_signal(|| None::<AreaProgress>);
    let mut error = use_signal(|| None::<hues_wire::ErrorCode>);
    let watch = move || {
        spawn(async move {
            loop {
                match bridge::area_progress().await {
                    Ok(p) => {
                        let running = p.running;
                        progress.set(Some(p));
                        if !running {
                            break;
                        }
                    }
                    Err(e) => {
                        error.set(Some(e.code));
                        break;
                    }
                }
                bridge::sleep_ms(250).await;
            }
        });
    };
    let ask = move |_| {
        error.set(None);
        progress.set(None);
        let Some(v) = crate::map::view_of(map_id) else {
            error.set(Some(hues_wire::ErrorCode::InvalidValue));
            return;
        };
        let from = v.zoom.round().clamp(0.0, 19.0) as u8;
        let req = AreaRequest {
            min_lat: v.min_lat,
            max_lat: v.max_lat,
            min_lon: v.min_lon,
            max_lon: v.max_lon,
            zoom_from: from,
            zoom_to: (from + levels()).min(19),
        };
        request.set(Some(req));
        spawn(async move {
            match bridge::estimate_area(&req).await {
                Ok(e) => estimate.set(Some(e)),
                Err(e) => {
                    estimate.set(None);
                    error.set(Some(e.code));
                }
            }
        });
    };
    let start = move |_| {
        let Some(req) = request() else {
            return;
        };
        error.set(None);
        spawn(async move {
            match bridge::save_area(&req).await {
                Ok(()) => watch(),
                Err(e) => error.set(Some(e.code)),
            }
        });
    };
    let p = progress();
    let running = p.as_ref().is_some_and(|p| p.running);
    rsx! {
        section { class: "card offline-area", aria_labelledby: "offline-title",
            h3 { id: "offline-title", {t(lang, "offline-title")} }
            p { class: "hint", {t(lang, "offline-hint")} }
            div { class: "field",
                label { r#for: "offline-levels", {t(lang, "offline-levels")} }
                select {
                    id: "offline-levels",
                    onchange: move |e: FormEvent| levels.set(e.value().parse().unwrap_or(2)),
                    for n in [0u8, 1, 2, 3] {
                        option { value: "{n}", selected: levels() == n, {t_with(lang, "offline-levels-n", "n", n)} }
                    }
                }
            }
            button { id: "offline-estimate", r#type: "button", class: "button", disabled: running, onclick: ask, {t(lang, "offline-estimate")} }
            if let Some(e) = estimate() {
                p { id: "offline-size", role: "status",
                    {t_with(lang, "offline-size", "tiles", e.tiles)}
                    " "
                    {t_with(lang, "offline-size-mb", "mb", megabytes(lang, e.bytes))}
                    if e.cached > 0 { " " {t_with(lang, "offline-cached", "tiles", e.cached)} }
                }
                div { class: "actions",
                    button { id: "offline-start", r#type: "button", class: "button primary", disabled: running, onclick: start,
                        if p.as_ref().is_some_and(|p| p.cancelled || p.error.is_some()) { {t(lang, "offline-resume")} } else { {t(lang, "offline-start")} }
                    }
                    if running {
                        button { id: "offline-cancel", r#type: "button", class: "button", onclick: move |_| { spawn(async { let _ = bridge::cancel_area().await; }); }, {t(lang, "offline-cancel")} }
                    }
                }
            }
            if let Some(p) = p {
                div { class: "field",
                    label { r#for: "offline-progress", {t(lang, "offline-progress")} }
                    progress { id: "offline-progress", max: "{p.total.max(1)}", value: "{p.done}", "{p.done} / {p.total}" }
                    p { id: "offline-state", class: "meta", role: "status",
                        {t_with(lang, "offline-done", "done", p.done)}
                        " / {p.total} · "
                        {t_with(lang, "offline-size-mb", "mb", megabytes(lang, p.bytes))}
                        " "
                        if p.finished { span { class: "ok", span { aria_hidden: "true", "✔ " } {t(lang, "offline-finished")} } }
                        if p.cancelled { span { span { aria_hidden: "true", "■ " } {t(lang, "offline-cancelled")} } }
                        if p.error.is_some() { span { class: "error", span { aria_hidden: "true", "⚠ " } {t(lang, "offline-stopped")} } }
                    }
                }
            }
            if let Some(code) = error() {
                p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, code)} }
            }
        }
    }
}
