//! The booking journal: options, free slots, book, move, cancel, arrived and no-show, each with its event and op.

use super::*;

pub(super) const BOOKING_SELECT: &str = concat!(
    "SELECT b.id, b.year || '/' || b.number AS number, b.person_id, ",
    full_name_sql!("p"),
    " AS person_name, p.iin, p.phone, b.staff_id, ",
    full_name_sql!("s"),
    " AS doctor, b.starts_at, b.ends_at, b.room, b.reason, b.channel, b.status, \
     b.registry_confirmed_at IS NULL AS provisional, b.moved_from, b.made_at \
     FROM booking b JOIN person p ON p.id = b.person_id JOIN staff s ON s.id = b.staff_id "
);

#[derive(sqlx::FromRow)]
pub(super) struct BookingRow {
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

pub(super) async fn bookings_where(
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

pub(super) async fn booking_view(conn: &mut SqliteConnection, id: i64) -> Result<BookingView, BookingError> {
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
pub(super) async fn displaced_bookings(
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

pub(super) fn standing_refusal(standing: &PersonStanding) -> Option<BookingRefusal> {
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
pub(super) async fn taken_from(
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

pub(super) async fn free_slots_on(
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
pub(super) async fn upcoming_of(
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
pub(super) async fn check(
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

pub(super) async fn insert_booking(
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

pub(super) async fn event(
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
pub(super) async fn slot_key(
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

pub(super) async fn person_iin(conn: &mut SqliteConnection, person_id: i64) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT iin FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::PersonNotFound { id: person_id })
}

/// A booking's slot as an op carries it.
pub(super) struct SlotOp {
    booking_id: i64,
    person_id: i64,
    staff_id: i64,
    starts: NaiveDateTime,
    /// Book the slot, or give it back.
    book: bool,
}

pub(super) async fn record_slot_op(
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
pub(super) struct CurrentBooking {
    person_id: i64,
    staff_id: i64,
    starts_at: NaiveDateTime,
    status: String,
    reason: String,
    channel: String,
}

pub(super) async fn current(
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

pub(super) async fn set_status(
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
pub(super) struct EventRow {
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
