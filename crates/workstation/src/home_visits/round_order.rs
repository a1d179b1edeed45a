//! The nurse's own order of her day, kept here and shared with the clinic's
//! other PCs stop by stop (`RoundRecord`).

use emhana_protocol::{OpBody, RoundRecord, RoundStopKey};
use uuid::Uuid;

use super::rounds::{nurse, round_on};
use super::*;

/// The nurse's own order of her day's stops (the ones she moved; the rest follow).
pub(crate) async fn reorder_round(
    pool: &SqlitePool,
    nurse_id: i64,
    day: NaiveDate,
    order: &[StopRef],
    pace: RoundPace,
    now: DateTime<Utc>,
) -> Result<RoundView, HomeVisitError> {
    let mut tx = pool.begin().await?;
    nurse(&mut tx, nurse_id).await?;
    sqlx::query("DELETE FROM round_stop WHERE nurse_id = ?1 AND day = ?2")
        .bind(nurse_id)
        .bind(day)
        .execute(&mut *tx)
        .await?;
    for (position, stop) in order.iter().enumerate() {
        let (visit, call) = match stop {
            StopRef::Visit(id) => (Some(*id), None),
            StopRef::Call(id) => (None, Some(*id)),
        };
        sqlx::query(
            "INSERT INTO round_stop (nurse_id, day, position, visit_id, call_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(nurse_id)
        .bind(day)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(visit)
        .bind(call)
        .execute(&mut *tx)
        .await?;
    }
    record_round_op(&mut tx, nurse_id, day, now).await?;
    let view = round_on(&mut tx, nurse_id, day, pace).await?;
    tx.commit().await?;
    Ok(view)
}

/// The op telling the clinic's other PCs of the nurse's order of her day,
/// each stop by the record it is.
async fn record_round_op(
    conn: &mut SqliteConnection,
    nurse_id: i64,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let stops: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT v.uid, c.uid FROM round_stop r LEFT JOIN plan_visit v ON v.id = r.visit_id \
         LEFT JOIN home_call c ON c.id = r.call_id WHERE r.nurse_id = ?1 AND r.day = ?2 ORDER BY r.position",
    )
    .bind(nurse_id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    let uid = |text: &str| Uuid::parse_str(text).map_err(|_| corrupt("stop uid", text));
    let stops = stops
        .iter()
        .filter_map(|stop| match stop {
            (Some(visit), _) => Some(uid(visit).map(RoundStopKey::Visit)),
            (None, Some(call)) => Some(uid(call).map(RoundStopKey::Call)),
            (None, None) => None,
        })
        .collect::<Result<Vec<_>, _>>()?;
    let clinic_bin = store::home_clinic(&mut *conn).await?.bin;
    let nurse_iin = store::staff_iin(&mut *conn, nurse_id).await?;
    let round = RoundRecord {
        id: RoundRecord::id_for(&clinic_bin, &nurse_iin, day),
        clinic_bin,
        nurse_iin,
        day,
        stops,
    };
    store::record_op(
        conn,
        now,
        Some(nurse_id),
        &OpBody::SetRound(Box::new(round)),
        store::OpLinks::default(),
    )
    .await?;
    Ok(())
}

/// Writes a nurse's order of her day from another PC of the clinic. Stops
/// this PC does not hold (yet) are left out: they follow in route order.
/// `false` when this PC does not know the nurse yet: the caller holds it.
pub(crate) async fn receive_round(
    conn: &mut SqliteConnection,
    round: &RoundRecord,
) -> Result<bool, StoreError> {
    let Some(nurse_id) = store::staff_id_by_iin(&mut *conn, &round.nurse_iin).await? else {
        return Ok(false);
    };
    sqlx::query("DELETE FROM round_stop WHERE nurse_id = ?1 AND day = ?2")
        .bind(nurse_id)
        .bind(round.day)
        .execute(&mut *conn)
        .await?;
    let mut position = 0i64;
    for stop in &round.stops {
        let (visit, call): (Option<i64>, Option<i64>) = match stop {
            RoundStopKey::Visit(uid) => (
                sqlx::query_scalar("SELECT id FROM plan_visit WHERE uid = ?1")
                    .bind(uid.to_string())
                    .fetch_optional(&mut *conn)
                    .await?,
                None,
            ),
            RoundStopKey::Call(uid) => (
                None,
                sqlx::query_scalar("SELECT id FROM home_call WHERE uid = ?1")
                    .bind(uid.to_string())
                    .fetch_optional(&mut *conn)
                    .await?,
            ),
        };
        if visit.is_none() && call.is_none() {
            continue;
        }
        sqlx::query(
            "INSERT INTO round_stop (nurse_id, day, position, visit_id, call_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(nurse_id)
        .bind(round.day)
        .bind(position)
        .bind(visit)
        .bind(call)
        .execute(&mut *conn)
        .await?;
        position += 1;
    }
    Ok(true)
}
