//! Insight (issue 14) over the real router and a real SQLite file: the performance dashboard,
//! its streamed export and the public figures; the hot-issue scan on 56 days of reports (one
//! planted cluster, one device that cannot raise one), its alert continued rather than doubled,
//! the supervisors told, the incident that answers every reporter; the rising words.

mod common;

use axum::http::StatusCode;
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// (category, latitude, longitude, minutes ago, device, unit, text)
type Seed = (
    String,
    f64,
    f64,
    i64,
    Option<String>,
    Option<String>,
    String,
);

/// Reports written straight into the store, `days_ago` before now, each from its own device
/// unless `device` is given.
async fn seed(c: &Console, rows: Vec<Seed>) -> Vec<String> {
    c.db.run(move |db| {
        let tx = db.transaction()?;
        let now = chrono::Utc::now();
        let mut ids = Vec::new();
        for (category, lat, lon, minutes_ago, device, unit, text) in rows {
            let id = uuid::Uuid::now_v7().to_string();
            let device = device.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            tx.execute(
                "INSERT OR IGNORE INTO devices (id, token_hash, created_at) VALUES (?1, ?1, ?2)",
                rusqlite::params![device, hues_server::db::ts(now)],
            )?;
            let at = hues_server::db::ts(now - chrono::Duration::minutes(minutes_ago));
            tx.execute(
                "INSERT INTO reports (id, device_id, category, description, latitude, longitude,
                     created_at, received_at, status, unit_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 'received', ?8)",
                rusqlite::params![id, device, category, text, lat, lon, at, unit],
            )?;
            tx.execute(
                "INSERT INTO report_events (report_id, status, note, at) VALUES (?1, 'received', '', ?2)",
                rusqlite::params![id, at],
            )?;
            tx.execute(
                "INSERT INTO changes (kind, entity, audience) VALUES ('report', ?1, ?2)",
                rusqlite::params![id, device],
            )?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    })
    .await
    .expect("seed")
}

/// 56 days of street-light reports over ~60 cells around the citadel, ~25 a day.
fn background(rng: &mut StdRng) -> Vec<Seed> {
    let mut rows = Vec::new();
    for day in 0..56i64 {
        for _ in 0..25 {
            let (col, row) = (rng.random_range(0..8), rng.random_range(0..8));
            let lat = 16.4637 + f64::from(row) * 0.0045 + rng.random_range(0.0..0.004);
            let lon = 107.5909 + f64::from(col) * 0.0047 + rng.random_range(0.0..0.004);
            // Minutes ago: within day `day` before today, never in the future.
            let minutes = day * 1440 + rng.random_range(0..600);
            rows.push((
                "street_light".into(),
                lat,
                lon,
                minutes,
                None,
                None,
                "Đèn đường hỏng".into(),
            ));
        }
    }
    rows
}

#[tokio::test]
async fn a_cluster_becomes_one_alert_the_supervisor_is_told_and_one_reply_reaches_every_reporter() {
    let c = Console::new();
    let mut rng = StdRng::seed_from_u64(14);
    seed(&c, background(&mut rng)).await;
    // Today, 15 people report from one block in the south-east corner of the grid…
    let planted = seed(
        &c,
        (0..15)
            .map(|i| {
                (
                    "street_light".to_owned(),
                    16.4637 + 9.0 * 0.0045 + 0.001,
                    107.5909 + 9.0 * 0.0047 + 0.001 * f64::from(i % 3),
                    i64::from(i) * 3,
                    None,
                    Some("ubnd-thuan-hoa".to_owned()),
                    "Ngập nước sâu, đèn tắt cả dãy".to_owned(),
                )
            })
            .collect(),
    )
    .await;
    // …and one phone sends 15 reports from another block.
    let lone = seed(
        &c,
        (0..15)
            .map(|i| {
                (
                    "street_light".to_owned(),
                    16.4637 - 3.0 * 0.0045,
                    107.5909 - 3.0 * 0.0047,
                    i64::from(i) * 3,
                    Some("one-phone".to_owned()),
                    None,
                    "Đèn hỏng".to_owned(),
                )
            })
            .collect(),
    )
    .await;

    let dispatcher = c.sign_in("dieuphoi").await;
    let run = c.post("/console/hot/run", Some(&dispatcher), "").await;
    assert_eq!(run.status, StatusCode::SEE_OTHER, "{}", run.body);
    let page = c.get("/console/hot", &dispatcher).await;
    assert_eq!(page.status, StatusCode::OK);
    let alerts: Vec<(String, String)> =
        c.db.run(|db| {
            let mut s = db.prepare("SELECT id, tier FROM hot_alerts WHERE kind = 'cluster'")?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
        .expect("alerts");
    assert_eq!(alerts.len(), 1, "one cluster, one alert: {alerts:?}");
    let (alert, tier) = alerts[0].clone();
    assert!(tier == "warning" || tier == "hot", "{tier}");
    let linked: Vec<String> = {
        let a = alert.clone();
        c.db.run(move |db| {
            let mut s =
                db.prepare("SELECT report_id FROM hot_alert_reports WHERE alert_id = ?1")?;
            let rows = s.query_map([a], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
        .expect("linked")
    };
    let inside = planted.iter().filter(|p| linked.contains(p)).count();
    assert!(inside >= 11, "{inside} of 15 planted reports in the alert");
    assert!(
        lone.iter().all(|l| !linked.contains(l)),
        "one phone raised an alert"
    );

    // The alert, in words, with the unit responsible.
    let one = c.get(&format!("/console/hot/{alert}"), &dispatcher).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("ngẫu nhiên khoảng"), "{}", one.body);
    assert!(one.body.contains("Thuận Hóa"), "responsible unit shown");
    assert!(one.body.contains(&planted[0][..8]));

    // The unit's supervisor was told (the bell counts it).
    let boss = c.sign_in("truong.thuanhoa").await;
    let bell = c.get("/console/bell?part=count", &boss).await;
    // (The day's 30 extra reports also lift the CUSUM: a citywide surge is told too.)
    let unread: i64 = bell.body.trim().parse().expect("count");
    assert!(unread >= 1, "hot notice in the bell");
    let notices = c.get("/console/bell", &boss).await;
    assert!(notices.body.contains(&format!("/console/hot/{alert}")));

    // Run again the same day: the cluster continues its alert, no second one.
    let again = c.post("/console/hot/run", Some(&dispatcher), "").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let (count, state): (i64, String) =
        c.db.run(|db| {
            Ok(db.query_row(
                "SELECT count(*), max(state) FROM hot_alerts WHERE kind = 'cluster'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .expect("count");
    assert_eq!((count, state.as_str()), (1, "ongoing"));

    // The supervisor makes it an incident and answers every reporter once.
    let made = c
        .post(
            &format!("/console/hot/{alert}/incident"),
            Some(&boss),
            "title=M%E1%BA%A5t+%C4%91i%E1%BB%87n",
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let incident = made.location.clone();
    assert!(incident.starts_with("/console/incidents/"));
    let reply = c
        .post(
            &format!("{incident}/reply"),
            Some(&boss),
            "status=in_progress&text=%C4%90i%E1%BB%87n+l%E1%BB%B1c+%C4%91ang+s%E1%BB%ADa",
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(
        reply.location.contains(&format!("reached={inside}")),
        "{}",
        reply.location
    );
    let answered: i64 = {
        let ids = planted.clone();
        c.db.run(move |db| {
            let mut n = 0;
            for id in ids {
                n += db.query_row(
                    "SELECT count(*) FROM report_events WHERE report_id = ?1 AND note = 'Điện lực đang sửa'",
                    [id],
                    |r| r.get::<_, i64>(0),
                )?;
            }
            Ok(n)
        })
        .await
        .expect("answered")
    };
    assert_eq!(answered as usize, inside);
    // An officer of another ward cannot make incidents.
    let other = c.sign_in("canbo.phuxuan").await;
    let refused = c
        .post(&format!("/console/hot/{alert}/incident"), Some(&other), "")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The rising words link to the planted cases.
    let listen = c.get("/console/listening", &dispatcher).await;
    assert_eq!(listen.status, StatusCode::OK);
    assert!(listen.body.contains("ngap nuoc"), "{}", listen.body);
}

#[tokio::test]
async fn the_dashboard_counts_each_unit_and_the_export_streams_the_same_cases() {
    let c = Console::new();
    let mut ids = Vec::new();
    for i in 0..6 {
        let unit = if i < 4 {
            "ubnd-thuan-hoa"
        } else {
            "ubnd-phu-xuan"
        };
        ids.push(c.report(Some(unit), &format!("Đèn hỏng số {i}")).await);
    }
    let officer = c.sign_in("canbo.thuanhoa").await;
    // One acknowledged, one resolved (with its photo), one reopened after that.
    let a = c
        .post(
            &format!("/console/cases/{}/acknowledge", ids[0]),
            Some(&officer),
            "",
        )
        .await;
    assert!(
        a.status.is_success() || a.status.is_redirection(),
        "{}",
        a.status
    );
    let dispatcher = c.sign_in("dieuphoi").await;
    let dash = c.get("/console/performance", &dispatcher).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    assert!(dash.body.contains("id=\"perf-total\""));
    assert!(dash.body.contains("<svg id=\"chart-on-time\" role=\"img\""));
    // Six received in all: the total row says so.
    let total = dash
        .body
        .split("id=\"perf-total\"")
        .nth(1)
        .expect("total row");
    assert!(total.contains("<td>6</td>"), "{total}");

    // The export: a header and one line per case, and the JSON the same cases.
    let csv = c
        .get("/console/performance/export?format=csv", &dispatcher)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("case,received,unit"));
    assert_eq!(lines.len(), 7, "{}", csv.body);
    let json = c
        .get("/console/performance/export?format=json", &dispatcher)
        .await;
    let v: serde_json::Value = serde_json::from_str(&json.body).expect("json export");
    assert_eq!(v.as_array().map(Vec::len), Some(6));
    assert!(
        v.as_array()
            .expect("array")
            .iter()
            .any(|r| r["ack_on_time"] == true)
    );

    // A unit supervisor sees their unit's cases only.
    let boss = c.sign_in("truong.thuanhoa").await;
    let mine = c
        .get("/console/performance/export?format=json", &boss)
        .await;
    let v: serde_json::Value = serde_json::from_str(&mine.body).expect("json export");
    assert_eq!(v.as_array().map(Vec::len), Some(4));

    // The public figures: per unit and month, no case and no reporter.
    let public = c
        .send("GET", "/city/performance.json", None, None, None)
        .await;
    assert_eq!(public.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&public.body).expect("open data");
    let months = v["months"].as_array().expect("months");
    assert!(
        months
            .iter()
            .any(|m| m["unit"] == "ubnd-thuan-hoa" && m["received"] == 4)
    );
    for id in &ids {
        assert!(!public.body.contains(id.as_str()));
    }
    let page = c.send("GET", "/city/performance", None, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"public-perf\""));
}
