//! Offline bundles at the registry: an ops file from a post is applied as a
//! push, and answered with a file of the answers and the clinic's feed
//! (`emhana-registry import-bundle`). The format: `protocol::bundle`.

use chrono::{DateTime, Utc};
use emhana_protocol::bundle::{AnswersBundle, BundleKind, OpsBundle, SealedFile, seal};
use emhana_protocol::{MAX_CHANGES_PER_PULL, MAX_OPS_PER_PUSH, OpOutcome, PullQuery, PushRequest};
use sqlx::PgPool;

use crate::RegistryError;
use crate::auth::with_credential_hash;

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

/// Applies an ops file and returns the answers file's bytes.
pub async fn import(
    pool: &PgPool,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, ImportReport), RegistryError> {
    let file = SealedFile::read(bytes)?;
    let (workstation, key) = with_credential_hash(pool, file.workstation)
        .await?
        .ok_or_else(|| {
            RegistryError::Forbidden(format!(
                "the bundle comes from workstation {}, which is not enrolled here or was revoked",
                file.workstation
            ))
        })?;
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
        let answer = crate::push::push(pool, &workstation, request, now).await?;
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
    let answers = AnswersBundle {
        results,
        after: bundle.cursor,
        pages,
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
