//! The clinic's records from the registry (the feed, or the answer to an op
//! about one) written here by the feature that owns each kind. A record is
//! left alone while an op made here about it waits for its answer (the
//! answer brings it), and one that cannot be written yet — a booking whose
//! slot a provisional booking here still holds — is held and tried again
//! after every page and every answer, so nothing the registry said is lost.

use emhana_protocol::Record;

use super::*;

/// Whether ops made here about the record still wait for the registry's answer.
pub(crate) async fn has_pending_record_ops(
    conn: &mut SqliteConnection,
    record: Uuid,
) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE record_id = ?1 AND state IN ('local', 'sent'))",
    )
    .bind(record.to_string())
    .fetch_one(conn)
    .await?)
}

/// Writes a record as the registry holds it, or holds it for later; returns
/// whether it was written now.
pub(crate) async fn receive_record(
    conn: &mut SqliteConnection,
    record: &Record,
    home_bin: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if has_pending_record_ops(&mut *conn, record.id()).await? {
        return Ok(false);
    }
    write_or_hold(conn, record, home_bin, true, now).await
}

/// A page's records, in order: the records with ops waiting here read once
/// for the page, and the held ones only looked at when there are any — a
/// busy day's catch-up is thousands of records, and every statement is a
/// round trip to SQLite's thread. Returns how many were written.
pub(crate) async fn receive_page_records(
    conn: &mut SqliteConnection,
    records: &[&Record],
    home_bin: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let waiting: std::collections::HashSet<String> = sqlx::query_scalar(
        "SELECT record_id FROM outbox WHERE record_id IS NOT NULL AND state IN ('local', 'sent')",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut any_held: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM held_record)")
        .fetch_one(&mut *conn)
        .await?;
    let mut written = 0;
    for record in records {
        if waiting.contains(&record.id().to_string()) {
            continue;
        }
        let now_written = write_or_hold(&mut *conn, record, home_bin, any_held, now).await?;
        any_held |= !now_written;
        written += usize::from(now_written);
    }
    Ok(written)
}

/// Writes the record by the feature that owns its kind, or holds it; a
/// record written leaves the held ones (`held`: there may be some).
async fn write_or_hold(
    conn: &mut SqliteConnection,
    record: &Record,
    home_bin: &str,
    held: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let written = match record {
        // a post's call or plan, at its parent's PC
        _ if record.clinic_bin() != home_bin => {
            home_visits::receive_post_record(&mut *conn, record, now).await?
        }
        Record::Call(call) => home_visits::receive_call(&mut *conn, call).await?,
        Record::Booking(booking) => appointments::receive_booking(&mut *conn, booking).await?,
        Record::Schedule(schedule) => appointments::receive_schedule(&mut *conn, schedule, now).await?,
        Record::Plan(plan) => home_visits::receive_plan(&mut *conn, plan, now).await?,
        Record::Round(round) => home_visits::receive_round(&mut *conn, round).await?,
        Record::Settings(settings) => store::receive_settings(&mut *conn, settings).await?,
    };
    if written {
        if held {
            sqlx::query("DELETE FROM held_record WHERE id = ?1")
                .bind(record.id().to_string())
                .execute(&mut *conn)
                .await?;
        }
    } else {
        // A newer state replaces an older one held.
        let body = serde_json::to_string(record).map_err(|error| StoreError::Corrupt {
            detail: format!("record: {error}"),
        })?;
        sqlx::query(
            "INSERT INTO held_record (id, body, held_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        )
        .bind(record.id().to_string())
        .bind(body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        tracing::debug!(kind = record.kind(), "record held until it can be written");
    }
    Ok(written)
}

/// Tries the held records again (an answer or a page may have freed what
/// they waited for); returns how many were written.
pub(crate) async fn retry_held(
    conn: &mut SqliteConnection,
    home_bin: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let held: Vec<(String, String)> = sqlx::query_as("SELECT id, body FROM held_record ORDER BY held_at, id")
        .fetch_all(&mut *conn)
        .await?;
    let mut written = 0;
    for (id, body) in held {
        let record: Record = serde_json::from_str(&body).map_err(|_| corrupt("held record", &id))?;
        // one whose own op now waits again is the answer's to bring
        if has_pending_record_ops(&mut *conn, record.id()).await? {
            continue;
        }
        written += usize::from(receive_record(&mut *conn, &record, home_bin, now).await?);
    }
    Ok(written)
}
