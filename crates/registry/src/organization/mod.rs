//! Each clinic's organization, which the registry owns: the clinic and the
//! posts it runs, its districts with their coverage, its staff
//! (docs/organization.md). An administrator changes it here — by command,
//! CSV import or, later, the app's administration screen — and every change
//! moves the clinic's version, so its workstations take the new organization
//! with their next sync (`GET /v1/organization`).
//!
//! Every change is one transaction that first locks the clinics it touches
//! (in id order), checks the whole result with the domain's rules
//! (`emhana_domain::organization`), and writes nothing when one line is
//! wrong: the administrator gets every problem with its line at once.

mod accounts;
mod import;
mod read;
mod write;

pub use accounts::{set_disabled, set_password};

pub use import::{import_coverage, import_staff};
pub(crate) use read::{area_from_row, staff_roles};
pub use read::{organization, organization_version};
pub(crate) use write::apply_change;
pub use write::{load_unit, set_clinic, set_district};

use crate::RegistryError;

/// What is wrong with one entry of a change: its line in the file (or the
/// command's argument), a stable code and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line of the CSV file (the header is line 1); none for a command.
    pub line: Option<u64>,
    pub code: &'static str,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Nothing was written.
    #[error("{} problem(s), nothing written:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<Problem>),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl From<sqlx::Error> for SetupError {
    fn from(error: sqlx::Error) -> Self {
        SetupError::Registry(error.into())
    }
}

impl SetupError {
    fn one(code: &'static str, reason: impl Into<String>) -> Self {
        SetupError::Refused(vec![Problem {
            line: None,
            code,
            reason: reason.into(),
        }])
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Lines read (without the header).
    pub lines: usize,
    /// Clinics whose organization changed.
    pub clinics: usize,
}
