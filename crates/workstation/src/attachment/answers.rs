//! The registry's answers to this clinic's attachment ops, as `sync` hands
//! them over: a confirmed application is marked so; a rejected one is undone
//! here (the provisional attachment removed, the one it ended reopened) and
//! its application refused on the registry's ground or back to undecided.

use super::*;

/// Records the registry's answer to an attachment op, inside sync's transaction.
pub(crate) async fn record_answer(
    conn: &mut SqliteConnection,
    links: &OpLinks,
    outcome: &OpOutcome,
    decided_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    match outcome {
        OpOutcome::Applied => {
            if let Some(application_id) = links.application_id {
                sqlx::query("UPDATE attachment_application SET registry_confirmed_at = ?2 WHERE id = ?1")
                    .bind(application_id)
                    .bind(decided_at)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        OpOutcome::Rejected { ground } => {
            if let Some(attachment_id) = links.attachment_id {
                undo_attachment(conn, attachment_id, links.ended_attachment_id).await?;
            }
            if let Some(application_id) = links.application_id {
                let refusal = match ground {
                    RejectGround::AttachmentRefused { refusal } => Some(*refusal),
                    _ => None,
                };
                reopen_application(conn, application_id, refusal, decided_at).await?;
            }
        }
    }
    Ok(())
}

/// Removes a provisional attachment the registry did not accept and reopens
/// the one it had ended.
async fn undo_attachment(
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
async fn reopen_application(
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
