//! Appointments with a doctor (DOMAIN.md §3): schedules and the working-day
//! calendar kept here, slots made from them by `emhana_domain::schedule`, the
//! pre-registration journal, and its printed slip and day list.
//!
//! Every booking, move and cancellation is written with its outbox op in one
//! transaction; a booking stays provisional until the registry confirms the
//! slot (two workstations may have booked it offline: the first to reach the
//! registry keeps it, the other's booking is cancelled here and lands in
//! "needs attention").

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use emhana_domain::access::Action;
use emhana_domain::booking::{
    BookingChannel, BookingFacts, BookingRefusal, BookingStatus, PersonStanding, StatusRefusal, VisitReason,
    change_status, check_booking, masked_iin,
};
use emhana_domain::calendar::{CalendarDay, CalendarError, check_year};
use emhana_domain::documents::{BookingSlip, DayListBooking, DayListRow, DoctorDayList};
use emhana_domain::schedule::{
    DayClosed, ExceptionKind, ScheduleError, ScheduleException, Session, SessionKind, Slot, StaffSchedule,
    WeeklyTemplate, check_exception, check_sessions,
};
use emhana_domain::{format_phone, kazakhstan_instant, kazakhstan_time};
use emhana_protocol::{BookOp, CancelBookingOp, ChangeBookingOp, OpBody, OpOutcome, SlotKey};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use crate::Workstation;
use crate::error::{StoreError, corrupt};
use crate::store::{self, OpLinks};

mod answers;
mod book;
mod bookings;
mod days;
mod schedules;
mod shared;

pub(crate) use answers::*;
pub(crate) use book::*;
pub(crate) use bookings::*;
pub(crate) use days::*;
pub(crate) use schedules::*;
pub(crate) use shared::{booking_record, receive_booking, receive_schedule};
use shared::{last_change, record_schedule_op};

/// Schedules, the calendar, bookings and the day lists.
impl Workstation {
    /// The doctors (and anyone with a schedule) appointments are booked with.
    pub async fn doctors(&self) -> Result<Vec<Doctor>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        self::doctors(&mut conn).await
    }

    /// The working-day calendar's days of `year` (the law's defaults when none are kept).
    pub async fn calendar_year(&self, year: i32) -> Result<Vec<CalendarDay>, StoreError> {
        store::calendar_year(&self.pool, year).await
    }

    /// Replaces the calendar's days of `year`; lists the bookings it closes.
    pub async fn set_calendar_year(
        &self,
        year: i32,
        days: &[CalendarDay],
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        self.require(Action::EditCalendar).await?;
        self::set_calendar_year(&self.pool, year, days, now).await
    }

    /// The doctor's schedule as it is shared with the clinic's other PCs.
    pub async fn shared_schedule(
        &self,
        staff_id: i64,
    ) -> Result<emhana_protocol::ScheduleRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        shared::schedule_record(&mut conn, staff_id).await
    }

    pub async fn schedule(&self, staff_id: i64) -> Result<ScheduleView, BookingError> {
        self::schedule_view(&self.pool, staff_id).await
    }

    /// Saves a weekly template from its first day; never drops a booking:
    /// the ones left without a slot are listed for the registrar to move.
    pub async fn set_schedule_template(
        &self,
        staff_id: i64,
        template: &WeeklyTemplate,
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        let by = self.require(Action::EditSchedule).await?;
        self::set_template(&self.pool, staff_id, template, Some(by.staff_id), now, true).await
    }

    /// Loads a weekly template as the state this PC starts from (the demo
    /// clinic's doctors), not as a change made here: no op is sent for it.
    pub async fn load_schedule_template(
        &self,
        staff_id: i64,
        template: &WeeklyTemplate,
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        self::set_template(&self.pool, staff_id, template, None, now, false).await
    }

    pub async fn add_schedule_exception(
        &self,
        staff_id: i64,
        exception: &ScheduleException,
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        let by = self.require(Action::EditSchedule).await?;
        self::add_exception(&self.pool, staff_id, exception, Some(by.staff_id), now).await
    }

    pub async fn remove_schedule_exception(
        &self,
        exception_id: i64,
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        let by = self.require(Action::EditSchedule).await?;
        self::remove_exception(&self.pool, exception_id, Some(by.staff_id), now).await
    }

    /// Active bookings from now on that their doctor's schedule no longer has a slot for.
    pub async fn displaced_bookings(&self, now: DateTime<Utc>) -> Result<Vec<BookingView>, StoreError> {
        self::displaced(&self.pool, now).await
    }

    /// What the booking form opens with: the person's standing, the doctors,
    /// the district doctor preselected with the nearest free slots.
    pub async fn booking_options(
        &self,
        person_id: i64,
        now: DateTime<Utc>,
    ) -> Result<BookingOptions, StoreError> {
        self::options(&self.pool, person_id, now).await
    }

    /// The person's bookings from `today` on, active ones first (the person card).
    pub async fn person_bookings(
        &self,
        person_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<BookingView>, StoreError> {
        self::person_bookings(&self.pool, person_id, today).await
    }

    /// Up to `limit` free slots of a doctor from `from` (never before now).
    pub async fn free_slots(
        &self,
        staff_id: i64,
        from: Option<NaiveDateTime>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, StoreError> {
        self::free_slots(&self.pool, staff_id, from, limit, now).await
    }

    /// Books a slot (refused with the reason when the rules say no).
    pub async fn book(&self, form: &BookingForm, now: DateTime<Utc>) -> Result<BookingView, BookingError> {
        let by = self.require(Action::Book).await?;
        self::book(&self.pool, form, Some(by.staff_id), now).await
    }

    /// Moves a booking to another slot; returns the new booking.
    pub async fn move_booking(
        &self,
        booking_id: i64,
        staff_id: i64,
        starts_at: NaiveDateTime,
        now: DateTime<Utc>,
    ) -> Result<BookingView, BookingError> {
        let by = self.require(Action::Book).await?;
        self::move_booking(
            &self.pool,
            booking_id,
            staff_id,
            starts_at,
            Some(by.staff_id),
            now,
        )
        .await
    }

    /// Cancels a booking or marks the person arrived or absent.
    pub async fn set_booking_status(
        &self,
        booking_id: i64,
        status: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<BookingView, BookingError> {
        let by = self.require(Action::Book).await?;
        self::change(&self.pool, booking_id, status, Some(by.staff_id), now).await
    }

    /// The pre-registration journal of a day: every booking for a visit that
    /// day, whatever its status, in time order.
    pub async fn booking_journal(&self, date: NaiveDate) -> Result<Vec<BookingView>, StoreError> {
        self::journal(&self.pool, date).await
    }

    /// A booking as the registry keeps it (what this PC shares with the others).
    pub async fn shared_booking(
        &self,
        booking_id: i64,
    ) -> Result<emhana_protocol::BookingRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        self::booking_record(&mut conn, booking_id).await
    }

    pub async fn booking(&self, booking_id: i64) -> Result<BookingDetail, BookingError> {
        self::detail(&self.pool, booking_id).await
    }

    pub async fn doctor_day(&self, staff_id: i64, date: NaiveDate) -> Result<DoctorDay, BookingError> {
        self::doctor_day(&self.pool, staff_id, date).await
    }

    pub async fn clinic_day(&self, date: NaiveDate) -> Result<Vec<ClinicDayLine>, StoreError> {
        self::clinic_day(&self.pool, date).await
    }

    /// Every doctor's slots between two days, by staff id.
    pub async fn clinic_slots(
        &self,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, Vec<Slot>>, StoreError> {
        self::clinic_slots(&self.pool, first_day, last_day).await
    }

    /// The facts printed on a booking's slip.
    pub async fn booking_slip(&self, booking_id: i64) -> Result<BookingSlip, BookingError> {
        self::slip(&self.pool, booking_id).await
    }

    /// A doctor's day as printed (A4).
    pub async fn doctor_day_list(
        &self,
        staff_id: i64,
        date: NaiveDate,
    ) -> Result<DoctorDayList, BookingError> {
        self::day_list(&self.pool, staff_id, date).await
    }
}

/// How far ahead "next free slots" looks: the weeks a clinic opens for booking.
pub const BOOKING_HORIZON_DAYS: u32 = 28;

/// A failure of a booking, a move, a cancellation or a schedule change.
/// Nothing was written.
#[derive(Debug, thiserror::Error, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Doctor {
    pub id: i64,
    pub iin: String,
    pub full_name: String,
    pub role: String,
    pub specialty: Option<String>,
    pub district_number: Option<u32>,
}

/// A booking as the journal and the person card show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct BookingEvent {
    pub at: DateTime<Utc>,
    pub status: BookingStatus,
    pub staff: Option<String>,
    pub note: Option<String>,
}

/// A booking with its status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct BookingDetail {
    pub booking: BookingView,
    pub history: Vec<BookingEvent>,
}

/// What the booking form opens with for a person.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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
}

/// The booking form as the registrar fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct BookingForm {
    pub person_id: i64,
    pub staff_id: i64,
    pub starts_at: NaiveDateTime,
    pub reason: VisitReason,
    pub channel: BookingChannel,
}

/// One slot of a doctor's day, with its booking if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DayRow {
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub room: Option<String>,
    pub booking: Option<BookingView>,
}

/// A doctor's day: every slot, booked or free, and bookings the schedule no
/// longer has a slot for (to be moved).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ClinicDayLine {
    pub doctor: Doctor,
    pub closed: Option<DayClosed>,
    pub first_slot: Option<NaiveDateTime>,
    pub last_slot_end: Option<NaiveDateTime>,
    #[serde(flatten)]
    pub counts: DayCounts,
}

/// How a doctor's day is filled: the one count both day views show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ScheduleChange {
    pub displaced: Vec<BookingView>,
}

/// A staff member's schedule with the rows' ids, for the editor.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ScheduleView {
    pub doctor: Doctor,
    pub templates: Vec<WeeklyTemplate>,
    pub exceptions: Vec<ExceptionView>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ExceptionView {
    pub id: i64,
    #[serde(flatten)]
    pub exception: ScheduleException,
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
    store::replace_calendar_year(&mut tx, year, days).await?;
    let displaced = displaced_bookings(&mut tx, None, now).await?;
    tx.commit().await?;
    Ok(ScheduleChange { displaced })
}
