//! Home calls: triage, who goes, refusals, the nurse passing a call on, repeat calls.

use super::*;

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
        fixture::acting_staff(&c.ws, c.other_nurse)
            .await
            .set_call_status(served.id, CallStatus::Served, None, now())
            .await,
        Err(HomeVisitError::NotYourCall)
    ));
    // she went: she records it
    let nurse = fixture::acting_staff(&c.ws, c.nurse).await;
    let passed = nurse
        .set_call_status(served.id, CallStatus::PassedToDoctor, Some("АҚ 180/110"), now())
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
        .set_call_status(fever.id, CallStatus::PassedToDoctor, None, now())
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

#[tokio::test]
async fn a_call_is_sent_to_someone_else_never_below_the_rules_and_never_once_closed_each_change_an_op() {
    use emhana_protocol::{CallChange, OpBody};
    let c = clinic().await;
    let call_taken =
        c.ws.register_call(&call(c.grandfather, Some(37.6), &[]), now())
            .await
            .unwrap();
    // The other nurse covers the district today; then the doctor goes instead.
    let covered =
        c.ws.reassign_call(call_taken.id, c.other_nurse, now())
            .await
            .unwrap();
    assert_eq!(
        (covered.goes, covered.assigned_staff_id, covered.status),
        (Responder::Nurse, Some(c.other_nurse), CallStatus::Registered)
    );
    let doctor = c.ws.reassign_call(call_taken.id, c.doctor, now()).await.unwrap();
    assert_eq!(
        (doctor.goes, doctor.assigned_staff_id),
        (Responder::DistrictDoctor, Some(c.doctor))
    );

    // A doctor's call never goes to a nurse.
    let rash =
        c.ws.register_call(&call(c.mother, None, &[Indication::Rash]), now())
            .await
            .unwrap();
    assert!(matches!(
        c.ws.reassign_call(rash.id, c.nurse, now()).await,
        Err(HomeVisitError::Triage { .. })
    ));

    // Served: closed, so nothing more changes it, neither a status nor a reassignment.
    c.ws.set_call_status(call_taken.id, CallStatus::Served, None, now())
        .await
        .unwrap();
    assert!(matches!(
        c.ws.reassign_call(call_taken.id, c.nurse, now()).await,
        Err(HomeVisitError::CallClosed {
            status: CallStatus::Served
        })
    ));
    assert!(matches!(
        c.ws.set_call_status(call_taken.id, CallStatus::Cancelled, None, now())
            .await,
        Err(HomeVisitError::CallClosed { .. })
    ));

    // Each change is an op about the call, in the order made, with the call whole at first.
    let shared = c.ws.shared_call(call_taken.id).await.unwrap();
    // Enrolled, so the outbox hands out its ops (the registry is not asked here).
    let enrolment = emhana_protocol::Enrolment {
        workstation: uuid::Uuid::now_v7(),
        clinic_bin: shared.clinic_bin.clone(),
        clinic_name_kk: String::new(),
        clinic_name_ru: String::new(),
        credential: "test.secret".into(),
        series: 0,
        registry_bundle_key: None,
        bundle_secret: None,
    };
    c.ws.save_enrolment("http://127.0.0.1:9", &enrolment, now())
        .await
        .unwrap();
    let uid = shared.id;
    let ops = c.ws.pending_ops(100).await.unwrap();
    let about_first: Vec<&OpBody> = ops
        .iter()
        .map(|op| &op.body)
        .filter(|body| body.record_id() == Some(uid))
        .collect();
    assert!(matches!(about_first[0], OpBody::RegisterCall(record) if record.number == 1));
    assert!(
        matches!(about_first[1], OpBody::ChangeCall(op) if matches!(op.change, CallChange::Reassign { .. }))
    );
    assert!(matches!(
        about_first[3],
        OpBody::ChangeCall(op) if matches!(&op.change, CallChange::Status { status: CallStatus::Served, .. })
    ));
    assert_eq!(
        about_first.len(),
        4,
        "taken, two reassignments, served; the refused changes made none"
    );
}

#[tokio::test]
async fn calls_and_ops_from_before_calls_were_shared_get_ids_of_their_own_and_keep_their_ops() {
    use sqlx::{ConnectOptions, Connection};
    let c = clinic().await;
    for person in [c.grandfather, c.mother] {
        c.ws.register_call(&call(person, Some(37.6), &[]), now())
            .await
            .unwrap();
    }
    let path = c._dir.path().join("emhana.sqlite");
    c.ws.clone().close().await;
    // The file as migration 12 left it: no call or booking ids, the old outbox.
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    let ops_before: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    for statement in [
        "DROP INDEX home_call_by_uid",
        "ALTER TABLE home_call DROP COLUMN uid",
        "ALTER TABLE home_call DROP COLUMN assigned_staff_iin",
        "ALTER TABLE home_call DROP COLUMN unsent",
        "DROP INDEX booking_by_uid",
        "ALTER TABLE booking DROP COLUMN uid",
        "DROP INDEX outbox_by_record",
        "ALTER TABLE outbox DROP COLUMN record_id",
        "DROP TABLE held_record",
        "DROP TABLE schedule_version",
        "DELETE FROM _sqlx_migrations WHERE version >= 13",
    ]
    .into_iter()
    .chain(PLAN_IDS_OF_MIGRATION_16)
    .chain(POST_RECORDS_OF_MIGRATION_18)
    .chain(ORGANIZATION_OF_MIGRATION_17)
    {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    let coverage_before: i64 = sqlx::query_scalar("SELECT count(*) FROM district_coverage")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let (reopened, report) = Workstation::open(&path).await.unwrap();
    assert_eq!(report.applied_migrations, 14);
    // the accounts went with migration 19's tables: given again, to act
    let reopened = fixture::acting(&reopened, StaffRole::Head).await;
    // migration 17 rebuilt the coverage and gave every member of staff their role and district
    assert_eq!(count(&reopened, "district_coverage").await, coverage_before);
    assert_eq!(
        count(&reopened, "staff_role").await,
        count(&reopened, "staff").await
    );
    assert_eq!(
        count(&reopened, "staff_district").await,
        count(&reopened, "staff WHERE district_id IS NOT NULL").await
    );
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let uids: Vec<String> = sqlx::query_scalar("SELECT uid FROM home_call")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(uids.len(), 2);
    assert_ne!(uids[0], uids[1]);
    for uid in &uids {
        let parsed = uuid::Uuid::parse_str(uid).unwrap();
        assert_eq!(parsed.get_version_num(), 4, "{uid}");
    }
    let ops_after: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(ops_after, ops_before, "the outbox rebuilt with every op");
    // The calls read as before, and new ones are taken as usual.
    let calls = reopened.calls_on(today()).await.unwrap();
    assert_eq!(calls.len(), 2);
    reopened
        .register_call(&call(c.baby, Some(37.2), &[]), now())
        .await
        .unwrap();
    // A call from before the ids never reached the registry: it goes whole when it changes.
    reopened
        .set_call_status(calls[0].id, CallStatus::Served, None, now())
        .await
        .unwrap();
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM outbox ORDER BY seq DESC LIMIT 2")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        kinds,
        ["register_call", "register_call"],
        "the change sent whole, after the new call"
    );
}

/// A nurse who has left (her last day passed) or not yet begun gets no new
/// call: it waits unassigned, as at a district with nobody; on her last
/// day she still works.
#[tokio::test]
async fn a_call_goes_only_to_a_nurse_who_works_here_on_its_day() {
    let c = clinic().await;
    let set_dates = |from: Option<&'static str>, to: Option<&'static str>| {
        let path = c.ws.path().to_path_buf();
        let nurse = c.nurse;
        async move {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            sqlx::query("UPDATE staff SET works_from = ?2, works_to = ?3 WHERE id = ?1")
                .bind(nurse)
                .bind(from)
                .bind(to)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    };
    for (from, to, expected) in [
        (None, Some("2026-11-23"), None),
        (Some("2026-11-25"), None, None),
        (None, Some("2026-11-24"), Some(c.nurse)),
        (Some("2026-11-24"), None, Some(c.nurse)),
    ] {
        set_dates(from, to).await;
        let taken =
            c.ws.register_call(&call(c.grandfather, Some(37.6), &[]), now())
                .await
                .unwrap();
        assert_eq!(
            taken.assigned_staff_id, expected,
            "works from {from:?} to {to:?}, the call planned on {}",
            taken.planned_on
        );
    }
    // a registrar who left signs in no more: her account is kept, her days are over
    let staff = c.ws.organization().await.unwrap().staff;
    let registrar = staff
        .iter()
        .find(|m| m.roles.contains(&StaffRole::Registrar))
        .unwrap();
    assert!(
        c.ws.sign_in(&registrar.iin, fixture::PASSWORD, now())
            .await
            .is_ok()
    );
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", c.ws.path().display()))
        .await
        .unwrap();
    sqlx::query("UPDATE staff SET works_to = '2026-11-01' WHERE id = ?1")
        .bind(registrar.id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(matches!(
        c.ws.sign_in(&registrar.iin, fixture::PASSWORD, now()).await,
        Err(emhana_workstation::SignInError::NotWorkingHere)
    ));
}

/// Someone who does not work here on the call's day is not sent to it.
#[tokio::test]
async fn a_call_is_not_sent_to_someone_who_does_not_work_here_that_day() {
    let c = clinic().await;
    let taken =
        c.ws.register_call(&call(c.grandfather, Some(37.6), &[]), now())
            .await
            .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", c.ws.path().display()))
        .await
        .unwrap();
    sqlx::query("UPDATE staff SET works_to = '2026-11-20' WHERE id = ?1")
        .bind(c.other_nurse)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let refused = c.ws.reassign_call(taken.id, c.other_nurse, now()).await;
    assert!(
        matches!(
            refused,
            Err(HomeVisitError::NotWorkingThatDay { id, day }) if id == c.other_nurse && day == taken.planned_on
        ),
        "{refused:?}"
    );
    // nothing changed: still the district's nurse, and no op beyond the call's own
    let journal = c.ws.calls_on(today()).await.unwrap();
    assert_eq!(journal[0].assigned_staff_id, Some(c.nurse));
    assert_eq!(count(&c.ws, "outbox").await, 1);
}
