//! A person's OSMS status at the window (docs/osms.md): asked of the
//! registry when it can be reached, kept here as the last known answer with
//! its date, and shown from that, marked as not current, when it cannot.
//! The arrears are computed here, for today, from the payments and the
//! year's minimum wage the registry handed out. The status informs; it
//! never blocks an attachment or a booking (seed 000: PHC is free).

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::access::Action;
use emhana_domain::documents::{OsmsStatement, OsmsStatementRefusal, StatementRefusalGround};
use emhana_domain::osms::{Arrears, MinimumWages, OsmsError, OsmsStatus, Payment, StatePaid, YearWage};
use emhana_protocol::OsmsAnswer;
use serde::Serialize;
use sqlx::SqlitePool;

use crate::Workstation;
use crate::error::StoreError;

/// Whom the registry is asked about, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsmsRequest {
    pub person_id: i64,
    pub iin: String,
    /// The member of staff signed in, who asks.
    pub actor_iin: String,
}

/// Why the status shown is not the registry's answer of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OsmsUnavailable {
    /// This PC is not connected to a registry (the demo, a PC not yet enrolled).
    NoRegistry,
    /// The registry could not be reached.
    Offline,
    /// The registry gives it only to the clinic the person is attached to.
    NotServedHere,
    /// The registry does not know the IIN.
    UnknownPerson,
    /// The registry refused or failed otherwise (the sync screen says why).
    Refused,
}

/// What the card shows of a person's OSMS status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OsmsView {
    /// The last answer known here; `None`: never asked successfully.
    pub known: Option<KnownOsms>,
    /// `None`: `known` is the registry's answer of now. Otherwise why it is
    /// not, and `known` is the last known one, shown with its date.
    pub unavailable: Option<OsmsUnavailable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct KnownOsms {
    /// When the Fund's data was read: the status is the status on that day.
    pub known_at: DateTime<Utc>,
    pub status: OsmsStatus,
    /// Oldest first.
    pub payments: Vec<Payment>,
    pub state_paid: Vec<StatePaid>,
    /// What regaining coverage would cost if paid today, for a person who is
    /// not a consumer; `None` for a consumer.
    pub arrears: Option<Arrears>,
    /// Why the arrears could not be computed (the year's minimum wage is not set).
    pub arrears_problem: Option<OsmsError>,
    /// The holder's digital policy and the provider they were attached to when it was read.
    pub policy: Option<emhana_protocol::PolicyView>,
}

/// What the statement's printing gives: the statement, or its motivated
/// refusal when the person did not consent to access their data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementPaper {
    Statement(OsmsStatement),
    Refusal(OsmsStatementRefusal),
}

impl Workstation {
    /// Whom to ask about, for the signed-in member of staff who may read
    /// OSMS data and see the person; the reading is audited.
    pub async fn osms_request(&self, person_id: i64, today: NaiveDate) -> Result<OsmsRequest, StoreError> {
        let actor_iin = self.require(Action::ReadInsurance).await?.iin.clone();
        self.require_may_see(person_id, today).await?;
        let iin: Option<String> = sqlx::query_scalar("SELECT iin FROM person WHERE id = ?1")
            .bind(person_id)
            .fetch_optional(&self.pool)
            .await?;
        let iin = iin.ok_or(StoreError::PersonNotFound { id: person_id })?;
        self.audit_now("osms_read", Some(person_id), "{}").await?;
        Ok(OsmsRequest {
            person_id,
            iin,
            actor_iin,
        })
    }

    /// Keeps the registry's answer about a person as the last known one.
    pub async fn record_osms(&self, person_id: i64, answer: &OsmsAnswer) -> Result<(), StoreError> {
        self.record_osms_answers(&[(person_id, answer.clone())]).await
    }

    /// Keeps answers as the last known ones, in one transaction (an older
    /// answer never replaces a newer one).
    pub async fn record_osms_answers(&self, answers: &[(i64, OsmsAnswer)]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (person_id, answer) in answers {
            let body = serde_json::to_string(answer).map_err(|error| StoreError::Corrupt {
                detail: format!("an OSMS answer: {error}"),
            })?;
            sqlx::query(
                "INSERT INTO osms_known (person_id, known_at, answer) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (person_id) DO UPDATE SET known_at = excluded.known_at, answer = excluded.answer \
                 WHERE excluded.known_at >= osms_known.known_at",
            )
            .bind(person_id)
            .bind(answer.known_at.to_rfc3339())
            .bind(body)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// What the card shows: the last known answer, with the arrears for
    /// `today`, and why it is not current when it is not.
    pub async fn osms_view(
        &self,
        person_id: i64,
        today: NaiveDate,
        unavailable: Option<OsmsUnavailable>,
    ) -> Result<OsmsView, StoreError> {
        self.require(Action::ReadInsurance).await?;
        self.require_may_see(person_id, today).await?;
        let known = known(&self.pool, person_id, today).await?;
        Ok(OsmsView { known, unavailable })
    }

    /// The OSMS statement of seed 003 appendix 3 from the last known answer
    /// (its date printed on it), issued `today`; without the person's
    /// consent to access their restricted data, the motivated refusal of
    /// appendix 2 p. 9.5. The printing and the consent are audited.
    pub async fn osms_statement(
        &self,
        person_id: i64,
        today: NaiveDate,
        consent_given: bool,
    ) -> Result<StatementPaper, StoreError> {
        let printed_by = self.require(Action::ReadInsurance).await?.full_name.clone();
        self.require_may_see(person_id, today).await?;
        let person: Option<(String, String, String, Option<String>)> =
            sqlx::query_as("SELECT iin, surname, first_name, patronymic FROM person WHERE id = ?1")
                .bind(person_id)
                .fetch_optional(&self.pool)
                .await?;
        let (iin, surname, first_name, patronymic) =
            person.ok_or(StoreError::PersonNotFound { id: person_id })?;
        let full_name = emhana_domain::full_name(&surname, &first_name, patronymic.as_deref());
        let clinic = {
            let mut conn = self.pool.acquire().await?;
            crate::store::clinic_header(&mut conn).await?
        };
        let detail = serde_json::json!({ "consent": consent_given }).to_string();
        if !consent_given {
            self.audit_now("osms_statement_refused", Some(person_id), &detail)
                .await?;
            return Ok(StatementPaper::Refusal(OsmsStatementRefusal {
                clinic,
                full_name,
                iin,
                issued_on: today,
                ground: StatementRefusalGround::NoConsent,
                printed_by,
            }));
        }
        let known = known(&self.pool, person_id, today)
            .await?
            .ok_or(StoreError::OsmsNotKnown)?;
        self.audit_now("osms_statement", Some(person_id), &detail).await?;
        Ok(StatementPaper::Statement(OsmsStatement {
            clinic,
            full_name,
            iin,
            issued_on: today,
            known_at: known.known_at,
            payments: known.payments,
            status: known.status,
            arrears: known.arrears,
            arrears_problem: known.arrears_problem,
            printed_by,
        }))
    }
}

/// The last known answer with the arrears for `today`; `None`: never known here.
async fn known(pool: &SqlitePool, person_id: i64, today: NaiveDate) -> Result<Option<KnownOsms>, StoreError> {
    let Some(answer) = last_known(pool, person_id).await? else {
        return Ok(None);
    };
    let wages = minimum_wages(pool).await?;
    let (arrears, arrears_problem) = match answer.status {
        OsmsStatus::Consumer { .. } => (None, None),
        OsmsStatus::NotConsumer { .. } => {
            match emhana_domain::osms::arrears(&answer.facts.payments, today, &wages) {
                Ok(arrears) => (Some(arrears), None),
                Err(problem) => (None, Some(problem)),
            }
        }
    };
    Ok(Some(KnownOsms {
        known_at: answer.known_at,
        status: answer.status,
        payments: answer.facts.payments,
        state_paid: answer.facts.state_paid,
        arrears,
        arrears_problem,
        policy: answer.policy,
    }))
}

pub(crate) async fn last_known(pool: &SqlitePool, person_id: i64) -> Result<Option<OsmsAnswer>, StoreError> {
    let body: Option<String> = sqlx::query_scalar("SELECT answer FROM osms_known WHERE person_id = ?1")
        .bind(person_id)
        .fetch_optional(pool)
        .await?;
    body.map(|body| {
        serde_json::from_str(&body).map_err(|error| StoreError::Corrupt {
            detail: format!("osms_known of person {person_id}: {error}"),
        })
    })
    .transpose()
}

pub(crate) async fn minimum_wages(pool: &SqlitePool) -> Result<MinimumWages, StoreError> {
    let years: Vec<(i32, i64)> = sqlx::query_as("SELECT year, tenge FROM minimum_wage ORDER BY year")
        .fetch_all(pool)
        .await?;
    Ok(MinimumWages {
        years: years
            .into_iter()
            .map(|(year, tenge)| YearWage { year, tenge })
            .collect(),
    })
}

/// Keeps the registry's minimum wages (a year it no longer lists stays:
/// it was set by law); whether anything changed.
pub(crate) async fn keep_minimum_wages(pool: &SqlitePool, wages: &MinimumWages) -> Result<bool, StoreError> {
    let before = minimum_wages(pool).await?;
    let mut changed = false;
    for wage in &wages.years {
        if before.of_year(wage.year) != Some(wage.tenge) {
            sqlx::query(
                "INSERT INTO minimum_wage (year, tenge) VALUES (?1, ?2) \
                 ON CONFLICT (year) DO UPDATE SET tenge = excluded.tenge",
            )
            .bind(wage.year)
            .bind(wage.tenge)
            .execute(pool)
            .await?;
            changed = true;
        }
    }
    Ok(changed)
}
