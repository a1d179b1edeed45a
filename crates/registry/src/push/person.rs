//! A person's data changed at a clinic's window — the address, the phone,
//! the document, the temporary address, the workplace, a household link:
//! checked as the registration form checks it, kept with the author and the
//! value before (`person_change`), and handed to every clinic the person is
//! attached to in its feed (the address and phone in the person's row, the
//! rest as the details in force, `person.details`).

use emhana_domain::registration::{ChangeFacts, PersonChange, Relation, check_person_change};
use emhana_domain::{Address, PersonProblem, Sex};
use emhana_protocol::{ChangePersonOp, Op, OpOutcome, RejectGround};
use sqlx::{PgConnection, Row};

use super::{PushContext, reject};
use crate::RegistryError;
use crate::auth::Workstation;
use crate::people::{ScopeTouch, person_from_row};

pub(super) async fn apply_change_person(
    tx: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
    change: &ChangePersonOp,
    context: &mut PushContext,
) -> Result<OpOutcome, RegistryError> {
    let row: Option<(i64, Option<chrono::NaiveDate>)> =
        sqlx::query_as("SELECT id, died_on FROM person WHERE iin = $1 FOR UPDATE")
            .bind(&change.iin)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((person_id, died_on)) = row else {
        return Ok(reject(RejectGround::NotAttachedHere));
    };
    if !crate::people::serves(tx, workstation.clinic_id, person_id).await? {
        return Ok(reject(RejectGround::NotAttachedHere));
    }
    if died_on.is_some() {
        return Ok(reject(RejectGround::PersonDied));
    }
    Ok(
        match keep_change(tx, person_id, workstation.clinic_id, op, &change.change, context).await? {
            Some(ground) => reject(ground),
            None => OpOutcome::Applied,
        },
    )
}

/// Checks one change of a person the clinic serves and keeps it: into the
/// person's history (`person_change`) with the op's author, and — unless a
/// change of the same field made later is held — over the value in force,
/// for every clinic the person is attached to. The ground it is refused
/// on, when it is.
pub(super) async fn keep_change(
    tx: &mut PgConnection,
    person_id: i64,
    clinic_id: i64,
    op: &Op,
    change: &PersonChange,
    context: &mut PushContext,
) -> Result<Option<RejectGround>, RegistryError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        crate::people::person_columns!(),
        ", p.details FROM person p WHERE p.id = $1 FOR UPDATE"
    ))
    .bind(person_id)
    .fetch_one(&mut *tx)
    .await?;
    let (mut person, _) = person_from_row(&row)?;
    let iin = person.iin.as_string();
    let facts = ChangeFacts {
        iin: &iin,
        birth_date: person.birth_date,
        today: emhana_domain::kazakhstan_date(context.now),
    };
    let checked = match check_person_change(change, facts) {
        Ok(checked) => checked,
        Err(_) => {
            let problem = match change {
                PersonChange::Address { .. } | PersonChange::TemporaryAddress { .. } => {
                    PersonProblem::AddressUnreadable
                }
                PersonChange::Phone { .. } => PersonProblem::PhoneUnreadable,
                _ => PersonProblem::DetailUnreadable,
            };
            return Ok(Some(RejectGround::PersonInvalid { problem }));
        }
    };
    if let PersonChange::Relative {
        relation: relation @ (Relation::Mother | Relation::Father),
        iin: Some(relative),
    } = &checked
    {
        // a mother the register knows is a woman, a father a man
        let sex: Option<String> = sqlx::query_scalar("SELECT sex FROM person WHERE iin = $1")
            .bind(relative)
            .fetch_optional(&mut *tx)
            .await?;
        let expected = if *relation == Relation::Mother {
            Sex::Female
        } else {
            Sex::Male
        };
        if sex.is_some_and(|sex| sex != expected.as_str()) {
            return Ok(Some(RejectGround::PersonInvalid {
                problem: PersonProblem::DetailUnreadable,
            }));
        }
    }
    let sqlx::types::Json(mut details): sqlx::types::Json<Vec<PersonChange>> = row.try_get("details")?;
    let field = checked.key();
    let malformed = |error: serde_json::Error| RegistryError::Malformed(error.to_string());
    let (before, after) = match &checked {
        PersonChange::Address { address } => (
            serde_json::to_value(&person.address).map_err(malformed)?,
            serde_json::to_value(address).map_err(malformed)?,
        ),
        PersonChange::Phone { phone } => (
            serde_json::to_value(&person.phone).map_err(malformed)?,
            serde_json::to_value(phone).map_err(malformed)?,
        ),
        // the clinics' details: the change in force before, and this one
        detail => (
            serde_json::to_value(details.iter().find(|held| held.key() == field)).map_err(malformed)?,
            serde_json::to_value(detail).map_err(malformed)?,
        ),
    };
    match &checked {
        PersonChange::Address { address } => person.address = Some(address.clone()),
        PersonChange::Phone { phone } => person.phone = phone.clone(),
        _ => {}
    }
    if let Err(problem) = emhana_domain::check_person(&person, emhana_domain::kazakhstan_date(context.now)) {
        return Ok(Some(RejectGround::PersonInvalid { problem }));
    }
    // a change made before one already held is history, not the value in force
    let newer_held: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM person_change WHERE person_id = $1 AND field = $2 AND made_at > $3)",
    )
    .bind(person_id)
    .bind(field)
    .bind(op.made_at)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO person_change (person_id, op_id, clinic_id, actor_iin, made_at, field, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(person_id)
    .bind(op.id)
    .bind(clinic_id)
    .bind(op.actor_iin.as_deref())
    .bind(op.made_at)
    .bind(field)
    .bind(before)
    .bind(after)
    .execute(&mut *tx)
    .await?;
    if newer_held {
        return Ok(None);
    }
    match &checked {
        PersonChange::Address { address } => write_address(tx, person_id, address).await?,
        PersonChange::Phone { phone } => {
            sqlx::query("UPDATE person SET phone = $2 WHERE id = $1")
                .bind(person_id)
                .bind(phone)
                .execute(&mut *tx)
                .await?;
        }
        _ => {}
    }
    // the details in force: this change of a detail (or a phone removed,
    // which the row cannot say apart from "not known"), none for what the row carries
    let held = details.len();
    details.retain(|held| held.key() != field);
    if !checked.in_person_row() {
        details.push(checked.clone());
    }
    if !checked.in_person_row() || details.len() != held {
        sqlx::query("UPDATE person SET details = $2 WHERE id = $1")
            .bind(person_id)
            .bind(sqlx::types::Json(&details))
            .execute(&mut *tx)
            .await?;
    }
    // every clinic the person is attached to gets the new data in its feed
    let clinics: Vec<i64> =
        sqlx::query_scalar("SELECT clinic_id FROM attachment WHERE person_id = $1 AND ended_on IS NULL")
            .bind(person_id)
            .fetch_all(&mut *tx)
            .await?;
    for clinic_id in clinics {
        context.touches.push(ScopeTouch {
            clinic_id,
            person_id,
            left: None,
        });
    }
    Ok(None)
}

async fn write_address(
    tx: &mut PgConnection,
    person_id: i64,
    address: &Address,
) -> Result<(), RegistryError> {
    sqlx::query("UPDATE person SET settlement = $2, street = $3, house = $4, apartment = $5 WHERE id = $1")
        .bind(person_id)
        .bind(&address.settlement)
        .bind(&address.street)
        .bind(&address.house)
        .bind(address.apartment.as_deref())
        .execute(&mut *tx)
        .await?;
    Ok(())
}
