//! The district nurse's round: her day planned and printed (her own order of
//! it: `round_order`; who makes rounds and what nobody is assigned to: `staffing`).

use super::*;

/// What a stop of the round is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum StopRef {
    Visit(i64),
    Call(i64),
}

/// One stop of a nurse's round: one person, everything due at their home.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RoundDay {
    pub day: NaiveDate,
    pub stops: Vec<RoundStop>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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

pub(super) async fn nurse(conn: &mut SqliteConnection, nurse_id: i64) -> Result<Nurse, HomeVisitError> {
    let nurse: Option<Nurse> = sqlx::query_as(concat!(
        "SELECT s.id, ",
        full_name_sql!("s"),
        " AS full_name, s.role, s.district_id, d.number AS district_number FROM staff s \
         LEFT JOIN district d ON d.id = s.district_id WHERE s.id = ?1 AND ",
        has_role_sql!("s", "'district_nurse', 'feldsher'"),
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
               AND substr(e.at, 1, 10) = ?4 AND e.undone_at IS NULL AND e.refused_at IS NULL)) AS recorded_today, \
       NULL AS complaint, NULL AS call_status, NULL AS call_number, NULL AS temperature, NULL AS caller_phone, \
       NULL AS received_at, NULL AS call_reasons, v.who = 'district_doctor' AS doctor_level \
     FROM plan_visit v JOIN person p ON p.id = v.person_id \
     JOIN attachment a ON a.person_id = p.id AND ",
    attachment_in_force!("a", "?2"),
    " \
     WHERE a.district_id = ?1 AND p.died_on IS NULL \
       AND (v.who = 'nurse' \
            OR (v.who = 'district_doctor' \
                AND NOT EXISTS (SELECT 1 FROM staff s WHERE ",
    serves_district_sql!("s", "?1"),
    " AND ",
    has_role_sql!("s", "'district_doctor'"),
    "))) \
       AND ((v.closed = 0 AND v.due_from <= ?2 \
             AND EXISTS (SELECT 1 FROM care_plan cp WHERE cp.id = v.plan_id AND cp.closed_on IS NULL)) \
            OR (v.outcome IS NOT 'moved' \
                AND EXISTS (SELECT 1 FROM visit_event e WHERE e.visit_id = v.id AND substr(e.at, 1, 10) = ?4 \
                            AND e.undone_at IS NULL AND e.refused_at IS NULL))) \
     UNION ALL \
     SELECT 'call' AS kind, c.id AS stop_id, ",
    person_columns!(),
    ", NULL, NULL, NULL, NULL, NULL, NULL, 0, c.complaint, c.status, ",
    number_sql!("c"),
    ", c.temperature, c.caller_phone, c.received_at, c.reasons, c.doctor_level \
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

pub(super) async fn round_on(
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
    let calendar = store::calendar(&mut *conn, day.year(), day.year() + 1).await?;
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
        clinic: store::clinic_header(&mut conn).await?,
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
        concat!(
            "INSERT INTO visit_event (visit_id, at, outcome, note, prior_closed, prior_due_from, prior_due_to, uid) \
             SELECT id, due_to || ' 12:00:00', 'done', 'paper_register', 0, due_from, due_to, ",
            random_uuid_sql!(),
            " FROM plan_visit WHERE closed = 0 AND due_to < ?1"
        ),
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
