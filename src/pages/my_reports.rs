use dioxus::prelude::*;

use crate::app::use_app;
use crate::bridge;
use crate::components::ReportList;
use crate::i18n::{error_text, t};

#[component]
pub fn MyReports() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    // Reading the status makes this reload whenever local data changed.
    let data = use_resource(move || async move {
        let _ = ctx.status.read().revision;
        let reports = bridge::my_reports().await?;
        let categories = bridge::categories().await.unwrap_or_default();
        Ok::<_, hues_wire::ApiError>((reports, categories))
    });
    let body = match &*data.read() {
        None => rsx! {},
        Some(Ok((reports, categories))) => rsx! {
            ReportList { reports: reports.clone(), categories: categories.clone(), lang }
        },
        Some(Err(e)) => rsx! {
            p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, e.code)} }
        },
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "reports-title")} }
            {body}
        }
    }
}
