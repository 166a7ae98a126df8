//! The Vietnamese office calendar: public holidays (solar and lunar, with the days moved or
//! bridged by the government) and the Saturdays worked to make up for bridged days, from the
//! data files `data/calendar/vn-<year>.txt` (one per year: add next year's when the government
//! publishes it). Opening hours ("PH off") and dossier deadlines in working days (`deadline`)
//! read it; server and app share it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};

/// One file per year, in order.
const YEARS: [&str; 3] = [
    include_str!("../data/calendar/vn-2025.txt"),
    include_str!("../data/calendar/vn-2026.txt"),
    include_str!("../data/calendar/vn-2027.txt"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name_vi: String,
    pub name_en: String,
}

#[derive(Debug, Default)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, Holiday>,
    workdays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    pub line: usize,
    pub what: String,
}

impl Calendar {
    /// Parses the calendar format (see the data file's header).
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
            let mut parts = line.splitn(3, ' ');
            let (Some(kind), Some(date)) = (parts.next(), parts.next()) else {
                return Err(err("expected: kind date name"));
            };
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| err("bad date"))?;
            let rest = parts.next().unwrap_or_default();
            match kind {
                "holiday" => {
                    let (vi, en) = rest.split_once('|').unwrap_or((rest, rest));
                    cal.holidays.insert(
                        date,
                        Holiday {
                            name_vi: vi.trim().to_owned(),
                            name_en: en.trim().to_owned(),
                        },
                    );
                }
                "workday" => {
                    cal.workdays.insert(date);
                }
                _ => return Err(err("kind must be holiday or workday")),
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
        if self.workdays.contains(&d) {
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
        self.holidays.keys().map(|d| d.year()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_shipped_file_parses_and_covers_2025_to_2027() {
        for (year, text) in (2025..).zip(YEARS) {
            let cal = Calendar::parse(text).expect("calendar file");
            assert_eq!(cal.years(), BTreeSet::from([year]), "one year per file");
        }
        let cal = Calendar::parse(&YEARS.concat()).expect("calendar files");
        assert_eq!(
            cal.years().into_iter().collect::<Vec<_>>(),
            [2025, 2026, 2027]
        );
        for (date, _) in cal.holidays_between(d(2025, 1, 1), d(2027, 12, 31)) {
            assert!(
                !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                "{date} is a weekend day listed as a holiday"
            );
        }
        for w in &cal.workdays {
            assert_eq!(w.weekday(), Weekday::Sat, "{w}");
        }
    }

    #[test]
    fn working_days_table() {
        let cal = Calendar::vietnam();
        let cases = [
            (d(2026, 2, 13), true, "Friday before Tết 2026"),
            (d(2026, 2, 16), false, "29 Tết 2026"),
            (d(2026, 2, 17), false, "mùng 1 Tết 2026"),
            (d(2026, 2, 20), false, "mùng 4 Tết 2026"),
            (d(2026, 2, 21), false, "a Saturday"),
            (d(2026, 2, 23), true, "back to work after Tết 2026"),
            (d(2025, 2, 8), true, "Saturday made up for 27 Jan 2025"),
            (d(2025, 2, 15), false, "an ordinary Saturday"),
            (d(2025, 5, 2), false, "bridged Friday 2 May 2025"),
            (d(2025, 4, 26), true, "Saturday made up for 2 May 2025"),
            (d(2027, 2, 10), false, "Tết 2027, for mùng 1 on a Saturday"),
            (d(2026, 4, 27), false, "Hùng Kings 2026, moved from Sunday"),
        ];
        for (date, working, why) in cases {
            assert_eq!(cal.is_working_day(date), working, "{date} ({why})");
        }
        assert!(
            cal.holiday(d(2026, 9, 2))
                .is_some_and(|h| h.name_en == "National Day")
        );
    }

    #[test]
    fn bad_lines_are_named() {
        let e = Calendar::parse("holiday 2026-13-01 x").expect_err("bad date");
        assert_eq!(e.line, 1);
        assert!(Calendar::parse("# only a comment\n\nfeast 2026-01-01 x").is_err());
    }
}
