//! The city's staff: units in a tree, roles per unit (a role covers the unit's subtree),
//! passwords (Argon2id), the second factor (TOTP, RFC 6238), server-side sessions with idle and
//! absolute timeouts, login limits, and the audit log of every staff action.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::db::ts;
use crate::error::Fail;

/// What a staff member may do, in a unit and the units under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// City triage: every new case, routing, the unrouted queue.
    Dispatcher,
    /// Handles the cases of their unit.
    Officer,
    /// An officer who also oversees the unit (overdue notices, breaking locks).
    UnitSupervisor,
    /// Reads everything, dashboards; changes nothing.
    CitySupervisor,
    /// Staff, units, categories, routing rules, SLA targets, templates; reads the audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Dispatcher,
        Self::Officer,
        Self::UnitSupervisor,
        Self::CitySupervisor,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dispatcher => "dispatcher",
            Self::Officer => "officer",
            Self::UnitSupervisor => "unit_supervisor",
            Self::CitySupervisor => "city_supervisor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Admins and supervisors must give a second factor (TOTP).
    pub fn needs_second_factor(self) -> bool {
        matches!(
            self,
            Self::Admin | Self::UnitSupervisor | Self::CitySupervisor
        )
    }

    /// Roles that change cases (the others read, or administer).
    pub fn handles_cases(self) -> bool {
        matches!(
            self,
            Self::Dispatcher | Self::Officer | Self::UnitSupervisor
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: String,
    pub parent: Option<String>,
    pub kind: String,
    pub name_vi: String,
    pub name_en: String,
    pub ward_code: Option<String>,
}

impl Unit {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_vi
        }
    }
}

/// A signed-in staff member with their roles, each with the units it covers (the subtree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// (role, unit where it was given, every unit it covers).
    pub roles: Vec<(Role, String, Vec<String>)>,
}

impl Staff {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|(r, _, _)| *r == role)
    }

    pub fn needs_second_factor(&self) -> bool {
        self.roles.iter().any(|(r, _, _)| r.needs_second_factor())
    }

    /// Whether one of `roles` covers `unit` (`None`: a case no unit owns yet, which only city
    /// roles given at the root see).
    pub fn covers(&self, roles: &[Role], unit: Option<&str>) -> bool {
        self.roles.iter().any(|(r, at, units)| {
            roles.contains(r)
                && match unit {
                    Some(u) => units.iter().any(|x| x == u),
                    None => at == ROOT_UNIT,
                }
        })
    }

    /// May read the case owned by `unit`.
    pub fn can_read_case(&self, unit: Option<&str>) -> bool {
        self.covers(&Role::ALL, unit)
    }

    /// May change the case owned by `unit`.
    pub fn can_change_case(&self, unit: Option<&str>) -> bool {
        let handlers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.handles_cases())
            .collect();
        self.covers(&handlers, unit)
    }

    /// Every unit one of the staff member's roles covers.
    pub fn units(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .roles
            .iter()
            .flat_map(|(_, _, u)| u.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The unit at the root of the tree (the city).
pub const ROOT_UNIT: &str = "hue";

// ---- units ----------------------------------------------------------------------------------

const UNITS_TSV: &str = include_str!("../data/units-hue.tsv");

/// Huế's units for the demo, from `data/units-hue.tsv`.
pub fn demo_units() -> Vec<Unit> {
    UNITS_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let [id, parent, kind, name_vi, name_en, ward] = f.as_slice() else {
                return None;
            };
            Some(Unit {
                id: (*id).into(),
                parent: (!parent.is_empty()).then(|| (*parent).to_owned()),
                kind: (*kind).into(),
                name_vi: (*name_vi).into(),
                name_en: (*name_en).into(),
                ward_code: (!ward.is_empty()).then(|| (*ward).to_owned()),
            })
        })
        .collect()
}

/// Inserts or refreshes units (parents before children, as listed).
pub fn upsert_units(conn: &Connection, units: &[Unit]) -> Result<(), Fail> {
    for (position, u) in (0i64..).zip(units) {
        conn.execute(
            "INSERT INTO units (id, parent, kind, name_vi, name_en, ward_code, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET parent = ?2, kind = ?3, name_vi = ?4, name_en = ?5,
                ward_code = ?6, position = ?7",
            params![
                u.id,
                u.parent,
                u.kind,
                u.name_vi,
                u.name_en,
                u.ward_code,
                position
            ],
        )?;
    }
    Ok(())
}

pub fn units(conn: &Connection) -> Result<Vec<Unit>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, parent, kind, name_vi, name_en, ward_code FROM units ORDER BY position",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Unit {
            id: r.get(0)?,
            parent: r.get(1)?,
            kind: r.get(2)?,
            name_vi: r.get(3)?,
            name_en: r.get(4)?,
            ward_code: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `unit` and every unit under it.
pub fn subtree(conn: &Connection, unit: &str) -> Result<Vec<String>, Fail> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE tree(id) AS (
             SELECT id FROM units WHERE id = ?1
             UNION SELECT u.id FROM units u JOIN tree t ON u.parent = t.id)
         SELECT id FROM tree",
    )?;
    let rows = stmt.query_map([unit], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

// ---- passwords and the second factor -------------------------------------------------------

/// An Argon2id hash of `password` (PHC string, random salt, the crate's default costs).
pub fn hash_password(password: &str) -> Result<String, Fail> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(Fail::internal)
}

pub fn verify_password(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The time step a TOTP `code` of `secret` (base32) matches at `unix` seconds, allowing one step
/// either side (clock drift): SHA-1, 6 digits, 30-second steps, as authenticator apps do. The
/// caller accepts a step once only (RFC 6238, 5.2).
pub fn totp_step(secret_base32: &str, code: &str, unix: u64) -> Option<u64> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32.trim()).ok()?;
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .ok()?;
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp.check(&code, unix)
}

/// A new TOTP secret, base32, 160 bits.
pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    totp_rs::Secret::from(bytes).to_base32()
}

/// Checks a second-factor code for `staff_id` and spends its time step: the same code (or an
/// older one) is refused afterwards.
pub fn spend_totp(conn: &Connection, staff_id: &str, code: &str, unix: u64) -> Result<bool, Fail> {
    let row: Option<(Option<String>, Option<i64>)> = conn
        .query_row(
            "SELECT totp_secret, totp_last_step FROM staff WHERE id = ?1",
            [staff_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((Some(secret), last)) = row else {
        return Ok(false);
    };
    let Some(step) = totp_step(&secret, code, unix).and_then(|s| i64::try_from(s).ok()) else {
        return Ok(false);
    };
    if last.is_some_and(|l| step <= l) {
        return Ok(false);
    }
    conn.execute(
        "UPDATE staff SET totp_last_step = ?2 WHERE id = ?1",
        params![staff_id, step],
    )?;
    Ok(true)
}

// ---- staff ------------------------------------------------------------------------------------

/// A new staff account; `roles` as (role, unit).
pub fn create_staff(
    conn: &Connection,
    username: &str,
    display_name: &str,
    password: &str,
    totp_secret: Option<&str>,
    roles: &[(Role, &str)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, Fail> {
    let hash = hash_password(password)?;
    create_staff_hashed(conn, username, display_name, &hash, totp_secret, roles, now)
}

/// [`create_staff`] with the password already hashed.
pub fn create_staff_hashed(
    conn: &Connection,
    username: &str,
    display_name: &str,
    password_hash: &str,
    totp_secret: Option<&str>,
    roles: &[(Role, &str)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, Fail> {
    let id = uuid::Uuid::now_v7().to_string();
    conn.execute(
        "INSERT INTO staff (id, username, display_name, password_hash, totp_secret, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            username,
            display_name,
            password_hash,
            totp_secret,
            ts(now)
        ],
    )?;
    for (role, unit) in roles {
        conn.execute(
            "INSERT INTO staff_roles (staff_id, unit_id, role) VALUES (?1, ?2, ?3)",
            params![id, unit, role.as_str()],
        )?;
    }
    Ok(id)
}

pub fn staff_by_id(conn: &Connection, id: &str) -> Result<Option<Staff>, Fail> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT username, display_name FROM staff WHERE id = ?1 AND active = 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((username, display_name)) = row else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT role, unit_id FROM staff_roles WHERE staff_id = ?1")?;
    let given: Vec<(String, String)> = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut roles = Vec::new();
    for (role, unit) in given {
        if let Some(role) = Role::parse(&role) {
            roles.push((role, unit.clone(), subtree(conn, &unit)?));
        }
    }
    Ok(Some(Staff {
        id: id.to_owned(),
        username,
        display_name,
        roles,
    }))
}

/// (id, password hash, TOTP secret) of an active account.
pub fn credentials(
    conn: &Connection,
    username: &str,
) -> Result<Option<(String, String, Option<String>)>, Fail> {
    Ok(conn
        .query_row(
            "SELECT id, password_hash, totp_secret FROM staff WHERE username = ?1 AND active = 1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

pub fn totp_secret(conn: &Connection, staff_id: &str) -> Result<Option<String>, Fail> {
    Ok(conn
        .query_row(
            "SELECT totp_secret FROM staff WHERE id = ?1",
            [staff_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

// ---- login limits -----------------------------------------------------------------------------

/// Failed logins allowed per username in [`LOGIN_WINDOW_SECS`], and per network address.
pub const LOGIN_FAILURES_PER_USER: i64 = 5;
pub const LOGIN_FAILURES_PER_ADDR: i64 = 20;
pub const LOGIN_WINDOW_SECS: i64 = 15 * 60;

/// Whether any of `keys` ("user:<name>", "addr:<address>") has used up its failures.
pub fn login_blocked(conn: &Connection, keys: &[String], now: i64) -> Result<bool, Fail> {
    for key in keys {
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM login_failures WHERE key = ?1 AND at > ?2",
            params![key, now - LOGIN_WINDOW_SECS],
            |r| r.get(0),
        )?;
        let limit = if key.starts_with("user:") {
            LOGIN_FAILURES_PER_USER
        } else {
            LOGIN_FAILURES_PER_ADDR
        };
        if n >= limit {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn record_login_failure(conn: &Connection, keys: &[String], now: i64) -> Result<(), Fail> {
    conn.execute(
        "DELETE FROM login_failures WHERE at <= ?1",
        [now - LOGIN_WINDOW_SECS],
    )?;
    for key in keys {
        conn.execute(
            "INSERT INTO login_failures (key, at) VALUES (?1, ?2)",
            params![key, now],
        )?;
    }
    Ok(())
}

// ---- sessions ---------------------------------------------------------------------------------

/// A session ends after this long without a request…
pub const IDLE_SECS: i64 = 30 * 60;
/// …and this long after it began, whatever happens.
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;

/// How far a session has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; the second factor is still owed.
    Password,
    /// Signed in.
    Full,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Full => "full",
        }
    }
}

/// Starts a session; the returned value goes in the cookie (only its SHA-256 is kept).
pub fn start_session(
    conn: &Connection,
    staff_id: &str,
    stage: Stage,
    now: i64,
) -> Result<String, Fail> {
    let id = crate::auth::new_token();
    conn.execute(
        "INSERT INTO staff_sessions (id_hash, staff_id, stage, created_at, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![crate::auth::hash_token(&id), staff_id, stage.as_str(), now],
    )?;
    Ok(id)
}

/// The session of a cookie value, if it is alive at `now` (and then seen now); an expired one
/// is deleted.
/// Whether a session is still signed in and not timed out, without counting as activity (for
/// a live stream that must end when its session does).
pub fn session_alive(conn: &Connection, cookie: &str, now: i64) -> Result<bool, Fail> {
    let row: Option<(i64, i64)> = conn
        .prepare_cached("SELECT created_at, seen_at FROM staff_sessions WHERE id_hash = ?1")?
        .query_row([crate::auth::hash_token(cookie)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(
        row.is_some_and(|(created, seen)| {
            now - seen <= IDLE_SECS && now - created <= ABSOLUTE_SECS
        }),
    )
}

pub fn session(conn: &Connection, cookie: &str, now: i64) -> Result<Option<(String, Stage)>, Fail> {
    let hash = crate::auth::hash_token(cookie);
    let row: Option<(String, String, i64, i64)> = conn
        .query_row(
            "SELECT staff_id, stage, created_at, seen_at FROM staff_sessions WHERE id_hash = ?1",
            [&hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((staff, stage, created, seen)) = row else {
        return Ok(None);
    };
    if now - seen > IDLE_SECS || now - created > ABSOLUTE_SECS {
        conn.execute("DELETE FROM staff_sessions WHERE id_hash = ?1", [&hash])?;
        return Ok(None);
    }
    conn.execute(
        "UPDATE staff_sessions SET seen_at = ?2 WHERE id_hash = ?1",
        params![hash, now],
    )?;
    let stage = if stage == "full" {
        Stage::Full
    } else {
        Stage::Password
    };
    Ok(Some((staff, stage)))
}

/// Ends the session of a cookie value.
pub fn end_session(conn: &Connection, cookie: &str) -> Result<(), Fail> {
    conn.execute(
        "DELETE FROM staff_sessions WHERE id_hash = ?1",
        [crate::auth::hash_token(cookie)],
    )?;
    Ok(())
}

/// Replaces a session by a new one at `stage` (a new id at each step up: no fixation); it
/// keeps the old one's start, so the absolute timeout still counts from the login.
pub fn rotate_session(
    conn: &Connection,
    cookie: &str,
    stage: Stage,
    now: i64,
) -> Result<Option<String>, Fail> {
    let hash = crate::auth::hash_token(cookie);
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT staff_id, created_at FROM staff_sessions WHERE id_hash = ?1",
            [&hash],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((staff, created)) = row else {
        return Ok(None);
    };
    conn.execute("DELETE FROM staff_sessions WHERE id_hash = ?1", [&hash])?;
    let id = crate::auth::new_token();
    conn.execute(
        "INSERT INTO staff_sessions (id_hash, staff_id, stage, created_at, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            crate::auth::hash_token(&id),
            staff,
            stage.as_str(),
            created,
            now
        ],
    )?;
    Ok(Some(id))
}

// ---- the audit log ----------------------------------------------------------------------------

// ---- API tokens ------------------------------------------------------------------------------

/// A staff member's API token as listed (the token itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The first 12 hex digits of the token's SHA-256: names it in the list and to revoke it.
    pub key: String,
    pub name: String,
    pub created_at: String,
}

/// The staff member a machine's API token stands for (an active account).
pub fn staff_by_token_hash(conn: &Connection, hash: &str) -> Result<Option<Staff>, Fail> {
    let id: Option<String> = conn
        .query_row(
            "SELECT staff_id FROM staff_tokens WHERE token_hash = ?1",
            [hash],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => staff_by_id(conn, &id),
        None => Ok(None),
    }
}

/// Makes a token for a machine acting as `staff_id`; returns it (kept only as SHA-256).
pub fn create_token(
    conn: &Connection,
    staff_id: &str,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, Fail> {
    let token = crate::auth::new_token();
    conn.execute(
        "INSERT INTO staff_tokens (token_hash, staff_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![crate::auth::hash_token(&token), staff_id, name, ts(now)],
    )?;
    Ok(token)
}

pub fn tokens(conn: &Connection, staff_id: &str) -> Result<Vec<ApiToken>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(token_hash, 1, 12), name, created_at FROM staff_tokens
         WHERE staff_id = ?1 ORDER BY created_at, token_hash",
    )?;
    let rows = stmt.query_map([staff_id], |r| {
        Ok(ApiToken {
            key: r.get(0)?,
            name: r.get(1)?,
            created_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revokes one of `staff_id`'s own tokens by its key; whether there was one.
pub fn revoke_token(conn: &Connection, staff_id: &str, key: &str) -> Result<bool, Fail> {
    if key.len() != 12 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let n = conn.execute(
        "DELETE FROM staff_tokens WHERE staff_id = ?1 AND substr(token_hash, 1, 12) = ?2",
        params![staff_id, key],
    )?;
    Ok(n > 0)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub staff: Option<String>,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Records a staff action: who (`None`: the shared operator token), what, on what, the state
/// before and after (JSON), when.
pub fn audit(
    conn: &Connection,
    staff_id: Option<&str>,
    action: &str,
    target: &str,
    before: Option<&str>,
    after: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Fail> {
    conn.execute(
        "INSERT INTO audit_log (at, staff_id, action, target, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![ts(now), staff_id, action, target, before, after],
    )?;
    Ok(())
}

/// The newest entries first, filtered by staff username and action (empty: any).
pub fn audit_entries(
    conn: &Connection,
    username: &str,
    action: &str,
    limit: i64,
) -> Result<Vec<AuditEntry>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.at, s.username, a.action, a.target, a.before, a.after
         FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id
         WHERE (?1 = '' OR s.username = ?1) AND (?2 = '' OR a.action = ?2)
         ORDER BY a.id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![username, action, limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            staff: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            before: r.get(5)?,
            after: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::db::migrations()
            .to_latest(&mut conn)
            .expect("migrate");
        upsert_units(&conn, &demo_units()).expect("units");
        conn
    }

    fn totp(algorithm: totp_rs::Algorithm, secret: &[u8]) -> totp_rs::Totp {
        totp_rs::Builder::new()
            .with_algorithm(algorithm)
            .with_digits(8)
            .with_skew(0)
            .with_step_duration(30)
            .with_secret(secret.to_vec())
            .build_noncompliant()
    }

    /// RFC 6238, appendix B: every vector, SHA-1, SHA-256 and SHA-512 (8 digits).
    #[test]
    fn rfc_6238_vectors() {
        use totp_rs::Algorithm::{SHA1, SHA256, SHA512};
        let s1 = b"12345678901234567890";
        let s256 = b"12345678901234567890123456789012";
        let s512 = b"1234567890123456789012345678901234567890123456789012345678901234";
        let table: [(u64, [&str; 3]); 6] = [
            (59, ["94287082", "46119246", "90693936"]),
            (1_111_111_109, ["07081804", "68084774", "25091201"]),
            (1_111_111_111, ["14050471", "67062674", "99943326"]),
            (1_234_567_890, ["89005924", "91819424", "93441116"]),
            (2_000_000_000, ["69279037", "90698825", "38618901"]),
            (20_000_000_000, ["65353130", "77737706", "47863826"]),
        ];
        for (time, [c1, c256, c512]) in table {
            assert_eq!(
                totp(SHA1, s1).generate(time).to_string(),
                c1,
                "SHA-1 {time}"
            );
            assert_eq!(
                totp(SHA256, s256).generate(time).to_string(),
                c256,
                "SHA-256 {time}"
            );
            assert_eq!(
                totp(SHA512, s512).generate(time).to_string(),
                c512,
                "SHA-512 {time}"
            );
        }
        // Ours: 6 digits, one step of drift either side, not two.
        let b32 = totp_rs::Secret::from(s1.to_vec()).to_base32();
        let six = totp_rs::Builder::new()
            .with_algorithm(SHA1)
            .with_digits(6)
            .with_skew(0)
            .with_step_duration(30)
            .with_secret(s1.to_vec())
            .build_noncompliant();
        let now = 1_234_567_890;
        let code = |t: u64| six.generate(t).to_string();
        assert_eq!(totp_step(&b32, &code(now), now), Some(now / 30));
        assert!(totp_step(&b32, &code(now - 30), now).is_some());
        assert!(totp_step(&b32, &code(now - 90), now).is_none());
        assert!(totp_step(&b32, "00000x", now).is_none());
        assert!(totp_step("not base32!", "123456", now).is_none());
    }

    #[test]
    fn a_second_factor_code_is_spent_once() {
        let conn = db();
        let secret = new_totp_secret();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        let id = create_staff(
            &conn,
            "admin",
            "Admin",
            "pw-admin-123456",
            Some(&secret),
            &[(Role::Admin, ROOT_UNIT)],
            chrono::Utc::now(),
        )
        .expect("staff");
        let bytes = totp_rs::Secret::try_from_base32(&secret).expect("b32");
        let six = totp_rs::Builder::new()
            .with_digits(6)
            .with_secret(bytes)
            .build()
            .expect("totp");
        let now = 1_800_000_000;
        let code = six.generate(now).to_string();
        assert!(spend_totp(&conn, &id, &code, now).expect("check"));
        assert!(
            !spend_totp(&conn, &id, &code, now + 1).expect("check"),
            "replayed"
        );
        let next = six.generate(now + 30).to_string();
        assert!(spend_totp(&conn, &id, &next, now + 30).expect("check"));
    }

    #[test]
    fn passwords_are_argon2id_and_checked() {
        let h = hash_password("mật khẩu dài").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(&h, "mật khẩu dài"));
        assert!(!verify_password(&h, "mat khau dai"));
        assert!(!verify_password("garbage", "x"));
    }

    #[test]
    fn roles_cover_subtrees() {
        let conn = db();
        let now = chrono::Utc::now();
        let officer = create_staff(
            &conn,
            "lan",
            "Lan",
            "pw-lan-123456",
            None,
            &[(Role::Officer, "ubnd-thuan-hoa")],
            now,
        )
        .expect("staff");
        let lan = staff_by_id(&conn, &officer).expect("read").expect("lan");
        assert!(lan.can_change_case(Some("ubnd-thuan-hoa")));
        assert!(
            lan.can_change_case(Some("trat-tu-thuan-hoa")),
            "the team under it"
        );
        assert!(!lan.can_read_case(Some("ubnd-phu-xuan")), "another ward");
        assert!(!lan.can_read_case(None), "unrouted: the dispatchers'");
        let city = create_staff(
            &conn,
            "minh",
            "Minh",
            "pw-minh-123456",
            Some("JBSWY3DPEHPK3PXP"),
            &[(Role::CitySupervisor, ROOT_UNIT)],
            now,
        )
        .expect("staff");
        let minh = staff_by_id(&conn, &city).expect("read").expect("minh");
        assert!(minh.can_read_case(Some("ubnd-phu-xuan")) && minh.can_read_case(None));
        assert!(!minh.can_change_case(Some("ubnd-phu-xuan")), "reads only");
        assert!(minh.needs_second_factor() && !lan.needs_second_factor());
        assert!(demo_units().len() >= 20);
    }

    #[test]
    fn sessions_expire_idle_and_absolute_and_rotate() {
        let conn = db();
        let id = create_staff(
            &conn,
            "an",
            "An",
            "pw-an-1234567",
            None,
            &[(Role::Officer, "ubnd-an-cuu")],
            chrono::Utc::now(),
        )
        .expect("staff");
        let t0 = 1_000_000;
        let c = start_session(&conn, &id, Stage::Password, t0).expect("start");
        assert_eq!(
            session(&conn, &c, t0 + 60).expect("read"),
            Some((id.clone(), Stage::Password))
        );
        let full = rotate_session(&conn, &c, Stage::Full, t0 + 61)
            .expect("rotate")
            .expect("new id");
        assert_ne!(full, c);
        assert_eq!(
            session(&conn, &c, t0 + 62).expect("read"),
            None,
            "old id gone"
        );
        // Seen every 20 minutes: alive until the absolute limit.
        let mut t = t0 + 61;
        while t + 20 * 60 < t0 + ABSOLUTE_SECS {
            t += 20 * 60;
            assert!(session(&conn, &full, t).expect("read").is_some(), "{t}");
        }
        assert_eq!(
            session(&conn, &full, t0 + ABSOLUTE_SECS + 1).expect("read"),
            None
        );
        let idle = start_session(&conn, &id, Stage::Full, t0).expect("start");
        assert_eq!(
            session(&conn, &idle, t0 + IDLE_SECS + 1).expect("read"),
            None
        );
        let out = start_session(&conn, &id, Stage::Full, t0).expect("start");
        end_session(&conn, &out).expect("logout");
        assert_eq!(session(&conn, &out, t0 + 1).expect("read"), None);
    }

    #[test]
    fn logins_are_limited_per_user_and_address() {
        let conn = db();
        let keys = |u: &str, a: &str| vec![format!("user:{u}"), format!("addr:{a}")];
        let now = 5_000_000;
        for _ in 0..LOGIN_FAILURES_PER_USER {
            assert!(!login_blocked(&conn, &keys("lan", "10.0.0.1"), now).expect("q"));
            record_login_failure(&conn, &keys("lan", "10.0.0.1"), now).expect("w");
        }
        assert!(login_blocked(&conn, &keys("lan", "10.0.0.2"), now).expect("q"));
        assert!(!login_blocked(&conn, &keys("minh", "10.0.0.2"), now).expect("q"));
        assert!(
            !login_blocked(&conn, &keys("lan", "10.0.0.2"), now + LOGIN_WINDOW_SECS + 1)
                .expect("q"),
            "the window passes"
        );
    }
}
