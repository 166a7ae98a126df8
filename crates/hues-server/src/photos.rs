//! Photos, content-addressed: a photo is named by the SHA-256 of its bytes, so one already here
//! is never sent again, and an interrupted upload is simply sent again (the file appears only
//! once whole: written to a temporary name, then renamed). The server trusts nothing the client
//! claims: it hashes the bytes itself, checks the size, and reads the JPEG header.
//!
//! **Metadata never stays**: the app sends re-encoded JPEGs without EXIF, but any client can PUT
//! a phone's original. The server walks the JPEG's segments and drops every one that can carry
//! metadata (APP1 EXIF/XMP, APP13 IPTC, COM, every other APPn, bytes after the end of the image),
//! keeping the JFIF header (without its thumbnail), an ICC colour profile, Adobe's colour
//! transform and the image data, byte for byte (lossless, no re-encoding). The rule for names:
//! a photo is stored only under the SHA-256 of what is stored. If something was removed, the
//! clean bytes are stored under their own hash and the name uploaded under becomes an alias of
//! it (`photo_aliases`): the uploader's PUT answers as usual, a report or status step naming the
//! alias is stored with the clean name, and `GET` of the alias serves the clean photo. Every
//! name the server hands out (reports, sync, Open311 media) is therefore a clean one. Files
//! stored before this rule are cleaned as they are served.
//!
//! **Quota and orphans**: a device may have `Limits::photo_quota_bytes` of photos stored (what
//! it uploaded, after cleaning); photos no report (or status step, or place) holds are deleted
//! a day after their upload by `sweep_orphans`, which `serve` runs at start and every hour.

use std::borrow::Cow;
use std::io::Cursor;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use hues_wire::ErrorCode;
use hues_wire::api::MAX_PHOTO_BYTES;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::Fail;

/// Largest side a stored photo may have (the app sends ≤ 1600 px).
pub const MAX_PHOTO_EDGE: u32 = 4096;

/// How long a photo no report holds is kept (a report is sent right after its photos).
pub const ORPHAN_AGE: Duration = Duration::days(1);

/// How often `serve` runs `sweep_orphans`.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

#[derive(Clone)]
pub struct PhotoStore {
    dir: PathBuf,
}

/// A well-formed photo name: 64 lower-case hex digits.
pub fn is_sha256(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The JPEG without its metadata segments (see the module documentation); `Borrowed` when
/// nothing had to go. Walks every segment, between scans too, and stops at the end of the
/// image; data cut short inside a scan is kept as it is (as decoders read it).
pub fn strip_metadata(b: &[u8]) -> Result<Cow<'_, [u8]>, &'static str> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return Err("no JPEG start-of-image marker");
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    while i < b.len() {
        if b[i] != 0xFF {
            return Err("bytes between JPEG segments");
        }
        // Fill bytes (0xFF runs) may precede a marker; they are dropped.
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = b.get(i) else {
            break;
        };
        i += 1;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                break;
            }
            // Restart markers outside a scan carry nothing; TEM neither.
            0xD0..=0xD7 | 0x01 => continue,
            0x00 | 0xD8 => return Err("misplaced JPEG marker"),
            _ => {}
        }
        let len = b
            .get(i..i + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
            .ok_or("truncated JPEG segment")?;
        if len < 2 || i + len > b.len() {
            return Err("JPEG segment longer than the file");
        }
        let payload = &b[i + 2..i + len];
        i += len;
        match marker {
            // JFIF: kept, without a thumbnail (which shows the picture before any crop).
            0xE0 if payload.starts_with(b"JFIF\0") && payload.len() >= 14 => {
                out.extend_from_slice(&[0xFF, 0xE0, 0x00, 16]);
                out.extend_from_slice(&payload[..12]);
                out.extend_from_slice(&[0, 0]);
            }
            0xE2 if payload.starts_with(b"ICC_PROFILE\0") => copy(&mut out, marker, payload),
            0xEE if payload.starts_with(b"Adobe") => copy(&mut out, marker, payload),
            // Every other application segment, comments, and the reserved JPGn/JPG markers.
            0xE0..=0xEF | 0xFE | 0xF0..=0xFD | 0xC8 => {}
            _ => copy(&mut out, marker, payload),
        }
        if marker == 0xDA {
            // Entropy-coded data: up to the next marker that is neither a stuffed 0xFF00 nor a
            // restart marker.
            let start = i;
            loop {
                let Some(ff) = b[i..].iter().position(|&x| x == 0xFF) else {
                    i = b.len();
                    break;
                };
                i += ff;
                let mut j = i + 1;
                while j < b.len() && b[j] == 0xFF {
                    j += 1;
                }
                match b.get(j) {
                    None => {
                        i = b.len();
                        break;
                    }
                    Some(0x00 | 0xD0..=0xD7) => i = j + 1,
                    Some(_) => break,
                }
            }
            out.extend_from_slice(&b[start..i]);
        }
    }
    Ok(if out == b {
        Cow::Borrowed(b)
    } else {
        Cow::Owned(out)
    })
}

fn copy(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
}

/// An upload, checked and cleaned, ready to store.
pub struct CleanPhoto {
    /// The name it was uploaded under (the SHA-256 of the bytes sent).
    pub uploaded_as: String,
    /// The SHA-256 of `bytes`: `uploaded_as` unless metadata was removed.
    pub sha: String,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl CleanPhoto {
    /// The name uploaded under, when it is not the stored one.
    pub fn alias(&self) -> Option<&str> {
        Some(self.uploaded_as.as_str()).filter(|a| *a != self.sha)
    }
}

impl PhotoStore {
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.dir.join(&sha[..2]).join(format!("{sha}.jpg"))
    }

    /// Whether the file of `sha` is here.
    pub fn has(&self, sha: &str) -> bool {
        self.path(sha).is_file()
    }

    /// Checks the bytes uploaded as `sha` and removes their metadata.
    pub fn check(sha: &str, bytes: &[u8]) -> Result<CleanPhoto, Fail> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(Fail::new(ErrorCode::PhotoTooLarge, "photo over 10 MB"));
        }
        if sha256_hex(bytes) != sha {
            return Err(Fail::new(
                ErrorCode::InvalidValue,
                "the bytes do not match their SHA-256 name",
            ));
        }
        if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Err(Fail::new(
                ErrorCode::PhotoUnsupported,
                "photos are stored as JPEG",
            ));
        }
        let clean = strip_metadata(bytes)
            .map_err(|e| Fail::new(ErrorCode::PhotoCorrupt, format!("not a readable JPEG: {e}")))?;
        let (w, h) =
            image::ImageReader::with_format(Cursor::new(&clean[..]), image::ImageFormat::Jpeg)
                .into_dimensions()
                .map_err(|e| {
                    Fail::new(ErrorCode::PhotoCorrupt, format!("not a readable JPEG: {e}"))
                })?;
        if w > MAX_PHOTO_EDGE || h > MAX_PHOTO_EDGE {
            return Err(Fail::new(
                ErrorCode::PhotoTooManyPixels,
                format!("photo is {w}×{h}, over {MAX_PHOTO_EDGE} px"),
            ));
        }
        let (sha_clean, bytes) = match clean {
            Cow::Borrowed(_) => (sha.to_owned(), bytes.to_vec()),
            Cow::Owned(clean) => (sha256_hex(&clean), clean),
        };
        Ok(CleanPhoto {
            uploaded_as: sha.to_owned(),
            sha: sha_clean,
            bytes,
            width: w,
            height: h,
        })
    }

    /// Writes a checked photo's file.
    pub fn write(&self, photo: &CleanPhoto) -> Result<(), Fail> {
        let path = self.path(&photo.sha);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Fail::internal)?;
        }
        let tmp = path.with_extension(format!("part-{}", uuid::Uuid::now_v7()));
        std::fs::write(&tmp, &photo.bytes).map_err(Fail::internal)?;
        std::fs::rename(&tmp, &path).map_err(Fail::internal)?;
        Ok(())
    }

    pub fn read(&self, sha: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(sha)).ok()
    }

    fn remove(&self, sha: &str) {
        let path = self.path(sha);
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %e, "removing an orphan photo");
        }
    }
}

/// The stored name of `sha`: itself, or the clean photo it is an alias of.
pub fn canonical_name(conn: &Connection, sha: &str) -> Result<String, Fail> {
    let target: Option<String> = conn
        .prepare_cached("SELECT sha256 FROM photo_aliases WHERE alias = ?1")?
        .query_row([sha], |r| r.get(0))
        .optional()?;
    Ok(target.unwrap_or_else(|| sha.to_owned()))
}

/// `photos` with every alias replaced by the clean name it stands for (the order kept).
pub fn canonical_names(conn: &Connection, photos: &[String]) -> Result<Vec<String>, Fail> {
    photos.iter().map(|p| canonical_name(conn, p)).collect()
}

/// Whether every named photo is stored (under that name or as an alias).
pub fn all_stored(conn: &Connection, photos: &[String]) -> Result<bool, Fail> {
    for sha in photos {
        let n: i64 = conn.query_row(
            "SELECT (SELECT count(*) FROM photos WHERE sha256 = ?1)
                  + (SELECT count(*) FROM photo_aliases WHERE alias = ?1)",
            [sha],
            |r| r.get(0),
        )?;
        if n == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Records that a device has shown it holds a photo's bytes.
pub fn record_uploader(conn: &Connection, sha: &str, device: &str) -> Result<(), Fail> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO photo_uploaders (sha256, device_id) VALUES (?1, ?2)",
    )?
    .execute(rusqlite::params![sha, device])?;
    Ok(())
}

/// Checks a list of photo names for a report or a status step. A citizen's report (`uploader`
/// given) may name only photos that device uploaded itself: a hash seen in public does not make
/// someone else's photo one's own (staff steps may name any stored photo).
pub fn check_list(
    conn: &Connection,
    photos: &[String],
    uploader: Option<uuid::Uuid>,
) -> Result<(), Fail> {
    if let Some(device) = uploader {
        let device = device.to_string();
        for sha in photos {
            let held: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM photo_uploaders WHERE sha256 = ?1 AND device_id = ?2)",
                )?
                .query_row(rusqlite::params![sha, device], |r| r.get(0))?;
            if !held && is_sha256(sha) && all_stored(conn, std::slice::from_ref(sha))? {
                return Err(Fail::new(
                    ErrorCode::InvalidValue,
                    "a photo of this report was not uploaded by this device",
                ));
            }
        }
    }
    if photos.len() > hues_wire::api::MAX_PHOTOS {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            format!("at most {} photos", hues_wire::api::MAX_PHOTOS),
        ));
    }
    if let Some(bad) = photos.iter().find(|p| !is_sha256(p)) {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            format!("photo {bad:?} is not a SHA-256 name"),
        ));
    }
    if !all_stored(conn, photos)? {
        return Err(Fail::new(
            ErrorCode::InvalidValue,
            "a photo of this report has not been uploaded",
        ));
    }
    Ok(())
}

/// Deletes (row, alias and file) every photo uploaded before `now - ORPHAN_AGE` that no report,
/// status step or place holds; returns their names. The files go while the database is held,
/// so an upload of the same photo cannot slip between row and file.
pub fn sweep_orphans(
    conn: &mut Connection,
    store: &PhotoStore,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Fail> {
    let tx = conn.transaction()?;
    let orphans: Vec<String> = tx
        .prepare(
            "SELECT p.sha256 FROM photos p
             WHERE p.at < ?1
               AND NOT EXISTS (SELECT 1 FROM report_photos rp WHERE rp.sha256 = p.sha256)
               AND NOT EXISTS (SELECT 1 FROM photo_redactions r WHERE r.original = p.sha256)
               AND NOT EXISTS (SELECT 1 FROM places pl, json_each(pl.photos) j
                               WHERE j.value = p.sha256)",
        )?
        .query_map([crate::db::ts(now - ORPHAN_AGE)], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for sha in &orphans {
        tx.execute("DELETE FROM photo_aliases WHERE sha256 = ?1", [sha])?;
        tx.execute("DELETE FROM photo_uploaders WHERE sha256 = ?1", [sha])?;
        tx.execute("DELETE FROM photos WHERE sha256 = ?1", [sha])?;
    }
    tx.commit()?;
    for sha in &orphans {
        store.remove(sha);
    }
    Ok(orphans)
}

/// `sweep_orphans` on the server's database and photo directory.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<Vec<String>, Fail> {
    let store = state.photos.clone();
    state.db.run(move |c| sweep_orphans(c, &store, now)).await
}

/// Runs the sweep now and then every `SWEEP_EVERY`, for as long as the server runs.
pub async fn sweep_every_hour(state: AppState) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match sweep(&state, Utc::now()).await {
            Ok(gone) if !gone.is_empty() => {
                tracing::info!(count = gone.len(), "removed photos no report holds");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.0, "photo sweep failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    /// JFIF with a 1×1 thumbnail.
    fn jfif(thumbnail: bool) -> Vec<u8> {
        let mut p = b"JFIF\0\x01\x02\x01\x00\x48\x00\x48".to_vec();
        if thumbnail {
            p.extend_from_slice(&[1, 1, 0xAA, 0xBB, 0xCC]);
        } else {
            p.extend_from_slice(&[0, 0]);
        }
        seg(0xE0, &p)
    }

    /// A structurally complete (not decodable) progressive-like JPEG: two scans whose entropy
    /// data holds stuffed bytes and a restart marker.
    fn jpeg(between_scans: &[u8], header_extra: &[u8], trailer: &[u8]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend(jfif(false));
        j.extend_from_slice(header_extra);
        j.extend(seg(0xEE, b"Adobe\0\x64\0\0\0\0\x01"));
        j.extend(seg(0xDB, &[0; 65]));
        j.extend(seg(0xC2, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        j.extend(seg(0xC4, &[0; 17]));
        j.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        j.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]);
        j.extend_from_slice(between_scans);
        j.extend(seg(0xDA, &[1, 1, 0, 1, 63, 0]));
        j.extend_from_slice(&[0x78, 0xFF, 0x00]);
        j.extend_from_slice(&[0xFF, 0xD9]);
        j.extend_from_slice(trailer);
        j
    }

    #[test]
    fn a_clean_jpeg_is_kept_byte_for_byte() {
        let icc = seg(0xE2, b"ICC_PROFILE\0\x01\x01profile");
        let clean = jpeg(&[], &icc, &[]);
        assert!(matches!(strip_metadata(&clean), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn metadata_anywhere_goes_and_the_image_data_stays() {
        let icc = seg(0xE2, b"ICC_PROFILE\0\x01\x01profile");
        let clean = jpeg(&[], &icc, &[]);
        let mut header = icc.clone();
        header.extend(seg(0xE1, b"Exif\0\0II*\0secret"));
        header.extend(seg(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x/>"));
        header.extend(seg(0xE2, b"MPF\0second image"));
        header.extend(seg(0xED, b"Photoshop 3.0\08BIM"));
        header.extend(seg(0xEC, b"Ducky"));
        header.extend(seg(0xFE, b"a comment"));
        let dirty = jpeg(
            &seg(0xFE, b"hidden between scans"),
            &header,
            b"appended data",
        );
        let mut with_thumb = dirty.clone();
        // The JFIF thumbnail (what the picture looked like before a crop) goes too.
        let old = jfif(false);
        let at = with_thumb
            .windows(old.len())
            .position(|w| w == old.as_slice())
            .expect("jfif");
        with_thumb.splice(at..at + old.len(), jfif(true));
        for input in [dirty, with_thumb] {
            let out = strip_metadata(&input).expect("strip");
            assert!(matches!(out, Cow::Owned(_)));
            assert_eq!(&out[..], &clean[..]);
        }
    }

    #[test]
    fn fill_bytes_and_a_missing_end_are_tolerated_malformed_segments_are_not() {
        let clean = jpeg(&[], &[], &[]);
        // Fill bytes before a marker are dropped.
        let mut filled = clean.clone();
        let dqt = filled
            .windows(2)
            .position(|w| w == [0xFF, 0xDB])
            .expect("dqt");
        filled.splice(dqt..dqt, [0xFF, 0xFF]);
        assert_eq!(&strip_metadata(&filled).expect("fill")[..], &clean[..]);
        // Cut inside the last scan: kept as it is.
        let cut = &clean[..clean.len() - 3];
        assert_eq!(&strip_metadata(cut).expect("cut")[..], cut);
        // A segment running past the end, bytes between segments, no start marker: refused.
        let mut long = clean[..6].to_vec();
        long[4..6].copy_from_slice(&[0x7F, 0xFF]);
        assert!(strip_metadata(&long).is_err());
        let mut junk = clean[..2].to_vec();
        junk.extend_from_slice(b"junk");
        junk.extend_from_slice(&clean[2..]);
        assert!(strip_metadata(&junk).is_err());
        assert!(strip_metadata(b"GIF89a").is_err());
    }
}
