//! Sync with the central registry: enrolment, status, "sync now", and the
//! "needs attention" list.

use emhana_sync::SyncStatus;
use emhana_workstation::{AttentionItem, SyncOverview};
use tauri::State;
use uuid::Uuid;

use super::{store, workstation};
use crate::AppState;
use crate::error::{CommandError, ShellCode};

/// What the status bar and the sync screen show: the stored truth and the live loop.
#[derive(serde::Serialize, ts_rs::TS)]
pub struct SyncView {
    overview: SyncOverview,
    status: SyncStatus,
}

/// The link and the outbox's counts: shown before anyone signs in too (the
/// first screen and the sign-in screen say whether the PC is enrolled).
#[tauri::command]
pub async fn sync_view(state: State<'_, AppState>) -> Result<SyncView, CommandError> {
    Ok(SyncView {
        overview: store(&state)?.sync_overview().await?,
        status: state.sync.status(),
    })
}

/// Exchanges the administrator's one-time code for this workstation's
/// credential (kept in the OS keyring) and starts syncing. A new PC, with no
/// clinic yet, enrols before anyone can sign in (the code is the authority);
/// one that holds a clinic, only by its head.
#[tauri::command]
pub async fn enrol(
    state: State<'_, AppState>,
    registry_url: String,
    code: String,
) -> Result<SyncView, CommandError> {
    let store = match store(&state)?.status().await?.clinic {
        None => store(&state)?.clone(),
        Some(_) => {
            let acting = workstation(&state)?;
            acting
                .require(emhana_domain::access::Action::EditOrganization)
                .await?;
            acting
        }
    };
    let registry_url = registry_url.trim().trim_end_matches('/').to_owned();
    if !(registry_url.starts_with("https://") || registry_url.starts_with("http://")) {
        return Err(CommandError::new(ShellCode::SyncBadUrl, registry_url));
    }
    let enrolment = emhana_sync::enrol(&registry_url, code.trim())
        .await
        .map_err(|error| {
            use emhana_sync::TransportError;
            // Only a refusal is the code's fault; no connection is the address's or the network's,
            // and the code is still good.
            let code = match &error {
                TransportError::Refused { code, .. } if code == "bad_enrolment_code" => {
                    ShellCode::SyncBadEnrolmentCode
                }
                TransportError::Refused { .. } => ShellCode::SyncRefused,
                TransportError::Unreachable(_) => ShellCode::SyncUnreachable,
                TransportError::Offline(_) => ShellCode::SyncOffline,
                TransportError::Server { .. } => ShellCode::SyncServer,
                TransportError::InsecureAddress(_) => ShellCode::SyncBadUrl,
            };
            CommandError {
                details: serde_json::json!({ "url": registry_url }),
                ..CommandError::new(code, error.to_string())
            }
        })?;
    // The keyring first: a database that says "enrolled" always has its credential.
    crate::sync::save_credential(enrolment.workstation, enrolment.credential.clone()).await?;
    if let Err(error) = store
        .save_enrolment(&registry_url, &enrolment, state.clock.now())
        .await
    {
        crate::sync::forget_credential(enrolment.workstation).await;
        return Err(error.into());
    }
    state
        .sync
        .start(store.clone(), &registry_url, &enrolment.credential, state.clock)?;
    sync_view(state).await
}

#[tauri::command]
pub fn sync_now(state: State<'_, AppState>) {
    state.sync.sync_now();
}

#[tauri::command]
pub async fn needs_attention(state: State<'_, AppState>) -> Result<Vec<AttentionItem>, CommandError> {
    Ok(workstation(&state)?.needs_attention().await?)
}

/// The registrar dealt with a rejected op: it leaves the list.
#[tauri::command]
pub async fn resolve_attention(state: State<'_, AppState>, op: Uuid) -> Result<bool, CommandError> {
    Ok(workstation(&state)?
        .resolve_attention(op, state.clock.now())
        .await?)
}

/// An ops file written for carrying to the registry by hand.
#[derive(serde::Serialize, ts_rs::TS)]
pub struct ExportedBundle {
    path: std::path::PathBuf,
    ops: usize,
}

fn bundle_error(error: emhana_sync::SyncError) -> CommandError {
    use emhana_protocol::bundle::BundleError;
    let code = match error {
        emhana_sync::SyncError::Store(store) => return CommandError::from(store),
        emhana_sync::SyncError::Bundle(ref bundle) => match bundle {
            BundleError::NotABundle | BundleError::Malformed(_) => ShellCode::BundleNotABundle,
            BundleError::UnknownFormat(_) => ShellCode::BundleUnknownFormat,
            BundleError::TooLarge => ShellCode::BundleTooLarge,
            BundleError::WrongKind { .. } => ShellCode::BundleWrongKind,
            BundleError::OtherWorkstation(_) => ShellCode::BundleOtherWorkstation,
            BundleError::BadSeal => ShellCode::BundleBadSeal,
            BundleError::NoKey | BundleError::BadKey(_) => ShellCode::BundleNoKey,
        },
        _ => ShellCode::BundleFailed,
    };
    CommandError::new(code, error.to_string())
}

/// For a post with no link: seals every op not yet answered into a file in
/// the documents folder, to be carried to the registry.
#[tauri::command]
pub async fn export_bundle(state: State<'_, AppState>) -> Result<ExportedBundle, CommandError> {
    let store = workstation(&state)?;
    store.require(emhana_domain::access::Action::ExportBundle).await?;
    let now = state.clock.now();
    let exported = emhana_sync::bundle::export_ops(&store, now)
        .await
        .map_err(bundle_error)?;
    // named by the time in Kazakhstan (UTC+5), as the registrar reads it
    let stamp = emhana_domain::kazakhstan_time(now).format("%Y%m%d-%H%M%S");
    let name = format!("emhana-ops-{stamp}.emhana");
    let path = super::save_document(&state, &name, &exported.bytes, ShellCode::BundleCannotSave).await?;
    tracing::info!(path = %path.display(), ops = exported.ops, "offline bundle written");
    Ok(ExportedBundle {
        path,
        ops: exported.ops,
    })
}

/// Records an answers file the registry made for this workstation. The
/// file comes as base64 text: the IPC of the Linux webview carries JSON, not
/// raw bytes.
#[tauri::command]
pub async fn import_answers(
    state: State<'_, AppState>,
    content: String,
) -> Result<emhana_sync::bundle::ImportedAnswers, CommandError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.as_bytes())
        .map_err(|error| CommandError::new(ShellCode::BundleNotABundle, error.to_string()))?;
    let store = workstation(&state)?;
    emhana_sync::bundle::import_answers(&store, &bytes, state.clock.now())
        .await
        .map_err(bundle_error)
}
