//! The nurse's day: ordered, reordered, its outcomes recorded and undone; the doctor's visits; what nobody is assigned to.

use super::*;

#[tokio::test]
async fn the_nurse_s_day_is_ordered_reordered_and_moves_on_with_its_outcomes() {
    let c = clinic().await;
    c.ws.open_plan(
        c.baby,
        &PlanRequest::Newborn {
            discharged: date(2026, 11, 23),
            risk: false,
        },
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
    let reordered =
        c.ws.reorder_round(c.nurse, today(), &order, pace, now())
            .await
            .unwrap();
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
    c.ws.set_round_pace(morning, now()).await.unwrap();
    assert_eq!(c.ws.round_pace().await.unwrap(), morning);
    assert!(
        c.ws.set_round_pace(
            RoundPace {
                visit_minutes: 0,
                ..morning
            },
            now()
        )
        .await
        .is_err()
    );
    assert!(
        c.ws.set_round_pace(
            RoundPace {
                ends: morning.starts,
                ..morning
            },
            now()
        )
        .await
        .is_err(),
        "hours that end as they begin hold no visit"
    );
    assert_eq!(c.ws.round_pace().await.unwrap(), morning, "nothing written");
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
    let ws = fixture::acting(&ws, StaffRole::Head).await;
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
