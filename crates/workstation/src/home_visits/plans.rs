//! Care plans: opened from an event with their visits, and read with them.

use emhana_protocol::VisitRecord;
use uuid::Uuid;

use super::*;

/// What opens a plan, as the form gives it; the person's birth date comes from the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PlanView {
    pub id: i64,
    pub kind: PlanKind,
    pub event: PlanEvent,
    pub visits: Vec<VisitView>,
    /// When and why the plan closed; `None` while it is open.
    pub closed: Option<PlanClosed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
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

/// A plan's ids here and everywhere, and its person's id here.
#[derive(Debug, Clone, Copy)]
pub(super) struct PlanIds {
    pub id: i64,
    pub uid: Uuid,
    pub person_id: i64,
}

pub(super) async fn insert_visits(
    conn: &mut SqliteConnection,
    plan: PlanIds,
    visits: &[PlannedVisit],
) -> Result<(), StoreError> {
    let rows: Vec<(PlanIds, &PlannedVisit)> = visits.iter().map(|visit| (plan, visit)).collect();
    insert_visit_rows(conn, &rows).await
}

/// Inserts the visits of one or many plans, 400 rows a statement (9 binds
/// each, well under SQLite's bound-variable limit). A visit's id is derived
/// from its plan and what it is ([`VisitRecord::id_for`]): the same visit
/// planned on another PC has the same; one already here is left as it is.
pub(super) async fn insert_visit_rows(
    conn: &mut SqliteConnection,
    rows: &[(PlanIds, &PlannedVisit)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(400) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO plan_visit (plan_id, person_id, due_from, due_to, who, purpose, what, specialty, uid) ",
        );
        insert.push_values(chunk, |mut row, (plan, visit)| {
            row.push_bind(plan.id)
                .push_bind(plan.person_id)
                .push_bind(visit.due_from)
                .push_bind(visit.due_to)
                .push_bind(visit.who.as_str())
                .push_bind(visit.purpose.as_str())
                .push_bind(visit.what.clone())
                .push_bind(visit.specialty.clone())
                .push_bind(VisitRecord::id_for(plan.uid, visit).to_string());
        });
        insert.push(" ON CONFLICT (uid) DO NOTHING");
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
    let rules = store::plan_rules(&mut tx, today).await?;
    let (ids, visits) = open_plan_on(&mut tx, &rules, person_id, request, staff_id, false, now).await?;
    insert_visits(&mut tx, ids, &visits).await?;
    store::record_open_plan_op(&mut tx, ids.id, staff_id, now).await?;
    let plan = plans_of(&mut tx, person_id, Some(ids.id), today)
        .await?
        .pop()
        .ok_or(HomeVisitError::PlanNotFound { id: ids.id })?;
    tx.commit().await?;
    Ok(plan)
}

/// Opens many plans in one transaction (a clinic's registers brought in at
/// once, the demo clinic): all of them or, on the first refusal, none. They
/// reach the registry as plans from before sharing do: sync sends them
/// whole, a batch at a time, rather than one op each now.
pub(crate) async fn open_plans(
    pool: &SqlitePool,
    requests: &[(i64, PlanRequest)],
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<usize, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    let rules = store::plan_rules(&mut tx, today).await?;
    let mut planned = Vec::with_capacity(requests.len());
    for (person_id, request) in requests {
        planned.push(open_plan_on(&mut tx, &rules, *person_id, request, staff_id, true, now).await?);
    }
    // every plan's visits together: a few statements instead of one per plan
    let rows: Vec<(PlanIds, &PlannedVisit)> = planned
        .iter()
        .flat_map(|(plan, visits)| visits.iter().map(move |visit| (*plan, visit)))
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
    unsent: bool,
    now: DateTime<Utc>,
) -> Result<(PlanIds, Vec<PlannedVisit>), HomeVisitError> {
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
           WHERE a.person_id = p.id AND ",
        attachment_in_force!("a", "?2"),
        ") AS attached_here \
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
    let planned_through = rules.planned_through(&event, today);
    let uid = Uuid::now_v7();
    // The one-open-plan index decides: nothing inserted means a plan is open.
    let plan_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO care_plan (person_id, kind, condition, event, rules_valid_from, opened_at, opened_by, \
                                planned_through, uid, unsent) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
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
    .bind(uid.to_string())
    .bind(unsent)
    .fetch_optional(&mut *tx)
    .await?;
    let plan_id = plan_id.ok_or(HomeVisitError::PlanOpen { kind: event.kind() })?;
    let ids = PlanIds {
        id: plan_id,
        uid,
        person_id,
    };
    Ok((ids, visits))
}

#[derive(sqlx::FromRow)]
pub(super) struct VisitRow {
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
    pub(super) fn view(self, today: NaiveDate) -> Result<VisitView, StoreError> {
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

pub(super) async fn visits_of(
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

pub(super) async fn plans_of(
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
