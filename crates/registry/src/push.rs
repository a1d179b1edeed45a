//! Push: applying a workstation's ops, each exactly once.
//!
//! A push runs in one transaction (one commit, not one per op: the disk's
//! flush is what a push waits for). Each op's first statement claims its id in
//! `op_log`; a repeat of an op already answered (a retry after a lost
//! response, the same op sent three times) finds the claim and gets the stored
//! answer, and a repeat racing the first waits on the claim's unique key until
//! the first commits. Effects and answers commit together, so a crash leaves
//! either the whole push or none of it, and the workstation sends it again.
//! One op refused on the rules never blocks the others: a refusal is an
//! answer, not an error. Two pushes that lock the same persons in opposite
//! order deadlock; PostgreSQL aborts one, and it is run again from the start.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use emhana_domain::attachment::{
    AttachmentCase, AttachmentCaseError, AttachmentRules, Decision, PastAttachment, decide,
};
use emhana_protocol::{
    AttachOp, AttachmentState, BookOp, CancelBookingOp, DetachOp, DetachReason, MAX_OPS_PER_PUSH, Op, OpBody,
    OpOutcome, OpResult, PushRequest, PushResponse, RejectGround,
};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::RegistryError;
use crate::auth::Workstation;
use crate::people::{
    ScopeTouch, attachment_columns, attachment_from_row, attachment_rules, insert_persons, touch_scope,
};

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
    let mut attempt = 0;
    loop {
        match apply_all(pool, workstation, &incoming, now).await {
            Err(RegistryError::Database(error)) if attempt < MAX_ATTEMPTS && is_transient(&error) => {
                attempt += 1;
                tracing::debug!(%error, attempt, "push run again");
                let pause = rand::random_range(1..=10 * attempt);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            done => return done,
        }
    }
}

/// How many times a push is run again after a deadlock.
const MAX_ATTEMPTS: u64 = 5;

/// A deadlock or a serialization failure: nothing was written, running the
/// push again may succeed.
fn is_transient(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|error| error.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

async fn apply_all(
    pool: &PgPool,
    workstation: &Workstation,
    incoming: &[Incoming],
    now: DateTime<Utc>,
) -> Result<PushResponse, RegistryError> {
    let mut tx = pool.begin().await?;
    let claimed = claim(&mut tx, workstation, incoming, now).await?;
    // The push's persons are added when new and then locked, each step in
    // IIN order: two pushes touching the same persons then wait for each
    // other instead of deadlocking.
    // (only for ops decided now: a repeat gets its stored answer and writes nothing)
    let mut new_persons: Vec<&emhana_domain::Person> = incoming
        .iter()
        .filter_map(|item| match item {
            Incoming::Op(op) if claimed.contains(&op.id) => match &op.body {
                OpBody::Attach(attach) => Some(&attach.person),
                _ => None,
            },
            _ => None,
        })
        .collect();
    new_persons.sort_by_key(|person| person.iin.as_string());
    new_persons.dedup_by_key(|person| person.iin.as_string());
    if !new_persons.is_empty() {
        insert_persons(&mut tx, &new_persons).await?;
    }
    let mut iins: Vec<String> = incoming
        .iter()
        .filter_map(|item| match item {
            Incoming::Op(op) => Some(op.body.person_iin()),
            Incoming::Malformed { .. } => None,
        })
        .collect();
    iins.sort_unstable();
    iins.dedup();
    let known: HashMap<String, (i64, Option<NaiveDate>)> =
        sqlx::query_as::<_, (String, i64, Option<NaiveDate>)>(
            "SELECT iin, id, died_on FROM person WHERE iin = ANY($1) ORDER BY iin FOR UPDATE",
        )
        .bind(&iins)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(iin, id, died_on)| (iin, (id, died_on)))
        .collect();
    let mut context = PushContext {
        known,
        districts: HashMap::new(),
        rules: None,
        now,
        claimed,
        touches: Vec::new(),
    };
    let mut decided: Vec<(Uuid, serde_json::Value)> = Vec::with_capacity(incoming.len());
    let mut results: Vec<OpResult> = Vec::with_capacity(incoming.len());
    // The same id twice in one push is one op: answer it once, repeat the answer.
    let mut answered: HashMap<Uuid, usize> = HashMap::new();
    for item in incoming {
        let id = match item {
            Incoming::Op(op) => op.id,
            Incoming::Malformed { id, .. } => *id,
        };
        if let Some(&earlier) = answered.get(&id) {
            let repeat: OpResult = results[earlier].clone();
            results.push(repeat);
            continue;
        }
        let result = match item {
            Incoming::Op(op) => {
                let (result, fresh) = apply(&mut tx, workstation, op, &mut context).await?;
                if fresh {
                    let stored = serde_json::to_value(&result.outcome)
                        .map_err(|error| RegistryError::Malformed(error.to_string()))?;
                    decided.push((op.id, stored));
                }
                result
            }
            // Not stored: the same bytes sent again get the same answer anyway.
            Incoming::Malformed { id, detail } => OpResult {
                op: *id,
                outcome: OpOutcome::Rejected {
                    ground: RejectGround::Malformed {
                        detail: detail.clone(),
                    },
                },
                decided_at: now,
                attachment: None,
            },
        };
        answered.insert(id, results.len());
        results.push(result);
    }
    // The answers join their claims in one statement.
    let (ids, outcomes): (Vec<Uuid>, Vec<serde_json::Value>) = decided.into_iter().unzip();
    sqlx::query(
        "UPDATE op_log o SET outcome = v.outcome FROM UNNEST($1::uuid[], $2::jsonb[]) AS v (id, outcome) \
         WHERE o.id = v.id",
    )
    .bind(&ids)
    .bind(&outcomes)
    .execute(&mut *tx)
    .await?;
    if !context.touches.is_empty() {
        touch_scope(&mut tx, &context.touches).await?;
    }
    tx.commit().await?;
    for result in &results {
        tracing::debug!(op = %result.op, outcome = ?result.outcome, "op answered");
    }
    Ok(PushResponse { results })
}

/// Claims the push's ops in `op_log`, in id order (a retry racing the first
/// send waits for it, never the other way round too); returns the ids this
/// push claimed. An op already claimed was answered before: it gets the
/// stored answer.
async fn claim(
    conn: &mut PgConnection,
    workstation: &Workstation,
    incoming: &[Incoming],
    now: DateTime<Utc>,
) -> Result<std::collections::HashSet<Uuid>, RegistryError> {
    let mut ops: Vec<&Op> = incoming
        .iter()
        .filter_map(|item| match item {
            Incoming::Op(op) => Some(op.as_ref()),
            Incoming::Malformed { .. } => None,
        })
        .collect();
    if ops.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    ops.sort_by_key(|op| op.id);
    ops.dedup_by_key(|op| op.id);
    let mut bodies = Vec::with_capacity(ops.len());
    for op in &ops {
        bodies.push(
            serde_json::to_value(&op.body).map_err(|error| RegistryError::Malformed(error.to_string()))?,
        );
    }
    let claimed: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO op_log (id, workstation_id, kind, actor_iin, made_at, hlc_wall_ms, hlc_counter, body, outcome, decided_at) \
         SELECT id, $2, kind, actor_iin, made_at, wall_ms, counter, body, 'null', $9 \
         FROM unnest($1::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[], $7::int[], $8::jsonb[]) \
              AS t (id, kind, actor_iin, made_at, wall_ms, counter, body) \
         ORDER BY id ON CONFLICT (id) DO NOTHING RETURNING id",
    )
    .bind(ops.iter().map(|op| op.id).collect::<Vec<_>>())
    .bind(workstation.id)
    .bind(ops.iter().map(|op| op.body.kind()).collect::<Vec<_>>())
    .bind(ops.iter().map(|op| op.actor_iin.clone()).collect::<Vec<_>>())
    .bind(ops.iter().map(|op| op.made_at).collect::<Vec<_>>())
    .bind(ops.iter().map(|op| op.hlc.wall_ms).collect::<Vec<_>>())
    .bind(
        ops.iter()
            .map(|op| i32::try_from(op.hlc.counter).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    )
    .bind(&bodies)
    .bind(now)
    .fetch_all(conn)
    .await?;
    Ok(claimed.into_iter().collect())
}

/// What one push's ops share: the persons already in the register (locked),
/// the clinic's districts and the attachment rules, each read once.
struct PushContext {
    /// Persons of the push already in the register, locked: id and date of death.
    known: HashMap<String, (i64, Option<NaiveDate>)>,
    districts: HashMap<u32, Option<i64>>,
    rules: Option<AttachmentRules>,
    now: DateTime<Utc>,
    /// The ops' ids this push claimed; the others were answered before.
    claimed: std::collections::HashSet<Uuid>,
    /// Persons entering and leaving scopes, written to the feed at the end.
    touches: Vec<ScopeTouch>,
}

impl PushContext {
    async fn district(
        &mut self,
        conn: &mut PgConnection,
        clinic_id: i64,
        number: u32,
    ) -> Result<Option<i64>, RegistryError> {
        if let Some(id) = self.districts.get(&number) {
            return Ok(*id);
        }
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM district WHERE clinic_id = $1 AND number = $2")
                .bind(clinic_id)
                .bind(i64::from(number))
                .fetch_optional(conn)
                .await?;
        self.districts.insert(number, id);
        Ok(id)
    }

    async fn rules(&mut self, conn: &mut PgConnection) -> Result<&AttachmentRules, RegistryError> {
        if self.rules.is_none() {
            self.rules = Some(attachment_rules(conn).await?);
        }
        Ok(self.rules.get_or_insert_with(AttachmentRules::default))
    }
}

/// Applies one op within the push's transaction (`true` with the answer), or
/// answers it again (`false`: already decided).
async fn apply(
    tx: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
    context: &mut PushContext,
) -> Result<(OpResult, bool), RegistryError> {
    let now = context.now;
    if !context.claimed.contains(&op.id) {
        return Ok((answer_again(tx, workstation, op).await?, false));
    }

    // The outcome, and the person's attachment after it when the op already knows it.
    let outcome = if op.made_at > now + Duration::minutes(CLOCK_TOLERANCE_MINUTES) {
        (reject(RejectGround::MadeInFuture), None)
    } else {
        match &op.body {
            OpBody::Attach(attach) => apply_attach(tx, workstation, op, attach, context).await?,
            OpBody::Detach(detach) => (apply_detach(tx, workstation, detach, context).await?, None),
            OpBody::Book(book) => (apply_book(tx, workstation, op.id, book).await?, None),
            OpBody::CancelBooking(cancel) => (apply_cancel(tx, workstation, op.id, cancel, now).await?, None),
        }
    };
    let (outcome, known_state) = outcome;
    let attachment = match known_state {
        Some(state) => Some(state),
        None => person_attachment(tx, workstation, op).await?,
    };
    let result = OpResult {
        op: op.id,
        outcome,
        decided_at: now,
        attachment,
    };
    Ok((result, true))
}

/// The stored answer to an op already decided, with the person's attachment as it is now.
async fn answer_again(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
) -> Result<OpResult, RegistryError> {
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
        attachment: person_attachment(conn, workstation, op).await?,
    })
}

async fn person_attachment(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
) -> Result<Option<AttachmentState>, RegistryError> {
    // The person, and the open attachment when there is one.
    let row = sqlx::query(concat!(
        "SELECT a.clinic_id, ",
        attachment_columns!(),
        " FROM person p LEFT JOIN attachment a ON a.person_id = p.id AND a.ended_on IS NULL \
          LEFT JOIN district d ON d.id = a.district_id WHERE p.iin = $1"
    ))
    .bind(op.body.person_iin())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(match row.try_get::<Option<i64>, _>("clinic_id")? {
        None => AttachmentState::None,
        Some(clinic_id) if clinic_id == workstation.clinic_id => {
            AttachmentState::Here(attachment_from_row(&row)?)
        }
        Some(_) => AttachmentState::Elsewhere,
    }))
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
    context: &mut PushContext,
) -> Result<(OpOutcome, Option<AttachmentState>), RegistryError> {
    let district = context
        .district(conn, workstation.clinic_id, attach.district_number)
        .await?;
    let Some(district_id) = district else {
        return Ok((
            reject(RejectGround::UnknownDistrict {
                district_number: attach.district_number,
            }),
            None,
        ));
    };
    let iin = attach.person.iin.as_string();
    // Added and locked with the push's other persons (see `apply_all`).
    let (person_id, died_on) = *context.known.get(&iin).ok_or(RegistryError::NotFound)?;
    let rows = sqlx::query(
        "SELECT a.id, a.clinic_id, c.bin, a.district_id, d.number AS district_number, a.ground, a.decided_on, a.started_on, a.ended_on, a.op_id \
         FROM attachment a JOIN clinic c ON c.id = a.clinic_id LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = $1 ORDER BY a.started_on, a.id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut history = Vec::with_capacity(rows.len());
    let mut district_numbers = Vec::with_capacity(rows.len());
    // The person's attachment as it stands, for the answer when nothing changes.
    let mut current = AttachmentState::None;
    for row in &rows {
        let ground: String = row.try_get("ground")?;
        ids.push((row.try_get::<i64, _>("id")?, row.try_get::<i64, _>("clinic_id")?));
        district_numbers.push(row.try_get::<Option<i32>, _>("district_number")?);
        if row.try_get::<Option<NaiveDate>, _>("ended_on")?.is_none() {
            current = if row.try_get::<i64, _>("clinic_id")? == workstation.clinic_id {
                AttachmentState::Here(attachment_from_row(row)?)
            } else {
                AttachmentState::Elsewhere
            };
        }
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
    let rules = context.rules(conn).await?;
    let case = AttachmentCase {
        ground: attach.ground,
        consent_given: attach.consent_given,
        decided_at: op.made_at,
        person_died_on: died_on,
        history: &history,
        clinic_bin: &workstation.clinic_bin,
        district_id,
    };
    let (decided_on, effective_on, ends) = match decide(&case, rules) {
        Err(AttachmentCaseError::AlreadyAttachedHere { .. }) => {
            let number = history
                .iter()
                .position(|past| past.ended_on.is_none())
                .and_then(|index| district_numbers[index])
                .and_then(|n| u32::try_from(n).ok());
            return Ok((
                reject(RejectGround::AlreadyAttachedHere {
                    district_number: number,
                }),
                Some(current),
            ));
        }
        Ok(Decision::Refuse { ground, .. }) => {
            return Ok((
                reject(RejectGround::AttachmentRefused { refusal: ground }),
                Some(current),
            ));
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
        let reason = emhana_domain::attachment::ended_by_new_attachment(previous, &workstation.clinic_bin);
        // The previous attachment lasts until the new one starts (never ends before it began).
        sqlx::query(
            "UPDATE attachment SET ended_on = greatest(started_on, $2), end_reason = $3 WHERE id = $1 AND ended_on IS NULL",
        )
        .bind(previous_id)
        .bind(effective_on)
        .bind(reason.as_str())
        .execute(&mut *conn)
        .await?;
        if reason == emhana_domain::attachment::EndReason::AttachedElsewhere {
            context.touches.push(ScopeTouch {
                clinic_id: previous_clinic,
                person_id,
                left: Some((effective_on, "attached_elsewhere")),
            });
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
    context.touches.push(ScopeTouch {
        clinic_id: workstation.clinic_id,
        person_id,
        left: None,
    });
    let made = emhana_protocol::Attachment {
        district_number: Some(attach.district_number),
        ground: attach.ground,
        decided_on,
        started_on: effective_on,
        ended_on: None,
        op: Some(op.id),
    };
    Ok((OpOutcome::Applied, Some(AttachmentState::Here(made))))
}

async fn apply_detach(
    conn: &mut PgConnection,
    workstation: &Workstation,
    detach: &DetachOp,
    context: &mut PushContext,
) -> Result<OpOutcome, RegistryError> {
    let Some(&(person_id, _)) = context.known.get(&detach.iin) else {
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
        context
            .known
            .insert(detach.iin.clone(), (person_id, Some(detach.on)));
    }
    context.touches.push(ScopeTouch {
        clinic_id: workstation.clinic_id,
        person_id,
        left: Some((detach.on, left_reason)),
    });
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
