//! The audit log: who did what, when, to whom, on which PC — every change,
//! every opening of a card, search and export, every refused attempt — in
//! one append-only table whose rows are hash-chained.
//!
//! A row's `hash` is SHA-256 over the previous row's hash (32 zero bytes
//! before the first) and the row's own fields, each length-prefixed, with
//! its number: a row changed, removed or moved breaks the chain at that row
//! ([`verify`]). Whoever holds the file could rewrite the whole chain, so its
//! head goes to the registry at every sync, which compares it with the head
//! it held ([`emhana_protocol::AuditHead`]).

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use crate::error::StoreError;

/// One row to append; its number, author's IIN, PC and hash are added here.
pub(crate) struct AuditEntry<'a> {
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub action: &'a str,
    pub person_id: Option<i64>,
    /// JSON: what the row is about beyond the person (an op's id, a search's text).
    pub detail: &'a str,
}

/// Appends `entry` to the log, inside the caller's transaction. The caller
/// holds the write lock already (it wrote before) or began its transaction
/// `IMMEDIATE`: the previous row read here is then the last one.
pub(crate) async fn append_audit(
    conn: &mut SqliteConnection,
    entry: AuditEntry<'_>,
) -> Result<(), StoreError> {
    let (seq, previous) = match last_row(conn).await? {
        Some((id, hash)) => (id + 1, hash),
        None => (1, None),
    };
    let actor_iin: Option<String> = match entry.staff_id {
        Some(id) => {
            sqlx::query_scalar("SELECT iin FROM staff WHERE id = ?1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let workstation: Option<String> = sqlx::query_scalar("SELECT workstation_id FROM sync_enrolment")
        .fetch_optional(&mut *conn)
        .await?;
    let row = AuditRow {
        seq,
        at: entry.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        staff_id: entry.staff_id,
        actor_iin,
        workstation,
        action: entry.action.to_owned(),
        person_id: entry.person_id,
        detail: entry.detail.to_owned(),
        hash: None,
    };
    let hash = link_hash(previous.as_deref(), &row);
    sqlx::query(
        "INSERT INTO audit_event (id, at, staff_id, actor_iin, workstation, action, person_id, detail, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(row.seq)
    .bind(&row.at)
    .bind(row.staff_id)
    .bind(&row.actor_iin)
    .bind(&row.workstation)
    .bind(&row.action)
    .bind(row.person_id)
    .bind(&row.detail)
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A row of the log as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AuditRow {
    #[sqlx(rename = "id")]
    pub seq: i64,
    pub at: String,
    pub staff_id: Option<i64>,
    pub actor_iin: Option<String>,
    pub workstation: Option<String>,
    pub action: String,
    pub person_id: Option<i64>,
    pub detail: String,
    pub hash: Option<String>,
}

/// The hash of `row` after the row whose hash is `previous` (hex; `None`
/// before the first row of the chain).
pub(crate) fn link_hash(previous: Option<&str>, row: &AuditRow) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.unwrap_or(ZERO_HASH).as_bytes());
    hasher.update(row.seq.to_be_bytes());
    let mut field = |value: Option<&[u8]>| match value {
        // a length before each field: no two rows hash the same bytes
        Some(bytes) => {
            hasher.update([1]);
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        }
        None => hasher.update([0]),
    };
    field(Some(row.at.as_bytes()));
    field(
        row.staff_id
            .map(|id| id.to_be_bytes())
            .as_ref()
            .map(|bytes| bytes.as_slice()),
    );
    field(row.actor_iin.as_deref().map(str::as_bytes));
    field(row.workstation.as_deref().map(str::as_bytes));
    field(Some(row.action.as_bytes()));
    field(
        row.person_id
            .map(|id| id.to_be_bytes())
            .as_ref()
            .map(|bytes| bytes.as_slice()),
    );
    field(Some(row.detail.as_bytes()));
    hex(&hasher.finalize())
}

const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct AuditCheck {
    /// Rows in the chain (written since the log was chained).
    pub rows: u64,
    /// Rows written before the log was chained, which carry no hash.
    pub unchained: u64,
    /// The chain's last row and its hash: what the registry is sent.
    pub head: Option<(i64, String)>,
    /// The first row where the chain breaks, if it does.
    pub broken: Option<BrokenLink>,
}

/// The first place the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct BrokenLink {
    /// The row's number: where the chain should continue.
    pub seq: i64,
    pub problem: LinkProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LinkProblem {
    /// The row's content or hash is not what was written (changed, or moved
    /// from another place in the log).
    Changed,
    /// Rows are missing before this one (removed), or numbered out of turn.
    Missing,
    /// A row without a hash after the chain began.
    Unchained,
}

/// Walks the whole log in order and names its first broken link.
pub(crate) async fn verify(conn: &mut SqliteConnection) -> Result<AuditCheck, StoreError> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query_as::<_, AuditRow>(
        "SELECT id, at, staff_id, actor_iin, workstation, action, person_id, detail, hash FROM audit_event ORDER BY id",
    )
    .fetch(&mut *conn);
    let mut check = AuditCheck {
        rows: 0,
        unchained: 0,
        head: None,
        broken: None,
    };
    // the previous row of the chain: its number and hash
    let mut previous: Option<(i64, String)> = None;
    while let Some(row) = rows.try_next().await? {
        let Some(stored) = row.hash.clone() else {
            if previous.is_some() {
                check.broken = Some(BrokenLink {
                    seq: row.seq,
                    problem: LinkProblem::Unchained,
                });
                break;
            }
            check.unchained += 1;
            continue;
        };
        // the chain's first row follows the unchained ones, if any, at once
        let expected_seq = match &previous {
            Some((seq, _)) => seq + 1,
            None => check.unchained as i64 + 1,
        };
        if row.seq != expected_seq {
            check.broken = Some(BrokenLink {
                seq: expected_seq.min(row.seq),
                problem: LinkProblem::Missing,
            });
            break;
        }
        if link_hash(previous.as_ref().map(|(_, hash)| hash.as_str()), &row) != stored {
            check.broken = Some(BrokenLink {
                seq: row.seq,
                problem: LinkProblem::Changed,
            });
            break;
        }
        check.rows += 1;
        previous = Some((row.seq, stored));
    }
    check.head = previous;
    Ok(check)
}

/// The hash of row `seq` as the log holds it now (`None`: no such row).
pub(crate) async fn audit_hash_at(
    conn: &mut SqliteConnection,
    seq: i64,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT hash FROM audit_event WHERE id = ?1")
        .bind(seq)
        .fetch_optional(&mut *conn)
        .await?
        .flatten())
}

/// The log's last row and its hash, as it stands (not verified).
pub(crate) async fn audit_head(conn: &mut SqliteConnection) -> Result<Option<(i64, String)>, StoreError> {
    Ok(last_row(conn)
        .await?
        .and_then(|(seq, hash)| hash.map(|hash| (seq, hash))))
}

/// The log's last row: its number and hash (`None` for a row from before the chain).
async fn last_row(conn: &mut SqliteConnection) -> Result<Option<(i64, Option<String>)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Lets a snapshot copy forget its maker's log: the triggers that keep it
/// append-only (as migration 0020 made them) dropped, the rows removed, the
/// triggers made again.
pub(crate) async fn clear_audit_of_copy(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    sqlx::query("DROP TRIGGER audit_event_no_delete")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM audit_event").execute(&mut *conn).await?;
    sqlx::query(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event \
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
