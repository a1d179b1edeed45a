//! Emhana's desktop shell: one window, the app state, and Tauri commands that
//! only convert arguments, call `emhana_workstation`, and map errors.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;

use std::path::PathBuf;

use emhana_workstation::{DATABASE_FILE_NAME, Workstation};
use tauri::Manager;

use crate::error::CommandError;

/// The open database, or why it could not be opened (shown to the user with the path).
#[derive(Debug)]
pub struct AppState {
    pub store: Result<Workstation, CommandError>,
}

/// The app-data folder, or `EMHANA_DATA_DIR` when set (tests give each run its own).
fn data_dir(app: &tauri::App) -> Result<PathBuf, CommandError> {
    if let Some(dir) = std::env::var_os("EMHANA_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    app.path()
        .app_data_dir()
        .map_err(|e| CommandError::new("store.no_app_data_folder", e.to_string()))
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let result = tauri::Builder::default()
        .setup(|app| {
            let store = data_dir(app).and_then(|dir| {
                let path = dir.join(DATABASE_FILE_NAME);
                tauri::async_runtime::block_on(Workstation::open(&path))
                    .map(|(workstation, _)| workstation)
                    .map_err(CommandError::from)
            });
            if let Err(error) = &store {
                tracing::error!(code = %error.code, message = %error.message, "database not opened");
            }
            app.manage(AppState { store });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::registry_desk::startup,
            commands::registry_desk::search_persons,
            commands::registry_desk::person_card,
            commands::registry_desk::load_demo_clinic,
            commands::settings::set_language,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "Emhana stopped");
        std::process::exit(1);
    }
}
