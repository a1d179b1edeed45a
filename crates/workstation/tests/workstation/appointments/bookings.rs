//! Bookings: the form's options, numbered and provisional, refused at their field, moved, cancelled, arrived, lost at the registry, at a post.

use super::*;

#[tokio::test]
async fn the_form_opens_with_the_district_doctor_and_the_nearest_free_slots() {
    let clinic = clinic().await;
    let options = clinic
        .workstation
        .booking_options(clinic.kairat, now())
        .await
        .unwrap();
    assert_eq!(options.district_doctor_id, Some(clinic.doctor));
    assert!(options.refusal.is_none());
    // 09:00 now: the first free slot is 09:00 itself, then every 15 minutes, skipping tea.
    let starts: Vec<NaiveDateTime> = options.free.iter().map(|slot| slot.starts).collect();
    assert_eq!(starts[0], at(2026, 11, 24, 9, 0));
    assert_eq!(starts[4], at(2026, 11, 24, 10, 15));
    assert_eq!(options.free[0].room.as_deref(), Some("214"));

    let elsewhere = clinic
        .workstation
        .booking_options(clinic.serik, now())
        .await
        .unwrap();
    match elsewhere.refusal {
        Some(BookingRefusal::AttachedElsewhere { clinic: Some(other) }) => {
            assert_eq!(other.name_ru, "Городская поликлиника №2");
        }
        other => panic!("expected attached elsewhere, got {other:?}"),
    }
    assert!(elsewhere.free.is_empty());
}

#[tokio::test]
async fn a_booking_is_numbered_provisional_and_carried_by_an_op() {
    let clinic = clinic().await;
    let booking = clinic
        .workstation
        .book(&clinic.form(clinic.kairat, at(2026, 11, 25, 9, 30)), now())
        .await
        .unwrap();
    assert_eq!(booking.number, "2026/1");
    assert_eq!(booking.status, BookingStatus::Booked);
    assert!(booking.provisional);
    assert_eq!(booking.ends_at, at(2026, 11, 25, 9, 45));
    assert_eq!(booking.room.as_deref(), Some("214"));
    let ops = clinic.workstation.pending_ops(10).await.unwrap();
    assert_eq!(ops.len(), 1);
    match &ops[0].body {
        OpBody::Book(book) => {
            assert_eq!(book.iin, booking.iin);
            // 09:30 in Astana is 04:30 UTC
            assert_eq!(
                book.slot.starts_at,
                Utc.with_ymd_and_hms(2026, 11, 25, 4, 30, 0).unwrap()
            );
        }
        other => panic!("expected a book op, got {other:?}"),
    }
    let second = clinic
        .workstation
        .book(&clinic.form(clinic.aigerim, at(2026, 11, 25, 9, 45)), now())
        .await
        .unwrap();
    assert_eq!(second.number, "2026/2");

    // The registry confirms the first: no longer provisional.
    clinic
        .workstation
        .record_answers(
            &[OpResult {
                op: ops[0].id,
                outcome: OpOutcome::Applied,
                decided_at: now(),
                attachment: None,
                record: None,
            }],
            now(),
        )
        .await
        .unwrap();
    let detail = clinic.workstation.booking(booking.id).await.unwrap();
    assert!(!detail.booking.provisional);
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.history[0].status, BookingStatus::Booked);
}

#[tokio::test]
async fn bad_bookings_are_refused_at_their_field_and_nothing_is_written() {
    let clinic = clinic().await;
    clinic
        .workstation
        .book(&clinic.form(clinic.kairat, at(2026, 11, 25, 9, 0)), now())
        .await
        .unwrap();
    let before = clinic.counts().await;
    let cases = [
        (
            "past",
            clinic.form(clinic.aigerim, at(2026, 11, 24, 8, 45)),
            "slot",
        ),
        (
            "the break",
            clinic.form(clinic.aigerim, at(2026, 11, 25, 10, 0)),
            "slot",
        ),
        (
            "home-visit hours",
            clinic.form(clinic.aigerim, at(2026, 11, 25, 14, 0)),
            "slot",
        ),
        (
            "Independence Day",
            clinic.form(clinic.aigerim, at(2026, 12, 16, 9, 0)),
            "slot",
        ),
        (
            "taken",
            clinic.form(clinic.aigerim, at(2026, 11, 25, 9, 0)),
            "slot",
        ),
        (
            "second the same day",
            clinic.form(clinic.kairat, at(2026, 11, 25, 11, 0)),
            "person",
        ),
        (
            "attached elsewhere",
            clinic.form(clinic.serik, at(2026, 11, 26, 9, 0)),
            "person",
        ),
        (
            "not attached",
            clinic.form(clinic.zhanna, at(2026, 11, 26, 9, 0)),
            "person",
        ),
    ];
    for (name, form, field) in cases {
        let error = clinic.workstation.book(&form, now()).await.expect_err(name);
        let (at_field, refusal) = refusal(error);
        assert_eq!(at_field, field, "{name}: {refusal:?}");
    }
    assert_eq!(clinic.counts().await, before);
}

#[tokio::test]
async fn move_cancel_arrive_and_no_show_keep_a_history_and_send_ops() {
    let clinic = clinic().await;
    let ws = &clinic.workstation;
    let first = ws
        .book(&clinic.form(clinic.kairat, at(2026, 11, 24, 9, 15)), now())
        .await
        .unwrap();
    // Moved later the same day: the person's own booking does not count against the move.
    let moved = ws
        .move_booking(first.id, clinic.doctor, at(2026, 11, 24, 11, 0), now())
        .await
        .unwrap();
    assert_eq!(moved.moved_from, Some(first.id));
    assert_eq!(moved.number, "2026/2");
    assert_eq!(
        ws.booking(first.id).await.unwrap().booking.status,
        BookingStatus::Moved
    );
    // The freed slot can be booked by another.
    ws.book(&clinic.form(clinic.aigerim, at(2026, 11, 24, 9, 15)), now())
        .await
        .unwrap();
    // Arrival is marked on the day; a booking for tomorrow cannot be.
    let arrived = ws
        .set_booking_status(moved.id, BookingStatus::Arrived, now())
        .await
        .unwrap();
    assert_eq!(arrived.status, BookingStatus::Arrived);
    let tomorrow = ws
        .book(&clinic.form(clinic.kairat, at(2026, 11, 25, 8, 0)), now())
        .await
        .unwrap();
    match ws
        .set_booking_status(tomorrow.id, BookingStatus::NoShow, now())
        .await
    {
        Err(BookingError::Status {
            refusal: StatusRefusal::NotYetTheDay { .. },
        }) => {}
        other => panic!("expected not yet the day, got {other:?}"),
    }
    let cancelled = ws
        .set_booking_status(tomorrow.id, BookingStatus::Cancelled, now())
        .await
        .unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    match ws
        .set_booking_status(tomorrow.id, BookingStatus::Arrived, now())
        .await
    {
        Err(BookingError::Status {
            refusal: StatusRefusal::NotFrom { .. },
        }) => {}
        other => panic!("a cancelled booking stays cancelled, got {other:?}"),
    }
    let history: Vec<BookingStatus> = ws
        .booking(moved.id)
        .await
        .unwrap()
        .history
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(history, vec![BookingStatus::Booked, BookingStatus::Arrived]);
    // The card lists the person's bookings as the booking form does.
    let listed = ws
        .person_bookings(clinic.kairat, date(2026, 11, 24))
        .await
        .unwrap();
    assert_eq!(
        listed,
        ws.booking_options(clinic.kairat, now()).await.unwrap().upcoming
    );
    assert_eq!(listed.len(), 3, "moved, arrived, cancelled");
    // The day's journal keeps every booking, the moved one too, in time order.
    let journal: Vec<BookingStatus> = ws
        .booking_journal(date(2026, 11, 24))
        .await
        .unwrap()
        .iter()
        .map(|b| b.status)
        .collect();
    assert_eq!(
        journal,
        vec![
            BookingStatus::Moved,
            BookingStatus::Booked,
            BookingStatus::Arrived
        ]
    );
    // book, cancel+book (move), book, arrived (issue 17: every status change is shared), book, cancel
    let kinds: Vec<&str> = ws
        .pending_ops(20)
        .await
        .unwrap()
        .iter()
        .map(|op| op.body.kind())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "book",
            "cancel_booking",
            "book",
            "book",
            "change_booking",
            "book",
            "cancel_booking"
        ]
    );
}

#[tokio::test]
async fn a_slot_lost_at_the_registry_cancels_the_booking_here_and_asks_for_another() {
    let clinic = clinic().await;
    let ws = &clinic.workstation;
    let booking = ws
        .book(&clinic.form(clinic.kairat, at(2026, 11, 25, 9, 0)), now())
        .await
        .unwrap();
    let op = ws.pending_ops(1).await.unwrap()[0].id;
    ws.record_answers(
        &[OpResult {
            op,
            outcome: OpOutcome::Rejected {
                ground: RejectGround::SlotTaken,
            },
            decided_at: now(),
            attachment: None,
            record: None,
        }],
        now(),
    )
    .await
    .unwrap();
    let detail = ws.booking(booking.id).await.unwrap();
    assert_eq!(detail.booking.status, BookingStatus::Cancelled);
    assert_eq!(detail.history[1].note.as_deref(), Some("slot_taken_at_registry"));
    let attention = ws.needs_attention().await.unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].person_id, Some(clinic.kairat));
    // the slot is free here again
    ws.book(&clinic.form(clinic.aigerim, at(2026, 11, 25, 9, 0)), now())
        .await
        .unwrap();
}

/// Issue 14: a person of a feldsher post's district got district 1's doctor
/// preselected. Her own district's practitioner is meant: at a post, the feldsher.
#[tokio::test]
async fn a_post_s_person_is_booked_with_the_post_s_feldsher_by_default() {
    let (_dir, workstation) = fixture::with_a_feldsher_post().await;
    let feldsher = workstation
        .doctors()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.district_number == Some(9))
        .expect("the post's feldsher receives patients");
    let options = workstation
        .booking_options(id_of(&workstation, "Омаров Серік").await, now())
        .await
        .unwrap();
    assert_eq!(options.district_doctor_id, Some(feldsher.id));
}

/// Issue 15: a plan's doctor's visit was closed only by a nurse. Seed 000's
/// "осмотр участковым врачом" is made at reception: the booking the person
/// came to closes it, and the nurse's visit stays hers.
#[tokio::test]
async fn coming_to_the_district_doctor_makes_the_plan_s_doctor_visit() {
    use emhana_domain::care_plan::{BasisDocument, Condition, EnrolmentBasis, RiskLevel, VisitWho};
    use emhana_workstation::PlanRequest;
    let clinic = clinic().await;
    let ws = &clinic.workstation;
    let plan = ws
        .open_plan(
            clinic.kairat,
            &PlanRequest::Observation {
                condition: Condition::ArterialHypertension,
                risk: RiskLevel::High,
                enrolled: date(2026, 8, 20),
                basis: EnrolmentBasis {
                    document: BasisDocument::DistrictDoctorConclusion,
                    dated: date(2026, 8, 20),
                },
            },
            now(),
        )
        .await
        .unwrap();
    let doctor_visit = plan
        .visits
        .iter()
        .find(|v| v.who == VisitWho::DistrictDoctor && v.due_from == date(2026, 11, 20))
        .unwrap()
        .id;
    let booking = ws
        .book(&clinic.form(clinic.kairat, at(2026, 11, 24, 9, 0)), now())
        .await
        .unwrap();
    ws.set_booking_status(booking.id, BookingStatus::Arrived, now())
        .await
        .unwrap();
    let after = ws.person_plans(clinic.kairat, date(2026, 11, 24)).await.unwrap();
    let visits = &after[0].visits;
    let made = visits.iter().find(|v| v.id == doctor_visit).unwrap();
    assert_eq!(made.outcome, Some(emhana_domain::care_plan::VisitOutcome::Done));
    // the next doctor's visit (February) and the nurse's visits are still to do
    assert!(
        visits
            .iter()
            .filter(|v| v.who == VisitWho::DistrictDoctor && v.due_from > date(2026, 11, 24))
            .all(|v| v.outcome.is_none())
    );
    assert!(
        visits
            .iter()
            .filter(|v| v.who == VisitWho::Nurse)
            .all(|v| v.outcome.is_none())
    );
}

/// Bookings numbered before enrolment keep their number; after it, the PC
/// numbers in its own series, and a move takes the series' next number.
#[tokio::test]
async fn an_enrolled_pc_numbers_its_bookings_in_its_own_series() {
    let clinic = clinic().await;
    let before = clinic
        .workstation
        .book(&clinic.form(clinic.kairat, at(2026, 11, 25, 9, 30)), now())
        .await
        .unwrap();
    assert_eq!(before.number, "2026/1");
    let here = fixture::clinic();
    let enrolment = emhana_protocol::Enrolment {
        workstation: uuid::Uuid::now_v7(),
        clinic_bin: here.bin.as_string(),
        clinic_name_kk: here.name_kk.clone(),
        clinic_name_ru: here.name_ru.clone(),
        credential: "test.secret".into(),
        series: 2,
        registry_bundle_key: None,
        bundle_secret: None,
    };
    clinic
        .workstation
        .save_enrolment("http://127.0.0.1:9", &enrolment, now())
        .await
        .unwrap();
    let first = clinic
        .workstation
        .book(&clinic.form(clinic.aigerim, at(2026, 11, 25, 9, 45)), now())
        .await
        .unwrap();
    assert_eq!(first.number, "2026/2-1");
    let moved = clinic
        .workstation
        .move_booking(first.id, clinic.doctor, at(2026, 11, 25, 10, 30), now())
        .await
        .unwrap();
    assert_eq!(moved.number, "2026/2-2");
    let journal = clinic
        .workstation
        .booking_journal(date(2026, 11, 25))
        .await
        .unwrap();
    let numbers: Vec<&str> = journal.iter().map(|b| b.number.as_str()).collect();
    assert_eq!(numbers, ["2026/1", "2026/2-1", "2026/2-2"]);
}
