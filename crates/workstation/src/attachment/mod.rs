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

mod application;
mod documents;
mod registration;

pub(crate) use application::*;
pub(crate) use documents::*;
pub(crate) use registration::*;

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

/// A household of its own at `address`: a person registered there, or one who moved there.
pub(super) async fn new_household(conn: &mut SqliteConnection, address: &Address) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO household (settlement, street, house, apartment) VALUES (?1, ?2, ?3, ?4) RETURNING id",
    )
    .bind(&address.settlement)
    .bind(&address.street)
    .bind(&address.house)
    .bind(&address.apartment)
    .fetch_one(&mut *conn)
    .await?)
}
