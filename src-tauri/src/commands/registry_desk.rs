use emhana_workstation::{Language, PersonCard, SearchOutcome, StoreStatus};
use serde::Serialize;
use tauri::State;

use super::workstation;
use crate::AppState;
use crate::error::CommandError;

/// What the window needs to start: the store's status and the chosen language.
#[derive(Serialize, ts_rs::TS)]
pub struct Startup {
    status: StoreStatus,
    language: Option<Language>,
    /// The date in Kazakhstan by the app's clock (the day views open on it).
    today: chrono::NaiveDate,
}

#[tauri::command]
pub async fn startup(state: State<'_, AppState>) -> Result<Startup, CommandError> {
    let workstation = workstation(&state)?;
    Ok(Startup {
        status: workstation.status().await?,
        language: workstation.language().await?,
        today: state.clock.today(),
    })
}

#[tauri::command]
pub async fn search_persons(
    state: State<'_, AppState>,
    text: String,
    limit: usize,
) -> Result<SearchOutcome, CommandError> {
    Ok(workstation(&state)?.search(&text, limit).await?)
}

/// What a fully typed IIN says before the form is sent: the birth date and
/// sex it carries, or why it is not an IIN.
#[derive(Serialize, ts_rs::TS)]
pub struct IinReading {
    birth: Option<emhana_domain::IinBirth>,
    problem: Option<emhana_domain::IdentifierError>,
}

#[tauri::command]
pub fn read_iin(iin: String) -> IinReading {
    match emhana_domain::Iin::parse(iin.trim()) {
        Ok(iin) => IinReading {
            birth: iin.birth(),
            problem: None,
        },
        Err(problem) => IinReading {
            birth: None,
            problem: Some(problem),
        },
    }
}

#[tauri::command]
pub async fn person_card(state: State<'_, AppState>, id: i64) -> Result<PersonCard, CommandError> {
    Ok(workstation(&state)?.person_card(id, state.clock.today()).await?)
}

#[tauri::command]
pub async fn load_demo_clinic(state: State<'_, AppState>) -> Result<StoreStatus, CommandError> {
    let workstation = workstation(&state)?;
    if !workstation.is_empty().await? {
        return Err(emhana_workstation::StoreError::NotEmpty.into());
    }
    let today = state.clock.today();
    emhana_synth::load_demo(workstation, emhana_synth::demo_config(today)).await?;
    Ok(workstation.status().await?)
}
