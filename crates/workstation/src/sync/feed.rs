//! The registry's change feed applied with its cursor, and the person brought in line with what the registry holds.

use super::*;
use emhana_domain::registration::PersonChange;

pub(crate) async fn cursor(pool: &SqlitePool) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT cursor FROM sync_state WHERE id = 1")
        .fetch_one(pool)
        .await?)
}

/// What one pull changed here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PullApplied {
    pub persons_added: usize,
    pub persons_updated: usize,
    pub left: usize,
    pub confirmed: usize,
    /// The clinic's records (calls, ...) written here from the feed.
    pub records: usize,
}

/// Applies a page of the registry's change feed and stores its cursor, in one
/// transaction: a crash leaves either the page and its cursor, or neither.
pub(crate) async fn apply_pull(
    pool: &SqlitePool,
    pages: &[PullResponse],
    now: DateTime<Utc>,
) -> Result<PullApplied, StoreError> {
    let mut tx = pool.begin().await?;
    let (home, districts) = store::home_and_districts(&mut tx).await?;
    let mut applied = PullApplied::default();
    for page in pages {
        let one = apply_page(&mut tx, page, &home, &districts, now).await?;
        applied.persons_added += one.persons_added;
        applied.persons_updated += one.persons_updated;
        applied.left += one.left;
        applied.confirmed += one.confirmed;
        applied.records += one.records;
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

pub(super) async fn apply_page(
    tx: &mut SqliteConnection,
    page: &PullResponse,
    home_clinic: &store::HomeClinic,
    districts: &HashMap<u32, i64>,
    now: DateTime<Utc>,
) -> Result<PullApplied, StoreError> {
    let home = home_clinic.id;
    let mut applied = PullApplied::default();
    let mut persons: Vec<FedPerson<'_>> = Vec::new();
    let mut left: Vec<(&str, NaiveDate, LeftReason)> = Vec::new();
    let mut records: Vec<&emhana_protocol::Record> = Vec::new();
    for change in &page.changes {
        match change {
            Change::Person {
                person,
                died_on,
                attachment,
                from_state,
                details,
            } => persons.push(FedPerson {
                person,
                died_on: *died_on,
                attachment,
                from_state: *from_state,
                details,
            }),
            Change::Left { iin, on, reason } => left.push((iin, *on, *reason)),
            Change::Record { record } => records.push(record),
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
        for fed in chunk {
            list.push_bind(fed.person.iin.to_string());
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
    // new persons whose data is as a clinic typed it, not the state's
    let mut unconfirmed: Vec<i64> = Vec::new();
    // new persons with details the clinics' windows changed
    let mut new_details: Vec<(i64, &[PersonChange])> = Vec::new();
    for fed in &persons {
        match known.get(&fed.person.iin.to_string()) {
            Some(&id) => existing.push((id, fed)),
            None => {
                if !fed.from_state {
                    unconfirmed.push(next_id);
                }
                if !fed.details.is_empty() {
                    new_details.push((next_id, fed.details));
                }
                new_rows.push((next_id, fed.person, fed.died_on, fed.attachment));
                known.insert(fed.person.iin.to_string(), next_id);
                next_id += 1;
            }
        }
    }
    for chunk in new_rows.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<store::NewPerson<'_>> = chunk
            .iter()
            .map(|(id, person, died_on, _)| store::NewPerson {
                id: *id,
                person,
                household_id: None,
                died_on: *died_on,
            })
            .collect();
        store::insert_persons(&mut *tx, &rows).await?;
        lap(1);
        store::insert_search_keys(&mut *tx, chunk.iter().map(|(id, person, ..)| (*id, *person))).await?;
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
    for id in unconfirmed {
        sqlx::query("UPDATE person SET unconfirmed = 1 WHERE id = ?1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }

    // Persons already here: the registry's data, then its view of the attachment.
    // (after every new person is in: a detail may link to one of them)
    for (person_id, details) in new_details {
        crate::person_changes::apply_registry_details(&mut *tx, person_id, details, false, now).await?;
    }
    for (person_id, fed) in existing {
        let attachment = fed.attachment;
        store::update_registry_person(&mut *tx, person_id, fed.person, fed.died_on, fed.from_state, now)
            .await?;
        crate::person_changes::apply_registry_details(&mut *tx, person_id, fed.details, true, now).await?;
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

    // household links to relatives who came on this page
    if applied.persons_added > 0 {
        crate::person_changes::link_arrived_relatives(&mut *tx).await?;
    }

    // The clinic's records after the persons they name; each feature writes its own.
    lap(0);
    applied.records += records::receive_page_records(&mut *tx, &records, &home_clinic.bin, now).await?;
    applied.records += records::retry_held(&mut *tx, &home_clinic.bin, now).await?;
    lap(4);

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
        records_ms = ms(4),
        "feed page applied"
    );
    Ok(applied)
}

/// Whether ops made here about the person still wait for the registry's
/// answer. Their provisional effect stays on top of what the feed says; the
/// answer to the last of them brings the registry's state (see
/// [`record_answers`]), so the person converges either way.
pub(super) async fn has_pending_ops(conn: &mut SqliteConnection, person_id: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE person_id = ?1 AND kind IN ('attach', 'detach') \
         AND state IN ('local', 'sent'))",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Confirms our op when the feed brings its attachment (the answer to the
/// push was lost; the feed brings the same news). Returns the attachment the
/// op made here, and whether this confirmed it.
pub(super) async fn confirm_by_feed(
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
pub(super) async fn reconcile_attachment(
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
pub(super) async fn reconcile_with_answer(
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

/// A person as the page brought them.
struct FedPerson<'a> {
    person: &'a Person,
    died_on: Option<NaiveDate>,
    attachment: &'a emhana_protocol::Attachment,
    /// Whether the data is the state person database's.
    from_state: bool,
    details: &'a [PersonChange],
}
