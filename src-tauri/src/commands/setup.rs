//! The start screen, the demo clinic, and the clinic's settings and
//! reference data as this PC keeps them (the workstation's `setup`).

use chrono::Datelike;
use emhana_domain::attachment::{Campaign, ListNorms};
use emhana_domain::documents::SlipFormat;
use emhana_workstation::{Language, StoreStatus};
use serde::Serialize;
use tauri::State;

use super::{store, workstation};
use crate::AppState;
use crate::error::CommandError;

/// What the window needs to start: the store's status and the chosen language.
#[derive(Serialize, ts_rs::TS)]
pub struct Startup {
    status: StoreStatus,
    language: Option<Language>,
    /// The date in Kazakhstan by the app's clock (the day views open on it).
    today: chrono::NaiveDate,
    /// How to sign in to the demo clinic, on a PC that holds it (one never
    /// enrolled with a registry); none for a real clinic.
    demo_sign_in: Option<DemoSignIn>,
}

/// The demo clinic's password and its staff, for the sign-in screen to offer.
#[derive(Serialize, ts_rs::TS)]
pub struct DemoSignIn {
    password: String,
    staff: Vec<DemoStaff>,
}

#[derive(Serialize, ts_rs::TS)]
pub struct DemoStaff {
    iin: String,
    full_name: String,
    roles: Vec<emhana_domain::StaffRole>,
}

#[tauri::command]
pub async fn startup(state: State<'_, AppState>) -> Result<Startup, CommandError> {
    let workstation = store(&state)?;
    let status = workstation.status().await?;
    let demo_sign_in = match (&status.clinic, workstation.enrolment().await?) {
        (Some(_), None) => Some(DemoSignIn {
            password: emhana_synth::DEMO_PASSWORD.to_owned(),
            staff: workstation
                .organization()
                .await?
                .staff
                .into_iter()
                .filter(|member| member.works_to.is_none())
                .map(|member| DemoStaff {
                    iin: member.iin,
                    full_name: member.full_name,
                    roles: member.roles,
                })
                .collect(),
        }),
        _ => None,
    };
    Ok(Startup {
        status,
        language: workstation.language().await?,
        today: state.clock.today(),
        demo_sign_in,
    })
}

#[tauri::command]
pub async fn load_demo_clinic(state: State<'_, AppState>) -> Result<StoreStatus, CommandError> {
    let workstation = store(&state)?;
    if !workstation.is_empty().await? {
        return Err(emhana_workstation::StoreError::NotEmpty.into());
    }
    let today = state.clock.today();
    emhana_synth::load_demo(workstation, emhana_synth::demo_config(today)).await?;
    Ok(workstation.status().await?)
}

/// The clinic's organization as this PC holds it: districts, coverage, staff, posts.
#[tauri::command]
pub async fn organization(
    state: State<'_, AppState>,
) -> Result<emhana_workstation::OrganizationView, CommandError> {
    Ok(workstation(&state)?.organization().await?)
}

/// Sends a change of the organization (a member of staff, a district, its
/// coverage) to the registry; `unit_bin` names a post, none the clinic itself.
#[tauri::command]
pub async fn change_organization(
    state: State<'_, AppState>,
    unit_bin: Option<String>,
    change: emhana_protocol::OrganizationChange,
) -> Result<(), CommandError> {
    workstation(&state)?
        .change_organization(unit_bin.as_deref(), &change, state.clock.now())
        .await?;
    Ok(())
}

#[tauri::command]
pub async fn set_language(state: State<'_, AppState>, language: Language) -> Result<(), CommandError> {
    // the sign-in screen has the switch too: before anyone signs in
    Ok(store(&state)?.set_language(language).await?)
}

/// The year's attachment campaign and the district list norms, as the settings screen edits them.
#[derive(serde::Serialize, ts_rs::TS)]
pub struct AttachmentReference {
    campaign: Campaign,
    /// True while the year has no campaign of its own: seed 000's window applies.
    campaign_is_default: bool,
    list_norms: ListNorms,
}

#[tauri::command]
pub async fn attachment_reference(state: State<'_, AppState>) -> Result<AttachmentReference, CommandError> {
    let rules = workstation(&state)?.attachment_rules().await?;
    let year = state.clock.today().year();
    Ok(AttachmentReference {
        campaign: rules.campaign(year),
        campaign_is_default: !rules.campaigns.iter().any(|c| c.year == year),
        list_norms: rules.list_norms,
    })
}

#[tauri::command]
pub async fn set_campaign(state: State<'_, AppState>, campaign: Campaign) -> Result<(), CommandError> {
    Ok(workstation(&state)?.set_campaign(&campaign).await?)
}

#[tauri::command]
pub async fn set_list_norms(state: State<'_, AppState>, norms: ListNorms) -> Result<(), CommandError> {
    Ok(workstation(&state)?
        .set_list_norms(&norms, state.clock.now())
        .await?)
}

/// Which orders the home-call triage and the care plans are decided by today.
#[derive(serde::Serialize, ts_rs::TS)]
pub struct RulesInForce {
    triage_source: String,
    triage_valid_from: chrono::NaiveDate,
    plan_source: String,
    plan_valid_from: chrono::NaiveDate,
}

#[tauri::command]
pub async fn rules_in_force(state: State<'_, AppState>) -> Result<RulesInForce, CommandError> {
    let (triage, plans) = workstation(&state)?.rules_in_force(state.clock.today()).await?;
    Ok(RulesInForce {
        triage_source: triage.source,
        triage_valid_from: triage.valid_from,
        plan_source: plans.source,
        plan_valid_from: plans.valid_from,
    })
}

#[tauri::command]
pub async fn round_pace(state: State<'_, AppState>) -> Result<emhana_domain::round::RoundPace, CommandError> {
    Ok(workstation(&state)?.round_pace().await?)
}

#[tauri::command]
pub async fn set_round_pace(
    state: State<'_, AppState>,
    pace: emhana_domain::round::RoundPace,
) -> Result<(), CommandError> {
    Ok(workstation(&state)?
        .set_round_pace(pace, state.clock.now())
        .await?)
}

/// Sets the minutes of no use after which the clinic's windows lock.
#[tauri::command]
pub async fn set_lock_after(state: State<'_, AppState>, minutes: u32) -> Result<(), CommandError> {
    Ok(workstation(&state)?
        .set_lock_after_minutes(minutes, state.clock.now())
        .await?)
}

/// Hours this PC keeps a printed document on disk.
#[tauri::command]
pub async fn documents_kept_hours(state: State<'_, AppState>) -> Result<u32, CommandError> {
    Ok(workstation(&state)?.documents_kept_hours().await?)
}

#[tauri::command]
pub async fn set_documents_kept_hours(state: State<'_, AppState>, hours: u32) -> Result<(), CommandError> {
    let store = workstation(&state)?;
    store.set_documents_kept_hours(hours).await?;
    if let Some(dir) = &state.documents_dir {
        super::remove_old_documents(&store, dir).await;
    }
    Ok(())
}

/// Walks this PC's audit log and names its first broken link (the head's).
#[tauri::command]
pub async fn verify_audit(
    state: State<'_, AppState>,
) -> Result<emhana_workstation::AuditCheck, CommandError> {
    let store = workstation(&state)?;
    store.require(emhana_domain::access::Action::ReadAudit).await?;
    Ok(store.verify_audit().await?)
}

#[tauri::command]
pub async fn slip_format(state: State<'_, AppState>) -> Result<SlipFormat, CommandError> {
    Ok(workstation(&state)?.slip_format().await?)
}

#[tauri::command]
pub async fn set_slip_format(state: State<'_, AppState>, format: SlipFormat) -> Result<(), CommandError> {
    Ok(workstation(&state)?
        .set_slip_format(format, state.clock.now())
        .await?)
}
