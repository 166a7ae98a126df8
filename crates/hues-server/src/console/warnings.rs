//! Warnings from the console: a form that writes a CAP 1.2 alert (Vietnamese and English info
//! blocks, event, urgency/severity/certainty, instruction, the area as wards picked from the
//! list, a polygon drawn on the map or typed, or a circle), previews it, and publishes it
//! through the same path as `POST /api/v1/alerts` (`alerts::prepare` checks it, `store_alert`
//! keeps it and applies its references). A warning's page offers Update and Cancel, which open
//! the form as a message that references it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hues_wire::api::AlertRecord;
use serde::Deserialize;

use super::pages::{local_time, page, refusal};
use super::{Nav, Signed, Tr};
use crate::AppState;
use crate::error::Fail;
use crate::staff;

/// The sender every console warning carries (the city's civil-defence command, as the demo's).
const SENDER: &str = "pctt@hue.gov.vn";

/// CAP's closed lists, in the order the form offers them (most common first).
const CATEGORIES: [&str; 9] = [
    "Met",
    "Geo",
    "Safety",
    "Infra",
    "Transport",
    "Env",
    "Health",
    "Fire",
    "Other",
];
const URGENCIES: [&str; 4] = ["Immediate", "Expected", "Future", "Past"];
const SEVERITIES: [&str; 4] = ["Extreme", "Severe", "Moderate", "Minor"];
const CERTAINTIES: [&str; 4] = ["Observed", "Likely", "Possible", "Unlikely"];
const RESPONSES: [&str; 7] = [
    "Prepare", "Evacuate", "Shelter", "Avoid", "Monitor", "Execute", "None",
];

/// What the form holds: every field a person types or picks, kept across a preview or a refusal.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub msg_type: String,
    /// The identifier of the warning this one updates or cancels.
    pub references: String,
    pub category: String,
    pub urgency: String,
    pub severity: String,
    pub certainty: String,
    pub response: String,
    pub expires_hours: String,
    pub event: [String; 2],
    pub headline: [String; 2],
    pub description: [String; 2],
    pub instruction: [String; 2],
    pub area: [String; 2],
    pub wards: Vec<String>,
    pub polygon: String,
    pub circle: String,
}

impl Draft {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let both = |k: &str| [get(&format!("{k}_vi")), get(&format!("{k}_en"))];
        Self {
            msg_type: get("msg_type"),
            references: get("references"),
            category: get("category"),
            urgency: get("urgency"),
            severity: get("severity"),
            certainty: get("certainty"),
            response: get("response"),
            expires_hours: get("expires_hours"),
            event: both("event"),
            headline: both("headline"),
            description: both("description"),
            instruction: both("instruction"),
            area: both("area"),
            wards: pairs
                .iter()
                .filter(|(k, _)| k == "ward")
                .map(|(_, v)| v.clone())
                .collect(),
            polygon: get("polygon"),
            circle: get("circle"),
        }
    }

    /// A new message about `r`: its words and choices, to change (Update) or to end (Cancel).
    fn about(r: &AlertRecord, msg_type: &str) -> Self {
        let info = |lang: &str| {
            r.infos
                .iter()
                .find(|i| i.language.starts_with(lang))
                .or(r.infos.first())
                .cloned()
                .unwrap_or_default()
        };
        let (vi, en) = (info("vi"), info("en"));
        let polygon = vi
            .areas
            .iter()
            .flat_map(|a| a.polygons.first())
            .next()
            .map(|p| {
                p.iter()
                    .map(|(la, lo)| format!("{la},{lo}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let circle = vi
            .areas
            .iter()
            .flat_map(|a| a.circles.first())
            .next()
            .map(|(la, lo, km)| format!("{la},{lo} {km}"))
            .unwrap_or_default();
        let area = |i: &hues_wire::api::AlertInfo| {
            i.areas
                .iter()
                .map(|a| a.description.clone())
                .collect::<Vec<_>>()
                .join("; ")
        };
        Self {
            msg_type: msg_type.to_owned(),
            references: r.identifier.clone(),
            category: "Met".into(),
            urgency: vi.urgency.clone(),
            severity: vi.severity.clone(),
            certainty: vi.certainty.clone(),
            response: "Monitor".into(),
            expires_hours: "24".into(),
            event: [vi.event.clone(), en.event.clone()],
            headline: [vi.headline.clone(), en.headline.clone()],
            description: [vi.description.clone(), en.description.clone()],
            instruction: [vi.instruction.clone(), en.instruction.clone()],
            area: [area(&vi), area(&en)],
            wards: Vec::new(),
            polygon,
            circle,
        }
    }
}

/// Why a draft cannot become CAP: the Fluent id of the message for the person.
type Refusal = &'static str;

/// "lat,lon lat,lon …" as typed or drawn, closed if the person did not close it.
fn polygon_of(text: &str) -> Result<Option<String>, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let mut points = Vec::new();
    for pair in text.split_whitespace() {
        let (la, lo) = pair.split_once(',').ok_or("calert-polygon-invalid")?;
        let (la, lo): (f64, f64) = (
            la.parse().map_err(|_| "calert-polygon-invalid")?,
            lo.parse().map_err(|_| "calert-polygon-invalid")?,
        );
        if !(-90.0..=90.0).contains(&la) || !(-180.0..=180.0).contains(&lo) {
            return Err("calert-polygon-invalid");
        }
        points.push((la, lo));
    }
    if points.first() != points.last() {
        points.push(points[0]);
    }
    if points.len() < 4 {
        return Err("calert-polygon-invalid");
    }
    Ok(Some(
        points
            .iter()
            .map(|(la, lo)| format!("{la},{lo}"))
            .collect::<Vec<_>>()
            .join(" "),
    ))
}

/// "lat,lon radius-km".
fn circle_of(text: &str) -> Result<Option<String>, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (centre, radius) = text.split_once(' ').ok_or("calert-circle-invalid")?;
    let (la, lo) = centre.split_once(',').ok_or("calert-circle-invalid")?;
    let ok = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    match (ok(la), ok(lo), ok(radius)) {
        (Some(la), Some(lo), Some(km))
            if (-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo) && km > 0.0 =>
        {
            Ok(Some(format!("{la},{lo} {km}")))
        }
        _ => Err("calert-circle-invalid"),
    }
}

/// The draft as a CAP 1.2 document (`identifier`, `sent` given), or why not.
pub fn to_cap(
    d: &Draft,
    identifier: &str,
    sent: chrono::DateTime<chrono::Utc>,
    referenced: Option<&AlertRecord>,
) -> Result<String, Refusal> {
    let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
    let pick = |v: &str, list: &[&str]| list.contains(&v).then(|| v.to_owned());
    let msg_type =
        pick(&d.msg_type, &["Alert", "Update", "Cancel"]).ok_or("calert-type-invalid")?;
    if msg_type != "Alert" && referenced.is_none() {
        return Err("calert-reference-missing");
    }
    let category = pick(&d.category, &CATEGORIES).ok_or("calert-choice-missing")?;
    let urgency = pick(&d.urgency, &URGENCIES).ok_or("calert-choice-missing")?;
    let severity = pick(&d.severity, &SEVERITIES).ok_or("calert-choice-missing")?;
    let certainty = pick(&d.certainty, &CERTAINTIES).ok_or("calert-choice-missing")?;
    let response = pick(&d.response, &RESPONSES).ok_or("calert-choice-missing")?;
    let hours: i64 = d
        .expires_hours
        .parse()
        .ok()
        .filter(|h| (1..=24 * 14).contains(h))
        .ok_or("calert-expires-invalid")?;
    if d.event.iter().chain(&d.headline).any(|s| s.is_empty()) {
        return Err("calert-words-missing");
    }
    let mut shapes = Vec::new();
    for code in &d.wards {
        let ring = crate::routing::ward_outline(code).ok_or("calert-ward-unknown")?;
        shapes.push(format!(
            "<polygon>{}</polygon>",
            ring.iter()
                .map(|(la, lo)| format!("{la:.5},{lo:.5}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if let Some(p) = polygon_of(&d.polygon)? {
        shapes.push(format!("<polygon>{p}</polygon>"));
    }
    if let Some(c) = circle_of(&d.circle)? {
        shapes.push(format!("<circle>{c}</circle>"));
    }
    let vn = hues_wire::time::vietnam_offset();
    let time = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&vn)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    let (sent_s, expires) = (time(sent), time(sent + chrono::Duration::hours(hours)));
    let refs = referenced
        .map(|r| {
            format!(
                "  <references>{},{},{}</references>\n",
                esc(&r.sender),
                esc(&r.identifier),
                esc(&r.sent)
            )
        })
        .unwrap_or_default();
    let info = |i: usize, lang: &str, sender: &str| {
        let area = if d.area[i].is_empty() {
            &d.area[0]
        } else {
            &d.area[i]
        };
        let area = if area.is_empty() { "Huế" } else { area };
        let opt = |tag: &str, v: &str| {
            if v.is_empty() {
                String::new()
            } else {
                format!("    <{tag}>{}</{tag}>\n", esc(v))
            }
        };
        format!(
            "  <info>\n    <language>{lang}</language>\n    <category>{category}</category>\n    <event>{}</event>\n    <responseType>{response}</responseType>\n    <urgency>{urgency}</urgency>\n    <severity>{severity}</severity>\n    <certainty>{certainty}</certainty>\n    <effective>{sent_s}</effective>\n    <expires>{expires}</expires>\n    <senderName>{sender}</senderName>\n    <headline>{}</headline>\n{}{}    <area>\n      <areaDesc>{}</areaDesc>\n{}    </area>\n  </info>\n",
            esc(&d.event[i]),
            esc(&d.headline[i]),
            opt("description", &d.description[i]),
            opt("instruction", &d.instruction[i]),
            esc(area),
            shapes
                .iter()
                .map(|s| format!("      {s}\n"))
                .collect::<String>(),
        )
    };
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n  <identifier>{}</identifier>\n  <sender>{SENDER}</sender>\n  <sent>{sent_s}</sent>\n  <status>Actual</status>\n  <msgType>{msg_type}</msgType>\n  <scope>Public</scope>\n{refs}{}{}</alert>\n",
        esc(identifier),
        info(0, "vi-VN", "Ban Chỉ huy Phòng thủ dân sự thành phố Huế"),
        info(1, "en-US", "Huế City Civil Defence Command"),
    ))
}

// ---- pages ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/warnings.html")]
struct List {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    /// (identifier, headline, kind of message, state in words, sent local)
    rows: Vec<(String, String, String, String, String)>,
}

fn state_words(tr: Tr, state: &str) -> String {
    tr.t(&format!("calert-state-{state}"))
}

fn headline(r: &AlertRecord, lang: &str) -> String {
    let want = if lang == "en" { "en" } else { "vi" };
    r.infos
        .iter()
        .find(|i| i.language.starts_with(want))
        .or(r.infos.first())
        .map(|i| {
            if i.headline.is_empty() {
                i.event.clone()
            } else {
                i.headline.clone()
            }
        })
        .unwrap_or_default()
}

pub async fn list(State(state): State<AppState>, s: Signed) -> Result<Response, Fail> {
    let tr = s.tr;
    let records = state
        .db
        .read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT identifier FROM alerts WHERE published = 1 AND record IS NOT NULL
                 ORDER BY received_at DESC LIMIT 200",
            )?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::new();
            for id in ids {
                if let Some(r) = crate::alerts::alert_record(c, &id)? {
                    out.push(r);
                }
            }
            Ok(out)
        })
        .await?;
    let rows = records
        .iter()
        .map(|r| {
            (
                r.identifier.clone(),
                headline(r, tr.lang),
                tr.t(&format!("calert-type-{}", r.msg_type.to_lowercase())),
                state_words(tr, &r.state),
                local_time(&r.sent),
            )
        })
        .collect();
    Ok(page(List {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "console/warning.html")]
struct One {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    identifier: String,
    headline: String,
    state: String,
    active: bool,
    sent: String,
    xml: String,
    /// "N damage reports" for this warning and the queue's address for them, when there are any.
    damage: Option<(String, String)>,
}

pub async fn one(
    State(state): State<AppState>,
    s: Signed,
    Path(identifier): Path<String>,
) -> Result<Response, Fail> {
    let key = identifier.clone();
    let found = state
        .db
        .read(move |c| {
            let record = crate::alerts::alert_record(c, &key)?;
            let xml: Option<String> = rusqlite::OptionalExtension::optional(c.query_row(
                "SELECT xml FROM alerts WHERE identifier = ?1",
                [&key],
                |r| r.get(0),
            ))?;
            // The damage citizens reported from this warning's page.
            let damage: i64 = c.query_row(
                "SELECT count(*) FROM reports WHERE alert = ?1",
                [&key],
                |r| r.get(0),
            )?;
            Ok(record.zip(xml).map(|(r, x)| (r, x, damage)))
        })
        .await?;
    let Some((r, xml, damage)) = found else {
        return Ok(refusal(&s, StatusCode::NOT_FOUND));
    };
    let tr = s.tr;
    Ok(page(One {
        tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        headline: headline(&r, tr.lang),
        state: state_words(tr, &r.state),
        active: r.state == "active",
        sent: local_time(&r.sent),
        damage: (damage > 0).then(|| {
            let query =
                serde_urlencoded::to_string([("alert", identifier.as_str())]).unwrap_or_default();
            (
                tr.tn("calert-damage", "count", damage as usize),
                format!("/console/?{query}"),
            )
        }),
        identifier,
        xml,
    }))
}

#[derive(Template)]
#[template(path = "console/warning_form.html")]
struct FormPage {
    tr: Tr,
    who: Option<String>,
    nav: Nav,
    heading: String,
    d: Draft,
    /// (code, name) of the wards with a boundary, which can be picked as the area.
    wards: Vec<(String, String)>,
    categories: &'static [&'static str],
    urgencies: &'static [&'static str],
    severities: &'static [&'static str],
    certainties: &'static [&'static str],
    responses: &'static [&'static str],
    error: Option<String>,
    /// The document as it will be published, and its headline as the app shows it.
    preview: Option<(String, String)>,
}

async fn form_page(
    state: &AppState,
    s: &Signed,
    d: Draft,
    error: Option<String>,
    preview: Option<(String, String)>,
) -> Result<Response, Fail> {
    let lang = s.tr.lang;
    let wards = state
        .db
        .read(move |c| {
            Ok(staff::units(c)?
                .into_iter()
                .filter_map(|u| {
                    let code = u.ward_code.clone()?;
                    crate::routing::ward_outline(&code)?;
                    Some((code, u.name(lang).to_owned()))
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let failed = error.is_some();
    let mut res = page(FormPage {
        tr: s.tr,
        who: Some(s.staff.display_name.clone()),
        nav: Nav::of(&s.staff),
        heading: s
            .tr
            .t(&format!("calert-form-{}", d.msg_type.to_lowercase())),
        d,
        wards,
        categories: &CATEGORIES,
        urgencies: &URGENCIES,
        severities: &SEVERITIES,
        certainties: &CERTAINTIES,
        responses: &RESPONSES,
        error,
        preview,
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    update: Option<String>,
    #[serde(default)]
    cancel: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<NewQuery>,
) -> Result<Response, Fail> {
    let about = match (q.update, q.cancel) {
        (Some(id), _) => Some((id, "Update")),
        (None, Some(id)) => Some((id, "Cancel")),
        _ => None,
    };
    let draft = match about {
        Some((id, kind)) => {
            let Some(r) = state
                .db
                .read(move |c| crate::alerts::alert_record(c, &id))
                .await?
            else {
                return Ok(refusal(&s, StatusCode::NOT_FOUND));
            };
            Draft::about(&r, kind)
        }
        None => Draft {
            msg_type: "Alert".into(),
            category: "Met".into(),
            urgency: "Expected".into(),
            severity: "Moderate".into(),
            certainty: "Likely".into(),
            response: "Prepare".into(),
            expires_hours: "24".into(),
            ..Draft::default()
        },
    };
    form_page(&state, &s, draft, None, None).await
}

/// Preview (`action=preview`) or publish the form's warning.
pub async fn submit(
    State(state): State<AppState>,
    s: Signed,
    body: String,
) -> Result<Response, Fail> {
    let tr = s.tr;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let publish = pairs.iter().any(|(k, v)| k == "action" && v == "publish");
    let d = Draft::from_pairs(&pairs);
    let referenced = if d.references.is_empty() {
        None
    } else {
        let id = d.references.clone();
        state
            .db
            .read(move |c| crate::alerts::alert_record(c, &id))
            .await?
    };
    // Only a warning in force can be updated or cancelled.
    let referenced = referenced.filter(|r| r.state == "active");
    let identifier = format!("HUE-{}", uuid::Uuid::now_v7());
    let xml = match to_cap(&d, &identifier, chrono::Utc::now(), referenced.as_ref()) {
        Ok(x) => x,
        Err(e) => return form_page(&state, &s, d, Some(tr.t(e)), None).await,
    };
    // The same check as the API's: what the console writes is what any CAP sender must write.
    let body = xml.clone().into_bytes();
    let prepared = tokio::task::spawn_blocking(move || crate::alerts::prepare(&body))
        .await
        .map_err(Fail::internal)?;
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => {
            let msg = tr.t1("calert-cap-refused", "reason", &e.0.message);
            return form_page(&state, &s, d, Some(msg), None).await;
        }
    };
    if !publish {
        let head = d.headline[if tr.lang == "en" { 1 } else { 0 }].clone();
        return form_page(&state, &s, d, None, Some((xml, head))).await;
    }
    let staff_id = s.staff.id.clone();
    let kind = d.msg_type.clone();
    let id = identifier.clone();
    state
        .db
        .run(move |c| {
            crate::alerts::store_alert(c, &prepared)?;
            staff::audit(
                c,
                Some(&staff_id),
                "warning.publish",
                &id,
                None,
                Some(&serde_json::json!({ "msgType": kind }).to_string()),
                chrono::Utc::now(),
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/console/warnings/{identifier}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            msg_type: "Alert".into(),
            category: "Met".into(),
            urgency: "Expected".into(),
            severity: "Severe".into(),
            certainty: "Likely".into(),
            response: "Prepare".into(),
            expires_hours: "12".into(),
            event: ["Lũ".into(), "Flood".into()],
            headline: [
                "Lũ sông Hương <báo động 2>".into(),
                "Hương river flood".into(),
            ],
            polygon: "16.46,107.58 16.47,107.58 16.47,107.60".into(),
            circle: "16.46,107.59 2".into(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_draft_becomes_valid_cap_with_both_languages_and_its_areas() {
        let xml = to_cap(&draft(), "HUE-T-1", chrono::Utc::now(), None).expect("cap");
        let root = crate::cap::parse_tree(&xml).expect("parses");
        crate::cap::validate(&root).expect("valid CAP 1.2");
        assert!(
            xml.contains("<language>vi-VN</language>")
                && xml.contains("<language>en-US</language>")
        );
        assert!(xml.contains("&lt;báo động 2&gt;"), "escaped");
        // The drawn polygon is closed.
        assert!(
            xml.contains("<polygon>16.46,107.58 16.47,107.58 16.47,107.6 16.46,107.58</polygon>")
        );
        assert!(xml.contains("<circle>16.46,107.59 2</circle>"));
    }

    #[test]
    fn refusals_are_named() {
        let mut d = draft();
        d.polygon = "16.46,107.58 16.47".into();
        assert_eq!(
            to_cap(&d, "x", chrono::Utc::now(), None),
            Err("calert-polygon-invalid")
        );
        let mut d = draft();
        d.msg_type = "Cancel".into();
        assert_eq!(
            to_cap(&d, "x", chrono::Utc::now(), None),
            Err("calert-reference-missing")
        );
        let mut d = draft();
        d.expires_hours = "0".into();
        assert_eq!(
            to_cap(&d, "x", chrono::Utc::now(), None),
            Err("calert-expires-invalid")
        );
        let mut d = draft();
        d.wards = vec!["99999".into()];
        assert_eq!(
            to_cap(&d, "x", chrono::Utc::now(), None),
            Err("calert-ward-unknown")
        );
    }
}
