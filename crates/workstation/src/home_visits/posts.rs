//! A post's calls and care plans at its parent clinic's PCs. The feed brings
//! them whole, as the registry holds them (`post_record`); the parent's
//! screens read them, and may send someone else to a post's call — the
//! post's other feldsher, or a nurse or doctor of the parent when the post's
//! own cannot go. Everything else about them (outcomes, closing, plans'
//! visits) is recorded at the post, whose PCs hold them as their own.

use emhana_domain::StaffRole;
use emhana_domain::home_call::{goes_as, may_change_call};
use emhana_domain::numbering::display_number;
use emhana_protocol::{CallAssignment, CallChange, CallRecord, ChangeCallOp, OpBody, PlanRecord, Record};
use uuid::Uuid;

use super::*;

/// A call of one of this clinic's posts, as the registry last said.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PostCallView {
    pub id: Uuid,
    pub post_bin: String,
    pub post_name_kk: String,
    pub post_name_ru: String,
    /// "2026/41", in the post's own numbering.
    pub number: String,
    pub received_at: DateTime<Utc>,
    pub person_name: String,
    pub iin: String,
    pub age_years: u32,
    pub address: Option<String>,
    pub caller: String,
    pub caller_phone: Option<String>,
    pub complaint: String,
    pub temperature: Option<f32>,
    pub suggested: Responder,
    pub goes: Responder,
    pub doctor_level: bool,
    pub planned_on: NaiveDate,
    /// Who goes, when this PC knows them (the post's staff or this clinic's).
    pub assigned_staff_id: Option<i64>,
    pub assigned_staff: Option<String>,
    pub status: CallStatus,
    pub outcome_note: Option<String>,
    /// Sent to someone else here, and the registry has not answered yet.
    pub waiting: bool,
}

/// A care plan of one of this clinic's posts, as the registry last said.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PostPlanView {
    pub id: Uuid,
    pub post_bin: String,
    pub post_name_kk: String,
    pub post_name_ru: String,
    pub person_name: String,
    pub iin: String,
    pub kind: PlanKind,
    pub condition: Option<Condition>,
    pub opened_at: DateTime<Utc>,
    pub closed_on: Option<NaiveDate>,
    /// Visits with an outcome standing, of the visits planned so far.
    pub visits_done: u32,
    pub visits_planned: u32,
    /// The next visit still to make (by its window), when there is one.
    pub next_due_from: Option<NaiveDate>,
    pub next_due_to: Option<NaiveDate>,
    /// The last outcome recorded at the post, and its day.
    pub last_outcome: Option<VisitOutcome>,
    pub last_outcome_on: Option<NaiveDate>,
}

/// Keeps a post's call or plan as the registry holds it; `false` (held for
/// later) when the clinic is not one of this clinic's posts here yet, or the
/// record is of a kind a parent does not keep.
pub(crate) async fn receive_post_record(
    conn: &mut SqliteConnection,
    record: &Record,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if !matches!(record, Record::Call(_) | Record::Plan(_)) {
        return Ok(false);
    }
    let post: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM clinic c JOIN clinic h ON h.id = c.parent_id AND h.is_home = 1 WHERE c.bin = ?1",
    )
    .bind(record.clinic_bin())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(post) = post else { return Ok(false) };
    let body = serde_json::to_string(record).map_err(|error| corrupt("post record", &error.to_string()))?;
    sqlx::query(
        "INSERT INTO post_record (uid, clinic_id, kind, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (uid) DO UPDATE SET clinic_id = excluded.clinic_id, body = excluded.body, \
           received_at = excluded.received_at",
    )
    .bind(record.id().to_string())
    .bind(post)
    .bind(record.kind())
    .bind(body)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

#[derive(sqlx::FromRow)]
struct PostRecordRow {
    body: String,
    clinic_id: i64,
    bin: String,
    name_kk: String,
    name_ru: String,
    waiting: bool,
}

async fn post_records(
    conn: &mut SqliteConnection,
    kind: &str,
) -> Result<Vec<(Record, PostRecordRow)>, StoreError> {
    let rows: Vec<PostRecordRow> = sqlx::query_as(
        "SELECT r.body, r.clinic_id, c.bin, c.name_kk, c.name_ru, \
                EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = r.uid AND o.state IN ('local', 'sent')) AS waiting \
         FROM post_record r JOIN clinic c ON c.id = r.clinic_id WHERE r.kind = ?1",
    )
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let record: Record =
                serde_json::from_str(&row.body).map_err(|_| corrupt("post record", &row.bin))?;
            Ok((record, row))
        })
        .collect()
}

/// A member of staff by IIN: their id here and full name.
async fn staff_by_iin(conn: &mut SqliteConnection, iin: &str) -> Result<Option<(i64, String)>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT id, ",
        full_name_sql!(),
        " FROM staff WHERE iin = ?1"
    ))
    .bind(iin)
    .fetch_optional(conn)
    .await?)
}

async fn call_view(
    conn: &mut SqliteConnection,
    call: &CallRecord,
    row: &PostRecordRow,
) -> Result<PostCallView, StoreError> {
    let assigned = match &call.assigned_staff_iin {
        Some(iin) => staff_by_iin(&mut *conn, iin).await?,
        None => None,
    };
    Ok(PostCallView {
        id: call.id,
        post_bin: row.bin.clone(),
        post_name_kk: row.name_kk.clone(),
        post_name_ru: row.name_ru.clone(),
        number: display_number(call.year, i64::from(call.number)),
        received_at: call.received_at,
        person_name: call.person.full_name(),
        iin: call.person.iin.as_string(),
        age_years: call.age_years,
        address: call
            .person
            .address
            .as_ref()
            .map(|address| match &address.apartment {
                Some(apartment) => format!("{}-{apartment}", address.street_line()),
                None => address.street_line(),
            }),
        caller: call.caller.clone(),
        caller_phone: call.caller_phone.clone(),
        complaint: call.complaint.clone(),
        temperature: call.temperature_tenths.map(|tenths| f32::from(tenths) / 10.0),
        suggested: call.suggested,
        goes: call.goes,
        doctor_level: call.doctor_level,
        planned_on: call.planned_on,
        assigned_staff_id: assigned.as_ref().map(|(id, _)| *id),
        // one this PC does not know is named by IIN, never hidden
        assigned_staff: assigned
            .map(|(_, name)| name)
            .or_else(|| call.assigned_staff_iin.clone()),
        status: call.status,
        outcome_note: call.outcome.as_ref().and_then(|outcome| outcome.note.clone()),
        waiting: row.waiting,
    })
}

/// The posts' calls planned on `day`, and every one still open from before:
/// by post, planned day and number.
pub(crate) async fn post_calls(pool: &SqlitePool, day: NaiveDate) -> Result<Vec<PostCallView>, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut views = Vec::new();
    for (record, row) in post_records(&mut conn, "call").await? {
        let Record::Call(call) = record else { continue };
        let shown = call.planned_on == day || (call.planned_on < day && !call.status.is_closed());
        if shown {
            views.push(call_view(&mut conn, &call, &row).await?);
        }
    }
    views.sort_by(|a, b| {
        (&a.post_bin, a.planned_on, a.received_at, &a.number).cmp(&(
            &b.post_bin,
            b.planned_on,
            b.received_at,
            &b.number,
        ))
    });
    Ok(views)
}

fn plan_view(plan: &PlanRecord, row: &PostRecordRow) -> PostPlanView {
    let standing = |visit: &&emhana_protocol::VisitRecord| visit.outcome.is_some() || visit.closed;
    let next = plan
        .visits
        .iter()
        .filter(|visit| !standing(visit))
        .min_by_key(|visit| (visit.visit.due_from, visit.id));
    let last = plan
        .visits
        .iter()
        .flat_map(|visit| visit.history.iter())
        .filter(|event| event.undone.is_none())
        .max_by_key(|event| event.at);
    PostPlanView {
        id: plan.id,
        post_bin: row.bin.clone(),
        post_name_kk: row.name_kk.clone(),
        post_name_ru: row.name_ru.clone(),
        person_name: plan.person.full_name(),
        iin: plan.person.iin.as_string(),
        kind: plan.event.kind(),
        condition: match &plan.event {
            PlanEvent::Observation { condition, .. } => Some(*condition),
            _ => None,
        },
        opened_at: plan.opened_at,
        closed_on: plan.closed.map(|closed| closed.on),
        visits_done: u32::try_from(plan.visits.iter().filter(|visit| visit.outcome.is_some()).count())
            .unwrap_or(u32::MAX),
        visits_planned: u32::try_from(plan.visits.len()).unwrap_or(u32::MAX),
        next_due_from: next.map(|visit| visit.visit.due_from),
        next_due_to: next.map(|visit| visit.visit.due_to),
        last_outcome: last.map(|event| event.outcome),
        last_outcome_on: last.map(|event| event.at.date()),
    }
}

/// The posts' open care plans, by post and next visit (closed ones last).
pub(crate) async fn post_plans(pool: &SqlitePool) -> Result<Vec<PostPlanView>, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut views: Vec<PostPlanView> = post_records(&mut conn, "plan")
        .await?
        .iter()
        .filter_map(|(record, row)| match record {
            Record::Plan(plan) => Some(plan_view(plan, row)),
            _ => None,
        })
        .collect();
    views.sort_by(|a, b| {
        (
            &a.post_bin,
            a.closed_on.is_some(),
            a.next_due_from.is_none(),
            a.next_due_from,
            &a.person_name,
        )
            .cmp(&(
                &b.post_bin,
                b.closed_on.is_some(),
                b.next_due_from.is_none(),
                b.next_due_from,
                &b.person_name,
            ))
    });
    Ok(views)
}

/// Who a parent's PC may send to a post's call: the post's and this
/// clinic's nurses, feldshers and doctors who work on the call's day.
pub(crate) async fn post_call_staff(pool: &SqlitePool, call: Uuid) -> Result<Vec<Nurse>, HomeVisitError> {
    let mut conn = pool.acquire().await?;
    let found: Option<(i64, String)> =
        sqlx::query_as("SELECT clinic_id, body FROM post_record WHERE uid = ?1 AND kind = 'call'")
            .bind(call.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    let (post, body) = found.ok_or(HomeVisitError::PostCallNotFound { id: call })?;
    let Ok(Record::Call(record)) = serde_json::from_str::<Record>(&body) else {
        return Err(corrupt("post record", &call.to_string()).into());
    };
    Ok(sqlx::query_as(concat!(
        "SELECT s.id, ",
        full_name_sql!("s"),
        " AS full_name, s.role, s.district_id, d.number AS district_number FROM staff s \
         JOIN clinic c ON c.id = s.clinic_id LEFT JOIN district d ON d.id = s.district_id \
         WHERE (c.id = ?1 OR c.is_home = 1) AND ",
        works_on_sql!("s", "?2"),
        " AND ",
        has_role_sql!("s", "'district_nurse', 'feldsher', 'district_doctor'"),
        " ORDER BY c.id = ?1 DESC, d.number IS NULL, d.number, full_name"
    ))
    .bind(post)
    .bind(record.planned_on)
    .fetch_all(&mut *conn)
    .await?)
}

/// Sends someone else to a post's call: the post's staff or this clinic's,
/// never below what the triage said, never to a closed call. The call here
/// shows the change at once; the registry decides (a call the post closed
/// first stays closed, and this change goes to needs attention).
pub(crate) async fn reassign_post_call(
    pool: &SqlitePool,
    call_id: Uuid,
    staff_id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<PostCallView, HomeVisitError> {
    let mut tx = pool.begin().await?;
    // the row as the view shows it once sent: waiting for the registry's answer
    let found: Option<PostRecordRow> = sqlx::query_as(
        "SELECT r.body, r.clinic_id, c.bin, c.name_kk, c.name_ru, 1 AS waiting FROM post_record r \
         JOIN clinic c ON c.id = r.clinic_id WHERE r.uid = ?1 AND r.kind = 'call'",
    )
    .bind(call_id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let row = found.ok_or(HomeVisitError::PostCallNotFound { id: call_id })?;
    let post = row.clinic_id;
    let Ok(Record::Call(call)) = serde_json::from_str::<Record>(&row.body) else {
        return Err(corrupt("post record", &call_id.to_string()).into());
    };
    may_change_call(call.status).map_err(|closed| HomeVisitError::CallClosed {
        status: closed.closed,
    })?;
    let staff: Option<(String, String, bool)> = sqlx::query_as(concat!(
        "SELECT s.iin, s.role, ",
        works_on_sql!("s", "?3"),
        " FROM staff s JOIN clinic c ON c.id = s.clinic_id \
         WHERE s.id = ?1 AND (c.id = ?2 OR c.is_home = 1)"
    ))
    .bind(staff_id)
    .bind(post)
    .bind(call.planned_on)
    .fetch_optional(&mut *tx)
    .await?;
    let (iin, role, works) = staff.ok_or(HomeVisitError::NurseNotFound { id: staff_id })?;
    if !works {
        return Err(HomeVisitError::NotWorkingThatDay {
            id: staff_id,
            day: call.planned_on,
        });
    }
    let (goes, doctor_level) = StaffRole::parse(&role)
        .and_then(|role| goes_as(role, call.suggested))
        .ok_or(HomeVisitError::NurseNotFound { id: staff_id })?;
    let goes = escalate(call.suggested, goes).map_err(|problem| HomeVisitError::Triage { problem })?;
    let change = CallChange::Reassign {
        to: CallAssignment {
            goes,
            staff_iin: Some(iin),
            doctor_level,
            planned_on: call.planned_on,
            status: CallStatus::Registered,
        },
    };
    let changed = call.apply(&change).map_err(|closed| HomeVisitError::CallClosed {
        status: closed.closed,
    })?;
    let body = OpBody::ChangeCall(ChangeCallOp {
        call: call.id,
        change,
        clinic_bin: call.clinic_bin.clone(),
        person_iin: call.person.iin.as_string(),
    });
    // No person link: the post's person is not this clinic's to reconcile.
    store::record_op(&mut tx, now, by, &body, store::OpLinks::default()).await?;
    // Shown as sent until the registry's answer brings the call as it stands.
    let written = serde_json::to_string(&Record::Call(Box::new(changed.clone())))
        .map_err(|error| corrupt("post record", &error.to_string()))?;
    sqlx::query("UPDATE post_record SET body = ?2 WHERE uid = ?1")
        .bind(call_id.to_string())
        .bind(written)
        .execute(&mut *tx)
        .await?;
    let view = call_view(&mut tx, &changed, &row).await?;
    tx.commit().await?;
    Ok(view)
}
