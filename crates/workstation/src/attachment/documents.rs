//! The facts of the attachment's printed papers: the ticket or refusal and the consent.

use super::*;

#[derive(sqlx::FromRow)]
pub(super) struct DocumentRow {
    name_kk: String,
    name_ru: String,
    bin: String,
    clinic_address: String,
    clinic_phone: String,
    hours: String,
    year: i32,
    number: i64,
    submitted_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    channel: String,
    ground: String,
    status: String,
    refusal_ground: Option<String>,
    registry_confirmed_at: Option<DateTime<Utc>>,
    surname: String,
    first_name: String,
    patronymic: Option<String>,
    iin: String,
    birth_date: NaiveDate,
    settlement: Option<String>,
    street: Option<String>,
    house: Option<String>,
    apartment: Option<String>,
    district_id: i64,
    district_number: u32,
    district_kind: String,
    registrar: String,
}

pub(super) async fn document_row(
    conn: &mut SqliteConnection,
    application_id: i64,
) -> Result<DocumentRow, StoreError> {
    sqlx::query_as(
        concat!("SELECT c.name_kk, c.name_ru, c.bin, c.address AS clinic_address, c.phone AS clinic_phone, c.hours, \
         a.year, a.number, a.submitted_at, a.decided_at, a.channel, a.ground, a.status, a.refusal_ground, \
         a.registry_confirmed_at, p.surname, p.first_name, p.patronymic, p.iin, p.birth_date, p.settlement, p.street, \
         p.house, p.apartment, d.id AS district_id, d.number AS district_number, d.kind AS district_kind, \
         ", full_name_sql!("s"), " AS registrar \
         FROM attachment_application a JOIN clinic c ON c.id = a.clinic_id JOIN person p ON p.id = a.person_id \
         JOIN district d ON d.id = a.district_id JOIN staff s ON s.id = a.registrar_id WHERE a.id = ?1"),
    )
    .bind(application_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::ApplicationNotFound { id: application_id })
}

pub(super) fn header(row: &DocumentRow) -> ClinicHeader {
    ClinicHeader {
        name_kk: row.name_kk.clone(),
        name_ru: row.name_ru.clone(),
        bin: row.bin.clone(),
        address: row.clinic_address.clone(),
        phone: row.clinic_phone.clone(),
        hours: row.hours.clone(),
    }
}

pub(super) fn person_line(row: &DocumentRow) -> PersonLine {
    let address = match (&row.settlement, &row.street, &row.house) {
        (Some(settlement), Some(street), Some(house)) => Some(Address {
            settlement: settlement.clone(),
            street: street.clone(),
            house: house.clone(),
            apartment: row.apartment.clone(),
        }),
        _ => None,
    };
    PersonLine {
        full_name: full_name(&row.surname, &row.first_name, row.patronymic.as_deref()),
        iin: row.iin.clone(),
        birth_date: row.birth_date,
        address,
    }
}

pub(crate) async fn application_document(
    pool: &SqlitePool,
    application_id: i64,
) -> Result<ApplicationDocument, StoreError> {
    let mut conn = pool.acquire().await?;
    let row = document_row(&mut conn, application_id).await?;
    let decided_at = row.decided_at.unwrap_or(row.submitted_at);
    let decided_on = kazakhstan_date(decided_at);
    let outcome = match (row.status.as_str(), row.refusal_ground.as_deref()) {
        ("refused", Some(ground)) => DocumentOutcome::Refused {
            ground: RefusalGround::parse(ground).ok_or_else(|| corrupt("refusal ground", ground))?,
            campaign: store::attachment_rules(&mut conn)
                .await?
                .campaign(decided_on.year()),
        },
        ("attached", _) => {
            let staff: Vec<(String, String)> = sqlx::query_as(concat!(
                "SELECT role, ",
                full_name_sql!(),
                " FROM staff \
                 WHERE district_id = ?1 ORDER BY id"
            ))
            .bind(row.district_id)
            .fetch_all(&mut *conn)
            .await?;
            // doctor or feldsher first, then the nurse; each in the role they hold
            let mut team = Vec::new();
            for wanted in [
                StaffRole::DistrictDoctor,
                StaffRole::Feldsher,
                StaffRole::DistrictNurse,
            ] {
                team.extend(
                    staff
                        .iter()
                        .filter(|(role, _)| role == wanted.as_str())
                        .map(|(_, name)| TeamMember {
                            role: wanted,
                            name: name.clone(),
                        }),
                );
            }
            let effective_on: Option<NaiveDate> =
                sqlx::query_scalar("SELECT started_on FROM attachment WHERE application_id = ?1")
                    .bind(application_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            DocumentOutcome::Attached {
                district_number: row.district_number,
                district_kind: DistrictKind::parse(&row.district_kind)
                    .ok_or_else(|| corrupt("district kind", &row.district_kind))?,
                team,
                effective_on: effective_on.unwrap_or(decided_on),
                provisional: row.registry_confirmed_at.is_none(),
            }
        }
        (status, _) => {
            return Err(StoreError::NotDecided {
                id: application_id,
                status: status.to_string(),
            });
        }
    };
    Ok(ApplicationDocument {
        clinic: header(&row),
        application_id,
        application_number: display_number(row.year, row.number),
        submitted_at: row.submitted_at,
        decided_on,
        channel: Channel::parse(&row.channel).ok_or_else(|| corrupt("channel", &row.channel))?,
        ground: AttachmentGround::parse(&row.ground).ok_or_else(|| corrupt("ground", &row.ground))?,
        person: person_line(&row),
        registrar: row.registrar.clone(),
        outcome,
    })
}

pub(crate) async fn consent_document(
    pool: &SqlitePool,
    application_id: i64,
) -> Result<ConsentDocument, StoreError> {
    let mut conn = pool.acquire().await?;
    let row = document_row(&mut conn, application_id).await?;
    let consent: (bool, Option<NaiveDate>, bool, bool, bool, String, DateTime<Utc>, String, String) = sqlx::query_as(
        concat!("SELECT k.given, k.valid_until, k.third_parties, k.cross_border, k.publication, k.data_list, k.recorded_at, \
         ", full_name_sql!("s"), ", k.operator_bin \
         FROM personal_data_consent k JOIN staff s ON s.id = k.recorded_by WHERE k.application_id = ?1"),
    )
    .bind(application_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::ApplicationNotFound { id: application_id })?;
    let (
        given,
        valid_until,
        third_parties,
        cross_border,
        publication,
        data_list,
        recorded_at,
        recorded_by,
        _,
    ) = consent;
    Ok(ConsentDocument {
        clinic: header(&row),
        application_number: display_number(row.year, row.number),
        person: person_line(&row),
        given,
        valid_until,
        third_parties,
        cross_border,
        publication,
        data_list,
        recorded_by,
        recorded_at,
    })
}
