//! "My activity": one timeline of everything of the citizen's on this device — their reports,
//! the reports they follow, their dossiers, their bookings and the live warnings for their
//! places — newest first, each line saying whether it needs the citizen first (Home shows those).
//! Read from the domains' own queries; this module owns no table.

use chrono::{DateTime, Duration, Utc};
use hues_wire::api::{BookingStatus, ReportStatus};
use hues_wire::deadline::{DeadlineFlag, local_date};
use hues_wire::dossiers::DossierState;
use hues_wire::ipc::{ActivityItem, ActivityKind, Attention};

use crate::error::CoreError;
use crate::store::Store;

/// How long an answer from the city counts as news.
const NEWS_DAYS: i64 = 3;

/// A title of at most 80 characters, on one line.
fn title(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

impl Store {
    /// Everything of the citizen's, newest first; what needs them first is marked.
    pub fn activity(&self, now: DateTime<Utc>) -> Result<Vec<ActivityItem>, CoreError> {
        let news = now - Duration::days(NEWS_DAYS);
        let mut out = Vec::new();
        for r in self.my_reports()? {
            let last = r.history.last();
            let at = last.map_or(r.created_at, |h| h.at.max(r.created_at));
            let attention = if r.followed {
                None
            } else if r.reopen_until.is_some_and(|u| u > now) && r.rating.is_none() {
                Some(Attention::RateIt)
            } else if last.is_some_and(|h| h.at > news && h.status != ReportStatus::Received) {
                Some(Attention::CityReplied)
            } else {
                None
            };
            let state = match r.status {
                Some(s) => s.as_str().to_owned(),
                None => match r.delivery {
                    hues_wire::ipc::DeliveryState::Refused { .. } => "refused".into(),
                    _ => "saved".into(),
                },
            };
            let text = title(&r.description);
            out.push(ActivityItem {
                kind: if r.followed {
                    ActivityKind::Followed
                } else {
                    ActivityKind::Report
                },
                id: r.id.to_string(),
                title_vi: text.clone(),
                title_en: text,
                state,
                at,
                attention,
            });
        }
        for v in self.my_dossier_views(now)? {
            let d = &v.dossier;
            let at = d.timeline.last().map_or(d.received_at, |s| s.at);
            let attention = match (d.state, v.flag) {
                (DossierState::ResultReady, _) => Some(Attention::DossierReady),
                (DossierState::SupplementRequested, _) => Some(Attention::DossierDue),
                (DossierState::Returned, _) => None,
                (_, DeadlineFlag::DueSoon) => Some(Attention::DossierDue),
                _ => None,
            };
            let (title_vi, title_en) = match &v.procedure {
                Some(p) => (title(&p.name_vi), title(&p.name_en)),
                None => (d.code.clone(), d.code.clone()),
            };
            out.push(ActivityItem {
                kind: ActivityKind::Dossier,
                id: d.code.clone(),
                title_vi,
                title_en,
                state: d.state.as_str().to_owned(),
                at,
                attention,
            });
        }
        let today = local_date(now);
        for b in self.my_bookings()? {
            let answered = matches!(
                b.status,
                Some(BookingStatus::Confirmed | BookingStatus::Declined)
            );
            let ahead = b.request.date_to.unwrap_or(b.request.date_from) >= today;
            out.push(ActivityItem {
                kind: ActivityKind::Booking,
                id: b.request.id.to_string(),
                title_vi: title(&b.place_name_vi),
                title_en: title(&b.place_name_en),
                state: b.status.map_or("requested", |s| s.as_str()).to_owned(),
                at: b.request.created_at,
                attention: (answered && ahead).then_some(Attention::BookingAnswered),
            });
        }
        for v in self.alert_views(now)? {
            let live = v.alert.state == "active" && !v.expired;
            if !live || v.affects.is_empty() {
                continue;
            }
            let info = |lang: &str| {
                v.alert
                    .infos
                    .iter()
                    .find(|i| i.language.starts_with(lang))
                    .or(v.alert.infos.first())
                    .map(|i| {
                        title(if i.headline.is_empty() {
                            &i.event
                        } else {
                            &i.headline
                        })
                    })
                    .unwrap_or_default()
            };
            let severity = v
                .alert
                .infos
                .first()
                .map(|i| i.severity.to_lowercase())
                .unwrap_or_default();
            out.push(ActivityItem {
                kind: ActivityKind::Warning,
                id: v.alert.identifier.clone(),
                title_vi: info("vi"),
                title_en: info("en"),
                state: severity,
                at: DateTime::parse_from_rfc3339(&v.alert.sent)
                    .map_or(now, |t| t.with_timezone(&Utc)),
                attention: Some(Attention::WarningForMyPlace),
            });
        }
        out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hues_wire::api::{Change, Report, StatusChange, SyncPage};

    #[test]
    fn the_timeline_is_newest_first_and_says_what_needs_me() {
        let dir = tempfile::tempdir().expect("dir");
        let s = Store::open(&dir.path().join("c.db")).expect("store");
        let now = Utc::now();
        let report = |id: u128, status: ReportStatus, days_ago: i64| Report {
            id: uuid::Uuid::from_u128(id),
            category: "waste".into(),
            description: format!("report {id}"),
            latitude: 16.46,
            longitude: 107.59,
            created_at: now - Duration::days(30),
            attributes: Default::default(),
            photos: Vec::new(),
            place: Default::default(),
            received_at: now - Duration::days(30),
            status,
            history: vec![StatusChange {
                status,
                note: "ok".into(),
                at: now - Duration::days(days_ago),
                unit: None,
                duplicate_of: None,
                photos: Vec::new(),
            }],
            rating: None,
        };
        let page = SyncPage {
            changes: vec![
                Change::Report(report(1, ReportStatus::InProgress, 1)),
                Change::Report(report(2, ReportStatus::Resolved, 2)),
                Change::Report(report(3, ReportStatus::InProgress, 20)),
            ],
            next_cursor: "1".into(),
            has_more: false,
            city: Default::default(),
        };
        s.apply_page("http://x", &page).expect("apply");
        let items = s.activity(now).expect("activity");
        let ids: Vec<_> = items
            .iter()
            .map(|i| (i.title_vi.as_str(), i.attention))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("report 1", Some(Attention::CityReplied)),
                ("report 2", Some(Attention::RateIt)),
                ("report 3", None),
            ]
        );
        assert_eq!(title(&"x".repeat(100)).chars().count(), 81);
    }
}
