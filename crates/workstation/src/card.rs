//! The person card the registrar opens from a search result.

use chrono::NaiveDate;
use emhana_domain::{Citizenship, Iin, Sex, age_on, format_phone};
use serde::Serialize;
use sqlx::SqlitePool;

use crate::Workstation;
use crate::error::StoreError;
use crate::store::PersonRow;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PersonCard {
    pub id: i64,
    pub iin: String,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    /// Full years on the day the card was opened.
    pub age: Option<u32>,
    pub sex: Sex,
    pub citizenship: Citizenship,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// False when the IIN carries a birth date or sex other than the entered
    /// ones (a warning to check the documents; foreigners' IINs may not carry any).
    pub iin_agrees: bool,
    pub household: Vec<HouseholdMember>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct HouseholdMember {
    pub id: i64,
    pub iin: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub age: Option<u32>,
    pub sex: Sex,
}

pub(crate) async fn load(pool: &SqlitePool, id: i64, today: NaiveDate) -> Result<PersonCard, StoreError> {
    const CARD: &str = concat!(
        "SELECT ",
        person_columns!(),
        ", p.citizenship, p.household_id FROM person p WHERE p.id = ?1"
    );
    let Some(CardRow {
        person,
        citizenship,
        household_id,
    }) = sqlx::query_as::<_, CardRow>(CARD)
        .bind(id)
        .fetch_optional(pool)
        .await?
    else {
        return Err(StoreError::PersonNotFound { id });
    };
    let citizenship = Citizenship::parse(&citizenship).ok_or_else(|| StoreError::Corrupt {
        detail: format!("person {id} has citizenship {citizenship:?}"),
    })?;
    let sex = person.sex()?;
    let iin_agrees = match Iin::parse(&person.iin).ok().and_then(|iin| iin.birth()) {
        Some(birth) => birth.birth_date == person.birth_date && birth.sex == sex,
        None => true,
    };

    let mut household = Vec::new();
    if let Some(household_id) = household_id {
        const MEMBERS: &str = concat!(
            "SELECT ",
            person_columns!(),
            " FROM person p WHERE p.household_id = ?1 AND p.id <> ?2 ORDER BY p.birth_date, p.id"
        );
        let members = sqlx::query_as::<_, PersonRow>(MEMBERS)
            .bind(household_id)
            .bind(id)
            .fetch_all(pool)
            .await?;
        for member in members {
            household.push(HouseholdMember {
                sex: member.sex()?,
                full_name: member.full_name(),
                age: age_on(member.birth_date, today),
                id: member.id,
                iin: member.iin,
                birth_date: member.birth_date,
            });
        }
    }

    Ok(PersonCard {
        full_name: person.full_name(),
        address: person.address_line(),
        phone: person.phone.as_deref().map(format_phone),
        age: age_on(person.birth_date, today),
        id: person.id,
        iin: person.iin,
        surname: person.surname,
        first_name: person.first_name,
        patronymic: person.patronymic,
        birth_date: person.birth_date,
        sex,
        citizenship,
        iin_agrees,
        household,
    })
}

#[derive(sqlx::FromRow)]
struct CardRow {
    #[sqlx(flatten)]
    person: PersonRow,
    citizenship: String,
    household_id: Option<i64>,
}

/// The person card.
impl Workstation {
    /// The person card as of `today` (the date in Kazakhstan), if the
    /// signed-in member of staff may open it.
    pub async fn person_card(&self, id: i64, today: NaiveDate) -> Result<PersonCard, StoreError> {
        self.require_may_see(id, today).await?;
        self::load(&self.pool, id, today).await
    }
}
