//! Writing to the outbox: every feature records its op here, inside the
//! transaction of the change it carries. Sending and answering are `sync`'s.

use chrono::{DateTime, Utc};
use emhana_protocol::{Hlc, OpBody};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::error::StoreError;

/// What an op is about on this workstation, kept beside it in the outbox.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OpLinks {
    pub person_id: Option<i64>,
    pub application_id: Option<i64>,
    /// The attachment the op made here (provisional until confirmed).
    pub attachment_id: Option<i64>,
    /// The attachment the op ended here, reopened if the registry says no.
    pub ended_attachment_id: Option<i64>,
    /// The booking the op books or cancels.
    pub booking_id: Option<i64>,
}

impl OpLinks {
    /// An op about a person and nothing else here (a record of the clinic).
    pub fn person(person_id: i64) -> OpLinks {
        OpLinks {
            person_id: Some(person_id),
            ..OpLinks::default()
        }
    }
}

/// Records an op in the outbox, inside the caller's transaction: the op
/// exists exactly when its change does. Stamped now: author, time, clock.
pub(crate) async fn record_op(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    staff_id: Option<i64>,
    body: &OpBody,
    links: OpLinks,
) -> Result<Uuid, StoreError> {
    let actor_iin: Option<String> = match staff_id {
        None => None,
        Some(id) => {
            sqlx::query_scalar("SELECT iin FROM staff WHERE id = ?1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    let (wall_ms, counter): (i64, i64) =
        sqlx::query_as("SELECT hlc_wall_ms, hlc_counter FROM sync_state WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let previous = Hlc {
        wall_ms,
        counter: u32::try_from(counter).unwrap_or(u32::MAX),
    };
    let hlc = Hlc::next(Some(previous), now.timestamp_millis());
    sqlx::query("UPDATE sync_state SET hlc_wall_ms = ?1, hlc_counter = ?2 WHERE id = 1")
        .bind(hlc.wall_ms)
        .bind(i64::from(hlc.counter))
        .execute(&mut *conn)
        .await?;
    let id = Uuid::now_v7();
    let body_json = serde_json::to_string(body).map_err(|error| StoreError::Corrupt {
        detail: format!("op body: {error}"),
    })?;
    sqlx::query(
        "INSERT INTO outbox (id, kind, actor_iin, made_at, hlc_wall_ms, hlc_counter, body, person_id, application_id, \
         attachment_id, ended_attachment_id, booking_id, record_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .bind(id.to_string())
    .bind(body.kind())
    .bind(actor_iin)
    .bind(now)
    .bind(hlc.wall_ms)
    .bind(i64::from(hlc.counter))
    .bind(body_json)
    .bind(links.person_id)
    .bind(links.application_id)
    .bind(links.attachment_id)
    .bind(links.ended_attachment_id)
    .bind(links.booking_id)
    .bind(body.record_id().map(|id| id.to_string()))
    .execute(&mut *conn)
    .await?;
    // every change shared with the registry is an op: each is audited by its kind
    let detail = serde_json::json!({ "op": id }).to_string();
    super::append_audit(
        conn,
        super::AuditEntry {
            at: now,
            staff_id,
            action: body.kind(),
            person_id: links.person_id,
            detail: &detail,
        },
    )
    .await?;
    Ok(id)
}
