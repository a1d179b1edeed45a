//! The workstation: Emhana's use cases over the clinic PC's own SQLite file.
//!
//! This is the API the desktop shell (`src-tauri`) calls; it must not depend on
//! Tauri or any UI. Business decisions come from `emhana_domain`; this crate
//! loads the facts they need, asks, and writes the result in one transaction.
//!
//! The store is opened with [`Workstation::open`]: the file is created when
//! absent, refused (never overwritten) when it is unreadable or from a newer
//! Emhana, backed up before a migration, and kept in WAL mode.

mod card;
mod error;
mod import;
mod search;
mod settings;
mod store;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::SqlitePool;

pub use card::{HouseholdMember, PersonCard};
pub use error::{OpenError, StoreError};
pub use import::{ClinicRecord, CoverageRecord, DistrictRecord, HouseholdRecord, StaffRecord};
pub use search::{MAX_LIMIT, MatchKind, PersonHit, SearchOutcome, SearchQuery, classify};
pub use settings::Language;
pub use store::{DATABASE_FILE_NAME, OpenReport};

/// An open workstation database.
#[derive(Debug, Clone)]
pub struct Workstation {
    pool: SqlitePool,
    path: PathBuf,
}

/// What the start screen shows: which clinic this is, how many persons it knows.
#[derive(Debug, Clone, Serialize)]
pub struct StoreStatus {
    pub path: PathBuf,
    pub clinic: Option<ClinicSummary>,
    pub persons: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ClinicSummary {
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
    pub address: String,
    pub districts: i64,
    pub staff: i64,
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
            },
            report,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn status(&self) -> Result<StoreStatus, StoreError> {
        let clinic = sqlx::query_as::<_, ClinicSummary>(
            "SELECT c.bin, c.name_kk, c.name_ru, c.address, \
                    (SELECT count(*) FROM district d WHERE d.clinic_id = c.id) AS districts, \
                    (SELECT count(*) FROM staff s WHERE s.clinic_id = c.id) AS staff \
             FROM clinic c WHERE c.is_home = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM person")
            .fetch_one(&self.pool)
            .await?;
        Ok(StoreStatus {
            path: self.path.clone(),
            clinic,
            persons,
        })
    }

    /// True when no clinic has been loaded: the first start.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let clinics: i64 = sqlx::query_scalar("SELECT count(*) FROM clinic")
            .fetch_one(&self.pool)
            .await?;
        Ok(clinics == 0)
    }

    /// Finds persons by IIN, IIN or phone prefix, or name (see [`classify`]).
    pub async fn search(&self, text: &str, limit: usize) -> Result<SearchOutcome, StoreError> {
        search::run(&self.pool, text, limit).await
    }

    /// The person card as of `today` (the date in Kazakhstan).
    pub async fn person_card(&self, id: i64, today: NaiveDate) -> Result<PersonCard, StoreError> {
        card::load(&self.pool, id, today).await
    }

    /// Loads clinics with their districts, coverage and staff, in one transaction.
    pub async fn import_clinics(&self, clinics: &[ClinicRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        import::clinics(&mut tx, clinics).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads households and their members, in one transaction; returns the persons written.
    pub async fn import_households(&self, households: &[HouseholdRecord]) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let written = import::households(&mut tx, households).await?;
        tx.commit().await?;
        Ok(written)
    }

    pub async fn language(&self) -> Result<Option<Language>, StoreError> {
        settings::language(&self.pool).await
    }

    pub async fn set_language(&self, language: Language) -> Result<(), StoreError> {
        settings::set_language(&self.pool, language).await
    }

    /// Closes the pool, checkpointing the WAL into the main file.
    pub async fn close(self) {
        self.pool.close().await;
    }
}
