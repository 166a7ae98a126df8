//! The app's loopback address for an identity provider's answer (RFC 8252, 7.3): the system
//! browser is sent back to `http://127.0.0.1:PORT/oidc?state=…&code=…`, read here once. Other
//! requests (a browser asking for its icon) get a 404 and the wait goes on.

use hues_wire::account::OidcFinish;
use hues_wire::{ApiError, ErrorCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the browser's request line asks for: the answer, an error from the provider, or
/// something else.
fn read_request(head: &str) -> Option<Result<OidcFinish, ApiError>> {
    let target = head
        .lines()
        .next()?
        .strip_prefix("GET ")?
        .split(' ')
        .next()?;
    let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if url.path() != "/oidc" {
        return None;
    }
    let get = |k: &str| {
        url.query_pairs()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.into_owned())
    };
    Some(match (get("state"), get("code"), get("error")) {
        (Some(state), Some(code), None) => Ok(OidcFinish { state, code }),
        (_, _, Some(e)) => Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("the identity provider said: {e}"),
        )),
        _ => Err(ApiError::new(ErrorCode::MissingField, "state and code")),
    })
}

/// Waits for the browser's answer; tells the browser `page` (HTML) once it has it.
pub async fn answer(listener: &TcpListener, page: &str) -> Result<OidcFinish, ApiError> {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let mut buf = vec![0u8; 8192];
        let mut len = 0;
        // The request's head (the line that matters comes first); 8 KB at most.
        while len < buf.len() {
            match tokio::time::timeout(
                std::time::Duration::from_secs(5),
                stream.read(&mut buf[len..]),
            )
            .await
            {
                Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
                Ok(Ok(n)) => {
                    len += n;
                    if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
        let head = String::from_utf8_lossy(&buf[..len]);
        let Some(outcome) = read_request(&head) else {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            continue;
        };
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(reply.as_bytes()).await;
        let _ = stream.shutdown().await;
        return outcome;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_read_from_the_request_line() {
        let ok = read_request("GET /oidc?state=s%201&code=abc HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(
            ok.map(|r| r.map_err(|e| e.code)),
            Some(Ok(OidcFinish {
                state: "s 1".into(),
                code: "abc".into()
            }))
        );
        let refused = read_request("GET /oidc?error=access_denied&state=s HTTP/1.1\r\n\r\n");
        assert!(matches!(refused, Some(Err(e)) if e.code == ErrorCode::Forbidden));
        assert!(read_request("GET /favicon.ico HTTP/1.1\r\n\r\n").is_none());
        assert!(read_request("POST /oidc HTTP/1.1\r\n\r\n").is_none());
        assert!(read_request("garbage").is_none());
    }
}
