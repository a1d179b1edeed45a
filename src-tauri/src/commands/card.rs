//! The person card.

use emhana_workstation::PersonCard;
use tauri::State;

use super::workstation;
use crate::AppState;
use crate::error::CommandError;

#[tauri::command]
pub async fn person_card(state: State<'_, AppState>, id: i64) -> Result<PersonCard, CommandError> {
    Ok(workstation(&state)?.person_card(id, state.clock.today()).await?)
}
