//! Care plans shared with the clinic's other PCs through the registry: a
//! plan from the feed (or an answer) written here whole, the answer to a
//! plan opened here that another PC opened first, and the plans this PC
//! kept before sharing sent a batch at a time.
//!
//! Who wins: the first outcome of a visit to reach the registry stands; a
//! later one from another PC stays in the visit's history here, marked
//! refused (and the op in "needs attention"). The first risk change over a
//! version stands. A plan opened twice for a person keeps the first opened.

use emhana_protocol::{OpOutcome, PlanRecord, RejectGround};

use super::*;

/// Writes the plan as the registry holds it: a new one joins this PC's
/// plans (its person added when this PC has never seen them), a known one
/// takes the registry's state — its visits and every outcome — and the
/// outcomes recorded here that the registry did not keep stay in the
/// history, marked refused.
///
/// `false` when this PC has another plan of the kind open for the person
/// (opened here offline, its op not yet answered): the caller holds it.
pub(crate) async fn receive_plan(
    conn: &mut SqliteConnection,
    plan: &PlanRecord,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let person_id = store::person_id_or_insert(&mut *conn, &plan.person).await?;
    let kind = plan.event.kind();
    let condition = match &plan.event {
        PlanEvent::Observation { condition, .. } => condition.as_str(),
        _ => "",
    };
    if plan.closed.is_none() {
        let other_open: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM care_plan WHERE person_id = ?1 AND kind = ?2 AND condition = ?3 \
             AND closed_on IS NULL AND uid <> ?4)",
        )
        .bind(person_id)
        .bind(kind.as_str())
        .bind(condition)
        .bind(plan.id.to_string())
        .fetch_one(&mut *conn)
        .await?;
        if other_open {
            return Ok(false);
        }
    }
    let event = serde_json::to_string(&plan.event).map_err(|e| corrupt("plan event", &e.to_string()))?;
    let closed = plan.closed.as_ref();
    let plan_id: i64 = sqlx::query_scalar(
        "INSERT INTO care_plan (uid, person_id, kind, condition, event, rules_valid_from, opened_at, opened_by, \
                                opened_by_iin, planned_through, closed_on, closed_reason, pregnancy_outcome, version) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT id FROM staff WHERE iin = ?8), \
                 CASE WHEN EXISTS (SELECT 1 FROM staff WHERE iin = ?9) THEN NULL ELSE ?9 END, \
                 ?10, ?11, ?12, ?13, ?14) \
         ON CONFLICT (uid) DO UPDATE SET event = excluded.event, rules_valid_from = excluded.rules_valid_from, \
           planned_through = excluded.planned_through, closed_on = excluded.closed_on, \
           closed_reason = excluded.closed_reason, pregnancy_outcome = excluded.pregnancy_outcome, \
           version = excluded.version, unsent = 0 \
         RETURNING id",
    )
    .bind(plan.id.to_string())
    .bind(person_id)
    .bind(kind.as_str())
    .bind(condition)
    .bind(event)
    .bind(plan.rules_valid_from)
    .bind(plan.opened_at)
    // who opened it: the staff member here, or their IIN until this PC knows them
    .bind(plan.opened_by_iin.as_deref())
    .bind(plan.opened_by_iin.as_deref())
    .bind(plan.planned_through)
    .bind(closed.map(|closed| closed.on))
    .bind(closed.map(|closed| closed.reason.as_str()))
    .bind(closed.and_then(|closed| closed.pregnancy_outcome.map(PregnancyOutcome::as_str)))
    .bind(plan.changed_by.map(|version| version.to_string()))
    .fetch_one(&mut *conn)
    .await?;

    let kept: Vec<String> = plan.visits.iter().map(|visit| visit.id.to_string()).collect();
    let kept_json = serde_json::to_string(&kept).map_err(|e| corrupt("visit uids", &e.to_string()))?;
    // Visits the registry's plan no longer has (planned again on another PC,
    // or planned ahead here beyond it: planned ahead again, under the same
    // ids) go, unless an outcome was recorded for them here.
    sqlx::query(
        "DELETE FROM round_stop WHERE visit_id IN (SELECT v.id FROM plan_visit v WHERE v.plan_id = ?1 \
           AND v.uid NOT IN (SELECT value FROM json_each(?2)) \
           AND NOT EXISTS (SELECT 1 FROM visit_event e WHERE e.visit_id = v.id))",
    )
    .bind(plan_id)
    .bind(&kept_json)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM plan_visit WHERE plan_id = ?1 AND uid NOT IN (SELECT value FROM json_each(?2)) \
         AND NOT EXISTS (SELECT 1 FROM visit_event e WHERE e.visit_id = plan_visit.id)",
    )
    .bind(plan_id)
    .bind(&kept_json)
    .execute(&mut *conn)
    .await?;
    let recorded_at = kazakhstan_time(now).format(store::EVENT_TIME_FORMAT).to_string();
    for visit in &plan.visits {
        let visit_id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_visit (uid, plan_id, person_id, due_from, due_to, who, purpose, what, specialty, \
                                     outcome, closed) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             ON CONFLICT (uid) DO UPDATE SET due_from = excluded.due_from, due_to = excluded.due_to, \
               outcome = excluded.outcome, closed = excluded.closed \
             RETURNING id",
        )
        .bind(visit.id.to_string())
        .bind(plan_id)
        .bind(person_id)
        .bind(visit.visit.due_from)
        .bind(visit.visit.due_to)
        .bind(visit.visit.who.as_str())
        .bind(visit.visit.purpose.as_str())
        .bind(&visit.visit.what)
        .bind(&visit.visit.specialty)
        .bind(visit.outcome.map(VisitOutcome::as_str))
        .bind(visit.closed)
        .fetch_one(&mut *conn)
        .await?;
        for event in &visit.history {
            let undone_iin = event
                .undone
                .as_ref()
                .and_then(|undone| undone.staff_iin.as_deref());
            // staff looked up inside the insert: one statement an outcome
            sqlx::query(
                "INSERT INTO visit_event (uid, visit_id, at, outcome, staff_id, staff_iin, moved_to, note, \
                                          prior_outcome, prior_closed, prior_due_from, prior_due_to, \
                                          undone_at, undone_by, undone_by_iin) \
                 VALUES (?1, ?2, ?3, ?4, (SELECT id FROM staff WHERE iin = ?5), \
                         CASE WHEN EXISTS (SELECT 1 FROM staff WHERE iin = ?6) THEN NULL ELSE ?6 END, \
                         ?7, ?8, ?9, ?10, ?11, ?12, ?13, (SELECT id FROM staff WHERE iin = ?14), \
                         CASE WHEN EXISTS (SELECT 1 FROM staff WHERE iin = ?15) THEN NULL ELSE ?15 END) \
                 ON CONFLICT (uid) DO UPDATE SET undone_at = excluded.undone_at, undone_by = excluded.undone_by, \
                   undone_by_iin = excluded.undone_by_iin, refused_at = NULL",
            )
            .bind(event.id.to_string())
            .bind(visit_id)
            .bind(event.at.format(store::EVENT_TIME_FORMAT).to_string())
            .bind(event.outcome.as_str())
            .bind(event.staff_iin.as_deref())
            .bind(event.staff_iin.as_deref())
            .bind(event.moved_to)
            .bind(&event.note)
            .bind(event.prior.outcome.map(VisitOutcome::as_str))
            .bind(event.prior.closed)
            .bind(event.prior.due_from)
            .bind(event.prior.due_to)
            .bind(
                event
                    .undone
                    .as_ref()
                    .map(|undone| undone.at.format(store::EVENT_TIME_FORMAT).to_string()),
            )
            .bind(undone_iin)
            .bind(undone_iin)
            .execute(&mut *conn)
            .await?;
        }
    }
    // Outcomes recorded here for the plan's visits that the registry did not
    // keep: another PC's came first. They stay in the history, marked, and
    // change nothing.
    let events: Vec<String> = plan
        .visits
        .iter()
        .flat_map(|visit| &visit.history)
        .map(|event| event.id.to_string())
        .collect();
    sqlx::query(
        "UPDATE visit_event SET refused_at = ?3 WHERE refused_at IS NULL \
         AND visit_id IN (SELECT v.id FROM plan_visit v WHERE v.plan_id = ?1 \
                          AND v.uid IN (SELECT value FROM json_each(?4))) \
         AND uid NOT IN (SELECT value FROM json_each(?2))",
    )
    .bind(plan_id)
    .bind(serde_json::to_string(&events).map_err(|e| corrupt("visit event uids", &e.to_string()))?)
    .bind(&recorded_at)
    .bind(&kept_json)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// The registry's answer to a plan op made here. A plan opened here that
/// another PC opened first goes (that one comes in the feed, and the op
/// waits in "needs attention" with the person named); the outcomes already
/// recorded on it here are listed there too, by their own ops.
pub(crate) async fn record_plan_answer(
    conn: &mut SqliteConnection,
    kind: &str,
    record_id: Option<&str>,
    outcome: &OpOutcome,
) -> Result<(), StoreError> {
    let (
        "open_plan",
        Some(uid),
        OpOutcome::Rejected {
            ground: RejectGround::PlanOpen,
        },
    ) = (kind, record_id, outcome)
    else {
        return Ok(());
    };
    let plan_id: Option<i64> = sqlx::query_scalar("SELECT id FROM care_plan WHERE uid = ?1")
        .bind(uid)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(plan_id) = plan_id else { return Ok(()) };
    for statement in [
        "DELETE FROM visit_event WHERE visit_id IN (SELECT id FROM plan_visit WHERE plan_id = ?1)",
        "DELETE FROM round_stop WHERE visit_id IN (SELECT id FROM plan_visit WHERE plan_id = ?1)",
        "DELETE FROM plan_visit WHERE plan_id = ?1",
        "DELETE FROM care_plan WHERE id = ?1",
    ] {
        sqlx::query(statement).bind(plan_id).execute(&mut *conn).await?;
    }
    tracing::info!("a plan opened here was opened first at another PC; that one stands");
    Ok(())
}

/// Sends up to `limit` plans the registry has not had (opened before plans
/// were shared, or loaded with the clinic's registers), whole, each as the
/// op that opens it; returns how many.
pub(crate) async fn queue_unsent_plans(
    conn: &mut SqliteConnection,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    // each sent as opened by whoever opened it (the registry takes an op only from its author)
    let plans: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, opened_by FROM care_plan WHERE unsent = 1 ORDER BY id LIMIT ?1")
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut *conn)
            .await?;
    for (plan_id, opened_by) in &plans {
        store::record_open_plan_op(&mut *conn, *plan_id, *opened_by, now).await?;
    }
    Ok(plans.len())
}
