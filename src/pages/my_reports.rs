use dioxus::prelude::*;

use hues_wire::ApiError;
use hues_wire::api::Category;
use hues_wire::ipc::LocalReport;

use crate::app::use_app;
use crate::bridge;
use crate::components::ReportList;
use crate::i18n::{error_text, t};

/// The citizen's reports and the categories that name them, reloaded whenever what the device
/// keeps changed.
pub type ReportsAndCategories = Result<(Vec<LocalReport>, Vec<Category>), ApiError>;

pub fn use_my_reports() -> Resource<ReportsAndCategories> {
    let ctx = use_app();
    use_resource(move || async move {
        let _ = ctx.status.read().revision;
        let reports = bridge::my_reports().await?;
        let categories = bridge::categories().await.unwrap_or_default();
        Ok((reports, categories))
    })
}

#[component]
pub fn MyReports() -> Element {
    let lang = *use_app().lang.read();
    let data = use_my_reports();
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
