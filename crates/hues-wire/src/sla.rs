//! The clock of a report: acknowledged within N working hours, resolved within M working
//! days (each category's targets; iHanoi's rule is 8 working hours to acknowledge, 4 when
//! urgent), counted with the office calendar (`calendar`, `deadline`) and Huế's office hours,
//! 07:00–11:30 and 13:30–17:00.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::calendar::Calendar;
use crate::deadline::DeadlineFlag;

/// The office's working blocks in a day, local time: (start, end) in minutes after midnight.
pub const OFFICE_BLOCKS: [(u32, u32); 2] = [(7 * 60, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)];

/// A category's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Working hours to acknowledge (take the case in hand).
    pub ack_hours: u32,
    /// Working days to resolve, counted like a dossier's (`Calendar::appointment`).
    pub resolve_days: u32,
}

/// iHanoi's rule and a week to resolve, for a category without its own targets.
pub const DEFAULT_TARGETS: Targets = Targets {
    ack_hours: 8,
    resolve_days: 5,
};

fn local_minutes(t: DateTime<Utc>) -> (NaiveDate, u32) {
    let l = t.with_timezone(&crate::time::vietnam_offset());
    let time = l.time();
    (
        l.date_naive(),
        chrono::Timelike::hour(&time) * 60 + chrono::Timelike::minute(&time),
    )
}

fn at_local(day: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or_default();
    crate::time::vietnam_offset()
        .from_local_datetime(&day.and_time(time))
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

impl Calendar {
    /// `hours` working hours after `start`: office hours of working days only (a case received
    /// at night or on a day off starts counting at the next opening).
    pub fn add_working_hours(&self, start: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
        let (mut day, mut minute) = local_minutes(start);
        let mut left = hours * 60;
        // A year of days off in a row cannot happen; the bound keeps the loop finite.
        for _ in 0..(370 * 2 + hours as usize) {
            if !self.is_working_day(day) {
                day = self.next_working_day(day);
                minute = 0;
                continue;
            }
            let mut moved = false;
            for (open, close) in OFFICE_BLOCKS {
                if minute >= close {
                    continue;
                }
                let from = minute.max(open);
                let take = left.min(close - from);
                if take == left {
                    return at_local(day, from + take);
                }
                left -= take;
                minute = close;
                moved = true;
            }
            if !moved || minute >= OFFICE_BLOCKS[1].1 {
                day = self.next_working_day(day);
                minute = 0;
            }
        }
        start + Duration::hours(i64::from(hours))
    }
}

/// Where a report stands against its targets at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// When it must be acknowledged by.
    pub ack_due: DateTime<Utc>,
    /// The day it must be resolved by.
    pub resolve_due: NaiveDate,
    /// What is owed now: acknowledgement until it is given, then resolution.
    pub stage: Stage,
    pub flag: DeadlineFlag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Acknowledge,
    Resolve,
    Done,
}

/// The clock of a report received at `received`, acknowledged and finished (resolved,
/// rejected…) when they were, seen at `now`.
pub fn clock(
    cal: &Calendar,
    targets: Targets,
    received: DateTime<Utc>,
    acknowledged: Option<DateTime<Utc>>,
    finished: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Clock {
    let ack_due = cal.add_working_hours(received, targets.ack_hours);
    let resolve_due = cal.appointment(received, targets.resolve_days);
    let today = crate::deadline::local_date(now);
    let (stage, flag) = match (acknowledged, finished) {
        (_, Some(done)) => (
            Stage::Done,
            cal.flag(resolve_due, today, Some(crate::deadline::local_date(done))),
        ),
        (Some(_), None) => (Stage::Resolve, cal.flag(resolve_due, today, None)),
        (None, None) => {
            let flag = if now > ack_due {
                // Acknowledgement late by more than a working day: escalated.
                if now > cal.add_working_hours(ack_due, 8) {
                    DeadlineFlag::Escalated
                } else {
                    DeadlineFlag::Overdue
                }
            } else if cal.add_working_hours(now, 1) >= ack_due {
                DeadlineFlag::DueSoon
            } else {
                DeadlineFlag::OnTime
            };
            (Stage::Acknowledge, flag)
        }
    };
    Clock {
        ack_due,
        resolve_due,
        stage,
        flag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        crate::time::vietnam_offset()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn working_hours_skip_lunch_nights_weekends_and_holidays() {
        let cal = Calendar::vietnam();
        // (start, hours, due, why)
        let table = [
            (
                at(2026, 10, 12, 8, 0),
                2,
                at(2026, 10, 12, 10, 0),
                "within the morning",
            ),
            (
                at(2026, 10, 12, 10, 30),
                2,
                at(2026, 10, 12, 14, 30),
                "over lunch",
            ),
            (
                at(2026, 10, 12, 7, 0),
                8,
                at(2026, 10, 12, 17, 0),
                "a whole day",
            ),
            (
                at(2026, 10, 12, 9, 0),
                8,
                at(2026, 10, 13, 9, 0),
                "into the next day",
            ),
            (
                at(2026, 10, 12, 20, 0),
                4,
                at(2026, 10, 13, 11, 0),
                "received at night",
            ),
            (
                at(2026, 10, 12, 12, 0),
                1,
                at(2026, 10, 12, 14, 30),
                "received at lunch",
            ),
            (
                at(2026, 10, 16, 16, 0),
                8,
                at(2026, 10, 19, 16, 0),
                "Friday afternoon over the weekend",
            ),
            (
                at(2026, 10, 17, 10, 0),
                4,
                at(2026, 10, 19, 11, 0),
                "received on Saturday",
            ),
            (
                at(2026, 11, 23, 15, 0),
                8,
                at(2026, 11, 25, 15, 0),
                "over Vietnamese Culture Day",
            ),
            (
                at(2026, 8, 21, 16, 0),
                4,
                at(2026, 8, 22, 10, 0),
                "into make-up Saturday 22 Aug",
            ),
            (
                at(2026, 2, 13, 16, 0),
                4,
                at(2026, 2, 23, 10, 0),
                "over Tết",
            ),
            (
                at(2026, 10, 12, 9, 0),
                0,
                at(2026, 10, 12, 9, 0),
                "no time at all",
            ),
        ];
        for (start, hours, due, why) in table {
            assert_eq!(cal.add_working_hours(start, hours), due, "{why}");
        }
    }

    #[test]
    fn the_clock_says_what_is_owed_and_how_late() {
        let cal = Calendar::vietnam();
        let t = DEFAULT_TARGETS;
        let received = at(2026, 10, 12, 9, 0); // Monday
        let c = clock(cal, t, received, None, None, at(2026, 10, 12, 10, 0));
        assert_eq!(
            (c.stage, c.flag),
            (Stage::Acknowledge, DeadlineFlag::OnTime)
        );
        assert_eq!(c.ack_due, at(2026, 10, 13, 9, 0));
        assert_eq!(
            c.resolve_due,
            NaiveDate::from_ymd_opt(2026, 10, 19).expect("date")
        );
        let soon = clock(cal, t, received, None, None, at(2026, 10, 13, 8, 30));
        assert_eq!(soon.flag, DeadlineFlag::DueSoon);
        let late = clock(cal, t, received, None, None, at(2026, 10, 13, 10, 0));
        assert_eq!(late.flag, DeadlineFlag::Overdue);
        let later = clock(cal, t, received, None, None, at(2026, 10, 14, 10, 0));
        assert_eq!(later.flag, DeadlineFlag::Escalated);
        let taken = clock(
            cal,
            t,
            received,
            Some(at(2026, 10, 12, 9, 30)),
            None,
            at(2026, 10, 19, 16, 0),
        );
        assert_eq!(
            (taken.stage, taken.flag),
            (Stage::Resolve, DeadlineFlag::DueSoon)
        );
        let overdue = clock(
            cal,
            t,
            received,
            Some(received),
            None,
            at(2026, 10, 20, 9, 0),
        );
        assert_eq!(overdue.flag, DeadlineFlag::Overdue);
        let done = clock(
            cal,
            t,
            received,
            Some(received),
            Some(at(2026, 10, 16, 9, 0)),
            at(2026, 11, 1, 9, 0),
        );
        assert_eq!((done.stage, done.flag), (Stage::Done, DeadlineFlag::OnTime));
    }
}
