//! Tauri commands, grouped by feature.

pub mod attachment;
pub mod register;
pub mod registry_desk;
pub mod settings;
pub mod sync;

use emhana_workstation::Workstation;

use crate::AppState;
use crate::error::CommandError;

/// The open workstation, or the error that kept it closed.
fn workstation(state: &AppState) -> Result<&Workstation, CommandError> {
    state.store.as_ref().map_err(Clone::clone)
}
