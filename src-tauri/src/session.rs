//! Who is signed in at this window, and when it locks.
//!
//! Every command but the start, the sign-in and the language acts through
//! [`Desk::acting`], which refuses when nobody is signed in or the window is
//! locked, and hands out the workstation acting as the signed-in member of
//! staff — whose roles the workstation checks. The window locks after the
//! clinic's minutes of no use: the UI says "still here" on a key or a click
//! (at most every few seconds); a background poll does not count. The idle
//! time is measured on the monotonic clock, never the app's (which a test
//! may fix).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use emhana_workstation::{StaffSession, Workstation};
use serde::Serialize;

use crate::error::{CommandError, ShellCode};

#[derive(Debug)]
struct SignedIn {
    session: StaffSession,
    last_use: Instant,
    locked: bool,
    lock_after: Duration,
}

/// The window's signed-in member of staff, if any.
#[derive(Debug, Default)]
pub struct Desk(Mutex<Option<SignedIn>>);

/// What the window shows about who is signed in.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SessionState {
    pub session: Option<StaffSession>,
    /// Signed in, but the window is locked: the password unlocks it.
    pub locked: bool,
    pub lock_after_minutes: u32,
}

/// Whether a window last used at `last_use` is idle at `now`.
fn idle(last_use: Instant, now: Instant, lock_after: Duration) -> bool {
    now.saturating_duration_since(last_use) >= lock_after
}

impl SignedIn {
    /// Locks the window if it has gone unused for its minutes; whether it is locked.
    fn lock_if_idle(&mut self) -> bool {
        if !self.locked && idle(self.last_use, Instant::now(), self.lock_after) {
            tracing::info!(staff_id = self.session.staff_id, "window locked after no use");
            self.locked = true;
        }
        self.locked
    }
}

impl Desk {
    fn with<T>(&self, f: impl FnOnce(&mut Option<SignedIn>) -> T) -> T {
        // a panic elsewhere while holding the lock leaves a value that is still whole
        let mut guard = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// `store` acting as the signed-in member of staff; refused when nobody
    /// is, or the window is locked (it locks here once idle too long).
    pub fn acting(&self, store: &Workstation) -> Result<Workstation, CommandError> {
        self.with(|signed| {
            let signed = signed
                .as_mut()
                .ok_or_else(|| CommandError::new(ShellCode::NotSignedIn, "nobody is signed in".into()))?;
            if signed.lock_if_idle() {
                return Err(CommandError::new(
                    ShellCode::Locked,
                    "the window is locked".into(),
                ));
            }
            Ok(store.acting_as(signed.session.clone()))
        })
    }

    /// Puts `session` at the window (a sign-in, a switch of user, an unlock).
    pub fn sign_in(&self, session: StaffSession, lock_after_minutes: u32) {
        self.with(|signed| {
            *signed = Some(SignedIn {
                session,
                last_use: Instant::now(),
                locked: false,
                lock_after: Duration::from_secs(u64::from(lock_after_minutes) * 60),
            });
        });
    }

    /// The IIN of who is signed in (locked or not).
    pub fn signed_in_iin(&self) -> Option<String> {
        self.with(|signed| signed.as_ref().map(|s| s.session.iin.clone()))
    }

    pub fn sign_out(&self) {
        self.with(|signed| *signed = None);
    }

    pub fn lock(&self) {
        self.with(|signed| {
            if let Some(signed) = signed {
                signed.locked = true;
            }
        });
    }

    /// The user touched the window: its idle time starts again (unless it
    /// has already locked); `lock_after_minutes` as the clinic now sets it.
    pub fn still_here(&self, lock_after_minutes: u32) {
        self.with(|signed| {
            if let Some(signed) = signed {
                signed.lock_after = Duration::from_secs(u64::from(lock_after_minutes) * 60);
                if !signed.lock_if_idle() {
                    signed.last_use = Instant::now();
                }
            }
        });
    }

    pub fn state(&self, lock_after_minutes: u32) -> SessionState {
        self.with(|signed| {
            if let Some(signed) = signed.as_mut() {
                signed.lock_if_idle();
            }
            SessionState {
                session: signed.as_ref().map(|s| s.session.clone()),
                locked: signed.as_ref().is_some_and(|s| s.locked),
                lock_after_minutes,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_idle_once_its_minutes_have_passed_and_not_before() {
        let start = Instant::now();
        let ten = Duration::from_secs(600);
        assert!(!idle(start, start, ten));
        assert!(!idle(start, start + Duration::from_secs(599), ten));
        assert!(idle(start, start + ten, ten));
        // a clock read before the last use (two threads) is not idle
        assert!(!idle(start + Duration::from_secs(5), start, ten));
    }

    #[test]
    fn nobody_signed_in_acts_for_no_one() {
        let desk = Desk::default();
        assert_eq!(desk.signed_in_iin(), None);
        desk.lock();
        desk.still_here(10);
        let state = desk.state(10);
        assert!(state.session.is_none());
        assert!(!state.locked);
    }
}
