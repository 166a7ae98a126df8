//! Working-day deadlines for administrative dossiers, one engine for server and app.
//!
//! Rules:
//! - Working days are Vietnamese office days (`calendar`): Monday to Friday, minus public
//!   holidays (solar and lunar), plus the official make-up Saturdays.
//! - A dossier received on a working day before the cut-off hour (15:00 in Huế) counts from
//!   that day; one received later, or on a day off (online filing), counts from the next
//!   working day.
//! - The day it counts from is not itself counted: a 3-working-day procedure received on
//!   Monday morning is due on Thursday. A 0-day procedure ("within the day") is due that day.
//! - A dossier not finished by the end of its appointment day is overdue; more than 5 working
//!   days past it, it is escalated. One due today or on the next working day is "due soon".
//! - While the unit waits for supplementary documents the clock stops: the dossier is "paused",
//!   and when they arrive its appointment moves by the working days spent waiting.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// Dossiers received at or after this local hour count from the next working day.
pub const CUTOFF_HOUR: u32 = 15;

/// Working days past the appointment after which an overdue dossier is escalated.
pub const ESCALATE_AFTER_DAYS: i64 = 5;

/// Where a dossier stands against its appointment date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeadlineFlag {
    /// More than one working day left, or finished in time.
    OnTime,
    /// Due today or on the next working day (yellow).
    DueSoon,
    /// Past its appointment (red), or finished late.
    Overdue,
    /// More than 5 working days past its appointment.
    Escalated,
    /// The clock is stopped: the unit waits for the filer's supplementary documents.
    Paused,
}

impl DeadlineFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTime => "on_time",
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
            Self::Escalated => "escalated",
            Self::Paused => "paused",
        }
    }

    /// Its symbol, shown with its words (never the colour alone): app and console alike.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::OnTime => "✓",
            Self::DueSoon => "⏳",
            Self::Overdue => "⚠",
            Self::Escalated => "⚠⚠",
            Self::Paused => "⏸",
        }
    }

    pub const ALL: [DeadlineFlag; 5] = [
        Self::OnTime,
        Self::DueSoon,
        Self::Overdue,
        Self::Escalated,
        Self::Paused,
    ];
}

/// A date in Huế.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&crate::time::vietnam_offset()).date_naive()
}

impl Calendar {
    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d + Duration::days(1);
        // The calendar has at most a couple of weeks off in a row; a year bounds the loop.
        for _ in 0..366 {
            if self.is_working_day(day) {
                break;
            }
            day += Duration::days(1);
        }
        day
    }

    /// The working day a dossier received at `received` counts from (cut-off hour, days off).
    pub fn counts_from(&self, received: DateTime<Utc>) -> NaiveDate {
        let local = received.with_timezone(&crate::time::vietnam_offset());
        let day = local.date_naive();
        if self.is_working_day(day) && local.hour() < CUTOFF_HOUR {
            day
        } else {
            self.next_working_day(day)
        }
    }

    /// `days` working days after `from` (not counting `from`).
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> NaiveDate {
        let mut day = from;
        for _ in 0..days {
            day = self.next_working_day(day);
        }
        day
    }

    /// The appointment date of a dossier received at `received` for a procedure taking
    /// `days` working days.
    pub fn appointment(&self, received: DateTime<Utc>, days: u32) -> NaiveDate {
        self.add_working_days(self.counts_from(received), days)
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut n = 0;
        let mut day = from;
        while day < to {
            day += Duration::days(1);
            if self.is_working_day(day) {
                n += 1;
            }
        }
        n
    }

    /// Where a dossier due on `appointment` stands on `today`; `finished` is the day its result
    /// was ready, if it is.
    pub fn flag(
        &self,
        appointment: NaiveDate,
        today: NaiveDate,
        finished: Option<NaiveDate>,
    ) -> DeadlineFlag {
        if let Some(done) = finished {
            return if done <= appointment {
                DeadlineFlag::OnTime
            } else {
                DeadlineFlag::Overdue
            };
        }
        if today > appointment {
            if self.working_days_between(appointment, today) > ESCALATE_AFTER_DAYS {
                DeadlineFlag::Escalated
            } else {
                DeadlineFlag::Overdue
            }
        } else if appointment == today || appointment <= self.next_working_day(today) {
            DeadlineFlag::DueSoon
        } else {
            DeadlineFlag::OnTime
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    /// A local Huế time.
    fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        crate::time::vietnam_offset()
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn appointments_in_working_days() {
        let cal = Calendar::vietnam();
        // (received, working days, appointment, why)
        let table = [
            (
                at(2026, 10, 12, 9, 0),
                3,
                d(2026, 10, 15),
                "Monday morning + 3 → Thursday",
            ),
            (
                at(2026, 10, 16, 9, 0),
                3,
                d(2026, 10, 21),
                "Friday + 3 over a weekend → Wednesday",
            ),
            (
                at(2026, 10, 12, 15, 0),
                3,
                d(2026, 10, 16),
                "at the cut-off: counts from Tuesday",
            ),
            (
                at(2026, 10, 12, 14, 59),
                3,
                d(2026, 10, 15),
                "a minute before the cut-off",
            ),
            (
                at(2026, 10, 16, 16, 30),
                1,
                d(2026, 10, 20),
                "Friday after the cut-off: from Monday",
            ),
            (
                at(2026, 10, 17, 10, 0),
                1,
                d(2026, 10, 20),
                "filed online on Saturday: from Monday",
            ),
            (
                at(2026, 10, 12, 10, 0),
                0,
                d(2026, 10, 12),
                "within the day",
            ),
            (
                at(2026, 10, 11, 10, 0),
                0,
                d(2026, 10, 12),
                "within the day, filed on Sunday",
            ),
            // Tết 2026: Monday 16 to Friday 20 February off.
            (
                at(2026, 2, 13, 9, 0),
                1,
                d(2026, 2, 23),
                "Friday before Tết + 1 → Monday after",
            ),
            (
                at(2026, 2, 12, 9, 0),
                3,
                d(2026, 2, 24),
                "Thursday before Tết + 3",
            ),
            (
                at(2026, 2, 17, 9, 0),
                1,
                d(2026, 2, 24),
                "filed online on Tết: from 23 Feb",
            ),
            // Tết 2027: Friday 5 to Thursday 11 February off (weekend days moved on).
            (
                at(2027, 2, 4, 9, 0),
                1,
                d(2027, 2, 12),
                "Thursday before Tết 2027 + 1 → Friday 12",
            ),
            (
                at(2027, 2, 4, 16, 0),
                1,
                d(2027, 2, 15),
                "after the cut-off before Tết 2027",
            ),
            (
                at(2027, 2, 10, 9, 0),
                0,
                d(2027, 2, 12),
                "within the day, filed on a Tết day",
            ),
            // Hùng Kings' day 2026 moved to Monday 27 April; 30/4 and 1/5 off.
            (
                at(2026, 4, 24, 9, 0),
                2,
                d(2026, 4, 29),
                "over Hùng Kings' day",
            ),
            (
                at(2026, 4, 29, 9, 0),
                1,
                d(2026, 5, 4),
                "over Reunification and Labour days",
            ),
            // Make-up Saturday 8 Feb 2025 is a working day.
            (
                at(2025, 2, 7, 9, 0),
                1,
                d(2025, 2, 8),
                "Friday + 1 → the make-up Saturday",
            ),
            (
                at(2025, 2, 8, 9, 0),
                1,
                d(2025, 2, 10),
                "received on the make-up Saturday",
            ),
            (
                at(2025, 4, 25, 9, 0),
                2,
                d(2025, 4, 28),
                "Saturday 26/4 worked",
            ),
            (at(2025, 4, 29, 9, 0), 1, d(2025, 5, 5), "over 30/4–2/5"),
            // National Day 2026: Monday 31 August (swapped) to Wednesday 2 September.
            (at(2026, 8, 28, 9, 0), 1, d(2026, 9, 3), "over National Day"),
        ];
        for (received, days, due, why) in table {
            assert_eq!(cal.appointment(received, days), due, "{why}");
        }
    }

    /// The days the 2026 and 2027 notices and laws set (issue 12), each with a dossier
    /// received the working day before ("its eve"): a calendar that misses the day gives an
    /// appointment a day early.
    #[test]
    fn dossiers_received_on_the_eve_of_each_announced_day() {
        let cal = Calendar::vietnam();
        // (received, working days, appointment, why)
        let table = [
            (
                at(2025, 12, 31, 9, 0),
                1,
                d(2026, 1, 5),
                "eve of New Year 2026: 1 and 2 January off, then the weekend",
            ),
            (
                at(2025, 12, 31, 9, 0),
                0,
                d(2025, 12, 31),
                "within the day on the eve",
            ),
            (
                at(2026, 1, 9, 9, 0),
                1,
                d(2026, 1, 10),
                "eve of make-up Saturday 10 January: due on it",
            ),
            (
                at(2026, 1, 8, 9, 0),
                3,
                d(2026, 1, 12),
                "over make-up Saturday 10 January (counted: 9, 10, 12)",
            ),
            (
                at(2026, 2, 13, 9, 0),
                1,
                d(2026, 2, 23),
                "eve of Tết 2026 (29 Tết, 16 February)",
            ),
            (
                at(2026, 8, 21, 9, 0),
                1,
                d(2026, 8, 22),
                "eve of make-up Saturday 22 August: due on it",
            ),
            (
                at(2026, 8, 28, 9, 0),
                1,
                d(2026, 9, 3),
                "eve of Monday 31 August (swapped), then 1–2 September",
            ),
            (
                at(2026, 8, 28, 9, 0),
                2,
                d(2026, 9, 4),
                "over 31 August – 2 September",
            ),
            (
                at(2026, 11, 23, 9, 0),
                1,
                d(2026, 11, 25),
                "eve of Vietnamese Culture Day 2026 (24 November)",
            ),
            (
                at(2026, 11, 23, 9, 0),
                3,
                d(2026, 11, 27),
                "over Vietnamese Culture Day 2026",
            ),
            (
                at(2027, 2, 4, 9, 0),
                1,
                d(2027, 2, 12),
                "eve of 29 Tết 2027 (5 February)",
            ),
            (
                at(2027, 11, 23, 9, 0),
                1,
                d(2027, 11, 25),
                "eve of Vietnamese Culture Day 2027 (24 November)",
            ),
        ];
        for (received, days, due, why) in table {
            assert_eq!(cal.appointment(received, days), due, "{why}");
        }
    }

    /// Over every day of the calendar's three years, at hours around the cut-off, for 0 to 20
    /// working days: the appointment is a working day, never before the day it counts from,
    /// and exactly `days` working days after it.
    #[test]
    fn every_appointment_is_a_working_day_exactly_days_after_it_counts_from() {
        let cal = Calendar::vietnam();
        let mut day = d(2025, 1, 1);
        let mut checked = 0;
        while day <= d(2027, 11, 30) {
            for hour in [8, 14, 15, 22] {
                let received = crate::time::vietnam_offset()
                    .from_local_datetime(&day.and_hms_opt(hour, 30, 0).expect("time"))
                    .single()
                    .expect("time")
                    .with_timezone(&Utc);
                let from = cal.counts_from(received);
                assert!(cal.is_working_day(from) && from >= day, "{received}");
                assert_eq!(from == day, cal.is_working_day(day) && hour < CUTOFF_HOUR);
                for days in [0, 1, 3, 7, 20] {
                    let due = cal.appointment(received, days);
                    assert!(cal.is_working_day(due), "{received} + {days}");
                    assert_eq!(
                        cal.working_days_between(from, due),
                        i64::from(days),
                        "{received} + {days}"
                    );
                    checked += 1;
                }
            }
            day += Duration::days(1);
        }
        assert!(checked > 20_000);
    }

    #[test]
    fn working_days_between_and_flags() {
        let cal = Calendar::vietnam();
        assert_eq!(
            cal.working_days_between(d(2026, 11, 20), d(2026, 11, 23)),
            1
        );
        assert_eq!(
            cal.working_days_between(d(2026, 11, 23), d(2026, 11, 20)),
            -1
        );
        assert_eq!(
            cal.working_days_between(d(2026, 2, 13), d(2026, 2, 23)),
            1,
            "Tết"
        );
        let due = d(2026, 11, 26); // Thursday
        let table = [
            (d(2026, 11, 23), None, DeadlineFlag::OnTime),
            (d(2026, 11, 25), None, DeadlineFlag::DueSoon),
            (d(2026, 11, 26), None, DeadlineFlag::DueSoon),
            (d(2026, 11, 27), None, DeadlineFlag::Overdue),
            (d(2026, 12, 3), None, DeadlineFlag::Overdue),
            (d(2026, 12, 4), None, DeadlineFlag::Escalated),
            (d(2026, 12, 7), None, DeadlineFlag::Escalated),
            (d(2026, 12, 7), Some(d(2026, 11, 26)), DeadlineFlag::OnTime),
            (d(2026, 12, 7), Some(d(2026, 11, 30)), DeadlineFlag::Overdue),
        ];
        for (today, finished, flag) in table {
            assert_eq!(cal.flag(due, today, finished), flag, "{today} {finished:?}");
        }
        // Friday due, Thursday today: the next working day is Friday.
        assert_eq!(
            cal.flag(d(2026, 11, 27), d(2026, 11, 26), None),
            DeadlineFlag::DueSoon
        );
        // Due the Monday after Tết, seen on the Friday before: one working day away.
        assert_eq!(
            cal.flag(d(2026, 2, 23), d(2026, 2, 13), None),
            DeadlineFlag::DueSoon
        );
    }
}
