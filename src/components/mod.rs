//! Presentational pieces: they take data as props, so native tests render them with dioxus-ssr.

pub mod emergency;
pub mod icon;
pub mod nav;
pub mod report_list;
pub mod sync_indicator;

pub use emergency::{CityCalls, EmergencyCalls};
pub use icon::Icon;
pub use nav::BottomNav;
pub use report_list::{ReportCard, ReportList, delivery_text};
pub use sync_indicator::SyncIndicator;
