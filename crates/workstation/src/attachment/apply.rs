//! The attachment application decided and written: the form checked, the
//! person placed on a district, the decision asked of `emhana_domain`, and the
//! application, its consent, the attachment, the one it ends and the op
//! written in one transaction.

use super::*;
use crate::person_changes;

pub(crate) async fn apply(
    pool: &SqlitePool,
    form: &ApplicationForm,
    registrar_id: i64,
    now: DateTime<Utc>,
) -> Result<ApplicationOutcome, FormError> {
    let today = kazakhstan_date(now);
    let mut tx = pool.begin().await?;
    let clinic = store::home_clinic(&mut tx).await?;
    let facts = person_facts(&mut tx, form.person_id).await?;
    let mut checked = check_form(form, registrar_id)?;
    let rules = store::attachment_rules(&mut tx).await?;
    let placed = place(&mut tx, form, &clinic, &facts, &mut checked, &rules, today).await?;

    let (history_ids, history) = history(&mut tx, form.person_id).await?;
    let case = AttachmentCase {
        ground: form.ground,
        consent_given: checked.consent_given,
        decided_at: now,
        person_died_on: facts.died_on,
        history: &history,
        clinic_bin: &clinic.bin,
        district_id: placed.district_id,
    };
    let decision = match decide(&case, &rules) {
        Ok(decision) => decision,
        Err(AttachmentCaseError::AlreadyAttachedHere { district_id }) => {
            let number = placed
                .all_districts
                .iter()
                .find(|d| Some(d.id) == district_id)
                .map(|d| d.number);
            return Err(at_field(
                Field::Person,
                FieldProblem::AlreadyAttachedHere {
                    district_number: number,
                },
            ));
        }
    };

    let (application_id, year, number) =
        write_application(&mut tx, form, &clinic, &checked, &placed, &decision, now, today).await?;
    let mut list_norm_exceeded = None;
    if let Decision::Attach {
        decided_on,
        effective_on,
        ends,
    } = &decision
    {
        let ended_attachment_id = ends.map(|index| history_ids[index]);
        if let Some(index) = ends {
            let reason =
                emhana_domain::attachment::ended_by_new_attachment(&history[*index], &clinic.bin).as_str();
            // The previous attachment lasts until the new one starts (never ends before it began).
            sqlx::query(
                "UPDATE attachment SET ended_on = max(started_on, ?2), end_reason = ?3 WHERE id = ?1 AND ended_on IS NULL",
            )
            .bind(history_ids[*index])
            .bind(effective_on)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        }
        let attached = district_load(&mut tx, placed.district_id, today).await?;
        if exceeds_list_norm(
            placed.district_kind,
            placed.district_norm,
            attached,
            &rules.list_norms,
        ) {
            list_norm_exceeded = Some(ListLoad {
                attached,
                norm: rules
                    .list_norms
                    .for_district(placed.district_kind, placed.district_norm),
            });
        }
        let attachment_id: i64 = sqlx::query_scalar(
            "INSERT INTO attachment (person_id, clinic_id, district_id, ground, application_id, decided_on, started_on) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(form.person_id)
        .bind(clinic.id)
        .bind(placed.district_id)
        .bind(form.ground.as_str())
        .bind(application_id)
        .bind(decided_on)
        .bind(effective_on)
        .fetch_one(&mut *tx)
        .await?;
        // the new residence the attachment rests on: the person's data, with its history
        let moved = match &checked.new_residence {
            Some(residence) => {
                let change = residence.change();
                let before = person_changes::held(&mut tx, form.person_id, change.key()).await?;
                move_person(&mut tx, form.person_id, residence).await?;
                Some((change, before))
            }
            None => None,
        };
        // what the registry keeps of the person once the attachment stands
        let mut details = person_changes::registration_details(&mut tx, form.person_id).await?;
        if let Some((change, _)) = &moved {
            details.retain(|detail| detail.key() != change.key());
            details.push(change.clone());
        }
        // The registry decides again; until it answers, the attachment is provisional.
        let person = store::load_person(&mut tx, form.person_id).await?;
        let op = OpBody::Attach(AttachOp {
            person,
            clinic_bin: clinic.bin.clone(),
            district_number: placed.district_number,
            ground: form.ground,
            consent_given: checked.consent_given,
            application: ApplicationKey {
                year,
                number: u32::try_from(number).unwrap_or(u32::MAX),
            },
            new_residence: checked
                .new_residence
                .as_ref()
                .map(|residence| residence.address.clone()),
            details,
        });
        let links = OpLinks {
            person_id: Some(form.person_id),
            application_id: Some(application_id),
            attachment_id: Some(attachment_id),
            ended_attachment_id,
            booking_id: None,
        };
        store::record_op(&mut tx, now, Some(checked.registrar_id), &op, links).await?;
        // the move in the person's history (the attachment's op carries it)
        if let Some((change, before)) = moved {
            let made = person_changes::MadeChange {
                person_id: form.person_id,
                change: &change,
                before,
                staff_id: Some(checked.registrar_id),
            };
            person_changes::record_made_change(&mut tx, made, false, now).await?;
        }
    }
    let action = if matches!(decision, Decision::Attach { .. }) {
        "person_attached"
    } else {
        "attachment_refused"
    };
    let district_number = placed.district_number;
    let detail = format!(r#"{{"application_id":{application_id},"district_number":{district_number}}}"#);
    audit(
        &mut tx,
        now,
        Some(checked.registrar_id),
        action,
        Some(form.person_id),
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(ApplicationOutcome {
        application_id,
        application_number: display_number(year, number),
        decision,
        district_number,
        list_norm_exceeded,
    })
}

/// The form as checked: what the decision needs, and the problems found so far.
struct CheckedForm {
    consent_given: bool,
    registrar_id: i64,
    new_residence: Option<NewResidence>,
    /// Problems that do not stop the checks (the district is still looked for).
    errors: Vec<FieldError>,
}

/// Checks every field at once, so the registrar corrects the form in one go;
/// stops only when consent is missing.
fn check_form(form: &ApplicationForm, registrar_id: i64) -> Result<CheckedForm, FormError> {
    let mut errors = Vec::new();
    let mut fail = |field, problem| errors.push(FieldError { field, problem });
    if form.document_kind.is_none() {
        fail(Field::DocumentKind, FieldProblem::Required);
    }
    if form.document_number.trim().is_empty() {
        fail(Field::DocumentNumber, FieldProblem::Required);
    }
    if form.consent.given.is_none() {
        fail(Field::Consent, FieldProblem::Required);
    }
    let new_residence =
        check_new_residence(form.ground, form.new_residence.as_ref()).unwrap_or_else(|error| {
            errors.push(error);
            None
        });
    let Some(consent_given) = form.consent.given else {
        return Err(FormError::Fields { errors });
    };
    Ok(CheckedForm {
        consent_given,
        registrar_id,
        new_residence,
        errors,
    })
}

/// The district the application is for, with the clinic's districts.
struct Placement {
    district_id: i64,
    district_number: u32,
    district_kind: DistrictKind,
    /// The district's own list norm, when the organization sets one.
    district_norm: Option<u32>,
    source: DistrictSource,
    all_districts: Vec<DistrictEntry>,
}

/// Places the person on a district: the chosen one, else by household and
/// address. A person who moved is placed by the new address alone (the old
/// household stays behind). Returns the form's problems when there is none,
/// or when any field had one.
async fn place(
    conn: &mut SqliteConnection,
    form: &ApplicationForm,
    clinic: &store::HomeClinic,
    facts: &PersonFacts,
    checked: &mut CheckedForm,
    rules: &AttachmentRules,
    today: NaiveDate,
) -> Result<Placement, FormError> {
    let placed = match &checked.new_residence {
        None => facts.clone(),
        Some(residence) => PersonFacts {
            household_id: None,
            settlement: Some(residence.address.settlement.clone()),
            street: Some(residence.address.street.clone()),
            house: Some(residence.address.house.clone()),
            temporary_settlement: None,
            temporary_street: None,
            temporary_house: None,
            ..facts.clone()
        },
    };
    let errors = std::mem::take(&mut checked.errors);
    let Some(district) = suggestion(
        conn,
        clinic.id,
        form.person_id,
        &placed,
        form.district_id,
        today,
        &rules.district_ages,
    )
    .await?
    else {
        // no district of the clinic serves where she moved: said at the address, unless a district is chosen
        let (field, problem) = match checked.new_residence {
            Some(_) => (Field::NewAddress, FieldProblem::OutsideTerritory),
            None => (Field::District, FieldProblem::Required),
        };
        return Err(field_errors(errors, field, problem));
    };
    let all_districts = districts(conn, clinic.id).await?;
    let Some(entry) = all_districts.iter().find(|d| d.id == district.district_id) else {
        return Err(field_errors(
            errors,
            Field::District,
            FieldProblem::UnknownDistrict,
        ));
    };
    if !errors.is_empty() {
        return Err(FormError::Fields { errors });
    }
    Ok(Placement {
        district_id: entry.id,
        district_number: entry.number,
        district_kind: entry.kind,
        district_norm: entry.own_norm,
        source: district.source,
        all_districts,
    })
}

/// Writes the application, numbered in the clinic's year, with its consent;
/// returns its id, year and number.
#[allow(clippy::too_many_arguments)]
async fn write_application(
    conn: &mut SqliteConnection,
    form: &ApplicationForm,
    clinic: &store::HomeClinic,
    checked: &CheckedForm,
    placed: &Placement,
    decision: &Decision,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<(i64, i32, i64), StoreError> {
    let year = today.year();
    let number = store::next_number(
        &mut *conn,
        store::Numbered::Application { clinic_id: clinic.id },
        year,
    )
    .await?;
    let (status, refusal) = match decision {
        Decision::Attach { .. } => ("attached", None),
        Decision::Refuse { ground, .. } => ("refused", Some(ground.as_str())),
    };
    let application_id: i64 = sqlx::query_scalar(
        "INSERT INTO attachment_application (clinic_id, year, number, person_id, channel, ground, district_id, \
         district_source, document_kind, document_number, registrar_id, submitted_at, status, decided_at, refusal_ground) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?14) RETURNING id",
    )
    .bind(clinic.id)
    .bind(year)
    .bind(number)
    .bind(form.person_id)
    .bind(form.channel.as_str())
    .bind(form.ground.as_str())
    .bind(placed.district_id)
    .bind(placed.source.as_str())
    .bind(form.document_kind.map(DocumentKind::as_str))
    .bind(form.document_number.trim())
    .bind(checked.registrar_id)
    .bind(now)
    .bind(status)
    .bind(refusal)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO personal_data_consent (application_id, person_id, given, operator_name, operator_bin, valid_until, \
         third_parties, cross_border, publication, data_list, recorded_by, recorded_at) \
         SELECT ?1, ?2, ?3, c.name_ru, c.bin, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM clinic c WHERE c.id = ?11",
    )
    .bind(application_id)
    .bind(form.person_id)
    .bind(checked.consent_given)
    .bind(form.consent.valid_until)
    .bind(form.consent.third_parties)
    .bind(form.consent.cross_border)
    .bind(form.consent.publication)
    .bind(CONSENT_DATA_LIST)
    .bind(checked.registrar_id)
    .bind(now)
    .bind(clinic.id)
    .execute(&mut *conn)
    .await?;
    Ok((application_id, year, number))
}

/// Writes where the person moved: a new permanent residence (and a household
/// of its own there) or a temporary one beside the registered address.
pub(super) async fn move_person(
    conn: &mut SqliteConnection,
    person_id: i64,
    residence: &NewResidence,
) -> Result<(), StoreError> {
    let address = &residence.address;
    person_changes::write_address(conn, person_id, Some(address), residence.temporary).await?;
    if !residence.temporary {
        let household_id = new_household(conn, address).await?;
        sqlx::query("UPDATE person SET household_id = ?2 WHERE id = ?1")
            .bind(person_id)
            .bind(household_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) fn field_errors(mut errors: Vec<FieldError>, field: Field, problem: FieldProblem) -> FormError {
    errors.push(FieldError { field, problem });
    FormError::Fields { errors }
}
