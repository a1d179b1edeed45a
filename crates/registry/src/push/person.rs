//! A person's contact details changed at a clinic's window: checked as the
//! registration form checks them, kept with the author and the value before
//! (`person_change`), and handed to every PC of the clinic in its feed.

use emhana_domain::registration::{ContactChange, check_contact_change};
use emhana_domain::{Address, PersonProblem};
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
    let row = sqlx::query(concat!(
        "SELECT p.id, ",
        crate::people::person_columns!(),
        " FROM person p WHERE p.iin = $1 FOR UPDATE"
    ))
    .bind(&change.iin)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(reject(RejectGround::NotAttachedHere));
    };
    let person_id: i64 = row.try_get("id")?;
    if !crate::people::serves(tx, workstation.clinic_id, person_id).await? {
        return Ok(reject(RejectGround::NotAttachedHere));
    }
    let (mut person, died_on) = person_from_row(&row)?;
    if died_on.is_some() {
        return Ok(reject(RejectGround::PersonDied));
    }
    let checked = match check_contact_change(&change.change) {
        Ok(checked) => checked,
        Err(_) => {
            let problem = match change.change {
                ContactChange::Address { .. } => PersonProblem::AddressUnreadable,
                ContactChange::Phone { .. } => PersonProblem::PhoneUnreadable,
            };
            return Ok(reject(RejectGround::PersonInvalid { problem }));
        }
    };
    let (field, before, after) = match &checked {
        ContactChange::Address { address } => (
            "address",
            serde_json::to_value(&person.address),
            serde_json::to_value(address),
        ),
        ContactChange::Phone { phone } => (
            "phone",
            serde_json::to_value(&person.phone),
            serde_json::to_value(phone),
        ),
    };
    let (before, after) = (
        before.map_err(|error| RegistryError::Malformed(error.to_string()))?,
        after.map_err(|error| RegistryError::Malformed(error.to_string()))?,
    );
    match &checked {
        ContactChange::Address { address } => person.address = Some(address.clone()),
        ContactChange::Phone { phone } => person.phone = Some(phone.clone()),
    }
    if let Err(problem) = emhana_domain::check_person(&person, emhana_domain::kazakhstan_date(context.now)) {
        return Ok(reject(RejectGround::PersonInvalid { problem }));
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
    .bind(workstation.clinic_id)
    .bind(op.actor_iin.as_deref())
    .bind(op.made_at)
    .bind(field)
    .bind(before)
    .bind(after)
    .execute(&mut *tx)
    .await?;
    if newer_held {
        return Ok(OpOutcome::Applied);
    }
    match &checked {
        ContactChange::Address { address } => write_address(tx, person_id, address).await?,
        ContactChange::Phone { phone } => {
            sqlx::query("UPDATE person SET phone = $2 WHERE id = $1")
                .bind(person_id)
                .bind(phone)
                .execute(&mut *tx)
                .await?;
        }
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
    Ok(OpOutcome::Applied)
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
