//! Offline bundles on the workstation: a post with no link seals its outbox
//! into a file, carried to the registry; the answers file carried back is
//! recorded as a push's answers and a pull's pages would be. Same ops, same
//! ids: a bundle and a later push of the same ops have one effect. The file
//! format is `protocol::bundle`.

use chrono::{DateTime, Utc};
use emhana_protocol::bundle::{
    AnswersBundle, BundleError, BundleKey, BundleKind, OpsBundle, SealedFile, seal,
};
use emhana_workstation::{StoreError, Workstation};
use serde::Serialize;

use crate::SyncError;

/// What a sealed ops file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ExportedOps {
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub ops: usize,
}

/// What importing an answers file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ImportedAnswers {
    pub confirmed: usize,
    pub rejected: usize,
    pub changes: usize,
    /// The feed's pages were not applied: they start from another cursor than
    /// this workstation's (an older answers file, or one already imported).
    pub feed_skipped: bool,
    /// The registry had more of the feed than one file carries.
    pub feed_incomplete: bool,
}

async fn key(store: &Workstation) -> Result<BundleKey, SyncError> {
    store
        .bundle_key()
        .await?
        .ok_or(SyncError::Bundle(BundleError::NoKey))
}

/// Seals every op not yet answered into an ops file. They become `sent`:
/// carried away, no answer yet.
pub async fn export_ops(store: &Workstation, now: DateTime<Utc>) -> Result<ExportedOps, SyncError> {
    let enrolment = store.enrolment().await?.ok_or(StoreError::NotEnrolled)?;
    let key = key(store).await?;
    store.queue_unsent_records(usize::MAX, now).await?;
    let ops = store.pending_ops(usize::MAX).await?;
    let bundle = OpsBundle {
        ops,
        cursor: store.sync_cursor().await?,
        audit: store.audit_report().await?,
    };
    let bytes = seal(BundleKind::Ops, enrolment.workstation_id, now, &bundle, &key)?;
    let ids: Vec<_> = bundle.ops.iter().map(|op| op.id).collect();
    store.mark_sent(&ids, now).await?;
    store.audit_bundle_export(ids.len()).await?;
    Ok(ExportedOps {
        bytes,
        ops: ids.len(),
    })
}

/// Verifies an answers file made for this workstation and records it: the
/// answers as a push's, then the feed's pages when they continue from this
/// workstation's cursor.
pub async fn import_answers(
    store: &Workstation,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportedAnswers, SyncError> {
    let enrolment = store.enrolment().await?.ok_or(StoreError::NotEnrolled)?;
    let key = key(store).await?;
    let opened = SealedFile::read(bytes).and_then(|file| {
        if file.workstation != enrolment.workstation_id {
            return Err(BundleError::OtherWorkstation(file.workstation));
        }
        file.open::<AnswersBundle>(BundleKind::Answers, &key)
    });
    let answers = match opened {
        Ok(answers) => answers,
        Err(refused) => {
            store.audit_bundle_refused(&refused.to_string()).await?;
            return Err(refused.into());
        }
    };
    let recorded = store.record_answers(&answers.results, now).await?;
    if let Some(audit) = &answers.audit {
        store.record_audit_answer(audit, now).await?;
    }
    let mut imported = ImportedAnswers {
        confirmed: recorded.confirmed,
        rejected: recorded.rejected,
        ..ImportedAnswers::default()
    };
    if store.sync_cursor().await? != answers.after {
        imported.feed_skipped = true;
        return Ok(imported);
    }
    for page in &answers.pages {
        store.apply_pull(page, now).await?;
        imported.changes += page.changes.len();
    }
    imported.feed_incomplete = answers.pages.last().is_none_or(|page| !page.is_last());
    Ok(imported)
}
