//! Attachment applications: the grounds, the campaign, the list norms, the districts by age and address, bad forms stopped at the field.

use super::*;

#[tokio::test]
async fn first_attachment_any_day_on_the_district_of_the_address_and_numbered_in_the_year() {
    let (_dir, head, _) = loaded().await;
    // the registrar signed in at the window is the one the ticket names
    let workstation = fixture::acting(&head, StaffRole::Registrar).await;
    let person_id = workstation
        .register_person(&registration(), after_campaign())
        .await
        .unwrap();
    let options = workstation
        .attachment_options(person_id, after_campaign())
        .await
        .unwrap();
    assert_eq!(options.suggestion.map(|s| s.source.as_str()), Some("address"));
    assert!(options.current.is_none());

    let outcome = workstation
        .apply_for_attachment(
            &application(person_id, AttachmentGround::FirstAttachment),
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
    let outcome = workstation
        .apply_for_attachment(&application(serik, AttachmentGround::FreeChoice), in_campaign())
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
    let mut again = application(serik, AttachmentGround::FreeChoice);
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
    let outcome = workstation
        .apply_for_attachment(
            &application(serik, AttachmentGround::FreeChoice),
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
            &moved(application(serik, AttachmentGround::ChangeOfResidence), "7"),
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
            &application(serik, AttachmentGround::FreeChoice),
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
async fn missing_document_or_consent_is_stopped_at_the_field_and_a_role_that_may_not_attach_is_refused() {
    let (_dir, workstation, serik) = loaded().await;
    let before = (
        count(&workstation, "attachment_application").await,
        count(&workstation, "audit_event").await,
    );
    let mut form = application(serik, AttachmentGround::FreeChoice);
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
    // Nobody signed in, or a nurse, whose role does not attach: refused, nothing written.
    let (nobody, _) = Workstation::open(workstation.path()).await.unwrap();
    assert!(matches!(
        nobody.apply_for_attachment(&form, in_campaign()).await,
        Err(FormError::Store(StoreError::NotSignedIn))
    ));
    let nurse = fixture::acting(&workstation, emhana_domain::StaffRole::DistrictNurse).await;
    assert!(matches!(
        nurse
            .apply_for_attachment(&application(serik, AttachmentGround::FreeChoice), in_campaign())
            .await,
        Err(FormError::Store(StoreError::NotAllowed {
            action: emhana_domain::access::Action::Attach
        }))
    ));
    assert_eq!(count(&workstation, "attachment_application").await, before.0);
    // nothing written but the audit of the nurse's sign-in and of her refused attempt
    let audited = fixture::audit_after(&workstation, before.1).await;
    assert_eq!(
        audited,
        vec![
            (
                "signed_in".to_owned(),
                format!(
                    r#"{{"iin":"{}","reason":null}}"#,
                    nurse.session().map(|s| s.iin.clone()).unwrap_or_default()
                )
            ),
            ("refused".to_owned(), r#"{"action":"attach"}"#.to_owned()),
        ]
    );

    // consent refused by the person is a decision: a refusal, written
    let mut refused = application(serik, AttachmentGround::FreeChoice);
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
async fn a_district_over_its_list_norm_warns_but_attaches() {
    let (_dir, workstation, serik) = loaded().await;
    workstation
        .set_list_norms(
            &ListNorms {
                therapeutic: 1,
                pediatric: 900,
                general_practice: 1700,
            },
            in_campaign(),
        )
        .await
        .unwrap();
    let person_id = workstation
        .register_person(&registration(), in_campaign())
        .await
        .unwrap();
    let first = workstation
        .apply_for_attachment(
            &application(person_id, AttachmentGround::FirstAttachment),
            in_campaign(),
        )
        .await
        .unwrap();
    assert_eq!(
        first.list_norm_exceeded, None,
        "the first on the list is within a norm of 1"
    );
    let second = workstation
        .apply_for_attachment(&application(serik, AttachmentGround::FreeChoice), in_campaign())
        .await
        .unwrap();
    let load = second.list_norm_exceeded.expect("a warning");
    assert_eq!((load.attached, load.norm), (1, 1));
    assert!(matches!(second.decision, Decision::Attach { .. }));
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
    let workstation = fixture::acting(&workstation, emhana_domain::StaffRole::Registrar).await;
    let adult = workstation
        .register_person(&registration(), after_campaign())
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
    let form = application(serik, AttachmentGround::ChangeOfResidence);
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
    // the new address the attachment rests on is in her history, with its
    // author, and goes to the registry with the attachment (issue 21)
    assert_eq!(card.changes.len(), 1, "{:?}", card.changes);
    assert_eq!(card.changes[0].field, "address");
    assert_eq!(
        card.changes[0].after.as_deref(),
        Some("Астана, Абай даңғылы, 7-12")
    );
    assert!(
        card.changes[0].by.is_some(),
        "the registrar who took the application"
    );
    let url = format!("sqlite://{}?mode=ro", workstation.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM outbox ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(kinds, ["attach"], "the attachment's op carries the move");
    let ticket = workstation
        .application_document(outcome.application_id)
        .await
        .unwrap();
    assert_eq!(ticket.person.address.map(|a| a.house), Some("7".into()));
}

/// Seed 002 numbers each application in the clinic's register; with several
/// PCs, each numbers in the series the registry gave it at enrolment, so two
/// windows never print the same number (emhana_domain::numbering).
#[tokio::test]
async fn an_enrolled_pc_numbers_its_applications_in_its_own_series() {
    let (_dir, workstation, _) = loaded().await;
    let enrolment = emhana_protocol::Enrolment {
        workstation: uuid::Uuid::now_v7(),
        clinic_bin: fixture::clinic().bin.as_string(),
        clinic_name_kk: String::new(),
        clinic_name_ru: String::new(),
        credential: "test.secret".into(),
        series: 3,
        registry_bundle_key: None,
        bundle_secret: None,
    };
    workstation
        .save_enrolment("http://127.0.0.1:9", &enrolment, after_campaign())
        .await
        .unwrap();
    let person_id = workstation
        .register_person(&registration(), after_campaign())
        .await
        .unwrap();
    let outcome = workstation
        .apply_for_attachment(
            &application(person_id, AttachmentGround::FirstAttachment),
            after_campaign(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.application_number, "2026/3-1");
    // the printed ticket and the number the queries write agree
    let ticket = workstation
        .application_document(outcome.application_id)
        .await
        .unwrap();
    assert_eq!(ticket.application_number, "2026/3-1");
}
