//! Book, cancel and change ops: the first booking of a slot to reach the
//! registry keeps it, a person has one booking with a doctor a day, and the
//! first status change to arrive stands (a cancellation that finds the person
//! arrived is refused). A booking sent whole is kept as a clinic record and
//! carried to the clinic's other PCs.

use emhana_protocol::{BookingChange, ChangeBookingOp, Record};

use super::record::{insert_record, locked_record, unstorable, update_record};
use super::*;

pub(super) async fn apply_book(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    book: &BookOp,
) -> Result<OpOutcome, RegistryError> {
    // seed 002: only a person attached to the clinic is booked (a post's
    // person at its parent, a parent's at its post: one clinic's family)
    let person: Option<(i64, Option<NaiveDate>, Option<bool>)> = sqlx::query_as(
        "SELECT p.id, p.died_on, CASE WHEN a.id IS NOT NULL THEN coalesce(c.id = $2 OR c.parent_id = $2 \
                OR c.id = (SELECT parent_id FROM clinic WHERE id = $2), false) END \
         FROM person p LEFT JOIN attachment a ON a.person_id = p.id AND a.ended_on IS NULL \
              LEFT JOIN clinic c ON c.id = a.clinic_id \
         WHERE p.iin = $1",
    )
    .bind(&book.iin)
    .bind(workstation.clinic_id)
    .fetch_optional(&mut *conn)
    .await?;
    let person_id = match person {
        None => return Ok(reject(RejectGround::UnknownPerson)),
        Some((_, Some(_), _)) => return Ok(reject(RejectGround::PersonDied)),
        Some((_, None, None)) => return Ok(reject(RejectGround::NotAttachedHere)),
        Some((_, None, Some(false))) => return Ok(reject(RejectGround::AttachedElsewhere)),
        Some((id, None, Some(true))) => id,
    };
    if let Some(booking) = &book.booking
        && (booking.clinic_bin != workstation.clinic_bin
            || booking.staff_iin != book.slot.staff_iin
            || booking.starts_at != book.slot.starts_at
            || booking.person.iin.as_string() != book.iin)
    {
        return Ok(reject(RejectGround::Malformed {
            detail: "the booking does not match its slot".into(),
        }));
    }
    let record = book.booking.clone().map(Record::Booking);
    if let Some(record) = &record
        && let Some(refused) = unstorable(record)?
    {
        return Ok(refused);
    }
    // The person's row is locked for the push: no other push books them meanwhile.
    let (day_start, day_end) = kazakhstan_day(book.slot.starts_at);
    let same_day: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM booking WHERE person_id = $1 AND clinic_id = $2 AND staff_iin = $3 \
         AND starts_at >= $4 AND starts_at < $5 AND cancelled_at IS NULL)",
    )
    .bind(person_id)
    .bind(workstation.clinic_id)
    .bind(&book.slot.staff_iin)
    .bind(day_start)
    .bind(day_end)
    .fetch_one(&mut *conn)
    .await?;
    if same_day {
        return Ok(reject(RejectGround::SecondBookingThatDay));
    }
    // The slot's partial unique key decides between two workstations booking it at once.
    let booked = sqlx::query(
        "INSERT INTO booking (clinic_id, staff_iin, starts_at, person_id, op_id) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (clinic_id, staff_iin, starts_at) WHERE cancelled_at IS NULL DO NOTHING",
    )
    .bind(workstation.clinic_id)
    .bind(&book.slot.staff_iin)
    .bind(book.slot.starts_at)
    .bind(person_id)
    .bind(op_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if booked != 1 {
        return Ok(reject(RejectGround::SlotTaken));
    }
    if let Some(record) = &record
        && let Some(refused) = insert_record(conn, workstation, op_id, record).await?
    {
        return Ok(refused);
    }
    Ok(OpOutcome::Applied)
}

pub(super) async fn apply_cancel(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    cancel: &CancelBookingOp,
    now: DateTime<Utc>,
) -> Result<OpOutcome, RegistryError> {
    // The booking's own record first: a cancellation that finds the person
    // arrived (marked at another window) gives no slot back.
    let changed = match &cancel.change {
        Some(change) => {
            use emhana_domain::booking::BookingStatus;
            if !matches!(
                change.event.status,
                BookingStatus::Cancelled | BookingStatus::Moved
            ) {
                return Ok(reject(RejectGround::Malformed {
                    detail: "a cancellation's status is cancelled or moved".into(),
                }));
            }
            match changed_booking(conn, workstation, change).await? {
                Ok(Some(Record::Booking(booking)))
                    if booking.staff_iin != cancel.slot.staff_iin
                        || booking.starts_at != cancel.slot.starts_at =>
                {
                    return Ok(reject(RejectGround::Malformed {
                        detail: "the booking cancelled is not the slot's".into(),
                    }));
                }
                Ok(changed) => changed,
                Err(refused) => return Ok(refused),
            }
        }
        None => None,
    };
    let cancelled = sqlx::query(
        "UPDATE booking b SET cancelled_at = $5, cancel_op_id = $6 FROM person p \
         WHERE p.id = b.person_id AND b.clinic_id = $1 AND b.staff_iin = $2 AND b.starts_at = $3 \
           AND p.iin = $4 AND b.cancelled_at IS NULL",
    )
    .bind(workstation.clinic_id)
    .bind(&cancel.slot.staff_iin)
    .bind(cancel.slot.starts_at)
    .bind(&cancel.iin)
    .bind(now)
    .bind(op_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if cancelled != 1 {
        return Ok(reject(RejectGround::BookingNotFound));
    }
    if let Some(changed) = changed {
        update_record(conn, op_id, &changed).await?;
    }
    Ok(OpOutcome::Applied)
}

/// Marks a booking arrived or did not come, unless another PC changed it first.
pub(super) async fn apply_change_booking(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    op: &ChangeBookingOp,
) -> Result<OpOutcome, RegistryError> {
    use emhana_domain::booking::BookingStatus;
    if !matches!(
        op.change.event.status,
        BookingStatus::Arrived | BookingStatus::NoShow
    ) {
        return Ok(reject(RejectGround::Malformed {
            detail: "a cancellation or a move gives the slot back (cancel_booking)".into(),
        }));
    }
    match changed_booking(conn, workstation, &op.change).await? {
        Ok(Some(changed)) => {
            update_record(conn, op_id, &changed).await?;
            Ok(OpOutcome::Applied)
        }
        // a booking made before bookings were kept whole: nothing here to change
        Ok(None) => Ok(OpOutcome::Applied),
        Err(refused) => Ok(refused),
    }
}

/// The booking after the change, or the answer refusing it. `None` for a
/// booking the registry holds only as its slot (booked by a workstation from
/// before bookings were kept whole): its slot op alone decides.
async fn changed_booking(
    conn: &mut PgConnection,
    workstation: &Workstation,
    change: &BookingChange,
) -> Result<Result<Option<Record>, OpOutcome>, RegistryError> {
    let booking = match locked_record(conn, workstation, change.booking).await? {
        None => return Ok(Ok(None)),
        Some(Record::Booking(booking)) => booking,
        Some(_) => {
            return Ok(Err(reject(RejectGround::Malformed {
                detail: "the id names another kind of record".into(),
            })));
        }
    };
    Ok(match booking.apply(change) {
        Ok(changed) => Ok(Some(Record::Booking(Box::new(changed)))),
        Err(status) => Err(reject(RejectGround::BookingChanged { status })),
    })
}

/// The instants the Kazakhstan day of `at` begins and ends.
fn kazakhstan_day(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = emhana_domain::kazakhstan_date(at);
    let start = emhana_domain::time::kazakhstan_instant(day.and_time(chrono::NaiveTime::MIN));
    (start, start + Duration::days(1))
}
