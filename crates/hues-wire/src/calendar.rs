//! The Vietnamese office calendar: public holidays (solar and lunar, with the days moved or
//! swapped by the government) and the Saturdays worked to make up for swapped days, from the
//! data files `data/calendar/vn-<year>.txt` (one per year, each line naming its source: add
//! next year's when the government publishes it). A year whose notice is not out yet is
//! *provisional*: its days follow the Labour Code, and the app says so beside a date in it.
//! Opening hours ("PH off") and dossier deadlines in working days (`deadline`) read it; server
//! and app share it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};

/// One file per year, in order.
const YEARS: [&str; 3] = [
    include_str!("../data/calendar/vn-2025.txt"),
    include_str!("../data/calendar/vn-2026.txt"),
    include_str!("../data/calendar/vn-2027.txt"),
];

/// Why a day is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HolidayKind {
    /// A holiday of the Labour Code (Bộ luật Lao động 2019, Điều 112).
    NewYear,
    Tet,
    HungKings,
    Reunification,
    LabourDay,
    NationalDay,
    /// Ngày Văn hóa Việt Nam, 24 November, from 2026 (Nghị quyết 28/2026/QH16).
    CultureDay,
    /// A working day off in lieu of a holiday that fell on a weekend (nghỉ bù).
    Compensatory,
    /// A working day off next to a holiday, made up on a Saturday (hoán đổi).
    Swapped,
}

impl HolidayKind {
    pub const ALL: [HolidayKind; 9] = [
        Self::NewYear,
        Self::Tet,
        Self::HungKings,
        Self::Reunification,
        Self::LabourDay,
        Self::NationalDay,
        Self::CultureDay,
        Self::Compensatory,
        Self::Swapped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewYear => "new_year",
            Self::Tet => "tet",
            Self::HungKings => "hung_kings",
            Self::Reunification => "reunification",
            Self::LabourDay => "labour_day",
            Self::NationalDay => "national_day",
            Self::CultureDay => "culture_day",
            Self::Compensatory => "compensatory",
            Self::Swapped => "swapped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The days the Labour Code gives this holiday in `year` (0 for the days it does not
    /// define: compensatory and swapped days, Culture Day before 2026).
    pub fn labour_code_days(self, year: i32) -> usize {
        match self {
            Self::Tet => 5,
            Self::NationalDay => 2,
            Self::NewYear | Self::HungKings | Self::Reunification | Self::LabourDay => 1,
            Self::CultureDay if year >= 2026 => 1,
            Self::CultureDay | Self::Compensatory | Self::Swapped => 0,
        }
    }

    /// Its solar date (month, day), for the holidays that have one.
    pub fn solar_date(self) -> Option<(u32, u32)> {
        match self {
            Self::NewYear => Some((1, 1)),
            Self::Reunification => Some((4, 30)),
            Self::LabourDay => Some((5, 1)),
            Self::NationalDay => Some((9, 2)),
            Self::CultureDay => Some((11, 24)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub kind: HolidayKind,
    pub name_vi: String,
    pub name_en: String,
    /// The notice or law that sets it, as written in the file.
    pub source: String,
}

#[derive(Debug, Default)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, Holiday>,
    workdays: BTreeMap<NaiveDate, String>,
    /// Years whose government notice the data follows.
    announced: BTreeSet<i32>,
    /// Years computed by the Labour Code's rules until the notice is out.
    provisional: BTreeSet<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    pub line: usize,
    pub what: String,
}

impl Calendar {
    /// Parses the calendar format (see `vn-2025.txt`'s header).
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut cal = Calendar::default();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |what: &str| CalendarError {
                line: n + 1,
                what: what.to_owned(),
            };
            let (head, rest) = line.split_once('|').unwrap_or((line, ""));
            let head: Vec<&str> = head.split_whitespace().collect();
            let fields: Vec<&str> = rest.split('|').map(str::trim).collect();
            let date =
                |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| err("bad date"));
            // name_vi | name_en | source, all given.
            let named = || match fields.as_slice() {
                [vi, en, source] if !vi.is_empty() && !en.is_empty() && !source.is_empty() => {
                    Ok((*vi, *en, *source))
                }
                _ => Err(err("expected: … | Vietnamese | English | source")),
            };
            match head.as_slice() {
                ["year", year, status] => {
                    let year: i32 = year.parse().map_err(|_| err("bad year"))?;
                    match *status {
                        "announced" => cal.announced.insert(year),
                        "provisional" => cal.provisional.insert(year),
                        _ => return Err(err("a year is announced or provisional")),
                    };
                }
                ["holiday", d, kind] => {
                    let kind = HolidayKind::parse(kind).ok_or_else(|| err("unknown kind"))?;
                    let (vi, en, source) = named()?;
                    cal.holidays.insert(
                        date(d)?,
                        Holiday {
                            kind,
                            name_vi: vi.to_owned(),
                            name_en: en.to_owned(),
                            source: source.to_owned(),
                        },
                    );
                }
                ["workday", d] => {
                    let (vi, _, source) = named()?;
                    cal.workdays.insert(date(d)?, format!("{vi} ({source})"));
                }
                _ => {
                    return Err(err(
                        "expected: year Y status, holiday DATE KIND | …, or workday DATE | …",
                    ));
                }
            }
        }
        for d in cal.holidays.keys().chain(cal.workdays.keys()) {
            if !cal.announced.contains(&d.year()) && !cal.provisional.contains(&d.year()) {
                return Err(CalendarError {
                    line: 0,
                    what: format!("{d}: its year is neither announced nor provisional"),
                });
            }
        }
        Ok(cal)
    }

    /// Vietnam's calendar as shipped (2025–2027).
    pub fn vietnam() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        // The shipped file is checked by a test; an error here would leave an empty calendar
        // rather than stop the app.
        CAL.get_or_init(|| Calendar::parse(&YEARS.concat()).unwrap_or_default())
    }

    pub fn holiday(&self, d: NaiveDate) -> Option<&Holiday> {
        self.holidays.get(&d)
    }

    pub fn is_public_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.contains_key(&d)
    }

    /// Offices work: Monday to Friday except holidays, plus the make-up Saturdays.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains_key(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_public_holiday(d)
    }

    /// Public holidays between two dates, inclusive.
    pub fn holidays_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = (&NaiveDate, &Holiday)> {
        self.holidays.range(from..=to)
    }

    /// The years the data covers.
    pub fn years(&self) -> BTreeSet<i32> {
        self.announced.union(&self.provisional).copied().collect()
    }

    /// Whether dates in `year` are not (yet) from the government's notice: computed by the
    /// Labour Code's rules, or not covered at all.
    pub fn is_provisional(&self, year: i32) -> bool {
        !self.announced.contains(&year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn is_weekend(d: NaiveDate) -> bool {
        matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    #[test]
    fn the_shipped_files_parse_and_say_which_years_are_provisional() {
        for (year, text) in (2025..).zip(YEARS) {
            let cal = Calendar::parse(text).expect("calendar file");
            assert_eq!(cal.years(), BTreeSet::from([year]), "one year per file");
        }
        let cal = Calendar::parse(&YEARS.concat()).expect("calendar files");
        assert_eq!(
            cal.years().into_iter().collect::<Vec<_>>(),
            [2025, 2026, 2027]
        );
        assert!(!cal.is_provisional(2025) && !cal.is_provisional(2026));
        assert!(cal.is_provisional(2027), "no notice for 2027 yet");
        assert!(cal.is_provisional(2028), "not covered at all");
        for (date, h) in cal.holidays_between(d(2025, 1, 1), d(2027, 12, 31)) {
            assert!(!h.source.is_empty(), "{date} names no source");
            if matches!(h.kind, HolidayKind::Compensatory | HolidayKind::Swapped) {
                assert!(!is_weekend(*date), "{date}: a day in lieu on a weekend");
            }
        }
        for w in cal.workdays.keys() {
            assert_eq!(w.weekday(), Weekday::Sat, "{w}");
        }
    }

    /// Every year file lists each holiday of the Labour Code (Điều 112) with its number of
    /// days, the solar ones on their dates, Tết's days in a row; a swapped day has its
    /// make-up Saturday; in a provisional year, every holiday on a weekend has its day in lieu.
    #[test]
    fn every_year_file_lists_every_holiday_the_labour_code_defines() {
        for (year, text) in (2025..).zip(YEARS) {
            let cal = Calendar::parse(text).expect("calendar file");
            let of = |kind: HolidayKind| -> Vec<NaiveDate> {
                cal.holidays
                    .iter()
                    .filter(|(_, h)| h.kind == kind)
                    .map(|(d, _)| *d)
                    .collect()
            };
            for kind in HolidayKind::ALL {
                let want = kind.labour_code_days(year);
                if want > 0 {
                    assert_eq!(of(kind).len(), want, "{year}: {}", kind.as_str());
                }
                if let (Some((m, day)), true) = (kind.solar_date(), want > 0) {
                    assert!(
                        of(kind).contains(&d(year, m, day)),
                        "{year}: {} not on {day}/{m}",
                        kind.as_str()
                    );
                }
            }
            let tet = of(HolidayKind::Tet);
            assert!(
                tet.windows(2)
                    .all(|w| w[1] - w[0] == chrono::Duration::days(1)),
                "{year}: Tết's days are not in a row: {tet:?}"
            );
            assert_eq!(
                of(HolidayKind::Swapped).len(),
                cal.workdays.len(),
                "{year}: each swapped day has its make-up Saturday"
            );
            let on_weekends = HolidayKind::ALL
                .into_iter()
                .filter(|k| k.labour_code_days(year) > 0)
                .flat_map(of)
                .filter(|d| is_weekend(*d))
                .count();
            let in_lieu = of(HolidayKind::Compensatory).len();
            if cal.is_provisional(year) {
                assert_eq!(in_lieu, on_weekends, "{year}: days in lieu");
            } else {
                assert!(in_lieu <= on_weekends, "{year}: days in lieu");
            }
        }
    }

    #[test]
    fn working_days_table() {
        let cal = Calendar::vietnam();
        let cases = [
            (d(2026, 1, 1), false, "New Year 2026"),
            (d(2026, 1, 2), false, "Friday 2 Jan 2026, swapped"),
            (d(2026, 1, 10), true, "Saturday 10 Jan 2026, made up"),
            (d(2026, 2, 13), true, "Friday before Tết 2026"),
            (d(2026, 2, 16), false, "29 Tết 2026"),
            (d(2026, 2, 17), false, "mùng 1 Tết 2026"),
            (d(2026, 2, 20), false, "mùng 4 Tết 2026"),
            (d(2026, 2, 21), false, "a Saturday"),
            (d(2026, 2, 23), true, "back to work after Tết 2026"),
            (d(2026, 4, 27), false, "Hùng Kings 2026, moved from Sunday"),
            (d(2026, 8, 22), true, "Saturday 22 Aug 2026, made up"),
            (d(2026, 8, 31), false, "Monday 31 Aug 2026, swapped"),
            (d(2026, 9, 1), false, "National Day 2026"),
            (d(2026, 9, 2), false, "National Day 2026"),
            (d(2026, 9, 3), true, "back to work after National Day 2026"),
            (d(2026, 11, 24), false, "Vietnamese Culture Day 2026"),
            (
                d(2025, 11, 24),
                true,
                "Culture Day is a day off from 2026 only",
            ),
            (d(2025, 2, 8), true, "Saturday made up for 27 Jan 2025"),
            (d(2025, 2, 15), false, "an ordinary Saturday"),
            (d(2025, 5, 2), false, "swapped Friday 2 May 2025"),
            (d(2025, 4, 26), true, "Saturday made up for 2 May 2025"),
            (d(2027, 2, 4), true, "the day before 29 Tết 2027"),
            (d(2027, 2, 5), false, "29 Tết 2027"),
            (
                d(2027, 2, 10),
                false,
                "Tết 2027, in lieu of mùng 1 on a Saturday",
            ),
            (d(2027, 2, 12), true, "back to work after Tết 2027"),
            (d(2027, 11, 24), false, "Vietnamese Culture Day 2027"),
        ];
        for (date, working, why) in cases {
            assert_eq!(cal.is_working_day(date), working, "{date} ({why})");
        }
        let eve = cal.holiday(d(2027, 2, 5)).expect("29 Tết 2027");
        assert!(eve.name_vi.contains("29 Tết"), "{}", eve.name_vi);
        assert!(
            cal.holiday(d(2026, 9, 2))
                .is_some_and(|h| h.name_en == "National Day" && h.kind == HolidayKind::NationalDay)
        );
        assert_eq!(
            cal.holiday(d(2026, 11, 24)).map(|h| h.source.as_str()),
            Some("Nghị quyết 28/2026/QH16")
        );
    }

    #[test]
    fn bad_lines_are_named() {
        let year = "year 2026 announced\n";
        let e = Calendar::parse(&format!("{year}holiday 2026-13-01 tet | x | y | z"))
            .expect_err("bad date");
        assert_eq!(e.line, 2);
        for bad in [
            "feast 2026-01-01 tet | x | y | z",
            "holiday 2026-01-01 feast | x | y | z",
            "holiday 2026-01-01 tet | x | y",
            "holiday 2026-01-01 tet | x | y | ",
            "workday 2026-01-10 | x | y",
            "year 2026 maybe",
        ] {
            assert!(Calendar::parse(&format!("{year}{bad}")).is_err(), "{bad}");
        }
        assert!(
            Calendar::parse("holiday 2026-01-01 new_year | x | y | z").is_err(),
            "a day in a year the file does not declare"
        );
        assert!(Calendar::parse(&format!("{year}holiday 2026-01-01 new_year | x | y | z")).is_ok());
    }
}
