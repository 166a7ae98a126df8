//! Warnings (CAP alerts as the server sends them) and the citizen's own places, which decide on
//! the device, offline, which warnings concern the citizen; "my places" also go to the account.

use chrono::{DateTime, Utc};
use hues_wire::api::Change;
use hues_wire::ipc::Point;
use hues_wire::{ApiError, ErrorCode};
use rusqlite::{Transaction, params};
use uuid::Uuid;

use crate::error::CoreError;
use crate::fields::{check_text, parse_id, ts};
use crate::store::Store;

/// A warning or one of the account's places from a sync page.
pub(crate) fn apply(tx: &Transaction<'_>, change: &Change) -> Result<(), CoreError> {
    match change {
        Change::Alert(a) => {
            tx.execute(
                "INSERT INTO alerts (identifier, record, state) VALUES (?1, ?2, ?3)
                 ON CONFLICT(identifier) DO UPDATE SET record = ?2, state = ?3",
                params![a.identifier, serde_json::to_string(a)?, a.state],
            )?;
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
                    ts(Utc::now())
                ],
            )?;
        }
        Change::MyPlaceRemoved(id) => {
            tx.execute("DELETE FROM my_places WHERE id = ?1", [id.to_string()])?;
        }
        _ => {}
    }
    Ok(())
}

impl Store {
    /// The citizen's own places.
    pub fn my_places(&self) -> Result<Vec<hues_wire::ipc::MyPlace>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, name, latitude, longitude FROM my_places ORDER BY created_at, id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, f64>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, name, latitude, longitude)| {
                Ok(hues_wire::ipc::MyPlace {
                    id: parse_id(&id)?,
                    name,
                    latitude,
                    longitude,
                })
            })
            .collect()
    }

    /// Keeps a named place (1–60 characters, a valid position).
    pub fn save_my_place(
        &self,
        name: &str,
        at: Point,
    ) -> Result<hues_wire::ipc::MyPlace, CoreError> {
        let name = name.trim();
        let bad = |code, what: &str| CoreError::Invalid(ApiError::new(code, what.to_owned()));
        if name.is_empty() {
            return Err(bad(ErrorCode::MissingField, "name is empty"));
        }
        check_text("name", name, 60)?;
        hues_wire::validate::check_latitude(at.latitude)
            .map_err(|e| CoreError::Invalid(e.into()))?;
        hues_wire::validate::check_longitude(at.longitude)
            .map_err(|e| CoreError::Invalid(e.into()))?;
        let place = hues_wire::ipc::MyPlace {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            latitude: at.latitude,
            longitude: at.longitude,
        };
        self.conn()?.execute(
            "INSERT INTO my_places (id, name, latitude, longitude, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![place.id.to_string(), place.name, place.latitude, place.longitude, ts(Utc::now())],
        )?;
        self.bump();
        Ok(place)
    }

    pub fn delete_my_place(&self, id: Uuid) -> Result<(), CoreError> {
        let conn = self.conn()?;
        // One the account has goes from the account too (on the next sync).
        conn.execute(
            "INSERT OR IGNORE INTO my_place_removals (id)
             SELECT id FROM my_places WHERE id = ?1 AND synced = 1",
            [id.to_string()],
        )?;
        conn.execute("DELETE FROM my_places WHERE id = ?1", [id.to_string()])?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// Warnings as the list shows them at `now`: active first (most severe, then newest), each
    /// with the citizen's places it concerns (decided on the device, offline).
    pub fn alert_views(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<hues_wire::ipc::AlertView>, CoreError> {
        use hues_wire::alerts::{Prepared, severity_rank};
        let mine = self.my_places()?;
        let mut views: Vec<hues_wire::ipc::AlertView> = self
            .alerts()?
            .into_iter()
            // An Update is the warning as it now stands (what it replaced is marked `updated`); a
            // Cancel is only about other alerts, not a warning of its own.
            .filter(|a| matches!(a.msg_type.as_str(), "Alert" | "Update"))
            .map(|alert| {
                let expired = alert.infos.iter().all(|i| {
                    i.expires
                        .as_deref()
                        .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
                        .is_some_and(|e| e < now)
                });
                let prepared = Prepared::new(&alert);
                let affects = mine
                    .iter()
                    .filter(|p| prepared.affects((p.latitude, p.longitude)))
                    .map(|p| p.name.clone())
                    .collect();
                hues_wire::ipc::AlertView {
                    alert,
                    affects,
                    expired,
                }
            })
            .collect();
        let rank = |v: &hues_wire::ipc::AlertView| {
            let live = v.alert.state == "active" && !v.expired;
            let severity = v
                .alert
                .infos
                .iter()
                .map(|i| severity_rank(&i.severity))
                .max()
                .unwrap_or(0);
            (std::cmp::Reverse(live), std::cmp::Reverse(severity))
        };
        views.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| b.alert.sent.cmp(&a.alert.sent))
        });
        Ok(views)
    }

    /// The warnings kept on the device.
    pub fn alerts(&self) -> Result<Vec<hues_wire::api::AlertRecord>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT record FROM alerts ORDER BY identifier")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .iter()
            .filter_map(|r| serde_json::from_str(r).ok())
            .collect())
    }
}
