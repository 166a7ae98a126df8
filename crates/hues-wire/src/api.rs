//! The HTTP API `/api/v1` between the app and the reference server.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The API's version prefix.
pub const API_PREFIX: &str = "/api/v1";

/// Longest report description, in characters (not bytes).
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: String,
    pub version: String,
}

/// Registering an app install: the anonymous citizen identity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewDevice {
    /// Free text such as "linux" or "android"; for operators' statistics only.
    #[serde(default)]
    pub platform: Option<String>,
    /// The app's UI language, `vi` or `en`.
    #[serde(default)]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeviceToken {
    pub device_id: Uuid,
    /// Bearer token for `Authorization: Bearer …`. Shown once; the server keeps only its hash.
    pub token: String,
}

/// A report category (an Open311 "service").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Category {
    /// Stable code, e.g. `street_light`.
    pub code: String,
    /// Group code, e.g. `power`.
    pub group: String,
    pub name_vi: String,
    pub name_en: String,
    pub description_vi: String,
    pub description_en: String,
    /// Sort order inside lists.
    pub position: i64,
    /// Extra fields a report of this category carries (Open311 "attributes").
    #[serde(default)]
    pub attributes: Vec<CategoryAttribute>,
    /// Whether its reports are shown to the public once received (the publication rule). When
    /// false (e.g. security), only the reporter and staff see them, unless staff publish one.
    #[serde(default = "yes")]
    pub public: bool,
}

fn yes() -> bool {
    true
}

/// Decimal places of a report's position as the public sees it: 3 places of a degree are about
/// 110 m north–south and 107 m east–west in Huế, enough to find a pothole's street and not enough
/// to find a reporter's door.
pub const PUBLIC_POSITION_DECIMALS: i32 = 3;

/// A coordinate as published (see `PUBLIC_POSITION_DECIMALS`); never −0.0.
pub fn public_coordinate(x: f64) -> f64 {
    let scale = 10f64.powi(PUBLIC_POSITION_DECIMALS);
    (x * scale).round() / scale + 0.0
}

/// A coordinate as stored and compared: −0.0 becomes 0.0, the one zero JSON round-trips
/// through every store (SQLite keeps −0.0 as 0), so a retry compares equal to what is stored.
pub fn normalise_coordinate(x: f64) -> f64 {
    x + 0.0
}

/// The kind of value an extra field takes (Open311 `datatype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    String,
    Number,
    Datetime,
    Text,
    Singlevaluelist,
    Multivaluelist,
}

impl AttributeType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Datetime => "datetime",
            Self::Text => "text",
            Self::Singlevaluelist => "singlevaluelist",
            Self::Multivaluelist => "multivaluelist",
        }
    }
}

/// One extra field of a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryAttribute {
    pub code: String,
    pub datatype: AttributeType,
    pub required: bool,
    /// The question asked, in Vietnamese and English.
    pub description_vi: String,
    pub description_en: String,
    pub order: i64,
    /// The allowed values of a list.
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttributeValue {
    pub key: String,
    pub name_vi: String,
    pub name_en: String,
}

/// Answers to a category's extra fields, by attribute code. A multi-value list's keys are
/// joined with commas.
pub type Attributes = BTreeMap<String, String>;

impl Category {
    /// The name in the given language (`vi` or anything else for English).
    pub fn name(&self, lang: &str) -> &str {
        if lang == "vi" {
            &self.name_vi
        } else {
            &self.name_en
        }
    }
}

/// A citizen's new report, as the app sends it. The id is made by the client (UUIDv7), so a
/// retry of the same report is recognised by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    pub id: Uuid,
    pub category: String,
    pub description: String,
    /// WGS84 latitude in degrees, −90…90.
    pub latitude: f64,
    /// WGS84 longitude in degrees, −180…180.
    pub longitude: f64,
    /// When the citizen made the report on the device (UTC).
    pub created_at: DateTime<Utc>,
    /// Answers to the category's extra fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: Attributes,
    /// SHA-256 (hex) of each photo, uploaded before the report; at most `MAX_PHOTOS`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// Where the report is in words, and how its position was found.
    #[serde(default, skip_serializing_if = "ReportPlace::is_empty")]
    pub place: ReportPlace,
}

impl NewReport {
    /// The report with −0.0 coordinates made 0.0 (see `normalise_coordinate`): both sides apply
    /// it before they store or compare, so a retry is always recognised.
    pub fn normalised(mut self) -> Self {
        self.latitude = normalise_coordinate(self.latitude);
        self.longitude = normalise_coordinate(self.longitude);
        self
    }
}

/// How a report's position was found, and the words for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportPlace {
    /// Address or landmark, typed or suggested from the nearest known place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Radius of the device's 68 % confidence circle, in metres (device positions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_source: Option<LocationSource>,
    /// The warning (its CAP identifier) in whose area the citizen reports damage: the city sees
    /// the damage reports of one flood together. Open311: `attribute[cap_identifier]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
}

/// The Open311 attribute that carries `ReportPlace::alert`.
pub const CAP_IDENTIFIER_ATTRIBUTE: &str = "cap_identifier";

impl ReportPlace {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Where the position of a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    /// The device's own fix (GPS, Wi-Fi…), with its accuracy.
    Device,
    /// The first photo's EXIF position, confirmed by the citizen.
    Photo,
    /// A pin the citizen dropped or dragged on the map.
    Map,
    /// Typed by hand.
    Typed,
}

impl LocationSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::Photo => "photo",
            Self::Map => "map",
            Self::Typed => "typed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Device, Self::Photo, Self::Map, Self::Typed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A device position less accurate than this (metres) is flagged to the citizen.
pub const POOR_ACCURACY_M: f64 = 100.0;
/// Longest address text, in characters.
pub const MAX_ADDRESS_CHARS: usize = 300;

/// Photos a report may carry.
pub const MAX_PHOTOS: usize = 5;
/// Largest photo the server accepts, in bytes (the app sends ≤1600 px JPEGs of ~0.3–1 MB).
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

/// Where a report is in the city's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Received,
    Assigned,
    InProgress,
    Resolved,
    Rejected,
    Duplicate,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 6] = [
        Self::Received,
        Self::Assigned,
        Self::InProgress,
        Self::Resolved,
        Self::Rejected,
        Self::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// One step of a report's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StatusChange {
    pub status: ReportStatus,
    /// The city's note to the citizen (for `rejected`, the reason); empty when none.
    pub note: String,
    pub at: DateTime<Utc>,
    /// For `assigned`: the unit in charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// For `duplicate`: the report this one duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<Uuid>,
    /// Photos the city attached to this step (e.g. of the repair), by SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// How the citizen judged the city's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    NotSatisfied,
}

impl Satisfaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerySatisfied => "very_satisfied",
            Self::Satisfied => "satisfied",
            Self::NotSatisfied => "not_satisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::VerySatisfied, Self::Satisfied, Self::NotSatisfied]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The citizen's rating of a resolved report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    pub satisfaction: Satisfaction,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Rating {
    pub satisfaction: Satisfaction,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// The citizen says the problem is still there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reopen {
    #[serde(default)]
    pub note: String,
}

/// How long after its resolution a citizen may reopen a report.
pub const REOPEN_DAYS: i64 = 7;

/// A report as the server holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Report {
    pub id: Uuid,
    pub category: String,
    pub description: String,
    pub latitude: f64,
    pub longitude: f64,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: Attributes,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// Where the report is in words, and how its position was found.
    #[serde(default, skip_serializing_if = "ReportPlace::is_empty")]
    pub place: ReportPlace,
    /// When the server first stored it.
    pub received_at: DateTime<Utc>,
    pub status: ReportStatus,
    /// Oldest first; the first entry is always `received`.
    pub history: Vec<StatusChange>,
    /// The citizen's rating, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

impl Report {
    /// Until when the citizen may reopen it: seven days after it was resolved, if it is.
    pub fn reopen_until(&self) -> Option<DateTime<Utc>> {
        if self.status != ReportStatus::Resolved {
            return None;
        }
        let resolved = self
            .history
            .iter()
            .rev()
            .find(|h| h.status == ReportStatus::Resolved)?;
        Some(resolved.at + chrono::Duration::days(REOPEN_DAYS))
    }
}

impl Report {
    /// True when `new` describes the same report as this record (for idempotent retries).
    pub fn same_submission(&self, new: &NewReport) -> bool {
        self.id == new.id
            && self.category == new.category
            && self.description == new.description
            && self.latitude.to_bits() == new.latitude.to_bits()
            && self.longitude.to_bits() == new.longitude.to_bits()
            && self.created_at == new.created_at
            && self.attributes == new.attributes
            && self.photos == new.photos
            && self.place.address == new.place.address
            && self.place.location_source == new.place.location_source
            && self.place.accuracy_m.map(f64::to_bits) == new.place.accuracy_m.map(f64::to_bits)
            && self.place.alert == new.place.alert
    }
}

/// A published report: what anyone may see. Never the reporter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicReport {
    pub id: Uuid,
    pub category: String,
    pub description: String,
    pub latitude: f64,
    pub longitude: f64,
    pub status: ReportStatus,
    pub received_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The reporter's photos, by SHA-256 (`GET /api/v1/photos/{sha256}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// How many other citizens said "me too".
    pub me_too: u32,
    /// From the point asked about, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// The handling so far, with the city's notes.
    pub history: Vec<StatusChange>,
    /// The warning (CAP identifier) whose damage it reports, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
}

/// The rule for a possible duplicate: same category, this close, this recent.
pub const DUPLICATE_RADIUS_M: f64 = 150.0;
pub const DUPLICATE_DAYS: i64 = 30;

/// Operator: move a report to a new status, with a note to the citizen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusUpdate {
    pub status: ReportStatus,
    #[serde(default)]
    pub note: String,
    /// Required with `assigned`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Required with `duplicate`.
    #[serde(default)]
    pub duplicate_of: Option<Uuid>,
    /// Photos of this step (uploaded first), by SHA-256.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// One change in the sync feed. Applying a change is an upsert: the newest wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Change {
    Category(Category),
    /// One of the caller's own reports.
    Report(Report),
    /// A report the caller follows ("me too"), made by someone else: only what the public sees,
    /// never the owner's private fields (rating, device times, accuracy, answers).
    FollowedReport(PublicReport),
    /// A followed report is no longer public (withdrawn by staff, refused): forget it.
    FollowedReportWithdrawn(Uuid),
    /// A known place (landmark, public service), for the map and for address suggestions.
    Place(Place),
    /// One of the caller's bookings.
    Booking(Booking),
    /// A warning (CAP 1.2), for everyone.
    Alert(AlertRecord),
    /// An administrative procedure of the catalogue, for everyone.
    Procedure(crate::dossiers::Procedure),
    /// A dossier the caller tracks.
    Dossier(crate::dossiers::Dossier),
    /// One of the account's own places (signed-in devices only).
    MyPlace(crate::account::MyPlace),
    /// One of the account's places was removed: forget it.
    MyPlaceRemoved(Uuid),
}

/// A CAP alert as the app uses it (the server keeps the whole XML at
/// `GET /api/v1/alerts/{identifier}.xml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertRecord {
    pub identifier: String,
    pub sender: String,
    /// As written in the alert, with its offset.
    pub sent: String,
    pub status: String,
    pub msg_type: String,
    /// `active`, `updated` (a later message replaced it) or `cancelled`.
    pub state: String,
    pub infos: Vec<AlertInfo>,
}

/// One language block of an alert.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertInfo {
    pub language: String,
    pub event: String,
    pub urgency: String,
    pub severity: String,
    pub certainty: String,
    #[serde(default)]
    pub sender_name: String,
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub effective: Option<String>,
    #[serde(default)]
    pub expires: Option<String>,
    #[serde(default)]
    pub areas: Vec<AlertArea>,
}

/// Where an alert applies: polygons (closed rings of (latitude, longitude)) and circles
/// (latitude, longitude, radius in km). No area at all means the whole city.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertArea {
    pub description: String,
    #[serde(default)]
    pub polygons: Vec<Vec<(f64, f64)>>,
    #[serde(default)]
    pub circles: Vec<(f64, f64, f64)>,
}

/// A point of interest the city publishes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Place {
    /// Stable code, e.g. `dai-noi`.
    pub id: String,
    /// Kind of place, one of [`PLACE_CATEGORIES`].
    pub category: String,
    pub name_vi: String,
    pub name_en: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description_vi: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description_en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub website: String,
    /// OpenStreetMap `opening_hours` syntax, e.g. `Mo-Su 06:30-17:30; PH off`; empty if unknown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opening_hours: String,
    /// Photos by SHA-256 (`GET /api/v1/photos/{sha256}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// Ticket prices (heritage sites, museums).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tickets: Vec<Ticket>,
    /// Part of the curated list of sights for visitors.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sight: bool,
}

/// A ticket price, in đồng.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ticket {
    pub name_vi: String,
    pub name_en: String,
    pub price_vnd: u32,
}

/// The kinds of places, in the order the filter chips show them.
pub const PLACE_CATEGORIES: [&str; 20] = [
    "hospital",
    "clinic",
    "pharmacy",
    "school",
    "university",
    "police",
    "fire_station",
    "bus_stop",
    "train_station",
    "parking",
    "atm",
    "fuel",
    "toilet",
    "market",
    "heritage_site",
    "museum",
    "pagoda",
    "hotel",
    "restaurant",
    "government_office",
];

impl Place {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_vi
        }
    }

    pub fn description(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.description_en
        } else {
            &self.description_vi
        }
    }
}

/// What a booking is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingKind {
    HotelRoom,
    Tour,
    Tickets,
}

impl BookingKind {
    pub const ALL: [BookingKind; 3] = [Self::HotelRoom, Self::Tour, Self::Tickets];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HotelRoom => "hotel_room",
            Self::Tour => "tour",
            Self::Tickets => "tickets",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Requested,
    Confirmed,
    Declined,
    Cancelled,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 4] = [
        Self::Requested,
        Self::Confirmed,
        Self::Declined,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Confirmed => "confirmed",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A booking request as the app sends it; the id is made on the device (UUIDv7), so a retry is
/// recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub id: Uuid,
    pub kind: BookingKind,
    /// The place booked (hotel, heritage site…).
    pub place_id: String,
    /// First day (and last, for a stay), in the place's calendar.
    pub date_from: chrono::NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_to: Option<chrono::NaiveDate>,
    pub people: u32,
    pub contact_name: String,
    pub contact_phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A booking as the server holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Booking {
    /// What the citizen asked, as sent.
    pub request: NewBooking,
    pub status: BookingStatus,
    /// The operator's word (e.g. why declined, where to meet); empty if none.
    #[serde(default)]
    pub note_from_operator: String,
    pub updated_at: DateTime<Utc>,
}

/// Operator: confirm or decline a booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookingDecision {
    pub status: BookingStatus,
    #[serde(default)]
    pub note: String,
}

/// Most people in one booking.
pub const MAX_BOOKING_PEOPLE: u32 = 50;

/// A page of the sync feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SyncPage {
    pub changes: Vec<Change>,
    /// Pass this as `cursor` to get what comes after this page.
    pub next_cursor: String,
    /// True when more changes wait after `next_cursor`.
    pub has_more: bool,
    /// The city's numbers, on every page (absent from servers before issue 12).
    #[serde(default)]
    pub city: CityContacts,
}

/// What the city tells every app: the number of its hotline, as people write it (the app
/// shows it beside the emergency numbers, `contacts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CityContacts {
    #[serde(default)]
    pub hotline: Option<String>,
}

/// Default and largest page size of `GET /sync`.
pub const SYNC_DEFAULT_LIMIT: u32 = 200;
pub const SYNC_MAX_LIMIT: u32 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_is_tagged() {
        let c = Change::Category(Category {
            code: "trash".into(),
            group: "environment".into(),
            name_vi: "Rác thải".into(),
            name_en: "Waste".into(),
            description_vi: String::new(),
            description_en: String::new(),
            position: 1,
            attributes: Vec::new(),
            public: true,
        });
        let v = serde_json::to_value(&c).expect("serialize");
        assert_eq!(v["kind"], "category");
        assert_eq!(v["data"]["code"], "trash");
    }

    #[test]
    fn status_strings_round_trip() {
        for st in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(st.as_str()), Some(st));
            let json = serde_json::to_string(&st).expect("serialize");
            assert_eq!(json, format!("\"{}\"", st.as_str()));
        }
        assert_eq!(ReportStatus::parse("lost"), None);
    }
}
