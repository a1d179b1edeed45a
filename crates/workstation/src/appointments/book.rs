//! Booking, moving and changing a booking's status (arrived, did not come,
//! cancelled): the rules checked in the transaction, each change written with
//! its event and its op.

use super::*;

/// Checks the booking rules inside `conn`'s transaction; `moving` is the
/// booking being replaced, which does not count against the person.
pub(super) async fn check(
    conn: &mut SqliteConnection,
    form: &BookingForm,
    moving: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Slot, BookingError> {
    let local_now = kazakhstan_time(now);
    let (standing, _) = store::standing(conn, form.person_id, local_now.date()).await?;
    if let Some(refusal) = standing_refusal(&standing) {
        return Err(refused(refusal));
    }
    doctor(conn, form.staff_id).await?;
    let day = form.starts_at.date();
    let calendar = store::calendar(conn, day.year(), day.year()).await?;
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
    registrar_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let year = kazakhstan_time(now).year();
    let number = store::next_number(&mut *conn, store::Numbered::Booking, year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO booking (year, number, person_id, staff_id, starts_at, ends_at, room, reason, channel, status, \
         moved_from, registrar_id, made_at, uid) \
         VALUES (?1, ?12, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'booked', ?9, ?10, ?11, ?13) RETURNING id",
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
    .bind(registrar_id)
    .bind(now)
    .bind(number)
    // the booking's id on every PC of the clinic and at the registry
    .bind(uuid::Uuid::now_v7().to_string())
    .fetch_one(&mut *conn)
    .await?;
    event(conn, id, BookingStatus::Booked, registrar_id, None, now).await?;
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
    let iin = store::person_iin(conn, op.person_id).await?;
    // The booking whole (or its new status) goes with the slot, for the clinic's other PCs.
    let body = if op.book {
        let booking = Some(Box::new(booking_record(conn, op.booking_id).await?));
        OpBody::Book(BookOp { slot, iin, booking })
    } else {
        let change = Some(last_change(conn, op.booking_id).await?);
        OpBody::CancelBooking(CancelBookingOp { slot, iin, change })
    };
    let links = OpLinks {
        person_id: Some(op.person_id),
        booking_id: Some(op.booking_id),
        ..OpLinks::default()
    };
    store::record_op(conn, now, actor, &body, links).await?;
    Ok(())
}

/// Books the slot: the booking, its first status and its op, in one transaction.
pub(crate) async fn book(
    pool: &SqlitePool,
    form: &BookingForm,
    registrar_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<BookingView, BookingError> {
    let mut tx = pool.begin().await?;
    let slot = check(&mut tx, form, None, now).await?;
    let id = insert_booking(&mut tx, form, &slot, None, registrar_id, now).await?;
    let op = SlotOp {
        booking_id: id,
        person_id: form.person_id,
        staff_id: form.staff_id,
        starts: slot.starts,
        book: true,
    };
    record_slot_op(&mut tx, op, registrar_id, now).await?;
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
    let new_id = insert_booking(&mut tx, &form, &slot, Some(id), registrar_id, now).await?;
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
        store::close_visits_by_attendance(
            &mut tx,
            booking.person_id,
            booking.staff_id,
            booking.starts_at.date(),
            staff_id,
            now,
        )
        .await?;
    }
    if matches!(to, BookingStatus::Arrived | BookingStatus::NoShow) {
        let body = OpBody::ChangeBooking(ChangeBookingOp {
            clinic_bin: store::home_clinic(&mut tx).await?.bin,
            person_iin: store::person_iin(&mut tx, booking.person_id).await?,
            change: last_change(&mut tx, id).await?,
        });
        let links = OpLinks {
            person_id: Some(booking.person_id),
            booking_id: Some(id),
            ..OpLinks::default()
        };
        store::record_op(&mut tx, now, staff_id, &body, links).await?;
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
