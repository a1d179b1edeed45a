//! The clinic's organization as this PC holds it, for the clinic screen: the
//! clinic and the clinic that runs it, its districts with what each covers
//! and who serves it, its staff, and the posts it runs. The registry owns it
//! (`store::write_organization` takes it at every sync round).

use chrono::NaiveDate;
use emhana_domain::organization::{CoveredArea, District, coverage_conflicts};
use emhana_domain::{ClinicKind, DistrictKind, StaffRole};
use emhana_protocol::{ChangeOrganizationOp, OpBody, OrganizationChange, OrganizationProblem};
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::Workstation;
use crate::error::{StoreError, corrupt};
use crate::store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrganizationView {
    pub clinic: ClinicView,
    /// The clinic that runs this one, when this one is a post.
    pub parent: Option<ClinicView>,
    pub districts: Vec<DistrictView>,
    /// By surname; also those who no longer work here.
    pub staff: Vec<StaffView>,
    /// The posts this clinic runs, with their districts and staff.
    pub posts: Vec<PostView>,
    /// The registry's version this PC holds; none when the clinic was loaded
    /// here (the demo) and never taken from a registry.
    pub version: Option<i64>,
    /// Changes made here that the registry has not answered yet: they show
    /// in the organization once it has applied them and the PC has synced.
    pub pending: Vec<PendingChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PendingChange {
    pub op: String,
    pub made_at: chrono::DateTime<chrono::Utc>,
    pub unit_bin: String,
    pub change: OrganizationChange,
    /// Not sent yet (`local`) or sent and not answered (`sent`).
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ClinicView {
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
    pub kind: ClinicKind,
    pub region: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DistrictView {
    pub id: i64,
    pub number: u32,
    pub kind: DistrictKind,
    /// Its own list norm, when the organization sets one (else the clinic's for its kind).
    pub list_norm: Option<u32>,
    pub coverage: Vec<CoveredArea>,
    /// Who serves it, by name, doctors first.
    pub staff: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StaffView {
    pub id: i64,
    pub iin: String,
    pub full_name: String,
    pub roles: Vec<StaffRole>,
    pub specialty: Option<String>,
    pub districts: Vec<u32>,
    pub room: Option<String>,
    pub phone: Option<String>,
    pub works_from: Option<NaiveDate>,
    pub works_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PostView {
    pub clinic: ClinicView,
    pub districts: Vec<DistrictView>,
    pub staff: Vec<StaffView>,
}

impl Workstation {
    /// The clinic's organization as this PC holds it.
    pub async fn organization(&self) -> Result<OrganizationView, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let home = store::home_clinic(&mut conn).await?;
        #[derive(sqlx::FromRow)]
        struct ClinicRow {
            id: i64,
            bin: String,
            name_kk: String,
            name_ru: String,
            kind: String,
            region: String,
            address: String,
            phone: String,
            hours: String,
        }
        let clinics: Vec<ClinicRow> = sqlx::query_as(
            "SELECT id, bin, name_kk, name_ru, kind, region, address, phone, hours FROM clinic \
             WHERE id = ?1 OR parent_id = ?1 OR id = (SELECT parent_id FROM clinic WHERE id = ?1) \
             ORDER BY id = ?1 DESC, parent_id IS ?1 DESC, bin",
        )
        .bind(home.id)
        .fetch_all(&mut *conn)
        .await?;
        let mut clinic = None;
        let mut parent = None;
        let mut posts = Vec::new();
        let parent_id: Option<i64> = sqlx::query_scalar("SELECT parent_id FROM clinic WHERE id = ?1")
            .bind(home.id)
            .fetch_one(&mut *conn)
            .await?;
        for row in clinics {
            let view = ClinicView {
                kind: ClinicKind::parse(&row.kind).ok_or_else(|| corrupt("clinic.kind", &row.kind))?,
                bin: row.bin,
                name_kk: row.name_kk,
                name_ru: row.name_ru,
                region: row.region,
                address: row.address,
                phone: row.phone,
                hours: row.hours,
            };
            if row.id == home.id {
                clinic = Some(view);
            } else if Some(row.id) == parent_id {
                parent = Some(view);
            } else {
                posts.push(PostView {
                    districts: districts(&mut conn, row.id).await?,
                    staff: staff(&mut conn, row.id).await?,
                    clinic: view,
                });
            }
        }
        let clinic = clinic.ok_or(StoreError::NoHomeClinic)?;
        Ok(OrganizationView {
            districts: districts(&mut conn, home.id).await?,
            staff: staff(&mut conn, home.id).await?,
            clinic,
            parent,
            posts,
            version: store::organization_version(&mut conn).await?,
            pending: pending(&mut conn).await?,
        })
    }

    /// Sends a change of the organization to the registry (an op): a member
    /// of staff, a district, a district's coverage, of this clinic
    /// (`unit_bin` none) or of a post it runs. Checked here first with the
    /// rules the registry applies, against this PC's copy; the registry
    /// checks it again against its own. The organization shows it once the
    /// registry has applied it and the PC has synced.
    pub async fn change_organization(
        &self,
        unit_bin: Option<&str>,
        change: &OrganizationChange,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<uuid::Uuid, StoreError> {
        let staff_id = Some(
            self.require(emhana_domain::access::Action::EditOrganization)
                .await?
                .staff_id,
        );
        let mut tx = self.pool.begin().await?;
        let home = store::home_clinic(&mut tx).await?;
        let unit_bin = unit_bin.unwrap_or(&home.bin).to_owned();
        let unit: Option<i64> =
            sqlx::query_scalar("SELECT id FROM clinic WHERE bin = ?1 AND (id = ?2 OR parent_id = ?2)")
                .bind(&unit_bin)
                .bind(home.id)
                .fetch_optional(&mut *tx)
                .await?;
        let refuse = |code: &str, reason: String| StoreError::OrganizationRefused {
            problems: vec![OrganizationProblem {
                code: code.to_owned(),
                reason,
            }],
        };
        let unit = unit.ok_or_else(|| {
            refuse(
                "not_our_clinic",
                format!("{unit_bin} is not this clinic or its post"),
            )
        })?;
        let mut districts: Vec<District> = districts(&mut tx, unit)
            .await?
            .into_iter()
            .map(|d| District {
                number: d.number,
                kind: d.kind,
                list_norm: d.list_norm,
                coverage: d.coverage,
            })
            .collect();
        // the changes already sent from here count as made: two coverage
        // changes waiting together must agree with each other too
        for waiting in pending(&mut tx).await? {
            if waiting.unit_bin == unit_bin {
                fold(&mut districts, &waiting.change);
            }
        }
        match change {
            OrganizationChange::Staff { member } => {
                let numbers: Vec<u32> = districts.iter().map(|d| d.number).collect();
                member
                    .check(&numbers)
                    .map_err(|error| refuse(error.code(), error.to_string()))?;
            }
            OrganizationChange::District { number, .. } => {
                if *number == 0 {
                    return Err(refuse(
                        "bad_district_number",
                        "district numbers start at 1".into(),
                    ));
                }
                fold(&mut districts, change);
            }
            OrganizationChange::Coverage { district, areas } => {
                for area in areas {
                    area.check()
                        .map_err(|error| refuse(error.code(), error.to_string()))?;
                }
                if !districts.iter().any(|d| d.number == *district) {
                    return Err(refuse(
                        "not_our_district",
                        format!("district {district} is not a district of {unit_bin}"),
                    ));
                }
                fold(&mut districts, change);
            }
        }
        let conflicts = coverage_conflicts(&districts);
        if !conflicts.is_empty() {
            return Err(StoreError::OrganizationRefused {
                problems: conflicts
                    .iter()
                    .map(|c| OrganizationProblem {
                        code: "coverage_overlap".into(),
                        reason: format!("district {} overlaps district {}", c.district, c.other_district),
                    })
                    .collect(),
            });
        }
        let body = OpBody::ChangeOrganization(Box::new(ChangeOrganizationOp {
            clinic_bin: home.bin.clone(),
            unit_bin,
            change: change.clone(),
        }));
        let id = store::record_op(&mut tx, now, staff_id, &body, store::OpLinks::default()).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// A district or coverage change laid over the districts as they stand.
fn fold(districts: &mut Vec<District>, change: &OrganizationChange) {
    match change {
        OrganizationChange::Staff { .. } => {}
        OrganizationChange::District {
            number,
            kind,
            list_norm,
        } => match districts.iter_mut().find(|d| d.number == *number) {
            Some(district) => {
                district.kind = *kind;
                district.list_norm = *list_norm;
            }
            None => districts.push(District {
                number: *number,
                kind: *kind,
                list_norm: *list_norm,
                coverage: Vec::new(),
            }),
        },
        OrganizationChange::Coverage { district, areas } => {
            if let Some(target) = districts.iter_mut().find(|d| d.number == *district) {
                target.coverage = areas.clone();
            }
        }
    }
}

async fn pending(conn: &mut SqliteConnection) -> Result<Vec<PendingChange>, StoreError> {
    let rows: Vec<(String, chrono::DateTime<chrono::Utc>, String, String)> = sqlx::query_as(
        "SELECT id, made_at, body, state FROM outbox WHERE kind = 'change_organization' \
         AND state IN ('local', 'sent') ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut changes = Vec::with_capacity(rows.len());
    for (op, made_at, body, state) in rows {
        let body: OpBody = serde_json::from_str(&body).map_err(|_| corrupt("outbox.body", &op))?;
        if let OpBody::ChangeOrganization(change) = body {
            changes.push(PendingChange {
                op,
                made_at,
                unit_bin: change.unit_bin,
                change: change.change,
                state,
            });
        }
    }
    Ok(changes)
}

async fn districts(conn: &mut SqliteConnection, clinic_id: i64) -> Result<Vec<DistrictView>, StoreError> {
    let rows: Vec<(i64, u32, String, Option<u32>)> = sqlx::query_as(
        "SELECT id, number, kind, list_norm FROM district WHERE clinic_id = ?1 ORDER BY number",
    )
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    let areas = store::clinic_coverage(&mut *conn, clinic_id).await?;
    let serving: Vec<(i64, String)> = sqlx::query_as(concat!(
        "SELECT sd.district_id, ",
        full_name_sql!("s"),
        " FROM staff_district sd JOIN staff s ON s.id = sd.staff_id \
         WHERE s.clinic_id = ?1 ORDER BY sd.district_id, ",
        has_role_sql!("s", "'district_doctor', 'feldsher'"),
        " DESC, s.surname, s.id"
    ))
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, number, kind, list_norm)| {
            Ok(DistrictView {
                id,
                number,
                kind: DistrictKind::parse(&kind).ok_or_else(|| corrupt("district.kind", &kind))?,
                list_norm,
                coverage: areas
                    .iter()
                    .filter(|c| c.district_id == id)
                    .map(|c| c.area.clone())
                    .collect(),
                staff: serving
                    .iter()
                    .filter(|(district, _)| *district == id)
                    .map(|(_, name)| name.clone())
                    .collect(),
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    iin: String,
    full_name: String,
    role: String,
    roles: String,
    specialty: Option<String>,
    districts: Option<String>,
    room: Option<String>,
    phone: Option<String>,
    works_from: Option<NaiveDate>,
    works_to: Option<NaiveDate>,
}

async fn staff(conn: &mut SqliteConnection, clinic_id: i64) -> Result<Vec<StaffView>, StoreError> {
    let rows: Vec<StaffRow> = sqlx::query_as(concat!(
        "SELECT s.id, s.iin, ",
        full_name_sql!("s"),
        " AS full_name, s.role, \
           coalesce((SELECT group_concat(r.role, ' ') FROM staff_role r WHERE r.staff_id = s.id), '') AS roles, \
           s.specialty, \
           (SELECT group_concat(number, ' ') FROM (SELECT d.number FROM staff_district sd \
              JOIN district d ON d.id = sd.district_id WHERE sd.staff_id = s.id ORDER BY sd.position, d.number)) AS districts, \
           s.room, s.phone, s.works_from, s.works_to \
         FROM staff s WHERE s.clinic_id = ?1 ORDER BY s.surname, s.first_name, s.id"
    ))
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let first = StaffRole::parse(&row.role).ok_or_else(|| corrupt("staff.role", &row.role))?;
            // the first role first, then the others as kept
            let mut roles = vec![first];
            for text in row.roles.split_whitespace() {
                let role = StaffRole::parse(text).ok_or_else(|| corrupt("staff_role.role", text))?;
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            Ok(StaffView {
                id: row.id,
                iin: row.iin,
                full_name: row.full_name,
                roles,
                specialty: row.specialty,
                districts: row
                    .districts
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect(),
                room: row.room,
                phone: row.phone,
                works_from: row.works_from,
                works_to: row.works_to,
            })
        })
        .collect()
}
