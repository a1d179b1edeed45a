//! The registry's answers to this clinic's booking ops, as `sync` hands them
//! over: a confirmed booking holds its slot; a rejected one lost the slot to
//! another workstation and is cancelled here.

use super::*;

/// Records the registry's answer to a booking op, inside sync's transaction.
/// The answer of the registry to a book op: confirmed, or the slot went to
/// another workstation first and this booking is cancelled here.
pub(crate) async fn record_answer(
    conn: &mut SqliteConnection,
    links: &OpLinks,
    kind: &str,
    outcome: &OpOutcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(booking_id) = links.booking_id else {
        return Ok(());
    };
    if kind != "book" {
        return Ok(());
    }
    if matches!(outcome, OpOutcome::Applied) {
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
        // why, for the journal: the slot, or the person's day with the doctor, taken at another window first
        let note = match outcome {
            OpOutcome::Rejected {
                ground: emhana_protocol::RejectGround::SecondBookingThatDay,
            } => "second_booking_at_registry",
            _ => "slot_taken_at_registry",
        };
        set_status(conn, booking_id, BookingStatus::Cancelled, None, Some(note), at).await?;
    }
    Ok(())
}
