//! The store layer: the SQL that several features share, as small functions
//! taking a connection (or a transaction), so a feature composes them inside
//! its own transaction. Features import `store` and `emhana_domain`, never
//! each other; `sync` sits above them.
//!
//! - `open`: opening the file, its migrations and backups;
//! - `outbox`: recording an op beside the change it carries;
//! - `audit`: the hash-chained log of who did what;
//! - `persons`: the person row and the name keys search reads;
//! - `clinic`: the home clinic, its districts and staff;
//! - `organization`: the registry's organization written over this PC's copy, the coverage;
//! - `numbers`: the next number of an application, a booking, a call, in this PC's series;
//! - `attachments`: a person's standing with the home clinic on a date;
//! - `calendar`, `rules`, `settings`: reference data and choices kept here;
//! - `plans`, `visits`: a care plan as the registry keeps it, a planned visit's outcome as written.

#[macro_use]
mod sql;

mod accounts;
mod attachments;
mod audit;
mod calendar;
mod clinic;
mod key;
mod numbers;
mod open;
mod organization;
mod outbox;
mod persons;
mod plans;
mod rules;
mod settings;
mod visits;

pub(crate) use accounts::*;
pub(crate) use attachments::*;
pub(crate) use audit::*;
pub use audit::{AuditCheck, BrokenLink, LinkProblem};
pub(crate) use calendar::*;
pub(crate) use clinic::*;
pub use key::{DatabaseKey, KeyError, is_encrypted_file, keyring_account};
pub(crate) use numbers::*;
pub(crate) use open::*;
pub(crate) use open::{AtRest, connect_options};
pub use open::{BACKUPS_KEPT, DATABASE_FILE_NAME, OpenReport, reader_options};
pub(crate) use organization::*;
pub(crate) use outbox::*;
pub(crate) use persons::*;
pub(crate) use plans::*;
pub(crate) use rules::*;
pub use settings::Language;
pub(crate) use settings::*;
pub(crate) use visits::*;

/// Rows written by one multi-row INSERT: well under SQLite's bound-parameter limit.
pub(crate) const ROWS_PER_STATEMENT: usize = 400;
