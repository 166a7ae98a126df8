//! Presentational pieces: they take data as props, so native tests render them with dioxus-ssr.

mod nav;
mod report_list;
mod sync_indicator;

pub use nav::BottomNav;
pub use report_list::{ReportCard, ReportList, delivery_text};
pub use sync_indicator::SyncIndicator;
