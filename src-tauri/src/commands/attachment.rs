//! Registration, attachment applications and their printed documents.

use std::path::PathBuf;

use chrono::NaiveDate;
use emhana_domain::registration::RegistrationForm;
use emhana_workstation::{
    ApplicationForm, ApplicationOutcome, AttachmentEntry, AttachmentOptions, DetachmentReason,
};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::workstation;
use crate::AppState;
use crate::error::{CommandError, ShellCode};

#[tauri::command]
pub async fn register_person(
    state: State<'_, AppState>,
    form: RegistrationForm,
) -> Result<i64, CommandError> {
    Ok(workstation(&state)?
        .register_person(&form, state.clock.now())
        .await?)
}

/// A change of the person's address, phone, document, workplace or a
/// household link, with its history (and an op for the registry when the
/// person is attached here).
#[tauri::command]
pub async fn change_person(
    state: State<'_, AppState>,
    person_id: i64,
    change: emhana_domain::registration::PersonChange,
) -> Result<(), CommandError> {
    Ok(workstation(&state)?
        .change_person(person_id, &change, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn attachment_options(
    state: State<'_, AppState>,
    person_id: i64,
) -> Result<AttachmentOptions, CommandError> {
    Ok(workstation(&state)?
        .attachment_options(person_id, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn apply_for_attachment(
    state: State<'_, AppState>,
    form: ApplicationForm,
) -> Result<ApplicationOutcome, CommandError> {
    Ok(workstation(&state)?
        .apply_for_attachment(&form, state.clock.now())
        .await?)
}

#[tauri::command]
pub async fn attachment_history(
    state: State<'_, AppState>,
    person_id: i64,
) -> Result<Vec<AttachmentEntry>, CommandError> {
    Ok(workstation(&state)?.attachment_history(person_id).await?)
}

/// Records a death: the date on the person, and the attachment ends that day.
#[tauri::command]
pub async fn record_death(
    state: State<'_, AppState>,
    person_id: i64,
    died_on: NaiveDate,
) -> Result<bool, CommandError> {
    let workstation = workstation(&state)?;
    Ok(workstation
        .detach(person_id, DetachmentReason::Died, died_on, state.clock.now())
        .await?)
}

#[derive(Debug, Clone, Copy, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationPaper {
    /// The ticket or the refusal, by the decision.
    Decision,
    Consent,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Printed {
    /// Where the file was saved.
    path: PathBuf,
    /// Whether the system's PDF viewer (with its print dialog) was opened.
    opened: bool,
}

/// Renders the document, saves it in the documents folder (the "Save as PDF"
/// copy) and opens it in the system's viewer, whose print dialog prints it.
#[tauri::command]
pub async fn print_application(
    state: State<'_, AppState>,
    application_id: i64,
    paper: ApplicationPaper,
    open: bool,
) -> Result<Printed, CommandError> {
    let workstation = workstation(&state)?;
    let printer = state.printer.as_ref().map_err(Clone::clone)?;
    let (name, bytes) = match paper {
        ApplicationPaper::Decision => {
            let document = workstation.application_document(application_id).await?;
            let kind = match document.outcome {
                emhana_domain::documents::DocumentOutcome::Attached { .. } => "ticket",
                emhana_domain::documents::DocumentOutcome::Refused { .. } => "refusal",
            };
            (
                file_name(&document.application_number, kind),
                printer.application(&document)?,
            )
        }
        ApplicationPaper::Consent => {
            let document = workstation.consent_document(application_id).await?;
            (
                file_name(&document.application_number, "consent"),
                printer.consent(&document)?,
            )
        }
    };
    save_and_open(&state, &name, &bytes, open).await
}

/// Saves a document in the documents folder and, when asked, opens it in
/// the system's viewer (whose print dialog prints it).
pub async fn save_and_open(
    state: &AppState,
    name: &str,
    bytes: &[u8],
    open: bool,
) -> Result<Printed, CommandError> {
    let path = super::save_document(state, name, bytes, ShellCode::PrintCannotSave).await?;
    // EMHANA_NO_VIEWER keeps tests from starting the system's viewer.
    let viewer = open && std::env::var_os("EMHANA_NO_VIEWER").is_none();
    let opened = viewer && tauri_plugin_opener::open_path(&path, None::<&str>).is_ok();
    tracing::info!(path = %path.display(), opened, "document saved");
    Ok(Printed { path, opened })
}

/// "attachment-2026-17-ticket.pdf" for application 2026/17.
fn file_name(application_number: &str, kind: &str) -> String {
    format!("attachment-{}-{kind}.pdf", application_number.replace('/', "-"))
}
