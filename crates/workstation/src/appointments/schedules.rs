//! Doctors' schedules: weekly templates from a date, exceptions, and the bookings a change leaves without a slot.

use super::*;

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    staff_id: i64,
    owner_id: i64,
    valid_from: Option<NaiveDate>,
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    kind: Option<String>,
    weekday: Option<u32>,
    starts: Option<NaiveTime>,
    ends: Option<NaiveTime>,
    session_kind: Option<String>,
    slot_minutes: Option<u16>,
    room: Option<String>,
}

impl SessionRow {
    fn session(&self) -> Result<Option<Session>, StoreError> {
        let (Some(weekday), Some(starts), Some(ends), Some(kind), Some(slot_minutes)) = (
            self.weekday,
            self.starts,
            self.ends,
            self.session_kind.as_deref(),
            self.slot_minutes,
        ) else {
            return Ok(None);
        };
        Ok(Some(Session {
            weekday: store::weekday_from_number(weekday)?,
            starts,
            ends,
            kind: SessionKind::parse(kind).ok_or_else(|| corrupt("session kind", kind))?,
            slot_minutes,
            room: self.room.clone(),
        }))
    }
}

/// Schedules by staff id: every template and exception with its sessions,
/// for one staff member or (`None`) the whole clinic, in two queries.
pub(crate) async fn schedules(
    conn: &mut SqliteConnection,
    staff_id: Option<i64>,
) -> Result<HashMap<i64, (StaffSchedule, Vec<i64>)>, StoreError> {
    let templates: Vec<SessionRow> = sqlx::query_as(
        "SELECT t.staff_id, t.id AS owner_id, t.valid_from, NULL AS first_day, NULL AS last_day, NULL AS kind, \
                s.weekday, s.starts, s.ends, s.kind AS session_kind, s.slot_minutes, s.room \
         FROM schedule_template t LEFT JOIN schedule_session s ON s.template_id = t.id \
         WHERE ?1 IS NULL OR t.staff_id = ?1 ORDER BY t.staff_id, t.valid_from, s.weekday, s.starts",
    )
    .bind(staff_id)
    .fetch_all(&mut *conn)
    .await?;
    let exceptions: Vec<SessionRow> = sqlx::query_as(
        "SELECT e.staff_id, e.id AS owner_id, NULL AS valid_from, e.first_day, e.last_day, e.kind, \
                s.weekday, s.starts, s.ends, s.kind AS session_kind, s.slot_minutes, s.room \
         FROM schedule_exception e LEFT JOIN schedule_session s ON s.exception_id = e.id \
         WHERE ?1 IS NULL OR e.staff_id = ?1 ORDER BY e.staff_id, e.id, s.starts",
    )
    .bind(staff_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_staff: HashMap<i64, (StaffSchedule, Vec<i64>)> = HashMap::new();
    let mut last_template: Option<i64> = None;
    for row in templates {
        let (schedule, _) = by_staff.entry(row.staff_id).or_default();
        if last_template != Some(row.owner_id) {
            last_template = Some(row.owner_id);
            schedule.templates.push(WeeklyTemplate {
                valid_from: row
                    .valid_from
                    .ok_or_else(|| corrupt("template", &row.owner_id.to_string()))?,
                sessions: Vec::new(),
            });
        }
        if let (Some(session), Some(template)) = (row.session()?, schedule.templates.last_mut()) {
            template.sessions.push(session);
        }
    }
    let mut last_exception: Option<i64> = None;
    for row in exceptions {
        let (schedule, ids) = by_staff.entry(row.staff_id).or_default();
        if last_exception != Some(row.owner_id) {
            last_exception = Some(row.owner_id);
            let kind = row.kind.as_deref().unwrap_or_default();
            schedule.exceptions.push(ScheduleException {
                first_day: row
                    .first_day
                    .ok_or_else(|| corrupt("exception", &row.owner_id.to_string()))?,
                last_day: row
                    .last_day
                    .ok_or_else(|| corrupt("exception", &row.owner_id.to_string()))?,
                kind: ExceptionKind::parse(kind).ok_or_else(|| corrupt("exception kind", kind))?,
                sessions: Vec::new(),
            });
            ids.push(row.owner_id);
        }
        if let (Some(session), Some(exception)) = (row.session()?, schedule.exceptions.last_mut()) {
            exception.sessions.push(session);
        }
    }
    Ok(by_staff)
}

pub(super) async fn schedule_of(
    conn: &mut SqliteConnection,
    staff_id: i64,
) -> Result<StaffSchedule, StoreError> {
    Ok(schedules(conn, Some(staff_id))
        .await?
        .remove(&staff_id)
        .map(|(schedule, _)| schedule)
        .unwrap_or_default())
}

pub(super) const DOCTOR_COLUMNS: &str = concat!(
    "s.id, s.iin, ",
    full_name_sql!("s"),
    " AS full_name, s.role, s.specialty, d.number AS district_number"
);

#[derive(sqlx::FromRow)]
pub(super) struct DoctorRow {
    id: i64,
    iin: String,
    full_name: String,
    role: String,
    specialty: Option<String>,
    district_number: Option<u32>,
}

impl From<DoctorRow> for Doctor {
    fn from(row: DoctorRow) -> Self {
        Doctor {
            id: row.id,
            iin: row.iin,
            full_name: row.full_name,
            role: row.role,
            specialty: row.specialty,
            district_number: row.district_number,
        }
    }
}

/// The home clinic's doctors and anyone else with a schedule, district
/// doctors first by district, then the others by name.
pub(crate) async fn doctors(conn: &mut SqliteConnection) -> Result<Vec<Doctor>, StoreError> {
    let rows: Vec<DoctorRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCTOR_COLUMNS} FROM staff s JOIN clinic c ON c.id = s.clinic_id AND c.is_home = 1 \
         LEFT JOIN district d ON d.id = s.district_id \
         WHERE {} \
            OR EXISTS (SELECT 1 FROM schedule_template t WHERE t.staff_id = s.id) \
         ORDER BY d.number IS NULL, d.number, full_name",
        has_role_sql!("s", "'district_doctor', 'feldsher'")
    )))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(Doctor::from).collect())
}

pub(super) async fn doctor(conn: &mut SqliteConnection, staff_id: i64) -> Result<Doctor, BookingError> {
    let row: Option<DoctorRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCTOR_COLUMNS} FROM staff s JOIN clinic c ON c.id = s.clinic_id AND c.is_home = 1 \
         LEFT JOIN district d ON d.id = s.district_id WHERE s.id = ?1"
    )))
    .bind(staff_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Doctor::from)
        .ok_or(BookingError::StaffNotFound { id: staff_id })
}

pub(crate) async fn schedule_view(pool: &SqlitePool, staff_id: i64) -> Result<ScheduleView, BookingError> {
    let mut conn = pool.acquire().await?;
    let doctor = doctor(&mut conn, staff_id).await?;
    let (schedule, ids) = schedules(&mut conn, Some(staff_id))
        .await?
        .remove(&staff_id)
        .unwrap_or_default();
    Ok(ScheduleView {
        doctor,
        templates: schedule.templates,
        exceptions: ids
            .into_iter()
            .zip(schedule.exceptions)
            .map(|(id, exception)| ExceptionView { id, exception })
            .collect(),
    })
}

pub(super) async fn insert_sessions(
    conn: &mut SqliteConnection,
    owner: (Option<i64>, Option<i64>),
    sessions: &[Session],
) -> Result<(), StoreError> {
    for session in sessions {
        sqlx::query(
            "INSERT INTO schedule_session (template_id, exception_id, weekday, starts, ends, kind, slot_minutes, room) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(owner.0)
        .bind(owner.1)
        .bind(session.weekday.number_from_monday())
        .bind(session.starts)
        .bind(session.ends)
        .bind(session.kind.as_str())
        .bind(session.slot_minutes)
        .bind(session.room.as_deref().map(str::trim).filter(|room| !room.is_empty()))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Saves a weekly template from its first day (replacing one from the same
/// day); returns the bookings from `now` on that no longer have a slot.
/// `share`: a change made here, sent to the registry as an op; `false` for
/// a schedule loaded as the state a PC starts from (the demo clinic).
pub(crate) async fn set_template(
    pool: &SqlitePool,
    staff_id: i64,
    template: &WeeklyTemplate,
    saved_by: Option<i64>,
    now: DateTime<Utc>,
    share: bool,
) -> Result<ScheduleChange, BookingError> {
    check_sessions(&template.sessions).map_err(|problem| BookingError::Schedule { problem })?;
    let mut tx = pool.begin().await?;
    doctor_or_staff(&mut tx, staff_id).await?;
    sqlx::query("DELETE FROM schedule_template WHERE staff_id = ?1 AND valid_from = ?2")
        .bind(staff_id)
        .bind(template.valid_from)
        .execute(&mut *tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schedule_template (staff_id, valid_from, saved_at, saved_by) VALUES (?1, ?2, ?3, ?4) RETURNING id",
    )
    .bind(staff_id)
    .bind(template.valid_from)
    .bind(now)
    .bind(saved_by)
    .fetch_one(&mut *tx)
    .await?;
    insert_sessions(&mut tx, (Some(id), None), &template.sessions).await?;
    if share {
        record_schedule_op(&mut tx, staff_id, saved_by, now).await?;
    }
    let displaced = displaced_bookings(&mut tx, Some(staff_id), now).await?;
    tx.commit().await?;
    Ok(ScheduleChange { displaced })
}

/// Records leave, sick days, training or changed hours.
pub(crate) async fn add_exception(
    pool: &SqlitePool,
    staff_id: i64,
    exception: &ScheduleException,
    saved_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<ScheduleChange, BookingError> {
    check_exception(exception).map_err(|problem| BookingError::Schedule { problem })?;
    let mut tx = pool.begin().await?;
    doctor_or_staff(&mut tx, staff_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schedule_exception (staff_id, first_day, last_day, kind, saved_at, saved_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
    )
    .bind(staff_id)
    .bind(exception.first_day)
    .bind(exception.last_day)
    .bind(exception.kind.as_str())
    .bind(now)
    .bind(saved_by)
    .fetch_one(&mut *tx)
    .await?;
    if exception.kind == ExceptionKind::ChangedHours {
        insert_sessions(&mut tx, (None, Some(id)), &exception.sessions).await?;
    }
    record_schedule_op(&mut tx, staff_id, saved_by, now).await?;
    let displaced = displaced_bookings(&mut tx, Some(staff_id), now).await?;
    tx.commit().await?;
    Ok(ScheduleChange { displaced })
}

pub(crate) async fn remove_exception(
    pool: &SqlitePool,
    exception_id: i64,
    saved_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<ScheduleChange, BookingError> {
    let mut tx = pool.begin().await?;
    let staff_id: Option<i64> =
        sqlx::query_scalar("DELETE FROM schedule_exception WHERE id = ?1 RETURNING staff_id")
            .bind(exception_id)
            .fetch_optional(&mut *tx)
            .await?;
    let displaced = match staff_id {
        Some(staff_id) => {
            record_schedule_op(&mut tx, staff_id, saved_by, now).await?;
            displaced_bookings(&mut tx, Some(staff_id), now).await?
        }
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(ScheduleChange { displaced })
}

pub(super) async fn doctor_or_staff(conn: &mut SqliteConnection, staff_id: i64) -> Result<(), BookingError> {
    let known: Option<i64> = sqlx::query_scalar(
        "SELECT s.id FROM staff s JOIN clinic c ON c.id = s.clinic_id AND c.is_home = 1 WHERE s.id = ?1",
    )
    .bind(staff_id)
    .fetch_optional(&mut *conn)
    .await?;
    known
        .map(|_| ())
        .ok_or(BookingError::StaffNotFound { id: staff_id })
}
