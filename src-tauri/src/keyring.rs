//! The OS keyring: it keeps the workstation's registry credential
//! (`sync`) and the key its database file is encrypted with (here). Neither
//! is ever written to disk in clear by Emhana.

use std::path::Path;

use emhana_workstation::{DatabaseKey, OpenError};

use crate::error::{CommandError, ShellCode};

pub const KEYRING_SERVICE: &str = "emhana";

/// Chooses the OS credential store once, at start.
pub fn init_keyring() -> Result<(), CommandError> {
    #[cfg(target_os = "linux")]
    let store = zbus_secret_service_keyring_store::Store::new();
    #[cfg(target_os = "windows")]
    let store = windows_native_keyring_store::Store::new();
    #[cfg(any(target_os = "linux", target_os = "windows"))]
    {
        let store = store.map_err(keyring_error)?;
        keyring_core::set_default_store(store);
        Ok(())
    }
    #[cfg(not(any(target_os = "linux", target_os = "windows")))]
    Err(CommandError::new(
        ShellCode::SyncKeyring,
        "no OS keyring support on this platform".to_owned(),
    ))
}

pub fn keyring_error(error: keyring_core::Error) -> CommandError {
    CommandError::new(ShellCode::SyncKeyring, error.to_string())
}

/// The key of the database at `path`: the one the keyring keeps for it, or
/// a new one kept there first when the file is new or still in clear. A
/// file that is encrypted but whose key the keyring does not have is
/// refused (it was copied from another PC, or the keyring was reset): a new
/// key would not open it, and nothing is overwritten.
///
/// The secret-service store blocks while it drives D-Bus: this runs on a
/// blocking thread.
pub async fn database_key(path: &Path) -> Result<DatabaseKey, OpenError> {
    let path = path.to_path_buf();
    tauri::async_runtime::spawn_blocking(move || database_key_blocking(&path))
        .await
        .map_err(|error| OpenError::Keyring {
            reason: error.to_string(),
        })?
}

fn database_key_blocking(path: &Path) -> Result<DatabaseKey, OpenError> {
    let keyring = |error: keyring_core::Error| OpenError::Keyring {
        reason: error.to_string(),
    };
    let entry = keyring_core::Entry::new(KEYRING_SERVICE, &emhana_workstation::keyring_account(path))
        .map_err(keyring)?;
    match entry.get_password() {
        Ok(stored) => DatabaseKey::from_hex(&stored).map_err(|error| OpenError::Keyring {
            reason: error.to_string(),
        }),
        Err(keyring_core::Error::NoEntry) => {
            if emhana_workstation::is_encrypted_file(path) {
                return Err(OpenError::KeyMissing {
                    path: path.to_path_buf(),
                });
            }
            let key = DatabaseKey::generate().map_err(|error| OpenError::Keyring {
                reason: error.to_string(),
            })?;
            entry.set_password(&key.to_hex()).map_err(keyring)?;
            tracing::info!("a new database key is kept in the OS keyring");
            Ok(key)
        }
        Err(error) => Err(keyring(error)),
    }
}
