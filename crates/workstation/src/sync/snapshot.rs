//! A first sync from a clinic's snapshot (docs/sync.md "Snapshots"): a
//! ready-made database of this schema, checked, copied into this PC's file
//! in one transaction — tables and their indexes record by record as they
//! are (SQLite's transfer of a table into an empty one of the same schema),
//! the references checked once after — and the feed followed from the
//! snapshot's cursor. Only a PC that has
//! nothing of its own yet takes one.

use std::path::Path;

use emhana_protocol::SnapshotInfo;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use super::*;

/// Tables a snapshot never brings: this PC's own (its enrolment, its ops,
/// its sync state, its audit) and the schema's bookkeeping.
const LOCAL_TABLES: &[&str] = &[
    "_sqlx_migrations",
    "sync_enrolment",
    "sync_state",
    "outbox",
    "audit_event",
];

/// Settings that are this PC's, not the clinic's.
const LOCAL_SETTINGS: &[&str] = &["language", "documents_kept_hours"];

/// Why a snapshot is not installed; the first sync then reads the feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotRefusal {
    #[error("this PC already holds persons or ops of its own")]
    NotFresh,
    #[error("the snapshot is of schema {found}, this PC of {ours}")]
    OtherSchema { found: i64, ours: i64 },
    #[error("the snapshot is clinic {found}'s, this PC is enrolled with {ours}")]
    OtherClinic { found: String, ours: String },
    #[error("the file is not a workstation database: {0}")]
    Unreadable(String),
}

pub(crate) async fn is_fresh(pool: &SqlitePool) -> Result<bool, StoreError> {
    let (persons, ops, cursor): (i64, i64, Option<String>) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM outbox), \
                (SELECT cursor FROM sync_state WHERE id = 1)",
    )
    .fetch_one(pool)
    .await?;
    Ok(persons == 0 && ops == 0 && cursor.is_none())
}

/// Copies the snapshot at `file` into this PC's database; returns the persons it brought.
pub(crate) async fn install(
    pool: &SqlitePool,
    file: &Path,
    info: &SnapshotInfo,
) -> Result<Result<u64, SnapshotRefusal>, StoreError> {
    if !is_fresh(pool).await? {
        return Ok(Err(SnapshotRefusal::NotFresh));
    }
    let Some(enrolment) = enrolment(pool).await? else {
        return Err(StoreError::NotEnrolled);
    };
    let mut conn = pool.acquire().await?;
    let path = file.to_string_lossy().into_owned();
    // a snapshot comes in clear (over TLS, from the clinic's builder) and is
    // removed once installed; without `KEY ''` SQLCipher would read it with
    // this file's key
    if let Err(error) = sqlx::query("ATTACH DATABASE ?1 AS snap KEY ''")
        .bind(&path)
        .execute(&mut *conn)
        .await
    {
        return Ok(Err(SnapshotRefusal::Unreadable(error.to_string())));
    }
    let result = copy(&mut conn, info, &enrolment.clinic_bin).await;
    // detached whatever happened, so the connection goes back to the pool clean
    let _ = sqlx::query("DETACH DATABASE snap").execute(&mut *conn).await;
    result
}

async fn copy(
    conn: &mut SqliteConnection,
    info: &SnapshotInfo,
    clinic_bin: &str,
) -> Result<Result<u64, SnapshotRefusal>, StoreError> {
    let schema = |db: &'static str| format!("SELECT coalesce(max(version), 0) FROM {db}._sqlx_migrations");
    let found: Result<i64, _> = sqlx::query_scalar(sqlx::AssertSqlSafe(schema("snap")))
        .fetch_one(&mut *conn)
        .await;
    let found = match found {
        Ok(found) => found,
        Err(error) => return Ok(Err(SnapshotRefusal::Unreadable(error.to_string()))),
    };
    let ours: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(schema("main")))
        .fetch_one(&mut *conn)
        .await?;
    if found != ours || info.schema_version != ours {
        return Ok(Err(SnapshotRefusal::OtherSchema { found, ours }));
    }
    let home: Option<String> = sqlx::query_scalar("SELECT bin FROM snap.clinic WHERE is_home = 1")
        .fetch_optional(&mut *conn)
        .await?;
    if home.as_deref() != Some(clinic_bin) {
        return Ok(Err(SnapshotRefusal::OtherClinic {
            found: home.unwrap_or_default(),
            ours: clinic_bin.to_owned(),
        }));
    }

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )
    .fetch_all(&mut *conn)
    .await?;
    // the copy's B-tree pages stay in memory until the commit writes them
    // once (the default 64 MB would spill a city's indexes to the WAL and
    // read them back). Foreign keys off for the copy: with them on, SQLite
    // inserts row by row and updates every index per row; with them off,
    // `INSERT INTO t SELECT * FROM snap.t` into an empty table of the same
    // schema copies the table's and its indexes' records as they are, in
    // order (its transfer optimisation). The references are checked after
    // the copy, before the commit. Both put back after.
    sqlx::query("PRAGMA cache_size = -524288")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let copied = copy_tables(&mut *conn, &tables, info).await;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA cache_size = -65536")
        .execute(&mut *conn)
        .await?;
    copied
}

async fn copy_tables(
    conn: &mut SqliteConnection,
    tables: &[String],
    info: &SnapshotInfo,
) -> Result<Result<u64, SnapshotRefusal>, StoreError> {
    let mut tx = conn.begin().await?;
    for table in tables.iter().filter(|t| !LOCAL_TABLES.contains(&t.as_str())) {
        let started = std::time::Instant::now();
        if table == "setting" {
            // the clinic's settings, not this PC's own choices
            let local = LOCAL_SETTINGS
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM main.setting WHERE name NOT IN ({local})"
            )))
            .execute(&mut *tx)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO main.setting SELECT * FROM snap.setting WHERE name NOT IN ({local})"
            )))
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM main.\"{table}\"")))
                .execute(&mut *tx)
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO main.\"{table}\" SELECT * FROM snap.\"{table}\""
            )))
            .execute(&mut *tx)
            .await?;
        }
        tracing::debug!(
            table,
            copy_ms = started.elapsed().as_millis() as u64,
            "snapshot table copied"
        );
    }
    // what the copy did not check row by row: every reference has its row
    let started = std::time::Instant::now();
    let broken: Option<(String, Option<i64>, String, i64)> = sqlx::query_as("PRAGMA main.foreign_key_check")
        .fetch_optional(&mut *tx)
        .await?;
    tracing::debug!(
        check_ms = started.elapsed().as_millis() as u64,
        "snapshot references checked"
    );
    if let Some((table, rowid, parent, _)) = broken {
        tx.rollback().await?;
        return Ok(Err(SnapshotRefusal::Unreadable(format!(
            "a row of {table} ({rowid:?}) refers to no row of {parent}"
        ))));
    }
    let started = std::time::Instant::now();
    // the feed goes on from where the snapshot stands
    sqlx::query(
        "UPDATE main.sync_state SET cursor = ?1, \
             organization_version = (SELECT organization_version FROM snap.sync_state WHERE id = 1), \
             first_sync_applied = (SELECT count(*) FROM main.person), first_sync_remaining = 0 \
         WHERE id = 1",
    )
    .bind(&info.cursor)
    .execute(&mut *tx)
    .await?;
    let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM main.person")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::debug!(
        commit_ms = started.elapsed().as_millis() as u64,
        "snapshot committed"
    );
    Ok(Ok(u64::try_from(persons).unwrap_or(0)))
}

/// A snapshot of this PC's database for others to install: a compact copy
/// (`VACUUM INTO`) without this PC's enrolment, ops or audit, at its cursor.
/// The copy is encrypted with this file's key when this file is.
pub(crate) async fn export(
    pool: &SqlitePool,
    at_rest: store::AtRest<'_>,
    to: &Path,
) -> Result<(String, i64, u64), StoreError> {
    let cursor = cursor(pool).await?.ok_or(StoreError::NotEnrolled)?;
    let mut conn = pool.acquire().await?;
    let path = to.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO ?1")
        .bind(&path)
        .execute(&mut *conn)
        .await?;
    drop(conn);
    // the copy forgets who made it
    let mut copy = store::connect_options(to, at_rest).connect().await?;
    store::clear_audit_of_copy(&mut copy).await?;
    for table in ["sync_enrolment", "outbox"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM \"{table}\"")))
            .execute(&mut copy)
            .await?;
    }
    for name in LOCAL_SETTINGS {
        sqlx::query("DELETE FROM setting WHERE name = ?1")
            .bind(name)
            .execute(&mut copy)
            .await?;
    }
    let schema: i64 = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&mut copy)
        .await?;
    let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM person")
        .fetch_one(&mut copy)
        .await?;
    sqlx::query("VACUUM").execute(&mut copy).await?;
    copy.close().await?;
    Ok((cursor, schema, u64::try_from(persons).unwrap_or(0)))
}
