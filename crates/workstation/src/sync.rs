//! The workstation's side of sync with the central registry: ops recorded in
//! the outbox in the same transaction as the change they carry, the registry's
//! answers recorded (a rejected op undoes its provisional effect and lands in
//! "needs attention"), and the registry's change feed applied together with
//! its cursor. The sync engine (`emhana-sync`) drives these; it never touches
//! the tables itself.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::attachment::RefusalGround;
use emhana_domain::time::kazakhstan_date;
use emhana_domain::{Address, Citizenship, Iin, Person, Sex};
use emhana_protocol::{
    AttachmentState, Change, Enrolment, Hlc, LeftReason, Op, OpBody, OpOutcome, OpResult, PullResponse,
    RejectGround,
};
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::error::StoreError;
use crate::import::insert_search_keys;

const ROWS_PER_STATEMENT: usize = 400;

/// What an op is about on this workstation, kept beside it in the outbox.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OpLinks {
    pub person_id: Option<i64>,
    pub application_id: Option<i64>,
    /// The attachment the op made here (provisional until confirmed).
    pub attachment_id: Option<i64>,
    /// The attachment the op ended here, reopened if the registry says no.
    pub ended_attachment_id: Option<i64>,
    /// The booking the op books or cancels.
    pub booking_id: Option<i64>,
}

/// Records an op in the outbox, inside the caller's transaction: the op
/// exists exactly when its change does. Stamped now: author, time, clock.
pub(crate) async fn record_op(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    staff_id: Option<i64>,
    body: &OpBody,
    links: OpLinks,
) -> Result<Uuid, StoreError> {
    let actor_iin: Option<String> = match staff_id {
        None => None,
        Some(id) => {
            sqlx::query_scalar("SELECT iin FROM staff WHERE id = ?1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    let (wall_ms, counter): (i64, i64) =
        sqlx::query_as("SELECT hlc_wall_ms, hlc_counter FROM sync_state WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let previous = Hlc {
        wall_ms,
        counter: u32::try_from(counter).unwrap_or(u32::MAX),
    };
    let hlc = Hlc::next(Some(previous), now.timestamp_millis());
    sqlx::query("UPDATE sync_state SET hlc_wall_ms = ?1, hlc_counter = ?2 WHERE id = 1")
        .bind(hlc.wall_ms)
        .bind(i64::from(hlc.counter))
        .execute(&mut *conn)
        .await?;
    let id = Uuid::now_v7();
    let body_json = serde_json::to_string(body).map_err(|error| StoreError::Corrupt {
        detail: format!("op body: {error}"),
    })?;
    sqlx::query(
        "INSERT INTO outbox (id, kind, actor_iin, made_at, hlc_wall_ms, hlc_counter, body, person_id, application_id, \
         attachment_id, ended_attachment_id, booking_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .bind(id.to_string())
    .bind(body.kind())
    .bind(actor_iin)
    .bind(now)
    .bind(hlc.wall_ms)
    .bind(i64::from(hlc.counter))
    .bind(body_json)
    .bind(links.person_id)
    .bind(links.application_id)
    .bind(links.attachment_id)
    .bind(links.ended_attachment_id)
    .bind(links.booking_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// The registry this workstation is enrolled with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncEnrolment {
    pub registry_url: String,
    pub workstation_id: Uuid,
    pub clinic_bin: String,
    pub enrolled_at: DateTime<Utc>,
}

pub(crate) async fn enrolment(pool: &SqlitePool) -> Result<Option<SyncEnrolment>, StoreError> {
    let row: Option<(String, String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT registry_url, workstation_id, clinic_bin, enrolled_at FROM sync_enrolment WHERE id = 1",
    )
    .fetch_optional(pool)
    .await?;
    row.map(|(registry_url, workstation, clinic_bin, enrolled_at)| {
        Ok(SyncEnrolment {
            registry_url,
            workstation_id: Uuid::parse_str(&workstation).map_err(|_| StoreError::Corrupt {
                detail: format!("sync_enrolment.workstation_id {workstation:?}"),
            })?,
            clinic_bin,
            enrolled_at,
        })
    })
    .transpose()
}

/// Keeps the enrolment the registry gave (the credential goes to the OS
/// keyring, not here). The registry's clinic must be this workstation's own.
pub(crate) async fn save_enrolment(
    pool: &SqlitePool,
    registry_url: &str,
    enrolment: &Enrolment,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let home: Option<String> = sqlx::query_scalar("SELECT bin FROM clinic WHERE is_home = 1")
        .fetch_optional(&mut *tx)
        .await?;
    match home {
        Some(bin) if bin == enrolment.clinic_bin => {}
        Some(bin) => {
            return Err(StoreError::EnrolledElsewhere {
                home_bin: bin,
                registry_bin: enrolment.clinic_bin.clone(),
            });
        }
        None => return Err(StoreError::NoHomeClinic),
    }
    sqlx::query(
        "INSERT INTO sync_enrolment (id, registry_url, workstation_id, clinic_bin, enrolled_at) VALUES (1, ?1, ?2, ?3, ?4) \
         ON CONFLICT (id) DO UPDATE SET registry_url = excluded.registry_url, workstation_id = excluded.workstation_id, \
         clinic_bin = excluded.clinic_bin, enrolled_at = excluded.enrolled_at",
    )
    .bind(registry_url)
    .bind(enrolment.workstation.to_string())
    .bind(&enrolment.clinic_bin)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ops not yet answered, oldest first, as the registry reads them. Ops made
/// before enrolment carry the workstation id it received: one database is one
/// workstation, named by the registry when it enrols.
pub(crate) async fn pending_ops(pool: &SqlitePool, limit: usize) -> Result<Vec<Op>, StoreError> {
    let Some(enrolment) = enrolment(pool).await? else {
        return Err(StoreError::NotEnrolled);
    };
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, actor_iin, made_at, hlc_wall_ms, hlc_counter, body FROM outbox \
         WHERE state IN ('local', 'sent') ORDER BY seq LIMIT ?1",
    )
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(
            |OutboxRow {
                 id,
                 actor_iin,
                 made_at,
                 hlc_wall_ms: wall_ms,
                 hlc_counter: counter,
                 body,
             }| {
                let corrupt = |what: &str| StoreError::Corrupt {
                    detail: format!("outbox op {id}: {what}"),
                };
                Ok(Op {
                    id: Uuid::parse_str(&id).map_err(|_| corrupt("id"))?,
                    workstation: enrolment.workstation_id,
                    actor_iin,
                    made_at,
                    hlc: Hlc {
                        wall_ms,
                        counter: u32::try_from(counter).map_err(|_| corrupt("hlc"))?,
                    },
                    body: serde_json::from_str(&body).map_err(|_| corrupt("body"))?,
                })
            },
        )
        .collect()
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: String,
    actor_iin: Option<String>,
    made_at: DateTime<Utc>,
    hlc_wall_ms: i64,
    hlc_counter: i64,
    body: String,
}

/// What an answered op touched here.
#[derive(sqlx::FromRow)]
struct AnsweredRow {
    state: String,
    person_id: Option<i64>,
    application_id: Option<i64>,
    attachment_id: Option<i64>,
    ended_attachment_id: Option<i64>,
    kind: String,
    booking_id: Option<i64>,
}

/// Marks ops as sent (an answer may still be lost; they stay pending).
pub(crate) async fn mark_sent(
    pool: &SqlitePool,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut newly = Vec::new();
    for id in ids {
        let changed =
            sqlx::query("UPDATE outbox SET state = 'sent', sent_at = ?2 WHERE id = ?1 AND state = 'local'")
                .bind(id.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 1 {
            newly.push(*id);
        }
    }
    sqlx::query("UPDATE sync_state SET last_push_at = ?1 WHERE id = 1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(newly)
}

/// Takes back "sent" from ops whose request never left (no connection was
/// made); ops answered meanwhile are left as they are.
pub(crate) async fn mark_unsent(pool: &SqlitePool, ids: &[Uuid]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for id in ids {
        sqlx::query("UPDATE outbox SET state = 'local', sent_at = NULL WHERE id = ?1 AND state = 'sent'")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How many answers confirmed and rejected ops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AnswersRecorded {
    pub confirmed: usize,
    pub rejected: usize,
}

/// Records the registry's answers in one transaction. A confirmed attachment
/// stops being provisional. A rejected one is undone here (the provisional
/// attachment removed, the one it ended reopened), its application refused
/// when the registry refused it, and the op waits in "needs attention".
pub(crate) async fn record_answers(
    pool: &SqlitePool,
    results: &[OpResult],
    now: DateTime<Utc>,
) -> Result<AnswersRecorded, StoreError> {
    let mut tx = pool.begin().await?;
    let (home, districts) = home_and_districts(&mut tx).await?;
    let mut recorded = AnswersRecorded::default();
    for result in results {
        let row: Option<AnsweredRow> = sqlx::query_as(
            "SELECT state, person_id, application_id, attachment_id, ended_attachment_id, kind, booking_id \
             FROM outbox WHERE id = ?1",
        )
        .bind(result.op.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        // An answer to an op this workstation does not hold, or already answered: nothing to do.
        let Some(AnsweredRow {
            state,
            person_id,
            application_id,
            attachment_id,
            ended_attachment_id,
            kind,
            booking_id,
        }) = row
        else {
            continue;
        };
        if state == "confirmed" || state == "rejected" {
            continue;
        }
        match &result.outcome {
            OpOutcome::Applied => {
                sqlx::query("UPDATE outbox SET state = 'confirmed', answered_at = ?2 WHERE id = ?1")
                    .bind(result.op.to_string())
                    .bind(result.decided_at)
                    .execute(&mut *tx)
                    .await?;
                if let Some(application_id) = application_id {
                    sqlx::query("UPDATE attachment_application SET registry_confirmed_at = ?2 WHERE id = ?1")
                        .bind(application_id)
                        .bind(result.decided_at)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(booking_id) = booking_id {
                    crate::appointments::record_answer(&mut tx, booking_id, &kind, true, result.decided_at)
                        .await?;
                }
                recorded.confirmed += 1;
            }
            OpOutcome::Rejected { ground } => {
                let ground_json = serde_json::to_string(ground).map_err(|error| StoreError::Corrupt {
                    detail: format!("reject ground: {error}"),
                })?;
                sqlx::query(
                    "UPDATE outbox SET state = 'rejected', answered_at = ?2, reject_ground = ?3, attachment_id = NULL \
                     WHERE id = ?1",
                )
                .bind(result.op.to_string())
                .bind(result.decided_at)
                .bind(ground_json)
                .execute(&mut *tx)
                .await?;
                if let Some(attachment_id) = attachment_id {
                    undo_attachment(&mut tx, attachment_id, ended_attachment_id).await?;
                }
                if let Some(booking_id) = booking_id {
                    crate::appointments::record_answer(&mut tx, booking_id, &kind, false, result.decided_at)
                        .await?;
                }
                if let Some(application_id) = application_id {
                    let refusal = match ground {
                        RejectGround::AttachmentRefused { refusal } => Some(*refusal),
                        _ => None,
                    };
                    reopen_application(&mut tx, application_id, refusal, result.decided_at).await?;
                }
                sqlx::query(
                    "INSERT INTO audit_event (at, action, person_id, detail) \
                     SELECT ?1, 'registry_rejected_op', person_id, ?3 FROM outbox WHERE id = ?2",
                )
                .bind(now)
                .bind(result.op.to_string())
                .bind(serde_json::json!({ "op": result.op, "ground": ground }).to_string())
                .execute(&mut *tx)
                .await?;
                recorded.rejected += 1;
            }
        }
        if let (Some(person_id), Some(state)) = (person_id, &result.attachment) {
            reconcile_with_answer(&mut tx, person_id, (home, &districts), state, result.decided_at).await?;
        }
    }
    tx.commit().await?;
    Ok(recorded)
}

/// Removes a provisional attachment the registry did not accept and reopens
/// the one it had ended.
async fn undo_attachment(
    conn: &mut SqliteConnection,
    attachment_id: i64,
    ended_attachment_id: Option<i64>,
) -> Result<(), StoreError> {
    // Later ops that point at it (a death recorded meanwhile) keep their own record.
    sqlx::query(
        "UPDATE outbox SET attachment_id = CASE WHEN attachment_id = ?1 THEN NULL ELSE attachment_id END, \
         ended_attachment_id = CASE WHEN ended_attachment_id = ?1 THEN NULL ELSE ended_attachment_id END \
         WHERE attachment_id = ?1 OR ended_attachment_id = ?1",
    )
    .bind(attachment_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM attachment WHERE id = ?1")
        .bind(attachment_id)
        .execute(&mut *conn)
        .await?;
    if let Some(ended) = ended_attachment_id {
        // Only if nothing else is open for the person now (a pull may have moved them on).
        sqlx::query(
            "UPDATE attachment SET ended_on = NULL, end_reason = NULL WHERE id = ?1 AND NOT EXISTS \
             (SELECT 1 FROM attachment o WHERE o.person_id = attachment.person_id AND o.ended_on IS NULL)",
        )
        .bind(ended)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The application's decision after the registry said no: refused on the
/// registry's ground (the registrar prints the refusal), or back to
/// undecided when the registry did not decide it on the rules.
async fn reopen_application(
    conn: &mut SqliteConnection,
    application_id: i64,
    refusal: Option<RefusalGround>,
    decided_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    match refusal {
        Some(refusal) => {
            sqlx::query(
                "UPDATE attachment_application SET status = 'refused', refusal_ground = ?2, decided_at = ?3, \
                 registry_confirmed_at = ?3 WHERE id = ?1",
            )
            .bind(application_id)
            .bind(refusal.as_str())
            .bind(decided_at)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "UPDATE attachment_application SET status = 'registered', refusal_ground = NULL, decided_at = NULL \
                 WHERE id = ?1",
            )
            .bind(application_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

pub(crate) async fn cursor(pool: &SqlitePool) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT cursor FROM sync_state WHERE id = 1")
        .fetch_one(pool)
        .await?)
}

/// What one pull changed here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PullApplied {
    pub persons_added: usize,
    pub persons_updated: usize,
    pub left: usize,
    pub confirmed: usize,
}

/// Applies a page of the registry's change feed and stores its cursor, in one
/// transaction: a crash leaves either the page and its cursor, or neither.
pub(crate) async fn apply_pull(
    pool: &SqlitePool,
    pages: &[PullResponse],
    now: DateTime<Utc>,
) -> Result<PullApplied, StoreError> {
    let mut tx = pool.begin().await?;
    let (home, districts) = home_and_districts(&mut tx).await?;
    let mut applied = PullApplied::default();
    for page in pages {
        let one = apply_page(&mut tx, page, home, &districts, now).await?;
        applied.persons_added += one.persons_added;
        applied.persons_updated += one.persons_updated;
        applied.left += one.left;
        applied.confirmed += one.confirmed;
    }
    let started = std::time::Instant::now();
    tx.commit().await?;
    tracing::debug!(
        pages = pages.len(),
        commit_ms = started.elapsed().as_secs_f64() * 1e3,
        "feed pages committed"
    );
    Ok(applied)
}

async fn apply_page(
    tx: &mut SqliteConnection,
    page: &PullResponse,
    home: i64,
    districts: &HashMap<u32, i64>,
    now: DateTime<Utc>,
) -> Result<PullApplied, StoreError> {
    let mut applied = PullApplied::default();
    let mut persons: Vec<(&Person, Option<NaiveDate>, &emhana_protocol::Attachment)> = Vec::new();
    let mut left: Vec<(&str, NaiveDate, LeftReason)> = Vec::new();
    for change in &page.changes {
        match change {
            Change::Person {
                person,
                died_on,
                attachment,
            } => persons.push((person, *died_on, attachment)),
            Change::Left { iin, on, reason } => left.push((iin, *on, *reason)),
        }
    }

    // Which persons are already here, by IIN, read in batches.
    // Where a page's time goes, for the log (see docs/benchmarks.md).
    let mut timing = [std::time::Duration::ZERO; 5];
    let mut mark = std::time::Instant::now();
    let mut lap = |slot: usize| {
        let now = std::time::Instant::now();
        timing[slot] += now - mark;
        mark = now;
    };
    let mut known: HashMap<String, i64> = HashMap::new();
    for chunk in persons.chunks(ROWS_PER_STATEMENT) {
        let mut select: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT iin, id FROM person WHERE iin IN (");
        let mut list = select.separated(", ");
        for (person, ..) in chunk {
            list.push_bind(person.iin.to_string());
        }
        select.push(")");
        let rows: Vec<(String, i64)> = select.build_query_as().fetch_all(&mut *tx).await?;
        known.extend(rows);
    }

    lap(0);
    // New persons: inserted in batches with their search keys and attachments (the first sync).
    let mut next_id: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM person")
        .fetch_one(&mut *tx)
        .await?;
    let mut new_rows = Vec::new();
    let mut existing = Vec::new();
    for (person, died_on, attachment) in &persons {
        match known.get(&person.iin.to_string()) {
            Some(&id) => existing.push((id, *person, *died_on, *attachment)),
            None => {
                new_rows.push((next_id, *person, *died_on, *attachment));
                known.insert(person.iin.to_string(), next_id);
                next_id += 1;
            }
        }
    }
    for chunk in new_rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO person (id, iin, surname, first_name, patronymic, birth_date, sex, citizenship, \
             settlement, street, house, apartment, phone, died_on) ",
        );
        insert.push_values(chunk, |mut row, (id, person, died_on, _)| {
            let address = person.address.as_ref();
            row.push_bind(*id)
                .push_bind(person.iin.to_string())
                .push_bind(&person.surname)
                .push_bind(&person.first_name)
                .push_bind(&person.patronymic)
                .push_bind(person.birth_date)
                .push_bind(person.sex.as_str())
                .push_bind(person.citizenship.as_str())
                .push_bind(address.map(|a| a.settlement.clone()))
                .push_bind(address.map(|a| a.street.clone()))
                .push_bind(address.map(|a| a.house.clone()))
                .push_bind(address.and_then(|a| a.apartment.clone()))
                .push_bind(&person.phone)
                .push_bind(*died_on);
        });
        insert.build().execute(&mut *tx).await?;
        lap(1);
        insert_search_keys(&mut *tx, chunk.iter().map(|(id, person, ..)| (*id, *person))).await?;
        lap(2);

        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO attachment (person_id, clinic_id, district_id, ground, decided_on, started_on, ended_on, end_reason) ",
        );
        insert.push_values(chunk, |mut row, (id, _, _, attachment)| {
            row.push_bind(*id)
                .push_bind(home)
                .push_bind(
                    attachment
                        .district_number
                        .and_then(|n| districts.get(&n).copied()),
                )
                .push_bind(attachment.ground.as_str())
                .push_bind(attachment.decided_on)
                .push_bind(attachment.started_on)
                .push_bind(attachment.ended_on)
                .push_bind(attachment.ended_on.map(|_| "attached_elsewhere"));
        });
        insert.build().execute(&mut *tx).await?;
        lap(3);
    }
    applied.persons_added = new_rows.len();

    // Persons already here: the registry's data, then its view of the attachment.
    for (person_id, person, died_on, attachment) in existing {
        update_person(&mut *tx, person_id, person, died_on).await?;
        let ours = match attachment.op {
            Some(op) => {
                let (ours, confirmed) = confirm_by_feed(&mut *tx, op, now).await?;
                applied.confirmed += usize::from(confirmed);
                ours
            }
            None => None,
        };
        if !has_pending_ops(&mut *tx, person_id).await? {
            reconcile_attachment(&mut *tx, person_id, home, districts, attachment, ours).await?;
        }
        applied.persons_updated += 1;
    }

    for (iin, on, reason) in left {
        let person: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE iin = ?1")
            .bind(iin)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(person_id) = person else { continue };
        if has_pending_ops(&mut *tx, person_id).await? {
            // the answer to our op will say where the person is
            applied.left += 1;
            continue;
        }
        let end_reason = match reason {
            LeftReason::AttachedElsewhere => "attached_elsewhere",
            LeftReason::Died => "died",
            LeftReason::Detached => "clinic_liquidated",
        };
        if reason == LeftReason::Died {
            sqlx::query("UPDATE person SET died_on = ?2 WHERE id = ?1")
                .bind(person_id)
                .bind(on)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE attachment SET ended_on = max(started_on, ?3), end_reason = ?4 \
             WHERE person_id = ?1 AND clinic_id = ?2 AND (ended_on IS NULL OR ended_on > max(started_on, ?3))",
        )
        .bind(person_id)
        .bind(home)
        .bind(on)
        .bind(end_reason)
        .execute(&mut *tx)
        .await?;
        applied.left += 1;
    }

    sqlx::query(
        "UPDATE sync_state SET cursor = ?1, last_pull_at = ?2, \
           first_sync_applied = CASE WHEN first_sync_done_at IS NULL THEN first_sync_applied + ?3 ELSE first_sync_applied END, \
           first_sync_remaining = CASE WHEN first_sync_done_at IS NULL \
             THEN coalesce(?4, max(first_sync_remaining - ?3, 0)) ELSE first_sync_remaining END, \
           first_sync_done_at = CASE WHEN first_sync_done_at IS NULL AND ?5 THEN ?2 ELSE first_sync_done_at END \
         WHERE id = 1",
    )
    .bind(&page.cursor)
    .bind(now)
    .bind(i64::try_from(page.changes.len()).unwrap_or(i64::MAX))
    .bind(page.remaining.and_then(|n| i64::try_from(n).ok()))
    .bind(page.is_last())
    .execute(&mut *tx)
    .await?;
    lap(0);
    let ms = |slot: usize| timing[slot].as_secs_f64() * 1e3;
    tracing::debug!(
        changes = page.changes.len(),
        lookups_and_updates_ms = ms(0),
        persons_ms = ms(1),
        search_keys_ms = ms(2),
        attachments_ms = ms(3),
        "feed page applied"
    );
    Ok(applied)
}

async fn update_person(
    conn: &mut SqliteConnection,
    person_id: i64,
    person: &Person,
    died_on: Option<NaiveDate>,
) -> Result<(), StoreError> {
    let before: (String, String, Option<String>) =
        sqlx::query_as("SELECT surname, first_name, patronymic FROM person WHERE id = ?1")
            .bind(person_id)
            .fetch_one(&mut *conn)
            .await?;
    let address = person.address.as_ref();
    // The registry (the state database) is the source of names and dates;
    // what it lacks (a phone, an address) the registrar's entry keeps.
    sqlx::query(
        "UPDATE person SET surname = ?2, first_name = ?3, patronymic = ?4, birth_date = ?5, sex = ?6, citizenship = ?7, \
         settlement = coalesce(?8, settlement), street = coalesce(?9, street), house = coalesce(?10, house), \
         apartment = CASE WHEN ?8 IS NULL THEN apartment ELSE ?11 END, phone = coalesce(?12, phone), \
         died_on = coalesce(?13, died_on) WHERE id = ?1",
    )
    .bind(person_id)
    .bind(&person.surname)
    .bind(&person.first_name)
    .bind(&person.patronymic)
    .bind(person.birth_date)
    .bind(person.sex.as_str())
    .bind(person.citizenship.as_str())
    .bind(address.map(|a| &a.settlement))
    .bind(address.map(|a| &a.street))
    .bind(address.map(|a| &a.house))
    .bind(address.and_then(|a| a.apartment.as_ref()))
    .bind(&person.phone)
    .bind(died_on)
    .execute(&mut *conn)
    .await?;
    if before
        != (
            person.surname.clone(),
            person.first_name.clone(),
            person.patronymic.clone(),
        )
    {
        for table in ["person_name_word", "person_name_phrase"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE person_id = ?1"
            )))
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
        }
        insert_search_keys(conn, std::iter::once((person_id, person))).await?;
    }
    Ok(())
}

/// Whether ops made here about the person still wait for the registry's
/// answer. Their provisional effect stays on top of what the feed says; the
/// answer to the last of them brings the registry's state (see
/// [`record_answers`]), so the person converges either way.
async fn has_pending_ops(conn: &mut SqliteConnection, person_id: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE person_id = ?1 AND kind IN ('attach', 'detach') \
         AND state IN ('local', 'sent'))",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// The clinic this workstation serves and its districts by number.
async fn home_and_districts(conn: &mut SqliteConnection) -> Result<(i64, HashMap<u32, i64>), StoreError> {
    let home: Option<i64> = sqlx::query_scalar("SELECT id FROM clinic WHERE is_home = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let home = home.ok_or(StoreError::NoHomeClinic)?;
    let districts = sqlx::query_as::<_, (u32, i64)>("SELECT number, id FROM district WHERE clinic_id = ?1")
        .bind(home)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    Ok((home, districts))
}

/// Confirms our op when the feed brings its attachment (the answer to the
/// push was lost; the feed brings the same news). Returns the attachment the
/// op made here, and whether this confirmed it.
async fn confirm_by_feed(
    conn: &mut SqliteConnection,
    op: Uuid,
    now: DateTime<Utc>,
) -> Result<(Option<i64>, bool), StoreError> {
    let ours: Option<(Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT application_id, attachment_id, state FROM outbox WHERE id = ?1 AND kind = 'attach'",
    )
    .bind(op.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((application_id, attachment_id, state)) = ours else {
        return Ok((None, false));
    };
    if state == "confirmed" {
        return Ok((attachment_id, false));
    }
    sqlx::query(
        "UPDATE outbox SET state = 'confirmed', answered_at = coalesce(answered_at, ?2), \
         reject_ground = NULL WHERE id = ?1",
    )
    .bind(op.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if let Some(application_id) = application_id {
        sqlx::query(
            "UPDATE attachment_application SET registry_confirmed_at = coalesce(registry_confirmed_at, ?2) \
             WHERE id = ?1",
        )
        .bind(application_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok((attachment_id, true))
}

/// Makes the person's attachments here say what the registry says: the
/// registry's attachment is the one open (or ended when it says so), every
/// other open one ends where it starts. The row it matches is the one our op
/// made, else the one with the same district and start, else a new one.
async fn reconcile_attachment(
    conn: &mut SqliteConnection,
    person_id: i64,
    home: i64,
    districts: &HashMap<u32, i64>,
    attachment: &emhana_protocol::Attachment,
    ours: Option<i64>,
) -> Result<(), StoreError> {
    let district_id = attachment
        .district_number
        .and_then(|n| districts.get(&n).copied());
    let ours: Option<i64> = match ours {
        Some(id) => {
            sqlx::query_scalar("SELECT id FROM attachment WHERE id = ?1 AND person_id = ?2")
                .bind(id)
                .bind(person_id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let matched: Option<i64> = match ours {
        Some(id) => Some(id),
        None => {
            sqlx::query_scalar(
                "SELECT id FROM attachment WHERE person_id = ?1 AND clinic_id = ?2 AND district_id IS ?3 \
             AND started_on = ?4 ORDER BY ended_on IS NULL DESC, id DESC LIMIT 1",
            )
            .bind(person_id)
            .bind(home)
            .bind(district_id)
            .bind(attachment.started_on)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    // Whatever else is open ends where the registry's attachment starts.
    sqlx::query(
        "UPDATE attachment SET ended_on = max(started_on, ?2), \
         end_reason = CASE WHEN clinic_id = ?3 THEN 'changed_district' ELSE 'attached_elsewhere' END \
         WHERE person_id = ?1 AND ended_on IS NULL AND id IS NOT ?4",
    )
    .bind(person_id)
    .bind(attachment.started_on)
    .bind(home)
    .bind(matched)
    .execute(&mut *conn)
    .await?;
    match matched {
        Some(id) => {
            sqlx::query(
                "UPDATE attachment SET ended_on = ?2, \
                 end_reason = CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce(end_reason, 'attached_elsewhere') END \
                 WHERE id = ?1",
            )
            .bind(id)
            .bind(attachment.ended_on)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO attachment (person_id, clinic_id, district_id, ground, decided_on, started_on, ended_on, end_reason) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .bind(person_id)
            .bind(home)
            .bind(district_id)
            .bind(attachment.ground.as_str())
            .bind(attachment.decided_on)
            .bind(attachment.started_on)
            .bind(attachment.ended_on)
            .bind(attachment.ended_on.map(|_| "attached_elsewhere"))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Brings the person here in line with the registry's answer to our op: the
/// attachment the registry holds now, or the bare fact that the person is
/// attached elsewhere. Skipped while later ops about the person still wait.
async fn reconcile_with_answer(
    conn: &mut SqliteConnection,
    person_id: i64,
    (home, districts): (i64, &HashMap<u32, i64>),
    state: &AttachmentState,
    decided_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if has_pending_ops(conn, person_id).await? {
        return Ok(());
    }
    match state {
        AttachmentState::Here(attachment) => {
            let ours = match attachment.op {
                Some(op) => confirm_by_feed(conn, op, decided_at).await?.0,
                None => None,
            };
            reconcile_attachment(conn, person_id, home, districts, attachment, ours).await
        }
        AttachmentState::Elsewhere => {
            sqlx::query(
                "UPDATE attachment SET ended_on = max(started_on, ?3), end_reason = 'attached_elsewhere' \
                 WHERE person_id = ?1 AND clinic_id = ?2 AND ended_on IS NULL",
            )
            .bind(person_id)
            .bind(home)
            .bind(kazakhstan_date(decided_at))
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        // Attached nowhere: a death or an end is on its way in the feed.
        AttachmentState::None => Ok(()),
    }
}

/// Sync as the status bar and the sync screen show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncOverview {
    pub enrolment: Option<SyncEnrolment>,
    /// Ops by state: made here and not sent, sent without an answer, confirmed, rejected.
    pub local: i64,
    pub sent: i64,
    pub confirmed: i64,
    pub rejected: i64,
    /// Rejected ops still waiting for the registrar.
    pub needs_attention: i64,
    pub last_push_at: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub first_sync: FirstSync,
}

/// The first full sync: how far it got (it resumes there after any interruption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstSync {
    pub applied: i64,
    /// Persons the registry said were left after the last page.
    pub remaining: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
}

pub(crate) async fn overview(pool: &SqlitePool) -> Result<SyncOverview, StoreError> {
    let counts: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(state = 'local'), 0), coalesce(sum(state = 'sent'), 0), \
                coalesce(sum(state = 'confirmed'), 0), coalesce(sum(state = 'rejected'), 0), \
                coalesce(sum(state = 'rejected' AND resolved_at IS NULL), 0) FROM outbox",
    )
    .fetch_one(pool)
    .await?;
    #[allow(clippy::type_complexity)]
    let state: (
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        i64,
        Option<i64>,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT last_push_at, last_pull_at, first_sync_applied, first_sync_remaining, first_sync_done_at \
         FROM sync_state WHERE id = 1",
    )
    .fetch_one(pool)
    .await?;
    Ok(SyncOverview {
        enrolment: enrolment(pool).await?,
        local: counts.0,
        sent: counts.1,
        confirmed: counts.2,
        rejected: counts.3,
        needs_attention: counts.4,
        last_push_at: state.0,
        last_pull_at: state.1,
        first_sync: FirstSync {
            applied: state.2,
            remaining: state.3,
            done_at: state.4,
        },
    })
}

/// A rejected op waiting for the registrar: what it was, why the registry
/// said no, and what she can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttentionItem {
    pub op: Uuid,
    pub kind: String,
    pub made_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ground: RejectGround,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub iin: Option<String>,
    pub application_id: Option<i64>,
    /// "2026/14", as on the ticket.
    pub application_number: Option<String>,
    pub action: AttentionAction,
}

/// What the registrar can do about a rejected op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionAction {
    /// The attachment was refused under the rules: print the refusal for the person.
    PrintRefusal,
    /// The slot went to someone else: book another.
    PickAnotherSlot,
    /// The person is already attached here: check the card; nothing to print.
    CheckPersonCard,
    /// The workstation's data disagrees with the registry's (a district the
    /// registry does not know, a clock far ahead): tell the administrator.
    CallAdministrator,
}

fn action_for(ground: &RejectGround) -> AttentionAction {
    match ground {
        RejectGround::AttachmentRefused { .. } => AttentionAction::PrintRefusal,
        RejectGround::SlotTaken | RejectGround::BookingNotFound => AttentionAction::PickAnotherSlot,
        RejectGround::AlreadyAttachedHere { .. }
        | RejectGround::NotAttachedHere
        | RejectGround::UnknownPerson => AttentionAction::CheckPersonCard,
        RejectGround::UnknownDistrict { .. }
        | RejectGround::MadeInFuture
        | RejectGround::Malformed { .. } => AttentionAction::CallAdministrator,
    }
}

#[derive(sqlx::FromRow)]
struct AttentionRow {
    id: String,
    kind: String,
    made_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    reject_ground: String,
    person_id: Option<i64>,
    person_name: Option<String>,
    iin: Option<String>,
    application_id: Option<i64>,
    application_number: Option<String>,
}

pub(crate) async fn needs_attention(pool: &SqlitePool) -> Result<Vec<AttentionItem>, StoreError> {
    let rows: Vec<AttentionRow> = sqlx::query_as(
        concat!("SELECT o.id, o.kind, o.made_at, o.answered_at, o.reject_ground, o.person_id, \
                ", full_name_sql!("p"), " AS person_name, p.iin, \
                o.application_id, CASE WHEN a.id IS NULL THEN NULL ELSE a.year || '/' || a.number END AS application_number \
         FROM outbox o LEFT JOIN person p ON p.id = o.person_id \
              LEFT JOIN attachment_application a ON a.id = o.application_id \
         WHERE o.state = 'rejected' AND o.resolved_at IS NULL ORDER BY o.seq"),
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let ground: RejectGround =
                serde_json::from_str(&row.reject_ground).map_err(|_| StoreError::Corrupt {
                    detail: format!("outbox {} reject_ground", row.id),
                })?;
            Ok(AttentionItem {
                op: Uuid::parse_str(&row.id).map_err(|_| StoreError::Corrupt {
                    detail: format!("outbox id {}", row.id),
                })?,
                kind: row.kind,
                made_at: row.made_at,
                answered_at: row.answered_at,
                action: action_for(&ground),
                ground,
                person_id: row.person_id,
                person_name: row.person_name,
                iin: row.iin,
                application_id: row.application_id,
                application_number: row.application_number,
            })
        })
        .collect()
}

/// Takes a rejected op off the "needs attention" list (the registrar dealt with it).
pub(crate) async fn resolve(
    pool: &SqlitePool,
    op: Uuid,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET resolved_at = ?2, resolved_by = ?3 WHERE id = ?1 AND state = 'rejected' AND resolved_at IS NULL",
    )
    .bind(op.to_string())
    .bind(now)
    .bind(staff_id)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The person as the registry reads them.
pub(crate) async fn load_person(conn: &mut SqliteConnection, person_id: i64) -> Result<Person, StoreError> {
    #[allow(clippy::type_complexity)]
    let row: (String, String, String, Option<String>, NaiveDate, String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT iin, surname, first_name, patronymic, birth_date, sex, citizenship, settlement, street, house, \
             apartment, phone FROM person WHERE id = ?1",
        )
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::PersonNotFound { id: person_id })?;
    let corrupt = |what: &str| StoreError::Corrupt {
        detail: format!("person {person_id} {what}"),
    };
    let (
        iin,
        surname,
        first_name,
        patronymic,
        birth_date,
        sex,
        citizenship,
        settlement,
        street,
        house,
        apartment,
        phone,
    ) = row;
    let address = match (settlement, street, house) {
        (Some(settlement), Some(street), Some(house)) => Some(Address {
            settlement,
            street,
            house,
            apartment,
        }),
        _ => None,
    };
    Ok(Person {
        iin: Iin::parse(&iin).map_err(|_| corrupt("iin"))?,
        surname,
        first_name,
        patronymic,
        birth_date,
        sex: Sex::parse(&sex).ok_or_else(|| corrupt("sex"))?,
        citizenship: Citizenship::parse(&citizenship).ok_or_else(|| corrupt("citizenship"))?,
        address,
        phone,
    })
}
