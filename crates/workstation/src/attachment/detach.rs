//! Ending an attachment without a new one here (death, the clinic's
//! liquidation), and the audit event every attachment change writes.

use super::*;

pub(crate) async fn detach(
    pool: &SqlitePool,
    person_id: i64,
    reason: DetachmentReason,
    on: NaiveDate,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if on > kazakhstan_date(now) {
        return Err(StoreError::DateInFuture { date: on });
    }
    let mut tx = pool.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::PersonNotFound { id: person_id });
    }
    let (reason_text, action) = match reason {
        DetachmentReason::Died => ("died", "person_died"),
        DetachmentReason::ClinicLiquidated => ("clinic_liquidated", "detached_clinic_liquidated"),
    };
    if reason == DetachmentReason::Died {
        sqlx::query("UPDATE person SET died_on = ?2 WHERE id = ?1")
            .bind(person_id)
            .bind(on)
            .execute(&mut *tx)
            .await?;
    }
    let ended: Option<(i64, String)> = sqlx::query_as(
        "UPDATE attachment SET ended_on = max(started_on, ?2), end_reason = ?3 WHERE person_id = ?1 AND ended_on IS NULL \
         RETURNING id, (SELECT bin FROM clinic WHERE clinic.id = attachment.clinic_id)",
    )
    .bind(person_id)
    .bind(on)
    .bind(reason_text)
    .fetch_optional(&mut *tx)
    .await?;
    // The registry hears of it when the attachment was this clinic's.
    if let Some((attachment_id, bin)) = &ended
        && let Ok(home) = store::home_clinic(&mut tx).await
        && home.bin == *bin
    {
        let person = person_facts(&mut tx, person_id).await?;
        let op = OpBody::Detach(DetachOp {
            iin: person.iin,
            clinic_bin: home.bin,
            on,
            reason: match reason {
                DetachmentReason::Died => DetachReason::Died,
                DetachmentReason::ClinicLiquidated => DetachReason::ClinicLiquidated,
            },
        });
        let links = OpLinks {
            person_id: Some(person_id),
            attachment_id: None,
            ended_attachment_id: Some(*attachment_id),
            ..OpLinks::default()
        };
        store::record_op(&mut tx, now, staff_id, &op, links).await?;
    }
    audit(&mut tx, now, staff_id, action, Some(person_id), "{}").await?;
    tx.commit().await?;
    Ok(ended.is_some())
}

pub(super) async fn audit(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
    staff_id: Option<i64>,
    action: &str,
    person_id: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    store::append_audit(
        conn,
        store::AuditEntry {
            at,
            staff_id,
            action,
            person_id,
            detail,
        },
    )
    .await
}
