//! Places in the device's cache: kept from sync, found by Vietnamese-aware text search (FTS5 over
//! a folded column, prefix matching), nearest first (a grid of 0.01° cells on a plain index,
//! growing box, then exact distance),
//! filtered by category, sights and "open now".

use chrono::{DateTime, Utc};
use hues_wire::api::Place;
use hues_wire::fold::fold;
use hues_wire::geo;
use hues_wire::ipc::{PlaceQuery, PlaceSuggestion, PlaceView, Point};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::CoreError;
use crate::store::Store;

const COLUMNS: &str = "p.id, p.category, p.name_vi, p.name_en, p.address, p.latitude, p.longitude, \
     p.description_vi, p.description_en, p.phone, p.website, p.opening_hours, p.photos, p.tickets, p.sight";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Place> {
    let json = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    Ok(Place {
        id: r.get(0)?,
        category: r.get(1)?,
        name_vi: r.get(2)?,
        name_en: r.get(3)?,
        address: r.get(4)?,
        latitude: r.get(5)?,
        longitude: r.get(6)?,
        description_vi: r.get(7)?,
        description_en: r.get(8)?,
        phone: r.get(9)?,
        website: r.get(10)?,
        opening_hours: r.get(11)?,
        photos: serde_json::from_str(&json(12)?).unwrap_or_default(),
        tickets: serde_json::from_str(&json(13)?).unwrap_or_default(),
        sight: r.get(14)?,
    })
}

/// What the search index holds for a place: its names, and its address, folded.
pub fn folded_text(p: &Place) -> (String, String) {
    (
        fold(&format!("{} {}", p.name_vi, p.name_en)),
        fold(&p.address),
    )
}

/// How many text matches are ranked (by name first, then distance) before the best are kept:
/// enough for any screen, and a bound on the work for a one-letter query.
const MATCH_CAP: i64 = 400;

/// How far the grid walk goes (a box of about 60 grid rows) before measuring every candidate.
const GRID_WALK_LIMIT_M: f64 = 33_000.0;

/// Grid cells per degree (0.01°, about 1.1 km).
const CELLS_PER_DEGREE: f64 = 100.0;

fn cell(v: f64) -> i64 {
    (v * CELLS_PER_DEGREE).floor() as i64
}

/// Adds or replaces a place with its search and position entries (inside the caller's
/// transaction).
pub fn upsert(tx: &Connection, p: &Place) -> Result<(), CoreError> {
    let known: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM places WHERE id = ?1)")?
        .query_row([&p.id], |r| r.get(0))?;
    let rowid: i64 = tx
        .prepare_cached(
            "INSERT INTO places (id, category, name_vi, name_en, address, latitude, longitude,
                description_vi, description_en, phone, website, opening_hours, photos, tickets, sight,
                cell_y, cell_x)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT(id) DO UPDATE SET category = ?2, name_vi = ?3, name_en = ?4, address = ?5,
                latitude = ?6, longitude = ?7, description_vi = ?8, description_en = ?9, phone = ?10,
                website = ?11, opening_hours = ?12, photos = ?13, tickets = ?14, sight = ?15,
                cell_y = ?16, cell_x = ?17
             RETURNING rowid",
        )?
        .query_row(
            params![
                p.id,
                p.category,
                p.name_vi,
                p.name_en,
                p.address,
                p.latitude,
                p.longitude,
                p.description_vi,
                p.description_en,
                p.phone,
                p.website,
                p.opening_hours,
                serde_json::to_string(&p.photos)?,
                serde_json::to_string(&p.tickets)?,
                p.sight,
                cell(p.latitude),
                cell(p.longitude),
            ],
            |r| r.get(0),
        )?;
    if known {
        tx.prepare_cached("DELETE FROM places_fts WHERE rowid = ?1")?
            .execute([rowid])?;
    }
    let (name, address) = folded_text(p);
    tx.prepare_cached("INSERT INTO places_fts (rowid, name, address) VALUES (?1, ?2, ?3)")?
        .execute(params![rowid, name, address])?;
    Ok(())
}

/// The FTS5 query for what the citizen typed: every word as a prefix, all required.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn view(p: Place, near: Option<Point>, now: DateTime<Utc>) -> PlaceView {
    let state = crate::hours::state(&p.opening_hours, now);
    PlaceView {
        distance_m: near.map(|n| geo::distance_m(n.latitude, n.longitude, p.latitude, p.longitude)),
        bearing_deg: near
            .map(|n| geo::bearing_deg(n.latitude, n.longitude, p.latitude, p.longitude)),
        open: state.map(|s| s.open),
        next_change: state.and_then(|s| s.next_change),
        place: p,
    }
}

/// The `limit` places nearest to a point (optionally of some categories): grid boxes growing
/// until they hold enough, then exact distances.
pub fn nearest(
    conn: &Connection,
    at: Point,
    categories: &[String],
    limit: usize,
) -> Result<Vec<(Place, f64)>, CoreError> {
    let mut radius = 500.0;
    let category = serde_json::to_string(categories)?;
    // Positions only while searching, one grid row at a time (an exact range on the index);
    // whole rows for the winners.
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, latitude, longitude FROM places
         WHERE cell_y = ?1 AND cell_x BETWEEN ?2 AND ?3
           AND (?4 = '[]' OR category IN (SELECT value FROM json_each(?4)))",
    )?;
    let distance_of = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(i64, f64)> {
        let (lat, lon): (f64, f64) = (r.get(1)?, r.get(2)?);
        Ok((
            r.get::<_, i64>(0)?,
            geo::distance_m(at.latitude, at.longitude, lat, lon),
        ))
    };
    let mut found = loop {
        if radius > GRID_WALK_LIMIT_M {
            // Not enough within the city's reach (a rare kind, or few places at all): measure
            // every candidate, which is then a short list (the category index) or a small cache.
            let mut all = conn.prepare_cached(
                "SELECT rowid, latitude, longitude FROM places
                 WHERE ?1 = '[]' OR category IN (SELECT value FROM json_each(?1))",
            )?;
            break all
                .query_map([&category], distance_of)?
                .collect::<Result<Vec<_>, _>>()?;
        }
        let (a, b, c, d) = geo::bounding_box(at.latitude, at.longitude, radius);
        let (y0, y1) = (cell(a.max(-90.0)), cell(b.min(90.0)));
        let (x0, x1) = (cell(c.max(-180.0)), cell(d.min(180.0)));
        let mut found: Vec<(i64, f64)> = Vec::new();
        for y in y0..=y1 {
            for r in stmt.query_map(params![y, x0, x1, &category], distance_of)? {
                found.push(r?);
            }
        }
        // Only places inside the circle are surely nearer than any outside the box.
        let inside = found.iter().filter(|(_, d)| *d <= radius).count();
        if inside >= limit {
            break found;
        }
        radius *= 4.0;
    };
    found.sort_by(|x, y| x.1.total_cmp(&y.1));
    found.truncate(limit);
    let places = by_rowid(conn, found.iter().map(|(rowid, _)| *rowid))?;
    Ok(places
        .into_iter()
        .zip(found)
        .map(|(p, (_, d))| (p, d))
        .collect())
}

/// Whole rows for the chosen places, in the given order.
fn by_rowid(
    conn: &Connection,
    rowids: impl IntoIterator<Item = i64>,
) -> Result<Vec<Place>, CoreError> {
    let mut one = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM places p WHERE p.rowid = ?1"
    ))?;
    rowids
        .into_iter()
        .map(|rowid| Ok(one.query_row([rowid], row)?))
        .collect()
}

impl Store {
    /// Places for the places screen (see [`PlaceQuery`]), as cards at `now`.
    pub fn search_places(
        &self,
        q: &PlaceQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<PlaceView>, CoreError> {
        let limit = q.limit.clamp(1, 500) as usize;
        let conn = self.conn()?;
        let category = serde_json::to_string(&q.categories)?;
        // "Open now" and "sights" filter after the index: ask for more so enough remain.
        let fetch = if q.open_now || q.sights_only {
            limit * 20
        } else {
            limit
        };
        let places: Vec<Place> = if let Some(fts) = fts_query(&q.text) {
            // Matches in names first, then in addresses; each group nearest first (or by
            // name), without asking FTS5 to rank every match (bm25 over thousands of rows for a
            // short prefix was the slow part).
            let mut stmt = conn.prepare_cached(
                "SELECT f.rowid, p.latitude, p.longitude, p.name_vi
                 FROM places_fts f JOIN places p ON p.rowid = f.rowid
                 WHERE places_fts MATCH ?1
                   AND (?2 = '[]' OR p.category IN (SELECT value FROM json_each(?2)))
                 LIMIT ?3",
            )?;
            let mut found: Vec<(u8, f64, String, i64)> = Vec::new();
            for (group, column) in [(0u8, "name"), (1, "address")] {
                let room = MATCH_CAP - found.len() as i64;
                if room <= 0 {
                    break;
                }
                let rows: Vec<(i64, f64, f64, String)> = stmt
                    .query_map(
                        params![format!("{column} : ({fts})"), category, room],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )?
                    .collect::<Result<_, _>>()?;
                for (rowid, lat, lon, name) in rows {
                    if found.iter().any(|f| f.3 == rowid) {
                        continue;
                    }
                    let d = q
                        .near
                        .map_or(0.0, |n| geo::distance_m(n.latitude, n.longitude, lat, lon));
                    found.push((group, d, name, rowid));
                }
            }
            found.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then_with(|| a.2.cmp(&b.2))
            });
            found.truncate(fetch);
            by_rowid(&conn, found.into_iter().map(|(_, _, _, rowid)| rowid))?
        } else if let Some(at) = q.near {
            nearest(&conn, at, &q.categories, fetch)?
                .into_iter()
                .map(|(p, _)| p)
                .collect()
        } else {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM places p
                 WHERE (?1 = '[]' OR p.category IN (SELECT value FROM json_each(?1)))
                 ORDER BY p.name_vi LIMIT ?2"
            ))?;
            stmt.query_map(params![category, fetch as i64], row)?
                .collect::<Result<_, _>>()?
        };
        drop(conn);
        let mut views: Vec<PlaceView> = places
            .into_iter()
            .filter(|p| !q.sights_only || p.sight)
            .map(|p| view(p, q.near, now))
            .filter(|v| !q.open_now || v.open == Some(true))
            .collect();
        views.truncate(limit);
        Ok(views)
    }

    /// One place as a card.
    pub fn place(
        &self,
        id: &str,
        near: Option<Point>,
        now: DateTime<Utc>,
    ) -> Result<Option<PlaceView>, CoreError> {
        let conn = self.conn()?;
        let p = conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM places p WHERE p.id = ?1"))?
            .query_row([id], row)
            .optional()?;
        Ok(p.map(|p| view(p, near, now)))
    }
}

impl Store {
    /// The known place nearest to a point within `SUGGEST_PLACE_WITHIN_M`, if any: a bounding
    /// box on the index, then the exact distance.
    pub fn suggest_address(
        &self,
        at: Point,
        lang: &str,
    ) -> Result<Option<PlaceSuggestion>, CoreError> {
        let within = hues_wire::ipc::SUGGEST_PLACE_WITHIN_M;
        let conn = self.conn()?;
        let nearest = nearest(&conn, at, &[], 1)?;
        Ok(nearest
            .into_iter()
            .filter(|(_, d)| *d <= within)
            .map(|(p, distance_m)| PlaceSuggestion {
                name: if lang == "en" { p.name_en } else { p.name_vi },
                address: p.address,
                distance_m,
            })
            .next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use hues_wire::api::{Change, SyncPage};

    fn place(id: &str, category: &str, name: &str, lat: f64, lon: f64, hours: &str) -> Place {
        Place {
            id: id.into(),
            category: category.into(),
            name_vi: name.into(),
            name_en: format!("{name} (en)"),
            address: "Huế".into(),
            latitude: lat,
            longitude: lon,
            description_vi: String::new(),
            description_en: String::new(),
            phone: String::new(),
            website: String::new(),
            opening_hours: hours.into(),
            photos: Vec::new(),
            tickets: Vec::new(),
            sight: category == "heritage_site",
        }
    }

    fn store_with_places() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::open(&dir.path().join("c.db")).expect("open");
        let page = SyncPage {
            changes: vec![
                Change::Place(place(
                    "dai-noi",
                    "heritage_site",
                    "Đại Nội",
                    16.4695,
                    107.5780,
                    "Mo-Su 06:30-17:30",
                )),
                Change::Place(place(
                    "cho-dong-ba",
                    "market",
                    "Chợ Đông Ba",
                    16.4726,
                    107.5884,
                    "Mo-Su 06:00-19:00; PH off",
                )),
                Change::Place(place(
                    "thien-mu",
                    "pagoda",
                    "Chùa Thiên Mụ",
                    16.4533,
                    107.5447,
                    "",
                )),
                Change::Place(place(
                    "nt-hoa",
                    "pharmacy",
                    "Nhà thuốc Hòa Bình",
                    16.4650,
                    107.5900,
                    "Mo-Su 07:00-22:00",
                )),
            ],
            next_cursor: "4".into(),
            has_more: false,
            city: Default::default(),
        };
        s.apply_page("http://x", &page).expect("apply");
        (dir, s)
    }

    fn names(v: &[PlaceView]) -> Vec<&str> {
        v.iter().map(|p| p.place.id.as_str()).collect()
    }

    #[test]
    fn search_folds_vietnamese_and_matches_prefixes() {
        let (_d, s) = store_with_places();
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 2, 0, 0)
            .single()
            .expect("t");
        let q = |text: &str| PlaceQuery {
            text: text.into(),
            limit: 10,
            ..Default::default()
        };
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "đại nội".nfd().collect();
        for text in [
            "dai noi",
            "DAI NOI",
            "đại nội",
            nfd.as_str(),
            "Đại",
            "dai no",
        ] {
            assert_eq!(
                names(&s.search_places(&q(text), now).expect("search")),
                ["dai-noi"],
                "{text:?}"
            );
        }
        assert_eq!(
            names(&s.search_places(&q("dong ba"), now).expect("s")),
            ["cho-dong-ba"]
        );
        // Old and new tone placement find the same.
        assert_eq!(
            names(&s.search_places(&q("hoà"), now).expect("s")),
            ["nt-hoa"]
        );
        assert_eq!(
            names(&s.search_places(&q("hòa"), now).expect("s")),
            ["nt-hoa"]
        );
        assert!(s.search_places(&q("xyz"), now).expect("s").is_empty());
        // Punctuation in the input is not FTS syntax.
        assert!(s.search_places(&q("\"dai* OR -"), now).is_ok());
    }

    #[test]
    fn nearest_first_open_now_and_categories() {
        let (_d, s) = store_with_places();
        // 21:00 in Huế: the market (06–19) is closed, the pharmacy (07–22) open.
        let now = hues_wire::time::vietnam_offset()
            .with_ymd_and_hms(2026, 11, 23, 21, 0, 0)
            .single()
            .expect("t")
            .with_timezone(&Utc);
        let me = Point {
            latitude: 16.4674,
            longitude: 107.5905,
        };
        let all = s
            .search_places(
                &PlaceQuery {
                    near: Some(me),
                    limit: 10,
                    ..Default::default()
                },
                now,
            )
            .expect("near");
        assert_eq!(
            names(&all),
            ["nt-hoa", "cho-dong-ba", "dai-noi", "thien-mu"]
        );
        assert!(all.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
        let market = &all[1];
        assert_eq!(market.open, Some(false));
        assert!(market.next_change.is_some(), "opens again tomorrow");
        assert_eq!(all[3].open, None, "hours unknown");
        let open = s
            .search_places(
                &PlaceQuery {
                    near: Some(me),
                    open_now: true,
                    limit: 10,
                    ..Default::default()
                },
                now,
            )
            .expect("open now");
        assert_eq!(names(&open), ["nt-hoa"]);
        let pagodas = s
            .search_places(
                &PlaceQuery {
                    categories: vec!["pagoda".into()],
                    near: Some(me),
                    limit: 10,
                    ..Default::default()
                },
                now,
            )
            .expect("category");
        assert_eq!(names(&pagodas), ["thien-mu"]);
        let one = s
            .place("cho-dong-ba", Some(me), now)
            .expect("q")
            .expect("found");
        assert!(
            one.bearing_deg
                .is_some_and(|b| !(90.0..=270.0).contains(&b)),
            "north of the bridge"
        );
    }
}
