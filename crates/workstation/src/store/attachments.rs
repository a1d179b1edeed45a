//! Where a person stands with the home clinic on a date: the attachment in force.

use chrono::NaiveDate;
use emhana_domain::booking::{OtherClinic, PersonStanding};
use sqlx::SqliteConnection;

use crate::error::StoreError;

/// The person's standing with the home clinic on `today`, and the district
/// they are attached to here.
pub(crate) async fn standing(
    conn: &mut SqliteConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<(PersonStanding, Option<i64>), StoreError> {
    let died_on: Option<Option<NaiveDate>> = sqlx::query_scalar("SELECT died_on FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?;
    let died_on = died_on.ok_or(StoreError::PersonNotFound { id: person_id })?;
    if died_on.is_some_and(|died| died <= today) {
        return Ok((PersonStanding::Deceased, None));
    }
    let open: Option<(i64, String, String, String, Option<i64>)> = sqlx::query_as(concat!(
        "SELECT c.is_home, c.bin, c.name_kk, c.name_ru, a.district_id FROM attachment a \
         JOIN clinic c ON c.id = a.clinic_id WHERE a.person_id = ?1 AND ",
        attachment_in_force!("a", "?2"),
        " ORDER BY a.started_on DESC LIMIT 1"
    ))
    .bind(person_id)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match open {
        Some((1, _, _, _, district_id)) => (PersonStanding::AttachedHere, district_id),
        Some((_, bin, name_kk, name_ru, _)) => (
            PersonStanding::AttachedElsewhere {
                clinic: Some(OtherClinic {
                    bin,
                    name_kk,
                    name_ru,
                }),
            },
            None,
        ),
        None => (PersonStanding::NotAttached, None),
    })
}
