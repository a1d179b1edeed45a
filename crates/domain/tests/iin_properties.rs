//! Property tests of the IIN scheme over generated birth dates, sexes and serials.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly, which is its job

use chrono::{Datelike, NaiveDate};
use emhana_domain::{IdentifierError, Iin, Sex, check_digit};
use proptest::prelude::*;

fn birth_date() -> impl Strategy<Value = NaiveDate> {
    (1800i32..2100, 1u32..=366).prop_filter_map("a real day of that year", |(year, ordinal)| {
        NaiveDate::from_yo_opt(year, ordinal)
    })
}

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

proptest! {
    #[test]
    fn every_composed_iin_validates_and_derives_its_date_and_sex(
        date in birth_date(), sex in sex(), serial in 0u16..10000
    ) {
        if let Some(iin) = Iin::compose(date, sex, serial) {
            let parsed = Iin::parse(&iin.to_string());
            prop_assert_eq!(parsed, Ok(iin));
            let birth = iin.birth().expect("a composed IIN reads as a date");
            prop_assert_eq!(birth.birth_date, date);
            prop_assert_eq!(birth.sex, sex);
        } else {
            // compose refuses only when no check digit exists for the 11 digits
            let text = format!(
                "{:02}{:02}{:02}{}{:04}",
                date.year() % 100, date.month(), date.day(),
                (date.year() - 1800) / 100 * 2 + if sex == Sex::Male { 1 } else { 2 },
                serial
            );
            let mut eleven = [0u8; 11];
            for (slot, b) in eleven.iter_mut().zip(text.bytes()) { *slot = b - b'0'; }
            prop_assert_eq!(check_digit(&eleven), None);
        }
    }

    #[test]
    fn a_changed_check_digit_is_always_rejected(
        date in birth_date(), sex in sex(), serial in 0u16..10000, shift in 1u8..10
    ) {
        if let Some(iin) = Iin::compose(date, sex, serial) {
            let mut text = iin.to_string();
            let last = text.pop().and_then(|c| c.to_digit(10)).expect("a digit") as u8;
            let changed = (last + shift) % 10;
            text.push(char::from(b'0' + changed));
            prop_assert_eq!(
                Iin::parse(&text),
                Err(IdentifierError::WrongCheckDigit { expected: last, found: changed })
            );
        }
    }

    #[test]
    fn eleven_digit_prefixes_have_at_most_one_valid_completion(prefix in "[0-9]{11}") {
        let valid = (0..10).filter(|d| Iin::parse(&format!("{prefix}{d}")).is_ok()).count();
        prop_assert!(valid <= 1, "{} completes in {} ways", prefix, valid);
    }
}
