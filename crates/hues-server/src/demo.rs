//! Huế demo data for `--demo`: the report categories of a city app and the city's main places
//! (later issues add alerts and procedures).

use hues_wire::api::{AttributeType, AttributeValue, Category, CategoryAttribute, Place};

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
/// (id, category, Vietnamese name, English name, address, latitude, longitude)
const PLACES: &[(&str, &str, &str, &str, &str, f64, f64)] = &[
    (
        "dai-noi",
        "heritage_site",
        "Đại Nội (Hoàng thành Huế)",
        "Imperial City (Đại Nội)",
        "23 Tháng 8, Thuận Hòa",
        16.4695,
        107.5780,
    ),
    (
        "ngo-mon",
        "heritage_site",
        "Ngọ Môn",
        "Ngọ Môn (Noon Gate)",
        "23 Tháng 8, Thuận Hòa",
        16.4668,
        107.5790,
    ),
    (
        "thien-mu",
        "pagoda",
        "Chùa Thiên Mụ",
        "Thiên Mụ Pagoda",
        "Nguyễn Phúc Nguyên, Kim Long",
        16.4533,
        107.5447,
    ),
    (
        "lang-tu-duc",
        "heritage_site",
        "Lăng Tự Đức",
        "Tomb of Tự Đức",
        "17/69 Lê Ngô Cát, Thủy Xuân",
        16.4330,
        107.5640,
    ),
    (
        "lang-khai-dinh",
        "heritage_site",
        "Lăng Khải Định",
        "Tomb of Khải Định",
        "Khải Định, Thủy Bằng",
        16.3987,
        107.5904,
    ),
    (
        "lang-minh-mang",
        "heritage_site",
        "Lăng Minh Mạng",
        "Tomb of Minh Mạng",
        "Quốc lộ 49, Hương Thọ",
        16.3882,
        107.5700,
    ),
    (
        "cho-dong-ba",
        "market",
        "Chợ Đông Ba",
        "Đông Ba Market",
        "2 Trần Hưng Đạo, Phú Hòa",
        16.4726,
        107.5884,
    ),
    (
        "cau-truong-tien",
        "heritage_site",
        "Cầu Trường Tiền",
        "Trường Tiền Bridge",
        "Lê Lợi – Trần Hưng Đạo",
        16.4680,
        107.5907,
    ),
    (
        "bv-trung-uong-hue",
        "hospital",
        "Bệnh viện Trung ương Huế",
        "Huế Central Hospital",
        "16 Lê Lợi, Vĩnh Ninh",
        16.4620,
        107.5878,
    ),
    (
        "ga-hue",
        "bus_stop",
        "Ga Huế",
        "Huế Railway Station",
        "2 Bùi Thị Xuân, Đúc",
        16.4565,
        107.5781,
    ),
    (
        "hcc-tinh",
        "government_office",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Provincial Public Administration Service Centre",
        "01 Lê Lai, Vĩnh Ninh",
        16.4632,
        107.5918,
    ),
    (
        "bao-tang-co-vat",
        "museum",
        "Bảo tàng Cổ vật Cung đình Huế",
        "Museum of Royal Antiquities",
        "3 Lê Trực, Phú Hậu",
        16.4720,
        107.5830,
    ),
    (
        "quoc-hoc",
        "school",
        "Trường THPT Chuyên Quốc Học",
        "Quốc Học High School",
        "12 Lê Lợi, Vĩnh Ninh",
        16.4640,
        107.5856,
    ),
    (
        "ben-xe-phia-nam",
        "bus_stop",
        "Bến xe phía Nam",
        "South Bus Station",
        "97 An Dương Vương, An Đông",
        16.4488,
        107.6068,
    ),
    (
        "nha-tho-phu-cam",
        "pagoda",
        "Nhà thờ Chính tòa Phủ Cam",
        "Phủ Cam Cathedral",
        "1 Nguyễn Trường Tộ, Phước Vĩnh",
        16.4555,
        107.5900,
    ),
    (
        "chua-tu-dam",
        "pagoda",
        "Chùa Từ Đàm",
        "Từ Đàm Pagoda",
        "1 Sư Liễu Quán, Trường An",
        16.4530,
        107.5730,
    ),
    (
        "cung-an-dinh",
        "heritage_site",
        "Cung An Định",
        "An Định Palace",
        "179B Phan Đình Phùng, Phú Nhuận",
        16.4595,
        107.5935,
    ),
];

pub fn places() -> Vec<Place> {
    PLACES
        .iter()
        .map(
            |&(id, category, name_vi, name_en, address, latitude, longitude)| Place {
                id: id.into(),
                category: category.into(),
                name_vi: name_vi.into(),
                name_en: name_en.into(),
                address: address.into(),
                latitude,
                longitude,
            },
        )
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
