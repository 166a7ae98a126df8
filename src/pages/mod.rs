//! One module per route.

mod home;
mod me;
mod my_reports;
mod not_built;
pub mod report;
mod settings;

pub use home::{Home, ServiceGroups};
pub use me::Me;
pub use my_reports::MyReports;
pub use not_built::{Alerts, MapPage, NearbyList, NotFound};
pub use report::{ReportForm, ReportPage};
pub use settings::SettingsPage;
