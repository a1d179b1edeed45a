//! Registering persons and attaching them to the clinic (DOMAIN.md §1–2).
//!
//! Each use case loads the facts, asks `emhana_domain` for the decision, and
//! writes the outcome with its audit event in one transaction: an application
//! is never half-written.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use emhana_domain::attachment::{
    AttachmentCase, AttachmentCaseError, AttachmentGround, AttachmentRules, Campaign, CampaignEffect,
    Channel, Coverage, Decision, DistrictAges, ListNorms, PastAttachment, RefusalGround, SuggestionFacts,
    decide, exceeds_list_norm, suggest_district,
};
use emhana_domain::documents::{
    ApplicationDocument, ClinicHeader, ConsentDocument, DocumentOutcome, PersonLine, TeamMember,
};
use emhana_domain::registration::{
    DocumentKind, Field, FieldError, FieldProblem, NewResidence, RegistrationForm, check_new_residence,
    validate_registration,
};
use emhana_domain::{Address, DistrictKind, Sex, StaffRole, age_on, full_name, kazakhstan_date};
use emhana_protocol::{ApplicationKey, AttachOp, DetachOp, DetachReason, OpBody};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use crate::error::{StoreError, corrupt};
use crate::import::insert_search_keys;
use crate::sync::{self, OpLinks};

/// Why a registration or an application was not written. `Fields` carries a
/// message per form field; nothing was written in either case.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FormError {
    #[error("the form has {} problem(s)", errors.len())]
    Fields { errors: Vec<FieldError> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for FormError {
    fn from(error: sqlx::Error) -> Self {
        FormError::Store(error.into())
    }
}

fn at_field(field: Field, problem: FieldProblem) -> FormError {
    FormError::Fields {
        errors: vec![FieldError { field, problem }],
    }
}

/// What the data list of the consent names; printed on the consent form.
pub const CONSENT_DATA_LIST: &str = "ИИН / ЖСН; тегі, аты, әкесінің аты / фамилия, имя, отчество; \
туған күні / дата рождения; жынысы / пол; мекенжайы / адрес; телефон; \
жеке басын куәландыратын құжат / документ, удостоверяющий личность; \
денсаулық жағдайы туралы мәліметтер / сведения о состоянии здоровья";

/// The consent to access restricted personal data, as the registrar recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentForm {
    /// `None`: the question was not answered — the form is incomplete.
    pub given: Option<bool>,
    /// `None`: until withdrawn.
    pub valid_until: Option<NaiveDate>,
    pub third_parties: bool,
    pub cross_border: bool,
    pub publication: bool,
}

/// An attachment application as the registrar fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationForm {
    pub person_id: i64,
    pub channel: Channel,
    pub ground: AttachmentGround,
    /// The district the person chose; `None` takes the suggested one.
    pub district_id: Option<i64>,
    pub document_kind: Option<DocumentKind>,
    pub document_number: String,
    pub consent: ConsentForm,
    pub registrar_id: Option<i64>,
    /// Where the person moved to: asked for (and checked against the
    /// districts' coverage) on a change of residence, written to the person
    /// when the application attaches them.
    #[serde(default)]
    pub new_residence: Option<NewResidence>,
}

/// The outcome shown at once, before anything is printed.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationOutcome {
    pub application_id: i64,
    pub application_number: String,
    pub decision: Decision,
    pub district_number: u32,
    /// Set when the district's list has reached its norm (a warning, not a refusal).
    pub list_norm_exceeded: Option<ListLoad>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListLoad {
    pub attached: u32,
    pub norm: u32,
}

/// What the application form offers for one person.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentOptions {
    pub person_id: i64,
    pub full_name: String,
    pub iin: String,
    pub document_kind: Option<DocumentKind>,
    pub document_number: Option<String>,
    pub current: Option<CurrentAttachment>,
    pub suggestion: Option<emhana_domain::attachment::DistrictSuggestion>,
    pub districts: Vec<DistrictOption>,
    pub registrars: Vec<StaffOption>,
    pub campaign: Campaign,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CurrentAttachment {
    pub clinic_name_kk: String,
    pub clinic_name_ru: String,
    pub here: bool,
    pub district_number: Option<u32>,
    pub started_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct DistrictOption {
    pub id: i64,
    pub number: u32,
    pub kind: DistrictKind,
    pub doctor: Option<String>,
    pub attached: u32,
    pub norm: u32,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StaffOption {
    pub id: i64,
    pub full_name: String,
}

/// Why an attachment ends without a new one here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetachmentReason {
    Died,
    ClinicLiquidated,
}

/// One attachment of the person's history, as the card lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttachmentEntry {
    pub clinic_name_kk: String,
    pub clinic_name_ru: String,
    pub here: bool,
    pub district_number: Option<u32>,
    pub ground: String,
    pub decided_on: NaiveDate,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub application_id: Option<i64>,
}

pub(crate) async fn entries(pool: &SqlitePool, person_id: i64) -> Result<Vec<AttachmentEntry>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.name_kk AS clinic_name_kk, c.name_ru AS clinic_name_ru, c.is_home AS here, \
         d.number AS district_number, a.ground, a.decided_on, a.started_on, a.ended_on, a.end_reason, a.application_id \
         FROM attachment a JOIN clinic c ON c.id = a.clinic_id LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = ?1 ORDER BY a.started_on, a.id",
    )
    .bind(person_id)
    .fetch_all(pool)
    .await?)
}

// ---------------------------------------------------------------- registration

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
        (None, Some(address)) => Some(
            sqlx::query_scalar(
                "INSERT INTO household (settlement, street, house, apartment) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            )
            .bind(&address.settlement)
            .bind(&address.street)
            .bind(&address.house)
            .bind(&address.apartment)
            .fetch_one(&mut *tx)
            .await?,
        ),
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
    insert_search_keys(&mut tx, std::iter::once((person_id, person))).await?;
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

// ---------------------------------------------------------------- reference data

pub(crate) async fn rules(conn: &mut SqliteConnection) -> Result<AttachmentRules, StoreError> {
    let rows: Vec<(i32, NaiveDate, NaiveDate, u32, String)> = sqlx::query_as(
        "SELECT year, first_day, last_day, free_choice_limit, takes_effect FROM attachment_campaign ORDER BY year",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut campaigns = Vec::with_capacity(rows.len());
    for (year, first_day, last_day, free_choice_limit, takes_effect) in rows {
        let takes_effect = CampaignEffect::parse(&takes_effect).ok_or_else(|| StoreError::Corrupt {
            detail: format!("campaign {year} takes effect {takes_effect:?}"),
        })?;
        campaigns.push(Campaign {
            year,
            first_day,
            last_day,
            free_choice_limit,
            takes_effect,
        });
    }
    let mut list_norms = ListNorms::default();
    let norms: Vec<(String, u32)> = sqlx::query_as("SELECT district_kind, persons FROM district_list_norm")
        .fetch_all(&mut *conn)
        .await?;
    for (kind, persons) in norms {
        match DistrictKind::parse(&kind) {
            Some(DistrictKind::Therapeutic) => list_norms.therapeutic = persons,
            Some(DistrictKind::Pediatric) => list_norms.pediatric = persons,
            Some(DistrictKind::GeneralPractice) => list_norms.general_practice = persons,
            None => {
                return Err(StoreError::Corrupt {
                    detail: format!("list norm for {kind:?}"),
                });
            }
        }
    }
    Ok(AttachmentRules {
        campaigns,
        list_norms,
        // the Code's age of majority; not yet a clinic's setting
        district_ages: DistrictAges::default(),
    })
}

pub(crate) async fn set_campaign(pool: &SqlitePool, campaign: &Campaign) -> Result<(), StoreError> {
    if campaign.first_day > campaign.last_day || campaign.first_day.year() != campaign.year {
        return Err(StoreError::InvalidReferenceData {
            detail: format!(
                "campaign {}: {} – {}",
                campaign.year, campaign.first_day, campaign.last_day
            ),
        });
    }
    sqlx::query(
        "INSERT INTO attachment_campaign (year, first_day, last_day, free_choice_limit, takes_effect) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (year) DO UPDATE SET first_day = excluded.first_day, \
         last_day = excluded.last_day, free_choice_limit = excluded.free_choice_limit, \
         takes_effect = excluded.takes_effect",
    )
    .bind(campaign.year)
    .bind(campaign.first_day)
    .bind(campaign.last_day)
    .bind(campaign.free_choice_limit)
    .bind(campaign.takes_effect.as_str())
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn set_list_norms(pool: &SqlitePool, norms: &ListNorms) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for kind in DistrictKind::ALL {
        let persons = norms.for_kind(*kind);
        if persons == 0 {
            return Err(StoreError::InvalidReferenceData {
                detail: format!("list norm for {} is 0", kind.as_str()),
            });
        }
        sqlx::query(
            "INSERT INTO district_list_norm (district_kind, persons) VALUES (?1, ?2) \
             ON CONFLICT (district_kind) DO UPDATE SET persons = excluded.persons",
        )
        .bind(kind.as_str())
        .bind(persons)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- the application

struct HomeClinic {
    id: i64,
    bin: String,
}

async fn home_clinic(conn: &mut SqliteConnection) -> Result<HomeClinic, StoreError> {
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, bin FROM clinic WHERE is_home = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (id, bin) = row.ok_or(StoreError::NoHomeClinic)?;
    Ok(HomeClinic { id, bin })
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    clinic_bin: String,
    district_id: Option<i64>,
    ground: String,
    decided_on: NaiveDate,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
}

/// The person's attachments, oldest first, with their row ids.
async fn history(
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
struct PersonFacts {
    surname: String,
    first_name: String,
    patronymic: Option<String>,
    iin: String,
    birth_date: NaiveDate,
    household_id: Option<i64>,
    settlement: Option<String>,
    street: Option<String>,
    house: Option<String>,
    temporary_settlement: Option<String>,
    temporary_street: Option<String>,
    temporary_house: Option<String>,
    document_kind: Option<String>,
    document_number: Option<String>,
    died_on: Option<NaiveDate>,
}

async fn person_facts(conn: &mut SqliteConnection, person_id: i64) -> Result<PersonFacts, StoreError> {
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
async fn suggestion(
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
            sqlx::query_as(
                "SELECT a.district_id, d.kind FROM person p JOIN attachment a ON a.person_id = p.id \
                 JOIN district d ON d.id = a.district_id \
                 WHERE p.household_id = ?1 AND p.id <> ?2 AND a.clinic_id = ?3 \
                 AND a.started_on <= ?4 AND (a.ended_on IS NULL OR a.ended_on > ?4) \
                 GROUP BY a.district_id ORDER BY count(*) DESC, a.district_id LIMIT 1",
            )
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
    let coverage_rows: Vec<(i64, String, String, String, u32, u32)> = sqlx::query_as(
        "SELECT dc.district_id, d.kind, dc.settlement, dc.street, dc.house_from, dc.house_to \
         FROM district_coverage dc JOIN district d ON d.id = dc.district_id WHERE d.clinic_id = ?1 ORDER BY d.number",
    )
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    let coverage = coverage_rows
        .into_iter()
        .map(|(district_id, text, settlement, street, house_from, house_to)| {
            Ok(Coverage {
                district_id,
                kind: kind(text)?,
                settlement,
                street,
                house_from,
                house_to,
            })
        })
        .collect::<Result<Vec<Coverage>, StoreError>>()?;
    let age_years = age_on(facts.birth_date, today).unwrap_or(0);
    let address = |s: &Option<String>, st: &Option<String>, h: &Option<String>| match (s, st, h) {
        (Some(s), Some(st), Some(h)) => Some((s.clone(), st.clone(), h.clone())),
        _ => None,
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
async fn district_load(
    conn: &mut SqliteConnection,
    district_id: i64,
    today: NaiveDate,
) -> Result<u32, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM attachment WHERE district_id = ?1 AND (ended_on IS NULL OR ended_on > ?2) \
         AND started_on <= ?2",
    )
    .bind(district_id)
    .bind(today)
    .fetch_one(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
struct DistrictRow {
    id: i64,
    number: u32,
    kind: String,
    doctor: Option<String>,
}

async fn districts(
    conn: &mut SqliteConnection,
    clinic_id: i64,
) -> Result<Vec<(i64, u32, DistrictKind, Option<String>)>, StoreError> {
    let rows: Vec<DistrictRow> = sqlx::query_as(
        concat!("SELECT d.id, d.number, d.kind, \
         (SELECT ", full_name_sql!("s"), " FROM staff s \
          WHERE s.district_id = d.id AND s.role IN ('district_doctor', 'feldsher') ORDER BY s.role, s.id LIMIT 1) AS doctor \
         FROM district d WHERE d.clinic_id = ?1 ORDER BY d.number"),
    )
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let kind = DistrictKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt {
                detail: format!("district {} kind {:?}", row.id, row.kind),
            })?;
            Ok((row.id, row.number, kind, row.doctor))
        })
        .collect()
}

/// Who may register at the clinic's window: registrars first, then feldshers and the head.
pub(crate) async fn registrars(
    conn: &mut SqliteConnection,
    clinic_id: i64,
) -> Result<Vec<StaffOption>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT id, ",
        full_name_sql!(),
        " AS full_name FROM staff \
         WHERE clinic_id = ?1 AND role IN ('registrar', 'feldsher', 'head') ORDER BY role = 'registrar' DESC, surname, id"
    ))
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub(crate) async fn options(
    pool: &SqlitePool,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<AttachmentOptions, StoreError> {
    let today = kazakhstan_date(now);
    let mut conn = pool.acquire().await?;
    let clinic = home_clinic(&mut conn).await?;
    let facts = person_facts(&mut conn, person_id).await?;
    let rules = rules(&mut conn).await?;
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
    for (id, number, kind, doctor) in self::districts(&mut conn, clinic.id).await? {
        let attached = district_load(&mut conn, id, today).await?;
        districts.push(DistrictOption {
            id,
            number,
            kind,
            doctor,
            attached,
            norm: rules.list_norms.for_kind(kind),
        });
    }
    let current: Option<CurrentAttachment> = sqlx::query_as(
        "SELECT c.name_kk AS clinic_name_kk, c.name_ru AS clinic_name_ru, c.is_home AS here, \
         d.number AS district_number, a.started_on FROM attachment a JOIN clinic c ON c.id = a.clinic_id \
         LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = ?1 AND a.started_on <= ?2 AND (a.ended_on IS NULL OR a.ended_on > ?2)",
    )
    .bind(person_id)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    let registrars = registrars(&mut conn, clinic.id).await?;
    Ok(AttachmentOptions {
        person_id,
        full_name: full_name(&facts.surname, &facts.first_name, facts.patronymic.as_deref()),
        iin: facts.iin.clone(),
        document_kind: facts.document_kind.as_deref().and_then(DocumentKind::parse),
        document_number: facts.document_number.clone(),
        current,
        suggestion,
        districts,
        registrars,
        campaign: rules.campaign(today.year()),
        today,
    })
}

pub(crate) async fn apply(
    pool: &SqlitePool,
    form: &ApplicationForm,
    now: DateTime<Utc>,
) -> Result<ApplicationOutcome, FormError> {
    let today = kazakhstan_date(now);
    let mut tx = pool.begin().await?;
    let clinic = home_clinic(&mut tx).await?;
    let facts = person_facts(&mut tx, form.person_id).await?;

    let mut errors = Vec::new();
    let mut fail = |field, problem| errors.push(FieldError { field, problem });
    let document_number = form.document_number.trim();
    if form.document_kind.is_none() {
        fail(Field::DocumentKind, FieldProblem::Required);
    }
    if document_number.is_empty() {
        fail(Field::DocumentNumber, FieldProblem::Required);
    }
    if form.consent.given.is_none() {
        fail(Field::Consent, FieldProblem::Required);
    }
    let registrar: Option<String> = match form.registrar_id {
        None => None,
        Some(id) => {
            sqlx::query_scalar(concat!(
                "SELECT ",
                full_name_sql!(),
                " FROM staff \
             WHERE id = ?1 AND clinic_id = ?2"
            ))
            .bind(id)
            .bind(clinic.id)
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    match (form.registrar_id, &registrar) {
        (None, _) => fail(Field::Registrar, FieldProblem::Required),
        (Some(_), None) => fail(Field::Registrar, FieldProblem::UnknownRegistrar),
        (Some(_), Some(_)) => {}
    }
    let new_residence =
        check_new_residence(form.ground, form.new_residence.as_ref()).unwrap_or_else(|error| {
            errors.push(error);
            None
        });
    // Every field's problem at once: the registrar corrects the form in one go.
    let (Some(consent_given), Some(registrar_id), Some(_)) =
        (form.consent.given, form.registrar_id, registrar)
    else {
        return Err(FormError::Fields { errors });
    };
    let rules = rules(&mut tx).await?;
    // A person who moved is placed by the new address alone: the old household stays behind.
    let placed = match &new_residence {
        None => facts.clone(),
        Some(residence) => PersonFacts {
            household_id: None,
            settlement: Some(residence.address.settlement.clone()),
            street: Some(residence.address.street.clone()),
            house: Some(residence.address.house.clone()),
            temporary_settlement: None,
            temporary_street: None,
            temporary_house: None,
            ..facts.clone()
        },
    };
    let Some(district) = suggestion(
        &mut tx,
        clinic.id,
        form.person_id,
        &placed,
        form.district_id,
        today,
        &rules.district_ages,
    )
    .await?
    else {
        // no district of the clinic serves where she moved: said at the address, unless a district is chosen
        let (field, problem) = match new_residence {
            Some(_) => (Field::NewAddress, FieldProblem::OutsideTerritory),
            None => (Field::District, FieldProblem::Required),
        };
        return Err(field_errors(errors, field, problem));
    };
    let all_districts = districts(&mut tx, clinic.id).await?;
    let Some(&(district_id, district_number, district_kind, _)) =
        all_districts.iter().find(|(id, ..)| *id == district.district_id)
    else {
        return Err(field_errors(
            errors,
            Field::District,
            FieldProblem::UnknownDistrict,
        ));
    };
    if !errors.is_empty() {
        return Err(FormError::Fields { errors });
    }

    let (history_ids, history) = history(&mut tx, form.person_id).await?;
    let case = AttachmentCase {
        ground: form.ground,
        consent_given,
        decided_at: now,
        person_died_on: facts.died_on,
        history: &history,
        clinic_bin: &clinic.bin,
        district_id,
    };
    let decision = match decide(&case, &rules) {
        Ok(decision) => decision,
        Err(AttachmentCaseError::AlreadyAttachedHere { district_id }) => {
            let number = all_districts
                .iter()
                .find(|(id, ..)| Some(*id) == district_id)
                .map(|d| d.1);
            return Err(at_field(
                Field::Person,
                FieldProblem::AlreadyAttachedHere {
                    district_number: number,
                },
            ));
        }
    };

    let year = today.year();
    let number: i64 = sqlx::query_scalar(
        "SELECT coalesce(max(number), 0) + 1 FROM attachment_application WHERE clinic_id = ?1 AND year = ?2",
    )
    .bind(clinic.id)
    .bind(year)
    .fetch_one(&mut *tx)
    .await?;
    let (status, refusal) = match &decision {
        Decision::Attach { .. } => ("attached", None),
        Decision::Refuse { ground, .. } => ("refused", Some(ground.as_str())),
    };
    let application_id: i64 = sqlx::query_scalar(
        "INSERT INTO attachment_application (clinic_id, year, number, person_id, channel, ground, district_id, \
         district_source, document_kind, document_number, registrar_id, submitted_at, status, decided_at, refusal_ground) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?14) RETURNING id",
    )
    .bind(clinic.id)
    .bind(year)
    .bind(number)
    .bind(form.person_id)
    .bind(form.channel.as_str())
    .bind(form.ground.as_str())
    .bind(district_id)
    .bind(district.source.as_str())
    .bind(form.document_kind.map(DocumentKind::as_str))
    .bind(document_number)
    .bind(registrar_id)
    .bind(now)
    .bind(status)
    .bind(refusal)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO personal_data_consent (application_id, person_id, given, operator_name, operator_bin, valid_until, \
         third_parties, cross_border, publication, data_list, recorded_by, recorded_at) \
         SELECT ?1, ?2, ?3, c.name_ru, c.bin, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM clinic c WHERE c.id = ?11",
    )
    .bind(application_id)
    .bind(form.person_id)
    .bind(consent_given)
    .bind(form.consent.valid_until)
    .bind(form.consent.third_parties)
    .bind(form.consent.cross_border)
    .bind(form.consent.publication)
    .bind(CONSENT_DATA_LIST)
    .bind(registrar_id)
    .bind(now)
    .bind(clinic.id)
    .execute(&mut *tx)
    .await?;

    let mut list_norm_exceeded = None;
    if let Decision::Attach {
        decided_on,
        effective_on,
        ends,
    } = &decision
    {
        if let Some(index) = ends {
            let reason =
                emhana_domain::attachment::ended_by_new_attachment(&history[*index], &clinic.bin).as_str();
            // The previous attachment lasts until the new one starts (never ends before it began).
            sqlx::query(
                "UPDATE attachment SET ended_on = max(started_on, ?2), end_reason = ?3 WHERE id = ?1 AND ended_on IS NULL",
            )
            .bind(history_ids[*index])
            .bind(effective_on)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        }
        let attached = district_load(&mut tx, district_id, today).await?;
        if exceeds_list_norm(district_kind, attached, &rules.list_norms) {
            list_norm_exceeded = Some(ListLoad {
                attached,
                norm: rules.list_norms.for_kind(district_kind),
            });
        }
        let attachment_id: i64 = sqlx::query_scalar(
            "INSERT INTO attachment (person_id, clinic_id, district_id, ground, application_id, decided_on, started_on) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(form.person_id)
        .bind(clinic.id)
        .bind(district_id)
        .bind(form.ground.as_str())
        .bind(application_id)
        .bind(decided_on)
        .bind(effective_on)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(residence) = &new_residence {
            move_person(&mut tx, form.person_id, residence).await?;
        }
        // The registry decides again; until it answers, the attachment is provisional.
        let person = sync::load_person(&mut tx, form.person_id).await?;
        let op = OpBody::Attach(AttachOp {
            person,
            clinic_bin: clinic.bin.clone(),
            district_number,
            ground: form.ground,
            consent_given,
            application: ApplicationKey {
                year,
                number: u32::try_from(number).unwrap_or(u32::MAX),
            },
        });
        let links = OpLinks {
            person_id: Some(form.person_id),
            application_id: Some(application_id),
            attachment_id: Some(attachment_id),
            ended_attachment_id: ends.map(|index| history_ids[index]),
            booking_id: None,
        };
        sync::record_op(&mut tx, now, Some(registrar_id), &op, links).await?;
    }
    let action = if matches!(decision, Decision::Attach { .. }) {
        "person_attached"
    } else {
        "attachment_refused"
    };
    let detail = format!(r#"{{"application_id":{application_id},"district_number":{district_number}}}"#);
    audit(
        &mut tx,
        now,
        Some(registrar_id),
        action,
        Some(form.person_id),
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(ApplicationOutcome {
        application_id,
        application_number: format!("{year}/{number}"),
        decision,
        district_number,
        list_norm_exceeded,
    })
}

/// Writes where the person moved: a new permanent residence (and a household
/// of its own there) or a temporary one beside the registered address.
async fn move_person(
    conn: &mut SqliteConnection,
    person_id: i64,
    residence: &NewResidence,
) -> Result<(), StoreError> {
    let address = &residence.address;
    if residence.temporary {
        sqlx::query(
            "UPDATE person SET temporary_settlement = ?2, temporary_street = ?3, temporary_house = ?4, \
             temporary_apartment = ?5 WHERE id = ?1",
        )
        .bind(person_id)
        .bind(&address.settlement)
        .bind(&address.street)
        .bind(&address.house)
        .bind(&address.apartment)
        .execute(&mut *conn)
        .await?;
        return Ok(());
    }
    let household_id: i64 = sqlx::query_scalar(
        "INSERT INTO household (settlement, street, house, apartment) VALUES (?1, ?2, ?3, ?4) RETURNING id",
    )
    .bind(&address.settlement)
    .bind(&address.street)
    .bind(&address.house)
    .bind(&address.apartment)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE person SET settlement = ?2, street = ?3, house = ?4, apartment = ?5, household_id = ?6 WHERE id = ?1",
    )
    .bind(person_id)
    .bind(&address.settlement)
    .bind(&address.street)
    .bind(&address.house)
    .bind(&address.apartment)
    .bind(household_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn field_errors(mut errors: Vec<FieldError>, field: Field, problem: FieldProblem) -> FormError {
    errors.push(FieldError { field, problem });
    FormError::Fields { errors }
}

pub(crate) async fn detach(
    pool: &SqlitePool,
    person_id: i64,
    reason: DetachmentReason,
    on: NaiveDate,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if on > kazakhstan_date(now) {
        return Err(StoreError::DateInFuture { date: on });
    }
    let mut tx = pool.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::PersonNotFound { id: person_id });
    }
    let (reason_text, action) = match reason {
        DetachmentReason::Died => ("died", "person_died"),
        DetachmentReason::ClinicLiquidated => ("clinic_liquidated", "detached_clinic_liquidated"),
    };
    if reason == DetachmentReason::Died {
        sqlx::query("UPDATE person SET died_on = ?2 WHERE id = ?1")
            .bind(person_id)
            .bind(on)
            .execute(&mut *tx)
            .await?;
    }
    let ended: Option<(i64, String)> = sqlx::query_as(
        "UPDATE attachment SET ended_on = max(started_on, ?2), end_reason = ?3 WHERE person_id = ?1 AND ended_on IS NULL \
         RETURNING id, (SELECT bin FROM clinic WHERE clinic.id = attachment.clinic_id)",
    )
    .bind(person_id)
    .bind(on)
    .bind(reason_text)
    .fetch_optional(&mut *tx)
    .await?;
    // The registry hears of it when the attachment was this clinic's.
    if let Some((attachment_id, bin)) = &ended
        && let Ok(home) = home_clinic(&mut tx).await
        && home.bin == *bin
    {
        let person = person_facts(&mut tx, person_id).await?;
        let op = OpBody::Detach(DetachOp {
            iin: person.iin,
            clinic_bin: home.bin,
            on,
            reason: match reason {
                DetachmentReason::Died => DetachReason::Died,
                DetachmentReason::ClinicLiquidated => DetachReason::ClinicLiquidated,
            },
        });
        let links = OpLinks {
            person_id: Some(person_id),
            attachment_id: None,
            ended_attachment_id: Some(*attachment_id),
            ..OpLinks::default()
        };
        sync::record_op(&mut tx, now, staff_id, &op, links).await?;
    }
    audit(&mut tx, now, staff_id, action, Some(person_id), "{}").await?;
    tx.commit().await?;
    Ok(ended.is_some())
}

async fn audit(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
    staff_id: Option<i64>,
    action: &str,
    person_id: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_event (at, staff_id, action, person_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(at)
    .bind(staff_id)
    .bind(action)
    .bind(person_id)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- documents

#[derive(sqlx::FromRow)]
struct DocumentRow {
    name_kk: String,
    name_ru: String,
    bin: String,
    clinic_address: String,
    clinic_phone: String,
    hours: String,
    year: i32,
    number: i64,
    submitted_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    channel: String,
    ground: String,
    status: String,
    refusal_ground: Option<String>,
    registry_confirmed_at: Option<DateTime<Utc>>,
    surname: String,
    first_name: String,
    patronymic: Option<String>,
    iin: String,
    birth_date: NaiveDate,
    settlement: Option<String>,
    street: Option<String>,
    house: Option<String>,
    apartment: Option<String>,
    district_id: i64,
    district_number: u32,
    district_kind: String,
    registrar: String,
}

async fn document_row(conn: &mut SqliteConnection, application_id: i64) -> Result<DocumentRow, StoreError> {
    sqlx::query_as(
        concat!("SELECT c.name_kk, c.name_ru, c.bin, c.address AS clinic_address, c.phone AS clinic_phone, c.hours, \
         a.year, a.number, a.submitted_at, a.decided_at, a.channel, a.ground, a.status, a.refusal_ground, \
         a.registry_confirmed_at, p.surname, p.first_name, p.patronymic, p.iin, p.birth_date, p.settlement, p.street, \
         p.house, p.apartment, d.id AS district_id, d.number AS district_number, d.kind AS district_kind, \
         ", full_name_sql!("s"), " AS registrar \
         FROM attachment_application a JOIN clinic c ON c.id = a.clinic_id JOIN person p ON p.id = a.person_id \
         JOIN district d ON d.id = a.district_id JOIN staff s ON s.id = a.registrar_id WHERE a.id = ?1"),
    )
    .bind(application_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::ApplicationNotFound { id: application_id })
}

fn header(row: &DocumentRow) -> ClinicHeader {
    ClinicHeader {
        name_kk: row.name_kk.clone(),
        name_ru: row.name_ru.clone(),
        bin: row.bin.clone(),
        address: row.clinic_address.clone(),
        phone: row.clinic_phone.clone(),
        hours: row.hours.clone(),
    }
}

fn person_line(row: &DocumentRow) -> PersonLine {
    let address = match (&row.settlement, &row.street, &row.house) {
        (Some(settlement), Some(street), Some(house)) => Some(Address {
            settlement: settlement.clone(),
            street: street.clone(),
            house: house.clone(),
            apartment: row.apartment.clone(),
        }),
        _ => None,
    };
    PersonLine {
        full_name: full_name(&row.surname, &row.first_name, row.patronymic.as_deref()),
        iin: row.iin.clone(),
        birth_date: row.birth_date,
        address,
    }
}

pub(crate) async fn application_document(
    pool: &SqlitePool,
    application_id: i64,
) -> Result<ApplicationDocument, StoreError> {
    let mut conn = pool.acquire().await?;
    let row = document_row(&mut conn, application_id).await?;
    let decided_at = row.decided_at.unwrap_or(row.submitted_at);
    let decided_on = kazakhstan_date(decided_at);
    let outcome = match (row.status.as_str(), row.refusal_ground.as_deref()) {
        ("refused", Some(ground)) => DocumentOutcome::Refused {
            ground: RefusalGround::parse(ground).ok_or_else(|| corrupt("refusal ground", ground))?,
            campaign: rules(&mut conn).await?.campaign(decided_on.year()),
        },
        ("attached", _) => {
            let staff: Vec<(String, String)> = sqlx::query_as(concat!(
                "SELECT role, ",
                full_name_sql!(),
                " FROM staff \
                 WHERE district_id = ?1 ORDER BY id"
            ))
            .bind(row.district_id)
            .fetch_all(&mut *conn)
            .await?;
            // doctor or feldsher first, then the nurse; each in the role they hold
            let mut team = Vec::new();
            for wanted in [
                StaffRole::DistrictDoctor,
                StaffRole::Feldsher,
                StaffRole::DistrictNurse,
            ] {
                team.extend(
                    staff
                        .iter()
                        .filter(|(role, _)| role == wanted.as_str())
                        .map(|(_, name)| TeamMember {
                            role: wanted,
                            name: name.clone(),
                        }),
                );
            }
            let effective_on: Option<NaiveDate> =
                sqlx::query_scalar("SELECT started_on FROM attachment WHERE application_id = ?1")
                    .bind(application_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            DocumentOutcome::Attached {
                district_number: row.district_number,
                district_kind: DistrictKind::parse(&row.district_kind)
                    .ok_or_else(|| corrupt("district kind", &row.district_kind))?,
                team,
                effective_on: effective_on.unwrap_or(decided_on),
                provisional: row.registry_confirmed_at.is_none(),
            }
        }
        (status, _) => {
            return Err(StoreError::NotDecided {
                id: application_id,
                status: status.to_string(),
            });
        }
    };
    Ok(ApplicationDocument {
        clinic: header(&row),
        application_id,
        application_number: format!("{}/{}", row.year, row.number),
        submitted_at: row.submitted_at,
        decided_on,
        channel: Channel::parse(&row.channel).ok_or_else(|| corrupt("channel", &row.channel))?,
        ground: AttachmentGround::parse(&row.ground).ok_or_else(|| corrupt("ground", &row.ground))?,
        person: person_line(&row),
        registrar: row.registrar.clone(),
        outcome,
    })
}

pub(crate) async fn consent_document(
    pool: &SqlitePool,
    application_id: i64,
) -> Result<ConsentDocument, StoreError> {
    let mut conn = pool.acquire().await?;
    let row = document_row(&mut conn, application_id).await?;
    let consent: (bool, Option<NaiveDate>, bool, bool, bool, String, DateTime<Utc>, String, String) = sqlx::query_as(
        concat!("SELECT k.given, k.valid_until, k.third_parties, k.cross_border, k.publication, k.data_list, k.recorded_at, \
         ", full_name_sql!("s"), ", k.operator_bin \
         FROM personal_data_consent k JOIN staff s ON s.id = k.recorded_by WHERE k.application_id = ?1"),
    )
    .bind(application_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::ApplicationNotFound { id: application_id })?;
    let (
        given,
        valid_until,
        third_parties,
        cross_border,
        publication,
        data_list,
        recorded_at,
        recorded_by,
        _,
    ) = consent;
    Ok(ConsentDocument {
        clinic: header(&row),
        application_number: format!("{}/{}", row.year, row.number),
        person: person_line(&row),
        given,
        valid_until,
        third_parties,
        cross_border,
        publication,
        data_list,
        recorded_by,
        recorded_at,
    })
}
