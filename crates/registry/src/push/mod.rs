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
//! answer, not an error; an op whose value the database refuses is
//! answered alone too (the push run again with a savepoint per op). Two pushes that lock the same persons in opposite
//! order deadlock; PostgreSQL aborts one, and it is run again from the start.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use emhana_domain::attachment::{
    AttachmentCase, AttachmentCaseError, AttachmentRules, Decision, PastAttachment, decide,
};
use emhana_protocol::{
    AttachOp, AttachmentState, BookOp, CancelBookingOp, DetachOp, DetachReason, MAX_OFFLINE_DAYS,
    MAX_OPS_PER_PUSH, Op, OpBody, OpOutcome, OpResult, PushRequest, PushResponse, RejectGround,
};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::RegistryError;
use crate::auth::Workstation;
use crate::people::{ScopeTouch, attachment_columns, attachment_from_row, attachment_rules, touch_scope};

mod attachment;
pub(crate) mod author;
mod booking;
mod person;
mod record;

use attachment::{apply_attach, apply_detach};
use booking::{apply_book, apply_cancel, apply_change_booking};
use person::apply_change_person;
pub(crate) use record::record_from_json;
use record::{
    apply_change_call, apply_change_plan, apply_open_plan, apply_register_call, apply_set_round,
    apply_set_schedule, apply_set_settings, current_record,
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
    push_made_since(
        pool,
        workstation,
        request,
        now,
        now - Duration::days(MAX_OFFLINE_DAYS),
    )
    .await
}

/// A push carried in a sealed file made at `file_made_at`: its ops may be as
/// old as the offline period before the file was made (a file is carried for
/// days), but the file's own date, the PC's claim, counts no further back
/// than one more offline period.
pub async fn push_carried(
    pool: &PgPool,
    workstation: &Workstation,
    request: PushRequest,
    now: DateTime<Utc>,
    file_made_at: DateTime<Utc>,
) -> Result<PushResponse, RegistryError> {
    let period = Duration::days(MAX_OFFLINE_DAYS);
    let oldest = (file_made_at.min(now) - period).max(now - period - period);
    push_made_since(pool, workstation, request, now, oldest).await
}

async fn push_made_since(
    pool: &PgPool,
    workstation: &Workstation,
    request: PushRequest,
    now: DateTime<Utc>,
    oldest: DateTime<Utc>,
) -> Result<PushResponse, RegistryError> {
    if request.ops.len() > MAX_OPS_PER_PUSH {
        return Err(RegistryError::Malformed(format!(
            "{} ops in one push; at most {MAX_OPS_PER_PUSH}",
            request.ops.len()
        )));
    }
    // A change to a post's call may come from its parent's PCs (who send
    // someone else): the posts read once, for the first op naming another clinic.
    let mut posts: Option<Vec<String>> = None;
    let mut incoming = Vec::with_capacity(request.ops.len());
    for (index, value) in request.ops.into_iter().enumerate() {
        let id = value
            .get("id")
            .and_then(|id| id.as_str())
            .and_then(|id| Uuid::parse_str(id).ok())
            .ok_or_else(|| RegistryError::Malformed(format!("op {index} has no readable id")))?;
        // PostgreSQL's jsonb cannot hold U+0000: an op with one in a text
        // would fail the whole push (its log row is written first), so it
        // is answered alone, as an op that cannot be read
        if record::has_nul(&value) {
            incoming.push(Incoming::Malformed {
                id,
                detail: "a text of the op holds a NUL character".into(),
            });
            continue;
        }
        match serde_json::from_value::<Op>(value) {
            Ok(op) => {
                if op.workstation != workstation.id {
                    return Err(RegistryError::Forbidden(format!(
                        "op {id} was made on workstation {}, not on this one",
                        op.workstation
                    )));
                }
                if op.body.clinic_bin() != workstation.clinic_bin {
                    if posts.is_none() {
                        posts = Some(
                            sqlx::query_scalar("SELECT bin FROM clinic WHERE parent_id = $1")
                                .bind(workstation.clinic_id)
                                .fetch_all(pool)
                                .await?,
                        );
                    }
                    let a_posts_call = matches!(op.body, OpBody::ChangeCall(_))
                        && posts.iter().flatten().any(|post| post == op.body.clinic_bin());
                    if !a_posts_call {
                        return Err(RegistryError::Forbidden(format!(
                            "op {id} changes clinic {}, outside this workstation's clinic",
                            op.body.clinic_bin()
                        )));
                    }
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
    // First as one transaction; when the database refuses what an op says
    // (a value its checks reject), again with each op in a savepoint of its
    // own, so that op alone is refused and the others stand.
    let mut one_by_one = false;
    loop {
        match apply_all(pool, workstation, &incoming, now, oldest, one_by_one).await {
            Err(RegistryError::Database(error)) if attempt < MAX_ATTEMPTS && is_transient(&error) => {
                attempt += 1;
                tracing::debug!(%error, attempt, "push run again");
                let pause = rand::random_range(1..=10 * attempt);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            Err(RegistryError::Database(error)) if !one_by_one && refused_value(&error).is_some() => {
                tracing::warn!(%error, "the database refused an op's value: the push run op by op");
                one_by_one = true;
            }
            done => return done,
        }
    }
}

/// The constraint (or the kind of value) the database refused, when an
/// error is a refusal of the data rather than a fault of the database:
/// SQLSTATE classes 22 (data exception) and 23 (integrity constraint).
fn refused_value(error: &sqlx::Error) -> Option<String> {
    let error = error.as_database_error()?;
    let code = error.code()?;
    (code.starts_with("22") || code.starts_with("23")).then(|| match error.constraint() {
        Some(constraint) => format!("the registry cannot keep this value ({constraint})"),
        None => format!("the registry cannot keep this value (SQLSTATE {code})"),
    })
}

/// Forgets the ops answered more than `OP_ID_RETENTION_DAYS` before `now`
/// — their ids, bodies and answers —, a batch at a time so no transaction
/// holds the feed back for long; returns how many. A copy of a forgotten op
/// sent again is refused as made too long ago (`MAX_OFFLINE_DAYS` is far
/// shorter), never applied twice.
pub async fn forget_old_ops(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, RegistryError> {
    let before = now - Duration::days(emhana_protocol::OP_ID_RETENTION_DAYS);
    let mut forgotten = 0;
    loop {
        let deleted = sqlx::query(
            "DELETE FROM op_log WHERE id IN (SELECT id FROM op_log WHERE decided_at < $1 LIMIT 10000)",
        )
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected();
        forgotten += deleted;
        if deleted < 10_000 {
            break;
        }
    }
    if forgotten > 0 {
        tracing::info!(forgotten, "ops past their retention forgotten");
    }
    Ok(forgotten)
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
    oldest: DateTime<Utc>,
    one_by_one: bool,
) -> Result<PushResponse, RegistryError> {
    let mut tx = pool.begin().await?;
    let claimed = claim(&mut tx, workstation, incoming, now).await?;
    let mut iins: Vec<String> = incoming
        .iter()
        .filter_map(|item| match item {
            Incoming::Op(op) => Some(op.body.person_iin()),
            Incoming::Malformed { .. } => None,
        })
        .collect();
    iins.sort_unstable();
    iins.dedup();
    // The push's persons, known or not yet, are locked by IIN in IIN order:
    // two pushes touching the same persons wait for each other instead of
    // deadlocking, and a person is added only by an op that is accepted.
    sqlx::query(
        "SELECT count(pg_advisory_xact_lock(hashtextextended(iin, 0))) \
         FROM (SELECT iin FROM unnest($1::text[]) AS t (iin) ORDER BY iin) AS ordered",
    )
    .bind(&iins)
    .execute(&mut *tx)
    .await?;
    let known: HashMap<String, (i64, Option<NaiveDate>)> =
        sqlx::query_as::<_, (String, i64, Option<NaiveDate>)>(
            "SELECT iin, id, died_on FROM person WHERE iin = ANY($1)",
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
        coverage: None,
        rules: None,
        now,
        oldest,
        claimed,
        touches: Vec::new(),
        authors: author::Authors::default(),
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
                let (result, fresh) = if one_by_one {
                    apply_alone(&mut tx, workstation, op, &mut context).await?
                } else {
                    apply(&mut tx, workstation, op, &mut context).await?
                };
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
                record: None,
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

/// [`apply`] in a savepoint of its own: when the database refuses what the
/// op says, the op's effects are undone and it is answered alone.
async fn apply_alone(
    tx: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
    context: &mut PushContext,
) -> Result<(OpResult, bool), RegistryError> {
    sqlx::query("SAVEPOINT op").execute(&mut *tx).await?;
    let touches = context.touches.len();
    let known = context.known.clone();
    match apply(tx, workstation, op, context).await {
        Ok(answer) => {
            sqlx::query("RELEASE SAVEPOINT op").execute(&mut *tx).await?;
            Ok(answer)
        }
        Err(RegistryError::Database(error)) if refused_value(&error).is_some() => {
            sqlx::query("ROLLBACK TO SAVEPOINT op").execute(&mut *tx).await?;
            context.touches.truncate(touches);
            context.known = known;
            tracing::warn!(op = %op.id, %error, "an op's value refused by the database: answered alone");
            let detail = refused_value(&error).unwrap_or_default();
            Ok((
                OpResult {
                    op: op.id,
                    outcome: reject(RejectGround::Malformed { detail }),
                    decided_at: context.now,
                    attachment: None,
                    record: None,
                },
                true,
            ))
        }
        Err(error) => Err(error),
    }
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
    /// The areas the clinic's districts cover, read for the push's first change of residence.
    coverage: Option<Vec<emhana_domain::organization::CoveredArea>>,
    rules: Option<AttachmentRules>,
    now: DateTime<Utc>,
    /// The oldest `made_at` taken (the offline period before receipt).
    oldest: DateTime<Utc>,
    /// The ops' ids this push claimed; the others were answered before.
    claimed: std::collections::HashSet<Uuid>,
    /// Persons entering and leaving scopes, written to the feed at the end.
    touches: Vec<ScopeTouch>,
    /// The ops' authors as the clinic's staff list has them.
    authors: author::Authors,
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

    async fn coverage(
        &mut self,
        conn: &mut PgConnection,
        clinic_id: i64,
    ) -> Result<&[emhana_domain::organization::CoveredArea], RegistryError> {
        if self.coverage.is_none() {
            let rows = sqlx::query(
                "SELECT dc.settlement, dc.street, dc.house_from, dc.house_to, dc.parity \
                 FROM district_coverage dc JOIN district d ON d.id = dc.district_id WHERE d.clinic_id = $1",
            )
            .bind(clinic_id)
            .fetch_all(conn)
            .await?;
            let areas = rows
                .iter()
                .map(crate::organization::area_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            self.coverage = Some(areas);
        }
        Ok(self.coverage.as_deref().unwrap_or_default())
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
        return Ok((answer_again(tx, workstation, op, now).await?, false));
    }

    // The outcome, and the person's attachment after it when the op already knows it.
    let outcome = if op.made_at > now + Duration::minutes(CLOCK_TOLERANCE_MINUTES) {
        (reject(RejectGround::MadeInFuture), None)
    } else if op.made_at < context.oldest {
        (reject(RejectGround::MadeTooLongAgo), None)
    } else if let Some(ground) = context.authors.refusal(tx, workstation.clinic_id, op).await? {
        (reject(ground), None)
    } else {
        match &op.body {
            OpBody::Attach(attach) => apply_attach(tx, workstation, op, attach, context).await?,
            OpBody::Detach(detach) => (apply_detach(tx, workstation, detach, context).await?, None),
            OpBody::Book(book) => (apply_book(tx, workstation, op.id, book).await?, None),
            OpBody::CancelBooking(cancel) => (apply_cancel(tx, workstation, op.id, cancel, now).await?, None),
            OpBody::RegisterCall(call) => (apply_register_call(tx, workstation, op.id, call).await?, None),
            OpBody::ChangeCall(change) => (apply_change_call(tx, workstation, op.id, change).await?, None),
            OpBody::ChangeBooking(change) => {
                (apply_change_booking(tx, workstation, op.id, change).await?, None)
            }
            OpBody::SetSchedule(set) => (apply_set_schedule(tx, workstation, op.id, set).await?, None),
            OpBody::OpenPlan(plan) => (apply_open_plan(tx, workstation, op.id, plan).await?, None),
            OpBody::ChangePlan(change) => (apply_change_plan(tx, workstation, op.id, change).await?, None),
            OpBody::SetRound(round) => (apply_set_round(tx, workstation, op.id, round).await?, None),
            OpBody::SetSettings(set) => (apply_set_settings(tx, workstation, op.id, set).await?, None),
            OpBody::ChangePerson(change) => (
                apply_change_person(tx, workstation, op, change, context).await?,
                None,
            ),
            OpBody::ChangeOrganization(change) => (
                match crate::organization::apply_change(
                    tx,
                    workstation.clinic_id,
                    &change.unit_bin,
                    &change.change,
                )
                .await?
                {
                    Ok(()) => {
                        // the clinic's coverage may have changed: read again if asked
                        context.coverage = None;
                        OpOutcome::Applied
                    }
                    Err(problems) => reject(RejectGround::OrganizationRefused {
                        problems: problems
                            .into_iter()
                            .map(|problem| emhana_protocol::OrganizationProblem {
                                code: problem.code.to_owned(),
                                reason: problem.reason,
                            })
                            .collect(),
                    }),
                },
                None,
            ),
        }
    };
    let (outcome, known_state) = outcome;
    let attachment = match known_state {
        Some(state) => Some(state),
        None => person_attachment(tx, workstation, op).await?,
    };
    let record = match op.body.record_id() {
        Some(id) => current_record(tx, workstation, id).await?,
        None => None,
    };
    let result = OpResult {
        op: op.id,
        outcome,
        decided_at: now,
        attachment,
        record,
    };
    Ok((result, true))
}

/// The stored answer to an op already decided, with the person's attachment as it is now.
async fn answer_again(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
    now: DateTime<Utc>,
) -> Result<OpResult, RegistryError> {
    let row = sqlx::query(
        "SELECT w.clinic_id, o.outcome, o.decided_at FROM op_log o JOIN workstation w ON w.id = o.workstation_id \
         WHERE o.id = $1",
    )
    .bind(op.id)
    .fetch_one(&mut *conn)
    .await?;
    // Another PC of the clinic sent it first (this PC before it was enrolled
    // again, or a copy of its file): the stored answer. Another clinic's
    // id: refused alone, unstored — it is not this PC's op.
    if row.try_get::<i64, _>("clinic_id")? != workstation.clinic_id {
        return Ok(OpResult {
            op: op.id,
            outcome: reject(RejectGround::OpIdTaken),
            decided_at: now,
            attachment: None,
            record: None,
        });
    }
    let outcome: OpOutcome = serde_json::from_value(row.try_get("outcome")?)
        .map_err(|error| RegistryError::Database(sqlx::Error::Decode(error.into())))?;
    let record = match op.body.record_id() {
        Some(id) => current_record(conn, workstation, id).await?,
        None => None,
    };
    Ok(OpResult {
        op: op.id,
        outcome,
        decided_at: row.try_get("decided_at")?,
        attachment: person_attachment(conn, workstation, op).await?,
        record,
    })
}

async fn person_attachment(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
) -> Result<Option<AttachmentState>, RegistryError> {
    // a schedule is about a doctor, a round about a nurse, settings about the clinic
    if matches!(
        op.body,
        OpBody::SetSchedule(_) | OpBody::SetRound(_) | OpBody::SetSettings(_) | OpBody::ChangeOrganization(_)
    ) {
        return Ok(None);
    }
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
