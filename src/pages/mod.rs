//! One module per route.

mod home;
mod location;
mod me;
mod my_reports;
mod not_built;
mod public_reports;
pub mod report;
mod settings;

pub use home::{Home, ServiceGroups};
pub use me::Me;
pub use my_reports::MyReports;
pub use not_built::{Alerts, NotFound};
pub use public_reports::{MapPage, NearbyList, PublicReportPage};
pub use report::{ReportForm, ReportPage};
pub use settings::SettingsPage;
