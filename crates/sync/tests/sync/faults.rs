//! Answers lost, a workstation killed mid-pull, no connection, bundles carried by hand.

use super::*;

/// What goes wrong with a push on the way; everything else is served.
enum PushFault {
    /// The answer to every other push is lost after the registry committed
    /// it, as a dropped mobile link does.
    LoseEveryOtherAnswer,
    /// Every push fails at the registry (a 500, as an op the database
    /// refused did before issue 20).
    FailEvery,
}

struct FaultyPushes<T> {
    inner: T,
    fault: PushFault,
    pushes: AtomicUsize,
}

impl<T: Transport> Transport for FaultyPushes<T> {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        if let PushFault::FailEvery = self.fault {
            return Err(TransportError::Server {
                status: 500,
                message: "the registry failed".into(),
            });
        }
        let answer = self.inner.push(request).await?;
        if self.pushes.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            return Err(TransportError::Offline("connection reset".into()));
        }
        Ok(answer)
    }

    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError> {
        self.inner.pull(query).await
    }

    async fn reference(&self) -> Result<emhana_protocol::ReferenceData, TransportError> {
        self.inner.reference().await
    }

    async fn organization(
        &self,
        known: Option<i64>,
    ) -> Result<emhana_protocol::OrganizationAnswer, TransportError> {
        self.inner.organization(known).await
    }

    async fn audit_head(
        &self,
        report: &emhana_protocol::AuditHeadReport,
    ) -> Result<emhana_protocol::AuditHeadAnswer, TransportError> {
        self.inner.audit_head(report).await
    }

    async fn snapshot_info(&self) -> Result<Option<emhana_protocol::SnapshotInfo>, TransportError> {
        self.inner.snapshot_info().await
    }

    async fn snapshot_download(
        &self,
        from: u64,
        to: &std::path::Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), TransportError> {
        self.inner.snapshot_download(from, to, progress).await
    }
}

#[tokio::test]
async fn answers_lost_after_the_registry_committed_are_recovered_with_no_duplicates() -> Result<()> {
    let region = Region::start(600, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = SyncEngine::new(
        workstation.clone(),
        FaultyPushes {
            inner: HttpTransport::new(&region.base, &credential)?,
            fault: PushFault::LoseEveryOtherAnswer,
            pushes: AtomicUsize::new(0),
        },
        region.clock(),
        small_pages(),
    );
    engine.sync_once(|_| {}).await?; // the first push is empty; the first sync pulls
    let at = kz(2026, 11, 20, 10);
    for n in 1..=3 {
        let child = register_newborn(&workstation, n, at).await?;
        attach(&workstation, child, at).await?;
    }
    let lost = engine.sync_once(|_| {}).await;
    assert!(lost.is_err(), "the answer was lost");
    let overview = workstation.sync_overview().await?;
    assert_eq!(
        (overview.sent, overview.confirmed),
        (3, 0),
        "sent, not confirmed: the truth as known here"
    );
    let retry = engine.sync_once(|_| {}).await?;
    assert_eq!(retry.confirmed, 3);
    assert_eq!(region.count("SELECT count(*) FROM op_log").await?, 3);
    assert_eq!(
        region
            .count("SELECT count(*) FROM attachment WHERE op_id IS NOT NULL")
            .await?,
        3
    );
    assert_eq!(workstation.sync_overview().await?.confirmed, 3);
    Ok(())
}

#[tokio::test]
async fn a_workstation_killed_mid_pull_restarts_from_its_cursor_and_loses_nothing() -> Result<()> {
    let region = Region::start(6000, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    workstation.close().await;
    let path = dir.path().join("emhana.sqlite");
    let sync_once = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_emhana-sync-once"))
            .arg(&path)
            .arg("100")
            .env("EMHANA_CREDENTIAL", &credential)
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
    };
    let applied = || local_count(&path, "SELECT first_sync_applied FROM sync_state");

    // kill -9 once some pages are in
    let mut child = sync_once()?;
    let started = std::time::Instant::now();
    while applied().await.unwrap_or(0) < 500 {
        anyhow::ensure!(started.elapsed().as_secs() < 60, "the first pages never arrived");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.start_kill()?;
    child.wait().await?;
    let at_kill = applied().await?;
    let persons = local_count(&path, "SELECT count(*) FROM person").await?;
    assert_eq!(persons, at_kill, "each page landed whole with its cursor");
    let bin = &region.clinic_bins()?[0];
    let attached = region
        .count(&format!(
            "SELECT count(*) FROM attachment a JOIN clinic c ON c.id = a.clinic_id WHERE c.bin = '{bin}' AND a.ended_on IS NULL"
        ))
        .await?;
    assert!(at_kill < attached, "killed mid-pull: {at_kill} of {attached}");

    // restarted: resumes from the cursor, never from zero
    let status = sync_once()?.wait().await?;
    assert!(status.success());
    assert_eq!(local_count(&path, "SELECT count(*) FROM person").await?, attached);
    assert_eq!(applied().await?, attached, "every person applied exactly once");
    assert_eq!(
        local_count(&path, "SELECT count(*) FROM attachment WHERE ended_on IS NULL").await?,
        attached
    );
    assert_eq!(
        local_count(&path, "SELECT count(*) FROM (SELECT person_id FROM attachment WHERE ended_on IS NULL GROUP BY person_id HAVING count(*) > 1)").await?,
        0
    );
    Ok(())
}

#[tokio::test]
async fn an_op_stays_not_sent_when_no_connection_could_be_made_and_goes_when_one_can() -> Result<()> {
    let at = kz(2026, 11, 20, 10);
    let region = Region::start(300, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    engine.sync_once(|_| {}).await?;
    let child = register_newborn(&workstation, 1, at).await?;
    attach(&workstation, child, at).await?;
    // The registry's address with nothing listening: the connection is refused.
    let dead = SyncEngine::new(
        workstation.clone(),
        HttpTransport::new("http://127.0.0.1:1", &credential)?,
        region.clock(),
        small_pages(),
    );
    let error = dead
        .sync_once(|_| {})
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("no registry there"))?;
    assert_eq!(error.code(), "offline");
    let overview = workstation.sync_overview().await?;
    assert_eq!(
        (overview.local, overview.sent),
        (1, 0),
        "nothing left the workstation"
    );
    // The link back: sent and confirmed.
    let report = engine.sync_once(|_| {}).await?;
    assert_eq!(report.confirmed, 1);
    Ok(())
}

#[tokio::test]
async fn a_post_with_no_link_exchanges_bundles_carried_by_hand_with_the_same_effects_as_a_push() -> Result<()>
{
    use emhana_protocol::bundle::BundleError;
    use emhana_sync::SyncError;
    use emhana_sync::bundle::{export_ops, import_answers};

    let region = Region::start(600, kz(2026, 11, 23, 9)).await?;
    // the registry's bundle key pair, made by its administrator before any PC enrols
    let registry_key = emhana_registry::bundle::make_key(&region.pool, false, kz(2026, 11, 23, 9)).await?;
    let (dir_post, dir_clinic) = (tempfile::tempdir()?, tempfile::tempdir()?);
    // The post was enrolled at the district centre; since then it has no link.
    let (post, post_credential) = region.workstation(dir_post.path(), 1).await?;
    let (polyclinic, polyclinic_credential) = region.workstation(dir_clinic.path(), 0).await?;
    let online = region.engine(&polyclinic, &polyclinic_credential, small_pages())?;
    online.sync_once(|_| {}).await?;

    // The same newborn at both; the polyclinic's push reaches the registry first.
    let at = kz(2026, 11, 20, 10);
    let mut children = Vec::new();
    for workstation in [&post, &polyclinic] {
        let child = register_newborn(workstation, 3, at).await?;
        attach(workstation, child, at).await?;
        children.push(child);
    }
    let other = register_newborn(&post, 4, at).await?;
    attach(&post, other, at).await?;
    online.sync_once(|_| {}).await?;

    // The post seals its outbox; the ops are carried away, not yet answered.
    let carried = post.pending_ops(usize::MAX).await?;
    let exported = export_ops(&post, kz(2026, 11, 23, 10)).await?;
    assert_eq!(exported.ops, 2);
    // read on the way, the file shows none of what it carries: no op's id,
    // no IIN (every run of 12 digits in the ops)
    for op in &carried {
        let json = serde_json::to_string(op)?;
        let digits: Vec<&str> = json
            .split(|c: char| !c.is_ascii_digit())
            .filter(|run| run.len() == 12)
            .collect();
        assert!(!digits.is_empty(), "an op names its person by IIN");
        for shown in digits.into_iter().chain([op.id.to_string().as_str()]) {
            assert!(
                !exported.bytes.windows(shown.len()).any(|w| w == shown.as_bytes()),
                "the bundle shows {shown}"
            );
        }
    }
    let overview = post.sync_overview().await?;
    assert_eq!((overview.local, overview.sent), (0, 2));

    // At the district centre: the registry imports it and writes the answers.
    let (answers, report) =
        emhana_registry::bundle::import(&region.pool, &registry_key, &exported.bytes, kz(2026, 11, 23, 11))
            .await?;
    assert_eq!((report.applied, report.rejected), (1, 1));
    assert!(report.feed_complete);
    // brought twice (a second stick): the same answers, no second effect
    let (_, again) =
        emhana_registry::bundle::import(&region.pool, &registry_key, &exported.bytes, kz(2026, 11, 23, 12))
            .await?;
    assert_eq!((again.applied, again.rejected), (1, 1));
    assert_eq!(region.count("SELECT count(*) FROM op_log").await?, 3);

    // A file changed on the way, or another workstation's, is refused whole.
    let mut tampered = answers.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x55;
    assert!(
        import_answers(&post, &tampered, kz(2026, 11, 24, 9))
            .await
            .is_err()
    );
    assert!(matches!(
        import_answers(&polyclinic, &answers, kz(2026, 11, 24, 9)).await,
        Err(SyncError::Bundle(BundleError::OtherWorkstation(_)))
    ));
    assert_eq!(
        post.sync_overview().await?.sent,
        2,
        "nothing recorded from a refused file"
    );
    use sqlx::ConnectOptions as _;
    let refusals: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE action = 'bundle_refused'")
            .fetch_one(
                &mut emhana_workstation::reader_options(&dir_post.path().join("emhana.sqlite"), None)
                    .connect()
                    .await?,
            )
            .await?;
    assert_eq!(
        refusals, 1,
        "the tampered file's refusal is in the post's audit log"
    );

    // Back at the post: one confirmed, one in "needs attention", the clinic's feed applied.
    let imported = import_answers(&post, &answers, kz(2026, 11, 24, 9)).await?;
    assert_eq!((imported.confirmed, imported.rejected), (1, 1));
    // the post's audit head came with its file and is held at the registry
    let post_id = post
        .enrolment()
        .await?
        .ok_or_else(|| anyhow::anyhow!("enrolled"))?
        .workstation_id;
    let held: i64 = sqlx::query_scalar("SELECT seq FROM audit_head WHERE workstation_id = $1")
        .bind(post_id)
        .fetch_one(&region.pool)
        .await?;
    assert!(held > 0);
    assert!(post.sync_overview().await?.audit_mismatch_at.is_none());
    assert!(!imported.feed_skipped && !imported.feed_incomplete);
    let attention = post.needs_attention().await?;
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].action, AttentionAction::PrintRefusal);
    assert!(post.attachment_history(children[0]).await?.is_empty());
    let bin = &region.clinic_bins()?[1];
    let attached = region
        .count(&format!(
            "SELECT count(*) FROM attachment a JOIN clinic c ON c.id = a.clinic_id WHERE c.bin = '{bin}' AND a.ended_on IS NULL"
        ))
        .await?;
    let path = dir_post.path().join("emhana.sqlite");
    assert_eq!(
        local_count(&path, "SELECT count(*) FROM attachment WHERE ended_on IS NULL").await?,
        attached,
        "the post's register is the registry's for its clinic"
    );
    assert_eq!(imported.changes as i64, attached);
    // imported again: nothing new, and the feed, now behind the cursor, is not applied twice
    let twice = import_answers(&post, &answers, kz(2026, 11, 24, 10)).await?;
    assert_eq!(
        (twice.confirmed, twice.rejected, twice.feed_skipped),
        (0, 0, true)
    );

    // When a link comes, the same ops are not applied again.
    let link = region.engine(&post, &post_credential, small_pages())?;
    let report = link.sync_once(|_| {}).await?;
    assert_eq!(report.pushed, 0);
    assert_eq!(region.count("SELECT count(*) FROM op_log").await?, 3);
    Ok(())
}

#[tokio::test]
async fn the_clinics_feed_still_comes_in_while_every_push_fails() -> Result<()> {
    let region = Region::start(300, kz(2026, 11, 23, 9)).await?;
    let (dir, other_dir) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (stuck, credential) = region.workstation(dir.path(), 0).await?;
    let (other, other_credential) = region.workstation(other_dir.path(), 0).await?;
    let engine = SyncEngine::new(
        stuck.clone(),
        FaultyPushes {
            inner: HttpTransport::new(&region.base, &credential)?,
            fault: PushFault::FailEvery,
            pushes: AtomicUsize::new(0),
        },
        region.clock(),
        small_pages(),
    );
    let other_engine = region.engine(&other, &other_credential, small_pages())?;
    sync_round(&other_engine).await?;
    engine.sync_once(|_| {}).await?; // nothing of its own yet: no push, the feed read
    // the stuck PC has an op the registry will not take; another PC attaches a newborn
    let at = kz(2026, 11, 20, 10);
    let own = register_newborn(&stuck, 1, at).await?;
    attach(&stuck, own, at).await?;
    let theirs = register_newborn(&other, 2, at).await?;
    attach(&other, theirs, at).await?;
    sync_round(&other_engine).await?;
    let round = engine.sync_once(|_| {}).await;
    assert!(
        matches!(
            round,
            Err(emhana_sync::SyncError::Transport(TransportError::Server { .. }))
        ),
        "the push's failure is the round's: {round:?}"
    );
    let newborn = support::newborn(2).iin;
    assert_eq!(
        local_count(
            &dir.path().join("emhana.sqlite"),
            &format!("SELECT count(*) FROM person WHERE iin = '{newborn}'")
        )
        .await?,
        1,
        "the other PC's newborn came in through the feed all the same"
    );
    Ok(())
}
