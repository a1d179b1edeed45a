//! Appointments with a doctor (DOMAIN.md §3): schedules and the working-day
//! calendar kept here, slots made from them by `emhana_domain::schedule`, the
//! pre-registration journal, and its printed slip and day list.
//!
//! Every booking, move and cancellation is written with its outbox op in one
//! transaction; a booking stays provisional until the registry confirms the
//! slot (two workstations may have booked it offline: the first to reach the
//! registry keeps it, the other's booking is cancelled here and lands in
//! "needs attention").

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};
use emhana_domain::booking::{
    BookingChannel, BookingFacts, BookingRefusal, BookingStatus, OtherClinic, PersonStanding, StatusRefusal,
    VisitReason, change_status, check_booking, masked_iin,
};
use emhana_domain::calendar::{CalendarDay, CalendarError, DayKind, WorkCalendar, check_year};
use emhana_domain::documents::{BookingSlip, ClinicHeader, DayListBooking, DayListRow, DoctorDayList};
use emhana_domain::schedule::{
    DayClosed, ExceptionKind, ScheduleError, ScheduleException, Session, SessionKind, Slot, StaffSchedule,
    WeeklyTemplate, check_exception, check_sessions,
};
use emhana_domain::{format_phone, kazakhstan_instant, kazakhstan_time};
use emhana_protocol::{BookOp, CancelBookingOp, OpBody, SlotKey};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use crate::attachment::StaffOption;
use crate::error::{StoreError, corrupt};
use crate::sync::{self, OpLinks};

/// How far ahead "next free slots" looks: the weeks a clinic opens for booking.
pub const BOOKING_HORIZON_DAYS: u32 = 28;

/// A failure of a booking, a move, a cancellation or a schedule change.
/// Nothing was written.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum BookingError {
    /// The booking rules refuse it; `field` is the form field to show it at.
    #[error("{refusal}")]
    Refused {
        field: &'static str,
        refusal: BookingRefusal,
    },
    #[error("{refusal}")]
    Status { refusal: StatusRefusal },
    #[error("{problem}")]
    Schedule { problem: ScheduleError },
    #[error("{problem}")]
    Calendar { problem: CalendarError },
    #[error("no booking with id {id}")]
    BookingNotFound { id: i64 },
    #[error("no staff member with id {id} receives appointments")]
    StaffNotFound { id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BookingError {
    fn from(error: sqlx::Error) -> Self {
        BookingError::Store(error.into())
    }
}

fn refused(refusal: BookingRefusal) -> BookingError {
    BookingError::Refused {
        field: refusal.field(),
        refusal,
    }
}

/// A staff member who receives appointments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doctor {
    pub id: i64,
    pub iin: String,
    pub full_name: String,
    pub role: String,
    pub specialty: Option<String>,
    pub district_number: Option<u32>,
}

/// A booking as the journal and the person card show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingView {
    pub id: i64,
    /// "2026/17"
    pub number: String,
    pub person_id: i64,
    pub person_name: String,
    pub iin: String,
    pub phone: Option<String>,
    pub staff_id: i64,
    pub doctor: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub room: Option<String>,
    pub reason: VisitReason,
    pub channel: BookingChannel,
    pub status: BookingStatus,
    /// True until the central registry confirms the slot.
    pub provisional: bool,
    pub moved_from: Option<i64>,
    pub made_at: DateTime<Utc>,
}

/// One status a booking took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingEvent {
    pub at: DateTime<Utc>,
    pub status: BookingStatus,
    pub staff: Option<String>,
    pub note: Option<String>,
}

/// A booking with its status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingDetail {
    pub booking: BookingView,
    pub history: Vec<BookingEvent>,
}

/// What the booking form opens with for a person.
#[derive(Debug, Clone, Serialize)]
pub struct BookingOptions {
    pub person_id: i64,
    pub person_name: String,
    pub iin: String,
    pub standing: PersonStanding,
    /// Why the person cannot be booked here at all, shown before any slot.
    pub refusal: Option<BookingRefusal>,
    pub doctors: Vec<Doctor>,
    /// The doctor of the person's own district (at a feldsher post, its
    /// feldsher), preselected; none when the district has neither.
    pub district_doctor_id: Option<i64>,
    /// The preselected doctor's nearest free slots (12).
    pub free: Vec<Slot>,
    /// The person's bookings from today on, active ones first.
    pub upcoming: Vec<BookingView>,
    /// Who may book at the window, registrars first.
    pub registrars: Vec<StaffOption>,
}

/// The booking form as the registrar fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingForm {
    pub person_id: i64,
    pub staff_id: i64,
    pub starts_at: NaiveDateTime,
    pub reason: VisitReason,
    pub channel: BookingChannel,
    pub registrar_id: Option<i64>,
}

/// One slot of a doctor's day, with its booking if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayRow {
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub room: Option<String>,
    pub booking: Option<BookingView>,
}

/// A doctor's day: every slot, booked or free, and bookings the schedule no
/// longer has a slot for (to be moved).
#[derive(Debug, Clone, Serialize)]
pub struct DoctorDay {
    pub doctor: Doctor,
    pub date: NaiveDate,
    pub closed: Option<DayClosed>,
    pub sessions: Vec<Session>,
    pub rows: Vec<DayRow>,
    pub off_schedule: Vec<BookingView>,
    pub counts: DayCounts,
}

/// One doctor's line in the clinic's day.
#[derive(Debug, Clone, Serialize)]
pub struct ClinicDayLine {
    pub doctor: Doctor,
    pub closed: Option<DayClosed>,
    pub first_slot: Option<NaiveDateTime>,
    pub last_slot_end: Option<NaiveDateTime>,
    #[serde(flatten)]
    pub counts: DayCounts,
}

/// How a doctor's day is filled: the one count both day views show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DayCounts {
    pub slots: usize,
    pub booked: usize,
    pub arrived: usize,
    pub no_show: usize,
    /// Slots no active booking holds.
    pub free: usize,
}

impl DayCounts {
    fn of(slots: usize, statuses: impl IntoIterator<Item = BookingStatus>) -> DayCounts {
        let mut counts = DayCounts {
            slots,
            ..DayCounts::default()
        };
        for status in statuses {
            match status {
                BookingStatus::Booked => counts.booked += 1,
                BookingStatus::Arrived => counts.arrived += 1,
                BookingStatus::NoShow => counts.no_show += 1,
                BookingStatus::Cancelled | BookingStatus::Moved => {}
            }
        }
        counts.free = slots.saturating_sub(counts.booked + counts.arrived);
        counts
    }
}

/// A saved schedule change and the bookings it leaves without a slot.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleChange {
    pub displaced: Vec<BookingView>,
}

/// A staff member's schedule with the rows' ids, for the editor.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    pub doctor: Doctor,
    pub templates: Vec<WeeklyTemplate>,
    pub exceptions: Vec<ExceptionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptionView {
    pub id: i64,
    #[serde(flatten)]
    pub exception: ScheduleException,
}

// ---------------------------------------------------------------- calendar

/// The working-day calendar for the years from `first` to `last`: the days
/// kept here, and the law's defaults for a year with none.
pub(crate) async fn calendar(
    conn: &mut SqliteConnection,
    first: i32,
    last: i32,
) -> Result<WorkCalendar, StoreError> {
    let rows: Vec<(NaiveDate, String, Option<u32>, String)> =
        sqlx::query_as("SELECT date, kind, works_as, name FROM calendar_day WHERE date >= ?1 AND date < ?2")
            .bind(format!("{first:04}-01-01"))
            .bind(format!("{:04}-01-01", last + 1))
            .fetch_all(&mut *conn)
            .await?;
    let mut years = BTreeSet::new();
    let mut days = Vec::with_capacity(rows.len());
    for (date, kind, works_as, name) in rows {
        years.insert(date.year());
        days.push(CalendarDay {
            date,
            kind: DayKind::parse(&kind).ok_or_else(|| corrupt("calendar day kind", &kind))?,
            works_as: works_as.map(weekday_from_number).transpose()?,
            name,
        });
    }
    for year in first..=last {
        if !years.contains(&year) {
            days.extend(WorkCalendar::law_defaults(year));
        }
    }
    Ok(WorkCalendar::new(days))
}

/// The days of `year` as kept (or the law's defaults when none are).
pub(crate) async fn calendar_year(pool: &SqlitePool, year: i32) -> Result<Vec<CalendarDay>, StoreError> {
    let mut conn = pool.acquire().await?;
    Ok(calendar(&mut conn, year, year).await?.days().cloned().collect())
}

/// Replaces the days of `year`; returns the bookings from `now` on that the
/// new calendar leaves on a closed day.
pub(crate) async fn set_calendar_year(
    pool: &SqlitePool,
    year: i32,
    days: &[CalendarDay],
    now: DateTime<Utc>,
) -> Result<ScheduleChange, BookingError> {
    check_year(year, days).map_err(|problem| BookingError::Calendar { problem })?;
    let mut tx = pool.begin().await?;
    replace_calendar_year(&mut tx, year, days).await?;
    let displaced = displaced_bookings(&mut tx, None, now).await?;
    tx.commit().await?;
    Ok(ScheduleChange { displaced })
}

pub(crate) async fn replace_calendar_year(
    conn: &mut SqliteConnection,
    year: i32,
    days: &[CalendarDay],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM calendar_day WHERE date >= ?1 AND date < ?2")
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{:04}-01-01", year + 1))
        .execute(&mut *conn)
        .await?;
    for day in days {
        sqlx::query("INSERT INTO calendar_day (date, kind, works_as, name) VALUES (?1, ?2, ?3, ?4)")
            .bind(day.date)
            .bind(day.kind.as_str())
            .bind(day.works_as.map(|w| w.number_from_monday()))
            .bind(&day.name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn weekday_from_number(number: u32) -> Result<Weekday, StoreError> {
    Weekday::try_from(u8::try_from(number.wrapping_sub(1)).unwrap_or(u8::MAX))
        .map_err(|_| corrupt("weekday", &number.to_string()))
}

// ---------------------------------------------------------------- schedules

#[derive(sqlx::FromRow)]
struct SessionRow {
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
            weekday: weekday_from_number(weekday)?,
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

async fn schedule_of(conn: &mut SqliteConnection, staff_id: i64) -> Result<StaffSchedule, StoreError> {
    Ok(schedules(conn, Some(staff_id))
        .await?
        .remove(&staff_id)
        .map(|(schedule, _)| schedule)
        .unwrap_or_default())
}

const DOCTOR_COLUMNS: &str = concat!(
    "s.id, s.iin, ",
    full_name_sql!("s"),
    " AS full_name, s.role, s.specialty, d.number AS district_number"
);

#[derive(sqlx::FromRow)]
struct DoctorRow {
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
         WHERE s.role IN ('district_doctor', 'feldsher') \
            OR EXISTS (SELECT 1 FROM schedule_template t WHERE t.staff_id = s.id) \
         ORDER BY d.number IS NULL, d.number, full_name"
    )))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(Doctor::from).collect())
}

async fn doctor(conn: &mut SqliteConnection, staff_id: i64) -> Result<Doctor, BookingError> {
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

async fn insert_sessions(
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
pub(crate) async fn set_template(
    pool: &SqlitePool,
    staff_id: i64,
    template: &WeeklyTemplate,
    saved_by: Option<i64>,
    now: DateTime<Utc>,
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
    let displaced = displaced_bookings(&mut tx, Some(staff_id), now).await?;
    tx.commit().await?;
    Ok(ScheduleChange { displaced })
}

pub(crate) async fn remove_exception(
    pool: &SqlitePool,
    exception_id: i64,
    now: DateTime<Utc>,
) -> Result<ScheduleChange, BookingError> {
    let mut tx = pool.begin().await?;
    let staff_id: Option<i64> =
        sqlx::query_scalar("DELETE FROM schedule_exception WHERE id = ?1 RETURNING staff_id")
            .bind(exception_id)
            .fetch_optional(&mut *tx)
            .await?;
    let displaced = match staff_id {
        Some(staff_id) => displaced_bookings(&mut tx, Some(staff_id), now).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(ScheduleChange { displaced })
}

async fn doctor_or_staff(conn: &mut SqliteConnection, staff_id: i64) -> Result<(), BookingError> {
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

// ---------------------------------------------------------------- bookings

const BOOKING_SELECT: &str = concat!(
    "SELECT b.id, b.year || '/' || b.number AS number, b.person_id, ",
    full_name_sql!("p"),
    " AS person_name, p.iin, p.phone, b.staff_id, ",
    full_name_sql!("s"),
    " AS doctor, b.starts_at, b.ends_at, b.room, b.reason, b.channel, b.status, \
     b.registry_confirmed_at IS NULL AS provisional, b.moved_from, b.made_at \
     FROM booking b JOIN person p ON p.id = b.person_id JOIN staff s ON s.id = b.staff_id "
);

#[derive(sqlx::FromRow)]
struct BookingRow {
    id: i64,
    number: String,
    person_id: i64,
    person_name: String,
    iin: String,
    phone: Option<String>,
    staff_id: i64,
    doctor: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    room: Option<String>,
    reason: String,
    channel: String,
    status: String,
    provisional: bool,
    moved_from: Option<i64>,
    made_at: DateTime<Utc>,
}

impl TryFrom<BookingRow> for BookingView {
    type Error = StoreError;

    fn try_from(row: BookingRow) -> Result<Self, StoreError> {
        Ok(BookingView {
            reason: VisitReason::parse(&row.reason).ok_or_else(|| corrupt("visit reason", &row.reason))?,
            channel: BookingChannel::parse(&row.channel)
                .ok_or_else(|| corrupt("booking channel", &row.channel))?,
            status: BookingStatus::parse(&row.status)
                .ok_or_else(|| corrupt("booking status", &row.status))?,
            id: row.id,
            number: row.number,
            person_id: row.person_id,
            person_name: row.person_name,
            iin: row.iin,
            phone: row.phone.as_deref().map(format_phone),
            staff_id: row.staff_id,
            doctor: row.doctor,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            room: row.room,
            provisional: row.provisional,
            moved_from: row.moved_from,
            made_at: row.made_at,
        })
    }
}

async fn bookings_where(
    conn: &mut SqliteConnection,
    condition: &'static str,
    binds: (Option<i64>, Option<String>, Option<String>),
) -> Result<Vec<BookingView>, StoreError> {
    let rows: Vec<BookingRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{BOOKING_SELECT} WHERE {condition}")))
            .bind(binds.0)
            .bind(binds.1)
            .bind(binds.2)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(BookingView::try_from).collect()
}

async fn booking_view(conn: &mut SqliteConnection, id: i64) -> Result<BookingView, BookingError> {
    bookings_where(
        conn,
        "b.id = ?1 AND ?2 IS NULL AND ?3 IS NULL",
        (Some(id), None, None),
    )
    .await?
    .pop()
    .ok_or(BookingError::BookingNotFound { id })
}

/// Active bookings from `now` on (of one doctor, or all) that the schedule
/// and calendar no longer give a slot for.
async fn displaced_bookings(
    conn: &mut SqliteConnection,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<BookingView>, StoreError> {
    let from = kazakhstan_time(now);
    let active = bookings_where(
        conn,
        "b.status = 'booked' AND (?1 IS NULL OR b.staff_id = ?1) AND b.starts_at >= ?2 AND ?3 IS NULL \
         ORDER BY b.starts_at",
        (staff_id, Some(from.format("%Y-%m-%d %H:%M:%S").to_string()), None),
    )
    .await?;
    let Some(last) = active.last().map(|b| b.starts_at.date()) else {
        return Ok(Vec::new());
    };
    let calendar = calendar(conn, from.year(), last.year()).await?;
    let schedules = schedules(conn, staff_id).await?;
    let mut slots: HashMap<(i64, NaiveDate), HashSet<NaiveDateTime>> = HashMap::new();
    let mut displaced = Vec::new();
    for booking in active {
        let day = booking.starts_at.date();
        let starts = slots.entry((booking.staff_id, day)).or_insert_with(|| {
            schedules
                .get(&booking.staff_id)
                .map(|(schedule, _)| {
                    schedule
                        .slots_on(&calendar, day)
                        .into_iter()
                        .map(|s| s.starts)
                        .collect()
                })
                .unwrap_or_default()
        });
        if !starts.contains(&booking.starts_at) {
            displaced.push(booking);
        }
    }
    Ok(displaced)
}

pub(crate) async fn displaced(pool: &SqlitePool, now: DateTime<Utc>) -> Result<Vec<BookingView>, StoreError> {
    let mut conn = pool.acquire().await?;
    displaced_bookings(&mut conn, None, now).await
}

/// The person's standing with the home clinic on `today`, and the district
/// they are attached to here.
pub(crate) async fn standing(
    conn: &mut SqliteConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<(PersonStanding, Option<i64>), StoreError> {
    let died_on: Option<Option<NaiveDate>> = sqlx::query_scalar("SELECT died_on FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?;
    let died_on = died_on.ok_or(StoreError::PersonNotFound { id: person_id })?;
    if died_on.is_some_and(|died| died <= today) {
        return Ok((PersonStanding::Deceased, None));
    }
    let open: Option<(i64, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT c.is_home, c.bin, c.name_kk, c.name_ru, a.district_id FROM attachment a \
         JOIN clinic c ON c.id = a.clinic_id \
         WHERE a.person_id = ?1 AND a.started_on <= ?2 AND (a.ended_on IS NULL OR a.ended_on > ?2) \
         ORDER BY a.started_on DESC LIMIT 1",
    )
    .bind(person_id)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match open {
        Some((1, _, _, _, district_id)) => (PersonStanding::AttachedHere, district_id),
        Some((_, bin, name_kk, name_ru, _)) => (
            PersonStanding::AttachedElsewhere {
                clinic: Some(OtherClinic {
                    bin,
                    name_kk,
                    name_ru,
                }),
            },
            None,
        ),
        None => (PersonStanding::NotAttached, None),
    })
}

fn standing_refusal(standing: &PersonStanding) -> Option<BookingRefusal> {
    match standing {
        PersonStanding::AttachedHere => None,
        PersonStanding::AttachedElsewhere { clinic } => Some(BookingRefusal::AttachedElsewhere {
            clinic: clinic.clone(),
        }),
        PersonStanding::NotAttached => Some(BookingRefusal::NotAttached),
        PersonStanding::Deceased => Some(BookingRefusal::PersonDeceased),
    }
}

/// Starts of the doctor's active bookings from `from` on (the slots taken).
async fn taken_from(
    conn: &mut SqliteConnection,
    staff_id: i64,
    from: NaiveDateTime,
) -> Result<HashSet<NaiveDateTime>, StoreError> {
    let taken: Vec<NaiveDateTime> = sqlx::query_scalar(
        "SELECT starts_at FROM booking WHERE staff_id = ?1 AND starts_at >= ?2 AND status IN ('booked', 'arrived')",
    )
    .bind(staff_id)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    Ok(taken.into_iter().collect())
}

/// Up to `limit` free slots of the doctor from `from` (not before now).
pub(crate) async fn free_slots(
    pool: &SqlitePool,
    staff_id: i64,
    from: Option<NaiveDateTime>,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, StoreError> {
    let mut conn = pool.acquire().await?;
    free_slots_on(&mut conn, staff_id, from, limit, now).await
}

async fn free_slots_on(
    conn: &mut SqliteConnection,
    staff_id: i64,
    from: Option<NaiveDateTime>,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, StoreError> {
    let now = kazakhstan_time(now);
    let after = from.map_or(now, |from| from.max(now));
    let horizon = after.date() + TimeDelta::days(i64::from(BOOKING_HORIZON_DAYS));
    let calendar = calendar(conn, after.year(), horizon.year()).await?;
    let schedule = schedule_of(conn, staff_id).await?;
    let taken = taken_from(conn, staff_id, after).await?;
    Ok(
        schedule.next_free_slots(&calendar, after, limit, BOOKING_HORIZON_DAYS, |starts| {
            taken.contains(&starts)
        }),
    )
}

/// The person's bookings from `today` on, active ones first.
async fn upcoming_of(
    conn: &mut SqliteConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<Vec<BookingView>, StoreError> {
    bookings_where(
        conn,
        "b.person_id = ?1 AND b.starts_at >= ?2 AND ?3 IS NULL \
         ORDER BY b.status NOT IN ('booked', 'arrived'), b.starts_at",
        (Some(person_id), Some(today.format("%Y-%m-%d").to_string()), None),
    )
    .await
}

/// The person's bookings from `today` on, as the person card lists them.
pub(crate) async fn person_bookings(
    pool: &SqlitePool,
    person_id: i64,
    today: NaiveDate,
) -> Result<Vec<BookingView>, StoreError> {
    let mut conn = pool.acquire().await?;
    upcoming_of(&mut conn, person_id, today).await
}

pub(crate) async fn options(
    pool: &SqlitePool,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<BookingOptions, StoreError> {
    let mut conn = pool.acquire().await?;
    let today = kazakhstan_time(now).date();
    let (standing, district_id) = standing(&mut conn, person_id, today).await?;
    let (person_name, iin): (String, String) = sqlx::query_as(concat!(
        "SELECT ",
        full_name_sql!(),
        ", iin FROM person WHERE id = ?1"
    ))
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    let doctors = doctors(&mut conn).await?;
    // the person's own district's doctor; at a feldsher post, its feldsher
    let district_doctor_id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM staff WHERE district_id = ?1 AND role IN ('district_doctor', 'feldsher') \
         ORDER BY role = 'feldsher', id LIMIT 1",
    )
    .bind(district_id)
    .fetch_optional(&mut *conn)
    .await?;
    let refusal = standing_refusal(&standing);
    let free = match (district_doctor_id, &refusal) {
        (Some(doctor), None) => free_slots_on(&mut conn, doctor, None, 12, now).await?,
        _ => Vec::new(),
    };
    let upcoming = upcoming_of(&mut conn, person_id, today).await?;
    let home: i64 = sqlx::query_scalar("SELECT id FROM clinic WHERE is_home = 1")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NoHomeClinic)?;
    let registrars = crate::attachment::registrars(&mut conn, home).await?;
    Ok(BookingOptions {
        registrars,
        person_id,
        person_name,
        iin,
        standing,
        refusal,
        doctors,
        district_doctor_id,
        free,
        upcoming,
    })
}

/// Checks the booking rules inside `conn`'s transaction; `moving` is the
/// booking being replaced, which does not count against the person.
async fn check(
    conn: &mut SqliteConnection,
    form: &BookingForm,
    moving: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Slot, BookingError> {
    let local_now = kazakhstan_time(now);
    let (standing, _) = standing(conn, form.person_id, local_now.date()).await?;
    if let Some(refusal) = standing_refusal(&standing) {
        return Err(refused(refusal));
    }
    doctor(conn, form.staff_id).await?;
    let day = form.starts_at.date();
    let calendar = calendar(conn, day.year(), day.year()).await?;
    let day_slots = schedule_of(conn, form.staff_id).await?.slots_on(&calendar, day);
    let slot_taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM booking WHERE staff_id = ?1 AND starts_at = ?2 AND status IN ('booked', 'arrived')",
    )
    .bind(form.staff_id)
    .bind(form.starts_at)
    .fetch_optional(&mut *conn)
    .await?;
    let same_day_booking: Option<NaiveDateTime> = sqlx::query_scalar(
        "SELECT starts_at FROM booking WHERE person_id = ?1 AND staff_id = ?2 AND substr(starts_at, 1, 10) = ?3 \
         AND status IN ('booked', 'arrived') AND id IS NOT ?4",
    )
    .bind(form.person_id)
    .bind(form.staff_id)
    .bind(day.format("%Y-%m-%d").to_string())
    .bind(moving)
    .fetch_optional(&mut *conn)
    .await?;
    let facts = BookingFacts {
        now: local_now,
        standing,
        day_slots: &day_slots,
        slot_taken: slot_taken.is_some_and(|id| Some(id) != moving),
        same_day_booking,
    };
    check_booking(form.starts_at, &facts).cloned().map_err(refused)
}

async fn insert_booking(
    conn: &mut SqliteConnection,
    form: &BookingForm,
    slot: &Slot,
    moved_from: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let year = kazakhstan_time(now).year();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO booking (year, number, person_id, staff_id, starts_at, ends_at, room, reason, channel, status, \
         moved_from, registrar_id, made_at) \
         VALUES (?1, (SELECT coalesce(max(number), 0) + 1 FROM booking WHERE year = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
         'booked', ?9, ?10, ?11) RETURNING id",
    )
    .bind(year)
    .bind(form.person_id)
    .bind(form.staff_id)
    .bind(slot.starts)
    .bind(slot.ends)
    .bind(&slot.room)
    .bind(form.reason.as_str())
    .bind(form.channel.as_str())
    .bind(moved_from)
    .bind(form.registrar_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    event(conn, id, BookingStatus::Booked, form.registrar_id, None, now).await?;
    Ok(id)
}

async fn event(
    conn: &mut SqliteConnection,
    booking_id: i64,
    status: BookingStatus,
    staff_id: Option<i64>,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO booking_event (booking_id, at, status, staff_id, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(booking_id)
    .bind(at)
    .bind(status.as_str())
    .bind(staff_id)
    .bind(note)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The slot as the registry keys it: the clinic, the doctor's IIN, the instant.
async fn slot_key(
    conn: &mut SqliteConnection,
    staff_id: i64,
    starts: NaiveDateTime,
) -> Result<SlotKey, StoreError> {
    let (clinic_bin, staff_iin): (String, String) = sqlx::query_as(
        "SELECT c.bin, s.iin FROM staff s JOIN clinic c ON c.id = s.clinic_id WHERE s.id = ?1",
    )
    .bind(staff_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(SlotKey {
        clinic_bin,
        staff_iin,
        starts_at: kazakhstan_instant(starts),
    })
}

async fn person_iin(conn: &mut SqliteConnection, person_id: i64) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT iin FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::PersonNotFound { id: person_id })
}

/// A booking's slot as an op carries it.
struct SlotOp {
    booking_id: i64,
    person_id: i64,
    staff_id: i64,
    starts: NaiveDateTime,
    /// Book the slot, or give it back.
    book: bool,
}

async fn record_slot_op(
    conn: &mut SqliteConnection,
    op: SlotOp,
    actor: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let slot = slot_key(conn, op.staff_id, op.starts).await?;
    let iin = person_iin(conn, op.person_id).await?;
    let body = if op.book {
        OpBody::Book(BookOp { slot, iin })
    } else {
        OpBody::CancelBooking(CancelBookingOp { slot, iin })
    };
    let links = OpLinks {
        person_id: Some(op.person_id),
        booking_id: Some(op.booking_id),
        ..OpLinks::default()
    };
    sync::record_op(conn, now, actor, &body, links).await?;
    Ok(())
}

/// Books the slot: the booking, its first status and its op, in one transaction.
pub(crate) async fn book(
    pool: &SqlitePool,
    form: &BookingForm,
    now: DateTime<Utc>,
) -> Result<BookingView, BookingError> {
    let mut tx = pool.begin().await?;
    let slot = check(&mut tx, form, None, now).await?;
    let id = insert_booking(&mut tx, form, &slot, None, now).await?;
    let op = SlotOp {
        booking_id: id,
        person_id: form.person_id,
        staff_id: form.staff_id,
        starts: slot.starts,
        book: true,
    };
    record_slot_op(&mut tx, op, form.registrar_id, now).await?;
    let view = booking_view(&mut tx, id).await?;
    tx.commit().await?;
    Ok(view)
}

#[derive(sqlx::FromRow)]
struct CurrentBooking {
    person_id: i64,
    staff_id: i64,
    starts_at: NaiveDateTime,
    status: String,
    reason: String,
    channel: String,
}

async fn current(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<(CurrentBooking, BookingStatus), BookingError> {
    let row: CurrentBooking = sqlx::query_as(
        "SELECT person_id, staff_id, starts_at, status, reason, channel FROM booking WHERE id = ?1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(BookingError::BookingNotFound { id })?;
    let status = BookingStatus::parse(&row.status).ok_or_else(|| corrupt("booking status", &row.status))?;
    Ok((row, status))
}

async fn set_status(
    conn: &mut SqliteConnection,
    id: i64,
    status: BookingStatus,
    staff_id: Option<i64>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE booking SET status = ?2 WHERE id = ?1")
        .bind(id)
        .bind(status.as_str())
        .execute(&mut *conn)
        .await?;
    event(conn, id, status, staff_id, note, now).await
}

/// Moves a booking to another slot (of the same or another doctor): the old
/// one becomes `moved`, a new one is made with `moved_from`; the registry
/// gets the cancellation and the new booking as two ops.
pub(crate) async fn move_booking(
    pool: &SqlitePool,
    id: i64,
    staff_id: i64,
    starts_at: NaiveDateTime,
    registrar_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<BookingView, BookingError> {
    let mut tx = pool.begin().await?;
    let (old, status) = current(&mut tx, id).await?;
    let today = kazakhstan_time(now).date();
    change_status(status, BookingStatus::Moved, old.starts_at.date(), today)
        .map_err(|refusal| BookingError::Status { refusal })?;
    let form = BookingForm {
        person_id: old.person_id,
        staff_id,
        starts_at,
        reason: VisitReason::parse(&old.reason).ok_or_else(|| corrupt("visit reason", &old.reason))?,
        channel: BookingChannel::parse(&old.channel)
            .ok_or_else(|| corrupt("booking channel", &old.channel))?,
        registrar_id,
    };
    let slot = check(&mut tx, &form, Some(id), now).await?;
    set_status(&mut tx, id, BookingStatus::Moved, registrar_id, None, now).await?;
    let cancel = SlotOp {
        booking_id: id,
        person_id: old.person_id,
        staff_id: old.staff_id,
        starts: old.starts_at,
        book: false,
    };
    record_slot_op(&mut tx, cancel, registrar_id, now).await?;
    let new_id = insert_booking(&mut tx, &form, &slot, Some(id), now).await?;
    let book = SlotOp {
        booking_id: new_id,
        person_id: form.person_id,
        staff_id,
        starts: slot.starts,
        book: true,
    };
    record_slot_op(&mut tx, book, registrar_id, now).await?;
    let view = booking_view(&mut tx, new_id).await?;
    tx.commit().await?;
    Ok(view)
}

/// Cancels a booking, or marks the person arrived or absent.
pub(crate) async fn change(
    pool: &SqlitePool,
    id: i64,
    to: BookingStatus,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<BookingView, BookingError> {
    let mut tx = pool.begin().await?;
    let (booking, from) = current(&mut tx, id).await?;
    let today = kazakhstan_time(now).date();
    // A move goes through move_booking, which makes the new booking too.
    if to == BookingStatus::Moved || to == BookingStatus::Booked {
        return Err(BookingError::Status {
            refusal: StatusRefusal::NotFrom { from, to },
        });
    }
    change_status(from, to, booking.starts_at.date(), today)
        .map_err(|refusal| BookingError::Status { refusal })?;
    set_status(&mut tx, id, to, staff_id, None, now).await?;
    // came to the doctor: the plan's doctor's or specialist's visit it makes is done
    if to == BookingStatus::Arrived {
        crate::home_visits::close_visits_by_attendance(
            &mut tx,
            booking.person_id,
            booking.staff_id,
            booking.starts_at.date(),
            staff_id,
            now,
        )
        .await?;
    }
    if to == BookingStatus::Cancelled {
        let cancel = SlotOp {
            booking_id: id,
            person_id: booking.person_id,
            staff_id: booking.staff_id,
            starts: booking.starts_at,
            book: false,
        };
        record_slot_op(&mut tx, cancel, staff_id, now).await?;
    }
    let view = booking_view(&mut tx, id).await?;
    tx.commit().await?;
    Ok(view)
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: DateTime<Utc>,
    status: String,
    staff: Option<String>,
    note: Option<String>,
}

/// The journal of a day: every booking for a visit that day, whatever its
/// status, in time order.
pub(crate) async fn journal(pool: &SqlitePool, date: NaiveDate) -> Result<Vec<BookingView>, StoreError> {
    let mut conn = pool.acquire().await?;
    bookings_where(
        &mut conn,
        "substr(b.starts_at, 1, 10) = ?2 AND ?1 IS NULL AND ?3 IS NULL ORDER BY b.starts_at, b.staff_id, b.id",
        (None, Some(date.format("%Y-%m-%d").to_string()), None),
    )
    .await
}

pub(crate) async fn detail(pool: &SqlitePool, id: i64) -> Result<BookingDetail, BookingError> {
    let mut conn = pool.acquire().await?;
    let booking = booking_view(&mut conn, id).await?;
    let rows: Vec<EventRow> = sqlx::query_as(concat!(
        "SELECT e.at, e.status, ",
        full_name_sql!("s"),
        " AS staff, e.note FROM booking_event e LEFT JOIN staff s ON s.id = e.staff_id \
         WHERE e.booking_id = ?1 ORDER BY e.id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let history = rows
        .into_iter()
        .map(|row| {
            Ok(BookingEvent {
                at: row.at,
                status: BookingStatus::parse(&row.status)
                    .ok_or_else(|| corrupt("booking status", &row.status))?,
                staff: row.staff,
                note: row.note,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(BookingDetail { booking, history })
}

/// The answer of the registry to a book op: confirmed, or the slot went to
/// another workstation first and this booking is cancelled here.
pub(crate) async fn record_answer(
    conn: &mut SqliteConnection,
    booking_id: i64,
    kind: &str,
    confirmed: bool,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if kind != "book" {
        return Ok(());
    }
    if confirmed {
        sqlx::query("UPDATE booking SET registry_confirmed_at = ?2 WHERE id = ?1")
            .bind(booking_id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    let active: Option<i64> =
        sqlx::query_scalar("SELECT id FROM booking WHERE id = ?1 AND status IN ('booked', 'arrived')")
            .bind(booking_id)
            .fetch_optional(&mut *conn)
            .await?;
    if active.is_some() {
        set_status(
            conn,
            booking_id,
            BookingStatus::Cancelled,
            None,
            Some("slot_taken_at_registry"),
            at,
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- days

pub(crate) async fn doctor_day(
    pool: &SqlitePool,
    staff_id: i64,
    date: NaiveDate,
) -> Result<DoctorDay, BookingError> {
    let mut conn = pool.acquire().await?;
    let doctor = doctor(&mut conn, staff_id).await?;
    let calendar = calendar(&mut conn, date.year(), date.year()).await?;
    let schedule = schedule_of(&mut conn, staff_id).await?;
    let (closed, sessions) = match schedule.day(&calendar, date) {
        Ok(sessions) => (None, sessions.into_iter().cloned().collect()),
        Err(closed) => (Some(closed), Vec::new()),
    };
    let slots = schedule.slots_on(&calendar, date);
    let bookings = bookings_where(
        &mut conn,
        "b.staff_id = ?1 AND substr(b.starts_at, 1, 10) = ?2 AND ?3 IS NULL ORDER BY b.starts_at, b.id",
        (Some(staff_id), Some(date.format("%Y-%m-%d").to_string()), None),
    )
    .await?;
    // A slot shows its active booking, else the last inactive one (a no-show stays visible).
    let mut by_start: HashMap<NaiveDateTime, BookingView> = HashMap::new();
    for booking in &bookings {
        let keep = by_start
            .get(&booking.starts_at)
            .is_none_or(|kept| booking.status.is_active() || !kept.status.is_active());
        if keep && booking.status != BookingStatus::Moved && booking.status != BookingStatus::Cancelled {
            by_start.insert(booking.starts_at, booking.clone());
        }
    }
    let starts: HashSet<NaiveDateTime> = slots.iter().map(|slot| slot.starts).collect();
    let counts = DayCounts::of(slots.len(), bookings.iter().map(|b| b.status));
    let rows = slots
        .into_iter()
        .map(|slot| DayRow {
            booking: by_start.remove(&slot.starts),
            starts: slot.starts,
            ends: slot.ends,
            room: slot.room,
        })
        .collect();
    let off_schedule = bookings
        .into_iter()
        .filter(|b| b.status.is_active() && !starts.contains(&b.starts_at))
        .collect();
    Ok(DoctorDay {
        doctor,
        date,
        closed,
        sessions,
        rows,
        off_schedule,
        counts,
    })
}

pub(crate) async fn clinic_day(pool: &SqlitePool, date: NaiveDate) -> Result<Vec<ClinicDayLine>, StoreError> {
    let mut conn = pool.acquire().await?;
    let doctors = doctors(&mut conn).await?;
    let calendar = calendar(&mut conn, date.year(), date.year()).await?;
    let schedules = schedules(&mut conn, None).await?;
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT staff_id, status FROM booking WHERE substr(starts_at, 1, 10) = ?1")
            .bind(date.format("%Y-%m-%d").to_string())
            .fetch_all(&mut *conn)
            .await?;
    let mut statuses: HashMap<i64, Vec<BookingStatus>> = HashMap::new();
    for (staff_id, status) in rows {
        let status = BookingStatus::parse(&status).ok_or_else(|| corrupt("booking status", &status))?;
        statuses.entry(staff_id).or_default().push(status);
    }
    let empty = StaffSchedule::default();
    Ok(doctors
        .into_iter()
        .map(|doctor| {
            let schedule = schedules.get(&doctor.id).map_or(&empty, |(schedule, _)| schedule);
            let closed = schedule.day(&calendar, date).err();
            let slots = schedule.slots_on(&calendar, date);
            let counts = DayCounts::of(
                slots.len(),
                statuses.get(&doctor.id).into_iter().flatten().copied(),
            );
            ClinicDayLine {
                closed,
                first_slot: slots.first().map(|s| s.starts),
                last_slot_end: slots.last().map(|s| s.ends),
                counts,
                doctor,
            }
        })
        .collect())
}

/// Every doctor's slots from `first_day` to `last_day` (the benchmark's
/// "slot generation for the clinic"): the schedules and calendar read once.
pub(crate) async fn clinic_slots(
    pool: &SqlitePool,
    first_day: NaiveDate,
    last_day: NaiveDate,
) -> Result<HashMap<i64, Vec<Slot>>, StoreError> {
    let mut conn = pool.acquire().await?;
    let calendar = calendar(&mut conn, first_day.year(), last_day.year()).await?;
    let schedules = schedules(&mut conn, None).await?;
    Ok(schedules
        .into_iter()
        .map(|(staff_id, (schedule, _))| (staff_id, schedule.slots_between(&calendar, first_day, last_day)))
        .collect())
}

// ---------------------------------------------------------------- documents

pub(crate) async fn clinic_header(conn: &mut SqliteConnection) -> Result<ClinicHeader, StoreError> {
    let row: Option<(String, String, String, String, String, String)> =
        sqlx::query_as("SELECT name_kk, name_ru, bin, address, phone, hours FROM clinic WHERE is_home = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (name_kk, name_ru, bin, address, phone, hours) = row.ok_or(StoreError::NoHomeClinic)?;
    Ok(ClinicHeader {
        name_kk,
        name_ru,
        bin,
        address,
        phone,
        hours,
    })
}

pub(crate) async fn slip(pool: &SqlitePool, id: i64) -> Result<BookingSlip, BookingError> {
    let mut conn = pool.acquire().await?;
    let booking = booking_view(&mut conn, id).await?;
    let specialty: Option<String> = sqlx::query_scalar("SELECT specialty FROM staff WHERE id = ?1")
        .bind(booking.staff_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(BookingSlip {
        clinic: clinic_header(&mut conn).await?,
        number: booking.number,
        doctor: booking.doctor,
        specialty,
        room: booking.room,
        starts_at: booking.starts_at,
        person_name: booking.person_name,
        masked_iin: masked_iin(&booking.iin),
        reason: booking.reason,
        provisional: booking.provisional,
    })
}

pub(crate) async fn day_list(
    pool: &SqlitePool,
    staff_id: i64,
    date: NaiveDate,
) -> Result<DoctorDayList, BookingError> {
    let day = doctor_day(pool, staff_id, date).await?;
    let mut conn = pool.acquire().await?;
    let birth_dates: HashMap<i64, NaiveDate> = sqlx::query_as(
        "SELECT p.id, p.birth_date FROM booking b JOIN person p ON p.id = b.person_id \
         WHERE b.staff_id = ?1 AND substr(b.starts_at, 1, 10) = ?2",
    )
    .bind(staff_id)
    .bind(date.format("%Y-%m-%d").to_string())
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let listed = |booking: BookingView| DayListBooking {
        birth_date: birth_dates
            .get(&booking.person_id)
            .copied()
            .unwrap_or(NaiveDate::MIN),
        number: booking.number,
        person_name: booking.person_name,
        iin: booking.iin,
        phone: booking.phone,
        reason: booking.reason,
        status: booking.status,
    };
    let mut rows: Vec<DayListRow> = day
        .rows
        .into_iter()
        .map(|row| DayListRow {
            starts: row.starts.time(),
            ends: row.ends.time(),
            room: row.room,
            booking: row.booking.map(listed),
        })
        .collect();
    rows.extend(day.off_schedule.into_iter().map(|booking| DayListRow {
        starts: booking.starts_at.time(),
        ends: booking.ends_at.time(),
        room: booking.room.clone(),
        booking: Some(listed(booking)),
    }));
    rows.sort_by_key(|row| row.starts);
    Ok(DoctorDayList {
        clinic: clinic_header(&mut conn).await?,
        doctor: day.doctor.full_name,
        specialty: day.doctor.specialty,
        date,
        closed: day.closed,
        rows,
    })
}
