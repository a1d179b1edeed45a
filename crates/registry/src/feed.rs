//! Pull: a clinic's change feed, read after a cursor: its persons, its
//! records, and its posts' calls and plans.
//!
//! A cursor is a position `(xid, seq)`: the writing transaction's id and a
//! sequence number taken inside it. A pull returns only rows written by
//! transactions older than the oldest one still running
//! (`pg_snapshot_xmin`), so a transaction that took its numbers early and
//! commits late is read when it commits, after the cursor, never skipped.

use emhana_protocol::{Change, LeftReason, MAX_CHANGES_PER_PULL, PullQuery, PullResponse};
use sqlx::{PgPool, Row};

use crate::RegistryError;
use crate::auth::Workstation;
use crate::people::{attachment_columns, attachment_from_row, person_columns, person_from_row};
use crate::push::record_from_json;

/// The changes after the cursor in the workstation's clinic.
pub async fn pull(
    pool: &PgPool,
    workstation: &Workstation,
    query: &PullQuery,
) -> Result<PullResponse, RegistryError> {
    let (after_xid, after_seq) = match query.after.as_deref() {
        None => (0u64, 0i64),
        Some(cursor) => parse_cursor(cursor)?,
    };
    let limit = query.limit.unwrap_or(1000).clamp(1, MAX_CHANGES_PER_PULL);
    // A push commits within milliseconds: when the page is short because
    // changes are held back by transactions still running, wait a little for
    // them rather than answer "nothing" and have the workstation come back.
    let started = std::time::Instant::now();
    loop {
        let page = read_page(pool, workstation, query, (after_xid, after_seq), limit).await?;
        if !page.held_back || page.more || started.elapsed() >= HOLD_BACK_WAIT {
            return Ok(page);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// How long a pull waits for transactions that hold changes back.
const HOLD_BACK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

async fn read_page(
    pool: &PgPool,
    workstation: &Workstation,
    query: &PullQuery,
    (after_xid, after_seq): (u64, i64),
    limit: u32,
) -> Result<PullResponse, RegistryError> {
    // One snapshot for the rows, the held-back check and the count.
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query(concat!(
        "SELECT s.xid::text AS xid, s.seq, s.in_scope, s.left_on, s.left_reason, ",
        person_columns!(),
        ", p.details, a.id IS NOT NULL AS attached, ",
        attachment_columns!(),
        " FROM scope_change s JOIN person p ON p.id = s.person_id \
          LEFT JOIN LATERAL (SELECT * FROM attachment a WHERE a.person_id = s.person_id AND a.clinic_id = s.clinic_id \
                             ORDER BY a.ended_on IS NULL DESC, a.started_on DESC, a.id DESC LIMIT 1) a ON true \
          LEFT JOIN district d ON d.id = a.district_id \
          WHERE s.clinic_id = $1 AND (s.xid, s.seq) > ($2::text::xid8, $3) \
            AND s.xid < pg_snapshot_xmin(pg_current_snapshot()) \
          ORDER BY s.xid, s.seq LIMIT $4"
    ))
    .bind(workstation.clinic_id)
    .bind(after_xid.to_string())
    .bind(after_seq)
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    // The clinic's records after the same cursor (one sequence numbers both
    // tables), and its posts' calls and plans: the parent's PCs read them.
    let readers = record_clinics(&mut tx, workstation.clinic_id).await?;
    let record_rows = sqlx::query(
        "SELECT r.xid::text AS xid, r.seq, r.body FROM clinic_record r \
         WHERE r.clinic_id = ANY($5) AND (r.clinic_id = $1 OR r.kind IN ('call', 'plan')) \
           AND (r.xid, r.seq) > ($2::text::xid8, $3) \
           AND r.xid < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY r.xid, r.seq LIMIT $4",
    )
    .bind(workstation.clinic_id)
    .bind(after_xid.to_string())
    .bind(after_seq)
    .bind(i64::from(limit))
    .bind(&readers)
    .fetch_all(&mut *tx)
    .await?;
    // Each row with its position; a person in scope but not attached gives no change.
    let mut entries: Vec<((u64, i64), Option<Change>)> = Vec::with_capacity(rows.len() + record_rows.len());
    for row in &rows {
        let (person, died_on) = person_from_row(row)?;
        let change = if row.try_get::<bool, _>("in_scope")? {
            if row.try_get::<bool, _>("attached")? {
                Some(Change::Person {
                    person: Box::new(person),
                    died_on,
                    attachment: attachment_from_row(row)?,
                    from_state: row.try_get("from_state")?,
                    details: details_from_row(row)?,
                })
            } else {
                None
            }
        } else {
            let reason: String = row.try_get("left_reason")?;
            Some(Change::Left {
                iin: person.iin.as_string(),
                on: row.try_get("left_on")?,
                reason: match reason.as_str() {
                    "attached_elsewhere" => LeftReason::AttachedElsewhere,
                    "died" => LeftReason::Died,
                    _ => LeftReason::Detached,
                },
            })
        };
        entries.push((position(row)?, change));
    }
    for row in &record_rows {
        let record = record_from_json(row.try_get("body")?)?;
        entries.push((position(row)?, Some(Change::Record { record })));
    }
    entries.sort_unstable_by_key(|(position, _)| *position);
    // Either table filling its limit means more may follow it.
    let mut more = rows.len() == limit as usize || record_rows.len() == limit as usize;
    if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        more = true;
    }
    let cursor = entries
        .last()
        .map_or((after_xid, after_seq), |(position, _)| *position);
    let changes: Vec<Change> = entries.into_iter().filter_map(|(_, change)| change).collect();
    // The watermark is cluster-wide: any transaction older than these rows holds them back.
    let held_back: bool = !more
        && sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM scope_change s WHERE s.clinic_id = $1 \
             AND s.xid >= pg_snapshot_xmin(pg_current_snapshot())) \
             OR EXISTS (SELECT 1 FROM clinic_record r WHERE r.clinic_id = ANY($2) \
             AND (r.clinic_id = $1 OR r.kind IN ('call', 'plan')) \
             AND r.xid >= pg_snapshot_xmin(pg_current_snapshot()))",
        )
        .bind(workstation.clinic_id)
        .bind(&readers)
        .fetch_one(&mut *tx)
        .await?;
    let remaining = if query.count {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM scope_change s WHERE s.clinic_id = $1 AND (s.xid, s.seq) > ($2::text::xid8, $3)) \
                  + (SELECT count(*) FROM clinic_record r WHERE r.clinic_id = ANY($4) \
                     AND (r.clinic_id = $1 OR r.kind IN ('call', 'plan')) AND (r.xid, r.seq) > ($2::text::xid8, $3))",
        )
        .bind(workstation.clinic_id)
        .bind(cursor.0.to_string())
        .bind(cursor.1)
        .bind(&readers)
        .fetch_one(&mut *tx)
        .await?;
        Some(u64::try_from(count).unwrap_or(0))
    } else {
        None
    };
    tx.commit().await?;
    Ok(PullResponse {
        changes,
        cursor: format!("{}:{}", cursor.0, cursor.1),
        more,
        held_back,
        remaining,
    })
}

/// The clinics whose records a PC of `clinic_id` reads: its own and its posts'.
async fn record_clinics(conn: &mut sqlx::PgConnection, clinic_id: i64) -> Result<Vec<i64>, RegistryError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM clinic WHERE id = $1 OR parent_id = $1 ORDER BY id")
            .bind(clinic_id)
            .fetch_all(conn)
            .await?,
    )
}

/// A feed row's place: its transaction's id and its number.
fn position(row: &sqlx::postgres::PgRow) -> Result<(u64, i64), RegistryError> {
    let xid: String = row.try_get("xid")?;
    Ok((
        xid.parse()
            .map_err(|_| RegistryError::Database(sqlx::Error::Decode("feed xid".into())))?,
        row.try_get("seq")?,
    ))
}

fn parse_cursor(cursor: &str) -> Result<(u64, i64), RegistryError> {
    let malformed = || RegistryError::Malformed(format!("not a cursor: {cursor:?}"));
    let (xid, seq) = cursor.split_once(':').ok_or_else(malformed)?;
    Ok((
        xid.parse().map_err(|_| malformed())?,
        seq.parse().map_err(|_| malformed())?,
    ))
}

/// The person's details in force (`person.details`), as the feed carries them.
fn details_from_row(
    row: &sqlx::postgres::PgRow,
) -> Result<Vec<emhana_domain::registration::PersonChange>, RegistryError> {
    let sqlx::types::Json(details) = row.try_get("details")?;
    Ok(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_read_back_exactly_or_refused() {
        assert!(matches!(parse_cursor("12:7"), Ok((12, 7))));
        assert!(matches!(parse_cursor("12"), Err(RegistryError::Malformed(_))));
        assert!(matches!(parse_cursor("x:1"), Err(RegistryError::Malformed(_))));
    }
}
