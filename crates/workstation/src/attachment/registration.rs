//! Registering a person the workstation does not know: the form checked, the person and their household written.

use super::*;

pub(crate) async fn register_person(
    pool: &SqlitePool,
    form: &RegistrationForm,
    registrar_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, FormError> {
    let today = kazakhstan_date(now);
    let registration = validate_registration(form, today).map_err(|errors| FormError::Fields { errors })?;
    let person = &registration.person;
    let mut tx = pool.begin().await?;

    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE iin = ?1")
        .bind(person.iin.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(person_id) = existing {
        return Err(at_field(
            Field::Iin,
            FieldProblem::AlreadyRegistered { person_id },
        ));
    }
    // the state database said it holds no one of this IIN (seed 002, process 4)
    let absent: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM state_person_absence WHERE iin = ?1)")
            .bind(person.iin.to_string())
            .fetch_one(&mut *tx)
            .await?;
    if absent {
        return Err(at_field(Field::Iin, FieldProblem::NotInStateDatabase));
    }
    let mother = match &registration.mother_iin {
        None => None,
        Some(iin) => {
            let row: Option<(i64, String, Option<i64>)> =
                sqlx::query_as("SELECT id, sex, household_id FROM person WHERE iin = ?1")
                    .bind(iin.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            match row {
                None => return Err(at_field(Field::MotherIin, FieldProblem::NotRegistered)),
                Some((_, sex, _)) if sex != Sex::Female.as_str() => {
                    return Err(at_field(Field::MotherIin, FieldProblem::MotherNotFemale));
                }
                Some((id, _, household_id)) => Some((id, household_id)),
            }
        }
    };
    // A child joins the mother's household (family service); anyone else starts one at the address.
    let household_id = match (mother.and_then(|(_, household)| household), &person.address) {
        (Some(household_id), _) => Some(household_id),
        (None, Some(address)) => Some(new_household(&mut tx, address).await?),
        (None, None) => None,
    };
    let address = person.address.as_ref();
    let temporary = registration.temporary_address.as_ref();
    let person_id: i64 = sqlx::query_scalar(
        "INSERT INTO person (iin, surname, first_name, patronymic, birth_date, sex, citizenship, household_id, \
         settlement, street, house, apartment, phone, document_kind, document_number, document_issued_on, \
         temporary_settlement, temporary_street, temporary_house, temporary_apartment, workplace, registered_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) \
         RETURNING id",
    )
    .bind(person.iin.to_string())
    .bind(&person.surname)
    .bind(&person.first_name)
    .bind(&person.patronymic)
    .bind(person.birth_date)
    .bind(person.sex.as_str())
    .bind(person.citizenship.as_str())
    .bind(household_id)
    .bind(address.map(|a| &a.settlement))
    .bind(address.map(|a| &a.street))
    .bind(address.map(|a| &a.house))
    .bind(address.and_then(|a| a.apartment.as_ref()))
    .bind(&person.phone)
    .bind(registration.document.kind.as_str())
    .bind(&registration.document.number)
    .bind(registration.document.issued_on)
    .bind(temporary.map(|a| &a.settlement))
    .bind(temporary.map(|a| &a.street))
    .bind(temporary.map(|a| &a.house))
    .bind(temporary.and_then(|a| a.apartment.as_ref()))
    .bind(&registration.workplace)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    store::insert_search_keys(&mut tx, std::iter::once((person_id, person))).await?;
    // confirmed only when the state database answered this IIN here with
    // the same person (what the window says is not taken for it)
    let answer: Option<String> = sqlx::query_scalar("SELECT person FROM state_person_answer WHERE iin = ?1")
        .bind(person.iin.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let from_state = answer
        .and_then(|answer| serde_json::from_str::<emhana_domain::Person>(&answer).ok())
        .is_some_and(|state| same_person(&state, person));
    if !from_state {
        sqlx::query("UPDATE person SET unconfirmed = 1 WHERE id = ?1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some((mother_id, _)) = mother {
        sqlx::query("INSERT INTO person_link (person_id, relative_id, relation) VALUES (?1, ?2, 'mother')")
            .bind(person_id)
            .bind(mother_id)
            .execute(&mut *tx)
            .await?;
    }
    audit(
        &mut tx,
        now,
        registrar_id,
        "person_registered",
        Some(person_id),
        "{}",
    )
    .await?;
    tx.commit().await?;
    Ok(person_id)
}

/// Whether the registration names the person the state database gave:
/// the same names, birth date, sex and citizenship.
fn same_person(state: &emhana_domain::Person, typed: &emhana_domain::Person) -> bool {
    let name = |text: &str| text.trim().to_lowercase();
    name(&state.surname) == name(&typed.surname)
        && name(&state.first_name) == name(&typed.first_name)
        && state.patronymic.as_deref().map(name) == typed.patronymic.as_deref().map(name)
        && state.birth_date == typed.birth_date
        && state.sex == typed.sex
        && state.citizenship == typed.citizenship
}
