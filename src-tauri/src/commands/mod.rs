//! Tauri commands, a file per feature of the workstation (`crates/workstation/src/<feature>`).

pub mod appointments;
pub mod attachment;
pub mod card;
pub mod home_visits;
pub mod register;
pub mod search;
pub mod session;
pub mod setup;
pub mod sync;

use emhana_workstation::Workstation;

use crate::AppState;
use crate::error::{CommandError, ShellCode};

/// The open workstation, or the error that kept it closed: for the start
/// and the sign-in, which act for nobody.
fn store(state: &AppState) -> Result<&Workstation, CommandError> {
    state.store.as_ref().map_err(Clone::clone)
}

/// The workstation acting as the signed-in member of staff; refused when
/// nobody is signed in or the window is locked. Every other command goes
/// through here, so the workstation checks each change against their roles.
fn workstation(state: &AppState) -> Result<Workstation, CommandError> {
    state.desk.acting(store(state)?)
}

/// Writes a file in the documents folder whole or not at all: beside it,
/// flushed, then linked into place (a crash never leaves half a document).
/// A file already there is never replaced: a reprint is saved beside it as
/// "slip-2026-118 (2).pdf", so the copy she printed first (perhaps still
/// open in the viewer, perhaps provisional) stays as it was.
async fn save_document(
    state: &AppState,
    name: &str,
    bytes: &[u8],
    error_code: ShellCode,
) -> Result<std::path::PathBuf, CommandError> {
    use tokio::io::AsyncWriteExt;
    let dir = state
        .documents_dir
        .clone()
        .ok_or_else(|| CommandError::new(ShellCode::PrintNoFolder, "no documents folder".into()))?;
    let io = |e: std::io::Error| CommandError::new(error_code, e.to_string());
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let partial = dir.join(format!(".{name}.partial"));
    let mut file = tokio::fs::File::create(&partial).await.map_err(io)?;
    file.write_all(bytes).await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    drop(file);
    let placed = place_beside(&partial, &dir, name).await;
    // the partial file goes either way; a failure to remove it is not hers to know
    let _ = tokio::fs::remove_file(&partial).await;
    if let Ok(store) = &state.store {
        remove_old_documents(store, &dir).await;
    }
    placed.map_err(io)
}

/// Removes the printed documents older than this PC keeps them (at start,
/// and whenever one is written); a failure is logged, never in her way.
pub async fn remove_old_documents(store: &emhana_workstation::Workstation, dir: &std::path::Path) {
    let hours = store
        .documents_kept_hours()
        .await
        .unwrap_or(emhana_workstation::DEFAULT_DOCUMENTS_KEPT_HOURS);
    let kept = std::time::Duration::from_secs(u64::from(hours) * 3600);
    let dir = dir.to_path_buf();
    let removed = tokio::task::spawn_blocking(move || {
        emhana_workstation::remove_old_documents(&dir, kept, std::time::SystemTime::now())
    })
    .await;
    match removed {
        Ok(Ok(0)) => {}
        Ok(Ok(removed)) => tracing::info!(removed, hours, "printed documents past their time removed"),
        Ok(Err(error)) => tracing::warn!(%error, "old printed documents could not be removed"),
        Err(error) => tracing::warn!(%error, "old printed documents could not be removed"),
    }
}

/// Links `partial` into `dir` under `name`, or under "name (2)", "name (3)"…
/// when taken; a hard link fails rather than replace, so two prints at once
/// never take one name.
async fn place_beside(
    partial: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
) -> std::io::Result<std::path::PathBuf> {
    let path = std::path::Path::new(name);
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or(name);
    let extension = path.extension().and_then(|s| s.to_str());
    for copy in 1..10_000u32 {
        let candidate = match (copy, extension) {
            (1, _) => name.to_owned(),
            (n, Some(extension)) => format!("{stem} ({n}).{extension}"),
            (n, None) => format!("{stem} ({n})"),
        };
        let target = dir.join(candidate);
        match tokio::fs::hard_link(partial, &target).await {
            Ok(()) => return Ok(target),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("ten thousand copies of one document"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[tokio::test]
    async fn a_reprint_is_saved_beside_the_first_copy_which_stays_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut placed = Vec::new();
        for text in ["first", "second", "third"] {
            let partial = dir.path().join(".slip.pdf.partial");
            std::fs::write(&partial, text).unwrap();
            placed.push(
                super::place_beside(&partial, dir.path(), "slip-2026-118.pdf")
                    .await
                    .unwrap(),
            );
            std::fs::remove_file(&partial).unwrap();
        }
        let names: Vec<_> = placed
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "slip-2026-118.pdf",
                "slip-2026-118 (2).pdf",
                "slip-2026-118 (3).pdf"
            ]
        );
        assert_eq!(std::fs::read_to_string(&placed[0]).unwrap(), "first");
        assert_eq!(std::fs::read_to_string(&placed[2]).unwrap(), "third");
    }
}
