//! The background sync with the central registry: the workstation's
//! credential in the OS keyring, and the sync loop the status bar watches.

use std::sync::{Arc, Mutex};

use emhana_sync::{HttpTransport, SyncEngine, SyncSettings, SyncStatus};
use emhana_workstation::Workstation;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::clock::Clock;
use crate::error::{CommandError, ShellCode};
use crate::keyring::{KEYRING_SERVICE, keyring_error};

fn entry(workstation: Uuid) -> Result<keyring_core::Entry, CommandError> {
    keyring_core::Entry::new(KEYRING_SERVICE, &format!("workstation:{workstation}")).map_err(keyring_error)
}

// The secret-service store drives D-Bus on a runtime of its own and blocks
// while it does: keyring calls run on a blocking thread, never on the app's runtime.

pub async fn save_credential(workstation: Uuid, credential: String) -> Result<(), CommandError> {
    tauri::async_runtime::spawn_blocking(move || {
        entry(workstation)?
            .set_password(&credential)
            .map_err(keyring_error)
    })
    .await
    .map_err(|error| CommandError::new(ShellCode::SyncKeyring, error.to_string()))?
}

pub async fn load_credential(workstation: Uuid) -> Result<String, CommandError> {
    tauri::async_runtime::spawn_blocking(move || entry(workstation)?.get_password().map_err(keyring_error))
        .await
        .map_err(|error| CommandError::new(ShellCode::SyncKeyring, error.to_string()))?
}

/// Removes a credential that must not be kept (its enrolment was refused here).
pub async fn forget_credential(workstation: Uuid) {
    let removed = tauri::async_runtime::spawn_blocking(move || {
        entry(workstation)?.delete_credential().map_err(keyring_error)
    })
    .await;
    if !matches!(removed, Ok(Ok(()))) {
        tracing::warn!(%workstation, "a refused enrolment's credential could not be removed from the keyring");
    }
}

/// The running sync loop, if the workstation is enrolled.
#[derive(Debug)]
pub struct SyncService {
    status: watch::Sender<SyncStatus>,
    now: Arc<Notify>,
    stop: Mutex<Option<Arc<Notify>>>,
}

impl Default for SyncService {
    fn default() -> Self {
        SyncService {
            status: watch::Sender::new(SyncStatus::idle()),
            now: Arc::new(Notify::new()),
            stop: Mutex::new(None),
        }
    }
}

impl SyncService {
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Starts (or restarts) the loop against the registry at `registry_url`.
    pub fn start(
        &self,
        store: Workstation,
        registry_url: &str,
        credential: &str,
        clock: Clock,
    ) -> Result<(), CommandError> {
        let transport = HttpTransport::new(registry_url, credential)
            .map_err(|error| CommandError::new(ShellCode::SyncTransport, error.to_string()))?;
        let settings = SyncSettings {
            interval: std::time::Duration::from_secs(
                std::env::var("EMHANA_SYNC_INTERVAL_SECS")
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(30),
            ),
            ..SyncSettings::default()
        };
        let engine = SyncEngine::new(store, transport, Arc::new(move || clock.now()), settings);
        let stop = Arc::new(Notify::new());
        if let Ok(mut running) = self.stop.lock()
            && let Some(previous) = running.replace(stop.clone())
        {
            previous.notify_one();
        }
        let status = self.status.clone();
        let now = self.now.clone();
        tauri::async_runtime::spawn(emhana_sync::run(engine, status, now, stop));
        Ok(())
    }

    /// "Sync now": the loop starts a round at once.
    pub fn sync_now(&self) {
        self.now.notify_one();
    }

    /// Shows a reason sync cannot run (no credential in the keyring, ...).
    pub fn fail(&self, error: &CommandError) {
        let message = format!("{}: {}", error.code, error.message);
        self.status.send_modify(|s| {
            s.last_error_code = Some("keyring".to_owned());
            s.last_error = Some(message);
        });
    }
}

/// At start: resume syncing if the workstation was enrolled.
pub async fn resume(service: &SyncService, store: &Workstation, clock: Clock) {
    let enrolment = match store.enrolment().await {
        Ok(Some(enrolment)) => enrolment,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(%error, "reading the enrolment");
            return;
        }
    };
    let started = load_credential(enrolment.workstation_id)
        .await
        .and_then(|credential| service.start(store.clone(), &enrolment.registry_url, &credential, clock));
    if let Err(error) = started {
        tracing::error!(code = %error.code, message = %error.message, "sync not started");
        service.fail(&error);
    }
}
