//! Administrative procedures (the catalogue) and dossiers (hồ sơ) as they travel between server
//! and app. Deadlines are computed by `deadline`, the same on both sides.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::deadline::DeadlineFlag;

/// Which level of government handles a procedure. Since 1 July 2025 Huế, a centrally-run
/// city, has two: its 40 wards and communes, and the city (no districts, no province).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdminLevel {
    /// Cấp xã: a ward or commune (phường, xã).
    Ward,
    /// Cấp thành phố: the city. (`province`, as servers before the reform said, reads as this.)
    #[serde(alias = "province")]
    City,
}

impl AdminLevel {
    pub const ALL: [AdminLevel; 2] = [Self::Ward, Self::City];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ward => "ward",
            Self::City => "city",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether the procedure can be done on the national/provincial public service portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Only in person.
    None,
    /// Filed online, the result or the originals in person ("một phần").
    Partial,
    /// Entirely online ("toàn trình").
    Full,
}

impl OnlineLevel {
    pub const ALL: [OnlineLevel; 3] = [Self::None, Self::Partial, Self::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Partial => "partial",
            Self::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Topics the catalogue is browsed by.
pub const PROCEDURE_TOPICS: [&str; 8] = [
    "civil_status",
    "residence",
    "certification",
    "land",
    "construction",
    "business",
    "social",
    "transport",
];

/// One administrative procedure of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Procedure {
    pub id: String,
    /// One of `PROCEDURE_TOPICS`.
    pub topic: String,
    pub name_vi: String,
    pub name_en: String,
    pub agency_vi: String,
    pub agency_en: String,
    pub level: AdminLevel,
    pub documents_vi: Vec<String>,
    pub documents_en: Vec<String>,
    pub fee_vi: String,
    pub fee_en: String,
    /// Processing time in working days (0: within the day).
    pub processing_days: u32,
    pub online: OnlineLevel,
    pub where_vi: String,
    pub where_en: String,
}

/// The states of a dossier, in their usual order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DossierState {
    Received,
    InProcessing,
    /// The unit asked for more documents; the clock waits for them.
    SupplementRequested,
    ResultReady,
    /// The result was handed to the filer: the dossier is closed.
    Returned,
}

impl DossierState {
    pub const ALL: [DossierState; 5] = [
        Self::Received,
        Self::InProcessing,
        Self::SupplementRequested,
        Self::ResultReady,
        Self::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::InProcessing => "in_processing",
            Self::SupplementRequested => "supplement_requested",
            Self::ResultReady => "result_ready",
            Self::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The moves a unit may make.
    pub fn can_move_to(self, next: DossierState) -> bool {
        use DossierState::*;
        matches!(
            (self, next),
            (Received, InProcessing)
                | (Received, SupplementRequested)
                | (InProcessing, SupplementRequested)
                | (SupplementRequested, InProcessing)
                | (InProcessing, ResultReady)
                | (ResultReady, Returned)
        )
    }

    /// The result exists: the deadline no longer runs.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::ResultReady | Self::Returned)
    }
}

/// One step of a dossier's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DossierStep {
    pub state: DossierState,
    pub at: DateTime<Utc>,
    /// The unit's note (e.g. which documents to add).
    #[serde(default)]
    pub note: String,
}

/// The unit's apology for an overdue dossier, with a new appointment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Apology {
    pub at: DateTime<Utc>,
    pub reason: String,
    pub new_appointment: NaiveDate,
}

/// A dossier as its filer sees it (never the filer's phone number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Dossier {
    pub code: String,
    pub procedure_id: String,
    /// The unit in charge.
    pub unit_vi: String,
    pub unit_en: String,
    pub received_at: DateTime<Utc>,
    /// Due date (appointment to collect the result), in Huế's calendar.
    pub appointment: NaiveDate,
    pub state: DossierState,
    pub timeline: Vec<DossierStep>,
    #[serde(default)]
    pub apology: Option<Apology>,
}

impl Dossier {
    /// The day the result was ready, if it is.
    pub fn finished_on(&self) -> Option<NaiveDate> {
        self.timeline
            .iter()
            .find(|s| s.state.is_finished())
            .map(|s| crate::deadline::local_date(s.at))
    }

    /// Where it stands against its appointment on `today` (paused while the unit waits for
    /// the filer's documents).
    pub fn flag(&self, today: NaiveDate) -> DeadlineFlag {
        if self.state == DossierState::SupplementRequested {
            return DeadlineFlag::Paused;
        }
        crate::calendar::Calendar::vietnam().flag(self.appointment, today, self.finished_on())
    }

    /// Moves the dossier to `state` at `at`; when supplementary documents arrive (back to
    /// processing), the appointment (and an apology's new date) moves by the working days spent
    /// waiting for them, the documents counting from a working day like a new dossier (the
    /// cut-off hour, days off).
    pub fn move_to(&mut self, state: DossierState, at: DateTime<Utc>, note: String) {
        if self.state == DossierState::SupplementRequested
            && let Some(asked) = self
                .timeline
                .iter()
                .rev()
                .find(|s| s.state == DossierState::SupplementRequested)
        {
            let cal = crate::calendar::Calendar::vietnam();
            let waited = cal
                .working_days_between(crate::deadline::local_date(asked.at), cal.counts_from(at));
            if let Ok(days) = u32::try_from(waited) {
                self.appointment = cal.add_working_days(self.appointment, days);
                if let Some(apology) = &mut self.apology {
                    apology.new_appointment = cal.add_working_days(apology.new_appointment, days);
                }
            }
        }
        self.state = state;
        self.timeline.push(DossierStep { state, at, note });
    }
}

/// Look a dossier up: its code and the last 4 digits of the filer's phone number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DossierLookup {
    pub code: String,
    pub check: String,
}

/// Operator: a dossier received at the desk (or online).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDossier {
    pub code: String,
    pub procedure_id: String,
    pub unit_vi: String,
    pub unit_en: String,
    /// The filer's phone number; only its last 4 digits are kept (hashed), as the check value.
    pub phone: String,
    /// When it was received; now if absent.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

/// Operator: move a dossier on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DossierAdvance {
    pub state: DossierState,
    #[serde(default)]
    pub note: String,
}

/// Operator: apologise for an overdue dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApology {
    pub reason: String,
    pub new_appointment: NaiveDate,
}

/// One open dossier in a unit's deadline view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FlaggedDossier {
    pub code: String,
    pub procedure_id: String,
    pub state: DossierState,
    pub appointment: NaiveDate,
    pub flag: DeadlineFlag,
    /// Working days past the appointment (negative: left before it).
    pub working_days_late: i64,
    pub apologised: bool,
}

/// A unit's open dossiers that need attention, by tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitDeadlines {
    pub unit_vi: String,
    pub due_soon: u32,
    pub overdue: u32,
    pub escalated: u32,
    /// Most late first.
    pub dossiers: Vec<FlaggedDossier>,
}

/// What a dossier code may hold (it also travels in URL paths).
pub const CODE_RULE: &str = "1 to 40 letters, digits, '.', '-' or '_'";

/// Whether a (normalised) dossier code follows `CODE_RULE`, as codes on receipts do
/// (e.g. `000.00.25.H57-241118-0001`).
pub fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Check values are exactly 4 digits; codes follow `CODE_RULE`.
pub fn check_lookup(l: &DossierLookup) -> Result<(), crate::ApiError> {
    use crate::{ApiError, ErrorCode};
    if !valid_code(&normalize_code(&l.code)) {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            format!("code: the dossier code printed on the receipt ({CODE_RULE})"),
        ));
    }
    let check = l.check.trim();
    if check.len() != 4 || !check.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::new(
            ErrorCode::InvalidValue,
            "check: the last 4 digits of the phone number",
        ));
    }
    Ok(())
}

/// The last 4 digits of a phone number, if it has at least 4.
pub fn phone_check(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
}

/// A code as people type it: trimmed, upper case.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two levels since the 2025 reform; a procedure a server stored as `province` before it
    /// still reads, as the city level.
    #[test]
    fn two_levels_and_the_old_province_reads_as_the_city() {
        assert_eq!(AdminLevel::ALL.map(AdminLevel::as_str), ["ward", "city"]);
        assert_eq!(AdminLevel::parse("province"), None, "not in new data");
        let old: AdminLevel = serde_json::from_str("\"province\"").expect("old record");
        assert_eq!(old, AdminLevel::City);
        assert_eq!(serde_json::to_string(&old).expect("json"), "\"city\"");
    }

    #[test]
    fn lookups_are_checked() {
        let ok = |code: &str, check: &str| {
            check_lookup(&DossierLookup {
                code: code.into(),
                check: check.into(),
            })
            .is_ok()
        };
        assert!(ok("HS-2026-000123", "4567"));
        assert!(ok(" hs-2026-000123 ", " 4567 "));
        assert!(!ok("", "4567"));
        assert!(!ok("HS", "456"));
        assert!(!ok("HS", "45678"));
        assert!(!ok("HS", "45a7"));
        assert!(!ok(&"X".repeat(41), "4567"));
        assert!(!ok("HS\u{0}", "4567"));
        assert!(!ok("HS/1", "4567"), "codes travel in URL paths");
        assert!(!ok("HS 1", "4567"));
        assert!(ok("000.00.25.H57-241118-0001", "4567"));
        assert_eq!(phone_check("0905 123 456").as_deref(), Some("3456"));
        assert_eq!(phone_check("+84-90-512-3456").as_deref(), Some("3456"));
        assert_eq!(phone_check("12"), None);
        assert_eq!(normalize_code(" hs-1 "), "HS-1");
    }

    #[test]
    fn the_clock_stops_while_documents_are_awaited() {
        use chrono::TimeZone;
        let at = |d: u32, h: u32| {
            crate::time::vietnam_offset()
                .with_ymd_and_hms(2026, 11, d, h, 0, 0)
                .single()
                .expect("time")
                .with_timezone(&Utc)
        };
        let mut d = Dossier {
            code: "HS-1".into(),
            procedure_id: "tam-tru".into(),
            unit_vi: "U".into(),
            unit_en: "U".into(),
            received_at: at(23, 9),
            appointment: NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"),
            state: DossierState::Received,
            timeline: Vec::new(),
            apology: None,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        d.move_to(
            DossierState::SupplementRequested,
            at(24, 10),
            "Bổ sung".into(),
        );
        assert_eq!(
            d.flag(today),
            DeadlineFlag::Paused,
            "not overdue while waiting"
        );
        let asked = d.clone();
        // Asked Tuesday 24, brought Monday 30 in the morning: 4 working days (25, 26, 27, 30)
        // of waiting; after the 15:00 cut-off they count from Tuesday 1/12 (5); brought on
        // Saturday 28 they count from Monday 30 (4).
        for (brought, due) in [(at(30, 8), 2), (at(30, 16), 3), (at(28, 10), 2)] {
            let mut back = asked.clone();
            back.apology = Some(Apology {
                at: at(24, 9),
                reason: "Xin lỗi".into(),
                new_appointment: NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
            });
            back.move_to(DossierState::InProcessing, brought, String::new());
            let due = NaiveDate::from_ymd_opt(2026, 12, due).expect("date");
            assert_eq!(back.appointment, due, "{brought}");
            assert!(
                back.apology
                    .as_ref()
                    .is_some_and(|a| a.new_appointment > due),
                "the apology's date moves too"
            );
            assert_eq!(back.timeline.len(), 2);
        }
        d.move_to(DossierState::InProcessing, at(30, 8), String::new());
        assert_eq!(d.flag(today), DeadlineFlag::OnTime);
    }

    #[test]
    fn states_move_only_forward_or_back_from_a_supplement() {
        use DossierState::*;
        assert!(Received.can_move_to(InProcessing));
        assert!(InProcessing.can_move_to(SupplementRequested));
        assert!(SupplementRequested.can_move_to(InProcessing));
        assert!(!Received.can_move_to(Returned));
        assert!(!Returned.can_move_to(InProcessing));
        assert!(!ResultReady.can_move_to(InProcessing));
    }
}
