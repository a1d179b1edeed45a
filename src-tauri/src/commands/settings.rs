use emhana_workstation::Language;
use tauri::State;

use super::workstation;
use crate::AppState;
use crate::error::CommandError;

#[tauri::command]
pub async fn set_language(state: State<'_, AppState>, language: Language) -> Result<(), CommandError> {
    Ok(workstation(&state)?.set_language(language).await?)
}
