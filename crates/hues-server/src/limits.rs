//! Limits that no number of devices escapes, because they count by network address (and, for
//! failed dossier look-ups, server-wide): registering a device costs nothing, so a limit per
//! device alone is a limit on nothing.
//!
//! - **Registrations**: at most `Limits::registrations_per_hour` new devices per address per
//!   hour, then 429 `rate_limited` (the app retries later on its own).
//! - **Failed dossier look-ups** (unknown code or wrong check value, the same 404): counted per
//!   address and for the whole server; see `dossiers::lookup` for what happens when a budget is
//!   spent.
//!
//! An address is the peer of the TCP connection, or with `trust_forwarded_for` (behind a reverse
//! proxy that appends the client's address) the right-most `X-Forwarded-For` entry: the one the
//! proxy wrote, which the client cannot forge. IPv6 addresses are grouped by /56, the block a
//! household commonly gets (by /64 it would get 256 addresses). Addresses are kept one hour (tables `registrations`, `lookup_failures`).

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::extract::connect_info::{ConnectInfo, MockConnectInfo};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use hues_wire::ErrorCode;
use rusqlite::{Connection, params};

use crate::AppState;
use crate::error::Fail;

/// The window every per-address count here uses.
pub const WINDOW: Duration = Duration::hours(1);

/// The figures, set at start (`Config::limits`, flags in `main.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// New devices one address may register per hour. Mobile carriers put many subscribers
    /// behind one IPv4 address (CGNAT) and a ward meeting shares one Wi-Fi: 60 an hour is one a
    /// minute, sustained, far above what a crowd installing the app produces, far below what a
    /// script registering a device per try needs.
    pub registrations_per_hour: i64,
    /// Failed dossier look-ups one address may make per hour. Honest mistakes are rare (the
    /// check value is 4 digits the citizen has on paper); 30 leaves room for a whole office
    /// behind one address mistyping.
    pub lookup_failures_per_hour: i64,
    /// Failed dossier look-ups the whole server takes per hour before it narrows look-ups (see
    /// `dossiers::lookup`); twice this stops every look-up until the hour has passed.
    pub lookup_failures_global_per_hour: i64,
    /// Bytes of photos one device may have stored (photos no report holds go after a day).
    pub photo_quota_bytes: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            registrations_per_hour: 60,
            lookup_failures_per_hour: 30,
            lookup_failures_global_per_hour: 2_000,
            photo_quota_bytes: 200 * 1024 * 1024,
        }
    }
}

/// Unix milliseconds: how the limit tables keep time (integers sort; text times of varying
/// precision do not).
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The caller's network address (see the module documentation). Tests set it by inserting
/// `ConnectInfo<SocketAddr>` (or `MockConnectInfo`) into the request's extensions; without
/// either, it is loopback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// What limits count under: the IPv4 address, or the /56 of an IPv6 one (IPv4-mapped IPv6
    /// addresses, as a dual-stack listener sees IPv4 peers, count as IPv4).
    pub fn key(&self) -> String {
        match self.0.to_canonical() {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3] & 0xff00, 0, 0, 0, 0);
                format!("{net}/56")
            }
        }
    }

    /// The address of a request: `forwarded` says whether to believe `X-Forwarded-For`.
    pub fn of(parts: &Parts, forwarded: bool) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .or_else(|| {
                parts
                    .extensions
                    .get::<MockConnectInfo<SocketAddr>>()
                    .map(|m| m.0)
            })
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| a.ip());
        let ip = forwarded
            .then(|| rightmost_forwarded_for(&parts.headers))
            .flatten()
            .unwrap_or(peer);
        Self(ip)
    }
}

/// The right-most address of `X-Forwarded-For` (of the last such header): the one the trusted
/// proxy appended. Entries a client put before it are ignored.
fn rightmost_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let entry = last.to_str().ok()?.rsplit(',').next()?.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self::of(parts, state.trust_forwarded_for))
    }
}

/// Counts one registration from `addr`, or refuses it (429) when the address has used its hour.
/// Refused attempts are not counted: waiting the hour out is enough.
pub fn admit_registration(
    conn: &Connection,
    addr: &str,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<(), Fail> {
    let since = millis(now - WINDOW);
    conn.prepare_cached("DELETE FROM registrations WHERE at < ?1")?
        .execute([since])?;
    let used: i64 = conn
        .prepare_cached("SELECT count(*) FROM registrations WHERE addr = ?1 AND at >= ?2")?
        .query_row(params![addr, since], |r| r.get(0))?;
    if used >= limit {
        return Err(Fail::new(
            ErrorCode::RateLimited,
            "too many new devices from this network address: try again later",
        ));
    }
    conn.prepare_cached("INSERT INTO registrations (addr, at) VALUES (?1, ?2)")?
        .execute(params![addr, millis(now)])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: &[&str]) -> Parts {
        let mut req = Request::builder().uri("/");
        for h in xff {
            req = req.header("x-forwarded-for", *h);
        }
        let (mut parts, ()) = req.body(()).expect("request").into_parts();
        parts
            .extensions
            .insert(ConnectInfo(peer.parse::<SocketAddr>().expect("addr")));
        parts
    }

    #[test]
    fn ipv6_groups_by_56_and_mapped_ipv4_is_ipv4() {
        let a = ClientAddr("2001:db8:1:2:aaaa::1".parse().expect("ip"));
        let b = ClientAddr("2001:db8:1:3:ffff::9".parse().expect("ip"));
        let c = ClientAddr("2001:db8:1:100::1".parse().expect("ip"));
        assert_eq!(a.key(), "2001:db8:1::/56");
        assert_eq!(a.key(), b.key(), "another /64 of the same /56");
        assert_ne!(a.key(), c.key());
        let mapped = ClientAddr("::ffff:203.0.113.7".parse().expect("ip"));
        assert_eq!(mapped.key(), "203.0.113.7");
    }

    #[test]
    fn forwarded_for_is_read_only_when_trusted_and_right_most() {
        let p = parts("10.0.0.1:5000", &["1.1.1.1, 198.51.100.4"]);
        assert_eq!(ClientAddr::of(&p, false).key(), "10.0.0.1");
        assert_eq!(ClientAddr::of(&p, true).key(), "198.51.100.4");
        // A client-written header first, the proxy's last: the last one counts.
        let p = parts("10.0.0.1:5000", &["6.6.6.6", "203.0.113.9"]);
        assert_eq!(ClientAddr::of(&p, true).key(), "203.0.113.9");
        let p = parts("10.0.0.1:5000", &["[2001:db8::1]:443"]);
        assert_eq!(ClientAddr::of(&p, true).key(), "2001:db8::/56");
        // Garbage or no header: the peer.
        let p = parts("10.0.0.1:5000", &["nonsense"]);
        assert_eq!(ClientAddr::of(&p, true).key(), "10.0.0.1");
        let p = parts("10.0.0.1:5000", &[]);
        assert_eq!(ClientAddr::of(&p, true).key(), "10.0.0.1");
        let (bare, ()) = Request::builder()
            .uri("/")
            .body(())
            .expect("request")
            .into_parts();
        assert_eq!(ClientAddr::of(&bare, false).key(), "127.0.0.1");
    }
}
