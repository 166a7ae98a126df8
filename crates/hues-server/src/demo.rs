//! Huế demo data for `--demo`: the report categories of a city app and the city's main places
//! (later issues add alerts and procedures).

use hues_wire::api::{AttributeType, AttributeValue, Category, CategoryAttribute, Place, Ticket};

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
        "Uncollected rubbish, fly-tipping, pollution",
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

/// Seeds (or refreshes) the demo data; safe to run at every start.
/// The city's main places, from `data/places-hue.tsv` (see its header for the columns).
const PLACES_TSV: &str = include_str!("../data/places-hue.tsv");

pub fn places() -> Vec<Place> {
    PLACES_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
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
        tx.commit()?;
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("seeding demo data: {}", e.0))
}

/// One demo CAP alert: a Vietnamese and an English `info`, each with the same areas.
struct DemoAlert {
    id: &'static str,
    msg_type: &'static str,
    references: Option<&'static str>,
    sent: &'static str,
    expires: &'static str,
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

fn demo_alert_xml(a: &DemoAlert) -> String {
    let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
    let refs = a
        .references
        .map(|r| format!("  <references>{r}</references>\n"))
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
            sent = a.sent,
            exp = a.expires,
            sender = if lang == "vi-VN" {
                "Ban Chỉ huy Phòng chống thiên tai và TKCN thành phố Huế"
            } else {
                "Huế City Steering Committee for Disaster Prevention and Search and Rescue"
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
        sent = a.sent,
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
            sent: "2026-11-21T14:00:00+07:00",
            expires: "2026-12-15T18:00:00+07:00",
            category: "Met",
            severity: "Severe",
            urgency: "Expected",
            certainty: "Likely",
            response: "Prepare",
            vi: [
                "Lũ trên sông Hương",
                "Cảnh báo lũ trên sông Hương, báo động 2",
                "Mực nước sông Hương tại Kim Long đang lên, dự báo vượt báo động 2 trong 12 giờ tới. Các khu vực trũng ven sông có nguy cơ ngập 0,3–0,6 m.",
                "Kê cao đồ đạc, không đi qua các đoạn đường ngập sâu, theo dõi thông tin từ chính quyền.",
            ],
            en: [
                "Perfume River flood",
                "Flood warning on the Perfume River, alarm level 2",
                "The Perfume River at Kim Long is rising and is expected to pass alarm level 2 within 12 hours. Low-lying riverside areas may flood 0.3–0.6 m deep.",
                "Raise belongings, do not cross deeply flooded roads, follow the authorities' updates.",
            ],
            area_vi: "Ven sông Hương từ Kim Long đến Vỹ Dạ",
            area_en: "Perfume River banks from Kim Long to Vỹ Dạ",
            polygon: Some(
                "16.455,107.545 16.470,107.545 16.480,107.580 16.478,107.610 16.462,107.615 16.452,107.590 16.455,107.545",
            ),
            circle: None,
        },
        DemoAlert {
            id: "HUE-2026-BAO-SO-12-01",
            msg_type: "Alert",
            references: None,
            sent: "2026-11-21T16:00:00+07:00",
            expires: "2026-12-10T16:00:00+07:00",
            category: "Met",
            severity: "Extreme",
            urgency: "Immediate",
            certainty: "Observed",
            response: "Evacuate",
            vi: [
                "Bão số 12",
                "Bão số 12 đổ bộ vùng ven biển Huế",
                "Bão gió mạnh cấp 10, giật cấp 12, sóng biển cao 4–6 m. Vùng ven biển Thuận An, Phú Vang có nguy cơ nước dâng.",
                "Di dời người dân vùng ven biển đến nơi an toàn; tàu thuyền không ra khơi.",
            ],
            en: [
                "Tropical storm No. 12",
                "Tropical storm No. 12 making landfall on Huế's coast",
                "Winds force 10 gusting 12, waves 4–6 m. The Thuận An and Phú Vang coast risks a storm surge.",
                "Evacuate the coastal area to safe shelters; boats must stay in port.",
            ],
            area_vi: "Vùng ven biển Thuận An – Phú Vang",
            area_en: "Thuận An – Phú Vang coast",
            polygon: Some(
                "16.600,107.550 16.600,107.650 16.400,107.950 16.250,108.050 16.200,107.950 16.450,107.650 16.600,107.550",
            ),
            circle: None,
        },
        DemoAlert {
            id: "HUE-2026-CAM-DUONG-LE-DUAN-01",
            msg_type: "Alert",
            references: None,
            sent: "2026-11-21T08:00:00+07:00",
            expires: "2026-12-05T18:00:00+07:00",
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
            sent: "2026-11-20T10:00:00+07:00",
            expires: "2026-12-20T10:00:00+07:00",
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
            references: Some("pctt@hue.gov.vn,HUE-2026-SAT-LO-01,2026-11-20T10:00:00+07:00"),
            sent: "2026-11-21T09:00:00+07:00",
            expires: "2026-12-20T10:00:00+07:00",
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
                "Landslide warning for Thiên An hill cancelled",
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
            sent: "2026-08-10T07:00:00+07:00",
            expires: "2026-08-15T19:00:00+07:00",
            category: "Met",
            severity: "Moderate",
            urgency: "Expected",
            certainty: "Likely",
            response: "Prepare",
            vi: [
                "Nắng nóng",
                "Nắng nóng gay gắt, nhiệt độ tới 39 °C",
                "Nắng nóng gay gắt trên toàn tỉnh, độ ẩm thấp.",
                "Hạn chế ra ngoài từ 11 đến 16 giờ, uống đủ nước.",
            ],
            en: [
                "Heat",
                "Severe heat, up to 39 °C",
                "Severe heat across the province, low humidity.",
                "Avoid going out from 11:00 to 16:00, drink enough water.",
            ],
            area_vi: "Toàn tỉnh",
            area_en: "The whole province",
            polygon: None,
            circle: None,
        },
    ]
}

/// Seeds the demo alerts (once: a stored identifier is left as it is).
pub fn seed_alerts(db: &Db) -> anyhow::Result<()> {
    for a in demo_alerts() {
        let xml = demo_alert_xml(&a);
        let root = crate::cap::parse_tree(&xml)
            .and_then(|r| crate::cap::validate(&r).map(|()| r))
            .map_err(|e| anyhow::anyhow!("demo alert {}: {e}", a.id))?;
        db.run_blocking(|c| crate::alerts::store_alert(c, &root).map(|_| ()))
            .map_err(|e| anyhow::anyhow!("seeding alert {}: {}", a.id, e.0))?;
    }
    Ok(())
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
}
