//! Push: applying a workstation's ops, each on its own, exactly once.
//!
//! Each op runs in its own transaction whose first statement claims the op's
//! id in `op_log`. A repeat of an op already answered (a retry after a lost
//! response, the same op sent three times) finds the claim and gets the stored
//! answer; a repeat racing the first waits on the claim's unique key until the
//! first commits. The effect and the answer commit together, so a crash
//! leaves either both or neither.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use emhana_domain::attachment::{AttachmentCase, AttachmentCaseError, Decision, PastAttachment, decide};
use emhana_protocol::{
    AttachOp, BookOp, CancelBookingOp, DetachOp, DetachReason, MAX_OPS_PER_PUSH, Op, OpBody, OpOutcome,
    OpResult, PushRequest, PushResponse, RejectGround,
};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::RegistryError;
use crate::auth::Workstation;
use crate::people::{attachment_rules, attachment_state, lock, lock_or_insert, touch_scope};

/// How far ahead of the registry's clock an op's `made_at` may be: PCs' clocks drift.
pub const CLOCK_TOLERANCE_MINUTES: i64 = 10;

/// One op read from the wire: the op, or why it could not be read.
enum Incoming {
    Op(Box<Op>),
    Malformed { id: Uuid, detail: String },
}

/// Applies a push. The whole request is refused (nothing written) when it is
/// not the sender's to make: an op without an id, or an op claiming another
/// workstation or naming another clinic. Otherwise every op gets its answer.
pub async fn push(
    pool: &PgPool,
    workstation: &Workstation,
    request: PushRequest,
    now: DateTime<Utc>,
) -> Result<PushResponse, RegistryError> {
    if request.ops.len() > MAX_OPS_PER_PUSH {
        return Err(RegistryError::Malformed(format!(
            "{} ops in one push; at most {MAX_OPS_PER_PUSH}",
            request.ops.len()
        )));
    }
    let mut incoming = Vec::with_capacity(request.ops.len());
    for (index, value) in request.ops.into_iter().enumerate() {
        let id = value
            .get("id")
            .and_then(|id| id.as_str())
            .and_then(|id| Uuid::parse_str(id).ok())
            .ok_or_else(|| RegistryError::Malformed(format!("op {index} has no readable id")))?;
        match serde_json::from_value::<Op>(value) {
            Ok(op) => {
                if op.workstation != workstation.id {
                    return Err(RegistryError::Forbidden(format!(
                        "op {id} was made on workstation {}, not on this one",
                        op.workstation
                    )));
                }
                if op.body.clinic_bin() != workstation.clinic_bin {
                    return Err(RegistryError::Forbidden(format!(
                        "op {id} changes clinic {}, outside this workstation's clinic",
                        op.body.clinic_bin()
                    )));
                }
                incoming.push(Incoming::Op(Box::new(op)));
            }
            Err(error) => incoming.push(Incoming::Malformed {
                id,
                detail: error.to_string(),
            }),
        }
    }
    let mut results: Vec<OpResult> = Vec::with_capacity(incoming.len());
    // The same id twice in one push is one op: answer it once, repeat the answer.
    let mut answered: HashMap<Uuid, usize> = HashMap::new();
    for item in incoming {
        let id = match &item {
            Incoming::Op(op) => op.id,
            Incoming::Malformed { id, .. } => *id,
        };
        if let Some(&earlier) = answered.get(&id) {
            let repeat: OpResult = results[earlier].clone();
            results.push(repeat);
            continue;
        }
        let result = match item {
            Incoming::Op(op) => apply(pool, workstation, &op, now).await?,
            // Not stored: the same bytes sent again get the same answer anyway.
            Incoming::Malformed { id, detail } => OpResult {
                op: id,
                outcome: OpOutcome::Rejected {
                    ground: RejectGround::Malformed { detail },
                },
                decided_at: now,
                attachment: None,
            },
        };
        answered.insert(id, results.len());
        results.push(result);
    }
    Ok(PushResponse { results })
}

/// Applies one op in its own transaction, or answers it again.
async fn apply(
    pool: &PgPool,
    workstation: &Workstation,
    op: &Op,
    now: DateTime<Utc>,
) -> Result<OpResult, RegistryError> {
    let mut tx = pool.begin().await?;
    let body = serde_json::to_value(&op.body).map_err(|error| RegistryError::Malformed(error.to_string()))?;
    let claimed = sqlx::query(
        "INSERT INTO op_log (id, workstation_id, kind, actor_iin, made_at, hlc_wall_ms, hlc_counter, body, outcome, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'null', $9) ON CONFLICT (id) DO NOTHING",
    )
    .bind(op.id)
    .bind(workstation.id)
    .bind(op.body.kind())
    .bind(&op.actor_iin)
    .bind(op.made_at)
    .bind(op.hlc.wall_ms)
    .bind(i64::from(op.hlc.counter))
    .bind(&body)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        tx.rollback().await?;
        return answer_again(pool, workstation, op).await;
    }

    let outcome = if op.made_at > now + Duration::minutes(CLOCK_TOLERANCE_MINUTES) {
        reject(RejectGround::MadeInFuture)
    } else {
        match &op.body {
            OpBody::Attach(attach) => apply_attach(&mut tx, workstation, op, attach).await?,
            OpBody::Detach(detach) => apply_detach(&mut tx, workstation, detach).await?,
            OpBody::Book(book) => apply_book(&mut tx, workstation, op.id, book).await?,
            OpBody::CancelBooking(cancel) => apply_cancel(&mut tx, workstation, op.id, cancel, now).await?,
        }
    };
    let stored =
        serde_json::to_value(&outcome).map_err(|error| RegistryError::Malformed(error.to_string()))?;
    sqlx::query("UPDATE op_log SET outcome = $2 WHERE id = $1")
        .bind(op.id)
        .bind(stored)
        .execute(&mut *tx)
        .await?;
    let attachment = person_attachment(&mut tx, workstation, op).await?;
    tx.commit().await?;
    tracing::debug!(op = %op.id, kind = op.body.kind(), ?outcome, "op decided");
    Ok(OpResult {
        op: op.id,
        outcome,
        decided_at: now,
        attachment,
    })
}

/// The stored answer to an op already decided, with the person's attachment as it is now.
async fn answer_again(pool: &PgPool, workstation: &Workstation, op: &Op) -> Result<OpResult, RegistryError> {
    let mut conn = pool.acquire().await?;
    let row = sqlx::query("SELECT workstation_id, outcome, decided_at FROM op_log WHERE id = $1")
        .bind(op.id)
        .fetch_one(&mut *conn)
        .await?;
    if row.try_get::<Uuid, _>("workstation_id")? != workstation.id {
        return Err(RegistryError::Forbidden(format!(
            "op {} was sent by another workstation",
            op.id
        )));
    }
    let outcome: OpOutcome = serde_json::from_value(row.try_get("outcome")?)
        .map_err(|error| RegistryError::Database(sqlx::Error::Decode(error.into())))?;
    Ok(OpResult {
        op: op.id,
        outcome,
        decided_at: row.try_get("decided_at")?,
        attachment: person_attachment(&mut conn, workstation, op).await?,
    })
}

async fn person_attachment(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
) -> Result<Option<emhana_protocol::AttachmentState>, RegistryError> {
    let person: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE iin = $1")
        .bind(op.body.person_iin())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match person {
        Some(person_id) => Some(attachment_state(conn, person_id, workstation.clinic_id).await?),
        None => None,
    })
}

fn reject(ground: RejectGround) -> OpOutcome {
    OpOutcome::Rejected { ground }
}

/// Decides the application again, on the registry's whole history of the
/// person, with the same rule the workstation used (`domain::attachment::decide`),
/// as of the moment the registrar decided it.
async fn apply_attach(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
    attach: &AttachOp,
) -> Result<OpOutcome, RegistryError> {
    let district: Option<i64> =
        sqlx::query_scalar("SELECT id FROM district WHERE clinic_id = $1 AND number = $2")
            .bind(workstation.clinic_id)
            .bind(i64::from(attach.district_number))
            .fetch_optional(&mut *conn)
            .await?;
    let Some(district_id) = district else {
        return Ok(reject(RejectGround::UnknownDistrict {
            district_number: attach.district_number,
        }));
    };
    let (person_id, died_on) = lock_or_insert(conn, &attach.person).await?;
    let rows = sqlx::query(
        "SELECT a.id, a.clinic_id, c.bin, a.district_id, d.number AS district_number, a.ground, a.decided_on, a.started_on, a.ended_on \
         FROM attachment a JOIN clinic c ON c.id = a.clinic_id LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = $1 ORDER BY a.started_on, a.id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut history = Vec::with_capacity(rows.len());
    let mut district_numbers = Vec::with_capacity(rows.len());
    for row in &rows {
        let ground: String = row.try_get("ground")?;
        ids.push((row.try_get::<i64, _>("id")?, row.try_get::<i64, _>("clinic_id")?));
        district_numbers.push(row.try_get::<Option<i32>, _>("district_number")?);
        history.push(PastAttachment {
            clinic_bin: row.try_get("bin")?,
            district_id: row.try_get("district_id")?,
            ground: emhana_domain::attachment::AttachmentGround::parse(&ground)
                .ok_or_else(|| RegistryError::Database(sqlx::Error::Decode("attachment.ground".into())))?,
            decided_on: row.try_get("decided_on")?,
            started_on: row.try_get("started_on")?,
            ended_on: row.try_get("ended_on")?,
        });
    }
    let rules = attachment_rules(conn).await?;
    let case = AttachmentCase {
        ground: attach.ground,
        consent_given: attach.consent_given,
        decided_at: op.made_at,
        person_died_on: died_on,
        history: &history,
        clinic_bin: &workstation.clinic_bin,
        district_id,
    };
    let (decided_on, effective_on, ends) = match decide(&case, &rules) {
        Err(AttachmentCaseError::AlreadyAttachedHere { .. }) => {
            let number = history
                .iter()
                .position(|past| past.ended_on.is_none())
                .and_then(|index| district_numbers[index])
                .and_then(|n| u32::try_from(n).ok());
            return Ok(reject(RejectGround::AlreadyAttachedHere {
                district_number: number,
            }));
        }
        Ok(Decision::Refuse { ground, .. }) => {
            return Ok(reject(RejectGround::AttachmentRefused { refusal: ground }));
        }
        Ok(Decision::Attach {
            decided_on,
            effective_on,
            ends,
        }) => (decided_on, effective_on, ends),
    };
    if let Some(index) = ends {
        let previous = &history[index];
        let (previous_id, previous_clinic) = ids[index];
        let same_clinic = previous.clinic_bin == workstation.clinic_bin;
        let reason = if same_clinic {
            "changed_district"
        } else {
            "attached_elsewhere"
        };
        // The previous attachment lasts until the new one starts (never ends before it began).
        sqlx::query(
            "UPDATE attachment SET ended_on = greatest(started_on, $2), end_reason = $3 WHERE id = $1 AND ended_on IS NULL",
        )
        .bind(previous_id)
        .bind(effective_on)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
        if !same_clinic {
            touch_scope(
                conn,
                previous_clinic,
                person_id,
                Some((effective_on, "attached_elsewhere")),
            )
            .await?;
        }
    }
    sqlx::query(
        "INSERT INTO attachment (person_id, clinic_id, district_id, ground, decided_on, started_on, op_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(person_id)
    .bind(workstation.clinic_id)
    .bind(district_id)
    .bind(attach.ground.as_str())
    .bind(decided_on)
    .bind(effective_on)
    .bind(op.id)
    .execute(&mut *conn)
    .await?;
    touch_scope(conn, workstation.clinic_id, person_id, None).await?;
    Ok(OpOutcome::Applied)
}

async fn apply_detach(
    conn: &mut PgConnection,
    workstation: &Workstation,
    detach: &DetachOp,
) -> Result<OpOutcome, RegistryError> {
    let Some((person_id, _)) = lock(conn, &detach.iin).await? else {
        return Ok(reject(RejectGround::UnknownPerson));
    };
    let (end_reason, left_reason) = match detach.reason {
        DetachReason::Died => ("died", "died"),
        DetachReason::ClinicLiquidated => ("clinic_liquidated", "detached"),
    };
    let ended = sqlx::query(
        "UPDATE attachment SET ended_on = greatest(started_on, $3), end_reason = $4 \
         WHERE person_id = $1 AND clinic_id = $2 AND ended_on IS NULL",
    )
    .bind(person_id)
    .bind(workstation.clinic_id)
    .bind(detach.on)
    .bind(end_reason)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if ended == 0 {
        // A rejected op changes nothing, the date of death included.
        return Ok(reject(RejectGround::NotAttachedHere));
    }
    if detach.reason == DetachReason::Died {
        sqlx::query("UPDATE person SET died_on = $2 WHERE id = $1")
            .bind(person_id)
            .bind(detach.on)
            .execute(&mut *conn)
            .await?;
    }
    touch_scope(
        conn,
        workstation.clinic_id,
        person_id,
        Some((detach.on, left_reason)),
    )
    .await?;
    Ok(OpOutcome::Applied)
}

async fn apply_book(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    book: &BookOp,
) -> Result<OpOutcome, RegistryError> {
    let person: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE iin = $1")
        .bind(&book.iin)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(person_id) = person else {
        return Ok(reject(RejectGround::UnknownPerson));
    };
    // The slot's partial unique key decides between two workstations booking it at once.
    let booked = sqlx::query(
        "INSERT INTO booking (clinic_id, staff_iin, starts_at, person_id, op_id) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (clinic_id, staff_iin, starts_at) WHERE cancelled_at IS NULL DO NOTHING",
    )
    .bind(workstation.clinic_id)
    .bind(&book.slot.staff_iin)
    .bind(book.slot.starts_at)
    .bind(person_id)
    .bind(op_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(if booked == 1 {
        OpOutcome::Applied
    } else {
        reject(RejectGround::SlotTaken)
    })
}

async fn apply_cancel(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    cancel: &CancelBookingOp,
    now: DateTime<Utc>,
) -> Result<OpOutcome, RegistryError> {
    let cancelled = sqlx::query(
        "UPDATE booking b SET cancelled_at = $5, cancel_op_id = $6 FROM person p \
         WHERE p.id = b.person_id AND b.clinic_id = $1 AND b.staff_iin = $2 AND b.starts_at = $3 \
           AND p.iin = $4 AND b.cancelled_at IS NULL",
    )
    .bind(workstation.clinic_id)
    .bind(&cancel.slot.staff_iin)
    .bind(cancel.slot.starts_at)
    .bind(&cancel.iin)
    .bind(now)
    .bind(op_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(if cancelled == 1 {
        OpOutcome::Applied
    } else {
        reject(RejectGround::BookingNotFound)
    })
}
