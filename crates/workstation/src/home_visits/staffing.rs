//! Who makes rounds, and what nobody will do unless someone is named.

use super::*;

/// A nurse or feldsher who makes rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct Nurse {
    pub id: i64,
    pub full_name: String,
    pub role: String,
    pub district_id: Option<i64>,
    pub district_number: Option<u32>,
}

pub(crate) async fn nurses(pool: &SqlitePool) -> Result<Vec<Nurse>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT s.id, ",
        full_name_sql!("s"),
        " AS full_name, s.role, s.district_id, d.number AS district_number FROM staff s \
         JOIN clinic c ON c.id = s.clinic_id AND c.is_home = 1 LEFT JOIN district d ON d.id = s.district_id \
         WHERE ",
        has_role_sql!("s", "'district_nurse', 'feldsher'"),
        " ORDER BY d.number IS NULL, d.number, full_name"
    ))
    .fetch_all(pool)
    .await?)
}

/// What nobody will do unless someone is named: a defect the head of the
/// clinic sees, never a silent state.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Unassigned {
    /// Calls taken for a home visit with nobody to make it (the district has nobody).
    pub calls: Vec<CallView>,
    /// Districts with plan visits due or overdue and no nurse or feldsher to
    /// make them (nor, for the doctor's, a doctor or feldsher).
    pub districts: Vec<UnstaffedDistrict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct UnstaffedDistrict {
    pub district_id: i64,
    pub district_number: u32,
    /// Due or overdue visits of a nurse, with no nurse or feldsher on the district.
    pub nurse_visits: u32,
    /// Due or overdue visits of a doctor, with no doctor or feldsher on the district.
    pub doctor_visits: u32,
}

/// The calls and the districts' due visits nobody is assigned to on `today`.
pub(crate) async fn unassigned(pool: &SqlitePool, today: NaiveDate) -> Result<Unassigned, StoreError> {
    let mut conn = pool.acquire().await?;
    let calls = calls_where(
        &mut conn,
        "?1 IS NULL AND c.planned_on <= ?2 AND c.status = 'registered' AND c.goes <> 'ambulance' \
         AND c.assigned_staff_id IS NULL",
        None,
        Some(today),
    )
    .await?;
    let districts: Vec<UnstaffedDistrict> = sqlx::query_as(concat!(
        "SELECT d.id AS district_id, d.number AS district_number, \
           sum(v.who = 'nurse' AND NOT EXISTS (SELECT 1 FROM staff s WHERE ",
        serves_district_sql!("s", "d.id"),
        " AND ",
        has_role_sql!("s", "'district_nurse', 'feldsher'"),
        ")) AS nurse_visits, \
           sum(v.who = 'district_doctor' AND NOT EXISTS (SELECT 1 FROM staff s WHERE ",
        serves_district_sql!("s", "d.id"),
        " AND ",
        has_role_sql!("s", "'district_doctor', 'feldsher'"),
        ")) AS doctor_visits \
         FROM district d JOIN clinic c ON c.id = d.clinic_id AND c.is_home = 1 \
         JOIN attachment a ON a.district_id = d.id AND ",
        attachment_in_force!("a", "?1"),
        " \
         JOIN person p ON p.id = a.person_id AND p.died_on IS NULL \
         JOIN plan_visit v ON v.person_id = p.id AND v.closed = 0 AND v.due_from <= ?1 \
         JOIN care_plan cp ON cp.id = v.plan_id AND cp.closed_on IS NULL \
         GROUP BY d.id HAVING nurse_visits > 0 OR doctor_visits > 0 ORDER BY d.number"
    ))
    .bind(today)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Unassigned { calls, districts })
}
