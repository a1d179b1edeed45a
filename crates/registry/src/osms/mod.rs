//! The OSMS side of the national systems, which the registry stands in for
//! (issue 21): the Fund's payments and state-paid categories, loaded from
//! the Fund's files (`import`), and each year's minimum monthly wage as
//! reference data. A clinic asks a person's status by IIN
//! (`GET /v1/persons/{iin}/osms`) and gets what the Fund's digital service
//! would answer: the payments, the categories and the status on the day.
//!
//! [`InsuranceFund`] is the seam: [`StandInFund`] reads the registry's own
//! tables; a gateway (ШЭП) connector to the Fund implements the same trait.

mod import;

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::Iin;
use emhana_domain::osms::{
    MinimumWages, Month, OsmsFacts, Payment, PaymentKind, Policy, PolicyStatus, StatePaid, StatePaidCategory,
    YearWage,
};
use sqlx::{PgConnection, PgPool, Row};

pub use import::{FundImportReport, import_payments, import_policies, import_state_paid};

use crate::RegistryError;

/// What the Fund knows of a person: the facts their status is decided
/// from. A person the Fund knows nothing of has no payments and no
/// category (the answer is empty facts, not an error).
pub trait InsuranceFund {
    fn facts(&self, iin: &Iin) -> impl Future<Output = Result<OsmsFacts, RegistryError>> + Send;
    /// The person's digital policy whose period `day` is in, or else the latest begun by then.
    fn policy(
        &self,
        iin: &Iin,
        day: NaiveDate,
    ) -> impl Future<Output = Result<Option<Policy>, RegistryError>> + Send;
}

/// The registry's own tables, loaded from the Fund's files.
#[derive(Debug, Clone)]
pub struct StandInFund {
    pool: PgPool,
}

impl StandInFund {
    pub fn new(pool: PgPool) -> StandInFund {
        StandInFund { pool }
    }
}

impl InsuranceFund for StandInFund {
    async fn facts(&self, iin: &Iin) -> Result<OsmsFacts, RegistryError> {
        let mut conn = self.pool.acquire().await?;
        let corrupt = |what: &str| RegistryError::Database(sqlx::Error::Decode(what.to_owned().into()));
        let payments = sqlx::query(
            "SELECT paid_on, amount_tiyn, kind, period, payer, refund_tiyn, refunded_on FROM osms_payment \
             WHERE iin = $1 ORDER BY paid_on, period, fund_ref",
        )
        .bind(iin.as_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            let period: NaiveDate = row.try_get("period")?;
            Ok(Payment {
                paid_on: row.try_get("paid_on")?,
                amount_tiyn: row.try_get("amount_tiyn")?,
                kind: PaymentKind::parse(&kind).ok_or_else(|| corrupt("osms_payment.kind"))?,
                period: Month::of(period),
                payer: row.try_get("payer")?,
                refund_tiyn: row.try_get("refund_tiyn")?,
                refunded_on: row.try_get("refunded_on")?,
            })
        })
        .collect::<Result<Vec<_>, RegistryError>>()?;
        let state_paid = sqlx::query(
            "SELECT category, from_day, until_day FROM osms_state_paid WHERE iin = $1 ORDER BY from_day, category",
        )
        .bind(iin.as_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            let category: String = row.try_get("category")?;
            Ok(StatePaid {
                category: StatePaidCategory::parse(&category)
                    .ok_or_else(|| corrupt("osms_state_paid.category"))?,
                from: row.try_get("from_day")?,
                until: row.try_get("until_day")?,
            })
        })
        .collect::<Result<Vec<_>, RegistryError>>()?;
        Ok(OsmsFacts { payments, state_paid })
    }

    async fn policy(&self, iin: &Iin, day: NaiveDate) -> Result<Option<Policy>, RegistryError> {
        self.read_policy(iin, day).await
    }
}

impl StandInFund {
    async fn read_policy(&self, iin: &Iin, day: NaiveDate) -> Result<Option<Policy>, RegistryError> {
        let row = sqlx::query(
            "SELECT * FROM osms_policy WHERE iin = $1 AND valid_from <= $2 \
             ORDER BY (valid_until >= $2) DESC, valid_from DESC, number LIMIT 1",
        )
        .bind(iin.as_string())
        .bind(day)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let status: String = row.try_get("status")?;
        Ok(Some(Policy {
            number: row.try_get("number")?,
            issuer_name: row.try_get("issuer_name")?,
            issuer_location: row.try_get("issuer_location")?,
            issuer_bin: row.try_get("issuer_bin")?,
            holder_full_name: row.try_get("holder_full_name")?,
            holder_address: row.try_get("holder_address")?,
            holder_iin: row.try_get("iin")?,
            holder_document: row.try_get("holder_document")?,
            issued_on: row.try_get("issued_on")?,
            valid_from: row.try_get("valid_from")?,
            valid_until: row.try_get("valid_until")?,
            services: row.try_get("services")?,
            registrar_name: row.try_get("registrar_name")?,
            registrar_location: row.try_get("registrar_location")?,
            status: PolicyStatus::parse(&status)
                .ok_or_else(|| RegistryError::Database(sqlx::Error::Decode("osms_policy.status".into())))?,
        }))
    }
}

/// Sets a year's minimum monthly wage, as the law on the republican budget
/// names it (`source`); every workstation gets it with its next sync.
pub async fn set_minimum_wage(
    pool: &PgPool,
    year: i32,
    tenge: i64,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), RegistryError> {
    if !(2000..=2100).contains(&year) {
        return Err(RegistryError::Malformed(format!(
            "minimum wage: {year} is not a financial year"
        )));
    }
    if tenge <= 0 {
        return Err(RegistryError::Malformed(format!(
            "minimum wage of {year}: {tenge} tenge is not a wage"
        )));
    }
    let source = source.trim();
    if source.is_empty() || source.chars().count() > 300 {
        return Err(RegistryError::Malformed(
            "minimum wage: name the law that sets it (up to 300 characters)".to_owned(),
        ));
    }
    sqlx::query(
        "INSERT INTO minimum_wage (year, tenge, source, set_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (year) DO UPDATE SET tenge = EXCLUDED.tenge, source = EXCLUDED.source, set_at = EXCLUDED.set_at",
    )
    .bind(year)
    .bind(tenge)
    .bind(source)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// The minimum wages the registry holds, by year.
pub(crate) async fn minimum_wages(conn: &mut PgConnection) -> Result<MinimumWages, RegistryError> {
    let years: Vec<(i32, i64)> = sqlx::query_as("SELECT year, tenge FROM minimum_wage ORDER BY year")
        .fetch_all(conn)
        .await?;
    Ok(MinimumWages {
        years: years
            .into_iter()
            .map(|(year, tenge)| YearWage { year, tenge })
            .collect(),
    })
}

/// A person's OSMS status for a clinic (see `GET /v1/persons/{iin}/osms`):
/// the actor checked as an op's author is (and their role allowed to read
/// it), the PC's look-ups counted with its person look-ups, the answer only
/// for a person the clinic serves, and every request logged.
pub(crate) async fn status(
    pool: &PgPool,
    fund: &impl InsuranceFund,
    workstation: &crate::Workstation,
    actor_iin: &str,
    iin: &Iin,
    now: DateTime<Utc>,
) -> Result<emhana_protocol::OsmsAnswer, RegistryError> {
    let mut conn = pool.acquire().await?;
    let log = |answered: &'static str| {
        crate::people::log_lookup(workstation, actor_iin, iin, now, "osms", answered)
    };
    let asked = crate::people::Asked {
        workstation,
        actor_iin,
        iin,
        now,
    };
    crate::people::admit(
        &mut conn,
        &asked,
        "osms",
        emhana_domain::access::Action::ReadInsurance,
        "read OSMS data",
    )
    .await?;
    let person: Option<(i64, NaiveDate)> = sqlx::query_as("SELECT id, birth_date FROM person WHERE iin = $1")
        .bind(iin.as_string())
        .fetch_optional(&mut *conn)
        .await?;
    let Some((person_id, birth_date)) = person else {
        log("not_found").execute(&mut *conn).await?;
        return Err(RegistryError::NotFound);
    };
    // a person's payments are theirs: the clinic that serves them sees them
    if !crate::people::serves(&mut conn, workstation.clinic_id, person_id).await? {
        log("refused").execute(&mut *conn).await?;
        return Err(RegistryError::Forbidden(
            "OSMS data is given for the clinic's own attached persons only".to_owned(),
        ));
    }
    log("full").execute(&mut *conn).await?;
    // the provider the holder is attached to now, from the attachment register
    let provider = sqlx::query_as::<_, (String, String, String)>(
        "SELECT c.bin, c.name_kk, c.name_ru FROM attachment a JOIN clinic c ON c.id = a.clinic_id \
         WHERE a.person_id = $1 AND a.ended_on IS NULL",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|(bin, name_kk, name_ru)| emhana_protocol::PolicyProvider {
        bin,
        name_kk,
        name_ru,
    });
    drop(conn);
    let day = emhana_domain::time::kazakhstan_date(now);
    let facts = fund.facts(iin).await?;
    let policy = fund
        .policy(iin, day)
        .await?
        .map(|policy| emhana_protocol::PolicyView { policy, provider });
    Ok(emhana_protocol::OsmsAnswer {
        known_at: now,
        status: emhana_domain::osms::status(&facts, birth_date, day),
        facts,
        policy,
    })
}
