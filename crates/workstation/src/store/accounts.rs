//! Staff accounts as this PC holds them, and the failed sign-ins it counts.

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::StaffRole;
use emhana_protocol::{Account, PasswordHash};
use sqlx::SqliteConnection;

use crate::error::{StoreError, corrupt};

/// A member of the home clinic's staff with an account, as sign-in reads them.
pub(crate) struct AccountHolder {
    pub staff_id: i64,
    pub iin: String,
    pub full_name: String,
    pub password_hash: PasswordHash,
    pub disabled: bool,
    /// On the staff on the day asked for (between their first and last day).
    pub works_today: bool,
}

/// The home clinic's member of staff with `iin` and an account, if any, as of `today`.
pub(crate) async fn account_holder(
    conn: &mut SqliteConnection,
    iin: &str,
    today: NaiveDate,
) -> Result<Option<AccountHolder>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        iin: String,
        full_name: String,
        password_hash: String,
        disabled: bool,
        works_today: bool,
    }
    let row: Option<Row> = sqlx::query_as(concat!(
        "SELECT s.id, s.iin, ",
        full_name_sql!(),
        " AS full_name, a.password_hash, a.disabled, ",
        works_on_sql!("s", "?2"),
        " AS works_today \
         FROM staff s JOIN account a ON a.staff_id = s.id JOIN clinic c ON c.id = s.clinic_id \
         WHERE s.iin = ?1 AND c.is_home = 1"
    ))
    .bind(iin)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(AccountHolder {
        staff_id: row.id,
        iin: row.iin,
        full_name: row.full_name,
        password_hash: PasswordHash::parse(&row.password_hash)
            .map_err(|_| corrupt("account.password_hash of staff", &row.id.to_string()))?,
        disabled: row.disabled,
        works_today: row.works_today,
    }))
}

/// A member of staff's roles, and the numbers of the districts they serve (main first).
pub(crate) async fn roles_and_districts(
    conn: &mut SqliteConnection,
    staff_id: i64,
) -> Result<(Vec<StaffRole>, Vec<u32>), StoreError> {
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT role FROM staff_role WHERE staff_id = ?1 ORDER BY role")
            .bind(staff_id)
            .fetch_all(&mut *conn)
            .await?;
    let roles = roles
        .iter()
        .map(|role| StaffRole::parse(role).ok_or_else(|| corrupt("staff_role.role", role)))
        .collect::<Result<_, _>>()?;
    let districts: Vec<i64> = sqlx::query_scalar(
        "SELECT d.number FROM staff_district sd JOIN district d ON d.id = sd.district_id \
         WHERE sd.staff_id = ?1 ORDER BY sd.position, d.number",
    )
    .bind(staff_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((
        roles,
        districts
            .into_iter()
            .filter_map(|n| u32::try_from(n).ok())
            .collect(),
    ))
}

/// Failed sign-ins counted for `iin`, and when the last was.
pub(crate) async fn sign_in_failures(
    conn: &mut SqliteConnection,
    iin: &str,
) -> Result<(u32, Option<DateTime<Utc>>), StoreError> {
    let row: Option<(i64, DateTime<Utc>)> =
        sqlx::query_as("SELECT failures, last_at FROM sign_in_failure WHERE iin = ?1")
            .bind(iin)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match row {
        Some((failures, last_at)) => (u32::try_from(failures).unwrap_or(u32::MAX), Some(last_at)),
        None => (0, None),
    })
}

/// Counts one more failed sign-in for `iin`; returns how many there are now.
pub(crate) async fn count_sign_in_failure(
    conn: &mut SqliteConnection,
    iin: &str,
    now: DateTime<Utc>,
) -> Result<u32, StoreError> {
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_failure (iin, failures, last_at) VALUES (?1, 1, ?2) \
         ON CONFLICT (iin) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at RETURNING failures",
    )
    .bind(iin)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(u32::try_from(failures).unwrap_or(u32::MAX))
}

pub(crate) async fn clear_sign_in_failures(conn: &mut SqliteConnection, iin: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sign_in_failure WHERE iin = ?1")
        .bind(iin)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes `accounts` over the ones held for the same staff (by IIN); an
/// account of someone not on this PC's staff is skipped. Returns how many
/// were written.
pub(crate) async fn write_accounts(
    conn: &mut SqliteConnection,
    accounts: &[Account],
) -> Result<usize, StoreError> {
    let mut written = 0;
    for account in accounts {
        let done = sqlx::query(
            "INSERT INTO account (staff_id, password_hash, disabled, changed_at) \
             SELECT id, ?2, ?3, ?4 FROM staff WHERE iin = ?1 \
             ON CONFLICT (staff_id) DO UPDATE SET password_hash = excluded.password_hash, \
                 disabled = excluded.disabled, changed_at = excluded.changed_at",
        )
        .bind(&account.iin)
        .bind(account.password_hash.as_str())
        .bind(account.disabled)
        .bind(account.changed_at)
        .execute(&mut *conn)
        .await?;
        written += usize::try_from(done.rows_affected()).unwrap_or(0);
    }
    Ok(written)
}

/// Whether any member of staff here has an account (none: nobody can sign in yet).
pub(crate) async fn any_account(conn: &mut SqliteConnection) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM account)")
        .fetch_one(&mut *conn)
        .await?)
}
