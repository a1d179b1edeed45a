//! Home calls, care plans and the nurse's round against a real SQLite file:
//! calls triaged and refused by the rules, plans expanded and regenerated,
//! a round ordered, reordered and its outcomes recorded by its own nurse.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::care_plan::{
    BasisDocument, Condition, EnrolmentBasis, PlanKind, RiskLevel, VisitOutcome, VisitPurpose, VisitState,
    VisitWho,
};
use emhana_domain::home_call::{CallAcceptance, CallRefusal, CallStatus, Indication, Responder, TriageError};
use emhana_domain::round::RoundPace;
use emhana_domain::{Address, DistrictKind, Sex, StaffRole};
use emhana_workstation::{
    AttachmentRecord, CallForm, CoverageRecord, DistrictRecord, HomeVisitError, HouseholdRecord, PlanRequest,
    StaffRecord, StopRef, Workstation,
};
use tempfile::TempDir;

use crate::fixture::{self, date, iin, person};

/// Tuesday 24 November 2026, 10:00 in Astana.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap()
}

fn today() -> NaiveDate {
    date(2026, 11, 24)
}

struct Clinic {
    _dir: TempDir,
    ws: Workstation,
    nurse: i64,
    other_nurse: i64,
    doctor: i64,
    /// born 20 November 2026, district 1
    baby: i64,
    /// 29, district 1
    mother: i64,
    /// 61, district 1, hypertension
    grandfather: i64,
    /// district 2
    neighbour: i64,
    /// attached to clinic №2
    stranger: i64,
}

async fn id_of(ws: &Workstation, name: &str) -> i64 {
    ws.search(name, 1).await.unwrap().hits[0].id
}

async fn clinic() -> Clinic {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    let mut here = fixture::clinic();
    here.districts.push(DistrictRecord {
        number: 2,
        kind: DistrictKind::Therapeutic,
        coverage: vec![CoverageRecord {
            settlement: "Астана".into(),
            street: "Кенесары көшесі".into(),
            house_from: 1,
            house_to: 50,
        }],
    });
    here.staff.push(StaffRecord {
        iin: iin(date(1985, 3, 3), Sex::Female),
        surname: "Жақыпова".into(),
        first_name: "Жанар".into(),
        patronymic: None,
        role: StaffRole::DistrictNurse,
        specialty: None,
        district_number: Some(2),
        phone: None,
    });
    let other = fixture::other_clinic();
    ws.import_clinics(&[here.clone(), other.clone()]).await.unwrap();
    let attached = |bin, district| {
        Some(AttachmentRecord {
            clinic_bin: bin,
            district_number: district,
            ground: AttachmentGround::FirstAttachment,
            decided_on: date(2020, 1, 10),
        })
    };
    let address = |street: &str, house: &str| Address {
        settlement: "Астана".into(),
        street: street.into(),
        house: house.into(),
        apartment: None,
    };
    let family_address = address("Абай даңғылы", "9");
    let mut baby = person("Нұрланова", "Әйгерім", None, date(2026, 11, 20), Sex::Female);
    let mut mother = person("Нұрланова", "Гүлнар", None, date(1997, 6, 1), Sex::Female);
    let mut grandfather = person("Нұрланов", "Серік", None, date(1965, 2, 2), Sex::Male);
    for member in [&mut baby, &mut mother, &mut grandfather] {
        member.address = Some(family_address.clone());
    }
    mother.phone = Some("7012223344".into());
    let mut neighbour = person("Омаров", "Бекзат", None, date(1970, 1, 1), Sex::Male);
    neighbour.address = Some(address("Кенесары көшесі", "3"));
    let stranger = person("Серікбаев", "Бауыржан", None, date(1986, 8, 30), Sex::Male);
    ws.import_households(&[
        HouseholdRecord {
            address: family_address,
            members: vec![mother, baby, grandfather],
            attachments: vec![
                attached(here.bin, 1),
                attached(here.bin, 1),
                attached(here.bin, 1),
            ],
        },
        HouseholdRecord {
            address: address("Кенесары көшесі", "3"),
            members: vec![neighbour],
            attachments: vec![attached(here.bin, 2)],
        },
        HouseholdRecord {
            address: address("Сарыарқа даңғылы", "5"),
            members: vec![stranger],
            attachments: vec![attached(other.bin, 1)],
        },
    ])
    .await
    .unwrap();
    let nurses = ws.nurses().await.unwrap();
    let nurse = nurses.iter().find(|n| n.district_number == Some(1)).unwrap().id;
    let other_nurse = nurses.iter().find(|n| n.district_number == Some(2)).unwrap().id;
    Clinic {
        doctor: ws.doctors().await.unwrap()[0].id,
        baby: id_of(&ws, "Нұрланова Әйгерім").await,
        mother: id_of(&ws, "Нұрланова Гүлнар").await,
        grandfather: id_of(&ws, "Нұрланов Серік").await,
        neighbour: id_of(&ws, "Омаров Бекзат").await,
        stranger: id_of(&ws, "Серікбаев Бауыржан").await,
        nurse,
        other_nurse,
        ws,
        _dir: dir,
    }
}

fn call(person_id: i64, temperature: Option<f32>, indications: &[Indication]) -> CallForm {
    CallForm {
        person_id,
        caller: "Нұрланова Гүлнар".into(),
        caller_phone: Some("+7 701 222 33 44".into()),
        complaint: "Қызуы көтерілді / температура".into(),
        temperature,
        indications: indications.to_vec(),
        pregnant: false,
        registrar_wants_doctor: false,
        goes: None,
        registrar_id: None,
    }
}

async fn count(ws: &Workstation, table: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", ws.path().display()))
        .await
        .unwrap();
    let n = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn calls_of_each_kind_go_to_whom_the_rules_say() {
    let c = clinic().await;
    let nurse_call =
        c.ws.register_call(&call(c.grandfather, Some(37.6), &[]), now())
            .await
            .unwrap();
    assert_eq!(nurse_call.number, "2026/1");
    assert_eq!(
        (nurse_call.suggested, nurse_call.goes),
        (Responder::Nurse, Responder::Nurse)
    );
    assert_eq!(nurse_call.assigned_staff_id, Some(c.nurse));
    assert_eq!(nurse_call.planned_on, today());
    assert_eq!(nurse_call.status, CallStatus::Registered);

    let doctor_call =
        c.ws.register_call(&call(c.mother, None, &[Indication::Rash]), now())
            .await
            .unwrap();
    assert_eq!(doctor_call.goes, Responder::DistrictDoctor);
    assert_eq!(doctor_call.assigned_staff_id, Some(c.doctor));
    assert_eq!(doctor_call.indications, vec![Indication::Rash]);

    let emergency =
        c.ws.register_call(&call(c.grandfather, None, &[Indication::Bleeding]), now())
            .await
            .unwrap();
    assert_eq!(
        (emergency.goes, emergency.status),
        (Responder::Ambulance, CallStatus::PassedToAmbulance)
    );
    assert_eq!(emergency.assigned_staff_id, None);

    // The registrar sends the doctor where the rules say the nurse: allowed.
    let escalated =
        c.ws.register_call(
            &CallForm {
                goes: Some(Responder::DistrictDoctor),
                ..call(c.baby, Some(37.2), &[])
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        (escalated.suggested, escalated.goes),
        (Responder::Nurse, Responder::DistrictDoctor)
    );

    // A person attached elsewhere: an emergency is recorded with the advice to call 103.
    let stranger =
        c.ws.register_call(&call(c.stranger, None, &[Indication::LossOfConsciousness]), now())
            .await
            .unwrap();
    assert_eq!(stranger.acceptance, CallAcceptance::EmergencyOnly);
    let journal = c.ws.calls_on(today()).await.unwrap();
    assert_eq!(journal.len(), 5);
}

#[tokio::test]
async fn bad_calls_are_refused_and_nothing_is_written() {
    let c = clinic().await;
    let cases: Vec<(&str, CallForm)> = vec![
        ("60 °C", call(c.grandfather, Some(60.0), &[])),
        (
            "below the rule",
            CallForm {
                goes: Some(Responder::Nurse),
                ..call(c.mother, None, &[Indication::Rash])
            },
        ),
        ("not attached, not urgent", call(c.stranger, Some(37.5), &[])),
        (
            "no complaint",
            CallForm {
                complaint: " ".into(),
                ..call(c.mother, None, &[])
            },
        ),
    ];
    for (name, form) in cases {
        let error = c.ws.register_call(&form, now()).await.expect_err(name);
        match (name, error) {
            (
                "60 °C",
                HomeVisitError::Triage {
                    problem: TriageError::ImplausibleTemperature { .. },
                },
            ) => {}
            (
                "below the rule",
                HomeVisitError::Triage {
                    problem: TriageError::BelowRule { .. },
                },
            ) => {}
            (
                "not attached, not urgent",
                HomeVisitError::CallRefused {
                    refusal: CallRefusal::AttachedElsewhere { clinic: Some(_) },
                },
            ) => {}
            ("no complaint", HomeVisitError::Required { field: "complaint" }) => {}
            (name, other) => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(count(&c.ws, "home_call").await, 0);
    assert_eq!(count(&c.ws, "home_call_indication").await, 0);
}

#[tokio::test]
async fn a_nurse_passes_a_call_to_the_doctor_and_only_she_records_her_calls() {
    let c = clinic().await;
    let served =
        c.ws.register_call(&call(c.grandfather, Some(37.6), &[]), now())
            .await
            .unwrap();
    assert!(matches!(
        c.ws.set_call_status(served.id, CallStatus::Served, Some(c.other_nurse), None, now())
            .await,
        Err(HomeVisitError::NotYourCall)
    ));
    let passed =
        c.ws.set_call_status(
            served.id,
            CallStatus::PassedToDoctor,
            Some(c.nurse),
            Some("АҚ 180/110"),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        (passed.goes, passed.assigned_staff_id),
        (Responder::DistrictDoctor, Some(c.doctor))
    );
    assert_eq!(passed.status, CallStatus::Registered);
}

/// Issue 14: three open calls for one person within minutes were not flagged.
#[tokio::test]
async fn a_repeat_call_is_said_before_it_is_recorded_and_marked_in_the_journal() {
    let c = clinic().await;
    let form = call(c.grandfather, Some(38.2), &[]);
    assert_eq!(c.ws.preview_call(&form, now()).await.unwrap().recent_call, None);
    let first = c.ws.register_call(&form, now()).await.unwrap();
    assert_eq!((first.repeat_of.as_deref(), first.age_years), (None, 61));
    let minutes_later = now() + chrono::TimeDelta::minutes(7);
    let warned = c.ws.preview_call(&form, minutes_later).await.unwrap();
    let recent = warned.recent_call.expect("the first call is recent");
    assert_eq!(
        (recent.number.as_str(), recent.status),
        (first.number.as_str(), CallStatus::Registered)
    );
    let second = c.ws.register_call(&form, minutes_later).await.unwrap();
    assert_eq!(second.repeat_of.as_deref(), Some(first.number.as_str()));
    // two days on, a call is a new one
    let later = now() + chrono::TimeDelta::days(2);
    assert_eq!(c.ws.preview_call(&form, later).await.unwrap().recent_call, None);
    let journal = c.ws.calls_on(today()).await.unwrap();
    let repeats: Vec<_> = journal.iter().map(|call| call.repeat_of.clone()).collect();
    assert_eq!(repeats, [None, Some(first.number.clone())]);
}

/// Issue 15: a plan was expanded 12 months once, and after a year a
/// hypertensive patient silently dropped off the nurse's list. Enrolled two
/// years ago, he is still on it today, with the biennial monitoring due.
#[tokio::test]
async fn a_hypertensive_patient_enrolled_two_years_ago_is_still_observed_today() {
    let c = clinic().await;
    let two_years_ago = now() - chrono::TimeDelta::days(730);
    c.ws.open_plan(
        c.grandfather,
        &PlanRequest::Observation {
            condition: Condition::ArterialHypertension,
            risk: RiskLevel::Medium,
            enrolled: date(2024, 11, 24),
            basis: EnrolmentBasis {
                document: BasisDocument::DistrictDoctorConclusion,
                dated: date(2024, 11, 24),
            },
        },
        None,
        two_years_ago,
    )
    .await
    .unwrap();
    // the visits of the first year as the nurse recorded them
    c.ws.record_past_visits_done(date(2025, 11, 24)).await.unwrap();
    let district =
        c.ws.nurses()
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.id == c.nurse)
            .unwrap()
            .district_id
            .unwrap();
    let due = c.ws.due_visits(district, today()).await.unwrap();
    let mine: Vec<_> = due
        .iter()
        .filter(|d| d.person_id == c.grandfather && d.visit.state == VisitState::Due)
        .map(|d| (d.visit.who, d.visit.what.clone().unwrap_or_default()))
        .collect();
    assert!(mine.iter().any(|(who, _)| *who == VisitWho::Nurse), "{mine:?}");
    assert!(
        mine.iter()
            .any(|(who, what)| *who == VisitWho::Tests && what.contains("СМАД")),
        "the monitoring every two years: {mine:?}"
    );
    let round = c.ws.round(c.nurse, today(), RoundPace::default()).await.unwrap();
    assert!(
        round.stops.iter().any(|s| s.person_id == c.grandfather),
        "on her round today"
    );
    // planned once: asking again plans nothing more
    assert_eq!(c.ws.plan_ahead(today()).await.unwrap(), 0);
    let plans = c.ws.person_plans(c.grandfather, today()).await.unwrap();
    let nurse_visits = plans[0]
        .visits
        .iter()
        .filter(|v| v.who == VisitWho::Nurse && v.due_from == date(2026, 11, 24))
        .count();
    assert_eq!(nurse_visits, 1, "no visit planned twice");
}

#[tokio::test]
async fn plans_are_expanded_checked_and_regenerated() {
    let c = clinic().await;
    let baby =
        c.ws.open_plan(
            c.baby,
            &PlanRequest::Newborn {
                discharged: date(2026, 11, 23),
                risk: false,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(baby.kind, PlanKind::ChildPatronage);
    assert_eq!(baby.visits.len(), 9);
    assert_eq!(
        baby.visits[0].state,
        VisitState::Due,
        "first 3 days after discharge"
    );
    assert_eq!(
        baby.visits[1].state,
        VisitState::Planned,
        "day 7 of life is the 27th"
    );

    // A second plan of the same kind, a woman's plan for a man, a date before birth, a child too old.
    let refusals = [
        c.ws.open_plan(
            c.baby,
            &PlanRequest::Newborn {
                discharged: date(2026, 11, 23),
                risk: true,
            },
            None,
            now(),
        )
        .await,
        c.ws.open_plan(
            c.grandfather,
            &PlanRequest::Pregnancy {
                reported: date(2026, 11, 20),
                weeks_at_report: 9,
            },
            None,
            now(),
        )
        .await,
        c.ws.open_plan(
            c.baby,
            &PlanRequest::Observation {
                condition: Condition::Diabetes2,
                risk: RiskLevel::Low,
                enrolled: date(2026, 11, 1),
                basis: EnrolmentBasis {
                    document: BasisDocument::DistrictDoctorConclusion,
                    dated: date(2026, 11, 1),
                },
            },
            None,
            now(),
        )
        .await,
        c.ws.open_plan(
            c.mother,
            &PlanRequest::Newborn {
                discharged: date(2026, 11, 23),
                risk: false,
            },
            None,
            now(),
        )
        .await,
    ];
    assert!(matches!(
        refusals[0],
        Err(HomeVisitError::PlanOpen {
            kind: PlanKind::ChildPatronage
        })
    ));
    assert!(matches!(refusals[1], Err(HomeVisitError::NotAWoman)));
    assert!(matches!(refusals[2], Err(HomeVisitError::BeforeBirth { .. })));
    assert!(matches!(
        refusals[3],
        Err(HomeVisitError::NotAYoungChild { age: 29 })
    ));
    assert_eq!(count(&c.ws, "care_plan").await, 1);

    let antenatal =
        c.ws.open_plan(
            c.mother,
            &PlanRequest::Pregnancy {
                reported: date(2026, 11, 20),
                weeks_at_report: 9,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(antenatal.visits.len(), 2);
    // "в течение 8-10 дней" of the report: due from the report itself
    assert_eq!(antenatal.visits[0].due_from, date(2026, 11, 20));

    // Hypertension, medium risk, enrolled in August: the November nurse visit is due.
    let pressure =
        c.ws.open_plan(
            c.grandfather,
            &PlanRequest::Observation {
                condition: Condition::ArterialHypertension,
                risk: RiskLevel::Medium,
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
    let nurse_visits =
        |plan: &emhana_workstation::PlanView| plan.visits.iter().filter(|v| v.who == VisitWho::Nurse).count();
    // planned a year ahead of today: November, February, May, August and November again
    assert_eq!(nurse_visits(&pressure), 5);
    let november = pressure.visits.iter().find(|v| v.who == VisitWho::Nurse).unwrap();
    assert_eq!(
        (november.due_from, november.state),
        (date(2026, 11, 20), VisitState::Due)
    );
    // Found high risk: monthly from today on; the due November visit stays as it was.
    let high =
        c.ws.change_plan_risk(pressure.id, RiskLevel::High, now())
            .await
            .unwrap();
    assert!(high.visits.iter().any(|v| v.id == november.id));
    let future_nurse = high
        .visits
        .iter()
        .filter(|v| v.who == VisitWho::Nurse && v.due_from >= today())
        .count();
    assert_eq!(
        future_nurse, 12,
        "monthly from 20 December to 20 November, a year ahead"
    );
    // the due list of the district shows what is due and overdue today
    let due = c.ws.due_visits(1, today()).await.unwrap();
    assert!(
        due.iter()
            .any(|d| d.person_id == c.baby && d.visit.purpose == VisitPurpose::ChildPatronage)
    );
    assert!(due.iter().any(|d| d.visit.id == november.id));
}

#[tokio::test]
async fn the_nurse_s_day_is_ordered_reordered_and_moves_on_with_its_outcomes() {
    let c = clinic().await;
    c.ws.open_plan(
        c.baby,
        &PlanRequest::Newborn {
            discharged: date(2026, 11, 23),
            risk: false,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    c.ws.open_plan(
        c.grandfather,
        &PlanRequest::Observation {
            condition: Condition::ArterialHypertension,
            risk: RiskLevel::Medium,
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
    c.ws.open_plan(
        c.neighbour,
        &PlanRequest::Observation {
            condition: Condition::Diabetes2,
            risk: RiskLevel::Low,
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
    let nurse_call =
        c.ws.register_call(&call(c.mother, Some(37.4), &[]), now())
            .await
            .unwrap();
    let pace = RoundPace::default();
    let round = c.ws.round(c.nurse, today(), pace).await.unwrap();
    // district 1 only: the baby's first visit, the grandfather's, the mother's call (all at Абай 9)
    assert_eq!(round.stops.len(), 3);
    assert!(round.stops.iter().all(|s| s.person_id != c.neighbour));
    assert!(round.stops.iter().any(|s| s.stop == StopRef::Call(nurse_call.id)));
    assert_eq!(round.stops[0].estimated, pace.starts);
    let baby_stop = round.stops.iter().find(|s| s.person_id == c.baby).unwrap();
    assert_eq!((baby_stop.age_years, baby_stop.age_months), (0, 0));

    // She puts the call first; the order is kept.
    let mut order: Vec<StopRef> = round.stops.iter().map(|s| s.stop).collect();
    order.retain(|s| *s != StopRef::Call(nurse_call.id));
    order.insert(0, StopRef::Call(nurse_call.id));
    let reordered = c.ws.reorder_round(c.nurse, today(), &order, pace).await.unwrap();
    assert_eq!(reordered.stops.iter().map(|s| s.stop).collect::<Vec<_>>(), order);
    assert_eq!(
        c.ws.round(c.nurse, today(), pace).await.unwrap().stops[0].stop,
        StopRef::Call(nurse_call.id)
    );

    // Outcomes: the baby's visit done; the grandfather not at home, then moved to Friday.
    let StopRef::Visit(baby_visit) = baby_stop.stop else {
        panic!("a visit")
    };
    let grandfather_visit = round
        .stops
        .iter()
        .find_map(|s| match s.stop {
            StopRef::Visit(id) if s.person_id == c.grandfather => Some(id),
            _ => None,
        })
        .unwrap();
    // another district's nurse cannot record them
    assert!(matches!(
        c.ws.record_visit_outcome(baby_visit, VisitOutcome::Done, None, c.other_nurse, None, now())
            .await,
        Err(HomeVisitError::NotYourVisit { district: Some(1) })
    ));
    let done =
        c.ws.record_visit_outcome(baby_visit, VisitOutcome::Done, None, c.nurse, None, now())
            .await
            .unwrap();
    assert_eq!(done.state, VisitState::Closed);
    let away =
        c.ws.record_visit_outcome(
            grandfather_visit,
            VisitOutcome::NotAtHome,
            None,
            c.nurse,
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(away.state, VisitState::Due, "not at home keeps the visit open");
    assert!(matches!(
        c.ws.record_visit_outcome(
            grandfather_visit,
            VisitOutcome::Moved,
            Some(today()),
            c.nurse,
            None,
            now()
        )
        .await,
        Err(HomeVisitError::MoveDate)
    ));
    let moved =
        c.ws.record_visit_outcome(
            grandfather_visit,
            VisitOutcome::Moved,
            Some(date(2026, 11, 27)),
            c.nurse,
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        (moved.due_from, moved.state),
        (date(2026, 11, 27), VisitState::Planned)
    );
    // Today's round still shows what she did; tomorrow's no longer has the done visit; Friday's has the moved one.
    let after = c.ws.round(c.nurse, today(), pace).await.unwrap();
    assert!(
        after
            .stops
            .iter()
            .flat_map(|s| &s.visits)
            .any(|v| v.id == baby_visit && v.outcome == Some(VisitOutcome::Done))
    );
    assert!(
        after
            .stops
            .iter()
            .all(|s| !s.holds(StopRef::Visit(grandfather_visit))),
        "a visit moved to Friday leaves today's list"
    );
    let tomorrow = c.ws.round(c.nurse, date(2026, 11, 25), pace).await.unwrap();
    assert!(
        tomorrow
            .stops
            .iter()
            .all(|s| !s.holds(StopRef::Visit(baby_visit)) && !s.holds(StopRef::Visit(grandfather_visit)))
    );
    let friday = c.ws.round(c.nurse, date(2026, 11, 27), pace).await.unwrap();
    assert!(
        friday
            .stops
            .iter()
            .any(|s| s.holds(StopRef::Visit(grandfather_visit)))
    );
}

#[tokio::test]
async fn a_mis_tapped_outcome_is_undone_the_same_day_and_stays_in_the_history() {
    let c = clinic().await;
    c.ws.open_plan(
        c.grandfather,
        &PlanRequest::Observation {
            condition: Condition::ArterialHypertension,
            risk: RiskLevel::Medium,
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
    let pace = RoundPace::default();
    let visit_of = |round: &emhana_workstation::RoundView| {
        round
            .stops
            .iter()
            .flat_map(|s| &s.visits)
            .find(|_| true)
            .cloned()
            .unwrap()
    };
    let before = visit_of(&c.ws.round(c.nurse, today(), pace).await.unwrap());
    assert!(!before.recorded);
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        c._dir.path().join("emhana.sqlite").display()
    ))
    .await
    .unwrap();
    let window = || async {
        sqlx::query_as::<_, (NaiveDate, NaiveDate)>("SELECT due_from, due_to FROM plan_visit WHERE id = ?1")
            .bind(before.id)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let planned = window().await;
    // nothing recorded yet: nothing to undo
    assert!(matches!(
        c.ws.undo_visit_outcome(before.id, c.nurse, now()).await,
        Err(HomeVisitError::NothingToUndo)
    ));

    // "Not at home", then moved to Friday by a slip of the finger; both undone in turn
    c.ws.record_visit_outcome(before.id, VisitOutcome::NotAtHome, None, c.nurse, None, now())
        .await
        .unwrap();
    let moved =
        c.ws.record_visit_outcome(
            before.id,
            VisitOutcome::Moved,
            Some(date(2026, 11, 27)),
            c.nurse,
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(moved.due_from, date(2026, 11, 27));
    // another district's nurse cannot undo it either
    assert!(matches!(
        c.ws.undo_visit_outcome(before.id, c.other_nurse, now()).await,
        Err(HomeVisitError::NotYourVisit { .. })
    ));
    let back = c.ws.undo_visit_outcome(before.id, c.nurse, now()).await.unwrap();
    assert_eq!(
        (back.due_from, back.due_to),
        planned,
        "the visit's own days again"
    );
    assert_eq!(
        back.outcome,
        Some(VisitOutcome::NotAtHome),
        "the move undone, not at home stands"
    );
    let round = c.ws.round(c.nurse, today(), pace).await.unwrap();
    let shown = visit_of(&round);
    assert_eq!(
        (shown.id, shown.recorded),
        (before.id, true),
        "back on today's round"
    );

    let open = c.ws.undo_visit_outcome(before.id, c.nurse, now()).await.unwrap();
    assert_eq!(open.outcome, None);
    assert_eq!(open.state, before.state);
    assert!(!visit_of(&c.ws.round(c.nurse, today(), pace).await.unwrap()).recorded);

    // done today, undone tomorrow: too late, a past day's outcome is corrected by a new one
    c.ws.record_visit_outcome(before.id, VisitOutcome::Done, None, c.nurse, None, now())
        .await
        .unwrap();
    let tomorrow = now() + chrono::TimeDelta::days(1);
    assert!(matches!(
        c.ws.undo_visit_outcome(before.id, c.nurse, tomorrow).await,
        Err(HomeVisitError::NothingToUndo)
    ));

    // the history keeps all three outcomes, two marked undone with who undid them
    let history: Vec<(String, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT outcome, undone_at, undone_by FROM visit_event WHERE visit_id = ?1 ORDER BY id",
    )
    .bind(before.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    let summary: Vec<(&str, bool, Option<i64>)> = history
        .iter()
        .map(|(outcome, at, by)| (outcome.as_str(), at.is_some(), *by))
        .collect();
    assert_eq!(
        summary,
        [
            ("not_at_home", true, Some(c.nurse)),
            ("moved", true, Some(c.nurse)),
            ("done", false, None)
        ]
    );
}

#[tokio::test]
async fn the_round_pace_is_a_setting_with_sane_bounds() {
    let c = clinic().await;
    assert_eq!(c.ws.round_pace().await.unwrap(), RoundPace::default());
    let morning = RoundPace {
        starts: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        ends: chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        visit_minutes: 20,
        travel_minutes: 10,
    };
    c.ws.set_round_pace(morning).await.unwrap();
    assert_eq!(c.ws.round_pace().await.unwrap(), morning);
    assert!(
        c.ws.set_round_pace(RoundPace {
            visit_minutes: 0,
            ..morning
        })
        .await
        .is_err()
    );
    assert!(
        c.ws.set_round_pace(RoundPace {
            ends: morning.starts,
            ..morning
        })
        .await
        .is_err(),
        "hours that end as they begin hold no visit"
    );
    assert_eq!(c.ws.round_pace().await.unwrap(), morning, "nothing written");
}

/// Issue 15: a plan of a person who dies closes with that reason, its visits
/// leave the round and the due list, and the card keeps it with its reason.
#[tokio::test]
async fn a_person_who_dies_leaves_every_round_and_their_plans_close_with_the_reason() {
    use emhana_domain::care_plan::PlanClosure;
    use emhana_workstation::DetachmentReason;
    let c = clinic().await;
    c.ws.open_plan(
        c.grandfather,
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
    let pace = RoundPace::default();
    let on_round =
        |round: &emhana_workstation::RoundView| round.stops.iter().any(|s| s.person_id == c.grandfather);
    assert!(on_round(&c.ws.round(c.nurse, today(), pace).await.unwrap()));

    c.ws.detach(c.grandfather, DetachmentReason::Died, today(), None, now())
        .await
        .unwrap();
    c.ws.close_finished_plans(today()).await.unwrap();
    assert!(!on_round(&c.ws.round(c.nurse, today(), pace).await.unwrap()));
    assert!(
        !on_round(&c.ws.round(c.nurse, date(2026, 12, 21), pace).await.unwrap()),
        "nor later"
    );
    let district =
        c.ws.nurses()
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.id == c.nurse)
            .unwrap()
            .district_id
            .unwrap();
    let due = c.ws.due_visits(district, today()).await.unwrap();
    assert!(due.iter().all(|d| d.person_id != c.grandfather));
    let plans = c.ws.person_plans(c.grandfather, today()).await.unwrap();
    assert_eq!(plans.len(), 1, "the closed plan stays on the card");
    let closed = plans[0].closed.expect("closed");
    assert_eq!((closed.reason, closed.on), (PlanClosure::Died, today()));
    // and nothing more is planned for it
    assert_eq!(c.ws.plan_ahead(date(2027, 6, 1)).await.unwrap(), 0);
}

/// Issue 15: at a feldsher post (a district with no doctor) a call the
/// triage sends to the doctor went to nobody, and the doctor's visits of the
/// post's plans were on nobody's round. Both are the feldsher's, marked.
#[tokio::test]
async fn at_a_post_with_no_doctor_the_feldsher_takes_the_doctor_s_calls_and_visits_marked() {
    let (_dir, ws) = fixture::with_a_feldsher_post().await;
    let villager = id_of(&ws, "Омаров Серік").await;
    let feldsher = ws
        .nurses()
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.district_number == Some(9))
        .unwrap()
        .id;

    // a rash: the triage sends the doctor; the post has none
    let rash = ws
        .register_call(&call(villager, None, &[Indication::Rash]), now())
        .await
        .unwrap();
    assert_eq!(rash.goes, Responder::DistrictDoctor);
    assert_eq!(
        (rash.assigned_staff_id, rash.doctor_level),
        (Some(feldsher), true)
    );
    // a fever: the feldsher's own call
    let fever = ws
        .register_call(
            &call(villager, Some(37.8), &[]),
            now() + chrono::TimeDelta::hours(26),
        )
        .await
        .unwrap();
    assert_eq!(
        (fever.assigned_staff_id, fever.doctor_level),
        (Some(feldsher), false)
    );
    // served and "passed to the doctor": still hers, as a doctor's call, never nobody's
    let passed = ws
        .set_call_status(fever.id, CallStatus::PassedToDoctor, Some(feldsher), None, now())
        .await
        .unwrap();
    assert_eq!(
        (passed.assigned_staff_id, passed.doctor_level),
        (Some(feldsher), true)
    );

    // hypertension under observation: the doctor's visits are on her round too, marked
    ws.open_plan(
        villager,
        &PlanRequest::Observation {
            condition: Condition::ArterialHypertension,
            risk: RiskLevel::High,
            enrolled: date(2026, 8, 20),
            basis: EnrolmentBasis {
                document: BasisDocument::DischargeSummary,
                dated: date(2026, 8, 18),
            },
        },
        None,
        now(),
    )
    .await
    .unwrap();
    let round = ws.round(feldsher, today(), RoundPace::default()).await.unwrap();
    let stop = round
        .stops
        .iter()
        .find(|s| s.person_id == villager)
        .expect("on her round");
    assert!(stop.calls.iter().any(|c| c.id == rash.id && c.doctor_level));
    assert!(stop.visits.iter().any(|v| v.doctor_level), "{:?}", stop.visits);
    assert!(stop.visits.iter().any(|v| !v.doctor_level));
}

/// Issue 15: the district doctor records the plan's doctor's visit by hand;
/// the nurse's visits stay the nurse's to record.
#[tokio::test]
async fn the_district_doctor_records_the_doctor_s_visit_by_hand_and_only_it() {
    let c = clinic().await;
    let plan =
        c.ws.open_plan(
            c.grandfather,
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
    let of = |who| {
        plan.visits
            .iter()
            .find(|v| v.who == who && v.due_from <= today())
            .unwrap()
            .id
    };
    let done =
        c.ws.record_visit_outcome(
            of(VisitWho::DistrictDoctor),
            VisitOutcome::Done,
            None,
            c.doctor,
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(done.state, VisitState::Closed);
    assert!(matches!(
        c.ws.record_visit_outcome(
            of(VisitWho::Nurse),
            VisitOutcome::Done,
            None,
            c.doctor,
            None,
            now()
        )
        .await,
        Err(HomeVisitError::NurseNotFound { .. })
    ));
}

/// Issue 15: an antenatal plan closes on the recorded end of the pregnancy,
/// which cannot come before the report or after today.
#[tokio::test]
async fn an_antenatal_plan_closes_on_the_recorded_end_of_the_pregnancy() {
    use emhana_domain::care_plan::{PlanClosure, PlanError, PregnancyOutcome};
    let c = clinic().await;
    let plan =
        c.ws.open_plan(
            c.mother,
            &PlanRequest::Pregnancy {
                reported: date(2026, 4, 1),
                weeks_at_report: 9,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    assert!(matches!(
        c.ws.end_pregnancy(plan.id, PregnancyOutcome::Birth, date(2026, 3, 30), now())
            .await,
        Err(HomeVisitError::Plan {
            problem: PlanError::EndBeforeReport { .. }
        })
    ));
    assert!(matches!(
        c.ws.end_pregnancy(plan.id, PregnancyOutcome::Birth, date(2026, 11, 25), now())
            .await,
        Err(HomeVisitError::Plan {
            problem: PlanError::InFuture { .. }
        })
    ));
    let ended =
        c.ws.end_pregnancy(plan.id, PregnancyOutcome::Birth, date(2026, 11, 20), now())
            .await
            .unwrap();
    let closed = ended.closed.unwrap();
    assert_eq!(
        (closed.reason, closed.on, closed.pregnancy_outcome),
        (
            PlanClosure::PregnancyEnded,
            date(2026, 11, 20),
            Some(PregnancyOutcome::Birth)
        )
    );
    // its visits left the due list; it cannot end twice, and an observation plan is not a pregnancy
    let district =
        c.ws.nurses()
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.id == c.nurse)
            .unwrap()
            .district_id
            .unwrap();
    let due = c.ws.due_visits(district, today()).await.unwrap();
    assert!(due.iter().all(|d| d.visit.plan_id != plan.id));
    assert!(matches!(
        c.ws.end_pregnancy(plan.id, PregnancyOutcome::Other, date(2026, 11, 20), now())
            .await,
        Err(HomeVisitError::NotAPregnancy)
    ));
}

/// Issue 15: a call or a visit nobody is assigned to is a defect a screen
/// shows: a district left without its nurse has its calls and due visits listed.
#[tokio::test]
async fn what_nobody_is_assigned_to_is_listed_not_silent() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    let mut here = fixture::clinic();
    // district 4 has nobody: its nurse left and nobody came yet
    here.districts.push(DistrictRecord {
        number: 4,
        kind: DistrictKind::Therapeutic,
        coverage: vec![CoverageRecord {
            settlement: "Астана".into(),
            street: "Кенесары көшесі".into(),
            house_from: 1,
            house_to: 50,
        }],
    });
    ws.import_clinics(std::slice::from_ref(&here)).await.unwrap();
    ws.import_households(&[HouseholdRecord {
        address: Address {
            settlement: "Астана".into(),
            street: "Кенесары көшесі".into(),
            house: "5".into(),
            apartment: None,
        },
        members: vec![person("Бекова", "Сәуле", None, date(1958, 3, 3), Sex::Female)],
        attachments: vec![Some(AttachmentRecord {
            clinic_bin: here.bin,
            district_number: 4,
            ground: AttachmentGround::FirstAttachment,
            decided_on: date(2020, 1, 10),
        })],
    }])
    .await
    .unwrap();
    let saule = id_of(&ws, "Бекова Сәуле").await;
    ws.open_plan(
        saule,
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
    let call = ws
        .register_call(&call(saule, Some(37.5), &[]), now())
        .await
        .unwrap();
    assert_eq!(call.assigned_staff_id, None);
    let unassigned = ws.unassigned(today()).await.unwrap();
    assert_eq!(
        unassigned.calls.iter().map(|c| c.id).collect::<Vec<_>>(),
        [call.id]
    );
    let district = &unassigned.districts[..];
    assert_eq!(district.len(), 1, "{district:?}");
    assert_eq!(district[0].district_number, 4);
    assert!(
        district[0].nurse_visits > 0 && district[0].doctor_visits > 0,
        "{district:?}"
    );
}
