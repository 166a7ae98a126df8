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
