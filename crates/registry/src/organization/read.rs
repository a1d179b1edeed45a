//! The organization as a workstation receives it.

use std::collections::HashMap;

use chrono::NaiveDate;
use emhana_domain::organization::{
    ClinicProfile, CoveredArea, District, HouseParity, HouseRange, StaffMember,
};
use emhana_domain::{Bin, ClinicKind, DistrictKind, Iin, StaffRole};
use emhana_protocol::{ClinicUnit, Organization};
use sqlx::{PgConnection, Row};

use crate::RegistryError;

fn corrupt(what: impl std::fmt::Display) -> RegistryError {
    RegistryError::Database(sqlx::Error::Decode(what.to_string().into()))
}

/// A member of staff's roles as `staff.roles` holds them.
pub(crate) fn staff_roles(roles: &[String]) -> Result<Vec<StaffRole>, RegistryError> {
    roles
        .iter()
        .map(|role| StaffRole::parse(role).ok_or_else(|| corrupt("staff.roles")))
        .collect()
}

/// The version a workstation of `clinic_id` holds when it is up to date: the
/// highest of its clinic's, its posts' and its parent's.
pub async fn organization_version(conn: &mut PgConnection, clinic_id: i64) -> Result<i64, RegistryError> {
    Ok(sqlx::query_scalar(
        "SELECT max(organization_version) FROM clinic \
         WHERE id = $1 OR parent_id = $1 OR id = (SELECT parent_id FROM clinic WHERE id = $1)",
    )
    .bind(clinic_id)
    .fetch_one(conn)
    .await?)
}

/// `clinic_id`'s organization: the clinic, then its posts by BIN, and its parent.
pub async fn organization(conn: &mut PgConnection, clinic_id: i64) -> Result<Organization, RegistryError> {
    let version = organization_version(&mut *conn, clinic_id).await?;
    let rows = sqlx::query(
        "SELECT c.id, c.bin, c.name_kk, c.name_ru, c.kind, c.region, p.bin AS parent_bin, \
                c.settlement, c.address, c.phone, c.hours \
         FROM clinic c LEFT JOIN clinic p ON p.id = c.parent_id \
         WHERE c.id = $1 OR c.parent_id = $1 ORDER BY c.id = $1 DESC, c.bin",
    )
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut profiles = Vec::with_capacity(rows.len());
    for row in &rows {
        ids.push(row.try_get::<i64, _>("id")?);
        profiles.push(profile_from_row(row)?);
    }
    let parent = match profiles.first().and_then(|own| own.parent_bin) {
        None => None,
        Some(parent_bin) => {
            let row = sqlx::query(
                "SELECT c.bin, c.name_kk, c.name_ru, c.kind, c.region, NULL::text AS parent_bin, \
                        c.settlement, c.address, c.phone, c.hours FROM clinic c WHERE c.bin = $1",
            )
            .bind(parent_bin.as_string())
            .fetch_one(&mut *conn)
            .await?;
            Some(profile_from_row(&row)?)
        }
    };

    let mut districts_of: HashMap<i64, Vec<(i64, District)>> = HashMap::new();
    let rows = sqlx::query(
        "SELECT id, clinic_id, number, kind, list_norm FROM district WHERE clinic_id = ANY($1) ORDER BY clinic_id, number",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut district_ids = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        let number: i32 = row.try_get("number")?;
        let list_norm: Option<i32> = row.try_get("list_norm")?;
        district_ids.push(id);
        districts_of.entry(row.try_get("clinic_id")?).or_default().push((
            id,
            District {
                number: u32::try_from(number).map_err(|_| corrupt(format!("district {id} number")))?,
                kind: DistrictKind::parse(&kind).ok_or_else(|| corrupt(format!("district {id} kind")))?,
                list_norm: list_norm.and_then(|n| u32::try_from(n).ok()),
                coverage: Vec::new(),
            },
        ));
    }
    let mut coverage_of: HashMap<i64, Vec<CoveredArea>> = HashMap::new();
    let rows = sqlx::query(
        "SELECT district_id, settlement, street, house_from, house_to, parity FROM district_coverage \
         WHERE district_id = ANY($1) ORDER BY district_id, id",
    )
    .bind(&district_ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let district_id: i64 = row.try_get("district_id")?;
        coverage_of
            .entry(district_id)
            .or_default()
            .push(area_from_row(&row)?);
    }

    let mut staff_of: HashMap<i64, Vec<StaffMember>> = HashMap::new();
    let rows = sqlx::query(
        "SELECT s.clinic_id, s.iin, s.surname, s.first_name, s.patronymic, s.roles, s.specialty, s.room, s.phone, \
                s.works_from, s.works_to, \
                coalesce(array_agg(d.number ORDER BY sd.position) FILTER (WHERE d.number IS NOT NULL), '{}') AS districts \
         FROM staff s LEFT JOIN staff_district sd ON sd.staff_id = s.id LEFT JOIN district d ON d.id = sd.district_id \
         WHERE s.clinic_id = ANY($1) GROUP BY s.id ORDER BY s.clinic_id, s.iin",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let iin: String = row.try_get("iin")?;
        let roles: Vec<String> = row.try_get("roles")?;
        let districts: Vec<i32> = row.try_get("districts")?;
        let member = StaffMember {
            iin: Iin::parse(&iin).map_err(|_| corrupt("staff.iin"))?,
            surname: row.try_get("surname")?,
            first_name: row.try_get("first_name")?,
            patronymic: row.try_get("patronymic")?,
            roles: staff_roles(&roles)?,
            specialty: row.try_get("specialty")?,
            districts: districts
                .into_iter()
                .filter_map(|n| u32::try_from(n).ok())
                .collect(),
            room: row.try_get("room")?,
            phone: row.try_get("phone")?,
            works_from: row.try_get::<Option<NaiveDate>, _>("works_from")?,
            works_to: row.try_get::<Option<NaiveDate>, _>("works_to")?,
        };
        staff_of
            .entry(row.try_get("clinic_id")?)
            .or_default()
            .push(member);
    }

    let mut accounts_of = super::accounts::accounts_of(&mut *conn, &ids).await?;
    let clinics = ids
        .iter()
        .zip(profiles)
        .map(|(id, profile)| ClinicUnit {
            profile,
            districts: districts_of
                .remove(id)
                .unwrap_or_default()
                .into_iter()
                .map(|(district_id, mut district)| {
                    district.coverage = coverage_of.remove(&district_id).unwrap_or_default();
                    district
                })
                .collect(),
            staff: staff_of.remove(id).unwrap_or_default(),
            accounts: accounts_of.remove(id).unwrap_or_default(),
        })
        .collect();
    Ok(Organization {
        version,
        clinics,
        parent,
    })
}

pub(super) fn profile_from_row(row: &sqlx::postgres::PgRow) -> Result<ClinicProfile, RegistryError> {
    let bin: String = row.try_get("bin")?;
    let kind: String = row.try_get("kind")?;
    let parent_bin: Option<String> = row.try_get("parent_bin")?;
    Ok(ClinicProfile {
        bin: Bin::parse(&bin).map_err(|_| corrupt("clinic.bin"))?,
        name_kk: row.try_get("name_kk")?,
        name_ru: row.try_get("name_ru")?,
        kind: ClinicKind::parse(&kind).ok_or_else(|| corrupt("clinic.kind"))?,
        region: row.try_get("region")?,
        parent_bin: parent_bin
            .map(|bin| Bin::parse(&bin).map_err(|_| corrupt("clinic.parent")))
            .transpose()?,
        settlement: row.try_get("settlement")?,
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
        hours: row.try_get("hours")?,
    })
}

pub(crate) fn area_from_row(row: &sqlx::postgres::PgRow) -> Result<CoveredArea, RegistryError> {
    let from: Option<i32> = row.try_get("house_from")?;
    let to: Option<i32> = row.try_get("house_to")?;
    let parity: String = row.try_get("parity")?;
    let houses = match (from, to) {
        (Some(from), Some(to)) => Some(HouseRange {
            from: u32::try_from(from).map_err(|_| corrupt("district_coverage.house_from"))?,
            to: u32::try_from(to).map_err(|_| corrupt("district_coverage.house_to"))?,
            parity: HouseParity::parse(&parity).ok_or_else(|| corrupt("district_coverage.parity"))?,
        }),
        _ => None,
    };
    Ok(CoveredArea {
        settlement: row.try_get("settlement")?,
        street: row.try_get("street")?,
        houses,
    })
}
