//! The journal of home-visit calls: triaged, taken or refused, assigned, recorded.

use emhana_domain::StaffRole;
use emhana_domain::home_call::{goes_as, may_change_call};
use emhana_protocol::{CallChange, CallOutcome};

use super::shared::{record_change_op, record_register_op};
use super::*;

/// A call as the registrar fills the form in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
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
}

/// What the rules say about a call before it is recorded.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
    let rules = store::triage_rules(conn, today).await?;
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
    let last: Option<(String, DateTime<Utc>, String)> = sqlx::query_as(concat!(
        "SELECT ",
        number_sql!("home_call"),
        ", received_at, status FROM home_call WHERE person_id = ?1 ORDER BY id DESC LIMIT 1"
    ))
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
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
    registrar_id: i64,
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
    let calendar = store::calendar(&mut tx, today.year(), today.year() + 1).await?;
    let planned_on = calendar.next_working_day(today);
    // whoever works here on the day the call is planned for
    let (nurse, doctor) = store::district_staff(&mut tx, facts.district_id, planned_on).await?;
    let (assignment, status) = match (acceptance, goes) {
        (CallAcceptance::EmergencyOnly, _) | (_, Responder::Ambulance) => (
            assign(Responder::Ambulance, nurse, doctor),
            CallStatus::PassedToAmbulance,
        ),
        (_, goes) => (assign(goes, nurse, doctor), CallStatus::Registered),
    };
    let reasons = serde_json::to_string(&triage.reasons).map_err(|e| corrupt("reasons", &e.to_string()))?;
    let number = store::next_number(&mut tx, store::Numbered::Call, today.year()).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO home_call (year, number, person_id, received_at, caller, caller_phone, complaint, temperature, \
         pregnant, age_years, registrar_wants_doctor, suggested, reasons, rules_valid_from, goes, acceptance, \
         planned_on, assigned_staff_id, status, registrar_id, doctor_level, uid) \
         VALUES (?1, ?21, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?22) \
         RETURNING id",
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
    // kept as the tenth of a degree said (38.6), not as the f32 nearest it (38.59999847…)
    .bind(form.temperature.map(|celsius| (f64::from(celsius) * 10.0).round() / 10.0))
    .bind(form.pregnant)
    .bind(i64::from(age_years))
    .bind(form.registrar_wants_doctor)
    .bind(triage.goes.as_str())
    .bind(reasons)
    .bind(rules.valid_from)
    .bind(goes.as_str())
    .bind(acceptance_text(acceptance))
    .bind(planned_on)
    .bind(assignment.staff)
    .bind(status.as_str())
    .bind(registrar_id)
    .bind(assignment.doctor_level)
    .bind(number)
    // the call's id on every PC of the clinic and at the registry
    .bind(uuid::Uuid::now_v7().to_string())
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
    // The clinic's other PCs learn of it through the registry.
    record_register_op(&mut tx, id, Some(registrar_id), now).await?;
    let view = one_call(&mut tx, id).await?;
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
        let indications = parse_indications(row.indications.as_deref())?;
        Ok(CallView {
            suggested: responder(&row.suggested)?,
            goes: responder(&row.goes)?,
            reasons: serde_json::from_str(&row.reasons).map_err(|_| corrupt("reasons", &row.reasons))?,
            acceptance: acceptance_from(&row.acceptance),
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
    "SELECT c.id AS call_id, ",
    number_sql!("c"),
    " AS number, ",
    person_columns!(),
    ", c.received_at, c.caller, c.caller_phone, c.complaint, c.temperature, c.age_years, c.doctor_level, ",
    number_sql!("e"),
    " AS previous_number, e.received_at AS previous_received_at, \
     (SELECT group_concat(i.indication) FROM home_call_indication i WHERE i.call_id = c.id) AS indications, \
     c.suggested, c.reasons, c.goes, c.acceptance, c.planned_on, c.assigned_staff_id, ",
    full_name_sql!("s"),
    " AS assigned_staff, c.status, c.outcome_note \
     FROM home_call c JOIN person p ON p.id = c.person_id LEFT JOIN staff s ON s.id = c.assigned_staff_id \
     LEFT JOIN home_call e ON e.id = (SELECT max(x.id) FROM home_call x WHERE x.person_id = c.person_id AND x.id < c.id) "
);

/// One call of the journal, as the screens show it.
async fn one_call(conn: &mut SqliteConnection, id: i64) -> Result<CallView, HomeVisitError> {
    calls_where(conn, "c.id = ?1 AND ?2 IS NULL", Some(id), None)
        .await?
        .pop()
        .ok_or(HomeVisitError::CallNotFound { id })
}

/// The indications as `group_concat` lists them ("rash,bleeding").
pub(super) fn parse_indications(listed: Option<&str>) -> Result<Vec<Indication>, StoreError> {
    listed
        .unwrap_or("")
        .split(',')
        .filter(|text| !text.is_empty())
        .map(|text| Indication::parse(text).ok_or_else(|| corrupt("indication", text)))
        .collect()
}

/// How `home_call.acceptance` spells a call's acceptance (its CHECK lists both).
pub(super) fn acceptance_text(acceptance: CallAcceptance) -> &'static str {
    match acceptance {
        CallAcceptance::Taken => "taken",
        CallAcceptance::EmergencyOnly => "emergency_only",
    }
}

pub(super) fn acceptance_from(text: &str) -> CallAcceptance {
    if text == "emergency_only" {
        CallAcceptance::EmergencyOnly
    } else {
        CallAcceptance::Taken
    }
}

pub(super) async fn calls_where(
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
    any_call: bool,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<CallView, HomeVisitError> {
    let mut tx = pool.begin().await?;
    let found: Option<(Option<i64>, String)> =
        sqlx::query_as("SELECT assigned_staff_id, status FROM home_call WHERE id = ?1")
            .bind(call_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (assigned, current) = found.ok_or(HomeVisitError::CallNotFound { id: call_id })?;
    let current = CallStatus::parse(&current).ok_or_else(|| corrupt("call status", &current))?;
    may_change_call(current).map_err(|closed| HomeVisitError::CallClosed {
        status: closed.closed,
    })?;
    if let (Some(staff), Some(assigned)) = (staff_id, assigned)
        && staff != assigned
        && !any_call
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
        let (nurse, doctor) =
            store::district_staff(&mut tx, district_id, kazakhstan_time(now).date()).await?;
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
    let outcome = CallOutcome {
        at: now,
        staff_iin: match staff_id {
            Some(id) => Some(store::staff_iin(&mut tx, id).await?),
            None => None,
        },
        note: note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned),
    };
    let change = |call: &emhana_protocol::CallRecord| CallChange::Status {
        status,
        outcome,
        // passed to the doctor: who goes now, as the journal holds it
        handed_to: (status == CallStatus::PassedToDoctor).then(|| call.assignment()),
    };
    record_change_op(&mut tx, call_id, change, staff_id, now).await?;
    let view = one_call(&mut tx, call_id).await?;
    tx.commit().await?;
    Ok(view)
}

/// Sends someone else to a call: another nurse covering the district, a
/// doctor, a feldsher. Never below what the triage said (a doctor's call
/// goes to a doctor, or to a feldsher as a doctor's call); a closed call
/// stays as it is. The call waits for the new staff member on the same day.
pub(crate) async fn reassign_call(
    pool: &SqlitePool,
    call_id: i64,
    staff_id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<CallView, HomeVisitError> {
    let mut tx = pool.begin().await?;
    let found: Option<(String, String, NaiveDate)> =
        sqlx::query_as("SELECT suggested, status, planned_on FROM home_call WHERE id = ?1")
            .bind(call_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (suggested, current, planned_on) = found.ok_or(HomeVisitError::CallNotFound { id: call_id })?;
    let suggested = Responder::parse(&suggested).ok_or_else(|| corrupt("responder", &suggested))?;
    let current = CallStatus::parse(&current).ok_or_else(|| corrupt("call status", &current))?;
    may_change_call(current).map_err(|closed| HomeVisitError::CallClosed {
        status: closed.closed,
    })?;
    let staff: Option<(String, bool)> = sqlx::query_as(concat!(
        "SELECT s.role, ",
        works_on_sql!("s", "?2"),
        " FROM staff s WHERE s.id = ?1"
    ))
    .bind(staff_id)
    .bind(planned_on)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((_, false)) = staff {
        return Err(HomeVisitError::NotWorkingThatDay {
            id: staff_id,
            day: planned_on,
        });
    }
    let role = staff.map(|(role, _)| role);
    let (goes, doctor_level) = role
        .as_deref()
        .and_then(StaffRole::parse)
        .and_then(|role| goes_as(role, suggested))
        .ok_or(HomeVisitError::NurseNotFound { id: staff_id })?;
    let goes = escalate(suggested, goes).map_err(|problem| HomeVisitError::Triage { problem })?;
    sqlx::query(
        "UPDATE home_call SET goes = ?2, assigned_staff_id = ?3, assigned_staff_iin = NULL, doctor_level = ?4, \
         status = 'registered' WHERE id = ?1",
    )
    .bind(call_id)
    .bind(goes.as_str())
    .bind(staff_id)
    .bind(doctor_level)
    .execute(&mut *tx)
    .await?;
    let reassign = |call: &emhana_protocol::CallRecord| CallChange::Reassign {
        to: call.assignment(),
    };
    record_change_op(&mut tx, call_id, reassign, by, now).await?;
    let view = one_call(&mut tx, call_id).await?;
    tx.commit().await?;
    Ok(view)
}
