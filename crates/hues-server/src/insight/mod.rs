//! What the city learns from its cases (issue 14): each unit's performance (`performance`,
//! counted from `facts`), the hot-issue early warning (`hot`, the statistics of
//! `hues-insight`), what citizens say about the answers (`listening`) and incidents that answer
//! many reports at once (`incidents`). The console's pages over them are in
//! `console::insight`; the public page and open data in `performance::public_*`.

pub mod facts;
pub mod hot;
pub mod incidents;
pub mod listening;
pub mod performance;
