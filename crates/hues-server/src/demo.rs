//! Huế demo data for `--demo`: the report categories of a city app (later issues add places,
//! alerts, procedures).

use hues_wire::api::{AttributeType, AttributeValue, Category, CategoryAttribute};

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
pub fn seed(db: &Db) -> anyhow::Result<()> {
    db.run_blocking(|conn| {
        let tx = conn.transaction()?;
        for c in categories() {
            let unchanged = store::categories(&tx)?.contains(&c);
            if !unchanged {
                store::upsert_category(&tx, &c)?;
            }
        }
        tx.commit()?;
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("seeding demo data: {}", e.0))
}
