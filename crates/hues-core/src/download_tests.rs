//! Photo downloads against a real HTTP server on the loopback: a tiny HTTP/1.1 server written
//! by hand, so it can lie (about Content-Length, about the bytes) the way a broken or hostile
//! server would.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hues_wire::ErrorCode;
use hues_wire::ipc::Settings;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::client::{ApiClient, RequestError};
use crate::{Store, SyncEngine};

/// How the server frames the body.
#[derive(Clone)]
enum Framing {
    /// `Content-Length` says the truth.
    Honest,
    /// No length: the body ends when the connection closes.
    UntilClose,
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// `Content-Length` says this, whatever the body is.
    Says(usize),
}

/// Serves `body` for every request, in 64 KB pieces with `pause` between them; returns the base
/// URL.
async fn serve(body: Vec<u8>, framing: Framing, pause: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let body = Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (body, framing) = (Arc::clone(&body), framing.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let framing_header = match framing {
                    Framing::Honest => format!("Content-Length: {}\r\n", body.len()),
                    Framing::UntilClose => String::new(),
                    Framing::Chunked => "Transfer-Encoding: chunked\r\n".to_owned(),
                    Framing::Says(n) => format!("Content-Length: {n}\r\n"),
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n{framing_header}Connection: close\r\n\r\n"
                );
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for piece in body.chunks(64 * 1024) {
                    let sent = match framing {
                        Framing::Chunked => {
                            let framed = [
                                format!("{:x}\r\n", piece.len()).as_bytes(),
                                piece,
                                &b"\r\n"[..],
                            ]
                            .concat();
                            sock.write_all(&framed).await
                        }
                        _ => sock.write_all(piece).await,
                    };
                    // The client stopped reading: what it refused is not sent.
                    if sent.is_err() {
                        return;
                    }
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                }
                if matches!(framing, Framing::Chunked) {
                    let _ = sock.write_all(b"0\r\n\r\n").await;
                }
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn engine(dir: &Path, server: &str) -> SyncEngine {
    let store = Store::open(&dir.join("c.db")).expect("open");
    store
        .save_settings(&Settings {
            server_url: server.to_owned(),
            ..Settings::default()
        })
        .expect("a loopback server is allowed");
    SyncEngine::new(Arc::new(store), "test")
}

/// What is in the photo folder (no temporary file may stay).
fn photos(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("photos"))
        .expect("photos")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// JPEG-looking bytes of `len` (the download checks the name and the JPEG start, not the
/// picture).
fn jpeg_bytes(len: usize) -> Vec<u8> {
    let mut b: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    b[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    b
}

async fn fetch(e: &SyncEngine, base: &str, name: &str) -> Result<std::path::PathBuf, RequestError> {
    e.fetch_photo(&ApiClient::new(base), None, name).await
}

#[tokio::test]
async fn a_good_photo_is_kept_whole_and_user_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = crate::photo::testdata::jpeg_with_exif(64, 48, 1, None);
    let name = sha(&body);
    let base = serve(body.clone(), Framing::Chunked, Duration::ZERO).await;
    let e = engine(dir.path(), &base);
    let rev = e.store().revision();
    // Through the same door the app's photo: scheme uses.
    let path = e.photo(&name, false).await.expect("kept");
    assert_eq!(std::fs::read(&path).expect("read"), body);
    assert_eq!(photos(dir.path()), [format!("{name}.jpg")]);
    assert!(e.store().revision() > rev, "screens showing it reload");
    #[cfg(unix)]
    assert_eq!(crate::private::tests::mode(&path), 0o600);
    // Now on the device: no second download.
    assert_eq!(e.store().photo_file(&name, false), Some(path));
}

#[tokio::test]
async fn an_oversized_photo_is_refused_and_leaves_no_file() {
    let limit = hues_wire::api::MAX_PHOTO_BYTES;
    let body = jpeg_bytes(11 * 1024 * 1024);
    let name = sha(&body);
    for (framing, what) in [
        (Framing::Honest, "an honest Content-Length"),
        (Framing::UntilClose, "no Content-Length"),
        (Framing::Chunked, "chunked"),
        (Framing::Says(limit), "a Content-Length that lies"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = serve(body.clone(), framing, Duration::ZERO).await;
        let e = engine(dir.path(), &base);
        let err = fetch(&e, &base, &name).await.expect_err(what);
        match err {
            // Counted while streaming, or cut at the stated length and then not matching.
            RequestError::Refused(api) => assert!(
                matches!(
                    api.code,
                    ErrorCode::PayloadTooLarge | ErrorCode::BadResponse
                ),
                "{what}: {api}"
            ),
            other => panic!("{what}: {other}"),
        }
        assert!(
            photos(dir.path()).is_empty(),
            "{what}: {:?}",
            photos(dir.path())
        );
    }
}

#[tokio::test]
async fn bytes_that_are_not_the_photo_leave_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = jpeg_bytes(200_000);
    let other = "0".repeat(64);
    let base = serve(body, Framing::Honest, Duration::ZERO).await;
    let e = engine(dir.path(), &base);
    let err = fetch(&e, &base, &other).await.expect_err("not its name");
    assert!(
        matches!(&err, RequestError::Refused(a) if a.code == ErrorCode::BadResponse),
        "{err}"
    );
    assert!(photos(dir.path()).is_empty());
    // The app's photo door says not found, and still keeps nothing.
    assert!(e.photo(&other, false).await.is_err());
    assert!(photos(dir.path()).is_empty());
    // A name that is not a hash never reaches the server.
    assert!(e.photo("../c.db", false).await.is_err());
}

#[tokio::test]
async fn a_download_cut_short_is_tried_again_later_and_leaves_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = jpeg_bytes(100_000);
    let name = sha(&body);
    // Says more than it sends, then hangs up.
    let base = serve(body, Framing::Says(150_000), Duration::ZERO).await;
    let e = engine(dir.path(), &base);
    let err = fetch(&e, &base, &name).await.expect_err("cut short");
    assert!(matches!(err, RequestError::Transient(_)), "{err}");
    assert!(photos(dir.path()).is_empty());
}

#[tokio::test]
async fn two_downloads_of_the_same_photo_do_not_mix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = jpeg_bytes(1024 * 1024);
    let name = sha(&body);
    // Slow enough that both are half way at the same time.
    let base = serve(body.clone(), Framing::Honest, Duration::from_millis(5)).await;
    let e = engine(dir.path(), &base);
    let (a, b) = tokio::join!(fetch(&e, &base, &name), fetch(&e, &base, &name));
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_eq!(a, b);
    assert_eq!(std::fs::read(&a).expect("read"), body);
    assert_eq!(photos(dir.path()), [format!("{name}.jpg")]);
}
