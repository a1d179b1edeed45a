//! The first sync, two clinics attaching one person offline, a refused attachment undone.

use super::*;

#[tokio::test]
async fn a_first_sync_brings_the_clinics_attached_population_with_progress() -> Result<()> {
    let region = Region::start(3000, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    let seen = Mutex::new(Vec::new());
    let report = engine
        .sync_once(|progress| {
            if let Progress::Pulling {
                applied, remaining, ..
            } = progress
            {
                seen.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((applied, remaining));
            }
        })
        .await?;
    let bin = &region.clinic_bins()?[0];
    let attached = region
        .count(&format!(
            "SELECT count(*) FROM attachment a JOIN clinic c ON c.id = a.clinic_id WHERE c.bin = '{bin}' AND a.ended_on IS NULL"
        ))
        .await?;
    assert!(
        attached > 2000,
        "the demo polyclinic holds most of the region: {attached}"
    );
    assert_eq!(report.pulled, attached as u64);
    let path = dir.path().join("emhana.sqlite");
    assert_eq!(local_count(&path, "SELECT count(*) FROM person").await?, attached);
    assert_eq!(
        local_count(
            &path,
            "SELECT count(*) FROM attachment WHERE ended_on IS NULL AND district_id IS NOT NULL"
        )
        .await?,
        attached
    );
    // search works on what the sync brought
    let some_surname: String = sqlx::query_scalar("SELECT surname FROM person ORDER BY id LIMIT 1")
        .fetch_one(&sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", path.display())).await?)
        .await?;
    assert!(!workstation.search(&some_surname, 5).await?.hits.is_empty());
    // the progress bar moved forward and ended at zero left
    let seen = seen.into_inner().unwrap_or_default();
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(seen.last().and_then(|s| s.1), Some(0));
    let overview = workstation.sync_overview().await?;
    assert!(overview.first_sync.done_at.is_some());
    assert_eq!(overview.first_sync.applied, attached);

    // a second round finds nothing new and sends nothing
    let again = engine.sync_once(|_| {}).await?;
    assert_eq!((again.pushed, again.pulled), (0, 0));
    Ok(())
}

#[tokio::test]
async fn two_clinics_attach_one_newborn_offline_one_keeps_her_the_other_is_told_and_prints_the_refusal()
-> Result<()> {
    let region = Region::start(600, kz(2026, 11, 23, 9)).await?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (polyclinic, credential_a) = region.workstation(dir_a.path(), 0).await?;
    let (practice, credential_b) = region.workstation(dir_b.path(), 1).await?;
    let engine_a = region.engine(&polyclinic, &credential_a, small_pages())?;
    let engine_b = region.engine(&practice, &credential_b, small_pages())?;
    engine_a.sync_once(|_| {}).await?;
    engine_b.sync_once(|_| {}).await?;

    // Both offline: the same newborn registered and attached at both.
    let at = kz(2026, 11, 20, 10);
    let child_a = register_newborn(&polyclinic, 1, at).await?;
    let child_b = register_newborn(&practice, 1, at).await?;
    let application_a = attach(&polyclinic, child_a, at).await?;
    let application_b = attach(&practice, child_b, kz(2026, 11, 20, 11)).await?;
    for workstation in [&polyclinic, &practice] {
        let overview = workstation.sync_overview().await?;
        assert_eq!(
            (overview.local, overview.confirmed),
            (1, 0),
            "provisional until the registry answers"
        );
    }

    // The practice's link comes back first.
    let report_b = engine_b.sync_once(|_| {}).await?;
    assert_eq!((report_b.confirmed, report_b.rejected), (1, 0));
    let report_a = engine_a.sync_once(|_| {}).await?;
    assert_eq!((report_a.confirmed, report_a.rejected), (0, 1));

    let attention = polyclinic.needs_attention().await?;
    assert_eq!(attention.len(), 1);
    let item = &attention[0];
    assert_eq!(
        item.ground,
        RejectGround::AttachmentRefused {
            refusal: RefusalGround::NotFirstAttachment
        }
    );
    assert_eq!(item.action, AttentionAction::PrintRefusal);
    assert_eq!(item.application_id, Some(application_a));
    assert_eq!(item.person_name.as_deref(), Some("Серікова Айлин Асқарқызы"));
    // the ticket is now a refusal, printable from local data
    let document = polyclinic.application_document(application_a).await?;
    assert!(
        matches!(
            document.outcome,
            DocumentOutcome::Refused {
                ground: RefusalGround::NotFirstAttachment,
                ..
            }
        ),
        "{:?}",
        document.outcome
    );
    // and the provisional attachment is gone here
    assert!(polyclinic.attachment_history(child_a).await?.is_empty());
    assert!(practice.application_document(application_b).await.is_ok());
    assert_eq!(practice.sync_overview().await?.confirmed, 1);
    assert_eq!(
        region.count("SELECT count(*) FROM attachment a JOIN person p ON p.id = a.person_id WHERE p.surname = 'Серікова' AND a.ended_on IS NULL").await?,
        1
    );
    // dealt with: off the list
    assert!(
        polyclinic
            .resolve_attention(item.op, kz(2026, 11, 23, 10))
            .await?
    );
    assert!(polyclinic.needs_attention().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_refused_attachment_is_undone_even_after_a_death_was_recorded_on_it() -> Result<()> {
    let region = Region::start(600, kz(2026, 11, 23, 9)).await?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (polyclinic, credential_a) = region.workstation(dir_a.path(), 0).await?;
    let (practice, credential_b) = region.workstation(dir_b.path(), 1).await?;
    let engine_a = region.engine(&polyclinic, &credential_a, small_pages())?;
    let engine_b = region.engine(&practice, &credential_b, small_pages())?;
    let at = kz(2026, 11, 20, 10);
    let child_a = register_newborn(&polyclinic, 2, at).await?;
    let child_b = register_newborn(&practice, 2, at).await?;
    attach(&polyclinic, child_a, at).await?;
    attach(&practice, child_b, at).await?;
    // recorded here while offline, on the provisional attachment
    assert!(
        polyclinic
            .detach(
                child_a,
                emhana_workstation::DetachmentReason::Died,
                at.date_naive(),
                kz(2026, 11, 21, 10)
            )
            .await?
    );
    engine_b.sync_once(|_| {}).await?;
    let report = engine_a.sync_once(|_| {}).await?;
    assert_eq!((report.confirmed, report.rejected), (0, 2), "{report:?}");
    assert!(polyclinic.attachment_history(child_a).await?.is_empty());
    let grounds: Vec<_> = polyclinic
        .needs_attention()
        .await?
        .into_iter()
        .map(|item| item.ground)
        .collect();
    assert_eq!(grounds.len(), 2);
    assert!(grounds.contains(&RejectGround::NotAttachedHere), "{grounds:?}");
    Ok(())
}
