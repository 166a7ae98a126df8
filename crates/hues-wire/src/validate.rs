//! Rules on a report that both sides apply: the app before it queues a report (so the citizen hears
//! of a mistake at once), and the server again (it trusts no client).

use crate::api::{
    AttributeType, Attributes, Category, MAX_ADDRESS_CHARS, MAX_DESCRIPTION_CHARS, NewBooking,
    NewReport, ReportPlace,
};
use crate::error::{ApiError, ErrorCode};

/// A rule broken by one field of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: ReportField,
    pub code: ErrorCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportField {
    Category,
    Description,
    Latitude,
    Longitude,
    Address,
    Accuracy,
    Alert,
}

impl ReportField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Description => "description",
            Self::Latitude => "latitude",
            Self::Longitude => "longitude",
            Self::Address => "address",
            Self::Alert => "alert",
            Self::Accuracy => "accuracy_m",
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        let what = match e.code {
            ErrorCode::OutOfRange => "is not a valid coordinate",
            ErrorCode::TooLong => "is too long",
            ErrorCode::MissingField => "is empty",
            ErrorCode::ControlCharacter => "holds a control character",
            _ => "is invalid",
        };
        ApiError::new(e.code, format!("{} {what}", e.field.as_str()))
    }
}

pub fn check_latitude(lat: f64) -> Result<(), FieldError> {
    if lat.is_finite() && (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(FieldError {
            field: ReportField::Latitude,
            code: ErrorCode::OutOfRange,
        })
    }
}

pub fn check_longitude(lon: f64) -> Result<(), FieldError> {
    if lon.is_finite() && (-180.0..=180.0).contains(&lon) {
        Ok(())
    } else {
        Err(FieldError {
            field: ReportField::Longitude,
            code: ErrorCode::OutOfRange,
        })
    }
}

/// Whether a text is free of C0 control characters other than newline and tab (and carriage
/// return, which comes with Windows line ends). U+0001, U+000B and their kind make XML 1.0
/// documents (Open311 `requests.xml`, CAP) malformed for every consumer, so no text a citizen or
/// staff member types may carry them; DEL (U+007F) goes with them.
pub fn is_clean_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (c < ' ' && !matches!(c, '\n' | '\t' | '\r')) || c == '\u{7f}')
}

/// A free text field (note, comment, answer) that may be empty: no control characters, at most
/// `max` characters. The error names no field: the caller knows which one it checked.
pub fn check_free_text(text: &str, max: usize) -> Result<(), ErrorCode> {
    if !is_clean_text(text) {
        Err(ErrorCode::ControlCharacter)
    } else if text.chars().count() > max {
        Err(ErrorCode::TooLong)
    } else {
        Ok(())
    }
}

pub fn check_description(text: &str) -> Result<(), FieldError> {
    let field = ReportField::Description;
    if !is_clean_text(text) {
        return Err(FieldError {
            field,
            code: ErrorCode::ControlCharacter,
        });
    }
    if text.trim().is_empty() {
        return Err(FieldError {
            field,
            code: ErrorCode::MissingField,
        });
    }
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(FieldError {
            field,
            code: ErrorCode::TooLong,
        });
    }
    Ok(())
}

pub fn check_category_code(code: &str) -> Result<(), FieldError> {
    if code.trim().is_empty() {
        Err(FieldError {
            field: ReportField::Category,
            code: ErrorCode::MissingField,
        })
    } else {
        Ok(())
    }
}

/// Every rule that needs no database. The server also checks the category exists.
pub fn check_report(r: &NewReport) -> Result<(), FieldError> {
    check_category_code(&r.category)?;
    check_description(&r.description)?;
    check_latitude(r.latitude)?;
    check_longitude(r.longitude)?;
    check_place(&r.place)
}

/// Address at most `MAX_ADDRESS_CHARS` and not blank when given; accuracy a positive distance
/// under 100 km.
pub fn check_place(p: &ReportPlace) -> Result<(), FieldError> {
    if let Some(a) = &p.address {
        let code = if !is_clean_text(a) {
            Some(ErrorCode::ControlCharacter)
        } else if a.trim().is_empty() {
            Some(ErrorCode::MissingField)
        } else if a.chars().count() > MAX_ADDRESS_CHARS {
            Some(ErrorCode::TooLong)
        } else {
            None
        };
        if let Some(code) = code {
            return Err(FieldError {
                field: ReportField::Address,
                code,
            });
        }
    }
    if let Some(a) = &p.alert {
        // A CAP identifier: no spaces, commas or `<` `&` (CAP 1.2, 3.2.1), 1–200 characters.
        let ok = !a.is_empty()
            && a.chars().count() <= 200
            && !a
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '<' | '&'));
        if !ok {
            return Err(FieldError {
                field: ReportField::Alert,
                code: ErrorCode::InvalidValue,
            });
        }
    }
    match p.accuracy_m {
        Some(m) if !(m.is_finite() && m > 0.0 && m <= 100_000.0) => Err(FieldError {
            field: ReportField::Accuracy,
            code: ErrorCode::OutOfRange,
        }),
        _ => Ok(()),
    }
}

/// A broken rule on one extra field: the attribute's code and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeError {
    pub attribute: String,
    pub code: ErrorCode,
}

impl From<AttributeError> for ApiError {
    fn from(e: AttributeError) -> Self {
        let what = match e.code {
            ErrorCode::MissingField => "is required",
            ErrorCode::TooLong => "is too long",
            ErrorCode::ControlCharacter => "holds a control character",
            _ => "is not a valid answer",
        };
        ApiError::new(e.code, format!("attribute {} {what}", e.attribute))
    }
}

/// Longest answer to an extra field, in characters.
pub const MAX_ATTRIBUTE_CHARS: usize = 1000;

/// Checks answers against a category's extra fields: required ones present, numbers numeric,
/// list answers among the allowed keys, no unknown fields.
pub fn check_attributes(category: &Category, answers: &Attributes) -> Result<(), AttributeError> {
    let err = |attribute: &str, code| AttributeError {
        attribute: attribute.to_owned(),
        code,
    };
    for code in answers.keys() {
        if !category.attributes.iter().any(|a| &a.code == code) {
            return Err(err(code, ErrorCode::InvalidValue));
        }
    }
    for attr in &category.attributes {
        let answer = answers.get(&attr.code).map(|s| s.trim()).unwrap_or("");
        if answer.is_empty() {
            if attr.required {
                return Err(err(&attr.code, ErrorCode::MissingField));
            }
            continue;
        }
        if answer.chars().count() > MAX_ATTRIBUTE_CHARS {
            return Err(err(&attr.code, ErrorCode::TooLong));
        }
        if !is_clean_text(answer) {
            return Err(err(&attr.code, ErrorCode::ControlCharacter));
        }
        let known = |key: &str| attr.values.iter().any(|v| v.key == key);
        let ok = match attr.datatype {
            AttributeType::Number => answer.parse::<f64>().is_ok_and(f64::is_finite),
            AttributeType::Datetime => chrono::DateTime::parse_from_rfc3339(answer).is_ok(),
            AttributeType::Singlevaluelist => known(answer),
            AttributeType::Multivaluelist => answer.split(',').all(|k| known(k.trim())),
            AttributeType::String | AttributeType::Text => true,
        };
        if !ok {
            return Err(err(&attr.code, ErrorCode::InvalidValue));
        }
    }
    Ok(())
}

/// Parses a coordinate as a person types it: `16.4637`, ` 16,4637 ` (Vietnamese decimal comma).
pub fn parse_coordinate(text: &str, field: ReportField) -> Result<f64, FieldError> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() {
        return Err(FieldError {
            field,
            code: ErrorCode::MissingField,
        });
    }
    let v: f64 = t.parse().map_err(|_| FieldError {
        field,
        code: ErrorCode::InvalidValue,
    })?;
    match field {
        ReportField::Longitude => check_longitude(v)?,
        _ => check_latitude(v)?,
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AttributeValue, CategoryAttribute, LocationSource};

    #[test]
    fn place_rules() {
        let place = |address: Option<&str>, accuracy_m: Option<f64>| ReportPlace {
            alert: None,
            address: address.map(str::to_owned),
            accuracy_m,
            location_source: Some(LocationSource::Device),
        };
        let long = "đ".repeat(MAX_ADDRESS_CHARS + 1);
        let cases = [
            (place(None, None), None),
            (place(Some("2 Trần Hưng Đạo"), Some(12.5)), None),
            (place(Some("  "), None), Some(ErrorCode::MissingField)),
            (place(Some(&long), None), Some(ErrorCode::TooLong)),
            (place(None, Some(0.0)), Some(ErrorCode::OutOfRange)),
            (place(None, Some(-3.0)), Some(ErrorCode::OutOfRange)),
            (place(None, Some(f64::NAN)), Some(ErrorCode::OutOfRange)),
            (place(None, Some(250_000.0)), Some(ErrorCode::OutOfRange)),
        ];
        for (p, want) in cases {
            assert_eq!(check_place(&p).err().map(|e| e.code), want, "{p:?}");
        }
    }

    fn pothole() -> Category {
        let attr = |code: &str, datatype, required, values: &[&str]| CategoryAttribute {
            code: code.into(),
            datatype,
            required,
            description_vi: String::new(),
            description_en: String::new(),
            order: 1,
            values: values
                .iter()
                .map(|k| AttributeValue {
                    key: (*k).into(),
                    name_vi: String::new(),
                    name_en: String::new(),
                })
                .collect(),
        };
        Category {
            code: "road_damage".into(),
            group: "roads".into(),
            name_vi: String::new(),
            name_en: String::new(),
            description_vi: String::new(),
            description_en: String::new(),
            position: 1,
            public: true,
            attributes: vec![
                attr(
                    "size",
                    AttributeType::Singlevaluelist,
                    true,
                    &["small", "large"],
                ),
                attr("depth_cm", AttributeType::Number, false, &[]),
                attr(
                    "hazards",
                    AttributeType::Multivaluelist,
                    false,
                    &["water", "traffic"],
                ),
            ],
        }
    }

    #[test]
    fn attribute_rules() {
        let c = pothole();
        let answers = |pairs: &[(&str, &str)]| -> Attributes {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<(&'a str, ErrorCode)>);
        let table: &[Case<'_>] = &[
            (&[("size", "small")], None),
            (
                &[
                    ("size", "large"),
                    ("depth_cm", "12.5"),
                    ("hazards", "water,traffic"),
                ],
                None,
            ),
            (&[], Some(("size", ErrorCode::MissingField))),
            (&[("size", " ")], Some(("size", ErrorCode::MissingField))),
            (&[("size", "huge")], Some(("size", ErrorCode::InvalidValue))),
            (
                &[("size", "small"), ("depth_cm", "deep")],
                Some(("depth_cm", ErrorCode::InvalidValue)),
            ),
            (
                &[("size", "small"), ("hazards", "water,fire")],
                Some(("hazards", ErrorCode::InvalidValue)),
            ),
            (
                &[("size", "small"), ("colour", "red")],
                Some(("colour", ErrorCode::InvalidValue)),
            ),
        ];
        for (given, want) in table {
            let got = check_attributes(&c, &answers(given))
                .err()
                .map(|e| (e.attribute, e.code));
            assert_eq!(got, want.map(|(a, c)| (a.to_owned(), c)), "{given:?}");
        }
    }

    #[test]
    fn latitude_bounds() {
        for ok in [-90.0, 0.0, 16.4637, 90.0] {
            assert!(check_latitude(ok).is_ok(), "{ok}");
        }
        for bad in [-90.0001, 90.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(
                check_latitude(bad).map_err(|e| e.code),
                Err(ErrorCode::OutOfRange),
                "{bad}"
            );
        }
    }

    #[test]
    fn longitude_bounds() {
        for ok in [-180.0, 107.59, 180.0] {
            assert!(check_longitude(ok).is_ok(), "{ok}");
        }
        for bad in [-180.1, 181.0, f64::NAN] {
            assert!(check_longitude(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn description_limits_count_characters_not_bytes() {
        let vi = "đ".repeat(MAX_DESCRIPTION_CHARS); // 2 bytes each
        assert!(check_description(&vi).is_ok());
        let long = "a".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert_eq!(
            check_description(&long).map_err(|e| e.code),
            Err(ErrorCode::TooLong)
        );
        assert_eq!(
            check_description("   ").map_err(|e| e.code),
            Err(ErrorCode::MissingField)
        );
    }

    #[test]
    fn coordinates_as_typed() {
        let lat = ReportField::Latitude;
        assert_eq!(parse_coordinate(" 16,4637 ", lat), Ok(16.4637));
        assert_eq!(parse_coordinate("16.4637", lat), Ok(16.4637));
        assert_eq!(
            parse_coordinate("", lat).map_err(|e| e.code),
            Err(ErrorCode::MissingField)
        );
        assert_eq!(
            parse_coordinate("abc", lat).map_err(|e| e.code),
            Err(ErrorCode::InvalidValue)
        );
        assert_eq!(
            parse_coordinate("NaN", lat).map_err(|e| e.code),
            Err(ErrorCode::OutOfRange)
        );
        assert_eq!(
            parse_coordinate("200", ReportField::Longitude).map_err(|e| e.code),
            Err(ErrorCode::OutOfRange)
        );
    }
}

/// A broken rule on a booking: the field's name and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingError {
    pub field: &'static str,
    pub code: ErrorCode,
}

impl From<BookingError> for ApiError {
    fn from(e: BookingError) -> Self {
        ApiError::new(e.code, format!("{} is not valid", e.field))
    }
}

/// The rules on a booking, on both sides: someone to call back (a name, a phone number of 8–15
/// digits), 1–50 people, a first day not in the past (in Huế) and within a year, and for a stay a
/// last day after the first, at most 30 nights.
pub fn check_booking(b: &NewBooking, today: chrono::NaiveDate) -> Result<(), BookingError> {
    use crate::api::{BookingKind, MAX_BOOKING_PEOPLE};
    let err = |field, code| Err(BookingError { field, code });
    if b.place_id.trim().is_empty() {
        return err("place_id", ErrorCode::MissingField);
    }
    if b.people == 0 || b.people > MAX_BOOKING_PEOPLE {
        return err("people", ErrorCode::OutOfRange);
    }
    for (field, text) in [("contact_name", &b.contact_name), ("note", &b.note)] {
        if !is_clean_text(text) {
            return err(field, ErrorCode::ControlCharacter);
        }
    }
    let name = b.contact_name.trim();
    if name.is_empty() {
        return err("contact_name", ErrorCode::MissingField);
    }
    if name.chars().count() > 100 {
        return err("contact_name", ErrorCode::TooLong);
    }
    let digits = b.contact_phone.chars().filter(char::is_ascii_digit).count();
    let only_phone_chars = b
        .contact_phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    if b.contact_phone.trim().is_empty() {
        return err("contact_phone", ErrorCode::MissingField);
    }
    if !only_phone_chars || !(8..=15).contains(&digits) {
        return err("contact_phone", ErrorCode::InvalidValue);
    }
    if b.note.chars().count() > 1000 {
        return err("note", ErrorCode::TooLong);
    }
    if b.date_from < today || b.date_from > today + chrono::Duration::days(366) {
        return err("date_from", ErrorCode::OutOfRange);
    }
    match (b.kind, b.date_to) {
        (BookingKind::HotelRoom, None) => err("date_to", ErrorCode::MissingField),
        (_, Some(to)) if to <= b.date_from && b.kind == BookingKind::HotelRoom => {
            err("date_to", ErrorCode::OutOfRange)
        }
        (_, Some(to)) if to < b.date_from || to > b.date_from + chrono::Duration::days(30) => {
            err("date_to", ErrorCode::OutOfRange)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod booking_tests {
    use super::*;
    use crate::api::{BookingKind, NewBooking};
    use chrono::NaiveDate;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn booking() -> NewBooking {
        NewBooking {
            id: uuid::Uuid::nil(),
            kind: BookingKind::HotelRoom,
            place_id: "ks-saigon-morin".into(),
            date_from: d(12, 1),
            date_to: Some(d(12, 3)),
            people: 2,
            contact_name: "Nguyễn Văn A".into(),
            contact_phone: "+84 905 123 456".into(),
            note: String::new(),
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn booking_rules() {
        let today = d(11, 23);
        assert_eq!(check_booking(&booking(), today), Ok(()));
        type Change = fn(&mut NewBooking);
        let cases: Vec<(Change, &str, ErrorCode)> = vec![
            (|b| b.people = 0, "people", ErrorCode::OutOfRange),
            (|b| b.people = 51, "people", ErrorCode::OutOfRange),
            (
                |b| b.contact_name = "  ".into(),
                "contact_name",
                ErrorCode::MissingField,
            ),
            (
                |b| b.contact_phone = "12345".into(),
                "contact_phone",
                ErrorCode::InvalidValue,
            ),
            (
                |b| b.contact_phone = "0905abc123".into(),
                "contact_phone",
                ErrorCode::InvalidValue,
            ),
            (
                |b| b.contact_phone = String::new(),
                "contact_phone",
                ErrorCode::MissingField,
            ),
            (
                |b| b.date_from = d(11, 22),
                "date_from",
                ErrorCode::OutOfRange,
            ),
            (|b| b.date_to = None, "date_to", ErrorCode::MissingField),
            (
                |b| b.date_to = Some(d(12, 1)),
                "date_to",
                ErrorCode::OutOfRange,
            ),
            (
                |b| b.place_id = String::new(),
                "place_id",
                ErrorCode::MissingField,
            ),
        ];
        for (change, field, code) in cases {
            let mut b = booking();
            change(&mut b);
            assert_eq!(
                check_booking(&b, today),
                Err(BookingError { field, code }),
                "{field}"
            );
        }
        // Tickets for one day need no last day.
        let mut t = booking();
        t.kind = BookingKind::Tickets;
        t.date_to = None;
        assert_eq!(check_booking(&t, today), Ok(()));
    }
}
