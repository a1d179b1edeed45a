//! Care plans: observation planned ahead, plans expanded, checked and regenerated, closed by death or the end of a pregnancy.

use super::*;

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
            now(),
        )
        .await,
        c.ws.open_plan(
            c.grandfather,
            &PlanRequest::Pregnancy {
                reported: date(2026, 11, 20),
                weeks_at_report: 9,
            },
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
            now(),
        )
        .await,
        c.ws.open_plan(
            c.mother,
            &PlanRequest::Newborn {
                discharged: date(2026, 11, 23),
                risk: false,
            },
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
        now(),
    )
    .await
    .unwrap();
    let pace = RoundPace::default();
    let on_round =
        |round: &emhana_workstation::RoundView| round.stops.iter().any(|s| s.person_id == c.grandfather);
    assert!(on_round(&c.ws.round(c.nurse, today(), pace).await.unwrap()));

    c.ws.detach(c.grandfather, DetachmentReason::Died, today(), now())
        .await
        .unwrap();
    c.ws.close_finished_plans(now()).await.unwrap();
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

fn hypertension(risk: RiskLevel) -> PlanRequest {
    PlanRequest::Observation {
        condition: Condition::ArterialHypertension,
        risk,
        enrolled: today(),
        basis: EnrolmentBasis {
            document: BasisDocument::DistrictDoctorConclusion,
            dated: today(),
        },
    }
}

/// The kinds of the ops in the outbox, oldest first.
async fn op_kinds(ws: &Workstation) -> Vec<String> {
    let ops = ws.pending_ops(1000).await;
    // not enrolled: read the file itself
    assert!(ops.is_err());
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", ws.path().display()))
        .await
        .unwrap();
    let kinds = sqlx::query_scalar("SELECT kind FROM outbox ORDER BY seq")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    kinds
}

#[tokio::test]
async fn every_change_to_a_plan_is_an_op_carrying_the_plan_as_the_registry_will_keep_it() {
    let c = clinic().await;
    let plan =
        c.ws.open_plan(c.grandfather, &hypertension(RiskLevel::Low), now())
            .await
            .unwrap();
    let first = plan.visits[0].id;
    c.ws.record_visit_outcome(first, VisitOutcome::NotAtHome, None, c.nurse, None, now())
        .await
        .unwrap();
    c.ws.undo_visit_outcome(first, c.nurse, now()).await.unwrap();
    c.ws.record_visit_outcome(first, VisitOutcome::Done, None, c.nurse, Some("АД 130/85"), now())
        .await
        .unwrap();
    // a mis-tap undone on a later visit: history too, kept when the plan is planned again
    let second = plan.visits[1].id;
    c.ws.record_visit_outcome(second, VisitOutcome::Refused, None, c.nurse, None, now())
        .await
        .unwrap();
    c.ws.undo_visit_outcome(second, c.nurse, now()).await.unwrap();
    c.ws.change_plan_risk(plan.id, RiskLevel::High, now())
        .await
        .unwrap();
    assert_eq!(c.ws.visit_history(second).await.unwrap().len(), 1);
    let mut kinds = vec!["open_plan"];
    kinds.extend(["change_plan"; 6]);
    assert_eq!(op_kinds(&c.ws).await, kinds);
    let record = c.ws.shared_plan(plan.id).await.unwrap();
    let visit = record
        .visits
        .iter()
        .find(|visit| visit.outcome == Some(VisitOutcome::Done))
        .unwrap();
    // the undone outcome stays in the history, marked; the one over it stands
    assert_eq!(visit.history.len(), 2);
    assert!(visit.history[0].undone.is_some());
    assert_eq!(
        visit.standing().map(|event| event.outcome),
        Some(VisitOutcome::Done)
    );
    assert_eq!(visit.history[1].note.as_deref(), Some("АД 130/85"));
    // every visit named as any PC planning it would name it
    for visit in &record.visits {
        if visit.history.is_empty() {
            assert_eq!(
                visit.id,
                emhana_protocol::VisitRecord::id_for(record.id, &visit.visit)
            );
        }
    }
    let history = c.ws.visit_history(first).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].undone_at.is_some() && !history[0].refused);
    assert_eq!(history[1].recorded_by.as_deref(), Some("Сейітова Гүлнұр"));
}

#[tokio::test]
async fn plans_from_before_plans_were_shared_get_ids_of_their_own_and_go_whole_at_their_next_change() {
    use sqlx::{ConnectOptions, Connection};
    let c = clinic().await;
    let plan =
        c.ws.open_plan(c.grandfather, &hypertension(RiskLevel::Low), now())
            .await
            .unwrap();
    c.ws.record_visit_outcome(plan.visits[0].id, VisitOutcome::Done, None, c.nurse, None, now())
        .await
        .unwrap();
    let path = c._dir.path().join("emhana.sqlite");
    c.ws.clone().close().await;
    // The file as migration 15 left it: no plan, visit or outcome ids, no ops about plans.
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    for statement in [
        "DELETE FROM outbox",
        "DELETE FROM _sqlx_migrations WHERE version >= 16",
    ]
    .into_iter()
    .chain(PLAN_IDS_OF_MIGRATION_16)
    .chain(POST_RECORDS_OF_MIGRATION_18)
    .chain(ORGANIZATION_OF_MIGRATION_17)
    {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let (reopened, report) = Workstation::open(&path).await.unwrap();
    assert_eq!(report.applied_migrations, 11);
    // the accounts went with migration 19's tables: given again, to act
    let reopened = fixture::acting(&reopened, StaffRole::Head).await;
    let record = reopened.shared_plan(plan.id).await.unwrap();
    assert_eq!(record.id.get_version_num(), 4);
    assert_eq!(record.visits.len(), plan.visits.len());
    let mut ids: Vec<uuid::Uuid> = record.visits.iter().map(|visit| visit.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), plan.visits.len(), "each visit an id of its own");
    assert_eq!(record.visits[0].history.len(), 1, "the outcome kept, with an id");
    // The registry never had it: its next change sends it whole.
    reopened
        .record_visit_outcome(
            plan.visits[1].id,
            VisitOutcome::NotAtHome,
            None,
            c.nurse,
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(op_kinds(&reopened).await, ["open_plan"]);
    reopened
        .record_visit_outcome(plan.visits[2].id, VisitOutcome::Done, None, c.nurse, None, now())
        .await
        .unwrap();
    assert_eq!(op_kinds(&reopened).await, ["open_plan", "change_plan"]);
}
