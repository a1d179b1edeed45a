//! Emhana's business rules and types, as plain functions over plain data.
//!
//! This crate does no I/O and depends on nothing of ours: no database, no
//! window, no clock — the date is always a parameter. Everything a registrar's
//! decision rests on (is this IIN valid? what date does it carry? does this
//! typed name find that person?) is decided here and tested by tables of cases
//! taken from the seeds (see `shared/DOMAIN.md`).

/// Declares a closed set of values stored and sent as the text each variant names
/// (`as_str`, `parse` and serde agree: the UI sends what the store keeps).
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // One spelling: serde writes and reads the same text as `as_str` and `parse`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub mod access;
pub mod attachment;
pub mod booking;
pub mod calendar;
pub mod care_plan;
pub mod clinic;
pub mod documents;
pub mod fold;
pub mod home_call;
pub mod identifier;
pub mod numbering;
pub mod organization;
pub mod osms;
pub mod person;
pub mod phone;
pub mod registration;
pub mod round;
pub mod schedule;
pub mod time;

pub use clinic::{ClinicKind, DistrictKind, StaffRole};
pub use fold::{SEARCH_FOLD_VERSION, fold_for_search, search_words};
pub use identifier::{Bin, IdentifierError, IdentifierKind, Iin, IinBirth, check_digit};
pub use person::{
    Address, AgeGroup, Citizenship, Person, PersonProblem, Sex, age_on, check_person, full_name,
};
pub use phone::{format_phone, normalize_phone};
pub use time::{kazakhstan_date, kazakhstan_instant, kazakhstan_time};
