//! Clinics and districts the registry knows (loaded by an administrator or
//! seeded for a demo).

use emhana_domain::{ClinicKind, DistrictKind};
use sqlx::PgPool;

use crate::RegistryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicRecord {
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
    pub kind: ClinicKind,
    pub districts: Vec<(u32, DistrictKind)>,
}

/// Adds the clinic or updates its names, and adds the districts it lacks.
/// Returns the clinic's id.
pub async fn upsert_clinic(pool: &PgPool, clinic: &ClinicRecord) -> Result<i64, RegistryError> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clinic (bin, name_kk, name_ru, kind) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (bin) DO UPDATE SET name_kk = EXCLUDED.name_kk, name_ru = EXCLUDED.name_ru, kind = EXCLUDED.kind, \
             organization_version = nextval('organization_version_seq') \
         RETURNING id",
    )
    .bind(&clinic.bin)
    .bind(&clinic.name_kk)
    .bind(&clinic.name_ru)
    .bind(clinic.kind.as_str())
    .fetch_one(&mut *tx)
    .await?;
    for (number, kind) in &clinic.districts {
        sqlx::query(
            "INSERT INTO district (clinic_id, number, kind) VALUES ($1, $2, $3) ON CONFLICT (clinic_id, number) DO NOTHING",
        )
        .bind(id)
        .bind(i64::from(*number))
        .bind(kind.as_str())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}
