//! Who acts for whom. A device acts for itself; signed in to an account (issue 15), it acts for
//! every device of the account and for the cases the contact centre filed for the account's
//! number. Reports, bookings and the feed ask here; the accounts domain writes the links.

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::Fail;

/// The account a device is signed in to.
pub fn account_of(conn: &Connection, device: Uuid) -> Result<Option<String>, Fail> {
    Ok(conn
        .prepare_cached("SELECT account_id FROM account_devices WHERE device_id = ?1")?
        .query_row([device.to_string()], |r| r.get(0))
        .optional()?)
}

/// Whether `device` may act on what `owner` made: the same device, or one of the same account.
pub fn acts_for(conn: &Connection, device: Uuid, owner: Uuid) -> Result<bool, Fail> {
    if device == owner {
        return Ok(true);
    }
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM account_devices a JOIN account_devices b
                 ON a.account_id = b.account_id WHERE a.device_id = ?1 AND b.device_id = ?2)",
        )?
        .query_row([device.to_string(), owner.to_string()], |r| r.get(0))?)
}

/// Whether `device` may see and act on a report as its reporter: it made it (or a device of its
/// account did), or the contact centre filed it for the account's number.
pub fn owns_report(conn: &Connection, device: Uuid, owner: Uuid, id: Uuid) -> Result<bool, Fail> {
    if acts_for(conn, device, owner)? {
        return Ok(true);
    }
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM account_cases c JOIN account_devices a
                 ON a.account_id = c.account_id WHERE c.report_id = ?1 AND a.device_id = ?2)",
        )?
        .query_row([id.to_string(), device.to_string()], |r| r.get(0))?)
}
