//! The photo pipeline on a 12-megapixel JPEG, beside `vipsthumbnail` (libvips) and ImageMagick
//! `convert -resize 1600x1600 -quality 80 -strip`, on the same file in the same run.
//!
//! `cargo bench -p hues-core --bench photo` (or `./x bench`, which installs the two tools).
//! Each is run 11 times; the table shows medians. The two tools run as processes, so their
//! figures include process start; ours is shown both in-process and as a process
//! (`hues-photo`-like: this same binary re-invoked with `--one FILE`), for a fair comparison.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use hues_core::photo::{PhotoLimits, process, testdata};

const RUNS: usize = 11;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_cmd(program: &str, args: &[&str]) -> Option<Duration> {
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let ok = Command::new(program).args(args).status().ok()?.success();
        if !ok {
            return None;
        }
        times.push(start.elapsed());
    }
    Some(median(times))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--one") {
        // Child mode: process one file, write the result next to it.
        let path = &args[pos + 1];
        let bytes = std::fs::read(path).unwrap_or_default();
        match process(&bytes, &PhotoLimits::default()) {
            Ok(p) => {
                let _ = std::fs::write(format!("{path}.hues.jpg"), &p.jpeg);
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        return;
    }
    run();
}

fn run() {
    let dir = std::env::temp_dir().join("hues-photo-bench");
    let _ = std::fs::create_dir_all(&dir);
    let input = dir.join("12mp.jpg");
    let (w, h) = (4000u32, 3000u32);
    let mut jpeg = Vec::new();
    if let Some(img) = image::RgbImage::from_raw(w, h, testdata::rgb(w, h)) {
        let mut enc =
            image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 90);
        let _ = enc.encode_image(&img);
    }
    let _ = std::fs::write(&input, &jpeg);
    let input_s = input.display().to_string();
    println!("input: {w}×{h} JPEG, {:.1} MB", jpeg.len() as f64 / 1e6);

    let limits = PhotoLimits::default();
    let _ = process(&jpeg, &limits); // warm-up
    let mut ours = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = process(&jpeg, &limits);
        ours.push(start.elapsed());
        assert!(out.is_ok());
    }
    let ours = median(ours);
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let ours_proc = time_cmd(&exe, &["--one", &input_s]);
    let vips_out = dir.join("vips.jpg");
    let vips = time_cmd(
        "vipsthumbnail",
        &[
            &input_s,
            "-s",
            "1600x1600",
            "-o",
            &format!("{}[Q=80,strip]", vips_out.display()),
        ],
    );
    let im_out = dir.join("im.jpg");
    let convert = time_cmd(
        if Path::new("/usr/bin/convert").exists() {
            "/usr/bin/convert"
        } else {
            "convert"
        },
        &[
            &input_s,
            "-resize",
            "1600x1600",
            "-quality",
            "80",
            "-strip",
            &im_out.display().to_string(),
        ],
    );

    println!(
        "| pipeline, 12 MP JPEG → ≤1600 px JPEG q80, no metadata | median of {RUNS} | hues ÷ it |"
    );
    println!("|---|---|---|");
    println!(
        "| hues (in process: decode, orient, EXIF, Lanczos3, encode, SHA-256, thumbnail) | {} | 1.00 |",
        ms(ours)
    );
    if let Some(p) = ours_proc {
        println!("| hues as a process | {} | 1.00 |", ms(p));
    }
    let p = ours_proc.unwrap_or(ours);
    for (name, t) in [
        ("vipsthumbnail -s 1600x1600 [Q=80,strip]", vips),
        ("convert -resize 1600x1600 -quality 80 -strip", convert),
    ] {
        match t {
            Some(t) => println!(
                "| {name} | {} | {:.2} (process vs process) |",
                ms(t),
                p.as_secs_f64() / t.as_secs_f64()
            ),
            None => println!("| {name} | not installed | — |"),
        }
    }
}
