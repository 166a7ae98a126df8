//! Synthetic places for benchmarks and load tests: `n` deterministic places around Huế with
//! Vietnamese names, addresses, categories and opening hours (no I/O, same output for the same
//! seed on every machine).

use crate::api::{PLACE_CATEGORIES, Place};

const FIRST: [&str; 16] = [
    "Nhà thuốc",
    "Quán",
    "Tiệm",
    "Cửa hàng",
    "Phòng khám",
    "Trạm",
    "Chợ",
    "Nhà hàng",
    "Khách sạn",
    "Trường",
    "Bưu cục",
    "Nhà sách",
    "Tạp hóa",
    "Cà phê",
    "Bến",
    "Điểm",
];
const NAMES: [&str; 24] = [
    "Hòa Bình",
    "An Cựu",
    "Đông Ba",
    "Thuận Hóa",
    "Hương An",
    "Thuận An",
    "Kim Long",
    "Hương Giang",
    "Kim Trà",
    "Ngự Bình",
    "Thủy Xuân",
    "Phú Xuân",
    "Dương Nỗ",
    "Mỹ Thượng",
    "Vỹ Dạ",
    "Đức Thành",
    "Minh Mạng",
    "Tự Đức",
    "Lê Lợi",
    "Bạch Đằng",
    "Hùng Vương",
    "Nguyễn Huệ",
    "Trần Phú",
    "Đống Đa",
];
const STREETS: [&str; 12] = [
    "Lê Lợi",
    "Hùng Vương",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Bà Triệu",
    "Điện Biên Phủ",
    "Phan Đình Phùng",
    "Lê Duẩn",
    "Nguyễn Trãi",
    "Đinh Tiên Hoàng",
    "Mai Thúc Loan",
    "Chi Lăng",
];
const HOURS: [&str; 5] = [
    "Mo-Su 07:00-21:00",
    "Mo-Fr 07:30-11:30,13:30-17:00; PH off",
    "24/7",
    "Mo-Sa 06:00-22:00; Su 07:00-20:00",
    "Mo-Su 18:00-02:00",
];

/// A small, fast, deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` places spread over greater Huế (about 25 × 25 km), ids `syn-<seed>-<i>`.
pub fn places(n: usize, seed: u64) -> Vec<Place> {
    let mut r = Rng(seed);
    (0..n)
        .map(|i| {
            let kind = r.pick(&FIRST);
            let name = r.pick(&NAMES);
            let street = r.pick(&STREETS);
            let number = r.next() % 300 + 1;
            let category = PLACE_CATEGORIES[(r.next() % PLACE_CATEGORIES.len() as u64) as usize];
            Place {
                id: format!("syn-{seed}-{i}"),
                category: category.into(),
                name_vi: format!("{kind} {name} {}", i % 1000),
                name_en: format!("{name} {} ({category})", i % 1000),
                address: format!("{number} {street}, Huế"),
                latitude: 16.35 + r.unit() * 0.23,
                longitude: 107.48 + r.unit() * 0.24,
                opening_hours: r.pick(&HOURS).into(),
                ..Default::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_varied() {
        let a = places(1000, 7);
        assert_eq!(a, places(1000, 7));
        assert_ne!(a[0], places(1, 8)[0]);
        let categories: std::collections::BTreeSet<_> = a.iter().map(|p| &p.category).collect();
        assert_eq!(categories.len(), PLACE_CATEGORIES.len());
        assert!(a.iter().all(|p| (16.35..16.58).contains(&p.latitude)));
    }
}
