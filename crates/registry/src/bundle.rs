//! Offline bundles at the registry: an ops file from a post is applied as a
//! push, and answered with a file of the answers and the clinic's feed
//! (`emhana-registry import-bundle`). The format: `protocol::bundle`.
//!
//! The registry's bundle key pair is made once (`emhana-registry
//! bundle-key`): its public half is kept here and handed to each PC as it
//! enrols, its private half goes to the administrator's key file only and
//! is given back to each import.

use chrono::{DateTime, Utc};
use emhana_protocol::bundle::{AnswersBundle, BundleKind, BundleSecret, OpsBundle, SealedFile, seal};
use emhana_protocol::{MAX_CHANGES_PER_PULL, MAX_OPS_PER_PUSH, OpOutcome, PullQuery, PushRequest};
use sqlx::PgPool;
use uuid::Uuid;

use crate::RegistryError;
use crate::auth::Workstation;

/// At most this many feed pages go into one answers file; the post's next
/// bundle continues from where they end.
pub const MAX_PAGES_PER_ANSWER: usize = 40;

/// What importing a bundle did, for the administrator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub workstation: uuid::Uuid,
    pub clinic_bin: String,
    pub applied: usize,
    pub rejected: usize,
    pub changes: usize,
    /// Whether the feed was read to its end (else the next bundle continues).
    pub feed_complete: bool,
}

/// Makes the registry's bundle key pair, keeps its public half and returns
/// the private half for the administrator's key file. Refused when there
/// is one already and `replace` is not asked: the PCs enrolled with the old
/// one could no longer exchange bundles until they are enrolled again.
pub async fn make_key(
    pool: &PgPool,
    replace: bool,
    now: DateTime<Utc>,
) -> Result<BundleSecret, RegistryError> {
    let secret = BundleSecret::generate()?;
    let public = secret.public_hex()?;
    let stored = sqlx::query(
        "INSERT INTO bundle_key (id, public_key, made_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET public_key = excluded.public_key, made_at = excluded.made_at \
         WHERE $3",
    )
    .bind(&public)
    .bind(now)
    .bind(replace)
    .execute(pool)
    .await?;
    if stored.rows_affected() == 0 {
        return Err(RegistryError::Config(
            "the registry has a bundle key already; --replace makes a new one (PCs enrolled before must be enrolled again to exchange bundles)".to_owned(),
        ));
    }
    tracing::info!("the registry's bundle key pair was made");
    Ok(secret)
}

/// The enrolled, unrevoked workstation `id` and its bundle public key.
async fn bundle_peer(pool: &PgPool, id: Uuid) -> Result<(Workstation, Option<String>), RegistryError> {
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT w.clinic_id, c.bin, w.bundle_public_key FROM workstation w JOIN clinic c ON c.id = w.clinic_id \
         WHERE w.id = $1 AND w.revoked_at IS NULL AND w.credential_hash IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let (clinic_id, clinic_bin, public) = row.ok_or_else(|| {
        RegistryError::Forbidden(format!(
            "the bundle comes from workstation {id}, which is not enrolled here or was revoked"
        ))
    })?;
    Ok((
        Workstation {
            id,
            clinic_id,
            clinic_bin,
        },
        public,
    ))
}

/// Applies an ops file and returns the answers file's bytes; `secret` is
/// the registry's bundle key (from the administrator's key file).
pub async fn import(
    pool: &PgPool,
    secret: &BundleSecret,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, ImportReport), RegistryError> {
    let file = SealedFile::read(bytes)?;
    let (workstation, public) = bundle_peer(pool, file.workstation).await?;
    let public = public.ok_or_else(|| {
        RegistryError::Forbidden(format!(
            "workstation {} enrolled without a bundle key: it must be enrolled again to exchange bundles",
            workstation.id
        ))
    })?;
    let key = secret.key_with(&public, workstation.id)?;
    let bundle: OpsBundle = file.open(BundleKind::Ops, &key)?;
    let mut report = ImportReport {
        workstation: workstation.id,
        clinic_bin: workstation.clinic_bin.clone(),
        ..ImportReport::default()
    };
    let mut results = Vec::with_capacity(bundle.ops.len());
    for chunk in bundle.ops.chunks(MAX_OPS_PER_PUSH) {
        let request = PushRequest {
            ops: chunk
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()
                .map_err(|error| RegistryError::Malformed(error.to_string()))?,
        };
        let answer = crate::push::push_carried(pool, &workstation, request, now, file.made_at).await?;
        results.extend(answer.results);
    }
    report.applied = results
        .iter()
        .filter(|result| result.outcome == OpOutcome::Applied)
        .count();
    report.rejected = results.len() - report.applied;

    let mut pages = Vec::new();
    let mut after = bundle.cursor.clone();
    loop {
        let page = crate::feed::pull(
            pool,
            &workstation,
            &PullQuery {
                after: after.clone(),
                limit: Some(MAX_CHANGES_PER_PULL),
                count: false,
            },
        )
        .await?;
        let last = page.is_last();
        report.changes += page.changes.len();
        after = Some(page.cursor.clone());
        pages.push(page);
        if last || pages.len() >= MAX_PAGES_PER_ANSWER {
            report.feed_complete = last;
            break;
        }
    }
    // the post's audit head, checked as a sync's report is; a malformed one
    // is answered with none, the ops stand
    let audit = match &bundle.audit {
        Some(report) => {
            match crate::audit::report_carried_head(pool, &workstation, report, file.made_at, now).await {
                Ok(answer) => answer,
                Err(RegistryError::Malformed(reason)) => {
                    tracing::warn!(workstation = %workstation.id, %reason, "a bundle's audit head is malformed");
                    None
                }
                Err(error) => return Err(error),
            }
        }
        None => None,
    };
    let answers = AnswersBundle {
        results,
        after: bundle.cursor,
        pages,
        audit,
    };
    let sealed = seal(BundleKind::Answers, workstation.id, now, &answers, &key)?;
    tracing::info!(
        workstation = %report.workstation,
        applied = report.applied,
        rejected = report.rejected,
        changes = report.changes,
        "offline bundle imported"
    );
    Ok((sealed, report))
}
