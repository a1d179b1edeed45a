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
mod error;
mod home_visits;
mod import;
mod organization;
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
pub use card::{CardOpening, HouseholdMember, OPENINGS_SHOWN, PersonCard};
pub use error::{OpenError, StoreError};
pub use home_visits::{
    CallForm, CallPreview, CallView, DueVisit, HomeVisitError, Nurse, PlanClosed, PlanRequest, PlanView,
    PostCallView, PostPlanView, RoundStop, RoundView, StopRef, Unassigned, UnstaffedDistrict,
    VisitHistoryEvent, VisitView,
};
pub use import::{
    AttachmentRecord, ClinicRecord, CoverageRecord, DistrictRecord, HouseholdRecord, StaffRecord,
};
pub use organization::{ClinicView, DistrictView, OrganizationView, PendingChange, PostView, StaffView};
pub use register::{DistrictCount, REGISTER_PAGE, RegisterFilter, RegisterPage, RegisterRow};
pub use search::{MAX_LIMIT, MatchKind, PersonHit, SearchOutcome, SearchQuery, classify};
pub use setup::{ClinicSummary, StoreStatus};
pub use store::{AuditCheck, BrokenLink, DATABASE_FILE_NAME, Language, LinkProblem, OpenReport};
pub use sync::{
    AnswersRecorded, AttentionAction, AttentionItem, FirstSync, PullApplied, SnapshotRefusal, SyncEnrolment,
    SyncOverview,
};

/// An open workstation database.
#[derive(Debug, Clone)]
pub struct Workstation {
    pool: SqlitePool,
    path: PathBuf,
    /// Who is acting through this handle ([`Workstation::acting_as`]);
    /// `None`: nobody — the workstation's own work (sync, loading data).
    session: Option<std::sync::Arc<StaffSession>>,
}

impl Workstation {
    /// Opens the database at `path`, creating it (and its folder) when absent,
    /// and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<(Self, OpenReport), OpenError> {
        let (pool, report) = store::open_pool(path).await?;
        tracing::info!(path = %path.display(), created = report.created, migrations = report.applied_migrations, "workstation database open");
        Ok((
            Workstation {
                pool,
                path: path.to_path_buf(),
                session: None,
            },
            report,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the pool, checkpointing the WAL into the main file.
    pub async fn close(self) {
        self.pool.close().await;
    }
}
