//! Reference data set at the registry reaching the workstation (campaigns, calendars, triage orders), and one slot booked offline twice.

use super::*;

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
            window.set_schedule_template(doctor.id, &week, now).await?;
        }
    }
    // The schedules reach the registry (the second window's, the same, stand as the first's).
    assert_eq!(engine_a.sync_once(|_| {}).await?.rejected, 0);
    assert_eq!(engine_b.sync_once(|_| {}).await?.rejected, 0);
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
        .set_booking_status(at_b.id, BookingStatus::Cancelled, now)
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
    workstation.set_schedule_template(doctor, &week, now).await?;
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
