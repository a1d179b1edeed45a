//! Sync with the central registry: enrolment, status, "sync now", and the
//! "needs attention" list.

use emhana_sync::SyncStatus;
use emhana_workstation::{AttentionItem, SyncOverview};
use tauri::State;
use uuid::Uuid;

use super::workstation;
use crate::AppState;
use crate::error::CommandError;

/// What the status bar and the sync screen show: the stored truth and the live loop.
#[derive(serde::Serialize)]
pub struct SyncView {
    overview: SyncOverview,
    status: SyncStatus,
}

#[tauri::command]
pub async fn sync_view(state: State<'_, AppState>) -> Result<SyncView, CommandError> {
    Ok(SyncView {
        overview: workstation(&state)?.sync_overview().await?,
        status: state.sync.status(),
    })
}

/// Exchanges the administrator's one-time code for this workstation's
/// credential (kept in the OS keyring) and starts syncing.
#[tauri::command]
pub async fn enrol(
    state: State<'_, AppState>,
    registry_url: String,
    code: String,
) -> Result<SyncView, CommandError> {
    let store = workstation(&state)?;
    let registry_url = registry_url.trim().trim_end_matches('/').to_owned();
    if !(registry_url.starts_with("https://") || registry_url.starts_with("http://")) {
        return Err(CommandError::new("sync.bad_url", registry_url));
    }
    let enrolment = emhana_sync::enrol(&registry_url, code.trim())
        .await
        .map_err(|error| match &error {
            emhana_sync::TransportError::Refused { code, .. } if code == "bad_enrolment_code" => {
                CommandError::new("sync.bad_enrolment_code", error.to_string())
            }
            emhana_sync::TransportError::Offline(_) => CommandError::new("sync.offline", error.to_string()),
            _ => CommandError::new("sync.refused", error.to_string()),
        })?;
    // The keyring first: a database that says "enrolled" always has its credential.
    crate::sync::save_credential(enrolment.workstation, enrolment.credential.clone()).await?;
    if let Err(error) = store
        .save_enrolment(&registry_url, &enrolment, state.clock.now())
        .await
    {
        crate::sync::forget_credential(enrolment.workstation).await;
        return Err(error.into());
    }
    state
        .sync
        .start(store.clone(), &registry_url, &enrolment.credential, state.clock)?;
    sync_view(state).await
}

#[tauri::command]
pub fn sync_now(state: State<'_, AppState>) {
    state.sync.sync_now();
}

#[tauri::command]
pub async fn needs_attention(state: State<'_, AppState>) -> Result<Vec<AttentionItem>, CommandError> {
    Ok(workstation(&state)?.needs_attention().await?)
}

/// The registrar dealt with a rejected op: it leaves the list.
#[tauri::command]
pub async fn resolve_attention(
    state: State<'_, AppState>,
    op: Uuid,
    staff_id: Option<i64>,
) -> Result<bool, CommandError> {
    Ok(workstation(&state)?
        .resolve_attention(op, staff_id, state.clock.now())
        .await?)
}
