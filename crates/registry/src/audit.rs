//! The heads of the workstations' audit logs. A PC's log lives on the PC; the
//! registry keeps only its last row's number and hash, and checks at each
//! report that the log still leads through the head it holds. A log
//! rewritten whole — every hash made again — or cut, or restored from an
//! older copy, no longer does: the registry keeps the old head, records an
//! alarm for the administrator, and tells the PC.

use chrono::{DateTime, Utc};
use emhana_protocol::{AuditHeadAnswer, AuditHeadReport, AuditLink};
use sqlx::PgPool;

use crate::RegistryError;
use crate::auth::Workstation;

/// A head reported by a sync round.
pub async fn report_head(
    pool: &PgPool,
    workstation: &Workstation,
    report: &AuditHeadReport,
    now: DateTime<Utc>,
) -> Result<AuditHeadAnswer, RegistryError> {
    let answer = decide(pool, workstation, report, None, now).await?;
    // a report made now is never stale
    answer.ok_or_else(|| RegistryError::Malformed("a sync's audit head cannot be stale".into()))
}

/// A head carried in an ops file made at `made_at`. A file made before the
/// registry last took a head (the post synced over a link after making it)
/// tells of an older log: `None`, nothing changed and no alarm; the next
/// report checks the log again.
pub async fn report_carried_head(
    pool: &PgPool,
    workstation: &Workstation,
    report: &AuditHeadReport,
    made_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<AuditHeadAnswer>, RegistryError> {
    decide(pool, workstation, report, Some(made_at), now).await
}

async fn decide(
    pool: &PgPool,
    workstation: &Workstation,
    report: &AuditHeadReport,
    made_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<AuditHeadAnswer>, RegistryError> {
    let well_formed =
        report.head.is_well_formed() && report.at_held.as_ref().is_none_or(AuditLink::is_well_formed);
    if !well_formed {
        return Err(RegistryError::Malformed(
            "an audit link is a positive row number and a SHA-256 in 64 lowercase hex digits".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    let held: Option<(i64, String, DateTime<Utc>)> =
        sqlx::query_as("SELECT seq, hash, received_at FROM audit_head WHERE workstation_id = $1 FOR UPDATE")
            .bind(workstation.id)
            .fetch_optional(&mut *tx)
            .await?;
    if let (Some((_, _, received_at)), Some(made_at)) = (&held, made_at)
        && made_at < *received_at
    {
        return Ok(None);
    }
    let held = held.map(|(seq, hash, _)| AuditLink { seq, hash });
    let matches = match &held {
        None => true,
        Some(held) => {
            // the held row as the log has it now, and a head at it or after it
            report.at_held.as_ref() == Some(held) && (report.head.seq > held.seq || report.head == *held)
        }
    };
    if matches {
        sqlx::query(
            "INSERT INTO audit_head (workstation_id, seq, hash, received_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (workstation_id) DO UPDATE SET seq = $2, hash = $3, received_at = $4",
        )
        .bind(workstation.id)
        .bind(report.head.seq)
        .bind(&report.head.hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Some(AuditHeadAnswer {
            held: report.head.clone(),
            matches: true,
        }));
    }
    let held = held.unwrap_or_else(|| report.head.clone());
    let told = report
        .at_held
        .as_ref()
        .filter(|link| link.seq == held.seq)
        .map(|link| link.hash.clone());
    sqlx::query(
        "INSERT INTO audit_alarm (workstation_id, held_seq, held_hash, told_hash, head_seq, detected_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(workstation.id)
    .bind(held.seq)
    .bind(&held.hash)
    .bind(told)
    .bind(report.head.seq)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::warn!(workstation = %workstation.id, held_seq = held.seq, head_seq = report.head.seq,
        "a workstation's audit log no longer leads through the head the registry holds");
    Ok(Some(AuditHeadAnswer { held, matches: false }))
}

/// An alarm as the administrator reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditAlarm {
    pub workstation: uuid::Uuid,
    pub workstation_name: String,
    pub clinic_bin: String,
    pub detected_at: DateTime<Utc>,
    /// The row the registry held as the PC's head.
    pub held_seq: i64,
    /// Whether the PC's log still has that row (changed) or not (cut or lost).
    pub held_row_changed: bool,
    /// The PC's head when it reported.
    pub head_seq: i64,
}

/// Every alarm, newest first; of one clinic's workstations when `clinic_bin` is given.
pub async fn alarms(pool: &PgPool, clinic_bin: Option<&str>) -> Result<Vec<AuditAlarm>, RegistryError> {
    Ok(sqlx::query_as(
        "SELECT a.workstation_id AS workstation, w.name AS workstation_name, c.bin AS clinic_bin, \
         a.detected_at, a.held_seq, a.told_hash IS NOT NULL AS held_row_changed, a.head_seq \
         FROM audit_alarm a JOIN workstation w ON w.id = a.workstation_id JOIN clinic c ON c.id = w.clinic_id \
         WHERE $1::text IS NULL OR c.bin = $1 ORDER BY a.detected_at DESC, a.id DESC",
    )
    .bind(clinic_bin)
    .fetch_all(pool)
    .await?)
}
