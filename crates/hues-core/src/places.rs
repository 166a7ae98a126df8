//! Places in the device's cache: kept from sync, found by Vietnamese-aware text search and
//! nearest first, filtered by category, sights and "open now".
//!
//! Search ranks exactly, the same way a full scan would ([`Ranked`]): places whose names hold
//! every typed word (as the start of one of their words, folded) before places whose address
//! does, each group nearest first (to the citizen, or to Huế's centre before the device gives a
//! position), then by name. Rare words come from the FTS5 index (few matches, each measured);
//! common ones from a walk of the grid of 0.01° cells outwards from the origin, testing each
//! place's folded words, until enough matches lie within the walked circle.

use std::cmp::Ordering;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use hues_wire::api::Place;
use hues_wire::fold::fold;
use hues_wire::geo;
use hues_wire::ipc::{HUE_CENTRE, PlaceQuery, PlaceSuggestion, PlaceView, Point};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::CoreError;
use crate::store::Store;

mod grid;
pub use grid::Grid;
use grid::{Entry, Kinds};

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

/// Up to how many places holding a word make it rare: the index lists them and each is
/// tested; above, the grid walk (in memory) finds the nearest matches sooner. Asking the index
/// for several common words together costs more than the walk (it merges every list).
const RARE_PLACES: i64 = 400;

/// How far the grid walk goes (a box of about 66 km: the city and beyond) before measuring every
/// candidate.
const GRID_WALK_LIMIT_M: f64 = 33_000.0;

/// Grid cells per degree (0.002°, about 220 m: a few places each in a dense city, so that a
/// walk reads little more than the circle it needs).
const CELLS_PER_DEGREE: f64 = 500.0;

/// Where a walk starts: a circle of 200 m holds the nearest ten in a dense city.
const FIRST_RADIUS_M: f64 = 200.0;

fn cell(v: f64) -> i64 {
    (v * CELLS_PER_DEGREE).floor() as i64
}

/// Adds or replaces places with their search and position entries (inside the caller's
/// transaction). The search index takes them all in one statement at the end: FTS5 writes its
/// pending entries out at every statement's savepoint, so one statement per place made a
/// segment per place and cost twenty times as much.
pub fn upsert_all<'a>(
    tx: &Connection,
    places: impl IntoIterator<Item = &'a Place>,
) -> Result<(), CoreError> {
    let mut fresh: Vec<i64> = Vec::new();
    let mut pending = std::collections::HashSet::new();
    let mut forget = Vec::new();
    let mut counts = WordCounts::default();
    for p in places {
        let (name, address) = folded_text(p);
        counts.add(&name, &address, 1);
        let rowid = match insert_new(tx, p, &name, &address)? {
            Some(rowid) => rowid,
            None => {
                let (rowid, old_name, old_address): (i64, String, String) = tx
                    .prepare_cached(
                        "SELECT rowid, folded_name, folded_address FROM places WHERE id = ?1",
                    )?
                    .query_row([&p.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                counts.add(&old_name, &old_address, -1);
                if !pending.contains(&rowid) {
                    // An external-content index forgets a row by being told what it held.
                    forget.push((rowid, old_name, old_address));
                }
                update(tx, p, &name, &address)?;
                rowid
            }
        };
        if pending.insert(rowid) {
            fresh.push(rowid);
        }
    }
    if !forget.is_empty() {
        tx.prepare_cached(
            "INSERT INTO places_fts (places_fts, rowid, folded_name, folded_address)
             SELECT 'delete', value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1)",
        )?
        .execute([serde_json::to_string(&forget)?])?;
    }
    counts.write(tx)?;
    if !fresh.is_empty() {
        tx.prepare_cached(
            "INSERT INTO places_fts (rowid, folded_name, folded_address)
             SELECT rowid, folded_name, folded_address FROM places
             WHERE rowid IN (SELECT value FROM json_each(?1))",
        )?
        .execute([serde_json::to_string(&fresh)?])?;
    }
    Ok(())
}

/// The columns of a place's row that sync writes, in the order of [`with_row_params`].
const WRITTEN: &str = "id, category, name_vi, name_en, address, latitude, longitude, \
    description_vi, description_en, phone, website, opening_hours, photos, tickets, sight, \
    cell_y, cell_x, folded_name, folded_address";

fn with_row_params<T>(
    p: &Place,
    name: &str,
    address: &str,
    f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> rusqlite::Result<T>,
) -> Result<T, CoreError> {
    let photos = serde_json::to_string(&p.photos)?;
    let tickets = serde_json::to_string(&p.tickets)?;
    let (cell_y, cell_x) = (cell(p.latitude), cell(p.longitude));
    Ok(f(&[
        &p.id,
        &p.category,
        &p.name_vi,
        &p.name_en,
        &p.address,
        &p.latitude,
        &p.longitude,
        &p.description_vi,
        &p.description_en,
        &p.phone,
        &p.website,
        &p.opening_hours,
        &photos,
        &tickets,
        &p.sight,
        &cell_y,
        &cell_x,
        &name,
        &address,
    ])?)
}

/// Changes to how many places hold each word, per group (see `place_words`).
#[derive(Default)]
struct WordCounts([std::collections::HashMap<String, i64>; 2]);

impl WordCounts {
    fn add(&mut self, folded_name: &str, folded_address: &str, by: i64) {
        for (group, text) in [(Group::Name, folded_name), (Group::Address, folded_address)] {
            let counts = &mut self.0[group as usize];
            let mut seen = std::collections::HashSet::new();
            for w in text.split(' ').filter(|w| !w.is_empty()) {
                if seen.insert(w) {
                    // Most words were met before: no copy for those.
                    match counts.get_mut(w) {
                        Some(n) => *n += by,
                        None => {
                            counts.insert(w.to_owned(), by);
                        }
                    }
                }
            }
        }
    }

    fn write(self, tx: &Connection) -> Result<(), CoreError> {
        let mut add = tx.prepare_cached(
            "INSERT INTO place_words (col, word, places) VALUES (?1, ?2, ?3)
             ON CONFLICT (col, word) DO UPDATE SET places = places + ?3",
        )?;
        let mut fewer = false;
        for (group, counts) in self.0.into_iter().enumerate() {
            for (word, by) in counts {
                if by != 0 {
                    add.execute(params![group as i64, word, by])?;
                    fewer |= by < 0;
                }
            }
        }
        if fewer {
            tx.execute("DELETE FROM place_words WHERE places <= 0", [])?;
        }
        Ok(())
    }
}

/// Writes a place not seen before; its rowid, or `None` if the place is known.
fn insert_new(
    tx: &Connection,
    p: &Place,
    name: &str,
    address: &str,
) -> Result<Option<i64>, CoreError> {
    // Built once: this runs for every place of a first sync. `OR IGNORE` rather than
    // `ON CONFLICT DO NOTHING`, and no `RETURNING`: a statement that may abort halfway (a NOT
    // NULL column under the default ABORT) keeps a journal of every page it touches, and
    // `RETURNING` an ephemeral table; together a fifth of a first sync. A row that breaks a
    // constraint is not written, and the look-up of the known row that follows fails loudly.
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let values = (1..=19)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("INSERT OR IGNORE INTO places ({WRITTEN}) VALUES ({values})")
    });
    let mut stmt = tx.prepare_cached(&SQL)?;
    let inserted = with_row_params(p, name, address, |params| stmt.execute(params))?;
    Ok((inserted == 1).then(|| tx.last_insert_rowid()))
}

/// Rewrites a known place's row.
fn update(tx: &Connection, p: &Place, name: &str, address: &str) -> Result<(), CoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let set = WRITTEN
            .split(", ")
            .enumerate()
            .skip(1)
            .map(|(i, column)| format!("{} = ?{}", column.trim(), i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        format!("UPDATE places SET {set} WHERE id = ?1")
    });
    let mut stmt = tx.prepare_cached(&SQL)?;
    with_row_params(p, name, address, |params| stmt.execute(params))?;
    Ok(())
}

/// What the citizen typed, as the words a place must hold, each as the start of one of its
/// words (folded: "Đông Ba", "dong ba" and "DONG B" are the same search).
#[derive(Debug, Clone)]
pub struct Words(Vec<String>);

impl Words {
    /// `None` when nothing searchable was typed (only spaces or punctuation).
    pub fn new(text: &str) -> Option<Words> {
        let words: Vec<String> = fold(text)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        (!words.is_empty()).then_some(Words(words))
    }

    /// Every word starts some word of `folded` (a text from [`folded_text`]).
    pub fn found_in(&self, folded: &str) -> bool {
        self.0
            .iter()
            .all(|w| folded.split(' ').any(|t| t.starts_with(w.as_str())))
    }

    /// Where a place with these folded names and address matches, if it does.
    pub fn group(&self, folded_name: &str, folded_address: &str) -> Option<Group> {
        if self.found_in(folded_name) {
            Some(Group::Name)
        } else if self.found_in(folded_address) {
            Some(Group::Address)
        } else {
            None
        }
    }
}

/// Which text of a place the words were found in: names rank before addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Name = 0,
    Address = 1,
}

impl Group {
    fn column(self) -> &'static str {
        match self {
            Group::Name => "folded_name",
            Group::Address => "folded_address",
        }
    }
}

/// A place as search ranks it: group, then distance from the origin, then Vietnamese name,
/// then id (so that the order is total and the same on every run).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub group: Group,
    pub distance_m: f64,
    pub name_vi: String,
    pub id: String,
    pub rowid: i64,
}

impl Ranked {
    pub fn rank_cmp(&self, other: &Ranked) -> Ordering {
        self.group
            .cmp(&other.group)
            .then(self.distance_m.total_cmp(&other.distance_m))
            .then_with(|| self.name_vi.cmp(&other.name_vi))
            .then_with(|| self.id.cmp(&other.id))
    }
}

/// Sorts by rank and keeps the first `limit`.
pub fn best(mut v: Vec<Ranked>, limit: usize) -> Vec<Ranked> {
    v.sort_by(Ranked::rank_cmp);
    v.truncate(limit);
    v
}

/// What a walk keeps: every place, or the places whose text matches in one group.
#[derive(Clone, Copy)]
enum Want<'a> {
    Any,
    /// The words, their [`grid::word_bits`], and the group.
    In(&'a Words, u64, Group),
}

/// A wanted place before its name is read.
struct Hit {
    group: Group,
    distance_m: f64,
    rowid: i64,
}

/// Tests one place of the grid (as [`Words::group`] would, its bits first).
fn hit(e: &Entry, at: Point, want: Want<'_>, kinds: &Kinds) -> Option<Hit> {
    if !kinds.keeps(e) {
        return None;
    }
    let group = match want {
        Want::Any => Group::Name,
        Want::In(words, bits, group) => {
            let in_name = || e.name_bits & bits == bits && words.found_in(&e.folded_name);
            let found = match group {
                Group::Name => in_name(),
                Group::Address => {
                    e.address_bits & bits == bits && words.found_in(&e.folded_address) && !in_name()
                }
            };
            if !found {
                return None;
            }
            group
        }
    };
    Some(Hit {
        group,
        distance_m: geo::distance_m(at.latitude, at.longitude, e.latitude, e.longitude),
        rowid: e.rowid,
    })
}

/// The `limit` best of the hits. Names only break ties of distance, so they are read for the
/// nearest `limit` and whatever ties with the last of them, not for every hit.
fn best_hits(
    conn: &Connection,
    mut hits: Vec<Hit>,
    limit: usize,
) -> Result<Vec<Ranked>, CoreError> {
    let key = |h: &Hit| (h.group, h.distance_m);
    hits.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then(a.distance_m.total_cmp(&b.distance_m))
    });
    if let Some(last) = hits.get(limit.saturating_sub(1)).map(key) {
        let keep = limit + hits[limit..].iter().take_while(|h| key(h) == last).count();
        hits.truncate(keep);
    }
    let mut names = conn.prepare_cached("SELECT name_vi, id FROM places WHERE rowid = ?1")?;
    let ranked = hits
        .into_iter()
        .map(|h| {
            let (name_vi, id) = names.query_row([h.rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(Ranked {
                group: h.group,
                distance_m: h.distance_m,
                name_vi,
                id,
                rowid: h.rowid,
            })
        })
        .collect::<Result<Vec<_>, CoreError>>()?;
    Ok(best(ranked, limit))
}

/// The `limit` best wanted places by distance from `at` (optionally of some categories): the
/// grid is read outwards, each cell once, in boxes that grow until the circle they hold has
/// enough (the next radius guessed from the density seen so far), then ranked exactly.
fn walk(
    conn: &Connection,
    grid: &Grid,
    at: Point,
    kinds: &Kinds,
    want: Want<'_>,
    limit: usize,
) -> Result<Vec<Ranked>, CoreError> {
    let mut found: Vec<Hit> = Vec::new();
    let mut read: Option<(i64, i64, i64, i64)> = None;
    let mut radius = FIRST_RADIUS_M;
    loop {
        if radius > GRID_WALK_LIMIT_M {
            // Not enough within the city's reach (a rare kind, or few places at all): rank
            // every candidate.
            let found = grid
                .all()
                .iter()
                .filter_map(|e| hit(e, at, want, kinds))
                .collect();
            return best_hits(conn, found, limit);
        }
        let (a, b, c, d) = geo::bounding_box(at.latitude, at.longitude, radius);
        let (y0, y1) = (cell(a.max(-90.0)), cell(b.min(90.0)));
        let (x0, x1) = (cell(c.max(-180.0)), cell(d.min(180.0)));
        for y in y0..=y1 {
            // The cells of this row not read in an earlier round.
            let runs = match read {
                Some((ry0, ry1, rx0, rx1)) if (ry0..=ry1).contains(&y) => {
                    [(x0, rx0 - 1), (rx1 + 1, x1)]
                }
                _ => [(x0, x1), (1, 0)],
            };
            for (from, to) in runs.into_iter().filter(|(f, t)| f <= t) {
                found.extend(
                    grid.run(y, from, to)
                        .iter()
                        .filter_map(|e| hit(e, at, want, kinds)),
                );
            }
        }
        read = Some((y0, y1, x0, x1));
        // Only places inside the circle are surely nearer than any outside the box.
        let inside = found.iter().filter(|p| p.distance_m <= radius).count();
        if inside >= limit {
            return best_hits(conn, found, limit);
        }
        // Matches grow with the area: aim for enough with a margin, at most 4 times as far.
        radius *= if inside == 0 {
            4.0
        } else {
            (1.3 * (limit as f64 / inside as f64).sqrt()).clamp(1.25, 4.0)
        };
    }
}

/// The places whose text matches in `group`, found through the FTS5 index by the rarest word
/// (then tested against every word); `None` if they are more than [`RARE_PLACES`].
fn rare_matches(
    conn: &Connection,
    grid: &Grid,
    at: Point,
    kinds: &Kinds,
    words: &Words,
    group: Group,
    rarest: &str,
) -> Result<Option<Vec<Hit>>, CoreError> {
    let rowids: Vec<i64> = conn
        .prepare_cached("SELECT rowid FROM places_fts WHERE places_fts MATCH ?1 LIMIT ?2")?
        .query_map(
            params![
                format!("{} : (\"{rarest}\"*)", group.column()),
                RARE_PLACES + 1
            ],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    if rowids.len() as i64 > RARE_PLACES {
        return Ok(None);
    }
    // The index only proposes: the same rule as the walk decides.
    Ok(Some(
        rowids
            .into_iter()
            .filter_map(|rowid| grid.get(rowid))
            .filter_map(|e| hit(e, at, Want::In(words, grid::word_bits(words), group), kinds))
            .collect(),
    ))
}

/// The `limit` best matches of the words: names first, then addresses, each nearest to `at`.
/// How many places hold each word ([`count_words`]) decides the way: none, and the group is
/// empty; few for the rarest word, and the index lists them; many, and the grid walk meets
/// enough of them soon.
pub fn search_text(
    conn: &Connection,
    grid: &Grid,
    words: &Words,
    at: Point,
    categories: &[String],
    limit: usize,
) -> Result<Vec<Ranked>, CoreError> {
    let kinds = grid.kinds(categories);
    let mut ranked: Vec<Ranked> = Vec::with_capacity(limit);
    let mut places_with = conn.prepare_cached(
        "SELECT coalesce(sum(places), 0) FROM place_words
         WHERE col = ?1 AND word >= ?2 AND word < ?2 || char(1114111)",
    )?;
    for group in [Group::Name, Group::Address] {
        let need = limit - ranked.len();
        if need == 0 {
            break;
        }
        let mut counts: Vec<(i64, &String)> = words
            .0
            .iter()
            .map(|w| {
                Ok((
                    places_with.query_row(params![group as i64, w], |r| r.get(0))?,
                    w,
                ))
            })
            .collect::<Result<_, CoreError>>()?;
        counts.sort();
        let listed = match counts.first() {
            None | Some((0, _)) => Some(Vec::new()),
            Some((n, w)) if *n <= RARE_PLACES => {
                rare_matches(conn, grid, at, &kinds, words, group, w)?
            }
            Some(_) => None,
        };
        let found = match listed {
            Some(hits) => best_hits(conn, hits, need)?,
            None => {
                let want = Want::In(words, grid::word_bits(words), group);
                walk(conn, grid, at, &kinds, want, need)?
            }
        };
        ranked.extend(found);
    }
    Ok(ranked)
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

/// The `limit` places nearest to a point (optionally of some categories), with their distance.
pub fn nearest(
    conn: &Connection,
    grid: &Grid,
    at: Point,
    categories: &[String],
    limit: usize,
) -> Result<Vec<(Place, f64)>, CoreError> {
    let found = walk(conn, grid, at, &grid.kinds(categories), Want::Any, limit)?;
    let places = by_rowid(conn, found.iter().map(|p| p.rowid))?;
    Ok(places
        .into_iter()
        .zip(found)
        .map(|(p, r)| (p, r.distance_m))
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
    /// The places' grid in memory, built if sync changed places since it was last built.
    fn place_grid(&self, conn: &Connection) -> Result<std::sync::Arc<Grid>, CoreError> {
        self.derived().get_or_build(|| Grid::build(conn))
    }

    /// Places for the places screen (see [`PlaceQuery`]), as cards at `now`.
    pub fn search_places(
        &self,
        q: &PlaceQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<PlaceView>, CoreError> {
        let limit = q.limit.clamp(1, 500) as usize;
        let conn = self.conn()?;
        // "Open now" and "sights" filter after the index: ask for more so enough remain.
        let fetch = if q.open_now || q.sights_only {
            limit * 20
        } else {
            limit
        };
        let places: Vec<Place> = if let Some(words) = Words::new(&q.text) {
            let origin = q.near.unwrap_or(Point {
                latitude: HUE_CENTRE.0,
                longitude: HUE_CENTRE.1,
            });
            let grid = self.place_grid(&conn)?;
            let found = search_text(&conn, &grid, &words, origin, &q.categories, fetch)?;
            by_rowid(&conn, found.into_iter().map(|p| p.rowid))?
        } else if let Some(at) = q.near {
            let grid = self.place_grid(&conn)?;
            nearest(&conn, &grid, at, &q.categories, fetch)?
                .into_iter()
                .map(|(p, _)| p)
                .collect()
        } else {
            let category = serde_json::to_string(&q.categories)?;
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
        let grid = self.place_grid(&conn)?;
        let nearest = nearest(&conn, &grid, at, &[], 1)?;
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
    fn places_synced_before_the_folded_columns_stay_searchable() {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::store::migrations()
            .to_version(&mut conn, 17)
            .expect("up to 0017");
        conn.execute_batch(
            "INSERT INTO places (id, category, name_vi, name_en, address, latitude, longitude,
                cell_y, cell_x)
             VALUES ('dong-ba', 'market', 'Chợ Đông Ba', 'Dong Ba Market', '2 Trần Hưng Đạo',
                16.4726, 107.5884, 1647, 10758);
             INSERT INTO places_fts (rowid, name, address)
             SELECT rowid, 'cho dong ba dong ba market', '2 tran hung dao' FROM places;",
        )
        .expect("a place as 0017 kept it");
        crate::store::migrations()
            .to_latest(&mut conn)
            .expect("to latest");
        let (cell_y, cell_x): (i64, i64) = conn
            .query_row("SELECT cell_y, cell_x FROM places", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("cells");
        assert_eq!((cell_y, cell_x), (cell(16.4726), cell(107.5884)));
        let grid = Grid::build(&conn).expect("grid");
        let words = Words::new("đông ba").expect("words");
        let found = search_text(
            &conn,
            &grid,
            &words,
            Point {
                latitude: 16.47,
                longitude: 107.59,
            },
            &[],
            5,
        )
        .expect("search");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "dong-ba");
        let street = Words::new("tran hung").expect("words");
        let found = search_text(
            &conn,
            &grid,
            &street,
            Point {
                latitude: 16.47,
                longitude: 107.59,
            },
            &[],
            5,
        )
        .expect("search");
        assert_eq!(found[0].group, Group::Address);
    }

    #[test]
    fn a_renamed_place_is_found_by_its_new_name_only_even_twice_in_one_batch() {
        let (_d, s) = store_with_places();
        let now = Utc::now();
        let renamed = |name: &str| SyncPage {
            changes: vec![Change::Place(place(
                "nt-hoa", "pharmacy", name, 16.4650, 107.5900, "",
            ))],
            next_cursor: "5".into(),
            has_more: false,
            city: Default::default(),
        };
        let q = |text: &str| PlaceQuery {
            text: text.into(),
            limit: 10,
            ..Default::default()
        };
        let found = |text: &str| {
            names(&s.search_places(&q(text), now).expect("search"))
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        // A search first, so that the grid in memory is built with the old name.
        assert_eq!(found("hoa binh"), ["nt-hoa"]);
        s.apply_pages(
            "http://x",
            &[renamed("Nhà thuốc Tạm"), renamed("Nhà thuốc An Cựu")],
        )
        .expect("apply");
        assert_eq!(found("an cuu"), ["nt-hoa"]);
        assert!(found("hoa binh").is_empty(), "the old name is forgotten");
        assert!(found("tam").is_empty(), "so is the one in between");
        // The index and the word counts agree with the rows.
        let conn = s.conn().expect("conn");
        conn.execute(
            "INSERT INTO places_fts (places_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("FTS5 index matches its content");
        let counts: Vec<(String, i64)> = conn
            .prepare("SELECT word, places FROM place_words WHERE col = 0 AND word IN ('hoa', 'tam', 'cuu', 'thuoc') ORDER BY word")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(counts, [("cuu".to_owned(), 1), ("thuoc".to_owned(), 1)]);
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
