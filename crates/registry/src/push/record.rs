//! Ops on the clinic's own records (home calls): the registry keeps each
//! record whole, applies a change under the record's rule — a call closed
//! first stays closed — and moves the record to the end of the clinic's feed.

use emhana_protocol::{CallRecord, ChangeCallOp, Record};

use super::*;

/// Takes a call into the clinic's journal at the registry.
pub(super) async fn apply_register_call(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    call: &CallRecord,
) -> Result<OpOutcome, RegistryError> {
    let record = Record::Call(Box::new(call.clone()));
    let body = record_json(&record)?;
    if has_nul(&body) {
        return Ok(reject(RejectGround::Malformed {
            detail: "a text of the call holds a NUL character".into(),
        }));
    }
    // The number's unique index decides a number given twice (a workstation
    // numbering outside its series); the id is the op's own record.
    let inserted = sqlx::query(
        "INSERT INTO clinic_record (id, clinic_id, kind, body, created_by_op, changed_by_op) \
         VALUES ($1, $2, 'call', $3, $4, $4) ON CONFLICT DO NOTHING",
    )
    .bind(call.id)
    .bind(workstation.clinic_id)
    .bind(&body)
    .bind(op_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(OpOutcome::Applied);
    }
    let id_taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM clinic_record WHERE id = $1)")
        .bind(call.id)
        .fetch_one(conn)
        .await?;
    Ok(reject(if id_taken {
        RejectGround::Malformed {
            detail: format!("record {} was registered by another op", call.id),
        }
    } else {
        RejectGround::NumberTaken
    }))
}

/// Changes a call of the clinic: its status, or who goes.
pub(super) async fn apply_change_call(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    change: &ChangeCallOp,
) -> Result<OpOutcome, RegistryError> {
    let Some(Record::Call(call)) = locked_record(conn, workstation, change.call).await? else {
        return Ok(reject(RejectGround::RecordNotFound));
    };
    let changed = match call.apply(&change.change) {
        Ok(changed) => changed,
        Err(closed) => {
            return Ok(reject(RejectGround::CallClosed {
                status: closed.closed,
            }));
        }
    };
    let body = record_json(&Record::Call(Box::new(changed)))?;
    if has_nul(&body) {
        return Ok(reject(RejectGround::Malformed {
            detail: "a text of the change holds a NUL character".into(),
        }));
    }
    // Moved to the feed's end: every PC of the clinic reads the call anew.
    sqlx::query(
        "UPDATE clinic_record SET body = $2, changed_by_op = $3, xid = pg_current_xact_id(), \
         seq = nextval('scope_change_seq') WHERE id = $1",
    )
    .bind(change.call)
    .bind(&body)
    .bind(op_id)
    .execute(conn)
    .await?;
    Ok(OpOutcome::Applied)
}

/// The record, locked until the push commits, when it is the workstation's clinic's.
async fn locked_record(
    conn: &mut PgConnection,
    workstation: &Workstation,
    id: Uuid,
) -> Result<Option<Record>, RegistryError> {
    let body: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT body FROM clinic_record WHERE id = $1 AND clinic_id = $2 FOR UPDATE")
            .bind(id)
            .bind(workstation.clinic_id)
            .fetch_optional(conn)
            .await?;
    body.map(record_from_json).transpose()
}

/// The record as it stands now, for the answer to an op about it.
pub(super) async fn current_record(
    conn: &mut PgConnection,
    workstation: &Workstation,
    id: Uuid,
) -> Result<Option<Record>, RegistryError> {
    let body: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT body FROM clinic_record WHERE id = $1 AND clinic_id = $2")
            .bind(id)
            .bind(workstation.clinic_id)
            .fetch_optional(conn)
            .await?;
    body.map(record_from_json).transpose()
}

pub(crate) fn record_from_json(body: serde_json::Value) -> Result<Record, RegistryError> {
    serde_json::from_value(body).map_err(|error| {
        RegistryError::Database(sqlx::Error::Decode(format!("clinic_record.body: {error}").into()))
    })
}

fn record_json(record: &Record) -> Result<serde_json::Value, RegistryError> {
    serde_json::to_value(record).map_err(|error| RegistryError::Malformed(error.to_string()))
}

/// PostgreSQL's `jsonb` cannot hold U+0000: such a text is refused as the
/// op's own fault, not the push's.
fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || has_nul(value)),
        _ => false,
    }
}
