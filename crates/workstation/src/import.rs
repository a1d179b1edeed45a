//! Bulk loading of a clinic and its population (the demo clinic, benchmarks,
//! and later the first sync). Each call is one transaction: a batch lands
//! whole or not at all.

use chrono::NaiveDate;
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::{Address, Bin, ClinicKind, DistrictKind, Iin, Person, StaffRole};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::Workstation;
use crate::error::StoreError;
use crate::store::{self, ROWS_PER_STATEMENT};

/// Rows per INSERT statement: well under SQLite's 32,766 bound variables.

#[derive(Debug, Clone)]
pub struct ClinicRecord {
    pub bin: Bin,
    pub name_kk: String,
    pub name_ru: String,
    pub kind: ClinicKind,
    pub settlement: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
    /// The clinic this workstation belongs to.
    pub is_home: bool,
    pub districts: Vec<DistrictRecord>,
    pub staff: Vec<StaffRecord>,
}

#[derive(Debug, Clone)]
pub struct DistrictRecord {
    pub number: u32,
    pub kind: DistrictKind,
    pub coverage: Vec<CoverageRecord>,
}

/// A street's house range, both ends included.
#[derive(Debug, Clone)]
pub struct CoverageRecord {
    pub settlement: String,
    pub street: String,
    pub house_from: u32,
    pub house_to: u32,
}

#[derive(Debug, Clone)]
pub struct StaffRecord {
    pub iin: Iin,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub role: StaffRole,
    pub specialty: Option<String>,
    /// The district (by number in its clinic) a district doctor or nurse serves.
    pub district_number: Option<u32>,
    pub phone: Option<String>,
}

/// People living together at one address.
#[derive(Debug, Clone)]
pub struct HouseholdRecord {
    pub address: Address,
    pub members: Vec<Person>,
    /// Each member's current attachment, in the order of `members`; members
    /// past the end of this list are not attached anywhere.
    pub attachments: Vec<Option<AttachmentRecord>>,
}

/// An attachment in force, as the registry knows it.
#[derive(Debug, Clone)]
pub struct AttachmentRecord {
    pub clinic_bin: Bin,
    /// The district, by number in that clinic.
    pub district_number: u32,
    pub ground: AttachmentGround,
    pub decided_on: NaiveDate,
}

pub(crate) async fn clinics(conn: &mut SqliteConnection, clinics: &[ClinicRecord]) -> Result<(), StoreError> {
    for clinic in clinics {
        let clinic_id: i64 = sqlx::query_scalar(
            "INSERT INTO clinic (bin, name_kk, name_ru, kind, settlement, address, phone, hours, is_home) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        )
        .bind(clinic.bin.to_string())
        .bind(&clinic.name_kk)
        .bind(&clinic.name_ru)
        .bind(clinic.kind.as_str())
        .bind(&clinic.settlement)
        .bind(&clinic.address)
        .bind(&clinic.phone)
        .bind(&clinic.hours)
        .bind(clinic.is_home)
        .fetch_one(&mut *conn)
        .await?;
        let mut district_ids = std::collections::HashMap::new();
        for district in &clinic.districts {
            let district_id: i64 = sqlx::query_scalar(
                "INSERT INTO district (clinic_id, number, kind) VALUES (?1, ?2, ?3) RETURNING id",
            )
            .bind(clinic_id)
            .bind(district.number)
            .bind(district.kind.as_str())
            .fetch_one(&mut *conn)
            .await?;
            district_ids.insert(district.number, district_id);
            for range in &district.coverage {
                sqlx::query(
                    "INSERT INTO district_coverage (district_id, settlement, street, house_from, house_to, parity) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 'all')",
                )
                .bind(district_id)
                .bind(&range.settlement)
                .bind(&range.street)
                .bind(range.house_from)
                .bind(range.house_to)
                .execute(&mut *conn)
                .await?;
            }
        }
        for member in &clinic.staff {
            let district_id = match member.district_number {
                Some(number) => Some(*district_ids.get(&number).ok_or_else(|| StoreError::Corrupt {
                    detail: format!(
                        "staff {} names district {number}, which the clinic does not have",
                        member.iin
                    ),
                })?),
                None => None,
            };
            sqlx::query(
                "INSERT INTO staff (clinic_id, iin, surname, first_name, patronymic, role, specialty, district_id, phone) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(clinic_id)
            .bind(member.iin.to_string())
            .bind(&member.surname)
            .bind(&member.first_name)
            .bind(&member.patronymic)
            .bind(member.role.as_str())
            .bind(&member.specialty)
            .bind(district_id)
            .bind(&member.phone)
            .execute(&mut *conn)
            .await?;
        }
        // one role and at most one district each, as the registry's lists would hold them
        sqlx::query(
            "INSERT INTO staff_role (staff_id, role) SELECT id, role FROM staff WHERE clinic_id = ?1",
        )
        .bind(clinic_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO staff_district (staff_id, district_id) SELECT id, district_id FROM staff \
             WHERE clinic_id = ?1 AND district_id IS NOT NULL",
        )
        .bind(clinic_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn households(
    conn: &mut SqliteConnection,
    households: &[HouseholdRecord],
) -> Result<usize, StoreError> {
    let next_household: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM household")
        .fetch_one(&mut *conn)
        .await?;
    let next_person: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM person")
        .fetch_one(&mut *conn)
        .await?;

    // Ids are assigned here, inside the transaction, so the search keys can name their persons.
    let mut household_rows = Vec::with_capacity(households.len());
    let mut person_rows = Vec::new();
    let mut attachment_rows = Vec::new();
    let mut person_id = next_person;
    for (household_id, household) in (next_household..).zip(households) {
        household_rows.push((household_id, &household.address));
        for (index, member) in household.members.iter().enumerate() {
            person_rows.push((person_id, household_id, member));
            if let Some(Some(attachment)) = household.attachments.get(index) {
                attachment_rows.push((person_id, member, attachment));
            }
            person_id += 1;
        }
    }

    for chunk in household_rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO household (id, settlement, street, house, apartment) ");
        insert.push_values(chunk, |mut row, (id, address)| {
            row.push_bind(*id)
                .push_bind(&address.settlement)
                .push_bind(&address.street)
                .push_bind(&address.house)
                .push_bind(&address.apartment);
        });
        insert.build().execute(&mut *conn).await?;
    }

    let rows: Vec<store::NewPerson<'_>> = person_rows
        .iter()
        .map(|(id, household_id, person)| store::NewPerson {
            id: *id,
            person,
            household_id: Some(*household_id),
            died_on: None,
        })
        .collect();
    store::insert_persons(conn, &rows).await?;
    store::insert_search_keys(conn, person_rows.iter().map(|(id, _, person)| (*id, *person))).await?;

    // District ids by (clinic BIN, district number), read once for the batch.
    let districts: Vec<(String, u32, i64, i64)> = sqlx::query_as(
        "SELECT c.bin, d.number, d.clinic_id, d.id FROM district d JOIN clinic c ON c.id = d.clinic_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let districts: std::collections::HashMap<(String, u32), (i64, i64)> = districts
        .into_iter()
        .map(|(bin, number, clinic_id, district_id)| ((bin, number), (clinic_id, district_id)))
        .collect();
    for chunk in attachment_rows.chunks(ROWS_PER_STATEMENT) {
        let mut rows = Vec::with_capacity(chunk.len());
        for (person_id, person, attachment) in chunk {
            let key = (attachment.clinic_bin.to_string(), attachment.district_number);
            let &(clinic_id, district_id) = districts.get(&key).ok_or_else(|| StoreError::Corrupt {
                detail: format!(
                    "person {} is attached to district {} of clinic {}, which is not loaded",
                    person.iin, key.1, key.0
                ),
            })?;
            // attached from the decision, or from birth when born later
            let started_on = attachment.decided_on.max(person.birth_date);
            rows.push((*person_id, clinic_id, district_id, attachment, started_on));
        }
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO attachment (person_id, clinic_id, district_id, ground, decided_on, started_on) ",
        );
        insert.push_values(
            rows,
            |mut row, (person_id, clinic_id, district_id, attachment, started_on)| {
                row.push_bind(person_id)
                    .push_bind(clinic_id)
                    .push_bind(district_id)
                    .push_bind(attachment.ground.as_str())
                    .push_bind(started_on)
                    .push_bind(started_on);
            },
        );
        insert.build().execute(&mut *conn).await?;
    }
    Ok(person_rows.len())
}

/// Loading a clinic and its population in bulk (the demo clinic, the registry's first sync).
impl Workstation {
    /// Loads clinics with their districts, coverage and staff, in one transaction.
    pub async fn import_clinics(&self, clinics: &[ClinicRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        self::clinics(&mut tx, clinics).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads households and their members, in one transaction; returns the persons written.
    pub async fn import_households(&self, households: &[HouseholdRecord]) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let written = self::households(&mut tx, households).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// The ids of persons known here, by IIN (those not known are left out).
    pub async fn person_ids(
        &self,
        iins: &[String],
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let mut ids = std::collections::HashMap::with_capacity(iins.len());
        for chunk in iins.chunks(500) {
            let mut query =
                sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT iin, id FROM person WHERE iin IN (");
            let mut list = query.separated(", ");
            for iin in chunk {
                list.push_bind(iin);
            }
            query.push(")");
            let rows: Vec<(String, i64)> = query.build_query_as().fetch_all(&self.pool).await?;
            ids.extend(rows);
        }
        Ok(ids)
    }
}
