//! Calls shared with the clinic's other PCs through the registry: the call
//! as a `protocol::CallRecord` (read from the journal for an op, written to
//! it from the feed or from the registry's answer), and the registry's
//! answers to the ops about calls.

use emhana_protocol::{CallChange, CallOutcome, CallRecord, ChangeCallOp, OpBody};
use uuid::Uuid;

use super::calls::{acceptance_from, acceptance_text, parse_indications};
use super::*;

#[derive(sqlx::FromRow)]
struct SharedCallRow {
    uid: String,
    year: i32,
    number: i64,
    person_id: i64,
    received_at: DateTime<Utc>,
    caller: String,
    caller_phone: Option<String>,
    complaint: String,
    temperature: Option<f64>,
    pregnant: bool,
    age_years: i64,
    registrar_wants_doctor: bool,
    indications: Option<String>,
    suggested: String,
    reasons: String,
    rules_valid_from: NaiveDate,
    goes: String,
    acceptance: String,
    planned_on: NaiveDate,
    assigned_iin: Option<String>,
    doctor_level: bool,
    status: String,
    outcome_note: Option<String>,
    outcome_at: Option<DateTime<Utc>>,
    outcome_iin: Option<String>,
    registrar_iin: Option<String>,
}

/// The call as this PC's journal holds it, as the registry keeps it.
pub(crate) async fn call_record(conn: &mut SqliteConnection, call_id: i64) -> Result<CallRecord, StoreError> {
    Ok(call_and_person(conn, call_id).await?.0)
}

/// The call as the registry keeps it, and its person's id here.
async fn call_and_person(conn: &mut SqliteConnection, call_id: i64) -> Result<(CallRecord, i64), StoreError> {
    let row: SharedCallRow = sqlx::query_as(
        "SELECT c.uid, c.year, c.number, c.person_id, c.received_at, c.caller, c.caller_phone, c.complaint, \
                c.temperature, c.pregnant, c.age_years, c.registrar_wants_doctor, \
                (SELECT group_concat(i.indication) FROM home_call_indication i WHERE i.call_id = c.id) AS indications, \
                c.suggested, c.reasons, c.rules_valid_from, c.goes, c.acceptance, c.planned_on, \
                coalesce(s.iin, c.assigned_staff_iin) AS assigned_iin, c.doctor_level, c.status, c.outcome_note, \
                c.outcome_at, o.iin AS outcome_iin, r.iin AS registrar_iin \
         FROM home_call c LEFT JOIN staff s ON s.id = c.assigned_staff_id \
              LEFT JOIN staff o ON o.id = c.outcome_by LEFT JOIN staff r ON r.id = c.registrar_id \
         WHERE c.id = ?1",
    )
    .bind(call_id)
    .fetch_one(&mut *conn)
    .await?;
    let home = store::home_clinic(&mut *conn).await?;
    let person = store::load_person(&mut *conn, row.person_id).await?;
    let responder = |text: &str| Responder::parse(text).ok_or_else(|| corrupt("responder", text));
    let mut indications = parse_indications(row.indications.as_deref())?;
    indications.sort_by_key(|indication| indication.as_str());
    let call = CallRecord {
        id: Uuid::parse_str(&row.uid).map_err(|_| corrupt("call uid", &row.uid))?,
        clinic_bin: home.bin,
        year: row.year,
        number: u32::try_from(row.number).map_err(|_| corrupt("call number", &row.number.to_string()))?,
        person,
        received_at: row.received_at,
        caller: row.caller,
        caller_phone: row.caller_phone,
        complaint: row.complaint,
        // f32 as the form gave it, read back from SQLite's double: rounded to the tenth it was
        temperature_tenths: row.temperature.map(|celsius| (celsius * 10.0).round() as i16),
        pregnant: row.pregnant,
        age_years: u32::try_from(row.age_years).unwrap_or(0),
        registrar_wants_doctor: row.registrar_wants_doctor,
        indications,
        suggested: responder(&row.suggested)?,
        reasons: serde_json::from_str(&row.reasons).map_err(|_| corrupt("reasons", &row.reasons))?,
        rules_valid_from: row.rules_valid_from,
        goes: responder(&row.goes)?,
        acceptance: acceptance_from(&row.acceptance),
        planned_on: row.planned_on,
        assigned_staff_iin: row.assigned_iin,
        doctor_level: row.doctor_level,
        status: CallStatus::parse(&row.status).ok_or_else(|| corrupt("call status", &row.status))?,
        outcome: row.outcome_at.map(|at| CallOutcome {
            at,
            staff_iin: row.outcome_iin,
            note: row.outcome_note,
        }),
        registrar_iin: row.registrar_iin,
    };
    Ok((call, row.person_id))
}

/// The op telling the registry of a call just taken.
pub(super) async fn record_register_op(
    conn: &mut SqliteConnection,
    call_id: i64,
    registrar_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (call, person_id) = call_and_person(&mut *conn, call_id).await?;
    let body = OpBody::RegisterCall(Box::new(call));
    store::record_op(conn, now, registrar_id, &body, store::OpLinks::person(person_id)).await?;
    Ok(())
}

/// The op telling the registry of a change to a call made here, once the
/// journal holds it: `change` says it from the call as it now stands.
pub(super) async fn record_change_op(
    conn: &mut SqliteConnection,
    call_id: i64,
    change: impl FnOnce(&CallRecord) -> CallChange,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (call, person_id) = call_and_person(&mut *conn, call_id).await?;
    // A call taken before calls were shared never reached the registry: it
    // goes whole, as it now stands, rather than as a change of nothing.
    let unsent: bool = sqlx::query_scalar("SELECT unsent FROM home_call WHERE id = ?1")
        .bind(call_id)
        .fetch_one(&mut *conn)
        .await?;
    if unsent {
        sqlx::query("UPDATE home_call SET unsent = 0 WHERE id = ?1")
            .bind(call_id)
            .execute(&mut *conn)
            .await?;
        let body = OpBody::RegisterCall(Box::new(call));
        store::record_op(conn, now, author_id, &body, store::OpLinks::person(person_id)).await?;
        return Ok(());
    }
    let body = OpBody::ChangeCall(ChangeCallOp {
        call: call.id,
        change: change(&call),
        clinic_bin: call.clinic_bin,
        person_iin: call.person.iin.as_string(),
    });
    store::record_op(conn, now, author_id, &body, store::OpLinks::person(person_id)).await?;
    Ok(())
}

/// Writes the call whole: a new one joins the journal (its person added when
/// this PC has never seen them), a known one takes the registry's state.
///
/// `false` when another call here already has its number (one this PC
/// numbered before it enrolled, which the registry refused): the caller
/// holds it rather than fail the page.
pub(crate) async fn receive_call(conn: &mut SqliteConnection, call: &CallRecord) -> Result<bool, StoreError> {
    let number_taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM home_call WHERE year = ?1 AND number = ?2 AND uid IS NOT ?3)",
    )
    .bind(call.year)
    .bind(i64::from(call.number))
    .bind(call.id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    if number_taken {
        return Ok(false);
    }
    let person_id = store::person_id_or_insert(&mut *conn, &call.person).await?;
    let assigned = store::staff_id_of(&mut *conn, call.assigned_staff_iin.as_deref()).await?;
    let registrar = store::staff_id_of(&mut *conn, call.registrar_iin.as_deref()).await?;
    let outcome_by = store::staff_id_of(
        &mut *conn,
        call.outcome
            .as_ref()
            .and_then(|outcome| outcome.staff_iin.as_deref()),
    )
    .await?;
    let reasons = serde_json::to_string(&call.reasons).map_err(|e| corrupt("reasons", &e.to_string()))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO home_call (uid, year, number, person_id, received_at, caller, caller_phone, complaint, \
         temperature, pregnant, age_years, registrar_wants_doctor, suggested, reasons, rules_valid_from, goes, \
         acceptance, planned_on, assigned_staff_id, assigned_staff_iin, status, outcome_note, outcome_at, \
         outcome_by, registrar_id, doctor_level) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, \
                 ?22, ?23, ?24, ?25, ?26) \
         ON CONFLICT (uid) DO UPDATE SET goes = excluded.goes, planned_on = excluded.planned_on, \
           assigned_staff_id = excluded.assigned_staff_id, assigned_staff_iin = excluded.assigned_staff_iin, \
           status = excluded.status, outcome_note = excluded.outcome_note, outcome_at = excluded.outcome_at, \
           outcome_by = excluded.outcome_by, doctor_level = excluded.doctor_level \
         RETURNING id",
    )
    .bind(call.id.to_string())
    .bind(call.year)
    .bind(i64::from(call.number))
    .bind(person_id)
    .bind(call.received_at)
    .bind(&call.caller)
    .bind(&call.caller_phone)
    .bind(&call.complaint)
    .bind(call.temperature_tenths.map(|tenths| f64::from(tenths) / 10.0))
    .bind(call.pregnant)
    .bind(i64::from(call.age_years))
    .bind(call.registrar_wants_doctor)
    .bind(call.suggested.as_str())
    .bind(reasons)
    .bind(call.rules_valid_from)
    .bind(call.goes.as_str())
    .bind(acceptance_text(call.acceptance))
    .bind(call.planned_on)
    .bind(assigned)
    // the IIN kept only when this PC does not know the staff member
    .bind(call.assigned_staff_iin.as_deref().filter(|_| assigned.is_none()))
    .bind(call.status.as_str())
    .bind(call.outcome.as_ref().and_then(|outcome| outcome.note.as_deref()))
    .bind(call.outcome.as_ref().map(|outcome| outcome.at))
    .bind(outcome_by)
    .bind(registrar)
    .bind(call.doctor_level)
    .fetch_one(&mut *conn)
    .await?;
    for indication in &call.indications {
        sqlx::query("INSERT OR IGNORE INTO home_call_indication (call_id, indication) VALUES (?1, ?2)")
            .bind(id)
            .bind(indication.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}
