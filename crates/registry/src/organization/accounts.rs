//! Staff accounts: the registry keeps a member of staff's password hash and
//! whether the account is disabled, and every change moves the clinic's
//! organization version, so its PCs take the accounts with their next sync.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use emhana_domain::Bin;
use emhana_protocol::{Account, PasswordHash};
use sqlx::{PgConnection, PgPool, Row};

use super::SetupError;
use super::write::{bump, lock};
use crate::RegistryError;

/// Sets the password of `iin`, staff of `clinic` (the first administrator's
/// at a new installation, or anyone's reset by the registry's administrator).
/// The password must pass `emhana_domain::access::check_password`.
pub async fn set_password(
    pool: &PgPool,
    clinic: &Bin,
    iin: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), SetupError> {
    emhana_domain::access::check_password(password, iin)
        .map_err(|problem| SetupError::one("bad_password", problem.to_string()))?;
    let hash =
        PasswordHash::new(password).map_err(|error| SetupError::one("bad_password", error.to_string()))?;
    let mut tx = pool.begin().await?;
    let (clinic_id, staff_id) = locked_staff(&mut tx, clinic, iin).await?;
    write_account(&mut tx, staff_id, &hash, None, None, now).await?;
    bump(&mut tx, clinic_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (or enables again) the account of `iin`, staff of `clinic`.
pub async fn set_disabled(
    pool: &PgPool,
    clinic: &Bin,
    iin: &str,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<(), SetupError> {
    let mut tx = pool.begin().await?;
    let (clinic_id, staff_id) = locked_staff(&mut tx, clinic, iin).await?;
    let changed = sqlx::query(
        "UPDATE account SET disabled = $2, changed_at = $3, changed_by = NULL WHERE staff_id = $1",
    )
    .bind(staff_id)
    .bind(disabled)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(SetupError::one(
            "no_account",
            format!("{iin} has no account at {clinic}: set a password first"),
        ));
    }
    bump(&mut tx, clinic_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Locks the clinic and finds its member of staff by IIN: (clinic, staff) ids.
async fn locked_staff(tx: &mut PgConnection, clinic: &Bin, iin: &str) -> Result<(i64, i64), SetupError> {
    let locked = lock(tx, clinic)
        .await?
        .ok_or_else(|| SetupError::one("unknown_clinic", format!("no clinic with BIN {clinic}")))?;
    let staff_id = sqlx::query_scalar("SELECT id FROM staff WHERE clinic_id = $1 AND iin = $2")
        .bind(locked.id)
        .bind(iin)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| SetupError::one("not_staff", format!("{iin} is not on the staff of {clinic}")))?;
    Ok((locked.id, staff_id))
}

/// Writes a staff member's password hash (and the disabled flag, when
/// given; a new account is enabled); the caller holds the clinic's lock and
/// moves its version once.
pub(crate) async fn write_account(
    tx: &mut PgConnection,
    staff_id: i64,
    hash: &PasswordHash,
    disabled: Option<bool>,
    changed_by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), RegistryError> {
    sqlx::query(
        "INSERT INTO account AS a (staff_id, password_hash, disabled, changed_at, changed_by) \
         VALUES ($1, $2, coalesce($3, false), $4, $5) \
         ON CONFLICT (staff_id) DO UPDATE SET password_hash = $2, \
             disabled = coalesce($3, a.disabled), changed_at = $4, changed_by = $5",
    )
    .bind(staff_id)
    .bind(hash.as_str())
    .bind(disabled)
    .bind(now)
    .bind(changed_by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The accounts of the staff of `clinic_ids`, by clinic and IIN.
pub(super) async fn accounts_of(
    conn: &mut PgConnection,
    clinic_ids: &[i64],
) -> Result<HashMap<i64, Vec<Account>>, RegistryError> {
    let rows = sqlx::query(
        "SELECT s.clinic_id, s.iin, a.password_hash, a.disabled, a.changed_at \
         FROM account a JOIN staff s ON s.id = a.staff_id WHERE s.clinic_id = ANY($1) ORDER BY s.clinic_id, s.iin",
    )
    .bind(clinic_ids)
    .fetch_all(conn)
    .await?;
    let mut accounts: HashMap<i64, Vec<Account>> = HashMap::new();
    for row in rows {
        let hash: String = row.try_get("password_hash")?;
        let account = Account {
            iin: row.try_get("iin")?,
            password_hash: PasswordHash::parse(&hash)
                .map_err(|_| RegistryError::Database(sqlx::Error::Decode("account.password_hash".into())))?,
            disabled: row.try_get("disabled")?,
            changed_at: row.try_get("changed_at")?,
        };
        accounts
            .entry(row.try_get("clinic_id")?)
            .or_default()
            .push(account);
    }
    Ok(accounts)
}
