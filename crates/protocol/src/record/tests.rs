//! The records' rules, case by case: a call closed first stays closed, the
//! first outcome of a visit stands, a risk change over a stale version is refused.

use super::*;

fn call(status: CallStatus) -> CallRecord {
    let person: Person = serde_json::from_value(serde_json::json!({
        "iin": "900101300017", "surname": "Ахметова", "first_name": "Айгуль", "patronymic": null,
        "birth_date": "1990-01-01", "sex": "female", "citizenship": "citizen", "address": null, "phone": null
    }))
    .unwrap_or_else(|error| panic!("person: {error}"));
    CallRecord {
        id: Uuid::nil(),
        clinic_bin: "000000000001".into(),
        year: 2026,
        number: 1_000_001,
        person,
        received_at: DateTime::UNIX_EPOCH,
        caller: "сама".into(),
        caller_phone: None,
        complaint: "температура".into(),
        temperature_tenths: Some(378),
        pregnant: false,
        age_years: 36,
        registrar_wants_doctor: false,
        indications: vec![],
        suggested: Responder::Nurse,
        reasons: vec![],
        rules_valid_from: NaiveDate::MIN,
        goes: Responder::Nurse,
        acceptance: CallAcceptance::Taken,
        planned_on: NaiveDate::MIN,
        assigned_staff_iin: Some("800101400011".into()),
        doctor_level: false,
        status,
        outcome: None,
        registrar_iin: None,
    }
}

fn reassign() -> CallChange {
    CallChange::Reassign {
        to: CallAssignment {
            goes: Responder::DistrictDoctor,
            staff_iin: Some("700101300012".into()),
            doctor_level: false,
            planned_on: NaiveDate::MIN,
            status: CallStatus::Registered,
        },
    }
}

#[test]
fn a_call_changes_until_it_is_closed_and_never_after() {
    let served = CallChange::Status {
        status: CallStatus::Served,
        outcome: CallOutcome {
            at: DateTime::UNIX_EPOCH,
            staff_iin: Some("800101400011".into()),
            note: None,
        },
        handed_to: None,
    };
    let open = call(CallStatus::Registered);
    let after = open.apply(&served).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(after.status, CallStatus::Served);
    assert_eq!(
        after.apply(&reassign()),
        Err(CallClosed {
            closed: CallStatus::Served
        })
    );
    // Not at home and passed to the ambulance leave it open: someone may still go.
    for status in [CallStatus::NotAtHome, CallStatus::PassedToAmbulance] {
        let moved = call(status)
            .apply(&reassign())
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(moved.assigned_staff_iin.as_deref(), Some("700101300012"));
        assert_eq!(moved.status, CallStatus::Registered);
    }
    for status in [CallStatus::Hospitalized, CallStatus::Cancelled] {
        assert!(call(status).apply(&served).is_err(), "{status:?} is closed");
    }
}

fn plan() -> PlanRecord {
    let CallRecord { person, .. } = call(CallStatus::Registered);
    let visit = PlannedVisit {
        due_from: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
        due_to: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default(),
        who: emhana_domain::care_plan::VisitWho::Nurse,
        purpose: emhana_domain::care_plan::VisitPurpose::ObservationNurse,
        what: None,
        specialty: None,
    };
    let id = Uuid::from_u128(1);
    PlanRecord {
        id,
        clinic_bin: "000000000001".into(),
        person,
        event: PlanEvent::Observation {
            condition: emhana_domain::care_plan::Condition::ArterialHypertension,
            risk: emhana_domain::care_plan::RiskLevel::Low,
            enrolled: visit.due_from,
            basis: None,
        },
        rules_valid_from: NaiveDate::MIN,
        opened_at: DateTime::UNIX_EPOCH,
        opened_by_iin: None,
        planned_through: None,
        closed: None,
        visits: vec![VisitRecord {
            id: VisitRecord::id_for(id, &visit),
            visit,
            outcome: None,
            closed: false,
            history: vec![],
        }],
        changed_by: Some(Uuid::from_u128(10)),
    }
}

fn outcome(plan: &PlanRecord, event: u128, outcome: VisitOutcome, base: Option<u128>) -> PlanChange {
    let visit = plan.visits[0].clone();
    PlanChange::Outcome {
        event: VisitEvent {
            id: Uuid::from_u128(event),
            at: NaiveDateTime::default(),
            outcome,
            moved_to: None,
            staff_iin: None,
            note: None,
            prior: VisitPrior {
                outcome: visit.outcome,
                closed: visit.closed,
                due_from: visit.visit.due_from,
                due_to: visit.visit.due_to,
            },
            undone: None,
        },
        visit,
        base: base.map(Uuid::from_u128),
    }
}

#[test]
fn the_first_outcome_of_a_visit_stands_and_an_undo_gives_it_back() {
    let open = plan();
    let done = open
        .apply(&outcome(&open, 100, VisitOutcome::Done, None), Uuid::nil())
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert!(done.visits[0].closed);
    // the other PC recorded "not at home" over no outcome: the first stands
    assert_eq!(
        done.apply(&outcome(&open, 200, VisitOutcome::NotAtHome, None), Uuid::nil()),
        Err(PlanConflict::OutcomeTaken {
            standing: Some(VisitOutcome::Done)
        })
    );
    // over the outcome it saw, a PC records the next one
    assert!(
        done.apply(
            &outcome(&done, 300, VisitOutcome::Refused, Some(100)),
            Uuid::nil()
        )
        .is_ok()
    );
    let undo = PlanChange::Undo {
        visit: done.visits[0].id,
        event: Uuid::from_u128(100),
        undone: VisitUndone {
            at: NaiveDateTime::default(),
            staff_iin: None,
        },
    };
    let undone = done
        .apply(&undo, Uuid::nil())
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert_eq!((undone.visits[0].outcome, undone.visits[0].closed), (None, false));
    assert_eq!(
        undone.visits[0].history.len(),
        1,
        "the undone outcome stays in the history"
    );
    assert!(undone.apply(&undo, Uuid::nil()).is_err(), "undone once");
}

#[test]
fn a_risk_change_over_a_stale_version_is_refused_and_history_survives_one() {
    let open = plan();
    let done = open
        .apply(&outcome(&open, 100, VisitOutcome::Done, None), Uuid::nil())
        .unwrap_or_else(|error| panic!("{error:?}"));
    let risk = |base: u128, visits: Vec<VisitRecord>| PlanChange::Risk {
        event: open.event.clone(),
        rules_valid_from: NaiveDate::MIN,
        planned_through: None,
        visits,
        base: Some(Uuid::from_u128(base)),
    };
    // planned again from the plan as it was before the outcome: the outcome is kept
    let changed = done
        .apply(&risk(10, open.visits.clone()), Uuid::from_u128(11))
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert_eq!(changed.visits[0].history.len(), 1);
    assert_eq!(changed.changed_by, Some(Uuid::from_u128(11)));
    // a second PC changing version 10 comes too late
    assert_eq!(
        changed.apply(&risk(10, vec![]), Uuid::from_u128(12)),
        Err(PlanConflict::Changed)
    );
    // a visit with history is kept even when the new plan drops it
    let emptied = done
        .apply(&risk(10, vec![]), Uuid::from_u128(13))
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert_eq!(emptied.visits.len(), 1);
}
