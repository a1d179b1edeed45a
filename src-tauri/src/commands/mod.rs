//! Tauri commands, grouped by feature.

pub mod appointments;
pub mod attachment;
pub mod home_visits;
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

/// Writes a file in the documents folder whole or not at all: beside it,
/// flushed, then renamed into place (a crash never leaves half a document).
async fn save_document(
    state: &AppState,
    name: &str,
    bytes: &[u8],
    error_code: &str,
) -> Result<std::path::PathBuf, CommandError> {
    use tokio::io::AsyncWriteExt;
    let dir = state
        .documents_dir
        .clone()
        .ok_or_else(|| CommandError::new("print.no_folder", "no documents folder".into()))?;
    let io = |e: std::io::Error| CommandError::new(error_code, e.to_string());
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let path = dir.join(name);
    let partial = dir.join(format!(".{name}.partial"));
    let mut file = tokio::fs::File::create(&partial).await.map_err(io)?;
    file.write_all(bytes).await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    drop(file);
    tokio::fs::rename(&partial, &path).await.map_err(io)?;
    Ok(path)
}
