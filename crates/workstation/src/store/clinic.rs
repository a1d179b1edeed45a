//! The clinic this workstation serves, its districts and its staff, as the
//! features read them.

use std::collections::HashMap;

use chrono::NaiveDate;

use emhana_domain::documents::ClinicHeader;
use sqlx::SqliteConnection;

use crate::error::StoreError;

/// The clinic this workstation serves.
pub(crate) struct HomeClinic {
    pub id: i64,
    pub bin: String,
}

/// The clinic this workstation serves, or [`StoreError::NoHomeClinic`] before one is set up.
pub(crate) async fn home_clinic(conn: &mut SqliteConnection) -> Result<HomeClinic, StoreError> {
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, bin FROM clinic WHERE is_home = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (id, bin) = row.ok_or(StoreError::NoHomeClinic)?;
    Ok(HomeClinic { id, bin })
}

/// The number of the district with id `district_id`, if one is named.
pub(crate) async fn district_number(
    conn: &mut SqliteConnection,
    district_id: Option<i64>,
) -> Result<Option<u32>, StoreError> {
    let Some(id) = district_id else {
        return Ok(None);
    };
    let number: Option<i64> = sqlx::query_scalar("SELECT number FROM district WHERE id = ?1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(number.and_then(|n| u32::try_from(n).ok()))
}

pub(crate) async fn clinic_header(conn: &mut SqliteConnection) -> Result<ClinicHeader, StoreError> {
    let row: Option<(String, String, String, String, String, String)> =
        sqlx::query_as("SELECT name_kk, name_ru, bin, address, phone, hours FROM clinic WHERE is_home = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (name_kk, name_ru, bin, address, phone, hours) = row.ok_or(StoreError::NoHomeClinic)?;
    Ok(ClinicHeader {
        name_kk,
        name_ru,
        bin,
        address,
        phone,
        hours,
    })
}

/// The clinic this workstation serves and its districts by number.
pub(crate) async fn home_and_districts(
    conn: &mut SqliteConnection,
) -> Result<(HomeClinic, HashMap<u32, i64>), StoreError> {
    let home = home_clinic(&mut *conn).await?;
    let districts = sqlx::query_as::<_, (u32, i64)>("SELECT number, id FROM district WHERE clinic_id = ?1")
        .bind(home.id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    Ok((home, districts))
}

/// The first nurse (or feldsher) of a district, and its doctor, among those
/// who work here on `on`: who a call of the district goes to that day.
pub(crate) async fn district_staff(
    conn: &mut SqliteConnection,
    district_id: Option<i64>,
    on: NaiveDate,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let Some(district_id) = district_id else {
        return Ok((None, None));
    };
    // the district's own (first district) before one who also covers it
    let nurse: Option<i64> = sqlx::query_scalar(concat!(
        "SELECT id FROM staff s WHERE ",
        serves_district_sql!("s", "?1"),
        " AND ",
        works_on_sql!("s", "?2"),
        " AND ",
        has_role_sql!("s", "'district_nurse', 'feldsher'"),
        " ORDER BY s.district_id IS NOT ?1, id LIMIT 1"
    ))
    .bind(district_id)
    .bind(on)
    .fetch_optional(&mut *conn)
    .await?;
    let doctor: Option<i64> = sqlx::query_scalar(concat!(
        "SELECT id FROM staff s WHERE ",
        serves_district_sql!("s", "?1"),
        " AND ",
        works_on_sql!("s", "?2"),
        " AND ",
        has_role_sql!("s", "'district_doctor'"),
        " ORDER BY s.district_id IS NOT ?1, id LIMIT 1"
    ))
    .bind(district_id)
    .bind(on)
    .fetch_optional(&mut *conn)
    .await?;
    Ok((nurse, doctor))
}

/// A staff member's IIN, as ops name them.
pub(crate) async fn staff_iin(conn: &mut SqliteConnection, staff_id: i64) -> Result<String, StoreError> {
    Ok(sqlx::query_scalar("SELECT iin FROM staff WHERE id = ?1")
        .bind(staff_id)
        .fetch_one(conn)
        .await?)
}

/// The staff member with this IIN here, when this PC knows them (a record
/// from another PC names its staff by IIN).
pub(crate) async fn staff_id_by_iin(
    conn: &mut SqliteConnection,
    iin: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM staff WHERE iin = ?1")
        .bind(iin)
        .fetch_optional(conn)
        .await?)
}

/// [`staff_id_by_iin`] of an IIN a record may leave out.
pub(crate) async fn staff_id_of(
    conn: &mut SqliteConnection,
    iin: Option<&str>,
) -> Result<Option<i64>, StoreError> {
    match iin {
        Some(iin) => staff_id_by_iin(conn, iin).await,
        None => Ok(None),
    }
}
