//! Appointments: the booking journal, doctors' days, schedules and the
//! working-day calendar, the slip and the day list.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use emhana_domain::booking::BookingStatus;
use emhana_domain::calendar::CalendarDay;
use emhana_domain::schedule::{ScheduleException, Slot, WeeklyTemplate};
use emhana_workstation::{
    BookingDetail, BookingForm, BookingOptions, BookingView, ClinicDayLine, Doctor, DoctorDay,
    ScheduleChange, ScheduleView,
};
use tauri::State;

use super::attachment::{Printed, save_and_open};
use super::workstation;
use crate::AppState;
use crate::error::CommandError;

#[tauri::command]
pub async fn doctors(state: State<'_, AppState>) -> Result<Vec<Doctor>, CommandError> {
    Ok(workstation(&state)?.doctors().await?)
}

#[tauri::command]
pub async fn booking_options(
    state: State<'_, AppState>,
    person_id: i64,
) -> Result<BookingOptions, CommandError> {
    Ok(workstation(&state)?
        .booking_options(person_id, state.clock.now())
        .await?)
}

/// The person's bookings from today on, for the person card.
#[tauri::command]
pub async fn person_bookings(
    state: State<'_, AppState>,
    person_id: i64,
) -> Result<Vec<BookingView>, CommandError> {
    Ok(workstation(&state)?
        .person_bookings(person_id, state.clock.today())
        .await?)
}

#[tauri::command]
pub async fn free_slots(
    state: State<'_, AppState>,
    staff_id: i64,
    from: Option<NaiveDateTime>,
    limit: usize,
) -> Result<Vec<Slot>, CommandError> {
    Ok(workstation(&state)?
        .free_slots(staff_id, from, limit.min(200), state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn book(state: State<'_, AppState>, form: BookingForm) -> Result<BookingView, CommandError> {
    let booked = workstation(&state)?.book(&form, state.clock.now()).await?;
    // The first booking of a slot to reach the registry keeps it: send at once.
    state.sync.sync_now();
    Ok(booked)
}

#[tauri::command]
pub async fn move_booking(
    state: State<'_, AppState>,
    booking_id: i64,
    staff_id: i64,
    starts_at: NaiveDateTime,
) -> Result<BookingView, CommandError> {
    let moved = workstation(&state)?
        .move_booking(booking_id, staff_id, starts_at, state.clock.now())
        .await?;
    // The first booking of a slot to reach the registry keeps it: send at once.
    state.sync.sync_now();
    Ok(moved)
}

#[tauri::command]
pub async fn set_booking_status(
    state: State<'_, AppState>,
    booking_id: i64,
    status: BookingStatus,
) -> Result<BookingView, CommandError> {
    let changed = workstation(&state)?
        .set_booking_status(booking_id, status, state.clock.now())
        .await?;
    // The first booking of a slot to reach the registry keeps it: send at once.
    state.sync.sync_now();
    Ok(changed)
}

#[tauri::command]
pub async fn booking(state: State<'_, AppState>, booking_id: i64) -> Result<BookingDetail, CommandError> {
    Ok(workstation(&state)?.booking(booking_id).await?)
}

#[tauri::command]
pub async fn booking_journal(
    state: State<'_, AppState>,
    date: NaiveDate,
) -> Result<Vec<BookingView>, CommandError> {
    Ok(workstation(&state)?.booking_journal(date).await?)
}

#[tauri::command]
pub async fn doctor_day(
    state: State<'_, AppState>,
    staff_id: i64,
    date: Option<NaiveDate>,
) -> Result<DoctorDay, CommandError> {
    let date = date.unwrap_or_else(|| state.clock.today());
    Ok(workstation(&state)?.doctor_day(staff_id, date).await?)
}

#[tauri::command]
pub async fn clinic_day(
    state: State<'_, AppState>,
    date: Option<NaiveDate>,
) -> Result<Vec<ClinicDayLine>, CommandError> {
    let date = date.unwrap_or_else(|| state.clock.today());
    Ok(workstation(&state)?.clinic_day(date).await?)
}

#[tauri::command]
pub async fn displaced_bookings(state: State<'_, AppState>) -> Result<Vec<BookingView>, CommandError> {
    Ok(workstation(&state)?.displaced_bookings(state.clock.now()).await?)
}

/// Prints the slip in the format the clinic chose (A6 or an 80 mm receipt).
#[tauri::command]
pub async fn print_slip(
    state: State<'_, AppState>,
    booking_id: i64,
    open: bool,
) -> Result<Printed, CommandError> {
    let workstation = workstation(&state)?;
    let printer = state.printer.as_ref().map_err(Clone::clone)?;
    let slip = workstation.booking_slip(booking_id).await?;
    let format = workstation.slip_format().await?;
    let bytes = printer.slip(&slip, format)?;
    let name = format!("slip-{}.pdf", slip.number.replace('/', "-"));
    save_and_open(&state, &name, &bytes, open).await
}

#[tauri::command]
pub async fn print_day_list(
    state: State<'_, AppState>,
    staff_id: i64,
    date: NaiveDate,
    open: bool,
) -> Result<Printed, CommandError> {
    let workstation = workstation(&state)?;
    let printer = state.printer.as_ref().map_err(Clone::clone)?;
    let list = workstation.doctor_day_list(staff_id, date).await?;
    let bytes = printer.day_list(&list)?;
    let name = format!("day-{}-{}.pdf", date.format("%Y-%m-%d"), staff_id);
    save_and_open(&state, &name, &bytes, open).await
}

#[tauri::command]
pub async fn schedule(state: State<'_, AppState>, staff_id: i64) -> Result<ScheduleView, CommandError> {
    Ok(workstation(&state)?.schedule(staff_id).await?)
}

#[tauri::command]
pub async fn set_schedule_template(
    state: State<'_, AppState>,
    staff_id: i64,
    template: WeeklyTemplate,
) -> Result<ScheduleChange, CommandError> {
    Ok(workstation(&state)?
        .set_schedule_template(staff_id, &template, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn add_schedule_exception(
    state: State<'_, AppState>,
    staff_id: i64,
    exception: ScheduleException,
) -> Result<ScheduleChange, CommandError> {
    Ok(workstation(&state)?
        .add_schedule_exception(staff_id, &exception, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn remove_schedule_exception(
    state: State<'_, AppState>,
    exception_id: i64,
) -> Result<ScheduleChange, CommandError> {
    Ok(workstation(&state)?
        .remove_schedule_exception(exception_id, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn calendar_year(
    state: State<'_, AppState>,
    year: Option<i32>,
) -> Result<Vec<CalendarDay>, CommandError> {
    let year = year.unwrap_or_else(|| state.clock.today().year());
    Ok(workstation(&state)?.calendar_year(year).await?)
}

#[tauri::command]
pub async fn set_calendar_year(
    state: State<'_, AppState>,
    year: i32,
    days: Vec<CalendarDay>,
) -> Result<ScheduleChange, CommandError> {
    Ok(workstation(&state)?
        .set_calendar_year(year, &days, state.clock.now())
        .await?)
}
