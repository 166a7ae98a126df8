//! What the city learns from its cases, as pure computation (no I/O, no clock, no database):
//!
//! - [`scan`] — Kulldorff's prospective space-time permutation scan, the hot-issue early warning;
//! - [`cusum`] — the Poisson CUSUM beside it, for citywide surges the scan removes by design;
//! - [`track`] — a day's clusters against the open alerts (new, ongoing, closed) and their tiers;
//! - [`words`] — the words that rise in what citizens write;
//! - [`grid`] — the ~500 m cells the scan counts in;
//! - [`stats`] — quantiles;
//! - [`synth`] and [`trial`] — synthetic cities and the acceptance trials over them.
//!
//! The server feeds them from its tables (`hues-server`'s `insight` module); the tests and
//! `./x soak` feed them synthetic cities with fixed seeds.

pub mod cusum;
pub mod grid;
pub mod scan;
pub mod stats;
pub mod synth;
pub mod track;
pub mod trial;
pub mod words;
