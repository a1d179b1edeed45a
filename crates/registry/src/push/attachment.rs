//! Attach and detach ops, decided again on the registry's whole history of the person.

use emhana_domain::time::kazakhstan_date;

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
    // the person as the registration form would take them, whoever sent them
    if let Err(problem) = emhana_domain::check_person(&attach.person, kazakhstan_date(context.now)) {
        return Ok((reject(RejectGround::PersonInvalid { problem }), None));
    }
    if attach.ground == emhana_domain::attachment::AttachmentGround::ChangeOfResidence
        && !residence_covered(conn, workstation.clinic_id, attach, context).await?
    {
        return Ok((reject(RejectGround::ResidenceOutsideCoverage), None));
    }
    let iin = attach.person.iin.as_string();
    // Locked with the push's other persons (see `apply_all`); added below
    // only when the attachment is made.
    let known = context.known.get(&iin).copied();
    if known.is_some_and(|(_, died_on)| died_on.is_some()) {
        // Dead by the registry's record: an attachment decided offline before
        // the death was recorded elsewhere would leave them attached.
        return Ok((
            reject(RejectGround::AttachmentRefused {
                refusal: emhana_domain::attachment::RefusalGround::PersonDeceased,
            }),
            Some(AttachmentState::None),
        ));
    }
    let person_id = known.map(|(id, _)| id);
    let rows = sqlx::query(
        "SELECT a.id, a.clinic_id, c.bin, a.district_id, d.number AS district_number, a.ground, a.decided_on, a.started_on, a.ended_on, a.op_id \
         FROM attachment a JOIN clinic c ON c.id = a.clinic_id LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = $1 ORDER BY a.started_on, a.id",
    )
    .bind(person_id.unwrap_or(0))
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
        // the dead were refused above
        person_died_on: None,
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
    let person_id = match person_id {
        Some(id) => id,
        None => {
            // the first accepted op names the person as the clinic typed them (not
            // the state's data: from_state false); later ops do not respell them
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO person (iin, surname, first_name, patronymic, sex, citizenship, settlement, street, \
                                     house, apartment, phone, birth_date, from_state) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, false) RETURNING id",
            )
            .bind(&iin)
            .bind(attach.person.surname.trim())
            .bind(attach.person.first_name.trim())
            .bind(attach.person.patronymic.as_deref().map(str::trim))
            .bind(attach.person.sex.as_str())
            .bind(attach.person.citizenship.as_str())
            .bind(attach.person.address.as_ref().map(|a| a.settlement.as_str()))
            .bind(attach.person.address.as_ref().map(|a| a.street.as_str()))
            .bind(attach.person.address.as_ref().map(|a| a.house.as_str()))
            .bind(attach.person.address.as_ref().and_then(|a| a.apartment.as_deref()))
            .bind(attach.person.phone.as_deref())
            .bind(attach.person.birth_date)
            .fetch_one(&mut *conn)
            .await?;
            context.known.insert(iin.clone(), (id, None));
            id
        }
    };
    // The attachment as it stands after the op: a new one, or the clinic's
    // own moved to another district on the day it starts — one attachment,
    // as the person would call it, not a row that ends the day it begins;
    // its ground and day of decision stay (a free choice stays counted).
    let mut made = emhana_protocol::Attachment {
        district_number: Some(attach.district_number),
        ground: attach.ground,
        decided_on,
        started_on: effective_on,
        ended_on: None,
        op: Some(op.id),
    };
    let moved = ends
        .filter(|&index| ids[index].1 == workstation.clinic_id && history[index].started_on == effective_on);
    if let Some(index) = moved {
        let previous = &history[index];
        sqlx::query("UPDATE attachment SET district_id = $2, op_id = $3 WHERE id = $1")
            .bind(ids[index].0)
            .bind(district_id)
            .bind(op.id)
            .execute(&mut *conn)
            .await?;
        made.ground = previous.ground;
        made.decided_on = previous.decided_on;
    } else {
        if let Some(index) = ends {
            let previous = &history[index];
            let (previous_id, previous_clinic) = ids[index];
            let reason =
                emhana_domain::attachment::ended_by_new_attachment(previous, &workstation.clinic_bin);
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
    }
    // the person's data the attachment carries, kept now that it stands; a
    // detail refused is the detail's alone (the attachment is decided)
    for detail in &attach.details {
        if let Some(ground) =
            super::person::keep_change(conn, person_id, workstation.clinic_id, op, detail, context).await?
        {
            tracing::warn!(
                field = detail.key(),
                ?ground,
                "a detail of an attachment not kept"
            );
        }
    }
    context.touches.push(ScopeTouch {
        clinic_id: workstation.clinic_id,
        person_id,
        left: None,
    });
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
    if detach.reason == DetachReason::Died {
        return apply_death(conn, workstation, detach, person_id, context).await;
    }
    let (end_reason, left_reason) = ("clinic_liquidated", "detached");
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
    context.touches.push(ScopeTouch {
        clinic_id: workstation.clinic_id,
        person_id,
        left: Some((detach.on, left_reason)),
    });
    Ok(OpOutcome::Applied)
}

/// A death: recorded by the clinic the person is attached to, on a day of
/// that attachment, not after today nor before the birth; it ends every
/// attachment of the person from that day, wherever it is.
async fn apply_death(
    conn: &mut PgConnection,
    workstation: &Workstation,
    detach: &DetachOp,
    person_id: i64,
    context: &mut PushContext,
) -> Result<OpOutcome, RegistryError> {
    let died_on = detach.on;
    let here: Option<(NaiveDate, NaiveDate)> = sqlx::query_as(
        "SELECT a.started_on, p.birth_date FROM attachment a JOIN person p ON p.id = a.person_id \
         WHERE a.person_id = $1 AND a.clinic_id = $2 AND a.ended_on IS NULL",
    )
    .bind(person_id)
    .bind(workstation.clinic_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((started_on, birth_date)) = here else {
        return Ok(reject(RejectGround::NotAttachedHere));
    };
    if died_on > kazakhstan_date(context.now) || died_on < birth_date || died_on < started_on {
        return Ok(reject(RejectGround::DeathDateInvalid));
    }
    let ended: Vec<i64> = sqlx::query_scalar(
        "UPDATE attachment SET ended_on = greatest(started_on, $2), end_reason = 'died' \
         WHERE person_id = $1 AND (ended_on IS NULL OR ended_on > $2) RETURNING clinic_id",
    )
    .bind(person_id)
    .bind(died_on)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("UPDATE person SET died_on = $2 WHERE id = $1")
        .bind(person_id)
        .bind(died_on)
        .execute(&mut *conn)
        .await?;
    context
        .known
        .insert(detach.iin.clone(), (person_id, Some(died_on)));
    let mut clinics = ended;
    clinics.push(workstation.clinic_id);
    clinics.sort_unstable();
    clinics.dedup();
    for clinic_id in clinics {
        context.touches.push(ScopeTouch {
            clinic_id,
            person_id,
            left: Some((died_on, "died")),
        });
    }
    Ok(OpOutcome::Applied)
}

/// Whether a re-attachment on a change of residence rests on an address the
/// clinic serves: the new address the op names (or, from a PC that names
/// none, the person's), inside one of the clinic's districts' coverage. A
/// clinic whose coverage is not set yet cannot be checked: its word is taken.
async fn residence_covered(
    conn: &mut PgConnection,
    clinic_id: i64,
    attach: &AttachOp,
    context: &mut PushContext,
) -> Result<bool, RegistryError> {
    let Some(address) = attach.new_residence.as_ref().or(attach.person.address.as_ref()) else {
        return Ok(false);
    };
    let areas = context.coverage(conn, clinic_id).await?;
    Ok(areas.is_empty()
        || areas
            .iter()
            .any(|area| area.holds(&address.settlement, &address.street, &address.house)))
}
