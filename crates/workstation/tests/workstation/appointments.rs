//! Schedules and the booking journal against a real SQLite file: bookings,
//! moves and cancellations written whole with their ops, refusals written not
//! at all, schedule changes that never drop a booking silently.

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::booking::{BookingChannel, BookingRefusal, BookingStatus, StatusRefusal, VisitReason};
use emhana_domain::calendar::{CalendarDay, DayKind};
use emhana_domain::schedule::{
    DayClosed, ExceptionKind, ScheduleException, Session, SessionKind, WORKING_WEEK, WeeklyTemplate,
};
use emhana_domain::{Address, Sex};
use emhana_protocol::{OpBody, OpOutcome, OpResult, RejectGround};
use emhana_workstation::{AttachmentRecord, BookingError, BookingForm, HouseholdRecord, Workstation};
use tempfile::TempDir;

use crate::fixture::{self, date, person};

/// An instant given in Kazakhstan time (UTC+5).
fn kz(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - chrono::TimeDelta::hours(5)
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_time(NaiveTime::from_hms_opt(h, min, 0).unwrap())
}

/// Tuesday 24 November 2026, 09:00 in Astana.
fn now() -> DateTime<Utc> {
    kz(2026, 11, 24, 9, 0)
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

/// Mornings 08:00–12:00 in room 214 by 15 minutes, tea at 10:00, afternoons on home visits.
fn mornings() -> WeeklyTemplate {
    let stretch = |starts, ends, kind| Session {
        weekday: Weekday::Mon,
        starts,
        ends,
        kind,
        slot_minutes: 15,
        room: Some("214".into()),
    };
    let day = [
        stretch(time(8, 0), time(12, 0), SessionKind::Reception),
        stretch(time(10, 0), time(10, 15), SessionKind::Break),
        stretch(time(13, 0), time(16, 0), SessionKind::HomeVisits),
    ];
    WeeklyTemplate {
        valid_from: date(2026, 1, 1),
        sessions: day
            .iter()
            .flat_map(|s| Session::on_each(&WORKING_WEEK, s))
            .collect(),
    }
}

struct Clinic {
    _dir: TempDir,
    workstation: Workstation,
    doctor: i64,
    registrar: i64,
    /// attached here, district 1
    kairat: i64,
    aigerim: i64,
    /// attached to clinic №2
    serik: i64,
    /// attached nowhere
    zhanna: i64,
}

async fn id_of(workstation: &Workstation, name: &str) -> i64 {
    workstation.search(name, 1).await.unwrap().hits[0].id
}

/// The fixture with the Әлібековs attached here, a man attached to clinic
/// №2, and the district doctor on [`mornings`].
async fn clinic() -> Clinic {
    let (dir, workstation) = fixture::loaded().await;
    let here = fixture::clinic();
    let other = fixture::other_clinic();
    workstation
        .import_clinics(std::slice::from_ref(&other))
        .await
        .unwrap();
    let attached = |bin| {
        Some(AttachmentRecord {
            clinic_bin: bin,
            district_number: 1,
            ground: AttachmentGround::FirstAttachment,
            decided_on: date(2020, 1, 10),
        })
    };
    let address = |house: &str| Address {
        settlement: "Астана".into(),
        street: "Абай даңғылы".into(),
        house: house.into(),
        apartment: None,
    };
    let mut kairat = person("Нұрланов", "Қайрат", None, date(1978, 3, 2), Sex::Male);
    kairat.phone = Some("7012223344".into());
    let aigerim = person("Нұрланова", "Айгерім", None, date(1982, 4, 5), Sex::Female);
    let serik = person("Серікбаев", "Бауыржан", None, date(1986, 8, 30), Sex::Male);
    workstation
        .import_households(&[
            HouseholdRecord {
                address: address("8"),
                members: vec![kairat, aigerim],
                attachments: vec![attached(here.bin), attached(here.bin)],
            },
            HouseholdRecord {
                address: address("9"),
                members: vec![serik],
                attachments: vec![attached(other.bin)],
            },
        ])
        .await
        .unwrap();
    let doctor = workstation.doctors().await.unwrap()[0].id;
    workstation
        .set_schedule_template(doctor, &mornings(), None, now())
        .await
        .unwrap();
    // Enrolled, so the outbox hands out its ops (the registry is not asked here).
    let enrolment = emhana_protocol::Enrolment {
        workstation: uuid::Uuid::now_v7(),
        clinic_bin: here.bin.as_string(),
        clinic_name_kk: here.name_kk.clone(),
        clinic_name_ru: here.name_ru.clone(),
        credential: "test.secret".into(),
    };
    workstation
        .save_enrolment("http://127.0.0.1:9", &enrolment, now())
        .await
        .unwrap();
    let registrar = workstation
        .attachment_options(id_of(&workstation, "Нұрланов Қайрат").await, now())
        .await
        .unwrap()
        .registrars[0]
        .id;
    Clinic {
        doctor,
        registrar,
        kairat: id_of(&workstation, "Нұрланов Қайрат").await,
        aigerim: id_of(&workstation, "Нұрланова Айгерім").await,
        serik: id_of(&workstation, "Серікбаев Бауыржан").await,
        zhanna: id_of(&workstation, "Серікова Жанна").await,
        workstation,
        _dir: dir,
    }
}

impl Clinic {
    fn form(&self, person_id: i64, starts_at: NaiveDateTime) -> BookingForm {
        BookingForm {
            person_id,
            staff_id: self.doctor,
            starts_at,
            reason: VisitReason::AcuteOrExacerbation,
            channel: BookingChannel::Phone,
            registrar_id: Some(self.registrar),
        }
    }

    async fn counts(&self) -> (i64, i64, i64) {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.workstation.path().display()))
            .await
            .unwrap();
        let counts = sqlx::query_as(
            "SELECT (SELECT count(*) FROM booking), (SELECT count(*) FROM booking_event), (SELECT count(*) FROM outbox)",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        pool.close().await;
        counts
    }
}

fn refusal(error: BookingError) -> (&'static str, BookingRefusal) {
    match error {
        BookingError::Refused { field, refusal } => (field, refusal),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

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
        .move_booking(
            first.id,
            clinic.doctor,
            at(2026, 11, 24, 11, 0),
            Some(clinic.registrar),
            now(),
        )
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
        .set_booking_status(moved.id, BookingStatus::Arrived, Some(clinic.registrar), now())
        .await
        .unwrap();
    assert_eq!(arrived.status, BookingStatus::Arrived);
    let tomorrow = ws
        .book(&clinic.form(clinic.kairat, at(2026, 11, 25, 8, 0)), now())
        .await
        .unwrap();
    match ws
        .set_booking_status(tomorrow.id, BookingStatus::NoShow, None, now())
        .await
    {
        Err(BookingError::Status {
            refusal: StatusRefusal::NotYetTheDay { .. },
        }) => {}
        other => panic!("expected not yet the day, got {other:?}"),
    }
    let cancelled = ws
        .set_booking_status(tomorrow.id, BookingStatus::Cancelled, None, now())
        .await
        .unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    match ws
        .set_booking_status(tomorrow.id, BookingStatus::Arrived, None, now())
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
    // book, cancel+book (move), book, book, cancel
    let kinds: Vec<&str> = ws
        .pending_ops(20)
        .await
        .unwrap()
        .iter()
        .map(|op| op.body.kind())
        .collect();
    assert_eq!(
        kinds,
        vec!["book", "cancel_booking", "book", "book", "book", "cancel_booking"]
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

#[tokio::test]
async fn schedule_changes_list_the_bookings_they_leave_without_a_slot() {
    let clinic = clinic().await;
    let ws = &clinic.workstation;
    let morning = ws
        .book(&clinic.form(clinic.kairat, at(2026, 12, 2, 9, 0)), now())
        .await
        .unwrap();
    let later = ws
        .book(&clinic.form(clinic.aigerim, at(2026, 12, 3, 11, 0)), now())
        .await
        .unwrap();
    // From December the doctor receives only 10:15–12:00.
    let mut shorter = mornings();
    shorter.valid_from = date(2026, 12, 1);
    for session in &mut shorter.sessions {
        if session.kind == SessionKind::Reception {
            session.starts = time(10, 15);
        }
    }
    let change = ws
        .set_schedule_template(clinic.doctor, &shorter, None, now())
        .await
        .unwrap();
    let displaced: Vec<i64> = change.displaced.iter().map(|b| b.id).collect();
    assert_eq!(displaced, vec![morning.id]);
    // The booking is kept, shown in the day as off schedule, and can be moved.
    let day = ws.doctor_day(clinic.doctor, date(2026, 12, 2)).await.unwrap();
    assert_eq!(day.off_schedule.len(), 1);
    assert_eq!(ws.displaced_bookings(now()).await.unwrap().len(), 1);
    ws.move_booking(morning.id, clinic.doctor, at(2026, 12, 2, 10, 15), None, now())
        .await
        .unwrap();
    assert!(ws.displaced_bookings(now()).await.unwrap().is_empty());

    // Sick leave on the 3rd displaces the other booking; removing it restores the slot.
    let sick = ScheduleException {
        first_day: date(2026, 12, 3),
        last_day: date(2026, 12, 3),
        kind: ExceptionKind::SickLeave,
        sessions: vec![],
    };
    let change = ws
        .add_schedule_exception(clinic.doctor, &sick, None, now())
        .await
        .unwrap();
    assert_eq!(
        change.displaced.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![later.id]
    );
    let day = ws.doctor_day(clinic.doctor, date(2026, 12, 3)).await.unwrap();
    assert_eq!(
        day.closed,
        Some(DayClosed::Exception {
            kind: ExceptionKind::SickLeave
        })
    );
    let view = ws.schedule(clinic.doctor).await.unwrap();
    assert_eq!(view.templates.len(), 2);
    let change = ws
        .remove_schedule_exception(view.exceptions[0].id, now())
        .await
        .unwrap();
    assert!(change.displaced.is_empty());

    // A calendar change (a decree makes 4 December a day off) lists it too.
    let booked = ws
        .book(&clinic.form(clinic.kairat, at(2026, 12, 4, 11, 0)), now())
        .await
        .unwrap();
    let mut days = ws.calendar_year(2026).await.unwrap();
    days.push(CalendarDay {
        date: date(2026, 12, 4),
        kind: DayKind::DayOff,
        works_as: None,
        name: "decree".into(),
    });
    let change = ws.set_calendar_year(2026, &days, now()).await.unwrap();
    assert_eq!(
        change.displaced.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![booked.id]
    );
    assert_eq!(ws.calendar_year(2026).await.unwrap().len(), days.len());
}

#[tokio::test]
async fn days_show_every_slot_and_the_clinic_counts_them() {
    let clinic = clinic().await;
    let ws = &clinic.workstation;
    ws.book(&clinic.form(clinic.kairat, at(2026, 11, 24, 9, 0)), now())
        .await
        .unwrap();
    let aigerim = ws
        .book(&clinic.form(clinic.aigerim, at(2026, 11, 24, 9, 15)), now())
        .await
        .unwrap();
    ws.set_booking_status(aigerim.id, BookingStatus::NoShow, None, kz(2026, 11, 24, 10, 0))
        .await
        .unwrap();
    let day = ws.doctor_day(clinic.doctor, date(2026, 11, 24)).await.unwrap();
    assert_eq!(day.rows.len(), 15);
    let booked: Vec<_> = day
        .rows
        .iter()
        .filter_map(|row| row.booking.as_ref().map(|b| b.status))
        .collect();
    assert_eq!(booked, vec![BookingStatus::Booked, BookingStatus::NoShow]);
    let line = ws
        .clinic_day(date(2026, 11, 24))
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.doctor.id == clinic.doctor)
        .unwrap();
    assert_eq!(
        (
            line.counts.slots,
            line.counts.booked,
            line.counts.no_show,
            line.counts.free
        ),
        (15, 1, 1, 14)
    );
    assert_eq!(day.counts, line.counts);
    let list = ws
        .doctor_day_list(clinic.doctor, date(2026, 11, 24))
        .await
        .unwrap();
    assert_eq!(list.rows.len(), 15);
    assert_eq!(
        list.rows[4].booking.as_ref().map(|b| b.person_name.as_str()),
        Some("Нұрланов Қайрат")
    );
    let slip = ws.booking_slip(aigerim.id).await.unwrap();
    assert_eq!(slip.masked_iin.len(), 12);
    assert!(slip.masked_iin.starts_with("********"));
    assert_eq!(slip.room.as_deref(), Some("214"));
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
            None,
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
    ws.set_booking_status(booking.id, BookingStatus::Arrived, Some(clinic.registrar), now())
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
