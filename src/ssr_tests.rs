//! Components rendered natively with dioxus-ssr: what they say in each state and language, and
//! that every control has an accessible name.

use std::rc::Rc;

use chrono::{TimeZone, Utc};
use dioxus::prelude::*;
use hues_wire::ErrorCode;
use hues_wire::api::{Category, ReportStatus, StatusChange};
use hues_wire::ipc::{DeliveryState, LocalReport, ReportDraft, SyncStatus};

use crate::app::{AppCtx, Route};
use crate::components::{ReportList, SyncIndicator};
use crate::i18n::Lang;
use crate::pages::ReportForm;

fn render(dom: &mut VirtualDom) -> String {
    dom.rebuild_in_place();
    dioxus_ssr::render(dom)
}

/// The whole routed shell at `path`, with a memory history and the given language.
fn render_route(path: &'static str, lang: Lang) -> String {
    #[derive(Props, Clone, PartialEq)]
    struct P {
        path: &'static str,
        lang: Lang,
    }
    #[allow(non_snake_case)]
    fn Root(p: P) -> Element {
        use_context_provider(|| {
            Rc::new(dioxus::history::MemoryHistory::with_initial_path(p.path))
                as Rc<dyn dioxus::history::History>
        });
        let lang = use_signal(|| p.lang);
        let status = use_signal(SyncStatus::default);
        use_context_provider(|| AppCtx { lang, status });
        rsx! { Router::<Route> {} }
    }
    let mut dom = VirtualDom::new_with_props(Root, P { path, lang });
    render(&mut dom)
}

fn category() -> Category {
    Category {
        code: "flooding".into(),
        group: "drainage".into(),
        name_vi: "Thoát nước, ngập úng".into(),
        name_en: "Drainage and flooding".into(),
        description_vi: String::new(),
        description_en: String::new(),
        position: 1,
        attributes: Vec::new(),
        public: true,
    }
}

fn report(
    delivery: DeliveryState,
    status: Option<ReportStatus>,
    notes: &[(&str, ReportStatus)],
) -> LocalReport {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 21, 3, 0, 0)
        .single()
        .expect("time");
    LocalReport {
        id: uuid_for(notes.len() as u128 + status.map_or(0, |s| s as u128) * 10),
        category: "flooding".into(),
        description: "Ngập trước chợ Đông Ba".into(),
        latitude: 16.47,
        longitude: 107.58,
        created_at: at,
        address: None,
        photos: Vec::new(),
        delivery,
        status,
        rating: None,
        followed: false,
        reopen_until: (status == Some(ReportStatus::Resolved))
            .then(|| at + chrono::Duration::days(7)),
        history: notes
            .iter()
            .map(|(note, st)| StatusChange {
                status: *st,
                note: (*note).into(),
                at,
                unit: None,
                duplicate_of: None,
                photos: Vec::new(),
            })
            .collect(),
    }
}

fn uuid_for(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 + n)
}

/// Every input, select and textarea has a label pointing at its id; every button and link has
/// text or an aria-label.
fn assert_accessible(html: &str) {
    for tag in ["<input", "<select", "<textarea"] {
        for (pos, _) in html.match_indices(tag) {
            let open = &html[pos..pos + html[pos..].find('>').unwrap_or(0)];
            let id = attr(open, "id").unwrap_or_else(|| panic!("control without id: {open}"));
            let labelled = html.contains(&format!("for=\"{id}\"")) || open.contains("aria-label=");
            assert!(labelled, "control #{id} has no label");
        }
    }
    for (tag, close) in [("<button", "</button>"), ("<a ", "</a>")] {
        for (pos, _) in html.match_indices(tag) {
            let end = html[pos..].find(close).map_or(html.len(), |e| pos + e);
            let element = &html[pos..end];
            let text = strip_tags(element);
            assert!(
                !text.trim().is_empty() || element.contains("aria-label="),
                "nameless {tag}: {element}"
            );
        }
    }
}

fn attr(open_tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = open_tag.find(&key)? + key.len();
    let end = open_tag[start..].find('"')? + start;
    Some(open_tag[start..end].to_owned())
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn home_lists_every_service_group_and_says_which_are_not_built() {
    let html = render_route("/", Lang::Vi);
    for name in [
        "Phản ánh hiện trường",
        "Cảnh báo",
        "Dịch vụ thiết yếu",
        "Giao thông",
        "Giáo dục",
        "Y tế",
        "Di sản và du lịch",
        "Quy hoạch đất đai",
        "Thủ tục hành chính",
    ] {
        assert!(html.contains(name), "{name} missing");
    }
    // Everything but planning is built.
    assert_eq!(html.matches("Chưa có trong phiên bản này").count(), 1);
    assert_eq!(
        html.matches("data-built=true").count() + html.matches("data-built=\"true\"").count(),
        8
    );
    assert!(html.contains("aria-current=\"page\""), "current tab marked");
    assert_emergency_calls(&html, Lang::Vi);
    assert_accessible(&html);
}

/// Issue 12: the four emergency numbers, each a `tel:` link named with its number and service.
fn assert_emergency_calls(html: &str, lang: Lang) {
    let names = match lang {
        Lang::Vi => [
            "Công an",
            "Cứu hỏa, cứu nạn cứu hộ",
            "Cấp cứu y tế",
            "Tìm kiếm cứu nạn",
        ],
        Lang::En => [
            "Police",
            "Fire and rescue",
            "Ambulance",
            "Search and rescue",
        ],
    };
    for (number, name) in ["113", "114", "115", "112"].into_iter().zip(names) {
        let link = html
            .find(&format!("href=\"tel:{number}\""))
            .map(|at| &html[at..])
            .unwrap_or_else(|| panic!("no tel:{number} link in {html}"));
        let text = strip_tags(&link[..link.find("</a>").unwrap_or(link.len())]);
        assert!(
            text.contains(number) && text.contains(name),
            "{number}: {text}"
        );
    }
}

#[test]
fn the_emergency_numbers_and_the_city_hotline_are_links_to_call() {
    for (lang, hotline_name, reminder) in [
        (Lang::Vi, "Đường dây nóng thành phố Huế", "Hãy gọi ngay"),
        (Lang::En, "Huế city hotline", "Call now"),
    ] {
        let mut dom = VirtualDom::new_with_props(
            crate::components::EmergencyCalls,
            crate::components::emergency::EmergencyCallsProps {
                lang,
                hotline: Some("1900 1075".into()),
                reminder: true,
            },
        );
        let html = render(&mut dom);
        assert_emergency_calls(&html, lang);
        assert!(html.contains("href=\"tel:19001075\""), "{html}");
        assert!(html.contains("1900 1075") && html.contains(hotline_name));
        assert!(html.contains(reminder), "the reminder: {html}");
        assert_accessible(&html);
    }
    // A hotline that is not a phone number is not linked at all.
    let mut dom = VirtualDom::new_with_props(
        crate::components::EmergencyCalls,
        crate::components::emergency::EmergencyCallsProps {
            lang: Lang::Vi,
            hotline: Some("javascript:alert(1)".into()),
            reminder: false,
        },
    );
    let html = render(&mut dom);
    assert!(!html.contains("javascript") && !html.contains("call-hotline"));
    assert!(!html.contains("emergency-reminder"));
}

#[test]
fn every_route_renders_in_both_languages_with_named_controls() {
    for path in [
        "/",
        "/report",
        "/alerts",
        "/alerts/HUE-2026-LU-SONG-HUONG-01",
        "/map",
        "/map?group=health",
        "/map/reports",
        "/tourism",
        "/places/dai-noi",
        "/me",
        "/me/reports",
        "/me/bookings",
        "/me/settings",
    ] {
        for lang in [Lang::Vi, Lang::En] {
            let html = render_route(path, lang);
            assert!(html.contains("bottom-nav"), "{path}: shell missing");
            assert_accessible(&html);
            let english = html.contains(">Home<");
            assert_eq!(english, lang == Lang::En, "{path} {lang:?}");
        }
    }
}

#[test]
fn sync_indicator_says_state_in_words() {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 21, 1, 5, 0)
        .single()
        .expect("time");
    #[allow(non_snake_case)]
    fn Offline(at: chrono::DateTime<Utc>) -> Element {
        rsx! {
            SyncIndicator {
                status: SyncStatus {
                    online: false,
                    waiting: 2,
                    failed: 1,
                    last_success_at: Some(at),
                    revision: 1,
                    waiting_for_consent: 0,
                },
                lang: Lang::Vi,
                on_sync: |_| {},
            }
        }
    }
    let mut dom = VirtualDom::new_with_props(Offline, at);
    let html = render(&mut dom);
    assert!(html.contains("○ "), "shape, not colour alone");
    assert!(html.contains("Ngoại tuyến"));
    assert!(html.contains("2 phản ánh chờ gửi"));
    assert!(html.contains("1 phản ánh bị từ chối"));
    assert!(html.contains("21/11/2026 08:05"), "local time: {html}");
    assert!(html.contains("role=\"status\""));
}

#[test]
fn report_list_shows_every_delivery_state_with_text() {
    let reports = vec![
        report(DeliveryState::SavedOnDevice, None, &[]),
        report(
            DeliveryState::Sending,
            None,
            &[("", ReportStatus::Received)],
        ),
        report(
            DeliveryState::Refused {
                code: ErrorCode::UnknownCategory,
            },
            None,
            &[("", ReportStatus::Received), ("", ReportStatus::Received)],
        ),
        report(
            DeliveryState::Delivered,
            Some(ReportStatus::Resolved),
            &[
                ("", ReportStatus::Received),
                ("Đã thông cống", ReportStatus::Resolved),
            ],
        ),
    ];
    for (lang, expected) in [
        (
            Lang::Vi,
            [
                "Đã lưu trên máy",
                "Đang gửi",
                "Bị từ chối: Lĩnh vực phản ánh không tồn tại.",
                "Đã giải quyết",
            ],
        ),
        (
            Lang::En,
            [
                "Saved on this device",
                "Sending",
                "Refused: This category does not exist.",
                "Resolved",
            ],
        ),
    ] {
        let mut dom = VirtualDom::new_with_props(
            ReportList,
            crate::components::report_list::ReportListProps {
                reports: reports.clone(),
                categories: vec![category()],
                lang,
            },
        );
        let html = render(&mut dom);
        for text in expected {
            assert!(html.contains(text), "{lang:?}: {text} missing");
        }
        for state in ["saved", "sending", "refused", "resolved"] {
            assert!(html.contains(&format!("data-state=\"{state}\"")), "{state}");
        }
        assert!(html.contains("Đã thông cống"), "the city's note");
        assert!(html.contains(if lang == Lang::Vi {
            "Thoát nước, ngập úng"
        } else {
            "Drainage and flooding"
        }));
    }
}

#[test]
fn report_form_restores_the_draft_and_labels_every_field() {
    let draft = ReportDraft {
        alert: None,
        category: "flooding".into(),
        description: "Cống tắc".into(),
        latitude: "16.47".into(),
        longitude: "107.58".into(),
        attributes: Default::default(),
        photos: vec![hues_wire::ipc::DraftPhoto {
            sha256: "ab".repeat(32),
            width: 1200,
            height: 1600,
            position: Some((16.4698, 107.5786)),
            taken_at: None,
        }],
        address: "Cửa Ngăn".into(),
        location_source: Some(hues_wire::api::LocationSource::Device),
        accuracy_m: Some(240.0),
    };
    let mut dom = VirtualDom::new_with_props(
        ReportForm,
        crate::pages::report::ReportFormProps {
            ask_consent: false,
            lang: Lang::En,
            categories: vec![category()],
            initial: draft,
        },
    );
    let html = render(&mut dom);
    assert!(html.contains("Cống tắc"));
    assert!(html.contains("value=\"16.47\""));
    assert!(html.contains("Drainage and flooding"));
    assert!(html.contains("Submit report"));
    assert!(
        html.contains("Photo 1 · 1200×1600"),
        "the chosen photo is listed"
    );
    assert!(html.contains("aria-label=\"Remove photo 1\""));
    assert!(html.contains("accept=\"image/*\"") && html.contains("capture=\"environment\""));
    // The thumbnail comes through the app's photo scheme and is named.
    assert!(html.contains(&format!(
        "src=\"photo://localhost/{}.thumb\"",
        "ab".repeat(32)
    )));
    assert!(html.contains("alt=\"Photo 1\""));
    // A device fix worse than 100 m is flagged in words; the address is kept.
    assert!(html.contains("only accurate to about 240 m"), "{html}");
    assert!(html.contains("value=\"Cửa Ngăn\""));
    // The map is a labelled region, and the coordinates can be typed instead.
    assert!(html.contains("aria-label=\"Map to choose the report"));
    assert!(html.contains("id=\"use-device-position\""));
    // An emergency is a call, not a report: the numbers are on the form, before it.
    assert_emergency_calls(&html, Lang::En);
    assert!(html.contains("a report is not an emergency call"));
    assert!(html.find("id=\"emergency\"") < html.find("id=\"report-form\""));
    assert_accessible(&html);
}

#[test]
fn report_form_says_before_sending_what_will_be_public_and_what_never_is() {
    let form = |lang: Lang, public: bool, lat: &str, lon: &str| {
        let mut secret = category();
        secret.code = "security".into();
        secret.name_en = "Security and order".into();
        secret.public = false;
        let draft = ReportDraft {
            category: if public { "flooding" } else { "security" }.into(),
            latitude: lat.into(),
            longitude: lon.into(),
            ..Default::default()
        };
        let mut dom = VirtualDom::new_with_props(
            ReportForm,
            crate::pages::report::ReportFormProps {
                ask_consent: false,
                lang,
                categories: vec![category(), secret],
                initial: draft,
            },
        );
        render(&mut dom)
    };
    let notice = |html: &str| {
        let start = html
            .find("id=\"report-publicity\"")
            .expect("the notice is shown");
        let end = html[start..].find("</section>").expect("closed") + start;
        // Before the Send button.
        assert!(start < html.find("id=\"report-submit\"").expect("submit"));
        strip_tags(&html[start..end]).replace("&#39;", "'")
    };

    let html = form(Lang::En, true, "16.47416", "107.59253");
    // A region named by its heading.
    assert!(html.contains("aria-labelledby=\"publicity-title\""));
    assert!(html.contains("<h3 id=\"publicity-title\">Who will see this report</h3>"));
    let text = notice(&html);
    for public in [
        "your description, and the address",
        "the photos, without their hidden data",
        // Rounded as published (3 places), not the typed position.
        "rounded to about 100 m: 16.474, 107.593",
        "the category, the status and the city's answers, with times to the minute",
    ] {
        assert!(text.contains(public), "{public} in {text}");
    }
    for never in [
        "Never public:",
        "who sent it",
        "the exact position and how accurate it is",
        "your answers to the category's extra questions",
        "your rating and its comment, and your note if you reopen",
    ] {
        assert!(text.contains(never), "{never} in {text}");
    }
    assert!(
        !text.contains("16.47416"),
        "the exact position is not shown as public"
    );
    assert!(!html.contains("publicity-private"));

    // A category whose reports are not published says so instead, and still what never is.
    let text = notice(&form(Lang::En, false, "", ""));
    assert!(
        text.contains("Only you and the city's staff will see this report"),
        "{text}"
    );
    assert!(!text.contains("rounded to about 100 m"), "{text}");
    assert!(text.contains("Never public:"));

    // Vietnamese, both cases; without a position the rounding is still said.
    let html = form(Lang::Vi, true, "", "");
    assert!(html.contains("Ai sẽ thấy phản ánh này"));
    let text = notice(&html);
    assert!(text.contains("vị trí, làm tròn khoảng 100 m"), "{text}");
    assert!(text.contains("Không bao giờ công khai:"));
    let text = notice(&form(Lang::Vi, false, "", ""));
    assert!(
        text.contains("Chỉ bạn và cán bộ thành phố thấy phản ánh này"),
        "{text}"
    );
    assert_accessible(&html);
}

#[test]
fn settings_say_why_http_is_only_for_this_device() {
    for (lang, why) in [
        (
            Lang::Vi,
            "Máy chủ phải dùng https:// (http:// chỉ cho máy này, 127.0.0.1/localhost): qua http, mã thiết bị và phản ánh của bạn đi trên mạng không mã hóa.",
        ),
        (
            Lang::En,
            "The server must use https:// (http:// only for this device, 127.0.0.1/localhost)",
        ),
    ] {
        let html = render_route("/me/settings", lang);
        let hint = html
            .find("id=\"server-url-hint\"")
            .expect("the server field has its hint");
        assert!(html[hint..].contains(why), "{html}");
        assert!(html.contains("aria-describedby=\"server-url-hint\""));
    }
    assert!(
        crate::i18n::error_text(Lang::Vi, ErrorCode::InsecureUrl).contains("https://"),
        "the refusal is translated"
    );
}

#[test]
fn report_form_asks_the_category_extra_questions() {
    use hues_wire::api::{AttributeType, AttributeValue, CategoryAttribute};
    let mut cat = category();
    cat.attributes = vec![
        CategoryAttribute {
            code: "depth_cm".into(),
            datatype: AttributeType::Number,
            required: true,
            description_vi: "Độ sâu nước ngập (cm)".into(),
            description_en: "Water depth (cm)".into(),
            order: 1,
            values: Vec::new(),
        },
        CategoryAttribute {
            code: "hazards".into(),
            datatype: AttributeType::Multivaluelist,
            required: false,
            description_vi: "Nguy hiểm kèm theo".into(),
            description_en: "Hazards".into(),
            order: 2,
            values: vec![AttributeValue {
                key: "traffic".into(),
                name_vi: "Gây nguy hiểm cho xe".into(),
                name_en: "Dangerous for traffic".into(),
            }],
        },
    ];
    let mut answers = hues_wire::api::Attributes::new();
    answers.insert("depth_cm".into(), "40".into());
    let draft = ReportDraft {
        category: "flooding".into(),
        attributes: answers,
        ..Default::default()
    };
    let mut dom = VirtualDom::new_with_props(
        ReportForm,
        crate::pages::report::ReportFormProps {
            ask_consent: false,
            lang: Lang::Vi,
            categories: vec![cat],
            initial: draft,
        },
    );
    let html = render(&mut dom);
    assert!(
        html.contains("Độ sâu nước ngập (cm) *"),
        "required marked in words"
    );
    assert!(html.contains("id=\"attr-depth_cm\""));
    assert!(
        html.contains("value=\"40\""),
        "answer restored from the draft"
    );
    assert!(html.contains("Gây nguy hiểm cho xe"));
    assert!(html.contains("type=\"checkbox\""));
    assert_accessible(&html);
}

#[test]
fn nearby_list_says_status_distance_and_me_too() {
    use hues_wire::api::PublicReport;
    #[allow(non_snake_case)]
    fn Nearby() -> Element {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 21, 3, 0, 0)
            .single()
            .expect("time");
        let report = PublicReport {
            id: uuid_for(42),
            category: "flooding".into(),
            description: "Ngập trước chợ Đông Ba".into(),
            latitude: 16.47,
            longitude: 107.58,
            status: ReportStatus::InProgress,
            received_at: at,
            me_too: 3,
            address: Some("2 Trần Hưng Đạo".into()),
            photos: vec!["cd".repeat(32)],
            distance_m: Some(212.4),
            history: Vec::new(),
            alert: None,
        };
        rsx! {
            crate::pages::NearbyList {
                reports: vec![report],
                categories: vec![category()],
                lang: Lang::En,
                on_me_too: |_| {},
            }
        }
    }
    let mut dom = VirtualDom::new(Nearby);
    let html = render(&mut dom);
    assert!(html.contains("Drainage and flooding"));
    assert!(html.contains("In progress"), "status in words");
    assert!(html.contains("212 m away"));
    assert!(html.contains("3 people also have this problem"));
    assert!(html.contains(">Me too<"));
    assert_accessible(&html);
}

fn dong_ba() -> hues_wire::api::Place {
    hues_wire::api::Place {
        id: "cho-dong-ba".into(),
        category: "market".into(),
        name_vi: "Chợ Đông Ba".into(),
        name_en: "Đông Ba Market".into(),
        address: "2 Trần Hưng Đạo, Phú Hòa".into(),
        latitude: 16.4726,
        longitude: 107.5884,
        opening_hours: "Mo-Su 06:00-19:00; PH off".into(),
        tickets: vec![hues_wire::api::Ticket {
            name_vi: "Người lớn".into(),
            name_en: "Adult".into(),
            price_vnd: 200_000,
        }],
        sight: true,
        ..Default::default()
    }
}

#[test]
fn a_place_card_says_open_until_when_and_how_far_in_words() {
    #[allow(non_snake_case)]
    fn Card() -> Element {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .single()
            .expect("time");
        rsx! {
            ul {
                crate::pages::places::PlaceCard {
                    v: hues_wire::ipc::PlaceView {
                        place: dong_ba(),
                        distance_m: Some(612.0),
                        bearing_deg: Some(40.0),
                        open: Some(true),
                        next_change: Some(at),
                    },
                    lang: Lang::En,
                }
            }
        }
    }
    let mut dom = VirtualDom::new(Card);
    let html = render(&mut dom);
    assert!(
        html.contains("Open now, closes at 23/11/2026 19:00"),
        "{html}"
    );
    assert!(html.contains("612 m north-east"), "{html}");
    assert!(html.contains("data-open=\"open\""));
    assert!(html.contains("Market"));
    assert_accessible(&html);
}

#[test]
fn the_booking_form_labels_every_field_and_offers_what_the_place_sells() {
    #[allow(non_snake_case)]
    fn Form() -> Element {
        let place = dong_ba();
        let kinds = crate::pages::bookings::bookable_kinds(&place);
        rsx! { crate::pages::bookings::BookingForm { lang: Lang::Vi, place, kinds } }
    }
    let mut dom = VirtualDom::new(Form);
    let html = render(&mut dom);
    assert!(html.contains("Đặt vé tham quan") && html.contains("Đặt tour tham quan"));
    for id in [
        "booking-from",
        "booking-people",
        "booking-name",
        "booking-phone",
    ] {
        assert!(html.contains(&format!("for=\"{id}\"")), "{id} labelled");
    }
    assert_accessible(&html);
}

#[test]
fn an_overdue_dossier_says_so_in_words_with_the_apology_and_its_new_date() {
    use hues_wire::deadline::DeadlineFlag;
    use hues_wire::dossiers::{Apology, Dossier, DossierState, DossierStep};
    let at = Utc
        .with_ymd_and_hms(2026, 11, 2, 2, 0, 0)
        .single()
        .expect("time");
    let view = hues_wire::ipc::DossierView {
        dossier: Dossier {
            code: "HS-2026-000102".into(),
            procedure_id: "gpxd-nha-o".into(),
            unit_vi: "Ủy ban nhân dân phường Thuận Hóa".into(),
            unit_en: "Thuận Hóa Ward People's Committee".into(),
            received_at: at,
            appointment: chrono::NaiveDate::from_ymd_opt(2026, 11, 16).expect("date"),
            state: DossierState::SupplementRequested,
            timeline: vec![
                DossierStep {
                    state: DossierState::Received,
                    at,
                    note: String::new(),
                },
                DossierStep {
                    state: DossierState::SupplementRequested,
                    at,
                    note: "Bổ sung bản vẽ mặt đứng".into(),
                },
            ],
            apology: Some(Apology {
                at,
                reason: "Cần thẩm định thực địa do mưa lũ.".into(),
                new_appointment: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
            }),
        },
        procedure: None,
        flag: DeadlineFlag::Overdue,
        tracked: true,
    };
    for (lang, words) in [
        (
            Lang::Vi,
            [
                "Quá hạn",
                "Yêu cầu bổ sung hồ sơ",
                "Cơ quan giải quyết: Ủy ban nhân dân phường Thuận Hóa",
                "Hẹn trả kết quả: 16/11/2026",
                "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
                "Ngày hẹn trả kết quả mới: 27/11/2026",
            ],
        ),
        (
            Lang::En,
            [
                "Overdue",
                "More documents requested",
                "Handled by: Thuận Hóa Ward People",
                "Result due: 16/11/2026",
                "Apology and new result date",
                "New result date: 27/11/2026",
            ],
        ),
    ] {
        let mut dom = VirtualDom::new_with_props(
            crate::pages::procedures::DossierCard,
            crate::pages::procedures::DossierCardProps {
                view: view.clone(),
                lang,
            },
        );
        let html = render(&mut dom);
        for w in words {
            assert!(html.contains(w), "{w}: {html}");
        }
        assert!(html.contains("Cần thẩm định thực địa do mưa lũ."));
        assert!(html.contains("Bổ sung bản vẽ mặt đứng"));
        // The tier has a symbol and words, not only the card's colour.
        assert!(html.contains("⚠ "));
        assert!(!html.contains("provisional"), "2026 is announced");
        assert_accessible(&html);
    }
    // Due in 2027, whose notice is not out: the card says the date follows the Labour Code.
    let mut next_year = view.clone();
    next_year.dossier.appointment = chrono::NaiveDate::from_ymd_opt(2027, 1, 5).expect("date");
    next_year.dossier.apology = None;
    for (lang, words) in [
        (
            Lang::Vi,
            "Lịch nghỉ năm 2027 tính theo Bộ luật Lao động cho đến khi có thông báo của Chính phủ",
        ),
        (
            Lang::En,
            "Dates for 2027 follow the Labour Code until the government’s notice",
        ),
    ] {
        let mut dom = VirtualDom::new_with_props(
            crate::pages::procedures::DossierCard,
            crate::pages::procedures::DossierCardProps {
                view: next_year.clone(),
                lang,
            },
        );
        let html = render(&mut dom);
        assert!(html.contains(words), "{words}: {html}");
        assert!(html.contains("class=\"note provisional\" role=\"note\""));
    }
}
