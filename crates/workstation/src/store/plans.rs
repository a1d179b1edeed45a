//! A care plan as the registry keeps it (`protocol::PlanRecord`), read from
//! this PC's tables, and the op that shares a change to it. Here rather than
//! in `home_visits` because a booking's arrival records a visit's outcome too
//! (`visits::close_visits_by_attendance`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use emhana_domain::care_plan::{
    PlanClosure, PlanEvent, PlannedVisit, PregnancyOutcome, VisitOutcome, VisitPurpose, VisitWho,
};
use emhana_protocol::{
    ChangePlanOp, OpBody, PlanChange, PlanClosing, PlanRecord, VisitEvent, VisitPrior, VisitRecord,
    VisitUndone,
};
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{OpLinks, home_clinic, load_person, record_op};
use crate::error::{StoreError, corrupt};

/// How a visit event's time is kept: Kazakhstan wall-clock time, as text.
pub(crate) const EVENT_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

#[derive(sqlx::FromRow)]
struct PlanRow {
    uid: String,
    person_id: i64,
    event: String,
    rules_valid_from: NaiveDate,
    opened_at: DateTime<Utc>,
    opened_by_iin: Option<String>,
    planned_through: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    closed_reason: Option<String>,
    pregnancy_outcome: Option<String>,
    version: Option<String>,
}

#[derive(sqlx::FromRow)]
struct VisitRow {
    uid: String,
    due_from: NaiveDate,
    due_to: NaiveDate,
    who: String,
    purpose: String,
    what: Option<String>,
    specialty: Option<String>,
    outcome: Option<String>,
    closed: bool,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    uid: String,
    visit_uid: String,
    at: String,
    outcome: String,
    moved_to: Option<NaiveDate>,
    staff_iin: Option<String>,
    note: Option<String>,
    prior_outcome: Option<String>,
    prior_closed: bool,
    prior_due_from: NaiveDate,
    prior_due_to: NaiveDate,
    undone_at: Option<String>,
    undone_by_iin: Option<String>,
}

fn uuid(text: &str, what: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|_| corrupt(what, text))
}

fn outcome(text: &str) -> Result<VisitOutcome, StoreError> {
    VisitOutcome::parse(text).ok_or_else(|| corrupt("visit outcome", text))
}

fn event_time(text: &str) -> Result<NaiveDateTime, StoreError> {
    NaiveDateTime::parse_from_str(text, EVENT_TIME_FORMAT).map_err(|_| corrupt("visit event time", text))
}

/// The plan as this PC holds it, as the registry keeps it, and its person's id here.
pub(crate) async fn plan_record(
    conn: &mut SqliteConnection,
    plan_id: i64,
) -> Result<(PlanRecord, i64), StoreError> {
    let row: PlanRow = sqlx::query_as(
        "SELECT cp.uid, cp.person_id, cp.event, cp.rules_valid_from, cp.opened_at, \
                coalesce(s.iin, cp.opened_by_iin) AS opened_by_iin, cp.planned_through, cp.closed_on, \
                cp.closed_reason, cp.pregnancy_outcome, cp.version \
         FROM care_plan cp LEFT JOIN staff s ON s.id = cp.opened_by WHERE cp.id = ?1",
    )
    .bind(plan_id)
    .fetch_one(&mut *conn)
    .await?;
    let visits: Vec<VisitRow> = sqlx::query_as(
        "SELECT uid, due_from, due_to, who, purpose, what, specialty, outcome, closed FROM plan_visit \
         WHERE plan_id = ?1 ORDER BY due_from, uid",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    // an event of a visit written before its prior state was kept restores nothing: its visit as it is
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT e.uid, v.uid AS visit_uid, e.at, e.outcome, e.moved_to, coalesce(s.iin, e.staff_iin) AS staff_iin, \
                e.note, e.prior_outcome, coalesce(e.prior_closed, 0) AS prior_closed, \
                coalesce(e.prior_due_from, v.due_from) AS prior_due_from, \
                coalesce(e.prior_due_to, v.due_to) AS prior_due_to, e.undone_at, \
                coalesce(u.iin, e.undone_by_iin) AS undone_by_iin \
         FROM visit_event e JOIN plan_visit v ON v.id = e.visit_id \
              LEFT JOIN staff s ON s.id = e.staff_id LEFT JOIN staff u ON u.id = e.undone_by \
         WHERE v.plan_id = ?1 AND e.refused_at IS NULL ORDER BY e.id",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let home = home_clinic(&mut *conn).await?;
    let person = load_person(&mut *conn, row.person_id).await?;
    let mut records = Vec::with_capacity(visits.len());
    for visit in visits {
        let mut history = Vec::new();
        for event in events.iter().filter(|event| event.visit_uid == visit.uid) {
            history.push(VisitEvent {
                id: uuid(&event.uid, "visit event uid")?,
                at: event_time(&event.at)?,
                outcome: outcome(&event.outcome)?,
                moved_to: event.moved_to,
                staff_iin: event.staff_iin.clone(),
                note: event.note.clone(),
                prior: VisitPrior {
                    outcome: event.prior_outcome.as_deref().map(outcome).transpose()?,
                    closed: event.prior_closed,
                    due_from: event.prior_due_from,
                    due_to: event.prior_due_to,
                },
                undone: event
                    .undone_at
                    .as_deref()
                    .map(|at| {
                        Ok::<_, StoreError>(VisitUndone {
                            at: event_time(at)?,
                            staff_iin: event.undone_by_iin.clone(),
                        })
                    })
                    .transpose()?,
            });
        }
        records.push(VisitRecord {
            id: uuid(&visit.uid, "visit uid")?,
            visit: PlannedVisit {
                due_from: visit.due_from,
                due_to: visit.due_to,
                who: VisitWho::parse(&visit.who).ok_or_else(|| corrupt("visit who", &visit.who))?,
                purpose: VisitPurpose::parse(&visit.purpose)
                    .ok_or_else(|| corrupt("visit purpose", &visit.purpose))?,
                what: visit.what,
                specialty: visit.specialty,
            },
            outcome: visit.outcome.as_deref().map(outcome).transpose()?,
            closed: visit.closed,
            history,
        });
    }
    let closed = match (row.closed_on, row.closed_reason) {
        (Some(on), reason) => Some(PlanClosing {
            on,
            // closed before reasons were kept
            reason: match reason {
                Some(reason) => {
                    PlanClosure::parse(&reason).ok_or_else(|| corrupt("plan closure", &reason))?
                }
                None => PlanClosure::Completed,
            },
            pregnancy_outcome: row
                .pregnancy_outcome
                .map(|text| PregnancyOutcome::parse(&text).ok_or_else(|| corrupt("pregnancy outcome", &text)))
                .transpose()?,
        }),
        (None, _) => None,
    };
    let event: PlanEvent = serde_json::from_str(&row.event).map_err(|_| corrupt("plan event", &row.event))?;
    let plan = PlanRecord {
        id: uuid(&row.uid, "plan uid")?,
        clinic_bin: home.bin,
        person,
        event,
        rules_valid_from: row.rules_valid_from,
        opened_at: row.opened_at,
        opened_by_iin: row.opened_by_iin,
        planned_through: row.planned_through,
        closed,
        visits: records,
        changed_by: row
            .version
            .as_deref()
            .map(|text| uuid(text, "plan version"))
            .transpose()?,
    };
    Ok((plan, row.person_id))
}

/// The op telling the registry of a plan just opened here.
pub(crate) async fn record_open_plan_op(
    conn: &mut SqliteConnection,
    plan_id: i64,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (plan, person_id) = plan_record(&mut *conn, plan_id).await?;
    let body = OpBody::OpenPlan(Box::new(plan));
    let op = record_op(&mut *conn, now, author_id, &body, OpLinks::person(person_id)).await?;
    // the registry stamps the plan with this op as its version: a risk
    // changed here before the answer comes is over it
    sqlx::query("UPDATE care_plan SET unsent = 0, version = ?2 WHERE id = ?1")
        .bind(plan_id)
        .bind(op.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The op telling the registry of a change to a plan made here, once the
/// tables hold it: `change` says it from the plan as it now stands. A plan
/// the registry has not had yet (opened before plans were shared, or loaded
/// with the clinic's registers) goes whole instead.
pub(crate) async fn record_plan_change_op(
    conn: &mut SqliteConnection,
    plan_id: i64,
    change: impl FnOnce(&PlanRecord) -> Result<PlanChange, StoreError>,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let unsent: bool = sqlx::query_scalar("SELECT unsent FROM care_plan WHERE id = ?1")
        .bind(plan_id)
        .fetch_one(&mut *conn)
        .await?;
    if unsent {
        return record_open_plan_op(conn, plan_id, author_id, now).await;
    }
    let (plan, person_id) = plan_record(&mut *conn, plan_id).await?;
    let change = change(&plan)?;
    let new_version = matches!(change, PlanChange::Risk { .. });
    let body = OpBody::ChangePlan(Box::new(ChangePlanOp {
        plan: plan.id,
        clinic_bin: plan.clinic_bin.clone(),
        person_iin: plan.person.iin.as_string(),
        change,
    }));
    let op = record_op(&mut *conn, now, author_id, &body, OpLinks::person(person_id)).await?;
    // a risk change makes the plan's next version, as the registry will stamp it
    if new_version {
        sqlx::query("UPDATE care_plan SET version = ?2 WHERE id = ?1")
            .bind(plan_id)
            .bind(op.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The change telling of the outcome `event` just recorded for `visit`:
/// over the outcome that stood before it.
pub(crate) fn outcome_change(plan: &PlanRecord, visit: Uuid, event: Uuid) -> Result<PlanChange, StoreError> {
    let kept = plan
        .visits
        .iter()
        .find(|kept| kept.id == visit)
        .ok_or_else(|| corrupt("visit uid", &visit.to_string()))?;
    let position = kept
        .history
        .iter()
        .position(|recorded| recorded.id == event)
        .ok_or_else(|| corrupt("visit event uid", &event.to_string()))?;
    let recorded = kept.history[position].clone();
    let base = kept.history[..position]
        .iter()
        .rev()
        .find(|earlier| earlier.undone.is_none())
        .map(|earlier| earlier.id);
    // the visit as it stood before: what the registry adds when it has not seen it
    let mut before = kept.clone();
    before.history.truncate(position);
    before.outcome = recorded.prior.outcome;
    before.closed = recorded.prior.closed;
    before.visit.due_from = recorded.prior.due_from;
    before.visit.due_to = recorded.prior.due_to;
    Ok(PlanChange::Outcome {
        visit: before,
        event: recorded,
        base,
    })
}
