//! Times are UTC in storage and on the wire, and shown in the user's zone.

use chrono::{DateTime, Datelike, FixedOffset, Offset, Timelike, Utc};

/// The default display zone, Asia/Ho_Chi_Minh. It has kept UTC+07:00 with no daylight saving
/// since 1975, so a fixed offset is exact for every time the app can show, and spares the wasm
/// bundle a time-zone database.
pub fn vietnam_offset() -> FixedOffset {
    // 7 h is always a valid offset; fall back to UTC rather than panic.
    FixedOffset::east_opt(7 * 3600).unwrap_or(Utc.fix())
}

/// `21/11/2026 14:05` in the Vietnamese zone: the day-first order both languages use here.
pub fn format_local(t: DateTime<Utc>) -> String {
    // By hand rather than with `format("%d/%m/%Y %H:%M")`: chrono's format-string machinery
    // weighs about 10 KB in the UI's wasm.
    let l = t.with_timezone(&vietnam_offset());
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        l.day(),
        l.month(),
        l.year(),
        l.hour(),
        l.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_in_vietnam_time() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 21, 23, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(format_local(t), "22/11/2026 06:30");
    }
}
