//! The person card, and the person's OSMS status on it.

use emhana_workstation::{OsmsView, PersonCard};
use tauri::State;

use super::workstation;
use crate::AppState;
use crate::error::CommandError;

#[tauri::command]
pub async fn person_card(state: State<'_, AppState>, id: i64) -> Result<PersonCard, CommandError> {
    Ok(workstation(&state)?.person_card(id, state.clock.today()).await?)
}

/// The person's OSMS status: asked of the registry when this PC has one
/// (its answer kept), else the last known status with its date.
#[tauri::command]
pub async fn person_osms(state: State<'_, AppState>, id: i64) -> Result<OsmsView, CommandError> {
    let store = workstation(&state)?;
    let registry = match store.enrolment().await? {
        None => None,
        // no credential in the keyring: the registry cannot be asked (the sync screen says why)
        Some(enrolment) => crate::sync::load_credential(enrolment.workstation_id)
            .await
            .ok()
            .and_then(|credential| {
                emhana_sync::HttpTransport::new(&enrolment.registry_url, &credential).ok()
            }),
    };
    let today = state.clock.today();
    Ok(emhana_sync::osms::person_osms(&store, registry.as_ref(), id, today).await?)
}
