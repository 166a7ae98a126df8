//! Numbers to call: Vietnam's emergency numbers, the same everywhere, and the city's hotline,
//! which the server sets (`--hotline`) and every sync page carries (`api::CityContacts`).

/// One emergency number; `service` names it in the Fluent files (`emergency-<service>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmergencyNumber {
    pub number: &'static str,
    pub service: &'static str,
}

/// Vietnam's emergency numbers, free from any phone: police, fire and rescue, ambulance,
/// search and rescue.
pub const EMERGENCY_NUMBERS: [EmergencyNumber; 4] = [
    EmergencyNumber {
        number: "113",
        service: "police",
    },
    EmergencyNumber {
        number: "114",
        service: "fire",
    },
    EmergencyNumber {
        number: "115",
        service: "ambulance",
    },
    EmergencyNumber {
        number: "112",
        service: "rescue",
    },
];

/// The `tel:` URI of a phone number as people write it ("1900 1075", "+84 234 3822 000",
/// "0234.3822.000"): its digits, with a leading `+` kept. `None` when it is not a phone number
/// (letters, 3 digits too few or 15 too many), so nothing else ever reaches a link.
pub fn tel_uri(number: &str) -> Option<String> {
    let trimmed = number.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", trimmed),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')'))
    {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    (3..=15)
        .contains(&digits.len())
        .then(|| format!("tel:{plus}{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_tel_uris_and_nothing_else_does() {
        let table = [
            ("1900 1075", Some("tel:19001075")),
            ("113", Some("tel:113")),
            (" +84 234 3822 000 ", Some("tel:+842343822000")),
            ("0234.3822.000", Some("tel:02343822000")),
            ("(0234) 3822-000", Some("tel:02343822000")),
            ("12", None),
            ("", None),
            ("1900 1075; drop", None),
            ("javascript:alert(1)", None),
            ("++84 1234", None),
            ("1234567890123456", None),
        ];
        for (number, uri) in table {
            assert_eq!(tel_uri(number).as_deref(), uri, "{number:?}");
        }
        for e in EMERGENCY_NUMBERS {
            assert_eq!(tel_uri(e.number), Some(format!("tel:{}", e.number)));
        }
    }
}
