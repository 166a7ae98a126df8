//! What the server sends, applied to the device's store: acknowledgements of the outbox and
//! pages of the sync feed. Each kind of record goes to the domain that owns its table
//! (`places`, `bookings`, `dossiers`) or to the store's own (reports, categories, alerts), so
//! that the store itself knows no domain and no module imports in a circle.

use hues_wire::api::{Change, SyncPage};
use rusqlite::params;

use crate::error::CoreError;
use crate::store::{Ack, OutboxEntry, Store, followed_as_report};

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
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        for change in &page.changes {
            match change {
                Change::Category(c) => {
                    tx.execute(
                        "INSERT INTO categories (code, grp, name_vi, name_en, description_vi, description_en, position, attributes, public)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                         ON CONFLICT(code) DO UPDATE SET grp = ?2, name_vi = ?3, name_en = ?4,
                            description_vi = ?5, description_en = ?6, position = ?7, attributes = ?8, public = ?9",
                        params![
                            c.code,
                            c.group,
                            c.name_vi,
                            c.name_en,
                            c.description_vi,
                            c.description_en,
                            c.position,
                            serde_json::to_string(&c.attributes)?,
                            c.public,
                        ],
                    )?;
                }
                Change::Report(r) => {
                    // A report still in this device's outbox keeps its local delivery state until
                    // its own acknowledgement arrives.
                    let queued: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM outbox WHERE entity_id = ?1 AND failed_code IS NULL)",
                        [r.id.to_string()],
                        |row| row.get(0),
                    )?;
                    if !queued {
                        Store::store_server_report(&tx, r)?;
                    }
                }
                Change::Place(p) => crate::places::upsert(&tx, p)?,
                Change::Booking(b) => crate::bookings::store_server_booking(&tx, b)?,
                Change::Alert(a) => {
                    tx.execute(
                        "INSERT INTO alerts (identifier, record, state) VALUES (?1, ?2, ?3)
                         ON CONFLICT(identifier) DO UPDATE SET record = ?2, state = ?3",
                        params![a.identifier, serde_json::to_string(a)?, a.state],
                    )?;
                }
                Change::Procedure(p) => crate::dossiers::upsert_procedure(&tx, p)?,
                Change::Dossier(d) => crate::dossiers::refresh_dossier(&tx, d)?,
                Change::FollowedReport(p) => {
                    // Never over one of our own (a device cannot follow its own report).
                    let own: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM reports WHERE id = ?1 AND followed = 0)",
                        [p.id.to_string()],
                        |r| r.get(0),
                    )?;
                    if !own {
                        Store::store_server_report(&tx, &followed_as_report(p))?;
                        tx.execute(
                            "UPDATE reports SET followed = 1 WHERE id = ?1",
                            [p.id.to_string()],
                        )?;
                    }
                }
                Change::MyPlace(p) => {
                    // One of the account's places, kept on another of its devices.
                    tx.execute(
                        "INSERT INTO my_places (id, name, latitude, longitude, created_at, synced)
                         VALUES (?1, ?2, ?3, ?4, ?5, 1)
                         ON CONFLICT(id) DO UPDATE SET name = ?2, latitude = ?3, longitude = ?4,
                             synced = 1",
                        params![
                            p.id.to_string(),
                            p.name,
                            p.latitude,
                            p.longitude,
                            chrono::Utc::now().to_rfc3339()
                        ],
                    )?;
                }
                Change::MyPlaceRemoved(id) => {
                    tx.execute("DELETE FROM my_places WHERE id = ?1", [id.to_string()])?;
                }
                Change::FollowedReportWithdrawn(id) => {
                    tx.execute(
                        "DELETE FROM reports WHERE id = ?1 AND followed = 1",
                        [id.to_string()],
                    )?;
                }
            }
        }
        Store::set_kv(&tx, &format!("cursor:{server}"), &page.next_cursor)?;
        Store::set_kv(
            &tx,
            &format!("city:{server}"),
            &serde_json::to_string(&page.city)?,
        )?;
        tx.commit()?;
        drop(conn);
        if !page.changes.is_empty() {
            self.bump();
        }
        Ok(())
    }
}
