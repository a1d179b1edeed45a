//! Bulk loading of a clinic and its population (the demo clinic, benchmarks,
//! and later the first sync). Each call is one transaction: a batch lands
//! whole or not at all.

use chrono::NaiveDate;
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::{
    Address, Bin, ClinicKind, DistrictKind, Iin, Person, SEARCH_FOLD_VERSION, StaffRole, full_name,
    search_words,
};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::error::StoreError;

/// Rows per INSERT statement: well under SQLite's 32,766 bound variables.
const ROWS_PER_STATEMENT: usize = 400;

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
                    "INSERT INTO district_coverage (district_id, settlement, street, house_from, house_to) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
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

    for chunk in person_rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO person (id, iin, surname, first_name, patronymic, birth_date, sex, citizenship, \
             household_id, settlement, street, house, apartment, phone) ",
        );
        insert.push_values(chunk, |mut row, (id, household_id, person)| {
            let address = person.address.as_ref();
            row.push_bind(*id)
                .push_bind(person.iin.to_string())
                .push_bind(&person.surname)
                .push_bind(&person.first_name)
                .push_bind(&person.patronymic)
                .push_bind(person.birth_date)
                .push_bind(person.sex.as_str())
                .push_bind(person.citizenship.as_str())
                .push_bind(*household_id)
                .push_bind(address.map(|a| a.settlement.clone()))
                .push_bind(address.map(|a| a.street.clone()))
                .push_bind(address.map(|a| a.house.clone()))
                .push_bind(address.and_then(|a| a.apartment.clone()))
                .push_bind(&person.phone);
        });
        insert.build().execute(&mut *conn).await?;
        insert_search_keys(conn, chunk.iter().map(|(id, _, person)| (*id, *person))).await?;
    }

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

/// Writes the words and the phrase search reads for each person.
pub(crate) async fn insert_search_keys<'a>(
    conn: &mut SqliteConnection,
    persons: impl Iterator<Item = (i64, &'a Person)>,
) -> Result<(), StoreError> {
    insert_name_keys(conn, persons.map(|(id, person)| (id, person.full_name()))).await
}

/// Persons whose search keys are rebuilt in one read and one write.
const REFOLD_BATCH: i64 = 20_000;

/// Rebuilds every person's search keys when they were folded by another
/// version of [`emhana_domain::fold_for_search`] than this build's, in one
/// transaction (a crash leaves the old keys, rebuilt at the next open).
/// Returns how many persons were re-indexed (0 when the keys were current).
pub(crate) async fn refold_search_keys(pool: &sqlx::SqlitePool) -> Result<u64, StoreError> {
    let current = SEARCH_FOLD_VERSION.to_string();
    let mut tx = pool.begin().await?;
    let stored = crate::settings::setting(&mut *tx, "search_fold").await?;
    if stored.as_deref() == Some(current.as_str()) {
        return Ok(0);
    }
    sqlx::query("DELETE FROM person_name_word")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM person_name_phrase")
        .execute(&mut *tx)
        .await?;
    let mut after = i64::MIN;
    let mut rebuilt = 0u64;
    loop {
        let names: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, surname, first_name, patronymic FROM person WHERE id > ?1 ORDER BY id LIMIT ?2",
        )
        .bind(after)
        .bind(REFOLD_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = names.last() else { break };
        after = last.0;
        rebuilt += names.len() as u64;
        insert_name_keys(
            &mut tx,
            names.into_iter().map(|(id, surname, first, patronymic)| {
                (id, full_name(&surname, &first, patronymic.as_deref()))
            }),
        )
        .await?;
    }
    crate::settings::set_setting(&mut *tx, "search_fold", &current).await?;
    tx.commit().await?;
    Ok(rebuilt)
}

async fn insert_name_keys(
    conn: &mut SqliteConnection,
    persons: impl Iterator<Item = (i64, String)>,
) -> Result<(), StoreError> {
    let mut words: Vec<(String, i64)> = Vec::new();
    let mut phrases: Vec<(String, i64)> = Vec::new();
    for (id, full_name) in persons {
        // The phrase is the folded words in document order; the word keys, each once.
        let mut own = search_words(&full_name);
        phrases.push((own.join(" "), id));
        own.sort();
        own.dedup();
        words.extend(own.into_iter().map(|w| (w, id)));
    }
    for (table, column, rows) in [
        ("person_name_word", "word", &words),
        ("person_name_phrase", "phrase", &phrases),
    ] {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut insert: QueryBuilder<Sqlite> =
                QueryBuilder::new(format!("INSERT INTO {table} ({column}, person_id) "));
            insert.push_values(chunk, |mut row, (key, id)| {
                row.push_bind(key).push_bind(*id);
            });
            insert.build().execute(&mut *conn).await?;
        }
    }
    Ok(())
}
