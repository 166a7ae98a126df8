//! System notifications the device owes its user, decided from what sync brought: a new Severe
//! or Extreme warning that concerns one of the citizen's places, and a tracked dossier that
//! moved (a new step, or the unit's apology). Each is raised once: its key is
//! kept in `notified` in the same call that hands it out. An Update is a message of its own (its
//! own identifier), so it notifies again; a Cancel raises nothing (the list marks the warning
//! cancelled).
//!
//! The core decides *what* to say, in data; the app shell words it with the translations and
//! hands it to the system.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::error::CoreError;
use crate::fields::ts;
use crate::store::Store;

/// Lowest severity that interrupts the citizen (CAP `Severe`).
const NOTIFY_FROM_SEVERITY: u8 = 3;

/// One notification to raise.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Alert {
        identifier: String,
        /// The warning's own headline (else its event) in the citizen's language when the
        /// alert has it, else in the alert's first language.
        headline: String,
        /// Names of the citizen's places it concerns.
        places: Vec<String>,
        /// `true` for an Update of an earlier warning.
        update: bool,
    },
    Dossier {
        code: String,
        /// The procedure's name in the citizen's language (the code alone when unknown).
        procedure: String,
        state: hues_wire::dossiers::DossierState,
        /// The new appointment, when the news is the unit's apology.
        new_appointment: Option<chrono::NaiveDate>,
    },
}

/// A tracked dossier's key changes with each new step and with each apology.
pub fn dossier_key(d: &hues_wire::dossiers::Dossier) -> String {
    format!(
        "dossier:{}:{}:{}",
        d.code,
        d.timeline.len(),
        d.apology
            .as_ref()
            .map_or_else(String::new, |a| a.at.timestamp().to_string())
    )
}

impl Store {
    /// The notifications not raised yet, marked raised in the same transaction.
    pub fn take_notices(&self, now: DateTime<Utc>) -> Result<Vec<Notice>, CoreError> {
        let language = self.settings()?.language;
        let mut candidates: Vec<(String, Notice)> = Vec::new();
        for d in self.my_dossiers()? {
            let procedure = match self.procedure(&d.procedure_id)? {
                Some(p) if language == "en" => p.name_en,
                Some(p) => p.name_vi,
                None => d.code.clone(),
            };
            // The apology is the news only when nothing happened after it.
            let last_step = d.timeline.last().map(|s| s.at);
            let new_appointment = d
                .apology
                .as_ref()
                .filter(|a| last_step.is_none_or(|at| a.at >= at))
                .map(|a| a.new_appointment);
            candidates.push((
                dossier_key(&d),
                Notice::Dossier {
                    procedure,
                    state: d.state,
                    new_appointment,
                    code: d.code,
                },
            ));
        }
        let alerts = self
            .alert_views(now)?
            .into_iter()
            // Exercises, tests and drafts are listed, never raised as real warnings.
            .filter(|v| v.alert.status == "Actual")
            .filter(|v| v.alert.state == "active" && !v.expired && !v.affects.is_empty())
            .filter(|v| {
                v.alert
                    .infos
                    .iter()
                    .map(|i| hues_wire::alerts::severity_rank(&i.severity))
                    .max()
                    .unwrap_or(0)
                    >= NOTIFY_FROM_SEVERITY
            })
            .map(|v| {
                let info = v
                    .alert
                    .infos
                    .iter()
                    .find(|i| i.language.to_lowercase().starts_with(&language))
                    .or_else(|| v.alert.infos.first());
                let headline = info
                    .map(|i| {
                        if i.headline.trim().is_empty() {
                            i.event.clone()
                        } else {
                            i.headline.clone()
                        }
                    })
                    .unwrap_or_default();
                (
                    format!("alert:{}", v.alert.identifier),
                    Notice::Alert {
                        update: v.alert.msg_type == "Update",
                        identifier: v.alert.identifier,
                        headline,
                        places: v.affects,
                    },
                )
            });
        candidates.extend(alerts);
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let mut fresh = Vec::new();
        {
            let mut insert = tx.prepare(
                "INSERT INTO notified (key, notified_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?;
            for (key, notice) in candidates {
                if insert.execute(params![key, ts(now)])? == 1 {
                    fresh.push(notice);
                }
            }
        }
        tx.commit()?;
        Ok(fresh)
    }
}
