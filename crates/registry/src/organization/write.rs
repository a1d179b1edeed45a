//! Changing an organization: a clinic's profile, a district, a whole unit;
//! and the pieces the CSV imports share (locking a clinic with what it has,
//! writing coverage and staff in bulk, moving the version).

use std::collections::HashMap;

use emhana_domain::organization::{ClinicProfile, District, StaffMember, coverage_conflicts};
use emhana_domain::{Bin, DistrictKind};
use emhana_protocol::ClinicUnit;
use sqlx::{PgConnection, PgPool, Row};

use super::read::{area_from_row, profile_from_row};
use super::{Problem, SetupError};
use crate::RegistryError;

/// A clinic locked for a change, with its districts (and their coverage) as they stand.
pub(super) struct Locked {
    pub id: i64,
    pub profile: ClinicProfile,
    /// By number, with their row ids.
    pub districts: Vec<(i64, District)>,
}

impl Locked {
    pub fn district_numbers(&self) -> Vec<u32> {
        self.districts.iter().map(|(_, d)| d.number).collect()
    }

    pub fn district_ids(&self) -> HashMap<u32, i64> {
        self.districts.iter().map(|(id, d)| (d.number, *id)).collect()
    }
}

/// Locks the clinic's row (changes to one clinic wait for each other) and
/// reads it with its districts and their coverage.
pub(super) async fn lock(tx: &mut PgConnection, bin: &Bin) -> Result<Option<Locked>, RegistryError> {
    let Some(row) = sqlx::query(
        "SELECT c.id, c.bin, c.name_kk, c.name_ru, c.kind, c.region, p.bin AS parent_bin, \
                c.settlement, c.address, c.phone, c.hours \
         FROM clinic c LEFT JOIN clinic p ON p.id = c.parent_id WHERE c.bin = $1 FOR UPDATE OF c",
    )
    .bind(bin.as_string())
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    let profile = profile_from_row(&row)?;
    let rows =
        sqlx::query("SELECT id, number, kind, list_norm FROM district WHERE clinic_id = $1 ORDER BY number")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let mut districts = Vec::with_capacity(rows.len());
    for row in rows {
        let district_id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        let list_norm: Option<i32> = row.try_get("list_norm")?;
        districts.push((
            district_id,
            District {
                number: u32::try_from(row.try_get::<i32, _>("number")?).unwrap_or(0),
                kind: DistrictKind::parse(&kind)
                    .ok_or_else(|| RegistryError::Database(sqlx::Error::Decode("district.kind".into())))?,
                list_norm: list_norm.and_then(|n| u32::try_from(n).ok()),
                coverage: Vec::new(),
            },
        ));
    }
    let ids: Vec<i64> = districts.iter().map(|(id, _)| *id).collect();
    let rows = sqlx::query(
        "SELECT district_id, settlement, street, house_from, house_to, parity FROM district_coverage \
         WHERE district_id = ANY($1) ORDER BY district_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for row in rows {
        let district_id: i64 = row.try_get("district_id")?;
        if let Some(i) = index.get(&district_id) {
            districts[*i].1.coverage.push(area_from_row(&row)?);
        }
    }
    Ok(Some(Locked {
        id,
        profile,
        districts,
    }))
}

/// Moves the clinic's version, and its parent's (whose workstations see their posts).
pub(super) async fn bump(tx: &mut PgConnection, clinic_id: i64) -> Result<(), RegistryError> {
    sqlx::query(
        "UPDATE clinic SET organization_version = nextval('organization_version_seq') \
         WHERE id = $1 OR id = (SELECT parent_id FROM clinic WHERE id = $1)",
    )
    .bind(clinic_id)
    .execute(tx)
    .await?;
    Ok(())
}

/// Replaces the coverage of `districts` with `areas` (district id, area), in one statement.
pub(super) async fn replace_coverage(
    tx: &mut PgConnection,
    districts: &[i64],
    areas: &[(i64, &emhana_domain::organization::CoveredArea)],
) -> Result<(), RegistryError> {
    sqlx::query("DELETE FROM district_coverage WHERE district_id = ANY($1)")
        .bind(districts)
        .execute(&mut *tx)
        .await?;
    let ids: Vec<i64> = areas.iter().map(|(id, _)| *id).collect();
    let settlements: Vec<&str> = areas.iter().map(|(_, a)| a.settlement.trim()).collect();
    let streets: Vec<Option<&str>> = areas
        .iter()
        .map(|(_, a)| a.street.as_deref().map(str::trim))
        .collect();
    let from: Vec<Option<i32>> = areas
        .iter()
        .map(|(_, a)| a.houses.map(|h| i32::try_from(h.from).unwrap_or(i32::MAX)))
        .collect();
    let to: Vec<Option<i32>> = areas
        .iter()
        .map(|(_, a)| a.houses.map(|h| i32::try_from(h.to).unwrap_or(i32::MAX)))
        .collect();
    let parity: Vec<&str> = areas
        .iter()
        .map(|(_, a)| a.houses.map_or("all", |h| h.parity.as_str()))
        .collect();
    sqlx::query(
        "INSERT INTO district_coverage (district_id, settlement, street, house_from, house_to, parity) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[])",
    )
    .bind(&ids)
    .bind(&settlements)
    .bind(&streets)
    .bind(&from)
    .bind(&to)
    .bind(&parity)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Adds or replaces these staff of the clinic (by IIN), with their districts.
pub(super) async fn upsert_staff(
    tx: &mut PgConnection,
    clinic_id: i64,
    members: &[&StaffMember],
    district_ids: &HashMap<u32, i64>,
) -> Result<(), RegistryError> {
    let iins: Vec<String> = members.iter().map(|m| m.iin.as_string()).collect();
    let text = |f: fn(&StaffMember) -> Option<&str>| -> Vec<Option<String>> {
        members
            .iter()
            .map(|m| f(m).map(|s| s.trim().to_owned()))
            .collect()
    };
    let surnames: Vec<&str> = members.iter().map(|m| m.surname.trim()).collect();
    let first_names: Vec<&str> = members.iter().map(|m| m.first_name.trim()).collect();
    let roles: Vec<String> = members
        .iter()
        .map(|m| m.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","))
        .collect();
    let from: Vec<Option<chrono::NaiveDate>> = members.iter().map(|m| m.works_from).collect();
    let to: Vec<Option<chrono::NaiveDate>> = members.iter().map(|m| m.works_to).collect();
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO staff (clinic_id, iin, surname, first_name, patronymic, roles, specialty, room, phone, works_from, works_to) \
         SELECT $1, iin, surname, first_name, patronymic, string_to_array(roles, ','), specialty, room, phone, works_from, works_to \
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::date[], $11::date[]) \
              AS t(iin, surname, first_name, patronymic, roles, specialty, room, phone, works_from, works_to) \
         ON CONFLICT (clinic_id, iin) DO UPDATE SET surname = EXCLUDED.surname, first_name = EXCLUDED.first_name, \
             patronymic = EXCLUDED.patronymic, roles = EXCLUDED.roles, specialty = EXCLUDED.specialty, \
             room = EXCLUDED.room, phone = EXCLUDED.phone, works_from = EXCLUDED.works_from, works_to = EXCLUDED.works_to \
         RETURNING id",
    )
    .bind(clinic_id)
    .bind(&iins)
    .bind(&surnames)
    .bind(&first_names)
    .bind(text(|m| m.patronymic.as_deref()))
    .bind(&roles)
    .bind(text(|m| m.specialty.as_deref()))
    .bind(text(|m| m.room.as_deref()))
    .bind(text(|m| m.phone.as_deref()))
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM staff_district WHERE staff_id = ANY($1)")
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    let mut staff_ids = Vec::new();
    let mut districts = Vec::new();
    let mut positions = Vec::new();
    for (id, member) in ids.iter().zip(members) {
        for (position, number) in member.districts.iter().enumerate() {
            if let Some(district) = district_ids.get(number) {
                staff_ids.push(*id);
                districts.push(*district);
                positions.push(i32::try_from(position).unwrap_or(i32::MAX));
            }
        }
    }
    sqlx::query(
        "INSERT INTO staff_district (staff_id, district_id, position) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[]) ON CONFLICT DO NOTHING",
    )
    .bind(&staff_ids)
    .bind(&districts)
    .bind(&positions)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Coverage conflicts of the clinic's districts as problems, each on the line
/// `line_of(district index, area index)` gives (an area the change brings),
/// or with no line (two areas already there).
pub(super) fn conflicts_as_problems(
    districts: &[District],
    line_of: impl Fn(u32, usize) -> Option<u64>,
) -> Vec<Problem> {
    coverage_conflicts(districts)
        .into_iter()
        .map(|conflict| {
            let line = line_of(conflict.district, conflict.area)
                .or_else(|| line_of(conflict.other_district, conflict.other_area));
            let area = districts
                .iter()
                .find(|d| d.number == conflict.district)
                .and_then(|d| d.coverage.get(conflict.area));
            Problem {
                line,
                code: "coverage_overlap",
                reason: format!(
                    "district {}: {} overlaps district {} (both would take the same persons)",
                    conflict.district,
                    area.map(describe_area).unwrap_or_default(),
                    conflict.other_district
                ),
            }
        })
        .collect()
}

pub(super) fn describe_area(area: &emhana_domain::organization::CoveredArea) -> String {
    match (&area.street, &area.houses) {
        (None, _) => area.settlement.clone(),
        (Some(street), None) => format!("{}, {street}", area.settlement),
        (Some(street), Some(h)) => format!(
            "{}, {street} {}–{} ({})",
            area.settlement,
            h.from,
            h.to,
            h.parity.as_str()
        ),
    }
}

/// Adds the clinic or changes its profile. A post names its parent, which
/// must exist, not be a post, and be in the same region.
pub async fn set_clinic(pool: &PgPool, profile: &ClinicProfile) -> Result<i64, SetupError> {
    profile
        .check()
        .map_err(|error| SetupError::one(error.code(), error.to_string()))?;
    let mut tx = pool.begin().await?;
    let parent_id = match &profile.parent_bin {
        None => None,
        Some(parent_bin) => {
            let parent = lock(&mut tx, parent_bin).await?.ok_or_else(|| {
                SetupError::one(
                    "unknown_parent",
                    format!("no clinic with BIN {parent_bin} to be the parent"),
                )
            })?;
            profile
                .check_parent(&parent.profile)
                .map_err(|error| SetupError::one(error.code(), error.to_string()))?;
            Some(parent.id)
        }
    };
    if parent_id.is_some() {
        let posts: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM clinic c JOIN clinic p ON p.id = c.parent_id WHERE p.bin = $1",
        )
        .bind(profile.bin.as_string())
        .fetch_one(&mut *tx)
        .await?;
        if posts > 0 {
            return Err(SetupError::one(
                "post_has_posts",
                format!(
                    "{} runs {posts} post(s) itself and cannot become a post",
                    profile.bin
                ),
            ));
        }
    }
    let parent_before: Option<i64> = sqlx::query_scalar("SELECT parent_id FROM clinic WHERE bin = $1")
        .bind(profile.bin.as_string())
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO clinic (bin, name_kk, name_ru, kind, parent_id, region, settlement, address, phone, hours) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (bin) DO UPDATE SET name_kk = EXCLUDED.name_kk, name_ru = EXCLUDED.name_ru, kind = EXCLUDED.kind, \
             parent_id = EXCLUDED.parent_id, region = EXCLUDED.region, settlement = EXCLUDED.settlement, \
             address = EXCLUDED.address, phone = EXCLUDED.phone, hours = EXCLUDED.hours \
         RETURNING id",
    )
    .bind(profile.bin.as_string())
    .bind(profile.name_kk.trim())
    .bind(profile.name_ru.trim())
    .bind(profile.kind.as_str())
    .bind(parent_id)
    .bind(profile.region.trim())
    .bind(profile.settlement.trim())
    .bind(profile.address.trim())
    .bind(profile.phone.trim())
    .bind(profile.hours.trim())
    .fetch_one(&mut *tx)
    .await?;
    // A post under a new parent: its calls and plans go to the feed's end,
    // so the new parent's PCs, past them in the feed, read them too.
    if parent_id.is_some() && parent_id != parent_before {
        sqlx::query(
            "UPDATE clinic_record SET xid = pg_current_xact_id(), seq = nextval('scope_change_seq') \
             WHERE clinic_id = $1 AND kind IN ('call', 'plan')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    bump(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a district to the clinic or changes its kind or list norm; the
/// coverage it has must still agree with the clinic's other districts.
pub async fn set_district(
    pool: &PgPool,
    clinic: &Bin,
    number: u32,
    kind: DistrictKind,
    list_norm: Option<u32>,
) -> Result<(), SetupError> {
    let mut tx = pool.begin().await?;
    let mut locked = lock(&mut tx, clinic)
        .await?
        .ok_or_else(|| SetupError::one("unknown_clinic", format!("no clinic with BIN {clinic}")))?;
    write_district(&mut tx, &mut locked, number, kind, list_norm)
        .await?
        .map_err(SetupError::Refused)?;
    bump(&mut tx, locked.id).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_district`] on a clinic locked in the caller's transaction.
async fn write_district(
    tx: &mut PgConnection,
    clinic: &mut Locked,
    number: u32,
    kind: DistrictKind,
    list_norm: Option<u32>,
) -> Result<Result<(), Vec<Problem>>, RegistryError> {
    if number == 0 {
        return Ok(Err(vec![Problem {
            line: None,
            code: "bad_district_number",
            reason: "district numbers start at 1".into(),
        }]));
    }
    match clinic.districts.iter_mut().find(|(_, d)| d.number == number) {
        Some((_, district)) => {
            district.kind = kind;
            district.list_norm = list_norm;
        }
        None => clinic.districts.push((
            0,
            District {
                number,
                kind,
                list_norm,
                coverage: Vec::new(),
            },
        )),
    }
    let districts: Vec<District> = clinic.districts.iter().map(|(_, d)| d.clone()).collect();
    let problems = conflicts_as_problems(&districts, |_, _| None);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    sqlx::query(
        "INSERT INTO district (clinic_id, number, kind, list_norm) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (clinic_id, number) DO UPDATE SET kind = EXCLUDED.kind, list_norm = EXCLUDED.list_norm",
    )
    .bind(clinic.id)
    .bind(i32::try_from(number).unwrap_or(i32::MAX))
    .bind(kind.as_str())
    .bind(list_norm.map(|n| i32::try_from(n).unwrap_or(i32::MAX)))
    .execute(&mut *tx)
    .await?;
    Ok(Ok(()))
}

/// Sets a whole unit at once — the profile, its districts with their
/// coverage (replaced), its staff (added or replaced by IIN) — checked as
/// the imports check it: a demo region, a test's clinic, a clinic moved from
/// another system.
pub async fn load_unit(pool: &PgPool, unit: &ClinicUnit) -> Result<i64, SetupError> {
    let id = set_clinic(pool, &unit.profile).await?;
    let mut problems = super::write::conflicts_as_problems(&unit.districts, |_, _| None);
    let numbers: Vec<u32> = unit.districts.iter().map(|d| d.number).collect();
    for district in &unit.districts {
        for area in &district.coverage {
            if let Err(error) = area.check() {
                problems.push(Problem {
                    line: None,
                    code: error.code(),
                    reason: format!("district {}: {error}", district.number),
                });
            }
        }
    }
    for member in &unit.staff {
        if let Err(error) = member.check(&numbers) {
            problems.push(Problem {
                line: None,
                code: error.code(),
                reason: format!("staff {}: {error}", member.iin),
            });
        }
    }
    if !problems.is_empty() {
        return Err(SetupError::Refused(problems));
    }
    let mut tx = pool.begin().await?;
    let _ = lock(&mut tx, &unit.profile.bin).await?;
    for district in &unit.districts {
        sqlx::query(
            "INSERT INTO district (clinic_id, number, kind, list_norm) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (clinic_id, number) DO UPDATE SET kind = EXCLUDED.kind, list_norm = EXCLUDED.list_norm",
        )
        .bind(id)
        .bind(i32::try_from(district.number).unwrap_or(i32::MAX))
        .bind(district.kind.as_str())
        .bind(district.list_norm.map(|n| i32::try_from(n).unwrap_or(i32::MAX)))
        .execute(&mut *tx)
        .await?;
    }
    let district_ids: HashMap<u32, i64> =
        sqlx::query_as::<_, (i32, i64)>("SELECT number, id FROM district WHERE clinic_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .filter_map(|(number, id)| u32::try_from(number).ok().map(|n| (n, id)))
            .collect();
    let named: Vec<i64> = unit
        .districts
        .iter()
        .filter_map(|d| district_ids.get(&d.number).copied())
        .collect();
    let areas: Vec<(i64, &emhana_domain::organization::CoveredArea)> = unit
        .districts
        .iter()
        .flat_map(|d| {
            let id = district_ids.get(&d.number).copied().unwrap_or(0);
            d.coverage.iter().map(move |area| (id, area))
        })
        .collect();
    replace_coverage(&mut tx, &named, &areas).await?;
    let members: Vec<&StaffMember> = unit.staff.iter().collect();
    upsert_staff(&mut tx, id, &members, &district_ids).await?;
    // the unit's accounts as given (a seeded region's: the demo's password)
    for account in &unit.accounts {
        let staff_id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM staff WHERE clinic_id = $1 AND iin = $2")
                .bind(id)
                .bind(&account.iin)
                .fetch_optional(&mut *tx)
                .await?;
        let staff_id = staff_id.ok_or_else(|| {
            SetupError::one(
                "not_staff",
                format!(
                    "account {}: not on the staff of {}",
                    account.iin, unit.profile.bin
                ),
            )
        })?;
        super::accounts::write_account(
            &mut tx,
            staff_id,
            &account.password_hash,
            Some(account.disabled),
            None,
            account.changed_at,
        )
        .await?;
    }
    bump(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Applies a change the head made at a workstation of `own_clinic`, inside
/// the push's transaction, with the rules an import passes; the problems
/// when it breaks one (nothing written then).
pub(crate) async fn apply_change(
    tx: &mut PgConnection,
    own_clinic: i64,
    unit_bin: &str,
    change: &emhana_protocol::OrganizationChange,
) -> Result<Result<(), Vec<Problem>>, RegistryError> {
    use emhana_protocol::OrganizationChange;
    let refuse = |code: &'static str, reason: String| {
        Ok(Err(vec![Problem {
            line: None,
            code,
            reason,
        }]))
    };
    let Ok(bin) = Bin::parse(unit_bin) else {
        return refuse("not_our_clinic", format!("{unit_bin:?} is not a BIN"));
    };
    // the workstation's own clinic, or a post it runs
    let ours: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM clinic WHERE bin = $1 AND (id = $2 OR parent_id = $2))",
    )
    .bind(unit_bin)
    .bind(own_clinic)
    .fetch_one(&mut *tx)
    .await?;
    if !ours {
        return refuse(
            "not_our_clinic",
            format!("{unit_bin} is neither this clinic nor a post it runs"),
        );
    }
    let Some(mut clinic) = lock(&mut *tx, &bin).await? else {
        return refuse("not_our_clinic", format!("no clinic with BIN {unit_bin}"));
    };
    match change {
        OrganizationChange::Staff { member } => {
            if let Err(error) = member.check(&clinic.district_numbers()) {
                return refuse(error.code(), error.to_string());
            }
            upsert_staff(&mut *tx, clinic.id, &[member], &clinic.district_ids()).await?;
        }
        OrganizationChange::District {
            number,
            kind,
            list_norm,
        } => {
            if let Err(problems) = write_district(&mut *tx, &mut clinic, *number, *kind, *list_norm).await? {
                return Ok(Err(problems));
            }
        }
        OrganizationChange::Coverage { district, areas } => {
            let Some(index) = clinic.districts.iter().position(|(_, d)| d.number == *district) else {
                return refuse(
                    "not_our_district",
                    format!("district {district} is not a district of clinic {unit_bin}"),
                );
            };
            for area in areas {
                if let Err(error) = area.check() {
                    return refuse(error.code(), error.to_string());
                }
            }
            clinic.districts[index].1.coverage = areas.clone();
            let districts: Vec<District> = clinic.districts.iter().map(|(_, d)| d.clone()).collect();
            let problems = conflicts_as_problems(&districts, |_, _| None);
            if !problems.is_empty() {
                return Ok(Err(problems));
            }
            let district_id = clinic.districts[index].0;
            let rows: Vec<(i64, &emhana_domain::organization::CoveredArea)> =
                areas.iter().map(|area| (district_id, area)).collect();
            replace_coverage(&mut *tx, &[district_id], &rows).await?;
        }
    }
    bump(&mut *tx, clinic.id).await?;
    Ok(Ok(()))
}
