//! The outbox as sync reads it: the enrolment, the ops waiting for the registry, sent and unsent.

use emhana_protocol::bundle::{BundleKey, BundleSecret};

use super::*;

/// The registry this workstation is enrolled with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SyncEnrolment {
    pub registry_url: String,
    pub workstation_id: Uuid,
    pub clinic_bin: String,
    pub enrolled_at: DateTime<Utc>,
    /// The series this workstation numbers in (`emhana_domain::numbering`).
    pub series: u32,
}

pub(crate) async fn enrolment(pool: &SqlitePool) -> Result<Option<SyncEnrolment>, StoreError> {
    let row: Option<(String, String, String, DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT registry_url, workstation_id, clinic_bin, enrolled_at, series FROM sync_enrolment WHERE id = 1",
    )
    .fetch_optional(pool)
    .await?;
    row.map(|(registry_url, workstation, clinic_bin, enrolled_at, series)| {
        Ok(SyncEnrolment {
            registry_url,
            workstation_id: Uuid::parse_str(&workstation).map_err(|_| StoreError::Corrupt {
                detail: format!("sync_enrolment.workstation_id {workstation:?}"),
            })?,
            clinic_bin,
            enrolled_at,
            series: u32::try_from(series).map_err(|_| StoreError::Corrupt {
                detail: format!("sync_enrolment.series {series}"),
            })?,
        })
    })
    .transpose()
}

/// The key this PC's offline bundles are sealed with: agreed from its own
/// bundle key and the registry's, both kept with its enrolment.
pub(crate) async fn bundle_key(pool: &SqlitePool) -> Result<Option<BundleKey>, StoreError> {
    let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT workstation_id, bundle_secret, registry_bundle_key FROM sync_enrolment WHERE id = 1",
    )
    .fetch_optional(pool)
    .await?;
    let Some((workstation, Some(secret), Some(registry))) = row else {
        return Ok(None);
    };
    let workstation = Uuid::parse_str(&workstation)
        .map_err(|_| crate::error::corrupt("sync_enrolment.workstation_id", &workstation))?;
    let damaged = |_| StoreError::Corrupt {
        detail: "sync_enrolment's bundle keys".to_owned(),
    };
    BundleSecret::from_hex(&secret)
        .and_then(|secret| secret.key_with(&registry, workstation))
        .map(Some)
        .map_err(damaged)
}

/// Keeps the enrolment the registry gave (the credential goes to the OS
/// keyring, not here). The registry's clinic must be this workstation's own;
/// an empty database takes its clinic from the registry's organization at
/// the first sync.
pub(crate) async fn save_enrolment(
    pool: &SqlitePool,
    registry_url: &str,
    enrolment: &Enrolment,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    match store::home_clinic(&mut tx).await {
        Ok(home) if home.bin != enrolment.clinic_bin => {
            return Err(StoreError::EnrolledElsewhere {
                home_bin: home.bin,
                registry_bin: enrolment.clinic_bin.clone(),
            });
        }
        Ok(_) | Err(StoreError::NoHomeClinic) => {}
        Err(error) => return Err(error),
    }
    sqlx::query(
        "INSERT INTO sync_enrolment (id, registry_url, workstation_id, clinic_bin, enrolled_at, series, \
                                     bundle_secret, registry_bundle_key) \
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (id) DO UPDATE SET registry_url = excluded.registry_url, workstation_id = excluded.workstation_id, \
         clinic_bin = excluded.clinic_bin, enrolled_at = excluded.enrolled_at, series = excluded.series, \
         bundle_secret = excluded.bundle_secret, registry_bundle_key = excluded.registry_bundle_key",
    )
    .bind(registry_url)
    .bind(enrolment.workstation.to_string())
    .bind(&enrolment.clinic_bin)
    .bind(now)
    .bind(i64::from(enrolment.series))
    .bind(enrolment.bundle_secret.as_ref().map(|secret| secret.to_hex()))
    .bind(&enrolment.registry_bundle_key)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ops not yet answered, oldest first, as the registry reads them. Ops made
/// before enrolment carry the workstation id it received: one database is one
/// workstation, named by the registry when it enrols.
pub(crate) async fn pending_ops(pool: &SqlitePool, limit: usize) -> Result<Vec<Op>, StoreError> {
    let Some(enrolment) = enrolment(pool).await? else {
        return Err(StoreError::NotEnrolled);
    };
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, actor_iin, made_at, hlc_wall_ms, hlc_counter, body FROM outbox \
         WHERE state IN ('local', 'sent') ORDER BY seq LIMIT ?1",
    )
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(
            |OutboxRow {
                 id,
                 actor_iin,
                 made_at,
                 hlc_wall_ms: wall_ms,
                 hlc_counter: counter,
                 body,
             }| {
                let corrupt = |what: &str| StoreError::Corrupt {
                    detail: format!("outbox op {id}: {what}"),
                };
                Ok(Op {
                    id: Uuid::parse_str(&id).map_err(|_| corrupt("id"))?,
                    workstation: enrolment.workstation_id,
                    actor_iin,
                    made_at,
                    hlc: Hlc {
                        wall_ms,
                        counter: u32::try_from(counter).map_err(|_| corrupt("hlc"))?,
                    },
                    body: serde_json::from_str(&body).map_err(|_| corrupt("body"))?,
                })
            },
        )
        .collect()
}

#[derive(sqlx::FromRow)]
pub(super) struct OutboxRow {
    id: String,
    actor_iin: Option<String>,
    made_at: DateTime<Utc>,
    hlc_wall_ms: i64,
    hlc_counter: i64,
    body: String,
}

/// What an answered op touched here.
#[derive(sqlx::FromRow)]
pub(super) struct AnsweredRow {
    pub(super) state: String,
    pub(super) person_id: Option<i64>,
    pub(super) application_id: Option<i64>,
    pub(super) attachment_id: Option<i64>,
    pub(super) ended_attachment_id: Option<i64>,
    pub(super) kind: String,
    pub(super) booking_id: Option<i64>,
    pub(super) record_id: Option<String>,
}

/// Marks ops as sent (an answer may still be lost; they stay pending).
pub(crate) async fn mark_sent(
    pool: &SqlitePool,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut newly = Vec::new();
    for id in ids {
        let changed =
            sqlx::query("UPDATE outbox SET state = 'sent', sent_at = ?2 WHERE id = ?1 AND state = 'local'")
                .bind(id.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 1 {
            newly.push(*id);
        }
    }
    sqlx::query("UPDATE sync_state SET last_push_at = ?1 WHERE id = 1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(newly)
}

/// Takes back "sent" from ops whose request never left (no connection was
/// made); ops answered meanwhile are left as they are.
pub(crate) async fn mark_unsent(pool: &SqlitePool, ids: &[Uuid]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for id in ids {
        sqlx::query("UPDATE outbox SET state = 'local', sent_at = NULL WHERE id = ?1 AND state = 'sent'")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
