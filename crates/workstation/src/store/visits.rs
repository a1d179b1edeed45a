//! A planned visit's outcome as written: by the nurse on her round, or by the
//! person's arrival at a booking (which appointments records), so both write it one way.

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::care_plan::{Attendance, VisitOutcome, VisitWho, closed_by_attendance};
use emhana_domain::kazakhstan_time;
use sqlx::SqliteConnection;

use uuid::Uuid;

use super::{EVENT_TIME_FORMAT, outcome_change, record_plan_change_op};
use crate::error::{StoreError, corrupt};

/// Writes an outcome on a visit with its event, the event keeping the
/// visit's state before it (what an undo restores), and the op that shares
/// it with the clinic's other PCs.
pub(crate) async fn write_outcome(
    conn: &mut SqliteConnection,
    visit_id: i64,
    outcome: VisitOutcome,
    moved_to: Option<NaiveDate>,
    staff_id: Option<i64>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let event_uid = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO visit_event (visit_id, at, outcome, staff_id, moved_to, note, \
                                  prior_outcome, prior_closed, prior_due_from, prior_due_to, uid) \
         SELECT id, ?2, ?3, ?4, ?5, ?6, outcome, closed, due_from, due_to, ?7 FROM plan_visit WHERE id = ?1",
    )
    .bind(visit_id)
    .bind(kazakhstan_time(now).format(EVENT_TIME_FORMAT).to_string())
    .bind(outcome.as_str())
    .bind(staff_id)
    .bind(moved_to)
    .bind(note.map(str::trim).filter(|n| !n.is_empty()))
    .bind(event_uid.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE plan_visit SET outcome = ?2, closed = ?3, due_from = coalesce(?4, due_from), \
         due_to = coalesce(?4, due_to) WHERE id = ?1",
    )
    .bind(visit_id)
    .bind(outcome.as_str())
    .bind(outcome.closes())
    .bind(moved_to)
    .execute(&mut *conn)
    .await?;
    let (plan_id, visit_uid): (i64, String) =
        sqlx::query_as("SELECT plan_id, uid FROM plan_visit WHERE id = ?1")
            .bind(visit_id)
            .fetch_one(&mut *conn)
            .await?;
    let visit_uid = Uuid::parse_str(&visit_uid).map_err(|_| corrupt("visit uid", &visit_uid))?;
    record_plan_change_op(
        conn,
        plan_id,
        |plan| outcome_change(plan, visit_uid, event_uid),
        staff_id,
        now,
    )
    .await
}

/// The person came to a booking: the open doctor's or specialist's visits of
/// their open plans that it makes ([`closed_by_attendance`]) are recorded
/// done, noted as made at reception, in the caller's transaction. Returns how many.
pub(crate) async fn close_visits_by_attendance(
    conn: &mut SqliteConnection,
    person_id: i64,
    booked_staff_id: i64,
    day: NaiveDate,
    marked_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let staff: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT role, specialty FROM staff WHERE id = ?1")
            .bind(booked_staff_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((role, specialty)) = staff else {
        return Ok(0);
    };
    let attended = Attendance {
        day,
        district_doctor: role == "district_doctor" || role == "feldsher",
        specialty: specialty.as_deref(),
    };
    let open: Vec<(i64, String, Option<String>, NaiveDate)> = sqlx::query_as(
        "SELECT v.id, v.who, v.specialty, v.due_from FROM plan_visit v \
         JOIN care_plan cp ON cp.id = v.plan_id AND cp.closed_on IS NULL \
         WHERE v.person_id = ?1 AND v.closed = 0 AND v.who IN ('district_doctor', 'specialist') AND v.due_from <= ?2",
    )
    .bind(person_id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    let mut closed = 0;
    for (visit_id, who, visit_specialty, due_from) in open {
        let who = VisitWho::parse(&who).ok_or_else(|| corrupt("visit who", &who))?;
        if closed_by_attendance(who, visit_specialty.as_deref(), due_from, &attended) {
            write_outcome(
                conn,
                visit_id,
                VisitOutcome::Done,
                None,
                marked_by,
                Some("booking_arrived"),
                now,
            )
            .await?;
            closed += 1;
        }
    }
    Ok(closed)
}
