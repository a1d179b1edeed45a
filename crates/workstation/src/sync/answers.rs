//! The registry's answers recorded: a confirmed op no longer provisional, a rejected one undone here and listed for the registrar.

use super::*;

/// How many answers confirmed and rejected ops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
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
    let (home, districts) = store::home_and_districts(&mut tx).await?;
    let mut recorded = AnswersRecorded::default();
    for result in results {
        let row: Option<AnsweredRow> = sqlx::query_as(
            "SELECT state, person_id, application_id, attachment_id, ended_attachment_id, kind, booking_id, \
                    record_id FROM outbox WHERE id = ?1",
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
            record_id,
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
                let person: Option<i64> = sqlx::query_scalar("SELECT person_id FROM outbox WHERE id = ?1")
                    .bind(result.op.to_string())
                    .fetch_optional(&mut *tx)
                    .await?
                    .flatten();
                let detail = serde_json::json!({ "op": result.op, "ground": ground }).to_string();
                store::append_audit(
                    &mut tx,
                    store::AuditEntry {
                        at: now,
                        staff_id: None,
                        action: "registry_rejected_op",
                        person_id: person,
                        detail: &detail,
                    },
                )
                .await?;
                recorded.rejected += 1;
            }
        }
        // Each feature undoes or confirms what its own op did here.
        let links = OpLinks {
            person_id,
            application_id,
            attachment_id,
            ended_attachment_id,
            booking_id,
        };
        attachment::record_answer(&mut tx, &links, &result.outcome, result.decided_at).await?;
        appointments::record_answer(&mut tx, &links, &kind, &result.outcome, result.decided_at).await?;
        home_visits::record_plan_answer(&mut tx, &kind, record_id.as_deref(), &result.outcome).await?;
        // The record the op is about, as the registry holds it (its own
        // change lost: the call as the other PC left it).
        if let Some(record) = &result.record {
            records::receive_record(&mut tx, record, &home.bin, now).await?;
        }
        if let (Some(person_id), Some(state)) = (person_id, &result.attachment) {
            reconcile_with_answer(
                &mut tx,
                person_id,
                (home.id, &districts),
                state,
                result.decided_at,
            )
            .await?;
        }
    }
    // What the answers freed (a slot given back), the held records may now take.
    records::retry_held(&mut tx, &home.bin, now).await?;
    tx.commit().await?;
    Ok(recorded)
}
