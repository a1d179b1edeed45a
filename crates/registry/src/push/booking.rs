//! Book and cancel ops: the first booking of a slot to reach the registry keeps it.

use super::*;

pub(super) async fn apply_book(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    book: &BookOp,
) -> Result<OpOutcome, RegistryError> {
    let person: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE iin = $1")
        .bind(&book.iin)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(person_id) = person else {
        return Ok(reject(RejectGround::UnknownPerson));
    };
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
    .execute(conn)
    .await?
    .rows_affected();
    Ok(if booked == 1 {
        OpOutcome::Applied
    } else {
        reject(RejectGround::SlotTaken)
    })
}

pub(super) async fn apply_cancel(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op_id: Uuid,
    cancel: &CancelBookingOp,
    now: DateTime<Utc>,
) -> Result<OpOutcome, RegistryError> {
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
    .execute(conn)
    .await?
    .rows_affected();
    Ok(if cancelled == 1 {
        OpOutcome::Applied
    } else {
        reject(RejectGround::BookingNotFound)
    })
}
