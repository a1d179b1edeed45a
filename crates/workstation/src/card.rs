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
    /// The data is as typed here and the state person database has not
    /// confirmed it yet (registered where ГБД ФЛ could not be asked).
    pub unconfirmed: bool,
    /// What the state's data corrected of what was typed, newest first.
    pub corrections: Vec<PersonCorrection>,
    /// The document, temporary address, workplace and household links.
    pub details: crate::PersonDetails,
    /// The changes of the person's data made at the windows, newest first.
    pub changes: Vec<crate::PersonChangeEntry>,
    /// Who opened the card on this PC, newest first (this opening too), at
    /// most [`OPENINGS_SHOWN`]: a person's data is seen by those whose work
    /// needs it, and the card says who they were.
    pub opened_by: Vec<CardOpening>,
}

/// A field the state person database's data spelled otherwise than the
/// registration typed it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PersonCorrection {
    /// surname, first_name, patronymic, birth_date, sex, citizenship
    pub field: String,
    pub typed: Option<String>,
    pub registry: Option<String>,
    pub corrected_at: chrono::DateTime<chrono::Utc>,
}

/// How many of the card's last openings it lists.
pub const OPENINGS_SHOWN: i64 = 20;

/// One opening of a person's card.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CardOpening {
    pub at: chrono::DateTime<chrono::Utc>,
    /// The member of staff who opened it (`None`: nobody signed in, a system task).
    pub full_name: Option<String>,
    pub role: Option<emhana_domain::StaffRole>,
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

    let unconfirmed: i64 = sqlx::query_scalar("SELECT unconfirmed FROM person WHERE id = ?1")
        .bind(id)
        .fetch_one(pool)
        .await?;
    let corrections = sqlx::query_as::<_, (String, Option<String>, Option<String>, chrono::DateTime<chrono::Utc>)>(
        "SELECT field, typed, registry, corrected_at FROM person_correction WHERE person_id = ?1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(field, typed, registry, corrected_at)| PersonCorrection {
        field,
        typed,
        registry,
        corrected_at,
    })
    .collect();

    Ok(PersonCard {
        // the use case adds them, with its own opening
        opened_by: Vec::new(),
        unconfirmed: unconfirmed == 1,
        corrections,
        details: crate::PersonDetails::default(),
        changes: Vec::new(),
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

/// The audit log's name for an opening of a card.
const CARD_OPENED: &str = "card_opened";

async fn openings(pool: &SqlitePool, person_id: i64) -> Result<Vec<CardOpening>, StoreError> {
    let rows: Vec<(chrono::DateTime<chrono::Utc>, Option<String>, Option<String>)> = sqlx::query_as(concat!(
        "SELECT a.at, ",
        full_name_sql!("s"),
        ", s.role FROM audit_event a INDEXED BY audit_event_by_person LEFT JOIN staff s ON s.id = a.staff_id \
         WHERE a.person_id = ?1 AND a.action = ?2 ORDER BY a.id DESC LIMIT ?3"
    ))
    .bind(person_id)
    .bind(CARD_OPENED)
    .bind(OPENINGS_SHOWN)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, full_name, role)| CardOpening {
            at,
            full_name,
            role: role.as_deref().and_then(emhana_domain::StaffRole::parse),
        })
        .collect())
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
        let card = self::load(&self.pool, id, today).await?;
        // audited once it is known to exist, before it is shown
        self.audit_now(CARD_OPENED, Some(id), "{}").await?;
        Ok(PersonCard {
            opened_by: openings(&self.pool, id).await?,
            details: crate::person_changes::person_details(&self.pool, id).await?,
            changes: self.person_changes(id).await?,
            ..card
        })
    }
}
