//! Emhana's desktop shell: one window, the app state, and Tauri commands that
//! only convert arguments, call `emhana_workstation`, and map errors.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Every command, once: the handler and the names the UI may call
/// (`bindings.ts`) are both made from this list.
macro_rules! with_commands {
    ($($callback:ident)::+) => {
        $($callback)::+![
            commands::setup::startup,
            commands::session::session_state,
            commands::session::sign_in,
            commands::session::unlock,
            commands::session::lock,
            commands::session::sign_out,
            commands::session::still_here,
            commands::setup::set_lock_after,
            commands::setup::verify_audit,
            commands::setup::documents_kept_hours,
            commands::setup::set_documents_kept_hours,
            commands::setup::load_demo_clinic,
            commands::setup::organization,
            commands::setup::change_organization,
            commands::setup::set_language,
            commands::setup::attachment_reference,
            commands::setup::set_campaign,
            commands::setup::set_list_norms,
            commands::setup::rules_in_force,
            commands::setup::round_pace,
            commands::setup::set_round_pace,
            commands::setup::slip_format,
            commands::setup::set_slip_format,
            commands::search::search_persons,
            commands::search::read_iin,
            commands::card::person_card,
            commands::card::person_osms,
            commands::card::print_osms_statement,
            commands::card::look_up_person,
            commands::attachment::change_person,
            commands::attachment::record_death,
            commands::attachment::register_person,
            commands::attachment::attachment_options,
            commands::attachment::apply_for_attachment,
            commands::attachment::attachment_history,
            commands::attachment::print_application,
            commands::appointments::doctors,
            commands::appointments::booking_options,
            commands::appointments::person_bookings,
            commands::appointments::free_slots,
            commands::appointments::book,
            commands::appointments::move_booking,
            commands::appointments::set_booking_status,
            commands::appointments::booking,
            commands::appointments::booking_journal,
            commands::appointments::doctor_day,
            commands::appointments::clinic_day,
            commands::appointments::displaced_bookings,
            commands::appointments::print_slip,
            commands::appointments::print_day_list,
            commands::appointments::schedule,
            commands::appointments::set_schedule_template,
            commands::appointments::add_schedule_exception,
            commands::appointments::remove_schedule_exception,
            commands::appointments::calendar_year,
            commands::appointments::set_calendar_year,
            commands::home_visits::preview_call,
            commands::home_visits::register_call,
            commands::home_visits::calls_on,
            commands::home_visits::set_call_status,
            commands::home_visits::reassign_call,
            commands::home_visits::post_calls,
            commands::home_visits::post_plans,
            commands::home_visits::post_call_staff,
            commands::home_visits::reassign_post_call,
            commands::home_visits::open_plan,
            commands::home_visits::change_plan_risk,
            commands::home_visits::end_pregnancy,
            commands::home_visits::unassigned,
            commands::home_visits::person_plans,
            commands::home_visits::nurses,
            commands::home_visits::round,
            commands::home_visits::reorder_round,
            commands::home_visits::record_visit_outcome,
            commands::home_visits::undo_visit_outcome,
            commands::home_visits::visit_history,
            commands::home_visits::print_round,
            commands::home_visits::due_visits,
            commands::register::attached_register,
            commands::register::export_register_csv,
            commands::sync::sync_view,
            commands::sync::enrol,
            commands::sync::sync_now,
            commands::sync::needs_attention,
            commands::sync::resolve_attention,
            commands::sync::export_bundle,
            commands::sync::import_answers,
        ]
    };
}

/// The commands' paths, as `with_commands!` lists them.
#[cfg(test)]
macro_rules! command_paths {
    ($($command:path),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

/// The commands' paths (`commands::setup::startup`, ...).
#[cfg(test)]
fn command_names() -> &'static [&'static str] {
    with_commands!(command_paths)
}

#[cfg(test)]
mod bindings;
mod clock;
mod commands;
mod error;
mod keyring;
mod session;
mod sync;

use std::path::PathBuf;

use emhana_workstation::{DATABASE_FILE_NAME, Workstation};
use tauri::Manager;

use crate::error::{CommandError, ShellCode};

/// The open database, or why it could not be opened (shown to the user with the path).
#[derive(Debug)]
pub struct AppState {
    pub store: Result<Workstation, CommandError>,
    pub clock: clock::Clock,
    /// Lays out printed documents; `None` if its fonts could not be read.
    pub printer: Result<emhana_print::Printer, CommandError>,
    /// Where printed documents are kept (beside the database).
    pub documents_dir: Option<PathBuf>,
    /// The background sync with the central registry.
    pub sync: sync::SyncService,
    /// Who is signed in at the window.
    pub desk: session::Desk,
}

/// The app-data folder, or `EMHANA_DATA_DIR` when set (tests give each run its own).
fn data_dir(app: &tauri::App) -> Result<PathBuf, CommandError> {
    if let Some(dir) = std::env::var_os("EMHANA_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    app.path()
        .app_data_dir()
        .map_err(|e| CommandError::new(ShellCode::NoAppDataFolder, e.to_string()))
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
            let dir = data_dir(app);
            let documents_dir = dir.as_ref().ok().map(|dir| dir.join("documents"));
            let keyring = keyring::init_keyring();
            let store = dir.and_then(|dir| {
                let path = dir.join(DATABASE_FILE_NAME);
                if let Err(error) = &keyring {
                    // the database's key is kept there: no keyring, no database
                    return Err(CommandError::from(emhana_workstation::OpenError::Keyring {
                        reason: error.message.clone(),
                    }));
                }
                tauri::async_runtime::block_on(async {
                    let key = keyring::database_key(&path).await?;
                    Workstation::open_encrypted(&path, &key).await
                })
                .map(|(workstation, _)| workstation)
                .map_err(CommandError::from)
            });
            if let Err(error) = &store {
                tracing::error!(code = %error.code, message = %error.message, "database not opened");
            }
            let printer =
                emhana_print::Printer::new().map_err(|e| CommandError::new(ShellCode::PrintFonts, e.to_string()));
            let clock = clock::Clock::from_env();
            let sync = sync::SyncService::default();
            match keyring {
                Ok(()) => {
                    if let Ok(store) = &store {
                        tauri::async_runtime::block_on(sync::resume(&sync, store, clock));
                    }
                }
                Err(error) => {
                    tracing::error!(code = %error.code, message = %error.message, "no OS keyring; sync cannot keep a credential");
                    sync.fail(&error);
                }
            }
            if let (Ok(store), Some(dir)) = (&store, &documents_dir) {
                tauri::async_runtime::block_on(commands::remove_old_documents(store, dir));
            }
            app.manage(AppState {
                store,
                clock,
                printer,
                documents_dir,
                sync,
                desk: session::Desk::default(),
            });
            Ok(())
        })
        .invoke_handler(with_commands!(tauri::generate_handler))
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "Emhana stopped");
        std::process::exit(1);
    }
}
