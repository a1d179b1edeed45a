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

mod bookings;
mod schedules;

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
        .set_schedule_template(doctor, &mornings(), now())
        .await
        .unwrap();
    // Enrolled, so the outbox hands out its ops (the registry is not asked here).
    let enrolment = emhana_protocol::Enrolment {
        workstation: uuid::Uuid::now_v7(),
        clinic_bin: here.bin.as_string(),
        clinic_name_kk: here.name_kk.clone(),
        clinic_name_ru: here.name_ru.clone(),
        credential: "test.secret".into(),
        series: 0,
        registry_bundle_key: None,
        bundle_secret: None,
    };
    workstation
        .save_enrolment("http://127.0.0.1:9", &enrolment, now())
        .await
        .unwrap();
    // The doctor's schedule reached the registry already (its op answered):
    // the tests below see the booking ops alone.
    let answered: Vec<OpResult> = workstation
        .pending_ops(10)
        .await
        .unwrap()
        .iter()
        .map(|op| OpResult {
            op: op.id,
            outcome: OpOutcome::Applied,
            decided_at: now(),
            attachment: None,
            record: None,
        })
        .collect();
    workstation.record_answers(&answered, now()).await.unwrap();
    Clinic {
        doctor,
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
