//! The offline client of hues: a SQLite cache that keeps everything the citizen has made or
//! seen, an outbox of what waits to be sent, and the sync engine that pushes the outbox and pulls
//! the server's changes. No Tauri and no Dioxus here: the app wraps this crate in commands.

pub mod account;
mod activity;
pub mod address;
mod alerts;
mod apply;
pub mod backoff;
pub mod bookings;
pub mod client;
mod consent;
pub mod dossiers;
#[cfg(test)]
mod download_tests;
pub mod error;
mod fields;
pub mod hours;
pub mod incoming;
mod loopback;
pub mod notices;
mod open;
pub mod outbox;
pub mod photo;
mod photos;
pub mod places;
pub mod private;
mod reports;
pub mod secrets;
mod settings;
pub mod store;
#[cfg(test)]
mod store_tests;
pub mod sync;
pub mod tile_cache;
pub mod tiles;

pub use error::CoreError;
pub use store::Store;
pub use sync::{SyncEngine, SyncOutcome};
