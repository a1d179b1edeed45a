//! Home visits (DOMAIN.md §4–6): the journal of calls with their triage,
//! care plans expanded from versioned schedules, and the district nurse's
//! round. Decisions come from `emhana_domain::{home_call, care_plan, round}`;
//! the rule tables in force are loaded here and passed in.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use emhana_domain::booking::PersonStanding;
use emhana_domain::care_plan::{
    Attendance, Condition, EnrolmentBasis, KeptVisit, PlanClosure, PlanError, PlanEvent, PlanKind, PlanRules,
    PlanStanding, PlannedVisit, PregnancyOutcome, RiskLevel, VisitOutcome, VisitPurpose, VisitState,
    VisitWho, check_pregnancy_end, closed_by_attendance, expand, plan_ahead as plan_ahead_of, plan_closure,
    regenerate, visit_state,
};
use emhana_domain::home_call::{
    CallAcceptance, CallFacts, CallRefusal, CallStatus, Indication, Responder, Triage, TriageError,
    TriageReason, TriageRules, accept_call, assign, escalate, is_repeat_call, triage,
};
use emhana_domain::round::{
    CallUrgency, DayItem, DayItemKind, PlannedStop, RoundPace, Stop, estimated_times, plan_day,
};
use emhana_domain::{age_on, format_phone, kazakhstan_time, normalize_phone};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use emhana_domain::documents::{RoundRow, RoundRowItem, RoundSchedule};

use crate::appointments;
use crate::error::{StoreError, corrupt};
use crate::search::{PersonRow, person_columns};

mod calls;
mod outcomes;
mod plans;
mod rounds;

pub use calls::*;
pub use outcomes::*;
pub use plans::*;
pub use rounds::*;

/// Why a call, a plan or an outcome was not recorded. Nothing was written.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum HomeVisitError {
    /// A form field is missing (caller, complaint, ...).
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{problem}")]
    Triage { problem: TriageError },
    #[error("{refusal}")]
    CallRefused { refusal: CallRefusal },
    #[error("{problem}")]
    Plan { problem: PlanError },
    #[error("{date} is before the person's birth on {born}")]
    BeforeBirth { date: NaiveDate, born: NaiveDate },
    #[error("a pregnancy plan is for a woman")]
    NotAWoman,
    #[error("the person is not attached to this clinic")]
    NotAttached,
    #[error("child patronage is for children under 3; the person is {age}")]
    NotAYoungChild { age: u32 },
    #[error("the person already has an open {kind:?} plan")]
    PlanOpen { kind: PlanKind },
    #[error("the visit belongs to district {district:?}, not to this nurse's")]
    NotYourVisit { district: Option<u32> },
    #[error("the call is assigned to someone else")]
    NotYourCall,
    #[error("a visit is moved to a day after today")]
    MoveDate,
    #[error("the visit has no outcome recorded today to undo")]
    NothingToUndo,
    #[error("no call with id {id}")]
    CallNotFound { id: i64 },
    #[error("no plan with id {id}")]
    PlanNotFound { id: i64 },
    #[error("not an open antenatal plan")]
    NotAPregnancy,
    #[error("no visit with id {id}")]
    VisitNotFound { id: i64 },
    #[error("no nurse or feldsher with id {id}")]
    NurseNotFound { id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for HomeVisitError {
    fn from(error: sqlx::Error) -> Self {
        HomeVisitError::Store(error.into())
    }
}

// ---------------------------------------------------------------- rule tables

/// The rule table of `kind` in force on `day`: the latest kept one from on or
/// before it, else `fallback` (seed 000's).
async fn rule_table<T: serde::de::DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: &str,
    day: NaiveDate,
    fallback: impl FnOnce() -> T,
) -> Result<T, StoreError> {
    let body: Option<String> = sqlx::query_scalar(
        "SELECT body FROM rule_table WHERE kind = ?1 AND valid_from <= ?2 ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(kind)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await?;
    match body {
        None => Ok(fallback()),
        Some(body) => serde_json::from_str(&body).map_err(|error| StoreError::Corrupt {
            detail: format!("{kind} rules: {error}"),
        }),
    }
}

pub(crate) async fn triage_rules(
    conn: &mut SqliteConnection,
    day: NaiveDate,
) -> Result<TriageRules, StoreError> {
    rule_table(conn, "triage", day, TriageRules::seed_default).await
}

pub(crate) async fn plan_rules(conn: &mut SqliteConnection, day: NaiveDate) -> Result<PlanRules, StoreError> {
    rule_table(conn, "care_plan", day, PlanRules::seed_default).await
}

/// Keeps a version of a rule table (an order's), in force from its
/// `valid_from`; returns whether it differed from the one kept for that day.
pub(crate) async fn keep_rule_table<T: Serialize>(
    pool: &SqlitePool,
    kind: &str,
    valid_from: NaiveDate,
    source: &str,
    rules: &T,
) -> Result<bool, StoreError> {
    let body = serde_json::to_string(rules).map_err(|e| StoreError::InvalidReferenceData {
        detail: format!("{kind} rules: {e}"),
    })?;
    let changed = sqlx::query(
        "INSERT INTO rule_table (kind, valid_from, source, body) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (kind, valid_from) DO UPDATE SET source = excluded.source, body = excluded.body \
         WHERE rule_table.body <> excluded.body OR rule_table.source <> excluded.source",
    )
    .bind(kind)
    .bind(valid_from)
    .bind(source)
    .bind(body)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

// ---------------------------------------------------------------- persons

struct PersonFacts {
    row: PersonRow,
    standing: PersonStanding,
    district_id: Option<i64>,
}

async fn person(
    conn: &mut SqliteConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<PersonFacts, StoreError> {
    let row: PersonRow = sqlx::query_as(concat!(
        "SELECT ",
        person_columns!(),
        " FROM person p WHERE p.id = ?1"
    ))
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::PersonNotFound { id: person_id })?;
    let (standing, district_id) = appointments::standing(conn, person_id, today).await?;
    Ok(PersonFacts {
        row,
        standing,
        district_id,
    })
}

/// The first nurse (or feldsher) of a district, and its doctor: who a call or
/// a booking of the district goes to.
pub(crate) async fn district_staff(
    conn: &mut SqliteConnection,
    district_id: Option<i64>,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let Some(district_id) = district_id else {
        return Ok((None, None));
    };
    let nurse: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM staff WHERE district_id = ?1 AND role IN ('district_nurse', 'feldsher') ORDER BY id LIMIT 1",
    )
    .bind(district_id)
    .fetch_optional(&mut *conn)
    .await?;
    let doctor: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM staff WHERE district_id = ?1 AND role = 'district_doctor' ORDER BY id LIMIT 1",
    )
    .bind(district_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok((nurse, doctor))
}
