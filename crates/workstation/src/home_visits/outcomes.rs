//! What came of a plan visit: recorded by the district's nurse (or its doctor for
//! the doctor's), made at reception by an attended booking, undone the same day;
//! and the district's due list.

use emhana_protocol::{PlanChange, VisitUndone};
use uuid::Uuid;

use super::*;

/// Records what came of a plan visit. Only a nurse of the person's district
/// records it; a move needs a day after today.
pub(crate) async fn record_visit_outcome(
    pool: &SqlitePool,
    visit_id: i64,
    outcome: VisitOutcome,
    moved_to: Option<NaiveDate>,
    nurse_id: i64,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<VisitView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    district_nurse_of_visit(&mut tx, visit_id, nurse_id, today).await?;
    let moved_to = match outcome {
        VisitOutcome::Moved => match moved_to {
            Some(day) if day > today => Some(day),
            _ => return Err(HomeVisitError::MoveDate),
        },
        _ => None,
    };
    store::write_outcome(&mut tx, visit_id, outcome, moved_to, Some(nurse_id), note, now).await?;
    let view = visit_view(&mut tx, visit_id, today).await?;
    tx.commit().await?;
    Ok(view)
}

/// Undoes the last outcome recorded for a visit, if it was recorded today (a
/// mis-tap is seen at once; a past day's outcome is corrected by recording
/// the right one). The visit returns to its state before it; the event stays
/// in the history marked undone, with who undid it and when. A nurse of the
/// person's district undoes it, as she would record it.
pub(crate) async fn undo_visit_outcome(
    pool: &SqlitePool,
    visit_id: i64,
    nurse_id: i64,
    now: DateTime<Utc>,
) -> Result<VisitView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    district_nurse_of_visit(&mut tx, visit_id, nurse_id, today).await?;
    let last: Option<(i64, String, Option<NaiveDate>, String)> = sqlx::query_as(
        "SELECT id, at, prior_due_from, uid FROM visit_event WHERE visit_id = ?1 AND undone_at IS NULL \
         AND refused_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(visit_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (event, event_uid) = match last {
        Some((id, at, Some(_), uid)) if at.starts_with(&today.format("%Y-%m-%d").to_string()) => (id, uid),
        _ => return Err(HomeVisitError::NothingToUndo),
    };
    sqlx::query(
        "UPDATE plan_visit SET (outcome, closed, due_from, due_to) = \
           (SELECT prior_outcome, prior_closed, prior_due_from, prior_due_to FROM visit_event WHERE id = ?2) \
         WHERE id = ?1",
    )
    .bind(visit_id)
    .bind(event)
    .execute(&mut *tx)
    .await?;
    let undone_at = kazakhstan_time(now);
    sqlx::query("UPDATE visit_event SET undone_at = ?2, undone_by = ?3 WHERE id = ?1")
        .bind(event)
        .bind(undone_at.format(store::EVENT_TIME_FORMAT).to_string())
        .bind(nurse_id)
        .execute(&mut *tx)
        .await?;
    let (plan_id, visit_uid): (i64, String) =
        sqlx::query_as("SELECT plan_id, uid FROM plan_visit WHERE id = ?1")
            .bind(visit_id)
            .fetch_one(&mut *tx)
            .await?;
    let ids = (
        Uuid::parse_str(&visit_uid).map_err(|_| corrupt("visit uid", &visit_uid))?,
        Uuid::parse_str(&event_uid).map_err(|_| corrupt("visit event uid", &event_uid))?,
    );
    let undone_by = store::staff_iin(&mut tx, nurse_id).await?;
    store::record_plan_change_op(
        &mut tx,
        plan_id,
        |_| {
            Ok(PlanChange::Undo {
                visit: ids.0,
                event: ids.1,
                undone: VisitUndone {
                    at: undone_at,
                    staff_iin: Some(undone_by),
                },
            })
        },
        Some(nurse_id),
        now,
    )
    .await?;
    let view = visit_view(&mut tx, visit_id, today).await?;
    tx.commit().await?;
    Ok(view)
}

/// One outcome recorded for a visit, as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct VisitHistoryEvent {
    /// Kazakhstan wall-clock time.
    pub at: chrono::NaiveDateTime,
    pub outcome: VisitOutcome,
    pub moved_to: Option<NaiveDate>,
    /// Who recorded it: the staff member's name, or their IIN when this PC does not know them.
    pub recorded_by: Option<String>,
    pub note: Option<String>,
    pub undone_at: Option<chrono::NaiveDateTime>,
    /// Another PC's outcome for the visit reached the registry first: this
    /// one, recorded here, changed nothing.
    pub refused: bool,
}

/// Every outcome recorded for a visit, oldest first: the undone ones and
/// those another PC's outcome overrode among them, marked.
pub(crate) async fn visit_history(
    pool: &SqlitePool,
    visit_id: i64,
) -> Result<Vec<VisitHistoryEvent>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        at: String,
        outcome: String,
        moved_to: Option<NaiveDate>,
        recorded_by: Option<String>,
        note: Option<String>,
        undone_at: Option<String>,
        refused: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT e.at, e.outcome, e.moved_to, coalesce(",
        full_name_sql!("s"),
        ", e.staff_iin) AS recorded_by, e.note, e.undone_at, e.refused_at IS NOT NULL AS refused \
         FROM visit_event e LEFT JOIN staff s ON s.id = e.staff_id WHERE e.visit_id = ?1 ORDER BY e.at, e.id"
    ))
    .bind(visit_id)
    .fetch_all(pool)
    .await?;
    let time = |text: &str| {
        chrono::NaiveDateTime::parse_from_str(text, store::EVENT_TIME_FORMAT)
            .map_err(|_| corrupt("visit event time", text))
    };
    rows.into_iter()
        .map(|row| {
            Ok(VisitHistoryEvent {
                at: time(&row.at)?,
                outcome: VisitOutcome::parse(&row.outcome)
                    .ok_or_else(|| corrupt("visit outcome", &row.outcome))?,
                moved_to: row.moved_to,
                recorded_by: row.recorded_by,
                note: row.note,
                undone_at: row.undone_at.as_deref().map(time).transpose()?,
                refused: row.refused,
            })
        })
        .collect()
}

/// Refuses unless `nurse_id` is a nurse (or feldsher) of the district the
/// visit's person is attached to today.
async fn district_nurse_of_visit(
    conn: &mut SqliteConnection,
    visit_id: i64,
    nurse_id: i64,
    today: NaiveDate,
) -> Result<(), HomeVisitError> {
    let visit: Option<(i64, String)> = sqlx::query_as("SELECT person_id, who FROM plan_visit WHERE id = ?1")
        .bind(visit_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (person_id, who) = visit.ok_or(HomeVisitError::VisitNotFound { id: visit_id })?;
    // the district's nurse or feldsher records any of its visits; its doctor
    // the doctor's and the specialist's (a visit made at reception, recorded by hand)
    let staff: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT role, district_id FROM staff WHERE id = ?1")
            .bind(nurse_id)
            .fetch_optional(&mut *conn)
            .await?;
    let staff_district = match staff {
        Some((role, district)) if role == "district_nurse" || role == "feldsher" => district,
        Some((role, district))
            if role == "district_doctor" && (who == "district_doctor" || who == "specialist") =>
        {
            district
        }
        _ => return Err(HomeVisitError::NurseNotFound { id: nurse_id }),
    };
    let (_, district_id) = store::standing(&mut *conn, person_id, today).await?;
    if district_id.is_none() || district_id != staff_district {
        let district = store::district_number(&mut *conn, district_id).await?;
        return Err(HomeVisitError::NotYourVisit { district });
    }
    Ok(())
}

async fn visit_view(
    conn: &mut SqliteConnection,
    visit_id: i64,
    today: NaiveDate,
) -> Result<VisitView, HomeVisitError> {
    let row: VisitRow = sqlx::query_as(
        "SELECT id AS visit_id, plan_id, due_from, due_to, who, purpose, what, closed, outcome FROM plan_visit \
         WHERE id = ?1",
    )
    .bind(visit_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.view(today)?)
}

/// A district's plan visits due or overdue on `today` (any who), the one
/// list "due" and "overdue" screens and reports read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DueVisit {
    pub visit: VisitView,
    pub person_id: i64,
    pub person_name: String,
    pub address: Option<String>,
}

pub(crate) async fn due_visits(
    pool: &SqlitePool,
    district_id: i64,
    today: NaiveDate,
) -> Result<Vec<DueVisit>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        visit: VisitRow,
        #[sqlx(flatten)]
        person: PersonRow,
    }
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT v.id AS visit_id, v.plan_id, v.due_from, v.due_to, v.who, v.purpose, v.what, v.closed, v.outcome, ",
        person_columns!(),
        " FROM plan_visit v JOIN person p ON p.id = v.person_id \
          JOIN attachment a ON a.person_id = p.id AND ", attachment_in_force!("a", "?2"), " \
          JOIN care_plan cp ON cp.id = v.plan_id AND cp.closed_on IS NULL \
          WHERE a.district_id = ?1 AND v.closed = 0 AND v.due_from <= ?2 AND p.died_on IS NULL \
          ORDER BY v.due_to, v.id"
    ))
    .bind(district_id)
    .bind(today)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(DueVisit {
                person_id: row.person.id,
                person_name: row.person.full_name(),
                address: row.person.address_line(),
                visit: row.visit.view(today)?,
            })
        })
        .collect()
}
