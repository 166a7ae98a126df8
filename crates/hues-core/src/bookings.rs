//! The citizen's bookings: checked, kept on the device and queued in the same transaction,
//! delivered by the sync engine like reports; a cancellation is queued the same way.

use chrono::Utc;
use hues_wire::api::{Booking, BookingStatus, NewBooking};
use hues_wire::ipc::{BookingInput, LocalBooking};
use hues_wire::{ApiError, ErrorCode};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::error::CoreError;
use crate::fields::ts;
use crate::outbox::{self, OUTBOX_BOOKING, OUTBOX_CANCEL_BOOKING, OutboxItem, delivery_state};
use crate::store::Store;

/// Today in Huế.
pub fn today_in_hue() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&hues_wire::time::vietnam_offset())
        .date_naive()
}

/// Keeps the server's record of a booking (delivered), unless this device still has the booking
/// itself waiting in its outbox.
pub fn store_server_booking(tx: &Connection, b: &Booking) -> Result<(), CoreError> {
    let id = b.request.id.to_string();
    tx.execute(
        "INSERT INTO bookings (id, request, delivery, status, note_from_operator, created_at)
         VALUES (?1, ?2, 'delivered', ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET request = ?2, delivery = 'delivered', refused_code = NULL,
            status = ?3, note_from_operator = ?4",
        params![
            id,
            serde_json::to_string(&b.request)?,
            b.status.as_str(),
            b.note_from_operator,
            ts(b.request.created_at)
        ],
    )?;
    Ok(())
}

impl Store {
    /// Checks a booking, keeps it and queues it for sending, in one transaction.
    pub fn submit_booking(&self, input: &BookingInput) -> Result<LocalBooking, CoreError> {
        let new = NewBooking {
            id: Uuid::now_v7(),
            kind: input.kind,
            place_id: input.place_id.trim().to_owned(),
            date_from: input.date_from,
            date_to: input.date_to,
            people: input.people,
            contact_name: input.contact_name.trim().to_owned(),
            contact_phone: input.contact_phone.trim().to_owned(),
            note: input.note.trim().to_owned(),
            created_at: Utc::now(),
        };
        hues_wire::validate::check_booking(&new, today_in_hue())
            .map_err(|e| CoreError::Invalid(e.into()))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM places WHERE id = ?1)",
            [&new.place_id],
            |r| r.get(0),
        )?;
        if !known {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::NotFound,
                "place_id is not a known place",
            )));
        }
        let id = new.id.to_string();
        tx.execute(
            "INSERT INTO bookings (id, request, delivery, created_at) VALUES (?1, ?2, 'saved', ?3)",
            params![id, serde_json::to_string(&new)?, ts(new.created_at)],
        )?;
        outbox::queue(
            &tx,
            OUTBOX_BOOKING,
            new.id,
            &OutboxItem::Booking(new.clone()),
            new.created_at,
        )?;
        let saved =
            booking_row(&tx, &id)?.ok_or_else(|| CoreError::Corrupt("booking vanished".into()))?;
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(saved)
    }

    /// Queues the cancellation of a booking that is not already over.
    pub fn cancel_booking(&self, id: Uuid) -> Result<(), CoreError> {
        let conn = self.conn()?;
        let status: Option<Option<String>> = conn
            .query_row(
                "SELECT status FROM bookings WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match status
            .as_ref()
            .map(|s| s.as_deref().and_then(BookingStatus::parse))
        {
            None => {
                return Err(CoreError::Invalid(ApiError::new(
                    ErrorCode::NotFound,
                    "booking not found",
                )));
            }
            Some(Some(BookingStatus::Declined | BookingStatus::Cancelled)) => {
                return Err(CoreError::Invalid(ApiError::new(
                    ErrorCode::InvalidValue,
                    "this booking is already over",
                )));
            }
            Some(_) => {}
        }
        outbox::queue(
            &conn,
            OUTBOX_CANCEL_BOOKING,
            id,
            &OutboxItem::CancelBooking { booking: id },
            Utc::now(),
        )?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// The citizen's bookings, newest first.
    pub fn my_bookings(&self) -> Result<Vec<LocalBooking>, CoreError> {
        let conn = self.conn()?;
        let ids: Vec<String> = conn
            .prepare("SELECT id FROM bookings ORDER BY created_at DESC, id DESC")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(booking_row(&conn, &id)?);
        }
        Ok(out)
    }
}

fn booking_row(conn: &Connection, id: &str) -> Result<Option<LocalBooking>, CoreError> {
    let row = conn
        .query_row(
            "SELECT b.request, b.delivery, b.refused_code, b.status, b.note_from_operator,
                    coalesce(p.name_vi, ''), coalesce(p.name_en, ''),
                    EXISTS (SELECT 1 FROM outbox o WHERE o.kind = ?2 AND o.entity_id = b.id
                            AND o.failed_code IS NULL)
             FROM bookings b LEFT JOIN places p ON p.id = json_extract(b.request, '$.place_id')
             WHERE b.id = ?1",
            params![id, OUTBOX_CANCEL_BOOKING],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, bool>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((request, delivery, refused, status, note, vi, en, cancel_queued)) = row else {
        return Ok(None);
    };
    Ok(Some(LocalBooking {
        request: serde_json::from_str(&request)?,
        place_name_vi: vi,
        place_name_en: en,
        delivery: delivery_state(&delivery, refused.as_deref())?,
        status: status.as_deref().and_then(BookingStatus::parse),
        note_from_operator: note,
        cancel_queued,
    }))
}
