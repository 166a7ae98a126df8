//! Places over 100,000 synthetic rows (`hues_wire::synthetic::places`), each figure beside its
//! baseline on the same data in the same run:
//! - applying the whole set as a sync (pages of 1000 as the sync engine asks, each page one transaction, with the FTS5
//!   and grid indexes) into an empty cache, beside a raw bulk insert of the same rows into a
//!   plain table in one transaction (the floor);
//! - nearest 10 (grid cells, growing box, exact sort) beside a full scan computing every distance;
//! - text search (folded FTS5 prefix query) beside a `LIKE '%…%'` scan over the same folded text.
//!
//! `cargo bench -p hues-core --bench places` (add `-- N` for another count).

use std::time::{Duration, Instant};

use chrono::Utc;
use hues_core::Store;
use hues_wire::api::{Change, SyncPage};
use hues_wire::fold::fold;
use hues_wire::geo;
use hues_wire::ipc::{PlaceQuery, Point};
use rusqlite::{Connection, params};

/// The page size the sync engine asks for.
const PAGE: usize = hues_wire::api::SYNC_MAX_LIMIT as usize;

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let places = hues_wire::synthetic::places(n, 42);
    let dir = tempfile::tempdir().expect("tempdir");

    // Sync into an empty cache.
    let store = Store::open(&dir.path().join("cache.db")).expect("store");
    let start = Instant::now();
    for (i, chunk) in places.chunks(PAGE).enumerate() {
        let page = SyncPage {
            changes: chunk.iter().cloned().map(Change::Place).collect(),
            next_cursor: i.to_string(),
            has_more: true,
            city: Default::default(),
        };
        store.apply_page("http://bench", &page).expect("apply");
    }
    let sync = start.elapsed();
    if std::env::args().any(|a| a == "--sync-only") {
        // For profiling the apply path alone.
        println!("sync of {n} places: {}", ms(sync));
        return;
    }

    // The floor: the same rows, one plain table, one transaction.
    let mut raw = Connection::open(dir.path().join("raw.db")).expect("raw");
    raw.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE places (id TEXT PRIMARY KEY, category TEXT, name_vi TEXT, name_en TEXT,
             address TEXT, latitude REAL, longitude REAL, opening_hours TEXT, folded TEXT);",
    )
    .expect("raw schema");
    let start = Instant::now();
    {
        let tx = raw.transaction().expect("tx");
        {
            let mut ins = tx
                .prepare("INSERT INTO places VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                .expect("prepare");
            for p in &places {
                ins.execute(params![
                    p.id,
                    p.category,
                    p.name_vi,
                    p.name_en,
                    p.address,
                    p.latitude,
                    p.longitude,
                    p.opening_hours,
                    {
                        let (name, address) = hues_core::places::folded_text(p);
                        format!("{name} {address}")
                    }
                ])
                .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let bulk = start.elapsed();

    // Points and words to ask about (deterministic).
    let points: Vec<Point> = (0..500)
        .map(|i| Point {
            latitude: 16.36 + (i as f64 * 0.000_37) % 0.21,
            longitude: 107.49 + (i as f64 * 0.000_53) % 0.22,
        })
        .collect();
    let now = Utc::now();
    let mut nearest = Vec::new();
    for &at in &points {
        let t = Instant::now();
        let got = store
            .search_places(
                &PlaceQuery {
                    near: Some(at),
                    limit: 10,
                    ..Default::default()
                },
                now,
            )
            .expect("nearest");
        nearest.push(t.elapsed());
        assert_eq!(got.len(), 10);
    }
    let mut naive_nearest = Vec::new();
    let mut scan = raw
        .prepare("SELECT id, latitude, longitude FROM places")
        .expect("scan");
    for &at in points.iter().take(100) {
        let t = Instant::now();
        let mut all: Vec<(String, f64)> = scan
            .query_map([], |r| {
                let (lat, lon): (f64, f64) = (r.get(1)?, r.get(2)?);
                Ok((
                    r.get(0)?,
                    geo::distance_m(at.latitude, at.longitude, lat, lon),
                ))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        all.sort_by(|a, b| a.1.total_cmp(&b.1));
        all.truncate(10);
        naive_nearest.push(t.elapsed());
    }

    let words = [
        "hoa binh",
        "dong ba",
        "NHÀ THUỐC",
        "an cuu",
        "phu hoi",
        "kim long",
        "le loi",
        "tru",
        "quán",
        "vinh ninh",
        "thuy xuan",
        "ca phe",
        "nguyen hue 12",
        "ben",
        "tay loc",
    ];
    let mut search = Vec::new();
    for _ in 0..20 {
        for w in words {
            let t = Instant::now();
            store
                .search_places(
                    &PlaceQuery {
                        text: w.into(),
                        limit: 20,
                        ..Default::default()
                    },
                    now,
                )
                .expect("search");
            search.push(t.elapsed());
        }
    }
    let mut naive_search = Vec::new();
    let mut like = raw
        .prepare("SELECT id FROM places WHERE folded LIKE ?1 LIMIT 20")
        .expect("like");
    for _ in 0..2 {
        for w in words {
            let t = Instant::now();
            let pattern = format!("%{}%", fold(w));
            let _: Vec<String> = like
                .query_map([pattern], |r| r.get(0))
                .expect("like")
                .collect::<Result<_, _>>()
                .expect("rows");
            naive_search.push(t.elapsed());
        }
    }

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("{n} places");
    println!("| figure | hues | baseline (same data, same run) | ratio | goal |");
    println!("|---|---|---|---|---|");
    println!(
        "| apply a {n}-place sync into an empty cache (pages of {PAGE}, FTS5 + grid index) | {} | raw bulk insert, one transaction: {} | ×{:.2} | ≤ 2 s |",
        ms(sync),
        ms(bulk),
        ratio(sync, bulk)
    );
    let (n95, b95) = (pct(nearest.clone(), 0.95), pct(naive_nearest.clone(), 0.95));
    println!(
        "| nearest 10, p95 ({} points; p50 {}) | {} | full scan + sort: p95 {} | ×{:.4} | ≤ 1 ms |",
        nearest.len(),
        ms(pct(nearest, 0.5)),
        ms(n95),
        ms(b95),
        ratio(n95, b95)
    );
    let (s95, l95) = (pct(search.clone(), 0.95), pct(naive_search.clone(), 0.95));
    println!(
        "| text search, p95 ({} queries; p50 {}) | {} | LIKE '%…%' scan: p95 {} | ×{:.4} | ≤ 10 ms |",
        search.len(),
        ms(pct(search, 0.5)),
        ms(s95),
        ms(l95),
        ratio(s95, l95)
    );
}
