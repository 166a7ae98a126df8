//! The outbox: what the citizen did offline (a report, a rating, a reopening, a booking or its
//! cancellation) waits here, in the same transaction as the domain's own row, until the server
//! acknowledges it. The sync engine takes due entries oldest first; a temporary failure waits
//! with back-off, a refusal stays visible with the server's code.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hues_wire::api::{NewRating, NewReport, Report};
use hues_wire::ipc::DeliveryState;
use hues_wire::{ApiError, ErrorCode};
use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::error::CoreError;
use crate::fields::ts;
use crate::store::Store;

pub(crate) const OUTBOX_REPORT: &str = "report";
pub(crate) const OUTBOX_RATING: &str = "rating";
pub(crate) const OUTBOX_REOPEN: &str = "reopen";
pub(crate) const OUTBOX_BOOKING: &str = "booking";
pub(crate) const OUTBOX_CANCEL_BOOKING: &str = "cancel_booking";

/// An outbox entry that is due to be sent.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: i64,
    pub attempts: u32,
    pub item: OutboxItem,
}

/// What waits to be sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum OutboxItem {
    Report(NewReport),
    Rating { report: Uuid, rating: NewRating },
    Reopen { report: Uuid, note: String },
    Booking(hues_wire::api::NewBooking),
    CancelBooking { booking: Uuid },
}

/// What the server answered to an outbox entry.
#[derive(Debug, Clone)]
pub enum Ack {
    Report(Report),
    Booking(hues_wire::api::Booking),
}

impl OutboxEntry {
    /// The report or booking this entry is about.
    pub fn report_id(&self) -> Uuid {
        match &self.item {
            OutboxItem::Report(r) => r.id,
            OutboxItem::Rating { report, .. } | OutboxItem::Reopen { report, .. } => *report,
            OutboxItem::Booking(b) => b.id,
            OutboxItem::CancelBooking { booking } => *booking,
        }
    }

    /// The table whose delivery state follows this entry: a report's or a booking's own entry
    /// (follow-ups and cancellations leave it alone).
    pub(crate) fn delivery_table(&self) -> Option<&'static str> {
        match self.item {
            OutboxItem::Report(_) => Some("reports"),
            OutboxItem::Booking(_) => Some("bookings"),
            _ => None,
        }
    }
}

/// A stored delivery state as the citizen sees it.
pub(crate) fn delivery_state(
    delivery: &str,
    refused: Option<&str>,
) -> Result<DeliveryState, CoreError> {
    Ok(match delivery {
        "saved" => DeliveryState::SavedOnDevice,
        "sending" => DeliveryState::Sending,
        "delivered" => DeliveryState::Delivered,
        "refused" => DeliveryState::Refused {
            code: refused
                .and_then(|c| ErrorCode::ALL.into_iter().find(|e| e.as_str() == c))
                .unwrap_or(ErrorCode::BadResponse),
        },
        other => return Err(CoreError::Corrupt(format!("delivery {other:?}"))),
    })
}

/// A send in flight when the process stopped is not in flight any more: the report goes back
/// to "saved on this device" (the server's idempotency makes sending it again safe).
pub(crate) fn recover_interrupted(conn: &Connection) -> Result<(), CoreError> {
    conn.execute(
        "UPDATE reports SET delivery = 'saved' WHERE delivery = 'sending'",
        [],
    )?;
    Ok(())
}

/// Queues `item` about `entity`, due at once, on the caller's connection or transaction.
pub(crate) fn queue(
    conn: &Connection,
    kind: &str,
    entity: Uuid,
    item: &impl serde::Serialize,
    at: DateTime<Utc>,
) -> Result<(), CoreError> {
    conn.execute(
        "INSERT INTO outbox (kind, entity_id, payload, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![
            kind,
            entity.to_string(),
            serde_json::to_string(item)?,
            ts(at)
        ],
    )?;
    Ok(())
}

impl Store {
    /// Entries due now (not refused), oldest first.
    pub fn due_outbox(&self, now: DateTime<Utc>) -> Result<Vec<OutboxEntry>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, attempts, payload, kind FROM outbox
             WHERE failed_code IS NULL AND next_attempt_at <= ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([ts(now)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, attempts, payload, kind)| {
                let item = match kind.as_str() {
                    OUTBOX_REPORT => OutboxItem::Report(serde_json::from_str(&payload)?),
                    OUTBOX_RATING | OUTBOX_REOPEN | OUTBOX_BOOKING | OUTBOX_CANCEL_BOOKING => {
                        serde_json::from_str(&payload)?
                    }
                    other => return Err(CoreError::Corrupt(format!("outbox kind {other:?}"))),
                };
                Ok(OutboxEntry { id, attempts, item })
            })
            .collect()
    }

    /// Makes every waiting entry due now (the network came back).
    pub fn retry_all_now(&self) -> Result<(), CoreError> {
        self.conn()?.execute(
            "UPDATE outbox SET next_attempt_at = ?1 WHERE failed_code IS NULL",
            [ts(Utc::now())],
        )?;
        Ok(())
    }

    pub fn mark_sending(&self, entry: &OutboxEntry) -> Result<(), CoreError> {
        let Some(table) = entry.delivery_table() else {
            return Ok(());
        };
        self.conn()?.execute(
            &format!(
                "UPDATE {table} SET delivery = 'sending' WHERE id = ?1 AND delivery = 'saved'"
            ),
            [entry.report_id().to_string()],
        )?;
        self.bump();
        Ok(())
    }

    /// A temporary failure: try again after `delay`.
    pub fn retry_later(
        &self,
        entry: &OutboxEntry,
        delay: Duration,
        error: &str,
    ) -> Result<(), CoreError> {
        let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        let conn = self.conn()?;
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
            params![entry.id, ts(next), error],
        )?;
        if let Some(table) = entry.delivery_table() {
            conn.execute(
                &format!(
                    "UPDATE {table} SET delivery = 'saved' WHERE id = ?1 AND delivery = 'sending'"
                ),
                [entry.report_id().to_string()],
            )?;
        }
        drop(conn);
        self.bump();
        Ok(())
    }

    /// The server refused the report: it stays on the device, marked with the server's code.
    pub fn refuse(&self, entry: &OutboxEntry, error: &ApiError) -> Result<(), CoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET attempts = attempts + 1, failed_code = ?2, last_error = ?3 WHERE id = ?1",
            params![entry.id, error.code.as_str(), error.message],
        )?;
        if let Some(table) = entry.delivery_table() {
            tx.execute(
                &format!(
                    "UPDATE {table} SET delivery = 'refused', refused_code = ?2 WHERE id = ?1"
                ),
                params![entry.report_id().to_string(), error.code.as_str()],
            )?;
        }
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(())
    }
}
