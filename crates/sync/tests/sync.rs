//! Workstations syncing with a real registry on PostgreSQL: the first sync,
//! two clinics attaching one person offline, answers lost on the way.

mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;
use emhana_domain::attachment::RefusalGround;
use emhana_domain::documents::DocumentOutcome;
use emhana_protocol::{PullQuery, PullResponse, PushRequest, PushResponse, RejectGround};
use emhana_sync::{HttpTransport, Progress, SyncEngine, SyncSettings, Transport, TransportError};
use emhana_workstation::AttentionAction;
use support::{Region, attach, attached_here, kz, local_count, one_attached_here, register_newborn};

fn small_pages() -> SyncSettings {
    SyncSettings {
        push_batch: 50,
        pull_page: 400,
        first_sync_group: 800,
        ..SyncSettings::default()
    }
}

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
            .resolve_attention(item.op, None, kz(2026, 11, 23, 10))
            .await?
    );
    assert!(polyclinic.needs_attention().await?.is_empty());
    Ok(())
}

/// A transport that loses the answer to every other push after the registry
/// committed it, as a dropped mobile link does.
struct LosesAnswers<T> {
    inner: T,
    pushes: AtomicUsize,
}

impl<T: Transport> Transport for LosesAnswers<T> {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
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
}

#[tokio::test]
async fn answers_lost_after_the_registry_committed_are_recovered_with_no_duplicates() -> Result<()> {
    let region = Region::start(600, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = SyncEngine::new(
        workstation.clone(),
        LosesAnswers {
            inner: HttpTransport::new(&region.base, &credential)?,
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
                None,
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

#[tokio::test]
async fn a_post_with_no_link_exchanges_bundles_carried_by_hand_with_the_same_effects_as_a_push() -> Result<()>
{
    use emhana_protocol::bundle::BundleError;
    use emhana_sync::SyncError;
    use emhana_sync::bundle::{export_ops, import_answers};

    let region = Region::start(600, kz(2026, 11, 23, 9)).await?;
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
    let exported = export_ops(&post, &post_credential, kz(2026, 11, 23, 10)).await?;
    assert_eq!(exported.ops, 2);
    let overview = post.sync_overview().await?;
    assert_eq!((overview.local, overview.sent), (0, 2));

    // At the district centre: the registry imports it and writes the answers.
    let (answers, report) =
        emhana_registry::bundle::import(&region.pool, &exported.bytes, kz(2026, 11, 23, 11)).await?;
    assert_eq!((report.applied, report.rejected), (1, 1));
    assert!(report.feed_complete);
    // brought twice (a second stick): the same answers, no second effect
    let (_, again) =
        emhana_registry::bundle::import(&region.pool, &exported.bytes, kz(2026, 11, 23, 12)).await?;
    assert_eq!((again.applied, again.rejected), (1, 1));
    assert_eq!(region.count("SELECT count(*) FROM op_log").await?, 3);

    // A file changed on the way, or another workstation's, is refused whole.
    let mut tampered = answers.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x55;
    assert!(
        import_answers(&post, &post_credential, &tampered, kz(2026, 11, 24, 9))
            .await
            .is_err()
    );
    assert!(matches!(
        import_answers(&polyclinic, &polyclinic_credential, &answers, kz(2026, 11, 24, 9)).await,
        Err(SyncError::Bundle(BundleError::OtherWorkstation(_)))
    ));
    assert_eq!(
        post.sync_overview().await?.sent,
        2,
        "nothing recorded from a refused file"
    );

    // Back at the post: one confirmed, one in "needs attention", the clinic's feed applied.
    let imported = import_answers(&post, &post_credential, &answers, kz(2026, 11, 24, 9)).await?;
    assert_eq!((imported.confirmed, imported.rejected), (1, 1));
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
    let twice = import_answers(&post, &post_credential, &answers, kz(2026, 11, 24, 10)).await?;
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
async fn a_new_years_campaign_set_at_the_registry_reaches_the_workstation_with_its_next_sync() -> Result<()> {
    use emhana_domain::attachment::{Campaign, CampaignEffect};
    let region = Region::start(300, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    engine.sync_once(|_| {}).await?;

    // The 2027 order moves the campaign and defers its effect to 1 January.
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2027, m, d).unwrap_or_default();
    let order = Campaign {
        year: 2027,
        first_day: day(9, 1),
        last_day: day(10, 31),
        free_choice_limit: 1,
        takes_effect: CampaignEffect::NextJanuaryFirst,
    };
    assert_ne!(workstation.attachment_rules().await?.campaign(2027), order);
    emhana_registry::reference::set_campaign(&region.pool, &order).await?;
    // a window outside its year is refused at the registry
    let wrong = Campaign {
        first_day: day(12, 1),
        last_day: day(11, 1),
        ..order.clone()
    };
    assert!(
        emhana_registry::reference::set_campaign(&region.pool, &wrong)
            .await
            .is_err()
    );

    let report = engine.sync_once(|_| {}).await?;
    assert!(report.reference_changed);
    assert_eq!(workstation.attachment_rules().await?.campaign(2027), order);
    assert!(!engine.sync_once(|_| {}).await?.reference_changed, "taken once");
    Ok(())
}

#[tokio::test]
async fn two_registrars_book_one_slot_offline_the_first_to_reach_the_registry_keeps_it() -> Result<()> {
    use emhana_domain::booking::{BookingChannel, BookingStatus, VisitReason};
    use emhana_workstation::BookingForm;
    let now = kz(2026, 11, 23, 9);
    let region = Region::start(600, now).await?;
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    // Two windows of the same polyclinic, each with the clinic's schedules.
    let (window_a, credential_a) = region.workstation(dir_a.path(), 0).await?;
    let (window_b, credential_b) = region.workstation(dir_b.path(), 0).await?;
    let engine_a = region.engine(&window_a, &credential_a, small_pages())?;
    let engine_b = region.engine(&window_b, &credential_b, small_pages())?;
    engine_a.sync_once(|_| {}).await?;
    engine_b.sync_once(|_| {}).await?;
    for window in [&window_a, &window_b] {
        for (index, doctor) in window.doctors().await?.iter().enumerate() {
            let week = emhana_synth::doctor_week(
                index,
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            );
            window.set_schedule_template(doctor.id, &week, None, now).await?;
        }
    }
    // Two persons attached here with the same district doctor.
    let persons: Vec<_> = attached_here(&window_a, now)
        .await?
        .into_iter()
        .filter(|(_, options)| options.district_doctor_id.is_some())
        .collect();
    let (first, options) = persons
        .first()
        .ok_or_else(|| anyhow::anyhow!("a person attached here"))?;
    let doctor = options.district_doctor_id.unwrap_or_default();
    let second = persons
        .iter()
        .skip(1)
        .find(|(_, o)| o.district_doctor_id == Some(doctor))
        .map(|(hit, _)| hit.clone())
        .ok_or_else(|| anyhow::anyhow!("a second person of the same doctor"))?;
    let slot = options.free[0].starts;
    let form = |person_id: i64| BookingForm {
        person_id,
        staff_id: doctor,
        starts_at: slot,
        reason: VisitReason::AcuteOrExacerbation,
        channel: BookingChannel::Phone,
        registrar_id: None,
    };
    // The windows imported the clinic's staff alike (same doctor id); persons
    // arrived by each one's own sync, so B looks its person up by IIN.
    let second_at_b = window_b.search(&second.iin, 1).await?.hits[0].id;

    // Offline, both book the same slot.
    let at_a = window_a.book(&form(first.id), now).await?;
    let at_b = window_b.book(&form(second_at_b), now).await?;
    assert!(at_a.provisional && at_b.provisional);

    // Window B's link comes back first: B keeps the slot.
    let report_b = engine_b.sync_once(|_| {}).await?;
    assert_eq!((report_b.confirmed, report_b.rejected), (1, 0));
    let report_a = engine_a.sync_once(|_| {}).await?;
    assert_eq!((report_a.confirmed, report_a.rejected), (0, 1));
    assert!(!window_b.booking(at_b.id).await?.booking.provisional);
    let lost = window_a.booking(at_a.id).await?;
    assert_eq!(lost.booking.status, BookingStatus::Cancelled);
    assert_eq!(
        lost.history.last().and_then(|e| e.note.as_deref()),
        Some("slot_taken_at_registry")
    );
    let attention = window_a.needs_attention().await?;
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].ground, RejectGround::SlotTaken);
    assert_eq!(attention[0].action, AttentionAction::PickAnotherSlot);
    assert_eq!(attention[0].person_id, Some(first.id));

    // Window A books the next slot for its person; window B cancels its booking.
    let next = window_a.free_slots(doctor, Some(slot), 2, now).await?;
    let rebooked = window_a
        .book(
            &BookingForm {
                starts_at: next
                    .iter()
                    .find(|s| s.starts != slot)
                    .map(|s| s.starts)
                    .unwrap_or(slot),
                ..form(first.id)
            },
            now,
        )
        .await?;
    window_b
        .set_booking_status(at_b.id, BookingStatus::Cancelled, None, now)
        .await?;
    assert_eq!(engine_a.sync_once(|_| {}).await?.confirmed, 1);
    assert_eq!(engine_b.sync_once(|_| {}).await?.confirmed, 1);
    assert!(!window_a.booking(rebooked.id).await?.booking.provisional);
    assert_eq!(
        region
            .count("SELECT count(*) FROM booking WHERE cancelled_at IS NULL")
            .await?,
        1
    );
    assert_eq!(region.count("SELECT count(*) FROM booking").await?, 2);
    Ok(())
}

#[tokio::test]
async fn a_decree_moving_days_off_set_at_the_registry_reaches_the_workstation_and_lists_the_bookings_it_closes()
-> Result<()> {
    use emhana_domain::booking::{BookingChannel, VisitReason};
    use emhana_domain::calendar::{CalendarDay, DayKind, WorkCalendar};
    use emhana_workstation::BookingForm;
    let now = kz(2026, 11, 23, 9);
    let region = Region::start(300, now).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    engine.sync_once(|_| {}).await?;
    let doctor = workstation.doctors().await?[0].id;
    let week = emhana_synth::doctor_week(0, chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default());
    workstation
        .set_schedule_template(doctor, &week, None, now)
        .await?;
    let person = one_attached_here(&workstation, now).await?;
    // Booked on Friday 4 December 2026 at 09:00.
    let friday = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
    let starts = friday.and_hms_opt(9, 0, 0).unwrap_or_default();
    let booking = workstation
        .book(
            &BookingForm {
                person_id: person,
                staff_id: doctor,
                starts_at: starts,
                reason: VisitReason::Prescription,
                channel: BookingChannel::InPerson,
                registrar_id: None,
            },
            now,
        )
        .await?;

    // A decree: Friday 4 December off, worked on Saturday 12 December instead.
    let mut days = WorkCalendar::law_defaults(2026);
    days.push(CalendarDay {
        date: friday,
        kind: DayKind::DayOff,
        works_as: None,
        name: "Үкімет қаулысы / Постановление Правительства".into(),
    });
    days.push(CalendarDay {
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 12).unwrap_or_default(),
        kind: DayKind::WorkingDay,
        works_as: Some(chrono::Weekday::Fri),
        name: String::new(),
    });
    emhana_registry::reference::set_calendar_year(&region.pool, 2026, &days).await?;
    // a day of another year is refused at the registry
    assert!(
        emhana_registry::reference::set_calendar_year(&region.pool, 2027, &days)
            .await
            .is_err()
    );

    assert!(engine.sync_once(|_| {}).await?.reference_changed);
    assert!(!engine.sync_once(|_| {}).await?.reference_changed, "taken once");
    let kept = workstation.calendar_year(2026).await?;
    assert!(kept.iter().any(|d| d.date == friday && d.kind == DayKind::DayOff));
    // The booking is kept and listed to be moved; the worked Saturday has Friday's slots.
    let displaced = workstation.displaced_bookings(now).await?;
    assert_eq!(
        displaced.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![booking.id]
    );
    let saturday = workstation
        .doctor_day(
            doctor,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 12).unwrap_or_default(),
        )
        .await?;
    assert_eq!(
        saturday.rows.len(),
        15,
        "a worked Saturday keeps Friday's reception"
    );
    Ok(())
}

#[tokio::test]
async fn a_new_triage_order_set_at_the_registry_changes_who_goes_at_the_workstation() -> Result<()> {
    use emhana_domain::home_call::{Indication, Responder, TriageRules};
    use emhana_workstation::CallForm;
    let now = kz(2026, 11, 23, 9);
    let region = Region::start(300, now).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    engine.sync_once(|_| {}).await?;
    let person = one_attached_here(&workstation, now).await?;
    let form = CallForm {
        person_id: person,
        caller: "Ұлы / сын".into(),
        caller_phone: None,
        complaint: "Қысым / давление".into(),
        temperature: None,
        indications: vec![Indication::RaisedBloodPressure],
        pregnant: false,
        registrar_wants_doctor: false,
        goes: None,
        registrar_id: None,
    };
    assert_eq!(
        workstation.preview_call(&form, now).await?.triage.goes,
        Responder::Nurse
    );

    // An order from 1 November sends raised blood pressure to the doctor.
    let mut order = TriageRules::seed_default();
    order.source = "Бұйрық / Приказ № 49 (2026)".into();
    order.valid_from = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    for (indication, responder) in &mut order.indications {
        if *indication == Indication::RaisedBloodPressure {
            *responder = Responder::DistrictDoctor;
        }
    }
    emhana_registry::reference::set_triage_rules(&region.pool, &order).await?;
    assert!(engine.sync_once(|_| {}).await?.reference_changed);
    assert!(!engine.sync_once(|_| {}).await?.reference_changed, "taken once");
    let preview = workstation.preview_call(&form, now).await?;
    assert_eq!(preview.triage.goes, Responder::DistrictDoctor);
    assert_eq!(preview.rules_source, "Бұйрық / Приказ № 49 (2026)");
    // a call made before the order's first day is still judged by seed 000
    let before = kz(2026, 10, 20, 9);
    assert_eq!(
        workstation.preview_call(&form, before).await?.triage.goes,
        Responder::Nurse
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
