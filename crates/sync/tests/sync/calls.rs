//! Home calls shared between the PCs of one clinic through the registry: a
//! call taken at the front desk on the nurse's round at another PC, her
//! outcome back at the desk, a call changed on two PCs offline (the one
//! closed first stands; the other lands in needs attention once), and a PC
//! enrolled later receiving the journal on its first sync.

use emhana_domain::home_call::CallStatus;
use emhana_domain::round::RoundPace;
use emhana_protocol::{CallRecord, Record};
use emhana_workstation::{CallForm, CallView, Workstation};

use super::*;

pub(super) fn form(person_id: i64, complaint: &str) -> CallForm {
    CallForm {
        person_id,
        caller: "дочь".into(),
        caller_phone: Some("8 701 555 12 34".into()),
        complaint: complaint.into(),
        temperature: Some(37.8),
        indications: vec![],
        pregnant: false,
        registrar_wants_doctor: false,
        goes: None,
    }
}

/// The front desk's PC and the nurse's, of one clinic, enrolled, not yet synced.
pub(super) struct Pcs {
    pub(super) region: Region,
    pub(super) desk: Workstation,
    pub(super) nurse_pc: Workstation,
    pub(super) engine_desk: SyncEngine<HttpTransport>,
    pub(super) engine_nurse: SyncEngine<HttpTransport>,
    pub(super) _dirs: (tempfile::TempDir, tempfile::TempDir),
}

pub(super) async fn desk_and_nurse(now: chrono::DateTime<chrono::Utc>) -> Result<Pcs> {
    let region = Region::start(300, now).await?;
    let dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (desk, credential_desk) = region.workstation(dirs.0.path(), 0).await?;
    let (nurse_pc, credential_nurse) = region.workstation(dirs.1.path(), 0).await?;
    let engine_desk = region.engine(&desk, &credential_desk, small_pages())?;
    let engine_nurse = region.engine(&nurse_pc, &credential_nurse, small_pages())?;
    Ok(Pcs {
        region,
        desk,
        nurse_pc,
        engine_desk,
        engine_nurse,
        _dirs: dirs,
    })
}

/// The call with this number in a PC's journal for the day.
async fn call_numbered(workstation: &Workstation, day: chrono::NaiveDate, number: &str) -> Result<CallView> {
    workstation
        .calls_on(day)
        .await?
        .into_iter()
        .find(|call| call.number == number)
        .ok_or_else(|| anyhow::anyhow!("call {number} is not in the journal"))
}

/// The call as the registry keeps it.
async fn at_registry(region: &Region, id: uuid::Uuid) -> Result<CallRecord> {
    let body: serde_json::Value = sqlx::query_scalar("SELECT body FROM clinic_record WHERE id = $1")
        .bind(id)
        .fetch_one(&region.pool)
        .await?;
    match serde_json::from_value(body)? {
        Record::Call(call) => Ok(*call),
        other => anyhow::bail!("{} is not a call", other.id()),
    }
}

#[tokio::test]
async fn a_call_taken_at_the_desk_is_on_the_nurses_round_at_her_pc_and_her_outcome_comes_back() -> Result<()>
{
    let now = kz(2026, 11, 24, 9);
    let Pcs {
        region,
        desk,
        nurse_pc,
        engine_desk,
        engine_nurse,
        _dirs,
    } = desk_and_nurse(now).await?;
    let dir_late = tempfile::tempdir()?;
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;

    // The registrar takes a call; the nurse's PC knows nothing of it yet.
    let person = one_attached_here(&desk, now).await?;
    let taken = desk
        .register_call(&form(person, "температура, слабость"), now)
        .await?;
    let day = taken.planned_on;
    let nurse_id = taken
        .assigned_staff_id
        .ok_or_else(|| anyhow::anyhow!("a nurse is sent"))?;
    assert!(nurse_pc.calls_on(day).await?.is_empty());
    assert!(
        taken.number.contains('-'),
        "numbered in the desk's series: {}",
        taken.number
    );

    // One sync round: the desk pushes, the nurse's PC pulls.
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;
    let there = call_numbered(&nurse_pc, day, &taken.number).await?;
    assert_eq!(
        (
            there.iin.as_str(),
            there.complaint.as_str(),
            there.status,
            there.goes
        ),
        (
            taken.iin.as_str(),
            taken.complaint.as_str(),
            CallStatus::Registered,
            taken.goes
        )
    );
    assert_eq!(there.temperature, Some(37.8));
    assert_eq!(
        there.assigned_staff, taken.assigned_staff,
        "the same nurse on both PCs"
    );
    let nurse_here = there
        .assigned_staff_id
        .ok_or_else(|| anyhow::anyhow!("assigned at the nurse's PC"))?;
    let round = nurse_pc.round(nurse_here, day, RoundPace::default()).await?;
    assert!(
        round
            .stops
            .iter()
            .any(|stop| stop.calls.iter().any(|call| call.id == there.id)),
        "the call is on her round"
    );
    let on_round = round
        .stops
        .iter()
        .flat_map(|stop| &stop.calls)
        .find(|call| call.id == there.id)
        .ok_or_else(|| anyhow::anyhow!("the call on her round"))?;
    assert_eq!(
        on_round.temperature,
        Some(37.8),
        "the tenth said, as the round prints it"
    );

    // She records it served at her PC; after a round the desk shows it.
    nurse_pc
        .set_call_status(there.id, CallStatus::Served, Some("давление в норме"), now)
        .await?;
    sync_round(&engine_nurse).await?;
    sync_round(&engine_desk).await?;
    let back = call_numbered(&desk, day, &taken.number).await?;
    assert_eq!(back.status, CallStatus::Served);
    assert_eq!(back.outcome_note.as_deref(), Some("давление в норме"));
    assert_eq!(nurse_id, back.assigned_staff_id.unwrap_or_default());

    // Both PCs and the registry hold the same call, field by field.
    let record = desk.shared_call(back.id).await?;
    assert_eq!(record, nurse_pc.shared_call(there.id).await?);
    assert_eq!(record, at_registry(&region, record.id).await?);

    // A PC enrolled later (a replaced disk) receives the journal on its first sync.
    let (late, credential_late) = region.workstation(dir_late.path(), 0).await?;
    sync_round(&region.engine(&late, &credential_late, small_pages())?).await?;
    let arrived = call_numbered(&late, day, &taken.number).await?;
    assert_eq!(late.shared_call(arrived.id).await?, record);
    Ok(())
}

#[tokio::test]
async fn a_call_reassigned_on_one_pc_while_served_on_another_keeps_the_first_closure() -> Result<()> {
    let now = kz(2026, 11, 24, 10);
    let Pcs {
        region,
        desk,
        nurse_pc,
        engine_desk,
        engine_nurse,
        _dirs,
    } = desk_and_nurse(now).await?;
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;
    let person = one_attached_here(&desk, now).await?;
    let taken = desk.register_call(&form(person, "кашель"), now).await?;
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;
    let there = call_numbered(&nurse_pc, taken.planned_on, &taken.number).await?;

    // Offline, both: the desk sends the district doctor instead; the nurse
    // has already been and records the call served.
    let doctor = desk
        .doctors()
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("a doctor"))?;
    let moved = desk.reassign_call(taken.id, doctor.id, now).await?;
    assert_eq!(moved.assigned_staff_id, Some(doctor.id));
    nurse_pc
        .set_call_status(there.id, CallStatus::Served, None, now)
        .await?;

    // The nurse's PC reaches the registry first: served stands.
    sync_round(&engine_nurse).await?;
    let report = sync_round(&engine_desk).await?;
    assert_eq!(report.rejected, 1, "the reassignment lost");
    let attention = desk.needs_attention().await?;
    assert_eq!(attention.len(), 1, "{attention:?}");
    assert_eq!(
        attention[0].ground,
        RejectGround::CallClosed {
            status: CallStatus::Served
        }
    );
    assert_eq!(attention[0].action, AttentionAction::CheckCall);
    assert_eq!(attention[0].call_number.as_deref(), Some(taken.number.as_str()));
    // The desk shows the call as it stands: served by the nurse, not the doctor's.
    let now_at_desk = call_numbered(&desk, taken.planned_on, &taken.number).await?;
    assert_eq!(now_at_desk.status, CallStatus::Served);
    assert_eq!(now_at_desk.assigned_staff_id, taken.assigned_staff_id);
    // A closed call is not changed again here either: refused at once, nothing sent.
    assert!(desk.reassign_call(taken.id, doctor.id, now).await.is_err());

    // Another round changes nothing: the conflict is listed once, all agree.
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;
    assert_eq!(desk.needs_attention().await?.len(), 1);
    assert!(nurse_pc.needs_attention().await?.is_empty());
    let record = desk.shared_call(taken.id).await?;
    assert_eq!(record, nurse_pc.shared_call(there.id).await?);
    assert_eq!(record, at_registry(&region, record.id).await?);
    Ok(())
}

#[tokio::test]
async fn a_round_whose_feed_is_held_back_by_a_running_transaction_says_so_and_the_next_reads_it() -> Result<()>
{
    let now = kz(2026, 11, 24, 11);
    let Pcs {
        region,
        desk,
        nurse_pc,
        engine_desk,
        engine_nurse,
        _dirs,
    } = desk_and_nurse(now).await?;
    assert!(!engine_desk.sync_once(|_| {}).await?.held_back);
    engine_nurse.sync_once(|_| {}).await?;

    // Any transaction with an id still running at the registry (an
    // autovacuum's analyze, a slow push) holds back what was written after it.
    let mut running = region.pool.begin().await?;
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *running)
        .await?;
    let person = one_attached_here(&desk, now).await?;
    let taken = desk.register_call(&form(person, "головокружение"), now).await?;
    engine_desk.sync_once(|_| {}).await?;
    let held = engine_nurse.sync_once(|_| {}).await?;
    assert!(held.held_back, "the round knows the feed was not read to its end");
    assert!(nurse_pc.calls_on(taken.planned_on).await?.is_empty());
    running.rollback().await?;
    let next = engine_nurse.sync_once(|_| {}).await?;
    assert!(!next.held_back);
    call_numbered(&nurse_pc, taken.planned_on, &taken.number).await?;
    Ok(())
}

#[tokio::test]
async fn the_nurses_order_of_her_day_is_the_same_on_every_pc_of_the_clinic() -> Result<()> {
    let now = kz(2026, 11, 24, 12);
    let Pcs {
        desk,
        nurse_pc,
        engine_desk,
        engine_nurse,
        region: _region,
        _dirs,
    } = desk_and_nurse(now).await?;
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;

    // Calls for the clinic's people until one nurse has two stops on her day.
    let mut by_nurse: std::collections::HashMap<i64, Vec<CallView>> = std::collections::HashMap::new();
    let mut nurse_calls = None;
    for (hit, _) in attached_here(&desk, now).await? {
        let taken = desk.register_call(&form(hit.id, "давление"), now).await?;
        if let Some(nurse) = taken.assigned_staff_id {
            let calls = by_nurse.entry(nurse).or_default();
            calls.push(taken);
            if calls.len() == 2 {
                nurse_calls = Some(calls.clone());
                break;
            }
        }
    }
    let calls = nurse_calls.ok_or_else(|| anyhow::anyhow!("no nurse with two calls"))?;
    let day = calls[0].planned_on;
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;

    // At her PC she puts the second call first.
    let nurse_name = calls[0]
        .assigned_staff
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the nurse's name"))?;
    let nurse_on = |on: &Workstation| {
        let on = on.clone();
        let name = nurse_name.clone();
        async move {
            on.nurses()
                .await?
                .into_iter()
                .find(|nurse| name.starts_with(&nurse.full_name) || nurse.full_name.starts_with(&name))
                .map(|nurse| nurse.id)
                .ok_or_else(|| anyhow::anyhow!("{name} is not a nurse here"))
        }
    };
    let her_id = nurse_on(&nurse_pc).await?;
    let pace = RoundPace::default();
    let round = nurse_pc.round(her_id, day, pace).await?;
    let order: Vec<_> = round.stops.iter().rev().map(|stop| stop.stop).collect();
    let reordered = nurse_pc.reorder_round(her_id, day, &order, pace, now).await?;
    let iins = |round: &emhana_workstation::RoundView| {
        round
            .stops
            .iter()
            .map(|stop| stop.iin.clone())
            .collect::<Vec<_>>()
    };
    let hers = iins(&reordered);
    assert_eq!(hers.len(), 2);
    assert_eq!(
        hers,
        iins(&round).into_iter().rev().collect::<Vec<_>>(),
        "reordered"
    );

    // After a round the desk shows her day in her order.
    sync_round(&engine_nurse).await?;
    sync_round(&engine_desk).await?;
    let at_desk = desk.round(nurse_on(&desk).await?, day, pace).await?;
    assert_eq!(iins(&at_desk), hers);
    Ok(())
}

#[tokio::test]
async fn the_clinics_settings_are_every_pcs_and_of_two_changes_offline_the_first_stands() -> Result<()> {
    let now = kz(2026, 11, 24, 13);
    let Pcs {
        region,
        desk,
        nurse_pc,
        engine_desk,
        engine_nurse,
        _dirs,
    } = desk_and_nurse(now).await?;
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;

    // The head sets the round pace at the desk; the nurse's PC times her day by it.
    let slower = RoundPace {
        visit_minutes: 40,
        ..RoundPace::default()
    };
    desk.set_round_pace(slower, now).await?;
    sync_round(&engine_desk).await?;
    sync_round(&engine_nurse).await?;
    assert_eq!(nurse_pc.round_pace().await?, slower);

    // Offline, both change the settings: the nurse's PC the slip paper (a receipt roll), the
    // desk the list norms. The nurse's PC reaches the registry first.
    nurse_pc
        .set_slip_format(emhana_domain::documents::SlipFormat::Receipt80, now)
        .await?;
    desk.set_list_norms(
        &emhana_domain::attachment::ListNorms {
            therapeutic: 2000,
            ..Default::default()
        },
        now,
    )
    .await?;
    sync_round(&engine_nurse).await?;
    let report = sync_round(&engine_desk).await?;
    assert_eq!(report.rejected, 1, "the later change lost");
    let attention = desk.needs_attention().await?;
    assert_eq!(attention.len(), 1, "{attention:?}");
    assert_eq!(attention[0].ground, RejectGround::SettingsChanged);
    assert_eq!(attention[0].action, AttentionAction::CheckSettings);
    // The desk shows the settings as they stand: receipt slips, the norms as before.
    assert_eq!(
        desk.slip_format().await?,
        emhana_domain::documents::SlipFormat::Receipt80
    );
    let settings = desk.shared_settings().await?;
    assert_eq!(settings.settings.list_norms, Default::default());
    assert_eq!(settings, nurse_pc.shared_settings().await?);
    let body: serde_json::Value = sqlx::query_scalar("SELECT body FROM clinic_record WHERE id = $1")
        .bind(settings.id)
        .fetch_one(&region.pool)
        .await?;
    assert_eq!(
        Record::Settings(Box::new(settings)),
        serde_json::from_value(body)?
    );
    Ok(())
}
