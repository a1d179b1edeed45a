//! The attachment application's read side: the options shown, the person's facts and history, the district suggested and the districts' load.

use super::*;

#[derive(sqlx::FromRow)]
pub(super) struct HistoryRow {
    id: i64,
    clinic_bin: String,
    district_id: Option<i64>,
    ground: String,
    decided_on: NaiveDate,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
}

/// The person's attachments, oldest first, with their row ids.
pub(super) async fn history(
    conn: &mut SqliteConnection,
    person_id: i64,
) -> Result<(Vec<i64>, Vec<PastAttachment>), StoreError> {
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT a.id, c.bin AS clinic_bin, a.district_id, a.ground, a.decided_on, a.started_on, a.ended_on \
         FROM attachment a JOIN clinic c ON c.id = a.clinic_id WHERE a.person_id = ?1 ORDER BY a.started_on, a.id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut past = Vec::with_capacity(rows.len());
    for row in rows {
        let ground = AttachmentGround::parse(&row.ground).ok_or_else(|| StoreError::Corrupt {
            detail: format!("attachment {} ground {:?}", row.id, row.ground),
        })?;
        ids.push(row.id);
        past.push(PastAttachment {
            clinic_bin: row.clinic_bin,
            district_id: row.district_id,
            ground,
            decided_on: row.decided_on,
            started_on: row.started_on,
            ended_on: row.ended_on,
        });
    }
    Ok((ids, past))
}

#[derive(Clone, sqlx::FromRow)]
pub(super) struct PersonFacts {
    pub(super) surname: String,
    pub(super) first_name: String,
    pub(super) patronymic: Option<String>,
    pub(super) iin: String,
    pub(super) birth_date: NaiveDate,
    pub(super) household_id: Option<i64>,
    pub(super) settlement: Option<String>,
    pub(super) street: Option<String>,
    pub(super) house: Option<String>,
    pub(super) temporary_settlement: Option<String>,
    pub(super) temporary_street: Option<String>,
    pub(super) temporary_house: Option<String>,
    pub(super) document_kind: Option<String>,
    pub(super) document_number: Option<String>,
    pub(super) died_on: Option<NaiveDate>,
}

pub(super) async fn person_facts(
    conn: &mut SqliteConnection,
    person_id: i64,
) -> Result<PersonFacts, StoreError> {
    sqlx::query_as(
        "SELECT surname, first_name, patronymic, iin, birth_date, household_id, settlement, street, house, \
         temporary_settlement, temporary_street, temporary_house, document_kind, document_number, died_on \
         FROM person WHERE id = ?1",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::PersonNotFound { id: person_id })
}

/// The district this clinic would give the person: the chosen one, else
/// where the household is attached here, else by the registered address, then
/// the temporary one.
pub(super) async fn suggestion(
    conn: &mut SqliteConnection,
    clinic_id: i64,
    person_id: i64,
    facts: &PersonFacts,
    chosen: Option<i64>,
    today: NaiveDate,
    ages: &DistrictAges,
) -> Result<Option<emhana_domain::attachment::DistrictSuggestion>, StoreError> {
    let kind = |text: String| DistrictKind::parse(&text).ok_or_else(|| corrupt("district kind", &text));
    let household: Option<(i64, String)> = match facts.household_id {
        None => None,
        Some(household_id) => {
            sqlx::query_as(concat!(
                "SELECT a.district_id, d.kind FROM person p JOIN attachment a ON a.person_id = p.id \
                 JOIN district d ON d.id = a.district_id \
                 WHERE p.household_id = ?1 AND p.id <> ?2 AND a.clinic_id = ?3 \
                 AND ",
                attachment_in_force!("a", "?4"),
                " \
                 GROUP BY a.district_id ORDER BY count(*) DESC, a.district_id LIMIT 1"
            ))
            .bind(household_id)
            .bind(person_id)
            .bind(clinic_id)
            .bind(today)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let household = household
        .map(|(id, text)| kind(text).map(|k| (id, k)))
        .transpose()?;
    let coverage = store::clinic_coverage(&mut *conn, clinic_id).await?;
    let age_years = age_on(facts.birth_date, today).unwrap_or(0);
    // a village taken whole has no street or house to give
    let address = |s: &Option<String>, st: &Option<String>, h: &Option<String>| {
        s.as_ref().map(|s| {
            (
                s.clone(),
                st.clone().unwrap_or_default(),
                h.clone().unwrap_or_default(),
            )
        })
    };
    let registered = address(&facts.settlement, &facts.street, &facts.house);
    let temporary = address(
        &facts.temporary_settlement,
        &facts.temporary_street,
        &facts.temporary_house,
    );
    let by = |a: &Option<(String, String, String)>| {
        suggest_district(
            SuggestionFacts {
                chosen,
                household,
                address: a.as_ref().map(|(s, st, h)| (s.as_str(), st.as_str(), h.as_str())),
                age_years,
            },
            &coverage,
            ages,
        )
    };
    Ok(by(&registered).or_else(|| by(&temporary)))
}

/// Persons attached to one district on `today`.
pub(super) async fn district_load(
    conn: &mut SqliteConnection,
    district_id: i64,
    today: NaiveDate,
) -> Result<u32, StoreError> {
    Ok(sqlx::query_scalar(concat!(
        "SELECT count(*) FROM attachment a WHERE a.district_id = ?1 AND ",
        attachment_in_force!("a", "?2")
    ))
    .bind(district_id)
    .bind(today)
    .fetch_one(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
pub(super) struct DistrictRow {
    id: i64,
    number: u32,
    kind: String,
    doctor: Option<String>,
    list_norm: Option<u32>,
}

/// A district of the clinic as the application form lists it.
pub(super) struct DistrictEntry {
    pub id: i64,
    pub number: u32,
    pub kind: DistrictKind,
    pub doctor: Option<String>,
    /// Its own list norm, when the organization sets one.
    pub own_norm: Option<u32>,
}

pub(super) async fn districts(
    conn: &mut SqliteConnection,
    clinic_id: i64,
) -> Result<Vec<DistrictEntry>, StoreError> {
    let rows: Vec<DistrictRow> = sqlx::query_as(concat!(
        "SELECT d.id, d.number, d.kind, d.list_norm, \
         (SELECT ",
        full_name_sql!("s"),
        " FROM staff s \
          WHERE ",
        serves_district_sql!("s", "d.id"),
        " AND ",
        has_role_sql!("s", "'district_doctor', 'feldsher'"),
        " ORDER BY s.role, s.id LIMIT 1) AS doctor \
         FROM district d WHERE d.clinic_id = ?1 ORDER BY d.number"
    ))
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let kind = DistrictKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt {
                detail: format!("district {} kind {:?}", row.id, row.kind),
            })?;
            Ok(DistrictEntry {
                id: row.id,
                number: row.number,
                kind,
                doctor: row.doctor,
                own_norm: row.list_norm,
            })
        })
        .collect()
}

pub(crate) async fn options(
    pool: &SqlitePool,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<AttachmentOptions, StoreError> {
    let today = kazakhstan_date(now);
    let mut conn = pool.acquire().await?;
    let clinic = store::home_clinic(&mut conn).await?;
    let facts = person_facts(&mut conn, person_id).await?;
    let rules = store::attachment_rules(&mut conn).await?;
    let suggestion = suggestion(
        &mut conn,
        clinic.id,
        person_id,
        &facts,
        None,
        today,
        &rules.district_ages,
    )
    .await?;
    let mut districts = Vec::new();
    for district in self::districts(&mut conn, clinic.id).await? {
        let attached = district_load(&mut conn, district.id, today).await?;
        districts.push(DistrictOption {
            id: district.id,
            number: district.number,
            kind: district.kind,
            attached,
            norm: rules.list_norms.for_district(district.kind, district.own_norm),
            doctor: district.doctor,
        });
    }
    let current: Option<CurrentAttachment> = sqlx::query_as(concat!(
        "SELECT c.name_kk AS clinic_name_kk, c.name_ru AS clinic_name_ru, c.is_home AS here, \
         d.number AS district_number, a.started_on FROM attachment a JOIN clinic c ON c.id = a.clinic_id \
         LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = ?1 AND ",
        attachment_in_force!("a", "?2"),
        ""
    ))
    .bind(person_id)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(AttachmentOptions {
        person_id,
        full_name: full_name(&facts.surname, &facts.first_name, facts.patronymic.as_deref()),
        iin: facts.iin.clone(),
        document_kind: facts.document_kind.as_deref().and_then(DocumentKind::parse),
        document_number: facts.document_number.clone(),
        current,
        suggestion,
        districts,
        campaign: rules.campaign(today.year()),
        today,
    })
}
