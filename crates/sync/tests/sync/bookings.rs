//! Bookings shared between two windows of one clinic through the registry:
//! a booking made at one window is in the other's day and holds its slot
//! there; a booking marked arrived at one window and cancelled at the other
//! keeps the first change; a booking the feed brings while this window's own
//! booking of the slot waits for its answer is held, then written.

use emhana_domain::booking::{BookingChannel, BookingStatus, VisitReason};
use emhana_protocol::{PullQuery, Record};
use emhana_workstation::{BookingError, BookingForm, BookingOptions, PersonHit, Workstation};

use super::*;

struct Windows {
    region: Region,
    a: Workstation,
    b: Workstation,
    engine_a: SyncEngine<HttpTransport>,
    engine_b: SyncEngine<HttpTransport>,
    credential_b: String,
    doctor: i64,
    /// Persons of the doctor's district, as window A holds them.
    persons: Vec<(PersonHit, BookingOptions)>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn windows(now: chrono::DateTime<chrono::Utc>) -> Result<Windows> {
    let region = Region::start(600, now).await?;
    let dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (a, credential_a) = region.workstation(dirs.0.path(), 0).await?;
    let (b, credential_b) = region.workstation(dirs.1.path(), 0).await?;
    let engine_a = region.engine(&a, &credential_a, small_pages())?;
    let engine_b = region.engine(&b, &credential_b, small_pages())?;
    sync_round(&engine_a).await?;
    sync_round(&engine_b).await?;
    // The schedules are still each window's own (not yet shared): both enter the same.
    for window in [&a, &b] {
        for (index, doctor) in window.doctors().await?.iter().enumerate() {
            let week = emhana_synth::doctor_week(
                index,
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            );
            window.set_schedule_template(doctor.id, &week, now).await?;
        }
    }
    let all = attached_here(&a, now).await?;
    let doctor = all
        .iter()
        .find_map(|(_, options)| options.district_doctor_id)
        .ok_or_else(|| anyhow::anyhow!("a district doctor"))?;
    let persons = all
        .into_iter()
        .filter(|(_, options)| options.district_doctor_id == Some(doctor))
        .collect::<Vec<_>>();
    anyhow::ensure!(persons.len() >= 2, "two persons of one doctor");
    Ok(Windows {
        region,
        a,
        b,
        engine_a,
        engine_b,
        credential_b,
        doctor,
        persons,
        _dirs: dirs,
    })
}

fn form(person_id: i64, staff_id: i64, starts_at: chrono::NaiveDateTime) -> BookingForm {
    BookingForm {
        person_id,
        staff_id,
        starts_at,
        reason: VisitReason::AcuteOrExacerbation,
        channel: BookingChannel::InPerson,
    }
}

/// The booking as window `w` holds it, by the number both windows show.
async fn numbered(
    w: &Workstation,
    day: chrono::NaiveDate,
    number: &str,
) -> Result<emhana_workstation::BookingView> {
    w.booking_journal(day)
        .await?
        .into_iter()
        .find(|booking| booking.number == number)
        .ok_or_else(|| anyhow::anyhow!("booking {number} is not in the journal"))
}

async fn at_registry(region: &Region, number: u32) -> Result<emhana_protocol::BookingRecord> {
    let body: serde_json::Value = sqlx::query_scalar(
        "SELECT body FROM clinic_record WHERE kind = 'booking' AND (body ->> 'number')::bigint = $1",
    )
    .bind(i64::from(number))
    .fetch_one(&region.pool)
    .await?;
    match serde_json::from_value(body)? {
        Record::Booking(booking) => Ok(*booking),
        other => anyhow::bail!("{} is not a booking", other.id()),
    }
}

#[tokio::test]
async fn a_booking_made_at_one_window_holds_its_slot_at_the_other_and_the_first_change_of_it_stands()
-> Result<()> {
    let now = kz(2026, 11, 23, 9);
    let w = windows(now).await?;
    let (person, options) = &w.persons[0];
    let slot = options.free[0].starts;
    let day = slot.date();
    let booked = w.a.book(&form(person.id, w.doctor, slot), now).await?;

    // One round each: window B's day shows it, confirmed, and its slot is no longer free there.
    sync_round(&w.engine_a).await?;
    sync_round(&w.engine_b).await?;
    let there = numbered(&w.b, day, &booked.number).await?;
    assert_eq!((there.status, there.provisional), (BookingStatus::Booked, false));
    assert_eq!(there.starts_at, booked.starts_at);
    let other_at_b = w.b.search(&w.persons[1].0.iin, 1).await?.hits[0].id;
    assert!(
        matches!(
            w.b.book(&form(other_at_b, w.doctor, slot), now).await,
            Err(BookingError::Refused { .. })
        ),
        "window B refuses the slot window A booked"
    );

    // Offline, both: the person arrives at window A; window B cancels the booking.
    let visit_day = kz(2026, 11, 23, 9).max(emhana_domain::kazakhstan_instant(slot));
    w.a.set_booking_status(booked.id, BookingStatus::Arrived, visit_day)
        .await?;
    w.b.set_booking_status(there.id, BookingStatus::Cancelled, visit_day)
        .await?;
    w.region.set_now(visit_day);
    sync_round(&w.engine_a).await?;
    let report = sync_round(&w.engine_b).await?;
    assert_eq!(report.rejected, 1, "the cancellation came second");
    let attention = w.b.needs_attention().await?;
    assert_eq!(attention.len(), 1);
    assert_eq!(
        attention[0].ground,
        RejectGround::BookingChanged {
            status: BookingStatus::Arrived
        }
    );
    assert_eq!(attention[0].action, AttentionAction::CheckBooking);
    // Window B shows the booking as it stands: the person came.
    let now_at_b = numbered(&w.b, day, &booked.number).await?;
    assert_eq!(now_at_b.status, BookingStatus::Arrived);

    // Another round: nothing moves, the conflict listed once; all three agree.
    sync_round(&w.engine_a).await?;
    sync_round(&w.engine_b).await?;
    assert_eq!(w.b.needs_attention().await?.len(), 1);
    assert!(w.a.needs_attention().await?.is_empty());
    let record = w.a.shared_booking(booked.id).await?;
    assert_eq!(record, w.b.shared_booking(there.id).await?);
    assert_eq!(record, at_registry(&w.region, record.number).await?);
    assert_eq!(
        record.history.iter().map(|e| e.status).collect::<Vec<_>>(),
        [BookingStatus::Booked, BookingStatus::Arrived]
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_the_feed_brings_while_this_windows_own_booking_of_the_slot_waits_is_held_then_written()
-> Result<()> {
    let now = kz(2026, 11, 23, 9);
    let w = windows(now).await?;
    let slot = w.persons[0].1.free[1].starts;
    let first_at_a = w.a.book(&form(w.persons[0].0.id, w.doctor, slot), now).await?;
    sync_round(&w.engine_a).await?;

    // Window B books the same slot for another person; before its push, it
    // reads the feed (as a round whose push was lost on the way would).
    let other_at_b = w.b.search(&w.persons[1].0.iin, 1).await?.hits[0].id;
    let own = w.b.book(&form(other_at_b, w.doctor, slot), now).await?;
    let transport = HttpTransport::new(&w.region.base, &w.credential_b)?;
    let page = transport
        .pull(&PullQuery {
            after: w.b.sync_cursor().await?,
            limit: Some(100),
            count: false,
        })
        .await?;
    w.b.apply_pull(&page, now).await?;
    assert!(
        numbered(&w.b, slot.date(), &first_at_a.number).await.is_err(),
        "held: its slot is still this window's provisional booking"
    );
    let held = "SELECT count(*) FROM held_record";
    assert_eq!(
        local_count(&w._dirs.1.path().join("emhana.sqlite"), held).await?,
        1
    );
    // The round's answer frees the slot here; the held booking is written.
    let report = sync_round(&w.engine_b).await?;
    assert_eq!(report.rejected, 1);
    assert_eq!(
        w.b.booking(own.id).await?.booking.status,
        BookingStatus::Cancelled
    );
    let written = numbered(&w.b, slot.date(), &first_at_a.number).await?;
    assert_eq!(
        (written.status, written.provisional),
        (BookingStatus::Booked, false)
    );
    assert_eq!(
        local_count(
            &w._dirs.1.path().join("emhana.sqlite"),
            "SELECT count(*) FROM held_record"
        )
        .await?,
        0
    );
    Ok(())
}

#[tokio::test]
async fn a_doctors_schedule_changed_on_two_windows_keeps_the_first_and_the_other_is_listed_once() -> Result<()>
{
    use emhana_domain::schedule::{ExceptionKind, ScheduleException, WeeklyTemplate};
    let now = kz(2026, 11, 23, 9);
    let w = windows(now).await?;
    // The schedules both windows entered reach the registry and agree.
    sync_round(&w.engine_a).await?;
    assert_eq!(sync_round(&w.engine_b).await?.rejected, 0);
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default();

    // Offline, both: window A records the doctor's leave; window B gives the
    // doctor a new week from December.
    let leave = ScheduleException {
        first_day: day(12, 7),
        last_day: day(12, 11),
        kind: ExceptionKind::Leave,
        sessions: vec![],
    };
    w.a.add_schedule_exception(w.doctor, &leave, now).await?;
    let mut december = emhana_synth::doctor_week(1, day(12, 1));
    december.sessions.truncate(2);
    w.b.set_schedule_template(w.doctor, &december, now).await?;

    // Window A reaches the registry first: its version stands.
    sync_round(&w.engine_a).await?;
    assert_eq!(sync_round(&w.engine_b).await?.rejected, 1);
    let attention = w.b.needs_attention().await?;
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].ground, RejectGround::ScheduleChanged);
    assert_eq!(attention[0].action, AttentionAction::CheckSchedule);
    let at_b = w.b.schedule(w.doctor).await?;
    assert_eq!(at_b.exceptions.len(), 1, "window A's leave is at window B");
    assert!(
        !at_b
            .templates
            .iter()
            .any(|t: &WeeklyTemplate| t.valid_from == day(12, 1)),
        "window B's lost week is not kept"
    );

    // Entered again over the version that stands, window B's week is kept,
    // and window A and a PC enrolled later receive it.
    w.b.set_schedule_template(w.doctor, &december, now).await?;
    assert_eq!(sync_round(&w.engine_b).await?.rejected, 0);
    sync_round(&w.engine_a).await?;
    let dir = tempfile::tempdir()?;
    let (late, credential) = w.region.workstation(dir.path(), 0).await?;
    sync_round(&w.region.engine(&late, &credential, small_pages())?).await?;
    let (a, b, c) = (
        w.a.schedule(w.doctor).await?,
        w.b.schedule(w.doctor).await?,
        late.schedule(w.doctor).await?,
    );
    assert!(a.templates.iter().any(|t| t.valid_from == day(12, 1)));
    assert_eq!(
        (&a.templates, a.exceptions.len()),
        (&b.templates, b.exceptions.len())
    );
    assert_eq!(
        (&a.templates, a.exceptions.len()),
        (&c.templates, c.exceptions.len())
    );
    assert_eq!(w.b.needs_attention().await?.len(), 1, "listed once");
    Ok(())
}
