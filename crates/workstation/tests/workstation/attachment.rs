//! Registration and attachment against a real SQLite file: decisions written
//! whole, bad input written not at all.

use chrono::{DateTime, TimeZone, Utc};
use emhana_domain::attachment::{
    AttachmentGround, Campaign, CampaignEffect, Channel, Decision, ListNorms, RefusalGround,
};
use emhana_domain::documents::DocumentOutcome;
use emhana_domain::registration::{DocumentKind, Field, FieldProblem, NewResidence, RegistrationForm};
use emhana_domain::{Address, Citizenship, Sex, StaffRole};
use emhana_workstation::{
    ApplicationForm, AttachmentRecord, ConsentForm, DetachmentReason, FormError, HouseholdRecord, Workstation,
};
use tempfile::TempDir;

use crate::fixture::{self, date, person};

/// An instant given in Kazakhstan time (UTC+5).
fn kz(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - chrono::TimeDelta::hours(5)
}

const IN_CAMPAIGN: (i32, u32, u32) = (2026, 10, 1);

fn in_campaign() -> DateTime<Utc> {
    kz(IN_CAMPAIGN.0, IN_CAMPAIGN.1, IN_CAMPAIGN.2, 10, 30)
}

fn after_campaign() -> DateTime<Utc> {
    kz(2026, 11, 23, 9, 15)
}

/// The fixture plus a second clinic and a man at Абай 7 attached there by a
/// free choice in 2024.
async fn loaded() -> (TempDir, Workstation, i64) {
    let (dir, workstation) = fixture::loaded().await;
    let other = fixture::other_clinic();
    workstation
        .import_clinics(std::slice::from_ref(&other))
        .await
        .unwrap();
    let mut serik = person(
        "Серікбаев",
        "Бауыржан",
        Some("Асқарұлы"),
        date(1986, 8, 30),
        Sex::Male,
    );
    let address = Address {
        settlement: "Астана".into(),
        street: "Абай даңғылы".into(),
        house: "7".into(),
        apartment: None,
    };
    serik.address = Some(address.clone());
    workstation
        .import_households(&[HouseholdRecord {
            address,
            members: vec![serik],
            attachments: vec![Some(AttachmentRecord {
                clinic_bin: other.bin,
                district_number: 1,
                ground: AttachmentGround::FreeChoice,
                decided_on: date(2024, 10, 1),
            })],
        }])
        .await
        .unwrap();
    let found = workstation.search("Серікбаев Бауыржан", 5).await.unwrap();
    (dir, workstation, found.hits[0].id)
}

async fn registrar(workstation: &Workstation, person_id: i64) -> i64 {
    workstation
        .attachment_options(person_id, in_campaign())
        .await
        .unwrap()
        .registrars[0]
        .id
}

fn application(person_id: i64, registrar_id: i64, ground: AttachmentGround) -> ApplicationForm {
    ApplicationForm {
        person_id,
        channel: Channel::InPerson,
        ground,
        district_id: None,
        document_kind: Some(DocumentKind::IdCard),
        document_number: "041234567".into(),
        consent: ConsentForm {
            given: Some(true),
            ..ConsentForm::default()
        },
        registrar_id: Some(registrar_id),
        new_residence: None,
    }
}

/// The application of a person who moved to Абай даңғылы `house` (district 1 covers 1–20).
fn moved(form: ApplicationForm, house: &str) -> ApplicationForm {
    ApplicationForm {
        new_residence: Some(NewResidence {
            address: Address {
                settlement: "Астана".into(),
                street: "Абай даңғылы".into(),
                house: house.into(),
                apartment: Some("12".into()),
            },
            temporary: false,
        }),
        ..form
    }
}

/// Counts rows through a connection of its own, as another process would see them.
async fn count(workstation: &Workstation, table: &str) -> i64 {
    let url = format!("sqlite://{}?mode=ro", workstation.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let sql = format!("SELECT count(*) FROM {table}");
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

fn field_problems(error: FormError) -> Vec<(Field, FieldProblem)> {
    match error {
        FormError::Fields { errors } => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
        FormError::Store(error) => panic!("store error: {error}"),
    }
}

fn registration() -> RegistrationForm {
    RegistrationForm {
        iin: fixture::iin(date(1995, 4, 12), Sex::Female).to_string(),
        surname: "Нұрланова".into(),
        first_name: "Әйгерім".into(),
        patronymic: "Ержанқызы".into(),
        birth_date: Some(date(1995, 4, 12)),
        sex: Some(Sex::Female),
        citizenship: Some(Citizenship::Citizen),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "051234567".into(),
        document_issued_on: Some(date(2020, 1, 15)),
        registered_address: Some(Address {
            settlement: "Астана".into(),
            street: "Абай даңғылы".into(),
            house: "15".into(),
            apartment: Some("3".into()),
        }),
        temporary_address: None,
        workplace: "Назарбаев Университеті".into(),
        phone: "+7 707 555 44 33".into(),
        mother_iin: String::new(),
    }
}

#[tokio::test]
async fn a_new_person_is_registered_found_and_never_twice() {
    let (_dir, workstation, _) = loaded().await;
    let before = count(&workstation, "person").await;
    let id = workstation
        .register_person(&registration(), None, in_campaign())
        .await
        .unwrap();
    assert_eq!(count(&workstation, "person").await, before + 1);
    let found = workstation.search("нурланова айгерим", 5).await.unwrap();
    assert_eq!(
        found.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![id],
        "folded name search finds her"
    );

    let audit = count(&workstation, "audit_event").await;
    let again = workstation
        .register_person(&registration(), None, in_campaign())
        .await
        .unwrap_err();
    assert_eq!(
        field_problems(again),
        vec![(Field::Iin, FieldProblem::AlreadyRegistered { person_id: id })]
    );
    assert_eq!(count(&workstation, "person").await, before + 1, "nothing written");
    assert_eq!(
        count(&workstation, "audit_event").await,
        audit,
        "no audit event either"
    );
}

#[tokio::test]
async fn a_child_joins_the_mothers_household() {
    let (_dir, workstation, _) = loaded().await;
    let mother_iin = fixture::iin(date(1981, 7, 9), Sex::Female).to_string(); // Әлібекова Айгерім
    let child_iin = fixture::iin(date(2026, 8, 1), Sex::Female).to_string();
    let form = RegistrationForm {
        iin: child_iin,
        surname: "Әлібекова".into(),
        first_name: "Аружан".into(),
        patronymic: "Қайратқызы".into(),
        birth_date: None,
        sex: None,
        document_kind: Some(DocumentKind::BirthCertificate),
        document_issued_on: Some(date(2026, 8, 10)),
        mother_iin: mother_iin.clone(),
        ..registration()
    };
    let id = workstation
        .register_person(&form, None, in_campaign())
        .await
        .unwrap();
    let card = workstation.person_card(id, date(2026, 10, 1)).await.unwrap();
    assert!(
        card.household.iter().any(|m| m.iin == mother_iin),
        "{:?}",
        card.household
    );

    let orphan = RegistrationForm {
        iin: fixture::iin(date(2026, 8, 2), Sex::Male).to_string(),
        first_name: "Алмас".into(),
        mother_iin: fixture::iin(date(1970, 1, 1), Sex::Female).to_string(),
        ..form
    };
    let error = workstation
        .register_person(&orphan, None, in_campaign())
        .await
        .unwrap_err();
    assert_eq!(
        field_problems(error),
        vec![(Field::MotherIin, FieldProblem::NotRegistered)]
    );
}

#[tokio::test]
async fn first_attachment_any_day_on_the_district_of_the_address_and_numbered_in_the_year() {
    let (_dir, workstation, _) = loaded().await;
    let person_id = workstation
        .register_person(&registration(), None, after_campaign())
        .await
        .unwrap();
    let registrar_id = registrar(&workstation, person_id).await;
    let options = workstation
        .attachment_options(person_id, after_campaign())
        .await
        .unwrap();
    assert_eq!(options.suggestion.map(|s| s.source.as_str()), Some("address"));
    assert!(options.current.is_none());

    let outcome = workstation
        .apply_for_attachment(
            &application(person_id, registrar_id, AttachmentGround::FirstAttachment),
            after_campaign(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.application_number, "2026/1");
    assert_eq!(outcome.district_number, 1);
    assert!(
        matches!(outcome.decision, Decision::Attach { effective_on, .. } if effective_on == date(2026, 11, 23))
    );

    let ticket = workstation
        .application_document(outcome.application_id)
        .await
        .unwrap();
    assert_eq!(ticket.person.full_name, "Нұрланова Әйгерім Ержанқызы");
    assert_eq!(ticket.registrar, "Оспанова Дана");
    match ticket.outcome {
        DocumentOutcome::Attached {
            district_number,
            team,
            provisional,
            ..
        } => {
            assert_eq!(district_number, 1);
            let named: Vec<_> = team.iter().map(|m| (m.role, m.name.as_str())).collect();
            assert_eq!(
                named,
                [
                    (StaffRole::DistrictDoctor, "Жұмабаев Ерлан Маратұлы"),
                    (StaffRole::DistrictNurse, "Сейітова Гүлнұр")
                ]
            );
            assert!(provisional, "the registry has not confirmed it");
        }
        other => panic!("{other:?}"),
    }
    let consent = workstation
        .consent_document(outcome.application_id)
        .await
        .unwrap();
    assert!(consent.given);
    assert_eq!(consent.recorded_by, "Оспанова Дана");

    // the person card's household-mate of the same address gets the household's district
    let options = workstation
        .attachment_options(person_id, after_campaign())
        .await
        .unwrap();
    assert!(
        options
            .current
            .is_some_and(|c| c.here && c.district_number == Some(1))
    );
}

#[tokio::test]
async fn free_choice_attaches_in_the_campaign_and_ends_the_attachment_elsewhere() {
    let (_dir, workstation, serik) = loaded().await;
    let registrar_id = registrar(&workstation, serik).await;
    let outcome = workstation
        .apply_for_attachment(
            &application(serik, registrar_id, AttachmentGround::FreeChoice),
            in_campaign(),
        )
        .await
        .unwrap();
    assert!(
        matches!(outcome.decision, Decision::Attach { .. }),
        "{:?}",
        outcome.decision
    );
    let history = workstation.attachment_history(serik).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].ended_on, Some(date(2026, 10, 1)));
    assert_eq!(history[0].end_reason.as_deref(), Some("attached_elsewhere"));
    assert_eq!(history[1].ended_on, None);

    // a second free choice in the same campaign: refused, written as refused
    let attachments = count(&workstation, "attachment").await;
    let mut again = application(serik, registrar_id, AttachmentGround::FreeChoice);
    again.district_id = None;
    // back to the other clinic is impossible here; choose this clinic's district again -> already attached
    let error = workstation
        .apply_for_attachment(&again, kz(2026, 10, 20, 9, 0))
        .await
        .unwrap_err();
    assert!(matches!(
        field_problems(error)[0],
        (
            Field::Person,
            FieldProblem::AlreadyAttachedHere {
                district_number: Some(1)
            }
        )
    ));
    assert_eq!(count(&workstation, "attachment").await, attachments);
}

#[tokio::test]
async fn free_choice_outside_the_campaign_is_refused_and_nothing_is_attached() {
    let (_dir, workstation, serik) = loaded().await;
    let registrar_id = registrar(&workstation, serik).await;
    let outcome = workstation
        .apply_for_attachment(
            &application(serik, registrar_id, AttachmentGround::FreeChoice),
            after_campaign(),
        )
        .await
        .unwrap();
    assert!(matches!(
        outcome.decision,
        Decision::Refuse {
            ground: RefusalGround::OutsideCampaign,
            ..
        }
    ));
    assert_eq!(
        workstation.attachment_history(serik).await.unwrap().len(),
        1,
        "still attached elsewhere only"
    );
    let refusal = workstation
        .application_document(outcome.application_id)
        .await
        .unwrap();
    match refusal.outcome {
        DocumentOutcome::Refused { ground, campaign } => {
            assert_eq!(ground, RefusalGround::OutsideCampaign);
            assert_eq!(
                (campaign.first_day, campaign.last_day),
                (date(2026, 9, 15), date(2026, 11, 15))
            );
        }
        other => panic!("{other:?}"),
    }
    // change of residence is a ground any day
    let outcome = workstation
        .apply_for_attachment(
            &moved(
                application(serik, registrar_id, AttachmentGround::ChangeOfResidence),
                "7",
            ),
            after_campaign(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome.decision, Decision::Attach { .. }));
    assert_eq!(outcome.application_number, "2026/2");
}

#[tokio::test]
async fn the_years_campaign_is_reference_data() {
    let (_dir, workstation, serik) = loaded().await;
    let registrar_id = registrar(&workstation, serik).await;
    workstation
        .set_campaign(&Campaign {
            year: 2026,
            first_day: date(2026, 9, 1),
            last_day: date(2026, 11, 1),
            free_choice_limit: 1,
            takes_effect: CampaignEffect::NextJanuaryFirst,
        })
        .await
        .unwrap();
    let outcome = workstation
        .apply_for_attachment(
            &application(serik, registrar_id, AttachmentGround::FreeChoice),
            kz(2026, 9, 2, 9, 0),
        )
        .await
        .unwrap();
    assert!(
        matches!(outcome.decision, Decision::Attach { effective_on, .. } if effective_on == date(2027, 1, 1))
    );
    let history = workstation.attachment_history(serik).await.unwrap();
    assert_eq!(
        history[0].ended_on,
        Some(date(2027, 1, 1)),
        "served elsewhere until the new year"
    );
    let options = workstation
        .attachment_options(serik, kz(2026, 9, 2, 10, 0))
        .await
        .unwrap();
    assert!(
        options.current.is_some_and(|c| !c.here),
        "still the other clinic's until 1 January"
    );
}

#[tokio::test]
async fn missing_document_consent_or_registrar_is_stopped_at_the_field_and_nothing_is_written() {
    let (_dir, workstation, serik) = loaded().await;
    let registrar_id = registrar(&workstation, serik).await;
    let before = (
        count(&workstation, "attachment_application").await,
        count(&workstation, "audit_event").await,
    );
    let mut form = application(serik, registrar_id, AttachmentGround::FreeChoice);
    form.document_kind = None;
    form.document_number = " ".into();
    form.consent.given = None;
    let fields: Vec<Field> = field_problems(
        workstation
            .apply_for_attachment(&form, in_campaign())
            .await
            .unwrap_err(),
    )
    .into_iter()
    .map(|(field, _)| field)
    .collect();
    assert_eq!(
        fields,
        vec![Field::DocumentKind, Field::DocumentNumber, Field::Consent]
    );
    // Nobody chosen as the ticket's signatory: asked with the rest, not after it.
    form.registrar_id = None;
    let problems = field_problems(
        workstation
            .apply_for_attachment(&form, in_campaign())
            .await
            .unwrap_err(),
    );
    assert_eq!(
        problems.last(),
        Some(&(Field::Registrar, FieldProblem::Required)),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 4, "{problems:?}");
    form = application(serik, registrar_id, AttachmentGround::FreeChoice);
    form.registrar_id = Some(999_999);
    let fields = field_problems(
        workstation
            .apply_for_attachment(&form, in_campaign())
            .await
            .unwrap_err(),
    );
    assert_eq!(fields, vec![(Field::Registrar, FieldProblem::UnknownRegistrar)]);
    let after = (
        count(&workstation, "attachment_application").await,
        count(&workstation, "audit_event").await,
    );
    assert_eq!(before, after);

    // consent refused by the person is a decision: a refusal, written
    let mut refused = application(serik, registrar_id, AttachmentGround::FreeChoice);
    refused.consent.given = Some(false);
    let outcome = workstation
        .apply_for_attachment(&refused, in_campaign())
        .await
        .unwrap();
    assert!(matches!(
        outcome.decision,
        Decision::Refuse {
            ground: RefusalGround::NoConsent,
            ..
        }
    ));
    let consent = workstation
        .consent_document(outcome.application_id)
        .await
        .unwrap();
    assert!(!consent.given);
}

#[tokio::test]
async fn death_ends_the_attachment_and_later_applications_are_refused() {
    let (_dir, workstation, _) = loaded().await;
    let person_id = workstation
        .register_person(&registration(), None, in_campaign())
        .await
        .unwrap();
    let registrar_id = registrar(&workstation, person_id).await;
    workstation
        .apply_for_attachment(
            &application(person_id, registrar_id, AttachmentGround::FirstAttachment),
            in_campaign(),
        )
        .await
        .unwrap();
    let on = date(2026, 10, 5);
    let too_early = workstation
        .detach(person_id, DetachmentReason::Died, on, None, in_campaign())
        .await;
    assert!(
        matches!(
            too_early,
            Err(emhana_workstation::StoreError::DateInFuture { .. })
        ),
        "a death recorded before its day"
    );
    let evening_of_the_5th = kz(2026, 10, 5, 18, 0);
    assert!(
        workstation
            .detach(person_id, DetachmentReason::Died, on, None, evening_of_the_5th)
            .await
            .unwrap()
    );
    let history = workstation.attachment_history(person_id).await.unwrap();
    assert_eq!(
        (history[0].ended_on, history[0].end_reason.as_deref()),
        (Some(date(2026, 10, 5)), Some("died"))
    );
    let outcome = workstation
        .apply_for_attachment(
            &moved(
                application(person_id, registrar_id, AttachmentGround::ChangeOfResidence),
                "7",
            ),
            kz(2026, 10, 6, 9, 0),
        )
        .await
        .unwrap();
    assert!(matches!(
        outcome.decision,
        Decision::Refuse {
            ground: RefusalGround::PersonDeceased,
            ..
        }
    ));
}

#[tokio::test]
async fn a_district_over_its_list_norm_warns_but_attaches() {
    let (_dir, workstation, serik) = loaded().await;
    let registrar_id = registrar(&workstation, serik).await;
    workstation
        .set_list_norms(&ListNorms {
            therapeutic: 1,
            pediatric: 900,
            general_practice: 1700,
        })
        .await
        .unwrap();
    let person_id = workstation
        .register_person(&registration(), None, in_campaign())
        .await
        .unwrap();
    let first = workstation
        .apply_for_attachment(
            &application(person_id, registrar_id, AttachmentGround::FirstAttachment),
            in_campaign(),
        )
        .await
        .unwrap();
    assert_eq!(
        first.list_norm_exceeded, None,
        "the first on the list is within a norm of 1"
    );
    let second = workstation
        .apply_for_attachment(
            &application(serik, registrar_id, AttachmentGround::FreeChoice),
            in_campaign(),
        )
        .await
        .unwrap();
    let load = second.list_norm_exceeded.expect("a warning");
    assert_eq!((load.attached, load.norm), (1, 1));
    assert!(matches!(second.decision, Decision::Attach { .. }));
}

#[tokio::test]
async fn the_register_lists_counts_filters_and_exports_the_attached_population() {
    let (_dir, workstation, serik) = loaded().await;
    let registrar_id = registrar(&workstation, serik).await;
    let child = workstation
        .register_person(
            &RegistrationForm {
                iin: fixture::iin(date(2026, 8, 1), Sex::Female).to_string(),
                surname: "Әлібекова".into(),
                first_name: "Аружан".into(),
                patronymic: "Қайратқызы".into(),
                birth_date: None,
                sex: None,
                document_kind: Some(DocumentKind::BirthCertificate),
                document_issued_on: Some(date(2026, 8, 10)),
                ..registration()
            },
            None,
            in_campaign(),
        )
        .await
        .unwrap();
    for (person, ground) in [
        (serik, AttachmentGround::FreeChoice),
        (child, AttachmentGround::FirstAttachment),
    ] {
        workstation
            .apply_for_attachment(&application(person, registrar_id, ground), in_campaign())
            .await
            .unwrap();
    }
    let today = date(2026, 10, 2);
    let all = workstation
        .attached_register(&emhana_workstation::RegisterFilter::default(), today, 0)
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.inflow, 2, "both decided in the campaign");
    assert_eq!(all.districts[0].attached, 2);
    assert_eq!(
        all.rows[0].full_name, "Әлібекова Аружан Қайратқызы",
        "by surname within the district"
    );

    let babies = emhana_workstation::RegisterFilter {
        age_group: Some(emhana_domain::AgeGroup::Under1),
        ..Default::default()
    };
    let page = workstation.attached_register(&babies, today, 0).await.unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.person_id).collect::<Vec<_>>(),
        vec![child]
    );
    let men = emhana_workstation::RegisterFilter {
        sex: Some(Sex::Male),
        ..Default::default()
    };
    assert_eq!(
        workstation.attached_register(&men, today, 0).await.unwrap().rows[0].person_id,
        serik
    );
    let later = emhana_workstation::RegisterFilter {
        attached_since: Some(date(2026, 10, 2)),
        ..Default::default()
    };
    assert_eq!(
        workstation
            .attached_register(&later, today, 0)
            .await
            .unwrap()
            .total,
        0
    );

    let csv = workstation
        .attached_register_csv(&emhana_workstation::RegisterFilter::default(), today)
        .await
        .unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[0].starts_with("\u{feff}учаске / участок;ЖСН / ИИН;аты-жөні / ФИО"),
        "a bilingual header: {}",
        lines[0]
    );
    // 08…: a leading zero a spreadsheet would drop from a number
    let iin = format!(
        ";=\"{}\";",
        lines[1].split(';').nth(1).unwrap().trim_matches(['=', '"'])
    );
    assert!(lines[1].contains(&iin), "the IIN kept as text: {}", lines[1]);
    assert!(
        lines[1].contains(";Әлібекова Аружан Қайратқызы;01.08.2026;ж;Астана, Абай даңғылы, 15-3;01.10.2026"),
        "{}",
        lines[1]
    );
}

/// Issue 14: a 17-year-old on a street a pediatric district also covers was
/// offered the adult therapist. A child goes to the pediatrician, an adult of
/// the same household to the therapist, each with the district's own team.
#[tokio::test]
async fn a_seventeen_year_old_goes_to_the_pediatric_district_covering_the_street() {
    use emhana_domain::DistrictKind;
    use emhana_workstation::{CoverageRecord, DistrictRecord};
    let dir = tempfile::tempdir().unwrap();
    let (workstation, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    let mut clinic = fixture::clinic();
    clinic.districts.push(DistrictRecord {
        number: 7,
        kind: DistrictKind::Pediatric,
        coverage: vec![CoverageRecord {
            settlement: "Астана".into(),
            street: "Абай даңғылы".into(),
            house_from: 1,
            house_to: 20,
        }],
    });
    workstation.import_clinics(&[clinic]).await.unwrap();
    let adult = workstation
        .register_person(&registration(), None, after_campaign())
        .await
        .unwrap();
    let teenager = workstation
        .register_person(
            &RegistrationForm {
                iin: fixture::iin(date(2009, 5, 1), Sex::Male).to_string(),
                first_name: "Нұрлан".into(),
                patronymic: "Ержанұлы".into(),
                birth_date: Some(date(2009, 5, 1)),
                sex: Some(Sex::Male),
                document_number: "061234567".into(),
                ..registration()
            },
            None,
            after_campaign(),
        )
        .await
        .unwrap();
    let district_of = |person_id| {
        let workstation = workstation.clone();
        async move {
            let options = workstation
                .attachment_options(person_id, after_campaign())
                .await
                .unwrap();
            let suggested = options.suggestion.unwrap().district_id;
            let district = options.districts.iter().find(|d| d.id == suggested).unwrap();
            (district.number, district.kind)
        }
    };
    assert_eq!(
        district_of(teenager).await,
        (7, DistrictKind::Pediatric),
        "17 on 23.11.2026"
    );
    assert_eq!(district_of(adult).await, (1, DistrictKind::Therapeutic));
}

/// Issue 14: "change of residence" outside the campaign was accepted with no
/// new address (an Astana resident moved to a rural district without a word).
/// The ground asks where she moved and checks it against the districts.
#[tokio::test]
async fn a_change_of_residence_asks_where_she_moved_and_checks_the_districts_cover_it() {
    let (_dir, workstation, serik) = loaded().await;
    let registrar_id = registrar(&workstation, serik).await;
    let form = application(serik, registrar_id, AttachmentGround::ChangeOfResidence);
    let problems = |error: FormError| match error {
        FormError::Fields { errors } => errors
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    // no new address: asked for, nothing written
    let error = workstation
        .apply_for_attachment(&form, after_campaign())
        .await
        .unwrap_err();
    assert_eq!(problems(error), [(Field::NewAddress, FieldProblem::Required)]);
    // a village no district of the clinic covers
    let village = ApplicationForm {
        new_residence: Some(NewResidence {
            address: Address {
                settlement: "Ақсу".into(),
                street: "Орталық көшесі".into(),
                house: "14".into(),
                apartment: None,
            },
            temporary: false,
        }),
        ..form.clone()
    };
    let error = workstation
        .apply_for_attachment(&village, after_campaign())
        .await
        .unwrap_err();
    assert_eq!(
        problems(error),
        [(Field::NewAddress, FieldProblem::OutsideTerritory)]
    );
    assert_eq!(count(&workstation, "attachment_application").await, 0);

    // Абай 7, apartment 12: district 1, and the card shows where she lives now
    let outcome = workstation
        .apply_for_attachment(&moved(form, "7"), after_campaign())
        .await
        .unwrap();
    assert!(matches!(outcome.decision, Decision::Attach { .. }));
    assert_eq!(outcome.district_number, 1);
    let card = workstation.person_card(serik, date(2026, 11, 23)).await.unwrap();
    assert_eq!(card.address.as_deref(), Some("Астана, Абай даңғылы, 7-12"));
    let ticket = workstation
        .application_document(outcome.application_id)
        .await
        .unwrap();
    assert_eq!(ticket.person.address.map(|a| a.house), Some("7".into()));
}
