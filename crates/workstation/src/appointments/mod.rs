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

mod bookings;
mod days;
mod schedules;

pub(crate) use bookings::*;
pub(crate) use days::*;
pub(crate) use schedules::*;

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
