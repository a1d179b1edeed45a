//! Care plans at the registry: kept per clinic, a clinic's plan beyond the
//! reach of another clinic's PCs, a plan that cannot be stored answered alone.

use chrono::NaiveDate;
use emhana_domain::care_plan::{
    Condition, PlanEvent, PlannedVisit, RiskLevel, VisitOutcome, VisitPurpose, VisitWho,
};
use emhana_protocol::{ChangePlanOp, PlanChange, PlanRecord, Record, VisitEvent, VisitPrior, VisitRecord};
use uuid::Uuid;

use super::*;

pub(super) fn plan(clinic_bin: &str, n: u32, note: &str) -> PlanRecord {
    let id = Uuid::now_v7();
    let due = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let visit = PlannedVisit {
        due_from: due,
        due_to: due,
        who: VisitWho::Nurse,
        purpose: VisitPurpose::ObservationNurse,
        what: Some(note.into()),
        specialty: None,
    };
    PlanRecord {
        id,
        clinic_bin: clinic_bin.into(),
        person: person(n),
        event: PlanEvent::Observation {
            condition: Condition::ArterialHypertension,
            risk: RiskLevel::Low,
            enrolled: due,
            basis: None,
        },
        rules_valid_from: due,
        opened_at: at(2026, 11, 20),
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
        changed_by: None,
    }
}

pub(super) fn outcome(clinic_bin: &str, plan: &PlanRecord) -> OpBody {
    let visit = plan.visits[0].clone();
    OpBody::ChangePlan(Box::new(ChangePlanOp {
        plan: plan.id,
        clinic_bin: clinic_bin.into(),
        person_iin: plan.person.iin.as_string(),
        change: PlanChange::Outcome {
            event: VisitEvent {
                id: Uuid::now_v7(),
                at: at(2026, 11, 20).naive_utc(),
                outcome: VisitOutcome::Done,
                moved_to: None,
                staff_iin: None,
                note: None,
                prior: VisitPrior {
                    outcome: None,
                    closed: false,
                    due_from: visit.visit.due_from,
                    due_to: visit.visit.due_to,
                },
                undone: None,
            },
            visit,
            base: None,
        },
    }))
}

#[tokio::test]
async fn a_clinics_plan_is_beyond_another_clinics_pcs_and_a_plan_that_cannot_be_stored_is_answered_alone()
-> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let here = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    let made_at = at(2026, 11, 20);

    // Three plans in one push: the second holds a NUL no database can keep.
    let kept = plan(here.bin(), 1, "АҚ / АД");
    let broken = plan(here.bin(), 2, "АД\u{0}");
    let third = plan(here.bin(), 3, "АҚ / АД");
    let ops: Vec<_> = [&kept, &broken, &third]
        .into_iter()
        .map(|plan| here.op(made_at, OpBody::OpenPlan(Box::new(plan.clone()))))
        .collect();
    let answers = here.push(&ops).await?.results;
    assert!(
        applied(&answers[0].outcome) && applied(&answers[2].outcome),
        "{answers:?}"
    );
    assert!(
        matches!(
            &answers[1].outcome,
            OpOutcome::Rejected {
                ground: RejectGround::Malformed { .. }
            }
        ),
        "{answers:?}"
    );
    // the answer carries the plan as kept, stamped with its version
    let Some(Record::Plan(stamped)) = &answers[0].record else {
        anyhow::bail!("the answer carries the plan: {:?}", answers[0]);
    };
    assert_eq!(stamped.changed_by, Some(ops[0].id));

    // Another clinic's PC names the plan: not its clinic's, so not found,
    // and its feed never shows it.
    let reach = other.op(made_at, outcome(other.bin(), &kept));
    let answer = &other.push(&[reach]).await?.results[0];
    assert_eq!(
        answer.outcome,
        OpOutcome::Rejected {
            ground: RejectGround::RecordNotFound
        }
    );
    assert_eq!(answer.record, None, "nothing of the plan in the answer");
    let feed = other.pull(None, 100, false).await?;
    assert!(
        !feed
            .changes
            .iter()
            .any(|change| matches!(change, Change::Record { record } if record.id() == kept.id)),
        "another clinic's feed never shows the plan"
    );
    // The clinic's own PC records the outcome; its feed has both plans kept.
    let own = here.op(made_at, outcome(here.bin(), &kept));
    assert!(applied(&here.push(&[own]).await?.results[0].outcome));
    let plans = here
        .pull(None, 100, false)
        .await?
        .changes
        .into_iter()
        .filter(|change| {
            matches!(
                change,
                Change::Record {
                    record: Record::Plan(_)
                }
            )
        })
        .count();
    assert_eq!(plans, 2);
    Ok(())
}
