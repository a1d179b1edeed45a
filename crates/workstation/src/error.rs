//! Errors the workstation returns. Each has a stable `code` the UI translates
//! into the registrar's language; the English `Display` text is for logs.

use std::path::PathBuf;

use serde::Serialize;

/// Why the database could not be opened. The file is never overwritten.
#[derive(Debug, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum OpenError {
    #[error("cannot create the folder {path}: {reason}")]
    CannotCreateFolder { path: PathBuf, reason: String },
    #[error("the database {path} cannot be read: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "the database {path} has schema version {found}, newer than this Emhana knows ({known}); update Emhana"
    )]
    NewerSchema { path: PathBuf, found: i64, known: i64 },
    #[error("cannot back up {path} before migrating it: {reason}")]
    Backup { path: PathBuf, reason: String },
    #[error("cannot migrate {path}: {reason}")]
    Migration { path: PathBuf, reason: String },
    /// The key does not open the file: it was copied from another PC, or
    /// this PC's keyring lost its key.
    #[error("the database {path} cannot be read with this PC's key")]
    WrongKey { path: PathBuf },
    /// The database's key is not in the OS keyring, though the file is there.
    #[error("the key of the database {path} is not in this PC's keyring")]
    KeyMissing { path: PathBuf },
    #[error("the OS keyring cannot keep the database's key: {reason}")]
    Keyring { reason: String },
    #[error("cannot encrypt {path}: {reason}")]
    Encryption { path: PathBuf, reason: String },
}

/// A failure of the store once it is open.
#[derive(Debug, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum StoreError {
    #[error("no person with id {id}")]
    PersonNotFound { id: i64 },
    #[error("the database already holds a clinic; the demo clinic loads only into an empty one")]
    NotEmpty,
    #[error("no application with id {id}")]
    ApplicationNotFound { id: i64 },
    #[error("application {id} is {status}, not decided")]
    NotDecided { id: i64, status: String },
    #[error("{date} has not come yet")]
    DateInFuture { date: chrono::NaiveDate },
    #[error("no clinic is marked as this workstation's own")]
    NoHomeClinic,
    #[error("invalid reference data: {detail}")]
    InvalidReferenceData { detail: String },
    #[error("this workstation is not enrolled with the registry")]
    NotEnrolled,
    #[error(
        "the registry enrolled this workstation for clinic {registry_bin}, but its database is clinic {home_bin}'s"
    )]
    EnrolledElsewhere { home_bin: String, registry_bin: String },
    /// An organization change that breaks its rules, found before it was sent.
    #[error("the organization change is refused: {problems:?}")]
    OrganizationRefused {
        problems: Vec<emhana_protocol::OrganizationProblem>,
    },
    #[error("nobody is signed in")]
    NotSignedIn,
    #[error("the person's OSMS status was never received from the registry on this PC")]
    OsmsNotKnown,
    #[error("not an IIN: {reason}")]
    InvalidIin { reason: emhana_domain::IdentifierError },
    /// The signed-in member of staff's roles do not allow it.
    #[error("the role does not allow {action:?}")]
    NotAllowed { action: emhana_domain::access::Action },
    /// A person of a district the signed-in member of staff does not serve.
    #[error("the person is attached to district {district}, not one of the signed-in member of staff's")]
    NotYourDistrict { district: u32 },
    #[error("stored data is damaged: {detail}")]
    Corrupt { detail: String },
    #[error("database error: {reason}")]
    Database { reason: String },
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database {
            reason: error.to_string(),
        }
    }
}

/// A value read from the store that the code cannot make sense of: `what`
/// it was meant to be, and the value (never a person's data).
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("{what} {value:?}"),
    }
}
