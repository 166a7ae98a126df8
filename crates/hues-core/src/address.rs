//! Which servers the app talks to in clear text: none but this device itself. The server
//! address carries the device token and the citizen's reports; the tile address tells which
//! areas they look at. Over `http://` across a network anyone on the way reads and changes
//! both, so `https://` is the rule and `http://` is kept for `localhost`, `127.0.0.0/8` and
//! `[::1]` (the two-command setup and the tests), read by the URL parser, not matched as text.

use hues_wire::{ApiError, ErrorCode};
use url::Url;

/// Whether an address is this device itself, as the URL parser reads the host (so
/// `127.0.0.1.example.com` and `localhost@example.com` are not).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `https://` to any host, `http://` to this device only.
pub fn is_secure(url: &Url) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => is_loopback(url),
        _ => false,
    }
}

/// Checks a server address or tile template the citizen (or the environment) gives: no spaces
/// or control characters, no user name or password, https (or http to this device); a tile
/// template may carry a query (a key), the server address may not. `what` names it in the
/// message.
pub fn check(address: &str, what: &str, query_allowed: bool) -> Result<(), ApiError> {
    let invalid = |why: &str| ApiError::new(ErrorCode::InvalidValue, format!("{what} {why}"));
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("must not contain spaces or control characters"));
    }
    let parsed = Url::parse(address).map_err(|e| invalid(&format!("is not a URL ({e})")))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("must not contain a user name or password"));
    }
    if parsed.fragment().is_some() || (!query_allowed && parsed.query().is_some()) {
        return Err(invalid("must not have a query or fragment"));
    }
    match parsed.scheme() {
        "http" | "https" if is_secure(&parsed) => Ok(()),
        "http" => Err(ApiError::new(
            ErrorCode::InsecureUrl,
            format!(
                "{what} must use https:// (http:// is only for this device: localhost, 127.0.0.1, [::1])"
            ),
        )),
        _ => Err(invalid("must start with https://")),
    }
}

/// Redirects are followed only to where a request may go in the first place: a server (or
/// someone on the way) cannot send the token or a report on to a clear-text address.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else if is_secure(attempt.url()) {
            attempt.follow()
        } else {
            attempt.error("redirected to a clear-text address")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_read_by_the_parser() {
        let secure = |s: &str| is_secure(&Url::parse(s).expect("url"));
        for ok in [
            "https://hues.example.vn",
            "https://10.0.0.5",
            "http://127.0.0.1:8787",
            "http://127.255.0.1",
            "http://localhost",
            "http://[::1]:8787",
        ] {
            assert!(secure(ok), "{ok}");
        }
        for no in [
            "http://10.0.0.5",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://localhost@evil.example",
            "http://evil.example/127.0.0.1",
            "http://[::ffff:127.0.0.1]",
            "ftp://127.0.0.1",
            "file:///etc/passwd",
        ] {
            assert!(!secure(no), "{no}");
        }
    }
}
