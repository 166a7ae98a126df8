//! Who gets a new case: rules of category × area (a ward or commune, or the whole city) name a
//! unit; the most specific rule wins. Each routing is an event; a case sent back and forth by
//! people twice goes to the dispatchers with its history ("no wrong door"); a case no rule
//! matches waits in the dispatchers' "unrouted" queue, never lost.

use std::sync::LazyLock;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::Fail;

/// A ward or commune with an open boundary (`data/wards-hue.geojson`, from OpenStreetMap).
struct WardArea {
    code: String,
    /// Outer rings and holes of each polygon, as (latitude, longitude).
    polygons: Vec<Vec<Vec<(f64, f64)>>>,
    /// (south, north, west, east).
    bbox: (f64, f64, f64, f64),
}

static WARDS: LazyLock<Vec<WardArea>> =
    LazyLock::new(|| parse_wards(include_str!("../data/wards-hue.geojson")).unwrap_or_default());

fn parse_wards(geojson: &str) -> Option<Vec<WardArea>> {
    let doc: serde_json::Value = serde_json::from_str(geojson).ok()?;
    let mut out = Vec::new();
    for f in doc["features"].as_array()? {
        let code = f["properties"]["code"].as_str()?.to_owned();
        let mut polygons = Vec::new();
        let mut bbox = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for poly in f["geometry"]["coordinates"].as_array()? {
            let mut rings = Vec::new();
            for ring in poly.as_array()? {
                let mut points = Vec::new();
                for p in ring.as_array()? {
                    let (lon, lat) = (p[0].as_f64()?, p[1].as_f64()?);
                    bbox = (
                        bbox.0.min(lat),
                        bbox.1.max(lat),
                        bbox.2.min(lon),
                        bbox.3.max(lon),
                    );
                    points.push((lat, lon));
                }
                rings.push(points);
            }
            polygons.push(rings);
        }
        out.push(WardArea {
            code,
            polygons,
            bbox,
        });
    }
    Some(out)
}

/// The official code of the ward or commune a point lies in, among those with a boundary.
pub fn ward_at(lat: f64, lon: f64) -> Option<&'static str> {
    WARDS
        .iter()
        .filter(|w| lat >= w.bbox.0 && lat <= w.bbox.1 && lon >= w.bbox.2 && lon <= w.bbox.3)
        .find(|w| {
            w.polygons.iter().any(|rings| {
                let mut rings = rings.iter();
                rings
                    .next()
                    .is_some_and(|outer| hues_wire::alerts::in_polygon(outer, (lat, lon)))
                    && !rings.any(|hole| hues_wire::alerts::in_polygon(hole, (lat, lon)))
            })
        })
        .map(|w| w.code.as_str())
}

/// The outer ring of a ward's (largest) boundary polygon, as (latitude, longitude), closed;
/// `None` for a ward without a boundary.
pub fn ward_outline(code: &str) -> Option<Vec<(f64, f64)>> {
    WARDS
        .iter()
        .find(|w| w.code == code)?
        .polygons
        .iter()
        .filter_map(|rings| rings.first())
        .max_by_key(|ring| ring.len())
        .cloned()
}

/// How many wards have a boundary (for the README's and the tests' figures).
pub fn wards_with_boundaries() -> usize {
    WARDS.len()
}

/// A routing rule: `category` (None: any) in `ward_code` (None: the whole city) → `unit_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub category: Option<String>,
    pub ward_code: Option<String>,
    pub unit_id: String,
}

pub fn add_rule(conn: &Connection, rule: &Rule) -> Result<i64, Fail> {
    let position: i64 = conn.query_row(
        "SELECT coalesce(max(position), 0) + 1 FROM routing_rules",
        [],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO routing_rules (category, ward_code, unit_id, position) VALUES (?1, ?2, ?3, ?4)",
        params![rule.category, rule.ward_code, rule.unit_id, position],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The rule for a case: a category's rule before an any-category one, a ward's before the
/// whole city's, then the order they were made in.
pub fn matching_rule(
    conn: &Connection,
    category: &str,
    ward: Option<&str>,
) -> Result<Option<(i64, String)>, Fail> {
    Ok(conn
        .prepare_cached(
            "SELECT id, unit_id FROM routing_rules
             WHERE (category = ?1 OR category IS NULL) AND (ward_code = ?2 OR ward_code IS NULL)
             ORDER BY category IS NULL, ward_code IS NULL, position LIMIT 1",
        )?
        .query_row(params![category, ward], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Routes a new case (in the caller's transaction): its ward from its position, then the
/// matching rule's unit, or none (the dispatchers' queue). Recorded as an event either way.
pub fn route_new(
    tx: &Connection,
    report: &str,
    category: &str,
    lat: f64,
    lon: f64,
    now: &str,
) -> Result<Option<String>, Fail> {
    let ward = ward_at(lat, lon);
    let rule = matching_rule(tx, category, ward)?;
    let unit = rule.as_ref().map(|(_, u)| u.clone());
    tx.prepare_cached("UPDATE reports SET ward_code = ?2, unit_id = ?3 WHERE id = ?1")?
        .execute(params![report, ward, unit])?;
    tx.prepare_cached(
        "INSERT INTO routing_events (report_id, at, from_unit, to_unit, rule_id, staff_id, reason)
         VALUES (?1, ?2, NULL, ?3, ?4, NULL, ?5)",
    )?
    .execute(params![
        report,
        now,
        unit,
        rule.as_ref().map(|(id, _)| *id),
        if rule.is_some() { "rule" } else { "no rule" }
    ])?;
    Ok(unit)
}

/// One routing of a case, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutingEvent {
    pub at: String,
    pub from_unit: Option<String>,
    pub to_unit: Option<String>,
    pub by: Option<String>,
    pub reason: String,
}

pub fn history(conn: &Connection, report: &str) -> Result<Vec<RoutingEvent>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, e.from_unit, e.to_unit, s.username, e.reason
         FROM routing_events e LEFT JOIN staff s ON s.id = e.staff_id
         WHERE e.report_id = ?1 ORDER BY e.id",
    )?;
    let rows = stmt.query_map([report], |r| {
        Ok(RoutingEvent {
            at: r.get(0)?,
            from_unit: r.get(1)?,
            to_unit: r.get(2)?,
            by: r.get(3)?,
            reason: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A case sent on by people this many times goes to the dispatchers instead.
pub const BOUNCES_TO_DISPATCH: i64 = 2;

/// Sends a case to another unit (`None`: the dispatchers) with a reason; the second time people
/// send it on, it goes to the dispatchers whatever was asked. Returns where it went. The caller
/// touches the report in the sync feed, so that live queues see it.
pub fn reroute(
    conn: &Connection,
    report: &str,
    to: Option<&str>,
    staff_id: &str,
    reason: &str,
    now: &str,
) -> Result<Option<String>, Fail> {
    let from: Option<String> = conn
        .query_row("SELECT unit_id FROM reports WHERE id = ?1", [report], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| Fail::not_found("report"))?;
    let bounces: i64 = conn.query_row(
        "SELECT count(*) FROM routing_events WHERE report_id = ?1 AND staff_id IS NOT NULL
            AND from_unit IS NOT NULL",
        [report],
        |r| r.get(0),
    )?;
    let to = if from.is_some() && bounces + 1 >= BOUNCES_TO_DISPATCH {
        None
    } else {
        to.map(str::to_owned)
    };
    // The new unit's people take it from here: nobody holds it, nobody's lock stays.
    conn.execute(
        "UPDATE reports SET unit_id = ?2, assignee_id = NULL WHERE id = ?1",
        params![report, to],
    )?;
    conn.execute("DELETE FROM case_locks WHERE report_id = ?1", [report])?;
    conn.execute(
        "INSERT INTO routing_events (report_id, at, from_unit, to_unit, rule_id, staff_id, reason)
         VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)",
        params![report, now, from, to, staff_id, reason],
    )?;
    Ok(to)
}

/// Huế's demo rules: services that work city-wide by category, the wards for what happens in
/// their streets, the police for security; anything else waits for the dispatchers.
pub fn demo_rules() -> Vec<Rule> {
    let city = |category: &str, unit: &str| Rule {
        category: Some(category.into()),
        ward_code: None,
        unit_id: unit.into(),
    };
    let mut rules = vec![
        city("street_light", "cty-chieu-sang"),
        city("water_supply", "cty-cap-nuoc"),
        city("trees", "cty-cay-xanh"),
        city("waste", "cty-moi-truong"),
        city("road_damage", "so-xd-giao-thong"),
        city("traffic", "so-xd-giao-thong"),
        city("security", "cong-an"),
        city("tourism", "so-du-lich"),
    ];
    // Pavements and flooding belong to the ward where they happen (where it has a boundary).
    for (code, unit) in [
        ("19789", "ubnd-thuan-hoa"),
        ("19753", "ubnd-phu-xuan"),
        ("19815", "ubnd-an-cuu"),
        ("19777", "ubnd-vy-da"),
        ("19804", "ubnd-huong-an"),
        ("19909", "ubnd-duong-no"),
        ("19930", "ubnd-my-thuong"),
        ("19900", "ubnd-thuan-an"),
        ("20014", "ubnd-hoa-chau"),
    ] {
        for category in ["encroachment", "flooding"] {
            rules.push(Rule {
                category: Some(category.into()),
                ward_code: Some(code.into()),
                unit_id: unit.into(),
            });
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::db::migrations()
            .to_latest(&mut conn)
            .expect("migrate");
        crate::staff::upsert_units(&conn, &crate::staff::demo_units()).expect("units");
        let tx = conn.transaction().expect("tx");
        for c in crate::demo::categories() {
            crate::store::upsert_category(&tx, &c).expect("category");
        }
        tx.commit().expect("commit");
        for r in demo_rules() {
            add_rule(&conn, &r).expect("rule");
        }
        conn
    }

    #[test]
    fn points_fall_in_their_wards() {
        assert_eq!(wards_with_boundaries(), 9);
        // The Imperial City is in Phú Xuân; Huế Central Hospital (16 Lê Lợi) in Thuận Hóa.
        assert_eq!(ward_at(16.4695, 107.5780), Some("19753"), "Đại Nội");
        assert_eq!(ward_at(16.4627, 107.5868), Some("19789"), "16 Lê Lợi");
        assert_eq!(ward_at(16.25, 108.05), None, "Chân Mây: no open boundary");
        assert_eq!(ward_at(21.03, 105.85), None, "Hà Nội");
    }

    #[test]
    fn the_most_specific_rule_wins_and_no_rule_means_the_dispatchers() {
        let conn = db();
        let rule =
            |c: &str, w: Option<&str>| matching_rule(&conn, c, w).expect("query").map(|(_, u)| u);
        assert_eq!(
            rule("street_light", Some("19789")).as_deref(),
            Some("cty-chieu-sang")
        );
        assert_eq!(
            rule("flooding", Some("19789")).as_deref(),
            Some("ubnd-thuan-hoa")
        );
        assert_eq!(rule("flooding", None), None, "outside the 9 wards: no rule");
        assert_eq!(rule("other", Some("19789")), None);
        add_rule(
            &conn,
            &Rule {
                category: None,
                ward_code: None,
                unit_id: "ioc".into(),
            },
        )
        .expect("catch-all");
        assert_eq!(rule("other", None).as_deref(), Some("ioc"));
        assert_eq!(
            rule("flooding", Some("19753")).as_deref(),
            Some("ubnd-phu-xuan"),
            "a category's ward rule before the catch-all"
        );
    }

    #[test]
    fn a_case_bounced_twice_goes_to_the_dispatchers_with_its_history() {
        let conn = db();
        conn.execute_batch(
            "INSERT INTO devices (id, token_hash, created_at) VALUES ('d', 'h', 'now');
             INSERT INTO reports (id, device_id, category, description, latitude, longitude,
                created_at, received_at, status) VALUES ('r', 'd', 'flooding', '', 16.4627,
                107.5868, 'now', 'now', 'received');",
        )
        .expect("report");
        let staff = crate::staff::create_staff_hashed(
            &conn,
            "x",
            "X",
            "h",
            None,
            &[(crate::staff::Role::Officer, "hue")],
            chrono::Utc::now(),
        )
        .expect("staff");
        let first = route_new(&conn, "r", "flooding", 16.4627, 107.5868, "t0").expect("route");
        assert_eq!(first.as_deref(), Some("ubnd-thuan-hoa"));
        let second =
            reroute(&conn, "r", Some("ubnd-phu-xuan"), &staff, "not ours", "t1").expect("reroute");
        assert_eq!(second.as_deref(), Some("ubnd-phu-xuan"));
        let third = reroute(
            &conn,
            "r",
            Some("ubnd-an-cuu"),
            &staff,
            "not ours either",
            "t2",
        )
        .expect("reroute");
        assert_eq!(third, None, "the second bounce: to the dispatchers");
        let h = history(&conn, "r").expect("history");
        assert_eq!(h.len(), 3);
        assert_eq!(h[0].reason, "rule");
        assert_eq!(h[2].from_unit.as_deref(), Some("ubnd-phu-xuan"));
        assert_eq!(h[2].to_unit, None);
        // From the dispatchers, a case goes where they send it.
        let fourth =
            reroute(&conn, "r", Some("ubnd-an-cuu"), &staff, "dispatch", "t3").expect("reroute");
        assert_eq!(fourth.as_deref(), Some("ubnd-an-cuu"));
    }
}
