//! Types that cross a boundary in hues: the HTTP API between app and server (`api`), the IPC
//! commands between the UI and the native side (`ipc`), and the one error shape both use
//! (`error`). Pure data and pure rules, no I/O, so it builds for wasm32 too.

pub mod account;
pub mod alerts;
pub mod api;
pub mod calendar;
pub mod contacts;
pub mod deadline;
pub mod dossiers;
pub mod error;
pub mod fold;
pub mod geo;
pub mod glossary;
pub mod ipc;
pub mod sla;
pub mod synthetic;
pub mod time;
pub mod validate;

pub use error::{ApiError, ErrorCode};
