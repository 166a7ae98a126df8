//! Rules on a report that both sides apply: the app before it queues a report (so the citizen hears
//! of a mistake at once), and the server again (it trusts no client).

use crate::api::{MAX_DESCRIPTION_CHARS, NewReport};
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
}

impl ReportField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Description => "description",
            Self::Latitude => "latitude",
            Self::Longitude => "longitude",
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        let what = match e.code {
            ErrorCode::OutOfRange => "is not a valid coordinate",
            ErrorCode::TooLong => "is too long",
            ErrorCode::MissingField => "is empty",
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

pub fn check_description(text: &str) -> Result<(), FieldError> {
    let field = ReportField::Description;
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
    check_longitude(r.longitude)
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
