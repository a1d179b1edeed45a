//! The workstation's side of sync with the central registry: ops recorded in
//! the outbox in the same transaction as the change they carry, the registry's
//! answers recorded (a rejected op undoes its provisional effect and lands in
//! "needs attention"), and the registry's change feed applied together with
//! its cursor. The sync engine (`emhana-sync`) drives these; it never touches
//! the tables itself.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::Person;
use emhana_domain::time::kazakhstan_date;
use emhana_protocol::{
    AttachmentState, Change, Enrolment, Hlc, LeftReason, Op, OpOutcome, OpResult, PullResponse, RejectGround,
};
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::Workstation;
use crate::error::{StoreError, corrupt};
use crate::store::{self, OpLinks, ROWS_PER_STATEMENT};
use crate::{appointments, attachment, home_visits};

mod answers;
mod feed;
mod outbox;
mod records;
mod snapshot;
mod status;

pub use answers::*;
pub use feed::*;
pub use outbox::*;
pub use snapshot::SnapshotRefusal;
pub use status::*;

/// What the sync engine calls: the enrolment, the outbox, answers and the feed.
impl Workstation {
    /// The registry this workstation is enrolled with, if any.
    pub async fn enrolment(&self) -> Result<Option<SyncEnrolment>, StoreError> {
        self::enrolment(&self.pool).await
    }

    /// The key this PC's offline bundles are sealed with; `None` when it was
    /// enrolled before bundle keys, or with a registry that has none.
    pub async fn bundle_key(&self) -> Result<Option<emhana_protocol::bundle::BundleKey>, StoreError> {
        outbox::bundle_key(&self.pool).await
    }

    /// Keeps the registry's answer to enrolment (not the credential: that goes
    /// to the OS keyring). Refused when the registry's clinic is not this one.
    pub async fn save_enrolment(
        &self,
        registry_url: &str,
        enrolment: &emhana_protocol::Enrolment,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self::save_enrolment(&self.pool, registry_url, enrolment, now).await
    }

    /// Queues, as ops, up to `limit` of the clinic's records the registry
    /// has not had yet (care plans opened before plans were shared, or
    /// loaded with the clinic's registers): sync sends them a batch a round.
    /// Returns how many were queued.
    pub async fn queue_unsent_records(&self, limit: usize, now: DateTime<Utc>) -> Result<usize, StoreError> {
        if self::enrolment(&self.pool).await?.is_none() {
            return Err(StoreError::NotEnrolled);
        }
        let mut tx = self.pool.begin().await?;
        let queued = home_visits::queue_unsent_plans(&mut tx, limit, now).await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Whether this PC has nothing of its own yet (no persons, no ops, no
    /// cursor): only such a PC installs a clinic's snapshot.
    pub async fn wants_snapshot(&self) -> Result<bool, StoreError> {
        snapshot::is_fresh(&self.pool).await
    }

    /// Installs a clinic's snapshot (a checked file) into this PC's
    /// database in one transaction; the feed then goes on from its cursor.
    /// Returns the persons it brought, or why it was not installed.
    pub async fn install_snapshot(
        &self,
        file: &std::path::Path,
        info: &emhana_protocol::SnapshotInfo,
    ) -> Result<Result<u64, SnapshotRefusal>, StoreError> {
        snapshot::install(&self.pool, file, info).await
    }

    /// Writes a snapshot of this PC's database to `to` for other PCs of the
    /// clinic (the snapshot builder's): returns its cursor, schema and persons.
    pub async fn export_snapshot(&self, to: &std::path::Path) -> Result<(String, i64, u64), StoreError> {
        snapshot::export(&self.pool, self.at_rest(), to).await
    }

    /// The version of the registry's organization this PC holds, if it took one.
    pub async fn organization_version(&self) -> Result<Option<i64>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        store::organization_version(&mut conn).await
    }

    /// Takes the registry's organization — the clinic, its posts, districts,
    /// coverage and staff — over this PC's copy, in one transaction. An
    /// empty database gets its home clinic this way.
    pub async fn apply_organization(
        &self,
        organization: &emhana_protocol::Organization,
    ) -> Result<(), StoreError> {
        if let Some(enrolment) = self::enrolment(&self.pool).await?
            && organization
                .clinics
                .first()
                .is_some_and(|home| home.profile.bin.as_string() != enrolment.clinic_bin)
        {
            return Err(StoreError::EnrolledElsewhere {
                home_bin: enrolment.clinic_bin,
                registry_bin: organization.clinics[0].profile.bin.as_string(),
            });
        }
        let mut tx = self.pool.begin().await?;
        store::write_organization(&mut tx, organization).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ops not yet answered by the registry, oldest first.
    pub async fn pending_ops(&self, limit: usize) -> Result<Vec<emhana_protocol::Op>, StoreError> {
        self::pending_ops(&self.pool, limit).await
    }

    /// Marks ops as sent; returns those that were not sent before.
    pub async fn mark_sent(
        &self,
        ids: &[uuid::Uuid],
        now: DateTime<Utc>,
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        self::mark_sent(&self.pool, ids, now).await
    }

    /// Takes "sent" back from ops whose request never left.
    pub async fn mark_unsent(&self, ids: &[uuid::Uuid]) -> Result<(), StoreError> {
        self::mark_unsent(&self.pool, ids).await
    }

    /// Records the registry's answers to pushed ops (one transaction).
    pub async fn record_answers(
        &self,
        results: &[emhana_protocol::OpResult],
        now: DateTime<Utc>,
    ) -> Result<AnswersRecorded, StoreError> {
        self::record_answers(&self.pool, results, now).await
    }

    /// The cursor of the last page of the registry's feed applied here.
    pub async fn sync_cursor(&self) -> Result<Option<String>, StoreError> {
        self::cursor(&self.pool).await
    }

    /// Applies a page of the registry's feed with its cursor (one transaction).
    pub async fn apply_pull(
        &self,
        page: &emhana_protocol::PullResponse,
        now: DateTime<Utc>,
    ) -> Result<PullApplied, StoreError> {
        self::apply_pull(&self.pool, std::slice::from_ref(page), now).await
    }

    /// Applies consecutive pages of the feed, each with its cursor, in one
    /// transaction (a first sync: one commit writes each touched index page
    /// once for all of them).
    pub async fn apply_pulls(
        &self,
        pages: &[emhana_protocol::PullResponse],
        now: DateTime<Utc>,
    ) -> Result<PullApplied, StoreError> {
        self::apply_pull(&self.pool, pages, now).await
    }

    pub async fn sync_overview(&self) -> Result<SyncOverview, StoreError> {
        self::overview(&self.pool).await
    }

    /// Rejected ops waiting for the registrar, oldest first.
    pub async fn needs_attention(&self) -> Result<Vec<AttentionItem>, StoreError> {
        self::needs_attention(&self.pool).await
    }

    /// Takes a rejected op off the "needs attention" list.
    pub async fn resolve_attention(&self, op: uuid::Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let by = self.session().ok_or(StoreError::NotSignedIn)?;
        self::resolve(&self.pool, op, Some(by.staff_id), now).await
    }
}
