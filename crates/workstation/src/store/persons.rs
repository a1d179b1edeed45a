//! The person row: read whole for a screen or as the registry reads it,
//! written from what the registry sends, and the name keys that search
//! reads, written beside it.

use chrono::NaiveDate;
use emhana_domain::{Address, Citizenship, Iin, Person, SEARCH_FOLD_VERSION, Sex, full_name, search_words};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use super::ROWS_PER_STATEMENT;
use crate::error::StoreError;

/// A person as the screens show them; read with [`person_columns!`].
#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub id: i64,
    pub iin: String,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub settlement: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
    pub apartment: Option<String>,
    pub phone: Option<String>,
}

impl PersonRow {
    pub(crate) fn sex(&self) -> Result<Sex, StoreError> {
        Sex::parse(&self.sex).ok_or_else(|| StoreError::Corrupt {
            detail: format!("person {} has sex {:?}", self.id, self.sex),
        })
    }

    pub(crate) fn full_name(&self) -> String {
        full_name(&self.surname, &self.first_name, self.patronymic.as_deref())
    }

    /// "Астана, Абай даңғылы, 12-5": settlement, street, house, apartment after a dash.
    pub(crate) fn address_line(&self) -> Option<String> {
        let (settlement, street, house) = (
            self.settlement.as_ref()?,
            self.street.as_ref()?,
            self.house.as_ref()?,
        );
        Some(match &self.apartment {
            Some(apartment) => format!("{settlement}, {street}, {house}-{apartment}"),
            None => format!("{settlement}, {street}, {house}"),
        })
    }
}

/// A person written whole with the id chosen for them: a clinic's population
/// loaded in bulk, or persons the registry sent that this workstation did
/// not know (the first sync).
pub(crate) struct NewPerson<'a> {
    pub id: i64,
    pub person: &'a Person,
    pub household_id: Option<i64>,
    pub died_on: Option<NaiveDate>,
}

/// Writes the persons in multi-row inserts (their search keys are the caller's).
pub(crate) async fn insert_persons(
    conn: &mut SqliteConnection,
    persons: &[NewPerson<'_>],
) -> Result<(), StoreError> {
    for chunk in persons.chunks(ROWS_PER_STATEMENT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO person (id, iin, surname, first_name, patronymic, birth_date, sex, citizenship, \
             household_id, settlement, street, house, apartment, phone, died_on) ",
        );
        insert.push_values(chunk, |mut row, new| {
            let person = new.person;
            let address = person.address.as_ref();
            row.push_bind(new.id)
                .push_bind(person.iin.to_string())
                .push_bind(&person.surname)
                .push_bind(&person.first_name)
                .push_bind(&person.patronymic)
                .push_bind(person.birth_date)
                .push_bind(person.sex.as_str())
                .push_bind(person.citizenship.as_str())
                .push_bind(new.household_id)
                .push_bind(address.map(|a| a.settlement.clone()))
                .push_bind(address.map(|a| a.street.clone()))
                .push_bind(address.map(|a| a.house.clone()))
                .push_bind(address.and_then(|a| a.apartment.clone()))
                .push_bind(&person.phone)
                .push_bind(new.died_on);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the registry's person over ours: names, dates and citizenship
/// from the registry; an address or phone only where it has one. The
/// search keys are rebuilt when the name changed. A person held here as
/// typed (not confirmed) whom the registry now gives with the state's data
/// (`from_state`) is confirmed, and each field the state spelled otherwise
/// is kept as a correction for the registrar to see.
pub(crate) async fn update_registry_person(
    conn: &mut SqliteConnection,
    person_id: i64,
    person: &Person,
    died_on: Option<NaiveDate>,
    from_state: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    type Held = (String, String, Option<String>, NaiveDate, String, String, i64);
    let held: Held = sqlx::query_as(
        "SELECT surname, first_name, patronymic, birth_date, sex, citizenship, unconfirmed FROM person WHERE id = ?1",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    let before = (held.0.clone(), held.1.clone(), held.2.clone());
    let contact_before = crate::person_changes::contact_of(conn, person_id).await?;
    if held.6 == 1 && from_state {
        let (held_birth, birth) = (held.3.to_string(), person.birth_date.to_string());
        let corrections: [(&str, Option<&str>, Option<&str>); 6] = [
            ("surname", Some(held.0.as_str()), Some(person.surname.as_str())),
            (
                "first_name",
                Some(held.1.as_str()),
                Some(person.first_name.as_str()),
            ),
            ("patronymic", held.2.as_deref(), person.patronymic.as_deref()),
            ("birth_date", Some(held_birth.as_str()), Some(birth.as_str())),
            ("sex", Some(held.4.as_str()), Some(person.sex.as_str())),
            (
                "citizenship",
                Some(held.5.as_str()),
                Some(person.citizenship.as_str()),
            ),
        ];
        for (field, typed, registry) in corrections {
            if typed != registry {
                sqlx::query(
                    "INSERT INTO person_correction (person_id, field, typed, registry, corrected_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .bind(person_id)
                .bind(field)
                .bind(typed)
                .bind(registry)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
        }
        sqlx::query("UPDATE person SET unconfirmed = 0 WHERE id = ?1")
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
    }
    let address = person.address.as_ref();
    // The registry (the state database) is the source of names and dates;
    // what it lacks (a phone, an address) the registrar's entry keeps.
    sqlx::query(
        "UPDATE person SET surname = ?2, first_name = ?3, patronymic = ?4, birth_date = ?5, sex = ?6, citizenship = ?7, \
         settlement = coalesce(?8, settlement), street = coalesce(?9, street), house = coalesce(?10, house), \
         apartment = CASE WHEN ?8 IS NULL THEN apartment ELSE ?11 END, phone = coalesce(?12, phone), \
         died_on = coalesce(?13, died_on) WHERE id = ?1",
    )
    .bind(person_id)
    .bind(&person.surname)
    .bind(&person.first_name)
    .bind(&person.patronymic)
    .bind(person.birth_date)
    .bind(person.sex.as_str())
    .bind(person.citizenship.as_str())
    .bind(address.map(|a| &a.settlement))
    .bind(address.map(|a| &a.street))
    .bind(address.map(|a| &a.house))
    .bind(address.and_then(|a| a.apartment.as_ref()))
    .bind(&person.phone)
    .bind(died_on)
    .execute(&mut *conn)
    .await?;
    if before
        != (
            person.surname.clone(),
            person.first_name.clone(),
            person.patronymic.clone(),
        )
    {
        for table in ["person_name_word", "person_name_phrase"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE person_id = ?1"
            )))
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
        }
        insert_search_keys(conn, std::iter::once((person_id, person))).await?;
    }
    crate::person_changes::record_registry_changes(conn, person_id, contact_before, now).await?;
    Ok(())
}

/// The person's row, or [`StoreError::PersonNotFound`].
pub(crate) async fn person_row(conn: &mut SqliteConnection, person_id: i64) -> Result<PersonRow, StoreError> {
    sqlx::query_as(concat!(
        "SELECT ",
        person_columns!(),
        " FROM person p WHERE p.id = ?1"
    ))
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::PersonNotFound { id: person_id })
}

pub(crate) async fn person_iin(conn: &mut SqliteConnection, person_id: i64) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT iin FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::PersonNotFound { id: person_id })
}

/// The person as the registry reads them.
pub(crate) async fn load_person(conn: &mut SqliteConnection, person_id: i64) -> Result<Person, StoreError> {
    #[allow(clippy::type_complexity)]
    let row: (String, String, String, Option<String>, NaiveDate, String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT iin, surname, first_name, patronymic, birth_date, sex, citizenship, settlement, street, house, \
             apartment, phone FROM person WHERE id = ?1",
        )
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::PersonNotFound { id: person_id })?;
    let corrupt = |what: &str| StoreError::Corrupt {
        detail: format!("person {person_id} {what}"),
    };
    let (
        iin,
        surname,
        first_name,
        patronymic,
        birth_date,
        sex,
        citizenship,
        settlement,
        street,
        house,
        apartment,
        phone,
    ) = row;
    let address = match (settlement, street, house) {
        (Some(settlement), Some(street), Some(house)) => Some(Address {
            settlement,
            street,
            house,
            apartment,
        }),
        _ => None,
    };
    Ok(Person {
        iin: Iin::parse(&iin).map_err(|_| corrupt("iin"))?,
        surname,
        first_name,
        patronymic,
        birth_date,
        sex: Sex::parse(&sex).ok_or_else(|| corrupt("sex"))?,
        citizenship: Citizenship::parse(&citizenship).ok_or_else(|| corrupt("citizenship"))?,
        address,
        phone,
    })
}

/// The person with this IIN here; added (with search keys, no attachment)
/// when this PC has never seen them — a record of the clinic (an emergency
/// call taken at another PC) may name someone outside its register.
pub(crate) async fn person_id_or_insert(
    conn: &mut SqliteConnection,
    person: &Person,
) -> Result<i64, StoreError> {
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE iin = ?1")
        .bind(person.iin.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = known {
        return Ok(id);
    }
    let id: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM person")
        .fetch_one(&mut *conn)
        .await?;
    let row = NewPerson {
        id,
        person,
        household_id: None,
        died_on: None,
    };
    insert_persons(&mut *conn, std::slice::from_ref(&row)).await?;
    insert_search_keys(conn, std::iter::once((id, person))).await?;
    Ok(id)
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
pub(crate) async fn refold_search_keys(pool: &SqlitePool) -> Result<u64, StoreError> {
    let current = SEARCH_FOLD_VERSION.to_string();
    let mut tx = pool.begin().await?;
    let stored = super::settings::setting(&mut *tx, "search_fold").await?;
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
    super::settings::set_setting(&mut *tx, "search_fold", &current).await?;
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
