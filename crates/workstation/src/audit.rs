//! The audit log seen from outside the store: its check, and the head a sync
//! reports to the registry (`store::audit` writes and chains the rows).

use chrono::{DateTime, Utc};
use emhana_protocol::{AuditHeadAnswer, AuditHeadReport, AuditLink};

use crate::Workstation;
use crate::error::StoreError;
use crate::store::{self, AuditCheck};

impl Workstation {
    /// Walks the whole log and names its first broken link, if any. The
    /// shell asks the head's role first; the `emhana-audit` tool runs it on
    /// a file in hand.
    pub async fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        let mut conn = self.pool.acquire().await?;
        store::verify(&mut conn).await
    }

    /// What to tell the registry of the log: its last row, and the row the
    /// registry holds as its head as the log has that row now. `None`: no
    /// chained row yet.
    pub async fn audit_report(&self) -> Result<Option<AuditHeadReport>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let Some((seq, hash)) = store::audit_head(&mut conn).await? else {
            return Ok(None);
        };
        let held: Option<i64> = sqlx::query_scalar("SELECT audit_held_seq FROM sync_state WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        let at_held = match held {
            Some(held) => store::audit_hash_at(&mut conn, held)
                .await?
                .map(|hash| AuditLink { seq: held, hash }),
            None => None,
        };
        Ok(Some(AuditHeadReport {
            head: AuditLink { seq, hash },
            at_held,
        }))
    }

    /// Keeps the registry's answer: the head it holds now, or when it found
    /// the log changed (shown on the sync screen until it matches again).
    pub async fn record_audit_answer(
        &self,
        answer: &AuditHeadAnswer,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if answer.matches {
            sqlx::query("UPDATE sync_state SET audit_held_seq = ?1, audit_mismatch_at = NULL WHERE id = 1")
                .bind(answer.held.seq)
                .execute(&self.pool)
                .await?;
        } else {
            tracing::warn!(
                held_seq = answer.held.seq,
                "the registry finds this PC's audit log changed"
            );
            sqlx::query("UPDATE sync_state SET audit_mismatch_at = ?1 WHERE id = 1")
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
