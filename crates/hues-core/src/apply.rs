//! What the server sends, applied to the device's store: acknowledgements of the outbox and
//! pages of the sync feed. Each change goes to the domain that owns its table, in the page's one
//! transaction with the page's cursor, so that the store knows no domain and no module imports
//! in a circle.

use hues_wire::api::{Change, SyncPage};

use crate::error::CoreError;
use crate::outbox::{Ack, OutboxEntry};
use crate::store::Store;

impl Store {
    /// The server acknowledged the entry: it goes, and the server's record is stored.
    pub fn acknowledge(&self, entry: &OutboxEntry, server: &Ack) -> Result<(), CoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM outbox WHERE id = ?1", [entry.id])?;
        match server {
            Ack::Report(r) => Store::store_server_report(&tx, r)?,
            Ack::Booking(b) => crate::bookings::store_server_booking(&tx, b)?,
        }
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// Applies one page of the feed and moves the cursor, in one transaction.
    pub fn apply_page(&self, server: &str, page: &SyncPage) -> Result<(), CoreError> {
        self.apply_pages(server, std::slice::from_ref(page))
    }

    /// Applies pages of the feed that follow one another and moves the cursor to the last, in
    /// one transaction: a first sync of a whole city writes each table and index page once,
    /// not once per feed page.
    pub fn apply_pages(&self, server: &str, pages: &[SyncPage]) -> Result<(), CoreError> {
        let Some(last) = pages.last() else {
            return Ok(());
        };
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let mut places = Vec::new();
        for change in pages.iter().flat_map(|p| &p.changes) {
            match change {
                Change::Category(_)
                | Change::Report(_)
                | Change::FollowedReport(_)
                | Change::FollowedReportWithdrawn(_) => crate::reports::apply(&tx, change)?,
                Change::Alert(_) | Change::MyPlace(_) | Change::MyPlaceRemoved(_) => {
                    crate::alerts::apply(&tx, change)?
                }
                Change::Place(p) => places.push(p),
                Change::Booking(b) => crate::bookings::store_server_booking(&tx, b)?,
                Change::Procedure(p) => crate::dossiers::upsert_procedure(&tx, p)?,
                Change::Dossier(d) => crate::dossiers::refresh_dossier(&tx, d)?,
            }
        }
        // Places last, in one go (see `upsert_all`); nothing else in a page refers to them.
        let places_changed = !places.is_empty();
        crate::places::upsert_all(&tx, places)?;
        crate::settings::apply_page_header(&tx, server, last)?;
        tx.commit()?;
        if places_changed {
            // Still holding the connection: no search sees the new rows with the old grid.
            self.derived().forget::<crate::places::Grid>();
        }
        drop(conn);
        if pages.iter().any(|p| !p.changes.is_empty()) {
            self.bump();
        }
        Ok(())
    }
}
