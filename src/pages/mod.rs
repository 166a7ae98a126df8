//! One module per route.

pub mod account;
mod activity;
pub mod alerts;
pub mod bookings;
pub mod home;
mod location;
mod me;
pub mod my_reports;
mod not_built;
pub mod offline_area;
pub mod places;
pub mod procedures;
mod public_reports;
pub mod report;
mod settings;

pub use account::{AccountPage, ConsentAsk};
pub use activity::{MyActivity, MyReportPage};
pub use alerts::{AlertPage, Alerts};
pub use bookings::{MyBookingPage, MyBookings};
pub use home::{Home, ServiceGroups};
pub use me::Me;
pub use my_reports::MyReports;
pub use not_built::NotFound;
pub use places::{PlacePage, PlacesPage, SightsPage};
pub use procedures::{MyDossierPage, MyDossiers, ProcedurePage, ProceduresPage};
pub use public_reports::{MapPage, NearbyList, PublicReportPage};
pub use report::{ReportForm, ReportPage};
pub use settings::SettingsPage;
