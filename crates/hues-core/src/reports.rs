//! The citizen's reports: the categories they are filed under, the form's draft, submitting
//! (the report and its outbox entry in one transaction), ratings and reopenings, the server's
//! record with its history, the reports the citizen follows, and their part of a sync page.

use chrono::{DateTime, Utc};
use hues_wire::api::{Category, Change, NewRating, NewReport, Report, ReportStatus, StatusChange};
use hues_wire::ipc::{LocalReport, ReportDraft, ReportInput};
use hues_wire::{ApiError, ErrorCode};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use crate::error::CoreError;
use crate::fields::{check_text, parse_id, parse_ts, ts};
use crate::outbox::{
    self, OUTBOX_RATING, OUTBOX_REOPEN, OUTBOX_REPORT, OutboxItem, delivery_state,
};
use crate::store::Store;

/// Seven days after the last resolution, while the report is resolved.
fn reopen_until(status: Option<&str>, history: &[StatusChange]) -> Option<DateTime<Utc>> {
    if status != Some(ReportStatus::Resolved.as_str()) {
        return None;
    }
    let resolved = history
        .iter()
        .rev()
        .find(|h| h.status == ReportStatus::Resolved)?;
    Some(resolved.at + chrono::Duration::days(hues_wire::api::REOPEN_DAYS))
}

/// A followed report as the device keeps it: the public shape is all it gets, so the fields the
/// public never sees stay empty (no rating, no answers; its time is the server's receipt).
pub(crate) fn followed_as_report(p: &hues_wire::api::PublicReport) -> Report {
    Report {
        id: p.id,
        category: p.category.clone(),
        description: p.description.clone(),
        latitude: p.latitude,
        longitude: p.longitude,
        created_at: p.received_at,
        attributes: Default::default(),
        photos: p.photos.clone(),
        place: hues_wire::api::ReportPlace {
            address: p.address.clone(),
            alert: p.alert.clone(),
            ..Default::default()
        },
        received_at: p.received_at,
        status: p.status,
        history: p.history.clone(),
        rating: None,
    }
}

/// A report, a category or a followed report from a sync page, into this domain's tables.
pub(crate) fn apply(tx: &Transaction<'_>, change: &Change) -> Result<(), CoreError> {
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
                Store::store_server_report(tx, r)?;
            }
        }
        Change::FollowedReport(p) => {
            // Never over one of our own (a device cannot follow its own report).
            let own: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM reports WHERE id = ?1 AND followed = 0)",
                [p.id.to_string()],
                |r| r.get(0),
            )?;
            if !own {
                Store::store_server_report(tx, &followed_as_report(p))?;
                tx.execute(
                    "UPDATE reports SET followed = 1 WHERE id = ?1",
                    [p.id.to_string()],
                )?;
            }
        }
        Change::FollowedReportWithdrawn(id) => {
            tx.execute(
                "DELETE FROM reports WHERE id = ?1 AND followed = 1",
                [id.to_string()],
            )?;
        }
        _ => {}
    }
    Ok(())
}

impl Store {
    pub fn categories(&self) -> Result<Vec<Category>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT code, grp, name_vi, name_en, description_vi, description_en, position, attributes, public
             FROM categories ORDER BY position, code",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    Category {
                        code: r.get(0)?,
                        group: r.get(1)?,
                        name_vi: r.get(2)?,
                        name_en: r.get(3)?,
                        description_vi: r.get(4)?,
                        description_en: r.get(5)?,
                        position: r.get(6)?,
                        attributes: Vec::new(),
                        public: r.get(8)?,
                    },
                    r.get::<_, String>(7)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut c, attributes)| {
                c.attributes = serde_json::from_str(&attributes)?;
                Ok(c)
            })
            .collect()
    }

    // ---- reports and the outbox -----------------------------------------------------------

    pub fn draft(&self) -> Result<ReportDraft, CoreError> {
        Ok(self.get_json("draft")?.unwrap_or_default())
    }

    pub fn save_draft(&self, d: &ReportDraft) -> Result<(), CoreError> {
        self.set_json("draft", d)
    }

    /// Checks the report, then saves it and its outbox entry in one transaction. On a broken
    /// rule nothing is saved and the error says which field.
    pub fn submit_report(&self, input: &ReportInput) -> Result<LocalReport, CoreError> {
        let new = NewReport {
            id: Uuid::now_v7(),
            category: input.category.trim().to_owned(),
            description: input.description.trim().to_owned(),
            // −0.0 would come back from the server as 0 and make an identical retry a conflict.
            latitude: hues_wire::api::normalise_coordinate(input.latitude),
            longitude: hues_wire::api::normalise_coordinate(input.longitude),
            created_at: Utc::now(),
            attributes: input
                .attributes
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.trim().to_owned()))
                .collect(),
            photos: input.photos.clone(),
            place: hues_wire::api::ReportPlace {
                address: input
                    .place
                    .address
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
                ..input.place.clone()
            },
        };
        if new.photos.len() > hues_wire::api::MAX_PHOTOS {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::InvalidValue,
                format!("photos: at most {}", hues_wire::api::MAX_PHOTOS),
            )));
        }
        if let Some(missing) = new.photos.iter().find(|sha| self.photo_bytes(sha).is_err()) {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::InvalidValue,
                format!("photos: {missing} is not on this device"),
            )));
        }
        hues_wire::validate::check_report(&new).map_err(|e| CoreError::Invalid(e.into()))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let synced: i64 = tx.query_row("SELECT count(*) FROM categories", [], |r| r.get(0))?;
        let category: Option<String> = tx
            .query_row(
                "SELECT attributes FROM categories WHERE code = ?1",
                [&new.category],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(attributes) = &category {
            // The same rules the server applies, so the citizen hears of a gap at once.
            let cat = Category {
                code: new.category.clone(),
                group: String::new(),
                name_vi: String::new(),
                name_en: String::new(),
                description_vi: String::new(),
                description_en: String::new(),
                position: 0,
                attributes: serde_json::from_str(attributes)?,
                public: true,
            };
            hues_wire::validate::check_attributes(&cat, &new.attributes)
                .map_err(|e| CoreError::Invalid(e.into()))?;
        }
        if synced > 0 && category.is_none() {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::UnknownCategory,
                format!("unknown category {:?}", new.category),
            )));
        }
        tx.execute(
            "INSERT INTO reports (id, category, description, latitude, longitude, created_at, delivery, attributes,
                                  address, photos)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'saved', ?7, ?8, ?9)",
            params![
                new.id.to_string(),
                new.category,
                new.description,
                new.latitude,
                new.longitude,
                ts(new.created_at),
                serde_json::to_string(&new.attributes)?,
                new.place.address,
                serde_json::to_string(&new.photos)?
            ],
        )?;
        outbox::queue(&tx, OUTBOX_REPORT, new.id, &new, new.created_at)?;
        // The form is done with: clear the draft in the same transaction.
        tx.execute("DELETE FROM kv WHERE key = 'draft'", [])?;
        let saved = Self::local_report(&tx, new.id)?
            .ok_or_else(|| CoreError::Corrupt("report vanished".into()))?;
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(saved)
    }

    /// Queues the citizen's rating of a resolved report.
    pub fn rate_report(&self, report: Uuid, rating: NewRating) -> Result<(), CoreError> {
        check_text(
            "comment",
            &rating.comment,
            hues_wire::api::MAX_DESCRIPTION_CHARS,
        )?;
        self.queue_follow_up(
            report,
            OUTBOX_RATING,
            &OutboxItem::Rating { report, rating },
        )
    }

    /// Queues "the problem is still there" for a resolved report.
    pub fn reopen_report(&self, report: Uuid, note: &str) -> Result<(), CoreError> {
        let note = note.trim().to_owned();
        check_text("note", &note, hues_wire::api::MAX_DESCRIPTION_CHARS)?;
        self.queue_follow_up(report, OUTBOX_REOPEN, &OutboxItem::Reopen { report, note })
    }

    /// A follow-up on a delivered report, queued like a report so it survives being offline.
    fn queue_follow_up(
        &self,
        report: Uuid,
        kind: &str,
        item: &OutboxItem,
    ) -> Result<(), CoreError> {
        let conn = self.conn()?;
        let status: Option<Option<String>> = conn
            .query_row(
                "SELECT status FROM reports WHERE id = ?1",
                [report.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match status {
            None => {
                return Err(CoreError::Invalid(ApiError::new(
                    ErrorCode::NotFound,
                    "report not found",
                )));
            }
            Some(s) if s.as_deref() != Some(ReportStatus::Resolved.as_str()) => {
                return Err(CoreError::Invalid(ApiError::new(
                    ErrorCode::InvalidValue,
                    "only a resolved report can be rated or reopened",
                )));
            }
            Some(_) => {}
        }
        outbox::queue(&conn, kind, report, item, Utc::now())?;
        drop(conn);
        self.bump();
        Ok(())
    }

    pub(crate) fn store_server_report(tx: &Transaction<'_>, r: &Report) -> Result<(), CoreError> {
        let id = r.id.to_string();
        // A report the server knows but this device lost (reinstall) is stored whole.
        tx.execute(
            "INSERT INTO reports (id, category, description, latitude, longitude, created_at, delivery, status, rating,
                                  address, photos)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'delivered', ?7, ?8, ?9, ?10)
             ON CONFLICT(id) DO UPDATE SET delivery = 'delivered', refused_code = NULL, status = ?7,
                rating = ?8, address = ?9, photos = ?10, description = ?3, latitude = ?4,
                longitude = ?5",
            params![
                id,
                r.category,
                r.description,
                r.latitude,
                r.longitude,
                ts(r.created_at),
                r.status.as_str(),
                r.rating.as_ref().map(serde_json::to_string).transpose()?,
                r.place.address,
                serde_json::to_string(&r.photos)?
            ],
        )?;
        tx.execute("DELETE FROM report_history WHERE report_id = ?1", [&id])?;
        for (seq, h) in r.history.iter().enumerate() {
            tx.execute(
                "INSERT INTO report_history (report_id, seq, status, note, at, unit, duplicate_of, photos)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    seq as i64,
                    h.status.as_str(),
                    h.note,
                    ts(h.at),
                    h.unit,
                    h.duplicate_of.map(|d| d.to_string()),
                    serde_json::to_string(&h.photos)?
                ],
            )?;
        }
        Ok(())
    }

    fn local_report(conn: &Connection, id: Uuid) -> Result<Option<LocalReport>, CoreError> {
        let mut reports = Self::query_reports(conn, Some(id))?;
        Ok(reports.pop())
    }

    fn query_reports(conn: &Connection, only: Option<Uuid>) -> Result<Vec<LocalReport>, CoreError> {
        let mut stmt = conn.prepare(
            "SELECT id, category, description, latitude, longitude, created_at, delivery, refused_code, status, rating,
                    followed, address, photos
             FROM reports WHERE ?1 IS NULL OR id = ?1 ORDER BY created_at DESC, id DESC",
        )?;
        let rows = stmt
            .query_map([only.map(|u| u.to_string())], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, bool>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, String>(12)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut hist = conn.prepare(
            "SELECT status, note, at, unit, duplicate_of, photos FROM report_history WHERE report_id = ?1 ORDER BY seq",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (
            id,
            category,
            description,
            latitude,
            longitude,
            created,
            delivery,
            refused,
            status,
            rating,
            followed,
            address,
            photos,
        ) in rows
        {
            let delivery = delivery_state(&delivery, refused.as_deref())?;
            let history = hist
                .query_map([&id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })?
                .map(|row| {
                    let (st, note, at, unit, duplicate_of, photos) = row?;
                    Ok(StatusChange {
                        status: ReportStatus::parse(&st)
                            .ok_or_else(|| CoreError::Corrupt(format!("status {st:?}")))?,
                        note,
                        at: parse_ts(&at)?,
                        unit,
                        duplicate_of: duplicate_of.as_deref().map(parse_id).transpose()?,
                        photos: serde_json::from_str(&photos)?,
                    })
                })
                .collect::<Result<Vec<_>, CoreError>>()?;
            out.push(LocalReport {
                id: parse_id(&id)?,
                category,
                description,
                latitude,
                longitude,
                created_at: parse_ts(&created)?,
                address,
                photos: serde_json::from_str(&photos)?,
                delivery,
                status: status.as_deref().and_then(ReportStatus::parse),
                reopen_until: reopen_until(status.as_deref(), &history).filter(|_| !followed),
                followed,
                history,
                rating: rating.as_deref().map(serde_json::from_str).transpose()?,
            });
        }
        Ok(out)
    }

    /// The citizen's reports, newest first.
    pub fn my_reports(&self) -> Result<Vec<LocalReport>, CoreError> {
        Self::query_reports(&*self.conn()?, None)
    }

    /// Photos the city attached to the handling of reports on this device that are not here
    /// yet, so the timeline shows them offline after a sync.
    pub fn missing_history_photos(&self) -> Result<Vec<String>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT photos FROM report_history WHERE photos != '[]'")?;
        let lists = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut missing = Vec::new();
        for list in lists {
            for sha in serde_json::from_str::<Vec<String>>(&list)? {
                if self.photo_file(&sha, false).is_none() && !missing.contains(&sha) {
                    missing.push(sha);
                }
            }
        }
        Ok(missing)
    }
}
