//! Emhana's business rules and types, as plain functions over plain data.
//!
//! This crate does no I/O and depends on nothing of ours: no database, no
//! window, no clock — the date is always a parameter. Everything a registrar's
//! decision rests on (is this IIN valid? what date does it carry? does this
//! typed name find that person?) is decided here and tested by tables of cases
//! taken from the seeds (see `shared/DOMAIN.md`).

pub mod fold;
pub mod identifier;
pub mod person;
pub mod time;

pub use fold::{fold_for_search, search_words};
pub use identifier::{Bin, IdentifierError, IdentifierKind, Iin, IinBirth, check_digit};
pub use person::{Address, Citizenship, Person, Sex, age_on, full_name};
pub use time::kazakhstan_date;
