//! The person card, the person's OSMS status on it, and the person look-up
//! at registration: the questions asked of the registry while the registrar waits.

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
    let registry = registry_transport(&store).await?;
    let today = state.clock.today();
    Ok(emhana_sync::osms::person_osms(&store, registry.as_ref(), id, today).await?)
}

/// The person of a typed IIN as the state person database answers it (the
/// registry stands in for it), to fill the registration form.
#[tauri::command]
pub async fn look_up_person(
    state: State<'_, AppState>,
    iin: String,
) -> Result<emhana_workstation::LookupOutcome, CommandError> {
    let store = workstation(&state)?;
    let registry = registry_transport(&store).await?;
    Ok(emhana_sync::lookup::look_up(&store, registry.as_ref(), &iin).await?)
}

/// The registry to ask a question of while the registrar waits, when this
/// PC has one; no credential in the keyring: none (the sync screen says why).
async fn registry_transport(
    store: &emhana_workstation::Workstation,
) -> Result<Option<emhana_sync::HttpTransport>, CommandError> {
    Ok(match store.enrolment().await? {
        None => None,
        Some(enrolment) => crate::sync::load_credential(enrolment.workstation_id)
            .await
            .ok()
            .and_then(|credential| {
                emhana_sync::HttpTransport::new(&enrolment.registry_url, &credential).ok()
            }),
    })
}

/// Prints the person's OSMS statement from the last known status (the card
/// asked the registry when it opened; the date the data is known as of is
/// printed), or its motivated refusal when the person does not consent to
/// access their data. The file's name carries no personal data.
#[tauri::command]
pub async fn print_osms_statement(
    state: State<'_, AppState>,
    id: i64,
    consent_given: bool,
    open: bool,
) -> Result<crate::commands::attachment::Printed, CommandError> {
    use emhana_workstation::StatementPaper;
    let store = workstation(&state)?;
    let printer = state.printer.as_ref().map_err(Clone::clone)?;
    let today = state.clock.today();
    let (name, bytes) = match store.osms_statement(id, today, consent_given).await? {
        StatementPaper::Statement(statement) => (
            // the person's id, not their IIN: the documents folder is seen by whoever uses the PC
            format!("osms-statement-{id}-{}.pdf", today.format("%Y-%m-%d")),
            printer.osms_statement(&statement)?,
        ),
        StatementPaper::Refusal(refusal) => (
            format!("osms-statement-{id}-{}-refusal.pdf", today.format("%Y-%m-%d")),
            printer.osms_statement_refusal(&refusal)?,
        ),
    };
    crate::commands::attachment::save_and_open(&state, &name, &bytes, open).await
}
