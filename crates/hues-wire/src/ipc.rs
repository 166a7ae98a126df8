//! The commands the UI sends to the native side (Tauri `invoke`). Each command is a type that
//! names itself and its request and response, so the UI's bridge and the app's handlers cannot
//! disagree. Every command takes one argument named `req` and fails with [`crate::ApiError`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::api::{Category, ReportStatus, StatusChange};
use crate::deadline::DeadlineFlag;
use crate::dossiers::{Dossier, DossierLookup, Procedure};
use crate::error::ErrorCode;

/// A command of the native side.
pub trait Command {
    /// The Tauri command name.
    const NAME: &'static str;
    type Request: Serialize + DeserializeOwned;
    type Response: Serialize + DeserializeOwned;
}

/// The name of the single argument every command takes.
pub const ARG: &str = "req";

macro_rules! command {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $req:ty => $resp:ty) => {
        $(#[$doc])*
        pub struct $ty;
        impl Command for $ty {
            const NAME: &'static str = $name;
            type Request = $req;
            type Response = $resp;
        }
    };
}

command!(
    /// Sync indicator: online/offline, reports waiting, last successful sync.
    GetSyncStatus, "get_sync_status", () => SyncStatus
);
command!(
    /// Ask the sync engine to run now (it also runs on its own).
    SyncNow, "sync_now", () => SyncStatus
);
command!(ListCategories, "list_categories", () => Vec<Category>);
command!(
    /// The city's numbers as the server last said (its hotline), for the emergency links.
    GetCityContacts, "get_city_contacts", () => crate::api::CityContacts
);
command!(
    /// Validate, save on this device and queue for sending, in one transaction.
    SubmitReport, "submit_report", ReportInput => LocalReport
);
command!(ListMyReports, "list_my_reports", () => Vec<LocalReport>);
command!(
    /// Everything of the citizen's, newest first, with what needs them first marked.
    ListActivity, "list_activity", () => Vec<ActivityItem>
);
command!(GetSettings, "get_settings", () => Settings);
command!(SaveSettings, "save_settings", Settings => Settings);
command!(
    /// The report form as last typed, kept across restarts.
    LoadDraft, "load_draft", () => ReportDraft
);
command!(SaveDraft, "save_draft", ReportDraft => ());
command!(
    /// Published reports near a point (online only: asks the server).
    ListNearbyReports, "list_nearby_reports", NearbyRequest => Vec<crate::api::PublicReport>
);
command!(
    /// Possible duplicates of the report being written (online only): same category, 150 m,
    /// 30 days.
    ListPossibleDuplicates, "list_possible_duplicates", DuplicateRequest => Vec<crate::api::PublicReport>
);
command!(
    /// One published report with its handling (online only).
    GetPublicReport, "get_public_report", Uuid => crate::api::PublicReport
);
command!(
    /// "Me too" on a published report (online only); the citizen then follows it.
    MeToo, "me_too", Uuid => crate::api::PublicReport
);
command!(
    /// Queue the citizen's rating of a resolved report.
    RateReport, "rate_report", RateRequest => ()
);
command!(
    /// Queue "the problem is still there" for a resolved report (within 7 days).
    ReopenReport, "reopen_report", ReopenRequest => ()
);
command!(
    /// Runs the photo pipeline on a chosen picture. The request is sent as the raw bytes of the
    /// file (not JSON), so the bridge and the handler treat this one specially.
    AddPhoto, "add_photo", Vec<u8> => DraftPhoto
);
command!(
    /// The nearest known place (from the cached data) within `SUGGEST_PLACE_WITHIN_M`, named in
    /// the given language, to suggest as the address.
    SuggestAddress, "suggest_address", (Point, String) => Option<PlaceSuggestion>
);
command!(
    /// Places from the device's cache: search (Vietnamese-aware), nearest, filters.
    SearchPlaces, "search_places", PlaceQuery => Vec<PlaceView>
);
command!(
    /// One place by id, with distance and direction from the given point.
    GetPlace, "get_place", (String, Option<Point>) => PlaceView
);
command!(
    /// Validate a booking, keep it on the device and queue it (one transaction).
    SubmitBooking, "submit_booking", BookingInput => LocalBooking
);
command!(ListMyBookings, "list_my_bookings", () => Vec<LocalBooking>);
command!(
    /// Queue the cancellation of one of the citizen's bookings.
    CancelBooking, "cancel_booking", Uuid => ()
);
command!(
    /// How many tiles an area of the map needs, and about how many bytes.
    EstimateArea, "estimate_area", AreaRequest => AreaEstimate
);
command!(
    /// Start keeping an area's tiles for offline use (progress through `area_progress`).
    SaveArea, "save_area", AreaRequest => ()
);
command!(AreaProgressNow, "area_progress", () => AreaProgress);
command!(CancelArea, "cancel_area", () => ());
command!(
    /// Warnings on the device: active ones first (most severe, then newest), with the citizen's
    /// places each concerns.
    ListAlerts, "list_alerts", () => Vec<AlertView>
);
command!(ListMyPlaces, "list_my_places", () => Vec<MyPlace>);
command!(
    /// Keep a named place (home, work…) for "affects me".
    SaveMyPlace, "save_my_place", (String, Point) => MyPlace
);
command!(DeleteMyPlace, "delete_my_place", Uuid => ());
command!(
    /// The procedure catalogue kept on the device, searched (folded) and by topic.
    ListProcedures, "list_procedures", ProcedureQuery => Vec<Procedure>
);
command!(GetProcedure, "get_procedure", String => Option<Procedure>);
command!(
    /// Ask the server for a dossier by code and check value (online only).
    LookupDossier, "lookup_dossier", DossierLookup => DossierView
);
command!(
    /// Keep a dossier in Me → My dossiers; sync refreshes it from then on.
    TrackDossier, "track_dossier", DossierLookup => DossierView
);
command!(ListMyDossiers, "list_my_dossiers", () => Vec<DossierView>);
command!(
    /// Remove a dossier from My dossiers (and from this device's feed).
    UntrackDossier, "untrack_dossier", String => ()
);
command!(
    /// Called by the UI when Home has rendered (`false`: show the window, hidden until then so
    /// that no one sees it blank, and so that its first draw does not wait on a loading page), and
    /// again once the shown window has painted two frames (`true`: the start-up measurement).
    UiReady, "ui_ready", bool => ()
);
command!(
    /// The account this device is signed in to, as last known (asks the server when online).
    GetAccount, "get_account", () => AccountView
);
command!(
    /// Send a sign-in code by SMS to a phone number.
    RequestSignInCode, "request_sign_in_code", String => crate::account::CodeSent
);
command!(
    /// Sign in with the code (phone, code).
    VerifySignInCode, "verify_sign_in_code", (String, String) => AccountView
);
command!(
    /// Start signing in through the identity provider: the browser opens its page.
    SignInWithProvider, "sign_in_with_provider", () => AccountView
);
command!(
    /// Sign out: nothing personal stays on the device (refused while something waits to be
    /// sent).
    SignOut, "sign_out", () => AccountView
);
command!(
    /// Download my data: the server's ZIP, saved on the device; its path.
    ExportMyData, "export_my_data", () => String
);
command!(
    /// Delete my account (confirmed with the number): erased after the grace period.
    DeleteMyAccount, "delete_my_account", String => AccountView
);
command!(
    /// Keep my account: a pending deletion is called off.
    KeepMyAccount, "keep_my_account", () => AccountView
);
command!(
    /// Every consent question and the citizen's answer (none yet: not asked).
    ListConsents, "list_consents", () => Vec<ConsentView>
);
command!(
    /// Answer (or change the answer to) a consent question.
    SetConsent, "set_consent", (crate::account::ConsentPurpose, bool) => Vec<ConsentView>
);

/// All command names, for the app's capability file and its tests.
pub const ALL_COMMANDS: [&str; 49] = [
    GetSyncStatus::NAME,
    SyncNow::NAME,
    ListCategories::NAME,
    GetCityContacts::NAME,
    SubmitReport::NAME,
    ListMyReports::NAME,
    ListActivity::NAME,
    GetSettings::NAME,
    SaveSettings::NAME,
    LoadDraft::NAME,
    SaveDraft::NAME,
    UiReady::NAME,
    AddPhoto::NAME,
    RateReport::NAME,
    ReopenReport::NAME,
    ListNearbyReports::NAME,
    MeToo::NAME,
    ListPossibleDuplicates::NAME,
    SuggestAddress::NAME,
    GetPublicReport::NAME,
    SearchPlaces::NAME,
    GetPlace::NAME,
    SubmitBooking::NAME,
    ListMyBookings::NAME,
    CancelBooking::NAME,
    EstimateArea::NAME,
    SaveArea::NAME,
    AreaProgressNow::NAME,
    CancelArea::NAME,
    ListAlerts::NAME,
    ListMyPlaces::NAME,
    SaveMyPlace::NAME,
    DeleteMyPlace::NAME,
    ListProcedures::NAME,
    GetProcedure::NAME,
    LookupDossier::NAME,
    TrackDossier::NAME,
    ListMyDossiers::NAME,
    UntrackDossier::NAME,
    GetAccount::NAME,
    RequestSignInCode::NAME,
    VerifySignInCode::NAME,
    SignInWithProvider::NAME,
    SignOut::NAME,
    ExportMyData::NAME,
    DeleteMyAccount::NAME,
    KeepMyAccount::NAME,
    ListConsents::NAME,
    SetConsent::NAME,
];

/// The citizen's account on this device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The number, masked; `None`: anonymous.
    pub phone: Option<String>,
    /// The server signed this device out (revoked from the console, or the account erased):
    /// sign in again. Nothing queued was lost.
    pub signed_out_by_server: bool,
    /// A deletion is pending: the account is erased then.
    pub erase_after: Option<DateTime<Utc>>,
    /// The server offers an identity provider (VNeID).
    pub identity_provider: bool,
}

/// A consent question and the citizen's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    pub purpose: crate::account::ConsentPurpose,
    /// `None`: not asked yet.
    pub granted: Option<bool>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The answer is for an older wording: ask again.
    pub outdated: bool,
}

/// Search the procedure catalogue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcedureQuery {
    /// Words, folded like place search (diacritics and case ignored); empty for all.
    pub text: String,
    /// One of `PROCEDURE_TOPICS`, or none for all.
    pub topic: Option<String>,
}

/// A dossier as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierView {
    pub dossier: Dossier,
    /// Its procedure, when the catalogue on the device has it.
    pub procedure: Option<Procedure>,
    /// Against its appointment, today in Huế.
    pub flag: DeadlineFlag,
    /// Kept in My dossiers.
    pub tracked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateRequest {
    pub category: String,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearbyRequest {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_m: f64,
}

/// Where "nearby" is measured from until the device gives a position: Huế's centre
/// (Trường Tiền bridge).
pub const HUE_CENTRE: (f64, f64) = (16.4674, 107.5905);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateRequest {
    pub report: Uuid,
    pub rating: crate::api::NewRating,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReopenRequest {
    pub report: Uuid,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The last attempt reached the server.
    pub online: bool,
    /// Reports saved on this device and not yet acknowledged by the server.
    pub waiting: u32,
    /// Reports the server refused; the citizen must look at them.
    pub failed: u32,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Rises whenever local data changed, so screens know to reload.
    pub revision: u64,
    /// Of `waiting`, reports held on the device until the citizen agrees to send positions
    /// (or photos).
    #[serde(default)]
    pub waiting_for_consent: u32,
}

/// What the citizen typed in the report form. Coordinates stay text until validated, so that a
/// mistake never loses what was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportDraft {
    pub category: String,
    pub description: String,
    pub latitude: String,
    pub longitude: String,
    /// Answers to the chosen category's extra fields.
    #[serde(default)]
    pub attributes: crate::api::Attributes,
    /// Photos already processed and kept on the device.
    #[serde(default)]
    pub photos: Vec<DraftPhoto>,
    /// Address or landmark as typed (or accepted from a suggestion).
    #[serde(default)]
    pub address: String,
    /// How the coordinates were found, and the device's accuracy when it gave them.
    #[serde(default)]
    pub location_source: Option<crate::api::LocationSource>,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    /// The warning whose damage this reports ("Report damage here" on its page).
    #[serde(default)]
    pub alert: Option<String>,
}

/// A report to submit, already parsed by the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub category: String,
    pub description: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Answers to the category's extra fields.
    #[serde(default)]
    pub attributes: crate::api::Attributes,
    /// Processed photos on this device (SHA-256 names), at most 5.
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default)]
    pub place: crate::api::ReportPlace,
}

/// A photo added to a draft, after the pipeline: its name, size, and what EXIF said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftPhoto {
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    /// The position the camera recorded, offered for confirmation.
    pub position: Option<(f64, f64)>,
    pub taken_at: Option<String>,
}

/// Where a report is, as the citizen sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeliveryState {
    /// In the outbox, not yet tried or waiting to retry.
    SavedOnDevice,
    /// Being sent now.
    Sending,
    /// The server acknowledged it; `ReportStatus` says the rest.
    Delivered,
    /// The server refused it; the code says why. It stays on the device.
    Refused { code: ErrorCode },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalReport {
    pub id: Uuid,
    pub category: String,
    pub description: String,
    pub latitude: f64,
    pub longitude: f64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub address: Option<String>,
    /// The citizen's photos (SHA-256 names, shown through the app's `photo:` protocol).
    #[serde(default)]
    pub photos: Vec<String>,
    pub delivery: DeliveryState,
    /// The city's status once delivered.
    pub status: Option<ReportStatus>,
    pub history: Vec<StatusChange>,
    /// The citizen's rating as the server acknowledged it.
    #[serde(default)]
    pub rating: Option<crate::api::Rating>,
    /// Until when it may be reopened (resolved reports only).
    #[serde(default)]
    pub reopen_until: Option<DateTime<Utc>>,
    /// Someone else's report that this device follows ("me too"): shown, not rated here.
    #[serde(default)]
    pub followed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// `vi` (default) or `en`.
    pub language: String,
    pub server_url: String,
    /// Map tiles, a `{z}/{x}/{y}` template; empty for the city server's own map (`/tiles/`).
    #[serde(default)]
    pub tile_url: String,
}

impl Settings {
    /// Where map tiles come from: the template the citizen set, else the server's base map.
    pub fn tile_template(&self) -> String {
        if self.tile_url.is_empty() {
            format!("{}/tiles/{{z}}/{{x}}/{{y}}.png", self.server_url)
        } else {
            self.tile_url.clone()
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: "vi".into(),
            server_url: DEFAULT_SERVER_URL.into(),
            tile_url: String::new(),
        }
    }
}

pub const DEFAULT_SERVER_URL: &str = "http://127.0.0.1:8787";
/// The tile address earlier versions saved by default (OpenStreetMap's own tiles, whose usage
/// policy does not cover an app's users): read as "the city server's map".
pub const FORMER_DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

/// A point on the map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

/// The known place nearest to a point, offered as the address of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceSuggestion {
    pub name: String,
    pub address: String,
    pub distance_m: f64,
}

/// A booking as the form gives it (the id and time are made on the device).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingInput {
    pub kind: crate::api::BookingKind,
    pub place_id: String,
    pub date_from: chrono::NaiveDate,
    #[serde(default)]
    pub date_to: Option<chrono::NaiveDate>,
    pub people: u32,
    pub contact_name: String,
    pub contact_phone: String,
    #[serde(default)]
    pub note: String,
}

/// A booking on the device: what was asked, where it is on its way, and the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalBooking {
    pub request: crate::api::NewBooking,
    /// The place's name in Vietnamese and English, from the cache (empty if unknown).
    pub place_name_vi: String,
    pub place_name_en: String,
    pub delivery: DeliveryState,
    /// The server's status once delivered.
    pub status: Option<crate::api::BookingStatus>,
    pub note_from_operator: String,
    /// A cancellation waits to be sent.
    pub cancel_queued: bool,
}

/// One of the citizen's own places, for "affects me".
pub use crate::account::MyPlace;

/// A warning as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    pub alert: crate::api::AlertRecord,
    /// Names of the citizen's places it concerns.
    pub affects: Vec<String>,
    /// Past its expiry time.
    pub expired: bool,
}

/// A box of the map and zoom levels to keep for offline use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AreaRequest {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
    pub zoom_from: u8,
    pub zoom_to: u8,
}

/// What saving an area will take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaEstimate {
    pub tiles: u64,
    /// Already on the device.
    pub cached: u64,
    /// About how much the rest weighs.
    pub bytes: u64,
}

/// How far saving an area has come.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaProgress {
    pub total: u64,
    pub done: u64,
    pub failed: u64,
    pub bytes: u64,
    pub running: bool,
    pub cancelled: bool,
    pub finished: bool,
    /// Why it stopped early (tile server unreachable…); asking again resumes.
    pub error: Option<String>,
}

/// What the places screen asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaceQuery {
    /// Words to find in names and addresses (any case, with or without marks); empty for all.
    #[serde(default)]
    pub text: String,
    /// Some of `api::PLACE_CATEGORIES`; empty for all.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Where the citizen is: results carry distance and direction, and with no text come
    /// nearest first.
    #[serde(default)]
    pub near: Option<Point>,
    #[serde(default)]
    pub open_now: bool,
    /// Only the curated sights for visitors.
    #[serde(default)]
    pub sights_only: bool,
    pub limit: u32,
}

/// A place as a card shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceView {
    pub place: crate::api::Place,
    pub distance_m: Option<f64>,
    /// From the citizen to the place, degrees clockwise from north.
    pub bearing_deg: Option<f64>,
    /// Open now, by its opening hours in Huế's time; `None` when the hours are unknown.
    pub open: Option<bool>,
    /// When it opens or closes next (within a week).
    pub next_change: Option<DateTime<Utc>>,
}

/// How far a known place may be to be suggested as a report's address.
pub const SUGGEST_PLACE_WITHIN_M: f64 = 400.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique() {
        let mut names = ALL_COMMANDS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL_COMMANDS.len());
    }

    #[test]
    fn delivery_state_shape() {
        let v = serde_json::to_value(DeliveryState::Refused {
            code: ErrorCode::UnknownCategory,
        })
        .expect("serialize");
        assert_eq!(v["state"], "refused");
        assert_eq!(v["code"], "unknown_category");
    }
}

/// What one line of "My activity" is about; its page is found from `kind` and `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// One of the citizen's own reports.
    Report,
    /// A report the citizen follows ("me too").
    Followed,
    Dossier,
    Booking,
    /// A live warning that concerns one of the citizen's places.
    Warning,
}

/// Why a line of activity needs the citizen first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attention {
    /// A live warning for one of the citizen's places.
    WarningForMyPlace,
    /// The city answered a report in the last days.
    CityReplied,
    /// A resolved report the citizen has not rated yet, while it can still be.
    RateIt,
    /// A dossier's result is ready to collect.
    DossierReady,
    /// A dossier's appointment is today or the next working day, or it waits for documents.
    DossierDue,
    /// A booking was confirmed or declined, for a day still ahead.
    BookingAnswered,
}

/// One line of "My activity": everything of the citizen's, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityItem {
    pub kind: ActivityKind,
    /// The report's, dossier's (code), booking's or warning's (CAP identifier) id.
    pub id: String,
    /// What it is in the citizen's words or the city's: a report's description, a dossier's
    /// procedure, a booked place, a warning's headline (each in Vietnamese and English where
    /// they differ).
    pub title_vi: String,
    pub title_en: String,
    /// Its state as a code the screen words (a report's status, a dossier's state, a booking's
    /// status, a warning's severity).
    pub state: String,
    /// When it last changed.
    pub at: chrono::DateTime<chrono::Utc>,
    pub attention: Option<Attention>,
}
