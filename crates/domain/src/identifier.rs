//! IIN and BIN: the 12-digit identifiers of persons and organizations.
//!
//! Both carry a check digit in the 12th position (DOMAIN.md §1): weights 1..11
//! over the first 11 digits, sum mod 11; if that is 10, weights
//! 3,4,5,6,7,8,9,10,11,1,2, sum mod 11; if that is 10 again, no check digit
//! exists and no identifier with those 11 digits is valid.
//!
//! The scheme does not catch every single-digit typo (the 11th digit has weight
//! 11 in the first round), so nothing here promises that.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::person::Sex;

/// Length of an IIN and of a BIN.
pub const IDENTIFIER_LEN: usize = 12;

const FIRST_WEIGHTS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// Which identifier a message speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Iin,
    Bin,
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdentifierKind::Iin => "IIN",
            IdentifierKind::Bin => "BIN",
        })
    }
}

/// Why a string is not a valid IIN or BIN. Each variant has a stable
/// [`code`](IdentifierError::code) the UI translates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum IdentifierError {
    #[error("empty, an {kind} has 12 digits")]
    Empty { kind: IdentifierKind },
    #[error("{found} at position {position} is not a digit")]
    NotADigit { position: usize, found: char },
    #[error("{length} digits, an {kind} has 12")]
    WrongLength { kind: IdentifierKind, length: usize },
    #[error("check digit should be {expected}")]
    WrongCheckDigit { expected: u8, found: u8 },
    #[error("no check digit exists for the first 11 digits, so no such identifier is valid")]
    NoCheckDigitExists,
}

impl IdentifierError {
    /// Stable code for the UI's catalogs.
    pub fn code(&self) -> &'static str {
        match self {
            IdentifierError::Empty { .. } => "identifier.empty",
            IdentifierError::NotADigit { .. } => "identifier.not_a_digit",
            IdentifierError::WrongLength { .. } => "identifier.wrong_length",
            IdentifierError::WrongCheckDigit { .. } => "identifier.wrong_check_digit",
            IdentifierError::NoCheckDigitExists => "identifier.no_check_digit_exists",
        }
    }
}

/// The check digit for 11 leading digits, or `None` when both weight rounds give 10.
pub fn check_digit(first_eleven: &[u8; 11]) -> Option<u8> {
    [FIRST_WEIGHTS, SECOND_WEIGHTS].into_iter().find_map(|weights| {
        let sum: u32 = first_eleven
            .iter()
            .zip(weights)
            .map(|(&digit, weight)| u32::from(digit) * weight)
            .sum();
        let remainder = (sum % 11) as u8;
        (remainder != 10).then_some(remainder)
    })
}

/// Parses 12 digits and checks the check digit; shared by [`Iin`] and [`Bin`].
fn parse_digits(input: &str, kind: IdentifierKind) -> Result<[u8; IDENTIFIER_LEN], IdentifierError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    if let Some((position, found)) = input.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(IdentifierError::NotADigit {
            position: position + 1,
            found,
        });
    }
    let length = input.len();
    if length != IDENTIFIER_LEN {
        return Err(IdentifierError::WrongLength { kind, length });
    }
    let mut digits = [0u8; IDENTIFIER_LEN];
    for (slot, byte) in digits.iter_mut().zip(input.bytes()) {
        *slot = byte - b'0';
    }
    let mut first_eleven = [0u8; 11];
    first_eleven.copy_from_slice(&digits[..11]);
    match check_digit(&first_eleven) {
        None => Err(IdentifierError::NoCheckDigitExists),
        Some(expected) if expected != digits[11] => Err(IdentifierError::WrongCheckDigit {
            expected,
            found: digits[11],
        }),
        Some(_) => Ok(digits),
    }
}

fn digits_to_string(digits: &[u8; IDENTIFIER_LEN]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// Individual identification number of a person. Holds only valid values.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iin([u8; IDENTIFIER_LEN]);

/// Birth date and sex read from an IIN's first 7 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IinBirth {
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

impl Iin {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        parse_digits(input, IdentifierKind::Iin).map(Iin)
    }

    /// Builds the IIN of a person born on `birth_date` of `sex` with a 4-digit
    /// `serial`; `None` when no check digit exists for those digits (the
    /// issuer then takes the next serial) or the year is outside 1800–2099.
    pub fn compose(birth_date: NaiveDate, sex: Sex, serial: u16) -> Option<Self> {
        let year = birth_date.year();
        if !(1800..2100).contains(&year) || serial > 9999 {
            return None;
        }
        let century_index = ((year - 1800) / 100) as u8; // 0, 1, 2
        let century_digit = century_index * 2 + if sex == Sex::Male { 1 } else { 2 };
        let yy = (year % 100) as u8;
        let (month, day) = (birth_date.month() as u8, birth_date.day() as u8);
        let serial_digits = [
            (serial / 1000) as u8,
            (serial / 100 % 10) as u8,
            (serial / 10 % 10) as u8,
            (serial % 10) as u8,
        ];
        let first_eleven = [
            yy / 10,
            yy % 10,
            month / 10,
            month % 10,
            day / 10,
            day % 10,
            century_digit,
            serial_digits[0],
            serial_digits[1],
            serial_digits[2],
            serial_digits[3],
        ];
        let check = check_digit(&first_eleven)?;
        let mut digits = [0u8; IDENTIFIER_LEN];
        digits[..11].copy_from_slice(&first_eleven);
        digits[11] = check;
        Some(Iin(digits))
    }

    /// Birth date and sex when the first 7 digits read as a real date with a
    /// century digit 1–6. Some foreign residents' IINs do not: the IIN is still
    /// valid, nothing is derived, and birth date and sex must be entered.
    pub fn birth(&self) -> Option<IinBirth> {
        let d = &self.0;
        let century_digit = d[6];
        if !(1..=6).contains(&century_digit) {
            return None;
        }
        let century = 1800 + 100 * i32::from((century_digit - 1) / 2);
        let year = century + i32::from(d[0] * 10 + d[1]);
        let month = u32::from(d[2] * 10 + d[3]);
        let day = u32::from(d[4] * 10 + d[5]);
        let birth_date = NaiveDate::from_ymd_opt(year, month, day)?;
        let sex = if century_digit % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        };
        Some(IinBirth { birth_date, sex })
    }

    pub fn as_string(&self) -> String {
        digits_to_string(&self.0)
    }
}

impl fmt::Display for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl fmt::Debug for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iin({self})")
    }
}

impl std::str::FromStr for Iin {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Iin::parse(s)
    }
}

impl Serialize for Iin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_string())
    }
}

impl<'de> Deserialize<'de> for Iin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Iin::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An identifier travels as its 12 digits: a string to TypeScript.
macro_rules! ts_as_string {
    ($name:ident) => {
        impl ts_rs::TS for $name {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &ts_rs::Config) -> String {
                "string".to_owned()
            }
            fn inline(_: &ts_rs::Config) -> String {
                "string".to_owned()
            }
        }
    };
}
ts_as_string!(Iin);
ts_as_string!(Bin);

/// Business identification number of an organization. Holds only valid values.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bin([u8; IDENTIFIER_LEN]);

impl Bin {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        parse_digits(input, IdentifierKind::Bin).map(Bin)
    }

    /// Completes 11 leading digits with their check digit, when one exists.
    pub fn complete(first_eleven: [u8; 11]) -> Option<Self> {
        let check = check_digit(&first_eleven)?;
        let mut digits = [0u8; IDENTIFIER_LEN];
        digits[..11].copy_from_slice(&first_eleven);
        digits[11] = check;
        Some(Bin(digits))
    }

    pub fn as_string(&self) -> String {
        digits_to_string(&self.0)
    }
}

impl fmt::Display for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl fmt::Debug for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bin({self})")
    }
}

impl Serialize for Bin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_string())
    }
}

impl<'de> Deserialize<'de> for Bin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Bin::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eleven(prefix: &str) -> [u8; 11] {
        let mut digits = [0u8; 11];
        for (slot, byte) in digits.iter_mut().zip(prefix.bytes()) {
            *slot = byte - b'0';
        }
        digits
    }

    #[test]
    fn worked_case_780322300458_is_valid_through_the_first_weights() {
        // 7·1 + 8·2 + 0·3 + 3·4 + 2·5 + 2·6 + 3·7 + 0·8 + 0·9 + 4·10 + 5·11 = 173; 173 mod 11 = 8
        let iin = Iin::parse("780322300458").unwrap();
        assert_eq!(iin.to_string(), "780322300458");
        let birth = iin.birth().unwrap();
        assert_eq!(birth.birth_date, NaiveDate::from_ymd_opt(1978, 3, 22).unwrap());
        assert_eq!(birth.sex, Sex::Male, "century digit 3 is a man born in the 1900s");
    }

    #[test]
    fn worked_case_900101300811_is_valid_only_through_the_second_weights() {
        let first = eleven("90010130081");
        let first_round: u32 = first
            .iter()
            .zip(FIRST_WEIGHTS)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        assert_eq!(
            first_round % 11,
            10,
            "the first round must give 10 for this case to mean anything"
        );
        assert_eq!(check_digit(&first), Some(1));
        assert!(Iin::parse("900101300811").is_ok());
    }

    #[test]
    fn no_digit_completes_90010130080() {
        assert_eq!(check_digit(&eleven("90010130080")), None);
        for last in 0..=9 {
            let candidate = format!("90010130080{last}");
            assert_eq!(
                Iin::parse(&candidate),
                Err(IdentifierError::NoCheckDigitExists),
                "{candidate} must be rejected: no check digit exists for its prefix"
            );
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let cases: &[(&str, IdentifierError, &str)] = &[
            (
                "",
                IdentifierError::Empty {
                    kind: IdentifierKind::Iin,
                },
                "empty, an IIN has 12 digits",
            ),
            (
                "7803223004581",
                IdentifierError::WrongLength {
                    kind: IdentifierKind::Iin,
                    length: 13,
                },
                "13 digits, an IIN has 12",
            ),
            (
                "78032230045",
                IdentifierError::WrongLength {
                    kind: IdentifierKind::Iin,
                    length: 11,
                },
                "11 digits, an IIN has 12",
            ),
            (
                "78032230045x",
                IdentifierError::NotADigit {
                    position: 12,
                    found: 'x',
                },
                "x at position 12 is not a digit",
            ),
            (
                "780322300451",
                IdentifierError::WrongCheckDigit {
                    expected: 8,
                    found: 1,
                },
                "check digit should be 8",
            ),
        ];
        for (input, error, message) in cases {
            let got = Iin::parse(input).unwrap_err();
            assert_eq!(&got, error, "input {input:?}");
            assert_eq!(got.to_string(), *message, "input {input:?}");
        }
    }

    #[test]
    fn surrounding_spaces_are_ignored() {
        assert!(Iin::parse(" 780322300458 ").is_ok());
    }

    #[test]
    fn century_digits_map_to_centuries_and_sexes() {
        let cases = [
            (1u8, 1878, Sex::Male),
            (2, 1878, Sex::Female),
            (3, 1978, Sex::Male),
            (4, 1978, Sex::Female),
            (5, 2078, Sex::Male),
            (6, 2078, Sex::Female),
        ];
        for (century_digit, year, sex) in cases {
            let iin = (0..10000u16)
                .find_map(|serial| {
                    let prefix = format!("780322{century_digit}{serial:04}");
                    let check = check_digit(&eleven(&prefix))?;
                    Iin::parse(&format!("{prefix}{check}")).ok()
                })
                .unwrap();
            let birth = iin.birth().unwrap();
            assert_eq!(birth.birth_date.year(), year, "century digit {century_digit}");
            assert_eq!(birth.sex, sex, "century digit {century_digit}");
        }
    }

    #[test]
    fn an_iin_that_does_not_read_as_a_date_is_still_valid_but_derives_nothing() {
        // century digit 0 and month 13: some foreign residents' IINs look like this
        for prefix in ["78032200001", "78132230001", "78023030001", "78032270001"] {
            let check = check_digit(&eleven(prefix)).unwrap();
            let iin = Iin::parse(&format!("{prefix}{check}")).unwrap();
            assert_eq!(iin.birth(), None, "{prefix}: nothing may be derived");
        }
    }

    #[test]
    fn compose_round_trips_through_parse() {
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let iin = (0..100)
            .find_map(|serial| Iin::compose(date, Sex::Female, serial))
            .unwrap();
        let parsed = Iin::parse(&iin.to_string()).unwrap();
        assert_eq!(
            parsed.birth().unwrap(),
            IinBirth {
                birth_date: date,
                sex: Sex::Female
            }
        );
    }

    #[test]
    fn bin_uses_the_same_check() {
        let bin = Bin::complete(eleven("99034000123")).unwrap();
        assert_eq!(Bin::parse(&bin.to_string()).unwrap(), bin);
        let mut wrong = bin.to_string();
        let last = wrong.pop().unwrap().to_digit(10).unwrap();
        wrong.push(char::from_digit((last + 1) % 10, 10).unwrap());
        assert!(matches!(
            Bin::parse(&wrong),
            Err(IdentifierError::WrongCheckDigit { .. })
        ));
    }
}
