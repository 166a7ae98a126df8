//! The sync feed as a device reads it: which rows it may see, and what each carries. Domains
//! write their rows through `store::touch*`; this module reads them and asks each domain for
//! the entity's current state, so no domain imports the feed.

use hues_wire::api::Change;
use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::error::Fail;
use crate::{accounts, alerts, dossiers, owners, publication, store};

/// A page of the feed for one device: rows after `after`, at most `limit`. Returns the
/// changes, the last row read, and whether more follow.
pub fn changes_since(
    conn: &Connection,
    device: Uuid,
    after: i64,
    limit: u32,
) -> Result<(Vec<Change>, i64, bool), Fail> {
    // A device signed in to an account reads what every device of the account reads, and the
    // cases the contact centre filed for the account's number.
    let account = owners::account_of(conn, device)?;
    let mut stmt = conn.prepare_cached(
        "WITH mine(d) AS (SELECT ?2 UNION SELECT device_id FROM account_devices WHERE account_id = ?4)
         SELECT seq, kind, entity FROM changes
         WHERE seq > ?1 AND (audience IS NULL OR audience IN mine
             OR (kind = 'report' AND entity IN (SELECT report_id FROM followers WHERE device_id IN mine))
             OR (kind = 'report' AND entity IN (SELECT report_id FROM account_cases WHERE account_id = ?4))
             OR (kind = 'dossier' AND entity IN (SELECT code FROM dossier_trackers WHERE device_id IN mine)))
         ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(
            params![after, device.to_string(), i64::from(limit) + 1, account],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = rows.len() > limit as usize;
    let mut last = after;
    let mut changes = Vec::new();
    for (seq, kind, entity) in rows.into_iter().take(limit as usize) {
        last = seq;
        let change = match kind.as_str() {
            "category" => store::category(conn, &entity)?.map(Change::Category),
            "place" => store::place(conn, &entity)?.map(Change::Place),
            "booking" => store::booking_row(conn, &entity)?.map(|(_, b)| Change::Booking(b)),
            "alert" => alerts::alert_record(conn, &entity)?.map(Change::Alert),
            "procedure" => dossiers::procedure(conn, &entity)?.map(Change::Procedure),
            "dossier" => dossiers::dossier(conn, &entity)?.map(|(d, _)| Change::Dossier(d)),
            "report" => report_change(conn, device, store::parse_uuid(&entity)?)?,
            "my_place" => Some(match accounts::my_place(conn, &entity)? {
                Some(p) => Change::MyPlace(p),
                None => Change::MyPlaceRemoved(store::parse_uuid(&entity)?),
            }),
            other => return Err(Fail::internal(format!("unknown change kind {other:?}"))),
        };
        changes.extend(change);
    }
    Ok((changes, last, has_more))
}

/// A report as this device may see it: whole if it is the owner's; else (a follower) its public
/// shape while it is published, and a withdrawal once it is not.
fn report_change(conn: &Connection, device: Uuid, id: Uuid) -> Result<Option<Change>, Fail> {
    let Some(r) = store::report(conn, id)? else {
        return Ok(None);
    };
    if owners::owns_report(conn, device, r.owner, id)? {
        return Ok(Some(Change::Report(r.report)));
    }
    Ok(Some(
        if publication::is_published(conn, id)? == Some(true) {
            Change::FollowedReport(publication::shape(conn, r.report, None)?)
        } else {
            Change::FollowedReportWithdrawn(id)
        },
    ))
}
