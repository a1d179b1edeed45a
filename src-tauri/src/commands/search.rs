//! Finding a person, and what a typed IIN says before the form is sent.

use emhana_workstation::SearchOutcome;
use serde::Serialize;
use tauri::State;

use super::workstation;
use crate::AppState;
use crate::error::CommandError;

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
