//! The attached-population register and its CSV export.

use emhana_workstation::{RegisterFilter, RegisterPage};
use tauri::State;

use super::workstation;
use crate::AppState;
use crate::commands::attachment::{Printed, save_and_open};
use crate::error::CommandError;

#[tauri::command]
pub async fn attached_register(
    state: State<'_, AppState>,
    filter: RegisterFilter,
    offset: u32,
) -> Result<RegisterPage, CommandError> {
    Ok(workstation(&state)?
        .attached_register(&filter, state.clock.today(), offset)
        .await?)
}

/// Saves the filtered register as CSV in the documents folder and opens it.
#[tauri::command]
pub async fn export_register_csv(
    state: State<'_, AppState>,
    filter: RegisterFilter,
) -> Result<Printed, CommandError> {
    let today = state.clock.today();
    let csv = workstation(&state)?.attached_register_csv(&filter, today).await?;
    save_and_open(
        &state,
        &format!("attached-population-{today}.csv"),
        csv.as_bytes(),
        true,
    )
    .await
}
