//! Opening hours in OpenStreetMap's `opening_hours` syntax, evaluated in Huế's time with
//! Vietnam's public holidays (`PH`) from `hues_wire::calendar`.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDateTime, Utc};
use compact_calendar::CompactCalendar;
use opening_hours::OpeningHours;
use opening_hours::localization::NoLocation;
use opening_hours::{Context, ContextHolidays};

/// Open or closed at a moment, and when that changes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenState {
    pub open: bool,
    pub next_change: Option<DateTime<Utc>>,
}

fn holidays() -> ContextHolidays {
    static PUBLIC: OnceLock<Arc<CompactCalendar>> = OnceLock::new();
    let public = PUBLIC.get_or_init(|| {
        let mut cal = CompactCalendar::default();
        let vn = hues_wire::calendar::Calendar::vietnam();
        for y in vn.years() {
            let (Some(from), Some(to)) = (
                chrono::NaiveDate::from_ymd_opt(y, 1, 1),
                chrono::NaiveDate::from_ymd_opt(y, 12, 31),
            ) else {
                continue;
            };
            for (d, _) in vn.holidays_between(from, to) {
                cal.insert(*d);
            }
        }
        Arc::new(cal)
    });
    ContextHolidays::new(public.clone(), Arc::new(CompactCalendar::default()))
}

fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&hues_wire::time::vietnam_offset())
        .naive_local()
}

fn utc(t: NaiveDateTime) -> Option<DateTime<Utc>> {
    t.and_local_timezone(hues_wire::time::vietnam_offset())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A parsed expression, ready to evaluate; `None` when empty or not understood (the card then
/// says "hours unknown" rather than guess).
pub fn parse(expr: &str) -> Option<OpeningHours<NoLocation>> {
    if expr.trim().is_empty() {
        return None;
    }
    let oh: OpeningHours = expr.parse().ok()?;
    Some(oh.with_context(Context::default().with_holidays(holidays())))
}

/// Parsed expressions by their text: places share a few dozen distinct ones, and parsing costs
/// far more than evaluating.
type Parsed = Option<Arc<OpeningHours<NoLocation>>>;

fn parsed(expr: &str) -> Parsed {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static CACHE: OnceLock<Mutex<HashMap<String, Parsed>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(map) = cache.lock()
        && let Some(hit) = map.get(expr)
    {
        return hit.clone();
    }
    let value = parse(expr).map(Arc::new);
    if let Ok(mut map) = cache.lock() {
        // Bounded: a feed full of distinct expressions must not grow memory without end.
        if map.len() > 4096 {
            map.clear();
        }
        map.insert(expr.to_owned(), value.clone());
    }
    value
}

/// Whether the place is open at `now`, and the next change within a week.
pub fn state(expr: &str, now: DateTime<Utc>) -> Option<OpenState> {
    let oh = parsed(expr)?;
    let at = local(now);
    let open = oh.is_open(at);
    let next_change = oh
        .next_change(at)
        .filter(|t| *t - at <= chrono::Duration::days(8))
        .and_then(utc);
    Some(OpenState { open, next_change })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A moment given in Huế's local time.
    fn hue(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        hues_wire::time::vietnam_offset()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn opening_hours_table() {
        // 2026-11-23 is a Monday, 2026-11-28 a Saturday; 2026-09-02 National Day (Wednesday);
        // 2026-02-17 the first day of Tết.
        let office = "Mo-Fr 07:30-11:30,13:30-17:00; PH off";
        let market = "Mo-Su 06:00-19:00; PH off";
        let bar = "Mo-Su 18:00-02:00";
        let cases = [
            (office, hue(2026, 11, 23, 8, 0), true, "Monday morning"),
            (office, hue(2026, 11, 23, 12, 0), false, "lunch break"),
            (office, hue(2026, 11, 23, 17, 30), false, "after hours"),
            (office, hue(2026, 11, 28, 9, 0), false, "Saturday"),
            (
                office,
                hue(2026, 9, 2, 9, 0),
                false,
                "National Day (PH off)",
            ),
            (
                market,
                hue(2026, 2, 17, 9, 0),
                false,
                "Tết, a lunar holiday (PH off)",
            ),
            (market, hue(2026, 2, 23, 9, 0), true, "after Tết"),
            (
                bar,
                hue(2026, 11, 23, 23, 0),
                true,
                "overnight: before midnight",
            ),
            (
                bar,
                hue(2026, 11, 24, 1, 30),
                true,
                "overnight: after midnight",
            ),
            (
                bar,
                hue(2026, 11, 24, 3, 0),
                false,
                "overnight: closed at 2",
            ),
            ("24/7", hue(2026, 11, 24, 3, 0), true, "always"),
        ];
        for (expr, at, open, why) in cases {
            let s = state(expr, at).unwrap_or_else(|| panic!("{expr} parses"));
            assert_eq!(s.open, open, "{expr} at {at} ({why})");
        }
        // The next change: the office opens again at 13:30 after lunch.
        let s = state(office, hue(2026, 11, 23, 12, 0)).expect("state");
        assert_eq!(s.next_change, Some(hue(2026, 11, 23, 13, 30)));
        // Closes at 02:00 the next morning.
        let s = state(bar, hue(2026, 11, 23, 23, 0)).expect("state");
        assert_eq!(s.next_change, Some(hue(2026, 11, 24, 2, 0)));
        assert_eq!(state("", hue(2026, 11, 23, 8, 0)), None);
        assert_eq!(state("whenever we like", hue(2026, 11, 23, 8, 0)), None);
    }
}
