//! Opening the workstation's SQLite file: create when absent, refuse (never
//! overwrite) when unreadable or newer than this build, back up before
//! migrating, then WAL mode and the embedded migrations.
//!
//! At rest the file is encrypted (SQLCipher) with the PC's [`DatabaseKey`];
//! a file in clear — a database from before encryption, or one a tool
//! wrote — is encrypted in place the first time it is opened with a key,
//! and so are the backups beside it. Backups are copies of the encrypted
//! file (same key), the newest [`BACKUPS_KEPT`] of them kept.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection, SqlitePool};

use super::key::{DatabaseKey, FileKind, file_kind};
use crate::error::OpenError;

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/workstation");

/// The file name of the workstation database inside the app-data folder.
pub const DATABASE_FILE_NAME: &str = "emhana.sqlite";

/// How many backups made before migrations are kept beside the database.
pub const BACKUPS_KEPT: usize = 3;

/// How the file is kept on disk.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AtRest<'a> {
    /// In clear: tools and tests over synthetic data, the snapshot builder.
    Plain,
    Encrypted(&'a DatabaseKey),
}

/// What [`open_pool`] found and did, for the log and the status screen.
#[derive(Debug, Clone)]
pub struct OpenReport {
    pub created: bool,
    /// The file was in clear and is now encrypted (with its backups).
    pub encrypted_now: bool,
    pub backup: Option<PathBuf>,
    /// Old backups removed, beyond the newest [`BACKUPS_KEPT`].
    pub pruned_backups: usize,
    pub applied_migrations: usize,
    /// Persons whose search keys were rebuilt because the name folding changed.
    pub refolded_persons: u64,
}

/// The connection options every connection to the file starts from: the key
/// first (SQLCipher reads it before anything else).
pub(crate) fn connect_options(path: &Path, at_rest: AtRest<'_>) -> SqliteConnectOptions {
    let options = SqliteConnectOptions::new().filename(path);
    match at_rest {
        AtRest::Plain => options,
        // a wrong key is our error to report (OpenError::WrongKey), not
        // SQLCipher's lines on stderr
        AtRest::Encrypted(key) => options
            .pragma("key", key.pragma_value())
            .pragma("cipher_log_level", "NONE"),
    }
}

/// The options another program (a tool, a check, a test) opens the file
/// with beside the app: its key first, when it is encrypted.
pub fn reader_options(path: &Path, key: Option<&DatabaseKey>) -> SqliteConnectOptions {
    connect_options(path, key.map_or(AtRest::Plain, AtRest::Encrypted))
}

pub(crate) async fn open_pool(
    path: &Path,
    at_rest: AtRest<'_>,
) -> Result<(SqlitePool, OpenReport), OpenError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| OpenError::CannotCreateFolder {
            path: parent.to_path_buf(),
            reason: source.to_string(),
        })?;
    }
    let unreadable = |reason: String| OpenError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let kind = file_kind(path).map_err(|e| unreadable(e.to_string()))?;
    let existed = kind != FileKind::Absent;
    let mut encrypted_now = false;
    if let (FileKind::Plain, AtRest::Encrypted(key)) = (kind, at_rest) {
        // a file this build would refuse (damaged, newer) is left as it is
        inspect_existing(path, AtRest::Plain).await?;
        encrypt_in_place(path, key).await?;
        encrypted_now = true;
        tracing::info!("the database was in clear: encrypted with this PC's key");
    }
    if let AtRest::Encrypted(key) = at_rest {
        encrypt_plain_backups(path, key).await?;
    }

    let mut backup = None;
    let mut pending = MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .count();
    if existed {
        let existing = inspect_existing(path, at_rest).await?;
        pending = MIGRATOR
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && !existing.applied.contains(&m.version))
            .count();
        if pending > 0 && existing.tables > 0 {
            let version = existing.applied.iter().max().copied().unwrap_or(0);
            backup = Some(back_up(path, at_rest, version).await?);
        }
    }
    let pruned_backups = prune_backups(path);

    let options = connect_options(path, at_rest)
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
            encrypted_now,
            backup,
            pruned_backups,
            applied_migrations: pending,
            refolded_persons: refolded,
        },
    ))
}

/// A connection that cannot change the file, for looking before migrating.
async fn open_read_only(path: &Path, at_rest: AtRest<'_>) -> Result<SqliteConnection, sqlx::Error> {
    connect_options(path, at_rest).read_only(true).connect().await
}

/// SQLite's answer to a page it cannot read: a file encrypted with another
/// key (or not a database at all).
fn is_not_a_database(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "26")
}

/// What an existing file holds.
struct Existing {
    applied: Vec<i64>,
    tables: i64,
}

/// Reads an existing file read-only: it must be a SQLite database whose
/// applied migrations this build knows.
async fn inspect_existing(path: &Path, at_rest: AtRest<'_>) -> Result<Existing, OpenError> {
    let unreadable = |reason: String| OpenError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = open_read_only(path, at_rest)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    // The first real read tells a database from any other file, and the
    // right key from a wrong one.
    let (tables, has_migrations): (i64, bool) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(name = '_sqlx_migrations'), 0) > 0 FROM sqlite_master WHERE type = 'table'",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| match at_rest {
        AtRest::Encrypted(_) if is_not_a_database(&e) => OpenError::WrongKey {
            path: path.to_path_buf(),
        },
        _ => unreadable(e.to_string()),
    })?;
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
async fn back_up(path: &Path, at_rest: AtRest<'_>, version: i64) -> Result<PathBuf, OpenError> {
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
    // a copy of an encrypted file is encrypted with the same key
    let mut conn = open_read_only(path, at_rest)
        .await
        .map_err(|e| failed(e.to_string()))?;
    sqlx::query("VACUUM INTO ?1")
        .bind(target.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let _ = conn.close().await;
    tracing::info!(backup = %target.display(), "database backed up before migration");
    Ok(target)
}

/// The backups made beside `path` before migrations, newest first.
fn backups_of(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let prefix = format!("{}.v", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".bak")
        })
        .map(|e| {
            let modified = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (modified, e.path())
        })
        .collect();
    // the file name's stamp breaks a tie of modification times
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    found.into_iter().map(|(_, path)| path).collect()
}

/// Removes backups beyond the newest [`BACKUPS_KEPT`]; how many went.
fn prune_backups(path: &Path) -> usize {
    let mut removed = 0;
    for old in backups_of(path).into_iter().skip(BACKUPS_KEPT) {
        match std::fs::remove_file(&old) {
            Ok(()) => removed += 1,
            Err(error) => {
                tracing::warn!(backup = %old.display(), %error, "an old backup could not be removed")
            }
        }
    }
    removed
}

/// Encrypts the backups a build before encryption left in clear.
async fn encrypt_plain_backups(path: &Path, key: &DatabaseKey) -> Result<(), OpenError> {
    for backup in backups_of(path) {
        if file_kind(&backup).ok() == Some(FileKind::Plain) {
            encrypt_in_place(&backup, key)
                .await
                .map_err(|e| OpenError::Backup {
                    path: backup.clone(),
                    reason: e.to_string(),
                })?;
        }
    }
    Ok(())
}

/// Rewrites a database in clear as one encrypted with `key`: exported into
/// a new file beside it, which then takes its name. A crash before the
/// rename leaves the file in clear as it was (and the half-written copy is
/// thrown away at the next try); after it, the file is whole and encrypted.
async fn encrypt_in_place(path: &Path, key: &DatabaseKey) -> Result<(), OpenError> {
    let failed = |reason: String| OpenError::Encryption {
        path: path.to_path_buf(),
        reason,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = path.with_file_name(format!("{file_name}.encrypting"));
    match std::fs::remove_file(&target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e.to_string())),
    }
    // ATTACH creates its file only on a connection that may create files
    let mut conn = connect_options(path, AtRest::Plain)
        .create_if_missing(true)
        .connect()
        .await
        .map_err(|e| failed(e.to_string()))?;
    // the key is hex digits of ours, never a user's text
    let attach = format!("ATTACH DATABASE ?1 AS encrypted KEY {}", key.pragma_value());
    sqlx::query(sqlx::AssertSqlSafe(attach))
        .bind(target.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let exported = async {
        sqlx::query("SELECT sqlcipher_export('encrypted')")
            .execute(&mut conn)
            .await?;
        let user_version: i64 = sqlx::query_scalar("PRAGMA main.user_version")
            .fetch_one(&mut conn)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA encrypted.user_version = {user_version}"
        )))
        .execute(&mut conn)
        .await?;
        sqlx::query("DETACH DATABASE encrypted")
            .execute(&mut conn)
            .await?;
        Ok::<(), sqlx::Error>(())
    }
    .await;
    // closing the last connection checkpoints the clear file's WAL into it
    let _ = conn.close().await;
    if let Err(error) = exported {
        let _ = std::fs::remove_file(&target);
        return Err(failed(error.to_string()));
    }
    let wal = path.with_file_name(format!("{file_name}-wal"));
    if wal.exists() {
        let _ = std::fs::remove_file(&target);
        return Err(failed(
            "another program has the database open (its WAL is still there)".to_owned(),
        ));
    }
    std::fs::File::open(&target)
        .and_then(|f| f.sync_all())
        .map_err(|e| failed(e.to_string()))?;
    std::fs::rename(&target, path).map_err(|e| failed(e.to_string()))?;
    let _ = std::fs::remove_file(path.with_file_name(format!("{file_name}-shm")));
    if let Some(dir) = path.parent() {
        // the rename itself made durable
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}
