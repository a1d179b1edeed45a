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

pub use crate::file_import::{Problem, SetupError};

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Lines read (without the header).
    pub lines: usize,
    /// Clinics whose organization changed.
    pub clinics: usize,
}
