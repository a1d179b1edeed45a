//! The organization as the registry hands it out, written over this PC's
//! copy: the home clinic (and the clinic that runs it, for a post), its
//! posts, their districts with their coverage, and their staff. Rows are
//! kept by their natural keys (BIN, district number, IIN), so the ids the
//! PC's records point at never change; nothing is deleted, since
//! applications and calls name districts and staff long after a change.

use emhana_domain::DistrictKind;
use emhana_domain::attachment::Coverage;
use emhana_domain::organization::{ClinicProfile, CoveredArea, HouseParity, HouseRange};
use emhana_protocol::{ClinicUnit, Organization};
use sqlx::SqliteConnection;

use crate::error::StoreError;

/// Writes the organization and the version it came with (one transaction is the caller's).
pub(crate) async fn write_organization(
    conn: &mut SqliteConnection,
    organization: &Organization,
) -> Result<(), StoreError> {
    let Some(home) = organization.clinics.first() else {
        return Err(StoreError::Corrupt {
            detail: "the registry's organization names no clinic".into(),
        });
    };
    let held: Option<String> = sqlx::query_scalar("SELECT bin FROM clinic WHERE is_home = 1")
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(held) = held
        && held != home.profile.bin.as_string()
    {
        return Err(StoreError::EnrolledElsewhere {
            home_bin: held,
            registry_bin: home.profile.bin.as_string(),
        });
    }
    let parent_id = match &organization.parent {
        Some(parent) => Some(write_profile(&mut *conn, parent, None, false).await?),
        None => None,
    };
    let home_id = write_profile(&mut *conn, &home.profile, parent_id, true).await?;
    write_unit(&mut *conn, home_id, home, home_id).await?;
    // the home clinic's accounts replaced whole: one the registry no longer lists signs in nowhere
    sqlx::query("DELETE FROM account WHERE staff_id IN (SELECT id FROM staff WHERE clinic_id = ?1)")
        .bind(home_id)
        .execute(&mut *conn)
        .await?;
    super::write_accounts(&mut *conn, &home.accounts).await?;
    for post in &organization.clinics[1..] {
        let post_id = write_profile(&mut *conn, &post.profile, Some(home_id), false).await?;
        write_unit(&mut *conn, post_id, post, home_id).await?;
    }
    sqlx::query("UPDATE sync_state SET organization_version = ?1 WHERE id = 1")
        .bind(organization.version)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The organization version this PC holds, if it ever took one.
pub(crate) async fn organization_version(conn: &mut SqliteConnection) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT organization_version FROM sync_state WHERE id = 1")
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}

async fn write_profile(
    conn: &mut SqliteConnection,
    profile: &ClinicProfile,
    parent_id: Option<i64>,
    is_home: bool,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO clinic (bin, name_kk, name_ru, kind, parent_id, region, settlement, address, phone, hours, is_home) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
         ON CONFLICT (bin) DO UPDATE SET name_kk = excluded.name_kk, name_ru = excluded.name_ru, kind = excluded.kind, \
             parent_id = excluded.parent_id, region = excluded.region, settlement = excluded.settlement, \
             address = excluded.address, phone = excluded.phone, hours = excluded.hours, \
             is_home = max(clinic.is_home, excluded.is_home) \
         RETURNING id",
    )
    .bind(profile.bin.as_string())
    .bind(&profile.name_kk)
    .bind(&profile.name_ru)
    .bind(profile.kind.as_str())
    .bind(parent_id)
    .bind(&profile.region)
    .bind(&profile.settlement)
    .bind(&profile.address)
    .bind(&profile.phone)
    .bind(&profile.hours)
    .bind(is_home)
    .fetch_one(conn)
    .await?)
}

/// A clinic's districts (by number), their coverage (replaced) and staff (by IIN).
async fn write_unit(
    conn: &mut SqliteConnection,
    clinic_id: i64,
    unit: &ClinicUnit,
    home_id: i64,
) -> Result<(), StoreError> {
    let mut district_ids = std::collections::HashMap::new();
    for district in &unit.districts {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO district (clinic_id, number, kind, list_norm) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (clinic_id, number) DO UPDATE SET kind = excluded.kind, list_norm = excluded.list_norm \
             RETURNING id",
        )
        .bind(clinic_id)
        .bind(district.number)
        .bind(district.kind.as_str())
        .bind(district.list_norm)
        .fetch_one(&mut *conn)
        .await?;
        district_ids.insert(district.number, id);
    }
    sqlx::query(
        "DELETE FROM district_coverage WHERE district_id IN (SELECT id FROM district WHERE clinic_id = ?1)",
    )
    .bind(clinic_id)
    .execute(&mut *conn)
    .await?;
    for district in &unit.districts {
        let id = district_ids[&district.number];
        for chunk in district.coverage.chunks(super::ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO district_coverage (district_id, settlement, street, house_from, house_to, parity) ",
            );
            insert.push_values(chunk, |mut row, area| {
                row.push_bind(id)
                    .push_bind(&area.settlement)
                    .push_bind(&area.street)
                    .push_bind(area.houses.map(|h| h.from))
                    .push_bind(area.houses.map(|h| h.to))
                    .push_bind(area.houses.map_or("all", |h| h.parity.as_str()));
            });
            insert.build().execute(&mut *conn).await?;
        }
    }
    for member in &unit.staff {
        let Some(first_role) = member.roles.first() else {
            continue;
        };
        let district_id = member
            .districts
            .first()
            .and_then(|n| district_ids.get(n))
            .copied();
        // a post's member who is also the home clinic's keeps the home clinic's row
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO staff (clinic_id, iin, surname, first_name, patronymic, role, specialty, district_id, phone, \
                                room, works_from, works_to) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
             ON CONFLICT (iin) DO UPDATE SET clinic_id = excluded.clinic_id, surname = excluded.surname, \
                 first_name = excluded.first_name, patronymic = excluded.patronymic, role = excluded.role, \
                 specialty = excluded.specialty, district_id = excluded.district_id, phone = excluded.phone, \
                 room = excluded.room, works_from = excluded.works_from, works_to = excluded.works_to \
             WHERE staff.clinic_id = excluded.clinic_id OR excluded.clinic_id = ?13 \
             RETURNING id",
        )
        .bind(clinic_id)
        .bind(member.iin.as_string())
        .bind(&member.surname)
        .bind(&member.first_name)
        .bind(&member.patronymic)
        .bind(first_role.as_str())
        .bind(&member.specialty)
        .bind(district_id)
        .bind(&member.phone)
        .bind(&member.room)
        .bind(member.works_from)
        .bind(member.works_to)
        .bind(home_id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(id) = id else {
            continue;
        };
        sqlx::query("DELETE FROM staff_role WHERE staff_id = ?1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for role in &member.roles {
            sqlx::query("INSERT OR IGNORE INTO staff_role (staff_id, role) VALUES (?1, ?2)")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("DELETE FROM staff_district WHERE staff_id = ?1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for (position, number) in member.districts.iter().enumerate() {
            if let Some(district) = district_ids.get(number) {
                sqlx::query("INSERT OR IGNORE INTO staff_district (staff_id, district_id, position) VALUES (?1, ?2, ?3)")
                    .bind(id)
                    .bind(district)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Every area the clinic's districts cover, with the district's kind: what
/// a district suggestion reads.
pub(crate) async fn clinic_coverage(
    conn: &mut SqliteConnection,
    clinic_id: i64,
) -> Result<Vec<Coverage>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        district_id: i64,
        kind: String,
        settlement: String,
        street: Option<String>,
        house_from: Option<u32>,
        house_to: Option<u32>,
        parity: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT dc.district_id, d.kind, dc.settlement, dc.street, dc.house_from, dc.house_to, dc.parity \
         FROM district_coverage dc JOIN district d ON d.id = dc.district_id WHERE d.clinic_id = ?1 \
         ORDER BY d.number, dc.rowid",
    )
    .bind(clinic_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let Row {
                district_id,
                kind,
                settlement,
                street,
                house_from: from,
                house_to: to,
                parity,
            } = row;
            let corrupt = |what: &str| StoreError::Corrupt {
                detail: format!("district_coverage of district {district_id}: {what}"),
            };
            let houses = match (from, to) {
                (Some(from), Some(to)) => Some(HouseRange {
                    from,
                    to,
                    parity: HouseParity::parse(&parity).ok_or_else(|| corrupt("parity"))?,
                }),
                _ => None,
            };
            Ok(Coverage {
                district_id,
                kind: DistrictKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
                area: CoveredArea {
                    settlement,
                    street,
                    houses,
                },
            })
        })
        .collect()
}
