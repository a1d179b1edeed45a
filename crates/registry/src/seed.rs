//! Loading a population in bulk: the state person database's stand-in and
//! the attachments in force (a demo region, benchmarks).

use chrono::NaiveDate;
use emhana_domain::Person;
use emhana_domain::attachment::AttachmentGround;
use sqlx::PgPool;

use crate::RegistryError;
use crate::people::insert_persons;

/// A person, attached to a clinic's district or to none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationRecord {
    pub person: Person,
    pub attachment: Option<SeedAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedAttachment {
    pub clinic_bin: String,
    pub district_number: u32,
    pub ground: AttachmentGround,
    pub decided_on: NaiveDate,
}

/// Adds the persons and their attachments, each attached person entering
/// their clinic's change feed; one transaction. A person the registry holds
/// from the state database is left as they are; one a clinic typed (added
/// by its attachment, not confirmed) takes the state's data, and the
/// clinics serving them get it in their feeds. Returns the persons added.
pub async fn load_population(pool: &PgPool, records: &[PopulationRecord]) -> Result<u64, RegistryError> {
    let mut tx = pool.begin().await?;
    let persons: Vec<&Person> = records.iter().map(|record| &record.person).collect();
    let added = insert_persons(&mut tx, &persons, true).await?;
    confirm_from_state(&mut tx, &persons).await?;

    let attached: Vec<_> = records
        .iter()
        .filter_map(|r| r.attachment.as_ref().map(|a| (r, a)))
        .collect();
    let iins: Vec<String> = attached.iter().map(|(r, _)| r.person.iin.as_string()).collect();
    let bins: Vec<String> = attached.iter().map(|(_, a)| a.clinic_bin.clone()).collect();
    let numbers: Vec<i32> = attached
        .iter()
        .map(|(_, a)| i32::try_from(a.district_number).unwrap_or(i32::MAX))
        .collect();
    let grounds: Vec<String> = attached
        .iter()
        .map(|(_, a)| a.ground.as_str().to_owned())
        .collect();
    // attached from the decision, or from birth when born later
    let starts: Vec<NaiveDate> = attached
        .iter()
        .map(|(r, a)| a.decided_on.max(r.person.birth_date))
        .collect();
    sqlx::query(
        "WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::date[]) \
                        AS t(iin, bin, number, ground, started_on)), \
              rows AS (SELECT p.id AS person_id, c.id AS clinic_id, d.id AS district_id, i.ground, i.started_on \
                       FROM input i JOIN person p ON p.iin = i.iin JOIN clinic c ON c.bin = i.bin \
                       JOIN district d ON d.clinic_id = c.id AND d.number = i.number \
                       WHERE NOT EXISTS (SELECT 1 FROM attachment a WHERE a.person_id = p.id AND a.ended_on IS NULL)), \
              added AS (INSERT INTO attachment (person_id, clinic_id, district_id, ground, decided_on, started_on) \
                        SELECT person_id, clinic_id, district_id, ground, started_on, started_on FROM rows \
                        RETURNING person_id, clinic_id) \
         INSERT INTO scope_change (clinic_id, person_id, in_scope) SELECT clinic_id, person_id, true FROM added \
         ON CONFLICT (clinic_id, person_id) DO UPDATE SET xid = pg_current_xact_id(), \
             seq = nextval('scope_change_seq'), in_scope = true, left_on = NULL, left_reason = NULL",
    )
    .bind(&iins)
    .bind(&bins)
    .bind(&numbers)
    .bind(&grounds)
    .bind(&starts)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// The state's data over what a clinic typed, for the persons the registry
/// holds only as typed (`from_state` false): names, birth date, sex,
/// citizenship and address replaced, marked as the state's, and put at the
/// end of the feeds of the clinics they are attached to.
async fn confirm_from_state(
    conn: &mut sqlx::PgConnection,
    persons: &[&Person],
) -> Result<u64, RegistryError> {
    let column = |f: &dyn Fn(&Person) -> Option<String>| persons.iter().map(|p| f(p)).collect::<Vec<_>>();
    let confirmed: Vec<i64> = sqlx::query_scalar(
        "UPDATE person p SET surname = t.surname, first_name = t.first_name, patronymic = t.patronymic, \
             birth_date = t.birth_date, sex = t.sex, citizenship = t.citizenship, \
             settlement = coalesce(t.settlement, p.settlement), street = coalesce(t.street, p.street), \
             house = coalesce(t.house, p.house), \
             apartment = CASE WHEN t.settlement IS NULL THEN p.apartment ELSE t.apartment END, \
             from_state = true \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], \
                     $8::text[], $9::text[], $10::text[], $11::text[]) \
              AS t (iin, surname, first_name, patronymic, birth_date, sex, citizenship, settlement, street, house, apartment) \
         WHERE p.iin = t.iin AND NOT p.from_state RETURNING p.id",
    )
    .bind(column(&|p| Some(p.iin.as_string())))
    .bind(column(&|p| Some(p.surname.clone())))
    .bind(column(&|p| Some(p.first_name.clone())))
    .bind(column(&|p| p.patronymic.clone()))
    .bind(persons.iter().map(|p| p.birth_date).collect::<Vec<_>>())
    .bind(column(&|p| Some(p.sex.as_str().to_owned())))
    .bind(column(&|p| Some(p.citizenship.as_str().to_owned())))
    .bind(column(&|p| p.address.as_ref().map(|a| a.settlement.clone())))
    .bind(column(&|p| p.address.as_ref().map(|a| a.street.clone())))
    .bind(column(&|p| p.address.as_ref().map(|a| a.house.clone())))
    .bind(column(&|p| p.address.as_ref().and_then(|a| a.apartment.clone())))
    .fetch_all(&mut *conn)
    .await?;
    if confirmed.is_empty() {
        return Ok(0);
    }
    sqlx::query(
        "INSERT INTO scope_change (clinic_id, person_id, in_scope) \
         SELECT a.clinic_id, a.person_id, true FROM attachment a \
         WHERE a.person_id = ANY($1) AND a.ended_on IS NULL ORDER BY a.clinic_id, a.person_id \
         ON CONFLICT (clinic_id, person_id) DO UPDATE SET xid = pg_current_xact_id(), \
             seq = nextval('scope_change_seq'), in_scope = true, left_on = NULL, left_reason = NULL",
    )
    .bind(&confirmed)
    .execute(&mut *conn)
    .await?;
    Ok(confirmed.len() as u64)
}
