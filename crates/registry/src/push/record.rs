//! Ops on the clinic's own records (home calls, bookings): the registry
//! keeps each record whole, applies a change under the record's rule — a call
//! closed first stays closed, a booking's first change stands — and moves the
//! record to the end of the clinic's feed.

use emhana_protocol::{CallChange, CallRecord, ChangeCallOp, ChangePlanOp, PlanConflict, PlanRecord, Record};

use super::*;

/// Takes a call into the clinic's journal at the registry.
pub(super) async fn apply_register_call(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    call: &CallRecord,
) -> Result<OpOutcome, RegistryError> {
    let record = Record::Call(Box::new(call.clone()));
    if let Some(refused) = unstorable(&record)? {
        return Ok(refused);
    }
    Ok(insert_record(conn, workstation, op_id, &record)
        .await?
        .unwrap_or(OpOutcome::Applied))
}

/// Changes a call of the clinic: its status, or who goes.
pub(super) async fn apply_change_call(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    change: &ChangeCallOp,
) -> Result<OpOutcome, RegistryError> {
    let call = match locked_record(conn, workstation, change.call).await? {
        Some(Record::Call(call)) => call,
        Some(_) => return Ok(reject(RejectGround::RecordNotFound)),
        // A post's call: its parent's PCs may send someone else, no more.
        None => match locked_post_record(conn, workstation, change.call).await? {
            Some(Record::Call(call)) if matches!(change.change, CallChange::Reassign { .. }) => call,
            Some(_) => return Ok(reject(RejectGround::PostRecordReadOnly)),
            None => return Ok(reject(RejectGround::RecordNotFound)),
        },
    };
    let changed = match call.apply(&change.change) {
        Ok(changed) => Record::Call(Box::new(changed)),
        Err(closed) => {
            return Ok(reject(RejectGround::CallClosed {
                status: closed.closed,
            }));
        }
    };
    if let Some(refused) = unstorable(&changed)? {
        return Ok(refused);
    }
    update_record(conn, op_id, &changed).await?;
    Ok(OpOutcome::Applied)
}

/// Why a record cannot be stored as sent, as the op's answer: PostgreSQL's
/// `jsonb` cannot hold U+0000, and such a text is the op's own fault, not
/// the push's. Checked before the op changes anything.
pub(super) fn unstorable(record: &Record) -> Result<Option<OpOutcome>, RegistryError> {
    Ok(has_nul(&record_json(record)?).then(|| {
        reject(RejectGround::Malformed {
            detail: format!(
                "a text of {} {} holds a NUL character",
                record.kind(),
                record.id()
            ),
        })
    }))
}

/// Keeps a new record of the workstation's clinic; the answer refusing it
/// when its number (a call's) or its id is already the clinic's.
pub(super) async fn insert_record(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    record: &Record,
) -> Result<Option<OpOutcome>, RegistryError> {
    // The number's unique index decides a number given twice (a workstation
    // numbering outside its series).
    let inserted = sqlx::query(
        "INSERT INTO clinic_record (id, clinic_id, kind, body, created_by_op, changed_by_op) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING",
    )
    .bind(record.id())
    .bind(workstation.clinic_id)
    .bind(record.kind())
    .bind(record_json(record)?)
    .bind(op_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    let id_taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM clinic_record WHERE id = $1)")
        .bind(record.id())
        .fetch_one(conn)
        .await?;
    Ok(Some(reject(if id_taken {
        RejectGround::Malformed {
            detail: format!("record {} was registered by another op", record.id()),
        }
    } else {
        RejectGround::NumberTaken
    })))
}

/// Writes a record's new state and moves it to the feed's end: every PC of
/// the clinic reads it anew.
pub(super) async fn update_record(
    conn: &mut PgConnection,
    op_id: Uuid,
    record: &Record,
) -> Result<(), RegistryError> {
    sqlx::query(
        "UPDATE clinic_record SET body = $2, changed_by_op = $3, xid = pg_current_xact_id(), \
         seq = nextval('scope_change_seq') WHERE id = $1",
    )
    .bind(record.id())
    .bind(record_json(record)?)
    .bind(op_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The record, locked until the push commits, when it is the workstation's clinic's.
pub(super) async fn locked_record(
    conn: &mut PgConnection,
    workstation: &Workstation,
    id: Uuid,
) -> Result<Option<Record>, RegistryError> {
    stored_record(conn, workstation, id).await
}

/// A call or plan of one of the workstation's clinic's posts, locked until the push commits.
async fn locked_post_record(
    conn: &mut PgConnection,
    workstation: &Workstation,
    id: Uuid,
) -> Result<Option<Record>, RegistryError> {
    let body: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id \
         WHERE r.id = $1 AND c.parent_id = $2 AND r.kind IN ('call', 'plan') FOR UPDATE OF r",
    )
    .bind(id)
    .bind(workstation.clinic_id)
    .fetch_optional(conn)
    .await?;
    body.map(record_from_json).transpose()
}

/// The record as it stands now, for the answer to an op about it: the
/// clinic's own, or a post's call or plan (what the feed gives the PC).
pub(super) async fn current_record(
    conn: &mut PgConnection,
    workstation: &Workstation,
    id: Uuid,
) -> Result<Option<Record>, RegistryError> {
    let body: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id \
         WHERE r.id = $1 AND (c.id = $2 OR (c.parent_id = $2 AND r.kind IN ('call', 'plan')))",
    )
    .bind(id)
    .bind(workstation.clinic_id)
    .fetch_optional(conn)
    .await?;
    body.map(record_from_json).transpose()
}

async fn stored_record(
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

pub(crate) fn record_from_json(body: serde_json::Value) -> Result<Record, RegistryError> {
    serde_json::from_value(body).map_err(|error| {
        RegistryError::Database(sqlx::Error::Decode(format!("clinic_record.body: {error}").into()))
    })
}

fn record_json(record: &Record) -> Result<serde_json::Value, RegistryError> {
    serde_json::to_value(record).map_err(|error| RegistryError::Malformed(error.to_string()))
}

pub(super) fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || has_nul(value)),
        _ => false,
    }
}

/// Sets a doctor's schedule over the version the PC knew: a PC that changed
/// an older version than the one standing (another PC changed it meanwhile)
/// is refused, unless it sets the very schedule that stands.
pub(super) async fn apply_set_schedule(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    op: &emhana_protocol::SetScheduleOp,
) -> Result<OpOutcome, RegistryError> {
    let proposed = &op.schedule;
    if proposed.id != emhana_protocol::ScheduleRecord::id_for(&proposed.clinic_bin, &proposed.staff_iin) {
        return Ok(reject(RejectGround::Malformed {
            detail: "the schedule's id is not its doctor's".into(),
        }));
    }
    let mut stamped = proposed.clone();
    stamped.changed_by = Some(op_id);
    let record = Record::Schedule(Box::new(stamped));
    if let Some(refused) = unstorable(&record)? {
        return Ok(refused);
    }
    match locked_record(conn, workstation, proposed.id).await? {
        None => Ok(insert_record(conn, workstation, op_id, &record)
            .await?
            .unwrap_or(OpOutcome::Applied)),
        // The very schedule that stands: nothing changes, not even its version
        // (a PC that set it over the same version is not made stale by this one).
        Some(Record::Schedule(current)) if current.schedule == proposed.schedule => Ok(OpOutcome::Applied),
        Some(Record::Schedule(current)) if current.changed_by != op.base => {
            Ok(reject(RejectGround::ScheduleChanged))
        }
        Some(Record::Schedule(_)) => {
            update_record(conn, op_id, &record).await?;
            Ok(OpOutcome::Applied)
        }
        Some(_) => Ok(reject(RejectGround::Malformed {
            detail: "the id names another kind of record".into(),
        })),
    }
}

/// Opens a care plan at the registry: refused when another PC opened the
/// same plan for the person first (the one-open-plan index decides).
pub(super) async fn apply_open_plan(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    plan: &PlanRecord,
) -> Result<OpOutcome, RegistryError> {
    let mut stamped = plan.clone();
    stamped.changed_by = Some(op_id);
    let record = Record::Plan(Box::new(stamped));
    if let Some(refused) = unstorable(&record)? {
        return Ok(refused);
    }
    Ok(match insert_record(conn, workstation, op_id, &record).await? {
        None => OpOutcome::Applied,
        Some(OpOutcome::Rejected {
            ground: RejectGround::NumberTaken,
        }) => reject(RejectGround::PlanOpen),
        Some(refused) => refused,
    })
}

/// Changes a care plan under its rule ([`PlanRecord::apply`]): the first
/// outcome of a visit and the first risk change over a version stand.
pub(super) async fn apply_change_plan(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    change: &ChangePlanOp,
) -> Result<OpOutcome, RegistryError> {
    let Some(Record::Plan(plan)) = locked_record(conn, workstation, change.plan).await? else {
        let a_posts = current_record(conn, workstation, change.plan).await?.is_some();
        return Ok(reject(if a_posts {
            RejectGround::PostRecordReadOnly
        } else {
            RejectGround::RecordNotFound
        }));
    };
    let changed = match plan.apply(&change.change, op_id) {
        Ok(changed) => changed,
        Err(PlanConflict::Changed) => return Ok(reject(RejectGround::PlanChanged)),
        Err(PlanConflict::OutcomeTaken { standing }) => {
            return Ok(reject(RejectGround::VisitOutcomeTaken { standing }));
        }
        Err(PlanConflict::NoSuchVisit) => return Ok(reject(RejectGround::RecordNotFound)),
    };
    // a closure of a plan already closed (every PC closes a finished plan): nothing changes
    if changed == *plan {
        return Ok(OpOutcome::Applied);
    }
    let record = Record::Plan(Box::new(changed));
    if let Some(refused) = unstorable(&record)? {
        return Ok(refused);
    }
    update_record(conn, op_id, &record).await?;
    Ok(OpOutcome::Applied)
}

/// Keeps a nurse's day as she ordered it: the last order to arrive stands
/// (she orders her own day; two PCs of hers ordering it offline is the
/// later thought).
pub(super) async fn apply_set_round(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    round: &emhana_protocol::RoundRecord,
) -> Result<OpOutcome, RegistryError> {
    if round.id != emhana_protocol::RoundRecord::id_for(&round.clinic_bin, &round.nurse_iin, round.day) {
        return Ok(reject(RejectGround::Malformed {
            detail: "the round's id is not its nurse's day's".into(),
        }));
    }
    let record = Record::Round(Box::new(round.clone()));
    match locked_record(conn, workstation, round.id).await? {
        None => Ok(insert_record(conn, workstation, op_id, &record)
            .await?
            .unwrap_or(OpOutcome::Applied)),
        Some(current) if current == record => Ok(OpOutcome::Applied),
        Some(Record::Round(_)) => {
            update_record(conn, op_id, &record).await?;
            Ok(OpOutcome::Applied)
        }
        Some(_) => Ok(reject(RejectGround::Malformed {
            detail: "the id names another kind of record".into(),
        })),
    }
}

/// Sets the clinic's settings over the version the PC knew, as a doctor's
/// schedule is set: a change over an older version than the one standing is
/// refused, unless it sets what stands.
pub(super) async fn apply_set_settings(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    op: &emhana_protocol::SetSettingsOp,
) -> Result<OpOutcome, RegistryError> {
    let proposed = &op.settings;
    if proposed.id != emhana_protocol::SettingsRecord::id_for(&proposed.clinic_bin) {
        return Ok(reject(RejectGround::Malformed {
            detail: "the settings' id is not their clinic's".into(),
        }));
    }
    let mut stamped = proposed.clone();
    stamped.changed_by = Some(op_id);
    let record = Record::Settings(Box::new(stamped));
    match locked_record(conn, workstation, proposed.id).await? {
        None => Ok(insert_record(conn, workstation, op_id, &record)
            .await?
            .unwrap_or(OpOutcome::Applied)),
        Some(Record::Settings(current)) if current.settings == proposed.settings => Ok(OpOutcome::Applied),
        Some(Record::Settings(current)) if current.changed_by != op.base => {
            Ok(reject(RejectGround::SettingsChanged))
        }
        Some(Record::Settings(_)) => {
            update_record(conn, op_id, &record).await?;
            Ok(OpOutcome::Applied)
        }
        Some(_) => Ok(reject(RejectGround::Malformed {
            detail: "the id names another kind of record".into(),
        })),
    }
}
