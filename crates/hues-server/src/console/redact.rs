//! Photo redaction: staff pixelate regions of a case's photo (faces, number plates) before it is
//! shown; the case, its public page and the reporter's app then show the redacted copy, and the
//! original stays on disk for staff only (`photo_redactions`).
//!
//! Regions are rectangles in percent of the photo (left, top, width, height), drawn on the photo
//! by `console.js` or typed, one per line, in the form's text field (the same field either way).

use std::io::Cursor;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use image::{GenericImageView, RgbImage};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use uuid::Uuid;

use super::Signed;
use super::pages::{case_page, refusal};
use crate::AppState;
use crate::error::Fail;
use crate::staff;

/// At most this many regions in one redaction.
const MAX_REGIONS: usize = 20;

/// A rectangle in percent of the photo's width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// Reads "left top width height" per line (spaces, commas or semicolons between; a decimal comma
/// is not accepted, to keep the separators unambiguous). `None` for anything else.
pub fn parse_regions(text: &str) -> Option<Vec<Region>> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let n: Vec<f64> = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|s| !s.is_empty())
            .map(str::parse::<f64>)
            .collect::<Result<_, _>>()
            .ok()?;
        let [left, top, width, height] = n.as_slice() else {
            return None;
        };
        let r = Region {
            left: *left,
            top: *top,
            width: *width,
            height: *height,
        };
        let inside = [r.left, r.top, r.width, r.height]
            .iter()
            .all(|v| v.is_finite() && (0.0..=100.0).contains(v))
            && r.width > 0.0
            && r.height > 0.0
            && r.left + r.width <= 100.0 + 1e-9
            && r.top + r.height <= 100.0 + 1e-9;
        if !inside {
            return None;
        }
        out.push(r);
    }
    (!out.is_empty() && out.len() <= MAX_REGIONS).then_some(out)
}

/// The JPEG with each region pixelated into blocks of at least 1/6 of the region's shorter side
/// (and at least 12 px): faces and plates become unreadable, and nothing of them can be undone
/// from the result, unlike a light blur.
pub fn pixelate(jpeg: &[u8], regions: &[Region]) -> Result<Vec<u8>, image::ImageError> {
    let decoded =
        image::ImageReader::with_format(Cursor::new(jpeg), image::ImageFormat::Jpeg).decode()?;
    let (w, h) = decoded.dimensions();
    let mut img: RgbImage = decoded.to_rgb8();
    for r in regions {
        let x0 = ((r.left / 100.0) * f64::from(w)).floor() as u32;
        let y0 = ((r.top / 100.0) * f64::from(h)).floor() as u32;
        let x1 = (((r.left + r.width) / 100.0) * f64::from(w)).ceil() as u32;
        let y1 = (((r.top + r.height) / 100.0) * f64::from(h)).ceil() as u32;
        let (x1, y1) = (x1.min(w), y1.min(h));
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let block = ((x1 - x0).min(y1 - y0) / 6).max(12);
        let mut by = y0;
        while by < y1 {
            let mut bx = x0;
            let bh = block.min(y1 - by);
            while bx < x1 {
                let bw = block.min(x1 - bx);
                let mut sum = [0u64; 3];
                for y in by..by + bh {
                    for x in bx..bx + bw {
                        let p = img.get_pixel(x, y).0;
                        for (s, v) in sum.iter_mut().zip(p) {
                            *s += u64::from(v);
                        }
                    }
                }
                let n = u64::from(bw) * u64::from(bh);
                let mean = image::Rgb(sum.map(|s| (s / n) as u8));
                for y in by..by + bh {
                    for x in bx..bx + bw {
                        img.put_pixel(x, y, mean);
                    }
                }
                bx += bw;
            }
            by += bh;
        }
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img)?;
    Ok(out)
}

/// The original of a photo shown on a case (itself when it was never redacted).
pub fn original_of(conn: &Connection, report: &str, shown: &str) -> Result<String, Fail> {
    Ok(conn
        .query_row(
            "SELECT original FROM photo_redactions WHERE report_id = ?1 AND redacted = ?2",
            params![report, shown],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| shown.to_owned()))
}

/// Whether `sha` is the original of a redacted photo of the case (staff may still open it).
pub fn is_original(conn: &Connection, report: &str, sha: &str) -> Result<bool, Fail> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM photo_redactions WHERE report_id = ?1 AND original = ?2)",
        params![report, sha],
        |r| r.get(0),
    )?)
}

/// The redacted photos of a case: (shown, original).
pub fn redacted(conn: &Connection, report: &str) -> Result<Vec<(String, String)>, Fail> {
    let mut stmt = conn
        .prepare_cached("SELECT redacted, original FROM photo_redactions WHERE report_id = ?1")?;
    let rows = stmt.query_map([report], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Deserialize)]
pub struct RedactForm {
    #[serde(default)]
    regions: String,
}

pub async fn redact(
    State(state): State<AppState>,
    s: Signed,
    Path((id, sha)): Path<(Uuid, String)>,
    Form(form): Form<RedactForm>,
) -> Result<Response, Fail> {
    if let Some(res) = super::desk::held_by_other(&state, &s, id).await? {
        return Ok(res);
    }
    let tr = s.tr;
    let again = |e: &str| {
        let e = tr.t(e);
        let state = state.clone();
        let s = s.clone();
        async move {
            let mut res =
                case_page(&state, &s, id, None, Some(e), Default::default(), None).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok::<_, Fail>(res)
        }
    };
    let Some(regions) = parse_regions(&form.regions) else {
        return again("redact-regions-invalid").await;
    };
    let (rid, key) = (id.to_string(), sha.clone());
    let shown = state
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM report_photos WHERE report_id = ?1 AND sha256 = ?2)",
                params![rid, key],
                |r| r.get::<_, bool>(0),
            )?)
        })
        .await?;
    if !crate::photos::is_sha256(&sha) || !shown {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    }
    let store = state.photos.clone();
    let (name, cut) = (sha.clone(), regions.clone());
    let made = tokio::task::spawn_blocking(move || {
        store
            .read(&name)
            .map(|bytes| pixelate(&bytes, &cut).map_err(|e| e.to_string()))
    })
    .await
    .map_err(Fail::internal)?;
    let bytes = match made {
        Some(Ok(b)) => b,
        Some(Err(e)) => {
            tracing::warn!(photo = %sha, error = %e, "redacting a photo");
            return again("redact-failed").await;
        }
        None => return Ok(refusal(&s, StatusCode::NOT_FOUND)),
    };
    let new_sha = crate::photo_routes::store_staff_photo(&state, bytes).await?;
    let staff_id = s.staff.id.clone();
    let text = regions
        .iter()
        .map(|r| format!("{} {} {} {}", r.left, r.top, r.width, r.height))
        .collect::<Vec<_>>()
        .join("\n");
    state
        .db
        .write(move |conn| {
            let rid = id.to_string();
            let original = original_of(conn, &rid, &sha)?;
            let now = chrono::Utc::now();
            conn.execute(
                "UPDATE report_photos SET sha256 = ?3 WHERE report_id = ?1 AND sha256 = ?2",
                params![rid, sha, new_sha],
            )?;
            conn.execute(
                "INSERT INTO photo_redactions (report_id, original, redacted, staff_id, regions, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (report_id, original) DO UPDATE
                 SET redacted = ?3, staff_id = ?4, regions = ?5, at = ?6",
                params![rid, original, new_sha, staff_id, text, crate::db::ts(now)],
            )?;
            // The reporter's app and the public page pick the new photo up with the report.
            super::desk::touch(conn, id)?;
            staff::audit(
                conn,
                Some(&staff_id),
                "case.redact",
                &rid,
                Some(&serde_json::json!({ "photo": sha }).to_string()),
                Some(&serde_json::json!({ "photo": new_sha, "regions": text }).to_string()),
                now,
            )
        })
        .await?;
    case_page(
        &state,
        &s,
        id,
        Some(tr.t("redact-done")),
        None,
        Default::default(),
        None,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_read_in_percent_and_checked() {
        assert_eq!(
            parse_regions("10 20 30 40\n 0,0,100,100 "),
            Some(vec![
                Region {
                    left: 10.0,
                    top: 20.0,
                    width: 30.0,
                    height: 40.0
                },
                Region {
                    left: 0.0,
                    top: 0.0,
                    width: 100.0,
                    height: 100.0
                }
            ])
        );
        for bad in [
            "",
            "10 20 30",
            "80 0 30 10",
            "-1 0 5 5",
            "a b c d",
            "0 0 0 10",
            "NaN 0 1 1",
        ] {
            assert_eq!(parse_regions(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_pixelated_region_loses_its_detail_and_the_rest_stays() {
        // A 200×100 photo: a fine checkerboard (detail) everywhere.
        let img = RgbImage::from_fn(200, 100, |x, y| {
            if (x + y) % 2 == 0 {
                image::Rgb([255, 255, 255])
            } else {
                image::Rgb([0, 0, 0])
            }
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(&img)
            .expect("encode");
        let out = pixelate(
            &jpeg,
            &[Region {
                left: 0.0,
                top: 0.0,
                width: 50.0,
                height: 100.0,
            }],
        )
        .expect("pixelate");
        let back = image::load_from_memory(&out).expect("decode").to_rgb8();
        assert_eq!(back.dimensions(), (200, 100));
        // Neighbouring pixels inside the region are (near) equal; outside they still differ.
        let diff = |x: u32, y: u32| {
            let (a, b) = (back.get_pixel(x, y).0, back.get_pixel(x + 1, y).0);
            (i32::from(a[0]) - i32::from(b[0])).abs()
        };
        let inside: i32 = (20..40).map(|x| diff(x, 50)).sum();
        let outside: i32 = (140..160).map(|x| diff(x, 50)).sum();
        assert!(inside < 100, "inside {inside}");
        assert!(outside > 1000, "outside {outside}");
    }
}
