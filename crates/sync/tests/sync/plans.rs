//! Care plans shared between the PCs of one clinic through the registry: a
//! plan opened at one PC is on the other with its visits; an outcome
//! recorded on one shows on the other; two PCs recording the same visit's
//! outcome offline (the first at the registry stands, the other is listed
//! once in needs attention and stays in the visit's history); a risk
//! changed on two PCs; a plan opened on both; a PC enrolled later receiving
//! the plans on its first sync.

use emhana_domain::care_plan::{
    BasisDocument, Condition, EnrolmentBasis, PlanKind, RiskLevel, VisitOutcome, VisitState,
};
use emhana_protocol::{PlanRecord, Record};
use emhana_workstation::{PlanRequest, PlanView, VisitView, Workstation};

use super::calls::{Pcs, desk_and_nurse};
use super::*;

pub(super) fn hypertension(enrolled: chrono::NaiveDate, risk: RiskLevel) -> PlanRequest {
    PlanRequest::Observation {
        condition: Condition::ArterialHypertension,
        risk,
        enrolled,
        basis: EnrolmentBasis {
            document: BasisDocument::DistrictDoctorConclusion,
            dated: enrolled,
        },
    }
}

/// The person's id on another PC, by IIN.
async fn same_person(on: &Workstation, iin: &str) -> Result<i64> {
    on.search(iin, 1)
        .await?
        .hits
        .first()
        .map(|hit| hit.id)
        .ok_or_else(|| anyhow::anyhow!("{iin} is not on this PC"))
}

/// The person's open hypertension plan on a PC.
async fn plan_of(on: &Workstation, person: i64, today: chrono::NaiveDate) -> Result<PlanView> {
    on.person_plans(person, today)
        .await?
        .into_iter()
        .find(|plan| plan.kind == PlanKind::Observation && plan.closed.is_none())
        .ok_or_else(|| anyhow::anyhow!("no open observation plan"))
}

/// Records an outcome as the nurse of the person's district on that PC.
async fn record_as_district_nurse(
    on: &Workstation,
    visit: &VisitView,
    outcome: VisitOutcome,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(i64, VisitView)> {
    for nurse in on.nurses().await? {
        if let Ok(view) = on
            .record_visit_outcome(visit.id, outcome, None, nurse.id, None, now)
            .await
        {
            return Ok((nurse.id, view));
        }
    }
    anyhow::bail!("no nurse of the person's district")
}

/// The plan as the registry keeps it.
async fn at_registry(region: &Region, id: uuid::Uuid) -> Result<PlanRecord> {
    let body: serde_json::Value = sqlx::query_scalar("SELECT body FROM clinic_record WHERE id = $1")
        .bind(id)
        .fetch_one(&region.pool)
        .await?;
    match serde_json::from_value(body)? {
        Record::Plan(plan) => Ok(*plan),
        other => anyhow::bail!("{} is not a plan", other.id()),
    }
}

#[tokio::test]
async fn a_plan_opened_at_one_pc_is_at_the_other_and_of_two_outcomes_recorded_offline_the_first_stands()
-> Result<()> {
    let now = kz(2026, 11, 24, 9);
    let today = emhana_domain::kazakhstan_time(now).date();
    let Pcs {
        region,
        desk: doctor_pc,
        nurse_pc,
        engine_desk: engine_doctor,
        engine_nurse,
        _dirs,
    } = desk_and_nurse(now).await?;
    let dir_late = tempfile::tempdir()?;
    sync_round(&engine_doctor).await?;
    sync_round(&engine_nurse).await?;

    // The doctor's PC enrols a person in observation; one round later the
    // nurse's PC has the plan with the same visits.
    let person = one_attached_here(&doctor_pc, now).await?;
    let iin = doctor_pc.person_card(person, today).await?.iin;
    let opened = doctor_pc
        .open_plan(person, &hypertension(today, RiskLevel::Low), now)
        .await?;
    // and, before the plan reaches the registry, changes its risk: over the
    // version its opening will make, so both stand
    let opened = doctor_pc
        .change_plan_risk(opened.id, RiskLevel::High, now)
        .await?;
    let report = sync_round(&engine_doctor).await?;
    assert_eq!((report.confirmed, report.rejected), (2, 0));
    sync_round(&engine_nurse).await?;
    let person_there = same_person(&nurse_pc, &iin).await?;
    let there = plan_of(&nurse_pc, person_there, today).await?;
    assert_eq!(there.event, opened.event);
    // (of two visits on one day, each PC lists first the one it wrote first)
    let due = |plan: &PlanView| {
        let mut due: Vec<_> = plan
            .visits
            .iter()
            .map(|visit| {
                (
                    visit.due_from,
                    visit.due_to,
                    visit.who.as_str(),
                    visit.purpose.as_str(),
                )
            })
            .collect();
        due.sort();
        due
    };
    assert_eq!(due(&there), due(&opened), "the same visits on both PCs");

    // The nurse records the first visit done at her PC; the doctor's shows it.
    let first_there = there.visits[0].clone();
    record_as_district_nurse(&nurse_pc, &first_there, VisitOutcome::Done, now).await?;
    sync_round(&engine_nurse).await?;
    sync_round(&engine_doctor).await?;
    let at_doctor = plan_of(&doctor_pc, person, today).await?;
    assert_eq!(at_doctor.visits[0].outcome, Some(VisitOutcome::Done));
    assert_eq!(at_doctor.visits[0].state, VisitState::Closed);

    // Offline, both record the second visit: the nurse "not at home", the
    // doctor's PC (a nurse covering the district there) "done".
    let second_there = there.visits[1].clone();
    let second_here = at_doctor.visits[1].clone();
    record_as_district_nurse(&nurse_pc, &second_there, VisitOutcome::NotAtHome, now).await?;
    record_as_district_nurse(&doctor_pc, &second_here, VisitOutcome::Done, now).await?;
    // The nurse's PC reaches the registry first: not at home stands.
    sync_round(&engine_nurse).await?;
    let report = sync_round(&engine_doctor).await?;
    assert_eq!(report.rejected, 1, "the second outcome lost");
    let attention = doctor_pc.needs_attention().await?;
    assert_eq!(attention.len(), 1, "{attention:?}");
    assert_eq!(
        attention[0].ground,
        RejectGround::VisitOutcomeTaken {
            standing: Some(VisitOutcome::NotAtHome)
        }
    );
    assert_eq!(attention[0].action, AttentionAction::CheckPlan);
    assert_eq!(attention[0].iin.as_deref(), Some(iin.as_str()));
    let now_at_doctor = plan_of(&doctor_pc, person, today).await?;
    assert_eq!(now_at_doctor.visits[1].outcome, Some(VisitOutcome::NotAtHome));
    // The outcome that lost stays in the visit's history on the PC that recorded it.
    let history = doctor_pc.visit_history(second_here.id).await?;
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history
            .iter()
            .any(|event| event.outcome == VisitOutcome::Done && event.refused),
        "{history:?}"
    );

    // Another round changes nothing: listed once, and every copy agrees.
    sync_round(&engine_doctor).await?;
    sync_round(&engine_nurse).await?;
    assert_eq!(doctor_pc.needs_attention().await?.len(), 1);
    assert!(nurse_pc.needs_attention().await?.is_empty());
    let record = doctor_pc.shared_plan(opened.id).await?;
    assert_eq!(record, nurse_pc.shared_plan(there.id).await?);
    assert_eq!(record, at_registry(&region, record.id).await?);

    // A PC enrolled later (a replaced disk) receives the plan on its first sync.
    let (late, credential_late) = region.workstation(dir_late.path(), 0).await?;
    sync_round(&region.engine(&late, &credential_late, small_pages())?).await?;
    let person_late = same_person(&late, &iin).await?;
    let arrived = plan_of(&late, person_late, today).await?;
    assert_eq!(late.shared_plan(arrived.id).await?, record);
    Ok(())
}

#[tokio::test]
async fn a_risk_changed_on_two_pcs_keeps_the_first_and_a_plan_opened_on_both_keeps_the_first_opened()
-> Result<()> {
    let now = kz(2026, 11, 24, 10);
    let today = emhana_domain::kazakhstan_time(now).date();
    let Pcs {
        region,
        desk: doctor_pc,
        nurse_pc,
        engine_desk: engine_doctor,
        engine_nurse,
        _dirs,
    } = desk_and_nurse(now).await?;
    sync_round(&engine_doctor).await?;
    sync_round(&engine_nurse).await?;
    let people = attached_here(&doctor_pc, now).await?;
    let (first, second) = match people.as_slice() {
        [first, second, ..] => (first.0.id, second.0.id),
        _ => anyhow::bail!("two persons attached here"),
    };

    // A plan both PCs have; offline, each changes its risk.
    let opened = doctor_pc
        .open_plan(first, &hypertension(today, RiskLevel::Low), now)
        .await?;
    sync_round(&engine_doctor).await?;
    sync_round(&engine_nurse).await?;
    let iin = doctor_pc.person_card(first, today).await?.iin;
    let first_there = same_person(&nurse_pc, &iin).await?;
    let there = plan_of(&nurse_pc, first_there, today).await?;
    nurse_pc.change_plan_risk(there.id, RiskLevel::High, now).await?;
    doctor_pc
        .change_plan_risk(opened.id, RiskLevel::Medium, now)
        .await?;
    sync_round(&engine_nurse).await?;
    let report = sync_round(&engine_doctor).await?;
    assert_eq!(report.rejected, 1, "the later risk change lost");
    let attention = doctor_pc.needs_attention().await?;
    assert_eq!(attention.len(), 1, "{attention:?}");
    assert_eq!(attention[0].ground, RejectGround::PlanChanged);
    assert_eq!(attention[0].action, AttentionAction::CheckPlan);
    // The doctor's PC shows the plan as the nurse's PC left it: high risk, its visits.
    let now_here = plan_of(&doctor_pc, first, today).await?;
    let now_there = plan_of(&nurse_pc, first_there, today).await?;
    assert_eq!(now_here.event, now_there.event);
    assert!(matches!(
        now_here.event,
        emhana_domain::care_plan::PlanEvent::Observation {
            risk: RiskLevel::High,
            ..
        }
    ));
    assert_eq!(
        doctor_pc.shared_plan(opened.id).await?,
        nurse_pc.shared_plan(there.id).await?
    );

    // Offline, both PCs enrol the second person: the first to arrive keeps the plan.
    let iin_second = doctor_pc.person_card(second, today).await?.iin;
    let second_there = same_person(&nurse_pc, &iin_second).await?;
    let kept = nurse_pc
        .open_plan(second_there, &hypertension(today, RiskLevel::Low), now)
        .await?;
    doctor_pc
        .open_plan(second, &hypertension(today, RiskLevel::Medium), now)
        .await?;
    sync_round(&engine_nurse).await?;
    let report = sync_round(&engine_doctor).await?;
    assert_eq!(report.rejected, 1, "the second opening lost");
    let grounds: Vec<RejectGround> = doctor_pc
        .needs_attention()
        .await?
        .into_iter()
        .map(|item| item.ground)
        .collect();
    assert_eq!(grounds, vec![RejectGround::PlanChanged, RejectGround::PlanOpen]);
    // One round more and the doctor's PC holds the nurse's plan, and only it.
    sync_round(&engine_doctor).await?;
    let plans_here = doctor_pc.person_plans(second, today).await?;
    assert_eq!(plans_here.len(), 1, "{plans_here:?}");
    let record = doctor_pc.shared_plan(plans_here[0].id).await?;
    assert_eq!(record, nurse_pc.shared_plan(kept.id).await?);
    assert_eq!(record, at_registry(&region, record.id).await?);
    Ok(())
}

/// Plans loaded from a paper register (the PC's own work, `open_plans`) go
/// to the registry as opened by whoever loaded them; loaded by nobody, the
/// registry refuses them (issue 19: each op carries its author).
#[tokio::test]
async fn plans_loaded_from_paper_are_taken_from_their_author_and_refused_from_nobody() -> Result<()> {
    let now = kz(2026, 11, 24, 9);
    let today = emhana_domain::kazakhstan_time(now).date();
    let Pcs {
        region: _region,
        desk,
        engine_desk,
        _dirs,
        ..
    } = desk_and_nurse(now).await?;
    sync_round(&engine_desk).await?;
    let people = attached_here(&desk, now).await?;
    let [(first, _), (second, _), ..] = people.as_slice() else {
        anyhow::bail!("two persons attached here");
    };
    let author = desk.session().map(|session| session.staff_id);
    desk.open_plans(&[(first.id, hypertension(today, RiskLevel::Low))], author, now)
        .await?;
    desk.open_plans(&[(second.id, hypertension(today, RiskLevel::Low))], None, now)
        .await?;
    let report = sync_round(&engine_desk).await?;
    assert_eq!((report.confirmed, report.rejected), (1, 1));
    let attention = desk.needs_attention().await?;
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].ground, RejectGround::NoAuthor);
    assert_eq!(attention[0].action, AttentionAction::CallAdministrator);
    Ok(())
}
