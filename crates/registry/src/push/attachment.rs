//! Attach and detach ops, decided again on the registry's whole history of the person.

use super::*;

/// Decides the application again, on the registry's whole history of the
/// person, with the same rule the workstation used (`domain::attachment::decide`),
/// as of the moment the registrar decided it.
pub(super) async fn apply_attach(
    conn: &mut PgConnection,
    workstation: &Workstation,
    op: &Op,
    attach: &AttachOp,
    context: &mut PushContext,
) -> Result<(OpOutcome, Option<AttachmentState>), RegistryError> {
    let district = context
        .district(conn, workstation.clinic_id, attach.district_number)
        .await?;
    let Some(district_id) = district else {
        return Ok((
            reject(RejectGround::UnknownDistrict {
                district_number: attach.district_number,
            }),
            None,
        ));
    };
    let iin = attach.person.iin.as_string();
    // Added and locked with the push's other persons (see `apply_all`).
    let (person_id, died_on) = *context.known.get(&iin).ok_or(RegistryError::NotFound)?;
    let rows = sqlx::query(
        "SELECT a.id, a.clinic_id, c.bin, a.district_id, d.number AS district_number, a.ground, a.decided_on, a.started_on, a.ended_on, a.op_id \
         FROM attachment a JOIN clinic c ON c.id = a.clinic_id LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = $1 ORDER BY a.started_on, a.id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut history = Vec::with_capacity(rows.len());
    let mut district_numbers = Vec::with_capacity(rows.len());
    // The person's attachment as it stands, for the answer when nothing changes.
    let mut current = AttachmentState::None;
    for row in &rows {
        let ground: String = row.try_get("ground")?;
        ids.push((row.try_get::<i64, _>("id")?, row.try_get::<i64, _>("clinic_id")?));
        district_numbers.push(row.try_get::<Option<i32>, _>("district_number")?);
        if row.try_get::<Option<NaiveDate>, _>("ended_on")?.is_none() {
            current = if row.try_get::<i64, _>("clinic_id")? == workstation.clinic_id {
                AttachmentState::Here(attachment_from_row(row)?)
            } else {
                AttachmentState::Elsewhere
            };
        }
        history.push(PastAttachment {
            clinic_bin: row.try_get("bin")?,
            district_id: row.try_get("district_id")?,
            ground: emhana_domain::attachment::AttachmentGround::parse(&ground)
                .ok_or_else(|| RegistryError::Database(sqlx::Error::Decode("attachment.ground".into())))?,
            decided_on: row.try_get("decided_on")?,
            started_on: row.try_get("started_on")?,
            ended_on: row.try_get("ended_on")?,
        });
    }
    let rules = context.rules(conn).await?;
    let case = AttachmentCase {
        ground: attach.ground,
        consent_given: attach.consent_given,
        decided_at: op.made_at,
        person_died_on: died_on,
        history: &history,
        clinic_bin: &workstation.clinic_bin,
        district_id,
    };
    let (decided_on, effective_on, ends) = match decide(&case, rules) {
        Err(AttachmentCaseError::AlreadyAttachedHere { .. }) => {
            let number = history
                .iter()
                .position(|past| past.ended_on.is_none())
                .and_then(|index| district_numbers[index])
                .and_then(|n| u32::try_from(n).ok());
            return Ok((
                reject(RejectGround::AlreadyAttachedHere {
                    district_number: number,
                }),
                Some(current),
            ));
        }
        Ok(Decision::Refuse { ground, .. }) => {
            return Ok((
                reject(RejectGround::AttachmentRefused { refusal: ground }),
                Some(current),
            ));
        }
        Ok(Decision::Attach {
            decided_on,
            effective_on,
            ends,
        }) => (decided_on, effective_on, ends),
    };
    if let Some(index) = ends {
        let previous = &history[index];
        let (previous_id, previous_clinic) = ids[index];
        let reason = emhana_domain::attachment::ended_by_new_attachment(previous, &workstation.clinic_bin);
        // The previous attachment lasts until the new one starts (never ends before it began).
        sqlx::query(
            "UPDATE attachment SET ended_on = greatest(started_on, $2), end_reason = $3 WHERE id = $1 AND ended_on IS NULL",
        )
        .bind(previous_id)
        .bind(effective_on)
        .bind(reason.as_str())
        .execute(&mut *conn)
        .await?;
        if reason == emhana_domain::attachment::EndReason::AttachedElsewhere {
            context.touches.push(ScopeTouch {
                clinic_id: previous_clinic,
                person_id,
                left: Some((effective_on, "attached_elsewhere")),
            });
        }
    }
    sqlx::query(
        "INSERT INTO attachment (person_id, clinic_id, district_id, ground, decided_on, started_on, op_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(person_id)
    .bind(workstation.clinic_id)
    .bind(district_id)
    .bind(attach.ground.as_str())
    .bind(decided_on)
    .bind(effective_on)
    .bind(op.id)
    .execute(&mut *conn)
    .await?;
    context.touches.push(ScopeTouch {
        clinic_id: workstation.clinic_id,
        person_id,
        left: None,
    });
    let made = emhana_protocol::Attachment {
        district_number: Some(attach.district_number),
        ground: attach.ground,
        decided_on,
        started_on: effective_on,
        ended_on: None,
        op: Some(op.id),
    };
    Ok((OpOutcome::Applied, Some(AttachmentState::Here(made))))
}

pub(super) async fn apply_detach(
    conn: &mut PgConnection,
    workstation: &Workstation,
    detach: &DetachOp,
    context: &mut PushContext,
) -> Result<OpOutcome, RegistryError> {
    let Some(&(person_id, _)) = context.known.get(&detach.iin) else {
        return Ok(reject(RejectGround::UnknownPerson));
    };
    let (end_reason, left_reason) = match detach.reason {
        DetachReason::Died => ("died", "died"),
        DetachReason::ClinicLiquidated => ("clinic_liquidated", "detached"),
    };
    let ended = sqlx::query(
        "UPDATE attachment SET ended_on = greatest(started_on, $3), end_reason = $4 \
         WHERE person_id = $1 AND clinic_id = $2 AND ended_on IS NULL",
    )
    .bind(person_id)
    .bind(workstation.clinic_id)
    .bind(detach.on)
    .bind(end_reason)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if ended == 0 {
        // A rejected op changes nothing, the date of death included.
        return Ok(reject(RejectGround::NotAttachedHere));
    }
    if detach.reason == DetachReason::Died {
        sqlx::query("UPDATE person SET died_on = $2 WHERE id = $1")
            .bind(person_id)
            .bind(detach.on)
            .execute(&mut *conn)
            .await?;
        context
            .known
            .insert(detach.iin.clone(), (person_id, Some(detach.on)));
    }
    context.touches.push(ScopeTouch {
        clinic_id: workstation.clinic_id,
        person_id,
        left: Some((detach.on, left_reason)),
    });
    Ok(OpOutcome::Applied)
}
