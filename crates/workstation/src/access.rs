//! Signing in, and who is acting: a member of staff signs in by IIN and
//! password (seed 002), and the workstation handle they get carries their
//! [`StaffSession`]. Every change a person makes is checked against the
//! session's roles here, not only in the UI, and the op it records names
//! the session's member of staff as its author.
//!
//! Accounts come from the registry with the organization and are kept on
//! the PC (their argon2id hashes), so sign-in works offline; a disabled
//! account is refused from the PC's next sync on. Failed tries are counted
//! per IIN typed and slowed down (`emhana_domain::access::sign_in_wait`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use emhana_domain::StaffRole;
use emhana_domain::access::{Action, may, may_see, next_try_at};
use emhana_protocol::{Account, PasswordHash};
use serde::Serialize;

use crate::error::StoreError;
use crate::{Workstation, store};

/// A signed-in member of the home clinic's staff. Made only by
/// [`Workstation::sign_in`]; what they may do is read from their roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
// made by signing in, never by hand outside this crate
#[non_exhaustive]
pub struct StaffSession {
    pub staff_id: i64,
    pub iin: String,
    pub full_name: String,
    pub roles: Vec<StaffRole>,
    /// The numbers of the districts they serve, main first.
    pub districts: Vec<u32>,
    /// What their roles allow (the domain's table): the window offers only
    /// these; the workstation checks each again when it is asked.
    pub allowed: Vec<Action>,
    pub signed_in_at: DateTime<Utc>,
}

impl StaffSession {
    pub fn may(&self, action: Action) -> bool {
        may(&self.roles, action)
    }

    /// Whether they may open a person attached here to `district` (its number).
    pub fn may_see(&self, district: Option<u32>) -> bool {
        may_see(&self.roles, &self.districts, district)
    }
}

/// Why a sign-in is refused. A wrong password and an unknown IIN read alike,
/// so a guesser learns nothing of who has an account.
#[derive(Debug, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SignInError {
    #[error("wrong IIN or password")]
    WrongPassword {
        /// Tries left before each further one has to wait.
        free_tries_left: u32,
    },
    #[error("too many failed tries; the next one is heard in {seconds} s")]
    TryLater { seconds: i64 },
    #[error("the account is disabled")]
    Disabled,
    #[error("not on the clinic's staff on this day")]
    NotWorkingHere,
    #[error("nobody has an account on this PC yet: sync it with the registry, or load the demo")]
    NoAccounts,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SignInError {
    /// The refusal's name, as the audit log keeps it.
    fn code(&self) -> &'static str {
        match self {
            SignInError::WrongPassword { .. } => "wrong_password",
            SignInError::TryLater { .. } => "try_later",
            SignInError::Disabled => "disabled",
            SignInError::NotWorkingHere => "not_working_here",
            SignInError::NoAccounts => "no_accounts",
            SignInError::Store(_) => "store",
        }
    }
}

/// An argon2id hash of a password nobody has: an unknown IIN is checked
/// against it, so it takes as long as a known one.
fn decoy_hash() -> Option<&'static PasswordHash> {
    static DECOY: std::sync::OnceLock<Option<PasswordHash>> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| PasswordHash::new("emhana-decoy-password").ok())
        .as_ref()
}

impl Workstation {
    /// Signs `iin` in with `password`: the session, or why not. The check of
    /// the password runs off the async threads (tens of milliseconds).
    pub async fn sign_in(
        &self,
        iin: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<StaffSession, SignInError> {
        let outcome = self.check_sign_in(iin, password, now).await;
        // every try is audited, refused or not: who tried which IIN, and why it failed
        let (staff_id, action, reason) = match &outcome {
            Ok(session) => (Some(session.staff_id), "signed_in", None),
            Err(SignInError::Store(_)) => return outcome,
            Err(refusal) => (None, "sign_in_refused", Some(refusal.code())),
        };
        let detail = serde_json::json!({ "iin": iin, "reason": reason }).to_string();
        self.audit_at(now, staff_id, action, None, &detail).await?;
        outcome
    }

    async fn check_sign_in(
        &self,
        iin: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<StaffSession, SignInError> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::from)?;
        if !store::any_account(&mut conn).await? {
            return Err(SignInError::NoAccounts);
        }
        let (failures, last_failure) = store::sign_in_failures(&mut conn, iin).await?;
        if let Some(at) = next_try_at(failures, last_failure, now) {
            return Err(SignInError::TryLater {
                seconds: (at - now).num_seconds().max(1),
            });
        }
        let holder = store::account_holder(&mut conn, iin, emhana_domain::kazakhstan_date(now)).await?;
        drop(conn);
        let hash = holder
            .as_ref()
            .map(|holder| holder.password_hash.clone())
            .or_else(|| decoy_hash().cloned());
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || hash.is_some_and(|hash| hash.verify(&password)))
            .await
            .unwrap_or(false);
        let mut conn = self.pool.acquire().await.map_err(StoreError::from)?;
        let holder = match holder {
            Some(holder) if matches => holder,
            _ => {
                let failures = store::count_sign_in_failure(&mut conn, iin, now).await?;
                tracing::info!(failures, "sign-in refused: wrong IIN or password");
                return Err(SignInError::WrongPassword {
                    free_tries_left: emhana_domain::access::FREE_FAILURES.saturating_sub(failures),
                });
            }
        };
        store::clear_sign_in_failures(&mut conn, iin).await?;
        if holder.disabled {
            return Err(SignInError::Disabled);
        }
        if !holder.works_today {
            return Err(SignInError::NotWorkingHere);
        }
        let (roles, districts) = store::roles_and_districts(&mut conn, holder.staff_id).await?;
        tracing::info!(staff_id = holder.staff_id, "signed in");
        let allowed = Action::ALL
            .iter()
            .copied()
            .filter(|&action| may(&roles, action))
            .collect();
        Ok(StaffSession {
            staff_id: holder.staff_id,
            iin: holder.iin,
            full_name: holder.full_name,
            roles,
            districts,
            allowed,
            signed_in_at: now,
        })
    }

    /// This workstation acting as `session`'s member of staff: what it
    /// changes is checked against their roles and recorded as theirs.
    pub fn acting_as(&self, session: StaffSession) -> Workstation {
        Workstation {
            pool: self.pool.clone(),
            path: self.path.clone(),
            key: self.key.clone(),
            session: Some(Arc::new(session)),
        }
    }

    /// Who is acting, if anyone signed in.
    pub fn session(&self) -> Option<&StaffSession> {
        self.session.as_deref()
    }

    /// The signed-in member of staff, if they may do `action`; refused
    /// otherwise. The use cases here call it; the shell too, for what it
    /// does itself with the store (an offline bundle, an enrolment).
    pub async fn require(&self, action: Action) -> Result<&StaffSession, StoreError> {
        let session = self.session().ok_or(StoreError::NotSignedIn)?;
        if session.may(action) {
            return Ok(session);
        }
        tracing::info!(
            staff_id = session.staff_id,
            action = action.as_str(),
            "refused: the role does not allow it"
        );
        let detail = serde_json::json!({ "action": action }).to_string();
        self.audit_now("refused", None, &detail).await?;
        Err(StoreError::NotAllowed { action })
    }

    /// Refused unless the signed-in member of staff may open `person_id`:
    /// one attached here to a district they do not serve is another
    /// district's nurse's or doctor's to see (seed 002 p.18). A refusal is
    /// audited, with the person.
    pub(crate) async fn require_may_see(
        &self,
        person_id: i64,
        today: chrono::NaiveDate,
    ) -> Result<(), StoreError> {
        let session = self.session().ok_or(StoreError::NotSignedIn)?;
        if session.may(Action::SeeAnyDistrict) {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        let (_, district_id) = store::standing(&mut conn, person_id, today).await?;
        let district = store::district_number(&mut conn, district_id).await?;
        drop(conn);
        match district {
            Some(district) if !session.may_see(Some(district)) => {
                tracing::info!(staff_id = session.staff_id, "refused: another district's person");
                let detail =
                    serde_json::json!({ "action": Action::SeeAnyDistrict, "district": district }).to_string();
                self.audit_now("refused", Some(person_id), &detail).await?;
                Err(StoreError::NotYourDistrict { district })
            }
            _ => Ok(()),
        }
    }

    /// Writes one audit row on its own, by whoever is signed in: an attempt
    /// refused, a card opened, a search, an export. Stamped with the PC's
    /// clock (what it records happened now, whatever day the app is told).
    pub(crate) async fn audit_now(
        &self,
        action: &str,
        person_id: Option<i64>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let staff_id = self.session().map(|session| session.staff_id);
        self.audit_at(Utc::now(), staff_id, action, person_id, detail)
            .await
    }

    /// Audits an offline file of `ops` ops written for a carried sync (the
    /// sync crate writes it; the ops leave the PC on a stick).
    pub async fn audit_bundle_export(&self, ops: usize) -> Result<(), StoreError> {
        let detail = serde_json::json!({ "ops": ops }).to_string();
        self.audit_now("bundle_exported", None, &detail).await
    }

    /// An offline file refused (changed on the way, sealed with another key,
    /// another PC's): the attempt is the log's, with why.
    pub async fn audit_bundle_refused(&self, reason: &str) -> Result<(), StoreError> {
        let detail = serde_json::json!({ "reason": reason }).to_string();
        self.audit_now("bundle_refused", None, &detail).await
    }

    pub(crate) async fn audit_at(
        &self,
        at: DateTime<Utc>,
        staff_id: Option<i64>,
        action: &str,
        person_id: Option<i64>,
        detail: &str,
    ) -> Result<(), StoreError> {
        // IMMEDIATE: the row read as the chain's last stays the last until this one is written
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        store::append_audit(
            &mut tx,
            store::AuditEntry {
                at,
                staff_id,
                action,
                person_id,
                detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps `accounts` for the staff they name (the demo clinic's; the
    /// registry's come with the organization). Returns how many were kept.
    pub async fn import_accounts(&self, accounts: &[Account]) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let written = store::write_accounts(&mut tx, accounts).await?;
        tx.commit().await?;
        Ok(written)
    }
}
