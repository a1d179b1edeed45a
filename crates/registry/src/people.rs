//! Persons and their attachments as the registry keeps them, and what a
//! clinic may see of them.

use chrono::NaiveDate;
use emhana_domain::attachment::{
    AttachmentGround, AttachmentRules, Campaign, CampaignEffect, DistrictAges, ListNorms,
};
use emhana_domain::{Address, Citizenship, Iin, Person, Sex};
use emhana_protocol::{Attachment, AttachmentState};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::RegistryError;

/// The columns [`person_from_row`] reads, from a table aliased `p`.
macro_rules! person_columns {
    () => {
        "p.iin, p.surname, p.first_name, p.patronymic, p.birth_date, p.sex, p.citizenship, \
         p.settlement, p.street, p.house, p.apartment, p.phone, p.died_on, p.from_state"
    };
}
pub(crate) use person_columns;

/// The columns [`attachment_from_row`] reads, from `attachment a` left-joined
/// with `district d`.
macro_rules! attachment_columns {
    () => {
        "d.number AS district_number, a.ground, a.decided_on, a.started_on, a.ended_on, a.op_id"
    };
}
pub(crate) use attachment_columns;

pub(crate) fn person_from_row(
    row: &sqlx::postgres::PgRow,
) -> Result<(Person, Option<NaiveDate>), RegistryError> {
    let corrupt = |what: &str| RegistryError::Database(sqlx::Error::Decode(format!("person.{what}").into()));
    let iin: String = row.try_get("iin")?;
    let settlement: Option<String> = row.try_get("settlement")?;
    let street: Option<String> = row.try_get("street")?;
    let house: Option<String> = row.try_get("house")?;
    let address = match (settlement, street, house) {
        (Some(settlement), Some(street), Some(house)) => Some(Address {
            settlement,
            street,
            house,
            apartment: row.try_get("apartment")?,
        }),
        _ => None,
    };
    let person = Person {
        iin: Iin::parse(&iin).map_err(|_| corrupt("iin"))?,
        surname: row.try_get("surname")?,
        first_name: row.try_get("first_name")?,
        patronymic: row.try_get("patronymic")?,
        birth_date: row.try_get("birth_date")?,
        sex: Sex::parse(row.try_get("sex")?).ok_or_else(|| corrupt("sex"))?,
        citizenship: Citizenship::parse(row.try_get("citizenship")?).ok_or_else(|| corrupt("citizenship"))?,
        address,
        phone: row.try_get("phone")?,
    };
    Ok((person, row.try_get("died_on")?))
}

pub(crate) fn attachment_from_row(row: &sqlx::postgres::PgRow) -> Result<Attachment, RegistryError> {
    let ground: String = row.try_get("ground")?;
    let district_number: Option<i32> = row.try_get("district_number")?;
    Ok(Attachment {
        district_number: district_number.and_then(|n| u32::try_from(n).ok()),
        ground: AttachmentGround::parse(&ground)
            .ok_or_else(|| RegistryError::Database(sqlx::Error::Decode("attachment.ground".into())))?,
        decided_on: row.try_get("decided_on")?,
        started_on: row.try_get("started_on")?,
        ended_on: row.try_get("ended_on")?,
        op: row.try_get::<Option<Uuid>, _>("op_id")?,
    })
}

/// The person's attachment as `clinic_id` may see it: the attachment without
/// an end, in full when it is the clinic's own, as a bare fact otherwise.
pub(crate) async fn attachment_state(
    conn: &mut PgConnection,
    person_id: i64,
    clinic_id: i64,
) -> Result<AttachmentState, RegistryError> {
    let row = sqlx::query(concat!(
        "SELECT a.clinic_id, ",
        attachment_columns!(),
        " FROM attachment a LEFT JOIN district d ON d.id = a.district_id \
          WHERE a.person_id = $1 AND a.ended_on IS NULL"
    ))
    .bind(person_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        None => AttachmentState::None,
        Some(row) if row.try_get::<i64, _>("clinic_id")? == clinic_id => {
            AttachmentState::Here(attachment_from_row(&row)?)
        }
        Some(_) => AttachmentState::Elsewhere,
    })
}

/// The attachment rules in force: the campaigns the registry was given, seed
/// defaults for other years.
pub(crate) async fn attachment_rules(conn: &mut PgConnection) -> Result<AttachmentRules, RegistryError> {
    let rows = sqlx::query(
        "SELECT year, first_day, last_day, free_choice_limit, takes_effect FROM attachment_campaign",
    )
    .fetch_all(conn)
    .await?;
    let mut campaigns = Vec::with_capacity(rows.len());
    for row in rows {
        let takes_effect: String = row.try_get("takes_effect")?;
        campaigns.push(Campaign {
            year: row.try_get("year")?,
            first_day: row.try_get("first_day")?,
            last_day: row.try_get("last_day")?,
            free_choice_limit: u32::try_from(row.try_get::<i32, _>("free_choice_limit")?).unwrap_or(0),
            takes_effect: CampaignEffect::parse(&takes_effect).ok_or_else(|| {
                RegistryError::Database(sqlx::Error::Decode("attachment_campaign.takes_effect".into()))
            })?,
        });
    }
    Ok(AttachmentRules {
        campaigns,
        list_norms: ListNorms::default(),
        district_ages: DistrictAges::default(),
    })
}

/// Inserts the persons whose IINs the registry does not know yet (the state
/// database's data wins over what was typed at a window), in IIN order: two
/// transactions inserting the same new persons then wait for each other in
/// the same order instead of deadlocking. Returns how many were new.
pub(crate) async fn insert_persons(
    conn: &mut PgConnection,
    persons: &[&Person],
    from_state: bool,
) -> Result<u64, RegistryError> {
    let mut columns: [Vec<Option<String>>; 11] = Default::default();
    let mut birth_dates = Vec::with_capacity(persons.len());
    for p in persons {
        let address = p.address.as_ref();
        let values = [
            Some(p.iin.as_string()),
            Some(p.surname.clone()),
            Some(p.first_name.clone()),
            p.patronymic.clone(),
            Some(p.sex.as_str().to_owned()),
            Some(p.citizenship.as_str().to_owned()),
            address.map(|a| a.settlement.clone()),
            address.map(|a| a.street.clone()),
            address.map(|a| a.house.clone()),
            address.and_then(|a| a.apartment.clone()),
            p.phone.clone(),
        ];
        for (column, value) in columns.iter_mut().zip(values) {
            column.push(value);
        }
        birth_dates.push(p.birth_date);
    }
    let [
        iins,
        surnames,
        first_names,
        patronymics,
        sexes,
        citizenships,
        settlements,
        streets,
        houses,
        apartments,
        phones,
    ] = columns;
    Ok(sqlx::query(
        "INSERT INTO person (iin, surname, first_name, patronymic, sex, citizenship, settlement, street, house, \
                             apartment, phone, birth_date, from_state) \
         SELECT t.*, $13 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                              $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::date[]) AS t (iin) \
         ORDER BY iin ON CONFLICT (iin) DO NOTHING",
    )
    .bind(&iins)
    .bind(&surnames)
    .bind(&first_names)
    .bind(&patronymics)
    .bind(&sexes)
    .bind(&citizenships)
    .bind(&settlements)
    .bind(&streets)
    .bind(&houses)
    .bind(&apartments)
    .bind(&phones)
    .bind(&birth_dates)
    .bind(from_state)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Puts the persons at the end of their clinics' change feeds, in scope or
/// out of it from `left` on; in one statement, in key order (no deadlock
/// between two transactions touching the same rows).
pub(crate) async fn touch_scope(
    conn: &mut PgConnection,
    touches: &[ScopeTouch],
) -> Result<(), RegistryError> {
    // One row per (clinic, person): the last touch wins, as it would one by one.
    let mut last: std::collections::HashMap<(i64, i64), usize> = std::collections::HashMap::new();
    for (index, touch) in touches.iter().enumerate() {
        last.insert((touch.clinic_id, touch.person_id), index);
    }
    let mut kept: Vec<usize> = last.into_values().collect();
    kept.sort_unstable();
    let clinics: Vec<i64> = kept.iter().map(|&i| touches[i].clinic_id).collect();
    let persons: Vec<i64> = kept.iter().map(|&i| touches[i].person_id).collect();
    let left_on: Vec<Option<NaiveDate>> = kept.iter().map(|&i| touches[i].left.map(|(on, _)| on)).collect();
    let reasons: Vec<Option<&str>> = kept.iter().map(|&i| touches[i].left.map(|(_, r)| r)).collect();
    sqlx::query(
        "INSERT INTO scope_change (clinic_id, person_id, in_scope, left_on, left_reason) \
         SELECT clinic_id, person_id, left_reason IS NULL, left_on, left_reason \
         FROM unnest($1::bigint[], $2::bigint[], $3::date[], $4::text[]) AS t (clinic_id, person_id, left_on, left_reason) \
         ORDER BY clinic_id, person_id \
         ON CONFLICT (clinic_id, person_id) DO UPDATE SET xid = pg_current_xact_id(), \
             seq = nextval('scope_change_seq'), in_scope = EXCLUDED.in_scope, \
             left_on = EXCLUDED.left_on, left_reason = EXCLUDED.left_reason",
    )
    .bind(&clinics)
    .bind(&persons)
    .bind(&left_on)
    .bind(&reasons)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person entering a clinic's scope (`left: None`) or leaving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScopeTouch {
    pub clinic_id: i64,
    pub person_id: i64,
    pub left: Option<(NaiveDate, &'static str)>,
}

/// A person look-up (see `GET /v1/persons/{iin}`): the actor checked as an
/// op's author is, the PC's rate counted, the answer cut to what the
/// clinic needs, and the look-up logged whatever its answer.
pub(crate) async fn lookup(
    pool: &sqlx::PgPool,
    workstation: &crate::Workstation,
    actor_iin: &str,
    iin: &Iin,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<emhana_protocol::PersonLookup, RegistryError> {
    use emhana_protocol::LookupScope;
    let mut conn = pool.acquire().await?;
    let log = |answered: &'static str| log_lookup(workstation, actor_iin, iin, now, "person", answered);
    let asked = Asked {
        workstation,
        actor_iin,
        iin,
        now,
    };
    admit(
        &mut conn,
        &asked,
        "person",
        emhana_domain::access::Action::RegisterPerson,
        "look people up",
    )
    .await?;
    let row = sqlx::query(concat!(
        "SELECT p.id, ",
        person_columns!(),
        " FROM person p WHERE p.iin = $1"
    ))
    .bind(iin.as_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        log("not_found").execute(&mut *conn).await?;
        return Err(RegistryError::NotFound);
    };
    let (mut person, died_on) = person_from_row(&row)?;
    let person_id: i64 = row.try_get("id")?;
    let ours = serves(&mut conn, workstation.clinic_id, person_id).await?;
    let given = if ours {
        LookupScope::Full
    } else {
        person.phone = None;
        LookupScope::ForAttachment
    };
    log(match given {
        LookupScope::Full => "full",
        LookupScope::ForAttachment => "for_attachment",
    })
    .execute(&mut *conn)
    .await?;
    let attachment = attachment_state(&mut conn, person_id, workstation.clinic_id).await?;
    Ok(emhana_protocol::PersonLookup {
        person,
        died_on,
        attachment,
        given,
    })
}

/// Who asks about whom, at which PC, when: a look-up's request.
pub(crate) struct Asked<'a> {
    pub workstation: &'a crate::Workstation,
    pub actor_iin: &'a str,
    pub iin: &'a Iin,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The start of every look-up (`what`: `person`, `osms`): the PC's rate
/// counted, and the member of staff who asks checked as an op's author is,
/// for `action`; a refusal is logged and answered as forbidden, saying
/// what they may not (`may_not`).
pub(crate) async fn admit(
    conn: &mut PgConnection,
    asked: &Asked<'_>,
    what: &'static str,
    action: emhana_domain::access::Action,
    may_not: &str,
) -> Result<(), RegistryError> {
    let Asked {
        workstation,
        actor_iin,
        iin,
        now,
    } = *asked;
    count_lookup(conn, workstation, now).await?;
    let standing = crate::push::author::standing(conn, workstation.clinic_id, actor_iin).await?;
    if let Err(refusal) = emhana_domain::access::check_author(standing.as_ref(), action, now) {
        log_lookup(workstation, actor_iin, iin, now, what, "refused")
            .execute(&mut *conn)
            .await?;
        return Err(RegistryError::Forbidden(format!(
            "the member of staff {actor_iin} may not {may_not} here: {refusal:?}"
        )));
    }
    Ok(())
}

/// Refuses a look-up over the PC's limit: [`MAX_LOOKUPS_PER_MINUTE`] of
/// every kind together.
///
/// [`MAX_LOOKUPS_PER_MINUTE`]: emhana_protocol::MAX_LOOKUPS_PER_MINUTE
async fn count_lookup(
    conn: &mut PgConnection,
    workstation: &crate::Workstation,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), RegistryError> {
    use emhana_protocol::MAX_LOOKUPS_PER_MINUTE;
    let recent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM person_lookup WHERE workstation_id = $1 AND looked_at > $2 - interval '1 minute'",
    )
    .bind(workstation.id)
    .bind(now)
    .fetch_one(conn)
    .await?;
    if recent >= MAX_LOOKUPS_PER_MINUTE {
        tracing::warn!(workstation = %workstation.id, recent, "person look-ups over the limit");
        return Err(RegistryError::TooManyRequests(format!(
            "at most {MAX_LOOKUPS_PER_MINUTE} person look-ups a minute from one workstation"
        )));
    }
    Ok(())
}

/// The log line of one look-up: who asked at which PC, of whom, for `what`
/// (`person`, `osms`), and what was `answered`.
pub(crate) fn log_lookup<'q>(
    workstation: &crate::Workstation,
    actor_iin: &str,
    iin: &Iin,
    now: chrono::DateTime<chrono::Utc>,
    what: &'static str,
    answered: &'static str,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(
        "INSERT INTO person_lookup (workstation_id, actor_iin, iin, looked_at, what, answered) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(workstation.id)
    .bind(actor_iin.to_owned())
    .bind(iin.as_string())
    .bind(now)
    .bind(what)
    .bind(answered)
}

/// Whether the person is attached to the clinic, its post or its parent:
/// the clinic's own, whom it serves in full.
pub(crate) async fn serves(
    conn: &mut PgConnection,
    clinic_id: i64,
    person_id: i64,
) -> Result<bool, RegistryError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM attachment a JOIN clinic c ON c.id = a.clinic_id \
         WHERE a.person_id = $1 AND a.ended_on IS NULL \
           AND (c.id = $2 OR c.parent_id = $2 OR c.id = (SELECT parent_id FROM clinic WHERE id = $2)))",
    )
    .bind(person_id)
    .bind(clinic_id)
    .fetch_one(conn)
    .await?)
}
