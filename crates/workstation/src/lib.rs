//! The workstation: Emhana's use cases over the clinic PC's own SQLite file.
//!
//! This is the API the desktop shell (`src-tauri`) calls; it must not depend on
//! Tauri or any UI. Business decisions come from `emhana_domain`; this crate
//! loads the facts they need, asks, and writes the result in one transaction.
//!
//! The store is opened with [`Workstation::open`]: the file is created when
//! absent, refused (never overwritten) when it is unreadable or from a newer
//! Emhana, backed up before a migration, and kept in WAL mode.

#[macro_use]
mod store;

mod access;
mod appointments;
mod attachment;
mod audit;
mod card;
mod documents;
mod error;
mod home_visits;
mod import;
mod lookup;
mod organization;
mod osms;
mod person_changes;
mod register;
mod search;
mod setup;
mod sync;

use std::path::{Path, PathBuf};

use sqlx::SqlitePool;

pub use access::{SignInError, StaffSession};
pub use appointments::{
    BOOKING_HORIZON_DAYS, BookingDetail, BookingError, BookingEvent, BookingForm, BookingOptions,
    BookingView, ClinicDayLine, DayRow, Doctor, DoctorDay, ExceptionView, ScheduleChange, ScheduleView,
};
pub use attachment::{
    ApplicationForm, ApplicationOutcome, AttachmentEntry, AttachmentOptions, CONSENT_DATA_LIST, ConsentForm,
    CurrentAttachment, DetachmentReason, DistrictOption, FormError, ListLoad,
};
pub use card::{CardOpening, HouseholdMember, OPENINGS_SHOWN, PersonCard, PersonCorrection};
pub use documents::{DEFAULT_DOCUMENTS_KEPT_HOURS, DOCUMENTS_KEPT_HOURS, remove_old_documents};
pub use error::{OpenError, StoreError};
pub use home_visits::{
    CallForm, CallPreview, CallView, DueVisit, HomeVisitError, Nurse, PlanClosed, PlanRequest, PlanView,
    PostCallView, PostPlanView, RoundStop, RoundView, StopRef, Unassigned, UnstaffedDistrict,
    VisitHistoryEvent, VisitView,
};
pub use import::{
    AttachmentRecord, ClinicRecord, CoverageRecord, DistrictRecord, HouseholdRecord, StaffRecord,
};
pub use lookup::{LookupAttached, LookupOutcome, LookupRequest, LookupUnavailable};
pub use organization::{ClinicView, DistrictView, OrganizationView, PendingChange, PostView, StaffView};
pub use osms::{KnownOsms, OsmsRequest, OsmsUnavailable, OsmsView, StatementPaper};
pub use person_changes::{PersonChangeEntry, PersonDetails, RelativeView};
pub use register::{DistrictCount, REGISTER_PAGE, RegisterFilter, RegisterPage, RegisterRow};
pub use search::{MAX_LIMIT, MatchKind, PersonHit, SearchOutcome, SearchQuery, classify};
pub use setup::{ClinicSummary, StoreStatus};
pub use store::{
    AuditCheck, BACKUPS_KEPT, BrokenLink, DATABASE_FILE_NAME, DatabaseKey, KeyError, Language, LinkProblem,
    OpenReport, is_encrypted_file, keyring_account, reader_options,
};
pub use sync::{
    AnswersRecorded, AttentionAction, AttentionItem, FirstSync, PullApplied, SnapshotRefusal, SyncEnrolment,
    SyncOverview,
};

/// An open workstation database.
#[derive(Debug, Clone)]
pub struct Workstation {
    pool: SqlitePool,
    path: PathBuf,
    /// The file's key; `None`: the file is in clear (tools, tests, the snapshot builder).
    key: Option<DatabaseKey>,
    /// Who is acting through this handle ([`Workstation::acting_as`]);
    /// `None`: nobody — the workstation's own work (sync, loading data).
    session: Option<std::sync::Arc<StaffSession>>,
}

impl Workstation {
    /// Opens the database at `path` in clear, creating it (and its folder)
    /// when absent, and brings its schema up to date. For tools and tests
    /// over synthetic data; the app opens its file with
    /// [`Workstation::open_encrypted`], which encrypts a file left in clear.
    pub async fn open(path: &Path) -> Result<(Self, OpenReport), OpenError> {
        Self::open_at_rest(path, None).await
    }

    /// Opens the database at `path`, encrypted with `key` (SQLCipher):
    /// created encrypted when absent, encrypted in place (with its backups)
    /// when found in clear, refused with [`OpenError::WrongKey`] when the
    /// key does not open it.
    pub async fn open_encrypted(path: &Path, key: &DatabaseKey) -> Result<(Self, OpenReport), OpenError> {
        Self::open_at_rest(path, Some(key.clone())).await
    }

    async fn open_at_rest(path: &Path, key: Option<DatabaseKey>) -> Result<(Self, OpenReport), OpenError> {
        let at_rest = key
            .as_ref()
            .map_or(store::AtRest::Plain, store::AtRest::Encrypted);
        let (pool, report) = store::open_pool(path, at_rest).await?;
        tracing::info!(
            path = %path.display(),
            created = report.created,
            encrypted = key.is_some(),
            encrypted_now = report.encrypted_now,
            migrations = report.applied_migrations,
            "workstation database open"
        );
        Ok((
            Workstation {
                pool,
                path: path.to_path_buf(),
                key,
                session: None,
            },
            report,
        ))
    }

    /// Whether the file is encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// How a second connection to this file (a copy, a check) must open it.
    pub(crate) fn at_rest(&self) -> store::AtRest<'_> {
        self.key
            .as_ref()
            .map_or(store::AtRest::Plain, store::AtRest::Encrypted)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the pool, checkpointing the WAL into the main file.
    pub async fn close(self) {
        self.pool.close().await;
    }
}
