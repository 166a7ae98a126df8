//! Huế demo data for `--demo`: the report categories of a city app and the city's main places
//! (later issues add alerts and procedures).

use hues_wire::api::{AttributeType, AttributeValue, Category, CategoryAttribute, Place, Ticket};
use hues_wire::dossiers::{AdminLevel, DossierState, OnlineLevel, Procedure};

use crate::db::Db;
use crate::store;

/// (code, group, Vietnamese name, English name, Vietnamese description, English description)
const CATEGORIES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "waste",
        "environment",
        "Rác thải, vệ sinh môi trường",
        "Waste and sanitation",
        "Rác tồn đọng, đổ trộm phế thải, ô nhiễm",
        "Uncollected rubbish, illegal dumping, pollution",
    ),
    (
        "road_damage",
        "roads",
        "Hư hỏng đường sá",
        "Damaged roads",
        "Ổ gà, sụt lún, nắp hố ga hỏng",
        "Potholes, subsidence, broken manhole covers",
    ),
    (
        "traffic",
        "roads",
        "Giao thông, đèn tín hiệu",
        "Traffic and signals",
        "Đèn tín hiệu hỏng, biển báo, ùn tắc",
        "Broken traffic lights, signs, congestion",
    ),
    (
        "encroachment",
        "urban_order",
        "Lấn chiếm vỉa hè, trật tự đô thị",
        "Pavement encroachment and urban order",
        "Lấn chiếm lòng lề đường, xây dựng trái phép",
        "Blocked pavements, illegal construction",
    ),
    (
        "street_light",
        "power",
        "Đèn chiếu sáng công cộng",
        "Street lights",
        "Đèn đường không sáng, chập điện",
        "Street lamp out, electrical fault",
    ),
    (
        "water_supply",
        "water",
        "Cấp nước",
        "Water supply",
        "Mất nước, vỡ ống, nước bẩn",
        "No water, burst pipe, dirty water",
    ),
    (
        "flooding",
        "drainage",
        "Thoát nước, ngập úng",
        "Drainage and flooding",
        "Ngập đường, cống tắc, mương tràn",
        "Flooded street, blocked drain, overflowing canal",
    ),
    (
        "trees",
        "environment",
        "Cây xanh",
        "Trees",
        "Cây gãy đổ, cần cắt tỉa",
        "Fallen or dangerous tree, pruning needed",
    ),
    (
        "security",
        "public_security",
        "An ninh trật tự",
        "Public security",
        "Gây rối, trộm cắp, mất an ninh",
        "Disturbance, theft, unsafe place",
    ),
    (
        "tourism",
        "tourism",
        "Du lịch, dịch vụ",
        "Tourism and services",
        "Chèo kéo, chặt chém khách, dịch vụ kém",
        "Touting, overcharging, poor service",
    ),
    (
        "other",
        "other",
        "Khác",
        "Other",
        "Vấn đề khác của thành phố",
        "Any other city problem",
    ),
];

pub fn categories() -> Vec<Category> {
    CATEGORIES
        .iter()
        .zip(1..)
        .map(
            |(&(code, group, name_vi, name_en, d_vi, d_en), position)| Category {
                code: code.into(),
                group: group.into(),
                name_vi: name_vi.into(),
                name_en: name_en.into(),
                description_vi: d_vi.into(),
                description_en: d_en.into(),
                position,
                attributes: attributes_for(code),
                // Reports of public order and security name people and places that must not
                // be shown to everyone: only the reporter and staff see them.
                public: code != "security",
            },
        )
        .collect()
}

fn attr(
    code: &str,
    datatype: AttributeType,
    required: bool,
    (vi, en): (&str, &str),
    order: i64,
    values: &[(&str, &str, &str)],
) -> CategoryAttribute {
    CategoryAttribute {
        code: code.into(),
        datatype,
        required,
        description_vi: vi.into(),
        description_en: en.into(),
        order,
        values: values
            .iter()
            .map(|&(key, name_vi, name_en)| AttributeValue {
                key: key.into(),
                name_vi: name_vi.into(),
                name_en: name_en.into(),
            })
            .collect(),
    }
}

/// The extra questions some categories ask (Open311 attributes).
fn attributes_for(code: &str) -> Vec<CategoryAttribute> {
    match code {
        "road_damage" => vec![
            attr(
                "size",
                AttributeType::Singlevaluelist,
                true,
                ("Kích thước hư hỏng", "Size of the damage"),
                1,
                &[
                    ("small", "Nhỏ (dưới 30 cm)", "Small (under 30 cm)"),
                    ("medium", "Vừa (30 cm – 1 m)", "Medium (30 cm – 1 m)"),
                    ("large", "Lớn (trên 1 m)", "Large (over 1 m)"),
                ],
            ),
            attr(
                "hazards",
                AttributeType::Multivaluelist,
                false,
                ("Nguy hiểm kèm theo", "Hazards"),
                2,
                &[
                    ("traffic", "Gây nguy hiểm cho xe", "Dangerous for traffic"),
                    (
                        "pedestrians",
                        "Gây nguy hiểm cho người đi bộ",
                        "Dangerous for pedestrians",
                    ),
                ],
            ),
        ],
        "flooding" => vec![attr(
            "depth_cm",
            AttributeType::Number,
            true,
            ("Độ sâu nước ngập (cm)", "Water depth (cm)"),
            1,
            &[],
        )],
        "street_light" => vec![attr(
            "pole_number",
            AttributeType::String,
            false,
            ("Số hiệu cột đèn (nếu thấy)", "Pole number (if visible)"),
            1,
            &[],
        )],
        _ => Vec::new(),
    }
}

/// The rows of a demo data file: tab-separated fields, `#` comments and blank lines skipped.
fn tsv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// The city's main places, from `data/places-hue.tsv` (see its header for the columns).
const PLACES_TSV: &str = include_str!("../data/places-hue.tsv");

pub fn places() -> Vec<Place> {
    tsv_rows(PLACES_TSV)
        .filter_map(|f| {
            let [
                id,
                category,
                name_vi,
                name_en,
                address,
                lat,
                lon,
                hours,
                phone,
                website,
                sight,
                desc_vi,
                desc_en,
                tickets,
            ] = f.as_slice()
            else {
                return None;
            };
            Some(Place {
                id: (*id).into(),
                category: (*category).into(),
                name_vi: (*name_vi).into(),
                name_en: (*name_en).into(),
                address: (*address).into(),
                latitude: lat.parse().ok()?,
                longitude: lon.parse().ok()?,
                description_vi: (*desc_vi).into(),
                description_en: (*desc_en).into(),
                phone: (*phone).into(),
                website: (*website).into(),
                opening_hours: (*hours).into(),
                photos: Vec::new(),
                tickets: tickets
                    .split(';')
                    .filter_map(|t| {
                        let mut p = t.split('|');
                        Some(Ticket {
                            name_vi: p.next()?.into(),
                            name_en: p.next()?.into(),
                            price_vnd: p.next()?.parse().ok()?,
                        })
                    })
                    .collect(),
                sight: *sight == "1",
            })
        })
        .collect()
}

/// Seeds (or refreshes) the demo data; safe to run at every start.
pub fn seed(db: &Db) -> anyhow::Result<()> {
    db.run_blocking(|conn| {
        let tx = conn.transaction()?;
        for c in categories() {
            let unchanged = store::categories(&tx)?.contains(&c);
            if !unchanged {
                store::upsert_category(&tx, &c)?;
            }
        }
        for p in places() {
            if store::place(&tx, &p.id)?.as_ref() != Some(&p) {
                store::upsert_place(&tx, &p)?;
            }
        }
        for (position, p) in (0..).zip(procedures()) {
            crate::dossiers::upsert_procedure(&tx, &p, position)?;
        }
        tx.commit()?;
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("seeding demo data: {}", e.0))
}

/// The demo's staff: (username, name, role, unit, TOTP secret or empty). Every account's
/// password is [`DEMO_STAFF_PASSWORD`]; `hues-server --demo` prints them with their codes' secrets.
pub const DEMO_STAFF: &[(&str, &str, crate::staff::Role, &str, &str)] = &[
    (
        "dieuphoi",
        "Nguyễn Thị Hoa (điều phối)",
        crate::staff::Role::Dispatcher,
        "hue",
        "",
    ),
    (
        "canbo.thuanhoa",
        "Trần Văn Nam (phường Thuận Hóa)",
        crate::staff::Role::Officer,
        "ubnd-thuan-hoa",
        "",
    ),
    (
        "canbo.phuxuan",
        "Lê Thị Mai (phường Phú Xuân)",
        crate::staff::Role::Officer,
        "ubnd-phu-xuan",
        "",
    ),
    (
        "truong.thuanhoa",
        "Phạm Quốc Bảo (trưởng bộ phận, Thuận Hóa)",
        crate::staff::Role::UnitSupervisor,
        "ubnd-thuan-hoa",
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    ),
    (
        "giamsat",
        "Võ Minh Châu (giám sát thành phố)",
        crate::staff::Role::CitySupervisor,
        "hue",
        "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU",
    ),
    (
        "quantri",
        "Hoàng Anh Tuấn (quản trị)",
        crate::staff::Role::Admin,
        "hue",
        "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK",
    ),
];

/// The demo accounts' password (printed at start; never for a real city).
pub const DEMO_STAFF_PASSWORD: &str = "Hue-demo-2026";

/// Categories whose reports are resolved only with a photo of the work done.
pub const PHOTO_TO_RESOLVE: [&str; 5] =
    ["road_damage", "street_light", "trees", "traffic", "waste"];

/// A reply template: (category or any, status, name vi, name en, text vi, text en).
pub type DemoTemplate = (
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The demo's reply templates.
/// Fields: {address}, {category}, {unit}, {date}, {id}.
pub const DEMO_TEMPLATES: &[DemoTemplate] = &[
    (
        None,
        "in_progress",
        "Đã tiếp nhận, đang xử lý",
        "Received, being handled",
        "{unit} đã tiếp nhận phản ánh #{id} về {category} tại {address} và đang xử lý. Chúng tôi sẽ báo kết quả.",
        "{unit} has received report #{id} about {category} at {address} and is handling it. We will tell you the result.",
    ),
    (
        None,
        "in_progress",
        "Đề nghị bổ sung thông tin",
        "More information needed",
        "Để xử lý phản ánh #{id}, đề nghị anh/chị cho biết thêm vị trí cụ thể (số nhà, mốc gần nhất) hoặc gửi thêm ảnh.",
        "To handle report #{id}, please tell us the exact place (house number, nearest landmark) or send another photo.",
    ),
    (
        None,
        "rejected",
        "Không thuộc thẩm quyền",
        "Not the city's to handle",
        "Phản ánh #{id} không thuộc thẩm quyền giải quyết của {unit}. Đề nghị anh/chị liên hệ cơ quan chủ quản.",
        "Report #{id} is not {unit}'s to handle. Please contact the body responsible.",
    ),
    (
        Some("traffic"),
        "resolved",
        "Đã xử lý biển báo",
        "Sign fixed",
        "Ngày {date}, {unit} đã xử lý biển báo tại {address}. Cảm ơn anh/chị đã phản ánh.",
        "On {date}, {unit} fixed the sign at {address}. Thank you for reporting it.",
    ),
    (
        Some("road_damage"),
        "resolved",
        "Đã vá mặt đường",
        "Road repaired",
        "Ngày {date}, {unit} đã vá mặt đường tại {address} (ảnh kèm theo). Cảm ơn anh/chị đã phản ánh.",
        "On {date}, {unit} repaired the road at {address} (photo attached). Thank you for reporting it.",
    ),
    (
        Some("street_light"),
        "resolved",
        "Đã sửa đèn",
        "Light repaired",
        "Ngày {date}, {unit} đã sửa đèn chiếu sáng tại {address}. Cảm ơn anh/chị đã phản ánh.",
        "On {date}, {unit} repaired the street light at {address}. Thank you for reporting it.",
    ),
    (
        Some("trees"),
        "resolved",
        "Đã cắt tỉa cây",
        "Tree trimmed",
        "Ngày {date}, {unit} đã cắt tỉa cây tại {address}. Cảm ơn anh/chị đã phản ánh.",
        "On {date}, {unit} trimmed the tree at {address}. Thank you for reporting it.",
    ),
];

/// Seeds Huế's units, and the demo accounts if there are none yet.
pub fn seed_staff(db: &Db, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    let any = db
        .run_blocking(|conn| {
            crate::staff::upsert_units(conn, &crate::staff::demo_units())?;
            Ok(
                conn.query_row("SELECT EXISTS (SELECT 1 FROM staff)", [], |r| {
                    r.get::<_, bool>(0)
                })?,
            )
        })
        .map_err(|e| anyhow::anyhow!("seeding units: {}", e.0))?;
    if any {
        return Ok(());
    }
    db.run_blocking(|conn| {
        for rule in crate::routing::demo_rules() {
            crate::routing::add_rule(conn, &rule)?;
        }
        for (category, targets) in crate::sla::demo_targets() {
            crate::sla::set_targets(conn, category, targets)?;
        }
        // M360's rule: work on the street is resolved with a photo of it done.
        for category in PHOTO_TO_RESOLVE {
            crate::console::set_photo_required(conn, category, true)?;
        }
        for t in DEMO_TEMPLATES {
            conn.execute(
                "INSERT INTO reply_templates (category, status, name_vi, name_en, text_vi, text_en)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![t.0, t.1, t.2, t.3, t.4, t.5],
            )?;
        }
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("seeding routing rules: {}", e.0))?;
    // One Argon2id hash serves every demo account (the same password, its own salt once).
    let hash =
        crate::staff::hash_password(DEMO_STAFF_PASSWORD).map_err(|e| anyhow::anyhow!("{}", e.0))?;
    db.run_blocking(|conn| {
        let tx = conn.transaction()?;
        for &(username, name, role, unit, secret) in DEMO_STAFF {
            let id = crate::staff::create_staff_hashed(
                &tx,
                username,
                name,
                &hash,
                (!secret.is_empty()).then_some(secret),
                &[(role, unit)],
                now,
            )?;
            crate::staff::audit(&tx, None, "staff.create", username, None, Some(&id), now)?;
        }
        tx.commit()?;
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("seeding demo staff: {}", e.0))
}

/// One demo CAP alert: a Vietnamese and an English `info`, each with the same areas.
struct DemoAlert {
    id: &'static str,
    msg_type: &'static str,
    /// The alert it updates or cancels, and that alert's `sent_h`.
    references: Option<(&'static str, i64)>,
    /// Sent this many hours from seeding (negative: before).
    sent_h: i64,
    /// Expires this many hours from seeding (negative: already expired).
    expires_h: i64,
    category: &'static str,
    severity: &'static str,
    urgency: &'static str,
    certainty: &'static str,
    response: &'static str,
    vi: [&'static str; 4],
    en: [&'static str; 4],
    area_vi: &'static str,
    area_en: &'static str,
    polygon: Option<&'static str>,
    circle: Option<&'static str>,
}

/// A demo alert as CAP XML, its times placed relative to `now`.
fn demo_alert_xml(a: &DemoAlert, now: chrono::DateTime<chrono::Utc>) -> String {
    let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
    let at = |hours: i64| {
        (now + chrono::Duration::hours(hours))
            .with_timezone(&hues_wire::time::vietnam_offset())
            .format("%Y-%m-%dT%H:00:00%:z")
            .to_string()
    };
    let (sent, expires) = (at(a.sent_h), at(a.expires_h));
    let refs = a
        .references
        .map(|(id, h)| {
            format!(
                "  <references>pctt@hue.gov.vn,{id},{}</references>\n",
                at(h)
            )
        })
        .unwrap_or_default();
    let info = |lang: &str, [event, headline, description, instruction]: [&str; 4], area: &str| {
        let mut shape = String::new();
        if let Some(p) = a.polygon {
            shape.push_str(&format!("      <polygon>{p}</polygon>\n"));
        }
        if let Some(c) = a.circle {
            shape.push_str(&format!("      <circle>{c}</circle>\n"));
        }
        format!(
            "  <info>\n    <language>{lang}</language>\n    <category>{cat}</category>\n    <event>{event}</event>\n    <responseType>{resp}</responseType>\n    <urgency>{urg}</urgency>\n    <severity>{sev}</severity>\n    <certainty>{cer}</certainty>\n    <effective>{sent}</effective>\n    <expires>{exp}</expires>\n    <senderName>{sender}</senderName>\n    <headline>{headline}</headline>\n    <description>{description}</description>\n    <instruction>{instruction}</instruction>\n    <area>\n      <areaDesc>{area}</areaDesc>\n{shape}    </area>\n  </info>\n",
            cat = a.category,
            resp = a.response,
            urg = a.urgency,
            sev = a.severity,
            cer = a.certainty,
            sent = sent,
            exp = expires,
            sender = if lang == "vi-VN" {
                "Ban Chỉ huy Phòng thủ dân sự thành phố Huế"
            } else {
                "Huế City Civil Defence Command"
            },
            event = esc(event),
            headline = esc(headline),
            description = esc(description),
            instruction = esc(instruction),
            area = esc(area),
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n  <identifier>{id}</identifier>\n  <sender>pctt@hue.gov.vn</sender>\n  <sent>{sent}</sent>\n  <status>Actual</status>\n  <msgType>{mt}</msgType>\n  <scope>Public</scope>\n{refs}{vi}{en}</alert>\n",
        id = a.id,
        sent = sent,
        mt = a.msg_type,
        vi = info("vi-VN", a.vi, a.area_vi),
        en = info("en-US", a.en, a.area_en),
    )
}

/// Huế warnings for the demo: a flood along the Hương river, a tropical storm on the coast, a
/// road closure, a landslide warning that was cancelled, and an expired heat advisory.
fn demo_alerts() -> Vec<DemoAlert> {
    vec![
        DemoAlert {
            id: "HUE-2026-LU-SONG-HUONG-01",
            msg_type: "Alert",
            references: None,
            sent_h: -20,
            expires_h: 552,
            category: "Met",
            severity: "Severe",
            urgency: "Expected",
            certainty: "Likely",
            response: "Prepare",
            vi: [
                "Lũ trên sông Hương",
                "Cảnh báo lũ trên sông Hương, báo động 2",
                "Mực nước sông Hương tại trạm Kim Long đang lên, dự báo vượt báo động 2 trong 12 giờ tới. Các khu vực trũng ven sông có nguy cơ ngập 0,3–0,6 m.",
                "Kê cao đồ đạc, không đi qua các đoạn đường ngập sâu, theo dõi thông tin từ chính quyền.",
            ],
            en: [
                "Perfume River flood",
                "Flood alert on the Perfume River, alarm level 2",
                "The Perfume River at the Kim Long gauge is rising and is expected to pass alarm level 2 within 12 hours. Low-lying riverside areas may flood 0.3–0.6 m deep.",
                "Raise belongings, do not cross deeply flooded roads, follow the authorities' updates.",
            ],
            area_vi: "Ven sông Hương từ phường Kim Long đến phường Vỹ Dạ",
            area_en: "Perfume River banks from Kim Long ward to Vỹ Dạ ward",
            polygon: Some(
                "16.455,107.545 16.470,107.545 16.480,107.580 16.478,107.610 16.462,107.615 16.452,107.590 16.455,107.545",
            ),
            circle: None,
        },
        DemoAlert {
            id: "HUE-2026-BAO-SO-12-01",
            msg_type: "Alert",
            references: None,
            sent_h: -18,
            expires_h: 432,
            category: "Met",
            severity: "Extreme",
            urgency: "Immediate",
            certainty: "Observed",
            response: "Evacuate",
            vi: [
                "Bão số 12",
                "Bão số 12 đổ bộ vùng ven biển Huế",
                "Bão gió mạnh cấp 10, giật cấp 12, sóng biển cao 4–6 m. Vùng ven biển từ phường Thuận An đến xã Chân Mây - Lăng Cô có nguy cơ nước dâng.",
                "Di dời người dân vùng ven biển đến nơi an toàn; tàu thuyền không ra khơi.",
            ],
            en: [
                "Tropical storm No. 12",
                "Tropical storm No. 12 making landfall on Huế's coast",
                "Winds force 10 gusting 12, waves 4–6 m. The coast from Thuận An ward to Chân Mây - Lăng Cô commune risks a storm surge.",
                "Evacuate the coastal area to safe shelters; boats must stay in port.",
            ],
            area_vi: "Ven biển từ phường Thuận An đến xã Chân Mây - Lăng Cô",
            area_en: "The coast from Thuận An ward to Chân Mây - Lăng Cô commune",
            polygon: Some(
                "16.600,107.550 16.600,107.650 16.400,107.950 16.250,108.050 16.200,107.950 16.450,107.650 16.600,107.550",
            ),
            circle: None,
        },
        DemoAlert {
            id: "HUE-2026-CAM-DUONG-LE-DUAN-01",
            msg_type: "Alert",
            references: None,
            sent_h: -26,
            expires_h: 312,
            category: "Transport",
            severity: "Moderate",
            urgency: "Immediate",
            certainty: "Observed",
            response: "Avoid",
            vi: [
                "Cấm đường",
                "Cấm xe qua đường Lê Duẩn gần cầu Phú Xuân",
                "Đoạn đường Lê Duẩn gần cầu Phú Xuân ngập sâu và đang sửa chữa.",
                "Đi đường vòng qua Trần Hưng Đạo.",
            ],
            en: [
                "Road closure",
                "Lê Duẩn street closed near Phú Xuân bridge",
                "Lê Duẩn street near Phú Xuân bridge is deeply flooded and under repair.",
                "Detour via Trần Hưng Đạo.",
            ],
            area_vi: "Đường Lê Duẩn, bán kính 300 m quanh cầu Phú Xuân",
            area_en: "Lê Duẩn street, 300 m around Phú Xuân bridge",
            polygon: None,
            circle: Some("16.4612,107.5840 0.3"),
        },
        DemoAlert {
            id: "HUE-2026-SAT-LO-01",
            msg_type: "Alert",
            references: None,
            sent_h: -48,
            expires_h: 672,
            category: "Geo",
            severity: "Severe",
            urgency: "Expected",
            certainty: "Possible",
            response: "Monitor",
            vi: [
                "Sạt lở đất",
                "Nguy cơ sạt lở đất tại đồi Thiên An",
                "Mưa lớn kéo dài có thể gây sạt lở đất ở sườn đồi Thiên An.",
                "Không đến gần sườn đồi; báo ngay khi thấy vết nứt.",
            ],
            en: [
                "Landslide",
                "Landslide risk on Thiên An hill",
                "Prolonged heavy rain may cause landslides on Thiên An hill's slopes.",
                "Keep away from the slopes; report any crack at once.",
            ],
            area_vi: "Đồi Thiên An",
            area_en: "Thiên An hill",
            polygon: None,
            circle: Some("16.4250,107.5650 1.0"),
        },
        DemoAlert {
            id: "HUE-2026-SAT-LO-01-HUY",
            msg_type: "Cancel",
            references: Some(("HUE-2026-SAT-LO-01", -48)),
            sent_h: -25,
            expires_h: 672,
            category: "Geo",
            severity: "Minor",
            urgency: "Past",
            certainty: "Observed",
            response: "AllClear",
            vi: [
                "Sạt lở đất",
                "Hủy cảnh báo sạt lở đồi Thiên An",
                "Mưa đã giảm; nguy cơ sạt lở đã qua.",
                "Không còn cần tránh khu vực.",
            ],
            en: [
                "Landslide",
                "Landslide alert for Thiên An hill cancelled",
                "The rain has eased; the landslide risk has passed.",
                "No need to avoid the area any more.",
            ],
            area_vi: "Đồi Thiên An",
            area_en: "Thiên An hill",
            polygon: None,
            circle: Some("16.4250,107.5650 1.0"),
        },
        DemoAlert {
            id: "HUE-2026-NANG-NONG-01",
            msg_type: "Alert",
            references: None,
            sent_h: -2496,
            expires_h: -2376,
            category: "Met",
            severity: "Moderate",
            urgency: "Expected",
            certainty: "Likely",
            response: "Prepare",
            vi: [
                "Nắng nóng",
                "Nắng nóng gay gắt, nhiệt độ tới 39 °C",
                "Nắng nóng gay gắt trên toàn thành phố, độ ẩm thấp.",
                "Hạn chế ra ngoài từ 11 đến 16 giờ, uống đủ nước.",
            ],
            en: [
                "Heat",
                "Severe heat, up to 39 °C",
                "Severe heat across all of Huế, low humidity.",
                "Avoid going out from 11:00 to 16:00, drink enough water.",
            ],
            area_vi: "Toàn thành phố",
            area_en: "All of Huế",
            polygon: None,
            circle: None,
        },
    ]
}

/// Seeds the demo alerts (once: a stored identifier is left as it is).
pub fn seed_alerts(db: &Db, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    for a in demo_alerts() {
        // Stored, published or not (the record is for the feeds).
        let known = db
            .run_blocking(|c| crate::alerts::is_stored(c, a.id))
            .map_err(|e| anyhow::anyhow!("reading alert {}: {}", a.id, e.0))?;
        if known {
            continue;
        }
        let xml = demo_alert_xml(&a, now);
        let alert = crate::alerts::prepare(xml.as_bytes())
            .map_err(|e| anyhow::anyhow!("demo alert {}: {}", a.id, e.0))?;
        db.run_blocking(|c| crate::alerts::store_alert(c, &alert).map(|_| ()))
            .map_err(|e| anyhow::anyhow!("seeding alert {}: {}", a.id, e.0))?;
    }
    Ok(())
}

/// The procedure catalogue, from `data/procedures-hue.tsv` (see its header for the columns).
const PROCEDURES_TSV: &str = include_str!("../data/procedures-hue.tsv");

pub fn procedures() -> Vec<Procedure> {
    let list = |s: &str| -> Vec<String> {
        s.split(" ; ")
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect()
    };
    tsv_rows(PROCEDURES_TSV)
        .filter_map(|f| {
            let [
                id,
                topic,
                level,
                days,
                online,
                name_vi,
                name_en,
                agency_vi,
                agency_en,
                fee_vi,
                fee_en,
                where_vi,
                where_en,
                documents_vi,
                documents_en,
            ] = f.as_slice()
            else {
                return None;
            };
            Some(Procedure {
                id: (*id).into(),
                topic: (*topic).into(),
                level: AdminLevel::parse(level)?,
                processing_days: days.parse().ok()?,
                online: OnlineLevel::parse(online)?,
                name_vi: (*name_vi).into(),
                name_en: (*name_en).into(),
                agency_vi: (*agency_vi).into(),
                agency_en: (*agency_en).into(),
                fee_vi: (*fee_vi).into(),
                fee_en: (*fee_en).into(),
                where_vi: (*where_vi).into(),
                where_en: (*where_en).into(),
                documents_vi: list(documents_vi),
                documents_en: list(documents_en),
            })
        })
        .collect()
}

/// One demo dossier, placed in time relative to the day the server starts.
struct DemoDossier {
    code: &'static str,
    phone: &'static str,
    procedure: &'static str,
    unit_vi: &'static str,
    unit_en: &'static str,
    /// Its appointment, in working days from the last working day up to today (1: the next
    /// working day, -4: four working days ago); it was received at 09:00 as many working days
    /// before that as its procedure takes.
    due_in: i32,
    /// States it went through after being received, each a working day apart (notes).
    steps: &'static [(DossierState, &'static str)],
    /// The unit's apology, with a new appointment this many working days ahead.
    apology: Option<(&'static str, u32)>,
}

/// Demo dossiers (codes and check values are in the README): on time, due soon, overdue with
/// the unit's apology, escalated, finished.
fn demo_dossiers() -> Vec<DemoDossier> {
    use DossierState::*;
    vec![
        DemoDossier {
            code: "HS-2026-000101",
            phone: "0905 124 567",
            procedure: "thuong-tru",
            unit_vi: "Công an phường Phú Xuân",
            unit_en: "Phú Xuân Ward Police",
            due_in: 5,
            steps: &[(InProcessing, "")],
            apology: None,
        },
        DemoDossier {
            code: "HS-2026-000102",
            phone: "0914 338 899",
            procedure: "gpxd-nha-o",
            unit_vi: "Ủy ban nhân dân phường Thuận Hóa",
            unit_en: "Thuận Hóa Ward People's Committee",
            due_in: -4,
            steps: &[
                (InProcessing, ""),
                (SupplementRequested, "Bổ sung bản vẽ mặt đứng công trình."),
                (InProcessing, ""),
            ],
            apology: Some((
                "Hồ sơ cần thêm thời gian thẩm định thực địa do mưa lũ. Chúng tôi thành thật xin lỗi ông/bà.",
                4,
            )),
        },
        DemoDossier {
            code: "HS-2026-000103",
            phone: "0987 552 468",
            procedure: "dat-lan-dau",
            unit_vi: "Ủy ban nhân dân phường Vỹ Dạ",
            unit_en: "Vỹ Dạ Ward People's Committee",
            due_in: -8,
            steps: &[(InProcessing, "")],
            apology: None,
        },
        DemoDossier {
            code: "HS-2026-000104",
            phone: "0935 771 357",
            procedure: "ly-lich-tu-phap",
            unit_vi: "Công an thành phố Huế",
            unit_en: "Huế City Police",
            due_in: 1,
            steps: &[(InProcessing, "")],
            apology: None,
        },
        DemoDossier {
            code: "HS-2026-000105",
            phone: "0905 663 690",
            procedure: "ho-kinh-doanh",
            unit_vi: "Ủy ban nhân dân phường Phú Xuân",
            unit_en: "Phú Xuân Ward People's Committee",
            due_in: 0,
            steps: &[
                (InProcessing, ""),
                (ResultReady, "Mời ông/bà đến nhận kết quả."),
            ],
            apology: None,
        },
    ]
}

/// Seeds the demo dossiers that are not there yet, dated relative to `now`.
pub fn seed_dossiers(db: &Db, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    use chrono::TimeZone;
    let today = hues_wire::deadline::local_date(now);
    let at_nine = |d: chrono::NaiveDate, hour_offset: i64| {
        hues_wire::time::vietnam_offset()
            .from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&chrono::Utc) + chrono::Duration::hours(hour_offset))
            .unwrap_or(now)
    };
    db.run_blocking(move |conn| {
        for demo in demo_dossiers() {
            if crate::dossiers::dossier(conn, demo.code)?.is_some() {
                continue;
            }
            let cal = hues_wire::calendar::Calendar::vietnam();
            let days =
                crate::dossiers::procedure(conn, demo.procedure)?.map_or(0, |p| p.processing_days);
            let anchor = if cal.is_working_day(today) {
                today
            } else {
                crate::dossiers::working_days_before(today, 1)
            };
            let appointment = match u32::try_from(demo.due_in) {
                Ok(ahead) => cal.add_working_days(anchor, ahead),
                Err(_) => crate::dossiers::working_days_before(anchor, demo.due_in.unsigned_abs()),
            };
            let received = crate::dossiers::working_days_before(appointment, days);
            let new = hues_wire::dossiers::NewDossier {
                code: demo.code.into(),
                procedure_id: demo.procedure.into(),
                unit_vi: demo.unit_vi.into(),
                unit_en: demo.unit_en.into(),
                phone: demo.phone.into(),
                received_at: Some(at_nine(received, 0)),
            };
            crate::dossiers::receive(conn, &new, now)?;
            let mut day = received;
            for (state, note) in demo.steps {
                day = cal.next_working_day(day).min(today);
                let step = hues_wire::dossiers::DossierAdvance {
                    state: *state,
                    note: (*note).into(),
                };
                crate::dossiers::advance(conn, demo.code, &step, at_nine(day, 1))?;
            }
            if let Some((reason, ahead)) = demo.apology {
                let apology = hues_wire::dossiers::NewApology {
                    reason: reason.into(),
                    new_appointment: cal.add_working_days(today, ahead),
                };
                crate::dossiers::apologise(conn, demo.code, &apology, now)?;
            }
        }
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("seeding demo dossiers: {}", e.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_places_are_whole_and_their_hours_parse() {
        let places = places();
        assert!(places.len() >= 20, "{}", places.len());
        for must in [
            "dai-noi",
            "thien-mu",
            "lang-tu-duc",
            "lang-khai-dinh",
            "lang-minh-mang",
            "cho-dong-ba",
            "cau-truong-tien",
            "bv-trung-uong-hue",
            "ga-hue",
            "hcc-tinh",
        ] {
            assert!(places.iter().any(|p| p.id == must), "{must}");
        }
        for p in &places {
            assert!(
                hues_wire::api::PLACE_CATEGORIES.contains(&p.category.as_str()),
                "{}: {}",
                p.id,
                p.category
            );
            assert!(
                (16.3..16.6).contains(&p.latitude) && (107.5..107.7).contains(&p.longitude),
                "{}",
                p.id
            );
            assert!(
                !p.description_vi.is_empty() && !p.description_en.is_empty(),
                "{}",
                p.id
            );
        }
        let dai_noi = places.iter().find(|p| p.id == "dai-noi").expect("Đại Nội");
        assert!(dai_noi.sight && dai_noi.tickets.iter().any(|t| t.price_vnd == 200_000));
    }

    /// Huế's 40 wards and communes since 1 July 2025 (General Statistics Office, letter
    /// 1027/CTK-CSCL): (kind, name), kind `phuong` or `xa`.
    fn wards() -> Vec<(String, String)> {
        tsv_rows(include_str!("../data/hue-wards-2025.tsv"))
            .skip(1)
            .filter_map(|f| Some((f.get(1)?.to_string(), f.get(2)?.to_string())))
            .collect()
    }

    /// "Chân Mây - Lăng Cô" and "Chân Mây-Lăng Cô" are one name.
    fn same_name(a: &str) -> String {
        a.replace(" - ", "-").to_lowercase()
    }

    /// The language of a demo text: Vietnamese, English, or both (an address, a CAP message).
    #[derive(Clone, Copy, PartialEq)]
    enum In {
        Vi,
        En,
        Both,
    }

    /// Every text the demo shows a resident or a visitor: the demo data and both Fluent
    /// files, each with where it comes from and its language.
    fn demo_texts() -> Vec<(String, In, String)> {
        let mut texts: Vec<(String, In, String)> = Vec::new();
        let mut add = |at: String, lang: In, t: &str| texts.push((at, lang, t.to_owned()));
        for c in categories() {
            let at = format!("category {}", c.code);
            for (lang, t) in [
                (In::Vi, &c.name_vi),
                (In::En, &c.name_en),
                (In::Vi, &c.description_vi),
                (In::En, &c.description_en),
            ] {
                add(at.clone(), lang, t);
            }
        }
        for p in places() {
            let at = format!("place {}", p.id);
            for (lang, t) in [
                (In::Vi, &p.name_vi),
                (In::En, &p.name_en),
                (In::Both, &p.address),
                (In::Vi, &p.description_vi),
                (In::En, &p.description_en),
            ] {
                add(at.clone(), lang, t);
            }
        }
        for p in procedures() {
            let at = format!("procedure {}", p.id);
            let vi = [&p.name_vi, &p.agency_vi, &p.fee_vi, &p.where_vi];
            let en = [&p.name_en, &p.agency_en, &p.fee_en, &p.where_en];
            for t in vi.into_iter().chain(&p.documents_vi) {
                add(at.clone(), In::Vi, t);
            }
            for t in en.into_iter().chain(&p.documents_en) {
                add(at.clone(), In::En, t);
            }
        }
        for a in demo_alerts() {
            let at = format!("alert {}", a.id);
            for t in a.vi.iter().chain([&a.area_vi]) {
                add(at.clone(), In::Vi, t);
            }
            for t in a.en.iter().chain([&a.area_en]) {
                add(at.clone(), In::En, t);
            }
            add(
                format!("{at} (CAP)"),
                In::Both,
                &demo_alert_xml(&a, chrono::Utc::now()),
            );
        }
        for u in crate::staff::demo_units() {
            add(format!("unit {}", u.id), In::Vi, &u.name_vi);
            add(format!("unit {}", u.id), In::En, &u.name_en);
        }
        for (file, lang, ftl) in [
            ("vi", In::Vi, include_str!("../../../i18n/vi/console.ftl")),
            ("en", In::En, include_str!("../../../i18n/en/console.ftl")),
        ] {
            for (n, line) in ftl.lines().enumerate() {
                if !line.trim_start().starts_with('#') {
                    add(format!("i18n/{file}/console.ftl:{}", n + 1), lang, line);
                }
            }
        }
        for d in demo_dossiers() {
            add(format!("dossier {}", d.code), In::Vi, d.unit_vi);
            add(format!("dossier {}", d.code), In::En, d.unit_en);
        }
        for (file, lang, ftl) in [
            ("vi", In::Vi, include_str!("../../../i18n/vi/main.ftl")),
            ("en", In::En, include_str!("../../../i18n/en/main.ftl")),
        ] {
            for (n, line) in ftl.lines().enumerate() {
                if !line.trim_start().starts_with('#') {
                    add(format!("i18n/{file}/main.ftl:{}", n + 1), lang, line);
                }
            }
        }
        texts
    }

    /// Issue 12, item 2: the demo describes Huế as it is since 1 July 2025, a centrally-run
    /// city of 40 wards and communes with no districts.
    #[test]
    fn the_demo_speaks_of_the_two_tier_city_and_its_40_wards_and_communes() {
        let wards = wards();
        assert_eq!(wards.len(), 40);
        let known = |kind: &str, name: &str| {
            wards
                .iter()
                .any(|(k, n)| (kind.is_empty() || k == kind) && same_name(n) == same_name(name))
        };
        // A proper name: capitalised words (or numbers, as in "A Lưới 1"), maybe hyphenated.
        let name = r"\p{Lu}[\p{L}]*(?:(?: | - |-)(?:\p{Lu}[\p{L}]*|[0-9]+))*";
        let vi_unit = regex::Regex::new(&format!(r"\b(phường|xã) ({name})")).expect("re");
        let en_unit =
            regex::Regex::new(&format!(r"({name}) (?:[Ww]ard|[Cc]ommune)s?\b")).expect("re");
        // Levels a two-tier city no longer has; "các tỉnh" (other provinces) is not one.
        let old_level = regex::Regex::new(
            r"(?i)\b(quận|huyện|thị xã|thị trấn)\b|(?:^|[^\p{L}])(tỉnh)\b|\b(province|provincial|district)\b",
        )
        .expect("re");
        let other_provinces = regex::Regex::new(r"(?i)các tỉnh|tỉnh bạn").expect("re");
        // Wards merged away on 1 July 2025 (their names no longer an address).
        let merged = [
            "Vĩnh Ninh",
            "Phú Hội",
            "Phú Nhuận",
            "Thuận Hòa",
            "Phú Hậu",
            "An Đông",
            "An Tây",
            "Phú Hòa",
            "Phước Vĩnh",
            "Trường An",
            "Tây Lộc",
            "Thuận Lộc",
            "Thuận Thành",
            "Gia Hội",
            "Xuân Phú",
            "Thủy Biều",
            "Thủy Bằng",
            "Thủy Vân",
            "Hương Sơ",
            "Hương Long",
            "An Hòa",
            "Phú Thượng",
            "Phú Cát",
            "Phú Hiệp",
            "Phú Bình",
            "Hương Thọ",
            "Hương Hồ",
            "Thủy Dương",
            "Thủy Phương",
        ];
        let mut wrong = Vec::new();
        for (at, _, text) in demo_texts() {
            for c in vi_unit.captures_iter(&text) {
                let kind = if &c[1] == "xã" { "xa" } else { "phuong" };
                if !known(kind, &c[2]) {
                    wrong.push(format!("{at}: {} {} is not one of the 40", &c[1], &c[2]));
                }
            }
            for c in en_unit.captures_iter(&text) {
                // "The ward or commune": no name.
                let n = c[1].trim_start_matches("The ");
                if n != "The" && !known("", n) {
                    wrong.push(format!("{at}: {n} ward/commune is not one of the 40"));
                }
            }
            let without_others = other_provinces.replace_all(&text, "");
            if let Some(m) = old_level.find(&without_others) {
                wrong.push(format!(
                    "{at}: \"{}\" names a level Huế no longer has",
                    m.as_str()
                ));
            }
            for m in merged {
                if text.contains(m) {
                    wrong.push(format!("{at}: {m} was merged away on 1 July 2025"));
                }
            }
        }
        // A place's address ends with its ward or commune.
        for p in places() {
            let last = p.address.rsplit(", ").next().unwrap_or_default();
            let (kind, n) = last.split_once(' ').unwrap_or_default();
            let kind = match kind {
                "phường" => "phuong",
                "xã" => "xa",
                _ => "?",
            };
            if !known(kind, n) {
                wrong.push(format!(
                    "place {}: address \"{}\" does not end with one of the 40",
                    p.id, p.address
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        // The test sees what it must: a made-up ward and an old level fail it.
        assert!(
            vi_unit
                .captures("phường Vĩnh Ninh")
                .is_some_and(|c| !known("phuong", &c[2]))
        );
        assert!(
            vi_unit
                .captures("xã Chân Mây - Lăng Cô")
                .is_some_and(|c| known("xa", &c[2]))
        );
        assert!(old_level.is_match("Cảnh báo cho toàn tỉnh."));
        assert!(old_level.is_match("huyện Phú Vang"));
        assert!(!old_level.is_match(&other_provinces.replace_all("Xe đi các tỉnh phía Nam", "")));
    }

    /// Issue 12, item 3: the demo data uses the glossary's words (`i18n/GLOSSARY.md`).
    #[test]
    fn the_demo_data_follows_the_glossary() {
        use hues_wire::glossary::{Lang, Used, faults, parse};
        let terms = parse(include_str!("../../../i18n/GLOSSARY.md"));
        let (mut vi, mut en) = (String::new(), String::new());
        for (at, lang, text) in demo_texts() {
            // The Fluent files have their own test (src/i18n.rs); an address or a CAP
            // message, both languages, is checked against neither's avoided words.
            let target = match lang {
                _ if at.starts_with("i18n/") => continue,
                In::Vi => &mut vi,
                In::En => &mut en,
                In::Both => continue,
            };
            target.push_str(&text);
            target.push('\n');
        }
        for (lang, text) in [(Lang::Vi, &vi), (Lang::En, &en)] {
            let bad = faults(&terms, lang, Used::Data, text);
            assert!(bad.is_empty(), "{lang:?}: {bad:#?}");
        }
    }

    #[test]
    fn every_procedure_line_parses_and_every_topic_has_some() {
        let lines = tsv_rows(PROCEDURES_TSV).count();
        let all = procedures();
        assert_eq!(all.len(), lines, "a line did not parse");
        assert!(all.len() >= 30);
        for topic in hues_wire::dossiers::PROCEDURE_TOPICS {
            assert!(all.iter().any(|p| p.topic == topic), "{topic}");
        }
        for p in &all {
            assert!(
                hues_wire::dossiers::PROCEDURE_TOPICS.contains(&p.topic.as_str()),
                "{}",
                p.id
            );
            assert!(
                !p.documents_vi.is_empty() && p.documents_vi.len() == p.documents_en.len(),
                "{}",
                p.id
            );
        }
        for d in demo_dossiers() {
            assert!(all.iter().any(|p| p.id == d.procedure), "{}", d.code);
        }
    }
}
