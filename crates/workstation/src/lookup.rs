//! The person look-up at registration (seed 002, process 3: "a request
//! through the gateway to ГБД ФЛ for the recipient's data"): typing an IIN
//! asks the registry, which stands in for the state person database, and
//! the form is filled from its answer. An IIN with a wrong check digit
//! never leaves the PC. "No data in ГБД ФЛ" is the seed's message (process
//! 4: «сообщение о невозможности получения данных в связи с отсутствием
//! данных получателя в ГБД ФЛ»). Each look-up is audited here and logged at
//! the registry.

use emhana_domain::access::Action;
use emhana_domain::{Iin, Person};
use emhana_protocol::AttachmentState;
use serde::Serialize;

use crate::Workstation;
use crate::error::StoreError;

/// Whom to look up, and who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupRequest {
    pub iin: String,
    pub actor_iin: String,
}

/// Why the registry could not be asked now: the registrar types the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LookupUnavailable {
    /// This PC has no registry (the demo, a PC not yet enrolled).
    NoRegistry,
    /// The registry could not be reached.
    Offline,
    /// The registry refused (the member of staff may not look people up, too many look-ups).
    Refused,
}

/// Where the person is attached, as far as the registry tells this clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LookupAttached {
    Here,
    Elsewhere,
    Nowhere,
}

/// What the registration form gets for a typed IIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LookupOutcome {
    /// The state database's data: the form is filled from it. The phone
    /// comes only for the clinic's own people.
    Found {
        person: Box<Person>,
        died_on: Option<chrono::NaiveDate>,
        attached: LookupAttached,
    },
    /// No data in ГБД ФЛ for the IIN.
    NotFound,
    /// The registry was not asked or did not answer; the data is typed.
    Unavailable { reason: LookupUnavailable },
}

impl Workstation {
    /// The look-up of `iin` by the signed-in member of staff who registers
    /// persons; an IIN that is not one is refused here, and the look-up audited.
    pub async fn lookup_request(&self, iin: &str) -> Result<LookupRequest, StoreError> {
        let actor_iin = self.require(Action::RegisterPerson).await?.iin.clone();
        let iin = Iin::parse(iin.trim()).map_err(|reason| StoreError::InvalidIin { reason })?;
        let detail = serde_json::json!({ "iin": iin.as_string() }).to_string();
        self.audit_now("person_lookup", None, &detail).await?;
        Ok(LookupRequest {
            iin: iin.as_string(),
            actor_iin,
        })
    }
}

impl Workstation {
    /// Keeps what the state database answered for an IIN: a registration
    /// of that IIN with the same person is confirmed by it.
    pub async fn keep_state_answer(&self, person: &Person) -> Result<(), StoreError> {
        let body = serde_json::to_string(person).map_err(|error| StoreError::Corrupt {
            detail: format!("a state database's answer: {error}"),
        })?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO state_person_answer (iin, person, looked_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (iin) DO UPDATE SET person = excluded.person, looked_at = excluded.looked_at",
        )
        .bind(person.iin.as_string())
        .bind(body)
        .bind(chrono::Utc::now())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM state_person_absence WHERE iin = ?1")
            .bind(person.iin.as_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the state database's answer that it holds no one of `iin`
    /// ("no data in ГБД ФЛ"): a registration of that IIN is refused with
    /// the seed's message until a later look-up finds the person.
    pub async fn keep_state_absence(&self, iin: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO state_person_absence (iin, looked_at) VALUES (?1, ?2) \
             ON CONFLICT (iin) DO UPDATE SET looked_at = excluded.looked_at",
        )
        .bind(iin)
        .bind(chrono::Utc::now())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM state_person_answer WHERE iin = ?1")
            .bind(iin)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl LookupOutcome {
    /// The registry's answer, as the form shows it.
    pub fn found(answer: emhana_protocol::PersonLookup) -> LookupOutcome {
        LookupOutcome::Found {
            person: Box::new(answer.person),
            died_on: answer.died_on,
            attached: match answer.attachment {
                AttachmentState::Here(_) => LookupAttached::Here,
                AttachmentState::Elsewhere => LookupAttached::Elsewhere,
                AttachmentState::None => LookupAttached::Nowhere,
            },
        }
    }
}
