//! A doctor's day and the clinic's, with every slot; the slip and the day list as printed.

use super::*;

pub(crate) async fn doctor_day(
    pool: &SqlitePool,
    staff_id: i64,
    date: NaiveDate,
) -> Result<DoctorDay, BookingError> {
    let mut conn = pool.acquire().await?;
    let doctor = doctor(&mut conn, staff_id).await?;
    let calendar = store::calendar(&mut conn, date.year(), date.year()).await?;
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
    let calendar = store::calendar(&mut conn, date.year(), date.year()).await?;
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
    let calendar = store::calendar(&mut conn, first_day.year(), last_day.year()).await?;
    let schedules = schedules(&mut conn, None).await?;
    Ok(schedules
        .into_iter()
        .map(|(staff_id, (schedule, _))| (staff_id, schedule.slots_between(&calendar, first_day, last_day)))
        .collect())
}

pub(crate) async fn slip(pool: &SqlitePool, id: i64) -> Result<BookingSlip, BookingError> {
    let mut conn = pool.acquire().await?;
    let booking = booking_view(&mut conn, id).await?;
    let specialty: Option<String> = sqlx::query_scalar("SELECT specialty FROM staff WHERE id = ?1")
        .bind(booking.staff_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(BookingSlip {
        clinic: store::clinic_header(&mut conn).await?,
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
        clinic: store::clinic_header(&mut conn).await?,
        doctor: day.doctor.full_name,
        specialty: day.doctor.specialty,
        date,
        closed: day.closed,
        rows,
    })
}
