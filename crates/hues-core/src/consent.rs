//! The citizen's answers to the consent questions (kept as a log, the newest answer holding, sent
//! to the server with the next sync) and the rule they make: nothing with a position leaves the
//! device unless the newest answer to the location question (for the current wording) is yes; a
//! report with photos also needs the photos question answered yes. What waits for it stays in the
//! outbox and is counted in the sync status; withdrawing stops sending at once (the next item
//! checks again).

use chrono::{DateTime, Utc};
use hues_wire::account::{CONSENT_TEXT_VERSION, ConsentPurpose, ConsentRecord};
use hues_wire::ipc::ConsentView;
use rusqlite::{OptionalExtension, params};

use crate::error::CoreError;
use crate::outbox::OUTBOX_REPORT;
use crate::store::Store;

/// The rule of consent for one report, given the citizen's answers.
fn held(location: bool, photos: bool, report: &hues_wire::api::NewReport) -> bool {
    !location || (!report.photos.is_empty() && !photos)
}

impl Store {
    /// Every consent question with the newest answer.
    pub fn consents(&self) -> Result<Vec<ConsentView>, CoreError> {
        let conn = self.conn()?;
        let mut out = Vec::new();
        for purpose in ConsentPurpose::ALL {
            let last: Option<(u32, bool, String)> = conn
                .query_row(
                    "SELECT version, granted, decided_at FROM consent_log WHERE purpose = ?1
                     ORDER BY id DESC LIMIT 1",
                    [purpose.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            out.push(match last {
                None => ConsentView {
                    purpose,
                    granted: None,
                    decided_at: None,
                    outdated: false,
                },
                Some((version, granted, at)) => ConsentView {
                    purpose,
                    granted: Some(granted),
                    decided_at: DateTime::parse_from_rfc3339(&at)
                        .ok()
                        .map(|t| t.with_timezone(&Utc)),
                    outdated: version != CONSENT_TEXT_VERSION,
                },
            });
        }
        Ok(out)
    }

    /// Records an answer (on the device now; the server gets it on the next sync).
    pub fn set_consent(
        &self,
        purpose: ConsentPurpose,
        granted: bool,
    ) -> Result<Vec<ConsentView>, CoreError> {
        self.conn()?.execute(
            "INSERT INTO consent_log (purpose, version, granted, decided_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                purpose.as_str(),
                CONSENT_TEXT_VERSION,
                granted,
                Utc::now().to_rfc3339()
            ],
        )?;
        self.bump();
        self.consents()
    }

    /// Whether the citizen agreed to `purpose` in the current wording.
    pub fn consented(&self, purpose: ConsentPurpose) -> Result<bool, CoreError> {
        Ok(self
            .consents()?
            .into_iter()
            .any(|c| c.purpose == purpose && c.granted == Some(true) && !c.outdated))
    }

    /// Whether a report must wait for the citizen's agreement: to its position always, to its
    /// photos if it has any.
    pub(crate) fn needs_consent(
        &self,
        report: &hues_wire::api::NewReport,
    ) -> Result<bool, CoreError> {
        Ok(held(
            self.consented(ConsentPurpose::Location)?,
            self.consented(ConsentPurpose::Photos)?,
            report,
        ))
    }

    /// How many queued reports wait for the citizen's agreement. Asked with every sync status:
    /// the answers are read once, and the queue only when an answer is missing.
    pub(crate) fn held_for_consent(&self) -> Result<u32, CoreError> {
        let location = self.consented(ConsentPurpose::Location)?;
        let photos = self.consented(ConsentPurpose::Photos)?;
        if location && photos {
            return Ok(0);
        }
        let payloads: Vec<String> = self
            .conn()?
            .prepare("SELECT payload FROM outbox WHERE failed_code IS NULL AND kind = ?1")?
            .query_map([OUTBOX_REPORT], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut count = 0;
        for p in payloads {
            let report: hues_wire::api::NewReport = serde_json::from_str(&p)?;
            if held(location, photos, &report) {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Answers the server does not have yet.
    pub(crate) fn unsent_consents(&self) -> Result<Vec<(i64, ConsentRecord)>, CoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, purpose, version, granted, decided_at FROM consent_log
             WHERE sent = 0 ORDER BY id LIMIT 20",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::new();
        for (id, purpose, version, granted, at) in rows {
            let (Some(purpose), Ok(at)) = (
                ConsentPurpose::parse(&purpose),
                DateTime::parse_from_rfc3339(&at),
            ) else {
                continue;
            };
            out.push((
                id,
                ConsentRecord {
                    purpose,
                    version,
                    granted,
                    decided_at: at.with_timezone(&Utc),
                },
            ));
        }
        Ok(out)
    }

    pub(crate) fn consents_sent(&self, ids: &[i64]) -> Result<(), CoreError> {
        let conn = self.conn()?;
        for id in ids {
            conn.execute("UPDATE consent_log SET sent = 1 WHERE id = ?1", [id])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_answers_are_kept_and_the_newest_holds() {
        let dir = tempfile::tempdir().expect("dir");
        let s = Store::open(&dir.path().join("c.db")).expect("store");
        assert!(!s.consented(ConsentPurpose::Location).expect("c"));
        assert_eq!(s.consents().expect("c")[0].granted, None);
        s.set_consent(ConsentPurpose::Location, true).expect("yes");
        assert!(s.consented(ConsentPurpose::Location).expect("c"));
        assert!(!s.consented(ConsentPurpose::Photos).expect("c"));
        s.set_consent(ConsentPurpose::Location, false).expect("no");
        assert!(!s.consented(ConsentPurpose::Location).expect("c"));
        // Every answer is recorded, to be sent.
        assert_eq!(s.unsent_consents().expect("u").len(), 2);
    }
}
