//! Opening the workstation's SQLite file: create when absent, refuse (never
//! overwrite) when unreadable or newer than this build, back up before
//! migrating, then WAL mode and the embedded migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection, SqlitePool};

use crate::error::OpenError;

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/workstation");

/// The file name of the workstation database inside the app-data folder.
pub const DATABASE_FILE_NAME: &str = "emhana.sqlite";

/// What [`open_pool`] found and did, for the log and the status screen.
#[derive(Debug, Clone)]
pub struct OpenReport {
    pub created: bool,
    pub backup: Option<PathBuf>,
    pub applied_migrations: usize,
    /// Persons whose search keys were rebuilt because the name folding changed.
    pub refolded_persons: u64,
}

pub(crate) async fn open_pool(path: &Path) -> Result<(SqlitePool, OpenReport), OpenError> {
    let existed = path.exists();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| OpenError::CannotCreateFolder {
            path: parent.to_path_buf(),
            reason: source.to_string(),
        })?;
    }

    let mut backup = None;
    let mut pending = MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .count();
    if existed {
        let existing = inspect_existing(path).await?;
        pending = MIGRATOR
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && !existing.applied.contains(&m.version))
            .count();
        if pending > 0 && existing.tables > 0 {
            let version = existing.applied.iter().max().copied().unwrap_or(0);
            backup = Some(back_up(path, version).await?);
        }
    }

    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Registry records are clinical data: a power cut must not lose a committed write.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|e| OpenError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    MIGRATOR.run(&pool).await.map_err(|e| OpenError::Migration {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let refolded = super::refold_search_keys(&pool)
        .await
        .map_err(|e| OpenError::Migration {
            path: path.to_path_buf(),
            reason: format!("search keys: {e}"),
        })?;
    if refolded > 0 {
        tracing::info!(
            persons = refolded,
            "search keys rebuilt for this build's name folding"
        );
    }
    Ok((
        pool,
        OpenReport {
            created: !existed,
            backup,
            applied_migrations: pending,
            refolded_persons: refolded,
        },
    ))
}

/// A connection that cannot change the file, for looking before migrating.
async fn open_read_only(path: &Path) -> Result<SqliteConnection, sqlx::Error> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
}

/// What an existing file holds.
struct Existing {
    applied: Vec<i64>,
    tables: i64,
}

/// Reads an existing file read-only: it must be a SQLite database whose
/// applied migrations this build knows.
async fn inspect_existing(path: &Path) -> Result<Existing, OpenError> {
    let unreadable = |reason: String| OpenError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = open_read_only(path)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    // The first real read tells a database from any other file.
    let (tables, has_migrations): (i64, bool) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(name = '_sqlx_migrations'), 0) > 0 FROM sqlite_master WHERE type = 'table'",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| unreadable(e.to_string()))?;
    let applied: Vec<i64> = if has_migrations {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| unreadable(e.to_string()))?
    } else {
        Vec::new()
    };
    let _ = conn.close().await;
    let known = latest_known_version();
    if let Some(&found) = applied
        .iter()
        .find(|v| !MIGRATOR.iter().any(|m| m.version == **v))
    {
        return Err(OpenError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    Ok(Existing { applied, tables })
}

pub(crate) fn latest_known_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Copies the database as a consistent snapshot beside it, named after the
/// schema version it holds and the time, before any migration touches it.
async fn back_up(path: &Path, version: i64) -> Result<PathBuf, OpenError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = path.with_file_name(format!("{file_name}.v{version}-{stamp}.bak"));
    let failed = |reason: String| OpenError::Backup {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = open_read_only(path).await.map_err(|e| failed(e.to_string()))?;
    sqlx::query("VACUUM INTO ?1")
        .bind(target.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let _ = conn.close().await;
    tracing::info!(backup = %target.display(), "database backed up before migration");
    Ok(target)
}
