//! Registering persons and attaching them to the clinic (DOMAIN.md §1–2).
//!
//! Each use case loads the facts, asks `emhana_domain` for the decision, and
//! writes the outcome with its audit event in one transaction: an application
//! is never half-written.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use emhana_domain::access::Action;
use emhana_domain::attachment::{
    AttachmentCase, AttachmentCaseError, AttachmentGround, AttachmentRules, Campaign, Channel, Decision,
    DistrictAges, DistrictSource, PastAttachment, RefusalGround, SuggestionFacts, decide, exceeds_list_norm,
    suggest_district,
};
use emhana_domain::documents::{
    ApplicationDocument, ClinicHeader, ConsentDocument, DocumentOutcome, PersonLine, TeamMember,
};
use emhana_domain::numbering::display_number;
use emhana_domain::registration::{
    DocumentKind, Field, FieldError, FieldProblem, NewResidence, RegistrationForm, check_new_residence,
    validate_registration,
};
use emhana_domain::{Address, DistrictKind, Sex, StaffRole, age_on, full_name, kazakhstan_date};
use emhana_protocol::{ApplicationKey, AttachOp, DetachOp, DetachReason, OpBody, OpOutcome, RejectGround};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use crate::Workstation;
use crate::error::{StoreError, corrupt};
use crate::store::{self, OpLinks};

mod answers;
mod application;
mod apply;
mod detach;
mod documents;
mod registration;

pub(crate) use answers::*;
pub(crate) use application::*;
pub(crate) use apply::*;
pub(crate) use detach::*;
pub(crate) use documents::*;
pub(crate) use registration::*;

/// Registering persons, attaching them, and their documents.
impl Workstation {
    /// Registers a person the workstation does not know; returns the new id.
    /// `now` is the app's clock; its date in Kazakhstan is "today" for the checks.
    pub async fn register_person(
        &self,
        form: &RegistrationForm,
        now: DateTime<Utc>,
    ) -> Result<i64, FormError> {
        let by = self.require(Action::RegisterPerson).await?;
        self::register_person(&self.pool, form, Some(by.staff_id), now).await
    }

    /// What the attachment form offers for a person: districts with their
    /// load, the suggested district, the current attachment, the campaign.
    pub async fn attachment_options(
        &self,
        person_id: i64,
        now: DateTime<Utc>,
    ) -> Result<AttachmentOptions, StoreError> {
        self::options(&self.pool, person_id, now).await
    }

    /// Registers an attachment application, decides it and writes the
    /// outcome (application, consent, attachment, audit event) in one
    /// transaction; the signed-in member of staff is its registrar.
    pub async fn apply_for_attachment(
        &self,
        form: &ApplicationForm,
        now: DateTime<Utc>,
    ) -> Result<ApplicationOutcome, FormError> {
        let by = self.require(Action::Attach).await?;
        self::apply(&self.pool, form, by.staff_id, now).await
    }

    /// Ends a person's attachment on `on` (death or the clinic's liquidation);
    /// false when there was none to end. A death is recorded only by a role
    /// that may (a doctor, a feldsher, the head).
    pub async fn detach(
        &self,
        person_id: i64,
        reason: DetachmentReason,
        on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let action = match reason {
            DetachmentReason::Died => Action::RecordDeath,
            DetachmentReason::ClinicLiquidated => Action::Detach,
        };
        let by = self.require(action).await?;
        self::detach(&self.pool, person_id, reason, on, Some(by.staff_id), now).await
    }

    /// The person's attachments, oldest first; ended ones are kept.
    pub async fn attachment_history(&self, person_id: i64) -> Result<Vec<AttachmentEntry>, StoreError> {
        self::entries(&self.pool, person_id).await
    }

    /// The facts printed on the attachment ticket or the refusal.
    pub async fn application_document(&self, application_id: i64) -> Result<ApplicationDocument, StoreError> {
        self::application_document(&self.pool, application_id).await
    }

    /// The consent as recorded, for printing and signature.
    pub async fn consent_document(&self, application_id: i64) -> Result<ConsentDocument, StoreError> {
        self::consent_document(&self.pool, application_id).await
    }
}

/// Why a registration or an application was not written. `Fields` carries a
/// message per form field; nothing was written in either case.
#[derive(Debug, thiserror::Error, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApplicationForm {
    pub person_id: i64,
    pub channel: Channel,
    pub ground: AttachmentGround,
    /// The district the person chose; `None` takes the suggested one.
    pub district_id: Option<i64>,
    pub document_kind: Option<DocumentKind>,
    pub document_number: String,
    pub consent: ConsentForm,
    /// Where the person moved to: asked for (and checked against the
    /// districts' coverage) on a change of residence, written to the person
    /// when the application attaches them.
    #[serde(default)]
    pub new_residence: Option<NewResidence>,
}

/// The outcome shown at once, before anything is printed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ApplicationOutcome {
    pub application_id: i64,
    pub application_number: String,
    pub decision: Decision,
    pub district_number: u32,
    /// Set when the district's list has reached its norm (a warning, not a refusal).
    pub list_norm_exceeded: Option<ListLoad>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ListLoad {
    pub attached: u32,
    pub norm: u32,
}

/// What the application form offers for one person.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AttachmentOptions {
    pub person_id: i64,
    pub full_name: String,
    pub iin: String,
    pub document_kind: Option<DocumentKind>,
    pub document_number: Option<String>,
    pub current: Option<CurrentAttachment>,
    pub suggestion: Option<emhana_domain::attachment::DistrictSuggestion>,
    pub districts: Vec<DistrictOption>,
    pub campaign: Campaign,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct CurrentAttachment {
    pub clinic_name_kk: String,
    pub clinic_name_ru: String,
    pub here: bool,
    pub district_number: Option<u32>,
    pub started_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DistrictOption {
    pub id: i64,
    pub number: u32,
    pub kind: DistrictKind,
    pub doctor: Option<String>,
    pub attached: u32,
    pub norm: u32,
}

/// Why an attachment ends without a new one here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DetachmentReason {
    Died,
    ClinicLiquidated,
}

/// One attachment of the person's history, as the card lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
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
