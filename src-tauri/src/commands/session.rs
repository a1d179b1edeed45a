//! Signing in and out, the lock, and switching user at a shared window.

use tauri::State;

use super::store;
use crate::AppState;
use crate::error::{CommandError, ShellCode};
use crate::session::SessionState;

async fn lock_after_minutes(state: &AppState) -> Result<u32, CommandError> {
    Ok(store(state)?.lock_after_minutes().await?)
}

/// Who is signed in at this window, and whether it is locked.
#[tauri::command]
pub async fn session_state(state: State<'_, AppState>) -> Result<SessionState, CommandError> {
    let minutes = lock_after_minutes(&state)
        .await
        .unwrap_or(emhana_domain::access::DEFAULT_LOCK_AFTER_MINUTES);
    Ok(state.desk.state(minutes))
}

/// Signs a member of staff in by IIN and password; at a window where someone
/// else is signed in (or locked), they are signed out: a switch of user.
#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    iin: String,
    password: String,
) -> Result<SessionState, CommandError> {
    let store = store(&state)?;
    let session = store.sign_in(iin.trim(), &password, state.clock.now()).await?;
    let minutes = store.lock_after_minutes().await?;
    state.desk.sign_in(session, minutes);
    Ok(state.desk.state(minutes))
}

/// Unlocks the window for whoever locked it, with their password.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, password: String) -> Result<SessionState, CommandError> {
    let iin = state
        .desk
        .signed_in_iin()
        .ok_or_else(|| CommandError::new(ShellCode::NotSignedIn, "nobody is signed in".into()))?;
    sign_in(state, iin, password).await
}

#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.desk.lock();
    Ok(())
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.desk.sign_out();
    Ok(())
}

/// The user pressed a key or clicked: the window's idle time starts again.
#[tauri::command]
pub async fn still_here(state: State<'_, AppState>) -> Result<SessionState, CommandError> {
    let minutes = lock_after_minutes(&state).await?;
    state.desk.still_here(minutes);
    Ok(state.desk.state(minutes))
}
