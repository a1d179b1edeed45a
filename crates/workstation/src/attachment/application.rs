//! The attachment application: the options shown, the district suggested, the decision written with its consent, attachment, ended attachment and op; detachment.

use super::*;

pub(super) struct HomeClinic {
    id: i64,
    bin: String,
}

pub(super) async fn home_clinic(conn: &mut SqliteConnection) -> Result<HomeClinic, StoreError> {
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, bin FROM clinic WHERE is_home = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (id, bin) = row.ok_or(StoreError::NoHomeClinic)?;
    Ok(HomeClinic { id, bin })
}

#[derive(sqlx::FromRow)]
pub(super) struct HistoryRow {
    id: i64,
    clinic_bin: String,
    district_id: Option<i64>,
    ground: String,
    decided_on: NaiveDate,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
}

/// The person's attachments, oldest first, with their row ids.
pub(super) async fn history(
    conn: &mut SqliteConnection,
    person_id: i64,
) -> Result<(Vec<i64>, Vec<PastAttachment>), StoreError> {
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT a.id, c.bin AS clinic_bin, a.district_id, a.ground, a.decided_on, a.started_on, a.ended_on \
         FROM attachment a JOIN clinic c ON c.id = a.clinic_id WHERE a.person_id = ?1 ORDER BY a.started_on, a.id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut past = Vec::with_capacity(rows.len());
    for row in rows {
        let ground = AttachmentGround::parse(&row.ground).ok_or_else(|| StoreError::Corrupt {
            detail: format!("attachment {} ground {:?}", row.id, row.ground),
        })?;
        ids.push(row.id);
        past.push(PastAttachment {
            clinic_bin: row.clinic_bin,
            district_id: row.district_id,
            ground,
            decided_on: row.decided_on,
            started_on: row.started_on,
            ended_on: row.ended_on,
        });
    }
    Ok((ids, past))
}

#[derive(Clone, sqlx::FromRow)]
pub(super) struct PersonFacts {
    surname: String,
    first_name: String,
    patronymic: Option<String>,
    iin: String,
    birth_date: NaiveDate,
    household_id: Option<i64>,
    settlement: Option<String>,
    street: Option<String>,
    house: Option<String>,
    temporary_settlement: Option<String>,
    temporary_street: Option<String>,
    temporary_house: Option<String>,
    document_kind: Option<String>,
    document_number: Option<String>,
    died_on: Option<NaiveDate>,
}

pub(super) async fn person_facts(
    conn: &mut SqliteConnection,
    person_id: i64,
) -> Result<PersonFacts, StoreError> {
    sqlx::query_as(
        "SELECT surname, first_name, patronymic, iin, birth_date, household_id, settlement, street, house, \
         temporary_settlement, temporary_street, temporary_house, document_kind, document_number, died_on \
         FROM person WHERE id = ?1",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::PersonNotFound { id: person_id })
}

/// The district this clinic would give the person: the chosen one, else
/// where the household is attached here, else by the registered address, then
/// the temporary one.
pub(super) async fn suggestion(
    conn: &mut SqliteConnection,
    clinic_id: i64,
    person_id: i64,
    facts: &PersonFacts,
    chosen: Option<i64>,
    today: NaiveDate,
    ages: &DistrictAges,
) -> Result<Option<emhana_domain::attachment::DistrictSuggestion>, StoreError> {
    let kind = |text: String| DistrictKind::parse(&text).ok_or_else(|| corrupt("district kind", &text));
    let household: Option<(i64, String)> = match facts.household_id {
        None => None,
        Some(household_id) => {
            sqlx::query_as(
                "SELECT a.district_id, d.kind FROM person p JOIN attachment a ON a.person_id = p.id \
                 JOIN district d ON d.id = a.district_id \
                 WHERE p.household_id = ?1 AND p.id <> ?2 AND a.clinic_id = ?3 \
                 AND a.started_on <= ?4 AND (a.ended_on IS NULL OR a.ended_on > ?4) \
                 GROUP BY a.district_id ORDER BY count(*) DESC, a.district_id LIMIT 1",
            )
            .bind(household_id)
            .bind(person_id)
            .bind(clinic_id)
            .bind(today)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let household = household
        .map(|(id, text)| kind(text).map(|k| (id, k)))
        .transpose()?;
    let coverage_rows: Vec<(i64, String, String, String, u32, u32)> = sqlx::query_as(
        "SELECT dc.district_id, d.kind, dc.settlement, dc.street, dc.house_from, dc.house_to \
         FROM district_coverage dc JOIN district d ON d.id = dc.district_id WHERE d.clinic_id = ?1 ORDER BY d.number",
    )
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    let coverage = coverage_rows
        .into_iter()
        .map(|(district_id, text, settlement, street, house_from, house_to)| {
            Ok(Coverage {
                district_id,
                kind: kind(text)?,
                settlement,
                street,
                house_from,
                house_to,
            })
        })
        .collect::<Result<Vec<Coverage>, StoreError>>()?;
    let age_years = age_on(facts.birth_date, today).unwrap_or(0);
    let address = |s: &Option<String>, st: &Option<String>, h: &Option<String>| match (s, st, h) {
        (Some(s), Some(st), Some(h)) => Some((s.clone(), st.clone(), h.clone())),
        _ => None,
    };
    let registered = address(&facts.settlement, &facts.street, &facts.house);
    let temporary = address(
        &facts.temporary_settlement,
        &facts.temporary_street,
        &facts.temporary_house,
    );
    let by = |a: &Option<(String, String, String)>| {
        suggest_district(
            SuggestionFacts {
                chosen,
                household,
                address: a.as_ref().map(|(s, st, h)| (s.as_str(), st.as_str(), h.as_str())),
                age_years,
            },
            &coverage,
            ages,
        )
    };
    Ok(by(&registered).or_else(|| by(&temporary)))
}

/// Persons attached to one district on `today`.
pub(super) async fn district_load(
    conn: &mut SqliteConnection,
    district_id: i64,
    today: NaiveDate,
) -> Result<u32, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM attachment WHERE district_id = ?1 AND (ended_on IS NULL OR ended_on > ?2) \
         AND started_on <= ?2",
    )
    .bind(district_id)
    .bind(today)
    .fetch_one(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
pub(super) struct DistrictRow {
    id: i64,
    number: u32,
    kind: String,
    doctor: Option<String>,
}

pub(super) async fn districts(
    conn: &mut SqliteConnection,
    clinic_id: i64,
) -> Result<Vec<(i64, u32, DistrictKind, Option<String>)>, StoreError> {
    let rows: Vec<DistrictRow> = sqlx::query_as(
        concat!("SELECT d.id, d.number, d.kind, \
         (SELECT ", full_name_sql!("s"), " FROM staff s \
          WHERE s.district_id = d.id AND s.role IN ('district_doctor', 'feldsher') ORDER BY s.role, s.id LIMIT 1) AS doctor \
         FROM district d WHERE d.clinic_id = ?1 ORDER BY d.number"),
    )
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let kind = DistrictKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt {
                detail: format!("district {} kind {:?}", row.id, row.kind),
            })?;
            Ok((row.id, row.number, kind, row.doctor))
        })
        .collect()
}

/// Who may register at the clinic's window: registrars first, then feldshers and the head.
pub(crate) async fn registrars(
    conn: &mut SqliteConnection,
    clinic_id: i64,
) -> Result<Vec<StaffOption>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT id, ",
        full_name_sql!(),
        " AS full_name FROM staff \
         WHERE clinic_id = ?1 AND role IN ('registrar', 'feldsher', 'head') ORDER BY role = 'registrar' DESC, surname, id"
    ))
    .bind(clinic_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub(crate) async fn options(
    pool: &SqlitePool,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<AttachmentOptions, StoreError> {
    let today = kazakhstan_date(now);
    let mut conn = pool.acquire().await?;
    let clinic = home_clinic(&mut conn).await?;
    let facts = person_facts(&mut conn, person_id).await?;
    let rules = rules(&mut conn).await?;
    let suggestion = suggestion(
        &mut conn,
        clinic.id,
        person_id,
        &facts,
        None,
        today,
        &rules.district_ages,
    )
    .await?;
    let mut districts = Vec::new();
    for (id, number, kind, doctor) in self::districts(&mut conn, clinic.id).await? {
        let attached = district_load(&mut conn, id, today).await?;
        districts.push(DistrictOption {
            id,
            number,
            kind,
            doctor,
            attached,
            norm: rules.list_norms.for_kind(kind),
        });
    }
    let current: Option<CurrentAttachment> = sqlx::query_as(
        "SELECT c.name_kk AS clinic_name_kk, c.name_ru AS clinic_name_ru, c.is_home AS here, \
         d.number AS district_number, a.started_on FROM attachment a JOIN clinic c ON c.id = a.clinic_id \
         LEFT JOIN district d ON d.id = a.district_id \
         WHERE a.person_id = ?1 AND a.started_on <= ?2 AND (a.ended_on IS NULL OR a.ended_on > ?2)",
    )
    .bind(person_id)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    let registrars = registrars(&mut conn, clinic.id).await?;
    Ok(AttachmentOptions {
        person_id,
        full_name: full_name(&facts.surname, &facts.first_name, facts.patronymic.as_deref()),
        iin: facts.iin.clone(),
        document_kind: facts.document_kind.as_deref().and_then(DocumentKind::parse),
        document_number: facts.document_number.clone(),
        current,
        suggestion,
        districts,
        registrars,
        campaign: rules.campaign(today.year()),
        today,
    })
}

pub(crate) async fn apply(
    pool: &SqlitePool,
    form: &ApplicationForm,
    now: DateTime<Utc>,
) -> Result<ApplicationOutcome, FormError> {
    let today = kazakhstan_date(now);
    let mut tx = pool.begin().await?;
    let clinic = home_clinic(&mut tx).await?;
    let facts = person_facts(&mut tx, form.person_id).await?;

    let mut errors = Vec::new();
    let mut fail = |field, problem| errors.push(FieldError { field, problem });
    let document_number = form.document_number.trim();
    if form.document_kind.is_none() {
        fail(Field::DocumentKind, FieldProblem::Required);
    }
    if document_number.is_empty() {
        fail(Field::DocumentNumber, FieldProblem::Required);
    }
    if form.consent.given.is_none() {
        fail(Field::Consent, FieldProblem::Required);
    }
    let registrar: Option<String> = match form.registrar_id {
        None => None,
        Some(id) => {
            sqlx::query_scalar(concat!(
                "SELECT ",
                full_name_sql!(),
                " FROM staff \
             WHERE id = ?1 AND clinic_id = ?2"
            ))
            .bind(id)
            .bind(clinic.id)
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    match (form.registrar_id, &registrar) {
        (None, _) => fail(Field::Registrar, FieldProblem::Required),
        (Some(_), None) => fail(Field::Registrar, FieldProblem::UnknownRegistrar),
        (Some(_), Some(_)) => {}
    }
    let new_residence =
        check_new_residence(form.ground, form.new_residence.as_ref()).unwrap_or_else(|error| {
            errors.push(error);
            None
        });
    // Every field's problem at once: the registrar corrects the form in one go.
    let (Some(consent_given), Some(registrar_id), Some(_)) =
        (form.consent.given, form.registrar_id, registrar)
    else {
        return Err(FormError::Fields { errors });
    };
    let rules = rules(&mut tx).await?;
    // A person who moved is placed by the new address alone: the old household stays behind.
    let placed = match &new_residence {
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
    let Some(district) = suggestion(
        &mut tx,
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
        let (field, problem) = match new_residence {
            Some(_) => (Field::NewAddress, FieldProblem::OutsideTerritory),
            None => (Field::District, FieldProblem::Required),
        };
        return Err(field_errors(errors, field, problem));
    };
    let all_districts = districts(&mut tx, clinic.id).await?;
    let Some(&(district_id, district_number, district_kind, _)) =
        all_districts.iter().find(|(id, ..)| *id == district.district_id)
    else {
        return Err(field_errors(
            errors,
            Field::District,
            FieldProblem::UnknownDistrict,
        ));
    };
    if !errors.is_empty() {
        return Err(FormError::Fields { errors });
    }

    let (history_ids, history) = history(&mut tx, form.person_id).await?;
    let case = AttachmentCase {
        ground: form.ground,
        consent_given,
        decided_at: now,
        person_died_on: facts.died_on,
        history: &history,
        clinic_bin: &clinic.bin,
        district_id,
    };
    let decision = match decide(&case, &rules) {
        Ok(decision) => decision,
        Err(AttachmentCaseError::AlreadyAttachedHere { district_id }) => {
            let number = all_districts
                .iter()
                .find(|(id, ..)| Some(*id) == district_id)
                .map(|d| d.1);
            return Err(at_field(
                Field::Person,
                FieldProblem::AlreadyAttachedHere {
                    district_number: number,
                },
            ));
        }
    };

    let year = today.year();
    let number: i64 = sqlx::query_scalar(
        "SELECT coalesce(max(number), 0) + 1 FROM attachment_application WHERE clinic_id = ?1 AND year = ?2",
    )
    .bind(clinic.id)
    .bind(year)
    .fetch_one(&mut *tx)
    .await?;
    let (status, refusal) = match &decision {
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
    .bind(district_id)
    .bind(district.source.as_str())
    .bind(form.document_kind.map(DocumentKind::as_str))
    .bind(document_number)
    .bind(registrar_id)
    .bind(now)
    .bind(status)
    .bind(refusal)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO personal_data_consent (application_id, person_id, given, operator_name, operator_bin, valid_until, \
         third_parties, cross_border, publication, data_list, recorded_by, recorded_at) \
         SELECT ?1, ?2, ?3, c.name_ru, c.bin, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM clinic c WHERE c.id = ?11",
    )
    .bind(application_id)
    .bind(form.person_id)
    .bind(consent_given)
    .bind(form.consent.valid_until)
    .bind(form.consent.third_parties)
    .bind(form.consent.cross_border)
    .bind(form.consent.publication)
    .bind(CONSENT_DATA_LIST)
    .bind(registrar_id)
    .bind(now)
    .bind(clinic.id)
    .execute(&mut *tx)
    .await?;

    let mut list_norm_exceeded = None;
    if let Decision::Attach {
        decided_on,
        effective_on,
        ends,
    } = &decision
    {
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
        let attached = district_load(&mut tx, district_id, today).await?;
        if exceeds_list_norm(district_kind, attached, &rules.list_norms) {
            list_norm_exceeded = Some(ListLoad {
                attached,
                norm: rules.list_norms.for_kind(district_kind),
            });
        }
        let attachment_id: i64 = sqlx::query_scalar(
            "INSERT INTO attachment (person_id, clinic_id, district_id, ground, application_id, decided_on, started_on) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(form.person_id)
        .bind(clinic.id)
        .bind(district_id)
        .bind(form.ground.as_str())
        .bind(application_id)
        .bind(decided_on)
        .bind(effective_on)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(residence) = &new_residence {
            move_person(&mut tx, form.person_id, residence).await?;
        }
        // The registry decides again; until it answers, the attachment is provisional.
        let person = sync::load_person(&mut tx, form.person_id).await?;
        let op = OpBody::Attach(AttachOp {
            person,
            clinic_bin: clinic.bin.clone(),
            district_number,
            ground: form.ground,
            consent_given,
            application: ApplicationKey {
                year,
                number: u32::try_from(number).unwrap_or(u32::MAX),
            },
        });
        let links = OpLinks {
            person_id: Some(form.person_id),
            application_id: Some(application_id),
            attachment_id: Some(attachment_id),
            ended_attachment_id: ends.map(|index| history_ids[index]),
            booking_id: None,
        };
        sync::record_op(&mut tx, now, Some(registrar_id), &op, links).await?;
    }
    let action = if matches!(decision, Decision::Attach { .. }) {
        "person_attached"
    } else {
        "attachment_refused"
    };
    let detail = format!(r#"{{"application_id":{application_id},"district_number":{district_number}}}"#);
    audit(
        &mut tx,
        now,
        Some(registrar_id),
        action,
        Some(form.person_id),
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(ApplicationOutcome {
        application_id,
        application_number: format!("{year}/{number}"),
        decision,
        district_number,
        list_norm_exceeded,
    })
}

/// Writes where the person moved: a new permanent residence (and a household
/// of its own there) or a temporary one beside the registered address.
pub(super) async fn move_person(
    conn: &mut SqliteConnection,
    person_id: i64,
    residence: &NewResidence,
) -> Result<(), StoreError> {
    let address = &residence.address;
    if residence.temporary {
        sqlx::query(
            "UPDATE person SET temporary_settlement = ?2, temporary_street = ?3, temporary_house = ?4, \
             temporary_apartment = ?5 WHERE id = ?1",
        )
        .bind(person_id)
        .bind(&address.settlement)
        .bind(&address.street)
        .bind(&address.house)
        .bind(&address.apartment)
        .execute(&mut *conn)
        .await?;
        return Ok(());
    }
    let household_id = new_household(conn, address).await?;
    sqlx::query(
        "UPDATE person SET settlement = ?2, street = ?3, house = ?4, apartment = ?5, household_id = ?6 WHERE id = ?1",
    )
    .bind(person_id)
    .bind(&address.settlement)
    .bind(&address.street)
    .bind(&address.house)
    .bind(&address.apartment)
    .bind(household_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) fn field_errors(mut errors: Vec<FieldError>, field: Field, problem: FieldProblem) -> FormError {
    errors.push(FieldError { field, problem });
    FormError::Fields { errors }
}

pub(crate) async fn detach(
    pool: &SqlitePool,
    person_id: i64,
    reason: DetachmentReason,
    on: NaiveDate,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if on > kazakhstan_date(now) {
        return Err(StoreError::DateInFuture { date: on });
    }
    let mut tx = pool.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::PersonNotFound { id: person_id });
    }
    let (reason_text, action) = match reason {
        DetachmentReason::Died => ("died", "person_died"),
        DetachmentReason::ClinicLiquidated => ("clinic_liquidated", "detached_clinic_liquidated"),
    };
    if reason == DetachmentReason::Died {
        sqlx::query("UPDATE person SET died_on = ?2 WHERE id = ?1")
            .bind(person_id)
            .bind(on)
            .execute(&mut *tx)
            .await?;
    }
    let ended: Option<(i64, String)> = sqlx::query_as(
        "UPDATE attachment SET ended_on = max(started_on, ?2), end_reason = ?3 WHERE person_id = ?1 AND ended_on IS NULL \
         RETURNING id, (SELECT bin FROM clinic WHERE clinic.id = attachment.clinic_id)",
    )
    .bind(person_id)
    .bind(on)
    .bind(reason_text)
    .fetch_optional(&mut *tx)
    .await?;
    // The registry hears of it when the attachment was this clinic's.
    if let Some((attachment_id, bin)) = &ended
        && let Ok(home) = home_clinic(&mut tx).await
        && home.bin == *bin
    {
        let person = person_facts(&mut tx, person_id).await?;
        let op = OpBody::Detach(DetachOp {
            iin: person.iin,
            clinic_bin: home.bin,
            on,
            reason: match reason {
                DetachmentReason::Died => DetachReason::Died,
                DetachmentReason::ClinicLiquidated => DetachReason::ClinicLiquidated,
            },
        });
        let links = OpLinks {
            person_id: Some(person_id),
            attachment_id: None,
            ended_attachment_id: Some(*attachment_id),
            ..OpLinks::default()
        };
        sync::record_op(&mut tx, now, staff_id, &op, links).await?;
    }
    audit(&mut tx, now, staff_id, action, Some(person_id), "{}").await?;
    tx.commit().await?;
    Ok(ended.is_some())
}

pub(super) async fn audit(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
    staff_id: Option<i64>,
    action: &str,
    person_id: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_event (at, staff_id, action, person_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(at)
    .bind(staff_id)
    .bind(action)
    .bind(person_id)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
