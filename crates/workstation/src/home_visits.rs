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

// ---------------------------------------------------------------- calls

/// A call as the registrar fills the form in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallForm {
    pub person_id: i64,
    pub caller: String,
    pub caller_phone: Option<String>,
    pub complaint: String,
    /// °C at the time of the call.
    pub temperature: Option<f32>,
    pub indications: Vec<Indication>,
    pub pregnant: bool,
    pub registrar_wants_doctor: bool,
    /// Who the registrar sends when above the rules' suggestion; `None`: as suggested.
    pub goes: Option<Responder>,
    pub registrar_id: Option<i64>,
}

/// What the rules say about a call before it is recorded.
#[derive(Debug, Clone, Serialize)]
pub struct CallPreview {
    pub triage: Triage,
    pub age_years: u32,
    pub acceptance: Option<CallAcceptance>,
    pub refusal: Option<CallRefusal>,
    /// The order the triage table comes from.
    pub rules_source: String,
    /// The person's last call when this one would repeat it: said before she records it.
    pub recent_call: Option<RecentCall>,
}

/// A person's earlier call, as the registrar is told of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentCall {
    pub number: String,
    pub received_at: DateTime<Utc>,
    pub status: CallStatus,
}

async fn decide_call(
    conn: &mut SqliteConnection,
    form: &CallForm,
    today: NaiveDate,
) -> Result<
    (
        PersonFacts,
        u32,
        Triage,
        Result<CallAcceptance, CallRefusal>,
        TriageRules,
    ),
    HomeVisitError,
> {
    let facts = person(conn, form.person_id, today).await?;
    let age_years = age_on(facts.row.birth_date, today).unwrap_or(0);
    let rules = triage_rules(conn, today).await?;
    let call = CallFacts {
        temperature: form.temperature,
        indications: form.indications.clone(),
        age_years,
        pregnant: form.pregnant,
        registrar_wants_doctor: form.registrar_wants_doctor,
    };
    let triage = triage(&call, &rules).map_err(|problem| HomeVisitError::Triage { problem })?;
    let acceptance = accept_call(&facts.standing, &triage);
    Ok((facts, age_years, triage, acceptance, rules))
}

pub(crate) async fn preview_call(
    pool: &SqlitePool,
    form: &CallForm,
    now: DateTime<Utc>,
) -> Result<CallPreview, HomeVisitError> {
    let mut conn = pool.acquire().await?;
    let today = kazakhstan_time(now).date();
    let (_, age_years, triage, acceptance, rules) = decide_call(&mut conn, form, today).await?;
    let (acceptance, refusal) = match acceptance {
        Ok(acceptance) => (Some(acceptance), None),
        Err(refusal) => (None, Some(refusal)),
    };
    let last: Option<(String, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT year || '/' || number, received_at, status FROM home_call WHERE person_id = ?1 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(form.person_id)
    .fetch_optional(&mut *conn)
    .await?;
    let recent_call = match last {
        Some((number, received_at, status)) if is_repeat_call(received_at, now) => Some(RecentCall {
            number,
            received_at,
            status: CallStatus::parse(&status).ok_or_else(|| corrupt("call status", &status))?,
        }),
        _ => None,
    };
    Ok(CallPreview {
        triage,
        age_years,
        acceptance,
        refusal,
        rules_source: rules.source,
        recent_call,
    })
}

/// A call in the journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallView {
    pub id: i64,
    /// "2026/41"
    pub number: String,
    pub person_id: i64,
    pub person_name: String,
    pub iin: String,
    pub address: Option<String>,
    pub received_at: DateTime<Utc>,
    pub caller: String,
    pub caller_phone: Option<String>,
    pub complaint: String,
    pub temperature: Option<f32>,
    /// Full years on the day of the call.
    pub age_years: u32,
    /// A doctor's call taken by a post's feldsher (the district has no doctor).
    pub doctor_level: bool,
    /// The number of the person's previous call when this one repeats it
    /// (within [`emhana_domain::home_call::REPEAT_CALL_WITHIN_HOURS`]).
    pub repeat_of: Option<String>,
    pub indications: Vec<Indication>,
    pub suggested: Responder,
    pub reasons: Vec<emhana_domain::home_call::TriageReason>,
    pub goes: Responder,
    pub acceptance: CallAcceptance,
    pub planned_on: NaiveDate,
    pub assigned_staff_id: Option<i64>,
    pub assigned_staff: Option<String>,
    pub status: CallStatus,
    pub outcome_note: Option<String>,
}

/// Records a call: triaged by the table in force, taken or refused by the
/// person's attachment, numbered, assigned to the district's nurse or doctor
/// (nobody for the ambulance), planned for today or the next working day.
pub(crate) async fn register_call(
    pool: &SqlitePool,
    form: &CallForm,
    now: DateTime<Utc>,
) -> Result<CallView, HomeVisitError> {
    if form.caller.trim().is_empty() {
        return Err(HomeVisitError::Required { field: "caller" });
    }
    if form.complaint.trim().is_empty() {
        return Err(HomeVisitError::Required { field: "complaint" });
    }
    let mut tx = pool.begin().await?;
    let today = kazakhstan_time(now).date();
    let (facts, age_years, triage, acceptance, rules) = decide_call(&mut tx, form, today).await?;
    let acceptance = acceptance.map_err(|refusal| HomeVisitError::CallRefused { refusal })?;
    let goes = escalate(triage.goes, form.goes.unwrap_or(triage.goes))
        .map_err(|problem| HomeVisitError::Triage { problem })?;
    let (nurse, doctor) = district_staff(&mut tx, facts.district_id).await?;
    let (assignment, status) = match (acceptance, goes) {
        (CallAcceptance::EmergencyOnly, _) | (_, Responder::Ambulance) => (
            assign(Responder::Ambulance, nurse, doctor),
            CallStatus::PassedToAmbulance,
        ),
        (_, goes) => (assign(goes, nurse, doctor), CallStatus::Registered),
    };
    let calendar = appointments::calendar(&mut tx, today.year(), today.year() + 1).await?;
    let planned_on = calendar.next_working_day(today);
    let reasons = serde_json::to_string(&triage.reasons).map_err(|e| corrupt("reasons", &e.to_string()))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO home_call (year, number, person_id, received_at, caller, caller_phone, complaint, temperature, \
         pregnant, age_years, registrar_wants_doctor, suggested, reasons, rules_valid_from, goes, acceptance, \
         planned_on, assigned_staff_id, status, registrar_id, doctor_level) \
         VALUES (?1, (SELECT coalesce(max(number), 0) + 1 FROM home_call WHERE year = ?1), ?2, ?3, ?4, ?5, ?6, ?7, \
         ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) RETURNING id",
    )
    .bind(today.year())
    .bind(form.person_id)
    .bind(now)
    .bind(form.caller.trim())
    // a mobile or city number is kept as the national number (shown "+7 701 …"); anything else as said
    .bind(
        form.caller_phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| normalize_phone(p).unwrap_or_else(|| p.to_owned())),
    )
    .bind(form.complaint.trim())
    .bind(form.temperature)
    .bind(form.pregnant)
    .bind(i64::from(age_years))
    .bind(form.registrar_wants_doctor)
    .bind(triage.goes.as_str())
    .bind(reasons)
    .bind(rules.valid_from)
    .bind(goes.as_str())
    .bind(match acceptance {
        CallAcceptance::Taken => "taken",
        CallAcceptance::EmergencyOnly => "emergency_only",
    })
    .bind(planned_on)
    .bind(assignment.staff)
    .bind(status.as_str())
    .bind(form.registrar_id)
    .bind(assignment.doctor_level)
    .fetch_one(&mut *tx)
    .await?;
    let mut indications = form.indications.clone();
    indications.sort_by_key(|i| i.as_str());
    indications.dedup();
    for indication in indications {
        sqlx::query("INSERT INTO home_call_indication (call_id, indication) VALUES (?1, ?2)")
            .bind(id)
            .bind(indication.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let view = calls_where(&mut tx, "c.id = ?1 AND ?2 IS NULL", Some(id), None)
        .await?
        .pop()
        .ok_or(HomeVisitError::CallNotFound { id })?;
    tx.commit().await?;
    Ok(view)
}

#[derive(sqlx::FromRow)]
struct CallRow {
    // named apart from the person's `id`
    #[sqlx(rename = "call_id")]
    id: i64,
    number: String,
    #[sqlx(flatten)]
    person: PersonRow,
    received_at: DateTime<Utc>,
    caller: String,
    caller_phone: Option<String>,
    complaint: String,
    temperature: Option<f32>,
    age_years: u32,
    doctor_level: bool,
    /// The person's call before this one.
    previous_number: Option<String>,
    previous_received_at: Option<DateTime<Utc>>,
    indications: Option<String>,
    suggested: String,
    reasons: String,
    goes: String,
    acceptance: String,
    planned_on: NaiveDate,
    assigned_staff_id: Option<i64>,
    assigned_staff: Option<String>,
    status: String,
    outcome_note: Option<String>,
}

impl TryFrom<CallRow> for CallView {
    type Error = StoreError;

    fn try_from(row: CallRow) -> Result<Self, StoreError> {
        let responder = |text: &str| Responder::parse(text).ok_or_else(|| corrupt("responder", text));
        let indications = row
            .indications
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|text| !text.is_empty())
            .map(|text| Indication::parse(text).ok_or_else(|| corrupt("indication", text)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CallView {
            suggested: responder(&row.suggested)?,
            goes: responder(&row.goes)?,
            reasons: serde_json::from_str(&row.reasons).map_err(|_| corrupt("reasons", &row.reasons))?,
            acceptance: if row.acceptance == "emergency_only" {
                CallAcceptance::EmergencyOnly
            } else {
                CallAcceptance::Taken
            },
            status: CallStatus::parse(&row.status).ok_or_else(|| corrupt("call status", &row.status))?,
            id: row.id,
            number: row.number,
            person_id: row.person.id,
            person_name: row.person.full_name(),
            iin: row.person.iin.clone(),
            address: row.person.address_line(),
            received_at: row.received_at,
            repeat_of: match (row.previous_number, row.previous_received_at) {
                (Some(number), Some(at)) if is_repeat_call(at, row.received_at) => Some(number),
                _ => None,
            },
            caller: row.caller,
            caller_phone: row.caller_phone.as_deref().map(format_phone),
            complaint: row.complaint,
            temperature: row.temperature,
            age_years: row.age_years,
            doctor_level: row.doctor_level,
            indications,
            planned_on: row.planned_on,
            assigned_staff_id: row.assigned_staff_id,
            assigned_staff: row.assigned_staff,
            outcome_note: row.outcome_note,
        })
    }
}

const CALL_SELECT: &str = concat!(
    "SELECT c.id AS call_id, c.year || '/' || c.number AS number, ",
    person_columns!(),
    ", c.received_at, c.caller, c.caller_phone, c.complaint, c.temperature, c.age_years, c.doctor_level, \
     (SELECT e.year || '/' || e.number FROM home_call e \
      WHERE e.person_id = c.person_id AND e.id < c.id ORDER BY e.id DESC LIMIT 1) AS previous_number, \
     (SELECT e.received_at FROM home_call e \
      WHERE e.person_id = c.person_id AND e.id < c.id ORDER BY e.id DESC LIMIT 1) AS previous_received_at, \
     (SELECT group_concat(i.indication) FROM home_call_indication i WHERE i.call_id = c.id) AS indications, \
     c.suggested, c.reasons, c.goes, c.acceptance, c.planned_on, c.assigned_staff_id, ",
    full_name_sql!("s"),
    " AS assigned_staff, c.status, c.outcome_note \
     FROM home_call c JOIN person p ON p.id = c.person_id LEFT JOIN staff s ON s.id = c.assigned_staff_id "
);

async fn calls_where(
    conn: &mut SqliteConnection,
    condition: &'static str,
    id: Option<i64>,
    day: Option<NaiveDate>,
) -> Result<Vec<CallView>, StoreError> {
    let rows: Vec<CallRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CALL_SELECT} WHERE {condition} ORDER BY c.received_at, c.id"
    )))
    .bind(id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(CallView::try_from).collect()
}

/// The journal of calls planned for a day.
pub(crate) async fn calls_on(pool: &SqlitePool, day: NaiveDate) -> Result<Vec<CallView>, StoreError> {
    let mut conn = pool.acquire().await?;
    calls_where(&mut conn, "?1 IS NULL AND c.planned_on = ?2", None, Some(day)).await
}

/// Records how a call ended. When `staff_id` is given it must be the staff
/// member the call is assigned to (a nurse records her own calls).
pub(crate) async fn set_call_status(
    pool: &SqlitePool,
    call_id: i64,
    status: CallStatus,
    staff_id: Option<i64>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<CallView, HomeVisitError> {
    let mut tx = pool.begin().await?;
    let assigned: Option<Option<i64>> =
        sqlx::query_scalar("SELECT assigned_staff_id FROM home_call WHERE id = ?1")
            .bind(call_id)
            .fetch_optional(&mut *tx)
            .await?;
    let assigned = assigned.ok_or(HomeVisitError::CallNotFound { id: call_id })?;
    if let (Some(staff), Some(assigned)) = (staff_id, assigned)
        && staff != assigned
    {
        return Err(HomeVisitError::NotYourCall);
    }
    sqlx::query(
        "UPDATE home_call SET status = ?2, outcome_note = ?3, outcome_at = ?4, outcome_by = ?5 WHERE id = ?1",
    )
    .bind(call_id)
    .bind(status.as_str())
    .bind(note.map(str::trim).filter(|n| !n.is_empty()))
    .bind(now)
    .bind(staff_id)
    .execute(&mut *tx)
    .await?;
    // Passed to the doctor by the nurse who served it: the district doctor goes.
    if status == CallStatus::PassedToDoctor {
        let district_id: Option<i64> = match assigned {
            None => None,
            Some(staff) => {
                sqlx::query_scalar("SELECT district_id FROM staff WHERE id = ?1")
                    .bind(staff)
                    .fetch_one(&mut *tx)
                    .await?
            }
        };
        let (nurse, doctor) = district_staff(&mut tx, district_id).await?;
        // at a post with no doctor it stays with the feldsher, as a doctor's call
        let assignment = assign(Responder::DistrictDoctor, nurse.or(assigned), doctor);
        sqlx::query(
            "UPDATE home_call SET goes = 'district_doctor', status = 'registered', assigned_staff_id = ?2, \
             doctor_level = ?3 WHERE id = ?1",
        )
        .bind(call_id)
        .bind(assignment.staff)
        .bind(assignment.doctor_level)
        .execute(&mut *tx)
        .await?;
    }
    let view = calls_where(&mut tx, "c.id = ?1 AND ?2 IS NULL", Some(call_id), None)
        .await?
        .pop()
        .ok_or(HomeVisitError::CallNotFound { id: call_id })?;
    tx.commit().await?;
    Ok(view)
}

// ---------------------------------------------------------------- care plans

/// What opens a plan, as the form gives it; the person's birth date comes from the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum PlanRequest {
    Newborn {
        discharged: NaiveDate,
        risk: bool,
    },
    Pregnancy {
        reported: NaiveDate,
        weeks_at_report: u32,
    },
    Observation {
        condition: Condition,
        risk: RiskLevel,
        enrolled: NaiveDate,
        /// The document the enrolment rests on (seed 000 names three).
        basis: EnrolmentBasis,
    },
}

/// A planned visit with where it stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitView {
    pub id: i64,
    pub plan_id: i64,
    pub due_from: NaiveDate,
    pub due_to: NaiveDate,
    pub who: VisitWho,
    pub purpose: VisitPurpose,
    pub what: Option<String>,
    pub state: VisitState,
    pub outcome: Option<VisitOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanView {
    pub id: i64,
    pub kind: PlanKind,
    pub event: PlanEvent,
    pub visits: Vec<VisitView>,
    /// When and why the plan closed; `None` while it is open.
    pub closed: Option<PlanClosed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlanClosed {
    pub on: NaiveDate,
    pub reason: PlanClosure,
    /// How the pregnancy ended, for an antenatal plan closed by its end.
    pub pregnancy_outcome: Option<PregnancyOutcome>,
}

impl PlanRequest {
    /// The event the request stands for, for a person born on `born`.
    pub fn event(&self, born: NaiveDate) -> PlanEvent {
        match *self {
            PlanRequest::Newborn { discharged, risk } => PlanEvent::Newborn {
                born,
                discharged,
                risk,
            },
            PlanRequest::Pregnancy {
                reported,
                weeks_at_report,
            } => PlanEvent::PregnancyRegistered {
                reported,
                weeks_at_report,
            },
            PlanRequest::Observation {
                condition,
                risk,
                enrolled,
                basis,
            } => PlanEvent::Observation {
                condition,
                risk,
                enrolled,
                basis: Some(basis),
            },
        }
    }
}

/// The request's event for this person: its date not before the birth, a
/// child's plan for a child under 3, a pregnancy's for a woman.
fn event_for(request: &PlanRequest, row: &PersonRow, today: NaiveDate) -> Result<PlanEvent, HomeVisitError> {
    let born = row.birth_date;
    let date = match request {
        PlanRequest::Newborn { discharged, .. } => *discharged,
        PlanRequest::Pregnancy { reported, .. } => *reported,
        PlanRequest::Observation { enrolled, .. } => *enrolled,
    };
    if date < born {
        return Err(HomeVisitError::BeforeBirth { date, born });
    }
    match request {
        PlanRequest::Newborn { .. } => {
            let age = age_on(born, today).unwrap_or(0);
            if age >= 3 {
                return Err(HomeVisitError::NotAYoungChild { age });
            }
        }
        PlanRequest::Pregnancy { .. } if row.sex != "female" => return Err(HomeVisitError::NotAWoman),
        _ => {}
    }
    Ok(request.event(born))
}

async fn insert_visits(
    conn: &mut SqliteConnection,
    plan_id: i64,
    person_id: i64,
    visits: &[PlannedVisit],
) -> Result<(), StoreError> {
    let rows: Vec<(i64, i64, &PlannedVisit)> =
        visits.iter().map(|visit| (plan_id, person_id, visit)).collect();
    insert_visit_rows(conn, &rows).await
}

/// Inserts the visits of one or many plans, 400 rows a statement (8 binds
/// each, well under SQLite's bound-variable limit).
async fn insert_visit_rows(
    conn: &mut SqliteConnection,
    rows: &[(i64, i64, &PlannedVisit)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(400) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO plan_visit (plan_id, person_id, due_from, due_to, who, purpose, what, specialty) ",
        );
        insert.push_values(chunk, |mut row, (plan_id, person_id, visit)| {
            row.push_bind(*plan_id)
                .push_bind(*person_id)
                .push_bind(visit.due_from)
                .push_bind(visit.due_to)
                .push_bind(visit.who.as_str())
                .push_bind(visit.purpose.as_str())
                .push_bind(visit.what.clone())
                .push_bind(visit.specialty.clone());
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Opens a care plan: the event checked against the person, its visits
/// expanded by the schedules in force, all in one transaction.
pub(crate) async fn open_plan(
    pool: &SqlitePool,
    person_id: i64,
    request: &PlanRequest,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<PlanView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    let rules = plan_rules(&mut tx, today).await?;
    let (plan_id, visits) = open_plan_on(&mut tx, &rules, person_id, request, staff_id, now).await?;
    insert_visits(&mut tx, plan_id, person_id, &visits).await?;
    let plan = plans_of(&mut tx, person_id, Some(plan_id), today)
        .await?
        .pop()
        .ok_or(HomeVisitError::PlanNotFound { id: plan_id })?;
    tx.commit().await?;
    Ok(plan)
}

/// Opens many plans in one transaction (a clinic's registers brought in at
/// once, the demo clinic): all of them or, on the first refusal, none.
pub(crate) async fn open_plans(
    pool: &SqlitePool,
    requests: &[(i64, PlanRequest)],
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<usize, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    let rules = plan_rules(&mut tx, today).await?;
    let mut planned = Vec::with_capacity(requests.len());
    for (person_id, request) in requests {
        let (plan_id, visits) = open_plan_on(&mut tx, &rules, *person_id, request, staff_id, now).await?;
        planned.push((plan_id, *person_id, visits));
    }
    // every plan's visits together: a few statements instead of one per plan
    let rows: Vec<(i64, i64, &PlannedVisit)> = planned
        .iter()
        .flat_map(|(plan_id, person_id, visits)| {
            visits.iter().map(move |visit| (*plan_id, *person_id, visit))
        })
        .collect();
    insert_visit_rows(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(requests.len())
}

async fn open_plan_on(
    tx: &mut SqliteConnection,
    rules: &PlanRules,
    person_id: i64,
    request: &PlanRequest,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<PlannedVisit>), HomeVisitError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        person: PersonRow,
        died_on: Option<NaiveDate>,
        attached_here: bool,
    }
    let today = kazakhstan_time(now).date();
    // One read per plan: the person, and whether the clinic serves them today.
    let row: Row = sqlx::query_as(concat!(
        "SELECT ",
        person_columns!(),
        // by the person's own attachments (a handful), never by the clinic's (tens of thousands)
        ", p.died_on, EXISTS (SELECT 1 FROM attachment a INDEXED BY attachment_by_person \
           JOIN clinic c ON c.id = a.clinic_id AND c.is_home = 1 \
           WHERE a.person_id = p.id AND a.started_on <= ?2 AND (a.ended_on IS NULL OR a.ended_on > ?2)) AS attached_here \
         FROM person p WHERE p.id = ?1"
    ))
    .bind(person_id)
    .bind(today)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::PersonNotFound { id: person_id })?;
    if !row.attached_here || row.died_on.is_some_and(|died| died <= today) {
        return Err(HomeVisitError::NotAttached);
    }
    let event = event_for(request, &row.person, today)?;
    let visits = expand(&event, rules, today).map_err(|problem| HomeVisitError::Plan { problem })?;
    let condition = match &event {
        PlanEvent::Observation { condition, .. } => condition.as_str(),
        _ => "",
    };
    let event_json = serde_json::to_string(&event).map_err(|e| corrupt("plan event", &e.to_string()))?;
    // The one-open-plan index decides: nothing inserted means a plan is open.
    let planned_through =
        matches!(event, PlanEvent::Observation { .. }).then(|| rules.observation_planned_through(today));
    let plan_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO care_plan (person_id, kind, condition, event, rules_valid_from, opened_at, opened_by, planned_through) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (person_id, kind, condition) WHERE closed_on IS NULL DO NOTHING RETURNING id",
    )
    .bind(person_id)
    .bind(event.kind().as_str())
    .bind(condition)
    .bind(event_json)
    .bind(rules.valid_from)
    .bind(now)
    .bind(staff_id)
    .bind(planned_through)
    .fetch_optional(&mut *tx)
    .await?;
    let plan_id = plan_id.ok_or(HomeVisitError::PlanOpen { kind: event.kind() })?;
    Ok((plan_id, visits))
}

/// Closes the open plans that are over on `today` ([`plan_closure`]): of a
/// person who died or left the clinic, a child's patronage at 3 years or once
/// its last visit is closed — each with its reason and day, in one
/// transaction. Runs once a day (the day is kept in `setting`); returns how
/// many plans closed.
pub(crate) async fn close_finished_plans(pool: &SqlitePool, today: NaiveDate) -> Result<usize, StoreError> {
    let mut tx = pool.begin().await?;
    let checked: Option<NaiveDate> =
        sqlx::query_scalar("SELECT value FROM setting WHERE name = 'plans_checked_on'")
            .fetch_optional(&mut *tx)
            .await?;
    if checked.is_some_and(|day| day >= today) {
        return Ok(0);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        kind: String,
        birth_date: NaiveDate,
        died_on: Option<NaiveDate>,
        attached_here: bool,
        joins_later: bool,
        last_ended: Option<NaiveDate>,
        every_visit_closed: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT cp.id, cp.kind, p.birth_date, p.died_on, \
           EXISTS (SELECT 1 FROM attachment a INDEXED BY attachment_by_person JOIN clinic c ON c.id = a.clinic_id \
                   AND c.is_home = 1 WHERE a.person_id = cp.person_id AND a.started_on <= ?1 \
                   AND (a.ended_on IS NULL OR a.ended_on > ?1)) AS attached_here, \
           EXISTS (SELECT 1 FROM attachment a INDEXED BY attachment_by_person JOIN clinic c ON c.id = a.clinic_id \
                   AND c.is_home = 1 WHERE a.person_id = cp.person_id AND a.started_on > ?1) AS joins_later, \
           (SELECT max(a.ended_on) FROM attachment a INDEXED BY attachment_by_person JOIN clinic c ON c.id = a.clinic_id \
                   AND c.is_home = 1 WHERE a.person_id = cp.person_id) AS last_ended, \
           NOT EXISTS (SELECT 1 FROM plan_visit v WHERE v.plan_id = cp.id AND v.closed = 0) AS every_visit_closed \
         FROM care_plan cp JOIN person p ON p.id = cp.person_id WHERE cp.closed_on IS NULL",
    )
    .bind(today)
    .fetch_all(&mut *tx)
    .await?;
    let mut closed = 0;
    for row in rows {
        let kind = PlanKind::parse(&row.kind).ok_or_else(|| corrupt("plan kind", &row.kind))?;
        let standing = PlanStanding {
            kind,
            born: row.birth_date,
            died_on: row.died_on,
            // no attachment here today and none to come: gone since the last one ended
            left_on: (!row.attached_here && !row.joins_later).then(|| row.last_ended.unwrap_or(today)),
            every_visit_closed: row.every_visit_closed,
        };
        if let Some((reason, on)) = plan_closure(&standing, today) {
            sqlx::query("UPDATE care_plan SET closed_on = ?2, closed_reason = ?3 WHERE id = ?1")
                .bind(row.id)
                .bind(on)
                .bind(reason.as_str())
                .execute(&mut *tx)
                .await?;
            closed += 1;
        }
    }
    sqlx::query(
        "INSERT INTO setting (name, value) VALUES ('plans_checked_on', ?1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(today)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if closed > 0 {
        tracing::info!(plans = closed, "finished plans closed");
    }
    Ok(closed)
}

/// How much further than the horizon a plan lagging behind it is planned.
const PLAN_AHEAD_STEP_MONTHS: u32 = 1;

/// Records the end of a pregnancy: the open antenatal plan closes on that
/// day with its reason and how it ended; its open visits leave every list.
pub(crate) async fn end_pregnancy(
    pool: &SqlitePool,
    plan_id: i64,
    outcome: PregnancyOutcome,
    ended: NaiveDate,
    now: DateTime<Utc>,
) -> Result<PlanView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    let row: Option<(i64, String, String, Option<NaiveDate>)> =
        sqlx::query_as("SELECT person_id, kind, event, closed_on FROM care_plan WHERE id = ?1")
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (person_id, kind, event, closed_on) = row.ok_or(HomeVisitError::PlanNotFound { id: plan_id })?;
    let event: PlanEvent = serde_json::from_str(&event).map_err(|_| corrupt("plan event", &event))?;
    let PlanEvent::PregnancyRegistered { reported, .. } = event else {
        return Err(HomeVisitError::NotAPregnancy);
    };
    if kind != PlanKind::Antenatal.as_str() || closed_on.is_some() {
        return Err(HomeVisitError::NotAPregnancy);
    }
    check_pregnancy_end(reported, ended, today).map_err(|problem| HomeVisitError::Plan { problem })?;
    sqlx::query(
        "UPDATE care_plan SET closed_on = ?2, closed_reason = 'pregnancy_ended', pregnancy_outcome = ?3 WHERE id = ?1",
    )
    .bind(plan_id)
    .bind(ended)
    .bind(outcome.as_str())
    .execute(&mut *tx)
    .await?;
    let view = plans_of(&mut tx, person_id, Some(plan_id), today)
        .await?
        .pop()
        .ok_or(HomeVisitError::PlanNotFound { id: plan_id })?;
    tx.commit().await?;
    Ok(view)
}

/// Plans every open observation plan ahead to the horizon from `today`, by
/// the schedules in force: the cadence visits due after the day it was
/// planned through, in one transaction. Cheap when nothing is due for it (one
/// indexed read), so the round, the due list and a recorded outcome call it.
/// Returns how many visits were planned.
pub(crate) async fn plan_ahead(pool: &SqlitePool, today: NaiveDate) -> Result<usize, StoreError> {
    let mut tx = pool.begin().await?;
    let rules = plan_rules(&mut tx, today).await?;
    let lagging = rules.observation_planned_through(today);
    // planned a step further than needed, so the plans are read and written once a month, not daily
    let step_ahead = today
        .checked_add_months(chrono::Months::new(PLAN_AHEAD_STEP_MONTHS))
        .unwrap_or(today);
    let target = rules.observation_planned_through(step_ahead);
    let plans: Vec<(i64, i64, String, NaiveDate)> = sqlx::query_as(
        "SELECT id, person_id, event, planned_through FROM care_plan \
         WHERE closed_on IS NULL AND planned_through IS NOT NULL AND planned_through < ?1",
    )
    .bind(lagging)
    .fetch_all(&mut *tx)
    .await?;
    if plans.is_empty() {
        return Ok(0);
    }
    let mut planned = Vec::with_capacity(plans.len());
    for (plan_id, person_id, event, through) in &plans {
        let event: PlanEvent = serde_json::from_str(event).map_err(|_| corrupt("plan event", event))?;
        // a day before the enrolment has nothing to plan; one plan never stops the others
        if let Ok(next) = plan_ahead_of(&event, &rules, *through, step_ahead) {
            planned.push((*plan_id, *person_id, next));
        }
    }
    let rows: Vec<(i64, i64, &PlannedVisit)> = planned
        .iter()
        .flat_map(|(plan_id, person_id, visits)| {
            visits.iter().map(move |visit| (*plan_id, *person_id, visit))
        })
        .collect();
    insert_visit_rows(&mut tx, &rows).await?;
    for chunk in planned.chunks(10_000) {
        let mut update = sqlx::QueryBuilder::<sqlx::Sqlite>::new("UPDATE care_plan SET planned_through = ");
        update.push_bind(target).push(" WHERE id IN (");
        let mut ids = update.separated(", ");
        for (plan_id, ..) in chunk {
            ids.push_bind(*plan_id);
        }
        ids.push_unseparated(")");
        update.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    if !rows.is_empty() {
        tracing::info!(
            plans = planned.len(),
            visits = rows.len(),
            "observation plans planned ahead"
        );
    }
    Ok(rows.len())
}

/// A changed risk (a child's recorded risk, an observation's risk level):
/// the visits closed or begun stay; the future ones are planned again.
pub(crate) async fn change_risk(
    pool: &SqlitePool,
    plan_id: i64,
    risk: RiskLevel,
    now: DateTime<Utc>,
) -> Result<PlanView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    let row: Option<(i64, String)> = sqlx::query_as("SELECT person_id, event FROM care_plan WHERE id = ?1")
        .bind(plan_id)
        .fetch_optional(&mut *tx)
        .await?;
    let (person_id, event) = row.ok_or(HomeVisitError::PlanNotFound { id: plan_id })?;
    let event: PlanEvent = serde_json::from_str(&event).map_err(|_| corrupt("plan event", &event))?;
    let event = match event {
        PlanEvent::Newborn { born, discharged, .. } => PlanEvent::Newborn {
            born,
            discharged,
            risk: risk != RiskLevel::Low,
        },
        PlanEvent::Observation {
            condition,
            enrolled,
            basis,
            ..
        } => PlanEvent::Observation {
            condition,
            risk,
            enrolled,
            basis,
        },
        antenatal @ PlanEvent::PregnancyRegistered { .. } => antenatal,
    };
    let rules = plan_rules(&mut tx, today).await?;
    let expanded = expand(&event, &rules, today).map_err(|problem| HomeVisitError::Plan { problem })?;
    let kept = visits_of(&mut tx, plan_id, today).await?;
    let touched: Vec<KeptVisit> = kept
        .iter()
        .map(|visit| KeptVisit {
            visit: PlannedVisit {
                due_from: visit.due_from,
                due_to: visit.due_to,
                who: visit.who,
                purpose: visit.purpose,
                what: visit.what.clone(),
                specialty: None,
            },
            // a visit with any outcome recorded is history: kept
            closed: visit.outcome.is_some() || visit.state == VisitState::Closed,
        })
        .collect();
    let plan = regenerate(&touched, &expanded, today);
    // Keep the rows of the visits the new plan keeps; plan the new ones.
    sqlx::query(
        "DELETE FROM plan_visit WHERE plan_id = ?1 AND closed = 0 AND outcome IS NULL AND due_from >= ?2",
    )
    .bind(plan_id)
    .bind(today)
    .execute(&mut *tx)
    .await?;
    let new: Vec<PlannedVisit> = plan
        .into_iter()
        .filter(|visit| !visit.closed && visit.visit.due_from >= today)
        .map(|visit| visit.visit)
        .filter(|visit| {
            !kept
                .iter()
                .any(|k| k.outcome.is_some() && k.due_from == visit.due_from && k.purpose == visit.purpose)
        })
        .collect();
    insert_visits(&mut tx, plan_id, person_id, &new).await?;
    let event_json = serde_json::to_string(&event).map_err(|e| corrupt("plan event", &e.to_string()))?;
    // the new expansion reaches the horizon from today
    let planned_through =
        matches!(event, PlanEvent::Observation { .. }).then(|| rules.observation_planned_through(today));
    sqlx::query(
        "UPDATE care_plan SET event = ?2, rules_valid_from = ?3, planned_through = coalesce(?4, planned_through) \
         WHERE id = ?1",
    )
    .bind(plan_id)
    .bind(event_json)
    .bind(rules.valid_from)
    .bind(planned_through)
    .execute(&mut *tx)
    .await?;
    let view = plans_of(&mut tx, person_id, Some(plan_id), today)
        .await?
        .pop()
        .ok_or(HomeVisitError::PlanNotFound { id: plan_id })?;
    tx.commit().await?;
    Ok(view)
}

#[derive(sqlx::FromRow)]
struct VisitRow {
    // named apart from the person's `id`
    #[sqlx(rename = "visit_id")]
    id: i64,
    plan_id: i64,
    due_from: NaiveDate,
    due_to: NaiveDate,
    who: String,
    purpose: String,
    what: Option<String>,
    closed: bool,
    outcome: Option<String>,
}

impl VisitRow {
    fn view(self, today: NaiveDate) -> Result<VisitView, StoreError> {
        Ok(VisitView {
            state: visit_state(self.due_from, self.due_to, self.closed, today),
            who: VisitWho::parse(&self.who).ok_or_else(|| corrupt("visit who", &self.who))?,
            purpose: VisitPurpose::parse(&self.purpose)
                .ok_or_else(|| corrupt("visit purpose", &self.purpose))?,
            outcome: self
                .outcome
                .as_deref()
                .map(|text| VisitOutcome::parse(text).ok_or_else(|| corrupt("visit outcome", text)))
                .transpose()?,
            id: self.id,
            plan_id: self.plan_id,
            due_from: self.due_from,
            due_to: self.due_to,
            what: self.what,
        })
    }
}

async fn visits_of(
    conn: &mut SqliteConnection,
    plan_id: i64,
    today: NaiveDate,
) -> Result<Vec<VisitView>, StoreError> {
    let rows: Vec<VisitRow> = sqlx::query_as(
        "SELECT id AS visit_id, plan_id, due_from, due_to, who, purpose, what, closed, outcome FROM plan_visit \
         WHERE plan_id = ?1 ORDER BY due_from, id",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(|row| row.view(today)).collect()
}

async fn plans_of(
    conn: &mut SqliteConnection,
    person_id: i64,
    plan_id: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<PlanView>, StoreError> {
    // the open plans first, then the closed ones, which stay on the card with their reason
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        kind: String,
        event: String,
        closed_on: Option<NaiveDate>,
        closed_reason: Option<String>,
        pregnancy_outcome: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, event, closed_on, closed_reason, pregnancy_outcome FROM care_plan WHERE person_id = ?1 \
         AND (?2 IS NULL OR id = ?2) ORDER BY closed_on IS NOT NULL, closed_on DESC, id",
    )
    .bind(person_id)
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut plans = Vec::with_capacity(rows.len());
    for Row {
        id,
        kind,
        event,
        closed_on,
        closed_reason,
        pregnancy_outcome,
    } in rows
    {
        let pregnancy_outcome = pregnancy_outcome
            .map(|text| PregnancyOutcome::parse(&text).ok_or_else(|| corrupt("pregnancy outcome", &text)))
            .transpose()?;
        let closed = match (closed_on, closed_reason) {
            (Some(on), Some(reason)) => Some(PlanClosed {
                on,
                reason: PlanClosure::parse(&reason).ok_or_else(|| corrupt("plan closure", &reason))?,
                pregnancy_outcome,
            }),
            // closed before reasons were kept
            (Some(on), None) => Some(PlanClosed {
                on,
                reason: PlanClosure::Completed,
                pregnancy_outcome,
            }),
            _ => None,
        };
        plans.push(PlanView {
            kind: PlanKind::parse(&kind).ok_or_else(|| corrupt("plan kind", &kind))?,
            event: serde_json::from_str(&event).map_err(|_| corrupt("plan event", &event))?,
            visits: visits_of(conn, id, today).await?,
            closed,
            id,
        });
    }
    Ok(plans)
}

pub(crate) async fn person_plans(
    pool: &SqlitePool,
    person_id: i64,
    today: NaiveDate,
) -> Result<Vec<PlanView>, StoreError> {
    let mut conn = pool.acquire().await?;
    plans_of(&mut conn, person_id, None, today).await
}

// ---------------------------------------------------------------- rounds

/// What a stop of the round is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum StopRef {
    Visit(i64),
    Call(i64),
}

/// One stop of a nurse's round: one person, everything due at their home.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundStop {
    /// The stop's first item (a call before visits): what her saved order keeps.
    pub stop: StopRef,
    pub estimated: NaiveTime,
    pub person_id: i64,
    pub person_name: String,
    pub iin: String,
    pub birth_date: NaiveDate,
    pub age_years: u32,
    /// Full months of age, for children (printed as months under 3).
    pub age_months: u32,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// The calls sent to her for this person, the most urgent first.
    pub calls: Vec<RoundCall>,
    /// The person's plan visits due or overdue, the earliest due first.
    pub visits: Vec<RoundVisit>,
}

impl RoundStop {
    /// Whether this stop holds the item (a visit or a call).
    pub fn holds(&self, item: StopRef) -> bool {
        match item {
            StopRef::Visit(id) => self.visits.iter().any(|v| v.id == id),
            StopRef::Call(id) => self.calls.iter().any(|c| c.id == id),
        }
    }
}

/// A plan visit on the round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundVisit {
    pub id: i64,
    pub purpose: VisitPurpose,
    pub what: Option<String>,
    pub state: VisitState,
    pub outcome: Option<VisitOutcome>,
    /// An outcome was recorded on the round's day and not undone; on today's
    /// round she may undo it.
    pub recorded: bool,
    /// A doctor's visit a post's feldsher makes (her district has no doctor).
    pub doctor_level: bool,
}

/// A call on the round, with what the nurse needs at the door.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundCall {
    pub id: i64,
    pub number: String,
    pub complaint: String,
    pub temperature: Option<f64>,
    pub caller_phone: Option<String>,
    pub status: CallStatus,
    /// A doctor's call taken by a post's feldsher.
    pub doctor_level: bool,
}

/// The stops that did not fit her hours today, on a later working day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundDay {
    pub day: NaiveDate,
    pub stops: Vec<RoundStop>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundView {
    pub nurse_id: i64,
    pub nurse: String,
    pub district_number: Option<u32>,
    pub day: NaiveDate,
    /// The day that fits her hours (the pace's start to end), calls first.
    pub stops: Vec<RoundStop>,
    /// What did not fit, on the next working days (visits only: calls are never put off).
    pub later: Vec<RoundDay>,
    /// Stops waiting beyond the days listed in `later`.
    pub beyond: usize,
}

/// A nurse or feldsher who makes rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Nurse {
    pub id: i64,
    pub full_name: String,
    pub role: String,
    pub district_id: Option<i64>,
    pub district_number: Option<u32>,
}

pub(crate) async fn nurses(pool: &SqlitePool) -> Result<Vec<Nurse>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT s.id, ",
        full_name_sql!("s"),
        " AS full_name, s.role, s.district_id, d.number AS district_number FROM staff s \
         JOIN clinic c ON c.id = s.clinic_id AND c.is_home = 1 LEFT JOIN district d ON d.id = s.district_id \
         WHERE s.role IN ('district_nurse', 'feldsher') ORDER BY d.number IS NULL, d.number, full_name"
    ))
    .fetch_all(pool)
    .await?)
}

/// What nobody will do unless someone is named: a defect the head of the
/// clinic sees, never a silent state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unassigned {
    /// Calls taken for a home visit with nobody to make it (the district has nobody).
    pub calls: Vec<CallView>,
    /// Districts with plan visits due or overdue and no nurse or feldsher to
    /// make them (nor, for the doctor's, a doctor or feldsher).
    pub districts: Vec<UnstaffedDistrict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnstaffedDistrict {
    pub district_id: i64,
    pub district_number: u32,
    /// Due or overdue visits of a nurse, with no nurse or feldsher on the district.
    pub nurse_visits: u32,
    /// Due or overdue visits of a doctor, with no doctor or feldsher on the district.
    pub doctor_visits: u32,
}

/// The calls and the districts' due visits nobody is assigned to on `today`.
pub(crate) async fn unassigned(pool: &SqlitePool, today: NaiveDate) -> Result<Unassigned, StoreError> {
    let mut conn = pool.acquire().await?;
    let calls = calls_where(
        &mut conn,
        "?1 IS NULL AND c.planned_on <= ?2 AND c.status = 'registered' AND c.goes <> 'ambulance' \
         AND c.assigned_staff_id IS NULL",
        None,
        Some(today),
    )
    .await?;
    let districts: Vec<UnstaffedDistrict> = sqlx::query_as(
        "SELECT d.id AS district_id, d.number AS district_number, \
           sum(v.who = 'nurse' AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.district_id = d.id \
               AND s.role IN ('district_nurse', 'feldsher'))) AS nurse_visits, \
           sum(v.who = 'district_doctor' AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.district_id = d.id \
               AND s.role IN ('district_doctor', 'feldsher'))) AS doctor_visits \
         FROM district d JOIN clinic c ON c.id = d.clinic_id AND c.is_home = 1 \
         JOIN attachment a ON a.district_id = d.id AND a.started_on <= ?1 AND (a.ended_on IS NULL OR a.ended_on > ?1) \
         JOIN person p ON p.id = a.person_id AND p.died_on IS NULL \
         JOIN plan_visit v ON v.person_id = p.id AND v.closed = 0 AND v.due_from <= ?1 \
         JOIN care_plan cp ON cp.id = v.plan_id AND cp.closed_on IS NULL \
         GROUP BY d.id HAVING nurse_visits > 0 OR doctor_visits > 0 ORDER BY d.number",
    )
    .bind(today)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Unassigned { calls, districts })
}

async fn nurse(conn: &mut SqliteConnection, nurse_id: i64) -> Result<Nurse, HomeVisitError> {
    let nurse: Option<Nurse> = sqlx::query_as(concat!(
        "SELECT s.id, ",
        full_name_sql!("s"),
        " AS full_name, s.role, s.district_id, d.number AS district_number FROM staff s \
         LEFT JOIN district d ON d.id = s.district_id WHERE s.id = ?1 AND s.role IN ('district_nurse', 'feldsher')"
    ))
    .bind(nurse_id)
    .fetch_optional(&mut *conn)
    .await?;
    nurse.ok_or(HomeVisitError::NurseNotFound { id: nurse_id })
}

#[derive(sqlx::FromRow)]
struct StopRow {
    kind: String,
    // named apart from the person's `id`
    #[sqlx(rename = "stop_id")]
    id: i64,
    #[sqlx(flatten)]
    person: PersonRow,
    due_from: Option<NaiveDate>,
    due_to: Option<NaiveDate>,
    purpose: Option<String>,
    what: Option<String>,
    closed: Option<bool>,
    outcome: Option<String>,
    /// The visit's outcome was recorded on the day: it stays on that day's round.
    recorded_today: bool,
    complaint: Option<String>,
    call_status: Option<String>,
    call_number: Option<String>,
    temperature: Option<f64>,
    caller_phone: Option<String>,
    received_at: Option<DateTime<Utc>>,
    /// The call's triage reasons (JSON), as decided by the rules in force when it came.
    call_reasons: Option<String>,
    /// A doctor's visit or call on a post feldsher's round (her district has no doctor).
    doctor_level: bool,
}

/// The nurse's visits for `day` — and at a post whose district has no
/// doctor, the feldsher's doctor-level visits too: her district's open nurse visits due by
/// then (overdue ones too) and those whose outcome she recorded that day
/// (a visit moved that day has left it for its new day), plus the calls
/// assigned to her for the day.
const ROUND_ITEMS: &str = concat!(
    "SELECT 'visit' AS kind, v.id AS stop_id, ",
    person_columns!(),
    ", v.due_from, v.due_to, v.purpose, v.what, v.closed, v.outcome, \
       (v.outcome IS NOT 'moved' AND EXISTS (SELECT 1 FROM visit_event e WHERE e.visit_id = v.id \
               AND substr(e.at, 1, 10) = ?4 AND e.undone_at IS NULL)) AS recorded_today, \
       NULL AS complaint, NULL AS call_status, NULL AS call_number, NULL AS temperature, NULL AS caller_phone, \
       NULL AS received_at, NULL AS call_reasons, v.who = 'district_doctor' AS doctor_level \
     FROM plan_visit v JOIN person p ON p.id = v.person_id \
     JOIN attachment a ON a.person_id = p.id AND a.started_on <= ?2 AND (a.ended_on IS NULL OR a.ended_on > ?2) \
     WHERE a.district_id = ?1 AND p.died_on IS NULL \
       AND (v.who = 'nurse' \
            OR (v.who = 'district_doctor' \
                AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.district_id = ?1 AND s.role = 'district_doctor'))) \
       AND ((v.closed = 0 AND v.due_from <= ?2 \
             AND EXISTS (SELECT 1 FROM care_plan cp WHERE cp.id = v.plan_id AND cp.closed_on IS NULL)) \
            OR (v.outcome IS NOT 'moved' \
                AND EXISTS (SELECT 1 FROM visit_event e WHERE e.visit_id = v.id AND substr(e.at, 1, 10) = ?4 \
                            AND e.undone_at IS NULL))) \
     UNION ALL \
     SELECT 'call' AS kind, c.id AS stop_id, ",
    person_columns!(),
    ", NULL, NULL, NULL, NULL, NULL, NULL, 0, c.complaint, c.status, c.year || '/' || c.number, c.temperature, \
       c.caller_phone, c.received_at, c.reasons, c.doctor_level \
     FROM home_call c JOIN person p ON p.id = c.person_id \
     WHERE c.assigned_staff_id = ?3 AND c.planned_on = ?2"
);

/// How many working days ahead a round lists what did not fit today.
const LATER_DAYS: usize = 5;

pub(crate) async fn round(
    pool: &SqlitePool,
    nurse_id: i64,
    day: NaiveDate,
    pace: RoundPace,
) -> Result<RoundView, HomeVisitError> {
    let mut conn = pool.acquire().await?;
    round_on(&mut conn, nurse_id, day, pace).await
}

async fn round_on(
    conn: &mut SqliteConnection,
    nurse_id: i64,
    day: NaiveDate,
    pace: RoundPace,
) -> Result<RoundView, HomeVisitError> {
    let nurse = nurse(conn, nurse_id).await?;
    let rows: Vec<StopRow> = sqlx::query_as(ROUND_ITEMS)
        .bind(nurse.district_id)
        .bind(day)
        .bind(nurse_id)
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_all(&mut *conn)
        .await?;
    let saved: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT visit_id, call_id FROM round_stop WHERE nurse_id = ?1 AND day = ?2 ORDER BY position",
    )
    .bind(nurse_id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    let mut placed: Vec<StopRef> = saved
        .into_iter()
        .filter_map(|(visit, call)| visit.map(StopRef::Visit).or(call.map(StopRef::Call)))
        .collect();
    // What she already did today stays on today, after her own order.
    for row in rows.iter().filter(|r| r.recorded_today) {
        if !placed.contains(&StopRef::Visit(row.id)) {
            placed.push(StopRef::Visit(row.id));
        }
    }
    let items: Vec<DayItem<StopRef>> = rows
        .iter()
        .map(|row| {
            let at = Stop {
                coordinates: None,
                settlement: row.person.settlement.clone().unwrap_or_default(),
                street: row.person.street.clone().unwrap_or_default(),
                house: row.person.house.clone().unwrap_or_default(),
            };
            let (key, kind) = match (row.kind.as_str(), row.received_at, row.due_to) {
                ("call", Some(received_at), _) => {
                    let text = row.call_reasons.as_deref().unwrap_or("[]");
                    let reasons: Vec<TriageReason> =
                        serde_json::from_str(text).map_err(|_| corrupt("call reasons", text))?;
                    let urgency = CallUrgency {
                        always_at_home: reasons
                            .iter()
                            .any(|r| matches!(r, TriageReason::YoungChild | TriageReason::Pregnancy)),
                        temperature: row.temperature,
                    };
                    (
                        StopRef::Call(row.id),
                        DayItemKind::Call {
                            urgency,
                            received_at: received_at.naive_utc(),
                        },
                    )
                }
                (_, _, Some(due_to)) => (StopRef::Visit(row.id), DayItemKind::Visit { due_to }),
                _ => return Err(corrupt("round item", &row.kind)),
            };
            Ok(DayItem {
                key,
                person_id: row.person.id,
                at,
                kind,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let calendar = appointments::calendar(&mut *conn, day.year(), day.year() + 1).await?;
    let mut next_days = Vec::with_capacity(LATER_DAYS);
    let mut next = day;
    while next_days.len() < LATER_DAYS {
        next = calendar.next_working_day(next + chrono::Days::new(1));
        next_days.push(next);
    }
    let plan = plan_day(&items, &placed, pace, &next_days);
    let stops = |planned: &[PlannedStop], on: NaiveDate| -> Result<Vec<RoundStop>, HomeVisitError> {
        let times = estimated_times(planned.len(), pace);
        planned
            .iter()
            .zip(times)
            .map(|(stop, estimated)| round_stop(&rows, &stop.items, estimated, on))
            .collect()
    };
    Ok(RoundView {
        nurse_id,
        nurse: nurse.full_name,
        district_number: nurse.district_number,
        day,
        stops: stops(&plan.today, day)?,
        later: plan
            .later
            .iter()
            .map(|(on, planned)| {
                Ok(RoundDay {
                    day: *on,
                    stops: stops(planned, *on)?,
                })
            })
            .collect::<Result<_, HomeVisitError>>()?,
        beyond: plan.beyond,
    })
}

/// One person's stop from their rows (`items`: indexes into `rows`, in the plan's order).
fn round_stop(
    rows: &[StopRow],
    items: &[usize],
    estimated: NaiveTime,
    day: NaiveDate,
) -> Result<RoundStop, HomeVisitError> {
    let first = &rows[items[0]];
    let mut calls = Vec::new();
    let mut visits = Vec::new();
    for row in items.iter().map(|&i| &rows[i]) {
        if row.kind == "call" {
            let status = row.call_status.as_deref().unwrap_or_default();
            calls.push(RoundCall {
                id: row.id,
                number: row.call_number.clone().unwrap_or_default(),
                complaint: row.complaint.clone().unwrap_or_default(),
                temperature: row.temperature,
                caller_phone: row.caller_phone.as_deref().map(format_phone),
                status: CallStatus::parse(status).ok_or_else(|| corrupt("call status", status))?,
                doctor_level: row.doctor_level,
            });
        } else {
            let purpose = row.purpose.as_deref().unwrap_or_default();
            visits.push(RoundVisit {
                id: row.id,
                purpose: VisitPurpose::parse(purpose).ok_or_else(|| corrupt("visit purpose", purpose))?,
                what: row.what.clone(),
                state: match (row.due_from, row.due_to) {
                    (Some(from), Some(to)) => visit_state(from, to, row.closed.unwrap_or(false), day),
                    _ => return Err(corrupt("visit window", &row.id.to_string()).into()),
                },
                outcome: row
                    .outcome
                    .as_deref()
                    .map(|o| VisitOutcome::parse(o).ok_or_else(|| corrupt("visit outcome", o)))
                    .transpose()?,
                recorded: row.recorded_today,
                doctor_level: row.doctor_level,
            });
        }
    }
    Ok(RoundStop {
        stop: if first.kind == "call" {
            StopRef::Call(first.id)
        } else {
            StopRef::Visit(first.id)
        },
        estimated,
        person_id: first.person.id,
        person_name: first.person.full_name(),
        iin: first.person.iin.clone(),
        birth_date: first.person.birth_date,
        age_years: age_on(first.person.birth_date, day).unwrap_or(0),
        age_months: months_between(first.person.birth_date, day),
        address: first.person.address_line(),
        phone: first.person.phone.as_deref().map(format_phone),
        calls,
        visits,
    })
}

fn months_between(born: NaiveDate, day: NaiveDate) -> u32 {
    let months = (day.year() - born.year()) * 12 + day.month() as i32
        - born.month() as i32
        - i32::from(day.day() < born.day());
    u32::try_from(months).unwrap_or(0)
}

/// The nurse's own order of her day's stops (the ones she moved; the rest follow).
pub(crate) async fn reorder_round(
    pool: &SqlitePool,
    nurse_id: i64,
    day: NaiveDate,
    order: &[StopRef],
    pace: RoundPace,
) -> Result<RoundView, HomeVisitError> {
    let mut tx = pool.begin().await?;
    nurse(&mut tx, nurse_id).await?;
    sqlx::query("DELETE FROM round_stop WHERE nurse_id = ?1 AND day = ?2")
        .bind(nurse_id)
        .bind(day)
        .execute(&mut *tx)
        .await?;
    for (position, stop) in order.iter().enumerate() {
        let (visit, call) = match stop {
            StopRef::Visit(id) => (Some(*id), None),
            StopRef::Call(id) => (None, Some(*id)),
        };
        sqlx::query(
            "INSERT INTO round_stop (nurse_id, day, position, visit_id, call_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(nurse_id)
        .bind(day)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(visit)
        .bind(call)
        .execute(&mut *tx)
        .await?;
    }
    let view = round_on(&mut tx, nurse_id, day, pace).await?;
    tx.commit().await?;
    Ok(view)
}

/// Records what came of a plan visit. Only a nurse of the person's district
/// records it; a move needs a day after today.
pub(crate) async fn record_visit_outcome(
    pool: &SqlitePool,
    visit_id: i64,
    outcome: VisitOutcome,
    moved_to: Option<NaiveDate>,
    nurse_id: i64,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<VisitView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    district_nurse_of_visit(&mut tx, visit_id, nurse_id, today).await?;
    let moved_to = match outcome {
        VisitOutcome::Moved => match moved_to {
            Some(day) if day > today => Some(day),
            _ => return Err(HomeVisitError::MoveDate),
        },
        _ => None,
    };
    write_outcome(&mut tx, visit_id, outcome, moved_to, Some(nurse_id), note, now).await?;
    let view = visit_view(&mut tx, visit_id, today).await?;
    tx.commit().await?;
    Ok(view)
}

/// Writes an outcome on a visit with its event, the event keeping the
/// visit's state before it (what an undo restores).
async fn write_outcome(
    conn: &mut SqliteConnection,
    visit_id: i64,
    outcome: VisitOutcome,
    moved_to: Option<NaiveDate>,
    staff_id: Option<i64>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO visit_event (visit_id, at, outcome, staff_id, moved_to, note, \
                                  prior_outcome, prior_closed, prior_due_from, prior_due_to) \
         SELECT id, ?2, ?3, ?4, ?5, ?6, outcome, closed, due_from, due_to FROM plan_visit WHERE id = ?1",
    )
    .bind(visit_id)
    .bind(kazakhstan_time(now).format("%Y-%m-%d %H:%M:%S").to_string())
    .bind(outcome.as_str())
    .bind(staff_id)
    .bind(moved_to)
    .bind(note.map(str::trim).filter(|n| !n.is_empty()))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE plan_visit SET outcome = ?2, closed = ?3, due_from = coalesce(?4, due_from), \
         due_to = coalesce(?4, due_to) WHERE id = ?1",
    )
    .bind(visit_id)
    .bind(outcome.as_str())
    .bind(outcome.closes())
    .bind(moved_to)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The person came to a booking: the open doctor's or specialist's visits of
/// their open plans that it makes ([`closed_by_attendance`]) are recorded
/// done, noted as made at reception, in the caller's transaction. Returns how many.
pub(crate) async fn close_visits_by_attendance(
    conn: &mut SqliteConnection,
    person_id: i64,
    booked_staff_id: i64,
    day: NaiveDate,
    marked_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let staff: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT role, specialty FROM staff WHERE id = ?1")
            .bind(booked_staff_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((role, specialty)) = staff else {
        return Ok(0);
    };
    let attended = Attendance {
        day,
        district_doctor: role == "district_doctor" || role == "feldsher",
        specialty: specialty.as_deref(),
    };
    let open: Vec<(i64, String, Option<String>, NaiveDate)> = sqlx::query_as(
        "SELECT v.id, v.who, v.specialty, v.due_from FROM plan_visit v \
         JOIN care_plan cp ON cp.id = v.plan_id AND cp.closed_on IS NULL \
         WHERE v.person_id = ?1 AND v.closed = 0 AND v.who IN ('district_doctor', 'specialist') AND v.due_from <= ?2",
    )
    .bind(person_id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    let mut closed = 0;
    for (visit_id, who, visit_specialty, due_from) in open {
        let who = VisitWho::parse(&who).ok_or_else(|| corrupt("visit who", &who))?;
        if closed_by_attendance(who, visit_specialty.as_deref(), due_from, &attended) {
            write_outcome(
                conn,
                visit_id,
                VisitOutcome::Done,
                None,
                marked_by,
                Some("booking_arrived"),
                now,
            )
            .await?;
            closed += 1;
        }
    }
    Ok(closed)
}

/// Undoes the last outcome recorded for a visit, if it was recorded today (a
/// mis-tap is seen at once; a past day's outcome is corrected by recording
/// the right one). The visit returns to its state before it; the event stays
/// in the history marked undone, with who undid it and when. A nurse of the
/// person's district undoes it, as she would record it.
pub(crate) async fn undo_visit_outcome(
    pool: &SqlitePool,
    visit_id: i64,
    nurse_id: i64,
    now: DateTime<Utc>,
) -> Result<VisitView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    district_nurse_of_visit(&mut tx, visit_id, nurse_id, today).await?;
    let last: Option<(i64, String, Option<NaiveDate>)> = sqlx::query_as(
        "SELECT id, at, prior_due_from FROM visit_event WHERE visit_id = ?1 AND undone_at IS NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(visit_id)
    .fetch_optional(&mut *tx)
    .await?;
    let event = match last {
        Some((id, at, Some(_))) if at.starts_with(&today.format("%Y-%m-%d").to_string()) => id,
        _ => return Err(HomeVisitError::NothingToUndo),
    };
    sqlx::query(
        "UPDATE plan_visit SET (outcome, closed, due_from, due_to) = \
           (SELECT prior_outcome, prior_closed, prior_due_from, prior_due_to FROM visit_event WHERE id = ?2) \
         WHERE id = ?1",
    )
    .bind(visit_id)
    .bind(event)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE visit_event SET undone_at = ?2, undone_by = ?3 WHERE id = ?1")
        .bind(event)
        .bind(kazakhstan_time(now).format("%Y-%m-%d %H:%M:%S").to_string())
        .bind(nurse_id)
        .execute(&mut *tx)
        .await?;
    let view = visit_view(&mut tx, visit_id, today).await?;
    tx.commit().await?;
    Ok(view)
}

/// Refuses unless `nurse_id` is a nurse (or feldsher) of the district the
/// visit's person is attached to today.
async fn district_nurse_of_visit(
    conn: &mut SqliteConnection,
    visit_id: i64,
    nurse_id: i64,
    today: NaiveDate,
) -> Result<(), HomeVisitError> {
    let visit: Option<(i64, String)> = sqlx::query_as("SELECT person_id, who FROM plan_visit WHERE id = ?1")
        .bind(visit_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (person_id, who) = visit.ok_or(HomeVisitError::VisitNotFound { id: visit_id })?;
    // the district's nurse or feldsher records any of its visits; its doctor
    // the doctor's and the specialist's (a visit made at reception, recorded by hand)
    let staff: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT role, district_id FROM staff WHERE id = ?1")
            .bind(nurse_id)
            .fetch_optional(&mut *conn)
            .await?;
    let staff_district = match staff {
        Some((role, district)) if role == "district_nurse" || role == "feldsher" => district,
        Some((role, district))
            if role == "district_doctor" && (who == "district_doctor" || who == "specialist") =>
        {
            district
        }
        _ => return Err(HomeVisitError::NurseNotFound { id: nurse_id }),
    };
    let (_, district_id) = appointments::standing(&mut *conn, person_id, today).await?;
    if district_id.is_none() || district_id != staff_district {
        let district: Option<u32> = match district_id {
            None => None,
            Some(id) => {
                sqlx::query_scalar("SELECT number FROM district WHERE id = ?1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
        };
        return Err(HomeVisitError::NotYourVisit { district });
    }
    Ok(())
}

async fn visit_view(
    conn: &mut SqliteConnection,
    visit_id: i64,
    today: NaiveDate,
) -> Result<VisitView, HomeVisitError> {
    let row: VisitRow = sqlx::query_as(
        "SELECT id AS visit_id, plan_id, due_from, due_to, who, purpose, what, closed, outcome FROM plan_visit \
         WHERE id = ?1",
    )
    .bind(visit_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.view(today)?)
}

/// A district's plan visits due or overdue on `today` (any who), the one
/// list "due" and "overdue" screens and reports read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueVisit {
    pub visit: VisitView,
    pub person_id: i64,
    pub person_name: String,
    pub address: Option<String>,
}

pub(crate) async fn due_visits(
    pool: &SqlitePool,
    district_id: i64,
    today: NaiveDate,
) -> Result<Vec<DueVisit>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        visit: VisitRow,
        #[sqlx(flatten)]
        person: PersonRow,
    }
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT v.id AS visit_id, v.plan_id, v.due_from, v.due_to, v.who, v.purpose, v.what, v.closed, v.outcome, ",
        person_columns!(),
        " FROM plan_visit v JOIN person p ON p.id = v.person_id \
          JOIN attachment a ON a.person_id = p.id AND a.started_on <= ?2 AND (a.ended_on IS NULL OR a.ended_on > ?2) \
          JOIN care_plan cp ON cp.id = v.plan_id AND cp.closed_on IS NULL \
          WHERE a.district_id = ?1 AND v.closed = 0 AND v.due_from <= ?2 AND p.died_on IS NULL \
          ORDER BY v.due_to, v.id"
    ))
    .bind(district_id)
    .bind(today)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(DueVisit {
                person_id: row.person.id,
                person_name: row.person.full_name(),
                address: row.person.address_line(),
                visit: row.visit.view(today)?,
            })
        })
        .collect()
}

/// The nurse's day as printed: her round in its order, with the clinic's head.
pub(crate) async fn round_schedule(
    pool: &SqlitePool,
    nurse_id: i64,
    day: NaiveDate,
    pace: RoundPace,
) -> Result<RoundSchedule, HomeVisitError> {
    let mut conn = pool.acquire().await?;
    let round = round_on(&mut conn, nurse_id, day, pace).await?;
    let rows = round
        .stops
        .into_iter()
        .map(|stop| {
            // the callers' phones, then the person's own, each once
            let mut phones: Vec<String> = Vec::new();
            for phone in stop
                .calls
                .iter()
                .filter_map(|c| c.caller_phone.clone())
                .chain(stop.phone.clone())
            {
                if !phones.contains(&phone) {
                    phones.push(phone);
                }
            }
            let calls = stop.calls.into_iter().map(|call| RoundRowItem::Call {
                number: call.number,
                complaint: call.complaint,
                temperature: call.temperature,
            });
            let visits = stop.visits.into_iter().map(|visit| RoundRowItem::Visit {
                purpose: visit.purpose,
                what: visit.what,
                overdue: visit.state == VisitState::Overdue,
            });
            RoundRow {
                time: stop.estimated,
                items: calls.chain(visits).collect(),
                person_name: stop.person_name,
                birth_date: stop.birth_date,
                age_years: stop.age_years,
                age_months: stop.age_months,
                address: stop.address,
                phones,
            }
        })
        .collect();
    Ok(RoundSchedule {
        clinic: appointments::clinic_header(&mut conn).await?,
        nurse: round.nurse,
        district_number: round.district_number,
        day,
        rows,
    })
}

/// For plans brought in from a paper register: every open visit whose window
/// ended before `before` is recorded done on its last day. Returns how many.
pub(crate) async fn record_past_visits_done(pool: &SqlitePool, before: NaiveDate) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO visit_event (visit_id, at, outcome, note) \
         SELECT id, due_to || ' 12:00:00', 'done', 'paper_register' FROM plan_visit WHERE closed = 0 AND due_to < ?1",
    )
    .bind(before)
    .execute(&mut *tx)
    .await?;
    let done =
        sqlx::query("UPDATE plan_visit SET closed = 1, outcome = 'done' WHERE closed = 0 AND due_to < ?1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    tx.commit().await?;
    Ok(done)
}
