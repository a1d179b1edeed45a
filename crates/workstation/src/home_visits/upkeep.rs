//! Plans kept current: closed when over, a pregnancy ended, planned ahead to
//! the horizon, planned again when the risk changes.

use emhana_protocol::{PlanChange, PlanRecord};
use uuid::Uuid;

use super::plans::PlanIds;
use super::*;

/// Closes the open plans that are over on `today` ([`plan_closure`]): of a
/// person who died or left the clinic, a child's patronage at 3 years or once
/// its last visit is closed — each with its reason and day, in one
/// transaction. Runs once a day (the day is kept in `setting`); returns how
/// many plans closed. Every PC closes a finished plan itself, from facts
/// they share; each tells the registry, which keeps the first closure.
pub(crate) async fn close_finished_plans(pool: &SqlitePool, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    let checked: Option<NaiveDate> = store::setting(&mut *tx, "plans_checked_on")
        .await?
        .and_then(|day| day.parse().ok());
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
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT cp.id, cp.kind, p.birth_date, p.died_on, \
           EXISTS (SELECT 1 FROM attachment a INDEXED BY attachment_by_person JOIN clinic c ON c.id = a.clinic_id \
                   AND c.is_home = 1 WHERE a.person_id = cp.person_id AND ", attachment_in_force!("a", "?1"), ") AS attached_here, \
           EXISTS (SELECT 1 FROM attachment a INDEXED BY attachment_by_person JOIN clinic c ON c.id = a.clinic_id \
                   AND c.is_home = 1 WHERE a.person_id = cp.person_id AND a.started_on > ?1) AS joins_later, \
           (SELECT max(a.ended_on) FROM attachment a INDEXED BY attachment_by_person JOIN clinic c ON c.id = a.clinic_id \
                   AND c.is_home = 1 WHERE a.person_id = cp.person_id) AS last_ended, \
           NOT EXISTS (SELECT 1 FROM plan_visit v WHERE v.plan_id = cp.id AND v.closed = 0) AS every_visit_closed \
         FROM care_plan cp JOIN person p ON p.id = cp.person_id WHERE cp.closed_on IS NULL"
    ))
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
            store::record_plan_change_op(&mut tx, row.id, close_change, None, now).await?;
            closed += 1;
        }
    }
    store::set_setting(
        &mut *tx,
        "plans_checked_on",
        &today.format("%Y-%m-%d").to_string(),
    )
    .await?;
    tx.commit().await?;
    if closed > 0 {
        tracing::info!(plans = closed, "finished plans closed");
    }
    Ok(closed)
}

/// The change telling of a plan's closure, as it now stands here.
fn close_change(plan: &PlanRecord) -> Result<PlanChange, StoreError> {
    let closed = plan
        .closed
        .ok_or_else(|| corrupt("plan closure", &plan.id.to_string()))?;
    Ok(PlanChange::Close { closed })
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
    author_id: Option<i64>,
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
    store::record_plan_change_op(&mut tx, plan_id, close_change, author_id, now).await?;
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
    let rules = store::plan_rules(&mut tx, today).await?;
    let lagging = rules.observation_planned_through(today);
    // planned a step further than needed, so the plans are read and written once a month, not daily
    let step_ahead = today
        .checked_add_months(chrono::Months::new(PLAN_AHEAD_STEP_MONTHS))
        .unwrap_or(today);
    let target = rules.observation_planned_through(step_ahead);
    let plans: Vec<(i64, String, i64, String, NaiveDate)> = sqlx::query_as(
        "SELECT id, uid, person_id, event, planned_through FROM care_plan \
         WHERE closed_on IS NULL AND planned_through IS NOT NULL AND planned_through < ?1",
    )
    .bind(lagging)
    .fetch_all(&mut *tx)
    .await?;
    if plans.is_empty() {
        return Ok(0);
    }
    let mut planned = Vec::with_capacity(plans.len());
    for (plan_id, uid, person_id, event, through) in &plans {
        let event: PlanEvent = serde_json::from_str(event).map_err(|_| corrupt("plan event", event))?;
        let ids = PlanIds {
            id: *plan_id,
            uid: Uuid::parse_str(uid).map_err(|_| corrupt("plan uid", uid))?,
            person_id: *person_id,
        };
        // a day before the enrolment has nothing to plan; one plan never stops the others
        if let Ok(next) = plan_ahead_of(&event, &rules, *through, step_ahead) {
            planned.push((ids, next));
        }
    }
    let rows: Vec<(PlanIds, &PlannedVisit)> = planned
        .iter()
        .flat_map(|(plan, visits)| visits.iter().map(move |visit| (*plan, visit)))
        .collect();
    insert_visit_rows(&mut tx, &rows).await?;
    for chunk in planned.chunks(10_000) {
        let mut update = sqlx::QueryBuilder::<sqlx::Sqlite>::new("UPDATE care_plan SET planned_through = ");
        update.push_bind(target).push(" WHERE id IN (");
        let mut ids = update.separated(", ");
        for (plan, _) in chunk {
            ids.push_bind(plan.id);
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
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<PlanView, HomeVisitError> {
    let today = kazakhstan_time(now).date();
    let mut tx = pool.begin().await?;
    let row: Option<(i64, String, String)> =
        sqlx::query_as("SELECT person_id, event, uid FROM care_plan WHERE id = ?1")
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (person_id, event, uid) = row.ok_or(HomeVisitError::PlanNotFound { id: plan_id })?;
    let ids = PlanIds {
        id: plan_id,
        uid: Uuid::parse_str(&uid).map_err(|_| corrupt("plan uid", &uid))?,
        person_id,
    };
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
    let rules = store::plan_rules(&mut tx, today).await?;
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
    // Keep the rows of the visits the new plan keeps, and of those with any
    // outcome in their history (one undone is history too); plan the new ones.
    sqlx::query(
        "DELETE FROM round_stop WHERE visit_id IN (SELECT v.id FROM plan_visit v \
           WHERE v.plan_id = ?1 AND v.closed = 0 AND v.outcome IS NULL AND v.due_from >= ?2 \
           AND NOT EXISTS (SELECT 1 FROM visit_event e WHERE e.visit_id = v.id))",
    )
    .bind(plan_id)
    .bind(today)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM plan_visit WHERE plan_id = ?1 AND closed = 0 AND outcome IS NULL AND due_from >= ?2 \
         AND NOT EXISTS (SELECT 1 FROM visit_event e WHERE e.visit_id = plan_visit.id)",
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
    insert_visits(&mut tx, ids, &new).await?;
    let event_json = serde_json::to_string(&event).map_err(|e| corrupt("plan event", &e.to_string()))?;
    // the new expansion reaches the horizon from today
    let planned_through = rules.planned_through(&event, today);
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
    // the plan planned again, over the version this PC knew
    store::record_plan_change_op(
        &mut tx,
        plan_id,
        |plan| {
            Ok(PlanChange::Risk {
                event: plan.event.clone(),
                rules_valid_from: plan.rules_valid_from,
                planned_through: plan.planned_through,
                visits: plan.visits.clone(),
                base: plan.changed_by,
            })
        },
        author_id,
        now,
    )
    .await?;
    let view = plans_of(&mut tx, person_id, Some(plan_id), today)
        .await?
        .pop()
        .ok_or(HomeVisitError::PlanNotFound { id: plan_id })?;
    tx.commit().await?;
    Ok(view)
}
