//! Kazakhstan phone numbers: kept as the 10-digit national number
//! ("7012345678"), shown as "+7 701 234 56 78".

/// The national number from what a person typed: "+7 (701) 234-56-78",
/// "87012345678", "7012345678". `None` unless exactly 10 national digits remain.
pub fn normalize_phone(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        10 => digits,
        11 if digits.starts_with('7') || digits.starts_with('8') => digits[1..].to_owned(),
        _ => return None,
    };
    national.starts_with('7').then_some(national)
}

/// "+7 701 234 56 78" for a national number; anything else is shown as stored.
pub fn format_phone(national: &str) -> String {
    if national.len() == 10 && national.bytes().all(|b| b.is_ascii_digit()) {
        format!(
            "+7 {} {} {} {}",
            &national[0..3],
            &national[3..6],
            &national[6..8],
            &national[8..10]
        )
    } else {
        national.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_forms_normalize_to_the_national_number() {
        let cases = [
            ("+7 (701) 234-56-78", Some("7012345678")),
            ("87012345678", Some("7012345678")),
            ("77012345678", Some("7012345678")),
            ("7012345678", Some("7012345678")),
            ("8 7172 55 66 77", Some("7172556677")),
            ("701234567", None),
            ("+1 212 555 0100", None),
        ];
        for (typed, national) in cases {
            assert_eq!(normalize_phone(typed).as_deref(), national, "{typed}");
        }
    }

    #[test]
    fn national_numbers_are_shown_grouped() {
        assert_eq!(format_phone("7012345678"), "+7 701 234 56 78");
    }
}
