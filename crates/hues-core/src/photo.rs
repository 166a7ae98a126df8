//! The photo pipeline: what a citizen's picture becomes before it is stored or sent. Decode
//! (JPEG, PNG, WebP) within limits, turn it upright by its EXIF orientation, read its EXIF
//! position and capture time, downscale to 1600 px on the long edge, re-encode as JPEG q80 with
//! no metadata at all, hash it (SHA-256), and make a thumbnail for lists.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// The rules a photo must meet.
#[derive(Debug, Clone, Copy)]
pub struct PhotoLimits {
    pub max_bytes: usize,
    pub max_pixels: u64,
    pub max_edge: u32,
    pub thumb_edge: u32,
    pub quality: u8,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_bytes: 30 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_edge: 1600,
            thumb_edge: 320,
            quality: 80,
        }
    }
}

/// Why a file was refused. The draft it was added to is untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the file is {bytes} bytes, over the {limit} byte limit")]
    TooLarge { bytes: usize, limit: usize },
    #[error("the picture is {width}×{height}, over {limit} pixels")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    /// A picture format we do not read, named (HEIC, AVIF, GIF…).
    #[error("{0} pictures are not supported; use JPEG, PNG or WebP")]
    Unsupported(&'static str),
    #[error("the file is not a picture")]
    NotAnImage,
    /// Truncated or damaged.
    #[error("the picture is damaged: {0}")]
    Corrupt(String),
}

impl PhotoError {
    /// The stable code the UI translates.
    pub fn code(&self) -> hues_wire::ErrorCode {
        use hues_wire::ErrorCode;
        match self {
            Self::TooLarge { .. } => ErrorCode::PhotoTooLarge,
            Self::TooManyPixels { .. } => ErrorCode::PhotoTooManyPixels,
            Self::Unsupported(_) => ErrorCode::PhotoUnsupported,
            Self::NotAnImage => ErrorCode::PhotoNotAnImage,
            Self::Corrupt(_) => ErrorCode::PhotoCorrupt,
        }
    }
}

/// What EXIF said about where and when the picture was taken.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoMeta {
    /// WGS84 (latitude, longitude).
    pub position: Option<(f64, f64)>,
    /// `DateTimeOriginal` as written by the camera (local time of the camera, no zone).
    pub taken_at: Option<String>,
    /// EXIF orientation 1…8 (1 = upright).
    pub orientation: u8,
}

#[derive(Debug, Clone)]
pub struct ProcessedPhoto {
    /// JPEG, at most `max_edge` on the long side, no metadata.
    pub jpeg: Vec<u8>,
    /// Lower-case hex SHA-256 of `jpeg`: the photo's content address.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub meta: PhotoMeta,
}

/// Names formats by their magic bytes, including ones we refuse.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, PhotoError> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        return Err(PhotoError::Unsupported(match brand {
            b"avif" | b"avis" => "AVIF",
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"mif1" | b"msf1" | b"heim" | b"heis" => "HEIC",
            _ => return Err(PhotoError::NotAnImage),
        }));
    }
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        Ok(ImageFormat::Gif) => Err(PhotoError::Unsupported("GIF")),
        Ok(ImageFormat::Tiff) => Err(PhotoError::Unsupported("TIFF")),
        Ok(ImageFormat::Bmp) => Err(PhotoError::Unsupported("BMP")),
        Ok(ImageFormat::Avif) => Err(PhotoError::Unsupported("AVIF")),
        Ok(_) => Err(PhotoError::Unsupported("this")),
        Err(_) => Err(PhotoError::NotAnImage),
    }
}

/// Reads EXIF position, capture time and orientation; a picture without EXIF has none.
pub fn read_meta(bytes: &[u8]) -> PhotoMeta {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return PhotoMeta {
            orientation: 1,
            ..Default::default()
        };
    };
    let field = |tag| exif.get_field(tag, exif::In::PRIMARY);
    let orientation = field(exif::Tag::Orientation)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| (1..=8).contains(v))
        .unwrap_or(1);
    let degrees = |tag, reference, negative: &[u8]| -> Option<f64> {
        let exif::Value::Rational(parts) = &field(tag)?.value else {
            return None;
        };
        let [d, m, s] = parts.as_slice() else {
            return None;
        };
        let value = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
        let sign = match &field(reference)?.value {
            exif::Value::Ascii(v)
                if v.first()
                    .is_some_and(|r| r.first().is_some_and(|c| negative.contains(c))) =>
            {
                -1.0
            }
            _ => 1.0,
        };
        Some(sign * value).filter(|v| v.is_finite())
    };
    let lat = degrees(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, b"Ss");
    let lon = degrees(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, b"Ww");
    let position = match (lat, lon) {
        (Some(lat), Some(lon))
            if hues_wire::validate::check_latitude(lat).is_ok()
                && hues_wire::validate::check_longitude(lon).is_ok()
                && !(lat == 0.0 && lon == 0.0) =>
        {
            Some((lat, lon))
        }
        _ => None,
    };
    let taken_at = field(exif::Tag::DateTimeOriginal).and_then(|f| match &f.value {
        exif::Value::Ascii(v) => v
            .first()
            .map(|s| String::from_utf8_lossy(s).trim().to_owned()),
        _ => None,
    });
    PhotoMeta {
        position,
        taken_at,
        orientation,
    }
}

fn fit(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= edge {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(edge) / f64::from(long);
    let w = (f64::from(width) * scale).round().max(1.0) as u32;
    let h = (f64::from(height) * scale).round().max(1.0) as u32;
    (w, h)
}

fn resize_rgb(
    rgb: &[u8],
    width: u32,
    height: u32,
    edge: u32,
) -> Result<(Vec<u8>, u32, u32), PhotoError> {
    let (tw, th) = fit(width, height, edge);
    if (tw, th) == (width, height) {
        return Ok((rgb.to_vec(), width, height));
    }
    let src = fr::images::ImageRef::new(width, height, rgb, fr::PixelType::U8x3)
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    let mut dst = fr::images::Image::new(tw, th, fr::PixelType::U8x3);
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    fr::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    Ok((dst.into_vec(), tw, th))
}

fn encode_jpeg(rgb: &[u8], width: u32, height: u32, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let (w, h) = (
        u16::try_from(width).map_err(|_| PhotoError::Corrupt("too wide".into()))?,
        u16::try_from(height).map_err(|_| PhotoError::Corrupt("too tall".into()))?,
    );
    let mut out = Vec::with_capacity(rgb.len() / 8);
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    Ok(out)
}

/// Runs the whole pipeline on the bytes of one file.
pub fn process(bytes: &[u8], limits: &PhotoLimits) -> Result<ProcessedPhoto, PhotoError> {
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    // Refuse before decoding: a decompression bomb never gets its pixels allocated.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = Limits::default();
    decode_limits.max_alloc = Some(limits.max_pixels * 4 + 64 * 1024 * 1024);
    reader.limits(decode_limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        },
        other => PhotoError::Corrupt(other.to_string()),
    })?;
    img.apply_orientation(orientation);
    let meta = read_meta(bytes);
    let rgb = img.into_rgb8();
    let (w, h) = rgb.dimensions();
    let (pixels, w, h) = resize_rgb(rgb.as_raw(), w, h, limits.max_edge)?;
    let jpeg = encode_jpeg(&pixels, w, h, limits.quality)?;
    let (thumb, tw, th) = resize_rgb(&pixels, w, h, limits.thumb_edge)?;
    let thumbnail = encode_jpeg(&thumb, tw, th, 70)?;
    let sha256 = hex::encode(Sha256::digest(&jpeg));
    Ok(ProcessedPhoto {
        jpeg,
        sha256,
        width: w,
        height: h,
        thumbnail,
        meta,
    })
}

/// Test and benchmark material: JPEGs with chosen EXIF, built by hand (no fixture needed).
pub mod testdata {
    /// A smooth, photo-like RGB picture (gradients and a little texture).
    pub fn rgb(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for x in 0..width {
                let t = ((x * 7 + y * 13) % 17) as u8;
                out.push(((x * 255) / width.max(1)) as u8 ^ t);
                out.push(((y * 255) / height.max(1)) as u8);
                out.push((((x + y) * 128) / (width + height).max(1)) as u8 + t);
            }
        }
        out
    }

    /// A JPEG of `width`×`height` whose left half is red and right half blue (to see rotation),
    /// with an EXIF block carrying `orientation` and, if given, a GPS position.
    pub fn jpeg_with_exif(
        width: u16,
        height: u16,
        orientation: u16,
        gps: Option<(f64, f64)>,
    ) -> Vec<u8> {
        let mut pixels = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
        for _y in 0..height {
            for x in 0..width {
                if x < width / 2 {
                    pixels.extend_from_slice(&[220, 20, 20]);
                } else {
                    pixels.extend_from_slice(&[20, 20, 220]);
                }
            }
        }
        let mut jpeg = Vec::new();
        let _ = jpeg_encoder::Encoder::new(&mut jpeg, 90).encode(
            &pixels,
            width,
            height,
            jpeg_encoder::ColorType::Rgb,
        );
        let app1 = exif_segment(orientation, gps);
        // Insert the APP1 segment right after SOI.
        let mut out = Vec::with_capacity(jpeg.len() + app1.len());
        out.extend_from_slice(&jpeg[..2]);
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn exif_segment(orientation: u16, gps: Option<(f64, f64)>) -> Vec<u8> {
        // Little-endian TIFF: header, IFD0 (Orientation, DateTimeOriginal via ExifIFD omitted,
        // GPS pointer), GPS IFD (refs and rationals).
        let mut t: Vec<u8> = b"II*\0".to_vec();
        t.extend_from_slice(&8u32.to_le_bytes());
        let entry = |t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: u32| {
            t.extend_from_slice(&tag.to_le_bytes());
            t.extend_from_slice(&typ.to_le_bytes());
            t.extend_from_slice(&count.to_le_bytes());
            t.extend_from_slice(&value.to_le_bytes());
        };
        let ifd0_entries: u16 = if gps.is_some() { 2 } else { 1 };
        let ifd0_len = 2 + 12 * u32::from(ifd0_entries) + 4;
        let gps_ifd = 8 + ifd0_len;
        t.extend_from_slice(&ifd0_entries.to_le_bytes());
        entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
        if gps.is_some() {
            entry(&mut t, 0x8825, 4, 1, gps_ifd);
        }
        t.extend_from_slice(&0u32.to_le_bytes());
        if let Some((lat, lon)) = gps {
            let gps_len = 2 + 12 * 4 + 4;
            let lat_data = gps_ifd + gps_len;
            let lon_data = lat_data + 24;
            t.extend_from_slice(&4u16.to_le_bytes());
            let r = |c: u8| u32::from_le_bytes([c, 0, 0, 0]);
            entry(&mut t, 1, 2, 2, r(if lat < 0.0 { b'S' } else { b'N' }));
            entry(&mut t, 2, 5, 3, lat_data);
            entry(&mut t, 3, 2, 2, r(if lon < 0.0 { b'W' } else { b'E' }));
            entry(&mut t, 4, 5, 3, lon_data);
            t.extend_from_slice(&0u32.to_le_bytes());
            for v in [lat.abs(), lon.abs()] {
                let d = v.trunc();
                let m = ((v - d) * 60.0).trunc();
                let s = ((v - d) * 60.0 - m) * 60.0;
                for (num, den) in [
                    (d as u32, 1u32),
                    (m as u32, 1),
                    ((s * 10000.0).round() as u32, 10000),
                ] {
                    t.extend_from_slice(&num.to_le_bytes());
                    t.extend_from_slice(&den.to_le_bytes());
                }
            }
        }
        let mut seg = vec![0xFF, 0xE1];
        let len = (2 + 6 + t.len()) as u16;
        seg.extend_from_slice(&len.to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&t);
        seg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> PhotoLimits {
        PhotoLimits::default()
    }

    fn decode(jpeg: &[u8]) -> image::RgbImage {
        image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg)
            .expect("output decodes")
            .into_rgb8()
    }

    #[test]
    fn orientation_is_applied_and_exif_removed() {
        // Stored 40×20 with "rotate 90° clockwise to view" (6): upright it is 20×40, red on top.
        let cases = [
            (1u16, (40, 20)),
            (3, (40, 20)),
            (6, (20, 40)),
            (8, (20, 40)),
        ];
        for (orientation, (w, h)) in cases {
            let input = testdata::jpeg_with_exif(40, 20, orientation, Some((16.4698, 107.5786)));
            let out = process(&input, &limits()).expect("processed");
            assert_eq!((out.width, out.height), (w, h), "orientation {orientation}");
            let img = decode(&out.jpeg);
            let probe = |x, y| img.get_pixel(x, y).0;
            let (first, last) = match orientation {
                1 => (probe(2, 10), probe(37, 10)),
                3 => (probe(37, 10), probe(2, 10)),
                6 => (probe(10, 2), probe(10, 37)),
                _ => (probe(10, 37), probe(10, 2)),
            };
            assert!(
                first[0] > 150 && first[2] < 100,
                "red where the left half went: {orientation}"
            );
            assert!(
                last[2] > 150 && last[0] < 100,
                "blue opposite: {orientation}"
            );
            // Nothing of the metadata survives, checked on the bytes.
            assert!(!out.jpeg.windows(6).any(|w| w == b"Exif\0\0"));
            assert!(!out.jpeg.windows(2).any(|w| w == [0xFF, 0xE1]), "no APP1");
            assert!(
                exif::Reader::new()
                    .read_from_container(&mut Cursor::new(&out.jpeg))
                    .is_err()
            );
            assert_eq!(out.meta.orientation as u16, orientation);
        }
    }

    #[test]
    fn reads_gps_position() {
        let input = testdata::jpeg_with_exif(16, 16, 1, Some((16.4698, 107.5786)));
        let meta = read_meta(&input);
        let (lat, lon) = meta.position.expect("position");
        assert!(
            (lat - 16.4698).abs() < 1e-5 && (lon - 107.5786).abs() < 1e-5,
            "{lat} {lon}"
        );
        let south_west = testdata::jpeg_with_exif(16, 16, 1, Some((-33.5, -70.25)));
        assert_eq!(read_meta(&south_west).position, Some((-33.5, -70.25)));
        assert_eq!(
            read_meta(&testdata::jpeg_with_exif(16, 16, 1, None)).position,
            None
        );
    }

    #[test]
    fn downscales_to_the_long_edge_and_hashes() {
        let (w, h) = (3200u32, 1800u32);
        let mut png = Vec::new();
        image::RgbImage::from_raw(w, h, testdata::rgb(w, h))
            .expect("image")
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .expect("png");
        let out = process(&png, &limits()).expect("processed");
        assert_eq!((out.width, out.height), (1600, 900));
        assert_eq!(out.sha256, hex::encode(Sha256::digest(&out.jpeg)));
        let thumb = decode(&out.thumbnail);
        assert_eq!(thumb.dimensions(), (320, 180));
        // Small pictures are not enlarged.
        let small = testdata::jpeg_with_exif(100, 50, 1, None);
        let out = process(&small, &limits()).expect("processed");
        assert_eq!((out.width, out.height), (100, 50));
    }

    #[test]
    fn refusals_are_named() {
        let jpeg = testdata::jpeg_with_exif(64, 64, 1, None);
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec();
        let truncated = jpeg[..jpeg.len() / 2].to_vec();
        let cases: Vec<(&str, Vec<u8>, PhotoError)> = vec![
            (
                "text",
                b"hello, this is not a picture".to_vec(),
                PhotoError::NotAnImage,
            ),
            ("empty", Vec::new(), PhotoError::NotAnImage),
            ("heic", heic, PhotoError::Unsupported("HEIC")),
            ("gif", gif, PhotoError::Unsupported("GIF")),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(process(&bytes, &limits()).err(), Some(want), "{name}");
        }
        assert!(
            matches!(process(&truncated, &limits()), Err(PhotoError::Corrupt(_))),
            "truncated"
        );
        let tight = PhotoLimits {
            max_bytes: 100,
            ..limits()
        };
        assert!(matches!(
            process(&jpeg, &tight),
            Err(PhotoError::TooLarge { .. })
        ));
    }

    #[test]
    fn decompression_bomb_is_refused_before_decoding() {
        // A valid PNG header claiming 50 000 × 50 000 pixels (2.5 gigapixels), a few KB long.
        let mut png = Vec::new();
        {
            let mut enc = png_header(50_000, 50_000);
            png.append(&mut enc);
        }
        let result = process(&png, &limits());
        assert!(
            matches!(
                result,
                Err(PhotoError::TooManyPixels {
                    width: 50_000,
                    height: 50_000,
                    ..
                })
            ),
            "{result:?}"
        );
    }

    /// PNG signature and IHDR only: enough for the decoder to learn the size.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        out.extend_from_slice(&13u32.to_be_bytes());
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&ihdr);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
        // A first (tiny) IDAT, so the header is complete, then the end.
        for (kind, data) in [
            (
                &b"IDAT"[..],
                &[0x78u8, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..],
            ),
            (&b"IEND"[..], &[][..]),
        ] {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut chunk = kind.to_vec();
            chunk.extend_from_slice(data);
            out.extend_from_slice(&chunk);
            out.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
