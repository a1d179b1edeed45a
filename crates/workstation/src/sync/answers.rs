//! The registry's answers recorded: a confirmed op no longer provisional, a rejected one undone here and listed for the registrar.

use super::*;

/// How many answers confirmed and rejected ops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AnswersRecorded {
    pub confirmed: usize,
    pub rejected: usize,
}

/// Records the registry's answers in one transaction. A confirmed attachment
/// stops being provisional. A rejected one is undone here (the provisional
/// attachment removed, the one it ended reopened), its application refused
/// when the registry refused it, and the op waits in "needs attention".
pub(crate) async fn record_answers(
    pool: &SqlitePool,
    results: &[OpResult],
    now: DateTime<Utc>,
) -> Result<AnswersRecorded, StoreError> {
    let mut tx = pool.begin().await?;
    let (home, districts) = home_and_districts(&mut tx).await?;
    let mut recorded = AnswersRecorded::default();
    for result in results {
        let row: Option<AnsweredRow> = sqlx::query_as(
            "SELECT state, person_id, application_id, attachment_id, ended_attachment_id, kind, booking_id \
             FROM outbox WHERE id = ?1",
        )
        .bind(result.op.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        // An answer to an op this workstation does not hold, or already answered: nothing to do.
        let Some(AnsweredRow {
            state,
            person_id,
            application_id,
            attachment_id,
            ended_attachment_id,
            kind,
            booking_id,
        }) = row
        else {
            continue;
        };
        if state == "confirmed" || state == "rejected" {
            continue;
        }
        match &result.outcome {
            OpOutcome::Applied => {
                sqlx::query("UPDATE outbox SET state = 'confirmed', answered_at = ?2 WHERE id = ?1")
                    .bind(result.op.to_string())
                    .bind(result.decided_at)
                    .execute(&mut *tx)
                    .await?;
                if let Some(application_id) = application_id {
                    sqlx::query("UPDATE attachment_application SET registry_confirmed_at = ?2 WHERE id = ?1")
                        .bind(application_id)
                        .bind(result.decided_at)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(booking_id) = booking_id {
                    crate::appointments::record_answer(&mut tx, booking_id, &kind, true, result.decided_at)
                        .await?;
                }
                recorded.confirmed += 1;
            }
            OpOutcome::Rejected { ground } => {
                let ground_json = serde_json::to_string(ground).map_err(|error| StoreError::Corrupt {
                    detail: format!("reject ground: {error}"),
                })?;
                sqlx::query(
                    "UPDATE outbox SET state = 'rejected', answered_at = ?2, reject_ground = ?3, attachment_id = NULL \
                     WHERE id = ?1",
                )
                .bind(result.op.to_string())
                .bind(result.decided_at)
                .bind(ground_json)
                .execute(&mut *tx)
                .await?;
                if let Some(attachment_id) = attachment_id {
                    undo_attachment(&mut tx, attachment_id, ended_attachment_id).await?;
                }
                if let Some(booking_id) = booking_id {
                    crate::appointments::record_answer(&mut tx, booking_id, &kind, false, result.decided_at)
                        .await?;
                }
                if let Some(application_id) = application_id {
                    let refusal = match ground {
                        RejectGround::AttachmentRefused { refusal } => Some(*refusal),
                        _ => None,
                    };
                    reopen_application(&mut tx, application_id, refusal, result.decided_at).await?;
                }
                sqlx::query(
                    "INSERT INTO audit_event (at, action, person_id, detail) \
                     SELECT ?1, 'registry_rejected_op', person_id, ?3 FROM outbox WHERE id = ?2",
                )
                .bind(now)
                .bind(result.op.to_string())
                .bind(serde_json::json!({ "op": result.op, "ground": ground }).to_string())
                .execute(&mut *tx)
                .await?;
                recorded.rejected += 1;
            }
        }
        if let (Some(person_id), Some(state)) = (person_id, &result.attachment) {
            reconcile_with_answer(&mut tx, person_id, (home, &districts), state, result.decided_at).await?;
        }
    }
    tx.commit().await?;
    Ok(recorded)
}

/// Removes a provisional attachment the registry did not accept and reopens
/// the one it had ended.
pub(super) async fn undo_attachment(
    conn: &mut SqliteConnection,
    attachment_id: i64,
    ended_attachment_id: Option<i64>,
) -> Result<(), StoreError> {
    // Later ops that point at it (a death recorded meanwhile) keep their own record.
    sqlx::query(
        "UPDATE outbox SET attachment_id = CASE WHEN attachment_id = ?1 THEN NULL ELSE attachment_id END, \
         ended_attachment_id = CASE WHEN ended_attachment_id = ?1 THEN NULL ELSE ended_attachment_id END \
         WHERE attachment_id = ?1 OR ended_attachment_id = ?1",
    )
    .bind(attachment_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM attachment WHERE id = ?1")
        .bind(attachment_id)
        .execute(&mut *conn)
        .await?;
    if let Some(ended) = ended_attachment_id {
        // Only if nothing else is open for the person now (a pull may have moved them on).
        sqlx::query(
            "UPDATE attachment SET ended_on = NULL, end_reason = NULL WHERE id = ?1 AND NOT EXISTS \
             (SELECT 1 FROM attachment o WHERE o.person_id = attachment.person_id AND o.ended_on IS NULL)",
        )
        .bind(ended)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The application's decision after the registry said no: refused on the
/// registry's ground (the registrar prints the refusal), or back to
/// undecided when the registry did not decide it on the rules.
pub(super) async fn reopen_application(
    conn: &mut SqliteConnection,
    application_id: i64,
    refusal: Option<RefusalGround>,
    decided_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    match refusal {
        Some(refusal) => {
            sqlx::query(
                "UPDATE attachment_application SET status = 'refused', refusal_ground = ?2, decided_at = ?3, \
                 registry_confirmed_at = ?3 WHERE id = ?1",
            )
            .bind(application_id)
            .bind(refusal.as_str())
            .bind(decided_at)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "UPDATE attachment_application SET status = 'registered', refusal_ground = NULL, decided_at = NULL \
                 WHERE id = ?1",
            )
            .bind(application_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
