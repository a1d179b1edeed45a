//! Home visits: the journal of calls, care plans, the nurse's round and its
//! printed schedule.

use chrono::NaiveDate;
use emhana_domain::care_plan::{RiskLevel, VisitOutcome};
use emhana_domain::home_call::CallStatus;
use emhana_workstation::{
    CallForm, CallPreview, CallView, DueVisit, Nurse, PlanRequest, PlanView, PostCallView, PostPlanView,
    RoundView, StopRef, VisitHistoryEvent, VisitView,
};
use tauri::State;
use uuid::Uuid;

use super::attachment::{Printed, save_and_open};
use super::workstation;
use crate::AppState;
use crate::error::CommandError;

#[tauri::command]
pub async fn preview_call(state: State<'_, AppState>, form: CallForm) -> Result<CallPreview, CommandError> {
    Ok(workstation(&state)?
        .preview_call(&form, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn register_call(state: State<'_, AppState>, form: CallForm) -> Result<CallView, CommandError> {
    Ok(workstation(&state)?
        .register_call(&form, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn calls_on(
    state: State<'_, AppState>,
    day: Option<NaiveDate>,
) -> Result<Vec<CallView>, CommandError> {
    let day = day.unwrap_or_else(|| state.clock.today());
    Ok(workstation(&state)?.calls_on(day).await?)
}

#[tauri::command]
pub async fn set_call_status(
    state: State<'_, AppState>,
    call_id: i64,
    status: CallStatus,
    note: Option<String>,
) -> Result<CallView, CommandError> {
    Ok(workstation(&state)?
        .set_call_status(call_id, status, note.as_deref(), state.clock.now())
        .await?)
}

/// Sends someone else to a call (another nurse, a doctor, a feldsher).
#[tauri::command]
pub async fn reassign_call(
    state: State<'_, AppState>,
    call_id: i64,
    staff_id: i64,
) -> Result<CallView, CommandError> {
    Ok(workstation(&state)?
        .reassign_call(call_id, staff_id, state.clock.now())
        .await?)
}

/// The calls of this clinic's posts planned on `day` (today when none), and those still open.
#[tauri::command]
pub async fn post_calls(
    state: State<'_, AppState>,
    day: Option<NaiveDate>,
) -> Result<Vec<PostCallView>, CommandError> {
    let day = day.unwrap_or_else(|| state.clock.today());
    Ok(workstation(&state)?.post_calls(day).await?)
}

/// The care plans of this clinic's posts.
#[tauri::command]
pub async fn post_plans(state: State<'_, AppState>) -> Result<Vec<PostPlanView>, CommandError> {
    Ok(workstation(&state)?.post_plans().await?)
}

/// Who may be sent to a post's call.
#[tauri::command]
pub async fn post_call_staff(state: State<'_, AppState>, call_id: Uuid) -> Result<Vec<Nurse>, CommandError> {
    Ok(workstation(&state)?.post_call_staff(call_id).await?)
}

/// Sends someone else to a post's call.
#[tauri::command]
pub async fn reassign_post_call(
    state: State<'_, AppState>,
    call_id: Uuid,
    staff_id: i64,
) -> Result<PostCallView, CommandError> {
    Ok(workstation(&state)?
        .reassign_post_call(call_id, staff_id, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn open_plan(
    state: State<'_, AppState>,
    person_id: i64,
    request: PlanRequest,
) -> Result<PlanView, CommandError> {
    Ok(workstation(&state)?
        .open_plan(person_id, &request, state.clock.now())
        .await?)
}

/// What nobody is assigned to today: calls and districts' due visits.
#[tauri::command]
pub async fn unassigned(state: State<'_, AppState>) -> Result<emhana_workstation::Unassigned, CommandError> {
    Ok(workstation(&state)?.unassigned(state.clock.today()).await?)
}

/// Records how and when a pregnancy ended; the antenatal plan closes.
#[tauri::command]
pub async fn end_pregnancy(
    state: State<'_, AppState>,
    plan_id: i64,
    outcome: emhana_domain::care_plan::PregnancyOutcome,
    ended: NaiveDate,
) -> Result<PlanView, CommandError> {
    Ok(workstation(&state)?
        .end_pregnancy(plan_id, outcome, ended, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn change_plan_risk(
    state: State<'_, AppState>,
    plan_id: i64,
    risk: RiskLevel,
) -> Result<PlanView, CommandError> {
    Ok(workstation(&state)?
        .change_plan_risk(plan_id, risk, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn person_plans(state: State<'_, AppState>, person_id: i64) -> Result<Vec<PlanView>, CommandError> {
    let workstation = workstation(&state)?;
    workstation.close_finished_plans(state.clock.now()).await?;
    Ok(workstation.person_plans(person_id, state.clock.today()).await?)
}

#[tauri::command]
pub async fn nurses(state: State<'_, AppState>) -> Result<Vec<Nurse>, CommandError> {
    Ok(workstation(&state)?.nurses().await?)
}

#[tauri::command]
pub async fn round(
    state: State<'_, AppState>,
    nurse_id: i64,
    day: Option<NaiveDate>,
) -> Result<RoundView, CommandError> {
    let day = day.unwrap_or_else(|| state.clock.today());
    let workstation = workstation(&state)?;
    workstation.close_finished_plans(state.clock.now()).await?;
    let pace = workstation.round_pace().await?;
    Ok(workstation.round(nurse_id, day, pace).await?)
}

#[tauri::command]
pub async fn reorder_round(
    state: State<'_, AppState>,
    nurse_id: i64,
    day: NaiveDate,
    order: Vec<StopRef>,
) -> Result<RoundView, CommandError> {
    let workstation = workstation(&state)?;
    let pace = workstation.round_pace().await?;
    Ok(workstation
        .reorder_round(nurse_id, day, &order, pace, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn record_visit_outcome(
    state: State<'_, AppState>,
    visit_id: i64,
    outcome: VisitOutcome,
    moved_to: Option<NaiveDate>,
    nurse_id: i64,
    note: Option<String>,
) -> Result<VisitView, CommandError> {
    Ok(workstation(&state)?
        .record_visit_outcome(
            visit_id,
            outcome,
            moved_to,
            nurse_id,
            note.as_deref(),
            state.clock.now(),
        )
        .await?)
}

#[tauri::command]
pub async fn undo_visit_outcome(
    state: State<'_, AppState>,
    visit_id: i64,
    nurse_id: i64,
) -> Result<VisitView, CommandError> {
    Ok(workstation(&state)?
        .undo_visit_outcome(visit_id, nurse_id, state.clock.now())
        .await?)
}

/// Every outcome recorded for a visit, those undone and those another PC's overrode marked.
#[tauri::command]
pub async fn visit_history(
    state: State<'_, AppState>,
    visit_id: i64,
) -> Result<Vec<VisitHistoryEvent>, CommandError> {
    Ok(workstation(&state)?.visit_history(visit_id).await?)
}

/// Prints the nurse's visit schedule for the day (A4 landscape).
#[tauri::command]
pub async fn print_round(
    state: State<'_, AppState>,
    nurse_id: i64,
    day: NaiveDate,
    open: bool,
) -> Result<Printed, CommandError> {
    let workstation = workstation(&state)?;
    let printer = state.printer.as_ref().map_err(Clone::clone)?;
    let pace = workstation.round_pace().await?;
    let schedule = workstation.round_schedule(nurse_id, day, pace).await?;
    let bytes = printer.round_schedule(&schedule)?;
    let name = format!("round-{}-{nurse_id}.pdf", day.format("%Y-%m-%d"));
    save_and_open(&state, &name, &bytes, open).await
}

/// A district's plan visits due or overdue on a day (every kind of visit).
#[tauri::command]
pub async fn due_visits(
    state: State<'_, AppState>,
    district_id: i64,
    day: Option<NaiveDate>,
) -> Result<Vec<DueVisit>, CommandError> {
    let day = day.unwrap_or_else(|| state.clock.today());
    let workstation = workstation(&state)?;
    workstation.close_finished_plans(state.clock.now()).await?;
    Ok(workstation.due_visits(district_id, day).await?)
}
