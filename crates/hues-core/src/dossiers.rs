//! The procedure catalogue kept on the device (read and searched offline) and the dossiers the
//! citizen tracks (refreshed by sync; a change of state is a notification, see `notices`).

use chrono::{DateTime, Utc};
use hues_wire::deadline::local_date;
use hues_wire::dossiers::{Dossier, Procedure};
use hues_wire::fold::fold;
use hues_wire::ipc::{DossierView, ProcedureQuery};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::CoreError;
use crate::fields::ts;
use crate::store::Store;

/// Keeps a catalogue entry from the sync feed.
pub fn upsert_procedure(tx: &Connection, p: &Procedure) -> Result<(), CoreError> {
    let folded = fold(&format!(
        "{} {} {} {}",
        p.name_vi, p.name_en, p.agency_vi, p.agency_en
    ));
    tx.prepare_cached(
        "INSERT INTO procedures (id, topic, folded, record) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET topic = ?2, folded = ?3, record = ?4",
    )?
    .execute(params![p.id, p.topic, folded, serde_json::to_string(p)?])?;
    Ok(())
}

/// Refreshes a tracked dossier from the sync feed (a dossier not tracked here is ignored).
pub fn refresh_dossier(tx: &Connection, d: &Dossier) -> Result<(), CoreError> {
    tx.prepare_cached("UPDATE dossiers SET record = ?2 WHERE code = ?1")?
        .execute(params![d.code, serde_json::to_string(d)?])?;
    Ok(())
}

/// Whether every word of the query starts a word of the text (both folded).
fn matches(words: &[String], folded: &str) -> bool {
    words.iter().all(|w| {
        folded
            .split(|c: char| !c.is_alphanumeric())
            .any(|t| t.starts_with(w.as_str()))
    })
}

impl Store {
    /// The catalogue, filtered by topic and by words (diacritics and case ignored), in the
    /// catalogue's order; best matches (a word starting the name) first.
    pub fn procedures(&self, q: &ProcedureQuery) -> Result<Vec<Procedure>, CoreError> {
        let words: Vec<String> = fold(&q.text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT folded, record FROM procedures WHERE ?1 IS NULL OR topic = ?1 ORDER BY rowid",
        )?;
        let rows = stmt
            .query_map([q.topic.as_deref()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut found: Vec<(bool, Procedure)> = Vec::new();
        for (folded, record) in rows {
            if !matches(&words, &folded) {
                continue;
            }
            let Ok(p) = serde_json::from_str::<Procedure>(&record) else {
                continue;
            };
            let in_name = matches(&words, &fold(&format!("{} {}", p.name_vi, p.name_en)));
            found.push((in_name, p));
        }
        // Stable: within each group the catalogue's order stays.
        found.sort_by_key(|(in_name, _)| !*in_name);
        Ok(found.into_iter().map(|(_, p)| p).collect())
    }

    pub fn procedure(&self, id: &str) -> Result<Option<Procedure>, CoreError> {
        let conn = self.conn()?;
        let record: Option<String> = conn
            .query_row("SELECT record FROM procedures WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(record.and_then(|r| serde_json::from_str(&r).ok()))
    }

    /// Keeps a dossier in My dossiers. Its current state is not news: only later changes notify.
    pub fn track_dossier(&self, d: &Dossier, now: DateTime<Utc>) -> Result<(), CoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO dossiers (code, record, tracked_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(code) DO UPDATE SET record = ?2",
            params![d.code, serde_json::to_string(d)?, ts(now)],
        )?;
        tx.execute("DELETE FROM untrack_pending WHERE code = ?1", [&d.code])?;
        tx.execute(
            "INSERT INTO notified (key, notified_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![crate::notices::dossier_key(d), ts(now)],
        )?;
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// Removes a dossier from My dossiers at once; the server is told by the next sync run
    /// that reaches it (`untrack_pending`).
    pub fn untrack_dossier(&self, code: &str) -> Result<(), CoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM dossiers WHERE code = ?1", [code])?;
        tx.execute(
            "INSERT INTO untrack_pending (code) VALUES (?1) ON CONFLICT DO NOTHING",
            [code],
        )?;
        tx.commit()?;
        drop(conn);
        self.bump();
        Ok(())
    }

    /// Untracks the server has not heard of yet.
    pub fn pending_untracks(&self) -> Result<Vec<String>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT code FROM untrack_pending ORDER BY code")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The server heard of this untrack.
    pub fn untrack_told(&self, code: &str) -> Result<(), CoreError> {
        self.conn()?
            .execute("DELETE FROM untrack_pending WHERE code = ?1", [code])?;
        Ok(())
    }

    /// The tracked dossiers, most recently received first.
    pub fn my_dossiers(&self) -> Result<Vec<Dossier>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT record FROM dossiers")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out: Vec<Dossier> = rows
            .iter()
            .filter_map(|r| serde_json::from_str(r).ok())
            .collect();
        out.sort_by_key(|d| std::cmp::Reverse(d.received_at));
        Ok(out)
    }

    /// A dossier with its procedure and where it stands today.
    pub fn dossier_view(&self, d: Dossier, now: DateTime<Utc>) -> Result<DossierView, CoreError> {
        let tracked: bool = self.conn()?.query_row(
            "SELECT EXISTS (SELECT 1 FROM dossiers WHERE code = ?1)",
            [&d.code],
            |r| r.get(0),
        )?;
        Ok(DossierView {
            procedure: self.procedure(&d.procedure_id)?,
            flag: d.flag(local_date(now)),
            tracked,
            dossier: d,
        })
    }

    pub fn my_dossier_views(&self, now: DateTime<Utc>) -> Result<Vec<DossierView>, CoreError> {
        self.my_dossiers()?
            .into_iter()
            .map(|d| self.dossier_view(d, now))
            .collect()
    }
}
